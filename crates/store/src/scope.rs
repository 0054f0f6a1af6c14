//! The condition a caller's scope puts on a row that names its pairing
//! (`unit_id` and `county_code`): pairings, assistance plans, projects,
//! ledger entries, work records, letters.

use crate::db::Value;
use dingdian_core::role::Scope;

/// ` AND {alias}.unit_id = ? …` for the scope (nothing for the whole
/// country), pushing its parameters.
pub(crate) fn on_pairing(alias: &str, scope: &Scope, p: &mut Vec<Value>) -> String {
    match scope {
        Scope::All => String::new(),
        Scope::Unit(u) => {
            p.push((*u).into());
            format!(" AND {alias}.unit_id = ?")
        }
        Scope::County(county) => {
            p.push(county.as_str().into());
            format!(" AND {alias}.county_code = ?")
        }
        Scope::UnitCounty(u, county) => {
            p.push((*u).into());
            p.push(county.as_str().into());
            format!(" AND {alias}.unit_id = ? AND {alias}.county_code = ?")
        }
    }
}
