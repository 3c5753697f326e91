//! One HTTP exchange with the Roundbook server: builds the request (bearer
//! token, a JSON or bytes body), sends it with `fetch`, and tells apart an
//! answer, a refusal (a non-2xx status with the server's error body, if any)
//! and no answer at all.
//!
//! It knows no endpoint and no error vocabulary: [`crate::api`] and
//! [`crate::blobs`] turn a [`Failure`] into the errors their callers show.

use roundbook_shared::api::{ErrorBody, ErrorDetail};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestInit, Response};

/// What a request carries.
#[derive(Debug, Clone, Copy)]
pub enum Body<'a> {
    Empty,
    Json(&'a str),
    Bytes(&'a [u8]),
}

/// Why an exchange gave no usable answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// No answer: offline or the server unreachable.
    Offline,
    /// A non-2xx answer, with the server's error detail when it sent one.
    Refused {
        status: u16,
        error: Option<ErrorDetail>,
    },
    /// The browser would not build the request or read the answer.
    Browser(String),
}

/// Sends one request and returns the answer if its status is 2xx.
pub async fn exchange(
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Body<'_>,
) -> Result<Response, Failure> {
    let window = web_sys::window().ok_or(Failure::Offline)?;
    let request = build(method, path, token, body).map_err(browser)?;
    // `fetch` rejects only when no answer came at all: offline or unreachable.
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|_| Failure::Offline)?
        .unchecked_into();
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let error = text(response)
        .await
        .ok()
        .and_then(|text| serde_json::from_str::<ErrorBody>(&text).ok())
        .map(|body| body.error);
    Err(Failure::Refused { status, error })
}

fn build(
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Body<'_>,
) -> Result<Request, JsValue> {
    let headers = Headers::new()?;
    if let Some(token) = token {
        headers.set("Authorization", &format!("Bearer {token}"))?;
    }
    let init = RequestInit::new();
    init.set_method(method);
    match body {
        Body::Empty => {}
        Body::Json(json) => {
            headers.set("Content-Type", "application/json")?;
            init.set_body(&json.into());
        }
        Body::Bytes(bytes) => {
            headers.set("Content-Type", "application/octet-stream")?;
            init.set_body(&js_sys::Uint8Array::from(bytes).into());
        }
    }
    init.set_headers(&headers);
    Request::new_with_str_and_init(path, &init)
}

/// An answer's body as text.
pub async fn text(response: Response) -> Result<String, Failure> {
    let promise = response.text().map_err(browser)?;
    Ok(JsFuture::from(promise)
        .await
        .map_err(|_| Failure::Offline)?
        .as_string()
        .unwrap_or_default())
}

/// An answer's body as bytes.
pub async fn bytes(response: Response) -> Result<Vec<u8>, Failure> {
    let promise = response.array_buffer().map_err(browser)?;
    let buffer = JsFuture::from(promise)
        .await
        .map_err(|_| Failure::Offline)?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

fn browser(value: JsValue) -> Failure {
    Failure::Browser(format!("{value:?}"))
}
