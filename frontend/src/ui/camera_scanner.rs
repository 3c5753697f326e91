//! The camera scanner: the rear camera's picture, read for QR codes every
//! [`FRAME_INTERVAL_MS`] while it is on. Each text read is handed to the
//! screen using it (a guard's round, the sign-in screen), which decides
//! what it means; this component records nothing.
//!
//! The camera is stopped (its tracks ended, the light off) when the user
//! stops it, when `enabled` turns false, and when the screen is left. A
//! refused or missing camera shows a message; typing still works.

use leptos::html::Video;
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::MediaStream;

use crate::camera::{open_rear_camera, stop, CameraError, FrameReader, FRAME_INTERVAL_MS};
use crate::i18n::{I18n, Key};

#[component]
pub(crate) fn CameraScanner(
    /// Whether the camera may run (false once the round is complete or ended).
    #[prop(into)]
    enabled: Signal<bool>,
    /// Called with the text of every QR code read, frame after frame.
    on_text: Callback<String>,
    /// Opens the camera at once, without the start button's tap (the user
    /// already asked to scan).
    #[prop(optional)]
    autostart: bool,
) -> impl IntoView {
    let i18n = I18n::get();
    let video = NodeRef::<Video>::new();
    let running = RwSignal::new(false);
    let opening = RwSignal::new(false);
    let problem = RwSignal::new(None::<Key>);
    let decode_ms = RwSignal::new(None::<f64>);
    let stream = StoredValue::new_local(None::<MediaStream>);
    let timer = StoredValue::new_local(None::<IntervalHandle>);

    let shut = move || {
        if let Some(handle) = timer.try_update_value(Option::take).flatten() {
            handle.clear();
        }
        if let Some(live) = stream.try_update_value(Option::take).flatten() {
            stop(&live);
        }
        if let Some(video) = video.try_get_untracked().flatten() {
            video.set_src_object(None);
        }
        running.try_set(false);
    };

    let begin = move || {
        if opening.get_untracked() || running.get_untracked() {
            return;
        }
        opening.set(true);
        problem.set(None);
        spawn_local(async move {
            let opened = open_rear_camera().await;
            opening.try_set(false);
            let live = match opened {
                Ok(live) => live,
                Err(error) => {
                    problem.try_set(Some(match error {
                        CameraError::Refused => Key::CameraRefused,
                        CameraError::Unavailable => Key::CameraUnavailable,
                    }));
                    return;
                }
            };
            // The screen may have been left, or the round completed, meanwhile.
            let Some(element) = video.try_get_untracked().flatten() else {
                stop(&live);
                return;
            };
            if !enabled.try_get_untracked().unwrap_or(false) {
                stop(&live);
                return;
            }
            element.set_src_object(Some(&live));
            if let Ok(playing) = element.play() {
                let _ = wasm_bindgen_futures::JsFuture::from(playing).await;
            }
            stream.set_value(Some(live));
            running.set(true);
            let Some(reader) = FrameReader::new() else {
                return;
            };
            let handle = set_interval_with_handle(
                move || {
                    let Some(element) = video.try_get_untracked().flatten() else {
                        return;
                    };
                    if let Some(read) = reader.read(&element) {
                        decode_ms.set(Some(read.decode_ms));
                        for text in read.texts {
                            on_text.run(text);
                        }
                    }
                },
                std::time::Duration::from_millis(FRAME_INTERVAL_MS),
            );
            timer.set_value(handle.ok());
        });
    };

    Effect::new(move |_| {
        if !enabled.get() {
            shut();
        }
    });
    on_cleanup(shut);
    if autostart {
        // After the first render, so the `<video>` exists.
        request_animation_frame(begin);
    }

    view! {
        <div class="camera">
            <Show
                when=move || running.get()
                fallback=move || view! {
                    <button
                        type="button"
                        class="button button-large"
                        data-testid="camera-start"
                        disabled=move || opening.get() || !enabled.get()
                        on:click=move |_| begin()
                    >
                        {move || i18n.t(Key::CameraStart)}
                    </button>
                }
            >
                <button type="button" class="button" data-testid="camera-stop" on:click=move |_| shut()>
                    {move || i18n.t(Key::CameraStop)}
                </button>
                <p class="muted">{move || i18n.t(Key::CameraHint)}</p>
            </Show>
            <div
                class="camera-view"
                class:camera-off=move || !running.get()
                data-testid="camera-view"
                data-decode-ms=move || decode_ms.get().map(|ms| format!("{ms:.1}"))
            >
                <video node_ref=video autoplay playsinline prop:muted=true></video>
            </div>
            {move || problem.get().map(|key| view! {
                <p class="message message-error" role="status" data-testid="camera-problem">{move || i18n.t(key)}</p>
            })}
        </div>
    }
}
