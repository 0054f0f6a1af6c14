//! What each role and scope reaches through the API, on the demo data, on
//! SQLite and on PostgreSQL: a unit sees only plans holding its pairings
//! and only itself, a county only its county's pairings, a seconded cadre
//! only its unit in its county; the administrator duties do not reach the
//! business data.

use crate::common;

use common::*;
use dingdian_app::demo::{DEMO_PASSWORD, SEED_UNIT, ZHOUQU};
use dingdian_testkit::{TestDb, both_backends};
use serde_json::{Value, json};
use std::collections::BTreeSet;

both_backends!(scopes_on_the_demo_data);

/// Every item of a list, whatever its length (walks the pages).
fn all_items(web: &Web, path: &str, token: &str) -> Vec<Value> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut out = Vec::new();
    for page in 1.. {
        let r = web.get(&format!("{path}{sep}per_page=500&page={page}"), token);
        r.expect(200);
        let j = r.json();
        let items = j["items"].as_array().expect("items").clone();
        let total = j["total"].as_u64().expect("total") as usize;
        let done = items.is_empty();
        out.extend(items);
        if done || out.len() >= total {
            assert_eq!(out.len(), total, "{path}: the pages add up to the total");
            break;
        }
    }
    out
}

fn ids(items: &[Value]) -> BTreeSet<i64> {
    items
        .iter()
        .map(|i| i["id"].as_i64().expect("id"))
        .collect()
}

fn unit_id(web: &Web, token: &str, name: &str) -> i64 {
    let r = web.get(&format!("/units?q={}", urlencoding::encode(name)), token);
    r.expect(200);
    r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == name)
        .unwrap_or_else(|| panic!("unit {name} listed"))["id"]
        .as_i64()
        .unwrap()
}

