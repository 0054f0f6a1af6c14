//! The household exit check (贫困户退出): a household may be marked
//! exited only when its per-capita income is strictly above the year's
//! poverty line (at the line is not above it) and the six basic guarantees
//! hold (两不愁三保障 and safe drinking water). A guarantee not recorded
//! cannot be confirmed: that is its own reason, never a pass.

use crate::Msg;
use crate::money::Fen;
use crate::registry::GUARANTEE_COLUMNS;

/// One reason a household marked exited fails the check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitFailure {
    /// Per-capita income at or below the line (both in fen).
    IncomeNotAboveLine { income_fen: i64, line_fen: i64 },
    /// The year has no poverty line: the income cannot be compared.
    NoLine,
    /// The guarantee (index into `GUARANTEE_COLUMNS`) is recorded as not held.
    GuaranteeFails(usize),
    /// The guarantee is not recorded: it cannot be confirmed.
    GuaranteeNotRecorded(usize),
}

impl ExitFailure {
    pub fn code(self) -> &'static str {
        match self {
            ExitFailure::IncomeNotAboveLine { .. } => "income_not_above_line",
            ExitFailure::NoLine => "no_poverty_line",
            ExitFailure::GuaranteeFails(_) => "guarantee_fails",
            ExitFailure::GuaranteeNotRecorded(_) => "guarantee_not_recorded",
        }
    }

    /// The reason in both languages.
    pub fn msg(self) -> Msg {
        let g = |i: usize| GUARANTEE_COLUMNS[i];
        match self {
            ExitFailure::IncomeNotAboveLine {
                income_fen,
                line_fen,
            } => {
                let (i, l) = (Fen::new(income_fen), Fen::new(line_fen));
                Msg::new(
                    self.code(),
                    format!("人均纯收入 {i} 元未高于当年扶贫标准 {l} 元"),
                    format!(
                        "per-capita income {i} yuan is not above the year's poverty line {l} yuan"
                    ),
                )
            }
            ExitFailure::NoLine => Msg::new(
                self.code(),
                "当年没有扶贫标准，收入无法比较",
                "the year has no poverty line: the income cannot be compared",
            ),
            ExitFailure::GuaranteeFails(k) => Msg::new(
                self.code(),
                format!("“{}”未达到", g(k).1),
                format!("{} does not hold", g(k).0),
            ),
            ExitFailure::GuaranteeNotRecorded(k) => Msg::new(
                self.code(),
                format!("“{}”未填写，无法确认", g(k).1),
                format!("{} is not recorded and cannot be confirmed", g(k).0),
            ),
        }
    }
}

/// Every reason the household fails the check; empty when it may be marked
/// exited. `line_fen` is the year's line, if the year has one.
pub fn exit_failures(
    income_fen: i64,
    line_fen: Option<i64>,
    guarantees: &[Option<bool>; 6],
) -> Vec<ExitFailure> {
    let mut out = Vec::new();
    match line_fen {
        None => out.push(ExitFailure::NoLine),
        Some(line) if income_fen <= line => out.push(ExitFailure::IncomeNotAboveLine {
            income_fen,
            line_fen: line,
        }),
        Some(_) => {}
    }
    for (k, g) in guarantees.iter().enumerate() {
        match g {
            Some(true) => {}
            Some(false) => out.push(ExitFailure::GuaranteeFails(k)),
            None => out.push(ExitFailure::GuaranteeNotRecorded(k)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Option<bool>; 6] = [Some(true); 6];

    #[test]
    fn income_must_be_strictly_above_the_line() {
        assert_eq!(
            exit_failures(230_000, Some(230_000), &ALL),
            vec![ExitFailure::IncomeNotAboveLine {
                income_fen: 230_000,
                line_fen: 230_000
            }]
        );
        assert!(exit_failures(230_001, Some(230_000), &ALL).is_empty());
        assert_eq!(
            exit_failures(900_000, None, &ALL),
            vec![ExitFailure::NoLine]
        );
    }

    #[test]
    fn each_guarantee_is_named_and_unrecorded_is_not_a_pass() {
        let mut g = ALL;
        g[4] = Some(false);
        g[5] = None;
        let f = exit_failures(500_000, Some(230_000), &g);
        assert_eq!(
            f,
            vec![
                ExitFailure::GuaranteeFails(4),
                ExitFailure::GuaranteeNotRecorded(5)
            ]
        );
        assert_eq!(f[0].msg().zh, "“住房安全有保障”未达到");
        assert_eq!(
            f[1].msg().en,
            "water_secure is not recorded and cannot be confirmed"
        );
        assert_eq!(exit_failures(0, Some(1), &[None; 6]).len(), 7);
    }
}
