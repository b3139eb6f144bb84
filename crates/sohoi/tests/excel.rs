//! Workbooks out, read back with calamine as any spreadsheet program would: the title
//! block, the header, the rows the caller may see and only the columns she may see.

mod helpers;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use helpers::{TestDb, input, raw};
use http_body_util::BodyExt;
use sohoi::auth::Access;
use sohoi::auth::Role;
use sohoi::auth::password::Password;
use sohoi::auth::users::{self, NewAccount};
use tower::ServiceExt;

fn rows(bytes: &[u8], sheet: &str) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> =
        open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("a real .xlsx");
    let range = book.worksheet_range(sheet).expect("the sheet");
    range.rows().map(<[Data]>::to_vec).collect()
}

fn text(row: &[Data]) -> Vec<String> {
    row.iter().map(|c| c.to_string()).collect()
}

async fn download(db: &TestDb, username: &str, path: &str) -> (StatusCode, Vec<u8>, String) {
    let mut ctx = db.ctx().await;
    let user = users::by_username(&mut ctx.tx, username)
        .await
        .expect("user");
    let (token, _) = sohoi::auth::sessions::open(&mut ctx.tx, &user)
        .await
        .expect("session");
    ctx.finish().await.expect("commit");
    let app = sohoi::web::app(db.store.clone(), sohoi::i18n::Lang::Vi);
    let request = Request::get(path)
        .header(header::COOKIE, format!("sohoi_session={token}"))
        .body(Body::empty())
        .expect("request");
    let response = app.oneshot(request).await.expect("response");
    let status = response.status();
    let kind = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (
        status,
        response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec(),
        kind,
    )
}

async fn account(db: &TestDb, username: &str, unit: &str, role: Role, sensitive: bool) {
    let mut ctx = db.ctx().await;
    let tiers: &[sohoi::auth::Tier] = if sensitive {
        &sohoi::auth::Tier::MEMBER
    } else {
        &[]
    };
    let account = NewAccount {
        username,
        display_name: "Cán bộ",
        unit_code: unit,
        role,
        tiers,
    };
    users::create(
        ctx.acting(&Access::system("test")),
        &account,
        &Password::new("mat-khau-thu"),
    )
    .await
    .expect("account");
    ctx.finish().await.expect("commit");
}

