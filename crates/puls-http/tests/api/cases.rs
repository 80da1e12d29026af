//! Closing the loop against real parts: an alert rule opens a case for a detractor (once,
//! however many rules match), mails the admins in their language through a real SMTP
//! server, and announces `alert.fired` and `case.*` to a real receiver that verifies every
//! message with the official `standardwebhooks` library; an agent's reply reaches the
//! customer by e-mail and meets the first-response timer; the same customer's next low
//! score joins their case; the status machine refuses what it must.

use std::str::FromStr;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect_error, json_of};
use puls_testdb::Receiver;

fn polish_survey() -> Value {
    json!({
        "title": {"pl": "Dostawa"},
        "locales": ["pl"],
        "touchpoint": "delivery",
        "questions": [
            {"id": "nps", "type": "nps", "required": true,
             "text": {"pl": "Czy poleciłbyś nas znajomym?"}},
            {"id": "why", "type": "open_text", "text": {"pl": "Dlaczego?"}}
        ]
    })
}

fn rule() -> Value {
    json!({
        "key": "courier-detractors",
        "name": {"pl": "Krytycy kuriera", "en": "Courier detractors"},
        "conditions": [
            {"score": {"metric": "nps", "at_most": 6}},
            {"text": {"any_of": ["kurier"]}}
        ],
        "actions": {
            "case": {"priority": "high", "team": "couriers", "link_within_days": 14},
            "email": ["admins"],
            "webhook": true
        }
    })
}

async fn cases(app: &TestApp) -> Vec<Value> {
    app.get_json("/api/v1/cases").await["items"]
        .as_array()
        .unwrap()
        .clone()
}

