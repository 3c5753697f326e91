//! The gate book's month, as a section of the patrol report (read by the
//! heads, the security supervisor and the squad leader, who all hold the
//! gate book): per zone, visitor entries, the people they brought and the
//! vehicles let in.
//!
//! Counts only, never a name or a plate. A gate log is deleted 90 days
//! after its day (`crate::retention`), so a month read later than that
//! counts only the days still kept; the report says which it could not read
//! (`Report::missing`) where the tablet lacks a day.

use std::collections::BTreeMap;

use super::table::{Cell, Section, Table};
use super::{Documents, Scope};
use crate::domain::instant_at;
use crate::schema::gate::{VehicleEntry, VisitorEntry};
use crate::schema::{list, DocKey};

/// The gate logs of the month's days up to the cutoff.
pub fn needs(scope: &Scope) -> Vec<DocKey> {
    let cutoff = scope.cutoff();
    scope
        .month
        .days()
        .filter(|day| instant_at(*day, 0) < cutoff)
        .map(|day| DocKey::gate_log(&scope.site, day))
        .collect()
}

/// Per zone in scope (then entries whose zone is not known): visitor
/// entries, people and vehicles let in during the month.
pub fn section(scope: &Scope, documents: &mut dyn Documents) -> Section {
    let (start, cutoff) = (scope.month.start(), scope.cutoff());
    let in_month = |at: i64| (start..cutoff).contains(&at);
    // By zone code: visitor entries, people, vehicles.
    let mut counts: BTreeMap<String, [usize; 3]> = BTreeMap::new();
    for key in needs(scope) {
        documents.with(&key, &mut |doc| {
            for visitor in list::<VisitorEntry>(doc).unwrap_or_default() {
                if in_month(visitor.in_at) {
                    let row = counts.entry(visitor.zone).or_default();
                    row[0] += 1;
                    row[1] += visitor.people as usize;
                }
            }
            for vehicle in list::<VehicleEntry>(doc).unwrap_or_default() {
                if in_month(vehicle.in_at) {
                    counts.entry(vehicle.zone).or_default()[2] += 1;
                }
            }
        });
    }
    let mut table = Table::new(
        1,
        &[
            "col_zone",
            "col_gate_visitors",
            "col_gate_people",
            "col_gate_vehicles",
        ],
    );
    let row = |label: Cell, [visitors, people, vehicles]: [usize; 3]| {
        vec![
            label,
            Cell::count(visitors),
            Cell::count(people),
            Cell::count(vehicles),
        ]
    };
    for zone in &scope.zones {
        let found = counts.remove(&zone.code).unwrap_or_default();
        table.push(row(Cell::text(&zone.name), found));
    }
    // Entries of no zone, or of a zone outside the scope of a whole-site report.
    let unknown = counts.remove("").unwrap_or_default();
    table.push(row(Cell::label("gate_zone_unknown"), unknown));
    Section {
        id: "gate".into(),
        title: "section_patrol_gate".into(),
        table,
        chart: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{local_date, ZoneRef};
    use crate::reports::Month;
    use crate::schema::copy::RecordSource;
    use crate::schema::gate::tests::{vehicle, visitor, AT};
    use crate::schema::put;

    struct Held(Vec<(DocKey, automerge::Automerge)>);

    impl Documents for Held {
        fn with(&mut self, key: &DocKey, read: &mut dyn FnMut(&RecordSource)) -> bool {
            if let Some((_, doc)) = self.0.iter().find(|(held, _)| held == key) {
                read(&RecordSource::Document(doc));
            }
            true
        }
    }

    #[test]
    fn the_month_counts_visitors_people_and_vehicles_per_zone() {
        let scope = Scope {
            site: "demo".into(),
            month: Month::new(2026, 11).unwrap(),
            zones: vec![ZoneRef {
                code: "A".into(),
                name: "A区".into(),
            }],
            now: AT + 3_600_000,
            heads: Vec::new(),
        };
        let key = DocKey::gate_log("demo", local_date(AT));
        let mut doc = key.genesis();
        let unknown = VisitorEntry {
            id: "gv-2".into(),
            zone: String::new(),
            people: 1,
            ..visitor()
        };
        let later = VehicleEntry {
            id: "gc-2".into(),
            in_at: AT + 2 * 3_600_000,
            ..vehicle()
        };
        put(&mut doc, &visitor(), AT).unwrap();
        put(&mut doc, &unknown, AT).unwrap();
        put(&mut doc, &vehicle(), AT).unwrap();
        put(&mut doc, &later, AT).unwrap();
        assert!(needs(&scope).contains(&key));
        let section = section(&scope, &mut Held(vec![(key, doc)]));
        assert_eq!(
            section.table.rows,
            [
                vec![
                    Cell::text("A区"),
                    Cell::count(1),
                    Cell::count(2),
                    Cell::count(1)
                ],
                vec![
                    Cell::label("gate_zone_unknown"),
                    Cell::count(1),
                    Cell::count(1),
                    Cell::count(0)
                ],
            ],
            "the vehicle after the cutoff is not counted"
        );
    }
}
