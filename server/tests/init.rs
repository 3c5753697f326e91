//! `roundbook-server init`: a new office from nothing, on both backends —
//! the site and its head, the one-time password and the password file, a
//! second run that changes nothing, and a server that then serves the site
//! without the demo.

mod common;

use std::process::{Command, Output};

use roundbook_shared::api::LoginResponse;
use roundbook_shared::domain::Role;

fn init(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_roundbook-server"))
        .args([
            "init",
            "--db",
            db,
            "--site",
            "翠湖花园",
            "--site-code",
            "cuihu",
        ])
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run roundbook-server init")
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

async fn sign_in(base: &str, username: &str, password: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{base}/api/login"))
        .json(
            &serde_json::json!({"username": username, "password": password, "device": "office pc"}),
        )
        .send()
        .await
        .unwrap()
}

/// Serves `db` without `--demo` and returns the base address and process.
async fn serve(db: &str) -> (String, common::Server) {
    let server = common::Server::start_without_demo(db).await;
    (server.base.clone(), server)
}

async fn a_new_office_starts_from_nothing(db: &str) {
    let first = stdout(&init(db, &["--head", "zhao"]));
    let password = first
        .lines()
        .find_map(|line| line.strip_prefix("One-time password for zhao: "))
        .unwrap_or_else(|| panic!("no one-time password in {first}"))
        .to_owned();
    assert_eq!(password.len(), 12);

    let again = stdout(&init(db, &["--head", "someone-else"]));
    assert!(
        again.contains("already set up: nothing was changed"),
        "{again}"
    );

    let (base, _server) = serve(db).await;
    let response = sign_in(&base, "zhao", &password).await;
    assert_eq!(response.status(), 200);
    let login: LoginResponse = response.json().await.unwrap();
    assert_eq!(login.site.code, "cuihu");
    assert_eq!(login.site.name, "翠湖花园");
    assert_eq!(login.user.roles, [Role::OfficeHead]);
    assert!(login.user.must_change_password, "a one-time password");
    // No demo: none of its accounts exist.
    assert_eq!(sign_in(&base, "head", "roundbook").await.status(), 401);
    assert_eq!(
        sign_in(&base, "someone-else", &password).await.status(),
        401
    );
}

#[tokio::test]
async fn sqlite_a_new_office_starts_from_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("office.sqlite3");
    a_new_office_starts_from_nothing(db.to_str().unwrap()).await;
}

#[tokio::test]
async fn postgres_a_new_office_starts_from_nothing() {
    let database = common::postgres::database();
    a_new_office_starts_from_nothing(&database.url).await;
}

#[tokio::test]
async fn a_password_file_is_used_as_given_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("office.sqlite3");
    let db = db.to_str().unwrap();
    let file = dir.path().join("password");
    std::fs::write(&file, "zhao\n").unwrap();
    let refused = init(
        db,
        &["--head", "zhao", "--password-file", file.to_str().unwrap()],
    );
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("at least 8"),
        "{refused:?}"
    );
    let refused = init(
        db,
        &[
            "--head",
            "Zhao Min",
            "--password-file",
            file.to_str().unwrap(),
        ],
    );
    assert!(!refused.status.success(), "a username is a-z 0-9 . _ -");

    std::fs::write(&file, "a long office password\n").unwrap();
    let made = stdout(&init(
        db,
        &[
            "--head",
            "zhao",
            "--head-name",
            "赵敏",
            "--password-file",
            file.to_str().unwrap(),
        ],
    ));
    assert!(
        made.contains("signs in with the password from the file"),
        "{made}"
    );
    let (base, _server) = serve(db).await;
    let login: LoginResponse = sign_in(&base, "zhao", "a long office password")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(login.user.display_name, "赵敏");
    assert!(!login.user.must_change_password);
}
