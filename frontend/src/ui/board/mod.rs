//! The rounds board (巡逻情况): for a day (today unless an earlier one is
//! picked), every zone of the user (or the one picked) with its rounds done,
//! under way, missed or incomplete, per guard, with findings, photos and
//! trust flags; each zone folds away.
//!
//! It is evaluated on this tablet from the documents it holds
//! ([`model::site_board`]), again whenever documents change and every minute
//! (windows open and close with time). Display only.

mod model;
mod round;
mod zone;

use std::time::Duration;

use chrono::NaiveDate;
use leptos::prelude::*;

use super::select::{several_zones, ZoneSelect};
use super::{ticking_clock, WorkspaceRef};
use crate::browser;
use crate::calendar::today;
use crate::i18n::{I18n, Key};
use crate::patrol::{duty_days, hold_days};
use crate::sync::SyncStatus;

use model::{site_board, RecordsCache};

/// The zone the board was last filtered to (empty: all).
const ZONE_PREF: &str = "roundbook.board_zone";

/// How often the board is evaluated again without any change.
const TICK: Duration = Duration::from_secs(60);

/// The days a tablet keeps patrol logs of: today and the six before it, as
/// the server lists them (`reach::LISTED_DAYS`).
const KEPT_DAYS: i64 = 7;

#[component]
pub fn RoundsBoard(workspace: WorkspaceRef) -> impl IntoView {
    let i18n = I18n::get();
    let status = expect_context::<SyncStatus>();
    let date = RwSignal::new(today());
    let now = ticking_clock(TICK);
    let zones = workspace.with_value(|ws| ws.session.zones().to_vec());
    // A kept day may have no patrol log on this tablet: nobody recorded one
    // (then every round of it was missed, which is what the board is for),
    // or the tablet never heard of it. Hold it and the day before (a night
    // shift crosses midnight), as the guard's screen does: born from its
    // genesis if new, and the server is asked for what it has.
    let held_zones = zones.clone();
    Effect::new(move |_| {
        let date = date.get();
        if (today() - date).num_days() >= KEPT_DAYS {
            return;
        }
        let (writer, site) =
            workspace.with_value(|ws| (ws.writer.clone(), ws.session.site_code().to_owned()));
        let zones = held_zones.clone();
        // Holding documents is not a write a form waits for: no action.
        leptos::task::spawn_local(async move {
            for zone in zones {
                hold_days(&writer, &site, &zone.code, &duty_days(date)).await;
            }
        });
    });
    let board_zones = zones.clone();
    let cache = StoredValue::new_local(RecordsCache::default());
    let board = Memo::new(move |_| {
        status.revision.track();
        let (date, now) = (date.get(), now.get());
        workspace.with_value(|ws| {
            cache
                .try_update_value(|cache| {
                    site_board(
                        &ws.library,
                        ws.session.site_code(),
                        &board_zones,
                        date,
                        now,
                        cache,
                    )
                })
                .unwrap_or_default()
        })
    });
    // One zone at a time, or all: a site's board is long.
    let shown = RwSignal::new(
        browser::pref(ZONE_PREF)
            .filter(|code| zones.iter().any(|zone| &zone.code == code))
            .unwrap_or_default(),
    );
    let codes = move || {
        let shown = shown.get();
        board.with(|zones| {
            zones
                .iter()
                .map(|z| z.zone.code.clone())
                .filter(|code| shown.is_empty() || *code == shown)
                .collect::<Vec<_>>()
        })
    };
    let filter = several_zones(workspace).then(|| {
        view! {
            <ZoneSelect
                workspace
                zone=shown
                testid="board-zone-filter"
                label=Key::BoardZoneFilter
                inline=true
                all_zones=true
                on_pick=move |code: String| browser::set_pref(ZONE_PREF, &code)
            />
        }
    });
    let pick = move |event| {
        if let Ok(picked) = NaiveDate::parse_from_str(&event_target_value(&event), "%Y-%m-%d") {
            date.set(picked.min(today()));
        }
    };
    view! {
        <section class="rounds-board" data-testid="rounds-board">
            <div class="page-head board-head">
                <h1 class="page-title">{move || i18n.t(Key::BoardTitle)}</h1>
                {filter}
                <label class="board-date-field">
                    <span>{move || i18n.t(Key::BoardDate)}</span>
                    <input
                        type="date"
                        data-testid="board-date"
                        prop:value=move || date.get().format("%Y-%m-%d").to_string()
                        max=move || { now.track(); today().format("%Y-%m-%d").to_string() }
                        on:change=pick
                        on:input=pick
                    />
                </label>
                <Show when=move || date.get() != today()>
                    <button class="button" data-testid="board-today" on:click=move |_| date.set(today())>
                        {move || i18n.t(Key::BoardToday)}
                    </button>
                </Show>
            </div>
            <For each=codes key=|code| code.clone() let:code>
                <zone::ZoneSection workspace board code />
            </For>
        </section>
    }
}
