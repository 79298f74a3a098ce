//! The compose form's annexes (กำหนดการ as a list or a grid, โครงการ, the
//! QR page) and its editing buttons, as plain posted fields: `a0.kind`,
//! `a0.title`, `a0.cell1.2` … Parsed here into the model's parts and
//! back, so the page works without JavaScript (every button posts the form
//! and the page comes back changed) and the small script in
//! `static/compose.js` only saves round trips.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveTime};
use serde::Serialize;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};

use super::error::ApiError;
use super::forms::LetterForm;
use crate::model::{
    Budget, Form, GridDay, GridSession, Part, Project, ProjectSection, QrCode, Schedule,
    ScheduleItem, ScheduleStyle, Signer,
};
use crate::thai::Digits;

/// At most this many annexes, days, slots and sections: a form is typed
/// by a person, and each field is a posted pair.
const MAX_ANNEXES: usize = 12;
const MAX_DAYS: usize = 31;
const MAX_SLOTS: usize = 12;

/// The eleven sections of a project proposal as the regulation's model
/// gives them (the clerk may rename or leave any empty).
pub const PROJECT_SECTIONS: [&str; 11] = [
    "ชื่อโครงการ",
    "หลักการและเหตุผล",
    "วัตถุประสงค์",
    "เป้าหมาย",
    "ระยะเวลาดำเนินการ",
    "สถานที่ดำเนินการ",
    "วิธีดำเนินการ",
    "งบประมาณ",
    "ผู้รับผิดชอบโครงการ",
    "ผลที่คาดว่าจะได้รับ",
    "การติดตามและประเมินผล",
];

/// One cell of the grid editor: its text, and whether it joins the cell to
/// its right (a merged cell).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CellForm {
    pub text: String,
    pub merge: bool,
}

/// One day (row) of the grid editor.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DayForm {
    pub date: String,
    pub cells: Vec<CellForm>,
}

/// One section of the project editor.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SectionForm {
    pub heading: String,
    /// Paragraphs separated by blank lines; lines starting with `-` are
    /// the numbered sub-items (`๒.๑`, `๒.๒` …).
    pub text: String,
}

/// One annex as the form shows it; which fields count depends on `kind`:
/// `list`, `grid` (schedules), `project` or `form` (the QR page).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AnnexForm {
    pub kind: String,
    /// Title lines (schedule, QR page) or the project's name.
    pub title: String,
    /// Venue lines (schedules, QR page).
    pub venue: String,
    /// List schedule: `เวลา | รายการ | โดย` per line.
    pub items: String,
    /// หมายเหตุ, one paragraph each, blank line between.
    pub notes: String,
    /// Grid: the time slots (`๐๙.๐๐-๑๐.๓๐`), the break's label and how
    /// many slots stand before it (0: no break column).
    pub slots: Vec<String>,
    pub break_label: String,
    pub break_after: usize,
    pub days: Vec<DayForm>,
    pub sections: Vec<SectionForm>,
    /// The budget in baht (figure) and what follows it; the words are
    /// computed (`budget_words`, shown back to the clerk).
    pub budget: String,
    pub budget_detail: String,
    pub budget_words: String,
    pub proposer_name: String,
    pub proposer_position: String,
    pub approver_name: String,
    pub approver_position: String,
    /// QR page: lines naming the event, and `คำอธิบาย | ลิงก์` per code.
    pub lines: String,
    pub codes: String,
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

fn paragraphs(text: &str) -> Vec<String> {
    text.replace("\r\n", "\n")
        .split("\n\n")
        .map(|p| lines(p).join(" "))
        .filter(|p| !p.is_empty())
        .collect()
}

fn bad(field: String, th: impl Into<String>, en: impl Into<String>) -> ApiError {
    let mut e = ApiError::invalid(&field, th.into(), en.into());
    e.field = Some(field);
    e
}

fn time_range(field: String, text: &str) -> Result<(NaiveTime, NaiveTime), ApiError> {
    match crate::thai::parse_time_range(text) {
        Ok(crate::thai::TimeRange {
            start,
            end: Some(end),
        }) => Ok((start, end)),
        Ok(_) => Err(bad(
            field,
            format!("ช่วงเวลา “{text}” ต้องมีเวลาเริ่มและเวลาสิ้นสุด เช่น ๐๙.๐๐ - ๑๐.๓๐"),
            format!("the time slot “{text}” needs a start and an end, e.g. 09.00-10.30"),
        )),
        Err(e) => Err(bad(
            field,
            format!("อ่านช่วงเวลา “{text}” ไม่ได้ เช่น ๐๙.๐๐ - ๑๐.๓๐"),
            format!("cannot read the time slot “{text}”: {e}"),
        )),
    }
}

