//! Requests (诉求): the zone's request list, the intake form, a request's
//! workflow screen, the 15:30 daily review and the collective-complaint
//! alert. Components show what [`crate::requests`] reads and forward actions
//! to it; the rules (what is allowed, deadlines, the concurrent-edit rule)
//! are the shared crate's.
//!
//! Test ids: `request-new` (opens the intake form), `request-zone` (zone
//! picker; "all zones" is the empty value), `request-filter-{open,overdue,all}`,
//! `request-row` (with `data-request-id`, `data-zone`, `data-state`,
//! `data-overdue`), `request-row-zone`, `request-empty`, `request-pick-zone`
//! (the hint that a new request needs a zone); the
//! form's and the detail's ids are listed in `intake.rs` and `detail.rs`.

mod alert;
mod assignee;
mod detail;
mod intake;
mod review;

pub use alert::CollectiveAlert;
pub use review::ReviewTab;

use leptos::prelude::*;
use roundbook_shared::deadline::{next_deadline, Deadline, DeadlineKind, DeadlineStatus};
use roundbook_shared::domain::mask_phone;
use roundbook_shared::reach;
use roundbook_shared::schema::request::{
    Action, Channel, Classification, Handling, ReportTarget, RequestKind, Satisfaction,
};
use roundbook_shared::schema::DocKind;
use roundbook_shared::workflow::{Refusal, RequestView, State};

use crate::browser;
use crate::calendar::short_time;
use crate::i18n::{I18n, Key};
use crate::requests::{self, RequestError};
use crate::sync::SyncStatus;
use crate::ui::actor;
use crate::ui::select::{named_words, several_zones, ChoiceButton, ZoneSelect};
use crate::ui::WorkspaceRef;

/// The request list of one of the user's zones, with the intake form and a
/// request's screen.
#[component]
pub fn RequestsTab(workspace: WorkspaceRef) -> impl IntoView {
    let i18n = I18n::get();
    let zones = workspace.with_value(|ws| ws.session.zones().to_vec());
    let zone = RwSignal::new(zones.first().map(|z| z.code.clone()).unwrap_or_default());
    // The request open on screen: (zone, id).
    let open = RwSignal::new(None::<(String, String)>);
    let creating = RwSignal::new(false);
    let filter = RwSignal::new(Filter::Open);
    let saved = RwSignal::new(false);

    let picker = move || {
        several_zones(workspace).then(|| {
            view! {
                <ZoneSelect
                    workspace
                    zone
                    testid="request-zone"
                    label=Key::ReqZone
                    inline=true
                    all_zones=true
                    on_pick=move |_| open.set(None)
                />
            }
        })
    };

    view! {
        <section class="requests">
            {move || match (open.get(), creating.get()) {
                (Some((in_zone, id)), _) => view! {
                    <detail::RequestDetail
                        workspace
                        zone=in_zone
                        request_id=id
                        on_back=move || open.set(None)
                    />
                }
                .into_any(),
                (None, true) => view! {
                    <intake::IntakeForm
                        workspace
                        zone=zone.get_untracked()
                        on_done=move |id| {
                            creating.set(false);
                            saved.set(id.is_some());
                            if let Some(id) = id {
                                open.set(Some((zone.get_untracked(), id)));
                            }
                        }
                    />
                }
                .into_any(),
                (None, false) => view! {
                    <div class="card-head no-print">
                        <h1 class="page-title">{move || i18n.t(Key::TabRequests)}</h1>
                        {picker()}
                        <button
                            class="button"
                            data-testid="request-new"
                            disabled=move || zone.with(String::is_empty)
                            on:click=move |_| creating.set(true)
                        >
                            {move || i18n.t(Key::ReqNew)}
                        </button>
                    </div>
                    <Show when=move || zone.with(String::is_empty)>
                        <p class="muted no-print" data-testid="request-pick-zone">{move || i18n.t(Key::ReqPickZone)}</p>
                    </Show>
                    <Show when=move || saved.get()>
                        <p class="message message-ok" role="status" data-testid="request-saved">
                            {move || i18n.t(Key::ReqSaved)}
                        </p>
                    </Show>
                    <FilterBar filter />
                    <RequestList workspace zone filter on_open=move |picked| open.set(Some(picked)) />
                }
                .into_any(),
            }}
        </section>
    }
}

