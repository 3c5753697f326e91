//! The screens. [`App`] decides between loading, sign-in and the signed-in
//! shell; each submodule is one component with one job.
//!
//! Components render state and forward user actions to the feature modules
//! ([`crate::patrol`], [`crate::requests`], ...), [`crate::sync`] and
//! [`crate::session`]; they hold no rules of their own and never touch
//! IndexedDB or the network directly, except that the app shell starts and
//! ends a signed-in [`Workspace`].
//!
//! Writes: a screen runs each feature write as a Leptos [`Action`]
//! (`Action::new_local`), whose `pending()` disables the form while it
//! saves. The feature stores the change and tells sync itself (through
//! [`Writer`]); a screen never tells sync, and maps the feature's typed
//! refusals to messages with a `match` on them.

mod admin;
mod board;
mod camera_scanner;
pub(crate) mod chart;
mod cleaning;
mod duty;
mod export;
mod field;
mod form;
mod gate;
mod guard;
mod header;
mod history;
mod home;
mod keys;
mod orders;
mod password;
mod personal_data;
pub mod photo;
mod photo_picker;
mod reports;
mod requests;
mod residents;
mod scan_list;
mod select;
mod setup;
mod sign_in;
mod sync_indicator;
mod tags;
#[cfg(test)]
pub(crate) mod testing;
mod zone_cards;

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use roundbook_shared::api::LoginResponse;
use roundbook_shared::domain::ZoneRef;
use roundbook_shared::ids::random_peer_id;

use crate::api::ApiError;
use crate::browser;
use crate::calendar::today;
use crate::device_report::DeviceReporter;
use crate::documents::{keys_for_day, Library};
use crate::i18n::{filled, too_many_attempts, I18n, Key, Lang};
use crate::session::{Actor, Session};
use crate::storage::Storage;
use crate::sync::{Drained, SyncClient, SyncStatus};
use crate::wipe::{self, TabletUser};
use crate::writer::Writer;

/// How long a session signed out remotely may take to upload what it holds
/// before its data is deleted anyway.
const LAST_UPLOAD: std::time::Duration = std::time::Duration::from_secs(120);
/// How long a sign-out waits for pending changes to upload while online.
const SIGN_OUT_UPLOAD: std::time::Duration = std::time::Duration::from_secs(20);

/// Everything a signed-in screen needs. Lives in a local [`StoredValue`], so
/// views can reach it from `Send` closures.
#[derive(Clone)]
pub struct Workspace {
    pub session: Session,
    /// For reading; every write goes through `writer`.
    pub library: Rc<Library>,
    /// The one write path: stores a change, then tells sync.
    pub writer: Writer,
    pub sync: SyncClient,
    pub device: String,
    /// Photo blobs and their upload queue.
    pub blobs: crate::blobs::Blobs,
}

/// The signed-in workspace handle given to components.
pub type WorkspaceRef = StoredValue<Workspace, LocalStorage>;

/// The signed-in user on this tablet, as the author of what they record.
pub(crate) fn actor(workspace: WorkspaceRef) -> Actor {
    workspace.with_value(|ws| Actor {
        username: ws.session.username().to_owned(),
        name: ws.session.display_name().to_owned(),
        device: ws.device.clone(),
    })
}

/// The tablet's clock (Unix ms), looked at again every `every` while the
/// calling component is on screen: for screens whose states change with
/// time alone (a round falls due, a key becomes overdue).
pub(crate) fn ticking_clock(every: std::time::Duration) -> RwSignal<i64> {
    let now = RwSignal::new(browser::now_ms());
    if let Ok(handle) = set_interval_with_handle(move || now.set(browser::now_ms()), every) {
        on_cleanup(move || handle.clear());
    }
    now
}

/// What every feature write takes: the writer and the user's site.
pub(crate) fn writer_and_site(workspace: WorkspaceRef) -> (Writer, String) {
    workspace.with_value(|ws| (ws.writer.clone(), ws.session.site_code().to_owned()))
}

