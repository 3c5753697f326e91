//! The environment supervisor's score-sheet template editor: a draft of
//! the current version (areas with their building or place, and items with
//! their standards and maximum score; the contract's pass mark), a live sum
//! that must be 100 before publishing, publish as a new version, and the
//! version history. Read-only for users who may not write the cleaning
//! setup (`reach::writes`).
//!
//! Compact: each area is a folded group (its name, item count and points in
//! the heading), each item one table row. The Chinese screen edits the
//! Chinese texts only; the English screen the English ones and the Chinese
//! names (which are required).
//!
//! Test ids: `template-readonly`, `template-area` (a `<details>`,
//! `data-area-id`), `template-area-summary`, `template-area-place-zh` /
//! `-place-en`, `template-area-name-zh` / `-name-en`, `template-item` (a
//! table row, `data-item-id`), `template-item-name-zh` / `-name-en` /
//! `-standard-zh` / `-standard-en` / `-max`, `template-add-area`,
//! `template-copy-area`, `template-add-item`, `template-remove-area`,
//! `template-remove-item`, `template-sum` (`data-sum`), `template-threshold`
//! (the pass-mark input), `template-threshold-error`, `template-publish`,
//! `template-reset`, `template-result`, `template-version` (`data-version`).

use leptos::prelude::*;
use roundbook_shared::reach;
use roundbook_shared::schema::cleaning::{
    Area, Item, Template, DEFAULT_THRESHOLD, FULL_SCORE, MIN_THRESHOLD,
};
use roundbook_shared::schema::DocKind;

use super::{actor, area_name, error_key, labelled, site, Said};
use crate::browser;
use crate::calendar::short_time;
use crate::cleaning;
use crate::i18n::{filled, I18n, Key, Lang};
use crate::sync::SyncStatus;
use crate::ui::field::Field;
use crate::ui::WorkspaceRef;

/// A short random slug for a new area or item (`[a-z0-9-]`).
fn new_slug(prefix: &str) -> String {
    let id = uuid::Uuid::new_v4().simple().to_string();
    format!("{prefix}-{}", &id[..8])
}

/// A typed pass mark, if it is one a template may carry.
pub fn parse_threshold(text: &str) -> Option<u32> {
    text.trim()
        .parse::<u32>()
        .ok()
        .filter(|value| (MIN_THRESHOLD..=FULL_SCORE).contains(value))
}

/// The pass mark a draft starts from: the newest version's.
fn threshold_text(newest: Option<&Template>) -> String {
    newest
        .and_then(|t| t.threshold)
        .unwrap_or(DEFAULT_THRESHOLD)
        .to_string()
}

/// The items' maxima added up.
pub fn sum(areas: &[Area]) -> u32 {
    areas.iter().map(Area::weight).sum()
}

