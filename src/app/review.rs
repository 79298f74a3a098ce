//! Outgoing drafts inside the office: submitted to the checker(s) of the
//! office's tiers (0, 1 or 2) and then the signer; each passes it on or
//! sends it back with comments, kept with the version they saw. The
//! signer signs with a typed name (regulation No. 4, 2564, in an
//! authenticated system): the user id and time are recorded, the name and
//! an acting role in force that day go into the signature block, and the
//! signed version is what numbering checks when the office requires a
//! signature. Also: each office's settings and users' acting roles.

use serde::{Deserialize, Serialize};

use super::error::{AppError, AppResult};
use super::workflow::conflict;
use super::{Action, App, Caller, DocState, DocumentId, Stored, User, input};
use crate::model::{Part, Signer};
use crate::store::accounts;
use crate::store::workflow::{
    self as wf, ActingChange, ActingKind, ActingRole, Event, Item, ItemKind, ItemRef, ItemStatus,
    NewEvent, NewItem, Op, Settings,
};

/// Submitting a draft: by default the office's checkers and signer.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct SubmitRequest {
    /// One user name (or `#id`) per check tier.
    pub checkers: Vec<String>,
    pub signer: Option<String>,
    pub note: Option<String>,
}

/// A checker's or the signer's decision.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ReviewRequest {
    /// `pass` / `sign`, or `return`.
    pub decision: String,
    pub note: Option<String>,
    /// The signer's typed name (signing only).
    pub name: Option<String>,
}

/// An office's settings as typed.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct SettingsRequest {
    pub check_tiers: i64,
    pub require_signing: bool,
    pub chain: Vec<String>,
    pub checkers: Vec<String>,
    pub signer: Option<String>,
}

/// The office's workflow settings with its people, for the settings page.
#[derive(Debug, Clone, Serialize)]
pub struct WorkflowOverview {
    pub settings: Settings,
    pub people: Vec<Person>,
}

/// A user of the office, what they may do in the workflow and their
/// acting roles.
#[derive(Debug, Clone, Serialize)]
pub struct Person {
    pub user: User,
    pub role_th: &'static str,
    pub endorses: bool,
    pub checks: bool,
    pub signs: bool,
    pub acting: Vec<ActingRole>,
}

/// An acting role as typed.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ActingRequest {
    pub user: String,
    /// `acting_for` (ปฏิบัติราชการแทน) or `acting_as` (รักษาราชการแทน).
    pub kind: String,
    pub position: String,
    pub for_position: String,
    pub from: String,
    pub to: String,
}

/// Where a draft stands in the office, for its page.
#[derive(Debug, Clone, Serialize)]
pub struct DraftReview {
    pub document_id: i64,
    pub items: Vec<Item>,
    pub events: Vec<Event>,
    /// The signature on the current version, if any.
    pub signature: Option<Event>,
    pub version: i64,
    /// รอตรวจ, รอลงนาม, ลงนามแล้ว, ส่งกลับแก้ไข, or empty.
    pub stage_th: String,
    pub mine: Option<Item>,
    pub settings: Settings,
    /// Users who may check and sign, for the submit form.
    pub checkers: Vec<(i64, String, String)>,
    pub signers: Vec<(i64, String, String)>,
}

/// The signature on a draft's current version, if the latest signature
/// is for it.
async fn signature_of(app: &App, id: i64) -> AppResult<(Option<Event>, i64)> {
    let version = wf::current_version(app.store(), id).await?;
    let events = wf::events_of(app.store(), id, None).await?;
    let last_sign = events.into_iter().rev().find(|e| e.kind == "sign");
    Ok((last_sign.filter(|e| e.version == Some(version)), version))
}

fn the_signer(doc: &mut crate::model::Document) -> Option<&mut Signer> {
    match &mut doc.main {
        Part::Letter(l) => Some(&mut l.signer),
        Part::Memo(m) => Some(&mut m.signer),
        Part::Order(o) => Some(&mut o.signer),
        Part::Announcement(a) => Some(&mut a.signer),
        Part::Sealed(s) => Some(&mut s.signer),
        _ => None,
    }
}

