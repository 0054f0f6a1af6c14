//! A printed report through headless Chromium to PDF, read back with
//! `pdftotext`: the Chinese title, the county's name and a known figure
//! are in the PDF as text (so the fonts, the encoding and the print
//! stylesheet work). Without chromium or pdftotext the test says loudly
//! that it was skipped — and fails under CI.

use dingdian_app::{Actor, App};
use dingdian_web::print::{Style, render_county};
use std::path::Path;
use std::process::Command;

const CHROMIUM: &str = "/usr/bin/chromium";

fn tools_missing() -> bool {
    let pdftotext = Command::new("pdftotext").arg("-v").output().is_ok();
    if Path::new(CHROMIUM).exists() && pdftotext {
        return false;
    }
    let msg = "chromium or pdftotext (poppler-utils) is not installed: the PDF test was SKIPPED (apt-get install chromium poppler-utils)";
    assert!(
        std::env::var_os("CI").is_none(),
        "{msg}; under CI this is an error"
    );
    eprintln!("\n!!!!!!!! {msg} !!!!!!!!\n");
    true
}

#[test]
fn the_county_profile_prints_to_pdf_with_its_chinese_text() {
    if tools_missing() {
        return;
    }
    let db = dingdian_testkit::TestDb::sqlite();
    let app = App::open(&db.url).unwrap();
    app.load_demo().unwrap();
    let today = dingdian_core::time::today();
    let p = app
        .county_profile(&Actor::cli(), "623023", 2016, today)
        .unwrap();
    let poor = p.own.as_ref().expect("2016").indicators.poor_population as i64;
    let map = app
        .report_map(&Actor::cli(), Some("623023"), 2016, "zh", today)
        .unwrap();
    // The file the CLI writes: the stylesheet inline, the map drawn in
    // it, nothing external and no link that only works on the server.
    let html = render_county(&p, Some(map), "zh", Style::Inline).unwrap();
    assert!(html.contains("<svg") && html.contains("id=\"c623023\""));
    assert!(
        !html.contains("href=\"/") && !html.contains("src=") && !html.contains("<a "),
        "no external reference"
    );
    let dir = tempfile::tempdir().unwrap();
    let (page, pdf) = (
        dir.path().join("county.html"),
        dir.path().join("county.pdf"),
    );
    std::fs::write(&page, html).unwrap();
    let out = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--no-pdf-header-footer",
            &format!("--user-data-dir={}", dir.path().join("profile").display()),
            &format!("--print-to-pdf={}", pdf.display()),
            &format!("file://{}", page.display()),
        ])
        .output()
        .expect("run chromium");
    assert!(
        pdf.exists(),
        "no PDF: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = Command::new("pdftotext")
        .args(["-layout", pdf.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext");
    let text = String::from_utf8(text.stdout).unwrap();
    let figure = dingdian_web_thousands(poor);
    for must in ["县情报告", "舟曲县", "减贫指标", "一张图", figure.as_str()] {
        assert!(text.contains(must), "{must} in the PDF:\n{text}");
    }
}

/// 12345 → "12,345", as the report writes a head count.
fn dingdian_web_thousands(n: i64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}
