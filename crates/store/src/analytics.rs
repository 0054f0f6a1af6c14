//! The analytics snapshot: the registry held in memory column by column,
//! one partition per (year, county), so that any slice — area × year ×
//! status × cause × household type … — is a scan over a few arrays, never a SQL query per
//! request. The store keeps it current: imports refresh the partitions
//! they touched.

use crate::db::{Conn, Result};
use crate::registry;
use dingdian_core::indicators::{Accum, Presence};
use dingdian_core::registry::PovertyStatus;
use std::collections::BTreeMap;

/// The members of one county in one year, as columns. Members of a
/// household are adjacent.
#[derive(Debug, Clone, Default)]
pub struct Partition {
    pub year: i32,
    pub county: String,
    /// Distinct village codes; `village` indexes into it.
    pub villages: Vec<String>,
    pub village: Vec<u32>,
    /// Ordinal of the member's household within the partition.
    pub household: Vec<u32>,
    pub households: u32,
    pub income_fen: Vec<i64>,
    pub status: Vec<u8>,
    pub cause: Vec<u8>,
    pub relation: Vec<u8>,
    pub sex: Vec<u8>,
    pub birth_year: Vec<u16>,
    /// The household type's code (0: not given).
    pub household_type: Vec<u8>,
}

impl Partition {
    pub fn len(&self) -> usize {
        self.status.len()
    }

    pub fn is_empty(&self) -> bool {
        self.status.is_empty()
    }

    /// Appends one member (rows must arrive grouped by household).
    pub fn push(
        &mut self,
        household_id: &str,
        last_household: &mut Option<String>,
        r: &registry::ScanRow,
    ) {
        if last_household.as_deref() != Some(household_id) {
            self.households += 1;
            *last_household = Some(household_id.to_string());
        }
        let v = match self.villages.iter().rposition(|v| *v == r.village_code) {
            Some(i) => i,
            None => {
                self.villages.push(r.village_code.clone());
                self.villages.len() - 1
            }
        };
        self.village.push(v as u32);
        self.household.push(self.households - 1);
        self.income_fen.push(r.income_fen);
        self.status.push(r.status);
        self.cause.push(r.cause);
        self.relation.push(r.relation);
        self.sex.push(r.sex);
        self.birth_year
            .push(r.birth_year.clamp(0, u16::MAX as i32) as u16);
        self.household_type.push(r.household_type);
    }
}

pub use dingdian_core::query::Slice;

/// Whether member `i` of the partition counts in the slice.
fn admits(slice: &Slice, p: &Partition, i: usize) -> bool {
    slice.status.is_none_or(|s| p.status[i] == s)
        && slice.cause.is_none_or(|c| p.cause[i] == c)
        && slice.sex.is_none_or(|s| p.sex[i] == s)
        && slice
            .household_type
            .is_none_or(|t| p.household_type.get(i).copied().unwrap_or(0) == t)
}

/// How members are grouped inside an area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    /// One group per county (the partition).
    County,
    /// One group per village code prefix of this length (9 township, 12 village).
    Prefix(usize),
}

/// The registry in memory, with the statistics and poverty lines the
/// indicators need.
#[derive(Debug, Default)]
pub struct Snapshot {
    partitions: BTreeMap<(i32, String), Partition>,
    /// (year, county) → (rural population, rural income in fen).
    statistics: BTreeMap<(i32, String), (i64, Option<i64>)>,
    lines: BTreeMap<i32, i64>,
    /// The registry write counter this snapshot reflects.
    pub version: i64,
}

impl Snapshot {
    /// Loads every partition, the statistics and the lines.
    pub fn load(c: &mut dyn Conn) -> Result<Snapshot> {
        let mut s = Snapshot {
            version: registry::version(c)?,
            ..Default::default()
        };
        for (year, county) in registry::partitions(c)? {
            s.refresh(c, year, &county)?;
        }
        s.refresh_tables(c)?;
        Ok(s)
    }

    /// Reloads the statistics and the poverty lines (small tables).
    pub fn refresh_tables(&mut self, c: &mut dyn Conn) -> Result<()> {
        self.statistics = registry::statistics(c)?
            .into_iter()
            .map(|r| {
                (
                    (r.year, r.area_code),
                    (r.rural_population, r.rural_income_fen),
                )
            })
            .collect();
        self.lines = registry::poverty_lines(c)?
            .into_iter()
            .map(|l| (l.year, l.line_fen))
            .collect();
        Ok(())
    }

