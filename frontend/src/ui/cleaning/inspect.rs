//! Inspecting an area today: pick the area, start (or join) today's
//! inspection, mark each item full / deducted (points and reason) / not
//! applicable with photos, all offline. Where two supervisors marked an item
//! differently it shows both marks and which stood (the stricter mark, by
//! `roundbook_shared::score::resolve`). Open rectifications of the area can be
//! re-inspected from here too.
//!
//! Test ids: `inspect-area` (select), `inspect-start` (`data-join` = "true"
//! when joining), `inspect-locked`, `inspect-items` (`data-inspection-id`),
//! `inspect-item` (`data-item-id`, `data-max`, `data-outcome` of the standing
//! mark or ""), `inspect-standing` (the standing mark text), `mark-full`,
//! `mark-deduct`, `mark-na`, `mark-points`, `mark-reason`, `mark-photo-input`,
//! `mark-photo-thumb`, `mark-save`, `mark-cancel`, `mark-result`,
//! `inspect-conflict` (per item with differing marks), `inspect-conflict-mark`
//! (`data-by`, `data-stood` = "true"/"false"), `inspect-rule`, and the
//! re-inspection ids of [`super::rectifications::Reinspect`].

use leptos::prelude::*;
use roundbook_shared::schema::cleaning::{
    Inspection, Item, Mark, OUTCOME_DEDUCTED, OUTCOME_FULL, OUTCOME_NA,
};
use roundbook_shared::score::{resolve, ResolvedMark};

use super::rectifications::RectificationCard;
use super::{actor, error_key, item_name, item_standard, labelled, site, AreaOptions, Said};
use crate::browser;
use crate::calendar::{short_time, today};
use crate::cleaning::{self, MarkDraft, MonthView, SITE_BLOBS};
use crate::i18n::{filled, I18n, Key, Lang};
use crate::sync::SyncStatus;
use crate::ui::field::Field;
use crate::ui::photo::Photo;
use crate::ui::photo_picker::{when_failed, PhotoPicker, PickedPhotos};
use crate::ui::select::LabelledSelect;
use crate::ui::{writer_and_site, WorkspaceRef};

