//! Document numbers: every form seen in real letters (lessons.md), and
//! properties over generated ones.

use proptest::prelude::*;
use saraban::docnum::DocNumber;
use saraban::thai::Digits;

/// (printed, agency, sub-code, unit, circular, seq, year, canonical Thai form)
type Case = (
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
    bool,
    u32,
    Option<u16>,
    &'static str,
);

const REAL_FORMS: &[Case] = &[
    (
        "มท ๐๘๑๐.๗/ว ๒๑๓๕",
        Some("มท"),
        None,
        Some("0810.7"),
        true,
        2135,
        None,
        "มท ๐๘๑๐.๗/ว ๒๑๓๕",
    ),
    (
        "พล ๐๐๒๓.๓/๒๑๒๒",
        Some("พล"),
        None,
        Some("0023.3"),
        false,
        2122,
        None,
        "พล ๐๐๒๓.๓/๒๑๒๒",
    ),
    (
        "มท 0808.3/ว 1640",
        Some("มท"),
        None,
        Some("0808.3"),
        true,
        1640,
        None,
        "มท ๐๘๐๘.๓/ว ๑๖๔๐",
    ),
    (
        "มท ๐๒๐๑.๒/ว๓๙๙๓",
        Some("มท"),
        None,
        Some("0201.2"),
        true,
        3993,
        None,
        "มท ๐๒๐๑.๒/ว ๓๙๙๓",
    ),
    (
        "กท ๐๔๐๓/ว๒๑๑",
        Some("กท"),
        None,
        Some("0403"),
        true,
        211,
        None,
        "กท ๐๔๐๓/ว ๒๑๑",
    ),
    (
        "นร ๑๐๐๘.๓.๑/๑๑๒",
        Some("นร"),
        None,
        Some("1008.3.1"),
        false,
        112,
        None,
        "นร ๑๐๐๘.๓.๑/๑๑๒",
    ),
    (
        "ศธ 0201.5/13411",
        Some("ศธ"),
        None,
        Some("0201.5"),
        false,
        13411,
        None,
        "ศธ ๐๒๐๑.๕/๑๓๔๑๑",
    ),
    (
        "ที่ ๑๒๕/๒๕๖๗",
        None,
        None,
        None,
        false,
        125,
        Some(2567),
        "๑๒๕/๒๕๖๗",
    ),
    ("ว 2883", None, None, None, true, 2883, None, "ว ๒๘๘๓"),
    ("ว.2883", None, None, None, true, 2883, None, "ว ๒๘๘๓"),
    (
        "กค (กวจ) 0405.2/ว 336",
        Some("กค"),
        Some("กวจ"),
        Some("0405.2"),
        true,
        336,
        None,
        "กค (กวจ) ๐๔๐๕.๒/ว ๓๓๖",
    ),
    (
        "ที่ มท ๐๘๑๐.๗/ว. ๒๑๓๕",
        Some("มท"),
        None,
        Some("0810.7"),
        true,
        2135,
        None,
        "มท ๐๘๑๐.๗/ว ๒๑๓๕",
    ),
    (
        "ที่มท 0810.7/ว.2135",
        Some("มท"),
        None,
        Some("0810.7"),
        true,
        2135,
        None,
        "มท ๐๘๑๐.๗/ว ๒๑๓๕",
    ),
    (
        "มท ๐8๑0.๗/ว 2๑๓5",
        Some("มท"),
        None,
        Some("0810.7"),
        true,
        2135,
        None,
        "มท ๐๘๑๐.๗/ว ๒๑๓๕",
    ),
    (
        "สร ๑๐๐๒/ว ๔๗",
        Some("สร"),
        None,
        Some("1002"),
        true,
        47,
        None,
        "สร ๑๐๐๒/ว ๔๗",
    ),
    (
        "อบ ๐๐๒๓.๓/ว ๒๘๔๑",
        Some("อบ"),
        None,
        Some("0023.3"),
        true,
        2841,
        None,
        "อบ ๐๐๒๓.๓/ว ๒๘๔๑",
    ),
    (
        "สท ๗๕๓๐๑/๑๒๓",
        Some("สท"),
        None,
        Some("75301"),
        false,
        123,
        None,
        "สท ๗๕๓๐๑/๑๒๓",
    ),
    (
        "มท ๐๘๑๐.๓ / ว ๗๕๐๙",
        Some("มท"),
        None,
        Some("0810.3"),
        true,
        7509,
        None,
        "มท ๐๘๑๐.๓/ว ๗๕๐๙",
    ),
    (
        "  มท\u{a0}0201.2/ว 1590\n",
        Some("มท"),
        None,
        Some("0201.2"),
        true,
        1590,
        None,
        "มท ๐๒๐๑.๒/ว ๑๕๙๐",
    ),
    ("ที่ 3/2564", None, None, None, false, 3, Some(2564), "๓/๒๕๖๔"),
];

