//! `--demo-history`: the three full site-local months before the one the
//! demo is seeded in, for every demo zone, so the office head's monthly
//! reports (complaints, callbacks, visits, patrol, cleaning) show real
//! figures for last month the moment the demo starts.
//!
//! What it holds, month by month and zone by zone:
//!
//! - **Requests**: 25 to 40, spread over the month's days (08:00–20:00):
//!   home and common-area repairs (handling marks normal, Z, Q and GT),
//!   complaints (valid, invalid, another department's; a few collective,
//!   reported to the head and the company; some from the company's centre,
//!   reported back), enquiries and a few others, by every channel. Each has
//!   its workflow events (assign, accept, start, transfer, done, callback
//!   with the resident's satisfaction, an unsatisfied callback sent back to
//!   work now and then, close) at plausible times after it, so that most
//!   are closed after a callback, some are done and not yet called back,
//!   and some are still open at the month's end. Events may fall in the
//!   next month (they stay in the request log of the month the request was
//!   created in, as on a tablet); none is later than the seed. Every event
//!   is one the workflow allows where it falls (`workflow::check`), and
//!   names the event before it as its `prior`, so no history shows a
//!   conflict.
//! - **Visits**: the zone's service staff visit a third of the zone's 48
//!   households a month (a quarter's three months cover them all), with a
//!   few repeat visits, a callback visit or two, and the office head's
//!   visits; requests raised on a visit are linked both ways.
//! - **Patrol**: from the first day of last month up to the seed, every
//!   round the zone's night and day schedules make due (the schedules apply
//!   from then, so the current month's days are walked too: otherwise they
//!   would read as missed): most walked on time, about one in thirty
//!   missed, one in thirty left incomplete, the shifts' unannounced rounds
//!   mostly walked, and a few findings of every kind and severity. Only
//!   last month, not three: patrol is by far the most records (13 rounds a
//!   day a zone), and three months of it would take the seed well past 5 s
//!   in a debug build. Each
//!   round (its start, end, scans and finding) is written as one change,
//!   and carries the server's receipt, sealed with this database's key and
//!   stamped a few minutes after the round ended, as if the tablet synced
//!   then (request events carry none, like the demo's own: nothing reads
//!   their receipts).
//! - **Cleaning**: the built-in score-sheet template (the one the shared
//!   code scores with while a site has published none); per month two
//!   routine inspections of each of its seven areas, with marks and
//!   deductions that give each month a score (the middle month below the
//!   90 threshold), a rectification per deduction, closed by re-inspection
//!   (a few failing once first), and the sheet signed by the supervisor
//!   and the vendor on the 2nd of the next month (or on the month's last
//!   day if the seed comes earlier), which locks it.
//!
//! Everything is arithmetic on the month and a counter (a small hash, no
//! random numbers): the same seed month gives the same history. Record ids
//! carry an `h` and the month, so they never meet the demo's own records.

use std::collections::BTreeMap;

use automerge::{Automerge, ChangeHash};
use chrono::{Datelike, Duration, Months, NaiveDate};

use roundbook_shared::domain::{instant_at, local_date};
use roundbook_shared::fixtures::cleaning::mark_in;
use roundbook_shared::fixtures::patrol::{round_scan, ZonePlan};
use roundbook_shared::fixtures::requests::mark_as;
use roundbook_shared::fixtures::residents::demo_directory;
use roundbook_shared::resident_import::Directory;
use roundbook_shared::schema::cleaning::{
    default_deadline, default_template, inspection_id, put_inspection, put_mark, put_rectification,
    put_signature, rectification_id, Inspection, Mark, Rectification, Signature,
    DEFAULT_TEMPLATE_ID, KIND_REINSPECTION, KIND_ROUTINE, OUTCOME_DEDUCTED, OUTCOME_FULL,
    PARTY_SUPERVISOR, PARTY_VENDOR, STATUS_CLOSED, STATUS_OPEN,
};
use roundbook_shared::schema::finding::{Finding, FindingKind, Severity};
use roundbook_shared::schema::patrol::{Scan, METHOD_TYPED};
use roundbook_shared::schema::receipt::{stamp_new_records, Receipt, Seal};
use roundbook_shared::schema::record::{in_one_change, write};
use roundbook_shared::schema::request::{
    put_request, put_request_event, Action, Channel, Classification, Handling, ReportTarget,
    Request, RequestEvent, RequestKind, Satisfaction,
};
use roundbook_shared::schema::round::Round;
use roundbook_shared::schema::schedule::Schedule;
use roundbook_shared::schema::visit::{put_visit, Visit, PURPOSE_CALLBACK, PURPOSE_VISIT};
use roundbook_shared::schema::DocKey;

use crate::blobs::SITE_BLOBS;
use crate::store::{BlobRef, Store, StoreResult};

use super::SITE;

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// How many full months before the seed's month the history covers.
pub const MONTHS: u32 = 3;

/// The first days of the history's months, oldest first: the [`MONTHS`]
/// site-local months before the one holding `now`.
pub fn months(now: i64) -> Vec<NaiveDate> {
    let this_month = local_date(now).with_day(1).expect("every month has a 1st");
    (1..=MONTHS)
        .rev()
        .map(|back| this_month - Months::new(back))
        .collect()
}

/// When the patrol history starts, and the demo's schedules with it:
/// 00:00 site time on the first day of last month.
pub fn patrol_start(now: i64) -> i64 {
    instant_at(months(now)[MONTHS as usize - 1], 0)
}

/// A person of the demo, as records name them.
#[derive(Debug, Clone, Copy)]
struct Person {
    username: &'static str,
    name: &'static str,
}

impl Person {
    const fn new(username: &'static str, name: &'static str) -> Person {
        Person { username, name }
    }

    /// The person's tablet.
    fn device(self) -> String {
        format!("pad-{}", self.username)
    }
}

