//! One typed input struct per kind of document, as in the regulation's
//! model forms: external letter (แบบ ๑), memo (แบบ ๒), order (แบบ ๔),
//! announcement (แบบ ๗), and the annexes letters carry: schedules
//! (กำหนดการ), project proposals (โครงการ) and QR response forms.

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use super::common::*;
use super::validate::{Checker, Validate};

/// หนังสือภายนอก (circulars included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Letter {
    #[serde(default)]
    pub urgency: Option<Urgency>,
    #[serde(default)]
    pub secrecy: Option<Secrecy>,
    /// The number as issued (`มท 0810.7/ว 2135`); `None` for a draft, which
    /// prints `ที่` with the office code and a blank.
    #[serde(default)]
    pub number: Option<String>,
    /// The office code printed on drafts (`มท 0810.7`).
    #[serde(default)]
    pub office_code: Option<String>,
    pub issuer: Issuer,
    pub date: NaiveDate,
    pub subject: String,
    /// The addressee after เรียน: `ผู้ว่าราชการจังหวัด ทุกจังหวัด`.
    pub to: String,
    /// Chosen from `to` when absent.
    #[serde(default)]
    pub salutation: Option<Salutation>,
    #[serde(default)]
    pub references: Vec<Reference>,
    #[serde(default)]
    pub enclosures: Vec<Enclosure>,
    /// Body paragraphs, each printed with a first-line indent.
    pub body: Vec<String>,
    /// The closing; the one matching the salutation when absent.
    #[serde(default)]
    pub closing: Option<String>,
    pub signer: Signer,
    #[serde(default)]
    pub contact: Contact,
    /// สำเนาส่ง.
    #[serde(default)]
    pub copies_to: Vec<String>,
    /// A circular (หนังสือเวียน): numbered in the `ว` series by default.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub circular: bool,
}

/// บันทึกข้อความ (หนังสือภายใน).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Memo {
    #[serde(default)]
    pub urgency: Option<Urgency>,
    #[serde(default)]
    pub secrecy: Option<Secrecy>,
    /// ส่วนราชการ, with its telephone: `กองคลัง กลุ่มงานการเงิน โทร. 0 2241 9000`.
    pub unit: String,
    #[serde(default)]
    pub number: Option<String>,
    #[serde(default)]
    pub office_code: Option<String>,
    pub date: NaiveDate,
    pub subject: String,
    pub to: String,
    #[serde(default)]
    pub salutation: Option<Salutation>,
    pub body: Vec<String>,
    pub signer: Signer,
}

/// หนังสือประทับตรา (แบบ ๓): `ที่ …`, `ถึง …`, the text, then the ส่วนราชการ,
/// the date and the office's seal with the initials of the head of the
/// division beside it, and the unit that issues it. It prints no เรื่อง;
/// `subject` is what the registers record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sealed {
    #[serde(default)]
    pub urgency: Option<Urgency>,
    #[serde(default)]
    pub number: Option<String>,
    #[serde(default)]
    pub office_code: Option<String>,
    /// The ส่วนราชการ that sends it, under the text: `กรมส่งเสริมการปกครองท้องถิ่น`.
    pub issuer: String,
    pub date: NaiveDate,
    /// For the registers only (not printed).
    pub subject: String,
    /// ถึง: the addressee.
    pub to: String,
    pub body: Vec<String>,
    /// Who initials beside the seal (their signature image, if any, is
    /// placed there; the name is not printed).
    pub signer: Signer,
    /// หน่วยงานที่ออกหนังสือ and its telephone, at the foot.
    #[serde(default)]
    pub contact: Contact,
}

/// คำสั่ง: `คำสั่ง{issuer} ที่ ๑๒๕/๒๕๖๗ เรื่อง … สั่ง ณ วันที่ …`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Order {
    #[serde(default)]
    pub secrecy: Option<Secrecy>,
    /// The agency or the position with power to order: `กรมส่งเสริมการปกครองท้องถิ่น`.
    pub issuer: String,
    /// `125/2567`; `None` for a draft.
    #[serde(default)]
    pub number: Option<String>,
    pub subject: String,
    pub body: Vec<String>,
    /// สั่ง ณ วันที่.
    pub date: NaiveDate,
    pub signer: Signer,
}

/// ประกาศ: `ประกาศ{issuer} เรื่อง … ประกาศ ณ วันที่ …`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Announcement {
    pub issuer: String,
    /// Announcements may be numbered like orders (`10/2567`).
    #[serde(default)]
    pub number: Option<String>,
    pub subject: String,
    pub body: Vec<String>,
    /// ประกาศ ณ วันที่.
    pub date: NaiveDate,
    pub signer: Signer,
}

