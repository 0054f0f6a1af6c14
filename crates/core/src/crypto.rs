//! National cryptography (商用密码) for personal data at rest: SM3, SM4 and
//! HMAC-SM3, as MLPS level 3 (等保三级) asks for the confidentiality and
//! integrity of important data in storage.
//!
//! The primitives come from RustCrypto's audited-in-the-open crates (`sm3`,
//! `sm4`, `hmac`, and `aes-gcm`'s generic GCM over any 128-bit block cipher);
//! none is written by hand here. This module is pure: the caller supplies the
//! randomness (the nonce) and the key.
//!
//! # Scheme (version 1)
//!
//! Operators keep **one secret**: a 32-byte master key `M`, given as 64 hex
//! characters. Two working keys are derived from it with HMAC-SM3
//! (GM/T 0042-2015), each under its own label, so that neither reveals the
//! other or `M`:
//!
//! | key | derivation | use |
//! | --- | --- | --- |
//! | encryption key `K_e` (16 bytes) | first 16 bytes of `HMAC-SM3(M, "dingdian/sm4-gcm/v1")` | SM4-GCM |
//! | index key `K_i` (32 bytes) | `HMAC-SM3(M, "dingdian/blind-index/v1")` | blind index |
//! | key id (public) | first 4 bytes (8 hex characters) of `SM3("dingdian/key-id/v1" ‖ M)` | names the key |
//!
//! **Encryption** — SM4 (GB/T 32907-2016) in GCM mode (NIST SP 800-38D, as
//! specified for SM4 in RFC 8998), 12-byte nonce, 16-byte tag. A sealed value
//! is laid out as
//!
//! ```text
//! nonce (12 bytes) ‖ ciphertext (same length as the plaintext) ‖ tag (16 bytes)
//! ```
//!
//! The nonce must be fresh for every seal under one key (the caller passes 12
//! bytes of OS randomness; with random nonces, stay well under 2^32 seals per
//! key, as SP 800-38D §8.3 requires). The associated data (`aad`) names where
//! the value belongs, e.g. `b"member.id_number"`: it is authenticated but not
//! stored, so a ciphertext copied into another column fails to open. Opening
//! checks the tag before returning anything: an altered nonce, ciphertext or
//! tag, a wrong key or a wrong `aad` is an error, never wrong plaintext.
//!
//! **Blind index** — `HMAC-SM3(K_i, domain ‖ 0x00 ‖ value)`, 32 bytes. Equal
//! values in the same domain (e.g. `"member.id_number"`) give equal indexes, so
//! the database finds exact matches and duplicates (a unique index on the
//! column) without decrypting; the same value in another domain gives an
//! unrelated index, so indexes cannot be joined across columns. Without `K_i`
//! an index reveals nothing about the value, not even to someone who can
//! enumerate all ID numbers. Values must be put in canonical form before
//! indexing (e.g. an ID number's check letter `x` as `X`); this module indexes
//! the exact bytes it is given. Domains never contain `0x00`.
//!
//! **Key rotation** — each row records the key id of the key that sealed it;
//! rows whose id differs from the current key's are re-sealed (open with the
//! old key, seal with the new) and their blind indexes recomputed.
//!
//! **Key hygiene** — the derived keys live only inside [`PersonalDataKey`]; the
//! master key is not kept after derivation (this module's copies of it, of
//! `K_e` and of `K_i` are zeroed at once). When the key is dropped, the SM4
//! round keys are zeroed. Not covered, because the crates offer no switch for
//! it: the GHASH subkey `H = SM4(K_e, 0)` inside `aes-gcm` 0.10, the HMAC-SM3
//! state keyed with `K_i` (kept so that each index costs two SM3 blocks
//! instead of four; it computes indexes as `K_i` does), and the transient
//! padded-key blocks that `hmac` 0.12 leaves on the stack. `Debug` prints only
//! the key id.

use aes_gcm::aead::consts::U12;
use aes_gcm::aead::generic_array::GenericArray;
use aes_gcm::{AeadInPlace, AesGcm, KeyInit};
use hmac::{Hmac, Mac};
use sm3::{Digest, Sm3};
use sm4::Sm4;
use sm4::cipher::BlockEncrypt;
use std::fmt;
use zeroize::Zeroizing;

