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

mod device;

pub(crate) use device::start as start_device_login;
pub use device::DeviceLogin;
pub use tapis_runtime::auth::{
    default_cache_path, Claims, OnRefresh, Tenant, Token, TokenError, Tokens,
    DEFAULT_REFRESH_MARGIN, TOKEN_BODY_LIMIT, TOKEN_REQUEST_TIMEOUT,
};
