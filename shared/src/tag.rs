//! What a checkpoint's QR tag says, and how a scanned tag is read.
//!
//! A tag carries `roundbook:<site>:<code>`. The prefix lets the tablet refuse
//! any other QR code with a clear message, and the site stops a tag from one
//! estate being scanned at another. (A copied tag still scans: copies are
//! caught by the time and receipt checks in [`crate::trust`], not here.)

const PREFIX: &str = "roundbook:";

/// The text encoded in a checkpoint's QR tag.
pub fn tag_text(site: &str, code: &str) -> String {
    format!("{PREFIX}{site}:{code}")
}

/// What a scanned QR code turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagRead {
    /// A tag of this site, with the checkpoint code it names.
    Checkpoint(String),
    /// A Roundbook tag of another site.
    OtherSite(String),
    /// Not a Roundbook tag at all.
    Foreign,
}

/// Reads the text of a scanned QR code for the site `site`.
pub fn read_tag(text: &str, site: &str) -> TagRead {
    let Some(rest) = text.trim().strip_prefix(PREFIX) else {
        return TagRead::Foreign;
    };
    match rest.split_once(':') {
        Some((tag_site, code)) if !code.trim().is_empty() => {
            if tag_site == site {
                TagRead::Checkpoint(code.trim().to_owned())
            } else {
                TagRead::OtherSite(tag_site.to_owned())
            }
        }
        _ => TagRead::Foreign,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_round_trip_and_strangers_are_told_apart() {
        assert_eq!(
            read_tag(&tag_text("demo", "A-01"), "demo"),
            TagRead::Checkpoint("A-01".into())
        );
        assert_eq!(
            read_tag(&tag_text("other", "A-01"), "demo"),
            TagRead::OtherSite("other".into())
        );
        for foreign in [
            "https://example.invalid/",
            "A-01",
            "roundbook:demo:",
            "roundbook:demo",
        ] {
            assert_eq!(read_tag(foreign, "demo"), TagRead::Foreign, "{foreign}");
        }
    }
}
