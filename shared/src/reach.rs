//! Which roles hold and write which kind of document (by each kind's
//! [`crate::schema::KindSpec`]), and which documents a user holds. The server enforces
//! these rules on every sync message; the tablet uses them only to decide
//! which documents to ask for and which screens to show.
//!
//! Zone documents are further limited to the user's zones (supervisors and
//! the office head have every zone); site-wide documents to the user's site.

use chrono::{Datelike, NaiveDate};

use crate::domain::Role;
use crate::schema::{DocKey, DocKind, Period, WorkerLog, SITE_WIDE};

/// Whether someone holding `roles` may receive documents of `kind`.
pub fn reads(roles: &[Role], kind: DocKind) -> bool {
    roles.iter().any(|role| kind.spec().readers.admits(*role))
}

/// Whether someone holding `roles` may change documents of `kind`.
pub fn writes(roles: &[Role], kind: DocKind) -> bool {
    let spec = kind.spec();
    roles
        .iter()
        .any(|role| spec.readers.admits(*role) && spec.writers.admits(*role))
}

/// Whether `username`, holding `roles` and reaching `zones`, may receive
/// the per-worker document `key` (`DocKind::per_worker`): a repair worker
/// only their own, in any zone; the kind's other readers every worker's in
/// the zones they reach. A log from before the split by zone (no zone in its
/// key, see [`WorkerLog`]) holds orders of every zone, so only the roles
/// that see the whole site hold it besides its worker.
pub fn holds_worker(roles: &[Role], username: &str, zones: &[String], key: &DocKey) -> bool {
    worker_rule(roles, username, zones, key, false)
}

/// Whether `username` may change the per-worker document `key` (the same
/// rule with the kind's writers).
pub fn writes_worker(roles: &[Role], username: &str, zones: &[String], key: &DocKey) -> bool {
    worker_rule(roles, username, zones, key, true)
}

fn worker_rule(
    roles: &[Role],
    username: &str,
    zones: &[String],
    key: &DocKey,
    writing: bool,
) -> bool {
    let Some(log) = key.worker_log() else {
        return false;
    };
    let spec = key.kind.spec();
    let in_zone = |role: Role| match log.zone {
        Some(zone) => zones.iter().any(|reached| reached == zone),
        None => role.sees_whole_site(),
    };
    !log.worker.is_empty()
        && roles.iter().any(|role| {
            spec.readers.admits(*role)
                && (!writing || spec.writers.admits(*role))
                && if *role == Role::RepairStaff {
                    log.worker == username
                } else {
                    in_zone(*role)
                }
        })
}

/// Whether someone holding `roles` holds other workers' per-worker
/// documents of `kind` (not only their own): a reader other than repair staff.
pub fn holds_every_worker(roles: &[Role], kind: DocKind) -> bool {
    let spec = kind.spec();
    roles
        .iter()
        .any(|role| *role != Role::RepairStaff && spec.readers.admits(*role))
}

/// Whether someone holding `roles` writes other workers' per-worker
/// documents of `kind` (dispatches work orders in their zones).
pub fn writes_every_worker(roles: &[Role], kind: DocKind) -> bool {
    let spec = kind.spec();
    roles.iter().any(|role| {
        *role != Role::RepairStaff && spec.readers.admits(*role) && spec.writers.admits(*role)
    })
}

/// The day documents a user's tablet is listed (`GET /api/docs`): today
/// and this many days before.
pub const LISTED_DAYS: i64 = 7;
/// Month and quarter documents listed: those starting in the last this many months.
pub const LISTED_MONTHS: u32 = 12;

/// The first day of the day documents, and of the month and quarter
/// documents, that `GET /api/docs` lists on `today`.
pub fn listed_since(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let days = today - chrono::Duration::days(LISTED_DAYS);
    let periods = today
        .with_day(1)
        .and_then(|first| first.checked_sub_months(chrono::Months::new(LISTED_MONTHS)))
        .unwrap_or(today);
    (days, periods)
}

