//! Property: however scans and checkpoint edits interleave across tablets and
//! merges, every tablet ends with the same document, holding every scan.

use std::collections::BTreeSet;

use automerge::Automerge;
use chrono::NaiveDate;
use proptest::prelude::*;
use roundbook_shared::schema::directory::{checkpoints, put_checkpoint, Checkpoint};
use roundbook_shared::schema::patrol::{record_scan, scans, Scan, METHOD_CAMERA};
use roundbook_shared::schema::DocKey;

#[derive(Debug, Clone)]
enum Step {
    Scan { tablet: usize },
    RenameCheckpoint { tablet: usize, name: u8 },
    Merge { from: usize, into: usize },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0..3usize).prop_map(|tablet| Step::Scan { tablet }),
        (0..3usize, any::<u8>()).prop_map(|(tablet, name)| Step::RenameCheckpoint { tablet, name }),
        (0..3usize, 0..3usize).prop_map(|(from, into)| Step::Merge { from, into }),
    ]
}

fn merge(tablets: &mut [(Automerge, Automerge)], from: usize, into: usize) {
    if from == into {
        return;
    }
    let (mut log, mut directory) = (tablets[from].0.clone(), tablets[from].1.clone());
    tablets[into].0.merge(&mut log).unwrap();
    tablets[into].1.merge(&mut directory).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn tablets_converge_on_the_union(steps in proptest::collection::vec(step(), 1..40)) {
        let day = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let log_key = DocKey::patrol_log("demo", "A", day);
        let directory_key = DocKey::zone_directory("demo", "A");
        // Every tablet creates both documents on its own, offline.
        let mut tablets: Vec<(Automerge, Automerge)> = (0..3)
            .map(|_| (log_key.genesis(), directory_key.genesis()))
            .collect();
        let mut made = BTreeSet::new();
        for (n, step) in steps.into_iter().enumerate() {
            match step {
                Step::Scan { tablet } => {
                    let id = format!("scan-{n}");
                    let scan = Scan {
                        id: id.clone(),
                        round_id: "round-1".into(),
                        checkpoint_id: "cp1".into(),
                        checkpoint_code: "A-01".into(),
                        guard: format!("guard-{tablet}"),
                        guard_name: format!("Guard {tablet}"),
                        device: format!("tablet-{tablet}"),
                        scanned_at: 1_000 + n as i64,
                        method: METHOD_CAMERA.into(),
                    };
                    record_scan(&mut tablets[tablet].0, &scan).unwrap();
                    made.insert(id);
                }
                Step::RenameCheckpoint { tablet, name } => {
                    let checkpoint = Checkpoint {
                        id: "cp1".into(),
                        code: "A-01".into(),
                        name: format!("Gate {name}"),
                        location: String::new(),
                        retired: false,
                    };
                    put_checkpoint(&mut tablets[tablet].1, &checkpoint, 0).unwrap();
                }
                Step::Merge { from, into } => merge(&mut tablets, from, into),
            }
        }
        // Everyone syncs with everyone.
        for from in 0..3 {
            for into in 0..3 {
                merge(&mut tablets, from, into);
            }
        }
        let expected: Vec<_> = scans(&tablets[0].0).unwrap();
        let ids: BTreeSet<_> = expected.iter().map(|scan| scan.id.clone()).collect();
        prop_assert_eq!(&ids, &made);
        for (log, directory) in &tablets {
            prop_assert_eq!(scans(log).unwrap(), expected.clone());
            prop_assert_eq!(checkpoints(directory).unwrap(), checkpoints(&tablets[0].1).unwrap());
            prop_assert_eq!(log.get_heads(), tablets[0].0.get_heads());
        }
    }
}
