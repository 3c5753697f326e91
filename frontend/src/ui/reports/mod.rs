//! 报表 / Reports: the monthly reports a role reads (complaints, repair
//! callbacks, visits, patrol, cleaning), for a month and a zone or every
//! zone, as tables and charts, a CSV for Excel, and a printable A4 page.
//!
//! The report comes from the server when it can be reached, else from the
//! tablet's documents ([`crate::reports`]); the screen says which, and says
//! when the tablet lacks some of the month's documents. It picks, shows and
//! exports: it computes no figure itself.

mod due;
mod section;

use chrono::{Datelike, NaiveDate};
use leptos::prelude::*;
use roundbook_shared::reports::{Month, Report, ReportKind};

pub use self::due::DueReports;
use self::due::SignOff;
use self::section::{word, SectionView};
use crate::api::ApiError;
use crate::browser;
use crate::i18n::{I18n, Key};
use crate::reports::{load, Ask, Source};
use crate::ui::field::Field;
use crate::ui::select::{several_zones, ChoiceButton, ZoneSelect};
use crate::ui::WorkspaceRef;

/// The reports the user's roles read, in the order of `ReportKind::ALL`.
pub fn readable(workspace: WorkspaceRef) -> Vec<ReportKind> {
    let roles = workspace.with_value(|ws| ws.session.roles().to_vec());
    ReportKind::ALL
        .into_iter()
        .filter(|kind| kind.readable_by(&roles))
        .collect()
}

/// The month before `today`'s: the one whose reports are due.
fn last_month(today: NaiveDate) -> Option<Month> {
    Month::of(today.with_day(1)?.pred_opt()?)
}

/// A report picked elsewhere (the head's home) for the reports screen to
/// open when it next opens.
#[derive(Clone, Copy)]
pub struct ReportToOpen(pub RwSignal<Option<(ReportKind, Month)>>);

#[component]
pub fn ReportsTab(workspace: WorkspaceRef) -> impl IntoView {
    let i18n = I18n::get();
    let kinds = readable(workspace);
    let Some(first) = kinds.first().copied() else {
        return ().into_any();
    };
    let today = roundbook_shared::domain::local_date(browser::now_ms());
    let picked = use_context::<ReportToOpen>()
        .and_then(|ReportToOpen(picked)| picked.try_update(Option::take).flatten());
    let (first, first_month) = match picked {
        Some((which, month)) if kinds.contains(&which) => (which, Some(month)),
        _ => (first, last_month(today)),
    };
    let kind = RwSignal::new(first);
    let month = RwSignal::new(first_month.map(|m| m.to_string()).unwrap_or_default());
    let zone = RwSignal::new(String::new());

    let report = Action::new_local(move |ask: &Ask| {
        let ask = ask.clone();
        let (session, library) =
            workspace.with_value(|ws| (ws.session.clone(), ws.library.clone()));
        async move { load(&session, &library, &ask).await }
    });
    let asked = Memo::new(move |_| {
        let kind = kind.get();
        let month = month.get().parse::<Month>().ok()?;
        let zone = zone.get();
        Some(Ask {
            kind,
            month,
            zone: (kind.by_zone() && !zone.is_empty()).then_some(zone),
        })
    });
    Effect::new(move |_| {
        if let Some(ask) = asked.get() {
            report.dispatch_local(ask);
        }
    });

    let open = Callback::new(move |(which, picked): (ReportKind, Month)| {
        kind.set(which);
        month.set(picked.to_string());
    });
    let due = view! { <DueReports workspace kinds=kinds.clone() open /> };
    let buttons = (kinds.len() > 1).then(|| {
        kinds
            .iter()
            .map(|which| {
                // Every title is translated (the reports' label test); a
                // missing one must not take the screen down.
                let label = Key::of_report_label(which.title()).unwrap_or(Key::ReportsTitle);
                view! {
                    <ChoiceButton testid=format!("report-{}", which.as_str()) label current=kind value=*which />
                }
            })
            .collect_view()
    });
    let zone_pick = move || {
        (kind.get().by_zone() && several_zones(workspace)).then(|| {
            view! {
                <ZoneSelect workspace zone testid="report-zone" label=Key::Zone all_zones=true />
            }
        })
    };
    let shown = move || match (asked.get(), report.value().get()) {
        (None, _) => view! {
            <p class="banner banner-error" data-testid="report-error" role="alert">
                {move || i18n.t(Key::ReportsBadMonth)}
            </p>
        }
        .into_any(),
        (Some(_), None) => {
            view! { <p class="muted">{move || i18n.t(Key::ReportsLoading)}</p> }.into_any()
        }
        (Some(_), Some(Err(error))) => view! {
            <p class="banner banner-error" data-testid="report-error" role="alert">
                {move || i18n.t(error_key(&error))}
            </p>
        }
        .into_any(),
        (Some(_), Some(Ok((shown, source)))) => {
            view! { <ReportView workspace report=shown source /> }.into_any()
        }
    };

    view! {
        {due}
        <section class="card reports no-print">
            <h1 class="page-title">{move || i18n.t(Key::ReportsTitle)}</h1>
            <nav class="tabs" role="tablist">{buttons}</nav>
            <div class="field-row">
                <Field label=Key::ReportsMonth>
                    <input type="month" data-testid="report-month" bind:value=month />
                </Field>
                {zone_pick}
            </div>
        </section>
        <div aria-busy=move || report.pending().get().to_string()>{shown}</div>
    }
    .into_any()
}

