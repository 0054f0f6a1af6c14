//! The request's language: every text exists in Chinese and English, and
//! Chinese is the default.

/// The language an `Accept-Language` header asks for: `en` when its first
/// choice is English, `zh` otherwise.
pub fn from_accept_language(header: &str) -> &'static str {
    if header.trim_start().starts_with("en") {
        "en"
    } else {
        "zh"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_only_when_it_is_the_first_choice() {
        assert_eq!(from_accept_language("en-GB,en;q=0.9"), "en");
        assert_eq!(from_accept_language("  en"), "en");
        assert_eq!(from_accept_language("zh-CN,en;q=0.8"), "zh");
        assert_eq!(from_accept_language("fr"), "zh");
        assert_eq!(from_accept_language(""), "zh");
    }
}
