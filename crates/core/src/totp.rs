//! The second factor: time-based one-time passwords (TOTP, RFC 6238) as
//! every authenticator app makes them — HMAC-SHA-1, a 30-second step,
//! 6 digits — and the base32 (RFC 4648, no padding) that carries the
//! secret into the app.
//!
//! Pure: the caller supplies the secret's random bytes and the time. A
//! code is accepted one step either side of now (clock drift), and the
//! caller remembers the last step it accepted per account, so a code seen
//! over a shoulder cannot be used again (RFC 6238 §5.2).

use crate::crypto::constant_time_eq;
use hmac::{Hmac, Mac};
use sha1::Sha1;

/// Seconds per step.
pub const STEP_SECONDS: i64 = 30;
/// Digits of a code.
pub const DIGITS: u32 = 6;
/// Bytes of a new secret: 160 bits, the HMAC-SHA-1 output size that
/// RFC 4226 §4 recommends.
pub const SECRET_BYTES: usize = 20;
/// Steps accepted either side of now.
pub const WINDOW_STEPS: i64 = 1;
/// Associated data of a sealed secret in `users.totp_secret`: a sealed
/// value copied into another column does not open.
pub const AAD_SECRET: &[u8] = b"users.totp_secret";
/// Associated data of a secret being enrolled, in `users.totp_pending`.
pub const AAD_PENDING: &[u8] = b"users.totp_pending";

/// The step a Unix time falls in.
pub fn step_at(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// The HOTP value (RFC 4226 §5.3) of `step`, with `digits` digits.
pub fn hotp(secret: &[u8], step: i64, digits: u32) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(&(step as u64).to_be_bytes());
    let h = mac.finalize().into_bytes();
    // Dynamic truncation: the low nibble of the last byte picks 4 bytes.
    let offset = (h[h.len() - 1] & 0x0f) as usize;
    let bin = u32::from_be_bytes([
        h[offset] & 0x7f,
        h[offset + 1],
        h[offset + 2],
        h[offset + 3],
    ]);
    let code = bin % 10u32.pow(digits);
    format!("{code:0width$}", width = digits as usize)
}

/// The 6-digit code of the step that `unix_seconds` falls in.
pub fn code_at(secret: &[u8], unix_seconds: i64) -> String {
    hotp(secret, step_at(unix_seconds), DIGITS)
}

/// The step whose code `code` is, searching one step either side of now
/// and only steps after `last_used` (so an accepted code is never accepted
/// again). `None` when the code is wrong, too old or already used.
pub fn verify(secret: &[u8], code: &str, unix_seconds: i64, last_used: Option<i64>) -> Option<i64> {
    let code = code.trim();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_at(unix_seconds);
    (now - WINDOW_STEPS..=now + WINDOW_STEPS)
        .filter(|s| last_used.is_none_or(|l| *s > l))
        .find(|s| constant_time_eq(hotp(secret, *s, DIGITS).as_bytes(), code.as_bytes()))
}

/// The `otpauth://` line an authenticator app reads (as text or a QR
/// code): issuer `dingdian`, the account name as label.
pub fn otpauth_uri(username: &str, secret: &[u8]) -> String {
    format!(
        "otpauth://totp/dingdian:{}?secret={}&issuer=dingdian",
        percent_encode(username),
        base32_encode(secret)
    )
}

