//! A zone's resident directory: units (building, entrance, room) and the
//! residents of each unit, with their phone numbers. Confidential: only the
//! roles that serve residents hold this document (see `crate::reach`).
//!
//! Ids are derived from what a record is (a unit from its normalised
//! building, entrance and room; a resident from its unit and name), so two
//! tablets importing the same file offline make one unit, not two.

use automerge::Automerge;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::record::ReadRecords;
use super::record::{in_one_change, write};
use super::{check_text, check_word, list, Container, Record, SchemaError};
use crate::domain::is_resident_phone;

/// Units of the zone, keyed by unit id.
pub const UNITS: &str = Container::Units.name();
/// Residents, keyed by resident id; each names its unit.
pub const RESIDENTS: &str = Container::Residents.name();

/// How a resident relates to the unit.
pub const RELATIONS: [&str; 4] = ["owner", "tenant", "family", "other"];

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Unit {
    pub id: String,
    /// 楼栋, e.g. `3栋`.
    pub building: String,
    /// 单元 (may be empty for a building with one entrance).
    pub entrance: String,
    /// 房号, e.g. `501`.
    pub room: String,
    pub retired: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Resident {
    pub id: String,
    pub unit_id: String,
    pub name: String,
    pub phone: String,
    /// One of [`RELATIONS`].
    pub relation: String,
    pub retired: bool,
}

/// Spaces removed, full-width digits and letters made ASCII: `３栋 ` = `3栋`.
pub fn normalise(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .collect()
}

fn short_hash(parts: &[&str]) -> String {
    let digest = Sha256::digest(parts.join("\n"));
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// The unit's id, from its normalised building, entrance and room.
pub fn unit_id(building: &str, entrance: &str, room: &str) -> String {
    format!(
        "unit-{}",
        short_hash(&[&normalise(building), &normalise(entrance), &normalise(room)])
    )
}

/// A resident's id, from their unit and normalised name.
pub fn resident_id(unit_id: &str, name: &str) -> String {
    format!("res-{}", short_hash(&[unit_id, &normalise(name)]))
}

impl Unit {
    /// As staff write it: `3栋2单元501`.
    pub fn label(&self) -> String {
        let entrance = match self.entrance.as_str() {
            "" => String::new(),
            e if e.ends_with('单') || e.ends_with("单元") => e.to_owned(),
            e => format!("{e}单元"),
        };
        let building = if self.building.ends_with('栋') || self.building.ends_with('座') {
            self.building.clone()
        } else {
            format!("{}栋", self.building)
        };
        format!("{building}{entrance}{}", self.room)
    }
}

impl Record for Unit {
    const CONTAINER: Container = Container::Units;

    fn id(&self) -> &str {
        &self.id
    }

    fn validate(&self) -> Result<(), SchemaError> {
        check_text("building", &self.building, true, 16)?;
        check_text("entrance", &self.entrance, false, 16)?;
        check_text("room", &self.room, true, 16)?;
        if self.id != unit_id(&self.building, &self.entrance, &self.room) {
            return Err(SchemaError::Invalid("unit id does not match".into()));
        }
        Ok(())
    }

    /// By building, entrance and room, numbers in numeric order.
    fn order(a: &Self, b: &Self) -> std::cmp::Ordering {
        (natural(&a.building), natural(&a.entrance), natural(&a.room)).cmp(&(
            natural(&b.building),
            natural(&b.entrance),
            natural(&b.room),
        ))
    }
}

impl Record for Resident {
    const CONTAINER: Container = Container::Residents;
    const PERSONAL: bool = true;

    fn id(&self) -> &str {
        &self.id
    }

    fn validate(&self) -> Result<(), SchemaError> {
        check_text("name", &self.name, true, 32)?;
        if !self.phone.is_empty() && !is_resident_phone(&self.phone) {
            return Err(SchemaError::Invalid(format!("phone {:?}", self.phone)));
        }
        check_word("relation", &self.relation, &RELATIONS)?;
        if self.id != resident_id(&self.unit_id, &self.name) {
            return Err(SchemaError::Invalid("resident id does not match".into()));
        }
        Ok(())
    }
}

pub fn units(doc: &impl ReadRecords) -> Result<Vec<Unit>, SchemaError> {
    list(doc)
}

pub fn residents(doc: &impl ReadRecords) -> Result<Vec<Resident>, SchemaError> {
    list(doc)
}

/// Sorts `10栋` after `9栋`: the leading number, then the text.
fn natural(text: &str) -> (u64, String) {
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    (digits.parse().unwrap_or(u64::MAX), text.to_owned())
}

/// Writes units and residents (new ones added, existing ones updated) as one change.
pub fn put_directory(
    doc: &mut Automerge,
    units: &[Unit],
    residents: &[Resident],
    unix_ms: i64,
) -> Result<(), SchemaError> {
    in_one_change(doc, unix_ms, |tx| {
        units.iter().try_for_each(|unit| write(tx, unit))?;
        residents
            .iter()
            .try_for_each(|resident| write(tx, resident))
    })
}
