//! What each scoped role sees and may do: a unit only its own pairings
//! and unit, a county only its own county, a cadre the intersection, the
//! auditor nothing of the business data; consultation feedback.
//! Every test runs on SQLite and on PostgreSQL.

use crate::common;

use common::*;
use dingdian_app::{Actor, App, Page};
use dingdian_core::unit::UnitInput;
use dingdian_store::areas::AreaFilter;
use dingdian_store::plans::{PairingFilter, PairingPlanFilter};
use dingdian_store::units::UnitFilter;
use dingdian_testkit::{TestDb, both_backends};

both_backends!(
    unit_user_sees_only_plans_and_pairings_of_its_unit,
    unit_user_reads_and_edits_only_its_own_unit,
    unit_user_may_not_create_units_or_plans,
    county_user_sees_only_its_county,
    cadre_sees_the_intersection_of_unit_and_county,
    auditor_is_forbidden_from_business_data,
    office_reviewer_and_inspector_see_everything,
    feedback_only_by_a_unit_in_consultation_on_plans_it_sees,
    a_bulk_export_in_full_is_a_county_officers_own_county_with_a_reason,
    permission_comes_before_the_file_is_read,
);

/// Three units and three plans:
/// P1: U1–Zhouqu lead, U1–Lingshou member, U2–Xingtang lead, U3–Jianghua lead
/// P2: U2–Jianghua lead, U3–Xingtang lead
/// P3: U3–Lingshou lead
struct World {
    app: App,
    u: [i64; 3],
    p: [i64; 3],
}

fn world(db: &TestDb) -> World {
    let app = open(db);
    county_list(&app);
    let u = [
        unit(&app, "单位一"),
        unit(&app, "单位二"),
        unit(&app, "单位三"),
    ];
    let p1 = plan(&app, &office(), "方案一", START, END);
    pair(&app, p1, u[0], ZHOUQU, "lead");
    pair(&app, p1, u[0], LINGSHOU, "member");
    pair(&app, p1, u[1], XINGTANG, "lead");
    pair(&app, p1, u[2], JIANGHUA, "lead");
    let p2 = plan(&app, &office(), "方案二", START, END);
    pair(&app, p2, u[1], JIANGHUA, "lead");
    pair(&app, p2, u[2], XINGTANG, "lead");
    let p3 = plan(&app, &office(), "方案三", START, END);
    pair(&app, p3, u[2], LINGSHOU, "lead");
    World {
        app,
        u,
        p: [p1, p2, p3],
    }
}

fn plan_ids(app: &App, actor: &Actor) -> Vec<i64> {
    let (plans, total) = app
        .list_plans(actor, &PairingPlanFilter::default(), Page::new(None, None))
        .unwrap();
    assert_eq!(total as usize, plans.len());
    let mut ids: Vec<i64> = plans.into_iter().map(|p| p.id).collect();
    ids.sort();
    ids
}

fn unit_ids(app: &App, actor: &Actor) -> Vec<i64> {
    let (units, total) = app
        .list_units(actor, &UnitFilter::default(), Page::new(None, None))
        .unwrap();
    assert_eq!(total as usize, units.len());
    units.into_iter().map(|u| u.id).collect()
}

/// (unit, county) of the pairings the actor sees in a plan.
fn seen_pairings(app: &App, actor: &Actor, plan_id: i64) -> Vec<(i64, String)> {
    let mut v: Vec<(i64, String)> = app
        .plan_detail(actor, plan_id)
        .unwrap()
        .pairings
        .into_iter()
        .map(|p| (p.unit_id, p.county_code))
        .collect();
    v.sort();
    v
}

fn all_pairings(app: &App, actor: &Actor) -> Vec<(i64, i64, String)> {
    let (items, total) = app
        .list_pairings(actor, &PairingFilter::default(), Page::all())
        .unwrap();
    assert_eq!(total as usize, items.len());
    let mut v: Vec<(i64, i64, String)> = items
        .into_iter()
        .map(|p| (p.plan_id, p.unit_id, p.county_code))
        .collect();
    v.sort();
    v
}

/// Every read of a plan the actor's scope does not reach answers 404.
fn plan_hidden(app: &App, actor: &Actor, plan_id: i64) {
    expect_not_found(app.get_plan(actor, plan_id));
    expect_not_found(app.plan_detail(actor, plan_id));
    expect_not_found(app.plan_coverage(actor, plan_id, None));
    expect_not_found(app.coverage_by_province(actor, plan_id, None));
    expect_not_found(app.plan_diff(actor, plan_id));
}

