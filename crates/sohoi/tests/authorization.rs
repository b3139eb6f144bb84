//! The authorisation matrix: every route of the web application (taken from the router's
//! own table, so a new route cannot be left out) × every role × a unit or member in the
//! user's own subtree, her parent, a sibling commune and another province.

mod helpers;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use helpers::{TestDb, input, raw};
use http_body_util::BodyExt;
use sohoi::auth::Access;
use sohoi::auth::Role;
use sohoi::auth::password::Password;
use sohoi::auth::users::{self, NewAccount};
use sohoi::web::Audience;
use tower::ServiceExt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    Own,
    Parent,
    Sibling,
    OtherProvince,
}

const PLACES: [Place; 4] = [
    Place::Own,
    Place::Parent,
    Place::Sibling,
    Place::OtherProvince,
];

/// The unit each place stands for: a branch of the user's commune (Ba Đình), Hà Nội,
/// Ngọc Hà, and a ward of Hồ Chí Minh City.
fn unit(place: Place) -> &'static str {
    match place {
        Place::Own => "00004-01",
        Place::Parent => "01",
        Place::Sibling => "00008",
        Place::OtherProvince => "25747",
    }
}

struct Session {
    cookie: String,
    csrf: String,
    /// An API token of the same user, for the routes under /api/.
    token: String,
}

async fn call(
    app: &axum::Router,
    method: &str,
    path: &str,
    session: &Session,
    form: &[(&str, String)],
) -> (StatusCode, String) {
    let request = if (path.ends_with("/import") || path.ends_with("/upload")) && method == "POST" {
        // The import page takes a workbook as multipart form data.
        let boundary = "sohoi-test-boundary";
        let mut body = String::new();
        for (k, v) in form {
            body.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
            ));
        }
        body.push_str(&format!("--{boundary}--\r\n"));
        Request::builder()
            .method(method)
            .uri(path)
            .header(header::COOKIE, &session.cookie)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .expect("request")
    } else if path.starts_with("/api/") {
        // Programs send a token and JSON; the form's fields become the JSON body.
        let mut body = serde_json::Map::new();
        for (k, v) in form {
            let value = match *k {
                "confirm" => serde_json::Value::Bool(true),
                "version" => serde_json::Value::from(v.parse::<i64>().expect("version")),
                "values" => serde_json::from_str(v).expect("a JSON object"),
                _ => serde_json::Value::from(v.clone()),
            };
            body.insert((*k).to_string(), value);
        }
        if let Some(member) = body
            .remove("full_name")
            .map(|name| serde_json::json!({"full_name": name, "birth_date": "1975"}))
        {
            body.insert("member".into(), member);
        }
        Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {}", session.token))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(serde_json::Value::Object(body).to_string()))
            .expect("request")
    } else {
        let body = form
            .iter()
            .map(|(k, v)| format!("{k}={}", v.replace(' ', "+")))
            .collect::<Vec<_>>()
            .join("&");
        Request::builder()
            .method(method)
            .uri(path)
            .header(header::COOKIE, &session.cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request")
    };
    let response = app.clone().oneshot(request).await.expect("response");
    let status = response.status();
    let body = String::from_utf8_lossy(
        &response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes(),
    )
    .into_owned();
    (status, body)
}

async fn sign_in(app: &axum::Router, username: &str) -> Session {
    let response = app
        .clone()
        .oneshot(
            Request::get("/signin")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    let csrf_cookie = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("sohoi_csrf="))
        .expect("csrf cookie");
    let pair = csrf_cookie.split(';').next().unwrap_or("").to_string();
    let token = pair.trim_start_matches("sohoi_csrf=").to_string();
    let request = Request::post("/signin")
        .header(header::COOKIE, &pair)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "csrf={token}&username={username}&password=mat-khau-thu"
        )))
        .expect("request");
    let response = app.clone().oneshot(request).await.expect("response");
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "{username} signs in"
    );
    let session = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("sohoi_session="))
        .expect("session");
    let cookie = session.split(';').next().unwrap_or("").to_string();
    let mut session = Session {
        cookie,
        csrf: String::new(),
        token: String::new(),
    };
    let (_, page) = call(app, "GET", "/password", &session, &[]).await;
    let start = page.find("name=\"csrf\" value=\"").expect("csrf field") + 19;
    session.csrf = page[start..].split('"').next().unwrap_or("").to_string();
    session
}

