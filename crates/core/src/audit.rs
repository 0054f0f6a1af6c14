//! The audit log's hash chain: every record carries the SM3 hash of its
//! canonical form, and that form includes the previous record's hash, so
//! editing, inserting or deleting a record breaks the chain from there on.
//!
//! # Canonical form (version 1)
//!
//! The bytes hashed for one record are, in this fixed order:
//!
//! ```text
//! "dingdian-audit-v1"                      17 ASCII bytes, no length
//! int(id) ‖ int(at) ‖ opt_int(user_id)
//! opt_text(username) ‖ opt_text(address)
//! text(action) ‖ opt_text(object_type) ‖ opt_text(object_id)
//! text(outcome) ‖ opt_text(detail)
//! text(prev_hash)
//!
//! int(n)       = n as 8 bytes, big-endian two's complement
//! opt_int(n)   = 0x00 when absent (NULL), else 0x01 ‖ int(n)
//! text(s)      = byte length of s as 4 bytes big-endian ‖ s in UTF-8
//! opt_text(s)  = 0x00 when absent (NULL), else 0x01 ‖ text(s)
//! ```
//!
//! `at` is UTC seconds. `prev_hash` is the previous record's `hash` exactly
//! as stored: 64 lowercase hex characters; the first record's is
//! [`GENESIS`] (64 zeros). A record's `hash` is the lowercase hex of
//! `SM3(canonical form)`. Lengths make the encoding unambiguous (no two
//! records share a form), and absent differs from empty.
//!
//! Records are chained in `id` order and ids run without gaps (the store
//! assigns `id = previous + 1` under a lock), so [`Verifier`] also names a
//! gap where records were removed.
//!
//! What the chain proves, and what it does not: it is a plain SM3 chain,
//! without a secret. Someone who can write the database and recompute every
//! hash after the record they altered can forge a consistent chain, and
//! someone who removes the newest records leaves a shorter chain that is
//! still consistent. Both are caught by comparing the newest hash with one
//! noted earlier (`dingdian audit verify` prints it) — which is why the
//! operator guide asks for that hash to be kept outside the database.

use crate::Msg;
use crate::crypto::{sm3, to_hex};

/// The `prev_hash` of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

const DOMAIN: &[u8] = b"dingdian-audit-v1";

/// One record's fields, as stored.
#[derive(Debug, Clone, Copy, Default)]
pub struct Fields<'a> {
    pub id: i64,
    pub at: i64,
    pub user_id: Option<i64>,
    pub username: Option<&'a str>,
    pub address: Option<&'a str>,
    pub action: &'a str,
    pub object_type: Option<&'a str>,
    pub object_id: Option<&'a str>,
    pub outcome: &'a str,
    pub detail: Option<&'a str>,
}

fn int(out: &mut Vec<u8>, n: i64) {
    out.extend_from_slice(&n.to_be_bytes());
}

fn opt_int(out: &mut Vec<u8>, n: Option<i64>) {
    match n {
        None => out.push(0),
        Some(n) => {
            out.push(1);
            int(out, n);
        }
    }
}

fn text(out: &mut Vec<u8>, s: &str) {
    // Stored text is far below 4 GiB; saturating keeps the form total.
    let len = u32::try_from(s.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn opt_text(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => out.push(0),
        Some(s) => {
            out.push(1);
            text(out, s);
        }
    }
}

/// The bytes that are hashed for a record (see the module documentation).
pub fn canonical_form(f: &Fields<'_>, prev_hash: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(128 + f.detail.map_or(0, str::len));
    out.extend_from_slice(DOMAIN);
    int(&mut out, f.id);
    int(&mut out, f.at);
    opt_int(&mut out, f.user_id);
    opt_text(&mut out, f.username);
    opt_text(&mut out, f.address);
    text(&mut out, f.action);
    opt_text(&mut out, f.object_type);
    opt_text(&mut out, f.object_id);
    text(&mut out, f.outcome);
    opt_text(&mut out, f.detail);
    text(&mut out, prev_hash);
    out
}

/// A record's hash: lowercase hex of SM3 over its canonical form.
pub fn record_hash(f: &Fields<'_>, prev_hash: &str) -> String {
    to_hex(&sm3(&canonical_form(f, prev_hash)))
}

/// What is wrong with the first broken record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The stored hash is not the hash of the record: it was altered (or
    /// written without one).
    HashMismatch,
    /// The record does not point at the record before it.
    BrokenLink { previous_id: Option<i64> },
    /// Records are missing before this one (ids `from..=to`).
    Gap { from: i64, to: i64 },
}

/// The first record where the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    pub id: i64,
    pub at: i64,
    pub action: String,
    pub fault: Fault,
}

