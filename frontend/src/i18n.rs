//! Every piece of text the tablet shows, in Simplified Chinese and English,
//! and the language the user chose.
//!
//! Each message is a [`Key`]; [`Key::text`] matches on the key and the
//! language, so a key without both translations does not compile. Text that
//! carries numbers or names is built by the small functions at the end.
//!
//! This module must not hold anything but wording: no formatting of dates or
//! domain rules. The chosen language is remembered in `localStorage`
//! (a preference, not data: it is read before IndexedDB is open, so the first
//! frame is already in the right language).

use leptos::prelude::*;
use roundbook_shared::domain::Role;

use crate::browser;

/// The languages the UI speaks. Simplified Chinese is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    ZhCn,
    En,
}

impl Lang {
    /// The BCP 47 tag, also used as the remembered value and `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Lang> {
        [Lang::ZhCn, Lang::En]
            .into_iter()
            .find(|lang| lang.tag().eq_ignore_ascii_case(tag))
    }

    /// The other language, for the one-tap switch.
    pub fn other(self) -> Lang {
        match self {
            Lang::ZhCn => Lang::En,
            Lang::En => Lang::ZhCn,
        }
    }

    /// The language's own name, shown on the switch.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::ZhCn => "中文",
            Lang::En => "English",
        }
    }
}

const LANG_PREF: &str = "roundbook.lang";

/// The current language, shared through context.
#[derive(Debug, Clone, Copy)]
pub struct I18n {
    lang: RwSignal<Lang>,
}

impl I18n {
    /// Creates the context from the remembered language (default zh-CN).
    pub fn provide() -> I18n {
        let remembered = browser::pref(LANG_PREF).and_then(|tag| Lang::from_tag(&tag));
        let i18n = I18n {
            lang: RwSignal::new(remembered.unwrap_or(Lang::ZhCn)),
        };
        browser::set_document_lang(i18n.lang.get_untracked().tag());
        provide_context(i18n);
        i18n
    }

    pub fn get() -> I18n {
        expect_context::<I18n>()
    }

    /// The current language (tracked).
    pub fn lang(self) -> Lang {
        self.lang.get()
    }

    /// Switches and remembers the language.
    pub fn set(self, lang: Lang) {
        browser::set_pref(LANG_PREF, lang.tag());
        browser::set_document_lang(lang.tag());
        self.lang.set(lang);
    }

    /// The text of a key in the current language (tracked).
    pub fn t(self, key: Key) -> &'static str {
        key.text(self.lang())
    }
}

/// Every fixed message of the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    AppName,
    Loading,
    NoStorage,
    // Sign-in
    SignInTitle,
    Username,
    Password,
    SignIn,
    SigningIn,
    InvalidCredentials,
    TooManyAttemptsNoTime,
    BadRequest,
    OfflineSignIn,
    ServerError,
    SignOut,
    SessionExpired,
    SignInAgain,
    // Sync indicator
    Online,
    Offline,
    Connecting,
    NotSyncing,
    NeverSynced,
    LastSync,
    Pending,
    // Update
    NewVersion,
    Reload,
    // Homes
    TodayPatrol,
    StartScan,
    ZoneOverview,
    ScansToday,
    LatestScans,
    NoScansYet,
    NoZones,
    ReadOnlyNote,
    // Scan screen
    ScanTitle,
    Zone,
    CheckpointCode,
    CheckpointCodeHint,
    RecordScan,
    Saving,
    Back,
    UnknownCheckpoint,
    EmptyCode,
    NoCheckpointsYet,
    SaveFailed,
    // Scan list columns
    Time,
    Checkpoint,
    Guard,
    // Roles
    RoleOfficeHead,
    RoleServiceSupervisor,
    RoleZoneService,
    RoleSecuritySupervisor,
    RoleGuard,
    RoleEnvironmentSupervisor,
    RoleCleaningSupervisor,
}

