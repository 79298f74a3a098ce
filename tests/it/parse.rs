//! The letter parser against independent references: the two seeds and
//! their expected fields, hand-written fixture letters with their expected
//! JSON (`tests/data/letters`; pages that list letters also with
//! `NAME.many.json`, every letter on the page), and our own rendered PDFs
//! read back with poppler and compared with the JSON they were rendered
//! from.

use std::path::{Path, PathBuf};

use saraban::docnum::DocNumber;
use saraban::parse::{
    ParseError, ParsedLetter, parse_bytes, parse_file, parse_file_many, parse_text,
};
use saraban::thai::to_arabic_digits;
use serde_json::Value;

use super::render::{example, poppler, render_json, temp_pdf};
use super::support::root;

fn data(dir: &str) -> PathBuf {
    root().join("tests/data").join(dir)
}

/// `(name, text file, expected JSON)` for every letter in a data folder.
fn letters(dir: &str) -> Vec<(String, PathBuf, Value)> {
    let mut out: Vec<_> = std::fs::read_dir(data(dir))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().to_string();
            let json = p
                .parent()
                .unwrap()
                .join(if dir == "seeds" { "expected" } else { "" })
                .join(format!("{name}.json"));
            let expected = std::fs::read_to_string(&json)
                .unwrap_or_else(|e| panic!("{}: {e}", json.display()));
            (name, p, serde_json::from_str(&expected).unwrap())
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The fields that differ, each with what was expected and what came out.
fn differences(expected: &Value, got: &Value) -> Vec<String> {
    let (Value::Object(e), Value::Object(g)) = (expected, got) else {
        return vec![format!("not objects: {expected} / {got}")];
    };
    let mut out = Vec::new();
    for (key, want) in e {
        let have = g.get(key).unwrap_or(&Value::Null);
        if squash(want) != squash(have) {
            out.push(format!(
                "  {key}:\n    expected {want}\n    got      {have}"
            ));
        }
    }
    for key in g.keys().filter(|k| !e.contains_key(*k)) {
        out.push(format!("  {key}: not in the expected JSON"));
    }
    out
}

/// Whitespace aside: strings lose their spaces, everything else is kept.
fn squash(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(s.split_whitespace().collect()),
        Value::Array(a) => Value::Array(a.iter().map(squash).collect()),
        Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), squash(v))).collect()),
        other => other.clone(),
    }
}

