//! The web application: sign-in, sessions, and the pages officers work in. Every page that
//! shows Union data takes the signed-in user's scope (`Signed`) and passes it to services.

mod accounts;
pub mod api;
mod exports;
mod imports;
mod members;
mod pages;
mod reports;
mod restructure;
mod rounds;
mod session;
pub mod throttle;
mod tokens;

use std::net::SocketAddr;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::routing::{MethodRouter, get, post};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::i18n::Lang;
use crate::store::Store;

pub use session::Signed;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub lang: Lang,
    pub imports: imports::Jobs,
    pub sessions: session::SessionCache,
    pub throttle: throttle::Throttle,
}

/// The application, separate from running it, so that tests can serve it on port 0.
pub fn app(store: Store, lang: Lang) -> Router {
    let state = AppState {
        store,
        lang,
        imports: imports::Jobs::default(),
        sessions: session::SessionCache::default(),
        throttle: throttle::Throttle::default(),
    };
    let headers = [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'; form-action 'self'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
    ];
    let mut router = Router::new();
    for (path, _, _, route) in routes() {
        router = router.route(path, route);
    }
    let mut router = router
        .fallback(pages::not_found)
        .with_state(state)
        .layer(axum::middleware::from_fn(session::remember_language));
    for (name, value) in headers {
        router = router.layer(SetResponseHeaderLayer::overriding(
            name,
            HeaderValue::from_static(value),
        ));
    }
    // Pages, API answers and downloads carry personal data: no browser or proxy keeps them
    // (the stylesheet says otherwise for itself).
    router.layer(SetResponseHeaderLayer::if_not_present(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    ))
}

/// The largest upload the import page takes (the import's own file limit).
const IMPORT_LIMIT: usize = 200 << 20;

/// Who may reach a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Anyone (health, stylesheet, sign-in).
    Public,
    /// A signed-in user, about herself (home, password, sign-out).
    Own,
    /// A signed-in user, within her scope: the path names a unit or a member.
    Scoped,
}

/// Every route with who may reach it. The router is built from this table, and the
/// authorisation test walks it, so that no route can be added without being tested.
pub type Route = (
    &'static str,
    Audience,
    &'static [&'static str],
    MethodRouter<AppState>,
);

