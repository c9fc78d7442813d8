//! The webhook delivery worker: one tokio task per server that claims due
//! deliveries from the store's outbox, posts them signed, and records each
//! attempt; a failed attempt is retried with exponential backoff until the
//! last one, then the delivery fails.
//!
//! Every request is signed: `Carta-Signature: v1=<hex HMAC-SHA256(secret,
//! "{Carta-Timestamp}.{body}")>`. Receivers must be public addresses unless
//! the server allows private ones ([`WebhookSettings`]): the host is
//! resolved and checked at subscription and again before every attempt,
//! and the request goes to the very address that was checked, with no
//! redirect followed, so neither DNS changes nor redirects reach inside.

use crate::config::WebhookSettings;
use crate::state::AppState;
use carta_store::{DeliveryAttempt, DueDelivery, StoreError};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::{Duration, Instant};
use tokio::sync::watch;
use url::Url;

/// How long an idle worker waits before looking at the outbox again.
const POLL_INTERVAL: Duration = Duration::from_secs(1);
/// How long a claimed delivery is kept from other workers: past the
/// attempt's timeout, so one whose worker died is retried after it.
const CLAIM_LEASE: time::Duration = time::Duration::seconds(120);
/// Deliveries one worker claims and sends at once.
const BATCH: u32 = 16;
/// How much of a non-2xx answer's body is kept and logged.
const BODY_EXCERPT_BYTES: usize = 512;
/// Backoff after attempt 1, 2, ...: base x 1, 6, 30, 180, 720 (10 s, 1 min,
/// 5 min, 30 min, 2 h with the default 10 s base); the last factor repeats.
const BACKOFF_FACTORS: [u32; 5] = [1, 6, 30, 180, 720];

/// Why a webhook URL is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlRefused {
    #[error("not a valid URL: {0}")]
    Invalid(String),
    #[error("only http and https URLs are allowed")]
    Scheme,
    #[error("the URL must not carry a user name or password")]
    Credentials,
    #[error("the URL has no host")]
    NoHost,
    #[error("the host {host} cannot be resolved: {reason}")]
    Unresolved { host: String, reason: String },
    #[error(
        "the host {host} resolves to {ip}, a {kind} address: webhooks must reach public addresses"
    )]
    Private {
        host: String,
        ip: IpAddr,
        kind: &'static str,
    },
}

/// Parses and shape-checks a webhook URL (scheme, host, no credentials).
pub fn parse_url(text: &str) -> Result<Url, UrlRefused> {
    let url = Url::parse(text).map_err(|e| UrlRefused::Invalid(e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(UrlRefused::Scheme);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(UrlRefused::Credentials);
    }
    if url.host().is_none() {
        return Err(UrlRefused::NoHost);
    }
    Ok(url)
}

/// Where a checked URL may be reached: its host and the address checked.
#[derive(Debug, Clone)]
pub struct Target {
    pub url: Url,
    pub host: String,
    pub addr: SocketAddr,
}

/// Resolves a webhook URL and checks every address it resolves to
/// against the SSRF guard; the first address is the one to connect to.
pub async fn check_url(settings: &WebhookSettings, text: &str) -> Result<Target, UrlRefused> {
    let url = parse_url(text)?;
    let port = url.port_or_known_default().ok_or(UrlRefused::NoHost)?;
    let host = match url.host() {
        Some(url::Host::Domain(domain)) => domain.to_string(),
        Some(url::Host::Ipv4(ip)) => ip.to_string(),
        Some(url::Host::Ipv6(ip)) => ip.to_string(),
        None => return Err(UrlRefused::NoHost),
    };
    let unresolved = |reason: String| UrlRefused::Unresolved {
        host: host.clone(),
        reason,
    };
    // Bounded like the request itself: a resolver that hangs is a failure.
    let addrs: Vec<SocketAddr> = tokio::time::timeout(
        settings.timeout,
        tokio::net::lookup_host((host.as_str(), port)),
    )
    .await
    .map_err(|_| unresolved("the lookup timed out".into()))?
    .map_err(|e| unresolved(e.to_string()))?
    .collect();
    let first = *addrs
        .first()
        .ok_or_else(|| unresolved("no address".into()))?;
    // Every address, not just the first: a name resolving to a public and
    // a private address could be reached at either.
    for addr in &addrs {
        if let Some(kind) = settings.refusal(addr.ip()) {
            return Err(UrlRefused::Private {
                host,
                ip: addr.ip(),
                kind,
            });
        }
    }
    Ok(Target {
        url,
        host,
        addr: first,
    })
}

/// The kind of non-public address `ip` is, if it is one: loopback, private
/// (RFC 1918), link-local (cloud metadata included), CGNAT, unique-local,
/// unspecified, multicast, reserved; IPv4 addresses inside IPv6 forms
/// (mapped, compatible, NAT64, 6to4) are judged as the IPv4 address.
pub fn non_public(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => non_public_v4(v4),
        IpAddr::V6(v6) => non_public_v6(v6),
    }
}

