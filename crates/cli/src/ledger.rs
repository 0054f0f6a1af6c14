//! `dingdian export ledger`: the funds ledger as xlsx (entries and
//! balances) or IATI 2.03 activity XML, as the operator (`Actor::cli()`).

use crate::Failure;
use dingdian_app::ledger_export::LedgerFormat;
use dingdian_app::{Actor, App};
use dingdian_core::area::CountyCode;
use dingdian_core::ledger::LedgerFilter;
use std::path::Path;

/// What the command was asked for.
pub(crate) struct LedgerExport<'a> {
    pub format: &'a str,
    pub unit: Option<i64>,
    pub county: Option<&'a str>,
    pub year: Option<i32>,
    pub out: &'a Path,
}

pub(crate) fn export(app: &App, x: LedgerExport) -> Result<(), Failure> {
    let format = LedgerFormat::parse(x.format).ok_or_else(|| {
        Failure::Invalid("--format 须为 xlsx 或 iati / --format must be xlsx or iati".into())
    })?;
    if let Some(c) = x.county.filter(|c| CountyCode::parse(c).is_none()) {
        return Err(Failure::Invalid(format!(
            "--county 须为 6 位县级区划代码 / --county must be a 6-digit county code: {}",
            dingdian_core::error::clip(c)
        )));
    }
    let f = LedgerFilter {
        unit_id: x.unit,
        county_code: x.county.map(str::to_string),
        year: x.year,
        ..Default::default()
    };
    let bytes = app.export_ledger(&Actor::cli(), &f, format)?;
    std::fs::write(x.out, bytes).map_err(|e| {
        Failure::System(format!("无法写入 / cannot write {}: {e}", x.out.display()))
    })?;
    eprintln!("已写入 / written: {}", x.out.display());
    Ok(())
}
