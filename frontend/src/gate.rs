//! The gate book on the tablet: the entries and exits of the gate logs it
//! holds (the last week's days), letting a visitor or a vehicle in and
//! recording them out, offline.
//!
//! An entry lives in the site's gate log of the day it came in
//! (`DocKey::gate_log`), and its exit in that same log, however much later.
//! What the entries add up to is `roundbook_shared::gate`; the screen is
//! `ui::gate`.

use roundbook_shared::domain::local_date;
use roundbook_shared::gate::{self, GateRefusal, Passage};
use roundbook_shared::schema::gate::{
    is_id_tail, is_plate, normalize_plate, GateExit, VehicleEntry, VisitorEntry, MAX_PEOPLE,
};
use roundbook_shared::schema::{list, DocKey, DocKind, Record};

use crate::documents::{EditError, Library};
use crate::session::Actor;
use crate::writer::Writer;

/// Why an entry or an exit was not recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GateError {
    NameNeeded,
    /// The identity document is kept as its last four characters only.
    BadIdTail,
    UnitNeeded,
    PurposeNeeded,
    BadPeople,
    BadPlate,
    TextTooLong,
    Refused(GateRefusal),
    NotFound,
    Busy,
    NotSaved(String),
}

impl From<EditError<GateError>> for GateError {
    fn from(error: EditError<GateError>) -> Self {
        match error {
            EditError::Refused(error) => error,
            EditError::NotHeld => GateError::NotFound,
            EditError::Busy => GateError::Busy,
            EditError::Storage(error) => GateError::NotSaved(error.to_string()),
            EditError::Unloadable(reason) => GateError::NotSaved(reason),
        }
    }
}

/// What the visitor form filled in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VisitorDraft {
    pub name: String,
    pub id_last4: String,
    pub unit_label: String,
    pub zone: String,
    pub purpose: String,
    pub people: String,
}

/// What the vehicle form filled in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VehicleDraft {
    pub plate: String,
    pub unit_label: String,
    pub zone: String,
    pub resident: bool,
}

/// Every entry of every gate log this tablet holds, with its exit (those
/// inside first).
pub fn passages(library: &Library) -> Vec<Passage> {
    let (mut visitors, mut vehicles, mut exits) = (Vec::new(), Vec::new(), Vec::new());
    for key in library
        .held_keys()
        .into_iter()
        .filter(|key| key.kind == DocKind::GateLog)
    {
        library.with_doc(&key, |doc| {
            visitors.extend(list::<VisitorEntry>(doc).unwrap_or_default());
            vehicles.extend(list::<VehicleEntry>(doc).unwrap_or_default());
            exits.extend(list::<GateExit>(doc).unwrap_or_default());
        });
    }
    gate::passages(visitors, vehicles, &exits)
}

