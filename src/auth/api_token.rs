//! API tokens: their format, and the batched record of when each was last used.
//!
//! A token is `warta_`, 40 random base62 characters (about 238 bits), and a 6-character
//! checksum: the CRC-32 (IEEE) of the 46 characters before it, in base62 (`0-9A-Za-z`,
//! most significant digit first, padded with `0`). A secret scanner can thus tell a real token
//! from noise without asking anyone, and a mistyped one is refused without a database lookup.

use chrono::NaiveDateTime;
use rand::Rng;
use std::collections::HashMap;
use std::sync::Mutex;

/// What every API token starts with.
pub const PREFIX: &str = "warta_";
/// Random characters after the prefix.
const RANDOM_LEN: usize = 40;
/// Characters of the checksum at the end.
const CHECKSUM_LEN: usize = 6;
/// The length of every token.
pub const LEN: usize = PREFIX.len() + RANDOM_LEN + CHECKSUM_LEN;
/// How many leading characters identify a token in lists (the prefix and 6 random ones).
pub const SHOWN_LEN: usize = 12;

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A new token, from the operating system's randomness.
pub fn generate() -> String {
    let mut rng = rand::rng();
    let mut token = String::with_capacity(LEN);
    token.push_str(PREFIX);
    for _ in 0..RANDOM_LEN {
        token.push(char::from(BASE62[rng.random_range(0..BASE62.len())]));
    }
    let sum = checksum(&token);
    token.push_str(&sum);
    token
}

/// The checksum of `body` (a token without its last 6 characters).
fn checksum(body: &str) -> String {
    let mut n = crc32fast::hash(body.as_bytes());
    let mut digits = [b'0'; CHECKSUM_LEN];
    for digit in digits.iter_mut().rev() {
        *digit = BASE62[(n % 62) as usize];
        n /= 62;
    }
    // 62^6 > 2^32: every CRC-32 fits in 6 digits.
    String::from_utf8_lossy(&digits).into_owned()
}

/// Whether `token` has the shape of an API token at all (it starts with the prefix): such a
/// bearer is checked as an API token, never as an access token.
pub fn claims_to_be(token: &str) -> bool {
    token.starts_with(PREFIX)
}

/// Whether `token` is well formed: the prefix, base62 characters, the length, and a checksum
/// that matches.
pub fn well_formed(token: &str) -> bool {
    token.len() == LEN
        && token.starts_with(PREFIX)
        && token[PREFIX.len()..].bytes().all(|b| b.is_ascii_alphanumeric())
        && checksum(&token[..LEN - CHECKSUM_LEN]) == token[LEN - CHECKSUM_LEN..]
}

/// The leading characters lists show, to recognise a token by.
pub fn shown_prefix(token: &str) -> &str {
    &token[..SHOWN_LEN.min(token.len())]
}

/// When each token was last used, kept in memory and written in batches: a request made with
/// a token costs no write.
#[derive(Default)]
pub struct Usage {
    seen: Mutex<HashMap<i64, NaiveDateTime>>,
}

impl Usage {
    /// Notes that token `id` was used at `at`.
    pub fn note(&self, id: i64, at: NaiveDateTime) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let last = seen.entry(id).or_insert(at);
        *last = (*last).max(at);
    }

    /// What was noted since the last call, to be written; the record starts empty again.
    pub fn take(&self) -> Vec<(i64, NaiveDateTime)> {
        std::mem::take(&mut *self.seen.lock().unwrap_or_else(|e| e.into_inner())).into_iter().collect()
    }

    /// Puts back what could not be written, unless newer uses were noted meanwhile.
    pub fn restore(&self, unwritten: Vec<(i64, NaiveDateTime)>) {
        for (id, at) in unwritten {
            self.note(id, at);
        }
    }

    /// Writes what was noted; what cannot be written now is kept for the next time.
    pub fn write(&self, conn: &mut crate::db::Conn) -> Result<(), crate::db::DbError> {
        let used = self.take();
        let written = crate::db::api_tokens::record_usage(conn, &used);
        if written.is_err() {
            self.restore(used);
        }
        written
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_have_the_prefix_the_length_and_a_checksum_that_catches_a_typo() {
        let token = generate();
        assert_eq!(token.len(), 52);
        assert!(token.starts_with("warta_"), "{token}");
        assert!(well_formed(&token), "{token}");
        assert_ne!(token, generate());
        assert_eq!(shown_prefix(&token), &token[..12]);
        // Every single-character change of the random part is caught.
        let bytes = token.as_bytes();
        for at in PREFIX.len()..LEN {
            let mut typo = bytes.to_vec();
            typo[at] = if bytes[at] == b'a' { b'b' } else { b'a' };
            assert!(!well_formed(std::str::from_utf8(&typo).unwrap()), "a change at {at} is caught");
        }
        assert!(!well_formed(&token[..51]));
        assert!(!well_formed(&format!("{token}0")));
        assert!(!well_formed(&token.replacen("warta_", "wart4_", 1)));
        assert!(!well_formed(&format!("warta_{}", "é".repeat(23))), "non-ASCII is refused, not sliced");
    }

    #[test]
    fn the_checksum_is_the_documented_crc32_in_base62() {
        // Computed apart, with Python's zlib.crc32 and the base62 digits of its result.
        assert_eq!(checksum(&format!("warta_{}", "0".repeat(40))), "0gcYJ0");
        let known = "warta_KabarHarapanDalamNegeriLuarNegeri2026Abc40q052";
        assert_eq!(checksum(&known[..46]), "40q052");
        assert!(well_formed(known));
    }

    #[test]
    fn usage_keeps_the_latest_time_per_token_until_taken() {
        let usage = Usage::default();
        let t = |s| chrono::DateTime::from_timestamp(s, 0).unwrap().naive_utc();
        usage.note(1, t(100));
        usage.note(1, t(90));
        usage.note(2, t(50));
        let mut taken = usage.take();
        taken.sort();
        assert_eq!(taken, vec![(1, t(100)), (2, t(50))]);
        assert!(usage.take().is_empty());
        usage.note(1, t(200));
        usage.restore(vec![(1, t(100))]);
        assert_eq!(usage.take(), vec![(1, t(200))], "a newer use wins over a restored one");
    }
}
