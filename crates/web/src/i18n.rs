//! The words of the pages, in Chinese and English side by side in
//! `i18n/messages.tsv` (a row a key: key, 中文, English, separated by tabs;
//! `#` starts a comment line). Templates call `t("key")`; tests check that
//! every key the pages use is in the file and every key in the file is used.

use std::collections::HashMap;
use std::sync::LazyLock;

const FILE: &str = include_str!("../i18n/messages.tsv");

/// A key's words: (中文, English).
type Words = (&'static str, &'static str);

static MESSAGES: LazyLock<HashMap<&'static str, Words>> = LazyLock::new(|| match parse(FILE) {
    Ok(rows) => rows.into_iter().map(|(k, zh, en)| (k, (zh, en))).collect(),
    // The file is compiled in and tested: a broken one never ships.
    Err(e) => panic!("i18n/messages.tsv: {e}"),
});

/// Reads the catalogue now (it is built at start, with the templates).
pub fn load() {
    LazyLock::force(&MESSAGES);
}

/// The rows of a catalogue file, or the first line that is not one: three
/// non-empty fields, a key not seen before.
fn parse(file: &str) -> Result<Vec<(&str, &str, &str)>, String> {
    let mut rows = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, line) in file.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let [key, zh, en] = fields[..] else {
            return Err(format!("line {}: {} fields, not 3", i + 1, fields.len()));
        };
        if [key, zh, en].iter().any(|f| f.trim().is_empty()) {
            return Err(format!("line {}: an empty field", i + 1));
        }
        if !seen.insert(key) {
            return Err(format!("line {}: {key} appears twice", i + 1));
        }
        rows.push((key, zh, en));
    }
    Ok(rows)
}

