//! A request's workflow: which actions are allowed in which state, and what a
//! request looks like after its events (`fold`).
//!
//! **The rule for concurrent offline edits.** Events are applied in the order
//! of their time (`at`), ties broken by event id — the same order on every
//! device. An event that is not allowed where it falls in that order is kept
//! in the history, marked superseded, and changes nothing. So both edits of
//! two tablets always survive in the history; where both set the same field
//! (state, assignee, classification, handling mark) the later one stands; and
//! two events with the same `prior` (neither author saw the other) that set
//! the same field are reported as a [`Conflict`] for the screen to show.
//!
//! This module is pure: no clock, no storage. [`check`] is the same rule the
//! tablet applies before writing an event.

use crate::schema::request::{
    Action, Classification, Handling, Request, RequestEvent, RequestKind, Satisfaction,
};
use crate::schema::Record;

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum State {
    Received,
    Assigned,
    Accepted,
    InProgress,
    /// Sent back to the owner by whoever had it.
    Returned,
    /// Handed to another department or person.
    Transferred,
    Done,
    /// Called back and the resident was satisfied (or basically): ready to close.
    CalledBack,
    /// 销项
    Closed,
}

impl State {
    pub const ALL: [State; 9] = [
        State::Received,
        State::Assigned,
        State::Accepted,
        State::InProgress,
        State::Returned,
        State::Transferred,
        State::Done,
        State::CalledBack,
        State::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Received => "received",
            State::Assigned => "assigned",
            State::Accepted => "accepted",
            State::InProgress => "in_progress",
            State::Returned => "returned",
            State::Transferred => "transferred",
            State::Done => "done",
            State::CalledBack => "called_back",
            State::Closed => "closed",
        }
    }

    /// Still needs someone's work (everything but closed).
    pub fn is_open(self) -> bool {
        self != State::Closed
    }
}

/// Why an action may not be taken now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the action is not allowed while the request is {}", .0.as_str())]
    NotNow(State),
    #[error("only the assignee accepts an assigned request")]
    NotTheAssignee,
    #[error("only a complaint is classified")]
    NotAComplaint,
    #[error("only a repair gets a handling mark")]
    NotARepair,
    #[error("a request closes only after a callback with a satisfied resident")]
    NoSatisfiedCallback,
    #[error("only a complaint classified invalid closes as invalid")]
    NotInvalid,
    #[error("the event is not well formed")]
    Malformed,
}

use State::*;

/// The states that come before `state` in a request's life ([`State::ALL`]'s order).
const fn before(state: State) -> &'static [State] {
    let all: &'static [State] = &State::ALL;
    all.split_at(state as usize).0
}

/// The states in which `action` is allowed (before the per-action conditions of [`check`]).
pub fn allowed_in(action: Action) -> &'static [State] {
    match action {
        Action::Assign => &[Received, Returned, Assigned, Accepted, Transferred],
        Action::Accept => &[Received, Assigned, Transferred],
        Action::Start => &[Received, Assigned, Accepted, Returned, Transferred],
        Action::Return => &[Assigned, Accepted, InProgress, Transferred],
        Action::Transfer => &[Received, Assigned, Accepted, InProgress, Returned],
        Action::Done => &[Received, Assigned, Accepted, InProgress, Transferred],
        Action::Callback => &[Done, CalledBack],
        Action::Close => &[CalledBack],
        Action::CloseInvalid => before(Done),
        Action::Classify | Action::Mark | Action::Note => before(Closed),
        Action::Report => &State::ALL,
    }
}

/// One event in a request's history and whether it took effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub event: RequestEvent,
    /// `None` if it took effect; otherwise why it was superseded where it fell.
    pub superseded: Option<Refusal>,
}

/// A field two tablets set without seeing each other's edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub field: Field,
    /// The events, in the order they were applied.
    pub events: Vec<RequestEvent>,
    /// The id of the event whose value stands (the later one that took effect), if any did.
    pub stood: Option<String>,
}

/// A request field an event sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    State,
    Assignee,
    Classification,
    Handling,
}

