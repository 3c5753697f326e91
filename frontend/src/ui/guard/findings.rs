//! Findings on patrol: the "record a finding" form (kind, severity, note, up
//! to six photos, needs repair) and the list of findings, each needing a
//! repair with the state of the request it became.
//!
//! A photo is downscaled and stored in IndexedDB as soon as it is picked, so
//! the finding that refers to it is only saved once its photos are on the
//! tablet. Saving works offline like every record; the photos upload
//! separately.

use leptos::prelude::*;
use roundbook_shared::schema::finding::{Finding, FindingKind, Severity};
use roundbook_shared::schema::round::Round;

use super::{Duty, Feedback, Message, NoteField, Said, SubmitRow};
use crate::blobs::BlobError;
use crate::browser;
use crate::calendar::short_time;
use crate::i18n::{filled, finding_kind_key, severity_key, I18n, Key};
use crate::patrol::{self, FindingDraft, PatrolError};
use crate::photo::PhotoError;
use crate::requests;
use crate::sync::SyncStatus;
use crate::ui::photo::Photo;
use crate::ui::photo_picker::{submit_with_photos, PhotoPicker, PickProblem, PickedPhotos};
use crate::ui::requests::state_key;
use crate::ui::select::{named_words, LabelledSelect, WordSelect};
use crate::ui::WorkspaceRef;

named_words!(FindingKind => finding_kind_key, Severity => severity_key);

/// The "record a finding" button, the form it opens, and `list` below.
#[component]
pub(super) fn Findings(
    duty: Duty,
    /// The round the findings are recorded on; `None` outside a round.
    #[prop(into)]
    round: Signal<Option<Round>>,
    #[prop(into)] list: Signal<Vec<Finding>>,
) -> impl IntoView {
    let i18n = I18n::get();
    let open = RwSignal::new(false);
    let message = RwSignal::new(None::<(bool, Said)>);
    view! {
        <section class="card findings-card">
            <div class="card-head">
                <h2>{move || i18n.t(Key::DutyFindings)}</h2>
                <Show when=move || !open.get()>
                    <button
                        class="button"
                        data-testid="finding-new"
                        on:click=move |_| {
                            message.set(None);
                            open.set(true);
                        }
                    >
                        {move || i18n.t(Key::FindingNew)}
                    </button>
                </Show>
            </div>
            <Show when=move || open.get()>
                <FindingForm duty round message on_close=move || open.set(false) />
            </Show>
            <Show when=move || !open.get()>
                <Feedback testid="finding-result" message />
            </Show>
            <ul class="findings">
                <For each=move || list.get() key=|finding| finding.id.clone() let:finding>
                    <FindingItem workspace=duty.workspace zone=duty.zone.get_untracked() finding />
                </For>
            </ul>
        </section>
    }
}

/// What the form says about a picked photo that was not added.
fn pick_problem_key(problem: &PickProblem) -> Key {
    match problem {
        PickProblem::TooMany => Key::FindingTooManyPhotos,
        PickProblem::Photo(PhotoError::NotAnImage) => Key::PhotoNotImage,
        PickProblem::Photo(PhotoError::TooLarge) => Key::PhotoTooLarge,
        PickProblem::Photo(PhotoError::Failed(detail)) => {
            web_sys::console::error_1(&format!("photo: {detail}").into());
            Key::PhotoFailed
        }
        PickProblem::Store(BlobError::Corrupt) => Key::PhotoNotImage,
        PickProblem::Store(BlobError::Refused(_)) => Key::PhotoTooLarge,
        PickProblem::Store(other) => {
            web_sys::console::error_1(&format!("photo: {other:?}").into());
            Key::SaveFailed
        }
    }
}

