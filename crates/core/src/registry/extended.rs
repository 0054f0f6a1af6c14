//! The optional extended registry fields counties commonly keep beside the
//! contract's eleven columns: household type, other causes, income
//! components, the basic-guarantee flags (household fields, the same on
//! every row of a household) and health, education, labour skill and
//! migrant work (member fields). A file without these columns reads exactly
//! as before; a file with them has every cell checked.
//!
//! Health is sensitive personal data: it is shown only where the registry
//! itself may be read.

use super::{ALL_CAUSES, Cause, amount_msg, err, parse_fen};
use crate::{Fen, FieldError, Msg};
use serde::{Deserialize, Serialize};

/// The income component columns: (English, Chinese). Yuan per household
/// and year, at most two decimals, not negative.
pub const INCOME_COLUMNS: [(&str, &str); 4] = [
    ("wage_income", "工资性收入"),
    ("business_income", "生产经营性收入"),
    ("property_income", "财产性收入"),
    ("transfer_income", "转移性收入"),
];

/// The basic-guarantee flag columns (两不愁三保障 and safe drinking
/// water): (English, Chinese). `是`/`否`, `1`/`0` or `yes`/`no`.
pub const GUARANTEE_COLUMNS: [(&str, &str); 6] = [
    ("food_secure", "不愁吃"),
    ("clothing_secure", "不愁穿"),
    ("education_secure", "义务教育有保障"),
    ("medical_secure", "基本医疗有保障"),
    ("housing_secure", "住房安全有保障"),
    ("water_secure", "饮水安全有保障"),
];

/// Every extended column in file order, after the contract's eleven:
/// (English name, Chinese name). All optional.
pub const EXTENDED_COLUMNS: [(&str, &str); 16] = [
    ("household_type", "户类型"),
    ("other_causes", "其他致贫原因"),
    INCOME_COLUMNS[0],
    INCOME_COLUMNS[1],
    INCOME_COLUMNS[2],
    INCOME_COLUMNS[3],
    GUARANTEE_COLUMNS[0],
    GUARANTEE_COLUMNS[1],
    GUARANTEE_COLUMNS[2],
    GUARANTEE_COLUMNS[3],
    GUARANTEE_COLUMNS[4],
    GUARANTEE_COLUMNS[5],
    ("health", "健康状况"),
    ("education", "文化程度"),
    ("labour_skill", "劳动技能"),
    ("migrant_work", "务工状况"),
];

registry_enum! {
    /// 户类型: the household's kind of support.
    HouseholdType, ALL_HOUSEHOLD_TYPES, 3, "unknown_household_type", "户类型", "household type",
    [
        General = 1, "一般贫困户", "general";
        Subsistence = 2, "低保贫困户", "subsistence", "dibao";
        FiveGuarantees = 3, "特困供养贫困户", "five_guarantees", "five guarantees", "wubao";
    ]
}

registry_enum! {
    /// 健康状况: a member's health (sensitive personal data).
    Health, ALL_HEALTH, 4, "unknown_health", "健康状况", "health",
    [
        Healthy = 1, "健康", "healthy";
        ChronicIllness = 2, "长期慢性病", "chronic_illness", "chronic illness";
        SeriousIllness = 3, "患有大病", "serious_illness", "serious illness";
        Disabled = 4, "残疾", "disabled";
    ]
}

registry_enum! {
    /// 文化程度: a member's schooling.
    Education, ALL_EDUCATION, 6, "unknown_education", "文化程度", "education",
    [
        Preschool = 1, "学龄前儿童", "preschool";
        Illiterate = 2, "文盲或半文盲", "illiterate";
        Primary = 3, "小学", "primary";
        JuniorSecondary = 4, "初中", "junior_secondary", "junior secondary";
        SeniorSecondary = 5, "高中", "senior_secondary", "senior secondary";
        Tertiary = 6, "大专及以上", "tertiary";
    ]
}

registry_enum! {
    /// 劳动技能: a member's capacity to work.
    LabourSkill, ALL_LABOUR_SKILLS, 5, "unknown_labour_skill", "劳动技能", "labour skill",
    [
        Skilled = 1, "技能劳动力", "skilled";
        Ordinary = 2, "普通劳动力", "ordinary";
        Weak = 3, "弱劳动力或半劳动力", "weak";
        Lost = 4, "丧失劳动力", "lost";
        NoLabour = 5, "无劳动力", "no_labour", "none";
    ]
}

