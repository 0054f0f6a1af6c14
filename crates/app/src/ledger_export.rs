//! The funds ledger as files: xlsx (the entries and the balances, one
//! sheet each) and IATI 2.03 activity XML. Both exports are audited
//! (`ledger.export`).
//!
//! IATI: one `iati-activity` per project, and one per pairing for the money
//! not earmarked. Receipts, commitments, disbursements and expenditures are
//! transactions of type 1, 2, 3 and 4. A reversed entry never happened as
//! far as the money is concerned, so it is left out together with its
//! reversal (the xlsx keeps both). A reallocation is a pair of incoming
//! funds (type 1): minus its amount at the project it leaves and plus at
//! the project it reaches, each naming the other activity. Amounts are
//! yuan with two decimals, exact from fen; the currency is CNY.

use crate::error::{AppError, Result};
use crate::tabular::{self, Cell};
use crate::{Actor, App, audit};
use dingdian_core::ledger::{Balance, EntryKind, LedgerEntry, LedgerFilter};
use dingdian_core::role::Action;
use dingdian_core::{Fen, Page, time};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use std::collections::{BTreeMap, HashMap};
use std::io;

/// The exports of the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LedgerFormat {
    Xlsx,
    Iati,
}

impl LedgerFormat {
    pub fn parse(s: &str) -> Option<LedgerFormat> {
        match s {
            "xlsx" => Some(LedgerFormat::Xlsx),
            "iati" => Some(LedgerFormat::Iati),
            _ => None,
        }
    }
}

fn headers(lang: &str, zh: &[&str], en: &[&str]) -> Vec<String> {
    let h = if lang == "en" { en } else { zh };
    h.iter().map(|s| s.to_string()).collect()
}

fn entry_row(e: &LedgerEntry) -> Vec<Cell> {
    vec![
        e.id.into(),
        e.date.to_string().into(),
        e.kind.as_str().into(),
        e.unit_id.into(),
        e.unit_name.clone().into(),
        e.county_code.clone().into(),
        e.county_name.clone().into(),
        e.source.as_str().into(),
        e.donor.clone().into(),
        e.project_id.into(),
        e.project_name.clone().into(),
        e.to_project_id.into(),
        e.amount_fen.into(),
        Fen::new(e.amount_fen).to_string().into(),
        e.document_no.clone().into(),
        e.note.clone().into(),
        e.reverses.into(),
        e.reversed_by.into(),
        e.username.clone().into(),
        time::show_ts(e.at).into(),
    ]
}

fn balance_row(b: &Balance) -> Vec<Cell> {
    vec![
        b.unit_id.into(),
        b.county_code.clone().into(),
        b.source.as_str().into(),
        b.project_id.into(),
        b.received_fen.into(),
        b.committed_fen.into(),
        b.disbursed_fen.into(),
        b.spent_fen.into(),
        b.available_fen.into(),
        Fen::new(b.available_fen).to_string().into(),
    ]
}

impl App {
    /// The ledger the actor may read, as the format asks; audited.
    pub fn export_ledger(
        &self,
        actor: &Actor,
        f: &LedgerFilter,
        format: LedgerFormat,
    ) -> Result<Vec<u8>> {
        actor.require(Action::ReadAssistance)?;
        let (entries, _) = self.ledger_entries(actor, f, Page::all())?;
        let bytes = match format {
            LedgerFormat::Xlsx => {
                let balances = self.ledger_balances(actor, f)?;
                ledger_xlsx(&actor.lang, &entries, &balances)?
            }
            LedgerFormat::Iati => {
                let projects = self.ledger_projects(actor, f)?;
                let status: HashMap<i64, (String, String)> = projects
                    .into_iter()
                    .map(|p| (p.id, (p.name, p.status)))
                    .collect();
                iati_xml(&entries, &status).map_err(|e| AppError::internal("iati xml", e))?
            }
        };
        let what = match format {
            LedgerFormat::Xlsx => "xlsx",
            LedgerFormat::Iati => "iati",
        };
        self.store.write(|c| {
            let detail = Some(format!("{what}; {} entries", entries.len()));
            audit(
                c,
                actor,
                "ledger.export",
                ("ledger", "*"),
                "success",
                detail,
            )
        })?;
        Ok(bytes)
    }
}