#[component]
fn FindingForm(
    duty: Duty,
    round: Signal<Option<Round>>,
    message: RwSignal<Message>,
    on_close: impl Fn() + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = I18n::get();
    let kind = RwSignal::new(FindingKind::FacilityDamage);
    let severity = RwSignal::new(Severity::Medium);
    let note = RwSignal::new(String::new());
    let needs_repair = RwSignal::new(false);
    // Where it was found: on a round, the checkpoint scanned last.
    let checkpoint = RwSignal::new(last_scanned(duty, round.get_untracked()));
    // Photos are stored as they are picked; the finding waits for them.
    let photos = PickedPhotos::new();
    // The photo picker's problems are told here too.
    let problem = RwSignal::new(None::<(bool, Said)>);

    let on_close_saved = on_close.clone();
    let save = Action::new_local(move |draft: &FindingDraft| {
        let (writer, who, zone) = (duty.writer(), duty.patroller(), duty.zone.get_untracked());
        let (round, draft, close) = (round.get_untracked(), draft.clone(), on_close_saved.clone());
        async move {
            let now = browser::now_ms();
            let result =
                patrol::record_finding(&writer, &who, &zone, round.as_ref(), &draft, now).await;
            match result {
                Ok(_) => {
                    duty.saved();
                    message.try_set(Some((true, Said::Key(Key::FindingSaved))));
                    close();
                }
                Err(error) => {
                    problem.try_set(Some((false, Said::Key(error_key(&error)))));
                }
            }
        }
    });
    let saving = save.pending();
    let submit = submit_with_photos(photos, saving, move || {
        problem.set(None);
        let draft = FindingDraft {
            kind: kind.get_untracked(),
            severity: severity.get_untracked(),
            note: note.get_untracked(),
            photos: photos.hashes_untracked(),
            needs_repair: needs_repair.get_untracked(),
            checkpoint_id: checkpoint.get_untracked(),
            repair_fallback: i18n.t(finding_kind_key(kind.get_untracked())).to_owned(),
        };
        save.dispatch_local(draft);
    });

    let workspace = duty.workspace;
    view! {
        <form class="finding-form" data-testid="finding-form" on:submit=submit novalidate>
            <h3>{move || i18n.t(Key::FindingTitle)}</h3>
            <div class="field-row">
                <WordSelect label=Key::FindingKind testid="finding-kind" value=kind />
                <WordSelect label=Key::FindingSeverity testid="finding-severity" value=severity />
            </div>
            <LabelledSelect label=Key::FindingCheckpoint testid="finding-checkpoint" value=checkpoint>
                <option value="">{move || i18n.t(Key::FindingNoCheckpoint)}</option>
                {checkpoint_options(duty)}
            </LabelledSelect>
            <NoteField label=Key::FindingNote hint=Key::FindingNoteHint testid="finding-note" rows="3" value=note />
            <div class="field">
                <span>{move || i18n.t(Key::FindingPhotos)}</span>
                <PhotoPicker
                    workspace
                    zone=duty.zone
                    photos
                    label=Key::FindingPhotos
                    testid="finding-photo"
                    remove_title=Key::FindingRemovePhoto
                    on_problem={move |picked: Option<PickProblem>| {
                        problem.try_set(picked.map(|p| (false, Said::Key(pick_problem_key(&p)))));
                    }}
                />
                <Show when=move || photos.processing()>
                    <p class="muted" data-testid="finding-photo-processing">{move || i18n.t(Key::PhotoProcessing)}</p>
                </Show>
            </div>
            <label class="check">
                <input type="checkbox" data-testid="finding-needs-repair" bind:checked=needs_repair />
                <span>{move || i18n.t(Key::FindingNeedsRepair)}</span>
            </label>
            <SubmitRow
                cancel_testid="finding-cancel"
                on_cancel=on_close
                submit_testid="finding-save"
                disabled=Signal::derive(move || saving.get() || photos.processing())
            >
                {move || i18n.t(if saving.get() { Key::Saving } else { Key::FindingSave })}
            </SubmitRow>
            <Feedback testid="finding-result" message=problem />
        </form>
    }
}

