//! Running progenitor on one normalised spec.

use std::panic::{catch_unwind, AssertUnwindSafe};

use progenitor_impl::{GenerationSettings, Generator, InterfaceStyle, TagStyle};
use quote::quote;

use crate::normalize::{self, Report};
use crate::operations::{self, Operation};
use crate::{postprocess, validate, CodegenError, SpecSet};

/// The generated client of one service.
#[derive(Debug)]
pub struct Generated {
    /// Formatted Rust source, to be `include!`d inside the service module.
    pub code: String,
    /// What the normalisation pass did.
    pub report: Report,
    /// Every operation of the spec, generated or hand-written.
    pub operations: Vec<Operation>,
    /// operationIds of the operations found in the generated code.
    pub generated: Vec<String>,
    /// operationIds of the operations whose builders have `.paginate()`.
    pub paginated: Vec<String>,
    /// The spec's `info.version`.
    pub spec_version: String,
    /// Every operation as the server routes it (hand-written ones included).
    pub routes: Vec<Route>,
    /// `async fn <module>(client, operationId, args)` for the conformance
    /// suite, which alone compiles it.
    pub dispatch: String,
}

/// Where an operation is served: its normalised path template, in which a
/// file-path parameter (one that may hold `/`) is marked `{name*}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub operation_id: String,
    /// Upper case (`GET`).
    pub method: String,
    pub template: String,
}

/// Normalises, validates and generates one service of `set`.
pub fn generate_service(service: &str, set: &SpecSet) -> Result<Generated, CodegenError> {
    let raw = set.get(service).ok_or_else(|| CodegenError::Parse {
        service: service.to_string(),
        source_name: "spec set".to_string(),
        reason: "no such service".to_string(),
    })?;
    let all_operations = operations::list(service, raw);
    let normalized = normalize::run(service, raw, set)?;
    validate::check(service, &normalized.spec)?;

    let openapi: openapiv3::OpenAPI =
        serde_json::from_value(normalized.spec.clone()).map_err(|e| CodegenError::Parse {
            service: service.to_string(),
            source_name: "normalised spec".to_string(),
            reason: e.to_string(),
        })?;

    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_inner_type(quote!(crate::transport::ClientContext));
    let mut generator = Generator::new(&settings);

    // progenitor reports some unsupported constructs with todo!/assert!: turn a
    // panic into an error that names the spec instead of an opaque build crash.
    let tokens = catch_unwind(AssertUnwindSafe(|| generator.generate_tokens(&openapi)))
        .map_err(|panic| CodegenError::Progenitor {
            service: service.to_string(),
            reason: panic_message(&panic),
        })?
        .map_err(|e| CodegenError::Progenitor {
            service: service.to_string(),
            reason: e.to_string(),
        })?;

    let file: syn::File = syn::parse2(tokens).map_err(|e| CodegenError::Postprocess {
        service: service.to_string(),
        reason: e.to_string(),
    })?;
    let rewritten = postprocess::run(service, file, &normalized)?;
    let routes = routes(&all_operations, &normalized);
    Ok(Generated {
        routes,
        dispatch: rewritten.dispatch,
        code: prettyplease::unparse(&rewritten.file),
        generated: rewritten.generated,
        paginated: rewritten.paginated,
        report: normalized.report,
        operations: all_operations,
        spec_version: raw["info"]["version"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    })
}

/// The routes of `operations` (raw spec paths) once prefixed with `/v3`, as
/// normalisation does, with file-path parameters marked.
fn routes(operations: &[Operation], normalized: &normalize::Normalized) -> Vec<Route> {
    operations
        .iter()
        .map(|op| {
            let path = if op.path == "/v3" || op.path.starts_with("/v3/") {
                op.path.clone()
            } else {
                format!("/v3{}", op.path)
            };
            let mut template = path.clone();
            for name in normalized.path_like.get(&path).into_iter().flatten() {
                template = template.replace(&format!("{{{name}}}"), &format!("{{{name}*}}"));
            }
            Route {
                operation_id: op.operation_id.clone(),
                method: op.method.to_uppercase(),
                template,
            }
        })
        .collect()
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic without message".to_string()
    }
}
