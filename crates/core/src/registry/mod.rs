//! The registry (建档立卡) interchange rules of `registry-format.md`: the
//! enumerations (here), the resident identity number, the household id, the
//! number cells, the validation of one registry row and of one statistics
//! row, and the consistency of one household. Pure: no I/O and no clock.

use serde::{Deserialize, Serialize};

use crate::{FieldError, Msg};

/// The registry columns in file order: (English name, Chinese name).
pub const REGISTRY_COLUMNS: [(&str, &str); 11] = [
    ("year", "年度"),
    ("village_code", "村级区划代码"),
    ("household_id", "户编号"),
    ("id_number", "证件号码"),
    ("name", "姓名"),
    ("relation", "与户主关系"),
    ("income_per_capita", "人均纯收入"),
    ("status", "脱贫状态"),
    ("identified_year", "识别年度"),
    ("exit_year", "脱贫年度"),
    ("cause", "主要致贫原因"),
];

/// Declares one of the registry enumerations with its Chinese word, English
/// word (also its serde name), extra English spellings and a stable numeric
/// code (1-based, in the order of the spec; for storage).
macro_rules! registry_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $all:ident, $n:literal, $unknown_code:literal, $what_zh:literal, $what_en:literal,
        [ $( $(#[$vmeta:meta])* $var:ident = $code:literal, $zh:literal, $en:literal $(, $alias:literal)* ; )* ]
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $( $(#[$vmeta])* $var, )*
        }

        #[doc = concat!("Every `", stringify!($name), "`, in code order.")]
        pub const $all: [$name; $n] = [ $( $name::$var, )* ];

        impl $name {
            /// Accepts the Chinese word or the English word (case-insensitive;
            /// surrounding blanks ignored).
            pub fn parse(s: &str) -> Option<Self> {
                let s = s.trim();
                let lower = s.to_ascii_lowercase();
                $(
                    if s == $zh || lower == $en $( || lower == $alias )* {
                        return Some($name::$var);
                    }
                )*
                None
            }

            /// The Chinese word, as written in registry files.
            pub fn zh(self) -> &'static str {
                match self { $( $name::$var => $zh, )* }
            }

            /// The English word (also the JSON/serde name).
            pub fn as_str(self) -> &'static str {
                match self { $( $name::$var => $en, )* }
            }

            /// The stable numeric code (1-based) for compact storage.
            pub fn code(self) -> u8 {
                match self { $( $name::$var => $code, )* }
            }

            pub fn from_code(code: u8) -> Option<Self> {
                match code {
                    $( $code => Some($name::$var), )*
                    _ => None,
                }
            }

            fn unknown_msg() -> Msg {
                Msg::new(
                    $unknown_code,
                    format!("不是有效的{}（可填：{}）", $what_zh, [$($zh),*].join("、")),
                    format!("is not a known {} (one of: {})", $what_en, [$($en),*].join(", ")),
                )
            }
        }
    };
}

registry_enum! {
    /// 与户主关系: a member's relation to the household head.
    Relation, ALL_RELATIONS, 7, "unknown_relation", "与户主关系", "relation to the head",
    [
        Head = 1, "户主", "head";
        Spouse = 2, "配偶", "spouse";
        Child = 3, "子女", "child";
        Parent = 4, "父母", "parent";
        Grandchild = 5, "孙子女", "grandchild";
        Sibling = 6, "兄弟姐妹", "sibling";
        Other = 7, "其他", "other";
    ]
}

registry_enum! {
    /// 脱贫状态: a household's poverty status in a year.
    PovertyStatus, ALL_STATUSES, 3, "unknown_status", "脱贫状态", "poverty status",
    [
        Poor = 1, "未脱贫", "poor";
        Exited = 2, "已脱贫", "exited";
        Returned = 3, "返贫", "returned";
    ]
}

registry_enum! {
    /// 主要致贫原因: the main poverty cause of a household.
    Cause, ALL_CAUSES, 11, "unknown_cause", "致贫原因", "poverty cause",
    [
        Illness = 1, "因病", "illness";
        Disability = 2, "因残", "disability";
        Schooling = 3, "因学", "schooling";
        Disaster = 4, "因灾", "disaster";
        Land = 5, "缺土地", "land";
        Water = 6, "缺水", "water";
        Skills = 7, "缺技术", "skills";
        Labour = 8, "缺劳力", "labour", "labor";
        Capital = 9, "缺资金", "capital";
        Transport = 10, "交通条件落后", "transport";
        OwnDrive = 11, "自身发展动力不足", "own_drive", "own drive";
    ]
}

pub mod excel;
mod extended;
pub use extended::*;
mod identity;
pub use identity::*;
mod id_number;
pub use id_number::*;
mod household_id;
pub use household_id::*;
mod numbers;
pub use numbers::*;
mod row;
pub use row::*;
mod statistics;
pub use statistics::*;
mod household;
pub use household::*;
#[cfg(test)]
mod tests;

/// The lowest and highest registry year, as bare numbers for SQL ranges.
pub const MIN_YEAR: i32 = crate::year::Year::MIN.get();
pub const MAX_YEAR: i32 = crate::year::Year::MAX.get();

fn err(
    field: &str,
    value: &str,
    code: &str,
    zh: impl Into<String>,
    en: impl Into<String>,
) -> FieldError {
    FieldError::new(field, value, Msg::new(code, zh, en))
}
