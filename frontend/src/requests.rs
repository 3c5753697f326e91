//! The tablet's side of requests: reading a zone's requests out of the
//! request logs it holds, folded into views by [`workflow::fold`], and writing
//! intake records and workflow events, and the repair requests patrol
//! findings become ([`record_finding_request`]).
//!
//! A request lives in the request log of the month it was received in, and
//! every later event goes into that same document. Writes are checked first
//! (form problems, then [`workflow::check`] against the request as this tablet
//! sees it) and nothing is written when a check fails.
//!
//! This module shows nothing and does no networking: it writes through
//! [`Writer`], which tells sync.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use automerge::ChangeHash;
use chrono::{Months, NaiveDate};
use roundbook_shared::deadline;
use roundbook_shared::domain::{is_contact_phone, local_date};
use roundbook_shared::ids::DocumentId;
use roundbook_shared::schema::finding::{Finding, MAX_PHOTOS};
use roundbook_shared::schema::request::{
    put_request, put_request_event, put_request_once, request_events, requests, Action,
    Classification, Handling, ReportTarget, Request, RequestEvent, RequestKind, Satisfaction,
    MAX_PARTY,
};
use roundbook_shared::schema::{DocKey, Record};
use roundbook_shared::workflow::{self, Refusal, RequestView};

use crate::documents::{EditError, Library};
use crate::session::Actor;
use crate::writer::Writer;

/// How many months back the tablet looks for request logs (the server lists a year).
const MONTHS_HELD: u32 = 12;
/// Longest description or note, in characters.
pub const MAX_TEXT_CHARS: usize = 2000;

/// Why a request or an event was not recorded. Nothing was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestError {
    /// The description is empty.
    NoDescription,
    /// The contact phone is not a phone number.
    BadPhone,
    /// Collective complaints need two or more households; only complaints are collective.
    BadCollective,
    /// A note, reason or explanation the action needs is missing.
    NoteNeeded,
    /// Assign and transfer need someone (or a department) to hand it to.
    AssigneeNeeded,
    /// A valid complaint needs the reply time agreed with the resident.
    ReplyTimeNeeded,
    /// A Z / Q / GT mark needs who has it outside the office and a date.
    FollowUpNeeded,
    /// A Q mark needs the vendor's reference number.
    ReferenceNeeded,
    TooManyPhotos,
    TextTooLong,
    /// The action is not allowed now (the workflow's reason).
    Refused(Refusal),
    /// The request is not on this tablet.
    NotFound,
    /// Another change to the same month is being saved; try again.
    Busy,
    /// Any other invalid input (for logs).
    Invalid(String),
    /// IndexedDB refused the write.
    NotSaved(String),
}

impl From<EditError<RequestError>> for RequestError {
    fn from(error: EditError<RequestError>) -> Self {
        match error {
            EditError::Refused(error) => error,
            EditError::NotHeld => RequestError::NotFound,
            EditError::Busy => RequestError::Busy,
            EditError::Storage(error) => RequestError::NotSaved(error.to_string()),
            EditError::Unloadable(reason) => RequestError::Invalid(reason),
        }
    }
}

/// A record the schema refused (the detail is for logs).
fn invalid(error: roundbook_shared::schema::SchemaError) -> RequestError {
    RequestError::Invalid(error.to_string())
}

/// The workflow's refusal of an event, as this module reports it.
fn refused(event: &RequestEvent, refusal: Refusal) -> RequestError {
    match refusal {
        Refusal::Malformed => RequestError::Invalid(format!("{event:?}")),
        refusal => RequestError::Refused(refusal),
    }
}

/// What an action form filled in. Fields the action does not use are ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventDraft {
    pub action: Action,
    pub assignee: String,
    pub assignee_name: String,
    pub classification: Option<Classification>,
    pub handling: Option<Handling>,
    /// Z / Q / GT: who has it outside the office, the vendor's reference
    /// (Q), and the date promised or of the next follow-up (unix ms).
    pub party: String,
    pub reference: String,
    pub follow_up_by: Option<i64>,
    /// The reply time agreed for a valid complaint (unix ms).
    pub reply_by: Option<i64>,
    pub on_the_spot: bool,
    pub satisfaction: Option<Satisfaction>,
    pub target: Option<ReportTarget>,
    pub note: String,
    pub photos: Vec<String>,
}