const SERVICE_A: [Person; 2] = [
    Person::new("service-a", "陈静"),
    Person::new("service-a2", "吴婷"),
];
const SERVICE_B: [Person; 1] = [Person::new("service-b", "郑洁")];
const SERVICE_C: [Person; 2] = [
    Person::new("service-lead", "黄丽"),
    Person::new("frontdesk", "林晓"),
];
const HEAD: Person = Person::new("head", "赵敏");
const ENGINEERING: Person = Person::new("engineering", "高峰");
const CLEANING: Person = Person::new("cleaning", "刘芳");
const ENVIRONMENT: Person = Person::new("environment", "杨帆");
/// The cleaning vendor's representative, who signs on the supervisor's tablet.
const VENDOR: &str = "张海燕";

/// Who works a zone: service staff (the first owns most requests), who
/// repairs, and the guards of the day and the night shift. Zone C has no
/// staff of its own in the demo: the service supervisor and the front desk
/// serve it, and the squad leader walks its rounds.
struct Crew {
    service: &'static [Person],
    repair: Person,
    day_guard: Person,
    night_guard: Person,
}

fn crew(zone: &str) -> Crew {
    match zone {
        "A" => Crew {
            service: &SERVICE_A,
            repair: Person::new("repair-a", "何建"),
            day_guard: Person::new("guard-a", "王强"),
            night_guard: Person::new("guard-a2", "周磊"),
        },
        "B" => Crew {
            service: &SERVICE_B,
            repair: ENGINEERING,
            day_guard: Person::new("guard-b", "李军"),
            night_guard: Person::new("guard-b", "李军"),
        },
        _ => Crew {
            service: &SERVICE_C,
            repair: ENGINEERING,
            day_guard: Person::new("squad", "罗刚"),
            night_guard: Person::new("squad", "罗刚"),
        },
    }
}

/// A deterministic stream of numbers (SplitMix64) for one part of the
/// history: the same parts give the same stream.
struct Dice(u64);

impl Dice {
    fn new(parts: &[u64]) -> Dice {
        let mut dice = Dice(0x5eed_0fd3_60ab_cdef);
        for part in parts {
            dice.0 ^= part.wrapping_mul(0x9e37_79b9_7f4a_7c15);
            dice.next();
        }
        dice
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// A number in `low..=high`.
    fn between(&mut self, low: i64, high: i64) -> i64 {
        low + self.below((high - low + 1) as u64) as i64
    }

    /// True `percent` times in a hundred.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// One of `items` by weight.
    fn weighted<T: Copy>(&mut self, items: &[(T, u64)]) -> T {
        let total: u64 = items.iter().map(|(_, weight)| weight).sum();
        let mut roll = self.below(total);
        for (item, weight) in items {
            if roll < *weight {
                return *item;
            }
            roll -= weight;
        }
        items[0].0
    }
}

fn zone_number(zone: &str) -> u64 {
    zone.bytes().next().map_or(0, u64::from)
}

fn month_number(month: NaiveDate) -> u64 {
    month.year() as u64 * 12 + u64::from(month.month0())
}

fn days_in(month: NaiveDate) -> u32 {
    ((month + Months::new(1)) - month).num_days() as u32
}

/// The history's documents as they are written, stored at the end.
#[derive(Default)]
struct Docs(BTreeMap<DocKey, Automerge>);

impl Docs {
    fn get(&mut self, key: DocKey) -> &mut Automerge {
        self.0.entry(key.clone()).or_insert_with(|| key.genesis())
    }

    fn store(self, store: &dyn Store) -> StoreResult<()> {
        for (key, doc) in self.0 {
            let id = key.document_id();
            store.register_document(&id, &key)?;
            store.add_snapshot(&id, &doc.save())?;
        }
        Ok(())
    }
}

/// Stamps what `doc` gained since `before` as the server would on receipt
/// at `received_at`, from a tablet whose clock was a little behind.
fn stamp(doc: &mut Automerge, key: &DocKey, before: &[ChangeHash], received_at: i64, seal: &Seal) {
    let receipt = Receipt {
        received_at,
        clock_skew_ms: Some((received_at / 1000) % 7 * 100),
    };
    stamp_new_records(doc, key.kind, before, receipt, seal).expect("a demo stamp is valid");
}

/// Seeds the history before `now` into `store`, for `zones` (each with its
/// patrol plan as seeded; its schedules apply from [`patrol_start`]).
pub fn seed(store: &dyn Store, zones: &[(String, ZonePlan)], now: i64) -> StoreResult<()> {
    let seal = Seal::new(&store.secret(crate::hub::RECEIPT_SEAL)?);
    let mut docs = Docs::default();
    for (zone, plan) in zones {
        let directory = demo_directory(zone);
        for month in months(now) {
            let visits_asked = requests(&mut docs, zone, &directory, month, now);
            visits(&mut docs, zone, &directory, month, &visits_asked);
        }
        patrol(&mut docs, &seal, zone, plan, now);
    }
    let signatures = cleaning(&mut docs, now);
    for (png, _) in &signatures {
        let blob = BlobRef {
            site: SITE.into(),
            zone: SITE_BLOBS.into(),
            hash: roundbook_shared::blob::hash_of(png),
        };
        store.commit_blob(&blob, "image/png", png)?;
    }
    let setup = DocKey::cleaning_setup(SITE);
    docs.get(setup);
    docs.store(store)
}

// --- Requests -------------------------------------------------------------

/// A request raised on a household visit, for the visit log.
struct Raised {
    visit_id: String,
    request_id: String,
    unit: usize,
    at: i64,
    by: Person,
    text: &'static str,
}

/// What becomes of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    /// Called back and closed (or closed as invalid).
    Closed,
    /// Done, not called back yet.
    Done,
    /// Still being worked on.
    Open,
}

/// A request's events as they are made, one after the other.
struct Chain {
    request_id: String,
    at: i64,
    events: Vec<RequestEvent>,
}

