//! Documents written by an earlier build stay readable: one document of
//! every kind, with records of every type, was written by the build before
//! the record descriptor (2026-12) and is kept in
//! `tests/fixtures/records-2026-12/` with the records that build read back.
//! Today's readers must read exactly those records, and today's writers
//! must be able to add to those documents.
//!
//! `write_fixtures` (ignored: it writes files) made them; it is kept to show
//! what they hold, not to be run again.

use std::path::PathBuf;

use automerge::transaction::Transactable;
use automerge::{Automerge, ObjType, ReadDoc};
use serde_json::{json, Value};

use super::*;
use crate::fixtures;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/records-2026-12")
}

/// 2026-11-23 10:00 in Shanghai.
const AT: i64 = 1_795_399_200_000;

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

/// Every record of a document, per container, as JSON, in reading order.
fn read_all(kind: DocKind, doc: &Automerge) -> Value {
    fn list<T: serde::Serialize>(records: Result<Vec<T>, SchemaError>) -> Value {
        serde_json::to_value(records.unwrap()).unwrap()
    }
    match kind {
        DocKind::ZoneDirectory => json!({
            "checkpoints": list(directory::checkpoints(doc)),
            "routes": list(route::routes(doc)),
            "schedules": list(schedule::schedules(doc)),
        }),
        DocKind::PatrolLog => json!({
            "shifts": list(shift::shifts(doc)),
            "rounds": list(round::rounds(doc)),
            "scans": list(patrol::scans(doc)),
            "findings": list(finding::findings(doc)),
        }),
        DocKind::ResidentDirectory => json!({
            "units": list(resident::units(doc)),
            "residents": list(resident::residents(doc)),
        }),
        DocKind::RequestLog => json!({
            "requests": list(request::requests(doc)),
            "request_events": list(request::request_events(doc)),
        }),
        DocKind::VisitLog => json!({ "visits": list(visit::visits(doc)) }),
        DocKind::CleaningSetup => json!({ "templates": list(cleaning::templates(doc)) }),
        DocKind::CleaningMonth => json!({
            "inspections": list(cleaning::inspections(doc)),
            "marks": list(cleaning::marks(doc)),
            "rectifications": list(cleaning::rectifications(doc)),
            "signatures": list(cleaning::signatures(doc)),
        }),
        #[allow(unreachable_patterns)]
        later => unreachable!("{later:?} came after the fixtures"),
    }
}

/// Puts a string field as collaborative text, as the JavaScript Automerge
/// client writes a plain JS string.
fn put_as_text(doc: &mut Automerge, container: Container, id: &str, field: &str, text: &str) {
    let map = record::container(doc, container).unwrap();
    let (_, record) = doc.get(&map, id).unwrap().unwrap();
    let mut tx = doc.transaction();
    let object = tx.put_object(&record, field, ObjType::Text).unwrap();
    tx.splice_text(&object, 0, 0, text).unwrap();
    tx.commit();
}

fn zone_directory() -> Automerge {
    let mut doc = DocKey::zone_directory("demo", "A").genesis();
    for (id, code) in [("cp-1", "A-01"), ("cp-2", "A-02")] {
        let checkpoint = directory::Checkpoint {
            id: id.into(),
            code: code.into(),
            name: format!("东门 {code}"),
            location: "北侧".into(),
            retired: false,
        };
        directory::put_checkpoint(&mut doc, &checkpoint, AT).unwrap();
    }
    let route = route::Route {
        id: "r1".into(),
        name: "东区夜巡".into(),
        checkpoints: route::CheckpointOrder(vec!["cp-1".into(), "cp-2".into()]),
        retired: false,
    };
    route::put_route(&mut doc, &route, AT).unwrap();
    schedule::put_schedule(&mut doc, &fixtures::patrol::night(), AT).unwrap();
    put_as_text(
        &mut doc,
        Container::Checkpoints,
        "cp-2",
        "name",
        "西门 (JS)",
    );
    doc
}

fn patrol_log() -> Automerge {
    let mut doc = DocKey::patrol_log("demo", "A", day()).genesis();
    let shift = shift::Shift {
        id: "shift-1".into(),
        guard: "guard-a".into(),
        guard_name: "王强".into(),
        device: "tablet-1".into(),
        started_at: fixtures::EVENING - 3_600_000,
        takes_over: String::new(),
        ended_at: None,
        handover_note: String::new(),
    };
    shift::put_shift(&mut doc, &shift).unwrap();
    let round = fixtures::patrol::round("r-1", fixtures::EVENING, &["cp1", "cp2"]);
    round::put_round(&mut doc, &round).unwrap();
    patrol::record_scan(
        &mut doc,
        &fixtures::patrol::scan("scan-1", fixtures::EVENING + 60_000),
    )
    .unwrap();
    let finding = finding::Finding {
        id: "f1".into(),
        round_id: "r-1".into(),
        checkpoint_id: "cp1".into(),
        kind: finding::FindingKind::FireEquipment.as_str().into(),
        severity: finding::Severity::High.as_str().into(),
        note: "灭火器缺失".into(),
        photos: vec![crate::blob::hash_of(b"photo")],
        guard: "guard-a".into(),
        guard_name: "王强".into(),
        device: "tablet-1".into(),
        found_at: fixtures::EVENING + 120_000,
        needs_repair: true,
        request_id: "req-1".into(),
    };
    finding::put_finding(&mut doc, &finding).unwrap();
    let stamped = doc.get_heads();
    receipt::stamp_new_records(
        &mut doc,
        DocKind::PatrolLog,
        &[],
        receipt::Receipt {
            received_at: fixtures::EVENING + 180_000,
            clock_skew_ms: Some(-2_000),
        },
        &fixtures::seal(),
    )
    .unwrap();
    assert_ne!(doc.get_heads(), stamped, "the receipts are written");
    put_as_text(
        &mut doc,
        Container::Findings,
        "f1",
        "note",
        "灭火器缺失 (JS)",
    );
    doc
}

