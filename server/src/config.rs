//! The server's config file (`roundbook.toml`): every setting a command-line
//! flag has, by the flag's name (`max-connections` or `max_connections`).
//!
//! The file is read into the flags' environment variables (`ROUNDBOOK_…`)
//! that are not already set, before the command line is parsed. So the order
//! of precedence is the command line, then the environment, then the file,
//! then the default — and every check a flag has applies to the file too.
//!
//! This module only turns the file's text into variables; it parses no flag
//! and sets nothing itself (`main.rs` does, before any thread starts).

use std::fmt;

/// The environment variable of a flag: `ROUNDBOOK_` and its name in capitals.
pub fn variable(flag: &str) -> String {
    format!("ROUNDBOOK_{}", flag.replace('-', "_").to_ascii_uppercase())
}

#[derive(Debug, PartialEq, Eq)]
pub enum ConfigError {
    Syntax(String),
    UnknownSetting(String),
    BadValue(String),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Syntax(why) => write!(f, "{why}"),
            ConfigError::UnknownSetting(key) => {
                write!(f, "{key:?} is not a setting (see roundbook-server --help)")
            }
            ConfigError::BadValue(key) => {
                write!(
                    f,
                    "{key:?}: give a string, a number, true or false, or a list of strings"
                )
            }
        }
    }
}

impl std::error::Error for ConfigError {}

/// The `(variable, value)` pairs the file sets. `known` is the flags' names
/// (with `_`); a key that is none of them is refused, so a typo is not
/// silently ignored. Lists become comma-separated values.
pub fn variables(text: &str, known: &[String]) -> Result<Vec<(String, String)>, ConfigError> {
    let table: toml::Table =
        toml::from_str(text).map_err(|error| ConfigError::Syntax(error.to_string()))?;
    let mut variables = Vec::new();
    for (key, value) in table {
        let flag = key.replace('-', "_");
        if !known.contains(&flag) {
            return Err(ConfigError::UnknownSetting(key));
        }
        let text = match value {
            toml::Value::String(text) => text,
            toml::Value::Integer(number) => number.to_string(),
            toml::Value::Boolean(flag) => flag.to_string(),
            toml::Value::Array(items) => items
                .into_iter()
                .map(|item| match item {
                    toml::Value::String(text) => Ok(text),
                    _ => Err(ConfigError::BadValue(key.clone())),
                })
                .collect::<Result<Vec<_>, _>>()?
                .join(","),
            _ => return Err(ConfigError::BadValue(key)),
        };
        variables.push((variable(&flag), text));
    }
    Ok(variables)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> Vec<String> {
        ["listen", "db", "demo", "tls_self_signed", "max_connections"]
            .map(String::from)
            .to_vec()
    }

    #[test]
    fn settings_become_the_flags_variables() {
        let text = r#"
            listen = "0.0.0.0:443"
            db = "/var/lib/roundbook/roundbook.sqlite3"
            tls-self-signed = ["roundbook.office.lan", "192.168.1.20"]
            max_connections = 4000
            demo = false
        "#;
        let mut found = variables(text, &known()).unwrap();
        found.sort();
        assert_eq!(
            found,
            [
                ("ROUNDBOOK_DB", "/var/lib/roundbook/roundbook.sqlite3"),
                ("ROUNDBOOK_DEMO", "false"),
                ("ROUNDBOOK_LISTEN", "0.0.0.0:443"),
                ("ROUNDBOOK_MAX_CONNECTIONS", "4000"),
                (
                    "ROUNDBOOK_TLS_SELF_SIGNED",
                    "roundbook.office.lan,192.168.1.20"
                ),
            ]
            .map(|(k, v)| (k.to_string(), v.to_string()))
        );
    }

    #[test]
    fn a_typo_or_a_bad_value_is_refused() {
        assert_eq!(
            variables("listn = \"x\"", &known()),
            Err(ConfigError::UnknownSetting("listn".into()))
        );
        assert_eq!(
            variables("db = { a = 1 }", &known()),
            Err(ConfigError::BadValue("db".into()))
        );
        assert_eq!(
            variables("tls_self_signed = [1]", &known()),
            Err(ConfigError::BadValue("tls_self_signed".into()))
        );
        assert!(matches!(
            variables("db = ", &known()),
            Err(ConfigError::Syntax(_))
        ));
    }
}