/// `read` of each of the user's zones (library, site code, zone), read
/// again whenever the documents change: what whole-site summaries show.
pub(crate) fn every_zone<T>(
    workspace: WorkspaceRef,
    read: impl Fn(&Library, &str, &ZoneRef) -> T + Send + Sync + 'static,
) -> Memo<Vec<T>>
where
    T: PartialEq + Send + Sync + 'static,
{
    let status = expect_context::<SyncStatus>();
    Memo::new(move |_| {
        status.revision.track();
        workspace.with_value(|ws| {
            let site = ws.session.site_code();
            ws.session
                .zones()
                .iter()
                .map(|zone| read(&ws.library, site, zone))
                .collect()
        })
    })
}

/// Where the app is.
#[derive(Clone, Copy)]
enum Phase {
    Loading,
    /// IndexedDB could not be opened (e.g. a private window that refuses it).
    NoStorage,
    SignedOut,
    SignedIn(WorkspaceRef),
}

/// App-wide handles, provided as context.
#[derive(Clone, Copy)]
struct Shell {
    phase: RwSignal<Phase>,
    storage: StoredValue<Option<Storage>, LocalStorage>,
    device: StoredValue<String, LocalStorage>,
    status: SyncStatus,
    photos: crate::blobs::PhotoStatus,
    /// A remote sign-out's last upload and wipe is under way.
    leaving: RwSignal<bool>,
    /// Why the sign-in screen shows, when the user did not choose it.
    notice: RwSignal<Option<Key>>,
    /// The signed-in session's reports to the office (`POST /api/device`).
    reporter: StoredValue<Option<DeviceReporter>, LocalStorage>,
}

impl Shell {
    fn get() -> Shell {
        expect_context::<Shell>()
    }

    /// Opens the session's documents and starts syncing them.
    async fn enter(self, session: Session) {
        let Some(storage) = self.storage.get_value() else {
            return;
        };
        // Whose data may stay if another user of this tablet is signed out remotely.
        if let Err(error) = wipe::remember(&storage, &session).await {
            web_sys::console::error_1(&error.to_string().into());
        }
        // Copies past their keeping (visitors' names and plates) leave the tablet.
        if let Err(error) = crate::retention::forget_expired(&storage, &session, today()).await {
            web_sys::console::error_1(&error.to_string().into());
        }
        let blobs =
            crate::blobs::Blobs::start(storage.clone(), session.token().to_owned(), self.photos);
        let library = Library::new(storage, random_peer_id("tablet"));
        for key in keys_for_day(&session, today()) {
            if let Err(error) = library.add(key).await {
                web_sys::console::error_1(&error.to_string().into());
            }
        }
        self.status.expired.set(false);
        self.status.signed_out_remotely.set(false);
        self.status
            .password_change
            .set(session.must_change_password());
        let sync = SyncClient::start(library.clone(), session.clone(), self.status);
        self.stop_reporting();
        self.reporter.set_value(Some(DeviceReporter::start(
            session.token().to_owned(),
            self.status,
            self.photos,
        )));
        let workspace = Workspace {
            session,
            writer: Writer::new(library.clone(), sync.clone()),
            library,
            sync,
            device: self.device.get_value(),
            blobs,
        };
        self.status.revision.update(|n| *n += 1);
        self.phase
            .set(Phase::SignedIn(StoredValue::new_local(workspace)));
    }

    fn stop_reporting(self) {
        self.reporter.update_value(|reporter| {
            if let Some(mut reporter) = reporter.take() {
                reporter.stop();
            }
        });
    }

    /// A successful sign-in: keep the session, then enter.
    async fn signed_in(self, response: LoginResponse) {
        self.notice.set(None);
        let session = Session(response);
        if let Some(storage) = self.storage.get_value() {
            if let Err(error) = session.save(&storage).await {
                web_sys::console::error_1(&error.to_string().into());
            }
        }
        browser::ask_persistent_storage_once();
        self.enter(session).await;
    }

    /// The user chose a new password: the session no longer asks for one,
    /// here and after a restart, and sync goes on at once.
    fn password_changed(self, workspace: WorkspaceRef) {
        self.status.password_change.set(false);
        workspace.update_value(|ws| ws.session.0.user.must_change_password = false);
        let Workspace { session, sync, .. } = workspace.get_value();
        sync.retry_now();
        let storage = self.storage.get_value();
        spawn_local(async move {
            if let Some(storage) = storage {
                if let Err(error) = session.save(&storage).await {
                    web_sys::console::error_1(&error.to_string().into());
                }
            }
        });
    }

