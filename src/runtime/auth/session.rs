//! The token lifecycle of one client: its credentials, its current tokens,
//! and single-flight refresh.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use super::grant::{request_tokens, ClientAuth, Grant};
use super::token::{Token, Tokens};
use crate::Error;

/// Called with the new tokens after every refresh or grant.
pub type OnRefresh = Arc<dyn Fn(&Tokens) + Send + Sync>;

/// What a client may authenticate with. Secrets never reach `Debug`.
#[derive(Clone, Default)]
#[doc(hidden)]
pub struct Credentials {
    pub username: Option<String>,
    pub password: Option<String>,
    pub client_id: Option<String>,
    pub client_key: Option<String>,
    pub tenant_id: Option<String>,
    /// A Tapis service's account: its tokens come from the Tokens API.
    pub service: Option<ServiceAccount>,
}

/// A service's credentials for `POST /v3/tokens` (tapisservice's
/// `get_service_tokens`): the service name and password as HTTP Basic
/// auth, its site; the tenant is the client's (the site admin tenant).
#[derive(Clone)]
#[doc(hidden)]
pub struct ServiceAccount {
    pub name: String,
    pub password: String,
    pub site_id: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("client_id", &self.client_id)
            .field(
                "client_key",
                &self.client_key.as_ref().map(|_| "<redacted>"),
            )
            .field("tenant_id", &self.tenant_id)
            .field(
                "service",
                &self
                    .service
                    .as_ref()
                    .map(|s| (&s.name, &s.site_id, "<redacted password>")),
            )
            .finish()
    }
}

/// How a session is set up; see `TapisBuilder`.
#[derive(Clone)]
#[doc(hidden)]
pub struct SessionConfig {
    pub credentials: Credentials,
    pub tokens: Tokens,
    /// Refresh when the access token expires within this.
    pub margin: Duration,
    /// Told of every new token (the user's callbacks, the token cache a
    /// restored client rewrites).
    pub on_refresh: Vec<OnRefresh>,
}

/// The default refresh margin.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(60);

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            credentials: Credentials::default(),
            tokens: Tokens::default(),
            margin: DEFAULT_REFRESH_MARGIN,
            on_refresh: Vec::new(),
        }
    }
}

#[doc(hidden)]
pub struct Session {
    base_url: String,
    http: reqwest::Client,
    credentials: Credentials,
    margin: Duration,
    on_refresh: Vec<OnRefresh>,
    tokens: RwLock<Tokens>,
    /// Held while a refresh is in flight: concurrent callers wait for it
    /// instead of starting their own. It holds the last failed refresh, so
    /// that the callers that waited share its error instead of each asking
    /// again, and later ones wait out a back-off first.
    refreshing: tokio::sync::Mutex<Option<Failure>>,
    /// The access token this session obtained itself, and until when it is
    /// taken without a refresh (half its lifetime, on the monotonic clock):
    /// a token that lives less than the margin, or a local clock running
    /// ahead, would otherwise make every call refresh.
    fresh: RwLock<Option<(Token, std::time::Instant)>>,
}

/// A failed refresh, shared with the calls that waited for it.
struct Failure {
    at: std::time::Instant,
    /// Consecutive failures (the back-off doubles with each).
    count: u32,
    error: Arc<Error>,
}

impl Failure {
    /// No new token request before this long after a failure: 1 s, doubling
    /// with each consecutive failure, at most 30 s.
    fn back_off(&self) -> Duration {
        Duration::from_secs(1 << self.count.saturating_sub(1).min(5)).min(Duration::from_secs(30))
    }
}

/// The error of a shared failed refresh, as the source of each caller's
/// [`Error::Auth`].
#[derive(Debug)]
#[doc(hidden)]
pub struct SharedFailure(pub Arc<Error>);

impl std::fmt::Display for SharedFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for SharedFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.0)
    }
}

impl Session {
    #[doc(hidden)]
    pub fn new(base_url: &str, http: reqwest::Client, config: SessionConfig) -> Self {
        Session {
            base_url: base_url.to_string(),
            http,
            credentials: config.credentials,
            margin: config.margin,
            on_refresh: config.on_refresh,
            tokens: RwLock::new(config.tokens),
            refreshing: tokio::sync::Mutex::new(None),
            fresh: RwLock::new(None),
        }
    }