fn date(field: String, text: &str) -> Result<NaiveDate, ApiError> {
    crate::app::input::date(&field, text).map_err(|e| {
        let mut e = ApiError::from(e);
        e.field = Some(field);
        e
    })
}

fn signer(name: &str, position: &str) -> Signer {
    Signer {
        name: name.trim().to_string(),
        position: lines(position),
    }
}

/// The posted pairs of the annexes, `a{i}.{field}`, in annex order.
pub fn annexes_from_pairs(pairs: &[(String, String)]) -> Vec<AnnexForm> {
    let mut by_index: BTreeMap<usize, BTreeMap<String, String>> = BTreeMap::new();
    for (k, v) in pairs {
        let Some(rest) = k.strip_prefix('a') else {
            continue;
        };
        let Some((i, field)) = rest.split_once('.') else {
            continue;
        };
        let Ok(i) = i.parse::<usize>() else { continue };
        if i >= MAX_ANNEXES {
            continue;
        }
        by_index
            .entry(i)
            .or_default()
            .insert(field.to_string(), v.clone());
    }
    by_index
        .into_values()
        .filter(|f| f.contains_key("kind"))
        .map(|f| annex_from_fields(&f))
        .collect()
}

fn annex_from_fields(f: &BTreeMap<String, String>) -> AnnexForm {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let indexed = |prefix: &str| -> usize {
        f.keys()
            .filter_map(|k| k.strip_prefix(prefix))
            .filter_map(|r| r.split('.').next()?.parse::<usize>().ok())
            .map(|n| n + 1)
            .max()
            .unwrap_or(0)
    };
    let nslots = indexed("slot").min(MAX_SLOTS);
    let ndays = indexed("day").min(MAX_DAYS);
    let slots: Vec<String> = (0..nslots).map(|j| get(&format!("slot{j}"))).collect();
    let days = (0..ndays)
        .map(|k| DayForm {
            date: get(&format!("day{k}")),
            cells: (0..nslots)
                .map(|j| CellForm {
                    text: get(&format!("cell{k}.{j}")),
                    merge: f.contains_key(&format!("merge{k}.{j}")),
                })
                .collect(),
        })
        .collect();
    let nsections = indexed("sec").min(PROJECT_SECTIONS.len() + 9);
    let sections = (0..nsections)
        .map(|n| SectionForm {
            heading: get(&format!("sec{n}.heading")),
            text: get(&format!("sec{n}.text")),
        })
        .collect();
    let budget = get("budget");
    let budget_words = crate::thai::parse_baht_figure(budget.trim())
        .map(crate::thai::baht_words)
        .unwrap_or_default();
    AnnexForm {
        kind: get("kind"),
        title: get("title"),
        venue: get("venue"),
        items: get("items"),
        notes: get("notes"),
        slots,
        break_label: get("break_label"),
        break_after: get("break_after").trim().parse().unwrap_or(0),
        days,
        sections,
        budget,
        budget_detail: get("budget_detail"),
        budget_words,
        proposer_name: get("proposer_name"),
        proposer_position: get("proposer_position"),
        approver_name: get("approver_name"),
        approver_position: get("approver_position"),
        lines: get("lines"),
        codes: get("codes"),
    }
}

impl AnnexForm {
    /// A new, empty annex of `kind` with the rows a clerk starts from.
    pub fn new(kind: &str) -> Option<AnnexForm> {
        let mut a = AnnexForm {
            kind: kind.to_string(),
            ..AnnexForm::default()
        };
        match kind {
            "list" => a.title = "กำหนดการ".into(),
            "grid" => {
                a.title = "กำหนดการ".into();
                a.slots = vec!["๐๙.๐๐-๑๐.๓๐".into(), "๑๐.๓๐-๑๒.๐๐".into()];
                a.slots.push("๑๓.๐๐-๑๔.๓๐".into());
                a.slots.push("๑๔.๓๐-๑๖.๓๐".into());
                a.break_after = 2;
                a.break_label = "พักรับประทานอาหารกลางวัน".into();
                a.days = vec![DayForm {
                    date: String::new(),
                    cells: vec![CellForm::default(); 4],
                }];
            }
            "project" => {
                a.sections = PROJECT_SECTIONS
                    .iter()
                    .map(|h| SectionForm {
                        heading: h.to_string(),
                        text: String::new(),
                    })
                    .collect();
            }
            "form" => a.title = "แบบตอบรับ".into(),
            _ => return None,
        }
        Some(a)
    }

