//! The complaint monthly report (《客户投诉工作月报》), due the last day of
//! the month: what the service desks received in the month, how complaints
//! were classified, how the time limits were kept, how residents answered
//! the callbacks, what is still open at month end, and the trend of valid
//! complaints per 100 households against the 1% target over twelve months.
//!
//! It reads each zone's request logs of the twelve months ending with the
//! report's month (the trend, and requests created earlier still open at
//! month end) and the zone's resident directory, of which it counts units
//! only. It does no I/O of its own, and never shows a resident's name or
//! phone: a request is shown by its unit, kind, state and staff.
//!
//! **How requests are counted.**
//! - Everything is as of the cutoff ([`Scope::cutoff`]: the month's end, or
//!   now if earlier): requests received and events made after it are left
//!   out, and each request is folded without them, so only its effective
//!   events at the cutoff count (an event superseded by the workflow's rule
//!   for concurrent edits never counts).
//! - *Received in the month*: `received_at` in the month, site-local (a
//!   request at 23:30 on 31 October in Shanghai is October's). Received,
//!   complaints, valid, collective, the breakdowns, the time limits and the
//!   trend count these. Validity is the classification at the cutoff.
//! - *Closed in the month*: its close (or invalid close) is in the month,
//!   whatever month it was received in — a request received in October and
//!   closed in November is received in October's report and closed in
//!   November's.
//! - *Handled in the month*: its first effective `done` is in the month; the
//!   callback rate is the share of those called back by the cutoff. An
//!   invalid complaint closed with an explanation is never done, so it is
//!   not in the callback rate.
//! - *Open at month end*: received before the cutoff and not closed at it,
//!   from any of the twelve months' logs (a request older than that is not
//!   read).
//! - Time limits are those of [`crate::deadline`] for the requests received
//!   in the month, at the cutoff: *on time* when met by the time due,
//!   *late* when met after it or closed without meeting it, *open past due*
//!   when still unmet and open; one not yet due counts only among those
//!   that had the limit, and the on-time rate is of the limits that were
//!   due. Minutes run from receipt, or from done for the limits that start
//!   there (on-the-spot report, result to the centre).
//! - The first response is the first effective assign, accept, start,
//!   transfer or done — what meets the five-minute response limit
//!   ([`crate::deadline`]), so a request done on the spot has a response.
//! - Households are the zone's units now (the directory keeps no history):
//!   the trend's earlier months use today's count.
//! - The duty log's month closes the report ([`super::duty`]): lines per
//!   zone, days signed by the supervisor, lines the head spot-checked.

use std::collections::BTreeMap;

use super::duty;
use super::requests::{
    called_back, closed_at, done_at, households, in_month, log_key, minutes, per_100, views_at,
    whole_days, word,
};
use super::table::quantile;
use super::{Cell, Chart, Documents, Month, Point, Scope, Section, Table};
use crate::deadline::{deadlines, DeadlineKind, DeadlineStatus};
use crate::schema::request::{
    Action, Channel, Classification, Handling, Request, RequestKind, Satisfaction,
};
use crate::schema::DocKey;
use crate::workflow::RequestView;

/// The months the report reads: the trend's twelve.
const TREND_MONTHS: usize = 12;

/// The target: valid complaints under 1% of households.
const TARGET_PER_100: f64 = 1.0;

/// The time limits, in the order the report lists them.
const LIMITS: [DeadlineKind; 6] = [
    DeadlineKind::Response,
    DeadlineKind::SpotReport,
    DeadlineKind::Head,
    DeadlineKind::Company,
    DeadlineKind::CentreResult,
    DeadlineKind::FollowUp,
];

/// The documents the report reads: per zone, the request logs of the twelve
/// months ending with the report's, and the resident directory.
pub fn needs(scope: &Scope) -> Vec<DocKey> {
    let months = scope.month.trailing(TREND_MONTHS);
    let mut keys = Vec::new();
    for zone in &scope.zones {
        keys.extend(
            months
                .iter()
                .map(|month| log_key(&scope.site, &zone.code, *month)),
        );
        keys.push(DocKey::resident_directory(&scope.site, &zone.code));
    }
    keys.push(duty::needs(scope));
    keys
}

/// One zone's requests, as they stood at the cutoff.
struct Zone {
    name: String,
    households: usize,
    views: Vec<RequestView>,
}

