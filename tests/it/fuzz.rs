//! Every parser of printed text, given any string: an answer or an error,
//! never a panic, and what parses formats back to something that parses the
//! same.

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
