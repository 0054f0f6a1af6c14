//! The registry rules, checked row by row and household by household.

use super::*;
use crate::Fen;
use chrono::NaiveDate;

/// Builds a valid 18-digit number from its first 17 digits.
fn id(first17: &str) -> String {
    format!("{first17}{}", check_digit(first17).unwrap())
}

// ---- GB 11643 --------------------------------------------------------

#[test]
fn check_digit_of_the_textbook_example_is_x() {
    // 11010519491231002X, by hand:
    // digits  1 1  0 1 0 5 1 9 4 9 1 2  3 1 0 0 2
    // weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
    // products 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167
    // 167 mod 11 = 2 → check table [1,0,X,9,8,7,6,5,4,3,2][2] = X
    assert_eq!(check_digit("11010519491231002"), Some('X'));
    let n = IdNumber::parse("11010519491231002X").unwrap();
    assert_eq!(n.as_str(), "11010519491231002X");
    assert_eq!(n.region(), "110105");
    assert_eq!(
        n.birth_date(),
        NaiveDate::from_ymd_opt(1949, 12, 31).unwrap()
    );
    assert!(!n.is_male(), "17th digit 2 is even: female");
}

#[test]
fn check_digit_of_a_second_hand_computed_number() {
    // 44052418800101001?, by hand:
    // digits   4  4  0 5  2  4 1 8  8 0 0 1  0 1 0 0 1
    // weights  7  9 10 5  8  4 2 1  6 3 7 9 10 5 8 4 2
    // products 28+36+0+25+16+16+2+8+48+0+0+9+0+5+0+0+2 = 195
    // 195 mod 11 = 8 → table[8] = 4
    assert_eq!(check_digit("44052418800101001"), Some('4'));
    // Its birth year 1880 is before 1900: refused although the check digit is right.
    assert_eq!(
        IdNumber::parse("440524188001010014").unwrap_err().code,
        "id_birth_date"
    );
}

#[test]
fn check_digit_refuses_anything_but_17_digits() {
    assert_eq!(check_digit("1101051949123100"), None);
    assert_eq!(check_digit("110105194912310021"), None);
    assert_eq!(check_digit("1101051949123100a"), None);
}

#[test]
fn lower_case_x_is_accepted_and_normalised() {
    let n = IdNumber::parse("11010519491231002x").unwrap();
    assert_eq!(n.as_str(), "11010519491231002X");
}

#[test]
fn wrong_check_digit_is_refused() {
    assert_eq!(
        IdNumber::parse("110105194912310021").unwrap_err().code,
        "id_check_digit"
    );
    // A single changed digit elsewhere is caught by the check digit too.
    assert_eq!(
        IdNumber::parse("11010519491231003X").unwrap_err().code,
        "id_check_digit"
    );
}

#[test]
fn wrong_length_is_refused() {
    assert_eq!(
        IdNumber::parse("11010519491231002").unwrap_err().code,
        "id_length"
    );
    assert_eq!(
        IdNumber::parse("11010519491231002X1").unwrap_err().code,
        "id_length"
    );
    assert_eq!(IdNumber::parse("").unwrap_err().code, "id_length");
}

#[test]
fn letters_are_refused() {
    assert_eq!(
        IdNumber::parse("1101051949123100AX").unwrap_err().code,
        "id_chars"
    );
    assert_eq!(
        IdNumber::parse("11010519491231002Y").unwrap_err().code,
        "id_chars"
    );
    // 18 characters but one is not ASCII.
    assert_eq!(
        IdNumber::parse("11010519491231002十").unwrap_err().code,
        "id_chars"
    );
}

