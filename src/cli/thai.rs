//! `saraban thai …`: the pure Thai text rules from the command line.

use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, Subcommand};
use saraban::thai::{self, DateStyle, Digits};

use super::each;

#[derive(Debug, Subcommand)]
pub enum ThaiCommand {
    /// Format ISO dates (2024-05-23) as Thai dates, or parse Thai dates.
    Date(DateArgs),
    /// Format or parse date ranges (`2021-03-03..2021-03-05`).
    Range(RangeArgs),
    /// Parse times and time ranges (`๐๙.๓๐ - ๑๒.๐๐ น.`) to 24-hour times.
    Time(TimeArgs),
    /// Amounts in words: 9100 → เก้าพันหนึ่งร้อยบาทถ้วน, or back with --parse.
    Baht(BahtArgs),
    /// Convert the digits inside any text.
    Digits(DigitsArgs),
    /// The fiscal year (ปีงบประมาณ) of ISO dates, or the dates of a fiscal year.
    FiscalYear(FiscalArgs),
    /// A count in words (`2 คน` → สองคน) or figures (`จำนวน ๒ คน`).
    Count(CountArgs),
}

#[derive(Debug, Args)]
pub struct DateArgs {
    /// ISO dates to format, or Thai dates to parse with --parse.
    values: Vec<String>,
    /// Parse Thai dates and print them as ISO dates.
    #[arg(long)]
    parse: bool,
    /// With the weekday: วันพฤหัสบดีที่ ๒๓ พฤษภาคม ๒๕๖๗.
    #[arg(long, conflicts_with = "short")]
    weekday: bool,
    /// Abbreviated month: ๒๓ พ.ค. ๒๕๖๗.
    #[arg(long)]
    short: bool,
    /// With --short, a two-digit year: ๒๓ พ.ค. ๖๗.
    #[arg(long, requires = "short")]
    year2: bool,
    /// Arabic digits instead of Thai.
    #[arg(long)]
    arabic: bool,
}

#[derive(Debug, Args)]
pub struct RangeArgs {
    /// `START..END` as ISO dates, or Thai ranges to parse with --parse.
    values: Vec<String>,
    #[arg(long)]
    parse: bool,
    /// Print `ระหว่างวันที่` in front.
    #[arg(long)]
    prefix: bool,
    #[arg(long)]
    arabic: bool,
}

#[derive(Debug, Args)]
pub struct TimeArgs {
    /// Thai times to parse (`๐๙.๓๐ น.`), or 24-hour times to format (`09:30`, `09:30-12:00`) with --format.
    values: Vec<String>,
    /// Format 24-hour times as Thai times.
    #[arg(long)]
    format: bool,
    #[arg(long)]
    arabic: bool,
}

#[derive(Debug, Args)]
pub struct BahtArgs {
    /// Amounts in baht (9100, 1234.50, 9,100), or words with --parse.
    values: Vec<String>,
    /// Parse amounts in words back to figures.
    #[arg(long)]
    parse: bool,
    /// Print figure and words: ๙,๑๐๐ บาท (เก้าพันหนึ่งร้อยบาทถ้วน).
    #[arg(long)]
    full: bool,
    #[arg(long)]
    arabic: bool,
}

#[derive(Debug, Args)]
pub struct DigitsArgs {
    values: Vec<String>,
    /// Arabic → Thai digits.
    #[arg(long, conflicts_with = "arabic", required_unless_present = "arabic")]
    thai: bool,
    /// Thai → Arabic digits.
    #[arg(long)]
    arabic: bool,
}

#[derive(Debug, Args)]
pub struct FiscalArgs {
    /// ISO dates; with --range, B.E. fiscal years (2568), printed as ISO dates.
    values: Vec<String>,
    /// Print the first and last day of each fiscal year given.
    #[arg(long)]
    range: bool,
    #[arg(long)]
    arabic: bool,
}

#[derive(Debug, Args)]
pub struct CountArgs {
    /// How many.
    count: u64,
    /// The classifier (ลักษณนาม): คน, แห่ง, ฉบับ …
    classifier: String,
    /// `จำนวน ๒ คน` instead of `สองคน`.
    #[arg(long)]
    figure: bool,
    #[arg(long)]
    arabic: bool,
}

fn digits(arabic: bool) -> Digits {
    if arabic { Digits::Arabic } else { Digits::Thai }
}

