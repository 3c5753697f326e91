//! The schedule editor: the zone's schedules, and a form for route, name,
//! shift start and end, minutes between fixed rounds, tolerance, minutes per
//! round and unannounced rounds per shift, with a live preview of the due
//! times; retire / restore. Input only; [`crate::setup`] decides what is
//! stored.

use leptos::prelude::*;
use roundbook_shared::domain::format_minute;
use roundbook_shared::schema::schedule::Schedule;

use super::editor::{records, Editor, EditorForm, EditorRow, EditorSection};
use super::{problem_text, Change, ZoneSetup};
use crate::i18n::{filled, I18n, Key, Lang};
use crate::setup::{due_times, ScheduleForm};
use crate::ui::field::{Field, TextField};
use crate::ui::select::LabelledSelect;

/// One line about a schedule: shift, interval, tolerance, unannounced rounds.
fn summary(lang: Lang, schedule: &Schedule) -> String {
    let shift = format!(
        "{}–{}",
        format_minute(schedule.shift_start),
        format_minute(schedule.shift_end)
    );
    let every = schedule.every_minutes.to_string();
    let tolerance = schedule.tolerance_minutes.to_string();
    let minutes = schedule.round_minutes.to_string();
    let unannounced = schedule.unannounced.to_string();
    let values = [
        ("shift", shift.as_str()),
        ("every", &every),
        ("tolerance", &tolerance),
        ("minutes", &minutes),
        ("unannounced", &unannounced),
    ];
    let key = if schedule.every_minutes == 0 {
        Key::ScheduleSummaryUnannounced
    } else {
        Key::ScheduleSummary
    };
    filled(key, lang, &values)
}

#[component]
pub(super) fn ScheduleEditor(setup: ZoneSetup) -> impl IntoView {
    let i18n = I18n::get();
    let editor = Editor::new("schedule", setup);
    let list = records(setup, |d| &d.schedules, |schedule| schedule.retired);
    // A new schedule starts on the first active route.
    let new_form = move || {
        let first_route = setup.directory.with(|d| {
            d.as_ref()
                .and_then(|d| d.routes.iter().find(|r| !r.retired).map(|r| r.id.clone()))
                .unwrap_or_default()
        });
        ScheduleForm::new(&first_route)
    };

    let row = move |schedule: Schedule| {
        let (id, name, form) = (
            schedule.id.clone(),
            schedule.name.clone(),
            ScheduleForm::of(&schedule),
        );
        let retired = schedule.retired;
        let set_retired = move |retired: bool| {
            editor.change(Change::ScheduleRetired(id.clone(), retired));
        };
        let route_id = schedule.route_id.clone();
        let route_name = move || {
            setup.directory.with(|d| {
                d.as_ref()
                    .and_then(|d| d.route(&route_id))
                    .map(|r| r.name.clone())
                    .unwrap_or_default()
            })
        };
        let line = summary_signal(i18n, schedule.clone());
        view! {
            <EditorRow editor retired form set_retired attr:data-schedule-name=name>
                <span class="setup-main">
                    <strong>{schedule.name.clone()}</strong>
                    <span>{route_name}</span>
                    <span class="muted">{line}</span>
                </span>
            </EditorRow>
        }
    };

    view! {
        <EditorSection
            editor
            title=Key::SetupSchedules
            new_label=Key::NewSchedule
            empty=Key::NoSchedulesDefined
            new_form
            form=move |form| view! { <Form setup form editor /> }
            list
            row
        />
    }
}

fn summary_signal(i18n: I18n, schedule: Schedule) -> impl Fn() -> String + Send + Sync + 'static {
    move || summary(i18n.lang(), &schedule)
}

