//! The rules the office's own data keeps: usernames, names, phones, zone
//! codes and passwords, each refused with its stable code (`invalid_name`,
//! `password_too_short`, ...). Checks only: nothing here reads or writes.

use roundbook_shared::domain::is_resident_phone;

use crate::error::ApiError;

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// The longest: what sign-in reads.
pub const MAX_PASSWORD_BYTES: usize = 256;
const MAX_USERNAME_CHARS: usize = 32;
const MAX_NAME_CHARS: usize = 50;
const MAX_ZONE_CODE_CHARS: usize = 16;

/// 1-32 characters of `a-z 0-9 . _ -`.
pub fn username(text: &str) -> Result<(), ApiError> {
    let ok = (1..=MAX_USERNAME_CHARS).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    ok.then_some(()).ok_or_else(|| {
        ApiError::Invalid(
            "invalid_username",
            format!(
                "a username is 1-{MAX_USERNAME_CHARS} characters of a-z, 0-9, '.', '_' and '-'"
            ),
        )
    })
}

/// A person's or a zone's name, trimmed: 1-50 characters, no control
/// characters.
pub fn name(text: &str) -> Result<String, ApiError> {
    let trimmed = text.trim();
    let count = trimmed.chars().count();
    if (1..=MAX_NAME_CHARS).contains(&count) && !trimmed.chars().any(char::is_control) {
        return Ok(trimmed.to_owned());
    }
    Err(ApiError::Invalid(
        "invalid_name",
        format!("a name is 1-{MAX_NAME_CHARS} characters"),
    ))
}

/// A staff member's phone: a landline or a mobile, as `is_resident_phone`.
pub fn phone(text: &str) -> Result<String, ApiError> {
    let trimmed = text.trim();
    if is_resident_phone(trimmed) {
        return Ok(trimmed.to_owned());
    }
    Err(ApiError::Invalid(
        "invalid_phone",
        "a phone is 7-15 digits, optionally grouped by spaces or dashes".into(),
    ))
}

/// 1-16 characters of `A-Z a-z 0-9 _ -`.
pub fn zone_code(text: &str) -> Result<(), ApiError> {
    let ok = (1..=MAX_ZONE_CODE_CHARS).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    ok.then_some(()).ok_or_else(|| {
        ApiError::Invalid(
            "invalid_zone_code",
            format!(
                "a zone code is 1-{MAX_ZONE_CODE_CHARS} characters of A-Z, a-z, 0-9, '_' and '-'"
            ),
        )
    })
}

/// A new password for `username`: at least 8 characters, not the username.
pub fn new_password(username: &str, password: &str) -> Result<(), ApiError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ApiError::Invalid(
            "password_too_short",
            format!("a password has at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(ApiError::Invalid(
            "password_too_long",
            format!("a password has at most {MAX_PASSWORD_BYTES} bytes"),
        ));
    }
    if password.trim().eq_ignore_ascii_case(username) {
        return Err(ApiError::Invalid(
            "password_is_username",
            "the password may not be the username".into(),
        ));
    }
    Ok(())
}

/// Letters and digits nobody misreads on a screen (no 0/O, 1/l/I).
const ONE_TIME_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A one-time password to read out or copy once: 12 characters of an
/// unambiguous alphabet (about 59 bits).
pub fn one_time_password() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..12)
        .map(|_| ONE_TIME_ALPHABET[rng.random_range(0..ONE_TIME_ALPHABET.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(result: Result<impl Sized, ApiError>) -> &'static str {
        match result {
            Ok(_) => "ok",
            Err(ApiError::Invalid(code, _)) => code,
            Err(other) => panic!("{other}"),
        }
    }

    #[test]
    fn usernames_names_phones_and_codes() {
        assert_eq!(code(username("guard-a.2_x")), "ok");
        for bad in ["", "Guard", "王强", "a b", &"a".repeat(33)] {
            assert_eq!(code(username(bad)), "invalid_username", "{bad}");
        }
        assert_eq!(name("  王强 ").unwrap(), "王强");
        for bad in ["", "   ", "a\nb", &"名".repeat(51), &"x".repeat(10_240)] {
            assert_eq!(code(name(bad)), "invalid_name");
        }
        assert_eq!(code(phone("138-0000-0001")), "ok");
        assert_eq!(code(phone("call me")), "invalid_phone");
        assert_eq!(code(zone_code("A-1_b")), "ok");
        for bad in ["", "A区", "a b", &"A".repeat(17)] {
            assert_eq!(code(zone_code(bad)), "invalid_zone_code", "{bad}");
        }
    }

    #[test]
    fn passwords_are_long_enough_and_not_the_username() {
        assert_eq!(code(new_password("guard-a", "a-long-one")), "ok");
        assert_eq!(code(new_password("guard-a", "short")), "password_too_short");
        assert_eq!(
            code(new_password("guard-a1", "GUARD-A1")),
            "password_is_username"
        );
        assert_eq!(
            code(new_password("guard-a", &"x".repeat(300))),
            "password_too_long"
        );
        let made = one_time_password();
        assert_eq!(made.len(), 12);
        assert_eq!(code(new_password("guard-a", &made)), "ok");
        assert_ne!(made, one_time_password());
    }
}
