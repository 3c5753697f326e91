//! The drawn-signature pad: a `<canvas>` the signer draws on with a finger,
//! pen or mouse (pointer events, with pointer capture so a stroke leaving the
//! pad is not lost), a clear button, and [`Pad::png`], the drawing as PNG
//! bytes for the data layer's sign function. It only draws; signing is the
//! sign-off form's.
//!
//! Test ids (with the pad's `prefix`, e.g. `sign-supervisor`):
//! `<prefix>-pad` (the canvas, `data-ink` = "true" once something is drawn,
//! `aria-disabled` = "true" while it takes no ink),
//! `<prefix>-clear`.

use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// The canvas's drawing size in pixels (the stored image); it is shown
/// scaled to the width of the form.
pub const PAD_WIDTH: u32 = 600;
pub const PAD_HEIGHT: u32 = 200;

/// A pad's handle, shared by the pad and the form that signs with it.
#[derive(Clone, Copy)]
pub struct Pad {
    canvas: NodeRef<Canvas>,
    /// Whether anything has been drawn since the last clear.
    pub ink: RwSignal<bool>,
}

impl Default for Pad {
    fn default() -> Self {
        Pad::new()
    }
}

impl Pad {
    pub fn new() -> Pad {
        Pad {
            canvas: NodeRef::new(),
            ink: RwSignal::new(false),
        }
    }

    /// The drawing as PNG bytes; `None` while the pad is empty.
    pub fn png(&self) -> Option<Vec<u8>> {
        if !self.ink.get_untracked() {
            return None;
        }
        let canvas = self.canvas.get_untracked()?;
        canvas_png(&canvas)
    }

    /// Wipes the pad to white.
    pub fn clear(&self) {
        if let Some(canvas) = self.canvas.get_untracked() {
            blank(&canvas);
        }
        self.ink.set(false);
    }
}

/// The canvas as PNG bytes (from its `data:image/png;base64,` URL).
pub fn canvas_png(canvas: &HtmlCanvasElement) -> Option<Vec<u8>> {
    let url = canvas.to_data_url_with_type("image/png").ok()?;
    png_from_data_url(&url)
}

/// Decodes a `data:image/png;base64,...` URL; anything else is `None`.
pub fn png_from_data_url(url: &str) -> Option<Vec<u8>> {
    let encoded = url.strip_prefix("data:image/png;base64,")?;
    let binary = web_sys::window()?.atob(encoded).ok()?;
    // atob yields one char per byte, each below 256.
    binary
        .chars()
        .map(|c| u8::try_from(u32::from(c)).ok())
        .collect()
}

fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|context| context.dyn_into().ok())
}

/// Fills the canvas white (so the printed signature has no see-through
/// background) and sets the pen.
fn blank(canvas: &HtmlCanvasElement) {
    if let Some(context) = context(canvas) {
        context.set_fill_style_str("#ffffff");
        context.fill_rect(0.0, 0.0, canvas.width().into(), canvas.height().into());
        context.set_stroke_style_str("#111111");
        context.set_line_width(3.0);
        context.set_line_cap("round");
        context.set_line_join("round");
    }
}

/// Maps a point in the element's CSS pixels (as shown) to canvas pixels.
pub fn to_canvas(offset: (f64, f64), shown: (f64, f64), size: (u32, u32)) -> (f64, f64) {
    let scale = |at: f64, shown: f64, size: u32| {
        if shown > 0.0 {
            at * f64::from(size) / shown
        } else {
            at
        }
    };
    (
        scale(offset.0, shown.0, size.0),
        scale(offset.1, shown.1, size.1),
    )
}

fn point_of(canvas: &HtmlCanvasElement, event: &web_sys::PointerEvent) -> (f64, f64) {
    to_canvas(
        (f64::from(event.offset_x()), f64::from(event.offset_y())),
        (
            f64::from(canvas.client_width()),
            f64::from(canvas.client_height()),
        ),
        (canvas.width(), canvas.height()),
    )
}

/// Draws a stroke segment (a dot when `from == to`).
pub fn stroke(canvas: &HtmlCanvasElement, from: (f64, f64), to: (f64, f64)) {
    if let Some(context) = context(canvas) {
        context.begin_path();
        context.move_to(from.0, from.1);
        context.line_to(to.0 + 0.01, to.1 + 0.01);
        context.stroke();
    }
}

