//! Survey management: create (JSON and YAML), read, list, versions, lifecycle, delete.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::fixtures::nps_survey;
use crate::helpers::{TestApp, details, expect_error, json_of, pairs};

both_backends!(a_new_survey_is_a_draft_whose_definition_reads_back);
async fn a_new_survey_is_a_draft_whose_definition_reads_back(app: TestApp) {
    let created = app.create_survey(&nps_survey()).await;
    let id = created["id"].as_str().expect("an id");
    assert_eq!(created["status"], "draft");
    assert_eq!(created["version"], 1);
    assert_eq!(created["title"], "Checkout feedback");
    assert_eq!(created["touchpoint"], "checkout");
    assert_eq!(created["links"]["page"], app.url(&format!("/s/{id}")));
    assert_eq!(created["links"]["qr"], app.url(&format!("/s/{id}/qr.svg")));
    let definition = &created["definition"];
    assert_eq!(definition["questions"][0]["id"], "nps");
    assert_eq!(definition["questions"][0]["required"], true);
    assert_eq!(definition["questions"][1]["type"], "open_text");

    let read = app.get_json(&format!("/api/v1/surveys/{id}")).await;
    assert_eq!(read["definition"], *definition);
    assert_eq!(read["status"], "draft");

    let list = app.get_json("/api/v1/surveys").await;
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], id);
    assert!(
        items[0].get("definition").is_none(),
        "lists leave definitions out"
    );

    let published = app.publish(id).await;
    assert_eq!(published["version"], 1);
    let closed = app.close(id).await;
    assert_eq!(closed["status"], "closed");
}

both_backends!(every_demo_survey_is_accepted_and_reads_back_in_canonical_form);
async fn every_demo_survey_is_accepted_and_reads_back_in_canonical_form(app: TestApp) {
    for demo in puls_demo::surveys() {
        let canonical = puls_core::Survey::parse(&demo.definition)
            .unwrap_or_else(|e| panic!("demo survey {} is invalid: {e}", demo.key))
            .to_value();
        let created = app
            .create_survey(&puls_store::json::to_json(&demo.definition))
            .await;
        let id = created["id"].as_str().expect("an id");
        let read = app.get_json(&format!("/api/v1/surveys/{id}")).await;
        assert_eq!(
            read["definition"],
            puls_store::json::to_json(&canonical),
            "{} reads back as stored",
            demo.key
        );
        // The canonical form is a fixed point: sending it back changes nothing.
        let (status, updated) = json_of(app.put_survey(id, &read["definition"]).await).await;
        assert_eq!(status, StatusCode::OK, "{updated}");
        assert_eq!(updated["definition"], read["definition"], "{}", demo.key);
    }
    let list = app.get_json("/api/v1/surveys").await;
    assert_eq!(
        list["items"].as_array().map(Vec::len),
        Some(puls_demo::surveys().len())
    );
}

const YAML_SURVEY: &str = "\
title:
  en: Support chat
  cs: Podpora
locales: [en, cs]
touchpoint: support
channel: chat
questions:
  - id: ces
    type: ces
    required: true
    text:
      en: How easy was it to get help?
      cs: Jak snadné bylo získat pomoc?
  - id: solved
    type: single_choice
    text: { en: Was it solved?, cs: Vyřešili jsme to? }
    options:
      - { id: 'yes', text: { en: 'Yes', cs: Ano } }
      - { id: 'no', text: { en: 'No', cs: Ne } }
";

both_backends!(a_yaml_definition_is_accepted_with_content_type_application_yaml);
async fn a_yaml_definition_is_accepted_with_content_type_application_yaml(app: TestApp) {
    for content_type in ["application/yaml", "text/yaml"] {
        let resp = app
            .request(Method::POST, "/api/v1/surveys")
            .header("content-type", content_type)
            .body(YAML_SURVEY)
            .send()
            .await
            .expect("POST");
        let (status, body) = json_of(resp).await;
        assert_eq!(status, StatusCode::CREATED, "{content_type}: {body}");
        assert_eq!(body["touchpoint"], "support");
        assert_eq!(body["title"], "Support chat");
        assert_eq!(body["definition"]["channel"], "chat");
        assert_eq!(
            body["definition"]["questions"][1]["options"][0]["id"],
            "yes"
        );
        assert_eq!(
            body["definition"]["questions"][0]["text"]["cs"],
            "Jak snadné bylo získat pomoc?"
        );
    }

    let resp = app
        .request(Method::POST, "/api/v1/surveys")
        .header("content-type", "application/yaml")
        .body("title: [unclosed")
        .send()
        .await
        .expect("POST");
    expect_error(resp, 400, "malformed_yaml").await;
}

