//! Generates the UI's messages from the locale files (docs/translations.md).
//!
//! `locales/<tag>.json` holds one flat JSON object per language: message key
//! (`snake_case`) to text. This script checks the files against each other
//! and writes `$OUT_DIR/messages.rs`, which `src/i18n.rs` includes:
//! - `enum Key`, one variant per key (`sign_in` -> `Key::SignIn`), in the
//!   default language's file order;
//! - one `Texts` per language: its texts in one string, in `Key` order, and
//!   where each starts.
//!
//! Any problem fails the build with one `error:` line per problem, naming the
//! file, the line and the key.

use std::collections::{BTreeSet, HashMap};
use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};
use std::{env, fs};

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;

/// The languages: file stem under `locales/`, and the name of the generated
/// table. The first is the default; its file gives the keys their order.
/// `Lang` in `src/i18n.rs` maps each language to its table.
const LOCALES: &[(&str, &str)] = &[("zh-CN", "ZH_CN"), ("en", "EN")];

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    // A directory: any file added, removed or changed in it reruns the script.
    println!("cargo::rerun-if-changed=locales");

    let manifest_dir =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR")).join("messages.rs");
    match generate(&manifest_dir) {
        Ok(code) => {
            fs::write(&out, code).unwrap_or_else(|e| panic!("writing {}: {e}", out.display()))
        }
        // Cargo shows each as an `error:` line and fails the build.
        Err(problems) => {
            for problem in &problems {
                println!("cargo::error={problem}");
            }
        }
    }
}

/// One locale file, read and checked on its own.
struct Locale {
    /// As shown in messages: `frontend/locales/en.json`.
    shown: String,
    text: String,
    /// Key and text, in the file's order.
    entries: Vec<(String, String)>,
    by_key: HashMap<String, usize>,
}

impl Locale {
    fn get(&self, key: &str) -> Option<&str> {
        self.by_key.get(key).map(|&i| self.entries[i].1.as_str())
    }

    /// `file:line` of the key's first occurrence, or the bare file.
    fn at(&self, key: &str) -> String {
        at_occurrence(&self.shown, &self.text, key, 0)
    }
}

/// `file:line` of the `nth` (0-based) occurrence of `"key":` in `text`.
fn at_occurrence(shown: &str, text: &str, key: &str, nth: usize) -> String {
    let quoted = format!("\"{key}\"");
    let found = text
        .match_indices(&quoted)
        .filter(|(i, _)| text[i + quoted.len()..].trim_start().starts_with(':'))
        .nth(nth);
    match found {
        Some((i, _)) => format!("{shown}:{}", text[..i].matches('\n').count() + 1),
        None => shown.to_owned(),
    }
}

fn generate(manifest_dir: &Path) -> Result<String, Vec<String>> {
    let dir = manifest_dir.join("locales");
    // Messages name files from the repository root: `frontend/locales/...`.
    let shown_dir = Path::new(manifest_dir.file_name().unwrap_or_default()).join("locales");
    let mut problems = Vec::new();

    // A file nobody reads is a translation that silently never shows.
    match fs::read_dir(&dir) {
        Ok(entries) => {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if let Some(stem) = name.strip_suffix(".json") {
                    if !LOCALES.iter().any(|(tag, _)| *tag == stem) {
                        problems.push(format!(
                            "{}: not a language of the app; add it to LOCALES in frontend/build.rs and to `Lang` in frontend/src/i18n.rs, or remove it",
                            shown_dir.join(&name).display()
                        ));
                    }
                }
            }
        }
        Err(e) => return Err(vec![format!("{}: {e}", dir.display())]),
    }

    let locales: Vec<Locale> = LOCALES
        .iter()
        .filter_map(|(tag, _)| read_locale(&dir, &shown_dir, tag, &mut problems))
        .collect();
    if locales.len() != LOCALES.len() {
        return Err(problems);
    }

    // The same keys in every language.
    for (i, locale) in locales.iter().enumerate() {
        for other in locales.iter().skip(i + 1) {
            for (missing_from, has) in [(other, locale), (locale, other)] {
                for (key, _) in &has.entries {
                    if missing_from.get(key).is_none() {
                        problems.push(format!(
                            "{}: key `{key}` is missing from {}",
                            has.at(key),
                            missing_from.shown
                        ));
                    }
                }
            }
        }
    }

    // The same `{slots}` in every language, so `fill` has a value for each.
    let default = &locales[0];
    for (key, text) in &default.entries {
        let expected = slots(text);
        for other in &locales[1..] {
            if let Some(other_text) = other.get(key) {
                let found = slots(other_text);
                if found != expected {
                    problems.push(format!(
                        "{}: key `{key}` has the slots {} but in {} it has {}",
                        other.at(key),
                        Slots(&found),
                        default.at(key),
                        Slots(&expected)
                    ));
                }
            }
        }
    }

    // Distinct keys must give distinct variants (`a_1b` and `a1b` would not).
    let mut variants: HashMap<String, &str> = HashMap::new();
    for (key, _) in &default.entries {
        let variant = variant_name(key);
        if let Some(first) = variants.insert(variant.clone(), key) {
            problems.push(format!(
                "{}: keys `{first}` and `{key}` both become `Key::{variant}`; rename one",
                default.at(key)
            ));
        }
    }

    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(emit(&locales))
}

