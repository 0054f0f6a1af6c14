//! Tables in and out: CSV (UTF-8 with or without BOM, or GBK/GB18030,
//! told apart automatically) and xlsx files read into rows of text with
//! their Excel row numbers; tables written to xlsx for every export.

use crate::error::{AppError, Result};
use dingdian_core::{FieldError, Msg};
use std::borrow::Cow;

/// A sheet read from a file: header cells and the data rows, each with
/// the row number the user sees in Excel (the header is row 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
    /// What the file was: numbers in Excel cells may carry thousands
    /// separators, in CSV they may not.
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Auto,
    Utf8,
    Gbk,
}

impl Encoding {
    pub fn parse(s: &str) -> Option<Encoding> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Some(Encoding::Auto),
            "utf-8" | "utf8" => Some(Encoding::Utf8),
            "gbk" | "gb18030" | "gb2312" => Some(Encoding::Gbk),
            _ => None,
        }
    }
}

fn file_error(code: &str, zh: impl Into<String>, en: impl Into<String>) -> AppError {
    AppError::Invalid(vec![FieldError::new("file", "", Msg::new(code, zh, en))])
}

/// Decodes CSV bytes. `Auto` takes UTF-8 when the bytes are valid UTF-8
/// (a BOM is dropped; the text is borrowed, not copied) and GB18030 (a
/// superset of GBK) otherwise. A declared encoding must fit the file: GBK
/// asked of a file that is UTF-8 (a BOM, or non-ASCII text that is valid
/// UTF-8, which GBK text almost never is) would turn 赵六 into 璧靛叚, so it
/// is refused, as is GBK text holding characters no Chinese text holds
/// (private-use or control characters).
pub fn decode(bytes: &[u8], encoding: Encoding) -> Result<Cow<'_, str>> {
    fn utf8(b: &[u8]) -> Option<&str> {
        std::str::from_utf8(b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b)).ok()
    }
    let gbk = |b: &[u8]| -> Option<String> {
        let (text, _, had_errors) = encoding_rs::GB18030.decode(b);
        (!had_errors).then(|| text.into_owned())
    };
    if encoding == Encoding::Gbk {
        let is_utf8 = bytes.starts_with(b"\xEF\xBB\xBF")
            || (!bytes.is_ascii() && std::str::from_utf8(bytes).is_ok());
        let text = gbk(bytes).filter(|t| !is_utf8 && looks_like_text(t));
        return text.map(Cow::Owned).ok_or_else(|| {
            file_error(
                "encoding_mismatch",
                "文件不是 GBK 编码（看起来是 UTF-8）：请改用 --encoding auto 或 utf-8 重新导入，以免中文变成乱码",
                "the file is not GBK (it looks like UTF-8): import it again with --encoding auto or utf-8, or the Chinese would turn into garbage",
            )
        });
    }
    let text = match encoding {
        Encoding::Utf8 => utf8(bytes).map(Cow::Borrowed),
        _ => utf8(bytes)
            .map(Cow::Borrowed)
            .or_else(|| gbk(bytes).filter(|t| looks_like_text(t)).map(Cow::Owned)),
    };
    text.ok_or_else(|| {
        file_error(
            "bad_encoding",
            "文件编码无法识别：请保存为 UTF-8 或 GBK 编码的 CSV，或 xlsx",
            "the file's encoding is not UTF-8 or GBK: save it as a UTF-8 or GBK CSV, or as xlsx",
        )
    })
}

/// Whether decoded text holds only what a table of Chinese text holds: no
/// private-use characters (what GBK's unassigned codes decode to) and no
/// control characters other than tab and line breaks.
fn looks_like_text(t: &str) -> bool {
    !t.chars().any(|c| {
        ('\u{E000}'..='\u{F8FF}').contains(&c)
            || (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    })
}

fn is_xlsx(name: &str, bytes: &[u8]) -> bool {
    name.to_ascii_lowercase().ends_with(".xlsx") || bytes.starts_with(b"PK\x03\x04")
}

/// Reads a CSV or xlsx file (by name and content). Cells are trimmed;
/// rows that are entirely empty are skipped.
pub fn read(name: &str, bytes: &[u8], encoding: Encoding) -> Result<Table> {
    let sheet = Sheet::open(name, bytes, encoding)?;
    let rows = sheet.rows(|_, cells| cells.iter().map(|c| c.to_string()).collect())?;
    Ok(Table {
        headers: sheet.headers,
        rows,
        format: sheet.format,
    })
}

/// A file opened for reading row by row: its header is read, its rows are
/// visited by [`Sheet::rows`] without first being copied into cells, so a
/// large import holds only what it makes of each row.
pub struct Sheet<'a> {
    pub headers: Vec<String>,
    pub format: Format,
    body: Body<'a>,
}

