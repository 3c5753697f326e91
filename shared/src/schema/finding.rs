//! Findings on patrol: something a guard saw and recorded, with photos.
//!
//! Photos are content-addressed blobs ([`crate::blob`]); the record keeps only
//! their hashes. A finding that needs a repair carries the id of the request
//! it becomes, derived from the finding's own id ([`request_id_for`]), and
//! [`Finding::repair_request`] makes that request (a common-area repair in
//! the zone's request log of the finding's month), so every tablet that
//! makes it makes the same one.

use automerge::Automerge;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::record::ReadRecords;
use super::request::{Channel, Request, RequestKind};
use super::{
    check_author, check_id, check_instant, check_photos, check_text, check_word, get, list, put,
    Container, DocKey, Record, SchemaError,
};
use crate::domain::local_date;

/// Name of the root map holding findings by id.
pub const FINDINGS: &str = Container::Findings.name();

/// The most photos one finding may carry.
pub const MAX_PHOTOS: usize = 6;

/// What kind of thing was found; stored as its `as_str` word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    FacilityDamage,
    FireEquipment,
    SafetyHazard,
    SuspiciousPerson,
    /// A suspicious or unregistered vehicle.
    SuspiciousVehicle,
    Other,
}

impl FindingKind {
    pub const ALL: [FindingKind; 6] = [
        FindingKind::FacilityDamage,
        FindingKind::FireEquipment,
        FindingKind::SafetyHazard,
        FindingKind::SuspiciousPerson,
        FindingKind::SuspiciousVehicle,
        FindingKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::FacilityDamage => "facility_damage",
            FindingKind::FireEquipment => "fire_equipment",
            FindingKind::SafetyHazard => "safety_hazard",
            FindingKind::SuspiciousPerson => "suspicious_person",
            FindingKind::SuspiciousVehicle => "suspicious_vehicle",
            FindingKind::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<FindingKind> {
        FindingKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
    }
}

/// How urgent a finding is; stored as its `as_str` word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::Low, Severity::Medium, Severity::High];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        Severity::ALL
            .into_iter()
            .find(|severity| severity.as_str() == text)
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Finding {
    pub id: String,
    /// The round it was found on; empty when recorded outside a round.
    pub round_id: String,
    /// The checkpoint it is at, if the guard picked one.
    pub checkpoint_id: String,
    /// A [`FindingKind`] word.
    pub kind: String,
    /// A [`Severity`] word.
    pub severity: String,
    pub note: String,
    /// Hashes of the photo blobs.
    pub photos: Vec<String>,
    pub guard: String,
    pub guard_name: String,
    pub device: String,
    /// The tablet's clock when it was recorded.
    pub found_at: i64,
    /// The guard asked for a repair: a request with id `request_id` is due.
    pub needs_repair: bool,
    /// The id of the request this finding becomes; empty unless `needs_repair`.
    pub request_id: String,
}

impl Record for Finding {
    const CONTAINER: Container = Container::Findings;

    const MADE_AT: Option<&'static str> = Some("found_at");
    const AUTHOR: Option<&'static str> = Some("guard");
    const BLOBS: &'static [&'static str] = &["photos"];

    fn id(&self) -> &str {
        &self.id
    }

    fn validate(&self) -> Result<(), SchemaError> {
        check_id("finding", &self.id)?;
        for (what, id) in [
            ("round", &self.round_id),
            ("checkpoint", &self.checkpoint_id),
        ] {
            if !id.is_empty() {
                check_id(what, id)?;
            }
        }
        let kinds = FindingKind::ALL.map(FindingKind::as_str);
        check_word("finding kind", &self.kind, &kinds)?;
        check_word(
            "severity",
            &self.severity,
            &Severity::ALL.map(Severity::as_str),
        )?;
        check_text("finding note", &self.note, false, 2000)?;
        check_photos("photos", &self.photos, MAX_PHOTOS)?;
        if self.note.trim().is_empty() && self.photos.is_empty() {
            return Err(SchemaError::Invalid(
                "a finding needs a note or a photo".into(),
            ));
        }
        check_author("guard", &self.guard, &self.guard_name, &self.device)?;
        check_instant("finding time", self.found_at)?;
        match (self.needs_repair, self.request_id.is_empty()) {
            (true, false) => check_id("request", &self.request_id),
            (false, true) => Ok(()),
            _ => Err(SchemaError::Invalid(
                "a request id goes with a repair, and only with one".into(),
            )),
        }
    }