/// One row of a list schedule: `๐๙.๓๐ - ๐๙.๔๕ น.  ชี้แจง…  โดย …`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleItem {
    pub start: NaiveTime,
    #[serde(default)]
    pub end: Option<NaiveTime>,
    /// What happens, one entry per printed line.
    pub what: Vec<String>,
    /// Who leads it, one entry per printed line (`โดย …` is added).
    #[serde(default)]
    pub by: Vec<String>,
}

/// A session in a grid schedule's day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GridSession {
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub what: String,
    /// How many of the half's time-slot columns it covers (a merged cell);
    /// by default one, the half's last session taking what is left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<u8>,
}

/// One day of a grid schedule: the sessions before and after the break.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GridDay {
    pub date: NaiveDate,
    #[serde(default)]
    pub morning: Vec<GridSession>,
    #[serde(default)]
    pub afternoon: Vec<GridSession>,
}

/// กำหนดการ: a list of timed items (seed 000), or a grid of days × time
/// slots with a break column (seed 003).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// Title lines, the first printed larger: `กำหนดการ`, the event's name …
    pub title: Vec<String>,
    /// The session line: label, date and time (`ครั้งที่ 1`, 2024-05-23, 09:30–12:00).
    #[serde(default)]
    pub session: Option<Session>,
    /// Lines after the title: venue or channel (`ผ่านสื่ออิเล็กทรอนิกส์ Webex`).
    #[serde(default)]
    pub venue: Vec<String>,
    #[serde(default)]
    pub items: Vec<ScheduleItem>,
    #[serde(default)]
    pub days: Vec<GridDay>,
    /// The break column's label (`พักรับประทานอาหารกลางวัน`).
    #[serde(default)]
    pub break_label: Option<String>,
    /// หมายเหตุ, numbered when more than one.
    #[serde(default)]
    pub notes: Vec<String>,
    /// How a list schedule prints its items: times in a column of their
    /// own (the default), or the dash list `- ๑๓.๐๐ - ๑๓.๓๐ น. …` of the
    /// seed letters.
    #[serde(default)]
    pub style: ScheduleStyle,
}

/// The print style of a list schedule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScheduleStyle {
    #[default]
    Table,
    Dash,
}

/// `ครั้งที่ ๑ วันพฤหัสบดีที่ ๒๓ พฤษภาคม ๒๕๖๗ เวลา ๐๙.๓๐ - ๑๒.๐๐ น.`, or a
/// range of days `ระหว่างวันที่ ๓ - ๕ มีนาคม ๒๕๖๔`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Session {
    #[serde(default)]
    pub label: Option<String>,
    pub date: NaiveDate,
    #[serde(default)]
    pub end_date: Option<NaiveDate>,
    #[serde(default)]
    pub start: Option<NaiveTime>,
    #[serde(default)]
    pub end: Option<NaiveTime>,
}

/// One numbered section of a project proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectSection {
    /// `หลักการและเหตุผล`; the number is added.
    pub heading: String,
    #[serde(default)]
    pub paragraphs: Vec<String>,
    /// Sub-items numbered `๒.๑`, `๒.๒` …
    #[serde(default)]
    pub items: Vec<String>,
    /// The budget, printed as figure and words computed from the amount.
    #[serde(default)]
    pub budget: Option<Budget>,
}

/// `จำนวนเงิน ๙,๑๐๐ บาท (เก้าพันหนึ่งร้อยบาทถ้วน) {detail}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Budget {
    /// The amount in baht as a decimal string (`9100`, `1234.50`); the words
    /// are always computed from it.
    pub amount: String,
    /// What follows the amount.
    #[serde(default)]
    pub detail: Option<String>,
}

/// โครงการ: sections ๑., ๒. … then the proposer and approver blocks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    pub title: String,
    pub sections: Vec<ProjectSection>,
    pub proposer: Signer,
    pub approver: Signer,
}

/// One QR code with its caption and the link printed beneath it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QrCode {
    pub caption: String,
    pub url: String,
}

/// แบบตอบรับ / QR annex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Form {
    pub title: String,
    /// Lines naming the event.
    #[serde(default)]
    pub lines: Vec<String>,
    #[serde(default)]
    pub session: Option<Session>,
    #[serde(default)]
    pub venue: Vec<String>,
    pub codes: Vec<QrCode>,
}

fn check_signer(c: &mut Checker<'_>, field: &str, s: &Signer) {
    let mut c = c.at(field);
    c.line("name", &s.name);
    c.list("position", &s.position, false);
    for (i, p) in s.position.iter().enumerate() {
        c.line(&format!("position[{i}]"), p);
    }
}

fn check_paragraphs(c: &mut Checker<'_>, field: &str, body: &[String], required: bool) {
    c.list(field, body, required);
    for (i, p) in body.iter().enumerate() {
        c.paragraph(&format!("{field}[{i}]"), p);
    }
}

