//! Inside the office, for a received letter: present it (เสนอ) to a
//! superior or along the office's chain, endorse it (เกษียน: a quick
//! choice and a note; passed on or decided), assign it (สั่งการ) to people
//! with a due date, and the assignees' work (comment, attach, draft a
//! reply, close, send back up, reassign). Every step is one transaction
//! that also writes the letter's timeline, a phrase of the receive
//! register's การปฏิบัติ and the audit chain.
//!
//! Rules beyond the role: the letter must have been received by the
//! caller's office; a secret letter is acted on only by its named readers,
//! and handed only to them; an endorsement is made by the person it was
//! presented to, and never changed afterwards (a later note corrects it).
//!
//! E-mail notices go through [`App::notify`] (`app::mail::notices`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::documents::{Upload, sniff};
use super::error::{AppError, AppResult, Kind};
use super::{Action, App, Caller, Delivery, DeliveryId, Stored, User, input};
use crate::store::accounts;
use crate::store::offices;
use crate::store::routing;
use crate::store::search::{self, Viewer};
use crate::store::workflow::{
    self as wf, Counts, Event, Item, ItemKind, ItemRef, ItemStatus, NewEvent, NewItem, Op, WorkFile,
};

/// The quick choices an endorsement offers (the note can say anything).
pub const QUICK_CHOICES: [&str; 6] = [
    "ทราบ",
    "เพื่อโปรดทราบ",
    "เพื่อโปรดพิจารณา",
    "มอบ … ดำเนินการ",
    "อนุมัติ",
    "ดำเนินการตามเสนอ",
];

/// Presenting a letter: to a chosen user, or the chain's first.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct PresentRequest {
    /// A user name (or `#id`) of the office; by default the chain's first.
    pub to: Option<String>,
    pub note: Option<String>,
}

/// An endorsement.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct EndorseRequest {
    pub choice: Option<String>,
    pub note: Option<String>,
    /// `pass` (to `to`, or the next in the chain) or `decide`; by default
    /// pass when someone follows in the chain, else decide.
    pub then: Option<String>,
    pub to: Option<String>,
}

/// A later note correcting an endorsement.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct CorrectRequest {
    pub event: i64,
    pub note: String,
}

/// An assignment to one or more people.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct AssignRequest {
    /// User names (or `#id`) of the office.
    pub to: Vec<String>,
    /// The unit named with it (กองคลัง), if any.
    pub unit: Option<String>,
    pub due: Option<String>,
    pub instruction: Option<String>,
}

/// A note on an item (comment, close, send back).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct NoteRequest {
    pub note: String,
}

/// Handing an item to someone else.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ReassignRequest {
    pub to: String,
    pub note: Option<String>,
}

/// What was done and what is pending with a received letter.
#[derive(Debug, Clone, Serialize)]
pub struct LetterWork {
    pub delivery_id: i64,
    pub document_id: i64,
    pub items: Vec<Item>,
    /// The timeline, oldest first.
    pub events: Vec<Event>,
    pub files: Vec<WorkFile>,
    /// The caller's own open item on it (to endorse or to work on).
    pub mine: Option<Item>,
    /// Someone is endorsing it now.
    pub presented: bool,
    /// The office's present chain, by name.
    pub chain: Vec<(i64, String)>,
    /// The users it could be presented or assigned to.
    pub people: Vec<(i64, String, String)>,
    pub choices: Vec<&'static str>,
}

/// One item in a user's work list, with what a list needs.
#[derive(Debug, Clone, Serialize)]
pub struct WorkEntry {
    #[serde(flatten)]
    pub item: Item,
    pub kind_th: &'static str,
    pub overdue: bool,
    /// Where to act on it.
    pub href: String,
}

impl Caller {
    /// The user id and name the timeline records.
    pub(crate) fn who(&self) -> (Option<i64>, String) {
        match self.user_ref() {
            Some(u) => (Some(u.id), u.display_name.clone()),
            None => (None, self.actor().0),
        }
    }
}

/// The first `n` characters of a note, for the register's column.
fn short(text: &str, n: usize) -> String {
    let t: String = text.trim().chars().take(n).collect();
    if text.trim().chars().count() > n {
        format!("{t}…")
    } else {
        t
    }
}

fn limited(field: &str, text: &str, max: usize) -> AppResult<String> {
    let t = text.trim();
    if t.chars().count() > max {
        return Err(AppError::invalid(
            field,
            format!("ข้อความยาวเกิน {max} ตัวอักษร"),
            format!("at most {max} characters"),
        ));
    }
    Ok(t.to_string())
}

pub(crate) fn conflict(code: &'static str, th: &str, en: &str) -> AppError {
    AppError::new(Kind::Conflict, code, th, en)
}

