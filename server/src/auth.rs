//! Sign-in: Argon2id password hashes, random bearer tokens stored only as
//! SHA-256 hashes, and a throttle that slows down repeated failures.
//!
//! This module proves who someone is. What they may see is `access`'s job.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine;
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use rand::RngCore;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use crate::limits::Limits;
use crate::store::{run_blocking, Store, StoreError};

/// How long a token lives. Long, because tablets work offline for days; a
/// sign-out revokes it at once.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);

/// Hashes a password for storage (Argon2id, random salt, PHC string).
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::encode_b64(&random_bytes::<16>()).expect("16 bytes is a valid salt");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("hashing with default parameters succeeds")
        .to_string()
}

/// Checks a password against a stored hash. Deliberately slow (Argon2id).
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|hash| {
            Argon2::default()
                .verify_password(password.as_bytes(), &hash)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A stored hash to verify against when the username does not exist, so that
/// unknown users take as long as wrong passwords.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password that matches nothing"))
}

/// A new bearer token (256 random bits, URL-safe text).
pub fn new_token() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

/// What the database stores for a token.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

/// Counts failed sign-ins against a username and against a client address,
/// in the store, and locks either for a growing time once too many have
/// failed in a row: the name after [`FREE_ATTEMPTS`], the address after
/// `--failed-sign-ins-per-address` (over every name it tries). Kept in the
/// database, so every server on it throttles alike and a restart forgets
/// nothing. A success clears the name's count, not the address's.
pub struct SignInThrottle {
    store: Arc<dyn Store>,
    free_per_address: u32,
}

/// Failures against one name allowed before it is locked.
const FREE_ATTEMPTS: u32 = 5;
const FIRST_LOCK: Duration = Duration::from_secs(30);
const MAX_LOCK: Duration = Duration::from_secs(15 * 60);
/// A failure counts towards a lock for this long after the one before it.
const FAILURE_WINDOW: Duration = Duration::from_secs(3600);

/// How long `failures` in a row lock their key when `free` are allowed:
/// from 30 s, doubling with each further failure, to 15 minutes.
pub fn lock_for(failures: u32, free: u32) -> Option<Duration> {
    let over = failures.checked_sub(free)?;
    Some((FIRST_LOCK * 2u32.pow(over.min(10))).min(MAX_LOCK))
}

fn user_key(username: &str) -> String {
    format!("user:{}", username.to_lowercase())
}

