//! The tablet's side of cleaning: templates, inspections, marks,
//! rectifications, the month's score sheet and its signatures.
//!
//! Reads go through [`Library::with_doc`]; every write is one durable
//! [`Writer::edit`] of the site-wide setup or month document (which tells
//! sync), checked by the shared schema (`put_*` refuses a locked month, a bad
//! mark, a second signature of a party).
//! It must not hold score rules (those are `roundbook_shared::score`) or views.

use chrono::{Months, NaiveDate};
use roundbook_shared::domain::local_date;
use roundbook_shared::ids::DocumentId;
use roundbook_shared::schema::cleaning::{
    self as schema, current_template, default_deadline, inspection_id, mark_id, month_template_id,
    put_inspection, put_mark, put_rectification, put_signature, rectification_id, Inspection, Mark,
    Rectification, Signature, Template, KIND_REINSPECTION, KIND_ROUTINE, OUTCOME_DEDUCTED,
    OUTCOME_FULL, OUTCOME_NA, PARTY_SUPERVISOR, PARTY_VENDOR, STATUS_CLOSED, STATUS_OPEN,
};
use roundbook_shared::schema::finding::MAX_PHOTOS;
use roundbook_shared::schema::{Container, DocKey, Record, SchemaError};
use roundbook_shared::score::{self, Sheet};

use crate::blobs::Blobs;
use crate::documents::{EditError, Library};
use crate::session::Actor;
use crate::writer::Writer;

/// The blob zone of site-wide photos and signature images.
pub const SITE_BLOBS: &str = "_site";

/// Why a cleaning record was not written. Nothing was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CleaningError {
    /// The month is signed by both parties.
    Locked,
    /// Deducted points are 0 or above the item's maximum.
    PointsInvalid,
    /// A deduction without a reason.
    ReasonRequired,
    TooManyPhotos,
    /// The area or item is not in the month's template.
    UnknownItem,
    /// The rectification is not in the month (or already closed).
    NotFound,
    /// A failed re-inspection's new deadline is not in the future.
    DeadlineInvalid,
    /// The signer's name is empty.
    NameRequired,
    /// The pad is empty.
    NoSignature,
    /// Signing has not opened yet ([`signing_opens`]).
    TooEarly,
    /// The party has signed already.
    AlreadySigned,
    /// The template does not validate.
    TemplateInvalid,
    /// Another change to the same document is being saved.
    Busy,
    /// The change was refused for another reason (message for logs).
    Invalid(String),
    /// The tablet could not store it.
    NotSaved(String),
}

impl From<EditError<CleaningError>> for CleaningError {
    fn from(error: EditError<CleaningError>) -> Self {
        match error {
            EditError::Refused(error) => error,
            EditError::NotHeld => CleaningError::NotSaved("not held".into()),
            EditError::Busy => CleaningError::Busy,
            EditError::Storage(error) => CleaningError::NotSaved(error.to_string()),
            EditError::Unloadable(reason) => CleaningError::Invalid(reason),
        }
    }
}

/// The refusal behind a shared schema error: the two a screen explains, or
/// the schema's words for the log.
fn invalid(error: SchemaError) -> CleaningError {
    match error {
        SchemaError::Locked => CleaningError::Locked,
        SchemaError::Exists {
            records: Container::Signatures,
            ..
        } => CleaningError::AlreadySigned,
        other => CleaningError::Invalid(other.to_string()),
    }
}

// The month's calendar (first and last day, when signing opens, when the
// sheet is due, when its score is final) is the shared score rule's.
pub use roundbook_shared::score::{due_date, may_sign, month_is_final, month_start, signing_opens};

/// The `count` months ending with the month of `today`, oldest first.
pub fn last_months(today: NaiveDate, count: u32) -> Vec<NaiveDate> {
    let this = month_start(today);
    (0..count)
        .rev()
        .filter_map(|back| this.checked_sub_months(Months::new(back)))
        .collect()
}