#[test]
fn a_birth_date_after_today_is_refused() {
    let first = "62302320300101001";
    let future = format!("{first}{}", check_digit(first).unwrap());
    let raw = RawRow {
        year: "2014",
        village_code: "623023100200",
        household_id: "H1",
        id_number: &future,
        name: "甲",
        relation: "户主",
        income_per_capita: "100",
        status: "未脱贫",
        identified_year: "2014",
        exit_year: "",
        cause: "因病",
        ext: Default::default(),
    };
    let known = |c: &str| c == "623023";
    let today = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
    let e = validate_row_on(&raw, &known, false, today).unwrap_err();
    assert_eq!(e[0].msg.code, "id_birth_future");
    assert!(!e[0].value.contains("0101001"), "the number is masked");
    let after = NaiveDate::from_ymd_opt(2030, 1, 1).unwrap();
    assert!(validate_row_on(&raw, &known, false, after).is_ok());
}

#[test]
fn impossible_birth_date_is_refused() {
    let bad = id("62302319500230123"); // 30 February 1950
    let m = IdNumber::parse(&bad).unwrap_err();
    assert_eq!(m.code, "id_birth_date");
    assert!(m.zh.contains("出生日期") && m.en.contains("birth date"));
    // 29 February exists in 2000 but not in 1900.
    assert!(IdNumber::parse(&id("62302320000229123")).is_ok());
    assert_eq!(
        IdNumber::parse(&id("62302319000229123")).unwrap_err().code,
        "id_birth_date"
    );
    assert_eq!(
        IdNumber::parse(&id("62302319801301123")).unwrap_err().code,
        "id_birth_date"
    );
}

#[test]
fn mask_keeps_first_six_and_last_four() {
    let n = IdNumber::parse(&id("62302319800101123")).unwrap();
    let m = n.masked();
    assert_eq!(m.len(), 18);
    assert_eq!(&m[..6], "623023");
    assert_eq!(&m[6..14], "********");
    assert_eq!(&m[14..], &n.as_str()[14..]);
    assert_eq!(
        IdNumber::parse("11010519491231002X").unwrap().masked(),
        "110105********002X"
    );
    // Debug does not leak the full number.
    assert_eq!(format!("{n:?}"), format!("IdNumber({m})"));
}

#[test]
fn sex_from_the_seventeenth_digit() {
    assert!(IdNumber::parse(&id("62302319800101123")).unwrap().is_male());
    assert!(!IdNumber::parse(&id("62302319800101124")).unwrap().is_male());
}

// ---- enumerations ----------------------------------------------------

#[test]
fn enums_parse_both_languages_and_round_trip_their_codes() {
    for r in ALL_RELATIONS {
        assert_eq!(Relation::parse(r.zh()), Some(r));
        assert_eq!(Relation::parse(&r.as_str().to_uppercase()), Some(r));
        assert_eq!(Relation::from_code(r.code()), Some(r));
    }
    for s in ALL_STATUSES {
        assert_eq!(PovertyStatus::parse(s.zh()), Some(s));
        assert_eq!(PovertyStatus::parse(&s.as_str().to_uppercase()), Some(s));
        assert_eq!(PovertyStatus::from_code(s.code()), Some(s));
    }
    for c in ALL_CAUSES {
        assert_eq!(Cause::parse(c.zh()), Some(c));
        assert_eq!(Cause::parse(&c.as_str().to_uppercase()), Some(c));
        assert_eq!(Cause::from_code(c.code()), Some(c));
    }
    assert_eq!(Cause::parse("Labor"), Some(Cause::Labour));
    assert_eq!(Cause::parse("own drive"), Some(Cause::OwnDrive));
    assert_eq!(Cause::parse("Own_Drive"), Some(Cause::OwnDrive));
    assert_eq!(Relation::parse("Head"), Some(Relation::Head));
    assert_eq!(PovertyStatus::parse("返贫"), Some(PovertyStatus::Returned));
    assert_eq!(Relation::parse("户 主"), None);
    assert_eq!(Relation::from_code(0), None);
    assert_eq!(Cause::from_code(12), None);
}