impl Chain {
    /// The next event, `gap` after the last, by `by`.
    fn push(&mut self, action: Action, by: Person, gap: i64) -> &mut RequestEvent {
        self.at += gap.max(MINUTE);
        let mut event = RequestEvent::new(
            &format!("{}-e{}", self.request_id, self.events.len() + 1),
            &self.request_id,
            action,
            self.at,
        );
        event.by = by.username.into();
        event.by_name = by.name.into();
        event.device = by.device();
        event.prior = self
            .events
            .last()
            .map(|event| event.id.clone())
            .unwrap_or_default();
        self.events.push(event);
        self.events.last_mut().expect("just pushed")
    }

    fn assign(&mut self, by: Person, to: Person, gap: i64) {
        let event = self.push(Action::Assign, by, gap);
        event.assignee = to.username.into();
        event.assignee_name = to.name.into();
    }

    fn transfer(&mut self, by: Person, to: &str, note: &str, gap: i64) {
        let event = self.push(Action::Transfer, by, gap);
        event.assignee = to.into();
        event.assignee_name = to.into();
        event.note = note.into();
    }

    fn done(&mut self, by: Person, note: &str, gap: i64) {
        self.push(Action::Done, by, gap).note = note.into();
    }

    fn report(&mut self, by: Person, target: ReportTarget, note: &str, gap: i64) {
        let event = self.push(Action::Report, by, gap);
        event.target = target.as_str().into();
        event.note = note.into();
    }

    fn callback(&mut self, by: Person, satisfaction: Satisfaction, gap: i64) {
        let event = self.push(Action::Callback, by, gap);
        event.satisfaction = satisfaction.as_str().into();
        event.note = match satisfaction {
            Satisfaction::Satisfied => "住户表示满意",
            Satisfaction::Basically => "住户基本满意，希望以后处理快一些",
            Satisfaction::NotSatisfied => "住户反映问题仍未解决，已安排再次处理",
        }
        .into();
    }
}

const REPAIRS_HOME: [(&str, &str); 8] = [
    ("卫生间下水道堵塞", "已疏通下水管"),
    ("厨房水龙头漏水", "已更换水龙头阀芯"),
    ("客厅插座没电", "已更换插座并检查线路"),
    ("阳台地漏反味", "已加装防臭地漏芯"),
    ("入户门锁芯卡滞", "已调整门锁并润滑"),
    ("热水器不出热水", "已联系厂家上门检修"),
    ("卧室墙面渗水起皮", "已查明外墙渗漏点并修补"),
    ("马桶水箱一直流水", "已更换水箱配件"),
];

const REPAIRS_COMMON: [(&str, &str); 8] = [
    ("楼道声控灯不亮", "已更换声控灯"),
    ("单元门禁门关不严", "已调整闭门器"),
    ("电梯按钮失灵", "已通知电梯维保单位更换按钮"),
    ("地下车库照明灯坏了两盏", "已更换灯管"),
    ("小区路面井盖松动有响声", "已加固井盖"),
    ("楼顶水箱间门锁损坏", "已更换门锁"),
    ("单元信报箱门脱落", "已重新安装"),
    ("儿童游乐区滑梯螺丝松动", "已紧固并检查其他设施"),
];

const COMPLAINTS: [&str; 8] = [
    "楼上装修噪音影响休息",
    "邻居在楼道堆放杂物",
    "小区内有人遛狗不牵绳",
    "地下车库有车辆占用他人车位",
    "晚上广场舞音响声音太大",
    "垃圾清运不及时有异味",
    "快递员在小区内骑车太快",
    "楼下餐馆油烟影响住户",
];

const COLLECTIVE: [&str; 3] = [
    "多户业主反映夜间施工噪音扰民",
    "整栋楼反映二次供水水压不足",
    "多户业主反映车库入口积水无法通行",
];

const ENQUIRIES: [(&str, &str); 6] = [
    ("咨询停车位月卡办理", "已告知办理流程和所需材料"),
    ("咨询物业费缴纳方式", "已告知线上和前台缴费方式"),
    ("咨询装修申请手续", "已告知装修申请流程及押金标准"),
    ("咨询门禁卡补办", "已告知到前台填表补办"),
    ("咨询快递柜位置", "已告知快递柜位置"),
    ("咨询小区疫苗接种点", "已告知社区通知内容"),
];

const OTHERS: [(RequestKind, &str, &str); 5] = [
    (
        RequestKind::Other,
        "希望增设电动车充电桩",
        "已登记并上报管理处研究",
    ),
    (
        RequestKind::Other,
        "借用会议室开业主座谈会",
        "已协调会议室时间",
    ),
    (
        RequestKind::Medical,
        "老人在家中摔倒需要帮助",
        "已协助拨打120并陪同送医",
    ),
    (RequestKind::Crime, "电动车电瓶被盗", "已调取监控并协助报警"),
    (
        RequestKind::Disaster,
        "暴雨后地下室进水",
        "已组织抽水并检查配电设施",
    ),
];

const OTHER_DEPARTMENTS: [&str; 4] = ["工程部", "安管部", "环境部", "社区居委会"];

