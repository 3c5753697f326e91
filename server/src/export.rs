//! The office head's export: every record of a date range in the head's
//! site, as a zip of CSV files, one per record type, and with `photos=1`
//! the photos they refer to (`GET /api/export`). `roundbook-server export`
//! writes the same zip from the command line.
//!
//! Reads stored documents only (what the server has acknowledged) and the
//! photos the head may read; it never writes to the database. Only the
//! office head may ask: the file carries residents' full phone numbers,
//! which no other role's screen shows unmasked. Which fields a record has
//! is its type's business (`schema::export`): nothing here names one.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};

use automerge::Automerge;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use chrono::{Months, NaiveDate};
use serde::Deserialize;
use serde_json::Value;

use roundbook_shared::domain::{local_date, local_datetime, PERSONAL_DATA_LINE};
use roundbook_shared::reach;
use roundbook_shared::schema::export::{record_type, Row};
use roundbook_shared::schema::receipt::{receipts, Receipt};
use roundbook_shared::schema::{Container, DocKey, DocKind, Period};

use crate::access::Access;
use crate::blobs::SITE_BLOBS;
use crate::error::ApiError;
use crate::hub;
use crate::signin::SignedIn;
use crate::state::AppState;
use crate::store::{run_blocking, BlobRef, Store, StoreError};

/// The longest range one export covers: a year, leap day included. It
/// bounds what one request reads (about 3,700 patrol days for ten zones)
/// and the size of the file an office mails on.
pub const MAX_DAYS: i64 = 366;

/// How far before the range month and quarter documents are read: a
/// request's later workflow events live in the month it was made, and
/// tablets keep adding to the documents of the last 12 months.
const LOOKBACK_MONTHS: u32 = 12;

/// The first columns of every CSV, before the record's own fields.
const LEADING_COLUMNS: [&str; 5] = [
    "record_id",
    "doc_zone",
    "doc_period",
    "author",
    "device_time",
];
/// After them, in the CSVs of kinds the server stamps with receipts.
const RECEIPT_COLUMNS: [&str; 2] = ["server_time", "server_clock_skew_ms"];

/// Why a date range was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    #[error("{0:?} is not a date: expected YYYY-MM-DD")]
    NotADate(String),
    #[error("the range ends before it starts")]
    Reversed,
    #[error("a range may cover at most {MAX_DAYS} days")]
    TooLong,
}

/// The days an export covers, both ends included (site-local dates).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Range {
    pub fn parse(from: &str, to: &str) -> Result<Range, RangeError> {
        let date = |text: &str| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map_err(|_| RangeError::NotADate(text.chars().take(32).collect()))
        };
        let (from, to) = (date(from)?, date(to)?);
        if to < from {
            return Err(RangeError::Reversed);
        }
        if (to - from).num_days() >= MAX_DAYS {
            return Err(RangeError::TooLong);
        }
        Ok(Range { from, to })
    }

    fn contains(&self, date: NaiveDate) -> bool {
        (self.from..=self.to).contains(&date)
    }

    /// Whether a document's period shares a day with the range (a
    /// document without one always does).
    fn overlaps(&self, key: &DocKey) -> bool {
        let Some(start) = key.date else { return true };
        let end = key.kind.period().next(start).unwrap_or(start);
        start <= self.to && end > self.from
    }

    /// The documents to read, from the site's catalog: those whose period
    /// overlaps the range, the day before and after it (a night round's
    /// records), and month and quarter documents of the lookback.
    fn reads(&self, key: &DocKey) -> bool {
        let Some(start) = key.date else { return true };
        match key.kind.period() {
            Period::None => true,
            Period::Day => {
                start >= self.from.pred_opt().unwrap_or(self.from)
                    && start <= self.to.succ_opt().unwrap_or(self.to)
            }
            Period::Month | Period::Quarter => start >= self.lookback() && start <= self.to,
        }
    }

    /// The first day of the quarter [`LOOKBACK_MONTHS`] before the range:
    /// month and quarter documents starting then or later are read.
    fn lookback(&self) -> NaiveDate {
        self.from
            .checked_sub_months(Months::new(LOOKBACK_MONTHS))
            .and_then(|back| Period::Quarter.start(back))
            .unwrap_or(self.from)
    }

    /// `roundbook-<site>-<from>-<to>.zip`; the site code keeps only
    /// characters that are safe in a file name and a header.
    pub fn file_name(&self, site: &str) -> String {
        let site: String = site
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        format!("roundbook-{site}-{}-{}.zip", self.from, self.to)
    }
}