#[component]
pub fn TemplateTab(workspace: WorkspaceRef) -> impl IntoView {
    let i18n = I18n::get();
    let status = expect_context::<SyncStatus>();
    let site = site(workspace);
    let may_edit =
        workspace.with_value(|ws| reach::writes(ws.session.roles(), DocKind::CleaningSetup));
    let versions = {
        let site = site.clone();
        Memo::new(move |_| {
            status.revision.track();
            workspace.with_value(|ws| cleaning::versions(&ws.library, &site))
        })
    };
    let draft = RwSignal::new(
        versions.with_untracked(|v| v.first().map(|t| t.areas.clone()).unwrap_or_default()),
    );
    let threshold = RwSignal::new(versions.with_untracked(|v| threshold_text(v.first())));
    let reset = move || {
        draft.set(
            versions.with_untracked(|v| v.first().map(|t| t.areas.clone()).unwrap_or_default()),
        );
        threshold.set(versions.with_untracked(|v| threshold_text(v.first())));
    };
    let pass_mark = Memo::new(move |_| threshold.with(|text| parse_threshold(text)));
    let total = Memo::new(move |_| draft.with(|areas| sum(areas)));
    let said = RwSignal::new(None::<(bool, Key)>);
    let publishing = {
        let site = site.clone();
        Action::new_local(move |(areas, pass_mark): &(Vec<Area>, u32)| {
            let (writer, who, site) = (
                workspace.with_value(|ws| ws.writer.clone()),
                actor(workspace),
                site.clone(),
            );
            let (areas, pass_mark) = (areas.clone(), *pass_mark);
            async move {
                let now = browser::now_ms();
                match cleaning::publish(&writer, &site, &who, areas, pass_mark, now).await {
                    Ok(_) => {
                        said.try_set(Some((true, Key::CleanPublished)));
                    }
                    Err(error) => {
                        said.try_set(Some((false, error_key(&error))));
                    }
                }
            }
        })
    };
    let busy = publishing.pending();
    let publish = move |_| {
        let Some(pass_mark) = pass_mark.get_untracked() else {
            return;
        };
        if busy.get_untracked() {
            return;
        }
        said.set(None);
        publishing.dispatch_local((draft.get_untracked(), pass_mark));
    };
    let area_count = move || draft.with(Vec::len);
    // The groups unfolded (area ids): all folded at first.
    let opened = RwSignal::new(Vec::<String>::new());
    let areas = move || {
        (0..area_count())
            .map(|index| view! { <AreaEditor draft index may_edit opened /> })
            .collect_view()
    };
    let history = move || {
        let lang = i18n.lang();
        versions
            .get()
            .into_iter()
            .map(|t| {
                let names = t
                    .areas
                    .iter()
                    .map(|a| area_name(lang, a))
                    .collect::<Vec<_>>()
                    .join("、");
                let title = if t.version > 0 && t.published_at > 0 {
                    let version = t.version.to_string();
                    let when = format!("{} · {}", short_time(t.published_at), t.published_by);
                    format!(
                        "{} · {when}",
                        filled(Key::CleanVersionN, lang, &[("version", &version)])
                    )
                } else {
                    i18n.t(Key::CleanDefaultTemplate).to_owned()
                };
                view! {
                    <li data-testid="template-version" data-version=t.version.to_string()>
                        <strong>{title}</strong> " · " {names}
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <section class="card clean-template">
            <h1 class="page-title">{move || i18n.t(Key::CleanTemplate)}</h1>
            {(!may_edit).then(|| view! { <p class="banner banner-warn" data-testid="template-readonly">{move || i18n.t(Key::CleanTemplateReadOnly)}</p> })}
            {areas}
            <div class="button-row">
                <button class="button" data-testid="template-add-area" disabled=!may_edit on:click=move |_| {
                    let area = Area {
                        id: new_slug("area"),
                        name_zh: String::new(),
                        name_en: String::new(),
                        items: vec![],
                        place_zh: String::new(),
                        place_en: String::new(),
                    };
                    opened.update(|list| list.push(area.id.clone()));
                    draft.update(|areas| areas.push(area));
                }>{move || i18n.t(Key::CleanAddArea)}</button>
            </div>
            <p
                data-testid="template-sum"
                data-sum=move || total.get().to_string()
                class:error-text=move || total.get() != FULL_SCORE
            >
                {move || labelled(i18n.lang(), Key::CleanSum, &format!("{} / {FULL_SCORE}", total.get()))}
                {move || (total.get() != FULL_SCORE).then(|| format!(" · {}", i18n.t(Key::CleanSumMust)))}
            </p>
            <Field label=Key::CleanThresholdField>
                <input
                    type="number"
                    min=MIN_THRESHOLD
                    max=FULL_SCORE
                    step="1"
                    inputmode="numeric"
                    data-testid="template-threshold"
                    disabled=!may_edit
                    prop:value=move || threshold.get()
                    on:input=move |event| threshold.set(event_target_value(&event))
                />
                <small class="muted">{move || i18n.t(Key::CleanThresholdHint)}</small>
            </Field>
            {move || pass_mark.get().is_none().then(|| view! {
                <p class="error-text" data-testid="template-threshold-error">{move || i18n.t(Key::CleanThresholdInvalid)}</p>
            })}
            <div class="button-row">
                <button class="button" data-testid="template-reset" disabled=!may_edit on:click=move |_| reset()>
                    {move || i18n.t(Key::CleanReset)}
                </button>
                <button
                    class="button button-primary"
                    data-testid="template-publish"
                    disabled=move || {
                        !may_edit || busy.get() || total.get() != FULL_SCORE || pass_mark.get().is_none()
                    }
                    on:click=publish
                >
                    {move || i18n.t(Key::CleanPublish)}
                </button>
            </div>
            <Said testid="template-result" said />
        </section>
        <section class="card">
            <h2>{move || i18n.t(Key::CleanVersions)}</h2>
            <ul class="clean-versions">{history}</ul>
        </section>
    }
}

/// Which text fields of the draft an editor shows: the Chinese ones in the
/// Chinese screen; in the English screen the English ones, and the Chinese
/// names too (a name in Chinese is required).
fn english(lang: Lang) -> bool {
    lang != Lang::ZhCn
}

/// A text input bound to one field of the draft, labelled for screen
/// readers (the column header or the field says what it is).
fn text_input(
    draft: RwSignal<Vec<Area>>,
    testid: &'static str,
    label: Key,
    may_edit: bool,
    get: impl Fn(&Vec<Area>) -> Option<String> + Send + Sync + 'static,
    set: impl Fn(&mut Vec<Area>, String) + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = I18n::get();
    view! {
        <input
            type="text"
            maxlength="200"
            data-testid=testid
            aria-label=move || i18n.t(label)
            disabled=!may_edit
            prop:value=move || draft.with(|areas| get(areas)).unwrap_or_default()
            on:change=move |event| {
                let value = event_target_value(&event);
                draft.update(|areas| set(areas, value));
            }
        />
    }
}

/// A copy of an area for another building or place: the same items with
/// new ids, the place left for the editor to fill in.
pub fn copy_area(area: &Area) -> Area {
    Area {
        id: new_slug("area"),
        place_zh: String::new(),
        place_en: String::new(),
        items: area
            .items
            .iter()
            .map(|item| Item {
                id: new_slug("item"),
                ..item.clone()
            })
            .collect(),
        ..area.clone()
    }
}

/// One area as a collapsible group: its name, building or place, item
/// count and points in the heading; inside, one row per item.
#[component]
fn AreaEditor(
    draft: RwSignal<Vec<Area>>,
    index: usize,
    may_edit: bool,
    opened: RwSignal<Vec<String>>,
) -> impl IntoView {
    let i18n = I18n::get();
    let id = draft
        .with_untracked(|areas| areas.get(index).map(|a| a.id.clone()))
        .unwrap_or_default();
    let items = move || draft.with(|areas| areas.get(index).map_or(0, |a| a.items.len()));
    let heading = move || {
        let lang = i18n.lang();
        draft.with(|areas| {
            areas.get(index).map(|area| {
                let name = area_name(lang, area);
                let name = if name.trim().is_empty() || name.trim() == "·" {
                    i18n.t(Key::CleanNewArea).to_owned()
                } else {
                    name
                };
                let count = area.items.len().to_string();
                let points = area.weight().to_string();
                let summary = filled(
                    Key::CleanAreaSummary,
                    lang,
                    &[("count", &count), ("points", &points)],
                );
                (name, summary)
            })
        })
    };
    let is_open = {
        let id = id.clone();
        move || opened.with(|list| list.contains(&id))
    };
    let toggle = {
        let id = id.clone();
        move |event: leptos::ev::Event| {
            // `<details>`'s `open` (read through JS: no web-sys feature for it).
            let open = event
                .target()
                .and_then(|target| js_sys::Reflect::get(&target, &"open".into()).ok())
                .and_then(|open| open.as_bool())
                .unwrap_or(false);
            opened.update(|list| {
                list.retain(|other| *other != id);
                if open {
                    list.push(id.clone());
                }
            });
        }
    };
    let en = move || english(i18n.lang());
    view! {
        <details class="clean-template-area" data-testid="template-area" data-area-id=id prop:open=is_open on:toggle=toggle>
            <summary>
                <strong>{move || heading().map(|h| h.0)}</strong>
                " "
                <span class="muted" data-testid="template-area-summary">{move || heading().map(|h| h.1)}</span>
            </summary>
            <div class="clean-template-fields">
                <label class="clean-template-field">
                    <span>{move || i18n.t(Key::CleanPlace)}</span>
                    {move || if en() {
                        text_input(draft, "template-area-place-en", Key::CleanPlace, may_edit,
                            move |a| a.get(index).map(|a| a.place_en.clone()),
                            move |a, v| if let Some(a) = a.get_mut(index) { a.place_en = v.trim().to_owned() }).into_any()
                    } else {
                        text_input(draft, "template-area-place-zh", Key::CleanPlace, may_edit,
                            move |a| a.get(index).map(|a| a.place_zh.clone()),
                            move |a, v| if let Some(a) = a.get_mut(index) { a.place_zh = v.trim().to_owned() }).into_any()
                    }}
                </label>
                <label class="clean-template-field">
                    <span>{move || i18n.t(if en() { Key::CleanNameZh } else { Key::CleanAreaName })}</span>
                    {text_input(draft, "template-area-name-zh", Key::CleanAreaName, may_edit,
                        move |a| a.get(index).map(|a| a.name_zh.clone()),
                        move |a, v| if let Some(a) = a.get_mut(index) { a.name_zh = v })}
                </label>
                <Show when=en>
                    <label class="clean-template-field">
                        <span>{move || i18n.t(Key::CleanNameEn)}</span>
                        {text_input(draft, "template-area-name-en", Key::CleanNameEn, may_edit,
                            move |a| a.get(index).map(|a| a.name_en.clone()),
                            move |a, v| if let Some(a) = a.get_mut(index) { a.name_en = v })}
                    </label>
                </Show>
                <button type="button" class="button button-quiet" data-testid="template-copy-area" disabled=!may_edit
                    on:click=move |_| draft.update(|a| {
                        if let Some(copy) = a.get(index).map(copy_area) {
                            opened.update(|list| list.push(copy.id.clone()));
                            a.insert(index + 1, copy);
                        }
                    })>
                    {move || i18n.t(Key::CleanCopyArea)}
                </button>
                <button type="button" class="button button-quiet" data-testid="template-remove-area" disabled=!may_edit
                    on:click=move |_| draft.update(|a| { if index < a.len() { a.remove(index); } })>
                    {move || i18n.t(Key::CleanRemoveArea)}
                </button>
            </div>
            <table class="clean-table clean-template-items">
                <thead>
                    <tr>
                        <th>{move || i18n.t(if en() { Key::CleanNameZh } else { Key::CleanItemName })}</th>
                        <Show when=en><th>{move || i18n.t(Key::CleanNameEn)}</th></Show>
                        <th>{move || i18n.t(Key::CleanItemStandard)}</th>
                        <th class="clean-template-max">{move || i18n.t(Key::CleanMax)}</th>
                        <th></th>
                    </tr>
                </thead>
                <tbody>
                    {move || (0..items()).map(|item| view! { <ItemEditor draft area=index item may_edit /> }).collect_view()}
                </tbody>
            </table>
            <button type="button" class="button" data-testid="template-add-item" disabled=!may_edit on:click=move |_| {
                draft.update(|a| if let Some(a) = a.get_mut(index) {
                    a.items.push(Item { id: new_slug("item"), name_zh: String::new(), name_en: String::new(), standard_zh: String::new(), standard_en: String::new(), max_score: 1 });
                });
            }>{move || i18n.t(Key::CleanAddItem)}</button>
        </details>
    }
}

/// One item as one table row: name, standard, the maximum and remove.
#[component]
fn ItemEditor(
    draft: RwSignal<Vec<Area>>,
    area: usize,
    item: usize,
    may_edit: bool,
) -> impl IntoView {
    let i18n = I18n::get();
    let get = move |areas: &Vec<Area>| areas.get(area).and_then(|a| a.items.get(item)).cloned();
    let id = draft
        .with_untracked(|a| get(a).map(|i| i.id))
        .unwrap_or_default();
    macro_rules! field {
        ($testid:literal, $key:expr, $name:ident) => {
            text_input(
                draft,
                $testid,
                $key,
                may_edit,
                move |a| get(a).map(|i| i.$name),
                move |a, v| {
                    if let Some(i) = a.get_mut(area).and_then(|a| a.items.get_mut(item)) {
                        i.$name = v
                    }
                },
            )
        };
    }
    let en = move || english(i18n.lang());
    view! {
        <tr class="clean-template-item" data-testid="template-item" data-item-id=id>
            <td>{field!("template-item-name-zh", Key::CleanItemName, name_zh)}</td>
            <Show when=en>
                <td>{field!("template-item-name-en", Key::CleanNameEn, name_en)}</td>
            </Show>
            <td>
                {move || if en() {
                    field!("template-item-standard-en", Key::CleanItemStandard, standard_en).into_any()
                } else {
                    field!("template-item-standard-zh", Key::CleanItemStandard, standard_zh).into_any()
                }}
            </td>
            <td class="clean-template-max">
                <input
                    type="number"
                    min="1"
                    max="100"
                    inputmode="numeric"
                    data-testid="template-item-max"
                    aria-label=move || i18n.t(Key::CleanMax)
                    disabled=!may_edit
                    prop:value=move || draft.with(|a| get(a).map(|i| i.max_score)).unwrap_or_default().to_string()
                    on:change=move |event| {
                        let value = event_target_value(&event).trim().parse::<u32>().unwrap_or(0);
                        draft.update(|a| if let Some(i) = a.get_mut(area).and_then(|a| a.items.get_mut(item)) { i.max_score = value });
                    }
                />
            </td>
            <td>
                <button type="button" class="button button-quiet" data-testid="template-remove-item" disabled=!may_edit
                    aria-label=move || i18n.t(Key::CleanRemove)
                    on:click=move |_| draft.update(|a| if let Some(a) = a.get_mut(area) { if item < a.items.len() { a.items.remove(item); } })>
                    "✕"
                </button>
            </td>
        </tr>
    }
}
