//! Importing the workbooks officers really keep, built here as real .xlsx files: a title
//! block, merged cells, an STT column, dates as text, as numbers and as Excel dates, IDs
//! and phones stored as numbers, decomposed Unicode, blank, total and signature rows.

mod helpers;

use calamine::{Reader, Xlsx, open_workbook_from_rs};
use helpers::TestDb;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use sohoi::auth::Access;
use sohoi::excel::import::{self, Control, Options, Outcome};
use sohoi::i18n::Lang;

/// A member row as typed: (name, birth, national ID, phone, ethnicity, joined, branch).
type Typed<'a> = (
    &'a str,
    Cell<'a>,
    Option<f64>,
    Option<f64>,
    &'a str,
    &'a str,
    &'a str,
);

#[derive(Clone, Copy)]
enum Cell<'a> {
    Text(&'a str),
    Number(f64),
    Date(u16, u8, u8),
}

fn ward_list(sheets: &[(&str, &[Typed<'_>])]) -> Vec<u8> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    for (name, rows) in sheets {
        let s = book.add_worksheet();
        s.set_name(*name).expect("name");
        s.merge_range(0, 0, 0, 7, "HỘI LHPN PHƯỜNG BA ĐÌNH", &bold)
            .expect("merge");
        s.merge_range(1, 0, 1, 7, "DANH SÁCH HỘI VIÊN", &bold)
            .expect("merge");
        s.write_string(2, 2, "(Tính đến ngày 30/6/2025)")
            .expect("write");
        let header = [
            "STT",
            "Họ và tên",
            "Ngày, tháng, năm sinh",
            "Số CCCD",
            "SĐT",
            "Dân tộc",
            "Ngày vào Hội",
            "Chi hội",
        ];
        for (c, h) in header.iter().enumerate() {
            s.write_string_with_format(4, c as u16, *h, &bold)
                .expect("header");
        }
        let mut r = 5;
        for (i, (full_name, birth, nid, phone, ethnicity, joined, branch)) in
            rows.iter().enumerate()
        {
            s.write_number(r, 0, (i + 1) as f64).expect("stt");
            s.write_string(r, 1, *full_name).expect("name");
            match birth {
                Cell::Text(t) => s.write_string(r, 2, *t),
                Cell::Number(n) => s.write_number(r, 2, *n),
                Cell::Date(y, m, d) => s.write_datetime_with_format(
                    r,
                    2,
                    ExcelDateTime::from_ymd(*y, *m, *d).expect("date"),
                    &date,
                ),
            }
            .expect("birth");
            if let Some(n) = nid {
                s.write_number(r, 3, *n).expect("nid");
            }
            if let Some(p) = phone {
                s.write_number(r, 4, *p).expect("phone");
            }
            s.write_string(r, 5, *ethnicity).expect("ethnicity");
            s.write_string(r, 6, *joined).expect("joined");
            s.write_string(r, 7, *branch).expect("branch");
            r += 1;
            if i == 1 {
                r += 1; // a blank row in the middle
            }
        }
        s.merge_range(r, 0, r, 1, "Tổng cộng", &bold)
            .expect("total");
        s.write_string(r + 2, 5, "Ba Đình, ngày 30 tháng 6 năm 2025")
            .expect("date line");
        s.write_string(r + 3, 5, "NGƯỜI LẬP BIỂU")
            .expect("signature");
        s.write_string(r + 7, 5, "Nguyễn Thị Hà")
            .expect("signed name");
    }
    book.save_to_buffer().expect("xlsx")
}

const BRANCHES: [&str; 2] = ["Chi hội Tổ dân phố số 1", "Chi hội Tổ dân phố số 2"];

async fn run(db: &TestDb, bytes: Vec<u8>, options: &Options) -> (Outcome, bool) {
    let mut ctx = db.ctx().await;
    let outcome = import::import(
        ctx.acting(&Access::system("test")),
        bytes,
        options,
        Lang::Vi,
        &Control::default(),
    )
    .await
    .expect("import runs");
    let commits = outcome.report.commits();
    if commits {
        ctx.finish().await.expect("commit");
    }
    (outcome, commits)
}

fn options(partial: bool) -> Options {
    Options {
        unit: "00004".into(),
        partial,
        ..Options::default()
    }
}

async fn count(db: &TestDb, sql: &str) -> i64 {
    let mut ctx = sohoi::ctx::Ctx::read(&db.store, sohoi::auth::Access::system("test"))
        .await
        .expect("read");
    match &mut ctx.tx {
        sohoi::store::Tx::Sqlite(c) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(&mut **c)
            .await
            .expect("count"),
        sohoi::store::Tx::Postgres(c) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(&mut **c)
            .await
            .expect("count"),
    }
}

async fn statistics_are_exact(db: &TestDb) {
    let mut ctx = sohoi::ctx::Ctx::read(&db.store, sohoi::auth::Access::system("test"))
        .await
        .expect("read");
    let diffs = sohoi::stats::check::check(&mut ctx.tx)
        .await
        .expect("check");
    assert!(
        diffs.is_empty(),
        "maintained statistics equal a recomputation: {diffs:?}"
    );
}

fn good_rows() -> Vec<Typed<'static>> {
    vec![
        // Decomposed Unicode and a double space; a birth date typed as text.
        (
            "Nguye\u{302}\u{303}n Thị  Thủy",
            Cell::Text("05/03/1978"),
            Some(1_178_012_345.0),
            Some(912_345_678.0),
            "Kinh",
            "01/03/2010",
            "Tổ dân phố số 1",
        ),
        // Only a year, stored as a number; no national ID.
        (
            "Trần Thị Lan",
            Cell::Number(1958.0),
            None,
            None,
            "Tày",
            "1/3/2001",
            "Chi hội Tổ dân phố số 2",
        ),
        // A real Excel date.
        (
            "Lê Thị Hồng",
            Cell::Date(1990, 12, 1),
            Some(1_190_054_321.0),
            None,
            "Kinh",
            "15/07/2015",
            "to dan pho so 2",
        ),
    ]
}

#[tokio::test]
async fn a_ward_list_imports_with_repairs_listed_and_footers_skipped() {
    let db = TestDb::new().await;
    let mut ctx = db.ctx().await;
    helpers::branches(&mut ctx.tx, "00004", &BRANCHES).await;
    ctx.finish().await.expect("commit");

    let rows = good_rows();
    let (outcome, committed) = run(&db, ward_list(&[("Danh sách", &rows)]), &options(false)).await;
    let report = &outcome.report;
    assert!(committed, "{:?}", report.errors);
    assert_eq!(report.sheets[0].header_row, Some(5));
    assert_eq!((report.rows, report.added, report.updated), (3, 3, 0));
    assert_eq!(report.skipped_total, 1, "the total row");
    assert!(
        report.skipped_signature >= 2,
        "the date line and the signature: {report:?}"
    );
    let reasons: Vec<(&str, &str)> = report
        .repairs
        .iter()
        .map(|r| (r.column.as_str(), r.to.as_str()))
        .collect();
    assert!(
        reasons.contains(&("Họ và tên", "Nguyễn Thị Thủy")),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&("Số CCCD", "001178012345")) && reasons.contains(&("SĐT", "0912345678")),
        "{reasons:?}"
    );
    assert!(
        report.repairs.iter().all(|r| r.row >= 6),
        "row numbers are the spreadsheet's"
    );

    // Each went to the branch her row names; the statistics follow.
    assert_eq!(count(&db, "select count(*) from members m join units u on u.id = m.unit_id where u.code = '00004-02'").await, 2);
    assert_eq!(
        count(
            &db,
            "select count(*) from member_events where kind = 'joined'"
        )
        .await,
        3
    );
    assert_eq!(count(&db, "select count(*) from members where full_name = 'Nguyễn Thị Thủy' and national_id = '001178012345'").await, 1);
    assert_eq!(
        count(
            &db,
            "select count(*) from members where birth_year = 1958 and birth_month is null"
        )
        .await,
        1
    );
    statistics_are_exact(&db).await;

    // The same file again changes nothing.
    let (again, _) = run(&db, ward_list(&[("Danh sách", &rows)]), &options(false)).await;
    assert_eq!(
        (
            again.report.added,
            again.report.updated,
            again.report.unchanged
        ),
        (0, 0, 3),
        "{:?}",
        again.report.errors
    );
    assert_eq!(count(&db, "select count(*) from member_events").await, 3);

    // An updated file: her phone changed, recorded as a correction in her ledger.
    let mut updated = good_rows();
    updated[0].3 = Some(987_654_321.0);
    let (third, _) = run(&db, ward_list(&[("Danh sách", &updated)]), &options(false)).await;
    assert_eq!(
        (
            third.report.added,
            third.report.updated,
            third.report.unchanged
        ),
        (0, 1, 2)
    );
    assert_eq!(
        count(
            &db,
            "select count(*) from member_events where kind = 'corrected'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &db,
            "select count(*) from members where phone = '0987654321'"
        )
        .await,
        1
    );
    statistics_are_exact(&db).await;
}

