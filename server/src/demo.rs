//! `--demo`: one site with zones A, B and C, five staff accounts and a few
//! checkpoints per zone, so a new user can try every screen at once.
//! Seeds only an empty database; it never overwrites real data.

use chrono::Utc;

use roundbook_shared::domain::{Role, SiteInfo, ZoneRef};
use roundbook_shared::schema::directory::{put_checkpoint, Checkpoint};
use roundbook_shared::schema::DocKey;

use crate::auth::hash_password;
use crate::store::{Account, Store, StoreResult};

pub const SITE: &str = "demo";
pub const PASSWORD: &str = "roundbook";

/// (username, display name, roles, zones)
pub const ACCOUNTS: [(&str, &str, Role, &[&str]); 5] = [
    ("guard-a", "王强", Role::Guard, &["A"]),
    ("guard-b", "李军", Role::Guard, &["B"]),
    ("service-a", "陈静", Role::ZoneService, &["A"]),
    (
        "cleaning",
        "刘芳",
        Role::CleaningSupervisor,
        &["A", "B", "C"],
    ),
    ("head", "赵敏", Role::OfficeHead, &[]),
];

const ZONES: [(&str, &str); 3] = [("A", "A区 东苑"), ("B", "B区 西苑"), ("C", "C区 南苑")];

/// (code suffix, name, location)
const CHECKPOINTS: [(&str, &str, &str); 4] = [
    ("01", "正门岗亭", "小区正门东侧"),
    ("02", "地下车库入口", "负一层坡道口"),
    ("03", "消防通道", "3栋与5栋之间"),
    ("04", "垃圾收集点", "北侧围墙内"),
];

/// Seeds the demo site unless it already exists. Returns whether it seeded.
pub fn seed(store: &dyn Store) -> StoreResult<bool> {
    if store.site(SITE)?.is_some() {
        return Ok(false);
    }
    let zones: Vec<ZoneRef> = ZONES
        .iter()
        .map(|(code, name)| ZoneRef {
            code: (*code).into(),
            name: (*name).into(),
        })
        .collect();
    store.put_site(
        &SiteInfo {
            code: SITE.into(),
            name: "翠湖花园".into(),
            timezone: "Asia/Shanghai".into(),
        },
        &zones,
    )?;
    let password_hash = hash_password(PASSWORD);
    for (username, display_name, role, zones) in ACCOUNTS {
        store.put_account(&Account {
            username: username.into(),
            display_name: display_name.into(),
            site: SITE.into(),
            password_hash: password_hash.clone(),
            roles: vec![role],
            zones: zones.iter().map(|zone| zone.to_string()).collect(),
        })?;
    }
    let now = Utc::now().timestamp_millis();
    for zone in &zones {
        let key = DocKey::zone_directory(SITE, &zone.code);
        let mut doc = key.genesis();
        for (suffix, name, location) in CHECKPOINTS {
            let checkpoint = Checkpoint {
                id: format!("cp-{}-{suffix}", zone.code.to_lowercase()),
                code: format!("{}-{suffix}", zone.code),
                name: name.into(),
                location: location.into(),
                retired: false,
            };
            put_checkpoint(&mut doc, &checkpoint, now).expect("demo checkpoints are valid");
        }
        let id = key.document_id();
        store.register_document(&id, &key)?;
        store.replace_with_snapshot(&id, &doc.save())?;
    }
    Ok(true)
}
