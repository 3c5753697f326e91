//! Picking photos for a record that is being written: the camera / file
//! input, each picture downscaled ([`crate::photo`]) and stored on the tablet
//! ([`crate::blobs`]) as soon as it is picked, thumbnails of the stored ones,
//! and at most [`MAX_PHOTOS`] of them.
//!
//! The form that writes the record owns the [`PickedPhotos`], saves only
//! their hashes, and must not save while a picture is still being stored
//! ([`PickedPhotos::processing`]): a record never refers to a photo the
//! tablet does not hold. Problems are handed to the form, which says them in
//! its own words. This module neither saves records nor loads photos for
//! display (that is [`super::photo::Photo`]).

use leptos::prelude::*;
use leptos::task::spawn_local;
use roundbook_shared::schema::finding::MAX_PHOTOS;
use wasm_bindgen::JsCast;

use super::photo::Photo;
use super::WorkspaceRef;
use crate::blobs::BlobError;
use crate::browser;
use crate::i18n::{I18n, Key};
use crate::photo::{downscale, PhotoError};

/// A picked photo, already stored on the tablet.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Picked {
    hash: String,
    /// Sizes before and after downscaling, shown on the thumbnail for tests.
    original_bytes: usize,
    stored_bytes: usize,
}

/// Why a picked picture was not added.
#[derive(Debug)]
pub enum PickProblem {
    /// More pictures were picked than there is room for; the first ones
    /// that fit are added.
    TooMany,
    /// The picture could not be read or downscaled.
    Photo(PhotoError),
    /// The downscaled picture could not be stored on the tablet.
    Store(BlobError),
}

impl PickProblem {
    /// Whether a picture itself failed (rather than there being too many).
    pub fn failed(&self) -> bool {
        !matches!(self, PickProblem::TooMany)
    }
}

/// The photos picked for one record, and how many are still being stored.
/// Cheap to copy; created by the form that saves the record.
#[derive(Clone, Copy)]
pub struct PickedPhotos {
    list: RwSignal<Vec<Picked>>,
    processing: RwSignal<usize>,
}

impl Default for PickedPhotos {
    fn default() -> Self {
        PickedPhotos {
            list: RwSignal::new(Vec::new()),
            processing: RwSignal::new(0),
        }
    }
}

impl PickedPhotos {
    pub fn new() -> Self {
        Self::default()
    }

    /// The stored photos' hashes, for the record about to be saved.
    pub fn hashes_untracked(self) -> Vec<String> {
        self.list
            .with_untracked(|list| list.iter().map(|p| p.hash.clone()).collect())
    }

    /// Whether a picture is still being downscaled or stored (tracked): the
    /// record waits for it.
    pub fn processing(self) -> bool {
        self.processing.get() > 0
    }

    pub fn processing_untracked(self) -> bool {
        self.processing.get_untracked() > 0
    }

    /// How many more pictures may be picked, counting those on their way.
    fn room_untracked(self) -> usize {
        MAX_PHOTOS
            .saturating_sub(self.list.with_untracked(Vec::len) + self.processing.get_untracked())
    }

    fn has_room(self) -> bool {
        self.list.with(Vec::len) + self.processing.get() < MAX_PHOTOS
    }
}

/// The submit handler of a form that saves a record with photos: `save`
/// runs only while no save runs and every picked picture is stored, so a
/// record never refers to a photo the tablet does not hold.
pub fn submit_with_photos(
    photos: PickedPhotos,
    saving: Memo<bool>,
    save: impl Fn() + 'static,
) -> impl Fn(leptos::ev::SubmitEvent) + 'static {
    move |event| {
        event.prevent_default();
        if saving.get_untracked() || photos.processing_untracked() {
            return;
        }
        save();
    }
}

/// An `on_problem` for a form that says only that a picture failed (`tell`);
/// too many pictures and the start of a pick say nothing there.
pub fn when_failed(
    tell: impl Fn() + Copy + Send + Sync + 'static,
) -> impl Fn(Option<PickProblem>) + Copy + Send + Sync + 'static {
    move |picked| {
        if picked.is_some_and(|p| p.failed()) {
            tell();
        }
    }
}

