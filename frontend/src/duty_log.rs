//! The duty log on the tablet (《值班记录表》): a month's lines (the site's
//! duty-log entries and every request taken, read from the request logs
//! this tablet holds), writing an entry, the supervisor's daily sign-off
//! and the head's spot-checks, offline.
//!
//! Entries, sign-offs and checks live in the site's duty log of the month
//! they concern (`DocKey::duty_log`): a day's sign-off and a line's check go
//! into the month of that day, whenever they are written. What the lines add
//! up to is `roundbook_shared::duty_log`; the screen is `ui::duty`.

use chrono::NaiveDate;
use roundbook_shared::domain::{is_resident_phone, local_date, Role};
use roundbook_shared::duty_log::{self, CheckRefusal, DayState, Line, SignoffRefusal};
use roundbook_shared::schema::duty::{DaySignoff, DutyEntry, SpotCheck, Topic};
use roundbook_shared::schema::request::Request;
use roundbook_shared::schema::{list, DocKey, DocKind, Period, Record};

use crate::documents::{EditError, Library};
use crate::session::Actor;
use crate::writer::Writer;

/// Why an entry, a sign-off or a check was not recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DutyError {
    WhatNeeded,
    BadPhone,
    TextTooLong,
    /// A line found wanting says what is wrong.
    NoteNeeded,
    Signoff(SignoffRefusal),
    Check(CheckRefusal),
    NotFound,
    Busy,
    NotSaved(String),
}

impl From<EditError<DutyError>> for DutyError {
    fn from(error: EditError<DutyError>) -> Self {
        match error {
            EditError::Refused(error) => error,
            EditError::NotHeld => DutyError::NotFound,
            EditError::Busy => DutyError::Busy,
            EditError::Storage(error) => DutyError::NotSaved(error.to_string()),
            EditError::Unloadable(reason) => DutyError::NotSaved(reason),
        }
    }
}

/// What the entry form filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryDraft {
    pub topic: Topic,
    pub zone: String,
    pub unit_label: String,
    pub caller: String,
    pub phone: String,
    pub what: String,
    pub outcome: String,
}

/// One month of the log as this tablet holds it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Month {
    /// The month's first day.
    pub first: Option<NaiveDate>,
    pub lines: Vec<Line>,
    pub signoffs: Vec<DaySignoff>,
}

impl Month {
    /// The lines of `day`.
    pub fn day(&self, day: NaiveDate) -> Vec<Line> {
        duty_log::of_day(&self.lines, day)
    }

    /// Where `day`'s sign-off stands.
    pub fn day_state(&self, day: NaiveDate) -> DayState {
        duty_log::day_state(day, self.day(day).len(), &self.signoffs)
    }

    /// How much of the month the head has checked.
    pub fn rate(&self) -> duty_log::CheckRate {
        let Some(first) = self.first else {
            return duty_log::CheckRate::default();
        };
        let next = Period::Month.next(first).unwrap_or(first);
        duty_log::rate(&self.lines, first, next)
    }
}

/// The month holding `day`: the duty log's entries, sign-offs and checks,
/// and the requests of every request log of that month this tablet holds.
pub fn month(library: &Library, day: NaiveDate) -> Month {
    let first = Period::Month.start(day);
    let (mut entries, mut signoffs, mut checks) = (Vec::new(), Vec::new(), Vec::new());
    let mut requests: Vec<Request> = Vec::new();
    for key in library
        .held_keys()
        .into_iter()
        .filter(|key| key.date == first)
    {
        match key.kind {
            DocKind::DutyLog => library.with_doc(&key, |doc| {
                entries.extend(list::<DutyEntry>(doc).unwrap_or_default());
                signoffs.extend(list::<DaySignoff>(doc).unwrap_or_default());
                checks.extend(list::<SpotCheck>(doc).unwrap_or_default());
            }),
            DocKind::RequestLog => library.with_doc(&key, |doc| {
                requests.extend(list::<Request>(doc).unwrap_or_default());
            }),
            _ => None,
        };
    }
    Month {
        first,
        lines: duty_log::lines(&entries, &requests, &checks),
        signoffs,
    }
}

