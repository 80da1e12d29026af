//! Distributions against a real SMTP server (aiosmtpd): invitations in each contact's
//! language with a personal link, the one-click unsubscribe headers and a working score
//! link; RFC 8058's POST unsubscribes and a GET does not; a 550 recipient is suppressed, a
//! 451 one retried; reminders reach only those who have not completed; the suppression
//! list outlives the person's erasure.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect_error, json_of};

fn survey() -> Value {
    json!({
        "title": {"pl": "Dostawa", "cs": "Doručení", "en": "Delivery"},
        "locales": ["pl", "cs", "en"], "default_locale": "pl",
        "touchpoint": "delivery",
        "questions": [
            {"id": "nps", "type": "nps", "required": true,
             "text": {"pl": "Czy polecisz nas?", "cs": "Doporučíte nás?", "en": "Would you recommend us?"}},
            {"id": "why", "type": "open_text",
             "text": {"pl": "Dlaczego?", "cs": "Proč?", "en": "Why?"}}
        ]
    })
}

async fn contact(app: &TestApp, body: Value) -> String {
    let (status, c) = json_of(
        app.request(Method::POST, "/api/v1/contacts")
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(status.is_success(), "{c}");
    c["id"].as_str().unwrap().to_string()
}

async fn distribution(app: &TestApp, id: &str) -> Value {
    app.get_json(&format!("/api/v1/distributions/{id}")).await
}

/// Waits (up to 20 s) until the distribution's counts satisfy `done`.
async fn wait_counts(app: &TestApp, id: &str, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..400 {
        let d = distribution(app, id).await;
        if done(&d["counts"]) {
            return d;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("counts never settled: {:#}", distribution(app, id).await);
}

fn to(m: &Value) -> &str {
    m["to"].as_str().unwrap()
}

/// The one message sent to `address` so far.
fn message_to<'a>(mail: &'a [Value], address: &str) -> &'a Value {
    let mut theirs = mail.iter().filter(|m| to(m).contains(address));
    let m = theirs
        .next()
        .unwrap_or_else(|| panic!("no message to {address} in {mail:#?}"));
    assert!(theirs.next().is_none(), "one message to {address}");
    m
}

/// `href="..."` values of an HTML part.
fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|s| s.replace("&#x2f;", "/").replace("&amp;", "&"))
        .collect()
}

fn path_of(app: &TestApp, url: &str) -> String {
    url.strip_prefix(&app.address)
        .unwrap_or_else(|| panic!("{url} is not on {}", app.address))
        .to_string()
}

