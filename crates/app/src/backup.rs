//! Backup and restore of a running system (`dingdian backup` / `restore`).
//!
//! A backup is a SQLite file holding every table as stored (see
//! [`dingdian_store::backup`]): read in one snapshot while the server keeps
//! writing, with the registry's ID numbers and names still SM4 ciphertext.
//! The personal-data key is **not** in it; a restore needs the same key and
//! checks it by key id before writing anything.
//!
//! Both are operator commands: whoever runs them holds the database itself,
//! so no role is checked; both are written to the audit log.

use crate::error::{AppError, Result};
use crate::{Actor, Store, audit, keys};
use dingdian_core::Msg;
use dingdian_core::audit::ChainReport;
use dingdian_store::backup::{self, BackupFile, BackupInfo, TableCopy};
use std::path::Path;

/// Progress of a long copy: table, rows done, rows in the table.
pub type Progress<'a> = &'a mut dyn FnMut(&str, u64, u64);

fn invalid(field: &str, value: &Path, code: &str, zh: String, en: String) -> AppError {
    AppError::Invalid(vec![dingdian_core::FieldError::new(
        field,
        value.display().to_string(),
        Msg::new(code, zh, en),
    )])
}

/// Copies the whole database behind `store` into a new file `out`, in one
/// consistent snapshot, while others go on writing. Refuses to overwrite.
pub(crate) fn backup(store: &Store, out: &Path, progress: Progress) -> Result<BackupInfo> {
    if out.exists() {
        return Err(invalid(
            "--out",
            out,
            "backup_exists",
            format!(
                "备份文件 {} 已存在：请换一个文件名或先移走它",
                out.display()
            ),
            format!(
                "the backup file {} already exists: choose another name or move it away first",
                out.display()
            ),
        ));
    }
    let folder = out.parent().filter(|p| !p.as_os_str().is_empty());
    if folder.is_some_and(|p| !p.is_dir()) {
        return Err(invalid(
            "--out",
            out,
            "backup_folder",
            format!("备份文件所在的文件夹不存在：{}", out.display()),
            format!(
                "the folder of the backup file does not exist: {}",
                out.display()
            ),
        ));
    }
    let info = store.read_snapshot(|c| backup::write(c, out, progress))?;
    store.write(|c| {
        audit(
            c,
            &Actor::cli(),
            "backup",
            ("file", &out.display().to_string()),
            "success",
            Some(format!(
                "{} tables, {} rows, schema {}",
                info.tables.len(),
                info.rows(),
                info.schema_version
            )),
        )
    })?;
    Ok(info)
}

/// What a restore did.
#[derive(Debug, Clone)]
pub struct RestoreReport {
    pub info: BackupInfo,
    pub tables: Vec<TableCopy>,
    /// The audit chain of the restored database, walked after the restore.
    pub chain: ChainReport,
}

/// Loads the backup `file` into the database at `database_url`, all or
/// nothing. Refuses a file that is not a backup, a backup from a newer
/// schema, a registry sealed under another key than the one configured,
/// and — unless `force` — a target that already holds data.
pub fn restore(
    database_url: &str,
    file: &Path,
    force: bool,
    progress: Progress,
) -> Result<RestoreReport> {
    let backup = open_backup(file)?;
    let info = backup.info.clone();
    check_key(database_url, &info)?;
    let store = Store::open(database_url)?;
    if !force {
        refuse_occupied(&store)?;
    }
    let tables = store.write(|c| -> Result<Vec<TableCopy>> {
        let tables = backup::restore(c, &backup, progress)?;
        // Any process still holding an analytics snapshot reloads it.
        dingdian_store::registry::bump_version(c)?;
        audit(
            c,
            &Actor::cli(),
            "restore",
            ("file", &file.display().to_string()),
            "success",
            Some(format!(
                "{} tables, {} rows, taken {} from {} (schema {})",
                tables.len(),
                tables.iter().map(|t| t.rows).sum::<u64>(),
                dingdian_core::time::show_ts(info.created_at),
                info.source,
                info.schema_version
            )),
        )?;
        Ok(tables)
    })?;
    let chain = crate::verify_audit_chain(&store)?;
    Ok(RestoreReport {
        info,
        tables,
        chain,
    })
}

