//! Just enough PDF to sign and check a signature: the cross-reference
//! (tables and streams, object streams included), indirect objects, and an
//! incremental update appended after the original bytes.
//!
//! This is not a general PDF parser: it reads the objects a signature needs
//! (trailer, catalog, page tree, AcroForm, signature dictionaries) and
//! copies every other byte untouched.

use std::collections::BTreeMap;
use std::io::Read;

use super::SignError;

/// A parsed PDF object. Scalars keep their source bytes so that a rewritten
/// dictionary prints them exactly as they were.
#[derive(Debug, Clone, PartialEq)]
pub enum Obj {
    /// A number, `true`, `false` or `null`, as written.
    Raw(Vec<u8>),
    /// A name, without the slash, as written (escapes kept).
    Name(Vec<u8>),
    /// A string as written (with its delimiters), and its decoded bytes and
    /// offset in the file.
    Str {
        raw: Vec<u8>,
        bytes: Vec<u8>,
        at: usize,
    },
    Array(Vec<Obj>),
    Dict(Dict),
    Ref(u32, u16),
}

/// A dictionary, keys in their original order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dict(pub Vec<(Vec<u8>, Obj)>);

impl Dict {
    pub fn get(&self, key: &str) -> Option<&Obj> {
        self.0
            .iter()
            .find(|(k, _)| k == key.as_bytes())
            .map(|(_, v)| v)
    }

    pub fn set(&mut self, key: &str, value: Obj) {
        match self.0.iter_mut().find(|(k, _)| k == key.as_bytes()) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key.as_bytes().to_vec(), value)),
        }
    }

    pub fn name(&self, key: &str) -> Option<&[u8]> {
        match self.get(key) {
            Some(Obj::Name(n)) => Some(n),
            _ => None,
        }
    }

    pub fn int(&self, key: &str) -> Option<i64> {
        self.get(key).and_then(Obj::as_int)
    }
}

impl Obj {
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Obj::Raw(r) => std::str::from_utf8(r).ok()?.parse().ok(),
            _ => None,
        }
    }

    pub fn name(n: &str) -> Obj {
        Obj::Name(n.as_bytes().to_vec())
    }

    pub fn int(n: i64) -> Obj {
        Obj::Raw(n.to_string().into_bytes())
    }

    /// Writes the object in PDF syntax.
    pub fn write(&self, out: &mut Vec<u8>) {
        match self {
            Obj::Raw(r) => out.extend_from_slice(r),
            Obj::Name(n) => {
                out.push(b'/');
                out.extend_from_slice(n);
            }
            Obj::Str { raw, .. } => out.extend_from_slice(raw),
            Obj::Array(items) => {
                out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b' ');
                    }
                    item.write(out);
                }
                out.push(b']');
            }
            Obj::Dict(d) => d.write(out),
            Obj::Ref(n, g) => out.extend_from_slice(format!("{n} {g} R").as_bytes()),
        }
    }
}

impl Dict {
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"<<");
        for (k, v) in &self.0 {
            out.push(b'/');
            out.extend_from_slice(k);
            out.push(b' ');
            v.write(out);
        }
        out.extend_from_slice(b">>");
    }
}

fn is_white(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'\0')
}

