//! The duty log (《值班记录表》): what the front desk and zone staff answer
//! that is not a request (an enquiry, a notice given, a delivery taken in),
//! the service supervisor's daily sign-off and the head's spot-checks.
//!
//! Requests are already recorded in the request logs; the duty log shows
//! them beside these entries and never copies them. Every record here is
//! written once and never changed, so two desk tablets offline merge
//! without conflict; if a day is signed twice the earliest signature stands
//! (`crate::duty_log`).
//!
//! This module holds the records and their shape; what a day or a month
//! adds up to is `crate::duty_log`'s.

use serde::{Deserialize, Serialize};

use super::{check_author, check_id, check_instant, check_text, check_word};
use super::{Container, Record, SchemaError};

/// What a duty-log entry was about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::VariantArray)]
pub enum Topic {
    /// A question answered (咨询).
    Enquiry,
    /// A notice given or passed on (通知).
    Notice,
    /// A delivery or parcel taken in for a resident (代收).
    Delivery,
    /// Anything else worth writing down (其他).
    Other,
}

impl Topic {
    pub const ALL: &'static [Topic] = <Topic as strum::VariantArray>::VARIANTS;

    pub fn as_str(self) -> &'static str {
        match self {
            Topic::Enquiry => "enquiry",
            Topic::Notice => "notice",
            Topic::Delivery => "delivery",
            Topic::Other => "other",
        }
    }

    pub fn parse(word: &str) -> Option<Topic> {
        Topic::ALL
            .iter()
            .copied()
            .find(|topic| topic.as_str() == word)
    }
}

/// One call or walk-in written in the duty log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DutyEntry {
    pub id: String,
    /// A [`Topic`] word.
    pub topic: String,
    /// The zone it concerns, or empty for the whole site.
    #[serde(default)]
    pub zone: String,
    /// The unit as told (`3栋2单元501`), if any.
    #[serde(default)]
    pub unit_label: String,
    /// Who called or came, if they said (personal data).
    #[serde(default)]
    pub caller: String,
    /// Their phone, if given (personal data).
    #[serde(default)]
    pub phone: String,
    /// What was asked or given.
    pub what: String,
    /// How it was answered, if worth saying.
    #[serde(default)]
    pub outcome: String,
    /// When (the tablet's clock, unix ms).
    pub at: i64,
    pub by: String,
    pub by_name: String,
    pub device: String,
}

impl Record for DutyEntry {
    const CONTAINER: Container = Container::DutyEntries;
    const PERSONAL: bool = true;
    const MADE_AT: Option<&'static str> = Some("at");
    const AUTHOR: Option<&'static str> = Some("by");

    fn id(&self) -> &str {
        &self.id
    }

    fn validate(&self) -> Result<(), SchemaError> {
        check_id("duty entry", &self.id)?;
        let topics: Vec<&str> = Topic::ALL.iter().map(|topic| topic.as_str()).collect();
        check_word("topic", &self.topic, &topics)?;
        check_text("zone", &self.zone, false, 32)?;
        check_text("unit", &self.unit_label, false, 50)?;
        check_text("caller", &self.caller, false, 50)?;
        check_text("phone", &self.phone, false, 20)?;
        check_text("what", &self.what, true, 500)?;
        check_text("outcome", &self.outcome, false, 500)?;
        check_instant("entry time", self.at)?;
        check_author("writer", &self.by, &self.by_name, &self.device)
    }

    /// In the order they happened.
    fn order(a: &Self, b: &Self) -> std::cmp::Ordering {
        a.at.cmp(&b.at).then_with(|| a.id.cmp(&b.id))
    }
}

/// The service supervisor's signature under one day of the log (每日查阅、
/// 签字确认), with how many lines the day held when it was signed: lines
/// written after it are shown as not yet seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaySignoff {
    pub id: String,
    /// The site-local day signed, `YYYY-MM-DD`.
    pub day: String,
    pub lines_seen: u32,
    #[serde(default)]
    pub note: String,
    pub signed_at: i64,
    pub by: String,
    pub by_name: String,
    pub device: String,
}

