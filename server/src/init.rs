//! `roundbook-server init`: sets up a new office from nothing — its site and
//! the office head's account — so no demo seed or SQL is needed. Running it
//! again changes nothing and says so.
//!
//! Only the first account is made here; every other one is made by the
//! office in the app (`staff`). Must not touch an existing site.

use std::fmt;

use roundbook_shared::domain::{Role, SiteInfo};

use crate::auth::hash_password;
use crate::error::ApiError;
use crate::store::{Account, Audit, Store, StoreError};
use crate::validate;

/// The one time zone this release keeps a calendar in (`domain::site_offset`).
pub const TIMEZONE: &str = "Asia/Shanghai";

/// What `init` is asked to set up.
#[derive(Debug, Clone)]
pub struct Setup {
    /// The site's code: part of every document's id, so it never changes.
    pub site_code: String,
    pub site_name: String,
    pub timezone: String,
    pub head: String,
    pub head_name: String,
    /// The head's password (from `--password-file`); without one a
    /// one-time password is made and must be changed at first sign-in.
    pub password: Option<String>,
}

/// What `init` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Initialised {
    /// Made the site and the head's account; the one-time password if one
    /// was made (shown once, never stored).
    Created {
        site: String,
        head: String,
        one_time_password: Option<String>,
    },
    /// The site existed: nothing was changed.
    AlreadySetUp { site: String },
}

impl fmt::Display for Initialised {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Initialised::Created {
                site,
                head,
                one_time_password,
            } => {
                writeln!(
                    f,
                    "Created site {site:?} and the office head's account {head:?}."
                )?;
                match one_time_password {
                    Some(password) => write!(
                        f,
                        "One-time password for {head}: {password}\n\
                         It is shown only now; {head} must choose a new one at first sign-in."
                    ),
                    None => write!(f, "{head} signs in with the password from the file."),
                }
            }
            Initialised::AlreadySetUp { site } => write!(
                f,
                "Site {site:?} is already set up: nothing was changed. \
                 Manage its zones and staff in the app (signed in as the office head)."
            ),
        }
    }
}

/// Why `init` refused; nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<ApiError> for InitError {
    fn from(error: ApiError) -> Self {
        InitError::Invalid(error.to_string())
    }
}

/// Sets up `setup`'s site and head, unless the site exists.
pub fn init(store: &dyn Store, setup: &Setup) -> Result<Initialised, InitError> {
    validate::username(&setup.site_code).map_err(|_| {
        InitError::Invalid("a site code is 1-32 characters of a-z, 0-9, '.', '_' and '-'".into())
    })?;
    let site_name = validate::name(&setup.site_name)?;
    let head_name = validate::name(&setup.head_name)?;
    validate::username(&setup.head)?;
    if setup.timezone != TIMEZONE {
        return Err(InitError::Invalid(format!(
            "this release keeps a site's calendar in China Standard Time: the time zone must be {TIMEZONE}"
        )));
    }
    if let Some(password) = &setup.password {
        validate::new_password(&setup.head, password)?;
    }
    // A site without any account (an `init` stopped half-way) still
    // gets its head.
    let already =
        |store: &dyn Store| -> Result<bool, StoreError> {
            Ok(store.site(&setup.site_code)?.is_some()
                && !store.accounts(&setup.site_code)?.is_empty())
        };
    if already(store)? {
        return Ok(Initialised::AlreadySetUp {
            site: setup.site_code.clone(),
        });
    }
    if store.account(&setup.head)?.is_some() {
        return Err(InitError::Invalid(format!(
            "the username {:?} is taken (by another site of this database): choose another --head",
            setup.head
        )));
    }
    let one_time_password = setup.password.is_none().then(validate::one_time_password);
    let password = setup
        .password
        .as_deref()
        .or(one_time_password.as_deref())
        .expect("one of the two");
    let site = SiteInfo {
        code: setup.site_code.clone(),
        name: site_name,
        timezone: setup.timezone.clone(),
    };
    store.create_site(&site, &[])?;
    let head = Account {
        username: setup.head.clone(),
        display_name: head_name,
        site: site.code.clone(),
        password_hash: hash_password(password),
        roles: vec![Role::OfficeHead],
        must_change_password: one_time_password.is_some(),
        ..Account::default()
    };
    let audit = Audit {
        site: site.code.clone(),
        actor: "roundbook-server init".into(),
        device: "command line".into(),
        at: chrono::Utc::now().timestamp_millis(),
        action: "staff_created".into(),
        target: head.username.clone(),
        detail: "the office head, made with the site".into(),
    };
    if !store.create_account(&head, &audit)? {
        // Another `init` got there first.
        if already(store)? {
            return Ok(Initialised::AlreadySetUp { site: site.code });
        }
        return Err(InitError::Invalid(format!(
            "the username {:?} was taken meanwhile: run init again with another --head",
            head.username
        )));
    }
    Ok(Initialised::Created {
        site: site.code,
        head: head.username,
        one_time_password,
    })
}