#[test]
fn enum_codes_are_stable() {
    // Stored in databases and snapshots: never renumber.
    assert_eq!(ALL_RELATIONS.map(|r| r.code()), [1, 2, 3, 4, 5, 6, 7]);
    assert_eq!(ALL_STATUSES.map(|s| s.code()), [1, 2, 3]);
    assert_eq!(
        ALL_CAUSES.map(|c| c.code()),
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    );
    assert_eq!(PovertyStatus::Returned.code(), 3);
    assert_eq!(Cause::OwnDrive.as_str(), "own_drive");
    assert_eq!(Cause::Transport.zh(), "交通条件落后");
}

// ---- validate_row ----------------------------------------------------

const ID1: &str = "11010519491231002X";

fn known(c: &str) -> bool {
    c == "623023" || c == "110105"
}

fn good() -> RawRow<'static> {
    RawRow {
        year: "2015",
        village_code: "623023100001",
        household_id: "H0001",
        id_number: ID1,
        name: "张三",
        relation: "户主",
        income_per_capita: "2850.5",
        status: "已脱贫",
        identified_year: "2014",
        exit_year: "2015",
        cause: "因病",
        ext: RawExtended::default(),
    }
}

/// The codes of the errors of a row, by field.
fn errs(raw: &RawRow, excel: bool) -> Vec<(String, String)> {
    validate_row(raw, &known, excel)
        .unwrap_err()
        .into_iter()
        .map(|e| (e.field, e.msg.code))
        .collect()
}

fn one(raw: RawRow, field: &str, code: &str) {
    let got = errs(&raw, false);
    assert_eq!(got, vec![(field.to_string(), code.to_string())], "{raw:?}");
}

#[test]
fn a_valid_row_is_read() {
    let r = validate_row(&good(), &known, false).unwrap();
    assert_eq!(r.year.get(), 2015);
    assert_eq!(r.county_code(), "623023");
    assert_eq!(r.household_id.as_str(), "H0001");
    assert_eq!(r.id_number.as_str(), ID1);
    assert_eq!(r.relation, Relation::Head);
    assert_eq!(r.income_fen, Fen::new(285050));
    assert_eq!(r.status, PovertyStatus::Exited);
    assert_eq!(r.identified_year, 2014);
    assert_eq!(r.exit_year, Some(2015));
    assert_eq!(r.cause, Cause::Illness);
    // English words are accepted too.
    let en = RawRow {
        relation: "spouse",
        status: "Returned",
        cause: "own drive",
        ..good()
    };
    let r = validate_row(&en, &known, false).unwrap();
    assert_eq!(
        (r.relation, r.status, r.cause),
        (Relation::Spouse, PovertyStatus::Returned, Cause::OwnDrive)
    );
}

#[test]
fn income_is_converted_to_fen_exactly() {
    let fen = |s: &str, x: bool| {
        validate_row(
            &RawRow {
                income_per_capita: s,
                ..good()
            },
            &known,
            x,
        )
        .map(|r| r.income_fen.get())
    };
    assert_eq!(fen("1234.5", false), Ok(123450));
    assert_eq!(fen("1234.56", false), Ok(123456));
    assert_eq!(fen("1234", false), Ok(123400));
    assert_eq!(fen("0", false), Ok(0));
    assert_eq!(fen("0.07", false), Ok(7));
    // 0.1 + 0.2 style float trouble cannot happen: 2300.10 is 230010 fen.
    assert_eq!(fen("2300.10", false), Ok(230010));
}

#[test]
fn year_out_of_range_is_refused() {
    one(
        RawRow {
            year: "2009",
            identified_year: "2009",
            exit_year: "",
            status: "poor",
            ..good()
        },
        "year",
        "year_out_of_range",
    );
    one(
        RawRow {
            year: "2036",
            ..good()
        },
        "year",
        "year_out_of_range",
    );
    one(
        RawRow {
            year: "2015a",
            ..good()
        },
        "year",
        "not_an_integer",
    );
    one(RawRow { year: "", ..good() }, "year", "required");
}