fn unit_user_sees_only_plans_and_pairings_of_its_unit(db: &TestDb) {
    let World { app, u, p } = world(db);
    let u1 = user(&app, "u1", "unit", Some(u[0]), None);
    assert_eq!(plan_ids(&app, &u1), vec![p[0]]);
    assert_eq!(
        seen_pairings(&app, &u1, p[0]),
        vec![(u[0], LINGSHOU.to_string()), (u[0], ZHOUQU.to_string())]
    );
    assert_eq!(app.get_plan(&u1, p[0]).unwrap().id, p[0]);
    plan_hidden(&app, &u1, p[1]);
    plan_hidden(&app, &u1, p[2]);
    assert_eq!(
        all_pairings(&app, &u1),
        vec![
            (p[0], u[0], LINGSHOU.to_string()),
            (p[0], u[0], ZHOUQU.to_string())
        ]
    );
    // Asking for another unit's pairings by filter yields nothing.
    let f = PairingFilter {
        unit_id: Some(u[1]),
        ..Default::default()
    };
    assert_eq!(app.list_pairings(&u1, &f, Page::all()).unwrap().1, 0);
    let f = PairingFilter {
        plan_id: Some(p[1]),
        ..Default::default()
    };
    assert_eq!(app.list_pairings(&u1, &f, Page::all()).unwrap().1, 0);

    // A unit with no pairings at all sees no plan.
    let u4 = unit(&app, "单位四");
    let lonely = user(&app, "u4", "unit", Some(u4), None);
    assert!(plan_ids(&app, &lonely).is_empty());
    plan_hidden(&app, &lonely, p[0]);
}

fn unit_user_reads_and_edits_only_its_own_unit(db: &TestDb) {
    let World { app, u, .. } = world(db);
    let u1 = user(&app, "u1", "unit", Some(u[0]), None);
    assert_eq!(app.get_unit(&u1, u[0]).unwrap().name, "单位一");
    expect_not_found(app.get_unit(&u1, u[1]));
    expect_not_found(app.get_unit(&u1, u[1] + 1000));
    assert_eq!(unit_ids(&app, &u1), vec![u[0]]);

    let edit = |name: &str| UnitInput {
        name: name.into(),
        kind: "central_organ".into(),
        contact_name: "张三".into(),
        contact_phone: "010-1234 5678".into(),
        ..Default::default()
    };
    expect_not_found(app.update_unit(&u1, u[1], &edit("被改掉的单位二")));
    assert_eq!(
        app.get_unit(&office(), u[1]).unwrap().name,
        "单位二",
        "the other unit is unchanged"
    );
    app.update_unit(&u1, u[0], &edit("单位一")).unwrap();
    let mine = app.get_unit(&office(), u[0]).unwrap();
    assert_eq!(mine.contact_name.as_deref(), Some("张三"));
    assert_eq!(mine.contact_phone.as_deref(), Some("010-1234 5678"));
}

fn unit_user_may_not_create_units_or_plans(db: &TestDb) {
    let World { app, u, p } = world(db);
    let u1 = user(&app, "u1", "unit", Some(u[0]), None);
    let units_before = count(&app, "SELECT COUNT(*) FROM units");
    let plans_before = count(&app, "SELECT COUNT(*) FROM plans");
    expect_forbidden(app.create_unit(
        &u1,
        &UnitInput {
            name: "新单位".into(),
            kind: "central_organ".into(),
            ..Default::default()
        },
    ));
    expect_forbidden(app.create_plan(&u1, &plan_input("自建方案", START, END)));
    expect_forbidden(app.add_pairing(&u1, p[0], &pairing(u[0], JIANGHUA, "member", "", "")));
    expect_forbidden(app.update_plan(&u1, p[0], &plan_input("改名", START, END)));
    expect_forbidden(app.import_units(
        &u1,
        "u.csv",
        "name,kind\n新单位,central_organ\n".as_bytes(),
        dingdian_app::tabular::Encoding::Auto,
    ));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM units"), units_before);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM plans"), plans_before);
    assert_eq!(pairings(&app, p[0]).len(), 4);
}