fn address_key(address: Option<IpAddr>) -> String {
    address.map_or_else(|| "address:unknown".into(), |ip| format!("address:{ip}"))
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl SignInThrottle {
    pub fn new(store: Arc<dyn Store>, limits: &Limits) -> Self {
        Self {
            store,
            free_per_address: limits.failed_sign_ins_per_address.max(FREE_ATTEMPTS),
        }
    }

    /// `Ok(Err(seconds))` while the name or the address is locked.
    pub async fn check(
        &self,
        username: &str,
        address: Option<IpAddr>,
    ) -> Result<Result<(), u64>, StoreError> {
        let store = self.store.clone();
        let keys = (user_key(username), address_key(address));
        let until = run_blocking(move || store.sign_in_locked_until([&keys.0, &keys.1])).await?;
        let left_ms = until - now_ms();
        Ok(if left_ms > 0 {
            Err(((left_ms + 999) / 1000) as u64)
        } else {
            Ok(())
        })
    }

    pub async fn failed(&self, username: &str, address: Option<IpAddr>) -> Result<(), StoreError> {
        let store = self.store.clone();
        let counted = [
            (user_key(username), FREE_ATTEMPTS),
            (address_key(address), self.free_per_address),
        ];
        run_blocking(move || {
            let now = now_ms();
            for (key, free) in counted {
                let failures = store.count_sign_in_failure(&key, now, millis(FAILURE_WINDOW))?;
                if let Some(lock) = lock_for(failures, free) {
                    store.lock_sign_in(&key, now + millis(lock))?;
                }
            }
            Ok(())
        })
        .await
    }

    pub async fn succeeded(&self, username: &str) -> Result<(), StoreError> {
        let store = self.store.clone();
        let key = user_key(username);
        run_blocking(move || store.clear_sign_in_failures(&key)).await
    }
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// Bounds what sign-in attempts cost, whoever makes them and whatever
/// username they try: a rate over all clients and one per address (checked
/// before any work), and how many password checks run at once. Each Argon2id
/// check holds ~19 MiB and a core; without this a flood of attempts with
/// random usernames (which the per-name throttle never sees twice) exhausts
/// memory and starves every other request.
pub struct SignInGate {
    overall: DefaultDirectRateLimiter,
    per_address: DefaultKeyedRateLimiter<IpAddr>,
    /// One permit per checker thread: a sign-in waits here, not in a queue.
    checks: Semaphore,
    /// Checks in flight per address, so that one address flooding sign-ins
    /// holds at most [`CHECKS_PER_ADDRESS`] of the checkers and everyone
    /// else still gets one.
    by_address: Mutex<HashMap<IpAddr, std::sync::Arc<Semaphore>>>,
    checkers: std::sync::mpsc::Sender<Check>,
    wait: Duration,
}

/// Work for a checker thread: a password to check against a stored hash,
/// or one to hash for storage, and where to send the answer.
enum Check {
    Verify {
        password: String,
        stored: String,
        verdict: tokio::sync::oneshot::Sender<bool>,
    },
    Hash {
        password: String,
        hashed: tokio::sync::oneshot::Sender<String>,
    },
}

/// Why the gate turned an attempt away before checking its password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turned {
    /// Too many attempts from this address, or overall: retry after this many seconds.
    TooMany(u64),
    /// Every password check is busy for longer than the wait.
    Busy,
}

/// Sign-in attempts one address may make at once before its per-minute
/// rate applies: a shift change of a few guards at one router.
const ADDRESS_BURST: NonZeroU32 = NonZeroU32::new(10).expect("positive");

/// Password checks one address may have in flight; its further attempts
/// wait their turn without holding a checker.
const CHECKS_PER_ADDRESS: usize = 1;

/// The keyed limiter forgets quiet addresses once it holds this many.
const REMEMBERED_ADDRESSES: usize = 10_000;

impl SignInGate {
    pub fn new(limits: &Limits) -> Self {
        let per_second = NonZeroU32::new(limits.sign_ins_per_second.max(1)).expect("positive");
        let per_minute =
            NonZeroU32::new(limits.sign_ins_per_minute_per_address.max(1)).expect("positive");
        Self {
            overall: RateLimiter::direct(
                Quota::per_second(per_second)
                    .allow_burst(per_second.saturating_mul(NonZeroU32::new(2).expect("positive"))),
            ),
            // A burst well under the overall one, so that one address can
            // never spend everyone's allowance.
            per_address: RateLimiter::keyed(
                Quota::per_minute(per_minute).allow_burst(ADDRESS_BURST.min(per_minute)),
            ),
            checks: Semaphore::new(limits.sign_in_concurrency.max(1)),
            by_address: Mutex::new(HashMap::new()),
            checkers: spawn_checkers(limits.sign_in_concurrency.max(1)),
            wait: limits.sign_in_wait,
        }
    }

    /// Counts an attempt from `address` (unknown only in tests that serve
    /// without the accept loop); `Err` if it is over a rate.
    pub fn admit(&self, address: Option<IpAddr>) -> Result<(), Turned> {
        if let Some(address) = address {
            if self.per_address.len() > REMEMBERED_ADDRESSES {
                self.per_address.retain_recent();
            }
            self.per_address
                .check_key(&address)
                .map_err(|not_until| Turned::TooMany(retry_secs(&not_until)))?;
        }
        self.overall
            .check()
            .map_err(|not_until| Turned::TooMany(retry_secs(&not_until)))
    }

    /// Checks a password on one of the checker threads once one is free
    /// (and, for a known address, once its earlier attempts are done).
    pub async fn verify(
        &self,
        address: Option<IpAddr>,
        password: String,
        stored: String,
    ) -> Result<bool, Turned> {
        let deadline = tokio::time::Instant::now() + self.wait;
        let turn = match address {
            Some(address) => {
                let queue = self
                    .by_address
                    .lock()
                    .expect("address queues")
                    .entry(address)
                    .or_insert_with(|| std::sync::Arc::new(Semaphore::new(CHECKS_PER_ADDRESS)))
                    .clone();
                let turn = tokio::time::timeout_at(deadline, queue.acquire_owned()).await;
                Some(
                    turn.map_err(|_| Turned::Busy)?
                        .expect("the semaphore is never closed"),
                )
            }
            None => None,
        };
        let slot = tokio::time::timeout_at(deadline, self.checks.acquire())
            .await
            .map_err(|_| Turned::Busy)?
            .expect("the semaphore is never closed");
        let verdict = self.check(password, stored).await;
        drop(slot);
        drop(turn);
        if let Some(address) = address {
            let mut queues = self.by_address.lock().expect("address queues");
            // Nobody else waits on it: forget the address.
            if queues
                .get(&address)
                .is_some_and(|queue| std::sync::Arc::strong_count(queue) == 1)
            {
                queues.remove(&address);
            }
        }
        verdict
    }

    async fn check(&self, password: String, stored: String) -> Result<bool, Turned> {
        let (verdict, answer) = tokio::sync::oneshot::channel();
        self.checkers
            .send(Check::Verify {
                password,
                stored,
                verdict,
            })
            .map_err(|_| Turned::Busy)?;
        answer.await.map_err(|_| Turned::Busy)
    }

    /// Hashes a new password (a reset, a change, a new account) on a checker
    /// thread once one is free: it costs what a check costs, so it shares
    /// their bound.
    pub async fn hash(&self, password: String) -> Result<String, Turned> {
        let slot = tokio::time::timeout(self.wait, self.checks.acquire())
            .await
            .map_err(|_| Turned::Busy)?
            .expect("the semaphore is never closed");
        let (hashed, answer) = tokio::sync::oneshot::channel();
        self.checkers
            .send(Check::Hash { password, hashed })
            .map_err(|_| Turned::Busy)?;
        let hash = answer.await.map_err(|_| Turned::Busy);
        drop(slot);
        hash
    }
}

/// Starts the threads that check passwords. A fixed few, not the blocking
/// pool: each Argon2id check allocates ~19 MiB, and the allocator keeps
/// that per thread, so checks spread over the pool's many threads would
/// pin hundreds of MiB after a flood.
fn spawn_checkers(count: usize) -> std::sync::mpsc::Sender<Check> {
    let (checks, queue) = std::sync::mpsc::channel::<Check>();
    let queue = std::sync::Arc::new(Mutex::new(queue));
    for n in 0..count {
        let queue = queue.clone();
        std::thread::Builder::new()
            .name(format!("password-check-{n}"))
            .spawn(move || loop {
                let next = queue.lock().expect("checker queue").recv();
                let Ok(check) = next else { break };
                match check {
                    Check::Verify {
                        password,
                        stored,
                        verdict,
                    } => {
                        let _ = verdict.send(verify_password(&password, &stored));
                    }
                    Check::Hash { password, hashed } => {
                        let _ = hashed.send(hash_password(&password));
                    }
                }
            })
            .expect("start a password-check thread");
    }
    checks
}

fn retry_secs(not_until: &governor::NotUntil<governor::clock::QuantaInstant>) -> u64 {
    let clock = governor::clock::DefaultClock::default();
    not_until
        .wait_time_from(governor::clock::Clock::now(&clock))
        .as_secs()
        .max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_when_right() {
        let stored = hash_password("roundbook");
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify_password("roundbook", &stored));
        assert!(!verify_password("Roundbook", &stored));
        assert!(!verify_password("roundbook", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let (one, two) = (new_token(), new_token());
        assert_ne!(one, two);
        assert_eq!(one.len(), 43);
        assert_eq!(token_hash(&one).len(), 32);
        assert_ne!(token_hash(&one), token_hash(&two));
    }

    #[test]
    fn a_lock_starts_after_the_free_attempts_and_grows() {
        assert_eq!(lock_for(FREE_ATTEMPTS - 1, FREE_ATTEMPTS), None);
        assert_eq!(lock_for(FREE_ATTEMPTS, FREE_ATTEMPTS), Some(FIRST_LOCK));
        assert_eq!(
            lock_for(FREE_ATTEMPTS + 1, FREE_ATTEMPTS),
            Some(Duration::from_secs(60))
        );
        assert_eq!(lock_for(u32::MAX, FREE_ATTEMPTS), Some(MAX_LOCK));
    }

    #[tokio::test]
    async fn throttle_locks_a_name_after_repeated_failures_and_a_success_clears_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::sqlite::SqliteStore::open(&dir.path().join("db")).unwrap();
        store.migrate().unwrap();
        let limits = Limits::default();
        let throttle = SignInThrottle::new(Arc::new(store), &limits);
        let here = Some(IpAddr::from([10, 0, 0, 7]));
        for _ in 0..FREE_ATTEMPTS - 1 {
            throttle.failed("Guard-A", here).await.unwrap();
            assert_eq!(throttle.check("guard-a", here).await.unwrap(), Ok(()));
        }
        throttle.failed("guard-a", here).await.unwrap();
        let first = throttle.check("guard-a", here).await.unwrap().unwrap_err();
        assert!((29..=30).contains(&first), "{first}");
        throttle.failed("guard-a", here).await.unwrap();
        let second = throttle.check("GUARD-A", here).await.unwrap().unwrap_err();
        assert!((59..=60).contains(&second), "{second}");
        assert_eq!(throttle.check("guard-b", here).await.unwrap(), Ok(()));
        throttle.succeeded("guard-a").await.unwrap();
        assert_eq!(throttle.check("guard-a", here).await.unwrap(), Ok(()));
    }

    #[tokio::test]
    async fn an_address_guessing_many_names_is_locked_for_all_of_them() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::sqlite::SqliteStore::open(&dir.path().join("db")).unwrap();
        store.migrate().unwrap();
        let limits = Limits {
            failed_sign_ins_per_address: 8,
            ..Limits::default()
        };
        let throttle = SignInThrottle::new(Arc::new(store), &limits);
        let (guesser, office) = (
            Some(IpAddr::from([10, 0, 0, 9])),
            Some(IpAddr::from([10, 0, 0, 1])),
        );
        for n in 0..8 {
            throttle
                .failed(&format!("name-{n}"), guesser)
                .await
                .unwrap();
        }
        assert!(throttle.check("guard-a", guesser).await.unwrap().is_err());
        assert_eq!(throttle.check("guard-a", office).await.unwrap(), Ok(()));
    }
}
