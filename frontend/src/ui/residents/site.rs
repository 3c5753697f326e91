//! The whole site's household visits at a glance, for those who see every
//! zone (the office head, the customer-service supervisor): per zone, the
//! households visited this month and how much of the zone this quarter's
//! visits covered. It reads; recording stays on the zone's own screen.
//!
//! Test ids: `site-visits`, `site-visits-row` (with `data-zone`,
//! `data-month`, `data-visited`, `data-units`).

use chrono::Datelike;
use leptos::prelude::*;
use roundbook_shared::domain::local_date;
use roundbook_shared::schema::visit::{households_visited, not_visited};

use crate::browser;
use crate::i18n::{I18n, Key};
use crate::residents;
use crate::ui::{every_zone, WorkspaceRef};

/// One zone's line of the summary.
#[derive(Debug, Clone, PartialEq)]
struct ZoneVisits {
    code: String,
    name: String,
    /// Distinct households visited this month.
    month: usize,
    /// Units with a visit this quarter.
    visited: usize,
    /// Units in the zone's directory (not retired).
    units: usize,
}

impl ZoneVisits {
    /// The quarter's coverage in whole percent (0 for a zone without units).
    fn percent(&self) -> usize {
        (self.visited * 100).checked_div(self.units).unwrap_or(0)
    }
}

#[component]
pub(super) fn SiteVisits(workspace: WorkspaceRef) -> impl IntoView {
    let i18n = I18n::get();
    let lines = every_zone(workspace, |library, site, zone| {
        let now = browser::now_ms();
        let month = local_date(now).with_day(1).expect("day 1 exists");
        let (units, _) = residents::directory(library, site, &zone.code);
        let visits = residents::quarter_visits(library, site, &zone.code, now);
        let units_now = units.iter().filter(|unit| !unit.retired).count();
        ZoneVisits {
            code: zone.code.clone(),
            name: zone.name.clone(),
            month: households_visited(&visits, month),
            visited: units_now - not_visited(&units, &visits).len(),
            units: units_now,
        }
    });
    view! {
        <section class="card" data-testid="site-visits">
            <h2>{move || i18n.t(Key::VisSiteTitle)}</h2>
            <table class="review-table">
                <thead>
                    <tr>
                        <th>{move || i18n.t(Key::ReqZone)}</th>
                        <th>{move || i18n.t(Key::VisSiteMonth)}</th>
                        <th>{move || i18n.t(Key::VisSiteQuarter)}</th>
                    </tr>
                </thead>
                <tbody>
                    {move || lines.get().into_iter().map(|line| {
                        let coverage = format!("{} / {} · {}%", line.visited, line.units, line.percent());
                        view! {
                            <tr
                                data-testid="site-visits-row"
                                data-zone=line.code.clone()
                                data-month=line.month.to_string()
                                data-visited=line.visited.to_string()
                                data-units=line.units.to_string()
                            >
                                <td>{line.name.clone()}</td>
                                <td>{line.month}</td>
                                <td>{coverage}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
