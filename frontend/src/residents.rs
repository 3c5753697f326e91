//! The tablet's side of the resident directory and household visits:
//! reading units, residents and visits, importing a CSV file (all rows or
//! none), exporting with phones masked, and recording a visit together with
//! the requests it raised.
//!
//! This module shows nothing and does no networking: it writes through
//! [`Writer`], which tells sync.

use roundbook_shared::domain::local_date;
use roundbook_shared::ids::DocumentId;
use roundbook_shared::resident_import::{self, ImportError};
use roundbook_shared::schema::request::{Channel, Request, RequestKind};
use roundbook_shared::schema::resident::{put_directory, residents, units, Resident, Unit};
use roundbook_shared::schema::visit::{put_visit, visits, Visit, PURPOSE_VISIT};
use roundbook_shared::schema::DocKey;
use roundbook_shared::schema::Record;

use crate::documents::Library;
use crate::requests::{self, RequestError};
use crate::session::Actor;
use crate::writer::Writer;

/// A zone's directory as this tablet holds it (empty if it holds none).
pub fn directory(library: &Library, site: &str, zone: &str) -> (Vec<Unit>, Vec<Resident>) {
    library
        .with_doc(&DocKey::resident_directory(site, zone), |doc| {
            (
                units(doc).unwrap_or_default(),
                residents(doc).unwrap_or_default(),
            )
        })
        .unwrap_or_default()
}

/// The directory's unit a typed label names (as [`Unit::label`] writes it),
/// if one does and it is not retired.
pub fn unit_named<'a>(units: &'a [Unit], label: &str) -> Option<&'a Unit> {
    let label = label.trim();
    units
        .iter()
        .find(|unit| !unit.retired && unit.label() == label)
}

/// The residents of a unit.
pub fn residents_of<'a>(
    residents: &'a [Resident],
    unit_id: &'a str,
) -> impl Iterator<Item = &'a Resident> + 'a {
    residents
        .iter()
        .filter(move |resident| resident.unit_id == unit_id)
}

/// Why an import wrote nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportFailure {
    /// The file (or some of its rows) is not acceptable.
    File(ImportError),
    /// The tablet could not store it.
    NotSaved(String),
}

/// Imports a CSV file into the zone's directory, as one change: every row
/// or none. Returns the document and how many units and residents it holds.
pub async fn import_csv(
    writer: &Writer,
    site: &str,
    zone: &str,
    bytes: &[u8],
    now: i64,
) -> Result<(DocumentId, usize, usize), ImportFailure> {
    let parsed = resident_import::parse(bytes).map_err(ImportFailure::File)?;
    let key = DocKey::resident_directory(site, zone);
    writer
        .library()
        .add(key.clone())
        .await
        .map_err(|error| ImportFailure::NotSaved(error.to_string()))?;
    let id = key.document_id();
    writer
        .edit(id, |doc| {
            put_directory(doc, &parsed.units, &parsed.residents, now)
        })
        .await
        .map_err(|error| ImportFailure::NotSaved(error.to_string()))?;
    Ok((id, parsed.units.len(), parsed.residents.len()))
}

/// The zone's directory as CSV, phone numbers masked.
pub fn export_csv(library: &Library, site: &str, zone: &str) -> String {
    let (units, residents) = directory(library, site, zone);
    resident_import::export(&units, &residents)
}

/// The zone's visits of the quarter holding `now`, newest first.
pub fn quarter_visits(library: &Library, site: &str, zone: &str, now: i64) -> Vec<Visit> {
    library
        .with_doc(&DocKey::visit_log(site, zone, local_date(now)), |doc| {
            visits(doc).unwrap_or_default()
        })
        .unwrap_or_default()
}

/// What the visit form filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitDraft {
    pub zone: String,
    pub unit: Unit,
    pub resident_name: String,
    pub contact_phone: String,
    pub raised: String,
    /// `satisfied`, `basically`, `not_satisfied` or `none`.
    pub satisfaction: String,
    /// A request raised on the visit, if any: its kind and description.
    pub request: Option<(RequestKind, String)>,
}

/// Why a visit was not recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VisitError {
    /// The raised request was refused (nothing was written).
    Request(RequestError),
    Invalid(String),
    NotSaved(String),
}

