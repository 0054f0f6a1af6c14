//! The printed reports as workbooks: one sheet per section, the headers
//! in Chinese as every export of the system; each export is audited
//! (`printed_report.export`).

use super::{Count, CountyProfile, NationalOverview, UnitReport};
use crate::error::Result;
use crate::indicators::IndicatorRow;
use crate::tabular::{Cell, write_xlsx_sheets};
use crate::{Actor, App, audit};
use chrono::NaiveDate;
use dingdian_core::Fen;
use dingdian_core::period::Period;

struct Sheet {
    name: &'static str,
    headers: Vec<String>,
    rows: Vec<Vec<Cell>>,
}

fn sheet(name: &'static str, headers: &[&str], rows: Vec<Vec<Cell>>) -> Sheet {
    Sheet {
        name,
        headers: headers.iter().map(|h| h.to_string()).collect(),
        rows,
    }
}

fn yuan(fen: i64) -> Cell {
    Cell::Number(Fen::new(fen).yuan())
}

fn percent(rate: Option<f64>) -> Cell {
    rate.map(|r| Cell::Number((r * 100.0).round() / 100.0))
        .unwrap_or(Cell::Empty)
}

fn counts(name: &'static str, what: &str, items: &[Count], money: bool) -> Sheet {
    let rows = items
        .iter()
        .map(|c| {
            vec![
                c.zh.into(),
                if money { yuan(c.count) } else { c.count.into() },
            ]
        })
        .collect();
    sheet(
        name,
        &[what, if money { "金额（元）" } else { "数量" }],
        rows,
    )
}

/// The five poverty figures a report and the public page both show.
pub(crate) struct Poverty {
    pub poor: u64,
    pub incidence: Option<f64>,
    pub exited: u64,
    pub return_rate: Option<f64>,
    pub income: Option<f64>,
}

/// The poverty figures as cells: people as integers, rates in per cent.
pub(crate) fn poverty_cells(p: Poverty) -> [Cell; 5] {
    [
        (p.poor as i64).into(),
        percent(p.incidence),
        (p.exited as i64).into(),
        percent(p.return_rate),
        p.income.map(Cell::Number).unwrap_or(Cell::Empty),
    ]
}

fn indicator_rows(rows: &[IndicatorRow]) -> Sheet {
    let rows = rows
        .iter()
        .map(|r| {
            let i = &r.indicators;
            let mut row = vec![i64::from(r.year).into(), r.area_name.clone().into()];
            row.extend(poverty_cells(Poverty {
                poor: i.poor_population,
                incidence: i.poverty_incidence,
                exited: i.exited_population,
                return_rate: i.return_rate,
                income: i.rural_income_per_capita,
            }));
            row
        })
        .collect();
    let headers = [
        "年度",
        "地区",
        "贫困人口",
        "贫困发生率（%）",
        "脱贫人口",
        "返贫率（%）",
        "农村居民人均可支配收入（元）",
    ];
    sheet("指标", &headers, rows)
}

fn county_sheets(p: &CountyProfile) -> Vec<Sheet> {
    let units = p
        .units
        .iter()
        .map(|u| {
            let paired = if u.paired { "是" } else { "否" };
            vec![
                u.unit_name.clone().into(),
                paired.into(),
                yuan(u.received_fen),
                yuan(u.spent_fen),
            ]
        })
        .collect();
    let monitoring = p
        .monitoring
        .iter()
        .map(|k| {
            vec![
                k.zh.into(),
                k.flagged.into(),
                k.verified.into(),
                k.monitored.into(),
                k.cleared.into(),
            ]
        })
        .collect();
    let inspections = p
        .inspections
        .iter()
        .map(|i| {
            vec![
                i.date.to_string().into(),
                i.unit_name.clone().into(),
                i.team.clone().into(),
                i.findings.into(),
            ]
        })
        .collect();
    // The headings speak the words of the year's period.
    let era = Period::of_year(p.year).words("zh");
    let member = if p.key_list.member { "是" } else { "否" };
    let summary = vec![vec![
        p.county_code.clone().into(),
        p.county_name.clone().into(),
        i64::from(p.year).into(),
        era.programme.into(),
        member.into(),
        p.key_list.list.name_zh.clone().into(),
        p.cadres.into(),
    ]];
    vec![
        sheet(
            "概况",
            &[
                "县代码",
                "县",
                "年度",
                "时期",
                era.county_kind,
                "名单",
                "在岗挂职干部",
            ],
            summary,
        ),
        indicator_rows(&p.history),
        sheet(
            "结对单位与资金",
            &[era.unit, "本年结对", "到位资金（元）", "支出（元）"],
            units,
        ),
        counts("项目", "状态", &p.projects, false),
        sheet(
            "监测对象",
            &["类型", "已预警", "已核实", "监测帮扶中", "风险已消除"],
            monitoring,
        ),
        sheet("督查", &["日期", "单位", "督查组", "发现问题"], inspections),
    ]
}

