//! The automerge-repo network protocol, version 1: its messages and their CBOR
//! encoding, exactly as `@automerge/automerge-repo-network-websocket` speaks it.
//!
//! This module turns frames into [`Message`]s and back, and refuses anything
//! malformed or over [`FrameLimits`] with a [`DecodeError`]: a frame's CBOR
//! structure is checked by [`crate::cbor_guard`] before ciborium decodes it.
//! It does not decide what a message means (the tablet's [`crate::sync`] and
//! the server's connection handler do), nor look inside `data` (the server
//! checks sync data with [`crate::sync_guard`]).

use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;

use crate::cbor_guard::{self, CborGuardError, CborLimits};
use crate::ids::{DocumentId, PeerId};
use crate::version::{Accepts, Mismatch};

/// The only protocol version there is.
pub const PROTOCOL_VERSION: &str = "1";

/// The largest frame either side accepts by default. A zone-day of patrol
/// scans is a few hundred kilobytes; this leaves room for a first sync of a
/// large document. The server passes its own limit in [`FrameLimits`].
pub const MAX_FRAME_BYTES: usize = 32 * 1024 * 1024;

/// The longest peer id or storage id accepted by default. Ids seen in the
/// wild: Roundbook's are a prefix and 32 hex digits, automerge-repo's
/// `peer-` and a dozen base-36 digits, storage ids are UUIDs (36). 256 is
/// seven times the longest.
pub const MAX_PEER_ID_BYTES: usize = 256;

/// Bounds on one received frame, checked before it is decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameLimits {
    /// The whole frame.
    pub max_frame_bytes: usize,
    /// Its CBOR structure (nesting, item count, text lengths).
    pub cbor: CborLimits,
    /// `senderId`, `targetId` and `peerMetadata.storageId`.
    pub max_peer_id_bytes: usize,
}

impl Default for FrameLimits {
    fn default() -> Self {
        Self {
            max_frame_bytes: MAX_FRAME_BYTES,
            cbor: CborLimits::default(),
            max_peer_id_bytes: MAX_PEER_ID_BYTES,
        }
    }
}

/// Metadata a peer announces in `join` and `peer`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PeerMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_id: Option<String>,
    #[serde(default)]
    pub is_ephemeral: bool,
    /// A Roundbook tablet's clock when it joins (Unix milliseconds), so the
    /// server can record how far off it is (`schema::receipt`). Other
    /// automerge-repo peers leave it out.
    #[serde(
        default,
        rename = "roundbookClock",
        skip_serializing_if = "Option::is_none"
    )]
    pub clock_ms: Option<i64>,
    /// A Roundbook peer's app build (`version::BUILD`).
    #[serde(
        default,
        rename = "roundbookBuild",
        skip_serializing_if = "Option::is_none"
    )]
    pub build: Option<String>,
    /// The document rules a Roundbook tablet writes (`version::RULES_VERSION`).
    #[serde(
        default,
        rename = "roundbookRules",
        skip_serializing_if = "Option::is_none"
    )]
    pub rules: Option<u32>,
    /// In the server's `peer`: the rules it accepts.
    #[serde(
        default,
        rename = "roundbookAccepts",
        skip_serializing_if = "Option::is_none"
    )]
    pub accepts: Option<Accepts>,
}

/// Why the server refused a document's changes (nothing of them was stored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::VariantArray)]
#[serde(rename_all = "kebab-case")]
pub enum RefusalReason {
    /// The user may read the document but not change it.
    ReadOnly,
    /// A cleaning month signed off by both parties.
    MonthLocked,
    /// The changes write fields only the server writes.
    ReceiptForged,
    /// The changes break the document's shape (`schema::shape`): a root
    /// field rewritten, a record deleted or replaced, a record out of bounds.
    BadShape,
    /// The document would grow past the server's size budget.
    TooLarge,
    /// A new record names someone other than the signed-in user as its
    /// author, or a change rewrites a record's author (`schema::authorship`).
    NotTheAuthor,
    /// A final upload after someone else ended the session carries what
    /// the server does not take then: a record made after the end, or not
    /// the user's own (`schema::authorship::check_final_upload`).
    SignedOut,
    /// A reason this build does not know (a newer server's): still a
    /// refusal, shown generically.
    #[serde(other)]
    Other,
}

