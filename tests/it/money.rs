//! Amounts in words against an independent, hand-checked table
//! (`tests/data/baht_words.tsv`, cross-checked with pythainlp and num2words).

use saraban::thai;

#[test]
fn the_reference_table_both_ways() {
    let rows = super::support::tsv("baht_words.tsv", "satang");
    assert!(rows.len() >= 200, "the table has {} rows", rows.len());
    let mut wrong = Vec::new();
    for row in &rows {
        let satang: u64 = row[0].parse().expect("satang column");
        let words = &row[1];
        let ours = thai::baht_words(satang);
        if &ours != words {
            wrong.push(format!("{satang}: expected {words}, got {ours}"));
        }
        match thai::parse_baht_words(words) {
            Ok(back) if back == satang => {}
            other => wrong.push(format!("{words}: parsed as {other:?}, expected {satang}")),
        }
    }
    assert!(
        wrong.is_empty(),
        "{} mismatches:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn figures_and_words_up_to_ten_to_the_fifteen_baht() {
    let big = 1_000_000_000_000_000u64 * 100;
    assert_eq!(thai::baht_words(big), "หนึ่งพันล้านล้านบาทถ้วน");
    assert_eq!(thai::parse_baht_words("หนึ่งพันล้านล้านบาทถ้วน"), Ok(big));
    assert_eq!(
        thai::baht_figure(big + 99, thai::Digits::Arabic),
        "1,000,000,000,000,000.99 บาท"
    );
    // A figure and words that disagree are caught by parsing the words.
    let printed_words = "เก้าพันหนึ่งร้อยบาทถ้วน";
    assert_ne!(
        thai::parse_baht_words(printed_words),
        thai::parse_baht_figure("9,010")
    );
}