#[tokio::test]
async fn a_wrong_row_stops_the_import_unless_partial_and_goes_to_the_error_workbook() {
    let db = TestDb::new().await;
    let mut ctx = db.ctx().await;
    helpers::branches(&mut ctx.tx, "00004", &BRANCHES).await;
    ctx.finish().await.expect("commit");
    let mut rows = good_rows();
    rows.push((
        "Phạm Thị Mai",
        Cell::Text("31/02/1980"),
        None,
        None,
        "Kinh",
        "01/01/2020",
        "Tổ dân phố số 1",
    ));
    rows.push((
        "Đỗ Thị Yến",
        Cell::Text("1985"),
        None,
        None,
        "Kinh",
        "01/01/2020",
        "Tổ dân phố số 9",
    ));
    let bytes = ward_list(&[("Phường", &rows), ("Trống", &[])]);

    let (outcome, committed) = run(&db, bytes.clone(), &options(false)).await;
    assert!(!committed);
    let errors: Vec<(u32, &str, &str)> = outcome
        .report
        .errors
        .iter()
        .map(|e| (e.row, e.column.as_str(), e.value.as_str()))
        .collect();
    assert_eq!(
        errors,
        [
            (10, "Ngày, tháng, năm sinh", "31/02/1980"),
            (11, "Chi hội", "Tổ dân phố số 9")
        ],
        "a blank row lies between"
    );
    assert!(
        outcome.report.errors[0]
            .reason
            .starts_with("Ngày sinh: không hợp lệ"),
        "{:?}",
        outcome.report.errors[0]
    );
    assert_eq!(
        outcome.report.errors[1].reason,
        "Chi hội: không có chi hội này trong đơn vị"
    );
    assert_eq!(
        count(&db, "select count(*) from members").await,
        0,
        "all or nothing"
    );

    // The error workbook: the two rows as they were, with their reasons.
    let workbook = outcome.rejected.workbook(Lang::Vi).expect("error workbook");
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(workbook)).expect("xlsx");
    let range = book.worksheet_range("Phường").expect("sheet");
    let sheet: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(sheet.len(), 3);
    assert_eq!(sheet[0].last().map(String::as_str), Some("Lý do"));
    assert_eq!(sheet[1][0], "10");
    assert_eq!(sheet[1][2], "Phạm Thị Mai");
    assert!(
        sheet[2]
            .last()
            .is_some_and(|r| r.contains("không có chi hội"))
    );

    let (partial, committed) = run(&db, bytes, &options(true)).await;
    assert!(committed);
    assert_eq!(partial.report.added, 3);
    assert_eq!(count(&db, "select count(*) from members").await, 3);
    statistics_are_exact(&db).await;
}

