//! A bounded pre-scan of one CBOR data item, run on a received frame before
//! ciborium builds a `ciborium::Value` from it.
//!
//! ciborium allocates a `Value` per item and a buffer per string as the frame
//! claims them: a 32 MiB frame of one-byte items costs ~1 GB while decoded,
//! and one text string can be as long as the frame. [`check_cbor`] walks the
//! item's structure without allocating in proportion to anything the frame
//! claims (its only allocation is a stack of at most
//! [`CborLimits::max_depth`] entries) and refuses it when it is nested too
//! deep, has too many items, has a text string that is too long, declares
//! more bytes or items than the frame has left, is not well-formed, or is
//! followed by anything. Once it passes, ciborium's work and memory are
//! bounded by the frame's size plus `max_items` small values.
//!
//! What it must not do: know the protocol's fields (that is
//! [`crate::protocol`]'s job), or refuse what automerge-repo's JavaScript
//! client legitimately sends. That client encodes with cbor-x
//! (`useRecords: false`, `tagUint8Array: false`): maps always with a 16-bit
//! length (`0xb9`), strings and arrays with minimal lengths, `undefined`
//! (`0xf7`) for absent optional fields, plain byte strings for `Uint8Array`,
//! and indefinite-length arrays (`0x9f` … `0xff`) for iterables that are not
//! arrays. All of these pass, as do tags and indefinite-length strings,
//! which are well-formed CBOR and bounded like the rest.

/// Bounds on one frame's CBOR structure. Roundbook's messages are maps of at
/// most a dozen entries (`type`, `senderId`, `targetId`, `documentId`,
/// `data`, `peerMetadata`, `supportedProtocolVersions`, `message`,
/// `roundbookRefusal`, …), nested at most four deep, and only `data` (a byte
/// string, bounded by the frame size alone) is large.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CborLimits {
    /// Containers (arrays, maps, tags) open at once. automerge-repo's
    /// deepest message, `remote-heads-changed`, nests four; 16.
    pub max_depth: usize,
    /// Data items in the frame, keys and values each counting one (and each
    /// chunk of an indefinite-length string). A `join` with metadata has
    /// about 15; 1,024 leaves room for richer metadata while keeping
    /// ciborium's `Value` tree to tens of kilobytes.
    pub max_items: usize,
    /// Bytes of one text string. Peer ids, document ids and storage ids
    /// are under 64 bytes (and [`crate::protocol`] holds ids to 256); the
    /// longest text is an `error` message in English. 4,096.
    pub max_text_bytes: usize,
}

impl Default for CborLimits {
    fn default() -> Self {
        Self {
            max_depth: 16,
            max_items: 1_024,
            max_text_bytes: 4_096,
        }
    }
}

/// Why a frame's CBOR was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CborGuardError {
    /// Not well-formed CBOR (RFC 8949 §5.3.1); the reason says where.
    #[error("not well-formed CBOR: {0}")]
    Malformed(&'static str),
    #[error("CBOR declares {declared} bytes or items where only {remaining} bytes remain")]
    PastEnd { declared: u64, remaining: u64 },
    #[error("CBOR nests deeper than {limit} containers")]
    TooDeep { limit: usize },
    #[error("CBOR has more than {limit} items")]
    TooManyItems { limit: usize },
    #[error("CBOR text string of {found} bytes is over the {limit}-byte limit")]
    TextTooLong { found: u64, limit: usize },
    #[error("{0} bytes follow the CBOR item")]
    TrailingBytes(usize),
}

impl CborGuardError {
    /// Whether the frame is not CBOR at all (cut off, ill-formed, or more
    /// than one item), rather than CBOR over a bound.
    pub fn is_malformed(&self) -> bool {
        matches!(
            self,
            CborGuardError::Malformed(_)
                | CborGuardError::PastEnd { .. }
                | CborGuardError::TrailingBytes(_)
        )
    }
}

