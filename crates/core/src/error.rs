//! Bilingual messages: every error a user can cause says what was wrong and
//! where, in Chinese and in English.

use serde::Serialize;

/// A message in both languages with a stable machine code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Msg {
    pub code: String,
    pub zh: String,
    pub en: String,
}

impl Msg {
    pub fn new(code: &str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Msg {
            code: code.to_string(),
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// The text in the given language (`"en"` or anything else for Chinese).
    pub fn text(&self, lang: &str) -> &str {
        if lang == "en" { &self.en } else { &self.zh }
    }
}

/// The most characters of a user's value that an error repeats back
/// ([`clip`]): enough to recognise the cell, never the whole of a hostile one.
pub const ECHO_MAX_CHARS: usize = 64;

/// A value as an error may repeat it: at most [`ECHO_MAX_CHARS`] characters,
/// followed by "…" when it was cut.
pub fn clip(value: &str) -> String {
    clip_to(value, ECHO_MAX_CHARS)
}

/// `value` cut to at most `max` characters, followed by "…" when it was cut.
pub fn clip_to(value: &str, max: usize) -> String {
    // Most values are short: no need to count characters.
    if value.len() <= max {
        return value.to_string();
    }
    match value.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &value[..end]),
        None => value.to_string(),
    }
}

/// A problem with one field of a form, one cell of an import, or one API field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// Row as the user sees it in Excel (header is row 1); `None` for forms.
    pub row: Option<usize>,
    /// The field or column name.
    pub field: String,
    /// The offending value, as given, cut to [`ECHO_MAX_CHARS`] characters.
    pub value: String,
    pub msg: Msg,
}

impl FieldError {
    /// The field name and the value are cut to [`ECHO_MAX_CHARS`]
    /// characters: an error never carries a whole hostile cell (a header
    /// cell becomes the field name of an unknown column).
    pub fn new(field: &str, value: impl Into<String>, msg: Msg) -> Self {
        let value = value.into();
        FieldError {
            row: None,
            field: clip(field),
            value: if value.len() <= ECHO_MAX_CHARS {
                value
            } else {
                clip(&value)
            },
            msg,
        }
    }

    pub fn at_row(mut self, row: usize) -> Self {
        self.row = Some(row);
        self
    }

    pub fn required(field: &str) -> Self {
        FieldError::new(
            field,
            "",
            Msg::new("required", "必填项不能为空", "is required"),
        )
    }

    /// An import file with a header and no data row.
    pub fn no_rows() -> Self {
        FieldError::new(
            "file",
            "",
            Msg::new("no_rows", "文件中没有数据行", "the file has no data rows"),
        )
    }

    pub fn too_long(field: &str, value: &str, max: usize) -> Self {
        FieldError::new(
            field,
            value,
            Msg::new(
                "too_long",
                format!("不能超过 {max} 个字符"),
                format!("must be at most {max} characters"),
            ),
        )
    }
}

/// Control characters (other than tab and line breaks) have no place in
/// anything a person types; PostgreSQL cannot even store NUL. Nor have the
/// direction controls (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F,
/// U+061C), which make a text display otherwise than it reads ("Trojan
/// source"), and a text made only of invisible characters (zero-width
/// spaces and joiners, U+2060, U+FEFF) is no text at all.
fn control_character(field: &str, v: &str) -> Option<FieldError> {
    let shown = || v.replace('\0', "\\0");
    if v.chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Some(FieldError::new(
            field,
            shown(),
            Msg::new(
                "control_character",
                "含有不可见的控制字符",
                "contains invisible control characters",
            ),
        ));
    }
    if v.chars().any(is_direction_control) {
        return Some(FieldError::new(
            field,
            v.chars()
                .map(|c| {
                    if is_direction_control(c) {
                        '\u{FFFD}'
                    } else {
                        c
                    }
                })
                .collect::<String>(),
            Msg::new(
                "direction_control",
                "含有改变文字显示方向的控制字符（如 U+202E），请删除后重新填写",
                "contains a character that changes the direction text is shown in (such as U+202E): remove it",
            ),
        ));
    }
    if v.chars().all(|c| is_invisible(c) || c.is_whitespace()) {
        return Some(FieldError::new(
            field,
            "",
            Msg::new(
                "invisible_only",
                "只含有不可见的字符（如零宽空格），请填写实际内容",
                "holds only invisible characters (such as a zero-width space): enter the actual text",
            ),
        ));
    }
    None
}