/// Downscales `file` and stores it in `zone`'s blobs.
async fn store(
    blobs: crate::blobs::Blobs,
    zone: String,
    file: web_sys::File,
) -> Result<Picked, PickProblem> {
    let photo = downscale(&file).await.map_err(PickProblem::Photo)?;
    let stored_bytes = photo.bytes.len();
    let hash = blobs
        .store(&zone, photo.bytes, browser::now_ms())
        .await
        .map_err(PickProblem::Store)?;
    Ok(Picked {
        hash,
        original_bytes: photo.original_bytes,
        stored_bytes,
    })
}

/// The thumbnails of the picked photos and the "add" button while there is
/// room. Test ids: `{testid}-input`, `{testid}-thumb` (`data-hash`,
/// `data-original-bytes`, `data-stored-bytes`) and `{testid}-remove`.
#[component]
pub fn PhotoPicker(
    workspace: WorkspaceRef,
    /// Whose blobs the photos are stored in: a zone, or the site's.
    #[prop(into)]
    zone: Signal<String>,
    photos: PickedPhotos,
    /// The add button's text.
    label: Key,
    testid: &'static str,
    /// The remove button's title; without it a picked photo stays.
    #[prop(optional)]
    remove_title: Option<Key>,
    /// Told `None` when a new pick starts, then each problem as it happens.
    on_problem: impl Fn(Option<PickProblem>) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = I18n::get();
    let add_photos = move |event: leptos::ev::Event| {
        let Some(input) = event
            .target()
            .and_then(|target| target.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(files) = input.files() else { return };
        let room = photos.room_untracked();
        on_problem(None);
        if files.length() as usize > room {
            on_problem(Some(PickProblem::TooMany));
        }
        let picked: Vec<web_sys::File> = (0..files.length())
            .filter_map(|index| files.get(index))
            .take(room)
            .collect();
        // The same picture may be picked again after removing it.
        input.set_value("");
        let (blobs, zone) = (
            workspace.with_value(|ws| ws.blobs.clone()),
            zone.get_untracked(),
        );
        for file in picked {
            photos.processing.update(|n| *n += 1);
            let (blobs, zone) = (blobs.clone(), zone.clone());
            spawn_local(async move {
                let result = store(blobs, zone, file).await;
                photos.processing.try_update(|n| *n -= 1);
                match result {
                    Ok(picked) => {
                        photos.list.try_update(|list| {
                            if !list.iter().any(|p| p.hash == picked.hash) {
                                list.push(picked);
                            }
                        });
                    }
                    Err(problem) => on_problem(Some(problem)),
                }
            });
        }
    };
    let thumb = move |picked: Picked| {
        let hash = picked.hash.clone();
        let remove = remove_title.map(|title| {
            view! {
                <button
                    type="button"
                    class="button button-quiet thumb-remove"
                    data-testid=format!("{testid}-remove")
                    title=move || i18n.t(title)
                    on:click=move |_| photos.list.update(|list| list.retain(|p| p.hash != hash))
                >
                    "×"
                </button>
            }
        });
        view! {
            <figure
                class="thumb"
                data-testid=format!("{testid}-thumb")
                data-hash=picked.hash.clone()
                data-original-bytes=picked.original_bytes.to_string()
                data-stored-bytes=picked.stored_bytes.to_string()
            >
                <Photo workspace zone=zone.get_untracked() hash=picked.hash.clone() />
                {remove}
            </figure>
        }
    };
    view! {
        <div class="thumbs">
            <For each=move || photos.list.get() key=|picked| picked.hash.clone() children=thumb />
            <Show when=move || photos.has_room()>
                <label class="button thumb-add">
                    {move || i18n.t(label)} " +"
                    <input
                        type="file"
                        class="visually-hidden"
                        data-testid=format!("{testid}-input")
                        accept="image/*"
                        capture="environment"
                        multiple
                        on:change=add_photos
                    />
                </label>
            </Show>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use roundbook_shared::domain::Role;
    use wasm_bindgen::JsValue;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;
    use crate::ui::testing::{attr, find, has, mount, until};

    /// Picks files into `input` as the browser does: `pictures` PNGs of
    /// 400×300 (all the same picture) and, if `text`, one file that is no
    /// picture.
    async fn pick(input: &web_sys::HtmlElement, pictures: u32, text: bool) {
        let pick = js_sys::Function::new_with_args(
            "input, pictures, text",
            "const canvas = new OffscreenCanvas(400, 300);
             const context = canvas.getContext('2d');
             context.fillStyle = '#c33'; context.fillRect(0, 0, 200, 300);
             context.fillStyle = '#3c3'; context.fillRect(200, 0, 200, 300);
             return canvas.convertToBlob({ type: 'image/png' }).then((png) => {
                 const files = new DataTransfer();
                 for (let i = 0; i < pictures; i++) {
                     files.items.add(new File([png], `photo-${i}.png`, { type: 'image/png' }));
                 }
                 if (text) {
                     files.items.add(new File(['not a picture'], 'note.png', { type: 'image/png' }));
                 }
                 input.files = files.files;
                 input.dispatchEvent(new Event('change'));
             });",
        );
        let promise = pick
            .call3(&JsValue::NULL, input, &pictures.into(), &text.into())
            .unwrap();
        wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(promise))
            .await
            .unwrap();
    }

    /// A picked picture is stored and shown with its sizes and can be
    /// removed; a file that is no picture is reported; picking more than
    /// the room left reports "too many" and adds only what fits.
    #[wasm_bindgen_test]
    async fn pictures_are_stored_shown_removed_and_limited() {
        let (host, handle) = mount(vec![Role::Guard], |workspace| {
            let photos = PickedPhotos::new();
            let problems = RwSignal::new(Vec::<String>::new());
            let on_problem = move |problem: Option<PickProblem>| match problem {
                None => problems.set(Vec::new()),
                Some(problem) => problems.update(|list| list.push(format!("{problem:?}"))),
            };
            view! {
                <PhotoPicker
                    workspace
                    zone="A".to_string()
                    photos
                    label=Key::FindingPhotos
                    testid="test-photo"
                    remove_title=Key::FindingRemovePhoto
                    on_problem
                />
                <p data-testid="problems">{move || problems.get().join(";")}</p>
                <p data-testid="state" data-processing=move || photos.processing().to_string()></p>
            }
            .into_any()
        })
        .await;
        let has = |selector: &str| has(&host, selector);
        let problems = || {
            find(&host, "[data-testid=problems]")
                .text_content()
                .unwrap()
        };
        let idle =
            || attr(&host, "[data-testid=state]", "data-processing").as_deref() == Some("false");

        pick(&find(&host, "[data-testid=test-photo-input]"), 1, false).await;
        until(|| has("[data-testid=test-photo-thumb]")).await;
        let thumb = "[data-testid=test-photo-thumb]";
        let hash = attr(&host, thumb, "data-hash").unwrap();
        assert!(roundbook_shared::blob::is_hash(&hash), "{hash}");
        let original: usize = attr(&host, thumb, "data-original-bytes")
            .unwrap()
            .parse()
            .unwrap();
        let stored: usize = attr(&host, thumb, "data-stored-bytes")
            .unwrap()
            .parse()
            .unwrap();
        assert!(original > 0 && stored > 0, "{original} {stored}");
        assert_eq!(problems(), "");
        assert!(idle());

        find(&host, "[data-testid=test-photo-remove]").click();
        until(|| !has(thumb)).await;
        assert!(!has(thumb));

        pick(&find(&host, "[data-testid=test-photo-input]"), 0, true).await;
        until(|| !problems().is_empty()).await;
        assert!(
            problems().starts_with("Photo(NotAnImage)"),
            "{}",
            problems()
        );
        assert!(!has(thumb));

        pick(
            &find(&host, "[data-testid=test-photo-input]"),
            MAX_PHOTOS as u32 + 1,
            false,
        )
        .await;
        until(|| has(thumb) && idle()).await;
        assert_eq!(problems(), "TooMany", "one report, and no picture failed");
        assert_eq!(
            host.query_selector_all(thumb).unwrap().length(),
            1,
            "the same picture is kept once"
        );
        drop(handle);
        host.remove();
    }
}
