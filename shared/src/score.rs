//! The monthly cleaning score: how item marks become an area's score and the
//! vendor's total out of 100 (documented in docs/cleaning.md).
//!
//! - **Two supervisors marked one item of one inspection:** the stricter mark
//!   stands — the lower awarded score; a deduction beats full marks, full
//!   marks beat not applicable; equal scores: the earlier mark, then the
//!   smaller username. Both marks are kept and shown.
//! - **An inspection's area fraction:** points awarded over the maximum of the
//!   *applicable* items (not-applicable items leave the maximum); an
//!   inspection whose items are all not applicable does not count.
//! - **An area's month score:** the mean of its routine inspections'
//!   fractions times the area's weight (its items' maxima in the month's
//!   template). Re-inspections do not score.
//! - **The total:** the area scores over the areas inspected, scaled to 100 by
//!   their weight; an area not inspected in the month is "not assessed" and
//!   counts neither for nor against the vendor.
//! - **Rounding:** half up to one decimal, at the end only.
//! - **The month's calendar:** a month's total is provisional until the month
//!   is over (site time) or both parties have signed; only then is it held to
//!   the pass mark. Signing opens on the month's last day; the sheet is due by
//!   the 5th of the next month.
//!
//! Pure functions of the records and of the time they are given; no clock,
//! no storage.

use std::collections::BTreeMap;

use chrono::{Datelike, Months, NaiveDate};

use crate::domain::local_date;

use crate::schema::cleaning::{self, Inspection, Mark, Template, OUTCOME_DEDUCTED};
use crate::schema::record::ReadRecords;

/// One item's marks in one inspection, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedMark {
    pub item_id: String,
    /// The mark that stands.
    pub stood: Mark,
    /// Other supervisors' marks of the item, which did not stand.
    pub others: Vec<Mark>,
}

impl ResolvedMark {
    /// Two supervisors gave this item different marks.
    pub fn is_conflict(&self) -> bool {
        self.others.iter().any(|other| {
            other.outcome != self.stood.outcome || other.deduction != self.stood.deduction
        })
    }
}

/// Strictness order: lower awarded points first, not applicable last.
fn strictness(mark: &Mark, max: u32) -> (u32, i64, String) {
    let awarded = mark.awarded(max).unwrap_or(u32::MAX);
    (awarded, mark.at, mark.by.clone())
}

/// The standing mark of each item of one inspection (keyed by item id).
pub fn resolve<'a>(
    template: &Template,
    area_id: &str,
    marks: impl IntoIterator<Item = &'a Mark>,
) -> BTreeMap<String, ResolvedMark> {
    let mut by_item: BTreeMap<String, Vec<Mark>> = BTreeMap::new();
    for mark in marks {
        if let Some(item) = template.item(area_id, &mark.item_id) {
            if mark.validate_for(item.max_score).is_ok() {
                by_item
                    .entry(mark.item_id.clone())
                    .or_default()
                    .push(mark.clone());
            }
        }
    }
    by_item
        .into_iter()
        .map(|(item_id, mut marks)| {
            let max = template
                .item(area_id, &item_id)
                .map_or(0, |item| item.max_score);
            marks.sort_by_key(|mark| strictness(mark, max));
            let stood = marks.remove(0);
            (
                item_id.clone(),
                ResolvedMark {
                    item_id,
                    stood,
                    others: marks,
                },
            )
        })
        .collect()
}

/// One area's line of the month's sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaScore {
    pub area_id: String,
    /// The area's share of 100 in the template.
    pub weight: u32,
    /// Routine inspections that counted.
    pub inspections: usize,
    /// Rounded to one decimal; `None` when not assessed this month.
    pub score: Option<f64>,
    /// Points deducted over the month's counted inspections (for the sheet).
    pub deductions: u32,
}

/// The month's sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub template_id: String,
    pub areas: Vec<AreaScore>,
    /// Out of 100, rounded to one decimal; `None` if nothing was assessed.
    pub total: Option<f64>,
}

impl Sheet {
    pub fn below(&self, threshold: f64) -> bool {
        self.total.is_some_and(|total| total < threshold)
    }
}

/// Half up to one decimal (a tiny allowance keeps 89.95 from becoming 89.9
/// through binary floating point).
pub fn round1(value: f64) -> f64 {
    (value * 10.0 + 1e-9).round() / 10.0
}

