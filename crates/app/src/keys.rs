//! Where the personal-data key comes from: `DINGDIAN_KEY` (64 hex
//! characters), else the file named by `DINGDIAN_KEY_FILE`, else a key file
//! beside the SQLite database (`PATH.key`) or `dingdian.key` in the current
//! folder for PostgreSQL — created with fresh randomness when missing, and
//! said loudly, because without it no ID number or name can be read.
//!
//! Rotation: `dingdian key rotate` puts a fresh key first in the key file
//! (the old one stays below it), re-seals every row in small transactions,
//! then retires the old key into its own file. Running servers re-read the
//! key file when it changes, so they keep reading and writing throughout.

use crate::error::{AppError, Result};
use dingdian_core::Msg;
use dingdian_core::crypto::PersonalDataKey;
use rand::RngCore;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant, SystemTime};

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

/// Where the keys live: the environment (fixed for the life of the process)
/// or a key file (re-read when it changes, so a running server follows a
/// rotation made by `dingdian key rotate` in another process).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    Env,
    File(PathBuf),
}

impl KeySource {
    pub fn for_database(database_url: &str) -> KeySource {
        if std::env::var_os("DINGDIAN_KEY").is_some() {
            return KeySource::Env;
        }
        KeySource::File(
            std::env::var_os("DINGDIAN_KEY_FILE")
                .map(PathBuf::from)
                .unwrap_or_else(|| default_key_file(database_url)),
        )
    }
}

/// The personal-data keys in use: the first seals everything new, the
/// others (present only while a rotation runs) still open what they sealed.
pub struct KeyRing {
    keys: Vec<Arc<PersonalDataKey>>,
}

impl KeyRing {
    pub fn new(keys: Vec<PersonalDataKey>) -> KeyRing {
        assert!(!keys.is_empty(), "a key ring holds at least one key");
        KeyRing {
            keys: keys.into_iter().map(Arc::new).collect(),
        }
    }

    /// The key that seals new values.
    pub fn current(&self) -> &Arc<PersonalDataKey> {
        &self.keys[0]
    }

    pub fn get(&self, key_id: &str) -> Option<&Arc<PersonalDataKey>> {
        self.keys.iter().find(|k| k.key_id() == key_id)
    }

    /// The keys that are not current (each still may have sealed rows).
    pub fn previous(&self) -> &[Arc<PersonalDataKey>] {
        &self.keys[1..]
    }

    /// Every key, current first.
    pub fn all(&self) -> &[Arc<PersonalDataKey>] {
        &self.keys
    }

    pub fn ids(&self) -> Vec<String> {
        self.keys.iter().map(|k| k.key_id()).collect()
    }
}

/// The ring as the process knows it, re-read from a key file that changed
/// (looked at no more than once a second: a `stat` per request is cheap,
/// but not free).
pub struct Keys {
    source: KeySource,
    state: RwLock<Loaded>,
}

struct Loaded {
    ring: Arc<KeyRing>,
    modified: Option<SystemTime>,
    checked: Instant,
}

impl Keys {
    /// Loads the keys for a database, creating a key file if there is none.
    pub fn open(database_url: &str) -> Result<Keys> {
        Keys::from_source(KeySource::for_database(database_url))
    }

    pub fn from_source(source: KeySource) -> Result<Keys> {
        let (ring, modified) = load(&source, true)?;
        Ok(Keys {
            source,
            state: RwLock::new(Loaded {
                ring: Arc::new(ring),
                modified,
                checked: Instant::now(),
            }),
        })
    }

    /// A fixed ring (tests, tools): never re-read.
    pub fn fixed(ring: KeyRing) -> Keys {
        Keys {
            source: KeySource::Env,
            state: RwLock::new(Loaded {
                ring: Arc::new(ring),
                modified: None,
                checked: Instant::now(),
            }),
        }
    }

    pub fn source(&self) -> &KeySource {
        &self.source
    }