pub fn routes() -> Vec<Route> {
    use Audience::*;
    let pages: Vec<Route> = vec![
        ("/health", Public, &["GET"], get(pages::health)),
        ("/static/app.css", Public, &["GET"], get(pages::stylesheet)),
        (
            "/signin",
            Public,
            &["GET", "POST"],
            get(pages::signin_form).post(pages::signin),
        ),
        ("/signout", Own, &["POST"], post(pages::signout)),
        (
            "/signout-everywhere",
            Own,
            &["POST"],
            post(pages::signout_everywhere),
        ),
        (
            "/password",
            Own,
            &["GET", "POST"],
            get(pages::password_form).post(pages::change_password),
        ),
        ("/", Own, &["GET"], get(pages::home)),
        ("/units", Own, &["GET"], get(pages::find_units)),
        ("/audit", Own, &["GET"], get(pages::audit_log)),
        (
            "/users",
            Own,
            &["GET", "POST"],
            get(accounts::list).post(accounts::create),
        ),
        ("/users/grant", Own, &["POST"], post(accounts::grant)),
        ("/users/revoke", Own, &["POST"], post(accounts::revoke)),
        (
            "/tokens",
            Own,
            &["GET", "POST"],
            get(tokens::list).post(tokens::change),
        ),
        ("/units/{code}", Scoped, &["GET"], get(pages::unit_page)),
        (
            "/units/{code}/chart.svg",
            Scoped,
            &["GET"],
            get(pages::unit_chart),
        ),
        (
            "/units/{code}/members",
            Scoped,
            &["GET"],
            get(members::list),
        ),
        (
            "/units/{code}/members.xlsx",
            Scoped,
            &["GET"],
            get(exports::members),
        ),
        (
            "/units/{code}/members/new",
            Scoped,
            &["GET", "POST"],
            get(members::new_form).post(members::add),
        ),
        (
            "/units/{code}/report",
            Scoped,
            &["GET"],
            get(reports::report),
        ),
        (
            "/units/{code}/import",
            Scoped,
            &["GET", "POST"],
            get(imports::form)
                .post(imports::upload)
                .layer(axum::extract::DefaultBodyLimit::max(IMPORT_LIMIT)),
        ),
        (
            "/units/{code}/restructure",
            Scoped,
            &["GET", "POST"],
            get(restructure::form).post(restructure::act),
        ),
        (
            "/imports/{job}",
            Own,
            &["GET", "POST"],
            get(imports::show).post(imports::act),
        ),
        (
            "/imports/{job}/errors.xlsx",
            Own,
            &["GET"],
            get(imports::errors),
        ),
        (
            "/units/{code}/report.xlsx",
            Scoped,
            &["GET"],
            get(exports::report),
        ),
        (
            "/import-template.xlsx",
            Own,
            &["GET"],
            get(exports::template),
        ),
        ("/inbox", Own, &["GET"], get(rounds::my_inbox)),
        ("/rounds", Own, &["GET"], get(rounds::list)),
        (
            "/units/{code}/inbox",
            Scoped,
            &["GET"],
            get(rounds::unit_inbox),
        ),
        (
            "/rounds/{round}/units/{code}",
            Scoped,
            &["GET", "POST"],
            get(rounds::show).post(rounds::act),
        ),
        (
            "/rounds/{round}/units/{code}/template.xlsx",
            Scoped,
            &["GET"],
            get(rounds::template),
        ),
        (
            "/rounds/{round}/units/{code}/download",
            Scoped,
            &["GET"],
            get(rounds::download),
        ),
        (
            "/rounds/{round}/units/{code}/upload",
            Scoped,
            &["POST"],
            post(rounds::upload).layer(axum::extract::DefaultBodyLimit::max(rounds::UPLOAD_LIMIT)),
        ),
        (
            "/rounds/{round}/units/{code}/review",
            Scoped,
            &["GET"],
            get(rounds::review_page),
        ),
        (
            "/rounds/{round}/units/{code}/status",
            Scoped,
            &["GET"],
            get(rounds::status_page),
        ),
        (
            "/rounds/{round}/units/{code}/overdue.xlsx",
            Scoped,
            &["GET"],
            get(rounds::overdue),
        ),
        ("/members/{id}", Scoped, &["GET"], get(members::show)),
        (
            "/members/{id}/edit",
            Scoped,
            &["GET", "POST"],
            get(members::edit_form).post(members::edit),
        ),
        (
            "/members/{id}/transfer",
            Scoped,
            &["POST"],
            post(members::transfer),
        ),
        (
            "/members/{id}/leave",
            Scoped,
            &["POST"],
            post(members::leave),
        ),
    ];
    pages.into_iter().chain(api::routes()).collect()
}

/// Serves until Ctrl-C or SIGTERM, then finishes the requests under way.
pub async fn serve(store: Store, addr: &str, lang: Lang) -> anyhow::Result<()> {
    let t = crate::i18n::translator(lang);
    let addr: SocketAddr = addr.parse().map_err(|_| {
        anyhow::anyhow!(t.msg_with(
            "serve-bad-address",
            &crate::i18n::Args::new().with("value", addr)
        ))
    })?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("{addr}: {e}"))?;
    let local = listener.local_addr()?;
    warn_if_draft_codes(&store, lang).await;
    crate::say!(
        "{}",
        t.msg_with(
            "serve-listening",
            &crate::i18n::Args::new().with("url", format!("http://{local}/"))
        )
    );
    let app = app(store.clone(), lang).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    store.close().await;
    Ok(())
}

/// Until `sohoi reference correct` has run on a tree built from the draft code list, every
/// start says so: officers would otherwise find wards under codes the government never used.
async fn warn_if_draft_codes(store: &Store, lang: Lang) {
    let Ok(mut tx) = store.read().await else {
        return;
    };
    if let Ok(true) = crate::org::reference::built_from_draft(&mut tx).await {
        let message = crate::i18n::translator(lang).msg("reference-draft-warning");
        tracing::warn!("{message}");
        eprintln!("{message}");
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
