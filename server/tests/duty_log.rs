//! The duty log against a real server: the front desk's entries reach the
//! service supervisor and zone staff, never a guard; only a supervisor (or
//! a head) signs a day and only a head spot-checks, whatever a hostile
//! client sends; an entry, once written, is not changed; sign-offs are
//! receipt-stamped.

mod common;

use std::time::Duration;

use common::{Server, Tablet};
use roundbook_shared::protocol::RefusalReason;
use roundbook_shared::schema::duty::{DaySignoff, DutyEntry, SpotCheck};
use roundbook_shared::schema::receipt::receipts;
use roundbook_shared::schema::{get, put, Container, DocKey, DocKind};

const WAIT: Duration = Duration::from_secs(20);

fn now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn log() -> DocKey {
    DocKey::duty_log("demo", common::today())
}

fn entry(id: &str) -> DutyEntry {
    DutyEntry {
        id: id.into(),
        topic: "enquiry".into(),
        zone: "A".into(),
        unit_label: "1栋101".into(),
        caller: "王女士".into(),
        phone: "13800000009".into(),
        what: "问停水时间".into(),
        outcome: "明天9点恢复".into(),
        at: now(),
        by: "frontdesk".into(),
        by_name: "林晓".into(),
        device: "desk".into(),
    }
}

fn signoff(id: &str, by: &str) -> DaySignoff {
    DaySignoff {
        id: id.into(),
        day: common::today().format("%Y-%m-%d").to_string(),
        lines_seen: 1,
        note: String::new(),
        signed_at: now(),
        by: by.into(),
        by_name: "签字人".into(),
        device: "tab".into(),
    }
}

fn spot_check(id: &str, by: &str) -> SpotCheck {
    SpotCheck {
        id: id.into(),
        line_id: "de-1".into(),
        in_order: true,
        note: String::new(),
        checked_at: now(),
        by: by.into(),
        by_name: "检查人".into(),
        device: "tab".into(),
    }
}

/// Signs each user in once (sign-in is rate-limited) and gives a fresh
/// tablet holding the log as the server has it once `ready`.
struct Office {
    server: Server,
    tokens: std::collections::HashMap<String, String>,
}

impl Office {
    async fn token(&mut self, user: &str) -> String {
        if !self.tokens.contains_key(user) {
            let token = self.server.login(user).await.token;
            self.tokens.insert(user.to_owned(), token);
        }
        self.tokens[user].clone()
    }

    async fn holding(
        &mut self,
        user: &str,
        ready: impl Fn(&automerge::Automerge) -> bool,
    ) -> (Tablet, roundbook_shared::ids::DocumentId) {
        let token = self.token(user).await;
        let url = self.server.ws_url(&token);
        let mut tablet = Tablet::new(user);
        let id = tablet.read_until(&url, &log(), WAIT, ready).await;
        (tablet, id)
    }
}

fn has<R: roundbook_shared::schema::Record>(
    id: &str,
) -> impl Fn(&automerge::Automerge) -> bool + '_ {
    move |doc| get::<R>(doc, id).ok().flatten().is_some()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_duty_log_is_written_by_the_desk_signed_by_its_supervisor_and_checked_by_the_head() {
    let mut office = Office {
        server: Server::start().await,
        tokens: Default::default(),
    };
    let desk_token = office.token("frontdesk").await;
    let server = &office.server;
    let mut desk = Tablet::new("frontdesk");
    let id = desk.hold(&log());
    put(desk.replica.doc_mut(&id).unwrap(), &entry("de-1"), now()).unwrap();
    desk.join(&server.ws_url(&desk_token)).await;
    desk.deliver(WAIT).await.unwrap();
    assert!(server
        .docs(&desk_token)
        .await
        .iter()
        .any(|listed| listed.kind == DocKind::DutyLog));

    // Zone service staff read it; guards and cleaning staff never receive it.
    for user in ["guard-a", "cleaning"] {
        let token = server.login(user).await.token;
        Tablet::new(user)
            .refused_to_read(&server.ws_url(&token), &log(), WAIT)
            .await;
    }
    office.holding("service-a", has::<DutyEntry>("de-1")).await;

    // The desk may not sign its own day, nor spot-check: refused, nothing stored.
    for (record_id, write) in [
        (
            "ds-desk",
            Box::new(|doc: &mut automerge::Automerge| {
                put(doc, &signoff("ds-desk", "frontdesk"), now()).unwrap()
            }) as Box<dyn Fn(&mut automerge::Automerge)>,
        ),
        (
            "sc-desk",
            Box::new(|doc: &mut automerge::Automerge| {
                put(doc, &spot_check("sc-desk", "frontdesk"), now()).unwrap()
            }),
        ),
    ] {
        let (mut tablet, id) = office.holding("frontdesk", has::<DutyEntry>("de-1")).await;
        write(tablet.replica.doc_mut(&id).unwrap());
        tablet.flush(&id).await;
        assert!(tablet.deliver(WAIT).await.is_err(), "{record_id}");
        assert_eq!(tablet.replica.refusal(&id), Some(RefusalReason::ReadOnly));
    }

    // The supervisor signs the day (stamped by the server), but may not spot-check.
    let (mut lead, id) = office
        .holding("service-lead", has::<DutyEntry>("de-1"))
        .await;
    put(
        lead.replica.doc_mut(&id).unwrap(),
        &signoff("ds-1", "service-lead"),
        now(),
    )
    .unwrap();
    lead.flush(&id).await;
    lead.deliver(WAIT).await.unwrap();
    let (mut lead, id) = office
        .holding("service-lead", |doc| {
            !receipts(doc, Container::DaySignoffs).unwrap().is_empty()
        })
        .await;
    put(
        lead.replica.doc_mut(&id).unwrap(),
        &spot_check("sc-lead", "service-lead"),
        now(),
    )
    .unwrap();
    lead.flush(&id).await;
    assert!(lead.deliver(WAIT).await.is_err());
    assert_eq!(lead.replica.refusal(&id), Some(RefusalReason::ReadOnly));

    // The head spot-checks.
    let (mut head, id) = office.holding("head", has::<DaySignoff>("ds-1")).await;
    put(
        head.replica.doc_mut(&id).unwrap(),
        &spot_check("sc-1", "head"),
        now(),
    )
    .unwrap();
    head.flush(&id).await;
    head.deliver(WAIT).await.unwrap();

    // An entry, once written, is not changed.
    let (mut desk, id) = office.holding("frontdesk", has::<SpotCheck>("sc-1")).await;
    let mut changed = entry("de-1");
    changed.outcome = "改过的结果".into();
    put(desk.replica.doc_mut(&id).unwrap(), &changed, now()).unwrap();
    desk.flush(&id).await;
    assert!(desk.deliver(WAIT).await.is_err());

    let (check, id) = office.holding("service-a", has::<SpotCheck>("sc-1")).await;
    let doc = check.replica.doc(&id).unwrap();
    assert_eq!(
        get::<DutyEntry>(doc, "de-1").unwrap().unwrap().outcome,
        "明天9点恢复"
    );
    for refused in ["ds-desk", "sc-desk", "sc-lead"] {
        assert!(
            get::<DaySignoff>(doc, refused).unwrap().is_none(),
            "{refused}"
        );
        assert!(
            get::<SpotCheck>(doc, refused).unwrap().is_none(),
            "{refused}"
        );
    }
}
