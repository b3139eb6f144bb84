//! Line breaking: text into lines no wider than a measure, with the font's own widths.

use unicode_normalization::UnicodeNormalization;

use super::fonts::{self, Style};

/// One line of text after breaking.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Line {
    /// The words with one space between each.
    pub text: String,
    /// Its natural width in points.
    pub width: f32,
    /// Whether a paragraph or a hard break (`\n`) ends here: such a line is never justified.
    pub last: bool,
}

impl Line {
    pub fn spaces(&self) -> usize {
        self.text.matches(' ').count()
    }
}

/// Breaks `text` into lines: the first may be at most `first` points wide (an indented
/// first line), the others `rest`. Words go on a line while they fit (a greedy fill, as
/// word processors do); a word wider than a whole line is cut between letters. Runs of
/// spaces count as one. Empty text gives no lines. Text comes out NFC: the fonts have a
/// glyph for each precomposed letter but do not place separate tone marks.
pub fn wrap(text: &str, style: Style, size: f32, first: f32, rest: f32) -> Vec<Line> {
    let text: String = text.nfc().collect();
    let space = fonts::width(style, size, " ");
    let measure = |lines: &Vec<Line>| if lines.is_empty() { first } else { rest };
    let mut lines = Vec::new();
    let mut line = Line::default();
    for part in text.split('\n') {
        for word in part.split([' ', '\t']).filter(|w| !w.is_empty()) {
            let word_width = fonts::width(style, size, word);
            if !line.text.is_empty() {
                if line.width + space + word_width <= measure(&lines) {
                    line.text.push(' ');
                    line.text.push_str(word);
                    line.width += space + word_width;
                    continue;
                }
                lines.push(std::mem::take(&mut line));
            }
            if word_width <= measure(&lines) {
                line.text.push_str(word);
                line.width = word_width;
                continue;
            }
            // Cut between letters; the last piece starts the next line.
            for c in word.chars() {
                let w = fonts::width(style, size, c.encode_utf8(&mut [0; 4]));
                if !line.text.is_empty() && line.width + w > measure(&lines) {
                    lines.push(std::mem::take(&mut line));
                }
                line.text.push(c);
                line.width += w;
            }
        }
        line.last = true;
        lines.push(std::mem::take(&mut line));
    }
    if lines.iter().all(|l| l.text.is_empty()) {
        lines.clear();
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIZE: f32 = 14.0;

    fn measure(text: &str) -> f32 {
        fonts::width(Style::Regular, SIZE, text)
    }

    #[test]
    fn words_fill_each_line_and_keep_their_order() {
        let text = "Hội Liên hiệp Phụ nữ Việt Nam là tổ chức chính trị - xã hội đại diện \
                    cho quyền và lợi ích hợp pháp, chính đáng của phụ nữ Việt Nam";
        let lines = wrap(text, Style::Regular, SIZE, 150.0, 200.0);
        assert!(lines.len() > 2);
        assert!(lines[0].width <= 150.0);
        for (i, line) in lines.iter().enumerate() {
            assert!(line.width <= 200.0, "{line:?}");
            assert!((line.width - measure(&line.text)).abs() < 0.01);
            assert_eq!(line.last, i == lines.len() - 1);
            // Greedy: the next line's first word would not have fitted.
            if let Some(next) = lines.get(i + 1) {
                let word = next.text.split(' ').next().expect("a word");
                let limit = if i == 0 { 150.0 } else { 200.0 };
                assert!(measure(&format!("{} {word}", line.text)) > limit);
            }
        }
        let joined: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(joined.join(" "), text);
    }

    #[test]
    fn hard_breaks_end_lines_and_spaces_collapse() {
        let lines = wrap(
            "Nơi nhận:\n-  Như trên;",
            Style::Regular,
            SIZE,
            300.0,
            300.0,
        );
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["Nơi nhận:", "- Như trên;"]);
        assert!(lines.iter().all(|l| l.last));
        assert!(wrap("  ", Style::Regular, SIZE, 300.0, 300.0).is_empty());
    }

    #[test]
    fn decomposed_letters_come_out_composed() {
        let lines = wrap("Ho\u{323}\u{302}i", Style::Regular, SIZE, 300.0, 300.0);
        assert_eq!(lines[0].text, "Hội");
    }

    #[test]
    fn a_word_wider_than_the_line_is_cut() {
        let word = "0123456789".repeat(5);
        let lines = wrap(&word, Style::Regular, SIZE, 60.0, 60.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| l.width <= 60.0));
        let joined: String = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(joined, word);
    }
}
