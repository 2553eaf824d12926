//! Authentication: credentials, tokens, automatic refresh, the token cache,
//! device login and tenants.
//!
//! A client authenticates with whatever it is given on [`crate::TapisBuilder`]:
//! an access token, a refresh token (with or without the OAuth client's id
//! and key), a username and password, or a device login. Before each call
//! the access token is checked: when it expires within the refresh margin
//! (default 60 s, [`crate::TapisBuilder::refresh_margin`]) and a refresh is
//! possible, it is refreshed first — once, however many calls are waiting
//! — and a call that gets a 401 is refreshed and retried once. A refresh
//! that fails fails the call with [`crate::Error::Auth`] carrying the cause;
//! nothing is sent with a stale token.

pub(crate) mod cache;
pub(crate) mod device;
mod grant;
pub(crate) mod keys;
mod session;
pub(crate) mod tenants;
mod token;

pub use cache::default_cache_path;
pub use device::DeviceLogin;
pub(crate) use grant::{read_capped, SERVICE_TOKEN_PATH, TOKEN_PATH};
pub use grant::{TOKEN_BODY_LIMIT, TOKEN_REQUEST_TIMEOUT};
#[allow(unused_imports)] // used by feature `service`
pub(crate) use session::ServiceAccount;
pub use session::{OnRefresh, DEFAULT_REFRESH_MARGIN};
pub(crate) use session::{Session, SessionConfig, SharedFailure};
pub use tenants::{Tenant, TokenError};
pub use token::{Claims, Token, Tokens};
