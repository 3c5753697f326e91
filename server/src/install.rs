//! What the server tells people and browsers about its HTTPS: the local
//! authority's certificate (`/ca.crt`), the page that shows how to trust it
//! on a tablet (`/install`, zh-CN or English), and the redirect that answers
//! plain HTTP when the server speaks HTTPS (`--http-redirect`).
//!
//! It makes no certificate (`tls.rs` does) and needs no sign-in: a tablet
//! reads it before it can reach the app.

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Router;
use serde::Deserialize;

use crate::state::AppState;
use crate::tls::{HttpsSetup, LocalAuthority};

/// `GET /ca.crt`: the local authority's certificate, for a tablet to install.
pub async fn ca_certificate(State(app): State<AppState>) -> Response {
    match app.https.as_ref() {
        HttpsSetup::LocalAuthority(authority) => (
            [
                (header::CONTENT_TYPE, "application/x-x509-ca-cert"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"roundbook-ca.crt\"",
                ),
            ],
            authority.pem.clone(),
        )
            .into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `GET /install[?lang=en|zh-CN]`: how to reach this server over HTTPS from a
/// tablet. Chinese unless asked for English (by `lang` or the browser).
pub async fn page(
    State(app): State<AppState>,
    Query(language): Query<Language>,
    headers: HeaderMap,
) -> Html<String> {
    let english = crate::lang::english(language.lang.as_deref(), &headers);
    let text = if english { &ENGLISH } else { &CHINESE };
    Html(render(text, app.https.as_ref()))
}

/// The plain-HTTP side of `--http-redirect`: every request is sent to the
/// same host and path over HTTPS on `https_port`.
pub fn redirect_router(https_port: u16) -> Router {
    Router::new().fallback(move |headers: HeaderMap, uri: Uri| async move {
        let host = headers
            .get(header::HOST)
            .and_then(|value| value.to_str().ok())
            .and_then(host_name);
        let Some(host) = host else {
            return (StatusCode::BAD_REQUEST, "no usable Host header").into_response();
        };
        let port = if https_port == 443 {
            String::new()
        } else {
            format!(":{https_port}")
        };
        let path = uri.path_and_query().map_or("/", |p| p.as_str());
        Redirect::permanent(&format!("https://{host}{port}{path}")).into_response()
    })
}

/// The host of a `Host` header without its port, if it is a plain name or
/// address (nothing a redirect could be bent with).
fn host_name(host: &str) -> Option<&str> {
    let name = if host.starts_with('[') {
        &host[..=host.find(']')?]
    } else {
        host.rsplit_once(':').map_or(host, |(name, _)| name)
    };
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b);
    (!name.is_empty() && name.len() <= 255 && name.bytes().all(allowed)).then_some(name)
}

/// `?lang=` of `/install`.
#[derive(Deserialize)]
pub struct Language {
    lang: Option<String>,
}

/// One language's words for the page.
struct Words {
    lang: &'static str,
    title: &'static str,
    other_language: &'static str,
    none: &'static str,
    certificate: &'static str,
    intro: &'static str,
    addresses: &'static str,
    download: &'static str,
    compare: &'static str,
    android: (&'static str, &'static [&'static str]),
    ipad: (&'static str, &'static [&'static str]),
    windows: (&'static str, &'static [&'static str]),
    after: &'static str,
}

const CHINESE: Words = Words {
    lang: "zh-CN",
    title: "在平板上使用 HTTPS 地址",
    other_language: "<a href=\"/install?lang=en\">English</a>",
    none: "这台服务器还没有开启 HTTPS。离线使用和拍照都需要 HTTPS 地址：请管理员用 <code>--tls-self-signed 名称或IP</code>（或 <code>--tls-cert</code>、<code>--tls-key</code>）启动服务器，见 docs/deploy.md。",
    certificate: "这台服务器使用公共证书，平板无需安装任何东西：直接用 https:// 地址打开即可。",
    intro: "本管理处的服务器使用自己的证书颁发机构。每台平板只需信任它一次，之后离线使用和拍照才可用。",
    addresses: "服务器地址",
    download: "下载证书（roundbook-ca.crt）",
    compare: "安装时请核对指纹，与下面完全一致才可信任：",
    android: (
        "Android 平板",
        &[
            "点上面的链接下载证书。",
            "打开 设置 → 安全 → 更多安全设置 → 加密与凭据 → 安装证书 → CA 证书，选择下载的 roundbook-ca.crt，确认提示。",
            "在 受信任的凭据 → 用户 中打开 “Roundbook local authority”，核对 SHA-256 指纹。",
        ],
    ),
    ipad: (
        "iPad",
        &[
            "用 Safari 打开本页，点上面的链接，允许下载描述文件。",
            "打开 设置 → 已下载描述文件 → 安装，输入锁屏密码。",
            "打开 设置 → 通用 → 关于本机 → 证书信任设置，为 “Roundbook local authority” 打开完全信任。",
        ],
    ),
    windows: (
        "Windows 电脑",
        &[
            "下载证书后双击，点 “安装证书”，选 “本地计算机”。",
            "选 “将所有的证书都放入下列存储” → “受信任的根证书颁发机构”，完成。",
            "在证书的 “详细信息” 中核对指纹（Windows 显示 SHA-1），然后重新打开浏览器。",
        ],
    ),
    after: "完成后，用上面的 https:// 地址打开 Roundbook 并登录。",
};

const ENGLISH: Words = Words {
    lang: "en",
    title: "Using the HTTPS address on a tablet",
    other_language: "<a href=\"/install?lang=zh-CN\">中文</a>",
    none: "This server does not speak HTTPS yet. Offline use and the camera need an HTTPS address: ask whoever runs the server to start it with <code>--tls-self-signed NAME-OR-IP</code> (or <code>--tls-cert</code> and <code>--tls-key</code>), see docs/deploy.md.",
    certificate: "This server has a certificate from a public authority: tablets need nothing installed. Open its https:// address.",
    intro: "This office's server uses its own certificate authority. Each tablet trusts it once; after that, offline use and the camera work.",
    addresses: "Server address",
    download: "Download the certificate (roundbook-ca.crt)",
    compare: "When you install it, compare the fingerprint: trust it only if it is exactly this:",
    android: (
        "Android tablets",
        &[
            "Tap the link above to download the certificate.",
            "Open Settings → Security → More security settings → Encryption & credentials → Install a certificate → CA certificate, pick roundbook-ca.crt and confirm.",
            "Under Trusted credentials → User, open “Roundbook local authority” and compare the SHA-256 fingerprint.",
        ],
    ),
    ipad: (
        "iPad",
        &[
            "Open this page in Safari, tap the link above and allow the profile download.",
            "Open Settings → Profile Downloaded → Install, and enter the passcode.",
            "Open Settings → General → About → Certificate Trust Settings and turn on full trust for “Roundbook local authority”.",
        ],
    ),
    windows: (
        "Windows PCs",
        &[
            "Download the certificate, double-click it, choose Install Certificate → Local Machine.",
            "Choose “Place all certificates in the following store” → Trusted Root Certification Authorities, and finish.",
            "Compare the thumbprint under Details (Windows shows SHA-1), then restart the browser.",
        ],
    ),
    after: "Then open Roundbook at the https:// address above and sign in.",
};

fn render(words: &Words, setup: &HttpsSetup) -> String {
    let body = match setup {
        HttpsSetup::None => format!("<p class=\"notice\">{}</p>", words.none),
        HttpsSetup::Certificate => format!("<p>{}</p>", words.certificate),
        HttpsSetup::LocalAuthority(authority) => local_authority(words, authority),
    };
    format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>{STYLE}</style></head><body><main>\
         <p class=\"switch\">{other}</p><h1>{title}</h1>{body}</main></body></html>",
        lang = words.lang,
        title = words.title,
        other = words.other_language,
    )
}

fn local_authority(words: &Words, authority: &LocalAuthority) -> String {
    let addresses: String = authority
        .names
        .iter()
        .map(|name| {
            let url = format!("https://{}/", escape(name));
            format!("<li><code>{url}</code></li>")
        })
        .collect();
    let steps = |(title, steps): (&str, &[&str])| {
        let items: String = steps
            .iter()
            .map(|step| format!("<li>{step}</li>"))
            .collect();
        format!("<section><h2>{title}</h2><ol>{items}</ol></section>")
    };
    format!(
        "<p>{intro}</p><h2>{addresses_title}</h2><ul>{addresses}</ul>\
         <p><a class=\"download\" href=\"/ca.crt\" data-testid=\"ca-download\">{download}</a></p>\
         <p>{compare}</p><dl><dt>SHA-256</dt><dd><code data-testid=\"ca-fingerprint\">{sha256}</code></dd>\
         <dt>SHA-1</dt><dd><code>{sha1}</code></dd></dl>{android}{ipad}{windows}<p>{after}</p>",
        intro = words.intro,
        addresses_title = words.addresses,
        download = words.download,
        compare = words.compare,
        sha256 = authority.fingerprint,
        sha1 = authority.sha1,
        android = steps(words.android),
        ipad = steps(words.ipad),
        windows = steps(words.windows),
        after = words.after,
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2430}\
main{max-width:46rem;margin:0 auto;padding:1.5rem}h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:1.5rem}\
code{word-break:break-all;background:#eef0f4;padding:0 .25rem;border-radius:3px}\
.download{display:inline-block;padding:.75rem 1.25rem;background:#1f6feb;color:#fff;border-radius:6px;text-decoration:none}\
.notice{background:#fff4e5;border:1px solid #f0b45a;padding:1rem;border-radius:6px}.switch{text-align:right}\
li{margin:.4rem 0}dd{margin:0 0 .5rem 0}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_redirect_keeps_only_a_plain_host() {
        assert_eq!(host_name("roundbook.test:8080"), Some("roundbook.test"));
        assert_eq!(host_name("192.168.1.20"), Some("192.168.1.20"));
        assert_eq!(host_name("[::1]:80"), Some("[::1]"));
        assert_eq!(host_name("evil.example/path"), None);
        assert_eq!(host_name("a b"), None);
        assert_eq!(host_name(""), None);
    }
}