/// A zone's requests of `month`, in its request log of that month, with
/// their events; returns the ones raised on visits.
fn requests(
    docs: &mut Docs,
    zone: &str,
    directory: &Directory,
    month: NaiveDate,
    now: i64,
) -> Vec<Raised> {
    let crew = crew(zone);
    let mut dice = Dice::new(&[1, zone_number(zone), month_number(month)]);
    let count = 25 + dice.below(16) as u32;
    let days = days_in(month);
    let key = DocKey::request_log(SITE, zone, month);
    let mut raised = Vec::new();
    for n in 0..count {
        let id = format!(
            "req-h{}-{}-{:02}",
            month.format("%Y%m"),
            zone.to_lowercase(),
            n + 1
        );
        let day = month + Duration::days(i64::from(n * days / count));
        let received_at = instant_at(day, 8 * 60 + dice.below(12 * 60) as u32);
        if received_at > now - HOUR {
            break;
        }
        let kind = dice.weighted(&[
            (RequestKind::RepairHome, 30),
            (RequestKind::RepairCommon, 20),
            (RequestKind::Complaint, 22),
            (RequestKind::Enquiry, 18),
            (RequestKind::Other, 10),
        ]);
        let mut channel = dice.weighted(&[
            (Channel::Phone, 45),
            (Channel::WalkIn, 25),
            (Channel::Visit, 10),
            (Channel::WalkRound, 8),
            (Channel::LetterOnline, 7),
            (Channel::CompanyCentre, 5),
        ]);
        if channel == Channel::CompanyCentre && kind != RequestKind::Complaint {
            channel = Channel::Phone;
        }
        let owner = if dice.chance(70) {
            crew.service[0]
        } else {
            *dice.pick(crew.service)
        };
        let unit_index = dice.below(directory.units.len() as u64) as usize;
        let unit = &directory.units[unit_index];
        let resident = directory
            .residents
            .iter()
            .find(|resident| resident.unit_id == unit.id)
            .expect("every demo flat has its owner");
        let collective = kind == RequestKind::Complaint && dice.chance(12);
        let mut request = Request {
            id: id.clone(),
            zone: zone.into(),
            channel: channel.as_str().into(),
            kind: kind.as_str().into(),
            unit_id: unit.id.clone(),
            unit_label: unit.label(),
            resident_name: resident.name.clone(),
            contact_phone: resident.phone.clone(),
            description: String::new(),
            photos: Vec::new(),
            collective,
            households: 0,
            visit_id: String::new(),
            finding_id: String::new(),
            checkpoint_id: String::new(),
            checkpoint_label: String::new(),
            received_by: owner.username.into(),
            received_by_name: owner.name.into(),
            device: owner.device(),
            received_at,
        };
        let fate = match dice.below(100) {
            0..=77 => Fate::Closed,
            78..=87 => Fate::Done,
            _ => Fate::Open,
        };
        let mut chain = Chain {
            request_id: id.clone(),
            at: received_at,
            events: Vec::new(),
        };
        let request_kind = if kind == RequestKind::Other {
            let (other, text, result) = *dice.pick(&OTHERS);
            request.kind = other.as_str().into();
            request.description = text.into();
            handle_other(&mut chain, &mut dice, owner, fate, result);
            other
        } else {
            kind
        };
        match request_kind {
            RequestKind::RepairHome | RequestKind::RepairCommon => {
                let list = if request_kind == RequestKind::RepairHome {
                    &REPAIRS_HOME
                } else {
                    &REPAIRS_COMMON
                };
                let (text, result) = *dice.pick(list);
                request.description = text.into();
                handle_repair(&mut chain, &mut dice, owner, crew.repair, fate, result);
            }
            RequestKind::Complaint => {
                if collective {
                    request.households = dice.between(3, 12) as u32;
                    request.description = (*dice.pick(&COLLECTIVE)).into();
                    request.unit_label = format!("{}栋", unit.building);
                } else {
                    request.description = (*dice.pick(&COMPLAINTS)).into();
                }
                handle_complaint(&mut chain, &mut dice, owner, &request, fate);
            }
            RequestKind::Enquiry => {
                let (text, result) = *dice.pick(&ENQUIRIES);
                request.description = text.into();
                chain.done(owner, result, dice.between(2, 30) * MINUTE);
                if let Some(event) = chain.events.last_mut() {
                    event.on_the_spot = true;
                }
                call_back(&mut chain, &mut dice, owner, fate);
            }
            _ => {}
        }
        if channel == Channel::Visit {
            request.visit_id = format!("visit-{id}");
            raised.push(Raised {
                visit_id: request.visit_id.clone(),
                request_id: id.clone(),
                unit: unit_index,
                at: received_at - dice.between(5, 20) * MINUTE,
                by: owner,
                // The visit notes that something was raised; the request
                // says what.
                text: DESCRIPTIONS_RAISED[n as usize % DESCRIPTIONS_RAISED.len()],
            });
        }
        let doc = docs.get(key.clone());
        put_request(doc, &request).expect("a demo request is valid");
        for event in &chain.events {
            if event.at > now - 10 * MINUTE {
                break;
            }
            put_request_event(doc, event).expect("a demo event is valid");
        }
    }
    raised
}

/// What a visit notes when a request was raised on it.
const DESCRIPTIONS_RAISED: [&str; 3] = [
    "住户反映问题，已当场登记诉求",
    "走访时住户提出维修需求",
    "住户对小区管理提出意见，已登记",
];

fn handle_repair(
    chain: &mut Chain,
    dice: &mut Dice,
    owner: Person,
    repair: Person,
    fate: Fate,
    result: &str,
) {
    let handling = dice.weighted(&[
        (Handling::Normal, 70),
        (Handling::Z, 10),
        (Handling::Q, 12),
        (Handling::Gt, 8),
    ]);
    mark_as(
        chain.push(Action::Mark, owner, dice.between(5, 20) * MINUTE),
        handling,
    );
    match handling {
        Handling::Normal | Handling::Gt => {
            chain.assign(owner, repair, dice.between(5, 30) * MINUTE);
            chain.push(Action::Accept, repair, dice.between(10, 60) * MINUTE);
            chain.push(Action::Start, repair, dice.between(30, 240) * MINUTE);
            if fate == Fate::Open {
                return;
            }
            if handling == Handling::Gt {
                chain
                    .push(Action::Note, owner, dice.between(20, 28) * HOUR)
                    .note = "已协调开发商、施工方和住户，约定维修时间".into();
                chain.done(repair, result, dice.between(24, 72) * HOUR);
            } else {
                chain.done(repair, result, dice.between(30, 180) * MINUTE);
            }
        }
        Handling::Z | Handling::Q => {
            let (to, note) = if handling == Handling::Z {
                ("开发商保修单位", "保修期内，已转开发商维修")
            } else {
                ("外部单位", "属外部单位维修范围，已联系对方上门")
            };
            chain.transfer(owner, to, note, dice.between(10, 60) * MINUTE);
            if fate == Fate::Open {
                return;
            }
            chain.done(owner, result, dice.between(20, 60) * HOUR);
        }
    }
    call_back(chain, dice, owner, fate);
}

