//! `saraban dispatch | receive | forward | ack | return | track`: moving a
//! circular down the chain, each step acting as one office, so operators can
//! script the whole flow.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::Utc;
use clap::Args;

use saraban::docnum::DocNumber;
use saraban::store::offices::Office;
use saraban::store::routing::{self, Delivery};
use saraban::store::tracking::{self, TrackNode, Tracking};
use saraban::store::{Actor, Store, bangkok_date, documents};
use saraban::thai::{self, DateStyle, Digits, format_date};

use super::db::{DbArgs, office};

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
    async fn resolve(&self, store: &Store) -> anyhow::Result<(Office, Actor)> {
        let o = office(store, &self.office).await?;
        Ok((o, Actor(format!("{}@{}", self.user, self.office))))
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

fn id_of(text: &str) -> Option<i64> {
    text.trim().trim_start_matches('#').parse().ok()
}

fn date_arg(text: &str) -> anyhow::Result<chrono::NaiveDate> {
    Ok(text
        .parse::<chrono::NaiveDate>()
        .or_else(|_| thai::parse_date(text))?)
}

async fn document_id(store: &Store, text: &str, office: Option<&Office>) -> anyhow::Result<i64> {
    if let Some(id) = id_of(text) {
        return Ok(id);
    }
    let number = DocNumber::parse(text)?;
    let found = documents::find_by_number(store, &number, office.map(|o| o.id)).await?;
    match found.first() {
        Some(d) => Ok(d.id),
        None => anyhow::bail!(
            "ไม่พบหนังสือเลขที่ {number} (no document numbered {})",
            number.key()
        ),
    }
}

async fn delivery_id(store: &Store, acting: &Office, text: &str) -> anyhow::Result<i64> {
    if let Some(id) = id_of(text) {
        return Ok(id);
    }
    let number = DocNumber::parse(text)?;
    match routing::find_for(store, acting, &number).await?.first() {
        Some(d) => Ok(d.id),
        None => anyhow::bail!(
            "{} ไม่ได้รับหนังสือเลขที่ {number} ({} has received no letter {})",
            acting.fields.name,
            acting.fields.name,
            number.key()
        ),
    }
}

fn say(d: &Delivery, what: &str) {
    println!("รายการ #{} {what} ({})", d.id, d.state.thai());
}

pub fn dispatch(db: &DbArgs, args: DispatchArgs) -> anyhow::Result<ExitCode> {
    let deadline = args.deadline.as_deref().map(date_arg).transpose()?;
    db.run(|store| async move {
        let (acting, actor) = args.acting.resolve(&store).await?;
        let doc = document_id(&store, &args.document, Some(&acting)).await?;
        let to = routing::recipients(&store, &acting, &args.to).await?;
        let sent =
            routing::dispatch(&store, &actor, Utc::now(), &acting, doc, &to, deadline).await?;
        println!(
            "ส่งแล้ว {} รายการ (sent to {} offices)",
            sent.len(),
            sent.len()
        );
        if args.relay {
            let made = routing::relay_down(&store, &actor, Utc::now(), &sent).await?;
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
            personalise_all(&store, &actor, &acting, doc, url).await?;
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// Renders the personal letters with a progress line on stderr.
async fn personalise_all(
    store: &Store,
    actor: &Actor,
    acting: &Office,
    doc: i64,
    url: &str,
) -> anyhow::Result<()> {
    use std::io::Write;
    let renderer = saraban::render::Renderer::new(&[])?;
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
    let made = saraban::store::personalise::personalise(
        store,
        actor,
        Utc::now(),
        acting,
        doc,
        url,
        &renderer,
        &progress,
    )
    .await?;
    eprintln!();
    println!("ทำหนังสือรายบุคคลแล้ว {made} ฉบับ (made {made} personal letters)");
    Ok(())
}

pub fn personalise(db: &DbArgs, args: PersonaliseArgs) -> anyhow::Result<ExitCode> {
    db.run(|store| async move {
        let (acting, actor) = args.acting.resolve(&store).await?;
        let doc = document_id(&store, &args.document, Some(&acting)).await?;
        personalise_all(&store, &actor, &acting, doc, &args.url).await?;
        Ok(ExitCode::SUCCESS)
    })
}

pub fn receive(db: &DbArgs, args: DeliveryArgs) -> anyhow::Result<ExitCode> {
    db.run(|store| async move {
        let (acting, actor) = args.acting.resolve(&store).await?;
        let id = delivery_id(&store, &acting, &args.delivery).await?;
        let d = routing::receive(&store, &actor, Utc::now(), &acting, id).await?;
        say(&d, "ลงทะเบียนรับแล้ว");
        Ok(ExitCode::SUCCESS)
    })
}

pub fn ack(db: &DbArgs, args: DeliveryArgs) -> anyhow::Result<ExitCode> {
    db.run(|store| async move {
        let (acting, actor) = args.acting.resolve(&store).await?;
        let id = delivery_id(&store, &acting, &args.delivery).await?;
        let d = routing::acknowledge(&store, &actor, Utc::now(), &acting, id).await?;
        say(&d, "รับทราบแล้ว");
        Ok(ExitCode::SUCCESS)
    })
}

pub fn return_cmd(db: &DbArgs, args: ReturnArgs) -> anyhow::Result<ExitCode> {
    db.run(|store| async move {
        let (acting, actor) = args.delivery.acting.resolve(&store).await?;
        let id = delivery_id(&store, &acting, &args.delivery.delivery).await?;
        let d = routing::return_to_sender(&store, &actor, Utc::now(), &acting, id, &args.reason)
            .await?;
        say(&d, "ตีกลับแล้ว");
        Ok(ExitCode::SUCCESS)
    })
}

pub fn forward(db: &DbArgs, args: ForwardArgs) -> anyhow::Result<ExitCode> {
    db.run(|store| async move {
        let (acting, actor) = args.delivery.acting.resolve(&store).await?;
        let id = delivery_id(&store, &acting, &args.delivery.delivery).await?;
        let to = match &args.to {
            Some(spec) => Some(routing::recipients(&store, &acting, spec).await?),
            None => None,
        };
        let now = Utc::now();
        if args.draft {
            let to = match to {
                Some(to) => to,
                None => routing::recipients(&store, &acting, "next").await?,
            };
            let draft = routing::draft_forward(&store, &actor, now, &acting, id, &to).await?;
            println!(
                "ร่างหนังสือนำส่ง #{} แล้ว แก้ไขได้ด้วย saraban doc แล้วส่งด้วย saraban forward {} --as {} --cover {} (draft #{} ready)",
                draft.id, args.delivery.delivery, args.delivery.acting.office, draft.id, draft.id
            );
            return Ok(ExitCode::SUCCESS);
        }
        let done = match &args.cover {
            Some(cover) => {
                let cover = id_of(cover).ok_or_else(|| anyhow::anyhow!("--cover takes a document #id"))?;
                let to = match to {
                    Some(to) => to,
                    None => routing::recipients(&store, &acting, "next").await?,
                };
                routing::forward_draft(&store, &actor, now, &acting, id, cover, &to).await?
            }
            None => routing::forward(&store, &actor, now, &acting, id, to.as_deref()).await?,
        };
        let number = done
            .cover
            .number
            .as_deref()
            .and_then(|n| DocNumber::parse(n).ok())
            .map(|n| n.format(acting.fields.digits))
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
    let today = bangkok_date(Utc::now());
    let (bytes, text) = db.run(|store| async move {
        let doc = document_id(&store, &args.document, None).await?;
        let t = tracking::track(&store, doc, today).await?;
        let bytes = match args.format.as_deref() {
            Some("csv") => Some(tracking::to_csv(&t)),
            Some("xlsx") => Some(tracking::to_xlsx(&t)?),
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
