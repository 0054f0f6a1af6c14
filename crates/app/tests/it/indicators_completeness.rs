//! Issue 9 on both backends: a year's completeness against the year before,
//! the import's warning when a county's new year is much smaller than its
//! last, the strict rule for the rural population above the county (every
//! county of the division table), and the key-county list against the one
//! shipped.

use crate::common;

use common::*;
use dingdian_app::App;
use dingdian_app::indicators::{IndicatorQuery, IndicatorRow};
use dingdian_app::registry::{ImportOptions, ImportReport};
use dingdian_core::area::Level;
use dingdian_core::indicators::{CompletenessState, Shortfall};
use dingdian_core::registry::check_digit;
use dingdian_testkit::{TestDb, both_backends};

both_backends!(
    a_year_far_smaller_than_the_last_is_incomplete_and_the_import_warns,
    rural_population_above_the_county_needs_every_county_of_the_division,
    the_key_county_list_is_counted_as_shipped_and_names_what_was_added,
    every_year_of_the_demo_is_complete,
);

const HEADER: &str = "年度,村级区划代码,户编号,证件号码,姓名,与户主关系,人均纯收入,脱贫状态,识别年度,脱贫年度,主要致贫原因\n";
const VILLAGES: [&str; 4] = [
    "623023100200",
    "623023100201",
    "623023100202",
    "623023101200",
];

fn id(seq: u32) -> String {
    let first = format!("{ZHOUQU}19800101{seq:03}");
    format!("{first}{}", check_digit(&first).unwrap())
}

/// `households` one-person poor households of Zhouqu in `year`, spread
/// over the first `villages` villages (two townships when 4).
fn registry(year: i32, households: u32, villages: usize) -> String {
    let mut s = String::from(HEADER);
    for h in 0..households {
        let v = VILLAGES[h as usize % villages];
        s += &format!(
            "{year},{v},H{h:03},{},王{h},户主,2000,未脱贫,2014,,因病\n",
            id(h + 1)
        );
    }
    s
}

fn import(app: &App, text: &str, dry_run: bool) -> ImportReport {
    let opts = ImportOptions {
        dry_run,
        ..Default::default()
    };
    app.import_registry(&office(), "r.csv", text.as_bytes(), opts, &|_, _, _| {})
        .unwrap()
}

fn statistics(app: &App, csv: &str) {
    app.import_statistics(&office(), "s.csv", csv.as_bytes(), ImportOptions::default())
        .unwrap();
}

fn rows(app: &App, area: Option<&str>, level: Level, year: Option<i32>) -> Vec<IndicatorRow> {
    app.indicators(
        &office(),
        &IndicatorQuery {
            area: area.map(str::to_string),
            year,
            level: Some(level),
            ..Default::default()
        },
    )
    .unwrap()
}

