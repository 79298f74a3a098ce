//! Registry commands: `migrate`, `orgs`, `register`, `audit`, `backup`,
//! `restore`, `doc`. Each opens the database named by `--database` (or
//! `DATABASE_URL`; default `saraban.db`), applying migrations first, and
//! acts through the application layer as the operator.

use std::future::Future;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use saraban::app::admin::{self, Loaded, Operator};
use saraban::app::registers::{export_format, register_kind};
use saraban::app::{App, DocumentId, Stored};

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
    /// Opens the application (migrating the database) and runs `f` on a
    /// Tokio runtime.
    pub fn run<T, F, Fut>(&self, f: F) -> anyhow::Result<T>
    where
        F: FnOnce(App) -> Fut,
        Fut: Future<Output = anyhow::Result<T>>,
    {
        self.run_with_fonts(&[], f)
    }

    /// The same, with an agency's own fonts for anything rendered.
    pub fn run_with_fonts<T, F, Fut>(&self, fonts: &[&std::path::Path], f: F) -> anyhow::Result<T>
    where
        F: FnOnce(App) -> Fut,
        Fut: Future<Output = anyhow::Result<T>>,
    {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        runtime.block_on(async {
            let app = App::open(&self.database, fonts).await?;
            let out = f(app.clone()).await;
            app.close().await;
            out
        })
    }
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
    /// Install the office's signing key and certificate (a PKCS #12 file);
    /// its password comes from SARABAN_SIGNING_PASSWORD or the file named
    /// by SARABAN_SIGNING_PASSWORD_FILE, never from the database.
    Certificate {
        /// The office (code, name or #id).
        office: String,
        /// The .p12 / .pfx file.
        file: PathBuf,
    },
}

