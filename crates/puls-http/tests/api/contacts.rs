//! Contacts over HTTP: create or update, read, list, change, conflicts, delete, merge, and
//! a contact's responses (by external id, email or invitation) and events.

use reqwest::Method;
use serde_json::{Value, json};

use crate::customer_helpers::{T0, track};
use crate::helpers::{TestApp, details, expect_error, json_of, pairs};

async fn post(app: &TestApp, body: Value) -> (u16, Value) {
    let (s, b) = json_of(app.send_json(Method::POST, "/api/v1/contacts", &body).await).await;
    (s.as_u16(), b)
}

both_backends!(contacts_are_created_updated_read_and_kept_unique);
async fn contacts_are_created_updated_read_and_kept_unique(app: TestApp) {
    let (status, ala) = post(
        &app,
        json!({"external_id": "c-1", "email": "Ala@Example.com", "name": "Ala", "locale": "pl",
               "phone": "+48 600 100 200",
               "attributes": {"plan": "pro", "orders": 3, "vip": true, "signup": "2025-04-01"},
               "consents": {"email_marketing": true,
                            "sms": {"granted": false, "at": "2026-01-02T03:04:05Z"}}}),
    )
    .await;
    assert_eq!(status, 201, "{ala}");
    assert_eq!(ala["email"], "ala@example.com");
    assert_eq!(ala["phone"], "+48600100200");
    assert_eq!(
        ala["attributes"],
        json!({"plan": "pro", "orders": 3, "vip": true, "signup": "2025-04-01"})
    );
    assert_eq!(ala["consents"]["email_marketing"]["granted"], true);
    assert_eq!(
        ala["consents"]["sms"],
        json!({"granted": false, "at": "2026-01-02T03:04:05.000Z"})
    );
    let id = ala["id"].as_str().unwrap().to_string();

    // Posting the same external id again updates (200), merging attributes.
    let (status, again) = post(
        &app,
        json!({"external_id": "c-1", "attributes": {"plan": "free", "orders": null}}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(again["id"], id.as_str());
    assert_eq!(
        again["attributes"],
        json!({"plan": "free", "vip": true, "signup": "2025-04-01"})
    );
    // Found by email, by external id, by id.
    for q in ["email=ALA%40example.com", "external_id=c-1"] {
        let page = app.get_json(&format!("/api/v1/contacts?{q}")).await;
        assert_eq!(page["items"][0]["id"], id.as_str(), "{q}");
    }
    assert_eq!(
        app.get_json(&format!("/api/v1/contacts/{id}")).await["name"],
        "Ala"
    );

    // PATCH changes only what it names; another contact's email is a conflict.
    let (_, ola) = post(&app, json!({"email": "ola@example.com"})).await;
    let resp = app
        .send_json(
            Method::PATCH,
            &format!("/api/v1/contacts/{id}"),
            &json!({"name": "Alicja", "locale": null}),
        )
        .await;
    let (status, patched) = json_of(resp).await;
    assert_eq!(status, 200);
    assert_eq!(
        (patched["name"].as_str(), &patched["locale"]),
        (Some("Alicja"), &Value::Null)
    );
    let resp = app
        .send_json(
            Method::PATCH,
            &format!("/api/v1/contacts/{id}"),
            &json!({"email": "ola@example.com"}),
        )
        .await;
    let body = expect_error(resp, 409, "contact_conflict").await;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains(ola["id"].as_str().unwrap())
    );

    // Bad input names its fields.
    let resp = app
        .send_json(
            Method::POST,
            "/api/v1/contacts",
            &json!({"email": "nope", "phone": "12", "attributes": {"a b": 1}, "nick": "x"}),
        )
        .await;
    let body = expect_error(resp, 422, "validation_failed").await;
    assert_eq!(
        details(&body),
        pairs(&[
            ("email", "invalid_email"),
            ("phone", "invalid_phone"),
            ("attributes.a b", "invalid_key"),
            ("nick", "unknown_field"),
        ])
    );
    let body = expect_error(
        app.send_json(Method::POST, "/api/v1/contacts", &json!({"name": "X"}))
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(details(&body), pairs(&[("external_id", "required")]));
    expect_error(
        app.send_json(
            Method::PATCH,
            "/api/v1/contacts/nope",
            &json!({"name": "X"}),
        )
        .await,
        404,
        "not_found",
    )
    .await;

    // Pages by id.
    let first = app.get_json("/api/v1/contacts?limit=1").await;
    let next = first["next_cursor"]
        .as_str()
        .expect("a second page")
        .to_string();
    let second = app
        .get_json(&format!("/api/v1/contacts?limit=1&cursor={next}"))
        .await;
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    assert_ne!(first["items"][0]["id"], second["items"][0]["id"]);

    // Erasing removes the data; the ids are free again.
    assert_eq!(
        app.request(Method::DELETE, &format!("/api/v1/contacts/{id}"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    expect_error(
        app.get(&format!("/api/v1/contacts/{id}")).await,
        404,
        "not_found",
    )
    .await;
    let (status, _) = post(&app, json!({"external_id": "c-1"})).await;
    assert_eq!(status, 201);
}

both_backends!(merging_joins_a_duplicate_and_its_responses_and_events);
async fn merging_joins_a_duplicate_and_its_responses_and_events(app: TestApp) {
    let (_, keep) = post(&app, json!({"external_id": "shop-1", "attributes": {"plan": "pro"},
                                      "consents": {"sms": {"granted": true, "at": "2026-01-01T00:00:00Z"}}})).await;
    let (_, dup) = post(&app, json!({"email": "ala@example.com", "name": "Ala", "attributes": {"plan": "free", "city": "Brno"},
                                     "consents": {"sms": {"granted": false, "at": "2026-02-01T00:00:00Z"}}})).await;
    let (keep_id, dup_id) = (keep["id"].as_str().unwrap(), dup["id"].as_str().unwrap());
    let survey = app
        .published_survey(
            &json!({"title": {"en": "S"}, "locales": ["en"], "touchpoint": "checkout",
            "questions": [{"id": "nps", "type": "nps", "text": {"en": "?"}}]}),
        )
        .await;
    app.submit_ok(
        &survey,
        &json!({"answers": {"nps": 9}, "contact": {"external_id": "shop-1"}}),
    )
    .await;
    app.submit_ok(
        &survey,
        &json!({"answers": {"nps": 3}, "contact": {"email": "ala@example.com"}}),
    )
    .await;
    let resp = app
        .send_json(
            Method::POST,
            &format!("/api/v1/contacts/{keep_id}/merge"),
            &json!({"from": dup_id}),
        )
        .await;
    let (status, merged) = json_of(resp).await;
    assert_eq!(status, 200, "{merged}");
    assert_eq!(merged["name"], "Ala", "gaps filled from the duplicate");
    assert_eq!(
        merged["email"],
        Value::Null,
        "the duplicate keeps forwarding its email"
    );
    assert_eq!(merged["attributes"], json!({"plan": "pro", "city": "Brno"}));
    assert_eq!(
        merged["consents"]["sms"]["granted"], false,
        "the later decision stands"
    );
    // The duplicate's email and id lead to the kept contact, with both responses.
    let by_email = app.get_json("/api/v1/contacts?email=ala@example.com").await;
    assert_eq!(by_email["items"][0]["id"], keep_id);
    assert_eq!(
        app.get_json(&format!("/api/v1/contacts/{dup_id}")).await["id"],
        keep_id
    );
    let responses = app
        .get_json(&format!("/api/v1/contacts/{keep_id}/responses"))
        .await;
    assert_eq!(responses.as_array().unwrap().len(), 2);
    let listed = app.get_json("/api/v1/contacts").await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    expect_error(
        app.send_json(
            Method::POST,
            &format!("/api/v1/contacts/{keep_id}/merge"),
            &json!({"from": keep_id}),
        )
        .await,
        422,
        "same_contact",
    )
    .await;
}

both_backends!(an_invitation_links_its_response_to_the_contact);
async fn an_invitation_links_its_response_to_the_contact(app: TestApp) {
    let (_, c) = post(&app, json!({"external_id": "inv-1"})).await;
    let id = c["id"].as_str().unwrap();
    let survey = app
        .published_survey(
            &json!({"title": {"en": "S"}, "locales": ["en"], "touchpoint": "delivery",
            "questions": [{"id": "nps", "type": "nps", "text": {"en": "?"}}]}),
        )
        .await;
    let resp = app
        .send_json(
            Method::POST,
            &format!("/api/v1/contacts/{id}/invitations"),
            &json!({"survey": survey}),
        )
        .await;
    let (status, inv) = json_of(resp).await;
    assert_eq!(status, 201, "{inv}");
    let token = inv["token"].as_str().unwrap();
    assert!(
        inv["link"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/s/{survey}?inv={token}"))
    );
    // An anonymous answer through the personal link is the contact's.
    app.submit_ok(
        &survey,
        &json!({"answers": {"nps": 7}, "invitation_token": token}),
    )
    .await;
    app.submit_ok(&survey, &json!({"answers": {"nps": 1}}))
        .await;
    let responses = app
        .get_json(&format!("/api/v1/contacts/{id}/responses"))
        .await;
    let scores: Vec<&Value> = responses
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["answers"]["nps"])
        .collect();
    assert_eq!(scores, [&json!(7)]);
    expect_error(
        app.send_json(
            Method::POST,
            &format!("/api/v1/contacts/{id}/invitations"),
            &json!({"survey": "nope"}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    // And its events, by user id.
    let key = app.write_key().await;
    app.send_batch_ok(&key, vec![track("inv-1", "Order Completed", T0, json!({}))])
        .await;
    let events = app.get_json(&format!("/api/v1/contacts/{id}/events")).await;
    assert_eq!(events["items"][0]["name"], "Order Completed");
}
