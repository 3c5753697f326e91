//! Patrol rounds: one guard walking one route once.
//!
//! A round is recorded when the guard starts it, with a copy of the route's
//! checkpoints at that moment (later route edits do not change a round under
//! way). Its scans ([`super::patrol`]) and findings ([`super::finding`]) point
//! to it by id and live in the same day's patrol log: the day it started.

use automerge::Automerge;
use serde::{Deserialize, Serialize};

use super::record::ReadRecords;
use super::route::CheckpointOrder;
use super::{
    check_author, check_id, check_span, check_text, get, list, put, Container, Record, SchemaError,
};

/// Name of the root map holding rounds by id.
pub const ROUNDS: &str = Container::Rounds.name();

/// One round of a route.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Round {
    pub id: String,
    pub route_id: String,
    /// The route's name at the start, kept for reports.
    pub route_name: String,
    /// The schedule the round counts for; empty for a round outside any schedule.
    pub schedule_id: String,
    /// The fixed round time it fulfils; `None` for an unannounced round.
    pub due_at: Option<i64>,
    /// The route's checkpoints when the round started, in walking order.
    pub checkpoints: CheckpointOrder,
    pub guard: String,
    pub guard_name: String,
    pub device: String,
    /// The tablet's clock at the start, Unix milliseconds.
    pub started_at: i64,
    /// Set when the guard finishes the round, complete or not.
    pub ended_at: Option<i64>,
}

impl Record for Round {
    const CONTAINER: Container = Container::Rounds;

    const MADE_AT: Option<&'static str> = Some("started_at");
    const AUTHOR: Option<&'static str> = Some("guard");

    fn id(&self) -> &str {
        &self.id
    }

    fn validate(&self) -> Result<(), SchemaError> {
        check_id("round", &self.id)?;
        check_id("route", &self.route_id)?;
        check_text("route name", &self.route_name, true, 100)?;
        if !self.schedule_id.is_empty() {
            check_id("schedule", &self.schedule_id)?;
        }
        if self.checkpoints.is_empty() {
            return Err(SchemaError::Invalid("a round without checkpoints".into()));
        }
        check_author("guard", &self.guard, &self.guard_name, &self.device)?;
        check_span("round", self.started_at, self.ended_at)?;
        Ok(())
    }

    /// Earliest first.
    fn order(a: &Self, b: &Self) -> std::cmp::Ordering {
        a.started_at
            .cmp(&b.started_at)
            .then_with(|| a.id.cmp(&b.id))
    }
}

/// Every well-formed round of the day, earliest first.
pub fn rounds(doc: &impl ReadRecords) -> Result<Vec<Round>, SchemaError> {
    list(doc)
}

/// One round by id.
pub fn round(doc: &Automerge, id: &str) -> Result<Option<Round>, SchemaError> {
    get(doc, id)
}

/// Records a round (its start, or later its end), as one change.
pub fn put_round(doc: &mut Automerge, round: &Round) -> Result<(), SchemaError> {
    put(doc, round, round.ended_at.unwrap_or(round.started_at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::patrol::round;
    use crate::fixtures::EVENING;
    use crate::schema::DocKey;
    use chrono::NaiveDate;

    #[test]
    fn a_round_is_started_then_ended() {
        let mut doc =
            DocKey::patrol_log("demo", "A", NaiveDate::from_ymd_opt(2026, 11, 23).unwrap())
                .genesis();
        let mut started = round("r-1", EVENING, &["cp1", "cp2"]);
        put_round(&mut doc, &started).unwrap();
        started.ended_at = Some(EVENING + 60_000);
        put_round(&mut doc, &started).unwrap();
        assert_eq!(rounds(&doc).unwrap(), vec![started.clone()]);
        started.ended_at = Some(EVENING - 1);
        assert!(put_round(&mut doc, &started).is_err());
    }
}