/// Reads and checks one file; a problem is pushed for each bad entry.
fn read_locale(
    dir: &Path,
    shown_dir: &Path,
    tag: &str,
    problems: &mut Vec<String>,
) -> Option<Locale> {
    let file = format!("{tag}.json");
    let shown = shown_dir.join(&file).display().to_string();
    let text = match fs::read_to_string(dir.join(&file)) {
        Ok(text) => text,
        Err(e) => {
            problems.push(format!("{shown}: cannot read the file: {e}"));
            return None;
        }
    };
    let Entries(raw) = match serde_json::from_str::<Entries>(&text) {
        Ok(entries) => entries,
        Err(e) => {
            problems.push(format!(
                "{shown}:{}: {e} (a locale file is one flat JSON object of \"key\": \"text\")",
                e.line()
            ));
            return None;
        }
    };
    let mut locale = Locale {
        shown,
        text,
        entries: Vec::with_capacity(raw.len()),
        by_key: HashMap::with_capacity(raw.len()),
    };
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (key, value) in &raw {
        let nth = seen.entry(key).or_insert(0);
        let at = at_occurrence(&locale.shown, &locale.text, key, *nth);
        *nth += 1;
        if *nth > 1 {
            problems.push(format!("{at}: key `{key}` appears more than once"));
            continue;
        }
        if !is_key(key) {
            problems.push(format!(
                "{at}: key `{key}` is not snake_case (a-z, 0-9 and single `_`, starting with a letter)"
            ));
            continue;
        }
        let text = match value {
            Value::String(text) => text,
            other => {
                problems.push(format!(
                    "{at}: key `{key}` must be a string of text, not {}",
                    kind(other)
                ));
                continue;
            }
        };
        if text.trim().is_empty() {
            problems.push(format!("{at}: key `{key}` has no text"));
            continue;
        }
        locale.by_key.insert(key.clone(), locale.entries.len());
        locale.entries.push((key.clone(), text.clone()));
    }
    Some(locale)
}

/// A JSON object's entries in file order, duplicates kept (serde_json's own
/// map would keep only the last of two equal keys).
struct Entries(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor;
        impl<'de> Visitor<'de> for EntriesVisitor {
            type Value = Entries;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, Value>()? {
                    entries.push(entry);
                }
                Ok(Entries(entries))
            }
        }
        deserializer.deserialize_map(EntriesVisitor)
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object (locale files are flat)",
    }
}

/// `snake_case`: lowercase ASCII letters and digits in words joined by single
/// underscores, starting with a letter.
fn is_key(key: &str) -> bool {
    key.starts_with(|c: char| c.is_ascii_lowercase())
        && key.split('_').all(|word| {
            !word.is_empty()
                && word
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

/// `sign_in` -> `SignIn`.
fn variant_name(key: &str) -> String {
    key.split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The `{name}` slots of a text (as `fill` in `src/i18n.rs` replaces them).
fn slots(text: &str) -> BTreeSet<&str> {
    let mut found = BTreeSet::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        rest = &rest[open + 1..];
        if let Some(close) = rest.find('}') {
            let name = &rest[..close];
            if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                found.insert(name);
                rest = &rest[close + 1..];
            }
        }
    }
    found
}

/// Shows a slot set as `{a} {b}`, or `none`.
struct Slots<'a>(&'a BTreeSet<&'a str>);

impl fmt::Display for Slots<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("none");
        }
        let shown: Vec<String> = self.0.iter().map(|slot| format!("{{{slot}}}")).collect();
        f.write_str(&shown.join(" "))
    }
}

