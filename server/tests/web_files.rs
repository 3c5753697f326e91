//! The built app's files: how long browsers may keep them (a build's own
//! files, `/app/<version>/…`, names no other build uses, for a year;
//! `index.html`, `sw.js` and the other shell files must be revalidated, so
//! a tablet learns of a new build; a missing build file is a 404, never the
//! app shell under its name), and which precompressed variant a browser gets.

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

/// `GET path` with `Accept-Encoding: accept` (none when `None`); reqwest here
/// neither asks for nor decodes compressed bodies by itself.
async fn get_encoded(server: &Server, path: &str, accept: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new().get(format!("{}{path}", server.base));
    if let Some(accept) = accept {
        request = request.header("accept-encoding", accept);
    }
    request.send().await.unwrap()
}

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|value| value.to_str().unwrap().to_owned())
}

#[tokio::test]
async fn precompressed_variants_are_served_by_accept_encoding() {
    let server = Server::start().await;
    let root = server.web_root();
    let app = root.join("app/0123456789abcdef");
    std::fs::create_dir_all(&app).unwrap();
    // Stand-ins for what scripts/build-web writes: each file and its variants
    // (the contents only need to tell them apart).
    let files = [
        ("app/0123456789abcdef/roundbook_bg.wasm", &b"\0asm wasm"[..]),
        ("app/0123456789abcdef/roundbook.js", b"export default 1;"),
        ("index.html", b"<!doctype html><p>shell</p>"),
        ("sw.js", b"// worker"),
    ];
    for (file, body) in files {
        std::fs::write(root.join(file), body).unwrap();
        std::fs::write(root.join(format!("{file}.br")), format!("br of {file}")).unwrap();
        std::fs::write(root.join(format!("{file}.gz")), format!("gz of {file}")).unwrap();
    }
    // A file without variants (a PNG icon) is sent as it is, whatever is accepted.
    std::fs::write(app.join("plain.png"), "png").unwrap();

    for (path, file, body, cache) in [
        (
            "/app/0123456789abcdef/roundbook_bg.wasm",
            "app/0123456789abcdef/roundbook_bg.wasm",
            &b"\0asm wasm"[..],
            "public, max-age=31536000, immutable",
        ),
        (
            "/app/0123456789abcdef/roundbook.js",
            "app/0123456789abcdef/roundbook.js",
            b"export default 1;",
            "public, max-age=31536000, immutable",
        ),
        (
            "/index.html",
            "index.html",
            b"<!doctype html><p>shell</p>",
            "no-cache",
        ),
        (
            "/",
            "index.html",
            b"<!doctype html><p>shell</p>",
            "no-cache",
        ),
        (
            "/some/app/route",
            "index.html",
            b"<!doctype html><p>shell</p>",
            "no-cache",
        ),
        ("/sw.js", "sw.js", b"// worker", "no-cache"),
    ] {
        for (accept, encoding, expected) in [
            (
                Some("gzip, deflate, br"),
                Some("br"),
                format!("br of {file}"),
            ),
            (Some("br"), Some("br"), format!("br of {file}")),
            (Some("gzip"), Some("gzip"), format!("gz of {file}")),
            (Some("gzip, deflate"), Some("gzip"), format!("gz of {file}")),
            (None, None, String::from_utf8(body.to_vec()).unwrap()),
            (
                Some("identity"),
                None,
                String::from_utf8(body.to_vec()).unwrap(),
            ),
        ] {
            let response = get_encoded(&server, path, accept).await;
            let what = format!("{path} with Accept-Encoding {accept:?}");
            assert_eq!(response.status(), 200, "{what}");
            assert_eq!(
                header(&response, "content-encoding").as_deref(),
                encoding,
                "{what}"
            );
            assert_eq!(
                header(&response, "vary").as_deref(),
                Some("accept-encoding"),
                "{what}"
            );
            assert_eq!(
                header(&response, "cache-control").as_deref(),
                Some(cache),
                "{what}"
            );
            // The type is the original file's, never that of a `.br`/`.gz`.
            let content_type = header(&response, "content-type").unwrap_or_default();
            assert!(
                !content_type.contains("brotli") && !content_type.contains("gzip"),
                "{what}: {content_type}"
            );
            assert_eq!(response.text().await.unwrap(), expected, "{what}");
        }
    }

    let plain = get_encoded(&server, "/app/0123456789abcdef/plain.png", Some("br, gzip")).await;
    assert_eq!(plain.status(), 200);
    assert_eq!(header(&plain, "content-encoding"), None);
    assert_eq!(plain.text().await.unwrap(), "png");
}
