//! The resident directory (units and residents, CSV import and masked
//! export) and household visits (走访) screens. Rules live in the shared
//! crate (`resident_import`, `schema::visit`); reading and writing in
//! [`crate::residents`].
//!
//! Test ids — residents: `residents-zone` ("all zones" is the empty value),
//! `residents-unit-zone` (a whole-site row's zone), `residents-import` (file input),
//! `residents-template`, `residents-imported`, `residents-import-failed`,
//! `residents-import-row` (with `data-line`, `data-problem`),
//! `residents-export` (the office head only), `residents-search`, `residents-unit` (with
//! `data-unit-id`), `residents-relation`, `residents-empty`.
//! Visits: `visits-month-count` (with `data-count`), `visit-new`, `visit-unit`,
//! `visit-raised`, `visit-satisfaction`, `visit-raise-request`,
//! `visit-request-kind`, `visit-request-text`, `visit-save`, `visit-saved`,
//! `visit-error`, `visit-row` (its time in `visit-when`),
//! `visits-not-visited` (with `data-count`).

mod site;
mod visits;

pub use visits::VisitsTab;

use leptos::prelude::*;
use roundbook_shared::ids::DocumentId;
use roundbook_shared::resident_import::{self, ImportError, RowProblem};
use wasm_bindgen::JsCast;

use crate::browser;
use crate::i18n::{filled, I18n, Key};
use crate::residents::{self, ImportFailure};
use crate::sync::SyncStatus;
use crate::ui::select::{several_zones, ZoneSelect};
use crate::ui::{writer_and_site, WorkspaceRef};

/// A zone picker for users with several zones; `None` when they have one.
/// With `all_zones`, "all zones" (the empty code) is offered first.
fn zone_picker(
    workspace: WorkspaceRef,
    zone: RwSignal<String>,
    testid: &'static str,
    all_zones: bool,
) -> Option<AnyView> {
    several_zones(workspace).then(|| {
        view! { <ZoneSelect workspace zone testid label=Key::ReqZone inline=true all_zones /> }
            .into_any()
    })
}

fn first_zone(workspace: WorkspaceRef) -> String {
    workspace.with_value(|ws| {
        ws.session
            .zones()
            .first()
            .map(|z| z.code.clone())
            .unwrap_or_default()
    })
}

fn problem_key(problem: RowProblem) -> Key {
    match problem {
        RowProblem::MissingBuilding => Key::ResPMissingBuilding,
        RowProblem::MissingRoom => Key::ResPMissingRoom,
        RowProblem::MissingName => Key::ResPMissingName,
        RowProblem::BadPhone => Key::ResPBadPhone,
        RowProblem::BadRelation => Key::ResPBadRelation,
        RowProblem::TooLong => Key::ResPTooLong,
        RowProblem::Duplicate => Key::ResPDuplicate,
        RowProblem::BadShape => Key::ResPBadShape,
    }
}

/// How a resident relates to the unit, translated; `None` for a word this
/// version does not know (a newer tablet's), which is then shown as stored.
fn relation_key(relation: &str) -> Option<Key> {
    match relation {
        "owner" => Some(Key::ResRelOwner),
        "tenant" => Some(Key::ResRelTenant),
        "family" => Some(Key::ResRelFamily),
        "other" => Some(Key::ResRelOther),
        _ => None,
    }
}

/// What the last import did.
#[derive(Debug, Clone, PartialEq)]
enum Imported {
    Done(usize, usize),
    Rows(Vec<(usize, RowProblem)>),
    File(Key),
}

/// What an import's result shows.
fn imported(result: Result<(DocumentId, usize, usize), ImportFailure>) -> Imported {
    match result {
        Ok((_, units, people)) => Imported::Done(units, people),
        Err(ImportFailure::File(ImportError::Rows(rows))) => Imported::Rows(rows),
        Err(ImportFailure::File(error)) => Imported::File(match error {
            ImportError::TooLarge => Key::ResFileTooLarge,
            ImportError::TooManyRows => Key::ResFileTooManyRows,
            ImportError::BadEncoding => Key::ResFileBadEncoding,
            ImportError::MissingColumn(_) => Key::ResFileMissingColumn,
            ImportError::Empty | ImportError::Rows(_) => Key::ResFileEmpty,
        }),
        Err(ImportFailure::NotSaved(detail)) => {
            web_sys::console::error_1(&format!("import: {detail}").into());
            Imported::File(Key::ResSaveFailed)
        }
    }
}

