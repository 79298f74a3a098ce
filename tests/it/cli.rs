//! The command line as a new user runs it from the README.

use std::process::Command;

fn saraban(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_saraban"))
        .args(args)
        .output()
        .expect("run saraban");
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn ok(args: &[&str]) -> String {
    let (success, stdout, stderr) = saraban(args);
    assert!(success, "saraban {args:?} failed: {stderr}");
    stdout
}

#[test]
fn the_readme_examples() {
    assert_eq!(
        ok(&["thai", "date", "2024-05-23", "--weekday"]),
        "วันพฤหัสบดีที่ ๒๓ พฤษภาคม ๒๕๖๗\n"
    );
    assert_eq!(ok(&["thai", "date", "2024-05-23"]), "๒๓ พฤษภาคม ๒๕๖๗\n");
    assert_eq!(
        ok(&["thai", "date", "2024-05-23", "--short"]),
        "๒๓ พ.ค. ๒๕๖๗\n"
    );
    assert_eq!(
        ok(&["thai", "date", "2024-05-23", "--short", "--year2"]),
        "๒๓ พ.ค. ๖๗\n"
    );
    assert_eq!(
        ok(&["thai", "date", "2024-05-23", "--arabic"]),
        "23 พฤษภาคม 2567\n"
    );
    assert_eq!(
        ok(&["thai", "date", "--parse", "ลงวันที่ ๖ มกราคม ๒๕๖๔"]),
        "2021-01-06\n"
    );
    assert_eq!(
        ok(&["thai", "baht", "9100", "1234.50"]),
        "เก้าพันหนึ่งร้อยบาทถ้วน\nหนึ่งพันสองร้อยสามสิบสี่บาทห้าสิบสตางค์\n"
    );
    assert_eq!(
        ok(&["thai", "baht", "--full", "9100"]),
        "๙,๑๐๐ บาท (เก้าพันหนึ่งร้อยบาทถ้วน)\n"
    );
    assert_eq!(
        ok(&["thai", "baht", "--parse", "เก้าพันหนึ่งร้อยบาทถ้วน"]),
        "9100\n"
    );
    assert_eq!(
        ok(&["thai", "digits", "--thai", "0810.7/2135"]),
        "๐๘๑๐.๗/๒๑๓๕\n"
    );
    assert_eq!(
        ok(&["thai", "digits", "--arabic", "มท ๐๘๑๐.๗/ว ๒๑๓๕"]),
        "มท 0810.7/ว 2135\n"
    );
    assert_eq!(ok(&["thai", "fiscal-year", "2024-10-01"]), "๒๕๖๘\n");
    assert_eq!(
        ok(&["thai", "fiscal-year", "--range", "2568"]),
        "2024-10-01..2025-09-30\n"
    );
    assert_eq!(
        ok(&["number", "parse", "มท ๐๘๑๐.๗/ว ๒๑๓๕", "--json"]),
        "{\"agency\":\"มท\",\"unit\":\"0810.7\",\"circular\":true,\"seq\":2135,\"year_be\":null,\"canonical\":\"มท ๐๘๑๐.๗/ว ๒๑๓๕\"}\n"
    );
    assert_eq!(
        ok(&["thai", "range", "--parse", "ระหว่างวันที่ ๓ - ๕ มีนาคม ๒๕๖๔"]),
        "2021-03-03..2021-03-05\n"
    );
    assert_eq!(
        ok(&["thai", "range", "--prefix", "2021-03-03..2021-03-05"]),
        "ระหว่างวันที่ ๓ - ๕ มีนาคม ๒๕๖๔\n"
    );
    assert_eq!(ok(&["thai", "time", "๐๙.๓๐ - ๑๒.๐๐ น."]), "09:30-12:00\n");
    assert_eq!(
        ok(&["thai", "time", "--format", "09:30-12:00"]),
        "๐๙.๓๐ - ๑๒.๐๐ น.\n"
    );
    assert_eq!(ok(&["thai", "count", "2", "คน"]), "สองคน\n");
    assert_eq!(
        ok(&["codes", "พล", "พิษณุโลก"]),
        "พล\tจังหวัดพิษณุโลก\nพล\tพิษณุโลก\n"
    );
}

#[test]
fn several_values_one_line_each() {
    assert_eq!(
        ok(&["thai", "date", "2024-05-21", "2021-02-24", "--arabic"]),
        "21 พฤษภาคม 2567\n24 กุมภาพันธ์ 2564\n"
    );
    assert_eq!(
        ok(&[
            "number",
            "parse",
            "พล 0023.3/2122",
            "ที่ ๑๒๕/๒๕๖๗",
            "--arabic"
        ]),
        "พล 0023.3/2122\n125/2567\n"
    );
}

#[test]
fn bad_input_fails_with_a_clear_message() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["thai", "date", "--parse", "๓๐ กุมภาพันธ์ ๒๕๖๗"],
            "impossible date",
        ),
        (
            &["thai", "date", "--parse", "วันจันทร์ที่ ๓ มีนาคม ๒๕๖๔"],
            "weekday does not match",
        ),
        (&["thai", "date", "23/05/2024x"], "expected an ISO date"),
        (&["thai", "baht", "12.345"], "expected an amount"),
        (
            &["thai", "baht", "--parse", "เก้าพันสิบร้อยบาทถ้วน"],
            "out of order",
        ),
        (&["number", "parse", "มท 0810.7 2135"], "expected `/`"),
        (&["number", "parse", "hello"], "expected a letter code"),
        (&["thai", "date"], "no values given"),
        (&["codes", "ซซ"], "unknown letter code"),
    ];
    for (args, message) in cases {
        let (success, stdout, stderr) = saraban(args);
        assert!(!success, "saraban {args:?} should fail");
        assert!(stdout.is_empty(), "saraban {args:?} printed {stdout}");
        assert!(stderr.contains(message), "saraban {args:?}: {stderr}");
    }
    // Good values are still printed when one of several is bad.
    let (success, stdout, _) = saraban(&["thai", "date", "2024-05-23", "nope"]);
    assert!(!success);
    assert_eq!(stdout, "๒๓ พฤษภาคม ๒๕๖๗\n");
}

