//! Reading comments through the API (`/api/v1/text/analyze`): without the model, the
//! documented "not installed" answer; with it (`PULS_TEXT_MODELS`, or
//! `target/text-models`; `.ci/run` installs it), a clearly negative Polish delivery
//! complaint reads negative and about delivery, in order, and bad input is refused at its
//! field. Behaviour, not scores (`crates/puls-text/examples/evaluate.rs` measures those).

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect_error, json_of};

fn models() -> Option<String> {
    puls_testdb::text_models()
}

async fn analyze(app: &TestApp, body: &Value) -> reqwest::Response {
    app.request(Method::POST, "/api/v1/text/analyze")
        .json(body)
        .send()
        .await
        .unwrap()
}

both_backends!(
    without_the_model_text_analysis_says_it_is_not_installed,
    |config| {
        config.text.models_dir = Some("/nonexistent/puls-text-models".into());
    }
);
async fn without_the_model_text_analysis_says_it_is_not_installed(app: TestApp) {
    let r = analyze(&app, &json!({"texts": ["Kurier zgubił paczkę."]})).await;
    let body = expect_error(r, 409, "text_analysis_not_installed").await;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not installed"),
        "{body}"
    );
    let s = app.get_json("/api/v1/text/status").await;
    assert_eq!(s["installed"], false, "{s}");
    assert!(
        s["reason"]
            .as_str()
            .unwrap()
            .contains("scripts/text-model/fetch")
    );
    // Everything else runs as usual.
    assert_eq!(app.get("/api/v1/surveys").await.status(), 200);
}