impl RefusalReason {
    /// Every reason, in declaration order.
    pub fn all() -> &'static [RefusalReason] {
        <Self as strum::VariantArray>::VARIANTS
    }

    /// The reason as the wire spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            RefusalReason::ReadOnly => "read-only",
            RefusalReason::MonthLocked => "month-locked",
            RefusalReason::ReceiptForged => "receipt-forged",
            RefusalReason::BadShape => "bad-shape",
            RefusalReason::TooLarge => "too-large",
            RefusalReason::NotTheAuthor => "not-the-author",
            RefusalReason::SignedOut => "signed-out",
            RefusalReason::Other => "other",
        }
    }
}

/// A refused document and the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Refusal {
    pub document_id: DocumentId,
    pub reason: RefusalReason,
}

/// One protocol message. Field names follow the wire (camelCase).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Message {
    /// Client → server: the handshake's first message.
    #[serde(rename_all = "camelCase")]
    Join {
        sender_id: PeerId,
        supported_protocol_versions: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        peer_metadata: Option<PeerMetadata>,
    },
    /// Server → client: the handshake's answer.
    #[serde(rename_all = "camelCase")]
    Peer {
        sender_id: PeerId,
        target_id: PeerId,
        selected_protocol_version: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        peer_metadata: Option<PeerMetadata>,
    },
    /// Advisory: the sender is about to disconnect.
    #[serde(rename_all = "camelCase")]
    Leave { sender_id: PeerId },
    /// Like `sync`, but asks for `doc-unavailable` if the other side lacks the document.
    #[serde(rename_all = "camelCase")]
    Request {
        sender_id: PeerId,
        target_id: PeerId,
        document_id: DocumentId,
        data: ByteBuf,
    },
    /// An Automerge sync message about one document.
    #[serde(rename_all = "camelCase")]
    Sync {
        sender_id: PeerId,
        target_id: PeerId,
        document_id: DocumentId,
        data: ByteBuf,
    },
    /// The sender does not have (or will not share) the document.
    #[serde(rename_all = "camelCase")]
    DocUnavailable {
        sender_id: PeerId,
        target_id: PeerId,
        document_id: DocumentId,
    },
    /// Presence and similar transient data. Roundbook neither sends nor relays it.
    #[serde(rename_all = "camelCase")]
    Ephemeral {
        sender_id: PeerId,
        target_id: PeerId,
        document_id: DocumentId,
    },
    /// A protocol error; the sender closes the connection after it.
    Error {
        message: String,
        /// Roundbook's addition: the document whose changes the server
        /// refused, and why, so a tablet can say so in its user's language.
        /// Other automerge-repo peers ignore it.
        #[serde(
            default,
            rename = "roundbookRefusal",
            skip_serializing_if = "Option::is_none"
        )]
        refusal: Option<Refusal>,
        /// Roundbook's addition: the server will not sync with this
        /// tablet's release (too old, or newer than the server).
        #[serde(
            default,
            rename = "roundbookMismatch",
            skip_serializing_if = "Option::is_none"
        )]
        mismatch: Option<Mismatch>,
    },
    /// Remote-heads gossip. Accepted and ignored: Roundbook has one server.
    #[serde(rename = "remote-subscription-change")]
    RemoteSubscriptionChange,
    /// Remote-heads gossip. Accepted and ignored.
    #[serde(rename = "remote-heads-changed")]
    RemoteHeadsChanged,
}

/// Why a frame was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("frame of {0} bytes is over the frame size limit")]
    TooLarge(usize),
    #[error("frame is not valid CBOR")]
    NotCbor,
    /// Well-formed CBOR over one of [`CborLimits`].
    #[error("frame refused: {0}")]
    OverLimit(CborGuardError),
    #[error("message has no `type`")]
    NoType,
    #[error("unknown message type {0:?}")]
    UnknownType(String),
    #[error("malformed {kind} message: {reason}")]
    Malformed { kind: String, reason: String },
}

const KNOWN_TYPES: [&str; 10] = [
    "join",
    "peer",
    "leave",
    "request",
    "sync",
    "doc-unavailable",
    "ephemeral",
    "error",
    "remote-subscription-change",
    "remote-heads-changed",
];

