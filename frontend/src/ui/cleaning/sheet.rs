//! The month's score sheet: score per area and the total out of 100, areas
//! not assessed, the threshold flags, the due date (5th of next month), the
//! two drawn signatures that lock the month, and a printable sheet (print
//! styles in `app.css` print only `.clean-print`).
//!
//! Test ids: `sheet-month` (select of held months), `sheet-area`
//! (`data-area-id`, `data-score` or "" when not assessed), `sheet-not-assessed`,
//! `sheet-total` (`data-total`), `sheet-threshold` (`data-value`, the
//! month's template version's), `sheet-provisional` (the total of a month
//! still in progress, which carries no verdict), `sheet-below`,
//! `sheet-streak`, `sheet-due` (`data-overdue`), `sheet-state`
//! (`data-locked`), `sign-opens` (`data-date`: shown while the month may not
//! be signed yet; the pads are disabled), `sign-supervisor-form` /
//! `sign-vendor-form` (`data-signed`), `sign-supervisor-name` /
//! `sign-vendor-name`, the pads `sign-supervisor-pad` / `sign-vendor-pad` with
//! `-clear`, `sign-supervisor-submit` / `sign-vendor-submit`,
//! `sign-supervisor-result` / `sign-vendor-result`, `sheet-print`,
//! `print-sheet`, `print-template` (the template version line),
//! `print-deduction`, `print-signature` (`data-party`).

use chrono::{Datelike, NaiveDate};
use leptos::prelude::*;
use roundbook_shared::domain::local_date;
use roundbook_shared::schema::cleaning::{
    Template, OUTCOME_DEDUCTED, PARTY_SUPERVISOR, PARTY_VENDOR,
};
use roundbook_shared::score::resolve;

use super::signature::{Pad, SignaturePad};
use super::{actor, area_label, area_name, error_key, item_label, labelled, year_of_sheets, Said};
use crate::browser;
use crate::calendar::{short_time, today};
use crate::cleaning::{self, MonthView, SignOff, SITE_BLOBS};
use crate::i18n::{filled, I18n, Key, Lang};
use crate::sync::SyncStatus;
use crate::ui::chart::one_decimal;
use crate::ui::field::Field;
use crate::ui::photo::Photo;
use crate::ui::{writer_and_site, WorkspaceRef};

