//! The printable sheet of a zone's checkpoint tags: for each active
//! checkpoint, the QR code of its tag text ([`tag_text`]), the code in large
//! letters, its name and location. The print button prints the sheet alone
//! (the print styles in `app.css` hide the app around it and keep each tag
//! whole on A4 paper).
//!
//! QR codes are drawn by the `qrcode` crate as inline SVG, so the sheet works
//! offline and prints sharp. It only reads the directory.

use leptos::prelude::*;
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};
use roundbook_shared::schema::directory::Checkpoint;
use roundbook_shared::tag::tag_text;

use super::select::ZoneSelect;
use super::WorkspaceRef;
use crate::i18n::{I18n, Key};
use crate::setup;
use crate::sync::SyncStatus;

/// The QR code of `text` as an SVG element (no XML prolog), or `None` if the
/// text is too long for a QR code.
pub fn qr_svg(text: &str) -> Option<String> {
    // Medium error correction: survives a scuffed or partly dirty tag.
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    let image = code
        .render::<svg::Color>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build();
    let start = image.find("<svg")?;
    Some(image[start..].to_owned())
}

/// One printed tag.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Tag {
    code: String,
    name: String,
    location: String,
    payload: String,
    svg: Option<String>,
}

impl Tag {
    fn of(site: &str, checkpoint: &Checkpoint) -> Tag {
        let payload = tag_text(site, &checkpoint.code);
        Tag {
            code: checkpoint.code.clone(),
            name: checkpoint.name.clone(),
            location: checkpoint.location.clone(),
            svg: qr_svg(&payload),
            payload,
        }
    }
}

#[component]
pub fn TagSheet(workspace: WorkspaceRef) -> impl IntoView {
    let i18n = I18n::get();
    let status = expect_context::<SyncStatus>();
    let (zones, site_name) = workspace.with_value(|ws| {
        (
            ws.session.zones().to_vec(),
            ws.session.site_name().to_owned(),
        )
    });
    let zone = RwSignal::new(zones.first().map(|z| z.code.clone()).unwrap_or_default());
    let zone_name = move || workspace.with_value(|ws| ws.session.zone_name(&zone.get()));
    let tags = Memo::new(move |_| {
        status.revision.track();
        let zone = zone.get();
        workspace.with_value(|ws| {
            let site = ws.session.site_code();
            setup::directory(&ws.library, site, &zone)
                .map(|directory| {
                    directory
                        .checkpoints
                        .iter()
                        .filter(|checkpoint| !checkpoint.retired)
                        .map(|checkpoint| Tag::of(site, checkpoint))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let print = move |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.print();
        }
    };
    let heading = move || format!("{site_name} · {}", zone_name());
    view! {
        <section class="card no-print tags-tools">
            <ZoneSelect workspace zone testid="tags-zone" label=Key::Zone />
            <p class="muted">{move || i18n.t(Key::TagsHint)}</p>
            <button
                class="button button-primary button-large"
                data-testid="tags-print"
                disabled=move || tags.with(Vec::is_empty)
                on:click=print
            >
                {move || i18n.t(Key::PrintTags)}
            </button>
        </section>
        <Show
            when=move || tags.with(|tags| !tags.is_empty())
            fallback=move || view! { <p class="muted" data-testid="tags-empty">{move || i18n.t(Key::NoActiveCheckpoints)}</p> }
        >
            <section class="tag-sheet" data-testid="tag-sheet" data-zone=move || zone.get()>
                <h2 class="tag-sheet-title">{heading.clone()}</h2>
                <div class="tag-grid">
                    <For each=move || tags.get() key=|tag| tag.clone() let:tag>
                        <article
                            class="tag-card"
                            data-testid="tag-card"
                            data-code=tag.code.clone()
                            data-payload=tag.payload.clone()
                        >
                            <div class="tag-qr" inner_html=tag.svg.clone().unwrap_or_default()></div>
                            <div class="tag-code">{tag.code.clone()}</div>
                            <div class="tag-name">{tag.name.clone()}</div>
                            <div class="tag-location">{tag.location.clone()}</div>
                        </article>
                    </For>
                </div>
            </section>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use qrcode::Color;
    use wasm_bindgen_test::wasm_bindgen_test;

    /// Decodes a QR code the way the camera does (rqrr on a grey image).
    fn decode(code: &QrCode) -> String {
        let width = code.width();
        let colors = code.to_colors();
        let (scale, quiet) = (4, 4);
        let side = (width + 2 * quiet) * scale;
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
            let (mx, my) = (x / scale, y / scale);
            let dark = (quiet..quiet + width).contains(&mx)
                && (quiet..quiet + width).contains(&my)
                && colors[(my - quiet) * width + (mx - quiet)] == Color::Dark;
            if dark {
                0
            } else {
                255
            }
        });
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1);
        grids[0].decode().expect("decodes").1
    }

    #[wasm_bindgen_test]
    fn a_tag_encodes_its_tag_text_as_svg() {
        let checkpoint = Checkpoint {
            id: "cp-a-01".into(),
            code: "A-01".into(),
            name: "正门岗亭".into(),
            location: "小区正门东侧".into(),
            retired: false,
        };
        let tag = Tag::of("demo", &checkpoint);
        assert_eq!(tag.payload, "roundbook:demo:A-01");
        let svg = tag.svg.expect("an SVG");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"), "{svg}");
        assert!(svg.contains("<path"));
        let code = QrCode::with_error_correction_level(tag.payload.as_bytes(), EcLevel::M).unwrap();
        assert_eq!(decode(&code), "roundbook:demo:A-01");
        assert_eq!(qr_svg(&"x".repeat(5000)), None, "too long for a QR code");
    }
}
