//! The front desk's month (前台月报): the key book's loans of the month
//! (lent, back on time, back late, still out at the month's end and how
//! many of those overdue), read by the front desk, the service supervisor
//! and the heads, who hold the key log.
//!
//! Counts only, never a borrower's name or phone. A loan counts in the
//! month it was lent (its log); its return, however late, in its state.
//! Pure: `scope.now` is the time.

use super::table::{Cell, Section, Table};
use super::{Documents, Scope};
use crate::key_loans::{self, LoanState};
use crate::schema::key_loan::{KeyLoan, KeyReturn};
use crate::schema::{list, DocKey};

/// The key log of the month.
pub fn needs(scope: &Scope) -> Vec<DocKey> {
    vec![DocKey::key_log(&scope.site, scope.month.first_day())]
}

pub fn build(scope: &Scope, documents: &mut dyn Documents) -> Vec<Section> {
    let cutoff = scope.cutoff();
    let (mut loans, mut returns) = (Vec::new(), Vec::new());
    for key in needs(scope) {
        documents.with(&key, &mut |doc| {
            loans.extend(list::<KeyLoan>(doc).unwrap_or_default());
            returns.extend(list::<KeyReturn>(doc).unwrap_or_default());
        });
    }
    loans.retain(|loan| loan.lent_at < cutoff);
    returns.retain(|back| back.returned_at < cutoff);
    let views = key_loans::views(loans, &returns, cutoff);
    let count = |state: LoanState| views.iter().filter(|view| view.state == state).count();
    let mut table = Table::new(
        1,
        &[
            "col_month",
            "col_keys_lent",
            "col_keys_back",
            "col_keys_back_late",
            "col_keys_out",
            "col_keys_overdue",
        ],
    );
    table.push(vec![
        Cell::text(scope.month.to_string()),
        Cell::count(views.len()),
        Cell::count(count(LoanState::Returned)),
        Cell::count(count(LoanState::ReturnedLate)),
        Cell::count(count(LoanState::Out) + count(LoanState::Overdue)),
        Cell::count(count(LoanState::Overdue)),
    ]);
    vec![Section {
        id: "key_loans".into(),
        title: "section_key_loans".into(),
        table,
        chart: None,
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reports::Month;
    use crate::schema::copy::RecordSource;
    use crate::schema::put;

    const HOUR: i64 = 3_600_000;
    /// 2026-11-30 08:53 site time.
    const AT: i64 = 1_796_000_000_000;

    struct One(DocKey, automerge::Automerge);

    impl Documents for One {
        fn with(&mut self, key: &DocKey, read: &mut dyn FnMut(&RecordSource)) -> bool {
            if *key == self.0 {
                read(&RecordSource::Document(&self.1));
            }
            true
        }
    }

    fn loan(id: &str, lent_at: i64, due_back: i64) -> KeyLoan {
        KeyLoan {
            id: id.into(),
            key_label: "3号楼水泵房".into(),
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

    fn back(id: &str, loan: &str, at: i64) -> KeyReturn {
        KeyReturn {
            id: id.into(),
            loan_id: loan.into(),
            returned_at: at,
            received_by: "frontdesk".into(),
            received_by_name: "林晓".into(),
            device: "desk".into(),
            note: String::new(),
        }
    }

    #[test]
    fn the_month_counts_loans_by_where_they_stand_at_its_end() {
        let scope = Scope {
            site: "demo".into(),
            month: Month::new(2026, 11).unwrap(),
            zones: Vec::new(),
            now: AT + 6 * HOUR,
            heads: Vec::new(),
        };
        let key = needs(&scope).remove(0);
        let mut doc = key.genesis();
        for record in [
            loan("kl-1", AT - 5 * HOUR, AT - 3 * HOUR),
            loan("kl-2", AT - 5 * HOUR, AT - 3 * HOUR),
            loan("kl-3", AT - HOUR, AT + HOUR),
            loan("kl-4", AT - HOUR, AT + 9 * HOUR),
        ] {
            put(&mut doc, &record, AT).unwrap();
        }
        put(&mut doc, &back("kr-1", "kl-1", AT - 4 * HOUR), AT).unwrap();
        put(&mut doc, &back("kr-2", "kl-2", AT - HOUR), AT).unwrap();
        let sections = build(&scope, &mut One(key, doc));
        assert_eq!(
            sections[0].table.rows[0][1..],
            [
                Cell::count(4),
                Cell::count(1),
                Cell::count(1),
                Cell::count(2),
                Cell::count(1),
            ],
            "lent, back, back late, out, overdue (kl-3 past due at the report's time)"
        );
    }
}
