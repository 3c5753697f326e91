//! Findings on patrol: something a guard saw and recorded, with photos.
//!
//! Photos are content-addressed blobs ([`crate::blob`]); the record keeps only
//! their hashes. A finding that needs a repair carries the id of the request
//! it becomes (the request record itself is the requests module's).

use automerge::Automerge;
use serde::{Deserialize, Serialize};

use super::record::ReadRecords;
use super::{
    check_author, check_id, check_instant, check_text, check_word, get, list, put, Container,
    Record, SchemaError,
};

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
        if self.photos.len() > MAX_PHOTOS {
            return Err(SchemaError::Invalid(format!(
                "more than {MAX_PHOTOS} photos"
            )));
        }
        for hash in &self.photos {
            if !crate::blob::is_hash(hash) {
                return Err(SchemaError::Invalid(format!("photo hash {hash:?}")));
            }
        }
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
