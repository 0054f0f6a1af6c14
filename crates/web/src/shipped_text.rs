//! Notes the product ships in its reference data (the poverty lines'
//! notes, the shipped county lists' notes). A database keeps them as they
//! were loaded; the pages show them in the reader's language. A note the
//! office wrote itself is shown as written.

use crate::i18n::t;

/// (the note as loaded, catalogue key)
const SHIPPED: &[(&str, &str)] = &[
    ("2010 standard at 2010 prices", "pl_note_2010_standard"),
    ("current prices", "pl_note_current"),
    (
        "current prices (secondary source)",
        "pl_note_current_secondary",
    ),
    (
        "approximate figure announced for 2020",
        "pl_note_2020_approx",
    ),
    (
        "随产品提供的名单只含 7 个省的 191 个县（共 592 个），请导入或补录完整名单。 The shipped list holds 191 of the 592 counties (7 of 21 provinces); import or edit the full list.",
        "cl_note_key_2012",
    ),
    (
        "产品未附带此名单，请导入。 Not shipped with the product: import it.",
        "cl_note_poor_2014",
    ),
    (
        "随产品提供的名单含 160 个县中的 90 个（云南 27 个中的 11 个，陕西、甘肃、青海、宁夏尚缺），请导入完整名单。 The shipped list holds 90 of the 160 counties (Yunnan 11 of 27; none yet of Shaanxi, Gansu, Qinghai, Ningxia); import the full list.",
        "cl_note_key_assist_2021",
    ),
];

/// A stored note in the reader's language when the product shipped it.
pub fn note_text(lang: &str, note: &str) -> String {
    match SHIPPED.iter().find(|(n, _)| *n == note) {
        Some((_, key)) => t(lang, key),
        None => note.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shipped notes (as the reference data loads them) read in one
    /// language; the office's own notes stay as written.
    #[test]
    fn shipped_notes_read_in_one_language() {
        let csv = include_str!("../../../data/poverty-lines.csv");
        for line in csv.lines().skip(1) {
            let note = line.splitn(3, ',').nth(2).unwrap();
            let zh = note_text("zh", note);
            assert!(
                !zh.chars().any(|c| c.is_ascii_alphabetic()),
                "{note} → {zh}"
            );
            assert!(note_text("en", note).is_ascii());
        }
        for (note, _) in &SHIPPED[4..] {
            let zh = note_text("zh", note);
            assert!(!zh.chars().any(|c| c.is_ascii_alphabetic()), "{zh}");
            assert!(note_text("en", note).is_ascii(), "{note}");
        }
        assert_eq!(note_text("en", "按新标准调整"), "按新标准调整");
    }
}