/// Everything a screen shows of one month.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthView {
    pub month: NaiveDate,
    /// The version the month is scored with.
    pub template: Template,
    pub inspections: Vec<Inspection>,
    pub marks: Vec<Mark>,
    pub rectifications: Vec<Rectification>,
    pub signatures: Vec<Signature>,
    pub locked: bool,
    pub sheet: Sheet,
}

impl MonthView {
    pub fn signature(&self, party: &str) -> Option<&Signature> {
        self.signatures.iter().find(|s| s.party == party)
    }

    pub fn inspection(&self, id: &str) -> Option<&Inspection> {
        self.inspections.iter().find(|i| i.id == id)
    }

    /// Marks of one inspection.
    pub fn marks_of<'a>(&'a self, inspection: &'a str) -> impl Iterator<Item = &'a Mark> + 'a {
        self.marks
            .iter()
            .filter(move |m| m.inspection_id == inspection)
    }
}

/// The current template of the site (the built-in default without a setup).
pub fn current(library: &Library, site: &str) -> Template {
    library
        .with_doc(&DocKey::cleaning_setup(site), current_template)
        .unwrap_or_else(schema::default_template)
}

/// All published versions, newest first (the default when none).
pub fn versions(library: &Library, site: &str) -> Vec<Template> {
    let mut list = library
        .with_doc(&DocKey::cleaning_setup(site), |doc| {
            schema::templates(doc).unwrap_or_default()
        })
        .unwrap_or_default();
    list.sort_by(|a, b| {
        (b.version, b.published_at, &b.id).cmp(&(a.version, a.published_at, &a.id))
    });
    if list.is_empty() {
        list.push(schema::default_template());
    }
    list
}

/// The month's view, if the tablet holds the month.
pub fn month(library: &Library, site: &str, day: NaiveDate) -> Option<MonthView> {
    let key = DocKey::cleaning_month(site, day);
    let (pinned, inspections, marks, rectifications, signatures, locked) =
        library.with_doc(&key, |doc| {
            (
                month_template_id(doc),
                schema::inspections(doc).unwrap_or_default(),
                schema::marks(doc).unwrap_or_default(),
                schema::rectifications(doc).unwrap_or_default(),
                schema::signatures(doc).unwrap_or_default(),
                schema::is_locked(doc),
            )
        })?;
    let template = library
        .with_doc(&DocKey::cleaning_setup(site), |setup| {
            score::month_template(Some(setup), pinned.as_deref())
        })
        .unwrap_or_else(|| score::month_template(None::<&automerge::Automerge>, pinned.as_deref()));
    let sheet = score::month_sheet(&template, &inspections, &marks);
    Some(MonthView {
        month: month_start(day),
        template,
        inspections,
        marks,
        rectifications,
        signatures,
        locked,
        sheet,
    })
}

async fn open_month(
    library: &Library,
    site: &str,
    day: NaiveDate,
) -> Result<DocumentId, CleaningError> {
    let key = DocKey::cleaning_month(site, day);
    library
        .add(key.clone())
        .await
        .map_err(|error| CleaningError::NotSaved(error.to_string()))?;
    Ok(key.document_id())
}

/// Starts today's routine inspection of an area, or joins it (same id on
/// every tablet).
pub async fn start_inspection(
    writer: &Writer,
    site: &str,
    actor: &Actor,
    area_id: &str,
    now: i64,
) -> Result<(DocumentId, Inspection), CleaningError> {
    let library = writer.library();
    let today = local_date(now);
    let id = open_month(library, site, today).await?;
    let template = month(library, site, today)
        .map(|view| view.template)
        .unwrap_or_else(|| current(library, site));
    if template.area(area_id).is_none() {
        return Err(CleaningError::UnknownItem);
    }
    let inspection = Inspection {
        id: inspection_id(area_id, today),
        area_id: area_id.into(),
        date: today.to_string(),
        template_id: template.id.clone(),
        kind: KIND_ROUTINE.into(),
        rectification_id: String::new(),
        started_by: actor.username.clone(),
        started_by_name: actor.name.clone(),
        device: actor.device.clone(),
        started_at: now,
    };
    writer
        .edit(id, |doc| put_inspection(doc, &inspection).map_err(invalid))
        .await?;
    Ok((id, inspection))
}

