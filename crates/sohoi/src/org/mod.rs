//! The organisation tree with history: units, their names and parents over time, and the
//! temporal closure that answers subtree questions in one query.

pub mod correction;
pub mod model;
pub mod reference;
pub mod restructure;
pub mod store;
pub mod tree;

pub use model::{Unit, UnitCode, UnitKind};
