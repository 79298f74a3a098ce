//! Command-line arguments (clap) and dispatch to the subcommands.
//!
//! Each subcommand prints one line per value given. Bad values are reported
//! on stderr, one line each, and make the command exit with status 1; the
//! good values are still printed.

mod codes;
mod number;
mod render;
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
}

#[derive(Debug, Subcommand)]
enum Command {
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
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Thai(cmd) => thai::run(cmd),
        Command::Number(cmd) => number::run(cmd),
        Command::Codes(cmd) => codes::run(cmd),
        Command::Render(cmd) => render::run(cmd),
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