/// The add / change form, with the preview of the due times.
#[component]
fn Form(setup: ZoneSetup, form: ScheduleForm, editor: Editor<ScheduleForm>) -> impl IntoView {
    let i18n = I18n::get();
    let id = form.id.clone();
    let route = RwSignal::new(form.route_id);
    let name = RwSignal::new(form.name);
    let start = RwSignal::new(form.start);
    let end = RwSignal::new(form.end);
    let every = RwSignal::new(form.every);
    let tolerance = RwSignal::new(form.tolerance);
    let round_minutes = RwSignal::new(form.round_minutes);
    let unannounced = RwSignal::new(form.unannounced);
    let current = Memo::new(move |_| ScheduleForm {
        id: id.clone(),
        route_id: route.get(),
        name: name.get(),
        start: start.get(),
        end: end.get(),
        every: every.get(),
        tolerance: tolerance.get(),
        round_minutes: round_minutes.get(),
        unannounced: unannounced.get(),
    });
    // Active routes, and the edited schedule's own route even if retired.
    let routes = Memo::new(move |_| {
        let chosen = route.get();
        setup.directory.with(|d| {
            d.as_ref()
                .map(|d| {
                    d.routes
                        .iter()
                        .filter(|r| !r.retired || r.id == chosen)
                        .map(|r| (r.id.clone(), r.name.clone()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });

    let preview = move || {
        let lang = i18n.lang();
        match current.with(ScheduleForm::schedule) {
            Ok(schedule) => {
                let times = due_times(&schedule);
                let fixed = if times.is_empty() {
                    i18n.t(Key::NoFixedRounds).to_owned()
                } else {
                    times
                        .iter()
                        .map(|due| {
                            if due.next_day {
                                format!("{} ({})", due.time, Key::NextDay.text(lang))
                            } else {
                                due.time.clone()
                            }
                        })
                        .collect::<Vec<_>>()
                        .join("  ")
                };
                let unannounced = filled(
                    Key::PreviewUnannounced,
                    lang,
                    &[("count", &schedule.unannounced.to_string())],
                );
                view! {
                    <p class="preview-times" data-state="ok">{fixed}</p>
                    <p class="muted">{unannounced}</p>
                }
                .into_any()
            }
            // Shows why there is nothing to preview yet; saving shows it as an error.
            Err(problem) => view! {
                <p class="muted" data-state="invalid">{problem_text(lang, &problem)}</p>
            }
            .into_any(),
        }
    };

    let save = move || {
        let form = current.get_untracked();
        editor.save(Change::Schedule(form));
    };

    let number = move |key: Key, testid: &'static str, value: RwSignal<String>| {
        view! {
            <Field label=key>
                <input type="number" inputmode="numeric" min="0" step="1" data-testid=testid bind:value=value />
            </Field>
        }
    };

    view! {
        <EditorForm editor on_save=save>
            <div class="form-grid">
                <LabelledSelect label=Key::ScheduleRoute testid="schedule-route" value=route>
                    <option value="">{move || i18n.t(Key::ChooseRoute)}</option>
                    <For each=move || routes.get() key=|(id, name)| (id.clone(), name.clone()) let:option>
                        <option value=option.0.clone() selected=option.0 == route.get_untracked()>
                            {option.1.clone()}
                        </option>
                    </For>
                </LabelledSelect>
                <TextField label=Key::ScheduleName testid="schedule-name" value=name />
                <TextField label=Key::ShiftStart testid="schedule-start" value=start input_type="time" />
                <TextField label=Key::ShiftEnd testid="schedule-end" value=end input_type="time" />
                {number(Key::EveryMinutes, "schedule-every", every)}
                {number(Key::ToleranceMinutes, "schedule-tolerance", tolerance)}
                {number(Key::RoundMinutes, "schedule-round-minutes", round_minutes)}
                {number(Key::UnannouncedPerShift, "schedule-unannounced", unannounced)}
            </div>
            <div class="preview" data-testid="schedule-preview">
                <h3>{move || i18n.t(Key::PreviewDueTimes)}</h3>
                {preview}
            </div>
        </EditorForm>
    }
}
