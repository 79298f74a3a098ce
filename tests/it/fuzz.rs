//! Every parser of printed text, given any string: an answer or an error,
//! never a panic, and what parses formats back to something that parses the
//! same. The letter parser is also fed listing pages, web chrome, OCR and
//! poppler noise, mojibake bytes and the new number and date forms.

use proptest::prelude::*;
use saraban::thai::{self, Digits};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn date_parsers_never_panic(s in "\\PC{0,40}") {
        let _ = thai::parse_date(&s);
        let _ = thai::parse_date_near(&s, 2400);
        let _ = thai::parse_date_range(&s);
    }

    #[test]
    fn date_near_misses(s in "(ลงวันที่|ลว\\.|วัน(พุธ|จันทร์)ที่)? ?[0-9๐-๙]{0,3} ?(เดือน)? ?(มกราคม|ก\\.พ\\.|มี\\.ค|ธค)? ?(พ\\.ศ\\.)? ?[0-9๐-๙]{0,5}( - [0-9]{1,2})?") {
        if let Ok(d) = thai::parse_date(&s) {
            let text = thai::format_date(d, thai::DateStyle::Long, Digits::Thai);
            prop_assert_eq!(thai::parse_date(&text), Ok(d));
        }
        let _ = thai::parse_date_range(&s);
    }

    #[test]
    fn time_parsers_never_panic(s in "\\PC{0,30}", t in "(เวลา )?[0-9๐-๙]{0,3}[.:]?[0-9๐-๙]{0,3} ?(น\\.)? ?(- ?[0-9]{0,2}[.:]?[0-9]{0,3})?") {
        let _ = thai::parse_time_range(&s);
        if let Ok(r) = thai::parse_time_range(&t) {
            prop_assert_eq!(thai::parse_time_range(&r.format(Digits::Thai)), Ok(r));
        }
    }

    #[test]
    fn money_parsers_never_panic(s in "\\PC{0,40}", w in "(หนึ่ง|สอง|ยี่|สิบ|เอ็ด|ร้อย|พัน|หมื่น|แสน|ล้าน|บาท|ถ้วน|สตางค์){0,12}") {
        let _ = thai::parse_baht_figure(&s);
        let _ = thai::parse_baht_words(&s);
        if let Ok(satang) = thai::parse_baht_words(&w) {
            // Whatever parses, printed again, parses to the same amount.
            prop_assert_eq!(thai::parse_baht_words(&thai::baht_words(satang)), Ok(satang));
        }
    }

    #[test]
    fn amounts_round_trip(satang in 0u64..100_000_000_000_000_000) {
        prop_assert_eq!(thai::parse_baht_words(&thai::baht_words(satang)), Ok(satang));
        prop_assert_eq!(thai::parse_baht_figure(&thai::baht_figure(satang, Digits::Thai)), Ok(satang));
    }
}

/// The letter parser's fuzz corpus: the seeds and every fixture letter.
fn corpus() -> Vec<String> {
    let root = crate::support::root().join("tests/data");
    let mut out = Vec::new();
    for dir in ["seeds", "letters"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for e in entries.filter_map(Result::ok) {
            if e.path().extension().is_some_and(|x| x == "txt")
                && let Ok(text) = std::fs::read_to_string(e.path())
            {
                out.push(text);
            }
        }
    }
    out
}