#[tokio::test]
async fn the_member_list_downloads_as_the_officer_sees_it() {
    let db = TestDb::new().await;
    let mut ctx = db.ctx().await;
    let system = Access::system("test");
    let mut thuy = raw("Nguyễn Thị Thủy", "12/05/1980");
    thuy.national_id = "001180012345".into();
    thuy.phone = "0912345678".into();
    sohoi::members::service::add(ctx.acting(&system), "00004", input(&thuy))
        .await
        .expect("member");
    sohoi::members::service::add(
        ctx.acting(&system),
        "00004",
        input(&raw("Bùi Thị An", "1950")),
    )
    .await
    .expect("member");
    sohoi::members::service::add(
        ctx.acting(&system),
        "00008",
        input(&raw("Trần Thị Lan", "1982")),
    )
    .await
    .expect("member");
    ctx.finish().await.expect("commit");
    account(&db, "coso", "00004", Role::Officer, false).await;
    account(&db, "tinh", "01", Role::Chair, true).await;

    let (status, bytes, kind) = download(&db, "coso", "/units/00004/members.xlsx").await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.contains("spreadsheetml"), "{kind}");
    let sheet = rows(&bytes, "Hội viên");
    assert_eq!(sheet[0][0].to_string(), "HỘI LHPN PHƯỜNG BA ĐÌNH");
    assert_eq!(sheet[2][0].to_string(), "DANH SÁCH HỘI VIÊN");
    assert!(sheet[3][0].to_string().starts_with("(Tính đến ngày "));
    let header = text(&sheet[5]);
    assert_eq!(&header[..4], ["STT", "Họ và tên", "Ngày sinh", "Giới tính"]);
    assert!(
        !header.iter().any(|h| h == "Số CCCD" || h == "Dân tộc"),
        "no sensitive column without the grant: {header:?}"
    );
    // Vietnamese order: An before Thủy; the other commune's member is not there.
    let names: Vec<String> = sheet[6..].iter().map(|r| r[1].to_string()).collect();
    assert_eq!(names, ["Bùi Thị An", "Nguyễn Thị Thủy"]);
    let thuy_row = &sheet[7];
    assert!(
        matches!(thuy_row[2], Data::DateTime(_)),
        "a full birth date is a date cell: {:?}",
        thuy_row[2]
    );
    assert_eq!(sheet[6][2].to_string(), "1950", "a birth year stays a year");
    let phone = header
        .iter()
        .position(|h| h == "Số điện thoại")
        .expect("phone column");
    assert_eq!(
        thuy_row[phone].to_string(),
        "0912345678",
        "the leading zero stays"
    );

    // The province chair with the grant gets the sensitive columns; both exports are audited.
    let (_, bytes, _) = download(&db, "tinh", "/units/00004/members.xlsx").await;
    let sheet = rows(&bytes, "Hội viên");
    let header = text(&sheet[5]);
    let id_col = header
        .iter()
        .position(|h| h == "Số CCCD")
        .expect("national ID column");
    assert_eq!(sheet[7][id_col].to_string(), "001180012345");
    let mut ctx = db.ctx().await;
    let log = sohoi::auth::audit::list(ctx.acting(&system), None, 20)
        .await
        .expect("log");
    let exports: Vec<_> = log
        .iter()
        .filter(|e| e.action == "member.export")
        .map(|e| e.detail.clone().unwrap_or_default())
        .collect();
    assert_eq!(
        exports,
        [
            "rows=2 sensitive=national_id,ethnicity,religion,party_member",
            "rows=2 sensitive="
        ]
    );
    drop(ctx);

    // The age filter narrows the download as it narrows the page; another commune is not found.
    let (_, bytes, _) = download(&db, "coso", "/units/00004/members.xlsx?age=76%2B").await;
    let names: Vec<String> = rows(&bytes, "Hội viên")[6..]
        .iter()
        .map(|r| r[1].to_string())
        .collect();
    assert_eq!(names, ["Bùi Thị An"]);
    assert_eq!(
        download(&db, "coso", "/units/00008/members.xlsx").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        download(&db, "coso", "/units/00004/members.xlsx?segment=religious")
            .await
            .0,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_movement_report_and_the_template_download() {
    let db = TestDb::new().await;
    let mut ctx = db.ctx().await;
    let mut joined = raw("Lê Thị Hồng", "1985");
    joined.joined_on = "10/03/2025".into();
    sohoi::members::service::add(ctx.acting(&Access::system("test")), "00004", input(&joined))
        .await
        .expect("member");
    ctx.finish().await.expect("commit");
    account(&db, "tinh", "01", Role::Chair, false).await;

    let (status, bytes, _) = download(&db, "tinh", "/units/01/report.xlsx?period=2025").await;
    assert_eq!(status, StatusCode::OK);
    let sheet = rows(&bytes, "Biến động");
    assert_eq!(sheet[2][0].to_string(), "BÁO CÁO BIẾN ĐỘNG HỘI VIÊN");
    assert_eq!(
        sheet[3][0].to_string(),
        "(Kỳ báo cáo từ 01/01/2025 đến 31/12/2025)"
    );
    assert_eq!(
        text(&sheet[5])[..4],
        ["Mã", "Tên", "Đầu kỳ", "Phát triển mới"]
    );
    let total = sheet.last().expect("a total row");
    assert_eq!(total[1].to_string(), "Tổng cộng");
    assert_eq!(total[3], Data::Float(1.0), "one new member in Hà Nội");
    let ba_dinh = sheet
        .iter()
        .find(|r| r[0] == "00004")
        .expect("Ba Đình's row");
    assert_eq!(ba_dinh[8], Data::Float(1.0), "closing");

    let (status, bytes, _) = download(&db, "tinh", "/import-template.xlsx").await;
    assert_eq!(status, StatusCode::OK);
    let header = text(&rows(&bytes, "Hội viên")[5]);
    assert!(
        header.contains(&"Ngày vào Hội".to_string()) && header.contains(&"Số CCCD".to_string()),
        "{header:?}"
    );
}
