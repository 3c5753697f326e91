//! The visit summary (走访汇总, due the 5th of the next month): how many of
//! each zone's households its staff visited in the month and so far in the
//! quarter (every household once a quarter), who visited how many, which
//! households are still to be visited, and the office head's own visits of
//! the year (one or two a year).
//!
//! Counts are of distinct households on household visits: callbacks
//! (`purpose = callback`) and repeat visits to the same unit count once or
//! not at all (the rules of [`crate::schema::visit`]). Months and quarters
//! are site-local (Shanghai).
//!
//! What it must not do: read anything but the documents [`needs`] lists (no
//! I/O, no clock: `scope.now` is the time), or show a resident's name or
//! phone: households are shown by their unit label only.
//!
//! Head visits: a visit records its author (`by`, `by_name`) but not the
//! author's roles, and no document in scope says who heads the office. So
//! the caller, who knows the accounts, names the heads in
//! [`Scope::heads`](super::Scope::heads) (the server from its accounts, the
//! tablet from its copy of the staff directory).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use super::table::{Cell, Section, Table};
use super::{Documents, Month, Scope};
use crate::domain::local_date;
use crate::schema::resident::{self, Unit};
use crate::schema::visit::{self, households_visited, not_visited, Visit, PURPOSE_VISIT};
use crate::schema::DocKey;

/// Each zone's resident directory, the visit log of the month's quarter, and
/// the visit logs of the year's earlier quarters (for the head's visits).
pub fn needs(scope: &Scope) -> Vec<DocKey> {
    let mut keys = Vec::new();
    for zone in &scope.zones {
        keys.push(DocKey::resident_directory(&scope.site, &zone.code));
        for quarter in quarters_of_year_so_far(scope.month) {
            keys.push(DocKey::visit_log(&scope.site, &zone.code, quarter));
        }
    }
    keys
}

/// The first day of each quarter of the month's year, up to the month's.
fn quarters_of_year_so_far(month: Month) -> Vec<NaiveDate> {
    let this = month.quarter_start();
    (1..=this.month())
        .step_by(3)
        .filter_map(|first| NaiveDate::from_ymd_opt(month.year(), first, 1))
        .collect()
}

/// The report; `scope.heads` are the office head and deputies, whose
/// visits of the year `head_visits` counts.
pub fn build(scope: &Scope, documents: &mut dyn Documents) -> Vec<Section> {
    let heads = &scope.heads;
    let month = scope.month;
    let cutoff = scope.cutoff();
    let quarter_start = month.quarter_start();
    let year_start = NaiveDate::from_ymd_opt(month.year(), 1, 1).expect("a year starts");

    let mut by_zone = Table::new(
        1,
        &[
            "col_zone",
            "col_households",
            "col_visited_month",
            "col_visited_quarter",
            "col_coverage_quarter",
            "col_not_visited_quarter",
        ],
    );
    let mut by_staff = Table::new(2, &["col_zone", "col_staff", "col_visited_month"]);
    let mut not_visited_table = Table::new(1, &["col_zone", "col_unit"]);
    let mut head_table = Table::new(2, &["col_zone", "col_staff", "col_head_visits_year"]);
    let mut totals = [0usize; 4];

    for zone in &scope.zones {
        let mut units: Vec<Unit> = Vec::new();
        documents.with(
            &DocKey::resident_directory(&scope.site, &zone.code),
            &mut |doc| units = resident::units(doc).unwrap_or_default(),
        );
        let units: Vec<Unit> = units.into_iter().filter(|unit| !unit.retired).collect();
        // Every visit of the year up to the cutoff, household visits only.
        let mut year: Vec<Visit> = Vec::new();
        for quarter in quarters_of_year_so_far(month) {
            documents.with(
                &DocKey::visit_log(&scope.site, &zone.code, quarter),
                &mut |doc| year.extend(visit::visits(doc).unwrap_or_default()),
            );
        }
        year.retain(|visit| {
            visit.visited_at < cutoff && local_date(visit.visited_at) >= year_start
        });
        let quarter: Vec<Visit> = year
            .iter()
            .filter(|visit| local_date(visit.visited_at) >= quarter_start)
            .cloned()
            .collect();
        let in_month = households_visited(&quarter, month.first_day());
        let left = not_visited(&units, &quarter);
        let visited_quarter = units.len() - left.len();
        by_zone.push(vec![
            Cell::text(&zone.name),
            Cell::count(units.len()),
            Cell::count(in_month),
            Cell::count(visited_quarter),
            Cell::share(visited_quarter, units.len()),
            Cell::count(left.len()),
        ]);
        for (total, value) in
            totals
                .iter_mut()
                .zip([units.len(), in_month, visited_quarter, left.len()])
        {
            *total += value;
        }

        // Per staff member: distinct households visited in the month.
        let mut staff: BTreeMap<&str, (String, Vec<Visit>)> = BTreeMap::new();
        for visit in &quarter {
            staff
                .entry(visit.by.as_str())
                .or_insert_with(|| (visit.by_name.clone(), Vec::new()))
                .1
                .push(visit.clone());
        }
        let mut rows: Vec<(String, usize)> = staff
            .values()
            .map(|(name, visits)| (name.clone(), households_visited(visits, month.first_day())))
            .filter(|(_, count)| *count > 0)
            .collect();
        rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        for (name, count) in rows {
            by_staff.push(vec![
                Cell::text(&zone.name),
                Cell::text(name),
                Cell::count(count),
            ]);
        }

        for unit in left {
            not_visited_table.push(vec![Cell::text(&zone.name), Cell::text(unit.label())]);
        }

        // The heads' household visits of the year, each visit counted.
        let mut head_counts: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        for visit in year
            .iter()
            .filter(|visit| visit.purpose == PURPOSE_VISIT && heads.contains(&visit.by))
        {
            *head_counts
                .entry((visit.by.as_str(), visit.by_name.as_str()))
                .or_default() += 1;
        }
        for ((_, name), count) in head_counts {
            head_table.push(vec![
                Cell::text(&zone.name),
                Cell::text(name),
                Cell::count(count),
            ]);
        }
    }
    if scope.zones.len() > 1 {
        by_zone.push(vec![
            Cell::label("whole_site"),
            Cell::count(totals[0]),
            Cell::count(totals[1]),
            Cell::count(totals[2]),
            Cell::share(totals[2], totals[0]),
            Cell::count(totals[3]),
        ]);
    }
    vec![
        section("by_zone", by_zone),
        section("by_staff", by_staff),
        section("not_visited", not_visited_table),
        section("head_visits", head_table),
    ]
}

