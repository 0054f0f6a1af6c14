//! The indicator mathematics of `indicators.md`: what a scan of the registry
//! and of the area statistics accumulates for one area and year, and the
//! indicators computed from those sums. Pure.
//!
//! Aggregation above the county adds the sums ([`Accum::merge`],
//! [`StatsAccum::merge`]) and divides once in [`compute`]; it never averages
//! county percentages.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::registry::PovertyStatus;

/// Sums over the registry members of one area and year. Addable.
#[derive(Default, Clone, Copy, Debug, PartialEq)]
pub struct Accum {
    /// |R|.
    pub members: u64,
    /// Distinct households; counted by the caller per county (a household
    /// lies in one county), so they add up across counties.
    pub households: u64,
    /// Members whose status is poor or returned.
    pub poor: u64,
    pub exited: u64,
    pub returned: u64,
    pub income_fen_sum: i128,
    /// Members measured against a known poverty line. The FGT measures exist
    /// only when every member was (`members_with_line == members`).
    pub members_with_line: u64,
    /// Members strictly below the line.
    pub below_line: u64,
    /// Σ (1 − y/z) over members below the line.
    pub fgt1_sum: f64,
    /// Σ (1 − y/z)² over members below the line.
    pub fgt2_sum: f64,
}

impl Accum {
    /// Adds one member whose household income per capita is `income_fen`,
    /// against the poverty line `line_fen` (strictly below counts; `None`
    /// when the year has no known line).
    pub fn add_member(&mut self, status: PovertyStatus, income_fen: i64, line_fen: Option<i64>) {
        self.members += 1;
        match status {
            PovertyStatus::Poor => self.poor += 1,
            PovertyStatus::Exited => self.exited += 1,
            PovertyStatus::Returned => {
                self.poor += 1;
                self.returned += 1;
            }
        }
        self.income_fen_sum += i128::from(income_fen);
        if let Some(z) = line_fen.filter(|z| *z > 0) {
            self.members_with_line += 1;
            if income_fen < z {
                let gap = 1.0 - income_fen as f64 / z as f64;
                self.below_line += 1;
                self.fgt1_sum += gap;
                self.fgt2_sum += gap * gap;
            }
        }
    }

    /// Adds the sums of another part of the area (households add too).
    pub fn merge(&mut self, other: &Accum) {
        self.members += other.members;
        self.households += other.households;
        self.poor += other.poor;
        self.exited += other.exited;
        self.returned += other.returned;
        self.income_fen_sum += other.income_fen_sum;
        self.members_with_line += other.members_with_line;
        self.below_line += other.below_line;
        self.fgt1_sum += other.fgt1_sum;
        self.fgt2_sum += other.fgt2_sum;
    }
}

/// The statistics side of one area and year (sums over its counties' rows).
#[derive(Default, Clone, Copy, Debug, PartialEq)]
pub struct StatsAccum {
    /// Counties with a statistics row.
    pub counties: u64,
    pub counties_with_population: u64,
    /// Σ rural population over the counties that have it.
    pub rural_population: i64,
    pub counties_with_income: u64,
    /// Σ income_yuan × population over the counties having both.
    pub income_weighted_sum: f64,
    /// For exactly one county: its own income; `None` otherwise.
    pub own_income: Option<f64>,
}

impl StatsAccum {
    /// Adds one county's statistics row.
    pub fn add_county(&mut self, rural_population: Option<i64>, rural_income_yuan: Option<f64>) {
        let one = StatsAccum {
            counties: 1,
            counties_with_population: u64::from(rural_population.is_some()),
            rural_population: rural_population.unwrap_or(0),
            counties_with_income: u64::from(rural_income_yuan.is_some()),
            income_weighted_sum: match (rural_population, rural_income_yuan) {
                (Some(p), Some(i)) => i * p as f64,
                _ => 0.0,
            },
            own_income: rural_income_yuan,
        };
        self.merge(&one);
    }

    pub fn merge(&mut self, other: &StatsAccum) {
        self.own_income = match (self.counties, other.counties) {
            (0, _) => other.own_income,
            (_, 0) => self.own_income,
            _ => None,
        };
        self.counties += other.counties;
        self.counties_with_population += other.counties_with_population;
        self.rural_population += other.rural_population;
        self.counties_with_income += other.counties_with_income;
        self.income_weighted_sum += other.income_weighted_sum;
    }
}

