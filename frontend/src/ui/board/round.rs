//! One round on the rounds board (time, route, kind, status, guard — or, for
//! a round nobody started, who was on duty — progress with the checkpoints
//! left, trust flags) and one finding (kind, severity,
//! note, photos, trust flags). Display only.

use leptos::prelude::*;
use roundbook_shared::compliance::{RoundKind, RoundStatus};
use roundbook_shared::schema::finding::{FindingKind, Severity};
use roundbook_shared::trust::TrustFlag;

use super::model::{delay_hours, offset_minutes, FindingLine, RoundLine};
use crate::calendar::clock_time;
use crate::i18n::{filled, finding_kind_key, severity_key, I18n, Key, Lang};
use crate::ui::photo::Photo;
use crate::ui::WorkspaceRef;

/// The `data-status` word of a status (its serde name).
fn status_word(status: RoundStatus) -> &'static str {
    match status {
        RoundStatus::Upcoming => "upcoming",
        RoundStatus::Due => "due",
        RoundStatus::InProgress => "in_progress",
        RoundStatus::Done => "done",
        RoundStatus::Incomplete => "incomplete",
        RoundStatus::Missed => "missed",
    }
}

fn status_key(status: RoundStatus) -> Key {
    match status {
        RoundStatus::Upcoming => Key::StatusUpcoming,
        RoundStatus::Due => Key::StatusDue,
        RoundStatus::InProgress => Key::StatusInProgress,
        RoundStatus::Done => Key::StatusDone,
        RoundStatus::Incomplete => Key::StatusIncomplete,
        RoundStatus::Missed => Key::StatusMissed,
    }
}

fn kind_word(kind: RoundKind) -> &'static str {
    match kind {
        RoundKind::Fixed => "fixed",
        RoundKind::Unannounced => "unannounced",
        RoundKind::Extra => "extra",
    }
}

fn kind_key(kind: RoundKind) -> Key {
    match kind {
        RoundKind::Fixed => Key::KindFixed,
        RoundKind::Unannounced => Key::KindUnannounced,
        RoundKind::Extra => Key::KindExtra,
    }
}

/// A flag as words: "A-02: tablet clock off by 12 min".
fn flag_text(lang: Lang, what: &str, flag: TrustFlag) -> String {
    match flag {
        TrustFlag::ClockOff { skew_ms } => filled(
            Key::TrustClockOff,
            lang,
            &[
                ("what", what),
                ("minutes", &offset_minutes(skew_ms).to_string()),
            ],
        ),
        TrustFlag::ArrivedLate { delay_ms } => filled(
            Key::TrustArrivedLate,
            lang,
            &[("what", what), ("hours", &delay_hours(delay_ms))],
        ),
    }
}

fn flag_word(flag: TrustFlag) -> &'static str {
    match flag {
        TrustFlag::ClockOff { .. } => "clock_off",
        TrustFlag::ArrivedLate { .. } => "arrived_late",
    }
}

/// The trust flags of a round's or a finding's records.
#[component]
fn Flags(flags: Vec<(String, TrustFlag)>) -> impl IntoView {
    let i18n = I18n::get();
    (!flags.is_empty()).then(|| {
        view! {
            <ul class="trust-flags">
                {flags
                    .into_iter()
                    .map(|(what, flag)| view! {
                        <li class="trust-flag" data-testid="trust-flag" data-flag=flag_word(flag)>
                            "⚠ " {move || flag_text(i18n.lang(), &what, flag)}
                        </li>
                    })
                    .collect_view()}
            </ul>
        }
    })
}

fn finding_kind_text(lang: Lang, kind: &str) -> String {
    FindingKind::parse(kind)
        .map(|kind| finding_kind_key(kind).text(lang).to_owned())
        .unwrap_or_else(|| kind.to_owned())
}

