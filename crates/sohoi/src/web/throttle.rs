//! Slowing down repeated failed sign-ins, per typed username and per client address, with
//! delays that grow with each failure and end on their own. Nothing is ever locked: the real
//! owner of an account under attack waits at most a minute between tries, and a username that
//! does not exist is treated exactly like one that does, so the answers reveal nothing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Failures allowed before any delay.
pub const FREE_FAILURES: u32 = 5;
/// The longest delay between two tries.
pub const LONGEST_WAIT: Duration = Duration::from_secs(60);
/// A key whose last failure is older than this starts afresh.
const FORGET_AFTER: Duration = Duration::from_secs(15 * 60);
const KEYS: usize = 100_000;

#[derive(Clone, Default)]
pub struct Throttle(Arc<Mutex<HashMap<String, (u32, Instant)>>>);

impl Throttle {
    /// The keys of an attempt: the username as typed (bounded) and the client's address.
    pub fn keys(username: &str, address: &str) -> [String; 2] {
        let name: String = username.trim().to_lowercase().chars().take(100).collect();
        [format!("user:{name}"), format!("addr:{address}")]
    }

    /// How long the attempt must still wait, if any of its keys is being slowed down.
    pub fn wait(&self, keys: &[String], now: Instant) -> Option<Duration> {
        let map = self.0.lock().ok()?;
        keys.iter()
            .filter_map(|k| map.get(k))
            .filter_map(|(failures, last)| {
                let delay = delay(*failures)?;
                (*last + delay)
                    .checked_duration_since(now)
                    .filter(|d| !d.is_zero())
            })
            .max()
    }

    pub fn failed(&self, keys: &[String], now: Instant) {
        let Ok(mut map) = self.0.lock() else { return };
        if map.len() >= KEYS {
            map.retain(|_, (_, last)| now.duration_since(*last) < FORGET_AFTER);
        }
        for key in keys {
            let entry = map.entry(key.clone()).or_insert((0, now));
            if now.duration_since(entry.1) >= FORGET_AFTER {
                entry.0 = 0;
            }
            *entry = (entry.0 + 1, now);
        }
    }

    /// A successful sign-in clears its username's failures (not its address's: one good
    /// password does not excuse a thousand guesses at other accounts).
    pub fn succeeded(&self, username_key: &str) {
        if let Ok(mut map) = self.0.lock() {
            map.remove(username_key);
        }
    }
}

/// The wait after `failures` failures: none for the first few, then 1 s, 2 s, 4 s… up to a
/// minute.
fn delay(failures: u32) -> Option<Duration> {
    let over = failures.checked_sub(FREE_FAILURES)?;
    Some(Duration::from_secs(1u64 << over.min(6)).min(LONGEST_WAIT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_then_end_and_unknown_names_are_treated_alike() {
        let throttle = Throttle::default();
        let t0 = Instant::now();
        let keys = Throttle::keys("quantri", "203.0.113.9");
        for _ in 0..FREE_FAILURES {
            assert_eq!(throttle.wait(&keys, t0), None);
            throttle.failed(&keys, t0);
        }
        assert_eq!(throttle.wait(&keys, t0), Some(Duration::from_secs(1)));
        throttle.failed(&keys, t0);
        assert_eq!(throttle.wait(&keys, t0), Some(Duration::from_secs(2)));
        // It ends on its own: nothing is locked.
        assert_eq!(throttle.wait(&keys, t0 + Duration::from_secs(3)), None);
        for _ in 0..20 {
            throttle.failed(&keys, t0);
        }
        assert_eq!(throttle.wait(&keys, t0), Some(LONGEST_WAIT));
        // The same address guessing another name is slowed as well; another address is not.
        assert!(
            throttle
                .wait(&Throttle::keys("ai-do", "203.0.113.9"), t0)
                .is_some()
        );
        assert_eq!(
            throttle.wait(&Throttle::keys("ai-do", "198.51.100.4"), t0),
            None
        );
    }
}