/// The indicators of one area and year; field names are those of
/// `indicators.md` (and of the JSON). Percentages are in per cent, money in
/// yuan, at full precision.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Indicators {
    pub registered_population: u64,
    pub registered_households: u64,
    pub poor_population: u64,
    pub exited_population: u64,
    pub returned_population: u64,
    pub rural_population: Option<i64>,
    pub poverty_incidence: Option<f64>,
    pub return_rate: Option<f64>,
    pub mean_income: Option<f64>,
    pub fgt0: Option<f64>,
    pub fgt1: Option<f64>,
    pub fgt2: Option<f64>,
    pub rural_income_per_capita: Option<f64>,
    pub rural_income_growth: Option<f64>,
    pub exit_eligible: Option<bool>,
}

/// How many counties an area has, counted two ways.
#[derive(Default, Clone, Copy, Debug, PartialEq, Eq)]
pub struct AreaCounties {
    /// Counties with registry or statistics rows for the year.
    pub in_data: u64,
    /// Counties of the area in the division table (the `areas` table), and
    /// any further county present in the data: the strict rule of
    /// `indicators.md` — a rural population above the county needs every
    /// one of them.
    pub in_division: u64,
}

impl AreaCounties {
    /// The same count both ways (a county; or tests).
    pub fn same(n: u64) -> AreaCounties {
        AreaCounties {
            in_data: n,
            in_division: n,
        }
    }

    /// Counties of the area that lack a rural population this year.
    pub fn missing_population(&self, s: &StatsAccum) -> u64 {
        self.in_division
            .max(self.in_data)
            .saturating_sub(s.counties_with_population)
    }
}

/// Computes the indicators of one area and year.
///
/// - `counties`: the area's counties (see [`AreaCounties`]).
///   `rural_population` is null unless every county of the area in the
///   division table has one (`indicators.md`'s strict rule: a sum over only
///   the counties present would overstate the incidence), or none has one.
/// - `rural_income_per_capita`: for a county (`is_county`), its own value.
///   Above the county, the population-weighted mean Σ(income × population) /
///   Σ population — and null unless *every* county in the data has both an
///   income and a population (a mean over only some counties would silently
///   describe a different area, like a sum over only some populations).
/// - `previous_income`: last year's `rural_income_per_capita` of the same
///   area; growth is null when either year's value is missing or last year's
///   is 0.
/// - FGT measures need a known poverty line for every member (see
///   [`Accum::members_with_line`]); mean income and FGT are null when R is
///   empty.
/// - `exit_eligible` only for counties (`western`: the county is in the
///   western region); null above the county and when the incidence is null.
pub fn compute(
    r: &Accum,
    s: &StatsAccum,
    counties: AreaCounties,
    previous_income: Option<f64>,
    is_county: bool,
    western: bool,
) -> Indicators {
    let counties_in_area = counties.in_data;
    let rural_population = (s.counties_with_population > 0 && counties.missing_population(s) == 0)
        .then_some(s.rural_population);
    // A year with statistics but no registry rows has no poor population to
    // speak of: the incidence needs the missing side, so it is null, not 0.
    let poverty_incidence = rural_population
        .filter(|p| *p > 0 && r.members > 0)
        .map(|p| 100.0 * r.poor as f64 / p as f64);
    let moved = r.exited + r.returned;
    let return_rate = (moved > 0).then(|| 100.0 * r.returned as f64 / moved as f64);
    let n = r.members as f64;
    let mean_income = (r.members > 0).then(|| r.income_fen_sum as f64 / n / 100.0);
    let fgt_known = r.members > 0 && r.members_with_line == r.members;
    let fgt0 = fgt_known.then(|| r.below_line as f64 / n);
    let fgt1 = fgt_known.then(|| r.fgt1_sum / n);
    let fgt2 = fgt_known.then(|| r.fgt2_sum / n);
    let rural_income_per_capita = if is_county {
        s.own_income
    } else {
        let complete = counties_in_area > 0
            && s.counties_with_income >= counties_in_area
            && s.counties_with_population >= counties_in_area
            && s.rural_population > 0;
        complete.then(|| s.income_weighted_sum / s.rural_population as f64)
    };
    let rural_income_growth = match (rural_income_per_capita, previous_income) {
        (Some(this), Some(last)) if last != 0.0 => Some(100.0 * (this / last - 1.0)),
        _ => None,
    };
    let exit_eligible = if is_county {
        exit_eligible(poverty_incidence, western)
    } else {
        None
    };
    Indicators {
        registered_population: r.members,
        registered_households: r.households,
        poor_population: r.poor,
        exited_population: r.exited,
        returned_population: r.returned,
        rural_population,
        poverty_incidence,
        return_rate,
        mean_income,
        fgt0,
        fgt1,
        fgt2,
        rural_income_per_capita,
        rural_income_growth,
        exit_eligible,
    }
}