fn non_public_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    let kind = match (a, b, c) {
        _ if ip.is_unspecified() => "unspecified",
        _ if ip.is_loopback() => "loopback",
        _ if ip.is_private() => "private",
        _ if ip.is_link_local() => "link-local",
        (100, 64..=127, _) => "carrier-grade NAT",
        (0, _, _) => "this-network",
        (192, 0, 0) => "IETF protocol",
        (198, 18..=19, _) => "benchmarking",
        _ if ip.is_multicast() => "multicast",
        (240..=255, _, _) => "reserved",
        _ => return None,
    };
    Some(kind)
}

fn non_public_v6(ip: Ipv6Addr) -> Option<&'static str> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return non_public_v4(v4);
    }
    let segments = ip.segments();
    let embedded = |high: u16, low: u16| {
        Ipv4Addr::new(
            (high >> 8) as u8,
            (high & 0xff) as u8,
            (low >> 8) as u8,
            (low & 0xff) as u8,
        )
    };
    let kind = match segments {
        _ if ip.is_unspecified() => "unspecified",
        _ if ip.is_loopback() => "loopback",
        // ::a.b.c.d, the deprecated IPv4-compatible form.
        [0, 0, 0, 0, 0, 0, high, low] => return non_public_v4(embedded(high, low)),
        // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry an IPv4 address.
        [0x64, 0xff9b, 0, 0, 0, 0, high, low] => return non_public_v4(embedded(high, low)),
        [0x2002, high, low, ..] => return non_public_v4(embedded(high, low)),
        [first, ..] if first & 0xfe00 == 0xfc00 => "unique-local",
        [first, ..] if first & 0xffc0 == 0xfe80 => "link-local",
        [first, ..] if first & 0xffc0 == 0xfec0 => "site-local",
        [first, ..] if first & 0xff00 == 0xff00 => "multicast",
        _ => return None,
    };
    Some(kind)
}

/// A network in CIDR notation (`10.0.0.0/8`, `fd00::/8`) whose addresses
/// webhooks may reach though they are not public.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.network, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl std::str::FromStr for Cidr {
    type Err = String;

    fn from_str(text: &str) -> Result<Cidr, String> {
        let bad = || format!("`{text}` is not a network in CIDR notation (e.g. 10.0.0.0/8)");
        let (address, prefix) = text.split_once('/').ok_or_else(bad)?;
        let network: IpAddr = address.trim().parse().map_err(|_| bad())?;
        let prefix: u8 = prefix.trim().parse().map_err(|_| bad())?;
        let bits = if network.is_ipv4() { 32 } else { 128 };
        if prefix > bits {
            return Err(bad());
        }
        Ok(Cidr { network, prefix })
    }
}

/// When to try again after failed attempt number `attempt` (1-based), or
/// `None` after the last allowed attempt.
pub fn retry_delay(settings: &WebhookSettings, attempt: u32) -> Option<Duration> {
    if attempt >= settings.max_attempts {
        return None;
    }
    let index = usize::try_from(attempt.saturating_sub(1))
        .unwrap_or(usize::MAX)
        .min(BACKOFF_FACTORS.len() - 1);
    Some(settings.retry_base.saturating_mul(BACKOFF_FACTORS[index]))
}

