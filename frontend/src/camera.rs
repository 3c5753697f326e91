//! The rear camera as a QR reader: opening it with `getUserMedia`, grabbing
//! a frame of the `<video>` into a small canvas, and decoding QR codes from
//! the frame's luma with `rqrr`, in WebAssembly.
//!
//! Frames are drawn at most [`FRAME_WIDTH`] pixels wide: enough for a tag
//! held at arm's length, and small enough to decode several times a second
//! on a tablet. This module returns the texts it read; what a text means
//! (a checkpoint tag, another site's, a stranger's) is decided by the caller
//! with `roundbook_shared::tag::read_tag`. It must not record anything.

use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    CanvasRenderingContext2d, HtmlCanvasElement, HtmlVideoElement, MediaStream,
    MediaStreamConstraints, MediaStreamTrack,
};

/// The widest frame decoded, in pixels.
pub const FRAME_WIDTH: u32 = 640;
/// How often a frame is read while the camera is on.
pub const FRAME_INTERVAL_MS: u64 = 150;
/// `HTMLMediaElement.HAVE_CURRENT_DATA`: the video has a frame to draw.
const HAVE_CURRENT_DATA: u16 = 2;

/// Why the camera could not be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CameraError {
    /// The user or the browser's policy refused the camera.
    Refused,
    /// No camera, or the page is not allowed to ask (not a secure context).
    Unavailable,
}

/// Asks for the rear camera. On a tablet `facingMode: "environment"` picks
/// the back camera; elsewhere the browser gives whatever camera it has.
pub async fn open_rear_camera() -> Result<MediaStream, CameraError> {
    let devices = web_sys::window()
        .ok_or(CameraError::Unavailable)?
        .navigator()
        .media_devices()
        .map_err(|_| CameraError::Unavailable)?;
    let video = Object::new();
    Reflect::set(&video, &"facingMode".into(), &"environment".into())
        .map_err(|_| CameraError::Unavailable)?;
    let constraints = MediaStreamConstraints::new();
    constraints.set_video(&video);
    constraints.set_audio(&JsValue::FALSE);
    let asking = devices
        .get_user_media_with_constraints(&constraints)
        .map_err(|_| CameraError::Unavailable)?;
    match JsFuture::from(asking).await {
        Ok(stream) => Ok(stream.unchecked_into()),
        Err(error) => {
            let name = Reflect::get(&error, &"name".into())
                .ok()
                .and_then(|name| name.as_string())
                .unwrap_or_default();
            Err(match name.as_str() {
                "NotAllowedError" | "SecurityError" => CameraError::Refused,
                _ => CameraError::Unavailable,
            })
        }
    }
}

/// Stops every track of a stream: the camera light goes off.
pub fn stop(stream: &MediaStream) {
    for track in stream.get_tracks().iter() {
        if let Ok(track) = track.dyn_into::<MediaStreamTrack>() {
            track.stop();
        }
    }
}

/// The texts of the QR codes found in one frame, and how long decoding took.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameRead {
    pub texts: Vec<String>,
    /// Luma extraction, detection and decoding, in milliseconds.
    pub decode_ms: f64,
}

/// Reads frames of a playing `<video>` through a canvas it keeps.
pub struct FrameReader {
    canvas: HtmlCanvasElement,
    context: CanvasRenderingContext2d,
}

impl FrameReader {
    pub fn new() -> Option<FrameReader> {
        let document = web_sys::window()?.document()?;
        let canvas: HtmlCanvasElement = document.create_element("canvas").ok()?.unchecked_into();
        let options = Object::new();
        // Frames are read back every time: keep the canvas in memory, not on the GPU.
        Reflect::set(&options, &"willReadFrequently".into(), &JsValue::TRUE).ok()?;
        let context = canvas
            .get_context_with_context_options("2d", &options)
            .ok()??
            .unchecked_into();
        Some(FrameReader { canvas, context })
    }