fn is_delim(c: u8) -> bool {
    matches!(
        c,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

fn bad(what: &str) -> SignError {
    SignError::Pdf(what.to_string())
}

/// A cursor over the file's bytes.
pub struct Lexer<'a> {
    pub data: &'a [u8],
    pub pos: usize,
}

/// Nesting deeper than this is refused (a hostile file could otherwise
/// exhaust the stack).
const MAX_DEPTH: usize = 64;

impl<'a> Lexer<'a> {
    pub fn new(data: &'a [u8], pos: usize) -> Lexer<'a> {
        Lexer { data, pos }
    }

    fn skip_ws(&mut self) {
        while self.pos < self.data.len() {
            let c = self.data[self.pos];
            if is_white(c) {
                self.pos += 1;
            } else if c == b'%' {
                while self.pos < self.data.len() && !matches!(self.data[self.pos], b'\n' | b'\r') {
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    fn peek(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    /// A bare word (number, keyword).
    fn word(&mut self) -> &'a [u8] {
        self.skip_ws();
        let start = self.pos;
        while self.pos < self.data.len()
            && !is_white(self.data[self.pos])
            && !is_delim(self.data[self.pos])
        {
            self.pos += 1;
        }
        &self.data[start..self.pos]
    }

    /// Expects the keyword `kw` next.
    pub fn keyword(&mut self, kw: &str) -> Result<(), SignError> {
        if self.word() == kw.as_bytes() {
            Ok(())
        } else {
            Err(bad(&format!("expected `{kw}`")))
        }
    }

    fn uint(&mut self) -> Option<u64> {
        std::str::from_utf8(self.word()).ok()?.parse().ok()
    }

    pub fn object(&mut self) -> Result<Obj, SignError> {
        self.object_at_depth(0)
    }

    fn object_at_depth(&mut self, depth: usize) -> Result<Obj, SignError> {
        if depth > MAX_DEPTH {
            return Err(bad("objects nested too deeply"));
        }
        self.skip_ws();
        let start = self.pos;
        match self.peek().ok_or_else(|| bad("unexpected end of file"))? {
            b'/' => {
                self.pos += 1;
                let s = self.pos;
                while self.pos < self.data.len()
                    && !is_white(self.data[self.pos])
                    && !is_delim(self.data[self.pos])
                {
                    self.pos += 1;
                }
                Ok(Obj::Name(self.data[s..self.pos].to_vec()))
            }
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_ws();
                    match self.peek() {
                        Some(b']') => {
                            self.pos += 1;
                            return Ok(Obj::Array(items));
                        }
                        None => return Err(bad("unterminated array")),
                        _ => items.push(self.object_at_depth(depth + 1)?),
                    }
                }
            }
            b'<' if self.data.get(self.pos + 1) == Some(&b'<') => {
                self.pos += 2;
                let mut dict = Dict::default();
                loop {
                    self.skip_ws();
                    match self.peek() {
                        Some(b'>') if self.data.get(self.pos + 1) == Some(&b'>') => {
                            self.pos += 2;
                            return Ok(Obj::Dict(dict));
                        }
                        Some(b'/') => {
                            let Obj::Name(key) = self.object_at_depth(depth + 1)? else {
                                unreachable!("a slash starts a name")
                            };
                            let value = self.object_at_depth(depth + 1)?;
                            dict.0.push((key, value));
                        }
                        _ => return Err(bad("a dictionary key must be a name")),
                    }
                }
            }
            b'<' => {
                let end = self.data[self.pos..]
                    .iter()
                    .position(|&c| c == b'>')
                    .ok_or_else(|| bad("unterminated hex string"))?;
                let raw = &self.data[self.pos..self.pos + end + 1];
                self.pos += end + 1;
                let digits: Vec<u8> = raw[1..raw.len() - 1]
                    .iter()
                    .copied()
                    .filter(|c| !is_white(*c))
                    .collect();
                let mut bytes = Vec::with_capacity(digits.len() / 2 + 1);
                for pair in digits.chunks(2) {
                    let hi = hex_val(pair[0]).ok_or_else(|| bad("bad hex string"))?;
                    let lo = match pair.get(1) {
                        Some(&c) => hex_val(c).ok_or_else(|| bad("bad hex string"))?,
                        None => 0,
                    };
                    bytes.push(hi << 4 | lo);
                }
                Ok(Obj::Str {
                    raw: raw.to_vec(),
                    bytes,
                    at: start,
                })
            }
            b'(' => {
                let bytes = self.literal_string()?;
                Ok(Obj::Str {
                    raw: self.data[start..self.pos].to_vec(),
                    bytes,
                    at: start,
                })
            }
            _ => {
                let w = self.word();
                if w.is_empty() {
                    self.pos += 1;
                    return Err(bad("unexpected character"));
                }
                // `n g R` is a reference: look ahead for two more words.
                if w.iter().all(u8::is_ascii_digit) {
                    let save = self.pos;
                    let g = self.word();
                    if !g.is_empty() && g.iter().all(u8::is_ascii_digit) && self.word() == b"R" {
                        let n = std::str::from_utf8(w).ok().and_then(|s| s.parse().ok());
                        let g = std::str::from_utf8(g).ok().and_then(|s| s.parse().ok());
                        if let (Some(n), Some(g)) = (n, g) {
                            return Ok(Obj::Ref(n, g));
                        }
                    }
                    self.pos = save;
                }
                Ok(Obj::Raw(w.to_vec()))
            }
        }
    }

    fn literal_string(&mut self) -> Result<Vec<u8>, SignError> {
        // At '('.
        self.pos += 1;
        let mut depth = 1;
        let mut out = Vec::new();
        while let Some(c) = self.peek() {
            self.pos += 1;
            match c {
                b'\\' => {
                    let e = self.peek().ok_or_else(|| bad("unterminated string"))?;
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.peek() {
                                    Some(d @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(d - b'0');
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push(v as u8);
                        }
                        b'\r' => {
                            if self.peek() == Some(b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        other => out.push(other),
                    }
                }
                b'(' => {
                    depth += 1;
                    out.push(c);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(out);
                    }
                    out.push(c);
                }
                _ => out.push(c),
            }
        }
        Err(bad("unterminated string"))
    }
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Where an object lives.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Entry {
    /// At a byte offset.
    At(usize),
    /// Inside object stream `stream`, at index `index`.
    InStream { stream: u32, index: usize },
}

/// A parsed file: where each object is, and the newest trailer.
pub struct Doc<'a> {
    pub data: &'a [u8],
    pub xref: BTreeMap<u32, Entry>,
    pub trailer: Dict,
    /// Offset of the newest cross-reference section.
    pub startxref: usize,
    /// True when the newest section is a cross-reference stream.
    pub xref_is_stream: bool,
}

/// Cross-reference sections followed through /Prev at most this many times.
const MAX_SECTIONS: usize = 512;

impl<'a> Doc<'a> {
    pub fn parse(data: &'a [u8]) -> Result<Doc<'a>, SignError> {
        if !data.starts_with(b"%PDF-") {
            return Err(bad("not a PDF (no %PDF- header)"));
        }
        let tail_start = data.len().saturating_sub(2048);
        let tail = &data[tail_start..];
        let at = tail
            .windows(9)
            .rposition(|w| w == b"startxref")
            .ok_or_else(|| bad("no startxref"))?;
        let mut lx = Lexer::new(data, tail_start + at + 9);
        let startxref = lx.uint().ok_or_else(|| bad("bad startxref"))? as usize;

        let mut doc = Doc {
            data,
            xref: BTreeMap::new(),
            trailer: Dict::default(),
            startxref,
            xref_is_stream: false,
        };
        let mut next = Some(startxref);
        let mut first = true;
        let mut seen = 0;
        while let Some(offset) = next {
            seen += 1;
            if seen > MAX_SECTIONS || offset >= data.len() {
                return Err(bad("broken cross-reference chain"));
            }
            let (trailer, is_stream) = doc.read_section(offset)?;
            // A hybrid file's table points at a stream too.
            if let Some(stm) = trailer.int("XRefStm") {
                doc.read_section(stm as usize)?;
            }
            next = trailer.int("Prev").map(|p| p as usize);
            if first {
                doc.trailer = trailer;
                doc.xref_is_stream = is_stream;
                first = false;
            }
        }
        if doc.trailer.get("Encrypt").is_some() {
            return Err(SignError::Encrypted);
        }
        Ok(doc)
    }

    /// Reads one section; entries already known (from newer sections) win.
    fn read_section(&mut self, offset: usize) -> Result<(Dict, bool), SignError> {
        let mut lx = Lexer::new(self.data, offset);
        lx.skip_ws();
        if self.data[lx.pos..].starts_with(b"xref") {
            lx.pos += 4;
            loop {
                lx.skip_ws();
                if self.data[lx.pos..].starts_with(b"trailer") {
                    lx.pos += 7;
                    let Obj::Dict(trailer) = lx.object()? else {
                        return Err(bad("trailer is not a dictionary"));
                    };
                    return Ok((trailer, false));
                }
                let first = lx.uint().ok_or_else(|| bad("bad xref subsection"))?;
                let count = lx.uint().ok_or_else(|| bad("bad xref subsection"))?;
                for i in 0..count {
                    let off = lx.uint().ok_or_else(|| bad("bad xref entry"))?;
                    let _gen = lx.uint().ok_or_else(|| bad("bad xref entry"))?;
                    let kind = lx.word();
                    let num = u32::try_from(first + i).map_err(|_| bad("bad xref entry"))?;
                    if kind == b"n" {
                        self.xref.entry(num).or_insert(Entry::At(off as usize));
                    } else {
                        // Free: remember so older sections cannot revive it.
                        self.xref.entry(num).or_insert(Entry::At(usize::MAX));
                    }
                }
            }
        } else {
            let (_, dict, body) = self.indirect_at(offset)?;
            if dict.name("Type") != Some(b"XRef") {
                return Err(bad("startxref points at neither a table nor a stream"));
            }
            let body = body.ok_or_else(|| bad("xref stream without data"))?;
            let w: Vec<usize> = match dict.get("W") {
                Some(Obj::Array(a)) => a
                    .iter()
                    .map(|o| o.as_int().unwrap_or(0).clamp(0, 8) as usize)
                    .collect(),
                _ => return Err(bad("xref stream without /W")),
            };
            if w.len() != 3 {
                return Err(bad("xref stream /W must have three widths"));
            }
            let size = dict
                .int("Size")
                .ok_or_else(|| bad("xref stream without /Size"))?;
            let index: Vec<i64> = match dict.get("Index") {
                Some(Obj::Array(a)) => a.iter().filter_map(Obj::as_int).collect(),
                _ => vec![0, size],
            };
            let row = w[0] + w[1] + w[2];
            let mut rows = body.chunks_exact(row.max(1));
            for pair in index.chunks(2) {
                let (start, count) = (pair[0], *pair.get(1).unwrap_or(&0));
                for i in 0..count {
                    let Some(r) = rows.next() else { break };
                    let field = |from: usize, len: usize| {
                        r[from..from + len]
                            .iter()
                            .fold(0u64, |acc, &b| acc << 8 | u64::from(b))
                    };
                    let kind = if w[0] == 0 { 1 } else { field(0, w[0]) };
                    let f2 = field(w[0], w[1]);
                    let f3 = field(w[0] + w[1], w[2]);
                    let num = u32::try_from(start + i).map_err(|_| bad("bad xref entry"))?;
                    let entry = match kind {
                        1 => Entry::At(f2 as usize),
                        2 => Entry::InStream {
                            stream: f2 as u32,
                            index: f3 as usize,
                        },
                        _ => Entry::At(usize::MAX),
                    };
                    self.xref.entry(num).or_insert(entry);
                }
            }
            Ok((dict, true))
        }
    }

    /// The indirect object at `offset`: its number, dictionary (or the
    /// object itself wrapped when not a dictionary) and decoded stream.
    fn indirect_at(&self, offset: usize) -> Result<(u32, Dict, Option<Vec<u8>>), SignError> {
        let (num, obj, stream) = self.indirect_obj_at(offset)?;
        match obj {
            Obj::Dict(d) => Ok((num, d, stream)),
            _ => Err(bad("expected a dictionary")),
        }
    }

    fn indirect_obj_at(&self, offset: usize) -> Result<(u32, Obj, Option<Vec<u8>>), SignError> {
        let mut lx = Lexer::new(self.data, offset);
        let num = lx.uint().ok_or_else(|| bad("bad object header"))? as u32;
        lx.uint().ok_or_else(|| bad("bad object header"))?;
        lx.keyword("obj")?;
        let obj = lx.object()?;
        if lx.word() != b"stream" {
            return Ok((num, obj, None));
        }
        let Obj::Dict(dict) = &obj else {
            return Err(bad("a stream needs a dictionary"));
        };
        // The data starts after the end of line following `stream`.
        let mut start = lx.pos;
        if self.data.get(start) == Some(&b'\r') {
            start += 1;
        }
        if self.data.get(start) == Some(&b'\n') {
            start += 1;
        }
        let len = match dict.get("Length") {
            Some(Obj::Ref(n, _)) => self.resolve_int(*n)?,
            Some(o) => o.as_int().ok_or_else(|| bad("bad stream /Length"))?,
            None => return Err(bad("stream without /Length")),
        };
        let end = start
            .checked_add(usize::try_from(len).map_err(|_| bad("bad stream /Length"))?)
            .filter(|&e| e <= self.data.len())
            .ok_or_else(|| bad("stream runs past the end of the file"))?;
        let raw = &self.data[start..end];
        let decoded = match dict.get("Filter") {
            None => raw.to_vec(),
            Some(Obj::Name(n)) if n == b"FlateDecode" => inflate(raw)?,
            Some(Obj::Array(a)) if a.len() == 1 && a[0] == Obj::name("FlateDecode") => {
                inflate(raw)?
            }
            _ => return Err(bad("unsupported stream filter")),
        };
        let decoded = match dict.get("DecodeParms") {
            None | Some(Obj::Raw(_)) => decoded,
            Some(Obj::Dict(p)) => unpredict(decoded, p)?,
            Some(Obj::Array(a)) => match a.first() {
                Some(Obj::Dict(p)) => unpredict(decoded, p)?,
                _ => decoded,
            },
            _ => decoded,
        };
        Ok((num, obj, Some(decoded)))
    }

    fn resolve_int(&self, num: u32) -> Result<i64, SignError> {
        self.get(num)?
            .as_int()
            .ok_or_else(|| bad("expected an integer"))
    }

    /// Object `num`, from its offset or its object stream.
    pub fn get(&self, num: u32) -> Result<Obj, SignError> {
        match self.xref.get(&num) {
            Some(Entry::At(off)) if *off < self.data.len() => {
                let (n, obj, _) = self.indirect_obj_at(*off)?;
                if n != num {
                    return Err(bad("cross-reference offset points at another object"));
                }
                Ok(obj)
            }
            Some(Entry::InStream { stream, index }) => {
                let Some(Entry::At(off)) = self.xref.get(stream) else {
                    return Err(bad("object stream not found"));
                };
                let (_, dict, body) = self.indirect_at(*off)?;
                let body = body.ok_or_else(|| bad("object stream without data"))?;
                let n = dict.int("N").unwrap_or(0) as usize;
                let first = dict.int("First").unwrap_or(0) as usize;
                let mut lx = Lexer::new(&body, 0);
                let mut offsets = Vec::with_capacity(n);
                for _ in 0..n {
                    let objnum = lx.uint().ok_or_else(|| bad("bad object stream"))?;
                    let rel = lx.uint().ok_or_else(|| bad("bad object stream"))?;
                    offsets.push((objnum as u32, rel as usize));
                }
                let (objnum, rel) = *offsets
                    .get(*index)
                    .ok_or_else(|| bad("object stream index out of range"))?;
                if objnum != num {
                    return Err(bad("object stream holds another object"));
                }
                let mut lx = Lexer::new(&body, first + rel);
                // Offsets of strings inside a stream mean nothing in the file.
                Ok(lx.object()?)
            }
            _ => Err(bad(&format!("object {num} not found"))),
        }
    }

    /// Object `num` as a dictionary.
    pub fn dict(&self, num: u32) -> Result<Dict, SignError> {
        match self.get(num)? {
            Obj::Dict(d) => Ok(d),
            _ => Err(bad(&format!("object {num} is not a dictionary"))),
        }
    }

    /// `obj`, or the object it refers to.
    pub fn resolve(&self, obj: &Obj) -> Result<Obj, SignError> {
        match obj {
            Obj::Ref(n, _) => self.get(*n),
            other => Ok(other.clone()),
        }
    }

    pub fn root(&self) -> Result<(u32, Dict), SignError> {
        match self.trailer.get("Root") {
            Some(Obj::Ref(n, _)) => Ok((*n, self.dict(*n)?)),
            _ => Err(bad("trailer without /Root")),
        }
    }

    /// The first page: its object number and dictionary.
    pub fn first_page(&self) -> Result<(u32, Dict), SignError> {
        let (_, root) = self.root()?;
        let mut node = match root.get("Pages") {
            Some(Obj::Ref(n, _)) => *n,
            _ => return Err(bad("catalog without /Pages")),
        };
        for _ in 0..MAX_DEPTH {
            let d = self.dict(node)?;
            if d.name("Type") == Some(b"Page") || d.get("Kids").is_none() {
                return Ok((node, d));
            }
            let kids = match self.resolve(d.get("Kids").expect("checked above"))? {
                Obj::Array(k) => k,
                _ => return Err(bad("bad /Kids")),
            };
            node = match kids.first() {
                Some(Obj::Ref(n, _)) => *n,
                _ => return Err(bad("empty page tree")),
            };
        }
        Err(bad("page tree too deep"))
    }

    /// One more than the highest object number in use.
    pub fn size(&self) -> u32 {
        let from_trailer = self.trailer.int("Size").unwrap_or(0).max(0) as u32;
        let from_xref = self.xref.keys().next_back().map_or(0, |n| n + 1);
        from_trailer.max(from_xref)
    }
}

fn inflate(raw: &[u8]) -> Result<Vec<u8>, SignError> {
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(raw)
        .take(256 << 20)
        .read_to_end(&mut out)
        .map_err(|_| bad("cannot inflate a stream"))?;
    Ok(out)
}

/// PNG predictors (as in cross-reference streams); TIFF and none pass through.
fn unpredict(data: Vec<u8>, parms: &Dict) -> Result<Vec<u8>, SignError> {
    let predictor = parms.int("Predictor").unwrap_or(1);
    if predictor < 10 {
        return Ok(data);
    }
    let columns = parms.int("Columns").unwrap_or(1).max(1) as usize;
    let mut out = Vec::with_capacity(data.len());
    let mut prev = vec![0u8; columns];
    for row in data.chunks(columns + 1) {
        if row.len() < columns + 1 {
            break;
        }
        let kind = row[0];
        let mut cur = row[1..].to_vec();
        for i in 0..columns {
            let left = if i > 0 { cur[i - 1] } else { 0 };
            let up = prev[i];
            let upleft = if i > 0 { prev[i - 1] } else { 0 };
            cur[i] = match kind {
                0 => cur[i],
                1 => cur[i].wrapping_add(left),
                2 => cur[i].wrapping_add(up),
                3 => cur[i].wrapping_add(((u16::from(left) + u16::from(up)) / 2) as u8),
                4 => {
                    let p = i16::from(left) + i16::from(up) - i16::from(upleft);
                    let (pa, pb, pc) = (
                        (p - i16::from(left)).abs(),
                        (p - i16::from(up)).abs(),
                        (p - i16::from(upleft)).abs(),
                    );
                    let pred = if pa <= pb && pa <= pc {
                        left
                    } else if pb <= pc {
                        up
                    } else {
                        upleft
                    };
                    cur[i].wrapping_add(pred)
                }
                _ => return Err(bad("unknown PNG predictor")),
            };
        }
        out.extend_from_slice(&cur);
        prev = cur;
    }
    Ok(out)
}

/// Objects appended by an incremental update.
pub struct Update {
    /// (number, body bytes without `n 0 obj`/`endobj`)
    pub objects: Vec<(u32, Vec<u8>)>,
}

/// Appends `update` after `original` with a cross-reference section of the
/// same kind as the file's newest one, and returns the new file.
pub fn append(original: &[u8], doc: &Doc<'_>, update: &Update) -> Vec<u8> {
    let mut out = Vec::with_capacity(original.len() + 4096);
    out.extend_from_slice(original);
    if !matches!(out.last(), Some(b'\n' | b'\r')) {
        out.push(b'\n');
    }
    let mut offsets: BTreeMap<u32, usize> = BTreeMap::new();
    for (num, body) in &update.objects {
        offsets.insert(*num, out.len());
        out.extend_from_slice(format!("{num} 0 obj\n").as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let mut size = doc
        .size()
        .max(offsets.keys().next_back().map_or(0, |n| n + 1));
    let mut trailer = Dict::default();
    for key in ["Root", "Info", "ID"] {
        if let Some(v) = doc.trailer.get(key) {
            trailer.set(key, v.clone());
        }
    }
    trailer.set("Prev", Obj::int(doc.startxref as i64));
    let xref_at;
    if doc.xref_is_stream {
        // The stream is an object too, numbered after the rest.
        let own = size;
        size += 1;
        xref_at = out.len();
        offsets.insert(own, xref_at);
        let (index, rows) = xref_rows(&offsets);
        let mut body = Vec::new();
        for (_, off) in &rows {
            body.push(1u8);
            body.extend_from_slice(&(*off as u32).to_be_bytes());
            body.extend_from_slice(&[0, 0]);
        }
        let mut dict = Dict::default();
        dict.set("Type", Obj::name("XRef"));
        dict.set("Size", Obj::int(i64::from(size)));
        dict.set(
            "Index",
            Obj::Array(index.iter().map(|&n| Obj::int(n as i64)).collect()),
        );
        dict.set("W", Obj::Array(vec![Obj::int(1), Obj::int(4), Obj::int(2)]));
        for (k, v) in trailer.0 {
            dict.0.push((k, v));
        }
        dict.set("Length", Obj::int(body.len() as i64));
        out.extend_from_slice(format!("{own} 0 obj\n").as_bytes());
        dict.write(&mut out);
        out.extend_from_slice(b"\nstream\n");
        out.extend_from_slice(&body);
        out.extend_from_slice(b"\nendstream\nendobj\n");
    } else {
        xref_at = out.len();
        out.extend_from_slice(b"xref\n");
        let (_, rows) = xref_rows(&offsets);
        // Contiguous runs become subsections.
        let mut i = 0;
        while i < rows.len() {
            let mut j = i + 1;
            while j < rows.len() && rows[j].0 == rows[j - 1].0 + 1 {
                j += 1;
            }
            out.extend_from_slice(format!("{} {}\n", rows[i].0, j - i).as_bytes());
            for (_, off) in &rows[i..j] {
                out.extend_from_slice(format!("{off:010} 00000 n\r\n").as_bytes());
            }
            i = j;
        }
        trailer.set("Size", Obj::int(i64::from(size)));
        out.extend_from_slice(b"trailer\n");
        trailer.write(&mut out);
        out.push(b'\n');
    }
    out.extend_from_slice(format!("startxref\n{xref_at}\n%%EOF\n").as_bytes());
    out
}

/// Rows sorted by object number, and the /Index pairs of their runs.
fn xref_rows(offsets: &BTreeMap<u32, usize>) -> (Vec<u32>, Vec<(u32, usize)>) {
    let rows: Vec<(u32, usize)> = offsets.iter().map(|(&n, &o)| (n, o)).collect();
    let mut index = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let mut j = i + 1;
        while j < rows.len() && rows[j].0 == rows[j - 1].0 + 1 {
            j += 1;
        }
        index.push(rows[i].0);
        index.push((j - i) as u32);
        i = j;
    }
    (index, rows)
}

/// A PDF text string: ASCII as a literal string, anything else UTF-16BE
/// with a byte-order mark, in hex.
pub fn text_string(s: &str) -> Obj {
    let raw = if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        let mut r = b"(".to_vec();
        for b in s.bytes() {
            if matches!(b, b'(' | b')' | b'\\') {
                r.push(b'\\');
            }
            r.push(b);
        }
        r.push(b')');
        r
    } else {
        let mut r = b"<FEFF".to_vec();
        for unit in s.encode_utf16() {
            r.extend_from_slice(format!("{unit:04X}").as_bytes());
        }
        r.push(b'>');
        r
    };
    Obj::Str {
        raw,
        bytes: Vec::new(),
        at: 0,
    }
}

/// Decodes a PDF text string (UTF-16BE with BOM, UTF-8 with BOM, or
/// PDFDocEncoding read as Latin-1).
pub fn decode_text(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        bytes.iter().map(|&b| char::from(b)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexes_nested_objects_and_references() {
        let src = b"<</Type/Page/Kids[1 0 R 2 0 R]/N 3/S(a\\)b)/H<414>/D<</X true>>>>";
        let obj = Lexer::new(src, 0).object().unwrap();
        let Obj::Dict(d) = obj else { panic!() };
        assert_eq!(d.name("Type"), Some(&b"Page"[..]));
        assert_eq!(
            d.get("Kids"),
            Some(&Obj::Array(vec![Obj::Ref(1, 0), Obj::Ref(2, 0)]))
        );
        assert_eq!(d.int("N"), Some(3));
        let Some(Obj::Str { bytes, .. }) = d.get("S") else {
            panic!()
        };
        assert_eq!(bytes, b"a)b");
        let Some(Obj::Str { bytes, .. }) = d.get("H") else {
            panic!()
        };
        assert_eq!(bytes, &[0x41, 0x40]);
        let mut out = Vec::new();
        Obj::Dict(d).write(&mut out);
        let again = Lexer::new(&out, 0).object().unwrap();
        let Obj::Dict(d2) = again else { panic!() };
        assert_eq!(
            d2.get("D"),
            Some(&Obj::Dict(Dict(vec![(
                b"X".to_vec(),
                Obj::Raw(b"true".to_vec())
            )])))
        );
    }

    #[test]
    fn refuses_deep_nesting() {
        let src = "[".repeat(1000);
        assert!(Lexer::new(src.as_bytes(), 0).object().is_err());
    }

    #[test]
    fn text_strings_round_trip() {
        let Obj::Str { raw, .. } = text_string("ลงนาม") else {
            panic!()
        };
        let Obj::Str { bytes, .. } = Lexer::new(&raw, 0).object().unwrap() else {
            panic!()
        };
        assert_eq!(decode_text(&bytes), "ลงนาม");
        let Obj::Str { raw, .. } = text_string("a(b)") else {
            panic!()
        };
        assert_eq!(raw, b"(a\\(b\\))");
    }
}
