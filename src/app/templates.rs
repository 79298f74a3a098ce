//! Office templates (แม่แบบหนังสือ): save a draft's content under a name,
//! list them, start a new draft from one. A template belongs to the office
//! that saved it: any other office gets "not found". Secret documents are
//! never saved as templates (their text would reach every drafter).

use super::error::{AppError, AppResult};
use super::{Action, App, Caller, DocumentId, Stored};
use crate::model::{Document, Part, Validate};
use crate::store::search;
use crate::store::templates;

pub use crate::store::templates::Template;

/// A template's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct TemplateId(pub i64);

/// A template keeps what is worth starting from: no number (a template is
/// never numbered), nothing else changed.
fn unnumbered(mut doc: Document) -> Document {
    match &mut doc.main {
        Part::Letter(x) => x.number = None,
        Part::Memo(x) => x.number = None,
        Part::Order(x) => x.number = None,
        Part::Announcement(x) => x.number = None,
        Part::Sealed(x) => x.number = None,
        _ => {}
    }
    doc
}

impl App {
    /// The caller's office's templates, by name.
    pub async fn templates(&self, c: &Caller) -> AppResult<Vec<Template>> {
        c.may(Action::Draft)?;
        Ok(templates::list(self.store(), c.office.id).await?)
    }

    /// Template `id`, if it is the caller's office's; otherwise not found.
    pub async fn template(&self, c: &Caller, id: TemplateId) -> AppResult<Template> {
        c.may(Action::Draft)?;
        match templates::get(self.store(), id.0).await? {
            Some(t) if t.office_id == c.office.id => Ok(t),
            _ => Err(AppError::not_found()),
        }
    }

    /// Saves `doc` as the office's template `name` (replacing one of the
    /// same name).
    pub async fn save_template(
        &self,
        c: &Caller,
        name: &str,
        doc: &Document,
    ) -> AppResult<Template> {
        c.may(Action::Draft)?;
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() || name.chars().count() > 120 {
            return Err(AppError::invalid(
                "name",
                "ตั้งชื่อแม่แบบ (ไม่เกิน ๑๒๐ ตัวอักษร)",
                "name the template (at most 120 characters)",
            ));
        }
        if search::secrecy_of(doc).is_some() {
            return Err(AppError::invalid(
                "secrecy",
                "หนังสือลับบันทึกเป็นแม่แบบไม่ได้",
                "a secret document cannot be saved as a template",
            ));
        }
        let doc = unnumbered(doc.clone());
        doc.validate().map_err(|errors| {
            let e = &errors[0];
            AppError::invalid(&e.field, e.message_th.clone(), e.message_en.clone())
        })?;
        Ok(templates::save(self.store(), &c.actor(), c.office.id, &name, &doc).await?)
    }

    /// Saves document `id` (the office's own, as its readers see it) as a
    /// template.
    pub async fn save_template_from(
        &self,
        c: &Caller,
        name: &str,
        id: DocumentId,
    ) -> AppResult<Template> {
        let d = self.own_document(c, id).await?;
        self.save_template(c, name, &d.content).await
    }

    /// Deletes the office's template `id`.
    pub async fn delete_template(&self, c: &Caller, id: TemplateId) -> AppResult<()> {
        self.template(c, id).await?;
        if templates::delete(self.store(), &c.actor(), c.office.id, id.0).await? {
            Ok(())
        } else {
            Err(AppError::not_found())
        }
    }

    /// A new draft from template `id`, dated today.
    pub async fn draft_from_template(&self, c: &Caller, id: TemplateId) -> AppResult<Stored> {
        let t = self.template(c, id).await?;
        let mut doc = t.content;
        crate::store::documents::set_date(&mut doc, c.today());
        self.create_draft(c, &doc, &[]).await
    }
}
