//! Where a service account's call goes, and with which of its tokens
//! (`TapisBuilder::tenant_directory`).
//!
//! A Tapis service acts for users of many tenants, and those tenants belong
//! to sites: the primary site, which runs every service, and associate
//! sites, which run some. tapisservice (tapis-project/tapipy-tapisservice
//! e164e3d, `tenants.py::get_site_and_base_url_for_service_request` and
//! `auth.py::preprocess_service_request`) sends each request to a base URL
//! chosen from the request's tenant (its `X-Tapis-Tenant`) and the service
//! called, with a service token whose `target_site` is that site; it holds
//! one token per site (`get_service_tokens`, all from the Tokens API of the
//! service's own site). The rules, for tenant `T` and service `S`:
//!
//! 1. the Tenants API (`/v3/tenants`, `/v3/sites`) is asked at the primary
//!    site, under the primary site's admin tenant's base URL;
//! 2. the Security Kernel and the Tokens API are the service's own site's
//!    when `T` belongs to it (at `T`'s base URL), else the primary site's;
//! 3. a service `T`'s site runs itself is asked there, at `T`'s base URL;
//! 4. anything else goes to the primary site, at the base URL its
//!    `tenant_base_url_template` gives for `T`.
//!
//! One deliberate difference in rule 3: tapisservice uses a token for the
//! service's own site there, while the service that receives the request
//! runs at `T`'s site and refuses a token whose `tapis/target_site` is not
//! its own (tapisservice `auth.py`, "token's target_site ... does not match
//! service's site_id"). The token used here is for `T`'s site; the two
//! agree whenever `T` belongs to the service's own site.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use reqwest::header::HeaderValue;

use super::directory::{Site, Snapshot};
use super::TenantDirectory;
use crate::auth::{Session, SessionConfig};
use crate::transport::TENANT_HEADER;
use crate::Error;

/// A service account's routes: the directory they are read from, and one
/// session (so one token, refreshed on its own) per site other than the
/// service's own, made on first use.
#[doc(hidden)]
pub struct Routes {
    directory: TenantDirectory,
    /// The site the service runs at (its tokens' home).
    home_site: String,
    /// The tenant of calls that name none (the site admin tenant).
    home_tenant: String,
    /// The client's base URL: the part of each request URL a route replaces.
    base_url: String,
    allow_http: bool,
    /// What a new site's session is made from: the home session's
    /// credentials (the token request always goes to the home site's Tokens
    /// API), with another `target_site_id`.
    template: SessionTemplate,
    sessions: Mutex<HashMap<String, Arc<Session>>>,
}

struct SessionTemplate {
    http: reqwest::Client,
    config: SessionConfig,
}

/// Where one request goes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[doc(hidden)]
pub struct Route {
    pub site_id: String,
    pub base_url: String,
}

impl Routes {
    /// Routes for the service account of `session` (whose base URL is the
    /// client's). Fails when the account has no site.
    #[doc(hidden)]
    pub fn new(
        directory: TenantDirectory,
        session: &Session,
        allow_http: bool,
    ) -> Result<Routes, Error> {
        let credentials = session.credentials().clone();
        let (Some(service), Some(tenant)) = (&credentials.service, &credentials.tenant_id) else {
            return Err(Error::Config(
                "`tenant_directory` routes a service account's calls: it needs \
                 `service_account(name, password)` and `tenant_id`"
                    .into(),
            ));
        };
        let Some(site) = service.site_id.clone() else {
            return Err(Error::Config(
                "`tenant_directory` needs the service's own site (`site_id`)".into(),
            ));
        };
        Ok(Routes {
            directory,
            home_site: site,
            home_tenant: tenant.clone(),
            base_url: session.base_url().to_string(),
            allow_http,
            template: SessionTemplate {
                http: session.http().clone(),
                config: SessionConfig {
                    credentials,
                    margin: session.margin(),
                    ..SessionConfig::default()
                },
            },
            sessions: Mutex::new(HashMap::new()),
        })
    }

    /// Sends `request` where its tenant and service say: rewrites its base
    /// URL, and returns the session whose token it must carry (`None`: the
    /// client's own). A request whose URL is not under the client's base URL
    /// is left alone.
    #[doc(hidden)]
    pub async fn apply(
        &self,
        request: &mut reqwest::Request,
    ) -> Result<Option<Arc<Session>>, Error> {
        let url = request.url().as_str();
        let Some(rest) = url
            .strip_prefix(self.base_url.as_str())
            .filter(|rest| rest.is_empty() || rest.starts_with('/'))
        else {
            return Ok(None);
        };
        let Some(service) = service_of(rest) else {
            return Ok(None);
        };
        let tenant = match request
            .headers()
            .get(TENANT_HEADER)
            .map(HeaderValue::to_str)
        {
            Some(Ok(tenant)) => tenant.to_string(),
            Some(Err(_)) => {
                return Err(Error::InvalidInput(
                    "`X-Tapis-Tenant` is not plain text".into(),
                ))
            }
            None => self.home_tenant.clone(),
        };
        let route = self.route(&tenant, service).await?;
        if route.base_url != self.base_url {
            let moved = format!("{}{rest}", route.base_url);
            *request.url_mut() = url::Url::parse(&moved).map_err(|e| {
                Error::Config(format!(
                    "the base URL the Tenants API gives for tenant `{tenant}` does not make a \
                     URL: {e}"
                ))
            })?;
        }
        Ok(self.session(&route.site_id))
    }

