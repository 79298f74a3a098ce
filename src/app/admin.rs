//! What only the operator does, at the command line: the hierarchy, the
//! registry's numbering by hand, the audit chain, backups, importing old
//! letters and the reference graph, national relays and mail-merges, user
//! accounts, and the service's first start.
//!
//! The operator holds the database itself; an [`Operator`] acts as any
//! office (`act_as`) with every role. The web never makes one.

use std::path::Path;

use super::documents::Upload;
use super::error::{AppError, AppResult};
use super::{
    Actor, App, Caller, Delivery, DeliveryId, DocumentId, Node, NodeKind, Office, OfficeKind, Role,
    Series, Stored, User, input,
};
use crate::docnum::DocNumber;
use crate::model::Document;
use crate::parse::ParsedLetter;
use crate::store::accounts::{self, NewToken, NewUser, TokenInfo};
use crate::store::numbering;
use crate::store::offices::{self, ImportReport};
use crate::store::{audit, backup, demo, documents, graph, imports, personalise, routing};

pub use crate::store::audit::Verdict;
pub use crate::store::demo::Loaded;
pub use crate::store::imports::Imported;
pub use crate::store::numbering::{Entry, Issued, Reservation, Taken};

/// The person at the command line (their login name, for the audit chain).
#[derive(Debug, Clone)]
pub struct Operator {
    pub name: String,
}

impl Operator {
    /// The login name from the environment.
    pub fn from_env() -> Operator {
        let name = std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .unwrap_or_else(|_| "unknown".into());
        Operator { name }
    }

    /// The same operator recorded under another name (`--user`).
    pub fn named(name: &str) -> Operator {
        Operator { name: name.into() }
    }

    pub fn actor(&self) -> Actor {
        Actor(format!("cli:{}", self.name))
    }
}

/// A file read in by `import`: its name, bytes and what the parser found.
pub struct LetterFile<'a> {
    pub name: &'a str,
    pub bytes: &'a [u8],
    pub letter: &'a ParsedLetter,
}

/// An account made at first start, with its one-time password.
#[derive(Debug, Clone)]
pub struct FirstAccount {
    pub username: String,
    pub office: String,
    pub role: Role,
    pub password: String,
}

impl App {
    /// The office a query names (code in either digits, `#id`, org code or
    /// name).
    pub async fn find_office(&self, query: &str) -> AppResult<Office> {
        Ok(offices::find(self.store(), query).await?)
    }

    /// The operator acting as the office `query` names.
    pub async fn act_as(&self, op: &Operator, query: &str) -> AppResult<Caller> {
        let office = self.find_office(query).await?;
        Ok(Caller::operator(&op.name, office))
    }

    /// The operator acting as the office that owns document `id`.
    pub async fn act_for_document(&self, op: &Operator, id: DocumentId) -> AppResult<Caller> {
        let d = documents::get(self.store(), id.0).await?;
        let office = offices::get(self.store(), d.office_id).await?;
        Ok(Caller::operator(&op.name, office))
    }

    /// A document by `#id` or by its number (in the caller's office first).
    pub async fn document_id(&self, c: Option<&Caller>, text: &str) -> AppResult<DocumentId> {
        if let Some(id) = id_of(text) {
            return Ok(DocumentId(id));
        }
        let number = DocNumber::parse(text).map_err(|e| {
            AppError::invalid(
                "document",
                e.to_string(),
                format!("not a document number: {text}"),
            )
        })?;
        let office = c.map(|c| c.office.id);
        match documents::find_by_number(self.store(), &number, office)
            .await?
            .first()
        {
            Some(d) => Ok(DocumentId(d.id)),
            None => Err(AppError::new(
                super::Kind::NotFound,
                "not_found",
                format!("ไม่พบหนังสือเลขที่ {number}"),
                format!("no document numbered {}", number.key()),
            )),
        }
    }

    /// A delivery to the caller's office by `#id` or by the letter's number.
    pub async fn delivery_id(&self, c: &Caller, text: &str) -> AppResult<DeliveryId> {
        if let Some(id) = id_of(text) {
            return Ok(DeliveryId(id));
        }
        let number = DocNumber::parse(text).map_err(|e| {
            AppError::invalid(
                "delivery",
                e.to_string(),
                format!("not a document number: {text}"),
            )
        })?;
        match routing::find_for(self.store(), &c.office, &number)
            .await?
            .first()
        {
            Some(d) => Ok(DeliveryId(d.id)),
            None => Err(AppError::new(
                super::Kind::NotFound,
                "not_found",
                format!("{} ไม่ได้รับหนังสือเลขที่ {number}", c.office.fields.name),
                format!(
                    "{} has received no letter {}",
                    c.office.fields.name,
                    number.key()
                ),
            )),
        }
    }

