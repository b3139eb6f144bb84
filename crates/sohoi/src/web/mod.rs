//! The web application: sign-in, sessions, and the pages officers work in. Every page that
//! shows Union data takes the signed-in user's scope (`Signed`) and passes it to services.

mod members;
mod pages;
mod session;

use std::net::SocketAddr;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::routing::{get, post};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::i18n::Lang;
use crate::store::Store;

pub use session::Signed;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub lang: Lang,
}

/// The application, separate from running it, so that tests can serve it on port 0.
pub fn app(store: Store, lang: Lang) -> Router {
    let state = AppState { store, lang };
    let headers = [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'; form-action 'self'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
    ];
    let mut router = Router::new()
        .route("/health", get(pages::health))
        .route("/static/app.css", get(pages::stylesheet))
        .route("/signin", get(pages::signin_form).post(pages::signin))
        .route("/signout", post(pages::signout))
        .route("/password", get(pages::password_form).post(pages::change_password))
        .route("/", get(pages::home))
        .route("/units/{code}", get(pages::unit_page))
        .route("/units/{code}/members", get(members::list))
        .route("/units/{code}/members/new", get(members::new_form).post(members::add))
        .route("/units/{code}/report", get(members::report))
        .route("/members/{id}", get(members::show))
        .route("/members/{id}/transfer", post(members::transfer))
        .route("/members/{id}/leave", post(members::leave))
        .with_state(state);
    for (name, value) in headers {
        router = router.layer(SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value)));
    }
    router
}

/// Serves until Ctrl-C or SIGTERM, then finishes the requests under way.
pub async fn serve(store: Store, addr: &str, lang: Lang) -> anyhow::Result<()> {
    let t = crate::i18n::translator(lang);
    let addr: SocketAddr =
        addr.parse().map_err(|_| anyhow::anyhow!(t.msg_with("cli-bad-addr", &crate::i18n::Args::new().with("value", addr))))?;
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| anyhow::anyhow!("{addr}: {e}"))?;
    let local = listener.local_addr()?;
    crate::say!("{}", t.msg_with("cli-serving", &crate::i18n::Args::new().with("url", format!("http://{local}/"))));
    let app = app(store.clone(), lang).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await?;
    store.close().await;
    Ok(())
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