/// The `Carta-Signature` value for a body sent at `timestamp` (unix seconds).
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    // HMAC accepts keys of any length: `new_from_slice` cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!("v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// A new signing secret: `whsec_` and 32 random bytes, base64url.
pub fn new_secret() -> String {
    use base64::Engine as _;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random number generator failed");
    format!(
        "whsec_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// Claims and sends due deliveries until `stop` turns true (or its sender
/// is dropped); the attempts in flight are finished first.
pub async fn run_worker(state: AppState, mut stop: watch::Receiver<bool>) {
    tracing::info!("webhook delivery worker started");
    loop {
        if *stop.borrow() {
            break;
        }
        match send_due(&state).await {
            // A full batch: more may be due at once.
            Ok(sent) if sent == BATCH as usize => continue,
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "the webhook outbox is unavailable"),
        }
        tokio::select! {
            changed = stop.changed() => if changed.is_err() { break },
            () = tokio::time::sleep(POLL_INTERVAL) => {}
        }
    }
    tracing::info!("webhook delivery worker stopped");
}

/// Claims one batch of due deliveries and attempts them concurrently; how
/// many it claimed.
async fn send_due(state: &AppState) -> Result<usize, StoreError> {
    let due = state
        .store()
        .claim_deliveries(carta_store::now() + CLAIM_LEASE, BATCH)
        .await?;
    let claimed = due.len();
    let mut attempts = tokio::task::JoinSet::new();
    for delivery in due {
        attempts.spawn(attempt(state.clone(), delivery));
    }
    while let Some(done) = attempts.join_next().await {
        if let Err(error) = done {
            tracing::error!(%error, "a webhook delivery attempt failed");
        }
    }
    Ok(claimed)
}

/// What came of posting once.
struct Posted {
    code: Option<u16>,
    error: Option<String>,
    delivered: bool,
}

async fn attempt(state: AppState, due: DueDelivery) {
    let delivery = &due.delivery;
    let settings = state.webhook_settings();
    let started = Instant::now();
    let posted = match state.open(&due.secret) {
        Ok(secret) => post(settings, &due.url, &secret, delivery).await,
        Err(_) => Posted {
            code: None,
            error: Some("the webhook's secret cannot be decrypted".into()),
            delivered: false,
        },
    };
    let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let number = delivery.attempts + 1;
    let retry_at = (!posted.delivered)
        .then(|| retry_delay(settings, number))
        .flatten()
        .and_then(|delay| time::Duration::try_from(delay).ok())
        .map(|delay| carta_store::now() + delay);
    if posted.delivered {
        tracing::info!(delivery = %delivery.id, webhook = %delivery.webhook_id, event = delivery.event,
            attempt = number, code = posted.code, duration_ms, "webhook delivered");
    } else {
        tracing::warn!(delivery = %delivery.id, webhook = %delivery.webhook_id, event = delivery.event,
            attempt = number, code = posted.code, error = posted.error.as_deref().unwrap_or_default(),
            retry = retry_at.is_some(), "webhook delivery failed");
    }
    let recorded = state
        .store()
        .record_delivery_attempt(
            delivery.id,
            DeliveryAttempt {
                response_code: posted.code,
                error: posted.error,
                duration_ms,
                delivered: posted.delivered,
                retry_at,
            },
        )
        .await;
    if let Err(error) = recorded {
        tracing::warn!(delivery = %delivery.id, %error, "cannot record a webhook delivery attempt");
    }
}

async fn post(
    settings: &WebhookSettings,
    url: &str,
    secret: &str,
    delivery: &carta_store::Delivery,
) -> Posted {
    let refused = |error: String| Posted {
        code: None,
        error: Some(error),
        delivered: false,
    };
    // Checked again now: the name may resolve elsewhere than at subscription.
    let target = match check_url(settings, url).await {
        Ok(target) => target,
        Err(error) => return refused(error.to_string()),
    };
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        // Straight to the checked address: a proxy would connect elsewhere.
        .no_proxy()
        .timeout(settings.timeout)
        .resolve(&target.host, target.addr)
        .user_agent(concat!("carta-webhooks/", env!("CARGO_PKG_VERSION")))
        .build();
    let client = match client {
        Ok(client) => client,
        Err(error) => return refused(format!("cannot build the HTTP client: {error}")),
    };
    let body = delivery.payload.to_string();
    let timestamp = time::OffsetDateTime::now_utc().unix_timestamp();
    let sent = client
        .post(target.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("Carta-Event", &delivery.event)
        .header("Carta-Delivery", delivery.id.to_string())
        .header("Carta-Timestamp", timestamp.to_string())
        .header("Carta-Signature", signature(secret, timestamp, &body))
        .body(body)
        .send()
        .await;
    let mut response = match sent {
        Ok(response) => response,
        // Without the URL: the error names the host, which the caller knows.
        Err(error) => return refused(error.without_url().to_string()),
    };
    let status = response.status();
    if status.is_success() {
        return Posted {
            code: Some(status.as_u16()),
            error: None,
            delivered: true,
        };
    }
    let mut excerpt = Vec::new();
    while excerpt.len() < BODY_EXCERPT_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => excerpt.extend_from_slice(&chunk),
            Ok(None) | Err(_) => break,
        }
    }
    excerpt.truncate(BODY_EXCERPT_BYTES);
    let excerpt = String::from_utf8_lossy(&excerpt);
    Posted {
        code: Some(status.as_u16()),
        error: Some(format!("HTTP {status}: {}", excerpt.trim())),
        delivered: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> WebhookSettings {
        WebhookSettings::default()
    }

    #[test]
    fn private_and_special_addresses_are_refused() {
        for ip in [
            "127.0.0.1",
            "127.255.0.9",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.254",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::",
        ] {
            let ip: IpAddr = ip.parse().unwrap();
            assert!(non_public(ip).is_some(), "{ip} should be refused");
        }
        for ip in [
            "8.8.8.8",
            "1.1.1.1",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            let ip: IpAddr = ip.parse().unwrap();
            assert_eq!(non_public(ip), None, "{ip} is public");
        }
    }

    #[test]
    fn allowed_networks_open_only_themselves() {
        let cidr: Cidr = "10.20.0.0/16".parse().unwrap();
        assert!(cidr.contains("10.20.3.4".parse().unwrap()));
        assert!(cidr.contains("::ffff:10.20.3.4".parse().unwrap()));
        assert!(!cidr.contains("10.21.0.1".parse().unwrap()));
        let all: Cidr = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains("127.0.0.1".parse().unwrap()));
        let v6: Cidr = "fd00::/8".parse().unwrap();
        assert!(v6.contains("fd12::1".parse().unwrap()));
        assert!(!v6.contains("fe80::1".parse().unwrap()));
        for bad in ["10.0.0.0", "10.0.0.0/33", "fd00::/129", "x/8", "10.0.0.0/a"] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn urls_are_checked_for_scheme_credentials_and_address() {
        let settings = settings();
        for (url, expected) in [
            ("ftp://example.com/", UrlRefused::Scheme),
            ("http://user:pw@example.com/", UrlRefused::Credentials),
        ] {
            assert_eq!(check_url(&settings, url).await.unwrap_err(), expected);
        }
        assert!(matches!(
            check_url(&settings, "not a url").await,
            Err(UrlRefused::Invalid(_))
        ));
        for url in [
            "http://127.0.0.1:9/",
            "http://[::ffff:127.0.0.1]/",
            "http://169.254.169.254/latest/meta-data/",
            "http://localhost:8080/hook",
            "http://[::1]/",
            "http://10.0.0.1/",
        ] {
            assert!(
                matches!(
                    check_url(&settings, url).await,
                    Err(UrlRefused::Private { .. })
                ),
                "{url}"
            );
        }
        let open = WebhookSettings {
            allow_private: true,
            ..settings.clone()
        };
        assert!(check_url(&open, "http://127.0.0.1:9/").await.is_ok());
        let listed = WebhookSettings {
            allowed_networks: vec!["127.0.0.0/8".parse().unwrap()],
            ..settings
        };
        assert!(check_url(&listed, "http://127.0.0.1:9/").await.is_ok());
        assert!(check_url(&listed, "http://169.254.169.254/").await.is_err());
    }

    #[test]
    fn backoff_grows_then_gives_up() {
        let settings = settings();
        let delays: Vec<_> = (1..=6).map(|n| retry_delay(&settings, n)).collect();
        assert_eq!(
            delays,
            [
                Some(Duration::from_secs(10)),
                Some(Duration::from_secs(60)),
                Some(Duration::from_secs(300)),
                Some(Duration::from_secs(1800)),
                Some(Duration::from_secs(7200)),
                None,
            ]
        );
    }

    #[test]
    fn signatures_are_hmac_sha256_of_timestamp_dot_body() {
        // Computed independently: printf '1.{}' | openssl dgst -sha256 -hmac key
        assert_eq!(
            signature("key", 1, "{}"),
            "v1=1ba6b8171186efc613e8bcc0cbdab2748f24984d7c5a84faa2637afa0e40d224"
        );
        let secret = new_secret();
        assert!(secret.starts_with("whsec_"));
        assert_eq!(secret.len(), "whsec_".len() + 43);
        assert_ne!(secret, new_secret());
    }
}
