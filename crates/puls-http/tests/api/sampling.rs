//! Sampling and quotas of distributions: a share of the audience drawn at random (the
//! others counted `not_sampled`); a sample sized per store for an NPS margin of error,
//! with its plan (responses needed, the response rate counted on, each store's size and
//! invitations), from the worst-case spread or the survey's own; a quota of completed
//! responses that stops the sending; quotas per segment and attribute that hold back
//! only their group's invitations; answer quotas that stop the distribution and close its
//! unused links; and bad quota definitions refused at their paths.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, details, expect_error, json_of, pairs};

fn survey() -> Value {
    json!({
        "title": {"pl": "Sklep"}, "locales": ["pl"], "default_locale": "pl", "touchpoint": "store",
        "questions": [{"id": "nps", "type": "nps", "required": true,
                       "text": {"pl": "Czy polecisz nas?"}}]
    })
}

async fn import(app: &TestApp, rows: &[(String, &str)]) {
    let mut csv = String::from("external_id,email,store\n");
    for (id, store) in rows {
        csv.push_str(&format!("{id},{id}@sklep.example,{store}\n"));
    }
    let (status, report) = json_of(
        app.request(Method::POST, "/api/v1/contacts/import")
            .header("content-type", "text/csv")
            .body(csv)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(status.is_success(), "{report}");
}

async fn send(app: &TestApp, survey: &str, body: Value) -> Value {
    let (status, d) = json_of(
        app.request(
            Method::POST,
            &format!("/api/v1/surveys/{survey}/distributions"),
        )
        .json(&body)
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{d}");
    d
}

both_backends!(samples_by_share_and_by_margin_of_error, |config| {
    config.smtp.host = Some("127.0.0.1".into());
});
async fn samples_by_share_and_by_margin_of_error(app: TestApp) {
    let rows: Vec<(String, &str)> = (0..200)
        .map(|i| (format!("k{i}"), if i < 150 { "WAW" } else { "KRK" }))
        .collect();
    import(&app, &rows).await;
    let survey_id = app.published_survey(&survey()).await;
    // Problems at their paths.
    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/surveys/{survey_id}/distributions"),
        )
        .json(&json!({"name": "x", "audience": {"all": true},
                      "sample": {"percent": 0}, "quota": {"completed": -1}}))
        .send()
        .await
        .unwrap();
    let body = expect_error(r, 422, "validation_failed").await;
    assert!(body.to_string().contains("sample.percent"), "{body}");
    assert!(body.to_string().contains("quota.completed"), "{body}");

    // A fifth, drawn at random: the rest counted as not drawn.
    let d = send(
        &app,
        &survey_id,
        json!({"name": "Piąta część", "audience": {"all": true}, "sample": {"percent": 20}}),
    )
    .await;
    let queued = d["counts"]["queued"].as_i64().unwrap();
    assert!((20..=60).contains(&queued), "{d}");
    assert_eq!(d["counts"]["skipped"]["not_sampled"], 200 - queued, "{d}");
    assert_eq!(d["sample_plan"], Value::Null);

    // ±40 NPS points at 95 % per store: 25 responses each, at the assumed 25 % response
    // rate (no history yet) 100 invitations: Warsaw's 150 are sampled, Kraków's 50 are
    // all invited and not enough.
    let d = send(
        &app,
        &survey_id,
        json!({"name": "Na sklep", "audience": {"all": true},
               "sample": {"margin_of_error": 40, "by": "store"}}),
    )
    .await;
    let plan = &d["sample_plan"];
    assert_eq!(plan["responses_needed"], 25, "{plan}");
    assert_eq!(plan["invites_per_group"], 100, "{plan}");
    assert_eq!(plan["response_rate"], 0.25);
    assert_eq!(plan["response_rate_measured"], false);
    // Fewer than 100 NPS answers: the worst-case spread, said so.
    assert_eq!(plan["nps_variance"], 10_000.0);
    assert_eq!(plan["nps_variance_measured"], false);
    assert_eq!(
        plan["groups"],
        json!([
            {"group": "KRK", "contacts": 50, "invited": 50, "enough": false},
            {"group": "WAW", "contacts": 150, "invited": 100, "enough": true}
        ])
    );
    let queued = d["counts"]["queued"].as_i64().unwrap();
    assert!((125..=175).contains(&queued), "about 100 + 50: {d}");
    // The same draw whenever the distribution is prepared again (resumed).
    let deliveries = app
        .get_json(&format!(
            "/api/v1/distributions/{}/deliveries?limit=500",
            d["id"].as_str().unwrap()
        ))
        .await;
    let krk_skipped = deliveries["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["reason"] == "not_sampled")
        .count();
    assert_eq!(krk_skipped as i64, 200 - queued);
}

both_backends!(a_full_quota_stops_the_sending, |config| {
    config.outbox.poll_ms = 50;
    config.smtp.host = Some("127.0.0.1".into());
});
async fn a_full_quota_stops_the_sending(app: TestApp) {
    let smtp = puls_testdb::SmtpServer::start();
    let rows: Vec<(String, &str)> = (0..3).map(|i| (format!("q{i}"), "WAW")).collect();
    import(&app, &rows).await;
    let survey_id = app.published_survey(&survey()).await;
    let d = send(
        &app,
        &survey_id,
        json!({"name": "Do jednej odpowiedzi", "audience": {"all": true},
               "quota": {"completed": 1}}),
    )
    .await;
    let id = d["id"].as_str().unwrap().to_string();
    assert_eq!(d["definition"]["quota"], json!({"completed": 1}));
    // Before anything is sent, one person answers through their link (say, a link
    // forwarded to them earlier): the quota is full.
    let first = app.store.deliveries(&id, "", 1).await.unwrap();
    let token = first[0].token.clone().unwrap();
    let survey = puls_core::SurveyId::parse(&survey_id).unwrap();
    app.app
        .answer_by_link(&survey, &token, "nps", "9", None)
        .await
        .unwrap();
    app.spawn_worker_mailing_to(&smtp);
    let mut counts = Value::Null;
    for _ in 0..200 {
        counts = app.get_json(&format!("/api/v1/distributions/{id}")).await["counts"].clone();
        if counts["queued"] == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(counts["skipped"]["quota_full"], 3, "{counts}");
    assert_eq!(counts["completed"], 1);
    assert_eq!(smtp.count(), 0);
}

/// A survey of an NPS question and a reason to choose.
fn survey_with_reason() -> Value {
    json!({
        "title": {"pl": "Sklep"}, "locales": ["pl"], "default_locale": "pl", "touchpoint": "store",
        "questions": [
            {"id": "nps", "type": "nps", "required": true, "text": {"pl": "Czy polecisz nas?"}},
            {"id": "why", "type": "single_choice", "required": true, "text": {"pl": "Dlaczego?"},
             "options": [{"id": "price", "text": {"pl": "Cena"}},
                         {"id": "speed", "text": {"pl": "Szybkość"}}]}
        ]
    })
}

/// The personal link's token of each contact of a distribution, by their address.
async fn tokens(app: &TestApp, id: &str) -> std::collections::BTreeMap<String, String> {
    app.store
        .deliveries(id, "", 500)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|d| Some((d.address?, d.token?)))
        .collect()
}

/// The distribution's counts once nothing is queued (the worker has run).
async fn settled(app: &TestApp, id: &str) -> Value {
    let mut d = Value::Null;
    for _ in 0..300 {
        d = app.get_json(&format!("/api/v1/distributions/{id}")).await;
        if d["counts"]["queued"] == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    d
}

both_backends!(
    a_segment_quota_stops_only_that_segments_invitations,
    |config| {
        config.outbox.poll_ms = 50;
        config.smtp.host = Some("127.0.0.1".into());
    }
);
async fn a_segment_quota_stops_only_that_segments_invitations(app: TestApp) {
    let smtp = puls_testdb::SmtpServer::start();
    let rows: Vec<(String, &str)> = (0..6)
        .map(|i| (format!("g{i}"), if i < 3 { "KRK" } else { "WAW" }))
        .collect();
    import(&app, &rows).await;
    let r = app
        .request(Method::PUT, "/api/v1/segments/krakow")
        .json(
            &json!({"key": "krakow", "name": {"pl": "Kraków", "en": "Kraków"},
                      "rule": {"attribute": "store", "op": "eq", "value": "KRK"}}),
        )
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    let survey_id = app.published_survey(&survey()).await;
    let d = send(
        &app,
        &survey_id,
        json!({"name": "Po jednym z Krakowa", "audience": {"all": true},
               "quota": {"per": [{"segment": "krakow", "completed": 1},
                                 {"attribute": "store", "value": "WAW", "completed": 5}]}}),
    )
    .await;
    let id = d["id"].as_str().unwrap().to_string();
    assert_eq!(
        d["definition"]["quota"]["per"][0],
        json!({"segment": "krakow", "completed": 1})
    );
    assert_eq!(d["quotas"][0]["full"], false, "{d}");
    // One customer of Kraków answers before anything is sent: Kraków's quota is full.
    let links = tokens(&app, &id).await;
    let survey = puls_core::SurveyId::parse(&survey_id).unwrap();
    app.app
        .answer_by_link(&survey, &links["g0@sklep.example"], "nps", "9", None)
        .await
        .unwrap();
    // A full group does not close the distribution: another link of Kraków still opens.
    let page = app
        .get(&format!(
            "/s/{survey_id}?inv={}&lang=pl",
            links["g1@sklep.example"]
        ))
        .await;
    assert_eq!(page.status(), 200);

    app.spawn_worker_mailing_to(&smtp);
    let d = settled(&app, &id).await;
    let counts = &d["counts"];
    // Kraków's three invitations are held back; Warsaw's three go.
    assert_eq!(counts["skipped"]["quota_full"], 3, "{counts}");
    assert_eq!(counts["sent"], 3, "{counts}");
    assert_eq!(counts["completed"], 1);
    smtp.wait_for(3).await;
    assert_eq!(smtp.count(), 3);
    let deliveries = app
        .get_json(&format!("/api/v1/distributions/{id}/deliveries"))
        .await;
    for item in deliveries["items"].as_array().unwrap() {
        let address = item["address"].as_str().unwrap();
        let krk = ["g0", "g1", "g2"].iter().any(|g| address.starts_with(g));
        if krk {
            assert_eq!(
                (&item["status"], &item["reason"]),
                (&json!("skipped"), &json!("quota_full")),
                "{item}"
            );
        } else {
            assert_eq!(item["status"], "sent", "{item}");
        }
    }
    assert_eq!(
        d["quotas"],
        json!([
            {"group": {"segment": "krakow"}, "target": 1, "completed": 1, "full": true},
            {"group": {"attribute": "store", "value": "WAW"}, "target": 5, "completed": 0,
             "full": false}
        ]),
        "{d}"
    ); // The web app says each quota's progress in words.
    crate::console::user_in(&app, "anna@sklep.pl", "hasło Anny 123", Some("owner"), "en").await;
    let mut b = crate::console::signed_in(&app, "anna@sklep.pl", "hasło Anny 123").await;
    let (status, page, _) = b
        .get(&app, &format!("/app/w/acme/distributions/{id}"))
        .await;
    assert_eq!(status, 200);
    for words in [
        "Segment “Kraków”: 1 of 1 completed responses, full",
        "WAW (store): 0 of 5 completed responses",
        "A full segment or attribute quota stops the invitations of its contacts",
    ] {
        assert!(page.contains(words), "{words} in {page}");
    }
}

both_backends!(an_answer_quota_stops_the_distribution_when_full, |config| {
    config.outbox.poll_ms = 50;
    config.smtp.host = Some("127.0.0.1".into());
});
async fn an_answer_quota_stops_the_distribution_when_full(app: TestApp) {
    let smtp = puls_testdb::SmtpServer::start();
    let rows: Vec<(String, &str)> = (0..5).map(|i| (format!("a{i}"), "WAW")).collect();
    import(&app, &rows).await;
    let survey_id = app.published_survey(&survey_with_reason()).await;
    let d = send(
        &app,
        &survey_id,
        json!({"name": "Po jednej odpowiedzi", "audience": {"all": true},
               "quota": {"per": [{"question": "why", "answer": "price", "completed": 1},
                                 {"question": "nps", "answer": 10, "completed": 1}]}}),
    )
    .await;
    let id = d["id"].as_str().unwrap().to_string();
    let links = tokens(&app, &id).await;
    let progress = |d: &Value| -> Vec<(i64, bool)> {
        d["quotas"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| (q["completed"].as_i64().unwrap(), q["full"] == true))
            .collect()
    };
    // A 10 for speed: the NPS quota is full, the price quota is not, so links stay open.
    app.submit_ok(
        &survey_id,
        &json!({"answers": {"nps": 10, "why": "speed"},
                "invitation_token": links["a0@sklep.example"]}),
    )
    .await;
    let d = app.get_json(&format!("/api/v1/distributions/{id}")).await;
    assert_eq!(progress(&d), vec![(0, false), (1, true)], "{d}");
    let open = |token: &str| format!("/s/{survey_id}?inv={token}&lang=pl");
    assert_eq!(
        app.get(&open(&links["a4@sklep.example"])).await.status(),
        200
    );
    // A 3 for the price: every answer quota is full.
    app.submit_ok(
        &survey_id,
        &json!({"answers": {"nps": 3, "why": "price"},
                "invitation_token": links["a1@sklep.example"]}),
    )
    .await;
    let d = app.get_json(&format!("/api/v1/distributions/{id}")).await;
    assert_eq!(progress(&d), vec![(1, true), (1, true)], "{d}");
    // An unused link now thanks the respondent in their language instead of the survey,
    // and a score clicked in the e-mail stores nothing.
    let page = app.get(&open(&links["a4@sklep.example"])).await;
    assert_eq!(page.status(), 410);
    let html = page.text().await.unwrap();
    assert!(html.contains("Mamy już wystarczająco odpowiedzi"), "{html}");
    let click = app
        .get(&format!(
            "/s/{survey_id}?inv={}&q=nps&a=9&lang=pl",
            links["a3@sklep.example"]
        ))
        .await;
    assert_eq!(click.status(), 410);
    let survey = puls_core::SurveyId::parse(&survey_id).unwrap();
    let stored = app
        .store
        .response_by_token(&survey, &links["a3@sklep.example"])
        .await
        .unwrap();
    assert!(stored.is_none());
    // A link already answered is not "full": it says the survey was answered.
    assert!(
        !app.app
            .link_closed(&survey, &links["a0@sklep.example"])
            .await
            .unwrap()
    );

    // The web app names the answers in the user's language.
    crate::console::user_in(&app, "anna@sklep.pl", "hasło Anny 123", Some("owner"), "pl").await;
    let mut b = crate::console::signed_in(&app, "anna@sklep.pl", "hasło Anny 123").await;
    let (_, page, _) = b
        .get(&app, &format!("/app/w/acme/distributions/{id}"))
        .await;
    for words in [
        "„Cena” na pytanie „Dlaczego?”: 1 z 1 ukończonych odpowiedzi, limit osiągnięty",
        "„10” na pytanie „Czy polecisz nas?”: 1 z 1 ukończonych odpowiedzi, limit osiągnięty",
    ] {
        assert!(page.contains(words), "{words} in {page}");
    }

    // Nothing more is sent.
    app.spawn_worker_mailing_to(&smtp);
    let d = settled(&app, &id).await;
    assert_eq!(d["counts"]["skipped"]["quota_full"], 5, "{d}");
    assert_eq!(d["counts"]["completed"], 2);
    assert_eq!(smtp.count(), 0);
}

both_backends!(bad_quotas_are_refused_at_their_paths, |config| {
    config.smtp.host = Some("127.0.0.1".into());
});
async fn bad_quotas_are_refused_at_their_paths(app: TestApp) {
    import(&app, &[("b0".to_string(), "WAW")]).await;
    let survey_id = app.published_survey(&survey_with_reason()).await;
    let post = |quota: Value| {
        app.request(
            Method::POST,
            &format!("/api/v1/surveys/{survey_id}/distributions"),
        )
        .json(&json!({"name": "x", "audience": {"all": true}, "quota": quota}))
        .send()
    };
    // What the definition alone shows.
    let body = expect_error(
        post(json!({"completed": 0, "per": [
            {"segment": "krakow"},
            {"attribute": "store", "completed": 5},
            {"segment": "x", "question": "why", "answer": "price", "completed": 1},
            {"question": "why", "answer": [1], "completed": 2},
            {"segment": "krakow", "completed": 1, "colour": "red"}
        ]}))
        .await
        .unwrap(),
        422,
        "validation_failed",
    )
    .await;
    let got = details(&body);
    for want in pairs(&[
        ("quota.completed", "out_of_range"),
        ("quota.per[0].completed", "required"),
        ("quota.per[1].value", "required"),
        ("quota.per[2]", "bad_condition"),
        ("quota.per[3].answer", "bad_condition"),
        ("quota.per[4].colour", "unknown_field"),
    ]) {
        assert!(got.contains(&want), "{want:?} in {got:?}");
    }
    let body = expect_error(post(json!({})).await.unwrap(), 422, "validation_failed").await;
    assert_eq!(details(&body), pairs(&[("quota", "bad_condition")]));
    // What needs the survey and the saved segments.
    let body = expect_error(
        post(json!({"per": [
            {"segment": "nope", "completed": 1},
            {"question": "why", "answer": "colour", "completed": 1},
            {"question": "nps", "answer": 11, "completed": 1},
            {"question": "gone", "answer": 1, "completed": 1},
            {"question": "why", "answer": 1, "completed": 1}
        ]}))
        .await
        .unwrap(),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        details(&body),
        pairs(&[
            ("quota.per[0].segment", "bad_condition"),
            ("quota.per[1].answer", "unknown_option"),
            ("quota.per[2].answer", "out_of_range"),
            ("quota.per[3].question", "unknown_question"),
            ("quota.per[4].answer", "wrong_type"),
        ])
    );
    // Nothing was made.
    let list = app.get_json("/api/v1/distributions").await;
    assert_eq!(list["items"], json!([]));
}

both_backends!(
    a_margin_sample_is_sized_from_the_surveys_own_spread,
    |config| {
        config.smtp.host = Some("127.0.0.1".into());
    }
);
async fn a_margin_sample_is_sized_from_the_surveys_own_spread(app: TestApp) {
    let rows: Vec<(String, &str)> = (0..100).map(|i| (format!("m{i}"), "WAW")).collect();
    import(&app, &rows).await;
    let survey_id = app.published_survey(&survey()).await;
    // 100 completed NPS answers: 60 promoters, 20 passives, 20 detractors.
    let ops: Vec<puls_store::WriteOp> = (0..100)
        .map(|i| {
            let mut r = puls_testdb::response(app.workspace_id, &survey_id, 1_700_000_000_000 + i);
            let score = match i {
                0..60 => 10,
                60..80 => 8,
                _ => 0,
            };
            r.answers = puls_store::json::JsonText::object(
                &[("nps".to_string(), puls_core::Value::Int(score))].into(),
            );
            puls_store::WriteOp::Insert(r)
        })
        .collect();
    app.store.write_batch(&ops).await.unwrap();
    let d = send(
        &app,
        &survey_id,
        json!({"name": "Na sklep", "audience": {"all": true},
               "sample": {"margin_of_error": 40, "by": "store"}}),
    )
    .await;
    let plan = &d["sample_plan"];
    // p₊ = 60.75/103, p₋ = 20.75/103: σ² = 0.64045 (6,404.5 points²), so
    // ⌈1.96² × 0.64045 / 0.4²⌉ = ⌈15.4⌉ = 16 responses instead of the worst case's 25.
    assert_eq!(plan["nps_variance_measured"], true, "{plan}");
    assert_eq!(plan["nps_variance_from_answers"], 100);
    assert_eq!(plan["nps_variance"], 6404.5, "{plan}");
    assert_eq!(plan["responses_needed"], 16, "{plan}");
    assert_eq!(plan["invites_per_group"], 64);
    // The plan says so in words.
    crate::console::user_in(&app, "anna@sklep.pl", "hasło Anny 123", Some("owner"), "en").await;
    let mut b = crate::console::signed_in(&app, "anna@sklep.pl", "hasło Anny 123").await;
    let id = d["id"].as_str().unwrap();
    let (_, page, _) = b
        .get(&app, &format!("/app/w/acme/distributions/{id}"))
        .await;
    let words = "The spread of the scores was measured on this survey&#x27;s 100 completed NPS \
                 answers (standard deviation 80 points).";
    assert!(page.contains(words), "{page}");
}