    pub fn line_fen(&self, year: i32) -> Option<i64> {
        self.lines.get(&year).copied()
    }

    /// Statistics rows of a year (or all years) for counties under `area`.
    pub fn statistics(
        &self,
        year: Option<i32>,
        area: &str,
    ) -> impl Iterator<Item = (i32, &str, i64, Option<i64>)> {
        let county_prefix = area[..area.len().min(6)].to_string();
        self.statistics
            .iter()
            .filter(move |((y, code), _)| {
                year.is_none_or(|w| w == *y) && code.starts_with(&county_prefix)
            })
            .map(|((y, code), (pop, inc))| (*y, code.as_str(), *pop, *inc))
    }

    /// Reloads one (year, county) partition (after an import).
    pub fn refresh(&mut self, c: &mut dyn Conn, year: i32, county: &str) -> Result<()> {
        let mut p = Partition {
            year,
            county: county.to_string(),
            ..Default::default()
        };
        let mut last = None;
        registry::scan(c, year, county, &mut |r| {
            p.push(&r.household_id.clone(), &mut last, r)
        })?;
        if p.is_empty() {
            self.partitions.remove(&(year, county.to_string()));
        } else {
            self.partitions.insert((year, county.to_string()), p);
        }
        Ok(())
    }

    /// Replaces a partition built elsewhere (bulk loads, benchmarks).
    pub fn insert(&mut self, p: Partition) {
        self.partitions.insert((p.year, p.county.clone()), p);
    }

    pub fn members(&self) -> usize {
        self.partitions.values().map(Partition::len).sum()
    }

    pub fn years(&self) -> Vec<i32> {
        let mut y: Vec<i32> = self.partitions.keys().map(|k| k.0).collect();
        y.dedup();
        y
    }

    pub fn partitions(&self) -> impl Iterator<Item = &Partition> {
        self.partitions.values()
    }

    /// What the registry holds per (year, group) under `area`, every year
    /// and whatever the slice: members, villages and townships with any
    /// (the completeness of a year is judged on these). Groups as in
    /// [`Snapshot::accumulate`].
    pub fn presence(&self, area: &str, grouping: Grouping) -> BTreeMap<(i32, String), Presence> {
        let county_prefix = &area[..area.len().min(6)];
        let mut out: BTreeMap<(i32, String), Presence> = BTreeMap::new();
        for ((year, county), p) in &self.partitions {
            if !county.starts_with(county_prefix) {
                continue;
            }
            // A whole county in one group: the partition's own counts, no scan.
            if grouping == Grouping::County && area.len() <= 6 {
                let townships: std::collections::BTreeSet<&str> =
                    p.villages.iter().map(|v| &v[..9.min(v.len())]).collect();
                let e = out.entry((*year, county.clone())).or_default();
                e.members += p.len() as u64;
                e.villages += p.villages.len() as u64;
                e.townships += townships.len() as u64;
                continue;
            }
            // Members per village of the partition (one pass over an index).
            let mut per_village = vec![0u64; p.villages.len()];
            for &v in &p.village {
                per_village[v as usize] += 1;
            }
            let mut townships: BTreeMap<String, std::collections::BTreeSet<&str>> = BTreeMap::new();
            for (i, code) in p.villages.iter().enumerate() {
                if !code.starts_with(area) || per_village[i] == 0 {
                    continue;
                }
                let key = match grouping {
                    Grouping::County => county.clone(),
                    Grouping::Prefix(n) => code[..n.min(code.len())].to_string(),
                };
                let e = out.entry((*year, key.clone())).or_default();
                e.members += per_village[i];
                e.villages += 1;
                townships
                    .entry(key)
                    .or_default()
                    .insert(&code[..9.min(code.len())]);
            }
            for (key, t) in townships {
                out.entry((*year, key)).or_default().townships += t.len() as u64;
            }
        }
        out
    }

    /// Poor members (poor or returned) per cause code in `year` under
    /// `area`, admitted by `slice` whatever cause it names: the cause chart
    /// in one pass instead of one [`Snapshot::accumulate`] per cause.
    pub fn poor_by_cause(&self, year: i32, area: &str, slice: &Slice) -> BTreeMap<u8, u64> {
        let any_cause = Slice {
            cause: None,
            ..slice.clone()
        };
        let county_prefix = &area[..area.len().min(6)];
        let mut out = BTreeMap::new();
        let this_year = (year, String::new())..(year.saturating_add(1), String::new());
        for ((_, county), p) in self.partitions.range(this_year) {
            if !county.starts_with(county_prefix) {
                continue;
            }
            let inside: Vec<bool> = p.villages.iter().map(|v| v.starts_with(area)).collect();
            for i in 0..p.len() {
                if !inside[p.village[i] as usize] || !admits(&any_cause, p, i) {
                    continue;
                }
                // As in `scan`: an unknown status counts as poor.
                let status = PovertyStatus::from_code(p.status[i]).unwrap_or(PovertyStatus::Poor);
                if status != PovertyStatus::Exited {
                    *out.entry(p.cause[i]).or_default() += 1;
                }
            }
        }
        out
    }

