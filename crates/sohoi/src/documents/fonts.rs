//! The four faces of Liberation Serif, which has the metrics of Times New Roman (the face
//! the Decree names) and every precomposed Vietnamese letter, and is free to embed (SIL OFL
//! 1.1, `assets/fonts/LICENSE`). Widths measured here place text in the PDF and size rules
//! in the DOCX, where Word draws the same widths with Times New Roman.

use std::sync::LazyLock;

use ttf_parser::{Face, GlyphId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Regular,
    Bold,
    Italic,
    BoldItalic,
}

impl Style {
    pub const ALL: [Style; 4] = [
        Style::Regular,
        Style::Bold,
        Style::Italic,
        Style::BoldItalic,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn is_bold(self) -> bool {
        matches!(self, Style::Bold | Style::BoldItalic)
    }

    pub fn is_italic(self) -> bool {
        matches!(self, Style::Italic | Style::BoldItalic)
    }

    /// The font's file, compiled into the binary.
    pub fn data(self) -> &'static [u8] {
        match self {
            Style::Regular => include_bytes!("../../assets/fonts/LiberationSerif-Regular.ttf"),
            Style::Bold => include_bytes!("../../assets/fonts/LiberationSerif-Bold.ttf"),
            Style::Italic => include_bytes!("../../assets/fonts/LiberationSerif-Italic.ttf"),
            Style::BoldItalic => {
                include_bytes!("../../assets/fonts/LiberationSerif-BoldItalic.ttf")
            }
        }
    }

    pub fn postscript_name(self) -> &'static str {
        match self {
            Style::Regular => "LiberationSerif",
            Style::Bold => "LiberationSerif-Bold",
            Style::Italic => "LiberationSerif-Italic",
            Style::BoldItalic => "LiberationSerif-BoldItalic",
        }
    }

    pub fn face(self) -> &'static Face<'static> {
        &FACES[self.index()]
    }
}

/// Parsed once: the files are part of the binary, so a failure is a broken build, which the
/// unit tests below catch.
static FACES: LazyLock<[Face<'static>; 4]> = LazyLock::new(|| {
    Style::ALL.map(|style| Face::parse(style.data(), 0).expect("the vendored font parses"))
});

/// The glyph for a character: `.notdef` (an empty box) for one the font lacks.
pub fn glyph(style: Style, c: char) -> GlyphId {
    style.face().glyph_index(c).unwrap_or(GlyphId(0))
}

/// A glyph's advance as a share of the font size (the em).
pub fn advance(style: Style, glyph: GlyphId) -> f32 {
    let face = style.face();
    f32::from(face.glyph_hor_advance(glyph).unwrap_or(0)) / f32::from(face.units_per_em())
}

/// The width of `text` set at `size` points, in points. No kerning, as Word sets text by default.
pub fn width(style: Style, size: f32, text: &str) -> f32 {
    text.chars()
        .map(|c| advance(style, glyph(style, c)))
        .sum::<f32>()
        * size
}

/// Where the baseline sits below the top of a line `line_height` points tall: the font's
/// ascent, with the line's spare room shared above and below the glyphs.
pub fn baseline(style: Style, size: f32, line_height: f32) -> f32 {
    let face = style.face();
    let em = f32::from(face.units_per_em());
    let ascent = f32::from(face.ascender()) / em * size;
    let descent = -f32::from(face.descender()) / em * size;
    ascent + (line_height - ascent - descent) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_face_has_every_vietnamese_letter() {
        let letters = "aăâbcdđeêghiklmnoôơpqrstuưvxy";
        let tones = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];
        let vowels = "aăâeêioôơuưy";
        let mut text: String = letters.chars().flat_map(char::to_uppercase).collect();
        text.push_str(letters);
        for vowel in vowels.chars() {
            for tone in tones {
                let decomposed: String = [vowel, tone].iter().collect();
                use unicode_normalization::UnicodeNormalization;
                text.extend(decomposed.nfc());
                text.extend(decomposed.to_uppercase().nfc());
            }
        }
        for style in Style::ALL {
            for c in text.chars() {
                assert_ne!(glyph(style, c), GlyphId(0), "{style:?} lacks {c}");
            }
        }
    }

    #[test]
    fn widths_follow_times_new_roman_metrics() {
        // Times New Roman: "0" is half an em, a space a quarter em.
        assert!((width(Style::Regular, 10.0, "0") - 5.0).abs() < 0.01);
        assert!((width(Style::Regular, 10.0, " ") - 2.5).abs() < 0.01);
        assert!(width(Style::Bold, 14.0, "BÁO CÁO") > width(Style::Regular, 14.0, "BÁO CÁO"));
    }
}
