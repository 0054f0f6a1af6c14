//! Areas and county attributes: read by every signed-in role but the
//! auditor; edited and imported by the office.

use crate::error::{AppError, Result};
use crate::tabular::{self, Column, ColumnMap, Encoding};
use crate::{Actor, App, audit};
use dingdian_core::area::{Area, CountyAttributes, Level};
use dingdian_core::role::Action;
use dingdian_core::{FieldError, Msg};
use dingdian_store::Page;
use dingdian_store::areas::{self, AreaFilter, CountyList, ListCompleteness};
use serde::Serialize;
use std::collections::BTreeSet;

/// The key-county list here against the one shipped (see
/// [`App::key_list_origin`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListOrigin {
    pub shipped_counties: usize,
    pub shipped_provinces: usize,
    pub counties: usize,
    pub provinces: usize,
    /// Counties of the list here that the shipped list lacks (code, name).
    pub added: Vec<(String, String)>,
    /// Counties of the shipped list no longer in the list here.
    pub removed: Vec<(String, String)>,
}

/// A county against the key list of a year's period: whether it is a
/// member, and how complete that list is here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyListStanding {
    pub member: bool,
    pub list: ListCompleteness,
}

impl App {
    pub fn list_areas(
        &self,
        actor: &Actor,
        f: &AreaFilter,
        page: Page,
    ) -> Result<(Vec<Area>, i64)> {
        actor.require(Action::ReadAreas)?;
        Ok(self.store.read(|c| areas::list(c, f, page))?)
    }

    pub fn get_area(&self, actor: &Actor, code: &str) -> Result<Area> {
        actor.require(Action::ReadAreas)?;
        self.store
            .read(|c| areas::get(c, code))?
            .ok_or_else(|| AppError::not_found("区划", "area"))
    }

    /// The area and its ancestors, nation-most first.
    pub fn area_lineage(&self, actor: &Actor, code: &str) -> Result<Vec<(String, String)>> {
        actor.require(Action::ReadAreas)?;
        Ok(self.store.read(|c| areas::lineage(c, code))?)
    }

    /// The names of areas by code (codes not found are left out).
    pub fn area_names(
        &self,
        actor: &Actor,
        codes: &[String],
    ) -> Result<std::collections::HashMap<String, String>> {
        actor.require(Action::ReadAreas)?;
        Ok(self.store.read(|c| areas::names(c, codes))?)
    }

    pub fn county_lists(&self, actor: &Actor) -> Result<Vec<CountyList>> {
        actor.require(Action::ReadAreas)?;
        Ok(self.store.read(areas::county_lists)?)
    }

    /// How complete a county list is here (declared total, members, by
    /// province), for every page that depends on the list.
    pub fn list_completeness(&self, actor: &Actor, code: &str) -> Result<ListCompleteness> {
        actor.require(Action::ReadAreas)?;
        self.store
            .read(|c| areas::list_completeness(c, code))?
            .ok_or_else(|| AppError::not_found("县名单", "county list"))
    }

    /// Whether `county` is on the key list of `year`'s period (the 2012
    /// key counties up to 2020, the 2021 key assistance counties after),
    /// with that list's completeness: a "no" from a partial list may only
    /// mean the county is not shipped yet.
    pub fn key_list_standing(
        &self,
        actor: &Actor,
        county: &str,
        year: i32,
    ) -> Result<KeyListStanding> {
        actor.require(Action::ReadAreas)?;
        self.key_list_of(county, year)
    }

    /// [`App::key_list_standing`] for a caller that has checked its reader
    /// (a printed county profile).
    pub(crate) fn key_list_of(&self, county: &str, year: i32) -> Result<KeyListStanding> {
        let code = dingdian_core::area::key_list_of(dingdian_core::period::Period::of_year(year));
        self.store
            .read(|c| {
                let Some(list) = areas::list_completeness(c, code)? else {
                    return Ok(None);
                };
                let member = areas::is_list_member(c, code, county)?;
                Ok::<_, dingdian_store::StoreError>(Some(KeyListStanding { member, list }))
            })?
            .ok_or_else(|| AppError::not_found("县名单", "county list"))
    }

