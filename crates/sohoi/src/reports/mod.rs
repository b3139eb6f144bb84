//! Reports computed from maintained statistics: periods, movements, the unit summary.
//! (Periodic statistical reports with approval and locking come with their own issue.)

pub mod chart;
pub mod movements;
pub mod period;
pub mod summary;

pub use period::Period;