fn ledger_xlsx(lang: &str, entries: &[LedgerEntry], balances: &[Balance]) -> Result<Vec<u8>> {
    let eh = headers(
        lang,
        &[
            "编号",
            "日期",
            "类型",
            "单位编号",
            "单位",
            "县代码",
            "县",
            "来源",
            "捐赠方",
            "项目编号",
            "项目",
            "调入项目编号",
            "金额（分）",
            "金额（元）",
            "凭证号",
            "说明",
            "冲销分录",
            "被冲销于",
            "录入人",
            "录入时间（北京时间）",
        ],
        &[
            "id",
            "date",
            "kind",
            "unit_id",
            "unit",
            "county_code",
            "county",
            "source",
            "donor",
            "project_id",
            "project",
            "to_project_id",
            "amount_fen",
            "amount_yuan",
            "document_no",
            "note",
            "reverses",
            "reversed_by",
            "posted_by",
            "posted_at",
        ],
    );
    let bh = headers(
        lang,
        &[
            "单位编号",
            "县代码",
            "来源",
            "项目编号",
            "收入（分）",
            "承诺（分）",
            "拨付（分）",
            "支出（分）",
            "可用（分）",
            "可用（元）",
        ],
        &[
            "unit_id",
            "county_code",
            "source",
            "project_id",
            "received_fen",
            "committed_fen",
            "disbursed_fen",
            "spent_fen",
            "available_fen",
            "available_yuan",
        ],
    );
    let er: Vec<Vec<Cell>> = entries.iter().map(entry_row).collect();
    let br: Vec<Vec<Cell>> = balances.iter().map(balance_row).collect();
    tabular::write_xlsx_sheets(&[("entries", &eh, &er), ("balances", &bh, &br)])
}

/// The activity an entry's money belongs to: (unit, county, project).
type ActivityKey = (i64, String, Option<i64>);

/// One transaction of an activity: IATI type, entry, signed amount, and
/// for a reallocation the other activity's identifier.
struct Transaction<'a> {
    code: u8,
    entry: &'a LedgerEntry,
    fen: i64,
    other: Option<String>,
}

fn identifier((unit, county, project): &ActivityKey) -> String {
    match project {
        Some(p) => format!("CN-DINGDIAN-{unit}-{county}-P{p}"),
        None => format!("CN-DINGDIAN-{unit}-{county}-POOL"),
    }
}

/// The transactions of each activity, reversed entries and their
/// reversals left out.
fn activities(entries: &[LedgerEntry]) -> BTreeMap<ActivityKey, Vec<Transaction<'_>>> {
    let mut out: BTreeMap<ActivityKey, Vec<Transaction>> = BTreeMap::new();
    let live = entries
        .iter()
        .filter(|e| e.kind != EntryKind::Reversal && e.reversed_by.is_none());
    for e in live {
        let key = (e.unit_id, e.county_code.clone(), e.project_id);
        if e.kind == EntryKind::Reallocation {
            let to = (e.unit_id, e.county_code.clone(), e.to_project_id);
            let (from_id, to_id) = (identifier(&key), identifier(&to));
            out.entry(key).or_default().push(Transaction {
                code: 1,
                entry: e,
                fen: -e.amount_fen,
                other: Some(to_id),
            });
            out.entry(to).or_default().push(Transaction {
                code: 1,
                entry: e,
                fen: e.amount_fen,
                other: Some(from_id),
            });
        } else if let Some(code) = e.kind.iati_code() {
            out.entry(key).or_default().push(Transaction {
                code,
                entry: e,
                fen: e.amount_fen,
                other: None,
            });
        }
    }
    out
}

/// IATI activity status: 1 pipeline, 2 implementation, 3 finalisation,
/// 4 closed, 5 cancelled.
fn activity_status(status: Option<&str>) -> &'static str {
    match status {
        Some("planned" | "approved") => "1",
        Some("completed") => "3",
        Some("accepted") => "4",
        Some("cancelled") => "5",
        _ => "2",
    }
}

fn narrative<W: io::Write>(w: &mut Writer<W>, element: &str, text: &str) -> io::Result<()> {
    w.create_element(element).write_inner_content(|w| {
        w.create_element("narrative")
            .write_text_content(BytesText::new(text))
            .map(|_| ())
    })?;
    Ok(())
}