/// Why an export failed (after its range was accepted).
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("writing the export: {0}")]
    Io(#[from] std::io::Error),
    #[error("writing the zip: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("writing a CSV file: {0}")]
    Csv(#[from] csv::Error),
}

impl From<ExportError> for ApiError {
    fn from(error: ExportError) -> Self {
        ApiError::Internal(error.to_string())
    }
}

/// What a zip holds: each CSV file with its count of rows, and the photos.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub files: Vec<(String, usize)>,
    pub photos: usize,
    /// Photos a record refers to that the server does not hold (not yet
    /// uploaded by the tablet).
    pub photos_missing: usize,
    /// Stored documents that did not load (logged; their records are absent).
    pub unreadable_documents: usize,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (name, rows) in &self.files {
            writeln!(f, "{name}: {rows} rows")?;
        }
        write!(f, "photos: {}", self.photos)?;
        if self.photos_missing > 0 {
            write!(f, " ({} not on the server yet)", self.photos_missing)?;
        }
        if self.unreadable_documents > 0 {
            write!(
                f,
                "\n{} stored documents did not load (see the log)",
                self.unreadable_documents
            )?;
        }
        Ok(())
    }
}

#[derive(Deserialize)]
pub struct ExportQuery {
    from: String,
    to: String,
    photos: Option<String>,
}

/// `GET /api/export?from=YYYY-MM-DD&to=YYYY-MM-DD[&photos=1]`: the zip,
/// for the office head only. It is built in a temporary file on the
/// blocking pool and streamed from there, so memory stays flat whatever the
/// photos weigh.
pub async fn download(
    State(app): State<AppState>,
    user: SignedIn,
    query: Result<Query<ExportQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let access = user.access;
    // Before anything is read.
    if !access.roles.iter().any(|role| role.heads_office()) {
        return Err(ApiError::RoleForbidden);
    }
    let Query(query) = query.map_err(|_| {
        ApiError::BadDateRange("expected ?from=YYYY-MM-DD&to=YYYY-MM-DD[&photos=1]".into())
    })?;
    let range =
        Range::parse(&query.from, &query.to).map_err(|e| ApiError::BadDateRange(e.to_string()))?;
    let photos = match query.photos.as_deref() {
        None | Some("0") => false,
        Some("1") => true,
        Some(_) => return Err(ApiError::BadRequest("photos is 0 or 1".into())),
    };
    let file_name = range.file_name(&access.site);
    let store = app.store.clone();
    let username = access.username.clone();
    let (file, summary) = run_blocking(move || {
        Ok((|| {
            let mut file = tempfile::tempfile()?;
            let summary = write_zip(store.as_ref(), &access, range, photos, &mut file)?;
            file.seek(SeekFrom::Start(0))?;
            Ok::<_, ExportError>((file, summary))
        })())
    })
    .await??;
    tracing::info!(user = %username, from = %range.from, to = %range.to, photos = summary.photos, "exported");
    let length = file.metadata().map_err(ExportError::from)?.len();
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(
        tokio::fs::File::from_std(file),
    ));
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\""))
        .map_err(|error| ApiError::Internal(error.to_string()))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/zip"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CONTENT_LENGTH, HeaderValue::from(length)),
            // Personal data: no cache keeps a copy.
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response())
}

