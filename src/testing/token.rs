//! Tapis JWTs for tests: the one place test tokens are minted, by the
//! [`super::TestServer`] and by users' own tests.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Map, Value};

/// The built-in key pair: for tests only, published with the crate.
pub(super) const TEST_PRIVATE_KEY: &str = include_str!("test-key.pem");
pub(super) const TEST_PUBLIC_KEY: &str = include_str!("test-key.pub.pem");

/// A Tapis JWT to mint for a test: the claims a Tapis Tokens API puts in
/// its tokens (`iss`, `sub`, `jti`, `iat`, `exp`, `tapis/tenant_id`,
/// `tapis/username`, `tapis/token_type`, `tapis/account_type`,
/// `tapis/delegation`...), RS256-signed with the built-in test key (whose
/// public half [`TestToken::PUBLIC_KEY_PEM`] is what a
/// [`super::TestServer`] publishes) or a key of your own.
///
/// ```
/// use std::time::Duration;
/// use tapis::testing::TestToken;
///
/// let alice = TestToken::access("alice", "dev").sign()?;
/// let old = TestToken::access("alice", "dev").expired_since(Duration::from_secs(60)).sign()?;
/// let service = TestToken::service("jobs", "admin", "tacc").sign()?;
/// let claims = tapis::auth::Token::parse(&alice)?.claims().clone();
/// assert_eq!(claims.username.as_deref(), Some("alice"));
/// # Ok::<(), tapis::Error>(())
/// ```
#[derive(Clone)]
#[must_use]
pub struct TestToken {
    claims: Map<String, Value>,
    /// Seconds from now to expiry (negative: expired).
    expires_in: i64,
    /// A PEM RSA private key; `None`: the built-in test key.
    key: Option<String>,
}

impl std::fmt::Debug for TestToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestToken")
            .field("claims", &self.claims)
            .field("expires_in", &self.expires_in)
            .field("key", &self.key.as_ref().map(|_| "REDACTED"))
            .finish()
    }
}

impl TestToken {
    /// The public half of the built-in signing key (PEM).
    pub const PUBLIC_KEY_PEM: &'static str = TEST_PUBLIC_KEY;

    /// A user's access token in `tenant`, valid for an hour.
    pub fn access(username: &str, tenant: &str) -> Self {
        Self::new(username, tenant, "access", "user")
    }

    /// A user's refresh token in `tenant`, valid for a day.
    pub fn refresh(username: &str, tenant: &str) -> Self {
        Self::new(username, tenant, "refresh", "user").expires_in(Duration::from_secs(86_400))
    }

    /// A service's access token: `service` acting in `tenant`, issued by
    /// the Tokens API of `site` (claim `tapis/target_site`), as services
    /// get them with their password.
    pub fn service(service: &str, tenant: &str, site: &str) -> Self {
        Self::new(service, tenant, "access", "service").claim("tapis/target_site", site)
    }

    fn new(username: &str, tenant: &str, token_type: &str, account_type: &str) -> Self {
        static SERIAL: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let serial = SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let claims = json!({
            "iss": format!("https://{tenant}.tapis.io/v3/tokens"),
            "sub": format!("{username}@{tenant}"),
            "jti": format!("test-{}-{serial}", std::process::id()),
            "tapis/tenant_id": tenant,
            "tapis/username": username,
            "tapis/token_type": token_type,
            "tapis/account_type": account_type,
            "tapis/delegation": false,
        });
        let Value::Object(claims) = claims else {
            unreachable!("a JSON object literal")
        };
        TestToken {
            claims,
            expires_in: 3600,
            key: None,
        }
    }

    /// Expires `ttl` from now (default: an hour for access tokens).
    pub fn expires_in(mut self, ttl: Duration) -> Self {
        self.expires_in = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX / 2);
        self
    }

    /// Expired `ago` ago (at least one second).
    pub fn expired_since(mut self, ago: Duration) -> Self {
        self.expires_in = -i64::try_from(ago.as_secs().max(1)).unwrap_or(i64::MAX / 2);
        self
    }

    /// Sets (or replaces) any claim: `iss`, `tapis/delegation`,
    /// `tapis/target_site`, a claim of your own...
    pub fn claim(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.claims.insert(name.to_string(), value.into());
        self
    }

    /// Signs with `private_key_pem` (an RSA private key) instead of the
    /// built-in test key: a forged token, or one after a key rotation.
    pub fn signing_key(mut self, private_key_pem: impl Into<String>) -> Self {
        self.key = Some(private_key_pem.into());
        self
    }

    /// The signed JWT; [`crate::Error::Config`] if the signing key is not an
    /// RSA private key.
    pub fn sign(&self) -> Result<String, crate::Error> {
        let pem = self.key.as_deref().unwrap_or(TEST_PRIVATE_KEY);
        let key = tapis_runtime::auth::keys::rsa_private_key(pem)
            .map_err(|e| crate::Error::Config(format!("test signing key: {e}")))?;
        self.sign_with(&key)
    }

    /// Signs with a parsed key (the test server's, parsed once).
    pub(super) fn sign_with(&self, key: &EncodingKey) -> Result<String, crate::Error> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let mut claims = self.claims.clone();
        let exp = now.saturating_add(self.expires_in);
        // Issued now (a client reads the lifetime as `exp - iat`), or an
        // hour before an expiry in the past.
        let iat = if exp > now {
            now
        } else {
            exp.saturating_sub(3600)
        };
        claims.entry("iat").or_insert(json!(iat));
        claims.insert("exp".into(), json!(exp));
        jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims, key)
            .map_err(|e| crate::Error::Config(format!("signing a test token: {e}")))
    }
}
