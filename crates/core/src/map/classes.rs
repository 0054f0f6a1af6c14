//! Class breaks of a choropleth: quantiles of the values shown, or breaks
//! the user gives. Breaks are ascending thresholds t₁ < … < tₘ; a value's
//! class is how many thresholds it exceeds, so `5,10,20` makes the classes
//! ≤5, 5–10, 10–20 and >20. A county without a value is never classed.

use crate::Msg;

/// Quantile classes allowed (fewer cannot show a spread, more cannot be
/// told apart in print).
pub const QUANTILES: std::ops::RangeInclusive<usize> = 3..=7;
/// Fixed breaks allowed: 1 to 8 numbers (2 to 9 classes).
pub const MOST_BREAKS: usize = 8;

/// How the user asked for classes.
#[derive(Debug, Clone, PartialEq)]
pub enum ClassMethod {
    Quantile(usize),
    Fixed(Vec<f64>),
}

/// The thresholds of a map's classes.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Classes {
    pub breaks: Vec<f64>,
}

fn known(values: &[Option<f64>]) -> Vec<f64> {
    values
        .iter()
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .collect()
}

impl ClassMethod {
    /// Checks the method: k within [`QUANTILES`]; breaks ascending and 1 to
    /// [`MOST_BREAKS`] numbers.
    pub fn new_quantile(k: usize) -> Result<ClassMethod, Msg> {
        if QUANTILES.contains(&k) {
            Ok(ClassMethod::Quantile(k))
        } else {
            Err(Msg::new(
                "bad_class_count",
                "分位数分级应为 3 至 7 级",
                "quantile classes must number 3 to 7",
            ))
        }
    }

    /// Reads breaks typed as `5,10,20` (commas, Chinese commas or spaces).
    pub fn parse_breaks(text: &str) -> Result<ClassMethod, Msg> {
        let bad = || {
            Msg::new(
                "bad_breaks",
                "分级断点应为 1 至 8 个递增的数，用逗号分隔，例如 5,10,20",
                "breaks must be 1 to 8 ascending numbers separated by commas, e.g. 5,10,20",
            )
        };
        let nums = text
            .split([',', '，', ' '])
            .filter(|s| !s.is_empty())
            .map(|s| s.parse::<f64>().ok().filter(|v| v.is_finite()))
            .collect::<Option<Vec<f64>>>()
            .ok_or_else(bad)?;
        if nums.is_empty() || nums.len() > MOST_BREAKS || nums.windows(2).any(|w| w[0] >= w[1]) {
            return Err(bad());
        }
        Ok(ClassMethod::Fixed(nums))
    }

    /// The classes of these values.
    pub fn classes(&self, values: &[Option<f64>]) -> Classes {
        match self {
            ClassMethod::Fixed(b) => Classes { breaks: b.clone() },
            ClassMethod::Quantile(k) => quantiles(values, *k),
        }
    }
}

/// Breaks at the k-quantiles of the known values (nearest rank). Ties
/// collapse: equal thresholds are kept once, so all-equal values make one
/// class and no value lands in an empty class between equal breaks.
pub fn quantiles(values: &[Option<f64>], k: usize) -> Classes {
    let mut v = known(values);
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let mut breaks: Vec<f64> = Vec::new();
    if n > 1 {
        for i in 1..k {
            let at = (i * n).div_ceil(k).clamp(1, n) - 1;
            let t = v[at];
            // A threshold at the maximum would leave the top class empty.
            if t < v[n - 1] && breaks.last().is_none_or(|l| *l < t) {
                breaks.push(t);
            }
        }
    }
    Classes { breaks }
}

impl Classes {
    pub fn count(&self) -> usize {
        self.breaks.len() + 1
    }

    /// The class of a value: how many breaks it exceeds; none without one.
    pub fn class_of(&self, v: Option<f64>) -> Option<usize> {
        let v = v.filter(|v| v.is_finite())?;
        Some(self.breaks.iter().filter(|t| v > **t).count())
    }

    /// Per class, its lower and upper bound (none at the open ends).
    pub fn ranges(&self) -> Vec<(Option<f64>, Option<f64>)> {
        (0..self.count())
            .map(|i| {
                let low = i.checked_sub(1).map(|j| self.breaks[j]);
                (low, self.breaks.get(i).copied())
            })
            .collect()
    }

    /// How many values fall in each class.
    pub fn counts(&self, values: &[Option<f64>]) -> Vec<usize> {
        let mut out = vec![0; self.count()];
        for c in values.iter().filter_map(|v| self.class_of(*v)) {
            out[c] += 1;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn some(v: &[f64]) -> Vec<Option<f64>> {
        v.iter().map(|x| Some(*x)).collect()
    }

    #[test]
    fn quantiles_split_the_values_evenly() {
        let v = some(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let c = quantiles(&v, 3);
        assert_eq!(c.breaks, vec![2.0, 4.0]);
        assert_eq!(c.counts(&v), vec![2, 2, 2]);
        assert_eq!(c.class_of(Some(2.0)), Some(0));
        assert_eq!(c.class_of(Some(2.5)), Some(1));
        assert_eq!(c.class_of(Some(6.0)), Some(2));
    }

    #[test]
    fn ties_and_equal_values_collapse_classes() {
        let v = some(&[1.0, 1.0, 1.0, 1.0, 9.0]);
        let c = quantiles(&v, 5);
        assert_eq!(c.breaks, vec![1.0]);
        assert_eq!(c.counts(&v), vec![4, 1]);
        let same = some(&[3.0, 3.0, 3.0]);
        let c = quantiles(&same, 4);
        assert!(c.breaks.is_empty());
        assert_eq!(c.counts(&same), vec![3]);
    }

    #[test]
    fn one_value_empty_and_nulls() {
        assert!(quantiles(&some(&[7.0]), 5).breaks.is_empty());
        assert!(quantiles(&[], 5).breaks.is_empty());
        let v = vec![None, Some(1.0), Some(f64::NAN), Some(2.0), Some(3.0)];
        let c = quantiles(&v, 3);
        assert_eq!(c.class_of(None), None);
        assert_eq!(c.class_of(Some(f64::NAN)), None);
        assert_eq!(c.counts(&v).iter().sum::<usize>(), 3);
    }

    #[test]
    fn fixed_breaks_are_ascending_and_bounded() {
        let m = ClassMethod::parse_breaks("5,10，20").unwrap();
        let c = m.classes(&[]);
        assert_eq!(c.breaks, vec![5.0, 10.0, 20.0]);
        assert_eq!(c.class_of(Some(5.0)), Some(0));
        assert_eq!(c.class_of(Some(25.0)), Some(3));
        assert_eq!(c.ranges()[0], (None, Some(5.0)));
        assert_eq!(c.ranges()[3], (Some(20.0), None));
        for bad in ["", "10,5", "5,5", "x", "1,2,3,4,5,6,7,8,9", "inf"] {
            assert_eq!(
                ClassMethod::parse_breaks(bad).unwrap_err().code,
                "bad_breaks",
                "{bad}"
            );
        }
        assert!(ClassMethod::new_quantile(2).is_err());
        assert!(ClassMethod::new_quantile(8).is_err());
        assert_eq!(
            ClassMethod::new_quantile(5).unwrap(),
            ClassMethod::Quantile(5)
        );
    }
}
