//! The tablet's side of work orders (维修单): which work-order logs it holds,
//! reading the orders out of them folded by [`work_orders::fold`], and
//! writing dispatches, the worker's records and reassignments.
//!
//! An order lives in its worker's log of the month it was dispatched in
//! (`DocKey::work_order_log`); every later event goes into that same
//! document. A dispatch also assigns the request behind it to the worker
//! (an `assign` event in the request log), when the request's state allows.
//! Writes are checked first (form problems, then [`work_orders::check`]
//! against the order as this tablet sees it) and nothing is written when a
//! check fails.
//!
//! This module shows nothing and does no networking: it writes through
//! [`Writer`], which tells sync.

use roundbook_shared::api::StaffMember;
use roundbook_shared::domain::Role;
use roundbook_shared::schema::request::Action;
use roundbook_shared::schema::work_order::{
    OrderAction, WorkOrder, WorkOrderEvent, MAX_CHARGE_FEN, MAX_PHOTOS, MAX_SIGNATURE_BYTES,
};
use roundbook_shared::schema::{get, list, put, DocKey, DocKind, Record};
use roundbook_shared::work_orders::{self, OrderRefusal, OrderView};
use roundbook_shared::workflow::{self, RequestView};

use crate::documents::{EditError, Library};
use crate::requests::{self, EventDraft, MAX_TEXT_CHARS};
use crate::session::Actor;
use crate::writer::Writer;

/// Why a dispatch or a record was not made. Nothing was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderError {
    /// No worker picked, or one who is not an enabled repair worker in the
    /// staff directory (disabled since, or never one).
    WorkerUnavailable,
    /// The time to arrive is missing.
    ArrivalNeeded,
    /// Done and cannot fix need a note.
    NoteNeeded,
    /// The charge is not an amount of money (yuan, at most two decimals).
    BadCharge,
    /// The signature image is over 1 MB.
    SignatureTooBig,
    TooManyPhotos,
    TextTooLong,
    /// The action is not allowed now (the state machine's reason).
    Refused(OrderRefusal),
    /// The order is not on this tablet.
    NotFound,
    /// Another change to the same document is being saved; try again.
    Busy,
    /// Any other invalid input (for logs).
    Invalid(String),
    /// IndexedDB refused the write.
    NotSaved(String),
}

impl From<EditError<OrderError>> for OrderError {
    fn from(error: EditError<OrderError>) -> Self {
        match error {
            EditError::Refused(error) => error,
            EditError::NotHeld => OrderError::NotFound,
            EditError::Busy => OrderError::Busy,
            EditError::Storage(error) => OrderError::NotSaved(error.to_string()),
            EditError::Unloadable(reason) => OrderError::Invalid(reason),
        }
    }
}

fn invalid(error: roundbook_shared::schema::SchemaError) -> OrderError {
    OrderError::Invalid(error.to_string())
}

fn new_id(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

/// The enabled repair workers of the staff directory (which lists only
/// enabled accounts), by name.
pub fn repair_workers(directory: &[StaffMember]) -> Vec<StaffMember> {
    let mut workers: Vec<StaffMember> = directory
        .iter()
        .filter(|member| member.roles.contains(&Role::RepairStaff))
        .cloned()
        .collect();
    workers.sort_by(|a, b| a.name.cmp(&b.name).then(a.username.cmp(&b.username)));
    workers
}

/// A charge as typed (yuan, such as `35` or `35.50`; empty for none), in fen.
pub fn charge_fen(text: &str) -> Result<i64, OrderError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(0);
    }
    let (yuan, fen) = text.split_once('.').unwrap_or((text, ""));
    let digits = |part: &str| part.chars().all(|c| c.is_ascii_digit());
    if yuan.is_empty() || !digits(yuan) || !digits(fen) || fen.len() > 2 || yuan.len() > 7 {
        return Err(OrderError::BadCharge);
    }
    let yuan: i64 = yuan.parse().map_err(|_| OrderError::BadCharge)?;
    let fen: i64 = format!("{fen:0<2}")
        .parse()
        .map_err(|_| OrderError::BadCharge)?;
    let total = yuan * 100 + fen;
    if total > MAX_CHARGE_FEN {
        return Err(OrderError::BadCharge);
    }
    Ok(total)
}

