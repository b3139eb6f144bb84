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
    /// The session's cookie token (to end the other sessions and keep this one).
    pub token: String,
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

/// The client's address, for the audit log. `X-Forwarded-For`, which any client can write, is
/// believed only when the connection comes from a proxy named in `SOHOI_TRUSTED_PROXIES`
/// (addresses separated by commas); then the address is the nearest one the proxies did not
/// add themselves.
pub struct ClientAddr(pub String);

/// The proxies whose `X-Forwarded-For` is believed, read once.
fn trusted_proxies() -> &'static Vec<std::net::IpAddr> {
    static TRUSTED: std::sync::OnceLock<Vec<std::net::IpAddr>> = std::sync::OnceLock::new();
    TRUSTED.get_or_init(|| {
        std::env::var("SOHOI_TRUSTED_PROXIES")
            .unwrap_or_default()
            .split(',')
            .filter_map(|a| a.trim().parse().ok())
            .collect()
    })
}

/// The client's address given the connection's peer, the `X-Forwarded-For` header and the
/// trusted proxies.
pub fn client_address(
    peer: Option<std::net::IpAddr>,
    forwarded: Option<&str>,
    trusted: &[std::net::IpAddr],
) -> String {
    let Some(peer) = peer else {
        return "unknown".into();
    };
    if !trusted.contains(&peer) {
        return peer.to_string();
    }
    // From the right, skip the proxies' own hops; the first other address is the client's.
    let hops = forwarded
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|h| !h.is_empty());
    hops.rev()
        .find(|h| {
            h.parse::<std::net::IpAddr>()
                .map_or(true, |ip| !trusted.contains(&ip))
        })
        .map(|h| h.chars().take(64).collect())
        .unwrap_or_else(|| peer.to_string())
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(ClientAddr(client_address(
            peer,
            forwarded,
            trusted_proxies(),
        )))
    }
}

/// Sessions recently looked up, so that a burst of pages does not read the session and the
/// grants again for each: an entry lives a few seconds. Signing out (or a password change)
/// drops the session's entry and leaves a tombstone, so that a request in flight, which read
/// the session before, cannot put it back: sign-out wins.
#[derive(Clone, Default)]
pub struct SessionCache(std::sync::Arc<std::sync::Mutex<CacheState>>);

#[derive(Default)]
pub struct CacheState {
    entries: std::collections::HashMap<String, Cached>,
    /// Tokens signed out, and users whose sessions were all ended, with when.
    dropped_tokens: std::collections::HashMap<String, std::time::Instant>,
    dropped_users: std::collections::HashMap<i64, std::time::Instant>,
}

/// When it was read, the user, her access, the session's CSRF token.
type Cached = (std::time::Instant, User, Access, String);

const CACHED_FOR: std::time::Duration = std::time::Duration::from_secs(10);
const CACHE_SIZE: usize = 10_000;

impl SessionCache {
    fn get(&self, token: &str) -> Option<(User, Access, String)> {
        let cache = self.0.lock().ok()?;
        let (at, user, access, csrf) = cache.entries.get(token)?;
        (at.elapsed() < CACHED_FOR).then(|| (user.clone(), access.clone(), csrf.clone()))
    }

    /// Keeps what was read at `read_at`, unless the session or its user was dropped since.
    fn put(
        &self,
        token: String,
        user: &User,
        access: &Access,
        csrf: &str,
        read_at: std::time::Instant,
    ) {
        let Ok(mut cache) = self.0.lock() else { return };
        let dropped = cache
            .dropped_tokens
            .get(&token)
            .is_some_and(|d| *d >= read_at)
            || cache
                .dropped_users
                .get(&user.id)
                .is_some_and(|d| *d >= read_at);
        if dropped {
            return;
        }
        if cache.entries.len() >= CACHE_SIZE {
            cache
                .entries
                .retain(|_, (at, ..)| at.elapsed() < CACHED_FOR);
            cache
                .dropped_tokens
                .retain(|_, at| at.elapsed() < CACHED_FOR);
            cache
                .dropped_users
                .retain(|_, at| at.elapsed() < CACHED_FOR);
        }
        if cache.entries.len() < CACHE_SIZE {
            cache.entries.insert(
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

    /// Drops a signed-out session.
    pub fn forget(&self, token: &str) {
        if let Ok(mut cache) = self.0.lock() {
            cache.entries.remove(token);
            cache
                .dropped_tokens
                .insert(token.to_string(), std::time::Instant::now());
        }
    }

    /// Drops every cached session of a user (her password changed, or she signed out
    /// everywhere).
    pub fn forget_user(&self, user: i64) {
        if let Ok(mut cache) = self.0.lock() {
            cache.entries.retain(|_, (_, u, ..)| u.id != user);
            cache.dropped_users.insert(user, std::time::Instant::now());
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
                token,
                access,
                csrf,
                lang,
            });
        }
        let read_at = std::time::Instant::now();
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
        state
            .sessions
            .put(token.clone(), &user, &access, &csrf, read_at);
        Ok(Signed {
            user,
            token,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> User {
        User {
            id: 7,
            username: "badinh".into(),
            display_name: "Cán bộ".into(),
        }
    }

    #[test]
    fn a_session_signed_out_stays_out_of_the_cache() {
        let cache = SessionCache::default();
        let access = Access::system("test");
        // A request read the session, then the user signed out before it could cache it.
        let read_at = std::time::Instant::now();
        cache.forget("token");
        cache.put("token".into(), &user(), &access, "csrf", read_at);
        assert!(
            cache.get("token").is_none(),
            "sign-out wins over a request in flight"
        );
        // The same for every session of a user whose password changed.
        let read_at = std::time::Instant::now();
        cache.forget_user(7);
        cache.put("other".into(), &user(), &access, "csrf", read_at);
        assert!(cache.get("other").is_none());
        // Read after the sign-out, a session is cached as usual.
        cache.put(
            "later".into(),
            &user(),
            &access,
            "csrf",
            std::time::Instant::now(),
        );
        assert!(cache.get("later").is_some());
    }

    #[test]
    fn a_forwarded_address_is_believed_only_from_a_trusted_proxy() {
        let proxy: std::net::IpAddr = "10.0.0.2".parse().expect("ip");
        let client: std::net::IpAddr = "203.0.113.9".parse().expect("ip");
        // Anyone may write the header: from an untrusted peer, the peer is the address.
        assert_eq!(
            client_address(Some(client), Some("198.51.100.1"), &[proxy]),
            "203.0.113.9"
        );
        // Through the proxy, the nearest address it did not add itself.
        assert_eq!(
            client_address(Some(proxy), Some("198.51.100.1, 203.0.113.9"), &[proxy]),
            "203.0.113.9"
        );
        assert_eq!(client_address(Some(proxy), None, &[proxy]), "10.0.0.2");
        assert_eq!(client_address(None, Some("198.51.100.1"), &[]), "unknown");
    }
}