impl Break {
    /// What failed, in Chinese and English.
    pub fn msg(&self) -> Msg {
        let (zh, en) = match &self.fault {
            Fault::HashMismatch => (
                "哈希值不符：记录内容已被改动".to_string(),
                "hash mismatch: the record was altered".to_string(),
            ),
            Fault::BrokenLink {
                previous_id: Some(p),
            } => (
                format!("链接断开：上一哈希值与第 {p} 条记录不符"),
                format!("broken link: prev_hash does not match record {p}"),
            ),
            Fault::BrokenLink { previous_id: None } => (
                "链接断开：第一条记录的上一哈希值不是初始值".to_string(),
                "broken link: the first record's prev_hash is not the genesis value".to_string(),
            ),
            Fault::Gap { from, to } if from == to => (
                format!("编号不连续：缺少第 {from} 条记录"),
                format!("gap in ids: record {from} is missing"),
            ),
            Fault::Gap { from, to } => (
                format!("编号不连续：缺少第 {from} 至 {to} 条记录"),
                format!("gap in ids: records {from} to {to} are missing"),
            ),
        };
        let code = match self.fault {
            Fault::HashMismatch => "audit_hash_mismatch",
            Fault::BrokenLink { .. } => "audit_broken_link",
            Fault::Gap { .. } => "audit_gap",
        };
        Msg::new(code, zh, en)
    }
}

/// Walks the chain one record at a time, in id order, without holding it.
#[derive(Debug, Clone, Default)]
pub struct Verifier {
    last: Option<(i64, String)>,
    checked: u64,
}

impl Verifier {
    pub fn new() -> Verifier {
        Verifier::default()
    }

    /// Checks the next record. Its content is checked first (an edited
    /// record is named itself), then its link to the one before.
    pub fn check(
        &mut self,
        f: &Fields<'_>,
        prev_hash: Option<&str>,
        hash: Option<&str>,
    ) -> Result<(), Break> {
        let fail = |fault| Break {
            id: f.id,
            at: f.at,
            action: f.action.to_string(),
            fault,
        };
        let prev_hash_ok = prev_hash.filter(|p| is_hex_hash(p));
        match (prev_hash_ok, hash) {
            (Some(p), Some(h)) if record_hash(f, p) == h => {}
            _ => return Err(fail(Fault::HashMismatch)),
        }
        let prev_hash = prev_hash_ok.expect("checked above");
        let (expected_id, expected_prev) = match &self.last {
            None => (1, GENESIS),
            Some((id, h)) => (id + 1, h.as_str()),
        };
        if prev_hash != expected_prev {
            return Err(fail(if f.id > expected_id {
                Fault::Gap {
                    from: expected_id,
                    to: f.id - 1,
                }
            } else {
                Fault::BrokenLink {
                    previous_id: self.last.as_ref().map(|(id, _)| *id),
                }
            }));
        }
        self.last = Some((f.id, hash.expect("checked above").to_string()));
        self.checked += 1;
        Ok(())
    }

    /// Records checked so far.
    pub fn checked(&self) -> u64 {
        self.checked
    }

    /// The newest record checked: its id and hash.
    pub fn head(&self) -> Option<(i64, &str)> {
        self.last.as_ref().map(|(id, h)| (*id, h.as_str()))
    }
}

fn is_hex_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// One record of the audit log, as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditRecord {
    pub id: i64,
    pub at: i64,
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub address: Option<String>,
    pub action: String,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub outcome: String,
    pub detail: Option<String>,
    /// The previous record's hash (set when the record is appended; ignored on input).
    pub prev_hash: Option<String>,
    /// This record's hash (set when the record is appended; ignored on input).
    pub hash: Option<String>,
}

impl AuditRecord {
    /// The fields the chain's hash covers.
    pub fn fields(&self) -> Fields<'_> {
        Fields {
            id: self.id,
            at: self.at,
            user_id: self.user_id,
            username: self.username.as_deref(),
            address: self.address.as_deref(),
            action: &self.action,
            object_type: self.object_type.as_deref(),
            object_id: self.object_id.as_deref(),
            outcome: &self.outcome,
            detail: self.detail.as_deref(),
        }
    }
}

/// The state of the chain after walking it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    /// Records found intact, from the first.
    pub checked: u64,
    /// The newest intact record: id and hash.
    pub head: Option<(i64, String)>,
    /// The first broken record, if any.
    pub broken: Option<Break>,
}

impl ChainReport {
    pub fn intact(&self) -> bool {
        self.broken.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(id: i64, action: &str) -> Fields<'_> {
        Fields {
            id,
            at: 1_700_000_000 + id,
            user_id: Some(7),
            username: Some("wang"),
            address: None,
            action,
            object_type: Some("unit"),
            object_id: Some("3"),
            outcome: "success",
            detail: Some("详情"),
        }
    }

