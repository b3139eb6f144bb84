//! Administrative documents (reports, plans, decisions) in the layout of Decree
//! 30/2020/NĐ-CP, Appendix I, as PDF and as DOCX from one [`Document`].
//!
//! `model` says what a document holds; `spec` the Decree's measures; `fonts` the embedded
//! Liberation Serif faces and their widths; `wrap` line breaking; `layout` places lines and
//! rules on A4 pages; `pdf` draws those pages; `docx` writes the same content for Word.
//! See `docs/DOCUMENTS.md`.

mod docx;
mod fonts;
mod layout;
mod model;
mod pdf;
mod spec;
mod wrap;

pub use docx::docx;
pub use model::{Block, Document, Signer, Table};
pub use pdf::pdf;
