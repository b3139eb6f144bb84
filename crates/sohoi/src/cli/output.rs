//! Plain-text tables for the terminal.

use unicode_width_lite::width;

/// Prints rows under a header, columns padded to their widest cell; numeric columns
/// (`right[i]`) are right-aligned.
pub fn table(header: &[String], rows: &[Vec<String>], right: &[bool]) -> String {
    let cols = header.len();
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(cols) {
            widths[i] = widths[i].max(width(cell));
        }
    }
    let mut out = String::new();
    let mut line = |cells: &[String]| {
        let mut parts = Vec::with_capacity(cols);
        for (i, cell) in cells.iter().enumerate().take(cols) {
            let pad = " ".repeat(widths[i].saturating_sub(width(cell)));
            parts.push(if right.get(i).copied().unwrap_or(false) {
                format!("{pad}{cell}")
            } else {
                format!("{cell}{pad}")
            });
        }
        out.push_str(parts.join("  ").trim_end());
        out.push('\n');
    };
    line(header);
    line(&widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>());
    for row in rows {
        line(row);
    }
    out
}

/// Display width without pulling in a crate: Vietnamese letters are one column wide once
/// composed (NFC), and combining marks take none.
mod unicode_width_lite {
    pub fn width(s: &str) -> usize {
        s.chars()
            .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
            .count()
    }
}
