//! Who a registered person is across years and how people are looked up
//! by name, without ever opening a sealed name: the normal form of a name
//! (the value of its blind index), the short name of a village, and the
//! rule that tells whether a household kept its head from one year to the
//! next.

use unicode_normalization::UnicodeNormalization;

/// The blind-index domain of members' names (the index is
/// `HMAC-SM3(K_i, "member.name" ‖ 0x00 ‖ normal form)`, see `crypto`).
pub const NAME_INDEX_DOMAIN: &str = "member.name";

/// The longest name (in characters, after normalising) a search accepts.
pub const MAX_NAME_CHARS: usize = 64;

/// The normal form of a person's name, as indexed and as searched: NFKC
/// (full-width letters and digits become ordinary ones, compatibility
/// characters their usual form), every kind of space and every invisible
/// format character (zero-width space, joiners, direction marks, BOM)
/// removed, the middle-dot variants of transcribed names (`•`, `・`, `‧`,
/// `．`, `.`) written as `·`, and Latin letters in lower case. `王 伟`,
/// `王伟` and `　王伟 ` are one name. A blind index matches exact values
/// only: `王` does not find `王伟`.
pub fn normalise_name(name: &str) -> String {
    name.nfkc()
        .filter(|c| !c.is_whitespace() && !is_invisible(*c))
        .map(|c| match c {
            '•' | '・' | '‧' | '．' | '.' | '･' | '∙' => '·',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// Format characters that render as nothing (Unicode category Cf and the
/// like): they make two equal-looking names differ.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{180E}'
        | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}'
        | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}')
        || c.is_control()
}

/// Whether a village registered as `registered` is the one a person asked
/// for by `asked`: its full or its short name, spaces and width aside.
pub fn village_matches(registered: &str, asked: &str) -> bool {
    let asked = normalise_name(asked);
    !asked.is_empty()
        && (normalise_name(registered) == asked
            || normalise_name(&crate::area::short_village_name(registered)) == asked)
}

/// Whether a household's head in one year is another person than in the
/// year before, from comparing their ID numbers and names (each by blind
/// index or in the clear; `None` when a side's name is not known). The
/// same ID number is the same person (a name corrected); the same name is
/// taken as the same person (an ID number corrected); a head is another
/// person only when both differ.
pub fn head_changed(same_id_number: bool, same_name: Option<bool>) -> bool {
    !same_id_number && same_name != Some(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_look_alike_share_one_normal_form() {
        assert_eq!(normalise_name("王伟"), "王伟");
        assert_eq!(normalise_name(" 王 伟 "), "王伟");
        assert_eq!(normalise_name("\u{3000}王\u{200B}伟\t"), "王伟");
        assert_eq!(normalise_name("阿卜杜•热合曼"), "阿卜杜·热合曼");
        assert_eq!(normalise_name("阿卜杜・热合曼"), "阿卜杜·热合曼");
        assert_eq!(normalise_name("ＬＩ Ｍｉｎｇ"), "liming");
        assert_eq!(normalise_name("\u{202E}王伟"), "王伟");
        assert_ne!(normalise_name("王伟"), normalise_name("王"));
        assert_eq!(normalise_name(" \u{200B} "), "");
    }

    #[test]
    fn a_village_is_found_by_its_full_or_short_name() {
        assert!(village_matches("庙沟村村民委员会", "庙沟村"));
        assert!(village_matches("庙沟村村民委员会", "庙沟村村民委员会"));
        assert!(village_matches("庙沟村村民委员会", " 庙沟村 "));
        assert!(!village_matches("庙沟村村民委员会", "庙沟"));
        assert!(!village_matches("庙沟村村民委员会", "沟村"));
        assert!(!village_matches("庙沟村村民委员会", ""));
    }

    #[test]
    fn a_head_is_another_person_only_when_number_and_name_both_differ() {
        assert!(!head_changed(true, Some(false)));
        assert!(!head_changed(false, Some(true)));
        assert!(head_changed(false, Some(false)));
        assert!(head_changed(false, None));
        assert!(!head_changed(true, None));
    }
}
