//! What the duty log adds up to: a day's lines (its entries and the
//! requests taken that day, which are never typed twice), whether the day
//! is signed and what was written after, and the month's spot-check rate
//! against the 20% the office head owes (管理处主任每月抽查不少于20%).
//!
//! Pure: no clock, no storage; "today" is an argument, so the tablet
//! offline and a test agree.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use crate::domain::{local_date, Role};
use crate::schema::duty::{DaySignoff, DutyEntry, SpotCheck};
use crate::schema::request::Request;
use crate::schema::Container;

/// The share of a month's lines the head must check, in percent.
pub const MIN_CHECK_PERCENT: usize = 20;

/// What a line of the day is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineSource {
    Entry(DutyEntry),
    /// A request taken that day, as its log holds it.
    Request(Request),
}

/// One line of a day's log, with its spot-check if the head made one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub source: LineSource,
    pub check: Option<SpotCheck>,
}

impl Line {
    /// The entry's or the request's id (what a spot-check names).
    pub fn id(&self) -> &str {
        match &self.source {
            LineSource::Entry(entry) => &entry.id,
            LineSource::Request(request) => &request.id,
        }
    }

    /// When it happened (the tablet's clock).
    pub fn at(&self) -> i64 {
        match &self.source {
            LineSource::Entry(entry) => entry.at,
            LineSource::Request(request) => request.received_at,
        }
    }

    /// The site-local day it belongs to.
    pub fn day(&self) -> NaiveDate {
        local_date(self.at())
    }
}

/// Every line of `entries` and `requests`, each with the earliest check of
/// it among `checks`, in the order they happened.
pub fn lines(entries: &[DutyEntry], requests: &[Request], checks: &[SpotCheck]) -> Vec<Line> {
    let mut earliest: HashMap<&str, &SpotCheck> = HashMap::new();
    for check in checks {
        let slot = earliest.entry(check.line_id.as_str()).or_insert(check);
        if (check.checked_at, &check.id) < (slot.checked_at, &slot.id) {
            *slot = check;
        }
    }
    let sources = entries
        .iter()
        .cloned()
        .map(LineSource::Entry)
        .chain(requests.iter().cloned().map(LineSource::Request));
    let mut lines: Vec<Line> = sources
        .map(|source| Line {
            source,
            check: None,
        })
        .map(|mut line| {
            line.check = earliest.get(line.id()).map(|check| (*check).clone());
            line
        })
        .collect();
    lines.sort_by(|a, b| a.at().cmp(&b.at()).then_with(|| a.id().cmp(b.id())));
    lines
}

/// The lines of one site-local day.
pub fn of_day(lines: &[Line], day: NaiveDate) -> Vec<Line> {
    lines
        .iter()
        .filter(|line| line.day() == day)
        .cloned()
        .collect()
}

/// Where a day's sign-off stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DayState {
    /// Nobody has signed it.
    Unsigned,
    /// Signed (the earliest signature stands); `unseen` lines were written
    /// after it (a tablet that was offline, a late entry).
    Signed { signoff: DaySignoff, unseen: usize },
}

/// The state of `day`, which holds `lines` lines, among `signoffs`.
pub fn day_state(day: NaiveDate, lines: usize, signoffs: &[DaySignoff]) -> DayState {
    let day = day.format("%Y-%m-%d").to_string();
    let earliest = signoffs
        .iter()
        .filter(|signoff| signoff.day == day)
        .min_by(|a, b| (a.signed_at, &a.id).cmp(&(b.signed_at, &b.id)));
    match earliest {
        None => DayState::Unsigned,
        Some(signoff) => DayState::Signed {
            unseen: lines.saturating_sub(signoff.lines_seen as usize),
            signoff: signoff.clone(),
        },
    }
}

/// Why a day may not be signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignoffRefusal {
    /// Only the service supervisor (or a head) signs.
    NotASigner,
    /// A day is signed once it has happened.
    FutureDay,
    /// Someone signed it already.
    AlreadySigned,
}

