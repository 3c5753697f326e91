//! Photo uploads and downloads against a real server: resumable parts, the
//! checks before an upload counts as complete, and zone access.

mod common;

use common::{error_code, Server};
use roundbook_shared::api::UploadStatus;
use roundbook_shared::blob::{hash_of, MAX_PHOTO_BYTES, UPLOAD_CHUNK_BYTES};

/// Bytes that sniff as a PNG, about 2.3 parts long.
fn photo(seed: u8) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend((0..300_000u32).map(|n| (n.wrapping_mul(2_654_435_761) >> 13) as u8 ^ seed));
    bytes
}

async fn status_of(server: &Server, token: &str, zone: &str, hash: &str) -> UploadStatus {
    let response = server
        .get(&format!("/api/uploads/{zone}/{hash}"), Some(token))
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// Sends `photo[range]` to zone A as a part of the whole photo.
async fn send_part(
    server: &Server,
    token: &str,
    photo: &[u8],
    range: std::ops::Range<usize>,
) -> reqwest::Response {
    let (offset, total) = (range.start as u64, photo.len() as u64);
    let hash = hash_of(photo);
    server
        .put_part(Some(token), "A", &hash, offset, total, &photo[range])
        .await
}

/// Sends `bytes` from `from` in parts; returns the last answer.
async fn upload_from(
    server: &Server,
    token: &str,
    zone: &str,
    hash: &str,
    bytes: &[u8],
    from: usize,
) -> reqwest::Response {
    let total = bytes.len() as u64;
    let mut offset = from;
    loop {
        let end = (offset + UPLOAD_CHUNK_BYTES).min(bytes.len());
        let response = server
            .put_part(
                Some(token),
                zone,
                hash,
                offset as u64,
                total,
                &bytes[offset..end],
            )
            .await;
        if end == bytes.len() || response.status() != 200 {
            return response;
        }
        let status: UploadStatus = response.json().await.unwrap();
        assert_eq!(
            status,
            UploadStatus {
                received: end as u64,
                complete: false
            }
        );
        offset = end;
    }
}

#[tokio::test]
async fn a_photo_uploads_in_parts_and_downloads_from_its_zone() {
    let server = Server::start().await;
    let token = server.login("guard-a").await.token;
    let bytes = photo(1);
    let hash = hash_of(&bytes);
    assert_eq!(
        status_of(&server, &token, "A", &hash).await,
        UploadStatus {
            received: 0,
            complete: false
        }
    );
    let done = upload_from(&server, &token, "A", &hash, &bytes, 0).await;
    assert_eq!(done.status(), 200);
    let done: UploadStatus = done.json().await.unwrap();
    let complete = UploadStatus {
        received: bytes.len() as u64,
        complete: true,
    };
    assert_eq!(done, complete);
    assert_eq!(status_of(&server, &token, "A", &hash).await, complete);

    // Uploading it again answers complete at once.
    let again = send_part(&server, &token, &bytes, 0..10).await;
    assert_eq!(again.status(), 200);
    assert_eq!(again.json::<UploadStatus>().await.unwrap(), complete);

    // The supervisor of the whole site downloads it.
    let security = server.login("security").await.token;
    let path = format!("/api/blobs/A/{hash}");
    let download = server.get(&path, Some(&security)).await;
    assert_eq!(download.status(), 200);
    let headers = download.headers().clone();
    assert_eq!(headers["content-type"], "image/png");
    let cache = headers["cache-control"].to_str().unwrap();
    assert!(
        cache.contains("private") && cache.contains("immutable"),
        "{cache}"
    );
    assert_eq!(download.bytes().await.unwrap(), bytes);
    let revalidated = reqwest::Client::new()
        .get(format!("{}{path}", server.base))
        .bearer_auth(&security)
        .header("if-none-match", headers["etag"].clone())
        .send()
        .await
        .unwrap();
    assert_eq!(revalidated.status(), 304);

    // Not registered for zone B (the supervisor may see B): not found there.
    let elsewhere = server
        .get(&format!("/api/blobs/B/{hash}"), Some(&security))
        .await;
    assert_eq!(error_code(elsewhere).await, (404, "not_found".into()));
    let unknown = server
        .get(
            &format!("/api/blobs/A/{}", hash_of(b"nothing")),
            Some(&token),
        )
        .await;
    assert_eq!(error_code(unknown).await, (404, "not_found".into()));
}

#[tokio::test]
async fn an_interrupted_upload_resumes_where_the_server_stopped() {
    let server = Server::start().await;
    let token = server.login("guard-a").await.token;
    let bytes = photo(2);
    let hash = hash_of(&bytes);
    let first = send_part(&server, &token, &bytes, 0..UPLOAD_CHUNK_BYTES).await;
    assert_eq!(first.status(), 200);

    // The connection (and the server) went away; the part was kept.
    let server = server.restart().await;
    let token = server.login("guard-a").await.token;
    let held = status_of(&server, &token, "A", &hash).await;
    assert_eq!(
        held,
        UploadStatus {
            received: UPLOAD_CHUNK_BYTES as u64,
            complete: false
        }
    );

    // A part that does not start where the server stands changes nothing.
    for offset in [0, 1_000, 2 * UPLOAD_CHUNK_BYTES] {
        let end = (offset + 1_000).min(bytes.len());
        let wrong = send_part(&server, &token, &bytes, offset..end).await;
        assert_eq!(
            error_code(wrong).await,
            (409, "upload_offset_mismatch".into())
        );
    }
    assert_eq!(status_of(&server, &token, "A", &hash).await, held);

    let done = upload_from(&server, &token, "A", &hash, &bytes, held.received as usize).await;
    assert_eq!(done.status(), 200);
    assert!(done.json::<UploadStatus>().await.unwrap().complete);
    let download = server
        .get(&format!("/api/blobs/A/{hash}"), Some(&token))
        .await;
    assert_eq!(download.bytes().await.unwrap(), bytes);
}

#[tokio::test]
async fn uploads_that_fail_their_checks_are_discarded() {
    let server = Server::start().await;
    let token = server.login("guard-a").await.token;

    // Bytes that do not match the name they were uploaded under.
    let bytes = photo(3);
    let claimed = hash_of(&photo(4));
    let mismatch = upload_from(&server, &token, "A", &claimed, &bytes, 0).await;
    assert_eq!(error_code(mismatch).await, (422, "hash_mismatch".into()));
    assert_eq!(
        status_of(&server, &token, "A", &claimed).await,
        UploadStatus {
            received: 0,
            complete: false
        }
    );

    // Not an image, though named correctly.
    for fake in [
        &b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>"[..],
        b"<!doctype html><script>alert(1)</script>",
    ] {
        let hash = hash_of(fake);
        let refused = upload_from(&server, &token, "A", &hash, fake, 0).await;
        assert_eq!(error_code(refused).await, (415, "not_an_image".into()));
        assert_eq!(
            status_of(&server, &token, "A", &hash).await,
            UploadStatus {
                received: 0,
                complete: false
            }
        );
        let download = server
            .get(&format!("/api/blobs/A/{hash}"), Some(&token))
            .await;
        assert_eq!(download.status(), 404);
    }

    // Too large as a whole, or in one part.
    let hash = hash_of(&bytes);
    let too_large = server
        .put_part(
            Some(&token),
            "A",
            &hash,
            0,
            MAX_PHOTO_BYTES + 1,
            &bytes[..100],
        )
        .await;
    assert_eq!(error_code(too_large).await, (413, "photo_too_large".into()));
    let big_part = vec![0xFF; UPLOAD_CHUNK_BYTES + 1];
    let too_large = server
        .put_part(Some(&token), "A", &hash, 0, MAX_PHOTO_BYTES, &big_part)
        .await;
    assert_eq!(too_large.status(), 413);

    // Nonsense names and positions.
    for name in [
        "not-a-hash".to_string(),
        hash.to_uppercase(),
        format!("{hash}0"),
    ] {
        let bad_name = server
            .put_part(Some(&token), "A", &name, 0, 10, b"0123456789")
            .await;
        assert_eq!(
            error_code(bad_name).await,
            (400, "bad_request".into()),
            "{name}"
        );
    }
    let past_end = server
        .put_part(Some(&token), "A", &hash, 0, 5, b"0123456789")
        .await;
    assert_eq!(error_code(past_end).await, (400, "bad_request".into()));
    let no_query = reqwest::Client::new()
        .put(format!("{}/api/uploads/A/{hash}", server.base))
        .bearer_auth(&token)
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(no_query).await, (400, "bad_request".into()));
}