both_backends!(
    a_detractor_opens_one_case_that_is_answered_and_resolved,
    |config| {
        config.webhooks.allow_private_addresses = true;
        config.outbox.poll_ms = 50;
        config.smtp.host = Some("127.0.0.1".into());
    }
);
async fn a_detractor_opens_one_case_that_is_answered_and_resolved(app: TestApp) {
    let smtp = puls_testdb::SmtpServer::start();
    let rx = Receiver::start();
    app.member("szefowa@sklep.pl", "pl", "owner").await;
    app.member("analityk@sklep.pl", "pl", "analyst").await;
    let (status, _) = json_of(
        app.send_json(
            Method::PUT,
            "/api/v1/settings/sla",
            &json!({"resurvey_after_hours": 0}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200);
    let (status, hook) = json_of(
        app.send_json(
            Method::POST,
            "/api/v1/webhooks",
            &json!({"url": format!("{}/ok", rx.base),
                    "event_types": ["alert.fired", "case.created", "case.updated", "case.resolved"]}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{hook}");
    rx.secret("/ok", hook["secret"].as_str().unwrap()).await;
    // A Slack-compatible channel for the cases: text and blocks, unsigned.
    let (status, slack) = json_of(
        app.send_json(
            Method::POST,
            "/api/v1/webhooks",
            &json!({"url": format!("{}/slack", rx.base), "format": "slack", "locale": "pl",
                    "event_types": ["case.created", "case.resolved"]}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{slack}");
    assert_eq!(slack["format"], "slack");
    assert_eq!(slack["locale"], "pl");
    let body = expect_error(
        app.send_json(
            Method::POST,
            "/api/v1/webhooks",
            &json!({"url": format!("{}/slack", rx.base), "format": "slack", "locale": "de",
                    "event_types": ["case.created"]}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert!(body.to_string().contains("pl, cs, en"), "{body}");
    let (status, saved) = json_of(
        app.send_json(Method::POST, "/api/v1/alert-rules", &rule())
            .await,
    )
    .await;
    assert_eq!(status, 201, "{saved}");
    // A second rule that also matches: still one case for the response.
    let mut any_low = rule();
    any_low["key"] = json!("any-low");
    any_low["conditions"] = json!([{"score": {"question": "nps", "at_most": 6}}]);
    any_low["actions"] = json!({"case": {"priority": "normal"}});
    let (status, _) = json_of(
        app.send_json(Method::POST, "/api/v1/alert-rules", &any_low)
            .await,
    )
    .await;
    assert_eq!(status, 201);

    // The journey names the touchpoint: e-mails say its name.
    let journey = json!({"key": "shop", "name": "Sklep", "stages": [
        {"key": "after", "name": "Po zakupie", "touchpoints": [
            {"key": "delivery", "name": {"pl": "Doręczenie", "en": "Delivery"},
             "channel": "web", "events": [{"event": "Order Delivered"}]}]}]});
    app.put_journey(&journey).await;
    app.spawn_worker_mailing_to(&smtp);

    let survey = app.published_survey(&polish_survey()).await;
    let customer = json!({"external_id": "k-17", "email": "klient@poczta.pl"});
    // A passive and a promoter mentioning the courier open nothing.
    app.submit_ok(
        &survey,
        &json!({"answers": {"nps": 8, "why": "kurier ok"}, "contact": customer}),
    )
    .await;
    let first = app
        .submit_ok(
            &survey,
            &json!({"answers": {"nps": 2, "why": "Kuriér rzucił paczką"}, "contact": customer}),
        )
        .await;
    let mail = smtp.wait_for(1).await;
    assert_eq!(mail.len(), 1, "the owner only: {mail:#?}");
    assert!(mail[0]["to"].as_str().unwrap().contains("szefowa@sklep.pl"));
    assert_eq!(mail[0]["subject"], "Alert Puls: Krytycy kuriera");
    let text = mail[0]["text"].as_str().unwrap();
    assert!(
        text.contains("„Dostawa” w punkcie styku Doręczenie") && text.contains("nps: 2"),
        "{text}"
    );
    assert!(text.contains("Kuriér rzucił paczką"), "{text}");

    let list = cases(&app).await;
    assert_eq!(list.len(), 1, "{list:#?}");
    let case = &list[0];
    assert_eq!(case["priority"], "high", "the more urgent rule's case");
    assert_eq!(case["rule"], "courier-detractors");
    assert_eq!(case["team"], "couriers");
    assert_eq!(case["status"], "new");
    assert_eq!(case["response_id"], first["id"]);
    assert_eq!(case["contact_email"], "klient@poczta.pl");
    assert_eq!(case["title"], "Krytycy kuriera");
    assert!(
        ["on_track", "at_risk", "breached"]
            .contains(&case["first_response"]["state"].as_str().unwrap()),
        "{case}"
    );
    assert_eq!(case["first_response"]["target_hours"], 4.0);
    let id = case["id"].as_str().unwrap().to_string();

    // The agent replies: the customer gets it in Polish, the timer is met.
    let (status, replied) = json_of(
        app.send_json(
            Method::POST,
            &format!("/api/v1/cases/{id}/replies"),
            &json!({"text": "Przepraszamy, wysyłamy nową paczkę."}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{replied}");
    assert_eq!(replied["status"], "in_progress");
    assert!(
        replied["first_response"]["done_at"].is_string(),
        "{replied}"
    );
    let mail = smtp.wait_for(2).await;
    let reply = mail
        .iter()
        .find(|m| m["to"].as_str().unwrap().contains("klient@poczta.pl"))
        .expect("the reply");
    assert!(
        reply["subject"]
            .as_str()
            .unwrap()
            .starts_with("Re: Twoja opinia"),
        "{reply}"
    );
    assert!(
        reply["text"]
            .as_str()
            .unwrap()
            .contains("wysyłamy nową paczkę"),
        "{reply}"
    );

    // The same customer's next low score joins the case.
    app.submit_ok(
        &survey,
        &json!({"answers": {"nps": 1, "why": "kurier znowu"}, "contact": customer}),
    )
    .await;
    let mut linked = false;
    for _ in 0..200 {
        let c = app.get_json(&format!("/api/v1/cases/{id}")).await;
        if c["history"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "linked")
        {
            linked = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(linked, "the second response was not linked");
    assert_eq!(cases(&app).await.len(), 1);

    // Resolve; the status machine refuses going back to waiting.
    let (status, resolved) = json_of(
        app.send_json(
            Method::PATCH,
            &format!("/api/v1/cases/{id}"),
            &json!({"status": "resolved", "root_cause": "courier_handling"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{resolved}");
    assert_eq!(resolved["resolution"]["state"], "met");
    expect_error(
        app.send_json(
            Method::PATCH,
            &format!("/api/v1/cases/{id}"),
            &json!({"status": "waiting"}),
        )
        .await,
        409,
        "bad_status_change",
    )
    .await;
    let detail = app.get_json(&format!("/api/v1/cases/{id}")).await;
    let kinds: Vec<&str> = detail["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "created",
            "reply",
            "linked",
            "root_cause",
            "status",
            "resurvey"
        ],
        "{detail}"
    );

    // Every announcement arrived verified, once per id.
    let log = rx
        .wait_until("case.resolved and the three updates", |log| {
            // Each change's messages travel independently: wait for all of them.
            let n = |t: &str| log.iter().filter(|e| e["type"] == t).count();
            let slack = log.iter().filter(|e| e["path"] == "/slack").count();
            n("case.resolved") >= 1 && n("case.updated") >= 3 && n("alert.fired") >= 2 && slack >= 2
        })
        .await;
    let slack: Vec<&Value> = log.iter().filter(|e| e["path"] == "/slack").collect();
    let log: Vec<Value> = log.iter().filter(|e| e["path"] == "/ok").cloned().collect();
    assert!(log.iter().all(|e| e["verified"] == true), "{log:#?}");
    let texts: Vec<&str> = slack
        .iter()
        .map(|e| e["body"]["text"].as_str().unwrap())
        .collect();
    // In the channel's language, statuses and priorities in words.
    assert!(
        texts
            .iter()
            .any(|t| t
                .starts_with("Nowe zgłoszenie: Krytycy kuriera\nStatus: Nowe · priorytet: wysoki")),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("Zgłoszenie rozwiązane: Krytycy kuriera\nStatus: Rozwiązane")),
        "{texts:?}"
    );
    assert!(
        slack
            .iter()
            .all(|e| e["signed"] == false && e["body"]["blocks"].as_array().unwrap().len() == 3)
    );
    let of = |t: &str| {
        log.iter()
            .filter(|e| e["type"] == t && e["new"] == true)
            .count()
    };
    assert_eq!(of("case.created"), 1, "{log:#?}");
    assert_eq!(
        of("alert.fired"),
        2,
        "the courier rule fired twice: {log:#?}"
    );
    assert_eq!(of("case.resolved"), 1);
    assert!(of("case.updated") >= 3, "{log:#?}");
    assert!(
        log.iter()
            .filter(|e| e["type"] == "case.created")
            .all(|e| e["data_id"] == id.as_str())
    );

    // Resolving asked the customer again (the policy says after 0 hours): a Polish e-mail
    // with a personal link; their answer through it is the case's recovery.
    // (the owner's two alerts, the reply, and the re-survey)
    let mail = smtp.wait_for(4).await;
    let again = mail
        .iter()
        .find(|m| {
            m["subject"]
                .as_str()
                .unwrap()
                .starts_with("Jak jest teraz?")
        })
        .unwrap_or_else(|| panic!("the re-survey: {mail:#?}"));
    assert!(again["to"].as_str().unwrap().contains("klient@poczta.pl"));
    let text = again["text"].as_str().unwrap();
    let token = text
        .split("?inv=")
        .nth(1)
        .and_then(|t| t.split_whitespace().next())
        .unwrap_or_else(|| panic!("a personal link in {text}"));
    app.submit_ok(
        &survey,
        &json!({"answers": {"nps": 9, "why": "Nowa paczka dotarła"}, "invitation_token": token}),
    )
    .await;
    let mut recovered = Value::Null;
    for _ in 0..200 {
        recovered = app.get_json(&format!("/api/v1/cases/{id}")).await;
        if recovered["history"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "resurvey_answered")
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let kinds: Vec<&str> = recovered["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "created",
            "reply",
            "linked",
            "root_cause",
            "status",
            "resurvey",
            "resurvey_answered"
        ],
        "{recovered}"
    );
    let report = app.get_json("/api/v1/cases/report").await;
    let r = &report["recovery"];
    assert_eq!(
        (
            &r["detractor_cases"],
            &r["asked"],
            &r["answered"],
            &r["recovered"],
            &r["promoters"]
        ),
        (&json!(1), &json!(1), &json!(1), &json!(1), &json!(1)),
        "{report}"
    );
    assert_eq!(r["rate"]["value"], 100.0);
    assert!(
        r["rate"]["ci_low"].as_f64().unwrap() < 50.0,
        "one answer says little: {r}"
    );
    assert_eq!(report["all"]["first_response_met"]["n"], 1, "{report}");
    assert_eq!(report["root_causes"][0]["root_cause"], "courier_handling");
    assert_eq!(report["by_team"][0]["group"], "couriers");

    // Erasing the customer erases their case, its thread with them.
    let (status, contact) = json_of(
        app.send_json(
            Method::POST,
            "/api/v1/contacts",
            &json!({"external_id": "k-17"}),
        )
        .await,
    )
    .await;
    assert!(status == 201 || status == 200, "{contact}");
    let (status, receipt) = json_of(
        app.request(
            Method::DELETE,
            &format!("/api/v1/contacts/{}", contact["id"].as_str().unwrap()),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{receipt}");
    assert_eq!(receipt["cases"], 1, "{receipt}");
    assert!(cases(&app).await.is_empty());
    expect_error(
        app.get(&format!("/api/v1/cases/{id}")).await,
        404,
        "not_found",
    )
    .await;
}

async fn history(app: &TestApp, case: &Value) -> Vec<Value> {
    let id = case["id"].as_str().unwrap();
    app.get_json(&format!("/api/v1/cases/{id}")).await["history"]
        .as_array()
        .unwrap()
        .clone()
}

both_backends!(two_low_scores_of_one_contact_in_one_feed_page_open_one_case);
async fn two_low_scores_of_one_contact_in_one_feed_page_open_one_case(app: TestApp) {
    let (status, saved) = json_of(
        app.send_json(Method::POST, "/api/v1/alert-rules", &rule())
            .await,
    )
    .await;
    assert_eq!(status, 201, "{saved}");
    let survey = app.published_survey(&polish_survey()).await;
    // k-17 is a known customer: their case takes the e-mail stored with them, though the
    // responses give only their external id.
    let (status, _) = json_of(
        app.send_json(
            Method::POST,
            "/api/v1/contacts",
            &json!({"external_id": "k-17", "email": "k17@poczta.pl"}),
        )
        .await,
    )
    .await;
    assert!(status == 200 || status == 201);
    // All stored before the dispatcher reads them, so they are one page of the feed: the
    // contact's second low score comes while the case of their first is still to be
    // written with the page's.
    let mut ids = Vec::new();
    for (contact, why) in [
        ("k-17", "kurier spóźniony"),
        ("k-18", "kurier"),
        ("k-17", "kurier znowu"),
    ] {
        let r = app
            .submit_ok(
                &survey,
                &json!({"answers": {"nps": 1, "why": why}, "contact": {"external_id": contact}}),
            )
            .await;
        ids.push(Value::from(r["id"].as_str().unwrap()));
    }
    let render = |_: &puls_store::ResponseRecord| json!({});
    app.app
        .dispatch_responses(app.workspace_id, "node-a", &render)
        .await
        .unwrap();

    let list = cases(&app).await;
    assert_eq!(list.len(), 2, "one case per contact: {list:#?}");
    let (twice, once): (Vec<&Value>, Vec<&Value>) = list
        .iter()
        .partition(|c| c["response_id"] == ids[0] || c["response_id"] == ids[2]);
    assert_eq!((twice.len(), once.len()), (1, 1), "{list:#?}");
    assert_eq!(once[0]["response_id"], ids[1]);
    assert_eq!(twice[0]["contact_email"], "k17@poczta.pl", "{list:#?}");
    assert!(
        once[0]["contact_email"].is_null(),
        "k-18 is not known: {list:#?}"
    );
    let events = history(&app, twice[0]).await;
    let kinds: Vec<&str> = events.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["created", "linked"], "{events:#?}");
    // The contact's other response is the one linked.
    let linked = &events[1]["data"]["response_id"];
    assert!(
        linked != &twice[0]["response_id"] && (linked == &ids[0] || linked == &ids[2]),
        "{events:#?}"
    );
    assert_eq!(history(&app, once[0]).await.len(), 1);

    // Read again from the start, as after a crash before the cursor was saved: nothing is
    // opened or linked twice.
    assert!(
        app.store
            .save_feed(app.workspace_id, "responses", "node-a", 0)
            .await
            .unwrap()
    );
    app.app
        .dispatch_responses(app.workspace_id, "node-a", &render)
        .await
        .unwrap();
    assert_eq!(cases(&app).await.len(), 2);
    assert_eq!(history(&app, twice[0]).await.len(), 2);
}

both_backends!(cases_and_rules_refuse_bad_input);
async fn cases_and_rules_refuse_bad_input(app: TestApp) {
    let mut bad = rule();
    bad["conditions"] = json!([{"score": {"metric": "nsp", "at_most": 6}}]);
    let body = expect_error(
        app.send_json(Method::POST, "/api/v1/alert-rules", &bad)
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert!(
        body.to_string().contains("conditions[0].score.metric"),
        "{body}"
    );
    expect_error(app.get("/api/v1/cases/case_nope").await, 404, "not_found").await;
    let body = expect_error(
        app.send_json(
            Method::POST,
            "/api/v1/webhooks",
            &json!({"url": "https://hooks.example.com/x", "event_types": ["alert.fired"],
                    "format": "teams"}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert!(body.to_string().contains("format"), "{body}");
    expect_error(app.get("/api/v1/cases/x").await, 404, "not_found").await;
    expect_error(
        app.send_json(
            Method::POST,
            "/api/v1/cases",
            &json!({"priority": "normal"}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    expect_error(
        app.send_json(
            Method::POST,
            "/api/v1/cases",
            &json!({"title": "x", "priority": "asap"}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    expect_error(
        app.send_json(
            Method::POST,
            "/api/v1/cases",
            &json!({"title": "x", "owner_id": "usr_01j0000000000000000000000a"}),
        )
        .await,
        422,
        "not_a_member",
    )
    .await;
    expect_error(
        app.get("/api/v1/cases?status=lost").await,
        400,
        "invalid_query",
    )
    .await;
    // A case by hand, with no customer address: no reply; nothing moves back to new.
    let (status, case) = json_of(
        app.send_json(
            Method::POST,
            "/api/v1/cases",
            &json!({"title": "Telefon od klienta"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{case}");
    let id = case["id"].as_str().unwrap();
    expect_error(
        app.send_json(
            Method::POST,
            &format!("/api/v1/cases/{id}/replies"),
            &json!({"text": "x"}),
        )
        .await,
        422,
        "no_contact_email",
    )
    .await;
    expect_error(
        app.send_json(
            Method::PATCH,
            &format!("/api/v1/cases/{id}"),
            &json!({"priority": "high", "revision": 7}),
        )
        .await,
        409,
        "revision_conflict",
    )
    .await;
    let (status, waiting) = json_of(
        app.send_json(
            Method::PATCH,
            &format!("/api/v1/cases/{id}"),
            &json!({"status": "waiting", "revision": 1}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{waiting}");
    assert_eq!(waiting["first_response"]["state"], "paused");
    assert_eq!(waiting["revision"], 2);
    expect_error(
        app.send_json(
            Method::PATCH,
            &format!("/api/v1/cases/{id}"),
            &json!({"status": "new"}),
        )
        .await,
        409,
        "bad_status_change",
    )
    .await;
    // The SLA policy: read, replaced, refused with paths.
    let sla = app.get_json("/api/v1/settings/sla").await;
    assert_eq!(sla["targets"]["urgent"]["first_response_hours"], 1, "{sla}");
    let body = expect_error(
        app.send_json(
            Method::PUT,
            "/api/v1/settings/sla",
            &json!({"warn_at_percent": 120}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert!(body.to_string().contains("warn_at_percent"), "{body}");
    // Root causes: any code until the workspace lists them, then only those listed.
    let (status, _) = json_of(
        app.send_json(
            Method::PATCH,
            &format!("/api/v1/cases/{id}"),
            &json!({"root_cause": "whatever"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200);
    let body = expect_error(
        app.send_json(
            Method::PUT,
            "/api/v1/settings/root-causes",
            &json!({"codes": [{"key": "Late!", "name": "x"}]}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert!(body.to_string().contains("codes[0].key"), "{body}");
    let list = json!({"codes": [
        {"key": "courier_late", "name": {"pl": "Spóźniony kurier", "en": "Late courier"}},
        {"key": "damaged", "name": "Uszkodzona paczka"}]});
    let (status, saved) = json_of(
        app.send_json(Method::PUT, "/api/v1/settings/root-causes", &list)
            .await,
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(app.get_json("/api/v1/settings/root-causes").await, saved);
    let body = expect_error(
        app.send_json(
            Method::PATCH,
            &format!("/api/v1/cases/{id}"),
            &json!({"root_cause": "weather"}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert!(
        body.to_string().contains("courier_late, damaged"),
        "the allowed codes are named: {body}"
    );
    let (status, changed) = json_of(
        app.send_json(
            Method::PATCH,
            &format!("/api/v1/cases/{id}"),
            &json!({"root_cause": "damaged"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["root_cause"], "damaged");
}

both_backends!(escalation_fires_once_at_its_threshold);
async fn escalation_fires_once_at_its_threshold(app: TestApp) {
    let lead = app.member("kierownik@sklep.pl", "pl", "admin").await;
    let (status, _) = json_of(
        app.send_json(
            Method::PUT,
            "/api/v1/settings/sla",
            &json!({"reassign_on_breach": lead, "warn_at_percent": 75}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200);
    let (_, case) = json_of(
        app.send_json(
            Method::POST,
            "/api/v1/cases",
            &json!({"title": "Reklamacja"}),
        )
        .await,
    )
    .await;
    let id = case["id"].as_str().unwrap();
    let due = jiff::Timestamp::from_str(case["first_response"]["due_at"].as_str().unwrap())
        .unwrap()
        .as_millisecond();
    // The clock is the caller's: a minute before the first response is due, the timer is
    // past 75 %: one warning, and only one however often the escalator runs.
    assert_eq!(app.app.escalate_cases(due - 60_000).await.unwrap(), 1);
    assert_eq!(app.app.escalate_cases(due - 60_000).await.unwrap(), 0);
    // Past due: the breach, once; the case goes to the team lead.
    assert_eq!(app.app.escalate_cases(due + 1).await.unwrap(), 1);
    assert_eq!(app.app.escalate_cases(due + 60_000).await.unwrap(), 0);
    let detail = app.get_json(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(detail["owner_id"], lead.as_str(), "{detail}");
    let escalations: Vec<&Value> = detail["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "escalated")
        .collect();
    assert_eq!(escalations.len(), 2, "{detail}");
    assert_eq!(escalations[0]["data"]["level"], "warning");
    assert_eq!(escalations[1]["data"]["level"], "breach");
    assert_eq!(escalations[1]["data"]["timer"], "first_response");
    assert_eq!(escalations[1]["actor"], "system");
}

both_backends!(a_teams_breached_case_goes_to_its_lead_and_keys_outside_the_list_are_refused);
async fn a_teams_breached_case_goes_to_its_lead_and_keys_outside_the_list_are_refused(
    app: TestApp,
) {
    let lead = app.member("lider@sklep.pl", "pl", "agent").await;
    let member = app.member("agent@sklep.pl", "pl", "agent").await;
    let fallback = app.member("kierownik@sklep.pl", "pl", "admin").await;
    // A case given a team before there was a list.
    let (status, legacy) = json_of(
        app.send_json(
            Method::POST,
            "/api/v1/cases",
            &json!({"title": "Stara sprawa", "team": "legacy"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{legacy}");
    // Users who are not the workspace's are refused where they are named.
    let stranger = "usr_01j0000000000000000000000z";
    let body = expect_error(
        app.send_json(
            Method::PUT,
            "/api/v1/settings/teams",
            &json!({"teams": [{"key": "couriers", "name": "Kurierzy", "members": [member, stranger]}]}),
        )
        .await,
        422,
        "not_a_member",
    )
    .await;
    assert!(
        body.to_string().contains("teams[0].members[1]"),
        "the place is named: {body}"
    );
    expect_error(
        app.send_json(
            Method::PUT,
            "/api/v1/settings/teams",
            &json!({"teams": [{"key": "Kurierzy Śląsk", "name": "x"}]}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    let (status, saved) = json_of(
        app.send_json(
            Method::PUT,
            "/api/v1/settings/teams",
            &json!({"teams": [
                {"key": "couriers", "name": {"pl": "Kurierzy", "en": "Couriers"}, "lead": lead, "members": [member]},
                {"key": "returns", "name": "Zwroty"}]}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(app.get_json("/api/v1/settings/teams").await, saved);

    // A case's team and a rule's must be one of the list.
    let body = expect_error(
        app.send_json(
            Method::POST,
            "/api/v1/cases",
            &json!({"title": "Reklamacja", "team": "weather"}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert!(
        body.to_string().contains("couriers, returns"),
        "the allowed teams are named: {body}"
    );
    let body = expect_error(
        app.send_json(
            Method::POST,
            "/api/v1/alert-rules",
            &json!({"key": "k", "name": "x",
                    "conditions": [{"score": {"metric": "nps", "at_most": 6}}],
                    "actions": {"case": {"team": "weather"}}}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert!(body.to_string().contains("actions.case.team"), "{body}");
    // The case keeps the team it had: sent back unchanged it is no refusal.
    let (status, kept) = json_of(
        app.send_json(
            Method::PATCH,
            &format!("/api/v1/cases/{}", legacy["id"].as_str().unwrap()),
            &json!({"team": "legacy", "priority": "high"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{kept}");
    assert_eq!(
        (kept["team"].as_str(), kept["priority"].as_str()),
        (Some("legacy"), Some("high"))
    );

    // At a breach a team's case goes to its lead; a team without a lead falls back to the
    // policy's user.
    let (status, _) = json_of(
        app.send_json(
            Method::PUT,
            "/api/v1/settings/sla",
            &json!({"reassign_on_breach": fallback}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200);
    let open = |team: &'static str| {
        let app = &app;
        async move {
            let (status, case) = json_of(
                app.send_json(
                    Method::POST,
                    "/api/v1/cases",
                    &json!({"title": "Reklamacja", "team": team}),
                )
                .await,
            )
            .await;
            assert_eq!(status, 201, "{case}");
            case
        }
    };
    let couriers = open("couriers").await;
    let returns = open("returns").await;
    let due = jiff::Timestamp::from_str(couriers["resolution"]["due_at"].as_str().unwrap())
        .unwrap()
        .as_millisecond();
    app.app.escalate_cases(due + 60_000).await.unwrap();
    let owner = |case: &Value| {
        let id = case["id"].as_str().unwrap().to_string();
        let app = &app;
        async move { app.get_json(&format!("/api/v1/cases/{id}")).await["owner_id"].clone() }
    };
    assert_eq!(owner(&couriers).await, lead.as_str());
    assert_eq!(owner(&returns).await, fallback.as_str());
    // The team is changed by its key, from the list.
    let id = couriers["id"].as_str().unwrap();
    let (status, changed) = json_of(
        app.send_json(
            Method::PATCH,
            &format!("/api/v1/cases/{id}"),
            &json!({"team": "returns"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["team"], "returns");
    assert_eq!(
        app.get_json("/api/v1/cases?team=returns").await["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

both_backends!(root_causes_are_a_dimension_of_the_metrics_report);
async fn root_causes_are_a_dimension_of_the_metrics_report(app: TestApp) {
    let survey = app.published_survey(&crate::fixtures::nps_survey()).await;
    let mut ids = Vec::new();
    for score in [2, 3, 6, 9] {
        let r = app
            .submit_ok(&survey, &json!({"answers": {"nps": score}}))
            .await;
        ids.push(r["id"].as_str().unwrap().to_string());
    }
    // Three cases: two with root causes, one without; the promoter has none.
    for (id, cause) in [
        (&ids[0], Some("courier_late")),
        (&ids[1], Some("damaged")),
        (&ids[2], None),
    ] {
        let (status, case) = json_of(
            app.send_json(Method::POST, "/api/v1/cases", &json!({"response_id": id}))
                .await,
        )
        .await;
        assert_eq!(status, 201, "{case}");
        if let Some(cause) = cause {
            let (status, _) = json_of(
                app.send_json(
                    Method::PATCH,
                    &format!("/api/v1/cases/{}", case["id"].as_str().unwrap()),
                    &json!({"root_cause": cause}),
                )
                .await,
            )
            .await;
            assert_eq!(status, 200);
        }
    }
    let body = app
        .get_json("/api/v1/metrics?metric=nps&by=root_cause&compare=none")
        .await;
    assert_eq!(body["group_by"], json!(["root_cause"]), "{body}");
    let rows = body["rows"].as_array().unwrap();
    let n_of = |cause: Value| {
        rows.iter()
            .find(|r| r["keys"]["root_cause"] == cause)
            .map(|r| r["n"].clone())
            .unwrap_or_else(|| panic!("{cause} in {body}"))
    };
    assert_eq!(n_of(json!("courier_late")), 1);
    assert_eq!(n_of(json!("damaged")), 1);
    assert_eq!(n_of(Value::Null), 2, "no case or no root cause: {body}");
    assert_eq!(rows.len(), 3, "{body}");
    // And a filter of every report with a scope (metrics, key drivers, Kano).
    let body = app
        .get_json("/api/v1/metrics?metric=nps&root_cause=damaged&compare=none")
        .await;
    assert_eq!(body["total"]["n"], 1, "{body}");
    assert_eq!(
        body["total"]["value"], -100.0,
        "the damaged parcel's 3: {body}"
    );
    let body = app
        .get_json("/api/v1/metrics?metric=nps&root_cause=weather&compare=none")
        .await;
    assert_eq!(body["total"]["n"], 0, "{body}");
    // A word it does not know is refused, naming the words it knows.
    let body = expect_error(
        app.get("/api/v1/metrics?metric=nps&by=root_causes").await,
        400,
        "invalid_query",
    )
    .await;
    assert!(body.to_string().contains("root_cause"), "{body}");
}
