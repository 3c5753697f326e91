//! Cleaning inspections and the monthly vendor score sheet: the records.
//!
//! The site's cleaning setup document holds the score-sheet template
//! versions; a cleaning month document holds that month's inspections, their
//! item marks, the rectifications deductions opened, and the two sign-off
//! signatures that lock the month. How marks combine into scores is
//! [`crate::score`]'s.
//!
//! Concurrency: an inspection of an area on a day has a deterministic id, so
//! two supervisors on the same area join one inspection; each supervisor's
//! mark of an item is its own record (keyed by inspection, item and
//! username), so concurrent marks never overwrite each other.

use automerge::Automerge;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::finding::MAX_PHOTOS;
use super::record::ReadRecords;
use super::{
    check_author, check_id, check_instant, check_text, check_word, get, list, put, Container,
    Record, SchemaError,
};
use crate::domain::instant_at;

/// Score-sheet template versions (cleaning setup), keyed by template id.
pub const TEMPLATES: &str = Container::Templates.name();
/// Inspections of an area (cleaning month), keyed by inspection id.
pub const INSPECTIONS: &str = Container::Inspections.name();
/// Item marks, keyed by inspection, item and the supervisor who gave them.
pub const MARKS: &str = Container::Marks.name();
/// Rectifications opened by deductions, keyed by rectification id.
pub const RECTIFICATIONS: &str = Container::Rectifications.name();
/// The month's sign-off signatures, keyed by party (`supervisor`, `vendor`).
pub const SIGNATURES: &str = Container::Signatures.name();

/// The id of the built-in template, used while the site has published none.
pub const DEFAULT_TEMPLATE_ID: &str = "default";
/// A template's items add up to this.
pub const FULL_SCORE: u32 = 100;
/// The usual contract threshold, for templates that set none: a month below
/// it is flagged.
pub const DEFAULT_THRESHOLD: u32 = 90;
/// The lowest threshold a template may set (below it the sheet's flag
/// would mean nothing).
pub const MIN_THRESHOLD: u32 = 1;

pub const KIND_ROUTINE: &str = "routine";
pub const KIND_REINSPECTION: &str = "reinspection";
pub const OUTCOME_FULL: &str = "full";
pub const OUTCOME_DEDUCTED: &str = "deducted";
pub const OUTCOME_NA: &str = "na";
pub const PARTY_SUPERVISOR: &str = "supervisor";
pub const PARTY_VENDOR: &str = "vendor";
pub const STATUS_OPEN: &str = "open";
pub const STATUS_CLOSED: &str = "closed";

/// One scored item of an area.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Item {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    /// The standard the item is scored against.
    pub standard_zh: String,
    pub standard_en: String,
    pub max_score: u32,
}

/// An area of the site (lobby, lifts, ...) and its items.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Area {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub items: Vec<Item>,
    /// The building or place the area is in ("3栋"), so that each
    /// building's lobby is an area of its own, inspected on its own; empty
    /// for an area of the whole site. Added after templates were first
    /// published: older versions read as empty (and older builds skip it).
    /// Not written when empty, so a site-wide area is stored as before.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub place_zh: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub place_en: String,
}

impl Area {
    /// The area's share of the 100 points: the sum of its items' maxima.
    pub fn weight(&self) -> u32 {
        self.items.iter().map(|item| item.max_score).sum()
    }
}

/// One published version of the score sheet. Written once, never changed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Template {
    pub id: String,
    pub version: u32,
    pub published_at: i64,
    pub published_by: String,
    pub areas: Vec<Area>,
    /// The contract's pass mark out of 100, set with the template so that a
    /// month keeps the threshold it was scored against. `None` (versions
    /// published before the threshold could be set): [`DEFAULT_THRESHOLD`].
    #[serde(default)]
    pub threshold: Option<u32>,
}

impl Template {
    pub fn area(&self, id: &str) -> Option<&Area> {
        self.areas.iter().find(|area| area.id == id)
    }

    pub fn item(&self, area_id: &str, item_id: &str) -> Option<&Item> {
        self.area(area_id)?
            .items
            .iter()
            .find(|item| item.id == item_id)
    }

