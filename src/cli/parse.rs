//! `saraban parse FILE… [--json] [--many] [--prefill]`: read letters (text,
//! TIS-620 text, PDF, a scan as an image-only PDF or a JPEG/PNG photo, an
//! `.eml` e-mail) into their fields; with `--many`, every letter a page
//! lists; with `--prefill`, each field's confidence as the receive form
//! shows it.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use saraban::intake;
use saraban::parse::{DocType, ParsedLetter, parse_file_many};
use saraban::thai::{DateStyle, Digits, format_date};

#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Letters as text files (UTF-8 or TIS-620), PDFs (scans are read with
    /// Tesseract), JPEG/PNG photos or `.eml` e-mails.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Print JSON: one object for one file, an array for several.
    #[arg(long)]
    json: bool,
    /// Every letter in each file: a page that lists letters one per line
    /// (as agencies publish their circulars) gives one object per letter.
    /// JSON is then always an array.
    #[arg(long, conflicts_with = "prefill")]
    many: bool,
    /// Print what the receive form is pre-filled with (JSON): where the
    /// text came from (text layer, OCR), the fields, and how sure saraban
    /// is of each.
    #[arg(long)]
    prefill: bool,
}

pub fn run(args: ParseArgs) -> anyhow::Result<ExitCode> {
    if args.prefill {
        return prefill(&args);
    }
    let mut failed = false;
    let mut parsed = Vec::new();
    for file in &args.files {
        let read = if args.many {
            parse_file_many(file)
                .map(|v| v.into_iter().map(|(l, _)| l).collect())
                .map_err(anyhow::Error::from)
        } else {
            intake::parse_file(file)
                .map(|l| vec![l])
                .map_err(anyhow::Error::from)
        };
        match read {
            Ok(letters) => parsed.extend(letters),
            Err(err) => {
                failed = true;
                eprintln!("saraban: {}: {err}", file.display());
            }
        }
    }
    if args.json {
        let out = if args.files.len() == 1 && !args.many {
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

/// `--prefill`: one object per file (an array for several).
fn prefill(args: &ParseArgs) -> anyhow::Result<ExitCode> {
    let mut failed = false;
    let mut out = Vec::new();
    for file in &args.files {
        match intake::extract_file(file) {
            Ok(x) => out.push(intake::prefill(&x)),
            Err(err) => {
                failed = true;
                eprintln!("saraban: {}: {err}", file.display());
            }
        }
    }
    let json = if args.files.len() == 1 {
        out.first().map(serde_json::to_string_pretty).transpose()?
    } else {
        Some(serde_json::to_string_pretty(&out)?)
    };
    if let Some(json) = json {
        println!("{json}");
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
    let kind = match l.doc_type {
        DocType::ExternalLetter => "หนังสือภายนอก",
        DocType::Memo => "บันทึกข้อความ",
        DocType::Order => "คำสั่ง",
        DocType::Announcement => "ประกาศ",
        DocType::Schedule => "กำหนดการ",
        DocType::Project => "โครงการ",
        DocType::Other => "อื่น ๆ",
    };
    out.push_str(&format!("[{kind}] ที่ {number}"));
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
    for w in &l.warnings {
        out.push_str(&format!("  โปรดตรวจ: {w}\n"));
    }
    out
}