/// Writes the zip of `access`'s site for `range` to `out`: reads each
/// document of the range once, writes each record type's rows to a CSV in
/// a temporary file as it goes, then puts the CSVs and (with `photos`) the
/// photos into the zip one after another. Memory holds one document and
/// one photo at a time, never the whole export.
pub fn write_zip<W: Write + Seek>(
    store: &dyn Store,
    access: &Access,
    range: Range,
    photos: bool,
    out: W,
) -> Result<Summary, ExportError> {
    let mut summary = Summary::default();
    let mut tables: BTreeMap<usize, Table> = BTreeMap::new();
    // Hash → the blob zone it was referred to from.
    let mut blobs: BTreeMap<String, String> = BTreeMap::new();
    let mut keys: Vec<DocKey> = store
        .documents(
            &access.site,
            range.from.pred_opt().unwrap_or(range.from),
            range.lookback(),
        )?
        .into_iter()
        .filter(|key| access.allows(key) && range.reads(key))
        .collect();
    keys.sort_by(|a, b| (a.kind, &a.zone, a.date).cmp(&(b.kind, &b.zone, b.date)));
    for key in &keys {
        let Some(doc) = hub::load_stored(store, key, &mut summary.unreadable_documents)? else {
            continue;
        };
        let overlaps = range.overlaps(key);
        for container in key.kind.containers() {
            let Ok(rows) = record_type(container).rows(&doc) else {
                tracing::warn!(id = %key.document_id(), ?container, "a container does not read");
                continue;
            };
            let kept: Vec<Row> = rows
                .into_iter()
                .filter(|row| match row.made_at {
                    Some(at) => range.contains(local_date(at)),
                    None => overlaps,
                })
                .collect();
            if kept.is_empty() {
                continue;
            }
            let stamped = stamped(&doc, container);
            let index = Container::ALL
                .iter()
                .position(|known| *known == container)
                .expect("a container is in ALL");
            let table = match tables.entry(index) {
                std::collections::btree_map::Entry::Occupied(table) => table.into_mut(),
                std::collections::btree_map::Entry::Vacant(slot) => {
                    slot.insert(Table::new(container, container.receipted(), &kept[0])?)
                }
            };
            for row in &kept {
                table.write(key, row, stamped.get(&row.id))?;
                let zone = if key.kind.site_wide() {
                    SITE_BLOBS
                } else {
                    &key.zone
                };
                for hash in &row.blobs {
                    blobs.entry(hash.clone()).or_insert_with(|| zone.to_owned());
                }
            }
        }
    }

    let mut zip = zip::ZipWriter::new(out);
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for table in tables.into_values() {
        let (name, rows, mut file) = table.finish()?;
        zip.start_file(&name, deflated)?;
        std::io::copy(&mut file, &mut zip)?;
        summary.files.push((name, rows));
    }
    if photos {
        // Photos are compressed already.
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for (hash, zone) in blobs {
            if !may_read_blob(access, &zone) {
                continue;
            }
            let blob = BlobRef {
                site: access.site.clone(),
                zone,
                hash,
            };
            let Some((content_type, bytes)) = store.blob(&blob)? else {
                summary.photos_missing += 1;
                continue;
            };
            zip.start_file(
                format!("photos/{}.{}", blob.hash, extension(&content_type)),
                stored,
            )?;
            zip.write_all(&bytes)?;
            summary.photos += 1;
        }
    }
    zip.finish()?.flush()?;
    Ok(summary)
}

/// The server's receipts of a container, for the containers it stamps.
fn stamped(doc: &Automerge, container: Container) -> HashMap<String, Receipt> {
    if !container.receipted() {
        return HashMap::new();
    }
    receipts(doc, container).unwrap_or_default()
}

/// The same rule as downloading one photo (`blobs`).
fn may_read_blob(access: &Access, zone: &str) -> bool {
    if zone == SITE_BLOBS {
        reach::reads(&access.roles, DocKind::CleaningMonth)
    } else {
        access.zones.iter().any(|held| held == zone)
    }
}

fn extension(content_type: &str) -> &'static str {
    match content_type {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        _ => "bin",
    }
}

/// One record type's CSV, written to a temporary file as rows come.
struct Table {
    name: String,
    receipts: bool,
    /// The record's own fields, in the order of its first row (serde's, by
    /// name): every record of a type serializes the same fields.
    fields: Vec<String>,
    rows: usize,
    csv: csv::Writer<BufWriter<File>>,
}

impl Table {
    fn new(container: Container, receipts: bool, first: &Row) -> Result<Table, ExportError> {
        let mut file = BufWriter::new(tempfile::tempfile()?);
        // A byte-order mark, so Excel reads the file as UTF-8 (Chinese text).
        file.write_all("\u{feff}".as_bytes())?;
        let personal = record_type(container).personal;
        if personal {
            writeln!(file, "{PERSONAL_DATA_LINE}")?;
        }
        let mut csv = csv::Writer::from_writer(file);
        let fields: Vec<String> = first
            .fields
            .keys()
            .filter(|field| *field != "id")
            .cloned()
            .collect();
        let header = LEADING_COLUMNS
            .iter()
            .copied()
            .chain(receipts.then_some(RECEIPT_COLUMNS).into_iter().flatten())
            .chain(fields.iter().map(String::as_str));
        csv.write_record(header)?;
        Ok(Table {
            name: format!(
                "{}{}.csv",
                container.name(),
                if personal { "-personal" } else { "" }
            ),
            receipts,
            fields,
            rows: 0,
            csv,
        })
    }

