//! A work order's states: which actions are allowed in which state, and what
//! an order looks like after its events ([`fold`]).
//!
//! The rule for concurrent offline edits is the request workflow's
//! (`crate::workflow`): events apply in the order of their time, ties broken
//! by id, the same on every device; an event not allowed where it falls is
//! kept in the history, marked superseded, and changes nothing; two events
//! with the same `prior` (neither author saw the other) that both move the
//! state are a [`Conflict`] the screen shows. So a clerk's reassignment and
//! the worker's offline "done" both survive with all they carry (note,
//! photos, signature), and the screens say which stood.
//!
//! Pure: no clock, no storage. [`check`] is the rule the tablet applies
//! before writing an event.

use crate::schema::work_order::{OrderAction, WorkOrder, WorkOrderEvent};
use crate::schema::Record;

/// Where a work order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OrderState {
    /// Dispatched, the worker not there yet.
    Open,
    /// The worker is at the unit.
    Arrived,
    /// Done: back to the request's owner for the callback.
    Done,
    /// Sent back: the worker cannot fix it.
    CannotFix,
    /// Moved to another worker's order.
    Reassigned,
    /// Withdrawn by a dispatcher, with a reason.
    Cancelled,
}

impl OrderState {
    pub const ALL: [OrderState; 6] = [
        OrderState::Open,
        OrderState::Arrived,
        OrderState::Done,
        OrderState::CannotFix,
        OrderState::Reassigned,
        OrderState::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderState::Open => "open",
            OrderState::Arrived => "arrived",
            OrderState::Done => "done",
            OrderState::CannotFix => "cannot_fix",
            OrderState::Reassigned => "reassigned",
            OrderState::Cancelled => "cancelled",
        }
    }

    /// Still on the worker's list (open or arrived).
    pub fn is_open(self) -> bool {
        matches!(self, OrderState::Open | OrderState::Arrived)
    }
}

/// Why an action may not be taken now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OrderRefusal {
    #[error("the action is not allowed while the order is {}", .0.as_str())]
    NotNow(OrderState),
    #[error("only the order's worker records work on it")]
    NotTheWorker,
    #[error("the order's own worker neither reassigns nor cancels it")]
    NotADispatcher,
    #[error("the action needs a note")]
    NoteMissing,
    #[error("a reassignment needs another worker")]
    SameWorker,
    #[error("the event is of another order or an unknown action")]
    Malformed,
}

/// The states an action is allowed in.
pub fn allowed_in(action: OrderAction) -> &'static [OrderState] {
    use OrderState::*;
    match action {
        OrderAction::Arrive => &[Open],
        OrderAction::Done | OrderAction::CannotFix => &[Open, Arrived],
        OrderAction::Reassign | OrderAction::Cancel => &[Open, Arrived, CannotFix],
    }
}

/// One event and whether it stood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderEntry {
    pub event: WorkOrderEvent,
    pub superseded: Option<OrderRefusal>,
}

/// Two events made without either author seeing the other, both moving
/// the state; `stood` is the one that did (if any).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub events: Vec<WorkOrderEvent>,
    pub stood: Option<String>,
}

/// A work order after its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderView {
    pub order: WorkOrder,
    pub state: OrderState,
    /// When the worker arrived.
    pub arrived_at: Option<i64>,
    /// The event that finished it (done, cannot fix or cancel), if one stood.
    pub outcome: Option<WorkOrderEvent>,
    /// The reassignment that stood: to whom.
    pub reassigned_to: Option<(String, String)>,
    pub history: Vec<OrderEntry>,
    pub conflicts: Vec<Conflict>,
}

impl OrderView {
    /// The latest event held (for the next event's `prior`), or empty.
    pub fn latest_event_id(&self) -> &str {
        self.history
            .last()
            .map(|entry| entry.event.id.as_str())
            .unwrap_or("")
    }

    /// The actions `user` may take now: the worker records, the others
    /// (dispatchers, the engineering supervisor) reassign and cancel.
    pub fn actions_for(&self, user: &str) -> Vec<OrderAction> {
        OrderAction::ALL
            .into_iter()
            .filter(|action| allowed_in(*action).contains(&self.state))
            .filter(|action| action.by_dispatcher() != (user == self.order.worker))
            .collect()
    }
}