/// The IATI 2.03 activities of the entries; `projects` gives each
/// project's name and status.
pub fn iati_xml(
    entries: &[LedgerEntry],
    projects: &HashMap<i64, (String, String)>,
) -> io::Result<Vec<u8>> {
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element("iati-activities")
        .with_attributes([("version", "2.03"), ("generated-datetime", now.as_str())])
        .write_inner_content(|w| {
            for (key, txs) in activities(entries) {
                let project = key.2.and_then(|p| projects.get(&p));
                activity(w, &key, txs, project, &now)?;
            }
            Ok(())
        })?;
    Ok(w.into_inner())
}

fn activity<W: io::Write>(
    w: &mut Writer<W>,
    key: &ActivityKey,
    txs: Vec<Transaction>,
    project: Option<&(String, String)>,
    now: &str,
) -> io::Result<()> {
    let first = &txs[0].entry;
    let title = match (key.2, project) {
        (Some(_), Some((name, _))) => name.clone(),
        (Some(p), None) => format!("项目 {p}"),
        (None, _) => format!(
            "{}定点帮扶{}：未指定项目的资金",
            first.unit_name, first.county_name
        ),
    };
    let start = txs.iter().map(|t| t.entry.date).min().unwrap_or(first.date);
    let org = format!("CN-DINGDIAN-{}", key.0);
    w.create_element("iati-activity")
        .with_attributes([
            ("last-updated-datetime", now),
            ("xml:lang", "zh"),
            ("default-currency", "CNY"),
        ])
        .write_inner_content(|w| {
            w.create_element("iati-identifier")
                .write_text_content(BytesText::new(&identifier(key)))?;
            w.create_element("reporting-org")
                .with_attributes([("ref", org.as_str()), ("type", "10")])
                .write_inner_content(|w| {
                    w.create_element("narrative")
                        .write_text_content(BytesText::new(&first.unit_name))
                        .map(|_| ())
                })?;
            narrative(w, "title", &title)?;
            let about = format!(
                "{}定点帮扶{}（{}）的资金台账",
                first.unit_name, first.county_name, first.county_code
            );
            narrative(w, "description", &about)?;
            w.create_element("participating-org")
                .with_attributes([("ref", org.as_str()), ("role", "1"), ("type", "10")])
                .write_inner_content(|w| {
                    w.create_element("narrative")
                        .write_text_content(BytesText::new(&first.unit_name))
                        .map(|_| ())
                })?;
            let status = activity_status(project.map(|p| p.1.as_str()));
            w.create_element("activity-status")
                .with_attribute(("code", status))
                .write_empty()?;
            w.create_element("activity-date")
                .with_attributes([("iso-date", start.to_string().as_str()), ("type", "2")])
                .write_empty()?;
            w.create_element("recipient-country")
                .with_attribute(("code", "CN"))
                .write_empty()?;
            for t in &txs {
                transaction(w, t)?;
            }
            Ok(())
        })?;
    Ok(())
}

fn transaction<W: io::Write>(w: &mut Writer<W>, t: &Transaction) -> io::Result<()> {
    let e = t.entry;
    let date = e.date.to_string();
    let code = t.code.to_string();
    let mut description = format!("{} #{}", e.kind.zh(), e.id);
    for part in [&e.document_no, &e.note].into_iter().flatten() {
        description.push('；');
        description.push_str(part);
    }
    w.create_element("transaction")
        .with_attribute(("ref", e.id.to_string().as_str()))
        .write_inner_content(|w| {
            w.create_element("transaction-type")
                .with_attribute(("code", code.as_str()))
                .write_empty()?;
            w.create_element("transaction-date")
                .with_attribute(("iso-date", date.as_str()))
                .write_empty()?;
            w.create_element("value")
                .with_attribute(("value-date", date.as_str()))
                .write_text_content(BytesText::new(&Fen::new(t.fen).to_string()))?;
            narrative(w, "description", &description)?;
            if let Some(other) = &t.other {
                // Money leaving goes to the other activity; money arriving comes from it.
                let (org, attribute) = if t.fen < 0 {
                    ("receiver-org", "receiver-activity-id")
                } else {
                    ("provider-org", "provider-activity-id")
                };
                w.create_element(org)
                    .with_attribute((attribute, other.as_str()))
                    .write_inner_content(|w| {
                        w.create_element("narrative")
                            .write_text_content(BytesText::new(&e.unit_name))
                            .map(|_| ())
                    })?;
            } else if let Some(donor) = e.donor.as_deref().filter(|_| t.code == 1) {
                narrative(w, "provider-org", donor)?;
            }
            Ok(())
        })?;
    Ok(())
}
