//! Money as whole fen (分): amounts are kept exact, and written as yuan with
//! two decimals wherever a person or a file reads them.

use serde::{Deserialize, Serialize};

/// An amount in fen (yuan × 100). Serialised as the bare integer, so files
/// and JSON read as before.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Fen(i64);

impl Fen {
    pub const ZERO: Fen = Fen(0);

    pub const fn new(fen: i64) -> Fen {
        Fen(fen)
    }

    pub const fn get(self) -> i64 {
        self.0
    }

    /// The amount in yuan as a float, for charts and JSON that show yuan.
    pub fn yuan(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// THE yuan text of files and pages: `123450` → `1234.50`, `-5` →
    /// `-0.05`.
    pub fn to_yuan_text(self) -> String {
        self.to_string()
    }
}

impl std::fmt::Display for Fen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", a / 100, a % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_text_has_two_decimals_and_a_sign() {
        assert_eq!(Fen::new(123_450).to_yuan_text(), "1234.50");
        assert_eq!(Fen::new(5).to_string(), "0.05");
        assert_eq!(Fen::new(-5).to_string(), "-0.05");
        assert_eq!(Fen::ZERO.to_string(), "0.00");
        assert_eq!(Fen::new(i64::MIN).to_string(), "-92233720368547758.08");
        assert_eq!(Fen::new(285_050).yuan(), 2850.5);
    }

    #[test]
    fn serde_is_the_bare_integer() {
        let f = Fen::new(285_050);
        assert_eq!(serde_json::to_string(&f).unwrap(), "285050");
        assert_eq!(serde_json::from_str::<Fen>("285050").unwrap(), f);
        assert_eq!(serde_json::to_string(&Some(f)).unwrap(), "285050");
    }
}
