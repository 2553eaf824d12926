//! Device-code login: the user approves this client in a browser while it
//! polls the token endpoint.

use std::time::Duration;

use serde::Deserialize;
use serde_json::json;

use crate::{Error, Tapis, TapisBuilder};
use tapis_runtime::auth::grant::{post_json, request_tokens, ClientAuth, Grant};

/// A device login in progress; see [`TapisBuilder::device_login`].
pub struct DeviceLogin {
    tapis: Tapis,
    client_id: String,
    device_code: String,
    user_code: String,
    verification_uri: String,
    expires_in: Duration,
    interval: Duration,
}

impl std::fmt::Debug for DeviceLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The device code is a credential until it is used.
        f.debug_struct("DeviceLogin")
            .field("client_id", &self.client_id)
            .field("user_code", &self.user_code)
            .field("verification_uri", &self.verification_uri)
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct DeviceCode {
    device_code: String,
    user_code: String,
    verification_uri: String,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
}

/// [`TapisBuilder::device_login`].
pub(crate) async fn start(builder: TapisBuilder) -> Result<DeviceLogin, Error> {
    let tapis = builder.build()?;
    let session = tapis.shared().session();
    let client_id = session
        .credentials()
        .client_id
        .clone()
        .ok_or_else(|| Error::InvalidInput("a device login needs `client_id`".into()))?;
    let answer = post_json(
        session.http(),
        session.base_url(),
        "/v3/oauth2/device/code",
        &json!({"client_id": client_id}),
        session.client_auth(),
    )
    .await?;
    let code: DeviceCode = serde_json::from_value(answer["result"].clone()).map_err(|e| {
        Error::invalid_response_without_body(
            reqwest::StatusCode::OK,
            format!("the device code answer is not what Tapis documents: {e}"),
            None,
        )
    })?;
    let expires_in = code
        .expires_in
        .and_then(|v| v.as_u64().or_else(|| v.as_str()?.trim().parse().ok()))
        .map(Duration::from_secs)
        .unwrap_or(Duration::from_secs(600));
    Ok(DeviceLogin {
        tapis,
        client_id,
        device_code: code.device_code,
        user_code: code.user_code,
        verification_uri: code.verification_uri,
        expires_in,
        interval: Duration::from_secs(5),
    })
}

impl DeviceLogin {
    /// The code the user enters.
    pub fn user_code(&self) -> &str {
        &self.user_code
    }

    /// Where the user enters it.
    pub fn verification_uri(&self) -> &str {
        &self.verification_uri
    }

    /// How long the code is valid.
    pub fn expires_in(&self) -> Duration {
        self.expires_in
    }

    /// How often the token endpoint is polled (default 5 s).
    #[must_use]
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// Polls until the user approves (the client then holds the tokens),
    /// refuses, or the code expires. While approval is pending the server
    /// answers with an error whose message says `pending`; `slow_down`
    /// adds 5 s to the interval.
    pub async fn wait(mut self) -> Result<Tapis, Error> {
        let deadline = tokio::time::Instant::now() + self.expires_in;
        loop {
            let session = self.tapis.shared().session();
            let grant = Grant::DeviceCode {
                device_code: &self.device_code,
                client_id: &self.client_id,
            };
            let auth = ClientAuth {
                id: Some(&self.client_id),
                key: session.credentials().client_key.as_deref(),
            };
            match request_tokens(session.http(), session.base_url(), grant, auth).await {
                Ok(tokens) => {
                    session.store(tokens);
                    return Ok(self.tapis);
                }
                Err(e) if says(&e, "slow_down") => self.interval += Duration::from_secs(5),
                Err(e) if says(&e, "pending") => {}
                Err(e) => {
                    return Err(Error::Auth {
                        reason: "the device login was not approved".into(),
                        source: Some(Box::new(e)),
                    })
                }
            }
            if tokio::time::Instant::now() + self.interval > deadline {
                return Err(Error::Auth {
                    reason: "the device code expired before the user approved it".into(),
                    source: None,
                });
            }
            tokio::time::sleep(self.interval).await;
        }
    }
}

fn says(e: &Error, word: &str) -> bool {
    matches!(e, Error::Api { message, body_excerpt, .. }
        if message.as_deref().unwrap_or(body_excerpt).to_ascii_lowercase().contains(word))
}
