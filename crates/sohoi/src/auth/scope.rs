//! What a caller may see and change (DESIGN principle 4). Every service function takes a
//! `Scope`; there is no query of people without one.

use time::Date;

use crate::error::{Error, Result};
use crate::org;
use crate::store::Tx;

#[derive(Clone, Debug)]
pub enum Roots {
    /// The whole tree (the command line, run by whoever holds the database file).
    All,
    /// The subtrees under these units.
    Units(Vec<i64>),
}

#[derive(Clone, Debug)]
pub struct Scope {
    actor: String,
    view: Roots,
    edit: Roots,
    /// Where she manages accounts (chairs and administrators).
    manage: Roots,
    sensitive: bool,
    /// May make administrators (an administrator herself, or the command line).
    grants_admin: bool,
}

impl Scope {
    /// Full rights, for the command line: whoever can open the database file can read it.
    pub fn system(actor: impl Into<String>) -> Self {
        Self { actor: actor.into(), view: Roots::All, edit: Roots::All, manage: Roots::All, sensitive: true, grants_admin: true }
    }

    /// A scope limited to subtrees: `view` to see, `edit` to change, `sensitive` to see
    /// ethnicity, religion, national ID and Party membership.
    pub fn limited(actor: impl Into<String>, view: Vec<i64>, edit: Vec<i64>, sensitive: bool) -> Self {
        Self {
            actor: actor.into(),
            view: Roots::Units(view),
            edit: Roots::Units(edit),
            manage: Roots::Units(vec![]),
            sensitive,
            grants_admin: false,
        }
    }

    /// The scope of a signed-in user, from her roles.
    pub fn with_roles(actor: impl Into<String>, view: Vec<i64>, edit: Vec<i64>, manage: Vec<i64>, sensitive: bool) -> Self {
        Self {
            actor: actor.into(),
            view: Roots::Units(view),
            edit: Roots::Units(edit),
            manage: Roots::Units(manage),
            sensitive,
            grants_admin: false,
        }
    }

    /// The same scope, allowed (or not) to make administrators.
    pub fn granting_admin(mut self, yes: bool) -> Self {
        self.grants_admin = yes;
        self
    }

    pub fn grants_admin(&self) -> bool {
        self.grants_admin
    }

    pub fn actor(&self) -> &str {
        &self.actor
    }

    pub fn sees_sensitive(&self) -> bool {
        self.sensitive
    }

    pub fn view_roots(&self) -> &Roots {
        &self.view
    }

    pub fn manage_roots(&self) -> &Roots {
        &self.manage
    }

    /// Succeeds when `unit` lies in a subtree the caller may see at `at`; otherwise answers
    /// "not found", exactly as for a unit that does not exist.
    pub async fn ensure_view(&self, tx: &mut Tx, unit: i64, at: Date, code: &str) -> Result<()> {
        if within(tx, &self.view, unit, at).await? { Ok(()) } else { Err(Error::not_found("unit", code)) }
    }

    /// Succeeds when the caller may change `unit`: "not found" when she cannot even see it,
    /// "forbidden" when she can see but not change it.
    pub async fn ensure_edit(&self, tx: &mut Tx, unit: i64, at: Date, code: &str) -> Result<()> {
        self.ensure_view(tx, unit, at, code).await?;
        if within(tx, &self.edit, unit, at).await? { Ok(()) } else { Err(Error::Forbidden) }
    }
}

impl Scope {
    /// Succeeds when the caller may manage accounts at `unit`.
    pub async fn ensure_manage(&self, tx: &mut Tx, unit: i64, at: Date, code: &str) -> Result<()> {
        self.ensure_view(tx, unit, at, code).await?;
        if within(tx, &self.manage, unit, at).await? { Ok(()) } else { Err(Error::Forbidden) }
    }
}

async fn within(tx: &mut Tx, roots: &Roots, unit: i64, at: Date) -> Result<bool> {
    match roots {
        Roots::All => Ok(true),
        Roots::Units(ids) => {
            for &root in ids {
                if org::store::is_within(tx, unit, root, at).await? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
    }
}