/// Checks that `frame` is exactly one well-formed CBOR item within `limits`.
pub fn check_cbor(frame: &[u8], limits: &CborLimits) -> Result<(), CborGuardError> {
    let mut input = Reader(frame);
    // Containers still open, innermost last; never longer than max_depth.
    let mut open: Vec<Open> = Vec::new();
    let mut items: usize = 0;
    loop {
        while let Some(Open::Definite(0)) = open.last() {
            open.pop();
        }
        if open.is_empty() && items > 0 {
            break;
        }
        let initial = input.byte()?;
        if initial == BREAK {
            match open.pop() {
                Some(Open::Indefinite { map: true, seen }) if seen % 2 == 1 => {
                    return Err(CborGuardError::Malformed(
                        "a map ends between a key and its value",
                    ))
                }
                Some(Open::Indefinite { .. }) => continue,
                _ => {
                    return Err(CborGuardError::Malformed(
                        "a break outside an indefinite-length item",
                    ))
                }
            }
        }
        items += 1;
        if items > limits.max_items {
            return Err(CborGuardError::TooManyItems {
                limit: limits.max_items,
            });
        }
        // The item fills one slot of the container it is in.
        match open.last_mut() {
            Some(Open::Definite(left)) => *left -= 1,
            Some(Open::Indefinite { seen, .. }) => *seen += 1,
            None => {}
        }
        let major = initial >> 5;
        let info = initial & 0x1f;
        match major {
            MAJOR_UNSIGNED | MAJOR_NEGATIVE => {
                input.argument(info)?;
            }
            MAJOR_BYTES | MAJOR_TEXT => {
                let limit = (major == MAJOR_TEXT).then_some(limits.max_text_bytes);
                if info == INDEFINITE {
                    items = input.chunked_string(major, limit, items, limits.max_items)?;
                } else {
                    let length = input.argument(info)?;
                    input.string(length, limit)?;
                }
            }
            MAJOR_ARRAY | MAJOR_MAP => {
                if open.len() >= limits.max_depth {
                    return Err(CborGuardError::TooDeep {
                        limit: limits.max_depth,
                    });
                }
                let map = major == MAJOR_MAP;
                if info == INDEFINITE {
                    open.push(Open::Indefinite { map, seen: 0 });
                } else {
                    let count = input.argument(info)?;
                    let slots = if map { count.saturating_mul(2) } else { count };
                    // Every item takes a byte at least, and the count must
                    // fit the item budget: refuse now, not after walking.
                    let budget = (limits.max_items - items) as u64;
                    if slots > budget {
                        return Err(CborGuardError::TooManyItems {
                            limit: limits.max_items,
                        });
                    }
                    input.room_for(slots)?;
                    open.push(Open::Definite(slots));
                }
            }
            MAJOR_TAG => {
                if info == INDEFINITE {
                    return Err(CborGuardError::Malformed("an indefinite-length tag"));
                }
                input.argument(info)?;
                if open.len() >= limits.max_depth {
                    return Err(CborGuardError::TooDeep {
                        limit: limits.max_depth,
                    });
                }
                open.push(Open::Definite(1));
            }
            _ => match info {
                0..=23 | 25..=27 => {
                    input.argument(info)?;
                }
                24 => {
                    if input.byte()? < 32 {
                        return Err(CborGuardError::Malformed(
                            "a two-byte simple value under 32",
                        ));
                    }
                }
                _ => return Err(CborGuardError::Malformed("a reserved simple value")),
            },
        }
    }
    match input.0.len() {
        0 => Ok(()),
        trailing => Err(CborGuardError::TrailingBytes(trailing)),
    }
}

const MAJOR_UNSIGNED: u8 = 0;
const MAJOR_NEGATIVE: u8 = 1;
const MAJOR_BYTES: u8 = 2;
const MAJOR_TEXT: u8 = 3;
const MAJOR_ARRAY: u8 = 4;
const MAJOR_MAP: u8 = 5;
const MAJOR_TAG: u8 = 6;
/// Additional information 31: indefinite length (or, in major type 7, break).
const INDEFINITE: u8 = 31;
const BREAK: u8 = 0xff;

/// A container still open while scanning.
enum Open {
    /// Items still to come (a map's entries count twice, a tag's item once).
    Definite(u64),
    /// Items seen so far, until a break; a map's must be even.
    Indefinite { map: bool, seen: u64 },
}