    /// The completeness of every county list, in the order of
    /// [`App::county_lists`].
    pub fn lists_completeness(&self, actor: &Actor) -> Result<Vec<ListCompleteness>> {
        actor.require(Action::ReadAreas)?;
        Ok(self.store.read(|c| {
            let mut out = Vec::new();
            for l in areas::county_lists(c)? {
                out.extend(areas::list_completeness(c, &l.code)?);
            }
            Ok::<_, dingdian_store::StoreError>(out)
        })?)
    }

    /// The key-county list of this database against the list shipped in
    /// the binary, so that every page counts it the same way (members of
    /// the list) and says where a difference comes from.
    pub fn key_list_origin(&self, actor: &Actor) -> Result<ListOrigin> {
        actor.require(Action::ReadAreas)?;
        let shipped: BTreeSet<String> = dingdian_store::reference::shipped_key_counties()?
            .into_iter()
            .collect();
        let (members, removed) = self.store.read(|c| {
            let members = areas::list_members(c, dingdian_store::reference::KEY_2012)?;
            let here: BTreeSet<&str> = members.iter().map(|m| m.code.as_str()).collect();
            let gone: Vec<String> = shipped
                .iter()
                .filter(|code| !here.contains(code.as_str()))
                .cloned()
                .collect();
            let names = areas::names(c, &gone)?;
            let removed: Vec<(String, String)> = gone
                .into_iter()
                .map(|code| {
                    let name = names.get(&code).cloned().unwrap_or_default();
                    (code, name)
                })
                .collect();
            Ok::<_, dingdian_store::StoreError>((members, removed))
        })?;
        let provinces = |codes: &mut dyn Iterator<Item = &str>| {
            codes
                .map(|c| &c[..2.min(c.len())])
                .collect::<BTreeSet<_>>()
                .len()
        };
        Ok(ListOrigin {
            shipped_counties: shipped.len(),
            shipped_provinces: provinces(&mut shipped.iter().map(String::as_str)),
            counties: members.len(),
            provinces: provinces(&mut members.iter().map(|m| m.code.as_str())),
            added: members
                .iter()
                .filter(|m| !shipped.contains(&m.code))
                .map(|m| (m.code.clone(), m.name.clone()))
                .collect(),
            removed,
        })
    }

    /// Edits a county's attributes (key county, poor county, priorities,
    /// contiguous area, exit year).
    pub fn update_county(&self, actor: &Actor, code: &str, attrs: &CountyAttributes) -> Result<()> {
        actor.require(Action::EditAreas)?;
        if let Some(y) = attrs.exit_year
            && dingdian_core::Year::new(y).is_err()
        {
            return Err(AppError::invalid(
                "exit_year",
                y.to_string(),
                "bad_year",
                "摘帽年度应在 2010–2035 之间",
                "the exit year must lie between 2010 and 2035",
            ));
        }
        if attrs
            .contiguous_area
            .as_deref()
            .is_some_and(|a| a.chars().count() > 50)
        {
            return Err(AppError::Invalid(vec![FieldError::too_long(
                "contiguous_area",
                attrs.contiguous_area.as_deref().unwrap_or(""),
                50,
            )]));
        }
        self.store.write(|c| {
            let area = areas::get(c, code)?.ok_or_else(|| AppError::not_found("区划", "area"))?;
            if area.level != Level::County {
                return Err(AppError::invalid(
                    "code",
                    code,
                    "not_county",
                    "只有县级区划有这些属性",
                    "only counties have these attributes",
                ));
            }
            areas::update_county(c, code, attrs)?;
            audit(
                c,
                actor,
                "county.update",
                ("area", code),
                "success",
                Some(format!("{attrs:?}")),
            )
        })
    }

