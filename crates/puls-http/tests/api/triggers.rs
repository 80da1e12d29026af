//! Triggers: events sent by the official Segment library for Python begin occurrences
//! (once per order, whatever repeats), a later event cancels one, and under a controlled
//! clock nothing fires before the delay and what is due fires once, whichever of two nodes
//! runs first, as a personal invitation delivered to the real SMTP server. Occurrences
//! through the API; pausing; the definition's problems at their paths; erasure.

use std::io::Write;
use std::process::{Command, Stdio};

use reqwest::Method;
use serde_json::{Value, json};

use crate::customer_helpers::{DAY, HOUR, at};
use crate::helpers::{TestApp, expect_error, json_of};

fn survey() -> Value {
    json!({
        "title": {"pl": "Dostawa", "en": "Delivery"},
        "locales": ["pl", "en"], "default_locale": "pl",
        "touchpoint": "delivery",
        "questions": [
            {"id": "nps", "type": "nps", "required": true,
             "text": {"pl": "Czy polecisz nas?", "en": "Would you recommend us?"}}
        ]
    })
}

fn delivered_trigger() -> Value {
    json!({
        "name": "Po dostawie",
        "when": {"event": "Order Delivered",
                 "where": [{"property": "total", "op": "gte", "value": 100}]},
        "occurrence": "order_id",
        "delay": {"days": 2},
        "cancel_when": [{"event": "Order Returned"}],
        "embed_first_question": true
    })
}

/// Sends `calls` through segment-analytics-python (`tests/peers/segment_calls.py`) on
/// `PULS_PEERS_PYTHON` (`.ci/run` installs the library in its virtual environment), off
/// the test's runtime, which serves the calls.
async fn segment_python(app: &TestApp, key: &str, calls: &Value) {
    let python = std::env::var("PULS_PEERS_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/peers/segment_calls.py"
    );
    let (address, key, calls) = (app.address.clone(), key.to_string(), calls.to_string());
    let out = tokio::task::spawn_blocking(move || {
        let mut child = Command::new(&python)
            .arg(script)
            .arg(&address)
            .arg(&key)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("running {python}: {e}"));
        child
            .stdin
            .take()
            .unwrap()
            .write_all(calls.as_bytes())
            .unwrap();
        (python, child.wait_with_output().unwrap())
    })
    .await
    .unwrap();
    assert!(
        out.1.status.success(),
        "segment-analytics-python (on {}; is it installed?): {}",
        out.0,
        String::from_utf8_lossy(&out.1.stderr)
    );
}

fn order(user: &str, event: &str, id: &str, total: i64, ms: i64) -> Value {
    json!({"type": "track", "userId": user, "event": event, "timestamp": at(ms),
           "properties": {"order_id": id, "total": total}})
}

async fn trigger(app: &TestApp, id: &str) -> Value {
    app.get_json(&format!("/api/v1/triggers/{id}")).await
}

async fn occurrences(app: &TestApp, id: &str) -> Vec<Value> {
    app.get_json(&format!("/api/v1/triggers/{id}/occurrences"))
        .await["items"]
        .as_array()
        .unwrap()
        .clone()
}

fn state_of<'a>(items: &'a [Value], key_part: &str) -> &'a Value {
    items
        .iter()
        .find(|o| o["occurrence"].as_str().unwrap().contains(key_part))
        .unwrap_or_else(|| panic!("no occurrence {key_part} in {items:#?}"))
}

