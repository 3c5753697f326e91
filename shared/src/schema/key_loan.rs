//! Key loans (《钥匙出借记录表》): the keys the office holds (plant rooms,
//! empty units, roof doors) lent by the front desk and brought back.
//!
//! A [`KeyLoan`] is written once when the key goes out, in the site's key
//! log of the month it was lent; its return is a [`KeyReturn`] in that same
//! document, however much later. Both are records of their own, never
//! edits, so two front-desk tablets offline merge without conflict; if a
//! return is recorded twice the earliest stands (`crate::key_loans`).
//!
//! This module holds the records and their shape; whether a key is out,
//! overdue or back is `crate::key_loans`'s.

use serde::{Deserialize, Serialize};

use super::{check_author, check_id, check_instant, check_text, Container, Record, SchemaError};

/// The longest a key may be lent for: beyond a month it is not a loan.
pub const MAX_LOAN_MS: i64 = 31 * 24 * 3_600_000;

/// One key lent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyLoan {
    pub id: String,
    /// Which key, as its tag says (`3号楼水泵房`).
    pub key_label: String,
    /// Who took it: a name, and their company or department if outside.
    pub borrower: String,
    /// The borrower's phone, if given (personal data).
    #[serde(default)]
    pub borrower_phone: String,
    /// What for.
    #[serde(default)]
    pub purpose: String,
    /// When it went out (the tablet's clock, unix ms).
    pub lent_at: i64,
    /// When it is due back.
    pub due_back: i64,
    pub lent_by: String,
    pub lent_by_name: String,
    pub device: String,
}

impl Record for KeyLoan {
    const CONTAINER: Container = Container::KeyLoans;
    const PERSONAL: bool = true;
    const MADE_AT: Option<&'static str> = Some("lent_at");
    const AUTHOR: Option<&'static str> = Some("lent_by");

    fn id(&self) -> &str {
        &self.id
    }

    fn validate(&self) -> Result<(), SchemaError> {
        check_id("key loan", &self.id)?;
        check_text("key", &self.key_label, true, 50)?;
        check_text("borrower", &self.borrower, true, 50)?;
        check_text("borrower phone", &self.borrower_phone, false, 20)?;
        check_text("purpose", &self.purpose, false, 200)?;
        check_instant("lent at", self.lent_at)?;
        check_instant("due back", self.due_back)?;
        if self.due_back <= self.lent_at || self.due_back - self.lent_at > MAX_LOAN_MS {
            return Err(SchemaError::Invalid(
                "a key is due back after it is lent, within a month".into(),
            ));
        }
        check_author("lender", &self.lent_by, &self.lent_by_name, &self.device)
    }

    /// Newest first.
    fn order(a: &Self, b: &Self) -> std::cmp::Ordering {
        b.lent_at.cmp(&a.lent_at).then_with(|| a.id.cmp(&b.id))
    }
}

/// A lent key brought back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyReturn {
    pub id: String,
    pub loan_id: String,
    /// When it came back (the tablet's clock, unix ms).
    pub returned_at: i64,
    pub received_by: String,
    pub received_by_name: String,
    pub device: String,
    /// Anything worth noting (a damaged tag, returned by someone else).
    #[serde(default)]
    pub note: String,
}

impl Record for KeyReturn {
    const CONTAINER: Container = Container::KeyReturns;
    const MADE_AT: Option<&'static str> = Some("returned_at");
    const AUTHOR: Option<&'static str> = Some("received_by");

    fn id(&self) -> &str {
        &self.id
    }

    fn validate(&self) -> Result<(), SchemaError> {
        check_id("key return", &self.id)?;
        check_id("key loan", &self.loan_id)?;
        check_instant("returned at", self.returned_at)?;
        check_text("note", &self.note, false, 200)?;
        check_author(
            "receiver",
            &self.received_by,
            &self.received_by_name,
            &self.device,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn loan() -> KeyLoan {
        KeyLoan {
            id: "kl-1".into(),
            key_label: "3号楼水泵房".into(),
            borrower: "维修部 老刘".into(),
            borrower_phone: String::new(),
            purpose: "检修水泵".into(),
            lent_at: 1_796_000_000_000,
            due_back: 1_796_000_000_000 + 2 * 3_600_000,
            lent_by: "frontdesk".into(),
            lent_by_name: "林晓".into(),
            device: "desk".into(),
        }
    }

    #[test]
    fn a_loan_needs_a_key_a_borrower_and_a_due_time_after_it() {
        assert!(loan().validate().is_ok());
        for broken in [
            KeyLoan {
                key_label: " ".into(),
                ..loan()
            },
            KeyLoan {
                borrower: String::new(),
                ..loan()
            },
            KeyLoan {
                due_back: loan().lent_at,
                ..loan()
            },
            KeyLoan {
                due_back: loan().lent_at + MAX_LOAN_MS + 1,
                ..loan()
            },
        ] {
            assert!(broken.validate().is_err(), "{broken:?}");
        }
    }
}