impl App {
    /// A user of the caller's office, by user name or `#id`; anything
    /// else (another office's user, an unknown name) is the same refusal.
    pub(crate) async fn office_user(&self, c: &Caller, field: &str, who: &str) -> AppResult<User> {
        let who = who.trim();
        let found = match who.strip_prefix('#').and_then(|n| n.parse::<i64>().ok()) {
            Some(id) => accounts::get(self.store(), id).await.ok(),
            None => accounts::find(self.store(), who).await?,
        };
        match found {
            Some(u) if u.office_id == c.office.id && u.active => Ok(u),
            _ => Err(AppError::invalid(
                field,
                format!("ไม่พบผู้ใช้ “{who}” ในส่วนราชการนี้"),
                format!("no user “{who}” in this office"),
            )),
        }
    }

    /// Refuses a person who may not do `action`, or who may not read the
    /// (secret) document.
    pub(crate) async fn may_hand_to(
        &self,
        field: &str,
        user: &User,
        action: Action,
        document_id: i64,
    ) -> AppResult<()> {
        if !user.role.may(action) {
            return Err(AppError::invalid(
                field,
                format!(
                    "{} ({}) ไม่มีบทบาทสำหรับขั้นตอนนี้",
                    user.display_name,
                    user.role.thai()
                ),
                format!(
                    "{} ({}) has no role for this step",
                    user.username,
                    user.role.key()
                ),
            ));
        }
        let viewer = Viewer {
            office_id: user.office_id,
            user_id: Some(user.id),
        };
        if !search::can_see(self.store(), &viewer, document_id).await? {
            return Err(AppError::invalid(
                field,
                format!(
                    "{} ไม่มีชื่อเป็นผู้อ่านหนังสือลับฉบับนี้ ให้หัวหน้าส่วนราชการเพิ่มชื่อก่อน",
                    user.display_name
                ),
                format!(
                    "{} is not a named reader of this secret letter",
                    user.username
                ),
            ));
        }
        Ok(())
    }

    /// A delivery to the caller's office (its sender does not see what
    /// the recipient does inside), whose letter the caller may read.
    async fn delivery_to_me(&self, c: &Caller, id: DeliveryId) -> AppResult<Delivery> {
        let d = routing::get(self.store(), &c.office, id.0).await?;
        if d.to_office != c.office.id {
            return Err(AppError::not_found());
        }
        if !search::can_see(self.store(), &c.viewer(), d.document_id).await? {
            return Err(AppError::not_a_reader());
        }
        Ok(d)
    }

    /// A delivery to the caller's office that it has received, whose
    /// letter the caller may read.
    async fn received_letter(&self, c: &Caller, id: DeliveryId) -> AppResult<(Delivery, i64)> {
        let d = self.delivery_to_me(c, id).await?;
        let Some(entry) = d.receive_entry else {
            return Err(conflict(
                "not_received",
                "ต้องลงรับหนังสือก่อน",
                "receive the letter first",
            ));
        };
        Ok((d, entry))
    }

    /// The caller's open item of `kind` on a delivery.
    async fn my_open_item(
        &self,
        c: &Caller,
        d: &Delivery,
        kind: ItemKind,
    ) -> AppResult<Option<Item>> {
        let Some(me) = c.user_ref().map(|u| u.id) else {
            return Ok(None);
        };
        Ok(wf::items_of(self.store(), d.document_id, Some(d.id))
            .await?
            .into_iter()
            .find(|i| i.kind == kind && i.status == ItemStatus::Open && i.assignee_id == me))
    }

    fn event(c: &Caller, d: &Delivery, kind: &'static str) -> NewEvent {
        let (user_id, actor) = c.who();
        NewEvent {
            office_id: c.office.id,
            document_id: d.document_id,
            delivery_id: Some(d.id),
            item: None,
            kind,
            user_id,
            actor,
            target_id: None,
            choice: String::new(),
            note: String::new(),
            version: None,
            corrects: None,
            related_id: None,
        }
    }

    fn endorse_item(c: &Caller, d: &Delivery, to: &User) -> NewItem {
        NewItem {
            office_id: c.office.id,
            kind: ItemKind::Endorse,
            document_id: d.document_id,
            delivery_id: Some(d.id),
            assignee_id: to.id,
            unit: String::new(),
            tier: 0,
            version: None,
            instruction: String::new(),
            due: None,
            created_by: c.user_ref().map(|u| u.id),
        }
    }