enum Body<'a> {
    /// CSV text from `start` on, whose first line is the Excel row after
    /// `row_base`.
    Csv {
        text: Cow<'a, str>,
        start: usize,
        row_base: usize,
    },
    /// xlsx rows, already cells (a sheet has at most 1 048 576 rows).
    Cells(Vec<(usize, Vec<String>)>),
}

impl<'a> Sheet<'a> {
    /// Checks the file type, decodes a CSV and reads the header.
    pub fn open(name: &str, bytes: &'a [u8], encoding: Encoding) -> Result<Sheet<'a>> {
        if bytes.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(file_error("empty_file", "文件为空", "the file is empty"));
        }
        let lower = name.to_ascii_lowercase();
        let sheet = if is_xlsx(name, bytes) {
            let table = read_xlsx(bytes)?;
            Sheet {
                headers: table.headers,
                format: table.format,
                body: Body::Cells(table.rows),
            }
        } else if lower.ends_with(".csv") || lower.ends_with(".txt") || !lower.contains('.') {
            let text = decode(bytes, encoding)?;
            let (headers, start, row_base) = csv_header(&text)?;
            Sheet {
                headers,
                format: Format::Csv,
                body: Body::Csv {
                    text,
                    start,
                    row_base,
                },
            }
        } else {
            return Err(file_error(
                "bad_file_type",
                "只接受 CSV（.csv）或 Excel（.xlsx）文件",
                "only CSV (.csv) and Excel (.xlsx) files are accepted",
            ));
        };
        if sheet.headers.iter().all(|h| h.is_empty()) {
            return Err(file_error(
                "no_header",
                "第 1 行应为表头",
                "row 1 must be the header",
            ));
        }
        Ok(sheet)
    }

    /// Calls `f` with each data row's Excel number and trimmed cells
    /// (rows entirely empty are skipped) and returns what it made, in file
    /// order. A large CSV without quote characters is split at line breaks
    /// and its parts read on all cores (no record can then span a break);
    /// with quotes it is read in one piece, since a quoted cell may hold
    /// line breaks.
    pub fn rows<T: Send>(&self, f: impl Fn(usize, &[&str]) -> T + Sync) -> Result<Vec<(usize, T)>> {
        match &self.body {
            Body::Cells(rows) => Ok(rows
                .iter()
                .filter(|(_, cells)| cells.iter().any(|c| !c.is_empty()))
                .map(|(row, cells)| {
                    let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
                    (*row, f(*row, &cells))
                })
                .collect()),
            Body::Csv {
                text,
                start,
                row_base,
            } => {
                let body = &text[*start..];
                let parts =
                    if body.len() < (1 << 20) || memchr::memchr(b'"', body.as_bytes()).is_some() {
                        1
                    } else {
                        crate::parallel::threads()
                    };
                csv_rows_in_parts(body, *row_base, parts, &f)
            }
        }
    }
}

/// The header record of CSV text, the byte where the rows after it begin,
/// and the Excel row number of the last line before that byte (line breaks
/// inside the header's quoted cells do not count: Excel shows the header as
/// one row).
fn csv_header(text: &str) -> Result<(Vec<String>, usize, usize)> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rec = csv::StringRecord::new();
    let found = r.read_record(&mut rec).map_err(|e| {
        file_error(
            "bad_csv",
            format!("第 1 行无法按 CSV 读取：{e}"),
            format!("row 1 is not valid CSV: {e}"),
        )
    })?;
    if !found {
        return Ok((Vec::new(), text.len(), 0));
    }
    let start = (r.position().byte() as usize).min(text.len());
    let bytes = text.as_bytes();
    let inner: usize = rec.iter().map(|c| c.matches('\n').count()).sum();
    let row_base = memchr::memchr_iter(b'\n', &bytes[..start]).count() - inner;
    let headers = rec
        .iter()
        .map(|c| csv_untext(c.trim()).to_string())
        .collect();
    Ok((headers, start, row_base))
}