    /// Marks a numbered document sent without dispatching it in saraban
    /// (it went on paper).
    pub async fn mark_sent(&self, c: &Caller, id: DocumentId) -> AppResult<Stored> {
        c.may(super::Action::Dispatch)?;
        self.own_document(c, id).await?;
        Ok(documents::mark_sent(self.store(), &c.actor(), id.0).await?)
    }

    /// Attaches a file read from disk (the CLI's `doc attach`).
    pub async fn attach_file(
        &self,
        c: &Caller,
        id: DocumentId,
        name: &str,
        bytes: &[u8],
    ) -> AppResult<super::Attachment> {
        self.attach(c, id, Upload { name, bytes }).await
    }

    // ------------------------------------------------------------ offices

    /// Offices: all, or one and everything under it.
    pub async fn offices_under(&self, under: Option<&str>) -> AppResult<Vec<Office>> {
        let root = match input::optional(under) {
            Some(q) => Some(self.find_office(q).await?.id),
            None => None,
        };
        Ok(offices::list(self.store(), root).await?)
    }

    /// Loads offices from CSV (the DLA open-data layout).
    pub async fn import_offices(
        &self,
        op: &Operator,
        csv: impl std::io::Read,
    ) -> AppResult<ImportReport> {
        Ok(offices::import_csv(self.store(), &op.actor(), csv).await?)
    }

    /// Loads the demo hierarchy into an empty database.
    pub async fn load_demo(&self, op: &Operator) -> AppResult<Loaded> {
        Ok(demo::load(self.store(), &op.actor()).await?)
    }

    /// Offices by kind.
    pub async fn count_offices(&self) -> AppResult<Vec<(OfficeKind, i64)>> {
        Ok(offices::count_by_kind(self.store()).await?)
    }

    /// Gives an office its letter code and unit number.
    pub async fn set_office_code(
        &self,
        op: &Operator,
        query: &str,
        code: &str,
    ) -> AppResult<Office> {
        let o = self.find_office(query).await?;
        Ok(offices::set_code(self.store(), &op.actor(), o.id, code).await?)
    }

    // ---------------------------------------------------------- numbering

    /// Takes the next number of a series for a letter handled outside
    /// saraban (the register row is written in the same transaction).
    pub async fn issue_number(
        &self,
        c: &Caller,
        series: Series,
        entry: &Entry,
    ) -> AppResult<Issued> {
        c.may(super::Action::Number)?;
        Ok(numbering::issue(self.store(), &c.actor(), c.now, &c.office, series, entry).await?)
    }

    /// The number a series would give next: (year, seq, printed).
    pub async fn peek_number(&self, c: &Caller, series: Series) -> AppResult<(i32, i64, String)> {
        Ok(numbering::peek(self.store(), c.now, &c.office, series).await?)
    }

    /// Reserves a run of numbers.
    pub async fn reserve_numbers(
        &self,
        c: &Caller,
        series: Series,
        count: i64,
        subject: &str,
    ) -> AppResult<Reservation> {
        c.may(super::Action::Number)?;
        Ok(numbering::reserve(
            self.store(),
            &c.actor(),
            c.now,
            &c.office,
            series,
            count,
            subject,
        )
        .await?)
    }

    /// Cancels a number taken by hand; it stays in the register as ยกเลิก.
    pub async fn cancel_number(&self, c: &Caller, number: Taken, reason: &str) -> AppResult<()> {
        c.may(super::Action::Cancel)?;
        let reason = input::reason(reason)?;
        Ok(
            numbering::cancel_number(self.store(), &c.actor(), c.now, &c.office, number, reason)
                .await?,
        )
    }

    /// Cancels what is left of a reservation.
    pub async fn cancel_reservation(
        &self,
        op: &Operator,
        batch: &str,
        reason: &str,
    ) -> AppResult<usize> {
        let reason = input::reason(reason)?;
        Ok(numbering::cancel_reservation(
            self.store(),
            &op.actor(),
            chrono::Utc::now(),
            batch,
            reason,
        )
        .await?)
    }

    // -------------------------------------------------------- audit, backup

    /// The audit chain's head: (events, hash).
    pub async fn audit_head(&self) -> AppResult<(i64, String)> {
        Ok(audit::head(self.store()).await?)
    }

    /// Walks the audit chain.
    pub async fn audit_verify(&self, expected_head: Option<&str>) -> AppResult<Verdict> {
        Ok(audit::verify(self.store(), expected_head).await?)
    }

