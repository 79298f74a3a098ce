//! `saraban parse FILE… [--json]`: read letters (text, TIS-620 text or PDF)
//! into their fields.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use saraban::parse::{ParsedLetter, parse_file};
use saraban::thai::{DateStyle, Digits, format_date};

#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Letters as text files (UTF-8 or TIS-620) or PDFs.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Print JSON: one object for one file, an array for several.
    #[arg(long)]
    json: bool,
}

pub fn run(args: ParseArgs) -> anyhow::Result<ExitCode> {
    let mut failed = false;
    let mut parsed = Vec::new();
    for file in &args.files {
        match parse_file(file) {
            Ok(letter) => parsed.push(letter),
            Err(err) => {
                failed = true;
                eprintln!("saraban: {}: {err}", file.display());
            }
        }
    }
    if args.json {
        let out = if args.files.len() == 1 {
            parsed
                .first()
                .map(serde_json::to_string_pretty)
                .transpose()?
        } else {
            Some(serde_json::to_string_pretty(&parsed)?)
        };
        if let Some(out) = out {
            println!("{out}");
        }
    } else {
        for letter in &parsed {
            print!("{}", summary(letter));
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// A few lines a clerk can read.
fn summary(l: &ParsedLetter) -> String {
    let date = |d: chrono::NaiveDate| format_date(d, DateStyle::Long, Digits::Thai);
    let mut out = String::new();
    let number = l.number.as_ref().map_or("-", |n| n.printed.as_str());
    out.push_str(&format!("ที่ {number}"));
    if let Some(d) = l.date {
        out.push_str(&format!("  ลงวันที่ {}", date(d)));
    }
    out.push('\n');
    for (label, value) in [("จาก", &l.issuer), ("เรื่อง", &l.subject), ("เรียน", &l.to)]
    {
        if let Some(v) = value {
            out.push_str(&format!("  {label} {v}\n"));
        }
    }
    for r in &l.references {
        let when = r
            .date
            .map(|d| format!(" ลงวันที่ {}", date(d)))
            .unwrap_or_default();
        out.push_str(&format!("  อ้างถึง {}{when}\n", r.number.printed));
    }
    for d in &l.deadlines {
        out.push_str(&format!("  ภายในวันที่ {}: {}\n", date(d.date), d.what));
    }
    out
}