fn resident_directory() -> Automerge {
    let mut doc = DocKey::resident_directory("demo", "A").genesis();
    let unit = resident::Unit {
        id: resident::unit_id("3栋", "2", "501"),
        building: "3栋".into(),
        entrance: "2".into(),
        room: "501".into(),
        retired: false,
    };
    let person = resident::Resident {
        id: resident::resident_id(&unit.id, "张伟"),
        unit_id: unit.id.clone(),
        name: "张伟".into(),
        phone: "138-1234-5678".into(),
        relation: "owner".into(),
        retired: false,
    };
    resident::put_directory(&mut doc, &[unit], &[person], AT).unwrap();
    doc
}

fn request_log() -> Automerge {
    use fixtures::requests::{event, intake};
    use request::{Action, RequestKind};
    let mut doc = DocKey::request_log("demo", "A", day()).genesis();
    let mut collective = intake("req-2", RequestKind::Complaint);
    collective.collective = true;
    collective.households = 8;
    for request in [intake("req-1", RequestKind::RepairHome), collective] {
        request::put_request(&mut doc, &request).unwrap();
    }
    for (n, action) in [
        Action::Assign,
        Action::Classify,
        Action::Done,
        Action::Callback,
    ]
    .into_iter()
    .enumerate()
    {
        let event = event(&format!("ev-{n}"), action, AT + 60_000 * n as i64);
        request::put_request_event(&mut doc, &event).unwrap();
    }
    put_as_text(
        &mut doc,
        Container::Requests,
        "req-1",
        "description",
        "楼道灯不亮 (JS)",
    );
    doc
}

fn visit_log() -> Automerge {
    let mut doc = DocKey::visit_log("demo", "A", day()).genesis();
    let visit = visit::Visit {
        id: "visit-1".into(),
        zone: "A".into(),
        unit_id: resident::unit_id("3栋", "2", "501"),
        unit_label: "3栋2单元501".into(),
        resident_name: "张伟".into(),
        visited_at: AT,
        by: "service-a".into(),
        by_name: "陈静".into(),
        device: "tablet-1".into(),
        purpose: visit::PURPOSE_VISIT.into(),
        raised: "门口堆物".into(),
        satisfaction: "satisfied".into(),
        reply_by: AT + 86_400_000,
        request_ids: vec!["req-1".into()],
    };
    visit::put_visit(&mut doc, &visit).unwrap();
    doc
}

fn cleaning_setup() -> Automerge {
    let mut doc = DocKey::cleaning_setup("demo").genesis();
    let mut template = cleaning::default_template();
    template.id = "tpl-2".into();
    template.version = 2;
    template.published_at = AT;
    cleaning::publish_template(&mut doc, &template).unwrap();
    doc
}

fn cleaning_month() -> Automerge {
    use fixtures::cleaning::{inspection, mark, signature};
    let mut doc = DocKey::cleaning_month("demo", day()).genesis();
    let template = cleaning::default_template();
    let area = &template.areas[0];
    let item = &area.items[0];
    let routine = inspection(&area.id, "cleaning");
    cleaning::put_inspection(&mut doc, &routine).unwrap();
    let deducted = mark(
        &area.id,
        &item.id,
        "cleaning",
        cleaning::OUTCOME_DEDUCTED,
        1,
    );
    cleaning::put_mark(&mut doc, &deducted, item.max_score).unwrap();
    let rectification = cleaning::Rectification {
        id: cleaning::rectification_id(&routine.id, &item.id),
        inspection_id: routine.id.clone(),
        area_id: area.id.clone(),
        item_id: item.id.clone(),
        reason: "地面有垃圾".into(),
        opened_at: AT,
        deadline: cleaning::default_deadline(day()),
        status: cleaning::STATUS_OPEN.into(),
        reinspection_id: String::new(),
        closed_at: 0,
        result_note: String::new(),
    };
    cleaning::put_rectification(&mut doc, &rectification, AT).unwrap();
    cleaning::put_signature(&mut doc, &signature(cleaning::PARTY_SUPERVISOR)).unwrap();
    doc
}