/// The latest Z / Q / GT mark's word on who has the request outside the
/// office and when the office follows it up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    /// The developer's contractor, the outside vendor, or the departments.
    pub party: String,
    /// The vendor's reference number (Q).
    pub reference: String,
    /// The date promised or the next follow-up (the end of that day, unix ms).
    pub due_at: i64,
    /// When it was marked.
    pub marked_at: i64,
}

/// A request as its events left it.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestView {
    pub request: Request,
    pub state: State,
    /// Whoever has it now: (username or department, display name); empty when nobody but the owner.
    pub assignee: Option<(String, String)>,
    pub classification: Option<Classification>,
    pub handling: Option<Handling>,
    /// Who outside the office has a Z / Q / GT request, and by when.
    pub follow_up: Option<FollowUp>,
    /// The reply time agreed for a valid complaint.
    pub reply_by: Option<i64>,
    /// Every event in applied order.
    pub history: Vec<HistoryEntry>,
    pub conflicts: Vec<Conflict>,
}

impl RequestView {
    /// The owner: the first receiver (首问责任制).
    pub fn owner(&self) -> &str {
        &self.request.received_by
    }

    /// The events that took effect, in order.
    pub fn effective(&self) -> impl Iterator<Item = &RequestEvent> {
        self.history
            .iter()
            .filter(|entry| entry.superseded.is_none())
            .map(|entry| &entry.event)
    }

    /// The callbacks that took effect, in order.
    pub fn callbacks(&self) -> impl Iterator<Item = &RequestEvent> {
        self.effective()
            .filter(|event| event.action() == Some(Action::Callback))
    }

    /// The first effective event of `action`, if any.
    pub fn first(&self, action: Action) -> Option<&RequestEvent> {
        self.effective()
            .find(|event| event.action() == Some(action))
    }

    /// The id of the latest event: what a new event names as its `prior`.
    pub fn latest_event_id(&self) -> &str {
        self.history
            .last()
            .map(|entry| entry.event.id.as_str())
            .unwrap_or("")
    }

    /// The actions allowed now for `user` (what the screen offers).
    pub fn actions_for(&self, user: &str) -> Vec<Action> {
        Action::ALL
            .iter()
            .copied()
            .filter(|action| permits(self, *action, user).is_ok())
            .collect()
    }

    /// The step the request's life expects next, if `user` may take it: what
    /// the screen offers as the main action (the others stay available).
    /// A complaint still unclassified is classified first (its validity sets
    /// the reply time); an unsatisfied callback calls the resident back again.
    pub fn next_step(&self, user: &str) -> Option<Action> {
        let unclassified =
            self.request.kind() == RequestKind::Complaint && self.classification.is_none();
        let expected: &[Action] = match self.state {
            Received | Returned | Transferred if unclassified => &[Action::Classify],
            Received | Returned => &[Action::Assign, Action::Accept],
            Assigned | Transferred => &[Action::Accept],
            Accepted => &[Action::Start],
            InProgress => &[Action::Done],
            Done => &[Action::Callback],
            CalledBack => &[Action::Close, Action::Callback],
            Closed => &[],
        };
        expected
            .iter()
            .copied()
            .find(|action| permits(self, *action, user).is_ok())
    }
}

/// Whether `event` may be applied to the request as `view` shows it.
pub fn check(view: &RequestView, event: &RequestEvent) -> Result<(), Refusal> {
    if event.validate().is_err() || event.request_id != view.request.id {
        return Err(Refusal::Malformed);
    }
    let action = event.action().ok_or(Refusal::Malformed)?;
    permits(view, action, &event.by)?;
    if action == Action::Classify
        && event.classification == Classification::Invalid.as_str()
        && view.state == Done
    {
        return Err(Refusal::NotNow(view.state));
    }
    Ok(())
}

/// The state and role conditions of an action, apart from the event's own fields.
fn permits(view: &RequestView, action: Action, by: &str) -> Result<(), Refusal> {
    if !allowed_in(action).contains(&view.state) {
        return Err(Refusal::NotNow(view.state));
    }
    let kind = view.request.kind();
    match action {
        Action::Accept => match &view.assignee {
            Some((assignee, _)) if view.state != Received && assignee != by => {
                Err(Refusal::NotTheAssignee)
            }
            _ => Ok(()),
        },
        Action::Classify if kind != RequestKind::Complaint => Err(Refusal::NotAComplaint),
        Action::Mark if !kind.is_repair() => Err(Refusal::NotARepair),
        Action::Close => match view.callbacks().last() {
            Some(callback) if callback.satisfaction != Satisfaction::NotSatisfied.as_str() => {
                Ok(())
            }
            _ => Err(Refusal::NoSatisfiedCallback),
        },
        Action::CloseInvalid if view.classification != Some(Classification::Invalid) => {
            Err(Refusal::NotInvalid)
        }
        _ => Ok(()),
    }
}

