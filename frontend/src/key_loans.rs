//! The front desk's key book on the tablet: the loans of the key logs it
//! holds, lending a key and recording its return, offline.
//!
//! A loan and its return live in the site's key log of the month the key
//! was lent (`DocKey::key_log`), so the return of a key lent last month goes
//! into last month's log. What a state means is `roundbook_shared::key_loans`;
//! the screen is `ui::keys`.

use roundbook_shared::domain::{is_resident_phone, local_date};
use roundbook_shared::key_loans::{self, LoanView, ReturnRefusal};
use roundbook_shared::schema::key_loan::{KeyLoan, KeyReturn, MAX_LOAN_MS};
use roundbook_shared::schema::{list, put, DocKey, DocKind, Record};

use crate::documents::{EditError, Library};
use crate::session::Actor;
use crate::writer::Writer;

/// Why a loan or a return was not recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyError {
    KeyNeeded,
    BorrowerNeeded,
    BadPhone,
    /// The due time is missing, not after now, or more than a month ahead.
    BadDueTime,
    TextTooLong,
    Refused(ReturnRefusal),
    NotFound,
    Busy,
    NotSaved(String),
}

impl From<EditError<KeyError>> for KeyError {
    fn from(error: EditError<KeyError>) -> Self {
        match error {
            EditError::Refused(error) => error,
            EditError::NotHeld => KeyError::NotFound,
            EditError::Busy => KeyError::Busy,
            EditError::Storage(error) => KeyError::NotSaved(error.to_string()),
            EditError::Unloadable(reason) => KeyError::NotSaved(reason),
        }
    }
}

/// What the lending form filled in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoanDraft {
    pub key_label: String,
    pub borrower: String,
    pub borrower_phone: String,
    pub purpose: String,
    /// When it is due back (site time, from the form), if given.
    pub due_back: Option<i64>,
}

/// Every loan of every key log this tablet holds, as it stands at `now`
/// (`key_loans::views`' order: keys out, overdue first, then those back).
pub fn loans(library: &Library, now: i64) -> Vec<LoanView> {
    let mut loans = Vec::new();
    let mut returns = Vec::new();
    for key in library
        .held_keys()
        .into_iter()
        .filter(|key| key.kind == DocKind::KeyLog)
    {
        library.with_doc(&key, |doc| {
            loans.extend(list::<KeyLoan>(doc).unwrap_or_default());
            returns.extend(list::<KeyReturn>(doc).unwrap_or_default());
        });
    }
    key_loans::views(loans, &returns, now)
}

/// The labels of keys lent before, for the form's suggestions.
pub fn known_keys(views: &[LoanView]) -> Vec<String> {
    let mut labels: Vec<String> = views
        .iter()
        .map(|view| view.loan.key_label.clone())
        .collect();
    labels.sort();
    labels.dedup();
    labels
}

