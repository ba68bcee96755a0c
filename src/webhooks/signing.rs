//! Standard Webhooks signatures (standardwebhooks.com): `v1,` + base64 of the HMAC-SHA256 of
//! `{id}.{timestamp}.{body}`, keyed with the secret's decoded bytes.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// What every secret starts with.
const PREFIX: &str = "whsec_";
/// Random bytes in a new secret.
const SECRET_BYTES: usize = 24;

/// A new signing secret: `whsec_` + base64 of 24 random bytes.
pub fn new_secret() -> String {
    let mut bytes = [0u8; SECRET_BYTES];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
    format!("{PREFIX}{}", STANDARD.encode(bytes))
}

/// The key bytes of `secret` (`whsec_` + base64); `None` when it is not one.
fn key_of(secret: &str) -> Option<Vec<u8>> {
    STANDARD.decode(secret.strip_prefix(PREFIX)?).ok()
}

/// The `webhook-signature` value of one message: a `v1,` signature by each secret,
/// space-separated. Secrets that are not `whsec_` + base64 sign nothing.
pub fn signature(secrets: &[String], message_id: &str, timestamp: i64, body: &[u8]) -> String {
    secrets
        .iter()
        .filter_map(|secret| key_of(secret))
        .map(|key| {
            let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes a key of any length");
            mac.update(message_id.as_bytes());
            mac.update(b".");
            mac.update(timestamp.to_string().as_bytes());
            mac.update(b".");
            mac.update(body);
            format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_specification_s_own_test_vector_is_signed_as_it_says() {
        let secret = vec!["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".to_owned()];
        let signed = signature(&secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, br#"{"test": 2432232314}"#);
        assert_eq!(signed, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn two_secrets_sign_side_by_side() {
        let secrets = vec![new_secret(), new_secret()];
        let signed = signature(&secrets, "msg_1", 1, b"{}");
        let parts: Vec<&str> = signed.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert!(parts.iter().all(|p| p.starts_with("v1,")));
        assert_ne!(parts[0], parts[1]);
        assert_eq!(parts[0], signature(&secrets[..1], "msg_1", 1, b"{}"));
    }

    #[test]
    fn a_new_secret_is_24_random_bytes_behind_its_prefix() {
        let secret = new_secret();
        assert_eq!(key_of(&secret).map(|k| k.len()), Some(SECRET_BYTES));
        assert_ne!(secret, new_secret());
    }
}