fn handle_complaint(
    chain: &mut Chain,
    dice: &mut Dice,
    owner: Person,
    request: &Request,
    fate: Fate,
) {
    if request.collective {
        chain.report(
            owner,
            ReportTarget::Head,
            "集体投诉，已报告管理处主任",
            dice.between(3, 14) * MINUTE,
        );
        chain.report(
            HEAD,
            ReportTarget::Company,
            "已上报公司",
            dice.between(30, 110) * MINUTE,
        );
    }
    let classification = if request.collective {
        Classification::Valid
    } else {
        dice.weighted(&[
            (Classification::Valid, 55),
            (Classification::Invalid, 25),
            (Classification::OtherDepartment, 20),
        ])
    };
    let classify = chain.push(Action::Classify, owner, dice.between(10, 60) * MINUTE);
    classify.classification = classification.as_str().into();
    let agreed = dice.between(1, 2) * DAY;
    if classification == Classification::Valid {
        classify.reply_by = classify.at + agreed;
    }
    if fate == Fate::Open {
        return;
    }
    match classification {
        Classification::Invalid => {
            chain
                .push(Action::CloseInvalid, owner, dice.between(10, 90) * MINUTE)
                .note = "经核实不属于物业责任范围，已向住户耐心解释".into();
            return;
        }
        Classification::Valid => {
            chain.push(Action::Start, owner, dice.between(20, 120) * MINUTE);
            chain.done(
                owner,
                "已与相关方沟通并处理，按约定时间答复住户",
                dice.between(2, agreed / HOUR - 2) * HOUR,
            );
        }
        Classification::OtherDepartment => {
            let department = *dice.pick(&OTHER_DEPARTMENTS);
            chain.transfer(
                owner,
                department,
                "已书面报送相关部门处理",
                dice.between(20, 90) * MINUTE,
            );
            chain.done(owner, "相关部门已处理完毕", dice.between(20, 70) * HOUR);
        }
    }
    if request.channel() == Channel::CompanyCentre {
        chain.report(
            owner,
            ReportTarget::Centre,
            "处理结果已反馈公司客户投诉处理中心",
            dice.between(1, 10) * HOUR,
        );
    }
    call_back(chain, dice, owner, fate);
}

fn handle_other(chain: &mut Chain, dice: &mut Dice, owner: Person, fate: Fate, result: &str) {
    chain.push(Action::Accept, owner, dice.between(2, 15) * MINUTE);
    chain.push(Action::Start, owner, dice.between(5, 60) * MINUTE);
    if fate == Fate::Open {
        return;
    }
    chain.done(owner, result, dice.between(1, 30) * HOUR);
    call_back(chain, dice, owner, fate);
}

/// The callback (an unsatisfied one sends the request back to work, done
/// again and called back again) and the close.
fn call_back(chain: &mut Chain, dice: &mut Dice, owner: Person, fate: Fate) {
    if fate != Fate::Closed {
        return;
    }
    if dice.chance(6) {
        chain.callback(
            owner,
            Satisfaction::NotSatisfied,
            dice.between(4, 30) * HOUR,
        );
        chain.done(owner, "已再次上门处理", dice.between(4, 30) * HOUR);
    }
    let satisfaction =
        dice.weighted(&[(Satisfaction::Satisfied, 82), (Satisfaction::Basically, 18)]);
    chain.callback(owner, satisfaction, dice.between(3, 30) * HOUR);
    chain.push(Action::Close, owner, dice.between(1, 15) * MINUTE);
}

// --- Visits ---------------------------------------------------------------

const VISIT_NOTES: [(&str, &str); 8] = [
    ("无意见", "satisfied"),
    ("对保洁和安保工作表示认可", "satisfied"),
    ("希望加强车库巡查", "basically"),
    ("反映楼道偶有小广告", "basically"),
    ("建议增加绿化修剪次数", "basically"),
    ("对快递管理不满意", "not_satisfied"),
    ("家中无人，留下联系卡", "none"),
    ("询问物业费明细，已当场解答", "satisfied"),
];