/// What a user with `role` at Ba Đình must get.
fn expected(access: Audience, path: &str, method: &str, role: Role, place: Place) -> StatusCode {
    match access {
        // Another user's import, or none: there is no such page for her.
        _ if path.contains("{job}") => StatusCode::NOT_FOUND,
        _ if path.contains("{round}") => round_expected(path, method, role, place),
        Audience::Public => StatusCode::OK,
        // A case worker sees her unit exists, and its structure, but not its members.
        Audience::Scoped if role == Role::CaseWorker && place == Place::Own => {
            if path == "/api/v1/units/{code}/children" {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            }
        }
        Audience::Own => match (path, method) {
            ("/", _) => StatusCode::SEE_OTHER,
            ("/audit" | "/users" | "/users/grant" | "/users/revoke", _)
                if role < Role::Chair || role == Role::CaseWorker =>
            {
                StatusCode::FORBIDDEN
            }
            // Opening a round takes the authority to issue directives (chairs and administrators).
            ("/api/v1/rounds", "POST") if role < Role::Chair || role == Role::CaseWorker => {
                StatusCode::FORBIDDEN
            }
            ("/api/v1/rounds", "POST") => StatusCode::CREATED,
            (_, "POST") => StatusCode::OK,
            _ => StatusCode::OK,
        },
        Audience::Scoped if place != Place::Own => StatusCode::NOT_FOUND,
        // Restructuring is for chairs and administrators; a preview answers with its page.
        Audience::Scoped if path.ends_with("/restructure") => {
            if role < Role::Chair {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::OK
            }
        }
        Audience::Scoped => {
            let writes = method != "GET"
                || path.ends_with("/new")
                || path.ends_with("/edit")
                || path.ends_with("/import");
            let api = path.starts_with("/api/");
            match (writes, role) {
                (true, Role::Viewer) => StatusCode::FORBIDDEN,
                (true, _) if api && method == "POST" && path.ends_with("/members") => {
                    StatusCode::CREATED
                }
                (true, _) if api && method != "GET" => StatusCode::OK,
                (true, _) if method == "POST" => StatusCode::SEE_OTHER,
                _ => StatusCode::OK,
            }
        }
    }
}

/// The report round's routes, on the round opened below to the branches of Hà Nội: the
/// user's branch (Own) answers; her province, a sibling commune and another province are not
/// hers to see. Reading takes the authority to view members; entering and submitting act at
/// one's own unit only (the branch is not the commune's), deciding strictly below one's grant.
fn round_expected(path: &str, method: &str, role: Role, place: Place) -> StatusCode {
    if place != Place::Own {
        return StatusCode::NOT_FOUND;
    }
    if role == Role::CaseWorker {
        return StatusCode::FORBIDDEN;
    }
    let decides = role >= Role::Chair;
    match method {
        "GET" => StatusCode::OK,
        _ if path.ends_with("/values")
            || path.ends_with("/submit")
            || path.ends_with("/upload") =>
        {
            StatusCode::FORBIDDEN
        }
        _ if path.starts_with("/api/") && decides => StatusCode::OK,
        _ if decides => StatusCode::SEE_OTHER,
        _ => StatusCode::FORBIDDEN,
    }
}

