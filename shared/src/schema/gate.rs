//! The gate book (访客、车辆登记): visitors and vehicles let in by a guard or
//! the front desk, and their leaving.
//!
//! An entry is written once when someone comes in, in the site's gate log
//! of that day; its exit is a record of its own in the same document,
//! however much later, so two gate tablets offline merge without conflict
//! (if an exit is recorded twice the earliest stands: `crate::gate`).
//!
//! Personal data, kept [`crate::retention`]'s 90 days: a visitor's name
//! and the last four characters of their identity document (never the
//! whole number), and a vehicle's plate.
//!
//! This module holds the records and their shape; who is inside and what
//! the gate refuses is `crate::gate`'s.

use serde::{Deserialize, Serialize};

use super::{check_author, check_id, check_instant, check_text, Container, Record, SchemaError};

/// The most people one visitor entry may count (a group is one entry).
pub const MAX_PEOPLE: u32 = 50;

/// One visitor (or group) let in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitorEntry {
    pub id: String,
    pub name: String,
    /// The last four characters of their identity document, or empty.
    #[serde(default)]
    pub id_last4: String,
    /// The unit visited, as told (`3栋2单元501`).
    pub unit_label: String,
    /// The zone of the unit, or empty if not known.
    #[serde(default)]
    pub zone: String,
    pub purpose: String,
    /// How many people came in with this entry.
    pub people: u32,
    /// When they came in (the tablet's clock, unix ms).
    pub in_at: i64,
    pub by: String,
    pub by_name: String,
    pub device: String,
}

impl Record for VisitorEntry {
    const CONTAINER: Container = Container::Visitors;
    const PERSONAL: bool = true;
    const MADE_AT: Option<&'static str> = Some("in_at");
    const AUTHOR: Option<&'static str> = Some("by");

    fn id(&self) -> &str {
        &self.id
    }

    fn validate(&self) -> Result<(), SchemaError> {
        check_id("visitor", &self.id)?;
        check_text("visitor name", &self.name, true, 50)?;
        if !self.id_last4.is_empty() && !is_id_tail(&self.id_last4) {
            return Err(SchemaError::Invalid(
                "an identity document is kept as its last four characters only".into(),
            ));
        }
        check_text("unit", &self.unit_label, true, 50)?;
        check_text("zone", &self.zone, false, 32)?;
        check_text("purpose", &self.purpose, true, 200)?;
        if !(1..=MAX_PEOPLE).contains(&self.people) {
            return Err(SchemaError::Invalid(format!(
                "people {} (1 to {MAX_PEOPLE})",
                self.people
            )));
        }
        check_instant("time in", self.in_at)?;
        check_author("gate", &self.by, &self.by_name, &self.device)
    }

    /// Newest first.
    fn order(a: &Self, b: &Self) -> std::cmp::Ordering {
        b.in_at.cmp(&a.in_at).then_with(|| a.id.cmp(&b.id))
    }
}

/// One vehicle let in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VehicleEntry {
    pub id: String,
    /// The plate as [`normalize_plate`] writes it (`粤B12345`).
    pub plate: String,
    /// The unit it is for, or empty.
    #[serde(default)]
    pub unit_label: String,
    #[serde(default)]
    pub zone: String,
    /// A resident's registered vehicle, rather than a visitor's.
    pub resident: bool,
    pub in_at: i64,
    pub by: String,
    pub by_name: String,
    pub device: String,
}

impl Record for VehicleEntry {
    const CONTAINER: Container = Container::Vehicles;
    const PERSONAL: bool = true;
    const MADE_AT: Option<&'static str> = Some("in_at");
    const AUTHOR: Option<&'static str> = Some("by");

    fn id(&self) -> &str {
        &self.id
    }

    fn validate(&self) -> Result<(), SchemaError> {
        check_id("vehicle", &self.id)?;
        if !is_plate(&self.plate) {
            return Err(SchemaError::Invalid(format!("plate {:?}", self.plate)));
        }
        check_text("unit", &self.unit_label, false, 50)?;
        check_text("zone", &self.zone, false, 32)?;
        check_instant("time in", self.in_at)?;
        check_author("gate", &self.by, &self.by_name, &self.device)
    }

    fn order(a: &Self, b: &Self) -> std::cmp::Ordering {
        b.in_at.cmp(&a.in_at).then_with(|| a.id.cmp(&b.id))
    }
}

