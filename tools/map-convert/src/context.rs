//! The regions drawn around the counties on a national map (context):
//! territory of China no county shape covers — Taiwan, Hong Kong and
//! Macao, which the 2023 division table has no codes for, and 三沙市's
//! islands, which the package draws as no county. Each is one line of
//! `data/context-shapes.tsv`, in the format of the county shapes.

use crate::decode;
use crate::simplify::{Point, quantize};
use std::path::Path;

/// The package's outlines without internal borders, one file per area.
const DIR: &str = "js/shape-only";

/// (code, name, the start of the names of its files in DIR). The codes
/// are those of the national standard (GB/T 2260) for the regions.
const REGIONS: [(&str, &str, &str); 4] = [
    ("460300", "三沙市", "hai3_nan2_san1_sha1."),
    ("710000", "台湾省", "tai2_wan1_"),
    ("810000", "香港特别行政区", "xianggang."),
    ("820000", "澳门特别行政区", "aomen."),
];

/// One context region: every ring of every feature of its files.
pub struct Region {
    pub code: &'static str,
    pub name: &'static str,
    /// The package file names read, for the summary.
    pub files: Vec<String>,
    pub rings: Vec<Vec<Point>>,
}

pub fn read(package: &Path) -> Result<Vec<Region>, String> {
    let dir = package.join(DIR);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".js"))
        .collect();
    names.sort();
    REGIONS
        .iter()
        .map(|&(code, name, prefix)| {
            let files: Vec<String> = names
                .iter()
                .filter(|n| n.starts_with(prefix))
                .cloned()
                .collect();
            if files.is_empty() {
                return Err(format!("{DIR}: no file {prefix}* for {name}"));
            }
            let mut rings = Vec::new();
            for f in &files {
                let path = dir.join(f);
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                let file =
                    decode::read_file(&text).map_err(|e| format!("{}: {e}", path.display()))?;
                for feature in &file.features {
                    rings.extend(feature.rings.iter().map(|r| quantize(r)));
                }
            }
            Ok(Region {
                code,
                name,
                files,
                rings,
            })
        })
        .collect()
}
