//! A resident's request to see their data (个人信息查询), for the heads: type
//! a unit or a phone, see every record of the office that names it, and
//! save them as a CSV file marked as personal data.
//!
//! The server searches what it stores, in every period, and writes each
//! search and export to the audit trail (`GET /api/personal-data`), so this
//! needs the network; the screen keeps nothing.
//!
//! Test ids: `pd-form`, `pd-query`, `pd-search`, `pd-export`, `pd-outcome`,
//! `pd-found` (with `data-count`), `pd-record` (with `data-record`).

use leptos::prelude::*;
use roundbook_shared::personal_search::Found;
use roundbook_shared::schema::resident::Unit;
use roundbook_shared::schema::Container;
use serde_json::Value;

use crate::api::{self, ApiError};
use crate::browser;
use crate::calendar::date_time;
use crate::i18n::{I18n, Key};
use crate::ui::WorkspaceRef;

/// Fields shown for a record, in this order, where it has them.
const SHOWN: [&str; 8] = [
    "unit_label",
    "name",
    "resident_name",
    "caller",
    "borrower",
    "phone",
    "contact_phone",
    "description",
];

/// What a found record says, shortly (a directory's unit by its label).
fn summary(found: &Found) -> String {
    if found.record == Container::Units.name() {
        if let Ok(unit) = serde_json::from_value::<Unit>(Value::Object(found.fields.clone())) {
            return unit.label();
        }
    }
    SHOWN
        .iter()
        .filter_map(|field| match found.fields.get(*field) {
            Some(Value::String(text)) if !text.is_empty() => Some(text.clone()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

fn problem_key(error: &ApiError) -> Key {
    match error {
        ApiError::Offline => Key::PdOffline,
        ApiError::BadRequest => Key::PdBadQuery,
        _ => Key::PdFailed,
    }
}

#[component]
pub fn PersonalDataSearch(workspace: WorkspaceRef) -> impl IntoView {
    let i18n = I18n::get();
    let query = RwSignal::new(String::new());
    let (token, site) = workspace.with_value(|ws| {
        (
            ws.session.token().to_owned(),
            ws.session.site_code().to_owned(),
        )
    });
    let search_token = token.clone();
    let search = Action::new_local(move |q: &String| {
        let (token, q) = (search_token.clone(), q.clone());
        async move {
            if !browser::is_online() {
                return Err(ApiError::Offline);
            }
            api::personal_data(&token, &q).await
        }
    });
    let export = Action::new_local(move |q: &String| {
        let (token, site, q) = (token.clone(), site.clone(), q.clone());
        async move {
            if !browser::is_online() {
                return Err(ApiError::Offline);
            }
            let csv = api::personal_data_csv(&token, &q).await?;
            let day = roundbook_shared::domain::local_date(browser::now_ms()).format("%Y%m%d");
            let name = format!("personal-data-{site}-{day}-personal.csv");
            browser::download(&name, "text/csv", &csv);
            Ok(())
        }
    });
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        search.dispatch_local(query.get_untracked());
    };
    let busy = move || search.pending().get() || export.pending().get();
    let problem = move || {
        let failed = |result: Option<Result<_, ApiError>>| result.and_then(Result::err);
        failed(export.value().get().map(|r| r.map(|_| ())))
            .or_else(|| failed(search.value().get().map(|r| r.map(|_| ()))))
            .map(|error| problem_key(&error))
    };
    let found = move || search.value().get().and_then(Result::ok);
    view! {
        <section class="card">
            <h2>{move || i18n.t(Key::PdTitle)}</h2>
            <p class="muted">{move || i18n.t(Key::PdHint)}</p>
            <form data-testid="pd-form" on:submit=submit novalidate>
                <input data-testid="pd-query" maxlength="50" placeholder=move || i18n.t(Key::PdPlaceholder) bind:value=query />
                <div class="button-row">
                    <button type="submit" class="button button-primary" data-testid="pd-search" disabled=busy>
                        {move || i18n.t(Key::PdSearch)}
                    </button>
                    <button type="button" class="button" data-testid="pd-export" disabled=busy
                        on:click=move |_| { export.dispatch_local(query.get_untracked()); }>
                        {move || i18n.t(Key::PdExport)}
                    </button>
                </div>
            </form>
            {move || problem().map(|key| view! {
                <p class="banner banner-error" data-testid="pd-outcome" role="status">{i18n.t(key)}</p>
            })}
            {move || found().map(|found| {
                let count = found.len();
                view! {
                    <div data-testid="pd-found" data-count=count.to_string()>
                        <p>{crate::i18n::filled(Key::PdCount, i18n.lang(), &[("n", &count.to_string())])}</p>
                        <ul class="plain-list">
                            {found.into_iter().map(|record| {
                                let kind = crate::i18n::Key::of_doc_kind(record.kind.as_str());
                                let when = record.made_at.map(date_time).unwrap_or_default();
                                let text = summary(&record);
                                view! {
                                    <li data-testid="pd-record" data-record=record.record.clone()>
                                        <span class="badge">{move || kind.map(|key| i18n.t(key)).unwrap_or_default()}</span>
                                        " " <span class="muted">{when}</span>
                                        <div>{text}</div>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </div>
                }
            })}
        </section>
    }
}
