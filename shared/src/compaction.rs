//! When to fold a document's incremental chunks into one snapshot.
//!
//! Both the server's database and the tablet's IndexedDB keep a document as one
//! snapshot plus the incremental chunks saved since. They follow automerge-repo's
//! rule: compact once the incremental bytes outgrow the snapshot, which keeps
//! storage within about twice the compacted size and each write small.

/// True when `incremental_bytes` of chunks saved after a snapshot of
/// `snapshot_bytes` should be replaced by a fresh snapshot.
pub fn should_compact(snapshot_bytes: usize, incremental_bytes: usize) -> bool {
    incremental_bytes > snapshot_bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compacts_only_past_the_snapshot_size() {
        assert!(!should_compact(100, 100));
        assert!(should_compact(100, 101));
        assert!(should_compact(0, 1));
        assert!(!should_compact(0, 0));
    }
}