/// Which requests the list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Filter {
    Open,
    Overdue,
    All,
}

#[component]
fn FilterBar(filter: RwSignal<Filter>) -> impl IntoView {
    [
        (Filter::Open, "request-filter-open", Key::ReqFilterOpen),
        (
            Filter::Overdue,
            "request-filter-overdue",
            Key::ReqFilterOverdue,
        ),
        (Filter::All, "request-filter-all", Key::ReqFilterAll),
    ]
    .into_iter()
    .map(|(which, testid, key)| {
        view! { <ChoiceButton testid=testid.to_owned() label=key current=filter value=which /> }
    })
    .collect_view()
}

#[component]
fn RequestList(
    workspace: WorkspaceRef,
    zone: RwSignal<String>,
    filter: RwSignal<Filter>,
    on_open: impl Fn((String, String)) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = I18n::get();
    let status = expect_context::<SyncStatus>();
    let rows = Memo::new(move |_| {
        status.revision.track();
        let zone = zone.get();
        let now = browser::now_ms();
        // The empty zone is the whole site: every zone of the user's, newest first.
        let list = workspace.with_value(|ws| {
            if zone.is_empty() {
                requests::site_requests(
                    &ws.library,
                    ws.session.site_code(),
                    ws.session.zones(),
                    now,
                )
            } else {
                requests::zone_requests(&ws.library, ws.session.site_code(), &zone, now)
            }
        });
        let whole_site = zone.is_empty();
        let which = filter.get();
        list.into_iter()
            .map(|view| {
                let next = next_deadline(&view, now);
                (view, next)
            })
            .filter(|(view, next)| match which {
                Filter::Open => view.state.is_open(),
                Filter::Overdue => next
                    .as_ref()
                    .is_some_and(|d| d.status == DeadlineStatus::Overdue),
                Filter::All => true,
            })
            .map(|(view, next)| {
                let mut row = Row::of(&view, next);
                if whole_site {
                    row.zone_name =
                        Some(workspace.with_value(|ws| ws.session.zone_name(&row.zone)));
                }
                row
            })
            .collect::<Vec<_>>()
    });
    view! {
        <Show
            when=move || rows.with(|rows| !rows.is_empty())
            fallback=move || view! { <p class="muted" data-testid="request-empty">{move || i18n.t(Key::ReqEmpty)}</p> }
        >
            <ul class="request-list">
                <For each=move || rows.get() key=|row| (row.id.clone(), row.state, row.overdue) let:row>
                    <RequestRow row on_open />
                </For>
            </ul>
        </Show>
    }
}

/// One line of a request list.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Row {
    id: String,
    zone: String,
    /// The zone's name, shown when the list spans the whole site.
    zone_name: Option<String>,
    unit: String,
    kind: RequestKind,
    state: State,
    owner: String,
    description: String,
    collective: bool,
    households: u32,
    received_at: i64,
    next: Option<Deadline>,
    overdue: bool,
}

impl Row {
    fn of(view: &RequestView, next: Option<Deadline>) -> Row {
        let overdue = next
            .as_ref()
            .is_some_and(|d| d.status == DeadlineStatus::Overdue);
        Row {
            id: view.request.id.clone(),
            zone: view.request.zone.clone(),
            zone_name: None,
            // A request born of a patrol finding has no unit: its checkpoint.
            unit: if view.request.unit_label.is_empty() {
                view.request.checkpoint_label.clone()
            } else {
                view.request.unit_label.clone()
            },
            kind: view.request.kind(),
            state: view.state,
            owner: view.request.received_by_name.clone(),
            description: view.request.description.clone(),
            collective: view.request.collective,
            households: view.request.households,
            received_at: view.request.received_at,
            next,
            overdue,
        }
    }
}

