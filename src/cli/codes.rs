//! `saraban codes …`: province and ministry letter codes, either way.

use std::process::ExitCode;

use clap::Args;
use saraban::codes;

use super::each;

#[derive(Debug, Args)]
pub struct CodesArgs {
    /// Codes (`พล`) or names (`พิษณุโลก`, `จังหวัดพิษณุโลก`, `มหาดไทย`).
    values: Vec<String>,
    /// List every code.
    #[arg(long, conflicts_with = "values")]
    all: bool,
}

pub fn run(a: CodesArgs) -> anyhow::Result<ExitCode> {
    if a.all {
        for p in &codes::PROVINCES {
            println!("{}\t{}", p.code, p.name);
        }
        for m in &codes::MINISTRIES {
            let note = match (m.confirmed, m.historical) {
                (_, true) => "\t(เลิกใช้แล้ว)",
                (false, _) => "\t(ยังไม่ยืนยัน)",
                _ => "",
            };
            println!("{}\t{}{note}", m.code, m.name);
        }
        return Ok(ExitCode::SUCCESS);
    }
    each(&a.values, |v| {
        let meanings = codes::describe_code(v);
        if !meanings.is_empty() {
            return Ok(format!("{}\t{}", v.trim(), meanings.join(" / ")));
        }
        if let Some(p) = codes::province_by_name(v) {
            return Ok(format!("{}\t{}", p.code, p.name));
        }
        if let Some(m) = codes::ministry_by_name(v) {
            return Ok(format!("{}\t{}", m.code, m.name));
        }
        Err("ไม่รู้จักรหัสหรือชื่อนี้ (unknown letter code or name)")
    })
}
