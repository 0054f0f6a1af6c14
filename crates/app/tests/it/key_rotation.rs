//! Rotation of the personal-data key: every member re-sealed under a fresh
//! key while another process (a running server) keeps reading, duplicates
//! still found mid-rotation, the old key retired into its own file — on
//! both backends.

use crate::common;

use common::*;
use dingdian_app::keys::{self, KeySource, Keys};
use dingdian_app::registry::ImportOptions;
use dingdian_app::{App, AppError};
use dingdian_core::registry::check_digit;
use dingdian_store::Store;
use dingdian_testkit::{TestDb, both_backends};
use std::path::Path;

const VILLAGE: &str = "623023100200";
const HEADER: &str = "年度,村级区划代码,户编号,证件号码,姓名,与户主关系,人均纯收入,脱贫状态,识别年度,脱贫年度,主要致贫原因\n";

/// A distinct valid ID number for each `seq` below 28 000.
fn id(seq: u32) -> String {
    let day = 1 + (seq / 1000) % 28;
    let first = format!("{ZHOUQU}198001{day:02}{:03}", seq % 1000);
    format!("{first}{}", check_digit(&first).unwrap())
}

/// `households` households of four members each (more than one re-seal
/// batch of 2 000 when large).
fn registry(households: u32) -> String {
    let mut s = String::from(HEADER);
    for h in 0..households {
        for m in 0..4 {
            let relation = if m == 0 { "户主" } else { "子女" };
            s += &format!(
                "2014,{VILLAGE},H{h},{},成员{h}-{m},{relation},2000,未脱贫,2014,,因病\n",
                id(h * 4 + m)
            );
        }
    }
    s
}

/// An app over `db` whose keys live in `key_file` (as a server's would).
fn app_with_key_file(db: &TestDb, key_file: &Path) -> App {
    let store = Store::open(&db.url).expect("open store");
    let keys = Keys::from_source(KeySource::File(key_file.to_path_buf())).expect("keys");
    App::with_keys(store, keys)
}

fn import(app: &App, text: &str) -> Result<dingdian_app::registry::ImportReport, AppError> {
    app.import_registry(
        &office(),
        "r.csv",
        text.as_bytes(),
        ImportOptions::default(),
        &|_, _, _| {},
    )
}

fn sealed_with(app: &App, key_id: &str) -> i64 {
    app.store()
        .read(|c| {
            c.query_i64(
                "SELECT COUNT(*) FROM members WHERE key_id = ?",
                dingdian_store::params![key_id],
            )
        })
        .unwrap()
}

fn id_cipher_of_first(app: &App) -> Vec<u8> {
    app.store()
        .read(|c| {
            c.query_one(
                "SELECT id_cipher FROM members WHERE household_id = 'H0' ORDER BY relation LIMIT 1",
                &[],
            )
        })
        .unwrap()
        .unwrap()
        .get("id_cipher")
        .unwrap()
}

