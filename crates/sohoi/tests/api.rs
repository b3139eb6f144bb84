//! The JSON API as a program meets it: a user's token, the same scope as her pages, errors
//! with a code and a Vietnamese message, and an OpenAPI document that covers every route.

mod helpers;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use helpers::{TestDb, input, raw};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use sohoi::auth::Access;
use sohoi::auth::Role;
use sohoi::auth::password::Password;
use sohoi::auth::users::{self, NewAccount};
use tower::ServiceExt;

struct Api {
    app: axum::Router,
    token: String,
}

impl Api {
    async fn send(&self, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut request = Request::builder().method(method).uri(path);
        if !self.token.is_empty() {
            request = request.header(header::AUTHORIZATION, format!("Bearer {}", self.token));
        }
        let request = match body {
            Some(b) => request
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(b.to_string())),
            None => request.body(Body::empty()),
        }
        .expect("request");
        let response = self.app.clone().oneshot(request).await.expect("response");
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }
}

/// An account at `unit` with a token; returns the API client.
async fn client(db: &TestDb, username: &str, unit: &str, role: Role, sensitive: bool) -> Api {
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
    let user = users::by_username(&mut ctx.tx, username)
        .await
        .expect("user");
    let (_, token) = sohoi::auth::tokens::create(&mut ctx.tx, &user, "chương trình báo cáo")
        .await
        .expect("token");
    ctx.finish().await.expect("commit");
    Api {
        app: sohoi::web::app(db.store.clone(), sohoi::i18n::Lang::Vi),
        token,
    }
}

async fn member_at(db: &TestDb, unit: &str, name: &str) -> i64 {
    let mut ctx = db.ctx().await;
    let added = sohoi::members::service::add(
        ctx.acting(&Access::system("test")),
        unit,
        input(&raw(name, "1980")),
    )
    .await
    .expect("member");
    ctx.finish().await.expect("commit");
    added.id
}

#[tokio::test]
async fn the_openapi_document_describes_every_api_route() {
    let db = TestDb::new().await;
    let api = Api {
        app: sohoi::web::app(db.store.clone(), sohoi::i18n::Lang::Vi),
        token: String::new(),
    };
    let (status, doc) = api.send("GET", "/api/v1/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")),
        "{doc}"
    );
    for (path, _, methods, _) in sohoi::web::routes() {
        if !path.starts_with("/api/") || path.ends_with("openapi.json") {
            continue;
        }
        for method in methods.iter() {
            let operation = &doc["paths"][path][method.to_lowercase()];
            assert!(
                operation.is_object(),
                "{method} {path} is in the OpenAPI document"
            );
            // Lists of one's own (the caller, the forms, her rounds) name no object to miss.
            let names_an_object = !path.ends_with("/me")
                && path != "/api/v1/forms"
                && !(path == "/api/v1/rounds" && *method == "GET");
            if names_an_object {
                assert!(
                    operation["responses"]["404"].is_object(),
                    "{method} {path} documents 404"
                );
            }
        }
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["token"]["scheme"],
        "bearer"
    );
}