#[component]
pub(super) fn RoundRow(workspace: WorkspaceRef, zone: String, line: RoundLine) -> impl IntoView {
    let i18n = I18n::get();
    let outcome = line.outcome.clone();
    let (status, kind) = (outcome.status, outcome.kind);
    // A fixed round's time; when an unannounced or extra round was started.
    let time = match (outcome.due_at, &outcome.progress) {
        (Some(due), _) => clock_time(due),
        (None, Some(progress)) => clock_time(progress.started_at),
        (None, None) => "—".to_owned(),
    };
    let (start, end) = (clock_time(outcome.window.0), clock_time(outcome.window.1));
    let window = move || match kind {
        RoundKind::Fixed => format!("{start}–{end}"),
        RoundKind::Unannounced => filled(
            Key::BoardWindow,
            i18n.lang(),
            &[("start", &start), ("end", &end)],
        ),
        RoundKind::Extra => String::new(),
    };
    let progress = outcome.progress.clone();
    let guard = match (&progress, line.on_duty.is_empty()) {
        (Some(progress), _) => progress.guard_name.clone().into_any(),
        (None, false) => {
            let names = line.on_duty.join("、");
            view! { {move || i18n.t(Key::BoardOnDuty)} " " {names} }.into_any()
        }
        (None, true) => "—".into_any(),
    };
    let started = progress.as_ref().map(|p| clock_time(p.started_at));
    let counted = progress
        .is_some()
        .then(|| format!("{}/{}", line.scanned(), line.total));
    let missing = line.missing.join(" ");
    let show_missing = !line.missing.is_empty();
    let flags: Vec<(String, TrustFlag)> = line
        .flags
        .iter()
        .map(|flag| (flag.what.clone(), flag.flag))
        .collect();
    let findings = line.findings.clone();
    view! {
        <li
            class="board-round"
            data-testid="board-round"
            data-status=status_word(status)
            data-kind=kind_word(kind)
            data-due=outcome.due_at.map(|due| due.to_string()).unwrap_or_default()
            data-route=outcome.route_name.clone()
        >
            <div class="round-when">
                <span class="round-time">{time}</span>
                <span class="round-window muted">{window}</span>
            </div>
            <div class="round-body">
                <div class="round-head">
                    <strong class="round-route">{outcome.route_name.clone()}</strong>
                    <span class="muted">{line.schedule_name.clone()}</span>
                    <span class="badge">{move || i18n.t(kind_key(kind))}</span>
                    <span class="status-badge" data-status=status_word(status)>
                        {move || i18n.t(status_key(status))}
                    </span>
                </div>
                <div class="round-who">
                    <span data-testid="board-round-guard">{guard}</span>
                    {started.map(|time| view! { <span class="muted">" " {time}</span> })}
                    {counted.map(|text| view! {
                        <span class="round-progress" data-testid="board-round-progress">{text}</span>
                    })}
                </div>
                {show_missing.then(|| view! {
                    <div class="round-missing" data-testid="board-round-missing">
                        {move || i18n.t(Key::BoardMissing)} {missing.clone()}
                    </div>
                })}
                <Flags flags />
                {(!findings.is_empty()).then(|| view! {
                    <ul class="board-findings">
                        {findings
                            .into_iter()
                            .map(|line| view! { <FindingItem workspace zone=zone.clone() line /> })
                            .collect_view()}
                    </ul>
                })}
            </div>
        </li>
    }
}

#[component]
pub(super) fn FindingItem(
    workspace: WorkspaceRef,
    zone: String,
    line: FindingLine,
) -> impl IntoView {
    let i18n = I18n::get();
    let finding = line.finding;
    let kind = finding.kind.clone();
    let severity = finding.severity.clone();
    let severity_text = {
        let severity = severity.clone();
        move || {
            Severity::parse(&severity)
                .map(|s| severity_key(s).text(i18n.lang()).to_owned())
                .unwrap_or_else(|| severity.clone())
        }
    };
    let kind_text = {
        let kind = kind.clone();
        move || finding_kind_text(i18n.lang(), &kind)
    };
    let flag_kind = kind.clone();
    let flags = move || {
        let what = finding_kind_text(i18n.lang(), &flag_kind);
        let flags: Vec<(String, TrustFlag)> = line
            .flags
            .iter()
            .map(|flag| (what.clone(), *flag))
            .collect();
        view! { <Flags flags /> }
    };
    let photos = finding.photos.clone();
    view! {
        <li
            class="board-finding"
            data-testid="board-finding"
            data-checkpoint=line.checkpoint.clone().unwrap_or_default()
            data-kind=kind.clone()
            data-severity=severity.clone()
        >
            <div class="finding-head">
                <strong>{kind_text}</strong>
                <span class="severity" data-severity=severity.clone()>{severity_text}</span>
                <span class="muted">
                    {clock_time(finding.found_at)} " " {line.checkpoint.clone().unwrap_or_default()}
                    " " {finding.guard_name.clone()}
                </span>
                {finding.needs_repair.then(|| view! {
                    <span class="badge">{move || i18n.t(Key::BoardNeedsRepair)}</span>
                })}
            </div>
            <p class="finding-note">{finding.note.clone()}</p>
            {(!photos.is_empty()).then(|| view! {
                <div class="finding-photos">
                    {photos
                        .into_iter()
                        .map(|hash| view! { <Photo workspace zone=zone.clone() hash /> })
                        .collect_view()}
                </div>
            })}
            {flags}
        </li>
    }
}