    #[doc(hidden)]
    pub fn tokens(&self) -> Tokens {
        self.tokens
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    #[doc(hidden)]
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    #[doc(hidden)]
    pub fn set_access_token(&self, token: Option<Token>) {
        self.tokens
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .access_token = token;
    }

    fn access_token(&self) -> Option<Token> {
        self.tokens
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .access_token
            .clone()
    }

    /// A usable refresh token, or a username and password.
    #[doc(hidden)]
    pub fn can_refresh(&self) -> bool {
        let tokens = self.tokens.read().unwrap_or_else(|p| p.into_inner());
        tokens
            .refresh_token
            .as_ref()
            .is_some_and(|t| !t.is_expired())
            || (self.credentials.username.is_some() && self.credentials.password.is_some())
            || self.credentials.service.is_some()
    }

    /// The current token when it can be sent as it is (it does not expire
    /// within the margin, or it was just issued): what nearly every call
    /// finds, without waiting for anything.
    #[doc(hidden)]
    pub fn usable_token(&self) -> Option<Token> {
        self.access_token()
            .filter(|token| !token.expires_within(self.margin) || self.is_fresh(token))
    }

    /// The token to send now: the current one, or a fresh one when it
    /// expires within the margin and a refresh is possible. `None` when the
    /// client has no credentials at all.
    #[doc(hidden)]
    pub async fn token_for_request(&self) -> Result<Option<Token>, Error> {
        if let Some(token) = self.usable_token() {
            return Ok(Some(token));
        }
        let current = self.access_token();
        if !self.can_refresh() {
            return match current {
                Some(token) if token.is_expired() => Err(Error::Auth {
                    reason: format!(
                        "the access token expired at {} and the client has no refresh token \
                         or password to get a new one",
                        token.expires_at()
                    ),
                    source: None,
                }),
                other => Ok(other),
            };
        }
        self.refresh(current.as_ref()).await.map(Some)
    }

    /// Replaces `stale` (the token a caller found too old, or that got a
    /// 401) with a new one. Single-flight: whoever comes while a refresh is
    /// running waits for it and takes its result.
    #[doc(hidden)]
    pub async fn refresh(&self, stale: Option<&Token>) -> Result<Token, Error> {
        let asked = std::time::Instant::now();
        let mut last_failure = self.refreshing.lock().await;
        if let Some(current) = self.access_token() {
            // Another caller replaced the token while this one waited: take
            // it, even inside the margin (with short-lived tokens the margin
            // would otherwise make every caller refresh once more).
            let replaced = stale.is_none_or(|s| !s.same(&current));
            if replaced && !current.is_expired() {
                return Ok(current);
            }
        }
        // A refresh that failed while this caller waited, or too recently:
        // its error, without another token request.
        if let Some(failure) = last_failure.as_ref() {
            if failure.at >= asked || failure.at.elapsed() < failure.back_off() {
                return Err(Error::Auth {
                    reason: "the access token could not be refreshed".into(),
                    source: Some(Box::new(SharedFailure(failure.error.clone()))),
                });
            }
        }
        // Boxed: a token request is a whole HTTP exchange, and every call's
        // future would otherwise reserve room for it.
        match Box::pin(self.grant()).await {
            Ok(tokens) => {
                *last_failure = None;
                tokens.access_token.clone().ok_or_else(|| Error::Auth {
                    reason: "the token endpoint returned no access token".into(),
                    source: None,
                })
            }
            Err(e) => {
                let error = Arc::new(e);
                let count = last_failure.as_ref().map_or(0, |f| f.count) + 1;
                *last_failure = Some(Failure {
                    at: std::time::Instant::now(),
                    count,
                    error: error.clone(),
                });
                Err(Error::Auth {
                    reason: "the access token could not be refreshed".into(),
                    source: Some(Box::new(SharedFailure(error))),
                })
            }
        }
    }

    /// Whether `token` is the one this session obtained less than half its
    /// lifetime ago.
    fn is_fresh(&self, token: &Token) -> bool {
        let fresh = self.fresh.read().unwrap_or_else(|p| p.into_inner());
        fresh
            .as_ref()
            .is_some_and(|(t, until)| t.same(token) && std::time::Instant::now() < *until)
    }

    /// Obtains new tokens with the best grant available (refresh token,
    /// else password) and stores them.
    #[doc(hidden)]
    pub async fn grant(&self) -> Result<Tokens, Error> {
        let refresh = self.tokens().refresh_token.filter(|t| !t.is_expired());
        let creds = &self.credentials;
        let grant = match (&refresh, &creds.username, &creds.password) {
            // A service asks the Tokens API again with its password.
            _ if creds.service.is_some() => self.service_grant()?,
            (Some(token), _, _) => Grant::Refresh {
                refresh_token: token.jwt(),
            },
            (None, Some(username), Some(password)) => Grant::Password { username, password },
            _ => {
                return Err(Error::Auth {
                    reason: "no refresh token, and no username and password".into(),
                    source: None,
                })
            }
        };
        let tokens = request_tokens(&self.http, &self.base_url, grant, self.client_auth()).await?;
        self.store(tokens.clone());
        Ok(tokens)
    }

    /// Obtains tokens now with whatever the client holds (tapipy's
    /// `get_tokens`): the password grant when it has a username and a
    /// password, else the refresh grant when it has a refresh token that has
    /// not expired.
    #[doc(hidden)]
    pub async fn get_tokens(&self) -> Result<Tokens, Error> {
        let creds = &self.credentials;
        let refresh = self.tokens().refresh_token.filter(|t| !t.is_expired());
        let grant =
            match (&creds.username, &creds.password, &refresh) {
                _ if creds.service.is_some() => self.service_grant()?,
                (Some(username), Some(password), _) => Grant::Password { username, password },
                (_, _, Some(token)) => Grant::Refresh {
                    refresh_token: token.jwt(),
                },
                _ => return Err(Error::InvalidInput(
                    "get_tokens needs a username and a password, or a refresh token that has not \
                     expired"
                        .into(),
                )),
            };
        let tokens = request_tokens(&self.http, &self.base_url, grant, self.client_auth()).await?;
        self.store(tokens.clone());
        Ok(tokens)
    }

    /// The Tokens API grant of a service account.
    fn service_grant(&self) -> Result<Grant<'_>, Error> {
        let creds = &self.credentials;
        let (Some(service), Some(tenant)) = (&creds.service, &creds.tenant_id) else {
            return Err(Error::Config(
                "a service account needs the site admin tenant (`tenant_id`)".into(),
            ));
        };
        Ok(Grant::Service {
            name: &service.name,
            password: &service.password,
            tenant,
            site_id: service.site_id.as_deref(),
        })
    }

