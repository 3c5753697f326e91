//! Where each lent key stands: out, overdue, back, or back late
//! ([`views`]), and the checks the front desk's form runs before a loan or
//! a return is written ([`check_return`]).
//!
//! Pure: no clock, no storage; "now" is an argument, so the tablet offline
//! and a test agree.

use std::collections::HashMap;

use crate::schema::key_loan::{KeyLoan, KeyReturn};

/// A key loan's state at some instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LoanState {
    /// Out, not yet due.
    Out,
    /// Out past its due time.
    Overdue,
    /// Back by its due time.
    Returned,
    /// Back, after its due time.
    ReturnedLate,
}

impl LoanState {
    pub fn as_str(self) -> &'static str {
        match self {
            LoanState::Out => "out",
            LoanState::Overdue => "overdue",
            LoanState::Returned => "returned",
            LoanState::ReturnedLate => "returned_late",
        }
    }

    /// The key is still out.
    pub fn is_out(self) -> bool {
        matches!(self, LoanState::Out | LoanState::Overdue)
    }
}

/// One loan with its return, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoanView {
    pub loan: KeyLoan,
    /// The earliest return recorded (two desks may record one each).
    pub returned: Option<KeyReturn>,
    pub state: LoanState,
}

/// Every loan of `loans` with its earliest return among `returns`, as it
/// stands at `now`: keys out first (overdue before the rest, the longest
/// overdue first), then those back, newest first.
pub fn views(loans: Vec<KeyLoan>, returns: &[KeyReturn], now: i64) -> Vec<LoanView> {
    let mut earliest: HashMap<&str, &KeyReturn> = HashMap::new();
    for back in returns {
        let slot = earliest.entry(back.loan_id.as_str()).or_insert(back);
        if (back.returned_at, &back.id) < (slot.returned_at, &slot.id) {
            *slot = back;
        }
    }
    let mut views: Vec<LoanView> = loans
        .into_iter()
        .map(|loan| {
            let returned = earliest.get(loan.id.as_str()).map(|back| (*back).clone());
            let state = match &returned {
                Some(back) if back.returned_at > loan.due_back => LoanState::ReturnedLate,
                Some(_) => LoanState::Returned,
                None if now > loan.due_back => LoanState::Overdue,
                None => LoanState::Out,
            };
            LoanView {
                loan,
                returned,
                state,
            }
        })
        .collect();
    views.sort_by(|a, b| {
        b.state
            .is_out()
            .cmp(&a.state.is_out())
            .then((b.state == LoanState::Overdue).cmp(&(a.state == LoanState::Overdue)))
            .then_with(|| match a.state.is_out() {
                true => a.loan.due_back.cmp(&b.loan.due_back),
                false => b.loan.lent_at.cmp(&a.loan.lent_at),
            })
            .then_with(|| a.loan.id.cmp(&b.loan.id))
    });
    views
}

/// Why a return may not be recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReturnRefusal {
    #[error("the key is already back")]
    AlreadyBack,
    #[error("a key cannot come back before it was lent")]
    BeforeLent,
}

/// Whether `view`'s key may be recorded as back at `at`.
pub fn check_return(view: &LoanView, at: i64) -> Result<(), ReturnRefusal> {
    if view.returned.is_some() {
        return Err(ReturnRefusal::AlreadyBack);
    }
    if at < view.loan.lent_at {
        return Err(ReturnRefusal::BeforeLent);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_796_000_000_000;
    const HOUR: i64 = 3_600_000;

    fn loan(id: &str, lent_at: i64, due_back: i64) -> KeyLoan {
        KeyLoan {
            id: id.into(),
            key_label: format!("{id} 钥匙"),
            borrower: "维修部 老刘".into(),
            borrower_phone: String::new(),
            purpose: String::new(),
            lent_at,
            due_back,
            lent_by: "frontdesk".into(),
            lent_by_name: "林晓".into(),
            device: "desk".into(),
        }
    }

    fn back(id: &str, loan_id: &str, at: i64) -> KeyReturn {
        KeyReturn {
            id: id.into(),
            loan_id: loan_id.into(),
            returned_at: at,
            received_by: "frontdesk".into(),
            received_by_name: "林晓".into(),
            device: "desk".into(),
            note: String::new(),
        }
    }

    #[test]
    fn each_state_and_the_order_the_desk_sees() {
        let loans = vec![
            loan("on-time", T0, T0 + 2 * HOUR),
            loan("late", T0, T0 + HOUR),
            loan("out", T0 + HOUR, T0 + 5 * HOUR),
            loan("overdue", T0, T0 + 2 * HOUR),
            loan("very-overdue", T0, T0 + HOUR),
        ];
        let returns = [
            back("r1", "on-time", T0 + HOUR),
            back("r2", "late", T0 + 2 * HOUR),
        ];
        let now = T0 + 3 * HOUR;
        let shown = views(loans, &returns, now);
        let seen: Vec<(&str, LoanState)> = shown
            .iter()
            .map(|view| (view.loan.id.as_str(), view.state))
            .collect();
        assert_eq!(
            seen,
            [
                ("very-overdue", LoanState::Overdue),
                ("overdue", LoanState::Overdue),
                ("out", LoanState::Out),
                ("late", LoanState::ReturnedLate),
                ("on-time", LoanState::Returned),
            ]
        );
    }

    #[test]
    fn two_desks_recording_one_return_keep_the_earliest() {
        let loans = vec![loan("k", T0, T0 + HOUR)];
        let returns = [
            back("r-late", "k", T0 + 2 * HOUR),
            back("r-early", "k", T0 + HOUR / 2),
        ];
        let view = &views(loans, &returns, T0 + 3 * HOUR)[0];
        assert_eq!(view.state, LoanState::Returned);
        assert_eq!(view.returned.as_ref().unwrap().id, "r-early");
        assert_eq!(
            check_return(view, T0 + 3 * HOUR),
            Err(ReturnRefusal::AlreadyBack)
        );
    }

    #[test]
    fn a_return_before_the_loan_is_refused() {
        let view = &views(vec![loan("k", T0, T0 + HOUR)], &[], T0)[0];
        assert_eq!(check_return(view, T0 - 1), Err(ReturnRefusal::BeforeLent));
        assert_eq!(check_return(view, T0 + 1), Ok(()));
    }
}