    /// The model part this annex describes, checked field by field; the
    /// error names the posted field (`a0.cell1.2`).
    pub fn to_part(&self, i: usize) -> Result<Part, ApiError> {
        let field = |f: &str| format!("a{i}.{f}");
        match self.kind.as_str() {
            "list" => {
                let mut items = Vec::new();
                for (n, line) in lines(&self.items).iter().enumerate() {
                    let mut cols = line.split('|').map(str::trim);
                    let time = cols.next().unwrap_or_default();
                    let what = cols.next().unwrap_or_default();
                    let by = cols.next().unwrap_or_default();
                    let range = crate::thai::parse_time_range(time).map_err(|_| {
                        bad(
                            field("items"),
                            format!(
                                "บรรทัดที่ {} ของกำหนดการ: เขียน เวลา | รายการ | โดย เช่น ๐๙.๐๐ - ๐๙.๓๐ | ลงทะเบียน",
                                n + 1
                            ),
                            format!("schedule line {}: write time | item | by", n + 1),
                        )
                    })?;
                    if what.is_empty() {
                        return Err(bad(
                            field("items"),
                            format!("บรรทัดที่ {} ของกำหนดการไม่มีรายการ", n + 1),
                            format!("schedule line {} has no item", n + 1),
                        ));
                    }
                    items.push(ScheduleItem {
                        start: range.start,
                        end: range.end,
                        what: vec![what.to_string()],
                        by: if by.is_empty() {
                            Vec::new()
                        } else {
                            vec![by.to_string()]
                        },
                    });
                }
                if items.is_empty() {
                    return Err(bad(
                        field("items"),
                        "กำหนดการต้องมีอย่างน้อยหนึ่งรายการ",
                        "a schedule needs at least one item",
                    ));
                }
                Ok(Part::Schedule(Schedule {
                    title: lines(&self.title),
                    session: None,
                    venue: lines(&self.venue),
                    items,
                    days: Vec::new(),
                    break_label: None,
                    notes: paragraphs(&self.notes),
                    style: ScheduleStyle::Table,
                }))
            }
            "grid" => self.grid_part(i),
            "project" => {
                let mut sections = Vec::new();
                for s in &self.sections {
                    let mut paras = Vec::new();
                    let mut items = Vec::new();
                    for p in paragraphs(&s.text.replace('\n', "\n\n")) {
                        match p.strip_prefix(['-', '•']) {
                            Some(item) => items.push(item.trim().to_string()),
                            None => paras.push(p),
                        }
                    }
                    let budget_here =
                        s.heading.contains("งบประมาณ") && !self.budget.trim().is_empty();
                    if s.heading.trim().is_empty() && paras.is_empty() && items.is_empty() {
                        continue;
                    }
                    if paras.is_empty() && items.is_empty() && !budget_here {
                        continue;
                    }
                    sections.push(ProjectSection {
                        heading: s.heading.trim().to_string(),
                        paragraphs: paras,
                        items,
                        budget: budget_here.then(|| Budget {
                            amount: crate::thai::to_arabic_digits(self.budget.trim())
                                .replace(',', ""),
                            detail: Some(self.budget_detail.trim().to_string())
                                .filter(|d| !d.is_empty()),
                        }),
                    });
                }
                Ok(Part::Project(Project {
                    title: self.title.trim().to_string(),
                    sections,
                    proposer: signer(&self.proposer_name, &self.proposer_position),
                    approver: signer(&self.approver_name, &self.approver_position),
                }))
            }
            "form" => {
                let mut codes = Vec::new();
                for line in lines(&self.codes) {
                    let (caption, url) = line.rsplit_once('|').unwrap_or(("", line.as_str()));
                    codes.push(QrCode {
                        caption: caption.trim().to_string(),
                        url: url.trim().to_string(),
                    });
                }
                Ok(Part::Form(Form {
                    title: self.title.trim().to_string(),
                    lines: lines(&self.lines),
                    session: None,
                    venue: lines(&self.venue),
                    codes,
                }))
            }
            _ => Err(bad(
                field("kind"),
                "ชนิดสิ่งที่แนบไม่ถูกต้อง",
                "not a kind of annex",
            )),
        }
    }