/// Rows of CSV text (no header) in `parts` pieces read in parallel; the
/// text's first line is the Excel row after `row_base`.
fn csv_rows_in_parts<T: Send>(
    text: &str,
    row_base: usize,
    parts: usize,
    f: &(impl Fn(usize, &[&str]) -> T + Sync),
) -> Result<Vec<(usize, T)>> {
    let bytes = text.as_bytes();
    // Part boundaries just after a line break, near equal sizes; each part
    // starts at the Excel row after the line breaks before it.
    let mut pieces: Vec<(usize, &str)> = Vec::new();
    let (mut start, mut base) = (0, row_base);
    for k in 1..=parts {
        let end = if k == parts {
            text.len()
        } else {
            let at = (text.len() * k / parts).max(start);
            memchr::memchr(b'\n', &bytes[at..]).map_or(text.len(), |nl| at + nl + 1)
        };
        if end > start {
            pieces.push((base, &text[start..end]));
            base += memchr::memchr_iter(b'\n', &bytes[start..end]).count();
            start = end;
        }
    }
    let read = crate::parallel::par_each(&pieces, |(base, piece)| csv_rows(piece, *base, f));
    // The first part grows to hold the others: no third copy of the rows.
    let mut parts = read.into_iter();
    let mut rows = parts.next().transpose()?.unwrap_or_default();
    for part in parts {
        rows.extend(part?);
    }
    Ok(rows)
}

/// The rows of a piece of CSV text that begins on the line after
/// `row_base`, each given to `f` with its Excel row number. The reader
/// skips blank lines, which Excel shows as rows, so rows are numbered by
/// the line they start on, less the line breaks inside quoted cells before
/// them (Excel shows such a record as one row).
fn csv_rows<T>(
    text: &str,
    row_base: usize,
    f: &impl Fn(usize, &[&str]) -> T,
) -> Result<Vec<(usize, T)>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let (mut scanned, mut line_breaks, mut inner_breaks) = (0, 0, 0);
    let mut rec = csv::StringRecord::new();
    for i in 0.. {
        match r.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let n = row_base + i + 2;
                return Err(file_error(
                    "bad_csv",
                    format!("第 {n} 行无法按 CSV 读取：{e}"),
                    format!("row {n} is not valid CSV: {e}"),
                ));
            }
        }
        // The position is where the reader resumed: before the line
        // terminators and blank lines it then skipped.
        let mut start = rec
            .position()
            .map_or(scanned, |p| p.byte() as usize)
            .max(scanned);
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        line_breaks += memchr::memchr_iter(b'\n', &bytes[scanned..start]).count();
        scanned = start;
        let row = row_base + line_breaks + 1 - inner_breaks;
        inner_breaks += rec.iter().map(|c| c.matches('\n').count()).sum::<usize>();
        let cells: Vec<&str> = rec.iter().map(|c| csv_untext(c.trim())).collect();
        if cells.iter().any(|c| !c.is_empty()) {
            out.push((row, f(row, &cells)));
        }
    }
    Ok(out)
}

/// What an xlsx file may inflate to, all its parts together: about twenty
/// times the 50 MB upload limit, enough for a sheet at Excel's row limit.
pub const XLSX_MAX_INFLATED: u64 = 1 << 30;
/// What one part of an xlsx file (a sheet, the shared strings) may inflate to.
pub const XLSX_MAX_PART: u64 = 512 << 20;
/// How many times its own size an xlsx file may inflate to, once it inflates
/// beyond [`XLSX_RATIO_FLOOR`]: real sheets compress 5–15 times, a zip bomb
/// thousands of times.
pub const XLSX_MAX_RATIO: u64 = 100;
pub const XLSX_RATIO_FLOOR: u64 = 32 << 20;
/// The widest sheet read: every file format here has at most 27 columns.
pub const MAX_COLUMNS: usize = 64;
/// Excel's own row limit.
pub const MAX_ROWS: usize = 1_048_576;

