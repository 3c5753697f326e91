//! How long documents that hold personal data are kept: a kind with
//! `KindSpec::keep_days` (the gate book's visitors and plates, 90 days) is
//! deleted whole once that many days have passed after its period.
//!
//! Whole documents, because an Automerge document keeps every value ever
//! written in its history: removing a field from the current state would
//! leave it in every copy's history, so the only removal that holds is the
//! document's. The server deletes it (catalog, chunks and record copy) and
//! refuses it from then on; a tablet forgets its copy once nothing in it is
//! waiting to upload. Both ask [`expired`], so they agree offline.
//!
//! Pure: "today" is an argument.

use chrono::{Days, NaiveDate};

use crate::schema::DocKey;

/// Whether `key`'s document is past its kind's keeping on `today` (its
/// period ended more than `keep_days` ago). Kinds kept for good never are.
pub fn expired(key: &DocKey, today: NaiveDate) -> bool {
    let Some(days) = key.kind.spec().keep_days else {
        return false;
    };
    let Some(after) = key.date.and_then(|start| key.kind.period().next(start)) else {
        return false;
    };
    after
        .checked_add_days(Days::new(days.into()))
        .is_some_and(|until| today >= until)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::DocKey;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_gate_log_goes_ninety_days_after_its_day_and_other_kinds_stay() {
        let gate = DocKey::gate_log("demo", day("2026-09-01"));
        assert!(!expired(&gate, day("2026-09-02")));
        assert!(!expired(&gate, day("2026-11-30")), "the 90th day after");
        assert!(expired(&gate, day("2026-12-01")));
        let requests = DocKey::request_log("demo", "A", day("2016-09-01"));
        assert!(!expired(&requests, day("2026-12-01")));
    }
}
