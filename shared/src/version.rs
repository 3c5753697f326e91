//! Which release a peer is: its app build, and the version of the document
//! rules its tablets write. A tablet names both when it joins; the server
//! answers with the rules it accepts. So a tablet that is too old for its
//! server (or too new, after a rollback) learns it at the handshake, keeps
//! every change it holds, stops offering them and tells its user, instead
//! of being refused document by document like a hostile client.
//!
//! This module only names versions and judges a pair; the server's
//! connection and the tablet's `Replica` act on the verdict.

use serde::{Deserialize, Serialize};

/// This build's name: `ROUNDBOOK_BUILD` at compile time (the scripts set it
/// from the source revision), else the crate version.
pub const BUILD: &str = match option_env!("ROUNDBOOK_BUILD") {
    Some(build) => build,
    None => env!("CARGO_PKG_VERSION"),
};

/// The version of the document rules this build's tablets write and its
/// server enforces. Bump it when a server would refuse or misread what the
/// previous build's tablets write (a new required field, a shape rule, a
/// renamed role or kind), and keep [`OLDEST_ACCEPTED_RULES`] at the oldest
/// version whose changes this server still takes (with a compatibility
/// rule where needed, docs/upgrades.md). Additions that older readers skip
/// need no bump. A bump comes with a step in [`crate::upgrade`] that brings
/// a tablet's pending records to the new rules. (Rules 2 exist only in the
/// upgrade test's build B, feature `upgrade-test-b`.)
pub const RULES_VERSION: u32 = if cfg!(feature = "upgrade-test-b") {
    2
} else {
    1
};

/// The oldest rules whose changes this build's server accepts.
pub const OLDEST_ACCEPTED_RULES: u32 = 1;

/// The rules a server accepts, as it tells a tablet at the handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accepts {
    pub oldest: u32,
    pub newest: u32,
}

impl Accepts {
    /// What this build's server accepts.
    pub const THIS_BUILD: Accepts = Accepts {
        oldest: OLDEST_ACCEPTED_RULES,
        newest: RULES_VERSION,
    };

    /// How a tablet writing `rules` stands with a server accepting `self`.
    /// A peer that names no rules (automerge-repo in JavaScript, a tool) is
    /// judged by the server's shape rules alone.
    pub fn judge(self, rules: Option<u32>) -> Verdict {
        match rules {
            Some(rules) if rules < self.oldest => Verdict::TabletTooOld,
            Some(rules) if rules > self.newest => Verdict::TabletTooNew,
            _ => Verdict::Compatible,
        }
    }
}

/// A tablet's standing with a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Compatible,
    /// The tablet must update its app before it syncs again.
    TabletTooOld,
    /// The server runs an older release (a rollback): the tablet waits for it.
    TabletTooNew,
}

/// What a server tells a tablet it will not sync with, in the `error` frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Mismatch {
    pub verdict: Verdict,
    /// The server's build.
    pub server_build: String,
    pub accepts: Accepts,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judges_rules_against_the_accepted_range() {
        let accepts = Accepts {
            oldest: 2,
            newest: 3,
        };
        assert_eq!(accepts.judge(Some(1)), Verdict::TabletTooOld);
        assert_eq!(accepts.judge(Some(2)), Verdict::Compatible);
        assert_eq!(accepts.judge(Some(3)), Verdict::Compatible);
        assert_eq!(accepts.judge(Some(4)), Verdict::TabletTooNew);
        assert_eq!(accepts.judge(None), Verdict::Compatible);
        assert_eq!(
            Accepts::THIS_BUILD.judge(Some(RULES_VERSION)),
            Verdict::Compatible
        );
    }
}
