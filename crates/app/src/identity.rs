//! Who a household number names across years, and finding households by
//! their head's name or their village's name — all without opening a
//! sealed name: heads are compared, and names looked up, through blind
//! indexes (`core::registry::identity`).

use crate::error::{AppError, Result};
use crate::keys::KeyRing;
use crate::registry::{AAD_ID, AAD_NAME, id_index, name_index, open_text, sealed_by};
use crate::{Actor, App, audit};
use dingdian_core::registry::{self as rules, IdNumber, MAX_NAME_CHARS, RegistryRow};
use dingdian_core::role::Action;
use dingdian_store::registry::{self as reg, HeadRow};
use foldhash::HashMap;
use serde::Serialize;
use std::collections::BTreeSet;

/// How many identity changes an import report lists (the rest are counted).
pub const LISTED_CHANGES: usize = 100;

/// Where the backfill has got to: the last (year, ID blind index) done.
type Cursor = (i32, Vec<u8>);

/// Members given their name index per transaction by the backfill.
const BACKFILL_BATCH: i64 = 2_000;

/// Households of an import whose number was registered the year before
/// with another village or another head: most likely a reused number, two
/// unrelated families under one history.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct IdentityChanges {
    /// How many households of the file changed (all of them).
    pub count: usize,
    /// The first [`LISTED_CHANGES`] of them, by year and household number.
    pub listed: Vec<IdentityChange>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct IdentityChange {
    pub year: i32,
    pub household_id: String,
    pub previous_year: i32,
    pub village_code: String,
    /// The village the year before; `None` when that registration lies in
    /// another county than the importer's own (not shown to it).
    pub previous_village_code: Option<String>,
    pub village_changed: bool,
    /// The head is another person (ID number and name both differ).
    pub head_changed: bool,
    /// The year before, the number belonged to another county.
    pub other_county: bool,
}

/// Compares each household of the file with the same number in the year
/// before: in the file itself when it holds that year too, else in the
/// database. `own_county` is the importer's county (for a county officer).
pub(crate) fn identity_changes(
    c: &mut dyn dingdian_store::Conn,
    ring: &KeyRing,
    own_county: Option<&str>,
    heads: &HashMap<(i32, &str), &RegistryRow>,
) -> Result<IdentityChanges> {
    let mut all = Vec::new();
    let years: BTreeSet<i32> = heads.keys().map(|(y, _)| *y).collect();
    for year in years {
        let mut from_db: Vec<String> = Vec::new();
        for ((_, code), cur) in heads.iter().filter(|((y, _), _)| *y == year) {
            match heads.get(&(year - 1, code)) {
                Some(prev) => all.extend(compare_in_file(prev, cur)),
                None => from_db.push(code.to_string()),
            }
        }
        if from_db.is_empty() || !reg::year_has_members(c, year - 1)? {
            continue;
        }
        for prev in reg::previous_heads(c, year - 1, &from_db)? {
            if let Some(cur) = heads.get(&(year, prev.household_id.as_str())) {
                all.extend(compare_with_stored(ring, own_county, &prev, cur));
            }
        }
    }
    all.sort_by(|a, b| (a.year, &a.household_id).cmp(&(b.year, &b.household_id)));
    let count = all.len();
    all.truncate(LISTED_CHANGES);
    Ok(IdentityChanges { count, listed: all })
}

fn change(prev_year: i32, prev_village: Option<&str>, cur: &RegistryRow) -> IdentityChange {
    IdentityChange {
        year: cur.year.get(),
        household_id: cur.household_id.to_string(),
        previous_year: prev_year,
        village_code: cur.village_code.clone(),
        previous_village_code: prev_village.map(str::to_string),
        village_changed: prev_village != Some(cur.village_code.as_str()),
        head_changed: false,
        other_county: prev_village.is_none(),
    }
}

fn compare_in_file(prev: &RegistryRow, cur: &RegistryRow) -> Option<IdentityChange> {
    let same_id = prev.id_number == cur.id_number;
    let same_name = rules::normalise_name(&prev.name) == rules::normalise_name(&cur.name);
    let mut x = change(prev.year.get(), Some(&prev.village_code), cur);
    x.head_changed = rules::head_changed(same_id, Some(same_name));
    (x.village_changed || x.head_changed).then_some(x)
}

fn compare_with_stored(
    ring: &KeyRing,
    own_county: Option<&str>,
    prev: &HeadRow,
    cur: &RegistryRow,
) -> Option<IdentityChange> {
    if own_county.is_some_and(|c| c != prev.county_code) {
        return Some(change(prev.year, None, cur));
    }
    let mut x = change(prev.year, Some(&prev.village_code), cur);
    // The stored head's indexes are under the key that sealed it; a key
    // no longer in the ring leaves the head uncompared.
    if let Some(m) = &prev.head
        && let Some(key) = ring.get(&m.key_id)
    {
        let same_id = id_index(key, &cur.id_number) == m.id_index;
        let same_name = m
            .name_index
            .as_ref()
            .map(|n| *n == name_index(key, &cur.name));
        x.head_changed = rules::head_changed(same_id, same_name);
    }
    (x.village_changed || x.head_changed).then_some(x)
}

/// One year of a household card's timeline with its head.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineHead {
    pub year: i32,
    /// The head's name (the card shows members' names to whoever may open it).
    pub head: Option<String>,
    /// Another head than in the timeline's year before: the history breaks here.
    pub head_changed: bool,
    pub village_changed: bool,
}

