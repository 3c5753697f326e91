//! A guard's patrol screens: pick the zone (if several), take over or start
//! the shift, then, on duty, start the rounds due now, walk a round (scan its
//! checkpoints by camera or by typing), record findings, and hand over at the
//! end.
//!
//! The screens read the zone's records of yesterday and today (a night shift
//! starts the day before) through one memo, recomputed when documents change
//! and every half minute (due rounds depend on the clock). Every write goes
//! through [`crate::patrol`], which stores it and tells sync before the
//! screen says so; each runs as an [`Action`] whose `pending()` disables its
//! button. The components hold no patrol rules of their own.

mod duty;
mod findings;
mod round;
mod shift;

use std::collections::HashMap;

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::task::spawn_local;
use roundbook_shared::domain::local_date;
use roundbook_shared::schema::finding::{Finding, FindingKind};
use roundbook_shared::schema::shift::{on_duty, pending_handover, Shift};

use super::field::Field;
use super::zone_cards::ZoneCards;
use super::{ticking_clock, WorkspaceRef};
use crate::browser;
use crate::i18n::{finding_kind_key, scan_saved, I18n, Key, Lang};
use crate::patrol::{checkpoint_label, duty_days, hold_days, Patroller, MAX_NOTE_CHARS};
use crate::patrol_records::{Gather, ZoneRecords};
use crate::requests;
use crate::sync::SyncStatus;
use crate::writer::Writer;

/// How often the clock that due rounds depend on is read again.
const TICK: std::time::Duration = std::time::Duration::from_secs(30);
const ZONE_PREF: &str = "roundbook.guard_zone";

/// Which guard screen is open.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Screen {
    /// The shift card: take over, start, or on duty.
    Shift,
    /// Walking the round with this id.
    Round(String),
    /// Writing the handover at the end of the shift.
    Handover,
}

/// What every guard screen shares. Cheap to copy.
#[derive(Clone, Copy)]
struct Duty {
    workspace: WorkspaceRef,
    zone: RwSignal<String>,
    /// The zone's records of yesterday and today.
    records: Memo<ZoneRecords>,
    /// The tablet's clock, read every [`TICK`] (and after every change).
    now: RwSignal<i64>,
    screen: RwSignal<Screen>,
}

impl Duty {
    fn patroller(self) -> Patroller {
        self.workspace.with_value(|ws| Patroller {
            site: ws.session.site_code().to_owned(),
            guard: ws.session.username().to_owned(),
            guard_name: ws.session.display_name().to_owned(),
            device: ws.device.clone(),
        })
    }

    fn username(self) -> String {
        self.workspace
            .with_value(|ws| ws.session.username().to_owned())
    }

    fn writer(self) -> Writer {
        self.workspace.with_value(|ws| ws.writer.clone())
    }

    /// A change is stored (and sync told): read the clock again, so what is
    /// due reflects it.
    fn saved(self) {
        self.now.try_set(browser::now_ms());
    }
}

/// Where the guard stands with the zone's shifts.
#[derive(Debug, Clone, PartialEq)]
enum ShiftState {
    OnDuty(Shift),
    /// An outgoing guard's handover waits to be confirmed.
    Handover(Shift),
    /// This guard's own handover waits for the next guard.
    HandedOver(Shift),
    NoShift,
}