fn new_id(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

/// The visitor a form asks for, refusing a form that misses what it needs.
fn visitor_of(draft: &VisitorDraft, actor: &Actor, now: i64) -> Result<VisitorEntry, GateError> {
    let id_last4 = draft.id_last4.trim().to_ascii_uppercase();
    if draft.name.trim().is_empty() {
        return Err(GateError::NameNeeded);
    }
    if !id_last4.is_empty() && !is_id_tail(&id_last4) {
        return Err(GateError::BadIdTail);
    }
    if draft.unit_label.trim().is_empty() {
        return Err(GateError::UnitNeeded);
    }
    if draft.purpose.trim().is_empty() {
        return Err(GateError::PurposeNeeded);
    }
    let people = match draft.people.trim() {
        "" => 1,
        text => text.parse::<u32>().map_err(|_| GateError::BadPeople)?,
    };
    if !(1..=MAX_PEOPLE).contains(&people) {
        return Err(GateError::BadPeople);
    }
    let visitor = VisitorEntry {
        id: new_id("gv"),
        name: draft.name.trim().to_owned(),
        id_last4,
        unit_label: draft.unit_label.trim().to_owned(),
        zone: draft.zone.trim().to_owned(),
        purpose: draft.purpose.trim().to_owned(),
        people,
        in_at: now,
        by: actor.username.clone(),
        by_name: actor.name.clone(),
        device: actor.device.clone(),
    };
    visitor.validate().map_err(|_| GateError::TextTooLong)?;
    Ok(visitor)
}

/// The vehicle a form asks for: a real plate, not one already inside.
fn vehicle_of(
    draft: &VehicleDraft,
    inside: &[Passage],
    actor: &Actor,
    now: i64,
) -> Result<VehicleEntry, GateError> {
    let plate = normalize_plate(&draft.plate);
    if !is_plate(&plate) {
        return Err(GateError::BadPlate);
    }
    gate::check_vehicle(&plate, inside).map_err(GateError::Refused)?;
    let vehicle = VehicleEntry {
        id: new_id("gc"),
        plate,
        unit_label: draft.unit_label.trim().to_owned(),
        zone: draft.zone.trim().to_owned(),
        resident: draft.resident,
        in_at: now,
        by: actor.username.clone(),
        by_name: actor.name.clone(),
        device: actor.device.clone(),
    };
    vehicle.validate().map_err(|_| GateError::TextTooLong)?;
    Ok(vehicle)
}

/// Stores `record` in the gate log of the day holding `day_of`, making
/// the log on this tablet if it has none yet.
async fn store<R: Record>(
    writer: &Writer,
    site: &str,
    day_of: i64,
    record: &R,
    now: i64,
) -> Result<(), GateError> {
    let key = DocKey::gate_log(site, local_date(day_of));
    writer
        .put_into(&key, record, now, |error| {
            GateError::NotSaved(error.to_string())
        })
        .await?;
    Ok(())
}

/// Lets a visitor in: the entry goes into today's gate log.
pub async fn let_visitor_in(
    writer: &Writer,
    site: &str,
    draft: &VisitorDraft,
    actor: &Actor,
    now: i64,
) -> Result<VisitorEntry, GateError> {
    let visitor = visitor_of(draft, actor, now)?;
    store(writer, site, now, &visitor, now).await?;
    Ok(visitor)
}

/// Lets a vehicle in, unless its plate is inside already.
pub async fn let_vehicle_in(
    writer: &Writer,
    site: &str,
    draft: &VehicleDraft,
    actor: &Actor,
    now: i64,
) -> Result<VehicleEntry, GateError> {
    let vehicle = vehicle_of(draft, &passages(writer.library()), actor, now)?;
    store(writer, site, now, &vehicle, now).await?;
    Ok(vehicle)
}

/// Records the entry `entry_id` gone out, in its entry's log.
pub async fn let_out(
    writer: &Writer,
    site: &str,
    entry_id: &str,
    actor: &Actor,
    now: i64,
) -> Result<GateExit, GateError> {
    let passage = passages(writer.library())
        .into_iter()
        .find(|passage| passage.entry.id() == entry_id)
        .ok_or(GateError::NotFound)?;
    gate::check_exit(&passage, now).map_err(GateError::Refused)?;
    let exit = GateExit {
        id: new_id("ge"),
        entry_id: entry_id.to_owned(),
        out_at: now,
        by: actor.username.clone(),
        by_name: actor.name.clone(),
        device: actor.device.clone(),
    };
    store(writer, site, passage.entry.in_at(), &exit, now).await?;
    Ok(exit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    const NOW: i64 = 1_796_000_000_000;

    fn actor() -> Actor {
        Actor {
            username: "guard-a".into(),
            name: "王强".into(),
            device: "gate".into(),
        }
    }

    fn visitor() -> VisitorDraft {
        VisitorDraft {
            name: "张先生".into(),
            id_last4: "123x".into(),
            unit_label: "3栋501".into(),
            zone: "A".into(),
            purpose: "探亲".into(),
            people: "2".into(),
        }
    }

    #[wasm_bindgen_test]
    fn a_visitor_form_missing_what_the_gate_needs_is_refused() {
        let entry = visitor_of(&visitor(), &actor(), NOW).unwrap();
        assert_eq!((entry.id_last4.as_str(), entry.people), ("123X", 2));
        let cases = [
            (
                VisitorDraft {
                    name: " ".into(),
                    ..visitor()
                },
                GateError::NameNeeded,
            ),
            (
                VisitorDraft {
                    id_last4: "440301199001011234".into(),
                    ..visitor()
                },
                GateError::BadIdTail,
            ),
            (
                VisitorDraft {
                    unit_label: String::new(),
                    ..visitor()
                },
                GateError::UnitNeeded,
            ),
            (
                VisitorDraft {
                    purpose: String::new(),
                    ..visitor()
                },
                GateError::PurposeNeeded,
            ),
            (
                VisitorDraft {
                    people: "0".into(),
                    ..visitor()
                },
                GateError::BadPeople,
            ),
            (
                VisitorDraft {
                    people: "两".into(),
                    ..visitor()
                },
                GateError::BadPeople,
            ),
        ];
        for (form, error) in cases {
            assert_eq!(visitor_of(&form, &actor(), NOW), Err(error), "{form:?}");
        }
    }

    #[wasm_bindgen_test]
    fn a_plate_must_be_a_plate_and_not_inside_already() {
        let draft = VehicleDraft {
            plate: "粤b 12345".into(),
            ..VehicleDraft::default()
        };
        let first = vehicle_of(&draft, &[], &actor(), NOW).unwrap();
        assert_eq!(first.plate, "粤B12345");
        let inside = gate::passages(Vec::new(), vec![first], &[]);
        assert_eq!(
            vehicle_of(&draft, &inside, &actor(), NOW + 1),
            Err(GateError::Refused(GateRefusal::AlreadyInside {
                since: NOW
            }))
        );
        let bad = VehicleDraft {
            plate: "12345".into(),
            ..VehicleDraft::default()
        };
        assert_eq!(
            vehicle_of(&bad, &[], &actor(), NOW),
            Err(GateError::BadPlate)
        );
    }
}