/// The command line goes through the same rules as the API: a ลับที่สุด
/// letter is refused with the same message, a deadline typed in B.E. is
/// read as B.E., a bad deadline is refused, and an office name with a
/// parenthesis comes back whole in an error.
#[test]
fn the_command_line_keeps_the_same_rules() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_saraban"))
            .arg("--database")
            .arg(&db)
            .args(args)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    assert!(run(&["orgs", "demo"]).0);
    let mut letter: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(crate::support::root().join("examples/letter.json")).unwrap(),
    )
    .unwrap();
    letter["secrecy"] = serde_json::json!("top_secret");
    let file = dir.path().join("top.json");
    std::fs::write(&file, letter.to_string()).unwrap();
    let (success, _, stderr) = run(&[
        "doc",
        "create",
        "--office",
        "มท 0810.7",
        file.to_str().unwrap(),
    ]);
    assert!(!success, "a ลับที่สุด letter was stored");
    let api = saraban::app::AppError::top_secret();
    assert!(
        stderr.contains(&api.message_th) && stderr.contains(&api.message_en),
        "{stderr}"
    );

    // The deadline 2567-05-22 is 22 May 2024, as in the web form.
    letter["secrecy"] = serde_json::Value::Null;
    letter["number"] = serde_json::Value::Null;
    std::fs::write(&file, letter.to_string()).unwrap();
    assert!(
        run(&[
            "doc",
            "create",
            "--office",
            "มท 0810.7",
            file.to_str().unwrap()
        ])
        .0
    );
    assert!(run(&["doc", "number", "1"]).0);
    let dispatch = |deadline: &str| {
        run(&[
            "dispatch",
            "#1",
            "--as",
            "มท 0810.7",
            "--to",
            "พล 0023",
            "--deadline",
            deadline,
        ])
    };
    let (success, _, stderr) = dispatch("0000-01-01");
    assert!(!success);
    assert!(
        stderr.contains("deadline") || stderr.contains("วันที่"),
        "{stderr}"
    );
    let (success, _, stderr) = dispatch("2567-05-22");
    assert!(success, "{stderr}");
    let (_, out, _) = run(&["track", "#1", "--json"]);
    assert!(out.contains("\"deadline\": \"2024-05-22\""), "{out}");

    // An office name with a parenthesis, whole in Thai and in English.
    let (success, _, stderr) = run(&["orgs", "list", "--under", "กค (กวจ) 0405.2"]);
    assert!(!success);
    assert!(
        stderr.contains("ไม่พบส่วนราชการ “กค (กวจ) 0405.2”")
            && stderr.contains("unknown office “กค (กวจ) 0405.2”"),
        "{stderr}"
    );
}