pub fn build(scope: &Scope, documents: &mut dyn Documents) -> Vec<Section> {
    let cutoff = scope.cutoff();
    let months = scope.month.trailing(TREND_MONTHS);
    let zones: Vec<Zone> = scope
        .zones
        .iter()
        .map(|zone| {
            let keys: Vec<DocKey> = months
                .iter()
                .map(|month| log_key(&scope.site, &zone.code, *month))
                .collect();
            Zone {
                name: zone.name.clone(),
                households: households(documents, &scope.site, &zone.code),
                views: views_at(documents, &keys, cutoff),
            }
        })
        .collect();
    let month = scope.month;
    let all: Vec<&RequestView> = zones.iter().flat_map(|zone| &zone.views).collect();
    let of_month: Vec<&RequestView> = all
        .iter()
        .copied()
        .filter(|view| month.holds(view.request.received_at))
        .collect();
    let requests: Vec<&Request> = of_month.iter().map(|view| &view.request).collect();
    let [duty_lines, duty_checks] = duty::sections(scope, documents, &requests);
    vec![
        overview(&zones, month),
        by_kind(&of_month),
        by_channel(&of_month),
        by_validity(&of_month),
        by_handling(&of_month),
        time_limits(&of_month, cutoff),
        satisfaction(&all, month),
        open_at_month_end(&zones, cutoff),
        by_receiver(&all, month),
        trend(&zones, &months),
        duty_lines,
        duty_checks,
    ]
}

fn section(id: &str, table: Table) -> Section {
    Section {
        id: id.into(),
        title: format!("section_{id}"),
        table,
        chart: None,
    }
}

/// The counts of the overview, for a zone, the whole site or a receiver.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct Tally {
    received: usize,
    complaints: usize,
    valid: usize,
    collective: usize,
    closed: usize,
    open: usize,
    handled: usize,
    called_back: usize,
}

impl Tally {
    fn add(&mut self, view: &RequestView, month: Month) {
        let request = &view.request;
        if month.holds(request.received_at) {
            self.received += 1;
            if request.kind() == RequestKind::Complaint {
                self.complaints += 1;
                self.valid += usize::from(view.classification == Some(Classification::Valid));
                self.collective += usize::from(request.collective);
            }
        }
        self.closed += usize::from(in_month(month, closed_at(view)));
        self.open += usize::from(view.state.is_open());
        if in_month(month, done_at(view)) {
            self.handled += 1;
            self.called_back += usize::from(called_back(view));
        }
    }

    fn of<'a>(views: impl IntoIterator<Item = &'a RequestView>, month: Month) -> Tally {
        let mut tally = Tally::default();
        for view in views {
            tally.add(view, month);
        }
        tally
    }

    fn callback_rate(&self) -> Cell {
        Cell::share(self.called_back, self.handled)
    }
}

fn overview(zones: &[Zone], month: Month) -> Section {
    let mut table = Table::new(
        1,
        &[
            "col_zone",
            "col_requests",
            "col_complaints",
            "col_valid",
            "col_collective",
            "col_closed",
            "col_open_at_month_end",
            "col_callback_rate",
            "col_valid_per_100_households",
            "col_target",
        ],
    );
    let row = |name: Cell, tally: &Tally, households: usize| {
        vec![
            name,
            Cell::count(tally.received),
            Cell::count(tally.complaints),
            Cell::count(tally.valid),
            Cell::count(tally.collective),
            Cell::count(tally.closed),
            Cell::count(tally.open),
            tally.callback_rate(),
            Cell::Number(per_100(tally.valid, households)),
            Cell::Number(Some(TARGET_PER_100)),
        ]
    };
    for zone in zones {
        let tally = Tally::of(&zone.views, month);
        table.push(row(Cell::text(&zone.name), &tally, zone.households));
    }
    if zones.len() > 1 {
        let all = Tally::of(zones.iter().flat_map(|zone| &zone.views), month);
        let households = zones.iter().map(|zone| zone.households).sum();
        table.push(row(Cell::label("whole_site"), &all, households));
    }
    section("overview", table)
}

/// Counts of `words` among `values`, with each one's share.
fn counts(
    id: &str,
    column: &str,
    prefix: &str,
    words: &[&str],
    values: impl Iterator<Item = &'static str>,
) -> Section {
    let mut found: BTreeMap<&str, usize> = BTreeMap::new();
    let mut total = 0;
    for value in values {
        *found.entry(value).or_default() += 1;
        total += 1;
    }
    let mut table = Table::new(1, &[column, "col_count", "col_share"]);
    for name in words {
        let count = found.get(name).copied().unwrap_or_default();
        table.push(vec![
            word(prefix, name),
            Cell::count(count),
            Cell::share(count, total),
        ]);
    }
    section(id, table)
}

