//! The DOCX: a WordprocessingML package written by hand, for those who edit the document
//! before signing it. Word lays it out itself; this file gives it the Decree's measures
//! (`spec`), the header and closing as borderless two-column tables, bordered body tables
//! whose header row repeats on each page, and page numbers from the second page.

use std::fmt::Write as _;
use std::io::{Cursor, Write as _};

use unicode_normalization::UnicodeNormalization;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::fonts::{self, Style};
use super::model::{Block, Document, Table};
use super::spec::*;
use super::wrap::wrap;
use crate::error::{Error, Result};

const NS: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#;

/// The document as a DOCX file.
pub fn docx(doc: &Document) -> Result<Vec<u8>> {
    let parts = [
        ("[Content_Types].xml", CONTENT_TYPES.to_string()),
        ("_rels/.rels", ROOT_RELS.to_string()),
        ("docProps/core.xml", core(doc)),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS.to_string()),
        ("word/document.xml", document(doc)),
        ("word/styles.xml", styles()),
        ("word/header1.xml", page_number()),
        (
            "word/header2.xml",
            format!("{XML_DECLARATION}<w:hdr {NS}><w:p/></w:hdr>"),
        ),
    ];
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, xml) in parts {
        zip.start_file(name, options)
            .map_err(|e| Error::File(format!("docx: {e}")))?;
        zip.write_all(xml.as_bytes())
            .map_err(|e| Error::File(format!("docx: {e}")))?;
    }
    let file = zip
        .finish()
        .map_err(|e| Error::File(format!("docx: {e}")))?;
    Ok(file.into_inner())
}

const XML_DECLARATION: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#;

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/><Override PartName="/word/header2.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>"#;

const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>"#;

const DOCUMENT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header2.xml"/></Relationships>"#;

fn core(doc: &Document) -> String {
    format!(
        r#"{XML_DECLARATION}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{} {}</dc:title><dc:creator>{}</dc:creator><dc:language>vi-VN</dc:language></cp:coreProperties>"#,
        escape(&doc.kind.to_uppercase()),
        escape(&doc.title),
        escape(&doc.issuer),
    )
}

/// Times New Roman (which Liberation Serif stands in for in the PDF), the body size, Vietnamese.
fn styles() -> String {
    format!(
        r#"{XML_DECLARATION}<w:styles {NS}><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="Times New Roman" w:cs="Times New Roman"/><w:sz w:val="{size}"/><w:szCs w:val="{size}"/><w:lang w:val="vi-VN"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style></w:styles>"#,
        size = half_points(SIZE_TEXT)
    )
}

