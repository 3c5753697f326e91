//! Versioned schema migrations: the rule both backends follow to bring a
//! database to the schema this binary reads and writes.
//!
//! Each backend lists its numbered steps (`STEPS` in `sqlite.rs` and
//! `postgres/mod.rs`): version 1 is the schema of the last release that
//! recorded no version (6201350), and each later step changes it once. Both
//! lists have the same versions and names, so a version means the same thing
//! on either database. A database records every step it took in
//! `schema_migrations`; its version is the highest recorded.
//!
//! Migrating runs, in one transaction that holds the backend's migration lock,
//! every step after the recorded version, recording each. So servers starting
//! at once migrate once, and a failed migration leaves the database as it was.
//! A database made before versions were recorded has Roundbook's tables and
//! no record: it is recognised as version 1 (*adopted*) and its later steps
//! run. A database recorded at a version newer than the last step here is
//! refused ([`StoreError::TooNew`]): a newer release migrated it, and this
//! binary would misread it.
//!
//! Must not: change a released step (add a new one), go down a version, or
//! run outside the migration transaction.

use std::fmt;

use super::{StoreError, StoreResult};

/// A schema version: the number of the last migration step a database took.
pub type SchemaVersion = u32;

/// The version this binary migrates to and reads: the last step of both
/// backends.
pub const CURRENT: SchemaVersion = 6;

/// One numbered migration step of a backend.
#[derive(Debug, Clone, Copy)]
pub struct Step {
    pub version: SchemaVersion,
    /// The same on both backends; recorded with the version.
    pub name: &'static str,
    pub sql: &'static str,
}

/// What a migration did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migrated {
    /// The version the database was at (1 for an adopted one).
    pub from: SchemaVersion,
    /// The version it is at now.
    pub to: SchemaVersion,
    /// It had no version recorded (made before versions were) and was
    /// recognised as version 1.
    pub adopted: bool,
}

impl fmt::Display for Migrated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.adopted {
            write!(
                f,
                "no schema version was recorded (a database made before versions were): \
                 recognised as version 1; "
            )?;
        }
        if self.from == self.to {
            write!(f, "schema version {}: already current", self.to)
        } else {
            write!(f, "schema version {} -> {}: migrated", self.from, self.to)
        }
    }
}

/// The tables of version 1: a database without a recorded version that has
/// any of them was made by a release from before versions were recorded.
pub(crate) const VERSION_1_TABLES: [&str; 10] = [
    "sites",
    "zones",
    "accounts",
    "sessions",
    "documents",
    "chunks",
    "blobs",
    "blob_zones",
    "uploads",
    "upload_parts",
];

/// A backend's side of a migration, inside its migration transaction.
pub(crate) trait Migrator {
    /// Creates `schema_migrations` if it is missing.
    fn create_history(&mut self) -> StoreResult<()>;
    /// The highest version recorded, 0 if none.
    fn recorded(&mut self) -> StoreResult<SchemaVersion>;
    /// How many of `tables` exist.
    fn count_tables(&mut self, tables: &[&str]) -> StoreResult<usize>;
    /// Whether an unversioned database is exactly as the last unversioned
    /// release left it (every table, every column), so adopting it changes
    /// nothing.
    fn is_version_1(&mut self) -> StoreResult<bool>;
    /// Brings an older unversioned database to version 1, as the last
    /// unversioned release did at every start.
    fn complete_version_1(&mut self, step_1: &Step) -> StoreResult<()>;
    fn execute(&mut self, sql: &str) -> StoreResult<()>;
    fn record(&mut self, step: &Step, adopted: bool, now_unix: i64) -> StoreResult<()>;
}

/// Takes the database to `target` (at most the last of `steps`).
pub(crate) fn run(
    migrator: &mut dyn Migrator,
    steps: &[Step],
    target: SchemaVersion,
    now_unix: i64,
) -> StoreResult<Migrated> {
    let latest = latest(steps);
    debug_assert!(target <= latest, "no step {target}");
    migrator.create_history()?;
    let mut from = migrator.recorded()?;
    if from > latest {
        return Err(StoreError::TooNew {
            found: from,
            supported: latest,
        });
    }
    let adopted = from == 0 && migrator.count_tables(&VERSION_1_TABLES)? > 0;
    if adopted {
        if !migrator.is_version_1()? {
            migrator.complete_version_1(&steps[0])?;
        }
        migrator.record(&steps[0], true, now_unix)?;
        from = 1;
    }
    let mut to = from;
    for step in steps {
        if step.version > from && step.version <= target {
            migrator.execute(step.sql)?;
            migrator.record(step, false, now_unix)?;
            to = step.version;
        }
    }
    if to != from {
        tracing::info!(from, to, "migrated the database schema");
    }
    Ok(Migrated { from, to, adopted })
}

/// The version the last of `steps` brings a database to.
pub(crate) fn latest(steps: &[Step]) -> SchemaVersion {
    steps.last().map_or(0, |step| step.version)
}

/// Checks that a backend's steps are numbered 1, 2, … in order.
#[cfg(test)]
pub(crate) fn assert_numbered(steps: &[Step]) {
    for (index, step) in steps.iter().enumerate() {
        assert_eq!(step.version as usize, index + 1, "step {}", step.name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{postgres, sqlite};

    #[test]
    fn both_backends_number_and_name_their_steps_alike() {
        assert_numbered(sqlite::STEPS);
        assert_numbered(postgres::STEPS);
        let names = |steps: &[Step]| steps.iter().map(|step| step.name).collect::<Vec<_>>();
        assert_eq!(names(sqlite::STEPS), names(postgres::STEPS));
        assert_eq!(latest(sqlite::STEPS), CURRENT);
    }

    #[test]
    fn reports_say_what_happened() {
        let migrated = Migrated {
            from: 1,
            to: 2,
            adopted: true,
        };
        assert_eq!(
            migrated.to_string(),
            "no schema version was recorded (a database made before versions were): \
             recognised as version 1; schema version 1 -> 2: migrated"
        );
        let current = Migrated {
            from: 2,
            to: 2,
            adopted: false,
        };
        assert_eq!(current.to_string(), "schema version 2: already current");
    }
}
