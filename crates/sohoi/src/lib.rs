//! sohoi — Sổ Hội, the register of a multi-level Vietnamese mass organisation.
//!
//! See `ARCHITECTURE.md` for the map of this crate.

pub mod auth;
pub mod bench;
pub mod cli;
pub mod clock;
#[macro_use]
pub mod console;
pub mod ctx;
pub mod demo;
pub mod documents;
pub mod error;
pub mod excel;
pub mod i18n;
pub mod members;
pub mod org;
pub mod reports;
pub mod rounds;
pub mod stats;
pub mod store;
pub mod text;
pub mod web;