/// How many cases the letter-parser fuzzing runs: a quick default for every
/// test run; `SARABAN_FUZZ_CASES=200000` for a long session.
fn fuzz_cases() -> u32 {
    std::env::var("SARABAN_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300)
}

/// Words the parser reacts to, so that random text reaches deep paths.
const LETTER_WORDS: &str = "(ที่ |ที |ที่มท|หนังสือ |ลง |ลว\\.|ค\\.ศ\\. |2013 |เรือง |เรื่ อง |ดวนทีสุด\n|ลับ\n|กำหนดการ\n|โครงการ|ชื่อโครงการ |ประกาศ ณ วันที่ |คำสั่ง สตม\\.ที่ 7/2562\n|นร ๐๗๒๘-ว\\.|นร ๐๗๒๘ว|14ม\\.ค\\.62 |กรกฏาคม |O8l0\\.7|[Ol]{1,3}|ํา|เป็ น |>>ดาวน์โหลด|หน้าแรก \\| ข่าว \\| ติดต่อ\n|Copyright © |•|๑\\) |เรื่อง |เรียน |อ้างถึง |สิ่งที่ส่งมาด้วย |ลงวันที่ |ลว\\. |ภายในวันที่ |ระหว่างวันที่ |ด่วนที่สุด\n|บันทึกข้อความ\n|คำสั่ง|ประกาศ|สั่ง ณ วันที่ |ขอแสดงความนับถือ\n|\\(นาย|\\)|โทร\\. |โทรสาร |ผู้ประสานงาน |กำหนดการ|โครงการ|QR Code|จำนวนเงิน |บาท |มท |๐๘๑๐\\.๗/ว |[0-9๐-๙]{1,4}|[ก-ฮ]{1,3}|มีนาคม |๒๕๖๔|\\. |- |/|<http://|www\\.|\n\n|\n| ){0,80}";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(fuzz_cases()))]

    #[test]
    fn letter_parser_never_panics_on_letterish_text(s in LETTER_WORDS) {
        let _ = saraban::parse::parse_text(&s);
    }

    #[test]
    fn letter_parser_never_panics_on_any_bytes(b in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = saraban::parse::parse_bytes(&b);
        let _ = saraban::parse::parse_bytes_many(&b);
    }

    /// Listing pages: lines describing letters, mixed with chrome and noise;
    /// every letter `parse_many` gives has a number and a date, and the first
    /// is what `parse_text` gives when the page holds no whole letter.
    #[test]
    fn listing_pages_never_panic_and_every_listed_letter_is_dated(
        rows in proptest::collection::vec((
            "(หนังสือ|หนังสือจังหวัดพิษณุโลก|จังหวัดน่าน|คำสั่งเทศบาลเมืองบ้านไผ่|[0-9]\\. |• |)",
            "( ด่วนที่สุด| ด่วนมาก| ด่วน|)",
            "(มท 0808\\.3/ว [0-9]{1,4}|นร ๐๗๒๘-ว\\.[๑-๙]{1,2}|[1-9][0-9]{0,2}/256[0-9]|พล ๐๐๒๓\\.๓/ว ๒[0-9]{3}|ชม O8l0\\.7/ว 2l35)",
            "(ลงวันที่|ลว\\.|ลง|)",
            "[1-9]{1,2} ?(กรกฎาคม|กรกฏาคม|ม\\.ค\\.|ก\\.พ\\.|ธันวาคม) ?(พ\\.ศ\\. )?(2556|62|๒๕๖๔|2013|ค\\.ศ\\. 2567)",
            "( เรื่อง [ก-ฮ ]{0,30}|\n\nเรื่อง [ก-ฮ]{1,20}|)",
            "( >>ดูหรือดาวน์โหลด| \\[ดาวน์โหลด\\]|)",
            LETTER_WORDS,
        ), 0..8),
    ) {
        let page: String = rows
            .iter()
            .map(|(a, b, c, d, e, f, g, h)| format!("{a}{b} ที่ {c} {d} {e}{f}{g}\n{h}\n"))
            .collect();
        if let Ok(many) = saraban::parse::parse_many(&page) {
            prop_assert!(!many.is_empty());
            if many.len() >= 2 {
                for letter in &many {
                    prop_assert!(letter.number.is_some() && letter.date.is_some());
                }
            }
        }
        let _ = saraban::parse::parse_text(&page);
    }

    /// Seeds and fixtures with pieces cut out, repeated or spliced in.
    #[test]
    fn letter_parser_never_panics_on_mangled_letters(
        pick in any::<prop::sample::Index>(),
        cuts in proptest::collection::vec((any::<prop::sample::Index>(), 0usize..400, 0u8..3, LETTER_WORDS), 1..6),
    ) {
        let corpus = corpus();
        prop_assume!(!corpus.is_empty());
        let mut text = corpus[pick.index(corpus.len())].clone();
        for (at, len, how, insert) in cuts {
            let chars: Vec<char> = text.chars().collect();
            let start = at.index(chars.len().max(1)).min(chars.len());
            let end = (start + len).min(chars.len());
            let piece: String = chars[start..end].iter().collect();
            let (head, tail): (String, String) =
                (chars[..start].iter().collect(), chars[end..].iter().collect());
            text = match how {
                0 => format!("{head}{tail}"),
                1 => format!("{head}{piece}{piece}{tail}"),
                _ => format!("{head}{insert}{tail}"),
            };
        }
        let _ = saraban::parse::parse_text(&text);
        let _ = saraban::parse::parse_many(&text);
    }
}