    /// เสนอ: presents a received letter to a superior (or the chain's
    /// first), who finds it among what to endorse.
    pub async fn present(
        &self,
        c: &Caller,
        id: DeliveryId,
        req: &PresentRequest,
    ) -> AppResult<Item> {
        c.may(Action::Present)?;
        let (d, entry) = self.received_letter(c, id).await?;
        let items = wf::items_of(self.store(), d.document_id, Some(d.id)).await?;
        if let Some(open) = items
            .iter()
            .find(|i| i.kind == ItemKind::Endorse && i.status == ItemStatus::Open)
        {
            return Err(conflict(
                "already_presented",
                &format!("หนังสือนี้อยู่ระหว่างเสนอ {}", open.assignee_name),
                "this letter is already presented to someone",
            ));
        }
        let to = match input::optional(req.to.as_deref()) {
            Some(who) => self.office_user(c, "to", who).await?,
            None => {
                let settings = wf::settings(self.store(), c.office.id).await?;
                let first = settings.chain.first().ok_or_else(|| {
                    AppError::invalid(
                        "to",
                        "กรุณาเลือกผู้รับการเสนอ (ส่วนราชการนี้ยังไม่ได้ตั้งสายการเสนอ)",
                        "choose whom to present to (this office has no present chain)",
                    )
                })?;
                accounts::get(self.store(), *first).await?
            }
        };
        self.may_hand_to("to", &to, Action::Endorse, d.document_id)
            .await?;
        let note = limited("note", req.note.as_deref().unwrap_or(""), 2000)?;
        let mut event = App::event(c, &d, "present");
        event.item = Some(ItemRef::New(0));
        event.target_id = Some(to.id);
        event.note = note;
        let ops = vec![
            Op::Open(App::endorse_item(c, &d, &to)),
            Op::Event(event),
            Op::RegisterAction {
                entry_id: entry,
                phrase: format!("เสนอ {}", to.display_name),
            },
        ];
        let made = wf::apply(self.store(), &c.actor(), c.now, ops).await?;
        self.notify(c, &made.items).await;
        self.item_by_id(made.items[0]).await
    }

    async fn item_by_id(&self, id: i64) -> AppResult<Item> {
        wf::item(self.store(), id)
            .await?
            .ok_or_else(AppError::not_found)
    }

    /// เกษียน: the person a letter was presented to endorses it, then
    /// passes it on (to someone named, or the next in the chain) or
    /// decides. The endorsement stands as written.
    pub async fn endorse(
        &self,
        c: &Caller,
        id: DeliveryId,
        req: &EndorseRequest,
    ) -> AppResult<Vec<Event>> {
        c.may(Action::Endorse)?;
        let (d, entry) = self.received_letter(c, id).await?;
        let item = self
            .my_open_item(c, &d, ItemKind::Endorse)
            .await?
            .ok_or_else(|| {
                conflict(
                    "not_presented",
                    "ไม่มีเรื่องนี้เสนอท่านรออยู่",
                    "this letter is not waiting for your endorsement",
                )
            })?;
        let choice = limited("choice", req.choice.as_deref().unwrap_or(""), 200)?;
        let note = limited("note", req.note.as_deref().unwrap_or(""), 2000)?;
        if choice.is_empty() && note.is_empty() {
            return Err(AppError::invalid(
                "note",
                "กรุณาเลือกข้อความเกษียนหรือพิมพ์บันทึก",
                "choose an endorsement or write a note",
            ));
        }
        let (me, name) = c.who();
        // Who follows: named, or the next in the chain after the caller.
        let named = match input::optional(req.to.as_deref()) {
            Some(who) => Some(self.office_user(c, "to", who).await?),
            None => None,
        };
        let then = input::optional(req.then.as_deref());
        let next = match (then, named) {
            (Some("decide"), _) => None,
            (_, Some(u)) => Some(u),
            (t, None) => {
                let chain = wf::settings(self.store(), c.office.id).await?.chain;
                let after = me
                    .and_then(|me| chain.iter().position(|u| *u == me))
                    .and_then(|i| chain.get(i + 1));
                match (t, after) {
                    (_, Some(next)) => Some(accounts::get(self.store(), *next).await?),
                    (Some("pass"), None) => {
                        return Err(AppError::invalid(
                            "to",
                            "ไม่มีผู้รับการเสนอต่อในสาย กรุณาเลือกผู้รับ",
                            "nobody follows in the chain; choose whom to pass it to",
                        ));
                    }
                    _ => None,
                }
            }
        };
        if let Some(t) = then
            && !matches!(t, "pass" | "decide")
        {
            return Err(AppError::invalid(
                "then",
                "ขั้นต่อไปต้องเป็น pass หรือ decide",
                "then must be pass or decide",
            ));
        }
        let mut endorsement = App::event(c, &d, "endorse");
        endorsement.item = Some(ItemRef::Id(item.id));
        endorsement.choice = choice.clone();
        endorsement.note = note.clone();
        let said = if choice.is_empty() {
            short(&note, 60)
        } else {
            choice.clone()
        };
        let mut phrase = format!("{name}: {said}");
        let mut ops = Vec::new();
        match &next {
            Some(to) => {
                self.may_hand_to("to", to, Action::Endorse, d.document_id)
                    .await?;
                if Some(to.id) == me {
                    return Err(AppError::invalid(
                        "to",
                        "เสนอต่อให้ตนเองไม่ได้",
                        "you cannot pass it to yourself",
                    ));
                }
                ops.push(Op::Close {
                    item: item.id,
                    status: ItemStatus::Passed,
                    note: String::new(),
                });
                ops.push(Op::Event(endorsement));
                ops.push(Op::Open(App::endorse_item(c, &d, to)));
                let mut present = App::event(c, &d, "present");
                present.item = Some(ItemRef::New(0));
                present.target_id = Some(to.id);
                ops.push(Op::Event(present));
                phrase.push_str(&format!(" เสนอ {}", to.display_name));
            }
            None => {
                ops.push(Op::Close {
                    item: item.id,
                    status: ItemStatus::Done,
                    note: String::new(),
                });
                ops.push(Op::Event(endorsement));
            }
        }
        ops.push(Op::RegisterAction {
            entry_id: entry,
            phrase,
        });
        let made = wf::apply(self.store(), &c.actor(), c.now, ops).await?;
        self.notify(c, &made.items).await;
        let events = wf::events_of(self.store(), d.document_id, Some(d.id)).await?;
        Ok(events
            .into_iter()
            .filter(|e| made.events.contains(&e.id))
            .collect())
    }

