//! `GET /api/reports/patrol?date=YYYY-MM-DD`: a day's rounds in every zone
//! the user may see, evaluated by the server with the same rules the tablet
//! uses offline (`compliance::evaluate_day`).
//!
//! Reads stored documents only (what the server has acknowledged); it never
//! writes, and never reports a zone outside the user's access.

use std::collections::BTreeMap;

use automerge::{Automerge, ReadDoc};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use chrono::{Duration, NaiveDate};
use serde::Deserialize;

use roundbook_shared::api::{PatrolReport, ZonePatrolReport};
use roundbook_shared::compliance::{evaluate_day, PatrolRecords, Summary};
use roundbook_shared::schema::finding::{findings, Finding, FINDINGS};
use roundbook_shared::schema::patrol::{scans, Scan, SCANS};
use roundbook_shared::schema::receipt::receipts;
use roundbook_shared::schema::round::{rounds, Round, ROUNDS};
use roundbook_shared::schema::route::{routes, Route, ROUTES};
use roundbook_shared::schema::schedule::{schedules, Schedule, SCHEDULES};
use roundbook_shared::schema::{DocKey, SchemaError};
use roundbook_shared::trust;

use crate::error::ApiError;
use crate::hub;
use crate::signin::SignedIn;
use crate::state::AppState;
use crate::store::{run_blocking, Store, StoreError};

/// Dates a report may ask for: the years Roundbook records can carry.
const FIRST_DATE: (i32, u32, u32) = (2020, 1, 1);
const LAST_DATE: (i32, u32, u32) = (2099, 12, 31);

#[derive(Deserialize)]
pub struct ReportQuery {
    date: String,
}

pub async fn patrol(
    State(app): State<AppState>,
    user: SignedIn,
    query: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Json<PatrolReport>, ApiError> {
    let date = query
        .ok()
        .and_then(|Query(query)| NaiveDate::parse_from_str(&query.date, "%Y-%m-%d").ok())
        .filter(|date| {
            let day = |(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).expect("valid");
            (day(FIRST_DATE)..=day(LAST_DATE)).contains(date)
        })
        .ok_or_else(|| {
            ApiError::BadRequest("expected ?date=YYYY-MM-DD between 2020 and 2099".into())
        })?;
    let now = chrono::Utc::now().timestamp_millis();
    let store = app.store.clone();
    let access = user.access;
    let zones = run_blocking(move || {
        access
            .zones
            .iter()
            .map(|zone| zone_report(store.as_ref(), &access.site, zone, date, now))
            .collect::<Result<Vec<_>, _>>()
    })
    .await?;
    Ok(Json(PatrolReport {
        date: date.format("%Y-%m-%d").to_string(),
        evaluated_at: now,
        zones,
    }))
}

/// A zone's records as stored: its directory and three days of patrol logs.
#[derive(Default)]
struct ZoneRecords {
    routes: Vec<Route>,
    schedules: Vec<Schedule>,
    rounds: Vec<Round>,
    scans: Vec<Scan>,
    findings: Vec<Finding>,
}

impl ZoneRecords {
    fn patrol_records(&self) -> PatrolRecords<'_> {
        PatrolRecords {
            routes: &self.routes,
            schedules: &self.schedules,
            rounds: &self.rounds,
            scans: &self.scans,
            findings: &self.findings,
        }
    }
}

/// The stored document, if the server has it and it loads; a document that
/// does not load is counted as malformed and skipped.
fn load(
    store: &dyn Store,
    key: &DocKey,
    malformed: &mut usize,
) -> Result<Option<Automerge>, StoreError> {
    let chunks = store.load_chunks(&key.document_id())?;
    if chunks.is_empty() {
        return Ok(None);
    }
    match hub::load(&chunks) {
        Ok(doc) => Ok(Some(doc)),
        Err(error) => {
            tracing::error!(id = %key.document_id(), %error, "a stored document does not load");
            *malformed += 1;
            Ok(None)
        }
    }
}

/// Reads one container's records, counting the ones the reader skipped
/// (malformed) instead of failing the report; a container that is not a map
/// counts as one.
fn read<T>(
    doc: &Automerge,
    container: &'static str,
    reader: impl Fn(&Automerge) -> Result<Vec<T>, SchemaError>,
    malformed: &mut usize,
) -> Vec<T> {
    let held = match doc.get(automerge::ROOT, container) {
        Ok(Some((automerge::Value::Object(automerge::ObjType::Map), map))) => doc.length(&map),
        _ => 0,
    };
    match reader(doc) {
        Ok(records) => {
            *malformed += held.saturating_sub(records.len());
            records
        }
        Err(_) => {
            *malformed += held.max(1);
            Vec::new()
        }
    }
}

fn zone_report(
    store: &dyn Store,
    site: &str,
    zone: &str,
    date: NaiveDate,
    now: i64,
) -> Result<ZonePatrolReport, StoreError> {
    let mut records = ZoneRecords::default();
    let mut malformed = 0;
    let directory = DocKey::zone_directory(site, zone);
    if let Some(doc) = load(store, &directory, &mut malformed)? {
        records.routes = read(&doc, ROUTES, routes, &mut malformed);
        records.schedules = read(&doc, SCHEDULES, schedules, &mut malformed);
    }
    let mut findings_by_kind = BTreeMap::new();
    let mut flagged_records = 0;
    for offset in [-1, 0, 1] {
        let key = DocKey::patrol_log(site, zone, date + Duration::days(offset));
        let Some(doc) = load(store, &key, &mut malformed)? else {
            continue;
        };
        // Malformed records are counted for the day reported only.
        let mut skipped = 0;
        let day_scans = read(&doc, SCANS, scans, &mut skipped);
        let day_findings = read(&doc, FINDINGS, findings, &mut skipped);
        let day_rounds = read(&doc, ROUNDS, rounds, &mut skipped);
        if offset == 0 {
            malformed += skipped;
            for finding in &day_findings {
                *findings_by_kind.entry(finding.kind.clone()).or_insert(0) += 1;
            }
            let scan_receipts = receipts(&doc, SCANS).unwrap_or_default();
            let finding_receipts = receipts(&doc, FINDINGS).unwrap_or_default();
            let made = day_scans
                .iter()
                .map(|scan| (scan.scanned_at, scan_receipts.get(&scan.id)))
                .chain(
                    day_findings
                        .iter()
                        .map(|finding| (finding.found_at, finding_receipts.get(&finding.id))),
                );
            flagged_records = made
                .filter(|(made_at, receipt)| !trust::flags(*made_at, receipt.copied()).is_empty())
                .count();
        }
        records.rounds.extend(day_rounds);
        records.scans.extend(day_scans);
        records.findings.extend(day_findings);
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