fn by_kind(of_month: &[&RequestView]) -> Section {
    counts(
        "by_kind",
        "col_kind",
        "kind",
        &RequestKind::words(),
        of_month.iter().map(|view| view.request.kind().as_str()),
    )
}

fn by_channel(of_month: &[&RequestView]) -> Section {
    counts(
        "by_channel",
        "col_channel",
        "channel",
        &Channel::words(),
        of_month.iter().map(|view| view.request.channel().as_str()),
    )
}

const UNCLASSIFIED: &str = "unclassified";
const UNMARKED: &str = "unmarked";

/// Complaints of the month by their classification at the cutoff.
fn by_validity(of_month: &[&RequestView]) -> Section {
    let mut words = Classification::words();
    words.push(UNCLASSIFIED);
    counts(
        "by_validity",
        "col_validity",
        "validity",
        &words,
        of_month
            .iter()
            .filter(|view| view.request.kind() == RequestKind::Complaint)
            .map(|view| {
                view.classification
                    .map_or(UNCLASSIFIED, Classification::as_str)
            }),
    )
}

/// Repairs of the month by their handling mark at the cutoff.
fn by_handling(of_month: &[&RequestView]) -> Section {
    let mut words = Handling::words();
    words.push(UNMARKED);
    counts(
        "by_handling",
        "col_handling",
        "handling",
        &words,
        of_month
            .iter()
            .filter(|view| view.request.kind().is_repair())
            .map(|view| view.handling.map_or(UNMARKED, Handling::as_str)),
    )
}

/// How one time limit was kept.
#[derive(Default)]
struct Limit {
    had: usize,
    on_time: usize,
    /// Met after it was due, or closed without meeting it.
    late: usize,
    /// Not met, past due, the request still open at the cutoff.
    past_due: usize,
    /// Minutes from when its clock started (receipt, or done for the limits
    /// that run from completion) to when it was met.
    minutes: Vec<f64>,
}

/// Requests received in the month: each time limit of [`crate::deadline`]
/// at the cutoff, then the time to first response and to closure. The
/// on-time rate is of the limits that were due (met, late or past due); a
/// limit not yet due at the cutoff counts only in "had".
fn time_limits(of_month: &[&RequestView], cutoff: i64) -> Section {
    let mut limits: BTreeMap<DeadlineKind, Limit> = BTreeMap::new();
    let mut first_response = Vec::new();
    let mut closure = Vec::new();
    for view in of_month {
        let received = view.request.received_at;
        for deadline in deadlines(view, cutoff) {
            let limit = limits.entry(deadline.kind).or_default();
            limit.had += 1;
            match deadline.met_at {
                Some(met) => {
                    if met <= deadline.due_at {
                        limit.on_time += 1;
                    } else {
                        limit.late += 1;
                    }
                    let start = match deadline.kind {
                        DeadlineKind::SpotReport | DeadlineKind::CentreResult => done_at(view),
                        DeadlineKind::FollowUp => {
                            view.follow_up.as_ref().map(|follow_up| follow_up.marked_at)
                        }
                        _ => Some(received),
                    };
                    limit.minutes.extend(start.map(|start| minutes(start, met)));
                }
                None => match deadline.status {
                    DeadlineStatus::Missed => limit.late += 1,
                    DeadlineStatus::Overdue => limit.past_due += 1,
                    DeadlineStatus::Met | DeadlineStatus::Pending => {}
                },
            }
        }
        let response = view.effective().find(|event| {
            matches!(
                event.action(),
                Some(
                    Action::Assign
                        | Action::Accept
                        | Action::Start
                        | Action::Transfer
                        | Action::Done
                )
            )
        });
        first_response.extend(response.map(|event| minutes(received, event.at)));
        closure.extend(closed_at(view).map(|at| minutes(received, at)));
    }
    let mut table = Table::new(
        1,
        &[
            "col_limit",
            "col_had",
            "col_on_time",
            "col_late",
            "col_open_past_due",
            "col_on_time_rate",
            "col_median_minutes",
            "col_p90_minutes",
        ],
    );
    let spread = |mut sample: Vec<f64>| {
        sample.sort_by(f64::total_cmp);
        [
            Cell::Minutes(quantile(&sample, 0.5)),
            Cell::Minutes(quantile(&sample, 0.9)),
        ]
    };
    for kind in LIMITS {
        let limit = limits.remove(&kind).unwrap_or_default();
        let due = limit.on_time + limit.late + limit.past_due;
        let [median, p90] = spread(limit.minutes);
        table.push(vec![
            word("limit", kind.as_str()),
            Cell::count(limit.had),
            Cell::count(limit.on_time),
            Cell::count(limit.late),
            Cell::count(limit.past_due),
            Cell::share(limit.on_time, due),
            median,
            p90,
        ]);
    }
    for (name, sample) in [("first_response", first_response), ("closure", closure)] {
        let measured = sample.len();
        let [median, p90] = spread(sample);
        table.push(vec![
            word("limit", name),
            Cell::count(measured),
            Cell::Number(None),
            Cell::Number(None),
            Cell::Number(None),
            Cell::Percent(None),
            median,
            p90,
        ]);
    }
    section("time_limits", table)
}

