//! The month a report covers, in site-local time: its days, its bounds as
//! instants, its quarter, and the months before it.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::domain::instant_at;

/// The first and last months a report may ask for: the years Roundbook
/// records can carry.
const FIRST_YEAR: i32 = 2020;
const LAST_YEAR: i32 = 2099;

/// A calendar month of the site, written `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Month {
    /// Always the first day of the month.
    first: NaiveDate,
}

impl Month {
    pub fn new(year: i32, month: u32) -> Option<Month> {
        if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
            return None;
        }
        NaiveDate::from_ymd_opt(year, month, 1).map(|first| Month { first })
    }

    /// The month that holds `date`.
    pub fn of(date: NaiveDate) -> Option<Month> {
        Month::new(date.year(), date.month())
    }

    /// The month that holds the site-local instant `unix_ms`.
    pub fn of_instant(unix_ms: i64) -> Option<Month> {
        Month::of(crate::domain::local_date(unix_ms))
    }

    pub fn year(self) -> i32 {
        self.first.year()
    }

    pub fn month(self) -> u32 {
        self.first.month()
    }

    pub fn first_day(self) -> NaiveDate {
        self.first
    }

    pub fn last_day(self) -> NaiveDate {
        self.next_first_day()
            .pred_opt()
            .expect("a month has a last day")
    }

    /// The site-local midnight the month starts at (unix ms).
    pub fn start(self) -> i64 {
        instant_at(self.first, 0)
    }

    /// The site-local midnight the month ends at, exclusive (unix ms).
    pub fn end(self) -> i64 {
        instant_at(self.next_first_day(), 0)
    }

    /// Whether the site-local instant `unix_ms` falls in the month.
    pub fn holds(self, unix_ms: i64) -> bool {
        (self.start()..self.end()).contains(&unix_ms)
    }

    pub fn days(self) -> impl Iterator<Item = NaiveDate> {
        let last = self.last_day();
        self.first.iter_days().take_while(move |day| *day <= last)
    }

    /// The month before, if it is still a month reports may ask for.
    pub fn previous(self) -> Option<Month> {
        Month::of(self.first.checked_sub_months(Months::new(1))?)
    }

    pub fn next(self) -> Option<Month> {
        Month::of(self.next_first_day())
    }

    /// `count` months ending with this one, oldest first (fewer at 2020).
    pub fn trailing(self, count: usize) -> Vec<Month> {
        let mut months: Vec<Month> = std::iter::successors(Some(self), |month| month.previous())
            .take(count)
            .collect();
        months.reverse();
        months
    }

    /// The first day of the quarter that holds the month.
    pub fn quarter_start(self) -> NaiveDate {
        let first_month = (self.first.month0() / 3) * 3 + 1;
        NaiveDate::from_ymd_opt(self.year(), first_month, 1).expect("a quarter starts on a day")
    }

    /// The months of the quarter up to and including this one.
    pub fn quarter_so_far(self) -> Vec<Month> {
        let start = Month::of(self.quarter_start()).expect("same year");
        std::iter::successors(Some(start), |month| month.next())
            .take_while(|month| *month <= self)
            .collect()
    }

    fn next_first_day(self) -> NaiveDate {
        self.first
            .checked_add_months(Months::new(1))
            .expect("2099 has a next month")
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.month())
    }
}

/// Why a month could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected a month written YYYY-MM between {FIRST_YEAR} and {LAST_YEAR}")]
pub struct BadMonth;

impl FromStr for Month {
    type Err = BadMonth;

    fn from_str(text: &str) -> Result<Month, BadMonth> {
        let (year, month) = text.split_once('-').ok_or(BadMonth)?;
        if year.len() != 4 || month.len() != 2 {
            return Err(BadMonth);
        }
        let digits = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
        if !digits(year) || !digits(month) {
            return Err(BadMonth);
        }
        Month::new(
            year.parse().map_err(|_| BadMonth)?,
            month.parse().map_err(|_| BadMonth)?,
        )
        .ok_or(BadMonth)
    }
}

impl Serialize for Month {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Month, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(text: &str) -> Month {
        text.parse().unwrap()
    }

    #[test]
    fn months_are_read_only_in_their_one_form() {
        assert_eq!(month("2026-11").to_string(), "2026-11");
        for bad in [
            "2026-1",
            "2026-13",
            "26-11",
            "2026-11-01",
            "2019-12",
            "2100-01",
            "+026-11",
            "2026-0x",
            "",
        ] {
            assert_eq!(bad.parse::<Month>(), Err(BadMonth), "{bad}");
        }
    }

    #[test]
    fn bounds_are_site_local_midnights() {
        let november = month("2026-11");
        assert_eq!(
            november.last_day(),
            NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
        );
        assert_eq!(november.days().count(), 30);
        // 2026-11-01 00:00 in Shanghai is 2026-10-31 16:00 UTC.
        assert_eq!(november.start(), 1_793_462_400_000);
        assert!(november.holds(november.start()));
        assert!(!november.holds(november.end()));
        assert!(!november.holds(november.start() - 1));
        assert_eq!(month("2024-02").days().count(), 29);
    }

    #[test]
    fn quarters_and_trailing_months() {
        assert_eq!(
            month("2026-11").quarter_so_far(),
            vec![month("2026-10"), month("2026-11")]
        );
        assert_eq!(month("2026-01").quarter_so_far(), vec![month("2026-01")]);
        let year = month("2026-02").trailing(12);
        assert_eq!(year.len(), 12);
        assert_eq!(year[0], month("2025-03"));
        assert_eq!(year[11], month("2026-02"));
        assert_eq!(month("2020-03").trailing(12).len(), 3);
    }
}