/// Whether someone with `roles` may sign `day` on `today`.
pub fn check_signoff(
    roles: &[Role],
    day: NaiveDate,
    today: NaiveDate,
    state: &DayState,
) -> Result<(), SignoffRefusal> {
    if !Container::DaySignoffs.written_by(roles) {
        return Err(SignoffRefusal::NotASigner);
    }
    if day > today {
        return Err(SignoffRefusal::FutureDay);
    }
    match state {
        DayState::Unsigned => Ok(()),
        DayState::Signed { .. } => Err(SignoffRefusal::AlreadySigned),
    }
}

/// Why a line may not be spot-checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckRefusal {
    /// Only a head spot-checks.
    NotAChecker,
    /// The line was checked already.
    AlreadyChecked,
}

/// Whether someone with `roles` may check `line`.
pub fn check_spot(roles: &[Role], line: &Line) -> Result<(), CheckRefusal> {
    if !Container::SpotChecks.written_by(roles) {
        return Err(CheckRefusal::NotAChecker);
    }
    match line.check {
        Some(_) => Err(CheckRefusal::AlreadyChecked),
        None => Ok(()),
    }
}

/// How much of a month the head checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CheckRate {
    pub checked: usize,
    pub lines: usize,
}

impl CheckRate {
    /// The share checked, in whole percent (rounded down; 0 of 0 is 0).
    pub fn percent(self) -> usize {
        (self.checked * 100).checked_div(self.lines).unwrap_or(0)
    }

    /// Whether the month meets [`MIN_CHECK_PERCENT`] (a month with no lines does).
    pub fn meets(self) -> bool {
        self.checked * 100 >= self.lines * MIN_CHECK_PERCENT
    }

    /// How many more lines must be checked to meet it.
    pub fn short_by(self) -> usize {
        (self.lines * MIN_CHECK_PERCENT)
            .div_ceil(100)
            .saturating_sub(self.checked)
    }
}