    /// A later note that corrects the caller's own endorsement; the
    /// endorsement itself stays as it was.
    pub async fn correct_endorsement(
        &self,
        c: &Caller,
        id: DeliveryId,
        req: &CorrectRequest,
    ) -> AppResult<Event> {
        c.may(Action::Endorse)?;
        let (d, entry) = self.received_letter(c, id).await?;
        let target = wf::event(self.store(), req.event)
            .await?
            .filter(|e| e.delivery_id == Some(d.id))
            .ok_or_else(AppError::not_found)?;
        let (me, name) = c.who();
        if !matches!(target.kind.as_str(), "endorse" | "correct") || target.user_id != me {
            return Err(conflict(
                "not_yours",
                "แก้ไขได้เฉพาะคำเกษียนของตนเอง",
                "only your own endorsement can be corrected",
            ));
        }
        let note = input::required(
            "note",
            &req.note,
            "กรุณาพิมพ์ข้อความที่แก้ไข",
            "write the correction",
        )?;
        let note = limited("note", note, 2000)?;
        let mut e = App::event(c, &d, "correct");
        e.corrects = Some(target.id);
        e.note = note.clone();
        let ops = vec![
            Op::Event(e),
            Op::RegisterAction {
                entry_id: entry,
                phrase: format!("{name} แก้ไขคำเกษียน: {}", short(&note, 60)),
            },
        ];
        let made = wf::apply(self.store(), &c.actor(), c.now, ops).await?;
        wf::event(self.store(), made.events[0])
            .await?
            .ok_or_else(AppError::not_found)
    }

