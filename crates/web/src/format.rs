//! Numbers and times as Chinese reports show them.

/// 1234567 → "1,234,567".
pub fn thousands(n: i64) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// A percentage with one decimal, or "—" for none.
pub fn percent(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.1}%")).unwrap_or_else(|| "—".into())
}

/// Money in whole yuan with thousands separators, or "—".
pub fn yuan(v: Option<f64>) -> String {
    v.filter(|v| v.is_finite())
        .map(|v| thousands(v.round() as i64))
        .unwrap_or_else(|| "—".into())
}

/// Fen as yuan with thousands separators and two decimals, exact:
/// 123456789 → "1,234,567.89".
pub fn fen(f: i64) -> String {
    let sign = if f < 0 { "-" } else { "" };
    let a = f.unsigned_abs();
    let whole = thousands(i64::try_from(a / 100).unwrap_or(i64::MAX));
    format!("{sign}{whole}.{:02}", a % 100)
}

/// A head count as Chinese reports give it: "4.5 万" from 10 000 on,
/// "1,234" below (in English always with separators).
pub fn people(n: i64, lang: &str) -> String {
    if lang != "en" && n.abs() >= 10_000 {
        let wan = n as f64 / 10_000.0;
        if wan.abs() >= 100.0 {
            format!("{} 万", thousands(wan.round() as i64))
        } else {
            format!("{wan:.1} 万")
        }
    } else {
        thousands(n)
    }
}

/// A change with its sign: "+1.2", "−0.4", "0.0" (one decimal).
pub fn signed(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r > 0.0 {
        format!("+{r:.1}")
    } else if r < 0.0 {
        format!("−{:.1}", -r)
    } else {
        "0.0".into()
    }
}

/// A whole-number change with its sign and separators: "+1,200", "−300".
pub fn signed_int(v: i64) -> String {
    match v.signum() {
        1 => format!("+{}", thousands(v)),
        -1 => format!("−{}", thousands(-v)),
        _ => "0".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_people_and_signs() {
        assert_eq!(yuan(Some(4674.6)), "4,675");
        assert_eq!(yuan(None), "—");
        assert_eq!(people(45_000, "zh"), "4.5 万");
        assert_eq!(people(2_170_000, "zh"), "217 万");
        assert_eq!(people(9_999, "zh"), "9,999");
        assert_eq!(people(45_000, "en"), "45,000");
        assert_eq!(signed(1.25), "+1.3");
        assert_eq!(signed(-0.04), "0.0");
        assert_eq!(signed(-2.0), "−2.0");
        assert_eq!(signed_int(-1200), "−1,200");
        assert_eq!(signed_int(5), "+5");
    }

    #[test]
    fn fen_is_exact_yuan_with_separators() {
        assert_eq!(fen(123_456_789), "1,234,567.89");
        assert_eq!(fen(-5), "-0.05");
        assert_eq!(fen(0), "0.00");
        assert_eq!(fen(290_000_000_000), "2,900,000,000.00");
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(-1234567), "-1,234,567");
    }

    #[test]
    fn percent_one_decimal_or_dash() {
        assert_eq!(percent(Some(32.94)), "32.9%");
        assert_eq!(percent(None), "—");
    }
}