    /// Sums per group of the members in `year` (all years when `None`)
    /// whose county code starts with `area` (the whole nation when
    /// empty), admitted by `slice`. Keys: (year, group code). `line_fen`
    /// gives the poverty line of a year. Households are counted per group.
    /// Partitions are scanned in parallel on the machine's cores.
    pub fn accumulate(
        &self,
        year: Option<i32>,
        area: &str,
        grouping: Grouping,
        slice: &Slice,
        line_fen: &(dyn Fn(i32) -> Option<i64> + Sync),
    ) -> BTreeMap<(i32, String), Accum> {
        // Only the county part of `area` selects partitions; a township or
        // village area is then matched on the village code.
        let county_prefix = &area[..area.len().min(6)];
        let chosen: Vec<&Partition> = self
            .partitions
            .iter()
            .filter(|((y, county), _)| {
                year.is_none_or(|want| want == *y) && county.starts_with(county_prefix)
            })
            .map(|(_, p)| p)
            .collect();
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .clamp(1, 16);
        let members: usize = chosen.iter().map(|p| p.len()).sum();
        let scan_all = |parts: &[&Partition]| {
            let mut out: BTreeMap<(i32, String), Accum> = BTreeMap::new();
            for p in parts {
                for (key, acc) in scan(p, area, grouping, slice, line_fen(p.year)) {
                    out.entry((p.year, key)).or_default().merge(&acc);
                }
            }
            out
        };
        if threads == 1 || members < 200_000 {
            return scan_all(&chosen);
        }
        // Split the partitions into runs of about equal member counts.
        let target = members.div_ceil(threads);
        let mut runs: Vec<Vec<&Partition>> = vec![Vec::new()];
        let mut filled = 0;
        for p in chosen {
            if filled >= target {
                runs.push(Vec::new());
                filled = 0;
            }
            filled += p.len();
            runs.last_mut().expect("one run").push(p);
        }
        let parts: Vec<BTreeMap<(i32, String), Accum>> = std::thread::scope(|s| {
            let handles: Vec<_> = runs.iter().map(|run| s.spawn(|| scan_all(run))).collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("scan worker"))
                .collect()
        });
        let mut out: BTreeMap<(i32, String), Accum> = BTreeMap::new();
        for part in parts {
            for (k, acc) in part {
                out.entry(k).or_default().merge(&acc);
            }
        }
        out
    }
}

/// One pass over a partition: the sums per group. Groups are resolved per
/// village once, so the loop over members does no string work.
fn scan(
    p: &Partition,
    area: &str,
    grouping: Grouping,
    slice: &Slice,
    line: Option<i64>,
) -> Vec<(String, Accum)> {
    let mut keys: Vec<String> = Vec::new();
    let village_group: Vec<Option<usize>> = p
        .villages
        .iter()
        .map(|v| {
            if !v.starts_with(area) {
                return None;
            }
            let key = match grouping {
                Grouping::County => p.county.clone(),
                Grouping::Prefix(n) => v[..n.min(v.len())].to_string(),
            };
            Some(match keys.iter().position(|k| *k == key) {
                Some(i) => i,
                None => {
                    keys.push(key);
                    keys.len() - 1
                }
            })
        })
        .collect();
    let mut accs = vec![Accum::default(); keys.len()];
    let mut last_household = vec![u32::MAX; keys.len()];
    for i in 0..p.len() {
        let Some(g) = village_group[p.village[i] as usize] else {
            continue;
        };
        if !admits(slice, p, i) {
            continue;
        }
        let status = PovertyStatus::from_code(p.status[i]).unwrap_or(PovertyStatus::Poor);
        accs[g].add_member(status, p.income_fen[i], line);
        if p.household[i] != last_household[g] {
            accs[g].households += 1;
            last_household[g] = p.household[i];
        }
    }
    keys.into_iter()
        .zip(accs)
        .filter(|(_, a)| a.members > 0)
        .collect()
}
