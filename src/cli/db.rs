//! Registry commands: `migrate`, `orgs`, `register`, `audit`, `backup`,
//! `restore`, `doc`. Each opens the database named by `--database` (or
//! `DATABASE_URL`; default `saraban.db`), applying migrations first.

use std::future::Future;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use saraban::store::offices::{self, Office};
use saraban::store::registers::{self, Format, RegisterKind};
use saraban::store::{Actor, Store, audit, backup, demo, documents, synth};

#[derive(Debug, Args, Clone)]
pub struct DbArgs {
    /// A SQLite file (created when missing) or a postgres:// URL.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "saraban.db",
        global = true
    )]
    pub database: String,
}

impl DbArgs {
    /// Opens the store (migrating it) and runs `f` on a Tokio runtime.
    pub fn run<T, F, Fut>(&self, f: F) -> anyhow::Result<T>
    where
        F: FnOnce(Store) -> Fut,
        Fut: Future<Output = anyhow::Result<T>>,
    {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        runtime.block_on(async {
            let store = Store::open(&self.database).await?;
            let out = f(store.clone()).await;
            store.close().await;
            out
        })
    }
}

/// Finds an office or fails with the store's message.
pub async fn office(store: &Store, query: &str) -> anyhow::Result<Office> {
    Ok(offices::find(store, query).await?)
}

#[derive(Debug, Subcommand)]
pub enum OrgsCommand {
    /// List offices (all, or one office and everything under it).
    List {
        /// An office code (`พล 0023`), `#id` or exact name.
        #[arg(long)]
        under: Option<String>,
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
    },
    /// Load organisations from CSV (org_code, name, type, district, province).
    Import { file: PathBuf },
    /// Load the demo hierarchy into an empty database.
    Demo,
    /// Print a synthetic national hierarchy (7,852 organisations) as CSV.
    Generate,
    /// Count offices by kind.
    Count,
    /// Give an office its letter code so that it can number letters.
    Code {
        /// The office (code, name or #id).
        office: String,
        /// The code: letter code and unit number (`พล 0618`).
        code: String,
    },
}

pub fn orgs(db: &DbArgs, cmd: OrgsCommand) -> anyhow::Result<ExitCode> {
    if let OrgsCommand::Generate = cmd {
        print!("{}", synth::national_csv());
        return Ok(ExitCode::SUCCESS);
    }
    db.run(|store| async move {
        let actor = Actor::cli();
        match cmd {
            OrgsCommand::List { under, json } => {
                let root = match under {
                    Some(q) => Some(office(&store, &q).await?.id),
                    None => None,
                };
                for o in offices::list(&store, root).await? {
                    if json {
                        println!("{}", serde_json::to_string(&o)?);
                    } else {
                        let code = o.code().map(|c| o.fields.digits.apply(&c)).unwrap_or_default();
                        println!(
                            "#{}\t{}\t{}\t{}\t{}",
                            o.id,
                            o.parent_id.map(|p| format!("#{p}")).unwrap_or_default(),
                            o.fields.kind.thai(),
                            code,
                            o.fields.name
                        );
                    }
                }
            }
            OrgsCommand::Import { file } => {
                let f = std::fs::File::open(&file)
                    .with_context(|| format!("เปิดไฟล์ไม่ได้ (cannot open) {}", file.display()))?;
                let r = offices::import_csv(&store, &actor, f).await?;
                println!(
                    "เพิ่ม {} แห่ง, ปรับปรุง {} แห่ง, คงเดิม {} แห่ง, สร้างอำเภอใหม่ {} แห่ง (inserted {}, updated {}, unchanged {}, districts created {})",
                    r.inserted, r.updated, r.unchanged, r.districts_created,
                    r.inserted, r.updated, r.unchanged, r.districts_created
                );
            }
            OrgsCommand::Demo => match demo::load(&store, &actor).await? {
                demo::Loaded::AlreadyPresent => {
                    println!("ฐานข้อมูลมีส่วนราชการอยู่แล้ว ไม่ได้เพิ่มข้อมูลตัวอย่าง (offices already present; nothing added)")
                }
                demo::Loaded::Offices(n) => println!("เพิ่มส่วนราชการตัวอย่าง {n} แห่ง (added {n} demo offices)"),
            },
            OrgsCommand::Count => {
                for (kind, n) in offices::count_by_kind(&store).await? {
                    println!("{}\t{n}", kind.thai());
                }
            }
            OrgsCommand::Code { office: who, code } => {
                let o = office(&store, &who).await?;
                let o = offices::set_code(&store, &actor, o.id, &code).await?;
                let code = o.code().map(|c| o.fields.digits.apply(&c)).unwrap_or_default();
                println!("{}: รหัส {code}", o.fields.name);
            }
            OrgsCommand::Generate => unreachable!("handled above"),
        }
        Ok(ExitCode::SUCCESS)
    })
}