    /// The current ring, re-read first if the key file changed.
    pub fn ring(&self) -> Arc<KeyRing> {
        {
            let s = self.state.read().unwrap_or_else(|e| e.into_inner());
            if matches!(self.source, KeySource::Env) || s.checked.elapsed() < RECHECK {
                return s.ring.clone();
            }
        }
        // A failed re-read keeps the ring we have: a server must not stop
        // serving because an operator is halfway through editing the file.
        self.refresh(false).unwrap_or_else(|_| {
            self.state
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .ring
                .clone()
        })
    }

    /// Re-reads the key file now if it changed (or always, with `force`).
    pub fn refresh(&self, force: bool) -> Result<Arc<KeyRing>> {
        let mut s = self.state.write().unwrap_or_else(|e| e.into_inner());
        s.checked = Instant::now();
        if let KeySource::File(path) = &self.source {
            let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
            if force || modified != s.modified {
                let (ring, modified) = load(&self.source, false)?;
                s.ring = Arc::new(ring);
                s.modified = modified;
            }
        }
        Ok(s.ring.clone())
    }

    /// The key that sealed `key_id`: from the ring, or from the key file
    /// re-read at once (another process may have just rotated).
    pub fn by_id(&self, key_id: &str) -> Option<Arc<PersonalDataKey>> {
        if let Some(k) = self.ring().get(key_id) {
            return Some(k.clone());
        }
        self.refresh(true).ok()?.get(key_id).cloned()
    }
}

impl Keys {
    /// Opens a value sealed without a record of its key (TOTP secrets):
    /// tries every key of the ring, the current first, then the key file
    /// re-read. Returns the plaintext and whether the current key sealed it.
    pub fn open_any(&self, aad: &[u8], sealed: &[u8]) -> std::result::Result<(Vec<u8>, bool), Msg> {
        let mut last = None;
        for ring in [
            self.ring(),
            self.refresh(true).unwrap_or_else(|_| self.ring()),
        ] {
            for (i, k) in ring.all().iter().enumerate() {
                match k.open(aad, sealed) {
                    Ok(p) => return Ok((p, i == 0)),
                    Err(e) => last = Some(e),
                }
            }
        }
        Err(last.expect("a ring holds at least one key"))
    }
}

const RECHECK: Duration = Duration::from_secs(1);

/// How long a rotation waits between putting the new key in the file and
/// re-sealing the first row: long enough for every running process to have
/// noticed the new key, so none looks a person up under the old index only.
pub const SETTLE: Duration = Duration::from_secs(2);

/// Reads the ring: `DINGDIAN_KEY` holds one key or several separated by
/// commas; a key file holds one key per line (current first; blank lines
/// and `#` comments ignored).
fn load(source: &KeySource, create: bool) -> Result<(KeyRing, Option<SystemTime>)> {
    match source {
        KeySource::Env => {
            let text = std::env::var("DINGDIAN_KEY").unwrap_or_default();
            Ok((parse_ring(&text.replace(',', "\n"))?, None))
        }
        KeySource::File(path) => {
            if create {
                ensure_key_file(path)?;
            }
            let text = std::fs::read_to_string(path).map_err(|e| read_error(path, e))?;
            let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
            Ok((parse_ring(&text)?, modified))
        }
    }
}

/// The key lines of a key file: trimmed, without blank lines and comments.
fn key_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

fn parse_ring(text: &str) -> Result<KeyRing> {
    let keys = key_lines(text)
        .map(|l| PersonalDataKey::from_hex(l).map_err(key_error))
        .collect::<Result<Vec<_>>>()?;
    if keys.is_empty() {
        return Err(key_error(Msg::new(
            "key_missing",
            "密钥文件中没有密钥",
            "the key file holds no key",
        )));
    }
    Ok(KeyRing::new(keys))
}

fn read_error(path: &Path, e: std::io::Error) -> AppError {
    key_error(Msg::new(
        "key_file",
        format!("无法读取密钥文件 {}：{e}", path.display()),
        format!("cannot read the key file {}: {e}", path.display()),
    ))
}

