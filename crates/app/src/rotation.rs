//! Rotation of the personal-data key: a fresh key seals everything new at
//! once, and every member's ID number, name and blind index are re-sealed
//! under it in small transactions, so the system keeps serving throughout.

use crate::auth::seal_secret;
use crate::error::{AppError, Result};
use crate::keys::{self, KeySource};
use crate::registry::{AAD_ID, AAD_NAME, id_index, name_index, open_text, seal, sealed_by};
use crate::{Actor, App, audit};
use dingdian_core::registry::IdNumber;
use dingdian_core::totp;
use dingdian_core::{FieldError, Msg};
use dingdian_store::registry::{self as reg, MemberRow};
use dingdian_store::rural::{self, RuralMemberRow};
use dingdian_store::users;
use std::path::PathBuf;

/// Rows re-sealed per transaction: small enough that imports and sign-ins
/// wait at most a moment for the write lock.
const BATCH: i64 = 2_000;

/// Where a pass has got to: the last (year, blind index) it read.
type Cursor = (i32, Vec<u8>);

#[derive(Debug, Clone)]
pub struct RotationReport {
    /// The key that seals everything now.
    pub key_id: String,
    /// The keys taken out of service.
    pub retired_key_ids: Vec<String>,
    /// Where each retired key was kept (backups made before need it).
    pub retired_files: Vec<PathBuf>,
    pub resealed: u64,
}

impl App {
    /// Rotates the personal-data key kept in a key file: starts (or
    /// resumes) the rotation in the file, re-seals every member under the
    /// new key, then retires the old key. `progress(done, total)` is called
    /// after each batch.
    pub fn rotate_key(&self, actor: &Actor, progress: &dyn Fn(u64, u64)) -> Result<RotationReport> {
        let KeySource::File(path) = self.keys().source().clone() else {
            return Err(AppError::Invalid(vec![FieldError::new(
                "DINGDIAN_KEY",
                "",
                Msg::new(
                    "key_in_environment",
                    "密钥来自环境变量 DINGDIAN_KEY，无法在线轮换：请改用密钥文件（DINGDIAN_KEY_FILE）",
                    "the key comes from DINGDIAN_KEY in the environment and cannot be rotated online: use a key file (DINGDIAN_KEY_FILE)",
                ),
            )]));
        };
        let ring = keys::begin_rotation(&path)?;
        let ring_now = self.keys().refresh(true)?;
        debug_assert_eq!(ring.ids(), ring_now.ids());
        let key_id = ring.current().key_id();
        let retired_key_ids: Vec<String> = ring.previous().iter().map(|k| k.key_id()).collect();
        self.store.write(|c| {
            audit(
                c,
                actor,
                "key.rotate.start",
                ("personal_data_key", &key_id),
                "success",
                Some(format!("replacing {}", retired_key_ids.join(", "))),
            )
        })?;
        std::thread::sleep(keys::SETTLE);
        let resealed = self.reseal_personal_data(progress)? + self.reseal_rural_members()?;
        let secrets = self.reseal_totp_secrets()?;
        let rejects = self.reseal_rejects()?;
        let retired_files = keys::finish_rotation(&path)?;
        self.keys().refresh(true)?;
        self.store.write(|c| {
            audit(
                c,
                actor,
                "key.rotate",
                ("personal_data_key", &key_id),
                "success",
                Some(format!(
                    "{resealed} members, {secrets} accounts' TOTP secrets and {rejects} rejects files re-sealed; retired {}",
                    retired_key_ids.join(", ")
                )),
            )
        })?;
        Ok(RotationReport {
            key_id,
            retired_key_ids,
            retired_files,
            resealed,
        })
    }

