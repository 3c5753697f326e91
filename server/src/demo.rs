//! `--demo`: one site with zones A, B and C, eighteen staff accounts, and per zone
//! four checkpoints, a patrol route over them, a night and a day schedule and
//! a resident directory of 48 households, so a new user can try every screen
//! at once (Visits included).
//! Seeds only an empty database; it never overwrites real data.
//!
//! The records are the shared sample ones (`roundbook_shared::fixtures`:
//! the zone plan, requests and events, the resident directory), with the
//! demo's own names and times, so the demo shows what the tests check.

use chrono::Utc;

pub mod history;

use roundbook_shared::domain::{local_date, Role, SiteInfo, ZoneRef};
use roundbook_shared::fixtures::patrol::{checkpoint, ZonePlan};
use roundbook_shared::fixtures::requests::{event_on, intake};
use roundbook_shared::fixtures::residents::demo_directory;
use roundbook_shared::schema::duty::{DaySignoff, DutyEntry, Topic};
use roundbook_shared::schema::gate::{GateExit, VehicleEntry, VisitorEntry};
use roundbook_shared::schema::key_loan::{KeyLoan, KeyReturn};
use roundbook_shared::schema::request::{
    put_request, put_request_event, Action, Request, RequestEvent, RequestKind,
};
use roundbook_shared::schema::resident::put_directory;
use roundbook_shared::schema::work_order::WorkOrder;
use roundbook_shared::schema::{put, DocKey};

use crate::auth::hash_password;
use crate::store::{Account, Store, StoreResult};

pub const SITE: &str = "demo";
pub const PASSWORD: &str = "roundbook";

/// (username, display name, roles, zones)
pub const ACCOUNTS: [(&str, &str, Role, &[&str]); 20] = [
    ("guard-a", "王强", Role::Guard, &["A"]),
    // A second guard of zone A, so one can hand the shift over to the other.
    ("guard-a2", "周磊", Role::Guard, &["A"]),
    ("guard-b", "李军", Role::Guard, &["B"]),
    ("service-a", "陈静", Role::ZoneService, &["A"]),
    // A second service staff member of zone A, for two tablets on one request.
    ("service-a2", "吴婷", Role::ZoneService, &["A"]),
    ("service-b", "郑洁", Role::ZoneService, &["B"]),
    ("service-lead", "黄丽", Role::ServiceSupervisor, &[]),
    (
        "cleaning",
        "刘芳",
        Role::CleaningSupervisor,
        &["A", "B", "C"],
    ),
    // A second cleaning supervisor, so two can inspect one area at once.
    (
        "cleaning2",
        "马超",
        Role::CleaningSupervisor,
        &["A", "B", "C"],
    ),
    ("environment", "杨帆", Role::EnvironmentSupervisor, &[]),
    ("head", "赵敏", Role::OfficeHead, &[]),
    ("security", "孙伟", Role::SecuritySupervisor, &[]),
    ("frontdesk", "林晓", Role::FrontDesk, &[]),
    ("engineering", "高峰", Role::EngineeringSupervisor, &[]),
    ("repair-a", "何建", Role::RepairStaff, &["A"]),
    ("repair-a2", "马超", Role::RepairStaff, &["A"]),
    ("repair-b", "刘洋", Role::RepairStaff, &["B"]),
    ("squad", "罗刚", Role::SquadLeader, &[]),
    ("deputy", "许燕", Role::DeputyHead, &[]),
    // The office's IT person: administration only, no records.
    ("admin", "谢涛", Role::Admin, &[]),
];

/// Phones of some demo staff (made up), so the staff screen shows them.
const PHONES: [(&str, &str); 4] = [
    ("guard-a", "13800000001"),
    ("service-a", "13800000002"),
    ("repair-a", "13800000003"),
    ("head", "13800000004"),
];

const ZONES: [(&str, &str); 3] = [("A", "A区 东苑"), ("B", "B区 西苑"), ("C", "C区 南苑")];

/// Each zone's checkpoints 01 to 04, in route order: (name, location).
const CHECKPOINTS: [(&str, &str); 4] = [
    ("正门岗亭", "小区正门东侧"),
    ("地下车库入口", "负一层坡道口"),
    ("消防通道", "3栋与5栋之间"),
    ("垃圾收集点", "北侧围墙内"),
];