#[component]
pub fn SheetTab(workspace: WorkspaceRef) -> impl IntoView {
    let i18n = I18n::get();
    let status = expect_context::<SyncStatus>();
    let months = cleaning::last_months(today(), 12);
    // Until the 5th the sheet due is last month's: show that one first.
    let first = if today().day() <= 5 {
        months.iter().rev().nth(1).copied()
    } else {
        None
    };
    let chosen = RwSignal::new(first.unwrap_or_else(|| cleaning::month_start(today())));
    let history = year_of_sheets(workspace);
    let entry = Memo::new(move |_| {
        let month = chosen.get();
        history.with(|h| h.iter().find(|m| m.month == month).cloned())
    });
    let view_of = Memo::new(move |_| entry.with(|e| e.as_ref().and_then(|e| e.view.clone())));
    let locked = Memo::new(move |_| view_of.with(|v| v.as_ref().is_some_and(|v| v.locked)));
    // Signing opens on the month's last day (the shared rule the sign-off
    // itself checks): until then the pads take no ink.
    let signable = Memo::new(move |_| {
        status.revision.track();
        cleaning::may_sign(chosen.get(), browser::now_ms())
    });
    let options = months
        .iter()
        .rev()
        .map(|m| view! { <option value=m.to_string()>{m.format("%Y-%m").to_string()}</option> })
        .collect_view();
    let due = move || cleaning::due_date(chosen.get());
    let due_overdue = move || today() > due() && !locked.get();
    let print = move |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.print();
        }
    };
    view! {
        <section class="card no-print">
            <h1 class="page-title">{move || i18n.t(Key::CleanSheetTitle)}</h1>
            <div class="field-row">
                <Field label=Key::CleanMonth>
                    <select
                        data-testid="sheet-month"
                        prop:value=move || chosen.get().to_string()
                        on:change=move |event| {
                            if let Ok(day) = event_target_value(&event).parse::<NaiveDate>() {
                                chosen.set(day);
                            }
                        }
                    >
                        {options}
                    </select>
                </Field>
                <span
                    class=move || if locked.get() { "badge badge-ok" } else { "badge" }
                    data-testid="sheet-state"
                    data-locked=move || locked.get().to_string()
                >
                    {move || i18n.t(if locked.get() { Key::CleanLockedBadge } else { Key::CleanOpenBadge })}
                </span>
            </div>
            <p data-testid="sheet-due" data-overdue=move || due_overdue().to_string() class:error-text=due_overdue>
                {move || labelled(i18n.lang(), Key::CleanDue, &due().to_string())}
                {move || due_overdue().then(|| format!(" · {}", i18n.t(Key::CleanDueOverdue)))}
            </p>
            {move || match view_of.get() {
                None => view! { <p class="muted">{move || i18n.t(Key::CleanNoSheet)}</p> }.into_any(),
                Some(view) => {
                    let (below, streak, is_final) = entry.with(|e| {
                        e.as_ref().map_or((false, false, false), |e| (e.below, e.streak, e.is_final))
                    });
                    view! { <Scores view below streak is_final /> }.into_any()
                }
            }}
        </section>
        <section class="card no-print clean-signing">
            <Show when=move || !signable.get() && !locked.get()>
                <p
                    class="banner banner-warn"
                    data-testid="sign-opens"
                    data-date=move || cleaning::signing_opens(chosen.get()).to_string()
                >
                    {move || {
                        let date = cleaning::signing_opens(chosen.get()).to_string();
                        filled(Key::CleanSignOpens, i18n.lang(), &[("date", &date)])
                    }}
                </p>
            </Show>
            <SignForm workspace party=PARTY_SUPERVISOR prefix="sign-supervisor" month=chosen view=view_of locked signable />
            <SignForm workspace party=PARTY_VENDOR prefix="sign-vendor" month=chosen view=view_of locked signable />
            <button class="button" data-testid="sheet-print" on:click=print disabled=move || view_of.with(Option::is_none)>
                {move || i18n.t(Key::CleanPrint)}
            </button>
        </section>
        {move || view_of.get().map(|view| {
            let is_final = entry.with(|e| e.as_ref().is_some_and(|e| e.is_final));
            view! { <PrintSheet workspace view is_final /> }
        })}
    }
}

/// The per-area scores, the total and the flags. A month still in
/// progress (`is_final` false) shows its total as provisional, without a
/// verdict.
#[component]
fn Scores(view: MonthView, below: bool, streak: bool, is_final: bool) -> impl IntoView {
    let i18n = I18n::get();
    let lang = move || i18n.lang();
    let template = view.template.clone();
    let rows = view
        .sheet
        .areas
        .iter()
        .map(|area| {
            let template = template.clone();
            let id = area.area_id.clone();
            let score = area.score;
            view! {
                <tr data-testid="sheet-area" data-area-id=area.area_id.clone() data-score=score.map(one_decimal).unwrap_or_default()>
                    <td>{move || area_label(lang(), &template, &id)}</td>
                    <td>{area.weight}</td>
                    <td>{area.inspections}</td>
                    <td>{match score {
                        Some(score) => view! { <span>{one_decimal(score)}</span> }.into_any(),
                        None => view! { <span class="muted" data-testid="sheet-not-assessed">{move || i18n.t(Key::CleanNotAssessed)}</span> }.into_any(),
                    }}</td>
                </tr>
            }
        })
        .collect_view();
    let total = view.sheet.total;
    let provisional = total.is_some() && !is_final;
    let threshold = view.template.threshold();
    view! {
        <table class="clean-table">
            <thead>
                <tr>
                    <th>{move || i18n.t(Key::CleanArea)}</th>
                    <th>{move || i18n.t(Key::CleanWeight)}</th>
                    <th>{move || i18n.t(Key::CleanInspections)}</th>
                    <th>{move || i18n.t(Key::CleanScore)}</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
            <tfoot>
                <tr data-testid="sheet-total" data-total=total.map(one_decimal).unwrap_or_default()>
                    <th>{move || i18n.t(Key::CleanTotal)}</th>
                    <td>"100"</td>
                    <td></td>
                    <th>
                        {total.map(one_decimal).unwrap_or_else(|| "—".into())}
                        {provisional.then(|| view! {
                            " " <span class="badge" data-testid="sheet-provisional">{move || i18n.t(Key::CleanProvisional)}</span>
                        })}
                    </th>
                </tr>
            </tfoot>
        </table>
        {provisional.then(|| view! { <p class="muted" data-testid="sheet-provisional-note">{move || i18n.t(Key::CleanProvisionalNote)}</p> })}
        <p class="muted" data-testid="sheet-threshold" data-value=one_decimal(threshold)>
            {move || labelled(i18n.lang(), Key::CleanThreshold, &one_decimal(threshold))}
        </p>
        {below.then(|| view! { <p class="banner banner-warn" data-testid="sheet-below">{move || i18n.t(Key::CleanBelow)}</p> })}
        {streak.then(|| view! { <p class="banner banner-error" data-testid="sheet-streak">{move || i18n.t(Key::CleanTwoBelow)}</p> })}
    }
}