fn county_user_sees_only_its_county(db: &TestDb) {
    let World { app, u, p } = world(db);
    let xt = user(&app, "xingtang", "county", None, Some(XINGTANG));
    assert_eq!(plan_ids(&app, &xt), vec![p[0], p[1]]);
    assert_eq!(
        seen_pairings(&app, &xt, p[0]),
        vec![(u[1], XINGTANG.to_string())]
    );
    assert_eq!(
        seen_pairings(&app, &xt, p[1]),
        vec![(u[2], XINGTANG.to_string())]
    );
    plan_hidden(&app, &xt, p[2]);
    assert_eq!(
        all_pairings(&app, &xt),
        vec![
            (p[0], u[1], XINGTANG.to_string()),
            (p[1], u[2], XINGTANG.to_string())
        ]
    );
    // The units paired with it, and no other.
    assert_eq!(unit_ids(&app, &xt), vec![u[1], u[2]]);
    expect_not_found(app.get_unit(&xt, u[0]));
    assert_eq!(app.get_unit(&xt, u[1]).unwrap().id, u[1]);
    // A county officer edits no unit.
    expect_forbidden(app.update_unit(
        &xt,
        u[1],
        &UnitInput {
            name: "单位二".into(),
            kind: "central_organ".into(),
            ..Default::default()
        },
    ));

    // Zhouqu sees only the first plan.
    let zq = user(&app, "zhouqu", "county", None, Some(ZHOUQU));
    assert_eq!(plan_ids(&app, &zq), vec![p[0]]);
    assert_eq!(unit_ids(&app, &zq), vec![u[0]]);
}

fn cadre_sees_the_intersection_of_unit_and_county(db: &TestDb) {
    let World { app, u, p } = world(db);
    // Unit 2 in Xingtang: paired there only in P1 (in P2 unit 2 is in Jianghua
    // and Xingtang has unit 3).
    let cadre = user(&app, "cadre", "cadre", Some(u[1]), Some(XINGTANG));
    assert_eq!(plan_ids(&app, &cadre), vec![p[0]]);
    assert_eq!(
        seen_pairings(&app, &cadre, p[0]),
        vec![(u[1], XINGTANG.to_string())]
    );
    plan_hidden(&app, &cadre, p[1]);
    plan_hidden(&app, &cadre, p[2]);
    assert_eq!(
        all_pairings(&app, &cadre),
        vec![(p[0], u[1], XINGTANG.to_string())]
    );
    assert_eq!(unit_ids(&app, &cadre), vec![u[1]]);
    expect_not_found(app.get_unit(&cadre, u[2]));

    // A unit and a county that are never paired together: nothing.
    let apart = user(&app, "cadre2", "cadre", Some(u[0]), Some(XINGTANG));
    assert!(plan_ids(&app, &apart).is_empty());
    assert!(all_pairings(&app, &apart).is_empty());
    plan_hidden(&app, &apart, p[0]);
}

fn auditor_is_forbidden_from_business_data(db: &TestDb) {
    let World { app, u, p } = world(db);
    let auditor = user(&app, "auditor1", "auditor", None, None);
    expect_forbidden(app.list_units(&auditor, &UnitFilter::default(), Page::all()));
    expect_forbidden(app.get_unit(&auditor, u[0]));
    expect_forbidden(app.export_units(&auditor, &UnitFilter::default()));
    expect_forbidden(app.list_plans(&auditor, &PairingPlanFilter::default(), Page::all()));
    expect_forbidden(app.get_plan(&auditor, p[0]));
    expect_forbidden(app.plan_detail(&auditor, p[0]));
    expect_forbidden(app.plan_coverage(&auditor, p[0], None));
    expect_forbidden(app.list_pairings(&auditor, &PairingFilter::default(), Page::all()));
    expect_forbidden(app.current_overall_plan(&auditor, None));
    expect_forbidden(app.list_areas(&auditor, &AreaFilter::default(), Page::all()));
    expect_forbidden(app.get_area(&auditor, ZHOUQU));
    expect_forbidden(app.county_lists(&auditor));
    // Nor may the other administrator duties edit business data.
    let admin = user(&app, "admin1", "admin", None, None);
    expect_forbidden(app.create_unit(
        &admin,
        &UnitInput {
            name: "新单位".into(),
            kind: "central_organ".into(),
            ..Default::default()
        },
    ));
    expect_forbidden(app.list_plans(&admin, &PairingPlanFilter::default(), Page::all()));
}

fn office_reviewer_and_inspector_see_everything(db: &TestDb) {
    let World { app, u, p } = world(db);
    for (name, role) in [
        ("office1", "office"),
        ("reviewer1", "reviewer"),
        ("inspector1", "inspector"),
    ] {
        let a = user(&app, name, role, None, None);
        assert_eq!(plan_ids(&app, &a), p.to_vec(), "{role}");
        assert_eq!(seen_pairings(&app, &a, p[0]).len(), 4, "{role}");
        assert_eq!(all_pairings(&app, &a).len(), 7, "{role}");
        assert_eq!(unit_ids(&app, &a), u.to_vec(), "{role}");
    }
}

