//! The OpenAPI document: the handlers' own annotations, plus the error statuses the edge
//! answers for every operation of a kind, added from what each operation declares so that
//! no handler has to repeat them (and none can forget one).
//!
//! The rules follow the extractors: an operation that needs an API key can answer 401; one
//! with a body 400 (not JSON, or not the body's shape), 413, 415 and 422 (each problem
//! listed); one with query parameters 400 (an unknown or malformed parameter, a bad cursor);
//! one with path parameters 404 (an id that names nothing); a public one behind the
//! per-client rate limit 429. An operation that answers pages answers these as pages.

use std::cell::RefCell;
use std::collections::BTreeSet;

use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi as Document, Ref, RefOr};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Puls API",
        description = "Surveys, responses and customer-experience data. Management calls need \
                       `Authorization: Bearer KEY` (create keys with `puls apikey create`); \
                       submitting a response to a published survey needs no key. Errors are \
                       `{\"error\": {\"code\", \"message\", \"details\"}}` with a stable code."
    ),
    modifiers(&SecurityAddon),
    components(schemas(puls_wire::ErrorBody, puls_wire::ErrorInfo, puls_wire::ErrorDetail)),
    tags(
        (name = "surveys", description = "Survey definitions and their lifecycle"),
        (name = "responses", description = "Submitting, reading and exporting responses"),
        (name = "analytics", description = "CX metrics with intervals and tests, key drivers, Kano"),
        (name = "contacts", description = "Contacts: profiles, attributes, consents, merging, invitations"),
        (name = "journeys", description = "Journeys as data, funnels and the journey map"),
        (name = "segments", description = "Saved segments of contacts and their members"),
        (name = "webhooks", description = "Webhooks (Standard Webhooks) and the outbox that delivers them"),
        (name = "distributions", description = "Surveys sent by e-mail: invitations with personal links, reminders, suppression list"),
        (name = "triggers", description = "Invitations that follow behaviour: after an event, with a delay, unless a later event cancels them"),
        (name = "widget", description = "The web and in-app widget: its loader, the question it asks, its settings"),
        (name = "cases", description = "Cases with SLA timers, alert rules on responses, and the SLA policy"),
        (name = "text", description = "Reading comments offline: language, sentiment, aspects, emotion"),
        (name = "events", description = "Behavioural events as stored, and write keys"),
        (name = "tracking", description = "The Segment-compatible tracking API (write key auth)"),
        (name = "pages", description = "Hosted survey pages for respondents (HTML)"),
        (name = "health", description = "Service health and this document")
    )
)]
pub(crate) struct ApiDoc;

struct SecurityAddon;

impl Modify for SecurityAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        // The tracking API's: the write key as the HTTP Basic user (or `writeKey` in the body).
        components.add_security_scheme(
            "write_key",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Basic).build()),
        );
    }
}

/// The OpenAPI document of every route: the handlers' annotations and the edge's statuses.
pub fn openapi_document() -> Document {
    // The public routes pass through `limited`; note their operations on the way.
    let limited = RefCell::new(BTreeSet::new());
    let mut doc = crate::api_router(|r| {
        for (path, item) in &r.get_openapi().paths.paths {
            for (method, _) in operations(item) {
                limited.borrow_mut().insert((path.clone(), method));
            }
        }
        r
    })
    .split_for_parts()
    .1;
    let limited = limited.into_inner();
    for (path, item) in doc.paths.paths.iter_mut() {
        for (method, op) in operations_mut(item) {
            add_edge_statuses(op, limited.contains(&(path.clone(), method)));
        }
    }
    doc
}

/// The operations of a path, by method.
fn operations(item: &PathItem) -> impl Iterator<Item = (&'static str, &Operation)> {
    [
        ("get", &item.get),
        ("put", &item.put),
        ("post", &item.post),
        ("delete", &item.delete),
        ("patch", &item.patch),
    ]
    .into_iter()
    .filter_map(|(m, op)| op.as_ref().map(|op| (m, op)))
}

fn operations_mut(item: &mut PathItem) -> impl Iterator<Item = (&'static str, &mut Operation)> {
    [
        ("get", &mut item.get),
        ("put", &mut item.put),
        ("post", &mut item.post),
        ("delete", &mut item.delete),
        ("patch", &mut item.patch),
    ]
    .into_iter()
    .filter_map(|(m, op)| op.as_mut().map(|op| (m, op)))
}

/// The statuses the extractors and middleware answer, for one operation. An operation that
/// answers pages (a survey page) answers its errors as pages too; the others as JSON.
fn add_edge_statuses(op: &mut Operation, rate_limited: bool) {
    let html = op.responses.responses.values().any(|r| match r {
        RefOr::T(r) => r.content.contains_key("text/html"),
        RefOr::Ref(_) => false,
    });
    let params = op.parameters.as_deref().unwrap_or_default();
    let takes = |place: ParameterIn| {
        params
            .iter()
            .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == place))
    };
    let mut statuses = Vec::new();
    if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
        statuses.push(("401", "No API key, or an unknown or revoked one"));
    }
    if takes(ParameterIn::Query) {
        statuses.push((
            "400",
            "A query parameter is unknown, given twice or malformed, or the cursor is not one this API gave",
        ));
    }
    if op.request_body.is_some() {
        statuses.extend([
            (
                "400",
                "The body is not JSON (or YAML where taken), or not the body's shape",
            ),
            ("413", "The body is larger than the configured limit"),
            (
                "415",
                "The body's content type is not one this endpoint takes",
            ),
            (
                "422",
                "The body was read but is not valid: `details` lists every problem with its path",
            ),
        ]);
    }
    if takes(ParameterIn::Path) {
        statuses.push(("404", "The id names nothing (in this workspace)"));
    }
    if rate_limited {
        statuses.push((
            "429",
            "Too many requests from this client: retry after `Retry-After` seconds",
        ));
    }
    for (status, description) in statuses {
        op.responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| error_response(description, html).into());
    }
}

/// An error response: the API's JSON error body, or a page for the hosted survey pages.
fn error_response(description: &str, html: bool) -> utoipa::openapi::Response {
    let content = if html {
        ("text/html", ContentBuilder::new().build())
    } else {
        (
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
    };
    ResponseBuilder::new()
        .description(description)
        .content(content.0, content.1)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statuses(doc: &Document, path: &str, method: &str) -> Vec<String> {
        let item = &doc.paths.paths[path];
        let (_, op) = operations(item)
            .find(|(m, _)| *m == method)
            .unwrap_or_else(|| panic!("{method} {path}"));
        op.responses.responses.keys().cloned().collect()
    }

    #[test]
    fn each_operation_lists_the_statuses_of_what_it_takes() {
        let doc = openapi_document();
        // Public and rate-limited: the submission, not the owner's read on the same path.
        assert!(statuses(&doc, "/api/v1/responses/{id}", "patch").contains(&"429".into()));
        assert!(!statuses(&doc, "/api/v1/responses/{id}", "get").contains(&"429".into()));
        // A key, a body and a path parameter.
        assert_eq!(
            statuses(&doc, "/api/v1/contacts/{id}/merge", "post"),
            ["200", "400", "401", "404", "413", "415", "422"]
        );
        // Query parameters only.
        assert_eq!(
            statuses(&doc, "/api/v1/events", "get"),
            ["200", "400", "401"]
        );
    }
}
