//! Lays a document out on A4 pages: where each line of text and each rule goes. The PDF
//! writer draws what this decides and decides nothing itself.

use std::ops::Range;

use super::fonts::{self, Style};
use super::model::{Block, Document, Table};
use super::spec::*;
use super::wrap::{Line, wrap};

pub const PAGE_WIDTH: f32 = PAGE_WIDTH_MM * POINTS_PER_MM;
pub const PAGE_HEIGHT: f32 = PAGE_HEIGHT_MM * POINTS_PER_MM;
const LEFT: f32 = MARGIN_LEFT_MM * POINTS_PER_MM;
const TOP: f32 = MARGIN_TOP_MM * POINTS_PER_MM;
const BOTTOM: f32 = PAGE_HEIGHT - MARGIN_BOTTOM_MM * POINTS_PER_MM;
const WIDTH: f32 = PAGE_WIDTH - LEFT - MARGIN_RIGHT_MM * POINTS_PER_MM;

/// What is drawn on one page. Positions are in points from the page's top-left corner.
#[derive(Debug, Default)]
pub struct Page {
    pub items: Vec<Item>,
}

#[derive(Debug)]
pub enum Item {
    /// One line of text starting at `x` on `baseline`; `word_gap` is added to each space
    /// (justification).
    Text {
        x: f32,
        baseline: f32,
        style: Style,
        size: f32,
        text: String,
        word_gap: f32,
    },
    /// A straight line (rules, table borders).
    Rule {
        from: (f32, f32),
        to: (f32, f32),
        width: f32,
    },
}

