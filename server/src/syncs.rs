//! The sync sockets open on this server, by session and by user: how many one
//! user may hold and how many all users may, and the switch that ends a
//! session's sockets at once when it is signed out (or its user disabled).
//!
//! It only counts and signals; `connection` closes its socket when told.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

/// Why a new sync socket was turned away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Full {
    User,
    Server,
}

#[derive(Default)]
pub struct OpenSyncs {
    open: Mutex<HashMap<u64, Open>>,
    next: AtomicU64,
}

struct Open {
    username: String,
    token_hash: Vec<u8>,
    end: Arc<Notify>,
}

/// One admitted sync socket: counted until dropped, and told when its
/// session ends.
pub struct Ticket {
    syncs: Arc<OpenSyncs>,
    id: u64,
    end: Arc<Notify>,
}

impl OpenSyncs {
    /// Admits a sync socket for `username`'s session `token_hash`, unless the
    /// user already holds `per_user` or the server `overall`.
    pub fn admit(
        self: &Arc<Self>,
        username: &str,
        token_hash: &[u8],
        per_user: usize,
        overall: usize,
    ) -> Result<Ticket, Full> {
        let mut open = self.open.lock().expect("open syncs");
        if open.len() >= overall {
            return Err(Full::Server);
        }
        if open.values().filter(|o| o.username == username).count() >= per_user {
            return Err(Full::User);
        }
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let end = Arc::new(Notify::new());
        open.insert(
            id,
            Open {
                username: username.to_owned(),
                token_hash: token_hash.to_vec(),
                end: end.clone(),
            },
        );
        Ok(Ticket {
            syncs: self.clone(),
            id,
            end,
        })
    }

    /// Ends every socket of one session (a sign-out).
    pub fn end_session(&self, token_hash: &[u8]) {
        self.end_where(|open| open.token_hash == token_hash);
    }

    /// Ends every socket of these sessions (ended remotely).
    pub fn end_sessions(&self, token_hashes: &[Vec<u8>]) {
        self.end_where(|open| token_hashes.contains(&open.token_hash));
    }

    /// Ends every socket of one user (disabled, or their password reset).
    pub fn end_user(&self, username: &str) {
        self.end_where(|open| open.username == username);
    }

    /// How many sockets are open.
    pub fn len(&self) -> usize {
        self.open.lock().expect("open syncs").len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn end_where(&self, matches: impl Fn(&Open) -> bool) {
        for open in self.open.lock().expect("open syncs").values() {
            if matches(open) {
                // Stored if the socket is not waiting right now: never lost.
                open.end.notify_one();
            }
        }
    }
}

impl Ticket {
    /// Completes when the socket's session has been ended here.
    pub async fn ended(&self) {
        self.end.notified().await;
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.syncs.open.lock().expect("open syncs").remove(&self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn caps_per_user_and_overall_and_ends_sessions() {
        let syncs = Arc::new(OpenSyncs::default());
        let a1 = syncs.admit("guard-a", b"t1", 2, 3).unwrap();
        let _a2 = syncs.admit("guard-a", b"t2", 2, 3).unwrap();
        assert_eq!(syncs.admit("guard-a", b"t1", 2, 3).err(), Some(Full::User));
        let _b = syncs.admit("guard-b", b"t3", 2, 3).unwrap();
        assert_eq!(
            syncs.admit("guard-c", b"t4", 2, 3).err(),
            Some(Full::Server)
        );

        syncs.end_session(b"t1");
        tokio::time::timeout(std::time::Duration::from_secs(1), a1.ended())
            .await
            .expect("the signed-out session's socket is told at once");
        drop(a1);
        assert_eq!(syncs.len(), 2);
        assert!(syncs.admit("guard-a", b"t1", 2, 3).is_ok());
    }
}
