//! The request context every service takes: the transaction, the caller's access, today's
//! date and the audit entries of what she read.
//!
//! A context is a read snapshot ([`Ctx::read`]) or a write transaction ([`Ctx::write`]).
//! Reading sensitive data is audited; in a snapshot the entry is filed at once in its own
//! short write, so that showing a record never holds the write lock (on SQLite, the whole
//! database's). If the entry cannot be filed, the read fails: a read that cannot be logged is
//! not shown.

use time::Date;

use crate::auth::access::{Access, Authority};
use crate::error::Result;
use crate::store::{Store, Tx};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Read,
    Write,
}

pub struct Ctx {
    pub tx: Tx,
    pub access: Access,
    /// Today in Vietnam, or the date the context was set to ([`Ctx::on`]).
    pub today: Date,
    mode: Mode,
    store: Store,
}

impl Ctx {
    /// A read snapshot for `access`.
    pub async fn read(store: &Store, access: Access) -> Result<Ctx> {
        Ok(Ctx::new(store, store.read().await?, access, Mode::Read))
    }

    /// A write transaction for `access` (SQLite: it takes the write lock at once).
    pub async fn write(store: &Store, access: Access) -> Result<Ctx> {
        Ok(Ctx::new(store, store.begin().await?, access, Mode::Write))
    }

    fn new(store: &Store, tx: Tx, access: Access, mode: Mode) -> Ctx {
        Ctx {
            tx,
            access,
            today: crate::clock::today(),
            mode,
            store: store.clone(),
        }
    }

    /// The same context on another date: deadlines, periods and locks as they stand then.
    /// Tests set the date with it; nothing else does.
    pub fn on(mut self, today: Date) -> Ctx {
        self.today = today;
        self
    }

    /// The same transaction acting for someone else (tests that prepare with full access and
    /// then act as a user).
    pub fn acting(&mut self, access: &Access) -> &mut Ctx {
        self.access = access.clone();
        self
    }

    pub fn actor(&self) -> &str {
        self.access.actor()
    }

    /// `ctx.require(Authority::ApproveReports, unit_id, code)`: see [`Access::require`].
    pub async fn require(&mut self, authority: Authority, unit: i64, code: &str) -> Result<()> {
        self.access
            .require(&mut self.tx, authority, unit, self.today, code)
            .await
    }

    /// Succeeds when the caller sees `unit` at all; "not found" otherwise.
    pub async fn ensure_view(&mut self, unit: i64, code: &str) -> Result<()> {
        self.access
            .ensure_view(&mut self.tx, unit, self.today, code)
            .await
    }

    /// Files an audit entry about something the caller read: in a write transaction, in it;
    /// in a snapshot, at once in its own short write (so that a read that is logged never
    /// holds the write lock, and no caller can forget to file it).
    pub async fn audit_read(
        &mut self,
        action: &str,
        unit_id: Option<i64>,
        subject: Option<&str>,
        detail: Option<&str>,
    ) -> Result<()> {
        match self.mode {
            Mode::Write => {
                crate::auth::audit::record(
                    &mut self.tx,
                    self.access.actor(),
                    action,
                    unit_id,
                    subject,
                    detail,
                )
                .await?
            }
            Mode::Read => {
                let actor = self.access.actor().to_string();
                crate::write_tx!(self.store, tx => {
                    crate::auth::audit::record(tx, &actor, action, unit_id, subject, detail).await?;
                    Ok::<_, crate::error::Error>(())
                })?;
            }
        }
        Ok(())
    }

    /// Ends the context: a write commits, a snapshot ends.
    pub async fn finish(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }
}

/// Runs `$body` in a write context of `$store` for `$access`, with `$ctx` bound to it
/// (`&mut Ctx`), and commits; a transaction the engine rolled back to break a deadlock or a
/// serialization failure runs again from the start (see [`crate::write_tx!`]). `$body` is an
/// expression of type `crate::error::Result<T>`.
///
/// ```ignore
/// let member = sohoi::write_ctx!(store, access, ctx => service::transfer(ctx, id, version, "00004", today, None).await)?;
/// ```
#[macro_export]
macro_rules! write_ctx {
    ($store:expr, $access:expr, $ctx:ident => $body:expr) => {{
        let store: &$crate::store::Store = &$store;
        let access: &$crate::auth::Access = &$access;
        $crate::retrying!(async {
            let mut context = $crate::ctx::Ctx::write(store, access.clone()).await?;
            let value = {
                let $ctx = &mut context;
                let body: $crate::error::Result<_> = $body;
                body
            }?;
            context.finish().await?;
            Ok(value)
        })
    }};
}
