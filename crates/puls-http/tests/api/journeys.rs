//! Journeys over HTTP: definitions (JSON, YAML, the template, bad ones), and funnels and the
//! journey map on a small hand-made shop whose answers are known.

use reqwest::Method;
use serde_json::{Value, json};

use crate::customer_helpers::{DAY, HOUR, T0, at, identify, track};
use crate::helpers::{TestApp, details, expect_error, json_of, pairs};

fn tp(key: &str, channel: &str, events: Value) -> Value {
    json!({"key": key, "channel": channel, "events": events})
}

/// View (web or app) → cart → order; the checkout asks the `checkout` surveys.
pub(crate) fn shop_journey() -> Value {
    json!({
        "key": "shop",
        "name": {"en": "Shop", "pl": "Sklep"},
        "conversion_window_days": 30,
        "stages": [
            {"key": "view", "name": "View", "touchpoints": [
                tp("product-web", "web", json!([{"event": "Product Viewed",
                    "where": [{"property": "platform", "op": "eq", "value": "web"}]}])),
                tp("product-app", "in_app", json!([{"event": "Product Viewed",
                    "where": [{"property": "platform", "op": "eq", "value": "app"}]}]))
            ]},
            {"key": "cart", "name": "Cart", "touchpoints": [
                tp("cart", "web", json!([{"event": "Product Added"}]))
            ]},
            {"key": "order", "name": "Order", "touchpoints": [
                {"key": "checkout", "channel": "web", "events": [{"event": "Order Completed"}],
                 "moment_of_truth": true}
            ]}
        ]
    })
}

fn web() -> Value {
    json!({"platform": "web"})
}

/// Five shoppers whose funnel is known:
/// - u1 views on the web, adds to cart after 1 h, orders after 3 h;
/// - u2 views in the app, adds to cart after 2 h, never orders;
/// - u3 views on the web and leaves;
/// - u4 adds to cart without ever viewing: never enters;
/// - an anonymous visitor views on the web, identifies as u5 an hour later, adds to cart
///   after 2 h and orders 40 days later, outside the 30-day window.
pub(crate) fn shoppers() -> Vec<Value> {
    vec![
        track("u1", "Product Viewed", T0, web()),
        track("u1", "Product Added", T0 + HOUR, json!({})),
        track("u1", "Order Completed", T0 + 3 * HOUR, web()),
        track("u2", "Product Viewed", T0 + DAY, json!({"platform": "app"})),
        track("u2", "Product Added", T0 + DAY + 2 * HOUR, json!({})),
        track("u3", "Product Viewed", T0 + 2 * DAY, web()),
        track("u4", "Product Added", T0 + 2 * DAY, json!({})),
        json!({"type": "track", "anonymousId": "browser-5", "event": "Product Viewed",
               "properties": web(), "timestamp": at(T0 + 3 * DAY), "messageId": "b5-view"}),
        identify("u5", Some("browser-5"), json!({}), T0 + 3 * DAY + HOUR),
        track("u5", "Product Added", T0 + 3 * DAY + 2 * HOUR, json!({})),
        track("u5", "Order Completed", T0 + 43 * DAY, web()),
    ]
}

pub(crate) async fn setup(app: &TestApp) {
    let key = app.write_key().await;
    app.send_batch_ok(&key, shoppers()).await;
    let resp = app
        .send_json(Method::PUT, "/api/v1/journeys/shop", &shop_journey())
        .await;
    assert_eq!(resp.status(), 201);
}

pub(crate) const PERIOD: &str = "from=2026-03-01T00:00:00Z&to=2026-03-11T00:00:00Z&tz=UTC";

