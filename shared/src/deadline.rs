//! A request's time limits, computed from its view and the current time.
//!
//! | deadline | applies to | due | met by |
//! |---|---|---|---|
//! | response | help requests (every kind but complaint) | 5 min after receipt | the first assign, accept, start, transfer or done |
//! | response | complaints classified valid | the reply time agreed with the resident | done |
//! | spot report | complaints done on the spot | 1 h after done | a report to the supervisor or the head |
//! | head | collective complaints | 15 min after receipt | a report to the head |
//! | company | collective complaints | 2 h after receipt | a report to the company |
//! | centre result | requests from the company's complaint centre | 12 h after done | a report to the centre |
//! | follow-up | repairs marked Z / Q / GT (outside the office) | the date the mark records | done after the mark |
//!
//! All times are instants (unix ms); the site calendar (Asia/Shanghai, UTC+8)
//! only matters for display and for "today" in the daily review. Pure: the
//! caller passes `now`.

use crate::schema::request::{Action, Channel, ReportTarget, RequestEvent, RequestKind};
use crate::workflow::RequestView;

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;

/// Which time limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DeadlineKind {
    Response,
    SpotReport,
    Head,
    Company,
    CentreResult,
    FollowUp,
}

impl DeadlineKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineKind::Response => "response",
            DeadlineKind::SpotReport => "spot_report",
            DeadlineKind::Head => "head",
            DeadlineKind::Company => "company",
            DeadlineKind::CentreResult => "centre_result",
            DeadlineKind::FollowUp => "follow_up",
        }
    }
}

/// Where a deadline stands at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeadlineStatus {
    Met,
    /// Not yet due.
    Pending,
    /// Past due, not met, the request still open.
    Overdue,
    /// The request closed without meeting it.
    Missed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    pub kind: DeadlineKind,
    pub due_at: i64,
    pub met_at: Option<i64>,
    pub status: DeadlineStatus,
}

/// The request's deadlines at `now`, earliest due first.
pub fn deadlines(view: &RequestView, now: i64) -> Vec<Deadline> {
    let request = &view.request;
    let received = request.received_at;
    let kind = request.kind();
    let done_at = view.first(Action::Done).map(|event| event.at);
    let reported = |targets: &[ReportTarget]| {
        view.effective()
            .find(|event| {
                event.action() == Some(Action::Report)
                    && ReportTarget::parse(&event.target).is_some_and(|t| targets.contains(&t))
            })
            .map(|event| event.at)
    };
    let first_of = |actions: &[Action]| {
        view.effective()
            .find(|event| event.action().is_some_and(|a| actions.contains(&a)))
            .map(|event: &RequestEvent| event.at)
    };

    let mut found: Vec<(DeadlineKind, i64, Option<i64>)> = Vec::new();
    if kind != RequestKind::Complaint {
        let met = first_of(&[
            Action::Assign,
            Action::Accept,
            Action::Start,
            Action::Transfer,
            Action::Done,
        ]);
        found.push((DeadlineKind::Response, received + 5 * MINUTE, met));
    } else if let Some(reply_by) = view.reply_by {
        found.push((DeadlineKind::Response, reply_by, done_at));
    }
    if kind == RequestKind::Complaint {
        if let Some(done) = view.first(Action::Done).filter(|event| event.on_the_spot) {
            let met = reported(&[ReportTarget::Supervisor, ReportTarget::Head]);
            found.push((DeadlineKind::SpotReport, done.at + HOUR, met));
        }
    }
    if request.collective {
        found.push((
            DeadlineKind::Head,
            received + 15 * MINUTE,
            reported(&[ReportTarget::Head]),
        ));
        found.push((
            DeadlineKind::Company,
            received + 2 * HOUR,
            reported(&[ReportTarget::Company]),
        ));
    }
    if request.channel() == Channel::CompanyCentre {
        if let Some(done) = done_at {
            found.push((
                DeadlineKind::CentreResult,
                done + 12 * HOUR,
                reported(&[ReportTarget::Centre]),
            ));
        }
    }
    if let Some(follow_up) = &view.follow_up {
        let met = view
            .effective()
            .find(|event| event.action() == Some(Action::Done) && event.at >= follow_up.marked_at)
            .map(|event| event.at);
        found.push((DeadlineKind::FollowUp, follow_up.due_at, met));
    }
    let open = view.state.is_open();
    let mut list: Vec<Deadline> = found
        .into_iter()
        .map(|(kind, due_at, met_at)| Deadline {
            kind,
            due_at,
            met_at,
            status: match met_at {
                Some(_) => DeadlineStatus::Met,
                None if !open => DeadlineStatus::Missed,
                None if now > due_at => DeadlineStatus::Overdue,
                None => DeadlineStatus::Pending,
            },
        })
        .collect();
    list.sort_by_key(|deadline| (deadline.due_at, deadline.kind));
    list
}