/// The month's sheet from its inspections and marks, scored with `template`.
pub fn month_sheet(template: &Template, inspections: &[Inspection], marks: &[Mark]) -> Sheet {
    let mut fractions: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    let mut deductions: BTreeMap<&str, u32> = BTreeMap::new();
    for inspection in inspections.iter().filter(|i| i.is_routine()) {
        let Some(area) = template.area(&inspection.area_id) else {
            continue;
        };
        let resolved = resolve(
            template,
            &area.id,
            marks.iter().filter(|m| m.inspection_id == inspection.id),
        );
        let (mut awarded, mut possible) = (0u32, 0u32);
        for item in &area.items {
            let Some(mark) = resolved.get(&item.id) else {
                continue;
            };
            if let Some(points) = mark.stood.awarded(item.max_score) {
                awarded += points;
                possible += item.max_score;
                if mark.stood.outcome == OUTCOME_DEDUCTED {
                    *deductions.entry(area.id.as_str()).or_default() += item.max_score - points;
                }
            }
        }
        if possible > 0 {
            fractions
                .entry(area.id.as_str())
                .or_default()
                .push(f64::from(awarded) / f64::from(possible));
        }
    }
    let mut areas = Vec::new();
    let (mut points, mut weight_assessed) = (0.0, 0u32);
    for area in &template.areas {
        let weight = area.weight();
        let list = fractions.get(area.id.as_str());
        let raw = list.map(|list| list.iter().sum::<f64>() / list.len() as f64 * f64::from(weight));
        if let Some(raw) = raw {
            points += raw;
            weight_assessed += weight;
        }
        areas.push(AreaScore {
            area_id: area.id.clone(),
            weight,
            inspections: list.map_or(0, Vec::len),
            score: raw.map(round1),
            deductions: deductions.get(area.id.as_str()).copied().unwrap_or(0),
        });
    }
    Sheet {
        template_id: template.id.clone(),
        areas,
        total: (weight_assessed > 0).then(|| round1(points * 100.0 / f64::from(weight_assessed))),
    }
}

/// The template a month is scored with: the version it is pinned to (the
/// built-in one by its id even without a setup), else the current version
/// of `setup`, else the built-in one. The tablet's screens and the monthly
/// report both take a month's template from here.
pub fn month_template(setup: Option<&impl ReadRecords>, pinned: Option<&str>) -> Template {
    pinned
        .and_then(|id| {
            setup
                .and_then(|setup| cleaning::template(setup, id))
                .or_else(|| (id == cleaning::DEFAULT_TEMPLATE_ID).then(cleaning::default_template))
        })
        .unwrap_or_else(|| {
            setup.map_or_else(cleaning::default_template, cleaning::current_template)
        })
}