fn too_large_xlsx() -> AppError {
    file_error(
        "xlsx_too_large",
        format!(
            "Excel 文件解压后过大（超过 {} MB，或超过文件本身的 {XLSX_MAX_RATIO} 倍），不予读取；请只保留数据所在的工作表，或另存为 CSV",
            XLSX_MAX_INFLATED >> 20
        ),
        format!(
            "the Excel file inflates to too much (over {} MB, or over {XLSX_MAX_RATIO} times its own size) and is not read: keep only the sheet with the data, or save it as CSV",
            XLSX_MAX_INFLATED >> 20
        ),
    )
}

fn too_wide_xlsx() -> AppError {
    file_error(
        "xlsx_too_wide",
        format!(
            "工作表的范围过大（最多 {MAX_COLUMNS} 列、{MAX_ROWS} 行）：请删除数据以外的单元格（包括远处的空白格式单元格）后重新保存"
        ),
        format!(
            "the sheet's extent is too large (at most {MAX_COLUMNS} columns and {MAX_ROWS} rows): delete the cells outside the data (formatted blank cells far away included) and save it again"
        ),
    )
}

fn bad_xlsx() -> AppError {
    file_error(
        "bad_xlsx",
        "无法读取 Excel 文件（需为 .xlsx 格式）",
        "the Excel file cannot be read (it must be .xlsx)",
    )
}

/// Refuses an xlsx file before anything is inflated when the sizes its zip
/// directory declares (which the zip reader then enforces: a part that
/// inflates beyond its declared size fails) exceed the bounds above.
fn check_xlsx_archive(bytes: &[u8]) -> Result<()> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|_| bad_xlsx())?;
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let part = zip.by_index_raw(i).map_err(|_| bad_xlsx())?.size();
        if part > XLSX_MAX_PART {
            return Err(too_large_xlsx());
        }
        total = total.saturating_add(part);
    }
    let by_ratio = (bytes.len() as u64).saturating_mul(XLSX_MAX_RATIO);
    if total > XLSX_MAX_INFLATED || (total > XLSX_RATIO_FLOOR && total > by_ratio) {
        return Err(too_large_xlsx());
    }
    Ok(())
}

/// An Excel number as text. Integers below 10^15 are exact in Excel and
/// written out in full; larger ones are not (Excel keeps 15 digits) and are
/// written in scientific notation with those 15 digits, `6.23023199001011E+17`
/// (Excel shows `6.23023E+17`), so that a code column
/// Excel turned into a number is recognised as such.
fn excel_number(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else if f.abs() >= 1e15 {
        // 15 significant digits, as many as Excel keeps.
        let s = format!("{f:.14E}");
        match s.split_once('E') {
            Some((m, e)) => {
                let m = m.trim_end_matches('0').trim_end_matches('.');
                format!("{m}E+{e}")
            }
            None => s,
        }
    } else {
        f.to_string()
    }
}

/// One cell's text and whether Excel holds it as a number.
fn xlsx_cell(d: calamine::DataRef<'_>) -> (String, bool) {
    use calamine::DataRef;
    match d {
        DataRef::Empty => (String::new(), false),
        DataRef::String(s) => (s.trim().to_string(), false),
        DataRef::SharedString(s) => (s.trim().to_string(), false),
        DataRef::Float(f) => (excel_number(f), true),
        DataRef::Int(i) => (excel_number(i as f64), true),
        DataRef::Bool(b) => (b.to_string(), false),
        DataRef::DateTime(dt) => (
            match dt.as_datetime() {
                Some(t) if t.time() == chrono::NaiveTime::MIN => {
                    t.date().format("%Y-%m-%d").to_string()
                }
                Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
                None => dt.to_string(),
            },
            false,
        ),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => (s, false),
        DataRef::Error(e) => (format!("#{e:?}"), false),
    }
}