fn new_master_hex() -> String {
    let mut master = zeroize::Zeroizing::new([0u8; 32]);
    rand::rngs::OsRng.fill_bytes(&mut master[..]);
    master.iter().map(|b| format!("{b:02x}")).collect()
}

/// Creates the key file with a fresh key when there is none, said loudly.
fn ensure_key_file(path: &Path) -> Result<()> {
    // Threads of one process agree on one key file too.
    static CREATING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one_at_a_time = CREATING.lock().unwrap_or_else(|e| e.into_inner());
    if path.exists() {
        return Ok(());
    }
    match write_private(path, &new_master_hex()) {
        Ok(()) => {}
        // Another process made it a moment ago: use that one.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(()),
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
    Ok(())
}

/// The keys already configured for this database, without ever creating
/// one: `None` when `DINGDIAN_KEY` is unset and no key file exists. A
/// restore must not invent a key the backup was not sealed with.
pub fn resolve_existing(database_url: &str) -> Result<Option<KeyRing>> {
    let source = KeySource::for_database(database_url);
    if let KeySource::File(path) = &source
        && !path.exists()
    {
        return Ok(None);
    }
    load(&source, false).map(|(ring, _)| Some(ring))
}

/// Starts a rotation in the key file: a fresh key becomes current and the
/// old ones stay below it, so every process can still open what they
/// sealed. A file that already holds several keys is a rotation under way:
/// it is left as it is (resume). Returns the ring now in the file.
pub fn begin_rotation(path: &Path) -> Result<KeyRing> {
    let text = std::fs::read_to_string(path).map_err(|e| read_error(path, e))?;
    let ring = parse_ring(&text)?;
    if !ring.previous().is_empty() {
        return Ok(ring);
    }
    let old = key_lines(&text).next().unwrap_or_default();
    let rotating = format!("{}\n{old}\n", new_master_hex());
    replace_private(path, &rotating)?;
    parse_ring(&rotating)
}

/// Ends a rotation: the key file keeps only the current key; each retired
/// key is kept in `PATH.retired-KEYID` (backups made before the rotation
/// need it to be read). Returns the retired files.
pub fn finish_rotation(path: &Path) -> Result<Vec<PathBuf>> {
    let text = std::fs::read_to_string(path).map_err(|e| read_error(path, e))?;
    let lines: Vec<&str> = key_lines(&text).collect();
    let mut retired = Vec::new();
    for line in lines.iter().skip(1) {
        let id = PersonalDataKey::from_hex(line).map_err(key_error)?.key_id();
        let mut name = path.as_os_str().to_owned();
        name.push(format!(".retired-{id}"));
        let file = PathBuf::from(name);
        match write_private(&file, line) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(write_error(&file, e)),
        }
        retired.push(file);
    }
    if let Some(current) = lines.first() {
        replace_private(path, &format!("{current}\n"))?;
    }
    Ok(retired)
}

fn write_error(path: &Path, e: std::io::Error) -> AppError {
    key_error(Msg::new(
        "key_file",
        format!("无法写入密钥文件 {}：{e}", path.display()),
        format!("cannot write the key file {}: {e}", path.display()),
    ))
}

/// Replaces a key file whole (a private temporary file renamed over it), so
/// no reader ever sees half a file.
fn replace_private(path: &Path, text: &str) -> Result<()> {
    let tmp = temporary_beside(path);
    let written = write_new_private(&tmp, text).and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written.map_err(|e| write_error(path, e))
}

fn temporary_beside(path: &Path) -> PathBuf {
    path.with_extension(format!(
        "key.tmp{}-{:016x}",
        std::process::id(),
        rand::random::<u64>()
    ))
}

/// Writes the key whole or not at all: into a private temporary file, then
/// linked into place only if no key file exists yet (so two processes
/// starting at once agree on one key, and none reads a half-written file).
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let tmp = temporary_beside(path);
    let linked = write_new_private(&tmp, text).and_then(|()| std::fs::hard_link(&tmp, path));
    let _ = std::fs::remove_file(&tmp);
    linked
}

/// A new file readable by its owner only, flushed to disk.
fn write_new_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}