/// The check rate of the lines whose day is in `[first, next)`.
pub fn rate(lines: &[Line], first: NaiveDate, next: NaiveDate) -> CheckRate {
    let month: Vec<&Line> = lines
        .iter()
        .filter(|line| (first..next).contains(&line.day()))
        .collect();
    let checked: HashSet<&str> = month
        .iter()
        .filter(|line| line.check.is_some())
        .map(|line| line.id())
        .collect();
    CheckRate {
        checked: checked.len(),
        lines: month.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::duty::tests::{entry, AT};
    use chrono::Datelike;

    const HOUR: i64 = 3_600_000;

    fn request(id: &str, at: i64) -> Request {
        Request {
            id: id.into(),
            received_at: at,
            ..Request::default()
        }
    }

    fn check(id: &str, line: &str, at: i64) -> SpotCheck {
        SpotCheck {
            id: id.into(),
            line_id: line.into(),
            in_order: true,
            note: String::new(),
            checked_at: at,
            by: "head".into(),
            by_name: "陈主任".into(),
            device: "tab".into(),
        }
    }

    fn signoff(id: &str, day: NaiveDate, seen: u32, at: i64) -> DaySignoff {
        DaySignoff {
            id: id.into(),
            day: day.format("%Y-%m-%d").to_string(),
            lines_seen: seen,
            note: String::new(),
            signed_at: at,
            by: "svc-lead".into(),
            by_name: "周主管".into(),
            device: "tab".into(),
        }
    }

    #[test]
    fn a_day_shows_its_entries_and_the_requests_taken_in_order_with_their_checks() {
        let later = DutyEntry {
            id: "de-2".into(),
            at: AT + 2 * HOUR,
            ..entry()
        };
        let requests = [
            request("rq-1", AT + HOUR),
            request("rq-old", AT - 48 * HOUR),
        ];
        let checks = [
            check("sc-2", "rq-1", AT + 5 * HOUR),
            check("sc-1", "rq-1", AT + 4 * HOUR),
        ];
        let all = lines(&[later, entry()], &requests, &checks);
        let day = of_day(&all, local_date(AT));
        let ids: Vec<&str> = day.iter().map(Line::id).collect();
        assert_eq!(ids, ["de-1", "rq-1", "de-2"]);
        assert_eq!(
            day[1].check.as_ref().unwrap().id,
            "sc-1",
            "the earliest check"
        );
        assert!(day[0].check.is_none());
    }

    #[test]
    fn the_earliest_signature_stands_and_later_lines_are_unseen() {
        let day = local_date(AT);
        assert_eq!(day_state(day, 3, &[]), DayState::Unsigned);
        let signoffs = [
            signoff("ds-2", day, 3, AT + 9 * HOUR),
            signoff("ds-1", day, 2, AT + 8 * HOUR),
        ];
        let DayState::Signed { signoff, unseen } = day_state(day, 3, &signoffs) else {
            panic!("signed");
        };
        assert_eq!((signoff.id.as_str(), unseen), ("ds-1", 1));
        let other_day = day.succ_opt().unwrap();
        assert_eq!(day_state(other_day, 0, &signoffs), DayState::Unsigned);
    }

    #[test]
    fn only_a_supervisor_or_head_signs_a_day_that_has_happened_once() {
        let day = local_date(AT);
        let unsigned = DayState::Unsigned;
        let supervisor = [Role::ServiceSupervisor];
        assert_eq!(check_signoff(&supervisor, day, day, &unsigned), Ok(()));
        assert_eq!(
            check_signoff(&[Role::OfficeHead], day, day, &unsigned),
            Ok(())
        );
        assert_eq!(
            check_signoff(&[Role::FrontDesk], day, day, &unsigned),
            Err(SignoffRefusal::NotASigner)
        );
        assert_eq!(
            check_signoff(&supervisor, day.succ_opt().unwrap(), day, &unsigned),
            Err(SignoffRefusal::FutureDay)
        );
        let signed = day_state(day, 1, &[signoff("ds-1", day, 1, AT)]);
        assert_eq!(
            check_signoff(&supervisor, day, day, &signed),
            Err(SignoffRefusal::AlreadySigned)
        );
    }

    #[test]
    fn only_a_head_checks_a_line_once() {
        let all = lines(&[entry()], &[], &[]);
        assert_eq!(check_spot(&[Role::OfficeHead], &all[0]), Ok(()));
        assert_eq!(
            check_spot(&[Role::ServiceSupervisor], &all[0]),
            Err(CheckRefusal::NotAChecker)
        );
        let checked = lines(&[entry()], &[], &[check("sc-1", "de-1", AT)]);
        assert_eq!(
            check_spot(&[Role::OfficeHead], &checked[0]),
            Err(CheckRefusal::AlreadyChecked)
        );
    }

    #[test]
    fn the_month_rate_counts_distinct_checked_lines_of_the_month() {
        let day = local_date(AT);
        let first = day.with_day0(0).unwrap();
        let next = first.checked_add_months(chrono::Months::new(1)).unwrap();
        let requests: Vec<Request> = (0..9)
            .map(|n| request(&format!("rq-{n}"), AT + n * 60_000))
            .collect();
        let outside = request(
            "rq-next",
            next.and_hms_opt(12, 0, 0)
                .unwrap()
                .and_utc()
                .timestamp_millis(),
        );
        let mut all_requests = requests.clone();
        all_requests.push(outside);
        let checks = [check("sc-1", "de-1", AT), check("sc-2", "de-1", AT + 1)];
        let all = lines(&[entry()], &all_requests, &checks);
        let rate = rate(&all, first, next);
        assert_eq!(
            rate,
            CheckRate {
                checked: 1,
                lines: 10
            }
        );
        assert_eq!(
            (rate.percent(), rate.meets(), rate.short_by()),
            (10, false, 1)
        );
        let more = lines(
            &[entry()],
            &all_requests,
            &[check("sc-1", "de-1", AT), check("sc-3", "rq-0", AT)],
        );
        let rate = super::rate(&more, first, next);
        assert_eq!(
            (rate.percent(), rate.meets(), rate.short_by()),
            (20, true, 0)
        );
        assert!(CheckRate::default().meets());
    }
}