    /// Draws the video's current frame and decodes it. `None` while the
    /// video has no frame yet.
    pub fn read(&self, video: &HtmlVideoElement) -> Option<FrameRead> {
        let (video_width, video_height) = (video.video_width(), video.video_height());
        if video.ready_state() < HAVE_CURRENT_DATA || video_width == 0 || video_height == 0 {
            return None;
        }
        let width = video_width.min(FRAME_WIDTH);
        let height =
            ((u64::from(video_height) * u64::from(width)) / u64::from(video_width)).max(1) as u32;
        if self.canvas.width() != width || self.canvas.height() != height {
            self.canvas.set_width(width);
            self.canvas.set_height(height);
        }
        let (w, h) = (f64::from(width), f64::from(height));
        self.context
            .draw_image_with_html_video_element_and_dw_and_dh(video, 0.0, 0.0, w, h)
            .ok()?;
        let started = now_ms();
        let rgba = self.context.get_image_data(0.0, 0.0, w, h).ok()?.data();
        let luma = luma_of_rgba(&rgba);
        let texts = decode_luma(&luma, width as usize, height as usize);
        Some(FrameRead {
            texts,
            decode_ms: now_ms() - started,
        })
    }
}

/// `performance.now()`, or the wall clock where there is none.
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|window| window.performance())
        .map_or_else(js_sys::Date::now, |performance| performance.now())
}

/// Luma (BT.601, integer weights) of RGBA pixels.
pub fn luma_of_rgba(rgba: &[u8]) -> Vec<u8> {
    rgba.chunks_exact(4)
        .map(|pixel| {
            let (r, g, b) = (
                u32::from(pixel[0]),
                u32::from(pixel[1]),
                u32::from(pixel[2]),
            );
            ((77 * r + 150 * g + 29 * b) >> 8) as u8
        })
        .collect()
}

/// The texts of every QR code `rqrr` finds and decodes in a `width` x
/// `height` luma image. Codes that fail to decode are skipped.
pub fn decode_luma(luma: &[u8], width: usize, height: usize) -> Vec<String> {
    if width == 0 || height == 0 || luma.len() < width * height {
        return Vec::new();
    }
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| luma[y * width + x]);
    image
        .detect_grids()
        .into_iter()
        .filter_map(|grid| grid.decode().ok().map(|(_, text)| text))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::{console_log, wasm_bindgen_test};

    /// A 640 x 480 luma frame showing the QR code of `text`, black on white,
    /// like the fake camera of the end-to-end test.
    fn frame(text: &str) -> (Vec<u8>, usize, usize) {
        let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M).unwrap();
        let modules = code.width();
        let colors = code.to_colors();
        let (width, height) = (640usize, 480usize);
        let quiet = 4;
        let scale = (height * 8 / 10) / (modules + 2 * quiet);
        let left = (width - (modules + 2 * quiet) * scale) / 2;
        let top = (height - (modules + 2 * quiet) * scale) / 2;
        let mut luma = vec![235u8; width * height];
        for row in 0..modules {
            for col in 0..modules {
                if colors[row * modules + col] != qrcode::Color::Dark {
                    continue;
                }
                for y in 0..scale {
                    let start =
                        (top + (row + quiet) * scale + y) * width + left + (col + quiet) * scale;
                    luma[start..start + scale].fill(16);
                }
            }
        }
        (luma, width, height)
    }

    /// Lets the page breathe between frames: the test runner polls it.
    async fn yield_to_browser() {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            web_sys::window()
                .unwrap()
                .set_timeout_with_callback(&resolve)
                .unwrap();
        });
        wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
    }

    #[wasm_bindgen_test]
    async fn decodes_a_checkpoint_tag_and_reports_the_time_per_frame() {
        let text = roundbook_shared::tag::tag_text("demo", "A-01");
        let (luma, width, height) = frame(&text);
        let frames = 5;
        let mut total = 0.0;
        for _ in 0..frames {
            yield_to_browser().await;
            let started = now_ms();
            assert_eq!(decode_luma(&luma, width, height), vec![text.clone()]);
            total += now_ms() - started;
        }
        let per_frame = total / f64::from(frames);
        let build = if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        };
        console_log!(
            "figure: QR decode of a {width}x{height} frame ({build} build): {per_frame:.1} ms per frame"
        );

        // A frame without a code decodes to nothing.
        yield_to_browser().await;
        let blank = vec![235u8; width * height];
        assert!(decode_luma(&blank, width, height).is_empty());
        assert!(decode_luma(&luma[..10], width, height).is_empty());
    }

    #[wasm_bindgen_test]
    fn luma_weights_green_most() {
        let rgba = [
            255, 255, 255, 255, 0, 0, 0, 255, 0, 255, 0, 255, 255, 0, 0, 255,
        ];
        assert_eq!(luma_of_rgba(&rgba), vec![255, 0, 149, 76]);
    }
}
