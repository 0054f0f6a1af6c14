//! Looks for PostgreSQL when the testkit is built, so `both_backends!` can
//! declare the PostgreSQL halves as ignored where there is none: a test
//! cannot report "skipped" at run time, and a skipped half that passes
//! would be counted as a pass.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(dingdian_postgres)");
    println!("cargo::rerun-if-env-changed=DINGDIAN_TEST_POSTGRES");
    println!("cargo::rerun-if-env-changed=CI");
    let debian = std::path::Path::new("/usr/lib/postgresql");
    // A path that does not exist would make cargo rerun this every build
    // (and relink every test binary); after installing PostgreSQL, touch
    // this file (the README says so).
    if debian.exists() {
        println!("cargo::rerun-if-changed=/usr/lib/postgresql");
    }
    println!("cargo::rerun-if-changed=build.rs");
    let installed = std::fs::read_dir(debian)
        .map(|d| d.flatten().any(|e| e.path().join("bin/initdb").exists()))
        .unwrap_or(false);
    let named = std::env::var_os("DINGDIAN_TEST_POSTGRES").is_some_and(|u| !u.is_empty());
    // Under CI the halves stay real tests: a missing PostgreSQL fails them.
    let ci = std::env::var_os("CI").is_some();
    if installed || named || ci {
        println!("cargo::rustc-cfg=dingdian_postgres");
    }
}
