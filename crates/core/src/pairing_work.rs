//! What one pairing (a unit and a county) has done: the figures of the
//! overview that a unit, a county and the office read first. Every figure
//! is summed from projects, ledger entries and work records, never typed.

use crate::area::CountyCode;
use crate::{Fen, Year};
use serde::Serialize;

/// Projects of a pairing by lifecycle status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ProjectCounts {
    pub planned: i64,
    pub approved: i64,
    pub in_progress: i64,
    pub completed: i64,
    pub accepted: i64,
    pub cancelled: i64,
}

impl ProjectCounts {
    /// Projects not cancelled.
    pub fn live(&self) -> i64 {
        self.planned + self.approved + self.in_progress + self.completed + self.accepted
    }
}

/// The work of one pairing, over all years or one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PairingWork {
    pub unit_id: i64,
    pub unit_name: String,
    pub county_code: String,
    pub county_name: String,
    /// The status code of the unit's current assistance plan for the county
    /// (the newest version not superseded), if it has one.
    pub plan_status: Option<String>,
    pub projects: ProjectCounts,
    /// Budgets of the projects not cancelled.
    #[schema(value_type = i64)]
    pub budget_fen: Fen,
    /// Money received, by source (receipts not reversed).
    #[schema(value_type = i64)]
    pub direct_funds: Fen,
    #[schema(value_type = i64)]
    pub introduced_funds: Fen,
    #[schema(value_type = i64)]
    pub other_funds: Fen,
    /// Expenditures not reversed.
    #[schema(value_type = i64)]
    pub spent_fen: Fen,
    /// Person-times of all trainings.
    pub trainees: i64,
    pub labour_transferred: i64,
    #[schema(value_type = i64)]
    pub labour_income: Fen,
    /// Products bought and sold with the unit's help.
    #[schema(value_type = i64)]
    pub products_fen: Fen,
}

impl PairingWork {
    pub fn received(&self) -> Fen {
        Fen::new(self.direct_funds.get() + self.introduced_funds.get() + self.other_funds.get())
    }
}

/// What the overview ranks pairings by (largest first).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum WorkRanking {
    #[default]
    Received,
    Spent,
    Projects,
    Trainees,
    Labour,
    Products,
}

pub const ALL_RANKINGS: [WorkRanking; 6] = [
    WorkRanking::Received,
    WorkRanking::Spent,
    WorkRanking::Projects,
    WorkRanking::Trainees,
    WorkRanking::Labour,
    WorkRanking::Products,
];

impl WorkRanking {
    pub fn code(self) -> &'static str {
        match self {
            WorkRanking::Received => "received",
            WorkRanking::Spent => "spent",
            WorkRanking::Projects => "projects",
            WorkRanking::Trainees => "trainees",
            WorkRanking::Labour => "labour",
            WorkRanking::Products => "products",
        }
    }

    pub fn from_code(s: &str) -> Option<WorkRanking> {
        ALL_RANKINGS.into_iter().find(|r| r.code() == s)
    }

    fn key(self, w: &PairingWork) -> i64 {
        match self {
            WorkRanking::Received => w.received().get(),
            WorkRanking::Spent => w.spent_fen.get(),
            WorkRanking::Projects => w.projects.live(),
            WorkRanking::Trainees => w.trainees,
            WorkRanking::Labour => w.labour_transferred,
            WorkRanking::Products => w.products_fen.get(),
        }
    }

    /// Largest first; ties by unit, then county, so that pages are stable.
    pub fn sort(self, rows: &mut [PairingWork]) {
        rows.sort_by(|a, b| {
            self.key(b)
                .cmp(&self.key(a))
                .then(a.unit_id.cmp(&b.unit_id))
                .then(a.county_code.cmp(&b.county_code))
        });
    }
}

/// Which pairings the overview covers.
#[derive(Debug, Clone, Default)]
pub struct WorkFilter {
    pub unit_id: Option<i64>,
    pub county: Option<CountyCode>,
    /// Only this year's money and records, and pairings in force in it.
    pub year: Option<Year>,
    /// Unit or county name contains.
    pub q: Option<String>,
    pub ranking: WorkRanking,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn work(unit_id: i64, county: &str, direct: i64, trainees: i64) -> PairingWork {
        PairingWork {
            unit_id,
            unit_name: format!("unit {unit_id}"),
            county_code: county.into(),
            county_name: county.into(),
            plan_status: None,
            projects: ProjectCounts::default(),
            budget_fen: Fen::ZERO,
            direct_funds: Fen::new(direct),
            introduced_funds: Fen::new(1),
            other_funds: Fen::ZERO,
            spent_fen: Fen::ZERO,
            trainees,
            labour_transferred: 0,
            labour_income: Fen::ZERO,
            products_fen: Fen::ZERO,
        }
    }

    #[test]
    fn ranking_puts_the_largest_first_and_breaks_ties_by_unit_and_county() {
        let mut rows = vec![
            work(2, "623023", 100, 5),
            work(1, "623024", 300, 1),
            work(1, "623023", 100, 9),
        ];
        WorkRanking::Received.sort(&mut rows);
        let order: Vec<_> = rows
            .iter()
            .map(|w| (w.unit_id, w.county_code.as_str()))
            .collect();
        assert_eq!(order, [(1, "623024"), (1, "623023"), (2, "623023")]);
        WorkRanking::Trainees.sort(&mut rows);
        assert_eq!(rows[0].trainees, 9);
        assert_eq!(rows[0].received(), Fen::new(101));
    }

    #[test]
    fn ranking_codes_round_trip_and_unknown_ones_fail() {
        for r in ALL_RANKINGS {
            assert_eq!(WorkRanking::from_code(r.code()), Some(r));
        }
        assert_eq!(WorkRanking::from_code("budget"), None);
    }

    #[test]
    fn live_projects_leave_out_the_cancelled() {
        let c = ProjectCounts {
            planned: 1,
            approved: 2,
            in_progress: 3,
            completed: 4,
            accepted: 5,
            cancelled: 6,
        };
        assert_eq!(c.live(), 15);
    }
}
