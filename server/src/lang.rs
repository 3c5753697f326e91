//! Which of the two languages a plain HTTP answer (the install page, a
//! report's CSV) is written in: English when asked (`?lang=en`, or the
//! browser's first language), Chinese otherwise. Nothing else.

use axum::http::{header, HeaderMap};

/// Whether to answer in English: `lang` if given, else `Accept-Language`.
pub fn english(lang: Option<&str>, headers: &HeaderMap) -> bool {
    match lang {
        Some(lang) => lang.starts_with("en"),
        None => headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.trim_start().starts_with("en")),
    }
}