#[component]
pub fn InspectTab(workspace: WorkspaceRef) -> impl IntoView {
    let i18n = I18n::get();
    let status = expect_context::<SyncStatus>();
    let site = site(workspace);
    let view = {
        let site = site.clone();
        Memo::new(move |_| {
            status.revision.track();
            workspace.with_value(|ws| cleaning::month(&ws.library, &site, today()))
        })
    };
    let template = {
        let site = site.clone();
        Memo::new(move |_| {
            status.revision.track();
            view.get()
                .map(|v| v.template)
                .unwrap_or_else(|| workspace.with_value(|ws| cleaning::current(&ws.library, &site)))
        })
    };
    let area = RwSignal::new(String::new());
    Effect::new(move |_| {
        if area.get_untracked().is_empty() {
            if let Some(first) = template.with(|t| t.areas.first().map(|a| a.id.clone())) {
                area.set(first);
            }
        }
    });
    let inspection = Memo::new(move |_| {
        let id = roundbook_shared::schema::cleaning::inspection_id(&area.get(), today());
        view.with(|v| v.as_ref().and_then(|v| v.inspection(&id).cloned()))
    });
    let locked = Memo::new(move |_| view.with(|v| v.as_ref().is_some_and(|v| v.locked)));
    let said = RwSignal::new(None::<(bool, Key)>);
    let starting = {
        let site = site.clone();
        Action::new_local(move |area: &String| {
            let (writer, who, site, area) = (
                workspace.with_value(|ws| ws.writer.clone()),
                actor(workspace),
                site.clone(),
                area.clone(),
            );
            async move {
                let now = browser::now_ms();
                if let Err(error) =
                    cleaning::start_inspection(&writer, &site, &who, &area, now).await
                {
                    said.try_set(Some((false, error_key(&error))));
                }
            }
        })
    };
    let busy = starting.pending();
    let start = move |_| {
        if busy.get_untracked() {
            return;
        }
        said.set(None);
        starting.dispatch_local(area.get_untracked());
    };
    let open_here = move || {
        let current = area.get();
        view.get()
            .map(|v| {
                v.rectifications
                    .iter()
                    .filter(|r| r.is_open() && r.area_id == current)
                    .cloned()
                    .map(|r| (v.month, v.template.clone(), r))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    view! {
        <section class="card clean-inspect">
            <h1 class="page-title">{move || i18n.t(Key::CleanToday)}</h1>
            <Show when=move || locked.get()>
                <p class="banner banner-warn" data-testid="inspect-locked">{move || i18n.t(Key::CleanLocked)}</p>
            </Show>
            <div class="field-row">
                <LabelledSelect label=Key::CleanArea testid="inspect-area" value=area>
                    <AreaOptions template />
                </LabelledSelect>
                <Show when=move || inspection.with(Option::is_none)>
                    <button
                        class="button button-primary button-large"
                        data-testid="inspect-start"
                        data-join="false"
                        disabled=move || busy.get() || locked.get() || area.with(String::is_empty)
                        on:click=start
                    >
                        {move || i18n.t(Key::CleanStart)}
                    </button>
                </Show>
            </div>
            <Said testid="inspect-result" said />
            {move || {
                inspection
                    .get()
                    .map(|inspection| {
                        view! { <InspectionItems workspace view inspection locked /> }
                    })
            }}
        </section>
        <section class="card">
            <h2>{move || i18n.t(Key::CleanRectifications)}</h2>
            <ul class="clean-rects">
                <For each=open_here key=|(_, _, r)| (r.id.clone(), r.deadline, r.status.clone()) let:entry>
                    <RectificationCard workspace month=entry.0 template=entry.1 rectification=entry.2 locked />
                </For>
            </ul>
        </section>
    }
}

/// The items of one inspection with everyone's marks.
#[component]
fn InspectionItems(
    workspace: WorkspaceRef,
    view: Memo<Option<MonthView>>,
    inspection: Inspection,
    locked: Memo<bool>,
) -> impl IntoView {
    let i18n = I18n::get();
    let items: Vec<Item> = view
        .with_untracked(|v| {
            v.as_ref().and_then(|v| {
                v.template
                    .area(&inspection.area_id)
                    .map(|a| a.items.clone())
            })
        })
        .unwrap_or_default();
    let (inspection_id, area_id) = (inspection.id.clone(), inspection.area_id.clone());
    let resolved = Memo::new(move |_| {
        view.with(|v| {
            v.as_ref()
                .map(|v| resolve(&v.template, &area_id, v.marks_of(&inspection_id)))
                .unwrap_or_default()
        })
    });
    let rows = items
        .into_iter()
        .map(|item| {
            let item_id = item.id.clone();
            let mark = Signal::derive(move || resolved.with(|r| r.get(&item_id).cloned()));
            view! { <ItemRow workspace inspection=inspection.clone() item mark locked /> }
        })
        .collect_view();
    view! {
        <p class="muted">
            {
                let by = inspection.started_by_name.clone();
                move || labelled(i18n.lang(), Key::CleanInspectedBy, &by)
            }
            " · " {short_time(inspection.started_at)}
        </p>
        <p class="muted" data-testid="inspect-rule">{move || i18n.t(Key::CleanRule)}</p>
        <ol class="clean-items" data-testid="inspect-items" data-inspection-id=inspection.id.clone()>
            {rows}
        </ol>
    }
}

/// What a mark gives, unambiguously: the points deducted and the score
/// left ("扣 2 分 · 得 4/6"), full marks, or not applicable.
pub fn points_text(lang: Lang, mark: &Mark, max: u32) -> String {
    let max_text = max.to_string();
    match (mark.outcome.as_str(), mark.awarded(max)) {
        (OUTCOME_DEDUCTED, Some(awarded)) => filled(
            Key::CleanMarkDeducted,
            lang,
            &[
                ("points", &(max - awarded).to_string()),
                ("awarded", &awarded.to_string()),
                ("max", &max_text),
            ],
        ),
        (OUTCOME_FULL, _) => filled(Key::CleanMarkFull, lang, &[("max", &max_text)]),
        _ => Key::CleanMarkNa.text(lang).to_owned(),
    }
}

/// A mark as one line: what it gives, the reason, who and when.
fn mark_text(lang: Lang, mark: &Mark, max: u32) -> String {
    let points = points_text(lang, mark, max);
    let reason = if mark.reason.is_empty() {
        String::new()
    } else {
        format!(" · {}", mark.reason)
    };
    format!(
        "{points}{reason} · {} {}",
        mark.by_name,
        short_time(mark.at)
    )
}

/// One item: its standard, the standing mark, a conflict if any, and the
/// actor's mark form.
#[component]
fn ItemRow(
    workspace: WorkspaceRef,
    inspection: Inspection,
    item: Item,
    #[prop(into)] mark: Signal<Option<ResolvedMark>>,
    locked: Memo<bool>,
) -> impl IntoView {
    let i18n = I18n::get();
    let max = item.max_score;
    let choice = RwSignal::new(None::<&'static str>);
    let points = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let photos = PickedPhotos::new();
    // The form's own check is told here too.
    let said = RwSignal::new(None::<(bool, Key)>);
    let marking = {
        let (inspection, item_id) = (inspection.clone(), item.id.clone());
        Action::new_local(move |draft: &MarkDraft| {
            let ((writer, site), who) = (writer_and_site(workspace), actor(workspace));
            let (inspection, item_id, draft) = (inspection.clone(), item_id.clone(), draft.clone());
            async move {
                let now = browser::now_ms();
                match cleaning::save_mark(&writer, &site, &who, &inspection, &item_id, &draft, now)
                    .await
                {
                    Ok(_) => {
                        choice.try_set(None);
                        said.try_set(Some((true, Key::CleanMarkSaved)));
                    }
                    Err(error) => {
                        said.try_set(Some((false, error_key(&error))));
                    }
                }
            }
        })
    };
    let busy = marking.pending();

    let save = move |outcome: &'static str| {
        if busy.get_untracked() || photos.processing_untracked() {
            return;
        }
        let deduction = if outcome == OUTCOME_DEDUCTED {
            match points.get_untracked().trim().parse::<u32>() {
                Ok(points) => points,
                Err(_) => {
                    said.set(Some((false, Key::CleanPointsInvalid)));
                    return;
                }
            }
        } else {
            0
        };
        let draft = MarkDraft {
            outcome,
            deduction,
            reason: reason.get_untracked(),
            photos: photos.hashes_untracked(),
        };
        said.set(None);
        marking.dispatch_local(draft);
    };

    let lang = move || i18n.lang();
    let standing = move || {
        mark.get()
            .map(|r| mark_text(lang(), &r.stood, max))
            .unwrap_or_else(|| i18n.t(Key::CleanNotMarked).to_owned())
    };
    let conflict = move || {
        mark.get().filter(ResolvedMark::is_conflict).map(|r| {
            let stood = std::iter::once((true, r.stood.clone()));
            let others = r.others.iter().cloned().map(|m| (false, m));
            let lines = stood
                .chain(others)
                .map(|(stood, m)| {
                    view! {
                        <li
                            data-testid="inspect-conflict-mark"
                            data-by=m.by.clone()
                            data-stood=stood.to_string()
                            class:clean-stood=stood
                        >
                            {mark_text(lang(), &m, max)}
                            {stood.then(|| view! { <strong>" ✓ " {move || i18n.t(Key::CleanStands)}</strong> })}
                        </li>
                    }
                })
                .collect_view();
            view! {
                <div class="clean-conflict" data-testid="inspect-conflict">
                    <strong>{move || i18n.t(Key::CleanTwoMarks)}</strong>
                    <ul>{lines}</ul>
                </div>
            }
        })
    };
    let mark_photos = {
        move || {
            mark.get()
                .map(|r| {
                    std::iter::once(r.stood)
                        .chain(r.others)
                        .flat_map(|m| m.photos)
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
                .into_iter()
                .map(|hash| view! { <Photo workspace zone=SITE_BLOBS.to_string() hash /> })
                .collect_view()
        }
    };
    let (save_full, save_na, save_deduct) = (save, save, save);
    let disabled = move || locked.get() || busy.get();
    let item_id = item.id.clone();
    view! {
        <li
            class="clean-item"
            data-testid="inspect-item"
            data-item-id=item_id
            data-max=max.to_string()
            data-outcome=move || mark.get().map(|r| r.stood.outcome).unwrap_or_default()
        >
            <div class="clean-item-head">
                <strong>{
                    let item = item.clone();
                    move || item_name(lang(), &item)
                }</strong>
                <span class="muted">{move || i18n.t(Key::CleanMax)} " " {max}</span>
            </div>
            <p class="muted">{
                let item = item.clone();
                move || item_standard(lang(), &item)
            }</p>
            <p data-testid="inspect-standing">{standing}</p>
            {conflict}
            <div class="thumbs">{mark_photos}</div>
            <div class="button-row">
                {outcome_button("mark-full", Key::CleanFull, disabled, move || save_full(OUTCOME_FULL))}
                {outcome_button("mark-deduct", Key::CleanDeduct, disabled, move || {
                    choice.set(Some(OUTCOME_DEDUCTED))
                })}
                {outcome_button("mark-na", Key::CleanNa, disabled, move || save_na(OUTCOME_NA))}
            </div>
            <Show when=move || choice.get() == Some(OUTCOME_DEDUCTED)>
                <form
                    class="clean-deduct"
                    novalidate
                    on:submit={
                        move |event: leptos::ev::SubmitEvent| {
                            event.prevent_default();
                            save_deduct(OUTCOME_DEDUCTED);
                        }
                    }
                >
                    <label class="field">
                        <span>{move || filled(Key::CleanPointsRange, i18n.lang(), &[("max", &max.to_string())])}</span>
                        <input
                            type="number"
                            inputmode="numeric"
                            min="1"
                            max=max.to_string()
                            data-testid="mark-points"
                            bind:value=points
                        />
                    </label>
                    <Field label=Key::CleanReason>
                        <textarea
                            rows="2"
                            maxlength="500"
                            data-testid="mark-reason"
                            placeholder=move || i18n.t(Key::CleanReasonHint)
                            bind:value=reason
                        ></textarea>
                    </Field>
                    <PhotoPicker
                        workspace
                        zone=SITE_BLOBS.to_string()
                        photos
                        label=Key::CleanPhotos
                        testid="mark-photo"
                        on_problem=when_failed(move || {
                            said.try_set(Some((false, Key::PhotoFailed)));
                        })
                    />
                    <div class="button-row">
                        <button type="button" class="button" data-testid="mark-cancel" on:click=move |_| choice.set(None)>
                            {move || i18n.t(Key::CleanCancel)}
                        </button>
                        <button
                            type="submit"
                            class="button button-primary"
                            data-testid="mark-save"
                            disabled=move || { busy.get() || photos.processing() }
                        >
                            {move || i18n.t(Key::CleanSaveMark)}
                        </button>
                    </div>
                </form>
            </Show>
            <Said testid="mark-result" said />
        </li>
    }
}

/// One of a mark's outcome buttons (full, deduct, not applicable); they
/// differ only in what a click does.
fn outcome_button(
    testid: &'static str,
    key: Key,
    disabled: impl Fn() -> bool + Send + Sync + 'static,
    on_click: impl Fn() + 'static,
) -> impl IntoView {
    let i18n = I18n::get();
    view! {
        <button class="button" data-testid=testid disabled=disabled on:click=move |_| on_click()>
            {move || i18n.t(key)}
        </button>
    }
}

#[cfg(test)]
mod tests {
    use roundbook_shared::domain::Role;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;
    use crate::ui::testing::{find, has, mount, pause, type_into, until};

    #[wasm_bindgen_test]
    fn a_mark_says_what_was_deducted_and_what_is_left() {
        let mark = |outcome: &str, deduction| Mark {
            id: String::new(),
            inspection_id: String::new(),
            area_id: String::new(),
            item_id: String::new(),
            by: String::new(),
            by_name: String::new(),
            device: String::new(),
            at: 0,
            outcome: outcome.into(),
            deduction,
            reason: String::new(),
            photos: vec![],
        };
        let deducted = mark(OUTCOME_DEDUCTED, 2);
        assert_eq!(points_text(Lang::ZhCn, &deducted, 6), "扣 2 分 · 得 4/6");
        assert_eq!(points_text(Lang::En, &deducted, 6), "−2 · 4/6 left");
        assert_eq!(
            points_text(Lang::ZhCn, &mark(OUTCOME_FULL, 0), 6),
            "满分 · 得 6/6"
        );
        assert_eq!(
            points_text(Lang::ZhCn, &mark(OUTCOME_NA, 0), 6),
            "不适用 · 不计分"
        );
    }

    /// The inspect screen as a cleaning supervisor uses it: start today's
    /// inspection, a deduction above the item's maximum is refused with the
    /// translated error, a valid one is saved and shown as the standing mark.
    #[wasm_bindgen_test]
    async fn inspect_start_and_deduct_with_reason() {
        let (host, handle) = mount(vec![Role::CleaningSupervisor], |workspace| {
            view! { <InspectTab workspace /> }.into_any()
        })
        .await;
        pause(50).await;
        find(&host, "[data-testid=inspect-start]").click();
        let has = |selector: &str| has(&host, selector);
        until(|| has("[data-testid=inspect-items]") || has("[data-testid=inspect-result]")).await;
        if let Some(said) = host.query_selector("[data-testid=inspect-result]").unwrap() {
            panic!("start refused: {:?}", said.text_content());
        }
        let items = find(&host, "[data-testid=inspect-items]");
        let first = find(&items, "[data-testid=inspect-item]");
        let max: u32 = first.get_attribute("data-max").unwrap().parse().unwrap();
        find(&first, "[data-testid=mark-deduct]").click();
        pause(50).await;
        type_into(&first, "[data-testid=mark-points]", &(max + 1).to_string());
        type_into(&first, "[data-testid=mark-reason]", "地面有污渍");
        find(&first, "[data-testid=mark-save]").click();
        until(|| has("[data-testid=mark-result]")).await;
        let result = find(&first, "[data-testid=mark-result]");
        assert_eq!(result.get_attribute("data-ok").as_deref(), Some("false"));
        assert_eq!(
            result.text_content().unwrap(),
            Key::CleanPointsInvalid.text(Lang::ZhCn)
        );
        assert_eq!(first.get_attribute("data-outcome").as_deref(), Some(""));
        type_into(&first, "[data-testid=mark-points]", "2");
        find(&first, "[data-testid=mark-save]").click();
        until(|| has("[data-testid=inspect-item][data-outcome=deducted]")).await;
        let first = find(&host, "[data-testid=inspect-item]");
        assert_eq!(
            first.get_attribute("data-outcome").as_deref(),
            Some(OUTCOME_DEDUCTED)
        );
        let standing = find(&first, "[data-testid=inspect-standing]")
            .text_content()
            .unwrap();
        assert!(standing.contains("地面有污渍"), "{standing}");
        // The deduction and what is left, not "扣分 4/6".
        assert!(
            standing.starts_with(&format!("扣 2 分 · 得 {}/{max}", max - 2)),
            "{standing}"
        );
        // The deduction opened a rectification of the area.
        assert!(host
            .query_selector("[data-testid=rect-item]")
            .unwrap()
            .is_some());
        drop(handle);
        host.remove();
    }
}
