//! Excel in and out: member lists and reports as workbooks with a proper title block, the
//! blank import template, and (in `import`) reading the workbooks officers keep by hand.

pub mod columns;
pub mod export;
pub mod import;
pub(crate) mod sheet;

pub use export::{members_workbook, report_workbook, template_workbook};