/// A visitor or vehicle gone out, by the id of its entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateExit {
    pub id: String,
    pub entry_id: String,
    /// When they left (the tablet's clock, unix ms).
    pub out_at: i64,
    pub by: String,
    pub by_name: String,
    pub device: String,
}

impl Record for GateExit {
    const CONTAINER: Container = Container::GateExits;
    const MADE_AT: Option<&'static str> = Some("out_at");
    const AUTHOR: Option<&'static str> = Some("by");

    fn id(&self) -> &str {
        &self.id
    }

    fn validate(&self) -> Result<(), SchemaError> {
        check_id("gate exit", &self.id)?;
        check_id("entry", &self.entry_id)?;
        check_instant("time out", self.out_at)?;
        check_author("gate", &self.by, &self.by_name, &self.device)
    }
}

/// Whether `text` is the last four characters of an identity document:
/// four ASCII digits or letters (the check character may be `X`).
pub fn is_id_tail(text: &str) -> bool {
    text.len() == 4 && text.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The provinces' one-character abbreviations a mainland plate starts with.
const PROVINCES: &str = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼";

/// The characters a special plate may end with (trailer, learner, police,
/// Hong Kong and Macau).
const PLATE_ENDINGS: &str = "挂学警港澳";

/// A plate as typed, in the one form it is stored and compared in: no
/// spaces or separator dot, letters upper-case (`粤b·12345` → `粤B12345`).
pub fn normalize_plate(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '·' | '.' | '-' | '•'))
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Whether `plate` (normalized) is a mainland plate: a province, a letter,
/// then five characters (six for a new-energy plate) of letters and digits,
/// the last of which may be a special ending.
pub fn is_plate(plate: &str) -> bool {
    let chars: Vec<char> = plate.chars().collect();
    if !(7..=8).contains(&chars.len()) || !PROVINCES.contains(chars[0]) {
        return false;
    }
    if !chars[1].is_ascii_uppercase() {
        return false;
    }
    let (last, middle) = chars[2..].split_last().expect("at least 5 characters");
    let plain = |c: &char| c.is_ascii_uppercase() || c.is_ascii_digit();
    middle.iter().all(plain) && (plain(last) || PLATE_ENDINGS.contains(*last))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) const AT: i64 = 1_796_000_000_000;

    pub(crate) fn visitor() -> VisitorEntry {
        VisitorEntry {
            id: "gv-1".into(),
            name: "张先生".into(),
            id_last4: "123X".into(),
            unit_label: "3栋2单元501".into(),
            zone: "A".into(),
            purpose: "探亲".into(),
            people: 2,
            in_at: AT,
            by: "guard-a".into(),
            by_name: "王强".into(),
            device: "gate".into(),
        }
    }

    pub(crate) fn vehicle() -> VehicleEntry {
        VehicleEntry {
            id: "gc-1".into(),
            plate: "粤B12345".into(),
            unit_label: "3栋2单元501".into(),
            zone: "A".into(),
            resident: false,
            in_at: AT,
            by: "guard-a".into(),
            by_name: "王强".into(),
            device: "gate".into(),
        }
    }

    #[test]
    fn plates_are_mainland_plates_in_one_form() {
        assert_eq!(normalize_plate(" 粤b·123 45 "), "粤B12345");
        for plate in ["粤B12345", "京AD12345", "沪A1234挂", "粤B1234学"] {
            assert!(is_plate(plate), "{plate}");
        }
        for plate in [
            "",
            "B12345",
            "粤12345",
            "粤B1234",
            "粤B123456789",
            "XXB12345",
            "粤B12#45",
        ] {
            assert!(!is_plate(plate), "{plate}");
        }
    }

    #[test]
    fn a_visitor_needs_a_name_a_unit_a_purpose_and_only_an_id_tail() {
        assert!(visitor().validate().is_ok());
        for broken in [
            VisitorEntry {
                name: " ".into(),
                ..visitor()
            },
            VisitorEntry {
                id_last4: "44030119900101123X".into(),
                ..visitor()
            },
            VisitorEntry {
                unit_label: String::new(),
                ..visitor()
            },
            VisitorEntry {
                people: 0,
                ..visitor()
            },
            VisitorEntry {
                people: MAX_PEOPLE + 1,
                ..visitor()
            },
        ] {
            assert!(broken.validate().is_err(), "{broken:?}");
        }
        assert!(vehicle().validate().is_ok());
        assert!(VehicleEntry {
            plate: "not a plate".into(),
            ..vehicle()
        }
        .validate()
        .is_err());
    }
}