    /// สั่งการ: assigns a received letter to one or more people of the
    /// office, with a due date and an instruction. The assigner's own
    /// open endorsement, if any, is decided by it.
    pub async fn assign(
        &self,
        c: &Caller,
        id: DeliveryId,
        req: &AssignRequest,
    ) -> AppResult<Vec<Item>> {
        c.may(Action::Assign)?;
        let (d, entry) = self.received_letter(c, id).await?;
        let names: Vec<&str> = req
            .to
            .iter()
            .flat_map(|t| t.split(','))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .collect();
        if names.is_empty() {
            return Err(AppError::invalid(
                "to",
                "กรุณาเลือกผู้รับมอบหมายอย่างน้อยหนึ่งคน",
                "name at least one assignee",
            ));
        }
        let mut people: Vec<User> = Vec::new();
        for n in names {
            let u = self.office_user(c, "to", n).await?;
            self.may_hand_to("to", &u, Action::Work, d.document_id)
                .await?;
            if !people.iter().any(|p| p.id == u.id) {
                people.push(u);
            }
        }
        let due = input::optional_date("due", req.due.as_deref())?;
        let instruction = limited(
            "instruction",
            req.instruction.as_deref().unwrap_or(""),
            2000,
        )?;
        let unit = limited("unit", req.unit.as_deref().unwrap_or(""), 200)?;
        let mut ops = Vec::new();
        if let Some(mine) = self.my_open_item(c, &d, ItemKind::Endorse).await? {
            ops.push(Op::Close {
                item: mine.id,
                status: ItemStatus::Done,
                note: String::new(),
            });
        }
        for (i, p) in people.iter().enumerate() {
            ops.push(Op::Open(NewItem {
                office_id: c.office.id,
                kind: ItemKind::Work,
                document_id: d.document_id,
                delivery_id: Some(d.id),
                assignee_id: p.id,
                unit: unit.clone(),
                tier: 0,
                version: None,
                instruction: instruction.clone(),
                due,
                created_by: c.user_ref().map(|u| u.id),
            }));
            let mut e = App::event(c, &d, "assign");
            e.item = Some(ItemRef::New(i));
            e.target_id = Some(p.id);
            e.choice = unit.clone();
            e.note = instruction.clone();
            ops.push(Op::Event(e));
        }
        let list = people
            .iter()
            .map(|p| p.display_name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let unit_part = if unit.is_empty() {
            String::new()
        } else {
            format!(" ({unit})")
        };
        let by = due
            .map(|d| {
                format!(
                    " ภายใน {}",
                    crate::thai::format_date(
                        d,
                        crate::thai::DateStyle::Short,
                        c.office.fields.digits
                    )
                )
            })
            .unwrap_or_default();
        ops.push(Op::RegisterAction {
            entry_id: entry,
            phrase: format!("มอบ {list}{unit_part} ดำเนินการ{by}"),
        });
        let made = wf::apply(self.store(), &c.actor(), c.now, ops).await?;
        self.notify(c, &made.items).await;
        let mut out = Vec::new();
        for id in made.items {
            out.push(self.item_by_id(id).await?);
        }
        Ok(out)
    }

    /// The caller's own open work item `id` on a letter they may read.
    async fn my_work_item(&self, c: &Caller, id: i64) -> AppResult<(Item, Delivery, i64)> {
        let item = wf::item(self.store(), id)
            .await?
            .filter(|i| i.office_id == c.office.id && i.delivery_id.is_some())
            .ok_or_else(AppError::not_found)?;
        let (d, entry) = self
            .received_letter(c, DeliveryId(item.delivery_id.unwrap_or_default()))
            .await?;
        if c.user_ref().map(|u| u.id) != Some(item.assignee_id) {
            return Err(conflict(
                "not_yours",
                "งานนี้มอบหมายให้ผู้อื่น",
                "this item is assigned to someone else",
            ));
        }
        if item.status != ItemStatus::Open || item.kind != ItemKind::Work {
            return Err(conflict(
                "item_closed",
                "งานนี้ปิดแล้วหรือไม่ใช่งานที่มอบหมาย",
                "this item is closed or not an assignment",
            ));
        }
        Ok((item, d, entry))
    }

    /// Adds a comment to an assignment.
    pub async fn comment(&self, c: &Caller, item: i64, req: &NoteRequest) -> AppResult<Event> {
        c.may(Action::Work)?;
        let (item, d, _) = self.my_work_item(c, item).await?;
        let note = input::required("note", &req.note, "กรุณาพิมพ์ความเห็น", "write a comment")?;
        let mut e = App::event(c, &d, "comment");
        e.item = Some(ItemRef::Id(item.id));
        e.note = limited("note", note, 4000)?;
        let made = wf::apply(self.store(), &c.actor(), c.now, vec![Op::Event(e)]).await?;
        wf::event(self.store(), made.events[0])
            .await?
            .ok_or_else(AppError::not_found)
    }

    /// Attaches a file to an assignment (typed by its bytes, like a
    /// document's attachments).
    pub async fn attach_to_work(
        &self,
        c: &Caller,
        item: i64,
        file: Upload<'_>,
    ) -> AppResult<WorkFile> {
        c.may(Action::Work)?;
        let (item, d, _) = self.my_work_item(c, item).await?;
        let media_type = sniff(file.name, file.bytes)?;
        let name = input::required("name", file.name, "กรุณาระบุชื่อไฟล์", "name the file")?;
        if file.bytes.len() > 30 * 1024 * 1024 {
            return Err(AppError::new(
                Kind::TooLarge,
                "too_large",
                "ไฟล์ใหญ่เกิน 30 MB",
                "the file is larger than 30 MB",
            ));
        }
        let mut e = App::event(c, &d, "attach");
        e.item = Some(ItemRef::Id(item.id));
        e.note = name.to_string();
        let ops = vec![
            Op::File {
                item: ItemRef::Id(item.id),
                name: name.to_string(),
                media_type,
                bytes: file.bytes.to_vec(),
            },
            Op::Event(e),
        ];
        let made = wf::apply(self.store(), &c.actor(), c.now, ops).await?;
        let files = wf::files_of(self.store(), d.id).await?;
        files
            .into_iter()
            .find(|f| Some(f.id) == made.files.first().copied())
            .ok_or_else(AppError::not_found)
    }

    /// A file attached to an assignment of a letter the caller may read.
    pub async fn work_file(
        &self,
        c: &Caller,
        id: DeliveryId,
        file: i64,
    ) -> AppResult<super::documents::Download> {
        c.may(Action::Read)?;
        let (d, _) = self.received_letter(c, id).await?;
        let (f, delivery, bytes) = wf::file_bytes(self.store(), file)
            .await?
            .filter(|(_, delivery, _)| *delivery == Some(d.id))
            .ok_or_else(AppError::not_found)?;
        let _ = delivery;
        Ok(super::documents::Download {
            name: f.name,
            media_type: f.media_type,
            bytes,
        })
    }

    /// Drafts a reply to the letter of an assignment (linked to it as
    /// `replies_to`): the given document, or a first draft addressed to
    /// the sender.
    pub async fn draft_reply(
        &self,
        c: &Caller,
        item: i64,
        doc: Option<crate::model::Document>,
    ) -> AppResult<Stored> {
        c.may(Action::Work)?;
        c.may(Action::Draft)?;
        let (item, d, entry) = self.my_work_item(c, item).await?;
        let letter = crate::store::documents::get(self.store(), d.document_id).await?;
        let doc = match doc {
            Some(doc) => doc,
            None => {
                let sender = offices::get(self.store(), d.from_office).await?;
                let speaker = self.agency(c).await?;
                wf::reply_letter(&letter.content, &c.office, &speaker, &sender, c.today())?
            }
        };
        super::documents::refuse_top_secret(&doc)?;
        let readers: Vec<i64> = if search::secrecy_of(&doc).is_some() {
            c.user_ref().map(|u| u.id).into_iter().collect()
        } else {
            Vec::new()
        };
        let (_, name) = c.who();
        let mut e = App::event(c, &d, "reply");
        e.item = Some(ItemRef::Id(item.id));
        let ops = vec![
            Op::Draft {
                office: Box::new(c.office.clone()),
                doc: Box::new(doc),
                readers,
                replies_to: d.document_id,
            },
            Op::Event(e),
            Op::RegisterAction {
                entry_id: entry,
                phrase: format!("{name} ร่างหนังสือตอบ"),
            },
        ];
        let made = wf::apply(self.store(), &c.actor(), c.now, ops).await?;
        let id = made.draft.ok_or_else(AppError::not_found)?;
        Ok(crate::store::documents::get(self.store(), id).await?)
    }

    /// Closes an assignment with a note (what was done).
    pub async fn close_work(&self, c: &Caller, item: i64, req: &NoteRequest) -> AppResult<Item> {
        c.may(Action::Work)?;
        let (item, d, entry) = self.my_work_item(c, item).await?;
        let note = input::required(
            "note",
            &req.note,
            "กรุณาบันทึกผลการดำเนินการ",
            "say what was done",
        )?;
        let note = limited("note", note, 2000)?;
        let (_, name) = c.who();
        let mut e = App::event(c, &d, "close");
        e.item = Some(ItemRef::Id(item.id));
        e.note = note.clone();
        let ops = vec![
            Op::Close {
                item: item.id,
                status: ItemStatus::Done,
                note: note.clone(),
            },
            Op::Event(e),
            Op::RegisterAction {
                entry_id: entry,
                phrase: format!("{name} ดำเนินการแล้ว: {}", short(&note, 60)),
            },
        ];
        wf::apply(self.store(), &c.actor(), c.now, ops).await?;
        self.item_by_id(item.id).await
    }

    /// Sends an assignment back up to whoever assigned it, who finds the
    /// letter among what to endorse again.
    pub async fn send_back(&self, c: &Caller, item: i64, req: &NoteRequest) -> AppResult<Item> {
        c.may(Action::Work)?;
        let (item, d, entry) = self.my_work_item(c, item).await?;
        let note = input::required(
            "note",
            &req.note,
            "กรุณาระบุเหตุผลที่ส่งคืน",
            "say why it goes back",
        )?;
        let note = limited("note", note, 2000)?;
        let (_, name) = c.who();
        let mut ops = vec![Op::Close {
            item: item.id,
            status: ItemStatus::Returned,
            note: note.clone(),
        }];
        let mut e = App::event(c, &d, "send_back");
        e.item = Some(ItemRef::Id(item.id));
        e.note = note.clone();
        let back = match item.created_by {
            Some(id) => accounts::get(self.store(), id).await.ok(),
            None => None,
        };
        if let Some(up) = back.filter(|u| u.active && u.role.may(Action::Endorse)) {
            e.target_id = Some(up.id);
            ops.push(Op::Open(App::endorse_item(c, &d, &up)));
        }
        ops.push(Op::Event(e));
        ops.push(Op::RegisterAction {
            entry_id: entry,
            phrase: format!("{name} ส่งเรื่องคืน: {}", short(&note, 60)),
        });
        let made = wf::apply(self.store(), &c.actor(), c.now, ops).await?;
        self.notify(c, &made.items).await;
        self.item_by_id(item.id).await
    }

    /// Hands an assignment to someone else: its assignee may, and so may
    /// anyone who assigns.
    pub async fn reassign(&self, c: &Caller, item: i64, req: &ReassignRequest) -> AppResult<Item> {
        let found = wf::item(self.store(), item)
            .await?
            .filter(|i| i.office_id == c.office.id && i.delivery_id.is_some())
            .ok_or_else(AppError::not_found)?;
        let mine = c.user_ref().map(|u| u.id) == Some(found.assignee_id);
        if mine {
            c.may(Action::Work)?;
        } else {
            c.may(Action::Assign)?;
        }
        let (d, entry) = self
            .received_letter(c, DeliveryId(found.delivery_id.unwrap_or_default()))
            .await?;
        if found.status != ItemStatus::Open || found.kind != ItemKind::Work {
            return Err(conflict(
                "item_closed",
                "งานนี้ปิดแล้วหรือไม่ใช่งานที่มอบหมาย",
                "this item is closed or not an assignment",
            ));
        }
        let to = self.office_user(c, "to", &req.to).await?;
        self.may_hand_to("to", &to, Action::Work, d.document_id)
            .await?;
        if to.id == found.assignee_id {
            return Err(AppError::invalid(
                "to",
                "ผู้รับมอบหมายคนเดิม",
                "the same assignee",
            ));
        }
        let note = limited("note", req.note.as_deref().unwrap_or(""), 2000)?;
        let (_, name) = c.who();
        let mut e = App::event(c, &d, "reassign");
        e.item = Some(ItemRef::New(0));
        e.target_id = Some(to.id);
        e.note = note.clone();
        let ops = vec![
            Op::Close {
                item: found.id,
                status: ItemStatus::Reassigned,
                note: note.clone(),
            },
            Op::Open(NewItem {
                office_id: c.office.id,
                kind: ItemKind::Work,
                document_id: d.document_id,
                delivery_id: Some(d.id),
                assignee_id: to.id,
                unit: found.unit.clone(),
                tier: 0,
                version: None,
                instruction: found.instruction.clone(),
                due: found.due,
                created_by: c.user_ref().map(|u| u.id),
            }),
            Op::Event(e),
            Op::RegisterAction {
                entry_id: entry,
                phrase: format!("{name} มอบต่อ {}", to.display_name),
            },
        ];
        let made = wf::apply(self.store(), &c.actor(), c.now, ops).await?;
        self.notify(c, &made.items).await;
        self.item_by_id(made.items[0]).await
    }

    /// What was done and is pending with a received letter: its timeline,
    /// items and files, and the caller's own open item.
    pub async fn letter_work(&self, c: &Caller, id: DeliveryId) -> AppResult<LetterWork> {
        c.may(Action::Read)?;
        let d = self.delivery_to_me(c, id).await?;
        let items = wf::items_of(self.store(), d.document_id, Some(d.id)).await?;
        let events = wf::events_of(self.store(), d.document_id, Some(d.id)).await?;
        let files = wf::files_of(self.store(), d.id).await?;
        let me = c.user_ref().map(|u| u.id);
        let mine = items
            .iter()
            .find(|i| i.status == ItemStatus::Open && Some(i.assignee_id) == me)
            .cloned();
        let presented = items
            .iter()
            .any(|i| i.kind == ItemKind::Endorse && i.status == ItemStatus::Open);
        let settings = wf::settings(self.store(), c.office.id).await?;
        let users = accounts::list(self.store(), Some(c.office.id)).await?;
        let name_of = |id: i64| {
            users
                .iter()
                .find(|u| u.id == id)
                .map(|u| u.display_name.clone())
                .unwrap_or_default()
        };
        let chain = settings
            .chain
            .iter()
            .map(|id| (*id, name_of(*id)))
            .collect();
        let people = users
            .iter()
            .filter(|u| u.active && u.role.may(Action::Work))
            .map(|u| (u.id, u.username.clone(), u.display_name.clone()))
            .collect();
        Ok(LetterWork {
            delivery_id: d.id,
            document_id: d.document_id,
            items,
            events,
            files,
            mine,
            presented,
            chain,
            people,
            choices: QUICK_CHOICES.to_vec(),
        })
    }

    /// งานของฉัน: the caller's open items, most pressing first. A secret
    /// letter's subject shows only to its readers.
    pub async fn my_work(&self, c: &Caller) -> AppResult<Vec<WorkEntry>> {
        c.may(Action::Read)?;
        let Some(me) = c.user_ref() else {
            return Ok(Vec::new());
        };
        let mut items = wf::open_items_of(self.store(), me.id).await?;
        let secret: Vec<i64> = items
            .iter()
            .filter(|i| i.secrecy.is_some())
            .map(|i| i.document_id)
            .collect();
        let readable = search::visible_ids(self.store(), &c.viewer(), &secret).await?;
        let today = c.today();
        for i in &mut items {
            if i.secrecy.is_some() && !readable.contains(&i.document_id) {
                i.subject = String::new();
            }
        }
        Ok(items
            .into_iter()
            .map(|item| WorkEntry {
                kind_th: item.kind.thai(),
                overdue: item.due.is_some_and(|d: NaiveDate| d < today),
                href: match item.delivery_id {
                    Some(d) => format!("/deliveries/{d}"),
                    None => format!("/documents/{}", item.document_id),
                },
                item,
            })
            .collect())
    }

    /// The counts every page's header shows: one statement. Zero for the
    /// operator, who has no work list.
    pub async fn work_counts(&self, c: &Caller) -> AppResult<Counts> {
        match c.user_ref() {
            Some(u) => Ok(wf::counts(self.store(), u.id, c.today()).await?),
            None => Ok(Counts::default()),
        }
    }

    /// Notices to the people given new items: by e-mail when the office
    /// has a mailbox (urgent ones at once, the rest in a daily digest;
    /// `app::mail::notices`).
    pub(crate) async fn notify(&self, c: &Caller, items: &[i64]) {
        if !items.is_empty() {
            self.mail_notices(c, items).await;
        }
    }
}

/// A stored instant as the sheet prints it: B.E. date and time, in the
/// office's digits.
fn printed_at(at: &str, digits: crate::thai::Digits) -> String {
    match chrono::DateTime::parse_from_rfc3339(at) {
        Ok(t) => {
            let local = t.with_timezone(&crate::store::bangkok());
            format!(
                "{} {}",
                crate::thai::format_date(local.date_naive(), crate::thai::DateStyle::Short, digits),
                digits.apply(&local.format("%H.%M น.").to_string())
            )
        }
        Err(_) => at.to_string(),
    }
}

impl App {
    /// ใบเกษียน: the letter's heading and every presentation,
    /// endorsement, correction and assignment, as PDF.
    pub async fn endorsement_sheet(
        &self,
        c: &Caller,
        id: DeliveryId,
    ) -> AppResult<super::documents::Download> {
        use crate::render::sheet::{EndorsementSheet, SheetEntry};
        c.may(Action::Read)?;
        let (d, entry) = self.received_letter(c, id).await?;
        let letter = crate::store::documents::get(self.store(), d.document_id).await?;
        let events = wf::events_of(self.store(), d.document_id, Some(d.id)).await?;
        let digits = c.office.fields.digits;
        let date = |x: Option<chrono::NaiveDate>| {
            x.map(|x| crate::thai::format_date(x, crate::thai::DateStyle::Long, digits))
                .unwrap_or_default()
        };
        let received = wf::entry_number(self.store(), entry)
            .await?
            .map(|n| digits.apply(&n))
            .unwrap_or_default();
        let heading = vec![
            ("เลขทะเบียนรับ".to_string(), received),
            (
                "ที่".to_string(),
                digits.apply(letter.number.as_deref().unwrap_or("")),
            ),
            ("ลงวันที่".to_string(), date(letter.date)),
            ("จาก".to_string(), letter.issuer.clone()),
            ("เรื่อง".to_string(), letter.subject.clone()),
        ];
        let entries = events
            .iter()
            .filter_map(|e| {
                let target = e.target_name.clone().unwrap_or_default();
                let step = match e.kind.as_str() {
                    "present" => format!("เสนอ {target}"),
                    "endorse" => "เกษียน".to_string(),
                    "correct" => "แก้ไขคำเกษียน".to_string(),
                    "assign" if e.choice.is_empty() => format!("มอบหมาย {target}"),
                    "assign" => format!("มอบหมาย {target} ({})", e.choice),
                    "send_back" => "ส่งเรื่องคืน".to_string(),
                    _ => return None,
                };
                let choice = match e.kind.as_str() {
                    "endorse" => e.choice.clone(),
                    _ => String::new(),
                };
                Some(SheetEntry {
                    step,
                    choice,
                    note: e.note.clone(),
                    by: e.actor.clone(),
                    at: printed_at(&e.at, digits),
                })
            })
            .collect();
        let sheet = EndorsementSheet {
            title: "ใบเกษียนหนังสือ".into(),
            office: c.office.fields.name.clone(),
            heading,
            entries,
            empty: "ยังไม่มีการเสนอหรือเกษียน".into(),
        };
        let dated = c.today();
        let bytes = self
            .rendering(move |r| Ok(r.render_endorsement_sheet(&sheet, digits, dated)?))
            .await?;
        Ok(super::documents::Download {
            name: format!("เกษียน-{}.pdf", d.id),
            media_type: "application/pdf".into(),
            bytes,
        })
    }
}