use crate::Msg;

/// GCM over SM4 with a 96-bit nonce and a 128-bit tag (RFC 8998's SM4-GCM).
type Sm4Gcm = AesGcm<Sm4, U12>;
type HmacSm3 = Hmac<Sm3>;

const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
const LABEL_ENCRYPTION: &[u8] = b"dingdian/sm4-gcm/v1";
const LABEL_INDEX: &[u8] = b"dingdian/blind-index/v1";
const LABEL_KEY_ID: &[u8] = b"dingdian/key-id/v1";

/// The keys for personal data: one for SM4-GCM encryption, one for the
/// HMAC-SM3 blind index. Both derived from one 32-byte master key so operators
/// manage a single secret. See the [module documentation](self) for the scheme.
pub struct PersonalDataKey {
    /// SM4-GCM under the derived encryption key; SM4's round keys are zeroed
    /// on drop (the `sm4` crate's `zeroize` feature).
    aead: Sm4Gcm,
    /// HMAC-SM3 already keyed with the derived blind-index key (its inner
    /// and outer pads hashed once, not per index: half the SM3 work of a
    /// registry import's indexes). Not zeroed on drop: see below.
    index_mac: HmacSm3,
    /// The public fingerprint of the master key.
    key_id: String,
}

impl PersonalDataKey {
    /// From 64 hex characters (32 bytes); upper or lower case, surrounding
    /// whitespace ignored (a key read from a file keeps its newline). Errors
    /// name the problem (length / not hex) in Chinese and English; they never
    /// repeat the key.
    pub fn from_hex(hex: &str) -> Result<PersonalDataKey, Msg> {
        let hex = hex.trim();
        let len = hex.chars().count();
        if len != 64 {
            return Err(Msg::new(
                "key_length",
                format!("个人信息加密主密钥应为 64 个十六进制字符（32 字节），实为 {len} 个字符"),
                format!(
                    "the personal data master key must be 64 hex characters (32 bytes), got {len} characters"
                ),
            ));
        }
        let mut master = Zeroizing::new([0u8; 32]);
        for (i, pair) in hex.as_bytes().chunks_exact(2).enumerate() {
            match (hex_value(pair[0]), hex_value(pair[1])) {
                (Some(hi), Some(lo)) => master[i] = (hi << 4) | lo,
                _ => {
                    return Err(Msg::new(
                        "key_not_hex",
                        "个人信息加密主密钥只能包含十六进制字符（0-9、a-f、A-F）",
                        "the personal data master key may contain only hex characters (0-9, a-f, A-F)",
                    ));
                }
            }
        }
        Ok(PersonalDataKey::from_bytes(*master))
    }

    /// From the 32-byte master key itself.
    pub fn from_bytes(master: [u8; 32]) -> PersonalDataKey {
        let master = Zeroizing::new(master);
        let mut encryption_key = Zeroizing::new(hmac_sm3(&master[..], LABEL_ENCRYPTION));
        let aead = Sm4Gcm::new(GenericArray::from_slice(&encryption_key[..16]));
        // Zeroizing would do this on drop as well; say it where it matters.
        zeroize::Zeroize::zeroize(&mut *encryption_key);
        let index_key = Zeroizing::new(hmac_sm3(&master[..], LABEL_INDEX));
        let index_mac = <HmacSm3 as Mac>::new_from_slice(&index_key[..])
            .expect("HMAC takes keys of any length");
        let mut id_input = Sm3::new();
        id_input.update(LABEL_KEY_ID);
        id_input.update(&master[..]);
        let key_id = to_hex(&id_input.finalize()[..4]);
        PersonalDataKey {
            aead,
            index_mac,
            key_id,
        }
    }

    /// A short public fingerprint of the key (first 8 hex chars of SM3 over a
    /// fixed label and the master key), to record which key encrypted a row
    /// and to support rotation.
    pub fn key_id(&self) -> String {
        self.key_id.clone()
    }

