//! Sign-in: Argon2id password hashes, random bearer tokens stored only as
//! SHA-256 hashes, and a throttle that slows down repeated failures.
//!
//! This module proves who someone is. What they may see is `access`'s job.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine;
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use rand::RngCore;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use crate::limits::Limits;

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

/// Counts failed sign-ins per username and locks the name for a growing time
/// once a few have failed in a row. A success clears the count.
#[derive(Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, Failures>>,
}

struct Failures {
    count: u32,
    locked_until: Option<Instant>,
}

/// Failures allowed before the name is locked.
const FREE_ATTEMPTS: u32 = 5;
const MAX_LOCK: Duration = Duration::from_secs(15 * 60);

impl LoginThrottle {
    /// `Err(seconds)` while the name is locked.
    pub fn check(&self, username: &str, now: Instant) -> Result<(), u64> {
        let failures = self.failures.lock().expect("throttle lock");
        match failures
            .get(&username.to_lowercase())
            .and_then(|f| f.locked_until)
        {
            Some(until) if until > now => Err((until - now).as_secs().max(1)),
            _ => Ok(()),
        }
    }

    pub fn failed(&self, username: &str, now: Instant) {
        let mut failures = self.failures.lock().expect("throttle lock");
        let entry = failures.entry(username.to_lowercase()).or_insert(Failures {
            count: 0,
            locked_until: None,
        });
        entry.count += 1;
        if entry.count >= FREE_ATTEMPTS {
            let doublings = (entry.count - FREE_ATTEMPTS).min(10);
            let lock = (Duration::from_secs(30) * 2u32.pow(doublings)).min(MAX_LOCK);
            entry.locked_until = Some(now + lock);
        }
    }

    pub fn succeeded(&self, username: &str) {
        self.failures
            .lock()
            .expect("throttle lock")
            .remove(&username.to_lowercase());
    }
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

/// A password to check and where to send the verdict.
struct Check {
    password: String,
    stored: String,
    verdict: tokio::sync::oneshot::Sender<bool>,
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
            .send(Check {
                password,
                stored,
                verdict,
            })
            .map_err(|_| Turned::Busy)?;
        answer.await.map_err(|_| Turned::Busy)
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
                let verified = verify_password(&check.password, &check.stored);
                let _ = check.verdict.send(verified);
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
    fn throttle_locks_after_repeated_failures_and_grows() {
        let throttle = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..FREE_ATTEMPTS - 1 {
            throttle.failed("Guard-A", now);
            assert!(throttle.check("guard-a", now).is_ok());
        }
        throttle.failed("guard-a", now);
        let first = throttle.check("guard-a", now).unwrap_err();
        assert_eq!(first, 30);
        throttle.failed("guard-a", now);
        assert_eq!(throttle.check("guard-a", now).unwrap_err(), 60);
        assert!(throttle
            .check("guard-a", now + Duration::from_secs(61))
            .is_ok());
        assert!(throttle.check("guard-b", now).is_ok());
        throttle.succeeded("guard-a");
        assert!(throttle.check("guard-a", now).is_ok());
    }
}
