//! The generator fails loudly (naming spec, place and construct) on what the
//! normalisation does not handle, converts what it does, and is deterministic.

use tapis_codegen::{generate_service, CodegenError, SpecSet};

fn spec(openapi: &str, paths: &str) -> String {
    format!(
        "openapi: {openapi}\ninfo: {{title: t, version: '1'}}\npaths:\n{paths}\ncomponents:\n  schemas:\n    Thing:\n      type: object\n      properties:\n        name: {{type: string}}\n"
    )
}

fn generate(service: &str, text: &str) -> Result<tapis_codegen::Generated, CodegenError> {
    let mut set = SpecSet::default();
    set.add_text(service, "inline", text).unwrap();
    generate_service(service, &set)
}

#[test]
fn unknown_multipart_operation_fails_naming_it() {
    let paths = "  /v3/things/{id}:\n    post:\n      operationId: uploadThing\n      parameters: [{name: id, in: path, required: true, schema: {type: string}}]\n      requestBody:\n        content:\n          multipart/form-data:\n            schema: {type: object, properties: {file: {type: string, format: binary}}}\n      responses:\n        '200': {description: ok}\n";
    let err = generate("things", &spec("3.0.3", paths))
        .unwrap_err()
        .to_string();
    assert!(err.contains("spec `things`"), "{err}");
    assert!(err.contains("POST /v3/things/{id} (uploadThing)"), "{err}");
    assert!(err.contains("multipart/form-data"), "{err}");
}

#[test]
fn openapi_3_1_is_converted_and_unconvertible_keywords_fail() {
    let paths = "  /things:\n    get:\n      operationId: getThing\n      parameters: [{name: q, in: query, schema: {type: [string, 'null']}}]\n      responses:\n        '200':\n          description: ok\n          content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}\n";
    let generated = generate("things", &spec("3.1.0", paths)).unwrap();
    assert_eq!(generated.generated, ["getThing"]);
    assert!(
        generated.code.contains("/v3/things"),
        "the /v3 prefix is added"
    );
    assert!(generated
        .report
        .hits
        .iter()
        .any(|(name, n)| *name == "downgrade_openapi_3_1" && *n > 0));

    let bad = spec("3.1.0", paths).replace(
        "type: [string, 'null']",
        "type: array, prefixItems: [{type: string}]",
    );
    let err = generate("things", &bad).unwrap_err().to_string();
    assert!(
        err.contains("prefixItems") && err.contains("spec `things`"),
        "{err}"
    );
}

#[test]
fn external_ref_to_an_unknown_document_fails() {
    let paths = "  /v3/things:\n    get:\n      operationId: getThings\n      responses:\n        '200':\n          description: ok\n          content: {application/json: {schema: {$ref: 'https://example.org/Other.yaml#/components/schemas/X'}}}\n";
    let err = generate("things", &spec("3.0.3", paths))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("external $ref to an unknown document"),
        "{err}"
    );
    assert!(err.contains("Other.yaml"), "{err}");
}

#[test]
fn generation_of_the_vendored_specs_is_deterministic() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let set = SpecSet::load_dir(&dir).unwrap();
    for service in ["tokens", "workflows"] {
        let a = generate_service(service, &set).unwrap();
        let b = generate_service(service, &set).unwrap();
        assert_eq!(a.code, b.code, "{service}");
    }
}
