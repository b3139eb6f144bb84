//! Who may do what: the caller's scope (and, with the web issue, users, roles and the audit log).

pub mod audit;
pub mod password;
pub mod scope;
pub mod sessions;
pub mod users;

pub use scope::Scope;
