//! Assisting units: list, read, create, edit, import, export.

use crate::error::{AppError, Result};
use crate::tabular::{self, Cell, Column, ColumnMap, Encoding};
use crate::{Actor, App, audit};
use dingdian_core::role::{Action, Scope};
use dingdian_core::unit::{Unit, UnitInput, may_edit_unit, parse_unit_rows};
use dingdian_core::{FieldError, Msg, time};
use dingdian_store::Page;
use dingdian_store::units::{self, UnitFilter};

/// The columns of the unit import template and export.
pub const UNIT_COLUMNS: &[Column] = &[
    Column {
        en: "name",
        zh: "单位名称",
        required: true,
    },
    Column {
        en: "kind",
        zh: "单位类型",
        required: true,
    },
    Column {
        en: "leader",
        zh: "分管领导",
        required: false,
    },
    Column {
        en: "department",
        zh: "分管部门",
        required: false,
    },
    Column {
        en: "contact_name",
        zh: "联系人",
        required: false,
    },
    Column {
        en: "contact_phone",
        zh: "联系电话",
        required: false,
    },
    Column {
        en: "contact_email",
        zh: "电子邮箱",
        required: false,
    },
    Column {
        en: "address",
        zh: "地址",
        required: false,
    },
    Column {
        en: "note",
        zh: "备注",
        required: false,
    },
];

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct UnitImport {
    pub created: usize,
    pub updated: usize,
}

fn duplicate_name(name: &str) -> FieldError {
    FieldError::new(
        "name",
        name,
        Msg::new(
            "duplicate_unit",
            "已有同名单位",
            "a unit with this name exists",
        ),
    )
}

/// One row of a unit import as input.
fn unit_input(map: &ColumnMap, cells: &[String]) -> UnitInput {
    UnitInput {
        name: map.get(cells, "name").into(),
        kind: map.get(cells, "kind").into(),
        leader: map.get(cells, "leader").into(),
        department: map.get(cells, "department").into(),
        contact_name: map.get(cells, "contact_name").into(),
        contact_phone: map.get(cells, "contact_phone").into(),
        contact_email: map.get(cells, "contact_email").into(),
        address: map.get(cells, "address").into(),
        note: map.get(cells, "note").into(),
    }
}

impl App {
    pub fn list_units(
        &self,
        actor: &Actor,
        f: &UnitFilter,
        page: Page,
    ) -> Result<(Vec<Unit>, i64)> {
        actor.require(Action::ReadUnits)?;
        Ok(self.store.read(|c| units::list(c, &actor.scope, f, page))?)
    }

    /// One unit; 404 when it does not exist or the scope does not reach it.
    pub fn get_unit(&self, actor: &Actor, id: i64) -> Result<Unit> {
        actor.require(Action::ReadUnits)?;
        self.store
            .read(|c| units::get(c, &actor.scope, id))?
            .ok_or_else(|| AppError::not_found("单位", "unit"))
    }

    pub fn create_unit(&self, actor: &Actor, input: &UnitInput) -> Result<i64> {
        actor.require(Action::CreateUnits)?;
        let fields = input.parse().map_err(AppError::Invalid)?;
        self.store.write(|c| {
            if units::find_by_name(c, &fields.name)?.is_some() {
                return Err(AppError::Invalid(vec![duplicate_name(&fields.name)]));
            }
            let id = units::insert(c, &fields, time::now_ts())?;
            audit(
                c,
                actor,
                "unit.create",
                ("unit", &id.to_string()),
                "success",
                Some(fields.name.clone()),
            )?;
            Ok(id)
        })
    }

    /// Edits a unit: the office any unit, a unit manager only its own.
    pub fn update_unit(&self, actor: &Actor, id: i64, input: &UnitInput) -> Result<()> {
        actor.require(Action::EditUnits)?;
        let fields = input.parse().map_err(AppError::Invalid)?;
        self.store.write(|c| {
            // A unit the actor may not edit is, to them, not there.
            let reach = may_edit_unit(actor.role, &actor.scope, id);
            units::get(c, &Scope::All, id)?
                .filter(|_| reach)
                .ok_or_else(|| AppError::not_found("单位", "unit"))?;
            if units::find_by_name(c, &fields.name)?.is_some_and(|other| other != id) {
                return Err(AppError::Invalid(vec![duplicate_name(&fields.name)]));
            }
            units::update(c, id, &fields, time::now_ts())?;
            audit(
                c,
                actor,
                "unit.update",
                ("unit", &id.to_string()),
                "success",
                Some(fields.name.clone()),
            )
        })
    }

    /// Imports units from CSV or xlsx, all or nothing: every bad row is
    /// reported. A row naming an existing unit updates it; the same name
    /// twice in one file is an error.
    ///
    /// Every attempt is audited (`unit.import`), whatever it comes to.
    pub fn import_units(
        &self,
        actor: &Actor,
        file_name: &str,
        bytes: &[u8],
        encoding: Encoding,
    ) -> Result<UnitImport> {
        let mut attempt = crate::registry::Attempt::default();
        let out = self.run_units_import(actor, file_name, bytes, encoding, &mut attempt);
        if let Err(e) = &out {
            self.audit_failed_attempt(actor, "unit.import", file_name, e, &attempt.detail());
        }
        out
    }

    fn run_units_import(
        &self,
        actor: &Actor,
        file_name: &str,
        bytes: &[u8],
        encoding: Encoding,
        attempt: &mut crate::registry::Attempt,
    ) -> Result<UnitImport> {
        actor.require(Action::CreateUnits)?;
        let table = tabular::read(file_name, bytes, encoding)?;
        attempt.rows = table.rows.len();
        let map = ColumnMap::new(&table.headers, UNIT_COLUMNS, false)?;
        let rows: Vec<(usize, UnitInput)> = table
            .rows
            .iter()
            .map(|(row, cells)| (*row, unit_input(&map, cells)))
            .collect();
        let parsed = parse_unit_rows(&rows).map_err(|errors| {
            attempt.rejected = errors
                .iter()
                .filter_map(|e| e.row)
                .collect::<std::collections::BTreeSet<_>>()
                .len();
            AppError::Invalid(errors)
        })?;
        self.store.write(|c| {
            let now = time::now_ts();
            let mut out = UnitImport::default();
            for f in &parsed {
                match units::find_by_name(c, &f.name)? {
                    Some(id) => {
                        units::update(c, id, f, now)?;
                        out.updated += 1;
                    }
                    None => {
                        units::insert(c, f, now)?;
                        out.created += 1;
                    }
                }
            }
            audit(
                c,
                actor,
                "unit.import",
                ("file", &dingdian_core::error::clip_to(file_name, 128)),
                "success",
                Some(format!("created {}, updated {}", out.created, out.updated)),
            )?;
            Ok(out)
        })
    }

    /// The units the filter shows, as an xlsx file in the import format.
    pub fn export_units(&self, actor: &Actor, f: &UnitFilter) -> Result<Vec<u8>> {
        let (items, _) = self.list_units(actor, f, Page::all())?;
        let headers: Vec<String> = UNIT_COLUMNS.iter().map(|c| c.zh.to_string()).collect();
        let rows: Vec<Vec<Cell>> = items
            .into_iter()
            .map(|u| {
                vec![
                    u.name.into(),
                    u.kind.zh().into(),
                    u.leader.into(),
                    u.department.into(),
                    u.contact_name.into(),
                    u.contact_phone.into(),
                    u.contact_email.into(),
                    u.address.into(),
                    u.note.into(),
                ]
            })
            .collect();
        self.audited_xlsx(actor, ("unit.export", "unit"), "units", &headers, &rows)
    }
}