/// Seeds the demo site unless it already exists. Returns whether it seeded.
/// Of several servers seeding one database at once, the one that creates the
/// site seeds the rest. The patrol schedules apply from `since` (default:
/// now), so no round before it counts as missed.
pub fn seed(store: &dyn Store, since: Option<i64>) -> StoreResult<bool> {
    seed_with(store, since, false)
}

/// [`seed`], and with `history` (`--demo-history`) the three full months
/// before this one too ([`history`]); the patrol schedules then apply from
/// the history's start unless `since` says otherwise.
pub fn seed_with(store: &dyn Store, since: Option<i64>, history: bool) -> StoreResult<bool> {
    let zones: Vec<ZoneRef> = ZONES
        .iter()
        .map(|(code, name)| ZoneRef {
            code: (*code).into(),
            name: (*name).into(),
        })
        .collect();
    let site = SiteInfo {
        code: SITE.into(),
        name: "翠湖花园".into(),
        timezone: "Asia/Shanghai".into(),
    };
    if !store.create_site(&site, &zones)? {
        return Ok(false);
    }
    let password_hash = hash_password(PASSWORD);
    for (username, display_name, role, zones) in ACCOUNTS {
        store.put_account(&Account {
            username: username.into(),
            display_name: display_name.into(),
            site: SITE.into(),
            password_hash: password_hash.clone(),
            roles: vec![role],
            zones: zones.iter().map(|zone| zone.to_string()).collect(),
            phone: PHONES
                .iter()
                .find(|(name, _)| *name == username)
                .map(|(_, phone)| (*phone).to_owned()),
            ..Account::default()
        })?;
    }
    let now = Utc::now().timestamp_millis();
    let since = since.or(history.then(|| history::patrol_start(now)));
    let mut plans = Vec::new();
    for zone in &zones {
        let checkpoints = CHECKPOINTS
            .iter()
            .enumerate()
            .map(|(n, (name, location))| checkpoint(&zone.code, n + 1, name, location))
            .collect();
        let plan = ZonePlan::new(&zone.code, checkpoints);
        let doc = plan.directory(SITE, since.unwrap_or(now));
        plans.push((zone.code.clone(), plan));
        let key = DocKey::zone_directory(SITE, &zone.code);
        let id = key.document_id();
        store.register_document(&id, &key)?;
        store.add_snapshot(&id, &doc.save())?;

        let directory = demo_directory(&zone.code);
        let key = DocKey::resident_directory(SITE, &zone.code);
        let mut doc = key.genesis();
        put_directory(&mut doc, &directory.units, &directory.residents, now)
            .expect("the demo directory is valid");
        let id = key.document_id();
        store.register_document(&id, &key)?;
        store.add_snapshot(&id, &doc.save())?;
    }
    seed_requests(store, now)?;
    store_all(store, key_book(now))?;
    store_all(store, duty_book(now))?;
    store_all(store, gate_book(now))?;
    if history {
        history::seed(store, &plans, now)?;
    }
    Ok(true)
}