/// The deadline to show in a list: the first overdue one, else the next pending one.
pub fn next_deadline(view: &RequestView, now: i64) -> Option<Deadline> {
    let list = deadlines(view, now);
    list.iter()
        .find(|d| d.status == DeadlineStatus::Overdue)
        .or_else(|| list.iter().find(|d| d.status == DeadlineStatus::Pending))
        .cloned()
}

/// Whether any deadline of the request is overdue at `now`.
pub fn is_overdue(view: &RequestView, now: i64) -> bool {
    deadlines(view, now)
        .iter()
        .any(|deadline| deadline.status == DeadlineStatus::Overdue)
}

/// The overdue requests among `views`, most overdue first.
pub fn overdue<'a>(
    views: impl IntoIterator<Item = &'a RequestView>,
    now: i64,
) -> Vec<&'a RequestView> {
    let mut list: Vec<(&RequestView, i64)> = views
        .into_iter()
        .filter_map(|view| {
            deadlines(view, now)
                .iter()
                .filter(|d| d.status == DeadlineStatus::Overdue)
                .map(|d| d.due_at)
                .min()
                .map(|due| (view, due))
        })
        .collect();
    list.sort_by_key(|(view, due)| (*due, view.request.id.clone()));
    list.into_iter().map(|(view, _)| view).collect()
}