/// Records a visit and, in the same step, the request it raised (channel
/// visit, linked both ways). The request is written first: if the visit then
/// fails, the request (the resident's concern) is kept.
pub async fn record_visit(
    writer: &Writer,
    site: &str,
    actor: &Actor,
    draft: &VisitDraft,
    now: i64,
) -> Result<Vec<DocumentId>, VisitError> {
    let visit_id = format!("visit-{}", uuid::Uuid::new_v4().simple());
    let mut written = Vec::new();
    let mut request_ids = Vec::new();
    if let Some((kind, description)) = &draft.request {
        let mut request = Request::draft(&draft.zone, Channel::Visit, *kind);
        request.unit_id = draft.unit.id.clone();
        request.unit_label = draft.unit.label();
        request.resident_name = draft.resident_name.clone();
        request.contact_phone = draft.contact_phone.clone();
        request.description = description.clone();
        request.visit_id = visit_id.clone();
        let (id, recorded) = requests::record_request(writer, site, actor, &request, now)
            .await
            .map_err(VisitError::Request)?;
        written.push(id);
        request_ids.push(recorded.id);
    }
    let visit = Visit {
        id: visit_id,
        zone: draft.zone.clone(),
        unit_id: draft.unit.id.clone(),
        unit_label: draft.unit.label(),
        resident_name: draft.resident_name.trim().to_owned(),
        visited_at: now,
        by: actor.username.clone(),
        by_name: actor.name.clone(),
        device: actor.device.clone(),
        purpose: PURPOSE_VISIT.into(),
        raised: draft.raised.trim().to_owned(),
        satisfaction: draft.satisfaction.clone(),
        reply_by: 0,
        request_ids,
    };
    visit
        .validate()
        .map_err(|error| VisitError::Invalid(error.to_string()))?;
    let key = DocKey::visit_log(site, &draft.zone, local_date(now));
    writer
        .library()
        .add(key.clone())
        .await
        .map_err(|error| VisitError::NotSaved(error.to_string()))?;
    let id = key.document_id();
    writer
        .edit(id, |doc| put_visit(doc, &visit))
        .await
        .map_err(|error| VisitError::NotSaved(error.to_string()))?;
    written.push(id);
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::Storage;
    use chrono::NaiveDate;
    use roundbook_shared::domain::instant_at;
    use std::rc::Rc;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn now() -> i64 {
        instant_at(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(), 10 * 60)
    }

    async fn library() -> Rc<Library> {
        let name = format!("roundbook-test-residents-{}", uuid::Uuid::new_v4().simple());
        Library::new(Storage::open_named(&name).await.unwrap(), "t1".into())
    }

    #[wasm_bindgen_test]
    async fn intake_finds_the_unit_a_label_names_and_its_residents() {
        let library = library().await;
        let writer = Writer::offline(&library);
        let file = "楼栋,单元,房号,姓名,电话\n3栋,2,501,张伟,13812345678\n3栋,2,501,李娜,13812345679\n3栋,2,502,王芳,13812345680\n";
        import_csv(&writer, "demo", "A", file.as_bytes(), now())
            .await
            .unwrap();
        let (units, people) = directory(&library, "demo", "A");
        let unit = unit_named(&units, " 3栋2单元501 ").expect("typed as staff write it");
        let names: Vec<_> = residents_of(&people, &unit.id)
            .map(|r| r.name.as_str())
            .collect();
        assert_eq!(names.len(), 2);
        assert!(names.contains(&"张伟") && names.contains(&"李娜"));
        assert!(unit_named(&units, "3栋2单元999").is_none());
        let mut retired = units.clone();
        retired.iter_mut().for_each(|unit| unit.retired = true);
        assert!(
            unit_named(&retired, "3栋2单元501").is_none(),
            "a retired unit is not offered"
        );
    }

    #[wasm_bindgen_test]
    async fn a_bad_file_writes_nothing_and_a_good_one_everything() {
        let library = library().await;
        let writer = Writer::offline(&library);
        let bad = "楼栋,单元,房号,姓名,电话\n3栋,2,501,张伟,13812345678\n3栋,2,502,李娜,oops\n";
        let failure = import_csv(&writer, "demo", "A", bad.as_bytes(), now()).await;
        assert!(matches!(
            failure,
            Err(ImportFailure::File(ImportError::Rows(_)))
        ));
        assert!(
            directory(&library, "demo", "A").0.is_empty(),
            "nothing half-imported"
        );
        let good =
            "楼栋,单元,房号,姓名,电话\n3栋,2,501,张伟,13812345678\n3栋,2,502,李娜,13900001111\n";
        let (_, units, residents) = import_csv(&writer, "demo", "A", good.as_bytes(), now())
            .await
            .unwrap();
        assert_eq!((units, residents), (2, 2));
        assert!(export_csv(&library, "demo", "A").contains("139****1111"));
    }

    #[wasm_bindgen_test]
    async fn a_visit_raises_a_linked_request_in_one_step() {
        let library = library().await;
        let writer = Writer::offline(&library);
        let good = "楼栋,单元,房号,姓名,电话\n3栋,2,501,张伟,13812345678\n";
        import_csv(&writer, "demo", "A", good.as_bytes(), now())
            .await
            .unwrap();
        let unit = directory(&library, "demo", "A").0.remove(0);
        let actor = Actor {
            username: "service-a".into(),
            name: "陈静".into(),
            device: "tablet".into(),
        };
        let draft = VisitDraft {
            zone: "A".into(),
            unit,
            resident_name: "张伟".into(),
            contact_phone: "13812345678".into(),
            raised: "阳台漏水".into(),
            satisfaction: "basically".into(),
            request: Some((RequestKind::RepairHome, "阳台漏水，请维修".into())),
        };
        record_visit(&writer, "demo", &actor, &draft, now())
            .await
            .unwrap();
        let visits = quarter_visits(&library, "demo", "A", now());
        assert_eq!(visits.len(), 1);
        let requests = requests::zone_requests(&library, "demo", "A", now());
        assert_eq!(requests.len(), 1);
        assert_eq!(visits[0].request_ids, [requests[0].request.id.clone()]);
        assert_eq!(requests[0].request.visit_id, visits[0].id);
        assert_eq!(requests[0].request.channel, "visit");
    }
}
