//! Registry benchmarks (`cargo bench -p dingdian-benches`):
//!
//! 1. import rate: a synthetic registry CSV of 1 M members imported into a
//!    fresh SQLite file with full validation, sealing and indexing;
//! 2. slice latency: the county-level indicator table of one year, and a
//!    sliced one (status × cause), over snapshots of 1 M and 10 M members.
//!
//! Sizes can be changed with DINGDIAN_BENCH_IMPORT (members) and
//! DINGDIAN_BENCH_SLICES (comma-separated member counts);
//! DINGDIAN_BENCH_FLOOR=0 skips the SQLite floor measurement.

use dingdian_app::indicators::IndicatorQuery;
use dingdian_app::registry::ImportOptions;
use dingdian_app::synth::{self, SynthSpec};
use dingdian_app::{Actor, App};
use dingdian_core::area::Level;
use dingdian_core::registry::{Cause, PovertyStatus};
use dingdian_store::analytics::{Partition, Slice, Snapshot};
use dingdian_store::registry::ScanRow;
use std::time::{Duration, Instant};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn spec(members: usize, counties: usize) -> SynthSpec {
    let all = dingdian_store::reference::villages_by_county().expect("villages");
    SynthSpec {
        counties: all.into_iter().take(counties).collect(),
        people_per_county: members / counties,
        seed: 42,
        first_year: 2016,
        last_year: 2016,
    }
}

fn line(y: i32) -> i64 {
    dingdian_store::reference::shipped_poverty_lines()
        .line_fen(y)
        .unwrap_or(400_000)
}

fn open(dir: &tempfile::TempDir) -> App {
    open_with_store(dir).0
}

/// The app and its store: the slice benchmark installs a snapshot beneath
/// the app, which keeps its store to itself.
fn open_with_store(dir: &tempfile::TempDir) -> (App, dingdian_store::Store) {
    let store = dingdian_store::Store::open(&format!(
        "sqlite://{}",
        dir.path().join("bench.db").display()
    ))
    .expect("store");
    let app = App::with_key(
        store.clone(),
        dingdian_core::crypto::PersonalDataKey::from_bytes([7; 32]),
    );
    (app, store)
}

/// User + system CPU time of this process so far (Linux `/proc`, 10 ms
/// ticks); 0 where there is no `/proc`.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which may hold spaces) in parentheses.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the whole line: 11 and 12 here.
    (ticks(11) + ticks(12)) / 100.0
}

/// The process's peak resident memory so far (Linux `VmHWM`), in GB; 0
/// where there is no `/proc`. It includes the generated CSV the bench
/// holds (about 100 bytes per member).
fn peak_memory_gb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1e6)
}

