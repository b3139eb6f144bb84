//! The service layer's one error type. Each variant names a message in the translation
//! files (`locales/*.ftl`), so the CLI and the web say the same thing in the user's language.

use crate::i18n::{Args, Lang};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Something that does not exist, or exists outside the caller's scope (the two are
    /// never told apart, so that a scope cannot be probed).
    #[error("not found: {what}")]
    NotFound { what: &'static str, key: String },
    /// Input that breaks a rule; `message` is a translation id, `args` its arguments.
    #[error("invalid {field}: {message}")]
    Invalid {
        field: &'static str,
        message: &'static str,
        args: Args,
    },
    /// A write that conflicts with the current state (a stale edit, an active duplicate).
    #[error("conflict: {message}")]
    Conflict { message: &'static str, args: Args },
    /// The caller may see the thing but not do this to it.
    #[error("forbidden")]
    Forbidden,
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    /// A file that could not be read or written (a workbook, an upload).
    #[error("file: {0}")]
    File(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn invalid(field: &'static str, message: &'static str) -> Self {
        Error::Invalid {
            field,
            message,
            args: Args::new(),
        }
    }

    pub fn not_found(what: &'static str, key: impl Into<String>) -> Self {
        Error::NotFound {
            what,
            key: key.into(),
        }
    }

    /// The database rolled the action back because others wrote the same rows at once (a
    /// deadlock or serialization failure that outlasted `write_tx!`'s attempts): a conflict
    /// to try again, not a fault.
    pub fn is_contention(&self) -> bool {
        crate::store::is_retryable(self)
    }

    /// The message for a person, in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        let t = crate::i18n::translator(lang);
        match self {
            e if e.is_contention() => t.msg("conflict-busy"),
            Error::NotFound { what, key } => t.msg_with(
                "error-not-found",
                &Args::new()
                    .with("what", t.msg(&format!("thing-{what}")))
                    .with("key", key.clone()),
            ),
            Error::Invalid {
                field,
                message,
                args,
            } => {
                format!(
                    "{}: {}",
                    t.msg(&format!("field-{field}")),
                    t.msg_with(message, args)
                )
            }
            Error::Conflict { message, args } => t.msg_with(message, args),
            Error::Forbidden => t.msg("error-forbidden"),
            Error::Db(e) => t.msg_with("error-database", &Args::new().with("reason", db_reason(e))),
            Error::File(reason) => {
                t.msg_with("error-file", &Args::new().with("reason", reason.clone()))
            }
        }
    }
}

fn db_reason(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Database(db) => db.message().to_string(),
        other => other.to_string(),
    }
}