/// The first sheet's rows (Excel row number, cells), streamed cell by cell:
/// the archive's sizes are checked first, then the sheet's declared extent,
/// then every cell's position, so no hostile file makes the reader allocate
/// beyond those bounds. Only rows that hold cells are kept. `make` turns a
/// cell's text and number flag into what is kept.
fn xlsx_rows<C: Default + Clone>(
    bytes: &[u8],
    make: impl Fn(String, bool) -> C,
) -> Result<Vec<(usize, Vec<C>)>> {
    use calamine::{Reader, Xlsx};
    check_xlsx_archive(bytes)?;
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).map_err(|_| bad_xlsx())?;
    let first = book.sheet_names().first().cloned().ok_or_else(bad_xlsx)?;
    let mut cells = book
        .worksheet_cells_reader(&first)
        .map_err(|_| bad_xlsx())?;
    let declared = cells.dimensions();
    if declared.end.1 as usize >= MAX_COLUMNS || declared.end.0 as usize >= MAX_ROWS {
        return Err(too_wide_xlsx());
    }
    let mut rows: Vec<(usize, Vec<C>)> = Vec::new();
    while let Some(cell) = cells.next_cell().map_err(|_| bad_xlsx())? {
        let (r, c) = cell.get_position();
        let (r, c) = (r as usize, c as usize);
        if c >= MAX_COLUMNS || r >= MAX_ROWS {
            return Err(too_wide_xlsx());
        }
        let (text, numeric) = xlsx_cell(cell.get_value().clone());
        if text.is_empty() {
            continue;
        }
        let excel_row = r + 1;
        match rows.last_mut() {
            Some((last, row)) if *last == excel_row => {
                if row.len() <= c {
                    row.resize(c + 1, C::default());
                }
                row[c] = make(text, numeric);
            }
            Some((last, _)) if *last > excel_row => return Err(bad_xlsx()),
            _ => {
                let mut row = vec![C::default(); c + 1];
                row[c] = make(text, numeric);
                rows.push((excel_row, row));
            }
        }
    }
    Ok(rows)
}

fn read_xlsx(bytes: &[u8]) -> Result<Table> {
    let mut rows = xlsx_rows(bytes, |text, _| text)?;
    let headers = match rows.first() {
        Some((1, _)) => rows.remove(0).1,
        _ => Vec::new(),
    };
    Ok(Table {
        headers,
        rows,
        format: Format::Xlsx,
    })
}

/// A text cell made safe to open in a spreadsheet (OWASP "CSV injection"):
/// a cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return
/// gets a leading `'`, so that Excel shows it as text instead of running it
/// as a formula. Every CSV this program writes passes its text cells
/// through here; numbers it writes as numbers are left as they are.
pub fn csv_text(s: &str) -> Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// [`csv_text`] as bytes, for `csv::Writer::write_record` (no copy unless
/// the cell needs its quote).
pub fn csv_field(s: &str) -> Cow<'_, [u8]> {
    match csv_text(s) {
        Cow::Borrowed(b) => Cow::Borrowed(b.as_bytes()),
        Cow::Owned(o) => Cow::Owned(o.into_bytes()),
    }
}

/// The reverse of [`csv_text`] when reading a CSV: a cell that is `'`
/// followed by one of those characters loses the `'`, so an exported file
/// imports as it was.
pub fn csv_untext(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => s,
    }
}

/// A CSV of text cells (every cell through [`csv_text`]).
pub fn csv_bytes<R: AsRef<[String]>>(headers: &[String], rows: &[R]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| AppError::internal("csv", e);
    w.write_record(headers.iter().map(|h| csv_field(h)))
        .map_err(fail)?;
    for row in rows {
        w.write_record(row.as_ref().iter().map(|c| csv_field(c)))
            .map_err(fail)?;
    }
    w.into_inner().map_err(|e| AppError::internal("csv", e))
}

/// One expected column: its English and Chinese names.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub en: &'static str,
    pub zh: &'static str,
    pub required: bool,
}

/// Where each expected column stands in a table.
#[derive(Debug, Clone)]
pub struct ColumnMap {
    idx: Vec<Option<usize>>,
    columns: &'static [Column],
}