fn import_rate(members: usize) {
    let mut csv = synth::header().join(",");
    csv.push('\n');
    synth::generate(&spec(members, 100), &line, &mut |r| {
        csv.push_str(&r.join(","));
        csv.push('\n');
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let app = open(&dir);
    let start = Instant::now();
    // Where the time goes: when each phase of the import begins, in wall
    // time and in CPU time of the whole process (CPU time stays meaningful
    // on a busy machine).
    let phases = std::sync::Mutex::new(Vec::<(String, f64, f64)>::new());
    let cpu0 = cpu_seconds();
    let report = app
        .import_registry(
            &Actor::cli(),
            "bench.csv",
            csv.as_bytes(),
            ImportOptions::default(),
            &|phase, _, _| {
                let mut p = phases.lock().unwrap();
                if p.last().is_none_or(|(last, _, _)| last != phase) {
                    p.push((
                        phase.to_string(),
                        start.elapsed().as_secs_f64(),
                        cpu_seconds() - cpu0,
                    ));
                }
            },
        )
        .expect("import");
    let secs = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu0;
    let phases = phases.into_inner().unwrap();
    for (i, (phase, at, cpu_at)) in phases.iter().enumerate() {
        let (end, cpu_end) = phases.get(i + 1).map_or((secs, cpu), |(_, t, c)| (*t, *c));
        println!(
            "  phase {phase:<10} {:>6.2} s wall {:>6.2} s CPU",
            end - at,
            cpu_end - cpu_at
        );
    }
    println!(
        "import  {:>10} members, {:>8} households into SQLite: {:>6.2} s = {:>8.0} members/s ({:.1} MB CSV); peak memory so far {:.2} GB",
        report.members,
        report.households,
        secs,
        report.members as f64 / secs,
        csv.len() as f64 / 1e6,
        peak_memory_gb()
    );
}

/// The floor under the import: the same number of members (and
/// households), already built as the import would store them, inserted by
/// a bare rusqlite loop into the same schema in one transaction — no
/// reading, validation, sealing or app code. Measured next to the import
/// so that both figures come from the same machine in the same minute
/// (this virtual machine's speed drifts by half from hour to hour).
fn sqlite_floor(members: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    drop(open(&dir));
    let c = rusqlite::Connection::open(dir.path().join("bench.db")).expect("open");
    c.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA cache_size = -262144;")
        .expect("pragmas");
    // Deterministic bytes of the sizes the import stores.
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut bytes = |n: usize| -> Vec<u8> {
        (0..n)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect()
    };
    let households = members * 27 / 100;
    let county = |h: usize| format!("{}", 620_102 + (h * 100 / households.max(1)));
    // (blind index, household number, sealed ID number, sealed name)
    type Member = (Vec<u8>, usize, Vec<u8>, Vec<u8>);
    let rows: Vec<Member> = (0..members)
        .map(|m| (bytes(32), m * households / members, bytes(30), bytes(37)))
        .collect();
    let start = Instant::now();
    let tx = c.unchecked_transaction().expect("begin");
    {
        let mut h = tx
            .prepare(
                "INSERT INTO households (year, household_id, county_code, village_code, income_fen, status, identified_year, exit_year, cause, imported_at) \
                 VALUES (2016, ?, ?, ?, 300000, 1, 2014, NULL, 3, 0)",
            )
            .expect("prepare");
        for n in 0..households {
            let cc = county(n);
            h.execute(rusqlite::params![
                format!("{cc}{n:08}"),
                cc,
                format!("{cc}100200")
            ])
            .expect("household");
        }
        let mut m = tx
            .prepare(
                "INSERT INTO members (year, id_index, household_id, county_code, id_cipher, name_cipher, key_id, relation, sex, birth_year) \
                 VALUES (2016, ?, ?, ?, ?, ?, 'abcdef01', 1, 1, 1970)",
            )
            .expect("prepare");
        for (index, n, id, name) in &rows {
            let cc = county(*n);
            m.execute(rusqlite::params![
                index,
                format!("{cc}{n:08}"),
                cc,
                id,
                name
            ])
            .expect("member");
        }
    }
    tx.commit().expect("commit");
    let secs = start.elapsed().as_secs_f64();
    println!(
        "floor   {members:>10} members, {households:>8} households, bare rusqlite inserts into the same schema: {secs:>6.2} s = {:>8.0} members/s",
        members as f64 / secs
    );
}

/// A snapshot built straight in memory from the synthetic registry (what
/// the store would hold after importing it).
fn snapshot(members: usize) -> Snapshot {
    let mut snap = Snapshot::default();
    let s = spec(members, 190);
    for (county, villages) in &s.counties {
        let plans = synth::plan_county(county, villages, s.people_per_county, s.seed, 2016, 2016);
        let mut p = Partition {
            year: 2016,
            county: county.clone(),
            ..Default::default()
        };
        let mut last = None;
        for h in &plans {
            let status = h.status(2016);
            let fen = (line(2016) as f64
                * if status == PovertyStatus::Exited {
                    h.exited_ratio
                } else {
                    h.poor_ratio
                }) as i64;
            for (_, _, rel) in &h.members {
                let row = ScanRow {
                    household_id: h.code.clone(),
                    village_code: h.village.clone(),
                    income_fen: fen,
                    status: status.code(),
                    cause: h.cause.code(),
                    relation: rel.code(),
                    sex: 1,
                    birth_year: 1970,
                    household_type: 0,
                };
                p.push(&h.code, &mut last, &row);
            }
        }
        snap.insert(p);
    }
    snap
}

fn time_it(runs: usize, mut f: impl FnMut()) -> (Duration, Duration) {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    (times[runs / 2], times[runs - 1])
}

fn slice_latency(members: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (app, store) = open_with_store(&dir);
    let built = Instant::now();
    let snap = snapshot(members);
    let n = snap.members();
    store.set_snapshot(snap);
    let build_secs = built.elapsed().as_secs_f64();
    let office = Actor::cli();
    let county = IndicatorQuery {
        year: Some(2016),
        level: Some(Level::County),
        ..Default::default()
    };
    let (median, worst) = time_it(21, || {
        let rows = app.indicators(&office, &county).expect("indicators");
        assert!(!rows.is_empty());
    });
    let sliced = IndicatorQuery {
        year: Some(2016),
        level: Some(Level::County),
        slice: Slice {
            status: Some(PovertyStatus::Poor.code()),
            cause: Some(Cause::Illness.code()),
            ..Default::default()
        },
        ..Default::default()
    };
    let (median_s, worst_s) = time_it(21, || {
        app.indicators(&office, &sliced).expect("indicators");
    });
    let nation = IndicatorQuery {
        year: Some(2016),
        level: Some(Level::Nation),
        ..Default::default()
    };
    let (median_n, _) = time_it(21, || {
        app.indicators(&office, &nation).expect("indicators");
    });
    println!(
        "slices  {n:>10} members (snapshot built in {build_secs:.1} s): county table {:>6.1} ms median ({:.1} ms worst); \
         poor×illness slice {:>6.1} ms ({:.1} ms worst); nation {:>6.1} ms",
        median.as_secs_f64() * 1e3,
        worst.as_secs_f64() * 1e3,
        median_s.as_secs_f64() * 1e3,
        worst_s.as_secs_f64() * 1e3,
        median_n.as_secs_f64() * 1e3,
    );
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing
    // we need: keep that run short.
    let quick = !std::env::args().any(|a| a == "--bench");
    let import = env_usize(
        "DINGDIAN_BENCH_IMPORT",
        if quick { 20_000 } else { 1_000_000 },
    );
    import_rate(import);
    // DINGDIAN_BENCH_FLOOR=0 leaves the floor out (at 10 M it takes minutes).
    if env_usize("DINGDIAN_BENCH_FLOOR", 1) != 0 {
        sqlite_floor(import);
    }
    let sizes: Vec<usize> = std::env::var("DINGDIAN_BENCH_SLICES")
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .unwrap_or_else(|| {
            if quick {
                vec![100_000]
            } else {
                vec![1_000_000, 10_000_000]
            }
        });
    for n in sizes {
        slice_latency(n);
    }
}