/// The fields an action sets (for conflict detection).
fn fields_set(action: Action) -> &'static [Field] {
    match action {
        Action::Assign | Action::Transfer => &[Field::State, Field::Assignee],
        Action::Accept
        | Action::Start
        | Action::Return
        | Action::Done
        | Action::Callback
        | Action::Close
        | Action::CloseInvalid => &[Field::State],
        Action::Classify => &[Field::Classification],
        Action::Mark => &[Field::Handling],
        Action::Note | Action::Report => &[],
    }
}

/// Applies the request's events (any order; other requests' events are
/// ignored) by the documented rule and returns the resulting view.
pub fn fold<'a>(
    request: Request,
    events: impl IntoIterator<Item = &'a RequestEvent>,
) -> RequestView {
    let mut events: Vec<&RequestEvent> = events
        .into_iter()
        .filter(|event| event.request_id == request.id)
        .collect();
    events.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.id.cmp(&b.id)));
    let mut view = RequestView {
        request,
        state: Received,
        assignee: None,
        classification: None,
        handling: None,
        follow_up: None,
        reply_by: None,
        history: Vec::with_capacity(events.len()),
        conflicts: Vec::new(),
    };
    for event in events {
        let superseded = check(&view, event).err();
        if superseded.is_none() {
            apply(&mut view, event);
        }
        view.history.push(HistoryEntry {
            event: event.clone(),
            superseded,
        });
    }
    view.conflicts = conflicts(&view.history);
    view
}

fn apply(view: &mut RequestView, event: &RequestEvent) {
    let Some(action) = event.action() else {
        return;
    };
    let assignee = || Some((event.assignee.clone(), event.assignee_name.clone()));
    match action {
        Action::Assign => {
            view.state = Assigned;
            view.assignee = assignee();
        }
        Action::Accept => {
            view.state = Accepted;
            if view.assignee.is_none() {
                view.assignee = Some((event.by.clone(), event.by_name.clone()));
            }
        }
        Action::Start => view.state = InProgress,
        Action::Return => {
            view.state = Returned;
            view.assignee = None;
        }
        Action::Transfer => {
            view.state = Transferred;
            view.assignee = assignee();
        }
        Action::Done => view.state = Done,
        Action::Callback => {
            view.state = if event.satisfaction == Satisfaction::NotSatisfied.as_str() {
                InProgress
            } else {
                CalledBack
            }
        }
        Action::Close | Action::CloseInvalid => view.state = Closed,
        Action::Classify => {
            view.classification = Classification::parse(&event.classification);
            view.reply_by =
                (view.classification == Some(Classification::Valid)).then_some(event.reply_by);
        }
        Action::Mark => {
            view.handling = Handling::parse(&event.handling);
            view.follow_up = view
                .handling
                .is_some_and(Handling::is_outside)
                .then(|| FollowUp {
                    party: event.party.clone(),
                    reference: event.reference.clone(),
                    due_at: event.follow_up_by,
                    marked_at: event.at,
                });
        }
        Action::Note | Action::Report => {}
    }
}