/// Whether a tablet that synced its listing on `today` holds `key` if it
/// exists at all (a document it may read): every document without a
/// period, and the listed periods. A tablet offline can only say a month is
/// complete if every document the month's report reads passes this.
pub fn is_listed(key: &DocKey, today: NaiveDate) -> bool {
    let (days, periods) = listed_since(today);
    match (key.kind.period(), key.date) {
        (Period::None, _) => true,
        (Period::Day, Some(date)) => date >= days && date <= today + chrono::Duration::days(1),
        (_, Some(date)) => date >= periods,
        (_, None) => false,
    }
}

/// Which periods around today [`documents`] names.
#[derive(Debug, Clone, Copy, Default)]
pub struct Around {
    /// Day documents from this many days before today...
    pub days_back: i64,
    /// ...to this many days after it.
    pub days_ahead: i64,
    /// Month and quarter documents from this many periods before the current
    /// one (and, when above 0, the period after it too).
    pub periods_back: u32,
}

/// Every document someone with `roles` on `zones` of `site` could name for
/// the periods around `today`. With `Around::default()` these are the
/// documents they always hold: everything without a period and the current
/// period of every periodic kind.
pub fn documents(
    site: &str,
    roles: &[Role],
    zones: &[String],
    today: NaiveDate,
    around: Around,
) -> Vec<DocKey> {
    let mut places: Vec<&str> = zones.iter().map(String::as_str).collect();
    places.push(SITE_WIDE);
    let mut keys = Vec::new();
    for kind in DocKind::ALL
        .iter()
        .copied()
        .filter(|kind| reads(roles, *kind) && !kind.per_worker())
    {
        let dates = match kind.period() {
            Period::None => vec![today],
            Period::Day => (-around.days_back..=around.days_ahead)
                .filter_map(|offset| today.checked_add_signed(chrono::Duration::days(offset)))
                .collect(),
            period => period_starts(period, today, around.periods_back),
        };
        for place in places
            .iter()
            .filter(|place| kind.site_wide() == (**place == SITE_WIDE))
        {
            for date in &dates {
                keys.push(DocKey::of_period(site, kind, place, *date));
            }
        }
    }
    keys
}

/// Every per-worker document (work-order logs) someone with `roles` on
/// `zones` could create for the periods around `today`: each of `workers`
/// (usernames) in each zone, for those who dispatch. Repair staff create
/// none (dispatchers make their logs; they reach them by the catalog).
pub fn worker_documents(
    site: &str,
    roles: &[Role],
    zones: &[String],
    workers: &[String],
    today: NaiveDate,
    around: Around,
) -> Vec<DocKey> {
    let mut keys = Vec::new();
    for kind in DocKind::ALL
        .iter()
        .copied()
        .filter(|kind| kind.per_worker() && writes_every_worker(roles, *kind))
    {
        for date in period_starts(kind.period(), today, around.periods_back) {
            for zone in zones {
                for worker in workers {
                    let place = WorkerLog {
                        zone: Some(zone),
                        worker,
                    }
                    .place();
                    keys.push(DocKey::of_period(site, kind, &place, date));
                }
            }
        }
    }
    keys
}