impl ColumnMap {
    /// Matches headers by English or Chinese name in any order; unknown,
    /// doubled and missing required columns are errors that name them.
    pub fn new(
        headers: &[String],
        columns: &'static [Column],
        ignore_unknown: bool,
    ) -> Result<ColumnMap> {
        let mut idx = vec![None; columns.len()];
        let mut errors = Vec::new();
        for (i, h) in headers.iter().enumerate() {
            let h = h.trim().trim_start_matches('\u{feff}');
            if h.is_empty() {
                continue;
            }
            match columns
                .iter()
                .position(|c| c.en.eq_ignore_ascii_case(h) || c.zh == h)
            {
                Some(k) if idx[k].is_some() => errors.push(
                    FieldError::new(
                        h,
                        h,
                        Msg::new(
                            "duplicate_column",
                            "表头中此列重复",
                            "this column appears twice in the header",
                        ),
                    )
                    .at_row(1),
                ),
                Some(k) => idx[k] = Some(i),
                None if ignore_unknown => {}
                None => errors.push(
                    FieldError::new(
                        h,
                        h,
                        Msg::new("unknown_column", "未知的列", "unknown column"),
                    )
                    .at_row(1),
                ),
            }
        }
        for (k, c) in columns.iter().enumerate() {
            if c.required && idx[k].is_none() {
                errors.push(
                    FieldError::new(
                        c.en,
                        "",
                        Msg::new(
                            "missing_column",
                            format!("缺少必需的列“{}”", c.zh),
                            format!("the required column {} is missing", c.en),
                        ),
                    )
                    .at_row(1),
                );
            }
        }
        if errors.is_empty() {
            Ok(ColumnMap { idx, columns })
        } else {
            Err(AppError::Invalid(errors))
        }
    }

    /// Where column `en` stands in the rows, if the file has it. Bulk
    /// readers look the positions up once, not per row.
    pub fn index(&self, en: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.en == en)
            .and_then(|k| self.idx[k])
    }

    /// The cell of column `en` in `row` ("" when absent).
    pub fn get<'a>(&self, row: &'a [String], en: &str) -> &'a str {
        self.columns
            .iter()
            .position(|c| c.en == en)
            .and_then(|k| self.idx[k])
            .and_then(|i| row.get(i))
            .map(String::as_str)
            .unwrap_or("")
    }
}

/// A cell of an exported table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Number(f64),
    Empty,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}
impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}
impl From<i64> for Cell {
    fn from(v: i64) -> Cell {
        Cell::Int(v)
    }
}
impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Cell {
        v.map(Into::into).unwrap_or(Cell::Empty)
    }
}

/// Writes one sheet with a bold header row and frozen header to xlsx bytes.
pub fn write_xlsx(sheet: &str, headers: &[String], rows: &[Vec<Cell>]) -> Result<Vec<u8>> {
    write_xlsx_sheets(&[(sheet, headers, rows)])
}

/// One sheet of a workbook: its name, header and rows.
pub type SheetData<'a> = (&'a str, &'a [String], &'a [Vec<Cell>]);

/// Writes sheets, each with a bold header row and frozen header, to xlsx bytes.
pub fn write_xlsx_sheets(sheets: &[SheetData]) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| AppError::internal("xlsx", e);
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    for (sheet, headers, rows) in sheets {
        let ws = book.add_worksheet();
        ws.set_name(*sheet).map_err(fail)?;
        for (c, h) in headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold)
                .map_err(fail)?;
            ws.set_column_width(c as u16, (h.chars().count() as f64 * 2.2).max(12.0))
                .map_err(fail)?;
        }
        for (r, row) in rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(s) => ws.write_string(r, c, s).map(|_| ()),
                    Cell::Int(v) => ws.write_number(r, c, *v as f64).map(|_| ()),
                    Cell::Number(v) => ws.write_number(r, c, *v).map(|_| ()),
                    Cell::Empty => Ok(()),
                }
                .map_err(fail)?;
            }
        }
        ws.set_freeze_panes(1, 0).map_err(fail)?;
    }
    book.save_to_buffer().map_err(fail)
}

