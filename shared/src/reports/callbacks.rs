//! The repair-callback summary (维修回访汇总), due the 2nd of the next month:
//! per zone, how many repairs were handled in the month, how many residents
//! were called back and what they said, and a list of the handled repairs
//! still waiting for their callback, so the owner of each can call.
//!
//! It reads each zone's request logs of the month and of the month before
//! (a repair received late in September and done in October is October's).
//! It does no I/O of its own and never shows a resident's name or phone: a
//! repair is shown by its unit, kind and the staff member who owns it.
//!
//! **How repairs are counted.**
//! - Everything is as of the cutoff ([`Scope::cutoff`]: the month's end, or
//!   now if earlier): events after it are left out and each request is
//!   folded without them, so only effective events count (an event
//!   superseded by the workflow's rule for concurrent edits never counts).
//! - A repair ([`RequestKind::is_repair`](crate::schema::request::RequestKind::is_repair)) is *handled in the month* when
//!   its first effective `done` is in the month, site-local — whatever month
//!   it was received in, and whether or not it was closed since. A repair
//!   done on 31 October and called back on 1 November is October's and stays
//!   in October's list of repairs not called back (the callback is after
//!   October's cutoff); November's summary does not count it (it was not
//!   done in November), while November's complaint report counts its
//!   callback among November's.
//! - *Called back*: it has an effective callback before the cutoff. Its
//!   satisfaction is that of its latest callback (a resident unsatisfied,
//!   then satisfied after the repair was redone, counts once, satisfied).
//! - A repair received two or more months before it was done is not read
//!   (only the month's and the previous month's logs are).
//! - The owner shown is the first receiver (首问责任制): the one who calls
//!   the resident back.

use super::requests::{
    called_back, done_at, in_month, latest_satisfaction, log_key, views_at, whole_days, word,
};
use super::{Cell, Documents, Month, Scope, Section, Table};
use crate::domain::local_date;
use crate::schema::request::Satisfaction;
use crate::schema::DocKey;
use crate::workflow::RequestView;

/// The request logs a month's repairs can be in: the month's and the previous one's.
fn months(month: Month) -> Vec<Month> {
    month.trailing(2)
}

/// The documents the report reads: per zone, the request logs of the month
/// and of the month before.
pub fn needs(scope: &Scope) -> Vec<DocKey> {
    scope
        .zones
        .iter()
        .flat_map(|zone| {
            months(scope.month)
                .into_iter()
                .map(|month| log_key(&scope.site, &zone.code, month))
        })
        .collect()
}

pub fn build(scope: &Scope, documents: &mut dyn Documents) -> Vec<Section> {
    let cutoff = scope.cutoff();
    let zones: Vec<(String, Vec<RequestView>)> = scope
        .zones
        .iter()
        .map(|zone| {
            let keys: Vec<DocKey> = months(scope.month)
                .into_iter()
                .map(|month| log_key(&scope.site, &zone.code, month))
                .collect();
            let handled = views_at(documents, &keys, cutoff)
                .into_iter()
                .filter(|view| {
                    view.request.kind().is_repair() && in_month(scope.month, done_at(view))
                })
                .collect();
            (zone.name.clone(), handled)
        })
        .collect();
    vec![by_zone(&zones), not_called_back(&zones, cutoff)]
}

/// The counts of one zone or of the whole site.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct Tally {
    handled: usize,
    called_back: usize,
    satisfied: usize,
    basically: usize,
    not_satisfied: usize,
}

impl Tally {
    fn of<'a>(handled: impl IntoIterator<Item = &'a RequestView>) -> Tally {
        let mut tally = Tally::default();
        for view in handled {
            tally.handled += 1;
            tally.called_back += usize::from(called_back(view));
            match latest_satisfaction(view) {
                Some(Satisfaction::Satisfied) => tally.satisfied += 1,
                Some(Satisfaction::Basically) => tally.basically += 1,
                Some(Satisfaction::NotSatisfied) => tally.not_satisfied += 1,
                None => {}
            }
        }
        tally
    }

    fn row(&self, name: Cell) -> Vec<Cell> {
        vec![
            name,
            Cell::count(self.handled),
            Cell::count(self.called_back),
            Cell::share(self.called_back, self.handled),
            Cell::count(self.satisfied),
            Cell::count(self.basically),
            Cell::count(self.not_satisfied),
        ]
    }
}

fn by_zone(zones: &[(String, Vec<RequestView>)]) -> Section {
    let mut table = Table::new(
        1,
        &[
            "col_zone",
            "col_handled",
            "col_called_back",
            "col_callback_rate",
            "satisfaction_satisfied",
            "satisfaction_basically",
            "satisfaction_not_satisfied",
        ],
    );
    for (name, handled) in zones {
        table.push(Tally::of(handled).row(Cell::text(name)));
    }
    if zones.len() > 1 {
        let all = Tally::of(zones.iter().flat_map(|(_, handled)| handled));
        table.push(all.row(Cell::label("whole_site")));
    }
    Section {
        id: "by_zone".into(),
        title: "section_callbacks_by_zone".into(),
        table,
        chart: None,
    }
}

