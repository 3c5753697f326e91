//! Untrusted input: every malformed request or frame gets a clear answer,
//! never a crash, and changes nothing stored.

mod common;

use std::time::Duration;

use common::{patrol_key, Server, Tablet};
use futures_util::{SinkExt, StreamExt};
use roundbook_shared::ids::DocumentId;
use roundbook_shared::protocol::{Message, MAX_FRAME_BYTES};
use serde_bytes::ByteBuf;
use tokio_tungstenite::tungstenite::Message as WsMessage;

async fn post_login(server: &Server, body: &'static str) -> (u16, serde_json::Value) {
    let response = reqwest::Client::new()
        .post(format!("{}/api/login", server.base))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

#[tokio::test]
async fn bad_login_bodies_are_refused_with_a_clear_error() {
    let server = Server::start().await;
    for body in [
        "",
        "not json",
        "[]",
        r#"{"username":"guard-a"}"#,
        r#"{"username":1,"password":"roundbook"}"#,
        r#"{"username":"guard-a","password":"roundbook","admin":true}"#,
        r#"{"username":"","password":"roundbook"}"#,
    ] {
        let (status, answer) = post_login(&server, body).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(answer["error"]["code"], "bad_request", "{body}");
    }
    let (status, answer) = post_login(&server, r#"{"username":"nobody","password":"x"}"#).await;
    assert_eq!(status, 401);
    assert_eq!(answer["error"]["code"], "invalid_credentials");
}

#[tokio::test]
async fn repeated_failed_logins_are_slowed_down() {
    let server = Server::start().await;
    for _ in 0..5 {
        let (status, _) = post_login(&server, r#"{"username":"guard-a","password":"wrong"}"#).await;
        assert_eq!(status, 401);
    }
    // Locked now, even with the right password.
    let (status, answer) =
        post_login(&server, r#"{"username":"guard-a","password":"roundbook"}"#).await;
    assert_eq!(status, 429);
    assert_eq!(answer["error"]["code"], "too_many_attempts");
    assert!(answer["error"]["retry_after_secs"].as_u64().unwrap() >= 1);
    // Other users are not affected.
    server.login("guard-b").await;
    // The lock is kept in the database: a restart does not lift it.
    let server = server.restart().await;
    let (status, answer) =
        post_login(&server, r#"{"username":"guard-a","password":"roundbook"}"#).await;
    assert_eq!(status, 429, "still locked after a restart");
    assert_eq!(answer["error"]["code"], "too_many_attempts");
}

#[tokio::test]
async fn signed_out_tokens_are_refused() {
    let server = Server::start().await;
    let token = server.login("guard-a").await.token;
    // A tablet already syncing with this token.
    let mut tablet = Tablet::new("guard-a");
    tablet.hold(&patrol_key("A"));
    tablet.join(&server.ws_url(&token)).await;
    let client = reqwest::Client::new();
    let logout = client
        .post(format!("{}/api/logout", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 204);
    let docs = client
        .get(format!("{}/api/docs", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(docs.status(), 401);
    assert!(tokio_tungstenite::connect_async(server.ws_url(&token))
        .await
        .is_err());
    // The open connection is ended too, with the reason.
    let mut socket = tablet.socket.take().unwrap();
    let mut reason = None;
    while let Ok(Some(Ok(message))) =
        tokio::time::timeout(Duration::from_secs(10), socket.next()).await
    {
        if let Ok(Message::Error { message, .. }) = Message::decode(&message.into_data()) {
            reason = Some(message);
        }
    }
    assert!(reason.unwrap_or_default().contains("session has ended"));
    assert!(tokio_tungstenite::connect_async(format!(
        "{}/sync",
        server.base.replace("http", "ws")
    ))
    .await
    .is_err());
}

/// Opens a raw socket, optionally joins, sends `frame`, and returns the
/// error message the server sent before closing.
async fn error_for(server: &Server, token: &str, join: bool, frame: WsMessage) -> String {
    let (mut socket, _) = tokio_tungstenite::connect_async(server.ws_url(token))
        .await
        .unwrap();
    if join {
        let mut tablet = roundbook_shared::sync::Replica::new("raw".into());
        socket
            .send(WsMessage::Binary(tablet.connect(None).into()))
            .await
            .unwrap();
        let peer = socket.next().await.unwrap().unwrap();
        assert!(matches!(
            Message::decode(&peer.into_data()).unwrap(),
            Message::Peer { .. }
        ));
    }
    let _ = socket.send(frame).await;
    let mut error = None;
    while let Ok(Some(Ok(message))) =
        tokio::time::timeout(Duration::from_secs(10), socket.next()).await
    {
        if let WsMessage::Binary(bytes) = message {
            if let Ok(Message::Error { message, .. }) = Message::decode(&bytes) {
                error = Some(message);
            }
        }
    }
    error.unwrap_or_else(|| panic!("the server explained no error before closing"))
}

fn sync_frame(document_id: DocumentId, data: Vec<u8>) -> WsMessage {
    WsMessage::Binary(
        Message::Sync {
            sender_id: "raw".into(),
            target_id: "server".into(),
            document_id,
            data: ByteBuf::from(data),
        }
        .encode()
        .into(),
    )
}

#[tokio::test]
async fn malformed_frames_get_an_error_and_change_nothing() {
    let server = Server::start().await;
    let token = server.login("guard-a").await.token;
    let key = patrol_key("A");
    let id = key.document_id();

    // A legitimate scan first, to check it is untouched afterwards.
    let mut tablet = Tablet::new("guard-a");
    tablet.hold(&key);
    tablet.scan(&id, "kept");
    tablet.connect(&server.ws_url(&token)).await;
    tablet.sync_all().await;
    tablet.disconnect();

    let cases: Vec<(bool, WsMessage, &str)> = vec![
        (
            false,
            WsMessage::Binary(vec![0xff, 0x13].into()),
            "not valid CBOR",
        ),
        (true, WsMessage::Binary(vec![0xa0].into()), "no `type`"),
        (
            true,
            WsMessage::Binary(
                [
                    0xa1, 0x64, b't', b'y', b'p', b'e', 0x64, b'w', b'a', b'r', b'p',
                ]
                .to_vec()
                .into(),
            ),
            "unknown message type",
        ),
        (true, WsMessage::Text("hello".into()), "binary"),
        (
            false,
            sync_frame(id, vec![0x42]),
            "first message must be join",
        ),
        (
            true,
            sync_frame(id, vec![0x42, 0x01, 0x02]),
            "invalid Automerge sync message",
        ),
    ];
    for (join, frame, expected) in cases {
        let error = error_for(&server, &token, join, frame).await;
        assert!(
            error.contains(expected),
            "{error:?} should mention {expected:?}"
        );
    }

    // An oversized frame: the server refuses it from its length header with an
    // error and closes. (The client may see a reset instead of the error while
    // it is still writing the 32 MiB, so either ending is accepted here; what
    // matters is below: the server lives on and stored nothing.)
    let (mut socket, _) = tokio_tungstenite::connect_async(server.ws_url(&token))
        .await
        .unwrap();
    let _ = socket
        .send(WsMessage::Binary(vec![0u8; MAX_FRAME_BYTES + 1].into()))
        .await;
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(Ok(message)) = socket.next().await {
            if let WsMessage::Binary(bytes) = message {
                match Message::decode(&bytes) {
                    Ok(Message::Error { message, .. }) => {
                        assert!(message.contains("too long"), "{message}")
                    }
                    other => panic!("unexpected answer to an oversized frame: {other:?}"),
                }
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the server closed the connection");

    // A sync message whose changes are corrupt Automerge bytes.
    let corrupt = {
        let mut message = automerge::sync::Message {
            heads: Vec::new(),
            need: Vec::new(),
            have: Vec::new(),
            changes: automerge::sync::ChunkList::from(vec![vec![0x85, 0x6f, 0x4a, 0x83, 1, 2, 3]]),
            flags: None,
            version: automerge::sync::MessageVersion::V1,
        };
        message.heads.clear();
        message.encode()
    };
    let error = error_for(&server, &token, true, sync_frame(id, corrupt)).await;
    assert!(error.contains("invalid Automerge"), "{error}");

    // Still serving, and the stored document is exactly as before.
    let mut check = Tablet::new("guard-a");
    check.hold(&key);
    check.connect(&server.ws_url(&token)).await;
    check
        .sync_until(Duration::from_secs(20), |t| !t.scan_ids(&id).is_empty())
        .await;
    assert_eq!(check.scan_ids(&id), ["kept"]);
}

#[tokio::test]
async fn unknown_documents_are_unavailable() {
    let server = Server::start().await;
    let token = server.login("guard-a").await.token;
    let mut tablet = Tablet::new("guard-a");
    let stranger = DocumentId::from_bytes([9; 16]);
    tablet
        .replica
        .add(stranger, automerge::Automerge::new(), Vec::new());
    tablet.connect(&server.ws_url(&token)).await;
    tablet
        .sync_until(Duration::from_secs(20), |t| {
            t.unavailable.contains(&stranger)
        })
        .await;
}
