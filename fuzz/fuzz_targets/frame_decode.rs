//! Frames as a client sends them: `Message::decode` must never panic, what it
//! decodes must re-encode to the same message, and whatever the CBOR guard
//! accepts, ciborium decodes within the guard's limits.
#![no_main]

use ciborium::Value;
use libfuzzer_sys::fuzz_target;
use roundbook_shared::cbor_guard::{check_cbor, CborLimits};
use roundbook_shared::protocol::Message;

fuzz_target!(|frame: &[u8]| {
    if let Ok(message) = Message::decode(frame) {
        assert_eq!(Message::decode(&message.encode()), Ok(message));
    }
    let limits = CborLimits::default();
    if check_cbor(frame, &limits).is_ok() {
        if let Ok(value) = ciborium::from_reader::<Value, _>(frame) {
            let (items, depth, text) = shape(&value);
            assert!(items <= limits.max_items, "{items} items");
            assert!(depth <= limits.max_depth, "depth {depth}");
            assert!(text <= limits.max_text_bytes, "text of {text} bytes");
        }
    }
});

/// Items, container depth and longest text, as the guard counts them.
fn shape(value: &Value) -> (usize, usize, usize) {
    let fold = |acc: (usize, usize, usize), item: (usize, usize, usize)| {
        (acc.0 + item.0, acc.1.max(item.1 + 1), acc.2.max(item.2))
    };
    match value {
        Value::Text(text) => (1, 0, text.len()),
        Value::Array(items) => items.iter().map(shape).fold((1, 1, 0), fold),
        Value::Map(entries) => entries
            .iter()
            .flat_map(|(key, value)| [shape(key), shape(value)])
            .fold((1, 1, 0), fold),
        Value::Tag(_, inner) => {
            let (items, depth, text) = shape(inner);
            (items + 1, depth + 1, text)
        }
        _ => (1, 0, 0),
    }
}
