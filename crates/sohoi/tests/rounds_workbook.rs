//! A round's Excel entry: the template a unit downloads (computed cells filled and locked,
//! entry cells open with their checks) and the filled workbook uploaded back, checked row by
//! row and entered all or nothing.

mod helpers;

use std::io::{Cursor, Read};

use calamine::{Data, DataType, Reader, Xlsx, open_workbook_from_rs};
use helpers::{TestDb, input, raw};
use rust_xlsxwriter::Workbook;
use sohoi::ctx::Ctx;
use sohoi::i18n::Lang;
use sohoi::rounds::indicator::{Measure, Value};
use sohoi::rounds::{form, open, sheet, workbook};
use time::Date;
use time::macros::date;

/// Ba Đình, a commune of Hà Nội (province 01).
const UNIT: &str = "00004";
const TODAY: Date = date!(2026 - 07 - 05);

/// Two members and two branches at Ba Đình, the Union's form loaded, and a round of it for
/// the first half of 2026 opened by Hà Nội to its communes, due after `TODAY`.
async fn round(db: &TestDb) -> i64 {
    let mut ctx = db.ctx().await.on(date!(2026 - 03 - 01));
    for (name, birth) in [("Nguyễn Thị Thủy", "12/05/1980"), ("Bùi Thị An", "1950")] {
        sohoi::members::service::add(&mut ctx, UNIT, input(&raw(name, birth)))
            .await
            .expect("member");
    }
    helpers::branches(&mut ctx.tx, UNIT, &["Chi hội Phúc Xá", "Chi hội Trúc Bạch"]).await;
    ctx.finish().await.expect("commit");

    let mut ctx = at_today(db).await;
    form::load(&mut ctx, include_str!("../../../data/forms/bc-hpn.toml"))
        .await
        .expect("form");
    let opened = open::open(
        &mut ctx,
        &open::OpenRequest {
            form: "BC-HPN",
            period: "2026-H1",
            under: "01",
            to: sohoi::org::UnitKind::Commune,
            cutoff: None,
            due: date!(2026 - 07 - 15),
            closes: Some(date!(2026 - 07 - 31)),
        },
    )
    .await
    .expect("round");
    ctx.finish().await.expect("commit");
    opened.round
}

async fn at_today(db: &TestDb) -> Ctx {
    db.ctx().await.on(TODAY)
}

/// A sheet of a workbook as a grid (row and column from 0).
fn grid(bytes: &[u8], sheet: &str) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("xlsx");
    let range = book.worksheet_range(sheet).expect("sheet");
    let (top, left) = range.start().expect("not empty");
    let mut rows = vec![vec![]; top as usize];
    for r in range.rows() {
        let mut row = vec![Data::Empty; left as usize];
        row.extend(r.iter().cloned());
        rows.push(row);
    }
    rows
}

fn cell(row: &[Data], col: usize) -> &Data {
    row.get(col).unwrap_or(&Data::Empty)
}

/// The text of one part of the .xlsx archive.
fn part(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("zip");
    let mut text = String::new();
    archive
        .by_name(name)
        .expect("part")
        .read_to_string(&mut text)
        .expect("utf-8");
    text
}

#[derive(Clone)]
enum In {
    Text(&'static str),
    Number(f64),
}

/// A workbook of one's own, as an officer might make it: a header, then (code, value) rows in
/// any order, on a sheet of any name; `narrative` on a second sheet.
fn own_workbook(rows: &[(&str, In)], narrative: &[(&str, &str)]) -> Vec<u8> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("Của xã").expect("name");
    ws.write_string(0, 0, "Mã").expect("write");
    ws.write_string(0, 2, "Giá trị").expect("write");
    for (i, (code, value)) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, *code).expect("write");
        match value {
            In::Text(s) => ws.write_string(r, 2, *s),
            In::Number(n) => ws.write_number(r, 2, *n),
        }
        .expect("write");
    }
    let ws = book.add_worksheet();
    ws.set_name("Báo cáo lời").expect("name");
    for (i, (key, text)) in narrative.iter().enumerate() {
        ws.write_string(i as u32 + 2, 0, *key).expect("write");
        ws.write_string(i as u32 + 2, 2, *text).expect("write");
    }
    book.save_to_buffer().expect("save")
}