#[tokio::test]
async fn photos_stay_in_their_zone() {
    let server = Server::start().await;
    let guard_a = server.login("guard-a").await.token;
    let guard_b = server.login("guard-b").await.token;
    let bytes = photo(5);
    let hash = hash_of(&bytes);
    let done = upload_from(&server, &guard_a, "A", &hash, &bytes, 0).await;
    assert_eq!(done.status(), 200);

    // Guard B may not read, query or write zone A's photos.
    let read = server
        .get(&format!("/api/blobs/A/{hash}"), Some(&guard_b))
        .await;
    assert_eq!(error_code(read).await, (403, "zone_forbidden".into()));
    let query = server
        .get(&format!("/api/uploads/A/{hash}"), Some(&guard_b))
        .await;
    assert_eq!(error_code(query).await, (403, "zone_forbidden".into()));
    let write = server
        .put_part(
            Some(&guard_b),
            "A",
            &hash,
            0,
            bytes.len() as u64,
            &bytes[..10],
        )
        .await;
    assert_eq!(error_code(write).await, (403, "zone_forbidden".into()));
    // Knowing the hash is not enough to get it into zone B: B must upload the bytes.
    assert_eq!(
        status_of(&server, &guard_b, "B", &hash).await,
        UploadStatus {
            received: 0,
            complete: false
        }
    );
    let missing = server
        .get(&format!("/api/blobs/B/{hash}"), Some(&guard_b))
        .await;
    assert_eq!(missing.status(), 404);

    // Without a token, nothing.
    for response in [
        server.get(&format!("/api/blobs/A/{hash}"), None).await,
        server.get(&format!("/api/uploads/A/{hash}"), None).await,
        server
            .put_part(None, "A", &hash, 0, 10, b"0123456789")
            .await,
    ] {
        assert_eq!(error_code(response).await, (401, "unauthorized".into()));
    }
}