    /// Copies the database to `target` (SQLite); gives the audit chain's
    /// head (events, hash) to keep elsewhere.
    pub async fn backup(&self, target: &Path) -> AppResult<(i64, String)> {
        Ok(backup::backup(self.store(), target).await?)
    }

    /// The lock a running server holds on its SQLite file, so that
    /// `restore` refuses to swap the file underneath it.
    pub fn hold_server_lock(&self) -> AppResult<Option<backup::ServerLock>> {
        Ok(self.store().file().map(backup::hold_lock).transpose()?)
    }

    // ------------------------------------------------- letters from before

    /// Stores letters read from files, once each; entered in `received_by`'s
    /// receive register when given.
    pub async fn import_letters(
        &self,
        op: &Operator,
        files: &[LetterFile<'_>],
        received_by: Option<&Office>,
    ) -> AppResult<Vec<Imported>> {
        let sources: Vec<imports::Source> = files
            .iter()
            .map(|f| imports::Source {
                name: f.name,
                bytes: f.bytes,
                letter: f.letter,
            })
            .collect();
        Ok(imports::import(
            self.store(),
            &op.actor(),
            chrono::Utc::now(),
            &sources,
            received_by,
        )
        .await?)
    }

    /// The letters in the graph with this number (and date).
    pub async fn graph_lookup(
        &self,
        number: &DocNumber,
        date: Option<chrono::NaiveDate>,
    ) -> AppResult<Vec<Node>> {
        let mut found = graph::lookup(self.store(), number, date).await?;
        if found.is_empty() {
            let external = Node {
                kind: NodeKind::External,
                id: None,
                key: number.key(),
                number: number.to_string(),
                date,
                issuer: None,
                subject: None,
            };
            if !graph::cited_by(self.store(), &external).await?.is_empty() {
                found.push(external);
            }
        }
        Ok(found)
    }

    /// What a letter cites and what cites it (the whole graph: the operator).
    pub async fn graph_links(&self, node: &Node) -> AppResult<(Vec<Node>, Vec<Node>)> {
        Ok((
            graph::cites(self.store(), node).await?,
            graph::cited_by(self.store(), node).await?,
        ))
    }

    /// A letter's thread, oldest first.
    pub async fn graph_thread(&self, node: &Node, limit: usize) -> AppResult<Vec<Node>> {
        Ok(graph::thread(self.store(), node, limit).await?)
    }

    // ------------------------------------------------------ national runs

    /// Relays dispatched deliveries down every level at once: each office
    /// below receives and forwards with its own numbered cover letter.
    /// Offices outside saraban get their cover letter, with every letter
    /// above it, by e-mail from the relaying office's mailbox.
    pub async fn relay(&self, c: &Caller, sent: &[Delivery]) -> AppResult<Vec<Delivery>> {
        let made = routing::relay_down(self.store(), &c.actor(), c.now, sent).await?;
        self.relay_by_mail(c, &made).await?;
        Ok(made)
    }

    /// One personal letter per delivery of a dispatched letter.
    pub async fn personalise(
        &self,
        c: &Caller,
        id: DocumentId,
        url_template: &str,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> AppResult<usize> {
        c.may(super::Action::Dispatch)?;
        let d = self.own_document(c, id).await?;
        let renderer = self.load_renderer()?;
        let signer = self.signer_for(c.office.id).await?;
        let opts = crate::render::RenderOptions {
            signatures: self.signature_images(c.office.id, &d.content, None).await?,
            ..crate::render::RenderOptions::default()
        };
        Ok(personalise::personalise(
            self.store(),
            &c.actor(),
            c.now,
            &c.office,
            id.0,
            url_template,
            &renderer,
            &opts,
            signer.as_deref(),
            progress,
        )
        .await?)
    }

    // -------------------------------------------------------------- users

    /// Adds a user (one-time password) and, if asked, an API token.
    pub async fn operator_add_user(
        &self,
        op: &Operator,
        username: &str,
        office: &str,
        role: &str,
        name: Option<&str>,
    ) -> AppResult<(User, Office, String)> {
        let at = self.find_office(office).await?;
        let password = accounts::one_time_password();
        let user = accounts::add(
            self.store(),
            &op.actor(),
            &at,
            &NewUser {
                username,
                display_name: name.unwrap_or(username),
                role: Role::parse(role)?,
                password: &password,
                must_change: true,
            },
        )
        .await?;
        Ok((user, at, password))
    }

    /// Every user.
    pub async fn operator_users(&self) -> AppResult<Vec<User>> {
        Ok(accounts::list(self.store(), None).await?)
    }

    async fn user_named(&self, username: &str) -> AppResult<User> {
        accounts::find(self.store(), username)
            .await?
            .ok_or_else(|| {
                AppError::new(
                    super::Kind::NotFound,
                    "not_found",
                    format!("ไม่พบผู้ใช้ {username}"),
                    format!("no such user {username}"),
                )
            })
    }

    /// Makes an API token for a user, lasting `days` (default 90).
    pub async fn operator_token(
        &self,
        op: &Operator,
        username: &str,
        label: &str,
        days: Option<i64>,
    ) -> AppResult<NewToken> {
        let user = self.user_named(username).await?;
        Ok(accounts::add_token_for(self.store(), &op.actor(), &user, label, days).await?)
    }

    /// A user's API tokens, newest first.
    pub async fn operator_tokens(&self, username: &str) -> AppResult<Vec<TokenInfo>> {
        let user = self.user_named(username).await?;
        Ok(accounts::tokens(self.store(), user.id).await?)
    }

    /// Revokes one of a user's tokens.
    pub async fn operator_revoke(
        &self,
        op: &Operator,
        username: &str,
        token_id: i64,
    ) -> AppResult<TokenInfo> {
        let user = self.user_named(username).await?;
        accounts::revoke_token(self.store(), &op.actor(), &user, token_id)
            .await?
            .ok_or_else(|| {
                AppError::new(
                    super::Kind::NotFound,
                    "not_found",
                    format!("ผู้ใช้ {username} ไม่มีโทเค็นเลขที่ {token_id}"),
                    format!("no such token {token_id} for {username}"),
                )
            })
    }

    /// Revokes every token of a user; how many were live.
    pub async fn operator_revoke_all(&self, op: &Operator, username: &str) -> AppResult<u64> {
        let user = self.user_named(username).await?;
        Ok(accounts::revoke_all(self.store(), &op.actor(), &user).await?)
    }

    /// Sets a new one-time password for a user (valid 24 hours; their API
    /// tokens are revoked).
    pub async fn operator_reset(&self, op: &Operator, username: &str) -> AppResult<(User, String)> {
        let user = self.user_named(username).await?;
        let password = accounts::one_time_password();
        accounts::reset_password(self.store(), &op.actor(), &user, &password).await?;
        Ok((user, password))
    }

    /// Disables (ending sessions, revoking tokens) or enables a user.
    pub async fn operator_set_active(
        &self,
        op: &Operator,
        username: &str,
        active: bool,
    ) -> AppResult<()> {
        let user = self.user_named(username).await?;
        Ok(accounts::set_active(self.store(), &op.actor(), &user, active).await?)
    }

    /// Stores a draft from a file (the CLI's `doc create`): the same rules
    /// as the API, ลับที่สุด refused.
    pub async fn operator_create(&self, c: &Caller, doc: &Document) -> AppResult<Stored> {
        self.create_draft(c, doc, &[]).await
    }

    // -------------------------------------------------------- first start

    /// Prepares a database without users. An empty one gets the demo
    /// hierarchy, the seeds' two stories, an administrator and one clerk
    /// for each office of the story; one that already holds offices (an
    /// imported hierarchy) gets only the administrator. Each account has a
    /// one-time password. Does nothing when the database already has users.
    pub async fn first_start(&self) -> AppResult<Vec<FirstAccount>> {
        let store = self.store();
        if !accounts::list(store, None).await?.is_empty() {
            return Ok(Vec::new());
        }
        let actor = Actor("serve:first-start".into());
        let demo = demo::load(store, &actor).await? != demo::Loaded::AlreadyPresent;
        if demo {
            demo::stories(store, &actor).await?;
            // Certificates for trying only: official copies come out signed.
            self.demo_keys(&actor).await?;
        }
        // The administrator belongs to the DLA when it is there, else to the
        // first top-level office of an imported hierarchy.
        let admin_office = match offices::find(store, "มท 0810").await {
            Ok(o) => o,
            Err(_) => offices::list(store, None)
                .await?
                .into_iter()
                .find(|o| o.parent_id.is_none())
                .ok_or_else(|| {
                    AppError::internal(
                        "ไม่มีส่วนราชการให้ผู้ดูแลระบบสังกัด",
                        "no offices to attach the administrator to",
                    )
                })?,
        };
        let mut to_make = vec![("admin", admin_office, Role::Admin, "ผู้ดูแลระบบ")];
        // Demo clerks only on the demo hierarchy, never on an imported one.
        if demo {
            for (username, office, name) in [
                ("dla.clerk", "มท 0810.7", "เจ้าหน้าที่สารบรรณ สถ."),
                ("pl.clerk", "พล 0023", "เจ้าหน้าที่สารบรรณ สถจ.พิษณุโลก"),
                ("nmp.clerk", "อำเภอเนินมะปราง", "เจ้าหน้าที่ท้องถิ่นอำเภอเนินมะปราง"),
                (
                    "wangyang.clerk",
                    "องค์การบริหารส่วนตำบลวังยาง",
                    "เจ้าหน้าที่ธุรการ อบต.วังยาง",
                ),
            ] {
                to_make.push((
                    username,
                    offices::find(store, office).await?,
                    Role::Clerk,
                    name,
                ));
            }
            // The inside path in one office (issue 19): its chain,
            // checker, signer and a drafter to assign to.
            let pl = offices::find(store, "พล 0023").await?;
            for (username, role, name) in [
                ("pl.head", Role::Head, "ท้องถิ่นจังหวัดพิษณุโลก"),
                ("pl.checker", Role::Checker, "หัวหน้ากลุ่มงานบริหารทั่วไป"),
                (
                    "pl.signer",
                    Role::Signer,
                    "ผู้อำนวยการกลุ่มงานส่งเสริมการปกครองท้องถิ่น",
                ),
                ("pl.drafter", Role::Drafter, "นักวิเคราะห์นโยบายและแผน"),
            ] {
                to_make.push((username, pl.clone(), role, name));
            }
        }
        let mut made = Vec::new();
        let mut ids = std::collections::HashMap::new();
        for (username, at, role, name) in to_make {
            let password = accounts::one_time_password();
            let user = accounts::add(
                store,
                &actor,
                &at,
                &NewUser {
                    username,
                    display_name: name,
                    role,
                    password: &password,
                    must_change: true,
                },
            )
            .await?;
            ids.insert(username, user.id);
            made.push(FirstAccount {
                username: username.into(),
                office: at.fields.name.clone(),
                role,
                password,
            });
        }
        if demo {
            self.demo_workflow(&actor, &ids).await?;
        }
        Ok(made)
    }

    /// The demo's inside path at สถจ.พิษณุโลก: presented หัวหน้ากลุ่มงาน →
    /// ผู้อำนวยการกลุ่มงาน → ท้องถิ่นจังหวัด, one check tier, the
    /// director signs (ปฏิบัติราชการแทน ท้องถิ่นจังหวัด for a year), and
    /// only signed letters are numbered there.
    async fn demo_workflow(
        &self,
        actor: &Actor,
        ids: &std::collections::HashMap<&str, i64>,
    ) -> AppResult<()> {
        use crate::store::workflow::{self as wf, ActingChange, ActingKind, Op, Settings};
        let (Some(head), Some(checker), Some(signer)) = (
            ids.get("pl.head"),
            ids.get("pl.checker"),
            ids.get("pl.signer"),
        ) else {
            return Ok(());
        };
        let pl = offices::find(self.store(), "พล 0023").await?;
        let today = crate::store::bangkok_date(chrono::Utc::now());
        let ops = vec![
            Op::Settings(Settings {
                office_id: pl.id,
                check_tiers: 1,
                require_signing: true,
                chain: vec![*checker, *signer, *head],
                checkers: vec![*checker],
                signer_id: Some(*signer),
            }),
            Op::Acting(ActingChange::Add {
                user_id: *signer,
                kind: ActingKind::ActingFor,
                position: "ผู้อำนวยการกลุ่มงานส่งเสริมการปกครองท้องถิ่น".into(),
                for_position: "ท้องถิ่นจังหวัดพิษณุโลก".into(),
                from: today,
                to: today + chrono::Duration::days(365),
            }),
        ];
        wf::apply(self.store(), actor, chrono::Utc::now(), ops).await?;
        Ok(())
    }
}

/// Restores a SQLite backup over `target`, checking its audit chain first.
pub async fn restore(source: &Path, target: &Path) -> AppResult<Verdict> {
    Ok(backup::restore(source, target).await?)
}

/// The synthetic national hierarchy (7,852 organisations) as CSV.
pub fn synthetic_offices_csv() -> String {
    crate::store::synth::national_csv()
}

/// The file a location names, when it is a SQLite database.
pub fn sqlite_file(location: &str) -> Option<std::path::PathBuf> {
    let url = crate::store::database_url(location);
    if url.starts_with("postgres") {
        return None;
    }
    Some(std::path::PathBuf::from(
        url.trim_start_matches("sqlite://")
            .split('?')
            .next()
            .unwrap_or_default(),
    ))
}

fn id_of(text: &str) -> Option<i64> {
    text.trim()
        .strip_prefix('#')
        .unwrap_or(text.trim())
        .parse()
        .ok()
}