/// The first days of the period holding `today`, of `back` periods before it,
/// and (when `back` > 0) of the period after it.
fn period_starts(period: Period, today: NaiveDate, back: u32) -> Vec<NaiveDate> {
    let Some(current) = period.start(today) else {
        return Vec::new();
    };
    let months = if period == Period::Quarter { 3 } else { 1 };
    let mut starts: Vec<NaiveDate> = (1..=back)
        .rev()
        .filter_map(|n| current.checked_sub_months(chrono::Months::new(n * months)))
        .collect();
    starts.push(current);
    if back > 0 {
        starts.extend(period.next(current));
    }
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guards_see_patrol_and_requests_but_not_residents() {
        let guard = [Role::Guard];
        assert!(reads(&guard, DocKind::PatrolLog));
        assert!(writes(&guard, DocKind::RequestLog));
        assert!(reads(&guard, DocKind::ZoneDirectory));
        assert!(!writes(&guard, DocKind::ZoneDirectory));
        for kind in [
            DocKind::ResidentDirectory,
            DocKind::VisitLog,
            DocKind::CleaningSetup,
            DocKind::CleaningMonth,
            DocKind::KeyLog,
        ] {
            assert!(!reads(&guard, kind), "{kind:?}");
        }
    }

    #[test]
    fn the_key_book_is_the_front_desks_and_its_supervisors() {
        for role in [Role::FrontDesk, Role::ServiceSupervisor, Role::OfficeHead] {
            assert!(writes(&[role], DocKind::KeyLog), "{role:?}");
        }
        for role in [Role::ZoneService, Role::Guard, Role::RepairStaff] {
            assert!(!reads(&[role], DocKind::KeyLog), "{role:?}");
        }
    }

    #[test]
    fn service_staff_hold_residents_and_visits() {
        let staff = [Role::ZoneService];
        assert!(writes(&staff, DocKind::ResidentDirectory));
        assert!(writes(&staff, DocKind::VisitLog));
        assert!(!reads(&staff, DocKind::CleaningMonth));
    }

    #[test]
    fn only_the_environment_supervisor_and_head_edit_the_cleaning_template() {
        assert!(reads(&[Role::CleaningSupervisor], DocKind::CleaningSetup));
        assert!(!writes(&[Role::CleaningSupervisor], DocKind::CleaningSetup));
        assert!(writes(&[Role::CleaningSupervisor], DocKind::CleaningMonth));
        assert!(writes(
            &[Role::EnvironmentSupervisor],
            DocKind::CleaningSetup
        ));
        assert!(writes(&[Role::OfficeHead], DocKind::CleaningSetup));
    }

    #[test]
    fn the_roles_real_offices_added_reach_what_their_work_needs() {
        // The front desk takes calls for the whole site and so serves residents.
        let desk = [Role::FrontDesk];
        assert!(writes(&desk, DocKind::RequestLog));
        assert!(reads(&desk, DocKind::ResidentDirectory));
        assert!(!reads(&desk, DocKind::CleaningMonth));
        // Engineering and repair staff work orders, never residents' data;
        // repair staff reach only their work orders, not the zone's logs.
        for role in [Role::EngineeringSupervisor, Role::RepairStaff] {
            assert!(writes(&[role], DocKind::WorkOrderLog), "{role:?}");
            assert!(!reads(&[role], DocKind::ResidentDirectory), "{role:?}");
            assert!(!reads(&[role], DocKind::VisitLog), "{role:?}");
        }
        assert!(writes(&[Role::EngineeringSupervisor], DocKind::RequestLog));
        assert!(!reads(&[Role::RepairStaff], DocKind::RequestLog));
        assert!(!reads(&[Role::RepairStaff], DocKind::PatrolLog));
        // A squad leader patrols; setting routes up stays the supervisor's.
        assert!(writes(&[Role::SquadLeader], DocKind::PatrolLog));
        assert!(!writes(&[Role::SquadLeader], DocKind::ZoneDirectory));
        assert!(!reads(&[Role::SquadLeader], DocKind::ResidentDirectory));
        // The IT administrator holds no records at all.
        for kind in DocKind::ALL {
            assert!(!reads(&[Role::Admin], *kind), "{kind:?}");
        }
    }

    proptest::proptest! {
        /// The deputy head reaches exactly what the office head does, and
        /// adding the administrator role to anyone changes nothing they hold.
        #[test]
        fn the_deputy_stands_in_for_the_head_and_admin_adds_no_records(
            picks in proptest::collection::vec(0..Role::ALL.len(), 0..4),
        ) {
            let roles: Vec<Role> = picks.iter().map(|n| Role::ALL[*n]).collect();
            let mut with_admin = roles.clone();
            with_admin.push(Role::Admin);
            for kind in DocKind::ALL.iter().copied() {
                proptest::prop_assert_eq!(
                    reads(&[Role::DeputyHead], kind),
                    reads(&[Role::OfficeHead], kind)
                );
                proptest::prop_assert_eq!(
                    writes(&[Role::DeputyHead], kind),
                    writes(&[Role::OfficeHead], kind)
                );
                proptest::prop_assert_eq!(reads(&with_admin, kind), reads(&roles, kind));
                proptest::prop_assert_eq!(writes(&with_admin, kind), writes(&roles, kind));
            }
        }
    }

    #[test]
    fn a_guard_always_holds_the_directory_today_this_months_requests_and_the_gate() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let zones = ["A".to_owned()];
        let held = documents("demo", &[Role::Guard], &zones, today, Around::default());
        assert_eq!(
            held,
            [
                DocKey::zone_directory("demo", "A"),
                DocKey::patrol_log("demo", "A", today),
                DocKey::request_log("demo", "A", today),
                DocKey::gate_log("demo", today),
            ]
        );
        let around = Around {
            periods_back: 2,
            ..Around::default()
        };
        let cleaner = documents("demo", &[Role::CleaningSupervisor], &zones, today, around);
        let months: Vec<_> = cleaner
            .iter()
            .filter(|key| key.kind == DocKind::CleaningMonth)
            .filter_map(|key| key.period())
            .collect();
        assert_eq!(
            months,
            ["2026-09-01", "2026-10-01", "2026-11-01", "2026-12-01"]
        );
    }

    #[test]
    fn a_repair_worker_holds_only_their_own_work_orders() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let log = |zone: &str, worker: &str| DocKey::work_order_log("demo", zone, worker, today);
        let none: [String; 0] = [];
        let zone_a = ["A".to_owned()];
        let worker = [Role::RepairStaff];
        // Their own log in any zone, whatever zones their account lists.
        assert!(holds_worker(
            &worker,
            "repair-a",
            &none,
            &log("B", "repair-a")
        ));
        assert!(writes_worker(
            &worker,
            "repair-a",
            &none,
            &log("B", "repair-a")
        ));
        assert!(!holds_worker(
            &worker,
            "repair-a",
            &zone_a,
            &log("A", "repair-b")
        ));
        assert!(!writes_worker(
            &worker,
            "repair-a",
            &zone_a,
            &log("A", "repair-b")
        ));
        for dispatcher in [
            Role::ZoneService,
            Role::EngineeringSupervisor,
            Role::OfficeHead,
        ] {
            let roles = [dispatcher];
            assert!(holds_worker(&roles, "x", &zone_a, &log("A", "repair-b")));
            assert!(writes_worker(&roles, "x", &zone_a, &log("A", "repair-b")));
            // Another zone's orders carry its residents: never held.
            assert!(!holds_worker(&roles, "x", &zone_a, &log("B", "repair-b")));
            assert!(!writes_worker(&roles, "x", &zone_a, &log("B", "repair-b")));
        }
        assert!(!holds_worker(
            &[Role::Guard],
            "guard-a",
            &zone_a,
            &log("A", "repair-a")
        ));
        assert!(!holds_every_worker(&worker, DocKind::WorkOrderLog));
        assert!(holds_every_worker(
            &[Role::EngineeringSupervisor],
            DocKind::WorkOrderLog
        ));
        assert!(writes_every_worker(
            &[Role::ZoneService],
            DocKind::WorkOrderLog
        ));
        assert!(!writes_every_worker(&[Role::Guard], DocKind::WorkOrderLog));

        let workers = ["repair-a".to_owned(), "repair-b".to_owned()];
        let around = Around::default();
        assert!(worker_documents("demo", &worker, &zone_a, &workers, today, around).is_empty());
        let clerk = worker_documents(
            "demo",
            &[Role::ZoneService],
            &zone_a,
            &workers,
            today,
            around,
        );
        assert_eq!(clerk, [log("A", "repair-a"), log("A", "repair-b")]);
        assert!(documents("demo", &worker, &zone_a, today, around)
            .iter()
            .all(|key| key.kind == DocKind::ZoneDirectory));
    }

    #[test]
    fn a_log_from_before_the_split_by_zone_is_held_by_its_worker_and_the_whole_site() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 3).unwrap();
        let legacy = DocKey::of_period("demo", DocKind::WorkOrderLog, "repair-a", today);
        assert_eq!(
            legacy.worker_log(),
            Some(WorkerLog {
                zone: None,
                worker: "repair-a"
            })
        );
        let zone_a = ["A".to_owned()];
        assert!(holds_worker(&[Role::RepairStaff], "repair-a", &[], &legacy));
        assert!(holds_worker(
            &[Role::EngineeringSupervisor],
            "e",
            &zone_a,
            &legacy
        ));
        assert!(!holds_worker(&[Role::ZoneService], "s", &zone_a, &legacy));
    }

    #[test]
    fn roles_add_up() {
        let both = [Role::Guard, Role::ZoneService];
        assert!(reads(&both, DocKind::ResidentDirectory));
        assert!(!reads(&[], DocKind::PatrolLog));
    }
}