/// What the mark form filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkDraft {
    pub outcome: &'static str,
    pub deduction: u32,
    pub reason: String,
    pub photos: Vec<String>,
}

/// Checks a mark against the item's maximum (the form's first check; the
/// schema checks again).
pub fn check_mark(draft: &MarkDraft, max_score: u32) -> Result<(), CleaningError> {
    if draft.photos.len() > MAX_PHOTOS {
        return Err(CleaningError::TooManyPhotos);
    }
    if draft.outcome == OUTCOME_DEDUCTED {
        if draft.deduction == 0 || draft.deduction > max_score {
            return Err(CleaningError::PointsInvalid);
        }
        if draft.reason.trim().is_empty() {
            return Err(CleaningError::ReasonRequired);
        }
    } else if ![OUTCOME_FULL, OUTCOME_NA].contains(&draft.outcome) {
        return Err(CleaningError::Invalid(draft.outcome.into()));
    }
    Ok(())
}

/// Records the actor's mark of an item of an inspection; a deduction opens
/// the item's rectification (one per inspection and item) in the same change.
pub async fn save_mark(
    writer: &Writer,
    site: &str,
    actor: &Actor,
    inspection: &Inspection,
    item_id: &str,
    draft: &MarkDraft,
    now: i64,
) -> Result<DocumentId, CleaningError> {
    let library = writer.library();
    let date: NaiveDate = inspection
        .date
        .parse()
        .map_err(|_| CleaningError::Invalid("inspection date".into()))?;
    let view = month(library, site, date).ok_or(CleaningError::NotFound)?;
    if view.locked {
        return Err(CleaningError::Locked);
    }
    let item = view
        .template
        .item(&inspection.area_id, item_id)
        .ok_or(CleaningError::UnknownItem)?
        .clone();
    check_mark(draft, item.max_score)?;
    let deducted = draft.outcome == OUTCOME_DEDUCTED;
    let mark = Mark {
        id: mark_id(&inspection.id, item_id, &actor.username),
        inspection_id: inspection.id.clone(),
        area_id: inspection.area_id.clone(),
        item_id: item_id.into(),
        by: actor.username.clone(),
        by_name: actor.name.clone(),
        device: actor.device.clone(),
        at: now,
        outcome: draft.outcome.into(),
        deduction: if deducted { draft.deduction } else { 0 },
        reason: if deducted {
            draft.reason.trim().into()
        } else {
            String::new()
        },
        photos: draft.photos.clone(),
    };
    let rectification = Rectification {
        id: rectification_id(&inspection.id, item_id),
        inspection_id: inspection.id.clone(),
        area_id: inspection.area_id.clone(),
        item_id: item_id.into(),
        reason: mark.reason.clone(),
        opened_at: now,
        deadline: default_deadline(date),
        status: STATUS_OPEN.into(),
        reinspection_id: String::new(),
        closed_at: 0,
        result_note: String::new(),
    };
    let id = DocKey::cleaning_month(site, date).document_id();
    writer
        .edit(id, |doc| {
            put_mark(doc, &mark, item.max_score).map_err(invalid)?;
            let exists = schema::rectifications(doc)
                .map_err(invalid)?
                .iter()
                .any(|r| r.id == rectification.id);
            if deducted && !exists {
                put_rectification(doc, &rectification, now).map_err(invalid)?;
            }
            Ok(())
        })
        .await?;
    Ok(id)
}

/// A re-inspection's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Passed,
    /// Failed, with the new deadline.
    Failed(i64),
}

/// A re-inspection as the form filled it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reinspection<'a> {
    /// A day of the rectification's month.
    pub month: NaiveDate,
    pub rectification: &'a str,
    pub verdict: Verdict,
    pub note: &'a str,
}