/// One party's sign-off: the signer's name, the pad, and the sign button;
/// once signed, who signed and the image.
#[component]
fn SignForm(
    workspace: WorkspaceRef,
    party: &'static str,
    prefix: &'static str,
    month: RwSignal<NaiveDate>,
    view: Memo<Option<MonthView>>,
    locked: Memo<bool>,
    /// Signing has opened for the month.
    signable: Memo<bool>,
) -> impl IntoView {
    let i18n = I18n::get();
    let pad = Pad::new();
    // A pad drawn on before the month changed is wiped.
    Effect::new(move |_| {
        if !signable.get() {
            pad.clear();
        }
    });
    let default_name = if party == PARTY_SUPERVISOR {
        workspace.with_value(|ws| ws.session.display_name().to_owned())
    } else {
        String::new()
    };
    let name = RwSignal::new(default_name);
    let said = RwSignal::new(None::<(bool, Key)>);
    let save = Action::new_local(move |sign_off: &SignOff| {
        let ((writer, site), who) = (writer_and_site(workspace), actor(workspace));
        let (blobs, sign_off) = (
            workspace.with_value(|ws| ws.blobs.clone()),
            sign_off.clone(),
        );
        async move {
            let now = browser::now_ms();
            match cleaning::sign(&writer, &blobs, &site, &who, sign_off, now).await {
                Ok(_) => {
                    said.try_set(Some((true, Key::CleanSignedSaved)));
                }
                Err(error) => {
                    said.try_set(Some((false, error_key(&error))));
                }
            }
        }
    });
    let busy = save.pending();
    let signature =
        Memo::new(move |_| view.with(|v| v.as_ref().and_then(|v| v.signature(party).cloned())));
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        said.set(None);
        save.dispatch_local(SignOff {
            month: month.get_untracked(),
            party,
            name: name.get_untracked(),
            png: pad.png(),
        });
    };
    let title = if party == PARTY_SUPERVISOR {
        Key::CleanSupervisorSign
    } else {
        Key::CleanVendorSign
    };
    view! {
        <form
            class="clean-sign"
            data-testid=format!("{prefix}-form")
            data-signed=move || signature.with(Option::is_some).to_string()
            novalidate
            on:submit=submit
        >
            <h2>{move || i18n.t(title)}</h2>
            {move || match signature.get() {
                Some(signed) => view! {
                    <p>
                        {
                            let name = signed.name.clone();
                            move || labelled(i18n.lang(), Key::CleanSigned, &name)
                        }
                        " · " {short_time(signed.signed_at)}
                    </p>
                    <Photo workspace zone=SITE_BLOBS.to_string() hash=signed.image.clone() />
                }
                .into_any(),
                None => ().into_any(),
            }}
            <Show when=move || signature.with(Option::is_none)>
                <Field label=Key::CleanSignerName>
                    <input
                        type="text"
                        maxlength="64"
                        data-testid=format!("{prefix}-name")
                        bind:value=name
                        disabled=move || locked.get() || !signable.get()
                    />
                </Field>
                <SignaturePad
                    pad
                    prefix
                    disabled=Signal::derive(move || locked.get() || busy.get() || !signable.get())
                    clear_label=Signal::derive(move || i18n.t(Key::CleanClear).to_owned())
                />
                <button
                    type="submit"
                    class="button button-primary"
                    data-testid=format!("{prefix}-submit")
                    disabled=move || busy.get() || locked.get() || !signable.get()
                >
                    {move || i18n.t(Key::CleanSign)}
                </button>
            </Show>
            <Said testid=if party == PARTY_SUPERVISOR { "sign-supervisor-result" } else { "sign-vendor-result" } said />
        </form>
    }
}