/// A charge in fen as shown (`35.50`).
pub fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

// ---- reading ----

/// Every order of every work-order log this tablet holds, folded: open
/// ones first, most urgent and newest first.
pub fn all_orders(library: &Library) -> Vec<(DocKey, OrderView)> {
    let mut found: Vec<(DocKey, OrderView)> = Vec::new();
    for key in library
        .held_keys()
        .into_iter()
        .filter(|key| key.kind == DocKind::WorkOrderLog)
    {
        let views = library
            .with_doc(&key, |doc| {
                let orders = list::<WorkOrder>(doc).unwrap_or_default();
                let events = list::<WorkOrderEvent>(doc).unwrap_or_default();
                work_orders::views(orders, &events)
            })
            .unwrap_or_default();
        found.extend(views.into_iter().map(|view| (key.clone(), view)));
    }
    found.sort_by(|(_, a), (_, b)| {
        b.state
            .is_open()
            .cmp(&a.state.is_open())
            .then(WorkOrder::order(&a.order, &b.order))
    });
    found
}

/// The orders `worker` holds (their own list, every zone's).
pub fn orders_of(library: &Library, worker: &str) -> Vec<(DocKey, OrderView)> {
    all_orders(library)
        .into_iter()
        .filter(|(key, _)| key.worker_log().is_some_and(|log| log.worker == worker))
        .collect()
}

/// The orders dispatched for `request_id`, oldest first.
pub fn orders_for_request(library: &Library, request_id: &str) -> Vec<(DocKey, OrderView)> {
    let mut orders: Vec<(DocKey, OrderView)> = all_orders(library)
        .into_iter()
        .filter(|(_, view)| view.order.request_id == request_id)
        .collect();
    orders.sort_by_key(|(_, view)| view.order.dispatched_at);
    orders
}

/// One order and the log it lives in.
pub fn order(library: &Library, order_id: &str) -> Option<(DocKey, OrderView)> {
    all_orders(library)
        .into_iter()
        .find(|(_, view)| view.order.id == order_id)
}

/// For an order made by a reassignment, the order it took over from when
/// that reassignment did not stand (the first worker's offline "done" or
/// "cannot fix" came first): the new order is then not needed, and a
/// dispatcher should cancel it. `None` when the tablet does not hold the
/// first order (a repair worker holds only their own).
pub fn overtaken_by(library: &Library, view: &OrderView) -> Option<OrderView> {
    if view.order.reassigned_from.is_empty() || !view.state.is_open() {
        return None;
    }
    let (_, from) = order(library, &view.order.reassigned_from)?;
    let stood_for_this = from.state == work_orders::OrderState::Reassigned
        && from
            .reassigned_to
            .as_ref()
            .is_some_and(|(worker, _)| *worker == view.order.worker);
    (!stood_for_this).then_some(from)
}

/// Each worker's open orders, for the engineering view: (username, name,
/// open count), busiest first; workers of `directory` with none count 0.
pub fn open_load(
    orders: &[(DocKey, OrderView)],
    directory: &[StaffMember],
) -> Vec<(String, String, usize)> {
    let mut load: Vec<(String, String, usize)> = repair_workers(directory)
        .into_iter()
        .map(|member| (member.username, member.name, 0))
        .collect();
    for (_, view) in orders {
        let entry = match load
            .iter_mut()
            .find(|(who, _, _)| *who == view.order.worker)
        {
            Some(entry) => entry,
            None => {
                load.push((view.order.worker.clone(), view.order.worker_name.clone(), 0));
                load.last_mut().expect("just pushed")
            }
        };
        if view.state.is_open() {
            entry.2 += 1;
        }
    }
    load.sort_by(|a, b| b.2.cmp(&a.2).then(a.1.cmp(&b.1)));
    load
}

// ---- writing ----

/// Looks `worker` up among the directory's enabled repair workers.
fn enabled_worker(directory: &[StaffMember], worker: &str) -> Result<StaffMember, OrderError> {
    repair_workers(directory)
        .into_iter()
        .find(|member| member.username == worker)
        .ok_or(OrderError::WorkerUnavailable)
}