    /// Days × time slots into the model's days: slots before the break
    /// are the morning, the rest the afternoon; a run of merged cells is
    /// one session from the first slot's start to the last one's end.
    fn grid_part(&self, i: usize) -> Result<Part, ApiError> {
        let field = |f: &str| format!("a{i}.{f}");
        if self.slots.is_empty() || self.days.is_empty() {
            return Err(bad(
                field("slots"),
                "ตารางกำหนดการต้องมีอย่างน้อยหนึ่งวันและหนึ่งช่วงเวลา",
                "a grid schedule needs at least one day and one time slot",
            ));
        }
        let mut times = Vec::with_capacity(self.slots.len());
        for (j, s) in self.slots.iter().enumerate() {
            times.push(time_range(field(&format!("slot{j}")), s)?);
        }
        let has_break = self.break_after > 0
            && self.break_after < self.slots.len()
            && !self.break_label.trim().is_empty();
        let split = if has_break {
            self.break_after
        } else {
            self.slots.len()
        };
        let mut days = Vec::new();
        for (k, d) in self.days.iter().enumerate() {
            let day = date(field(&format!("day{k}")), &d.date)?;
            let mut halves: [Vec<GridSession>; 2] = [Vec::new(), Vec::new()];
            for (h, range) in [(0, 0..split), (1, split..self.slots.len())] {
                let mut j = range.start;
                while j < range.end {
                    let first = j;
                    while j + 1 < range.end && d.cells.get(j).is_some_and(|c| c.merge) {
                        j += 1;
                    }
                    let text: Vec<&str> = (first..=j)
                        .filter_map(|x| d.cells.get(x))
                        .map(|c| c.text.trim())
                        .filter(|t| !t.is_empty())
                        .collect();
                    if text.is_empty() {
                        return Err(bad(
                            field(&format!("cell{k}.{first}")),
                            format!(
                                "ช่องว่างในวันที่ {} ช่วงเวลาที่ {}: ใส่ข้อความ หรือรวมกับช่องข้างเคียง",
                                k + 1,
                                first + 1
                            ),
                            format!(
                                "empty cell on day {}, slot {}: fill it or merge it",
                                k + 1,
                                first + 1
                            ),
                        ));
                    }
                    let span = j - first + 1;
                    halves[h].push(GridSession {
                        start: times[first].0,
                        end: times[j].1,
                        what: text.join(" "),
                        span: (span > 1).then_some(span as u8),
                    });
                    j += 1;
                }
            }
            let [morning, afternoon] = halves;
            days.push(GridDay {
                date: day,
                morning,
                afternoon,
            });
        }
        Ok(Part::Schedule(Schedule {
            title: lines(&self.title),
            session: None,
            venue: lines(&self.venue),
            items: Vec::new(),
            days,
            break_label: has_break.then(|| self.break_label.trim().to_string()),
            notes: paragraphs(&self.notes),
            style: ScheduleStyle::Table,
        }))
    }

