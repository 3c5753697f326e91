//! How both SQL backends write domain values into text columns and read them
//! back, so the two databases hold the same text and a corrupt value is
//! reported the same way. Only conversions here: no SQL.

use chrono::NaiveDate;

use roundbook_shared::domain::Role;
use roundbook_shared::schema::{DocKey, DocKind, Period};

use super::{Account, StoreError, StoreResult};

/// The columns of `accounts` that [`account`] reads, in its order.
pub(super) const ACCOUNT_COLUMNS: &str = "username, display_name, site, password_hash, roles, \
     zones, phone, disabled_at, must_change_password";

/// An `accounts` row (as [`ACCOUNT_COLUMNS`] lists it) back into an account.
pub(super) struct AccountRow {
    pub username: String,
    pub display_name: String,
    pub site: String,
    pub password_hash: String,
    pub roles: String,
    pub zones: String,
    pub phone: Option<String>,
    pub disabled_at: Option<i64>,
    pub must_change_password: bool,
}

pub(super) fn account(row: AccountRow) -> StoreResult<Account> {
    Ok(Account {
        roles: parse_roles(&row.roles)?,
        zones: parse_zones(&row.zones),
        username: row.username,
        display_name: row.display_name,
        site: row.site,
        password_hash: row.password_hash,
        phone: row.phone,
        disabled_at: row.disabled_at,
        must_change_password: row.must_change_password,
    })
}

const DATE_FORMAT: &str = "%Y-%m-%d";

/// A catalog row back into the document's key.
pub(super) fn doc_key(
    site: String,
    kind: String,
    zone: String,
    period: Option<String>,
) -> StoreResult<DocKey> {
    let kind = DocKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("kind {kind}")))?;
    let date = period
        .map(|text| {
            NaiveDate::parse_from_str(&text, DATE_FORMAT)
                .map_err(|_| StoreError::Corrupt(format!("period {text}")))
        })
        .transpose()?;
    Ok(DocKey {
        site,
        kind,
        zone,
        date,
    })
}

/// A date as the catalog's `period` column holds it (text that sorts by date).
pub(super) fn date_column(date: NaiveDate) -> String {
    date.format(DATE_FORMAT).to_string()
}

pub(super) fn roles_column(roles: &[Role]) -> String {
    let roles: Vec<_> = roles.iter().map(|role| role.as_str()).collect();
    roles.join(",")
}

fn parse_roles(text: &str) -> StoreResult<Vec<Role>> {
    list(text)
        .map(|role| Role::parse(role).ok_or_else(|| StoreError::Corrupt(format!("role {role}"))))
        .collect()
}

pub(super) fn zones_column(zones: &[String]) -> String {
    zones.join(",")
}

fn parse_zones(text: &str) -> Vec<String> {
    list(text).map(str::to_owned).collect()
}

fn list(text: &str) -> impl Iterator<Item = &str> {
    text.split(',').filter(|item| !item.is_empty())
}

/// The kinds of day documents, quoted for an SQL `IN (...)`: the listing
/// lists them for days, not months (their names are the code's, never input).
pub(super) fn day_kinds() -> String {
    DocKind::ALL
        .iter()
        .filter(|kind| kind.period() == Period::Day)
        .map(|kind| format!("'{}'", kind.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}