    /// Re-seals the accounts' TOTP secrets (enrolled and pending) that the
    /// current key did not seal, in one transaction (there are few).
    /// Returns the accounts changed.
    pub fn reseal_totp_secrets(&self) -> Result<u64> {
        let keys = self.keys();
        let current = self.key();
        self.store.write(|c| -> Result<u64> {
            let mut changed = 0;
            for (id, secret, pending) in users::sealed_secrets(c)? {
                let mut stale = false;
                let mut reseal = |aad: &[u8], sealed: Option<Vec<u8>>| -> Result<Option<Vec<u8>>> {
                    let Some(sealed) = sealed else {
                        return Ok(None);
                    };
                    let (plain, by_current) = keys.open_any(aad, &sealed).map_err(|m| {
                        AppError::internal(&format!("TOTP secret of account {id}"), &m.en)
                    })?;
                    let plain = zeroize::Zeroizing::new(plain);
                    if by_current {
                        return Ok(Some(sealed));
                    }
                    stale = true;
                    Ok(Some(seal_secret(&current, aad, &plain)))
                };
                let secret = reseal(totp::AAD_SECRET, secret)?;
                let pending = reseal(totp::AAD_PENDING, pending)?;
                if stale {
                    users::reseal_secrets(c, id, secret, pending)?;
                    changed += 1;
                }
            }
            Ok(changed)
        })
    }

    /// Re-seals the members of households outside the registry that the
    /// current key did not seal, in one transaction (they are few beside
    /// the registry). Returns the members changed.
    pub fn reseal_rural_members(&self) -> Result<u64> {
        let current = self.key();
        let current_id = current.key_id();
        self.store.write(|c| -> Result<u64> {
            let mut changed = 0;
            for (id, m) in rural::members_sealed_otherwise(c, &current_id)? {
                let old = sealed_by(self.keys(), &m.key_id)?;
                let number = open_text(&old, AAD_ID, &m.id_cipher)?;
                let name = open_text(&old, AAD_NAME, &m.name_cipher)?;
                let parsed = IdNumber::parse(&number)
                    .map_err(|e| AppError::internal("a sealed ID number does not parse", &e.en))?;
                let new = RuralMemberRow {
                    id_index: id_index(&current, &parsed),
                    id_cipher: seal(&current, AAD_ID, &number),
                    name_cipher: seal(&current, AAD_NAME, &name),
                    name_index: name_index(&current, &name),
                    key_id: current_id.clone(),
                    ..m
                };
                changed += rural::reseal_member(c, id, &new)?;
            }
            Ok(changed)
        })
    }

    /// Re-seals every member not sealed under the current key, batch by
    /// batch. Passes repeat until one finds nothing: a server that had not
    /// yet noticed the new key may have sealed a few rows under the old one
    /// meanwhile. Returns the rows re-sealed.
    pub fn reseal_personal_data(&self, progress: &dyn Fn(u64, u64)) -> Result<u64> {
        let mut resealed = 0u64;
        loop {
            let ring = self.keys().ring();
            let current = ring.current().clone();
            let current_id = current.key_id();
            let total = resealed
                + self
                    .store
                    .read(|c| reg::count_sealed_otherwise(c, &current_id))?
                    as u64;
            if total == resealed {
                progress(resealed, total);
                return Ok(resealed);
            }
            let mut after: Option<Cursor> = None;
            loop {
                let batch = self.store.write(|c| -> Result<Option<(Cursor, u64)>> {
                    let rows =
                        reg::members_sealed_otherwise(c, &current_id, after.as_ref(), BATCH)?;
                    let Some(last) = rows.last() else {
                        return Ok(None);
                    };
                    let cursor = (last.year, last.id_index.clone());
                    let mut changed = 0;
                    for m in &rows {
                        let old = sealed_by(self.keys(), &m.key_id)?;
                        let id = open_text(&old, AAD_ID, &m.id_cipher)?;
                        let name = open_text(&old, AAD_NAME, &m.name_cipher)?;
                        let parsed = IdNumber::parse(&id).map_err(|e| {
                            AppError::internal("a sealed ID number does not parse", &e.en)
                        })?;
                        let new = MemberRow {
                            id_index: id_index(&current, &parsed),
                            id_cipher: seal(&current, AAD_ID, &id),
                            name_cipher: seal(&current, AAD_NAME, &name),
                            key_id: current_id.clone(),
                            name_index: Some(name_index(&current, &name)),
                            ..m.clone()
                        };
                        changed += reg::reseal_member(c, &m.id_index, &new)?;
                    }
                    Ok(Some((cursor, changed)))
                })?;
                match batch {
                    Some((cursor, changed)) => {
                        after = Some(cursor);
                        resealed += changed;
                        progress(resealed, total);
                    }
                    None => break,
                }
            }
        }
    }
}