impl App {
    /// An office's settings (anyone of the office may read them).
    pub async fn workflow_settings(&self, c: &Caller) -> AppResult<Settings> {
        c.may(Action::Read)?;
        Ok(wf::settings(self.store(), c.office.id).await?)
    }

    /// Sets the caller's office's chain, check tiers, signer and whether
    /// numbering needs a signature.
    pub async fn set_workflow(&self, c: &Caller, req: &SettingsRequest) -> AppResult<Settings> {
        c.may(Action::ManageWorkflow)?;
        if !(0..=2).contains(&req.check_tiers) {
            return Err(AppError::invalid(
                "check_tiers",
                "จำนวนชั้นการตรวจร่างต้องเป็น ๐ ๑ หรือ ๒",
                "check tiers must be 0, 1 or 2",
            ));
        }
        let mut chain = Vec::new();
        for who in req.chain.iter().filter(|w| !w.trim().is_empty()) {
            let u = self.office_user(c, "chain", who).await?;
            self.role_for("chain", &u, Action::Endorse)?;
            chain.push(u.id);
        }
        let mut checkers = Vec::new();
        for who in req.checkers.iter().filter(|w| !w.trim().is_empty()) {
            let u = self.office_user(c, "checkers", who).await?;
            self.role_for("checkers", &u, Action::Check)?;
            checkers.push(u.id);
        }
        let signer_id = match input::optional(req.signer.as_deref()) {
            Some(who) => {
                let u = self.office_user(c, "signer", who).await?;
                self.role_for("signer", &u, Action::Sign)?;
                Some(u.id)
            }
            None => None,
        };
        let s = Settings {
            office_id: c.office.id,
            check_tiers: req.check_tiers,
            require_signing: req.require_signing,
            chain,
            checkers,
            signer_id,
        };
        wf::apply(self.store(), &c.actor(), c.now, vec![Op::Settings(s)]).await?;
        Ok(wf::settings(self.store(), c.office.id).await?)
    }

    /// What the office's workflow settings page shows: the settings, the
    /// office's users (who may endorse, check and sign) and each one's
    /// acting roles. For whoever manages the office's workflow.
    pub async fn workflow_overview(&self, c: &Caller) -> AppResult<WorkflowOverview> {
        c.may(Action::ManageWorkflow)?;
        let settings = wf::settings(self.store(), c.office.id).await?;
        let mut people = Vec::new();
        for u in accounts::list(self.store(), Some(c.office.id)).await? {
            if !u.active {
                continue;
            }
            people.push(Person {
                acting: wf::acting_roles(self.store(), u.id).await?,
                endorses: u.role.may(Action::Endorse),
                checks: u.role.may(Action::Check),
                signs: u.role.may(Action::Sign),
                role_th: u.role.thai(),
                user: u,
            });
        }
        Ok(WorkflowOverview { settings, people })
    }

    fn role_for(&self, field: &str, u: &User, action: Action) -> AppResult<()> {
        if u.role.may(action) {
            Ok(())
        } else {
            Err(AppError::invalid(
                field,
                format!("{} ({}) ไม่มีบทบาทสำหรับขั้นตอนนี้", u.display_name, u.role.thai()),
                format!(
                    "{} ({}) has no role for this step",
                    u.username,
                    u.role.key()
                ),
            ))
        }
    }

    /// A user's acting roles (the user themself, or whoever manages the
    /// office's workflow).
    pub async fn acting_roles(&self, c: &Caller, user: &str) -> AppResult<Vec<ActingRole>> {
        let u = self.office_user(c, "user", user).await?;
        if c.user_ref().map(|me| me.id) != Some(u.id) {
            c.may(Action::ManageWorkflow)?;
        }
        Ok(wf::acting_roles(self.store(), u.id).await?)
    }

