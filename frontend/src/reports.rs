//! Where the tablet's monthly reports come from: the server when it can be
//! reached (it holds every month), else the tablet's own documents, with the
//! same shared computation (`roundbook_shared::reports`).
//!
//! A report computed here is complete only if the tablet holds every
//! document it reads; otherwise it says which it lacks
//! ([`Report::missing`]) and the screen says the month needs the network.
//! It also knows which month-end reports are owed and signed, and records
//! the head's sign-off. It shows nothing.

use chrono::NaiveDate;
use roundbook_shared::domain::{local_date, ZoneRef};
use roundbook_shared::reach;
use roundbook_shared::reports::due::{self, Due};
use roundbook_shared::reports::{self, Documents, Month, Report, ReportKind, Scope};
use roundbook_shared::schema::copy::RecordSource;
use roundbook_shared::schema::report_signoff::{put_signoff, signoffs, ReportSignoff};
use roundbook_shared::schema::{cleaning, DocKey};

use crate::api::{self, ApiError};
use crate::browser;
use crate::documents::Library;
use crate::session::{Actor, Session};
use crate::staff;
use crate::writer::Writer;

/// Where a shown report was computed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Source {
    Server,
    /// With how long the computation took (ms), for the benchmark.
    Tablet {
        millis: f64,
    },
}

/// What to report on: a month, and one zone or every zone of the user's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ask {
    pub kind: ReportKind,
    pub month: Month,
    /// A zone code, or `None` for all the user's zones.
    pub zone: Option<String>,
}

/// The report from the server; from the tablet when the server cannot be
/// reached. Refusals (the role, a bad month) are the server's answer.
pub async fn load(
    session: &Session,
    library: &Library,
    ask: &Ask,
) -> Result<(Report, Source), ApiError> {
    if browser::is_online() {
        match api::report(session.token(), ask.kind, ask.month, ask.zone.as_deref()).await {
            Err(ApiError::Offline) => {}
            answer => return answer.map(|report| (report, Source::Server)),
        }
    }
    let started = js_sys::Date::now();
    let report = compute(session, library, ask, browser::now_ms());
    let millis = js_sys::Date::now() - started;
    Ok((report, Source::Tablet { millis }))
}

/// The report from the tablet's documents as of `now`.
pub fn compute(session: &Session, library: &Library, ask: &Ask, now: i64) -> Report {
    let zones: Vec<ZoneRef> = session
        .zones()
        .iter()
        .filter(|zone| ask.zone.as_ref().is_none_or(|code| *code == zone.code))
        .cloned()
        .collect();
    let asked = ask.zone.as_ref().and_then(|_| zones.first().cloned());
    let scope = Scope {
        site: session.site_code().to_owned(),
        month: ask.month,
        zones,
        now,
        heads: heads(session),
    };
    let mut held = Held {
        library,
        today: local_date(now),
    };
    reports::build(ask.kind, &scope, asked, &mut held)
}

/// The office heads as far as the tablet knows: its copy of the staff
/// directory, and the user if they head the office.
fn heads(session: &Session) -> Vec<String> {
    let mut heads: Vec<String> = staff::cached(session.site_code())
        .into_iter()
        .filter(|member| member.roles.iter().any(|role| role.heads_office()))
        .map(|member| member.username)
        .collect();
    if session.roles().iter().any(|role| role.heads_office())
        && !heads.iter().any(|head| head == session.username())
    {
        heads.push(session.username().to_owned());
    }
    heads
}

/// The tablet's documents as a report reads them.
struct Held<'a> {
    library: &'a Library,
    today: NaiveDate,
}

impl Documents for Held<'_> {
    /// A document the tablet does not hold is known not to exist if the
    /// server's listing covers it (the tablet adds every listed document);
    /// outside the listing only the server can say.
    fn with(&mut self, key: &DocKey, read: &mut dyn FnMut(&RecordSource)) -> bool {
        self.library
            .with_doc(key, |doc| read(&RecordSource::Document(doc)))
            .is_some()
            || reach::is_listed(key, self.today)
    }
}

/// Whether `kind`'s report of `month` is signed, as far as the tablet
/// knows: the head's sign-off, or for cleaning both signatures on the sheet.
pub fn is_signed(library: &Library, site: &str, kind: ReportKind, month: Month) -> bool {
    let day = month.first_day();
    if kind.signed_off() {
        library
            .with_doc(&DocKey::report_month(site, day), |doc| {
                signoffs(doc).is_ok_and(|all| all.iter().any(|signed| signed.id == kind.as_str()))
            })
            .unwrap_or(false)
    } else {
        library
            .with_doc(&DocKey::cleaning_month(site, day), cleaning::is_locked)
            .unwrap_or(false)
    }
}

/// The month-end reports owed today and where each stands.
pub fn owed(library: &Library, site: &str, now: i64) -> Vec<Due> {
    due::owed(local_date(now), &|kind, month| {
        is_signed(library, site, kind, month)
    })
}

/// Why a report was not signed. Nothing changed in any case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignError {
    /// Cleaning is signed on its score sheet; a month not yet over (or, for
    /// the complaint report, before its last day) is not signed.
    NotYet,
    AlreadySigned,
    NotSaved(String),
}

/// Signs `kind`'s report of `month` off, in the name of `actor`.
pub async fn sign(
    writer: &Writer,
    site: &str,
    actor: &Actor,
    kind: ReportKind,
    month: Month,
    now: i64,
) -> Result<(), SignError> {
    let ready = due::ready_from(kind, month).is_some_and(|first| local_date(now) >= first);
    if !kind.signed_off() || !ready {
        return Err(SignError::NotYet);
    }
    let library = writer.library();
    if is_signed(library, site, kind, month) {
        return Err(SignError::AlreadySigned);
    }
    let key = DocKey::report_month(site, month.first_day());
    library
        .add(key.clone())
        .await
        .map_err(|error| SignError::NotSaved(error.to_string()))?;
    let signoff = ReportSignoff {
        id: kind.as_str().to_owned(),
        signed_by: actor.username.clone(),
        signed_by_name: actor.name.clone(),
        device: actor.device.clone(),
        signed_at: now,
    };
    writer
        .edit(key.document_id(), |doc| put_signoff(doc, &signoff))
        .await
        .map_err(|error| SignError::NotSaved(error.to_string()))
}