#[component]
pub fn GuardHome(workspace: WorkspaceRef) -> impl IntoView {
    let i18n = I18n::get();
    let status = expect_context::<SyncStatus>();
    let zones = workspace.with_value(|ws| ws.session.zones().to_vec());
    let remembered = browser::pref(ZONE_PREF).filter(|code| zones.iter().any(|z| &z.code == code));
    let zone = RwSignal::new(
        remembered.unwrap_or_else(|| zones.first().map(|z| z.code.clone()).unwrap_or_default()),
    );
    let now = ticking_clock(TICK);
    let records = Memo::new(move |_| {
        status.revision.track();
        let (zone, today) = (zone.get(), local_date(now.get()));
        workspace.with_value(|ws| {
            ZoneRecords::gather(
                &ws.library,
                ws.session.site_code(),
                &zone,
                &duty_days(today),
            )
        })
    });
    // Yesterday's log may not be held yet (the tablet holds today's from the
    // start): open both, and ask the server for any that are new here. When
    // the site-local day turns, every list of "today" must be read again
    // even if no document was added (the new day's may be held already).
    Effect::new(move |previous: Option<(String, NaiveDate)>| {
        let (zone, today) = (zone.get(), local_date(now.get()));
        let (writer, site) =
            workspace.with_value(|ws| (ws.writer.clone(), ws.session.site_code().to_owned()));
        let turned = previous.is_some_and(|(_, day)| day != today);
        let key = (zone.clone(), today);
        // Holding documents is not a write a form waits for: no action.
        spawn_local(async move {
            // New documents are asked for (and the screens told) by the writer.
            let added = hold_days(&writer, &site, &zone, &duty_days(today)).await;
            if turned && added.is_empty() {
                status.revision.update(|n| *n += 1);
            }
        });
        key
    });
    // A finding needing a repair whose request a closed tab never wrote
    // gets it now (the guard's own findings only, see
    // `requests::record_missing_finding_requests`); one pass at a time.
    let sweeping = StoredValue::new(false);
    Effect::new(move |_| {
        let (findings, labels) = records.with(|records| {
            let findings: Vec<Finding> = records
                .findings
                .iter()
                .filter(|finding| finding.needs_repair)
                .cloned()
                .collect();
            let labels: HashMap<String, (String, String)> = findings
                .iter()
                .map(|finding| {
                    let checkpoint = records
                        .checkpoints
                        .iter()
                        .find(|checkpoint| checkpoint.id == finding.checkpoint_id)
                        .map(checkpoint_label)
                        .unwrap_or_default();
                    let fallback = FindingKind::parse(&finding.kind)
                        .map(|kind| i18n.t(finding_kind_key(kind)).to_owned())
                        .unwrap_or_default();
                    (finding.id.clone(), (checkpoint, fallback))
                })
                .collect();
            (findings, labels)
        });
        if findings.is_empty() || sweeping.get_value() {
            return;
        }
        sweeping.set_value(true);
        let (writer, site, me) = workspace.with_value(|ws| {
            (
                ws.writer.clone(),
                ws.session.site_code().to_owned(),
                ws.session.username().to_owned(),
            )
        });
        let zone = zone.get_untracked();
        spawn_local(async move {
            requests::record_missing_finding_requests(
                &writer,
                &site,
                &zone,
                &me,
                &findings,
                |finding| labels.get(&finding.id).cloned().unwrap_or_default(),
            )
            .await;
            sweeping.set_value(false);
        });
    });
    let duty = Duty {
        workspace,
        zone,
        records,
        now,
        screen: RwSignal::new(Screen::Shift),
    };
    let me = duty.username();
    let state = Memo::new(move |_| {
        records.with(|records| {
            if let Some(shift) = on_duty(&records.shifts, &me) {
                ShiftState::OnDuty(shift.clone())
            } else if let Some(shift) = pending_handover(&records.shifts) {
                if shift.guard == me {
                    ShiftState::HandedOver(shift.clone())
                } else {
                    ShiftState::Handover(shift.clone())
                }
            } else {
                ShiftState::NoShift
            }
        })
    });

    let several = zones.len() > 1;
    let picker = move || {
        several.then(|| {
            let options = zones
                .iter()
                .map(|z| view! { <option value=z.code.clone()>{z.name.clone()}</option> })
                .collect_view();
            view! {
                <label class="field guard-zone">
                    <span>{move || i18n.t(Key::DutyZonePick)}</span>
                    <select
                        data-testid="guard-zone"
                        prop:value=move || zone.get()
                        on:change=move |event| {
                            let code = event_target_value(&event);
                            browser::set_pref(ZONE_PREF, &code);
                            duty.screen.set(Screen::Shift);
                            zone.set(code);
                        }
                    >
                        {options}
                    </select>
                </label>
            }
        })
    };

    view! {
        <div class="guard">
            {picker}
            {move || match duty.screen.get() {
                Screen::Round(round_id) => view! { <round::RoundScreen duty round_id /> }.into_any(),
                screen => {
                    let handing_over = screen == Screen::Handover;
                    view! {
                        {move || match state.get() {
                            ShiftState::OnDuty(shift) if handing_over => {
                                view! { <shift::HandoverForm duty shift /> }.into_any()
                            }
                            ShiftState::OnDuty(shift) => view! {
                                <duty::OnDuty duty shift />
                                <h2 class="section-title">{move || i18n.t(Key::TodayPatrol)}</h2>
                                <ZoneCards workspace />
                            }
                            .into_any(),
                            ShiftState::Handover(outgoing) => {
                                view! { <shift::TakeOver duty outgoing /> }.into_any()
                            }
                            ShiftState::HandedOver(outgoing) => {
                                view! { <shift::HandedOver duty outgoing /> }.into_any()
                            }
                            ShiftState::NoShift => view! { <shift::StartShift duty /> }.into_any(),
                        }}
                    }
                    .into_any()
                }
            }}
        </div>
    }
}

