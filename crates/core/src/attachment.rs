//! Attachments (photos, scanned documents): the media type is decided from
//! the bytes, never from the name the user gave; a program or anything
//! unknown is refused; the size is bounded; the content is addressed by its
//! SHA-256.

use crate::Msg;
use sha2::{Digest, Sha256};

/// The largest attachment accepted.
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;

/// The kinds of file accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    Jpeg,
    Png,
    Gif,
    Webp,
    Pdf,
}

impl MediaType {
    pub fn mime(self) -> &'static str {
        match self {
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
            MediaType::Gif => "image/gif",
            MediaType::Webp => "image/webp",
            MediaType::Pdf => "application/pdf",
        }
    }

    pub fn from_mime(s: &str) -> Option<MediaType> {
        use MediaType::*;
        [Jpeg, Png, Gif, Webp, Pdf]
            .into_iter()
            .find(|m| m.mime() == s)
    }

    /// Pictures may be shown inline (as a thumbnail); documents are only
    /// downloaded.
    pub fn is_image(self) -> bool {
        self != MediaType::Pdf
    }
}

/// The media type the bytes themselves show, if it is one accepted.
pub fn detect(bytes: &[u8]) -> Option<MediaType> {
    let starts = |sig: &[u8]| bytes.starts_with(sig);
    if starts(&[0xFF, 0xD8, 0xFF]) {
        Some(MediaType::Jpeg)
    } else if starts(b"\x89PNG\r\n\x1a\n") {
        Some(MediaType::Png)
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Some(MediaType::Gif)
    } else if starts(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        Some(MediaType::Webp)
    } else if starts(b"%PDF-") {
        Some(MediaType::Pdf)
    } else {
        None
    }
}

/// Programs: Windows (MZ), ELF, Mach-O, scripts (#!), Java classes.
fn is_program(bytes: &[u8]) -> bool {
    let sigs: [&[u8]; 7] = [
        b"MZ",
        b"\x7fELF",
        b"#!",
        &[0xCF, 0xFA, 0xED, 0xFE],
        &[0xCE, 0xFA, 0xED, 0xFE],
        &[0xFE, 0xED, 0xFA, 0xCF],
        &[0xCA, 0xFE, 0xBA, 0xBE],
    ];
    sigs.iter().any(|s| bytes.starts_with(s))
}

/// The SHA-256 of the bytes in lower-case hex: the attachment's address.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Checks an upload: not empty, within the limit, and of an accepted type
/// by its content. Returns the type and the address.
pub fn check(bytes: &[u8]) -> Result<(MediaType, String), Msg> {
    if bytes.is_empty() {
        return Err(Msg::new("empty_file", "文件是空的", "the file is empty"));
    }
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        let mb = MAX_ATTACHMENT_BYTES / (1024 * 1024);
        return Err(Msg::new(
            "file_too_large",
            format!("文件超过 {mb} MB 的上限"),
            format!("the file is over the limit of {mb} MB"),
        ));
    }
    if is_program(bytes) {
        return Err(Msg::new(
            "executable_file",
            "文件是可执行程序，不予接收（无论文件名如何）",
            "the file is a program and is refused, whatever its name",
        ));
    }
    match detect(bytes) {
        Some(m) => Ok((m, sha256_hex(bytes))),
        None => Err(Msg::new(
            "bad_media_type",
            "只接受 JPEG、PNG、GIF、WebP 图片和 PDF 文件（按文件内容判断）",
            "only JPEG, PNG, GIF and WebP pictures and PDF files are accepted (judged by the content)",
        )),
    }
}

/// A file name as it may be shown and offered for download: the last part
/// of any path, without control or quoting characters, at most 100
/// characters; never used as a path.
pub fn display_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | ';' | '<' | '>'))
        .take(100)
        .collect();
    match clean.trim() {
        "" | "." | ".." => "attachment".into(),
        t => t.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_type_comes_from_the_bytes() {
        assert_eq!(detect(b"\xFF\xD8\xFF\xE0rest"), Some(MediaType::Jpeg));
        assert_eq!(detect(b"\x89PNG\r\n\x1a\nrest"), Some(MediaType::Png));
        assert_eq!(detect(b"%PDF-1.7"), Some(MediaType::Pdf));
        assert_eq!(detect(b"RIFF\0\0\0\0WEBPVP8 "), Some(MediaType::Webp));
        assert_eq!(detect(b"<html>"), None);
        assert_eq!(MediaType::from_mime("image/png"), Some(MediaType::Png));
    }

    #[test]
    fn programs_unknown_empty_and_large_files_are_refused() {
        let code = |b: &[u8]| check(b).unwrap_err().code;
        assert_eq!(code(b"MZ\x90\0"), "executable_file");
        assert_eq!(code(b"\x7fELF\x02"), "executable_file");
        assert_eq!(code(b"#!/bin/sh\n"), "executable_file");
        assert_eq!(code(b"plain text"), "bad_media_type");
        assert_eq!(code(b""), "empty_file");
        let mut big = b"%PDF-".to_vec();
        big.resize(MAX_ATTACHMENT_BYTES + 1, b' ');
        assert_eq!(code(&big), "file_too_large");
        let (m, sha) = check(b"%PDF-1.4").unwrap();
        assert_eq!(m, MediaType::Pdf);
        assert_eq!(sha.len(), 64);
    }

    #[test]
    fn a_shown_name_is_no_path() {
        assert_eq!(display_name("../../etc/passwd"), "passwd");
        assert_eq!(display_name("C:\\x\\照片.jpg"), "照片.jpg");
        assert_eq!(display_name("a\"b;\n.jpg"), "ab.jpg");
        assert_eq!(display_name(".."), "attachment");
    }
}
