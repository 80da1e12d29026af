//! The OpenAPI document and the health check.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{TestApp, json_of};

/// Every `$ref` anywhere in a JSON tree.
fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r),
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| refs(i, out)),
        _ => {}
    }
}

both_backends!(the_openapi_document_describes_every_api_path_and_every_schema_it_references);
async fn the_openapi_document_describes_every_api_path_and_every_schema_it_references(
    app: TestApp,
) {
    let resp = app
        .anonymous(Method::GET, "/api/v1/openapi.json")
        .send()
        .await
        .expect("GET");
    let (status, doc) = json_of(resp).await;
    assert_eq!(status, StatusCode::OK);
    let version = doc["openapi"].as_str().expect("an openapi version");
    assert!(version.starts_with("3."), "{version}");
    assert!(doc["info"]["title"].is_string());

    let paths = doc["paths"].as_object().expect("paths");
    let want = [
        ("/api/v1/surveys", &["get", "post"][..]),
        ("/api/v1/surveys/{id}", &["get", "put", "delete"]),
        ("/api/v1/surveys/{id}/publish", &["post"]),
        ("/api/v1/surveys/{id}/close", &["post"]),
        ("/api/v1/surveys/{id}/responses", &["post"]),
        ("/api/v1/responses", &["get"]),
        ("/api/v1/responses/{id}", &["get", "patch"]),
        ("/api/v1/responses/export", &["get"]),
        ("/api/v1/metrics", &["get"]),
        ("/api/v1/drivers", &["get"]),
        ("/api/v1/surveys/{id}/kano", &["get"]),
        ("/healthz", &["get"]),
    ];
    for (path, methods) in want {
        let item = paths.get(path).unwrap_or_else(|| {
            panic!(
                "{path} is missing; documented: {:?}",
                paths.keys().collect::<Vec<_>>()
            )
        });
        for m in methods {
            assert!(item.get(*m).is_some(), "{m} {path} is not documented");
        }
    }

    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(!all.is_empty(), "the document references its schemas");
    let schemas = doc["components"]["schemas"]
        .as_object()
        .expect("component schemas");
    for r in all {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unexpected reference {r}"));
        assert!(schemas.contains_key(name), "{r} points at no schema");
    }
    for name in [
        "ErrorBody",
        "SurveyDto",
        "SubmitResponse",
        "SubmitResult",
        "ResponseDto",
        "ResponsePage",
    ] {
        assert!(schemas.contains_key(name), "schema {name} is missing");
    }
}

both_backends!(the_health_check_answers_ok_with_the_backend_name);
async fn the_health_check_answers_ok_with_the_backend_name(app: TestApp) {
    let resp = app
        .anonymous(Method::GET, "/healthz")
        .send()
        .await
        .expect("GET");
    let (status, body) = json_of(resp).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    let backend = match app.backend {
        crate::helpers::Backend::Sqlite => "sqlite",
        crate::helpers::Backend::Postgres => "postgres",
    };
    assert_eq!(body["database"], backend);
}
