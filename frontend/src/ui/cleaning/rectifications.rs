//! Open and overdue rectifications (整改) with their deadlines and photos,
//! and the re-inspection that records the result: passed closes it, failed
//! sets a new deadline.
//!
//! Test ids: `rect-list`, `rect-none`, `rect-item` (`data-rect-id`,
//! `data-item-id`, `data-overdue`, `data-status`), `rect-deadline`,
//! `rect-reinspect` (opens the form), `reinspect-passed`, `reinspect-failed`,
//! `reinspect-deadline` (datetime-local, for failed), `reinspect-note`,
//! `reinspect-save`, `reinspect-result`.

use chrono::NaiveDate;
use leptos::prelude::*;
use roundbook_shared::schema::cleaning::{Rectification, Template};

use super::{actor, area_label, error_key, item_label, labelled, site, Said};
use crate::browser;
use crate::calendar::{short_time, today};
use crate::cleaning::{self, Reinspection, Verdict, SITE_BLOBS};
use crate::i18n::{I18n, Key};
use crate::sync::SyncStatus;
use crate::ui::field::Field;
use crate::ui::photo::Photo;
use crate::ui::{writer_and_site, WorkspaceRef};

/// How many months back rectifications are listed.
const MONTHS: u32 = 12;

#[component]
pub fn RectificationsTab(workspace: WorkspaceRef) -> impl IntoView {
    let i18n = I18n::get();
    let status = expect_context::<SyncStatus>();
    let site = site(workspace);
    let list = Memo::new(move |_| {
        status.revision.track();
        workspace
            .with_value(|ws| cleaning::open_rectifications(&ws.library, &site, today(), MONTHS))
    });
    let locked = Memo::new(|_| false);
    view! {
        <section class="card">
            <h1 class="page-title">{move || i18n.t(Key::CleanRectifications)}</h1>
            <Show
                when=move || list.with(|l| !l.is_empty())
                fallback=move || view! { <p class="muted" data-testid="rect-none">{move || i18n.t(Key::CleanRectNone)}</p> }
            >
                <ul class="clean-rects" data-testid="rect-list">
                    <For each=move || list.get() key=|(_, _, r)| (r.id.clone(), r.deadline, r.status.clone()) let:entry>
                        <RectificationCard workspace month=entry.0 template=entry.1 rectification=entry.2 locked />
                    </For>
                </ul>
            </Show>
        </section>
    }
}