#[component]
fn RequestRow(
    row: Row,
    on_open: impl Fn((String, String)) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = I18n::get();
    let picked = (row.zone.clone(), row.id.clone());
    view! {
        <li
            class="request-row card"
            class:overdue=row.overdue
            data-testid="request-row"
            data-request-id=row.id.clone()
            data-zone=row.zone.clone()
            data-state=row.state.as_str()
            data-overdue=row.overdue.to_string()
            on:click=move |_| on_open(picked.clone())
        >
            <div class="request-row-head">
                {row.zone_name.clone().map(|name| view! { <span class="badge" data-testid="request-row-zone">{name}</span> })}
                <strong class="request-row-unit">{row.unit.clone()}</strong>
                <span class="badge">{move || i18n.t(kind_key(row.kind))}</span>
                <span class="badge" data-testid="request-state">{move || i18n.t(state_key(row.state))}</span>
                {row.overdue.then(|| view! {
                    <span class="badge badge-error" data-testid="request-overdue">{move || i18n.t(Key::ReqOverdue)}</span>
                })}
                {row.collective.then(|| view! {
                    <span class="badge badge-alert" data-testid="request-collective">
                        {move || i18n.t(Key::ReqCollective)} " · "
                        {move || crate::i18n::filled(Key::ReqHouseholdsCount, i18n.lang(), &[("n", &row.households.to_string())])}
                    </span>
                })}
            </div>
            <p class="request-row-text">{row.description.clone()}</p>
            <p class="request-row-meta muted">
                <span>{short_time(row.received_at)}</span>
                <span>{move || i18n.label(Key::ReqOwner)} {row.owner.clone()}</span>
                {row.next.clone().map(|next| view! { <DeadlineBadge deadline=next /> })}
            </p>
        </li>
    }
}

/// A deadline: what, when, and where it stands.
#[component]
pub(super) fn DeadlineBadge(deadline: Deadline) -> impl IntoView {
    let i18n = I18n::get();
    let class = match deadline.status {
        DeadlineStatus::Overdue | DeadlineStatus::Missed => "deadline deadline-late",
        DeadlineStatus::Met => "deadline deadline-met",
        DeadlineStatus::Pending => "deadline",
    };
    view! {
        <span class=class data-testid="request-deadline" data-kind=deadline.kind.as_str() data-status=status_word(deadline.status)>
            {move || i18n.t(deadline_key(deadline.kind))} " "
            {short_time(deadline.due_at)} " "
            {move || i18n.t(status_key(deadline.status))}
        </span>
    }
}

/// A phone as this user may see it: in full for those who serve residents, masked otherwise.
pub(super) fn shown_phone(workspace: WorkspaceRef, phone: &str) -> String {
    let full =
        workspace.with_value(|ws| reach::reads(ws.session.roles(), DocKind::ResidentDirectory));
    if full {
        phone.to_owned()
    } else {
        mask_phone(phone)
    }
}

/// Whether the user heads the office (the collective-complaint alert is theirs).
pub fn is_office_head(workspace: WorkspaceRef) -> bool {
    workspace.with_value(|ws| ws.session.roles().iter().any(|role| role.heads_office()))
}

fn status_word(status: DeadlineStatus) -> &'static str {
    match status {
        DeadlineStatus::Met => "met",
        DeadlineStatus::Pending => "pending",
        DeadlineStatus::Overdue => "overdue",
        DeadlineStatus::Missed => "missed",
    }
}