/// (stage, group, entered, converted) of every row.
pub(crate) fn counts(f: &Value) -> Vec<(String, Value, u64, u64)> {
    f["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r["stage"].as_str().unwrap_or_default().to_string(),
                r["group"].clone(),
                r["entered"].as_u64().unwrap_or(0),
                r["converted"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn row(stage: &str, group: Value, entered: u64, converted: u64) -> (String, Value, u64, u64) {
    (stage.to_string(), group, entered, converted)
}

both_backends!(a_hand_made_funnel_has_known_conversions_and_times);
async fn a_hand_made_funnel_has_known_conversions_and_times(app: TestApp) {
    setup(&app).await;
    let f = app
        .get_json(&format!("/api/v1/journeys/shop/funnel?{PERIOD}&paths=3"))
        .await;
    assert_eq!(
        counts(&f),
        [
            row("view", Value::Null, 4, 4),
            row("cart", Value::Null, 4, 3),
            row("order", Value::Null, 3, 1)
        ]
    );
    let rows = f["rows"].as_array().unwrap();
    // Cart: 3 of 4, Wilson interval at 95 %.
    assert_eq!(rows[1]["conversion_rate"], 75.0);
    let (lo, hi) = (
        rows[1]["ci_low"].as_f64().unwrap(),
        rows[1]["ci_high"].as_f64().unwrap(),
    );
    assert!(
        (lo - 30.06).abs() < 0.05 && (hi - 95.44).abs() < 0.05,
        "{lo} {hi}"
    );
    assert_eq!(rows[1]["drop_off"], 1);
    assert_eq!(rows[1]["small_sample"], true);
    // Times to the cart from entry: 1 h, 2 h, 2 h: nearest-rank median 2 h, p90 2 h.
    assert_eq!(rows[1]["median_time_to_convert_seconds"], 7200.0);
    assert_eq!(rows[1]["p90_time_to_convert_seconds"], 7200.0);
    assert_eq!(rows[2]["median_time_to_convert_seconds"], 10800.0);
    assert_eq!(rows[2]["overall_rate"], 25.0);
    // The previous ten days had nobody: the change cannot be judged.
    assert_eq!(rows[1]["previous"]["entered"], 0);
    assert_eq!(rows[1]["change"]["verdict"], "not_enough_data");
    // Who dropped off, and their last touchpoints (ties in journey order).
    assert_eq!(
        f["paths"],
        json!([
            {"after_stage": "view", "dropped": 1,
             "paths": [{"touchpoints": ["product-web"], "subjects": 1, "share": 100.0}]},
            {"after_stage": "cart", "dropped": 2,
             "paths": [{"touchpoints": ["product-web", "cart"], "subjects": 1, "share": 50.0},
                       {"touchpoints": ["product-app", "cart"], "subjects": 1, "share": 50.0}]}
        ])
    );
    // A 1-day window changes nothing here; a period that starts after u1 and u2 does.
    let later = app
        .get_json("/api/v1/journeys/shop/funnel?from=2026-03-04&to=2026-03-11&tz=UTC&window_days=1")
        .await;
    assert_eq!(
        counts(&later),
        [
            row("view", Value::Null, 2, 2),
            row("cart", Value::Null, 2, 1),
            row("order", Value::Null, 1, 0)
        ]
    );
    // Only some stages.
    let two = app
        .get_json(&format!(
            "/api/v1/journeys/shop/funnel?{PERIOD}&stages=view,order"
        ))
        .await;
    assert_eq!(
        counts(&two),
        [
            row("view", Value::Null, 4, 4),
            row("order", Value::Null, 4, 1)
        ]
    );
}

both_backends!(a_funnel_splits_by_channel_entry_and_first_touchpoint);
async fn a_funnel_splits_by_channel_entry_and_first_touchpoint(app: TestApp) {
    setup(&app).await;
    let by = |b: &'static str| {
        let app = &app;
        async move {
            let f = app
                .get_json(&format!(
                    "/api/v1/journeys/shop/funnel?{PERIOD}&by={b}&compare=none"
                ))
                .await;
            assert_eq!(f["by"], b);
            counts(&f)
                .into_iter()
                .filter(|r| !r.1.is_null())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        by("channel").await,
        [
            row("view", json!("in_app"), 1, 1),
            row("cart", json!("in_app"), 1, 1),
            row("order", json!("in_app"), 1, 0),
            row("view", json!("web"), 3, 3),
            row("cart", json!("web"), 3, 2),
            row("order", json!("web"), 2, 1)
        ]
    );
    assert_eq!(by("entry_touchpoint").await.len(), 6);
    let first = by("first_touchpoint").await;
    assert_eq!(first[0].1, json!("product-app"));
}

both_backends!(a_funnel_can_be_limited_to_a_segment_of_contacts);
async fn a_funnel_can_be_limited_to_a_segment_of_contacts(app: TestApp) {
    setup(&app).await;
    for (id, vip) in [("u1", true), ("u2", true), ("u3", false)] {
        let resp = app
            .send_json(
                Method::POST,
                "/api/v1/contacts",
                &json!({"external_id": id, "attributes": {"vip": vip}}),
            )
            .await;
        assert_eq!(resp.status(), 201);
    }
    let seg = json!({"key": "vip", "name": "VIP", "rule":
        {"attribute": "vip", "op": "eq", "value": true}});
    assert_eq!(
        app.send_json(Method::POST, "/api/v1/segments", &seg)
            .await
            .status(),
        201
    );
    let f = app
        .get_json(&format!(
            "/api/v1/journeys/shop/funnel?{PERIOD}&segment=vip"
        ))
        .await;
    assert_eq!(
        counts(&f),
        [
            row("view", Value::Null, 2, 2),
            row("cart", Value::Null, 2, 2),
            row("order", Value::Null, 2, 1)
        ]
    );
    let split = app
        .get_json(&format!(
            "/api/v1/journeys/shop/funnel?{PERIOD}&by=segment:vip&compare=none"
        ))
        .await;
    let groups: Vec<_> = counts(&split)
        .into_iter()
        .filter(|r| r.0 == "view")
        .collect();
    assert_eq!(
        groups,
        [
            row("view", Value::Null, 4, 4),
            row("view", json!("in"), 2, 2),
            row("view", json!("out"), 2, 2)
        ]
    );
}

both_backends!(the_journey_map_shows_each_touchpoints_behaviour_and_feedback);
async fn the_journey_map_shows_each_touchpoints_behaviour_and_feedback(app: TestApp) {
    setup(&app).await;
    // The checkout survey is asked at the journey's `checkout` touchpoint.
    let survey = app
        .published_survey(&json!({
            "title": {"en": "Checkout"}, "locales": ["en"], "touchpoint": "checkout",
            "questions": [{"id": "nps", "type": "nps", "text": {"en": "Recommend?"}}]
        }))
        .await;
    for (who, score) in [("u1", 9), ("u2", 3), ("u3", 10)] {
        app.submit_ok(
            &survey,
            &json!({"answers": {"nps": score}, "contact": {"external_id": who}}),
        )
        .await;
    }
    let now = puls_store::now_ms();
    let map = app
        .get_json(&format!(
            "/api/v1/journeys/shop/map?from=2026-03-01T00:00:00Z&to={}&tz=UTC&lang=pl",
            at(now + DAY)
        ))
        .await;
    assert_eq!(map["name"], "Sklep");
    let view = &map["stages"][0];
    assert_eq!(view["reached"], 4);
    let web = &view["touchpoints"][0];
    assert_eq!(web["key"], "product-web");
    assert_eq!(
        (web["events"].as_u64(), web["subjects"].as_u64()),
        (Some(3), Some(3))
    );
    // Reached through the web product page: u1, u3, u5; u3 went no further.
    assert_eq!(web["reached"], 3);
    assert_eq!(web["drop_off"]["count"], 1);
    assert_eq!(web["drop_off"]["n"], 3);
    let checkout = &map["stages"][2]["touchpoints"][0];
    assert_eq!(checkout["moment_of_truth"], true);
    // NPS of 9, 3 and 10: two promoters, one detractor of three: +33.3, a small sample.
    let nps = &checkout["nps"];
    assert_eq!(nps["n"], 3);
    assert!(
        (nps["value"].as_f64().unwrap() - 100.0 / 3.0).abs() < 1e-9,
        "{nps}"
    );
    assert_eq!(nps["small_sample"], true);
    assert_eq!(checkout["detractor_share"]["count"], 1);
    // Too few answers and passages to judge: unknown health.
    assert_eq!(checkout["health"], "unknown");
    assert_eq!(map["stages"][1]["touchpoints"][0]["nps"], Value::Null);

    // Along a chain of chosen stages (view, then order): of the three web viewers only u1
    // ordered within the window; the cart is off the chain but keeps its volume.
    let chain = app
        .get_json(&format!(
            "/api/v1/journeys/shop/map?from=2026-03-01T00:00:00Z&to={}&tz=UTC&stages=view,order",
            at(now + DAY)
        ))
        .await;
    let web = &chain["stages"][0]["touchpoints"][0];
    assert_eq!(
        (web["reached"].as_u64(), web["drop_off"]["count"].as_u64()),
        (Some(3), Some(2))
    );
    let cart = &chain["stages"][1];
    assert_eq!(
        (
            cart["reached"].as_u64(),
            cart["touchpoints"][0]["events"].as_u64()
        ),
        (Some(0), Some(4))
    );
    assert_eq!(chain["stages"][2]["reached"], 1);
}

both_backends!(journeys_are_defined_in_json_or_yaml_and_bad_ones_are_explained);
async fn journeys_are_defined_in_json_or_yaml_and_bad_ones_are_explained(app: TestApp) {
    // The template is a valid journey, stored under its own key.
    let template = app
        .anonymous(Method::GET, "/api/v1/journey-templates/ecommerce")
        .send()
        .await
        .expect("GET template");
    assert_eq!(template.status(), 200);
    let template: Value = template.json().await.expect("JSON");
    assert_eq!(template["stages"].as_array().map(Vec::len), Some(7));
    let (status, saved) = json_of(
        app.send_json(Method::POST, "/api/v1/journeys", &template)
            .await,
    )
    .await;
    assert_eq!(status, 201, "{saved}");
    assert_eq!(saved["key"], "eshop");
    let (status, _) = json_of(
        app.send_json(Method::PUT, "/api/v1/journeys/eshop", &template)
            .await,
    )
    .await;
    assert_eq!(status, 200, "replacing keeps the key");

    let yaml = "key: b2b\nname: B2B\nstages:\n  - key: lead\n    name: Lead\n    touchpoints:\n      - key: demo\n        channel: web\n        events:\n          - event: Demo Requested\n";
    let resp = app
        .request(Method::PUT, "/api/v1/journeys/b2b")
        .header("content-type", "application/yaml")
        .body(yaml)
        .send()
        .await
        .expect("PUT yaml");
    assert_eq!(resp.status(), 201);
    let listed = app.get_json("/api/v1/journeys").await;
    let keys: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|j| j["key"].as_str())
        .collect();
    assert_eq!(keys, ["b2b", "eshop"]);

    let bad = json!({"key": "x", "name": "X", "conversion_window_days": 400, "stages": [
        {"key": "a", "name": "A", "touchpoints": [
            {"key": "t", "channel": "fax", "events": [{"event": "E", "where": [{"property": "p", "op": "near"}]}]}
        ]}
    ]});
    let body = expect_error(
        app.send_json(Method::PUT, "/api/v1/journeys/x", &bad).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        details(&body),
        pairs(&[
            ("conversion_window_days", "out_of_range"),
            ("stages[0].touchpoints[0].channel", "not_one_of"),
            (
                "stages[0].touchpoints[0].events[0].where[0].op",
                "not_one_of"
            ),
        ])
    );
    let body = expect_error(
        app.send_json(Method::PUT, "/api/v1/journeys/other", &template)
            .await,
        422,
        "key_mismatch",
    )
    .await;
    assert!(body["error"]["message"].as_str().unwrap().contains("eshop"));
    expect_error(
        app.get("/api/v1/journeys/nope/funnel").await,
        404,
        "not_found",
    )
    .await;
    for (q, param) in [
        ("window_days=0", "window_days"),
        ("by=weather", "by"),
        ("stages=view,nope", "stages"),
        ("paths=500", "paths"),
        ("colour=red", "colour"),
        ("from=2026-03-10&to=2026-03-01", "from"),
    ] {
        let body = expect_error(
            app.get(&format!("/api/v1/journeys/eshop/funnel?{q}")).await,
            400,
            "invalid_query",
        )
        .await;
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(param), "{q}: {message}");
    }
    let body = expect_error(
        app.get("/api/v1/journeys/eshop/funnel?segment=nobody")
            .await,
        422,
        "unknown_segment",
    )
    .await;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("nobody")
    );
    assert_eq!(
        app.request(Method::DELETE, "/api/v1/journeys/b2b")
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    expect_error(app.get("/api/v1/journeys/b2b").await, 404, "not_found").await;
}

both_backends!(a_funnel_counts_events_accepted_just_before_on_another_node);
async fn a_funnel_counts_events_accepted_just_before_on_another_node(app: TestApp) {
    setup(&app).await;
    let other = app.second_node().await;
    let funnel = |base: String| {
        let app = &app;
        async move {
            let resp = app
                .client
                .get(format!(
                    "{base}/api/v1/journeys/shop/funnel?{PERIOD}&compare=none"
                ))
                .bearer_auth(&app.api_key)
                .send()
                .await
                .expect("GET funnel");
            let (_, f) = json_of(resp).await;
            counts(&f)
        }
    };
    assert_eq!(
        funnel(other.address.clone()).await[2],
        row("order", Value::Null, 3, 1)
    );
    // u2 orders now, through the first node; the second node counts it at once.
    let key = app.write_key().await;
    app.send_batch_ok(
        &key,
        vec![track("u2", "Order Completed", T0 + DAY + 5 * HOUR, web())],
    )
    .await;
    assert_eq!(
        funnel(other.address.clone()).await[2],
        row("order", Value::Null, 3, 2)
    );
}

both_backends!(
    a_map_keeps_side_stages_off_the_main_path_and_judges_touchpoints_by_their_own_feedback
);
async fn a_map_keeps_side_stages_off_the_main_path_and_judges_touchpoints_by_their_own_feedback(
    app: TestApp,
) {
    let journey = json!({
        "key": "shop2", "name": {"en": "Shop", "pl": "Sklep"},
        "conversion_window_days": 30,
        "targets": {"nps": 30},
        "stages": [
            {"key": "view", "name": "View", "touchpoints": [
                tp("product", "web", json!([{"event": "Product Viewed"}]))]},
            {"key": "order", "name": "Order", "touchpoints": [
                {"key": "checkout-web", "channel": "web", "surveys": ["checkout"],
                 "events": [{"event": "Order Completed",
                             "where": [{"property": "platform", "op": "eq", "value": "web"}]}]},
                {"key": "checkout-app", "channel": "in_app", "surveys": ["checkout"],
                 "events": [{"event": "Order Completed",
                             "where": [{"property": "platform", "op": "eq", "value": "app"}]}]}]},
            {"key": "support", "name": "Support", "side": true, "touchpoints": [
                tp("chat", "chat", json!([{"event": "Support Chat Started"}]))]},
            {"key": "repeat", "name": "Repeat", "touchpoints": [
                tp("reorder", "web", json!([{"event": "Reordered"}]))]}
        ]
    });
    let resp = app
        .send_json(Method::PUT, "/api/v1/journeys/shop2", &journey)
        .await;
    assert_eq!(resp.status(), 201);
    // The definition keeps its side stage and targets.
    let stored = app.get_json("/api/v1/journeys/shop2").await;
    assert_eq!(stored["definition"]["stages"][2]["side"], true);
    assert_eq!(stored["definition"]["targets"]["nps"], 30.0);
    let key = app.write_key().await;
    let web = json!({"platform": "web"});
    let app_p = json!({"platform": "app"});
    app.send_batch_ok(
        &key,
        vec![
            // u1: orders on the web, chats with support, orders again.
            track("u1", "Product Viewed", T0, json!({})),
            track("u1", "Order Completed", T0 + HOUR, web.clone()),
            track("u1", "Support Chat Started", T0 + DAY, json!({})),
            track("u1", "Reordered", T0 + 3 * DAY, json!({})),
            // u2: orders in the app and again, never contacts support.
            track("u2", "Product Viewed", T0, json!({})),
            track("u2", "Order Completed", T0 + HOUR, app_p.clone()),
            track("u2", "Reordered", T0 + 2 * DAY, json!({})),
            // u3: orders on the web, chats, never comes back; the only one who signed up
            // (a known customer; the others are anonymous visitors to the engine).
            identify("u3", None, json!({"email": "u3@example.com"}), T0 - DAY),
            track("u3", "Product Viewed", T0, json!({})),
            track("u3", "Order Completed", T0 + HOUR, web.clone()),
            track("u3", "Support Chat Started", T0 + DAY, json!({})),
        ],
    )
    .await;
    let survey = app
        .published_survey(&json!({
            "title": {"en": "Checkout"}, "locales": ["en"], "touchpoint": "checkout",
            "questions": [{"id": "nps", "type": "nps", "text": {"en": "Recommend?"}}]
        }))
        .await;
    // On the web they love it; in the app they do not.
    for i in 0..6 {
        app.submit_ok(&survey, &json!({"answers": {"nps": 10}, "channel": "web"}))
            .await;
        app.submit_ok(
            &survey,
            &json!({"answers": {"nps": i % 3}, "channel": "in_app"}),
        )
        .await;
    }
    let now = puls_store::now_ms();
    let map = app
        .get_json(&format!(
            "/api/v1/journeys/shop2/map?from=2026-03-01T00:00:00Z&to={}&tz=UTC&min_n=5",
            at(now + DAY)
        ))
        .await;
    let stages = map["stages"].as_array().unwrap();
    // The main path: view 3 → order 3 → repeat 2 (u1 and u2), not held back by support.
    assert_eq!(stages[0]["reached"], 3);
    // Who they are: one known customer, two anonymous visitors; the side stage has none.
    assert_eq!(stages[0]["people"], 1);
    assert_eq!(stages[0]["touchpoints"][0]["people"], 1);
    assert_eq!(stages[3]["people"], 0);
    assert!(stages[2].get("people").is_none());
    assert_eq!(stages[1]["reached"], 3);
    assert_eq!(stages[3]["reached"], 2);
    assert_eq!(stages[3]["side"], false);
    // The side stage: two entered, one of them came back to the main path.
    assert_eq!(stages[2]["side"], true);
    assert_eq!(stages[2]["reached"], 2);
    assert_eq!(stages[2]["returned"], 1);
    assert_eq!(
        stages[2]["return_days"], 30,
        "the journey's window by default"
    );
    assert!(stages[3].get("return_days").is_none());
    // "Came back within N days" counts from entering the side stage: u1 chatted a day after
    // entering the journey and reordered two days after the chat.
    let map_url = format!(
        "/api/v1/journeys/shop2/map?from=2026-03-01T00:00:00Z&to={}&tz=UTC&min_n=5",
        at(now + DAY)
    );
    for (days, back) in [(2, 1), (1, 0)] {
        let mut j = journey.clone();
        j["stages"][2]["return_within_days"] = json!(days);
        let resp = app
            .send_json(Method::PUT, "/api/v1/journeys/shop2", &j)
            .await;
        assert_eq!(resp.status(), 200);
        let stored = app.get_json("/api/v1/journeys/shop2").await;
        assert_eq!(
            stored["definition"]["stages"][2]["return_within_days"],
            days
        );
        let side = &app.get_json(&map_url).await["stages"][2];
        assert_eq!(side["reached"], 2);
        assert_eq!(side["returned"], back, "within {days} days");
        assert_eq!(side["return_days"], days);
    }
    // Only a side stage has one, and it is a number of days.
    for (stage, value, code) in [
        (3, json!(5), "bad_condition"),
        (2, json!(0), "out_of_range"),
        (2, json!("a week"), "wrong_type"),
    ] {
        let mut j = journey.clone();
        j["stages"][stage]["return_within_days"] = value;
        let resp = app
            .send_json(Method::PUT, "/api/v1/journeys/shop2", &j)
            .await;
        let body = expect_error(resp, 422, "validation_failed").await;
        assert_eq!(
            details(&body),
            [(
                format!("stages[{stage}].return_within_days"),
                code.to_string()
            )]
        );
    }
    // No stage reaches fewer than its own touchpoints.
    for s in stages {
        for t in s["touchpoints"].as_array().unwrap() {
            assert!(t["reached"].as_u64() <= s["reached"].as_u64(), "{s}");
        }
    }
    // Each checkout touchpoint has its own channel's feedback, not the survey's total.
    let checkout_web = &stages[1]["touchpoints"][0];
    let checkout_app = &stages[1]["touchpoints"][1];
    assert_eq!(checkout_web["nps"]["n"], 6);
    assert_eq!(checkout_web["nps"]["value"], 100.0);
    assert_eq!(checkout_app["nps"]["n"], 6);
    assert_eq!(checkout_app["nps"]["value"], -100.0);
    // Health with its reason, against the journey's target.
    assert_eq!(checkout_web["health"], "good");
    assert_eq!(
        checkout_web["health_reason"],
        json!({"metric": "nps", "value": 100.0, "target": 30.0})
    );
    assert_eq!(checkout_app["health"], "poor");
    // Touchpoints without feedback of their own are not judged by drop-off.
    let product = &stages[0]["touchpoints"][0];
    assert_eq!(product["health"], "unknown");
    assert!(product.get("health_reason").is_none());
    // The default funnel runs along the main path too.
    let funnel = app
        .get_json(&format!(
            "/api/v1/journeys/shop2/funnel?from=2026-03-01T00:00:00Z&to={}&tz=UTC",
            at(now + DAY)
        ))
        .await;
    let names: Vec<&str> = funnel["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["stage"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["view", "order", "repeat"]);
    assert_eq!(funnel["rows"][0]["people"], 1);
}

both_backends!(a_drop_off_well_above_its_own_baseline_is_flagged_with_its_reason);
async fn a_drop_off_well_above_its_own_baseline_is_flagged_with_its_reason(app: TestApp) {
    let journey = json!({
        "key": "buy", "name": "Buy", "conversion_window_days": 3,
        "stages": [
            {"key": "view", "name": "View", "touchpoints": [
                tp("page", "web", json!([{"event": "Viewed"}]))]},
            {"key": "pay", "name": "Pay", "touchpoints": [
                tp("checkout", "web", json!([{"event": "Paid"}]))]}
        ]
    });
    let resp = app
        .send_json(Method::PUT, "/api/v1/journeys/buy", &journey)
        .await;
    assert_eq!(resp.status(), 201);
    let key = app.write_key().await;
    // The ten days before: 40 view, 30 pay (drop-off 25 %). These ten days: 40 view, 10 pay
    // (75 %).
    let mut batch = Vec::new();
    for i in 0..40 {
        let (before, now) = (format!("b{i}"), format!("c{i}"));
        batch.push(track(&before, "Viewed", T0 + DAY, json!({})));
        if i < 30 {
            batch.push(track(&before, "Paid", T0 + DAY + HOUR, json!({})));
        }
        batch.push(track(&now, "Viewed", T0 + 11 * DAY, json!({})));
        if i < 10 {
            batch.push(track(&now, "Paid", T0 + 11 * DAY + HOUR, json!({})));
        }
    }
    app.send_batch_ok(&key, batch).await;
    let map = app
        .get_json(
            "/api/v1/journeys/buy/map?from=2026-03-11T00:00:00Z&to=2026-03-21T00:00:00Z&tz=UTC",
        )
        .await;
    let page = &map["stages"][0]["touchpoints"][0];
    assert_eq!(page["drop_off"]["count"], 30);
    assert_eq!(page["health"], "poor", "{page}");
    assert_eq!(
        page["health_reason"],
        json!({"metric": "drop_off", "value": 75.0, "target": 25.0})
    );
    // The period before, against its own before (nothing): no judgement from drop-off.
    let map = app
        .get_json(
            "/api/v1/journeys/buy/map?from=2026-03-01T00:00:00Z&to=2026-03-11T00:00:00Z&tz=UTC",
        )
        .await;
    assert_eq!(map["stages"][0]["touchpoints"][0]["health"], "unknown");
}