impl Key {
    pub fn text(self, lang: Lang) -> &'static str {
        use Key::*;
        match lang {
            Lang::ZhCn => match self {
                AppName => "巡查本",
                Loading => "正在加载…",
                NoStorage => "此浏览器不允许本应用在本机保存数据（可能是无痕模式），无法使用。",
                SignInTitle => "登录",
                Username => "用户名",
                Password => "密码",
                SignIn => "登录",
                SigningIn => "正在登录…",
                InvalidCredentials => "用户名或密码错误。",
                TooManyAttemptsNoTime => "尝试次数过多，请稍后再试。",
                BadRequest => "请填写用户名和密码。",
                OfflineSignIn => "当前处于离线状态，无法登录。请连接网络后再试。",
                ServerError => "服务器暂时无法处理，请稍后再试。",
                SignOut => "退出登录",
                SessionExpired => "登录已过期，记录仍保存在本机，重新登录后继续同步。",
                SignInAgain => "重新登录",
                Online => "在线",
                Offline => "离线",
                Connecting => "连接中",
                NotSyncing => "未同步",
                NeverSynced => "尚未同步",
                LastSync => "上次同步",
                Pending => "待上传",
                NewVersion => "新版本已就绪。",
                Reload => "刷新",
                TodayPatrol => "今日巡更",
                StartScan => "巡更打卡",
                ZoneOverview => "各片区今日巡更",
                ScansToday => "今日打卡",
                LatestScans => "最近打卡",
                NoScansYet => "今天还没有打卡记录。",
                NoZones => "您的账号尚未分配片区，请联系管理处。",
                ReadOnlyNote => "以下为本片区今日巡更记录（只读）。",
                ScanTitle => "巡更打卡",
                Zone => "片区",
                CheckpointCode => "巡更点编号",
                CheckpointCodeHint => "例如 A-01",
                RecordScan => "打卡",
                Saving => "正在保存…",
                Back => "返回",
                UnknownCheckpoint => "本片区没有这个巡更点编号，未记录。请核对后重试。",
                EmptyCode => "请输入巡更点编号。",
                NoCheckpointsYet => "本片区的巡更点尚未下载，请联网同步后再打卡。",
                SaveFailed => "保存失败，请重试。",
                Time => "时间",
                Checkpoint => "巡更点",
                Guard => "巡逻人",
                RoleOfficeHead => "管理处主任",
                RoleServiceSupervisor => "客服主管",
                RoleZoneService => "区域客服",
                RoleSecuritySupervisor => "安全主管",
                RoleGuard => "安管员",
                RoleEnvironmentSupervisor => "环境主管",
                RoleCleaningSupervisor => "保洁主管",
            },
            Lang::En => match self {
                AppName => "Roundbook",
                Loading => "Loading…",
                NoStorage => {
                    "This browser does not let the app store data on the device (private mode?), so it cannot run."
                }
                SignInTitle => "Sign in",
                Username => "Username",
                Password => "Password",
                SignIn => "Sign in",
                SigningIn => "Signing in…",
                InvalidCredentials => "Wrong username or password.",
                TooManyAttemptsNoTime => "Too many attempts. Please try again later.",
                BadRequest => "Please enter your username and password.",
                OfflineSignIn => {
                    "You are offline, so you cannot sign in. Connect to the network and try again."
                }
                ServerError => "The server cannot handle this right now. Please try again later.",
                SignOut => "Sign out",
                SessionExpired => {
                    "Your sign-in has expired. Your records are kept on this tablet; sign in again to sync."
                }
                SignInAgain => "Sign in again",
                Online => "Online",
                Offline => "Offline",
                Connecting => "Connecting",
                NotSyncing => "Not syncing",
                NeverSynced => "Not synced yet",
                LastSync => "Last sync",
                Pending => "Waiting to upload",
                NewVersion => "A new version is ready.",
                Reload => "Reload",
                TodayPatrol => "Today's patrol",
                StartScan => "Scan a checkpoint",
                ZoneOverview => "Today's patrol by zone",
                ScansToday => "Scans today",
                LatestScans => "Latest scans",
                NoScansYet => "No scans yet today.",
                NoZones => "Your account has no zones yet. Please ask the management office.",
                ReadOnlyNote => "Today's patrol scans in your zones (read-only).",
                ScanTitle => "Checkpoint scan",
                Zone => "Zone",
                CheckpointCode => "Checkpoint code",
                CheckpointCodeHint => "e.g. A-01",
                RecordScan => "Record scan",
                Saving => "Saving…",
                Back => "Back",
                UnknownCheckpoint => {
                    "This zone has no checkpoint with that code. Nothing was recorded; please check the code."
                }
                EmptyCode => "Please enter a checkpoint code.",
                NoCheckpointsYet => {
                    "This zone's checkpoints have not been downloaded yet. Go online to sync, then scan."
                }
                SaveFailed => "Could not save. Please try again.",
                Time => "Time",
                Checkpoint => "Checkpoint",
                Guard => "Guard",
                RoleOfficeHead => "Office head",
                RoleServiceSupervisor => "Service supervisor",
                RoleZoneService => "Zone service",
                RoleSecuritySupervisor => "Security supervisor",
                RoleGuard => "Guard",
                RoleEnvironmentSupervisor => "Environment supervisor",
                RoleCleaningSupervisor => "Cleaning supervisor",
            },
        }
    }
}