/// The Unicode bidirectional formatting characters.
pub fn is_direction_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Characters that take no space: zero-width space, non-joiner, joiner,
/// word joiner, byte-order mark.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// Checks a required text field: trimmed, non-empty, at most `max` characters.
pub fn required_text(field: &str, value: &str, max: usize, errors: &mut Vec<FieldError>) -> String {
    let v = value.trim();
    if v.is_empty() {
        errors.push(FieldError::required(field));
    } else if v.chars().count() > max {
        errors.push(FieldError::too_long(field, v, max));
    } else if let Some(e) = control_character(field, v) {
        errors.push(e);
    }
    v.to_string()
}

/// Checks an optional text field; empty becomes `None`.
pub fn optional_text(
    field: &str,
    value: &str,
    max: usize,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    if v.chars().count() > max {
        errors.push(FieldError::too_long(field, v, max));
    } else if let Some(e) = control_character(field, v) {
        errors.push(e);
    }
    Some(v.to_string())
}

#[cfg(test)]
mod text_tests {
    use super::*;

    #[test]
    fn an_error_repeats_at_most_a_short_prefix_of_a_huge_value() {
        let huge = "甲".repeat(1_000_000);
        let e = FieldError::new(&huge, huge.as_str(), Msg::new("x", "错", "bad"));
        assert_eq!(e.value.chars().count(), ECHO_MAX_CHARS + 1);
        assert!(e.value.ends_with('…'));
        assert_eq!(e.field.chars().count(), ECHO_MAX_CHARS + 1);
        assert_eq!(clip("short"), "short");
        assert_eq!(clip_to("abcdef", 3), "abc…");
        // Cut on a character, never inside one.
        assert_eq!(clip_to("一二三四", 2), "一二…");
    }

    #[test]
    fn control_characters_are_refused_but_line_breaks_are_kept() {
        let mut e = Vec::new();
        required_text("name", "a\u{0}b", 10, &mut e);
        optional_text("note", "x\u{7}", 10, &mut e);
        assert_eq!(
            e.iter().map(|e| e.msg.code.as_str()).collect::<Vec<_>>(),
            vec!["control_character", "control_character"]
        );
        let mut ok = Vec::new();
        optional_text("note", "line one\nline two", 100, &mut ok);
        assert!(ok.is_empty());
    }

    #[test]
    fn direction_controls_and_invisible_only_text_are_refused() {
        let codes = |v: &str| {
            let mut e = Vec::new();
            required_text("name", v, 50, &mut e);
            e.into_iter().map(|e| e.msg.code).collect::<Vec<_>>()
        };
        assert_eq!(codes("\u{200B}"), vec!["invisible_only"]);
        assert_eq!(codes("\u{200B}\u{FEFF} \u{200D}"), vec!["invisible_only"]);
        for c in [
            '\u{202E}', '\u{202A}', '\u{2066}', '\u{2069}', '\u{200F}', '\u{061C}',
        ] {
            assert_eq!(
                codes(&format!("张{c}三")),
                vec!["direction_control"],
                "{c:?}"
            );
        }
        let mut e = Vec::new();
        required_text("name", "abc\u{202E}fed", 50, &mut e);
        assert!(
            !e[0].value.contains('\u{202E}'),
            "the control is not echoed"
        );
        // A zero-width joiner inside real text is left alone.
        assert!(codes("张\u{200D}三").is_empty());
    }
}
