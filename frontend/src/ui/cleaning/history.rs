//! The last 12 months: the total (or one area's score) by month as a bar
//! chart with the threshold line, the same figures as a table, and the open
//! and overdue rectifications.
//!
//! Test ids: `history-series` (select: "total" or an area id),
//! `history-table`, `history-row` (`data-month`, `data-total`, `data-threshold`, `data-below`,
//! `data-streak`, `data-final`: "false" while the month is in progress and
//! its total provisional), plus the chart's ids (`chart.rs`) and the rectification
//! list's (`rectifications.rs`).

use leptos::prelude::*;

use super::rectifications::RectificationsTab;
use super::{site, year_of_sheets, AreaOptions};
use crate::cleaning::{self, HistoryMonth};
use crate::i18n::{I18n, Key};
use crate::sync::SyncStatus;
use crate::ui::chart::{one_decimal, HistoryChart, Point, Series};
use crate::ui::select::LabelledSelect;
use crate::ui::WorkspaceRef;

const TOTAL: &str = "total";

/// The chart's series: the total out of 100, or an area out of its weight
/// (the threshold scaled to the weight). The line is the newest month's
/// threshold; each month's own flag is in the table.
pub fn series_of(history: &[HistoryMonth], which: &str) -> Series {
    let mut max = 100.0;
    let points = history
        .iter()
        .map(|month| {
            let value = month.view.as_ref().and_then(|view| {
                if which == TOTAL {
                    view.sheet.total
                } else {
                    let area = view.sheet.areas.iter().find(|a| a.area_id == which)?;
                    max = f64::from(area.weight.max(1));
                    area.score
                }
            });
            Point {
                month: month.month.format("%Y-%m").to_string(),
                label: month.month.format("%m").to_string(),
                value,
                provisional: !month.is_final,
            }
        })
        .collect();
    Series {
        max,
        threshold: history.last().map(|month| month.threshold * max / 100.0),
        higher_is_better: true,
        points,
    }
}

#[component]
pub fn HistoryTab(workspace: WorkspaceRef) -> impl IntoView {
    let i18n = I18n::get();
    let status = expect_context::<SyncStatus>();
    let site = site(workspace);
    let history = year_of_sheets(workspace);
    let template = Memo::new(move |_| {
        status.revision.track();
        workspace.with_value(|ws| cleaning::current(&ws.library, &site))
    });
    let which = RwSignal::new(TOTAL.to_string());
    let series = Signal::derive(move || history.with(|h| series_of(h, &which.get())));
    let rows = move || {
        history
            .get()
            .into_iter()
            .rev()
            .map(|m| {
                let total = m.view.as_ref().and_then(|v| v.sheet.total);
                let locked = m.view.as_ref().is_some_and(|v| v.locked);
                view! {
                    <tr
                        data-testid="history-row"
                        data-month=m.month.format("%Y-%m").to_string()
                        data-total=total.map(one_decimal).unwrap_or_default()
                        data-threshold=one_decimal(m.threshold)
                        data-below=m.below.to_string()
                        data-streak=m.streak.to_string()
                        data-final=m.is_final.to_string()
                    >
                        <td>{m.month.format("%Y-%m").to_string()}</td>
                        <td>{total.map(one_decimal).unwrap_or_else(|| "—".into())}</td>
                        <td>
                            {one_decimal(m.threshold)} " "
                            {(total.is_some() && !m.is_final).then(|| i18n.t(Key::CleanProvisional))}
                            {m.below.then(|| i18n.t(Key::CleanBelow))} " "
                            {m.streak.then(|| i18n.t(Key::CleanTwoBelow))}
                        </td>
                        <td>{locked.then(|| i18n.t(Key::CleanLockedBadge))}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <section class="card">
            <h1 class="page-title">{move || i18n.t(Key::TabHistory)}</h1>
            <LabelledSelect label=Key::CleanHistoryShow testid="history-series" value=which>
                <option value=TOTAL>{move || i18n.t(Key::CleanTotal)}</option>
                <AreaOptions template />
            </LabelledSelect>
            <HistoryChart series />
            <h2>{move || i18n.t(Key::CleanHistoryTable)}</h2>
            <table class="clean-table" data-testid="history-table">
                <thead>
                    <tr>
                        <th>{move || i18n.t(Key::CleanMonth)}</th>
                        <th>{move || i18n.t(Key::CleanTotal)}</th>
                        <th>{move || i18n.t(Key::CleanThreshold)}</th>
                        <th></th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
        <RectificationsTab workspace />
    }
}
