//! The resource sets of `--set`: for each set, the upstream URL of every
//! service's spec (the same sets tapipy's resource table names: `tapipy`
//! is the specs tapipy bundles, `prod`/`staging`/`dev` each service's own
//! repository at that branch). This table is the one place to edit when a
//! service moves or a new one appears.

/// `(set, service, url)`, by set then service.
pub const RESOURCE_SETS: &[(&str, &str, &str)] = &[
    ("tapipy", "actors", "https://raw.githubusercontent.com/tapis-project/tapipy/prod/tapipy/resources/openapi_v3-actors.yml"),
    ("tapipy", "apps", "https://raw.githubusercontent.com/tapis-project/tapipy/prod/tapipy/resources/openapi_v3-apps.yml"),
    ("tapipy", "authenticator", "https://raw.githubusercontent.com/tapis-project/tapipy/prod/tapipy/resources/openapi_v3-authenticator.yml"),
    ("tapipy", "files", "https://raw.githubusercontent.com/tapis-project/tapipy/prod/tapipy/resources/openapi_v3-files.yml"),
    ("tapipy", "globus-proxy", "https://raw.githubusercontent.com/tapis-project/tapipy/prod/tapipy/resources/openapi_v3-globus-proxy.yml"),
    ("tapipy", "jobs", "https://raw.githubusercontent.com/tapis-project/tapipy/prod/tapipy/resources/openapi_v3-jobs.yml"),
    ("tapipy", "meta", "https://raw.githubusercontent.com/tapis-project/tapipy/prod/tapipy/resources/openapi_v3-meta.yml"),
    ("tapipy", "notifications", "https://raw.githubusercontent.com/tapis-project/tapipy/prod/tapipy/resources/openapi_v3-notifications.yml"),
    ("tapipy", "pgrest", "https://raw.githubusercontent.com/tapis-project/tapipy/prod/tapipy/resources/openapi_v3-pgrest.yml"),
    ("tapipy", "pods", "https://raw.githubusercontent.com/tapis-project/tapipy/main/tapipy/resources/openapi_v3-pods.yml"),
    ("tapipy", "sk", "https://raw.githubusercontent.com/tapis-project/tapipy/prod/tapipy/resources/openapi_v3-sk.yml"),
    ("tapipy", "streams", "https://raw.githubusercontent.com/tapis-project/tapipy/prod/tapipy/resources/openapi_v3-streams.yml"),
    ("tapipy", "systems", "https://raw.githubusercontent.com/tapis-project/tapipy/prod/tapipy/resources/openapi_v3-systems.yml"),
    ("tapipy", "tenants", "https://raw.githubusercontent.com/tapis-project/tapipy/prod/tapipy/resources/openapi_v3-tenants.yml"),
    ("tapipy", "tokens", "https://raw.githubusercontent.com/tapis-project/tapipy/prod/tapipy/resources/openapi_v3-tokens.yml"),
    ("tapipy", "workflows", "https://raw.githubusercontent.com/tapis-project/tapipy/prod/tapipy/resources/openapi_v3-workflows.yml"),
    ("prod", "actors", "https://raw.githubusercontent.com/TACC/abaco/prod-v3/docs/specs/openapi_v3.yml"),
    ("prod", "apps", "https://raw.githubusercontent.com/tapis-project/openapi-apps/prod/AppsAPI.yaml"),
    ("prod", "authenticator", "https://raw.githubusercontent.com/tapis-project/authenticator/prod/service/resources/openapi_v3.yml"),
    ("prod", "files", "https://raw.githubusercontent.com/tapis-project/openapi-files/prod/FilesAPI.yaml"),
    ("prod", "globus-proxy", "https://raw.githubusercontent.com/tapis-project/globus-proxy/prod/service/resources/openapi_v3.yml"),
    ("prod", "jobs", "https://raw.githubusercontent.com/tapis-project/openapi-jobs/prod/JobsAPI.yaml"),
    ("prod", "meta", "https://raw.githubusercontent.com/tapis-project/tapis-client-java/prod/meta-client/src/main/resources/metav3-openapi.yaml"),
    ("prod", "notifications", "https://raw.githubusercontent.com/tapis-project/openapi-notifications/prod/NotificationsAPI.yaml"),
    ("prod", "pgrest", "https://raw.githubusercontent.com/tapis-project/paas/prod/pgrest/resources/openapi_v3.yml"),
    ("prod", "pods", "https://raw.githubusercontent.com/tapis-project/pods_service/prod/docs/openapi_v3-pods.yml"),
    ("prod", "sk", "https://raw.githubusercontent.com/tapis-project/openapi-security/prod/SkAPI.yaml"),
    ("prod", "streams", "https://raw.githubusercontent.com/tapis-project/streams-api/prod/service/resources/openapi_v3.yml"),
    ("prod", "systems", "https://raw.githubusercontent.com/tapis-project/openapi-systems/prod/SystemsAPI.yaml"),
    ("prod", "tenants", "https://raw.githubusercontent.com/tapis-project/tenants-api/prod/service/resources/openapi_v3.yml"),
    ("prod", "tokens", "https://raw.githubusercontent.com/tapis-project/tokens-api/prod/service/resources/openapi_v3.yml"),
    ("prod", "workflows", "https://raw.githubusercontent.com/tapis-project/tapis-workflows/prod/src/api/specs/WorkflowsAPI.yaml"),
    ("staging", "actors", "https://raw.githubusercontent.com/TACC/abaco/dev-v3/docs/specs/openapi_v3.yml"),
    ("staging", "apps", "https://raw.githubusercontent.com/tapis-project/openapi-apps/staging/AppsAPI.yaml"),
    ("staging", "authenticator", "https://raw.githubusercontent.com/tapis-project/authenticator/staging/service/resources/openapi_v3.yml"),
    ("staging", "files", "https://raw.githubusercontent.com/tapis-project/openapi-files/staging/FilesAPI.yaml"),
    ("staging", "globus-proxy", "https://raw.githubusercontent.com/tapis-project/globus-proxy/staging/service/resources/openapi_v3.yml"),
    ("staging", "jobs", "https://raw.githubusercontent.com/tapis-project/openapi-jobs/staging/JobsAPI.yaml"),
    ("staging", "meta", "https://raw.githubusercontent.com/tapis-project/tapis-client-java/staging/meta-client/src/main/resources/metav3-openapi.yaml"),
    ("staging", "notifications", "https://raw.githubusercontent.com/tapis-project/openapi-notifications/staging/NotificationsAPI.yaml"),
    ("staging", "pgrest", "https://raw.githubusercontent.com/tapis-project/paas/staging/pgrest/resources/openapi_v3.yml"),
    ("staging", "pods", "https://raw.githubusercontent.com/tapis-project/pods_service/prod/docs/openapi_v3-pods.yml"),
    ("staging", "sk", "https://raw.githubusercontent.com/tapis-project/openapi-security/staging/SkAPI.yaml"),
    ("staging", "streams", "https://raw.githubusercontent.com/tapis-project/streams-api/staging/service/resources/openapi_v3.yml"),
    ("staging", "systems", "https://raw.githubusercontent.com/tapis-project/openapi-systems/staging/SystemsAPI.yaml"),
    ("staging", "tenants", "https://raw.githubusercontent.com/tapis-project/tenants-api/staging/service/resources/openapi_v3.yml"),
    ("staging", "tokens", "https://raw.githubusercontent.com/tapis-project/tokens-api/staging/service/resources/openapi_v3.yml"),
    ("staging", "workflows", "https://raw.githubusercontent.com/tapis-project/tapis-workflows/stage/src/api/specs/WorkflowsAPI.yaml"),
    ("dev", "actors", "https://raw.githubusercontent.com/TACC/abaco/dev-v3/docs/specs/openapi_v3.yml"),
    ("dev", "apps", "https://raw.githubusercontent.com/tapis-project/openapi-apps/dev/AppsAPI.yaml"),
    ("dev", "authenticator", "https://raw.githubusercontent.com/tapis-project/authenticator/dev/service/resources/openapi_v3.yml"),
    ("dev", "files", "https://raw.githubusercontent.com/tapis-project/openapi-files/dev/FilesAPI.yaml"),
    ("dev", "globus-proxy", "https://raw.githubusercontent.com/tapis-project/globus-proxy/dev/service/resources/openapi_v3.yml"),
    ("dev", "jobs", "https://raw.githubusercontent.com/tapis-project/openapi-jobs/dev/JobsAPI.yaml"),
    ("dev", "meta", "https://raw.githubusercontent.com/tapis-project/tapis-client-java/dev/meta-client/src/main/resources/metav3-openapi.yaml"),
    ("dev", "notifications", "https://raw.githubusercontent.com/tapis-project/openapi-notifications/dev/NotificationsAPI.yaml"),
    ("dev", "pgrest", "https://raw.githubusercontent.com/tapis-project/paas/dev/pgrest/resources/openapi_v3.yml"),
    ("dev", "pods", "https://raw.githubusercontent.com/tapis-project/pods_service/prod/docs/openapi_v3-pods.yml"),
    ("dev", "sk", "https://raw.githubusercontent.com/tapis-project/openapi-security/dev/SkAPI.yaml"),
    ("dev", "streams", "https://raw.githubusercontent.com/tapis-project/streams-api/dev/service/resources/openapi_v3.yml"),
    ("dev", "systems", "https://raw.githubusercontent.com/tapis-project/openapi-systems/dev/SystemsAPI.yaml"),
    ("dev", "tenants", "https://raw.githubusercontent.com/tapis-project/tenants-api/dev/service/resources/openapi_v3.yml"),
    ("dev", "tokens", "https://raw.githubusercontent.com/tapis-project/tokens-api/dev/service/resources/openapi_v3.yml"),
    ("dev", "workflows", "https://raw.githubusercontent.com/tapis-project/tapis-workflows/dev/src/api/specs/WorkflowsAPI.yaml"),
];

/// The `(service, url)` pairs of a resource set.
pub fn resource_set(name: &str) -> Result<Vec<(&'static str, &'static str)>, String> {
    let set: Vec<_> = RESOURCE_SETS
        .iter()
        .filter(|(s, _, _)| *s == name)
        .map(|(_, service, url)| (*service, *url))
        .collect();
    if set.is_empty() {
        let mut names: Vec<&str> = RESOURCE_SETS.iter().map(|(s, _, _)| *s).collect();
        names.dedup();
        return Err(format!(
            "unknown resource set `{name}`; known: {}",
            names.join(", ")
        ));
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_set_names_every_vendored_service_once() {
        let specs =
            tapis_codegen::SpecSet::load_dir(&crate::workspace_root().join("specs")).unwrap();
        let vendored: Vec<&str> = specs.services().collect();
        for set in ["tapipy", "prod", "staging", "dev"] {
            let mut services: Vec<&str> =
                resource_set(set).unwrap().iter().map(|(s, _)| *s).collect();
            services.sort();
            assert_eq!(services, vendored, "{set}");
        }
        assert!(resource_set("qa")
            .unwrap_err()
            .contains("tapipy, prod, staging, dev"));
    }
}