    /// (fields, prev_hash, hash) for a well-formed chain of `n` records.
    fn chain(n: i64) -> Vec<(Fields<'static>, String, String)> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|id| {
                let f = rec(id, "unit.create");
                let h = record_hash(&f, &prev);
                let out = (f, prev.clone(), h.clone());
                prev = h;
                out
            })
            .collect()
    }

    fn verify(records: &[(Fields<'_>, String, String)]) -> Result<Verifier, Break> {
        let mut v = Verifier::new();
        for (f, p, h) in records {
            v.check(f, Some(p), Some(h))?;
        }
        Ok(v)
    }

    #[test]
    fn canonical_form_is_the_documented_byte_layout() {
        let f = Fields {
            id: 1,
            at: 2,
            user_id: None,
            username: Some("ab"),
            address: None,
            action: "x",
            object_type: None,
            object_id: Some(""),
            outcome: "ok",
            detail: None,
        };
        let mut expected = b"dingdian-audit-v1".to_vec();
        expected.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 1]); // id
        expected.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 2]); // at
        expected.push(0); // user_id absent
        expected.extend_from_slice(&[1, 0, 0, 0, 2, b'a', b'b']); // username
        expected.push(0); // address absent
        expected.extend_from_slice(&[0, 0, 0, 1, b'x']); // action
        expected.push(0); // object_type absent
        expected.extend_from_slice(&[1, 0, 0, 0, 0]); // object_id empty, present
        expected.extend_from_slice(&[0, 0, 0, 2, b'o', b'k']); // outcome
        expected.push(0); // detail absent
        expected.extend_from_slice(&[0, 0, 0, 64]);
        expected.extend_from_slice(GENESIS.as_bytes());
        assert_eq!(canonical_form(&f, GENESIS), expected);
        assert_eq!(
            record_hash(&f, GENESIS),
            to_hex(&sm3(&expected)),
            "the hash is SM3 over exactly those bytes"
        );
    }

    #[test]
    fn absent_and_empty_and_shifted_fields_hash_differently() {
        let base = rec(1, "a");
        let empty_detail = Fields {
            detail: Some(""),
            ..base
        };
        let no_detail = Fields {
            detail: None,
            ..base
        };
        assert_ne!(
            record_hash(&empty_detail, GENESIS),
            record_hash(&no_detail, GENESIS)
        );
        // Moving text from one field into the next must change the form.
        let a = Fields {
            object_type: Some("ab"),
            object_id: Some("c"),
            ..base
        };
        let b = Fields {
            object_type: Some("a"),
            object_id: Some("bc"),
            ..base
        };
        assert_ne!(canonical_form(&a, GENESIS), canonical_form(&b, GENESIS));
    }

    #[test]
    fn an_intact_chain_verifies_and_reports_its_head() {
        let c = chain(5);
        let v = verify(&c).expect("intact");
        assert_eq!(v.checked(), 5);
        assert_eq!(v.head(), Some((5, c[4].2.as_str())));
    }

    #[test]
    fn an_edited_record_is_named_as_a_hash_mismatch() {
        let mut c = chain(5);
        c[2].0.detail = Some("改过");
        let b = verify(&c).expect_err("tampered");
        assert_eq!((b.id, b.fault), (3, Fault::HashMismatch));
        assert_eq!(b.action, "unit.create");
    }

    #[test]
    fn a_rehashed_edit_is_caught_at_the_next_link() {
        let mut c = chain(5);
        c[2].0.detail = Some("改过");
        c[2].2 = record_hash(&c[2].0, &c[2].1);
        let b = verify(&c).expect_err("tampered");
        assert_eq!(
            (b.id, b.fault),
            (
                4,
                Fault::BrokenLink {
                    previous_id: Some(3)
                }
            )
        );
    }

    #[test]
    fn a_deleted_record_is_a_gap_named_at_the_record_after_it() {
        let mut c = chain(5);
        c.remove(2);
        let b = verify(&c).expect_err("gap");
        assert_eq!((b.id, b.fault), (4, Fault::Gap { from: 3, to: 3 }));
        assert!(b.msg().en.contains("record 3 is missing"));
        assert!(b.msg().zh.contains("缺少第 3 条"));
    }

    #[test]
    fn a_deleted_first_record_breaks_the_genesis() {
        let mut c = chain(3);
        c.remove(0);
        let b = verify(&c).expect_err("gap");
        assert_eq!((b.id, b.fault), (2, Fault::Gap { from: 1, to: 1 }));
    }

    #[test]
    fn a_missing_or_malformed_hash_is_a_mismatch() {
        let c = chain(2);
        let mut v = Verifier::new();
        v.check(&c[0].0, Some(&c[0].1), Some(&c[0].2)).unwrap();
        let b = v.check(&c[1].0, Some(&c[1].1), None).unwrap_err();
        assert_eq!(b.fault, Fault::HashMismatch);
        // The link is compared as stored: upper-case hex is not the hash.
        let mut v = Verifier::new();
        v.check(&c[0].0, Some(&c[0].1), Some(&c[0].2)).unwrap();
        let upper = c[1].1.to_uppercase();
        let b = v.check(&c[1].0, Some(&upper), Some(&c[1].2)).unwrap_err();
        assert_eq!(b.fault, Fault::HashMismatch);
    }
}
