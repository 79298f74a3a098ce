//! Command-line arguments (clap) and dispatch to the subcommands.
//!
//! Each subcommand prints one line per value given. Bad values are reported
//! on stderr, one line each, and make the command exit with status 1; the
//! good values are still printed.

mod codes;
mod db;
mod letters;
mod lint;
mod mail;
mod number;
mod parse;
mod render;
mod routing;
mod serve;
mod thai;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "saraban",
    version,
    about = "หนังสือราชการ: Thai government correspondence — registry, numbering, rendering, routing"
)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    db: db::DbArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web UI and JSON API (first start: demo data and accounts).
    Serve(serve::ServeArgs),
    /// Accounts: add users, list them, make API tokens, reset passwords.
    #[command(subcommand)]
    User(serve::UserCommand),
    /// Thai text rules: digits, dates, times, fiscal year, money in words.
    #[command(subcommand)]
    Thai(thai::ThaiCommand),
    /// Document numbers (เลขที่หนังสือ).
    #[command(subcommand)]
    Number(number::NumberCommand),
    /// Province and ministry letter codes (รหัสพยัญชนะ), looked up either way.
    Codes(codes::CodesArgs),
    /// Render a document (JSON) to PDF, with PNG previews and a line check.
    Render(render::RenderArgs),
    /// Read letters (text or PDF) into their fields: number, date, subject,
    /// references, deadlines, events, annexes.
    Parse(parse::ParseArgs),
    /// Proofread documents (JSON) or letters (text, PDF): weekdays, amounts,
    /// deadlines, numbers, spelling, digits, salutations (docs/lint.md).
    Lint(lint::LintArgs),
    /// Store letters read from text or PDF files, optionally as received.
    Import(letters::ImportArgs),
    /// Follow references: what a letter cites, what cites it, the thread.
    Refs(letters::RefsArgs),
    /// Send a numbered letter to offices or groups (provinces, districts, …).
    Dispatch(routing::DispatchArgs),
    /// Make (or finish making) the personal letters of a dispatched letter.
    Personalise(routing::PersonaliseArgs),
    /// Register a delivered letter as received (receive register).
    Receive(routing::DeliveryArgs),
    /// Forward a received letter down the chain with a cover letter.
    Forward(routing::ForwardArgs),
    /// Acknowledge (รับทราบ) a delivered letter.
    Ack(routing::DeliveryArgs),
    /// Return (ตีกลับ) a delivered letter to its sender, with a reason.
    Return(routing::ReturnArgs),
    /// Who has and has not acted on a letter, level by level.
    Track(routing::TrackArgs),
    /// Create or update the database's tables.
    Migrate,
    /// Offices: list, import from CSV, demo data, synthetic national list.
    #[command(subcommand)]
    Orgs(db::OrgsCommand),
    /// Stored documents: create, number, send, cancel, official copy, attach.
    #[command(subcommand)]
    Doc(db::DocCommand),
    /// Send and receive registers (ทะเบียนหนังสือส่ง / รับ).
    #[command(subcommand)]
    Register(db::RegisterCommand),
    /// The hash-chained audit log.
    #[command(subcommand)]
    Audit(db::AuditCommand),
    /// Copy the SQLite database while it is in use.
    Backup { file: std::path::PathBuf },
    /// Replace the SQLite database with a backup (stop `serve` first).
    Restore { file: std::path::PathBuf },
    /// The office's mailbox: set it up, fetch messages now, send digests.
    #[command(subcommand)]
    Mail(mail::MailCommand),
    /// Check PDFs someone holds: is each an official copy this saraban
    /// issued, unaltered, not cancelled or replaced, its signature valid?
    Verify {
        #[arg(required = true)]
        files: Vec<std::path::PathBuf>,
    },
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Serve(cmd) => serve::serve(&args.db, cmd),
        Command::User(cmd) => serve::user(&args.db, cmd),
        Command::Thai(cmd) => thai::run(cmd),
        Command::Number(cmd) => number::run(cmd, &args.db),
        Command::Codes(cmd) => codes::run(cmd),
        Command::Render(cmd) => render::run(cmd),
        Command::Parse(cmd) => parse::run(cmd),
        Command::Lint(cmd) => lint::run(&args.db, cmd),
        Command::Import(cmd) => letters::import(&args.db, cmd),
        Command::Dispatch(cmd) => routing::dispatch(&args.db, cmd),
        Command::Receive(cmd) => routing::receive(&args.db, cmd),
        Command::Personalise(cmd) => routing::personalise(&args.db, cmd),
        Command::Forward(cmd) => routing::forward(&args.db, cmd),
        Command::Ack(cmd) => routing::ack(&args.db, cmd),
        Command::Return(cmd) => routing::return_cmd(&args.db, cmd),
        Command::Track(cmd) => routing::track(&args.db, cmd),
        Command::Refs(cmd) => letters::refs(&args.db, cmd),
        Command::Migrate => db::migrate(&args.db),
        Command::Orgs(cmd) => db::orgs(&args.db, cmd),
        Command::Doc(cmd) => db::doc(&args.db, cmd),
        Command::Register(cmd) => db::register(&args.db, cmd),
        Command::Audit(cmd) => db::audit(&args.db, cmd),
        Command::Backup { file } => db::backup_cmd(&args.db, file),
        Command::Restore { file } => db::restore_cmd(&args.db, file),
        Command::Verify { files } => db::verify(&args.db, files),
        Command::Mail(cmd) => mail::run(&args.db, cmd),
    }
}

/// Prints `f(value)` for each value, or its error on stderr; exit status 1
/// when any value failed.
pub(crate) fn each<E: std::fmt::Display>(
    values: &[String],
    mut f: impl FnMut(&str) -> Result<String, E>,
) -> anyhow::Result<ExitCode> {
    if values.is_empty() {
        anyhow::bail!("ไม่ได้ให้ค่าใด (no values given); see --help");
    }
    let mut failed = false;
    for value in values {
        match f(value) {
            Ok(line) => println!("{line}"),
            Err(err) => {
                failed = true;
                eprintln!("saraban: “{value}”: {err}");
            }
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