/// Compound annual growth in per cent between years a < b:
/// 100 × ((v_b / v_a)^(1/(b−a)) − 1). `None` when a ≥ b, v_a ≤ 0 or v_b < 0.
pub fn compound_growth(v_a: f64, a: i32, v_b: f64, b: i32) -> Option<f64> {
    if a >= b || v_a <= 0.0 || v_b < 0.0 || !v_a.is_finite() || !v_b.is_finite() {
        return None;
    }
    let years = f64::from(b - a);
    Some(100.0 * ((v_b / v_a).powf(1.0 / years) - 1.0))
}

/// Whether a county meets the exit standard: poverty incidence below 3.0 %
/// in the western region, below 2.0 % elsewhere. `None` when the incidence
/// is.
pub fn exit_eligible(incidence: Option<f64>, western: bool) -> Option<bool> {
    let limit = if western { 3.0 } else { 2.0 };
    incidence.map(|i| i < limit)
}

/// The completeness rule: a part is "much smaller" than before when it is
/// less than half of it (`now × 2 < before`). It judges a year's
/// registered population, and the villages and townships with registered
/// people, against the latest earlier year of the same area; the registry
/// import warns with it too. Documented in the guides.
pub fn much_smaller(now: u64, before: u64) -> bool {
    now.saturating_mul(2) < before
}

/// What an area's registry holds in one year, whatever the slice: members,
/// and the villages and townships that have any. Addable across counties.
#[derive(Default, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Presence {
    pub members: u64,
    pub villages: u64,
    pub townships: u64,
}

impl Presence {
    pub fn merge(&mut self, o: &Presence) {
        self.members += o.members;
        self.villages += o.villages;
        self.townships += o.townships;
    }
}

/// Whether a year's figures of an area look complete.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CompletenessState {
    Complete,
    Incomplete,
}

/// Why a year looks incomplete: this part is less than half of the year
/// compared with ([`much_smaller`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Shortfall {
    RegisteredPopulation,
    Villages,
    Townships,
}

impl Shortfall {
    pub fn as_str(self) -> &'static str {
        match self {
            Shortfall::RegisteredPopulation => "registered_population",
            Shortfall::Villages => "villages",
            Shortfall::Townships => "townships",
        }
    }
}

/// The completeness of one area and year (the JSON `completeness` object).
/// It adds to the indicators and changes none of them: a client that must
/// not conclude on incomplete data (an exit verdict, a year-on-year change)
/// reads `state` first.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Completeness {
    pub state: CompletenessState,
    /// Empty when complete.
    pub reasons: Vec<Shortfall>,
    /// This year's registry, whatever the slice.
    pub registered_population: u64,
    pub villages: u64,
    pub townships: u64,
    /// The latest earlier year with registry rows for the area, and its
    /// figures; null for the first year.
    pub compared_year: Option<i32>,
    pub compared_registered_population: Option<u64>,
    pub compared_villages: Option<u64>,
    pub compared_townships: Option<u64>,
    /// Counties of the area (division table; 0 below the county, where
    /// there are no statistics) and how many of them lack a rural
    /// population this year (why `rural_population` is null).
    pub counties: u64,
    pub counties_missing_rural_population: u64,
}

impl Completeness {
    pub fn is_complete(&self) -> bool {
        self.state == CompletenessState::Complete
    }
}

