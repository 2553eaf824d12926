//! The tenants and sites a service authenticates against, loaded once and
//! kept fresh: each tenant's public key parsed once, a scheduled refresh,
//! and an on-demand refresh (an unknown tenant, a signature a key rotation
//! would explain) that is single-flight and rate-limited.

use std::collections::HashMap;
use std::sync::{Arc, RwLock, Weak};
use std::time::{Duration, Instant};

use jsonwebtoken::DecodingKey;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::auth::Tenant;
use crate::transport::ClientContext;
use crate::{Error, RawRequest};

/// A Tapis site, as `GET /v3/sites` describes it.
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct Site {
    /// The site id (`tacc`, `uh`...).
    pub site_id: String,
    /// Its base URL.
    #[serde(default)]
    pub base_url: Option<String>,
    /// Whether it is the primary site (which may serve other sites'
    /// tenants for services those sites do not run).
    #[serde(default)]
    pub primary: bool,
    /// The tenant the site's services get their tokens in.
    #[serde(default)]
    pub site_admin_tenant_id: Option<String>,
    /// The services the site runs itself.
    #[serde(default)]
    pub services: Vec<String>,
    /// The base URL of any tenant at this site, `${tenant_id}` standing for
    /// the tenant (on the primary site: how other sites' tenants reach the
    /// services their own site does not run).
    #[serde(default)]
    pub tenant_base_url_template: Option<String>,
    /// Every other field.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// One load of `/v3/tenants` and `/v3/sites`.
pub(super) struct Snapshot {
    pub(super) loaded_at: Instant,
    pub(super) tenants: HashMap<String, (Tenant, Option<Arc<DecodingKey>>)>,
    pub(super) sites: HashMap<String, Site>,
    /// Which tenants each host (`name[:port]`, lower case) serves: their
    /// own base URL's, and the primary site's URL for them
    /// (`tenant_base_url_template`). Built once per load, so that checking a
    /// request's host is one lookup.
    pub(super) hosts: HashMap<String, Vec<String>>,
}

impl Snapshot {
    /// The public key of `tenant_id`'s tokens, parsed.
    pub(super) fn key(&self, tenant_id: &str) -> Option<Arc<DecodingKey>> {
        self.tenants.get(tenant_id).and_then(|(_, key)| key.clone())
    }

    /// The site `tenant_id` belongs to.
    pub(super) fn site_of(&self, tenant_id: &str) -> Option<&Site> {
        let (tenant, _) = self.tenants.get(tenant_id)?;
        self.sites.get(tenant.site_id.as_deref()?)
    }
}

/// The tenants and sites of a Tapis, for a service that authenticates
/// requests ([`super::Authenticator`]): loaded with [`TenantDirectory::load`]
/// (`/v3/tenants` and `/v3/sites`, no token needed), each tenant's public
/// key parsed once, shared across threads (cloning is cheap).
///
/// It is refreshed in the background every [`refresh_every`] (default 10
/// minutes), and on demand when a token names a tenant it does not know or
/// fails its signature check (a key rotation): an on-demand refresh is
/// single-flight and happens at most once per [`min_refresh_interval`]
/// (default 30 s), so a flood of forged tokens cannot become a flood of
/// tenant lookups.
///
/// [`refresh_every`]: TenantDirectoryBuilder::refresh_every
/// [`min_refresh_interval`]: TenantDirectoryBuilder::min_refresh_interval
///
/// ```no_run
/// # async fn demo() -> Result<(), tapis::Error> {
/// let admin = tapis::Tapis::builder("https://admin.tapis.io").build()?;
/// let tenants = tapis::service::TenantDirectory::load(&admin).await?;
/// println!("{:?}", tenants.tenant("tacc").map(|t| t.base_url));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct TenantDirectory {
    inner: Arc<Inner>,
}

