//! The one shared write of return-risk monitoring, `store::monitoring::flag`,
//! which the monitoring pages, the registry data scan and the departmental
//! alerts all use: a case opens once per household, each risk is held once,
//! and a cleared case leaves room for a new one. Both backends.

use crate::common::*;

use chrono::NaiveDate;
use dingdian_core::monitoring::{FlagSource, MonitoredKind, Risk};
use dingdian_store::monitoring::{Flagged, NewFlag, flag};
use dingdian_testkit::{TestDb, both_backends};

both_backends!(a_household_has_one_open_case_and_each_risk_once);

fn new_flag(risk: Risk) -> NewFlag<'static> {
    NewFlag {
        household_id: "H1",
        county_code: ZHOUQU,
        year: 2016,
        kind: MonitoredKind::Unstable,
        risk,
        source: FlagSource::Cadre,
        detail: Some("住院"),
        on: NaiveDate::from_ymd_opt(2016, 5, 1).unwrap(),
        by: None,
        alert_row_id: None,
        now: 1,
    }
}

fn a_household_has_one_open_case_and_each_risk_once(db: &TestDb) {
    let app = open(db);
    let store = app.store();
    let first = store.write(|c| flag(c, &new_flag(Risk::Illness))).unwrap();
    let Flagged::Opened(case) = first else {
        panic!("the first flag opens a case: {first:?}")
    };
    assert_eq!(
        store.write(|c| flag(c, &new_flag(Risk::Disaster))).unwrap(),
        Flagged::Added(case),
        "a second risk joins the open case"
    );
    assert_eq!(
        store.write(|c| flag(c, &new_flag(Risk::Illness))).unwrap(),
        Flagged::AlreadyFlagged(case),
        "the same risk is not held twice"
    );
    let (risks, steps) = store
        .read(|c| {
            let risks = c.query_i64(
                "SELECT COUNT(*) FROM monitoring_risks WHERE monitored_id = ?",
                &[case.into()],
            )?;
            let steps = c.query_i64(
                "SELECT COUNT(*) FROM monitoring_transitions WHERE monitored_id = ?",
                &[case.into()],
            )?;
            Ok::<_, dingdian_store::StoreError>((risks, steps))
        })
        .unwrap();
    assert_eq!((risks, steps), (2, 1));

    store
        .write(|c| {
            c.execute(
                "UPDATE monitored_households SET status = 'cleared' WHERE id = ?",
                &[case.into()],
            )
        })
        .unwrap();
    let again = store.write(|c| flag(c, &new_flag(Risk::Illness))).unwrap();
    assert!(
        matches!(again, Flagged::Opened(c) if c != case),
        "after clearing, a new case opens: {again:?}"
    );
}
