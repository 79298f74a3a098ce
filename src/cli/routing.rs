//! `saraban dispatch | receive | forward | ack | return | track`: moving a
//! circular down the chain, each step acting as one office, so operators can
//! script the whole flow.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use saraban::app::admin::Operator;
use saraban::app::deliveries::{DispatchRequest, ForwardRequest, Step};
use saraban::app::{App, Caller, Delivery, DocumentId, TrackNode, Tracking};
use saraban::docnum::DocNumber;
use saraban::thai::{DateStyle, Digits, format_date};

use super::db::DbArgs;

/// Who acts: the office, and the user's name for the record.
#[derive(Debug, Args)]
pub struct Acting {
    /// The office acting (code, name or #id).
    #[arg(long = "as", value_name = "OFFICE")]
    office: String,
    /// The user's name, recorded with every step.
    #[arg(long, default_value = "cli")]
    user: String,
}

impl Acting {
    /// The operator acting as the office, recorded as `cli:USER@OFFICE`.
    async fn resolve(&self, app: &App) -> anyhow::Result<Caller> {
        let op = Operator::named(&format!("{}@{}", self.user, self.office));
        Ok(app.act_as(&op, &self.office).await?)
    }
}

#[derive(Debug, Args)]
pub struct DispatchArgs {
    /// The numbered letter: its number (`มท ๐๘๑๐.๗/ว ๒๑๓๕`) or #id.
    document: String,
    #[command(flatten)]
    acting: Acting,
    /// Recipients: offices (comma-separated) or groups: provinces, all-laos,
    /// districts[:OFFICE], laos[:OFFICE], next.
    #[arg(long)]
    to: String,
    /// Deadline for the recipients (else the letter's own `ภายในวันที่ …`).
    #[arg(long)]
    deadline: Option<String>,
    /// Render a personal letter for each recipient: its own addressee, and
    /// on the QR response form this link with the recipient's `{token}`.
    #[arg(long, value_name = "URL")]
    personalise: Option<String>,
    /// Relay it down every level at once: each recipient with offices
    /// below receives it and forwards it with its own numbered cover
    /// letter, and so on down to the local organisations (a national run).
    #[arg(long, conflicts_with = "personalise")]
    relay: bool,
    /// Also send it by e-mail, from the office's mailbox, to every
    /// recipient with an address (offices outside saraban always get it
    /// by e-mail). Secret letters are refused.
    #[arg(long, conflicts_with = "relay")]
    by_email: bool,
}

#[derive(Debug, Args)]
pub struct PersonaliseArgs {
    /// The dispatched letter: its number or #id.
    document: String,
    #[command(flatten)]
    acting: Acting,
    /// The response-form link, with `{token}` where each recipient's code goes.
    #[arg(long, value_name = "URL")]
    url: String,
}

#[derive(Debug, Args)]
pub struct DeliveryArgs {
    /// The delivery: the letter's number as received, or the delivery #id.
    delivery: String,
    #[command(flatten)]
    acting: Acting,
}

#[derive(Debug, Args)]
pub struct ForwardArgs {
    #[command(flatten)]
    delivery: DeliveryArgs,
    /// Recipients (default: every office one level down).
    #[arg(long)]
    to: Option<String>,
    /// Only draft the cover letter, to edit before sending with --cover.
    #[arg(long)]
    draft: bool,
    /// Send this (edited) cover letter, by #id.
    #[arg(long, conflicts_with = "draft")]
    cover: Option<String>,
    /// Also by e-mail to every recipient with an address (offices outside
    /// saraban always get it by e-mail).
    #[arg(long, conflicts_with = "draft")]
    by_email: bool,
}

#[derive(Debug, Args)]
pub struct ReturnArgs {
    #[command(flatten)]
    delivery: DeliveryArgs,
    /// Why the letter goes back (required).
    #[arg(long)]
    reason: String,
}

