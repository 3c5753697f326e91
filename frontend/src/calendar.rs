//! The site's calendar on the tablet: which day it is and how an instant
//! reads on the site's clock.
//!
//! The site offset comes from `roundbook_shared::domain` so the tablet and the
//! server agree on where a day starts. Only the tablet's clock is read here;
//! this module must not decide anything about records.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use roundbook_shared::domain::{local_date, site_offset};

use crate::browser;
use crate::i18n::{filled, Key, Lang};

/// Today in the site's calendar, by the tablet's clock.
pub fn today() -> NaiveDate {
    local_date(browser::now_ms())
}

fn local(unix_ms: i64) -> DateTime<chrono::FixedOffset> {
    DateTime::<Utc>::from_timestamp_millis(unix_ms)
        .unwrap_or_default()
        .with_timezone(&site_offset())
}

/// Site-local `HH:MM` of an instant in Unix milliseconds.
pub fn clock_time(unix_ms: i64) -> String {
    local(unix_ms).format("%H:%M").to_string()
}

/// `HH:MM` today, `MM-DD HH:MM` on another day.
pub fn short_time(unix_ms: i64) -> String {
    if local_date(unix_ms) == today() {
        clock_time(unix_ms)
    } else {
        local(unix_ms).format("%m-%d %H:%M").to_string()
    }
}

/// The instant a `datetime-local` input's `YYYY-MM-DDTHH:MM` names, read
/// as site time; `None` when empty or malformed.
pub fn site_instant(text: &str) -> Option<i64> {
    use chrono::Timelike;
    let local = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M").ok()?;
    Some(roundbook_shared::domain::instant_at(
        local.date(),
        local.hour() * 60 + local.minute(),
    ))
}

/// The `datetime-local` input value (`YYYY-MM-DDTHH:MM`, site time) of an instant.
pub fn site_input(unix_ms: i64) -> String {
    local(unix_ms).format("%Y-%m-%dT%H:%M").to_string()
}

/// Site-local `YYYY-MM-DD HH:MM` of an instant (lists that span months).
pub fn date_time(unix_ms: i64) -> String {
    local(unix_ms).format("%Y-%m-%d %H:%M").to_string()
}

/// Site-local day, month and time of an instant as `lang` writes it:
/// `12月3日 09:40`, `3 Dec 09:40` (lists within a quarter, where the year
/// goes without saying).
pub fn day_month_time(unix_ms: i64, lang: Lang) -> String {
    const MONTHS: [Key; 12] = [
        Key::MonthShort1,
        Key::MonthShort2,
        Key::MonthShort3,
        Key::MonthShort4,
        Key::MonthShort5,
        Key::MonthShort6,
        Key::MonthShort7,
        Key::MonthShort8,
        Key::MonthShort9,
        Key::MonthShort10,
        Key::MonthShort11,
        Key::MonthShort12,
    ];
    let at = local(unix_ms);
    filled(
        Key::DateDayMonthTime,
        lang,
        &[
            ("day", &at.day().to_string()),
            ("month", MONTHS[at.month0() as usize].text(lang)),
            ("time", &at.format("%H:%M").to_string()),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn reads_instants_on_the_site_clock() {
        // 2026-11-22T16:30Z is 00:30 on the 23rd in Shanghai.
        assert_eq!(clock_time(1_795_365_000_000), "00:30");
        // A year earlier is never today.
        assert_eq!(
            short_time(1_795_365_000_000 - 365 * 86_400_000),
            "11-23 00:30"
        );
        assert_eq!(date_time(1_795_365_000_000), "2026-11-23 00:30");
        let now = browser::now_ms();
        assert_eq!(short_time(now), clock_time(now));
    }

    #[wasm_bindgen_test]
    fn day_month_time_is_written_as_each_language_writes_dates() {
        // 2026-11-23 00:30 and 2026-12-03 09:40 in Shanghai.
        let november = 1_795_365_000_000;
        let december = 1_796_262_000_000;
        assert_eq!(day_month_time(november, Lang::ZhCn), "11月23日 00:30");
        assert_eq!(day_month_time(november, Lang::En), "23 Nov 00:30");
        assert_eq!(day_month_time(december, Lang::ZhCn), "12月3日 09:40");
        assert_eq!(day_month_time(december, Lang::En), "3 Dec 09:40");
    }
}