pub fn t(lang: &str, key: &str) -> String {
    match MESSAGES.get(key) {
        Some((zh, en)) => if lang == "en" { en } else { zh }.to_string(),
        None => key.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_parses_with_unique_keys_and_no_empty_text() {
        let rows = parse(FILE).unwrap();
        assert_eq!(rows.len(), MESSAGES.len());
        assert!(rows.len() > 500, "{}", rows.len());
        assert_eq!(parse("a\t甲\tA\n# note\n\nb\t乙\tB\n").unwrap().len(), 2);
        for bad in [
            "a\t甲\n",
            "a\t甲\tA\tx\n",
            "a\t \tA\n",
            "a\t甲\tA\na\t乙\tB\n",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }

    /// Every file under `dir` (recursively) as text without its comment
    /// lines (they name keys in examples), with its path.
    fn sources(dir: &std::path::Path) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                out.extend(sources(&path));
            } else {
                let text = std::fs::read_to_string(&path).unwrap();
                let code: Vec<&str> = text
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("//"))
                    .collect();
                out.push((path.display().to_string(), code.join("\n")));
            }
        }
        out
    }

    /// The keys a source names in calls of `t` (`t("k")` in a template,
    /// `t(lang, "k")` in Rust) and the families of keys it completes at
    /// run time (`t("level_" ~ x)`, `format!("reg_status_{}", …)`, or a
    /// literal prefix such as `"health_"`).
    fn keys_used(src: &str) -> (Vec<String>, Vec<String>) {
        let (mut keys, mut prefixes) = (Vec::new(), Vec::new());
        for (i, _) in src.match_indices("t(") {
            // Only calls of `t` itself, not `insert("…")` or `format("…")`.
            if src[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
            {
                continue;
            }
            let mut rest = &src[i + 2..];
            if !rest.starts_with(['"', '\'']) {
                // Skip the language argument: `lang`, `&pc.lang`, `self.lang()`…
                let Some(comma) = rest.find(',') else {
                    continue;
                };
                if rest[..comma].contains(['"', '\'', ')', ';', '{']) {
                    continue;
                }
                rest = rest[comma + 1..].trim_start();
            }
            // A template may quote with either mark.
            let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                continue;
            };
            let key = rest[1..].split(quote).next().unwrap_or("");
            if rest[key.len() + 2..].trim_start().starts_with('~') {
                prefixes.push(key.to_string());
            } else {
                keys.push(key.to_string());
            }
        }
        for (start, end) in [("format!(\"", '{'), ("\"", '"')] {
            for (i, _) in src.match_indices(start) {
                let lit = &src[i + start.len()..];
                let word: String = lit
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                    .collect();
                // A prefix names a family (`audit_a_`), not a bare `"_"`.
                if word.len() > 1 && word.ends_with('_') && lit[word.len()..].starts_with(end) {
                    prefixes.push(word);
                }
            }
        }
        keys.retain(|k| !k.is_empty());
        prefixes.retain(|p| !p.is_empty());
        (keys, prefixes)
    }

    #[test]
    fn every_key_used_by_a_page_exists_and_every_key_is_used() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        // All but this file, whose tests name keys of their own.
        let mut all = sources(&root.join("src"));
        all.retain(|(path, _)| !path.ends_with("src/i18n.rs"));
        all.extend(sources(&root.join("templates")));
        let (mut keys, mut prefixes) = (Vec::new(), Vec::new());
        for (_, src) in &all {
            let (k, p) = keys_used(src);
            keys.extend(k);
            prefixes.extend(p);
        }
        assert!(
            keys.len() > 500 && prefixes.len() > 5,
            "the sources were read"
        );
        let missing: Vec<_> = keys
            .iter()
            .filter(|k| !MESSAGES.contains_key(k.as_str()))
            .chain(
                prefixes
                    .iter()
                    .filter(|p| !MESSAGES.keys().any(|k| k.starts_with(p.as_str()))),
            )
            .collect();
        assert!(
            missing.is_empty(),
            "keys missing from the file: {missing:?}"
        );
        // A key is used when named in a call of `t`, completed from a
        // prefix, or written as a literal that reaches `t` later (menus,
        // tables of keys).
        let unused: Vec<_> = MESSAGES
            .keys()
            .filter(|k| {
                !keys.iter().any(|u| u == *k)
                    && !prefixes.iter().any(|p| k.starts_with(p.as_str()))
                    && !all.iter().any(|(_, src)| {
                        src.contains(&format!("\"{k}\"")) || src.contains(&format!("'{k}'"))
                    })
            })
            .collect();
        assert!(
            unused.is_empty(),
            "keys in the file that no page uses: {unused:?}"
        );
    }

    #[test]
    fn registry_words_and_indicator_names_are_in_the_catalog() {
        use dingdian_core::registry::{ALL_CAUSES, ALL_RELATIONS, ALL_STATUSES};
        let mut keys: Vec<String> = crate::pages::indicators::COLUMNS
            .iter()
            .map(|c| format!("ind_{c}"))
            .collect();
        keys.extend(
            ALL_STATUSES
                .iter()
                .map(|s| format!("reg_status_{}", s.as_str())),
        );
        keys.extend(
            ALL_CAUSES
                .iter()
                .map(|c| format!("reg_cause_{}", c.as_str())),
        );
        keys.extend(
            ALL_RELATIONS
                .iter()
                .map(|r| format!("relation_{}", r.as_str())),
        );
        use dingdian_core::registry::{
            ALL_EDUCATION, ALL_HEALTH, ALL_HOUSEHOLD_TYPES, ALL_LABOUR_SKILLS, ALL_MIGRANT_WORK,
        };
        keys.extend(ALL_HOUSEHOLD_TYPES.map(|v| format!("household_type_{}", v.as_str())));
        keys.extend(ALL_HEALTH.map(|v| format!("health_{}", v.as_str())));
        keys.extend(ALL_EDUCATION.map(|v| format!("education_{}", v.as_str())));
        keys.extend(ALL_LABOUR_SKILLS.map(|v| format!("labour_skill_{}", v.as_str())));
        keys.extend(ALL_MIGRANT_WORK.map(|v| format!("migrant_work_{}", v.as_str())));
        for k in [
            "sex_male",
            "sex_female",
            "job_running",
            "job_succeeded",
            "job_failed",
        ] {
            keys.push(k.into());
        }
        for p in [
            "read",
            "validate",
            "households",
            "index",
            "check",
            "write",
            "refresh",
        ] {
            keys.push(format!("phase_{p}"));
        }
        for k in &keys {
            let (zh, en) = (t("zh", k), t("en", k));
            // A row that is only a period's word ({era.people}) is the
            // same placeholder in both languages and filled per language.
            let era_word = zh == en && zh.starts_with("{era.");
            assert!(
                zh != *k && en != *k && (zh != en || era_word) || k == "ind_fgt0",
                "{k} in both languages"
            );
        }
    }

    #[test]
    fn falls_back_to_chinese_and_to_the_key() {
        assert_eq!(t("en", "sign_in"), "Sign in");
        assert_eq!(t("zh", "sign_in"), "登录");
        assert_eq!(t("fr", "sign_in"), "登录");
        assert_eq!(t("zh", "no-such-key"), "no-such-key");
    }
}