/// A zone's visits of `month` in its quarter's visit log: a third of the
/// households (the third the month's place in its quarter picks, so a
/// quarter covers all 48), a few repeats and callbacks, the head's, and
/// the visits that raised requests.
fn visits(docs: &mut Docs, zone: &str, directory: &Directory, month: NaiveDate, raised: &[Raised]) {
    let crew = crew(zone);
    let mut dice = Dice::new(&[2, zone_number(zone), month_number(month)]);
    let key = DocKey::visit_log(SITE, zone, month);
    let doc = docs.get(key);
    let units = directory.units.len();
    let third = units / 3;
    let place = (month.month0() % 3) as usize;
    let days = days_in(month) as i64;
    let at = |dice: &mut Dice| {
        let day = month + Duration::days(dice.below(days as u64 - 1) as i64);
        let minute = if dice.chance(50) {
            9 * 60 + dice.below(150)
        } else {
            14 * 60 + 30 + dice.below(180)
        };
        instant_at(day, minute as u32)
    };
    let mut visited = Vec::new();
    let mut write = |unit: usize, visited_at: i64, by: Person, purpose: &str, n: usize| {
        let unit_record = &directory.units[unit];
        let resident = directory
            .residents
            .iter()
            .find(|resident| resident.unit_id == unit_record.id)
            .expect("every demo flat has its owner");
        let (raised_text, satisfaction) = VISIT_NOTES[(unit + n) % VISIT_NOTES.len()];
        let visit = Visit {
            id: format!(
                "visit-h{}-{}-{n:02}",
                month.format("%Y%m"),
                zone.to_lowercase()
            ),
            zone: zone.into(),
            unit_id: unit_record.id.clone(),
            unit_label: unit_record.label(),
            resident_name: if satisfaction == "none" {
                String::new()
            } else {
                resident.name.clone()
            },
            visited_at,
            by: by.username.into(),
            by_name: by.name.into(),
            device: by.device(),
            purpose: purpose.into(),
            raised: if purpose == PURPOSE_CALLBACK {
                "回访上次报修，住户表示已修好".into()
            } else {
                raised_text.into()
            },
            satisfaction: satisfaction.into(),
            reply_by: if satisfaction == "not_satisfied" {
                visited_at + 2 * DAY
            } else {
                0
            },
            request_ids: Vec::new(),
        };
        put_visit(doc, &visit).expect("a demo visit is valid");
    };
    let mut n = 0;
    for j in 0..third {
        if dice.chance(6) {
            continue; // Nobody home twice: left for next month.
        }
        let unit = ((place * third + j) * 7) % units;
        let by = *dice.pick(crew.service);
        n += 1;
        write(unit, at(&mut dice), by, PURPOSE_VISIT, n);
        visited.push(unit);
    }
    for _ in 0..dice.between(2, 4) {
        let unit = *dice.pick(&visited);
        n += 1;
        write(unit, at(&mut dice), crew.service[0], PURPOSE_VISIT, n);
    }
    for _ in 0..dice.between(1, 2) {
        let unit = dice.below(units as u64) as usize;
        n += 1;
        write(unit, at(&mut dice), crew.service[0], PURPOSE_CALLBACK, n);
    }
    for _ in 0..dice.between(1, 2) {
        let unit = dice.below(units as u64) as usize;
        n += 1;
        write(unit, at(&mut dice), HEAD, PURPOSE_VISIT, n);
    }
    for visit in raised {
        let unit = &directory.units[visit.unit];
        let resident = directory
            .residents
            .iter()
            .find(|resident| resident.unit_id == unit.id)
            .expect("every demo flat has its owner");
        let record = Visit {
            id: visit.visit_id.clone(),
            zone: zone.into(),
            unit_id: unit.id.clone(),
            unit_label: unit.label(),
            resident_name: resident.name.clone(),
            visited_at: visit.at,
            by: visit.by.username.into(),
            by_name: visit.by.name.into(),
            device: visit.by.device(),
            purpose: PURPOSE_VISIT.into(),
            raised: visit.text.into(),
            satisfaction: "basically".into(),
            reply_by: 0,
            request_ids: vec![visit.request_id.clone()],
        };
        put_visit(doc, &record).expect("a demo visit is valid");
    }
}

// --- Patrol ---------------------------------------------------------------

const FINDINGS: [(FindingKind, Severity, &str); 8] = [
    (
        FindingKind::FireEquipment,
        Severity::Medium,
        "灭火器压力不足",
    ),
    (
        FindingKind::FacilityDamage,
        Severity::Low,
        "围墙护栏一处松动",
    ),
    (
        FindingKind::SafetyHazard,
        Severity::High,
        "消防通道被车辆堵塞",
    ),
    (
        FindingKind::SuspiciousPerson,
        Severity::Medium,
        "有陌生人在车库徘徊，已盘问登记",
    ),
    (
        FindingKind::SuspiciousVehicle,
        Severity::Low,
        "外来车辆未登记停放",
    ),
    (FindingKind::Other, Severity::Low, "路灯白天未关闭"),
    (
        FindingKind::FacilityDamage,
        Severity::Medium,
        "垃圾收集点地面破损",
    ),
    (FindingKind::FireEquipment, Severity::High, "消火栓箱门损坏"),
];

/// A round as its guard walks it into its day's patrol log: started at
/// `started_at`, a scan every few minutes (all checkpoints, or all but
/// one), ended after the last; stamped on receipt a little later.
#[allow(clippy::too_many_arguments)]
fn walk(
    docs: &mut Docs,
    seal: &Seal,
    plan: &ZonePlan,
    schedule: &Schedule,
    due_at: Option<i64>,
    started_at: i64,
    guard: Person,
    complete: bool,
    finding: Option<usize>,
    dice: &mut Dice,
) {
    let zone_id = plan.zone.to_lowercase();
    let local = roundbook_shared::domain::local_datetime(started_at);
    let shift = schedule.id.rsplit('-').next().unwrap_or_default();
    let id = format!(
        "round-h-{zone_id}-{}-{shift}-{}",
        local.format("%Y%m%d%H%M"),
        if due_at.is_some() { "fixed" } else { "extra" }
    );
    let key = DocKey::patrol_log(SITE, &plan.zone, local_date(started_at));
    let doc = docs.get(key.clone());
    let before = doc.get_heads();
    let mut round = Round {
        id: id.clone(),
        route_id: plan.route.id.clone(),
        route_name: plan.route.name.clone(),
        schedule_id: schedule.id.clone(),
        due_at,
        checkpoints: plan.route.checkpoints.clone(),
        guard: guard.username.into(),
        guard_name: guard.name.into(),
        device: format!("tablet-{zone_id}"),
        started_at,
        ended_at: None,
    };
    let mut records: (Vec<Scan>, Option<Finding>) = (Vec::new(), None);
    let skipped = (!complete).then(|| dice.below(plan.checkpoints.len() as u64) as usize);
    let mut at = started_at;
    for (n, checkpoint) in plan.checkpoints.iter().enumerate() {
        at += dice.between(3, 9) * MINUTE;
        if skipped == Some(n) {
            continue;
        }
        let mut scan = round_scan(&round, n + 1, checkpoint, at);
        if dice.chance(4) {
            scan.method = METHOD_TYPED.into();
        }
        records.0.push(scan);
        if let Some(which) = finding.filter(|_| n == 2) {
            let (kind, severity, note) = FINDINGS[which % FINDINGS.len()];
            let finding = Finding {
                id: format!("finding-{}", id.trim_start_matches("round-")),
                round_id: id.clone(),
                checkpoint_id: checkpoint.id.clone(),
                kind: kind.as_str().into(),
                severity: severity.as_str().into(),
                note: note.into(),
                photos: Vec::new(),
                guard: round.guard.clone(),
                guard_name: round.guard_name.clone(),
                device: round.device.clone(),
                found_at: at + MINUTE,
                needs_repair: false,
                request_id: String::new(),
            };
            records.1 = Some(finding);
            at += 2 * MINUTE;
        }
    }
    round.ended_at = Some(at + MINUTE);
    in_one_change(doc, started_at, |tx| {
        write(tx, &round)?;
        for scan in &records.0 {
            write(tx, scan)?;
        }
        records.1.iter().try_for_each(|finding| write(tx, finding))
    })
    .expect("a demo round is valid");
    stamp(doc, &key, &before, at + dice.between(1, 5) * MINUTE, seal);
}

