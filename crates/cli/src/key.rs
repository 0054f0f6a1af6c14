//! `dingdian key rotate`: a fresh personal-data key while the system runs.

use crate::{Db, Failure, open};
use dingdian_app::Actor;
use indicatif::{ProgressBar, ProgressStyle};

pub fn rotate(db: &Db) -> Result<(), Failure> {
    let app = open(db)?;
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template(
            "重新加密 re-sealing [{bar:40}] {pos}/{len} ({per_sec}, {eta})",
        )
        .expect("template")
        .progress_chars("=> "),
    );
    let progress = |done: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(done);
    };
    let report = app.rotate_key(&Actor::cli(), &progress);
    bar.finish_and_clear();
    let report = report?;
    println!(
        "已轮换个人信息加密密钥 / personal-data key rotated: {} (re-sealed {} members)",
        report.key_id, report.resealed
    );
    for (id, file) in report.retired_key_ids.iter().zip(&report.retired_files) {
        println!(
            "旧密钥 {id} 已停用并保存在 {f}：此前的备份需要它才能读取，备份过期后请安全销毁。\n\
             retired key {id} kept in {f}: backups made before today need it; destroy it safely once they expire.",
            f = file.display()
        );
    }
    Ok(())
}