/// The row's stored value in the unit's sheet as it stands.
async fn values(db: &TestDb, round: i64) -> sheet::Sheet {
    let mut ctx = at_today(db).await;
    let s = sheet::show(&mut ctx, round, UNIT, Lang::Vi)
        .await
        .expect("sheet");
    ctx.finish().await.expect("end");
    s
}

fn value_of(s: &sheet::Sheet, code: &str) -> Option<String> {
    s.sections
        .iter()
        .flat_map(|x| &x.rows)
        .find(|r| r.code == code)
        .and_then(|r| r.value.clone())
}

#[tokio::test]
async fn the_template_is_the_units_sheet_with_computed_cells_locked() {
    let db = TestDb::new().await;
    let round = round(&db).await;
    let mut ctx = at_today(&db).await;
    let bytes = workbook::template(&mut ctx, round, UNIT, Lang::Vi)
        .await
        .expect("template");
    let shown = sheet::show(&mut ctx, round, UNIT, Lang::Vi)
        .await
        .expect("sheet");
    ctx.finish().await.expect("end");

    let rows = grid(&bytes, "Số liệu");
    let text = |r: usize, c: usize| cell(&rows[r], c).to_string();
    assert_eq!(text(0, 1), "HỘI LHPN PHƯỜNG BA ĐÌNH");
    assert_eq!(
        text(2, 1),
        "BÁO CÁO KẾT QUẢ CÔNG TÁC HỘI VÀ PHONG TRÀO PHỤ NỮ"
    );
    assert!(text(3, 1).contains("2026-H1"), "{}", text(3, 1));
    assert!(text(5, 1).contains("(mã 00004)"), "{}", text(5, 1));
    assert!(text(6, 1).contains("15/07/2026"), "{}", text(6, 1));
    assert!(text(7, 1).contains("Chưa bắt đầu"), "{}", text(7, 1));
    let header: Vec<String> = (0..6).map(|c| text(10, c)).collect();
    assert_eq!(
        header,
        [
            "Mã",
            "Chỉ tiêu",
            "Giá trị",
            "Đơn vị tính",
            "Nguồn số liệu",
            "Kỳ trước"
        ]
    );

    // Every row of the form is there once, by its code, and computed rows hold their figures.
    let by_code: std::collections::HashMap<String, &Vec<Data>> = rows
        .iter()
        .filter(|r| sohoi::rounds::indicator::check_code(&cell(r, 0).to_string()).is_ok())
        .map(|r| (cell(r, 0).to_string(), r))
        .collect();
    let all: Vec<&sheet::SheetRow> = shown.sections.iter().flat_map(|s| &s.rows).collect();
    assert_eq!(all.len(), 51);
    for row in &all {
        let line = by_code
            .get(&row.code)
            .unwrap_or_else(|| panic!("row {} in the template", row.code));
        assert_eq!(cell(line, 1).to_string(), row.name);
        if row.entered {
            assert_eq!(cell(line, 4).to_string(), "đơn vị nhập");
            continue;
        }
        let measure = Measure::parse(&row.measure).expect("measure");
        match row.value.as_deref().map(|v| Value::load(measure, v)) {
            Some(v) => assert_eq!(
                cell(line, 2).as_f64(),
                v.number(),
                "{} holds its figure",
                row.code
            ),
            None => assert_eq!(cell(line, 2), &Data::Empty, "{}", row.code),
        }
    }
    assert_eq!(value_of(&shown, "members").as_deref(), Some("2"));
    assert_eq!(value_of(&shown, "branches").as_deref(), Some("2"));
    assert_eq!(by_code["members"][2], Data::Float(2.0));
    assert!(
        by_code["members"][4].to_string().contains("sổ hội viên"),
        "a computed row says where it comes from"
    );
    assert!(
        by_code["coverage"][4]
            .to_string()
            .contains("“Tổng số hội viên”"),
        "a formula in words: {}",
        by_code["coverage"][4]
    );
    assert_eq!(by_code["meeting_attendance"][3].to_string(), "%");

    // The sheet is protected without a password; entry cells are unlocked and checked.
    let xml = part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(xml.contains("<sheetProtection"), "protected");
    assert!(!xml.contains("password"), "without a password");
    assert!(
        xml.contains(r#"<dataValidation type="list""#),
        "a drop-down"
    );
    assert!(
        xml.contains(r#"<formula1>"có,không"</formula1>"#),
        "có/không"
    );
    assert!(xml.contains(r#"type="whole""#), "whole numbers");
    assert!(xml.contains(r#"type="decimal""#), "percentages");
    assert!(
        xml.contains(r#"<pageSetup paperSize="9" fitToHeight="0" orientation="landscape""#),
        "A4 landscape, one page wide"
    );
    assert!(
        part(&bytes, "xl/styles.xml").contains(r#"locked="0""#),
        "entry cells unlocked"
    );

    // The narrative: one heading and one cell per section, keyed in column A.
    let narrative = grid(&bytes, "Báo cáo lời");
    let keys: Vec<(String, String)> = narrative
        .iter()
        .filter(|r| cell(r, 0).to_string().starts_with("narrative:"))
        .map(|r| (cell(r, 0).to_string(), cell(r, 1).to_string()))
        .collect();
    assert_eq!(keys.len(), 5);
    assert_eq!(
        keys[0],
        ("narrative:1".into(), "Đánh giá chung tình hình".into())
    );
    assert!(part(&bytes, "xl/worksheets/sheet2.xml").contains("<sheetProtection"));

    // In English, and for a response that takes no entries (the opener's, the sum of its
    // communes), every cell is locked and the file says it is for reading.
    let mut ctx = at_today(&db).await;
    let english = workbook::template(&mut ctx, round, UNIT, Lang::En)
        .await
        .expect("template");
    let opener = workbook::template(&mut ctx, round, "01", Lang::Vi)
        .await
        .expect("template");
    ctx.finish().await.expect("end");
    assert_eq!(grid(&english, "Figures")[10][1].to_string(), "Indicator");
    assert!(
        grid(&opener, "Số liệu")[8][1]
            .to_string()
            .contains("chỉ để xem và in")
    );
    assert!(!part(&opener, "xl/styles.xml").contains(r#"locked="0""#));
}

#[tokio::test]
async fn a_filled_workbook_is_checked_by_row_and_entered_all_or_nothing() {
    let db = TestDb::new().await;
    let round = round(&db).await;

    // Rows in an order of her own; three are wrong, one is not the form's.
    let bad = own_workbook(
        &[
            ("core_members", In::Number(40.0)),
            ("poor_households_helped", In::Number(12.5)),
            ("digital_register", In::Text("chưa")),
            ("members", In::Number(999.0)),
            ("khong_co", In::Number(1.0)),
            ("core_members", In::Number(41.0)),
        ],
        &[("narrative:1", "Tình hình ổn định")],
    );
    let mut ctx = at_today(&db).await;
    let filled = workbook::enter_file(&mut ctx, round, UNIT, &bad, Lang::Vi)
        .await
        .expect("read");
    ctx.finish().await.expect("commit");
    let problems: Vec<(usize, &str, &str)> = filled
        .problems
        .iter()
        .map(|p| (p.row, p.code.as_str(), p.message.as_str()))
        .collect();
    assert_eq!(problems.len(), 5, "{problems:#?}");
    assert_eq!(problems[0].0, 3);
    assert_eq!(problems[0].1, "poor_households_helped");
    assert!(
        problems[0].2.starts_with(
            "Dòng 3 — Số hộ nghèo do phụ nữ làm chủ được giúp đỡ: phải là số nguyên không âm"
        ),
        "{}",
        problems[0].2
    );
    assert!(problems[0].2.contains("12,5"), "{}", problems[0].2);
    assert!(
        problems[1]
            .2
            .starts_with("Dòng 4 — Đã dùng sổ hội viên điện tử: phải là “có”"),
        "{}",
        problems[1].2
    );
    assert!(
        problems[2]
            .2
            .starts_with("Dòng 5 — “Tổng số hội viên” được tính tự động (hiện là 2)"),
        "{}",
        problems[2].2
    );
    assert!(
        problems[3]
            .2
            .starts_with("Dòng 6 — “khong_co” không phải mã chỉ tiêu"),
        "{}",
        problems[3].2
    );
    assert!(
        problems[4]
            .2
            .starts_with("Dòng 7 — “Số hội viên nòng cốt” đã có ở dòng 2"),
        "{}",
        problems[4].2
    );
    // Nothing was entered, not even the good rows.
    let now = values(&db, round).await;
    assert_eq!(value_of(&now, "core_members"), None);
    assert_eq!(now.narrative[0].text, "");
    assert_eq!(now.response.status.as_str(), "not_started");

    // The same rows put right: every value is entered, as the sheet then shows it. A computed
    // row that holds its figure is no problem.
    let good = own_workbook(
        &[
            ("fees_collected", In::Text("12.500.000")),
            ("core_members", In::Number(40.0)),
            ("poor_households_helped", In::Number(12.0)),
            ("meeting_attendance", In::Number(87.5)),
            ("digital_register", In::Text("có")),
            ("members", In::Number(2.0)),
            ("branch_meetings", In::Text("")),
        ],
        &[("narrative:2", "Ra mắt hai câu lạc bộ")],
    );
    let mut ctx = at_today(&db).await;
    let filled = workbook::enter_file(&mut ctx, round, UNIT, &good, Lang::Vi)
        .await
        .expect("enter");
    ctx.finish().await.expect("commit");
    assert!(filled.problems.is_empty(), "{:#?}", filled.problems);
    assert_eq!(filled.changed, 6);
    let now = values(&db, round).await;
    assert_eq!(
        value_of(&now, "fees_collected").as_deref(),
        Some("12500000")
    );
    assert_eq!(value_of(&now, "core_members").as_deref(), Some("40"));
    assert_eq!(
        value_of(&now, "poor_households_helped").as_deref(),
        Some("12")
    );
    assert_eq!(
        value_of(&now, "meeting_attendance").as_deref(),
        Some("87.50")
    );
    assert_eq!(value_of(&now, "digital_register").as_deref(), Some("yes"));
    assert_eq!(value_of(&now, "branch_meetings"), None);
    assert_eq!(now.narrative[1].text, "Ra mắt hai câu lạc bộ");
    assert_eq!(now.response.status.as_str(), "draft");

    // The template downloaded now holds those values; uploaded as it is, it changes nothing
    // (values entered on the page since a download are not overwritten by an untouched cell).
    let mut ctx = at_today(&db).await;
    let template = workbook::template(&mut ctx, round, UNIT, Lang::Vi)
        .await
        .expect("template");
    let again = workbook::read_filled(&mut ctx, round, UNIT, &template, Lang::Vi)
        .await
        .expect("read");
    assert!(again.problems.is_empty(), "{:#?}", again.problems);
    assert!(again.entries.is_empty(), "{:?}", again.entries);
    let rows = grid(&template, "Số liệu");
    let attendance = rows
        .iter()
        .find(|r| matches!(cell(r, 0), Data::String(s) if s == "meeting_attendance"))
        .expect("row");
    assert_eq!(attendance[2], Data::Float(87.5), "a percent as typed");

    // A file made for another unit is refused whole.
    let other = workbook::read_filled(&mut ctx, round, "00008", &template, Lang::Vi)
        .await
        .err()
        .map(|e| e.render(Lang::Vi))
        .unwrap_or_default();
    assert!(
        other.contains("báo cáo của đơn vị mã 00004"),
        "another unit's file: {other}"
    );
    ctx.finish().await.expect("end");
}

#[tokio::test]
async fn a_file_that_is_not_a_filled_form_is_refused_with_a_reason() {
    let db = TestDb::new().await;
    let round = round(&db).await;
    let mut ctx = at_today(&db).await;
    let mut refused = async |bytes: &[u8]| {
        workbook::read_filled(&mut ctx, round, UNIT, bytes, Lang::Vi)
            .await
            .err()
            .map(|e| e.render(Lang::Vi))
            .unwrap_or_default()
    };
    let big = refused(&vec![0u8; 11 << 20]).await;
    assert!(big.contains("tệp quá lớn (tối đa 10 MB)"), "{big}");
    let garbage = refused(b"PK\x03\x04 not a workbook").await;
    assert!(garbage.contains("không phải tệp Excel"), "{garbage}");
    let member_list = sohoi::excel::template_workbook(Lang::Vi).expect("template");
    let foreign = refused(&member_list).await;
    assert!(
        foreign.contains("không có dòng nào mang mã chỉ tiêu"),
        "{foreign}"
    );
    ctx.finish().await.expect("end");

    // After the closing date a file is refused before its rows are read.
    let mut ctx = db.ctx().await.on(date!(2026 - 08 - 05));
    let closed = workbook::enter_file(&mut ctx, round, UNIT, &member_list, Lang::Vi)
        .await
        .err()
        .map(|e| e.render(Lang::Vi))
        .unwrap_or_default();
    assert!(closed.contains("đã khóa sổ ngày 31/07/2026"), "{closed}");
}