fn section(id: &str, table: Table) -> Section {
    Section {
        id: id.into(),
        title: format!("section_visits_{id}"),
        table,
        chart: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ZoneRef;
    use crate::schema::resident::{put_directory, unit_id};
    use crate::schema::visit::{put_visit, PURPOSE_CALLBACK};
    use automerge::Automerge;
    use chrono::DateTime;

    const SITE: &str = "demo";

    fn at(text: &str) -> i64 {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .timestamp_millis()
    }

    fn unit(room: &str) -> Unit {
        Unit {
            id: unit_id("3栋", "2", room),
            building: "3栋".into(),
            entrance: "2".into(),
            room: room.into(),
            retired: false,
        }
    }

    fn visit(id: &str, zone: &str, room: &str, when: &str, by: &str, purpose: &str) -> Visit {
        Visit {
            zone: zone.into(),
            by: by.into(),
            by_name: format!("name-{by}"),
            ..crate::fixtures::residents::visit(id, room, at(when), purpose)
        }
    }

    fn scope(month: &str, zones: &[&str]) -> Scope {
        let month: Month = month.parse().unwrap();
        Scope {
            site: SITE.into(),
            month,
            zones: zones
                .iter()
                .map(|code| ZoneRef {
                    code: (*code).into(),
                    name: format!("{code}区"),
                })
                .collect(),
            now: month.end() + 86_400_000,
            heads: Vec::new(),
        }
    }

    fn documents(
        zone: &str,
        rooms: &[&str],
        visits: &[Visit],
        docs: &mut BTreeMap<DocKey, Automerge>,
    ) {
        let key = DocKey::resident_directory(SITE, zone);
        let mut doc = key.genesis();
        let units: Vec<Unit> = rooms.iter().map(|room| unit(room)).collect();
        put_directory(&mut doc, &units, &[], at("2026-01-01T00:00:00+08:00")).unwrap();
        docs.insert(key, doc);
        for visit in visits {
            let key = DocKey::visit_log(SITE, zone, local_date(visit.visited_at));
            let doc = docs.entry(key.clone()).or_insert_with(|| key.genesis());
            put_visit(doc, visit).unwrap();
        }
    }

    fn table<'a>(sections: &'a [Section], id: &str) -> &'a Table {
        &sections
            .iter()
            .find(|section| section.id == id)
            .unwrap()
            .table
    }

    #[test]
    fn month_and_quarter_counts_skip_repeats_callbacks_and_other_quarters() {
        let mut docs = BTreeMap::new();
        documents(
            "A",
            &["501", "502", "503", "504"],
            &[
                // The quarter before (Q3): not in this quarter.
                visit(
                    "v0",
                    "A",
                    "504",
                    "2026-09-30T23:30:00+08:00",
                    "s1",
                    PURPOSE_VISIT,
                ),
                // 00:30 on 1 October in Shanghai is still 30 September in UTC: October.
                visit(
                    "v1",
                    "A",
                    "501",
                    "2026-10-01T00:30:00+08:00",
                    "s1",
                    PURPOSE_VISIT,
                ),
                visit(
                    "v2",
                    "A",
                    "502",
                    "2026-11-02T10:00:00+08:00",
                    "s1",
                    PURPOSE_VISIT,
                ),
                visit(
                    "v3",
                    "A",
                    "502",
                    "2026-11-20T10:00:00+08:00",
                    "s2",
                    PURPOSE_VISIT,
                ),
                visit(
                    "v4",
                    "A",
                    "503",
                    "2026-11-21T10:00:00+08:00",
                    "s1",
                    PURPOSE_CALLBACK,
                ),
                // After the month: December.
                visit(
                    "v5",
                    "A",
                    "504",
                    "2026-12-01T00:10:00+08:00",
                    "s1",
                    PURPOSE_VISIT,
                ),
            ],
            &mut docs,
        );
        documents(
            "B",
            &["501", "502"],
            &[visit(
                "w1",
                "B",
                "501",
                "2026-11-30T23:50:00+08:00",
                "s3",
                PURPOSE_VISIT,
            )],
            &mut docs,
        );
        let scope = scope("2026-11", &["A", "B"]);
        let sections = build(&scope, &mut docs);
        let by_zone = table(&sections, "by_zone");
        assert_eq!(
            by_zone.rows[0],
            vec![
                Cell::text("A区"),
                Cell::Count(4),
                Cell::Count(1),
                Cell::Count(2),
                Cell::Percent(Some(50.0)),
                Cell::Count(2),
            ]
        );
        assert_eq!(
            by_zone.rows[2],
            vec![
                Cell::label("whole_site"),
                Cell::Count(6),
                Cell::Count(2),
                Cell::Count(3),
                Cell::Percent(Some(50.0)),
                Cell::Count(3),
            ]
        );
        let by_staff = table(&sections, "by_staff");
        assert_eq!(
            by_staff.rows,
            vec![
                vec![Cell::text("A区"), Cell::text("name-s1"), Cell::Count(1)],
                vec![Cell::text("A区"), Cell::text("name-s2"), Cell::Count(1)],
                vec![Cell::text("B区"), Cell::text("name-s3"), Cell::Count(1)],
            ]
        );
        let left = table(&sections, "not_visited");
        assert_eq!(
            left.rows,
            vec![
                vec![Cell::text("A区"), Cell::text("3栋2单元503")],
                vec![Cell::text("A区"), Cell::text("3栋2单元504")],
                vec![Cell::text("B区"), Cell::text("3栋2单元502")],
            ]
        );
        let text = serde_json::to_string(&sections).unwrap();
        assert!(!text.contains("张伟"), "no resident names");
    }

    #[test]
    fn one_zone_has_no_whole_site_row_and_heads_count_the_year() {
        let mut docs = BTreeMap::new();
        documents(
            "A",
            &["501", "502"],
            &[
                visit(
                    "h0",
                    "A",
                    "501",
                    "2025-12-31T10:00:00+08:00",
                    "head",
                    PURPOSE_VISIT,
                ),
                visit(
                    "h1",
                    "A",
                    "501",
                    "2026-03-02T10:00:00+08:00",
                    "head",
                    PURPOSE_VISIT,
                ),
                visit(
                    "h2",
                    "A",
                    "502",
                    "2026-11-02T10:00:00+08:00",
                    "head",
                    PURPOSE_VISIT,
                ),
                visit(
                    "h3",
                    "A",
                    "502",
                    "2026-11-03T10:00:00+08:00",
                    "head",
                    PURPOSE_CALLBACK,
                ),
                visit(
                    "s1",
                    "A",
                    "502",
                    "2026-11-03T10:00:00+08:00",
                    "s1",
                    PURPOSE_VISIT,
                ),
            ],
            &mut docs,
        );
        let scope = scope("2026-11", &["A"]);
        let needed = needs(&scope);
        assert_eq!(needed.len(), 1 + 4, "directory and four quarters");
        let scope = Scope {
            heads: vec!["head".into()],
            ..scope
        };
        let sections = build(&scope, &mut docs);
        assert_eq!(table(&sections, "by_zone").rows.len(), 1);
        assert_eq!(
            table(&sections, "head_visits").rows,
            vec![vec![
                Cell::text("A区"),
                Cell::text("name-head"),
                Cell::Count(2)
            ]]
        );
        let nobody_heads = Scope {
            heads: Vec::new(),
            ..scope
        };
        assert!(table(&build(&nobody_heads, &mut docs), "head_visits")
            .rows
            .is_empty());
    }
}
