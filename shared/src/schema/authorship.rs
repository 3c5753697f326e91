//! Who made a record is the server's word, not the tablet's: a peer's new
//! record (a scan, a request, a workflow event...) must name the signed-in
//! user as its author ([`Record::AUTHOR`](super::Record::AUTHOR)), and no
//! change may rewrite the author of a record that already exists.
//!
//! Refusing rather than stamping the author: a tablet writes its user's name
//! into the record when it is made, offline, and shows it at once; a server
//! that rewrote it would show something else later, and a record in another
//! user's name can only come from a buggy or hostile client, which deserves
//! a refusal it can see, not a quiet correction.
//!
//! This module judges the records a message touched (`shape::check` lists
//! them); it must not decide who is signed in or which zones they reach.

use automerge::{Automerge, ChangeHash, ObjId, ObjType, ReadDoc, Value};

use super::shape::Touched;
use super::{Container, DocKind};

/// How a change misstates who made a record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthorshipError {
    #[error("the new record `{id}` in `{container}` names {author:?} as its author, not the signed-in user")]
    NotTheAuthor {
        container: String,
        id: String,
        author: Option<String>,
    },
    #[error("a change rewrites who made the record `{id}` in `{container}`")]
    Rewritten { container: String, id: String },
    #[error("after the session was ended, only the user's own records made before then are taken (`{id}` in `{container}` is not one)")]
    AfterSignOut { container: String, id: String },
}

/// Checks that every touched record that is new since `before` names
/// `username` as its author, and that no touched record's author changed.
/// Record types without an author field (a checkpoint, a resident) pass.
pub fn check(
    doc: &Automerge,
    kind: DocKind,
    before: &[ChangeHash],
    touched: &[Touched],
    username: &str,
) -> Result<(), AuthorshipError> {
    for Touched { container, id } in touched {
        let Some(records) = Container::of_kind(kind, container) else {
            continue;
        };
        let Some(field) = records.record_type().author else {
            continue;
        };
        let Ok(Some((_, map))) = doc.get(automerge::ROOT, container.as_str()) else {
            continue;
        };
        let existing: Vec<ObjId> = doc
            .get_all_at(&map, id.as_str(), before)
            .unwrap_or_default()
            .into_iter()
            .map(|(_, record)| record)
            .collect();
        let short = || id.chars().take(64).collect::<String>();
        for (_, record) in doc.get_all(&map, id.as_str()).unwrap_or_default() {
            let author = text_field(doc, &record, field, None);
            if existing.contains(&record) {
                if author != text_field(doc, &record, field, Some(before)) {
                    return Err(AuthorshipError::Rewritten {
                        container: container.clone(),
                        id: short(),
                    });
                }
            } else if author.as_deref() != Some(username) {
                return Err(AuthorshipError::NotTheAuthor {
                    container: container.clone(),
                    id: short(),
                    author: author.map(|name| name.chars().take(64).collect()),
                });
            }
        }
    }
    Ok(())
}

/// A final upload, after someone else ended the session at `ended_at`
/// (Unix ms, server clock): every record touched must be the user's own
/// (new ones are already checked by [`check`]) and of a type that says
/// when it was made, and every new one must have been made before
/// `ended_at`, by the tablet's clock corrected by `clock_skew_ms` (server
/// minus tablet, measured at join) when it is known.
///
/// The made-at time is the tablet's word; what keeps a tampered tablet
/// from abusing it: it writes only in its own user's name, only into
/// documents it held, only for the window the server allows after the end,
/// and each record it adds is stamped with its arrival (receipts) and so
/// shows as arriving after the end.
pub fn check_final_upload(
    doc: &Automerge,
    kind: DocKind,
    touched: &[Touched],
    username: &str,
    ended_at: i64,
    clock_skew_ms: Option<i64>,
) -> Result<(), AuthorshipError> {
    /// Clocks read a little apart even after the skew correction.
    const TOLERANCE_MS: i64 = 60_000;
    for Touched { container, id } in touched {
        let refused = || AuthorshipError::AfterSignOut {
            container: container.clone(),
            id: id.chars().take(64).collect(),
        };
        let records = Container::of_kind(kind, container).ok_or_else(refused)?;
        let (Some(author), Some(made_at)) =
            (records.record_type().author, records.record_type().made_at)
        else {
            return Err(refused());
        };
        let Ok(Some((_, map))) = doc.get(automerge::ROOT, container.as_str()) else {
            return Err(refused());
        };
        for (_, record) in doc.get_all(&map, id.as_str()).unwrap_or_default() {
            let own = text_field(doc, &record, author, None).as_deref() == Some(username);
            let made = match doc.get(&record, made_at) {
                Ok(Some((Value::Scalar(scalar), _))) => scalar.as_i64(),
                _ => None,
            };
            let made_in_time = made.is_some_and(|made| {
                made.saturating_add(clock_skew_ms.unwrap_or(0)) <= ended_at + TOLERANCE_MS
            });
            if !own || !made_in_time {
                return Err(refused());
            }
        }
    }
    Ok(())
}

