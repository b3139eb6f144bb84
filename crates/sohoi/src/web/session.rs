//! Who is asking: the session cookie, the language, the client's address.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};

use super::AppState;
use crate::auth::Access;
use crate::auth::users::User;
use crate::i18n::Lang;

pub const SESSION_COOKIE: &str = "sohoi_session";
pub const CSRF_COOKIE: &str = "sohoi_csrf";
pub const LANG_COOKIE: &str = "sohoi_lang";

/// A signed-in user with her access, the session's CSRF token and her language.
pub struct Signed {
    pub user: User,
    pub access: Access,
    pub csrf: String,
    pub lang: Lang,
}

/// The language: `?lang=` first, then the cookie, then the server's default.
pub fn language(parts: &Parts, default: Lang) -> Lang {
    let query = parts.uri.query().unwrap_or("");
    let from_query = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("lang="))
        .and_then(Lang::parse);
    let jar = CookieJar::from_headers(&parts.headers);
    from_query
        .or_else(|| jar.get(LANG_COOKIE).and_then(|c| Lang::parse(c.value())))
        .unwrap_or(default)
}

/// Whether the request came over TLS (directly or through a proxy that says so).
pub fn secure(parts: &Parts) -> bool {
    parts
        .headers
        .get("x-forwarded-proto")
        .is_some_and(|v| v == "https")
        || parts.uri.scheme_str() == Some("https")
}

/// A cookie that scripts cannot read and other sites do not send along with their forms.
pub fn cookie(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    let mut c = Cookie::new(name, value);
    c.set_http_only(true);
    c.set_same_site(SameSite::Lax);
    c.set_path("/");
    c.set_secure(secure);
    c
}

/// The client's address, for the audit log.
pub struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim);
        let direct = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string());
        Ok(ClientAddr(
            forwarded
                .map(String::from)
                .or(direct)
                .unwrap_or_else(|| "unknown".into()),
        ))
    }
}

/// Sessions recently looked up, so that a burst of pages does not read the session and the
/// roles again for each: an entry lives a few seconds, and signing out drops it at once.
/// (Roles changed by another process take effect within that time.)
#[derive(Clone, Default)]
pub struct SessionCache(
    std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, Cached>>>,
);

/// When it was read, the user, her access, the session's CSRF token.
type Cached = (std::time::Instant, User, Access, String);

const CACHED_FOR: std::time::Duration = std::time::Duration::from_secs(10);
const CACHE_SIZE: usize = 10_000;

impl SessionCache {
    fn get(&self, token: &str) -> Option<(User, Access, String)> {
        let cache = self.0.lock().ok()?;
        let (at, user, access, csrf) = cache.get(token)?;
        (at.elapsed() < CACHED_FOR).then(|| (user.clone(), access.clone(), csrf.clone()))
    }

    fn put(&self, token: String, user: &User, access: &Access, csrf: &str) {
        if let Ok(mut cache) = self.0.lock() {
            if cache.len() >= CACHE_SIZE {
                cache.retain(|_, (at, ..)| at.elapsed() < CACHED_FOR);
            }
            if cache.len() < CACHE_SIZE {
                cache.insert(
                    token,
                    (
                        std::time::Instant::now(),
                        user.clone(),
                        access.clone(),
                        csrf.to_string(),
                    ),
                );
            }
        }
    }

    pub fn forget(&self, token: &str) {
        if let Ok(mut cache) = self.0.lock() {
            cache.remove(token);
        }
    }
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let lang = language(parts, state.lang);
        let jar = CookieJar::from_headers(&parts.headers);
        let to_signin = || Redirect::to("/signin").into_response();
        let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_string()) else {
            return Err(to_signin());
        };
        if let Some((user, access, csrf)) = state.sessions.get(&token) {
            return Ok(Signed {
                user,
                access,
                csrf,
                lang,
            });
        }
        let mut tx = state
            .store
            .read()
            .await
            .map_err(|_| super::pages::unavailable())?;
        let Some((user, csrf)) = crate::auth::sessions::find(&mut tx, &token)
            .await
            .map_err(|_| super::pages::unavailable())?
        else {
            return Err(to_signin());
        };
        let access = crate::auth::users::access_for(&mut tx, &user)
            .await
            .map_err(|_| super::pages::unavailable())?;
        state.sessions.put(token, &user, &access, &csrf);
        Ok(Signed {
            user,
            access,
            csrf,
            lang,
        })
    }
}

/// A form posted by a signed-in user whose CSRF token matches her session's: handlers that
/// change anything take their form through it, so that none can forget the check. A
/// mismatch answers the "form expired" page (403).
pub struct Posted<T> {
    pub signed: Signed,
    pub form: T,
}

/// A form that carries the session's CSRF token.
pub trait WithCsrf {
    fn csrf(&self) -> &str;
}

/// Implements [`WithCsrf`] for forms with a `csrf` field.
macro_rules! with_csrf {
    ($($form:ty),* $(,)?) => {
        $(impl $crate::web::session::WithCsrf for $form {
            fn csrf(&self) -> &str {
                &self.csrf
            }
        })*
    };
}
pub(crate) use with_csrf;

impl<T> axum::extract::FromRequest<AppState> for Posted<T>
where
    T: serde::de::DeserializeOwned + WithCsrf + Send,
{
    type Rejection = Response;

    async fn from_request(
        request: axum::extract::Request,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let signed = Signed::from_request_parts(&mut parts, state).await?;
        let request = axum::extract::Request::from_parts(parts, body);
        let axum::Form(form) = axum::Form::<T>::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        if !crate::auth::sessions::same_token(&signed.csrf, form.csrf()) {
            return Err(super::pages::message_page(
                axum::http::StatusCode::FORBIDDEN,
                signed.lang,
                "web-csrf",
            ));
        }
        Ok(Posted { signed, form })
    }
}

/// A `?lang=` in any address switches the language and keeps it for the next pages (the
/// link in every page's header), until another `?lang=` changes it.
pub async fn remember_language(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let query = request.uri().query().unwrap_or("");
    let chosen = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("lang="))
        .and_then(Lang::parse);
    let tls = request
        .headers()
        .get("x-forwarded-proto")
        .is_some_and(|v| v == "https");
    let mut response = next.run(request).await;
    if let Some(lang) = chosen
        && let Ok(value) = cookie(LANG_COOKIE, lang.code().into(), tls)
            .to_string()
            .parse()
    {
        response
            .headers_mut()
            .append(axum::http::header::SET_COOKIE, value);
    }
    response
}
