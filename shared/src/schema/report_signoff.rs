//! The office head's sign-off of a month's report (报表签发): the head or
//! the deputy confirms a monthly report as read and handed on, which is
//! what the due-reports list shows as "signed". One record per report, in
//! the site's report month document of the month reported on.
//!
//! The record is keyed by the report's name, so the report is signed once:
//! a second signature by someone else is a change to another's record,
//! which the server refuses (`schema::authorship`). The cleaning score
//! sheet is not signed here: it has its own two signatures
//! (`schema::cleaning`).

use automerge::Automerge;
use serde::{Deserialize, Serialize};

use super::{check_author, check_instant, check_word, list, put, Container, Record, SchemaError};

/// One report's sign-off.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReportSignoff {
    /// The report's name (`complaints`): also the record's key.
    pub id: String,
    pub signed_by: String,
    pub signed_by_name: String,
    pub device: String,
    /// The tablet's clock when it was signed (unix ms).
    pub signed_at: i64,
}

/// The reports signed here, by their names in `reports::ReportKind`: every
/// monthly report but the cleaning score sheet, which both parties sign on
/// the sheet itself. (Words, so that the schema does not depend on the
/// reports; `reports` tests that the two agree.)
pub const SIGNED_REPORTS: [&str; 4] = ["complaints", "repair-callbacks", "visits", "patrol"];

impl Record for ReportSignoff {
    const CONTAINER: Container = Container::ReportSignoffs;

    const MADE_AT: Option<&'static str> = Some("signed_at");
    const AUTHOR: Option<&'static str> = Some("signed_by");

    fn id(&self) -> &str {
        &self.id
    }

    fn validate(&self) -> Result<(), SchemaError> {
        check_word("report", &self.id, &SIGNED_REPORTS)?;
        check_author(
            "signer",
            &self.signed_by,
            &self.signed_by_name,
            &self.device,
        )?;
        check_instant("signed_at", self.signed_at)?;
        Ok(())
    }
}

/// Every well-formed sign-off of the month.
pub fn signoffs(doc: &Automerge) -> Result<Vec<ReportSignoff>, SchemaError> {
    list(doc)
}

/// Records a sign-off, as one change.
pub fn put_signoff(doc: &mut Automerge, signoff: &ReportSignoff) -> Result<(), SchemaError> {
    put(doc, signoff, signoff.signed_at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::DocKey;

    fn signoff(id: &str) -> ReportSignoff {
        ReportSignoff {
            id: id.into(),
            signed_by: "head".into(),
            signed_by_name: "赵敏".into(),
            device: "tablet-1".into(),
            signed_at: 1_796_000_000_000,
        }
    }

    #[test]
    fn a_report_is_signed_by_its_name_and_cleaning_is_not_signed_here() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let mut doc = DocKey::report_month("demo", day).genesis();
        put_signoff(&mut doc, &signoff("complaints")).unwrap();
        assert_eq!(signoffs(&doc).unwrap(), vec![signoff("complaints")]);
        for bad in ["cleaning", "nonsense", ""] {
            assert!(put_signoff(&mut doc, &signoff(bad)).is_err(), "{bad}");
        }
        let mut late = signoff("visits");
        late.signed_at = 0;
        assert!(put_signoff(&mut doc, &late).is_err());
    }
}