struct Inner {
    client: ClientContext,
    snapshot: RwLock<Arc<Snapshot>>,
    /// Held while a refresh runs: concurrent askers wait for it.
    refreshing: tokio::sync::Mutex<()>,
    min_refresh_interval: Duration,
    /// How many times the tenants were fetched (for tests and metrics).
    loads: std::sync::atomic::AtomicU64,
}

impl std::fmt::Debug for TenantDirectory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let snapshot = self.snapshot();
        let mut tenants: Vec<&String> = snapshot.tenants.keys().collect();
        tenants.sort();
        f.debug_struct("TenantDirectory")
            .field("base_url", &self.inner.client.base_url())
            .field("tenants", &tenants)
            .field("loaded", &snapshot.loaded_at.elapsed())
            .finish_non_exhaustive()
    }
}

/// Settings of a [`TenantDirectory`]; from [`TenantDirectory::builder`].
#[derive(Debug)]
#[must_use]
pub struct TenantDirectoryBuilder {
    client: ClientContext,
    refresh_every: Option<Duration>,
    min_refresh_interval: Duration,
}

impl TenantDirectoryBuilder {
    /// How often the directory reloads in the background (default 10
    /// minutes); `None` turns the scheduled refresh off.
    pub fn refresh_every(mut self, every: Option<Duration>) -> Self {
        self.refresh_every = every;
        self
    }

    /// The least time between two on-demand refreshes (default 30 s).
    pub fn min_refresh_interval(mut self, interval: Duration) -> Self {
        self.min_refresh_interval = interval;
        self
    }

    /// Loads the tenants and sites; fails if they cannot be fetched. The
    /// scheduled refresh runs on the current Tokio runtime and stops when
    /// the last clone of the directory is dropped.
    pub async fn load(self) -> Result<TenantDirectory, Error> {
        let snapshot = fetch(&self.client).await?;
        let directory = TenantDirectory {
            inner: Arc::new(Inner {
                client: self.client,
                snapshot: RwLock::new(Arc::new(snapshot)),
                refreshing: tokio::sync::Mutex::new(()),
                min_refresh_interval: self.min_refresh_interval,
                loads: std::sync::atomic::AtomicU64::new(1),
            }),
        };
        if let Some(every) = self.refresh_every {
            spawn_refresh(Arc::downgrade(&directory.inner), every);
        }
        Ok(directory)
    }
}

/// Reloads every `every` while the directory lives; a failed reload keeps
/// the previous snapshot (and is logged).
fn spawn_refresh(directory: Weak<Inner>, every: Duration) {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(every).await;
            let Some(inner) = directory.upgrade() else {
                return;
            };
            let directory = TenantDirectory { inner };
            if let Err(e) = directory.reload().await {
                tracing::warn!(error = %e, "scheduled tenant refresh failed; keeping the previous tenants");
            }
        }
    });
}

impl TenantDirectory {
    /// Settings for a directory of the Tapis `client` (a `tapis::Tapis`)
    /// points at.
    pub fn builder(client: &impl AsRef<ClientContext>) -> TenantDirectoryBuilder {
        TenantDirectoryBuilder {
            client: client.as_ref().clone(),
            refresh_every: Some(Duration::from_secs(600)),
            min_refresh_interval: Duration::from_secs(30),
        }
    }

    /// Loads the directory with the default settings.
    pub async fn load(client: &impl AsRef<ClientContext>) -> Result<TenantDirectory, Error> {
        Self::builder(client).load().await
    }