/// The generated module: `Key` and one table per language.
/// Key families (prefix, the generated lookup, what it names): see `emit`.
const FAMILIES: [(&str, &str, &str); 5] = [
    ("doc_", "of_doc_kind", "the document kind"),
    ("report_", "of_report_label", "the monthly reports' label"),
    ("tab_", "of_tab", "the home screen tab"),
    ("error_", "of_error", "the API error code"),
    ("audit_", "of_audit_action", "the audit trail's action"),
];

fn emit(locales: &[Locale]) -> String {
    let default = &locales[0];
    let n = default.entries.len();
    let mut code = String::new();
    let w = &mut code;
    // `write!` to a String cannot fail.
    macro_rules! out {
        ($($arg:tt)*) => { writeln!(w, $($arg)*).unwrap() };
    }
    out!("// Generated by frontend/build.rs from frontend/locales/*.json: edit those, not this.");
    out!();
    out!("/// Every fixed message of the UI: one variant per key of the locale files");
    out!("/// (`sign_in` in `frontend/locales/*.json` is `Key::SignIn`).");
    out!("#[derive(Debug, Clone, Copy, PartialEq, Eq)]");
    out!("pub enum Key {{");
    for (key, _) in &default.entries {
        let shown: Vec<String> = LOCALES
            .iter()
            .zip(locales)
            .map(|((tag, _), locale)| format!("{tag}: {}", locale.get(key).unwrap_or_default()))
            .collect();
        out!(
            "    #[doc = {:?}]",
            format!("`{key}` — {}", shown.join(" · "))
        );
        out!("    {},", variant_name(key));
    }
    out!("}}");
    out!();
    out!("impl Key {{");
    out!("    /// Every key, in the order of the default language's file.");
    out!("    #[cfg(test)]");
    out!("    pub const ALL: [Key; {n}] = [");
    for (key, _) in &default.entries {
        out!("        Key::{},", variant_name(key));
    }
    out!("    ];");
    out!();
    // Families: keys named after something the code names by a string (a
    // document kind, a tab), found by that name, so a new kind or tab needs
    // its two translations and nothing else here.
    for (prefix, function, what) in FAMILIES {
        out!("    /// The key `{prefix}<name>` of {what} `name`, if the locale files have it.");
        out!("    pub fn {function}(name: &str) -> Option<Key> {{");
        out!("        match name {{");
        for (key, _) in &default.entries {
            if let Some(name) = key.strip_prefix(prefix) {
                out!("            {name:?} => Some(Key::{}),", variant_name(key));
            }
        }
        out!("            _ => None,");
        out!("        }}");
        out!("    }}");
        out!();
    }
    out!("    /// The key as written in the locale files.");
    out!("    #[cfg(test)]");
    out!("    pub fn name(self) -> &'static str {{");
    out!("        KEY_NAMES[self as usize]");
    out!("    }}");
    out!("}}");
    out!();
    out!("#[cfg(test)]");
    out!("const KEY_NAMES: [&str; {n}] = [");
    for (key, _) in &default.entries {
        out!("    {key:?},");
    }
    out!("];");
    // One string per language and where each text starts in it: two bytes a
    // message instead of the eight of a `&str` (pointer and length).
    let longest = locales
        .iter()
        .map(|locale| {
            locale
                .entries
                .iter()
                .map(|(_, text)| text.len())
                .sum::<usize>()
        })
        .max()
        .unwrap_or_default();
    let offset = if longest <= usize::from(u16::MAX) {
        "u16"
    } else {
        "u32"
    };
    out!();
    out!("/// One language's texts, one after the other in `Key` order.");
    out!("struct Texts {{");
    out!("    all: &'static str,");
    out!("    /// Where each key's text starts in `all`; the last entry is its length.");
    out!("    starts: [{offset}; {}],", n + 1);
    out!("}}");
    out!();
    out!("impl Texts {{");
    out!("    fn get(&self, key: Key) -> &'static str {{");
    out!("        let i = key as usize;");
    out!("        &self.all[self.starts[i] as usize..self.starts[i + 1] as usize]");
    out!("    }}");
    out!("}}");
    for ((tag, table), locale) in LOCALES.iter().zip(locales) {
        out!();
        out!("/// The {tag} texts (`frontend/locales/{tag}.json`).");
        out!("const {table}: Texts = Texts {{");
        out!("    all: concat!(");
        let mut starts = vec![0];
        for (key, _) in &default.entries {
            let text = locale.get(key).unwrap_or_default();
            out!("        {text:?}, // {key}");
            starts.push(starts.last().unwrap() + text.len());
        }
        out!("    ),");
        let starts: Vec<String> = starts.iter().map(usize::to_string).collect();
        out!("    starts: [{}],", starts.join(", "));
        out!("}};");
    }
    code
}