/// The document's pages.
pub fn layout(doc: &Document) -> Vec<Page> {
    let mut flow = Flow {
        pages: vec![Page::default()],
        y: TOP,
    };
    flow.header(doc);
    for block in &doc.blocks {
        match block {
            Block::Heading(text) => flow.heading(text),
            Block::Paragraph(text) => flow.paragraph(text),
            Block::Table(table) => flow.table(table),
        }
    }
    flow.closing(doc);
    flow.pages
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Align {
    Left,
    Centre,
    Right,
    Justify,
}

#[derive(Debug, Clone, Copy)]
struct Font {
    style: Style,
    size: f32,
}

impl Font {
    const fn new(style: Style, size: f32) -> Self {
        Font { style, size }
    }

    fn line_height(self) -> f32 {
        self.size * LINE_HEIGHT
    }

    fn wrap(self, text: &str, first: f32, rest: f32) -> Vec<Line> {
        wrap(text, self.style, self.size, first, rest)
    }
}

const BODY: Font = Font::new(Style::Regular, SIZE_TEXT);
const BODY_BOLD: Font = Font::new(Style::Bold, SIZE_TEXT);

/// The pages so far and the top of the free space on the last one.
struct Flow {
    pages: Vec<Page>,
    y: f32,
}

impl Flow {
    fn page(&mut self) -> &mut Page {
        self.pages.last_mut().expect("a flow has a page")
    }

    fn room(&self) -> f32 {
        BOTTOM - self.y
    }

    /// A new page, numbered from the second on, centred in the top margin.
    fn new_page(&mut self) {
        self.pages.push(Page::default());
        let font = Font::new(Style::Regular, SIZE_PAGE_NUMBER);
        let number = self.pages.len().to_string();
        let line = Line {
            width: fonts::width(font.style, font.size, &number),
            text: number,
            last: true,
        };
        let top = (TOP - font.line_height()) / 2.0;
        self.line(&line, font, LEFT, WIDTH, Align::Centre, top);
        self.y = TOP;
    }

    /// Starts a new page unless `height` points fit on this one or nothing is on it yet.
    fn keep(&mut self, height: f32) {
        if height > self.room() && self.y > TOP {
            self.new_page();
        }
    }

    /// Draws one line whose box (one line height tall) starts at `top`, in a measure `width`
    /// points wide starting at `x`.
    fn line(&mut self, line: &Line, font: Font, x: f32, width: f32, align: Align, top: f32) {
        if line.text.is_empty() {
            return;
        }
        let spare = (width - line.width).max(0.0);
        let (x, word_gap) = match align {
            Align::Left => (x, 0.0),
            Align::Centre => (x + spare / 2.0, 0.0),
            Align::Right => (x + spare, 0.0),
            Align::Justify if !line.last && line.spaces() > 0 => (x, spare / line.spaces() as f32),
            Align::Justify => (x, 0.0),
        };
        let baseline = top + fonts::baseline(font.style, font.size, font.line_height());
        self.page().items.push(Item::Text {
            x,
            baseline,
            style: font.style,
            size: font.size,
            text: line.text.clone(),
            word_gap,
        });
    }

    fn rule(&mut self, from: (f32, f32), to: (f32, f32), width: f32) {
        self.page().items.push(Item::Rule { from, to, width });
    }

    /// Text centred in a column from `top` down, not flowing to another page (the header
    /// and the closing are placed as a whole). Gives the bottom and the widest line's width.
    fn centred(&mut self, text: &str, font: Font, x: f32, width: f32, top: f32) -> (f32, f32) {
        let mut y = top;
        let mut widest = 0.0_f32;
        for line in font.wrap(text, width, width) {
            self.line(&line, font, x, width, Align::Centre, y);
            widest = widest.max(line.width);
            y += font.line_height();
        }
        (y, widest)
    }

    /// A rule `length` points long centred in a column, under a line of text ending at
    /// `y`, clear of its descenders; gives the bottom of the space it takes.
    fn short_rule(&mut self, length: f32, x: f32, width: f32, y: f32) -> f32 {
        let start = x + (width - length) / 2.0;
        let y = y + 1.5;
        self.rule((start, y), (start + length, y), RULE_WIDTH);
        y + 4.0
    }

    /// The two header columns, then the kind and the title.
    fn header(&mut self, doc: &Document) {
        let header = Font::new(Style::Regular, SIZE_HEADER);
        let header_bold = Font::new(Style::Bold, SIZE_HEADER);
        let left_width = WIDTH * HEADER_LEFT_SHARE;
        let right_x = LEFT + left_width;
        let right_width = WIDTH - left_width;

        let mut left = TOP;
        if let Some(superior) = &doc.superior {
            left = self
                .centred(&superior.to_uppercase(), header, LEFT, left_width, left)
                .0;
        }
        let (bottom, widest) = self.centred(
            &doc.issuer.to_uppercase(),
            header_bold,
            LEFT,
            left_width,
            left,
        );
        let left = self.short_rule(widest * SHORT_RULE_SHARE, LEFT, left_width, bottom);

        let nation = Font::new(Style::Bold, SIZE_NATION);
        let motto = Font::new(Style::Bold, SIZE_MOTTO);
        let (bottom, _) = self.centred(NATION, nation, right_x, right_width, TOP);
        let (bottom, widest) = self.centred(MOTTO, motto, right_x, right_width, bottom);
        // The motto's rule is as long as the motto.
        let right = self.short_rule(widest, right_x, right_width, bottom);

        // The number and the date line share a row below both columns.
        let row = left.max(right) + 4.0;
        let (left, _) = self.centred(&doc.number, header, LEFT, left_width, row);
        let date = Font::new(Style::Italic, SIZE_TEXT);
        let (right, _) = self.centred(&doc.date_line(), date, right_x, right_width, row);

        let top = left.max(right) + SPACE_BEFORE_KIND;
        let (bottom, _) = self.centred(&doc.kind.to_uppercase(), BODY_BOLD, LEFT, WIDTH, top);
        let (bottom, widest) = self.centred(&doc.title, BODY_BOLD, LEFT, WIDTH, bottom);
        self.y =
            self.short_rule(widest * SHORT_RULE_SHARE, LEFT, WIDTH, bottom) + SPACE_AFTER_TITLE;
    }

    /// Lines that flow on to the next page when this one is full, the first indented.
    fn flow_lines(&mut self, lines: &[Line], font: Font, align: Align) {
        let indent = FIRST_LINE_INDENT_MM * POINTS_PER_MM;
        for (i, line) in lines.iter().enumerate() {
            self.keep(font.line_height());
            let indent = if i == 0 { indent } else { 0.0 };
            let top = self.y;
            self.line(line, font, LEFT + indent, WIDTH - indent, align, top);
            self.y += font.line_height();
        }
        self.y += PARAGRAPH_SPACE;
    }

    fn heading(&mut self, text: &str) {
        let indent = FIRST_LINE_INDENT_MM * POINTS_PER_MM;
        let lines = BODY_BOLD.wrap(text, WIDTH - indent, WIDTH);
        // A heading stays with the first line of what it heads.
        self.keep((lines.len() + 1) as f32 * BODY.line_height() + PARAGRAPH_SPACE);
        self.flow_lines(&lines, BODY_BOLD, Align::Left);
    }

    fn paragraph(&mut self, text: &str) {
        let indent = FIRST_LINE_INDENT_MM * POINTS_PER_MM;
        let lines = BODY.wrap(text, WIDTH - indent, WIDTH);
        self.flow_lines(&lines, BODY, Align::Justify);
    }

    /// A bordered table across the text width. Rows move whole to the next page, where the
    /// header is repeated; only a row taller than a page is cut between its lines.
    fn table(&mut self, table: &Table) {
        let columns = table.columns();
        if columns == 0 {
            return;
        }
        let grid = Grid::new(table);
        let header: Vec<Vec<Line>> = (0..columns)
            .map(|c| grid.cell(c, table.header.get(c), Style::Bold))
            .collect();
        let header_height = if has_text(&header) {
            grid.height(lines_in(&header))
        } else {
            0.0
        };
        // Lines of a row that fit on a page under the header.
        let capacity = lines_fitting(BOTTOM - TOP - header_height);

        self.keep(header_height + grid.height(1));
        self.table_header(&grid, &header);
        for row in &table.rows {
            let cells: Vec<Vec<Line>> = (0..columns)
                .map(|c| grid.cell(c, row.get(c), Style::Regular))
                .collect();
            let total = lines_in(&cells);
            let mut start = 0;
            // Whether this page holds nothing yet but the repeated header.
            let mut fresh = false;
            loop {
                let mut fit = lines_fitting(self.room());
                if fresh {
                    fit = fit.max(1);
                }
                if total - start <= fit {
                    self.table_row(&grid, &cells, start..total, false);
                    break;
                }
                if fit > 0 && (start > 0 || fresh || total - start > capacity) {
                    self.table_row(&grid, &cells, start..start + fit, false);
                    start += fit;
                }
                self.new_page();
                self.table_header(&grid, &header);
                fresh = true;
            }
        }
        self.y += PARAGRAPH_SPACE;
    }

    fn table_header(&mut self, grid: &Grid, header: &[Vec<Line>]) {
        if has_text(header) {
            self.table_row(grid, header, 0..lines_in(header), true);
        }
    }

    /// Lines `lines` of each cell of a row, with the row's borders.
    fn table_row(&mut self, grid: &Grid, cells: &[Vec<Line>], lines: Range<usize>, header: bool) {
        let line_height = grid.font.line_height();
        let top = self.y;
        let height = grid.height(lines.len());
        for (c, cell) in cells.iter().enumerate() {
            let (x, width) = (
                grid.x[c] + CELL_PADDING_X,
                grid.widths[c] - 2.0 * CELL_PADDING_X,
            );
            let style = if header { Style::Bold } else { Style::Regular };
            let font = Font::new(style, grid.font.size);
            let align = if header {
                Align::Centre
            } else if grid.numeric[c] {
                Align::Right
            } else {
                Align::Left
            };
            // Header cells are centred vertically too.
            let offset = if header {
                (lines.len() - cell.len()) as f32 * line_height / 2.0
            } else {
                0.0
            };
            let shown = &cell[lines.start.min(cell.len())..lines.end.min(cell.len())];
            for (i, line) in shown.iter().enumerate() {
                let line_top = top + CELL_PADDING_Y + offset + i as f32 * line_height;
                self.line(line, font, x, width, align, line_top);
            }
        }
        let (left, right) = (LEFT, LEFT + WIDTH);
        let bottom = top + height;
        self.rule((left, top), (right, top), BORDER_WIDTH);
        self.rule((left, bottom), (right, bottom), BORDER_WIDTH);
        for x in grid.x.iter().copied().chain([right]) {
            self.rule((x, top), (x, bottom), BORDER_WIDTH);
        }
        self.y = bottom;
    }

    /// "Nơi nhận:" on the left, the signer on the right, kept together on one page.
    fn closing(&mut self, doc: &Document) {
        let left_width = WIDTH * CLOSING_LEFT_SHARE;
        let right_x = LEFT + left_width;
        let right_width = WIDTH - left_width;

        let label = Font::new(Style::BoldItalic, SIZE_RECIPIENTS_LABEL);
        let item = Font::new(Style::Regular, SIZE_RECIPIENTS);
        let recipients: Vec<Vec<Line>> = doc
            .recipients
            .iter()
            .map(|r| item.wrap(&format!("- {r}"), left_width, left_width))
            .collect();
        let recipients_height = if doc.recipients.is_empty() {
            0.0
        } else {
            label.line_height() + lines_in_all(&recipients) as f32 * item.line_height()
        };

        let signer = &doc.signer;
        let titles = match &signer.capacity {
            Some(capacity) => format!("{}\n{}", capacity, signer.title),
            None => signer.title.clone(),
        }
        .to_uppercase();
        let title_lines = BODY_BOLD.wrap(&titles, right_width, right_width).len();
        let name_lines = BODY_BOLD.wrap(&signer.name, right_width, right_width).len();
        let signer_height =
            (title_lines + name_lines) as f32 * BODY_BOLD.line_height() + SIGNATURE_SPACE;

        self.y += PARAGRAPH_SPACE;
        self.keep(recipients_height.max(signer_height));
        let top = self.y;

        let (bottom, _) = self.centred(&titles, BODY_BOLD, right_x, right_width, top);
        let (signer_bottom, _) = self.centred(
            &signer.name,
            BODY_BOLD,
            right_x,
            right_width,
            bottom + SIGNATURE_SPACE,
        );

        let mut y = top;
        if !doc.recipients.is_empty() {
            let line = &label.wrap(RECIPIENTS_LABEL, left_width, left_width)[0];
            self.line(line, label, LEFT, left_width, Align::Left, y);
            y += label.line_height();
            for line in recipients.iter().flatten() {
                self.line(line, item, LEFT, left_width, Align::Left, y);
                y += item.line_height();
            }
        }
        self.y = y.max(signer_bottom);
    }
}

/// A table's columns: where each starts, how wide, which are numeric.
struct Grid {
    x: Vec<f32>,
    widths: Vec<f32>,
    numeric: Vec<bool>,
    font: Font,
}

impl Grid {
    fn new(table: &Table) -> Self {
        let widths: Vec<f32> = table.shares().iter().map(|s| s * WIDTH).collect();
        let x = widths
            .iter()
            .scan(LEFT, |x, w| {
                let start = *x;
                *x += w;
                Some(start)
            })
            .collect();
        let numeric = (0..widths.len()).map(|c| table.is_numeric(c)).collect();
        Grid {
            x,
            widths,
            numeric,
            font: Font::new(Style::Regular, SIZE_TABLE),
        }
    }

    /// A cell's text broken into lines within its padding; a missing cell is empty.
    fn cell(&self, column: usize, text: Option<&String>, style: Style) -> Vec<Line> {
        let width = self.widths[column] - 2.0 * CELL_PADDING_X;
        let font = Font::new(style, self.font.size);
        text.map(|text| font.wrap(text, width, width))
            .unwrap_or_default()
    }

    /// The height of a row showing `lines` lines (at least one).
    fn height(&self, lines: usize) -> f32 {
        lines.max(1) as f32 * self.font.line_height() + 2.0 * CELL_PADDING_Y
    }
}

/// The most lines any cell of a row has (at least one).
fn lines_in(cells: &[Vec<Line>]) -> usize {
    cells.iter().map(Vec::len).max().unwrap_or(0).max(1)
}

fn has_text(cells: &[Vec<Line>]) -> bool {
    cells.iter().any(|cell| !cell.is_empty())
}

fn lines_in_all(lists: &[Vec<Line>]) -> usize {
    lists.iter().map(Vec::len).sum()
}

/// How many table lines fit in `room` points.
fn lines_fitting(room: f32) -> usize {
    let lines = (room - 2.0 * CELL_PADDING_Y) / (SIZE_TABLE * LINE_HEIGHT);
    if lines < 1.0 { 0 } else { lines as usize }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::model::Signer;

    fn document(blocks: Vec<Block>) -> Document {
        Document {
            superior: Some("Hội LHPN tỉnh Lào Cai".into()),
            issuer: "Ban Thường vụ".into(),
            number: "Số: 3/BC-HPN".into(),
            place: "Lào Cai".into(),
            date: time::macros::date!(2026 - 01 - 09),
            kind: "Báo cáo".into(),
            title: "Số liệu hội viên".into(),
            blocks,
            signer: Signer {
                capacity: None,
                title: "Chủ tịch".into(),
                name: "Lò Thị Mai".into(),
            },
            recipients: vec!["Lưu: VT.".into()],
        }
    }

    fn texts(page: &Page) -> Vec<&str> {
        page.items
            .iter()
            .filter_map(|item| match item {
                Item::Text { text, .. } => Some(text.as_str()),
                Item::Rule { .. } => None,
            })
            .collect()
    }

    #[test]
    fn a_long_table_repeats_its_header_and_stays_within_the_margins() {
        let table = Table {
            header: vec!["Đơn vị".into(), "Số hội viên".into()],
            rows: (1..=150)
                .map(|n| vec![format!("Chi hội {n}"), n.to_string()])
                .collect(),
            numeric: vec![false, true],
            widths: vec![3.0, 1.0],
        };
        let pages = layout(&document(vec![Block::Table(table)]));
        assert!(pages.len() >= 4);
        for (i, page) in pages.iter().enumerate() {
            let texts = texts(page);
            assert!(
                texts.contains(&"Số hội viên"),
                "page {} lacks the header",
                i + 1
            );
            for item in &page.items {
                if let Item::Text { baseline, text, .. } = item {
                    let page_number = *text == (i + 1).to_string() && *baseline < TOP;
                    assert!(
                        page_number || (*baseline > TOP && *baseline < BOTTOM),
                        "{text:?} at {baseline} on page {}",
                        i + 1
                    );
                }
            }
        }
        // Every row once, in order.
        let rows: Vec<&str> = pages
            .iter()
            .flat_map(texts)
            .filter(|t| t.starts_with("Chi hội "))
            .collect();
        let expected: Vec<String> = (1..=150).map(|n| format!("Chi hội {n}")).collect();
        assert_eq!(rows, expected);
        // Page numbers, in the top margin, from the second page only.
        let above_top = |page: &Page| -> Vec<String> {
            page.items
                .iter()
                .filter_map(|item| match item {
                    Item::Text { baseline, text, .. } if *baseline < TOP => Some(text.clone()),
                    _ => None,
                })
                .collect()
        };
        assert!(above_top(&pages[0]).is_empty());
        assert_eq!(above_top(&pages[1]), ["2"]);
    }

    #[test]
    fn a_row_taller_than_a_page_is_cut_between_its_lines() {
        let long = "Nội dung rất dài của một ô trong bảng. ".repeat(200);
        let table = Table {
            header: vec!["Nội dung".into()],
            rows: vec![vec![long]],
            numeric: vec![],
            widths: vec![],
        };
        let pages = layout(&document(vec![Block::Table(table)]));
        let with_row: Vec<&Page> = pages
            .iter()
            .filter(|page| texts(page).iter().any(|t| t.contains("trong bảng.")))
            .collect();
        assert!(with_row.len() >= 2);
        assert!(
            with_row
                .iter()
                .all(|page| texts(page).contains(&"Nội dung"))
        );
    }

    #[test]
    fn justified_lines_fill_the_measure_but_the_last_does_not() {
        let text = "Hội viên tham gia sinh hoạt đều đặn, đóng hội phí đầy đủ. ".repeat(6);
        let pages = layout(&document(vec![Block::Paragraph(text)]));
        let lines: Vec<(f32, f32)> = pages[0]
            .items
            .iter()
            .filter_map(|item| match item {
                Item::Text {
                    text,
                    size,
                    word_gap,
                    ..
                } if text.starts_with("Hội viên") || text.contains("đóng") => {
                    Some((*word_gap, *size))
                }
                _ => None,
            })
            .collect();
        assert!(lines.len() >= 3);
        assert!(lines[..lines.len() - 1].iter().all(|(gap, _)| *gap > 0.0));
        assert_eq!(lines[lines.len() - 1].0, 0.0);
    }
}
