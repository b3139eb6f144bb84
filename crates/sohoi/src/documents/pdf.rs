//! The PDF: the laid-out pages drawn with `pdf-writer`, each face used embedded as a
//! TrueType subset (only the glyphs drawn) with a ToUnicode map, so that text can be
//! searched, copied and extracted with its diacritics.

use std::collections::BTreeMap;
use std::io::Write;

use flate2::Compression;
use flate2::write::ZlibEncoder;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use subsetter::GlyphRemapper;
use unicode_normalization::UnicodeNormalization;

use super::fonts::{self, Style};
use super::layout::{self, Item, PAGE_HEIGHT, PAGE_WIDTH, Page};
use super::model::Document;
use crate::error::{Error, Result};

/// The document as a PDF file.
pub fn pdf(doc: &Document) -> Result<Vec<u8>> {
    let pages = layout::layout(doc);
    let title = format!("{} {}", doc.kind.to_uppercase(), doc.title);
    write(&pages, &title)
}

/// The glyphs of one face that the pages use, numbered in order of first use (the subset's
/// glyph ids, which are also the CIDs the content streams show), and the text each stands for.
#[derive(Default)]
struct Used {
    glyphs: GlyphRemapper,
    text: BTreeMap<u16, char>,
}

impl Used {
    /// The two-byte codes that show `text`.
    fn encode(&mut self, style: Style, text: &str) -> Vec<u8> {
        let mut codes = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let cid = self.glyphs.remap(fonts::glyph(style, c).0);
            self.text.entry(cid).or_insert(c);
            codes.extend(cid.to_be_bytes());
        }
        codes
    }
}

fn write(pages: &[Page], title: &str) -> Result<Vec<u8>> {
    let mut next = Ref::new(1);
    let mut id = || next.bump();
    let catalog = id();
    let tree = id();
    let info = id();
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree).lang(TextStr("vi"));
    let title: String = title.nfc().collect();
    pdf.document_info(info)
        .title(TextStr(&title))
        .producer(TextStr("sohoi"));

    let mut used: [Used; 4] = Default::default();
    let mut streams = Vec::with_capacity(pages.len());
    for page in pages {
        streams.push(deflate(&content(page, &mut used))?);
    }
    let fonts: Vec<(Style, Ref)> = Style::ALL
        .into_iter()
        .filter(|style| used[style.index()].glyphs.num_gids() > 1)
        .map(|style| (style, id()))
        .collect();

    let page_ids: Vec<Ref> = pages.iter().map(|_| id()).collect();
    pdf.pages(tree)
        .kids(page_ids.iter().copied())
        .count(page_ids.len() as i32);
    for (page_id, stream) in page_ids.iter().zip(&streams) {
        let content_id = id();
        let mut page = pdf.page(*page_id);
        page.parent(tree)
            .media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT))
            .contents(content_id);
        let mut resources = page.resources();
        let mut names = resources.fonts();
        for (style, font_id) in &fonts {
            names.pair(font_name(*style), *font_id);
        }
        names.finish();
        resources.finish();
        page.finish();
        pdf.stream(content_id, stream).filter(Filter::FlateDecode);
    }

    for (style, font_id) in fonts {
        embed(&mut pdf, &mut id, font_id, style, &used[style.index()])?;
    }
    Ok(pdf.finish())
}

fn font_name(style: Style) -> Name<'static> {
    match style {
        Style::Regular => Name(b"F0"),
        Style::Bold => Name(b"F1"),
        Style::Italic => Name(b"F2"),
        Style::BoldItalic => Name(b"F3"),
    }
}

/// One page's content stream. Coordinates turn from top-down (the layout's) to bottom-up.
fn content(page: &Page, used: &mut [Used; 4]) -> Vec<u8> {
    let mut content = Content::new();
    for item in &page.items {
        match item {
            Item::Text {
                x,
                baseline,
                style,
                size,
                text,
                word_gap,
            } => {
                let used = &mut used[style.index()];
                content.begin_text();
                content.set_font(font_name(*style), *size);
                content.set_text_matrix([1.0, 0.0, 0.0, 1.0, *x, PAGE_HEIGHT - baseline]);
                if *word_gap == 0.0 {
                    content.show(Str(&used.encode(*style, text)));
                } else {
                    // Word spacing (Tw) does not apply to two-byte codes, so each space is
                    // widened by an adjustment in the shown array instead.
                    let mut show = content.show_positioned();
                    let mut items = show.items();
                    let gap = -word_gap * 1000.0 / size;
                    let mut words = text.split(' ').peekable();
                    while let Some(word) = words.next() {
                        if words.peek().is_some() {
                            items.show(Str(&used.encode(*style, &format!("{word} "))));
                            items.adjust(gap);
                        } else {
                            items.show(Str(&used.encode(*style, word)));
                        }
                    }
                    items.finish();
                    show.finish();
                }
                content.end_text();
            }
            Item::Rule { from, to, width } => {
                content.set_line_width(*width);
                content.move_to(from.0, PAGE_HEIGHT - from.1);
                content.line_to(to.0, PAGE_HEIGHT - to.1);
                content.stroke();
            }
        }
    }
    content.finish().to_vec()
}

