//! `saraban number …`: document numbers.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use saraban::docnum::DocNumber;
use saraban::thai::Digits;
use serde::Serialize;

use super::db::DbArgs;
use super::each;
use saraban::app::Series;
use saraban::app::admin::{Entry, Operator, Taken};

fn issue(db: &DbArgs, a: IssueArgs) -> anyhow::Result<ExitCode> {
    let doc_date = saraban::app::input::optional_date("doc-date", a.doc_date.as_deref())?;
    db.run(|app| async move {
        let caller = app.act_as(&Operator::from_env(), &a.series.office).await?;
        let series = Series::parse(&a.series.series)?;
        let entry = Entry {
            subject: a.subject.clone(),
            to: a.to.clone(),
            from: a.from.clone(),
            doc_number: a.doc_number.clone(),
            doc_date,
            ..Entry::default()
        };
        for _ in 0..a.count.max(1) {
            let issued = app.issue_number(&caller, series, &entry).await?;
            if a.json {
                println!("{}", serde_json::to_string(&issued)?);
            } else {
                println!("{}", issued.printed);
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

#[derive(Debug, Subcommand)]
pub enum NumberCommand {
    /// Parse document numbers as printed (`มท ๐๘๑๐.๗/ว ๒๑๓๕`) into their parts.
    Parse(ParseArgs),
    /// Issue the next number of a series, writing its register row; prints
    /// it as printed on paper (`มท ๐๘๑๐.๗/ว ๒๑๓๖`).
    Issue(IssueArgs),
    /// Show the next number of a series without issuing it.
    Peek(SeriesArgs),
    /// Set aside a block of numbers for a batch (used or cancelled whole).
    Reserve {
        #[command(flatten)]
        series: SeriesArgs,
        #[arg(long)]
        count: i64,
        #[arg(long)]
        subject: String,
    },
    /// Cancel an issued number: it stays in the register as ยกเลิก.
    Cancel {
        #[command(flatten)]
        series: SeriesArgs,
        /// B.E. year of the series.
        #[arg(long)]
        year: i32,
        #[arg(long)]
        seq: i64,
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Cancel a whole reservation (its batch name, as `reserve` printed it).
    CancelReservation {
        batch: String,
        #[arg(long, default_value = "")]
        reason: String,
    },
}

#[derive(Debug, Args)]
pub struct SeriesArgs {
    /// The office: its code (`มท 0810.7`), `#id` or exact name.
    #[arg(long)]
    office: String,
    /// normal, circular (ว), order, announcement or receive.
    #[arg(long, default_value = "normal")]
    series: String,
}

#[derive(Debug, Args)]
pub struct IssueArgs {
    #[command(flatten)]
    series: SeriesArgs,
    /// เรื่อง
    #[arg(long)]
    subject: String,
    /// ถึง
    #[arg(long, default_value = "")]
    to: String,
    /// จาก (the sender, for the receive register)
    #[arg(long, default_value = "")]
    from: String,
    /// ที่ of a received letter
    #[arg(long)]
    doc_number: Option<String>,
    /// ลงวันที่ of the letter (`21 พ.ค. 2567`, `2024-05-21` …)
    #[arg(long)]
    doc_date: Option<String>,
    /// Issue this many numbers one after another (each its own transaction).
    #[arg(long, default_value_t = 1)]
    count: u32,
    /// One JSON object per number.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct ParseArgs {
    values: Vec<String>,
    /// One JSON object per line.
    #[arg(long)]
    json: bool,
    /// Print the canonical form with Arabic digits.
    #[arg(long)]
    arabic: bool,
}

/// The JSON shape of a parsed number (field order is part of the output).
#[derive(Serialize)]
struct Parsed<'a> {
    agency: &'a Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub_agency: &'a Option<String>,
    unit: &'a Option<String>,
    circular: bool,
    seq: u32,
    year_be: Option<u16>,
    canonical: String,
}

pub fn run(cmd: NumberCommand, db: &DbArgs) -> anyhow::Result<ExitCode> {
    match cmd {
        NumberCommand::Issue(a) => issue(db, a),
        NumberCommand::Peek(a) => db.run(|app| async move {
            let caller = app.act_as(&Operator::from_env(), &a.office).await?;
            let (_, _, printed) = app.peek_number(&caller, Series::parse(&a.series)?).await?;
            println!("{printed}");
            Ok(ExitCode::SUCCESS)
        }),
        NumberCommand::Reserve {
            series,
            count,
            subject,
        } => db.run(|app| async move {
            let caller = app.act_as(&Operator::from_env(), &series.office).await?;
            let s = Series::parse(&series.series)?;
            let r = app.reserve_numbers(&caller, s, count, &subject).await?;
            let d = caller.office.fields.digits;
            println!(
                "{}\t{}–{}",
                r.batch,
                d.apply(&r.first.to_string()),
                d.apply(&r.last.to_string())
            );
            Ok(ExitCode::SUCCESS)
        }),
        NumberCommand::Cancel {
            series,
            year,
            seq,
            reason,
        } => db.run(|app| async move {
            let caller = app.act_as(&Operator::from_env(), &series.office).await?;
            let s = Series::parse(&series.series)?;
            let taken = Taken {
                series: s,
                year_be: year,
                seq,
            };
            app.cancel_number(&caller, taken, &reason).await?;
            println!("ยกเลิกเลข {seq} ปี {year} แล้ว (cancelled)");
            Ok(ExitCode::SUCCESS)
        }),
        NumberCommand::CancelReservation { batch, reason } => db.run(|app| async move {
            let n = app
                .cancel_reservation(&Operator::from_env(), &batch, &reason)
                .await?;
            println!("ยกเลิก {n} เลข (cancelled {n} numbers)");
            Ok(ExitCode::SUCCESS)
        }),
        NumberCommand::Parse(a) => {
            let digits = if a.arabic {
                Digits::Arabic
            } else {
                Digits::Thai
            };
            each(&a.values, |v| {
                let n = DocNumber::parse(v).map_err(|e| e.to_string())?;
                let canonical = n.format(digits);
                if !a.json {
                    return Ok(canonical);
                }
                let parsed = Parsed {
                    agency: &n.agency,
                    sub_agency: &n.sub_agency,
                    unit: &n.unit,
                    circular: n.circular,
                    seq: n.seq,
                    year_be: n.year_be,
                    canonical,
                };
                serde_json::to_string(&parsed).map_err(|e| e.to_string())
            })
        }
    }
}
