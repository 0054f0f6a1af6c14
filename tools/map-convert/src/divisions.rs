//! The 2023 division table the shapes are matched to (`data/*.csv`).

use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct County {
    pub code: String,
    pub name: String,
    pub prefecture: String,
}

#[derive(Debug, Default)]
pub struct Divisions {
    pub provinces: BTreeMap<String, String>,
    /// Prefecture code → (name, province code).
    pub prefectures: BTreeMap<String, (String, String)>,
    pub counties: Vec<County>,
}

impl Divisions {
    pub fn read(data: &Path) -> Result<Divisions, String> {
        let rows = |file: &str| -> Result<Vec<csv::StringRecord>, String> {
            let path = data.join(file);
            let mut r =
                csv::Reader::from_path(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            r.records()
                .collect::<Result<_, _>>()
                .map_err(|e| format!("{}: {e}", path.display()))
        };
        let mut d = Divisions::default();
        for r in rows("provinces.csv")? {
            d.provinces.insert(r[0].to_string(), r[1].to_string());
        }
        for r in rows("prefectures.csv")? {
            d.prefectures
                .insert(r[0].to_string(), (r[1].to_string(), r[2].to_string()));
        }
        for r in rows("counties.csv")? {
            d.counties.push(County {
                code: r[0].to_string(),
                name: r[1].to_string(),
                prefecture: r[2].to_string(),
            });
        }
        Ok(d)
    }

    /// The counties a package file covers: those of the prefecture whose
    /// name the file's map name begins (安庆 → 安庆市, 那曲地区 → 那曲市);
    /// for a municipality's file (北京) the whole province; otherwise the
    /// province's directly administered counties (济源, 石河子, 五指山…).
    pub fn scope(&self, province: &str, map_name: &str) -> Vec<&County> {
        let core = ["地区", "市", "盟"]
            .iter()
            .find_map(|s| map_name.strip_suffix(s))
            .unwrap_or(map_name);
        let in_province = |pick: &dyn Fn(&str) -> bool| -> Vec<&County> {
            self.counties
                .iter()
                .filter(|c| {
                    self.prefectures
                        .get(&c.prefecture)
                        .is_some_and(|(name, p)| p == province && pick(name))
                })
                .collect()
        };
        let named = in_province(&|name| name.starts_with(core));
        if !named.is_empty() {
            return named;
        }
        if self
            .provinces
            .get(province)
            .is_some_and(|p| p.starts_with(core))
        {
            return in_province(&|_| true);
        }
        in_province(&|name| name.contains("直辖"))
    }
}
