//! Pure Thai text rules used by every document, register and screen:
//! digits, Buddhist-era dates, ranges, times, the fiscal year, money and
//! counting words. No I/O; nothing here imports from above.

pub mod date;
pub mod digits;
pub mod find;
pub mod fiscal;
pub mod money;
pub mod names;
pub mod range;
pub(crate) mod scan;
pub mod time;
pub mod words;

pub use date::{DateError, DateStyle, be_year, ce_year, format_date, parse_date, parse_date_near};
pub use digits::{Digits, to_arabic_digits, to_thai_digits};
pub use find::{DateRole, FoundDate, find_dates};
pub use fiscal::{fiscal_year, fiscal_year_range};
pub use money::{baht_figure, baht_full, baht_words, parse_baht_figure, parse_baht_words};
pub use range::{DateRange, parse_date_range};
pub use time::{TimeRange, format_time, parse_time, parse_time_range};
pub use words::{count_figure, count_words, number_words, parse_number_words};
