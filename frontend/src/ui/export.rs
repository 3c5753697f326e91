//! The office head's export: pick the days (last month by default), ask the
//! server for every record of them as a zip of CSV files, and save it.
//!
//! The server builds the file from what it stores (`GET /api/export`), so
//! it needs the network; this screen reads nothing from the tablet's
//! documents and keeps nothing.

use chrono::{Datelike, Months, NaiveDate};
use leptos::prelude::*;

use crate::api::{self, ApiError};
use crate::browser;
use crate::i18n::{I18n, Key};
use crate::ui::field::Field;
use crate::ui::personal_data::PersonalDataSearch;
use crate::ui::WorkspaceRef;

/// What the form asks the server for.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Request {
    from: String,
    to: String,
    photos: bool,
}

/// The first and last day of the month before `today`'s.
fn last_month(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let this_month = today.with_day(1).unwrap_or(today);
    let first = this_month
        .checked_sub_months(Months::new(1))
        .unwrap_or(this_month);
    (first, this_month.pred_opt().unwrap_or(this_month))
}

#[component]
pub fn ExportTab(workspace: WorkspaceRef) -> impl IntoView {
    let i18n = I18n::get();
    let today = roundbook_shared::domain::local_date(browser::now_ms());
    let (first, last) = last_month(today);
    let from = RwSignal::new(first.to_string());
    let to = RwSignal::new(last.to_string());
    let photos = RwSignal::new(false);
    let (token, site) = workspace.with_value(|ws| {
        (
            ws.session.token().to_owned(),
            ws.session.site_code().to_owned(),
        )
    });

    let download = Action::new_local(move |request: &Request| {
        let (token, site, request) = (token.clone(), site.clone(), request.clone());
        async move {
            if !browser::is_online() {
                return Err(ApiError::Offline);
            }
            let zip = api::export(&token, &request.from, &request.to, request.photos).await?;
            let name = format!("roundbook-{site}-{}-{}.zip", request.from, request.to);
            browser::download(&name, "application/zip", &zip);
            Ok(())
        }
    });
    let outcome = move || {
        download.value().get().map(|result| match result {
            Ok(()) => ("banner banner-ok", Key::ExportDone),
            Err(ApiError::Offline) => ("banner banner-warn", Key::ExportOffline),
            Err(ApiError::BadRequest) => ("banner banner-error", Key::ExportBadRange),
            Err(_) => ("banner banner-error", Key::ExportFailed),
        })
    };
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        download.dispatch_local(Request {
            from: from.get_untracked(),
            to: to.get_untracked(),
            photos: photos.get_untracked(),
        });
    };

    view! {
        <section class="card">
            <h1 class="page-title">{move || i18n.t(Key::ExportTitle)}</h1>
            <p class="muted">{move || i18n.t(Key::ExportHint)}</p>
            <form data-testid="export-form" on:submit=submit novalidate>
                <div class="field-row">
                    <Field label=Key::ExportFrom>
                        <input type="date" data-testid="export-from" bind:value=from />
                    </Field>
                    <Field label=Key::ExportTo>
                        <input type="date" data-testid="export-to" bind:value=to />
                    </Field>
                </div>
                <label class="check">
                    <input type="checkbox" data-testid="export-photos" bind:checked=photos />
                    <span>{move || i18n.t(Key::ExportPhotos)}</span>
                </label>
                <div class="button-row">
                    <button
                        type="submit"
                        class="button button-primary"
                        data-testid="export-download"
                        disabled=move || download.pending().get()
                    >
                        {move || i18n.t(if download.pending().get() {
                            Key::ExportDownloading
                        } else {
                            Key::ExportDownload
                        })}
                    </button>
                </div>
            </form>
            {move || outcome().map(|(class, key)| view! {
                <p class=class data-testid="export-outcome" role="status">{i18n.t(key)}</p>
            })}
        </section>
        <PersonalDataSearch workspace />
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn last_month_is_its_first_and_last_day() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(
            last_month(day(2026, 12, 2)),
            (day(2026, 11, 1), day(2026, 11, 30))
        );
        assert_eq!(
            last_month(day(2026, 1, 31)),
            (day(2025, 12, 1), day(2025, 12, 31))
        );
        assert_eq!(
            last_month(day(2024, 3, 1)),
            (day(2024, 2, 1), day(2024, 2, 29))
        );
    }
}