pub fn orgs(db: &DbArgs, cmd: OrgsCommand) -> anyhow::Result<ExitCode> {
    if let OrgsCommand::Generate = cmd {
        print!("{}", admin::synthetic_offices_csv());
        return Ok(ExitCode::SUCCESS);
    }
    db.run(|app| async move {
        let op = Operator::from_env();
        match cmd {
            OrgsCommand::List { under, json } => {
                for o in app.offices_under(under.as_deref()).await? {
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
                let r = app.import_offices(&op, f).await?;
                println!(
                    "เพิ่ม {} แห่ง, ปรับปรุง {} แห่ง, คงเดิม {} แห่ง, สร้างอำเภอใหม่ {} แห่ง (inserted {}, updated {}, unchanged {}, districts created {})",
                    r.inserted, r.updated, r.unchanged, r.districts_created,
                    r.inserted, r.updated, r.unchanged, r.districts_created
                );
            }
            OrgsCommand::Demo => match app.load_demo(&op).await? {
                Loaded::AlreadyPresent => {
                    println!("ฐานข้อมูลมีส่วนราชการอยู่แล้ว ไม่ได้เพิ่มข้อมูลตัวอย่าง (offices already present; nothing added)")
                }
                Loaded::Offices(n) => println!("เพิ่มส่วนราชการตัวอย่าง {n} แห่ง (added {n} demo offices)"),
            },
            OrgsCommand::Count => {
                for (kind, n) in app.count_offices().await? {
                    println!("{}\t{n}", kind.thai());
                }
            }
            OrgsCommand::Certificate { office: who, file } => {
                let bytes = std::fs::read(&file)
                    .with_context(|| format!("อ่านไฟล์ไม่ได้ (cannot read) {}", file.display()))?;
                let subject = app.install_key(&op, &who, &bytes).await?;
                println!("ติดตั้งกุญแจลงนามแล้ว (signing key installed): {subject}");
            }
            OrgsCommand::Code { office: who, code } => {
                let o = app.set_office_code(&op, &who, &code).await?;
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
    let kind = register_kind(&kind)?;
    let format = export_format(&format)?;
    if !(2400..=2999).contains(&year) {
        anyhow::bail!("ปีต้องเป็นปีพุทธศักราช เช่น 2564 (the year must be B.E., e.g. 2564)");
    }
    let bytes = db.run(|app| async move {
        let caller = app.act_as(&Operator::from_env(), &who).await?;
        Ok(app
            .register_export(&caller, kind, year, format)
            .await?
            .bytes)
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
    db.run(|app| async move {
        match cmd {
            AuditCommand::Head => {
                let (n, hash) = app.audit_head().await?;
                println!("{n}\t{hash}");
                Ok(ExitCode::SUCCESS)
            }
            AuditCommand::Verify { expect } => {
                let v = app.audit_verify(expect.as_deref()).await?;
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
    db.run(|app| async move {
        let (events, head) = app.backup(&file).await?;
        println!("สำรองไว้ที่ {} (backed up)", file.display());
        println!(
            "หัวห่วงโซ่ {events} เหตุการณ์ {head} เก็บไว้ที่อื่นแล้วตรวจด้วย audit verify --expect \
             (audit head: {events} events, {head}; keep it elsewhere)"
        );
        Ok(ExitCode::SUCCESS)
    })
}

pub fn restore_cmd(db: &DbArgs, file: PathBuf) -> anyhow::Result<ExitCode> {
    let Some(target) = admin::sqlite_file(&db.database) else {
        anyhow::bail!("PostgreSQL กู้คืนด้วย pg_restore (for PostgreSQL use pg_restore)");
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let verdict = runtime.block_on(admin::restore(&file, &target))?;
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
        /// The letter's date (B.E. or C.E.); by default today.
        #[arg(long)]
        date: Option<String>,
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
    /// Start a replacement (ฉบับแทนที่) of a numbered document: a new draft
    /// that records the replacement when it is numbered.
    Replace { id: i64 },
}

pub fn doc(db: &DbArgs, cmd: DocCommand) -> anyhow::Result<ExitCode> {
    db.run(|app| async move {
        let op = Operator::from_env();
        let show = |d: &Stored| {
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
                let caller = app.act_as(&op, &who).await?;
                let text = std::fs::read_to_string(&file)
                    .with_context(|| format!("อ่านไฟล์ไม่ได้ (cannot read) {}", file.display()))?;
                let doc = saraban::model::Document::from_json(&text)?;
                show(&app.operator_create(&caller, &doc).await?);
            }
            DocCommand::Show { id } => {
                let caller = app.act_for_document(&op, DocumentId(id)).await?;
                let d = app.document(&caller, DocumentId(id)).await?;
                println!("{}", serde_json::to_string_pretty(&d)?);
            }
            DocCommand::Number {
                id,
                series,
                to,
                date,
            } => {
                let caller = app.act_for_document(&op, DocumentId(id)).await?;
                let req = saraban::app::documents::NumberRequest {
                    series,
                    to: Some(to),
                    date,
                };
                let (d, printed) = app.number(&caller, DocumentId(id), &req).await?;
                println!("{printed}");
                show(&d);
            }
            DocCommand::Send { id } => {
                let caller = app.act_for_document(&op, DocumentId(id)).await?;
                show(&app.mark_sent(&caller, DocumentId(id)).await?)
            }
            DocCommand::Cancel { id, reason } => {
                let caller = app.act_for_document(&op, DocumentId(id)).await?;
                show(&app.cancel(&caller, DocumentId(id), &reason).await?)
            }
            DocCommand::Official { id, out } => {
                let caller = app.act_for_document(&op, DocumentId(id)).await?;
                let (pdf, sha) = app.official(&caller, DocumentId(id)).await?;
                std::fs::write(&out, &pdf)?;
                println!("{}\tsha256:{sha}", out.display());
            }
            DocCommand::Replace { id } => {
                let caller = app.act_for_document(&op, DocumentId(id)).await?;
                show(&app.replace(&caller, DocumentId(id)).await?)
            }
            DocCommand::Attach { id, file } => {
                let caller = app.act_for_document(&op, DocumentId(id)).await?;
                let bytes = std::fs::read(&file)
                    .with_context(|| format!("อ่านไฟล์ไม่ได้ (cannot read) {}", file.display()))?;
                let name = file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let a = app
                    .attach_file(&caller, DocumentId(id), &name, &bytes)
                    .await?;
                println!(
                    "#{}\t{}\t{} bytes\tsha256:{}",
                    a.id, a.name, a.size, a.sha256
                );
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// `saraban verify FILE.pdf …`: one line per file; exits non-zero when any
/// is not a valid official copy, saying why.
pub fn verify(db: &DbArgs, files: Vec<PathBuf>) -> anyhow::Result<ExitCode> {
    db.run(|app| async move {
        let mut all_good = true;
        for file in &files {
            let bytes = std::fs::read(file)
                .with_context(|| format!("อ่านไฟล์ไม่ได้ (cannot read) {}", file.display()))?;
            match app.verify_file(&bytes).await? {
                Ok(number) => println!(
                    "{}: ฉบับจริง หนังสือที่ {} (official copy of {number})",
                    file.display(),
                    saraban::thai::to_thai_digits(&number)
                ),
                Err(why) => {
                    all_good = false;
                    let (th, en) = why.messages();
                    eprintln!("{}: {th} ({en})", file.display());
                }
            }
        }
        Ok(if all_good {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        })
    })
}