/// Whether `event` may be applied to `view` now, by its author.
pub fn check(view: &OrderView, event: &WorkOrderEvent) -> Result<(), OrderRefusal> {
    let action = event.action().ok_or(OrderRefusal::Malformed)?;
    if event.order_id != view.order.id {
        return Err(OrderRefusal::Malformed);
    }
    if !allowed_in(action).contains(&view.state) {
        return Err(OrderRefusal::NotNow(view.state));
    }
    match action {
        OrderAction::Arrive | OrderAction::Done | OrderAction::CannotFix
            if event.by != view.order.worker =>
        {
            Err(OrderRefusal::NotTheWorker)
        }
        OrderAction::Reassign | OrderAction::Cancel if event.by == view.order.worker => {
            Err(OrderRefusal::NotADispatcher)
        }
        OrderAction::Done | OrderAction::CannotFix | OrderAction::Cancel
            if event.note.trim().is_empty() =>
        {
            Err(OrderRefusal::NoteMissing)
        }
        OrderAction::Reassign if event.to.is_empty() || event.to == view.order.worker => {
            Err(OrderRefusal::SameWorker)
        }
        _ => Ok(()),
    }
}

/// Applies the order's events (any order; other orders' are ignored) by
/// the rule above.
pub fn fold<'a>(
    order: WorkOrder,
    events: impl IntoIterator<Item = &'a WorkOrderEvent>,
) -> OrderView {
    let mut events: Vec<&WorkOrderEvent> = events
        .into_iter()
        .filter(|event| event.order_id == order.id)
        .collect();
    events.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.id.cmp(&b.id)));
    let mut view = OrderView {
        order,
        state: OrderState::Open,
        arrived_at: None,
        outcome: None,
        reassigned_to: None,
        history: Vec::with_capacity(events.len()),
        conflicts: Vec::new(),
    };
    for event in events {
        let superseded = check(&view, event).err();
        if superseded.is_none() {
            match event.action() {
                Some(OrderAction::Arrive) => {
                    view.state = OrderState::Arrived;
                    view.arrived_at = Some(event.at);
                }
                Some(OrderAction::Done) => {
                    view.state = OrderState::Done;
                    view.outcome = Some(event.clone());
                }
                Some(OrderAction::CannotFix) => {
                    view.state = OrderState::CannotFix;
                    view.outcome = Some(event.clone());
                }
                Some(OrderAction::Reassign) => {
                    view.state = OrderState::Reassigned;
                    view.reassigned_to = Some((event.to.clone(), event.to_name.clone()));
                }
                Some(OrderAction::Cancel) => {
                    view.state = OrderState::Cancelled;
                    view.outcome = Some(event.clone());
                }
                None => {}
            }
        }
        view.history.push(OrderEntry {
            event: event.clone(),
            superseded,
        });
    }
    view.conflicts = conflicts(&view.history);
    view
}

/// Events with the same `prior` from different authors (or devices), all
/// of which move the state.
fn conflicts(history: &[OrderEntry]) -> Vec<Conflict> {
    let mut found: Vec<Conflict> = Vec::new();
    for (n, entry) in history.iter().enumerate() {
        for other in &history[n + 1..] {
            let (a, b) = (&entry.event, &other.event);
            if a.prior != b.prior || (a.by == b.by && a.device == b.device) {
                continue;
            }
            let stood = [entry, other]
                .iter()
                .rev()
                .find(|e| e.superseded.is_none())
                .map(|e| e.event.id.clone());
            found.push(Conflict {
                events: vec![a.clone(), b.clone()],
                stood,
            });
        }
    }
    found
}