    pub fn total(&self) -> u32 {
        self.areas.iter().map(Area::weight).sum()
    }

    /// The pass mark a month scored with this version is compared with.
    pub fn threshold(&self) -> f64 {
        f64::from(self.threshold.unwrap_or(DEFAULT_THRESHOLD))
    }
}

impl Record for Template {
    const CONTAINER: Container = Container::Templates;

    const MADE_AT: Option<&'static str> = Some("published_at");
    const AUTHOR: Option<&'static str> = Some("published_by");

    fn id(&self) -> &str {
        &self.id
    }

    /// A publishable template: ids short and unique, names present, every
    /// item worth at least a point, and the items adding up to 100.
    fn validate(&self) -> Result<(), SchemaError> {
        check_id("template", &self.id)?;
        check_text("published by", &self.published_by, true, 64)?;
        if self.areas.is_empty() {
            return Err(SchemaError::Invalid("a template needs areas".into()));
        }
        if let Some(threshold) = self.threshold {
            if !(MIN_THRESHOLD..=FULL_SCORE).contains(&threshold) {
                return Err(SchemaError::Invalid(format!(
                    "threshold {threshold} is outside {MIN_THRESHOLD}..={FULL_SCORE}"
                )));
            }
        }
        let mut ids = std::collections::HashSet::new();
        for area in &self.areas {
            check_slug("area", &area.id)?;
            check_text("area name", &area.name_zh, true, 40)?;
            check_text("area name (English)", &area.name_en, false, 60)?;
            check_text("area place", &area.place_zh, false, 40)?;
            check_text("area place (English)", &area.place_en, false, 60)?;
            if area.items.is_empty() {
                return Err(SchemaError::Invalid(format!(
                    "area {} has no items",
                    area.id
                )));
            }
            if !ids.insert(format!("area:{}", area.id)) {
                return Err(SchemaError::Invalid(format!("area id {} twice", area.id)));
            }
            for item in &area.items {
                check_slug("item", &item.id)?;
                check_text("item name", &item.name_zh, true, 60)?;
                check_text("item name (English)", &item.name_en, false, 80)?;
                check_text("standard", &item.standard_zh, false, 400)?;
                check_text("standard (English)", &item.standard_en, false, 400)?;
                if item.max_score == 0 || item.max_score > FULL_SCORE {
                    return Err(SchemaError::Invalid(format!(
                        "item {} max score {}",
                        item.id, item.max_score
                    )));
                }
                if !ids.insert(format!("item:{}", item.id)) {
                    return Err(SchemaError::Invalid(format!("item id {} twice", item.id)));
                }
            }
        }
        if self.total() != FULL_SCORE {
            return Err(SchemaError::Invalid(format!(
                "the items add up to {}, not {FULL_SCORE}",
                self.total()
            )));
        }
        Ok(())
    }

    /// Oldest version first.
    fn order(a: &Self, b: &Self) -> std::cmp::Ordering {
        (a.version, a.published_at, &a.id).cmp(&(b.version, b.published_at, &b.id))
    }
}

/// Area and item ids: short lowercase slugs (they are part of record ids).
fn check_slug(what: &str, id: &str) -> Result<(), SchemaError> {
    let ok = !id.is_empty()
        && id.len() <= 24
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(SchemaError::Invalid(format!("{what} id {id:?}")))
    }
}

