//! Hostile xlsx files built in the test, small in memory (issue 9,
//! findings 15 and 16): a sheet whose two cells stand at A1 and
//! XFD1048576, and a sheet that inflates to far more than it weighs.

use std::io::{Cursor, Write};
use zip::write::SimpleFileOptions;

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
const SHEET_START: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#;

/// An xlsx of one sheet whose XML `sheet` writes (after the `<worksheet>`
/// start tag; it writes the rest, the end tag included).
pub fn workbook(sheet: impl FnOnce(&mut dyn Write)) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", RELS),
        ("xl/workbook.xml", WORKBOOK),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
    ] {
        zip.start_file(name, opts).expect("zip part");
        zip.write_all(text.as_bytes()).expect("zip write");
    }
    zip.start_file("xl/worksheets/sheet1.xml", opts)
        .expect("zip part");
    zip.write_all(SHEET_START.as_bytes()).expect("zip write");
    sheet(&mut zip);
    zip.finish().expect("zip finish").into_inner()
}

/// Two cells: `年度` at A1 and a number at XFD1048576, the last cell Excel
/// has. With `declared`, the sheet also declares that extent in its
/// `<dimension>`; without it only the cells say so. About 1.5 KB.
pub fn far_apart_cells(declared: bool) -> Vec<u8> {
    workbook(|w| {
        let dim = if declared {
            r#"<dimension ref="A1:XFD1048576"/>"#
        } else {
            ""
        };
        write!(
            w,
            r#"{dim}<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>年度</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>"#
        )
        .expect("write");
    })
}

/// A sheet whose XML holds `inflated` bytes of blanks inside `<sheetData>`:
/// a zip bomb, written in small pieces (the test never holds it whole).
pub fn whitespace_bomb(inflated: usize) -> Vec<u8> {
    workbook(|w| {
        w.write_all(b"<sheetData>").expect("write");
        let blanks = vec![b' '; 1 << 16];
        let mut left = inflated;
        while left > 0 {
            let n = left.min(blanks.len());
            w.write_all(&blanks[..n]).expect("write");
            left -= n;
        }
        w.write_all(b"</sheetData></worksheet>").expect("write");
    })
}