#[test]
fn village_code_must_be_12_digits() {
    one(
        RawRow {
            village_code: "62302310000",
            ..good()
        },
        "village_code",
        "village_code_format",
    );
    one(
        RawRow {
            village_code: "6230231000011",
            ..good()
        },
        "village_code",
        "village_code_format",
    );
    one(
        RawRow {
            village_code: "62302310000A",
            ..good()
        },
        "village_code",
        "village_code_format",
    );
}

#[test]
fn village_code_of_unknown_county_is_refused() {
    let raw = RawRow {
        village_code: "999999100001",
        ..good()
    };
    let e = validate_row(&raw, &known, false).unwrap_err();
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].msg.code, "unknown_county");
    assert!(e[0].msg.zh.contains("999999") && e[0].msg.en.contains("999999"));
    assert_eq!(e[0].value, "999999100001");
    assert_eq!(e[0].row, None);
}

#[test]
fn household_id_longer_than_32_is_refused() {
    let long = "H".repeat(33);
    one(
        RawRow {
            household_id: &long,
            ..good()
        },
        "household_id",
        "too_long",
    );
    let ok = "户".repeat(32);
    assert!(
        validate_row(
            &RawRow {
                household_id: &ok,
                ..good()
            },
            &known,
            false
        )
        .is_ok()
    );
    one(
        RawRow {
            household_id: "",
            ..good()
        },
        "household_id",
        "required",
    );
}

#[test]
fn name_longer_than_50_is_refused() {
    let long = "名".repeat(51);
    one(
        RawRow {
            name: &long,
            ..good()
        },
        "name",
        "too_long",
    );
    let ok = "名".repeat(50);
    assert!(
        validate_row(
            &RawRow {
                name: &ok,
                ..good()
            },
            &known,
            false
        )
        .is_ok()
    );
}

#[test]
fn bad_id_number_is_reported_with_its_code() {
    one(
        RawRow {
            id_number: "110105194912310021",
            ..good()
        },
        "id_number",
        "id_check_digit",
    );
    one(
        RawRow {
            id_number: "",
            ..good()
        },
        "id_number",
        "required",
    );
}

#[test]
fn unknown_enum_words_are_refused() {
    one(
        RawRow {
            relation: "朋友",
            ..good()
        },
        "relation",
        "unknown_relation",
    );
    one(
        RawRow {
            status: "脱贫",
            ..good()
        },
        "status",
        "unknown_status",
    );
    one(
        RawRow {
            cause: "因懒",
            ..good()
        },
        "cause",
        "unknown_cause",
    );
    let e = validate_row(
        &RawRow {
            cause: "因懒",
            ..good()
        },
        &known,
        false,
    )
    .unwrap_err();
    assert!(
        e[0].msg.zh.contains("因病") && e[0].msg.en.contains("illness"),
        "lists the allowed words"
    );
}

#[test]
fn negative_income_is_refused() {
    one(
        RawRow {
            income_per_capita: "-1",
            ..good()
        },
        "income_per_capita",
        "negative_income",
    );
    one(
        RawRow {
            income_per_capita: "-0.01",
            ..good()
        },
        "income_per_capita",
        "negative_income",
    );
}

#[test]
fn income_with_three_decimals_is_refused() {
    one(
        RawRow {
            income_per_capita: "1234.567",
            ..good()
        },
        "income_per_capita",
        "too_many_decimals",
    );
    one(
        RawRow {
            income_per_capita: "12a",
            ..good()
        },
        "income_per_capita",
        "not_a_number",
    );
    one(
        RawRow {
            income_per_capita: "1.2e3",
            ..good()
        },
        "income_per_capita",
        "not_a_number",
    );
    one(
        RawRow {
            income_per_capita: ".",
            ..good()
        },
        "income_per_capita",
        "not_a_number",
    );
    one(
        RawRow {
            income_per_capita: "",
            ..good()
        },
        "income_per_capita",
        "required",
    );
}