    /// The route of a request in `tenant` to `service` (its name as sites
    /// list them: `systems`, `security`, `tokens`...). An unknown tenant
    /// refreshes the directory once (rate-limited) before it is refused.
    #[doc(hidden)]
    pub async fn route(&self, tenant: &str, service: &str) -> Result<Route, Error> {
        let mut snapshot = self.directory.snapshot();
        if service != "tenants" && !snapshot.tenants.contains_key(tenant) {
            // A tenant created since the last load; a failed reload leaves
            // the answer to the current snapshot.
            if let Err(e) = self.directory.refresh().await {
                tracing::warn!(error = %e, "tenant refresh failed");
            }
            snapshot = self.directory.snapshot();
        }
        let route = resolve(&snapshot, &self.home_site, tenant, service)?;
        let base_url = crate::transport::normalize_base_url(&route.base_url, self.allow_http)
            .map_err(|e| {
                Error::Config(format!(
                    "the route of tenant `{tenant}` to `{service}` (site `{}`): {e}",
                    route.site_id
                ))
            })?;
        Ok(Route {
            site_id: route.site_id,
            base_url,
        })
    }

    /// The session holding the token for `site` (`None`: the home site's,
    /// which is the client's own session).
    fn session(&self, site: &str) -> Option<Arc<Session>> {
        if site == self.home_site {
            return None;
        }
        let mut sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        let session = sessions.entry(site.to_string()).or_insert_with(|| {
            let mut config = self.template.config.clone();
            if let Some(service) = &mut config.credentials.service {
                service.site_id = Some(site.to_string());
            }
            Arc::new(Session::new(
                &self.base_url,
                self.template.http.clone(),
                config,
            ))
        });
        Some(session.clone())
    }
}

/// The service a path under the base URL is for, named as sites list their
/// services (`/v3/oauth2/..` is the authenticator's, `/v3/sites` the
/// Tenants API's, `/v3/security/..` the Security Kernel's).
fn service_of(path: &str) -> Option<&str> {
    let segment = path.strip_prefix("/v3/")?.split(['/', '?']).next()?;
    Some(match segment {
        "oauth2" => "authenticator",
        "sites" => "tenants",
        "" => return None,
        other => other,
    })
}

/// tapisservice's routing rules over one snapshot of the directory.
fn resolve(
    snapshot: &Snapshot,
    home_site: &str,
    tenant_id: &str,
    service: &str,
) -> Result<Route, Error> {
    let primary = || {
        snapshot
            .sites
            .values()
            .find(|site| site.primary)
            .ok_or_else(|| Error::Config("the Tenants API lists no primary site".into()))
    };
    let tenant_base_url = |tenant_id: &str| {
        snapshot
            .tenants
            .get(tenant_id)
            .and_then(|(tenant, _)| tenant.base_url.clone())
            .ok_or_else(|| {
                Error::Config(format!(
                    "the Tenants API gives tenant `{tenant_id}` no base URL"
                ))
            })
    };
    if service == "tenants" {
        let primary = primary()?;
        let base_url = match &primary.site_admin_tenant_id {
            Some(admin) => tenant_base_url(admin)?,
            None => primary.base_url.clone().ok_or_else(|| {
                Error::Config(format!(
                    "the Tenants API gives the primary site `{}` no admin tenant and no base URL",
                    primary.site_id
                ))
            })?,
        };
        return Ok(Route {
            site_id: primary.site_id.clone(),
            base_url,
        });
    }
    let Some((tenant, _)) = snapshot.tenants.get(tenant_id) else {
        return Err(Error::InvalidInput(format!(
            "on behalf of tenant `{tenant_id}`: the Tenants API lists no such tenant"
        )));
    };
    let tenant_site = tenant.site_id.as_deref();
    let at_tenant = |site_id: &str| -> Result<Route, Error> {
        Ok(Route {
            site_id: site_id.to_string(),
            base_url: tenant_base_url(tenant_id)?,
        })
    };
    let at_primary = || -> Result<Route, Error> {
        let primary = primary()?;
        Ok(Route {
            site_id: primary.site_id.clone(),
            base_url: primary_base_url(primary, tenant_id)?,
        })
    };
    if matches!(service, "security" | "sk" | "tokens") {
        return if tenant_site == Some(home_site) {
            at_tenant(home_site)
        } else {
            at_primary()
        };
    }
    let hosted = tenant_site
        .and_then(|site| snapshot.sites.get(site))
        .filter(|site| site.services.iter().any(|s| s == service));
    match hosted {
        Some(site) => at_tenant(&site.site_id),
        None => at_primary(),
    }
}

/// The base URL of `tenant_id` at the primary site: its
/// `tenant_base_url_template` with `${tenant_id}` replaced.
fn primary_base_url(primary: &Site, tenant_id: &str) -> Result<String, Error> {
    let template = primary.tenant_base_url_template.as_deref().ok_or_else(|| {
        Error::Config(format!(
            "the primary site `{}` has no `tenant_base_url_template`, needed to reach tenant \
                 `{tenant_id}` there",
            primary.site_id
        ))
    })?;
    Ok(template.replace("${tenant_id}", tenant_id))
}

#[cfg(test)]
mod tests {
    use super::service_of;

    #[test]
    fn services_are_named_as_sites_list_them() {
        assert_eq!(service_of("/v3/systems/s1"), Some("systems"));
        assert_eq!(service_of("/v3/oauth2/tokens"), Some("authenticator"));
        assert_eq!(service_of("/v3/sites"), Some("tenants"));
        assert_eq!(service_of("/v3/tenants?limit=1"), Some("tenants"));
        assert_eq!(service_of("/v3/security/user/roles"), Some("security"));
        assert_eq!(service_of("/v3/globus-proxy/ops"), Some("globus-proxy"));
        assert_eq!(service_of("/v3/"), None);
        assert_eq!(service_of("/health"), None);
    }
}
