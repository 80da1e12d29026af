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
        "channel": "pigeon", "occurrence": "a b"
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

both_backends!(
    a_node_that_dies_while_firing_leaves_it_to_another,
    |config| {
        config.smtp.host = Some("127.0.0.1".into());
    }
);
/// A node takes a due occurrence and dies before settling it (as `kill -9` would leave
/// it: `firing`, leased): no node fires it while the lease holds; once it ends, the next
/// node's round fires it, once.
async fn a_node_that_dies_while_firing_leaves_it_to_another(app: TestApp) {
    let survey_id = app.published_survey(&survey()).await;
    let (status, t) = json_of(
        app.request(
            Method::POST,
            &format!("/api/v1/surveys/{survey_id}/triggers"),
        )
        .json(
            &json!({"name": "Po zgłoszeniu", "when": {"event": "Ticket Closed"},
                      "delay": {"hours": 1}}),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{t}");
    let id = t["id"].as_str().unwrap().to_string();
    let (_, c) = json_of(
        app.request(Method::POST, "/api/v1/contacts")
            .json(&json!({"email": "ewa@sklep.pl"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let t0 = puls_store::now_ms() - 2 * HOUR;
    let r = app
        .request(Method::POST, &format!("/api/v1/triggers/{id}/occurrences"))
        .json(&json!({"contact_id": c["id"], "key": "Z-1", "at": at(t0)}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);

    // The node that dies: takes the occurrence, and nothing more.
    let now = puls_store::now_ms();
    let store = app.app.store();
    let due = store.due_occurrences(now, 10).await.unwrap();
    assert_eq!(due.len(), 1);
    assert!(
        store
            .take_occurrence(&due[0], now + puls_app::triggers::LEASE_MS, now)
            .await
            .unwrap()
    );
    let items = occurrences(&app, &id).await;
    assert_eq!(items[0]["state"], "firing", "{items:#?}");
    // While its lease holds, no node fires it.
    assert_eq!(app.app.run_triggers(now + 60_000).await.unwrap(), 0);
    assert_eq!(
        app.app
            .run_triggers(now + puls_app::triggers::LEASE_MS - 1)
            .await
            .unwrap(),
        0
    );
    // The lease ended: another node's round fires it, once.
    let later = now + puls_app::triggers::LEASE_MS + 1_000;
    assert_eq!(app.app.run_triggers(later).await.unwrap(), 1);
    assert_eq!(app.app.run_triggers(later + HOUR).await.unwrap(), 0);
    let items = occurrences(&app, &id).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["state"], "fired", "{items:#?}");
    let t = trigger(&app, &id).await;
    assert_eq!(t["occurrences"]["fired"], 1, "{t}");
}

/// The page's text with the escapes minijinja writes undone.
fn unescaped(html: &str) -> String {
    html.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
}

/// The trigger id a redirect to a trigger's page names, and the notice it carries.
fn trigger_of(to: Option<&str>) -> (String, String) {
    let to = to.expect("a redirect");
    let rest = to
        .strip_prefix("/app/w/acme/triggers/")
        .unwrap_or_else(|| panic!("{to}"));
    let (id, notice) = rest.split_once("?notice=").unwrap_or((rest, ""));
    (id.to_string(), notice.to_string())
}

/// The web app's form, as a browser posts it: every field, the channel chosen (the
/// message's fields are posted whatever the channel, as a browser posts hidden inputs).
fn trigger_form(
    csrf: &str,
    survey: Option<&str>,
    fields: &[(&'static str, &str)],
) -> Vec<(&'static str, String)> {
    let mut f: Vec<(&'static str, String)> = vec![
        ("_csrf", csrf.to_string()),
        ("name", "Po dostawie".into()),
        ("event", "Order Delivered".into()),
        ("where_property", "total".into()),
        ("where_op", "gte".into()),
        ("where_value", "100".into()),
        ("occurrence", "order_id".into()),
        ("delay", "2".into()),
        ("delay_unit", "days".into()),
        ("cancel_event", "Order Returned".into()),
        ("expires", "72".into()),
        ("channel", "email".into()),
        ("embed", "yes".into()),
        ("reminders_count", "1".into()),
        ("reminders_after", "48".into()),
    ];
    if let Some(s) = survey {
        f.push(("survey", s.to_string()));
    }
    for (k, v) in fields {
        match f.iter_mut().find(|(key, _)| key == k) {
            Some(slot) => slot.1 = v.to_string(),
            None => f.push((k, v.to_string())),
        }
    }
    f.retain(|(_, v)| v != "-");
    f
}

fn refs<'a>(f: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    f.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

both_backends!(
    triggers_by_sms_and_in_the_app_are_made_and_changed_in_the_web_app,
    |config| {
        config.smtp.host = Some("127.0.0.1".into());
        // A provider is named; no worker runs, so nothing is sent.
        config.sms.url = Some("http://127.0.0.1:9/messages".into());
    }
);
async fn triggers_by_sms_and_in_the_app_are_made_and_changed_in_the_web_app(app: TestApp) {
    use crate::console::{hidden, signed_in, user_in};
    let survey = app.published_survey(&survey()).await;
    user_in(
        &app,
        "analityk@sklep.pl",
        "hasło analityka 1",
        Some("analyst"),
        "pl",
    )
    .await;
    let mut b = signed_in(&app, "analityk@sklep.pl", "hasło analityka 1").await;
    const LIST: &str = "/app/w/acme/triggers";

    // The channels in words, e-mail chosen, each with what it does.
    let (status, page, _) = b.get(&app, LIST).await;
    assert_eq!(status, 200);
    let page = unescaped(&page);
    for words in [
        "name=\"channel\" value=\"email\" checked",
        "id=\"t-channel-sms\" name=\"channel\" value=\"sms\"",
        "id=\"t-channel-in_app\" name=\"channel\" value=\"in_app\" data-no-message",
        "> W aplikacji</label>",
        "Wiadomość tekstowa na telefon kontaktu",
        "Bez wiadomości: widżet pokaże ankietę",
        "Wiadomość (e-mail i SMS)",
        "Może też zaprosić SMS-em",
    ] {
        assert!(page.contains(words), "no '{words}': {page}");
    }
    assert!(
        !page.contains("SMS-y są wyłączone") && !page.contains("E-mail jest wyłączony"),
        "both configured: {page}"
    );
    let csrf = hidden(&page, "_csrf");

    // 1. By SMS: the message's fields go with it.
    let f = trigger_form(&csrf, Some(&survey), &[("channel", "sms")]);
    let (status, _, to) = b.post(&app, LIST, &refs(&f)).await;
    assert_eq!(status, 303);
    let (sms, notice) = trigger_of(to.as_deref());
    assert_eq!(notice, "created");
    let t = trigger(&app, &sms).await;
    let d = &t["definition"];
    assert_eq!(d["channel"], "sms", "{t}");
    assert_eq!(d["embed_first_question"], true, "{t}");
    assert_eq!(
        d["reminders"],
        json!({"count": 1, "after_hours": 48}),
        "{t}"
    );
    let (_, page, _) = b.get(&app, &format!("{LIST}/{sms}")).await;
    let page = unescaped(&page);
    assert!(
        page.contains("<dt>Kanał</dt><dd style=\"overflow-wrap:anywhere\">SMS</dd>"),
        "{page}"
    );

    // It fires as a one-contact distribution on the SMS channel.
    let (status, contact) = json_of(
        app.request(Method::POST, "/api/v1/contacts")
            .json(&json!({"email": "ola@sklep.pl", "phone": "+48 600 100 200"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(status.is_success(), "{contact}");
    let contact = puls_store::ContactId::parse(contact["id"].as_str().unwrap()).unwrap();
    app.app
        .trigger_occurrence(app.workspace_id, &sms, &contact, Some("A-1"), None, false)
        .await
        .unwrap();
    assert_eq!(
        app.app
            .run_triggers(puls_store::now_ms() + 2 * DAY + 60_000)
            .await
            .unwrap(),
        1
    );
    let items = occurrences(&app, &sms).await;
    assert_eq!(items[0]["state"], "fired", "{items:#?}");
    let dst = items[0]["distribution_id"].as_str().unwrap();
    let d = app.get_json(&format!("/api/v1/distributions/{dst}")).await;
    assert_eq!(d["channel"], "sms", "{d}");

    // 2. In the app: the message's fields are not the widget's, whatever was posted.
    let f = trigger_form(
        &csrf,
        Some(&survey),
        &[("channel", "in_app"), ("name", "W aplikacji")],
    );
    let (status, page, to) = b.post(&app, LIST, &refs(&f)).await;
    assert_eq!(status, 303, "{page}");
    let (in_app, _) = trigger_of(to.as_deref());
    let d = trigger(&app, &in_app).await["definition"].clone();
    assert_eq!(d["channel"], "in_app", "{d}");
    assert!(
        d.get("reminders").is_none() && d["embed_first_question"] == false,
        "{d}"
    );

    // 3. A channel the form does not offer (a forged post): at its field, in words.
    let f = trigger_form(&csrf, Some(&survey), &[("channel", "pigeon")]);
    let (status, page, _) = b.post(&app, LIST, &refs(&f)).await;
    assert_eq!(status, 422);
    assert!(
        page.contains(
            "<p class=\"field-error\" id=\"t-channel-error\">Wybierz jedną z podanych odpowiedzi.</p>"
        ) && page.contains("href=\"#t-channel\""),
        "{page}"
    );
    assert!(!page.contains("in_app, "), "no codes: {page}");

    // 4. Changed on its page: the form is filled in with the definition.
    let page_of = |id: &str| format!("{LIST}/{id}");
    let (_, page, _) = b.get(&app, &page_of(&sms)).await;
    let page = unescaped(&page);
    assert!(page.contains("Zmień wyzwalacz"), "{page}");
    assert!(
        page.contains(&format!(
            "method=\"post\" action=\"/app/w/acme/triggers/{sms}\""
        )),
        "{page}"
    );
    for filled in [
        "name=\"name\" value=\"Po dostawie\"",
        "name=\"event\" value=\"Order Delivered\"",
        "name=\"where_property\" value=\"total\"",
        "<option value=\"gte\" selected>co najmniej</option>",
        "name=\"where_value\" value=\"100\"",
        "name=\"occurrence\" value=\"order_id\"",
        "name=\"delay\" min=\"0\" step=\"1\" value=\"2\"",
        "<option value=\"days\" selected>Dni</option>",
        "name=\"cancel_event\" value=\"Order Returned\"",
        "name=\"channel\" value=\"sms\" checked",
        "name=\"embed\" value=\"yes\" checked",
        "name=\"reminders_count\" min=\"0\" max=\"5\" step=\"1\" value=\"1\"",
        "name=\"reminders_after\" min=\"1\" max=\"720\" step=\"1\" value=\"48\"",
    ] {
        assert!(page.contains(filled), "not filled in: '{filled}': {page}");
    }
    assert!(
        !page.contains("name=\"survey\""),
        "the survey stays: {page}"
    );
    let csrf = hidden(&page, "_csrf");
    let f = trigger_form(
        &csrf,
        None,
        &[
            ("name", "Po dostawie (e-mail)"),
            ("channel", "email"),
            ("delay", "36"),
            ("delay_unit", "hours"),
            ("where_property", ""),
            ("cancel_event", ""),
            ("reminders_count", "0"),
        ],
    );
    let (status, _, to) = b.post(&app, &page_of(&sms), &refs(&f)).await;
    assert_eq!(status, 303);
    let (id, notice) = trigger_of(to.as_deref());
    assert_eq!((id.as_str(), notice.as_str()), (sms.as_str(), "changed"));
    let t = trigger(&app, &sms).await;
    let d = &t["definition"];
    assert_eq!(t["name"], "Po dostawie (e-mail)", "{t}");
    assert_eq!(d["channel"], "email", "{t}");
    assert_eq!(d["delay"]["minutes"], 36 * 60, "{t}");
    assert_eq!(d["when"], json!({"event": "Order Delivered"}), "{t}");
    assert!(
        d.get("cancel_when").is_none() && d.get("reminders").is_none(),
        "{t}"
    );
    assert_eq!(t["occurrences"]["fired"], 1, "what it did stays: {t}");
    let (_, page, _) = b.get(&app, to.as_deref().unwrap()).await;
    let page = unescaped(&page);
    assert!(
        page.contains("Zapisano: od teraz wyzwalacz działa według zmian.")
            && page.contains("name=\"delay\" min=\"0\" step=\"1\" value=\"36\"")
            && page.contains("<option value=\"hours\" selected>"),
        "{page}"
    );

    // Refused: at its field in Polish, on the trigger's page, as typed; nothing changes.
    let f = trigger_form(&csrf, None, &[("delay", "soon"), ("name", "Nowa nazwa")]);
    let (status, page, _) = b.post(&app, &page_of(&sms), &refs(&f)).await;
    assert_eq!(status, 422);
    let page = unescaped(&page);
    assert!(
        page.contains("id=\"t-delay-error\"")
            && page.contains("name=\"name\" value=\"Nowa nazwa\"")
            && page.contains("Jak działa"),
        "{page}"
    );
    assert_eq!(trigger(&app, &sms).await["name"], "Po dostawie (e-mail)");

    // 5. What the form cannot show (set through the API) is said in words and kept.
    let (status, t) = json_of(
        app.request(Method::POST, &format!("/api/v1/surveys/{survey}/triggers"))
            .json(&json!({
                "name": "Z API",
                "when": {"event": "Order Delivered", "where": [
                    {"property": "total", "op": "gte", "value": 100},
                    {"property": "country", "op": "eq", "value": "PL"}]},
                "cancel_when": [{"event": "Order Returned"}, {"event": "Order Lost"}],
                "window": {"hours": "09:00-18:00", "time_zone": "Europe/Warsaw"},
                "subject": {"pl": "Jak poszło?"},
                "priority": "high"
            }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{t}");
    let api = t["id"].as_str().unwrap().to_string();
    let before = t["definition"].clone();
    let (_, page, _) = b.get(&app, &page_of(&api)).await;
    let page = unescaped(&page);
    assert!(
        page.contains("Ustawione przez API, więc tutaj pozostaje bez zmian: zdarzenie „Order Delivered” (właściwość „total”: co najmniej 100 i właściwość „country”: równa PL).")
            && page.contains("Ustawione przez API, więc tutaj pozostaje bez zmian: zdarzenie „Order Returned” lub zdarzenie „Order Lost”."),
        "{page}"
    );
    assert!(
        !page.contains("name=\"event\"") && !page.contains("name=\"cancel_event\""),
        "{page}"
    );
    let f = trigger_form(
        &hidden(&page, "_csrf"),
        None,
        &[
            ("name", "Z API, zmieniony"),
            ("event", "-"),
            ("where_property", "-"),
            ("where_op", "-"),
            ("where_value", "-"),
            ("cancel_event", "-"),
            ("embed", "-"),
            ("reminders_count", "0"),
        ],
    );
    let (status, page, _) = b.post(&app, &page_of(&api), &refs(&f)).await;
    assert_eq!(status, 303, "{page}");
    let after = trigger(&app, &api).await["definition"].clone();
    assert_eq!(after["name"], "Z API, zmieniony");
    assert_eq!(after["delay"]["minutes"], 2 * 24 * 60);
    for kept in ["when", "cancel_when", "window", "subject", "priority"] {
        assert_eq!(after[kept], before[kept], "{kept}: {after}");
    }
    // To the app: the message's keys go.
    let f = trigger_form(
        &csrf,
        None,
        &[("channel", "in_app"), ("event", "-"), ("cancel_event", "-")],
    );
    let (status, page, _) = b.post(&app, &page_of(&api), &refs(&f)).await;
    assert_eq!(status, 303, "{page}");
    let after = trigger(&app, &api).await["definition"].clone();
    assert_eq!(after["channel"], "in_app");
    assert!(
        after.get("window").is_none() && after.get("subject").is_none(),
        "{after}"
    );
    assert_eq!(after["when"], before["when"]);

    // Agents do not change triggers; a forged form changes nothing.
    user_in(
        &app,
        "agent@sklep.pl",
        "hasło agenta 1",
        Some("agent"),
        "pl",
    )
    .await;
    let mut agent = signed_in(&app, "agent@sklep.pl", "hasło agenta 1").await;
    let (status, _, _) = agent.post(&app, &page_of(&in_app), &refs(&f)).await;
    assert_eq!(status, 403);
    let mut forged = f.clone();
    forged[0].1 = "forged".into();
    let (status, _, _) = b.post(&app, &page_of(&in_app), &refs(&forged)).await;
    assert_eq!(status, 403);
    let (status, _, _) = b.post(&app, &page_of("trg_nothing"), &refs(&f)).await;
    assert_eq!(status, 404);
}
