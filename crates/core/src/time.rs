//! Times are stored as UTC seconds and shown in Asia/Shanghai (UTC+8, no
//! daylight saving, so a fixed offset is exact).

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};

pub fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

pub fn now_ts() -> i64 {
    Utc::now().timestamp()
}

/// Today's date in China.
pub fn today() -> NaiveDate {
    Utc::now().with_timezone(&china()).date_naive()
}

/// `YYYY-MM-DD HH:MM` in Asia/Shanghai.
pub fn show_ts(ts: i64) -> String {
    match china().timestamp_opt(ts, 0).single() {
        Some(t) => t.format("%Y-%m-%d %H:%M").to_string(),
        None => String::new(),
    }
}

pub fn to_utc(ts: i64) -> Option<DateTime<Utc>> {
    Utc.timestamp_opt(ts, 0).single()
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// The Beijing day `d` as UTC seconds: its first second and the first
/// second of the next day (searches by date on data stored in UTC).
pub fn day_bounds(d: NaiveDate) -> (i64, i64) {
    let start = d
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc()
        .timestamp()
        - 8 * 3600;
    (start, start + 24 * 3600)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_beijing_time() {
        // 2024-01-01T16:30:00Z is 2024-01-02 00:30 in Beijing.
        assert_eq!(show_ts(1_704_126_600), "2024-01-02 00:30");
    }

    #[test]
    fn a_beijing_day_starts_at_16_utc_the_day_before() {
        let (start, end) = day_bounds(NaiveDate::from_ymd_opt(2024, 1, 2).unwrap());
        // 2024-01-01T16:00:00Z, and 24 hours later.
        assert_eq!(start, 1_704_124_800);
        assert_eq!(end - start, 86_400);
        assert_eq!(show_ts(start), "2024-01-02 00:00");
        assert_eq!(show_ts(end - 60), "2024-01-02 23:59");
    }

    #[test]
    fn parses_only_real_dates() {
        assert!(parse_date("2024-02-29").is_some());
        assert!(parse_date("2023-02-29").is_none());
        assert!(parse_date("2023/01/01").is_none());
    }
}