fn check_lines(c: &mut Checker<'_>, field: &str, lines: &[String], required: bool) {
    c.list(field, lines, required);
    for (i, l) in lines.iter().enumerate() {
        c.line(&format!("{field}[{i}]"), l);
    }
}

/// A number must parse; orders and announcements must be `n/B.E. year`.
fn check_number(c: &mut Checker<'_>, field: &str, number: Option<&str>, order: bool) {
    let Some(n) = number else { return };
    let mut c = c.at(field);
    match crate::docnum::DocNumber::parse(n) {
        Ok(parsed) if order && parsed.year_be.is_none() => c.error(
            "เลขคำสั่งหรือประกาศต้องเป็น เลขที่/ปี พ.ศ. เช่น ๑๒๕/๒๕๖๗",
            "orders and announcements are numbered number/B.E. year, e.g. 125/2567",
        ),
        Ok(_) => {}
        Err(e) => c.error("เลขที่หนังสือไม่ถูกต้อง", &e.to_string()),
    }
}

impl Validate for Letter {
    fn validate_into(&self, c: &mut Checker<'_>) {
        check_number(c, "number", self.number.as_deref(), false);
        c.opt_short("office_code", self.office_code.as_deref());
        c.date("date", self.date);
        c.at("issuer").line("name", &self.issuer.name);
        check_lines(&mut c.at("issuer"), "address", &self.issuer.address, false);
        c.line("subject", &self.subject);
        c.line("to", &self.to);
        c.list("references", &self.references, false);
        for (i, r) in self.references.iter().enumerate() {
            let mut rc = c.at(&format!("references[{i}]"));
            if r.text.is_none() && r.number.is_none() {
                rc.error("ต้องมีเลขที่หนังสือหรือข้อความ", "needs a number or a text");
            }
            rc.opt_line("text", r.text.as_deref());
            rc.opt_line("issuer", r.issuer.as_deref());
            if let Some(d) = r.date {
                rc.date("date", d);
            }
            if let Some(n) = &r.number
                && let Err(e) = crate::docnum::DocNumber::parse(n)
            {
                rc.at("number").error("เลขที่หนังสือไม่ถูกต้อง", &e.to_string());
            }
        }
        c.list("enclosures", &self.enclosures, false);
        for (i, e) in self.enclosures.iter().enumerate() {
            let mut ec = c.at(&format!("enclosures[{i}]"));
            ec.line("text", &e.text);
            ec.opt_short("quantity", e.quantity.as_deref());
        }
        check_paragraphs(c, "body", &self.body, true);
        c.opt_line("closing", self.closing.as_deref());
        check_signer(c, "signer", &self.signer);
        let mut cc = c.at("contact");
        check_lines(&mut cc, "owner_unit", &self.contact.owner_unit, false);
        cc.opt_short("phone", self.contact.phone.as_deref());
        cc.opt_short("fax", self.contact.fax.as_deref());
        for (f, v) in [
            ("email", &self.contact.email),
            ("website", &self.contact.website),
            ("coordinator", &self.contact.coordinator),
        ] {
            cc.opt_line(f, v.as_deref());
        }
        check_lines(c, "copies_to", &self.copies_to, false);
    }
}

impl Validate for Memo {
    fn validate_into(&self, c: &mut Checker<'_>) {
        c.line("unit", &self.unit);
        check_number(c, "number", self.number.as_deref(), false);
        c.opt_short("office_code", self.office_code.as_deref());
        c.date("date", self.date);
        c.line("subject", &self.subject);
        c.line("to", &self.to);
        check_paragraphs(c, "body", &self.body, true);
        check_signer(c, "signer", &self.signer);
    }
}

impl Validate for Sealed {
    fn validate_into(&self, c: &mut Checker<'_>) {
        check_number(c, "number", self.number.as_deref(), false);
        c.opt_short("office_code", self.office_code.as_deref());
        c.line("issuer", &self.issuer);
        c.date("date", self.date);
        c.line("subject", &self.subject);
        c.line("to", &self.to);
        check_paragraphs(c, "body", &self.body, true);
        check_signer(c, "signer", &self.signer);
        let mut cc = c.at("contact");
        check_lines(&mut cc, "owner_unit", &self.contact.owner_unit, false);
        cc.opt_short("phone", self.contact.phone.as_deref());
        cc.opt_short("fax", self.contact.fax.as_deref());
    }
}

impl Validate for Order {
    fn validate_into(&self, c: &mut Checker<'_>) {
        c.line("issuer", &self.issuer);
        check_number(c, "number", self.number.as_deref(), true);
        c.line("subject", &self.subject);
        check_paragraphs(c, "body", &self.body, true);
        c.date("date", self.date);
        check_signer(c, "signer", &self.signer);
    }
}