both_backends!(invitations_reminders_and_unsubscribing, |config| {
    config.outbox.poll_ms = 50;
    config.outbox.retry_base_ms = 100;
    config.smtp.host = Some("127.0.0.1".into());
});
async fn invitations_reminders_and_unsubscribing(app: TestApp) {
    let smtp = puls_testdb::SmtpServer::start();
    let survey_id = app.published_survey(&survey()).await;
    let anna = contact(&app, json!({"email": "anna@sklep.pl", "locale": "pl"})).await;
    contact(&app, json!({"email": "jan@obchod.cz", "locale": "cs"})).await;
    let bob = contact(&app, json!({"email": "bob@shop.example", "locale": "en"})).await;
    contact(
        &app,
        json!({"email": "bounce1@shop.example", "locale": "pl"}),
    )
    .await;
    contact(
        &app,
        json!({"email": "later1@shop.example", "locale": "en"}),
    )
    .await;
    contact(&app, json!({"external_id": "no-mail", "locale": "pl"})).await;
    contact(
        &app,
        json!({"email": "nie@sklep.pl", "consents": {"surveys": false}}),
    )
    .await;

    // Problems of the definition at their paths; a draft is not sent.
    let bad = app
        .request(
            Method::POST,
            &format!("/api/v1/surveys/{survey_id}/distributions"),
        )
        .json(
            &json!({"name": "", "audience": {"segment": "x", "all": true},
                      "reminders": {"count": 9}}),
        )
        .send()
        .await
        .unwrap();
    let body = expect_error(bad, 422, "validation_failed").await;
    let paths: Vec<&str> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["name", "audience", "reminders.count"], "{body}");
    let draft = app.create_survey(&survey()).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let refused = app
        .request(
            Method::POST,
            &format!("/api/v1/surveys/{draft}/distributions"),
        )
        .json(&json!({"name": "x", "audience": {"all": true}}))
        .send()
        .await
        .unwrap();
    expect_error(refused, 409, "survey_not_published").await;

    let (status, d) = json_of(
        app.request(
            Method::POST,
            &format!("/api/v1/surveys/{survey_id}/distributions"),
        )
        .json(&json!({
            "name": "Po dostawie", "audience": {"all": true},
            "embed_first_question": true,
            "reminders": {"count": 1, "after_hours": 24}
        }))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{d}");
    let id = d["id"].as_str().unwrap().to_string();
    assert_eq!(d["counts"]["recipients"], 7, "{d}");
    assert_eq!(d["counts"]["queued"], 5, "{d}");
    assert_eq!(
        d["counts"]["skipped"],
        json!({"consent_withdrawn": 1, "no_address": 1}),
        "{d}"
    );
    assert_eq!(d["definition"]["reminders"]["after_hours"], 24);

    app.spawn_worker_mailing_to(&smtp);
    // Four arrive (the 451 one on its second try); the 550 one bounces.
    let mail = smtp.wait_for(4).await;
    let d = wait_counts(&app, &id, |c| c["sent"] == 4 && c["bounced"] == 1).await;
    assert_eq!(d["counts"]["failed"], 0, "{d}");

    // In the contact's language, with the one-click headers and a personal link.
    let pl = message_to(&mail, "anna@sklep.pl");
    assert_eq!(pl["subject"], "Acme prosi o Twoją opinię", "{pl:#}");
    let cs = message_to(&mail, "jan@obchod.cz");
    assert_eq!(cs["subject"], "Acme vás prosí o názor");
    assert!(cs["text"].as_str().unwrap().contains("Doporučíte nás?"));
    let en = message_to(&mail, "bob@shop.example");
    assert_eq!(en["subject"], "Acme asks for your opinion");
    let unsubscribe = en["headers"]["List-Unsubscribe"].as_str().unwrap();
    assert!(
        unsubscribe.starts_with(&format!("<{}/u/", app.address)),
        "{unsubscribe}"
    );
    assert_eq!(
        en["headers"]["List-Unsubscribe-Post"],
        "List-Unsubscribe=One-Click"
    );
    let pl_links = links(pl["html"].as_str().unwrap());
    let scores: Vec<&String> = pl_links.iter().filter(|l| l.contains("&a=")).collect();
    assert_eq!(scores.len(), 11, "{pl_links:?}");
    let personal = pl_links
        .iter()
        .find(|l| l.contains("?inv=") && !l.contains("&a="))
        .unwrap();
    assert!(
        pl["text"].as_str().unwrap().contains(personal.as_str()),
        "{personal} in {}",
        pl["text"]
    );

    // The 550 recipient is suppressed; the 451 one is not, and was sent.
    let s = app
        .get_json("/api/v1/suppressions/bounce1@shop.example")
        .await;
    assert_eq!(s["reason"], "bounced", "{s}");
    let s = app
        .get_json("/api/v1/suppressions/later1@shop.example")
        .await;
    assert_eq!(s["suppressed"], false, "{s}");

    // One click on 9 records the score and opens the rest; a second click changes it.
    let nine = scores.iter().find(|l| l.ends_with("&a=9")).unwrap();
    let clicked = app.get(&path_of(&app, nine)).await;
    assert_eq!(clicked.status(), 303);
    let next = clicked.headers()["location"].to_str().unwrap().to_string();
    assert!(next.contains("q=why") && next.contains("rid="), "{next}");
    let page = app.get_text(&next).await;
    assert!(page.contains("Dlaczego?"), "{page}");
    let ten = scores.iter().find(|l| l.ends_with("&a=10")).unwrap();
    assert_eq!(app.get(&path_of(&app, ten)).await.status(), 303);
    let responses = app.all_responses("").await;
    assert_eq!(responses.len(), 1, "{responses:#?}");
    assert_eq!(responses[0]["answers"]["nps"], 10);
    assert_eq!(responses[0]["channel"], "email");
    let hers = app
        .get_json(&format!("/api/v1/contacts/{anna}/responses"))
        .await;
    assert!(
        hers.to_string()
            .contains(responses[0]["id"].as_str().unwrap()),
        "the response is Anna's: {hers}"
    );
    // Anna finishes the survey on the page.
    let query: Vec<(String, String)> =
        serde_urlencoded::from_str(next.split_once('?').unwrap().1).unwrap();
    let field = |k: &str| query.iter().find(|(n, _)| n == k).unwrap().1.clone();
    let done = app
        .anonymous(Method::POST, &format!("/s/{survey_id}"))
        .form(&[
            ("q", "why"),
            ("rid", &field("rid")),
            ("rt", &field("rt")),
            ("lang", "pl"),
            ("a", "Szybko i miło"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 303, "{}", done.text().await.unwrap());

    // A GET of the unsubscribe link changes nothing; the one-click POST unsubscribes.
    let u = path_of(&app, unsubscribe.trim_matches(['<', '>']));
    let page = app.anonymous(Method::GET, &u).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(
        page.contains("b***@shop.example") && page.contains("method=\"post\""),
        "{page}"
    );
    let s = app.get_json("/api/v1/suppressions/bob@shop.example").await;
    assert_eq!(s["suppressed"], false, "a GET does not unsubscribe: {s}");
    let post = app
        .anonymous(Method::POST, &u)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), 200);
    let s = app.get_json("/api/v1/suppressions/bob@shop.example").await;
    assert_eq!(s["reason"], "unsubscribed", "{s}");

    // Reminders a day later: only to those who have not completed and may be written to.
    let d = wait_counts(&app, &id, |c| c["completed"] == 1).await;
    assert_eq!(d["counts"]["started"], 1);
    let queued = app
        .app
        .send_reminders(puls_store::now_ms() + 25 * 3_600_000)
        .await
        .unwrap();
    assert_eq!(queued, 3, "jan, bob and later1; not anna, who completed");
    let mail = smtp.wait_for(6).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let mail_now = smtp.messages();
    assert_eq!(mail_now.len(), 6, "bob unsubscribed: {mail_now:#?}");
    let subjects = |address: &str| {
        let mut s: Vec<String> = mail
            .iter()
            .filter(|m| to(m).contains(address))
            .map(|m| m["subject"].as_str().unwrap().to_string())
            .collect();
        s.sort();
        s
    };
    assert_eq!(
        subjects("jan@obchod.cz"),
        [
            "Acme vás prosí o názor",
            "Připomínka: Acme vás prosí o názor"
        ]
    );
    assert_eq!(
        subjects("later1@shop.example"),
        [
            "Acme asks for your opinion",
            "Reminder: Acme asks for your opinion"
        ]
    );
    assert_eq!(subjects("anna@sklep.pl").len(), 1, "Anna completed");
    // Nothing more is due: one reminder each.
    let again = app
        .app
        .send_reminders(puls_store::now_ms() + 100 * 3_600_000)
        .await
        .unwrap();
    assert_eq!(again, 0);
    let d = wait_counts(&app, &id, |c| c["reminders"] == 3).await;
    let rate = &d["response_rate"];
    assert_eq!(
        (rate["count"].clone(), rate["n"].clone()),
        (json!(1), json!(4)),
        "{d}"
    );
    assert!(rate["ci_low"].as_f64().unwrap() < 25.0 && rate["ci_high"].as_f64().unwrap() > 25.0);

    // What the contact's page answers: what was sent, and what not.
    let theirs = app
        .get_json(&format!("/api/v1/contacts/{bob}/deliveries"))
        .await;
    assert_eq!(theirs[0]["status"], "sent", "{theirs}");

    // Erasing Bob leaves his address suppressed: a new contact with it is not written to.
    let erased = app
        .request(Method::DELETE, &format!("/api/v1/contacts/{bob}"))
        .send()
        .await
        .unwrap();
    assert!(erased.status().is_success());
    let gone = app.anonymous(Method::GET, &u).send().await.unwrap();
    assert_eq!(gone.status(), 404, "the erased person's link is gone");
    let theirs = app
        .get_json(&format!("/api/v1/distributions/{id}/deliveries?limit=500"))
        .await;
    assert!(
        !theirs.to_string().contains("bob@shop.example"),
        "no address of an erased person is kept: {theirs}"
    );
    contact(&app, json!({"email": "Bob@Shop.example", "locale": "en"})).await;
    let (_, d2) = json_of(
        app.request(
            Method::POST,
            &format!("/api/v1/surveys/{survey_id}/distributions"),
        )
        .json(&json!({"name": "Again", "audience": {"all": true}}))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(d2["counts"]["suppressed"], 2, "bob and bounce1: {d2}");
}

both_backends!(distributions_need_email_configured);
async fn distributions_need_email_configured(app: TestApp) {
    let survey_id = app.published_survey(&survey()).await;
    let refused = app
        .request(
            Method::POST,
            &format!("/api/v1/surveys/{survey_id}/distributions"),
        )
        .json(&json!({"name": "x", "audience": {"all": true}}))
        .send()
        .await
        .unwrap();
    expect_error(refused, 409, "email_not_configured").await;
    let missing = app.get("/api/v1/distributions/dst_nope").await;
    expect_error(missing, 404, "not_found").await;
    let bad = app.get("/api/v1/suppressions/not-an-address").await;
    expect_error(bad, 422, "validation_failed").await;
}

both_backends!(a_distribution_cut_short_is_finished_once, |config| {
    config.smtp.host = Some("127.0.0.1".into());
});
async fn a_distribution_cut_short_is_finished_once(app: TestApp) {
    let survey_id = app.published_survey(&survey()).await;
    for i in 0..5 {
        contact(
            &app,
            json!({"email": format!("k{i}@sklep.pl"), "locale": "pl"}),
        )
        .await;
    }
    // A node stopped right after writing the distribution, before any delivery.
    let now = puls_store::now_ms();
    let record = puls_store::DistributionRecord {
        id: "dst_cut_short".into(),
        workspace_id: app.workspace_id,
        survey_id: puls_core::SurveyId::parse(&survey_id).unwrap(),
        channel: "email".into(),
        name: "Przerwana".into(),
        definition: r#"{"name": "Przerwana", "audience": {"all": true}}"#.into(),
        status: "preparing".into(),
        recipients: 0,
        created_by: None,
        created_at: now - 3_600_000,
        updated_at: now - 3_600_000,
        trigger_id: None,
        sample_plan: None,
    };
    app.store.create_distribution(&record).await.unwrap();
    // Not yet stale for a node whose clock says it just happened; then finished once.
    assert_eq!(
        app.app.resume_distributions(now - 3_000_000).await.unwrap(),
        0
    );
    let (a, b) = tokio::join!(
        app.app.resume_distributions(now),
        app.app.resume_distributions(now)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1, "one node finishes it");
    let d = distribution(&app, "dst_cut_short").await;
    assert_eq!(d["status"], "ready", "{d}");
    assert_eq!(d["counts"]["queued"], 5, "{d}");
    assert_eq!(
        app.app.resume_distributions(now + 3_600_000).await.unwrap(),
        0
    );
}

both_backends!(contacts_named_by_id_follow_merges, |config| {
    config.smtp.host = Some("127.0.0.1".into());
});
async fn contacts_named_by_id_follow_merges(app: TestApp) {
    let survey_id = app.published_survey(&survey()).await;
    let keep = contact(&app, json!({"external_id": "k1", "email": "ola@sklep.pl"})).await;
    let dup = contact(
        &app,
        json!({"external_id": "k2", "email": "ola.stary@sklep.pl"}),
    )
    .await;
    let other = contact(&app, json!({"email": "ewa@sklep.pl"})).await;
    let merged = app
        .request(Method::POST, &format!("/api/v1/contacts/{keep}/merge"))
        .json(&json!({"from": dup}))
        .send()
        .await
        .unwrap();
    assert!(
        merged.status().is_success(),
        "{}",
        merged.text().await.unwrap()
    );
    // The duplicate's id names Ola, named too: one message; an unknown id is counted.
    let nobody = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
    let (status, d) = json_of(
        app.request(
            Method::POST,
            &format!("/api/v1/surveys/{survey_id}/distributions"),
        )
        .json(&json!({"name": "Wybrani", "audience": {"contacts": [dup, keep, other, nobody]}}))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{d}");
    assert_eq!(d["counts"]["queued"], 2, "{d}");
    assert_eq!(d["counts"]["skipped"], json!({"not_found": 1}), "{d}");
    let id = d["id"].as_str().unwrap();
    let theirs = app
        .get_json(&format!("/api/v1/distributions/{id}/deliveries"))
        .await;
    let queued: Vec<&str> = theirs["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["status"] == "queued")
        .map(|d| d["contact_id"].as_str().unwrap())
        .collect();
    assert!(
        queued.contains(&keep.as_str()) && queued.contains(&other.as_str()),
        "{theirs}"
    );
}

both_backends!(a_retried_request_makes_one_distribution, |config| {
    config.smtp.host = Some("127.0.0.1".into());
});
async fn a_retried_request_makes_one_distribution(app: TestApp) {
    let survey_id = app.published_survey(&survey()).await;
    contact(&app, json!({"email": "raz@sklep.pl"})).await;
    let post = |key: &str| {
        app.request(
            Method::POST,
            &format!("/api/v1/surveys/{survey_id}/distributions"),
        )
        .header("idempotency-key", key)
        .json(&json!({"name": "Raz", "audience": {"all": true}}))
        .send()
    };
    let (s1, first) = json_of(post("send-2026-12-06").await.unwrap()).await;
    let (s2, second) = json_of(post("send-2026-12-06").await.unwrap()).await;
    assert_eq!((s1.as_u16(), s2.as_u16()), (201, 201));
    assert_eq!(first["id"], second["id"]);
    assert_eq!(second["counts"]["queued"], 1, "{second}");
    let (_, other) = json_of(post("another").await.unwrap()).await;
    assert_ne!(other["id"], first["id"]);
    let listed = app.get_json("/api/v1/distributions").await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);
    let long = "x".repeat(201);
    expect_error(post(&long).await.unwrap(), 400, "invalid_idempotency_key").await;
}

both_backends!(a_surveys_reach_by_channel_and_segment, |config| {
    config.smtp.host = Some("127.0.0.1".into());
    // No worker runs: the messages stay queued, which is what is counted.
    config.sms.url = Some("http://127.0.0.1:9/messages".into());
});
async fn a_surveys_reach_by_channel_and_segment(app: TestApp) {
    let survey_id = app.published_survey(&survey()).await;
    contact(
        &app,
        json!({"email": "a@sklep.pl", "attributes": {"plan": "pro"}}),
    )
    .await;
    contact(
        &app,
        json!({"email": "b@sklep.pl", "phone": "+48600100201"}),
    )
    .await;
    contact(
        &app,
        json!({"external_id": "c", "phone": "+48600100202", "attributes": {"plan": "pro"}}),
    )
    .await;
    let r = app
        .request(Method::PUT, "/api/v1/segments/pro")
        .json(&json!({"key": "pro", "name": "Pro",
                      "rule": {"attribute": "plan", "op": "eq", "value": "pro"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    for channel in ["email", "sms"] {
        let r = app
            .request(
                Method::POST,
                &format!("/api/v1/surveys/{survey_id}/distributions"),
            )
            .json(&json!({"name": channel, "channel": channel, "audience": {"all": true}}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    let reach = app
        .get_json(&format!("/api/v1/surveys/{survey_id}/reach"))
        .await;
    let channel = |reach: &Value, name: &str| {
        reach["channels"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["channel"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no {name} in {reach}"))
    };
    assert_eq!(channel(&reach, "email")["counts"]["queued"], 2, "{reach}");
    assert_eq!(
        channel(&reach, "email")["counts"]["skipped"]["no_address"],
        1
    );
    assert_eq!(channel(&reach, "sms")["counts"]["queued"], 2);
    assert_eq!(channel(&reach, "all")["counts"]["recipients"], 6);
    assert_eq!(channel(&reach, "all")["response_rate"]["n"], 0);
    // Only the segment's members: a (e-mail) and c (SMS; no address for e-mail).
    let pro = app
        .get_json(&format!("/api/v1/surveys/{survey_id}/reach?segment=pro"))
        .await;
    assert_eq!(pro["segment"], "pro");
    assert_eq!(channel(&pro, "email")["counts"]["queued"], 1, "{pro}");
    assert_eq!(channel(&pro, "sms")["counts"]["queued"], 1);
    assert_eq!(channel(&pro, "all")["counts"]["recipients"], 4);
    let r = app
        .get(&format!("/api/v1/surveys/{survey_id}/reach?segment=nope"))
        .await;
    expect_error(r, 422, "unknown_segment").await;
    expect_error(
        app.get("/api/v1/surveys/nope/reach").await,
        404,
        "not_found",
    )
    .await;
}
