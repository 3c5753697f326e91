//! The route editor: the zone's routes with their stops, and a form for the
//! name and the ordered checkpoints (add from a select, move up / down,
//! remove); retire / restore. Input only; [`crate::setup`] decides what is
//! stored.

use leptos::prelude::*;
use roundbook_shared::schema::route::Route;

use super::editor::{records, Editor, EditorForm, EditorRow, EditorSection};
use super::{Change, ZoneSetup};
use crate::i18n::{I18n, Key};
use crate::setup::{Directory, RouteForm};
use crate::ui::field::TextField;

/// How a checkpoint id reads in a list: its code, or the id if unknown here.
fn code_of(directory: &Option<Directory>, id: &str) -> String {
    directory
        .as_ref()
        .and_then(|d| d.checkpoint(id))
        .map(|checkpoint| checkpoint.code.clone())
        .unwrap_or_else(|| id.to_owned())
}

#[component]
pub(super) fn RouteEditor(setup: ZoneSetup) -> impl IntoView {
    let editor = Editor::new("route", setup);
    let list = records(setup, |d| &d.routes, |route| route.retired);

    let row = move |route: Route| {
        let (id, name, form) = (route.id.clone(), route.name.clone(), RouteForm::of(&route));
        let retired = route.retired;
        let set_retired = move |retired: bool| {
            editor.change(Change::RouteRetired(id.clone(), retired));
        };
        let stops = route.checkpoints.0.clone();
        let path = move || {
            setup.directory.with(|directory| {
                stops
                    .iter()
                    .map(|id| code_of(directory, id))
                    .collect::<Vec<_>>()
                    .join(" → ")
            })
        };
        view! {
            <EditorRow editor retired form set_retired attr:data-route-name=name>
                <span class="setup-main">
                    <strong>{route.name.clone()}</strong>
                    <span class="muted">{path}</span>
                </span>
            </EditorRow>
        }
    };

    view! {
        <EditorSection
            editor
            title=Key::SetupRoutes
            new_label=Key::NewRoute
            empty=Key::NoRoutesDefined
            new_form=RouteForm::default
            form=move |form| view! { <Form setup form editor /> }
            list
            row
        />
    }
}

/// The add / change form. The stops are edited in memory; nothing is stored
/// before "save".
#[component]
fn Form(setup: ZoneSetup, form: RouteForm, editor: Editor<RouteForm>) -> impl IntoView {
    let i18n = I18n::get();
    let id = form.id.clone();
    let name = RwSignal::new(form.name);
    let stops = RwSignal::new(form.checkpoints);
    let to_add = RwSignal::new(String::new());
    // Active checkpoints not on the route yet, offered in the select.
    let addable = Memo::new(move |_| {
        let on_route = stops.get();
        setup.directory.with(|directory| {
            directory
                .as_ref()
                .map(|d| {
                    d.checkpoints
                        .iter()
                        .filter(|c| !c.retired && !on_route.contains(&c.id))
                        .map(|c| (c.id.clone(), format!("{} {}", c.code, c.name)))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let edit = move |change: &dyn Fn(&mut RouteForm)| {
        stops.update(|stops| {
            let mut form = RouteForm {
                checkpoints: std::mem::take(stops),
                ..RouteForm::default()
            };
            change(&mut form);
            *stops = form.checkpoints;
        });
    };
    let add = move |_| {
        let chosen = to_add.get_untracked();
        edit(&|form| form.add(&chosen));
        to_add.set(String::new());
    };
    let save = move || {
        let form = RouteForm {
            id: id.clone(),
            name: name.get_untracked(),
            checkpoints: stops.get_untracked(),
        };
        editor.save(Change::Route(form));
    };
    let stop_rows = move || {
        let list = stops.get();
        let count = list.len();
        list.into_iter()
            .enumerate()
            .map(|(index, id)| {
                let (code, label) = setup.directory.with(|directory| {
                    let checkpoint = directory.as_ref().and_then(|d| d.checkpoint(&id));
                    (
                        code_of(directory, &id),
                        checkpoint.map(|c| c.name.clone()).unwrap_or_default(),
                    )
                });
                view! {
                    <li class="stop" data-testid="route-stop" data-code=code.clone()>
                        <span class="stop-number">{index + 1}</span>
                        <span class="setup-main"><strong>{code.clone()}</strong> " " {label}</span>
                        <span class="setup-actions">
                            <button type="button" class="button" data-testid="route-stop-up"
                                aria-label=move || i18n.t(Key::MoveUp)
                                disabled=index == 0
                                on:click=move |_| edit(&|form| form.shift(index, true))>"↑"</button>
                            <button type="button" class="button" data-testid="route-stop-down"
                                aria-label=move || i18n.t(Key::MoveDown)
                                disabled=index + 1 == count
                                on:click=move |_| edit(&|form| form.shift(index, false))>"↓"</button>
                            <button type="button" class="button" data-testid="route-stop-remove"
                                on:click=move |_| edit(&|form| form.remove(index))>
                                {move || i18n.t(Key::Remove)}
                            </button>
                        </span>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <EditorForm editor on_save=save>
            <TextField label=Key::RouteName testid="route-name" value=name />
            <h3>{move || i18n.t(Key::RouteStops)}</h3>
            <Show
                when=move || stops.with(|s| !s.is_empty())
                fallback=move || view! { <p class="muted">{move || i18n.t(Key::NoStopsYet)}</p> }
            >
                <ol class="stops">{stop_rows}</ol>
            </Show>
            <div class="add-row">
                <select
                    data-testid="route-add-checkpoint"
                    prop:value=move || to_add.get()
                    on:change=move |event| to_add.set(event_target_value(&event))
                >
                    <option value="">{move || i18n.t(Key::ChooseCheckpoint)}</option>
                    <For each=move || addable.get() key=|(id, label)| (id.clone(), label.clone()) let:option>
                        <option value=option.0.clone()>{option.1.clone()}</option>
                    </For>
                </select>
                <button
                    type="button"
                    class="button"
                    data-testid="route-add"
                    disabled=move || to_add.with(String::is_empty)
                    on:click=add
                >
                    {move || i18n.t(Key::AddToRoute)}
                </button>
            </div>
        </EditorForm>
    }
}