    /// The form of a stored annex, for editing; `None` for a kind the
    /// form does not edit.
    pub fn from_part(part: &Part, digits: Digits) -> Option<AnnexForm> {
        let time = |t: NaiveTime| digits.apply(&t.format("%H.%M").to_string());
        let date = |d: NaiveDate| crate::thai::format_date(d, crate::thai::DateStyle::Long, digits);
        let mut a = AnnexForm::default();
        match part {
            Part::Schedule(s) if s.days.is_empty() => {
                a.kind = "list".into();
                a.title = s.title.join("\n");
                a.venue = s.venue.join("\n");
                a.notes = s.notes.join("\n\n");
                a.items = s
                    .items
                    .iter()
                    .map(|x| {
                        let t = match x.end {
                            Some(e) => format!("{}-{}", time(x.start), time(e)),
                            None => time(x.start),
                        };
                        let mut line = format!("{t} | {}", x.what.join(" "));
                        if !x.by.is_empty() {
                            line.push_str(&format!(" | {}", x.by.join(" ")));
                        }
                        line
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
            }
            Part::Schedule(s) => {
                a.kind = "grid".into();
                a.title = s.title.join("\n");
                a.venue = s.venue.join("\n");
                a.notes = s.notes.join("\n\n");
                // The slots are the times every session starts or ends at,
                // per half; a session over several is a merged cell.
                let am = bounds(s.days.iter().map(|d| &d.morning));
                let pm = bounds(s.days.iter().map(|d| &d.afternoon));
                let slots_of = |b: &[NaiveTime]| -> Vec<(NaiveTime, NaiveTime)> {
                    b.windows(2).map(|w| (w[0], w[1])).collect()
                };
                let (am, pm) = (slots_of(&am), slots_of(&pm));
                a.slots = am
                    .iter()
                    .chain(&pm)
                    .map(|(x, y)| format!("{}-{}", time(*x), time(*y)))
                    .collect();
                a.break_after = if s.break_label.is_some() { am.len() } else { 0 };
                a.break_label = s.break_label.clone().unwrap_or_default();
                for d in &s.days {
                    let mut cells = Vec::new();
                    for (slots, half) in [(&am, &d.morning), (&pm, &d.afternoon)] {
                        for (x, y) in slots {
                            let session = half.iter().find(|g| g.start <= *x && *y <= g.end);
                            cells.push(CellForm {
                                text: session
                                    .filter(|g| g.start == *x)
                                    .map(|g| g.what.clone())
                                    .unwrap_or_default(),
                                merge: session.is_some_and(|g| *y < g.end),
                            });
                        }
                    }
                    a.days.push(DayForm {
                        date: date(d.date),
                        cells,
                    });
                }
            }
            Part::Project(p) => {
                a.kind = "project".into();
                a.title = p.title.clone();
                for s in &p.sections {
                    let mut text: Vec<String> = s.paragraphs.clone();
                    text.extend(s.items.iter().map(|x| format!("- {x}")));
                    if let Some(b) = &s.budget {
                        a.budget = b.amount.clone();
                        a.budget_detail = b.detail.clone().unwrap_or_default();
                    }
                    a.sections.push(SectionForm {
                        heading: s.heading.clone(),
                        text: text.join("\n"),
                    });
                }
                a.proposer_name = p.proposer.name.clone();
                a.proposer_position = p.proposer.position.join("\n");
                a.approver_name = p.approver.name.clone();
                a.approver_position = p.approver.position.join("\n");
            }
            Part::Form(f) => {
                a.kind = "form".into();
                a.title = f.title.clone();
                a.lines = f.lines.join("\n");
                a.venue = f.venue.join("\n");
                a.codes = f
                    .codes
                    .iter()
                    .map(|c| format!("{} | {}", c.caption, c.url))
                    .collect::<Vec<_>>()
                    .join("\n");
            }
            _ => return None,
        }
        Some(a)
    }
}

/// The compose form as posted: its named fields, and the annexes' indexed
/// ones (which a plain `Form` of a struct cannot collect).
pub struct ComposeForm(pub LetterForm);

impl<S: Send + Sync> FromRequest<S> for ComposeForm {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| ApiError::invalid("body", "อ่านแบบฟอร์มไม่ได้", "cannot read the form"))?;
        let malformed = |_| ApiError::invalid("body", "แบบฟอร์มไม่ถูกต้อง", "malformed form data");
        let mut form: LetterForm = serde_urlencoded::from_bytes(&bytes).map_err(malformed)?;
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&bytes).map_err(malformed)?;
        form.annexes = annexes_from_pairs(&pairs);
        Ok(ComposeForm(form))
    }
}

/// The times the sessions of one half (every day's) start or end at, in
/// order: the edges of the grid editor's slots.
fn bounds<'a>(halves: impl Iterator<Item = &'a Vec<GridSession>>) -> Vec<NaiveTime> {
    let mut b: Vec<NaiveTime> = halves
        .flat_map(|h| h.iter().flat_map(|x| [x.start, x.end]))
        .collect();
    b.sort();
    b.dedup();
    b
}