/// The message for a finding that was not saved.
fn error_key(error: &PatrolError) -> Key {
    match error {
        PatrolError::EmptyFinding => Key::FindingEmpty,
        PatrolError::TooManyPhotos => Key::FindingTooManyPhotos,
        PatrolError::NoteTooLong => Key::FindingNoteTooLong,
        PatrolError::UnknownCheckpoint => Key::FindingUnknownCheckpoint,
        other => {
            web_sys::console::error_1(&format!("finding: {other:?}").into());
            Key::SaveFailed
        }
    }
}

/// The zone's checkpoints in service, as options (code and name).
fn checkpoint_options(duty: Duty) -> impl IntoView {
    move || {
        duty.records.with(|records| {
            records
                .checkpoints
                .iter()
                .filter(|checkpoint| !checkpoint.retired)
                .map(|checkpoint| {
                    let label = format!("{} {}", checkpoint.code, checkpoint.name);
                    view! { <option value=checkpoint.id.clone()>{label}</option> }
                })
                .collect_view()
        })
    }
}

/// The checkpoint scanned last on `round`, or empty (off a round, or none yet).
fn last_scanned(duty: Duty, round: Option<Round>) -> String {
    let Some(round) = round else {
        return String::new();
    };
    duty.records.with_untracked(|records| {
        records
            .scans
            .iter()
            .filter(|scan| scan.round_id == round.id)
            .max_by_key(|scan| scan.scanned_at)
            .map(|scan| scan.checkpoint_id.clone())
            .unwrap_or_default()
    })
}

/// One finding as the lists show it: kind, severity, time, note, photos,
/// and the repair request it becomes.
#[component]
pub(super) fn FindingItem(
    workspace: WorkspaceRef,
    zone: String,
    finding: Finding,
) -> impl IntoView {
    let i18n = I18n::get();
    let kind = FindingKind::parse(&finding.kind);
    let severity = Severity::parse(&finding.severity);
    let photos = finding
        .photos
        .iter()
        .map(|hash| view! { <Photo workspace zone=zone.clone() hash=hash.clone() /> })
        .collect_view();
    let request = finding.request_id.clone();
    // The request it became, as this tablet sees it now (it follows syncs).
    let status = expect_context::<SyncStatus>();
    let request_state = {
        let (zone, finding) = (zone.clone(), finding.clone());
        Memo::new(move |_| {
            status.revision.track();
            workspace.with_value(|ws| {
                requests::finding_request(&ws.library, ws.session.site_code(), &zone, &finding)
                    .map(|view| view.state)
            })
        })
    };
    view! {
        <li
            class="finding"
            data-testid="finding-item"
            data-finding-id=finding.id.clone()
            data-kind=finding.kind.clone()
            data-severity=finding.severity.clone()
        >
            <div class="finding-head">
                <strong>{move || kind.map(|k| i18n.t(finding_kind_key(k))).unwrap_or_default()}</strong>
                <span class=format!("severity severity-{}", finding.severity)>
                    {move || severity.map(|s| i18n.t(severity_key(s))).unwrap_or_default()}
                </span>
                <span class="muted">{short_time(finding.found_at)} " · " {finding.guard_name.clone()}</span>
            </div>
            <p class="finding-note">{finding.note.clone()}</p>
            <div class="thumbs">{photos}</div>
            <Show when={
                let request = request.clone();
                move || !request.is_empty()
            }>
                <p
                    class="muted"
                    data-testid="finding-request"
                    data-request-id=request.clone()
                    data-state=move || request_state.get().map(|state| state.as_str()).unwrap_or("")
                >
                    {move || match request_state.get() {
                        Some(state) => filled(
                            Key::FindingRequestState,
                            i18n.lang(),
                            &[("state", i18n.t(state_key(state)))],
                        ),
                        None => i18n.t(Key::FindingRepairRequest).to_owned(),
                    }}
                </p>
            </Show>
        </li>
    }
}
