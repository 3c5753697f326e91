//! Every piece of text the tablet shows, in Simplified Chinese and English,
//! and the language the user chose.
//!
//! The wording lives in `frontend/locales/zh-CN.json` and `en.json`, loaded
//! at compile time by the leptos_i18n library. Screens name a message by
//! [`Key`]; [`Key::text`] looks it up for the chosen language, and a key
//! missing from either file does not compile. Text that carries numbers or
//! names is built by the small functions at the end.
//!
//! This module must not hold anything but wording lookups: no formatting of
//! dates or domain rules. The chosen language is remembered in `localStorage`
//! (a preference, not data: it is read before IndexedDB is open, so the first
//! frame is already in the right language).

use leptos::prelude::*;
use leptos_i18n::td_string;
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

    /// The locale of the translation files (`frontend/locales/`).
    fn locale(self) -> locales::Locale {
        match self {
            Lang::ZhCn => locales::Locale::zh_CN,
            Lang::En => locales::Locale::en,
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

/// The translations, loaded from `frontend/locales/*.json` at compile time by
/// leptos_i18n: a key missing from one language does not compile.
mod locales {
    // Deprecated upstream in favour of build.rs code generation, whose build
    // crate pulls ICU's data exporter into every build; the macro generates
    // the same tables.
    #![allow(deprecated)]
    leptos_i18n::load_locales!();
    pub use i18n::Locale;
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
    ZoneOverview,
    ScansToday,
    LatestScans,
    NoScansYet,
    NoZones,
    // Scan screen
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
    // Guard patrol: shift, rounds, round screen, camera, findings, photos
    DutyZonePick,
    DutyHandoverPending,
    DutyHandoverFrom,
    DutyHandoverTime,
    DutyHandoverNote,
    DutyNoNote,
    DutyShiftFindings,
    DutyOpenRounds,
    DutyNothingOpen,
    DutyConfirmTakeover,
    DutyNoHandover,
    DutyStartShift,
    DutyOnDutySince,
    DutyEndShift,
    DutyEndTitle,
    DutyHandoverHint,
    DutySubmitHandover,
    DutySummary,
    DutyRoundsDone,
    DutyRoundsMissed,
    DutyFindings,
    DutyCancel,
    DutyShiftEnded,
    DutyDueRounds,
    DutyNoDueRounds,
    DutyUnannounced,
    DutyDueAt,
    DutyStartRound,
    DutyMyOpenRounds,
    DutyContinueRound,
    DutyRouteUnavailable,
    RoundLeft,
    RoundScanned,
    RoundNotScanned,
    RoundFinish,
    RoundFinishAnyway,
    RoundComplete,
    RoundEnded,
    RoundFinishBy,
    RoundNotOnRound,
    RoundAlreadyScanned,
    RoundScanAfterEnd,
    RoundUnknown,
    CameraStart,
    CameraStop,
    CameraRefused,
    CameraUnavailable,
    CameraHint,
    TagForeign,
    TagOtherSite,
    FindingNew,
    FindingTitle,
    FindingKindLabel,
    FindingKindFacilityDamage,
    FindingKindFireEquipment,
    FindingKindSafetyHazard,
    FindingKindSuspiciousPerson,
    FindingKindSuspiciousVehicle,
    FindingKindOther,
    FindingSeverityLabel,
    FindingSeverityLow,
    FindingSeverityMedium,
    FindingSeverityHigh,
    FindingNote,
    FindingNoteHint,
    FindingPhotos,
    FindingNeedsRepair,
    FindingSave,
    FindingSaved,
    FindingEmpty,
    FindingTooManyPhotos,
    FindingNoteTooLong,
    FindingRepairRequest,
    FindingRemovePhoto,
    PhotoNotImage,
    PhotoTooLarge,
    PhotoFailed,
    PhotoProcessing,
    PhotoMissing,
    SyncPhotosPending,
    // Roles
    RoleOfficeHead,
    RoleServiceSupervisor,
    RoleZoneService,
    RoleSecuritySupervisor,
    RoleGuard,
    RoleEnvironmentSupervisor,
    RoleCleaningSupervisor,
    // Supervisor: tabs, patrol setup, tag sheet, rounds board
    TabBoard,
    TabSetup,
    TabTags,
    TabOverview,
    SetupCheckpoints,
    SetupRoutes,
    SetupSchedules,
    NewCheckpoint,
    CheckpointName,
    CheckpointLocation,
    Save,
    Cancel,
    Edit,
    Retire,
    Restore,
    Retired,
    NoCheckpointsDefined,
    NewRoute,
    RouteName,
    RouteStops,
    NoStopsYet,
    ChooseCheckpoint,
    AddToRoute,
    MoveUp,
    MoveDown,
    Remove,
    NoRoutesDefined,
    NewSchedule,
    ScheduleRoute,
    ChooseRoute,
    ScheduleName,
    ShiftStart,
    ShiftEnd,
    EveryMinutes,
    ToleranceMinutes,
    RoundMinutes,
    UnannouncedPerShift,
    PreviewDueTimes,
    NextDay,
    NoFixedRounds,
    PreviewUnannounced,
    NoSchedulesDefined,
    ScheduleSummary,
    ScheduleSummaryUnannounced,
    ProblemCodeEmpty,
    ProblemCodeTooLong,
    ProblemCodeTaken,
    ProblemNameEmpty,
    ProblemNameTooLong,
    ProblemLocationTooLong,
    ProblemRouteCheckpointCount,
    ProblemCheckpointTwice,
    ProblemCheckpointUnknown,
    ProblemCheckpointRetired,
    ProblemCheckpointOnRoute,
    ProblemRouteUnknown,
    ProblemRouteRetired,
    ProblemRouteInUse,
    ProblemBadTime,
    ProblemBadNumber,
    ProblemIntervalRange,
    ProblemToleranceHalfInterval,
    ProblemToleranceMax,
    ProblemRoundMinutesRange,
    ProblemUnannouncedMax,
    ProblemNoRounds,
    ProblemNotHeld,
    ProblemBusy,
    ProblemOther,
    NothingSaved,
    TagsHint,
    PrintTags,
    NoActiveCheckpoints,
    BoardTitle,
    BoardDate,
    BoardToday,
    BoardNotHeld,
    StatusUpcoming,
    StatusDue,
    StatusInProgress,
    StatusDone,
    StatusIncomplete,
    StatusMissed,
    KindFixed,
    KindUnannounced,
    KindExtra,
    BoardFindings,
    BoardByGuard,
    BoardRounds,
    BoardNoRounds,
    BoardNoGuards,
    BoardMissing,
    BoardWindow,
    BoardFindingsOutside,
    BoardNeedsRepair,
    TrustClockOff,
    TrustArrivedLate,
    // End of supervisor keys
    // Requests keys
    ReqNew,
    ReqEmpty,
    ReqZone,
    ReqChannel,
    ReqKind,
    ReqUnit,
    ReqUnitHint,
    ReqResident,
    ReqPhone,
    ReqDescription,
    ReqPhotos,
    ReqCollective,
    ReqHouseholds,
    ReqSave,
    ReqCancel,
    ReqSaved,
    ReqBack,
    ReqOwner,
    ReqAssignee,
    ReqReceived,
    ReqDeadlines,
    ReqHistory,
    ReqSuperseded,
    ReqConflict,
    ReqFieldState,
    ReqFieldAssignee,
    ReqFieldClassification,
    ReqFieldHandling,
    ReqOverdue,
    ReqPending,
    ReqMet,
    ReqMissed,
    ReqDlResponse,
    ReqDlSpot,
    ReqDlHead,
    ReqDlCompany,
    ReqDlCentre,
    ReqStReceived,
    ReqStAssigned,
    ReqStAccepted,
    ReqStInProgress,
    ReqStReturned,
    ReqStTransferred,
    ReqStDone,
    ReqStCalledBack,
    ReqStClosed,
    ReqActAssign,
    ReqActAccept,
    ReqActStart,
    ReqActReturn,
    ReqActTransfer,
    ReqActDone,
    ReqActCallback,
    ReqActClose,
    ReqActCloseInvalid,
    ReqActClassify,
    ReqActMark,
    ReqActNote,
    ReqActReport,
    ReqChPhone,
    ReqChWalkIn,
    ReqChVisit,
    ReqChWalkRound,
    ReqChLetter,
    ReqChCentre,
    ReqKMedical,
    ReqKRepairHome,
    ReqKRepairCommon,
    ReqKComplaint,
    ReqKEnquiry,
    ReqKCrime,
    ReqKDisaster,
    ReqKOther,
    ReqClValid,
    ReqClInvalid,
    ReqClOther,
    ReqHNormal,
    ReqHZ,
    ReqHQ,
    ReqHGt,
    ReqSatSatisfied,
    ReqSatBasic,
    ReqSatNot,
    ReqToHead,
    ReqToCompany,
    ReqToCentre,
    ReqToSupervisor,
    ReqNote,
    ReqAssignTo,
    ReqReplyBy,
    ReqOnTheSpot,
    ReqSatisfaction,
    ReqTarget,
    ReqClassification,
    ReqHandling,
    ReqConfirm,
    ReqErrDescription,
    ReqErrPhone,
    ReqErrCollective,
    ReqErrNote,
    ReqErrAssignee,
    ReqErrReplyBy,
    ReqErrPhotos,
    ReqErrTooLong,
    ReqErrNotNow,
    ReqErrAssigneeOnly,
    ReqErrNoCallback,
    ReqErrNotInvalid,
    ReqErrKindOnly,
    ReqErrNotFound,
    ReqErrBusy,
    ReqErrSave,
    ReqReviewTitle,
    ReqReviewEmpty,
    ReqPrint,
    ReqAlertTitle,
    ReqAlertAck,
    ReqAlertNotify,
    ReqHouseholdsCount,
    ReqFilterOpen,
    ReqFilterOverdue,
    ReqFilterAll,
    ReqPhotoFailed,
    // End of requests keys
    // Residents and visits keys
    // End of residents and visits keys
    // Cleaning keys
    CleanArea,
    CleanToday,
    CleanStart,
    CleanJoin,
    CleanInspectedBy,
    CleanNoArea,
    CleanMax,
    CleanFull,
    CleanDeduct,
    CleanNa,
    CleanPoints,
    CleanReason,
    CleanReasonHint,
    CleanSaveMark,
    CleanMarkSaved,
    CleanNotMarked,
    CleanYourMark,
    CleanPointsInvalid,
    CleanReasonRequired,
    CleanTwoMarks,
    CleanStands,
    CleanRule,
    CleanPhotos,
    CleanLocked,
    CleanSaveFailed,
    CleanNoDocs,
    CleanReinspect,
    CleanReinspection,
    CleanPassed,
    CleanFailed,
    CleanNewDeadline,
    CleanRecordResult,
    CleanResultSaved,
    CleanDeadlineInvalid,
    CleanNote,
    CleanCancel,
    CleanRectifications,
    CleanRectOpen,
    CleanRectOverdue,
    CleanRectClosed,
    CleanRectNone,
    CleanDeadline,
    CleanMonth,
    CleanTotal,
    CleanScore,
    CleanWeight,
    CleanInspections,
    CleanNotAssessed,
    CleanThreshold,
    CleanBelow,
    CleanTwoBelow,
    CleanDue,
    CleanDueOverdue,
    CleanSupervisorSign,
    CleanVendorSign,
    CleanSignerName,
    CleanSign,
    CleanClear,
    CleanSigned,
    CleanSignedSaved,
    CleanLockedBadge,
    CleanOpenBadge,
    CleanDrawFirst,
    CleanNameRequired,
    CleanSignTooEarly,
    CleanAlreadySigned,
    CleanPrint,
    CleanSheetTitle,
    CleanNoSheet,
    CleanTemplateVersion,
    CleanItem,
    CleanDeductions,
    CleanHistoryShow,
    CleanHistoryTable,
    CleanTemplate,
    CleanTemplateReadOnly,
    CleanNameZh,
    CleanNameEn,
    CleanStandardZh,
    CleanStandardEn,
    CleanAddArea,
    CleanAddItem,
    CleanRemove,
    CleanSum,
    CleanSumMust,
    CleanPublish,
    CleanPublished,
    CleanVersions,
    CleanDefaultTemplate,
    CleanTemplateInvalid,
    CleanReset,
    // End of cleaning keys
    // Home keys
    TabPatrol,
    TabRequests,
    TabReview,
    TabVisits,
    TabResidents,
    TabInspect,
    TabRectifications,
    TabSheet,
    TabHistory,
    TabTemplate,
    // End of home keys
}

impl Key {
    pub fn text(self, lang: Lang) -> &'static str {
        use Key::*;
        let locale = lang.locale();
        match self {
            AppName => td_string!(locale, app_name),
            Loading => td_string!(locale, loading),
            NoStorage => td_string!(locale, no_storage),
            SignInTitle => td_string!(locale, sign_in_title),
            Username => td_string!(locale, username),
            Password => td_string!(locale, password),
            SignIn => td_string!(locale, sign_in),
            SigningIn => td_string!(locale, signing_in),
            InvalidCredentials => td_string!(locale, invalid_credentials),
            TooManyAttemptsNoTime => td_string!(locale, too_many_attempts_no_time),
            BadRequest => td_string!(locale, bad_request),
            OfflineSignIn => td_string!(locale, offline_sign_in),
            ServerError => td_string!(locale, server_error),
            SignOut => td_string!(locale, sign_out),
            SessionExpired => td_string!(locale, session_expired),
            SignInAgain => td_string!(locale, sign_in_again),
            Online => td_string!(locale, online),
            Offline => td_string!(locale, offline),
            Connecting => td_string!(locale, connecting),
            NotSyncing => td_string!(locale, not_syncing),
            NeverSynced => td_string!(locale, never_synced),
            LastSync => td_string!(locale, last_sync),
            Pending => td_string!(locale, pending),
            NewVersion => td_string!(locale, new_version),
            Reload => td_string!(locale, reload),
            TodayPatrol => td_string!(locale, today_patrol),
            ZoneOverview => td_string!(locale, zone_overview),
            ScansToday => td_string!(locale, scans_today),
            LatestScans => td_string!(locale, latest_scans),
            NoScansYet => td_string!(locale, no_scans_yet),
            NoZones => td_string!(locale, no_zones),
            Zone => td_string!(locale, zone),
            CheckpointCode => td_string!(locale, checkpoint_code),
            CheckpointCodeHint => td_string!(locale, checkpoint_code_hint),
            RecordScan => td_string!(locale, record_scan),
            Saving => td_string!(locale, saving),
            Back => td_string!(locale, back),
            UnknownCheckpoint => td_string!(locale, unknown_checkpoint),
            EmptyCode => td_string!(locale, empty_code),
            NoCheckpointsYet => td_string!(locale, no_checkpoints_yet),
            SaveFailed => td_string!(locale, save_failed),
            Time => td_string!(locale, time),
            Checkpoint => td_string!(locale, checkpoint),
            Guard => td_string!(locale, guard),
            DutyZonePick => td_string!(locale, duty_zone_pick),
            DutyHandoverPending => td_string!(locale, duty_handover_pending),
            DutyHandoverFrom => td_string!(locale, duty_handover_from),
            DutyHandoverTime => td_string!(locale, duty_handover_time),
            DutyHandoverNote => td_string!(locale, duty_handover_note),
            DutyNoNote => td_string!(locale, duty_no_note),
            DutyShiftFindings => td_string!(locale, duty_shift_findings),
            DutyOpenRounds => td_string!(locale, duty_open_rounds),
            DutyNothingOpen => td_string!(locale, duty_nothing_open),
            DutyConfirmTakeover => td_string!(locale, duty_confirm_takeover),
            DutyNoHandover => td_string!(locale, duty_no_handover),
            DutyStartShift => td_string!(locale, duty_start_shift),
            DutyOnDutySince => td_string!(locale, duty_on_duty_since),
            DutyEndShift => td_string!(locale, duty_end_shift),
            DutyEndTitle => td_string!(locale, duty_end_title),
            DutyHandoverHint => td_string!(locale, duty_handover_hint),
            DutySubmitHandover => td_string!(locale, duty_submit_handover),
            DutySummary => td_string!(locale, duty_summary),
            DutyRoundsDone => td_string!(locale, duty_rounds_done),
            DutyRoundsMissed => td_string!(locale, duty_rounds_missed),
            DutyFindings => td_string!(locale, duty_findings),
            DutyCancel => td_string!(locale, duty_cancel),
            DutyShiftEnded => td_string!(locale, duty_shift_ended),
            DutyDueRounds => td_string!(locale, duty_due_rounds),
            DutyNoDueRounds => td_string!(locale, duty_no_due_rounds),
            DutyUnannounced => td_string!(locale, duty_unannounced),
            DutyDueAt => td_string!(locale, duty_due_at),
            DutyStartRound => td_string!(locale, duty_start_round),
            DutyMyOpenRounds => td_string!(locale, duty_my_open_rounds),
            DutyContinueRound => td_string!(locale, duty_continue_round),
            DutyRouteUnavailable => td_string!(locale, duty_route_unavailable),
            RoundLeft => td_string!(locale, round_left),
            RoundScanned => td_string!(locale, round_scanned),
            RoundNotScanned => td_string!(locale, round_not_scanned),
            RoundFinish => td_string!(locale, round_finish),
            RoundFinishAnyway => td_string!(locale, round_finish_anyway),
            RoundComplete => td_string!(locale, round_complete),
            RoundEnded => td_string!(locale, round_ended),
            RoundFinishBy => td_string!(locale, round_finish_by),
            RoundNotOnRound => td_string!(locale, round_not_on_round),
            RoundAlreadyScanned => td_string!(locale, round_already_scanned),
            RoundScanAfterEnd => td_string!(locale, round_scan_after_end),
            RoundUnknown => td_string!(locale, round_unknown),
            CameraStart => td_string!(locale, camera_start),
            CameraStop => td_string!(locale, camera_stop),
            CameraRefused => td_string!(locale, camera_refused),
            CameraUnavailable => td_string!(locale, camera_unavailable),
            CameraHint => td_string!(locale, camera_hint),
            TagForeign => td_string!(locale, tag_foreign),
            TagOtherSite => td_string!(locale, tag_other_site),
            FindingNew => td_string!(locale, finding_new),
            FindingTitle => td_string!(locale, finding_title),
            FindingKindLabel => td_string!(locale, finding_kind),
            FindingKindFacilityDamage => td_string!(locale, finding_kind_facility_damage),
            FindingKindFireEquipment => td_string!(locale, finding_kind_fire_equipment),
            FindingKindSafetyHazard => td_string!(locale, finding_kind_safety_hazard),
            FindingKindSuspiciousPerson => td_string!(locale, finding_kind_suspicious_person),
            FindingKindSuspiciousVehicle => td_string!(locale, finding_kind_suspicious_vehicle),
            FindingKindOther => td_string!(locale, finding_kind_other),
            FindingSeverityLabel => td_string!(locale, finding_severity),
            FindingSeverityLow => td_string!(locale, finding_severity_low),
            FindingSeverityMedium => td_string!(locale, finding_severity_medium),
            FindingSeverityHigh => td_string!(locale, finding_severity_high),
            FindingNote => td_string!(locale, finding_note),
            FindingNoteHint => td_string!(locale, finding_note_hint),
            FindingPhotos => td_string!(locale, finding_photos),
            FindingNeedsRepair => td_string!(locale, finding_needs_repair),
            FindingSave => td_string!(locale, finding_save),
            FindingSaved => td_string!(locale, finding_saved),
            FindingEmpty => td_string!(locale, finding_empty),
            FindingTooManyPhotos => td_string!(locale, finding_too_many_photos),
            FindingNoteTooLong => td_string!(locale, finding_note_too_long),
            FindingRepairRequest => td_string!(locale, finding_repair_request),
            FindingRemovePhoto => td_string!(locale, finding_remove_photo),
            PhotoNotImage => td_string!(locale, photo_not_image),
            PhotoTooLarge => td_string!(locale, photo_too_large),
            PhotoFailed => td_string!(locale, photo_failed),
            PhotoProcessing => td_string!(locale, photo_processing),
            PhotoMissing => td_string!(locale, photo_missing),
            SyncPhotosPending => td_string!(locale, sync_photos_pending),
            RoleOfficeHead => td_string!(locale, role_office_head),
            RoleServiceSupervisor => td_string!(locale, role_service_supervisor),
            RoleZoneService => td_string!(locale, role_zone_service),
            RoleSecuritySupervisor => td_string!(locale, role_security_supervisor),
            RoleGuard => td_string!(locale, role_guard),
            RoleEnvironmentSupervisor => td_string!(locale, role_environment_supervisor),
            RoleCleaningSupervisor => td_string!(locale, role_cleaning_supervisor),
            // Supervisor: tabs, patrol setup, tag sheet, rounds board
            TabBoard => td_string!(locale, tab_board),
            TabSetup => td_string!(locale, tab_setup),
            TabTags => td_string!(locale, tab_tags),
            TabOverview => td_string!(locale, tab_overview),
            SetupCheckpoints => td_string!(locale, setup_checkpoints),
            SetupRoutes => td_string!(locale, setup_routes),
            SetupSchedules => td_string!(locale, setup_schedules),
            NewCheckpoint => td_string!(locale, new_checkpoint),
            CheckpointName => td_string!(locale, checkpoint_name),
            CheckpointLocation => td_string!(locale, checkpoint_location),
            Save => td_string!(locale, save),
            Cancel => td_string!(locale, cancel),
            Edit => td_string!(locale, edit),
            Retire => td_string!(locale, retire),
            Restore => td_string!(locale, restore),
            Retired => td_string!(locale, retired),
            NoCheckpointsDefined => td_string!(locale, no_checkpoints_defined),
            NewRoute => td_string!(locale, new_route),
            RouteName => td_string!(locale, route_name),
            RouteStops => td_string!(locale, route_stops),
            NoStopsYet => td_string!(locale, no_stops_yet),
            ChooseCheckpoint => td_string!(locale, choose_checkpoint),
            AddToRoute => td_string!(locale, add_to_route),
            MoveUp => td_string!(locale, move_up),
            MoveDown => td_string!(locale, move_down),
            Remove => td_string!(locale, remove),
            NoRoutesDefined => td_string!(locale, no_routes_defined),
            NewSchedule => td_string!(locale, new_schedule),
            ScheduleRoute => td_string!(locale, schedule_route),
            ChooseRoute => td_string!(locale, choose_route),
            ScheduleName => td_string!(locale, schedule_name),
            ShiftStart => td_string!(locale, shift_start),
            ShiftEnd => td_string!(locale, shift_end),
            EveryMinutes => td_string!(locale, every_minutes),
            ToleranceMinutes => td_string!(locale, tolerance_minutes),
            RoundMinutes => td_string!(locale, round_minutes),
            UnannouncedPerShift => td_string!(locale, unannounced_per_shift),
            PreviewDueTimes => td_string!(locale, preview_due_times),
            NextDay => td_string!(locale, next_day),
            NoFixedRounds => td_string!(locale, no_fixed_rounds),
            PreviewUnannounced => td_string!(locale, preview_unannounced),
            NoSchedulesDefined => td_string!(locale, no_schedules_defined),
            ScheduleSummary => td_string!(locale, schedule_summary),
            ScheduleSummaryUnannounced => td_string!(locale, schedule_summary_unannounced),
            ProblemCodeEmpty => td_string!(locale, problem_code_empty),
            ProblemCodeTooLong => td_string!(locale, problem_code_too_long),
            ProblemCodeTaken => td_string!(locale, problem_code_taken),
            ProblemNameEmpty => td_string!(locale, problem_name_empty),
            ProblemNameTooLong => td_string!(locale, problem_name_too_long),
            ProblemLocationTooLong => td_string!(locale, problem_location_too_long),
            ProblemRouteCheckpointCount => td_string!(locale, problem_route_checkpoint_count),
            ProblemCheckpointTwice => td_string!(locale, problem_checkpoint_twice),
            ProblemCheckpointUnknown => td_string!(locale, problem_checkpoint_unknown),
            ProblemCheckpointRetired => td_string!(locale, problem_checkpoint_retired),
            ProblemCheckpointOnRoute => td_string!(locale, problem_checkpoint_on_route),
            ProblemRouteUnknown => td_string!(locale, problem_route_unknown),
            ProblemRouteRetired => td_string!(locale, problem_route_retired),
            ProblemRouteInUse => td_string!(locale, problem_route_in_use),
            ProblemBadTime => td_string!(locale, problem_bad_time),
            ProblemBadNumber => td_string!(locale, problem_bad_number),
            ProblemIntervalRange => td_string!(locale, problem_interval_range),
            ProblemToleranceHalfInterval => td_string!(locale, problem_tolerance_half_interval),
            ProblemToleranceMax => td_string!(locale, problem_tolerance_max),
            ProblemRoundMinutesRange => td_string!(locale, problem_round_minutes_range),
            ProblemUnannouncedMax => td_string!(locale, problem_unannounced_max),
            ProblemNoRounds => td_string!(locale, problem_no_rounds),
            ProblemNotHeld => td_string!(locale, problem_not_held),
            ProblemBusy => td_string!(locale, problem_busy),
            ProblemOther => td_string!(locale, problem_other),
            NothingSaved => td_string!(locale, nothing_saved),
            TagsHint => td_string!(locale, tags_hint),
            PrintTags => td_string!(locale, print_tags),
            NoActiveCheckpoints => td_string!(locale, no_active_checkpoints),
            BoardTitle => td_string!(locale, board_title),
            BoardDate => td_string!(locale, board_date),
            BoardToday => td_string!(locale, board_today),
            BoardNotHeld => td_string!(locale, board_not_held),
            StatusUpcoming => td_string!(locale, status_upcoming),
            StatusDue => td_string!(locale, status_due),
            StatusInProgress => td_string!(locale, status_in_progress),
            StatusDone => td_string!(locale, status_done),
            StatusIncomplete => td_string!(locale, status_incomplete),
            StatusMissed => td_string!(locale, status_missed),
            KindFixed => td_string!(locale, kind_fixed),
            KindUnannounced => td_string!(locale, kind_unannounced),
            KindExtra => td_string!(locale, kind_extra),
            BoardFindings => td_string!(locale, board_findings),
            BoardByGuard => td_string!(locale, board_by_guard),
            BoardRounds => td_string!(locale, board_rounds),
            BoardNoRounds => td_string!(locale, board_no_rounds),
            BoardNoGuards => td_string!(locale, board_no_guards),
            BoardMissing => td_string!(locale, board_missing),
            BoardWindow => td_string!(locale, board_window),
            BoardFindingsOutside => td_string!(locale, board_findings_outside),
            BoardNeedsRepair => td_string!(locale, board_needs_repair),
            TrustClockOff => td_string!(locale, trust_clock_off),
            TrustArrivedLate => td_string!(locale, trust_arrived_late),
            // End of supervisor keys
            // Requests keys
            ReqNew => td_string!(locale, req_new),
            ReqEmpty => td_string!(locale, req_empty),
            ReqZone => td_string!(locale, req_zone),
            ReqChannel => td_string!(locale, req_channel),
            ReqKind => td_string!(locale, req_kind),
            ReqUnit => td_string!(locale, req_unit),
            ReqUnitHint => td_string!(locale, req_unit_hint),
            ReqResident => td_string!(locale, req_resident),
            ReqPhone => td_string!(locale, req_phone),
            ReqDescription => td_string!(locale, req_description),
            ReqPhotos => td_string!(locale, req_photos),
            ReqCollective => td_string!(locale, req_collective),
            ReqHouseholds => td_string!(locale, req_households),
            ReqSave => td_string!(locale, req_save),
            ReqCancel => td_string!(locale, req_cancel),
            ReqSaved => td_string!(locale, req_saved),
            ReqBack => td_string!(locale, req_back),
            ReqOwner => td_string!(locale, req_owner),
            ReqAssignee => td_string!(locale, req_assignee),
            ReqReceived => td_string!(locale, req_received),
            ReqDeadlines => td_string!(locale, req_deadlines),
            ReqHistory => td_string!(locale, req_history),
            ReqSuperseded => td_string!(locale, req_superseded),
            ReqConflict => td_string!(locale, req_conflict),
            ReqFieldState => td_string!(locale, req_field_state),
            ReqFieldAssignee => td_string!(locale, req_field_assignee),
            ReqFieldClassification => td_string!(locale, req_field_classification),
            ReqFieldHandling => td_string!(locale, req_field_handling),
            ReqOverdue => td_string!(locale, req_overdue),
            ReqPending => td_string!(locale, req_pending),
            ReqMet => td_string!(locale, req_met),
            ReqMissed => td_string!(locale, req_missed),
            ReqDlResponse => td_string!(locale, req_dl_response),
            ReqDlSpot => td_string!(locale, req_dl_spot),
            ReqDlHead => td_string!(locale, req_dl_head),
            ReqDlCompany => td_string!(locale, req_dl_company),
            ReqDlCentre => td_string!(locale, req_dl_centre),
            ReqStReceived => td_string!(locale, req_st_received),
            ReqStAssigned => td_string!(locale, req_st_assigned),
            ReqStAccepted => td_string!(locale, req_st_accepted),
            ReqStInProgress => td_string!(locale, req_st_in_progress),
            ReqStReturned => td_string!(locale, req_st_returned),
            ReqStTransferred => td_string!(locale, req_st_transferred),
            ReqStDone => td_string!(locale, req_st_done),
            ReqStCalledBack => td_string!(locale, req_st_called_back),
            ReqStClosed => td_string!(locale, req_st_closed),
            ReqActAssign => td_string!(locale, req_act_assign),
            ReqActAccept => td_string!(locale, req_act_accept),
            ReqActStart => td_string!(locale, req_act_start),
            ReqActReturn => td_string!(locale, req_act_return),
            ReqActTransfer => td_string!(locale, req_act_transfer),
            ReqActDone => td_string!(locale, req_act_done),
            ReqActCallback => td_string!(locale, req_act_callback),
            ReqActClose => td_string!(locale, req_act_close),
            ReqActCloseInvalid => td_string!(locale, req_act_close_invalid),
            ReqActClassify => td_string!(locale, req_act_classify),
            ReqActMark => td_string!(locale, req_act_mark),
            ReqActNote => td_string!(locale, req_act_note),
            ReqActReport => td_string!(locale, req_act_report),
            ReqChPhone => td_string!(locale, req_ch_phone),
            ReqChWalkIn => td_string!(locale, req_ch_walk_in),
            ReqChVisit => td_string!(locale, req_ch_visit),
            ReqChWalkRound => td_string!(locale, req_ch_walk_round),
            ReqChLetter => td_string!(locale, req_ch_letter),
            ReqChCentre => td_string!(locale, req_ch_centre),
            ReqKMedical => td_string!(locale, req_k_medical),
            ReqKRepairHome => td_string!(locale, req_k_repair_home),
            ReqKRepairCommon => td_string!(locale, req_k_repair_common),
            ReqKComplaint => td_string!(locale, req_k_complaint),
            ReqKEnquiry => td_string!(locale, req_k_enquiry),
            ReqKCrime => td_string!(locale, req_k_crime),
            ReqKDisaster => td_string!(locale, req_k_disaster),
            ReqKOther => td_string!(locale, req_k_other),
            ReqClValid => td_string!(locale, req_cl_valid),
            ReqClInvalid => td_string!(locale, req_cl_invalid),
            ReqClOther => td_string!(locale, req_cl_other),
            ReqHNormal => td_string!(locale, req_h_normal),
            ReqHZ => td_string!(locale, req_h_z),
            ReqHQ => td_string!(locale, req_h_q),
            ReqHGt => td_string!(locale, req_h_gt),
            ReqSatSatisfied => td_string!(locale, req_sat_satisfied),
            ReqSatBasic => td_string!(locale, req_sat_basic),
            ReqSatNot => td_string!(locale, req_sat_not),
            ReqToHead => td_string!(locale, req_to_head),
            ReqToCompany => td_string!(locale, req_to_company),
            ReqToCentre => td_string!(locale, req_to_centre),
            ReqToSupervisor => td_string!(locale, req_to_supervisor),
            ReqNote => td_string!(locale, req_note),
            ReqAssignTo => td_string!(locale, req_assign_to),
            ReqReplyBy => td_string!(locale, req_reply_by),
            ReqOnTheSpot => td_string!(locale, req_on_the_spot),
            ReqSatisfaction => td_string!(locale, req_satisfaction),
            ReqTarget => td_string!(locale, req_target),
            ReqClassification => td_string!(locale, req_classification),
            ReqHandling => td_string!(locale, req_handling),
            ReqConfirm => td_string!(locale, req_confirm),
            ReqErrDescription => td_string!(locale, req_err_description),
            ReqErrPhone => td_string!(locale, req_err_phone),
            ReqErrCollective => td_string!(locale, req_err_collective),
            ReqErrNote => td_string!(locale, req_err_note),
            ReqErrAssignee => td_string!(locale, req_err_assignee),
            ReqErrReplyBy => td_string!(locale, req_err_reply_by),
            ReqErrPhotos => td_string!(locale, req_err_photos),
            ReqErrTooLong => td_string!(locale, req_err_too_long),
            ReqErrNotNow => td_string!(locale, req_err_not_now),
            ReqErrAssigneeOnly => td_string!(locale, req_err_assignee_only),
            ReqErrNoCallback => td_string!(locale, req_err_no_callback),
            ReqErrNotInvalid => td_string!(locale, req_err_not_invalid),
            ReqErrKindOnly => td_string!(locale, req_err_kind_only),
            ReqErrNotFound => td_string!(locale, req_err_not_found),
            ReqErrBusy => td_string!(locale, req_err_busy),
            ReqErrSave => td_string!(locale, req_err_save),
            ReqReviewTitle => td_string!(locale, req_review_title),
            ReqReviewEmpty => td_string!(locale, req_review_empty),
            ReqPrint => td_string!(locale, req_print),
            ReqAlertTitle => td_string!(locale, req_alert_title),
            ReqAlertAck => td_string!(locale, req_alert_ack),
            ReqAlertNotify => td_string!(locale, req_alert_notify),
            ReqHouseholdsCount => td_string!(locale, req_households_count),
            ReqFilterOpen => td_string!(locale, req_filter_open),
            ReqFilterOverdue => td_string!(locale, req_filter_overdue),
            ReqFilterAll => td_string!(locale, req_filter_all),
            ReqPhotoFailed => td_string!(locale, req_photo_failed),
            // End of requests keys
            // Residents and visits keys
            // End of residents and visits keys
            // Cleaning keys
            CleanArea => td_string!(locale, clean_area),
            CleanToday => td_string!(locale, clean_today),
            CleanStart => td_string!(locale, clean_start),
            CleanJoin => td_string!(locale, clean_join),
            CleanInspectedBy => td_string!(locale, clean_inspected_by),
            CleanNoArea => td_string!(locale, clean_no_area),
            CleanMax => td_string!(locale, clean_max),
            CleanFull => td_string!(locale, clean_full),
            CleanDeduct => td_string!(locale, clean_deduct),
            CleanNa => td_string!(locale, clean_na),
            CleanPoints => td_string!(locale, clean_points),
            CleanReason => td_string!(locale, clean_reason),
            CleanReasonHint => td_string!(locale, clean_reason_hint),
            CleanSaveMark => td_string!(locale, clean_save_mark),
            CleanMarkSaved => td_string!(locale, clean_mark_saved),
            CleanNotMarked => td_string!(locale, clean_not_marked),
            CleanYourMark => td_string!(locale, clean_your_mark),
            CleanPointsInvalid => td_string!(locale, clean_points_invalid),
            CleanReasonRequired => td_string!(locale, clean_reason_required),
            CleanTwoMarks => td_string!(locale, clean_two_marks),
            CleanStands => td_string!(locale, clean_stands),
            CleanRule => td_string!(locale, clean_rule),
            CleanPhotos => td_string!(locale, clean_photos),
            CleanLocked => td_string!(locale, clean_locked),
            CleanSaveFailed => td_string!(locale, clean_save_failed),
            CleanNoDocs => td_string!(locale, clean_no_docs),
            CleanReinspect => td_string!(locale, clean_reinspect),
            CleanReinspection => td_string!(locale, clean_reinspection),
            CleanPassed => td_string!(locale, clean_passed),
            CleanFailed => td_string!(locale, clean_failed),
            CleanNewDeadline => td_string!(locale, clean_new_deadline),
            CleanRecordResult => td_string!(locale, clean_record_result),
            CleanResultSaved => td_string!(locale, clean_result_saved),
            CleanDeadlineInvalid => td_string!(locale, clean_deadline_invalid),
            CleanNote => td_string!(locale, clean_note),
            CleanCancel => td_string!(locale, clean_cancel),
            CleanRectifications => td_string!(locale, clean_rectifications),
            CleanRectOpen => td_string!(locale, clean_rect_open),
            CleanRectOverdue => td_string!(locale, clean_rect_overdue),
            CleanRectClosed => td_string!(locale, clean_rect_closed),
            CleanRectNone => td_string!(locale, clean_rect_none),
            CleanDeadline => td_string!(locale, clean_deadline),
            CleanMonth => td_string!(locale, clean_month),
            CleanTotal => td_string!(locale, clean_total),
            CleanScore => td_string!(locale, clean_score),
            CleanWeight => td_string!(locale, clean_weight),
            CleanInspections => td_string!(locale, clean_inspections),
            CleanNotAssessed => td_string!(locale, clean_not_assessed),
            CleanThreshold => td_string!(locale, clean_threshold),
            CleanBelow => td_string!(locale, clean_below),
            CleanTwoBelow => td_string!(locale, clean_two_below),
            CleanDue => td_string!(locale, clean_due),
            CleanDueOverdue => td_string!(locale, clean_due_overdue),
            CleanSupervisorSign => td_string!(locale, clean_supervisor_sign),
            CleanVendorSign => td_string!(locale, clean_vendor_sign),
            CleanSignerName => td_string!(locale, clean_signer_name),
            CleanSign => td_string!(locale, clean_sign),
            CleanClear => td_string!(locale, clean_clear),
            CleanSigned => td_string!(locale, clean_signed),
            CleanSignedSaved => td_string!(locale, clean_signed_saved),
            CleanLockedBadge => td_string!(locale, clean_locked_badge),
            CleanOpenBadge => td_string!(locale, clean_open_badge),
            CleanDrawFirst => td_string!(locale, clean_draw_first),
            CleanNameRequired => td_string!(locale, clean_name_required),
            CleanSignTooEarly => td_string!(locale, clean_sign_too_early),
            CleanAlreadySigned => td_string!(locale, clean_already_signed),
            CleanPrint => td_string!(locale, clean_print),
            CleanSheetTitle => td_string!(locale, clean_sheet_title),
            CleanNoSheet => td_string!(locale, clean_no_sheet),
            CleanTemplateVersion => td_string!(locale, clean_template_version),
            CleanItem => td_string!(locale, clean_item),
            CleanDeductions => td_string!(locale, clean_deductions),
            CleanHistoryShow => td_string!(locale, clean_history_show),
            CleanHistoryTable => td_string!(locale, clean_history_table),
            CleanTemplate => td_string!(locale, clean_template),
            CleanTemplateReadOnly => td_string!(locale, clean_template_read_only),
            CleanNameZh => td_string!(locale, clean_name_zh),
            CleanNameEn => td_string!(locale, clean_name_en),
            CleanStandardZh => td_string!(locale, clean_standard_zh),
            CleanStandardEn => td_string!(locale, clean_standard_en),
            CleanAddArea => td_string!(locale, clean_add_area),
            CleanAddItem => td_string!(locale, clean_add_item),
            CleanRemove => td_string!(locale, clean_remove),
            CleanSum => td_string!(locale, clean_sum),
            CleanSumMust => td_string!(locale, clean_sum_must),
            CleanPublish => td_string!(locale, clean_publish),
            CleanPublished => td_string!(locale, clean_published),
            CleanVersions => td_string!(locale, clean_versions),
            CleanDefaultTemplate => td_string!(locale, clean_default_template),
            CleanTemplateInvalid => td_string!(locale, clean_template_invalid),
            CleanReset => td_string!(locale, clean_reset),
            // End of cleaning keys
            // Home keys
            TabPatrol => td_string!(locale, tab_patrol),
            TabRequests => td_string!(locale, tab_requests),
            TabReview => td_string!(locale, tab_review),
            TabVisits => td_string!(locale, tab_visits),
            TabResidents => td_string!(locale, tab_residents),
            TabInspect => td_string!(locale, tab_inspect),
            TabRectifications => td_string!(locale, tab_rectifications),
            TabSheet => td_string!(locale, tab_sheet),
            TabHistory => td_string!(locale, tab_history),
            TabTemplate => td_string!(locale, tab_template),
            // End of home keys
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
    let locale = lang.locale();
    match secs.div_ceil(60).max(1) {
        1 => td_string!(locale, too_many_attempts_one_minute).to_owned(),
        minutes => fill(
            td_string!(locale, too_many_attempts_minutes),
            &[("minutes", &minutes.to_string())],
        ),
    }
}

/// The confirmation before signing out with changes not yet on the server.
pub fn pending_sign_out_warning(lang: Lang, pending: usize) -> String {
    fill(
        td_string!(lang.locale(), pending_sign_out_warning),
        &[("pending", &pending.to_string())],
    )
}

/// The confirmation shown after a scan was stored on the tablet.
pub fn scan_saved(lang: Lang, code: &str, name: &str) -> String {
    fill(
        td_string!(lang.locale(), scan_saved),
        &[("code", code), ("name", name)],
    )
}

/// A message with values put into its `{name}` slots (supervisor screens).
pub fn filled(key: Key, lang: Lang, values: &[(&str, &str)]) -> String {
    fill(key.text(lang), values)
}

/// The name of a finding kind.
pub fn finding_kind_key(kind: roundbook_shared::schema::finding::FindingKind) -> Key {
    use roundbook_shared::schema::finding::FindingKind;
    match kind {
        FindingKind::FacilityDamage => Key::FindingKindFacilityDamage,
        FindingKind::FireEquipment => Key::FindingKindFireEquipment,
        FindingKind::SafetyHazard => Key::FindingKindSafetyHazard,
        FindingKind::SuspiciousPerson => Key::FindingKindSuspiciousPerson,
        FindingKind::SuspiciousVehicle => Key::FindingKindSuspiciousVehicle,
        FindingKind::Other => Key::FindingKindOther,
    }
}

/// The name of a finding's severity.
pub fn severity_key(severity: roundbook_shared::schema::finding::Severity) -> Key {
    use roundbook_shared::schema::finding::Severity;
    match severity {
        Severity::Low => Key::FindingSeverityLow,
        Severity::Medium => Key::FindingSeverityMedium,
        Severity::High => Key::FindingSeverityHigh,
    }
}

/// The confirmation before finishing a round with checkpoints left.
pub fn round_finish_confirm(lang: Lang, left: usize) -> String {
    fill(
        td_string!(lang.locale(), round_finish_confirm),
        &[("left", &left.to_string())],
    )
}

/// Puts values into a message's `{name}` slots. (leptos_i18n's own
/// `{{ name }}` interpolation builds views, not strings, unless its build-time
/// options are configured; these three strings do not justify a build script.)
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values
        .iter()
        .fold(template.to_owned(), |text, (name, value)| {
            text.replace(&format!("{{{name}}}"), value)
        })
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

    #[wasm_bindgen_test]
    fn messages_come_from_the_locale_files_with_values_filled_in() {
        assert_eq!(Key::SignIn.text(Lang::ZhCn), "登录");
        assert_eq!(Key::SignIn.text(Lang::En), "Sign in");
        assert_eq!(
            scan_saved(Lang::ZhCn, "A-01", "正门岗亭"),
            "已保存：A-01 正门岗亭"
        );
        let warning = pending_sign_out_warning(Lang::En, 3);
        assert!(warning.starts_with("3 change(s)"), "{warning}");
        assert!(!warning.contains('{'));
    }
}