pub(crate) fn error_key(error: &RequestError) -> Key {
    match error {
        RequestError::NoDescription => Key::ReqErrDescription,
        RequestError::BadPhone => Key::ReqErrPhone,
        RequestError::BadCollective => Key::ReqErrCollective,
        RequestError::NoteNeeded => Key::ReqErrNote,
        RequestError::AssigneeNeeded => Key::ReqErrAssignee,
        RequestError::ReplyTimeNeeded => Key::ReqErrReplyBy,
        RequestError::FollowUpNeeded => Key::ReqErrFollowUp,
        RequestError::ReferenceNeeded => Key::ReqErrReference,
        RequestError::TooManyPhotos => Key::ReqErrPhotos,
        RequestError::TextTooLong => Key::ReqErrTooLong,
        RequestError::Refused(refusal) => match refusal {
            Refusal::NotNow(_) => Key::ReqErrNotNow,
            Refusal::NotTheAssignee => Key::ReqErrAssigneeOnly,
            Refusal::NoSatisfiedCallback => Key::ReqErrNoCallback,
            Refusal::NotInvalid => Key::ReqErrNotInvalid,
            Refusal::NotAComplaint | Refusal::NotARepair => Key::ReqErrKindOnly,
            Refusal::Malformed => Key::ReqErrSave,
        },
        RequestError::NotFound => Key::ReqErrNotFound,
        RequestError::Busy => Key::ReqErrBusy,
        RequestError::Invalid(detail) | RequestError::NotSaved(detail) => {
            web_sys::console::error_1(&format!("request: {detail}").into());
            Key::ReqErrSave
        }
    }
}

pub(crate) fn state_key(state: State) -> Key {
    match state {
        State::Received => Key::ReqStReceived,
        State::Assigned => Key::ReqStAssigned,
        State::Accepted => Key::ReqStAccepted,
        State::InProgress => Key::ReqStInProgress,
        State::Returned => Key::ReqStReturned,
        State::Transferred => Key::ReqStTransferred,
        State::Done => Key::ReqStDone,
        State::CalledBack => Key::ReqStCalledBack,
        State::Closed => Key::ReqStClosed,
    }
}

named_words!(
    Channel => channel_key,
    RequestKind => kind_key,
    Classification => classification_key,
    Handling => handling_key,
    Satisfaction => satisfaction_key,
    ReportTarget => target_key,
);

pub(crate) fn kind_key(kind: RequestKind) -> Key {
    match kind {
        RequestKind::Medical => Key::ReqKMedical,
        RequestKind::RepairHome => Key::ReqKRepairHome,
        RequestKind::RepairCommon => Key::ReqKRepairCommon,
        RequestKind::Complaint => Key::ReqKComplaint,
        RequestKind::Enquiry => Key::ReqKEnquiry,
        RequestKind::Crime => Key::ReqKCrime,
        RequestKind::Disaster => Key::ReqKDisaster,
        RequestKind::Other => Key::ReqKOther,
    }
}

pub(super) fn channel_key(channel: Channel) -> Key {
    match channel {
        Channel::Phone => Key::ReqChPhone,
        Channel::WalkIn => Key::ReqChWalkIn,
        Channel::Visit => Key::ReqChVisit,
        Channel::WalkRound => Key::ReqChWalkRound,
        Channel::LetterOnline => Key::ReqChLetter,
        Channel::CompanyCentre => Key::ReqChCentre,
    }
}

pub(super) fn action_key(action: Action) -> Key {
    match action {
        Action::Assign => Key::ReqActAssign,
        Action::Accept => Key::ReqActAccept,
        Action::Start => Key::ReqActStart,
        Action::Return => Key::ReqActReturn,
        Action::Transfer => Key::ReqActTransfer,
        Action::Done => Key::ReqActDone,
        Action::Callback => Key::ReqActCallback,
        Action::Close => Key::ReqActClose,
        Action::CloseInvalid => Key::ReqActCloseInvalid,
        Action::Classify => Key::ReqActClassify,
        Action::Mark => Key::ReqActMark,
        Action::Note => Key::ReqActNote,
        Action::Report => Key::ReqActReport,
    }
}

pub(super) fn classification_key(value: Classification) -> Key {
    match value {
        Classification::Valid => Key::ReqClValid,
        Classification::Invalid => Key::ReqClInvalid,
        Classification::OtherDepartment => Key::ReqClOther,
    }
}

