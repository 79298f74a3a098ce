//! `saraban lint FILE… [--json] [--today DATE] [--office OFFICE]`:
//! proofread documents (the JSON `saraban render` takes) or letters as text
//! or PDF (read as `saraban parse` reads them). With `--office`, the
//! registry's checks too (office names, citations, register series), as the
//! operator acting for that office on `--database`.
//!
//! Prints one line per finding (`file field:position [code] Thai (English)`);
//! `--json` prints the findings as a list (one file) or a list of
//! `{file, findings}`. Exits 1 when any finding is an error (a wrong
//! weekday, amount, date, number, citation or closing), 0 when there are
//! only warnings or nothing, 2 when a file cannot be read.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;

use saraban::app::admin::Operator;
use saraban::lint::{self, Context, Finding};
use saraban::model::Document;
use saraban::parse::{ParsedLetter, parse_file};

use super::db::DbArgs;

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Documents as JSON (`saraban render`'s input) or letters as text/PDF.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Print the findings as JSON.
    #[arg(long)]
    json: bool,
    /// The day to check deadlines against (default: today in Bangkok).
    #[arg(long, value_name = "DATE")]
    today: Option<String>,
    /// Also check against the registry, as this office (name, code or #id).
    #[arg(long, value_name = "OFFICE")]
    office: Option<String>,
}

enum Input {
    Document(Box<Document>),
    Letter(Box<ParsedLetter>),
}

fn read(path: &std::path::Path) -> anyhow::Result<Input> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("อ่านไฟล์ไม่ได้ (cannot read) {}", path.display()))?;
    let looks_json = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    if looks_json {
        let text =
            String::from_utf8(bytes).context("ไฟล์ JSON ต้องเป็น UTF-8 (JSON must be UTF-8)")?;
        Ok(Input::Document(Box::new(Document::from_json(&text)?)))
    } else {
        Ok(Input::Letter(Box::new(parse_file(path)?)))
    }
}

pub fn run(db: &DbArgs, args: LintArgs) -> anyhow::Result<ExitCode> {
    let today = match &args.today {
        Some(t) => saraban::app::input::date("today", t)?,
        None => saraban::app::bangkok_date(chrono::Utc::now()),
    };
    let mut inputs = Vec::new();
    for file in &args.files {
        match read(file) {
            Ok(i) => inputs.push((file.display().to_string(), i)),
            Err(e) => {
                eprintln!("saraban: {}: {e:#}", file.display());
                return Ok(ExitCode::from(2));
            }
        }
    }
    let results: Vec<(String, Vec<Finding>)> = match &args.office {
        None => {
            let ctx = Context {
                today: Some(today),
                offices: Vec::new(),
            };
            inputs
                .into_iter()
                .map(|(f, i)| {
                    let found = match &i {
                        Input::Document(d) => lint::lint(d, &ctx),
                        Input::Letter(l) => lint::lint_parsed(l, &ctx),
                    };
                    (f, found)
                })
                .collect()
        }
        Some(office) => {
            let office = office.clone();
            db.run(|app| async move {
                let mut caller = app.act_as(&Operator::from_env(), &office).await?;
                if args.today.is_some() {
                    // Noon in Bangkok on the day asked for.
                    caller.now = today.and_hms_opt(5, 0, 0).expect("a valid time").and_utc();
                }
                let mut out = Vec::new();
                for (f, i) in inputs {
                    let found = match &i {
                        Input::Document(d) => app.lint(&caller, d).await?,
                        Input::Letter(l) => app.lint_parsed(&caller, l).await?,
                    };
                    out.push((f, found));
                }
                Ok(out)
            })?
        }
    };
    let errors = results.iter().any(|(_, f)| lint::has_errors(f));
    if args.json {
        let text = if results.len() == 1 {
            serde_json::to_string_pretty(&results[0].1)?
        } else {
            let list: Vec<_> = results
                .iter()
                .map(|(file, findings)| serde_json::json!({"file": file, "findings": findings}))
                .collect();
            serde_json::to_string_pretty(&list)?
        };
        println!("{text}");
    } else {
        for (file, findings) in &results {
            for f in findings {
                println!("{file} {}", f.line());
            }
        }
    }
    Ok(if errors {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