both_backends!(a_trigger_fires_after_its_delay_unless_cancelled, |config| {
    config.outbox.poll_ms = 50;
    config.smtp.host = Some("127.0.0.1".into());
});
async fn a_trigger_fires_after_its_delay_unless_cancelled(app: TestApp) {
    let smtp = puls_testdb::SmtpServer::start();
    app.spawn_worker_mailing_to(&smtp);
    let other = app.second_worker_mailing_to(&smtp).await;
    let survey_id = app.published_survey(&survey()).await;
    let (status, t) = json_of(
        app.request(
            Method::POST,
            &format!("/api/v1/surveys/{survey_id}/triggers"),
        )
        .json(&delivered_trigger())
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{t}");
    let id = t["id"].as_str().unwrap().to_string();
    assert_eq!(t["status"], "active");
    assert_eq!(t["definition"]["delay"]["minutes"], 2 * 24 * 60);

    // The clock: the deliveries happened a minute ago.
    let t0 = puls_store::now_ms() / 1000 * 1000 - 60_000;
    let key = app.write_key().await;
    segment_python(
        &app,
        &key,
        &json!([
            {"type": "identify", "userId": "ala", "traits": {"email": "ala@sklep.pl"},
             "context": {"locale": "pl-PL"}},
            {"type": "identify", "userId": "bob", "traits": {"email": "bob@sklep.pl"}},
            {"type": "identify", "userId": "cyd", "traits": {"email": "cyd@sklep.pl"}},
            {"type": "identify", "userId": "ewa", "traits": {"email": "ewa@sklep.pl"}},
            order("ala", "Order Delivered", "A-1", 150, t0),
            // The same delivery reported again (another message): the same occurrence.
            order("ala", "Order Delivered", "A-1", 150, t0 + 1_000),
            order("bob", "Order Delivered", "B-1", 300, t0),
            // Too small for the trigger's condition.
            order("cyd", "Order Delivered", "C-1", 20, t0),
            // Nobody Puls knows.
            order("dan", "Order Delivered", "D-1", 500, t0),
            // Ten days old when it arrives: past its time and the 72 hours after.
            order("ewa", "Order Delivered", "E-1", 120, t0 - 10 * DAY),
        ]),
    )
    .await;
    let items = occurrences(&app, &id).await;
    assert_eq!(items.len(), 4, "{items:#?}");
    let a = state_of(&items, "u:ala|A-1");
    assert_eq!(a["state"], "pending");
    // Two days after the delivery (the library's clock-skew correction may move it by
    // milliseconds).
    assert_eq!(
        a["due_at"].as_str().unwrap()[..19],
        at(t0 + 2 * DAY)[..19],
        "{a}"
    );
    assert_eq!(state_of(&items, "u:ewa|E-1")["reason"], "expired");

    // A day later nothing is due.
    assert_eq!(app.app.run_triggers(t0 + DAY).await.unwrap(), 0);
    // Then Bob sends his order back.
    segment_python(
        &app,
        &key,
        &json!([order("bob", "Order Returned", "B-1", 300, t0 + DAY)]),
    )
    .await;
    assert_eq!(
        state_of(&occurrences(&app, &id).await, "u:bob|B-1")["state"],
        "cancelled"
    );

    // Two days and a minute later, two nodes at once: each due occurrence settled once.
    let now = t0 + 2 * DAY + 60_000;
    let (mine, theirs) = tokio::join!(app.app.run_triggers(now), other.run_triggers(now));
    assert_eq!(mine.unwrap() + theirs.unwrap(), 2, "Ala fired, Dan skipped");
    assert_eq!(app.app.run_triggers(now + HOUR).await.unwrap(), 0);
    let items = occurrences(&app, &id).await;
    let a = state_of(&items, "u:ala|A-1");
    assert_eq!(a["state"], "fired", "{a}");
    assert_eq!(state_of(&items, "u:dan|D-1")["reason"], "unknown_contact");
    let dst = a["distribution_id"].as_str().unwrap().to_string();

    // One message, to Ala, with her personal link and the score links.
    for _ in 0..400 {
        if smtp.count() >= 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let mail = smtp.messages();
    assert_eq!(mail.len(), 1, "{mail:#?}");
    assert!(mail[0]["to"].as_str().unwrap().contains("ala@sklep.pl"));
    let html = mail[0]["html"].as_str().unwrap();
    let link = html
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|s| s.replace("&#x2f;", "/").replace("&amp;", "&"))
        .find(|l| l.contains("?inv=") && !l.contains("&a="))
        .expect("a personal link");
    let page = app.get(link.strip_prefix(&app.address).unwrap()).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Czy polecisz nas?"), "{html}");

    // The trigger's report; its invitation is a distribution of its own, not listed with
    // those sent by hand.
    let t = trigger(&app, &id).await;
    assert_eq!(t["occurrences"]["fired"], 1, "{t}");
    assert_eq!(t["occurrences"]["cancelled"], 1, "{t}");
    assert_eq!(t["occurrences"]["pending"], 0, "{t}");
    assert_eq!(
        t["occurrences"]["skipped"],
        json!({"expired": 1, "unknown_contact": 1})
    );
    for _ in 0..100 {
        if trigger(&app, &id).await["deliveries"]["sent"] == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(trigger(&app, &id).await["deliveries"]["sent"], 1);
    let d = app.get_json(&format!("/api/v1/distributions/{dst}")).await;
    assert_eq!(d["name"], "Po dostawie");
    assert_eq!(d["counts"]["recipients"], 1);
    let listed = app.get_json("/api/v1/distributions").await;
    assert_eq!(listed["items"], json!([]), "{listed}");

    // Erasing Bob takes his occurrences with him.
    let bob = app.contact_by_external_id("bob").await;
    let gone = app
        .request(
            Method::DELETE,
            &format!("/api/v1/contacts/{}", bob["id"].as_str().unwrap()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 200);
    let items = occurrences(&app, &id).await;
    assert!(
        items
            .iter()
            .all(|o| !o["occurrence"].as_str().unwrap().contains("bob")),
        "{items:#?}"
    );
}

both_backends!(occurrences_through_the_api_pausing_and_problems, |config| {
    config.smtp.host = Some("127.0.0.1".into());
});
async fn occurrences_through_the_api_pausing_and_problems(app: TestApp) {
    let survey_id = app.published_survey(&survey()).await;
    let create = |body: Value| {
        app.request(
            Method::POST,
            &format!("/api/v1/surveys/{survey_id}/triggers"),
        )
        .json(&body)
        .send()
    };
    // Every problem of the definition at its path.
    let bad = create(json!({
        "name": "", "when": {"event": "X", "page": "Y"}, "delay": {"weeks": 1},
        "channel": "sms", "occurrence": "a b"
    }))
    .await
    .unwrap();
    let body = expect_error(bad, 422, "validation_failed").await;
    let paths: Vec<&str> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    for p in [
        "name",
        "when.page",
        "delay.weeks",
        "delay.days",
        "channel",
        "occurrence",
    ] {
        assert!(paths.contains(&p), "{p} in {paths:?}");
    }
    // A draft survey is not sent to.
    let draft = app.create_survey(&survey()).await;
    let refused = app
        .request(
            Method::POST,
            &format!("/api/v1/surveys/{}/triggers", draft["id"].as_str().unwrap()),
        )
        .json(&delivered_trigger())
        .send()
        .await
        .unwrap();
    expect_error(refused, 409, "survey_not_published").await;

    let (status, t) = json_of(
        create(
            json!({"name": "Po zgłoszeniu", "when": {"event": "Ticket Closed"},
                      "delay": {"hours": 1}}),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{t}");
    let id = t["id"].as_str().unwrap().to_string();
    let (_, c) = json_of(
        app.request(Method::POST, "/api/v1/contacts")
            .json(&json!({"email": "ola@sklep.pl"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let contact = c["id"].as_str().unwrap().to_string();
    let post = |path: &str, body: Value| {
        app.request(Method::POST, &format!("/api/v1/triggers/{id}/{path}"))
            .json(&body)
            .send()
    };
    let t0 = puls_store::now_ms() - HOUR;
    for key in ["T-1", "T-1", "T-2", "T-3"] {
        let r = post(
            "occurrences",
            json!({"contact_id": contact, "key": key, "at": at(t0)}),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 202);
    }
    let r = post(
        "cancellations",
        json!({"contact_id": contact, "key": "T-2"}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 202);
    let items = occurrences(&app, &id).await;
    assert_eq!(items.len(), 3, "T-1 once: {items:#?}");
    assert_eq!(state_of(&items, "|T-2")["state"], "cancelled");
    assert_eq!(state_of(&items, "|T-1")["contact_id"], contact.as_str());

    // Problems of an occurrence: each named.
    let r = post("occurrences", json!({"contact_id": "nope"}))
        .await
        .unwrap();
    expect_error(r, 422, "validation_failed").await;
    let r = post("occurrences", json!({"contact_id": contact, "extra": 1}))
        .await
        .unwrap();
    expect_error(r, 400, "malformed_json").await;
    let r = post(
        "occurrences",
        json!({"contact_id": contact, "at": "yesterday"}),
    )
    .await
    .unwrap();
    expect_error(r, 422, "validation_failed").await;
    let r = post(
        "occurrences",
        json!({"contact_id": "01JAAAAAAAAAAAAAAAAAAAAAAA"}),
    )
    .await
    .unwrap();
    expect_error(r, 404, "not_found").await;
    let r = app
        .request(Method::POST, "/api/v1/triggers/trg_nope/occurrences")
        .json(&json!({"contact_id": contact}))
        .send()
        .await
        .unwrap();
    expect_error(r, 404, "not_found").await;
    let r = app
        .get(&format!("/api/v1/triggers/{id}/occurrences?cursor=zz"))
        .await;
    expect_error(r, 400, "invalid_query").await;

    // Paused: what comes due is skipped, and says why.
    let r = app
        .request(Method::POST, &format!("/api/v1/triggers/{id}/pause"))
        .send()
        .await
        .unwrap();
    assert_eq!(json_of(r).await.1["status"], "paused");
    assert_eq!(app.app.run_triggers(t0 + 2 * HOUR).await.unwrap(), 2);
    let t = trigger(&app, &id).await;
    assert_eq!(t["occurrences"]["skipped"]["trigger_paused"], 2, "{t}");
    let r = app
        .request(Method::POST, &format!("/api/v1/triggers/{id}/resume"))
        .send()
        .await
        .unwrap();
    assert_eq!(json_of(r).await.1["status"], "active");

    // Changed, then deleted.
    let r = app
        .request(Method::PUT, &format!("/api/v1/triggers/{id}"))
        .json(
            &json!({"name": "Po zamknięciu zgłoszenia", "when": {"event": "Ticket Closed"},
                      "delay": {"minutes": 30}}),
        )
        .send()
        .await
        .unwrap();
    let (status, t) = json_of(r).await;
    assert_eq!(status, 200, "{t}");
    assert_eq!(t["name"], "Po zamknięciu zgłoszenia");
    assert_eq!(
        app.get_json("/api/v1/triggers").await["items"][0]["definition"]["delay"]["minutes"],
        30
    );
    let r = app
        .request(Method::DELETE, &format!("/api/v1/triggers/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    expect_error(
        app.get(&format!("/api/v1/triggers/{id}")).await,
        404,
        "not_found",
    )
    .await;
}

both_backends!(an_in_app_trigger_waits_for_the_widget);
async fn an_in_app_trigger_waits_for_the_widget(app: TestApp) {
    let survey_id = app.published_survey(&survey()).await;
    let r = app
        .request(Method::PUT, "/api/v1/settings/widget")
        .json(&json!({"sites": ["https://sklep.example"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // E-mail-only keys are refused for an in-app trigger; no relay is needed.
    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/surveys/{survey_id}/triggers"),
        )
        .json(
            &json!({"name": "x", "when": {"event": "Plan Renewed"}, "channel": "in_app",
                      "reminders": {"count": 1}}),
        )
        .send()
        .await
        .unwrap();
    expect_error(r, 422, "validation_failed").await;
    let (status, t) = json_of(
        app.request(
            Method::POST,
            &format!("/api/v1/surveys/{survey_id}/triggers"),
        )
        .json(
            &json!({"name": "Po odnowieniu", "when": {"event": "Plan Renewed"},
                          "delay": {"hours": 1}, "expires_after_hours": 24,
                          "channel": "in_app"}),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{t}");
    let id = t["id"].as_str().unwrap().to_string();
    app.request(Method::POST, "/api/v1/contacts")
        .json(&json!({"external_id": "u-9", "email": "iga@sklep.pl"}))
        .send()
        .await
        .unwrap();
    let key = app.write_key().await;
    let now = puls_store::now_ms();
    for (user, anon) in [(Some("u-9"), None), (None, Some("browser-7"))] {
        let mut m = json!({"event": "Plan Renewed", "timestamp": at(now)});
        if let Some(u) = user {
            m["userId"] = json!(u);
        }
        if let Some(a) = anon {
            m["anonymousId"] = json!(a);
        }
        let r = app
            .anonymous(Method::POST, "/v1/track")
            .basic_auth(&key, Some(""))
            .json(&m)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let ask = |params: Vec<(&'static str, String)>| {
        let mut params = params;
        params.push(("key", key.clone()));
        params.push(("url", "https://sklep.example/konto".into()));
        app.anonymous(Method::GET, "/api/v1/widget/eligibility")
            .header("origin", "https://sklep.example")
            .query(&params)
            .send()
    };
    // Not before its time.
    let v: Value = ask(vec![("uid", "u-9".into())])
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["show"], false);
    assert_eq!(app.app.run_triggers(now + HOUR + 1_000).await.unwrap(), 2);
    let t = trigger(&app, &id).await;
    assert_eq!(t["occurrences"]["ready"], 2, "{t}");
    // Then on any page of the site, once, with the person's own link, channel in_app.
    let v: Value = ask(vec![("uid", "u-9".into()), ("aid", "laptop".into())])
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["show"], true, "{v}");
    let url = v["url"].as_str().unwrap();
    assert!(
        url.contains("channel=in_app") && url.contains("&inv="),
        "{url}"
    );
    let v: Value = ask(vec![("uid", "u-9".into())])
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["show"], false, "shown once");
    // The browser's one is not shown in time: expired.
    assert_eq!(app.app.run_triggers(now + 26 * HOUR).await.unwrap(), 1);
    let t = trigger(&app, &id).await;
    assert_eq!(t["occurrences"]["shown"], 1, "{t}");
    assert_eq!(t["occurrences"]["skipped"]["expired"], 1, "{t}");
}