/// Records a re-inspection of an open rectification: passed closes it,
/// failed sets a new deadline.
pub async fn reinspect(
    writer: &Writer,
    site: &str,
    actor: &Actor,
    reinspection: &Reinspection<'_>,
    now: i64,
) -> Result<DocumentId, CleaningError> {
    let library = writer.library();
    let Reinspection {
        month: month_day,
        rectification,
        verdict: result,
        note,
    } = reinspection.clone();
    let view = month(library, site, month_day).ok_or(CleaningError::NotFound)?;
    if view.locked {
        return Err(CleaningError::Locked);
    }
    let mut record = view
        .rectifications
        .iter()
        .find(|r| r.id == rectification && r.is_open())
        .cloned()
        .ok_or(CleaningError::NotFound)?;
    if let Verdict::Failed(deadline) = result {
        if deadline <= now {
            return Err(CleaningError::DeadlineInvalid);
        }
    }
    let inspection = Inspection {
        id: format!("reinsp-{}", uuid::Uuid::new_v4().simple()),
        area_id: record.area_id.clone(),
        date: local_date(now).to_string(),
        template_id: view.template.id.clone(),
        kind: KIND_REINSPECTION.into(),
        rectification_id: record.id.clone(),
        started_by: actor.username.clone(),
        started_by_name: actor.name.clone(),
        device: actor.device.clone(),
        started_at: now,
    };
    record.reinspection_id = inspection.id.clone();
    record.result_note = note.trim().into();
    match result {
        Verdict::Passed => {
            record.status = STATUS_CLOSED.into();
            record.closed_at = now;
        }
        Verdict::Failed(deadline) => record.deadline = deadline,
    }
    let id = DocKey::cleaning_month(site, month_day).document_id();
    writer
        .edit(id, |doc| {
            put_inspection(doc, &inspection).map_err(invalid)?;
            put_rectification(doc, &record, now).map_err(invalid)
        })
        .await?;
    Ok(id)
}

/// A sign-off as the form filled it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignOff {
    /// A day of the month signed.
    pub month: NaiveDate,
    /// `supervisor` or `vendor`.
    pub party: &'static str,
    /// The signer's name as typed.
    pub name: String,
    /// The drawn signature (PNG bytes); `None` when nothing was drawn.
    pub png: Option<Vec<u8>>,
}

/// Signs the month for a party: the drawn signature is stored as a
/// site-wide blob first, then the signature is recorded.
pub async fn sign(
    writer: &Writer,
    blobs: &Blobs,
    site: &str,
    actor: &Actor,
    sign_off: SignOff,
    now: i64,
) -> Result<DocumentId, CleaningError> {
    let library = writer.library();
    let SignOff {
        month: month_day,
        party,
        name,
        png,
    } = sign_off;
    if ![PARTY_SUPERVISOR, PARTY_VENDOR].contains(&party) {
        return Err(CleaningError::Invalid(party.into()));
    }
    let name = name.trim();
    if name.is_empty() {
        return Err(CleaningError::NameRequired);
    }
    let png = png.ok_or(CleaningError::NoSignature)?;
    if !may_sign(month_day, now) {
        return Err(CleaningError::TooEarly);
    }
    let id = open_month(library, site, month_day).await?;
    if let Some(view) = month(library, site, month_day) {
        if view.locked {
            return Err(CleaningError::Locked);
        }
        if view.signature(party).is_some() {
            return Err(CleaningError::AlreadySigned);
        }
    }
    let image = blobs
        .store(SITE_BLOBS, png, now)
        .await
        .map_err(|error| CleaningError::NotSaved(format!("{error:?}")))?;
    let signature = Signature {
        party: party.into(),
        name: name.into(),
        signed_at: now,
        by: actor.username.clone(),
        image,
    };
    writer
        .edit(id, |doc| put_signature(doc, &signature).map_err(invalid))
        .await?;
    Ok(id)
}

/// Publishes a draft's areas and contract threshold as a new template version.
pub async fn publish(
    writer: &Writer,
    site: &str,
    actor: &Actor,
    areas: Vec<schema::Area>,
    threshold: u32,
    now: i64,
) -> Result<(DocumentId, Template), CleaningError> {
    let library = writer.library();
    let key = DocKey::cleaning_setup(site);
    library
        .add(key.clone())
        .await
        .map_err(|error| CleaningError::NotSaved(error.to_string()))?;
    let template = Template {
        id: format!("tpl-{}", uuid::Uuid::new_v4().simple()),
        version: current(library, site).version + 1,
        published_at: now,
        published_by: actor.username.clone(),
        areas,
        threshold: Some(threshold),
    };
    if template.validate().is_err() {
        return Err(CleaningError::TemplateInvalid);
    }
    let id = key.document_id();
    writer
        .edit(id, |doc| {
            schema::publish_template(doc, &template).map_err(invalid)
        })
        .await?;
    Ok((id, template))
}