    #[doc(hidden)]
    pub fn client_auth(&self) -> ClientAuth<'_> {
        ClientAuth {
            id: self.credentials.client_id.as_deref(),
            key: self.credentials.client_key.as_deref(),
        }
    }

    /// How long before expiry the access token is refreshed.
    #[cfg(feature = "service")]
    #[doc(hidden)]
    pub fn margin(&self) -> Duration {
        self.margin
    }

    #[doc(hidden)]
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    #[doc(hidden)]
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Keeps new tokens (a grant without a refresh token keeps the old
    /// one) and tells the subscribers.
    #[doc(hidden)]
    pub fn store(&self, new: Tokens) {
        let tokens = {
            let mut tokens = self.tokens.write().unwrap_or_else(|p| p.into_inner());
            if let Some(token) = &new.access_token {
                // Lifetime from the claims (`exp - iat`), else as it looks
                // on arrival: either way timed on this machine's monotonic
                // clock from now.
                let life = token.ttl().unwrap_or_else(|| token.expires_in());
                let until = std::time::Instant::now().checked_add(life / 2);
                *self.fresh.write().unwrap_or_else(|p| p.into_inner()) =
                    until.map(|until| (token.clone(), until));
            }
            if new.access_token.is_some() {
                tokens.access_token = new.access_token;
            }
            if new.refresh_token.is_some() {
                tokens.refresh_token = new.refresh_token;
            }
            tokens.clone()
        };
        for callback in &self.on_refresh {
            callback(&tokens);
        }
    }
}