/// A few of zone A's requests in different states, so the request screens
/// are not empty: a repair in progress, a valid complaint awaiting its
/// agreed reply, and a closed enquiry with its callback.
fn seed_requests(store: &dyn Store, now: i64) -> StoreResult<()> {
    const HOUR: i64 = 3_600_000;
    let request = |id: &str, kind: RequestKind, unit: &str, description: &str, at: i64| Request {
        unit_label: unit.into(),
        resident_name: "王女士".into(),
        contact_phone: "13800138000".into(),
        description: description.into(),
        device: "demo".into(),
        received_at: at,
        ..intake(id, kind)
    };
    // Each carries what its action needs; the demo's own words replace some.
    let event = |id: &str, request_id: &str, action: Action, at: i64| RequestEvent {
        device: "demo".into(),
        ..event_on(request_id, id, action, at)
    };
    let repair_at = now - 26 * HOUR;
    let complaint_at = now - 3 * HOUR;
    let enquiry_at = now - 50 * HOUR;
    let mut docs: Vec<(DocKey, automerge::Automerge)> = Vec::new();
    let mut doc_for = |at: i64| -> usize {
        let key = DocKey::request_log(SITE, "A", local_date(at));
        match docs.iter().position(|(held, _)| *held == key) {
            Some(index) => index,
            None => {
                docs.push((key.clone(), key.genesis()));
                docs.len() - 1
            }
        }
    };
    let (repair, complaint, enquiry) = (
        doc_for(repair_at),
        doc_for(complaint_at),
        doc_for(enquiry_at),
    );
    let valid = "demo requests are valid";
    let doc = &mut docs[repair].1;
    put_request(
        doc,
        &request(
            "req-demo-1",
            RequestKind::RepairCommon,
            "3栋2单元",
            "楼道声控灯不亮",
            repair_at,
        ),
    )
    .expect(valid);
    let mark = event("ev-demo-1", "req-demo-1", Action::Mark, repair_at + 600_000);
    put_request_event(doc, &mark).expect(valid);
    put_request_event(
        doc,
        &event(
            "ev-demo-2",
            "req-demo-1",
            Action::Start,
            repair_at + 1_200_000,
        ),
    )
    .expect(valid);
    let doc = &mut docs[complaint].1;
    put_request(
        doc,
        &request(
            "req-demo-2",
            RequestKind::Complaint,
            "5栋1单元802",
            "楼上装修噪音影响休息",
            complaint_at,
        ),
    )
    .expect(valid);
    let mut classify = event(
        "ev-demo-3",
        "req-demo-2",
        Action::Classify,
        complaint_at + 900_000,
    );
    classify.reply_by = now + 24 * HOUR;
    put_request_event(doc, &classify).expect(valid);
    let doc = &mut docs[enquiry].1;
    put_request(
        doc,
        &request(
            "req-demo-3",
            RequestKind::Enquiry,
            "1栋3单元1201",
            "咨询停车位月卡办理",
            enquiry_at,
        ),
    )
    .expect(valid);
    let mut done = event(
        "ev-demo-4",
        "req-demo-3",
        Action::Done,
        enquiry_at + 300_000,
    );
    done.note = "已告知办理流程".into();
    put_request_event(doc, &done).expect(valid);
    let callback = event(
        "ev-demo-5",
        "req-demo-3",
        Action::Callback,
        enquiry_at + 24 * HOUR,
    );
    put_request_event(doc, &callback).expect(valid);
    put_request_event(
        doc,
        &event(
            "ev-demo-6",
            "req-demo-3",
            Action::Close,
            enquiry_at + 24 * HOUR + 60_000,
        ),
    )
    .expect(valid);
    // The repair in progress went to repair-a as a work order, so the
    // repair worker's and the engineering supervisor's screens are not empty.
    let dispatched_at = repair_at + 1_500_000;
    let order = WorkOrder {
        id: "wo-demo-1".into(),
        request_id: "req-demo-1".into(),
        zone: "A".into(),
        request_at: repair_at,
        unit_label: "3栋2单元".into(),
        resident_name: "王女士".into(),
        contact_phone: "13800138000".into(),
        fault: "楼道声控灯不亮".into(),
        photos: Vec::new(),
        worker: "repair-a".into(),
        worker_name: "何建".into(),
        arrive_by: now + 2 * HOUR,
        urgent: false,
        dispatched_by: "service-a".into(),
        dispatched_by_name: "陈静".into(),
        device: "demo".into(),
        dispatched_at,
        reassigned_from: String::new(),
    };
    let log = DocKey::work_order_log(SITE, &order.zone, "repair-a", local_date(dispatched_at));
    let mut doc = log.genesis();
    put(&mut doc, &order, dispatched_at).expect(valid);
    docs.push((log, doc));
    store_all(store, docs)
}

/// Registers each document and stores it as one snapshot.
fn store_all(store: &dyn Store, docs: Vec<(DocKey, automerge::Automerge)>) -> StoreResult<()> {
    for (key, doc) in docs {
        let id = key.document_id();
        store.register_document(&id, &key)?;
        store.add_snapshot(&id, &doc.save())?;
    }
    Ok(())
}