registry_enum! {
    /// 务工状况: where a member works for wages.
    MigrantWork, ALL_MIGRANT_WORK, 5, "unknown_migrant_work", "务工状况", "migrant work",
    [
        NotWorking = 1, "未务工", "not_working", "none";
        InTownship = 2, "乡镇内务工", "in_township";
        InCounty = 3, "县内务工", "in_county";
        InProvince = 4, "省内务工", "in_province";
        OutOfProvince = 5, "省外务工", "out_of_province";
    ]
}

/// A set of poverty causes, one bit per cause code (bit `code − 1`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct CauseSet(pub u16);

impl CauseSet {
    pub fn contains(self, c: Cause) -> bool {
        self.0 & (1 << (c.code() - 1)) != 0
    }

    pub fn insert(&mut self, c: Cause) {
        self.0 |= 1 << (c.code() - 1);
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The causes in code order.
    pub fn iter(self) -> impl Iterator<Item = Cause> {
        ALL_CAUSES.into_iter().filter(move |c| self.contains(*c))
    }

    /// The file text: Chinese words joined by `、` in code order.
    pub fn text(self) -> String {
        self.iter().map(Cause::zh).collect::<Vec<_>>().join("、")
    }
}

/// The raw text cells of the extended columns ("" when absent).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RawExtended<'a> {
    pub household_type: &'a str,
    pub other_causes: &'a str,
    /// In the order of [`INCOME_COLUMNS`].
    pub incomes: [&'a str; 4],
    /// In the order of [`GUARANTEE_COLUMNS`].
    pub guarantees: [&'a str; 6],
    pub health: &'a str,
    pub education: &'a str,
    pub labour_skill: &'a str,
    pub migrant_work: &'a str,
}

impl RawExtended<'_> {
    fn is_empty(&self) -> bool {
        *self == RawExtended::default()
    }
}

/// The extended household fields (the same on every row of a household).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HouseholdExtras {
    pub household_type: Option<HouseholdType>,
    pub other_causes: CauseSet,
    /// Fen per household and year, in the order of [`INCOME_COLUMNS`].
    pub incomes: [Option<i64>; 4],
    /// In the order of [`GUARANTEE_COLUMNS`].
    pub guarantees: [Option<bool>; 6],
}

impl HouseholdExtras {
    pub fn is_empty(&self) -> bool {
        *self == HouseholdExtras::default()
    }

    /// The cell texts in [`EXTENDED_COLUMNS`] order (household part: the
    /// first twelve), as the files write them.
    pub fn cells(&self) -> [String; 12] {
        let mut out: [String; 12] = Default::default();
        out[0] = self
            .household_type
            .map(|t| t.zh().to_string())
            .unwrap_or_default();
        out[1] = self.other_causes.text();
        for (k, v) in self.incomes.iter().enumerate() {
            out[2 + k] = v.map(|f| Fen::new(f).to_string()).unwrap_or_default();
        }
        for (k, v) in self.guarantees.iter().enumerate() {
            out[6 + k] = v.map(flag_text).unwrap_or("").to_string();
        }
        out
    }
}

/// The extended member fields.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemberExtras {
    pub health: Option<Health>,
    pub education: Option<Education>,
    pub labour_skill: Option<LabourSkill>,
    pub migrant_work: Option<MigrantWork>,
}

impl MemberExtras {
    pub fn is_empty(&self) -> bool {
        *self == MemberExtras::default()
    }

    /// The cell texts of the last four [`EXTENDED_COLUMNS`].
    pub fn cells(&self) -> [&'static str; 4] {
        [
            self.health.map(Health::zh).unwrap_or(""),
            self.education.map(Education::zh).unwrap_or(""),
            self.labour_skill.map(LabourSkill::zh).unwrap_or(""),
            self.migrant_work.map(MigrantWork::zh).unwrap_or(""),
        ]
    }
}

/// `是` or `否`: how the files write a flag.
pub fn flag_text(v: bool) -> &'static str {
    if v { "是" } else { "否" }
}

