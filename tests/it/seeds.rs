//! Every date, time, document number, amount and count printed in the two
//! seed letters parses to the value a reader takes from it.
//!
//! The values live in `tests/data/seed_values.tsv` (so the suite runs on a
//! fresh clone). With `../shared/seeds` present, the test also checks that
//! every row's text is in its seed and that every month name, clock time and
//! document number of the seed is covered by some row.

use chrono::NaiveDate;
use saraban::docnum::DocNumber;
use saraban::thai::{self, names::MONTHS};

struct Row {
    seed: String,
    kind: String,
    printed: String,
    expected: String,
}

fn rows() -> Vec<Row> {
    super::support::tsv("seed_values.tsv", "seed")
        .into_iter()
        .map(|r| Row {
            seed: r[0].clone(),
            kind: r[1].clone(),
            printed: r[2].clone(),
            expected: r[3].clone(),
        })
        .collect()
}

fn check(row: &Row) -> Result<(), String> {
    let p = row.printed.as_str();
    let got = match row.kind.as_str() {
        "date" => thai::parse_date(p)
            .map(|d| d.to_string())
            .map_err(|e| e.to_string()),
        "range" => thai::parse_date_range(p)
            .map(|r| format!("{}..{}", r.start, r.end))
            .map_err(|e| e.to_string()),
        "time" => thai::parse_time_range(p)
            .map(|r| match r.end {
                Some(e) => format!("{}-{}", r.start.format("%H:%M"), e.format("%H:%M")),
                None => r.start.format("%H:%M").to_string(),
            })
            .map_err(|e| e.to_string()),
        "number" => DocNumber::parse(p)
            .map(|n| {
                format!(
                    "{}|{}|{}|{}",
                    n.agency.unwrap_or_default(),
                    n.unit.unwrap_or_default(),
                    if n.circular { "ว" } else { "" },
                    n.seq
                )
            })
            .map_err(|e| e.to_string()),
        "money" => {
            let (figure, words) = p.split_once('(').ok_or("money needs figure (words)")?;
            let a = thai::parse_baht_figure(figure).map_err(|e| e.to_string())?;
            let b = thai::parse_baht_words(words).map_err(|e| e.to_string())?;
            if a != b {
                return Err(format!("figure {a} and words {b} disagree"));
            }
            // The words must be exactly what we would compute.
            if thai::baht_full(a, thai::Digits::Thai) != p {
                return Err(format!(
                    "we would print {}",
                    thai::baht_full(a, thai::Digits::Thai)
                ));
            }
            Ok(a.to_string())
        }
        "count" => {
            let rest = p.strip_prefix("จำนวน ").ok_or("counts start with จำนวน")?;
            let (figure, classifier) = rest.split_once(' ').ok_or("count needs a classifier")?;
            let n = thai::digits::parse_number(&figure.replace(',', "")).ok_or("bad figure")?;
            if thai::count_figure(n, classifier, thai::Digits::Thai) != p {
                return Err("count does not print back the same".into());
            }
            Ok(format!("{n} {classifier}"))
        }
        "digits" => {
            let arabic = thai::to_arabic_digits(p);
            if thai::to_thai_digits(&arabic) != p {
                return Err("digits do not convert back".into());
            }
            Ok(arabic)
        }
        "fiscal" => {
            let digits: String = p.chars().filter(|c| thai::digits::is_digit(*c)).collect();
            Ok(thai::digits::parse_number(&digits)
                .ok_or("no year")?
                .to_string())
        }
        other => return Err(format!("unknown kind {other}")),
    }?;
    if got == row.expected {
        Ok(())
    } else {
        Err(format!("got {got}, expected {}", row.expected))
    }
}

#[test]
fn every_printed_value_parses_to_what_a_reader_reads() {
    let rows = rows();
    assert!(rows.len() >= 60);
    let failures: Vec<String> = rows
        .iter()
        .filter_map(|r| {
            check(r)
                .err()
                .map(|e| format!("{} {} {:?}: {e}", r.seed, r.kind, r.printed))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The seed stories' dates agree with each other: seed 003 is dated within
/// the fiscal year it names, and its event falls on the weekdays its grid
/// prints.
#[test]
fn seed_dates_are_consistent() {
    let letter = NaiveDate::from_ymd_opt(2021, 2, 24).unwrap();
    assert_eq!(thai::fiscal_year(letter), 2564);
    let event = thai::parse_date_range("ระหว่างวันที่ ๓ - ๕ มีนาคม ๒๕๖๔").unwrap();
    let (fy_start, fy_end) = thai::fiscal_year_range(2564).unwrap();
    assert!(fy_start <= event.start && event.end <= fy_end);
    assert_eq!(event.days(), 3);
}

/// Byte ranges of every occurrence of `needle` in `hay`.
fn occurrences(hay: &str, needle: &str) -> Vec<(usize, usize)> {
    hay.match_indices(needle)
        .map(|(i, m)| (i, i + m.len()))
        .collect()
}

#[test]
fn rows_cover_the_seed_texts() {
    let rows = rows();
    for seed in ["000", "003"] {
        let Some(text) = super::support::seed_text(seed) else {
            return;
        };
        let mine: Vec<&Row> = rows.iter().filter(|r| r.seed == seed).collect();
        let mut covered: Vec<(usize, usize)> = Vec::new();
        for r in &mine {
            let found = occurrences(&text, &r.printed);
            assert!(
                !found.is_empty(),
                "seed {seed} does not contain {:?}",
                r.printed
            );
            covered.extend(found);
        }
        let inside = |(s, e): (usize, usize)| covered.iter().any(|&(cs, ce)| cs <= s && e <= ce);
        // Every month name, clock time (`น.` after a digit) and document
        // number (`/` after a Thai digit) must be inside some row.
        let mut spots: Vec<(usize, usize, String)> = Vec::new();
        for m in MONTHS {
            spots.extend(
                occurrences(&text, m)
                    .into_iter()
                    .map(|(s, e)| (s, e, m.to_string())),
            );
        }
        for (i, c) in text.char_indices() {
            let before = text[..i].chars().next_back();
            let is_thai_digit = |c: Option<char>| c.is_some_and(|c| ('๐'..='๙').contains(&c));
            if c == '/' && is_thai_digit(before) {
                spots.push((i, i + 1, "/".into()));
            }
            if text[i..].starts_with(" น.") && is_thai_digit(before) {
                spots.push((i, i + " น.".len(), "น.".into()));
            }
        }
        let missing: Vec<String> = spots
            .iter()
            .filter(|(s, e, _)| !inside((*s, *e)))
            .map(|(s, _, what)| {
                let from = text.floor_char_boundary(s.saturating_sub(40));
                let to = text.ceil_char_boundary((s + 40).min(text.len()));
                format!("{what} in …{}…", &text[from..to])
            })
            .collect();
        assert!(
            missing.is_empty(),
            "seed {seed}: not covered by seed_values.tsv:\n{}",
            missing.join("\n")
        );
    }
}