/// `key`'s document among `docs`, born from its genesis if not there yet.
fn document(
    docs: &mut Vec<(DocKey, automerge::Automerge)>,
    key: DocKey,
) -> &mut automerge::Automerge {
    let slot = match docs.iter().position(|(held, _)| *held == key) {
        Some(slot) => slot,
        None => {
            docs.push((key.clone(), key.genesis()));
            docs.len() - 1
        }
    };
    &mut docs[slot].1
}

/// The duty log, so its screen is not empty: yesterday's enquiry and
/// notice, signed off by the service supervisor, and a parcel taken in
/// today, not yet signed.
fn duty_book(now: i64) -> Vec<(DocKey, automerge::Automerge)> {
    const HOUR: i64 = 3_600_000;
    let entry =
        |id: &str, topic: Topic, unit_label: &str, what: &str, outcome: &str, at: i64| DutyEntry {
            id: id.into(),
            topic: topic.as_str().into(),
            zone: "A".into(),
            unit_label: unit_label.into(),
            caller: String::new(),
            phone: String::new(),
            what: what.into(),
            outcome: outcome.into(),
            at,
            by: "frontdesk".into(),
            by_name: "林晓".into(),
            device: "demo".into(),
        };
    let yesterday = now - 24 * HOUR;
    let entries = [
        entry(
            "de-demo-1",
            Topic::Enquiry,
            "1栋101",
            "询问本周停水安排",
            "已告知周四上午9点至12点",
            yesterday,
        ),
        entry(
            "de-demo-2",
            Topic::Notice,
            "",
            "张贴电梯年检通知",
            "各单元已张贴",
            yesterday + HOUR,
        ),
        entry(
            "de-demo-3",
            Topic::Delivery,
            "2栋302",
            "代收快递一件",
            "已通知业主来取",
            now - HOUR,
        ),
    ];
    let mut docs: Vec<(DocKey, automerge::Automerge)> = Vec::new();
    for entry in entries {
        let doc = document(&mut docs, DocKey::duty_log(SITE, local_date(entry.at)));
        put(doc, &entry, entry.at).expect("the demo's duty entries are valid");
    }
    let day = local_date(yesterday);
    let signoff = DaySignoff {
        id: "ds-demo-1".into(),
        day: day.format("%Y-%m-%d").to_string(),
        lines_seen: 2,
        note: String::new(),
        signed_at: yesterday + 2 * HOUR,
        by: "service-lead".into(),
        by_name: "黄丽".into(),
        device: "demo".into(),
    };
    let doc = document(&mut docs, DocKey::duty_log(SITE, day));
    put(doc, &signoff, signoff.signed_at).expect("the demo's sign-off is valid");
    docs
}

/// The gate book, so its screen is not empty: a visitor who came and went
/// this morning and a visitor's car still inside.
fn gate_book(now: i64) -> Vec<(DocKey, automerge::Automerge)> {
    const HOUR: i64 = 3_600_000;
    let visitor = VisitorEntry {
        id: "gv-demo-1".into(),
        name: "周先生".into(),
        id_last4: "0417".into(),
        unit_label: "1栋101".into(),
        zone: "A".into(),
        purpose: "探亲".into(),
        people: 2,
        in_at: now - 3 * HOUR,
        by: "guard-a".into(),
        by_name: "王强".into(),
        device: "demo".into(),
    };
    let out = GateExit {
        id: "ge-demo-1".into(),
        entry_id: visitor.id.clone(),
        out_at: now - 2 * HOUR,
        by: "guard-a".into(),
        by_name: "王强".into(),
        device: "demo".into(),
    };
    let car = VehicleEntry {
        id: "gc-demo-1".into(),
        plate: "粤B6M218".into(),
        unit_label: "2栋302".into(),
        zone: "A".into(),
        resident: false,
        in_at: now - HOUR,
        by: "guard-a".into(),
        by_name: "王强".into(),
        device: "demo".into(),
    };
    let mut docs: Vec<(DocKey, automerge::Automerge)> = Vec::new();
    let doc = document(&mut docs, DocKey::gate_log(SITE, local_date(visitor.in_at)));
    put(doc, &visitor, visitor.in_at).expect("the demo's visitor is valid");
    put(doc, &out, out.out_at).expect("the demo's exit is valid");
    let doc = document(&mut docs, DocKey::gate_log(SITE, local_date(car.in_at)));
    put(doc, &car, car.in_at).expect("the demo's vehicle is valid");
    docs
}

