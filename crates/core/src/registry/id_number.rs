//! The resident identity number (GB 11643-1999): its check character, its
//! validation and the masked form shown to those not entitled to the whole.

use chrono::{Datelike, NaiveDate};

use crate::Msg;

/// The GB 11643 weights of the first 17 digits (2^(18−i) mod 11).
const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// The check character for each value of (Σ weight × digit) mod 11.
const ID_CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// The GB 11643 check character (ISO 7064 MOD 11-2) of 17 ASCII digits;
/// `None` if `first17` is not exactly 17 ASCII digits.
pub fn check_digit(first17: &str) -> Option<char> {
    let b = first17.as_bytes();
    if b.len() != 17 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = b
        .iter()
        .zip(ID_WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    Some(ID_CHECK[(sum % 11) as usize])
}

/// A resident identity number (GB 11643-1999), validated: 17 digits and the
/// check character, always with an upper-case `X`.
///
/// `Debug` prints the masked form so that the number does not leak into logs;
/// use [`IdNumber::as_str`] where the full number is meant to be shown.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdNumber(String);

impl IdNumber {
    /// Checks, in this order: 18 characters (`id_length`), 17 digits and a
    /// digit or X (`id_chars`), the check digit (`id_check_digit`), the birth
    /// date inside — characters 7 to 14, `YYYYMMDD` — a real calendar date with
    /// year ≥ 1900 (`id_birth_date`). Does not compare with today (pure).
    pub fn parse(s: &str) -> Result<IdNumber, Msg> {
        let s = s.trim();
        let n = s.chars().count();
        if n != 18 {
            return Err(Msg::new(
                "id_length",
                format!("证件号码应为 18 位，实际为 {n} 位"),
                format!("an ID number has 18 characters, this one has {n}"),
            ));
        }
        let b = s.as_bytes();
        // 18 chars of which the byte length is 18 only when all are ASCII.
        if b.len() != 18
            || !b[..17].iter().all(u8::is_ascii_digit)
            || !matches!(b[17], b'0'..=b'9' | b'X' | b'x')
        {
            return Err(Msg::new(
                "id_chars",
                "证件号码应为 17 位数字加 1 位校验码（数字或 X）",
                "an ID number is 17 digits followed by a check digit (0–9 or X)",
            ));
        }
        let upper = s.to_ascii_uppercase();
        let expected = check_digit(&upper[..17]).expect("17 digits checked");
        if upper.as_bytes()[17] as char != expected {
            return Err(Msg::new(
                "id_check_digit",
                "证件号码校验码不正确（号码中有错误）",
                "the check digit does not match the other 17 digits (the number has a mistake)",
            ));
        }
        if birth_date_of(&upper).is_none() {
            return Err(Msg::new(
                "id_birth_date",
                "证件号码中的出生日期不是有效日期",
                "the birth date inside the ID number is not a real date",
            ));
        }
        Ok(IdNumber(upper))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The area code of the place of registration (first six digits).
    pub fn region(&self) -> &str {
        &self.0[..6]
    }

    pub fn birth_date(&self) -> NaiveDate {
        birth_date_of(&self.0).expect("checked at parse")
    }

    /// The 17th digit (sequence code) is odd for men, even for women.
    pub fn is_male(&self) -> bool {
        (self.0.as_bytes()[16] - b'0') % 2 == 1
    }

    /// First six, eight `*`, last four: `623023********1234`.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }
}

impl std::fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

/// The date in characters 7–14 of an 18-digit number, if real and ≥ 1900.
fn birth_date_of(s: &str) -> Option<NaiveDate> {
    let y: i32 = s.get(6..10)?.parse().ok()?;
    let m: u32 = s.get(10..12)?.parse().ok()?;
    let d: u32 = s.get(12..14)?.parse().ok()?;
    NaiveDate::from_ymd_opt(y, m, d).filter(|date| date.year() >= 1900)
}
