//! The resident's signature pad: a `<canvas>` drawn on with a finger or a
//! stylus (pointer events), cleared with one button, and stored as a PNG
//! blob like a photo ([`crate::blobs`]) when the work is recorded. A
//! signature over [`MAX_SIGNATURE_BYTES`] is refused and nothing is stored.
//!
//! Test ids: `order-signature-pad` (the canvas, with `data-signed`),
//! `order-signature-clear`.

use leptos::html::Canvas;
use leptos::prelude::*;
use roundbook_shared::schema::work_order::MAX_SIGNATURE_BYTES;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, PointerEvent};

use crate::i18n::{I18n, Key};

/// The pad's canvas and whether anything was drawn. Cheap to copy.
#[derive(Clone, Copy)]
pub struct Signed {
    canvas: NodeRef<Canvas>,
    inked: RwSignal<bool>,
    drawing: RwSignal<bool>,
}

impl Signed {
    pub fn new() -> Signed {
        Signed {
            canvas: NodeRef::new(),
            inked: RwSignal::new(false),
            drawing: RwSignal::new(false),
        }
    }

    /// Stores the drawn signature in `zone`'s blobs: its hash and size, or
    /// `None` when nothing was drawn; a message key when it is too big or
    /// could not be stored.
    pub async fn store(
        self,
        blobs: &crate::blobs::Blobs,
        zone: &str,
    ) -> Result<Option<(String, u64)>, Key> {
        if !self.inked.get_untracked() {
            return Ok(None);
        }
        let Some(canvas) = self.canvas.get_untracked() else {
            return Ok(None);
        };
        let bytes = crate::photo::encode(&canvas, "image/png", None)
            .await
            .map_err(|_| Key::WoErrPhoto)?;
        let size = bytes.len() as u64;
        if size > MAX_SIGNATURE_BYTES {
            return Err(Key::WoErrSignature);
        }
        let hash = blobs
            .store(zone, bytes, crate::browser::now_ms())
            .await
            .map_err(|_| Key::WoErrPhoto)?;
        Ok(Some((hash, size)))
    }
}

fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok().flatten()?.dyn_into().ok()
}

/// The event's position in the canvas's own pixels (the canvas may be
/// shown smaller or larger than it is).
fn point(canvas: &HtmlCanvasElement, event: &PointerEvent) -> (f64, f64) {
    let scale_x = f64::from(canvas.width()) / f64::from(canvas.client_width().max(1));
    let scale_y = f64::from(canvas.height()) / f64::from(canvas.client_height().max(1));
    (
        f64::from(event.offset_x()) * scale_x,
        f64::from(event.offset_y()) * scale_y,
    )
}

#[component]
pub fn SignaturePad(signed: Signed) -> impl IntoView {
    let i18n = I18n::get();
    let canvas = signed.canvas;
    let with_canvas = move |f: &dyn Fn(&HtmlCanvasElement, &CanvasRenderingContext2d)| {
        if let Some(element) = canvas.get_untracked() {
            if let Some(ctx) = context(&element) {
                f(&element, &ctx);
            }
        }
    };
    let down = move |event: PointerEvent| {
        event.prevent_default();
        with_canvas(&|element, ctx| {
            let (x, y) = point(element, &event);
            ctx.set_line_width(3.0);
            ctx.set_line_cap("round");
            ctx.set_stroke_style_str("#111");
            ctx.begin_path();
            ctx.move_to(x, y);
        });
        signed.drawing.set(true);
    };
    let moved = move |event: PointerEvent| {
        if !signed.drawing.get_untracked() {
            return;
        }
        event.prevent_default();
        with_canvas(&|element, ctx| {
            let (x, y) = point(element, &event);
            ctx.line_to(x, y);
            ctx.stroke();
        });
        signed.inked.set(true);
    };
    let up = move |_: PointerEvent| signed.drawing.set(false);
    let clear = move |_| {
        with_canvas(&|element, ctx| {
            ctx.clear_rect(
                0.0,
                0.0,
                f64::from(element.width()),
                f64::from(element.height()),
            );
        });
        signed.inked.set(false);
    };
    view! {
        <div class="signature-pad">
            <p class="muted">{move || i18n.label(Key::WoSignature)} {move || i18n.t(Key::WoSignatureHint)}</p>
            <canvas
                node_ref=canvas
                width="600"
                height="200"
                class="signature-canvas"
                data-testid="order-signature-pad"
                data-signed=move || signed.inked.get().to_string()
                on:pointerdown=down
                on:pointermove=moved
                on:pointerup=up
                on:pointerleave=up
            ></canvas>
            <button class="button button-quiet" type="button" data-testid="order-signature-clear" on:click=clear>
                {move || i18n.t(Key::WoSignatureClear)}
            </button>
        </div>
    }
}