#[derive(Debug, Args)]
pub struct TrackArgs {
    /// The letter: its number or #id (the first letter or any cover letter).
    document: String,
    /// Print the whole tree.
    #[arg(long)]
    tree: bool,
    /// List who has not acted, overdue first.
    #[arg(long)]
    pending: bool,
    /// Export every delivery: csv or xlsx (with -o).
    #[arg(long)]
    format: Option<String>,
    #[arg(short, long)]
    out: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

fn say(d: &Delivery, what: &str) {
    println!("รายการ #{} {what} ({})", d.id, d.state.thai());
}

pub fn dispatch(db: &DbArgs, args: DispatchArgs) -> anyhow::Result<ExitCode> {
    db.run(|app| async move {
        let caller = args.acting.resolve(&app).await?;
        let doc = app.document_id(Some(&caller), &args.document).await?;
        let req = DispatchRequest {
            to: args.to.clone(),
            deadline: args.deadline.clone(),
            by_email: args.by_email,
        };
        let sent = app.dispatch(&caller, doc, &req).await?;
        println!(
            "ส่งแล้ว {} รายการ (sent to {} offices)",
            sent.len(),
            sent.len()
        );
        if args.relay {
            let made = app.relay(&caller, &sent).await?;
            let covers: std::collections::BTreeSet<i64> =
                made.iter().map(|d| d.document_id).collect();
            println!(
                "ส่งต่อทอดแล้ว {} รายการ ด้วยหนังสือนำส่ง {} ฉบับ (relayed: {} deliveries under {} cover letters)",
                made.len(),
                covers.len(),
                made.len(),
                covers.len()
            );
        }
        if let Some(url) = &args.personalise {
            personalise_all(&app, &caller, doc, url).await?;
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// Renders the personal letters with a progress line on stderr.
async fn personalise_all(
    app: &App,
    caller: &Caller,
    doc: DocumentId,
    url: &str,
) -> anyhow::Result<()> {
    use std::io::Write;
    let start = std::time::Instant::now();
    let progress = |done: usize, total: usize| {
        let width = 30;
        let filled = done * width / total.max(1);
        let _ = write!(
            std::io::stderr(),
            "\rหนังสือรายบุคคล [{}{}] {done}/{total} ({:.0} ฉบับ/วินาที)",
            "#".repeat(filled),
            "-".repeat(width - filled),
            done as f64 / start.elapsed().as_secs_f64().max(0.001)
        );
    };
    let made = app.personalise(caller, doc, url, &progress).await?;
    eprintln!();
    println!("ทำหนังสือรายบุคคลแล้ว {made} ฉบับ (made {made} personal letters)");
    Ok(())
}

pub fn personalise(db: &DbArgs, args: PersonaliseArgs) -> anyhow::Result<ExitCode> {
    db.run(|app| async move {
        let caller = args.acting.resolve(&app).await?;
        let doc = app.document_id(Some(&caller), &args.document).await?;
        personalise_all(&app, &caller, doc, &args.url).await?;
        Ok(ExitCode::SUCCESS)
    })
}

/// One step on a delivery to the acting office.
fn inbox_step(
    db: &DbArgs,
    args: &DeliveryArgs,
    step: Step<'_>,
    what: &str,
) -> anyhow::Result<ExitCode> {
    db.run(|app| async move {
        let caller = args.acting.resolve(&app).await?;
        let id = app.delivery_id(&caller, &args.delivery).await?;
        let d = app.inbox_step(&caller, id, step).await?;
        say(&d, what);
        Ok(ExitCode::SUCCESS)
    })
}

pub fn receive(db: &DbArgs, args: DeliveryArgs) -> anyhow::Result<ExitCode> {
    inbox_step(db, &args, Step::Receive, "ลงทะเบียนรับแล้ว")
}

pub fn ack(db: &DbArgs, args: DeliveryArgs) -> anyhow::Result<ExitCode> {
    inbox_step(db, &args, Step::Acknowledge, "รับทราบแล้ว")
}

pub fn return_cmd(db: &DbArgs, args: ReturnArgs) -> anyhow::Result<ExitCode> {
    inbox_step(db, &args.delivery, Step::Return(&args.reason), "ตีกลับแล้ว")
}

pub fn forward(db: &DbArgs, args: ForwardArgs) -> anyhow::Result<ExitCode> {
    db.run(|app| async move {
        let caller = args.delivery.acting.resolve(&app).await?;
        let id = app.delivery_id(&caller, &args.delivery.delivery).await?;
        if args.draft {
            let draft = app.draft_cover(&caller, id, args.to.as_deref()).await?;
            println!(
                "ร่างหนังสือนำส่ง #{} แล้ว แก้ไขได้ด้วย saraban doc แล้วส่งด้วย saraban forward {} --as {} --cover {} (draft #{} ready)",
                draft.id, args.delivery.delivery, args.delivery.acting.office, draft.id, draft.id
            );
            return Ok(ExitCode::SUCCESS);
        }
        let cover = match &args.cover {
            Some(text) => Some(app.document_id(Some(&caller), text).await?.0),
            None => None,
        };
        let req = ForwardRequest {
            to: args.to.clone(),
            cover,
            by_email: args.by_email,
        };
        let done = app.forward(&caller, id, &req).await?;
        let number = done
            .cover
            .number
            .as_deref()
            .and_then(|n| DocNumber::parse(n).ok())
            .map(|n| n.format(caller.office.fields.digits))
            .unwrap_or_default();
        println!(
            "ส่งต่อแล้ว ที่ {number} ถึง {} แห่ง (forwarded as {number} to {} offices)",
            done.deliveries.len(),
            done.deliveries.len()
        );
        Ok(ExitCode::SUCCESS)
    })
}

pub fn track(db: &DbArgs, args: TrackArgs) -> anyhow::Result<ExitCode> {
    let (bytes, text) = db.run(|app| async move {
        let doc = app.document_id(None, &args.document).await?;
        let caller = app.act_for_document(&Operator::from_env(), doc).await?;
        let t = app.tracking(&caller, doc).await?;
        let bytes = match args.format.as_deref() {
            Some("csv") => Some(saraban::app::tracking_csv(&t)),
            Some("xlsx") => Some(saraban::app::tracking_xlsx(&t)?),
            Some(other) => anyhow::bail!("รูปแบบ {other} ไม่รองรับ (use csv or xlsx)"),
            None => None,
        };
        let text = if args.json {
            serde_json::to_string_pretty(&t)?
        } else {
            report(&t, args.tree, args.pending)
        };
        Ok((bytes, text))
    })?;
    match (bytes, args.out) {
        (Some(bytes), Some(out)) => std::fs::write(out, bytes)?,
        (Some(bytes), None) => {
            use std::io::Write;
            std::io::stdout().write_all(&bytes)?;
        }
        (None, _) => print!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}

fn minutes(m: Option<i64>) -> String {
    match m {
        None => "-".into(),
        Some(m) if m < 60 => format!("{m} นาที"),
        Some(m) if m < 60 * 48 => format!("{:.1} ชม.", m as f64 / 60.0),
        Some(m) => format!("{:.1} วัน", m as f64 / 1440.0),
    }
}

fn report(t: &Tracking, tree: bool, pending: bool) -> String {
    let number = t
        .root
        .number
        .as_deref()
        .and_then(|n| DocNumber::parse(n).ok())
        .map(|n| n.to_string())
        .unwrap_or_default();
    let mut out = format!("ที่ {number}  {}\n", t.root.subject);
    for l in &t.levels {
        out.push_str(&format!(
            "ระดับ {} {}: ส่ง {} / ลงรับ {} / ส่งต่อ {} / รับทราบ {} / ตีกลับ {} / ยังไม่ดำเนินการ {} / เกินกำหนด {}  \
             (ลงรับ มัธยฐาน {} ช้าสุด {}; ดำเนินการ มัธยฐาน {} ช้าสุด {})\n",
            l.level,
            l.label,
            l.sent,
            l.received,
            l.forwarded,
            l.acknowledged,
            l.returned,
            l.pending,
            l.overdue,
            minutes(l.receive_minutes.median),
            minutes(l.receive_minutes.slowest),
            minutes(l.act_minutes.median),
            minutes(l.act_minutes.slowest),
        ));
    }
    if tree {
        out.push_str("ผังการส่ง (tree):\n");
        fn walk(nodes: &[TrackNode], depth: usize, out: &mut String) {
            for n in nodes {
                let due = n
                    .delivery
                    .deadline
                    .map(|d| format!(" กำหนด {}", format_date(d, DateStyle::Short, Digits::Thai)))
                    .unwrap_or_default();
                let late = if n.overdue {
                    " เกินกำหนด"
                } else {
                    ""
                };
                out.push_str(&format!(
                    "{}- {} [{}]{due}{late}\n",
                    "  ".repeat(depth),
                    n.office,
                    n.delivery.state.thai()
                ));
                walk(&n.children, depth + 1, out);
            }
        }
        walk(&t.tree, 1, &mut out);
    }
    if pending {
        out.push_str(&format!(
            "ยังไม่ดำเนินการ {} แห่ง (not acted):\n",
            t.pending.len()
        ));
        for n in &t.pending {
            let late = if n.overdue {
                " เกินกำหนด"
            } else {
                ""
            };
            out.push_str(&format!(
                "  {} [{}]{late}\n",
                n.office,
                n.delivery.state.thai()
            ));
        }
    }
    out
}
