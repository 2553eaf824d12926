//! Credentials, tokens, refresh, the token cache's file and tenants: the
//! parts of `tapis::auth` every call needs (see there).

#[doc(hidden)]
pub mod cache;
pub mod grant;
#[doc(hidden)]
pub mod keys;
pub mod session;
#[doc(hidden)]
pub mod tenants;
pub mod token;

pub use cache::default_cache_path;
#[doc(hidden)]
pub use grant::{read_capped, SERVICE_TOKEN_PATH, TOKEN_PATH};
pub use grant::{TOKEN_BODY_LIMIT, TOKEN_REQUEST_TIMEOUT};
#[doc(hidden)]
pub use session::ServiceAccount;
pub use session::{OnRefresh, DEFAULT_REFRESH_MARGIN};
#[doc(hidden)]
pub use session::{Session, SessionConfig, SharedFailure};
pub use tenants::{Tenant, TokenError};
pub use token::{Claims, Token, Tokens};