/// The built-in template (version 0): seven areas, 100 points.
pub fn default_template() -> Template {
    let item = |id: &str, zh: &str, en: &str, szh: &str, sen: &str, max| Item {
        id: id.into(),
        name_zh: zh.into(),
        name_en: en.into(),
        standard_zh: szh.into(),
        standard_en: sen.into(),
        max_score: max,
    };
    let area = |id: &str, zh: &str, en: &str, items| Area {
        id: id.into(),
        name_zh: zh.into(),
        name_en: en.into(),
        items,
        place_zh: String::new(),
        place_en: String::new(),
    };
    Template {
        id: DEFAULT_TEMPLATE_ID.into(),
        version: 0,
        published_at: 0,
        published_by: "roundbook".into(),
        threshold: None,
        areas: vec![
            area(
                "lobby",
                "大堂",
                "Lobby",
                vec![
                    item(
                        "lobby-floor",
                        "地面",
                        "Floor",
                        "无垃圾、无污渍、无积水，光亮洁净",
                        "No litter, stains or water; clean and bright",
                        6,
                    ),
                    item(
                        "lobby-glass",
                        "门窗玻璃",
                        "Doors and glass",
                        "无手印、无灰尘，明亮",
                        "No fingerprints or dust",
                        5,
                    ),
                    item(
                        "lobby-fixtures",
                        "信报箱及设施",
                        "Mailboxes and fixtures",
                        "表面无灰尘、无张贴物",
                        "Dust-free, no flyers",
                        4,
                    ),
                ],
            ),
            area(
                "corridors",
                "楼道及楼梯",
                "Corridors and stairs",
                vec![
                    item(
                        "corridor-floor",
                        "地面及台阶",
                        "Floors and steps",
                        "无垃圾、无杂物堆放",
                        "No litter or stored clutter",
                        8,
                    ),
                    item(
                        "corridor-rails",
                        "扶手及栏杆",
                        "Handrails and railings",
                        "无灰尘、无污迹",
                        "No dust or smears",
                        5,
                    ),
                    item(
                        "corridor-walls",
                        "墙面及消防设施",
                        "Walls and fire equipment",
                        "无蛛网、无乱张贴，消防箱表面洁净",
                        "No cobwebs or flyers; fire boxes clean",
                        5,
                    ),
                ],
            ),
            area(
                "lifts",
                "电梯",
                "Lifts",
                vec![
                    item(
                        "lift-car",
                        "轿厢",
                        "Lift car",
                        "轿厢四壁及地面洁净、无异味",
                        "Walls and floor clean, no odour",
                        8,
                    ),
                    item(
                        "lift-doors",
                        "厅门及按钮",
                        "Landing doors and buttons",
                        "无手印、无污渍",
                        "No fingerprints or stains",
                        6,
                    ),
                ],
            ),
            area(
                "grounds",
                "室外地面",
                "Outdoor grounds",
                vec![
                    item(
                        "grounds-roads",
                        "道路及广场",
                        "Roads and squares",
                        "无垃圾、无积水、无烟头",
                        "No litter, water or cigarette ends",
                        8,
                    ),
                    item(
                        "grounds-drains",
                        "排水沟及井盖",
                        "Drains and covers",
                        "畅通、无堵塞、无异味",
                        "Flowing, unblocked, no odour",
                        7,
                    ),
                ],
            ),
            area(
                "refuse",
                "垃圾收集点",
                "Refuse points",
                vec![
                    item(
                        "refuse-bins",
                        "垃圾桶",
                        "Bins",
                        "日产日清，桶身洁净，分类清晰",
                        "Emptied daily, clean, sorting clear",
                        8,
                    ),
                    item(
                        "refuse-area",
                        "收集点周边",
                        "Around the point",
                        "地面无散落垃圾、无异味、定期消杀",
                        "No spilt rubbish or odour; disinfected",
                        8,
                    ),
                ],
            ),
            area(
                "carpark",
                "停车场",
                "Car park",
                vec![
                    item(
                        "carpark-floor",
                        "地面",
                        "Floor",
                        "无垃圾、无油污",
                        "No litter or oil",
                        8,
                    ),
                    item(
                        "carpark-signs",
                        "标识及设施",
                        "Signs and fixtures",
                        "表面无灰尘",
                        "Dust-free",
                        4,
                    ),
                ],
            ),
            area(
                "greenery",
                "绿化",
                "Greenery",
                vec![
                    item(
                        "greenery-beds",
                        "绿地及花坛",
                        "Lawns and beds",
                        "无垃圾、无杂物、无枯枝落叶堆积",
                        "No litter, clutter or piled leaves",
                        5,
                    ),
                    item(
                        "greenery-features",
                        "水景及小品",
                        "Water features",
                        "水体清洁、无漂浮物",
                        "Water clean, nothing floating",
                        5,
                    ),
                ],
            ),
        ],
    }
}

/// Every well-formed published template version.
pub fn templates(setup: &impl ReadRecords) -> Result<Vec<Template>, SchemaError> {
    let mut templates: Vec<Template> = list(setup)?;
    templates.retain(|template| template.validate().is_ok());
    Ok(templates)
}