    fn write(&mut self, key: &DocKey, row: &Row, receipt: Option<&Receipt>) -> csv::Result<()> {
        let time = |at: i64| local_datetime(at).format("%Y-%m-%d %H:%M:%S").to_string();
        let mut record = vec![
            row.id.clone(),
            key.zone.clone(),
            key.period().unwrap_or_default(),
            row.author.clone().unwrap_or_default(),
            row.made_at.map(time).unwrap_or_default(),
        ];
        if self.receipts {
            record.push(receipt.map(|r| time(r.received_at)).unwrap_or_default());
            record.push(
                receipt
                    .and_then(|r| r.clock_skew_ms)
                    .map(|skew| skew.to_string())
                    .unwrap_or_default(),
            );
        }
        record.extend(
            self.fields
                .iter()
                .map(|field| row.fields.get(field).map(cell).unwrap_or_default()),
        );
        self.rows += 1;
        self.csv.write_record(record)
    }

    fn finish(self) -> Result<(String, usize, File), ExportError> {
        let mut file = self
            .csv
            .into_inner()
            .map_err(|error| ExportError::Io(error.into_error()))?
            .into_inner()
            .map_err(|error| ExportError::Io(error.into_error()))?;
        file.seek(SeekFrom::Start(0))?;
        Ok((self.name, self.rows, file))
    }
}

/// A field as one cell: text as it is, numbers and booleans as JSON writes
/// them, lists joined with `;`, anything nested as JSON text.
fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::Array(_) | Value::Object(_) => item.to_string(),
                scalar => cell(scalar),
            })
            .collect::<Vec<_>>()
            .join(";"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_range_is_a_year_at_most_and_in_order() {
        let year = Range::parse("2024-01-01", "2024-12-31").unwrap();
        assert_eq!(
            year.file_name("demo"),
            "roundbook-demo-2024-01-01-2024-12-31.zip"
        );
        assert_eq!(
            Range::parse("2024-01-01", "2025-01-01"),
            Err(RangeError::TooLong)
        );
        assert_eq!(
            Range::parse("2026-11-02", "2026-11-01"),
            Err(RangeError::Reversed)
        );
        assert!(matches!(
            Range::parse("2026-11-31", "2026-12-01"),
            Err(RangeError::NotADate(_))
        ));
        assert_eq!(
            year.file_name("de\"mo/.."),
            "roundbook-demo-2024-01-01-2024-12-31.zip"
        );
    }

    #[test]
    fn documents_overlapping_or_holding_later_records_are_read() {
        let range = Range::parse("2026-11-10", "2026-11-20").unwrap();
        let patrol = |d| DocKey::patrol_log("demo", "A", day(d));
        assert!(range.reads(&patrol("2026-11-09")));
        assert!(!range.reads(&patrol("2026-11-08")));
        assert!(range.reads(&patrol("2026-11-21")));
        assert!(!range.reads(&patrol("2026-11-22")));
        assert!(range.overlaps(&patrol("2026-11-10")));
        assert!(!range.overlaps(&patrol("2026-11-09")));
        let requests = |d| DocKey::request_log("demo", "A", day(d));
        assert!(range.overlaps(&requests("2026-11-01")));
        assert!(!range.overlaps(&requests("2026-10-01")));
        assert!(
            range.reads(&requests("2025-11-01")),
            "a request's later events"
        );
        assert!(!range.reads(&requests("2026-12-01")));
        assert!(range.reads(&DocKey::resident_directory("demo", "A")));
        assert!(range.overlaps(&DocKey::cleaning_setup("demo")));
    }

    #[test]
    fn cells_flatten_lists_and_keep_nested_objects_as_json() {
        assert_eq!(cell(&serde_json::json!("东区")), "东区");
        assert_eq!(cell(&serde_json::json!(null)), "");
        assert_eq!(cell(&serde_json::json!(42)), "42");
        assert_eq!(cell(&serde_json::json!(true)), "true");
        assert_eq!(cell(&serde_json::json!(["a", "b", 3])), "a;b;3");
        assert_eq!(cell(&serde_json::json!([{"id": "x"}])), r#"{"id":"x"}"#);
        assert_eq!(cell(&serde_json::json!({"n": 1})), r#"{"n":1}"#);
    }
}