/// Judges a year of an area against the latest earlier year with registry
/// rows (`before`): incomplete when the registered population, the villages
/// or the townships present are less than half of that year's. The first
/// year has nothing to compare with and counts as complete.
pub fn completeness(
    now: Presence,
    before: Option<(i32, Presence)>,
    counties: AreaCounties,
    s: &StatsAccum,
) -> Completeness {
    let mut reasons = Vec::new();
    if let Some((_, b)) = before {
        for (reason, n, m) in [
            (Shortfall::RegisteredPopulation, now.members, b.members),
            (Shortfall::Villages, now.villages, b.villages),
            (Shortfall::Townships, now.townships, b.townships),
        ] {
            if much_smaller(n, m) {
                reasons.push(reason);
            }
        }
    }
    Completeness {
        state: if reasons.is_empty() {
            CompletenessState::Complete
        } else {
            CompletenessState::Incomplete
        },
        reasons,
        registered_population: now.members,
        villages: now.villages,
        townships: now.townships,
        compared_year: before.map(|b| b.0),
        compared_registered_population: before.map(|b| b.1.members),
        compared_villages: before.map(|b| b.1.villages),
        compared_townships: before.map(|b| b.1.townships),
        counties: counties.in_division.max(counties.in_data),
        counties_missing_rural_population: counties.missing_population(s),
    }
}

/// The national poverty line per year, in fen per person per year (the
/// table of `poverty-lines.csv`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PovertyLines(BTreeMap<i32, i64>);

impl PovertyLines {
    /// Reads the `year,line_yuan,note` CSV (header row first; columns found
    /// by name, in any order; `note` optional; UTF-8 BOM, CRLF, blank lines
    /// and double-quoted fields allowed). `line_yuan` is a decimal ≥ 0 with at
    /// most two decimals. Errors name the line.
    pub fn parse_csv(text: &str) -> Result<PovertyLines, String> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let records = split_csv(text)?;
        let mut it = records
            .into_iter()
            .filter(|(_, r)| !(r.len() == 1 && r[0].trim().is_empty()));
        let (_, header) = it.next().ok_or("the poverty line table is empty")?;
        let col = |name: &str| {
            header
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name))
        };
        let (Some(yc), Some(lc)) = (col("year"), col("line_yuan")) else {
            return Err(format!(
                "line 1: the header must name the columns year and line_yuan, found: {}",
                header.join(",")
            ));
        };
        let mut map = BTreeMap::new();
        for (line, rec) in it {
            let cell = |i: usize| rec.get(i).map(|s| s.trim()).unwrap_or("");
            let year: i32 = cell(yc)
                .parse()
                .map_err(|_| format!("line {line}: year {:?} is not a whole number", cell(yc)))?;
            let fen = yuan_to_fen(cell(lc))
                .ok_or_else(|| format!("line {line}: line_yuan {:?} is not an amount of yuan ≥ 0 with at most two decimals", cell(lc)))?;
            if map.insert(year, fen).is_some() {
                return Err(format!("line {line}: year {year} appears twice"));
            }
        }
        Ok(PovertyLines(map))
    }

    /// The line of `year` in fen, if the table has that year.
    pub fn line_fen(&self, year: i32) -> Option<i64> {
        self.0.get(&year).copied()
    }

    /// (year, fen) in year order.
    pub fn iter(&self) -> impl Iterator<Item = (i32, i64)> + '_ {
        self.0.iter().map(|(y, f)| (*y, *f))
    }
}

impl From<BTreeMap<i32, i64>> for PovertyLines {
    fn from(map: BTreeMap<i32, i64>) -> Self {
        PovertyLines(map)
    }
}

/// `2300` / `2300.5` / `2300.50` → fen; `None` for anything else.
fn yuan_to_fen(s: &str) -> Option<i64> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !digits(int) || !digits(frac) || frac.len() > 2 {
        return None;
    }
    let cents = match frac.len() {
        0 => 0,
        1 => i64::from(frac.as_bytes()[0] - b'0') * 10,
        _ => frac.parse().ok()?,
    };
    int.parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(cents)
}

/// Splits CSV text into records of fields, each with the line number where
/// it starts. Handles double-quoted fields (with `""` for a quote, and
/// commas or line breaks inside).
fn split_csv(text: &str) -> Result<Vec<(usize, Vec<String>)>, String> {
    let mut records = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut line = 1;
    let mut start = 1;
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.trim().is_empty() => {
                field.clear();
                quoted = true;
            }
            ',' => fields.push(std::mem::take(&mut field)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                fields.push(std::mem::take(&mut field));
                records.push((start, std::mem::take(&mut fields)));
                line += 1;
                start = line;
            }
            _ => field.push(c),
        }
    }
    if quoted {
        return Err(format!("line {start}: a quoted field is not closed"));
    }
    if !field.is_empty() || !fields.is_empty() {
        fields.push(field);
        records.push((start, fields));
    }
    Ok(records)
}

#[cfg(test)]
mod registry_side_tests {
    use super::*;