    pub(super) fn snapshot(&self) -> Arc<Snapshot> {
        // A poisoned lock only means a panic elsewhere while swapping an
        // `Arc`: the value inside is whole.
        self.inner
            .snapshot
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The tenant `tenant_id`, as last loaded.
    pub fn tenant(&self, tenant_id: &str) -> Option<Tenant> {
        self.snapshot()
            .tenants
            .get(tenant_id)
            .map(|(t, _)| t.clone())
    }

    /// The site `site_id`, as last loaded.
    pub fn site(&self, site_id: &str) -> Option<Site> {
        self.snapshot().sites.get(site_id).cloned()
    }

    /// How many times the tenants and sites were fetched so far.
    pub fn loads(&self) -> u64 {
        self.inner.loads.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Reloads now unless the last load is more recent than the minimum
    /// refresh interval; concurrent callers share one reload. Returns
    /// whether the tenants were fetched again.
    pub async fn refresh(&self) -> Result<bool, Error> {
        let seen = self.snapshot().loaded_at;
        if seen.elapsed() < self.inner.min_refresh_interval {
            return Ok(false);
        }
        let _guard = self.inner.refreshing.lock().await;
        // Someone else reloaded while this caller waited.
        if self.snapshot().loaded_at != seen {
            return Ok(false);
        }
        self.reload().await?;
        Ok(true)
    }

    async fn reload(&self) -> Result<(), Error> {
        let snapshot = fetch(&self.inner.client).await?;
        self.inner
            .loads
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        *self
            .inner
            .snapshot
            .write()
            .unwrap_or_else(|e| e.into_inner()) = Arc::new(snapshot);
        Ok(())
    }
}

#[derive(Deserialize)]
struct Envelope<T> {
    result: Option<T>,
}

async fn fetch(client: &ClientContext) -> Result<Snapshot, Error> {
    // Both lists come whole (tenants-api pages neither); no token needed.
    let get =
        |path: &'static str| RawRequest::new(client, reqwest::Method::GET, path).without_token();
    let (tenants, sites) = futures_util::future::try_join(
        get("/v3/tenants").send_json::<Envelope<Vec<Tenant>>>(),
        get("/v3/sites").send_json::<Envelope<Vec<Site>>>(),
    )
    .await?;
    let tenants = tenants
        .into_inner()
        .result
        .unwrap_or_default()
        .into_iter()
        .map(|tenant| {
            // A tenant whose key does not parse cannot authenticate anyone;
            // it stays listed, without a key.
            let key = tenant
                .public_key
                .as_deref()
                .and_then(|pem| crate::auth::keys::rsa_public_key(pem).ok())
                .map(Arc::new);
            (tenant.tenant_id.clone(), (tenant, key))
        })
        .collect();
    let sites = sites
        .into_inner()
        .result
        .unwrap_or_default()
        .into_iter()
        .map(|site| (site.site_id.clone(), site))
        .collect();
    let hosts = hosts(&tenants, &sites);
    Ok(Snapshot {
        loaded_at: Instant::now(),
        tenants,
        sites,
        hosts,
    })
}

/// The host index of [`Snapshot::hosts`].
fn hosts(
    tenants: &HashMap<String, (Tenant, Option<Arc<DecodingKey>>)>,
    sites: &HashMap<String, Site>,
) -> HashMap<String, Vec<String>> {
    let template = sites
        .values()
        .find(|site| site.primary)
        .and_then(|site| site.tenant_base_url_template.as_deref());
    let mut hosts: HashMap<String, Vec<String>> = HashMap::new();
    for (tenant, _) in tenants.values() {
        let own = tenant.base_url.as_deref().and_then(host_of);
        let at_primary = template
            .map(|t| t.replace("${tenant_id}", &tenant.tenant_id))
            .as_deref()
            .and_then(host_of);
        let mut add = |host: String| {
            let owners = hosts.entry(host).or_default();
            if !owners.contains(&tenant.tenant_id) {
                owners.push(tenant.tenant_id.clone());
                owners.sort();
            }
        };
        own.into_iter().chain(at_primary).for_each(&mut add);
    }
    hosts
}

/// `name[:port]` of a URL, lower case, the port only when not the
/// scheme's default (as a `Host` header carries it).
fn host_of(url: &str) -> Option<String> {
    let url = url::Url::parse(url.trim()).ok()?;
    let host = url.host_str()?.to_ascii_lowercase();
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}
