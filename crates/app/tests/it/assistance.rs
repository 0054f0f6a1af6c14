//! Assistance plans and projects: the plan workflow with versions and
//! their difference, planning only for a paired county within the
//! pairing, scope, the project lifecycle (forwards only, dated, never in
//! the future), attachments checked by their content, and attachments
//! surviving a backup and restore. Every test runs on both backends.

use crate::common;

use common::*;
use dingdian_app::{Actor, App, AppError};
use dingdian_core::assistance::{AssistancePlanFilter, AssistancePlanInput, MeasureInput};
use dingdian_core::project::{OutputInput, ProjectFilter, ProjectInput, ProjectStatus};
use dingdian_testkit::{TestDb, both_backends};

both_backends!(
    a_plan_is_submitted_returned_agreed_and_revised_with_its_difference,
    a_unit_plans_only_for_a_county_it_is_paired_with_within_the_pairing,
    another_unit_or_county_sees_nothing_of_it,
    a_project_moves_forwards_only_on_real_days,
    attachments_are_judged_by_their_content,
    a_backup_keeps_the_bytes_of_an_attachment,
    the_demo_has_plans_and_projects_in_several_states,
);

const VILLAGE: &str = "623023100200";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

struct Setup {
    app: App,
    /// The unit paired with Zhouqu and its account.
    unit: Actor,
    /// A unit paired with Xingtang.
    other_unit: Actor,
    county: Actor,
    other_county: Actor,
}

/// An active pairing plan in which `units[3]` leads Zhouqu for 2021–2025.
fn setup(db: &TestDb) -> Setup {
    let app = open(db);
    county_list(&app);
    let units = units4(&app);
    let office = user(&app, "office1", "office", None, None);
    let reviewer = user(&app, "reviewer1", "reviewer", None, None);
    let id = covered_plan(&app, &office, &units, "总体方案", START, END);
    activate(&app, id, &office, &reviewer);
    Setup {
        unit: user(&app, "unit1", "unit", Some(units[3]), None),
        other_unit: user(&app, "unit2", "unit", Some(units[0]), None),
        county: user(&app, "zhouqu1", "county", None, Some(ZHOUQU)),
        other_county: user(&app, "xingtang1", "county", None, Some(XINGTANG)),
        app,
    }
}

fn plan_input(county: &str, start: &str, end: &str) -> AssistancePlanInput {
    AssistancePlanInput {
        county_code: county.into(),
        name: "舟曲县帮扶工作规划".into(),
        period_start: start.into(),
        period_end: end.into(),
        goals: "巩固脱贫成果".into(),
        villages: vec![VILLAGE.into()],
        households: Vec::new(),
        measures: vec![MeasureInput {
            category: "industry_development".into(),
            description: "花椒种植".into(),
            budget_fen: Some(10_000_000),
        }],
    }
}

fn codes(e: AppError) -> Vec<String> {
    match e {
        AppError::Invalid(f) => f.into_iter().map(|e| e.msg.code).collect(),
        other => vec![other.code().to_string()],
    }
}

/// An agreed plan of the Zhouqu unit.
fn agreed_plan(s: &Setup) -> i64 {
    let id = s
        .app
        .create_assistance_plan(&s.unit, &plan_input(ZHOUQU, START, END))
        .unwrap();
    s.app
        .transition_assistance_plan(&s.unit, id, "submitted", None)
        .unwrap();
    s.app
        .transition_assistance_plan(&s.county, id, "agreed", None)
        .unwrap();
    id
}

fn project_input(plan_id: i64) -> ProjectInput {
    ProjectInput {
        plan_id: Some(plan_id),
        name: "拉尕山乡村旅游".into(),
        category: "industry_development".into(),
        villages: vec![VILLAGE.into()],
        budget_fen: Some(5_000_000),
        start_date: "2021-03-01".into(),
        end_date: "2023-10-31".into(),
        implementer: "舟曲县文旅局".into(),
        outputs: vec![OutputInput {
            name: "景区道路".into(),
            measure: "公里".into(),
            planned: "2.5".into(),
        }],
        ..Default::default()
    }
}