#[component]
pub fn SignaturePad(
    pad: Pad,
    prefix: &'static str,
    /// A locked month, a month not open for signing yet, or a signing in
    /// progress: the pad takes no ink.
    #[prop(into)]
    disabled: Signal<bool>,
    /// The clear button's label.
    #[prop(into)]
    clear_label: Signal<String>,
) -> impl IntoView {
    let last = StoredValue::new(None::<(f64, f64)>);
    Effect::new(move |_| {
        if let Some(canvas) = pad.canvas.get() {
            blank(&canvas);
        }
    });
    let down = move |event: web_sys::PointerEvent| {
        if disabled.get_untracked() {
            return;
        }
        let Some(canvas) = pad.canvas.get_untracked() else {
            return;
        };
        event.prevent_default();
        let _ = canvas.set_pointer_capture(event.pointer_id());
        let at = point_of(&canvas, &event);
        stroke(&canvas, at, at);
        last.set_value(Some(at));
        pad.ink.set(true);
    };
    let moved = move |event: web_sys::PointerEvent| {
        let (Some(from), Some(canvas)) = (last.get_value(), pad.canvas.get_untracked()) else {
            return;
        };
        event.prevent_default();
        let to = point_of(&canvas, &event);
        stroke(&canvas, from, to);
        last.set_value(Some(to));
    };
    let up = move |_: web_sys::PointerEvent| last.set_value(None);
    view! {
        <div class="signature">
            <canvas
                class="signature-pad"
                class:signature-disabled=move || disabled.get()
                aria-disabled=move || disabled.get().to_string()
                data-testid=format!("{prefix}-pad")
                data-ink=move || pad.ink.get().to_string()
                node_ref=pad.canvas
                width=PAD_WIDTH
                height=PAD_HEIGHT
                on:pointerdown=down
                on:pointermove=moved
                on:pointerup=up
                on:pointercancel=up
                on:lostpointercapture=move |_| last.set_value(None)
            ></canvas>
            <button
                type="button"
                class="button button-quiet"
                data-testid=format!("{prefix}-clear")
                disabled=move || disabled.get()
                on:click=move |_| pad.clear()
            >
                {move || clear_label.get()}
            </button>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn shown_points_scale_to_canvas_pixels() {
        assert_eq!(
            to_canvas((150.0, 50.0), (300.0, 100.0), (600, 200)),
            (300.0, 100.0)
        );
        assert_eq!(
            to_canvas((10.0, 20.0), (0.0, 0.0), (600, 200)),
            (10.0, 20.0)
        );
    }

    #[wasm_bindgen_test]
    fn only_png_data_urls_decode() {
        assert_eq!(
            png_from_data_url("data:image/png;base64,iVBORw=="),
            Some(vec![0x89, b'P', b'N', b'G'])
        );
        assert_eq!(png_from_data_url("data:image/jpeg;base64,iVBORw=="), None);
        assert_eq!(png_from_data_url("data:image/png;base64,***"), None);
    }

    #[wasm_bindgen_test]
    fn a_drawn_pad_gives_a_png_and_clearing_empties_it() {
        let document = web_sys::window().unwrap().document().unwrap();
        let host = document.create_element("div").unwrap();
        document.body().unwrap().append_child(&host).unwrap();
        let element: web_sys::HtmlElement = host.clone().unchecked_into();
        let pad = StoredValue::new_local(None::<Pad>);
        let handle = mount_to(element, move || {
            let made = Pad::new();
            pad.set_value(Some(made));
            view! { <SignaturePad pad=made prefix="sign-test" disabled=false clear_label="clear".to_string() /> }
        });
        let pad = pad.get_value().unwrap();
        let canvas: HtmlCanvasElement = host
            .query_selector("[data-testid=sign-test-pad]")
            .unwrap()
            .unwrap()
            .unchecked_into();
        assert_eq!(pad.png(), None, "an empty pad signs nothing");
        // The mount effect that whitens the pad runs later; clear now.
        pad.clear();
        let blank_png = canvas_png(&canvas).unwrap();
        stroke(&canvas, (20.0, 100.0), (580.0, 120.0));
        stroke(&canvas, (300.0, 20.0), (310.0, 180.0));
        pad.ink.set(true);
        let png = pad.png().expect("a drawn pad gives a PNG");
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(roundbook_shared::blob::image_type(&png), Some("image/png"));
        assert!(png != blank_png, "the strokes are in the image");
        assert!((png.len() as u64) < roundbook_shared::blob::MAX_PHOTO_BYTES);
        // The width and height in the IHDR chunk.
        assert_eq!(
            u32::from_be_bytes(png[16..20].try_into().unwrap()),
            PAD_WIDTH
        );
        assert_eq!(
            u32::from_be_bytes(png[20..24].try_into().unwrap()),
            PAD_HEIGHT
        );
        pad.clear();
        assert_eq!(pad.png(), None);
        assert!(
            canvas_png(&canvas).unwrap() == blank_png,
            "cleared to white"
        );
        drop(handle);
        host.remove();
    }
}