/// The photos of the deductions that opened a rectification.
fn photos_of(
    workspace: WorkspaceRef,
    month: NaiveDate,
    rectification: &Rectification,
) -> Vec<String> {
    let site = site(workspace);
    workspace
        .with_value(|ws| cleaning::month(&ws.library, &site, month))
        .map(|view| {
            view.marks
                .iter()
                .filter(|m| {
                    m.inspection_id == rectification.inspection_id
                        && m.item_id == rectification.item_id
                })
                .flat_map(|m| m.photos.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// One open rectification and its re-inspection form.
#[component]
pub(super) fn RectificationCard(
    workspace: WorkspaceRef,
    month: NaiveDate,
    template: Template,
    rectification: Rectification,
    locked: Memo<bool>,
) -> impl IntoView {
    let i18n = I18n::get();
    let now = browser::now_ms();
    let overdue = rectification.is_overdue(now);
    let open = RwSignal::new(false);
    let passed = RwSignal::new(true);
    let deadline = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    // The form's own check is told here too.
    let said = RwSignal::new(None::<(bool, Key)>);
    let id = rectification.id.clone();
    let save = Action::new_local(move |(verdict, note): &(Verdict, String)| {
        let ((writer, site), who) = (writer_and_site(workspace), actor(workspace));
        let (id, verdict, note) = (id.clone(), verdict.clone(), note.clone());
        async move {
            let reinspection = Reinspection {
                month,
                rectification: &id,
                verdict,
                note: &note,
            };
            let now = browser::now_ms();
            match cleaning::reinspect(&writer, &site, &who, &reinspection, now).await {
                Ok(_) => {
                    said.try_set(Some((true, Key::CleanResultSaved)));
                    open.try_set(false);
                }
                Err(error) => {
                    said.try_set(Some((false, error_key(&error))));
                }
            }
        }
    });
    let busy = save.pending();
    let photos = photos_of(workspace, month, &rectification)
        .into_iter()
        .map(|hash| view! { <Photo workspace zone=SITE_BLOBS.to_string() hash /> })
        .collect_view();
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let verdict = if passed.get_untracked() {
            Verdict::Passed
        } else {
            match parse_local(&deadline.get_untracked()) {
                Some(at) => Verdict::Failed(at),
                None => {
                    said.set(Some((false, Key::CleanDeadlineInvalid)));
                    return;
                }
            }
        };
        said.set(None);
        save.dispatch_local((verdict, note.get_untracked()));
    };
    let lang = move || i18n.lang();
    let (area_id, item_id) = (rectification.area_id.clone(), rectification.item_id.clone());
    let title = {
        let template = template.clone();
        move || {
            format!(
                "{} · {}",
                area_label(lang(), &template, &area_id),
                item_label(lang(), &template, &area_id, &item_id)
            )
        }
    };
    view! {
        <li
            class="clean-rect"
            class:clean-overdue=overdue
            data-testid="rect-item"
            data-rect-id=rectification.id.clone()
            data-item-id=rectification.item_id.clone()
            data-overdue=overdue.to_string()
            data-status=rectification.status.clone()
        >
            <div class="clean-item-head">
                <strong>{title}</strong>
                <span class=if overdue { "badge badge-error" } else { "badge" }>
                    {move || i18n.t(if overdue { Key::CleanRectOverdue } else { Key::CleanRectOpen })}
                </span>
            </div>
            <p>{rectification.reason.clone()}</p>
            <p class="muted" data-testid="rect-deadline">
                {
                    let deadline = short_time(rectification.deadline);
                    move || labelled(i18n.lang(), Key::CleanDeadline, &deadline)
                }
            </p>
            {(!rectification.result_note.is_empty()).then(|| view! { <p class="muted">{rectification.result_note.clone()}</p> })}
            <div class="thumbs">{photos}</div>
            <Show when=move || !open.get()>
                <button
                    class="button"
                    data-testid="rect-reinspect"
                    disabled=move || locked.get()
                    on:click=move |_| open.set(true)
                >
                    {move || i18n.t(Key::CleanReinspect)}
                </button>
            </Show>
            <Show when=move || open.get()>
                <form class="clean-reinspect" novalidate on:submit=submit>
                    <div class="button-row">
                        <label class="check">
                            <input type="radio" data-testid="reinspect-passed" prop:checked=move || passed.get() on:change=move |_| passed.set(true) />
                            <span>{move || i18n.t(Key::CleanPassed)}</span>
                        </label>
                        <label class="check">
                            <input type="radio" data-testid="reinspect-failed" prop:checked=move || !passed.get() on:change=move |_| passed.set(false) />
                            <span>{move || i18n.t(Key::CleanFailed)}</span>
                        </label>
                    </div>
                    <Show when=move || !passed.get()>
                        <Field label=Key::CleanNewDeadline>
                            <input type="datetime-local" data-testid="reinspect-deadline" bind:value=deadline />
                        </Field>
                    </Show>
                    <Field label=Key::CleanNote>
                        <textarea rows="2" maxlength="500" data-testid="reinspect-note" bind:value=note></textarea>
                    </Field>
                    <div class="button-row">
                        <button type="button" class="button" on:click=move |_| open.set(false)>
                            {move || i18n.t(Key::CleanCancel)}
                        </button>
                        <button type="submit" class="button button-primary" data-testid="reinspect-save" disabled=move || busy.get()>
                            {move || i18n.t(Key::CleanRecordResult)}
                        </button>
                    </div>
                </form>
            </Show>
            <Said testid="reinspect-result" said />
        </li>
    }
}

/// A `datetime-local` value (site time) as Unix ms.
pub fn parse_local(value: &str) -> Option<i64> {
    let at = chrono::NaiveDateTime::parse_from_str(value.trim(), "%Y-%m-%dT%H:%M").ok()?;
    let minute = at.time().hour() * 60 + at.time().minute();
    Some(roundbook_shared::domain::instant_at(at.date(), minute))
}

use chrono::Timelike;

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn a_new_deadline_is_read_in_site_time() {
        let at = parse_local("2026-03-05T18:00").unwrap();
        assert_eq!(
            roundbook_shared::domain::local_date(at).to_string(),
            "2026-03-05"
        );
        assert_eq!(
            at,
            roundbook_shared::domain::instant_at("2026-03-05".parse().unwrap(), 18 * 60)
        );
        assert_eq!(parse_local("tomorrow"), None);
    }
}