    /// Sets an acting role for a user of the office, for a date range.
    pub async fn add_acting(&self, c: &Caller, req: &ActingRequest) -> AppResult<ActingRole> {
        c.may(Action::ManageWorkflow)?;
        let u = self.office_user(c, "user", &req.user).await?;
        let kind = ActingKind::parse(&req.kind).ok_or_else(|| {
            AppError::invalid(
                "kind",
                "ต้องเป็น acting_for (ปฏิบัติราชการแทน) หรือ acting_as (รักษาราชการแทน)",
                "kind must be acting_for or acting_as",
            )
        })?;
        let for_position = input::required(
            "for_position",
            &req.for_position,
            "กรุณาระบุตำแหน่งที่ปฏิบัติราชการแทน",
            "name the position acted for",
        )?;
        let from = input::date("from", &req.from)?;
        let to = input::date("to", &req.to)?;
        if to < from {
            return Err(AppError::invalid(
                "to",
                "วันสิ้นสุดต้องไม่ก่อนวันเริ่ม",
                "the end cannot be before the start",
            ));
        }
        let change = ActingChange::Add {
            user_id: u.id,
            kind,
            position: req.position.trim().chars().take(200).collect(),
            for_position: for_position.chars().take(200).collect(),
            from,
            to,
        };
        wf::apply(self.store(), &c.actor(), c.now, vec![Op::Acting(change)]).await?;
        wf::acting_roles(self.store(), u.id)
            .await?
            .into_iter()
            .max_by_key(|r| r.id)
            .ok_or_else(AppError::not_found)
    }

    /// Removes an acting role of a user of the office.
    pub async fn remove_acting(&self, c: &Caller, user: &str, id: i64) -> AppResult<()> {
        c.may(Action::ManageWorkflow)?;
        // The user is named in the path: one outside the office is not found.
        let u = self
            .office_user(c, "user", user)
            .await
            .map_err(|_| AppError::not_found())?;
        if !wf::acting_roles(self.store(), u.id)
            .await?
            .iter()
            .any(|r| r.id == id)
        {
            return Err(AppError::not_found());
        }
        let change = ActingChange::Remove { id };
        wf::apply(self.store(), &c.actor(), c.now, vec![Op::Acting(change)]).await?;
        Ok(())
    }

    /// A draft of the caller's office, still a draft.
    async fn own_draft(&self, c: &Caller, id: DocumentId) -> AppResult<Stored> {
        let d = self.own_document(c, id).await?;
        if d.state != DocState::Draft {
            return Err(conflict(
                "not_a_draft",
                &format!("หนังสือนี้{}แล้ว", d.state.thai()),
                "this document is no longer a draft",
            ));
        }
        Ok(d)
    }