/// The template line of the printed sheet: "模板：第 1 版 · 2026-12-01"
/// (versions count from 1, with the site-local day they were published), or
/// the built-in default.
pub fn template_line(lang: Lang, template: &Template) -> String {
    if template.version == 0 || template.published_at <= 0 {
        return Key::CleanTemplateLineDefault.text(lang).to_owned();
    }
    let date = local_date(template.published_at).to_string();
    filled(
        Key::CleanTemplateLine,
        lang,
        &[("version", &template.version.to_string()), ("date", &date)],
    )
}

/// The printed sheet: the month, every area and item with its deductions
/// and reasons, the totals and both signatures.
#[component]
fn PrintSheet(workspace: WorkspaceRef, view: MonthView, is_final: bool) -> impl IntoView {
    let i18n = I18n::get();
    let lang = i18n.lang();
    let site_name = workspace.with_value(|ws| ws.session.site_name().to_owned());
    let template = &view.template;
    let routine: Vec<_> = view.inspections.iter().filter(|i| i.is_routine()).collect();
    let areas = template
        .areas
        .iter()
        .map(|area| {
            let score = view
                .sheet
                .areas
                .iter()
                .find(|a| a.area_id == area.id)
                .and_then(|a| a.score);
            let deductions = routine
                .iter()
                .filter(|i| i.area_id == area.id)
                .flat_map(|inspection| {
                    resolve(template, &area.id, view.marks_of(&inspection.id))
                        .into_values()
                        .filter(|r| r.stood.outcome == OUTCOME_DEDUCTED)
                        .map(|r| {
                            let item = item_label(lang, template, &area.id, &r.item_id);
                            (inspection.date.clone(), item, r.stood.deduction, r.stood.reason.clone())
                        })
                        .collect::<Vec<_>>()
                })
                .map(|(date, item, points, reason)| {
                    view! {
                        <li data-testid="print-deduction">{format!("{date} {item} −{points} {reason}")}</li>
                    }
                })
                .collect_view();
            view! {
                <tr>
                    <td>{area_name(lang, area)}</td>
                    <td>{area.weight()}</td>
                    <td>{score.map(one_decimal).unwrap_or_else(|| i18n.t(Key::CleanNotAssessed).to_owned())}</td>
                    <td><ul>{deductions}</ul></td>
                </tr>
            }
        })
        .collect_view();
    let signatures = [PARTY_SUPERVISOR, PARTY_VENDOR]
        .into_iter()
        .map(|party| {
            let label = if party == PARTY_SUPERVISOR {
                Key::CleanSupervisorSign
            } else {
                Key::CleanVendorSign
            };
            let signed = view.signature(party).cloned();
            view! {
                <div class="print-signature" data-testid="print-signature" data-party=party>
                    <div>{i18n.t(label)}</div>
                    {signed.map(|s| view! {
                        <Photo workspace zone=SITE_BLOBS.to_string() hash=s.image.clone() />
                        <div>{s.name.clone()} " · " {short_time(s.signed_at)}</div>
                    })}
                </div>
            }
        })
        .collect_view();
    view! {
        <section class="clean-print" data-testid="print-sheet">
            <h2>{format!("{site_name} · {} · {}", i18n.t(Key::CleanSheetTitle), view.month.format("%Y-%m"))}</h2>
            <p>
                <span data-testid="print-template">{template_line(lang, template)}</span>
                " · "
                {labelled(lang, Key::CleanThreshold, &one_decimal(template.threshold()))}
            </p>
            <table class="clean-table">
                <thead>
                    <tr>
                        <th>{i18n.t(Key::CleanArea)}</th>
                        <th>{i18n.t(Key::CleanWeight)}</th>
                        <th>{i18n.t(Key::CleanScore)}</th>
                        <th>{i18n.t(Key::CleanDeductions)}</th>
                    </tr>
                </thead>
                <tbody>{areas}</tbody>
                <tfoot>
                    <tr>
                        <th>{i18n.t(Key::CleanTotal)}</th>
                        <td>"100"</td>
                        <th>
                            {view.sheet.total.map(one_decimal).unwrap_or_else(|| "—".into())}
                            {(view.sheet.total.is_some() && !is_final).then(|| format!(" {}", i18n.t(Key::CleanProvisional)))}
                        </th>
                        <td></td>
                    </tr>
                </tfoot>
            </table>
            <div class="print-signatures">{signatures}</div>
        </section>
    }
}
