//! `import records KIND FILE --unit ID`: a unit's work records from xlsx
//! or CSV, all or nothing, as the unit would import them on its page.

use super::{Failure, ImportOpts, import_failure, import_input, open};
use clap::ValueEnum;
use dingdian_app::Actor;
use dingdian_app::records::RecordKind;
use dingdian_core::role::{Role, Scope};

/// What the file holds.
#[derive(Clone, Copy, ValueEnum)]
pub enum Kind {
    /// Trainings (培训)
    Trainings,
    /// Labour transfers (劳务输出)
    Labour,
    /// Consumption records (消费帮扶)
    Consumption,
    /// The 832 platform's buyer export (下单日期, 采购人, 供应商, 供应商所在县, 商品, 金额)
    Purchases,
}

impl Kind {
    fn record_kind(self) -> RecordKind {
        match self {
            Kind::Trainings => RecordKind::Trainings,
            Kind::Labour => RecordKind::Labour,
            Kind::Consumption => RecordKind::Consumption,
            Kind::Purchases => RecordKind::Purchases,
        }
    }
}

/// Imports the file as the unit's records: the operator, who holds the
/// database, acts for the unit (the unit must exist).
pub fn import(kind: Kind, unit: i64, opts: &ImportOpts) -> Result<(), Failure> {
    let (encoding, bytes, name) = import_input(opts)?;
    let app = open(&opts.db)?;
    app.get_unit(&Actor::cli(), unit)?;
    let actor = Actor {
        role: Role::Unit,
        scope: Scope::Unit(unit),
        ..Actor::cli()
    };
    let r = app
        .import_records(&actor, kind.record_kind(), &name, &bytes, encoding)
        .map_err(|e| import_failure(e, &opts.format))?;
    let summary = serde_json::json!({ "imported": r.rows, "rejected": 0, "errors": [] });
    if opts.format == "json" {
        println!("{summary}");
    } else {
        println!("导入成功 / imported: {summary}");
    }
    Ok(())
}