fn error_key(error: &ApiError) -> Key {
    match error {
        ApiError::BadRequest => Key::ReportsBadMonth,
        ApiError::Refused(code) => Key::of_error(code).unwrap_or(Key::ReportsFailed),
        _ => Key::ReportsFailed,
    }
}

/// One report: where it came from, its print heading, its sections, its
/// signature lines (printed only), and the CSV and print buttons.
#[component]
fn ReportView(workspace: WorkspaceRef, report: Report, source: Source) -> impl IntoView {
    let i18n = I18n::get();
    let site = workspace.with_value(|ws| ws.session.site_name().to_owned());
    let complete = report.missing.is_empty();
    let zone_name = report.zone.as_ref().map(|zone| zone.name.clone());
    let title = report.kind.title();
    let made = roundbook_shared::domain::local_datetime(report.made_at)
        .format("%Y-%m-%d %H:%M")
        .to_string();
    let source_note = move || {
        i18n.t(match source {
            Source::Server => Key::ReportsFromServer,
            Source::Tablet { .. } => Key::ReportsFromTablet,
        })
    };
    let incomplete = (!complete).then(|| {
        view! {
            <p class="banner banner-warn" data-testid="report-needs-network" role="status">
                {move || i18n.t(Key::ReportsNeedsNetwork)}
            </p>
        }
    });
    let for_csv = report.clone();
    let export = move |_| {
        let lang = i18n.lang();
        let (name, text) = for_csv.csv_file(&|label: &str| word(lang, label));
        browser::download(&name, "text/csv;charset=utf-8", text.as_bytes());
    };
    let month = report.month.to_string();
    let heads =
        workspace.with_value(|ws| ws.session.roles().iter().any(|role| role.heads_office()));
    let sign = (heads && complete && report.kind.signed_off()).then(|| {
        view! { <SignOff workspace kind=report.kind month=report.month /> }
    });
    let sections = report
        .sections
        .into_iter()
        .map(|section| view! { <SectionView section /> })
        .collect_view();
    view! {
        <article
            class="card report"
            data-testid="report"
            data-kind=report.kind.as_str()
            data-month=report.month.to_string()
            data-source=match source { Source::Server => "server", Source::Tablet { .. } => "tablet" }
            data-compute-ms=match source {
                Source::Server => None,
                Source::Tablet { millis } => Some(format!("{millis:.0}")),
            }
        >
            <header class="report-heading">
                <h2 data-testid="report-title">{move || word(i18n.lang(), title)}</h2>
                <p data-testid="report-facts">
                    {site} " · " {month} " · "
                    {move || zone_name.clone().unwrap_or_else(|| word(i18n.lang(), "whole_site"))}
                    " · " {move || i18n.label(Key::ReportsMadeAt)} {made.clone()}
                </p>
                <p class="muted no-print" data-testid="report-source">{source_note}</p>
            </header>
            {incomplete}
            <div class="button-row no-print">
                <button
                    class="button"
                    data-testid="report-csv"
                    disabled=!complete
                    on:click=export
                >
                    {move || i18n.t(Key::ReportsCsv)}
                </button>
                <button
                    class="button button-primary"
                    data-testid="report-print"
                    disabled=!complete
                    on:click=move |_| browser::print()
                >
                    {move || i18n.t(Key::ReportsPrint)}
                </button>
                {sign}
            </div>
            {sections}
            <div class="print-only print-signatures" data-testid="report-signatures">
                <p class="print-signature">{move || i18n.t(Key::ReportsSignMaker)}</p>
                <p class="print-signature">{move || i18n.t(Key::ReportsSignChecker)}</p>
                <p class="print-signature">{move || i18n.t(Key::ReportsSignHead)}</p>
            </div>
        </article>
    }
}
