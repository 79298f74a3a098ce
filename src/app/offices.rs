//! The hierarchy as a logged-in user browses it: every office's name, kind
//! and code are public within saraban (they are printed on every letter).

use super::error::AppResult;
use super::{Action, Agency, App, Caller, Office};
use crate::store::{agency, offices};

impl App {
    /// Offices: all, or those under the office `under` names.
    pub async fn offices(&self, c: &Caller, under: Option<&str>) -> AppResult<Vec<Office>> {
        c.may(Action::Read)?;
        self.offices_under(under).await
    }

    /// Top-level offices, or the children of office `parent`.
    pub async fn office_children(
        &self,
        c: &Caller,
        parent: Option<i64>,
    ) -> AppResult<(Option<Office>, Vec<Office>)> {
        c.may(Action::Read)?;
        match parent {
            Some(id) => {
                let p = offices::get(self.store(), id).await?;
                let children = offices::children(self.store(), id).await?;
                Ok((Some(p), children))
            }
            None => Ok((
                None,
                offices::list(self.store(), None)
                    .await?
                    .into_iter()
                    .filter(|o| o.parent_id.is_none())
                    .collect(),
            )),
        }
    }

    /// One office.
    pub async fn office(&self, c: &Caller, id: i64) -> AppResult<Office> {
        c.may(Action::Read)?;
        Ok(offices::get(self.store(), id).await?)
    }

    /// Whose name the caller's office's letters speak in: the ส่วนราชการ
    /// above a division or group, with its letterhead and the owner units.
    pub async fn agency(&self, c: &Caller) -> AppResult<Agency> {
        c.may(Action::Read)?;
        Ok(agency::agency(
            &offices::chain(self.store(), c.office.id).await?,
        ))
    }
}
