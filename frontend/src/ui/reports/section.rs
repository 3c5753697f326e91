//! One section of a report: its title, its chart (the shared bar chart) and
//! its table, with every label in the user's language and every number
//! formatted the same way. Drawing only.
//!
//! Test ids: `report-section` (`data-section`), `report-table`, `report-row`.

use leptos::prelude::*;
use roundbook_shared::reports::{Cell, Chart, Section};

use crate::i18n::{I18n, Key, Lang};
use crate::ui::chart::{one_decimal, HistoryChart, Point, Series};

/// The wording of a report label in `lang`, or the label itself if the
/// locale files lack it (a test keeps every label translated).
pub fn word(lang: Lang, label: &str) -> String {
    Key::of_report_label(label).map_or_else(|| label.to_owned(), |key| key.text(lang).to_owned())
}

/// A cell as the screen and the print show it.
fn shown(lang: Lang, cell: &Cell) -> String {
    let or_dash = |value: &Option<f64>, unit: &str| {
        value.map_or_else(
            || "—".to_owned(),
            |value| format!("{}{unit}", one_decimal(value)),
        )
    };
    match cell {
        Cell::Text(text) | Cell::Date(text) => text.clone(),
        Cell::Label(label) => word(lang, label),
        Cell::Count(count) => count.to_string(),
        Cell::Percent(value) => or_dash(value, "%"),
        Cell::Minutes(value) | Cell::Number(value) => or_dash(value, ""),
    }
}

fn is_number(cell: &Cell) -> bool {
    !matches!(cell, Cell::Text(_) | Cell::Label(_) | Cell::Date(_))
}

/// The shared chart's series of a report chart.
fn series(chart: &Chart) -> Series {
    Series {
        max: chart.max,
        threshold: chart.target,
        higher_is_better: chart.higher_is_better,
        points: chart
            .points
            .iter()
            .map(|point| Point {
                month: point.label.clone(),
                // `2026-11` is shown as `11`; a day `07` as it is.
                label: point
                    .label
                    .rsplit('-')
                    .next()
                    .unwrap_or(&point.label)
                    .to_owned(),
                value: point.value,
                provisional: false,
            })
            .collect(),
    }
}

#[component]
pub fn SectionView(section: Section) -> impl IntoView {
    let i18n = I18n::get();
    let chart = section.chart.as_ref().map(|chart| {
        let title = chart.title.clone();
        let series = series(chart);
        view! {
            <figure class="report-chart">
                <figcaption>{move || word(i18n.lang(), &title)}</figcaption>
                <HistoryChart series=Signal::stored(series) />
            </figure>
        }
    });
    let table = section.table;
    let keys = table.keys;
    let columns = table.columns.clone();
    let headers = move || {
        let lang = i18n.lang();
        columns
            .iter()
            .enumerate()
            .map(|(index, column)| {
                let class = if index < keys { "" } else { "number" };
                view! { <th class=class scope="col">{word(lang, column)}</th> }
            })
            .collect_view()
    };
    let rows = table.rows;
    let empty = rows.is_empty();
    let body = move || {
        let lang = i18n.lang();
        rows.iter()
            .map(|row| {
                let cells = row
                    .iter()
                    .enumerate()
                    .map(|(index, cell)| {
                        let text = shown(lang, cell);
                        if index < keys {
                            view! { <th scope="row">{text}</th> }.into_any()
                        } else {
                            let class = if is_number(cell) { "number" } else { "" };
                            view! { <td class=class>{text}</td> }.into_any()
                        }
                    })
                    .collect_view();
                view! { <tr data-testid="report-row">{cells}</tr> }
            })
            .collect_view()
    };
    let title = section.title;
    view! {
        <section class="report-section" data-testid="report-section" data-section=section.id>
            <h3>{move || word(i18n.lang(), &title)}</h3>
            {chart}
            <div class="table-scroll">
                <table class="review-table report-table" data-testid="report-table">
                    <thead><tr>{headers}</tr></thead>
                    <tbody>{body}</tbody>
                </table>
            </div>
            {empty.then(|| view! { <p class="muted">{move || i18n.t(Key::ReportsNothing)}</p> })}
        </section>
    }
}
