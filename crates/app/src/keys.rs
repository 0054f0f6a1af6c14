//! Where the personal-data key comes from: `DINGDIAN_KEY` (64 hex
//! characters), else the file named by `DINGDIAN_KEY_FILE`, else a key file
//! beside the SQLite database (`PATH.key`) or `dingdian.key` in the current
//! folder for PostgreSQL — created with fresh randomness when missing, and
//! said loudly, because without it no ID number or name can be read.

use crate::error::{AppError, Result};
use dingdian_core::Msg;
use dingdian_core::crypto::PersonalDataKey;
use rand::RngCore;
use std::path::PathBuf;

fn key_error(m: Msg) -> AppError {
    AppError::Invalid(vec![dingdian_core::FieldError::new("DINGDIAN_KEY", "", m)])
}

/// The default key file for a database URL.
pub fn default_key_file(database_url: &str) -> PathBuf {
    match database_url.strip_prefix("sqlite://") {
        Some(path) => PathBuf::from(format!("{path}.key")),
        None => PathBuf::from("dingdian.key"),
    }
}

pub fn resolve(database_url: &str) -> Result<PersonalDataKey> {
    // Threads of one process agree on one key file too.
    static CREATING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one_at_a_time = CREATING.lock().unwrap_or_else(|e| e.into_inner());
    resolve_unlocked(database_url)
}

/// The key file in use: `DINGDIAN_KEY_FILE`, else the default.
fn key_file(database_url: &str) -> PathBuf {
    std::env::var_os("DINGDIAN_KEY_FILE")
        .map(PathBuf::from)
        .unwrap_or_else(|| default_key_file(database_url))
}

/// The key already configured for this database, without ever creating
/// one: `None` when `DINGDIAN_KEY` is unset and no key file exists. A
/// restore must not invent a key the backup was not sealed with.
pub fn resolve_existing(database_url: &str) -> Result<Option<PersonalDataKey>> {
    if std::env::var_os("DINGDIAN_KEY").is_none() && !key_file(database_url).exists() {
        return Ok(None);
    }
    resolve(database_url).map(Some)
}

fn resolve_unlocked(database_url: &str) -> Result<PersonalDataKey> {
    if let Ok(hex) = std::env::var("DINGDIAN_KEY") {
        return PersonalDataKey::from_hex(&hex).map_err(key_error);
    }
    let path = key_file(database_url);
    match std::fs::read_to_string(&path) {
        Ok(text) => PersonalDataKey::from_hex(&text).map_err(key_error),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut master = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut master);
            let hex: String = master.iter().map(|b| format!("{b:02x}")).collect();
            match write_private(&path, &hex) {
                Ok(()) => {}
                // Another process made it a moment ago: use that one.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    return resolve_unlocked(database_url);
                }
                Err(e) => {
                    return Err(key_error(Msg::new(
                        "key_file",
                        format!("无法创建密钥文件 {}：{e}", path.display()),
                        format!("cannot create the key file {}: {e}", path.display()),
                    )));
                }
            }
            eprintln!(
                "已生成新的个人信息加密密钥：{p}，请妥善备份，丢失后身份证号和姓名将无法解密。\n\
                 created a new personal-data key at {p}: back it up — without it ID numbers and names cannot be read.",
                p = path.display()
            );
            Ok(PersonalDataKey::from_bytes(master))
        }
        Err(e) => Err(key_error(Msg::new(
            "key_file",
            format!("无法读取密钥文件 {}：{e}", path.display()),
            format!("cannot read the key file {}: {e}", path.display()),
        ))),
    }
}

/// Writes the key whole or not at all: into a private temporary file, then
/// linked into place only if no key file exists yet (so two processes
/// starting at once agree on one key, and none reads a half-written file).
#[cfg(unix)]
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let tmp = path.with_extension(format!(
        "key.tmp{}-{:016x}",
        std::process::id(),
        rand::random::<u64>()
    ));
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    linked
}

#[cfg(not(unix))]
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}