/// Writes `order` into its worker's log of its zone and the month of its
/// dispatch (making that log on this tablet if it has none yet).
async fn put_order(writer: &Writer, site: &str, order: &WorkOrder) -> Result<DocKey, OrderError> {
    order.validate().map_err(invalid)?;
    let date = roundbook_shared::domain::local_date(order.dispatched_at);
    let key = DocKey::work_order_log(site, &order.zone, &order.worker, date);
    writer
        .put_into(&key, order, order.dispatched_at, invalid)
        .await?;
    Ok(key)
}

/// Assigns the request behind an order to its worker, when the request's
/// state allows it (a refusal writes nothing and is not an error: the order
/// itself stands).
async fn assign_request(writer: &Writer, site: &str, order: &WorkOrder, actor: &Actor, now: i64) {
    let draft = EventDraft {
        assignee: order.worker.clone(),
        assignee_name: order.worker_name.clone(),
        ..EventDraft::new(Action::Assign)
    };
    let _ = requests::record_event(
        writer,
        site,
        &order.zone,
        &order.request_id,
        actor,
        &draft,
        now,
    )
    .await;
}

/// Dispatches a work order for `request` to `worker` (a username of the
/// staff directory), to arrive by `arrive_by`.
#[allow(clippy::too_many_arguments)]
pub async fn dispatch(
    writer: &Writer,
    site: &str,
    request: &RequestView,
    directory: &[StaffMember],
    worker: &str,
    arrive_by: Option<i64>,
    urgent: bool,
    actor: &Actor,
    now: i64,
) -> Result<WorkOrder, OrderError> {
    let worker = enabled_worker(directory, worker)?;
    let arrive_by = arrive_by.ok_or(OrderError::ArrivalNeeded)?;
    let intake = &request.request;
    let place = if intake.unit_label.is_empty() {
        intake.checkpoint_label.clone()
    } else {
        intake.unit_label.clone()
    };
    let order = WorkOrder {
        id: new_id("wo"),
        request_id: intake.id.clone(),
        zone: intake.zone.clone(),
        request_at: intake.received_at,
        unit_label: place,
        resident_name: intake.resident_name.clone(),
        contact_phone: intake.contact_phone.clone(),
        fault: intake.description.clone(),
        photos: intake.photos.clone(),
        worker: worker.username.clone(),
        worker_name: worker.name.clone(),
        arrive_by,
        urgent,
        dispatched_by: actor.username.clone(),
        dispatched_by_name: actor.name.clone(),
        device: actor.device.clone(),
        dispatched_at: now,
        reassigned_from: String::new(),
    };
    put_order(writer, site, &order).await?;
    assign_request(writer, site, &order, actor, now).await;
    Ok(order)
}

/// What the worker's (or the reassigning dispatcher's) form filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkDraft {
    pub action: OrderAction,
    pub note: String,
    pub materials: String,
    /// The charge as typed (yuan).
    pub charge: String,
    pub photos_before: Vec<String>,
    pub photos_after: Vec<String>,
    /// The resident's signature: the blob's hash and its size in bytes.
    pub signature: Option<(String, u64)>,
    /// Reassign: to whom (a username of the directory).
    pub to: String,
}

impl WorkDraft {
    pub fn new(action: OrderAction) -> WorkDraft {
        WorkDraft {
            action,
            note: String::new(),
            materials: String::new(),
            charge: String::new(),
            photos_before: Vec::new(),
            photos_after: Vec::new(),
            signature: None,
            to: String::new(),
        }
    }
}