fn a_plan_is_submitted_returned_agreed_and_revised_with_its_difference(db: &TestDb) {
    let s = setup(db);
    let app = &s.app;
    let id = app
        .create_assistance_plan(&s.unit, &plan_input(ZHOUQU, START, END))
        .unwrap();
    app.transition_assistance_plan(&s.unit, id, "submitted", None)
        .unwrap();
    let e = app
        .transition_assistance_plan(&s.county, id, "returned", Some(" "))
        .unwrap_err();
    assert_eq!(codes(e), vec!["reason_required"]);
    app.transition_assistance_plan(&s.county, id, "returned", Some("请补充目标村"))
        .unwrap();
    let mut changed = plan_input(ZHOUQU, START, END);
    changed.villages.push("623023100201".into());
    app.update_assistance_plan(&s.unit, id, &changed).unwrap();
    app.transition_assistance_plan(&s.unit, id, "submitted", None)
        .unwrap();
    let e = app
        .transition_assistance_plan(&s.unit, id, "agreed", None)
        .unwrap_err();
    assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
    app.transition_assistance_plan(&s.county, id, "agreed", None)
        .unwrap();
    let e = app
        .update_assistance_plan(&s.unit, id, &changed)
        .unwrap_err();
    assert_eq!(e.code(), "plan_not_editable");
    let history: Vec<(Option<String>, String, Option<String>)> = app
        .assistance_plan_detail(&s.unit, id)
        .unwrap()
        .transitions
        .into_iter()
        .map(|t| {
            (
                t.from.map(|s| s.code().into()),
                t.to.code().into(),
                t.reason,
            )
        })
        .collect();
    assert_eq!(history.len(), 5);
    assert_eq!(history[2].2.as_deref(), Some("请补充目标村"));

    // A new version, changed, agreed: the old one is superseded.
    let v2 = app.new_assistance_plan_version(&s.unit, id).unwrap();
    assert_eq!(
        app.new_assistance_plan_version(&s.unit, id)
            .unwrap_err()
            .code(),
        "version_exists"
    );
    let mut third = changed.clone();
    third.name = "舟曲县帮扶工作规划（修订）".into();
    third.measures.push(MeasureInput {
        category: "education".into(),
        description: "助学".into(),
        budget_fen: None,
    });
    app.update_assistance_plan(&s.unit, v2, &third).unwrap();
    let d = app.assistance_plan_detail(&s.county, v2).unwrap();
    let (prev, diff) = d.previous.expect("a difference from version 1");
    assert_eq!(prev.id, id);
    assert_eq!(diff.fields.len(), 1);
    assert_eq!(diff.measures_added.len(), 1);
    assert!(diff.villages_added.is_empty());
    app.transition_assistance_plan(&s.unit, v2, "submitted", None)
        .unwrap();
    app.transition_assistance_plan(&s.county, v2, "agreed", None)
        .unwrap();
    assert_eq!(
        app.get_assistance_plan(&s.unit, id).unwrap().status.code(),
        "superseded"
    );
    assert_eq!(last_audit_action(app), "assistance_plan.transition");
}

fn a_unit_plans_only_for_a_county_it_is_paired_with_within_the_pairing(db: &TestDb) {
    let s = setup(db);
    let e = s
        .app
        .create_assistance_plan(&s.unit, &plan_input(XINGTANG, START, END))
        .unwrap_err();
    assert_eq!(
        codes(e),
        vec!["not_paired", "unknown_village"],
        "Xingtang is not the unit's county, nor the village Xingtang's"
    );
    let e = s
        .app
        .create_assistance_plan(&s.unit, &plan_input(ZHOUQU, "2020-01-01", END))
        .unwrap_err();
    assert_eq!(codes(e), vec!["outside_pairing"]);
    let e = s
        .app
        .create_assistance_plan(&s.county, &plan_input(ZHOUQU, START, END))
        .unwrap_err();
    assert!(matches!(e, AppError::Forbidden(_)));
    let mut bad = plan_input(ZHOUQU, START, END);
    bad.households = vec!["no-such-household".into()];
    bad.measures[0].budget_fen = Some(-5);
    let e = s.app.create_assistance_plan(&s.unit, &bad).unwrap_err();
    assert_eq!(codes(e), vec!["unknown_household", "not_positive"]);
    assert_eq!(count(&s.app, "SELECT COUNT(*) FROM assistance_plans"), 0);
}