/// What a message under a form says, in the language shown.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Said {
    Key(Key),
    /// A scan was stored.
    ScanSaved {
        code: String,
        name: String,
    },
}

impl Said {
    fn text(&self, lang: Lang) -> String {
        match self {
            Said::Key(key) => key.text(lang).to_owned(),
            Said::ScanSaved { code, name } => scan_saved(lang, code, name),
        }
    }
}

/// A success or a refusal, as shown under a form.
type Message = Option<(bool, Said)>;

/// The message of a write's last refusal (none while it runs again), in
/// the words `key` picks for it.
fn refusal<I, T, E>(write: Action<I, Result<T, E>>, key: fn(&E) -> Key) -> Signal<Message>
where
    I: 'static,
    T: Clone + 'static,
    E: Clone + 'static,
{
    let (pending, value) = (write.pending(), write.value());
    Signal::derive(move || {
        if pending.get() {
            return None;
        }
        match value.get()? {
            Ok(_) => None,
            Err(error) => Some((false, Said::Key(key(&error)))),
        }
    })
}

/// A message under a form: `data-kind` is `ok` or `error`.
#[component]
fn Feedback(
    /// The message's test id.
    testid: &'static str,
    #[prop(into)] message: Signal<Message>,
) -> impl IntoView {
    let i18n = I18n::get();
    move || {
        message.get().map(|(ok, said)| {
            view! {
                <p
                    class=if ok { "message message-ok" } else { "message message-error" }
                    role="status"
                    data-testid=testid
                    data-kind=if ok { "ok" } else { "error" }
                >
                    {said.text(i18n.lang())}
                </p>
            }
        })
    }
}

/// A patrol note (a finding's, a handover's), at most [`MAX_NOTE_CHARS`].
#[component]
fn NoteField(
    label: Key,
    hint: Key,
    testid: &'static str,
    rows: &'static str,
    value: RwSignal<String>,
) -> impl IntoView {
    let i18n = I18n::get();
    view! {
        <Field label>
            <textarea
                data-testid=testid
                rows=rows
                maxlength=MAX_NOTE_CHARS.to_string()
                placeholder=move || i18n.t(hint)
                bind:value=value
            ></textarea>
        </Field>
    }
}

/// The last row of a guard's form: cancel, then the large submit button
/// whose text is `children`.
#[component]
fn SubmitRow(
    cancel_testid: &'static str,
    on_cancel: impl Fn() + 'static,
    submit_testid: &'static str,
    /// While a save runs (or photos are still being stored).
    disabled: Signal<bool>,
    children: Children,
) -> impl IntoView {
    let i18n = I18n::get();
    view! {
        <div class="button-row">
            <button type="button" class="button" data-testid=cancel_testid on:click=move |_| on_cancel()>
                {move || i18n.t(Key::DutyCancel)}
            </button>
            <button
                type="submit"
                class="button button-primary button-large"
                data-testid=submit_testid
                disabled=move || disabled.get()
            >
                {children()}
            </button>
        </div>
    }
}