/// The assessment as rows: the total, then each dimension.
fn assessment_rows(r: &UnitReport) -> Vec<Vec<Cell>> {
    match &r.assessment {
        None => vec![vec!["尚无考核结果".into()]],
        Some(a) => {
            let mut rows = vec![vec![
                "总分".into(),
                a.score.map(Cell::Number).unwrap_or(Cell::Empty),
                a.grade.as_ref().map(|g| g.zh).into(),
                a.status.zh.into(),
            ]];
            rows.extend(a.dimensions.iter().map(|d| {
                vec![
                    d.dimension.zh.into(),
                    d.score.map(Cell::Number).unwrap_or(Cell::Empty),
                    d.weight.into(),
                    Cell::Empty,
                ]
            }));
            rows
        }
    }
}

fn letter_rows(r: &UnitReport) -> Vec<Vec<Cell>> {
    r.letters
        .iter()
        .map(|l| {
            let fig = |v: i64| if l.money { yuan(v) } else { v.into() };
            let county = if l.county_name.is_empty() {
                "全部结对县".to_string()
            } else {
                l.county_name.clone()
            };
            vec![
                county.into(),
                l.indicator.zh.into(),
                fig(l.target),
                fig(l.actual),
                Cell::Number(l.completion),
            ]
        })
        .collect()
}

fn unit_sheets(r: &UnitReport) -> Vec<Sheet> {
    let letters = letter_rows(r);
    let counties = r
        .counties
        .iter()
        .map(|c| {
            vec![
                c.county_name.clone().into(),
                yuan(c.received_fen),
                yuan(c.spent_fen),
                c.leader_visits.into(),
                c.cadres.into(),
            ]
        })
        .collect();
    let t = &r.reports;
    let reports = vec![vec![
        t.due.into(),
        t.on_time.into(),
        t.late.into(),
        t.missing.into(),
    ]];
    let assessment = assessment_rows(r);
    let summary = vec![vec![
        r.unit_name.clone().into(),
        r.unit_kind.zh.into(),
        i64::from(r.year).into(),
        r.inspections.into(),
    ]];
    vec![
        sheet("概况", &["单位", "类别", "年度", "接受督查（次）"], summary),
        sheet(
            "责任书",
            &["县", "指标", "目标", "实际", "完成率（%）"],
            letters,
        ),
        sheet(
            "结对县",
            &[
                "县",
                "到位资金（元）",
                "支出（元）",
                "领导调研（次）",
                "挂职干部",
            ],
            counties,
        ),
        counts("项目", "状态", &r.projects, false),
        sheet("报告报送", &["应报", "按时", "迟报", "未报"], reports),
        counts("整改", "状态", &r.rectifications, false),
        sheet(
            "考核",
            &["项目", "得分", "等次/权重（%）", "状态"],
            assessment,
        ),
    ]
}

fn national_sheets(o: &NationalOverview) -> Vec<Sheet> {
    let era = Period::of_year(o.year).words("zh");
    let covered = format!("已覆盖{}", era.county_kind);
    let summary = vec![vec![
        i64::from(o.year).into(),
        o.counties_covered.into(),
        o.key_list.name_zh.clone().into(),
        o.key_list.declared_total.map_or(Cell::Empty, Cell::from),
        o.key_counties.into(),
        o.key_covered.into(),
    ]];
    let mut areas: Vec<IndicatorRow> = o.nation.iter().cloned().collect();
    areas.extend(o.provinces.iter().cloned());
    vec![
        sheet(
            "概况",
            &[
                "年度",
                "结对覆盖县",
                "名单",
                "名单应有县数",
                era.county_kind,
                covered.as_str(),
            ],
            summary,
        ),
        indicator_rows(&areas),
        counts("资金（按单位类别）", "单位类别", &o.funds_by_kind, true),
        counts("考核等次", "等次", &o.grades, false),
        counts("监测对象", "类型", &o.monitored, false),
    ]
}

impl App {
    fn audited_workbook(
        &self,
        actor: &Actor,
        object: (&str, &str),
        sheets: &[Sheet],
    ) -> Result<Vec<u8>> {
        self.store.write(|c| {
            let detail = Some(format!("{} sheets", sheets.len()));
            audit(c, actor, "printed_report.export", object, "success", detail)
        })?;
        let data: Vec<_> = sheets
            .iter()
            .map(|s| (s.name, s.headers.as_slice(), s.rows.as_slice()))
            .collect();
        write_xlsx_sheets(&data)
    }

    /// The county profile as xlsx; audited.
    pub fn export_county_profile(
        &self,
        actor: &Actor,
        code: &str,
        year: i32,
        today: NaiveDate,
    ) -> Result<Vec<u8>> {
        let p = self.county_profile(actor, code, year, today)?;
        self.audited_workbook(actor, ("county", code), &county_sheets(&p))
    }

    /// The unit's annual report as xlsx; audited.
    pub fn export_unit_report(
        &self,
        actor: &Actor,
        unit_id: i64,
        year: i32,
        today: NaiveDate,
    ) -> Result<Vec<u8>> {
        let r = self.unit_report(actor, unit_id, year, today)?;
        self.audited_workbook(actor, ("unit", &unit_id.to_string()), &unit_sheets(&r))
    }

    /// The national overview as xlsx; audited.
    pub fn export_national_overview(
        &self,
        actor: &Actor,
        year: i32,
        today: NaiveDate,
    ) -> Result<Vec<u8>> {
        let o = self.national_overview(actor, year, today)?;
        self.audited_workbook(actor, ("nation", &year.to_string()), &national_sheets(&o))
    }
}