/// The name of a role.
pub fn role_key(role: Role) -> Key {
    match role {
        Role::OfficeHead => Key::RoleOfficeHead,
        Role::ServiceSupervisor => Key::RoleServiceSupervisor,
        Role::ZoneService => Key::RoleZoneService,
        Role::SecuritySupervisor => Key::RoleSecuritySupervisor,
        Role::Guard => Key::RoleGuard,
        Role::EnvironmentSupervisor => Key::RoleEnvironmentSupervisor,
        Role::CleaningSupervisor => Key::RoleCleaningSupervisor,
    }
}

/// `too_many_attempts` with the server's wait.
pub fn too_many_attempts(lang: Lang, secs: u64) -> String {
    let minutes = secs.div_ceil(60).max(1);
    match lang {
        Lang::ZhCn => format!("尝试次数过多，请 {minutes} 分钟后再试。"),
        Lang::En if minutes == 1 => "Too many attempts. Please try again in 1 minute.".into(),
        Lang::En => format!("Too many attempts. Please try again in {minutes} minutes."),
    }
}

/// The confirmation before signing out with changes not yet on the server.
pub fn pending_sign_out_warning(lang: Lang, pending: usize) -> String {
    match lang {
        Lang::ZhCn => format!(
            "还有 {pending} 项更改尚未上传到服务器。\n退出后这些记录仍保存在本机，下次登录联网后会自动上传。\n确定退出吗？"
        ),
        Lang::En => format!(
            "{pending} change(s) have not reached the server yet.\nThey stay on this tablet and are sent after the next sign-in.\nSign out anyway?"
        ),
    }
}

/// The confirmation shown after a scan was stored on the tablet.
pub fn scan_saved(lang: Lang, code: &str, name: &str) -> String {
    match lang {
        Lang::ZhCn => format!("已保存：{code} {name}"),
        Lang::En => format!("Saved: {code} {name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn tags_round_trip() {
        for lang in [Lang::ZhCn, Lang::En] {
            assert_eq!(Lang::from_tag(lang.tag()), Some(lang));
            assert_eq!(lang.other().other(), lang);
        }
        assert_eq!(Lang::from_tag("fr"), None);
    }

    #[wasm_bindgen_test]
    fn waits_are_rounded_up_to_minutes() {
        assert!(too_many_attempts(Lang::En, 61).contains("2 minutes"));
        assert!(too_many_attempts(Lang::En, 5).contains("1 minute."));
        assert!(too_many_attempts(Lang::ZhCn, 300).contains("5 分钟"));
    }
}
