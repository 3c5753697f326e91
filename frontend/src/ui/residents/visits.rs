//! Household visits: record a visit to a unit (raising a request from it in
//! the same step), this quarter's visits, the month's household count and
//! the units not visited this quarter.

use chrono::Datelike;
use leptos::prelude::*;
use roundbook_shared::domain::local_date;
use roundbook_shared::schema::request::RequestKind;
use roundbook_shared::schema::visit::{households_visited, not_visited};

use super::site::SiteVisits;
use super::{first_zone, zone_picker};
use crate::browser;
use crate::calendar::day_month_time;
use crate::i18n::{filled, I18n, Key};
use crate::residents::{self, VisitDraft, VisitError};
use crate::sync::SyncStatus;
use crate::ui::field::Field;
use crate::ui::requests::error_key;
use crate::ui::select::{several_zones, LabelledSelect, WordSelect};
use crate::ui::WorkspaceRef;
use crate::ui::{actor, writer_and_site};

/// The satisfaction a new visit starts with.
const SATISFIED: &str = "satisfied";

#[component]
pub fn VisitsTab(workspace: WorkspaceRef) -> impl IntoView {
    let i18n = I18n::get();
    let status = expect_context::<SyncStatus>();
    let zone = RwSignal::new(first_zone(workspace));
    let data = Memo::new(move |_| {
        status.revision.track();
        let zone = zone.get();
        let now = browser::now_ms();
        workspace.with_value(|ws| {
            let site = ws.session.site_code();
            let (units, people) = residents::directory(&ws.library, site, &zone);
            let visits = residents::quarter_visits(&ws.library, site, &zone, now);
            (units, people, visits)
        })
    });
    let month_count = move || {
        let month = local_date(browser::now_ms())
            .with_day(1)
            .expect("day 1 exists");
        data.with(|(_, _, visits)| households_visited(visits, month))
    };
    let unvisited = move || {
        data.with(|(units, _, visits)| {
            not_visited(units, visits)
                .into_iter()
                .map(|u| u.label())
                .collect::<Vec<_>>()
        })
    };

    let unit = RwSignal::new(String::new());
    let raised = RwSignal::new(String::new());
    let satisfaction = RwSignal::new(SATISFIED.to_owned());
    let raise = RwSignal::new(false);
    let kind = RwSignal::new(RequestKind::RepairHome);
    let request_text = RwSignal::new(String::new());
    // The form's own checks are told here too.
    let message = RwSignal::new(None::<(bool, Key)>);
    let save = Action::new_local(move |draft: &VisitDraft| {
        let ((writer, site), who, draft) =
            (writer_and_site(workspace), actor(workspace), draft.clone());
        async move {
            let with_request = draft.request.is_some();
            match residents::record_visit(&writer, &site, &who, &draft, browser::now_ms()).await {
                Ok(_) => {
                    // A clean form for the next household: what stays
                    // picked is what gets recorded twice.
                    unit.try_set(String::new());
                    raised.try_set(String::new());
                    satisfaction.try_set(SATISFIED.to_owned());
                    raise.try_set(false);
                    kind.try_set(RequestKind::RepairHome);
                    request_text.try_set(String::new());
                    let saved = if with_request {
                        Key::VisSavedWithRequest
                    } else {
                        Key::VisSaved
                    };
                    message.try_set(Some((true, saved)));
                }
                Err(VisitError::Request(error)) => {
                    message.try_set(Some((false, error_key(&error))));
                }
                Err(error) => {
                    web_sys::console::error_1(&format!("visit: {error:?}").into());
                    message.try_set(Some((false, Key::ResSaveFailed)));
                }
            }
        }
    });
    let saving = save.pending();

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if saving.get_untracked() {
            return;
        }
        let picked = data.with_untracked(|(units, people, _)| {
            let unit = units.iter().find(|u| u.id == unit.get_untracked())?.clone();
            let person = people.iter().find(|p| p.unit_id == unit.id).cloned();
            Some((unit, person))
        });
        let Some((unit, person)) = picked else {
            message.set(Some((false, Key::VisPickUnit)));
            return;
        };
        let request = raise
            .get_untracked()
            .then(|| (kind.get_untracked(), request_text.get_untracked()));
        if request
            .as_ref()
            .is_some_and(|(_, text)| text.trim().is_empty())
        {
            message.set(Some((false, Key::VisRequestNeedsText)));
            return;
        }
        let draft = VisitDraft {
            zone: zone.get_untracked(),
            unit,
            resident_name: person.as_ref().map(|p| p.name.clone()).unwrap_or_default(),
            contact_phone: person.map(|p| p.phone).unwrap_or_default(),
            raised: raised.get_untracked(),
            satisfaction: satisfaction.get_untracked(),
            request,
        };
        message.set(None);
        save.dispatch_local(draft);
    };

    let satisfactions = [
        (SATISFIED, Key::ReqSatSatisfied),
        ("basically", Key::ReqSatBasic),
        ("not_satisfied", Key::ReqSatNot),
        ("none", Key::VisSatNone),
    ]
    .into_iter()
    .map(|(word, key)| view! { <option value=word>{move || i18n.t(key)}</option> })
    .collect_view();

    view! {
        <section class="visits">
            <div class="card-head">
                <h1 class="page-title">{move || i18n.t(Key::VisTitle)}</h1>
                {zone_picker(workspace, zone, "visits-zone", false)}
            </div>
            {several_zones(workspace).then(|| view! { <SiteVisits workspace /> })}
            <p class="card" data-testid="visits-month-count" data-count=move || month_count().to_string()>
                {move || filled(Key::VisMonthCount, i18n.lang(), &[("n", &month_count().to_string())])}
            </p>
            <form class="card visit-form" on:submit=submit novalidate>
                <h2>{move || i18n.t(Key::VisNew)}</h2>
                <Show
                    when=move || data.with(|(units, _, _)| !units.is_empty())
                    fallback=move || view! { <p class="muted">{move || i18n.t(Key::VisNoUnits)}</p> }
                >
                    <LabelledSelect label=Key::VisUnit testid="visit-unit" value=unit>
                        <option value="">"—"</option>
                        {move || data.with(|(units, _, _)| units.iter().filter(|u| !u.retired).map(|u| view! {
                            <option value=u.id.clone()>{u.label()}</option>
                        }).collect_view())}
                    </LabelledSelect>
                </Show>
                <Field label=Key::VisRaised>
                    <textarea data-testid="visit-raised" rows="2" maxlength="2000" bind:value=raised></textarea>
                </Field>
                <LabelledSelect label=Key::VisSatisfaction testid="visit-satisfaction" value=satisfaction>
                    {satisfactions}
                </LabelledSelect>
                <label class="check">
                    <input type="checkbox" data-testid="visit-raise-request" bind:checked=raise />
                    <span>{move || i18n.t(Key::VisRaiseRequest)}</span>
                </label>
                <Show when=move || raise.get()>
                    <WordSelect label=Key::VisRequestKind testid="visit-request-kind" value=kind />
                    <Field label=Key::VisRequestText>
                        <textarea data-testid="visit-request-text" rows="2" maxlength="2000" bind:value=request_text></textarea>
                    </Field>
                </Show>
                {move || message.get().map(|(ok, key)| view! {
                    <p class=if ok { "message message-ok" } else { "message message-error" } role="status" data-testid=if ok { "visit-saved" } else { "visit-error" }>
                        {move || i18n.t(key)}
                    </p>
                })}
                <button class="button button-primary" type="submit" data-testid="visit-save" disabled=move || saving.get()>
                    {move || i18n.t(Key::VisSave)}
                </button>
            </form>
            <section class="card">
                <h2>{move || i18n.t(Key::VisQuarter)}</h2>
                <Show
                    when=move || data.with(|(_, _, visits)| !visits.is_empty())
                    fallback=move || view! { <p class="muted">{move || i18n.t(Key::VisNone)}</p> }
                >
                    <ul class="plain">
                        {move || data.with(|(_, _, visits)| visits.iter().map(|visit| {
                            let at = visit.visited_at;
                            view! {
                            <li data-testid="visit-row" data-unit-id=visit.unit_id.clone() data-requests=visit.request_ids.len().to_string()>
                                <span data-testid="visit-when">{move || day_month_time(at, i18n.lang())}</span> " · " {visit.unit_label.clone()} " · " {visit.by_name.clone()} " · " {visit.raised.clone()}
                            </li>
                            }
                        }).collect_view())}
                    </ul>
                </Show>
            </section>
            <section class="card" data-testid="visits-not-visited" data-count=move || unvisited().len().to_string()>
                <h2>{move || filled(Key::VisNotVisited, i18n.lang(), &[("n", &unvisited().len().to_string())])}</h2>
                <p class="unit-chips">{move || unvisited().join("、")}</p>
            </section>
        </section>
    }
}
