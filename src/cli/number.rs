//! `saraban number …`: document numbers.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use saraban::docnum::DocNumber;
use saraban::thai::Digits;
use serde::Serialize;

use super::each;

#[derive(Debug, Subcommand)]
pub enum NumberCommand {
    /// Parse document numbers as printed (`มท ๐๘๑๐.๗/ว ๒๑๓๕`) into their parts.
    Parse(ParseArgs),
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

pub fn run(cmd: NumberCommand) -> anyhow::Result<ExitCode> {
    match cmd {
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
