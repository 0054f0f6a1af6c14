//! 户编号: the household's number in the registry, the key of a household
//! within a year (registry-format.md: text, 1–32 characters).

use serde::{Deserialize, Serialize};

use super::excel;
use crate::FieldError;

/// A household id as written in the registry file, checked.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HouseholdId(String);

impl HouseholdId {
    /// The most characters a household id may have.
    pub const MAX_CHARS: usize = 32;

    /// Checks a cell (field `household_id`): not a number Excel turned into
    /// scientific notation, 1 to 32 characters, no control character.
    /// The problem is boxed: a `FieldError` is large, and a row check
    /// collects it into its list anyway.
    pub fn parse(cell: &str) -> Result<HouseholdId, Box<FieldError>> {
        if excel::is_scientific(cell) {
            return Err(Box::new(excel::stored_as_number("household_id", cell)));
        }
        let mut errors = Vec::new();
        let id = crate::error::required_text("household_id", cell, Self::MAX_CHARS, &mut errors);
        match errors.pop() {
            Some(e) => Err(Box::new(e)),
            None => Ok(HouseholdId(id)),
        }
    }

    /// A household id read back from the store, where it was checked on
    /// import.
    pub fn from_stored(id: String) -> HouseholdId {
        HouseholdId(id)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for HouseholdId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_household_id_is_1_to_32_characters() {
        assert_eq!(HouseholdId::parse(" H0001 ").unwrap().as_str(), "H0001");
        assert_eq!(
            HouseholdId::parse(&"户".repeat(32))
                .unwrap()
                .to_string()
                .chars()
                .count(),
            32
        );
        assert_eq!(HouseholdId::parse("").unwrap_err().msg.code, "required");
        assert_eq!(
            HouseholdId::parse(&"H".repeat(33)).unwrap_err().msg.code,
            "too_long"
        );
        let e = HouseholdId::parse("6.23023E+11").unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.msg.code.as_str()),
            ("household_id", "excel_number")
        );
    }

    #[test]
    fn serde_is_the_bare_text() {
        let h = HouseholdId::parse("H0001").unwrap();
        assert_eq!(serde_json::to_string(&h).unwrap(), "\"H0001\"");
        assert_eq!(serde_json::from_str::<HouseholdId>("\"H0001\"").unwrap(), h);
    }
}