#[tokio::test]
async fn an_upload_in_progress_is_its_uploaders_alone() {
    let server = Server::start().await;
    let (mine, theirs) = (
        server.login("guard-a").await.token,
        server.login("guard-a2").await.token,
    );
    let bytes = photo(6);
    let hash = hash_of(&bytes);
    let total = bytes.len() as u64;
    let first = send_part(&server, &mine, &bytes, 0..UPLOAD_CHUNK_BYTES).await;
    assert_eq!(first.status(), 200);
    let held = status_of(&server, &mine, "A", &hash).await;

    // Another guard of the zone sees it exists, but can neither continue it,
    // restart it, nor discard it by declaring another total.
    assert_eq!(status_of(&server, &theirs, "A", &hash).await, held);
    let at = held.received as usize;
    for (offset, declared) in [(at, total), (0, total), (0, total - 1)] {
        let refused = server
            .put_part(
                Some(&theirs),
                "A",
                &hash,
                offset as u64,
                declared,
                &bytes[offset..offset + 1_000],
            )
            .await;
        assert_eq!(refused.status(), 409);
        let body: serde_json::Value = refused.json().await.unwrap();
        assert_eq!(body["error"]["code"], "upload_not_yours");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains("another user"), "{message}");
    }
    assert_eq!(status_of(&server, &mine, "A", &hash).await, held);

    // Its uploader finishes it; then it is the zone's, as any photo.
    let done = upload_from(&server, &mine, "A", &hash, &bytes, at).await;
    assert!(done.json::<UploadStatus>().await.unwrap().complete);
    let download = server
        .get(&format!("/api/blobs/A/{hash}"), Some(&theirs))
        .await;
    assert_eq!(download.bytes().await.unwrap(), bytes);
    let again = send_part(&server, &theirs, &bytes, 0..10).await;
    assert!(again.json::<UploadStatus>().await.unwrap().complete);
}

