//! The built app's files and how long browsers may keep them: a build's own
//! files (`/app/<version>/…`, names no other build uses) for a year;
//! `index.html`, `sw.js` and the other shell files must be revalidated, so
//! a tablet learns of a new build; a missing build file is a 404, never the
//! app shell under its name.

mod common;

use common::Server;

fn cache_control(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get("cache-control")
        .map(|value| value.to_str().unwrap().to_owned())
}

#[tokio::test]
async fn build_files_are_immutable_and_the_shell_is_revalidated() {
    let server = Server::start().await;
    let root = server.web_root();
    std::fs::create_dir_all(root.join("app/0123456789abcdef")).unwrap();
    std::fs::write(root.join("index.html"), "<!doctype html><p>shell</p>").unwrap();
    std::fs::write(root.join("sw.js"), "// worker").unwrap();
    std::fs::write(
        root.join("app/0123456789abcdef/roundbook.js"),
        "export default 1;",
    )
    .unwrap();

    let file = server.get("/app/0123456789abcdef/roundbook.js", None).await;
    assert_eq!(file.status(), 200);
    assert_eq!(
        cache_control(&file).as_deref(),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(file.text().await.unwrap(), "export default 1;");

    for path in ["/", "/index.html", "/sw.js", "/some/app/route"] {
        let response = server.get(path, None).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(
            cache_control(&response).as_deref(),
            Some("no-cache"),
            "{path}"
        );
    }

    // Another build's file: not here, and not answered with the shell.
    let gone = server.get("/app/fedcba9876543210/roundbook.js", None).await;
    assert_eq!(gone.status(), 404);
    assert_eq!(cache_control(&gone).as_deref(), Some("no-cache"));
}
