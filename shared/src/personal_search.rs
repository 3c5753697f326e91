//! A resident's request to see what the office holds about them (个人信息
//!查询): which records name their unit or their phone.
//!
//! The head types a unit (`3栋2单元501`) or a phone number; a record
//! matches when a unit field names that unit (its label as typed, or the
//! directory's unit id of it) or a phone field holds that number (digits
//! compared, spaces and dashes ignored). Field names are the record
//! types' own (`unit_label`, `unit_id`, `*phone*`): nothing here names a
//! record type, so a new kind with those fields is searched too.
//!
//! Pure: the server reads the documents, audits the search and sends the
//! answer (`server::personal_data`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::schema::resident::{normalise, Unit};
use crate::schema::DocKind;

/// One record that names the unit or phone searched, as the server answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Found {
    pub kind: DocKind,
    /// The record's container name (`requests`, `residents`, `visitors`…).
    pub record: String,
    pub zone: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub made_at: Option<i64>,
    pub fields: Map<String, Value>,
}

/// What the head searched for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// A phone number's digits.
    Phone(String),
    /// A unit label, normalised ([`normalise`]).
    Unit(String),
}

/// Why a search was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("type a unit (such as 3栋2单元501) or a phone number of at least 7 digits")]
    TooShort,
    #[error("a search is at most 50 characters")]
    TooLong,
}

impl Query {
    /// A phone number when the text is digits (with spaces, dashes or a
    /// leading +), a unit otherwise.
    pub fn parse(text: &str) -> Result<Query, QueryError> {
        let text = text.trim();
        if text.chars().count() > 50 {
            return Err(QueryError::TooLong);
        }
        let phone_like = !text.is_empty()
            && text
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '+'));
        if phone_like {
            let digits = digits(text);
            return if digits.len() >= 7 {
                Ok(Query::Phone(digits))
            } else {
                Err(QueryError::TooShort)
            };
        }
        let unit = normalise(text);
        if unit.chars().count() < 2 {
            return Err(QueryError::TooShort);
        }
        Ok(Query::Unit(unit))
    }
}

fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// A unit's label as staff write it ([`Unit::label`]), normalised.
pub fn unit_label(unit: &Unit) -> String {
    normalise(&unit.label())
}

/// The ids of the directory's units `query` names (none for a phone).
pub fn unit_ids(query: &Query, units: &[Unit]) -> Vec<String> {
    match query {
        Query::Unit(label) => units
            .iter()
            .filter(|unit| unit_label(unit) == *label)
            .map(|unit| unit.id.clone())
            .collect(),
        Query::Phone(_) => Vec::new(),
    }
}

/// Whether a record's `fields` hold what `query` looks for; `unit_ids` are
/// the directory's ids of the unit searched ([`unit_ids`]).
pub fn matches(fields: &Map<String, Value>, query: &Query, unit_ids: &[String]) -> bool {
    fields.iter().any(|(name, value)| {
        let Some(text) = value.as_str() else {
            return false;
        };
        match query {
            Query::Phone(wanted) => name.contains("phone") && digits(text) == *wanted,
            Query::Unit(label) => match name.as_str() {
                "unit_label" => normalise(text) == *label,
                "unit_id" | "id" => unit_ids.iter().any(|id| id == text),
                _ => false,
            },
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn a_search_is_a_phone_or_a_unit_and_not_too_short() {
        assert_eq!(
            Query::parse(" 138-0013 8000 "),
            Ok(Query::Phone("13800138000".into()))
        );
        assert_eq!(
            Query::parse("３栋 2单元501"),
            Ok(Query::Unit("3栋2单元501".into()))
        );
        assert_eq!(Query::parse("123"), Err(QueryError::TooShort));
        assert_eq!(Query::parse("5"), Err(QueryError::TooShort));
        assert_eq!(Query::parse(&"栋".repeat(51)), Err(QueryError::TooLong));
    }

    #[test]
    fn phones_match_by_digits_in_phone_fields_only() {
        let query = Query::parse("13800138000").unwrap();
        assert!(matches(
            &fields(json!({"contact_phone": "138 0013 8000"})),
            &query,
            &[]
        ));
        assert!(matches(
            &fields(json!({"phone": "13800138000"})),
            &query,
            &[]
        ));
        assert!(!matches(
            &fields(json!({"description": "13800138000"})),
            &query,
            &[]
        ));
        assert!(!matches(
            &fields(json!({"phone": "13800138001"})),
            &query,
            &[]
        ));
    }

    #[test]
    fn units_match_by_label_or_the_directorys_id() {
        let unit = Unit {
            id: "unit-1".into(),
            building: "3栋".into(),
            entrance: "2单元".into(),
            room: "501".into(),
            retired: false,
        };
        let query = Query::parse("3栋2单元501").unwrap();
        let ids = unit_ids(&query, &[unit]);
        assert_eq!(ids, ["unit-1"]);
        assert!(matches(
            &fields(json!({"unit_label": "3栋 2单元 501"})),
            &query,
            &ids
        ));
        assert!(matches(
            &fields(json!({"unit_id": "unit-1", "name": "王"})),
            &query,
            &ids
        ));
        assert!(matches(&fields(json!({"id": "unit-1"})), &query, &ids));
        assert!(!matches(
            &fields(json!({"unit_label": "3栋2单元502"})),
            &query,
            &ids
        ));
        assert!(!matches(
            &fields(json!({"description": "3栋2单元501"})),
            &query,
            &ids
        ));
    }
}
