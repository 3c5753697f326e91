//! Work orders (维修单): the records of a repair worker's work-order log.
//!
//! A [`WorkOrder`] is written once by whoever dispatched it (zone service
//! staff, the engineering supervisor) into the log of the worker it is for,
//! and carries what the worker needs of the request behind it (unit,
//! resident, fault, the request's photos), so the worker never needs the
//! zone's request log or resident directory. Everything after is a
//! [`WorkOrderEvent`] keyed by a random id (arrived, done, cannot fix,
//! reassigned): nothing is rewritten, so concurrent edits merge as a union
//! and `crate::work_orders::fold` decides what stands.
//!
//! This module only says what a well-formed record is; whether an action is
//! allowed now is `crate::work_orders`'s. The server runs [`Record::validate`]
//! on every record of these containers a sync message touches
//! ([`Container::validated`]), so a bad shape (a done without a note, a
//! charge that is not a number, a signature over 1 MB) is refused there too.

use serde::{Deserialize, Serialize};

use super::{
    check_author, check_id, check_instant, check_photos, check_text, check_word, Container, Record,
    SchemaError, WorkerLog,
};

/// The most photos before, and after, one piece of work.
pub const MAX_PHOTOS: usize = 9;
/// The largest resident's signature image, bytes (1 MB).
pub const MAX_SIGNATURE_BYTES: u64 = 1_000_000;
/// The largest charge, in fen (¥100,000).
pub const MAX_CHARGE_FEN: i64 = 10_000_000;

/// One order to one repair worker, written once by its dispatcher.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkOrder {
    pub id: String,
    /// The repair request behind it, in its zone's request log of the month
    /// `request_at` falls in.
    pub request_id: String,
    pub zone: String,
    pub request_at: i64,
    /// The unit (or, for a patrol finding, the checkpoint), resident and
    /// fault, copied from the request when dispatched.
    pub unit_label: String,
    pub resident_name: String,
    pub contact_phone: String,
    pub fault: String,
    /// The request's photos (hashes, in the request's zone).
    pub photos: Vec<String>,
    /// Whose order it is (username) and their name as shown.
    pub worker: String,
    pub worker_name: String,
    /// When the worker should arrive (unix ms).
    pub arrive_by: i64,
    /// Urgent orders come first on the worker's list.
    pub urgent: bool,
    pub dispatched_by: String,
    pub dispatched_by_name: String,
    pub device: String,
    pub dispatched_at: i64,
    /// The order this one takes over from (a reassignment), or empty.
    pub reassigned_from: String,
}

/// The actions on a work order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderAction {
    /// The worker is at the unit (the event's time).
    Arrive,
    /// The work is done: a note, materials, charge, photos, signature.
    Done,
    /// The worker cannot fix it: back to the dispatcher with a reason.
    CannotFix,
    /// The dispatcher or the engineering supervisor moves it to another
    /// worker (a new order in that worker's log takes over).
    Reassign,
    /// The dispatcher or the engineering supervisor withdraws it, with a
    /// reason: the work was done another way, or the order was made in
    /// error (a reassignment the worker's offline "done" overtook).
    Cancel,
}

impl OrderAction {
    pub const ALL: [OrderAction; 5] = [
        OrderAction::Arrive,
        OrderAction::Done,
        OrderAction::CannotFix,
        OrderAction::Reassign,
        OrderAction::Cancel,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderAction::Arrive => "arrive",
            OrderAction::Done => "done",
            OrderAction::CannotFix => "cannot_fix",
            OrderAction::Reassign => "reassign",
            OrderAction::Cancel => "cancel",
        }
    }

    /// Whether the action is a dispatcher's (anyone holding the log but
    /// the order's worker) rather than the worker's.
    pub fn by_dispatcher(self) -> bool {
        matches!(self, OrderAction::Reassign | OrderAction::Cancel)
    }

    pub fn parse(text: &str) -> Option<OrderAction> {
        OrderAction::ALL
            .into_iter()
            .find(|action| action.as_str() == text)
    }

    fn words() -> Vec<&'static str> {
        OrderAction::ALL
            .iter()
            .map(|action| action.as_str())
            .collect()
    }
}

/// One step on a work order. Fields an action does not use are empty (or 0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkOrderEvent {
    pub id: String,
    pub order_id: String,
    /// An [`OrderAction`] word.
    pub action: String,
    pub by: String,
    pub by_name: String,
    pub device: String,
    /// The tablet's clock when it was done (unix ms); for arrive, the arrival.
    pub at: i64,
    /// The latest event of this order the author's tablet held (empty if none).
    pub prior: String,
    /// Done: the work done (required); cannot fix and reassign: the reason.
    pub note: String,
    /// Done: the materials used (optional).
    pub materials: String,
    /// Done: the charge for a paid in-home repair, in fen (0 when free).
    pub charge_fen: i64,
    pub photos_before: Vec<String>,
    pub photos_after: Vec<String>,
    /// Done: the resident's signature (a PNG blob's hash) and its size.
    pub signature: String,
    pub signature_bytes: u64,
    /// Reassign: to whom (username, name) and the new order's id.
    pub to: String,
    pub to_name: String,
    pub new_order: String,
}