    /// Signs out, first uploading pending changes and photos when online
    /// (at most [`SIGN_OUT_UPLOAD`]): the server takes a record only from
    /// the session of the user it names, so what is left goes only when this
    /// user signs in again. With `remove`, the user's documents and photos
    /// then leave the tablet by [`crate::wipe`]'s rule (nothing another
    /// user of the tablet may read), but only if nothing recorded here still
    /// waits for the server: otherwise everything stays and the sign-in
    /// screen says why.
    fn sign_out(self, workspace: WorkspaceRef, remove: bool) {
        let (session, sync, library) =
            workspace.with_value(|ws| (ws.session.clone(), ws.sync.clone(), ws.library.clone()));
        let storage = self.storage.get_value();
        let expired = self.status.expired.get_untracked();
        let photos = self.photos;
        spawn_local(async move {
            let photos_left = move || photos.pending.get_untracked();
            let waiting = library.pending() + photos_left();
            if waiting > 0 && !expired && browser::is_online() {
                let photos_done = move || photos_left() == 0 || photos.halted.get_untracked();
                sync.drain(SIGN_OUT_UPLOAD, photos_done).await;
            }
            let left = library.pending() + photos_left();
            self.end(workspace);
            if let Some(storage) = storage {
                if remove && left > 0 {
                    self.notice.set(Some(Key::SignOutDataKept));
                } else if remove {
                    let leaving = TabletUser::of(&session);
                    match wipe::forget(&storage, &leaving, library.held_keys(), today()).await {
                        Ok(gone) => web_sys::console::info_1(
                            &format!("signed out and removed: {gone:?}").into(),
                        ),
                        Err(error) => web_sys::console::error_1(&error.to_string().into()),
                    }
                }
                if let Err(error) = storage.clear_session().await {
                    web_sys::console::error_1(&error.to_string().into());
                }
            }
            // Best effort: offline, the token simply expires on the server.
            if !expired {
                let _ = crate::api::logout(session.token()).await;
            }
        });
    }

    /// Whether this tablet is shared: someone else signed in on it and is
    /// still remembered (sign-out then removes the user's data by default).
    async fn is_shared(self, session: &Session) -> bool {
        match self.storage.get_value() {
            Some(storage) => wipe::is_shared(&storage, &TabletUser::of(session))
                .await
                .unwrap_or(false),
            None => false,
        }
    }

    /// Ends the signed-in workspace: syncing, uploads and reports stop, the
    /// sign-in screen shows, and the workspace is freed once the signed-in
    /// screens, which read it, are gone.
    fn end(self, workspace: WorkspaceRef) {
        workspace.with_value(|ws| {
            ws.sync.stop();
            ws.blobs.stop();
        });
        self.stop_reporting();
        self.photos.pending.set(0);
        self.status.connected.set(false);
        self.status.pending.set(0);
        self.phase.set(Phase::SignedOut);
        set_timeout(
            move || workspace.dispose(),
            std::time::Duration::from_secs(1),
        );
    }