/// The first sheet of an xlsx file as UTF-8 CSV (for `--out FILE.csv`):
/// text cells through [`csv_text`], number cells written as numbers.
pub fn xlsx_to_csv(xlsx: &[u8]) -> Result<Vec<u8>> {
    let rows = xlsx_rows(xlsx, |text, numeric| {
        if numeric {
            text
        } else {
            csv_text(&text).into_owned()
        }
    })?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| AppError::internal("csv", e);
    let width = rows.iter().map(|(_, r)| r.len()).max().unwrap_or(0);
    for (_, mut row) in rows {
        row.resize(width, String::new());
        w.write_record(&row).map_err(fail)?;
    }
    w.into_inner().map_err(|e| AppError::internal("csv", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLS: &[Column] = &[
        Column {
            en: "name",
            zh: "名称",
            required: true,
        },
        Column {
            en: "kind",
            zh: "类型",
            required: false,
        },
    ];

    #[test]
    fn gbk_csv_is_detected_and_decoded() {
        let (bytes, _, _) = encoding_rs::GBK.encode("名称,类型\n中共中央组织部,中央党政机关\n");
        let t = read("units.csv", &bytes, Encoding::Auto).unwrap();
        assert_eq!(t.headers, vec!["名称", "类型"]);
        assert_eq!(
            t.rows,
            vec![(
                2,
                vec!["中共中央组织部".to_string(), "中央党政机关".to_string()]
            )]
        );
    }

    #[test]
    fn utf8_bom_and_crlf_are_accepted() {
        let t = read(
            "u.csv",
            "\u{feff}name,kind\r\n a , b \r\n\r\n".as_bytes(),
            Encoding::Auto,
        )
        .unwrap();
        assert_eq!(t.headers, vec!["name", "kind"]);
        assert_eq!(t.rows, vec![(2, vec!["a".to_string(), "b".to_string()])]);
    }

    /// A large CSV is read in parts on several threads: the rows and their
    /// Excel numbers must be exactly those of reading it in one piece,
    /// blank lines and CRLF included, wherever the split falls.
    #[test]
    fn a_large_csv_read_in_parts_numbers_rows_as_in_one_piece() {
        let mut text = String::from("\r\nname,kind\r\n");
        for i in 0..60_000 {
            text.push_str(&format!("单位{i},类型{}\r\n", i % 7));
            if i % 997 == 0 {
                text.push_str("\r\n\n");
            }
        }
        let (headers, start, base) = csv_header(&text).unwrap();
        assert_eq!(headers, vec!["name", "kind"]);
        let cells = |_: usize, c: &[&str]| c.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let whole = csv_rows_in_parts(&text[start..], base, 1, &cells).unwrap();
        assert_eq!(
            whole[0],
            (3, vec!["单位0".to_string(), "类型0".to_string()])
        );
        for parts in [2, 3, 7] {
            let split = csv_rows_in_parts(&text[start..], base, parts, &cells).unwrap();
            assert_eq!(split, whole, "{parts} parts");
        }
        let t = read("big.csv", text.as_bytes(), Encoding::Auto).unwrap();
        assert_eq!(t.rows, whole);
        assert_eq!(
            t.rows.last().unwrap().0,
            text.lines().count(),
            "the last row is the last line"
        );
    }

    /// A quoted header cell holding a line break is still row 1, and the
    /// rows after it keep their Excel numbers.
    #[test]
    fn rows_after_a_multi_line_header_keep_their_numbers() {
        let t = read(
            "q.csv",
            "\"name\nzh\",kind\n\na,\"x\ny\"\nb,c\n".as_bytes(),
            Encoding::Auto,
        )
        .unwrap();
        assert_eq!(t.headers, vec!["name\nzh", "kind"]);
        assert_eq!(
            t.rows,
            vec![
                (3, vec!["a".to_string(), "x\ny".to_string()]),
                (4, vec!["b".to_string(), "c".to_string()])
            ]
        );
    }

    #[test]
    fn forced_gbk_refuses_utf8_text_instead_of_garbling_it() {
        let code = |r: Result<Table>| match r {
            Err(AppError::Invalid(e)) => e[0].msg.code.clone(),
            other => panic!("{other:?}"),
        };
        let utf8 = "姓名\n赵六\n".as_bytes();
        assert_eq!(
            code(read("u.csv", utf8, Encoding::Gbk)),
            "encoding_mismatch"
        );
        let bom = "\u{feff}name\nZhao\n".as_bytes();
        assert_eq!(code(read("u.csv", bom, Encoding::Gbk)), "encoding_mismatch");
        let (gbk, _, _) = encoding_rs::GBK.encode("姓名\n赵六\n");
        let t = read("u.csv", &gbk, Encoding::Gbk).unwrap();
        assert_eq!(t.rows, vec![(2, vec!["赵六".to_string()])]);
        // Plain ASCII is the same in both.
        assert!(read("u.csv", b"name\nZhao\n", Encoding::Gbk).is_ok());
    }

    #[test]
    fn csv_cells_that_would_run_as_formulas_get_a_quote_and_lose_it_on_reading() {
        for bad in ["=1+1", "+1", "-1", "@SUM(1)", "\tx", "\rx"] {
            assert_eq!(csv_text(bad), format!("'{bad}"));
            assert_eq!(csv_untext(&csv_text(bad)), bad);
        }
        for fine in ["张三", "1", "a=b", "'quoted", ""] {
            assert_eq!(csv_text(fine), fine);
            assert_eq!(csv_untext(fine), fine);
        }
        let bytes = csv_bytes(
            &["name".to_string()],
            &[vec!["=HYPERLINK(\"http://x\")".to_string()]],
        )
        .unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.contains("\"'=HYPERLINK("), "{text}");
        let t = read("x.csv", &bytes, Encoding::Auto).unwrap();
        assert_eq!(t.rows[0].1, vec!["=HYPERLINK(\"http://x\")".to_string()]);
    }

    #[test]
    fn xlsx_to_csv_neutralises_text_and_keeps_numbers() {
        let xlsx = write_xlsx(
            "s",
            &["name".to_string(), "change".to_string()],
            &[vec!["=cmd|' /C calc'!A0".into(), Cell::Int(-4731)]],
        )
        .unwrap();
        let csv = String::from_utf8(xlsx_to_csv(&xlsx).unwrap()).unwrap();
        assert_eq!(csv, "name,change\n'=cmd|' /C calc'!A0,-4731\n");
    }

    #[test]
    fn large_excel_numbers_read_as_excel_shows_them() {
        assert_eq!(excel_number(623023199001011234.0), "6.23023199001011E+17");
        assert_eq!(excel_number(623023004651.0), "623023004651");
        assert_eq!(excel_number(2850.5), "2850.5");
    }

    #[test]
    fn forced_utf8_refuses_gbk_bytes() {
        let (bytes, _, _) = encoding_rs::GBK.encode("名称\n组织部\n");
        assert!(matches!(
            read("u.csv", &bytes, Encoding::Utf8),
            Err(AppError::Invalid(_))
        ));
    }

    #[test]
    fn empty_and_foreign_files_are_refused() {
        let code = |r: Result<Table>| match r {
            Err(AppError::Invalid(e)) => e[0].msg.code.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(code(read("u.csv", b"", Encoding::Auto)), "empty_file");
        assert_eq!(
            code(read("u.pdf", b"%PDF-1.4", Encoding::Auto)),
            "bad_file_type"
        );
        assert_eq!(
            code(read("u.xlsx", b"not a zip", Encoding::Auto)),
            "bad_xlsx"
        );
    }

    #[test]
    fn headers_map_by_either_language_and_errors_name_columns() {
        let h = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let m = ColumnMap::new(&h(&["类型", "NAME"]), COLS, false).unwrap();
        let row = h(&["中央党政机关", "组织部"]);
        assert_eq!(m.get(&row, "name"), "组织部");
        assert_eq!(m.get(&row, "kind"), "中央党政机关");
        match ColumnMap::new(&h(&["kind", "colour"]), COLS, false) {
            Err(AppError::Invalid(e)) => {
                let codes: Vec<_> = e
                    .iter()
                    .map(|e| (e.field.as_str(), e.msg.code.as_str()))
                    .collect();
                assert_eq!(
                    codes,
                    vec![("colour", "unknown_column"), ("name", "missing_column")]
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(ColumnMap::new(&h(&["name", "colour"]), COLS, true).is_ok());
    }

    #[test]
    fn xlsx_round_trips_through_writer_and_reader() {
        let bytes = write_xlsx(
            "units",
            &["name".to_string(), "count".to_string()],
            &[
                vec!["组织部".into(), Cell::Int(3)],
                vec![Cell::Empty, Cell::Int(4)],
            ],
        )
        .unwrap();
        let t = read("x.xlsx", &bytes, Encoding::Auto).unwrap();
        assert_eq!(t.headers, vec!["name", "count"]);
        assert_eq!(t.rows[0], (2, vec!["组织部".to_string(), "3".to_string()]));
        assert_eq!(t.rows[1], (3, vec![String::new(), "4".to_string()]));
    }
}