/// Reads a flag: `是`/`否`, `1`/`0`, `yes`/`no` (any case).
pub fn parse_flag(s: &str) -> Option<bool> {
    match s.trim() {
        "是" | "1" => Some(true),
        "否" | "0" => Some(false),
        other if other.eq_ignore_ascii_case("yes") => Some(true),
        other if other.eq_ignore_ascii_case("no") => Some(false),
        _ => None,
    }
}

/// An optional enumeration cell: empty is "not given".
pub(super) fn optional_enum<T>(
    field: &str,
    value: &str,
    parse: fn(&str) -> Option<T>,
    msg: fn() -> Msg,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    if value.is_empty() {
        return None;
    }
    let parsed = parse(value);
    if parsed.is_none() {
        errors.push(FieldError::new(field, value, msg()));
    }
    parsed
}

/// An optional income component in yuan, stored in fen.
fn income_cell(field: &str, value: &str, excel: bool, errors: &mut Vec<FieldError>) -> Option<i64> {
    if value.is_empty() {
        return None;
    }
    let refused = |why| {
        let msg = amount_msg(
            why,
            (
                "negative_income",
                "收入不能为负数",
                "an income cannot be negative",
            ),
            (
                "应为以元为单位的全户年收入，例如 12000.50",
                "must be the household's yearly income in yuan, e.g. 12000.50",
            ),
        );
        errors.push(FieldError::new(field, value, msg));
    };
    parse_fen(value, excel).map_err(refused).ok()
}

/// `其他致贫原因`: cause words separated by `、`, `,`, `，`, `;` or `；`.
/// Each must be a known cause and none the main cause; a word given twice
/// counts once.
fn other_causes_cell(value: &str, main: Option<Cause>, errors: &mut Vec<FieldError>) -> CauseSet {
    let mut set = CauseSet::default();
    for word in value.split(['、', ',', '，', ';', '；']) {
        let word = word.trim();
        if word.is_empty() {
            continue;
        }
        match Cause::parse(word) {
            Some(c) if Some(c) == main => errors.push(err(
                "other_causes",
                value,
                "other_cause_is_main",
                format!("“{}”已是主要致贫原因，不应再列为其他致贫原因", c.zh()),
                format!(
                    "“{}” is already the main cause and cannot also be another cause",
                    c.as_str()
                ),
            )),
            Some(c) => set.insert(c),
            None => {
                let m = Cause::unknown_msg();
                errors.push(err(
                    "other_causes",
                    value,
                    "unknown_cause",
                    format!("“{word}”{}；多个原因用“、”分隔", m.zh),
                    format!("“{word}” {}; separate several causes with “、”", m.en),
                ));
            }
        }
    }
    set
}

/// Checks the extended cells of one row; `main` is the row's main cause
/// when it is valid. Every problem is pushed to `errors`.
pub(super) fn validate_extended(
    raw: &RawExtended,
    main: Option<Cause>,
    excel: bool,
    errors: &mut Vec<FieldError>,
) -> (HouseholdExtras, MemberExtras) {
    // Files without the extended columns take this path for every row.
    if raw.is_empty() {
        return Default::default();
    }
    let mut h = HouseholdExtras {
        household_type: optional_enum(
            "household_type",
            raw.household_type,
            HouseholdType::parse,
            HouseholdType::unknown_msg,
            errors,
        ),
        other_causes: other_causes_cell(raw.other_causes, main, errors),
        ..Default::default()
    };
    for (k, (field, _)) in INCOME_COLUMNS.iter().enumerate() {
        h.incomes[k] = income_cell(field, raw.incomes[k], excel, errors);
    }
    for (k, (field, _)) in GUARANTEE_COLUMNS.iter().enumerate() {
        let v = raw.guarantees[k];
        if v.is_empty() {
            continue;
        }
        h.guarantees[k] = parse_flag(v);
        if h.guarantees[k].is_none() {
            errors.push(err(
                field,
                v,
                "not_a_flag",
                "应填“是”或“否”（也可填 1 或 0）",
                "must be 是 (yes) or 否 (no), or 1 or 0",
            ));
        }
    }
    let m = MemberExtras {
        health: optional_enum(
            "health",
            raw.health,
            Health::parse,
            Health::unknown_msg,
            errors,
        ),
        education: optional_enum(
            "education",
            raw.education,
            Education::parse,
            Education::unknown_msg,
            errors,
        ),
        labour_skill: optional_enum(
            "labour_skill",
            raw.labour_skill,
            LabourSkill::parse,
            LabourSkill::unknown_msg,
            errors,
        ),
        migrant_work: optional_enum(
            "migrant_work",
            raw.migrant_work,
            MigrantWork::parse,
            MigrantWork::unknown_msg,
            errors,
        ),
    };
    (h, m)
}