/// The 15:30 daily review: every overdue request first, then every other
/// request still open — today's and those left open from earlier days, newest
/// first — so nothing open drops out of the review once its day has passed.
pub fn daily_review(views: &[RequestView], now: i64) -> Vec<&RequestView> {
    let mut list = overdue(views, now);
    let mut open: Vec<&RequestView> = views
        .iter()
        .filter(|view| {
            view.state.is_open() && view.request.received_at <= now && !is_overdue(view, now)
        })
        .collect();
    open.sort_by(|a, b| {
        b.request
            .received_at
            .cmp(&a.request.received_at)
            .then_with(|| a.request.id.cmp(&b.request.id))
    });
    list.extend(open);
    list
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::requests::{event, event_on, intake};
    use crate::schema::request::{Classification, Request};
    use crate::schema::Record;
    use crate::workflow::fold;
    use chrono::DateTime;

    fn at(rfc3339: &str) -> i64 {
        DateTime::parse_from_rfc3339(rfc3339)
            .unwrap()
            .timestamp_millis()
    }

    fn collective(received_at: i64) -> Request {
        let mut request = intake("req-1", RequestKind::Complaint);
        request.collective = true;
        request.households = 6;
        request.received_at = received_at;
        request
    }

    #[test]
    fn a_collective_complaint_at_2350_on_30_november_is_due_to_the_head_at_0005_on_1_december() {
        let received = at("2026-11-30T23:50:00+08:00");
        let view = fold(collective(received), &[]);
        let list = deadlines(&view, received);
        let head = list.iter().find(|d| d.kind == DeadlineKind::Head).unwrap();
        assert_eq!(head.due_at, at("2026-12-01T00:05:00+08:00"));
        let company = list
            .iter()
            .find(|d| d.kind == DeadlineKind::Company)
            .unwrap();
        assert_eq!(company.due_at, at("2026-12-01T01:50:00+08:00"));
        assert_eq!(head.status, DeadlineStatus::Pending);
        let later = at("2026-12-01T00:06:00+08:00");
        assert!(is_overdue(&view, later));
        // The head's acknowledgement (a report to the head) meets it.
        let mut ack = event("ev-1", Action::Report, at("2026-12-01T00:01:00+08:00"));
        ack.request_id = "req-1".into();
        let view = fold(collective(received), &[ack]);
        let head = deadlines(&view, later)
            .into_iter()
            .find(|d| d.kind == DeadlineKind::Head)
            .unwrap();
        assert_eq!(head.status, DeadlineStatus::Met);
        assert!(
            !is_overdue(&view, later),
            "the company report is not due yet"
        );
    }

    #[test]
    fn help_requests_get_an_answer_within_five_minutes() {
        let mut request = intake("req-1", RequestKind::Medical);
        request.received_at = at("2026-11-23T10:00:00+08:00");
        let view = fold(request.clone(), &[]);
        assert!(!is_overdue(&view, at("2026-11-23T10:05:00+08:00")));
        assert!(is_overdue(&view, at("2026-11-23T10:05:01+08:00")));
        let accept = event("ev-1", Action::Accept, at("2026-11-23T10:03:00+08:00"));
        let view = fold(request, &[accept]);
        assert_eq!(
            deadlines(&view, at("2026-11-23T11:00:00+08:00"))[0].met_at,
            Some(at("2026-11-23T10:03:00+08:00"))
        );
    }

    #[test]
    fn a_valid_complaint_is_due_at_the_agreed_time_and_closing_unmet_is_missed() {
        let request = intake("req-1", RequestKind::Complaint);
        let mut classify = event("ev-1", Action::Classify, request.received_at + 1000);
        classify.classification = Classification::Valid.as_str().into();
        classify.reply_by = at("2026-11-24T18:00:00+08:00");
        let view = fold(request.clone(), &[classify.clone()]);
        let response = &deadlines(&view, 0)[0];
        assert_eq!(
            (response.kind, response.due_at),
            (DeadlineKind::Response, classify.reply_by)
        );
        assert!(is_overdue(&view, at("2026-11-24T18:01:00+08:00")));
        // Done on the spot: a report to the supervisor within the hour.
        let mut done = event("ev-2", Action::Done, at("2026-11-24T17:00:00+08:00"));
        done.on_the_spot = true;
        let view = fold(request, &[classify, done]);
        let spot = deadlines(&view, 0)
            .into_iter()
            .find(|d| d.kind == DeadlineKind::SpotReport)
            .unwrap();
        assert_eq!(spot.due_at, at("2026-11-24T18:00:00+08:00"));
    }

    #[test]
    fn the_centre_hears_the_result_within_12_hours_of_completion_across_month_end() {
        let mut request = intake("req-1", RequestKind::RepairCommon);
        request.channel = Channel::CompanyCentre.as_str().into();
        let events = [
            event("ev-1", Action::Start, request.received_at + 1000),
            event("ev-2", Action::Done, at("2026-11-30T20:00:00+08:00")),
            event("ev-3", Action::Callback, at("2026-11-30T21:00:00+08:00")),
            event("ev-4", Action::Close, at("2026-11-30T21:30:00+08:00")),
        ];
        let view = fold(request, &events);
        let centre = deadlines(&view, at("2026-12-01T09:00:00+08:00"))
            .into_iter()
            .find(|d| d.kind == DeadlineKind::CentreResult)
            .unwrap();
        assert_eq!(centre.due_at, at("2026-12-01T08:00:00+08:00"));
        assert_eq!(
            centre.status,
            DeadlineStatus::Missed,
            "closed without the report"
        );
    }

    #[test]
    fn the_daily_review_lists_overdue_then_every_open_request_newest_first() {
        let now = at("2026-11-23T15:30:00+08:00");
        let mut old = intake("req-old", RequestKind::RepairHome);
        old.received_at = at("2026-11-20T09:00:00+08:00");
        let mut today = intake("req-today", RequestKind::Enquiry);
        today.received_at = at("2026-11-23T15:28:00+08:00");
        let mut closed_today = intake("req-closed", RequestKind::Enquiry);
        closed_today.received_at = at("2026-11-23T09:00:00+08:00");
        let close = |id: &str, action, t| {
            let mut e = event(id, action, t);
            e.request_id = "req-closed".into();
            e
        };
        let closing = [
            close("ev-1", Action::Done, at("2026-11-23T09:01:00+08:00")),
            close("ev-2", Action::Callback, at("2026-11-23T09:02:00+08:00")),
            close("ev-3", Action::Close, at("2026-11-23T09:03:00+08:00")),
        ];
        // Received yesterday, not overdue (an enquiry answered on the spot
        // has no pending limit), still open: it stays in today's review.
        let mut yesterday = intake("req-yesterday", RequestKind::Enquiry);
        yesterday.received_at = at("2026-11-22T16:10:00+08:00");
        let accepted = event_on(
            "req-yesterday",
            "ev-4",
            Action::Accept,
            at("2026-11-22T16:11:00+08:00"),
        );
        let views = [
            fold(today, &[]),
            fold(old, &[]),
            fold(closed_today, &closing),
            fold(yesterday, &[accepted]),
        ];
        assert!(
            !is_overdue(&views[3], now),
            "the test needs a request that is not overdue"
        );
        let ids: Vec<_> = daily_review(&views, now)
            .iter()
            .map(|view| view.request.id.as_str())
            .collect();
        assert_eq!(ids, ["req-old", "req-today", "req-yesterday"]);
    }

    #[test]
    fn an_outside_mark_is_followed_up_by_its_date_until_done() {
        use crate::fixtures::requests::mark_as;
        use crate::schema::request::Handling;
        let mut request = intake("req-1", RequestKind::RepairCommon);
        request.received_at = at("2026-11-23T09:00:00+08:00");
        let mut mark = event("ev-1", Action::Mark, at("2026-11-23T09:10:00+08:00"));
        mark_as(&mut mark, Handling::Q);
        mark.validate().unwrap();
        let due = at("2026-11-26T23:59:59.999+08:00");
        assert_eq!(
            mark.follow_up_by, due,
            "three days on, by the end of the day"
        );

        let view = fold(request.clone(), [&mark]);
        let follow_up = view.follow_up.as_ref().unwrap();
        assert_eq!(
            (follow_up.party.as_str(), follow_up.reference.as_str()),
            ("自来水公司", "ZLS-2026-0118")
        );
        let of = |view: &RequestView, now: i64| {
            deadlines(view, now)
                .into_iter()
                .find(|d| d.kind == DeadlineKind::FollowUp)
                .map(|d| d.status)
        };
        assert_eq!(of(&view, due), Some(DeadlineStatus::Pending));
        assert_eq!(of(&view, due + 1), Some(DeadlineStatus::Overdue));
        assert_eq!(overdue([&view], due + 1).len(), 1, "in the overdue list");
        assert_eq!(
            daily_review(std::slice::from_ref(&view), due + 1).len(),
            1,
            "and the 15:30 review"
        );

        let mut done = event("ev-2", Action::Done, at("2026-11-27T10:00:00+08:00"));
        done.note = "自来水公司已修复".into();
        let view = fold(request.clone(), [&mark, &done]);
        assert_eq!(of(&view, due + 1), Some(DeadlineStatus::Met));

        // Marked normal again: nobody outside has it, nothing to follow up.
        let mut normal = event("ev-3", Action::Mark, at("2026-11-23T10:00:00+08:00"));
        mark_as(&mut normal, Handling::Normal);
        assert_eq!(of(&fold(request, [&mark, &normal]), due + 1), None);
    }

    #[test]
    fn an_outside_mark_needs_its_party_date_and_for_q_the_reference() {
        use crate::fixtures::requests::mark_as;
        use crate::schema::request::Handling;
        let mut mark = event("ev-1", Action::Mark, at("2026-11-23T09:10:00+08:00"));
        mark_as(&mut mark, Handling::Gt);
        mark.validate().unwrap();
        let refused = |change: fn(&mut RequestEvent)| {
            let mut bad = mark.clone();
            change(&mut bad);
            bad.validate().is_err()
        };
        assert!(refused(|m| m.party = " ".into()));
        assert!(refused(|m| m.follow_up_by = 0));
        assert!(refused(|m| m.party = "部".repeat(101)));
        let mut q = mark.clone();
        mark_as(&mut q, Handling::Q);
        q.reference.clear();
        assert!(q.validate().is_err(), "Q without the vendor's reference");
        let mut normal = event("ev-2", Action::Mark, mark.at);
        mark_as(&mut normal, Handling::Normal);
        normal.validate().unwrap();
    }
}
