//! The member register, the membership ledger and duplicate detection.

pub mod codes;
pub mod domain;
pub mod input;
pub mod ledger;
pub mod model;
pub mod service;
pub mod store;

pub use model::{Class, Event, EventKind, Member, MemberInput, Status};
pub use store::ListFilter;