#[tokio::test]
async fn every_route_answers_each_role_as_its_scope_says() {
    let mut checked = 0;
    for role in Role::ALL {
        let db = TestDb::new().await;
        let mut ctx = db.ctx().await;
        let system = Access::system("test");
        helpers::branches(&mut ctx.tx, "00004", &["Chi hội Tổ dân phố số 1"]).await;
        // A round from Hà Nội to its branches: the province, Ba Đình and its branch answer.
        sohoi::rounds::form::load(ctx.acting(&system), sohoi::demo::rounds::FORM)
            .await
            .expect("form");
        let round = sohoi::rounds::open::open(
            ctx.acting(&system),
            &sohoi::rounds::open::OpenRequest {
                form: "BC-HPN",
                period: "2026-H1",
                under: "01",
                to: sohoi::org::UnitKind::Branch,
                cutoff: None,
                due: time::macros::date!(2099 - 06 - 20),
                closes: None,
            },
        )
        .await
        .expect("round")
        .round;
        let username = format!("u{}", role.as_str());
        let account = NewAccount {
            username: &username,
            display_name: "Cán bộ",
            unit_code: "00004",
            role,
            tiers: &[],
        };
        users::create(
            ctx.acting(&system),
            &account,
            &Password::new("mat-khau-thu"),
        )
        .await
        .expect("account");
        ctx.finish().await.expect("commit");
        let app = sohoi::web::app(db.store.clone(), sohoi::i18n::Lang::Vi);
        let mut session = sign_in(&app, &username).await;
        let mut ctx = db.ctx().await;
        let user = users::by_username(&mut ctx.tx, &username)
            .await
            .expect("user");
        session.token = sohoi::auth::tokens::create(&mut ctx.tx, &user, "kiểm thử")
            .await
            .expect("token")
            .1;
        ctx.finish().await.expect("commit");

        for (path, access, methods, _) in sohoi::web::routes() {
            for method in methods.iter().copied() {
                if path == "/signin" && method == "POST" || path.starts_with("/signout") {
                    continue; // sign-in and sign-out have their own tests
                }
                for place in PLACES {
                    if access != Audience::Scoped && place != Place::Own {
                        continue;
                    }
                    // Members live below communes: a province holds none of its own.
                    if path.contains("/members/{id}") && place == Place::Parent {
                        continue;
                    }
                    // A member of the place, fresh for each request.
                    let member_unit = if place == Place::Parent {
                        "00004"
                    } else {
                        unit(place)
                    };
                    let mut ctx = db.ctx().await;
                    let member = sohoi::members::service::add(
                        ctx.acting(&system),
                        member_unit,
                        input(&raw("Nguyễn Thị Mai", "1980")),
                    )
                    .await
                    .expect("member");
                    ctx.finish().await.expect("commit");
                    let concrete = path
                        .replace("{code}", unit(place))
                        .replace("{id}", &member.id.to_string())
                        .replace("{job}", "0123456789abcdef")
                        .replace("{round}", &round.to_string());
                    let form: Vec<(&str, String)> = match path {
                        "/password" => {
                            vec![
                                ("csrf", session.csrf.clone()),
                                ("current", "mat-khau-thu".into()),
                                ("new", "mat-khau-thu".into()),
                            ]
                        }
                        "/tokens" => vec![
                            ("csrf", session.csrf.clone()),
                            ("name", "Báo cáo tự động".into()),
                        ],
                        "/users" => vec![
                            ("csrf", session.csrf.clone()),
                            ("username", "chihoi.moi".into()),
                            ("display_name", "Chi hội trưởng".into()),
                            ("unit", "00004-01".into()),
                            ("role", "viewer".into()),
                            ("password", "mat-khau-moi".into()),
                        ],
                        // She gives herself a viewer's grant at the branch, and takes back the
                        // branch head's made above.
                        "/users/grant" => vec![
                            ("csrf", session.csrf.clone()),
                            ("username", username.clone()),
                            ("unit", "00004-01".into()),
                            ("role", "viewer".into()),
                        ],
                        "/users/revoke" => {
                            vec![
                                ("csrf", session.csrf.clone()),
                                ("username", "chihoi.moi".into()),
                                ("unit", "00004-01".into()),
                            ]
                        }
                        "/units/{code}/restructure" => vec![
                            ("csrf", session.csrf.clone()),
                            ("action", "rename".into()),
                            ("name", "Chi hội mới".into()),
                            ("date", "01/06/2025".into()),
                        ],
                        "/units/{code}/import" | "/rounds/{round}/units/{code}/upload" => vec![
                            ("csrf", session.csrf.clone()),
                            ("file", "not a workbook".into()),
                        ],
                        "/imports/{job}" => {
                            vec![("csrf", session.csrf.clone()), ("action", "cancel".into())]
                        }
                        "/members/{id}/edit" | "/api/v1/members/{id}" => {
                            vec![
                                ("csrf", session.csrf.clone()),
                                ("version", "1".into()),
                                ("full_name", "Nguyễn Thị Mai Anh".into()),
                            ]
                        }
                        "/units/{code}/members/new" | "/api/v1/units/{code}/members" => {
                            vec![
                                ("csrf", session.csrf.clone()),
                                ("full_name", "Trần Thị Hoa".into()),
                                ("birth_date", "1975".into()),
                                ("confirm", "true".into()),
                            ]
                        }
                        "/members/{id}/transfer" | "/api/v1/members/{id}/transfer" => vec![
                            ("csrf", session.csrf.clone()),
                            ("version", "1".into()),
                            ("to", "00004".into()),
                            ("date", "01/06/2025".into()),
                        ],
                        "/members/{id}/leave" | "/api/v1/members/{id}/leave" => {
                            vec![
                                ("csrf", session.csrf.clone()),
                                ("version", "1".into()),
                                ("date", "01/06/2025".into()),
                            ]
                        }
                        // A late-entry window for the branch, with its reason.
                        "/api/v1/rounds/{round}/units/{code}/decision" => vec![
                            ("action", "late".into()),
                            ("until", "2099-01-01".into()),
                            ("reason", "Chi hội mới thành lập".into()),
                        ],
                        "/api/v1/rounds/{round}/units/{code}/deadlines" => {
                            vec![("due", "2099-01-01".into())]
                        }
                        // A waiver (the branch has not reported) with its reason.
                        "/rounds/{round}/units/{code}" => vec![
                            ("csrf", session.csrf.clone()),
                            ("action", "waive".into()),
                            ("reason", "Chi hội mới thành lập".into()),
                        ],
                        "/api/v1/rounds/{round}/units/{code}/values" => {
                            vec![("values", r#"{"clubs": "2"}"#.into())]
                        }
                        "/api/v1/rounds" => vec![
                            ("form", "BC-HPN".into()),
                            ("period", format!("{}", 2030 + checked)),
                            ("under", "00004".into()),
                            ("to", "branch".into()),
                            ("due", "2099-01-01".into()),
                        ],
                        _ => vec![],
                    };
                    let want = expected(access, path, method, role, place);
                    let (got, body) = call(
                        &app,
                        method,
                        &concrete,
                        &session,
                        if method == "GET" { &[] } else { &form },
                    )
                    .await;
                    assert_eq!(
                        got,
                        want,
                        "{method} {concrete} as {} ({place:?}): {body}",
                        role.as_str()
                    );
                    if got == StatusCode::NOT_FOUND {
                        assert!(
                            !body.contains("Nguyễn Thị Mai") && !body.contains("Phường Ngọc Hà"),
                            "a 404 shows nothing"
                        );
                    }
                    checked += 1;
                }
            }
        }
    }
    assert!(checked >= 4 * 60, "{checked} checks");
}