fn iso_date(text: &str) -> Result<NaiveDate, String> {
    use chrono::Datelike;
    let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| "ต้องเป็นวันที่แบบ ISO (expected an ISO date such as 2024-05-23)".to_string())?;
    if !saraban::thai::date::YEARS_BE.contains(&thai::be_year(date.year())) {
        return Err(
            "ปีอยู่นอกช่วง พ.ศ. ๒๔๐๐–๒๙๙๙ (year outside B.E. 2400–2999, C.E. 1857–2456)".to_string(),
        );
    }
    Ok(date)
}

pub fn run(cmd: ThaiCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ThaiCommand::Date(a) => {
            if a.parse {
                return each(&a.values, |v| thai::parse_date(v).map(|d| d.to_string()));
            }
            let style = match (a.weekday, a.short, a.year2) {
                (true, _, _) => DateStyle::Weekday,
                (_, true, true) => DateStyle::ShortYear2,
                (_, true, false) => DateStyle::Short,
                _ => DateStyle::Long,
            };
            each(&a.values, |v| {
                iso_date(v).map(|d| thai::format_date(d, style, digits(a.arabic)))
            })
        }
        ThaiCommand::Range(a) => {
            if a.parse {
                return each(&a.values, |v| {
                    thai::parse_date_range(v).map(|r| format!("{}..{}", r.start, r.end))
                });
            }
            each(&a.values, |v| {
                let (s, e) = v.split_once("..").unwrap_or((v, v));
                let (s, e) = (iso_date(s)?, iso_date(e)?);
                let r = thai::DateRange::new(s, e)
                    .ok_or("วันเริ่มต้นอยู่หลังวันสิ้นสุด (the range ends before it starts)")?;
                Ok::<_, String>(if a.prefix {
                    r.format_with_prefix(digits(a.arabic))
                } else {
                    r.format(digits(a.arabic))
                })
            })
        }
        ThaiCommand::Time(a) => {
            if a.format {
                return each(&a.values, |v| {
                    let range = thai::parse_time_range(v).map_err(|e| e.to_string())?;
                    Ok::<_, String>(range.format(digits(a.arabic)))
                });
            }
            each(&a.values, |v| {
                thai::parse_time_range(v).map(|r| match r.end {
                    Some(end) => format!("{}-{}", r.start.format("%H:%M"), end.format("%H:%M")),
                    None => r.start.format("%H:%M").to_string(),
                })
            })
        }
        ThaiCommand::Baht(a) => {
            if a.parse {
                return each(&a.values, |v| {
                    thai::parse_baht_words(v).map(|st| {
                        if st % 100 == 0 {
                            (st / 100).to_string()
                        } else {
                            format!("{}.{:02}", st / 100, st % 100)
                        }
                    })
                });
            }
            each(&a.values, |v| {
                thai::parse_baht_figure(v).map(|st| {
                    if a.full {
                        thai::baht_full(st, digits(a.arabic))
                    } else {
                        thai::baht_words(st)
                    }
                })
            })
        }
        ThaiCommand::Digits(a) => each(&a.values, |v| {
            Ok::<_, String>(if a.arabic {
                thai::to_arabic_digits(v)
            } else {
                thai::to_thai_digits(v)
            })
        }),
        ThaiCommand::FiscalYear(a) => {
            if a.range {
                return each(&a.values, |v| {
                    let year = saraban::thai::digits::parse_number(v.trim())
                        .and_then(|y| i32::try_from(y).ok())
                        .filter(|y| saraban::thai::date::YEARS_BE.contains(y))
                        .ok_or("ต้องเป็นปี พ.ศ. สี่หลัก เช่น 2568 (expected a B.E. year 2400–2999)")?;
                    let (s, e) =
                        thai::fiscal_year_range(year).ok_or("ปีอยู่นอกช่วงปฏิทิน (year out of range)")?;
                    Ok::<_, String>(format!("{s}..{e}"))
                });
            }
            each(&a.values, |v| {
                iso_date(v).map(|d| digits(a.arabic).apply(&thai::fiscal_year(d).to_string()))
            })
        }
        ThaiCommand::Count(a) => {
            let line = if a.figure {
                thai::count_figure(a.count, &a.classifier, digits(a.arabic))
            } else {
                thai::count_words(a.count, &a.classifier)
            };
            println!("{line}");
            Ok(ExitCode::SUCCESS)
        }
    }
}