#[test]
fn thousands_separators_only_in_excel() {
    let raw = RawRow {
        income_per_capita: "1,234.50",
        ..good()
    };
    one(raw, "income_per_capita", "thousands_separator");
    assert_eq!(
        validate_row(&raw, &known, true).unwrap().income_fen.get(),
        123450
    );
    let big = RawRow {
        income_per_capita: "1,234,567",
        ..good()
    };
    assert_eq!(
        validate_row(&big, &known, true).unwrap().income_fen.get(),
        123456700
    );
    // Misplaced separators are not numbers even in Excel.
    let bad = RawRow {
        income_per_capita: "12,34.5",
        ..good()
    };
    assert_eq!(
        errs(&bad, true),
        vec![("income_per_capita".into(), "not_a_number".into())]
    );
    // Integer cells follow the same rule.
    let y = RawRow {
        year: "2,015",
        ..good()
    };
    assert_eq!(
        errs(&y, false),
        vec![("year".into(), "thousands_separator".into())]
    );
    assert_eq!(validate_row(&y, &known, true).unwrap().year.get(), 2015);
}

#[test]
fn identified_year_after_year_is_refused() {
    one(
        RawRow {
            identified_year: "2016",
            exit_year: "",
            status: "poor",
            ..good()
        },
        "identified_year",
        "identified_after_year",
    );
}

#[test]
fn exit_year_required_for_exited_and_returned() {
    one(
        RawRow {
            exit_year: "",
            ..good()
        },
        "exit_year",
        "required",
    );
    one(
        RawRow {
            exit_year: "",
            status: "返贫",
            ..good()
        },
        "exit_year",
        "required",
    );
}

#[test]
fn exit_year_must_be_empty_when_poor() {
    one(
        RawRow {
            status: "未脱贫",
            ..good()
        },
        "exit_year",
        "exit_year_when_poor",
    );
    let poor = RawRow {
        status: "未脱贫",
        exit_year: "",
        ..good()
    };
    assert_eq!(validate_row(&poor, &known, false).unwrap().exit_year, None);
}

#[test]
fn exit_year_must_lie_between_identification_and_year() {
    one(
        RawRow {
            exit_year: "2013",
            ..good()
        },
        "exit_year",
        "exit_year_out_of_range",
    );
    one(
        RawRow {
            exit_year: "2016",
            ..good()
        },
        "exit_year",
        "exit_year_out_of_range",
    );
    // Both bounds are inclusive.
    assert!(
        validate_row(
            &RawRow {
                exit_year: "2014",
                ..good()
            },
            &known,
            false
        )
        .is_ok()
    );
    assert!(
        validate_row(
            &RawRow {
                exit_year: "2015",
                ..good()
            },
            &known,
            false
        )
        .is_ok()
    );
    one(
        RawRow {
            exit_year: "x",
            ..good()
        },
        "exit_year",
        "not_an_integer",
    );
}

#[test]
fn every_problem_of_a_row_is_reported_at_once() {
    let long = "名".repeat(51);
    let raw = RawRow {
        year: "2040",
        village_code: "999999100001",
        household_id: "",
        id_number: "11010519491231002",
        name: &long,
        relation: "boss",
        income_per_capita: "-5",
        status: "gone",
        identified_year: "abc",
        exit_year: "",
        cause: "",
        ext: RawExtended::default(),
    };
    let e = validate_row(&raw, &known, false).unwrap_err();
    let got: Vec<(&str, &str)> = e
        .iter()
        .map(|e| (e.field.as_str(), e.msg.code.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("year", "year_out_of_range"),
            ("village_code", "unknown_county"),
            ("household_id", "required"),
            ("id_number", "id_length"),
            ("name", "too_long"),
            ("relation", "unknown_relation"),
            ("income_per_capita", "negative_income"),
            ("status", "unknown_status"),
            ("identified_year", "not_an_integer"),
            ("cause", "required"),
        ]
    );
    // Each error carries the cell text and no row number, in both languages.
    assert!(
        e.iter()
            .all(|e| e.row.is_none() && !e.msg.zh.is_empty() && !e.msg.en.is_empty())
    );
    assert_eq!(e[0].value, "2040");
    assert_eq!(e[6].value, "-5");
}

