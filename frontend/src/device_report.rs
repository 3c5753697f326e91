//! The tablet's report to the office head's device list: `POST /api/device`
//! with how many changes and photos the server has not acknowledged (the
//! sync indicator's two counts), after each completed sync round and at
//! least every minute while online.
//!
//! Best effort and silent: a failed report is not retried (the next one says
//! the same), and nothing is shown. It reads the sync status; it must not
//! change it.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::blobs::PhotoStatus;
use crate::browser;
use crate::sync::SyncStatus;

/// How often the report is due even without a sync round.
const EVERY_MS: i64 = 60_000;
/// How often the reporter looks whether a report is due.
const CHECK: Duration = Duration::from_secs(5);
/// The closest two reports after sync rounds may be.
const AFTER_ROUND_MIN_MS: i64 = 5_000;

/// When the last report went out, and which sync round it followed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Sent {
    at: i64,
    round: Option<i64>,
}

/// Whether a report is due at `now`, after the round completed at `round`.
fn due(last: Sent, now: i64, round: Option<i64>) -> bool {
    let waited = now - last.at;
    waited >= EVERY_MS || (round != last.round && waited >= AFTER_ROUND_MIN_MS)
}

/// Reports for one signed-in session until [`stop`](Self::stop).
pub struct DeviceReporter {
    timer: Option<IntervalHandle>,
}

impl DeviceReporter {
    pub fn start(token: String, status: SyncStatus, photos: PhotoStatus) -> DeviceReporter {
        let last = Rc::new(Cell::new(Sent::default()));
        let token = Rc::new(token);
        let timer = set_interval_with_handle(
            move || {
                let (now, round) = (browser::now_ms(), status.last_sync.get_untracked());
                if !browser::is_online()
                    || !status.active.get_untracked()
                    || !due(last.get(), now, round)
                {
                    return;
                }
                last.set(Sent { at: now, round });
                let pending = status.pending.get_untracked() + photos.pending.get_untracked();
                let token = token.clone();
                spawn_local(async move {
                    let _ = api::report_device(&token, pending as u64).await;
                });
            },
            CHECK,
        );
        DeviceReporter { timer: timer.ok() }
    }

    pub fn stop(&mut self) {
        if let Some(timer) = self.timer.take() {
            timer.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn a_report_follows_each_round_and_every_minute() {
        let start = 1_000_000;
        let last = Sent {
            at: start,
            round: Some(start),
        };
        // Nothing new: not before a minute.
        assert!(!due(last, start + 30_000, Some(start)));
        assert!(due(last, start + EVERY_MS, Some(start)));
        // A round completed: soon, but not more than once per 5 s.
        assert!(due(last, start + 6_000, Some(start + 5_500)));
        assert!(!due(last, start + 1_000, Some(start + 900)));
        // The first report goes out at once.
        assert!(due(Sent::default(), start, None));
    }
}
