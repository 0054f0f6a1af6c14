//! What a list asks for: the page and the filters of each list. Pure data,
//! owned here so that the pages and the CLI name them without the store.

use crate::area::Level;
use crate::plan::{PairingPlanKind, PairingPlanStatus};
use crate::unit::UnitKind;
use chrono::NaiveDate;

/// A page of a list: 1-based page number and size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub page: u32,
    pub per_page: u32,
}

impl Page {
    pub const MAX_PER_PAGE: u32 = 500;

    pub fn new(page: Option<u32>, per_page: Option<u32>) -> Page {
        Page {
            page: page.unwrap_or(1).max(1),
            per_page: per_page.unwrap_or(50).clamp(1, Self::MAX_PER_PAGE),
        }
    }

    /// Everything (exports).
    pub fn all() -> Page {
        Page {
            page: 1,
            per_page: u32::MAX,
        }
    }

    pub fn limit(&self) -> i64 {
        self.per_page as i64
    }

    pub fn offset(&self) -> i64 {
        (self.page as i64 - 1) * self.per_page as i64
    }
}

#[derive(Debug, Clone, Default)]
pub struct AreaFilter {
    pub level: Option<Level>,
    pub parent: Option<String>,
    /// Province prefix (2 digits).
    pub province: Option<String>,
    /// Only key counties (or only others).
    pub key: Option<bool>,
    /// Only members of this county list.
    pub list: Option<String>,
    /// Name or code contains.
    pub q: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct UnitFilter {
    pub q: Option<String>,
    pub kind: Option<UnitKind>,
}

#[derive(Debug, Clone, Default)]
pub struct PairingPlanFilter {
    pub status: Option<PairingPlanStatus>,
    pub kind: Option<PairingPlanKind>,
    pub q: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct PairingFilter {
    pub plan_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub county_code: Option<String>,
    pub active_on: Option<NaiveDate>,
    /// Only pairings of plans in these statuses.
    pub plan_statuses: Vec<PairingPlanStatus>,
    /// Unit or county name contains.
    pub q: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct HouseholdFilter {
    pub year: Option<i32>,
    /// County, township or village code prefix.
    pub area: Option<String>,
    pub household_id: Option<String>,
    pub status: Option<u8>,
    /// Households whose head's name has one of these blind indexes (one
    /// per key in the ring); an empty list finds nothing.
    pub head_name_index: Option<Vec<Vec<u8>>>,
    /// Households of these villages (found by name); an empty list finds
    /// nothing.
    pub villages: Option<Vec<String>>,
}

/// What the auditor searches by; every part optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Text anywhere in the action, account, object or detail.
    pub q: Option<String>,
    /// Exactly this account.
    pub username: Option<String>,
    /// Actions starting with this (`login`, `plan.`, `registry.disclose`).
    pub action: Option<String>,
    /// `success`, `failure` or `refused`.
    pub outcome: Option<String>,
    /// From this moment (UTC seconds, inclusive).
    pub from: Option<i64>,
    /// Before this moment (UTC seconds, exclusive).
    pub until: Option<i64>,
}

/// A slice of the registry: which members count.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Slice {
    pub status: Option<u8>,
    pub cause: Option<u8>,
    pub sex: Option<u8>,
    /// A household type's code; 0 selects households without one.
    pub household_type: Option<u8>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_at_least_one_and_at_most_the_maximum() {
        let p = Page::new(Some(0), Some(10_000));
        assert_eq!((p.page, p.per_page), (1, Page::MAX_PER_PAGE));
        let p = Page::new(Some(3), Some(20));
        assert_eq!((p.limit(), p.offset()), (20, 40));
    }
}
