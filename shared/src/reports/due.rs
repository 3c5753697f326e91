//! The month-end reports the office owes and their state: the complaint
//! monthly report on the month's last day, the repair-callback summary by
//! the 2nd of the next month, the visit summary and the cleaning score
//! sheet by the 5th (`../shared/domain.md`, sections 1, 2 and 4).
//!
//! Pure: the caller says which reports are signed (the head's sign-off, or
//! for cleaning both signatures on the sheet) and what day it is.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{Month, ReportKind};

/// Where a month's report stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DueState {
    /// The month is still being recorded.
    InProgress,
    /// It can be read and signed now.
    Ready,
    Signed,
    /// Past its due date and not signed.
    Late,
}

/// One report owed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub kind: ReportKind,
    pub month: Month,
    pub due: NaiveDate,
    pub state: DueState,
}

/// The day `kind`'s report of `month` is due, if the seeds give it one.
pub fn due_date(kind: ReportKind, month: Month) -> Option<NaiveDate> {
    let next = |day: u32| {
        month
            .next()
            .and_then(|next| next.first_day().with_day0(day - 1))
    };
    match kind {
        ReportKind::Complaints => Some(month.last_day()),
        ReportKind::RepairCallbacks => next(2),
        ReportKind::Visits | ReportKind::Cleaning => next(5),
        ReportKind::Patrol | ReportKind::FrontDesk => None,
    }
}

/// The first day `kind`'s report of `month` can be read whole and signed:
/// the complaint report is made on the month's last day, the others once
/// the month is over.
pub fn ready_from(kind: ReportKind, month: Month) -> Option<NaiveDate> {
    if kind == ReportKind::Complaints {
        Some(month.last_day())
    } else {
        Some(month.next()?.first_day())
    }
}

/// The reports owed around `today`: this month's complaint report and last
/// month's four (the complaint report too, while unsigned), oldest first.
/// `signed` says whether a report of a month is signed.
pub fn owed(today: NaiveDate, signed: &dyn Fn(ReportKind, Month) -> bool) -> Vec<Due> {
    let Some(this) = Month::of(today) else {
        return Vec::new();
    };
    let mut asked: Vec<(ReportKind, Month)> = Vec::new();
    if let Some(last) = this.previous() {
        for kind in [
            ReportKind::Complaints,
            ReportKind::RepairCallbacks,
            ReportKind::Visits,
            ReportKind::Cleaning,
        ] {
            if kind != ReportKind::Complaints || !signed(kind, last) {
                asked.push((kind, last));
            }
        }
    }
    asked.push((ReportKind::Complaints, this));
    asked
        .into_iter()
        .filter_map(|(kind, month)| {
            let due = due_date(kind, month)?;
            let ready_from = ready_from(kind, month)?;
            let state = if signed(kind, month) {
                DueState::Signed
            } else if today > due {
                DueState::Late
            } else if today >= ready_from {
                DueState::Ready
            } else {
                DueState::InProgress
            };
            Some(Due {
                kind,
                month,
                due,
                state,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn month(text: &str) -> Month {
        text.parse().unwrap()
    }

    #[test]
    fn due_dates_follow_the_seeds() {
        let november = month("2026-11");
        assert_eq!(
            due_date(ReportKind::Complaints, november),
            Some(day(2026, 11, 30))
        );
        assert_eq!(
            due_date(ReportKind::RepairCallbacks, november),
            Some(day(2026, 12, 2))
        );
        assert_eq!(
            due_date(ReportKind::Visits, november),
            Some(day(2026, 12, 5))
        );
        assert_eq!(
            due_date(ReportKind::Cleaning, month("2026-12")),
            Some(day(2027, 1, 5))
        );
        assert_eq!(due_date(ReportKind::Patrol, november), None);
    }

    #[test]
    fn states_move_from_in_progress_to_ready_to_late_unless_signed() {
        let nothing_signed = |_: ReportKind, _: Month| false;
        let on_the_3rd = owed(day(2026, 12, 3), &nothing_signed);
        let states: Vec<(ReportKind, String, DueState)> = on_the_3rd
            .iter()
            .map(|due| (due.kind, due.month.to_string(), due.state))
            .collect();
        assert_eq!(
            states,
            vec![
                (ReportKind::Complaints, "2026-11".into(), DueState::Late),
                (
                    ReportKind::RepairCallbacks,
                    "2026-11".into(),
                    DueState::Late
                ),
                (ReportKind::Visits, "2026-11".into(), DueState::Ready),
                (ReportKind::Cleaning, "2026-11".into(), DueState::Ready),
                (
                    ReportKind::Complaints,
                    "2026-12".into(),
                    DueState::InProgress
                ),
            ]
        );
        // On the month's last day its complaint report is ready; signed, it stays signed.
        let last_day = owed(day(2026, 12, 31), &|kind, month| {
            kind == ReportKind::Complaints && month == Month::of(day(2026, 11, 1)).unwrap()
        });
        assert_eq!(
            last_day.len(),
            4,
            "last month's signed complaint report is not owed"
        );
        assert_eq!(last_day[3].state, DueState::Ready);
        let signed = owed(day(2026, 12, 10), &|_, _| true);
        assert!(signed.iter().all(|due| due.state == DueState::Signed));
    }
}