/// Each handled repair not called back at the cutoff, longest waiting first.
fn not_called_back(zones: &[(String, Vec<RequestView>)], cutoff: i64) -> Section {
    let mut waiting: Vec<(&str, &RequestView, i64)> = zones
        .iter()
        .flat_map(|(name, handled)| handled.iter().map(move |view| (name.as_str(), view)))
        .filter(|(_, view)| !called_back(view))
        .filter_map(|(name, view)| done_at(view).map(|done| (name, view, done)))
        .collect();
    waiting.sort_by(|(_, a, a_done), (_, b, b_done)| {
        (a_done, &a.request.id).cmp(&(b_done, &b.request.id))
    });
    let mut table = Table::new(
        2,
        &[
            "col_zone",
            "col_unit",
            "col_kind",
            "col_owner",
            "col_done_date",
            "col_days_waiting",
        ],
    );
    for (zone, view, done) in waiting {
        let request = &view.request;
        table.push(vec![
            Cell::text(zone),
            Cell::text(&request.unit_label),
            word("kind", request.kind().as_str()),
            Cell::text(&request.received_by_name),
            Cell::Date(local_date(done).format("%Y-%m-%d").to_string()),
            Cell::count(whole_days(done, cutoff)),
        ]);
    }
    Section {
        id: "not_called_back".into(),
        title: "section_not_called_back".into(),
        table,
        chart: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reports::requests::testing::{at, scope, Site};
    use crate::reports::Cell::*;
    use crate::schema::request::{Action, Request, RequestKind};

    fn text(text: &str) -> Cell {
        Cell::text(text)
    }

    /// Repairs around October 2026 in zones A and B:
    /// - rep1 (A): received at 23:50 on 30 September, done on 1 October at
    ///   noon, never called back.
    /// - rep2 (A): done on 5 October; the resident was not satisfied.
    /// - rep3 (A, owned by 吴婷): done at 23:00 on 31 October, called back
    ///   on 1 November.
    /// - rep4 (B): done, called back (satisfied) and closed in October.
    /// - rep5 (B): received in October, done in November.
    /// - c1 (B): a complaint done and called back: not a repair.
    fn site() -> Site {
        let mut site = Site::default();
        let rep1 = site.request("rep1", "A", RequestKind::RepairCommon, "2026-09-30T23:50");
        site.event(&rep1, Action::Done, "2026-10-01T12:00", |_| {});

        let rep2 = site.request("rep2", "A", RequestKind::RepairHome, "2026-10-05T09:00");
        site.event(&rep2, Action::Done, "2026-10-05T15:00", |_| {});
        site.event(&rep2, Action::Callback, "2026-10-06T10:00", |e| {
            e.satisfaction = Satisfaction::NotSatisfied.as_str().into()
        });

        let rep3 = Request {
            received_by: "service-a2".into(),
            received_by_name: "吴婷".into(),
            ..site.request_draft("rep3", "A", RequestKind::RepairHome, "2026-10-20T09:00")
        };
        site.put(&rep3);
        site.event(&rep3, Action::Done, "2026-10-31T23:00", |_| {});
        site.event(&rep3, Action::Callback, "2026-11-01T09:00", |_| {});

        let rep4 = site.request("rep4", "B", RequestKind::RepairHome, "2026-10-10T08:00");
        site.event(&rep4, Action::Done, "2026-10-10T11:00", |_| {});
        site.event(&rep4, Action::Callback, "2026-10-10T15:00", |_| {});
        site.event(&rep4, Action::Close, "2026-10-10T15:10", |_| {});

        let rep5 = site.request("rep5", "B", RequestKind::RepairCommon, "2026-10-25T08:00");
        site.event(&rep5, Action::Done, "2026-11-02T10:00", |_| {});

        let c1 = site.request("c1", "B", RequestKind::Complaint, "2026-10-12T08:00");
        site.event(&c1, Action::Done, "2026-10-12T09:00", |_| {});
        site.event(&c1, Action::Callback, "2026-10-12T10:00", |_| {});
        site
    }

    #[test]
    fn reads_the_months_and_the_previous_months_logs() {
        let keys = needs(&scope("2026-10", 2, at("2026-12-01T09:00")));
        let periods: Vec<(String, Option<String>)> = keys
            .iter()
            .map(|key| (key.zone.clone(), key.period()))
            .collect();
        assert_eq!(
            periods,
            [
                ("A".to_string(), Some("2026-09-01".to_string())),
                ("A".to_string(), Some("2026-10-01".to_string())),
                ("B".to_string(), Some("2026-09-01".to_string())),
                ("B".to_string(), Some("2026-10-01".to_string())),
            ]
        );
    }

    #[test]
    fn counts_repairs_done_in_the_month_per_zone_and_for_the_whole_site() {
        let scope = scope("2026-10", 2, at("2026-12-01T09:00"));
        let sections = build(&scope, &mut site().docs);
        let by_zone = &sections[0];
        assert_eq!(by_zone.id, "by_zone");
        assert_eq!(
            by_zone.table.rows,
            [
                // rep1, rep2, rep3 done in October; only rep2 called back by
                // the month's end, and that resident was not satisfied.
                vec![
                    text("一区"),
                    Count(3),
                    Count(1),
                    Percent(Some(100.0 / 3.0)),
                    Count(0),
                    Count(0),
                    Count(1),
                ],
                // rep4; rep5 was done in November, c1 is a complaint.
                vec![
                    text("二区"),
                    Count(1),
                    Count(1),
                    Percent(Some(100.0)),
                    Count(1),
                    Count(0),
                    Count(0),
                ],
                vec![
                    Cell::label("whole_site"),
                    Count(4),
                    Count(2),
                    Percent(Some(50.0)),
                    Count(1),
                    Count(0),
                    Count(1),
                ],
            ]
        );
    }

    #[test]
    fn lists_repairs_waiting_for_their_callback_with_the_owner_who_must_call() {
        let scope = scope("2026-10", 2, at("2026-12-01T09:00"));
        let sections = build(&scope, &mut site().docs);
        let waiting = &sections[1];
        assert_eq!(waiting.id, "not_called_back");
        assert_eq!(
            waiting.table.rows,
            [
                // Received in September, done at noon on 1 October: 30 whole
                // days to the month's end.
                vec![
                    text("一区"),
                    text("3栋2单元501"),
                    Cell::label("kind_repair_common"),
                    text("陈静"),
                    Date("2026-10-01".into()),
                    Count(30),
                ],
                // Done at 23:00 on 31 October (15:00 UTC): October's. Its
                // callback on 1 November is after the cutoff.
                vec![
                    text("一区"),
                    text("3栋2单元501"),
                    Cell::label("kind_repair_home"),
                    text("吴婷"),
                    Date("2026-10-31".into()),
                    Count(0),
                ],
            ]
        );
    }

    #[test]
    fn a_month_in_progress_counts_to_now_for_one_zone() {
        // November for zone B alone, made on the 2nd at 09:00: rep5 is done
        // at 10:00, after the cutoff; a day later it is handled and waiting.
        let mut zone_b = scope("2026-11", 2, at("2026-11-02T09:00"));
        zone_b.zones.remove(0);
        let early = build(&zone_b, &mut site().docs);
        assert_eq!(
            early[0].table.rows.len(),
            1,
            "no whole-site row for one zone"
        );
        assert_eq!(early[0].table.rows[0][..2], [text("二区"), Count(0)]);
        zone_b.now = at("2026-11-03T09:00");
        let later = build(&zone_b, &mut site().docs);
        assert_eq!(later[0].table.rows[0][1..3], [Count(1), Count(0)]);
        assert_eq!(
            later[1].table.rows[0][4..],
            [Date("2026-11-02".into()), Count(0)]
        );
        // Zone A: rep3, called back in November, is not November's repair.
        let zone_a = build(
            &scope("2026-11", 1, at("2026-11-03T09:00")),
            &mut site().docs,
        );
        assert_eq!(zone_a[0].table.rows[0][..2], [text("一区"), Count(0)]);
        assert!(zone_a[1].table.rows.is_empty());
    }

    /// Two tablets mark one repair done; the later done is superseded (the
    /// workflow's rule) and does not move the repair into November, nor does
    /// its redoing after an unhappy callback.
    #[test]
    fn superseded_events_do_not_count() {
        let mut site = Site::default();
        let rep = site.request("rep9", "A", RequestKind::RepairHome, "2026-10-30T09:00");
        site.event(&rep, Action::Done, "2026-10-31T22:00", |_| {});
        site.event(&rep, Action::Done, "2026-11-01T08:00", |e| {
            e.by = "service-a2".into()
        });
        site.event(&rep, Action::Close, "2026-11-01T08:30", |_| {});
        site.event(&rep, Action::Callback, "2026-11-02T09:00", |e| {
            e.satisfaction = Satisfaction::NotSatisfied.as_str().into()
        });
        site.event(&rep, Action::Done, "2026-11-03T09:00", |_| {});
        let october = build(&scope("2026-10", 1, at("2026-12-01T09:00")), &mut site.docs);
        assert_eq!(october[0].table.rows[0][1..3], [Count(1), Count(0)]);
        assert_eq!(october[1].table.rows[0][4], Date("2026-10-31".into()));
        let november = build(&scope("2026-11", 1, at("2026-12-01T09:00")), &mut site.docs);
        assert_eq!(november[0].table.rows[0][1], Count(0));
    }
}
