//! Passwords: argon2id hashes in PHC strings; the plain password never leaves this module.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// A password as typed, wrapped so that it is never printed or logged.
pub struct Password(String);

impl Password {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    /// At least 8 characters.
    pub fn is_acceptable(&self) -> bool {
        self.0.chars().count() >= 8
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

pub fn hash(password: &Password) -> String {
    Argon2::default()
        .hash_password(password.0.as_bytes())
        .map(|h| h.to_string())
        .unwrap_or_default()
}

pub fn verify(password: &Password, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.0.as_bytes(), &parsed)
            .is_ok()
    })
}

/// At most this many password hashes are computed at once (the machine's cores): argon2 is
/// meant to be slow, and anonymous sign-in attempts must not take the threads that serve
/// signed-in pages.
fn hashing() -> &'static tokio::sync::Semaphore {
    static HASHING: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    HASHING.get_or_init(|| {
        tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    })
}

/// [`verify`] on a blocking thread, a few at a time.
pub async fn verify_off_thread(password: Password, phc: String) -> bool {
    let Ok(_permit) = hashing().acquire().await else {
        return false;
    };
    tokio::task::spawn_blocking(move || verify(&password, &phc))
        .await
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_only_its_password() {
        let h = hash(&Password::new("mật khẩu dài"));
        assert!(h.starts_with("$argon2id$"));
        assert!(verify(&Password::new("mật khẩu dài"), &h));
        assert!(!verify(&Password::new("mat khau dai"), &h));
        assert_eq!(format!("{:?}", Password::new("secret")), "Password(***)");
    }
}
