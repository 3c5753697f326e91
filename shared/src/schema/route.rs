//! Patrol routes: an ordered walk through a zone's checkpoints.
//!
//! Routes live in the zone directory. The order of a route is stored as one
//! value, so two supervisors reordering it offline end with one of their two
//! orders (Automerge's deterministic winner), never an interleaving of both.

use automerge::Automerge;
use serde::{Deserialize, Serialize};

use super::record::ReadRecords;
use super::{check_id, check_text, list, put, Container, Record, SchemaError};

/// Name of the root map holding routes by id.
pub const ROUTES: &str = Container::Routes.name();

/// The most checkpoints one route may have.
pub const MAX_CHECKPOINTS: usize = 100;

/// Checkpoint ids in walking order, stored as one space-separated string
/// (read from a list too).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct CheckpointOrder(pub Vec<String>);

impl Serialize for CheckpointOrder {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0.join(" "))
    }
}

impl<'de> Deserialize<'de> for CheckpointOrder {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Stored {
            Joined(String),
            Listed(Vec<String>),
        }
        Ok(CheckpointOrder(match Stored::deserialize(deserializer)? {
            Stored::Joined(text) => text.split_whitespace().map(str::to_owned).collect(),
            Stored::Listed(ids) => ids,
        }))
    }
}

impl CheckpointOrder {
    pub fn contains(&self, checkpoint_id: &str) -> bool {
        self.0.iter().any(|id| id == checkpoint_id)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A patrol route (巡逻路线).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Route {
    pub id: String,
    pub name: String,
    pub checkpoints: CheckpointOrder,
    /// Retired routes are kept (old rounds refer to them) but offer no new rounds.
    #[serde(default)]
    pub retired: bool,
}

impl Record for Route {
    const CONTAINER: Container = Container::Routes;

    fn id(&self) -> &str {
        &self.id
    }

    fn validate(&self) -> Result<(), SchemaError> {
        check_id("route", &self.id)?;
        check_text("route name", &self.name, true, 100)?;
        if self.checkpoints.is_empty() || self.checkpoints.len() > MAX_CHECKPOINTS {
            return Err(SchemaError::Invalid(format!(
                "a route needs 1 to {MAX_CHECKPOINTS} checkpoints"
            )));
        }
        for (index, id) in self.checkpoints.0.iter().enumerate() {
            check_id("checkpoint", id)?;
            if self.checkpoints.0[..index].contains(id) {
                return Err(SchemaError::Invalid(format!(
                    "checkpoint {id} is twice on the route"
                )));
            }
        }
        Ok(())
    }

    /// By name.
    fn order(a: &Self, b: &Self) -> std::cmp::Ordering {
        a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id))
    }
}

/// Every route of the zone (retired ones too), ordered by name.
pub fn routes(doc: &impl ReadRecords) -> Result<Vec<Route>, SchemaError> {
    list(doc)
}

/// Adds or replaces a route, as one change. Every checkpoint must exist in `doc`.
pub fn put_route(doc: &mut Automerge, route: &Route, unix_ms: i64) -> Result<(), SchemaError> {
    route.validate()?;
    let known = super::directory::checkpoints(doc)?;
    if let Some(unknown) = route
        .checkpoints
        .0
        .iter()
        .find(|id| !known.iter().any(|checkpoint| &checkpoint.id == *id))
    {
        return Err(SchemaError::Invalid(format!(
            "checkpoint {unknown} is not in this zone"
        )));
    }
    put(doc, route, unix_ms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::directory::{put_checkpoint, Checkpoint};
    use crate::schema::DocKey;

    fn zone_with_checkpoints() -> Automerge {
        let mut doc = DocKey::zone_directory("demo", "A").genesis();
        for n in 1..=3 {
            let checkpoint = Checkpoint {
                id: format!("cp{n}"),
                code: format!("A-0{n}"),
                name: format!("Point {n}"),
                location: String::new(),
                retired: false,
            };
            put_checkpoint(&mut doc, &checkpoint, 0).unwrap();
        }
        doc
    }

    fn route(order: &[&str]) -> Route {
        Route {
            id: "r1".into(),
            name: "Night".into(),
            checkpoints: CheckpointOrder(order.iter().map(|id| id.to_string()).collect()),
            retired: false,
        }
    }

    #[test]
    fn routes_round_trip_in_order() {
        let mut doc = zone_with_checkpoints();
        put_route(&mut doc, &route(&["cp3", "cp1", "cp2"]), 0).unwrap();
        assert_eq!(routes(&doc).unwrap(), vec![route(&["cp3", "cp1", "cp2"])]);
    }

    #[test]
    fn refuses_unknown_duplicate_or_missing_checkpoints() {
        let mut doc = zone_with_checkpoints();
        let heads = doc.get_heads();
        for order in [&["cp1", "cp9"][..], &["cp1", "cp1"], &[]] {
            assert!(put_route(&mut doc, &route(order), 0).is_err(), "{order:?}");
        }
        assert_eq!(doc.get_heads(), heads);
    }

    #[test]
    fn concurrent_reorders_keep_one_whole_order() {
        let mut first = zone_with_checkpoints();
        put_route(&mut first, &route(&["cp1", "cp2", "cp3"]), 0).unwrap();
        let mut second = first.fork();
        put_route(&mut first, &route(&["cp3", "cp2", "cp1"]), 0).unwrap();
        put_route(&mut second, &route(&["cp2", "cp1"]), 0).unwrap();
        first.merge(&mut second).unwrap();
        let order = routes(&first).unwrap()[0].checkpoints.0.clone();
        assert!(
            order == ["cp3", "cp2", "cp1"] || order == ["cp2", "cp1"],
            "{order:?}"
        );
    }
}