fn check_all(dir: &str) -> usize {
    let all = letters(dir);
    let mut failures = Vec::new();
    for (name, path, expected) in &all {
        let got = match parse_file(path) {
            Ok(letter) => serde_json::to_value(letter).unwrap(),
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let diff = differences(expected, &got);
        if !diff.is_empty() {
            failures.push(format!("{name}:\n{}", diff.join("\n")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} letters differ:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
    all.len()
}

#[test]
fn both_seeds_parse_to_their_expected_fields() {
    assert_eq!(check_all("seeds"), 2);
}

#[test]
fn the_seed_copies_are_the_shared_seeds() {
    for (name, path, _) in letters("seeds") {
        let seed = &name[..3];
        if let Some(shared) = super::support::seed_text(seed) {
            assert_eq!(std::fs::read_to_string(path).unwrap(), shared, "{name}");
        }
    }
    let shared = root().join("../shared/seeds/expected");
    if let Ok(entries) = std::fs::read_dir(&shared) {
        for e in entries.filter_map(Result::ok) {
            let ours = data("seeds/expected").join(e.file_name());
            assert_eq!(
                std::fs::read_to_string(e.path()).unwrap(),
                std::fs::read_to_string(&ours).unwrap(),
                "{}",
                ours.display()
            );
        }
    }
}

#[test]
fn every_fixture_letter_parses_to_its_expected_fields() {
    let n = check_all("letters");
    assert!(n >= 94, "only {n} fixture letters");
}

#[test]
fn every_listing_page_gives_each_letter() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for e in std::fs::read_dir(data("letters")).unwrap() {
        let path = e.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let Some(stem) = name.strip_suffix(".many.json") else {
            continue;
        };
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let text = path.with_file_name(format!("{stem}.txt"));
        let got: Vec<Value> = parse_file_many(&text)
            .unwrap_or_else(|e| panic!("{stem}: {e}"))
            .into_iter()
            .map(|(l, _)| serde_json::to_value(l).unwrap())
            .collect();
        let want = expected.as_array().unwrap();
        if want.len() != got.len() {
            failures.push(format!(
                "{stem}: {} letters, expected {}",
                got.len(),
                want.len()
            ));
            continue;
        }
        for (k, (w, g)) in want.iter().zip(&got).enumerate() {
            let diff = differences(w, g);
            if !diff.is_empty() {
                failures.push(format!("{stem} #{}:\n{}", k + 1, diff.join("\n")));
            }
        }
        checked += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 3, "only {checked} listing pages");
}

/// The header fields the issue measures, then the rest.
const FIELDS: &[&str] = &[
    "doc_type",
    "number",
    "date",
    "urgency",
    "subject",
    "secrecy",
    "issuer",
    "issuer_address",
    "to",
    "references",
    "enclosures",
    "closing",
    "signer",
    "owner_unit",
    "contact",
    "deadlines",
    "events",
    "urls",
    "annexes",
    "route",
    "warnings",
];

/// Per-field accuracy over every seed and fixture (the table in
/// docs/parsing.md): `cargo test --test it accuracy -- --nocapture`.
#[test]
fn accuracy_per_field() {
    let all: Vec<_> = letters("seeds")
        .into_iter()
        .chain(letters("letters"))
        .collect();
    let mut right = vec![0usize; FIELDS.len()];
    for (_, path, expected) in &all {
        let got = parse_file(path)
            .map(|l| serde_json::to_value(l).unwrap())
            .unwrap_or(Value::Null);
        for (k, field) in FIELDS.iter().enumerate() {
            let want = expected.get(*field).cloned().unwrap_or(match *field {
                "warnings" => Value::Array(Vec::new()),
                _ => Value::Null,
            });
            let have = got.get(*field).cloned().unwrap_or(match *field {
                "warnings" if !got.is_null() => Value::Array(Vec::new()),
                _ => Value::Null,
            });
            if squash(&want) == squash(&have) {
                right[k] += 1;
            }
        }
    }
    println!("| field | right | of | accuracy |\n|---|---|---|---|");
    for (k, field) in FIELDS.iter().enumerate() {
        println!(
            "| `{field}` | {} | {} | {:.0}% |",
            right[k],
            all.len(),
            100.0 * right[k] as f64 / all.len() as f64
        );
    }
    assert!(right.iter().all(|&r| r == all.len()));
}

#[test]
fn bad_input_gets_a_clear_error() {
    assert!(matches!(parse_bytes(b""), Err(ParseError::Empty)));
    assert!(matches!(parse_bytes(&[0u8; 300]), Err(ParseError::Binary)));
    let png = std::fs::read(
        root()
            .join("fonts")
            .read_dir()
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path(),
    );
    if let Ok(bytes) = png {
        assert!(parse_bytes(&bytes).is_err());
    }
    let big = "ที่ มท ๐๘๑๐.๗/ว ๒๑๓๕\n".repeat(10 * 1024 * 1024 / 40);
    let err = parse_bytes(big.as_bytes()).unwrap_err();
    assert!(matches!(err, ParseError::TooLarge { .. }), "{err}");
    assert!(err.to_string().contains("too large"));
    assert!(matches!(parse_text("สวัสดีครับ"), Err(ParseError::NotALetter)));
    // Every file in the bad folder fails or parses, but never panics.
    for entry in std::fs::read_dir(data("letters/bad")).unwrap() {
        let path = entry.unwrap().path();
        let _ = parse_file(&path);
    }
    // Pathological lines: long runs of what the parser looks for.
    for line in [
        "ที่ ".repeat(50_000),
        "ภายในวันที่ ".repeat(20_000),
        "ลงวันที่ ๑ ".repeat(20_000),
        "๑. ".repeat(50_000),
        "(".repeat(100_000),
        "http://".repeat(20_000),
        format!("เรื่อง {}", "ก".repeat(1_000_000)),
    ] {
        let _ = parse_text(&line);
    }
}

/// Digits as Arabic, whitespace gone: how fields are compared after a trip
/// through a PDF.
fn norm(s: &str) -> String {
    to_arabic_digits(s).split_whitespace().collect()
}

fn number_of(text: &str) -> DocNumber {
    DocNumber::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn join(v: &Value) -> String {
    match v {
        Value::Array(a) => a.iter().map(join).collect::<Vec<_>>().join(" "),
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Checks that the parsed letter carries every field of the rendered input.
fn compare_round_trip(name: &str, input: &Value, got: &ParsedLetter) -> Vec<String> {
    let mut bad = Vec::new();
    let mut same = |field: &str, want: &str, have: Option<&str>| {
        if norm(want) != norm(have.unwrap_or("")) {
            bad.push(format!(
                "{name}.{field}: rendered “{want}”, read back {have:?}"
            ));
        }
    };
    if let Some(n) = input["number"].as_str() {
        let have = got.number.as_ref().map(|n| n.number());
        if have.as_ref() != Some(&number_of(n)) {
            same("number", n, got.number.as_ref().map(|n| n.printed.as_str()));
        }
    }
    if let Some(d) = input["date"].as_str() {
        same("date", d, got.date.map(|d| d.to_string()).as_deref());
    }
    for field in ["subject", "to"] {
        if let Some(v) = input[field].as_str() {
            let have = if field == "subject" {
                &got.subject
            } else {
                &got.to
            };
            same(field, v, have.as_deref());
        }
    }
    let issuer = match &input["issuer"] {
        Value::Object(o) => o.get("name").map(join),
        Value::String(s) => Some(s.clone()),
        // A memo's unit line carries its phone number, which is contact.
        _ => input
            .get("unit")
            .map(|u| join(u).split(" โทร").next().unwrap_or_default().to_string()),
    };
    if let Some(issuer) = issuer {
        same("issuer", &issuer, got.issuer.as_deref());
    }
    if let Some(addr) = input["issuer"].get("address") {
        same("issuer_address", &join(addr), got.issuer_address.as_deref());
    }
    if let Some(signer) = input.get("signer") {
        let s = got.signer.as_ref();
        same(
            "signer.name",
            &join(&signer["name"]),
            s.map(|s| s.name.as_str()),
        );
        same(
            "signer.position",
            &join(&signer["position"]),
            s.and_then(|s| s.position.as_deref()),
        );
    }
    if let Some(contact) = input.get("contact") {
        same(
            "owner_unit",
            &join(&contact["owner_unit"]),
            got.owner_unit.as_deref(),
        );
        for (field, have) in [
            ("phone", &got.contact.phone),
            ("fax", &got.contact.fax),
            ("email", &got.contact.email),
        ] {
            if let Some(v) = contact[field].as_str() {
                same(field, v, have.as_deref());
            }
        }
    }
    if let Some(refs) = input["references"].as_array() {
        for r in refs {
            let number = match r["number"].as_str() {
                Some(n) => number_of(n),
                None => {
                    let text = r["text"].as_str().unwrap();
                    let at = text.find("ที่ ").unwrap();
                    let end = text.find(" ลงวันที่").unwrap_or(text.len());
                    number_of(&text[at..end])
                }
            };
            if !got.references.iter().any(|x| x.number.number() == number) {
                bad.push(format!("{name}.references: {number:?} not read back"));
            }
        }
    }
    if let Some(encl) = input["enclosures"].as_array() {
        let have: Vec<String> = got
            .enclosures
            .iter()
            .map(|e| format!("{} {}", e.text, e.quantity.as_deref().unwrap_or("")))
            .collect();
        let want: Vec<String> = encl
            .iter()
            .map(|e| format!("{} {}", join(&e["text"]), join(&e["quantity"])))
            .collect();
        if want
            .iter()
            .map(|s| norm(s))
            .ne(have.iter().map(|s| norm(s)))
        {
            bad.push(format!(
                "{name}.enclosures: rendered {want:?}, read back {have:?}"
            ));
        }
    }
    bad
}

#[test]
fn every_rendered_example_parses_back_to_its_input() {
    if !poppler() {
        return;
    }
    let mut bad = Vec::new();
    for name in [
        "letter",
        "memo",
        "order",
        "announcement",
        "seed-000",
        "seed-003",
    ] {
        let json = example(name);
        let input: Value = serde_json::from_str(&json).unwrap();
        let pdf = temp_pdf(&format!("roundtrip-{name}"), &render_json(&json));
        let got = parse_file(&pdf).unwrap_or_else(|e| panic!("{name}: {e}"));
        let main = if input.get("main").is_some() {
            &input["main"]
        } else {
            &input
        };
        bad.extend(compare_round_trip(name, main, &got));
        if let Some(annexes) = input["annexes"].as_array() {
            let kinds: Vec<String> = annexes
                .iter()
                .map(|a| a["kind"].as_str().unwrap().replace("form", "qr_form"))
                .collect();
            let have: Vec<String> = got
                .annexes
                .iter()
                .map(|a| {
                    serde_json::to_value(a.kind)
                        .unwrap()
                        .as_str()
                        .unwrap()
                        .to_string()
                })
                .collect();
            if kinds != have {
                bad.push(format!(
                    "{name}.annexes: rendered {kinds:?}, read back {have:?}"
                ));
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn the_cli_parses_to_json() {
    let seed = data("seeds").join("003_718486cac1c47950.txt");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_saraban"))
        .args(["parse", "--json"])
        .arg(&seed)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["number"]["printed"], "พล ๐๐๒๓.๓/๒๑๒๒");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_saraban"))
        .args(["parse"])
        .arg(Path::new("/dev/null"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("ไฟล์ว่าง") && err.contains("empty"), "{err}");
}

#[test]
fn the_cli_parses_every_letter_of_a_listing_page() {
    let page = data("letters").join("38-web-dla-listing-page-many.txt");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_saraban"))
        .args(["parse", "--many", "--json"])
        .arg(&page)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let numbers: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["number"]["printed"].as_str().unwrap())
        .collect();
    assert_eq!(
        numbers,
        [
            "มท 0810.7/ว 1021",
            "มท 0808.2/ว 1077",
            "มท 0816.3/ว 1102",
            "มท 0820.2/ว 1150",
            "มท 0804.5/ว 1198"
        ]
    );
    // One letter with --many is still an array; without, the first letter.
    let seed = data("seeds").join("003_718486cac1c47950.txt");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_saraban"))
        .args(["parse", "--many", "--json"])
        .arg(&seed)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v.as_array().map(Vec::len), Some(1));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_saraban"))
        .args(["parse", "--json"])
        .arg(&page)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["number"]["printed"], "มท 0810.7/ว 1021");
}
