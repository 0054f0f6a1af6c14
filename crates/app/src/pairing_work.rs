//! The overview of assistance work: what each pairing in the actor's scope
//! has planned, received, spent and recorded, ranked.

use crate::error::Result;
use crate::tabular::Cell;
use crate::{Actor, App};
use dingdian_core::assistance::AssistancePlanStatus;
use dingdian_core::pairing_work::{PairingWork, WorkFilter};
use dingdian_core::role::Action;
use dingdian_core::{Fen, Page};
use dingdian_store::pairing_work;

/// The columns of the overview's export, in both languages.
pub const WORK_COLUMNS: &[(&str, &str)] = &[
    ("帮扶单位", "Unit"),
    ("县", "County"),
    ("县代码", "County code"),
    ("帮扶工作规划", "Assistance plan"),
    ("项目（未取消）", "Projects (not cancelled)"),
    ("已验收项目", "Projects accepted"),
    ("项目预算（元）", "Project budgets (yuan)"),
    ("直接投入（元）", "Direct funds (yuan)"),
    ("引进资金（元）", "Introduced funds (yuan)"),
    ("其他资金（元）", "Other funds (yuan)"),
    ("支出（元）", "Spent (yuan)"),
    ("培训（人次）", "Trainees (person-times)"),
    ("劳务输出（人次）", "Labour transferred (person-times)"),
    ("劳务收入（元）", "Labour income (yuan)"),
    ("消费帮扶（元）", "Products bought and sold (yuan)"),
];

fn yuan(f: Fen) -> Cell {
    Cell::Number(f.yuan())
}

fn row(w: PairingWork) -> Vec<Cell> {
    vec![
        w.unit_name.into(),
        w.county_name.into(),
        w.county_code.into(),
        w.plan_status
            .as_deref()
            .and_then(AssistancePlanStatus::from_code)
            .map(AssistancePlanStatus::zh)
            .into(),
        Cell::Int(w.projects.live()),
        Cell::Int(w.projects.accepted),
        yuan(w.budget_fen),
        yuan(w.direct_funds),
        yuan(w.introduced_funds),
        yuan(w.other_funds),
        yuan(w.spent_fen),
        Cell::Int(w.trainees),
        Cell::Int(w.labour_transferred),
        yuan(w.labour_income),
        yuan(w.products_fen),
    ]
}

impl App {
    /// The pairings in scope with what each has done, ranked by the
    /// filter's ranking; one page of them and how many there are.
    pub fn pairing_work(
        &self,
        actor: &Actor,
        f: &WorkFilter,
        page: Page,
    ) -> Result<(Vec<PairingWork>, i64)> {
        actor.require(Action::ReadAssistance)?;
        let mut rows = self
            .store
            .read(|c| pairing_work::list(c, &actor.scope, f))?;
        f.ranking.sort(&mut rows);
        let total = rows.len() as i64;
        let start = usize::try_from(page.offset()).unwrap_or(usize::MAX);
        let take = usize::try_from(page.limit()).unwrap_or(usize::MAX);
        Ok((rows.into_iter().skip(start).take(take).collect(), total))
    }

    /// The whole ranked overview as xlsx (audited as `pairing_work.export`).
    pub fn export_pairing_work(&self, actor: &Actor, f: &WorkFilter) -> Result<Vec<u8>> {
        let (rows, _) = self.pairing_work(actor, f, Page::all())?;
        let headers: Vec<String> = WORK_COLUMNS.iter().map(|(zh, _)| zh.to_string()).collect();
        let rows: Vec<Vec<Cell>> = rows.into_iter().map(row).collect();
        self.audited_xlsx(
            actor,
            ("pairing_work.export", "pairing"),
            "overview",
            &headers,
            &rows,
        )
    }
}