impl Validate for Announcement {
    fn validate_into(&self, c: &mut Checker<'_>) {
        c.line("issuer", &self.issuer);
        check_number(c, "number", self.number.as_deref(), true);
        c.line("subject", &self.subject);
        check_paragraphs(c, "body", &self.body, true);
        c.date("date", self.date);
        check_signer(c, "signer", &self.signer);
    }
}

fn check_session(c: &mut Checker<'_>, s: &Session) {
    let mut c = c.at("session");
    c.opt_short("label", s.label.as_deref());
    c.date("date", s.date);
    if let Some(end) = s.end_date {
        c.date("end_date", end);
    }
    if let Some(end) = s.end_date
        && end < s.date
    {
        c.at("end_date")
            .error("วันสิ้นสุดอยู่ก่อนวันเริ่ม", "ends before it starts");
    }
    if let (Some(a), Some(b)) = (s.start, s.end)
        && b < a
    {
        c.at("end")
            .error("เวลาสิ้นสุดอยู่ก่อนเวลาเริ่ม", "ends before it starts");
    }
}

impl Validate for Schedule {
    fn validate_into(&self, c: &mut Checker<'_>) {
        check_lines(c, "title", &self.title, true);
        if let Some(s) = &self.session {
            check_session(c, s);
        }
        check_lines(c, "venue", &self.venue, false);
        if self.items.is_empty() && self.days.is_empty() {
            c.at("items").error(
                "ต้องมีรายการกำหนดการ (items) หรือตารางรายวัน (days)",
                "a schedule needs items (list form) or days (grid form)",
            );
        }
        c.list("items", &self.items, false);
        for (i, item) in self.items.iter().enumerate() {
            let mut ic = c.at(&format!("items[{i}]"));
            if let Some(end) = item.end
                && end < item.start
            {
                ic.at("end")
                    .error("เวลาสิ้นสุดอยู่ก่อนเวลาเริ่ม", "ends before it starts");
            }
            check_lines(&mut ic, "what", &item.what, true);
            check_lines(&mut ic, "by", &item.by, false);
        }
        c.list("days", &self.days, false);
        for (i, day) in self.days.iter().enumerate() {
            let mut dc = c.at(&format!("days[{i}]"));
            dc.date("date", day.date);
            for (part, sessions) in [("morning", &day.morning), ("afternoon", &day.afternoon)] {
                dc.list(part, sessions, false);
                for (j, s) in sessions.iter().enumerate() {
                    let mut sc = dc.at(&format!("{part}[{j}]"));
                    sc.paragraph("what", &s.what);
                    if s.end < s.start {
                        sc.at("end")
                            .error("เวลาสิ้นสุดอยู่ก่อนเวลาเริ่ม", "ends before it starts");
                    }
                    if matches!(s.span, Some(n) if n == 0 || n > 12) {
                        sc.at("span").error(
                            "ช่องที่รวมต้องมี ๑ ถึง ๑๒ ช่วงเวลา",
                            "a merged cell covers 1 to 12 time slots",
                        );
                    }
                }
            }
        }
        c.opt_line("break_label", self.break_label.as_deref());
        check_paragraphs(c, "notes", &self.notes, false);
    }
}

impl Validate for Project {
    fn validate_into(&self, c: &mut Checker<'_>) {
        c.paragraph("title", &self.title);
        c.list("sections", &self.sections, true);
        for (i, s) in self.sections.iter().enumerate() {
            let mut sc = c.at(&format!("sections[{i}]"));
            sc.line("heading", &s.heading);
            check_paragraphs(&mut sc, "paragraphs", &s.paragraphs, false);
            check_paragraphs(&mut sc, "items", &s.items, false);
            if let Some(b) = &s.budget {
                let mut bc = sc.at("budget");
                if let Err(e) = crate::thai::parse_baht_figure(&b.amount) {
                    bc.at("amount").error("จำนวนเงินไม่ถูกต้อง", &e.to_string());
                }
                if let Some(d) = &b.detail {
                    bc.paragraph("detail", d);
                }
            }
        }
        check_signer(c, "proposer", &self.proposer);
        check_signer(c, "approver", &self.approver);
    }
}

impl Validate for Form {
    fn validate_into(&self, c: &mut Checker<'_>) {
        c.line("title", &self.title);
        check_lines(c, "lines", &self.lines, false);
        if let Some(s) = &self.session {
            check_session(c, s);
        }
        check_lines(c, "venue", &self.venue, false);
        c.list("codes", &self.codes, true);
        for (i, q) in self.codes.iter().enumerate() {
            let mut qc = c.at(&format!("codes[{i}]"));
            qc.line("caption", &q.caption);
            qc.line("url", &q.url);
            if !(q.url.starts_with("https://") || q.url.starts_with("http://")) {
                qc.at("url").error(
                    "ต้องขึ้นต้นด้วย https:// หรือ http://",
                    "must start with https:// or http://",
                );
            }
        }
    }
}