/// The unread rest of the frame.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8, CborGuardError> {
        let (&first, rest) = self
            .0
            .split_first()
            .ok_or(CborGuardError::Malformed("the frame ends inside an item"))?;
        self.0 = rest;
        Ok(first)
    }

    /// The argument that follows an initial byte: in the byte itself, or in
    /// the 1, 2, 4 or 8 bytes after it.
    fn argument(&mut self, info: u8) -> Result<u64, CborGuardError> {
        let size = match info {
            0..=23 => return Ok(u64::from(info)),
            24 => 1,
            25 => 2,
            26 => 4,
            27 => 8,
            _ => {
                return Err(CborGuardError::Malformed(
                    "reserved or indefinite additional information",
                ))
            }
        };
        let bytes = self.take(size)?;
        Ok(bytes
            .iter()
            .fold(0_u64, |value, &byte| (value << 8) | u64::from(byte)))
    }

    fn room_for(&self, declared: u64) -> Result<(), CborGuardError> {
        let remaining = self.0.len() as u64;
        if declared > remaining {
            return Err(CborGuardError::PastEnd {
                declared,
                remaining,
            });
        }
        Ok(())
    }

    fn take(&mut self, length: u64) -> Result<&[u8], CborGuardError> {
        self.room_for(length)?;
        let (taken, rest) = self.0.split_at(length as usize);
        self.0 = rest;
        Ok(taken)
    }

    /// A definite-length string's bytes; text is held to `text_limit`.
    fn string(&mut self, length: u64, text_limit: Option<usize>) -> Result<(), CborGuardError> {
        if let Some(limit) = text_limit {
            if length > limit as u64 {
                return Err(CborGuardError::TextTooLong {
                    found: length,
                    limit,
                });
            }
        }
        self.take(length).map(|_| ())
    }

    /// An indefinite-length string: definite chunks of the same major type
    /// until a break. Each chunk counts as an item; text is held to
    /// `text_limit` in total. Returns the new item count.
    fn chunked_string(
        &mut self,
        major: u8,
        text_limit: Option<usize>,
        mut items: usize,
        max_items: usize,
    ) -> Result<usize, CborGuardError> {
        let mut total: u64 = 0;
        loop {
            let initial = self.byte()?;
            if initial == BREAK {
                return Ok(items);
            }
            if initial >> 5 != major || initial & 0x1f == INDEFINITE {
                return Err(CborGuardError::Malformed(
                    "an indefinite-length string holds something other than definite chunks of its type",
                ));
            }
            items += 1;
            if items > max_items {
                return Err(CborGuardError::TooManyItems { limit: max_items });
            }
            let length = self.argument(initial & 0x1f)?;
            total = total.saturating_add(length);
            if let Some(limit) = text_limit {
                if total > limit as u64 {
                    return Err(CborGuardError::TextTooLong {
                        found: total,
                        limit,
                    });
                }
            }
            self.take(length)?;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;
    use crate::fixtures::sync::{hex, CBOR_X_FRAMES};

    fn check(frame: &[u8]) -> Result<(), CborGuardError> {
        check_cbor(frame, &CborLimits::default())
    }

    #[test]
    fn accepts_what_automerge_repo_sends_through_cbor_x() {
        for (name, text) in CBOR_X_FRAMES {
            let frame = hex(text);
            check(&frame).unwrap_or_else(|error| panic!("{name}: {error}"));
            ciborium::from_reader::<ciborium::Value, _>(&frame[..]).unwrap();
        }
    }

    #[test]
    fn accepts_indefinite_lengths_tags_and_simple_values() {
        let frames: [&[u8]; 10] = [
            // [_ 1, 2] and {_ "a": 1}
            &[0x9f, 0x01, 0x02, 0xff],
            &[0xbf, 0x61, b'a', 0x01, 0xff],
            // (_ h'01', h'0203') and (_ "a", "bc")
            &[0x5f, 0x41, 0x01, 0x42, 0x02, 0x03, 0xff],
            &[0x7f, 0x61, b'a', 0x62, b'b', b'c', 0xff],
            // 1(1700000000), 258([1]) as cbor-x writes a Set, a tag on a tag
            &[0xc1, 0x1a, 0x65, 0x53, 0xf1, 0x00],
            &[0xd9, 0x01, 0x02, 0x81, 0x01],
            &[0xd9, 0x01, 0x02, 0xc1, 0x00],
            // false, null, undefined, simple(32), half, single, double floats
            &[0x85, 0xf4, 0xf6, 0xf7, 0xf8, 0x20, 0xf9, 0x3c, 0x00],
            &[0x82, 0xfa, 0x3f, 0x80, 0x00, 0x00, 0x00],
            &[0xfb, 0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18],
        ];
        for frame in frames {
            check(frame).unwrap_or_else(|error| panic!("{frame:02x?}: {error}"));
        }
        // Seven items announced, five given: cut off.
        let short = [0x87, 0xf4, 0xf6, 0xf7, 0xf8, 0x20, 0xf9, 0x3c, 0x00];
        assert!(check(&short).unwrap_err().is_malformed());
    }

    #[test]
    fn refuses_a_frame_of_many_small_items_at_once() {
        // A 32 MiB frame of one-byte items costs ciborium ~1 GB as Values.
        let mut definite = vec![0x9a, 0x02, 0x00, 0x00, 0x00];
        definite.resize(definite.len() + 32 * 1024 * 1024, 0);
        let mut indefinite = vec![0x9f];
        indefinite.resize(32 * 1024 * 1024, 0);
        indefinite.push(0xff);
        let start = Instant::now();
        assert_eq!(
            check(&definite),
            Err(CborGuardError::TooManyItems { limit: 1_024 })
        );
        assert_eq!(
            check(&indefinite),
            Err(CborGuardError::TooManyItems { limit: 1_024 })
        );
        assert!(start.elapsed() < Duration::from_millis(100));
        // A map's entries count twice.
        let mut map = vec![0xb9, 0x02, 0x00];
        map.resize(3 + 1_024, 0);
        assert_eq!(
            check(&map),
            Err(CborGuardError::TooManyItems { limit: 1_024 })
        );
    }

    #[test]
    fn refuses_long_text_before_reading_it() {
        let mut frame = vec![0x7a, 0x00, 0x80, 0x00, 0x00];
        frame.resize(frame.len() + 8 * 1024 * 1024, b'x');
        assert_eq!(
            check(&frame),
            Err(CborGuardError::TextTooLong {
                found: 8 * 1024 * 1024,
                limit: 4_096
            })
        );
        // In chunks too.
        let mut chunked = vec![0x7f];
        for _ in 0..5 {
            chunked.extend([0x79, 0x04, 0x00]);
            chunked.resize(chunked.len() + 1_024, b'x');
        }
        chunked.push(0xff);
        assert!(matches!(
            check(&chunked),
            Err(CborGuardError::TextTooLong { .. })
        ));
        // Byte strings are bounded by the frame alone.
        let mut bytes = vec![0x5a, 0x00, 0x80, 0x00, 0x00];
        bytes.resize(bytes.len() + 8 * 1024 * 1024, 0);
        check(&bytes).unwrap();
    }

    #[test]
    fn refuses_deep_nesting() {
        let mut frame = vec![0x81; 16];
        frame.push(0x00);
        check(&frame).unwrap();
        let mut frame = vec![0x81; 17];
        frame.push(0x00);
        assert_eq!(check(&frame), Err(CborGuardError::TooDeep { limit: 16 }));
        let mut frame = vec![0x9f; 17];
        frame.push(0x00);
        frame.extend([0xff; 17]);
        assert_eq!(check(&frame), Err(CborGuardError::TooDeep { limit: 16 }));
        let mut tags = vec![0xc1; 17];
        tags.push(0x00);
        assert_eq!(check(&tags), Err(CborGuardError::TooDeep { limit: 16 }));
    }

    #[test]
    fn refuses_lengths_past_the_end() {
        let cases: [&[u8]; 5] = [
            // A 4 GiB byte string, an 8-byte length of 2^64-1.
            &[0x5a, 0xff, 0xff, 0xff, 0xff, 0x00],
            &[0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
            // 100 array items in three bytes.
            &[0x98, 0x64, 0x01, 0x02, 0x03],
            // A text of 10 bytes with 2, a map of one entry with a key only.
            &[0x6a, b'a', b'b'],
            &[0xa1, 0x01],
        ];
        for frame in cases {
            let error = check(frame).unwrap_err();
            assert!(error.is_malformed(), "{frame:02x?}: {error}");
        }
        assert_eq!(
            check(&[0x5a, 0xff, 0xff, 0xff, 0xff, 0x00]),
            Err(CborGuardError::PastEnd {
                declared: 0xffff_ffff,
                remaining: 1
            })
        );
        // An array of 2^64-1 items is over the item budget before the end.
        assert_eq!(
            check(&[0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
            Err(CborGuardError::TooManyItems { limit: 1_024 })
        );
    }

    #[test]
    fn refuses_what_is_not_one_well_formed_item() {
        let cases: [&[u8]; 12] = [
            &[],
            &[0xff],
            &[0xff, 0x00],
            // Reserved additional information 28, in an integer and a simple.
            &[0x1c],
            &[0xfc],
            // An indefinite integer and an indefinite tag.
            &[0x1f],
            &[0xdf, 0x00],
            // A break in a definite array; an odd indefinite map.
            &[0x82, 0x01, 0xff],
            &[0xbf, 0x01, 0xff],
            // A text chunk inside an indefinite byte string; a simple value
            // under 32 in two bytes.
            &[0x5f, 0x61, b'a', 0xff],
            &[0xf8, 0x10],
            // Two items.
            &[0x01, 0x02],
        ];
        for frame in cases {
            let error = check(frame).unwrap_err();
            assert!(error.is_malformed(), "{frame:02x?}: {error}");
        }
        assert_eq!(check(&[0x01, 0x02]), Err(CborGuardError::TrailingBytes(1)));
    }

    #[test]
    fn the_limits_are_what_they_say() {
        let limits = CborLimits {
            max_depth: 2,
            max_items: 5,
            max_text_bytes: 3,
        };
        // [[1, 2], "abc"]: depth 2, five items.
        check_cbor(&[0x82, 0x82, 0x01, 0x02, 0x63, b'a', b'b', b'c'], &limits).unwrap();
        assert!(check_cbor(
            &[0x82, 0x82, 0x01, 0x02, 0x64, b'a', b'b', b'c', b'd'],
            &limits
        )
        .is_err());
        assert!(check_cbor(&[0x81, 0x81, 0x81, 0x01], &limits).is_err());
        assert!(check_cbor(&[0x85, 0x01, 0x02, 0x03, 0x04, 0x05], &limits).is_err());
        assert_eq!(
            CborGuardError::TooManyItems { limit: 5 }.to_string(),
            "CBOR has more than 5 items"
        );
    }
}