/// Groups of events with the same `prior` that set the same field.
fn conflicts(history: &[HistoryEntry]) -> Vec<Conflict> {
    let mut found: Vec<Conflict> = Vec::new();
    for (index, entry) in history.iter().enumerate() {
        let Some(action) = entry.event.action() else {
            continue;
        };
        for field in fields_set(action) {
            let rivals: Vec<&HistoryEntry> = history[..index]
                .iter()
                .filter(|other| {
                    other.event.prior == entry.event.prior
                        && other
                            .event
                            .action()
                            .is_some_and(|action| fields_set(action).contains(field))
                })
                .collect();
            if rivals.is_empty() {
                continue;
            }
            let existing = found.iter_mut().find(|conflict| {
                conflict.field == *field
                    && conflict.events.iter().any(|e| e.id == rivals[0].event.id)
            });
            let conflict = match existing {
                Some(conflict) => conflict,
                None => {
                    found.push(Conflict {
                        field: *field,
                        events: rivals.iter().map(|rival| rival.event.clone()).collect(),
                        stood: None,
                    });
                    found.last_mut().expect("just pushed")
                }
            };
            conflict.events.push(entry.event.clone());
        }
    }
    for conflict in &mut found {
        conflict.stood = conflict
            .events
            .iter()
            .rev()
            .find(|event| {
                history
                    .iter()
                    .any(|entry| entry.event.id == event.id && entry.superseded.is_none())
            })
            .map(|event| event.id.clone());
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::requests::{event, intake};
    use crate::fixtures::AT;
    use crate::schema::request::{put_request, put_request_event, request_events, ReportTarget};
    use crate::schema::DocKey;

    /// A view of a request of `kind` put into `state` by a plausible path.
    fn view_in(state: State, kind: RequestKind) -> RequestView {
        let path: &[Action] = match state {
            Received => &[],
            Assigned => &[Action::Assign],
            Accepted => &[Action::Accept],
            InProgress => &[Action::Start],
            Returned => &[Action::Assign, Action::Return],
            Transferred => &[Action::Transfer],
            Done => &[Action::Start, Action::Done],
            CalledBack => &[Action::Start, Action::Done, Action::Callback],
            Closed => &[Action::Start, Action::Done, Action::Callback, Action::Close],
        };
        let events: Vec<RequestEvent> = path
            .iter()
            .enumerate()
            .map(|(n, action)| {
                let mut e = event(&format!("ev-{n}"), *action, AT + n as i64 * 1000);
                // The assignee accepts/returns what was assigned to them.
                if n > 0 {
                    e.by = "service-a2".into();
                }
                e
            })
            .collect();
        let view = fold(intake("req-1", kind), &events);
        assert_eq!(view.state, state, "path to {state:?}");
        view
    }

    #[test]
    fn states_before_one_are_those_listed_before_it() {
        for (n, state) in State::ALL.iter().enumerate() {
            assert_eq!(*state as usize, n, "State::ALL is in declaration order");
        }
        // Closing as invalid: from receipt until the work is done.
        assert_eq!(allowed_in(Action::CloseInvalid), &State::ALL[..6]);
        assert_eq!(State::ALL[6], Done);
        // Notes and marks: while the request is open.
        assert_eq!(allowed_in(Action::Note), &State::ALL[..8]);
        assert_eq!(State::ALL[8], Closed);
    }

    #[test]
    fn every_action_in_every_state_is_allowed_or_refused_by_the_table() {
        for state in State::ALL {
            for action in Action::ALL {
                // A complaint for classify, a repair for mark, so that only the state decides.
                let kind = match action {
                    Action::Classify => RequestKind::Complaint,
                    _ => RequestKind::RepairHome,
                };
                let view = view_in(state, kind);
                let mut next = event("ev-next", *action, AT + 60_000);
                next.by = "service-a2".into();
                let outcome = check(&view, &next);
                let by_table = allowed_in(*action).contains(&state);
                match (*action, state) {
                    // Conditions beyond the state, checked in their own tests.
                    (Action::CloseInvalid, _) if by_table => {
                        assert_eq!(outcome, Err(Refusal::NotInvalid))
                    }
                    _ => assert_eq!(
                        outcome.is_ok(),
                        by_table,
                        "{action:?} in {state:?}: {outcome:?}"
                    ),
                }
            }
        }
    }

    #[test]
    fn the_full_path_closes_after_a_satisfied_callback() {
        let events = [
            event("ev-1", Action::Assign, AT + 1000),
            {
                let mut e = event("ev-2", Action::Accept, AT + 2000);
                e.by = "service-a2".into();
                e
            },
            event("ev-3", Action::Start, AT + 3000),
            event("ev-4", Action::Done, AT + 4000),
            event("ev-5", Action::Callback, AT + 5000),
            event("ev-6", Action::Close, AT + 6000),
        ];
        let view = fold(intake("req-1", RequestKind::RepairHome), &events);
        assert_eq!(view.state, Closed);
        assert!(view.history.iter().all(|entry| entry.superseded.is_none()));
        assert_eq!(view.assignee.as_ref().unwrap().0, "service-a2");
    }

    #[test]
    fn an_unsatisfied_resident_sends_it_back_and_close_is_refused() {
        let mut unhappy = event("ev-3", Action::Callback, AT + 3000);
        unhappy.satisfaction = Satisfaction::NotSatisfied.as_str().into();
        let events = [
            event("ev-1", Action::Start, AT + 1000),
            event("ev-2", Action::Done, AT + 2000),
            unhappy,
        ];
        let view = fold(intake("req-1", RequestKind::RepairHome), &events);
        assert_eq!(view.state, InProgress);
        assert_eq!(
            check(&view, &event("ev-4", Action::Close, AT + 4000)),
            Err(Refusal::NotNow(InProgress))
        );
    }

    #[test]
    fn only_the_assignee_accepts_an_assigned_request() {
        let view = view_in(Assigned, RequestKind::RepairHome);
        let mut stranger = event("ev-x", Action::Accept, AT + 60_000);
        stranger.by = "guard-a".into();
        assert_eq!(check(&view, &stranger), Err(Refusal::NotTheAssignee));
    }

    #[test]
    fn invalid_complaints_close_with_an_explanation() {
        let mut invalid = event("ev-1", Action::Classify, AT + 1000);
        invalid.classification = Classification::Invalid.as_str().into();
        invalid.reply_by = 0;
        let view = fold(intake("req-1", RequestKind::Complaint), &[invalid.clone()]);
        assert_eq!(view.classification, Some(Classification::Invalid));
        let mut silent = event("ev-2", Action::CloseInvalid, AT + 2000);
        silent.note.clear();
        assert_eq!(check(&view, &silent), Err(Refusal::Malformed));
        let explained = event("ev-2", Action::CloseInvalid, AT + 2000);
        let view = fold(
            intake("req-1", RequestKind::Complaint),
            &[invalid, explained],
        );
        assert_eq!(view.state, Closed);
        // A valid complaint cannot close as invalid.
        let valid = event("ev-1", Action::Classify, AT + 1000);
        let view = fold(intake("req-1", RequestKind::Complaint), &[valid]);
        assert_eq!(view.reply_by, Some(AT + 1000 + 3_600_000));
        assert_eq!(
            check(&view, &event("ev-2", Action::CloseInvalid, AT + 2000)),
            Err(Refusal::NotInvalid)
        );
        // Only complaints are classified, only repairs marked.
        let repair = fold(intake("req-1", RequestKind::RepairHome), &[]);
        assert_eq!(
            check(&repair, &event("ev-1", Action::Classify, AT)),
            Err(Refusal::NotAComplaint)
        );
        let complaint = fold(intake("req-1", RequestKind::Complaint), &[]);
        assert_eq!(
            check(&complaint, &event("ev-1", Action::Mark, AT)),
            Err(Refusal::NotARepair)
        );
    }

    #[test]
    fn events_apply_in_time_order_and_impossible_ones_are_superseded() {
        // Given out of order; a second `done` after the first is superseded.
        let events = [
            event("ev-b", Action::Done, AT + 2000),
            event("ev-a", Action::Start, AT + 1000),
            event("ev-c", Action::Done, AT + 3000),
        ];
        let view = fold(intake("req-1", RequestKind::RepairHome), &events);
        let order: Vec<_> = view.history.iter().map(|h| h.event.id.as_str()).collect();
        assert_eq!(order, ["ev-a", "ev-b", "ev-c"]);
        assert_eq!(view.history[2].superseded, Some(Refusal::NotNow(Done)));
        assert_eq!(view.state, Done);
    }

    /// Two tablets act on one request offline, then merge: the documented rule.
    #[test]
    fn concurrent_offline_edits_merge_by_the_documented_rule() {
        let key = DocKey::request_log(
            "demo",
            "A",
            chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        );
        let mut one = key.genesis();
        put_request(&mut one, &intake("req-1", RequestKind::RepairHome)).unwrap();
        put_request_event(&mut one, &event("ev-0", Action::Start, AT + 1000)).unwrap();
        let mut two = key.genesis();
        two.merge(&mut one.clone()).unwrap();

        // Tablet one adds a note and returns it; tablet two moves it to done.
        let mut note = event("ev-1", Action::Note, AT + 2000);
        note.prior = "ev-0".into();
        put_request_event(&mut one, &note).unwrap();
        let mut back = event("ev-2", Action::Return, AT + 5000);
        back.prior = "ev-1".into();
        put_request_event(&mut one, &back).unwrap();
        let mut done = event("ev-3", Action::Done, AT + 3000);
        done.prior = "ev-0".into();
        done.by = "service-a2".into();
        put_request_event(&mut two, &done).unwrap();

        one.merge(&mut two.clone()).unwrap();
        two.merge(&mut one.clone()).unwrap();
        let events = request_events(&one).unwrap();
        assert_eq!(events.len(), 4, "every edit survives");
        let view = fold(intake("req-1", RequestKind::RepairHome), &events);
        assert_eq!(
            view,
            fold(
                intake("req-1", RequestKind::RepairHome),
                &request_events(&two).unwrap()
            )
        );
        // Done (10:00:03) came first; the return (10:00:05) is not allowed after done.
        assert_eq!(view.state, Done);
        let superseded: Vec<_> = view
            .history
            .iter()
            .filter(|h| h.superseded.is_some())
            .map(|h| h.event.id.as_str())
            .collect();
        assert_eq!(superseded, ["ev-2"]);
        // The note and done were made without seeing each other, but a note sets
        // nothing: no conflict there. Done and the return did not share a prior.
        assert!(view.conflicts.is_empty(), "{:?}", view.conflicts);
    }

    #[test]
    fn the_same_field_set_on_two_tablets_is_a_conflict_and_the_later_stands() {
        let mut to_wu = event("ev-1", Action::Assign, AT + 1000);
        to_wu.prior = String::new();
        let mut to_zheng = event("ev-2", Action::Assign, AT + 2000);
        to_zheng.assignee = "service-b".into();
        to_zheng.assignee_name = "郑洁".into();
        to_zheng.by = "service-lead".into();
        let view = fold(intake("req-1", RequestKind::RepairHome), &[to_zheng, to_wu]);
        assert_eq!(view.assignee.as_ref().unwrap().0, "service-b");
        let fields: Vec<_> = view.conflicts.iter().map(|c| c.field).collect();
        assert_eq!(fields, [Field::State, Field::Assignee]);
        assert!(view
            .conflicts
            .iter()
            .all(|c| c.stood.as_deref() == Some("ev-2") && c.events.len() == 2));
    }

    #[test]
    fn reports_are_allowed_in_every_state() {
        for state in State::ALL {
            let view = view_in(state, RequestKind::RepairHome);
            let mut report = event("ev-r", Action::Report, AT + 60_000);
            report.target = ReportTarget::Centre.as_str().into();
            assert_eq!(check(&view, &report), Ok(()), "{state:?}");
        }
    }

    #[test]
    fn the_next_step_follows_the_requests_life_and_is_always_allowed() {
        let expected = [
            (Received, Some(Action::Assign)),
            (Assigned, Some(Action::Accept)),
            (Accepted, Some(Action::Start)),
            (InProgress, Some(Action::Done)),
            (Returned, Some(Action::Assign)),
            (Transferred, Some(Action::Accept)),
            (Done, Some(Action::Callback)),
            (CalledBack, Some(Action::Close)),
            (Closed, None),
        ];
        for (state, step) in expected {
            let view = view_in(state, RequestKind::RepairHome);
            // service-a2 is the assignee on every path (see `view_in`).
            let next = view.next_step("service-a2");
            assert_eq!(next, step, "{state:?}");
            if let Some(action) = next {
                assert!(
                    view.actions_for("service-a2").contains(&action),
                    "{state:?}"
                );
            }
        }
    }

    #[test]
    fn an_unclassified_complaint_is_classified_first_and_only_its_assignee_is_asked_to_accept() {
        let complaint = view_in(Received, RequestKind::Complaint);
        assert_eq!(complaint.next_step("service-a"), Some(Action::Classify));
        let assigned = view_in(Assigned, RequestKind::RepairHome);
        assert_eq!(assigned.next_step("someone-else"), None);
    }
}