impl WorkOrderEvent {
    /// A blank event of `action`; callers fill in what the action uses.
    pub fn new(id: &str, order_id: &str, action: OrderAction, at: i64) -> WorkOrderEvent {
        WorkOrderEvent {
            id: id.into(),
            order_id: order_id.into(),
            action: action.as_str().into(),
            by: String::new(),
            by_name: String::new(),
            device: String::new(),
            at,
            prior: String::new(),
            note: String::new(),
            materials: String::new(),
            charge_fen: 0,
            photos_before: Vec::new(),
            photos_after: Vec::new(),
            signature: String::new(),
            signature_bytes: 0,
            to: String::new(),
            to_name: String::new(),
            new_order: String::new(),
        }
    }

    pub fn action(&self) -> Option<OrderAction> {
        OrderAction::parse(&self.action)
    }
}

impl Record for WorkOrder {
    const CONTAINER: Container = Container::WorkOrders;
    const PERSONAL: bool = true;
    const MADE_AT: Option<&'static str> = Some("dispatched_at");
    const AUTHOR: Option<&'static str> = Some("dispatched_by");
    const BLOBS: &'static [&'static str] = &["photos"];

    fn id(&self) -> &str {
        &self.id
    }

    /// An order lives in its worker's log of its zone (or, in a log from
    /// before the split by zone, its worker's).
    fn fits(&self, place: &str) -> Result<(), SchemaError> {
        let log = WorkerLog {
            zone: place
                .contains(WorkerLog::SEPARATOR)
                .then_some(self.zone.as_str()),
            worker: &self.worker,
        };
        if log.place() == place {
            Ok(())
        } else {
            Err(SchemaError::Invalid(format!(
                "the order for {} in zone {} does not belong in the log of {place}",
                self.worker, self.zone
            )))
        }
    }

    fn validate(&self) -> Result<(), SchemaError> {
        check_id("work order", &self.id)?;
        check_id("request", &self.request_id)?;
        check_text("zone", &self.zone, true, 32)?;
        check_instant("request time", self.request_at)?;
        check_text("unit", &self.unit_label, false, 200)?;
        check_text("resident", &self.resident_name, false, 64)?;
        check_text("contact phone", &self.contact_phone, false, 32)?;
        check_text("fault", &self.fault, false, 2000)?;
        check_photos("photos", &self.photos, MAX_PHOTOS)?;
        check_text("worker", &self.worker, true, 64)?;
        check_text("worker name", &self.worker_name, true, 64)?;
        check_instant("arrival time", self.arrive_by)?;
        check_author(
            "dispatcher",
            &self.dispatched_by,
            &self.dispatched_by_name,
            &self.device,
        )?;
        check_instant("dispatch time", self.dispatched_at)?;
        if !self.reassigned_from.is_empty() {
            check_id("reassigned order", &self.reassigned_from)?;
        }
        Ok(())
    }

    /// Most urgent first, then newest first.
    fn order(a: &Self, b: &Self) -> std::cmp::Ordering {
        b.urgent
            .cmp(&a.urgent)
            .then(b.dispatched_at.cmp(&a.dispatched_at))
            .then(a.id.cmp(&b.id))
    }
}

impl Record for WorkOrderEvent {
    const CONTAINER: Container = Container::WorkOrderEvents;
    const MADE_AT: Option<&'static str> = Some("at");
    const AUTHOR: Option<&'static str> = Some("by");
    const BLOBS: &'static [&'static str] = &["photos_before", "photos_after", "signature"];

    fn id(&self) -> &str {
        &self.id
    }

    /// The record's shape and what each action carries. Whether the action
    /// is allowed now is `crate::work_orders::check`'s.
    fn validate(&self) -> Result<(), SchemaError> {
        check_id("event", &self.id)?;
        check_id("work order", &self.order_id)?;
        check_word("action", &self.action, &OrderAction::words())?;
        if !self.prior.is_empty() {
            check_id("prior event", &self.prior)?;
        }
        check_author("by", &self.by, &self.by_name, &self.device)?;
        check_instant("event time", self.at)?;
        check_text("note", &self.note, false, 2000)?;
        check_text("materials", &self.materials, false, 1000)?;
        if !(0..=MAX_CHARGE_FEN).contains(&self.charge_fen) {
            return Err(SchemaError::Invalid(format!("charge {}", self.charge_fen)));
        }
        check_photos("photos before", &self.photos_before, MAX_PHOTOS)?;
        check_photos("photos after", &self.photos_after, MAX_PHOTOS)?;
        if !self.signature.is_empty() && !crate::blob::is_hash(&self.signature) {
            return Err(SchemaError::Invalid(format!(
                "signature hash {:?}",
                self.signature
            )));
        }
        if self.signature_bytes > MAX_SIGNATURE_BYTES {
            return Err(SchemaError::Invalid(format!(
                "a signature of {} bytes (at most {MAX_SIGNATURE_BYTES})",
                self.signature_bytes
            )));
        }
        check_text("to", &self.to, false, 64)?;
        check_text("to name", &self.to_name, false, 64)?;
        match self.action() {
            Some(OrderAction::Done | OrderAction::CannotFix | OrderAction::Cancel)
                if self.note.trim().is_empty() =>
            {
                Err(SchemaError::Invalid(format!(
                    "{} needs a note",
                    self.action
                )))
            }
            Some(OrderAction::Reassign) if self.to.trim().is_empty() => {
                Err(SchemaError::Invalid("reassign needs a worker".into()))
            }
            Some(OrderAction::Reassign) => check_id("new order", &self.new_order),
            _ => Ok(()),
        }
    }
}