/// The template to score with now: the newest published version, else the built-in one.
pub fn current_template(setup: &impl ReadRecords) -> Template {
    templates(setup)
        .ok()
        .and_then(|mut list| list.pop())
        .unwrap_or_else(default_template)
}

/// A template by id (the built-in one is always there).
pub fn template(setup: &impl ReadRecords, id: &str) -> Option<Template> {
    if id == DEFAULT_TEMPLATE_ID {
        return Some(default_template());
    }
    templates(setup)
        .ok()?
        .into_iter()
        .find(|template| template.id == id)
}

/// Publishes a new template version, as one change.
pub fn publish_template(setup: &mut Automerge, template: &Template) -> Result<(), SchemaError> {
    template.validate()?;
    if template.id == DEFAULT_TEMPLATE_ID || get::<Template>(setup, &template.id)?.is_some() {
        return Err(SchemaError::Exists {
            records: Container::Templates,
            id: template.id.clone(),
        });
    }
    check_instant("publish time", template.published_at)?;
    put(setup, template, template.published_at)
}

/// An inspection of one area (a routine one scores; a re-inspection closes a rectification).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Inspection {
    pub id: String,
    pub area_id: String,
    /// The site-local day, `YYYY-MM-DD`.
    pub date: String,
    pub template_id: String,
    /// `routine` or `reinspection`.
    pub kind: String,
    /// For a re-inspection: the rectification it checks.
    pub rectification_id: String,
    pub started_by: String,
    pub started_by_name: String,
    pub device: String,
    pub started_at: i64,
}

/// The id two supervisors share for the routine inspection of `area_id` on `date`.
pub fn inspection_id(area_id: &str, date: NaiveDate) -> String {
    format!("insp-{area_id}-{}", date.format("%Y%m%d"))
}

impl Inspection {
    pub fn is_routine(&self) -> bool {
        self.kind == KIND_ROUTINE
    }
}

impl Record for Inspection {
    const CONTAINER: Container = Container::Inspections;

    const MADE_AT: Option<&'static str> = Some("started_at");
    const AUTHOR: Option<&'static str> = Some("started_by");

    fn id(&self) -> &str {
        &self.id
    }

    fn validate(&self) -> Result<(), SchemaError> {
        check_id("inspection", &self.id)?;
        check_slug("area", &self.area_id)?;
        NaiveDate::parse_from_str(&self.date, "%Y-%m-%d")
            .map_err(|_| SchemaError::Invalid(format!("inspection date {:?}", self.date)))?;
        check_id("template", &self.template_id)?;
        check_word(
            "inspection kind",
            &self.kind,
            &[KIND_ROUTINE, KIND_REINSPECTION],
        )?;
        match (self.is_routine(), self.rectification_id.is_empty()) {
            (true, true) => {}
            (false, false) => check_id("rectification", &self.rectification_id)?,
            _ => {
                return Err(SchemaError::Invalid(
                    "a re-inspection, and only one, names its rectification".into(),
                ))
            }
        }
        check_author(
            "inspector",
            &self.started_by,
            &self.started_by_name,
            &self.device,
        )?;
        check_instant("inspection time", self.started_at)
    }

    /// Earliest first.
    fn order(a: &Self, b: &Self) -> std::cmp::Ordering {
        (a.started_at, &a.id).cmp(&(b.started_at, &b.id))
    }
}

/// One supervisor's mark of one item in one inspection.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Mark {
    pub id: String,
    pub inspection_id: String,
    pub area_id: String,
    pub item_id: String,
    pub by: String,
    pub by_name: String,
    pub device: String,
    pub at: i64,
    /// `full`, `deducted` or `na`.
    pub outcome: String,
    /// Points deducted (only when deducted; at most the item's maximum).
    pub deduction: u32,
    pub reason: String,
    pub photos: Vec<String>,
}

/// The record id of `username`'s mark of `item_id` in `inspection_id`
/// (re-marking rewrites one's own record; another supervisor's is separate).
pub fn mark_id(inspection_id: &str, item_id: &str, username: &str) -> String {
    let digest = Sha256::digest(format!("{inspection_id}\n{item_id}\n{username}"));
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("mark-{hex}")
}

