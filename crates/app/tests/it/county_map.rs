//! The county map (一张图): each figure's values on the demo data, the
//! nation and 甘肃省 drawn with every key county of their lists, bad input
//! refused with its code, and the scope of the assistance figures. Both
//! backends.

use crate::common::*;

use chrono::{Datelike, NaiveDate};
use dingdian_app::map::{MapQuery, MapView};
use dingdian_app::{Actor, App, AppError};
use dingdian_testkit::{TestDb, both_backends};

both_backends!(
    every_figure_has_values_for_gansu_and_every_key_county_is_drawn,
    the_nation_is_drawn_with_every_key_county_of_its_lists,
    an_unknown_figure_level_year_or_class_is_refused_with_its_code,
    assistance_figures_follow_the_scope_of_the_reader,
);

fn today() -> NaiveDate {
    dingdian_core::time::today()
}

fn map(app: &App, a: &Actor, figure: &str, level: &str, area: Option<&str>, year: i32) -> MapView {
    let q = MapQuery {
        figure: Some(figure.into()),
        level: Some(level.into()),
        area: area.map(str::to_string),
        year: Some(year),
        ..Default::default()
    };
    app.county_map_on(a, &q, today())
        .unwrap_or_else(|e| panic!("{figure}: {e:?}"))
}

fn value(m: &MapView, code: &str) -> Option<f64> {
    m.counties
        .iter()
        .find(|c| c.code == code)
        .and_then(|c| c.value)
}

/// Every member of the view's lists that has a shipped shape has its
/// linked path in the SVG (that every listed county has a shape is the
/// shapes file's own test).
fn assert_key_counties_drawn(m: &MapView) {
    let members: Vec<&String> = m.lists.iter().flat_map(|l| &l.members_in_view).collect();
    assert!(!members.is_empty(), "the view holds key counties");
    for code in members {
        assert!(
            m.svg.contains(&format!("id=\"c{code}\"")),
            "{code} is drawn"
        );
        assert!(
            m.counties.iter().any(|c| &c.code == code),
            "{code} is listed"
        );
    }
}

fn every_figure_has_values_for_gansu_and_every_key_county_is_drawn(db: &TestDb) {
    let app = open(db);
    app.load_demo().expect("demo");
    let o = office();
    let this_year = today().year();
    // (figure, a year the demo records it in)
    let years = [
        ("poverty_incidence", 2016),
        ("poor_population", 2016),
        ("rural_income", 2016),
        ("funds_received", 2016),
        ("cadres_serving", 2011),
        ("monitored_households", 2016),
        ("letter_completion", this_year),
    ];
    for (figure, year) in years {
        let m = map(&app, &o, figure, "province", Some("62"), year);
        let v = value(&m, ZHOUQU).unwrap_or_else(|| panic!("{figure} {year}: Zhouqu has a value"));
        assert!(v > 0.0, "{figure} {year}: {v}");
        let zhouqu = m.counties.iter().find(|c| c.code == ZHOUQU).unwrap();
        assert!(zhouqu.class.is_some(), "a value is classed");
        assert!(!m.no_data.iter().any(|c| c.code == ZHOUQU));
        // Every other county of Gansu without data is named and hatched.
        assert_eq!(
            m.no_data.len(),
            m.counties.iter().filter(|c| c.value.is_none()).count()
        );
        assert!(m.counties.iter().all(|c| c.code.starts_with("62")));
    }
    let m = map(&app, &o, "poverty_incidence", "province", Some("62"), 2016);
    assert_eq!(m.area_name, "甘肃省");
    let v = value(&m, ZHOUQU).unwrap();
    assert!(v > 0.0 && v < 100.0, "a percentage: {v}");
    assert!(m.svg.contains("/indicators?area=623023&amp;year=2016"));
    assert!(m.svg.contains("舟曲县"));
    assert_key_counties_drawn(&m);
    // Letter completion is a share of targets met: at most 100 %.
    let m = map(
        &app,
        &o,
        "letter_completion",
        "province",
        Some("62"),
        this_year,
    );
    assert!(value(&m, ZHOUQU).unwrap() <= 100.0);
    // A prefecture's map holds its counties only.
    let province = map(&app, &o, "poor_population", "province", Some("62"), 2016);
    let m = map(
        &app,
        &o,
        "poor_population",
        "prefecture",
        Some("6230"),
        2016,
    );
    assert!(m.counties.iter().all(|c| c.code.starts_with("6230")));
    assert!(m.counties.len() < province.counties.len());
    assert_eq!(value(&m, ZHOUQU), value(&province, ZHOUQU));
}