/// Opens a backup this build can restore: a backup file, of the format
/// it reads, from a schema no newer than its own.
fn open_backup(file: &Path) -> Result<BackupFile> {
    let backup = BackupFile::open(file).map_err(|e| {
        invalid(
            "FILE",
            file,
            "not_a_backup",
            format!("无法读取备份文件：{e}"),
            format!("cannot read the backup: {e}"),
        )
    })?;
    let info = &backup.info;
    if info.format != backup::FORMAT {
        return Err(invalid(
            "FILE",
            file,
            "backup_format",
            format!(
                "备份文件格式 {} 不受支持（本程序读取格式 {}）",
                info.format,
                backup::FORMAT
            ),
            format!(
                "backup format {} is not supported (this build reads format {})",
                info.format,
                backup::FORMAT
            ),
        ));
    }
    let latest = dingdian_store::schema_version();
    if info.schema_version > latest {
        return Err(invalid(
            "FILE",
            file,
            "backup_newer",
            format!(
                "备份来自更新的数据库结构（版本 {}），本程序只认识到版本 {latest}：请用更新版本的 dingdian 恢复",
                info.schema_version
            ),
            format!(
                "the backup comes from a newer schema (version {}) than this build knows ({latest}): restore it with a newer dingdian",
                info.schema_version
            ),
        ));
    }
    Ok(backup)
}

/// A restore replaces everything: over data, only with `--force`.
fn refuse_occupied(store: &Store) -> Result<()> {
    let occupied = store.read(backup::occupied_tables)?;
    if occupied.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = occupied.iter().map(|(t, n)| format!("{t} ({n})")).collect();
    Err(AppError::Conflict(Msg::new(
        "target_not_empty",
        format!(
            "目标数据库已有数据：{}。恢复会替换全部数据；确需如此请加 --force",
            list.join("、")
        ),
        format!(
            "the target database already holds data: {}. A restore replaces everything; add --force if that is what you want",
            list.join(", ")
        ),
    )))
}

/// A backup with a registry needs the very key that sealed it; this never
/// creates a key (a new one could open nothing).
fn check_key(database_url: &str, info: &BackupInfo) -> Result<()> {
    if info.key_ids.is_empty() {
        return Ok(());
    }
    let sealed = info.key_ids.join(", ");
    let Some(ring) = keys::resolve_existing(database_url)? else {
        return Err(AppError::Invalid(vec![dingdian_core::FieldError::new(
            "DINGDIAN_KEY",
            "",
            Msg::new(
                "key_missing",
                format!(
                    "备份中的身份证号和姓名由密钥 {sealed} 加密，但没有找到密钥：请设置 DINGDIAN_KEY 或 DINGDIAN_KEY_FILE 指向原密钥，或把原密钥文件放到 {}",
                    keys::default_key_file(database_url).display()
                ),
                format!(
                    "the backup's ID numbers and names are sealed with key {sealed}, and no key is configured: set DINGDIAN_KEY or DINGDIAN_KEY_FILE to the original key, or put the original key file at {}",
                    keys::default_key_file(database_url).display()
                ),
            ),
        )]));
    };
    if info.key_ids.iter().any(|k| ring.get(k).is_none()) {
        let ours = ring.ids().join(", ");
        return Err(AppError::Invalid(vec![dingdian_core::FieldError::new(
            "DINGDIAN_KEY",
            ours.clone(),
            Msg::new(
                "wrong_key",
                format!(
                    "备份中的个人信息由密钥 {sealed} 加密，当前密钥是 {ours}：请设置 DINGDIAN_KEY 或 DINGDIAN_KEY_FILE 指向原密钥（密钥轮换前的备份需要轮换时另存的旧密钥文件）"
                ),
                format!(
                    "the backup's personal data is sealed with key {sealed}, the configured key is {ours}: point DINGDIAN_KEY or DINGDIAN_KEY_FILE at the original key (a backup from before a key rotation needs the retired key file the rotation kept)"
                ),
            ),
        )]));
    }
    Ok(())
}