#[tokio::test]
async fn a_dry_run_reports_everything_and_writes_nothing() {
    let db = TestDb::new().await;
    let mut ctx = db.ctx().await;
    helpers::branches(&mut ctx.tx, "00004", &BRANCHES).await;
    ctx.finish().await.expect("commit");
    let rows = good_rows();
    let (outcome, committed) = run(
        &db,
        ward_list(&[("Danh sách", &rows)]),
        &Options {
            dry_run: true,
            ..options(false)
        },
    )
    .await;
    assert!(!committed);
    assert_eq!(
        outcome.report.added, 3,
        "the preview counts what would be added"
    );
    assert_eq!(count(&db, "select count(*) from members").await, 0);
    assert_eq!(
        count(
            &db,
            "select count(*) from audit_log where action = 'member.import'"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn what_is_not_a_workbook_or_has_no_header_is_refused_clearly() {
    let db = TestDb::new().await;
    let mut ctx = db.ctx().await;
    let refused = import::import(
        ctx.acting(&Access::system("test")),
        b"not a workbook".to_vec(),
        &options(false),
        Lang::Vi,
        &Control::default(),
    )
    .await;
    let message = refused
        .err()
        .map(|e| e.render(Lang::Vi))
        .unwrap_or_default();
    assert!(message.contains("không phải tệp Excel"), "{message}");

    let mut book = Workbook::new();
    book.add_worksheet()
        .write_string(0, 0, "Bảng chấm công")
        .expect("write");
    let refused = import::import(
        ctx.acting(&Access::system("test")),
        book.save_to_buffer().expect("xlsx"),
        &options(false),
        Lang::Vi,
        &Control::default(),
    )
    .await;
    let message = refused
        .err()
        .map(|e| e.render(Lang::Vi))
        .unwrap_or_default();
    assert!(message.contains("không tìm thấy dòng tiêu đề"), "{message}");

    // A workbook whose shared strings are more than a reader may hold is refused before any
    // is read, by their unpacked size or by the count their table declares.
    for limits in [
        import::read::Limits {
            max_shared_strings_bytes: 100,
            ..Default::default()
        },
        import::read::Limits {
            max_shared_strings: 3,
            ..Default::default()
        },
    ] {
        let small = ward_list(&[("Danh sách", &good_rows())]);
        let refused = import::import(
            ctx.acting(&Access::system("test")),
            small,
            &Options {
                limits,
                ..options(false)
            },
            Lang::Vi,
            &Control::default(),
        )
        .await;
        let message = refused
            .err()
            .map(|e| e.render(Lang::Vi))
            .unwrap_or_default();
        assert!(message.contains("quá nhiều chữ khác nhau"), "{message}");
    }

    // An archive that claims to unpack to more than the limit is refused before reading.
    let limits = import::read::Limits {
        max_unpacked_bytes: 1_000,
        ..Default::default()
    };
    let small = ward_list(&[("Danh sách", &good_rows())]);
    let refused = import::import(
        ctx.acting(&Access::system("test")),
        small,
        &Options {
            limits,
            ..options(false)
        },
        Lang::Vi,
        &Control::default(),
    )
    .await;
    assert!(
        refused
            .err()
            .map(|e| e.render(Lang::Vi))
            .unwrap_or_default()
            .contains("giải nén ra quá lớn")
    );
}

mod web {
    use super::*;
    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use http_body_util::BodyExt;
    use sohoi::auth::Role;
    use sohoi::auth::password::Password;
    use sohoi::auth::users::{self, NewAccount};
    use tower::ServiceExt;

    struct Officer {
        app: axum::Router,
        cookie: String,
        csrf: String,
    }

    impl Officer {
        async fn new(db: &TestDb, username: &str, unit: &str) -> Officer {
            let mut ctx = db.ctx().await;
            let account = NewAccount {
                username,
                display_name: "Cán bộ",
                unit_code: unit,
                role: Role::Officer,
                tiers: &[],
            };
            users::create(
                ctx.acting(&Access::system("test")),
                &account,
                &Password::new("mat-khau-thu"),
            )
            .await
            .expect("account");
            let user = users::by_username(&mut ctx.tx, username)
                .await
                .expect("user");
            let (token, csrf) = sohoi::auth::sessions::open(&mut ctx.tx, &user)
                .await
                .expect("session");
            ctx.finish().await.expect("commit");
            Officer {
                app: sohoi::web::app(db.store.clone(), Lang::Vi),
                cookie: format!("sohoi_session={token}"),
                csrf,
            }
        }

        async fn send(
            &self,
            request: axum::http::request::Builder,
            body: Body,
        ) -> (StatusCode, String, String) {
            let response = self
                .app
                .clone()
                .oneshot(
                    request
                        .header(header::COOKIE, &self.cookie)
                        .body(body)
                        .expect("request"),
                )
                .await
                .expect("response");
            let status = response.status();
            let location = response
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            let body = String::from_utf8_lossy(
                &response
                    .into_body()
                    .collect()
                    .await
                    .expect("body")
                    .to_bytes(),
            )
            .into_owned();
            (status, location, body)
        }

        async fn upload(&self, unit: &str, file: &[u8]) -> (StatusCode, String, String) {
            let boundary = "sohoi-boundary";
            let mut body = format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n",
                self.csrf
            )
            .into_bytes();
            body.extend(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"danh-sach.xlsx\"\r\n\r\n").as_bytes(),
            );
            body.extend(file);
            body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
            let request = Request::post(format!("/units/{unit}/import")).header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            );
            self.send(request, Body::from(body)).await
        }

        /// The import's page once it has finished (the page refreshes itself while it runs).
        async fn finished(&self, job: &str) -> String {
            loop {
                let (status, _, body) = self.send(Request::get(job), Body::empty()).await;
                assert_eq!(status, StatusCode::OK, "{body}");
                if !body.contains("http-equiv=\"refresh\"") {
                    return body;
                }
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        }

        async fn act(&self, job: &str, action: &str) -> (StatusCode, String, String) {
            let request = Request::post(job)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            self.send(
                request,
                Body::from(format!("csrf={}&action={action}", self.csrf)),
            )
            .await
        }
    }

    #[tokio::test]
    async fn an_officer_previews_an_upload_then_imports_it() {
        let db = TestDb::new().await;
        let mut ctx = db.ctx().await;
        helpers::branches(&mut ctx.tx, "00004", &BRANCHES).await;
        ctx.finish().await.expect("commit");
        let officer = Officer::new(&db, "coso", "00004").await;
        let mut rows = good_rows();
        rows.push((
            "Phạm Thị Mai",
            Cell::Text("31/02/1980"),
            None,
            None,
            "Kinh",
            "01/01/2020",
            "Tổ dân phố số 1",
        ));

        let (status, job, _) = officer
            .upload("00004", &ward_list(&[("Danh sách", &rows)]))
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let preview = officer.finished(&job).await;
        assert!(
            preview.contains("Xem trước") && preview.contains("Dòng tiêu đề: 5"),
            "{preview}"
        );
        assert!(
            preview.contains("<td>Ngày, tháng, năm sinh</td><td>birth_date</td>"),
            "{preview}"
        );
        assert!(
            preview.contains("31/02/1980") && preview.contains("Ngày sinh: không hợp lệ"),
            "{preview}"
        );
        assert!(preview.contains("Chạy thử: chưa ghi gì"), "{preview}");
        assert!(
            !preview.contains("Nhập vào cơ sở dữ liệu"),
            "a file with errors cannot be imported whole"
        );
        assert_eq!(count(&db, "select count(*) from members").await, 0);
        let (status, _, _) = officer
            .send(Request::get(format!("{job}/errors.xlsx")), Body::empty())
            .await;
        assert_eq!(
            status,
            StatusCode::OK,
            "the rows with errors download as a workbook"
        );

        // Another officer cannot see it.
        let other = Officer::new(&db, "ngocha", "00008").await;
        assert_eq!(
            other.send(Request::get(&job), Body::empty()).await.0,
            StatusCode::NOT_FOUND
        );

        // The corrected file: previewed, then imported for real.
        let (_, job, _) = officer
            .upload("00004", &ward_list(&[("Danh sách", &good_rows())]))
            .await;
        let preview = officer.finished(&job).await;
        assert!(preview.contains("Nhập vào cơ sở dữ liệu"), "{preview}");
        let (status, imported, _) = officer.act(&job, "commit").await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let done = officer.finished(&imported).await;
        assert!(done.contains("Đã ghi vào cơ sở dữ liệu"), "{done}");
        assert_eq!(count(&db, "select count(*) from members").await, 3);
        statistics_are_exact(&db).await;

        // Another commune's unit is not found for the upload either.
        let (status, _, _) = officer
            .upload("00008", &ward_list(&[("Danh sách", &good_rows())]))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}

mod corrupt {
    use super::*;
    use proptest::prelude::*;
    use sohoi::excel::import::read::{Book, Limits};

    /// Opens and reads every sheet; whatever the bytes, an answer and never a panic.
    fn read_all(bytes: Vec<u8>) {
        let limits = Limits {
            max_rows: 10_000,
            ..Limits::default()
        };
        if let Ok(mut book) = Book::open(bytes, &limits) {
            for name in book.sheet_names() {
                let _ = book.rows(&name, &limits, |_| Ok(true));
            }
        }
    }

    fn sample() -> Vec<u8> {
        ward_list(&[("Danh sách", &good_rows())])
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        #[test]
        fn a_truncated_or_damaged_workbook_is_refused_without_a_panic(cut in 0.0f64..1.0, flips in proptest::collection::vec((0.0f64..1.0, any::<u8>()), 0..12)) {
            let mut bytes = sample();
            for (at, value) in flips {
                let i = ((bytes.len() - 1) as f64 * at) as usize;
                bytes[i] ^= value;
            }
            let keep = (bytes.len() as f64 * cut) as usize;
            bytes.truncate(keep.max(1));
            read_all(bytes);
        }

        #[test]
        fn random_bytes_are_refused_without_a_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
            read_all(bytes);
        }
    }
}