    /// Encrypts with SM4-GCM under `nonce`, which must be fresh for every
    /// call (the caller passes 12 bytes of OS randomness; this module stays
    /// pure). Output layout: 12-byte nonce ‖ ciphertext ‖ 16-byte tag. `aad`
    /// binds the ciphertext to its place (e.g. `b"member.id_number"`), so a
    /// ciphertext copied into another column fails to open.
    pub fn seal(&self, nonce: [u8; 12], aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
        let mut sealed = Vec::with_capacity(NONCE_LEN + plaintext.len() + TAG_LEN);
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(plaintext);
        let tag = self
            .aead
            .encrypt_in_place_detached(
                GenericArray::from_slice(&nonce),
                aad,
                &mut sealed[NONCE_LEN..],
            )
            // GCM refuses only plaintexts over 64 GiB, which no field reaches.
            .expect("SM4-GCM plaintext within GCM's length limit");
        sealed.extend_from_slice(&tag);
        sealed
    }

    /// Decrypts and authenticates a value made by [`seal`](Self::seal); an
    /// altered or truncated value, a wrong key or a wrong `aad` is an error
    /// (never garbage).
    pub fn open(&self, aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, Msg> {
        if sealed.len() < NONCE_LEN + TAG_LEN {
            return Err(Msg::new(
                "ciphertext_too_short",
                format!(
                    "加密数据长度不足：至少应有 {} 字节，实为 {} 字节",
                    NONCE_LEN + TAG_LEN,
                    sealed.len()
                ),
                format!(
                    "encrypted value too short: at least {} bytes expected, got {}",
                    NONCE_LEN + TAG_LEN,
                    sealed.len()
                ),
            ));
        }
        let (nonce, rest) = sealed.split_at(NONCE_LEN);
        let (ciphertext, tag) = rest.split_at(rest.len() - TAG_LEN);
        let mut plaintext = ciphertext.to_vec();
        match self.aead.decrypt_in_place_detached(
            GenericArray::from_slice(nonce),
            aad,
            &mut plaintext,
            GenericArray::from_slice(tag),
        ) {
            Ok(()) => Ok(plaintext),
            Err(_) => Err(Msg::new(
                "decrypt_failed",
                "个人信息解密失败：数据被篡改，或密钥、字段不匹配",
                "personal data failed to decrypt: the value was altered, or the key or field does not match",
            )),
        }
    }

    /// The blind index: HMAC-SM3(index_key, domain ‖ 0x00 ‖ value), 32 bytes.
    /// Same value and domain → same index; different domain → different.
    /// `domain` names the column (e.g. `"member.id_number"`) and must not
    /// contain `'\0'`; `value` must already be in canonical form.
    pub fn blind_index(&self, domain: &str, value: &str) -> [u8; 32] {
        debug_assert!(!domain.contains('\0'), "blind index domain contains NUL");
        let mut mac = self.index_mac.clone();
        mac.update(domain.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        mac.finalize().into_bytes().into()
    }
}

impl fmt::Debug for PersonalDataKey {
    /// Prints the public key id only, never key material.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PersonalDataKey")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

/// SM3 digest (GB/T 32905-2016).
pub fn sm3(data: &[u8]) -> [u8; 32] {
    Sm3::digest(data).into()
}

/// SM4 single-block encryption (GB/T 32907-2016); exposed for the standard
/// test vector and nothing else. Never use it as a mode of operation.
pub fn sm4_encrypt_block(key: [u8; 16], block: [u8; 16]) -> [u8; 16] {
    let cipher = Sm4::new(&key.into());
    let mut block = block.into();
    cipher.encrypt_block(&mut block);
    block.into()
}

/// HMAC-SM3 (GM/T 0042-2015).
fn hmac_sm3(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = <HmacSm3 as Mac>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

pub(crate) fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    s
}

/// Whether two secrets (tokens, codes) are equal, in time that does not
/// depend on where they first differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Test-only hex decoding (panics on bad input).
    fn h(s: &str) -> Vec<u8> {
        assert!(s.len().is_multiple_of(2), "odd hex length");
        s.as_bytes()
            .chunks_exact(2)
            .map(|p| (hex_value(p[0]).unwrap() << 4) | hex_value(p[1]).unwrap())
            .collect()
    }

    const MASTER_HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    fn key() -> PersonalDataKey {
        PersonalDataKey::from_hex(MASTER_HEX).unwrap()
    }

    fn other_key() -> PersonalDataKey {
        PersonalDataKey::from_bytes([0x42; 32])
    }

    const NONCE_A: [u8; 12] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
    const NONCE_B: [u8; 12] = [12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
    const AAD: &[u8] = b"member.id_number";
    const ID: &str = "11010519491231002X";

    #[test]
    fn sm3_matches_gb_t_32905_examples() {
        // Example 1: "abc".
        assert_eq!(
            sm3(b"abc").to_vec(),
            h("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
        );
        // Example 2: 512 bits, "abcd" × 16.
        assert_eq!(
            sm3("abcd".repeat(16).as_bytes()).to_vec(),
            h("debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732")
        );
    }

    #[test]
    fn sm4_matches_gb_t_32907_example_1() {
        let k: [u8; 16] = h("0123456789abcdeffedcba9876543210").try_into().unwrap();
        assert_eq!(
            sm4_encrypt_block(k, k).to_vec(),
            h("681edf34d206965e86b3e94f536e4246")
        );
    }

    #[test]
    fn hmac_sm3_matches_gm_t_0042_appendix_d3() {
        // Key 0x01..0x20, message "abcdbcde…nopq" twice (112 bytes).
        let key: Vec<u8> = (1..=0x20).collect();
        let msg = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".repeat(2);
        assert_eq!(
            hmac_sm3(&key, msg.as_bytes()).to_vec(),
            h("ca05e144ed05d1857840d1f318a4a8669e559fc8391f414485bfdf7bb408963a")
        );
        // Key 0x01..0x25 (37 bytes), message 50 × 0xcd.
        let key: Vec<u8> = (1..=0x25).collect();
        assert_eq!(
            hmac_sm3(&key, &[0xcd; 50]).to_vec(),
            h("220bf579ded555393f0159f66c99877822a3ecf610d1552154b41d44b94db3ae")
        );
        // Key "Jefe", message "what do ya want for nothing?".
        assert_eq!(
            hmac_sm3(b"Jefe", b"what do ya want for nothing?").to_vec(),
            h("2e87f1d16862e6d964b50a5200bf2b10b764faa9680a296a2405f24bec39f882")
        );
    }

    #[test]
    fn sm4_gcm_matches_rfc_8998_appendix_a1() {
        // Our GCM-over-SM4 composition is the standard SM4-GCM.
        let aead = Sm4Gcm::new(GenericArray::from_slice(&h(
            "0123456789abcdeffedcba9876543210",
        )));
        let nonce = h("00001234567800000000abcd");
        let aad = h("feedfacedeadbeeffeedfacedeadbeefabaddad2");
        let plaintext = h(concat!(
            "aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbccccccccccccccccdddddddddddddddd",
            "eeeeeeeeeeeeeeeeffffffffffffffffeeeeeeeeeeeeeeeeaaaaaaaaaaaaaaaa"
        ));
        let mut buf = plaintext.clone();
        let tag = aead
            .encrypt_in_place_detached(GenericArray::from_slice(&nonce), &aad, &mut buf)
            .unwrap();
        assert_eq!(
            buf,
            h(concat!(
                "17f399f08c67d5ee19d0dc9969c4bb7d5fd46fd3756489069157b282bb200735",
                "d82710ca5c22f0ccfa7cbf93d496ac15a56834cbcf98c397b4024a2691233b8d"
            ))
        );
        assert_eq!(tag.to_vec(), h("83de3541e4c2b58177e065a9bf7b62ec"));
    }

    #[test]
    fn implementation_follows_the_documented_scheme() {
        // An independent implementation (e.g. an auditor's GmSSL script) can
        // reproduce every output from the documented derivation.
        let master = h(MASTER_HEX);
        let k_e = hmac_sm3(&master, b"dingdian/sm4-gcm/v1");
        let k_i = hmac_sm3(&master, b"dingdian/blind-index/v1");
        let reference = Sm4Gcm::new(GenericArray::from_slice(&k_e[..16]));
        let mut expected = NONCE_A.to_vec();
        let mut body = ID.as_bytes().to_vec();
        let tag = reference
            .encrypt_in_place_detached(GenericArray::from_slice(&NONCE_A), AAD, &mut body)
            .unwrap();
        expected.extend_from_slice(&body);
        expected.extend_from_slice(&tag);
        assert_eq!(key().seal(NONCE_A, AAD, ID.as_bytes()), expected);

        assert_eq!(
            key().blind_index("member.id_number", ID),
            hmac_sm3(&k_i, format!("member.id_number\0{ID}").as_bytes())
        );

        let mut id_input = b"dingdian/key-id/v1".to_vec();
        id_input.extend_from_slice(&master);
        assert_eq!(key().key_id(), to_hex(&sm3(&id_input)[..4]));
    }

    #[test]
    fn seal_then_open_returns_the_plaintext() {
        let k = key();
        let sealed = k.seal(NONCE_A, AAD, ID.as_bytes());
        assert_eq!(sealed.len(), 12 + ID.len() + 16, "nonce ‖ ciphertext ‖ tag");
        assert_eq!(&sealed[..12], &NONCE_A, "the nonce leads the sealed value");
        assert!(
            !sealed.windows(ID.len()).any(|w| w == ID.as_bytes()),
            "the plaintext does not appear in the sealed value"
        );
        assert_eq!(k.open(AAD, &sealed).unwrap(), ID.as_bytes());
        // Names are UTF-8; the empty value round-trips too.
        let name = "欧阳娜娜";
        assert_eq!(
            k.open(
                b"member.name",
                &k.seal(NONCE_B, b"member.name", name.as_bytes())
            )
            .unwrap(),
            name.as_bytes()
        );
        assert_eq!(k.open(AAD, &k.seal(NONCE_B, AAD, b"")).unwrap(), b"");
    }

    #[test]
    fn equal_plaintexts_seal_differently_but_index_equally() {
        let k = key();
        let a = k.seal(NONCE_A, AAD, ID.as_bytes());
        let b = k.seal(NONCE_B, AAD, ID.as_bytes());
        assert_ne!(a, b, "fresh nonces hide that two rows hold the same value");
        assert_ne!(a[12..], b[12..]);
        assert_eq!(
            k.blind_index("member.id_number", ID),
            k.blind_index("member.id_number", ID),
            "duplicates are found through the blind index"
        );
        assert_ne!(
            k.blind_index("member.id_number", ID),
            k.blind_index("member.id_number", "110105194912310021"),
            "different values index differently"
        );
    }

    #[test]
    fn blind_index_is_separated_by_domain_and_key() {
        let k = key();
        assert_ne!(
            k.blind_index("member.id_number", ID),
            k.blind_index("member.name", ID),
            "indexes cannot be joined across columns"
        );
        // The 0x00 separator keeps (domain, value) pairs apart.
        assert_ne!(k.blind_index("ab", "c"), k.blind_index("a", "bc"));
        assert_ne!(
            k.blind_index("member.id_number", ID),
            other_key().blind_index("member.id_number", ID),
            "an index is useless without the key"
        );
    }

    #[test]
    fn any_flipped_bit_fails_to_open() {
        let k = key();
        let sealed = k.seal(NONCE_A, AAD, ID.as_bytes());
        let nonce_byte = 3;
        let ciphertext_byte = 12 + 5;
        let tag_byte = sealed.len() - 1;
        for (part, i) in [
            ("nonce", nonce_byte),
            ("ciphertext", ciphertext_byte),
            ("tag", tag_byte),
        ] {
            let mut altered = sealed.clone();
            altered[i] ^= 0x01;
            let err = k.open(AAD, &altered).unwrap_err();
            assert_eq!(err.code, "decrypt_failed", "a flipped {part} bit is caught");
        }
        // Every single bit, exhaustively.
        for bit in 0..sealed.len() * 8 {
            let mut altered = sealed.clone();
            altered[bit / 8] ^= 1 << (bit % 8);
            assert!(k.open(AAD, &altered).is_err(), "bit {bit} flipped");
        }
    }

    #[test]
    fn truncated_values_fail_to_open() {
        let k = key();
        let sealed = k.seal(NONCE_A, AAD, ID.as_bytes());
        assert!(k.open(AAD, &sealed[..sealed.len() - 1]).is_err());
        let err = k.open(AAD, &sealed[..27]).unwrap_err();
        assert_eq!(err.code, "ciphertext_too_short");
        assert!(err.zh.contains("27") && err.en.contains("27"));
        assert!(k.open(AAD, &[]).is_err());
    }

    #[test]
    fn a_different_key_fails_to_open() {
        let sealed = key().seal(NONCE_A, AAD, ID.as_bytes());
        let err = other_key().open(AAD, &sealed).unwrap_err();
        assert_eq!(err.code, "decrypt_failed");
        assert!(!err.zh.is_empty() && !err.en.is_empty());
    }

    #[test]
    fn a_different_aad_fails_to_open() {
        let k = key();
        let sealed = k.seal(NONCE_A, b"member.id_number", ID.as_bytes());
        assert_eq!(
            k.open(b"member.name", &sealed).unwrap_err().code,
            "decrypt_failed",
            "a ciphertext moved to another column does not open"
        );
        assert!(k.open(b"", &sealed).is_err());
    }

    #[test]
    fn from_hex_rejects_wrong_length_and_non_hex_in_both_languages() {
        let err = PersonalDataKey::from_hex(&MASTER_HEX[..63]).unwrap_err();
        assert_eq!(err.code, "key_length");
        assert!(err.zh.contains("64") && err.zh.contains("63"), "{}", err.zh);
        assert!(err.en.contains("64") && err.en.contains("63"), "{}", err.en);
        assert!(PersonalDataKey::from_hex("").is_err());
        assert!(PersonalDataKey::from_hex(&format!("{MASTER_HEX}00")).is_err());

        let non_hex = format!("{}g", &MASTER_HEX[..63]);
        let err = PersonalDataKey::from_hex(&non_hex).unwrap_err();
        assert_eq!(err.code, "key_not_hex");
        assert!(err.zh.contains("十六进制"), "{}", err.zh);
        assert!(err.en.contains("hex"), "{}", err.en);
        assert!(!err.zh.contains(&non_hex) && !err.en.contains(&non_hex));
        // 64 characters but not 64 ASCII bytes.
        let wide = format!("{}密", &MASTER_HEX[..63]);
        assert!(PersonalDataKey::from_hex(&wide).is_err());
    }

    #[test]
    fn from_hex_accepts_either_case_and_a_trailing_newline() {
        let lower = key();
        let upper = PersonalDataKey::from_hex(&MASTER_HEX.to_uppercase()).unwrap();
        let file = PersonalDataKey::from_hex(&format!("{MASTER_HEX}\n")).unwrap();
        assert_eq!(lower.key_id(), upper.key_id());
        assert_eq!(lower.key_id(), file.key_id());
        let from_bytes = PersonalDataKey::from_bytes(h(MASTER_HEX).try_into().unwrap());
        assert_eq!(
            from_bytes
                .open(AAD, &lower.seal(NONCE_A, AAD, ID.as_bytes()))
                .unwrap(),
            ID.as_bytes(),
            "from_hex and from_bytes give the same key"
        );
    }

    #[test]
    fn key_id_is_stable_short_and_distinct_per_key() {
        let id = key().key_id();
        assert_eq!(id.len(), 8);
        assert!(
            id.bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_eq!(id, key().key_id(), "the same key always has the same id");
        assert_ne!(id, other_key().key_id());
        assert!(
            !MASTER_HEX.contains(&id),
            "the id is not a piece of the key"
        );
    }

    #[test]
    fn debug_shows_no_key_material() {
        let k = key();
        let shown = format!("{k:?}");
        let pretty = format!("{k:#?}");
        assert!(shown.contains(&k.key_id()), "{shown}");
        for text in [&shown, &pretty] {
            assert!(!text.contains(MASTER_HEX), "{text}");
            assert!(!text.contains(&MASTER_HEX[..16]), "{text}");
            let index_key = hmac_sm3(&h(MASTER_HEX), LABEL_INDEX);
            assert!(!text.contains(&to_hex(&index_key[..])[..16]), "{text}");
            assert!(
                !text.contains("index_mac") && !text.contains("aead"),
                "{text}"
            );
        }
    }

    #[test]
    fn key_can_be_shared_across_import_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<PersonalDataKey>();
    }
}
