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