    /// Creates a county list with a period (e.g. the 2021 key assistance
    /// counties); its members are then imported or edited.
    pub fn create_county_list(&self, actor: &Actor, l: &CountyList) -> Result<()> {
        actor.require(Action::EditAreas)?;
        let mut e = Vec::new();
        let code = l.code.trim();
        if code.is_empty()
            || code.len() > 30
            || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            e.push(FieldError::new(
                "code",
                code,
                Msg::new(
                    "bad_list_code",
                    "名单代码只能包含字母、数字和 -，最长 30 位",
                    "a list code holds only letters, digits and -, at most 30",
                ),
            ));
        }
        let name_zh = dingdian_core::error::required_text("name_zh", &l.name_zh, 100, &mut e);
        let name_en = dingdian_core::error::required_text("name_en", &l.name_en, 100, &mut e);
        if !(2000..=2050).contains(&l.start_year) {
            e.push(FieldError::new(
                "start_year",
                l.start_year.to_string(),
                Msg::new(
                    "bad_year",
                    "年度应在 2000–2050 之间",
                    "the year must lie between 2000 and 2050",
                ),
            ));
        }
        if l.end_year.is_some_and(|y| y < l.start_year) {
            e.push(FieldError::new(
                "end_year",
                l.end_year.unwrap_or(0).to_string(),
                Msg::new(
                    "end_before_start",
                    "结束年度不能早于开始年度",
                    "the end year must not come before the start year",
                ),
            ));
        }
        if !e.is_empty() {
            return Err(AppError::Invalid(e));
        }
        self.store.write(|c| {
            if areas::county_list_exists(c, code)? {
                return Err(AppError::invalid(
                    "code",
                    code,
                    "duplicate_list",
                    "已有同代码的县名单",
                    "a county list with this code exists",
                ));
            }
            let list = CountyList {
                code: code.into(),
                name_zh,
                name_en,
                ..l.clone()
            };
            areas::insert_county_list(c, &list)?;
            audit(
                c,
                actor,
                "county_list.create",
                ("county_list", code),
                "success",
                None,
            )
        })
    }

    /// Imports a list of counties (`code`/`区划代码`, optional `name`/`名称`)
    /// into a county list, all or nothing. Returns how many were added.
    pub fn import_county_list(
        &self,
        actor: &Actor,
        list: &str,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<u64> {
        actor.require(Action::EditAreas)?;
        const COLUMNS: &[Column] = &[
            Column {
                en: "code",
                zh: "区划代码",
                required: true,
            },
            Column {
                en: "name",
                zh: "名称",
                required: false,
            },
            Column {
                en: "province",
                zh: "省份",
                required: false,
            },
        ];
        let table = tabular::read(file_name, bytes, Encoding::Auto)?;
        let map = ColumnMap::new(&table.headers, COLUMNS, false)?;
        self.store.write(|c| {
            if !areas::county_list_exists(c, list)? {
                return Err(AppError::not_found("县名单", "county list"));
            }
            let mut errors = Vec::new();
            let mut codes = Vec::new();
            for (row, cells) in &table.rows {
                let code = map.get(cells, "code");
                if !areas::county_exists(c, code)? {
                    errors.push(
                        FieldError::new(
                            "code",
                            code,
                            Msg::new(
                                "unknown_county",
                                "不是已知的县级区划代码",
                                "is not a known county code",
                            ),
                        )
                        .at_row(*row),
                    );
                } else {
                    codes.push(code.to_string());
                }
            }
            if !errors.is_empty() {
                return Err(AppError::Invalid(errors));
            }
            let added = areas::add_list_members(c, list, &codes)?;
            areas::refresh_partial(c, list)?;
            audit(
                c,
                actor,
                "county_list.import",
                ("county_list", list),
                "success",
                Some(format!("{added} added of {}", codes.len())),
            )?;
            Ok(added)
        })
    }
}