#[derive(Debug, Subcommand)]
pub enum RegisterCommand {
    /// Export one office's send or receive register for one year.
    Export {
        #[arg(long)]
        office: String,
        /// B.E. year (2564).
        #[arg(long)]
        year: i32,
        /// send or receive.
        #[arg(long, default_value = "send")]
        kind: String,
        /// csv, xlsx or pdf.
        #[arg(long, default_value = "csv")]
        format: String,
        /// Where to write; standard output when absent.
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
}

pub fn register(db: &DbArgs, cmd: RegisterCommand) -> anyhow::Result<ExitCode> {
    let RegisterCommand::Export {
        office: who,
        year,
        kind,
        format,
        out,
    } = cmd;
    let kind = RegisterKind::parse(&kind)?;
    let format = Format::parse(&format)?;
    if !(2400..=2999).contains(&year) {
        anyhow::bail!("ปีต้องเป็นปีพุทธศักราช เช่น 2564 (the year must be B.E., e.g. 2564)");
    }
    let bytes = db.run(|store| async move {
        let o = office(&store, &who).await?;
        let rows = registers::rows(&store, o.id, year, kind, None).await?;
        Ok(match format {
            Format::Csv => registers::to_csv(&rows, o.fields.digits),
            Format::Xlsx => registers::to_xlsx(&rows, &o, kind, year)?,
            Format::Pdf => {
                let renderer = saraban::render::Renderer::new(&[])?;
                registers::to_pdf(&rows, &o, kind, year, &renderer)?
            }
        })
    })?;
    write_out(out.as_deref(), &bytes)
}

fn write_out(out: Option<&std::path::Path>, bytes: &[u8]) -> anyhow::Result<ExitCode> {
    use std::io::Write;
    match out {
        Some(path) => std::fs::write(path, bytes)
            .with_context(|| format!("เขียนไฟล์ไม่ได้ (cannot write) {}", path.display()))?,
        None => std::io::stdout().write_all(bytes)?,
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the whole chain (the first edited, inserted or deleted event)
    /// and every row against it (rows changed, added or removed outside saraban).
    Verify {
        /// A head hash recorded earlier (`audit head`, `backup`): it must be in the chain.
        #[arg(long, visible_alias = "head")]
        expect: Option<String>,
    },
    /// Print the number of events and the chain's head hash, to keep elsewhere.
    Head,
}

pub fn audit(db: &DbArgs, cmd: AuditCommand) -> anyhow::Result<ExitCode> {
    db.run(|store| async move {
        match cmd {
            AuditCommand::Head => {
                let (n, hash) = audit::head(&store).await?;
                println!("{n}\t{hash}");
                Ok(ExitCode::SUCCESS)
            }
            AuditCommand::Verify { expect } => {
                let v = audit::verify(&store, expect.as_deref()).await?;
                if v.is_clean() {
                    println!(
                        "ตรวจแล้วถูกต้อง {} เหตุการณ์ (chain and rows verified: {} events, head {})",
                        v.events, v.events, v.head
                    );
                    return Ok(ExitCode::SUCCESS);
                }
                if let Some(p) = &v.problem {
                    eprintln!("saraban: {p}");
                }
                for r in &v.rows {
                    eprintln!("saraban: {r}");
                }
                Ok(ExitCode::FAILURE)
            }
        }
    })
}

pub fn migrate(db: &DbArgs) -> anyhow::Result<ExitCode> {
    db.run(|_| async { Ok(()) })?;
    println!("ฐานข้อมูลเป็นรุ่นล่าสุดแล้ว (database is up to date)");
    Ok(ExitCode::SUCCESS)
}

pub fn backup_cmd(db: &DbArgs, file: PathBuf) -> anyhow::Result<ExitCode> {
    db.run(|store| async move {
        let (events, head) = backup::backup(&store, &file).await?;
        println!("สำรองไว้ที่ {} (backed up)", file.display());
        println!(
            "หัวห่วงโซ่ {events} เหตุการณ์ {head} เก็บไว้ที่อื่นแล้วตรวจด้วย audit verify --expect \
             (audit head: {events} events, {head}; keep it elsewhere)"
        );
        Ok(ExitCode::SUCCESS)
    })
}

pub fn restore_cmd(db: &DbArgs, file: PathBuf) -> anyhow::Result<ExitCode> {
    let url = saraban::store::database_url(&db.database);
    if url.starts_with("postgres") {
        anyhow::bail!("PostgreSQL กู้คืนด้วย pg_restore (for PostgreSQL use pg_restore)");
    }
    let target = PathBuf::from(
        url.trim_start_matches("sqlite://")
            .split('?')
            .next()
            .unwrap_or_default(),
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let verdict = runtime.block_on(backup::restore(&file, &target))?;
    println!(
        "กู้คืน {} แล้ว บันทึกการแก้ไข {} เหตุการณ์ถูกต้อง (restored; audit chain of {} events verified)",
        target.display(),
        verdict.events,
        verdict.events
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Subcommand)]
pub enum DocCommand {
    /// Store a document (rendering JSON, as in examples/) as a draft.
    Create {
        #[arg(long)]
        office: String,
        file: PathBuf,
    },
    /// Show a stored document's state and fields.
    Show { id: i64 },
    /// Number a draft in its series (or --series).
    Number {
        id: i64,
        #[arg(long)]
        series: Option<String>,
        /// ถึง, for the send register.
        #[arg(long, default_value = "")]
        to: String,
    },
    /// Mark a numbered document sent.
    Send { id: i64 },
    /// Cancel a document; its number stays in the register as ยกเลิก.
    Cancel {
        id: i64,
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Write the official copy (rendered once, then always the stored bytes).
    Official {
        id: i64,
        #[arg(long, short)]
        out: PathBuf,
    },
    /// Attach a file.
    Attach { id: i64, file: PathBuf },
}

pub fn doc(db: &DbArgs, cmd: DocCommand) -> anyhow::Result<ExitCode> {
    db.run(|store| async move {
        let actor = Actor::cli();
        let show = |d: &documents::Stored| {
            println!(
                "#{}\t{}\t{}\t{}\t{}",
                d.id,
                d.state.thai(),
                d.number.as_deref().unwrap_or("-"),
                d.date.map(|x| x.to_string()).unwrap_or_default(),
                d.subject
            )
        };
        match cmd {
            DocCommand::Create { office: who, file } => {
                let o = office(&store, &who).await?;
                let text = std::fs::read_to_string(&file)
                    .with_context(|| format!("อ่านไฟล์ไม่ได้ (cannot read) {}", file.display()))?;
                let doc = saraban::model::Document::from_json(&text)?;
                show(&documents::create_draft(&store, &actor, &o, &doc).await?);
            }
            DocCommand::Show { id } => {
                let d = documents::get(&store, id).await?;
                println!("{}", serde_json::to_string_pretty(&d)?);
            }
            DocCommand::Number { id, series, to } => {
                let series = series
                    .map(|s| saraban::store::numbering::Series::parse(&s))
                    .transpose()?;
                let (d, issued) =
                    documents::number(&store, &actor, chrono::Utc::now(), id, series, &to).await?;
                println!("{}", issued.printed);
                show(&d);
            }
            DocCommand::Send { id } => show(&documents::mark_sent(&store, &actor, id).await?),
            DocCommand::Cancel { id, reason } => {
                show(&documents::cancel(&store, &actor, chrono::Utc::now(), id, &reason).await?)
            }
            DocCommand::Official { id, out } => {
                let renderer = saraban::render::Renderer::new(&[])?;
                let (pdf, sha) = documents::official_copy(&store, &actor, id, |doc| {
                    renderer
                        .render_pdf(doc, &saraban::render::RenderOptions::default())
                        .map_err(|e| e.to_string())
                })
                .await?;
                std::fs::write(&out, &pdf)?;
                println!("{}\tsha256:{sha}", out.display());
            }
            DocCommand::Attach { id, file } => {
                let bytes = std::fs::read(&file)
                    .with_context(|| format!("อ่านไฟล์ไม่ได้ (cannot read) {}", file.display()))?;
                let name = file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let media = if name.to_lowercase().ends_with(".pdf") {
                    "application/pdf"
                } else {
                    "application/octet-stream"
                };
                let a = documents::attach(&store, &actor, id, &name, media, &bytes).await?;
                println!(
                    "#{}\t{}\t{} bytes\tsha256:{}",
                    a.id, a.name, a.size, a.sha256
                );
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
