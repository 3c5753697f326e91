//! CPU-bound Automerge work (applying a sync message, generating a reply,
//! checking a document's shape), run so that it cannot stall the server:
//! off the async workers that answer sign-ins and other sockets, a bounded
//! number of jobs at once, and with a panic caught and turned into an error
//! instead of tearing down the connection without a word.
//!
//! Inputs are bounded before they get here (`sync_guard`, the frame limit),
//! which is what bounds each job's time; this module bounds how many run.

use std::panic::{catch_unwind, AssertUnwindSafe};

use tokio::runtime::{Handle, RuntimeFlavor};
use tokio::sync::Semaphore;

/// Automerge panicked on a peer's input.
#[derive(Debug, thiserror::Error)]
#[error("Automerge failed on this input: {0}")]
pub struct Panicked(pub String);

pub struct Compute {
    jobs: Semaphore,
}

impl Compute {
    pub fn new(jobs: usize) -> Self {
        Self {
            jobs: Semaphore::new(jobs.max(1)),
        }
    }

    /// Runs `work` once a job slot is free, on a thread the runtime does not
    /// need for async tasks (`block_in_place`; on a single-threaded test
    /// runtime, in place).
    pub async fn run<T>(&self, work: impl FnOnce() -> T) -> Result<T, Panicked> {
        let _slot = self
            .jobs
            .acquire()
            .await
            .expect("the semaphore is never closed");
        let caught = || catch_unwind(AssertUnwindSafe(work));
        let outcome = match Handle::current().runtime_flavor() {
            RuntimeFlavor::CurrentThread => caught(),
            _ => tokio::task::block_in_place(caught),
        };
        outcome.map_err(|payload| {
            let message = payload
                .downcast_ref::<&str>()
                .map(|text| text.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic".into());
            Panicked(message)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_panic_is_an_error_and_the_slot_comes_back() {
        let compute = Compute::new(1);
        let failed = compute.run(|| -> u32 { panic!("division by zero") }).await;
        assert_eq!(failed.unwrap_err().0, "division by zero");
        assert_eq!(compute.run(|| 7).await.unwrap(), 7);
    }
}
