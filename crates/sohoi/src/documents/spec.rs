//! The measures of Decree 30/2020/NĐ-CP, Appendix I, in one place, so that the PDF and the
//! DOCX agree. Sizes are in points, lengths on paper in millimetres.

/// A4.
pub const PAGE_WIDTH_MM: f32 = 210.0;
pub const PAGE_HEIGHT_MM: f32 = 297.0;

/// The Decree allows top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm: the smallest
/// margins leave the most room for wide tables.
pub const MARGIN_TOP_MM: f32 = 20.0;
pub const MARGIN_BOTTOM_MM: f32 = 20.0;
pub const MARGIN_LEFT_MM: f32 = 30.0;
pub const MARGIN_RIGHT_MM: f32 = 15.0;

/// The header's left column (the issuing body, the number) takes this share of the text
/// width, the right column (the national name and motto, the date) the rest: the national
/// name needs 250 pt, leaving the superior body room for 13 pt capitals.
pub const HEADER_LEFT_SHARE: f32 = 0.44;
/// The closing's left column ("Nơi nhận:") takes this share, the signer the rest.
pub const CLOSING_LEFT_SHARE: f32 = 0.5;

pub const NATION: &str = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
pub const MOTTO: &str = "Độc lập - Tự do - Hạnh phúc";
pub const RECIPIENTS_LABEL: &str = "Nơi nhận:";

/// The superior and issuing bodies and the number: 12–13 pt.
pub const SIZE_HEADER: f32 = 13.0;
/// The national name (12–13 pt) and the motto (13–14 pt), at the smaller sizes so that the
/// issuer's column keeps its width.
pub const SIZE_NATION: f32 = 12.0;
pub const SIZE_MOTTO: f32 = 13.0;
/// The date line, kind, title, body and signer: 13–14 pt.
pub const SIZE_TEXT: f32 = 14.0;
/// Tables are smaller than the body so that ten columns fit across the page.
pub const SIZE_TABLE: f32 = 12.0;
/// "Nơi nhận:" is 12 pt, the list under it 11 pt.
pub const SIZE_RECIPIENTS_LABEL: f32 = 12.0;
pub const SIZE_RECIPIENTS: f32 = 11.0;
/// Page numbers, from the second page, centred in the top margin.
pub const SIZE_PAGE_NUMBER: f32 = 13.0;

/// Line height as a multiple of the font size, set exactly (Word's "Exactly" rule) so that
/// both formats break pages alike: 14 pt text gets 16.8 pt lines, above the Decree's 15 pt
/// minimum and below its one-and-a-half lines maximum.
pub const LINE_HEIGHT: f32 = 1.2;
/// Space after each body paragraph (the Decree asks for at least 6 pt).
pub const PARAGRAPH_SPACE: f32 = 6.0;
/// First-line indent of body paragraphs and headings (1–1.27 cm).
pub const FIRST_LINE_INDENT_MM: f32 = 12.7;
/// Space between the header and the kind, and after the title's rule.
pub const SPACE_BEFORE_KIND: f32 = 18.0;
pub const SPACE_AFTER_TITLE: f32 = 12.0;
/// Room left for the signature and the seal between the signer's title and name.
pub const SIGNATURE_SPACE: f32 = 64.0;

/// The short rules under the issuer and under the title are 1/3 to 1/2 of their text's width.
pub const SHORT_RULE_SHARE: f32 = 0.4;
pub const RULE_WIDTH: f32 = 0.6;
/// Table borders and cell padding.
pub const BORDER_WIDTH: f32 = 0.5;
pub const CELL_PADDING_X: f32 = 3.0;
pub const CELL_PADDING_Y: f32 = 2.0;

pub const POINTS_PER_MM: f32 = 72.0 / 25.4;
