//! Household visits (走访) of one zone in one quarter, and the counts the
//! office reports: households visited in a month (callbacks and repeat visits
//! not counted) and units not visited this quarter.

use std::collections::HashSet;

use automerge::Automerge;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::record::ReadRecords;
use super::resident::Unit;
use super::{
    check_author, check_id, check_instant, check_text, check_word, list, put, Container, Record,
    SchemaError,
};
use crate::domain::local_date;

/// Visits, keyed by visit id.
pub const VISITS: &str = Container::Visits.name();

pub const PURPOSE_VISIT: &str = "visit";
/// A visit made to call a resident back about a request: not a household visit in the counts.
pub const PURPOSE_CALLBACK: &str = "callback";
pub const SATISFACTIONS: [&str; 4] = ["satisfied", "basically", "not_satisfied", "none"];

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Visit {
    pub id: String,
    pub zone: String,
    pub unit_id: String,
    pub unit_label: String,
    pub resident_name: String,
    pub visited_at: i64,
    pub by: String,
    pub by_name: String,
    pub device: String,
    /// `visit` or `callback`.
    pub purpose: String,
    /// What the resident raised.
    pub raised: String,
    /// One of [`SATISFACTIONS`].
    pub satisfaction: String,
    /// The reply time promised for what could not be answered on the spot (0: none).
    pub reply_by: i64,
    /// Requests raised on this visit.
    pub request_ids: Vec<String>,
}

impl Record for Visit {
    const CONTAINER: Container = Container::Visits;
    const PERSONAL: bool = true;

    const MADE_AT: Option<&'static str> = Some("visited_at");
    const AUTHOR: Option<&'static str> = Some("by");

    fn id(&self) -> &str {
        &self.id
    }

    fn validate(&self) -> Result<(), SchemaError> {
        check_id("visit", &self.id)?;
        check_text("zone", &self.zone, true, 32)?;
        check_id("unit", &self.unit_id)?;
        check_text("unit", &self.unit_label, true, 64)?;
        check_text("resident", &self.resident_name, false, 64)?;
        check_instant("visit time", self.visited_at)?;
        check_author("by", &self.by, &self.by_name, &self.device)?;
        check_word("purpose", &self.purpose, &[PURPOSE_VISIT, PURPOSE_CALLBACK])?;
        check_text("raised", &self.raised, false, 2000)?;
        check_word("satisfaction", &self.satisfaction, &SATISFACTIONS)?;
        if self.reply_by != 0 {
            check_instant("reply time", self.reply_by)?;
        }
        for id in &self.request_ids {
            check_id("request", id)?;
        }
        Ok(())
    }

    /// Newest first.
    fn order(a: &Self, b: &Self) -> std::cmp::Ordering {
        b.visited_at
            .cmp(&a.visited_at)
            .then_with(|| a.id.cmp(&b.id))
    }
}

pub fn visits(doc: &impl ReadRecords) -> Result<Vec<Visit>, SchemaError> {
    list(doc)
}

/// Records a visit, as one change.
pub fn put_visit(doc: &mut Automerge, visit: &Visit) -> Result<(), SchemaError> {
    put(doc, visit, visit.visited_at)
}

/// Distinct households visited in the site-local month holding `month`:
/// household visits only (callbacks excluded), each unit once however often
/// it was visited.
pub fn households_visited(visits: &[Visit], month: NaiveDate) -> usize {
    visits
        .iter()
        .filter(|visit| visit.purpose == PURPOSE_VISIT)
        .filter(|visit| {
            let day = local_date(visit.visited_at);
            (day.year(), day.month()) == (month.year(), month.month())
        })
        .map(|visit| visit.unit_id.as_str())
        .collect::<HashSet<_>>()
        .len()
}

/// The zone's units (not retired) with no household visit in `visits`
/// (the quarter's visit log).
pub fn not_visited<'a>(units: &'a [Unit], visits: &[Visit]) -> Vec<&'a Unit> {
    let visited: HashSet<&str> = visits
        .iter()
        .filter(|visit| visit.purpose == PURPOSE_VISIT)
        .map(|visit| visit.unit_id.as_str())
        .collect();
    units
        .iter()
        .filter(|unit| !unit.retired && !visited.contains(unit.id.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::resident::unit_id;
    use chrono::DateTime;

    fn at(text: &str) -> i64 {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .timestamp_millis()
    }

    fn visit(id: &str, room: &str, when: &str, purpose: &str) -> Visit {
        crate::fixtures::residents::visit(id, room, at(when), purpose)
    }

    #[test]
    fn the_months_count_skips_callbacks_repeats_and_other_months_in_shanghai_time() {
        let visits = [
            visit("v1", "501", "2026-11-02T10:00:00+08:00", PURPOSE_VISIT),
            visit("v2", "501", "2026-11-20T10:00:00+08:00", PURPOSE_VISIT),
            visit("v3", "502", "2026-11-21T10:00:00+08:00", PURPOSE_CALLBACK),
            // 00:30 on 1 December in Shanghai is still 30 November in UTC.
            visit("v4", "503", "2026-12-01T00:30:00+08:00", PURPOSE_VISIT),
            visit("v5", "504", "2026-11-30T23:30:00+08:00", PURPOSE_VISIT),
        ];
        let november = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        assert_eq!(
            households_visited(&visits, november),
            2,
            "501 once, 504; not 502 or 503"
        );
        let december = NaiveDate::from_ymd_opt(2026, 12, 15).unwrap();
        assert_eq!(households_visited(&visits, december), 1);
    }

    #[test]
    fn units_not_visited_this_quarter() {
        let unit = |room: &str, retired| Unit {
            id: unit_id("3栋", "2", room),
            building: "3栋".into(),
            entrance: "2".into(),
            room: room.into(),
            retired,
        };
        let units = [
            unit("501", false),
            unit("502", false),
            unit("503", true),
            unit("504", false),
        ];
        let visits = [
            visit("v1", "501", "2026-11-02T10:00:00+08:00", PURPOSE_VISIT),
            visit("v2", "502", "2026-11-21T10:00:00+08:00", PURPOSE_CALLBACK),
        ];
        let rooms: Vec<_> = not_visited(&units, &visits)
            .iter()
            .map(|u| u.room.as_str())
            .collect();
        assert_eq!(rooms, ["502", "504"]);
    }

    #[test]
    fn refuses_bad_visits() {
        let mut bad = visit("v1", "501", "2026-11-02T10:00:00+08:00", "party");
        assert!(bad.validate().is_err());
        bad.purpose = PURPOSE_VISIT.into();
        bad.validate().unwrap();
        bad.satisfaction = "ecstatic".into();
        assert!(bad.validate().is_err());
    }
}