    /// Newest first.
    fn order(a: &Self, b: &Self) -> std::cmp::Ordering {
        b.found_at.cmp(&a.found_at).then_with(|| a.id.cmp(&b.id))
    }
}

/// The id of the repair request a finding becomes: derived from the
/// finding's id alone (`req-f` and 32 hex digits of a SHA-256), so a retry,
/// or a second tablet making the request for the same finding, names the
/// same request and the request log keeps one.
pub fn request_id_for(finding_id: &str) -> String {
    let digest = Sha256::digest(format!("roundbook/finding-request/{finding_id}").as_bytes());
    let hex: String = digest[..16]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    format!("req-f{hex}")
}

impl Finding {
    /// The request log the finding's repair request goes into: `zone`'s, of
    /// the month the finding was made in (site time).
    pub fn request_log(&self, site: &str, zone: &str) -> DocKey {
        DocKey::request_log(site, zone, local_date(self.found_at))
    }

    /// The repair request this finding becomes, if it needs a repair: a
    /// common-area repair (报修) seen on a patrol, received by the guard at
    /// the moment of the finding, with the finding's note (or, for a
    /// finding with only photos, `fallback`, e.g. the kind's name), photos
    /// and checkpoint (`checkpoint_label` as the tablet shows it). No
    /// resident: a finding-born request carries no personal data.
    pub fn repair_request(
        &self,
        zone: &str,
        checkpoint_label: &str,
        fallback: &str,
    ) -> Option<Request> {
        if !self.needs_repair || self.request_id.is_empty() {
            return None;
        }
        let description = match self.note.trim() {
            "" => fallback.trim(),
            note => note,
        };
        Some(Request {
            id: self.request_id.clone(),
            description: description.to_owned(),
            photos: self.photos.clone(),
            finding_id: self.id.clone(),
            checkpoint_id: self.checkpoint_id.clone(),
            checkpoint_label: if self.checkpoint_id.is_empty() {
                String::new()
            } else {
                checkpoint_label.trim().chars().take(128).collect()
            },
            received_by: self.guard.clone(),
            received_by_name: self.guard_name.clone(),
            device: self.device.clone(),
            received_at: self.found_at,
            ..Request::draft(zone, Channel::WalkRound, RequestKind::RepairCommon)
        })
    }
}

/// Every well-formed finding of the day, newest first.
pub fn findings(doc: &impl ReadRecords) -> Result<Vec<Finding>, SchemaError> {
    list(doc)
}

/// One finding by id.
pub fn finding(doc: &Automerge, id: &str) -> Result<Option<Finding>, SchemaError> {
    get(doc, id)
}

