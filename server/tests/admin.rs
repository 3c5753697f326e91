//! Administration over HTTP against a real server: only the office head and
//! the administrator reach `/api/admin/*`; every refused body changes
//! nothing; zones, staff, passwords, sign-in codes and devices; disabling a
//! user closes their open sync socket and their token never works again; a
//! zone move stops the old zone's documents being served; every action is in
//! the audit trail.

mod common;

use std::time::{Duration, Instant};

/// How long a sync step may take in these tests.
const WAIT: Duration = Duration::from_secs(10);

use common::{patrol_key, Server, Tablet, PASSWORD};
use reqwest::Method;
use roundbook_shared::api::{LoginResponse, StaffEntry};
use roundbook_shared::protocol::RefusalReason;
use roundbook_shared::schema::DocKey;
use serde_json::{json, Value};

/// A demo server whose sign-in limits leave room for a test's many sign-ins.
async fn server() -> Server {
    Server::start_with_flags(&[
        "--sign-ins-per-minute-per-address",
        "1000",
        "--failed-sign-ins-per-address",
        "1000",
    ])
    .await
}

/// `(status, JSON answer)` of a call with a bearer token and a JSON body.
async fn call(
    server: &Server,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let body = body.map(|body| body.to_string());
    call_raw(server, method, path, token, body).await
}

/// Sends each case's body and checks its answer's status and error code
/// (`""` for a success).
async fn check_answers(
    server: &Server,
    method: Method,
    path: &str,
    token: &str,
    cases: Vec<(Value, u16, &str)>,
) {
    for (body, status, expected) in cases {
        let (got, answer) = call(server, method.clone(), path, token, Some(body.clone())).await;
        assert_eq!(
            (got, code(&answer)),
            (status, expected),
            "{method} {path} {body}"
        );
    }
}

/// `call` with a raw body (bad JSON, oversized), sent as JSON.
async fn call_raw(
    server: &Server,
    method: Method,
    path: &str,
    token: &str,
    body: Option<String>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .request(method, format!("{}{path}", server.base))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body);
    }
    answer_of(request).await
}

