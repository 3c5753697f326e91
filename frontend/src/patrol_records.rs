//! A zone's patrol records gathered from the documents this tablet holds,
//! with the shared gathering ([`roundbook_shared::patrol_records`], which the
//! server's report uses too).
//!
//! It only reads. Days the tablet does not hold simply contribute nothing.

use chrono::NaiveDate;
use roundbook_shared::schema::DocKey;

pub use roundbook_shared::patrol_records::{days_around, ZoneRecords};

use crate::documents::Library;

/// Gathering a zone's records from the tablet's [`Library`].
pub trait Gather {
    /// Reads the zone's directory and its patrol logs of `dates`.
    fn gather(library: &Library, site: &str, zone: &str, dates: &[NaiveDate]) -> ZoneRecords;
}

impl Gather for ZoneRecords {
    fn gather(library: &Library, site: &str, zone: &str, dates: &[NaiveDate]) -> ZoneRecords {
        let mut records = ZoneRecords::new(zone);
        library.with_doc(&DocKey::zone_directory(site, zone), |doc| {
            records.add_directory(doc);
        });
        for date in dates {
            library.with_doc(&DocKey::patrol_log(site, zone, *date), |doc| {
                records.add_day(doc);
            });
        }
        records
    }
}