fn documents() -> [(DocKind, fn() -> Automerge); 7] {
    [
        (DocKind::ZoneDirectory, zone_directory),
        (DocKind::PatrolLog, patrol_log),
        (DocKind::ResidentDirectory, resident_directory),
        (DocKind::RequestLog, request_log),
        (DocKind::VisitLog, visit_log),
        (DocKind::CleaningSetup, cleaning_setup),
        (DocKind::CleaningMonth, cleaning_month),
    ]
}

#[test]
#[ignore = "writes the fixtures; they were made by the build before the record descriptor"]
fn write_fixtures() {
    std::fs::create_dir_all(fixtures()).unwrap();
    for (kind, make) in documents() {
        let doc = make();
        let name = kind.as_str();
        std::fs::write(fixtures().join(format!("{name}.automerge")), doc.save()).unwrap();
        let records = serde_json::to_string_pretty(&read_all(kind, &doc)).unwrap();
        std::fs::write(fixtures().join(format!("{name}.json")), records + "\n").unwrap();
    }
}

/// Asserts that the records read today from each container of `doc` are
/// those the earlier build read (`expected`, its JSON); returns how many.
fn read_as_before(kind: DocKind, doc: &Automerge, expected: &Value) -> usize {
    fn same<T>(doc: &Automerge, expected: &Value) -> usize
    where
        T: Record + PartialEq + std::fmt::Debug,
    {
        let name = T::CONTAINER.name();
        let before: Vec<T> = serde_json::from_value(expected[name].clone()).unwrap();
        let now: Vec<T> = list(doc).unwrap();
        assert_eq!(now, before, "{name}");
        now.len()
    }
    match kind {
        DocKind::ZoneDirectory => {
            same::<directory::Checkpoint>(doc, expected)
                + same::<route::Route>(doc, expected)
                + same::<schedule::Schedule>(doc, expected)
        }
        DocKind::PatrolLog => {
            same::<shift::Shift>(doc, expected)
                + same::<round::Round>(doc, expected)
                + same::<patrol::Scan>(doc, expected)
                + same::<finding::Finding>(doc, expected)
        }
        DocKind::ResidentDirectory => {
            same::<resident::Unit>(doc, expected) + same::<resident::Resident>(doc, expected)
        }
        DocKind::RequestLog => {
            same::<request::Request>(doc, expected) + same::<request::RequestEvent>(doc, expected)
        }
        DocKind::VisitLog => same::<visit::Visit>(doc, expected),
        DocKind::CleaningSetup => same::<cleaning::Template>(doc, expected),
        DocKind::CleaningMonth => {
            same::<cleaning::Inspection>(doc, expected)
                + same::<cleaning::Mark>(doc, expected)
                + same::<cleaning::Rectification>(doc, expected)
                + same::<cleaning::Signature>(doc, expected)
        }
        #[allow(unreachable_patterns)]
        later => unreachable!("{later:?} came after the fixtures"),
    }
}

#[test]
fn documents_of_the_earlier_build_read_the_same() {
    for (kind, _) in documents() {
        let name = kind.as_str();
        let bytes = std::fs::read(fixtures().join(format!("{name}.automerge"))).unwrap();
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(fixtures().join(format!("{name}.json"))).unwrap(),
        )
        .unwrap();
        let doc = Automerge::load(&bytes).unwrap();
        let records = read_as_before(kind, &doc, &expected);
        assert!(records > 0, "{name} holds records");
        // Read the same way as the earlier build (the generic reader sorts
        // by each type's order, which every reader before it sorted by).
        assert_eq!(read_all(kind, &doc)["scans"], expected["scans"], "{name}");
    }
}

#[test]
fn documents_of_the_earlier_build_take_new_records() {
    let bytes = std::fs::read(fixtures().join("request_log.automerge")).unwrap();
    let mut log = Automerge::load(&bytes).unwrap();
    let mut new = fixtures::requests::intake("req-new", request::RequestKind::Complaint);
    new.received_at += 3_600_000;
    request::put_request(&mut log, &new).unwrap();
    assert_eq!(request::requests(&log).unwrap().len(), 3);
    // And a record written before, rewritten today, keeps what it had.
    let bytes = std::fs::read(fixtures().join("zone_directory.automerge")).unwrap();
    let mut directory = Automerge::load(&bytes).unwrap();
    let mut route: route::Route = get(&directory, "r1").unwrap().unwrap();
    route.name = "东区夜巡 (改)".into();
    route::put_route(&mut directory, &route, AT).unwrap();
    assert_eq!(get::<route::Route>(&directory, "r1").unwrap(), Some(route));
}

#[test]
fn genesis_changes_are_those_of_the_earlier_build() {
    // Every tablet must build byte for byte the genesis the earlier build
    // built, or old and new tablets would hold two competing containers.
    for (kind, make) in documents() {
        let name = kind.as_str();
        let bytes = std::fs::read(fixtures().join(format!("{name}.automerge"))).unwrap();
        let earlier = Automerge::load(&bytes).unwrap();
        let genesis = make().get_changes(&[])[0].hash();
        assert_eq!(earlier.get_changes(&[])[0].hash(), genesis, "{name}");
    }
}