/// Output closed early (`saraban … | head`) ends the command quietly, with
/// status 0 and no panic: a reader that closes at once, then one that reads
/// a line and closes.
#[test]
fn a_closed_pipe_ends_quietly() {
    use std::io::BufRead;
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pipe.db");
    let db = db.to_str().unwrap();
    ok(&["--database", db, "orgs", "demo"]);
    let values: Vec<String> = (0..20_000).map(|i| i.to_string()).collect();
    let runs: [Vec<&str>; 2] = [
        ["--database", db, "orgs", "list"].to_vec(),
        ["thai", "digits", "--thai"]
            .into_iter()
            .chain(values.iter().map(String::as_str))
            .collect(),
    ];
    for args in runs {
        for read_first_line in [false, true] {
            let mut child = Command::new(env!("CARGO_BIN_EXE_saraban"))
                .args(&args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let stdout = child.stdout.take().unwrap();
            if read_first_line {
                let mut line = String::new();
                std::io::BufReader::new(stdout)
                    .read_line(&mut line)
                    .unwrap();
                assert!(!line.is_empty());
            } else {
                drop(stdout);
            }
            let out = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                out.status.success(),
                "saraban {:?}: {:?} {stderr}",
                &args[..3],
                out.status
            );
            assert!(!stderr.contains("panicked"), "{stderr}");
        }
    }
}

/// API tokens from the command line: made with a life, listed, revoked by
/// id and all at once; a reset revokes them too.
#[test]
fn tokens_are_listed_and_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tokens.db");
    let db = db.to_str().unwrap();
    ok(&["--database", db, "orgs", "demo"]);
    let added = ok(&[
        "--database",
        db,
        "user",
        "add",
        "somchai",
        "--office",
        "พล 0023",
        "--role",
        "clerk",
        "--token",
    ]);
    assert!(added.contains("one-time password"), "{added}");
    let token = ok(&[
        "--database",
        db,
        "user",
        "token",
        "somchai",
        "--label",
        "scanner",
        "--days",
        "7",
    ]);
    assert!(token.trim().starts_with("srb_"), "{token}");
    let listed = ok(&["--database", db, "user", "tokens", "somchai"]);
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines[0], "id\tlabel\tcreated\texpires\tlast_used\trevoked");
    assert_eq!(lines.len(), 3, "{listed}");
    assert!(
        lines[1].contains("\tscanner\t") && lines[1].ends_with("\t-\t-"),
        "{listed}"
    );
    let id = lines[1].split('\t').next().unwrap();
    let revoked = ok(&["--database", db, "user", "revoke", "somchai", id]);
    assert!(
        revoked.contains(&format!("token #{id} revoked")),
        "{revoked}"
    );
    let (success, _, stderr) = saraban(&["--database", db, "user", "revoke", "somchai"]);
    assert!(!success && stderr.contains("--all"), "{stderr}");
    let (success, _, stderr) = saraban(&["--database", db, "user", "revoke", "somchai", "9999"]);
    assert!(!success && stderr.contains("no such token"), "{stderr}");
    ok(&["--database", db, "user", "reset", "somchai"]);
    let listed = ok(&["--database", db, "user", "tokens", "somchai"]);
    assert!(
        listed.lines().skip(1).all(|l| !l.ends_with("\t-")),
        "a reset revokes every token: {listed}"
    );
    assert!(ok(&["--database", db, "user", "revoke", "somchai", "--all"]).contains("revoked 0"));
}