impl Mark {
    /// The points this mark awards out of `max`; `None` for not applicable.
    pub fn awarded(&self, max: u32) -> Option<u32> {
        match self.outcome.as_str() {
            OUTCOME_FULL => Some(max),
            OUTCOME_DEDUCTED => Some(max.saturating_sub(self.deduction)),
            _ => None,
        }
    }

    /// Checks the mark against its item's maximum.
    pub fn validate_for(&self, max_score: u32) -> Result<(), SchemaError> {
        check_id("mark", &self.id)?;
        if self.id != mark_id(&self.inspection_id, &self.item_id, &self.by) {
            return Err(SchemaError::Invalid("mark id does not match".into()));
        }
        check_id("inspection", &self.inspection_id)?;
        check_slug("area", &self.area_id)?;
        check_slug("item", &self.item_id)?;
        check_author("inspector", &self.by, &self.by_name, &self.device)?;
        check_instant("mark time", self.at)?;
        check_word(
            "outcome",
            &self.outcome,
            &[OUTCOME_FULL, OUTCOME_DEDUCTED, OUTCOME_NA],
        )?;
        check_text(
            "reason",
            &self.reason,
            self.outcome == OUTCOME_DEDUCTED,
            500,
        )?;
        match self.outcome.as_str() {
            OUTCOME_DEDUCTED if self.deduction == 0 || self.deduction > max_score => {
                return Err(SchemaError::Invalid(format!(
                    "deduction {} of at most {max_score}",
                    self.deduction
                )))
            }
            OUTCOME_FULL | OUTCOME_NA if self.deduction != 0 => {
                return Err(SchemaError::Invalid(
                    "deduction without a deducted mark".into(),
                ))
            }
            _ => {}
        }
        if self.photos.len() > MAX_PHOTOS || self.photos.iter().any(|h| !crate::blob::is_hash(h)) {
            return Err(SchemaError::Invalid("photos".into()));
        }
        Ok(())
    }
}

impl Record for Mark {
    const CONTAINER: Container = Container::Marks;

    const MADE_AT: Option<&'static str> = Some("at");
    const AUTHOR: Option<&'static str> = Some("by");
    const BLOBS: &'static [&'static str] = &["photos"];

    fn id(&self) -> &str {
        &self.id
    }

    /// Checked against the most any item can be worth; [`put_mark`] checks
    /// against the item's own maximum.
    fn validate(&self) -> Result<(), SchemaError> {
        self.validate_for(FULL_SCORE)
    }
}

/// A deduction the vendor must put right by a deadline (整改).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Rectification {
    pub id: String,
    pub inspection_id: String,
    pub area_id: String,
    pub item_id: String,
    pub reason: String,
    pub opened_at: i64,
    pub deadline: i64,
    /// `open` or `closed`.
    pub status: String,
    /// The re-inspection that closed it (or last failed it).
    pub reinspection_id: String,
    pub closed_at: i64,
    /// The re-inspection's finding.
    pub result_note: String,
}

/// The one rectification an item's deduction in an inspection opens.
pub fn rectification_id(inspection_id: &str, item_id: &str) -> String {
    format!(
        "rect-{}-{item_id}",
        inspection_id.trim_start_matches("insp-")
    )
}

/// The default deadline: 18:00 two days after the inspection day.
pub fn default_deadline(date: NaiveDate) -> i64 {
    instant_at(date + chrono::Duration::days(2), 18 * 60)
}

impl Rectification {
    pub fn is_open(&self) -> bool {
        self.status == STATUS_OPEN
    }

    pub fn is_overdue(&self, now: i64) -> bool {
        self.is_open() && now > self.deadline
    }
}

impl Record for Rectification {
    const CONTAINER: Container = Container::Rectifications;

    const MADE_AT: Option<&'static str> = Some("opened_at");

    fn id(&self) -> &str {
        &self.id
    }

