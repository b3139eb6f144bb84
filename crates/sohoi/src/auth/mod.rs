//! Who may do what: users, their grants at units, the caller's access, sessions, API
//! tokens and the audit log.

pub mod access;
pub mod audit;
pub mod password;
pub mod sessions;
pub mod tokens;
pub mod users;

pub use access::{Access, Authority, Grant, Reach, Role, Tier, Tiers};