/// The household fields of two rows that differ: (column, the second
/// row's cell text), in column order.
pub(super) fn household_differences(
    first: &HouseholdExtras,
    row: &HouseholdExtras,
) -> Vec<(&'static str, String)> {
    if first == row {
        return Vec::new();
    }
    let (a, b) = (first.cells(), row.cells());
    EXTENDED_COLUMNS[..12]
        .iter()
        .zip(a.into_iter().zip(b))
        .filter(|(_, (x, y))| x != y)
        .map(|((field, _), (_, y))| (*field, y))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::{RawRow, RegistryRow, check_household, validate_row};
    use super::*;

    fn known(c: &str) -> bool {
        c == "110105"
    }

    fn row(ext: RawExtended<'static>) -> RawRow<'static> {
        RawRow {
            year: "2015",
            village_code: "110105100001",
            household_id: "H1",
            id_number: "11010519491231002X",
            name: "张三",
            relation: "户主",
            income_per_capita: "2850.5",
            status: "未脱贫",
            identified_year: "2014",
            exit_year: "",
            cause: "因病",
            ext,
        }
    }

    fn full() -> RawExtended<'static> {
        RawExtended {
            household_type: "低保贫困户",
            other_causes: "缺资金、因学",
            incomes: ["12000", "3500.5", "", "800.25"],
            guarantees: ["是", "1", "否", "0", "yes", ""],
            health: "长期慢性病",
            education: "初中",
            labour_skill: "普通劳动力",
            migrant_work: "省外务工",
        }
    }

    fn codes(raw: RawRow, excel: bool) -> Vec<(String, String)> {
        validate_row(&raw, &known, excel)
            .unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.msg.code))
            .collect()
    }

    #[test]
    fn a_row_without_extended_cells_has_empty_extras() {
        let r = validate_row(&row(RawExtended::default()), &known, false).unwrap();
        assert!(r.household_extras.is_empty() && r.member_extras.is_empty());
    }

    #[test]
    fn every_extended_field_is_read() {
        let r = validate_row(&row(full()), &known, false).unwrap();
        let h = r.household_extras;
        assert_eq!(h.household_type, Some(HouseholdType::Subsistence));
        assert_eq!(
            h.other_causes.iter().collect::<Vec<_>>(),
            vec![Cause::Schooling, Cause::Capital],
            "in code order"
        );
        assert_eq!(
            h.incomes,
            [Some(1_200_000), Some(350_050), None, Some(80_025)]
        );
        assert_eq!(
            h.guarantees,
            [
                Some(true),
                Some(true),
                Some(false),
                Some(false),
                Some(true),
                None
            ]
        );
        let m = r.member_extras;
        assert_eq!(m.health, Some(Health::ChronicIllness));
        assert_eq!(m.education, Some(Education::JuniorSecondary));
        assert_eq!(m.labour_skill, Some(LabourSkill::Ordinary));
        assert_eq!(m.migrant_work, Some(MigrantWork::OutOfProvince));
        // English words too.
        let en = RawExtended {
            household_type: "Five_Guarantees",
            other_causes: "capital; schooling",
            health: "disabled",
            education: "tertiary",
            labour_skill: "none",
            migrant_work: "in_county",
            ..Default::default()
        };
        let r = validate_row(&row(en), &known, false).unwrap();
        assert_eq!(
            r.household_extras.household_type,
            Some(HouseholdType::FiveGuarantees)
        );
        assert_eq!(r.household_extras.other_causes.text(), "因学、缺资金");
        assert_eq!(r.member_extras.labour_skill, Some(LabourSkill::NoLabour));
        assert_eq!(r.member_extras.migrant_work, Some(MigrantWork::InCounty));
    }

    #[test]
    fn unknown_words_name_the_allowed_values() {
        let bad = RawExtended {
            household_type: "贫困户",
            health: "还行",
            education: "博士",
            labour_skill: "强",
            migrant_work: "国外",
            ..Default::default()
        };
        assert_eq!(
            codes(row(bad), false),
            [
                ("household_type", "unknown_household_type"),
                ("health", "unknown_health"),
                ("education", "unknown_education"),
                ("labour_skill", "unknown_labour_skill"),
                ("migrant_work", "unknown_migrant_work"),
            ]
            .map(|(a, b)| (a.to_string(), b.to_string()))
        );
        let e = validate_row(&row(bad), &known, false).unwrap_err();
        assert!(
            e[0].msg
                .zh
                .contains("一般贫困户、低保贫困户、特困供养贫困户"),
            "{:?}",
            e[0].msg
        );
        assert!(
            e[0].msg
                .en
                .contains("general, subsistence, five_guarantees"),
            "{:?}",
            e[0].msg
        );
        assert!(e[1].msg.zh.contains("健康、长期慢性病、患有大病、残疾"));
    }

    #[test]
    fn other_causes_must_be_known_and_not_the_main_cause() {
        let e = validate_row(
            &row(RawExtended {
                other_causes: "缺水、缺钱",
                ..Default::default()
            }),
            &known,
            false,
        )
        .unwrap_err();
        assert_eq!(
            (e[0].field.as_str(), e[0].msg.code.as_str()),
            ("other_causes", "unknown_cause")
        );
        assert!(e[0].msg.zh.contains("“缺钱”") && e[0].msg.en.contains("“缺钱”"));
        assert_eq!(
            codes(
                row(RawExtended {
                    other_causes: "因病",
                    ..Default::default()
                }),
                false
            ),
            vec![(
                "other_causes".to_string(),
                "other_cause_is_main".to_string()
            )]
        );
        // A word given twice counts once; blanks between separators are ignored.
        let r = validate_row(
            &row(RawExtended {
                other_causes: "缺水，缺水；、",
                ..Default::default()
            }),
            &known,
            false,
        )
        .unwrap();
        assert_eq!(r.household_extras.other_causes.text(), "缺水");
    }

    #[test]
    fn income_components_are_non_negative_yuan_with_two_decimals() {
        let one = |v: &'static str, excel: bool| {
            codes(
                row(RawExtended {
                    incomes: ["", "", v, ""],
                    ..Default::default()
                }),
                excel,
            )
        };
        let is = |v: Vec<(String, String)>, code: &str| {
            assert_eq!(v, vec![("property_income".to_string(), code.to_string())])
        };
        is(one("-1", false), "negative_income");
        is(one("1.234", false), "too_many_decimals");
        is(one("abc", false), "not_a_number");
        is(one("1,200", false), "thousands_separator");
        let r = validate_row(
            &row(RawExtended {
                incomes: ["", "", "1,200.5", ""],
                ..Default::default()
            }),
            &known,
            true,
        )
        .unwrap();
        assert_eq!(
            r.household_extras.incomes[2],
            Some(120_050),
            "xlsx may carry separators"
        );
        let r = validate_row(
            &row(RawExtended {
                incomes: ["0", "", "", ""],
                ..Default::default()
            }),
            &known,
            false,
        )
        .unwrap();
        assert_eq!(
            r.household_extras.incomes[0],
            Some(0),
            "zero is an income, not empty"
        );
    }

    #[test]
    fn flags_are_yes_or_no() {
        let e = validate_row(
            &row(RawExtended {
                guarantees: ["", "", "", "", "", "有"],
                ..Default::default()
            }),
            &known,
            false,
        )
        .unwrap_err();
        assert_eq!(
            (
                e[0].field.as_str(),
                e[0].value.as_str(),
                e[0].msg.code.as_str()
            ),
            ("water_secure", "有", "not_a_flag")
        );
        assert!(e[0].msg.zh.contains("是") && e[0].msg.en.contains("1 or 0"));
        for (text, v) in [
            ("是", true),
            ("否", false),
            ("1", true),
            ("0", false),
            ("YES", true),
            ("No", false),
        ] {
            assert_eq!(parse_flag(text), Some(v), "{text}");
        }
        assert_eq!(parse_flag("2"), None);
    }

    #[test]
    fn cells_write_what_the_files_read() {
        let r = validate_row(&row(full()), &known, false).unwrap();
        let h = r.household_extras.cells();
        assert_eq!(
            h,
            [
                "低保贫困户",
                "因学、缺资金",
                "12000.00",
                "3500.50",
                "",
                "800.25",
                "是",
                "是",
                "否",
                "否",
                "是",
                ""
            ]
            .map(String::from)
        );
        assert_eq!(
            r.member_extras.cells(),
            ["长期慢性病", "初中", "普通劳动力", "省外务工"]
        );
        // And reading the written cells gives the same fields back.
        let m = r.member_extras.cells();
        let again = RawExtended {
            household_type: &h[0],
            other_causes: &h[1],
            incomes: [&h[2], &h[3], &h[4], &h[5]],
            guarantees: [&h[6], &h[7], &h[8], &h[9], &h[10], &h[11]],
            health: m[0],
            education: m[1],
            labour_skill: m[2],
            migrant_work: m[3],
        };
        let raw = RawRow {
            ext: again,
            ..row(RawExtended::default())
        };
        let back = validate_row(&raw, &known, false).unwrap();
        assert_eq!(back.household_extras, r.household_extras);
        assert_eq!(back.member_extras, r.member_extras);
    }

    #[test]
    fn enum_codes_are_stable() {
        assert_eq!(ALL_HOUSEHOLD_TYPES.map(|t| t.code()), [1, 2, 3]);
        assert_eq!(ALL_HEALTH.map(|t| t.code()), [1, 2, 3, 4]);
        assert_eq!(ALL_EDUCATION.map(|t| t.code()), [1, 2, 3, 4, 5, 6]);
        assert_eq!(ALL_LABOUR_SKILLS.map(|t| t.code()), [1, 2, 3, 4, 5]);
        assert_eq!(ALL_MIGRANT_WORK.map(|t| t.code()), [1, 2, 3, 4, 5]);
        for t in ALL_HOUSEHOLD_TYPES {
            assert_eq!(HouseholdType::from_code(t.code()), Some(t));
            assert_eq!(HouseholdType::parse(t.zh()), Some(t));
            assert_eq!(HouseholdType::parse(t.as_str()), Some(t));
        }
    }

    fn member(id: &str, relation: &'static str, ext: RawExtended<'static>) -> RegistryRow {
        let raw = RawRow {
            id_number: Box::leak(id.to_string().into_boxed_str()),
            relation,
            ..row(ext)
        };
        validate_row(&raw, &known, false).unwrap()
    }

    #[test]
    fn household_extras_must_agree_but_member_extras_may_differ() {
        let head = member("11010519491231002X", "户主", full());
        let spouse_id = format!("1101051950010100{}", "2");
        let spouse_id = format!(
            "{spouse_id}{}",
            super::super::check_digit(&spouse_id).unwrap()
        );
        // Member fields differ: fine.
        let spouse = member(
            &spouse_id,
            "配偶",
            RawExtended {
                health: "健康",
                education: "小学",
                labour_skill: "",
                migrant_work: "",
                ..full()
            },
        );
        assert!(check_household(&[(2, &head), (3, &spouse)]).is_empty());
        // Household fields differ: one error per column, on the later row.
        let other = member(
            &spouse_id,
            "配偶",
            RawExtended {
                household_type: "一般贫困户",
                incomes: ["12000", "3500.5", "", ""],
                guarantees: ["是", "1", "否", "0", "yes", "是"],
                ..full()
            },
        );
        let e = check_household(&[(2, &head), (3, &other)]);
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
                    "household_type",
                    "一般贫困户",
                    "household_mismatch"
                ),
                (Some(3), "transfer_income", "", "household_mismatch"),
                (Some(3), "water_secure", "是", "household_mismatch"),
            ]
        );
        assert!(e[0].msg.zh.contains("第 2 行") && e[0].msg.en.contains("row 2"));
    }
}