/// The status and JSON answer (`null` if none) of a request.
async fn answer_of(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

async fn sign_in(server: &Server, username: &str, password: &str, device: &str) -> (u16, Value) {
    let body = json!({"username": username, "password": password, "device": device});
    answer_of(
        reqwest::Client::new()
            .post(format!("{}/api/login", server.base))
            .json(&body),
    )
    .await
}

async fn token(server: &Server, username: &str) -> String {
    let (status, answer) = sign_in(server, username, PASSWORD, "test tablet").await;
    assert_eq!(status, 200, "{username}: {answer}");
    answer["token"].as_str().unwrap().to_owned()
}

fn code(answer: &Value) -> &str {
    answer["error"]["code"].as_str().unwrap_or_default()
}

async fn staff(server: &Server, head: &str) -> Vec<StaffEntry> {
    let (status, answer) = call(server, Method::GET, "/api/admin/staff", head, None).await;
    assert_eq!(status, 200, "{answer}");
    serde_json::from_value(answer).unwrap()
}

async fn zones(server: &Server, head: &str) -> Value {
    call(server, Method::GET, "/api/admin/zones", head, None)
        .await
        .1
}

async fn audit_actions(server: &Server, head: &str) -> Vec<(String, String)> {
    let (status, answer) = call(server, Method::GET, "/api/admin/audit", head, None).await;
    assert_eq!(status, 200);
    answer
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["action"].as_str().unwrap().to_owned(),
                row["target"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn only_the_head_and_the_administrator_reach_admin_and_nothing_changes() {
    let server = server().await;
    let head = token(&server, "head").await;
    let zones_before = call(&server, Method::GET, "/api/admin/zones", &head, None).await;
    let staff_before = staff(&server, &head).await;
    for username in ["guard-a", "deputy", "security", "frontdesk"] {
        let user = token(&server, username).await;
        let attempts = [
            (Method::GET, "/api/admin/zones", None),
            (
                Method::POST,
                "/api/admin/zones",
                Some(json!({"code": "Z", "name": "Z区"})),
            ),
            (
                Method::PATCH,
                "/api/admin/zones/A",
                Some(json!({"retired": true})),
            ),
            (Method::GET, "/api/admin/staff", None),
            (
                Method::POST,
                "/api/admin/staff",
                Some(json!({"username": "x1", "name": "X", "roles": ["guard"], "zones": ["A"]})),
            ),
            (
                Method::PATCH,
                "/api/admin/staff/guard-b",
                Some(json!({"zones": ["C"]})),
            ),
            (Method::POST, "/api/admin/staff/guard-b/disable", None),
            (
                Method::POST,
                "/api/admin/staff/guard-b/password-reset",
                None,
            ),
            (Method::POST, "/api/admin/staff/guard-b/sign-in-code", None),
            (Method::POST, "/api/admin/devices/whatever/sign-out", None),
            (Method::GET, "/api/admin/audit", None),
        ];
        for (method, path, body) in attempts {
            let (status, answer) = call(&server, method.clone(), path, &user, body).await;
            assert_eq!(
                (status, code(&answer)),
                (403, "role_forbidden"),
                "{username} {method} {path}"
            );
        }
    }
    assert_eq!(
        call(&server, Method::GET, "/api/admin/zones", &head, None).await,
        zones_before
    );
    let without_devices = |mut staff: Vec<StaffEntry>| {
        staff.iter_mut().for_each(|entry| entry.devices.clear());
        staff
    };
    assert_eq!(
        without_devices(staff(&server, &head).await),
        without_devices(staff_before)
    );
    assert!(audit_actions(&server, &head).await.is_empty());
    // No token at all: 401.
    let (status, _) = call(&server, Method::GET, "/api/admin/zones", "", None).await;
    assert_eq!(status, 401);
    // The IT administrator administers, but may not make an office head.
    let admin = token(&server, "admin").await;
    let (status, _) = call(&server, Method::GET, "/api/admin/staff", &admin, None).await;
    assert_eq!(status, 200);
    let (status, answer) = call(
        &server,
        Method::POST,
        "/api/admin/staff",
        &admin,
        Some(json!({"username": "boss", "name": "老板", "roles": ["office_head"], "zones": []})),
    )
    .await;
    assert_eq!((status, code(&answer)), (403, "role_forbidden"));
}

#[tokio::test]
async fn zones_are_created_renamed_and_retired_and_bad_bodies_change_nothing() {
    let server = server().await;
    let head = token(&server, "head").await;

    let before = zones(&server, &head).await;
    assert_eq!(before.as_array().unwrap().len(), 3);
    let long_name = "名".repeat(10 * 1024 / 3);
    check_answers(
        &server,
        Method::POST,
        "/api/admin/zones",
        &head,
        vec![
            (json!({"code": "A", "name": "again"}), 409, "zone_exists"),
            (json!({"code": "", "name": "D区"}), 400, "invalid_zone_code"),
            (
                json!({"code": "D 区", "name": "D区"}),
                400,
                "invalid_zone_code",
            ),
            (json!({"code": "D", "name": ""}), 400, "invalid_name"),
            (json!({"code": "D", "name": long_name}), 400, "invalid_name"),
            (json!({"code": "D"}), 400, "bad_request"),
            (
                json!({"code": "D", "name": "D区", "extra": 1}),
                400,
                "bad_request",
            ),
        ],
    )
    .await;
    let (status, answer) = call_raw(
        &server,
        Method::POST,
        "/api/admin/zones",
        &head,
        Some("{not json".into()),
    )
    .await;
    assert_eq!((status, code(&answer)), (400, "bad_request"));
    let (status, answer) = call_raw(
        &server,
        Method::POST,
        "/api/admin/zones",
        &head,
        Some(format!(
            "{{\"code\":\"D\",\"name\":\"{}\"}}",
            "x".repeat(100_000)
        )),
    )
    .await;
    assert_eq!((status, code(&answer)), (413, "body_too_large"));
    assert_eq!(zones(&server, &head).await, before, "nothing changed");

    let (status, answer) = call(
        &server,
        Method::POST,
        "/api/admin/zones",
        &head,
        Some(json!({"code": "D", "name": "D区 北苑"})),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(
        answer,
        json!({"code": "D", "name": "D区 北苑", "retired": false})
    );
    let (status, answer) = call(
        &server,
        Method::PATCH,
        "/api/admin/zones/D",
        &head,
        Some(json!({"name": "D区", "retired": true})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(answer, json!({"code": "D", "name": "D区", "retired": true}));
    let (status, answer) = call(
        &server,
        Method::PATCH,
        "/api/admin/zones/Q",
        &head,
        Some(json!({"retired": true})),
    )
    .await;
    assert_eq!((status, code(&answer)), (404, "no_such_zone"));
    let listed = zones(&server, &head).await;
    assert_eq!(
        listed.as_array().unwrap().len(),
        4,
        "retired zones stay listed"
    );

    // Nobody may be newly assigned a retired zone; the profile leaves it out.
    let (status, answer) = call(
        &server,
        Method::POST,
        "/api/admin/staff",
        &head,
        Some(json!({"username": "guard-d", "name": "D", "roles": ["guard"], "zones": ["D"]})),
    )
    .await;
    assert_eq!((status, code(&answer)), (400, "unknown_zone"));
    call(
        &server,
        Method::PATCH,
        "/api/admin/zones/A",
        &head,
        Some(json!({"retired": true})),
    )
    .await;
    let (_, login) = sign_in(&server, "guard-a", PASSWORD, "t").await;
    assert_eq!(login["user"]["zones"], json!([]), "zone A is retired");

    assert_eq!(
        audit_actions(&server, &head).await,
        [
            ("zone_changed".into(), "A".into()),
            ("zone_changed".into(), "D".into()),
            ("zone_created".into(), "D".into()),
        ]
    );
}

#[tokio::test]
async fn staff_are_created_edited_and_must_change_a_one_time_password() {
    let server = server().await;
    let head = token(&server, "head").await;
    let before = staff(&server, &head).await;
    let good = json!({"username": "guard-c", "name": "钱勇", "phone": "139 0000 0000", "roles": ["guard"], "zones": ["C"]});
    let with = |field: &str, value: Value| {
        let mut body = good.clone();
        body[field] = value;
        body
    };
    check_answers(
        &server,
        Method::POST,
        "/api/admin/staff",
        &head,
        vec![
            (with("roles", json!(["janitor"])), 400, "unknown_role"),
            (with("roles", json!([])), 400, "no_roles"),
            (with("zones", json!(["Q"])), 400, "unknown_zone"),
            (with("username", json!("guard-a")), 409, "username_taken"),
            (with("username", json!("Guard C")), 400, "invalid_username"),
            (with("name", json!("")), 400, "invalid_name"),
            (
                with("name", json!("x".repeat(10 * 1024))),
                400,
                "invalid_name",
            ),
            (with("phone", json!("call me")), 400, "invalid_phone"),
            (with("password", json!("short")), 400, "password_too_short"),
            (
                with("password", json!("guard-c")),
                400,
                "password_too_short",
            ),
            (
                json!({"username": "guard-cc", "name": "X", "roles": ["guard"], "zones": [], "password": "GUARD-CC"}),
                400,
                "password_is_username",
            ),
        ],
    )
    .await;
    let (status, answer) = call_raw(
        &server,
        Method::POST,
        "/api/admin/staff",
        &head,
        Some("[1,2".into()),
    )
    .await;
    assert_eq!((status, code(&answer)), (400, "bad_request"));
    assert_eq!(staff(&server, &head).await, before, "nothing changed");

    let (status, answer) = call(
        &server,
        Method::POST,
        "/api/admin/staff",
        &head,
        Some(good.clone()),
    )
    .await;
    assert_eq!(status, 201, "{answer}");
    let one_time = answer["one_time_password"].as_str().unwrap().to_owned();
    let (status, login) = sign_in(&server, "guard-c", &one_time, "C区平板").await;
    assert_eq!(status, 200);
    assert_eq!(login["user"]["must_change_password"], true);
    let new_user = login["token"].as_str().unwrap().to_owned();
    let (status, answer) = call(&server, Method::GET, "/api/docs", &new_user, None).await;
    assert_eq!((status, code(&answer)), (403, "password_change_required"));
    let (status, answer) = call(&server, Method::GET, "/api/staff", &new_user, None).await;
    assert_eq!((status, code(&answer)), (403, "password_change_required"));
    check_answers(
        &server,
        Method::POST,
        "/api/password",
        &new_user,
        vec![
            (
                json!({"old": "wrong-password", "new": "a good password"}),
                403,
                "wrong_password",
            ),
            (
                json!({"old": one_time, "new": "short"}),
                400,
                "password_too_short",
            ),
            (
                json!({"old": one_time, "new": "guard-c"}),
                400,
                "password_too_short",
            ),
            (json!({"old": one_time, "new": "GUARD-C!"}), 204, ""),
        ],
    )
    .await;
    let (status, _) = call(&server, Method::GET, "/api/docs", &new_user, None).await;
    assert_eq!(status, 200, "changed: free to work");
    let (status, login) = sign_in(&server, "guard-c", "GUARD-C!", "second tablet").await;
    assert_eq!(
        (status, login["user"]["must_change_password"].as_bool()),
        (200, Some(false))
    );
    let second = login["token"].as_str().unwrap().to_owned();
    // Changing it again ends the other session.
    let (status, _) = call(
        &server,
        Method::POST,
        "/api/password",
        &new_user,
        Some(json!({"old": "GUARD-C!", "new": "another one"})),
    )
    .await;
    assert_eq!(status, 204);
    // The other session must sign in again; its tablet keeps its data (only
    // a disable or a device sign-out makes a tablet forget its user).
    let (status, answer) = call(&server, Method::GET, "/api/docs", &second, None).await;
    assert_eq!((status, code(&answer)), (401, "unauthorized"));

    // The directory: no phone, no disabled staff.
    let (_, directory) = call(
        &server,
        Method::GET,
        "/api/staff",
        &token(&server, "guard-b").await,
        None,
    )
    .await;
    let c = directory
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["username"] == "guard-c")
        .unwrap();
    assert_eq!(
        c,
        &json!({"username": "guard-c", "name": "钱勇", "roles": ["guard"], "zones": ["C"]})
    );

    // Edits: the head's list shows the phone and the devices.
    let (status, answer) = call(&server, Method::PATCH, "/api/admin/staff/guard-c", &head, Some(json!({"name": "钱勇勇", "phone": "", "roles": ["guard", "squad_leader"], "zones": ["B"]}))).await;
    assert_eq!(status, 200, "{answer}");
    let entry: StaffEntry = serde_json::from_value(answer).unwrap();
    assert_eq!(
        (
            entry.name.as_str(),
            entry.phone.as_deref(),
            entry.zones.as_slice()
        ),
        ("钱勇勇", None, ["B".to_owned()].as_slice())
    );
    assert_eq!(
        entry.devices.len(),
        1,
        "one live session: {:?}",
        entry.devices
    );
    assert_eq!(entry.devices[0].device, "C区平板");
    check_answers(
        &server,
        Method::PATCH,
        "/api/admin/staff/guard-c",
        &head,
        vec![
            (json!({"roles": ["janitor"]}), 400, "unknown_role"),
            (json!({"zones": ["Q"]}), 400, "unknown_zone"),
            (json!({"name": "x".repeat(10 * 1024)}), 400, "invalid_name"),
            (json!({"roles": []}), 400, "no_roles"),
        ],
    )
    .await;
    let (status, answer) = call(
        &server,
        Method::PATCH,
        "/api/admin/staff/nobody",
        &head,
        Some(json!({"name": "x"})),
    )
    .await;
    assert_eq!((status, code(&answer)), (404, "no_such_staff"));
    let (status, _) = call(
        &server,
        Method::PATCH,
        "/api/admin/staff/head",
        &head,
        Some(json!({"roles": ["guard"]})),
    )
    .await;
    assert_eq!(status, 403, "nobody changes their own roles");

    let actions = audit_actions(&server, &head).await;
    assert_eq!(
        actions,
        [
            ("staff_changed".into(), "guard-c".into()),
            ("password_changed".into(), "guard-c".into()),
            ("password_changed".into(), "guard-c".into()),
            ("staff_created".into(), "guard-c".into()),
        ]
    );
    let (_, rows) = call(
        &server,
        Method::GET,
        "/api/admin/audit?limit=1",
        &head,
        None,
    )
    .await;
    assert_eq!(rows[0]["actor"], "head");
    assert_eq!(rows[0]["device"], "test tablet");
    assert!(rows[0]["detail"].as_str().unwrap().contains("squad_leader"));
    assert_eq!(rows.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_disabled_users_socket_closes_and_their_token_never_works_again() {
    let server = server().await;
    let head = token(&server, "head").await;
    let guard = token(&server, "guard-a").await;
    let mut tablet = Tablet::new("guard-a");
    let id = tablet.hold(&patrol_key("A"));
    tablet.join(&server.ws_url(&guard)).await;
    tablet.scan(&id, "before-disable");
    tablet.sync_all().await;

    let disabled_at = Instant::now();
    let (status, answer) = call(
        &server,
        Method::POST,
        "/api/admin/staff/guard-a/disable",
        &head,
        None,
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["disabled"], true);
    assert_eq!(answer["devices"], json!([]));
    let reason = tablet.until_refused(Duration::from_secs(3)).await;
    assert!(reason.contains("signed_out_remotely"), "{reason}");
    eprintln!("disable to socket closed: {:?}", disabled_at.elapsed());

    let (status, answer) = call(&server, Method::GET, "/api/docs", &guard, None).await;
    assert_eq!((status, code(&answer)), (401, "signed_out_remotely"));
    // (`/sync` still admits the token, for its final upload only: see
    // `a_disabled_users_tablet_uploads_what_it_recorded_before_and_receives_nothing`.)
    let (status, answer) = sign_in(&server, "guard-a", PASSWORD, "t").await;
    assert_eq!((status, code(&answer)), (403, "account_disabled"));
    let (status, answer) = call(
        &server,
        Method::POST,
        "/api/admin/staff/guard-a/sign-in-code",
        &head,
        None,
    )
    .await;
    assert_eq!((status, code(&answer)), (403, "account_disabled"));
    let (status, answer) = call(
        &server,
        Method::POST,
        "/api/admin/staff/head/disable",
        &head,
        None,
    )
    .await;
    assert_eq!((status, code(&answer)), (400, "cannot_disable_yourself"));
    let (_, directory) = call(&server, Method::GET, "/api/staff", &head, None).await;
    assert!(directory
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["username"] != "guard-a"));
    assert_eq!(
        audit_actions(&server, &head).await,
        [("staff_disabled".into(), "guard-a".into())]
    );
}

#[tokio::test]
async fn a_zone_move_stops_serving_the_old_zone() {
    let server = server().await;
    let head = token(&server, "head").await;
    let guard = token(&server, "guard-a").await;
    let mut tablet = Tablet::new("guard-a");
    let a = tablet.hold(&patrol_key("A"));
    tablet.join(&server.ws_url(&guard)).await;
    tablet.scan(&a, "in-a");
    tablet.sync_all().await;
    assert!(tablet.unavailable.is_empty());

    let (status, _) = call(
        &server,
        Method::PATCH,
        "/api/admin/staff/guard-a",
        &head,
        Some(json!({"zones": ["B"]})),
    )
    .await;
    assert_eq!(status, 200);
    // The server checks the session every second (the harness's interval).
    let (mut tablet, ()) =
        common::answering(tablet, tokio::time::sleep(Duration::from_millis(2_500))).await;
    let directory = tablet.hold(&DocKey::zone_directory("demo", "A"));
    tablet.flush(&directory).await;
    tablet
        .sync_until(Duration::from_secs(10), |t| {
            t.unavailable.contains(&directory)
        })
        .await;
    let b = tablet.hold(&patrol_key("B"));
    tablet.scan(&b, "in-b");
    tablet.flush(&b).await;
    tablet.sync_all().await;
    assert!(!tablet.unavailable.contains(&b));
    let listed = server.docs(&guard).await;
    assert!(listed.iter().all(|doc| doc.zone != "A"), "{listed:?}");
}

#[tokio::test]
async fn resets_codes_and_device_sign_outs() {
    let server = server().await;
    let head = token(&server, "head").await;
    let guard = token(&server, "guard-b").await;
    let (status, _) = call(
        &server,
        Method::POST,
        "/api/device",
        &guard,
        Some(json!({"pending": 7})),
    )
    .await;
    assert_eq!(status, 204);
    let (status, answer) = call(
        &server,
        Method::POST,
        "/api/device",
        &guard,
        Some(json!({"pending": -1})),
    )
    .await;
    assert_eq!((status, code(&answer)), (400, "bad_request"));
    let entry = staff(&server, &head)
        .await
        .into_iter()
        .find(|s| s.username == "guard-b")
        .unwrap();
    assert_eq!(entry.devices.len(), 1);
    assert_eq!(
        (entry.devices[0].device.as_str(), entry.devices[0].pending),
        ("test tablet", Some(7))
    );

    // The head signs the device out.
    let path = format!("/api/admin/devices/{}/sign-out", entry.devices[0].id);
    let (status, _) = call(&server, Method::POST, &path, &head, None).await;
    assert_eq!(status, 204);
    let (status, answer) = call(&server, Method::GET, "/api/docs", &guard, None).await;
    assert_eq!((status, code(&answer)), (401, "signed_out_remotely"));
    let (status, answer) = call(&server, Method::POST, &path, &head, None).await;
    assert_eq!((status, code(&answer)), (404, "no_such_device"));

    // A sign-in code: once, with or without the QR prefix.
    let (status, answer) = call(
        &server,
        Method::POST,
        "/api/admin/staff/guard-b/sign-in-code",
        &head,
        None,
    )
    .await;
    assert_eq!(status, 200);
    let issued = answer["code"].as_str().unwrap().to_owned();
    let expires = answer["expires_at"].as_i64().unwrap();
    let day = 24 * 3600 * 1000;
    let now = chrono::Utc::now().timestamp_millis();
    assert!((now + day - 60_000..=now + day).contains(&expires));
    let by_code = |code: String| {
        let base = server.base.clone();
        async move {
            let body = json!({"code": code, "device": "扫码平板"});
            answer_of(
                reqwest::Client::new()
                    .post(format!("{base}/api/login/code"))
                    .json(&body),
            )
            .await
        }
    };
    let started = Instant::now();
    let (status, answer) = by_code(format!("roundbook-sign-in:{issued}")).await;
    assert_eq!(status, 200, "{answer}");
    eprintln!("sign-in by code: {:?}", started.elapsed());
    let login: LoginResponse = serde_json::from_value(answer).unwrap();
    assert_eq!(login.user.username, "guard-b");
    let (status, answer) = by_code(issued).await;
    assert_eq!((status, code(&answer)), (401, "invalid_sign_in_code"));
    let (status, answer) = by_code("made-up".into()).await;
    assert_eq!((status, code(&answer)), (401, "invalid_sign_in_code"));

    // A reset: every session ends; the new password must be changed.
    let (status, answer) = call(
        &server,
        Method::POST,
        "/api/admin/staff/guard-b/password-reset",
        &head,
        None,
    )
    .await;
    assert_eq!(status, 200);
    let one_time = answer["one_time_password"].as_str().unwrap().to_owned();
    let (status, answer) = call(&server, Method::GET, "/api/docs", &login.token, None).await;
    assert_eq!(
        (status, code(&answer)),
        (401, "unauthorized"),
        "sign in again"
    );
    let (status, _) = sign_in(&server, "guard-b", PASSWORD, "t").await;
    assert_eq!(status, 401, "the old password is gone");
    let (status, answer) = sign_in(&server, "guard-b", &one_time, "t").await;
    assert_eq!(
        (status, answer["user"]["must_change_password"].as_bool()),
        (200, Some(true))
    );
    let (status, answer) = call(
        &server,
        Method::POST,
        "/api/admin/staff/nobody/password-reset",
        &head,
        None,
    )
    .await;
    assert_eq!((status, code(&answer)), (404, "no_such_staff"));

    assert_eq!(
        audit_actions(&server, &head).await,
        [
            ("password_reset".into(), "guard-b".into()),
            ("sign_in_code_issued".into(), "guard-b".into()),
            ("device_signed_out".into(), "guard-b".into()),
        ]
    );
}

/// Guard A's tablet, synced with zone A's patrol log and then offline with
/// one scan made a second before `change` (an office action) happens;
/// then it reconnects with the same token and its upload must be taken.
async fn offline_scan_across(server: &Server, change: (Method, &str, Option<Value>)) -> Tablet {
    let head = token(server, "head").await;
    let guard = token(server, "guard-a").await;
    let mut tablet = Tablet::new("guard-a");
    let id = tablet.hold(&patrol_key("A"));
    tablet.join(&server.ws_url(&guard)).await;
    tablet.sync_all().await;
    tablet.disconnect();
    let before = chrono::Utc::now().timestamp_millis() - 1_000;
    tablet.scan_at(&id, "made-before", before);
    let (method, path, body) = change;
    let (status, answer) = call(server, method, path, &head, body).await;
    assert_eq!(status, 200, "{answer}");
    tablet.join(&server.ws_url(&guard)).await;
    tablet
        .deliver(WAIT)
        .await
        .expect("the earlier scan is taken");
    assert_eq!(tablet.replica.pending(&id), 0);
    tablet
}

/// Waits until a colleague in zone A sees `scan` on the server.
async fn colleague_sees(server: &Server, scan: &str) {
    let colleague = token(server, "guard-a2").await;
    let mut reader = Tablet::new("guard-a2");
    let id = reader.hold(&patrol_key("A"));
    reader.join(&server.ws_url(&colleague)).await;
    reader
        .sync_until(WAIT, |reader| {
            reader.scan_ids(&id).contains(&scan.to_string())
        })
        .await;
}

/// A scan the tablet makes ten minutes from now is refused as made after
/// the office's change.
async fn a_later_scan_is_refused(tablet: &mut Tablet) {
    let id = patrol_key("A").document_id();
    let later = chrono::Utc::now().timestamp_millis() + 600_000;
    tablet.scan_at(&id, "made-after", later);
    tablet.flush(&id).await;
    let reason = tablet.until_refused(WAIT).await;
    assert_eq!(
        tablet.replica.refusal(&id),
        Some(RefusalReason::SignedOut),
        "{reason}"
    );
}

#[tokio::test]
async fn a_disabled_users_tablet_uploads_what_it_recorded_before_and_receives_nothing() {
    let server = server().await;
    // A colleague's scan reaches the server before the guard is disabled.
    let colleague = token(&server, "guard-a2").await;
    let mut other = Tablet::new("guard-a2");
    let id = other.hold(&patrol_key("A"));
    other.join(&server.ws_url(&colleague)).await;
    other.scan(&id, "colleagues-news");
    other
        .deliver(WAIT)
        .await
        .expect("the colleague's scan is delivered");

    let disable = (Method::POST, "/api/admin/staff/guard-a/disable", None);
    let mut tablet = offline_scan_across(&server, disable).await;
    colleague_sees(&server, "made-before").await;
    assert!(
        !tablet
            .scan_ids(&id)
            .contains(&"colleagues-news".to_string()),
        "nothing new reaches a final upload"
    );
    a_later_scan_is_refused(&mut tablet).await;
}

#[tokio::test]
async fn a_moved_guards_unsynced_work_in_the_old_zone_is_still_taken() {
    let server = server().await;
    let body = Some(json!({"zones": ["B"]}));
    let mut tablet =
        offline_scan_across(&server, (Method::PATCH, "/api/admin/staff/guard-a", body)).await;
    colleague_sees(&server, "made-before").await;
    a_later_scan_is_refused(&mut tablet).await;
}
