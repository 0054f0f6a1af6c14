//! Each role's to-do list on the start page: the plans waiting for the
//! signed-in user, read in one snapshot with a query per group.

use crate::error::Result;
use crate::{Actor, App};
use dingdian_core::Page;
use dingdian_core::plan::{PairingPlan, PairingPlanStatus};
use dingdian_core::query::PairingPlanFilter;
use dingdian_core::role::{Action, Role};
use dingdian_store::plans;

/// Why plans wait for the actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TodoReason {
    /// The office: plans the reviewer returned.
    Returned,
    /// The office: plans in consultation with the units.
    Consultation,
    /// The office: drafts.
    Drafts,
    /// The reviewer: plans submitted for review.
    Review,
    /// A unit: plans in consultation it has not answered.
    Feedback,
}

/// The plans waiting for the actor for one reason (never empty).
#[derive(Debug, Clone)]
pub struct Todo {
    pub reason: TodoReason,
    pub plans: Vec<PairingPlan>,
}

/// What each role's list shows, in order.
fn groups(role: Role) -> &'static [(TodoReason, PairingPlanStatus)] {
    use PairingPlanStatus as S;
    use TodoReason as R;
    match role {
        Role::Office => &[
            (R::Returned, S::Returned),
            (R::Consultation, S::Consultation),
            (R::Drafts, S::Draft),
        ],
        Role::Reviewer => &[(R::Review, S::Submitted)],
        Role::Unit => &[(R::Feedback, S::Consultation)],
        _ => &[],
    }
}

impl App {
    /// The actor's to-do list, empty groups left out (at most 20 plans a
    /// group); `None` for a role that reads no plans.
    pub fn todos(&self, actor: &Actor) -> Result<Option<Vec<Todo>>> {
        if !actor.role.may(Action::ReadPlans) {
            return Ok(None);
        }
        let page = Page::new(Some(1), Some(20));
        let todos = self.store.read(|c| -> Result<Vec<Todo>> {
            let mut out = Vec::new();
            for &(reason, status) in groups(actor.role) {
                let f = PairingPlanFilter {
                    status: Some(status),
                    ..Default::default()
                };
                let mut found = plans::list(c, &actor.scope, &f, page)?.0;
                if let (TodoReason::Feedback, Some(unit)) = (reason, actor.scope.unit()) {
                    let ids: Vec<i64> = found.iter().map(|p| p.id).collect();
                    let answered = plans::answered_by(c, unit, &ids)?;
                    found.retain(|p| !answered.contains(&p.id));
                }
                if !found.is_empty() {
                    out.push(Todo {
                        reason,
                        plans: found,
                    });
                }
            }
            Ok(out)
        })?;
        Ok(Some(todos))
    }
}
