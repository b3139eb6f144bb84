//! `sohoi demo`: a realistic demo database — the real national tree, branches under every
//! commune and synthetic members — built deterministically from a seed.

pub mod accounts;
mod generate;
pub mod names;
pub mod rounds;

pub use generate::{DemoOptions, DemoReport, build};