/// A string field of a record, now or at `heads`; a field written as
/// collaborative text (the JavaScript client does) reads as its text.
fn text_field(
    doc: &Automerge,
    record: &ObjId,
    field: &str,
    heads: Option<&[ChangeHash]>,
) -> Option<String> {
    let value = match heads {
        Some(heads) => doc.get_at(record, field, heads),
        None => doc.get(record, field),
    };
    match value.ok().flatten()? {
        (Value::Scalar(scalar), _) => scalar.as_str().map(str::to_owned),
        (Value::Object(ObjType::Text), text) => match heads {
            Some(heads) => doc.text_at(&text, heads).ok(),
            None => doc.text(&text).ok(),
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::transaction::Transactable;

    use crate::fixtures::patrol::scan;
    use crate::fixtures::requests::{event, intake};
    use crate::fixtures::sync::peer_edit;
    use crate::fixtures::{day, AT};
    use crate::schema::patrol::record_scan;
    use crate::schema::request::{put_request, put_request_event, Action, RequestKind};
    use crate::schema::shape::{self, ShapeLimits};
    use crate::schema::{put, DocKey};

    /// Applies what `edit` does on a tablet's copy to `server`, as the hub
    /// does, and judges it as sent by `username`.
    fn judge(
        server: &mut Automerge,
        kind: DocKind,
        username: &str,
        edit: impl FnOnce(&mut Automerge),
    ) -> Result<(), AuthorshipError> {
        let (before, patches) = peer_edit(server, edit);
        let touched = shape::check(server, kind, &before, &patches, &ShapeLimits::default())
            .expect("the shape is kept");
        check(server, kind, &before, &touched, username)
    }

    #[test]
    fn a_new_record_must_name_the_signed_in_user() {
        let mut log = DocKey::patrol_log("demo", "A", day()).genesis();
        let mine = scan("scan-1", AT);
        assert_eq!(mine.guard, "guard-a");
        judge(&mut log, DocKind::PatrolLog, "guard-a", |doc| {
            record_scan(doc, &mine).unwrap();
        })
        .unwrap();
        let refused = judge(&mut log, DocKind::PatrolLog, "guard-b", |doc| {
            record_scan(doc, &scan("scan-2", AT)).unwrap();
        });
        assert!(matches!(
            refused,
            Err(AuthorshipError::NotTheAuthor { author: Some(ref name), .. }) if name == "guard-a"
        ));
    }

    #[test]
    fn workflow_events_and_requests_are_checked_too() {
        let mut log = DocKey::request_log("demo", "A", day()).genesis();
        let request = intake("req-1", RequestKind::Complaint);
        let author = request.received_by.clone();
        judge(&mut log, DocKind::RequestLog, &author, |doc| {
            put_request(doc, &request).unwrap();
        })
        .unwrap();
        // Someone else may act on the request, in their own name only.
        let mut assign = event("ev-1", Action::Assign, AT);
        assign.request_id = request.id.clone();
        assign.by = "service-a2".into();
        let by = assign.by.clone();
        // (Judged on a copy: the hub drops a refused message's changes.)
        assert!(judge(
            &mut log.clone(),
            DocKind::RequestLog,
            "someone-else",
            |doc| {
                put_request_event(doc, &assign).unwrap();
            }
        )
        .is_err());
        judge(&mut log, DocKind::RequestLog, &by, |doc| {
            put_request_event(doc, &assign).unwrap();
        })
        .unwrap();
        // Rewriting who made an event is refused. (A request's intake is
        // not changed by anyone at all: `shape` refuses that first.)
        let mut rewritten = assign.clone();
        rewritten.by = "someone-else".into();
        assert_eq!(
            judge(&mut log, DocKind::RequestLog, "someone-else", |doc| {
                put(doc, &rewritten, AT).unwrap();
            }),
            Err(AuthorshipError::Rewritten {
                container: "request_events".into(),
                id: "ev-1".into()
            })
        );
    }

    #[test]
    fn a_final_upload_takes_only_own_records_made_before_the_end() {
        let log = DocKey::patrol_log("demo", "A", day()).genesis();
        let final_upload = |username: &str, made_at: i64, skew: Option<i64>| {
            let mut server = log.clone();
            let (before, patches) = peer_edit(&mut server, |doc| {
                record_scan(doc, &scan("scan-1", made_at)).unwrap();
            });
            let touched = shape::check(
                &server,
                DocKind::PatrolLog,
                &before,
                &patches,
                &ShapeLimits::default(),
            )
            .unwrap();
            check_final_upload(&server, DocKind::PatrolLog, &touched, username, AT, skew)
        };
        assert_eq!(final_upload("guard-a", AT - 1_000, None), Ok(()));
        assert!(final_upload("guard-a", AT + 3_600_000, None).is_err());
        // A tablet clock an hour slow: its "before" was after the end.
        assert!(final_upload("guard-a", AT - 1_000, Some(3_600_000)).is_err());
        // Only the user's own records.
        assert!(final_upload("guard-b", AT - 1_000, None).is_err());
    }

    #[test]
    fn a_record_without_an_author_field_passes_and_text_authors_read() {
        let mut log = DocKey::patrol_log("demo", "A", day()).genesis();
        // A scan written field by field, its guard as collaborative text
        // (as the JavaScript client writes strings).
        judge(&mut log, DocKind::PatrolLog, "guard-a", |doc| {
            let mut tx = doc.transaction();
            let (_, scans) = tx.get(automerge::ROOT, "scans").unwrap().unwrap();
            let record = tx.put_object(&scans, "js-1", ObjType::Map).unwrap();
            let guard = tx.put_object(&record, "guard", ObjType::Text).unwrap();
            tx.splice_text(&guard, 0, 0, "guard-a").unwrap();
            tx.commit();
        })
        .unwrap();
    }
}
