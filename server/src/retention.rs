//! Deletes the documents past their kind's keeping (the gate book's
//! visitors and plates after 90 days: `roundbook_shared::retention`), whole,
//! so nothing of them is left in any history the server serves.
//!
//! A pass runs at start and every [`PURGE_EVERY`]; a document someone is
//! syncing right now is left to the next pass. The access rules refuse an
//! expired document from the moment it expires (`Access::resolve`), so a
//! tablet cannot bring it back in between. What tablets do with their own
//! copy is theirs (`frontend/src/documents.rs`).
//!
//! This module must not decide what expires: that is the shared rule, which
//! the tablets apply too.

use std::time::Duration;

use chrono::{Days, NaiveDate};
use roundbook_shared::domain::local_date;
use roundbook_shared::retention::expired;
use roundbook_shared::schema::DocKind;

use crate::hub::Hub;
use crate::state::AppState;
use crate::store::{Store, StoreResult};

/// How often a pass runs.
pub const PURGE_EVERY: Duration = Duration::from_secs(3600);

/// One pass on `today`: deletes every expired document nobody is syncing,
/// and says how many it deleted.
pub fn purge(store: &dyn Store, hub: &Hub, today: NaiveDate) -> StoreResult<usize> {
    let mut deleted = 0;
    for kind in DocKind::ALL.iter().copied() {
        let Some(days) = kind.spec().keep_days else {
            continue;
        };
        // Only documents whose period started before this can have expired.
        let before = today
            .checked_sub_days(Days::new(days.into()))
            .unwrap_or(today);
        for key in store.documents_before(kind, before)? {
            let id = key.document_id();
            if !expired(&key, today) || hub.is_open(&id) {
                continue;
            }
            store.delete_document(&id)?;
            tracing::info!(%id, kind = kind.as_str(), period = ?key.period(), "deleted past its keeping");
            deleted += 1;
        }
    }
    Ok(deleted)
}

/// Runs [`purge`] now and every [`PURGE_EVERY`], in the background.
pub fn keep_purging(app: AppState) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(PURGE_EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let (store, hub) = (app.store.clone(), app.hub.clone());
            let today = local_date(chrono::Utc::now().timestamp_millis());
            let pass = tokio::task::spawn_blocking(move || purge(store.as_ref(), &hub, today));
            match pass.await {
                Ok(Ok(0)) => {}
                Ok(Ok(deleted)) => tracing::info!(deleted, "retention pass"),
                Ok(Err(error)) => tracing::warn!(%error, "retention pass failed"),
                Err(error) => tracing::warn!(%error, "retention pass stopped"),
            }
        }
    });
}
