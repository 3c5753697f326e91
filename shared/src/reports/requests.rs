//! What the request reports (complaints, repair callbacks) read alike: a
//! zone's monthly request logs folded as they stood at the report's cutoff,
//! the households of a zone, and the facts both reports count the same way.
//!
//! **As of the cutoff.** A request received at or after the cutoff is left
//! out, and so is every event at or after it: the request is folded
//! ([`crate::workflow::fold`]) without them, so a later event neither counts
//! nor supersedes an earlier one. Only effective events (not superseded by
//! the workflow's rule for concurrent edits) are counted.

use std::collections::HashMap;

use super::{Cell, Documents, Month};
use crate::schema::record::ReadRecords;
use crate::schema::request::{request_events, requests, Action, RequestEvent, Satisfaction};
use crate::schema::resident::units;
use crate::schema::DocKey;
use crate::workflow::{fold, RequestView};

const MINUTE: i64 = 60_000;
const DAY: i64 = 24 * 60 * MINUTE;

/// The request log of `zone` for `month`.
pub(super) fn log_key(site: &str, zone: &str, month: Month) -> DocKey {
    DocKey::request_log(site, zone, month.first_day())
}

/// Every request of the logs of `keys` as it stood at `cutoff`.
pub(super) fn views_at(
    documents: &mut dyn Documents,
    keys: &[DocKey],
    cutoff: i64,
) -> Vec<RequestView> {
    let mut views = Vec::new();
    for key in keys {
        documents.with(key, &mut |doc| views.extend(fold_log(doc, cutoff)));
    }
    views
}

fn fold_log(doc: &impl ReadRecords, cutoff: i64) -> Vec<RequestView> {
    let events = request_events(doc).unwrap_or_default();
    let mut by_request: HashMap<&str, Vec<&RequestEvent>> = HashMap::new();
    for event in events.iter().filter(|event| event.at < cutoff) {
        by_request
            .entry(event.request_id.as_str())
            .or_default()
            .push(event);
    }
    requests(doc)
        .unwrap_or_default()
        .into_iter()
        .filter(|request| request.received_at < cutoff)
        .map(|request| {
            let mine = by_request.remove(request.id.as_str()).unwrap_or_default();
            fold(request, mine)
        })
        .collect()
}

/// The households of a zone: the units of its resident directory not
/// retired (0 when the directory is not there). Names and phones are not read.
pub(super) fn households(documents: &mut dyn Documents, site: &str, zone: &str) -> usize {
    let mut count = 0;
    documents.with(&DocKey::resident_directory(site, zone), &mut |doc| {
        count = units(doc)
            .unwrap_or_default()
            .iter()
            .filter(|unit| !unit.retired)
            .count();
    });
    count
}

/// When the request's work was first done (its first effective `done`).
pub(super) fn done_at(view: &RequestView) -> Option<i64> {
    view.first(Action::Done).map(|event| event.at)
}

/// When the request was closed (销项, or closed as an invalid complaint).
pub(super) fn closed_at(view: &RequestView) -> Option<i64> {
    view.effective()
        .find(|event| matches!(event.action(), Some(Action::Close | Action::CloseInvalid)))
        .map(|event| event.at)
}

/// Whether the resident was called back at all.
pub(super) fn called_back(view: &RequestView) -> bool {
    view.callbacks().next().is_some()
}

/// The resident's word on the latest callback.
pub(super) fn latest_satisfaction(view: &RequestView) -> Option<Satisfaction> {
    view.callbacks()
        .last()
        .and_then(|event| Satisfaction::parse(&event.satisfaction))
}

/// Whether the instant falls in the month (site-local).
pub(super) fn in_month(month: Month, at: Option<i64>) -> bool {
    at.is_some_and(|at| month.holds(at))
}

/// Whole days from `from` to `to` (0 if `to` is earlier).
pub(super) fn whole_days(from: i64, to: i64) -> usize {
    ((to - from).max(0) / DAY) as usize
}

/// Minutes from `from` to `to` (0 if `to` is earlier: a tablet's clock).
pub(super) fn minutes(from: i64, to: i64) -> f64 {
    (to - from).max(0) as f64 / MINUTE as f64
}

/// A word as a label: `word("kind", "complaint")` is `kind_complaint`.
pub(super) fn word(prefix: &str, word: &str) -> Cell {
    Cell::label(format!("{prefix}_{word}"))
}