/// The callbacks made in the month (of requests received in any of the
/// twelve months), by the resident's word.
fn satisfaction(all: &[&RequestView], month: Month) -> Section {
    counts(
        "satisfaction",
        "col_satisfaction",
        "satisfaction",
        &Satisfaction::words(),
        all.iter()
            .flat_map(|view| view.callbacks())
            .filter(|event| month.holds(event.at))
            .filter_map(|event| Satisfaction::parse(&event.satisfaction))
            .map(Satisfaction::as_str),
    )
}

/// Each request not closed at the cutoff, oldest first: its unit, never its
/// resident.
fn open_at_month_end(zones: &[Zone], cutoff: i64) -> Section {
    let mut table = Table::new(
        2,
        &[
            "col_zone",
            "col_unit",
            "col_kind",
            "col_state",
            "col_owner",
            "col_assignee",
            "col_age_days",
        ],
    );
    let mut open: Vec<(&Zone, &RequestView)> = zones
        .iter()
        .flat_map(|zone| zone.views.iter().map(move |view| (zone, view)))
        .filter(|(_, view)| view.state.is_open())
        .collect();
    open.sort_by(|(_, a), (_, b)| {
        (a.request.received_at, &a.request.id).cmp(&(b.request.received_at, &b.request.id))
    });
    for (zone, view) in open {
        let request = &view.request;
        let assignee = view
            .assignee
            .as_ref()
            .map(|(id, name)| if name.is_empty() { id } else { name })
            .cloned()
            .unwrap_or_default();
        table.push(vec![
            Cell::text(&zone.name),
            Cell::text(&request.unit_label),
            word("kind", request.kind().as_str()),
            word("state", view.state.as_str()),
            Cell::text(&request.received_by_name),
            Cell::text(assignee),
            Cell::count(whole_days(request.received_at, cutoff)),
        ]);
    }
    section("open_at_month_end", table)
}

/// Per first receiver (the owner, 首问责任人): received in the month,
/// complaints among them, closed in the month and the callback rate of what
/// they own that was handled in the month.
fn by_receiver(all: &[&RequestView], month: Month) -> Section {
    let mut receivers: BTreeMap<&str, (&str, Tally)> = BTreeMap::new();
    for view in all {
        let request = &view.request;
        let (_, tally) = receivers
            .entry(request.received_by.as_str())
            .or_insert((request.received_by_name.as_str(), Tally::default()));
        tally.add(view, month);
    }
    let mut rows: Vec<(&str, Tally)> = receivers
        .into_values()
        .filter(|(_, tally)| tally.received + tally.closed + tally.handled > 0)
        .collect();
    rows.sort_by(|(a_name, a), (b_name, b)| b.received.cmp(&a.received).then(a_name.cmp(b_name)));
    let mut table = Table::new(
        1,
        &[
            "col_receiver",
            "col_requests",
            "col_complaints",
            "col_closed",
            "col_callback_rate",
        ],
    );
    for (name, tally) in rows {
        table.push(vec![
            Cell::text(name),
            Cell::count(tally.received),
            Cell::count(tally.complaints),
            Cell::count(tally.closed),
            tally.callback_rate(),
        ]);
    }
    section("by_receiver", table)
}

