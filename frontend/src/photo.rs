//! Downscaling a photo on the tablet before it is stored: the browser decodes
//! the picked file, a canvas draws it with its long edge at most
//! [`MAX_EDGE`] pixels, and it is encoded again as JPEG at [`JPEG_QUALITY`].
//!
//! Re-encoding also drops the file's metadata (location and the like), so
//! what is kept and uploaded is only the picture. This module only converts
//! bytes: it stores nothing (that is [`crate::blobs`]) and shows nothing.

use js_sys::{Array, Function, Promise, Uint8Array};
use roundbook_shared::blob::{image_type, MAX_PHOTO_BYTES};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, CanvasRenderingContext2d, HtmlCanvasElement, ImageBitmap};

/// The longest edge of a stored photo, in pixels.
pub const MAX_EDGE: u32 = 1600;
/// JPEG quality of a stored photo.
pub const JPEG_QUALITY: f64 = 0.8;

/// A photo ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Downscaled {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// The size of the picked file.
    pub original_bytes: usize,
}

/// Why a picked file did not become a photo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhotoError {
    /// The browser could not decode it as a picture.
    NotAnImage,
    /// Even downscaled it is over the size limit.
    TooLarge,
    /// The canvas failed (out of memory, or the browser lacks an API).
    Failed(String),
}

/// The size a `width` x `height` picture is drawn at: the long edge at most
/// [`MAX_EDGE`], never enlarged, at least one pixel each way.
pub fn fitted(width: u32, height: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= MAX_EDGE || long == 0 {
        return (width.max(1), height.max(1));
    }
    let scale = f64::from(MAX_EDGE) / f64::from(long);
    let size = |edge: u32| ((f64::from(edge) * scale).round() as u32).clamp(1, MAX_EDGE);
    (size(width), size(height))
}

/// Decodes `file` (any picture the browser reads) and returns it downscaled
/// as JPEG.
pub async fn downscale(file: &Blob) -> Result<Downscaled, PhotoError> {
    let original_bytes = file.size() as usize;
    let window = web_sys::window().ok_or_else(|| failed("no window"))?;
    let decoding = window
        .create_image_bitmap_with_blob(file)
        .map_err(|_| PhotoError::NotAnImage)?;
    let bitmap: ImageBitmap = JsFuture::from(decoding)
        .await
        .map_err(|_| PhotoError::NotAnImage)?
        .unchecked_into();
    let (width, height) = fitted(bitmap.width(), bitmap.height());
    let drawn = draw(&bitmap, width, height);
    bitmap.close();
    let canvas = drawn?;
    let bytes = encode(&canvas, "image/jpeg", Some(JPEG_QUALITY)).await?;
    if image_type(&bytes) != Some("image/jpeg") {
        return Err(failed("the canvas did not produce a JPEG"));
    }
    if bytes.len() as u64 > MAX_PHOTO_BYTES {
        return Err(PhotoError::TooLarge);
    }
    Ok(Downscaled {
        bytes,
        width,
        height,
        original_bytes,
    })
}

fn failed(what: &str) -> PhotoError {
    PhotoError::Failed(what.to_owned())
}

fn draw(bitmap: &ImageBitmap, width: u32, height: u32) -> Result<HtmlCanvasElement, PhotoError> {
    let document = web_sys::window()
        .and_then(|window| window.document())
        .ok_or_else(|| failed("no document"))?;
    let canvas: HtmlCanvasElement = document
        .create_element("canvas")
        .map_err(|_| failed("no canvas"))?
        .unchecked_into();
    canvas.set_width(width);
    canvas.set_height(height);
    let context: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .ok_or_else(|| failed("no 2d context"))?
        .unchecked_into();
    // JPEG has no transparency: transparent parts become white, not black.
    let (w, h) = (f64::from(width), f64::from(height));
    context.set_fill_style_str("#fff");
    context.fill_rect(0.0, 0.0, w, h);
    context
        .draw_image_with_image_bitmap_and_dw_and_dh(bitmap, 0.0, 0.0, w, h)
        .map_err(|error| PhotoError::Failed(format!("{error:?}")))?;
    Ok(canvas)
}