/// The heads of a household number's years, opened, and where the head
/// changes (the same rule as the import's warning).
pub(crate) fn timeline_heads(app: &App, rows: &[HeadRow]) -> Result<Vec<TimelineHead>> {
    let mut out: Vec<TimelineHead> = Vec::with_capacity(rows.len());
    let mut before: Option<(String, Option<(String, String)>)> = None;
    for r in rows {
        let opened = match &r.head {
            Some(m) => {
                let key = sealed_by(app.keys(), &m.key_id)?;
                let id = open_text(&key, AAD_ID, &m.id_cipher)?;
                let name = open_text(&key, AAD_NAME, &m.name_cipher)?;
                let id = IdNumber::parse(&id)
                    .map(|i| i.as_str().to_string())
                    .unwrap_or(id);
                Some((id, name))
            }
            None => None,
        };
        let (head_changed, village_changed) = match &before {
            Some((village, prev)) => {
                let head = match (prev, &opened) {
                    (Some((pid, pname)), Some((id, name))) => rules::head_changed(
                        pid == id,
                        Some(rules::normalise_name(pname) == rules::normalise_name(name)),
                    ),
                    _ => false,
                };
                (head, *village != r.village_code)
            }
            None => (false, false),
        };
        out.push(TimelineHead {
            year: r.year,
            head: opened.as_ref().map(|(_, n)| n.clone()),
            head_changed,
            village_changed,
        });
        before = Some((r.village_code.clone(), opened));
    }
    Ok(out)
}

impl App {
    /// The blind indexes to find households by their head's name (one per
    /// key in the ring: during a rotation rows carry either). The name is
    /// put in its normal form; a blind index matches whole names only.
    pub fn head_name_filter(&self, actor: &Actor, name: &str) -> Result<Vec<Vec<u8>>> {
        actor.require(Action::ReadRegistry)?;
        let normal = rules::normalise_name(name);
        let n = normal.chars().count();
        if n == 0 || n > MAX_NAME_CHARS {
            return Err(AppError::invalid(
                "name",
                name.chars().take(MAX_NAME_CHARS).collect::<String>(),
                "name_search_length",
                format!("请输入户主的完整姓名（1–{MAX_NAME_CHARS} 个字）"),
                format!("enter the head's full name (1–{MAX_NAME_CHARS} characters)"),
            ));
        }
        let ring = self.keys().refresh(false)?;
        Ok(ring.all().iter().map(|k| name_index(k, name)).collect())
    }

    /// The villages a person means by `village` (the full registered name
    /// or the short one), under `area` (or the whole country) and within
    /// the actor's county for a county-scoped actor.
    pub fn village_filter(
        &self,
        actor: &Actor,
        area: Option<&str>,
        village: &str,
    ) -> Result<Vec<String>> {
        actor.require(Action::ReadRegistry)?;
        let n = rules::normalise_name(village).chars().count();
        if n == 0 || n > MAX_NAME_CHARS {
            return Err(AppError::invalid(
                "village",
                village.chars().take(MAX_NAME_CHARS).collect::<String>(),
                "village_search_length",
                format!("请输入村名（1–{MAX_NAME_CHARS} 个字）"),
                format!("enter the village's name (1–{MAX_NAME_CHARS} characters)"),
            ));
        }
        let prefix = match (actor.scope.county(), area) {
            (Some(c), Some(a)) if a.starts_with(c) => a.to_string(),
            (Some(c), _) => c.to_string(),
            (None, a) => a.unwrap_or("").to_string(),
        };
        let villages = self.store.read(|c| reg::villages_under(c, &prefix))?;
        Ok(villages
            .into_iter()
            .filter(|(_, name)| rules::village_matches(name, village))
            .map(|(code, _)| code)
            .collect())
    }

    /// Records that a search by name happened and what it found — never
    /// the name searched for.
    pub(crate) fn audit_name_search(&self, actor: &Actor, found: i64) -> Result<()> {
        self.store.write(|c| {
            audit(
                c,
                actor,
                "registry.search_name",
                ("households", "name"),
                "success",
                Some(format!("{found} households found")),
            )
        })
    }

    /// Gives every member stored before migration 0008 its name index,
    /// under the key that sealed the row, a batch per transaction. Runs at
    /// start (`App::open`) while some are missing; returns the rows done.
    pub fn backfill_name_indexes(&self) -> Result<u64> {
        let mut done = 0u64;
        let mut after: Option<Cursor> = None;
        loop {
            let batch = self.store.write(|c| -> Result<Option<(Cursor, u64)>> {
                let rows = reg::members_without_name_index(c, after.as_ref(), BACKFILL_BATCH)?;
                let Some(last) = rows.last() else {
                    return Ok(None);
                };
                let cursor = (last.year, last.id_index.clone());
                let mut changed = 0;
                for m in &rows {
                    let key = sealed_by(self.keys(), &m.key_id)?;
                    let name = open_text(&key, AAD_NAME, &m.name_cipher)?;
                    let index = name_index(&key, &name);
                    changed += reg::set_name_index(c, m.year, &m.id_index, &m.key_id, &index)?;
                }
                Ok(Some((cursor, changed)))
            })?;
            match batch {
                Some((cursor, changed)) => {
                    after = Some(cursor);
                    done += changed;
                }
                None => return Ok(done),
            }
        }
    }
}