// ---- check_household -------------------------------------------------

fn member(id17: &str, relation: Relation) -> RegistryRow {
    let raw_id = id(id17);
    let mut r = validate_row(
        &RawRow {
            id_number: &raw_id,
            ..good()
        },
        &known,
        false,
    )
    .unwrap();
    r.relation = relation;
    r
}

#[test]
fn a_consistent_household_has_no_problems() {
    let a = member("62302319800101123", Relation::Head);
    let b = member("62302319820101124", Relation::Spouse);
    assert!(check_household(&[(2, &a), (3, &b)]).is_empty());
    assert!(check_household(&[]).is_empty());
}

#[test]
fn household_without_head_is_reported_on_its_first_row() {
    let a = member("62302319800101123", Relation::Spouse);
    let b = member("62302319820101124", Relation::Child);
    let e = check_household(&[(7, &b), (5, &a)]);
    assert_eq!(e.len(), 1);
    assert_eq!(
        (e[0].row, e[0].field.as_str(), e[0].msg.code.as_str()),
        (Some(5), "relation", "no_head")
    );
}

#[test]
fn second_head_is_reported_on_each_extra_head() {
    let a = member("62302319800101123", Relation::Head);
    let b = member("62302319820101124", Relation::Head);
    let c = member("62302320100101125", Relation::Head);
    let e = check_household(&[(2, &a), (3, &b), (4, &c)]);
    let got: Vec<_> = e
        .iter()
        .map(|e| (e.row, e.field.as_str(), e.msg.code.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (Some(3), "relation", "second_head"),
            (Some(4), "relation", "second_head")
        ]
    );
    assert!(e[0].msg.en.contains("row 2") && e[0].msg.zh.contains("第 2 行"));
}

#[test]
fn disagreeing_household_fields_are_reported_on_the_disagreeing_row() {
    let a = member("62302319800101123", Relation::Head);
    let mut b = member("62302319820101124", Relation::Spouse);
    b.income_fen = Fen::new(300000);
    let mut c = member("62302320100101125", Relation::Child);
    c.status = PovertyStatus::Poor;
    c.exit_year = None;
    let mut d = member("62302320120101126", Relation::Child);
    d.village_code = "623023100002".into();
    let e = check_household(&[(2, &a), (3, &b), (4, &c), (5, &d)]);
    let got: Vec<_> = e
        .iter()
        .map(|e| {
            (
                e.row,
                e.field.as_str(),
                e.value.as_str(),
                e.msg.code.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                Some(3),
                "income_per_capita",
                "3000.00",
                "household_mismatch"
            ),
            (Some(4), "status", "未脱贫", "household_mismatch"),
            (Some(4), "exit_year", "", "household_mismatch"),
            (
                Some(5),
                "village_code",
                "623023100002",
                "household_mismatch"
            ),
        ]
    );
    assert!(
        e.iter()
            .all(|e| e.msg.en.contains("row 2") && e.msg.zh.contains("第 2 行"))
    );
}

#[test]
fn identified_year_and_cause_must_agree_too() {
    let a = member("62302319800101123", Relation::Head);
    let mut b = member("62302319820101124", Relation::Spouse);
    b.identified_year = 2015;
    b.cause = Cause::Disaster;
    let e = check_household(&[(2, &a), (3, &b)]);
    let got: Vec<_> = e
        .iter()
        .map(|e| (e.field.as_str(), e.value.as_str()))
        .collect();
    assert_eq!(got, vec![("identified_year", "2015"), ("cause", "因灾")]);
}
