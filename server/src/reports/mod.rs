//! The reports the office reads: `GET /api/reports/{kind}?month=YYYY-MM
//! [&zone=CODE][&format=csv][&lang=zh-CN|en]` for the monthly reports of
//! `roundbook_shared::reports` (as JSON, or as CSV for Excel), and the day's
//! patrol rounds (`GET /api/reports/patrol?date=YYYY-MM-DD`, [`day`]).
//!
//! The figures are the shared functions' (the tablet computes the same ones
//! offline); this module only checks who asks, reads the stored documents
//! the report needs and answers. It never writes, never reports a zone
//! outside the reader's access, and a role outside the report's readers
//! gets 403 and nothing.

pub mod copies;
mod day;

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use roundbook_shared::domain::ZoneRef;
use roundbook_shared::reports::{self, Documents, Month, Report, ReportKind, Scope};
use roundbook_shared::schema::copy::RecordSource;
use roundbook_shared::schema::DocKey;

use crate::access::Access;
use crate::error::ApiError;
use crate::signin::SignedIn;
use crate::state::AppState;
use crate::store::{run_blocking, Store, StoreError};

#[derive(Deserialize)]
pub struct ReportQuery {
    month: Option<String>,
    zone: Option<String>,
    format: Option<String>,
    lang: Option<String>,
    /// The day report of the patrol rounds (`/api/reports/patrol` only).
    date: Option<String>,
}

/// `GET /api/reports/patrol`: the day's rounds with `date`, else the month's
/// compliance report.
pub async fn patrol(
    State(app): State<AppState>,
    user: SignedIn,
    headers: HeaderMap,
    query: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|error| ApiError::BadRequest(error.body_text()))?;
    let access = readable(user, ReportKind::Patrol)?;
    match &query.date {
        Some(date) => Ok(Json(day::report(&app, access, date).await?).into_response()),
        None => monthly_report(&app, access, ReportKind::Patrol, &query, &headers).await,
    }
}

/// `GET /api/reports/{kind}`: a monthly report.
pub async fn monthly(
    State(app): State<AppState>,
    user: SignedIn,
    Path(kind): Path<String>,
    headers: HeaderMap,
    query: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let kind = ReportKind::parse(&kind).ok_or(ApiError::NotFound)?;
    let Query(query) = query.map_err(|error| ApiError::BadRequest(error.body_text()))?;
    let access = readable(user, kind)?;
    monthly_report(&app, access, kind, &query, &headers).await
}

/// The reader's access, if their roles read `kind`.
fn readable(user: SignedIn, kind: ReportKind) -> Result<Access, ApiError> {
    let user = user.free_to_work()?;
    if !kind.readable_by(&user.access.roles) {
        return Err(ApiError::ReportForbidden);
    }
    Ok(user.access)
}

async fn monthly_report(
    app: &AppState,
    access: Access,
    kind: ReportKind,
    query: &ReportQuery,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let month: Month = query
        .month
        .as_deref()
        .unwrap_or_default()
        .parse()
        .map_err(|error: reports::month::BadMonth| ApiError::BadRequest(error.to_string()))?;
    let as_csv = query.format.as_deref() == Some("csv")
        || headers
            .get(header::ACCEPT)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|accept| accept.contains("text/csv"));
    if query
        .format
        .as_deref()
        .is_some_and(|format| format != "csv" && format != "json")
    {
        return Err(ApiError::BadRequest("format is csv or json".into()));
    }
    let english = crate::lang::english(query.lang.as_deref(), headers);
    // Reports read many documents: a few at once, and a busy answer beyond.
    let _slot = app.reports.try_acquire().map_err(|_| ApiError::Busy)?;

    let store = app.store.clone();
    let site = access.site.clone();
    let (known, accounts) =
        run_blocking(move || Ok((store.zone_list(&site)?, store.accounts(&site)?))).await?;
    // Disabled ones too: a head who has left still visited this year.
    let heads = accounts
        .into_iter()
        .filter(|account| account.roles.iter().any(|role| role.heads_office()))
        .map(|account| account.username)
        .collect();
    let reachable = |code: &String| access.zones.contains(code);
    let mut zones: Vec<ZoneRef> = known
        .into_iter()
        .filter(|zone| reachable(&zone.code))
        .map(|zone| ZoneRef {
            code: zone.code,
            name: zone.name,
        })
        .collect();
    let asked = match (&query.zone, kind.by_zone()) {
        (None, _) => None,
        (Some(_), false) => {
            return Err(ApiError::BadRequest(format!(
                "the {} report is the whole site's: ask without zone",
                kind.as_str()
            )))
        }
        (Some(code), true) => {
            let zone = zones
                .iter()
                .find(|zone| zone.code == *code)
                .cloned()
                .ok_or(ApiError::ZoneForbidden)?;
            zones = vec![zone.clone()];
            Some(zone)
        }
    };
    let scope = Scope {
        site: access.site.clone(),
        month,
        zones,
        now: chrono::Utc::now().timestamp_millis(),
        heads,
    };
    let store = app.store.clone();
    let report = run_blocking(move || compute(store.as_ref(), kind, &scope, asked)).await?;
    if !as_csv {
        return Ok(Json(report).into_response());
    }
    Ok(csv_response(&report, english))
}

/// Builds `kind`'s report of `scope` from the stored documents (`asked`:
/// the one zone asked for, if any). Blocking: it reads the store.
pub fn compute(
    store: &dyn Store,
    kind: ReportKind,
    scope: &Scope,
    asked: Option<ZoneRef>,
) -> Result<Report, StoreError> {
    let mut documents = Stored {
        store,
        failed: None,
    };
    let report = reports::build(kind, scope, asked, &mut documents);
    match documents.failed {
        Some(error) => Err(error),
        None => Ok(report),
    }
}

/// The report as a CSV download, in the reader's language.
fn csv_response(report: &Report, english: bool) -> Response {
    let (file, body) = report.csv_file(&|label: &str| wording(english, label));
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{file}\""))
        .unwrap_or(HeaderValue::from_static("attachment"));
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response()
}

/// The stored documents a report reads, through their copies; a document
/// nobody wrote is empty.
struct Stored<'a> {
    store: &'a dyn Store,
    failed: Option<StoreError>,
}

impl Documents for Stored<'_> {
    fn with(&mut self, key: &DocKey, read: &mut dyn FnMut(&RecordSource)) -> bool {
        if self.failed.is_some() {
            return true;
        }
        match copies::current(self.store, key) {
            Ok(Some(copy)) => read(&RecordSource::Copy(&copy)),
            Ok(None) => {}
            Err(error) => self.failed = Some(error),
        }
        true
    }
}

/// The wording of a report label (`report_<label>` in the tablet's locale
/// files, the one place Roundbook's wording lives), or the label itself.
fn wording(english: bool, label: &str) -> String {
    static ZH_CN: LazyLock<HashMap<String, String>> =
        LazyLock::new(|| locale(include_str!("../../../frontend/locales/zh-CN.json")));
    static EN: LazyLock<HashMap<String, String>> =
        LazyLock::new(|| locale(include_str!("../../../frontend/locales/en.json")));
    let texts = if english { &EN } else { &ZH_CN };
    texts
        .get(&format!("report_{label}"))
        .cloned()
        .unwrap_or_else(|| label.to_owned())
}

fn locale(json: &str) -> HashMap<String, String> {
    serde_json::from_str(json).expect("the locale files are checked by the frontend's build")
}