both_backends!(
    a_polish_delivery_complaint_reads_negative_and_about_delivery,
    |config| {
        config.text.models_dir = super::models();
    }
);
async fn a_polish_delivery_complaint_reads_negative_and_about_delivery(app: TestApp) {
    if app.app.config().text.models_dir.is_none() {
        return;
    }
    let (status, body) = json_of(
        analyze(
            &app,
            &json!({"texts": [
                "Kurier zostawił paczkę pod drzwiami, nikt nie zadzwonił, a w środku wszystko potłuczone. Skandal!",
                "Dziękuję, obsługa była bardzo miła i wszystko przyszło na czas 🙂"
            ], "locale": "pl"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let r = body["results"].as_array().unwrap();
    assert_eq!(r.len(), 2);
    assert_eq!(r[0]["language"], "pl");
    assert_eq!(r[0]["sentiment"]["label"], "neg", "{body}");
    assert!(
        r[0]["aspects"]
            .as_array()
            .unwrap()
            .contains(&json!({"name": "delivery", "sentiment": "neg"})),
        "{body}"
    );
    assert_eq!(r[1]["sentiment"]["label"], "pos", "{body}");
    let s = app.get_json("/api/v1/text/status").await;
    assert_eq!(s["installed"], true, "{s}");

    // Bad input, at its field.
    let many: Vec<String> = (0..101).map(|i| format!("tekst {i}")).collect();
    let e = expect_error(
        analyze(&app, &json!({"texts": many})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(e["error"]["details"][0]["path"], "texts", "{e}");
    let long = "a".repeat(5_001);
    let e = expect_error(
        analyze(&app, &json!({"texts": ["ok", long]})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(e["error"]["details"][0]["path"], "texts[1]", "{e}");
    let e = expect_error(
        analyze(&app, &json!({"texts": ["ok"], "locale": "de"})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(e["error"]["details"][0]["path"], "locale", "{e}");
    expect_error(
        analyze(&app, &json!({"text": "ok"})).await,
        400,
        "malformed_json",
    )
    .await;
    let r = app
        .anonymous(Method::POST, "/api/v1/text/analyze")
        .json(&json!({"texts": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

/// A Polish survey with an open question and a choice with an "other" text.
fn feedback_survey() -> Value {
    json!({
        "title": {"pl": "Opinie"}, "locales": ["pl"], "touchpoint": "delivery",
        "questions": [
            {"id": "nps", "type": "nps", "text": {"pl": "Polecisz nas?"}},
            {"id": "liked", "type": "multiple_choice", "text": {"pl": "Co było dobre?"},
             "other": {"pl": "Coś innego"},
             "options": [{"id": "speed", "text": {"pl": "Szybkość"}}]},
            {"id": "comment", "type": "open_text", "text": {"pl": "Co możemy poprawić?"}}
        ]
    })
}

/// Rounds of the queue on both nodes at once until neither writes anything; the rounds'
/// sums.
async fn drain(a: &puls_app::App, b: &puls_app::App) -> puls_app::text_queue::TextRound {
    let mut total = puls_app::text_queue::TextRound::default();
    for _ in 0..50 {
        let (ra, rb) = tokio::join!(
            a.analyse_open_answers("node-a"),
            b.analyse_open_answers("node-b")
        );
        let (ra, rb) = (ra.expect("node a's round"), rb.expect("node b's round"));
        total += ra;
        total += rb;
        if ra.written + rb.written == 0 && ra.finished + rb.finished > 0 {
            return total;
        }
    }
    panic!("the queue did not drain: {total:?}");
}

both_backends!(
    open_answers_are_analysed_once_across_two_nodes_and_shown_and_exported,
    |config| {
        config.text.models_dir = super::models();
    }
);
async fn open_answers_are_analysed_once_across_two_nodes_and_shown_and_exported(app: TestApp) {
    if app.app.config().text.models_dir.is_none() {
        return;
    }
    let survey = app.published_survey(&feedback_survey()).await;
    let mut ids = Vec::new();
    let mut distinct = std::collections::HashSet::new();
    for i in 0..30 {
        let comment = match i % 3 {
            0 => format!("Kurier spóźnił się {i} dni i paczka przyszła zgnieciona. Skandal!"),
            1 => "ok".to_string(),
            _ => format!("Dziękuję, wszystko przyszło na czas, zamówienie nr {i} bez zarzutu."),
        };
        distinct.insert(comment.clone());
        ids.push(
            app.answer(&survey, json!({"nps": i % 11, "comment": comment}))
                .await,
        );
    }
    // An "other" text, and a response without any text.
    let other = app
        .answer(
            &survey,
            json!({"nps": 3, "liked": {"selected": [], "other": "Nic, cena za wysoka"}}),
        )
        .await;
    distinct.insert("Nic, cena za wysoka".to_string());
    let silent = app.answer(&survey, json!({"nps": 9})).await;

    let rids: Vec<puls_core::ResponseId> = ids
        .iter()
        .map(|id| puls_core::ResponseId::parse(id).unwrap())
        .collect();
    let b = app.second_app().await;
    let round = drain(&app.app, &b).await;
    // Every answer once, every distinct text read once, whichever node read it.
    assert_eq!(round.written, 31, "{round:?}");
    assert_eq!(round.read, distinct.len() as u64, "{round:?}");
    let stored = app
        .store
        .text_results(app.workspace_id, &rids)
        .await
        .unwrap();
    assert_eq!(stored.len(), 30);
    let version = app.app.text_analysis_version().await.unwrap();
    assert!(stored.iter().all(|r| r.analysis_version == version));
    // Nothing more to do: another round reads and writes nothing.
    let again = drain(&app.app, &b).await;
    assert_eq!((again.written, again.read), (0, 0), "{again:?}");

    // The API shows it with the response.
    let r = app.response(&ids[0]).await;
    let t = &r["text_analysis"][0];
    assert_eq!(t["question"], "comment", "{r}");
    assert_eq!(t["language"], "pl", "{r}");
    assert_eq!(t["sentiment"]["label"], "neg", "{r}");
    assert!(
        t["aspects"]
            .as_array()
            .unwrap()
            .contains(&json!({"name": "delivery", "sentiment": "neg"})),
        "{r}"
    );
    let r = app.response(&other).await;
    assert_eq!(r["text_analysis"][0]["question"], "liked", "{r}");
    assert_eq!(app.response(&silent).await["text_analysis"], json!([]));

    // Filters: negative about delivery, and the inbox shows it in words.
    let listed = app
        .response_ids(&format!("survey={survey}&sentiment=neg&aspect=delivery"))
        .await;
    assert!(listed.contains(&ids[0]), "{listed:?}");
    assert!(
        !listed.contains(&ids[1]) && !listed.contains(&ids[2]),
        "{listed:?}"
    );
    let positive = app
        .response_ids(&format!("survey={survey}&sentiment=pos"))
        .await;
    assert!(
        positive.contains(&ids[2]) && !positive.contains(&ids[0]),
        "{positive:?}"
    );

    // The exports carry it: CSV columns per open question, NDJSON as the API.
    let csv = app
        .get_text(&format!(
            "/api/v1/responses/export?survey={survey}&format=csv"
        ))
        .await;
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let (sentiment, aspects) = (col("comment.sentiment"), col("comment.aspects"));
    col("liked.sentiment");
    let row = lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|cells| cells[0] == ids[0])
        .expect("the first response's row");
    assert_eq!(row[sentiment], "neg");
    assert!(row[aspects].contains("delivery:neg"), "{row:?}");
    let ndjson = app
        .get_text(&format!(
            "/api/v1/responses/export?survey={survey}&format=ndjson"
        ))
        .await;
    let first: Value = ndjson
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|v| v["id"] == ids[0].as_str())
        .unwrap();
    assert_eq!(first["text_analysis"][0]["sentiment"]["label"], "neg");

    // Deleting a response deletes what was read in it.
    let r = app
        .request(Method::DELETE, &format!("/api/v1/responses/{}", ids[0]))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    assert!(
        app.store
            .text_results(app.workspace_id, &rids[..1])
            .await
            .unwrap()
            .is_empty()
    );
}

both_backends!(
    a_new_analysis_version_or_an_edited_text_is_read_again_and_a_lost_lease_writes_nothing,
    |config| {
        config.text.models_dir = super::models();
    }
);
async fn a_new_analysis_version_or_an_edited_text_is_read_again_and_a_lost_lease_writes_nothing(
    app: TestApp,
) {
    if app.app.config().text.models_dir.is_none() {
        return;
    }
    let survey = app.published_survey(&feedback_survey()).await;
    let id = app
        .answer(
            &survey,
            json!({"comment": "Kurier zostawił paczkę pod drzwiami, nikt nie zadzwonił, a w środku wszystko potłuczone. Skandal!"}),
        )
        .await;
    let rid = puls_core::ResponseId::parse(&id).unwrap();
    // A result of an older analysis, written under a lease of its own.
    let store = &app.store;
    let now = puls_store::now_ms();
    store
        .start_feed(app.workspace_id, "text:old", 0)
        .await
        .unwrap();
    store
        .lease_feed(app.workspace_id, "text:old", "old-node", now, now + 60_000)
        .await
        .unwrap()
        .expect("the lease");
    let old = puls_store::TextResultRecord {
        response_id: rid.clone(),
        question_id: "comment".into(),
        workspace_id: app.workspace_id,
        survey_id: survey.clone(),
        touchpoint: "delivery".into(),
        channel: "api".into(),
        locale: "pl".into(),
        response_at: now,
        analysis_version: "old".into(),
        text_hash: "0".into(),
        language: "pl".into(),
        sentiment: "pos".into(),
        score_milli: 500,
        aspects: "[]".into(),
        emotion: "none".into(),
        terms: String::new(),
        analysed_at: now,
        node: "old-node".into(),
    };
    let held = |node| puls_store::HeldLease {
        feed: "text:old",
        node,
        now: puls_store::now_ms(),
    };
    // Another node, not holding the lease, writes nothing.
    assert_eq!(
        store
            .save_text_results(
                app.workspace_id,
                held("intruder"),
                std::slice::from_ref(&old),
                &[]
            )
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .save_text_results(app.workspace_id, held("old-node"), &[old], &[])
            .await
            .unwrap(),
        Some(1)
    );

    // The current version reads it again and replaces it.
    let round = app.app.analyse_open_answers("node-a").await.unwrap();
    assert_eq!(round.written, 1, "{round:?}");
    let r = &store
        .text_results(app.workspace_id, std::slice::from_ref(&rid))
        .await
        .unwrap()[0];
    assert_eq!(r.sentiment, "neg");
    assert_ne!(r.analysis_version, "old");

    // An edited text (a partial response continued) is read again; its old text's result
    // goes.
    let partial = app
        .submit_ok(
            &survey,
            &json!({"answers": {"comment": "Wszystko super, dziękuję!"}, "completed": false}),
        )
        .await;
    let pid = partial["id"].as_str().unwrap().to_string();
    let token = partial["resume_token"].as_str().unwrap().to_string();
    app.app.analyse_open_answers("node-a").await.unwrap();
    let p = app.response(&pid).await;
    assert_eq!(p["text_analysis"][0]["sentiment"]["label"], "pos", "{p}");
    let r = app
        .continue_response(
            &pid,
            &token,
            &json!({"answers": {"comment": "Jednak kurier zgubił paczkę, reklamacja odrzucona."}, "completed": true}),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.status());
    let round = app.app.analyse_open_answers("node-a").await.unwrap();
    assert_eq!(round.written, 1, "{round:?}");
    let p = app.response(&pid).await;
    assert_eq!(p["text_analysis"][0]["sentiment"]["label"], "neg", "{p}");
}

both_backends!(
    the_text_report_ranks_aspects_and_refuses_filters_it_does_not_take,
    |config| {
        config.text.models_dir = super::models();
    }
);
async fn the_text_report_ranks_aspects_and_refuses_filters_it_does_not_take(app: TestApp) {
    if app.app.config().text.models_dir.is_none() {
        let r = app.get_json("/api/v1/reports/text").await;
        assert_eq!(r["installed"], false, "{r}");
        return;
    }
    let survey = app.published_survey(&feedback_survey()).await;
    for i in 0..12 {
        let comment = if i % 4 == 0 {
            format!("Dziękuję, szybka dostawa, zamówienie {i} bez zarzutu.")
        } else {
            format!("Kurier spóźnił się {i} dni, paczka zgnieciona. Skandal!")
        };
        app.answer(&survey, json!({"nps": 3, "comment": comment}))
            .await;
    }
    app.answer(
        &survey,
        json!({"comment": "Cena za wysoka, drożej niż w sklepie obok."}),
    )
    .await;
    app.app.analyse_open_answers("node-a").await.unwrap();

    let r = app.get_json("/api/v1/reports/text").await;
    assert_eq!(r["installed"], true, "{r}");
    assert_eq!(r["analysed"], 13, "{r}");
    assert_eq!(r["previous_analysed"], 0, "{r}");
    let aspects = r["aspects"].as_array().unwrap();
    // Most named first: delivery, in every comment but the last.
    assert_eq!(aspects[0]["name"], "delivery", "{r}");
    let d = &aspects[0];
    let n = d["mentions"]["negative"].as_u64().unwrap()
        + d["mentions"]["neutral"].as_u64().unwrap()
        + d["mentions"]["positive"].as_u64().unwrap();
    assert_eq!(n, 12, "{r}");
    let share = d["share"]["value"].as_f64().unwrap();
    assert!((share - 100.0 * 12.0 / 13.0).abs() < 1e-9, "{r}");
    assert!(d["share"]["ci_low"].as_f64().unwrap() < share);
    let net = d["net_sentiment"]["value"].as_f64().unwrap();
    assert!(net < 0.0, "mostly complaints: {r}");
    assert!(d["net_sentiment"]["ci_low"].as_f64().unwrap() <= net);
    assert_eq!(d["share"]["small_sample"], true, "{r}");
    assert_eq!(
        d["net_sentiment_change"]["verdict"], "not_enough_data",
        "{r}"
    );
    assert!(aspects.iter().any(|a| a["name"] == "price"), "{r}");

    // Filters it takes narrow it; those it does not are refused by name.
    let other = app
        .get_json("/api/v1/reports/text?touchpoint=checkout")
        .await;
    assert_eq!(other["analysed"], 0, "{other}");
    let e = app.get("/api/v1/reports/text?status=completed").await;
    let status = e.status().as_u16();
    let body: Value = e.json().await.unwrap();
    assert!((400..500).contains(&status), "{status} {body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("status"),
        "{body}"
    );
}

both_backends!(
    a_rule_on_what_was_read_opens_a_case_once_the_answers_are_read,
    |config| {
        config.text.models_dir = super::models();
    }
);
async fn a_rule_on_what_was_read_opens_a_case_once_the_answers_are_read(app: TestApp) {
    let rule = json!({"key": "negative-delivery", "name": {"pl": "Negatywnie o dostawie"},
        "conditions": [{"reading": {"sentiment": "neg", "aspect": "delivery"}}],
        "actions": {"case": {"priority": "high"}}});
    let (status, saved) = json_of(
        app.send_json(Method::POST, "/api/v1/alert-rules", &rule)
            .await,
    )
    .await;
    assert_eq!(status, 201, "{saved}");
    if app.app.config().text.models_dir.is_none() {
        return;
    }
    let survey = app.published_survey(&feedback_survey()).await;
    let negative = app
        .answer(
            &survey,
            json!({"nps": 2, "comment": "Kurier zostawił paczkę pod drzwiami, nikt nie zadzwonił, a w środku wszystko potłuczone. Skandal!"}),
        )
        .await;
    app.answer(
        &survey,
        json!({"nps": 10, "comment": "Dziękuję, obsługa była bardzo miła i wszystko przyszło na czas."}),
    )
    .await;
    let cases = || async { app.get_json("/api/v1/cases").await["items"].clone() };
    // At completion the rule waits: nothing is read yet.
    let render = |_: &puls_store::ResponseRecord| json!({});
    app.app
        .dispatch_responses(app.workspace_id, "node-a", &render)
        .await
        .unwrap();
    assert_eq!(cases().await, json!([]));
    // Once read, the negative delivery complaint opens its case; the praise does not.
    app.app.analyse_open_answers("node-a").await.unwrap();
    let list = cases().await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list:#}");
    assert_eq!(list[0]["response_id"], negative.as_str(), "{list:#}");
    // Nothing twice: neither another round nor the completion feed again.
    app.app.analyse_open_answers("node-a").await.unwrap();
    app.app
        .dispatch_responses(app.workspace_id, "node-a", &render)
        .await
        .unwrap();
    assert_eq!(cases().await.as_array().unwrap().len(), 1);
}

both_backends!(metrics_group_by_sentiment_and_filter_by_aspect, |config| {
    config.text.models_dir = super::models();
});
async fn metrics_group_by_sentiment_and_filter_by_aspect(app: TestApp) {
    // Bad values are refused by name, with or without the model.
    for (q, field) in [
        ("by=sentiment&sentiment=angry", "sentiment"),
        ("aspect=weather", "aspect"),
        ("aspect=delivery:angry", "aspect"),
    ] {
        let r = app.get(&format!("/api/v1/metrics?metric=nps&{q}")).await;
        let status = r.status().as_u16();
        let body: Value = r.json().await.unwrap();
        assert!((400..500).contains(&status), "{q}: {status} {body}");
        assert!(
            body["error"]["message"].as_str().unwrap().contains(field),
            "{q}: {body}"
        );
    }
    if app.app.config().text.models_dir.is_none() {
        return;
    }
    let survey = app.published_survey(&feedback_survey()).await;
    let complaint = "Kurier zostawił paczkę pod drzwiami, nikt nie zadzwonił, a w środku wszystko potłuczone. Skandal!";
    let praise = "Dziękuję, obsługa była bardzo miła i wszystko przyszło na czas.";
    for (nps, comment) in [(1, complaint), (2, complaint), (10, praise), (9, praise)] {
        app.answer(&survey, json!({"nps": nps, "comment": comment}))
            .await;
    }
    app.answer(&survey, json!({"nps": 8})).await;
    app.app.analyse_open_answers("node-a").await.unwrap();

    let r = app
        .get_json("/api/v1/metrics?metric=nps&by=sentiment&compare=none")
        .await;
    let group = |label: Value| {
        r["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|row| row["keys"]["sentiment"] == label)
            .cloned()
            .unwrap_or_else(|| panic!("no group {label}: {r}"))
    };
    assert_eq!(group(json!("neg"))["n"], 2, "{r}");
    assert_eq!(group(json!("neg"))["value"], -100.0, "{r}");
    assert_eq!(group(json!("pos"))["n"], 2, "{r}");
    // The response without an open answer has no sentiment.
    assert_eq!(group(Value::Null)["n"], 1, "{r}");
    // Negative about delivery: the two complaints.
    let f = app
        .get_json("/api/v1/metrics?metric=nps&aspect=delivery:neg&compare=none")
        .await;
    assert_eq!(f["total"]["n"], 2, "{f}");
    let f = app
        .get_json("/api/v1/metrics?metric=nps&sentiment=pos&compare=none")
        .await;
    assert_eq!(f["total"]["value"], 100.0, "{f}");
}

async fn put_aspect(app: &TestApp, name: &str, body: &Value) -> reqwest::Response {
    app.request(Method::PUT, &format!("/api/v1/text/aspects/{name}"))
        .json(body)
        .send()
        .await
        .unwrap()
}

both_backends!(
    a_workspace_keeps_its_own_aspects_and_bad_ones_are_refused_by_field,
    |config| {
        config.text.models_dir = Some("/nonexistent/puls-text-models".into());
    }
);
async fn a_workspace_keeps_its_own_aspects_and_bad_ones_are_refused_by_field(app: TestApp) {
    let parking = json!({
        "labels": {"pl": "Parking", "cs": "Parkování", "en": "Parking"},
        "keywords": {"pl": ["parking*", "  miejsc*   parkingow* ", "parking*"], "cs": ["parkov*"], "en": ["parking"]}
    });
    let (status, body) = json_of(put_aspect(&app, "parking", &parking).await).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["builtin"], false);
    // Keywords are kept tidy: spaces collapsed, repeats left out.
    assert_eq!(
        body["keywords"]["pl"],
        json!(["parking*", "miejsc* parkingow*"]),
        "{body}"
    );
    let (status, _) = json_of(put_aspect(&app, "parking", &parking).await).await;
    assert_eq!(status, 200);
    // Keywords added to a built-in aspect; its names are Puls's.
    let (status, body) = json_of(
        put_aspect(
            &app,
            "delivery",
            &json!({"keywords": {"pl": ["dpd", "inpost"]}}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["builtin"], true);
    let list = app.get_json("/api/v1/text/aspects").await;
    let names: Vec<&str> = list["aspects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 10, "{list}");
    assert_eq!((names[0], names[9]), ("delivery", "parking"), "{list}");
    assert_eq!(
        list["aspects"][0]["keywords"]["pl"],
        json!(["dpd", "inpost"])
    );
    assert!(list["aspects"][1]["updated_at"].is_null(), "{list}");

    // Every problem at its field.
    let e = expect_error(
        put_aspect(
            &app,
            "delivery",
            &json!({"labels": {"pl": "D", "cs": "D", "en": "D"}}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(e["error"]["details"][0]["path"], "labels", "{e}");
    let e = expect_error(
        put_aspect(
            &app,
            "garage",
            &json!({"labels": {"pl": "Garaż", "cs": " ", "en": "Garage"}, "keywords": {"pl": ["-kurier"]}}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    let paths: Vec<&str> = e["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["labels.cs", "keywords.pl[0]", "keywords"], "{e}");
    let e = expect_error(
        put_aspect(&app, "garage", &json!({"keywords": {"pl": ["garaż*"]}})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(e["error"]["details"][0]["path"], "labels", "{e}");
    let e = expect_error(
        put_aspect(
            &app,
            "Garage",
            &json!({"labels": {"pl": "G", "cs": "G", "en": "G"}, "keywords": {"en": ["garage"]}}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(e["error"]["details"][0]["path"], "name", "{e}");
    expect_error(
        put_aspect(&app, "garage", &json!({"keywords": {"de": ["garage"]}})).await,
        400,
        "malformed_json",
    )
    .await;

    // Filters take the workspace's aspects, and only those.
    assert_eq!(
        app.get("/api/v1/responses?aspect=parking").await.status(),
        200
    );
    let r = app.get("/api/v1/responses?aspect=garage").await;
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("aspect") && message.contains("parking"),
        "{body}"
    );
    assert_eq!(
        app.get("/api/v1/metrics?metric=nps&aspect=parking:neg")
            .await
            .status(),
        200
    );
    assert_eq!(
        app.get("/api/v1/metrics?metric=nps&aspect=garage")
            .await
            .status(),
        400
    );

    // Deleting: the own aspect goes, a built-in one loses only the added keywords.
    let r = app
        .request(Method::DELETE, "/api/v1/text/aspects/parking")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = app
        .request(Method::DELETE, "/api/v1/text/aspects/delivery")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = app
        .request(Method::DELETE, "/api/v1/text/aspects/parking")
        .send()
        .await
        .unwrap();
    expect_error(r, 404, "not_found").await;
    let list = app.get_json("/api/v1/text/aspects").await;
    assert_eq!(list["aspects"].as_array().unwrap().len(), 9, "{list}");
    assert_eq!(list["aspects"][0]["keywords"]["pl"], json!([]), "{list}");
}

both_backends!(
    own_aspects_are_read_in_answers_matched_again_without_the_model_and_reported,
    |config| {
        config.text.models_dir = super::models();
    }
);
async fn own_aspects_are_read_in_answers_matched_again_without_the_model_and_reported(
    app: TestApp,
) {
    if app.app.config().text.models_dir.is_none() {
        return;
    }
    let survey = app.published_survey(&feedback_survey()).await;
    let parking = app
        .answer(
            &survey,
            json!({"nps": 2, "comment": "Parking przed sklepem był pełny, nie było gdzie stanąć. Porażka."}),
        )
        .await;
    let courier = app
        .answer(
            &survey,
            json!({"nps": 9, "comment": "Kurier był bardzo miły i szybki, dziękuję!"}),
        )
        .await;
    let b = app.second_app().await;
    let first = drain(&app.app, &b).await;
    assert_eq!((first.written, first.read), (2, 2), "{first:?}");
    let aspects_of = |r: &Value| -> Vec<String> {
        r["text_analysis"][0]["aspects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(!aspects_of(&app.response(&parking).await).contains(&"parking".to_string()));
    let sentiment = app.response(&parking).await["text_analysis"][0]["sentiment"].clone();

    let (status, _) = json_of(
        put_aspect(
            &app,
            "parking",
            &json!({"labels": {"pl": "Parking", "cs": "Parkování", "en": "Parking"},
                    "keywords": {"pl": ["parking*"], "cs": ["parkov*"], "en": ["parking"]}}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201);
    let status = app.get_json("/api/v1/text/status").await;
    assert!(
        status["analysis_version"]
            .as_str()
            .unwrap()
            .contains("+aspects-"),
        "{status}"
    );
    // Both answers are looked at again; the model reads neither (what it read is kept).
    let again = drain(&app.app, &b).await;
    assert_eq!((again.written, again.read), (2, 0), "{again:?}");
    let r = app.response(&parking).await;
    assert_eq!(r["text_analysis"][0]["sentiment"], sentiment, "{r}");
    assert!(
        r["text_analysis"][0]["aspects"]
            .as_array()
            .unwrap()
            .contains(&json!({"name": "parking", "sentiment": sentiment["label"]})),
        "{r}"
    );
    assert!(aspects_of(&app.response(&courier).await).contains(&"delivery".to_string()));

    // Filters, metrics, the report and the analysis API use it.
    let listed = app
        .response_ids(&format!("survey={survey}&aspect=parking"))
        .await;
    assert_eq!(listed, vec![parking.clone()]);
    let m = app
        .get_json("/api/v1/metrics?metric=nps&aspect=parking&compare=none")
        .await;
    assert_eq!(m["total"]["n"], 1, "{m}");
    let report = app.get_json("/api/v1/reports/text").await;
    assert!(
        report["aspects"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["name"] == "parking"),
        "{report}"
    );
    let (_, body) = json_of(
        analyze(
            &app,
            &json!({"texts": ["Parkování u prodejny je katastrofa."], "locale": "cs"}),
        )
        .await,
    )
    .await;
    assert!(
        body["results"][0]["aspects"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["name"] == "parking"),
        "{body}"
    );

    // Deleting it reads the answers again under the built-in aspects, still without the
    // model.
    app.request(Method::DELETE, "/api/v1/text/aspects/parking")
        .send()
        .await
        .unwrap();
    let back = drain(&app.app, &b).await;
    assert_eq!((back.written, back.read), (2, 0), "{back:?}");
    assert!(!aspects_of(&app.response(&parking).await).contains(&"parking".to_string()));
}