impl EventDraft {
    pub fn new(action: Action) -> EventDraft {
        EventDraft {
            action,
            assignee: String::new(),
            assignee_name: String::new(),
            classification: None,
            handling: None,
            party: String::new(),
            reference: String::new(),
            follow_up_by: None,
            reply_by: None,
            on_the_spot: false,
            satisfaction: None,
            target: None,
            note: String::new(),
            photos: Vec::new(),
        }
    }
}

fn new_id(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

/// Records a new request in the request log of the month it is received in.
/// The photos must already be stored on the tablet.
pub async fn record_request(
    writer: &Writer,
    site: &str,
    actor: &Actor,
    draft: &Request,
    now: i64,
) -> Result<(DocumentId, Request), RequestError> {
    let description = draft.description.trim();
    if description.is_empty() {
        return Err(RequestError::NoDescription);
    }
    if description.chars().count() > MAX_TEXT_CHARS {
        return Err(RequestError::TextTooLong);
    }
    let phone = draft.contact_phone.trim();
    if !phone.is_empty() && !is_contact_phone(phone) {
        return Err(RequestError::BadPhone);
    }
    let collective = draft.collective && draft.kind() == RequestKind::Complaint;
    if draft.collective && (!collective || draft.households < 2) {
        return Err(RequestError::BadCollective);
    }
    if draft.photos.len() > MAX_PHOTOS {
        return Err(RequestError::TooManyPhotos);
    }
    let request = Request {
        id: new_id("req"),
        unit_label: draft.unit_label.trim().into(),
        resident_name: draft.resident_name.trim().into(),
        contact_phone: phone.into(),
        description: description.into(),
        households: if collective { draft.households } else { 0 },
        received_by: actor.username.clone(),
        received_by_name: actor.name.clone(),
        device: actor.device.clone(),
        received_at: now,
        ..draft.clone()
    };
    request
        .validate()
        .map_err(|error| RequestError::Invalid(error.to_string()))?;
    let key = DocKey::request_log(site, &draft.zone, local_date(now));
    writer
        .library()
        .add(key.clone())
        .await
        .map_err(|error| RequestError::NotSaved(error.to_string()))?;
    let id = key.document_id();
    writer
        .edit(id, |doc| put_request(doc, &request).map_err(invalid))
        .await?;
    Ok((id, request))
}

// ---- requests born of patrol findings ----

/// Makes the repair request `finding` (of `zone`, needing a repair) becomes,
/// in the zone's request log of the finding's month, unless the tablet
/// already holds it ([`Finding::repair_request`]: its id is derived from the
/// finding's, so a retry or a second tablet makes the same one). Answers
/// whether it wrote it. `checkpoint_label` is the finding's checkpoint as
/// shown; `fallback` describes a finding without a note.
///
/// The finding is written first, in its own patrol log: a tab that dies
/// before this write leaves a finding without its request, which
/// [`record_missing_finding_requests`] makes the next time the guard's
/// screen reads its findings.
pub async fn record_finding_request(
    writer: &Writer,
    site: &str,
    zone: &str,
    finding: &Finding,
    checkpoint_label: &str,
    fallback: &str,
) -> Result<bool, RequestError> {
    let Some(request) = finding.repair_request(zone, checkpoint_label, fallback) else {
        return Ok(false);
    };
    request.validate().map_err(invalid)?;
    let key = finding.request_log(site, zone);
    writer
        .library()
        .add(key.clone())
        .await
        .map_err(|error| RequestError::NotSaved(error.to_string()))?;
    if holds_request(writer.library(), &key, &request.id) {
        return Ok(false);
    }
    // Checked again inside the edit: a sync may have brought it meanwhile.
    let wrote = writer
        .edit(key.document_id(), |doc| {
            put_request_once(doc, &request).map_err(invalid)
        })
        .await?;
    Ok(wrote)
}

/// Whether the held document `key` has request `id`.
fn holds_request(library: &Library, key: &DocKey, id: &str) -> bool {
    library
        .with_doc(key, |doc| {
            roundbook_shared::schema::request::request(doc, id)
                .ok()
                .flatten()
                .is_some()
        })
        .unwrap_or(false)
}

/// The request `finding` (of `zone`) became, as this tablet sees it, if it
/// needs a repair and the request is here.
pub fn finding_request(
    library: &Library,
    site: &str,
    zone: &str,
    finding: &Finding,
) -> Option<RequestView> {
    if !finding.needs_repair || finding.request_id.is_empty() {
        return None;
    }
    let views = document_views(library, &finding.request_log(site, zone))?;
    let view = views
        .iter()
        .find(|view| view.request.id == finding.request_id)?;
    Some(view.clone())
}

/// Makes the repair requests missing for `username`'s own findings among
/// `findings` (of `zone`): those whose request a closed tab never wrote.
/// Only the guard's own: the server takes a request only in the name of
/// the user who sends it. `label` gives a finding's checkpoint label and
/// fallback description. Answers how many it wrote; failures are logged
/// and retried the next time.
pub async fn record_missing_finding_requests(
    writer: &Writer,
    site: &str,
    zone: &str,
    username: &str,
    findings: &[Finding],
    label: impl Fn(&Finding) -> (String, String),
) -> usize {
    let mut written = 0;
    for finding in findings.iter().filter(|finding| {
        finding.guard == username && finding.needs_repair && !finding.request_id.is_empty()
    }) {
        let key = finding.request_log(site, zone);
        if holds_request(writer.library(), &key, &finding.request_id) {
            continue;
        }
        let (checkpoint, fallback) = label(finding);
        match record_finding_request(writer, site, zone, finding, &checkpoint, &fallback).await {
            Ok(true) => written += 1,
            Ok(false) => {}
            Err(error) => web_sys::console::warn_1(
                &format!("the request of finding {}: {error:?}", finding.id).into(),
            ),
        }
    }
    written
}

/// Records a workflow event on request `request_id` of `zone`, if the
/// workflow allows it now as this tablet sees the request.
pub async fn record_event(
    writer: &Writer,
    site: &str,
    zone: &str,
    request_id: &str,
    actor: &Actor,
    draft: &EventDraft,
    now: i64,
) -> Result<(DocumentId, RequestEvent), RequestError> {
    let (id, view) =
        request(writer.library(), site, zone, request_id).ok_or(RequestError::NotFound)?;
    let event = event_of(&view, actor, draft, now)?;
    workflow::check(&view, &event).map_err(|refusal| refused(&event, refusal))?;
    writer
        .edit(id, |doc| {
            // Check again against the document as it is now (a sync may have landed).
            let now_view = fold_document(doc, request_id);
            if let Some(view) = now_view {
                workflow::check(&view, &event).map_err(|refusal| refused(&event, refusal))?;
            }
            put_request_event(doc, &event).map_err(invalid)
        })
        .await?;
    Ok((id, event))
}

/// Builds the event a form asks for, refusing forms that miss what the action needs.
fn event_of(
    view: &RequestView,
    actor: &Actor,
    draft: &EventDraft,
    now: i64,
) -> Result<RequestEvent, RequestError> {
    let note = draft.note.trim();
    if note.chars().count() > MAX_TEXT_CHARS {
        return Err(RequestError::TextTooLong);
    }
    if draft.photos.len() > MAX_PHOTOS {
        return Err(RequestError::TooManyPhotos);
    }
    let assignee = draft.assignee.trim();
    match draft.action {
        Action::Assign if assignee.is_empty() => return Err(RequestError::AssigneeNeeded),
        Action::Transfer if assignee.is_empty() && note.is_empty() => {
            return Err(RequestError::AssigneeNeeded)
        }
        Action::Return | Action::CloseInvalid | Action::Note | Action::Done if note.is_empty() => {
            return Err(RequestError::NoteNeeded)
        }
        Action::Classify
            if draft.classification == Some(Classification::Valid) && draft.reply_by.is_none() =>
        {
            return Err(RequestError::ReplyTimeNeeded)
        }
        Action::Mark if draft.handling.is_some_and(Handling::is_outside) => {
            if draft.party.trim().is_empty() || draft.follow_up_by.is_none() {
                return Err(RequestError::FollowUpNeeded);
            }
            if draft.handling == Some(Handling::Q) && draft.reference.trim().is_empty() {
                return Err(RequestError::ReferenceNeeded);
            }
            if draft.party.chars().count() > MAX_PARTY
                || draft.reference.chars().count() > MAX_PARTY
            {
                return Err(RequestError::TextTooLong);
            }
        }
        _ => {}
    }
    let mut event = RequestEvent::new(&new_id("ev"), &view.request.id, draft.action, now);
    event.by = actor.username.clone();
    event.by_name = actor.name.clone();
    event.device = actor.device.clone();
    event.prior = view.latest_event_id().to_owned();
    event.note = note.to_owned();
    event.photos = draft.photos.clone();
    match draft.action {
        Action::Assign | Action::Transfer => {
            event.assignee = assignee.to_owned();
            event.assignee_name = match draft.assignee_name.trim() {
                "" => assignee.to_owned(),
                name => name.to_owned(),
            };
        }
        Action::Classify => {
            let classification = draft
                .classification
                .ok_or_else(|| RequestError::Invalid("no classification".into()))?;
            event.classification = classification.as_str().into();
            if classification == Classification::Valid {
                event.reply_by = draft.reply_by.unwrap_or_default();
            }
        }
        Action::Mark => {
            let handling = draft
                .handling
                .ok_or_else(|| RequestError::Invalid("no handling mark".into()))?;
            event.handling = handling.as_str().into();
            if handling.is_outside() {
                event.party = draft.party.trim().into();
                event.reference = draft.reference.trim().into();
                event.follow_up_by = draft.follow_up_by.unwrap_or_default();
            }
        }
        Action::Done => event.on_the_spot = draft.on_the_spot,
        Action::Callback => {
            event.satisfaction = draft
                .satisfaction
                .ok_or_else(|| RequestError::Invalid("no satisfaction".into()))?
                .as_str()
                .into();
        }
        Action::Report => {
            event.target = draft
                .target
                .ok_or_else(|| RequestError::Invalid("no report target".into()))?
                .as_str()
                .into();
        }
        _ => {}
    }
    Ok(event)
}

fn fold_document(doc: &automerge::Automerge, request_id: &str) -> Option<RequestView> {
    let request = roundbook_shared::schema::request::request(doc, request_id).ok()??;
    let events = request_events(doc).ok()?;
    Some(workflow::fold(request, &events))
}

// ---- reading ----

/// Folded views per document, kept while the document's heads are unchanged:
/// opening a list again after an unrelated sync costs nothing.
type Folded = (Vec<ChangeHash>, Rc<Vec<RequestView>>);

thread_local! {
    static FOLDED: RefCell<HashMap<DocumentId, Folded>> = RefCell::new(HashMap::new());
}

/// The request logs of `zone` this tablet may hold: this month and the
/// [`MONTHS_HELD`] before it (and the next, for a fast clock).
fn request_logs(site: &str, zone: &str, today: NaiveDate) -> Vec<DocKey> {
    let first = DocKey::request_log(site, zone, today)
        .date
        .expect("a month document has a date");
    (0..=MONTHS_HELD)
        .filter_map(|back| first.checked_sub_months(Months::new(back)))
        .chain(first.checked_add_months(Months::new(1)))
        .map(|month| DocKey::request_log(site, zone, month))
        .collect()
}

/// Every request of one held document, folded (cached by heads).
fn document_views(library: &Library, key: &DocKey) -> Option<Rc<Vec<RequestView>>> {
    let id = key.document_id();
    library.with_doc(key, |doc| {
        let heads = doc.get_heads();
        if let Some(views) = FOLDED.with(|cache| {
            cache
                .borrow()
                .get(&id)
                .filter(|(held, _)| *held == heads)
                .map(|(_, views)| views.clone())
        }) {
            return views;
        }
        let events = request_events(doc).unwrap_or_default();
        let mut by_request: HashMap<&str, Vec<&RequestEvent>> = HashMap::new();
        for event in &events {
            by_request
                .entry(event.request_id.as_str())
                .or_default()
                .push(event);
        }
        let views: Vec<RequestView> = requests(doc)
            .unwrap_or_default()
            .into_iter()
            .map(|request| {
                let mine = by_request.remove(request.id.as_str()).unwrap_or_default();
                workflow::fold(request, mine)
            })
            .collect();
        let views = Rc::new(views);
        FOLDED.with(|cache| cache.borrow_mut().insert(id, (heads, views.clone())));
        views
    })
}

/// Every request of `zone` on this tablet: open ones first, newest first.
pub fn zone_requests(library: &Library, site: &str, zone: &str, now: i64) -> Vec<RequestView> {
    let mut list: Vec<RequestView> = request_logs(site, zone, local_date(now))
        .iter()
        .filter_map(|key| document_views(library, key))
        .flat_map(|views| views.iter().cloned().collect::<Vec<_>>())
        .collect();
    list.sort_by(open_newest_first);
    list
}

/// The requests of every zone in `zones` (the whole site for those who see
/// it), ordered as [`zone_requests`] orders one zone's.
pub fn site_requests(
    library: &Library,
    site: &str,
    zones: &[roundbook_shared::domain::ZoneRef],
    now: i64,
) -> Vec<RequestView> {
    let mut list: Vec<RequestView> = zones
        .iter()
        .flat_map(|zone| zone_requests(library, site, &zone.code, now))
        .collect();
    list.sort_by(open_newest_first);
    list
}

/// A list's order: open before closed, then newest first.
fn open_newest_first(a: &RequestView, b: &RequestView) -> std::cmp::Ordering {
    b.state
        .is_open()
        .cmp(&a.state.is_open())
        .then(b.request.received_at.cmp(&a.request.received_at))
        .then_with(|| a.request.id.cmp(&b.request.id))
}

/// One request and the document it lives in.
pub fn request(
    library: &Library,
    site: &str,
    zone: &str,
    request_id: &str,
) -> Option<(DocumentId, RequestView)> {
    let today = local_date(crate::browser::now_ms());
    request_logs(site, zone, today).iter().find_map(|key| {
        let views = document_views(library, key)?;
        let view = views.iter().find(|view| view.request.id == request_id)?;
        Some((key.document_id(), view.clone()))
    })
}

/// The 15:30 daily review of `zones`: every overdue request, then every
/// other open one ([`deadline::daily_review`]).
pub fn daily_review_list(
    library: &Library,
    site: &str,
    zones: &[roundbook_shared::domain::ZoneRef],
    now: i64,
) -> Vec<RequestView> {
    let all = site_requests(library, site, zones, now);
    deadline::daily_review(&all, now)
        .into_iter()
        .cloned()
        .collect()
}

/// Collective complaints of `zones` not yet reported to the office head.
pub fn unreported_collective(
    library: &Library,
    site: &str,
    zones: &[String],
    now: i64,
) -> Vec<RequestView> {
    zones
        .iter()
        .flat_map(|zone| zone_requests(library, site, zone, now))
        .filter(|view| {
            view.request.collective
                && view.state.is_open()
                && !view.effective().any(|event| {
                    event.action() == Some(Action::Report)
                        && event.target == ReportTarget::Head.as_str()
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::Storage;
    use roundbook_shared::domain::instant_at;
    use roundbook_shared::fixtures::requests::intake;
    use roundbook_shared::schema::request::Channel;
    use roundbook_shared::workflow::State;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn now() -> i64 {
        instant_at(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(), 10 * 60)
    }

    fn actor(username: &str) -> Actor {
        Actor {
            username: username.into(),
            name: "陈静".into(),
            device: "tablet-1".into(),
        }
    }

    async fn library() -> Rc<Library> {
        let name = format!("roundbook-test-requests-{}", uuid::Uuid::new_v4().simple());
        Library::new(Storage::open_named(&name).await.unwrap(), "t1".into())
    }

    fn draft() -> Request {
        let mut draft = Request::draft("A", Channel::Phone, RequestKind::RepairCommon);
        draft.unit_label = "3栋2单元501".into();
        draft.contact_phone = "13812345678".into();
        draft.description = "楼道灯不亮".into();
        draft
    }

    /// Records `draft` on a request of zone A of the demo site.
    async fn act(
        writer: &Writer,
        request_id: &str,
        who: &Actor,
        draft: &EventDraft,
        now: i64,
    ) -> Result<(DocumentId, RequestEvent), RequestError> {
        record_event(writer, "demo", "A", request_id, who, draft, now).await
    }

    #[wasm_bindgen_test]
    async fn a_request_is_recorded_and_walked_to_closure() {
        let library = library().await;
        let writer = Writer::offline(&library);
        let me = actor("service-a");
        let (_, request) = record_request(&writer, "demo", &me, &draft(), now())
            .await
            .unwrap();
        let steps = [
            EventDraft::new(Action::Start),
            EventDraft {
                note: "已更换灯泡".into(),
                ..EventDraft::new(Action::Done)
            },
            EventDraft {
                satisfaction: Some(Satisfaction::Satisfied),
                ..EventDraft::new(Action::Callback)
            },
            EventDraft::new(Action::Close),
        ];
        for (n, step) in steps.iter().enumerate() {
            act(
                &writer,
                &request.id,
                &me,
                step,
                now() + 1000 * (n as i64 + 1),
            )
            .await
            .unwrap();
        }
        let list = zone_requests(&library, "demo", "A", now());
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].state, State::Closed);
        assert_eq!(list[0].history.len(), 4);
        assert_eq!(list[0].history[1].event.prior, list[0].history[0].event.id);
    }

    #[wasm_bindgen_test]
    async fn refusals_write_nothing() {
        let library = library().await;
        let writer = Writer::offline(&library);
        let me = actor("service-a");
        let blank = Request {
            description: " ".into(),
            ..draft()
        };
        assert_eq!(
            record_request(&writer, "demo", &me, &blank, now()).await,
            Err(RequestError::NoDescription)
        );
        let bad_phone = Request {
            contact_phone: "call me".into(),
            ..draft()
        };
        assert_eq!(
            record_request(&writer, "demo", &me, &bad_phone, now()).await,
            Err(RequestError::BadPhone)
        );
        let (_, request) = record_request(&writer, "demo", &me, &draft(), now())
            .await
            .unwrap();
        // Closing before a callback is refused by the workflow.
        assert_eq!(
            act(
                &writer,
                &request.id,
                &me,
                &EventDraft::new(Action::Close),
                now() + 1
            )
            .await,
            Err(RequestError::Refused(Refusal::NotNow(State::Received)))
        );
        assert_eq!(
            act(
                &writer,
                &request.id,
                &me,
                &EventDraft::new(Action::Return),
                now() + 1
            )
            .await,
            Err(RequestError::NoteNeeded)
        );
        let list = zone_requests(&library, "demo", "A", now());
        assert!(list[0].history.is_empty());
        assert!(list[0].state == State::Received);
    }

    #[wasm_bindgen_test]
    async fn collective_complaints_wait_for_the_heads_report() {
        let library = library().await;
        let writer = Writer::offline(&library);
        let me = actor("service-a");
        let collective = Request {
            kind: RequestKind::Complaint.as_str().into(),
            collective: true,
            households: 8,
            ..draft()
        };
        let (_, request) = record_request(&writer, "demo", &me, &collective, now())
            .await
            .unwrap();
        let zones = ["A".to_owned()];
        assert_eq!(
            unreported_collective(&library, "demo", &zones, now()).len(),
            1
        );
        let head = actor("head");
        let report = EventDraft {
            target: Some(ReportTarget::Head),
            ..EventDraft::new(Action::Report)
        };
        act(&writer, &request.id, &head, &report, now() + 60_000)
            .await
            .unwrap();
        assert!(unreported_collective(&library, "demo", &zones, now()).is_empty());
        // 20 minutes later only the company report (due in 2 h) is pending: not overdue.
        let overdue_at = |at: i64| {
            let views = zone_requests(&library, "demo", "A", at);
            deadline::overdue(&views, at).len()
        };
        assert_eq!(overdue_at(now() + 20 * 60_000), 0);
        assert_eq!(overdue_at(now() + 3 * 3_600_000), 1);
    }

    fn clock() -> f64 {
        web_sys::window().unwrap().performance().unwrap().now()
    }

    /// The figure for the closing note: a zone with 5,000 requests over 12
    /// months (about six events each, most closed), as a tablet holds them.
    /// Prints the times; asserts only the outcome. Run it in release:
    /// `cargo test --release -p roundbook-frontend --target wasm32-unknown-unknown figure -- --nocapture`.
    #[wasm_bindgen_test]
    #[cfg_attr(debug_assertions, ignore = "a figure: run it with --release")]
    async fn figure_a_zone_with_5000_requests() {
        use roundbook_shared::schema::request::{put_request, put_request_event};
        let library = library().await;
        let now = now();
        let per_month = 5_000 / 12 + 1;
        let mut made = 0;
        for back in 0..12u32 {
            let month = NaiveDate::from_ymd_opt(2026, 11, 1)
                .unwrap()
                .checked_sub_months(Months::new(back))
                .unwrap();
            let key = DocKey::request_log("demo", "A", month);
            library.add(key.clone()).await.unwrap();
            let start = instant_at(month, 9 * 60);
            let count = per_month.min(5_000 - made);
            made += count;
            library
                .edit(key.document_id(), |doc| {
                    for n in 0..count {
                        let at = start + n as i64 * 60_000;
                        let mut request = Request {
                            id: format!("req-{back}-{n}"),
                            received_at: at,
                            ..Request::clone(&sample_request())
                        };
                        request.kind = RequestKind::ALL[n % 8].as_str().into();
                        put_request(doc, &request).unwrap();
                        // The newest month's last requests stay open (some overdue).
                        let steps: &[Action] = if back == 0 && n + 40 > count {
                            &[Action::Note]
                        } else {
                            &[
                                Action::Assign,
                                Action::Accept,
                                Action::Start,
                                Action::Done,
                                Action::Callback,
                                Action::Close,
                            ]
                        };
                        let mut prior = String::new();
                        for (k, action) in steps.iter().enumerate() {
                            let mut event = RequestEvent::new(
                                &format!("ev-{back}-{n}-{k}"),
                                &request.id,
                                *action,
                                at + (k as i64 + 1) * 1000,
                            );
                            event.by = "service-a".into();
                            event.by_name = "陈静".into();
                            event.device = "tablet-1".into();
                            event.prior = prior.clone();
                            event.assignee = "service-a".into();
                            event.note = "已处理".into();
                            event.satisfaction = Satisfaction::Satisfied.as_str().into();
                            prior = event.id.clone();
                            put_request_event(doc, &event).unwrap();
                        }
                    }
                    Ok::<_, std::convert::Infallible>(())
                })
                .await
                .unwrap();
        }
        let bytes: usize = (0..12u32)
            .map(|back| {
                let month = NaiveDate::from_ymd_opt(2026, 11, 1)
                    .unwrap()
                    .checked_sub_months(Months::new(back))
                    .unwrap();
                library
                    .with_doc(&DocKey::request_log("demo", "A", month), |doc| {
                        doc.save().len()
                    })
                    .unwrap()
            })
            .sum();
        FOLDED.with(|cache| cache.borrow_mut().clear());
        let cold = clock();
        let list = zone_requests(&library, "demo", "A", now);
        let opened = clock();
        let again = zone_requests(&library, "demo", "A", now);
        let reopened = clock();
        let overdue = deadline::overdue(&list, now);
        let end = clock();
        assert_eq!(list.len(), 5_000);
        assert_eq!(again.len(), 5_000);
        assert!(!overdue.is_empty());
        web_sys::console::log_1(
            &format!(
                "figure: a zone with 5,000 requests in 12 month documents ({} KiB saved), {} build: \
                 opening the list {:.0} ms (documents read and folded), again with unchanged \
                 documents {:.0} ms; the overdue list {:.0} ms ({} overdue)",
                bytes / 1024,
                if cfg!(debug_assertions) { "debug" } else { "release" },
                opened - cold,
                reopened - opened,
                end - reopened,
                overdue.len(),
            )
            .into(),
        );
    }

    fn sample_request() -> Request {
        Request {
            contact_phone: "13812345678".into(),
            description: "楼道灯不亮，请尽快维修".into(),
            received_at: now(),
            ..intake("req-x", RequestKind::RepairHome)
        }
    }
}