/// The first day of the month of `day`.
pub fn month_start(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// The last day of the month of `day`.
pub fn month_end(day: NaiveDate) -> NaiveDate {
    month_start(day)
        .checked_add_months(Months::new(1))
        .and_then(|next| next.pred_opt())
        .unwrap_or(day)
}

/// The sign-off due date of the month of `day`: the 5th of the next month.
pub fn due_date(day: NaiveDate) -> NaiveDate {
    month_start(day)
        .checked_add_months(Months::new(1))
        .and_then(|next| next.with_day(5))
        .unwrap_or(day)
}

/// The first site-local day on which the month of `day` may be signed: its
/// last day (the month's inspections are then all but done).
pub fn signing_opens(day: NaiveDate) -> NaiveDate {
    month_end(day)
}

/// Whether the month of `day` may be signed at `now` (Unix ms).
pub fn may_sign(day: NaiveDate, now: i64) -> bool {
    local_date(now) >= signing_opens(day)
}

/// Whether the month of `day` has its final score at `now` (Unix ms): the
/// month is over in site time, or both parties have signed (`locked`).
/// Until then its total is provisional: more inspections may come, so it is
/// not yet held to the pass mark.
pub fn month_is_final(day: NaiveDate, now: i64, locked: bool) -> bool {
    locked || local_date(now) > month_end(day)
}

/// For months in order (oldest first), each with its total, the threshold
/// it is held to and whether it is final ([`month_is_final`]): the flags of
/// [`threshold_streak`]. A month still in progress gets neither flag and
/// ends a streak, like a month not assessed: its verdict is not known yet.
pub fn month_flags(months: &[(Option<f64>, f64, bool)]) -> Vec<(bool, bool)> {
    let totals: Vec<(Option<f64>, f64)> = months
        .iter()
        .map(|&(total, threshold, is_final)| (total.filter(|_| is_final), threshold))
        .collect();
    threshold_streak(&totals)
}

/// For months in order (oldest first), each with its total and the
/// threshold it is held to: whether each is below its threshold, and whether
/// it is the second (or later) month in a row below — the contract's trigger
/// for a corrective plan. A month with no total (not assessed) ends a streak.
pub fn threshold_streak(months: &[(Option<f64>, f64)]) -> Vec<(bool, bool)> {
    let mut previous_below = false;
    months
        .iter()
        .map(|(total, threshold)| match total {
            Some(total) => {
                let below = total < threshold;
                let streak = below && previous_below;
                previous_below = below;
                (below, streak)
            }
            None => {
                previous_below = false;
                (false, false)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::cleaning::{inspection, mark, month};
    use crate::fixtures::AT;
    use crate::schema::cleaning::{
        default_template, marks as stored_marks, put_inspection, put_mark, OUTCOME_FULL, OUTCOME_NA,
    };

    #[test]
    fn rounding_is_half_up_at_one_decimal() {
        assert_eq!(round1(89.95), 90.0);
        assert_eq!(round1(89.94), 89.9);
        assert_eq!(round1(100.0), 100.0);
        assert_eq!(round1(66.666_666), 66.7);
        assert_eq!(round1(0.04), 0.0);
    }

    #[test]
    fn not_applicable_items_leave_the_maximum() {
        let template = default_template();
        // Lobby: 6 + 5 + 4 = 15. Floor deducted 3, glass full, fixtures n/a.
        let marks = [
            mark("lobby", "lobby-floor", "cleaning", OUTCOME_DEDUCTED, 3),
            mark("lobby", "lobby-glass", "cleaning", OUTCOME_FULL, 0),
            mark("lobby", "lobby-fixtures", "cleaning", OUTCOME_NA, 0),
        ];
        let sheet = month_sheet(&template, &[inspection("lobby", "cleaning")], &marks);
        let lobby = &sheet.areas[0];
        // 8 of 11 applicable points, scaled to the area's 15.
        assert_eq!(lobby.score, Some(round1(8.0 / 11.0 * 15.0)));
        assert_eq!(lobby.score, Some(10.9));
        assert_eq!(lobby.deductions, 3);
        // Only the lobby was assessed: the total is its share scaled to 100.
        assert_eq!(sheet.total, Some(round1(8.0 / 11.0 * 100.0)));
        assert!(sheet.areas[1..].iter().all(|area| area.score.is_none()));
    }

    #[test]
    fn several_inspections_of_an_area_are_averaged_and_all_na_ones_ignored() {
        let template = default_template();
        let first = inspection("lifts", "cleaning");
        let mut second = inspection("lifts", "cleaning");
        second.id = "insp-lifts-20261124".into();
        second.date = "2026-11-24".into();
        let mut third = inspection("lifts", "cleaning");
        third.id = "insp-lifts-20261125".into();
        third.date = "2026-11-25".into();
        let on = |inspection: &Inspection, item: &str, outcome: &str, deduction| {
            let mut m = mark("lifts", item, "cleaning", outcome, deduction);
            m.inspection_id = inspection.id.clone();
            m.id = crate::schema::cleaning::mark_id(&m.inspection_id, item, "cleaning");
            m
        };
        let marks = [
            // First: full (14/14). Second: 7 deducted of 14. Third: everything n/a.
            on(&first, "lift-car", OUTCOME_FULL, 0),
            on(&first, "lift-doors", OUTCOME_FULL, 0),
            on(&second, "lift-car", OUTCOME_DEDUCTED, 4),
            on(&second, "lift-doors", OUTCOME_DEDUCTED, 3),
            on(&third, "lift-car", OUTCOME_NA, 0),
            on(&third, "lift-doors", OUTCOME_NA, 0),
        ];
        let sheet = month_sheet(&template, &[first, second, third], &marks);
        let lifts = sheet.areas.iter().find(|a| a.area_id == "lifts").unwrap();
        assert_eq!(lifts.inspections, 2);
        assert_eq!(lifts.score, Some(10.5), "(1 + 0.5) / 2 × 14");
        assert_eq!(sheet.total, Some(75.0));
    }

    #[test]
    fn two_supervisors_offline_on_one_area_merge_and_the_stricter_mark_stands() {
        let mut one = month();
        put_inspection(&mut one, &inspection("lobby", "cleaning")).unwrap();
        let mut two = month();
        // The second supervisor starts the same inspection offline.
        let mut theirs = inspection("lobby", "cleaning2");
        theirs.started_at = AT + 5;
        put_inspection(&mut two, &theirs).unwrap();
        put_mark(
            &mut one,
            &mark("lobby", "lobby-floor", "cleaning", OUTCOME_FULL, 0),
            6,
        )
        .unwrap();
        put_mark(
            &mut two,
            &mark("lobby", "lobby-floor", "cleaning2", OUTCOME_DEDUCTED, 2),
            6,
        )
        .unwrap();
        put_mark(
            &mut two,
            &mark("lobby", "lobby-glass", "cleaning2", OUTCOME_FULL, 0),
            5,
        )
        .unwrap();
        one.merge(&mut two.clone()).unwrap();
        two.merge(&mut one.clone()).unwrap();
        let marks = stored_marks(&one).unwrap();
        assert_eq!(marks.len(), 3, "both supervisors' marks survive");
        let template = default_template();
        let resolved = resolve(&template, "lobby", &marks);
        let floor = &resolved["lobby-floor"];
        assert_eq!(floor.stood.by, "cleaning2");
        assert_eq!(floor.stood.deduction, 2);
        assert!(floor.is_conflict());
        assert!(!resolved["lobby-glass"].is_conflict());
        assert_eq!(
            resolve(&template, "lobby", &stored_marks(&two).unwrap()),
            resolved,
            "the same on both tablets"
        );
    }

    #[test]
    fn not_applicable_loses_to_full_marks_and_ties_go_to_the_earlier_mark() {
        let template = default_template();
        let na = mark("lobby", "lobby-floor", "a", OUTCOME_NA, 0);
        let full = mark("lobby", "lobby-floor", "b", OUTCOME_FULL, 0);
        let resolved = resolve(&template, "lobby", [&na, &full]);
        assert_eq!(resolved["lobby-floor"].stood.by, "b");
        let mut early = mark("lobby", "lobby-floor", "z", OUTCOME_FULL, 0);
        early.at = AT - 1;
        let resolved = resolve(&template, "lobby", [&full, &early]);
        assert_eq!(resolved["lobby-floor"].stood.by, "z");
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn month_dates() {
        assert_eq!(month_start(date("2026-02-10")), date("2026-02-01"));
        assert_eq!(month_end(date("2026-02-10")), date("2026-02-28"));
        assert_eq!(month_end(date("2028-02-10")), date("2028-02-29"));
        assert_eq!(due_date(date("2026-12-31")), date("2027-01-05"));
        assert_eq!(signing_opens(date("2026-04-02")), date("2026-04-30"));
    }

    #[test]
    fn signing_opens_on_the_months_last_day_in_site_time() {
        use crate::domain::instant_at;
        let march = date("2026-03-10");
        assert!(!may_sign(
            march,
            instant_at(date("2026-03-30"), 23 * 60 + 59)
        ));
        assert!(may_sign(march, instant_at(date("2026-03-31"), 0)));
        assert!(may_sign(march, instant_at(date("2026-04-03"), 600)));
    }

    #[test]
    fn a_month_in_progress_is_provisional_until_it_is_over_or_signed() {
        use crate::domain::instant_at;
        let april = date("2026-04-01");
        // On the 2nd, after one inspection: no verdict yet.
        assert!(!month_is_final(
            april,
            instant_at(date("2026-04-02"), 600),
            false
        ));
        // The last day itself is still in progress.
        assert!(!month_is_final(
            april,
            instant_at(date("2026-04-30"), 23 * 60),
            false
        ));
        // Over at site midnight: 1 May 00:00 in UTC+8 is still 30 April in UTC.
        assert!(month_is_final(
            april,
            instant_at(date("2026-05-01"), 0),
            false
        ));
        // Signed by both parties on the last day: final.
        assert!(month_is_final(
            april,
            instant_at(date("2026-04-30"), 600),
            true
        ));
    }

    #[test]
    fn a_month_in_progress_gets_no_flags() {
        // March below and final; April below so far but in progress.
        assert_eq!(
            month_flags(&[(Some(85.0), 90.0, true), (Some(80.0), 90.0, false)]),
            [(true, false), (false, false)]
        );
        // Once April is over it is the second month below in a row.
        assert_eq!(
            month_flags(&[(Some(85.0), 90.0, true), (Some(80.0), 90.0, true)]),
            [(true, false), (true, true)]
        );
    }

    #[test]
    fn each_month_is_held_to_its_own_threshold() {
        // The contract lowered the pass mark to 85 from the third month on.
        let flags = threshold_streak(&[
            (Some(88.0), 90.0),
            (Some(87.0), 90.0),
            (Some(86.0), 85.0),
            (Some(84.0), 85.0),
        ]);
        assert_eq!(
            flags,
            [(true, false), (true, true), (false, false), (true, false)]
        );
    }

    #[test]
    fn two_months_in_a_row_below_the_threshold_are_flagged() {
        let flags = threshold_streak(&[
            (Some(92.0), 90.0),
            (Some(89.9), 90.0),
            (Some(88.0), 90.0),
            (None, 90.0),
            (Some(85.0), 90.0),
            (Some(90.0), 90.0),
        ]);
        assert_eq!(
            flags,
            [
                (false, false),
                (true, false),
                (true, true),
                (false, false),
                (true, false),
                (false, false)
            ]
        );
    }
}
