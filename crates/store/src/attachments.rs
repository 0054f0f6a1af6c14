//! Attachment bytes by their SHA-256, stored once however often they are
//! attached, and the attachments of projects. The file name a user gave is
//! only shown, never used as a path.

use crate::assistance_plans::Who;
use crate::db::{Conn, Result, Value};
use crate::params;
use crate::row::{FromRow, Row};

/// Stores the bytes unless the same content is stored already.
pub fn put(
    c: &mut dyn Conn,
    sha256: &str,
    media_type: &str,
    content: &[u8],
    now: i64,
) -> Result<()> {
    c.execute(
        "INSERT INTO attachments (sha256, media_type, size, content, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
        params![sha256, media_type, content.len() as i64, Value::Blob(content.to_vec()), now],
    )?;
    Ok(())
}

/// An attachment of a project, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectAttachment {
    pub id: i64,
    pub project_id: i64,
    pub sha256: String,
    pub media_type: String,
    pub size: i64,
    pub file_name: String,
    pub caption: Option<String>,
    pub display_name: String,
    pub at: i64,
}

impl FromRow for ProjectAttachment {
    const TABLE: &'static str = "project_attachments";
    fn from_row(r: &Row) -> Result<ProjectAttachment> {
        Ok(ProjectAttachment {
            id: r.get("id")?,
            project_id: r.get("project_id")?,
            sha256: r.get("sha256")?,
            media_type: r.get("media_type")?,
            size: r.get("size")?,
            file_name: r.get("file_name")?,
            caption: r.get("caption")?,
            display_name: r.get("display_name")?,
            at: r.get("at")?,
        })
    }
}

const SELECT: &str = "SELECT pa.id, pa.project_id, pa.sha256, a.media_type, a.size, pa.file_name, pa.caption, pa.at, COALESCE(u.display_name, pa.username) AS display_name \
     FROM project_attachments pa JOIN attachments a ON a.sha256 = pa.sha256 LEFT JOIN users u ON u.id = pa.user_id";

/// What a new project attachment names.
#[derive(Debug, Clone, Copy)]
pub struct NewAttachment<'a> {
    pub project_id: i64,
    pub sha256: &'a str,
    pub file_name: &'a str,
    pub caption: Option<&'a str>,
}

pub fn attach(
    c: &mut dyn Conn,
    a: NewAttachment,
    (user_id, username): Who,
    now: i64,
) -> Result<i64> {
    c.query_i64(
        "INSERT INTO project_attachments (project_id, sha256, file_name, caption, user_id, username, at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        params![a.project_id, a.sha256, a.file_name, a.caption, user_id, username, now],
    )
}

pub fn of_project(c: &mut dyn Conn, project_id: i64) -> Result<Vec<ProjectAttachment>> {
    c.query_as(
        &format!("{SELECT} WHERE pa.project_id = ? ORDER BY pa.id"),
        params![project_id],
    )
}

/// One attachment of a project with its bytes.
pub fn get(
    c: &mut dyn Conn,
    project_id: i64,
    id: i64,
) -> Result<Option<(ProjectAttachment, Vec<u8>)>> {
    let Some(a) = c.query_one_as::<ProjectAttachment>(
        &format!("{SELECT} WHERE pa.project_id = ? AND pa.id = ?"),
        params![project_id, id],
    )?
    else {
        return Ok(None);
    };
    Ok(content(c, &a.sha256)?.map(|bytes| (a, bytes)))
}

/// The stored bytes of a SHA-256.
pub fn content(c: &mut dyn Conn, sha256: &str) -> Result<Option<Vec<u8>>> {
    match c.query_one(
        "SELECT content FROM attachments WHERE sha256 = ?",
        params![sha256],
    )? {
        Some(r) => Ok(Some(r.get("content")?)),
        None => Ok(None),
    }
}