    /// The office disabled the user or signed this tablet out. First the
    /// tablet uploads what the server still takes from the session (at most
    /// [`LAST_UPLOAD`]), then it forgets the user's documents and photos by
    /// [`crate::wipe`]'s rule (nothing another user of the tablet may read),
    /// then it shows sign-in with the reason. Screens are closed meanwhile,
    /// so nothing new is recorded into data about to go.
    fn signed_out_remotely(self, workspace: WorkspaceRef) {
        if self.leaving.get_untracked() {
            return;
        }
        self.leaving.set(true);
        self.stop_reporting();
        let Workspace {
            session,
            library,
            sync,
            ..
        } = workspace.get_value();
        let photos = self.photos;
        spawn_local(async move {
            let photos_done =
                move || photos.pending.get_untracked() == 0 || photos.halted.get_untracked();
            let drained = sync.drain(LAST_UPLOAD, photos_done).await;
            self.end(workspace);
            // Changes the server might still take are never deleted: the
            // session stays, and the next start (or sign-in screen) tries again.
            if drained == Drained::Unfinished {
                self.notice.set(Some(Key::SignedOutRemotelyUploadPending));
                self.leaving.set(false);
                return;
            }
            let uploaded = drained == Drained::Uploaded;
            if let Some(storage) = self.storage.get_value() {
                let leaving = TabletUser::of(&session);
                match wipe::forget(&storage, &leaving, library.held_keys(), today()).await {
                    Ok(gone) => web_sys::console::info_1(
                        &format!("signed out remotely: {gone:?} deleted, all uploaded: {uploaded}")
                            .into(),
                    ),
                    Err(error) => web_sys::console::error_1(&error.to_string().into()),
                }
                if let Err(error) = storage.clear_session().await {
                    web_sys::console::error_1(&error.to_string().into());
                }
            }
            self.notice.set(Some(if uploaded {
                Key::SignedOutRemotely
            } else {
                Key::SignedOutRemotelyNotAllUploaded
            }));
            self.leaving.set(false);
        });
    }
}

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let i18n = I18n::provide();
    let shell = Shell {
        phase: RwSignal::new(Phase::Loading),
        storage: StoredValue::new_local(None),
        device: StoredValue::new_local(String::new()),
        status: SyncStatus::new(),
        photos: crate::blobs::PhotoStatus::new(),
        reporter: StoredValue::new_local(None),
        leaving: RwSignal::new(false),
        notice: RwSignal::new(None),
    };
    provide_context(shell);
    provide_context(shell.status);
    provide_context(shell.photos);

    // A new build waits: offered, never forced (crate::update).
    let update_ready = RwSignal::new(false);
    crate::update::watch(move || update_ready.set(true));

    spawn_local(async move {
        let storage = match Storage::open().await {
            Ok(storage) => storage,
            Err(error) => {
                web_sys::console::error_1(&error.to_string().into());
                shell.phase.set(Phase::NoStorage);
                return;
            }
        };
        let device = storage
            .device_id(|| format!("tablet-{}", uuid::Uuid::new_v4().simple()))
            .await
            .unwrap_or_else(|_| "tablet-unknown".into());
        shell.device.set_value(device);
        let session = Session::restore(&storage).await.ok().flatten();
        shell.storage.set_value(Some(storage));
        match session {
            Some(session) => shell.enter(session).await,
            None => shell.phase.set(Phase::SignedOut),
        }
    });

    // Told by sync or any API call: upload what can be, then forget the user.
    Effect::new(move |_| {
        if shell.status.signed_out_remotely.get() {
            if let Phase::SignedIn(workspace) = shell.phase.get_untracked() {
                shell.signed_out_remotely(workspace);
            }
        }
    });

    let workspace = move || match shell.phase.get() {
        Phase::SignedIn(workspace) => Some(workspace),
        _ => None,
    };

    view! {
        <header::Header workspace=Signal::derive(workspace) />
        <Show when=|| !crate::browser::is_secure_context()>
            <div class="banner banner-warn" data-testid="https-notice" role="alert">
                <span>{move || i18n.t(Key::HttpsNeeded)}</span>
                " "
                <a href=move || format!("/install?lang={}", i18n.lang().tag()) data-testid="https-install">{move || i18n.t(Key::HttpsInstall)}</a>
            </div>
        </Show>
        <Show when=move || update_ready.get()>
            <div class="banner banner-info" data-testid="update-banner" role="status">
                <span>{move || i18n.t(Key::UpdateAvailable)}</span>
                <button class="button" data-testid="update-reload" on:click=|_| crate::update::apply()>
                    {move || i18n.t(Key::UpdateReload)}
                </button>
            </div>
        </Show>
        <main class="content">
            {move || match shell.phase.get() {
                Phase::Loading => view! { <p class="muted">{move || i18n.t(Key::Loading)}</p> }.into_any(),
                Phase::NoStorage => view! {
                    <p class="banner banner-error">{move || i18n.t(Key::NoStorage)}</p>
                }.into_any(),
                Phase::SignedOut => view! {
                    <sign_in::SignIn notice=shell.notice on_success=move |response| {
                        spawn_local(shell.signed_in(response));
                    } />
                }.into_any(),
                Phase::SignedIn(_) if shell.leaving.get() => view! {
                    <p class="banner banner-warn" role="status" data-testid="signed-out-remotely">
                        {move || i18n.t(Key::SignedOutRemotelyUploading)}
                    </p>
                }.into_any(),
                Phase::SignedIn(workspace) => view! {
                    // After a head's reset nothing else is offered until the
                    // user has chosen a new password.
                    <Show
                        when=move || !shell.status.password_change.get()
                        fallback=move || view! {
                            <password::PasswordForm
                                workspace
                                forced=true
                                on_done=Callback::new(move |changed| if changed { shell.password_changed(workspace) })
                            />
                        }
                    >
                        <home::Home workspace />
                    </Show>
                }.into_any(),
            }}
        </main>
    }
}