/// The page number, centred, in the header of every page but the first.
fn page_number() -> String {
    let size = half_points(SIZE_PAGE_NUMBER);
    let run = |inner: &str| format!(r#"<w:r><w:rPr><w:sz w:val="{size}"/></w:rPr>{inner}</w:r>"#);
    format!(
        r#"{XML_DECLARATION}<w:hdr {NS}><w:p><w:pPr><w:jc w:val="center"/></w:pPr>{}{}{}{}{}</w:p></w:hdr>"#,
        run(r#"<w:fldChar w:fldCharType="begin"/>"#),
        run(r#"<w:instrText xml:space="preserve"> PAGE </w:instrText>"#),
        run(r#"<w:fldChar w:fldCharType="separate"/>"#),
        run("<w:t>2</w:t>"),
        run(r#"<w:fldChar w:fldCharType="end"/>"#),
    )
}

/// Millimetres on paper to twentieths of a point.
fn twips(mm: f32) -> i32 {
    (mm * POINTS_PER_MM * 20.0).round() as i32
}

fn half_points(size: f32) -> i32 {
    (size * 2.0).round() as i32
}

/// Points to twentieths of a point.
fn pt(points: f32) -> i32 {
    (points * 20.0).round() as i32
}

fn text_width() -> i32 {
    twips(PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM)
}

/// XML text: NFC (as the PDF draws it), with the characters XML 1.0 cannot hold left out.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfc() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq)]
enum Align {
    Left,
    Centre,
    Right,
    Justify,
}

/// How one paragraph is set.
#[derive(Clone, Copy)]
struct Para {
    align: Align,
    size: f32,
    style: Style,
    first_line: i32,
    after: f32,
}

impl Para {
    fn new(align: Align, style: Style, size: f32) -> Self {
        Para {
            align,
            size,
            style,
            first_line: 0,
            after: 0.0,
        }
    }
}

/// The document part: everything, in the order of the page.
fn document(doc: &Document) -> String {
    let mut body = String::new();
    header(&mut body, doc);
    for block in &doc.blocks {
        let indent = twips(FIRST_LINE_INDENT_MM);
        match block {
            Block::Heading(text) => {
                let mut para = Para::new(Align::Left, Style::Bold, SIZE_TEXT);
                para.first_line = indent;
                para.after = PARAGRAPH_SPACE;
                paragraph(&mut body, text, para, true);
            }
            Block::Paragraph(text) => {
                let mut para = Para::new(Align::Justify, Style::Regular, SIZE_TEXT);
                para.first_line = indent;
                para.after = PARAGRAPH_SPACE;
                paragraph(&mut body, text, para, false);
            }
            Block::Table(table) => self::table(&mut body, table),
        }
    }
    closing(&mut body, doc);
    format!(
        r#"{XML_DECLARATION}<w:document {NS}><w:body>{body}<w:sectPr><w:headerReference w:type="default" r:id="rId2"/><w:headerReference w:type="first" r:id="rId3"/><w:pgSz w:w="{}" w:h="{}"/><w:pgMar w:top="{}" w:right="{}" w:bottom="{}" w:left="{}" w:header="{}" w:footer="{}" w:gutter="0"/><w:titlePg/></w:sectPr></w:body></w:document>"#,
        twips(PAGE_WIDTH_MM),
        twips(PAGE_HEIGHT_MM),
        twips(MARGIN_TOP_MM),
        twips(MARGIN_RIGHT_MM),
        twips(MARGIN_BOTTOM_MM),
        twips(MARGIN_LEFT_MM),
        twips(MARGIN_TOP_MM / 2.0),
        twips(MARGIN_BOTTOM_MM / 2.0),
    )
}

/// One paragraph; a `\n` in the text is a line break. `keep_next` keeps it on the page of
/// the paragraph after it (a heading with its text).
fn paragraph(out: &mut String, text: &str, para: Para, keep_next: bool) {
    let jc = match para.align {
        Align::Left => "left",
        Align::Centre => "center",
        Align::Right => "right",
        Align::Justify => "both",
    };
    let _ = write!(
        out,
        r#"<w:p><w:pPr>{}<w:spacing w:after="{}" w:line="{}" w:lineRule="exact"/><w:ind w:firstLine="{}"/><w:jc w:val="{jc}"/></w:pPr>"#,
        if keep_next { "<w:keepNext/>" } else { "" },
        pt(para.after),
        pt(para.size * LINE_HEIGHT),
        para.first_line,
    );
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push_str("<w:r><w:br/></w:r>");
        }
        run(out, line, para.style, para.size);
    }
    out.push_str("</w:p>");
}

fn run(out: &mut String, text: &str, style: Style, size: f32) {
    let _ = write!(
        out,
        r#"<w:r><w:rPr>{}{}<w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr><w:t xml:space="preserve">{}</w:t></w:r>"#,
        if style.is_bold() {
            "<w:b/><w:bCs/>"
        } else {
            ""
        },
        if style.is_italic() {
            "<w:i/><w:iCs/>"
        } else {
            ""
        },
        escape(text),
        size = half_points(size),
    );
}

/// A rule `length` points long centred in a cell `cell` twips wide: an empty, short
/// paragraph with a bottom border, narrowed by its indents.
fn short_rule(out: &mut String, length: f32, cell: i32) {
    let indent = ((cell - pt(length)) / 2).max(0);
    let _ = write!(
        out,
        r#"<w:p><w:pPr><w:pBdr><w:bottom w:val="single" w:sz="{}" w:space="1" w:color="auto"/></w:pBdr><w:spacing w:after="80" w:line="20" w:lineRule="exact"/><w:ind w:left="{indent}" w:right="{indent}"/></w:pPr></w:p>"#,
        (RULE_WIDTH * 8.0).round() as i32,
    );
}

/// The widest line `text` breaks into in a column `width` twips wide, in points: Word breaks
/// Times New Roman where the PDF breaks Liberation Serif, their widths being the same.
fn widest(text: &str, style: Style, size: f32, width: i32) -> f32 {
    let width = width as f32 / 20.0;
    wrap(text, style, size, width, width)
        .iter()
        .map(|line| line.width)
        .fold(0.0, f32::max)
}

/// A table without borders or cell margins whose columns split the text width.
fn open_layout_table(out: &mut String, widths: &[i32]) {
    let _ = write!(
        out,
        r#"<w:tbl><w:tblPr><w:tblW w:w="{}" w:type="dxa"/><w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/></w:tblCellMar></w:tblPr><w:tblGrid>"#,
        text_width()
    );
    for w in widths {
        let _ = write!(out, r#"<w:gridCol w:w="{w}"/>"#);
    }
    out.push_str("</w:tblGrid>");
}

fn open_cell(out: &mut String, width: i32) {
    let _ = write!(
        out,
        r#"<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>"#
    );
}

/// Vertical space: an empty paragraph `points` tall (after a table, Word needs a paragraph).
fn space(out: &mut String, points: f32) {
    let _ = write!(
        out,
        r#"<w:p><w:pPr><w:spacing w:after="0" w:line="{}" w:lineRule="exact"/></w:pPr></w:p>"#,
        pt(points)
    );
}

fn header(out: &mut String, doc: &Document) {
    let left = (text_width() as f32 * HEADER_LEFT_SHARE).round() as i32;
    let right = text_width() - left;
    let centred = |style, size| Para::new(Align::Centre, style, size);
    open_layout_table(out, &[left, right]);

    out.push_str("<w:tr>");
    open_cell(out, left);
    if let Some(superior) = &doc.superior {
        let superior = superior.to_uppercase();
        paragraph(out, &superior, centred(Style::Regular, SIZE_HEADER), false);
    }
    let issuer = doc.issuer.to_uppercase();
    paragraph(out, &issuer, centred(Style::Bold, SIZE_HEADER), false);
    let issuer_width = widest(&issuer, Style::Bold, SIZE_HEADER, left);
    short_rule(out, issuer_width * SHORT_RULE_SHARE, left);
    out.push_str("</w:tc>");
    open_cell(out, right);
    paragraph(out, NATION, centred(Style::Bold, SIZE_NATION), false);
    paragraph(out, MOTTO, centred(Style::Bold, SIZE_MOTTO), false);
    short_rule(out, fonts::width(Style::Bold, SIZE_MOTTO, MOTTO), right);
    out.push_str("</w:tc></w:tr><w:tr>");
    open_cell(out, left);
    paragraph(
        out,
        &doc.number,
        centred(Style::Regular, SIZE_HEADER),
        false,
    );
    out.push_str("</w:tc>");
    open_cell(out, right);
    paragraph(
        out,
        &doc.date_line(),
        centred(Style::Italic, SIZE_TEXT),
        false,
    );
    out.push_str("</w:tc></w:tr></w:tbl>");

    let mut kind = centred(Style::Bold, SIZE_TEXT);
    kind.after = 0.0;
    space(out, SPACE_BEFORE_KIND);
    paragraph(out, &doc.kind.to_uppercase(), kind, true);
    paragraph(out, &doc.title, kind, true);
    let title_width = widest(&doc.title, Style::Bold, SIZE_TEXT, text_width());
    short_rule(out, title_width * SHORT_RULE_SHARE, text_width());
    space(out, SPACE_AFTER_TITLE);
}

/// A bordered table across the text width; its header row repeats on each page.
fn table(out: &mut String, table: &Table) {
    let columns = table.columns();
    if columns == 0 {
        return;
    }
    let width = text_width();
    let widths: Vec<i32> = table
        .shares()
        .iter()
        .map(|s| (s * width as f32).round() as i32)
        .collect();
    let border = format!(
        r#"w:val="single" w:sz="{}" w:space="0" w:color="auto""#,
        (BORDER_WIDTH * 8.0).round() as i32
    );
    let _ = write!(
        out,
        r#"<w:tbl><w:tblPr><w:tblW w:w="{width}" w:type="dxa"/><w:tblBorders><w:top {border}/><w:left {border}/><w:bottom {border}/><w:right {border}/><w:insideH {border}/><w:insideV {border}/></w:tblBorders><w:tblLayout w:type="fixed"/><w:tblCellMar><w:top w:w="{pad_y}" w:type="dxa"/><w:left w:w="{pad_x}" w:type="dxa"/><w:bottom w:w="{pad_y}" w:type="dxa"/><w:right w:w="{pad_x}" w:type="dxa"/></w:tblCellMar></w:tblPr><w:tblGrid>"#,
        pad_x = pt(CELL_PADDING_X),
        pad_y = pt(CELL_PADDING_Y),
    );
    for w in &widths {
        let _ = write!(out, r#"<w:gridCol w:w="{w}"/>"#);
    }
    out.push_str("</w:tblGrid>");
    if !table.header.is_empty() {
        out.push_str("<w:tr><w:trPr><w:tblHeader/></w:trPr>");
        for (c, w) in widths.iter().enumerate() {
            let _ = write!(
                out,
                r#"<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>"#
            );
            let text = table.header.get(c).map_or("", String::as_str);
            let para = Para::new(Align::Centre, Style::Bold, SIZE_TABLE);
            paragraph(out, text, para, false);
            out.push_str("</w:tc>");
        }
        out.push_str("</w:tr>");
    }
    for row in &table.rows {
        out.push_str("<w:tr>");
        for (c, w) in widths.iter().enumerate() {
            open_cell(out, *w);
            let align = if table.is_numeric(c) {
                Align::Right
            } else {
                Align::Left
            };
            let text = row.get(c).map_or("", String::as_str);
            paragraph(
                out,
                text,
                Para::new(align, Style::Regular, SIZE_TABLE),
                false,
            );
            out.push_str("</w:tc>");
        }
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
    space(out, PARAGRAPH_SPACE * 2.0);
}

/// "Nơi nhận:" and the signer, side by side in a row that is not split across pages.
fn closing(out: &mut String, doc: &Document) {
    let left = (text_width() as f32 * CLOSING_LEFT_SHARE).round() as i32;
    let right = text_width() - left;
    open_layout_table(out, &[left, right]);
    out.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
    open_cell(out, left);
    if doc.recipients.is_empty() {
        out.push_str("<w:p/>");
    } else {
        let label = Para::new(Align::Left, Style::BoldItalic, SIZE_RECIPIENTS_LABEL);
        paragraph(out, RECIPIENTS_LABEL, label, true);
        for recipient in &doc.recipients {
            let item = Para::new(Align::Left, Style::Regular, SIZE_RECIPIENTS);
            paragraph(out, &format!("- {recipient}"), item, true);
        }
    }
    out.push_str("</w:tc>");
    open_cell(out, right);
    let signer = &doc.signer;
    let bold = Para::new(Align::Centre, Style::Bold, SIZE_TEXT);
    if let Some(capacity) = &signer.capacity {
        paragraph(out, &capacity.to_uppercase(), bold, true);
    }
    let mut title = bold;
    title.after = SIGNATURE_SPACE;
    paragraph(out, &signer.title.to_uppercase(), title, true);
    paragraph(out, &signer.name, bold, false);
    out.push_str("</w:tc></w:tr></w:tbl>");
}
