//! The listening side of live push between servers: one thread per server
//! with a connection of its own, `LISTEN`ing on [`CHANNEL`], that passes
//! other servers' chunk news to the hub and skips this server's own. When the
//! connection fails it connects again and says news may have been missed
//! ([`Elsewhere::Missed`]). It reads nothing but notifications: catching up is
//! the hub's job.

use std::time::Duration;

use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, NoTls};
use tokio::sync::mpsc;

use roundbook_shared::ids::DocumentId;

use super::CHANNEL;
use crate::store::{ChunkSeq, Elsewhere, StoreResult};

/// How often an idle listening connection is checked for life.
const PING: Duration = Duration::from_secs(5);

/// Waits between attempts to listen again, doubling up to the second.
const RELISTEN_FIRST_WAIT: Duration = Duration::from_millis(200);
const RELISTEN_MAX_WAIT: Duration = Duration::from_secs(5);

/// The thread that listens for other servers' chunk writes and passes them
/// on to the hub, until the hub stops reading.
pub(super) struct Listener {
    config: postgres::Config,
    origin: String,
    news: mpsc::UnboundedSender<Elsewhere>,
}

/// Why relaying stopped.
enum Stop {
    /// The hub dropped its feed: the thread ends.
    HubGone,
    /// The connection failed: listen again, and say news may be missed.
    Lost(postgres::Error),
}

impl Listener {
    pub(super) fn new(
        config: postgres::Config,
        origin: String,
        news: mpsc::UnboundedSender<Elsewhere>,
    ) -> Self {
        Self {
            config,
            origin,
            news,
        }
    }

    /// Connects and starts listening.
    pub(super) fn listen(&self) -> StoreResult<Client> {
        let mut client = self.config.connect(NoTls)?;
        client.batch_execute(&format!("LISTEN {CHANNEL}"))?;
        Ok(client)
    }

    /// Relays news on `client` (made by [`Listener::listen`]) until the hub
    /// stops reading; blocks, so it runs on a thread of its own.
    pub(super) fn run(self, mut client: Client) {
        loop {
            match self.relay(&mut client) {
                Stop::HubGone => return,
                Stop::Lost(error) => {
                    tracing::warn!(%error, "lost the connection listening for other servers' changes")
                }
            }
            let Some(again) = self.listen_again() else {
                return;
            };
            client = again;
            tracing::info!("listening for other servers' changes again; re-reading live documents");
            if self.news.send(Elsewhere::Missed).is_err() {
                return;
            }
        }
    }

    /// Passes notifications on; pings when idle, so a dead connection is
    /// noticed rather than waited on.
    fn relay(&self, client: &mut Client) -> Stop {
        loop {
            let next = client.notifications().timeout_iter(PING).next();
            match next {
                Ok(Some(notification)) => {
                    if !self.pass_on(notification.payload()) {
                        return Stop::HubGone;
                    }
                }
                Ok(None) => {
                    if self.news.is_closed() {
                        return Stop::HubGone;
                    }
                    if let Err(error) = client.simple_query("") {
                        return Stop::Lost(error);
                    }
                }
                Err(error) => return Stop::Lost(error),
            }
        }
    }

    /// Forwards another server's news; false once the hub stopped reading.
    fn pass_on(&self, payload: &str) -> bool {
        let Some((origin, id, seq)) = parse_news(payload) else {
            tracing::warn!(payload, "unreadable chunk notification");
            return true;
        };
        origin == self.origin || self.news.send(Elsewhere::Changed { id, seq }).is_ok()
    }

    /// Connects and listens again, waiting longer after each failure; `None`
    /// once the hub stopped reading.
    fn listen_again(&self) -> Option<Client> {
        let mut wait = RELISTEN_FIRST_WAIT;
        loop {
            std::thread::sleep(wait);
            if self.news.is_closed() {
                return None;
            }
            match self.listen() {
                Ok(client) => return Some(client),
                Err(error) => tracing::warn!(%error, "could not listen for other servers' changes"),
            }
            wait = (wait * 2).min(RELISTEN_MAX_WAIT);
        }
    }
}

/// The payload announcing chunk `seq` of document `id`, written by the
/// store `origin`: `origin id seq`.
pub(super) fn news(origin: &str, id: &DocumentId, seq: ChunkSeq) -> String {
    format!("{origin} {id} {seq}")
}

/// The parts of a payload [`news`] wrote.
fn parse_news(payload: &str) -> Option<(&str, DocumentId, ChunkSeq)> {
    let mut parts = payload.split(' ');
    let origin = parts.next()?;
    let id = parts.next()?.parse().ok()?;
    let seq = parts.next()?.parse().ok()?;
    parts.next().is_none().then_some((origin, id, seq))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn news_reads_back_as_written() {
        let id = DocumentId::from_bytes([7; 16]);
        assert_eq!(parse_news(&news("00ff", &id, 42)), Some(("00ff", id, 42)));
        assert_eq!(parse_news("00ff nonsense 42"), None);
        assert_eq!(parse_news(&format!("00ff {id} 42 extra")), None);
    }
}