    fn validate(&self) -> Result<(), SchemaError> {
        check_id("rectification", &self.id)?;
        check_id("inspection", &self.inspection_id)?;
        check_slug("area", &self.area_id)?;
        check_slug("item", &self.item_id)?;
        check_text("reason", &self.reason, false, 500)?;
        check_instant("opened", self.opened_at)?;
        check_instant("deadline", self.deadline)?;
        check_word(
            "rectification status",
            &self.status,
            &[STATUS_OPEN, STATUS_CLOSED],
        )?;
        check_text("result", &self.result_note, false, 500)?;
        if self.status == STATUS_CLOSED {
            check_id("re-inspection", &self.reinspection_id)?;
            check_instant("closed", self.closed_at)?;
        }
        Ok(())
    }
}

/// A party's sign-off of the month's sheet: a drawn signature stored as an image blob.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Signature {
    /// `supervisor` or `vendor`.
    pub party: String,
    /// The signer's name as written.
    pub name: String,
    pub signed_at: i64,
    /// The user of the tablet it was signed on.
    pub by: String,
    /// Hash of the PNG of the drawn signature.
    pub image: String,
}

impl Record for Signature {
    const CONTAINER: Container = Container::Signatures;

    const MADE_AT: Option<&'static str> = Some("signed_at");
    const AUTHOR: Option<&'static str> = Some("by");
    /// The drawn signature is a PNG blob.
    const BLOBS: &'static [&'static str] = &["image"];

    /// One signature per party.
    fn id(&self) -> &str {
        &self.party
    }

    fn validate(&self) -> Result<(), SchemaError> {
        check_word("party", &self.party, &[PARTY_SUPERVISOR, PARTY_VENDOR])?;
        check_text("signer", &self.name, true, 64)?;
        check_instant("signed", self.signed_at)?;
        check_text("by", &self.by, true, 64)?;
        if !crate::blob::is_hash(&self.image) {
            return Err(SchemaError::Invalid("signature image".into()));
        }
        Ok(())
    }
}

/// The month's signatures.
pub fn signatures(month: &impl ReadRecords) -> Result<Vec<Signature>, SchemaError> {
    list(month)
}

/// Signed off by both the supervisor and the vendor: nothing may change any more.
pub fn is_locked(month: &impl ReadRecords) -> bool {
    let signed = signatures(month).unwrap_or_default();
    [PARTY_SUPERVISOR, PARTY_VENDOR].iter().all(|party| {
        signed
            .iter()
            .any(|s| s.party == *party && s.validate().is_ok())
    })
}

fn unlocked(month: &Automerge) -> Result<(), SchemaError> {
    if is_locked(month) {
        Err(SchemaError::Locked)
    } else {
        Ok(())
    }
}

pub fn inspections(month: &impl ReadRecords) -> Result<Vec<Inspection>, SchemaError> {
    list(month)
}

pub fn marks(month: &impl ReadRecords) -> Result<Vec<Mark>, SchemaError> {
    list(month)
}

pub fn rectifications(month: &impl ReadRecords) -> Result<Vec<Rectification>, SchemaError> {
    list(month)
}

/// The template version the month is scored with: that of its earliest
/// routine inspection (the same on every device), if it has one.
pub fn month_template_id(month: &impl ReadRecords) -> Option<String> {
    inspections(month)
        .ok()?
        .into_iter()
        .find(Inspection::is_routine)
        .map(|inspection| inspection.template_id)
}

/// Starts an inspection (or leaves an existing one of the same id as it is).
pub fn put_inspection(month: &mut Automerge, inspection: &Inspection) -> Result<(), SchemaError> {
    unlocked(month)?;
    inspection.validate()?;
    if get::<Inspection>(month, &inspection.id)?.is_some() {
        return Ok(());
    }
    put(month, inspection, inspection.started_at)
}

/// Records (or re-records) one's mark of an item, as one change.
pub fn put_mark(month: &mut Automerge, mark: &Mark, max_score: u32) -> Result<(), SchemaError> {
    unlocked(month)?;
    mark.validate_for(max_score)?;
    if get::<Inspection>(month, &mark.inspection_id)?.is_none() {
        return Err(SchemaError::Invalid(format!(
            "inspection {} is not in this month",
            mark.inspection_id
        )));
    }
    put(month, mark, mark.at)
}

