//! The handlers, one module per resource, and the input checks they share.

pub mod ask;
pub mod audit;
pub mod auth;
pub mod automations;
pub mod connections;
pub mod docs;
pub mod health;
pub mod jobs;
pub mod members;
pub mod mock_jobs;
pub mod queries;
pub mod schemas;
pub mod usage;
pub mod users;
pub mod webhooks;
pub mod workspaces;

use crate::error::ApiError;
use carta_store::secrets;

pub const MIN_PASSWORD_CHARS: usize = 10;
/// Bounds the work one login makes argon2 do.
pub const MAX_PASSWORD_CHARS: usize = 1024;
const MAX_NAME_CHARS: usize = 200;
/// RFC 5321's limit on a forward path.
const MAX_EMAIL_BYTES: usize = 254;

pub fn validate_password(password: &str) -> Result<(), ApiError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(ApiError::bad_request(format!(
            "a password needs at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(ApiError::bad_request(format!(
            "a password may have at most {MAX_PASSWORD_CHARS} characters"
        )));
    }
    Ok(())
}

/// Refuses control characters (NUL included, which PostgreSQL cannot
/// store) in a text input.
pub fn validate_text(what: &str, text: &str) -> Result<(), ApiError> {
    if text.chars().any(char::is_control) {
        Err(ApiError::bad_request(format!(
            "{what} must not contain control characters"
        )))
    } else {
        Ok(())
    }
}

/// A display name: trimmed, not empty, not too long, no control characters.
pub fn validate_name(what: &str, name: &str) -> Result<String, ApiError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(ApiError::bad_request(format!("{what} must not be empty")));
    }
    validate_text(what, name)?;
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::bad_request(format!(
            "{what} may have at most {MAX_NAME_CHARS} characters"
        )));
    }
    Ok(name.to_string())
}

/// An email address, trimmed and lower-cased; only its shape is checked.
pub fn validate_email(email: &str) -> Result<String, ApiError> {
    let email = email.trim().to_lowercase();
    let shaped = email.len() <= MAX_EMAIL_BYTES
        && !email.chars().any(char::is_control)
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
        && !email.chars().any(char::is_whitespace);
    if shaped {
        Ok(email)
    } else {
        Err(ApiError::bad_request("not a valid email address"))
    }
}

/// argon2 is deliberately slow: it runs on the blocking pool, not on the
/// threads serving requests.
pub async fn hash_password(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || secrets::hash_password(&password))
        .await
        .map_err(|e| ApiError::internal(&e))?
        .map_err(|e| ApiError::internal(&e))
}

pub async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || secrets::verify_password(&password, &hash))
        .await
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_need_ten_characters_counted_as_characters() {
        assert!(validate_password("123456789").is_err());
        assert!(validate_password("1234567890").is_ok());
        assert!(validate_password("ééééééééé").is_err());
        assert!(validate_password(&"x".repeat(MAX_PASSWORD_CHARS + 1)).is_err());
    }

    #[test]
    fn emails_are_normalized_and_shape_checked() {
        assert_eq!(
            validate_email(" Ada@Example.COM ").unwrap(),
            "ada@example.com"
        );
        let long = format!("{}@example.com", "a".repeat(MAX_EMAIL_BYTES));
        for bad in [
            "",
            "ada",
            "@example.com",
            "ada@example",
            "a da@example.com",
            "ada\0@example.com",
            "ada\u{7}@example.com",
            &long,
        ] {
            assert!(validate_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(validate_name("name", "  Team  ").unwrap(), "Team");
        assert!(validate_name("name", "   ").is_err());
        assert!(validate_name("name", &"n".repeat(201)).is_err());
        assert!(validate_name("name", "a\0b").is_err());
        assert!(validate_name("name", "a\u{1b}[31m").is_err());
    }
}