fn the_nation_is_drawn_with_every_key_county_of_its_lists(db: &TestDb) {
    let app = open(db);
    app.load_demo().expect("demo");
    for year in [2016, 2022] {
        let m = map(&app, &office(), "poverty_incidence", "nation", None, year);
        assert_eq!(m.area_name, "全国");
        assert_eq!(m.counties.len(), dingdian_core::map::shapes::all().len());
        // 2016: the 2012 list; 2022: the 2021 list.
        assert_key_counties_drawn(&m);
        assert!(m.svg.len() < 1_500_000, "{} bytes", m.svg.len());
        // The whole territory: Taiwan, Hong Kong, Macao as context and the
        // South China Sea islands in their inset.
        assert!(m.svg.contains("class=\"context\"") && m.svg.contains("南海诸岛"));
    }
}

fn refused(app: &App, q: MapQuery) -> String {
    match app.county_map_on(&office(), &q, today()) {
        Err(AppError::Invalid(errs)) => {
            assert!(!errs[0].msg.zh.is_empty() && !errs[0].msg.en.is_empty());
            errs[0].msg.code.clone()
        }
        other => panic!("{q:?}: {other:?}"),
    }
}

fn an_unknown_figure_level_year_or_class_is_refused_with_its_code(db: &TestDb) {
    let app = open(db);
    let q = |f: fn(&mut MapQuery)| {
        let mut q = MapQuery {
            year: Some(2016),
            ..Default::default()
        };
        f(&mut q);
        q
    };
    assert_eq!(
        refused(&app, q(|q| q.figure = Some("happiness".into()))),
        "unknown_figure"
    );
    assert_eq!(
        refused(&app, q(|q| q.level = Some("county".into()))),
        "unknown_map_level"
    );
    assert_eq!(
        refused(&app, q(|q| q.year = Some(2009))),
        "year_out_of_range"
    );
    assert_eq!(
        refused(&app, q(|q| q.year = Some(2036))),
        "year_out_of_range"
    );
    assert_eq!(refused(&app, q(|q| q.k = Some(9))), "bad_class_count");
    assert_eq!(
        refused(&app, q(|q| q.breaks = Some("10,5".into()))),
        "bad_breaks"
    );
    assert_eq!(
        refused(&app, q(|q| q.classes = Some("fixed".into()))),
        "bad_breaks"
    );
    assert_eq!(
        refused(&app, q(|q| q.classes = Some("jenks".into()))),
        "unknown_class_method"
    );
    let province = |q: &mut MapQuery| {
        q.level = Some("province".into());
        q.area = Some("6230".into());
    };
    assert_eq!(refused(&app, q(province)), "bad_map_area");
    let nation = |q: &mut MapQuery| q.area = Some("62".into());
    assert_eq!(refused(&app, q(nation)), "map_area_not_expected");
    // Fixed breaks class the values as given.
    let q = q(|q| {
        q.level = Some("province".into());
        q.area = Some("62".into());
        q.breaks = Some("5,10,20".into());
    });
    assert_eq!(
        app.county_map_on(&office(), &q, today()).unwrap().breaks,
        vec![5.0, 10.0, 20.0]
    );
}

fn assistance_figures_follow_the_scope_of_the_reader(db: &TestDb) {
    let app = open(db);
    app.load_demo().expect("demo");
    let nation = |a: &Actor, figure: &str| map(&app, a, figure, "nation", None, 2016);
    let funds = |a: &Actor| {
        let m = nation(a, "funds_received");
        m.counties
            .iter()
            .filter(|c| c.value.is_some())
            .map(|c| c.code.clone())
            .collect::<Vec<_>>()
    };
    assert!(funds(&office()).contains(&ZHOUQU.to_string()));
    // A county officer sees the funds of their county only.
    let county = actor(&app, "zhouqu");
    assert_eq!(funds(&county), vec![ZHOUQU.to_string()]);
    // A unit not paired with Zhouqu sees none of its funds.
    let other = actor(&app, "unit2");
    assert!(!funds(&other).contains(&ZHOUQU.to_string()));
    // The registry's aggregates are the dashboard's for everyone who reads it.
    let incidence = |a: &Actor| value(&nation(a, "poverty_incidence"), ZHOUQU);
    assert_eq!(incidence(&other), incidence(&office()));
    // A role that may not read indicators is refused.
    let auditor = actor(&app, "auditor");
    let q = MapQuery::default();
    assert!(matches!(
        app.county_map_on(&auditor, &q, today()),
        Err(AppError::Forbidden(_))
    ));
}