/// The twelve months: received, complaints and valid complaints per 100
/// households, charted against the 1% target.
fn trend(zones: &[Zone], months: &[Month]) -> Section {
    let households: usize = zones.iter().map(|zone| zone.households).sum();
    let mut table = Table::new(
        1,
        &[
            "col_month",
            "col_requests",
            "col_complaints",
            "col_valid_per_100_households",
        ],
    );
    let mut points = Vec::new();
    for month in months {
        let received: Vec<&RequestView> = zones
            .iter()
            .flat_map(|zone| &zone.views)
            .filter(|view| month.holds(view.request.received_at))
            .collect();
        let tally = Tally::of(received.iter().copied(), *month);
        let rate = per_100(tally.valid, households);
        table.push(vec![
            Cell::text(month.to_string()),
            Cell::count(tally.received),
            Cell::count(tally.complaints),
            Cell::Number(rate),
        ]);
        points.push(Point {
            label: month.to_string(),
            value: rate,
        });
    }
    let top = points
        .iter()
        .filter_map(|point| point.value)
        .fold(TARGET_PER_100, f64::max);
    let mut trend = section("trend", table);
    trend.chart = Some(Chart {
        title: "col_valid_per_100_households".into(),
        max: (top * 1.2).ceil(),
        target: Some(TARGET_PER_100),
        higher_is_better: false,
        points,
    });
    trend
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::requests::mark_as;
    use crate::reports::requests::testing::{at, month, scope, Site};
    use crate::reports::{Cell::*, Report, ReportKind};
    use crate::schema::request::{Channel, ReportTarget, Request};

    fn count(n: u64) -> Cell {
        Count(n)
    }

    fn label(text: &str) -> Cell {
        Cell::label(text)
    }

    fn text(text: &str) -> Cell {
        Cell::text(text)
    }

    /// Zone A (200 households, 陈静 at the desk) and zone B (100 households,
    /// 郑洁), around October 2026:
    /// - r1: a complaint at 23:30 on 31 October, classified valid; done,
    ///   called back and closed in November.
    /// - r2: a home repair on 1 October, accepted in 3 minutes, marked Z,
    ///   done, called back (satisfied) and closed the next day.
    /// - r3: a collective complaint of three households on 10 October,
    ///   reported to the head late (20 minutes) and to the company in time.
    /// - r4: a common-area repair received at 23:50 on 30 September, done on
    ///   1 October, never called back.
    /// - r5: an enquiry at 00:10 on 1 November, accepted after the cutoff of
    ///   the November report below.
    /// - r6 (B): a walk-in complaint classified invalid and closed.
    /// - r7 (B): a medical request on 20 October nobody answered.
    fn site() -> Site {
        let mut site = Site::default();
        site.households("A", 200);
        site.households("B", 100);

        let r1 = site.request("r1", "A", RequestKind::Complaint, "2026-10-31T23:30");
        site.event(&r1, Action::Classify, "2026-10-31T23:35", |e| {
            e.reply_by = at("2026-11-01T12:00")
        });
        site.event(&r1, Action::Done, "2026-11-01T10:00", |_| {});
        site.event(&r1, Action::Callback, "2026-11-02T09:00", |_| {});
        site.event(&r1, Action::Close, "2026-11-02T09:30", |_| {});

        let r2 = site.request("r2", "A", RequestKind::RepairHome, "2026-10-01T00:10");
        site.event(&r2, Action::Accept, "2026-10-01T00:13", |_| {});
        site.event(&r2, Action::Mark, "2026-10-01T00:20", |e| {
            mark_as(e, Handling::Z)
        });
        site.event(&r2, Action::Done, "2026-10-02T09:00", |_| {});
        site.event(&r2, Action::Callback, "2026-10-02T10:00", |_| {});
        site.event(&r2, Action::Close, "2026-10-02T10:05", |_| {});

        let r3 = Request {
            collective: true,
            households: 3,
            ..site.request_draft("r3", "A", RequestKind::Complaint, "2026-10-10T09:00")
        };
        site.put(&r3);
        site.event(&r3, Action::Accept, "2026-10-10T09:05", |_| {});
        site.event(&r3, Action::Classify, "2026-10-10T09:10", |e| {
            e.reply_by = at("2026-10-11T09:00")
        });
        site.event(&r3, Action::Report, "2026-10-10T09:20", |_| {});
        site.event(&r3, Action::Report, "2026-10-10T10:00", |e| {
            e.target = ReportTarget::Company.as_str().into()
        });
        site.event(&r3, Action::Done, "2026-10-10T17:00", |_| {});
        site.event(&r3, Action::Callback, "2026-10-11T10:00", |e| {
            e.satisfaction = Satisfaction::Basically.as_str().into()
        });
        site.event(&r3, Action::Close, "2026-10-11T10:30", |_| {});

        let r4 = site.request("r4", "A", RequestKind::RepairCommon, "2026-09-30T23:50");
        site.event(&r4, Action::Start, "2026-10-01T08:00", |_| {});
        site.event(&r4, Action::Done, "2026-10-01T12:00", |_| {});

        let r5 = site.request("r5", "A", RequestKind::Enquiry, "2026-11-01T00:10");
        site.event(&r5, Action::Accept, "2026-11-20T09:00", |_| {});

        let zheng = |request: Request| Request {
            received_by: "service-b".into(),
            received_by_name: "郑洁".into(),
            ..request
        };
        let r6 = Request {
            channel: Channel::WalkIn.as_str().into(),
            ..zheng(site.request_draft("r6", "B", RequestKind::Complaint, "2026-10-15T10:00"))
        };
        site.put(&r6);
        site.event(&r6, Action::Classify, "2026-10-15T10:10", |e| {
            e.classification = Classification::Invalid.as_str().into();
            e.reply_by = 0;
        });
        site.event(&r6, Action::CloseInvalid, "2026-10-15T10:30", |_| {});

        let r7 = zheng(site.request_draft("r7", "B", RequestKind::Medical, "2026-10-20T08:00"));
        site.put(&r7);
        site
    }

    fn table<'a>(sections: &'a [Section], id: &str) -> &'a Table {
        &sections
            .iter()
            .find(|section| section.id == id)
            .unwrap_or_else(|| panic!("no section {id}"))
            .table
    }

    fn october() -> Vec<Section> {
        let scope = scope("2026-10", 2, at("2026-12-03T09:00"));
        build(&scope, &mut site().docs)
    }

    #[test]
    fn reads_a_years_logs_and_the_directory_of_each_zone() {
        let scope = scope("2026-10", 2, at("2026-12-03T09:00"));
        let keys = needs(&scope);
        assert_eq!(keys.len(), 2 * (12 + 1) + 1);
        assert_eq!(keys[0].period().as_deref(), Some("2025-11-01"));
        assert_eq!(keys[11].period().as_deref(), Some("2026-10-01"));
        assert_eq!(keys[12], DocKey::resident_directory("demo", "A"));
        assert_eq!(keys[26], DocKey::duty_log("demo", scope.month.first_day()));
        // Every document it reads is there: nothing is reported missing.
        let report: Report =
            crate::reports::build(ReportKind::Complaints, &scope, None, &mut site().docs);
        assert!(report.missing.is_empty());
        let ids: Vec<&str> = report.sections.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "overview",
                "by_kind",
                "by_channel",
                "by_validity",
                "by_handling",
                "time_limits",
                "satisfaction",
                "open_at_month_end",
                "by_receiver",
                "trend",
                "duty_lines",
                "duty_checks"
            ]
        );
    }

    #[test]
    fn the_overview_counts_each_zone_and_the_whole_site_in_shanghai_months() {
        // r1 at 23:30 on 31 October in Shanghai is 15:30 UTC, October's.
        assert_eq!(
            Month::of_instant(at("2026-10-31T23:30")),
            Some(month("2026-10"))
        );
        let sections = october();
        let overview = table(&sections, "overview");
        assert_eq!(overview.rows.len(), 3);
        // A: r1, r2, r3 received (r4 is September's); r2 and r3 closed; r1
        // and r4 open; of r2, r3 and r4 done in October two were called
        // back; two valid complaints of 200 households.
        assert_eq!(
            overview.rows[0],
            [
                text("一区"),
                count(3),
                count(2),
                count(2),
                count(1),
                count(2),
                count(2),
                Percent(Some(200.0 / 3.0)),
                Number(Some(1.0)),
                Number(Some(1.0)),
            ]
        );
        // B: an invalid complaint closed (never done: no callback due), an
        // unanswered medical request.
        assert_eq!(
            overview.rows[1],
            [
                text("二区"),
                count(2),
                count(1),
                count(0),
                count(0),
                count(1),
                count(1),
                Percent(None),
                Number(Some(0.0)),
                Number(Some(1.0)),
            ]
        );
        assert_eq!(
            overview.rows[2],
            [
                label("whole_site"),
                count(5),
                count(3),
                count(2),
                count(1),
                count(3),
                count(3),
                Percent(Some(200.0 / 3.0)),
                Number(Some(200.0 / 300.0)),
                Number(Some(1.0)),
            ]
        );
    }

    #[test]
    fn breakdowns_count_the_months_requests() {
        let sections = october();
        let row = |id: &str, word: &str| {
            table(&sections, id)
                .rows
                .iter()
                .find(|row| row[0] == label(word))
                .unwrap_or_else(|| panic!("{id} has no {word}"))
                .clone()
        };
        assert_eq!(
            table(&sections, "by_kind").rows.len(),
            RequestKind::ALL.len()
        );
        assert_eq!(
            row("by_kind", "kind_complaint"),
            [label("kind_complaint"), count(3), Percent(Some(60.0))]
        );
        assert_eq!(row("by_kind", "kind_repair_common")[1], count(0));
        assert_eq!(row("by_channel", "channel_phone")[1], count(4));
        assert_eq!(row("by_channel", "channel_walk_in")[1], count(1));
        let validity: Vec<Cell> = table(&sections, "by_validity")
            .rows
            .iter()
            .map(|row| row[1].clone())
            .collect();
        assert_eq!(validity, [count(2), count(1), count(0), count(0)]);
        let handling: Vec<Cell> = table(&sections, "by_handling")
            .rows
            .iter()
            .map(|row| row[1].clone())
            .collect();
        assert_eq!(handling, [count(0), count(1), count(0), count(0), count(0)]);
        assert_eq!(
            row("satisfaction", "satisfaction_basically"),
            [
                label("satisfaction_basically"),
                count(1),
                Percent(Some(50.0))
            ]
        );
        assert_eq!(
            row("satisfaction", "satisfaction_not_satisfied")[1],
            count(0)
        );
    }

    #[test]
    fn time_limits_are_kept_or_missed_as_of_month_end() {
        let sections = october();
        let limits = table(&sections, "time_limits");
        let row = |word: &str| {
            limits
                .rows
                .iter()
                .find(|row| row[0] == label(word))
                .unwrap()
                .clone()
        };
        // Response: r2 accepted in 3 minutes, r3 done 8 hours after receipt
        // (before its agreed time), r7 never answered, r1's agreed time not
        // yet come at month end.
        assert_eq!(
            row("limit_response"),
            [
                label("limit_response"),
                count(4),
                count(2),
                count(0),
                count(1),
                Percent(Some(200.0 / 3.0)),
                Minutes(Some(3.0)),
                Minutes(Some(480.0)),
            ]
        );
        assert_eq!(
            row("limit_head")[1..6],
            [count(1), count(0), count(1), count(0), Percent(Some(0.0))]
        );
        assert_eq!(row("limit_head")[6], Minutes(Some(20.0)));
        assert_eq!(row("limit_company")[2], count(1));
        assert_eq!(row("limit_company")[6], Minutes(Some(60.0)));
        assert_eq!(
            row("limit_centre_result")[1..],
            [
                count(0),
                count(0),
                count(0),
                count(0),
                Percent(None),
                Minutes(None),
                Minutes(None)
            ]
        );
        // Accepted after 3 and 5 minutes.
        assert_eq!(row("limit_first_response")[1], count(2));
        assert_eq!(
            row("limit_first_response")[6..],
            [Minutes(Some(3.0)), Minutes(Some(5.0))]
        );
        // Closed after 30 minutes (r6), 25 h 30 (r3) and 33 h 55 (r2); r1's
        // close in November does not count.
        assert_eq!(row("limit_closure")[1], count(3));
        assert_eq!(
            row("limit_closure")[6..],
            [Minutes(Some(1530.0)), Minutes(Some(2035.0))]
        );
    }

    #[test]
    fn open_requests_at_month_end_show_units_and_staff_never_residents() {
        let sections = october();
        let open = table(&sections, "open_at_month_end");
        assert_eq!(
            open.rows,
            [
                vec![
                    text("一区"),
                    text("3栋2单元501"),
                    label("kind_repair_common"),
                    label("state_done"),
                    text("陈静"),
                    text(""),
                    count(31),
                ],
                vec![
                    text("二区"),
                    text("3栋2单元501"),
                    label("kind_medical"),
                    label("state_received"),
                    text("郑洁"),
                    text(""),
                    count(11),
                ],
                vec![
                    text("一区"),
                    text("3栋2单元501"),
                    label("kind_complaint"),
                    label("state_received"),
                    text("陈静"),
                    text(""),
                    count(0),
                ],
            ]
        );
        let json = serde_json::to_string(&sections).unwrap();
        assert!(!json.contains("张先生") && !json.contains("138-1234-5678"));
    }

    #[test]
    fn receivers_and_the_twelve_month_trend() {
        let sections = october();
        assert_eq!(
            table(&sections, "by_receiver").rows,
            [
                vec![
                    text("陈静"),
                    count(3),
                    count(2),
                    count(2),
                    Percent(Some(200.0 / 3.0))
                ],
                vec![text("郑洁"), count(2), count(1), count(1), Percent(None)],
            ]
        );
        let trend = sections.iter().find(|s| s.id == "trend").unwrap();
        assert_eq!(trend.table.rows.len(), 12);
        assert_eq!(trend.table.rows[0][0], text("2025-11"));
        assert_eq!(
            trend.table.rows[10],
            [text("2026-09"), count(1), count(0), Number(Some(0.0))]
        );
        assert_eq!(
            trend.table.rows[11],
            [
                text("2026-10"),
                count(5),
                count(3),
                Number(Some(200.0 / 300.0))
            ]
        );
        let chart = trend.chart.as_ref().unwrap();
        assert_eq!(chart.points[11].label, "2026-10");
        assert_eq!(chart.points[11].value, Some(200.0 / 300.0));
        assert_eq!(
            (chart.target, chart.max, chart.higher_is_better),
            (Some(1.0), 2.0, false)
        );
    }

    /// November for zone A alone, made on 10 November: r1, received in
    /// October, is done, called back and closed in November; r5's accept on
    /// the 20th is after the cutoff.
    #[test]
    fn a_month_in_progress_counts_to_now_and_one_zone_has_no_whole_site_row() {
        let scope = scope("2026-11", 1, at("2026-11-10T12:00"));
        let sections = build(&scope, &mut site().docs);
        assert_eq!(
            table(&sections, "overview").rows,
            [vec![
                text("一区"),
                count(1),
                count(0),
                count(0),
                count(0),
                count(1),
                count(2),
                Percent(Some(100.0)),
                Number(Some(0.0)),
                Number(Some(1.0)),
            ]]
        );
        let open = table(&sections, "open_at_month_end");
        let ages: Vec<(Cell, Cell)> = open
            .rows
            .iter()
            .map(|row| (row[2].clone(), row[6].clone()))
            .collect();
        assert_eq!(
            ages,
            [
                (label("kind_repair_common"), count(40)),
                (label("kind_enquiry"), count(9)),
            ]
        );
        let limits = table(&sections, "time_limits");
        assert_eq!(limits.rows[0][4], count(1), "r5's response is past due");
    }

    /// Every label the request reports show (those of these sections, and
    /// every word they can show) is a `report_` message of both languages.
    #[test]
    fn every_label_is_in_both_locale_files() {
        let scope = scope("2026-10", 2, at("2026-12-03T09:00"));
        let mut sections = october();
        sections.extend(crate::reports::callbacks::build(&scope, &mut site().docs));
        let mut labels: Vec<String> = vec![
            "whole_site".into(),
            ReportKind::Complaints.title().into(),
            ReportKind::RepairCallbacks.title().into(),
        ];
        for section in &sections {
            labels.push(section.title.clone());
            labels.extend(section.table.columns.iter().cloned());
            labels.extend(section.chart.iter().map(|chart| chart.title.clone()));
            for cell in section.table.rows.iter().flatten() {
                if let Cell::Label(label) = cell {
                    labels.push(label.clone());
                }
            }
        }
        let words = |prefix: &str, words: Vec<&str>| {
            words
                .into_iter()
                .map(|word| format!("{prefix}_{word}"))
                .collect::<Vec<_>>()
        };
        labels.extend(words("kind", RequestKind::words()));
        labels.extend(words("channel", Channel::words()));
        labels.extend(words("validity", Classification::words()));
        labels.extend(words("handling", Handling::words()));
        labels.extend(words("satisfaction", Satisfaction::words()));
        labels.extend(words(
            "state",
            crate::workflow::State::ALL
                .iter()
                .map(|s| s.as_str())
                .collect(),
        ));
        labels.extend(words("limit", LIMITS.iter().map(|k| k.as_str()).collect()));
        labels.extend(words(
            "csv",
            vec![
                "report", "month", "zone", "section", "item", "subitem", "measure", "value",
            ],
        ));
        for language in ["zh-CN", "en"] {
            let path = format!(
                "{}/../frontend/locales/{language}.json",
                env!("CARGO_MANIFEST_DIR")
            );
            let text = std::fs::read_to_string(&path).unwrap();
            let messages: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(&text).unwrap();
            for label in &labels {
                assert!(
                    messages.contains_key(&format!("report_{label}")),
                    "{language} has no report_{label}"
                );
            }
        }
    }
}