fn new_id(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

/// The loan a form asks for, refusing a form that misses what it needs.
fn loan_of(draft: &LoanDraft, actor: &Actor, now: i64) -> Result<KeyLoan, KeyError> {
    let (key_label, borrower) = (draft.key_label.trim(), draft.borrower.trim());
    let (phone, purpose) = (draft.borrower_phone.trim(), draft.purpose.trim());
    if key_label.is_empty() {
        return Err(KeyError::KeyNeeded);
    }
    if borrower.is_empty() {
        return Err(KeyError::BorrowerNeeded);
    }
    if !phone.is_empty() && !is_resident_phone(phone) {
        return Err(KeyError::BadPhone);
    }
    let due_back = draft.due_back.ok_or(KeyError::BadDueTime)?;
    if due_back <= now || due_back - now > MAX_LOAN_MS {
        return Err(KeyError::BadDueTime);
    }
    let loan = KeyLoan {
        id: new_id("kl"),
        key_label: key_label.to_owned(),
        borrower: borrower.to_owned(),
        borrower_phone: phone.to_owned(),
        purpose: purpose.to_owned(),
        lent_at: now,
        due_back,
        lent_by: actor.username.clone(),
        lent_by_name: actor.name.clone(),
        device: actor.device.clone(),
    };
    loan.validate().map_err(|_| KeyError::TextTooLong)?;
    Ok(loan)
}

/// Lends a key: the loan goes into this month's key log.
pub async fn lend(
    writer: &Writer,
    site: &str,
    draft: &LoanDraft,
    actor: &Actor,
    now: i64,
) -> Result<KeyLoan, KeyError> {
    let loan = loan_of(draft, actor, now)?;
    let key = DocKey::key_log(site, local_date(loan.lent_at));
    writer
        .put_into(&key, &loan, now, |error| {
            KeyError::NotSaved(error.to_string())
        })
        .await?;
    Ok(loan)
}

/// Records that the key of `loan_id` is back, in its loan's log.
pub async fn record_return(
    writer: &Writer,
    site: &str,
    loan_id: &str,
    note: &str,
    actor: &Actor,
    now: i64,
) -> Result<KeyReturn, KeyError> {
    let view = loans(writer.library(), now)
        .into_iter()
        .find(|view| view.loan.id == loan_id)
        .ok_or(KeyError::NotFound)?;
    key_loans::check_return(&view, now).map_err(KeyError::Refused)?;
    let back = KeyReturn {
        id: new_id("kr"),
        loan_id: loan_id.to_owned(),
        returned_at: now,
        received_by: actor.username.clone(),
        received_by_name: actor.name.clone(),
        device: actor.device.clone(),
        note: note.trim().to_owned(),
    };
    back.validate().map_err(|_| KeyError::TextTooLong)?;
    let key = DocKey::key_log(site, local_date(view.loan.lent_at));
    writer
        .edit(key.document_id(), |doc| {
            put(doc, &back, now).map_err(|error| KeyError::NotSaved(error.to_string()))
        })
        .await?;
    Ok(back)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    const NOW: i64 = 1_796_000_000_000;

    fn actor() -> Actor {
        Actor {
            username: "frontdesk".into(),
            name: "林晓".into(),
            device: "desk".into(),
        }
    }

    fn draft() -> LoanDraft {
        LoanDraft {
            key_label: " 3号楼水泵房 ".into(),
            borrower: "维修部 老刘".into(),
            due_back: Some(NOW + 3_600_000),
            ..LoanDraft::default()
        }
    }

    #[wasm_bindgen_test]
    fn a_form_missing_what_a_loan_needs_is_refused() {
        assert_eq!(
            loan_of(&draft(), &actor(), NOW).unwrap().key_label,
            "3号楼水泵房"
        );
        let cases = [
            (
                LoanDraft {
                    key_label: " ".into(),
                    ..draft()
                },
                KeyError::KeyNeeded,
            ),
            (
                LoanDraft {
                    borrower: String::new(),
                    ..draft()
                },
                KeyError::BorrowerNeeded,
            ),
            (
                LoanDraft {
                    borrower_phone: "12ab".into(),
                    ..draft()
                },
                KeyError::BadPhone,
            ),
            (
                LoanDraft {
                    due_back: None,
                    ..draft()
                },
                KeyError::BadDueTime,
            ),
            (
                LoanDraft {
                    due_back: Some(NOW - 1),
                    ..draft()
                },
                KeyError::BadDueTime,
            ),
            (
                LoanDraft {
                    due_back: Some(NOW + MAX_LOAN_MS + 1),
                    ..draft()
                },
                KeyError::BadDueTime,
            ),
            (
                LoanDraft {
                    purpose: "很".repeat(201),
                    ..draft()
                },
                KeyError::TextTooLong,
            ),
        ];
        for (form, error) in cases {
            assert_eq!(loan_of(&form, &actor(), NOW), Err(error), "{form:?}");
        }
    }
}
