//! One line of a record's history (a request's workflow, a work order's
//! events): when, who, what, the details, and a badge when the event did
//! not stand (superseded by a concurrent edit). The callers decide what the
//! action is called and which details show; this only lays them out.

use leptos::prelude::*;

use crate::calendar::short_time;
use crate::i18n::{I18n, Key};

/// What one history line shows.
pub(crate) struct HistoryLine {
    /// The event's action word (`data-action`).
    pub action: String,
    /// The action as shown, if the build knows it (else `?`).
    pub label: Option<Key>,
    pub at: i64,
    pub by_name: String,
    /// The details, already joined.
    pub detail: String,
    pub superseded: bool,
    /// The device that recorded it (`data-device`), where a test needs it.
    pub device: Option<String>,
}

/// The history line `line` as a list item with test id `testid`.
pub(crate) fn history_line(
    testid: &'static str,
    line: HistoryLine,
    superseded_key: Key,
) -> impl IntoView {
    let i18n = I18n::get();
    let HistoryLine {
        action,
        label,
        at,
        by_name,
        detail,
        superseded,
        device,
    } = line;
    view! {
        <li
            class:superseded=superseded
            data-testid=testid
            data-action=action
            data-superseded=superseded.to_string()
            data-device=device
        >
            <span class="muted">{short_time(at)}</span> " "
            <strong>{by_name}</strong> " "
            {move || label.map(|key| i18n.t(key)).unwrap_or("?")} " "
            {detail}
            {superseded.then(|| view! { " " <span class="badge">{move || i18n.t(superseded_key)}</span> })}
        </li>
    }
}

/// Joins the non-empty details with ` · `.
pub(crate) fn details(parts: impl IntoIterator<Item = String>) -> String {
    parts
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}