/// Every round the zone's schedules make due from the history's start until
/// `now` (those whose time is over), walked or missed.
fn patrol(docs: &mut Docs, seal: &Seal, zone: &str, plan: &ZonePlan, now: i64) {
    let crew = crew(zone);
    let since = patrol_start(now);
    let first = local_date(since) - Duration::days(1);
    let mut date = first;
    while date <= local_date(now) {
        let mut dice = Dice::new(&[3, zone_number(zone), date.num_days_from_ce() as u64]);
        // About one round in a hundred has a finding, of a kind in turn.
        let mut finding_turn = date.num_days_from_ce() as usize;
        for template in &plan.schedules {
            let schedule = Schedule {
                since,
                ..template.clone()
            };
            let guard = if schedule.shift_start >= 18 * 60 {
                crew.night_guard
            } else {
                crew.day_guard
            };
            let round_time = i64::from(schedule.round_minutes) * MINUTE;
            let tolerance = i64::from(schedule.tolerance_minutes) * MINUTE;
            for due in schedule.slots(date) {
                let window = schedule.start_window(due);
                if !schedule.covers_window(window) || window.1 + round_time > now {
                    continue;
                }
                let roll = dice.below(100);
                if roll < 3 {
                    continue; // Missed.
                }
                let started = due + dice.between(-tolerance / 2, tolerance / 2) / MINUTE * MINUTE;
                let finding = dice.chance(1).then(|| {
                    finding_turn += 1;
                    finding_turn
                });
                walk(
                    docs,
                    seal,
                    plan,
                    &schedule,
                    Some(due),
                    started,
                    guard,
                    roll >= 6,
                    finding,
                    &mut dice,
                );
            }
            let shift = schedule.shift(date);
            if !schedule.covers_shift(&shift) || shift.end > now {
                continue;
            }
            let slots = schedule.slots(date);
            for k in 0..schedule.unannounced {
                if dice.chance(8) {
                    continue; // Missed.
                }
                // Between two fixed rounds, clear of both.
                let gap = (k as usize * 2 + 1) % (slots.len() - 1);
                let started = slots[gap] + dice.between(50, 65) * MINUTE;
                let finding = dice.chance(2).then(|| {
                    finding_turn += 1;
                    finding_turn
                });
                walk(
                    docs, seal, plan, &schedule, None, started, guard, true, finding, &mut dice,
                );
            }
        }
        date += Duration::days(1);
    }
}

// --- Cleaning -------------------------------------------------------------

/// Why an area's item lost points.
fn reason(area: &str) -> &'static str {
    match area {
        "lobby" => "地面有污渍，玻璃有手印",
        "corridors" => "楼梯间有杂物堆放",
        "lifts" => "轿厢地面有污渍",
        "grounds" => "路面有烟头纸屑",
        "refuse" => "垃圾桶外溢，有异味",
        "carpark" => "车库地面有油污",
        _ => "绿化带内有垃圾",
    }
}

