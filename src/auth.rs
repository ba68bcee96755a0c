//! Credentials: password hashing with Argon2id.

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;

/// Hashes `password` with Argon2id and a fresh random salt, as a PHC string.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let hash = Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|e| anyhow::anyhow!("password hashing failed: {e}"))?;
    Ok(hash.to_string())
}

/// Whether `password` matches the PHC string `hash`; a malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    Argon2::default().verify_password(password.as_bytes(), hash).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let hash = hash_password("rahasia-redaksi").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("rahasia-redaksi", &hash));
        assert!(!verify_password("rahasia-redaksi!", &hash));
        assert!(!verify_password("rahasia-redaksi", "not a hash"));
    }
}