/// What an editing button asks (`op`): add an annex, move or remove one,
/// add or remove a grid's day or slot. Returns whether the form changed.
pub fn apply_op(annexes: &mut Vec<AnnexForm>, op: &str, new_kind: &str) -> bool {
    let parts: Vec<&str> = op.split('.').collect();
    let n = |k: usize| parts.get(k).and_then(|x| x.parse::<usize>().ok());
    match (parts.first().copied(), n(1), n(2)) {
        (Some("add"), _, _) if annexes.len() < MAX_ANNEXES => match AnnexForm::new(new_kind) {
            Some(a) => {
                annexes.push(a);
                true
            }
            None => false,
        },
        (Some("up"), Some(i), _) if i > 0 && i < annexes.len() => {
            annexes.swap(i - 1, i);
            true
        }
        (Some("down"), Some(i), _) if i + 1 < annexes.len() => {
            annexes.swap(i, i + 1);
            true
        }
        (Some("remove"), Some(i), _) if i < annexes.len() => {
            annexes.remove(i);
            true
        }
        (Some("addday"), Some(i), _) if i < annexes.len() => {
            let a = &mut annexes[i];
            if a.days.len() >= MAX_DAYS {
                return false;
            }
            a.days.push(DayForm {
                date: String::new(),
                cells: vec![CellForm::default(); a.slots.len()],
            });
            true
        }
        (Some("addslot"), Some(i), _) if i < annexes.len() => {
            let a = &mut annexes[i];
            if a.slots.len() >= MAX_SLOTS {
                return false;
            }
            a.slots.push(String::new());
            for d in &mut a.days {
                d.cells.push(CellForm::default());
            }
            true
        }
        (Some("delday"), Some(i), Some(k)) if i < annexes.len() && k < annexes[i].days.len() => {
            annexes[i].days.remove(k);
            true
        }
        (Some("delslot"), Some(i), Some(j)) if i < annexes.len() && j < annexes[i].slots.len() => {
            let a = &mut annexes[i];
            a.slots.remove(j);
            for d in &mut a.days {
                if j < d.cells.len() {
                    d.cells.remove(j);
                }
            }
            if a.break_after > j {
                a.break_after -= 1;
            }
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn grid_pairs() -> Vec<(String, String)> {
        pairs(&[
            ("a0.kind", "grid"),
            ("a0.title", "กำหนดการ\nการฝึกอบรมหลักสูตรสารบรรณ"),
            ("a0.slot0", "๐๙.๐๐ - ๑๐.๓๐"),
            ("a0.slot1", "10.30-12.00"),
            ("a0.slot2", "13.00-16.30"),
            ("a0.break_after", "2"),
            ("a0.break_label", "พักรับประทานอาหารกลางวัน"),
            ("a0.day0", "๓/๓/๒๕๖๘"),
            ("a0.cell0.0", "พิธีเปิด"),
            ("a0.merge0.0", "1"),
            ("a0.cell0.1", ""),
            ("a0.cell0.2", "บรรยาย"),
            ("a0.day1", "4/3/2568"),
            ("a0.cell1.0", "ฝึกปฏิบัติ"),
            ("a0.cell1.1", "อภิปราย"),
            ("a0.cell1.2", "ปิดการอบรม"),
            ("a0.notes", "แต่งกายสุภาพ"),
        ])
    }

    #[test]
    fn a_grid_with_a_merged_cell_and_a_break() {
        let annexes = annexes_from_pairs(&grid_pairs());
        assert_eq!(annexes.len(), 1);
        let Part::Schedule(s) = annexes[0].to_part(0).unwrap() else {
            panic!("a schedule")
        };
        assert_eq!(s.break_label.as_deref(), Some("พักรับประทานอาหารกลางวัน"));
        assert_eq!(s.days.len(), 2);
        let d0 = &s.days[0];
        assert_eq!(d0.date, NaiveDate::from_ymd_opt(2025, 3, 3).unwrap());
        // The merged cell: one session over both morning slots.
        assert_eq!(d0.morning.len(), 1);
        assert_eq!(d0.morning[0].span, Some(2));
        assert_eq!(
            d0.morning[0].start,
            NaiveTime::from_hms_opt(9, 0, 0).unwrap()
        );
        assert_eq!(
            d0.morning[0].end,
            NaiveTime::from_hms_opt(12, 0, 0).unwrap()
        );
        assert_eq!(d0.afternoon.len(), 1);
        assert_eq!(s.days[1].morning.len(), 2);
        assert_eq!(s.days[1].morning[1].what, "อภิปราย");
        assert_eq!(s.notes, vec!["แต่งกายสุภาพ".to_string()]);
        // And back: the same cells, merges and break.
        let back = AnnexForm::from_part(&Part::Schedule(s.clone()), Digits::Arabic).unwrap();
        assert_eq!(back.slots.len(), 3);
        assert_eq!(back.break_after, 2);
        assert!(back.days[0].cells[0].merge);
        assert!(!back.days[1].cells[0].merge);
        assert_eq!(back.to_part(0).unwrap(), Part::Schedule(s));
    }

    #[test]
    fn an_empty_unmerged_cell_is_named() {
        let mut p = grid_pairs();
        p.retain(|(k, _)| k != "a0.merge0.0");
        let e = annexes_from_pairs(&p)[0].to_part(0).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("a0.cell0.1"));
        assert!(e.message_th.contains("ช่องว่าง"));
    }

    #[test]
    fn a_bad_slot_is_named() {
        let mut p = grid_pairs();
        p[2].1 = "เช้า".into();
        let e = annexes_from_pairs(&p)[0].to_part(0).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("a0.slot0"));
    }

    #[test]
    fn list_items_with_a_break_row() {
        let a = annexes_from_pairs(&pairs(&[
            ("a3.kind", "list"),
            ("a3.title", "กำหนดการ"),
            (
                "a3.items",
                "๐๙.๐๐ - ๐๙.๓๐ | ลงทะเบียน\n09.30-10.30 | บรรยาย | นายสมชาย ใจดี\n10.30-10.45 | พักรับประทานอาหารว่าง",
            ),
        ]));
        let Part::Schedule(s) = a[0].to_part(0).unwrap() else {
            panic!()
        };
        assert_eq!(s.items.len(), 3);
        assert_eq!(s.items[1].by, vec!["นายสมชาย ใจดี".to_string()]);
        assert_eq!(s.items[2].what, vec!["พักรับประทานอาหารว่าง".to_string()]);
        let e = annexes_from_pairs(&pairs(&[("a0.kind", "list"), ("a0.items", "เช้า | x")]))[0]
            .to_part(0)
            .unwrap_err();
        assert!(e.message_th.contains("บรรทัดที่ 1"));
    }

    #[test]
    fn a_project_with_sub_items_and_budget_words() {
        let a = annexes_from_pairs(&pairs(&[
            ("a0.kind", "project"),
            ("a0.title", "โครงการอบรมสารบรรณ"),
            ("a0.sec0.heading", "หลักการและเหตุผล"),
            ("a0.sec0.text", "เพื่อพัฒนางาน"),
            ("a0.sec1.heading", "วัตถุประสงค์"),
            ("a0.sec1.text", "- ข้อหนึ่ง\n- ข้อสอง"),
            ("a0.sec2.heading", "เป้าหมาย"),
            ("a0.sec2.text", ""),
            ("a0.sec3.heading", "งบประมาณ"),
            ("a0.sec3.text", ""),
            ("a0.budget", "๙,๑๐๐"),
            ("a0.budget_detail", "จากงบดำเนินงาน"),
            ("a0.proposer_name", "นางสาวสมใจ ดีงาม"),
            ("a0.approver_name", "นายสมชาย ใจดี"),
        ]));
        assert_eq!(a[0].budget_words, crate::thai::baht_words(910_000));
        let Part::Project(p) = a[0].to_part(0).unwrap() else {
            panic!()
        };
        // The empty section is left out; the budget section stays.
        assert_eq!(p.sections.len(), 3);
        assert_eq!(p.sections[1].items, vec!["ข้อหนึ่ง", "ข้อสอง"]);
        assert_eq!(p.sections[2].budget.as_ref().unwrap().amount, "9100");
    }

    fn office() -> (crate::app::Office, crate::app::Agency) {
        use crate::app::{Agency, Office, OfficeKind};
        // Made as the API would read one (the web layer never names the store).
        let office: Office = serde_json::from_value(serde_json::json!({
            "id": 1,
            "parent_id": null,
            "kind": OfficeKind::ProvincialOffice,
            "name": "กองพัฒนาระบบ",
            "agency": "มท",
            "unit": "0810.7",
            "phone": "0 2241 9000",
        }))
        .unwrap();
        let agency = Agency {
            name: "กรมส่งเสริมการปกครองท้องถิ่น".into(),
            letterhead: crate::model::Issuer {
                name: "กรมส่งเสริมการปกครองท้องถิ่น".into(),
                address: vec!["ถนนนครราชสีมา เขตดุสิต กทม. ๑๐๓๐๐".into()],
            },
            units: vec!["กองพัฒนาระบบ".into()],
            kind: OfficeKind::ProvincialOffice,
        };
        (office, agency)
    }

    fn form(kind: &str) -> LetterForm {
        LetterForm {
            kind: kind.into(),
            date: "๓ มีนาคม ๒๕๖๘".into(),
            subject: "ทดสอบ".into(),
            to: "ผู้ว่าราชการจังหวัด ทุกจังหวัด".into(),
            body: "ย่อหน้าแรก\n\nย่อหน้าที่สอง".into(),
            signer_name: "นายสมชาย ใจดี".into(),
            signer_position: "ผู้อำนวยการกอง".into(),
            ..LetterForm::default()
        }
    }

    #[test]
    fn every_kind_and_the_circular_switch() {
        let (office, agency) = office();
        let today = NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
        let mut f = form("letter");
        f.circular = "on".into();
        f.ref_number = "มท ๐๘๑๐.๗/ว ๒๑๓๕".into();
        f.ref_date = "๑ ตุลาคม ๒๕๖๗".into();
        f.ref_pick = "พล 0023.3/ว 1050|2024-06-03|จังหวัดพิษณุโลก".into();
        f.annexes = annexes_from_pairs(&grid_pairs());
        let doc = f.to_document(&office, &agency, today).unwrap();
        let Part::Letter(l) = &doc.main else { panic!() };
        assert!(l.circular);
        assert_eq!(l.date, NaiveDate::from_ymd_opt(2025, 3, 3).unwrap());
        // The picked letter first, then the typed one.
        assert_eq!(l.references.len(), 2);
        assert_eq!(l.references[0].issuer.as_deref(), Some("จังหวัดพิษณุโลก"));
        assert_eq!(l.references[1].date, NaiveDate::from_ymd_opt(2024, 10, 1));
        assert_eq!(doc.annexes.len(), 1);
        assert_eq!(
            crate::app::documents::default_series(&doc),
            Some(crate::app::Series::Circular)
        );
        // Off: the kind's own series.
        f.circular.clear();
        let doc = f.to_document(&office, &agency, today).unwrap();
        assert_eq!(
            crate::app::documents::default_series(&doc),
            Some(crate::app::Series::Normal)
        );
        // And back to the form: the switch, the typed reference, the annex.
        let mut f = form("letter");
        f.circular = "on".into();
        f.ref_number = "มท 0810.7/ว 2135".into();
        let doc = f.to_document(&office, &agency, today).unwrap();
        let back = LetterForm::from_document(&doc).unwrap();
        assert_eq!(back.circular, "on");
        assert_eq!(back.ref_number, "มท 0810.7/ว 2135");
        for (kind, part) in [
            ("memo", "memo"),
            ("order", "order"),
            ("announcement", "announcement"),
            ("sealed", "sealed"),
        ] {
            let doc = form(kind).to_document(&office, &agency, today).unwrap();
            let v = serde_json::to_value(&doc.main).unwrap();
            assert_eq!(v["kind"], part);
            let back = LetterForm::from_document(&doc).unwrap();
            assert_eq!(back.kind, kind);
            assert_eq!(back.subject, "ทดสอบ");
        }
        let Part::Order(o) = form("order")
            .to_document(&office, &agency, today)
            .unwrap()
            .main
        else {
            panic!()
        };
        assert_eq!(o.issuer, "กรมส่งเสริมการปกครองท้องถิ่น");
        assert_eq!(o.body.len(), 2);
    }

    #[test]
    fn a_bad_reference_is_named() {
        let (office, agency) = office();
        let today = NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
        let mut f = form("letter");
        f.ref_number = "ไม่ใช่เลขที่".into();
        let e = f.to_document(&office, &agency, today).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("ref_number"));
        let mut f = form("letter");
        f.ref_date = "๑ ตุลาคม ๒๕๖๗".into();
        let e = f.to_document(&office, &agency, today).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("ref_number"));
        let mut f = form("letter");
        f.ref_number = "มท 0810.7/ว 2135".into();
        f.ref_date = "๓๒ ตุลาคม ๒๕๖๗".into();
        assert!(f.to_document(&office, &agency, today).is_err());
        let e = form("nonsense")
            .to_document(&office, &agency, today)
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("kind"));
    }

    #[test]
    fn buttons_add_move_and_remove() {
        let mut a = Vec::new();
        assert!(apply_op(&mut a, "add", "grid"));
        assert!(apply_op(&mut a, "add", "form"));
        assert!(!apply_op(&mut a, "add", "nonsense"));
        assert!(apply_op(&mut a, "up.1", ""));
        assert_eq!(a[0].kind, "form");
        assert!(!apply_op(&mut a, "up.0", ""));
        assert!(apply_op(&mut a, "down.0", ""));
        assert_eq!(a[1].kind, "form");
        assert!(apply_op(&mut a, "addslot.0", ""));
        assert!(apply_op(&mut a, "addday.0", ""));
        assert_eq!(a[0].days[1].cells.len(), 5);
        assert!(apply_op(&mut a, "delslot.0.0", ""));
        assert_eq!(a[0].break_after, 1);
        assert_eq!(a[0].days[0].cells.len(), 4);
        assert!(apply_op(&mut a, "remove.1", ""));
        assert_eq!(a.len(), 1);
        assert!(!apply_op(&mut a, "remove.5", ""));
    }
}
