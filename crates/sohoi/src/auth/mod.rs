//! Who may do what: users, their roles bound to units, the caller's scope, sessions, API
//! tokens and the audit log.

pub mod audit;
pub mod password;
pub mod scope;
pub mod sessions;
pub mod tokens;
pub mod users;

pub use scope::Scope;