fn another_unit_or_county_sees_nothing_of_it(db: &TestDb) {
    let s = setup(db);
    let id = agreed_plan(&s);
    let pid = s.app.create_project(&s.unit, &project_input(id)).unwrap();
    let att = s
        .app
        .add_project_attachment(&s.unit, pid, "照片.png", None, PNG)
        .unwrap();
    for outsider in [&s.other_unit, &s.other_county] {
        let nf =
            |r: Result<(), AppError>| assert!(matches!(r, Err(AppError::NotFound(_))), "{r:?}");
        nf(s.app.get_assistance_plan(outsider, id).map(|_| ()));
        nf(s.app.assistance_plan_detail(outsider, id).map(|_| ()));
        nf(s.app.get_project(outsider, pid).map(|_| ()));
        nf(s.app.project_attachment(outsider, pid, att).map(|_| ()));
        let (items, total) = s
            .app
            .list_assistance_plans(
                outsider,
                &AssistancePlanFilter::default(),
                dingdian_app::Page::all(),
            )
            .unwrap();
        assert_eq!((items.len(), total), (0, 0));
        let f = ProjectFilter {
            county_code: Some(ZHOUQU.into()),
            ..Default::default()
        };
        assert_eq!(
            s.app
                .list_projects(outsider, &f, dingdian_app::Page::all())
                .unwrap()
                .1,
            0
        );
    }
    // The other unit cannot put a project under the plan either: 404.
    let e = s
        .app
        .create_project(&s.other_unit, &project_input(id))
        .unwrap_err();
    assert!(matches!(e, AppError::NotFound(_)), "{e:?}");
    assert_eq!(
        s.app
            .list_projects(
                &s.county,
                &ProjectFilter::default(),
                dingdian_app::Page::all()
            )
            .unwrap()
            .1,
        1
    );
}

fn a_project_moves_forwards_only_on_real_days(db: &TestDb) {
    let s = setup(db);
    let app = &s.app;
    let id = agreed_plan(&s);
    let pid = app.create_project(&s.unit, &project_input(id)).unwrap();
    let tomorrow = (dingdian_core::time::today() + chrono::Days::new(1)).to_string();
    let step = |who: &Actor, to: &str, on: &str| app.transition_project(who, pid, to, on, None);
    assert_eq!(
        codes(step(&s.county, "approved", &tomorrow).unwrap_err()),
        vec!["future_date"]
    );
    assert_eq!(
        codes(step(&s.county, "approved", "2020-12-31").unwrap_err()),
        vec!["too_early"]
    );
    assert!(matches!(
        step(&s.unit, "approved", "2021-03-01"),
        Err(AppError::Forbidden(_))
    ));
    step(&s.county, "approved", "2021-03-10").unwrap();
    assert_eq!(
        codes(step(&s.unit, "in_progress", "2021-03-09").unwrap_err()),
        vec!["too_early"]
    );
    step(&s.unit, "in_progress", "2021-04-01").unwrap();
    let e = step(&s.county, "approved", "2021-05-01").unwrap_err();
    assert_eq!(e.code(), "illegal_transition");
    assert_eq!(last_audit_action(app), "project.transition");
    assert_eq!(
        count(
            app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'project.transition' AND outcome = 'refused'"
        ),
        2,
        "the forbidden and the backward step are audited as refused"
    );
    let e = app
        .update_project(&s.unit, pid, &project_input(id))
        .unwrap_err();
    assert_eq!(e.code(), "project_state");
    app.add_project_progress(&s.unit, pid, "2021-05-01", "路基完成")
        .unwrap();
    assert_eq!(
        codes(
            app.add_project_progress(&s.unit, pid, &tomorrow, " ")
                .unwrap_err()
        ),
        vec!["future_date", "required"]
    );
    let d = app.project_detail(&s.unit, pid).unwrap();
    app.set_output_achieved(&s.unit, pid, d.outputs[0].id, "2.5")
        .unwrap();
    assert_eq!(
        codes(
            app.set_output_achieved(&s.unit, pid, d.outputs[0].id, "-1")
                .unwrap_err()
        ),
        vec!["bad_quantity"]
    );
    let e = app
        .transition_project(&s.unit, pid, "cancelled", "2021-06-01", None)
        .unwrap_err();
    assert_eq!(codes(e), vec!["reason_required"]);
    step(&s.unit, "completed", "2023-10-20").unwrap();
    step(&s.county, "accepted", "2023-12-01").unwrap();
    let d = app.project_detail(&s.county, pid).unwrap();
    assert_eq!(d.project.status, ProjectStatus::Accepted);
    assert_eq!(d.outputs[0].achieved_milli, 2500);
    assert!(d.next.is_empty(), "an accepted project has no buttons");
    let days: Vec<String> = d
        .transitions
        .iter()
        .skip(1)
        .map(|t| t.on_date.unwrap().to_string())
        .collect();
    assert_eq!(
        days,
        vec!["2021-03-10", "2021-04-01", "2023-10-20", "2023-12-01"]
    );
    assert!(d.transitions.iter().skip(1).all(|t| !t.username.is_empty()));
}