/// Records a finding, as one change. The photo blobs must be stored first.
pub fn put_finding(doc: &mut Automerge, finding: &Finding) -> Result<(), SchemaError> {
    put(doc, finding, finding.found_at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::DocKey;
    use chrono::NaiveDate;

    fn finding() -> Finding {
        Finding {
            id: "f1".into(),
            round_id: "r-1".into(),
            checkpoint_id: "cp1".into(),
            kind: FindingKind::FireEquipment.as_str().into(),
            severity: Severity::High.as_str().into(),
            note: "Extinguisher missing".into(),
            photos: vec![crate::blob::hash_of(b"photo")],
            guard: "guard-a".into(),
            guard_name: "王强".into(),
            device: "tablet-1".into(),
            found_at: 1_795_435_200_000,
            needs_repair: true,
            request_id: "req-1".into(),
        }
    }

    #[test]
    fn findings_round_trip() {
        let mut doc =
            DocKey::patrol_log("demo", "A", NaiveDate::from_ymd_opt(2026, 11, 23).unwrap())
                .genesis();
        put_finding(&mut doc, &finding()).unwrap();
        assert_eq!(findings(&doc).unwrap(), vec![finding()]);
    }

    /// A finding needing repair as the tablet makes it: its request id
    /// derived from its own.
    fn needing_repair(id: &str) -> Finding {
        Finding {
            id: id.into(),
            request_id: request_id_for(id),
            ..finding()
        }
    }

    #[test]
    fn a_findings_request_id_is_derived_from_the_finding_alone() {
        let id = request_id_for("finding-1");
        assert_eq!(id, request_id_for("finding-1"));
        assert_ne!(id, request_id_for("finding-2"));
        check_id("request", &id).unwrap();
        assert!(id.starts_with("req-f") && id.len() == 37, "{id}");
        // Stored ids never change: a tablet of another build names the same request.
        assert_eq!(id, "req-fbba9210148dd345c4cd182c959b1654a");
    }

    #[test]
    fn a_finding_needing_repair_becomes_a_common_area_repair_request() {
        use crate::schema::request::requests;
        let finding = needing_repair("finding-1");
        let request = finding
            .repair_request("A", "A-02 2栋大堂", "设施损坏")
            .unwrap();
        request.validate().unwrap();
        assert_eq!(request.id, finding.request_id);
        assert_eq!(request.kind(), RequestKind::RepairCommon);
        assert_eq!(request.channel(), Channel::WalkRound);
        assert_eq!(request.finding_id, "finding-1");
        assert_eq!(request.checkpoint_id, "cp1");
        assert_eq!(request.checkpoint_label, "A-02 2栋大堂");
        assert_eq!(request.photos, finding.photos);
        assert_eq!(request.description, "Extinguisher missing");
        assert_eq!(
            (request.received_by.as_str(), request.received_at),
            ("guard-a", finding.found_at)
        );
        // No resident, no phone.
        assert!(request.resident_name.is_empty() && request.contact_phone.is_empty());
        // In the request log of the finding's month.
        let key = finding.request_log("demo", "A");
        assert_eq!(
            key,
            DocKey::request_log("demo", "A", NaiveDate::from_ymd_opt(2026, 11, 1).unwrap())
        );
        let mut log = key.genesis();
        assert!(crate::schema::request::put_request_once(&mut log, &request).unwrap());
        assert_eq!(requests(&log).unwrap(), [request]);

        // A photo-only finding takes the fallback; one without a repair makes none.
        let photo_only = Finding {
            note: String::new(),
            ..needing_repair("finding-2")
        };
        let request = photo_only.repair_request("A", "", "设施损坏").unwrap();
        assert_eq!(request.description, "设施损坏");
        request.validate().unwrap();
        let no_repair = Finding {
            needs_repair: false,
            request_id: String::new(),
            ..photo_only
        };
        assert_eq!(no_repair.repair_request("A", "", "x"), None);
    }

    #[test]
    fn making_a_findings_request_twice_or_on_two_tablets_leaves_one() {
        use crate::schema::request::{put_request_once, request_events, requests};
        let finding = needing_repair("finding-1");
        let key = finding.request_log("demo", "A");
        let request = finding.repair_request("A", "A-02", "").unwrap();
        // A retry on one tablet: the second write changes nothing.
        let mut first = key.genesis();
        assert!(put_request_once(&mut first, &request).unwrap());
        let heads = first.get_heads();
        assert!(!put_request_once(&mut first, &request).unwrap());
        assert_eq!(first.get_heads(), heads, "nothing written the second time");
        // A second tablet, offline, makes it from the same finding (in
        // another language: its fallback differs, the id does not).
        let mut second = key.genesis();
        let other = finding
            .repair_request("A", "A-02 2栋大堂", "Facility damage")
            .unwrap();
        assert!(put_request_once(&mut second, &other).unwrap());
        first.merge(&mut second.clone()).unwrap();
        second.merge(&mut first.clone()).unwrap();
        for doc in [&first, &second] {
            let merged = requests(doc).unwrap();
            assert_eq!(merged.len(), 1);
            assert_eq!(merged[0].id, finding.request_id);
            assert!(
                request_events(doc).unwrap().is_empty(),
                "no events are made"
            );
        }
        assert_eq!(requests(&first).unwrap(), requests(&second).unwrap());
        // And after the merge a retry still writes nothing.
        let heads = first.get_heads();
        assert!(!put_request_once(&mut first, &request).unwrap());
        assert_eq!(first.get_heads(), heads);
    }

    #[test]
    fn refuses_bad_findings() {
        let cases: [fn(&mut Finding); 6] = [
            |f| f.kind = "ghost".into(),
            |f| f.severity = "extreme".into(),
            |f| f.photos = vec!["not-a-hash".into()],
            |f| {
                f.note.clear();
                f.photos.clear()
            },
            |f| f.request_id.clear(),
            |f| f.found_at = 0,
        ];
        for (index, break_it) in cases.iter().enumerate() {
            let mut bad = finding();
            break_it(&mut bad);
            assert!(bad.validate().is_err(), "case {index}");
        }
    }
}