fn feedback_only_by_a_unit_in_consultation_on_plans_it_sees(db: &TestDb) {
    let World { app, u, p } = world(db);
    let reviewer = user(&app, "reviewer1", "reviewer", None, None);
    let u1 = user(&app, "u1", "unit", Some(u[0]), None);
    let u2 = user(&app, "u2", "unit", Some(u[1]), None);
    let county = user(&app, "xingtang", "county", None, Some(XINGTANG));
    let cadre = user(&app, "cadre", "cadre", Some(u[1]), Some(XINGTANG));
    let feedback_rows = || count(&app, "SELECT COUNT(*) FROM plan_feedback");

    // Not while the plan is a draft.
    expect_conflict(
        app.give_feedback(&u1, p[0], "accept", ""),
        "not_in_consultation",
    );
    walk(&app, p[0], &[(&office(), "consultation")]);
    walk(&app, p[1], &[(&office(), "consultation")]);
    assert!(app.plan_detail(&u1, p[0]).unwrap().can_give_feedback);
    assert!(!app.plan_detail(&office(), p[0]).unwrap().can_give_feedback);

    // Only the unit role gives feedback.
    for other in [&office(), &reviewer, &county, &cadre] {
        expect_forbidden(app.give_feedback(other, p[0], "accept", ""));
    }
    // Not on a plan without its pairings.
    expect_not_found(app.give_feedback(&u1, p[1], "accept", ""));
    // The kind and text are checked.
    expect_invalid(
        app.give_feedback(&u1, p[0], "veto", "no"),
        "kind",
        "bad_feedback",
    );
    expect_invalid(
        app.give_feedback(&u1, p[0], "comment", "  "),
        "text",
        "required",
    );
    assert_eq!(feedback_rows(), 0);

    app.give_feedback(&u1, p[0], "accept", "").unwrap();
    // A unit's agreement is given once: the page no longer offers it and
    // a second one is refused, writing nothing.
    assert!(!app.plan_detail(&u1, p[0]).unwrap().can_accept);
    expect_conflict(
        app.give_feedback(&u1, p[0], "accept", ""),
        "already_accepted",
    );
    assert!(app.plan_detail(&u2, p[0]).unwrap().can_accept);
    app.give_feedback(&u2, p[0], "comment", "建议调整 / please adjust")
        .unwrap();
    // Agreements sent at the same instant still count once (the plan row
    // is locked while the first is written).
    let outcomes: Vec<_> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..6)
            .map(|_| s.spawn(|| app.give_feedback(&u2, p[1], "accept", "")))
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(outcomes.iter().filter(|r| r.is_ok()).count(), 1);
    for r in outcomes.into_iter().filter(|r| r.is_err()) {
        expect_conflict(r, "already_accepted");
    }
    assert_eq!(feedback_rows(), 3);
    // The office and the reviewer see how many of the plan's units answered.
    let (answered, units) = app.plan_detail(&reviewer, p[0]).unwrap().feedback_counts;
    assert_eq!(answered, 2);
    assert!(units >= answered, "{units} units");

    // The office sees every unit's feedback; a unit only its own; a county
    // that of units paired with it in the plan.
    let fb = |a: &Actor| -> Vec<(i64, String)> {
        app.plan_detail(a, p[0])
            .unwrap()
            .feedback
            .into_iter()
            .map(|f| (f.unit_id, f.kind))
            .collect()
    };
    assert_eq!(
        fb(&office()),
        vec![(u[0], "accept".to_string()), (u[1], "comment".to_string())]
    );
    assert_eq!(fb(&u1), vec![(u[0], "accept".to_string())]);
    assert_eq!(fb(&county), vec![(u[1], "comment".to_string())]);
    let detail = app.plan_detail(&office(), p[0]).unwrap();
    assert_eq!(
        detail.feedback[1].text.as_deref(),
        Some("建议调整 / please adjust")
    );
    assert_eq!(detail.feedback[1].unit_name, "单位二");

    // Not once the plan has left consultation.
    walk(&app, p[0], &[(&office(), "submitted")]);
    expect_conflict(
        app.give_feedback(&u1, p[0], "accept", ""),
        "not_in_consultation",
    );
    assert!(!app.plan_detail(&u1, p[0]).unwrap().can_give_feedback);
    assert_eq!(feedback_rows(), 3);
}