fn a_year_far_smaller_than_the_last_is_incomplete_and_the_import_warns(db: &TestDb) {
    let app = open(db);
    // 2014: 40 people in 4 villages of 2 townships; nothing to compare with.
    let first = import(&app, &registry(2014, 40, 4), false);
    assert!(
        first.smaller_than_before.is_empty(),
        "a first year warns of nothing"
    );
    // 2015: 3 people in one village. A dry run already warns, as the import does.
    let small = registry(2015, 3, 1);
    for dry_run in [true, false] {
        let r = import(&app, &small, dry_run);
        assert_eq!(r.smaller_than_before.len(), 1, "dry run {dry_run}");
        let w = &r.smaller_than_before[0];
        assert_eq!(
            (w.county_code.as_str(), w.county_name.as_str(), w.year),
            (ZHOUQU, "舟曲县", 2015)
        );
        assert_eq!(
            (w.members, w.previous_year, w.previous_members),
            (3, 2014, 40)
        );
        let json = r.json("zh");
        assert_eq!(json["smaller_than_before"][0]["previous_members"], 40);
    }
    // Statistics that make 2015's incidence look tiny: 3 / 1000 = 0.3 %.
    statistics(
        &app,
        "year,area_code,rural_population,rural_income_per_capita\n2014,623023,1000,4000\n2015,623023,1000,4200\n",
    );
    let county = rows(&app, Some(ZHOUQU), Level::County, None);
    let y = |year: i32| county.iter().find(|r| r.year == year).unwrap();
    assert_eq!(y(2014).completeness.state, CompletenessState::Complete);
    let c = &y(2015).completeness;
    assert_eq!(c.state, CompletenessState::Incomplete);
    // 1 township of 2 is half, not less than half: not a reason.
    assert_eq!(
        c.reasons,
        vec![Shortfall::RegisteredPopulation, Shortfall::Villages]
    );
    assert_eq!(
        (c.registered_population, c.villages, c.townships),
        (3, 1, 1)
    );
    assert_eq!(
        (
            c.compared_year,
            c.compared_registered_population,
            c.compared_villages,
            c.compared_townships
        ),
        (Some(2014), Some(40), Some(4), Some(2))
    );
    // The indicators keep their meaning: the verdict is computed (0.3 % <
    // 3 %), and the completeness says not to trust it.
    assert_eq!(y(2015).indicators.exit_eligible, Some(true));
    // The nation, too, sees the shrunken year; a slice does not change it.
    let nation = rows(&app, None, Level::Nation, Some(2015));
    assert_eq!(nation[0].completeness.state, CompletenessState::Incomplete);
    let sliced = app
        .indicators(
            &office(),
            &IndicatorQuery {
                area: Some(ZHOUQU.into()),
                year: Some(2014),
                level: Some(Level::County),
                slice: dingdian_store::analytics::Slice {
                    cause: Some(dingdian_core::registry::Cause::Disaster.code()),
                    ..Default::default()
                },
            },
        )
        .unwrap();
    assert_eq!(sliced.len(), 1, "the year has statistics, so a row");
    assert_eq!(
        sliced[0].indicators.registered_population, 0,
        "nobody of the slice"
    );
    assert_eq!(
        sliced[0].completeness.registered_population, 40,
        "whatever the slice"
    );
    // Completing the year (40 people again) makes it complete, and the
    // import no longer warns.
    let full = import(&app, &registry(2015, 40, 4), false);
    assert!(full.smaller_than_before.is_empty());
    let county = rows(&app, Some(ZHOUQU), Level::County, Some(2015));
    assert_eq!(county[0].completeness.state, CompletenessState::Complete);
}

/// Counties of an area in the division table, counted in SQL.
fn division_counties(app: &App, prefix: &str) -> i64 {
    count(
        app,
        &format!("SELECT COUNT(*) FROM areas WHERE level = 'county' AND code LIKE '{prefix}%'"),
    )
}