/// User names hold only letters, digits and `._-` (checked when the
/// account is made), which need no escaping; anything else is escaped
/// anyway so the line stays a valid URI.
fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"._-~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Base32 (RFC 4648 §6) without padding, as authenticator apps expect.
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | b as u32;
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(BASE32[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(BASE32[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Decodes base32, case-insensitively, ignoring spaces, dashes and `=`
/// padding (people copy secrets by hand in groups). `None` on any other
/// character.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.chars().filter(|c| !matches!(c, ' ' | '-' | '=')) {
        let v = BASE32
            .iter()
            .position(|&a| a as char == c.to_ascii_uppercase())? as u32;
        buffer = (buffer << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 rows: the seed is the ASCII string
    /// "12345678901234567890"; the times and 8-digit codes are the RFC's.
    const RFC_SEED: &[u8] = b"12345678901234567890";
    const RFC_SHA1: &[(i64, &str)] = &[
        (59, "94287082"),
        (1_111_111_109, "07081804"),
        (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"),
        (2_000_000_000, "69279037"),
        (20_000_000_000, "65353130"),
    ];

    #[test]
    fn rfc6238_sha1_vectors_with_eight_digits() {
        for (t, expected) in RFC_SHA1 {
            assert_eq!(hotp(RFC_SEED, step_at(*t), 8), *expected, "T = {t}");
        }
    }

    #[test]
    fn six_digit_codes_are_the_last_six_of_the_rfc_codes() {
        for (t, expected) in RFC_SHA1 {
            assert_eq!(code_at(RFC_SEED, *t), expected[2..], "T = {t}");
        }
    }

    #[test]
    fn rfc4226_hotp_vectors() {
        // RFC 4226 appendix D: the same seed, counters 0..9.
        let expected = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583",
            "399871", "520489",
        ];
        for (counter, code) in expected.iter().enumerate() {
            assert_eq!(
                hotp(RFC_SEED, counter as i64, 6),
                *code,
                "counter {counter}"
            );
        }
    }

    #[test]
    fn accepts_one_step_either_side_and_no_further() {
        let t = 1_111_111_111;
        let now = step_at(t);
        for (delta, accepted) in [(-2, false), (-1, true), (0, true), (1, true), (2, false)] {
            let code = hotp(RFC_SEED, now + delta, DIGITS);
            assert_eq!(
                verify(RFC_SEED, &code, t, None),
                accepted.then_some(now + delta),
                "step {delta:+}"
            );
        }
    }

    #[test]
    fn an_accepted_step_is_not_accepted_again() {
        let t = 1_234_567_890;
        let code = code_at(RFC_SEED, t);
        let step = verify(RFC_SEED, &code, t, None).expect("fresh code accepted");
        assert_eq!(
            verify(RFC_SEED, &code, t, Some(step)),
            None,
            "replay refused"
        );
        assert_eq!(
            verify(RFC_SEED, &code, t + 10, Some(step)),
            None,
            "later in the window too"
        );
        // The next step's code is still good after this one was used.
        let next = hotp(RFC_SEED, step + 1, DIGITS);
        assert_eq!(verify(RFC_SEED, &next, t, Some(step)), Some(step + 1));
    }

    #[test]
    fn malformed_codes_are_refused() {
        let t = 59;
        let good = code_at(RFC_SEED, t);
        assert!(verify(RFC_SEED, &good, t, None).is_some());
        assert_eq!(
            verify(RFC_SEED, &format!(" {good} "), t, None),
            verify(RFC_SEED, &good, t, None)
        );
        for bad in ["", "12345", "1234567", "abcdef", "28708２"] {
            assert_eq!(verify(RFC_SEED, bad, t, None), None, "{bad:?}");
        }
        assert_eq!(
            verify(b"another secret", &good, t, None),
            None,
            "another secret"
        );
    }

    #[test]
    fn base32_rfc4648_vectors() {
        // RFC 4648 §10, padding removed.
        for (plain, encoded) in [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32_encode(plain.as_bytes()), encoded);
            assert_eq!(base32_decode(encoded).as_deref(), Some(plain.as_bytes()));
        }
        assert_eq!(base32_encode(RFC_SEED), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    }

    #[test]
    fn base32_decoding_forgives_case_spaces_and_padding_only() {
        assert_eq!(
            base32_decode("mzxw 6ytb-oi======").as_deref(),
            Some(&b"foobar"[..])
        );
        assert_eq!(base32_decode("MZXW1"), None, "1 is not base32");
        assert_eq!(base32_decode("MZXW6!"), None);
    }

    #[test]
    fn otpauth_line_names_issuer_account_and_secret() {
        assert_eq!(
            otpauth_uri("office", RFC_SEED),
            "otpauth://totp/dingdian:office?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=dingdian"
        );
        assert!(otpauth_uri("a b", b"x").contains("dingdian:a%20b?"));
    }
}