impl Record for DaySignoff {
    const CONTAINER: Container = Container::DaySignoffs;
    const MADE_AT: Option<&'static str> = Some("signed_at");
    const AUTHOR: Option<&'static str> = Some("by");

    fn id(&self) -> &str {
        &self.id
    }

    fn validate(&self) -> Result<(), SchemaError> {
        check_id("day sign-off", &self.id)?;
        chrono::NaiveDate::parse_from_str(&self.day, "%Y-%m-%d")
            .map_err(|_| SchemaError::Invalid(format!("day {:?}", self.day)))?;
        check_text("note", &self.note, false, 200)?;
        check_instant("signed at", self.signed_at)?;
        check_author("signer", &self.by, &self.by_name, &self.device)
    }
}

/// The office head's spot-check of one line of the log (每月抽查不少于20%):
/// a duty entry or a request, by its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpotCheck {
    pub id: String,
    /// The id of the duty entry or request checked.
    pub line_id: String,
    /// Whether the line was found in order.
    pub in_order: bool,
    #[serde(default)]
    pub note: String,
    pub checked_at: i64,
    pub by: String,
    pub by_name: String,
    pub device: String,
}

impl Record for SpotCheck {
    const CONTAINER: Container = Container::SpotChecks;
    const MADE_AT: Option<&'static str> = Some("checked_at");
    const AUTHOR: Option<&'static str> = Some("by");

    fn id(&self) -> &str {
        &self.id
    }

    fn validate(&self) -> Result<(), SchemaError> {
        check_id("spot check", &self.id)?;
        check_id("checked line", &self.line_id)?;
        check_text("note", &self.note, false, 200)?;
        if !self.in_order && self.note.trim().is_empty() {
            return Err(SchemaError::Invalid(
                "a line found wanting says what is wrong".into(),
            ));
        }
        check_instant("checked at", self.checked_at)?;
        check_author("checker", &self.by, &self.by_name, &self.device)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) const AT: i64 = 1_796_000_000_000;

    pub(crate) fn entry() -> DutyEntry {
        DutyEntry {
            id: "de-1".into(),
            topic: "enquiry".into(),
            zone: "A".into(),
            unit_label: "3栋2单元501".into(),
            caller: "王女士".into(),
            phone: "13800001111".into(),
            what: "问停水通知".into(),
            outcome: "已告知明天9点恢复".into(),
            at: AT,
            by: "frontdesk".into(),
            by_name: "林晓".into(),
            device: "desk".into(),
        }
    }

    #[test]
    fn an_entry_needs_a_known_topic_what_was_asked_and_its_writer() {
        assert!(entry().validate().is_ok());
        for broken in [
            DutyEntry {
                topic: "gossip".into(),
                ..entry()
            },
            DutyEntry {
                what: " ".into(),
                ..entry()
            },
            DutyEntry {
                what: "很".repeat(501),
                ..entry()
            },
            DutyEntry { at: 0, ..entry() },
            DutyEntry {
                by: String::new(),
                ..entry()
            },
        ] {
            assert!(broken.validate().is_err(), "{broken:?}");
        }
    }

    #[test]
    fn a_sign_off_names_a_real_day_and_a_check_found_wanting_says_why() {
        let signoff = DaySignoff {
            id: "ds-1".into(),
            day: "2026-12-03".into(),
            lines_seen: 4,
            note: String::new(),
            signed_at: AT,
            by: "svc-lead".into(),
            by_name: "周主管".into(),
            device: "tab".into(),
        };
        assert!(signoff.validate().is_ok());
        assert!(DaySignoff {
            day: "2026-13-03".into(),
            ..signoff
        }
        .validate()
        .is_err());
        let check = SpotCheck {
            id: "sc-1".into(),
            line_id: "de-1".into(),
            in_order: true,
            note: String::new(),
            checked_at: AT,
            by: "head".into(),
            by_name: "陈主任".into(),
            device: "tab".into(),
        };
        assert!(check.validate().is_ok());
        assert!(SpotCheck {
            in_order: false,
            ..check.clone()
        }
        .validate()
        .is_err());
        assert!(SpotCheck {
            in_order: false,
            note: "未写处理结果".into(),
            ..check
        }
        .validate()
        .is_ok());
    }
}