impl Message {
    /// Encodes the message as one CBOR frame.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        ciborium::into_writer(self, &mut out).expect("encoding into a Vec cannot fail");
        out
    }

    /// Decodes one frame within the default [`FrameLimits`].
    pub fn decode(frame: &[u8]) -> Result<Message, DecodeError> {
        Self::decode_with(frame, &FrameLimits::default())
    }

    /// Decodes one frame, refusing oversized, malformed or unknown messages
    /// and anything over `limits`. The CBOR is scanned first, so ciborium
    /// never allocates more than the frame's size plus a bounded number of
    /// small values.
    pub fn decode_with(frame: &[u8], limits: &FrameLimits) -> Result<Message, DecodeError> {
        if frame.len() > limits.max_frame_bytes {
            return Err(DecodeError::TooLarge(frame.len()));
        }
        cbor_guard::check_cbor(frame, &limits.cbor).map_err(|error| {
            if error.is_malformed() {
                DecodeError::NotCbor
            } else {
                DecodeError::OverLimit(error)
            }
        })?;
        let value: ciborium::Value =
            ciborium::from_reader(frame).map_err(|_| DecodeError::NotCbor)?;
        let kind = value
            .as_map()
            .and_then(|entries| {
                entries
                    .iter()
                    .find(|(key, _)| key.as_text() == Some("type"))
                    .and_then(|(_, kind)| kind.as_text())
            })
            .ok_or(DecodeError::NoType)?
            .to_owned();
        if !KNOWN_TYPES.contains(&kind.as_str()) {
            return Err(DecodeError::UnknownType(kind.chars().take(40).collect()));
        }
        let message: Message = value
            .deserialized()
            .map_err(|error| DecodeError::Malformed {
                kind: kind.clone(),
                reason: error.to_string(),
            })?;
        if let Some((field, length)) = message.id_over(limits.max_peer_id_bytes) {
            return Err(DecodeError::Malformed {
                kind,
                reason: format!(
                    "{field} of {length} bytes is over the {}-byte limit",
                    limits.max_peer_id_bytes
                ),
            });
        }
        Ok(message)
    }

    /// The first peer or storage id longer than `limit`, named as on the wire.
    fn id_over(&self, limit: usize) -> Option<(&'static str, usize)> {
        let (sender, target, metadata) = match self {
            Message::Join {
                sender_id,
                peer_metadata,
                ..
            } => (Some(sender_id), None, peer_metadata.as_ref()),
            Message::Peer {
                sender_id,
                target_id,
                peer_metadata,
                ..
            } => (Some(sender_id), Some(target_id), peer_metadata.as_ref()),
            Message::Leave { sender_id } => (Some(sender_id), None, None),
            Message::Request {
                sender_id,
                target_id,
                ..
            }
            | Message::Sync {
                sender_id,
                target_id,
                ..
            }
            | Message::DocUnavailable {
                sender_id,
                target_id,
                ..
            }
            | Message::Ephemeral {
                sender_id,
                target_id,
                ..
            } => (Some(sender_id), Some(target_id), None),
            Message::Error { .. }
            | Message::RemoteSubscriptionChange
            | Message::RemoteHeadsChanged => (None, None, None),
        };
        let storage = metadata.and_then(|metadata| metadata.storage_id.as_ref());
        [
            ("senderId", sender),
            ("targetId", target),
            ("storageId", storage),
        ]
        .into_iter()
        .find_map(|(field, id)| id.filter(|id| id.len() > limit).map(|id| (field, id.len())))
    }

    /// The document a message is about, if any.
    pub fn document_id(&self) -> Option<DocumentId> {
        match self {
            Message::Request { document_id, .. }
            | Message::Sync { document_id, .. }
            | Message::DocUnavailable { document_id, .. }
            | Message::Ephemeral { document_id, .. } => Some(*document_id),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> DocumentId {
        DocumentId::from_bytes([3; 16])
    }

    #[test]
    fn refusal_reasons_are_named_as_on_the_wire() {
        for &reason in RefusalReason::all() {
            let wire = serde_json::to_value(reason).unwrap();
            assert_eq!(wire, reason.as_str());
        }
        // A newer server's reason still reads as a refusal.
        let unknown: RefusalReason = serde_json::from_value("quota-exceeded".into()).unwrap();
        assert_eq!(unknown, RefusalReason::Other);
    }

    #[test]
    fn round_trips_every_message_we_send() {
        let messages = [
            Message::Join {
                sender_id: "tab".into(),
                supported_protocol_versions: vec![PROTOCOL_VERSION.into()],
                peer_metadata: Some(PeerMetadata::default()),
            },
            Message::Peer {
                sender_id: "server".into(),
                target_id: "tab".into(),
                selected_protocol_version: PROTOCOL_VERSION.into(),
                peer_metadata: None,
            },
            Message::Request {
                sender_id: "tab".into(),
                target_id: "server".into(),
                document_id: doc(),
                data: ByteBuf::from(vec![1, 2, 3]),
            },
            Message::Sync {
                sender_id: "tab".into(),
                target_id: "server".into(),
                document_id: doc(),
                data: ByteBuf::from(vec![4]),
            },
            Message::DocUnavailable {
                sender_id: "server".into(),
                target_id: "tab".into(),
                document_id: doc(),
            },
            Message::Error {
                message: "bad".into(),
                refusal: None,
                mismatch: None,
            },
            Message::Error {
                message: "locked".into(),
                refusal: Some(Refusal {
                    document_id: doc(),
                    reason: RefusalReason::MonthLocked,
                }),
                mismatch: None,
            },
            Message::Error {
                message: "update the app".into(),
                refusal: None,
                mismatch: Some(crate::version::Mismatch {
                    verdict: crate::version::Verdict::TabletTooOld,
                    server_build: "2".into(),
                    accepts: crate::version::Accepts {
                        oldest: 2,
                        newest: 3,
                    },
                }),
            },
            Message::Join {
                sender_id: "tab".into(),
                supported_protocol_versions: vec![PROTOCOL_VERSION.into()],
                peer_metadata: Some(PeerMetadata {
                    build: Some("1".into()),
                    rules: Some(1),
                    ..PeerMetadata::default()
                }),
            },
            Message::Leave {
                sender_id: "tab".into(),
            },
        ];
        for message in messages {
            assert_eq!(Message::decode(&message.encode()).unwrap(), message);
        }
    }

    #[test]
    fn uses_the_wire_field_names() {
        let frame = Message::Sync {
            sender_id: "a".into(),
            target_id: "b".into(),
            document_id: doc(),
            data: ByteBuf::from(vec![9]),
        }
        .encode();
        let value: ciborium::Value = ciborium::from_reader(&frame[..]).unwrap();
        let keys: Vec<_> = value
            .as_map()
            .unwrap()
            .iter()
            .map(|(k, _)| k.as_text().unwrap().to_owned())
            .collect();
        assert_eq!(keys, ["type", "senderId", "targetId", "documentId", "data"]);
        // `data` must be a CBOR byte string, as cbor-x sends a Uint8Array.
        let data = &value.as_map().unwrap()[4].1;
        assert!(data.is_bytes());
    }

    #[test]
    fn refuses_bad_frames() {
        assert_eq!(Message::decode(&[0xff, 0x00]), Err(DecodeError::NotCbor));
        assert_eq!(Message::decode(&[]), Err(DecodeError::NotCbor));

        let mut no_type = Vec::new();
        ciborium::into_writer(&ciborium::Value::Map(vec![]), &mut no_type).unwrap();
        assert_eq!(Message::decode(&no_type), Err(DecodeError::NoType));

        let unknown = ciborium::Value::Map(vec![(
            ciborium::Value::Text("type".into()),
            ciborium::Value::Text("teleport".into()),
        )]);
        let mut frame = Vec::new();
        ciborium::into_writer(&unknown, &mut frame).unwrap();
        assert_eq!(
            Message::decode(&frame),
            Err(DecodeError::UnknownType("teleport".into()))
        );

        let bad_doc = ciborium::Value::Map(vec![
            (
                ciborium::Value::Text("type".into()),
                ciborium::Value::Text("sync".into()),
            ),
            (
                ciborium::Value::Text("senderId".into()),
                ciborium::Value::Text("a".into()),
            ),
            (
                ciborium::Value::Text("targetId".into()),
                ciborium::Value::Text("b".into()),
            ),
            (
                ciborium::Value::Text("documentId".into()),
                ciborium::Value::Text("nope".into()),
            ),
            (
                ciborium::Value::Text("data".into()),
                ciborium::Value::Bytes(vec![1]),
            ),
        ]);
        let mut frame = Vec::new();
        ciborium::into_writer(&bad_doc, &mut frame).unwrap();
        assert!(matches!(
            Message::decode(&frame),
            Err(DecodeError::Malformed { .. })
        ));

        assert_eq!(
            Message::decode(&vec![0u8; MAX_FRAME_BYTES + 1]),
            Err(DecodeError::TooLarge(MAX_FRAME_BYTES + 1))
        );
    }

    #[test]
    fn accepts_gossip_it_ignores() {
        let gossip = ciborium::Value::Map(vec![
            (
                ciborium::Value::Text("type".into()),
                ciborium::Value::Text("remote-subscription-change".into()),
            ),
            (
                ciborium::Value::Text("senderId".into()),
                ciborium::Value::Text("a".into()),
            ),
        ]);
        let mut frame = Vec::new();
        ciborium::into_writer(&gossip, &mut frame).unwrap();
        assert_eq!(
            Message::decode(&frame),
            Ok(Message::RemoteSubscriptionChange)
        );
    }

    #[test]
    fn decodes_what_the_javascript_client_sends() {
        use crate::fixtures::sync::{hex, CBOR_X_FRAMES};
        let decoded: Vec<Message> = CBOR_X_FRAMES
            .iter()
            .map(|(name, text)| {
                Message::decode(&hex(text)).unwrap_or_else(|error| panic!("{name}: {error}"))
            })
            .collect();
        assert_eq!(
            decoded[0],
            Message::Join {
                sender_id: "peer-3kx9q2".into(),
                supported_protocol_versions: vec!["1".into()],
                peer_metadata: Some(PeerMetadata::default()),
            }
        );
        let Message::Join {
            peer_metadata: Some(metadata),
            ..
        } = &decoded[1]
        else {
            panic!("{:?}", decoded[1]);
        };
        assert_eq!(
            metadata.storage_id.as_deref(),
            Some("3f2c8a51-2b0e-4f3e-9d7a-6c1b2a3d4e5f")
        );
        assert_eq!(
            decoded[2],
            Message::Request {
                sender_id: "peer-3kx9q2".into(),
                target_id: "server".into(),
                document_id: doc(),
                data: ByteBuf::from(vec![0x42, 0, 0, 0, 0]),
            }
        );
        assert!(matches!(&decoded[3], Message::Sync { data, .. } if data.len() == 30));
        assert_eq!(decoded[4], Message::RemoteSubscriptionChange);
        assert_eq!(decoded[5], Message::RemoteHeadsChanged);
    }

    fn sync_from(sender_id: String) -> Message {
        Message::Sync {
            sender_id,
            target_id: "server".into(),
            document_id: doc(),
            data: ByteBuf::from(vec![0x42, 0, 0, 0, 0]),
        }
    }

    #[test]
    fn decode_with_takes_the_callers_frame_limit() {
        let frame = sync_from("tab".into()).encode();
        let limits = FrameLimits {
            max_frame_bytes: frame.len() - 1,
            ..FrameLimits::default()
        };
        assert_eq!(
            Message::decode_with(&frame, &limits),
            Err(DecodeError::TooLarge(frame.len()))
        );
        let limits = FrameLimits {
            max_frame_bytes: frame.len(),
            ..FrameLimits::default()
        };
        assert!(Message::decode_with(&frame, &limits).is_ok());
    }

    #[test]
    fn refuses_long_peer_ids() {
        let at_limit = sync_from("p".repeat(MAX_PEER_ID_BYTES));
        assert_eq!(Message::decode(&at_limit.encode()).unwrap(), at_limit);

        let long = sync_from("p".repeat(300)).encode();
        let error = Message::decode(&long).unwrap_err();
        assert_eq!(
            error.to_string(),
            "malformed sync message: senderId of 300 bytes is over the 256-byte limit"
        );
        // An 8 MB sender id is refused from its length, before decoding.
        let huge = sync_from("p".repeat(8 * 1024 * 1024)).encode();
        assert!(matches!(
            Message::decode(&huge),
            Err(DecodeError::OverLimit(CborGuardError::TextTooLong { .. }))
        ));
        let storage = Message::Join {
            sender_id: "tab".into(),
            supported_protocol_versions: vec![PROTOCOL_VERSION.into()],
            peer_metadata: Some(PeerMetadata {
                storage_id: Some("s".repeat(257)),
                ..PeerMetadata::default()
            }),
        };
        assert!(Message::decode(&storage.encode())
            .unwrap_err()
            .to_string()
            .contains("storageId of 257 bytes"));
    }

    #[test]
    fn refuses_a_frame_of_small_items_before_ciborium_sees_it() {
        // {"type": "sync", "x": [0, 0, … 16 M times]}: ~1 GB as ciborium
        // Values before the guard; refused from the array's header now.
        let mut frame = vec![0xa2, 0x64];
        frame.extend(b"type");
        frame.push(0x64);
        frame.extend(b"sync");
        frame.extend([0x61, b'x', 0x9a, 0x01, 0x00, 0x00, 0x00]);
        frame.resize(frame.len() + (1 << 24), 0);
        let start = std::time::Instant::now();
        assert_eq!(
            Message::decode(&frame),
            Err(DecodeError::OverLimit(CborGuardError::TooManyItems {
                limit: 1_024
            }))
        );
        assert!(start.elapsed() < std::time::Duration::from_millis(100));
    }
}