both_backends!(a_definition_with_several_problems_is_rejected_listing_every_one_with_its_path);
async fn a_definition_with_several_problems_is_rejected_listing_every_one_with_its_path(
    app: TestApp,
) {
    let bad = json!({
        "title": { "en": "Broken" },
        "locales": ["en"],
        "touchpoint": "Check Out",
        "colour": "red",
        "questions": [
            { "id": "nps", "type": "nps", "text": { "en": "Recommend?" } },
            { "id": "nps", "type": "csat", "text": { "en": "Satisfied?" } },
            { "id": "stars", "type": "rating", "min": 5, "max": 1, "text": { "en": "Stars" } },
            { "id": "pick", "type": "single_choice", "text": { "en": "Pick" }, "options": [] },
            { "id": "slide", "type": "slider", "text": { "en": "Slide" } },
            { "id": "later", "type": "nps", "text": { "en": "Again?" },
              "show_if": { "question": "never", "op": "eq", "value": 1 } }
        ]
    });
    let body = expect_error(app.post_survey(&bad).await, 422, "validation_failed").await;
    let mut got = details(&body);
    got.sort();
    let mut want = pairs(&[
        ("colour", "unknown_field"),
        ("touchpoint", "invalid_id"),
        ("questions[1].id", "duplicate_id"),
        ("questions[2].max", "min_not_below_max"),
        ("questions[3].options", "empty"),
        ("questions[4].type", "not_one_of"),
        ("questions[5].show_if.question", "unknown_question"),
    ]);
    want.sort();
    assert_eq!(got, want, "{body}");
    for d in body["error"]["details"].as_array().expect("details") {
        assert!(d["message"].as_str().is_some_and(|m| !m.is_empty()), "{d}");
    }
    let list = app.get_json("/api/v1/surveys").await;
    assert_eq!(list["items"], json!([]), "nothing is stored");
}

/// Version 2 of [`nps_survey`]: the NPS question is replaced by a CSAT one.
fn csat_version() -> Value {
    let mut v2 = nps_survey();
    v2["title"] = json!({ "en": "Checkout feedback v2" });
    v2["questions"][0] = json!({
        "id": "csat", "type": "csat", "required": true,
        "text": { "en": "How satisfied are you with checkout?" }
    });
    v2
}

both_backends!(updating_a_survey_adds_version_2_and_version_1_stays_readable);
async fn updating_a_survey_adds_version_2_and_version_1_stays_readable(app: TestApp) {
    let id = app.published_survey(&nps_survey()).await;
    let first = app.answer(&id, json!({ "nps": 9 })).await;

    let (status, updated) = json_of(app.put_survey(&id, &csat_version()).await).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["version"], 2);
    assert_eq!(updated["status"], "published", "an update keeps the status");
    assert_eq!(updated["title"], "Checkout feedback v2");

    let current = app.get_json(&format!("/api/v1/surveys/{id}")).await;
    assert_eq!(current["version"], 2);
    assert_eq!(current["definition"]["questions"][0]["id"], "csat");
    let old = app
        .get_json(&format!("/api/v1/surveys/{id}?version=1"))
        .await;
    assert_eq!(old["version"], 1);
    assert_eq!(old["definition"]["questions"][0]["id"], "nps");
    expect_error(
        app.get(&format!("/api/v1/surveys/{id}?version=3")).await,
        404,
        "not_found",
    )
    .await;

    // New responses answer version 2; the old one keeps version 1.
    let second = app
        .submit_ok(&id, &json!({ "answers": { "csat": 5 } }))
        .await;
    assert_eq!(second["survey_version"], 2);
    let body = expect_error(
        app.submit(&id, &json!({ "answers": { "nps": 9 } })).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        details(&body),
        pairs(&[("answers.nps", "unknown_question")])
    );
    assert_eq!(app.response(&first).await["survey_version"], 1);

    // An invalid update is refused whole and adds no version.
    let mut broken = csat_version();
    broken["questions"][0]["type"] = json!("stars");
    expect_error(app.put_survey(&id, &broken).await, 422, "validation_failed").await;
    assert_eq!(
        app.get_json(&format!("/api/v1/surveys/{id}")).await["version"],
        2
    );
}

both_backends!(deleting_a_survey_removes_it_with_its_responses);
async fn deleting_a_survey_removes_it_with_its_responses(app: TestApp) {
    let id = app.published_survey(&nps_survey()).await;
    let kept = app.published_survey(&nps_survey()).await;
    let gone = app.answer(&id, json!({ "nps": 3 })).await;
    app.answer(&id, json!({ "nps": 10 })).await;
    let other = app.answer(&kept, json!({ "nps": 7 })).await;

    let resp = app
        .request(Method::DELETE, &format!("/api/v1/surveys/{id}"))
        .send()
        .await
        .expect("DELETE");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);

    expect_error(
        app.get(&format!("/api/v1/surveys/{id}")).await,
        404,
        "not_found",
    )
    .await;
    expect_error(
        app.get(&format!("/api/v1/responses/{gone}")).await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(
        app.response_ids("").await,
        vec![other],
        "only the other survey's response is left"
    );
    expect_error(
        app.submit(&id, &json!({ "answers": { "nps": 9 } })).await,
        404,
        "not_found",
    )
    .await;
    let again = app
        .request(Method::DELETE, &format!("/api/v1/surveys/{id}"))
        .send()
        .await
        .expect("DELETE");
    expect_error(again, 404, "not_found").await;
}
