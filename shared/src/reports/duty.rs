//! The duty log's month, as sections of the complaint monthly report (the
//! service centre's report, read by the heads, the service supervisor and
//! zone service staff, who all hold the duty log): lines written per zone,
//! how many days the supervisor signed, and how much the head spot-checked
//! against the 20% owed (`crate::duty_log`).
//!
//! Lines are the zones' duty-log entries and requests in scope; entries for
//! the whole site count in every report. What it must not do: show a
//! caller's name or phone (counts only), or read anything but the month's
//! duty log and the requests the caller passes.

use std::collections::BTreeMap;

use super::table::{Cell, Section, Table};
use super::{Documents, Scope};
use crate::domain::local_date;
use crate::duty_log::{self, day_state, DayState};
use crate::schema::duty::{DaySignoff, DutyEntry, SpotCheck};
use crate::schema::request::Request;
use crate::schema::{list, DocKey};

/// The month's duty log.
pub fn needs(scope: &Scope) -> DocKey {
    DocKey::duty_log(&scope.site, scope.month.first_day())
}

/// The sections: lines per zone, then the month's sign-offs and checks.
/// `requests` are the month's requests of the zones in scope.
pub fn sections(
    scope: &Scope,
    documents: &mut dyn Documents,
    requests: &[&Request],
) -> [Section; 2] {
    let (mut entries, mut signoffs, mut checks) = (Vec::new(), Vec::new(), Vec::new());
    documents.with(&needs(scope), &mut |doc| {
        entries = list::<DutyEntry>(doc).unwrap_or_default();
        signoffs = list::<DaySignoff>(doc).unwrap_or_default();
        checks = list::<SpotCheck>(doc).unwrap_or_default();
    });
    let cutoff = scope.cutoff();
    let in_scope = |entry: &DutyEntry| {
        entry.zone.is_empty() || scope.zones.iter().any(|zone| zone.code == entry.zone)
    };
    entries.retain(|entry| scope.month.holds(entry.at) && entry.at < cutoff && in_scope(entry));
    checks.retain(|check| check.checked_at < cutoff);
    signoffs.retain(|signoff| signoff.signed_at < cutoff);
    let requests: Vec<Request> = requests
        .iter()
        .filter(|request| request.received_at < cutoff)
        .map(|request| (*request).clone())
        .collect();
    let lines = duty_log::lines(&entries, &requests, &checks);
    [
        per_zone(scope, &entries, &requests),
        month(scope, &lines, &signoffs),
    ]
}

/// Per zone: entries written and requests taken (whole-site entries last).
fn per_zone(scope: &Scope, entries: &[DutyEntry], requests: &[Request]) -> Section {
    let mut table = Table::new(1, &["col_zone", "col_duty_entries", "col_requests"]);
    let mut by_zone: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for entry in entries {
        by_zone.entry(entry.zone.as_str()).or_default().0 += 1;
    }
    for request in requests {
        by_zone.entry(request.zone.as_str()).or_default().1 += 1;
    }
    for zone in &scope.zones {
        let (written, taken) = by_zone.get(zone.code.as_str()).copied().unwrap_or_default();
        table.push(vec![
            Cell::text(&zone.name),
            Cell::count(written),
            Cell::count(taken),
        ]);
    }
    let site_wide = by_zone.get("").map_or(0, |counts| counts.0);
    table.push(vec![
        Cell::label("duty_whole_site"),
        Cell::count(site_wide),
        Cell::count(0),
    ]);
    Section {
        id: "duty_lines".into(),
        title: "section_duty_lines".into(),
        table,
        chart: None,
    }
}