#[component]
pub fn ResidentsTab(workspace: WorkspaceRef) -> impl IntoView {
    let i18n = I18n::get();
    let status = expect_context::<SyncStatus>();
    let zone = RwSignal::new(first_zone(workspace));
    let search = RwSignal::new(String::new());
    let importing = Action::new_local(move |file: &web_sys::File| {
        let ((writer, site), zone) = (writer_and_site(workspace), zone.get_untracked());
        let bytes = wasm_bindgen_futures::JsFuture::from(file.array_buffer());
        async move {
            let Ok(buffer) = bytes.await else {
                return Imported::File(Key::ResSaveFailed);
            };
            let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
            imported(residents::import_csv(&writer, &site, &zone, &bytes, browser::now_ms()).await)
        }
    });
    let busy = importing.pending();
    let last = importing.value();
    // What the last import did; nothing while another runs.
    let outcome = Signal::derive(move || if busy.get() { None } else { last.get() });

    // The zone's directory, or every zone's (the empty code), each with the
    // zone's name for the rows of a whole-site list.
    let directory = Memo::new(move |_| {
        status.revision.track();
        let zone = zone.get();
        workspace.with_value(|ws| {
            ws.session
                .zones()
                .iter()
                .filter(|z| zone.is_empty() || z.code == zone)
                .map(|z| {
                    let (units, people) =
                        residents::directory(&ws.library, ws.session.site_code(), &z.code);
                    (z.name.clone(), units, people)
                })
                .collect::<Vec<_>>()
        })
    });
    let unit_count = move || {
        directory.with(|zones| zones.iter().map(|(_, units, _)| units.len()).sum::<usize>())
    };
    let whole_site = move || zone.with(String::is_empty);
    let heads_office =
        workspace.with_value(|ws| ws.session.roles().iter().any(|role| role.heads_office()));

    let import = move |event: leptos::ev::Event| {
        let Some(input) = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        input.set_value("");
        importing.dispatch_local(file);
    };

    let export = move |_| {
        let csv = workspace.with_value(|ws| {
            residents::export_csv(&ws.library, ws.session.site_code(), &zone.get_untracked())
        });
        // A byte-order mark so spreadsheet programs read the Chinese text as UTF-8.
        browser::download(
            &format!("residents-{}-personal.csv", zone.get_untracked()),
            "text/csv;charset=utf-8",
            format!("\u{feff}{csv}").as_bytes(),
        );
    };

    // The header row and an example, to fill in with Excel.
    let template = move |_| {
        browser::download(
            "residents-template.csv",
            "text/csv;charset=utf-8",
            &resident_import::template(),
        );
    };

    let rows = move || {
        let needle = search.get().trim().to_owned();
        let with_zone = whole_site();
        directory.with(|zones| {
            zones
                .iter()
                .flat_map(|(zone_name, units, people)| {
                    units
                        .iter()
                        .filter(|unit| !unit.retired)
                        .filter_map(|unit| {
                            let here: Vec<_> = people
                                .iter()
                                .filter(|p| p.unit_id == unit.id && !p.retired)
                                .cloned()
                                .collect();
                            let label = unit.label();
                            let hit = needle.is_empty()
                                || label.contains(&needle)
                                || here
                                    .iter()
                                    .any(|p| p.name.contains(&needle) || p.phone.contains(&needle));
                            let zone_name = with_zone.then(|| zone_name.clone());
                            hit.then(|| (unit.id.clone(), zone_name, label, here))
                        })
                })
                .collect::<Vec<_>>()
        })
    };

    view! {
        <section class="residents">
            <div class="card-head">
                <h1 class="page-title">{move || i18n.t(Key::ResTitle)}</h1>
                {zone_picker(workspace, zone, "residents-zone", true)}
                <span class="muted">{move || filled(Key::ResUnitCount, i18n.lang(), &[("n", &unit_count().to_string())])}</span>
            </div>
            <div class="card">
                <p class="muted">{move || i18n.t(if whole_site() { Key::ResPickZone } else { Key::ResImportHint })}</p>
                <div class="actions">
                    <label class="button" class:button-disabled=whole_site>
                        {move || i18n.t(Key::ResImport)}
                        <input type="file" class="visually-hidden" accept=".csv,text/csv" data-testid="residents-import" disabled=move || busy.get() || whole_site() on:change=import />
                    </label>
                    <button class="button button-quiet" type="button" data-testid="residents-template" on:click=template>
                        {move || i18n.t(Key::ResTemplate)}
                    </button>
                    // Personal data leaves the tablet only with the office head.
                    {heads_office.then(|| view! {
                        <button class="button button-quiet" data-testid="residents-export" disabled=whole_site on:click=export>
                            {move || i18n.t(Key::ResExport)}
                        </button>
                    })}
                </div>
                {move || outcome.get().map(|shown| match shown {
                    Imported::Done(units, people) => view! {
                        <p class="message message-ok" role="status" data-testid="residents-imported">
                            {move || filled(Key::ResImported, i18n.lang(), &[("units", &units.to_string()), ("residents", &people.to_string())])}
                        </p>
                    }.into_any(),
                    Imported::Rows(rows) => view! {
                        <div class="message message-error" role="alert" data-testid="residents-import-failed">
                            <p>{move || i18n.t(Key::ResImportFailed)}</p>
                            <ul>
                                {rows.into_iter().map(|(line, problem)| view! {
                                    <li data-testid="residents-import-row" data-line=line.to_string() data-problem=problem.as_str()>
                                        {move || filled(Key::ResRowLine, i18n.lang(), &[("line", &line.to_string())])}
                                        {move || i18n.t(problem_key(problem))}
                                    </li>
                                }).collect_view()}
                            </ul>
                        </div>
                    }.into_any(),
                    Imported::File(key) => view! {
                        <p class="message message-error" role="alert" data-testid="residents-import-failed">{move || i18n.t(key)}</p>
                    }.into_any(),
                })}
            </div>
            <label class="field">
                <input data-testid="residents-search" placeholder=move || i18n.t(Key::ResSearch) bind:value=search />
            </label>
            <Show
                when=move || { unit_count() > 0 }
                fallback=move || view! { <p class="muted" data-testid="residents-empty">{move || i18n.t(Key::ResEmpty)}</p> }
            >
                <ul class="unit-list">
                    {move || rows().into_iter().map(|(id, zone_name, label, people)| view! {
                        <li class="card unit-row" data-testid="residents-unit" data-unit-id=id>
                            {zone_name.map(|name| view! { <span class="badge" data-testid="residents-unit-zone">{name}</span> " " })}
                            <strong>{label}</strong>
                            <ul class="plain">
                                {people.into_iter().map(|person| view! {
                                    <li>{person.name} " · " {person.phone} " · " <span data-testid="residents-relation">{
                                        let relation = person.relation;
                                        move || relation_key(&relation).map_or(relation.clone(), |key| i18n.t(key).to_owned())
                                    }</span></li>
                                }).collect_view()}
                            </ul>
                        </li>
                    }).collect_view()}
                </ul>
            </Show>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use roundbook_shared::schema::resident::RELATIONS;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn every_relation_is_shown_in_the_users_language() {
        let shown = |lang| {
            RELATIONS
                .iter()
                .map(|word| {
                    relation_key(word)
                        .expect("every relation has a key")
                        .text(lang)
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(shown(Lang::ZhCn), ["业主", "租户", "家属", "其他"]);
        assert_eq!(shown(Lang::En), ["owner", "tenant", "family", "other"]);
        assert_eq!(relation_key("landlord"), None, "shown as stored");
    }
}