/// One month of the history.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryMonth {
    pub month: NaiveDate,
    /// `None` when the tablet does not hold the month.
    pub view: Option<MonthView>,
    /// The pass mark the month is held to: its template version's, or the
    /// current version's when the tablet does not hold the month.
    pub threshold: f64,
    pub below: bool,
    /// The second (or later) month in a row below the threshold.
    pub streak: bool,
    /// The month's score is final ([`month_is_final`]); until then its total
    /// is provisional and it carries no flags.
    pub is_final: bool,
}

/// The last `count` months up to `now` (Unix ms; oldest first) with their
/// sheets and the threshold flags.
pub fn history(library: &Library, site: &str, now: i64, count: u32) -> Vec<HistoryMonth> {
    let current_threshold = current(library, site).threshold();
    let views: Vec<(NaiveDate, Option<MonthView>, f64)> = last_months(local_date(now), count)
        .into_iter()
        .map(|m| {
            let view = month(library, site, m);
            let threshold = view
                .as_ref()
                .map_or(current_threshold, |v| v.template.threshold());
            (m, view, threshold)
        })
        .collect();
    let finals: Vec<bool> = views
        .iter()
        .map(|(month, view, _)| {
            month_is_final(*month, now, view.as_ref().is_some_and(|v| v.locked))
        })
        .collect();
    let totals: Vec<(Option<f64>, f64, bool)> = views
        .iter()
        .zip(&finals)
        .map(|((_, v, threshold), is_final)| {
            (
                v.as_ref().and_then(|v| v.sheet.total),
                *threshold,
                *is_final,
            )
        })
        .collect();
    let flags = score::month_flags(&totals);
    views
        .into_iter()
        .zip(flags)
        .zip(finals)
        .map(
            |(((month, view, threshold), (below, streak)), is_final)| HistoryMonth {
                month,
                view,
                threshold,
                below,
                streak,
                is_final,
            },
        )
        .collect()
}