    #[test]
    fn statistics_without_registry_rows_give_no_incidence() {
        let mut s = StatsAccum::default();
        s.add_county(Some(136_950), Some(3046.0));
        let i = compute(
            &Accum::default(),
            &s,
            AreaCounties::same(1),
            None,
            true,
            true,
        );
        assert_eq!(i.rural_population, Some(136_950));
        assert_eq!(i.rural_income_per_capita, Some(3046.0));
        assert_eq!(
            i.poverty_incidence, None,
            "no registry rows: the incidence is unknown, not 0"
        );
        assert_eq!(i.exit_eligible, None);
        assert_eq!(i.mean_income, None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::PovertyStatus::{Exited, Poor, Returned};

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    /// A county with the given members (status, income in yuan) against a line.
    fn county(
        members: &[(PovertyStatus, i64, i64)],
        households: u64,
        line_yuan: Option<i64>,
    ) -> Accum {
        let mut a = Accum::default();
        for &(status, yuan, count) in members {
            for _ in 0..count {
                a.add_member(status, yuan * 100, line_yuan.map(|l| l * 100));
            }
        }
        a.households = households;
        a
    }

    fn stats(pop: Option<i64>, income: Option<f64>) -> StatsAccum {
        let mut s = StatsAccum::default();
        s.add_county(pop, income);
        s
    }

    #[test]
    fn tiny_county_against_a_line_of_2300() {
        // Household A: 3 members, poor, 1840 yuan each; household B: 2
        // members, exited, exactly 2300 yuan (at the line: not below).
        // z = 2300. For A: y/z = 1840/2300 = 0.8, gap 0.2, gap² 0.04.
        // fgt0 = 3/5 = 0.6
        // fgt1 = 3 × 0.2 / 5 = 0.12
        // fgt2 = 3 × 0.04 / 5 = 0.024
        // mean = (3 × 1840 + 2 × 2300) / 5 = 10120 / 5 = 2024 yuan
        // rural population 100 → incidence 100 × 3 / 100 = 3 %
        // return rate = 0 / (2 + 0) = 0 % (defined: the denominator is 2)
        let r = county(&[(Poor, 1840, 3), (Exited, 2300, 2)], 2, Some(2300));
        let i = compute(
            &r,
            &stats(Some(100), Some(3100.0)),
            AreaCounties::same(1),
            Some(2900.0),
            true,
            true,
        );
        assert_eq!(i.registered_population, 5);
        assert_eq!(i.registered_households, 2);
        assert_eq!(
            (
                i.poor_population,
                i.exited_population,
                i.returned_population
            ),
            (3, 2, 0)
        );
        assert!(close(i.fgt0, 0.6));
        assert!(close(i.fgt1, 0.12));
        assert!(close(i.fgt2, 0.024));
        assert!(close(i.mean_income, 2024.0));
        assert_eq!(i.rural_population, Some(100));
        assert!(close(i.poverty_incidence, 3.0));
        assert_eq!(i.return_rate, Some(0.0));
        // Own value for a county; growth 100 × (3100/2900 − 1) = 6.896551724…
        assert_eq!(i.rural_income_per_capita, Some(3100.0));
        assert!(close(i.rural_income_growth, 100.0 * 200.0 / 2900.0));
        // 3.0 % in the west is not below 3.0.
        assert_eq!(i.exit_eligible, Some(false));
    }

    #[test]
    fn fgt_with_three_poverty_depths() {
        // z = 2300; incomes 575 (1 member), 1840 (2), 2300 (2), 5000 (1).
        // 575:  y/z = 0.25, gap 0.75, gap² 0.5625
        // 1840: y/z = 0.8,  gap 0.2,  gap² 0.04 (× 2)
        // 2300 and 5000: not below.
        // |R| = 6; fgt0 = 3/6 = 0.5
        // fgt1 = (0.75 + 0.4) / 6 = 1.15 / 6 = 0.191666…
        // fgt2 = (0.5625 + 0.08) / 6 = 0.6425 / 6 = 0.107083…
        // mean = (575 + 3680 + 4600 + 5000) / 6 = 13855 / 6 = 2309.1666…
        // return rate = 100 × 1 / (2 + 1) = 33.33… %
        let r = county(
            &[
                (Poor, 575, 1),
                (Returned, 1840, 2),
                (Exited, 2300, 2),
                (Exited, 5000, 1),
            ],
            4,
            Some(2300),
        );
        let i = compute(
            &r,
            &StatsAccum::default(),
            AreaCounties::same(1),
            None,
            true,
            false,
        );
        assert!(close(i.fgt0, 0.5));
        assert!(close(i.fgt1, 1.15 / 6.0));
        assert!(close(i.fgt2, 0.6425 / 6.0));
        assert!(close(i.mean_income, 13855.0 / 6.0));
        // Returned members are poor too.
        assert_eq!(
            (
                i.poor_population,
                i.exited_population,
                i.returned_population
            ),
            (3, 3, 2)
        );
        assert!(close(i.return_rate, 100.0 * 2.0 / 5.0));
    }

    #[test]
    fn nulls_where_a_side_is_missing() {
        // No statistics: rural population, incidence, income, growth and the
        // exit check are null, never 0.
        let r = county(&[(Poor, 1000, 2)], 1, Some(2300));
        let i = compute(
            &r,
            &StatsAccum::default(),
            AreaCounties::same(1),
            Some(3000.0),
            true,
            true,
        );
        assert_eq!(i.rural_population, None);
        assert_eq!(i.poverty_incidence, None);
        assert_eq!(i.rural_income_per_capita, None);
        assert_eq!(i.rural_income_growth, None);
        assert_eq!(i.exit_eligible, None);
        // Nobody exited or returned: return rate null.
        assert_eq!(i.return_rate, None);
        // Statistics only (R empty): mean income and FGT null.
        let i = compute(
            &Accum::default(),
            &stats(Some(500), Some(4000.0)),
            AreaCounties::same(1),
            None,
            true,
            false,
        );
        assert_eq!(
            (i.mean_income, i.fgt0, i.fgt1, i.fgt2),
            (None, None, None, None)
        );
        // The incidence needs the registry side: null, and so the exit check.
        assert_eq!(i.poverty_incidence, None);
        assert_eq!(i.exit_eligible, None);
        assert_eq!(i.rural_income_growth, None, "no previous year");
        // Last year's income 0: growth null.
        let i = compute(
            &Accum::default(),
            &stats(Some(500), Some(4000.0)),
            AreaCounties::same(1),
            Some(0.0),
            true,
            false,
        );
        assert_eq!(i.rural_income_growth, None);
    }

    #[test]
    fn unknown_line_makes_fgt_null_but_not_the_rest() {
        let r = county(&[(Poor, 1000, 2)], 1, None);
        let i = compute(
            &r,
            &StatsAccum::default(),
            AreaCounties::same(1),
            None,
            true,
            false,
        );
        assert_eq!((i.fgt0, i.fgt1, i.fgt2), (None, None, None));
        assert!(close(i.mean_income, 1000.0));
        assert_eq!(i.poor_population, 2);
    }

    #[test]
    fn aggregation_adds_counts_then_divides() {
        // County 1: 10 poor of 100 rural people (10 %); county 2: 1 poor of
        // 1000 (0.1 %). Together: 11 / 1100 = 1 %, not (10 + 0.1) / 2 = 5.05 %.
        let mut r = county(&[(Poor, 1000, 10), (Exited, 3000, 5)], 4, Some(2300));
        let r2 = county(&[(Poor, 2000, 1)], 1, Some(2300));
        r.merge(&r2);
        let mut s = stats(Some(100), Some(3000.0));
        s.merge(&stats(Some(1000), Some(4000.0)));
        let i = compute(&r, &s, AreaCounties::same(2), Some(3500.0), false, true);
        assert_eq!(i.registered_population, 16);
        assert_eq!(i.registered_households, 5);
        assert_eq!(i.poor_population, 11);
        assert_eq!(i.rural_population, Some(1100));
        assert!(close(i.poverty_incidence, 1.0));
        assert!((i.poverty_incidence.unwrap() - (10.0 + 0.1) / 2.0).abs() > 1.0);
        // Weighted income: (3000 × 100 + 4000 × 1000) / 1100 = 3909.0909…
        assert!(close(i.rural_income_per_capita, 4_300_000.0 / 1100.0));
        assert!(close(
            i.rural_income_growth,
            100.0 * (4_300_000.0 / 1100.0 / 3500.0 - 1.0)
        ));
        // FGT over the union: below = 11 of 16.
        assert!(close(i.fgt0, 11.0 / 16.0));
        // Above the county there is no exit check.
        assert_eq!(i.exit_eligible, None);
        assert_eq!(s.own_income, None);
    }

    #[test]
    fn rural_population_null_when_one_county_lacks_it() {
        // Two counties in the data; only one has a statistics row.
        let r = county(&[(Poor, 1000, 3)], 1, Some(2300));
        let s = stats(Some(100), Some(3000.0));
        let i = compute(&r, &s, AreaCounties::same(2), None, false, false);
        assert_eq!(i.rural_population, None);
        assert_eq!(i.poverty_incidence, None);
        assert_eq!(i.rural_income_per_capita, None, "one county lacks income");
        // A statistics row without a population counts as lacking it too.
        let mut s = stats(Some(100), Some(3000.0));
        s.add_county(None, None);
        let i = compute(&r, &s, AreaCounties::same(2), None, false, false);
        assert_eq!(i.rural_population, None);
    }

    #[test]
    fn income_above_county_null_if_any_county_lacks_income() {
        let mut s = stats(Some(100), Some(3000.0));
        s.add_county(Some(200), None);
        let i = compute(
            &Accum::default(),
            &s,
            AreaCounties::same(2),
            None,
            false,
            false,
        );
        assert_eq!(i.rural_population, Some(300));
        assert_eq!(i.rural_income_per_capita, None);
    }

    #[test]
    fn a_county_has_its_own_income_and_merging_keeps_it_only_for_one() {
        let mut s = StatsAccum::default();
        s.merge(&stats(Some(100), Some(3046.0)));
        assert_eq!(s.own_income, Some(3046.0));
        s.merge(&StatsAccum::default());
        assert_eq!(s.own_income, Some(3046.0));
        let i = compute(
            &Accum::default(),
            &s,
            AreaCounties::same(1),
            None,
            true,
            true,
        );
        assert_eq!(i.rural_income_per_capita, Some(3046.0));
    }

    #[test]
    fn compound_growth_of_the_zhouqu_example() {
        // 3046 yuan (2011) → 4675 yuan (2014): (4675/3046)^(1/3) = 1.15350 → 15.3 %.
        let g = compound_growth(3046.0, 2011, 4675.0, 2014).unwrap();
        assert!((g - 15.3).abs() < 0.05, "{g}");
        // Independently: 1.1535^3 = 1.534808… ≈ 4675/3046 = 1.534800…
        assert!(((1.0 + g / 100.0).powi(3) * 3046.0 - 4675.0).abs() < 1e-6);
        assert!((g - 15.3499).abs() < 1e-3, "{g}");
        // One year is plain growth.
        assert!((compound_growth(100.0, 2010, 110.0, 2011).unwrap() - 10.0).abs() < 1e-9);
        assert_eq!(compound_growth(3046.0, 2014, 4675.0, 2014), None);
        assert_eq!(compound_growth(3046.0, 2014, 4675.0, 2011), None);
        assert_eq!(compound_growth(0.0, 2011, 4675.0, 2014), None);
        assert_eq!(compound_growth(-1.0, 2011, 4675.0, 2014), None);
    }

    #[test]
    fn exit_thresholds() {
        assert_eq!(exit_eligible(Some(2.99), true), Some(true));
        assert_eq!(exit_eligible(Some(3.0), true), Some(false));
        assert_eq!(exit_eligible(Some(1.99), false), Some(true));
        assert_eq!(exit_eligible(Some(2.0), false), Some(false));
        assert_eq!(exit_eligible(Some(2.5), false), Some(false));
        assert_eq!(exit_eligible(None, true), None);
    }

    // ---- poverty lines ---------------------------------------------------

    #[test]
    fn reads_the_shipped_poverty_line_table() {
        let lines =
            PovertyLines::parse_csv(include_str!("../../../data/poverty-lines.csv")).unwrap();
        assert_eq!(lines.line_fen(2010), Some(230_000));
        assert_eq!(lines.line_fen(2014), Some(280_000));
        assert_eq!(lines.line_fen(2020), Some(400_000));
        assert_eq!(lines.line_fen(2009), None);
        assert_eq!(lines.line_fen(2021), None);
        assert_eq!(lines.iter().count(), 11);
    }

    #[test]
    fn poverty_lines_tolerate_bom_crlf_quotes_and_column_order() {
        let text = "\u{feff}note,line_yuan,year\r\n\"2010 standard, at 2010 prices\",2300,2010\r\n\r\n\"say \"\"hi\"\"\nacross lines\",2536.5,2011\r\n";
        let lines = PovertyLines::parse_csv(text).unwrap();
        assert_eq!(lines.line_fen(2010), Some(230_000));
        assert_eq!(lines.line_fen(2011), Some(253_650));
        // No note column at all is fine.
        assert_eq!(
            PovertyLines::parse_csv("year,line_yuan\n2012,2625")
                .unwrap()
                .line_fen(2012),
            Some(262_500)
        );
    }

    #[test]
    fn poverty_lines_report_bad_input_with_the_line() {
        assert!(PovertyLines::parse_csv("").is_err());
        assert!(
            PovertyLines::parse_csv("yr,line\n2010,2300\n")
                .unwrap_err()
                .contains("year")
        );
        let e =
            PovertyLines::parse_csv("year,line_yuan,note\n2010,2300,a\n2011,abc,b\n").unwrap_err();
        assert!(e.starts_with("line 3"), "{e}");
        let e = PovertyLines::parse_csv("year,line_yuan\n2010,2300\n2010,2400\n").unwrap_err();
        assert!(e.contains("twice"), "{e}");
        assert!(PovertyLines::parse_csv("year,line_yuan\n2010,-1\n").is_err());
        assert!(PovertyLines::parse_csv("year,line_yuan\n2010,2300.123\n").is_err());
        assert!(PovertyLines::parse_csv("year,line_yuan,note\n2010,2300,\"open\n").is_err());
    }
}

#[cfg(test)]
mod completeness_tests {
    use super::*;

    fn present(members: u64, villages: u64, townships: u64) -> Presence {
        Presence {
            members,
            villages,
            townships,
        }
    }

    #[test]
    fn a_year_far_smaller_than_the_last_is_incomplete() {
        // Issue 9: 200 people of Zhouqu after a year with 45 000.
        let c = completeness(
            present(200, 3, 1),
            Some((2016, present(45_000, 300, 19))),
            AreaCounties::same(1),
            &StatsAccum::default(),
        );
        assert_eq!(c.state, CompletenessState::Incomplete);
        assert_eq!(
            c.reasons,
            vec![
                Shortfall::RegisteredPopulation,
                Shortfall::Villages,
                Shortfall::Townships
            ]
        );
        assert_eq!(c.compared_year, Some(2016));
        assert_eq!(c.compared_registered_population, Some(45_000));
        // Exactly half is not "less than half"; villages alone can fail.
        let c = completeness(
            present(500, 4, 2),
            Some((2016, present(1000, 10, 2))),
            AreaCounties::same(1),
            &StatsAccum::default(),
        );
        assert_eq!(c.reasons, vec![Shortfall::Villages]);
        // The first year, and a normal year, are complete.
        for before in [None, Some((2015, present(1000, 10, 2)))] {
            let c = completeness(
                present(900, 10, 2),
                before,
                AreaCounties::same(1),
                &StatsAccum::default(),
            );
            assert!(c.is_complete(), "{c:?}");
            assert!(c.reasons.is_empty());
        }
        assert!(much_smaller(0, 1) && !much_smaller(1, 2) && !much_smaller(0, 0));
    }

    #[test]
    fn strict_rule_counts_every_county_of_the_division() {
        // A province of 5 counties in the division table; only 2 (both in the
        // data) have statistics: no rural population, no incidence, and the
        // completeness says 3 are missing.
        let mut s = StatsAccum::default();
        s.add_county(Some(1000), Some(3000.0));
        s.add_county(Some(2000), Some(4000.0));
        let mut r = Accum::default();
        r.add_member(PovertyStatus::Poor, 100_000, Some(230_000));
        let counties = AreaCounties {
            in_data: 2,
            in_division: 5,
        };
        let i = compute(&r, &s, counties, None, false, true);
        assert_eq!(i.rural_population, None);
        assert_eq!(i.poverty_incidence, None);
        // The income is a weighted mean over the counties in the data, as
        // before (indicators.md: over S).
        assert!(i.rural_income_per_capita.is_some());
        let c = completeness(present(1, 1, 1), None, counties, &s);
        assert_eq!((c.counties, c.counties_missing_rural_population), (5, 3));
        // Every county of the division has one: summed.
        let i = compute(&r, &s, AreaCounties::same(2), None, false, true);
        assert_eq!(i.rural_population, Some(3000));
    }
}