/// Opens, updates or closes a rectification, as one change.
pub fn put_rectification(
    month: &mut Automerge,
    rectification: &Rectification,
    at: i64,
) -> Result<(), SchemaError> {
    unlocked(month)?;
    put(month, rectification, at)
}

/// Signs the month for a party. A party signs once; the second party's
/// signature locks the month.
pub fn put_signature(month: &mut Automerge, signature: &Signature) -> Result<(), SchemaError> {
    unlocked(month)?;
    signature.validate()?;
    if get::<Signature>(month, &signature.party)?.is_some() {
        return Err(SchemaError::Exists {
            records: Container::Signatures,
            id: signature.party.clone(),
        });
    }
    put(month, signature, signature.signed_at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::cleaning::{inspection, mark, month, signature};
    use crate::fixtures::{day, AT};
    use crate::schema::DocKey;

    #[test]
    fn the_default_template_adds_up_to_100() {
        let template = default_template();
        template.validate().unwrap();
        assert_eq!(template.areas.len(), 7);
    }

    #[test]
    fn publishing_checks_the_sum_and_ids() {
        let mut setup = DocKey::cleaning_setup("demo").genesis();
        let mut template = default_template();
        template.id = "tpl-1".into();
        template.version = 1;
        template.published_at = AT;
        template.areas[0].items[0].max_score += 1;
        assert!(
            publish_template(&mut setup, &template).is_err(),
            "101 points"
        );
        template.areas[0].items[0].max_score -= 1;
        template.areas[1].items[0].id = template.areas[0].items[0].id.clone();
        assert!(
            publish_template(&mut setup, &template).is_err(),
            "duplicate id"
        );
        template.areas[1].items[0].id = "corridor-floor".into();
        publish_template(&mut setup, &template).unwrap();
        assert_eq!(current_template(&setup).id, "tpl-1");
        assert!(
            publish_template(&mut setup, &template).is_err(),
            "published once"
        );
        assert_eq!(
            current_template(&DocKey::cleaning_setup("x").genesis()).id,
            DEFAULT_TEMPLATE_ID
        );
    }

    #[test]
    fn a_version_keeps_its_threshold_and_older_versions_read_as_the_default() {
        let mut setup = DocKey::cleaning_setup("demo").genesis();
        let mut template = default_template();
        (template.id, template.version, template.published_at) = ("tpl-1".into(), 1, AT);
        template.threshold = Some(0);
        assert!(publish_template(&mut setup, &template).is_err(), "0");
        template.threshold = Some(101);
        assert!(publish_template(&mut setup, &template).is_err(), "101");
        template.threshold = Some(85);
        publish_template(&mut setup, &template).unwrap();
        assert_eq!(current_template(&setup).threshold(), 85.0);

        // A version written before templates carried a threshold.
        let mut old = default_template();
        (old.id, old.version, old.published_at) = ("tpl-0".into(), 1, AT);
        let mut legacy = DocKey::cleaning_setup("demo").genesis();
        publish_template(&mut legacy, &old).unwrap();
        use automerge::transaction::Transactable;
        use automerge::ReadDoc;
        let mut tx = legacy.transaction();
        let templates = tx.get(automerge::ROOT, TEMPLATES).unwrap().unwrap().1;
        let record = tx.get(&templates, "tpl-0").unwrap().unwrap().1;
        tx.delete(&record, "threshold").unwrap();
        tx.commit();
        let read = super::template(&legacy, "tpl-0").expect("still readable");
        assert_eq!(read.threshold, None);
        assert_eq!(read.threshold(), f64::from(DEFAULT_THRESHOLD));
    }

    #[test]
    fn areas_of_a_building_and_versions_from_before_places_read() {
        let mut setup = DocKey::cleaning_setup("demo").genesis();
        let mut template = default_template();
        (template.id, template.version, template.published_at) = ("tpl-1".into(), 1, AT);
        let mut lobby3 = template.areas[0].clone();
        lobby3.id = "lobby-3".into();
        (lobby3.place_zh, lobby3.place_en) = ("3栋".into(), "Building 3".into());
        for item in &mut lobby3.items {
            item.id = format!("{}-3", item.id);
            item.max_score = 1;
        }
        // 15 points of the first lobby now go to both buildings' lobbies.
        for (item, max) in template.areas[0].items.iter_mut().zip([4, 4, 4]) {
            item.max_score = max;
        }
        template.areas.push(lobby3);
        publish_template(&mut setup, &template).unwrap();
        let read = super::template(&setup, "tpl-1").unwrap();
        assert_eq!(read.area("lobby-3").unwrap().place_zh, "3栋");
        assert_eq!(read.area("lobby").unwrap().place_zh, "");
        let stored = serde_json::to_value(read.area("lobby").unwrap()).unwrap();
        assert!(
            stored.get("place_zh").is_none(),
            "no place: stored as before"
        );

        // A version published by a build without places: no place fields.
        use automerge::transaction::Transactable;
        use automerge::ReadDoc;
        let mut tx = setup.transaction();
        let templates = tx.get(automerge::ROOT, TEMPLATES).unwrap().unwrap().1;
        let record = tx.get(&templates, "tpl-1").unwrap().unwrap().1;
        let areas = tx.get(&record, "areas").unwrap().unwrap().1;
        let area = tx.get(&areas, 7).unwrap().unwrap().1;
        tx.delete(&area, "place_zh").unwrap();
        tx.delete(&area, "place_en").unwrap();
        tx.commit();
        let old = super::template(&setup, "tpl-1").expect("still readable");
        assert_eq!(old.area("lobby-3").unwrap().place_zh, "");
        assert_eq!(old.areas.len(), 8);
    }

    #[test]
    fn marks_are_checked_against_the_item() {
        let ok = mark("lobby", "lobby-floor", "cleaning", OUTCOME_DEDUCTED, 2);
        ok.validate_for(6).unwrap();
        assert!(ok.validate_for(1).is_err(), "more than the maximum");
        let mut no_reason = ok.clone();
        no_reason.reason.clear();
        assert!(no_reason.validate_for(6).is_err());
        let mut forged = ok.clone();
        forged.by = "cleaning2".into();
        assert!(forged.validate_for(6).is_err(), "someone else's record");
        assert_eq!(ok.awarded(6), Some(4));
        assert_eq!(
            mark("lobby", "lobby-floor", "x", OUTCOME_NA, 0).awarded(6),
            None
        );
    }

    #[test]
    fn the_month_pins_its_earliest_inspections_template() {
        let mut doc = month();
        let mut later = inspection("lifts", "cleaning");
        later.template_id = "tpl-2".into();
        later.started_at = AT + 1000;
        put_inspection(&mut doc, &later).unwrap();
        put_inspection(&mut doc, &inspection("lobby", "cleaning")).unwrap();
        assert_eq!(
            month_template_id(&doc).as_deref(),
            Some(DEFAULT_TEMPLATE_ID)
        );
    }

    #[test]
    fn both_signatures_lock_the_month_against_every_write() {
        let mut doc = month();
        put_inspection(&mut doc, &inspection("lobby", "cleaning")).unwrap();
        put_signature(&mut doc, &signature(PARTY_SUPERVISOR)).unwrap();
        assert!(!is_locked(&doc));
        assert!(
            put_signature(&mut doc, &signature(PARTY_SUPERVISOR)).is_err(),
            "signs once"
        );
        put_signature(&mut doc, &signature(PARTY_VENDOR)).unwrap();
        assert!(is_locked(&doc));
        let heads = doc.get_heads();
        assert!(put_inspection(&mut doc, &inspection("lifts", "cleaning")).is_err());
        assert!(put_mark(
            &mut doc,
            &mark("lobby", "lobby-floor", "cleaning", OUTCOME_FULL, 0),
            6
        )
        .is_err());
        let rect = Rectification {
            id: rectification_id(&inspection_id("lobby", day()), "lobby-floor"),
            inspection_id: inspection_id("lobby", day()),
            area_id: "lobby".into(),
            item_id: "lobby-floor".into(),
            reason: "x".into(),
            opened_at: AT,
            deadline: default_deadline(day()),
            status: STATUS_OPEN.into(),
            reinspection_id: String::new(),
            closed_at: 0,
            result_note: String::new(),
        };
        assert!(put_rectification(&mut doc, &rect, AT).is_err());
        assert_eq!(doc.get_heads(), heads, "nothing changed");
    }
}