/// Builds the event a form asks for, refusing forms that miss what it needs.
fn event_of(
    view: &OrderView,
    actor: &Actor,
    draft: &WorkDraft,
    directory: &[StaffMember],
    now: i64,
) -> Result<(WorkOrderEvent, Option<StaffMember>), OrderError> {
    let note = draft.note.trim();
    if note.chars().count() > MAX_TEXT_CHARS || draft.materials.chars().count() > 1000 {
        return Err(OrderError::TextTooLong);
    }
    if draft.photos_before.len() > MAX_PHOTOS || draft.photos_after.len() > MAX_PHOTOS {
        return Err(OrderError::TooManyPhotos);
    }
    let mut event = WorkOrderEvent::new(&new_id("woe"), &view.order.id, draft.action, now);
    event.by = actor.username.clone();
    event.by_name = actor.name.clone();
    event.device = actor.device.clone();
    event.prior = view.latest_event_id().to_owned();
    event.note = note.to_owned();
    let mut to = None;
    match draft.action {
        OrderAction::Arrive => {}
        OrderAction::Done | OrderAction::CannotFix | OrderAction::Cancel if note.is_empty() => {
            return Err(OrderError::NoteNeeded)
        }
        OrderAction::Cancel => {}
        OrderAction::Done => {
            event.materials = draft.materials.trim().to_owned();
            event.charge_fen = charge_fen(&draft.charge)?;
            event.photos_before = draft.photos_before.clone();
            event.photos_after = draft.photos_after.clone();
            if let Some((hash, bytes)) = &draft.signature {
                if *bytes > MAX_SIGNATURE_BYTES {
                    return Err(OrderError::SignatureTooBig);
                }
                event.signature = hash.clone();
                event.signature_bytes = *bytes;
            }
        }
        OrderAction::CannotFix => {
            event.photos_before = draft.photos_before.clone();
        }
        OrderAction::Reassign => {
            let member = enabled_worker(directory, &draft.to)?;
            event.to = member.username.clone();
            event.to_name = member.name.clone();
            event.new_order = new_id("wo");
            to = Some(member);
        }
    }
    Ok((event, to))
}

/// Records `draft` on the order `order_id`; for a reassignment, also the
/// new order in the new worker's log and the request's new assignee.
pub async fn record(
    writer: &Writer,
    site: &str,
    order_id: &str,
    actor: &Actor,
    draft: &WorkDraft,
    directory: &[StaffMember],
    now: i64,
) -> Result<WorkOrderEvent, OrderError> {
    let (key, view) = order(writer.library(), order_id).ok_or(OrderError::NotFound)?;
    let (event, to) = event_of(&view, actor, draft, directory, now)?;
    work_orders::check(&view, &event).map_err(OrderError::Refused)?;
    event.validate().map_err(invalid)?;
    writer
        .edit(key.document_id(), |doc| {
            // Check again against the document as it is now (a sync may have landed).
            let order = get::<WorkOrder>(doc, order_id).map_err(invalid)?;
            if let Some(order) = order {
                let events = list::<WorkOrderEvent>(doc).map_err(invalid)?;
                let now_view = work_orders::fold(order, &events);
                work_orders::check(&now_view, &event).map_err(OrderError::Refused)?;
            }
            put(doc, &event, now).map_err(invalid)
        })
        .await?;
    if let Some(member) = to {
        let new_order = WorkOrder {
            id: event.new_order.clone(),
            worker: member.username,
            worker_name: member.name,
            dispatched_by: actor.username.clone(),
            dispatched_by_name: actor.name.clone(),
            device: actor.device.clone(),
            dispatched_at: now,
            reassigned_from: view.order.id.clone(),
            ..view.order.clone()
        };
        put_order(writer, site, &new_order).await?;
        assign_request(writer, site, &new_order, actor, now).await;
    }
    Ok(event)
}

/// The request's "done" for an order its worker finished: the owner
/// confirms it with the worker's note, so the callback can follow.
pub async fn confirm_done(
    writer: &Writer,
    site: &str,
    request: &RequestView,
    done: &WorkOrderEvent,
    actor: &Actor,
    now: i64,
) -> Result<(), requests::RequestError> {
    let draft = EventDraft {
        note: done.note.clone(),
        photos: done.photos_after.clone(),
        ..EventDraft::new(Action::Done)
    };
    requests::record_event(
        writer,
        site,
        &request.request.zone,
        &request.request.id,
        actor,
        &draft,
        now,
    )
    .await
    .map(|_| ())
}

