//! Who may do what: the caller's scope (and, with the web issue, users, roles and the audit log).

pub mod audit;
pub mod scope;

pub use scope::Scope;