/// The month: days signed of the days passed, lines, lines checked and
/// their share against the 20% owed.
fn month(scope: &Scope, lines: &[duty_log::Line], signoffs: &[DaySignoff]) -> Section {
    let last = local_date(scope.cutoff() - 1);
    let days: Vec<_> = scope.month.days().filter(|day| *day <= last).collect();
    let signed = days
        .iter()
        .filter(|day| {
            let held = duty_log::of_day(lines, **day).len();
            matches!(day_state(**day, held, signoffs), DayState::Signed { .. })
        })
        .count();
    let (first, next) = (scope.month.first_day(), scope.month.last_day().succ_opt());
    let rate = duty_log::rate(lines, first, next.unwrap_or(first));
    let mut table = Table::new(
        1,
        &[
            "col_month",
            "col_days_signed",
            "col_days",
            "col_duty_lines",
            "col_spot_checked",
            "col_spot_share",
        ],
    );
    table.push(vec![
        Cell::text(scope.month.to_string()),
        Cell::count(signed),
        Cell::count(days.len()),
        Cell::count(rate.lines),
        Cell::count(rate.checked),
        Cell::share(rate.checked, rate.lines),
    ]);
    Section {
        id: "duty_checks".into(),
        title: "section_duty_checks".into(),
        table,
        chart: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ZoneRef;
    use crate::reports::Month;
    use crate::schema::copy::RecordSource;
    use crate::schema::duty::tests::entry;
    use crate::schema::put;

    struct One(DocKey, automerge::Automerge);

    impl Documents for One {
        fn with(&mut self, key: &DocKey, read: &mut dyn FnMut(&RecordSource)) -> bool {
            if *key == self.0 {
                read(&RecordSource::Document(&self.1));
            }
            true
        }
    }

    #[test]
    fn the_month_counts_lines_per_zone_signed_days_and_checks() {
        // AT is 2026-11-30 08:53 site time: the report of November, made on the 30th at noon.
        let month = Month::new(2026, 11).unwrap();
        let scope = Scope {
            site: "demo".into(),
            month,
            zones: vec![ZoneRef {
                code: "A".into(),
                name: "A区".into(),
            }],
            now: entry().at + 3 * 3_600_000,
            heads: Vec::new(),
        };
        let key = needs(&scope);
        let mut doc = key.genesis();
        let site_wide = DutyEntry {
            id: "de-2".into(),
            zone: String::new(),
            ..entry()
        };
        let other_zone = DutyEntry {
            id: "de-3".into(),
            zone: "B".into(),
            ..entry()
        };
        for record in [entry(), site_wide, other_zone] {
            put(&mut doc, &record, record.at).unwrap();
        }
        let signoff = DaySignoff {
            id: "ds-1".into(),
            day: "2026-11-30".into(),
            lines_seen: 3,
            note: String::new(),
            signed_at: entry().at + 60_000,
            by: "svc-lead".into(),
            by_name: "周主管".into(),
            device: "tab".into(),
        };
        put(&mut doc, &signoff, signoff.signed_at).unwrap();
        let check = SpotCheck {
            id: "sc-1".into(),
            line_id: "rq-1".into(),
            in_order: true,
            note: String::new(),
            checked_at: entry().at + 60_000,
            by: "head".into(),
            by_name: "陈主任".into(),
            device: "tab".into(),
        };
        put(&mut doc, &check, check.checked_at).unwrap();
        let request = Request {
            id: "rq-1".into(),
            zone: "A".into(),
            received_at: entry().at,
            ..Request::default()
        };
        let [lines, checks] = sections(&scope, &mut One(key, doc), &[&request]);
        assert_eq!(
            lines.table.rows,
            [
                vec![Cell::text("A区"), Cell::count(1), Cell::count(1)],
                vec![
                    Cell::label("duty_whole_site"),
                    Cell::count(1),
                    Cell::count(0)
                ],
            ],
            "zone B's entry is not in zone A's report"
        );
        assert_eq!(
            checks.table.rows[0][1..],
            [
                Cell::count(1),
                Cell::count(30),
                Cell::count(3),
                Cell::count(1),
                Cell::share(1, 3),
            ]
        );
    }
}