    fn draft_event(c: &Caller, d: &Stored, kind: &'static str) -> NewEvent {
        let (user_id, actor) = c.who();
        NewEvent {
            office_id: c.office.id,
            document_id: d.id,
            delivery_id: None,
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

    fn review_item(c: &Caller, d: &Stored, kind: ItemKind, to: i64, tier: i64) -> NewItem {
        NewItem {
            office_id: c.office.id,
            kind,
            document_id: d.id,
            delivery_id: None,
            assignee_id: to,
            unit: String::new(),
            tier,
            version: None,
            instruction: String::new(),
            due: None,
            created_by: c.user_ref().map(|u| u.id),
        }
    }

    /// Submits a draft to its checker(s), then its signer: the path is
    /// fixed now (the office's defaults unless named) and kept on the
    /// submission.
    pub async fn submit_draft(
        &self,
        c: &Caller,
        id: DocumentId,
        req: &SubmitRequest,
    ) -> AppResult<Item> {
        c.may(Action::Draft)?;
        let d = self.own_draft(c, id).await?;
        let items = wf::items_of(self.store(), d.id, None).await?;
        if items.iter().any(|i| {
            i.status == ItemStatus::Open && matches!(i.kind, ItemKind::Check | ItemKind::Sign)
        }) {
            return Err(conflict(
                "in_review",
                "ร่างนี้อยู่ระหว่างตรวจหรือรอลงนามแล้ว",
                "this draft is already being checked or signed",
            ));
        }
        let settings = wf::settings(self.store(), c.office.id).await?;
        let named: Vec<&String> = req
            .checkers
            .iter()
            .filter(|w| !w.trim().is_empty())
            .collect();
        let mut path: Vec<User> = Vec::new();
        if named.is_empty() {
            for id in settings.checkers.iter().take(settings.check_tiers as usize) {
                path.push(accounts::get(self.store(), *id).await?);
            }
        } else {
            for who in named {
                path.push(self.office_user(c, "checkers", who).await?);
            }
        }
        if (path.len() as i64) < settings.check_tiers {
            return Err(AppError::invalid(
                "checkers",
                format!(
                    "ส่วนราชการนี้ตรวจร่าง {} ชั้น กรุณาเลือกผู้ตรวจให้ครบ",
                    settings.check_tiers
                ),
                format!(
                    "this office checks in {} tiers: name every checker",
                    settings.check_tiers
                ),
            ));
        }
        if path.len() > 2 {
            return Err(AppError::invalid(
                "checkers",
                "ผู้ตรวจร่างได้ไม่เกิน ๒ ชั้น",
                "at most two check tiers",
            ));
        }
        for u in &path {
            self.may_hand_to("checkers", u, Action::Check, d.id).await?;
        }
        let signer = match input::optional(req.signer.as_deref()) {
            Some(who) => self.office_user(c, "signer", who).await?,
            None => match settings.signer_id {
                Some(id) => accounts::get(self.store(), id).await?,
                None => {
                    return Err(AppError::invalid(
                        "signer",
                        "กรุณาเลือกผู้ลงนาม",
                        "name the signer",
                    ));
                }
            },
        };
        self.may_hand_to("signer", &signer, Action::Sign, d.id)
            .await?;
        let checks = path.len();
        path.push(signer);
        let plan: Vec<i64> = path.iter().map(|u| u.id).collect();
        let first = &path[0];
        let kind = if checks > 0 {
            ItemKind::Check
        } else {
            ItemKind::Sign
        };
        let mut e = App::draft_event(c, &d, "submit");
        e.item = Some(ItemRef::New(0));
        e.target_id = Some(first.id);
        e.choice = serde_json::to_string(&plan).unwrap_or_default();
        e.note = input::optional(req.note.as_deref())
            .unwrap_or("")
            .to_string();
        let ops = vec![
            Op::WithdrawOpen {
                document_id: d.id,
                kinds: &[ItemKind::Revise],
            },
            Op::EnsureVersion { document_id: d.id },
            Op::Open(NewItem {
                version: None,
                ..App::review_item(c, &d, kind, first.id, 1)
            }),
            Op::Event(e),
        ];
        let made = wf::apply(self.store(), &c.actor(), c.now, ops).await?;
        self.notify(c, &made.items).await;
        let item = wf::item(self.store(), made.items[0])
            .await?
            .ok_or_else(AppError::not_found)?;
        Ok(item)
    }

    /// The path fixed when the draft was last submitted, and who submitted it.
    async fn plan_of(&self, id: i64) -> AppResult<(Vec<i64>, Option<i64>)> {
        let events = wf::events_of(self.store(), id, None).await?;
        let submit = events
            .into_iter()
            .rev()
            .find(|e| e.kind == "submit")
            .ok_or_else(AppError::not_found)?;
        let plan: Vec<i64> = serde_json::from_str(&submit.choice).unwrap_or_default();
        Ok((plan, submit.user_id))
    }

    /// A checker passes the draft on, or sends it back to its author with
    /// comments (kept with the version they saw).
    pub async fn check_draft(
        &self,
        c: &Caller,
        id: DocumentId,
        req: &ReviewRequest,
    ) -> AppResult<Event> {
        c.may(Action::Check)?;
        self.review(c, id, req, ItemKind::Check).await
    }

    /// The signer signs the draft (a typed name; an acting role in force
    /// today goes into the signature block), or sends it back.
    pub async fn sign_draft(
        &self,
        c: &Caller,
        id: DocumentId,
        req: &ReviewRequest,
    ) -> AppResult<Event> {
        c.may(Action::Sign)?;
        self.review(c, id, req, ItemKind::Sign).await
    }

    async fn review(
        &self,
        c: &Caller,
        id: DocumentId,
        req: &ReviewRequest,
        kind: ItemKind,
    ) -> AppResult<Event> {
        let d = self.own_draft(c, id).await?;
        let me = c.user_ref().map(|u| u.id);
        let item = wf::items_of(self.store(), d.id, None)
            .await?
            .into_iter()
            .find(|i| i.kind == kind && i.status == ItemStatus::Open && Some(i.assignee_id) == me)
            .ok_or_else(|| {
                conflict(
                    "not_yours",
                    "ไม่มีร่างนี้รอท่านตรวจหรือลงนาม",
                    "this draft is not waiting for you",
                )
            })?;
        let note = input::optional(req.note.as_deref()).unwrap_or("");
        if note.chars().count() > 4000 {
            return Err(AppError::invalid(
                "note",
                "ความเห็นยาวเกินไป",
                "the note is too long",
            ));
        }
        let mut ops = vec![Op::EnsureVersion { document_id: d.id }];
        let decision = req.decision.trim();
        let mut e = App::draft_event(c, &d, "pass");
        e.item = Some(ItemRef::Id(item.id));
        e.note = note.to_string();
        match (kind, decision) {
            (_, "return") => {
                if note.is_empty() {
                    return Err(AppError::invalid(
                        "note",
                        "กรุณาระบุสิ่งที่ต้องแก้ไข",
                        "say what to change",
                    ));
                }
                let (_, author) = self.plan_of(d.id).await?;
                e.kind = "return";
                ops.push(Op::Close {
                    item: item.id,
                    status: ItemStatus::Returned,
                    note: note.to_string(),
                });
                if let Some(author) = author {
                    e.target_id = Some(author);
                    ops.push(Op::Open(App::review_item(
                        c,
                        &d,
                        ItemKind::Revise,
                        author,
                        0,
                    )));
                }
                ops.push(Op::Event(e));
            }
            (ItemKind::Check, "pass") => {
                let (plan, _) = self.plan_of(d.id).await?;
                let tier = item.tier as usize;
                let next = *plan.get(tier).ok_or_else(AppError::not_found)?;
                let next_kind = if tier + 1 == plan.len() {
                    ItemKind::Sign
                } else {
                    ItemKind::Check
                };
                e.target_id = Some(next);
                ops.push(Op::Close {
                    item: item.id,
                    status: ItemStatus::Passed,
                    note: note.to_string(),
                });
                ops.push(Op::Event(e));
                ops.push(Op::Open(App::review_item(
                    c,
                    &d,
                    next_kind,
                    next,
                    tier as i64 + 1,
                )));
            }
            (ItemKind::Sign, "sign") => {
                let name = input::required(
                    "name",
                    req.name.as_deref().unwrap_or(""),
                    "กรุณาพิมพ์ชื่อเพื่อลงนาม",
                    "type your name to sign",
                )?;
                if name.chars().count() > 200 {
                    return Err(AppError::invalid(
                        "name",
                        "ชื่อยาวเกินไป",
                        "the name is too long",
                    ));
                }
                let mut doc = d.content.clone();
                if let Some(s) = the_signer(&mut doc) {
                    s.name = name.to_string();
                    if let Some(me) = me
                        && let Some(acting) = wf::acting_on(self.store(), me, c.today()).await?
                    {
                        s.position = acting.lines();
                    }
                }
                e.kind = "sign";
                e.choice = name.to_string();
                ops.push(Op::Content {
                    document_id: d.id,
                    doc: Box::new(doc),
                });
                ops.push(Op::Close {
                    item: item.id,
                    status: ItemStatus::Done,
                    note: note.to_string(),
                });
                ops.push(Op::Event(e));
            }
            _ => {
                return Err(AppError::invalid(
                    "decision",
                    "ผลการพิจารณาต้องเป็น pass, sign หรือ return",
                    "decision must be pass (checker), sign (signer) or return",
                ));
            }
        }
        let made = wf::apply(self.store(), &c.actor(), c.now, ops).await?;
        self.notify(c, &made.items).await;
        let id = *made.events.last().ok_or_else(AppError::not_found)?;
        wf::event(self.store(), id)
            .await?
            .ok_or_else(AppError::not_found)
    }

    /// Where a draft stands: its items, timeline, signature and stage.
    pub async fn draft_review(&self, c: &Caller, id: DocumentId) -> AppResult<DraftReview> {
        let d = self.document(c, id).await?;
        if d.office_id != c.office.id {
            return Err(AppError::not_found());
        }
        let items = wf::items_of(self.store(), d.id, None).await?;
        let events = wf::events_of(self.store(), d.id, None).await?;
        let (signature, version) = signature_of(self, d.id).await?;
        let open = items.iter().find(|i| i.status == ItemStatus::Open);
        let stage_th = match (open.map(|i| i.kind), &signature) {
            (Some(ItemKind::Check), _) => format!(
                "รอตรวจร่าง ({})",
                open.map(|i| i.assignee_name.as_str()).unwrap_or("")
            ),
            (Some(ItemKind::Sign), _) => format!(
                "รอลงนาม ({})",
                open.map(|i| i.assignee_name.as_str()).unwrap_or("")
            ),
            (Some(ItemKind::Revise), _) => "ส่งกลับแก้ไข".to_string(),
            (_, Some(s)) => format!("ลงนามแล้วโดย {}", s.actor),
            _ => String::new(),
        };
        let me = c.user_ref().map(|u| u.id);
        let mine = items
            .iter()
            .find(|i| i.status == ItemStatus::Open && Some(i.assignee_id) == me)
            .cloned();
        let users = accounts::list(self.store(), Some(c.office.id)).await?;
        let who = |a: Action| {
            users
                .iter()
                .filter(|u| u.active && u.role.may(a))
                .map(|u| (u.id, u.username.clone(), u.display_name.clone()))
                .collect::<Vec<_>>()
        };
        Ok(DraftReview {
            document_id: d.id,
            items,
            events,
            signature,
            version,
            stage_th,
            mine,
            settings: wf::settings(self.store(), c.office.id).await?,
            checkers: who(Action::Check),
            signers: who(Action::Sign),
        })
    }

    /// Refuses to number (or send) a draft that is not signed in its
    /// current version, when the office requires a signature.
    pub(crate) async fn require_signature(&self, c: &Caller, id: i64) -> AppResult<()> {
        let settings = wf::settings(self.store(), c.office.id).await?;
        if !settings.require_signing {
            return Ok(());
        }
        let (signature, _) = signature_of(self, id).await?;
        if signature.is_none() {
            return Err(conflict(
                "not_signed",
                "ส่วนราชการนี้ออกเลขได้เฉพาะร่างที่ผู้ลงนามลงนามแล้ว (ร่างที่แก้ไขหลังลงนามต้องเสนอลงนามใหม่)",
                "this office numbers only signed drafts (a draft edited after signing must be signed again)",
            ));
        }
        Ok(())
    }

    /// Refuses to delete a draft that is not the caller's own (the head
    /// and the operator may delete any), or that is being checked or
    /// signed.
    pub(crate) async fn may_delete_draft(&self, c: &Caller, id: i64) -> AppResult<()> {
        let items = wf::items_of(self.store(), id, None).await?;
        if items.iter().any(|i| {
            i.status == ItemStatus::Open && matches!(i.kind, ItemKind::Check | ItemKind::Sign)
        }) {
            return Err(conflict(
                "in_review",
                "ร่างนี้อยู่ระหว่างตรวจหรือรอลงนาม ลบไม่ได้",
                "this draft is being checked or signed; it cannot be deleted",
            ));
        }
        let Some(me) = c.user_ref() else {
            return Ok(());
        };
        if me.role == super::Role::Head {
            return Ok(());
        }
        match wf::author_actor(self.store(), id).await? {
            Some(author) if author == c.actor().0 => Ok(()),
            _ => Err(AppError::new(
                super::Kind::Forbidden,
                "not_author",
                "ลบร่างได้เฉพาะผู้ร่าง (หรือหัวหน้าส่วนราชการ)",
                "only the draft's author (or the head of the office) may delete it",
            )),
        }
    }
}