/// `count` per 100 households, n/a without households.
pub(super) fn per_100(count: usize, households: usize) -> Option<f64> {
    (households > 0).then(|| count as f64 * 100.0 / households as f64)
}

/// Hand-built sites for the request reports' tests: requests written into
/// the request log of the month they were received in (site-local), as the
/// tablet stores them.
#[cfg(test)]
pub(super) mod testing {
    use std::collections::BTreeMap;

    use automerge::Automerge;
    use chrono::DateTime;

    use crate::domain::{local_date, ZoneRef};
    use crate::fixtures::requests::{event_on, intake};
    use crate::fixtures::SITE;
    use crate::reports::{Month, Scope};
    use crate::schema::request::{
        put_request, put_request_event, Action, Request, RequestEvent, RequestKind,
    };
    use crate::schema::resident::{put_directory, unit_id, Unit};
    use crate::schema::DocKey;

    /// A Shanghai time: `at("2026-10-31T23:30")`.
    pub fn at(local: &str) -> i64 {
        DateTime::parse_from_rfc3339(&format!("{local}:00+08:00"))
            .unwrap()
            .timestamp_millis()
    }

    pub fn month(text: &str) -> Month {
        text.parse().unwrap()
    }

    /// Zones A (一区) and B (二区), or the first `count` of them.
    pub fn scope(month_text: &str, count: usize, now: i64) -> Scope {
        let zones = [("A", "一区"), ("B", "二区")]
            .into_iter()
            .take(count)
            .map(|(code, name)| ZoneRef {
                code: code.into(),
                name: name.into(),
            })
            .collect();
        Scope {
            site: SITE.into(),
            month: month(month_text),
            zones,
            now,
            heads: Vec::new(),
        }
    }

    #[derive(Default)]
    pub struct Site {
        pub docs: BTreeMap<DocKey, Automerge>,
    }

    impl Site {
        /// A request of `kind` in `zone`, received at `received` by the
        /// fixture's `service-a` (陈静).
        pub fn request(
            &mut self,
            id: &str,
            zone: &str,
            kind: RequestKind,
            received: &str,
        ) -> Request {
            let request = self.request_draft(id, zone, kind, received);
            self.put(&request);
            request
        }

        /// The same, not yet written: the test changes it, then [`Site::put`]s it.
        pub fn request_draft(
            &self,
            id: &str,
            zone: &str,
            kind: RequestKind,
            received: &str,
        ) -> Request {
            Request {
                zone: zone.into(),
                received_at: at(received),
                ..intake(id, kind)
            }
        }

        pub fn put(&mut self, request: &Request) {
            let key = self.key_of(request);
            let doc = self
                .docs
                .entry(key.clone())
                .or_insert_with(|| key.genesis());
            put_request(doc, request).unwrap();
        }

        /// An event on `request` at `when`, as the fixture fills it in;
        /// `change` sets what the test cares about.
        pub fn event(
            &mut self,
            request: &Request,
            action: Action,
            when: &str,
            change: impl FnOnce(&mut RequestEvent),
        ) {
            let key = self.key_of(request);
            let id = format!("ev-{}-{}", request.id, self.events_of(&key));
            let mut event = event_on(&request.id, &id, action, at(when));
            change(&mut event);
            put_request_event(self.docs.get_mut(&key).unwrap(), &event).unwrap();
        }

        /// A resident directory of `count` units for `zone` (one retired unit more).
        pub fn households(&mut self, zone: &str, count: usize) {
            let mut list: Vec<Unit> = (0..=count)
                .map(|n| {
                    let room = format!("{}", 101 + n);
                    Unit {
                        id: unit_id("3栋", "1", &room),
                        building: "3栋".into(),
                        entrance: "1".into(),
                        room,
                        retired: false,
                    }
                })
                .collect();
            list[count].retired = true;
            let key = DocKey::resident_directory(SITE, zone);
            let mut doc = key.genesis();
            put_directory(&mut doc, &list, &[], at("2026-01-01T09:00")).unwrap();
            self.docs.insert(key, doc);
        }

        fn key_of(&self, request: &Request) -> DocKey {
            DocKey::request_log(SITE, &request.zone, local_date(request.received_at))
        }

        fn events_of(&self, key: &DocKey) -> usize {
            self.docs
                .get(key)
                .map(|doc| crate::schema::request::request_events(doc).unwrap().len())
                .unwrap_or_default()
        }
    }
}
