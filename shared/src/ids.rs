//! Identifiers that cross the wire: document ids and peer ids.
//!
//! A document id is 16 bytes written in base58check, exactly as automerge-repo
//! encodes them, so the official JavaScript client can name our documents.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An automerge-repo document id: 16 bytes, shown as base58check text.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DocumentId([u8; 16]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a document id: {0:?}")]
pub struct BadDocumentId(pub String);

impl DocumentId {
    pub const fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// The `automerge:` URL the JavaScript client accepts in `repo.find`.
    pub fn url(&self) -> String {
        format!("automerge:{self}")
    }
}

impl fmt::Display for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&bs58::encode(self.0).with_check().into_string())
    }
}

impl fmt::Debug for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DocumentId({self})")
    }
}

impl FromStr for DocumentId {
    type Err = BadDocumentId;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || BadDocumentId(text.chars().take(64).collect());
        if text.len() > 64 {
            return Err(bad());
        }
        let bytes = bs58::decode(text)
            .with_check(None)
            .into_vec()
            .map_err(|_| bad())?;
        let bytes: [u8; 16] = bytes.try_into().map_err(|_| bad())?;
        Ok(Self(bytes))
    }
}

impl Serialize for DocumentId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DocumentId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A peer id in the automerge-repo protocol: an opaque string naming one
/// connection end (a browser tab, the server process).
pub type PeerId = String;

/// A fresh random peer id for this process or tab.
pub fn random_peer_id(prefix: &str) -> PeerId {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_text() {
        let id = DocumentId::from_bytes([7; 16]);
        let text = id.to_string();
        assert_eq!(text.parse::<DocumentId>().unwrap(), id);
        assert_eq!(id.url(), format!("automerge:{text}"));
    }

    #[test]
    fn refuses_bad_text() {
        assert!("".parse::<DocumentId>().is_err());
        assert!("not base58 0OIl".parse::<DocumentId>().is_err());
        // Valid base58 but a broken checksum.
        let mut text = DocumentId::from_bytes([1; 16]).to_string();
        text.pop();
        text.push('2');
        assert!(text.parse::<DocumentId>().is_err());
        // Valid base58check of the wrong length.
        let short = bs58::encode([1u8; 8]).with_check().into_string();
        assert!(short.parse::<DocumentId>().is_err());
    }

    #[test]
    fn matches_automerge_repo_encoding() {
        // automerge-repo encodes the 16 uuid bytes with bs58check (sha256d checksum).
        let id = DocumentId::from_bytes(
            *b"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f",
        );
        let text = id.to_string();
        let decoded = bs58::decode(&text).with_check(None).into_vec().unwrap();
        assert_eq!(decoded, id.as_bytes());
    }
}
