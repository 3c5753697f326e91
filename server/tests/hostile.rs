//! Hostile clients: one test per attack of the "hostile clients" issue, each
//! against a real server process on loopback. Every test checks three things
//! while (or right after) the attack runs: the server stays responsive (a
//! sign-in and a document list in under a second), its memory stays bounded,
//! and nothing the attack sent is stored.
//!
//! Attackers connect from 127.0.0.2 where it matters, so the per-address
//! limits that stop them do not also stop the honest user on 127.0.0.1.
//! Every loop is bounded in count and time.

mod common;

use std::time::{Duration, Instant};

use automerge::transaction::Transactable;
use automerge::{ObjType, ReadDoc, ROOT};
use common::attacks::{
    closed_with_error, joined_socket, pad, replace_the_stamped_scan, seeded_patrol_log, send_sync,
    stamped_patrol_log, sync_with_bloom, sync_with_many_haves, ATTACKER,
};
use common::{patrol_key, Server, Tablet};
use futures_util::{SinkExt, StreamExt};
use roundbook_shared::api::PatrolReport;
use roundbook_shared::protocol::{Message, RefusalReason, PROTOCOL_VERSION};
use roundbook_shared::schema::patrol::SCANS;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::Message as WsMessage;

const WAIT: Duration = Duration::from_secs(20);
/// What "responsive" means here: a sign-in and a document list.
const RESPONSIVE: Duration = Duration::from_secs(1);
/// Resident memory the server may reach under any attack here (it idles at
/// ~20 MiB; one Argon2 check holds 19 MiB).
const MEMORY_CEILING_KIB: u64 = 400 * 1024;

