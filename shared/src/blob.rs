//! Photo blobs: named by the SHA-256 of their bytes, checked to be images.
//!
//! Records refer to a photo by its hash; the bytes travel separately (the
//! tablet uploads them in chunks to `/api/uploads`, see `api::UploadStatus`).
//! Both sides use these rules, so a tablet refuses what the server would.

use sha2::{Digest, Sha256};

/// The largest photo accepted. Tablets downscale before storing, so a photo
/// is usually 100 to 400 KB; this leaves room and stops abuse.
pub const MAX_PHOTO_BYTES: u64 = 4 * 1024 * 1024;

/// Bytes per upload request: small enough to finish on a weak connection,
/// so an interrupted upload resumes close to where it stopped.
pub const UPLOAD_CHUNK_BYTES: usize = 128 * 1024;

/// The blob name of some bytes: lowercase hex SHA-256.
pub fn hash_of(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Whether `text` is a blob name (64 lowercase hex digits).
pub fn is_hash(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
}

/// The media type of an image, judged from its first bytes (JPEG, PNG, WebP).
pub fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_lowercase_hex_sha256() {
        let hash = hash_of(b"abc");
        assert_eq!(
            hash,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(is_hash(&hash));
        assert!(!is_hash(&hash.to_uppercase()));
        assert!(!is_hash("../etc/passwd"));
    }

    #[test]
    fn recognises_images_only() {
        assert_eq!(image_type(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(image_type(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(image_type(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(image_type(b"<svg xmlns=..."), None);
        assert_eq!(image_type(b"GIF89a"), None);
        assert_eq!(image_type(b""), None);
    }
}