fn new_id(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

/// The entry a form asks for, refusing a form that misses what it needs.
fn entry_of(draft: &EntryDraft, actor: &Actor, now: i64) -> Result<DutyEntry, DutyError> {
    let phone = draft.phone.trim();
    if draft.what.trim().is_empty() {
        return Err(DutyError::WhatNeeded);
    }
    if !phone.is_empty() && !is_resident_phone(phone) {
        return Err(DutyError::BadPhone);
    }
    let entry = DutyEntry {
        id: new_id("de"),
        topic: draft.topic.as_str().to_owned(),
        zone: draft.zone.trim().to_owned(),
        unit_label: draft.unit_label.trim().to_owned(),
        caller: draft.caller.trim().to_owned(),
        phone: phone.to_owned(),
        what: draft.what.trim().to_owned(),
        outcome: draft.outcome.trim().to_owned(),
        at: now,
        by: actor.username.clone(),
        by_name: actor.name.clone(),
        device: actor.device.clone(),
    };
    entry.validate().map_err(|_| DutyError::TextTooLong)?;
    Ok(entry)
}

/// Stores `record` in the duty log of the month holding `day`, making the
/// log on this tablet if it has none yet.
async fn store<R: Record>(
    writer: &Writer,
    site: &str,
    day: NaiveDate,
    record: &R,
    now: i64,
) -> Result<(), DutyError> {
    let key = DocKey::duty_log(site, day);
    writer
        .put_into(&key, record, now, |error| {
            DutyError::NotSaved(error.to_string())
        })
        .await?;
    Ok(())
}

/// Writes an entry in today's log.
pub async fn add_entry(
    writer: &Writer,
    site: &str,
    draft: &EntryDraft,
    actor: &Actor,
    now: i64,
) -> Result<DutyEntry, DutyError> {
    let entry = entry_of(draft, actor, now)?;
    store(writer, site, local_date(now), &entry, now).await?;
    Ok(entry)
}

/// Signs `day` off, with the number of lines it holds now.
pub async fn sign_day(
    writer: &Writer,
    site: &str,
    roles: &[Role],
    day: NaiveDate,
    actor: &Actor,
    now: i64,
) -> Result<DaySignoff, DutyError> {
    let month = month(writer.library(), day);
    let state = month.day_state(day);
    duty_log::check_signoff(roles, day, local_date(now), &state).map_err(DutyError::Signoff)?;
    let signoff = DaySignoff {
        id: new_id("ds"),
        day: day.format("%Y-%m-%d").to_string(),
        lines_seen: month.day(day).len() as u32,
        note: String::new(),
        signed_at: now,
        by: actor.username.clone(),
        by_name: actor.name.clone(),
        device: actor.device.clone(),
    };
    store(writer, site, day, &signoff, now).await?;
    Ok(signoff)
}

/// Records the head's check of the line `line_id` of `day`.
#[allow(clippy::too_many_arguments)]
pub async fn spot_check(
    writer: &Writer,
    site: &str,
    roles: &[Role],
    day: NaiveDate,
    line_id: &str,
    (in_order, note): (bool, &str),
    actor: &Actor,
    now: i64,
) -> Result<SpotCheck, DutyError> {
    let lines = month(writer.library(), day).day(day);
    let line = lines
        .iter()
        .find(|line| line.id() == line_id)
        .ok_or(DutyError::NotFound)?;
    duty_log::check_spot(roles, line).map_err(DutyError::Check)?;
    if !in_order && note.trim().is_empty() {
        return Err(DutyError::NoteNeeded);
    }
    let check = SpotCheck {
        id: new_id("sc"),
        line_id: line_id.to_owned(),
        in_order,
        note: note.trim().to_owned(),
        checked_at: now,
        by: actor.username.clone(),
        by_name: actor.name.clone(),
        device: actor.device.clone(),
    };
    check.validate().map_err(|_| DutyError::TextTooLong)?;
    store(writer, site, day, &check, now).await?;
    Ok(check)
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

    fn draft() -> EntryDraft {
        EntryDraft {
            topic: Topic::Delivery,
            zone: "A".into(),
            unit_label: " 3栋501 ".into(),
            caller: String::new(),
            phone: String::new(),
            what: "代收快递一件".into(),
            outcome: String::new(),
        }
    }

    #[wasm_bindgen_test]
    fn a_form_missing_what_an_entry_needs_is_refused() {
        let entry = entry_of(&draft(), &actor(), NOW).unwrap();
        assert_eq!(
            (entry.topic.as_str(), entry.unit_label.as_str()),
            ("delivery", "3栋501")
        );
        let cases = [
            (
                EntryDraft {
                    what: " ".into(),
                    ..draft()
                },
                DutyError::WhatNeeded,
            ),
            (
                EntryDraft {
                    phone: "12ab".into(),
                    ..draft()
                },
                DutyError::BadPhone,
            ),
            (
                EntryDraft {
                    outcome: "很".repeat(501),
                    ..draft()
                },
                DutyError::TextTooLong,
            ),
        ];
        for (form, error) in cases {
            assert_eq!(entry_of(&form, &actor(), NOW), Err(error), "{form:?}");
        }
    }
}