/// Whether the request's done may be confirmed now.
pub fn can_confirm_done(request: &RequestView) -> bool {
    workflow::allowed_in(Action::Done).contains(&request.state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn charges_are_amounts_of_money() {
        assert_eq!(charge_fen(""), Ok(0));
        assert_eq!(charge_fen("35"), Ok(3500));
        assert_eq!(charge_fen(" 35.5 "), Ok(3550));
        assert_eq!(charge_fen("0.05"), Ok(5));
        for bad in [
            "abc", "三十", "-5", "1.234", ".5", "1e3", "35元", "99999999",
        ] {
            assert_eq!(charge_fen(bad), Err(OrderError::BadCharge), "{bad}");
        }
        assert_eq!(yuan(3550), "35.50");
    }

    #[wasm_bindgen_test]
    fn only_enabled_repair_workers_are_offered() {
        let member = |username: &str, role: Role| StaffMember {
            username: username.into(),
            name: username.into(),
            roles: vec![role],
            zones: vec!["A".into()],
        };
        let directory = [
            member("repair-a", Role::RepairStaff),
            member("guard-a", Role::Guard),
        ];
        assert_eq!(repair_workers(&directory).len(), 1);
        assert!(enabled_worker(&directory, "repair-a").is_ok());
        assert_eq!(
            enabled_worker(&directory, "repair-gone").unwrap_err(),
            OrderError::WorkerUnavailable
        );
    }

    /// The figure for the closing note: a repair worker whose month holds
    /// 200 open orders (100 of them arrived at), how long their list takes
    /// to open from the tablet's documents. Prints the time; asserts only
    /// the outcome. Run it in release:
    /// `cargo test --release -p roundbook-frontend --target wasm32-unknown-unknown figure -- --nocapture`.
    #[wasm_bindgen_test]
    #[cfg_attr(debug_assertions, ignore = "a figure: run it with --release")]
    async fn figure_a_worker_with_200_open_orders() {
        use crate::storage::Storage;
        use roundbook_shared::schema::work_order::OrderAction;
        let name = format!("roundbook-test-orders-{}", uuid::Uuid::new_v4().simple());
        let library = Library::new(Storage::open_named(&name).await.unwrap(), "t1".into());
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let key = DocKey::work_order_log("demo", "A", "repair-a", day);
        library.add(key.clone()).await.unwrap();
        let start = roundbook_shared::domain::instant_at(day, 8 * 60);
        library
            .edit(key.document_id(), |doc| {
                for n in 0..200 {
                    let at = start + n * 600_000;
                    let order = WorkOrder {
                        id: format!("wo-{n}"),
                        request_id: format!("req-{n}"),
                        zone: "A".into(),
                        request_at: at - 600_000,
                        unit_label: format!("{}栋{}单元{}", n % 12 + 1, n % 3 + 1, 101 + n % 20),
                        resident_name: "张三".into(),
                        contact_phone: "13800000000".into(),
                        fault: "厨房水管漏水，需上门更换角阀".into(),
                        photos: Vec::new(),
                        worker: "repair-a".into(),
                        worker_name: "何建".into(),
                        arrive_by: at + 3_600_000,
                        urgent: n % 10 == 0,
                        dispatched_by: "service-a".into(),
                        dispatched_by_name: "陈静".into(),
                        device: "desk".into(),
                        dispatched_at: at,
                        reassigned_from: String::new(),
                    };
                    put(doc, &order, at).unwrap();
                    if n % 2 == 0 {
                        let mut arrive = WorkOrderEvent::new(
                            &format!("woe-{n}"),
                            &order.id,
                            OrderAction::Arrive,
                            at + 1_800_000,
                        );
                        arrive.by = "repair-a".into();
                        arrive.by_name = "何建".into();
                        arrive.device = "repair-tablet".into();
                        put(doc, &arrive, at + 1_800_000).unwrap();
                    }
                }
                Ok::<_, roundbook_shared::schema::SchemaError>(())
            })
            .await
            .unwrap();
        let started = web_sys::window().unwrap().performance().unwrap().now();
        let list = orders_of(&library, "repair-a");
        let took = web_sys::window().unwrap().performance().unwrap().now() - started;
        assert_eq!(list.len(), 200);
        assert!(list[0].1.order.urgent, "urgent first");
        web_sys::console::log_1(
            &format!("figure: a repair worker's list of 200 open orders opens in {took:.0} ms")
                .into(),
        );
    }
}
