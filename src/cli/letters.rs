//! `saraban import` (existing letters into the registry) and `saraban refs`
//! (what a letter cites, what cites it, the whole thread).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use saraban::app::admin::{LetterFile, Operator};
use saraban::app::{App, Node, NodeKind};
use saraban::docnum::DocNumber;
use saraban::parse::{ParsedLetter, parse_bytes_many, parse_file_many};
use saraban::thai::{DateStyle, Digits, format_date};

use super::db::DbArgs;

/// Files imported per transaction: each batch is all or nothing.
const BATCH: usize = 500;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Letters as text files (UTF-8 or TIS-620) or PDFs; a page that lists
    /// letters one per line gives one letter per line (`file#1`, `file#2`, …).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Enter each letter in this office's receive register (code, name or #id).
    #[arg(long)]
    received_by: Option<String>,
}

#[derive(Debug, Args)]
pub struct RefsArgs {
    /// The letter's number, in any digits (`พล ๐๐๒๓.๓/๒๑๒๒`).
    number: String,
    /// Its date, when the number alone is not enough (`๒๔ ก.พ. ๒๕๖๔`, ISO).
    #[arg(long)]
    date: Option<String>,
    /// The whole thread, both ways, as a dated timeline.
    #[arg(long)]
    thread: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// A file's letters: the file itself, or, for a page that lists letters one
/// per line, each listed letter under `file#n` with its line as its source.
fn read(file: &PathBuf) -> anyhow::Result<Vec<(String, Vec<u8>, ParsedLetter)>> {
    let bytes = std::fs::read(file)?;
    let name = file.display().to_string();
    let letters = if bytes.starts_with(b"%PDF-") {
        parse_file_many(file)?
    } else {
        parse_bytes_many(&bytes)?
    };
    if let [(_, None)] = letters.as_slice() {
        let (letter, _) = letters.into_iter().next().expect("one letter");
        return Ok(vec![(name, bytes, letter)]);
    }
    Ok(letters
        .into_iter()
        .enumerate()
        .map(|(k, (letter, line))| {
            let source = line.unwrap_or_default().into_bytes();
            (format!("{name}#{}", k + 1), source, letter)
        })
        .collect())
}

pub fn import(db: &DbArgs, args: ImportArgs) -> anyhow::Result<ExitCode> {
    let mut read_ok = Vec::new();
    let mut failed = false;
    for file in &args.files {
        match read(file) {
            Ok(letters) => read_ok.extend(letters),
            Err(e) => {
                failed = true;
                eprintln!("saraban: {}: {e}", file.display());
            }
        }
    }
    if failed {
        eprintln!(
            "saraban: ไม่ได้นำเข้าไฟล์ใด เพราะมีไฟล์ที่อ่านไม่ได้ (nothing imported: fix or leave out the files above)"
        );
        return Ok(ExitCode::FAILURE);
    }
    db.run(|app| async move {
        let op = Operator::from_env();
        let received_by = match &args.received_by {
            Some(q) => Some(app.find_office(q).await?),
            None => None,
        };
        for chunk in read_ok.chunks(BATCH) {
            let files: Vec<LetterFile> = chunk
                .iter()
                .map(|(name, bytes, letter)| LetterFile {
                    name,
                    bytes,
                    letter,
                })
                .collect();
            let done = app
                .import_letters(&op, &files, received_by.as_ref())
                .await?;
            for ((name, _, letter), imported) in chunk.iter().zip(done) {
                let number = letter.number.as_ref().map_or("-", |n| n.printed.as_str());
                if !imported.new {
                    println!(
                        "{name}: มีอยู่แล้ว ไม่นำเข้าซ้ำ (already imported) #{}",
                        imported.id
                    );
                    continue;
                }
                let received = imported
                    .received
                    .map(|r| format!("  ทะเบียนรับ เลขรับที่ {}", r.printed))
                    .unwrap_or_default();
                println!("{name}: นำเข้า #{} ที่ {number}{received}", imported.id);
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

pub fn refs(db: &DbArgs, args: RefsArgs) -> anyhow::Result<ExitCode> {
    let number = DocNumber::parse(&args.number)?;
    let date = saraban::app::input::optional_date("date", args.date.as_deref())?;
    db.run(|app| async move {
        let starts = app.graph_lookup(&number, date).await?;
        if starts.is_empty() {
            anyhow::bail!(
                "ไม่พบหนังสือเลขที่ {number} ในทะเบียน และไม่มีหนังสือใดอ้างถึง (no letter {} is stored or cited)",
                number.key()
            );
        }
        let mut out = Vec::new();
        for start in &starts {
            out.push(report(&app, start, args.thread).await?);
        }
        if args.json {
            println!("{}", serde_json::to_string_pretty(&out)?);
        } else {
            for r in &out {
                print!("{}", r.text);
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

#[derive(serde::Serialize)]
struct Report {
    letter: Node,
    #[serde(skip_serializing_if = "Option::is_none")]
    cites: Option<Vec<Node>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cited_by: Option<Vec<Node>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    thread: Option<Vec<Node>>,
    #[serde(skip)]
    text: String,
}

fn line(n: &Node) -> String {
    let date = n
        .date
        .map(|d| format_date(d, DateStyle::Long, Digits::Thai))
        .unwrap_or_else(|| "(ไม่ทราบวันที่)".to_string());
    let subject = n.subject.as_deref().map(|s| {
        let short: String = s.chars().take(70).collect();
        if short.len() < s.len() {
            format!("{short}…")
        } else {
            short
        }
    });
    let what = [n.issuer.as_deref(), subject.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" — ");
    let kind = match n.kind {
        NodeKind::Imported => "นำเข้า",
        NodeKind::Document => "ในระบบ",
        NodeKind::External => "ยังไม่มีในระบบ",
    };
    format!("{date}  ที่ {}  {what}  [{kind}]", n.number)
}

async fn report(app: &App, start: &Node, thread: bool) -> anyhow::Result<Report> {
    let mut text = format!("{}\n", line(start));
    if thread {
        let nodes = app.graph_thread(start, 10_000).await?;
        text.push_str("ลำดับเรื่อง (thread):\n");
        for n in &nodes {
            let mark = if n == start { "→" } else { " " };
            text.push_str(&format!("{mark} {}\n", line(n)));
        }
        return Ok(Report {
            letter: start.clone(),
            cites: None,
            cited_by: None,
            thread: Some(nodes),
            text,
        });
    }
    let (cites, cited_by) = app.graph_links(start).await?;
    text.push_str("อ้างถึง (cites):\n");
    for n in &cites {
        text.push_str(&format!("  {}\n", line(n)));
    }
    text.push_str("ถูกอ้างถึงโดย (cited by):\n");
    for n in &cited_by {
        text.push_str(&format!("  {}\n", line(n)));
    }
    Ok(Report {
        letter: start.clone(),
        cites: Some(cites),
        cited_by: Some(cited_by),
        thread: None,
        text,
    })
}
