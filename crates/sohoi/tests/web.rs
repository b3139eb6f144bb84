//! The web pages as an officer meets them: sign-in with CSRF and a temporary lock, the
//! pages of her unit, nothing of another commune, sign-out.

mod helpers;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use helpers::{TestDb, input, raw};
use http_body_util::BodyExt;
use sohoi::auth::Access;
use sohoi::auth::Role;
use sohoi::auth::password::Password;
use sohoi::auth::users::{self, NewAccount};
use tower::ServiceExt;

struct Page {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

impl Page {
    fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with(&format!("{name}=")))
            .map(String::from)
    }

    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// A browser in miniature: keeps cookies between requests.
struct Browser {
    app: Router,
    cookies: Vec<(String, String)>,
}

impl Browser {
    fn new(db: &TestDb) -> Self {
        Browser {
            app: sohoi::web::app(db.store.clone(), sohoi::i18n::Lang::Vi),
            cookies: vec![],
        }
    }

    async fn send(&mut self, request: Request<Body>) -> Page {
        let response = self.app.clone().oneshot(request).await.expect("response");
        let status = response.status();
        let headers = response.headers().clone();
        for c in headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
        {
            let pair = c.split(';').next().unwrap_or("");
            if let Some((name, value)) = pair.split_once('=') {
                self.cookies.retain(|(n, _)| n != name);
                if !value.is_empty() && !c.contains("Max-Age=0") {
                    self.cookies.push((name.to_string(), value.to_string()));
                }
            }
        }
        let body = String::from_utf8_lossy(
            &response
                .into_body()
                .collect()
                .await
                .expect("body")
                .to_bytes(),
        )
        .into_owned();
        Page {
            status,
            headers,
            body,
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn get(&mut self, path: &str) -> Page {
        let request = Request::get(path)
            .header(header::COOKIE, self.cookie_header())
            .body(Body::empty())
            .expect("request");
        self.send(request).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let body = form
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let request = Request::post(path)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("x-forwarded-for", "203.0.113.7")
            .body(Body::from(body))
            .expect("request");
        self.send(request).await
    }

    /// The CSRF token of the form on `path`.
    async fn csrf(&mut self, path: &str) -> String {
        let page = self.get(path).await;
        let start = page
            .body
            .find("name=\"csrf\" value=\"")
            .expect("a form with a CSRF token")
            + 19;
        page.body[start..]
            .split('"')
            .next()
            .unwrap_or("")
            .to_string()
    }

    async fn sign_in(&mut self, username: &str, password: &str) -> Page {
        let csrf = self.csrf("/signin").await;
        self.post(
            "/signin",
            &[
                ("csrf", &csrf),
                ("username", username),
                ("password", password),
            ],
        )
        .await
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn officer_of_ba_dinh(db: &TestDb) {
    let mut ctx = db.ctx().await;
    let system = Access::system("test");
    let account = NewAccount {
        username: "badinh",
        display_name: "Cán bộ Ba Đình",
        unit_code: "00004",
        role: Role::Officer,
        tiers: &[],
    };
    users::create(
        ctx.acting(&system),
        &account,
        &Password::new("mat-khau-ba-dinh"),
    )
    .await
    .expect("account");
    sohoi::members::service::add(
        ctx.acting(&system),
        "00004",
        input(&raw("Nguyễn Thị Thủy", "1980")),
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
}

#[tokio::test]
async fn an_officer_signs_in_sees_her_unit_and_nothing_else() {
    let db = TestDb::new().await;
    officer_of_ba_dinh(&db).await;
    let mut browser = Browser::new(&db);

    let page = browser.get("/units/00004").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/signin");

    let page = browser.sign_in("badinh", "mat-khau-ba-dinh").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let session = page.cookie("sohoi_session").expect("a session cookie");
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Lax"),
        "{session}"
    );

    let page = browser.get("/").await;
    assert_eq!(page.location(), "/units/00004");
    let page = browser.get("/units/00004").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Phường Ba Đình"));
    assert!(
        page.body
            .contains("<strong>1</strong><span>Số hội viên</span>"),
        "one member is counted"
    );
    // She is an officer without the sensitive grant: no ethnicity or religion breakdown.
    assert!(!page.body.contains("Kinh / dân tộc thiểu số") && !page.body.contains("Tôn giáo"));

    // Finding units ignores diacritics and stays within her scope.
    let page = browser.get("/units?q=ba+dinh").await;
    assert!(page.body.contains("/units/00004"), "{}", page.body);
    let page = browser.get("/units?q=ngoc+ha").await;
    assert!(
        !page.body.contains("/units/00008"),
        "another commune is not found"
    );

    for other in ["/units/00008", "/units/01", "/units/TW"] {
        let page = browser.get(other).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{other}");
        assert!(!page.body.contains("Phường Ngọc Hà") && !page.body.contains("Thành phố Hà Nội"));
    }

    let csp = page
        .headers
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(
        csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(
        page.headers
            .get(header::X_FRAME_OPTIONS)
            .and_then(|v| v.to_str().ok()),
        Some("DENY")
    );

    // Signing out needs the session's CSRF token, and ends the session.
    let page = browser.post("/signout", &[("csrf", "forged")]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let csrf = browser.csrf("/password").await;
    let page = browser.post("/signout", &[("csrf", &csrf)]).await;
    assert_eq!(page.location(), "/signin");
    assert_eq!(
        browser.get("/units/00004").await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn wrong_passwords_are_refused_then_slowed_down_and_nothing_is_locked() {
    let db = TestDb::new().await;
    officer_of_ba_dinh(&db).await;
    let mut browser = Browser::new(&db);

    let page = browser.sign_in("badinh", "sai-mat-khau").await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(
        page.body
            .contains("Tên đăng nhập hoặc mật khẩu không đúng.")
    );
    assert!(
        page.body.contains("value=\"badinh\""),
        "the form keeps what was typed"
    );

    for _ in 0..4 {
        browser.sign_in("badinh", "sai-mat-khau").await;
    }
    // After five failures, a wait, even with the right password: a delay, not a lock.
    let page = browser.sign_in("badinh", "mat-khau-ba-dinh").await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        page.body.contains("Hãy thử lại sau 1 giây"),
        "{}",
        page.body
    );
    // A name that does not exist gets the same answer: the wait reveals nothing.
    let unknown = browser.sign_in("khong-co-ai", "mat-khau").await;
    assert_eq!(unknown.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(unknown.body.contains("Hãy thử lại sau"));
    // After the wait, the right password works: nobody can lock an account.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let page = browser.sign_in("badinh", "mat-khau-ba-dinh").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);

    let mut ctx = db.ctx().await;
    let failures: i64 = sohoi::on_engine!(&mut ctx.tx, c => sqlx::query_scalar(
        "select count(*) from audit_log where action = 'signin.failed' and subject = 'badinh'")
        .fetch_one(&mut **c).await)
    .expect("audit");
    assert_eq!(failures, 5);
    // The browser claimed an address with X-Forwarded-For; with no trusted proxy configured,
    // the claim is not believed and the log does not carry it.
    let spoofed: i64 = sohoi::on_engine!(&mut ctx.tx, c => sqlx::query_scalar(
        "select count(*) from audit_log where address = '203.0.113.7'")
        .fetch_one(&mut **c).await)
    .expect("audit");
    assert_eq!(spoofed, 0);
}

#[tokio::test]
async fn a_form_without_its_token_is_refused() {
    let db = TestDb::new().await;
    officer_of_ba_dinh(&db).await;
    let mut browser = Browser::new(&db);
    browser.get("/signin").await;
    let page = browser
        .post(
            "/signin",
            &[
                ("csrf", "not-the-token"),
                ("username", "badinh"),
                ("password", "mat-khau-ba-dinh"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.cookie("sohoi_session").is_none());
}

#[tokio::test]
async fn an_officer_changes_her_password() {
    let db = TestDb::new().await;
    officer_of_ba_dinh(&db).await;
    let mut browser = Browser::new(&db);
    browser.sign_in("badinh", "mat-khau-ba-dinh").await;
    let csrf = browser.csrf("/password").await;
    let page = browser
        .post(
            "/password",
            &[
                ("csrf", &csrf),
                ("current", "nhầm"),
                ("new", "mat-khau-moi-2026"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("mật khẩu hiện tại không đúng"));
    let page = browser
        .post(
            "/password",
            &[
                ("csrf", &csrf),
                ("current", "mat-khau-ba-dinh"),
                ("new", "mat-khau-moi-2026"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Đã đổi mật khẩu."));
    let mut fresh = Browser::new(&db);
    assert_eq!(
        fresh.sign_in("badinh", "mat-khau-moi-2026").await.status,
        StatusCode::SEE_OTHER
    );
}

/// The id in a `/members/{id}` address.
fn member_id(location: &str) -> i64 {
    location
        .trim_start_matches("/members/")
        .parse()
        .expect("a member address")
}

#[tokio::test]
async fn an_officer_adds_finds_and_transfers_a_member() {
    let db = TestDb::new().await;
    officer_of_ba_dinh(&db).await;
    let mut browser = Browser::new(&db);
    browser.sign_in("badinh", "mat-khau-ba-dinh").await;
    let csrf = browser.csrf("/units/00004/members/new").await;

    // A wrong date keeps what was typed and says what is wrong, in Vietnamese.
    let form = [
        ("csrf", csrf.as_str()),
        ("full_name", "Lê Thị Thuỷ"),
        ("birth_date", "31/02/1985"),
        ("phone", "912345678"),
    ];
    let page = browser.post("/units/00004/members/new", &form).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("Ngày sinh: không hợp lệ"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("value=\"Lê Thị Thuỷ\"") && page.body.contains("value=\"912345678\"")
    );

    let form = [
        ("csrf", csrf.as_str()),
        ("full_name", "Lê Thị Thuỷ"),
        ("birth_date", "12/05/1985"),
        ("ethnicity", "01"),
        ("joined_on", "01/03/2024"),
    ];
    let page = browser.post("/units/00004/members/new", &form).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let id = member_id(page.location());

    // The same name and birth year again: a warning first, saved only when confirmed.
    let form = [
        ("csrf", csrf.as_str()),
        ("full_name", "le thi thuy"),
        ("birth_date", "1985"),
    ];
    let page = browser.post("/units/00004/members/new", &form).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Có thể đã có hội viên này")
            && page.body.contains(&format!("/members/{id}"))
    );
    let confirmed = [
        ("csrf", csrf.as_str()),
        ("full_name", "le thi thuy"),
        ("birth_date", "1985"),
        ("confirm", "true"),
    ];
    assert_eq!(
        browser
            .post("/units/00004/members/new", &confirmed)
            .await
            .status,
        StatusCode::SEE_OTHER
    );

    // Typing "thuy" finds Thủy and Thuỷ alike.
    let page = browser.get("/units/00004/members?q=thuy").await;
    assert!(
        page.body.contains("Nguyễn Thị Thủy") && page.body.contains("Lê Thị Thuỷ"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("Trần Thị Lan"),
        "another commune's member is never listed"
    );

    // Transfer with a stale version is refused with a clear message; with the right one it moves her.
    let page = browser
        .post(
            &format!("/members/{id}/transfer"),
            &[
                ("csrf", &csrf),
                ("version", "9"),
                ("to", "00004"),
                ("date", "01/06/2025"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("người khác cập nhật"));
    let page = browser
        .post(
            &format!("/members/{id}/transfer"),
            &[
                ("csrf", &csrf),
                ("version", "1"),
                ("to", "00008"),
                ("date", "01/06/2025"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    // She now belongs to another commune: out of this officer's sight.
    assert_eq!(
        browser.get(&format!("/members/{id}")).await.status,
        StatusCode::NOT_FOUND
    );

    let page = browser.get("/units/00004/report?period=2025").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("<td>Tổng cộng</td>")
            && page.body.contains("✓")
            && !page.body.contains("✗")
    );
}

#[tokio::test]
async fn another_communes_member_is_not_found_by_address() {
    let db = TestDb::new().await;
    officer_of_ba_dinh(&db).await;
    let mut ctx = db.ctx().await;
    let theirs = sohoi::members::service::search(
        ctx.acting(&Access::system("test")),
        "tran thi lan",
        None,
        5,
    )
    .await
    .expect("search");
    drop(ctx);
    let mut browser = Browser::new(&db);
    browser.sign_in("badinh", "mat-khau-ba-dinh").await;
    let page = browser.get(&format!("/members/{}", theirs[0].id)).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(!page.body.contains("Trần Thị Lan"));
    let page = browser.get("/members/999999").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_chair_reads_her_subtrees_audit_log_and_an_officer_cannot() {
    let db = TestDb::new().await;
    officer_of_ba_dinh(&db).await;
    let mut ctx = db.ctx().await;
    let chair = NewAccount {
        username: "chutich",
        display_name: "Chủ tịch Ba Đình",
        unit_code: "00004",
        role: Role::Chair,
        tiers: &sohoi::auth::Tier::MEMBER,
    };
    users::create(
        ctx.acting(&Access::system("test")),
        &chair,
        &Password::new("mat-khau-chu-tich"),
    )
    .await
    .expect("account");
    ctx.finish().await.expect("commit");

    let mut officer = Browser::new(&db);
    officer.sign_in("badinh", "mat-khau-ba-dinh").await;
    assert_eq!(officer.get("/audit").await.status, StatusCode::FORBIDDEN);

    let mut browser = Browser::new(&db);
    browser.sign_in("chutich", "mat-khau-chu-tich").await;
    let page = browser.get("/audit").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("<td>Thêm hội viên</td>") && page.body.contains("00004"),
        "{}",
        page.body
    );
    // Sign-ins of her ward's accounts are hers to read too, with the address they came from.
    assert!(
        page.body
            .contains("<td>Đăng nhập</td><td>00004</td><td>badinh</td>"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("00008"),
        "Ngọc Hà's entries are not hers to read"
    );
}

#[tokio::test]
async fn an_officer_corrects_a_record_and_a_stale_save_keeps_what_she_typed() {
    let db = TestDb::new().await;
    officer_of_ba_dinh(&db).await;
    let mut browser = Browser::new(&db);
    browser.sign_in("badinh", "mat-khau-ba-dinh").await;
    let page = browser.get("/units/00004/members?q=thuy").await;
    let id = page
        .body
        .split("href=\"/members/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .and_then(|s| s.parse::<i64>().ok())
        .expect("a member link");

    let page = browser.get(&format!("/members/{id}/edit")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Sửa thông tin hội viên")
            && page.body.contains("value=\"Nguyễn Thị Thủy\""),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("name=\"national_id\""),
        "an officer without the grant is not shown the national ID"
    );
    let csrf = browser.csrf(&format!("/members/{id}/edit")).await;

    let wrong = [
        ("csrf", csrf.as_str()),
        ("version", "1"),
        ("full_name", "Nguyễn Thị Thủy"),
        ("birth_date", "1980"),
        ("phone", "12"),
    ];
    let page = browser.post(&format!("/members/{id}/edit"), &wrong).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("Số điện thoại: phải gồm 10 chữ số")
            && page.body.contains("value=\"12\""),
        "{}",
        page.body
    );

    let fix = [
        ("csrf", csrf.as_str()),
        ("version", "1"),
        ("full_name", "Nguyễn Thị Thuỷ"),
        ("birth_date", "1980"),
        ("phone", "912345678"),
    ];
    let page = browser.post(&format!("/members/{id}/edit"), &fix).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let page = browser.get(&format!("/members/{id}")).await;
    assert!(
        page.body.contains("<h1>Nguyễn Thị Thuỷ</h1>") && page.body.contains("0912345678"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Đính chính hồ sơ"),
        "the ledger shows the correction: {}",
        page.body
    );

    // A second tab still holding version 1: refused, and what she typed is still there.
    let stale = [
        ("csrf", csrf.as_str()),
        ("version", "1"),
        ("full_name", "Nguyễn Thị Thuỳ"),
        ("birth_date", "1980"),
    ];
    let page = browser.post(&format!("/members/{id}/edit"), &stale).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("người khác cập nhật")
            && page.body.contains("value=\"Nguyễn Thị Thuỳ\""),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn a_user_makes_an_api_token_that_a_program_then_uses() {
    let db = TestDb::new().await;
    officer_of_ba_dinh(&db).await;
    let mut browser = Browser::new(&db);
    browser.sign_in("badinh", "mat-khau-ba-dinh").await;
    let csrf = browser.csrf("/tokens").await;
    let page = browser
        .post("/tokens", &[("csrf", &csrf), ("name", "")])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = browser
        .post("/tokens", &[("csrf", &csrf), ("name", "Bảng tính báo cáo")])
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let token = page
        .body
        .split("<code>")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("the new token, shown once")
        .to_string();
    assert!(token.starts_with("sohoi_"));
    assert!(
        !browser.get("/tokens").await.body.contains(&token),
        "the token is never shown again"
    );

    let api = |token: &str| {
        Request::get("/api/v1/me")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .expect("request")
    };
    let app = sohoi::web::app(db.store.clone(), sohoi::i18n::Lang::Vi);
    assert_eq!(
        app.clone()
            .oneshot(api(&token))
            .await
            .expect("response")
            .status(),
        StatusCode::OK
    );

    let page = browser.get("/tokens").await;
    let id = page
        .body
        .split("name=\"revoke\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a revoke button")
        .to_string();
    let page = browser
        .post("/tokens", &[("csrf", &csrf), ("revoke", &id)])
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        app.oneshot(api(&token)).await.expect("response").status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_language_link_switches_every_page_to_english_and_back() {
    let db = TestDb::new().await;
    officer_of_ba_dinh(&db).await;
    let mut browser = Browser::new(&db);
    browser.sign_in("badinh", "mat-khau-ba-dinh").await;
    let page = browser.get("/units/00004/members").await;
    assert!(
        page.body.contains("Danh sách hội viên") && page.body.contains("href=\"?lang=en\""),
        "{}",
        page.body
    );
    let page = browser.get("/units/00004/members?lang=en").await;
    assert!(
        page.body.contains("lang=\"en\"") && page.body.contains("href=\"?lang=vi\""),
        "{}",
        page.body
    );
    // The choice is kept for the next pages.
    let page = browser.get("/units/00004/report").await;
    assert!(
        page.body.contains("lang=\"en\"") && page.body.contains("Total"),
        "{}",
        page.body
    );
    browser.get("/units/00004?lang=vi").await;
    assert!(
        browser
            .get("/units/00004/report")
            .await
            .body
            .contains("Tổng cộng")
    );
}

#[tokio::test]
async fn the_dashboard_draws_its_breakdowns_as_charts() {
    let db = TestDb::new().await;
    officer_of_ba_dinh(&db).await;
    let mut browser = Browser::new(&db);
    browser.sign_in("badinh", "mat-khau-ba-dinh").await;
    let page = browser.get("/units/00004").await;
    assert!(
        page.body
            .contains("src=\"/units/00004/chart.svg?dim=age_band\""),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("dim=religion"),
        "no chart of a breakdown she may not see"
    );
    let chart = browser.get("/units/00004/chart.svg?dim=age_band").await;
    assert_eq!(chart.status, StatusCode::OK);
    assert_eq!(
        chart
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("image/svg+xml")
    );
    assert!(
        chart.body.starts_with("<svg")
            && chart.body.contains("Độ tuổi")
            && chart.body.contains("46-60"),
        "{}",
        chart.body
    );
    assert_eq!(
        browser
            .get("/units/00004/chart.svg?dim=religion")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        browser
            .get("/units/00008/chart.svg?dim=age_band")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_chair_makes_accounts_in_her_subtree_and_no_more_than_she_holds() {
    let db = TestDb::new().await;
    officer_of_ba_dinh(&db).await;
    let mut ctx = db.ctx().await;
    let chair = NewAccount {
        username: "chutich",
        display_name: "Chủ tịch Ba Đình",
        unit_code: "00004",
        role: Role::Chair,
        tiers: &[],
    };
    users::create(
        ctx.acting(&Access::system("test")),
        &chair,
        &Password::new("mat-khau-chu-tich"),
    )
    .await
    .expect("account");
    ctx.finish().await.expect("commit");
    let mut browser = Browser::new(&db);
    browser.sign_in("chutich", "mat-khau-chu-tich").await;
    let page = browser.get("/users").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("<td>badinh</td>") && page.body.contains("Cán bộ nghiệp vụ"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("value=\"admin\""),
        "a chair is not offered the administrator role"
    );
    let csrf = browser.csrf("/users").await;
    let form = |username: &'static str, unit: &'static str, role: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("username", username.into()),
            ("display_name", "Chi hội trưởng".into()),
            ("unit", unit.into()),
            ("role", role.into()),
            ("password", "mat-khau-moi".into()),
        ]
    };
    let post = |f: Vec<(&'static str, String)>| f;
    let as_pairs = |f: &Vec<(&'static str, String)>| {
        f.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>()
    };

    let ok = post(form("chihoi.mot", "00004", "viewer"));
    let page = browser
        .post(
            "/users",
            &as_pairs(&ok)
                .iter()
                .map(|(k, v)| (*k, v.as_str()))
                .collect::<Vec<_>>(),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Đã tạo tài khoản chihoi.mot")
            && page.body.contains("<td>chihoi.mot</td>"),
        "{}",
        page.body
    );

    let admin = post(form("quantri", "00004", "admin"));
    let page = browser
        .post(
            "/users",
            &as_pairs(&admin)
                .iter()
                .map(|(k, v)| (*k, v.as_str()))
                .collect::<Vec<_>>(),
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::FORBIDDEN,
        "no administrator from a chair"
    );
    let elsewhere = post(form("ngocha.moi", "00008", "viewer"));
    let page = browser
        .post(
            "/users",
            &as_pairs(&elsewhere)
                .iter()
                .map(|(k, v)| (*k, v.as_str()))
                .collect::<Vec<_>>(),
        )
        .await;
    // Another ward is not hers: for her it does not exist (said in the form, which keeps what she typed).
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("Không tìm thấy đơn vị 00008")
            && page.body.contains("value=\"ngocha.moi\""),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("name=\"identity\""),
        "a tier she lacks is not offered"
    );
    let mut sensitive = form("nhaycam", "00004", "viewer");
    sensitive.push(("identity", "yes".into()));
    let page = browser
        .post(
            "/users",
            &sensitive
                .iter()
                .map(|(k, v)| (*k, v.as_str()))
                .collect::<Vec<_>>(),
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::FORBIDDEN,
        "no tier she does not hold"
    );

    let mut officer = Browser::new(&db);
    officer.sign_in("badinh", "mat-khau-ba-dinh").await;
    assert_eq!(officer.get("/users").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_edit_changes_only_what_the_form_sent() {
    let db = TestDb::new().await;
    officer_of_ba_dinh(&db).await;
    let mut ctx = db.ctx().await;
    let mut r = raw("Đinh Thị Vân", "1975");
    r.segments = "farmer,entrepreneur".into();
    r.political_theory = "elementary".into();
    let id = sohoi::members::service::add(&mut ctx, "00004", input(&r))
        .await
        .expect("member")
        .id;
    ctx.finish().await.expect("commit");
    let mut browser = Browser::new(&db);
    browser.sign_in("badinh", "mat-khau-ba-dinh").await;
    let csrf = browser.csrf(&format!("/members/{id}/edit")).await;
    let form = [
        ("csrf", csrf.as_str()),
        ("version", "1"),
        ("full_name", "Đinh Thị Vân"),
        ("birth_date", "1975"),
        ("phone", "912345678"),
    ];
    let page = browser.post(&format!("/members/{id}/edit"), &form).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let mut ctx = db.ctx().await;
    let stored = sohoi::members::service::current(&mut ctx, id)
        .await
        .expect("member");
    assert_eq!(stored.phone.as_deref(), Some("0912345678"));
    assert_eq!(stored.political_theory.as_deref(), Some("elementary"));
    assert_eq!(
        stored.segments,
        vec!["entrepreneur".to_string(), "farmer".to_string()]
    );
}

#[tokio::test]
async fn pages_with_personal_data_are_never_cached() {
    let db = TestDb::new().await;
    officer_of_ba_dinh(&db).await;
    let mut browser = Browser::new(&db);
    browser.sign_in("badinh", "mat-khau-ba-dinh").await;
    for path in [
        "/units/00004/members",
        "/units/00004/members.xlsx",
        "/units/00004",
        "/signin",
    ] {
        let page = browser.get(path).await;
        assert_eq!(page.header("cache-control"), "no-store", "{path}");
    }
    assert_eq!(
        browser.get("/static/app.css").await.header("cache-control"),
        "public, max-age=3600"
    );
}

#[tokio::test]
async fn a_typed_username_of_any_length_is_stored_within_bounds() {
    let db = TestDb::new().await;
    let mut browser = Browser::new(&db);
    let huge = "x".repeat(200_000);
    let page = browser.sign_in(&huge, "mat-khau").await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    let mut ctx = db.ctx().await;
    let longest: i64 = sohoi::on_engine!(&mut ctx.tx, c => sqlx::query_scalar(
        "select cast(max(length(subject) + length(actor)) as bigint) from audit_log where action = 'signin.failed'")
        .fetch_one(&mut **c).await)
    .expect("audit");
    assert!(longest <= 400, "{longest}");
}

#[tokio::test]
async fn a_password_change_and_sign_out_everywhere_end_the_other_sessions() {
    let db = TestDb::new().await;
    officer_of_ba_dinh(&db).await;
    // Two devices on one server.
    let mut phone = Browser::new(&db);
    let mut office = Browser {
        app: phone.app.clone(),
        cookies: vec![],
    };
    phone.sign_in("badinh", "mat-khau-ba-dinh").await;
    office.sign_in("badinh", "mat-khau-ba-dinh").await;
    assert_eq!(office.get("/units/00004").await.status, StatusCode::OK);
    // A new password, typed on the phone: the office's session ends, the phone's goes on.
    let csrf = phone.csrf("/password").await;
    let form = [
        ("csrf", csrf.as_str()),
        ("current", "mat-khau-ba-dinh"),
        ("new", "mat-khau-moi-hon"),
    ];
    assert_eq!(phone.post("/password", &form).await.status, StatusCode::OK);
    assert_eq!(
        office.get("/units/00004").await.status,
        StatusCode::SEE_OTHER,
        "signed out"
    );
    assert_eq!(phone.get("/units/00004").await.status, StatusCode::OK);
    // Signed in again at the office, then out everywhere from the phone: both are signed out.
    office.sign_in("badinh", "mat-khau-moi-hon").await;
    assert_eq!(office.get("/units/00004").await.status, StatusCode::OK);
    let csrf = phone.csrf("/password").await;
    let page = phone
        .post("/signout-everywhere", &[("csrf", csrf.as_str())])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        office.get("/units/00004").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        phone.get("/units/00004").await.status,
        StatusCode::SEE_OTHER
    );
}