/// Each history month's cleaning: two routine inspections of every area,
/// deductions opening rectifications closed by re-inspection, and the
/// sheet signed by both parties. Returns the signature images to store
/// (PNG bytes, signer).
fn cleaning(docs: &mut Docs, now: i64) -> Vec<(Vec<u8>, String)> {
    let template = default_template();
    let mut images = Vec::new();
    for (index, month) in months(now).into_iter().enumerate() {
        let mut dice = Dice::new(&[4, month_number(month)]);
        // Chance of a deduction per item: the middle month is a bad one.
        let strictness = [10, 40, 12][index % 3];
        let key = DocKey::cleaning_month(SITE, month);
        let doc = docs.get(key);
        let mut open: Vec<(Rectification, NaiveDate, Person)> = Vec::new();
        for (round, first_day) in [(0, 6), (1, 20)] {
            for (a, area) in template.areas.iter().enumerate() {
                let date = month + Duration::days(first_day + (a as i64 % 2));
                let inspector = if (round + a) % 3 == 2 {
                    ENVIRONMENT
                } else {
                    CLEANING
                };
                let started_at = instant_at(date, 9 * 60 + 20 * a as u32);
                let inspection = Inspection {
                    id: inspection_id(&area.id, date),
                    area_id: area.id.clone(),
                    date: date.to_string(),
                    template_id: DEFAULT_TEMPLATE_ID.into(),
                    kind: KIND_ROUTINE.into(),
                    rectification_id: String::new(),
                    started_by: inspector.username.into(),
                    started_by_name: inspector.name.into(),
                    device: inspector.device(),
                    started_at,
                };
                put_inspection(doc, &inspection).expect("a demo inspection is valid");
                for (i, item) in area.items.iter().enumerate() {
                    let at = started_at + (i as i64 + 1) * 3 * MINUTE;
                    let deducted = dice.chance(strictness);
                    let deduction = if deducted {
                        dice.between(1, i64::from(item.max_score.min(4))) as u32
                    } else {
                        0
                    };
                    let outcome = if deducted {
                        OUTCOME_DEDUCTED
                    } else {
                        OUTCOME_FULL
                    };
                    let mark = Mark {
                        by_name: inspector.name.into(),
                        device: inspector.device(),
                        at,
                        reason: if deducted {
                            reason(&area.id).into()
                        } else {
                            String::new()
                        },
                        ..mark_in(
                            &inspection,
                            &item.id,
                            inspector.username,
                            outcome,
                            deduction,
                        )
                    };
                    put_mark(doc, &mark, item.max_score).expect("a demo mark is valid");
                    if deducted {
                        let rectification = Rectification {
                            id: rectification_id(&inspection.id, &item.id),
                            inspection_id: inspection.id.clone(),
                            area_id: area.id.clone(),
                            item_id: item.id.clone(),
                            reason: mark.reason.clone(),
                            opened_at: at,
                            deadline: default_deadline(date),
                            status: STATUS_OPEN.into(),
                            reinspection_id: String::new(),
                            closed_at: 0,
                            result_note: String::new(),
                        };
                        put_rectification(doc, &rectification, at)
                            .expect("a demo rectification is valid");
                        open.push((rectification, date, inspector));
                    }
                }
            }
        }
        // Re-inspections: most pass the next day; a few fail once first.
        for (mut rectification, date, inspector) in open {
            let fails = dice.chance(15);
            let mut day = date + Duration::days(1);
            for attempt in 0..=usize::from(fails) {
                let at = instant_at(day, 15 * 60 + dice.below(90) as u32);
                let passed = attempt == usize::from(fails);
                let inspection = Inspection {
                    id: format!(
                        "reinsp-{}-{}",
                        rectification.id.trim_start_matches("rect-"),
                        attempt + 1
                    ),
                    area_id: rectification.area_id.clone(),
                    date: day.to_string(),
                    template_id: DEFAULT_TEMPLATE_ID.into(),
                    kind: KIND_REINSPECTION.into(),
                    rectification_id: rectification.id.clone(),
                    started_by: inspector.username.into(),
                    started_by_name: inspector.name.into(),
                    device: inspector.device(),
                    started_at: at,
                };
                put_inspection(doc, &inspection).expect("a demo re-inspection is valid");
                rectification.reinspection_id = inspection.id.clone();
                if passed {
                    rectification.status = STATUS_CLOSED.into();
                    rectification.closed_at = at;
                    rectification.result_note = "已整改到位".into();
                } else {
                    rectification.deadline = instant_at(day + Duration::days(2), 18 * 60);
                    rectification.result_note = "仍未整改到位，已延期".into();
                }
                put_rectification(doc, &rectification, at).expect("a demo rectification is valid");
                day += Duration::days(2);
            }
        }
        // Signed on the 2nd of the next month, or on the month's last day
        // if that is still to come.
        let next = month + Months::new(1);
        let mut signed_at = instant_at(next + Duration::days(1), 10 * 60);
        if signed_at > now - HOUR {
            signed_at = instant_at(next - Duration::days(1), 17 * 60);
        }
        for (n, (party, name)) in [(PARTY_SUPERVISOR, CLEANING.name), (PARTY_VENDOR, VENDOR)]
            .into_iter()
            .enumerate()
        {
            let png = signature_png(name);
            let signature = Signature {
                party: party.into(),
                name: name.into(),
                signed_at: signed_at + n as i64 * 5 * MINUTE,
                by: CLEANING.username.into(),
                image: roundbook_shared::blob::hash_of(&png),
            };
            put_signature(doc, &signature).expect("a demo signature is valid");
            images.push((png, name.to_owned()));
        }
    }
    images
}

/// A drawn signature: a dark scrawl on white, 240×80 grey PNG, its shape
/// from the name (stored uncompressed: a few kilobytes).
fn signature_png(name: &str) -> Vec<u8> {
    const W: usize = 240;
    const H: usize = 80;
    let mut pixels = vec![255u8; W * H];
    let mut dice = Dice::new(&name.bytes().map(u64::from).collect::<Vec<_>>());
    let strokes = name.chars().count() * 3 + 2;
    let mut point = (12.0f64, 50.0f64);
    for _ in 0..strokes {
        let next = (
            (point.0 + 8.0 + dice.below(18) as f64).min(W as f64 - 8.0),
            12.0 + dice.below(H as u64 - 24) as f64,
        );
        for step in 0..=40 {
            let t = f64::from(step) / 40.0;
            let x = point.0 + (next.0 - point.0) * t;
            let y = point.1 + (next.1 - point.1) * t;
            for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                let (px, py) = (x as usize + dx, y as usize + dy);
                if px < W && py < H {
                    pixels[py * W + px] = 30;
                }
            }
        }
        point = next;
    }
    let mut raw = Vec::with_capacity((W + 1) * H);
    for row in pixels.chunks(W) {
        raw.push(0); // Filter: none.
        raw.extend_from_slice(row);
    }
    // zlib, stored blocks.
    let mut zlib = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (index, block) in blocks.iter().enumerate() {
        zlib.push(u8::from(index + 1 == blocks.len()));
        let len = block.len() as u16;
        zlib.extend_from_slice(&len.to_le_bytes());
        zlib.extend_from_slice(&(!len).to_le_bytes());
        zlib.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for byte in &raw {
        a = (a + u32::from(*byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    zlib.extend_from_slice(&((b << 16) | a).to_be_bytes());
    let mut header = Vec::new();
    header.extend_from_slice(&(W as u32).to_be_bytes());
    header.extend_from_slice(&(H as u32).to_be_bytes());
    header.extend_from_slice(&[8, 0, 0, 0, 0]); // 8-bit grey, no interlace.
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [(b"IHDR", header), (b"IDAT", zlib), (b"IEND", Vec::new())] {
        png.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = png.len();
        png.extend_from_slice(kind);
        png.extend_from_slice(&data);
        let crc = crc32(&png[start..]);
        png.extend_from_slice(&crc.to_be_bytes());
    }
    png
}

/// CRC-32 (IEEE), as PNG chunks carry it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
