//! Secrets: password hashes, bearer tokens and the encryption of connection URIs.
//!
//! Pure functions over bytes; nothing here touches the store. Randomness
//! comes from the operating system; if it cannot give any, nothing secret
//! can be made safely, so those functions panic rather than go on.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};

use crate::model::SealedUri;

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("cannot hash the password: {0}")]
    Hash(String),
    #[error("no master key: set CARTA_MASTER_KEY or give a key file")]
    NoKey,
    #[error("give the master key either in CARTA_MASTER_KEY or in a key file, not both")]
    TwoKeySources,
    /// Never includes the key text itself.
    #[error("master key {position} is not base64 of 32 bytes")]
    BadKey { position: usize },
    #[error("cannot read the key file {path}: {message}")]
    KeyFile { path: String, message: String },
    #[error("no master key with id {0}")]
    UnknownKey(String),
    /// Wrong key, tampered or truncated ciphertext: indistinguishable by design.
    #[error(
        "the sealed value cannot be decrypted (tampered, or sealed by another key with this id)"
    )]
    Decrypt,
}

const TOKEN_PREFIX: &str = "carta_";
const TOKEN_BYTES: usize = 32;
const KEY_BYTES: usize = 32;
const NONCE_BYTES: usize = 24;
const SALT_BYTES: usize = 16;

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the operating system's random number generator failed");
    bytes
}

/// Hashes a password with argon2id (the crate's default, OWASP-recommended
/// parameters) into a PHC string that carries its salt and parameters.
pub fn hash_password(password: &str) -> Result<String, SecretError> {
    let salt = SaltString::encode_b64(&random_bytes::<SALT_BYTES>())
        .map_err(|e| SecretError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| SecretError::Hash(e.to_string()))
}

/// Whether `password` matches the PHC string; false for a malformed one.
/// The comparison inside argon2 is constant-time.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

/// A fresh bearer token: `plain` is shown to its owner once, `hash` is stored.
pub struct NewSecretToken {
    pub plain: String,
    pub hash: String,
}

impl fmt::Debug for NewSecretToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewSecretToken")
            .field("plain", &"<redacted>")
            .field("hash", &self.hash)
            .finish()
    }
}

/// 256 random bits as `carta_<base64url>`; the prefix lets secret scanners find leaked ones.
pub fn new_token() -> NewSecretToken {
    let plain = format!(
        "{TOKEN_PREFIX}{}",
        URL_SAFE_NO_PAD.encode(random_bytes::<TOKEN_BYTES>())
    );
    let hash = token_hash(&plain);
    NewSecretToken { plain, hash }
}

/// SHA-256 hex of a token: enough for 256-bit random secrets, which need no salt
/// or slow hash, and cheap enough to run on every request.
pub fn token_hash(plain: &str) -> String {
    hex::encode(Sha256::digest(plain.as_bytes()))
}

struct MasterKey([u8; KEY_BYTES]);

impl MasterKey {
    /// First 8 hex digits of the key's SHA-256: names the key without revealing it.
    fn id(&self) -> String {
        hex::encode(&Sha256::digest(self.0)[..4])
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new((&self.0).into())
    }
}

/// The master keys: the current one seals, every one (by id) opens.
pub struct Keyring {
    current_id: String,
    keys: HashMap<String, MasterKey>,
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut ids: Vec<&String> = self.keys.keys().collect();
        ids.sort();
        f.debug_struct("Keyring")
            .field("current_id", &self.current_id)
            .field("key_ids", &ids)
            .finish()
    }
}