/// Asserts the server answers an honest user quickly and has not grown past
/// the ceiling; prints the figures for the closing note.
async fn assert_healthy(server: &Server, attack: &str) {
    let took = server.sign_in_and_list("guard-b").await;
    let (rss, peak) = server.memory_kib();
    eprintln!(
        "{attack}: sign-in + list {} ms, server RSS {} MiB (peak {} MiB)",
        took.as_millis(),
        rss / 1024,
        peak / 1024
    );
    assert!(took < RESPONSIVE, "{attack}: sign-in took {took:?}");
    assert!(
        peak < MEMORY_CEILING_KIB,
        "{attack}: peak memory {peak} KiB"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bloom_filters_claiming_huge_work_are_refused_before_automerge_sees_them() {
    let server = Server::start().await;
    let token = server.login("guard-a").await.token;
    // Give the document changes to test against the peer's bloom filter.
    let heads = seeded_patrol_log(&server).await;

    for (attack, data) in [
        ("2^32-1 probes", sync_with_bloom(1, 10, u32::MAX as u64)),
        ("2^24 probes", sync_with_bloom(1, 10, 1 << 24)),
        ("zero bits per entry", sync_with_bloom(1, 0, 7)),
        ("2^40 entries", sync_with_bloom(1 << 40, 10, 7)),
    ] {
        let (mut socket, server_peer) = joined_socket(&server, &token, None).await;
        send_sync(&mut socket, &server_peer, "A", data).await;
        let error = closed_with_error(&mut socket).await;
        assert!(error.contains("sync message"), "{attack}: {error}");
        assert_healthy(&server, attack).await;
    }

    // 16 M empty haves claimed in a few bytes.
    let (mut socket, server_peer) = joined_socket(&server, &token, None).await;
    send_sync(&mut socket, &server_peer, "A", sync_with_many_haves()).await;
    closed_with_error(&mut socket).await;
    assert_healthy(&server, "16 M haves").await;

    // Nothing changed, and the guard's tablet still syncs.
    assert_stored(&server, &token, &patrol_key("A"), &heads).await;
}

/// A new tablet that syncs the document ends with exactly `heads`: what was
/// stored before the attack, nothing more (it would never match) or less
/// (it would time out).
async fn assert_stored(
    server: &Server,
    token: &str,
    key: &roundbook_shared::schema::DocKey,
    heads: &[automerge::ChangeHash],
) {
    let mut fresh = Tablet::new("guard-a");
    let id = fresh.hold(key);
    fresh.join(&server.ws_url(token)).await;
    fresh
        .sync_until(WAIT, |tablet| {
            tablet.replica.doc(&id).unwrap().get_heads() == heads
        })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_flood_with_random_names_is_bounded() {
    let server = Server::start().await;
    let client = common::client_from(ATTACKER);
    let base = server.base.clone();
    let flood = tokio::spawn(async move {
        let attempts = (0..256).map(|n| {
            let client = client.clone();
            let base = base.clone();
            async move {
                client
                    .post(format!("{base}/api/login"))
                    .header("content-type", "application/json")
                    .body(format!(r#"{{"username":"nobody-{n}","password":"guess"}}"#))
                    .send()
                    .await
                    .map(|response| response.status().as_u16())
                    .unwrap_or(0)
            }
        });
        futures_util::future::join_all(attempts).await
    });
    // While the flood runs, an honest guard signs in from another address.
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_healthy(&server, "sign-in flood (during)").await;
    let statuses = flood.await.unwrap();
    let limited = statuses.iter().filter(|status| **status == 429).count();
    eprintln!(
        "sign-in flood: {limited} of 256 answered 429, {} checked (401)",
        statuses.iter().filter(|status| **status == 401).count()
    );
    assert!(
        limited >= 128,
        "most of the flood is turned away: {statuses:?}"
    );
    assert_healthy(&server, "sign-in flood (after)").await;

    // Only JSON is a sign-in.
    let response = reqwest::Client::new()
        .post(format!("{}/api/login", server.base))
        .header("content-type", "text/plain")
        .body(r#"{"username":"guard-a","password":"roundbook"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 415);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_connections_are_closed_and_capped() {
    let server = Server::start_with_args(&[
        "--header-read-timeout-secs",
        "1",
        "--join-timeout-secs",
        "1",
        "--max-connections-per-address",
        "40",
    ])
    .await;
    let address: std::net::SocketAddr = server.base.trim_start_matches("http://").parse().unwrap();
    let connect = || async {
        let socket = TcpSocket::new_v4().unwrap();
        socket.bind((ATTACKER, 0).into()).unwrap();
        socket.connect(address).await
    };
    // 60 silent connections from one address: 40 are let in, the rest are
    // closed at once; the 40 are closed when no request head comes.
    let mut silent: Vec<TcpStream> = Vec::new();
    for _ in 0..60 {
        if let Ok(stream) = connect().await {
            silent.push(stream);
        }
    }
    assert_healthy(&server, "60 silent connections").await;
    let started = Instant::now();
    for stream in &mut silent {
        let mut buffer = [0u8; 64];
        let read = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buffer)).await;
        assert!(
            matches!(read, Ok(Ok(0)) | Ok(Err(_))),
            "a silent connection was closed"
        );
    }
    eprintln!(
        "silent connections all closed after {:?}",
        started.elapsed()
    );

    // A half-sent request head is closed too.
    let mut half = connect().await.unwrap();
    half.write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let mut buffer = [0u8; 256];
    let read = tokio::time::timeout(Duration::from_secs(5), half.read(&mut buffer)).await;
    assert!(matches!(read, Ok(Ok(_)) | Ok(Err(_))), "closed: {read:?}");

    // A WebSocket that never joins is closed with an error.
    let token = server.login("guard-a").await.token;
    let (mut socket, _) = tokio_tungstenite::connect_async(server.ws_url(&token))
        .await
        .unwrap();
    let error = closed_with_error(&mut socket).await;
    assert!(error.contains("join"), "{error}");
    assert_healthy(&server, "silent WebSocket").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_user_cannot_hold_more_sync_sockets_than_the_cap() {
    let server = Server::start_with_args(&["--max-syncs-per-user", "4"]).await;
    let token = server.login("guard-a").await.token;
    let mut open = Vec::new();
    for _ in 0..4 {
        open.push(joined_socket(&server, &token, None).await);
    }
    let refused = tokio_tungstenite::connect_async(server.ws_url(&token)).await;
    let Err(tokio_tungstenite::tungstenite::Error::Http(response)) = refused else {
        panic!("the fifth socket was refused");
    };
    assert_eq!(response.status().as_u16(), 429);
    // Another user is not affected; a closed socket frees its place.
    joined_socket(&server, &server.login("guard-b").await.token, None).await;
    open.pop();
    tokio::time::sleep(Duration::from_millis(300)).await;
    open.push(joined_socket(&server, &token, None).await);
    assert_healthy(&server, "socket cap").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_out_ends_the_sessions_sockets_at_once() {
    // Session checks every 10 minutes: only the sign-out itself can end it.
    let server = Server::start_with_args(&["--session-check-secs", "600"]).await;
    let token = server.login("guard-a").await.token;
    let (mut socket, _) = joined_socket(&server, &token, None).await;
    let response = reqwest::Client::new()
        .post(format!("{}/api/logout", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 204);
    let started = Instant::now();
    let error = closed_with_error(&mut socket).await;
    assert!(error.contains("session has ended"), "{error}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_and_amplifying_frames_are_refused() {
    let server = Server::start().await;
    let token = server.login("guard-a").await.token;

    // Over the frame limit: the WebSocket layer refuses it.
    let (mut socket, _) = joined_socket(&server, &token, None).await;
    let _ = socket
        .send(WsMessage::Binary(vec![0u8; 8 * 1024 * 1024].into()))
        .await;
    let ended = tokio::time::timeout(WAIT, async {
        while let Some(Ok(frame)) = socket.next().await {
            if matches!(frame, WsMessage::Close(_)) {
                break;
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "an oversized frame ends the socket");
    assert_healthy(&server, "8 MiB frame").await;

    // Under it, but made of a million one-byte CBOR items.
    let (mut socket, _) = joined_socket(&server, &token, None).await;
    let mut items = vec![0x9a]; // an array of 2^32-1 items...
    items.extend((u32::MAX).to_be_bytes());
    items.extend(std::iter::repeat_n(0u8, 3 * 1024 * 1024)); // ...of which 3 M are here
    socket.send(WsMessage::Binary(items.into())).await.unwrap();
    let error = closed_with_error(&mut socket).await;
    assert!(!error.is_empty());
    assert_healthy(&server, "3 M CBOR items").await;

    // A sender id of megabytes.
    let (mut socket, _) = tokio_tungstenite::connect_async(server.ws_url(&token))
        .await
        .unwrap();
    let join = Message::Join {
        sender_id: "x".repeat(2 * 1024 * 1024).as_str().into(),
        supported_protocol_versions: vec![PROTOCOL_VERSION.into()],
        peer_metadata: None,
    };
    socket
        .send(WsMessage::Binary(join.encode().into()))
        .await
        .unwrap();
    let error = closed_with_error(&mut socket).await;
    assert!(!error.is_empty());
    assert_healthy(&server, "2 MiB sender id").await;
}

/// A writer of the zone bends a patrol log: each way is refused, the stored
/// document is unchanged, and the day's report still answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writers_cannot_bend_the_shape_of_a_document() {
    let server = Server::start().await;
    let token = server.login("guard-a").await.token;
    let key = patrol_key("A");
    let id = key.document_id();
    let stored = stamped_patrol_log(&server, &key).await;

    type Bend = fn(&mut automerge::Automerge);
    let bends: [(&str, RefusalReason, Bend); 9] = [
        (
            "replace a stamped scan with a new object",
            RefusalReason::BadShape,
            replace_the_stamped_scan,
        ),
        (
            "a scan in another guard's name",
            RefusalReason::NotTheAuthor,
            |doc| {
                let (_, scans) = doc.get(ROOT, SCANS).unwrap().unwrap();
                let mut tx = doc.transaction();
                let scan = tx.put_object(&scans, "forged", ObjType::Map).unwrap();
                tx.put(&scan, "guard", "guard-a2").unwrap();
                tx.commit();
            },
        ),
        (
            "rewrite who made the stamped scan",
            RefusalReason::NotTheAuthor,
            |doc| {
                let (_, scans) = doc.get(ROOT, SCANS).unwrap().unwrap();
                let (_, scan) = doc.get(&scans, "stamped").unwrap().unwrap();
                let mut tx = doc.transaction();
                tx.put(&scan, "guard", "guard-a2").unwrap();
                tx.commit();
            },
        ),
        (
            "rewrite the document's kind",
            RefusalReason::BadShape,
            |doc| {
                let mut tx = doc.transaction();
                tx.put(ROOT, "kind", "zone_directory").unwrap();
                tx.commit();
            },
        ),
        (
            "replace the scans map with a string",
            RefusalReason::BadShape,
            |doc| {
                let mut tx = doc.transaction();
                tx.put(ROOT, SCANS, "gone").unwrap();
                tx.commit();
            },
        ),
        ("delete a scan", RefusalReason::BadShape, |doc| {
            let (_, scans) = doc.get(ROOT, SCANS).unwrap().unwrap();
            let mut tx = doc.transaction();
            tx.delete(&scans, "stamped").unwrap();
            tx.commit();
        }),
        ("a 1 MB string", RefusalReason::BadShape, |doc| {
            let (_, scans) = doc.get(ROOT, SCANS).unwrap().unwrap();
            let mut tx = doc.transaction();
            let scan = tx.put_object(&scans, "long", ObjType::Map).unwrap();
            tx.put(&scan, "note", "x".repeat(1_000_000)).unwrap();
            tx.commit();
        }),
        ("1,000 keys in one record", RefusalReason::BadShape, |doc| {
            let (_, scans) = doc.get(ROOT, SCANS).unwrap().unwrap();
            let mut tx = doc.transaction();
            let scan = tx.put_object(&scans, "wide", ObjType::Map).unwrap();
            for n in 0..1_000 {
                tx.put(&scan, format!("k{n}"), n).unwrap();
            }
            tx.commit();
        }),
        ("a list of 5,000 items", RefusalReason::BadShape, |doc| {
            let (_, scans) = doc.get(ROOT, SCANS).unwrap().unwrap();
            let mut tx = doc.transaction();
            let scan = tx.put_object(&scans, "listy", ObjType::Map).unwrap();
            let list = tx.put_object(&scan, "photos", ObjType::List).unwrap();
            for n in 0..5_000 {
                tx.insert(&list, n, 0).unwrap();
            }
            tx.commit();
        }),
    ];
    for (bend, reason, make) in bends {
        let mut attacker = Tablet::new("guard-a");
        attacker.hold(&key);
        attacker.join(&server.ws_url(&token)).await;
        attacker
            .sync_until(WAIT, |tablet| {
                tablet.replica.doc(&id).unwrap().get_heads() == stored
            })
            .await;
        make(attacker.replica.doc_mut(&id).unwrap());
        attacker.flush(&id).await;
        let error = attacker.until_refused(WAIT).await;
        assert_eq!(
            attacker.replica.refusal(&id),
            Some(reason),
            "{bend}: {error}"
        );
        assert_healthy(&server, bend).await;

        assert_stored(&server, &token, &key, &stored).await;
    }

    let head = server.login("head").await.token;
    let date = key.period().unwrap();
    let response = server
        .get(&format!("/api/reports/patrol?date={date}"), Some(&head))
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let _: PatrolReport = response.json().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_stops_growing_at_its_budget() {
    let server = Server::start_with_args(&["--max-document-bytes", "1048576"]).await;
    let token = server.login("guard-a").await.token;
    let key = patrol_key("A");
    let mut tablet = Tablet::new("guard-a");
    let id = tablet.hold(&key);
    tablet.join(&server.ws_url(&token)).await;
    let mut seed = 0x2545_f491_4f6c_dd1d;
    // ~800 KB of letters (stored compressed, ~0.5 MB) fits the 1 MiB budget...
    for batch in 0..8 {
        pad(tablet.replica.doc_mut(&id).unwrap(), batch, 10, &mut seed);
        tablet.flush(&id).await;
        tablet.sync_all().await;
    }
    // ...1 MB more does not (stored compressed, ~0.6 MB).
    pad(tablet.replica.doc_mut(&id).unwrap(), 8, 100, &mut seed);
    tablet.flush(&id).await;
    let error = tablet.until_refused(WAIT).await;
    assert_eq!(
        tablet.replica.refusal(&id),
        Some(RefusalReason::TooLarge),
        "{error}"
    );
    assert_healthy(&server, "document budget").await;
}