fn rural_population_above_the_county_needs_every_county_of_the_division(db: &TestDb) {
    let app = open(db);
    import(&app, &registry(2014, 30, 4), false);
    // Zhouqu alone has statistics: its prefecture (甘南, 8 counties), its
    // province and the nation have no rural population and no incidence.
    statistics(
        &app,
        "year,area_code,rural_population,rural_income_per_capita\n2014,623023,600,4000\n",
    );
    for (area, level) in [
        (Some("6230"), Level::Prefecture),
        (Some("62"), Level::Province),
        (None, Level::Nation),
    ] {
        let r = &rows(&app, area, level, Some(2014))[0];
        assert_eq!(r.indicators.rural_population, None, "{area:?}");
        assert_eq!(r.indicators.poverty_incidence, None, "{area:?}");
        let all = division_counties(&app, area.unwrap_or(""));
        assert!(all > 1);
        assert_eq!(r.completeness.counties as i64, all, "{area:?}");
        assert_eq!(
            r.completeness.counties_missing_rural_population as i64,
            all - 1,
            "{area:?}"
        );
    }
    // The county itself has its own.
    let z = &rows(&app, Some(ZHOUQU), Level::County, Some(2014))[0];
    assert_eq!(z.indicators.rural_population, Some(600));
    assert_eq!(z.completeness.counties_missing_rural_population, 0);
    // Every county of 甘南 gets statistics: the prefecture sums them all.
    let codes: Vec<String> = app
        .store()
        .read(|c| dingdian_store::areas::county_codes(c))
        .unwrap()
        .into_iter()
        .filter(|c| c.starts_with("6230"))
        .collect();
    assert_eq!(codes.len() as i64, division_counties(&app, "6230"));
    let mut csv = String::from("year,area_code,rural_population,rural_income_per_capita\n");
    let mut total = 0;
    for (k, code) in codes.iter().enumerate() {
        let pop = 1000 + 100 * k as i64;
        total += pop;
        csv += &format!("2014,{code},{pop},4000\n");
    }
    statistics(&app, &csv);
    let p = &rows(&app, Some("6230"), Level::Prefecture, Some(2014))[0];
    assert_eq!(p.indicators.rural_population, Some(total));
    // 30 poor people over the whole prefecture's rural population.
    let expected = 100.0 * 30.0 / total as f64;
    assert!((p.indicators.poverty_incidence.unwrap() - expected).abs() < 1e-9);
    assert_eq!(p.completeness.counties_missing_rural_population, 0);
    // Gansu still lacks most of its counties.
    let g = &rows(&app, Some("62"), Level::Province, Some(2014))[0];
    assert_eq!(g.indicators.rural_population, None);
    assert_eq!(
        g.completeness.counties_missing_rural_population as i64,
        division_counties(&app, "62") - codes.len() as i64
    );
}

fn the_key_county_list_is_counted_as_shipped_and_names_what_was_added(db: &TestDb) {
    let app = open(db);
    // Independently: the shipped file's rows and provinces.
    let shipped = include_str!("../../../../data/key-counties-2012.csv");
    let codes: Vec<&str> = shipped
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').next().unwrap())
        .collect();
    let provinces: std::collections::BTreeSet<&str> = codes.iter().map(|c| &c[..2]).collect();
    let o = app.key_list_origin(&office()).unwrap();
    assert_eq!(
        (o.shipped_counties, o.shipped_provinces),
        (codes.len(), provinces.len())
    );
    assert_eq!((o.counties, o.provinces), (codes.len(), provinces.len()));
    assert!(o.added.is_empty() && o.removed.is_empty());
    // As the demo does: Zhouqu (Gansu, not in the shipped list) becomes a key county.
    let mut z = app.get_area(&office(), ZHOUQU).unwrap().attributes.unwrap();
    z.key_county = true;
    app.update_county(&office(), ZHOUQU, &z).unwrap();
    let o = app.key_list_origin(&office()).unwrap();
    assert_eq!(
        (o.counties, o.provinces),
        (codes.len() + 1, provinces.len() + 1)
    );
    assert_eq!(o.added, vec![(ZHOUQU.to_string(), "舟曲县".to_string())]);
    // A shipped county taken off the list is named as removed.
    let first = codes[0];
    let mut a = app.get_area(&office(), first).unwrap().attributes.unwrap();
    a.key_county = false;
    app.update_county(&office(), first, &a).unwrap();
    let o = app.key_list_origin(&office()).unwrap();
    assert_eq!(o.counties, codes.len());
    assert_eq!(o.removed.len(), 1);
    assert_eq!(o.removed[0].0, first);
}

fn every_year_of_the_demo_is_complete(db: &TestDb) {
    let app = open(db);
    app.load_demo().unwrap();
    // The dashboard opens on the latest year of the demo, at every level.
    for (area, level) in [
        (None, Level::Nation),
        (None, Level::Province),
        (Some(ZHOUQU), Level::County),
        (Some(ZHOUQU), Level::Township),
    ] {
        for r in rows(&app, area, level, None) {
            assert!(
                r.completeness.is_complete(),
                "{:?} {} {}: {:?}",
                r.area_code,
                r.area_name,
                r.year,
                r.completeness
            );
        }
    }
}