#[tokio::test]
async fn unfinished_uploads_are_held_to_a_quota_per_user() {
    let server = Server::start_with_flags(&["--upload-quota-mib", "1"]).await;
    let (mine, theirs) = (
        server.login("guard-a").await.token,
        server.login("guard-a2").await.token,
    );
    let start = |token: String, seed: u8| {
        let server = &server;
        async move { send_part(server, &token, &photo(seed), 0..1_000).await }
    };
    // Three photos of 300 KB fit in 1 MiB; a fourth does not.
    for seed in [7, 8, 9] {
        assert_eq!(start(mine.clone(), seed).await.status(), 200);
    }
    let refused = start(mine.clone(), 10).await;
    assert_eq!(refused.status(), 429);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "upload_quota_exceeded");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("900024 of the 1048576 bytes"), "{message}");
    let nothing = UploadStatus {
        received: 0,
        complete: false,
    };
    assert_eq!(
        status_of(&server, &mine, "A", &hash_of(&photo(10))).await,
        nothing
    );

    // Another user has a quota of their own.
    assert_eq!(start(theirs, 10).await.status(), 200);
    // Finishing one frees its share.
    let first = photo(7);
    let done = upload_from(&server, &mine, "A", &hash_of(&first), &first, 1_000).await;
    assert!(done.json::<UploadStatus>().await.unwrap().complete);
    assert_eq!(start(mine, 11).await.status(), 200);
}

#[tokio::test]
async fn unfinished_uploads_left_untouched_expire() {
    let server = Server::start_with_flags(&["--upload-expiry-secs", "1"]).await;
    let (mine, theirs) = (
        server.login("guard-a").await.token,
        server.login("guard-a2").await.token,
    );
    let bytes = photo(12);
    let hash = hash_of(&bytes);
    let first = send_part(&server, &mine, &bytes, 0..UPLOAD_CHUNK_BYTES).await;
    assert_eq!(first.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;

    // Abandoned: deleted when the next upload starts, so another user may
    // upload the photo; its first uploader would now have to start again.
    let taken = send_part(&server, &theirs, &bytes, 0..1_000).await;
    assert_eq!(taken.status(), 200);
    assert_eq!(
        status_of(&server, &mine, "A", &hash).await,
        UploadStatus {
            received: 1_000,
            complete: false
        }
    );
    let late = send_part(
        &server,
        &mine,
        &bytes,
        UPLOAD_CHUNK_BYTES..UPLOAD_CHUNK_BYTES + 1_000,
    )
    .await;
    assert_eq!(error_code(late).await, (409, "upload_not_yours".into()));
}

#[tokio::test]
async fn a_site_whose_photos_fill_its_quota_refuses_new_ones_with_the_reason() {
    // Nothing fits in a quota of 0; three photos of ~300 KB fit in 1 MiB, a
    // fourth does not.
    let server = Server::start_with_flags(&["--site-photo-quota-mib", "0"]).await;
    let token = server.login("guard-a").await.token;
    let first = photo(1);
    let refused = send_part(&server, &token, &first, 0..UPLOAD_CHUNK_BYTES).await;
    assert_eq!(refused.status(), 413, "a quota of 0 takes nothing");
    let answer: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(answer["error"]["code"], "site_photo_quota_exceeded");
    assert_eq!(
        status_of(&server, &token, "A", &hash_of(&first)).await,
        UploadStatus {
            received: 0,
            complete: false
        },
        "nothing stored"
    );

    let server = Server::start_with_flags(&["--site-photo-quota-mib", "1"]).await;
    let token = server.login("guard-a").await.token;
    let done = upload_from(&server, &token, "A", &hash_of(&first), &first, 0).await;
    assert_eq!(done.status(), 200);
    for seed in [2, 3] {
        let next = photo(seed);
        let done = upload_from(&server, &token, "A", &hash_of(&next), &next, 0).await;
        assert_eq!(done.status(), 200, "three photos of ~300 KB fit in 1 MiB");
    }
    let fourth = photo(4);
    let refused = send_part(&server, &token, &fourth, 0..UPLOAD_CHUNK_BYTES).await;
    assert_eq!(refused.status(), 413);
    // A photo the site holds already is not new: offering it again is fine.
    let again = send_part(&server, &token, &first, 0..UPLOAD_CHUNK_BYTES).await;
    assert_eq!(again.status(), 200);
}