fn scopes_on_the_demo_data(db: &TestDb) {
    // Demo accounts sign in only when the server runs with --demo.
    let web = Web::with_app(
        db,
        dingdian_app::App::open(&db.url)
            .unwrap()
            .with_demo_mode(true),
    );
    assert!(web.app.load_demo().expect("load demo"));
    let token = |u: &str| web.direct_token(u, DEMO_PASSWORD);
    let office = token("office");
    let zzb = token("zzb");
    let zhouqu = token("zhouqu");
    let cadre = token("cadre");
    let auditor = token("auditor");
    let admin = token("admin");

    let seed = unit_id(&web, &office, SEED_UNIT);
    let tsinghua = unit_id(&web, &office, "清华大学");
    let all_plans = all_items(&web, "/plans", &office);
    assert!(all_plans.len() >= 6, "demo plans: {}", all_plans.len());

    // A plan the office makes now, holding only another unit's pairing.
    let r = web.post(
        "/plans",
        &office,
        json!({ "name": "范围测试方案", "kind": "overall", "period_start": "2026-01-01", "period_end": "2030-12-31" }),
    );
    r.expect(201);
    let foreign = r.json()["id"].as_i64().unwrap();
    web.post(
        &format!("/plans/{foreign}/pairings"),
        &office,
        json!({ "unit_id": tsinghua, "county_code": ZHOUQU, "role": "lead" }),
    )
    .expect(201);

    // ---- the unit user (zzb) ----
    let seen = all_items(&web, "/plans", &zzb);
    assert!(!seen.is_empty(), "zzb sees its plans");
    let holding: BTreeSet<i64> = all_items(&web, &format!("/pairings?unit={seed}"), &office)
        .iter()
        .map(|p| p["plan_id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        ids(&seen),
        holding,
        "zzb sees exactly the plans holding its pairings"
    );
    let hidden: Vec<i64> = ids(&all_plans)
        .into_iter()
        .chain([foreign])
        .filter(|id| !holding.contains(id))
        .collect();
    assert!(hidden.contains(&foreign));
    assert!(
        hidden.len() >= 2,
        "the university plan is hidden too: {hidden:?}"
    );
    for id in &hidden {
        for path in [
            format!("/plans/{id}"),
            format!("/plans/{id}/coverage"),
            format!("/plans/{id}/pairings"),
        ] {
            let r = web.get(&path, &zzb);
            r.expect(404);
            assert_eq!(r.code(), "not_found", "{path}");
        }
        // Transitions do not reveal it either: a unit takes no step of the
        // workflow, so it is refused by role before the plan is looked up.
        let r = web.post(
            &format!("/plans/{id}/transition"),
            &zzb,
            json!({ "to": "submitted" }),
        );
        r.expect(403);
    }
    // Within a visible plan, only its own pairings.
    for p in &seen {
        let id = p["id"].as_i64().unwrap();
        let r = web.get(&format!("/plans/{id}"), &zzb);
        r.expect(200);
        let prs = all_items(&web, &format!("/pairings?plan={id}"), &zzb);
        assert!(!prs.is_empty());
        assert!(prs.iter().all(|p| p["unit_id"] == seed), "plan {id}");
    }
    let mine = all_items(&web, "/pairings", &zzb);
    assert!(!mine.is_empty());
    assert!(mine.iter().all(|p| p["unit_id"] == seed));
    // Units: only itself.
    let units = all_items(&web, "/units", &zzb);
    assert_eq!(ids(&units), BTreeSet::from([seed]));
    web.get(&format!("/units/{seed}"), &zzb).expect(200);
    let r = web.get(&format!("/units/{tsinghua}"), &zzb);
    r.expect(404);
    assert_eq!(r.code(), "not_found");
    // It edits itself, not others.
    let own = json!({
        "name": SEED_UNIT, "kind": "central_organ", "department": "组织二局",
        "contact_name": "新联络员", "contact_phone": "010-6830 1234"
    });
    let r = web.api("put", &format!("/units/{seed}"), Some(&zzb), Some(own));
    r.expect(200);
    assert_eq!(r.json()["contact_name"], "新联络员");
    assert_eq!(
        web.get(&format!("/units/{seed}"), &office).json()["contact_name"],
        "新联络员"
    );
    let other = json!({ "name": "清华大学", "kind": "university", "contact_name": "冒名" });
    let r = web.api(
        "put",
        &format!("/units/{tsinghua}"),
        Some(&zzb),
        Some(other),
    );
    r.expect(404);
    assert_eq!(r.code(), "not_found");
    assert!(web.get(&format!("/units/{tsinghua}"), &office).json()["contact_name"].is_null());
    // It drafts no plans and creates no units.
    let r = web.post(
        "/plans",
        &zzb,
        json!({ "name": "越权方案", "period_start": "2026-01-01", "period_end": "2030-12-31" }),
    );
    r.expect(403);
    assert_eq!(r.code(), "forbidden");
    web.post(
        "/units",
        &zzb,
        json!({ "name": "越权单位", "kind": "university" }),
    )
    .expect(403);
    assert_eq!(
        all_items(&web, "/plans", &office).len(),
        all_plans.len() + 1
    );

    // ---- the county user (zhouqu) ----
    let prs = all_items(&web, "/pairings", &zhouqu);
    assert!(!prs.is_empty(), "Zhouqu has pairings");
    assert!(
        prs.iter().all(|p| p["county_code"] == ZHOUQU),
        "only Zhouqu's pairings"
    );
    let units_of_zhouqu: BTreeSet<i64> =
        prs.iter().map(|p| p["unit_id"].as_i64().unwrap()).collect();
    assert!(units_of_zhouqu.contains(&seed) && units_of_zhouqu.contains(&tsinghua));
    assert_eq!(
        prs.len(),
        all_items(&web, &format!("/pairings?county={ZHOUQU}"), &office).len(),
        "all of Zhouqu's pairings"
    );
    assert!(all_items(&web, "/pairings?county=130125", &zhouqu).is_empty());
    let plans_of_zhouqu = all_items(&web, "/plans", &zhouqu);
    assert!(ids(&plans_of_zhouqu).contains(&foreign));
    for p in &plans_of_zhouqu {
        let id = p["id"].as_i64().unwrap();
        assert!(
            all_items(&web, &format!("/plans/{id}/pairings"), &zhouqu)
                .iter()
                .all(|p| p["county_code"] == ZHOUQU)
        );
    }
    web.post(
        &format!("/plans/{foreign}/transition"),
        &zhouqu,
        json!({ "to": "consultation" }),
    )
    .expect(403);

    // ---- the seconded cadre: its unit in its county ----
    let prs = all_items(&web, "/pairings", &cadre);
    assert!(!prs.is_empty());
    assert!(
        prs.iter()
            .all(|p| p["unit_id"] == seed && p["county_code"] == ZHOUQU),
        "only the seed unit in Zhouqu"
    );
    assert!(all_items(&web, &format!("/pairings?unit={tsinghua}"), &cadre).is_empty());
    web.get(&format!("/plans/{foreign}"), &cadre).expect(404);
    web.get(&format!("/units/{tsinghua}"), &cadre).expect(404);
    assert_eq!(
        ids(&all_items(&web, "/units", &cadre)),
        BTreeSet::from([seed])
    );

    // ---- the administrator duties ----
    for path in [
        "/units",
        "/plans",
        "/areas",
        "/pairings",
        &format!("/units/{seed}"),
    ] {
        let r = web.get(path, &auditor);
        r.expect(403);
        assert_eq!(r.code(), "forbidden", "auditor {path}");
    }
    for path in [
        "/plans".to_string(),
        "/pairings".to_string(),
        format!("/plans/{foreign}"),
        format!("/plans/{foreign}/coverage"),
    ] {
        let r = web.get(&path, &admin);
        r.expect(403);
        assert_eq!(r.code(), "forbidden", "admin {path}");
    }
    let r = web.post("/plans", &admin, json!({ "name": "x" }));
    r.expect(403);
}