fn attachments_are_judged_by_their_content(db: &TestDb) {
    let s = setup(db);
    let app = &s.app;
    let id = agreed_plan(&s);
    let pid = app.create_project(&s.unit, &project_input(id)).unwrap();
    let exe = b"MZ\x90\0\x03\0\0\0 This program cannot be run in DOS mode";
    let e = app
        .add_project_attachment(&s.unit, pid, "photo.jpg", None, exe)
        .unwrap_err();
    assert_eq!(codes(e), vec!["executable_file"]);
    assert_eq!(
        count(
            app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'project.attachment' AND outcome = 'refused'"
        ),
        1
    );
    let mut big = b"\xFF\xD8\xFF\xE0".to_vec();
    big.resize(dingdian_core::attachment::MAX_ATTACHMENT_BYTES + 1, 0);
    let e = app
        .add_project_attachment(&s.unit, pid, "big.jpg", None, &big)
        .unwrap_err();
    assert_eq!(codes(e), vec!["file_too_large"]);
    assert_eq!(count(app, "SELECT COUNT(*) FROM attachments"), 0);
    let a = app
        .add_project_attachment(&s.unit, pid, "../../etc/现场.png", Some("开工"), PNG)
        .unwrap();
    let again = app
        .add_project_attachment(&s.unit, pid, "copy.png", None, PNG)
        .unwrap();
    assert_ne!(a, again);
    assert_eq!(
        count(app, "SELECT COUNT(*) FROM attachments"),
        1,
        "stored once by content"
    );
    let (meta, bytes) = app.project_attachment(&s.county, pid, a).unwrap();
    assert_eq!(bytes, PNG);
    assert_eq!(meta.media_type, "image/png");
    assert_eq!(meta.file_name, "现场.png");
    assert!(matches!(
        app.add_project_attachment(&s.county, pid, "x.png", None, PNG),
        Err(AppError::Forbidden(_))
    ));
}

fn a_backup_keeps_the_bytes_of_an_attachment(db: &TestDb) {
    let s = setup(db);
    let id = agreed_plan(&s);
    let pid = s.app.create_project(&s.unit, &project_input(id)).unwrap();
    let pdf = b"%PDF-1.4\n% scanned acceptance report\n".to_vec();
    let a = s
        .app
        .add_project_attachment(&s.unit, pid, "验收报告.pdf", None, &pdf)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.dingdian-backup");
    s.app.database().backup(&file, &mut |_, _, _| {}).unwrap();
    let target = TestDb::sqlite();
    dingdian_app::backup::restore(&target.url, &file, false, &mut |_, _, _| {}).unwrap();
    let restored = open(&target);
    let unit = actor(&restored, "unit1");
    let (meta, bytes) = restored.project_attachment(&unit, pid, a).unwrap();
    assert_eq!(bytes, pdf);
    assert_eq!(meta.media_type, "application/pdf");
    assert_eq!(meta.sha256, dingdian_core::attachment::sha256_hex(&pdf));
}

fn the_demo_has_plans_and_projects_in_several_states(db: &TestDb) {
    let app = open(db);
    app.load_demo().unwrap();
    let county = actor(&app, "zhouqu");
    let all = dingdian_app::Page::all();
    let (plans, _) = app
        .list_assistance_plans(&county, &AssistancePlanFilter::default(), all)
        .unwrap();
    let submitted = plans
        .iter()
        .filter(|p| p.status.code() == "submitted")
        .count();
    assert_eq!(submitted, 1, "one plan awaits the county");
    assert!(
        plans
            .iter()
            .all(|p| p.unit_name == dingdian_app::demo::SEED_UNIT)
    );
    let count_in = |s: ProjectStatus| {
        let f = ProjectFilter {
            status: Some(s),
            ..Default::default()
        };
        app.list_projects(&county, &f, all).unwrap().1
    };
    assert!(count_in(ProjectStatus::Accepted) >= 2);
    assert!(count_in(ProjectStatus::InProgress) >= 1);
    let (projects, _) = app
        .list_projects(&county, &ProjectFilter::default(), all)
        .unwrap();
    let zone = projects
        .iter()
        .find(|p| p.category.code() == "relocation")
        .expect("the relocation zone");
    let d = app.project_detail(&county, zone.id).unwrap();
    assert_eq!(
        (d.outputs[0].measure.as_str(), d.outputs[0].planned_milli),
        ("公顷", 100_000)
    );
}