/// The message of a failed API call, translated by the server's code.
pub(crate) fn api_error_text(error: &ApiError, lang: Lang) -> String {
    let key = match error {
        ApiError::Offline => Key::ApiOffline,
        ApiError::InvalidCredentials => Key::InvalidCredentials,
        ApiError::TooManyAttempts(Some(secs)) => return too_many_attempts(lang, *secs),
        ApiError::TooManyAttempts(None) => Key::TooManyAttemptsNoTime,
        ApiError::BadRequest => Key::ErrorBadRequest,
        ApiError::Unauthorized => Key::SessionExpired,
        ApiError::SignedOutRemotely => Key::ErrorSignedOutRemotely,
        ApiError::PasswordChangeRequired => Key::ErrorPasswordChangeRequired,
        ApiError::Refused(code) => match Key::of_error(code) {
            Some(key) => key,
            None => return filled(Key::ApiRefused, lang, &[("code", code)]),
        },
        ApiError::Server(_) => Key::ServerError,
    };
    key.text(lang).to_owned()
}

/// Tells the app shell what an API answer says about the session itself:
/// signed out remotely, or a new password needed first.
pub(crate) fn noticed(error: &ApiError) {
    let Some(status) = use_context::<SyncStatus>() else {
        return;
    };
    match error {
        ApiError::SignedOutRemotely => status.signed_out_remotely.set(true),
        ApiError::PasswordChangeRequired => status.password_change.set(true),
        _ => {}
    }
}

/// Signs the current user out (the header's sign-out panel and the expiry
/// banner), removing their data from the tablet if `remove`.
pub(crate) fn sign_out(workspace: WorkspaceRef, remove: bool) {
    Shell::get().sign_out(workspace, remove);
}

/// Whether the tablet is shared with another remembered user (the shell is
/// read now, from the calling component).
pub(crate) fn tablet_is_shared(session: Session) -> impl std::future::Future<Output = bool> {
    let shell = Shell::get();
    async move { shell.is_shared(&session).await }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    /// Every refusal the API contract names has its own text in both
    /// languages (not the generic "refused (code)").
    #[wasm_bindgen_test]
    fn every_contract_error_is_translated() {
        let generic = |lang| filled(Key::ApiRefused, lang, &[("code", "x")]);
        for code in [
            "password_too_short",
            "password_is_username",
            "wrong_password",
            "unknown_role",
            "unknown_zone",
            "invalid_username",
            "invalid_name",
            "invalid_phone",
            "no_roles",
            "username_taken",
            "zone_exists",
            "no_such_staff",
            "no_such_zone",
            "no_such_device",
            "account_disabled",
            "role_forbidden",
        ] {
            for lang in [Lang::ZhCn, Lang::En] {
                let text = api_error_text(&ApiError::Refused(code.into()), lang);
                assert!(
                    !text.contains(code) && text != generic(lang),
                    "{code}: {text}"
                );
            }
        }
        let unknown = api_error_text(&ApiError::Refused("new_code".into()), Lang::En);
        assert!(unknown.contains("new_code"), "{unknown}");
        assert_eq!(
            api_error_text(&ApiError::SignedOutRemotely, Lang::ZhCn),
            Key::ErrorSignedOutRemotely.text(Lang::ZhCn)
        );
    }
}
