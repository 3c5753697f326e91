//! `GET /api/reports/patrol?date=YYYY-MM-DD`: a day's rounds in every zone
//! the user may see, evaluated by the server with the same rules the tablet
//! uses offline (`compliance::evaluate_day`).
//!
//! Reads stored documents only (what the server has acknowledged); it never
//! writes, and never reports a zone outside the user's access.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use roundbook_shared::api::{PatrolReport, ZonePatrolReport};
use roundbook_shared::compliance::{evaluate_day, Summary};
use roundbook_shared::patrol_records::{days_around, ZoneRecords};
use roundbook_shared::schema::DocKey;
use roundbook_shared::trust;

use crate::access::Access;
use crate::error::ApiError;
use crate::hub;
use crate::state::AppState;
use crate::store::{run_blocking, Store, StoreError};

/// Dates a report may ask for: the years Roundbook records can carry.
const FIRST_DATE: (i32, u32, u32) = (2020, 1, 1);
const LAST_DATE: (i32, u32, u32) = (2099, 12, 31);

/// The day report of `date` (`YYYY-MM-DD`) over the zones `access` reaches.
pub async fn report(app: &AppState, access: Access, date: &str) -> Result<PatrolReport, ApiError> {
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .ok()
        .filter(|date| {
            let day = |(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).expect("valid");
            (day(FIRST_DATE)..=day(LAST_DATE)).contains(date)
        })
        .ok_or_else(|| {
            ApiError::BadRequest("expected ?date=YYYY-MM-DD between 2020 and 2099".into())
        })?;
    let now = chrono::Utc::now().timestamp_millis();
    let store = app.store.clone();
    let zones = run_blocking(move || {
        access
            .zones
            .iter()
            .map(|zone| zone_report(store.as_ref(), &access.site, zone, date, now))
            .collect::<Result<Vec<_>, _>>()
    })
    .await?;
    Ok(PatrolReport {
        date: date.format("%Y-%m-%d").to_string(),
        evaluated_at: now,
        zones,
    })
}

fn zone_report(
    store: &dyn Store,
    site: &str,
    zone: &str,
    date: NaiveDate,
    now: i64,
) -> Result<ZonePatrolReport, StoreError> {
    let mut records = ZoneRecords::new(zone);
    let mut malformed = 0;
    let directory = DocKey::zone_directory(site, zone);
    if let Some(doc) = hub::load_stored(store, &directory, &mut malformed)? {
        malformed += records.add_directory(&doc);
    }
    let mut findings_by_kind = BTreeMap::new();
    let mut flagged_records = 0;
    for day in days_around(date) {
        let key = DocKey::patrol_log(site, zone, day);
        let Some(doc) = hub::load_stored(store, &key, &mut malformed)? else {
            continue;
        };
        if day != date {
            // Read for rounds that cross midnight; their malformed records
            // belong to those days' reports.
            records.add_day(&doc);
            continue;
        }
        let mut today = ZoneRecords::new(zone);
        malformed += today.add_day(&doc);
        for finding in &today.findings {
            *findings_by_kind.entry(finding.kind.clone()).or_insert(0) += 1;
        }
        let made = today
            .scans
            .iter()
            .map(|scan| (scan.scanned_at, today.receipts.get(&scan.id)))
            .chain(
                today
                    .findings
                    .iter()
                    .map(|finding| (finding.found_at, today.receipts.get(&finding.id))),
            );
        flagged_records = made
            .filter(|(made_at, receipt)| !trust::flags(*made_at, receipt.copied()).is_empty())
            .count();
        records.rounds.extend(today.rounds);
        records.scans.extend(today.scans);
        records.findings.extend(today.findings);
    }
    let rounds = evaluate_day(date, records.patrol_records(), now);
    Ok(ZonePatrolReport {
        zone: zone.to_owned(),
        summary: Summary::of(&rounds),
        rounds,
        findings_by_kind,
        flagged_records,
        malformed_records: malformed,
    })
}
