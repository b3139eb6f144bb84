use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::AppState;
use crate::auth::Scope;
use crate::error::Error;
use crate::i18n::translator;
use crate::org::tree;

pub async fn health(State(state): State<AppState>) -> Response {
    let ok = match state.store.read().await {
        Ok(mut tx) => crate::org::store::max_id(&mut tx).await.is_ok(),
        Err(_) => false,
    };
    let engine = match state.store.engine() {
        crate::store::Engine::Sqlite => "sqlite",
        crate::store::Engine::Postgres => "postgres",
    };
    let status = if ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(serde_json::json!({ "status": if ok { "ok" } else { "unavailable" }, "engine": engine }))).into_response()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

pub async fn home(state: State<AppState>) -> Response {
    let root = {
        let Ok(mut tx) = state.store.read().await else { return StatusCode::SERVICE_UNAVAILABLE.into_response() };
        tree::list(&mut tx, &Scope::system("web:public-tree"), None, 0, crate::clock::today()).await
    };
    match root {
        Ok(roots) => match roots.first() {
            Some(root) => unit_page(state, Path(root.code.clone())).await,
            None => Html(format!(
                "<!doctype html><html lang=\"vi\"><meta charset=\"utf-8\"><p>{}</p></html>",
                escape(&translator(state.lang).msg("web-empty"))
            ))
            .into_response(),
        },
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// A unit and its children: the plain tree page (units only, no member data).
pub async fn unit_page(State(state): State<AppState>, Path(code): Path<String>) -> Response {
    let t = translator(state.lang);
    let today = crate::clock::today();
    let scope = Scope::system("web:public-tree");
    let Ok(mut tx) = state.store.read().await else { return StatusCode::SERVICE_UNAVAILABLE.into_response() };
    let unit = match tree::find(&mut tx, &scope, &code, today).await {
        Ok(u) => u,
        Err(Error::NotFound { .. }) => {
            return (
                StatusCode::NOT_FOUND,
                Html(format!("<!doctype html><meta charset=\"utf-8\"><p>{}</p>", escape(&t.msg("web-not-found")))),
            )
                .into_response();
        }
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let (Ok(path), Ok(children)) = (tree::path(&mut tx, &unit, today).await, tree::children(&mut tx, &scope, &unit, today).await) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let crumbs: Vec<String> = path.iter().map(|u| format!("<a href=\"/units/{}\">{}</a>", escape(&u.code), escape(&u.name))).collect();
    let items: Vec<String> = children
        .iter()
        .map(|c| {
            format!(
                "<li><a href=\"/units/{}\">{}</a> <small>{} · {}</small></li>",
                escape(&c.code),
                escape(&c.name),
                escape(&c.code),
                escape(&t.msg(&format!("kind-{}", c.kind.as_str())))
            )
        })
        .collect();
    Html(format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} — Sổ Hội</title></head><body><nav>{crumbs}</nav><h1>{title}</h1><p>{count}</p><ul>{items}</ul></body></html>",
        lang = state.lang.code(),
        title = escape(&unit.name),
        crumbs = crumbs.join(" › "),
        count = escape(&t.msg_with("web-children", &crate::i18n::Args::new().num("count", children.len() as f64))),
        items = items.join("")
    ))
    .into_response()
}