pub(super) fn handling_key(value: Handling) -> Key {
    match value {
        Handling::Normal => Key::ReqHNormal,
        Handling::Z => Key::ReqHZ,
        Handling::Q => Key::ReqHQ,
        Handling::Gt => Key::ReqHGt,
    }
}

pub(super) fn satisfaction_key(value: Satisfaction) -> Key {
    match value {
        Satisfaction::Satisfied => Key::ReqSatSatisfied,
        Satisfaction::Basically => Key::ReqSatBasic,
        Satisfaction::NotSatisfied => Key::ReqSatNot,
    }
}

pub(super) fn target_key(value: ReportTarget) -> Key {
    match value {
        ReportTarget::Head => Key::ReqToHead,
        ReportTarget::Company => Key::ReqToCompany,
        ReportTarget::Centre => Key::ReqToCentre,
        ReportTarget::Supervisor => Key::ReqToSupervisor,
    }
}

fn deadline_key(kind: DeadlineKind) -> Key {
    match kind {
        DeadlineKind::Response => Key::ReqDlResponse,
        DeadlineKind::SpotReport => Key::ReqDlSpot,
        DeadlineKind::Head => Key::ReqDlHead,
        DeadlineKind::Company => Key::ReqDlCompany,
        DeadlineKind::CentreResult => Key::ReqDlCentre,
        DeadlineKind::FollowUp => Key::ReqDlFollowUp,
    }
}

fn status_key(status: DeadlineStatus) -> Key {
    match status {
        DeadlineStatus::Met => Key::ReqMet,
        DeadlineStatus::Pending => Key::ReqPending,
        DeadlineStatus::Overdue => Key::ReqOverdue,
        DeadlineStatus::Missed => Key::ReqMissed,
    }
}

#[cfg(test)]
mod tests {
    use roundbook_shared::domain::Role;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;
    use crate::ui::testing::{find, has, mount, pause};

    fn row(overdue: bool) -> Row {
        Row {
            id: "req-1".into(),
            zone: "A".into(),
            zone_name: Some("A区".into()),
            unit: "5栋1单元802".into(),
            kind: RequestKind::Complaint,
            state: State::Received,
            owner: "陈静".into(),
            description: "楼上漏水".into(),
            collective: false,
            households: 0,
            received_at: 0,
            next: Some(Deadline {
                kind: DeadlineKind::Response,
                due_at: 0,
                met_at: None,
                status: if overdue {
                    DeadlineStatus::Overdue
                } else {
                    DeadlineStatus::Pending
                },
            }),
            overdue,
        }
    }

    /// A row's fields are separate elements (the unit, the kind and the state
    /// do not run together), an overdue one says so in a badge, and the owner
    /// reads with a full-width colon.
    #[wasm_bindgen_test]
    async fn a_request_row_reads_field_by_field_and_says_overdue() {
        let (host, handle) = mount(vec![Role::ZoneService], |_| {
            view! {
                <ul>
                    <RequestRow row=row(true) on_open=|_| {} />
                    <RequestRow row=row(false) on_open=|_| {} />
                </ul>
            }
            .into_any()
        })
        .await;
        pause(0).await;
        let rows = host
            .query_selector_all("[data-testid=request-row]")
            .unwrap();
        assert_eq!(rows.length(), 2);
        let late: web_sys::Element = rows.get(0).unwrap().unchecked_into();
        let on_time: web_sys::Element = rows.get(1).unwrap().unchecked_into();
        assert!(has(&late, "[data-testid=request-overdue]"));
        assert!(!has(&on_time, "[data-testid=request-overdue]"));
        assert_eq!(
            find(&late, ".request-row-unit").text_content().unwrap(),
            "5栋1单元802"
        );
        assert_eq!(
            find(&late, "[data-testid=request-row-zone]")
                .text_content()
                .unwrap(),
            "A区"
        );
        let meta = find(&late, ".request-row-meta").text_content().unwrap();
        assert!(meta.contains("首问责任人：陈静"), "{meta}");
        drop(handle);
        host.remove();
    }
}