/// `canvas.toBlob(callback, media_type, quality)` as a future of bytes (a
/// JPEG photo here, a PNG signature in `ui::orders::signature`).
pub async fn encode(
    canvas: &HtmlCanvasElement,
    media_type: &str,
    quality: Option<f64>,
) -> Result<Vec<u8>, PhotoError> {
    let mut outcome = Ok(());
    let encoded = Promise::new(&mut |resolve: Function, reject: Function| {
        let callback = wasm_bindgen::closure::Closure::once_into_js(move |blob: JsValue| {
            // `null` when the canvas could not be encoded.
            let _ = if blob.is_instance_of::<Blob>() {
                resolve.call1(&JsValue::NULL, &blob)
            } else {
                reject.call1(&JsValue::NULL, &JsValue::from_str("toBlob gave no blob"))
            };
        });
        outcome = canvas.to_blob_with_type_and_encoder_options(
            callback.unchecked_ref(),
            media_type,
            &quality.map(JsValue::from_f64).unwrap_or(JsValue::UNDEFINED),
        );
    });
    outcome.map_err(|error| PhotoError::Failed(format!("{error:?}")))?;
    let blob: Blob = JsFuture::from(encoded)
        .await
        .map_err(|error| PhotoError::Failed(format!("{error:?}")))?
        .unchecked_into();
    let buffer = JsFuture::from(blob.array_buffer())
        .await
        .map_err(|error| PhotoError::Failed(format!("{error:?}")))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// A browser `Blob` of `bytes` with a media type (for `<img>` object URLs).
pub fn to_blob(bytes: &[u8], media_type: &str) -> Result<Blob, JsValue> {
    let parts = Array::of1(&Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(media_type);
    Blob::new_with_u8_array_sequence_and_options(&parts, &options)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn fits_the_long_edge_and_never_enlarges() {
        assert_eq!(fitted(4000, 3000), (1600, 1200));
        assert_eq!(fitted(3000, 4000), (1200, 1600));
        assert_eq!(fitted(800, 600), (800, 600));
        assert_eq!(fitted(1600, 20), (1600, 20));
        assert_eq!(fitted(10_000, 1), (1600, 1));
    }

    /// A picture drawn on a canvas, as a PNG file would arrive from the camera input.
    async fn png(width: u32, height: u32) -> Blob {
        let document = web_sys::window().unwrap().document().unwrap();
        let canvas: HtmlCanvasElement = document.create_element("canvas").unwrap().unchecked_into();
        canvas.set_width(width);
        canvas.set_height(height);
        let context: CanvasRenderingContext2d =
            canvas.get_context("2d").unwrap().unwrap().unchecked_into();
        for band in 0..8 {
            context.set_fill_style_str(&format!("hsl({} 70% 50%)", band * 45));
            let w = f64::from(width) / 8.0;
            context.fill_rect(w * f64::from(band), 0.0, w, f64::from(height));
        }
        let mut blob = None;
        let promise = Promise::new(&mut |resolve: Function, _reject: Function| {
            let callback = wasm_bindgen::closure::Closure::once_into_js(move |value: JsValue| {
                let _ = resolve.call1(&JsValue::NULL, &value);
            });
            canvas.to_blob(callback.unchecked_ref()).unwrap();
        });
        if let Ok(value) = JsFuture::from(promise).await {
            blob = Some(value.unchecked_into::<Blob>());
        }
        blob.unwrap()
    }

    #[wasm_bindgen_test]
    async fn downscales_large_pictures_to_jpeg() {
        let file = png(2400, 1800).await;
        let photo = downscale(&file).await.unwrap();
        assert_eq!((photo.width, photo.height), (1600, 1200));
        assert_eq!(image_type(&photo.bytes), Some("image/jpeg"));
        assert_eq!(photo.original_bytes, file.size() as usize);

        let not_a_picture = to_blob(b"hello, not a picture", "image/png").unwrap();
        assert_eq!(
            downscale(&not_a_picture).await.unwrap_err(),
            PhotoError::NotAnImage
        );
    }
}