#[test]
fn every_real_form_parses_to_its_parts() {
    for &(printed, agency, sub, unit, circular, seq, year, canonical) in REAL_FORMS {
        let n = DocNumber::parse(printed).unwrap_or_else(|e| panic!("{printed:?}: {e}"));
        assert_eq!(n.agency.as_deref(), agency, "{printed}");
        assert_eq!(n.sub_agency.as_deref(), sub, "{printed}");
        assert_eq!(n.unit.as_deref(), unit, "{printed}");
        assert_eq!(n.circular, circular, "{printed}");
        assert_eq!(n.seq, seq, "{printed}");
        assert_eq!(n.year_be, year, "{printed}");
        assert_eq!(n.to_string(), canonical, "{printed}");
        assert_eq!(
            DocNumber::parse(&n.format(Digits::Arabic)).as_ref(),
            Ok(&n),
            "Arabic form of {printed}"
        );
    }
}

fn consonant() -> impl Strategy<Value = char> {
    (0x0E01u32..=0x0E2E).prop_map(|c| char::from_u32(c).unwrap())
}

fn unit() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec(0u32..10, 2..6),
        proptest::collection::vec(1u32..30, 0..4),
    )
        .prop_map(|(head, subs)| {
            let mut s: String = head
                .iter()
                .map(|d| char::from_digit(*d, 10).unwrap())
                .collect();
            for sub in subs {
                s.push('.');
                s.push_str(&sub.to_string());
            }
            s
        })
}

fn canonical_number() -> impl Strategy<Value = DocNumber> {
    let letter = (
        proptest::collection::vec(consonant(), 2..5),
        proptest::option::of(proptest::collection::vec(consonant(), 1..5)),
        unit(),
        any::<bool>(),
        1u32..1_000_000_000,
    )
        .prop_map(|(agency, sub, unit, circular, seq)| {
            let mut n = DocNumber::letter(
                &agency.into_iter().collect::<String>(),
                &unit,
                circular,
                seq,
            );
            n.sub_agency = sub.map(|s| s.into_iter().collect());
            n
        });
    let order = (1u32..100_000, 2400u16..2800).prop_map(|(seq, year)| DocNumber::order(seq, year));
    let short = (1u32..100_000)
        .prop_map(|seq| DocNumber {
            circular: true,
            ..DocNumber::order(seq, 2500)
        })
        .prop_map(|mut n| {
            n.year_be = None;
            n
        });
    prop_oneof![6 => letter, 2 => order, 1 => short]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn format_then_parse_is_the_identity(n in canonical_number(), thai in any::<bool>()) {
        let digits = if thai { Digits::Thai } else { Digits::Arabic };
        let printed = n.format(digits);
        prop_assert_eq!(DocNumber::parse(&printed), Ok(n.clone()));
        // …and parse then format gives the canonical text back.
        prop_assert_eq!(DocNumber::parse(&printed).unwrap().format(digits), printed);
    }

    #[test]
    fn parse_never_panics(s in "\\PC{0,40}") {
        let _ = DocNumber::parse(&s);
    }

    #[test]
    fn parse_never_panics_on_near_misses(
        s in "(ที่ )?[กมทพลว]{0,3}[ .()]{0,2}[0-9๐-๙./ ว]{0,14}"
    ) {
        if let Ok(n) = DocNumber::parse(&s) {
            // Whatever parses formats to something that parses the same.
            prop_assert_eq!(DocNumber::parse(&n.to_string()), Ok(n));
        }
    }
}