/// A Type 0 font over a CIDFontType2 (TrueType) subset: CIDs are the subset's glyph ids.
fn embed(
    pdf: &mut Pdf,
    id: &mut impl FnMut() -> Ref,
    font_id: Ref,
    style: Style,
    used: &Used,
) -> Result<()> {
    let (cid_id, descriptor_id, unicode_id, file_id) = (id(), id(), id(), id());
    let face = style.face();
    let em = f32::from(face.units_per_em());
    let to_pdf = |units: f32| units / em * 1000.0;

    let glyphs: Vec<u16> = used.glyphs.remapped_gids().collect();
    let base = format!("{}+{}", subset_tag(&glyphs), style.postscript_name());
    let base = Name(base.as_bytes());

    pdf.type0_font(font_id)
        .base_font(base)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid_id)
        .to_unicode(unicode_id);

    let system_info = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };
    let widths = glyphs
        .iter()
        .map(|g| fonts::advance(style, ttf_parser::GlyphId(*g)) * 1000.0);
    let mut cid = pdf.cid_font(cid_id);
    cid.subtype(CidFontType::Type2)
        .base_font(base)
        .system_info(system_info)
        .font_descriptor(descriptor_id)
        .cid_to_gid_map_predefined(Name(b"Identity"));
    cid.widths().consecutive(0, widths);
    cid.finish();

    let mut flags = FontFlags::SERIF | FontFlags::NON_SYMBOLIC;
    if style.is_italic() {
        flags |= FontFlags::ITALIC;
    }
    let bbox = face.global_bounding_box();
    let cap_height = face.capital_height().unwrap_or(face.ascender());
    pdf.font_descriptor(descriptor_id)
        .name(base)
        .flags(flags)
        .bbox(Rect::new(
            to_pdf(bbox.x_min.into()),
            to_pdf(bbox.y_min.into()),
            to_pdf(bbox.x_max.into()),
            to_pdf(bbox.y_max.into()),
        ))
        .italic_angle(face.italic_angle())
        .ascent(to_pdf(face.ascender().into()))
        .descent(to_pdf(face.descender().into()))
        .cap_height(to_pdf(cap_height.into()))
        // No stem width in a TrueType file; this is the usual estimate from the weight.
        .stem_v(if style.is_bold() { 140.0 } else { 80.0 })
        .font_file2(file_id);

    let mut cmap = UnicodeCmap::new(
        Name(b"Custom"),
        SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"UCS"),
            supplement: 0,
        },
    );
    for (cid, c) in &used.text {
        cmap.pair(*cid, *c);
    }
    pdf.stream(unicode_id, &deflate(&cmap.finish())?)
        .filter(Filter::FlateDecode);

    let subset = subsetter::subset(style.data(), 0, &used.glyphs)
        .map_err(|e| Error::File(format!("font subset: {e}")))?;
    pdf.stream(file_id, &deflate(&subset)?)
        .filter(Filter::FlateDecode)
        .pair(Name(b"Length1"), subset.len() as i32);
    Ok(())
}

/// Six capital letters that name a subset (PDF 32000-1, 9.6.4), drawn from its glyphs so
/// that different subsets of one face get different names.
fn subset_tag(glyphs: &[u16]) -> String {
    // FNV-1a.
    let mut hash: u32 = 0x811c_9dc5;
    for byte in glyphs.iter().flat_map(|g| g.to_be_bytes()) {
        hash = (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193);
    }
    (0..6)
        .map(|_| {
            let letter = char::from(b'A' + (hash % 26) as u8);
            hash /= 26;
            letter
        })
        .collect()
}

fn deflate(data: &[u8]) -> Result<Vec<u8>> {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
    encoder
        .write_all(data)
        .and_then(|()| encoder.finish())
        .map_err(|e| Error::File(format!("compress: {e}")))
}