fn rotation_reseals_every_member_while_a_server_keeps_reading(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("personal.key");
    let operator = app_with_key_file(db, &key_file);
    let server = app_with_key_file(db, &key_file);
    let households = 700; // 2 800 members: two batches
    import(&operator, &registry(households)).expect("import");
    let old_id = operator.key().key_id();
    let before = server
        .household_card(&office(), 2014, "H3", Some("轮换核对"))
        .expect("card");
    let old_cipher = id_cipher_of_first(&operator);
    // An office account: its TOTP secret is sealed under the key too.
    user(&operator, "wang", "office", None, None);
    let secret_of = |app: &App| {
        app.store()
            .read(|c| c.query_one("SELECT totp_secret FROM users WHERE username = 'wang'", &[]))
            .unwrap()
            .unwrap()
            .get::<Vec<u8>>("totp_secret")
            .unwrap()
    };
    let old_secret = secret_of(&operator);
    // A finished import job whose rejects file is kept, sealed.
    let bad = format!(
        "{HEADER}2014,{VILLAGE},Z1,{}X,坏号码,户主,2000,未脱贫,2014,,因病\n",
        &id(27_000)[..17]
    );
    let job = operator
        .start_registry_import(
            &office(),
            "bad.csv",
            bad.into_bytes(),
            ImportOptions {
                skip_invalid: true,
                ..Default::default()
            },
        )
        .expect("start a job");
    while operator.job(&office(), job).unwrap().status == "running" {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let (_, rejects_before) = operator
        .job_rejects(&office(), job)
        .expect("a rejects file");

    let report = std::thread::scope(|s| {
        let rotation = s.spawn(|| operator.rotate_key(&office(), &|_, _| {}));
        // The server reads throughout: cards open and exact search finds.
        while !rotation.is_finished() {
            let card = server
                .household_card(&office(), 2014, "H3", Some("轮换核对"))
                .expect("card during rotation");
            assert_eq!(card.members.len(), 4);
            let found = server
                .find_by_id_number(&office(), &id(3 * 4))
                .expect("search during rotation");
            assert_eq!(found, vec![(2014, "H3".to_string())]);
        }
        rotation.join().unwrap()
    })
    .expect("rotate");

    let new_id = report.key_id.clone();
    assert_ne!(new_id, old_id, "a fresh key");
    assert_eq!(report.resealed, u64::from(households) * 4);
    assert_eq!(report.retired_key_ids, vec![old_id.clone()]);
    assert_eq!(
        sealed_with(&operator, &old_id),
        0,
        "nothing left under the old key"
    );
    assert_eq!(sealed_with(&operator, &new_id), i64::from(households) * 4);
    assert_ne!(
        id_cipher_of_first(&operator),
        old_cipher,
        "ciphertext replaced"
    );

    // The key file now holds only the new key; the old one is kept apart.
    let ring = Keys::from_source(KeySource::File(key_file.clone()))
        .unwrap()
        .ring();
    assert_eq!(ring.ids(), vec![new_id.clone()]);
    let retired = &report.retired_files[0];
    let kept = std::fs::read_to_string(retired).unwrap();
    let kept = dingdian_core::crypto::PersonalDataKey::from_hex(&kept).unwrap();
    assert_eq!(kept.key_id(), old_id);

    // The server, started before the rotation, reads the same card and
    // finds people under the new index.
    let after = server
        .household_card(&office(), 2014, "H3", Some("轮换核对"))
        .expect("card after");
    let names = |c: &dingdian_app::registry::HouseholdCard| {
        c.members
            .iter()
            .map(|m| (m.name.clone(), m.id_number.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&after), names(&before));
    assert_eq!(
        server.find_by_id_number(&office(), &id(5)).unwrap(),
        vec![(2014, "H1".to_string())]
    );
    // Duplicates are still caught under the new index.
    let dup = format!(
        "{HEADER}2014,{VILLAGE},X1,{},重复,户主,2000,未脱贫,2014,,因病\n",
        id(0)
    );
    let errs = invalid(import(&server, &dup));
    assert_eq!(errs[0].msg.code, "duplicate_registration", "{errs:?}");
    // The TOTP secret was re-sealed under the new key: the code computed
    // with the new key signs in.
    assert_ne!(secret_of(&operator), old_secret);
    let code = totp(&server, "wang").expect("a second factor");
    server
        .login(
            "wang",
            PASSWORD,
            Some(&code),
            dingdian_app::auth::SessionKind::Api,
            None,
        )
        .expect("sign in after the rotation");
    // The kept rejects file still opens, under the new key.
    let (_, rejects_after) = server.job_rejects(&office(), job).expect("rejects after");
    assert_eq!(rejects_after, rejects_before);
    // Both steps are in the audit log.
    let (records, _) = operator
        .store()
        .read(|c| {
            dingdian_store::audit::search(
                c,
                &dingdian_store::audit::AuditFilter {
                    q: Some("key.rotate".into()),
                    ..Default::default()
                },
                dingdian_app::Page::all(),
            )
        })
        .unwrap();
    let actions: Vec<&str> = records.iter().map(|r| r.action.as_str()).collect();
    assert!(
        actions.contains(&"key.rotate.start") && actions.contains(&"key.rotate"),
        "{actions:?}"
    );
}

fn mid_rotation_imports_find_people_sealed_under_the_old_key(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("personal.key");
    let app = app_with_key_file(db, &key_file);
    import(&app, &registry(3)).expect("import");
    let old_id = app.key().key_id();

    // The rotation has begun in the key file but nothing is re-sealed yet.
    let ring = keys::begin_rotation(&key_file).unwrap();
    assert_eq!(ring.ids().len(), 2);
    assert_eq!(ring.ids()[1], old_id);
    // Beginning again resumes: no third key.
    assert_eq!(keys::begin_rotation(&key_file).unwrap().ids(), ring.ids());
    app.keys().refresh(true).unwrap();
    assert_ne!(
        app.key().key_id(),
        old_id,
        "new rows are sealed under the new key"
    );

    // Someone registered under the old key is still found and still a duplicate.
    assert_eq!(
        app.find_by_id_number(&office(), &id(4)).unwrap(),
        vec![(2014, "H1".to_string())]
    );
    let dup = format!(
        "{HEADER}2014,{VILLAGE},X1,{},重复,户主,2000,未脱贫,2014,,因病\n",
        id(4)
    );
    let errs = invalid(import(&app, &dup));
    assert_eq!(errs[0].msg.code, "duplicate_registration", "{errs:?}");

    // A new household is sealed under the new key beside the old rows.
    let fresh = format!(
        "{HEADER}2014,{VILLAGE},X2,{},新户,户主,2000,未脱贫,2014,,因病\n",
        id(900)
    );
    import(&app, &fresh).expect("import a new household");
    assert_eq!(sealed_with(&app, &old_id), 12);
    assert_eq!(app.reseal_personal_data(&|_, _| {}).unwrap(), 12);
    assert_eq!(sealed_with(&app, &old_id), 0);
    let card = app.household_card(&office(), 2014, "H2", None).unwrap();
    assert_eq!(card.members[0].name, "成员2-0");
}

fn a_key_from_the_environment_cannot_be_rotated_online(db: &TestDb) {
    let store = Store::open(&db.url).unwrap();
    let app = App::with_key(
        store,
        dingdian_core::crypto::PersonalDataKey::from_bytes([7; 32]),
    );
    let errs = invalid(app.rotate_key(&office(), &|_, _| {}));
    assert_eq!(errs[0].msg.code, "key_in_environment");
}

both_backends!(
    rotation_reseals_every_member_while_a_server_keeps_reading,
    rotation_reseals_the_members_of_households_outside_the_registry,
    mid_rotation_imports_find_people_sealed_under_the_old_key,
    a_key_from_the_environment_cannot_be_rotated_online,
);

fn rotation_reseals_the_members_of_households_outside_the_registry(db: &TestDb) {
    use dingdian_core::rural::{RuralHouseholdInput, RuralMemberInput};
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("personal.key");
    let app = app_with_key_file(db, &key_file);
    let zhouqu = user(&app, "zhouqu", "county", None, Some("623023"));
    let first = "62302319800101001";
    let number = format!("{first}{}", check_digit(first).unwrap());
    let input = RuralHouseholdInput {
        county_code: "623023".into(),
        village: "城关镇东街村".into(),
        year: "2022".into(),
        income_per_capita: "6800".into(),
        members: vec![RuralMemberInput {
            name: "轮换农户".into(),
            id_number: number,
            relation: "户主".into(),
        }],
    };
    let id = app
        .enter_rural_household(&zhouqu, &input, "2023-03-01".parse().unwrap())
        .expect("entered");
    let old_id = app.key().key_id();
    app.rotate_key(&office(), &|_, _| {}).expect("rotation");
    let stale = app
        .store()
        .read(|c| {
            c.query_i64(
                "SELECT COUNT(*) FROM rural_members WHERE key_id = ?",
                dingdian_store::params![old_id],
            )
        })
        .unwrap();
    assert_eq!(stale, 0, "no member is left under the retired key");
    // Readable under the new key alone: the old one is retired.
    let view = app.rural_household(&zhouqu, &id).expect("readable");
    assert_eq!(view.members[0].name, "轮换农户");
}