/// Open rectifications of the last `count` months, oldest deadline first.
pub fn open_rectifications(
    library: &Library,
    site: &str,
    today: NaiveDate,
    count: u32,
) -> Vec<(NaiveDate, Template, Rectification)> {
    let mut list: Vec<_> = last_months(today, count)
        .into_iter()
        .filter_map(|m| month(library, site, m))
        .flat_map(|view| {
            let (month, template) = (view.month, view.template.clone());
            view.rectifications
                .into_iter()
                .filter(Rectification::is_open)
                .map(move |r| (month, template.clone(), r))
        })
        .collect();
    list.sort_by_key(|(_, _, r)| r.deadline);
    list
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    use roundbook_shared::domain::instant_at;
    use roundbook_shared::fixtures::cleaning::mark_in;
    use roundbook_shared::score::resolve;

    use crate::blobs::PhotoStatus;
    use crate::storage::Storage;

    async fn library() -> (Rc<Library>, Blobs) {
        let name = format!("roundbook-test-cleaning-{}", uuid::Uuid::new_v4().simple());
        let storage = Storage::open_named(&name).await.unwrap();
        let blobs = Blobs::start(storage.clone(), "token".into(), PhotoStatus::new());
        (Library::new(storage, "t1".into()), blobs)
    }

    fn who(username: &str) -> Actor {
        Actor {
            username: username.into(),
            name: format!("{username} name"),
            device: "tablet-1".into(),
        }
    }

    fn deduct(points: u32, reason: &str) -> MarkDraft {
        MarkDraft {
            outcome: OUTCOME_DEDUCTED,
            deduction: points,
            reason: reason.into(),
            photos: vec![],
        }
    }

    /// A tiny valid PNG: the signature pad's output shape.
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    /// Scores the lobby at 86.7 (13 of 15: the floor loses 2 points).
    async fn lobby_at_86_7(writer: &Writer, date: NaiveDate) {
        let at = |minute: u32| instant_at(date, minute);
        let a = who("clean-a");
        let (_, inspection) = start_inspection(writer, "demo", &a, "lobby", at(600))
            .await
            .unwrap();
        let full = MarkDraft {
            outcome: OUTCOME_FULL,
            deduction: 0,
            reason: String::new(),
            photos: vec![],
        };
        for (item, draft) in [
            ("lobby-floor", deduct(2, "stains")),
            ("lobby-glass", full.clone()),
            ("lobby-fixtures", full),
        ] {
            save_mark(writer, "demo", &a, &inspection, item, &draft, at(610))
                .await
                .unwrap();
        }
    }

    #[wasm_bindgen_test]
    async fn a_published_threshold_holds_later_months_and_earlier_months_keep_theirs() {
        let (library, _blobs) = library().await;
        let writer = Writer::offline(&library);
        let (february, march) = (day("2026-02-10"), day("2026-03-10"));
        lobby_at_86_7(&writer, february).await;
        let areas = schema::default_template().areas;
        let publish_at = instant_at(day("2026-03-01"), 480);
        assert_eq!(
            publish(&writer, "demo", &who("env"), areas.clone(), 0, publish_at).await,
            Err(CleaningError::TemplateInvalid),
            "a pass mark of 0 is refused"
        );
        let (_, published) = publish(&writer, "demo", &who("env"), areas, 85, publish_at)
            .await
            .unwrap();
        assert_eq!(published.threshold(), 85.0);
        lobby_at_86_7(&writer, march).await;

        // The 1st of April: March is over.
        let history = history(&library, "demo", instant_at(day("2026-04-01"), 600), 3);
        let flags: Vec<_> = history[..2]
            .iter()
            .map(|m| {
                (
                    m.view.as_ref().and_then(|v| v.sheet.total),
                    m.threshold,
                    m.below,
                    m.streak,
                )
            })
            .collect();
        assert_eq!(
            flags,
            [
                (Some(86.7), 90.0, true, false),
                (Some(86.7), 85.0, false, false)
            ],
            "February keeps the version it was scored with"
        );
        assert!(history[0].is_final && history[1].is_final);

        // The day after February's inspection, its 86.7 is only provisional:
        // no verdict against the pass mark of 90 yet.
        let during = super::history(&library, "demo", instant_at(day("2026-02-11"), 600), 1);
        assert_eq!(
            during[0].view.as_ref().and_then(|v| v.sheet.total),
            Some(86.7)
        );
        assert_eq!((during[0].is_final, during[0].below), (false, false));
    }

    #[wasm_bindgen_test]
    async fn two_supervisors_one_inspection_rectification_sign_off_and_lock() {
        let (library, blobs) = library().await;
        let writer = Writer::offline(&library);
        let last = day("2026-03-31");
        let at = |minute: u32| instant_at(last, minute);
        let (a, b) = (who("clean-a"), who("clean-b"));
        let (_, first) = start_inspection(&writer, "demo", &a, "lobby", at(600))
            .await
            .unwrap();
        let (_, joined) = start_inspection(&writer, "demo", &b, "lobby", at(601))
            .await
            .unwrap();
        assert_eq!(first.id, joined.id, "same area and day: one inspection");
        assert_eq!(
            start_inspection(&writer, "demo", &a, "no-such-area", at(602)).await,
            Err(CleaningError::UnknownItem)
        );
        let full = MarkDraft {
            outcome: OUTCOME_FULL,
            deduction: 0,
            reason: String::new(),
            photos: vec![],
        };
        save_mark(&writer, "demo", &a, &first, "lobby-floor", &full, at(610))
            .await
            .unwrap();
        save_mark(
            &writer,
            "demo",
            &b,
            &first,
            "lobby-floor",
            &deduct(2, "stains"),
            at(611),
        )
        .await
        .unwrap();
        assert_eq!(
            save_mark(
                &writer,
                "demo",
                &b,
                &first,
                "lobby-floor",
                &deduct(99, "x"),
                at(612)
            )
            .await,
            Err(CleaningError::PointsInvalid)
        );
        let view = month(&library, "demo", last).unwrap();
        assert_eq!(view.marks.len(), 2, "each supervisor's mark is kept");
        let resolved = resolve(&view.template, "lobby", view.marks_of(&first.id));
        let floor = &resolved["lobby-floor"];
        assert!(floor.is_conflict());
        assert_eq!(floor.stood.by, "clean-b", "the stricter mark stands");
        assert_eq!(view.rectifications.len(), 1);
        let rect = view.rectifications[0].clone();
        assert!(rect.is_open());
        assert!(view.sheet.total.is_some());

        // A failed re-inspection needs a later deadline; a passed one closes.
        let passed = Reinspection {
            month: last,
            rectification: &rect.id,
            verdict: Verdict::Passed,
            note: "clean now",
        };
        let too_soon = Reinspection {
            verdict: Verdict::Failed(at(600)),
            ..passed.clone()
        };
        assert_eq!(
            reinspect(&writer, "demo", &a, &too_soon, at(700)).await,
            Err(CleaningError::DeadlineInvalid)
        );
        reinspect(&writer, "demo", &a, &passed, at(700))
            .await
            .unwrap();
        let view = month(&library, "demo", last).unwrap();
        assert!(!view.rectifications[0].is_open());
        assert_eq!(view.inspections.len(), 2);

        // Signing: not before the month's last day, a name and a drawing needed.
        let supervisor = SignOff {
            month: last,
            party: PARTY_SUPERVISOR,
            name: "A".into(),
            png: Some(PNG.to_vec()),
        };
        let sign_as = |sign_off: SignOff, now: i64| {
            let (writer, blobs, a) = (writer.clone(), blobs.clone(), a.clone());
            async move { sign(&writer, &blobs, "demo", &a, sign_off, now).await }
        };
        let early = instant_at(day("2026-03-30"), 600);
        assert_eq!(
            sign_as(supervisor.clone(), early).await,
            Err(CleaningError::TooEarly)
        );
        let unnamed = SignOff {
            name: " ".into(),
            ..supervisor.clone()
        };
        assert_eq!(
            sign_as(unnamed, at(800)).await,
            Err(CleaningError::NameRequired)
        );
        let undrawn = SignOff {
            png: None,
            ..supervisor.clone()
        };
        assert_eq!(
            sign_as(undrawn, at(800)).await,
            Err(CleaningError::NoSignature)
        );
        sign_as(supervisor.clone(), at(800)).await.unwrap();
        assert_eq!(
            sign_as(supervisor, at(801)).await,
            Err(CleaningError::AlreadySigned)
        );
        assert!(!month(&library, "demo", last).unwrap().locked);
        let vendor = SignOff {
            month: last,
            party: PARTY_VENDOR,
            name: "Vendor Rep".into(),
            png: Some(PNG.to_vec()),
        };
        sign_as(vendor, at(802)).await.unwrap();
        let view = month(&library, "demo", last).unwrap();
        assert!(view.locked);
        let image = &view.signature(PARTY_VENDOR).unwrap().image;
        assert_eq!(blobs.load(SITE_BLOBS, image).await.unwrap().bytes, PNG);

        // After the lock every change is refused and nothing is written.
        let before = view.marks.clone();
        assert_eq!(
            save_mark(&writer, "demo", &a, &first, "lobby-floor", &full, at(900)).await,
            Err(CleaningError::Locked)
        );
        assert_eq!(month(&library, "demo", last).unwrap().marks, before);
        // A stale check passing the screen's test still meets the schema's.
        let doc = DocKey::cleaning_month("demo", last).document_id();
        let stale = library
            .edit(doc, |doc| {
                put_inspection(
                    doc,
                    &Inspection {
                        id: inspection_id("lifts", last),
                        area_id: "lifts".into(),
                        ..first.clone()
                    },
                )
                .map_err(invalid)
            })
            .await;
        assert_eq!(
            stale.map_err(CleaningError::from),
            Err(CleaningError::Locked)
        );
    }

    /// The figure for the closing note: a month with 200 inspections (all
    /// items marked, one deduction each) — time to compute the sheet and the
    /// month document's size. Run it with `--release ... figure -- --nocapture`.
    #[wasm_bindgen_test]
    #[cfg_attr(debug_assertions, ignore = "a figure: run it with --release")]
    async fn figure_a_month_with_200_inspections() {
        let (library, _) = library().await;
        let template = schema::default_template();
        let key = DocKey::cleaning_month("demo", day("2026-03-01"));
        library.add(key.clone()).await.unwrap();
        library
            .edit(key.document_id(), |doc| {
                for n in 0..200u32 {
                    let area = &template.areas[n as usize % template.areas.len()];
                    let date = day("2026-03-01") + chrono::Duration::days(i64::from(n / 7) % 31);
                    let at = instant_at(date, 600 + n);
                    let inspection = Inspection {
                        id: inspection_id(&area.id, date),
                        area_id: area.id.clone(),
                        date: date.to_string(),
                        template_id: template.id.clone(),
                        kind: KIND_ROUTINE.into(),
                        rectification_id: String::new(),
                        started_by: "clean-a".into(),
                        started_by_name: "A".into(),
                        device: "t".into(),
                        started_at: at,
                    };
                    put_inspection(doc, &inspection).map_err(invalid)?;
                    for (i, item) in area.items.iter().enumerate() {
                        let deducted = i == 0;
                        let outcome = if deducted {
                            OUTCOME_DEDUCTED
                        } else {
                            OUTCOME_FULL
                        };
                        let mark = Mark {
                            by_name: "A".into(),
                            device: "t".into(),
                            at,
                            reason: if deducted {
                                "stains".into()
                            } else {
                                String::new()
                            },
                            ..mark_in(
                                &inspection,
                                &item.id,
                                "clean-a",
                                outcome,
                                u32::from(deducted),
                            )
                        };
                        put_mark(doc, &mark, item.max_score).map_err(invalid)?;
                    }
                }
                Ok::<_, CleaningError>(())
            })
            .await
            .unwrap();
        let clock = || web_sys::window().unwrap().performance().unwrap().now();
        let started = clock();
        let view = month(&library, "demo", day("2026-03-01")).unwrap();
        let took = clock() - started;
        let bytes = library.with_doc(&key, |doc| doc.save().len()).unwrap();
        web_sys::console::log_1(
            &format!(
                "cleaning figure: {} inspections, {} marks: sheet in {took:.1} ms; month document {bytes} bytes",
                view.inspections.len(),
                view.marks.len()
            )
            .into(),
        );
        assert!(view.sheet.total.is_some());
    }

    #[wasm_bindgen_test]
    fn month_dates() {
        let months = last_months(day("2026-03-15"), 12);
        assert_eq!(months.len(), 12);
        assert_eq!(months[0], day("2025-04-01"));
        assert_eq!(months[11], day("2026-03-01"));
    }

    #[wasm_bindgen_test]
    fn marks_are_checked_against_the_item_maximum() {
        let draft = |outcome, deduction, reason: &str| MarkDraft {
            outcome,
            deduction,
            reason: reason.into(),
            photos: vec![],
        };
        assert_eq!(check_mark(&draft(OUTCOME_DEDUCTED, 3, "stains"), 5), Ok(()));
        assert_eq!(
            check_mark(&draft(OUTCOME_DEDUCTED, 6, "stains"), 5),
            Err(CleaningError::PointsInvalid)
        );
        assert_eq!(
            check_mark(&draft(OUTCOME_DEDUCTED, 0, "stains"), 5),
            Err(CleaningError::PointsInvalid)
        );
        assert_eq!(
            check_mark(&draft(OUTCOME_DEDUCTED, 2, "  "), 5),
            Err(CleaningError::ReasonRequired)
        );
        assert_eq!(check_mark(&draft(OUTCOME_NA, 0, ""), 5), Ok(()));
        assert_eq!(check_mark(&draft(OUTCOME_FULL, 0, ""), 5), Ok(()));
    }
}