/// The registry with ID numbers in full leaves in bulk only as a county
/// officer's export of its own county, with a reason that the audit log
/// keeps; the operator at the server (`dingdian export registry`) too.
fn a_bulk_export_in_full_is_a_county_officers_own_county_with_a_reason(db: &TestDb) {
    let app = open(db);
    let first = "62302319700101011";
    let id = format!(
        "{first}{}",
        dingdian_core::registry::check_digit(first).unwrap()
    );
    let file = format!(
        "年度,村级区划代码,户编号,证件号码,姓名,与户主关系,人均纯收入,脱贫状态,识别年度,脱贫年度,主要致贫原因\n\
         2014,623023100200,H1,{id},王建国,户主,2000,未脱贫,2014,,因病\n"
    );
    app.import_registry(
        &office(),
        "r.csv",
        file.as_bytes(),
        dingdian_app::registry::ImportOptions::default(),
        &|_, _, _| {},
    )
    .unwrap();
    let county = user(&app, "zhouqu1", "county", None, Some(ZHOUQU));
    let other = user(&app, "xingtang1", "county", None, Some("130125"));
    let office_user = user(&app, "office1", "office", None, None);
    let inspector = user(&app, "inspector1", "inspector", None, None);
    // Not the county's own: refused, whoever asks.
    expect_forbidden(app.export_registry_for(&office_user, 2014, Some(ZHOUQU), Some("核查")));
    expect_forbidden(app.export_registry_for(&office_user, 2014, None, Some("核查")));
    expect_forbidden(app.export_registry_for(&other, 2014, Some(ZHOUQU), Some("核查")));
    expect_forbidden(app.export_registry_for(&county, 2014, None, Some("核查")));
    expect_forbidden(app.export_registry_for(&inspector, 2014, Some(ZHOUQU), Some("核查")));
    // Its own county, but no reason.
    expect_invalid(
        app.export_registry_for(&county, 2014, Some(ZHOUQU), Some("  ")),
        "reason",
        "reason_required",
    );
    expect_invalid(
        app.export_registry(&county, 2014, Some(ZHOUQU)),
        "reason",
        "reason_required",
    );
    let t = app
        .export_registry_for(&county, 2014, Some(ZHOUQU), Some("年度复核"))
        .unwrap();
    assert_eq!(t.rows.len(), 1);
    assert!(t.rows[0].1.contains(&id), "in full");
    let (records, _) = app
        .store()
        .read(|c| {
            dingdian_store::audit::search(
                c,
                &dingdian_store::audit::AuditFilter {
                    q: Some("registry.export".into()),
                    ..Default::default()
                },
                Page::all(),
            )
        })
        .unwrap();
    assert!(
        records
            .iter()
            .any(|r| r.username.as_deref() == Some("zhouqu1")
                && r.detail.as_deref().is_some_and(|d| d.contains("年度复核"))),
        "audited with its reason"
    );
    // The operator at the server exports any area.
    assert_eq!(
        app.export_registry(&office(), 2014, None)
            .unwrap()
            .rows
            .len(),
        1
    );
}

/// A role that may not import is refused (403) before its file is read: a
/// file that is not even CSV gets Forbidden, not a complaint about it.
fn permission_comes_before_the_file_is_read(db: &TestDb) {
    let app = open(db);
    county_list(&app);
    let plan = app
        .create_plan(
            &office(),
            &dingdian_app::plans::PairingPlanInput {
                name: "导入方案".into(),
                kind: "overall".into(),
                county_list: LIST.into(),
                period_start: "2021-01-01".into(),
                period_end: "2025-12-31".into(),
                ..Default::default()
            },
        )
        .unwrap();
    let reviewer = user(&app, "reviewer1", "reviewer", None, None);
    let garbage: &[u8] = b"\x00\x01 not a table";
    let enc = dingdian_app::tabular::Encoding::Auto;
    expect_forbidden(app.import_pairings(&reviewer, plan, "p.txt", garbage, enc));
    expect_forbidden(app.import_units(&reviewer, "u.txt", garbage, enc));
    expect_forbidden(app.import_statistics(
        &reviewer,
        "s.txt",
        garbage,
        dingdian_app::registry::ImportOptions::default(),
    ));
    // The office, who may, hears about the file instead.
    assert!(matches!(
        app.import_pairings(&office(), plan, "p.txt", garbage, enc),
        Err(dingdian_app::AppError::Invalid(_))
    ));
}