#[tokio::test]
async fn without_a_live_token_nothing_is_answered() {
    let db = TestDb::new().await;
    let member = member_at(&db, "00004", "Nguyễn Thị Mai").await;
    let mut api = client(&db, "coso", "00004", Role::Officer, false).await;
    let (status, _) = api
        .send("GET", &format!("/api/v1/members/{member}"), None)
        .await;
    assert_eq!(status, StatusCode::OK);

    let token = std::mem::take(&mut api.token);
    let (status, body) = api
        .send("GET", &format!("/api/v1/members/{member}"), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "unauthorized");
    assert!(
        body["message"].as_str().unwrap_or("").contains("khóa API"),
        "{body}"
    );

    api.token = "sohoi_0000".into();
    assert_eq!(
        api.send("GET", "/api/v1/me", None).await.0,
        StatusCode::UNAUTHORIZED
    );

    // A revoked token stops working at once.
    let mut ctx = db.ctx().await;
    let user = users::by_username(&mut ctx.tx, "coso").await.expect("user");
    let listed = sohoi::auth::tokens::list(&mut ctx.tx, &user)
        .await
        .expect("tokens");
    sohoi::auth::tokens::revoke(&mut ctx.tx, &user, listed[0].id)
        .await
        .expect("revoke");
    ctx.finish().await.expect("commit");
    api.token = token;
    assert_eq!(
        api.send("GET", "/api/v1/me", None).await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn an_officer_program_adds_corrects_transfers_and_ends_a_membership() {
    let db = TestDb::new().await;
    let api = client(&db, "coso", "00004", Role::Officer, false).await;
    let (status, me) = api.send("GET", "/api/v1/me", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["grants"][0]["unit_code"], "00004");
    assert_eq!(me["grants"][0]["role"], "officer");
    assert_eq!(me["grants"][0]["tiers"], json!([]));

    // Every wrong field at once, in Vietnamese.
    let bad = json!({"member": {"full_name": "Lan 2", "birth_date": "31/02/1980", "phone": "12"}});
    let (status, body) = api
        .send("POST", "/api/v1/units/00004/members", Some(bad))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<&str> = body["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    assert_eq!(fields, ["full_name", "birth_date", "phone"]);
    assert!(
        body["fields"][2]["message"]
            .as_str()
            .unwrap_or("")
            .contains("10 chữ số"),
        "{body}"
    );

    let hoa = json!({"member": {"full_name": "Trần Thị Hoa", "birth_date": "12/05/1975", "joined_on": "01/03/2024", "national_id": "001175012345"}});
    let (status, body) = api
        .send("POST", "/api/v1/units/00004/members", Some(hoa.clone()))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["id"].as_i64().expect("id");

    // The same name and birth year again: nothing saved until confirmed.
    let twin = json!({"member": {"full_name": "Trần Thị Hoa", "birth_date": "1975"}});
    let (status, body) = api
        .send("POST", "/api/v1/units/00004/members", Some(twin.clone()))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["similar"][0]["id"], id);
    let (status, _) = api
        .send(
            "POST",
            "/api/v1/units/00004/members",
            Some(json!({"member": twin["member"], "confirm": true})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    // She is listed, found without diacritics, and her national ID is hidden from this officer.
    let (_, page) = api.send("GET", "/api/v1/units/00004/members", None).await;
    assert_eq!(page["total"], 2);
    let (_, found) = api
        .send(
            "GET",
            "/api/v1/units/00004/members?q=tran%20thi%20hoa",
            None,
        )
        .await;
    assert_eq!(found["members"].as_array().map(Vec::len), Some(2));
    let (_, view) = api
        .send("GET", &format!("/api/v1/members/{id}"), None)
        .await;
    assert_eq!(view["member"]["full_name"], "Trần Thị Hoa");
    assert_eq!(view["member"]["national_id"], Value::Null);
    assert_eq!(view["history"][0]["kind"], "joined");

    // A correction; the same version again is stale.
    let fix = json!({"version": 1, "member": {"full_name": "Trần Thị Hòa", "birth_date": "12/05/1975", "phone": "912345678"}});
    let (status, body) = api
        .send("PUT", &format!("/api/v1/members/{id}"), Some(fix.clone()))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["full_name"], "Trần Thị Hòa");
    assert_eq!(body["phone"], "0912345678");
    assert_eq!(body["joined_on"], "2024-03-01", "the join date stays");
    let (status, body) = api
        .send("PUT", &format!("/api/v1/members/{id}"), Some(fix))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"], "conflict");

    // A transfer within her commune: done, and she is still in view.
    let mut ctx = db.ctx().await;
    helpers::branches(&mut ctx.tx, "00004", &["Chi hội Tổ dân phố số 1"]).await;
    ctx.finish().await.expect("commit");
    let (status, body) = api
        .send(
            "POST",
            &format!("/api/v1/members/{id}/transfer"),
            Some(json!({"version": 2, "to": "00004-01", "date": "2025-06-01"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["unit_code"], "00004-01");

    let (status, body) = api
        .send(
            "POST",
            &format!("/api/v1/members/{id}/leave"),
            Some(json!({"version": 3, "date": "2025-07-01", "died": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "died");

    // The report of the year sees all of it and balances.
    let (status, report) = api
        .send("GET", "/api/v1/units/00004/report?period=2025", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let total = &report["total"];
    assert_eq!(total["died"], 1);
    let sum = |k: &str| total[k].as_i64().unwrap_or(0);
    assert_eq!(
        sum("opening") + sum("new") + sum("transferred_in")
            - sum("transferred_out")
            - sum("left")
            - sum("died"),
        sum("closing")
    );
    let (status, body) = api
        .send("GET", "/api/v1/units/00004/report?period=2025-13", None)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["message"]
            .as_str()
            .unwrap_or("")
            .starts_with("Kỳ báo cáo"),
        "{body}"
    );

    // A transfer to a ward outside her reach is made too (the pages follow the same rule):
    // the answer is the record as the transfer left it, and the member then leaves her view.
    let twin_id = page["members"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["id"] != id))
        .and_then(|m| m["id"].as_i64())
        .expect("twin");
    let (status, body) = api
        .send(
            "POST",
            &format!("/api/v1/members/{twin_id}/transfer"),
            Some(json!({"version": 1, "to": "00008", "date": sohoi::clock::today().to_string()})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["unit_code"], "00008");
    assert_eq!(
        api.send("GET", &format!("/api/v1/members/{twin_id}"), None)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let mut ctx = db.ctx().await;
    let moved = sohoi::members::service::current(&mut ctx, twin_id)
        .await
        .expect("she is in Ngọc Hà");
    assert_eq!(moved.unit_code, "00008");
    drop(ctx);

    // A broken body is a 400 in the same shape, never a 5xx.
    let (status, body) = api
        .send(
            "POST",
            &format!("/api/v1/members/{id}/leave"),
            Some(json!({"date": 5})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "bad_request");
}

#[tokio::test]
async fn a_program_sees_what_its_user_sees_and_no_more() {
    let db = TestDb::new().await;
    let here = member_at(&db, "00004", "Lê Thị Thu").await;
    let elsewhere = member_at(&db, "00008", "Phạm Thị Xuân").await;
    let viewer = client(&db, "xem", "00004", Role::Viewer, false).await;
    let chair = client(&db, "tinh", "01", Role::Chair, true).await;

    let (status, body) = viewer
        .send("GET", &format!("/api/v1/members/{elsewhere}"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!body.to_string().contains("Xuân"));
    assert_eq!(
        viewer.send("GET", "/api/v1/units/00008", None).await.0,
        StatusCode::NOT_FOUND
    );
    let (status, _) = viewer
        .send(
            "POST",
            &format!("/api/v1/members/{here}/leave"),
            Some(json!({"version": 1, "date": "2025-01-01"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The province chair with the grant sees sensitive breakdowns and fields; her read is audited.
    let (status, summary) = chair.send("GET", "/api/v1/units/01", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(summary["members"], 2);
    assert!(summary["breakdowns"]["ethnicity"].is_object(), "{summary}");
    let (_, viewer_summary) = viewer.send("GET", "/api/v1/units/00004", None).await;
    assert!(
        viewer_summary["breakdowns"]["ethnicity"].is_null(),
        "{viewer_summary}"
    );
    let (_, view) = chair
        .send("GET", &format!("/api/v1/members/{elsewhere}"), None)
        .await;
    assert_eq!(view["member"]["ethnicity"], "01", "Kinh");
    let mut ctx = db.ctx().await;
    let log = sohoi::auth::audit::list(ctx.acting(&Access::system("test")), None, 50)
        .await
        .expect("log");
    assert!(
        log.iter()
            .any(|e| e.action == "member.view_sensitive" && e.actor == "user:tinh")
    );
    let (status, children) = chair.send("GET", "/api/v1/units/01/children", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(children.as_array().map(Vec::len), Some(126));
}
