//! The web server. This first version answers a health check and shows the tree as plain
//! pages; the web issue builds sign-in and the officers' pages on it.

mod tree;

use std::net::SocketAddr;

use axum::Router;
use axum::routing::get;

use crate::i18n::Lang;
use crate::store::Store;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub lang: Lang,
}

/// The application, separate from running it, so that tests can serve it on port 0.
pub fn app(store: Store, lang: Lang) -> Router {
    let state = AppState { store, lang };
    Router::new()
        .route("/health", get(tree::health))
        .route("/", get(tree::home))
        .route("/units/{code}", get(tree::unit_page))
        .with_state(state)
        .layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
            axum::http::header::CONTENT_SECURITY_POLICY,
            axum::http::HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'"),
        ))
        .layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
            axum::http::header::X_CONTENT_TYPE_OPTIONS,
            axum::http::HeaderValue::from_static("nosniff"),
        ))
}

/// Serves until Ctrl-C or SIGTERM, then finishes the requests under way.
pub async fn serve(store: Store, addr: &str, lang: Lang) -> anyhow::Result<()> {
    let addr: SocketAddr = addr.parse().map_err(|_| {
        anyhow::anyhow!(crate::i18n::translator(lang).msg_with("cli-bad-addr", &crate::i18n::Args::new().with("value", addr)))
    })?;
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| anyhow::anyhow!("{addr}: {e}"))?;
    let local = listener.local_addr()?;
    crate::say!(
        "{}",
        crate::i18n::translator(lang).msg_with("cli-serving", &crate::i18n::Args::new().with("url", format!("http://{local}/")))
    );
    axum::serve(listener, app(store.clone(), lang)).with_graceful_shutdown(shutdown_signal()).await?;
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
