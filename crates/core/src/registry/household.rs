//! The rules across the rows of one household in one year.

use super::{RegistryRow, Relation, err, household_differences};
use crate::FieldError;

/// Problems across the rows of one household in one year: exactly one head,
/// and the household fields (`village_code`, `income_per_capita`, `status`,
/// `identified_year`, `exit_year`, `cause`, and the extended household
/// fields `household_type` … `water_secure` when given) agree on every row.
///
/// `rows` are (Excel row number, row) of ONE (year, household_id). The
/// household's first row is the one with the lowest row number; every other
/// row is compared with it, and a disagreeing row gets one error per
/// disagreeing column (`household_mismatch`, naming that first row). No head:
/// one error on the first row, field `relation` (`no_head`). Several heads:
/// one error on each head after the first (`second_head`, naming the first
/// head's row). Values are the canonical cell texts (Chinese words for the
/// enumerations, yuan with two decimals for the income). Errors come in row
/// order.
pub fn check_household(rows: &[(usize, &RegistryRow)]) -> Vec<FieldError> {
    let mut out = Vec::new();
    let mut sorted: Vec<(usize, &RegistryRow)> = rows.to_vec();
    sorted.sort_by_key(|(r, _)| *r);
    let Some(&(first_no, first)) = sorted.first() else {
        return out;
    };

    let heads: Vec<usize> = sorted
        .iter()
        .filter(|(_, r)| r.relation == Relation::Head)
        .map(|(n, _)| *n)
        .collect();
    if heads.is_empty() {
        out.push(
            err(
                "relation",
                first.relation.zh(),
                "no_head",
                format!(
                    "户 {} 没有户主（与户主关系为“户主”的成员）",
                    first.household_id
                ),
                format!(
                    "household {} has no head (no member whose relation is “head”)",
                    first.household_id
                ),
            )
            .at_row(first_no),
        );
    }

    for (i, &(no, row)) in sorted.iter().enumerate() {
        if heads.len() > 1 && heads[0] != no && row.relation == Relation::Head {
            out.push(
                err(
                    "relation",
                    row.relation.zh(),
                    "second_head",
                    format!("一户只能有一名户主，第 {} 行已是户主", heads[0]),
                    format!(
                        "a household has only one head, and row {} already is the head",
                        heads[0]
                    ),
                )
                .at_row(no),
            );
        }
        if i == 0 {
            continue;
        }
        mismatches(first_no, first, no, row, &mut out);
    }
    out
}

/// One `household_mismatch` error on row `no` per household column where
/// `row` differs from the household's first row (`first_no`).
fn mismatches(
    first_no: usize,
    first: &RegistryRow,
    no: usize,
    row: &RegistryRow,
    out: &mut Vec<FieldError>,
) {
    // Values are written out only for the columns that differ: most
    // households agree, and this runs for every row of a file.
    let differs: [(&str, bool); 6] = [
        ("village_code", row.village_code != first.village_code),
        ("income_per_capita", row.income_fen != first.income_fen),
        ("status", row.status != first.status),
        (
            "identified_year",
            row.identified_year != first.identified_year,
        ),
        ("exit_year", row.exit_year != first.exit_year),
        ("cause", row.cause != first.cause),
    ];
    let core = differs.iter().filter(|(_, d)| *d).map(|(field, _)| {
        let value = match *field {
            "village_code" => row.village_code.clone(),
            "income_per_capita" => row.income_fen.to_string(),
            "status" => row.status.zh().to_string(),
            "identified_year" => row.identified_year.to_string(),
            "exit_year" => row.exit_year.map(|y| y.to_string()).unwrap_or_default(),
            _ => row.cause.zh().to_string(),
        };
        (*field, value)
    });
    let extended = household_differences(&first.household_extras, &row.household_extras);
    for (field, value) in core.chain(extended) {
        out.push(
            err(
                field,
                &value,
                "household_mismatch",
                format!("同一户各成员的此项应相同，与第 {first_no} 行不一致"),
                format!(
                    "must be the same for every member of the household; differs from row {first_no}"
                ),
            )
            .at_row(no),
        );
    }
}
