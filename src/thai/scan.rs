//! A tiny cursor over text, shared by the date, time and range parsers.
//!
//! Real letters are typed by hand and copied out of PDFs: spaces come and go,
//! digits are Thai or Arabic. The cursor folds every kind of blank (including
//! no-break and zero-width spaces) into one notion of "space".

use super::digits::digit_value;

/// True for any blank a letter may carry between words.
pub fn is_blank(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}' | '\u{2060}' | '\u{FEFF}')
}

#[derive(Debug, Clone, Copy)]
pub struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(text: &'a str) -> Self {
        Cursor { text, pos: 0 }
    }

    /// Bytes consumed so far.
    pub fn pos(&self) -> usize {
        self.pos
    }

    pub fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    pub fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    pub fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    pub fn skip_blanks(&mut self) -> bool {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if !is_blank(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
        self.pos > start
    }

    /// Consumes `word` if the text continues with it.
    pub fn eat(&mut self, word: &str) -> bool {
        if self.rest().starts_with(word) {
            self.pos += word.len();
            true
        } else {
            false
        }
    }

    /// Consumes the first of `words` that matches (list longer words first).
    pub fn eat_any(&mut self, words: &[&str]) -> Option<usize> {
        words.iter().position(|w| self.eat(w))
    }

    pub fn advance(&mut self, bytes: usize) {
        self.pos = (self.pos + bytes).min(self.text.len());
    }

    /// Consumes a run of Thai or Arabic digits: its value and its length in
    /// digits. `None` (consuming nothing) when no digit is next or the run is
    /// longer than `max_len`.
    pub fn number(&mut self, max_len: usize) -> Option<(u32, usize)> {
        let mut value: u32 = 0;
        let mut len = 0;
        let mut end = self.pos;
        for c in self.rest().chars() {
            let Some(d) = digit_value(c) else { break };
            len += 1;
            if len > max_len {
                return None;
            }
            value = value * 10 + d;
            end += c.len_utf8();
        }
        if len == 0 {
            return None;
        }
        self.pos = end;
        Some((value, len))
    }

    /// Consumes a run of characters satisfying `pred`.
    pub fn take_while(&mut self, pred: impl Fn(char) -> bool) -> &'a str {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if !pred(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
        &self.text[start..self.pos]
    }
}