/// The front desk's key book, so its screen is not empty: one key back in
/// time, one out and one overdue, in the key logs of the months they were
/// lent in.
fn key_book(now: i64) -> Vec<(DocKey, automerge::Automerge)> {
    const HOUR: i64 = 3_600_000;
    let lent = |id: &str, key_label: &str, borrower: &str, lent_at: i64, due_back: i64| KeyLoan {
        id: id.into(),
        key_label: key_label.into(),
        borrower: borrower.into(),
        borrower_phone: String::new(),
        purpose: "检修".into(),
        lent_at,
        due_back,
        lent_by: "frontdesk".into(),
        lent_by_name: "林晓".into(),
        device: "demo".into(),
    };
    let loans = [
        lent(
            "kl-demo-1",
            "3号楼水泵房",
            "维修部 何建",
            now - 26 * HOUR,
            now - 24 * HOUR,
        ),
        lent(
            "kl-demo-2",
            "1号楼天台门",
            "电梯维保 王工",
            now - 3 * HOUR,
            now - HOUR,
        ),
        lent(
            "kl-demo-3",
            "2单元 502 空置房",
            "维修部 马超",
            now - HOUR,
            now + 2 * HOUR,
        ),
    ];
    let back = KeyReturn {
        id: "kr-demo-1".into(),
        loan_id: "kl-demo-1".into(),
        returned_at: now - 25 * HOUR,
        received_by: "frontdesk".into(),
        received_by_name: "林晓".into(),
        device: "demo".into(),
        note: String::new(),
    };
    let mut docs: Vec<(DocKey, automerge::Automerge)> = Vec::new();
    for loan in loans {
        let doc = document(&mut docs, DocKey::key_log(SITE, local_date(loan.lent_at)));
        put(doc, &loan, loan.lent_at).expect("the demo's loans are valid");
        if loan.id == back.loan_id {
            put(doc, &back, back.returned_at).expect("the demo's return is valid");
        }
    }
    docs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sqlite::SqliteStore;
    use roundbook_shared::schema::route::routes;
    use roundbook_shared::schema::schedule::schedules as stored_schedules;

    #[test]
    fn every_zone_gets_a_route_and_a_night_and_a_day_schedule() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("demo.sqlite3")).unwrap();
        store.migrate().unwrap();
        assert!(seed(&store, None).unwrap());
        assert!(!seed(&store, None).unwrap(), "seeds only once");
        let chunks = store
            .load_chunks(&DocKey::zone_directory(SITE, "B").document_id())
            .unwrap();
        let doc = automerge::Automerge::load(&chunks.concat()).unwrap();
        let route = &routes(&doc).unwrap()[0];
        assert_eq!(route.name, "B区 巡逻路线");
        assert_eq!(route.checkpoints.len(), 4);
        let names: Vec<_> = stored_schedules(&doc)
            .unwrap()
            .into_iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(names, ["白班", "夜班"]);
        // Zone A's demo requests, in whichever months they fell.
        let mut seeded = Vec::new();
        let today = local_date(Utc::now().timestamp_millis());
        for month in [today, today - chrono::Duration::days(5)] {
            let key = DocKey::request_log(SITE, "A", month);
            let chunks = store.load_chunks(&key.document_id()).unwrap();
            if chunks.is_empty() {
                continue;
            }
            let doc = automerge::Automerge::load(&chunks.concat()).unwrap();
            for request in roundbook_shared::schema::request::requests(&doc).unwrap() {
                if !seeded.contains(&request.id) {
                    seeded.push(request.id);
                }
            }
        }
        seeded.sort();
        assert_eq!(seeded, ["req-demo-1", "req-demo-2", "req-demo-3"]);
        // The repair in progress is repair-a's work order, in their log of zone A.
        let orders: Vec<WorkOrder> = [today, today - chrono::Duration::days(5)]
            .into_iter()
            .filter_map(|month| {
                let key = DocKey::work_order_log(SITE, "A", "repair-a", month);
                let chunks = store.load_chunks(&key.document_id()).unwrap();
                (!chunks.is_empty()).then(|| automerge::Automerge::load(&chunks.concat()).unwrap())
            })
            .flat_map(|doc| roundbook_shared::schema::list::<WorkOrder>(&doc).unwrap())
            .collect();
        assert_eq!(orders.len(), 1);
        assert_eq!(orders[0].request_id, "req-demo-1");
        // Every zone's resident directory: its 48 households, ready to visit.
        for zone in ["A", "B", "C"] {
            let key = DocKey::resident_directory(SITE, zone);
            let chunks = store.load_chunks(&key.document_id()).unwrap();
            let doc = automerge::Automerge::load(&chunks.concat()).unwrap();
            let units = roundbook_shared::schema::resident::units(&doc).unwrap();
            let residents = roundbook_shared::schema::resident::residents(&doc).unwrap();
            assert_eq!(units.len(), 48, "zone {zone}");
            assert_eq!(residents.len(), demo_directory(zone).residents.len());
            assert!(residents
                .iter()
                .all(|r| units.iter().any(|u| u.id == r.unit_id)));
        }
        let security = store.account("security").unwrap().unwrap();
        assert_eq!(security.roles, [Role::SecuritySupervisor]);
        let repair = store.account("repair-a").unwrap().unwrap();
        assert_eq!(
            (repair.roles, repair.zones, repair.phone.as_deref()),
            (
                vec![Role::RepairStaff],
                vec!["A".to_owned()],
                Some("13800000003")
            )
        );
        assert_eq!(
            store.account("admin").unwrap().unwrap().roles,
            [Role::Admin]
        );
    }

    /// A stored document, if any.
    fn load(store: &SqliteStore, key: &DocKey) -> Option<automerge::Automerge> {
        let chunks = store.load_chunks(&key.document_id()).unwrap();
        (!chunks.is_empty()).then(|| automerge::Automerge::load(&chunks.concat()).unwrap())
    }

    #[test]
    fn the_history_fills_three_months_of_every_zone_and_every_event_passes_the_workflow() {
        use chrono::Datelike;
        use roundbook_shared::compliance::{evaluate_day, PatrolRecords, Summary};
        use roundbook_shared::schema::cleaning::{
            default_template, inspections, is_locked, marks, rectifications, signatures,
        };
        use roundbook_shared::schema::finding::findings;
        use roundbook_shared::schema::patrol::scans;
        use roundbook_shared::schema::receipt::receipts;
        use roundbook_shared::schema::request::{request_events, requests};
        use roundbook_shared::schema::round::rounds;
        use roundbook_shared::schema::visit::{households_visited, visits};
        use roundbook_shared::schema::Container;
        use roundbook_shared::workflow::{fold, State};

        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("demo.sqlite3")).unwrap();
        store.migrate().unwrap();
        let started = std::time::Instant::now();
        assert!(seed_with(&store, None, true).unwrap());
        eprintln!("seeding with history took {:?}", started.elapsed());
        let now = Utc::now().timestamp_millis();
        let months = history::months(now);
        assert_eq!(months.len(), 3);
        let last = months[2];
        assert_eq!(
            last + chrono::Months::new(1),
            local_date(now).with_day(1).unwrap()
        );

        for (zone, _) in ZONES {
            let (mut closed, mut open, mut kinds) = (0, 0, std::collections::HashSet::new());
            for month in &months {
                let doc = load(&store, &DocKey::request_log(SITE, zone, *month))
                    .unwrap_or_else(|| panic!("zone {zone} has requests in {month}"));
                let (list, events) = (requests(&doc).unwrap(), request_events(&doc).unwrap());
                assert!(
                    (25..=40).contains(&list.len()),
                    "zone {zone} {month}: {}",
                    list.len()
                );
                for request in list {
                    assert_eq!(local_date(request.received_at).month(), month.month());
                    kinds.insert(request.kind.clone());
                    let view = fold(request, &events);
                    for entry in &view.history {
                        assert_eq!(entry.superseded, None, "{:?}", entry.event);
                        assert!(entry.event.at <= now);
                    }
                    assert!(view.conflicts.is_empty(), "{}", view.request.id);
                    if view.state == State::Closed {
                        closed += 1;
                    } else {
                        open += 1;
                    }
                }
            }
            assert!(
                closed * 10 >= (closed + open) * 6,
                "zone {zone}: {closed} closed, {open} open"
            );
            assert!(open > 0, "zone {zone}: some still open");
            assert!(kinds.len() >= 5, "zone {zone}: {kinds:?}");

            // Visits: a third of the households last month, and the quarter.
            let doc = load(&store, &DocKey::visit_log(SITE, zone, last)).unwrap();
            let households = households_visited(&visits(&doc).unwrap(), last);
            assert!((12..=30).contains(&households), "zone {zone}: {households}");

            // Patrol: every day of last month has its rounds, most done.
            let directory = load(&store, &DocKey::zone_directory(SITE, zone)).unwrap();
            let routes = roundbook_shared::schema::route::routes(&directory).unwrap();
            let schedules = stored_schedules(&directory).unwrap();
            assert_eq!(schedules[0].since, history::patrol_start(now));
            let mut total = Summary::default();
            let mut found = 0;
            let mut date = last;
            while date.month() == last.month() {
                let (mut all_rounds, mut all_scans, mut all_findings) =
                    (Vec::new(), Vec::new(), Vec::new());
                for day in [date.pred_opt().unwrap(), date, date.succ_opt().unwrap()] {
                    let Some(doc) = load(&store, &DocKey::patrol_log(SITE, zone, day)) else {
                        assert_ne!(day, date, "zone {zone} has a patrol log of {day}");
                        continue;
                    };
                    if day == date {
                        let stamped = receipts(&doc, Container::Scans).unwrap();
                        assert_eq!(stamped.len(), scans(&doc).unwrap().len());
                        found += findings(&doc).unwrap().len();
                    }
                    all_rounds.extend(rounds(&doc).unwrap());
                    all_scans.extend(scans(&doc).unwrap());
                    all_findings.extend(findings(&doc).unwrap());
                }
                let records = PatrolRecords {
                    routes: &routes,
                    schedules: &schedules,
                    rounds: &all_rounds,
                    scans: &all_scans,
                    findings: &all_findings,
                };
                let day = Summary::of(&evaluate_day(date, records, now));
                assert_eq!(
                    day.upcoming + day.due + day.in_progress,
                    0,
                    "{date}: {day:?}"
                );
                total.done += day.done;
                total.missed += day.missed;
                total.incomplete += day.incomplete;
                date = date.succ_opt().unwrap();
            }
            let due = total.done + total.missed + total.incomplete;
            assert!(due >= 12 * 28, "zone {zone}: {total:?}");
            assert!(total.done * 100 >= due * 85, "zone {zone}: {total:?}");
            assert!(
                total.missed > 0 && total.incomplete > 0,
                "zone {zone}: {total:?}"
            );
            assert!(found > 0, "zone {zone}: some findings last month");
        }

        // Cleaning: every month scored, inspected, rectified and signed;
        // one month below the threshold.
        let template = default_template();
        let mut below = 0;
        for month in &months {
            let doc = load(&store, &DocKey::cleaning_month(SITE, *month)).unwrap();
            let inspected = inspections(&doc).unwrap();
            assert!(inspected.len() >= 14, "{month}");
            let sheet =
                roundbook_shared::score::month_sheet(&template, &inspected, &marks(&doc).unwrap());
            let total = sheet.total.expect("a score");
            eprintln!("cleaning {month}: {total}");
            if sheet.below(template.threshold()) {
                below += 1;
            }
            let fixes = rectifications(&doc).unwrap();
            assert!(!fixes.is_empty());
            assert!(fixes.iter().all(|fix| !fix.is_open()), "{month}");
            assert!(is_locked(&doc), "{month} signed by both parties");
            for signature in signatures(&doc).unwrap() {
                let blob = crate::store::BlobRef {
                    site: SITE.into(),
                    zone: crate::blobs::SITE_BLOBS.into(),
                    hash: signature.image.clone(),
                };
                let (kind, png) = store.blob(&blob).unwrap().expect("the drawn signature");
                assert_eq!(kind, "image/png");
                assert_eq!(roundbook_shared::blob::image_type(&png), Some("image/png"));
            }
        }
        assert_eq!(below, 1);
        assert!(load(&store, &DocKey::cleaning_setup(SITE)).is_some());
    }
}