/// Each order of `orders` folded with `events`, the open ones first (most
/// urgent, then newest first, as [`WorkOrder::order`] sorts them).
pub fn views(orders: Vec<WorkOrder>, events: &[WorkOrderEvent]) -> Vec<OrderView> {
    let mut by_order: std::collections::HashMap<&str, Vec<&WorkOrderEvent>> =
        std::collections::HashMap::new();
    for event in events {
        by_order
            .entry(event.order_id.as_str())
            .or_default()
            .push(event);
    }
    let mut orders = orders;
    orders.sort_by(WorkOrder::order);
    let mut views: Vec<OrderView> = orders
        .into_iter()
        .map(|order| {
            let mine = by_order.get(order.id.as_str()).cloned().unwrap_or_default();
            fold(order, mine)
        })
        .collect();
    views.sort_by_key(|view| !view.state.is_open());
    views
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_796_000_000_000;

    fn order(id: &str, worker: &str, urgent: bool, at: i64) -> WorkOrder {
        WorkOrder {
            id: id.into(),
            request_id: "req-1".into(),
            zone: "A".into(),
            request_at: T0,
            unit_label: "1-101".into(),
            resident_name: "张三".into(),
            contact_phone: "13800000000".into(),
            fault: "水管漏水".into(),
            photos: Vec::new(),
            worker: worker.into(),
            worker_name: "何建".into(),
            arrive_by: T0 + 3_600_000,
            urgent,
            dispatched_by: "service-a".into(),
            dispatched_by_name: "陈静".into(),
            device: "desk".into(),
            dispatched_at: at,
            reassigned_from: String::new(),
        }
    }

    fn event(id: &str, action: OrderAction, by: &str, at: i64, prior: &str) -> WorkOrderEvent {
        let mut event = WorkOrderEvent::new(id, "wo-1", action, at);
        event.by = by.into();
        event.by_name = by.into();
        event.device = format!("{by}-tablet");
        event.prior = prior.into();
        match action {
            OrderAction::Done => event.note = "换了阀门".into(),
            OrderAction::CannotFix => event.note = "需要更换主管".into(),
            OrderAction::Reassign => {
                event.to = "repair-b".into();
                event.to_name = "刘".into();
                event.new_order = "wo-2".into();
            }
            OrderAction::Cancel => event.note = "已由原维修员修好".into(),
            OrderAction::Arrive => {}
        }
        event
    }

    #[test]
    fn every_action_in_every_state() {
        // Reach each state, then try each action by the right person.
        let reach = |state: OrderState| -> Vec<WorkOrderEvent> {
            match state {
                OrderState::Open => vec![],
                OrderState::Arrived => vec![event("e0", OrderAction::Arrive, "repair-a", T0, "")],
                OrderState::Done => vec![event("e0", OrderAction::Done, "repair-a", T0, "")],
                OrderState::CannotFix => {
                    vec![event("e0", OrderAction::CannotFix, "repair-a", T0, "")]
                }
                OrderState::Reassigned => {
                    vec![event("e0", OrderAction::Reassign, "engineering", T0, "")]
                }
                OrderState::Cancelled => {
                    vec![event("e0", OrderAction::Cancel, "engineering", T0, "")]
                }
            }
        };
        for state in OrderState::ALL {
            let view = fold(order("wo-1", "repair-a", false, T0), &reach(state));
            assert_eq!(view.state, state);
            for action in OrderAction::ALL {
                let by = if action.by_dispatcher() {
                    "engineering"
                } else {
                    "repair-a"
                };
                let next = event("e1", action, by, T0 + 1, "e0");
                let allowed = allowed_in(action).contains(&state);
                assert_eq!(
                    check(&view, &next).is_ok(),
                    allowed,
                    "{action:?} in {state:?}"
                );
            }
        }
    }

    #[test]
    fn only_the_worker_records_work_and_done_needs_a_note() {
        let view = fold(order("wo-1", "repair-a", false, T0), []);
        let stranger = event("e1", OrderAction::Done, "repair-b", T0, "");
        assert_eq!(check(&view, &stranger), Err(OrderRefusal::NotTheWorker));
        let mut blank = event("e1", OrderAction::Done, "repair-a", T0, "");
        blank.note = "  ".into();
        assert_eq!(check(&view, &blank), Err(OrderRefusal::NoteMissing));
        assert!(blank.validate().is_err(), "the server refuses it too");
        let mut to_self = event("e1", OrderAction::Reassign, "engineering", T0, "");
        to_self.to = "repair-a".into();
        assert_eq!(check(&view, &to_self), Err(OrderRefusal::SameWorker));
        assert_eq!(
            view.actions_for("repair-a"),
            [
                OrderAction::Arrive,
                OrderAction::Done,
                OrderAction::CannotFix
            ]
        );
        assert_eq!(
            view.actions_for("engineering"),
            [OrderAction::Reassign, OrderAction::Cancel]
        );
        // The worker neither reassigns nor cancels their own order.
        let own = event("e1", OrderAction::Cancel, "repair-a", T0, "");
        assert_eq!(check(&view, &own), Err(OrderRefusal::NotADispatcher));
        let mut silent = event("e1", OrderAction::Cancel, "engineering", T0, "");
        silent.note.clear();
        assert_eq!(check(&view, &silent), Err(OrderRefusal::NoteMissing));
        assert!(silent.validate().is_err(), "the server refuses it too");
    }

    #[test]
    fn a_reassignment_overtaken_by_an_offline_done_is_cancelled() {
        // The worker's offline done came first, so the reassignment did not
        // stand; the new order made for it is withdrawn with a reason.
        let mut moved = order("wo-1", "repair-b", false, T0 + 1_000);
        moved.reassigned_from = "wo-0".into();
        let cancel = event("e-c", OrderAction::Cancel, "engineering", T0 + 5_000, "");
        let view = fold(moved, std::slice::from_ref(&cancel));
        assert_eq!(view.state, OrderState::Cancelled);
        assert!(!view.state.is_open());
        assert_eq!(view.outcome, Some(cancel));
        assert!(view.actions_for("repair-b").is_empty());
    }

    #[test]
    fn arrive_then_done_keeps_what_the_worker_recorded() {
        let mut done = event("e2", OrderAction::Done, "repair-a", T0 + 60_000, "e1");
        done.materials = "阀门 1 个".into();
        done.charge_fen = 3500;
        done.signature = "a".repeat(64);
        done.signature_bytes = 20_000;
        let events = [
            event("e1", OrderAction::Arrive, "repair-a", T0, ""),
            done.clone(),
        ];
        let view = fold(order("wo-1", "repair-a", false, T0), &events);
        assert_eq!(view.state, OrderState::Done);
        assert_eq!(view.arrived_at, Some(T0));
        assert_eq!(view.outcome, Some(done));
        assert!(view.conflicts.is_empty());
        assert!(!view.state.is_open());
    }

    #[test]
    fn a_reassignment_and_an_offline_done_both_survive_and_conflict() {
        // The worker, offline, marks done after the clerk's reassignment
        // (neither saw the other): the reassignment stands, the done stays
        // in the history with its note, and the conflict is reported.
        let reassign = event("e-r", OrderAction::Reassign, "service-a", T0 + 1_000, "");
        let done = event("e-d", OrderAction::Done, "repair-a", T0 + 2_000, "");
        for events in [
            vec![reassign.clone(), done.clone()],
            vec![done.clone(), reassign.clone()],
        ] {
            let view = fold(order("wo-1", "repair-a", false, T0), &events);
            assert_eq!(view.state, OrderState::Reassigned);
            assert_eq!(view.history.len(), 2);
            let kept = view.history.iter().find(|e| e.event.id == "e-d").unwrap();
            assert_eq!(
                kept.superseded,
                Some(OrderRefusal::NotNow(OrderState::Reassigned))
            );
            assert_eq!(kept.event.note, "换了阀门");
            assert_eq!(view.conflicts.len(), 1);
            assert_eq!(view.conflicts[0].stood.as_deref(), Some("e-r"));
        }
        // Done first: it stands, and the later reassignment is superseded.
        let early_done = event("e-d", OrderAction::Done, "repair-a", T0 + 500, "");
        let view = fold(
            order("wo-1", "repair-a", false, T0),
            &[reassign, early_done],
        );
        assert_eq!(view.state, OrderState::Done);
        assert_eq!(view.conflicts[0].stood.as_deref(), Some("e-d"));
    }

    #[test]
    fn the_list_puts_open_urgent_and_new_orders_first() {
        let mut done = order("wo-done", "repair-a", true, T0 + 9);
        done.id = "wo-1".into();
        let orders = vec![
            order("wo-old", "repair-a", false, T0),
            order("wo-new", "repair-a", false, T0 + 5),
            order("wo-urgent", "repair-a", true, T0 + 1),
            done,
        ];
        let events = [event("e1", OrderAction::Done, "repair-a", T0 + 10, "")];
        let ids: Vec<String> = views(orders, &events)
            .into_iter()
            .map(|view| view.order.id)
            .collect();
        assert_eq!(ids, ["wo-urgent", "wo-new", "wo-old", "wo-1"]);
    }

    #[test]
    fn records_refuse_bad_shapes() {
        let mut charge = event("e1", OrderAction::Done, "repair-a", T0, "");
        charge.charge_fen = -1;
        assert!(charge.validate().is_err());
        let mut big = event("e1", OrderAction::Done, "repair-a", T0, "");
        big.signature = "b".repeat(64);
        big.signature_bytes = crate::schema::work_order::MAX_SIGNATURE_BYTES + 1;
        assert!(big.validate().is_err());
        big.signature_bytes = 50_000;
        assert!(big.validate().is_ok());
        assert!(order("wo-1", "repair-a", false, T0).validate().is_ok());
        let mut nobody = order("wo-1", "", false, T0);
        nobody.worker_name = String::new();
        assert!(nobody.validate().is_err());
    }
}