impl Keyring {
    /// From the value of `CARTA_MASTER_KEY` or from a key file. Either holds
    /// base64 keys of 32 bytes, the current one first, older ones after it
    /// (the variable separated by commas or blanks, the file one per line,
    /// with blank lines and `#` comments skipped).
    pub fn from_env_or_file(
        env: Option<&str>,
        file: Option<&Path>,
    ) -> Result<Keyring, SecretError> {
        let env = env.filter(|value| !value.trim().is_empty());
        match (env, file) {
            (Some(_), Some(_)) => Err(SecretError::TwoKeySources),
            (Some(value), None) => Keyring::from_keys(
                value
                    .split(|c: char| c == ',' || c.is_whitespace())
                    .filter(|key| !key.is_empty()),
            ),
            (None, Some(path)) => {
                let text = std::fs::read_to_string(path).map_err(|e| SecretError::KeyFile {
                    path: path.display().to_string(),
                    message: e.to_string(),
                })?;
                Keyring::from_keys(
                    text.lines()
                        .map(str::trim)
                        .filter(|line| !line.is_empty() && !line.starts_with('#')),
                )
            }
            (None, None) => Err(SecretError::NoKey),
        }
    }

    fn from_keys<'a>(encoded: impl Iterator<Item = &'a str>) -> Result<Keyring, SecretError> {
        let mut current_id = None;
        let mut keys = HashMap::new();
        for (index, text) in encoded.enumerate() {
            let bad = || SecretError::BadKey {
                position: index + 1,
            };
            let bytes: [u8; KEY_BYTES] = STANDARD
                .decode(text)
                .map_err(|_| bad())?
                .try_into()
                .map_err(|_| bad())?;
            let key = MasterKey(bytes);
            let id = key.id();
            current_id.get_or_insert_with(|| id.clone());
            keys.insert(id, key);
        }
        let current_id = current_id.ok_or(SecretError::NoKey)?;
        Ok(Keyring { current_id, keys })
    }

    /// A new random key, base64, for a key file or `CARTA_MASTER_KEY`.
    pub fn generate_key() -> String {
        STANDARD.encode(random_bytes::<KEY_BYTES>())
    }

    pub fn current_id(&self) -> &str {
        &self.current_id
    }

    pub fn has_key(&self, key_id: &str) -> bool {
        self.keys.contains_key(key_id)
    }

    /// XChaCha20-Poly1305 under the current key with a random nonce stored in
    /// front of the ciphertext; the key id is authenticated as associated data.
    pub fn seal(&self, plain: &str) -> SealedUri {
        let key = &self.keys[&self.current_id];
        let nonce = random_bytes::<NONCE_BYTES>();
        let encrypted = key
            .cipher()
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: self.current_id.as_bytes(),
                },
            )
            .expect("XChaCha20-Poly1305 encrypts any message shorter than 256 GiB");
        let mut ciphertext = nonce.to_vec();
        ciphertext.extend_from_slice(&encrypted);
        SealedUri {
            ciphertext,
            key_id: self.current_id.clone(),
        }
    }

    pub fn open(&self, sealed: &SealedUri) -> Result<String, SecretError> {
        let key = self
            .keys
            .get(&sealed.key_id)
            .ok_or_else(|| SecretError::UnknownKey(sealed.key_id.clone()))?;
        if sealed.ciphertext.len() < NONCE_BYTES {
            return Err(SecretError::Decrypt);
        }
        let (nonce, encrypted) = sealed.ciphertext.split_at(NONCE_BYTES);
        let plain = key
            .cipher()
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: encrypted,
                    aad: sealed.key_id.as_bytes(),
                },
            )
            .map_err(|_| SecretError::Decrypt)?;
        String::from_utf8(plain).map_err(|_| SecretError::Decrypt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_hash_verifies_only_the_right_password() {
        let phc = hash_password("correct horse").unwrap();
        assert!(phc.starts_with("$argon2id$"), "{phc}");
        assert!(verify_password("correct horse", &phc));
        assert!(!verify_password("correct horsf", &phc));
        assert!(!verify_password("correct horse", "not a phc string"));
        assert!(!verify_password("correct horse", ""));
        assert_ne!(phc, hash_password("correct horse").unwrap(), "salted");
    }

    #[test]
    fn tokens_are_unique_prefixed_and_hashed() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a.plain, b.plain);
        assert!(a.plain.starts_with("carta_"));
        assert_eq!(a.plain.len(), "carta_".len() + 43);
        assert_eq!(a.hash, token_hash(&a.plain));
        assert_eq!(a.hash.len(), 64);
        assert_ne!(a.hash, b.hash);
        assert!(!format!("{a:?}").contains(&a.plain));
    }

    #[test]
    fn token_hash_is_sha256_hex() {
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    fn keyring(keys: &[&str]) -> Keyring {
        Keyring::from_env_or_file(Some(&keys.join(",")), None).unwrap()
    }

    #[test]
    fn seal_then_open_round_trips_and_uses_fresh_nonces() {
        let ring = keyring(&[&Keyring::generate_key()]);
        let uri = "postgres://app:s3cret@db.internal:5432/prod";
        let sealed = ring.seal(uri);
        assert_eq!(sealed.key_id, ring.current_id());
        assert_eq!(sealed.key_id.len(), 8);
        assert!(!String::from_utf8_lossy(&sealed.ciphertext).contains("s3cret"));
        assert_eq!(ring.open(&sealed).unwrap(), uri);
        assert_ne!(ring.seal(uri).ciphertext, sealed.ciphertext);
    }

    #[test]
    fn tampering_and_unknown_keys_are_errors() {
        let ring = keyring(&[&Keyring::generate_key()]);
        let sealed = ring.seal("postgres://u:p@h/d");

        let mut flipped = sealed.clone();
        let last = flipped.ciphertext.len() - 1;
        flipped.ciphertext[last] ^= 1;
        assert!(matches!(ring.open(&flipped), Err(SecretError::Decrypt)));

        let truncated = SealedUri {
            ciphertext: sealed.ciphertext[..10].to_vec(),
            key_id: sealed.key_id.clone(),
        };
        assert!(matches!(ring.open(&truncated), Err(SecretError::Decrypt)));

        let unknown = SealedUri {
            key_id: "00000000".into(),
            ..sealed.clone()
        };
        assert!(
            matches!(ring.open(&unknown), Err(SecretError::UnknownKey(id)) if id == "00000000")
        );

        let other = keyring(&[&Keyring::generate_key()]);
        assert!(other.open(&sealed).is_err());
    }

    #[test]
    fn key_file_with_two_keys_opens_both_and_seals_with_the_first() {
        let old = keyring(&[&Keyring::generate_key()]);
        let old_key = STANDARD.encode(old.keys[old.current_id()].0);
        let new_key = Keyring::generate_key();
        let path = std::env::temp_dir().join(format!("carta-keys-{}", uuid::Uuid::new_v4()));
        std::fs::write(&path, format!("# rotated\n{new_key}\n\n{old_key}\n")).unwrap();
        let ring = Keyring::from_env_or_file(None, Some(&path)).unwrap();
        std::fs::remove_file(&path).unwrap();

        let under_old = old.seal("mysql://a:b@c/d");
        assert_eq!(ring.open(&under_old).unwrap(), "mysql://a:b@c/d");
        assert_ne!(ring.current_id(), old.current_id());
        assert!(ring.has_key(old.current_id()));
        let under_new = ring.seal("sqlite:///x.db");
        assert_eq!(under_new.key_id, ring.current_id());
        assert!(old.open(&under_new).is_err());
    }

    #[test]
    fn bad_key_sources_are_reported_without_the_key() {
        assert!(matches!(
            Keyring::from_env_or_file(None, None),
            Err(SecretError::NoKey)
        ));
        assert!(matches!(
            Keyring::from_env_or_file(Some("  "), None),
            Err(SecretError::NoKey)
        ));
        let short = STANDARD.encode([7u8; 16]);
        let err = Keyring::from_env_or_file(Some(&short), None).unwrap_err();
        assert!(matches!(err, SecretError::BadKey { position: 1 }));
        assert!(!err.to_string().contains(&short));
        assert!(matches!(
            Keyring::from_env_or_file(Some(&Keyring::generate_key()), Some(Path::new("/k"))),
            Err(SecretError::TwoKeySources)
        ));
        assert!(matches!(
            Keyring::from_env_or_file(None, Some(Path::new("/nonexistent/carta.keys"))),
            Err(SecretError::KeyFile { .. })
        ));
    }
}
