//! Listing responses: cursor pagination, newest first, and every filter.

use std::collections::BTreeSet;

use serde_json::json;

use crate::fixtures::nps_survey;
use crate::helpers::TestApp;

both_backends!(twenty_five_responses_come_in_pages_of_ten_newest_first_without_gaps_or_repeats);
async fn twenty_five_responses_come_in_pages_of_ten_newest_first_without_gaps_or_repeats(
    app: TestApp,
) {
    let survey = app.published_survey(&nps_survey()).await;
    let mut created = BTreeSet::new();
    for i in 0..25 {
        created.insert(app.answer(&survey, json!({ "nps": i % 11 })).await);
    }

    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/responses?limit=10&cursor={c}"),
            None => "/api/v1/responses?limit=10".to_string(),
        };
        let page = app.get_json(&path).await;
        let items = page["items"].as_array().expect("items").clone();
        pages.push(items);
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
        assert!(pages.len() <= 3, "more pages than responses allow");
    }
    assert_eq!(
        pages.iter().map(Vec::len).collect::<Vec<_>>(),
        vec![10, 10, 5]
    );

    let listed: Vec<&serde_json::Value> = pages.iter().flatten().collect();
    let ids: Vec<String> = listed
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_string())
        .collect();
    let unique: BTreeSet<String> = ids.iter().cloned().collect();
    assert_eq!(unique.len(), ids.len(), "no response is listed twice");
    assert_eq!(unique, created, "every response is listed");
    let mut newest_first = ids.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(ids, newest_first, "ids sort by creation time, newest first");
    let times: Vec<&str> = listed
        .iter()
        .map(|r| r["created_at"].as_str().expect("time"))
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {times:?}"
    );

    // A page that holds the rest exactly has no cursor.
    let whole = app.get_json("/api/v1/responses?limit=25").await;
    assert_eq!(whole["items"].as_array().map(Vec::len), Some(25));
    assert!(whole["next_cursor"].is_null());
    let almost = app.get_json("/api/v1/responses?limit=24").await;
    let last = almost["next_cursor"].as_str().expect("a cursor");
    let rest = app
        .get_json(&format!("/api/v1/responses?limit=24&cursor={last}"))
        .await;
    assert_eq!(rest["items"].as_array().map(Vec::len), Some(1));
    assert!(rest["next_cursor"].is_null());
}

/// Unix milliseconds of `2026-01-DDTHH:00:00Z`.
fn jan_2026(day: i64, hour: i64) -> i64 {
    const JAN_1_2026: i64 = 1_767_225_600_000;
    JAN_1_2026 + (day - 1) * 86_400_000 + hour * 3_600_000
}

both_backends!(responses_are_filtered_by_survey_touchpoint_channel_and_time);
async fn responses_are_filtered_by_survey_touchpoint_channel_and_time(app: TestApp) {
    let checkout = app.published_survey(&nps_survey()).await;
    let mut delivery_def = nps_survey();
    delivery_def["touchpoint"] = json!("delivery");
    delivery_def["channel"] = json!("email");
    let delivery = app.published_survey(&delivery_def).await;

    let web = app.answer(&checkout, json!({ "nps": 9 })).await;
    let sms = app
        .submit_ok(
            &checkout,
            &json!({ "answers": { "nps": 4 }, "channel": "sms" }),
        )
        .await["id"]
        .as_str()
        .expect("id")
        .to_string();
    let returns = app
        .submit_ok(
            &checkout,
            &json!({ "answers": { "nps": 6 }, "touchpoint": "returns" }),
        )
        .await["id"]
        .as_str()
        .expect("id")
        .to_string();
    let mail = app.answer(&delivery, json!({ "nps": 10 })).await;

    let set = |ids: &[&String]| {
        ids.iter()
            .map(|s| s.to_string())
            .collect::<BTreeSet<String>>()
    };
    let listed = |query: String| {
        let app = &app;
        async move {
            app.response_ids(&query)
                .await
                .into_iter()
                .collect::<BTreeSet<String>>()
        }
    };
    assert_eq!(
        listed(format!("survey={checkout}")).await,
        set(&[&web, &sms, &returns])
    );
    assert_eq!(listed(format!("survey={delivery}")).await, set(&[&mail]));
    assert_eq!(listed("survey=nosuchsurvey".into()).await, set(&[]));
    assert_eq!(
        listed("touchpoint=checkout".into()).await,
        set(&[&web, &sms])
    );
    assert_eq!(listed("touchpoint=returns".into()).await, set(&[&returns]));
    assert_eq!(listed("touchpoint=delivery".into()).await, set(&[&mail]));
    assert_eq!(listed("channel=sms".into()).await, set(&[&sms]));
    assert_eq!(listed("channel=web".into()).await, set(&[&web, &returns]));
    assert_eq!(listed("channel=email".into()).await, set(&[&mail]));
    assert_eq!(listed("channel=chat".into()).await, set(&[]));
    assert_eq!(
        listed(format!("survey={checkout}&channel=web&touchpoint=checkout")).await,
        set(&[&web])
    );

    // Time filters, on responses stored at known times (noon UTC, the same day in Warsaw,
    // the server's analytics zone): a date includes its whole day at either end; a
    // timestamp `until` is exclusive.
    let dated = app.published_survey(&nps_survey()).await;
    let ids = app
        .seed_responses(&dated, &[jan_2026(1, 12), jan_2026(2, 12), jan_2026(3, 12)])
        .await;
    let [first, second, third] = [&ids[0], &ids[1], &ids[2]];
    let q = |time: &str| format!("survey={dated}&{time}");
    assert_eq!(listed(q("since=2026-01-02")).await, set(&[second, third]));
    assert_eq!(listed(q("until=2026-01-02")).await, set(&[first, second]));
    assert_eq!(listed(q("until=2026-01-01")).await, set(&[first]));
    assert_eq!(
        listed(q("since=2026-01-02&until=2026-01-02")).await,
        set(&[second])
    );
    assert_eq!(listed(q("until=2026-01-02T12:00:00Z")).await, set(&[first]));
    assert_eq!(
        listed(q("since=2026-01-01T12:00:00Z")).await,
        set(&[first, second, third])
    );
    assert_eq!(
        listed(q("since=2026-01-01T12:00:00.001Z")).await,
        set(&[second, third])
    );
    assert_eq!(
        listed(q("until=2026-01-03T12:00:00Z")).await,
        set(&[first, second])
    );
    assert_eq!(
        listed(q("since=2026-01-02T13:00:00%2B01:00")).await,
        set(&[second, third])
    );
    assert_eq!(listed(q("since=2026-02-01")).await, set(&[]));
    assert_eq!(
        app.response_ids(&format!("survey={dated}")).await,
        vec![third.clone(), second.clone(), first.clone()],
        "newest first"
    );
}

both_backends!(the_work_queue_filters_bands_open_answers_people_and_languages);
async fn the_work_queue_filters_bands_open_answers_people_and_languages(app: TestApp) {
    let survey = app.published_survey(&nps_survey()).await;
    let mut with_csat = nps_survey();
    with_csat["questions"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "id": "sat", "type": "csat", "text": { "en": "Satisfied?" } }));
    with_csat["touchpoint"] = json!("delivery");
    let delivery = app.published_survey(&with_csat).await;
    let id = |v: serde_json::Value| v["id"].as_str().unwrap().to_string();
    let detractor = id(app
        .submit_ok(
            &survey,
            &json!({ "answers": { "nps": 2, "comment": "Zimna kawa" }, "locale": "en",
                     "contact": { "external_id": "ala" } }),
        )
        .await);
    let passive = id(app
        .submit_ok(&survey, &json!({ "answers": { "nps": 7 } }))
        .await);
    let promoter = id(app
        .submit_ok(
            &survey,
            &json!({ "answers": { "nps": 10, "comment": "Super" },
                     "contact": { "email": "ola@example.com" } }),
        )
        .await);
    let unhappy = id(app
        .submit_ok(
            &delivery,
            &json!({ "answers": { "nps": 8, "sat": 1 }, "contact": { "external_id": "ala" } }),
        )
        .await);
    let listed = |query: &'static str| {
        let app = &app;
        async move {
            app.response_ids(query)
                .await
                .into_iter()
                .collect::<BTreeSet<String>>()
        }
    };
    let set = |ids: &[&String]| ids.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(listed("band=detractors").await, set(&[&detractor]));
    assert_eq!(listed("band=passives").await, set(&[&passive, &unhappy]));
    assert_eq!(listed("band=promoters").await, set(&[&promoter]));
    assert_eq!(listed("band=csat_1_2").await, set(&[&unhappy]));
    assert_eq!(listed("has_text=yes").await, set(&[&detractor, &promoter]));
    assert_eq!(listed("has_text=no").await, set(&[&passive, &unhappy]));
    assert_eq!(
        listed("contact=known").await,
        set(&[&detractor, &promoter, &unhappy])
    );
    assert_eq!(listed("contact=unknown").await, set(&[&passive]));
    assert_eq!(
        listed("band=passives&contact=known").await,
        set(&[&unhappy])
    );
    // One customer's responses, through their contact.
    let resp = app
        .send_json(
            reqwest::Method::POST,
            "/api/v1/contacts",
            &json!({ "external_id": "ala", "attributes": { "plan": "pro" } }),
        )
        .await;
    assert!(resp.status().is_success());
    let resp = app
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/segments/pro",
            &json!({ "key": "pro", "name": "Pro",
                     "rule": { "attribute": "plan", "op": "eq", "value": "pro" } }),
        )
        .await;
    assert!(resp.status().is_success());
    assert_eq!(listed("segment=pro").await, set(&[&detractor, &unhappy]));
    assert_eq!(
        listed("segment=pro&band=detractors").await,
        set(&[&detractor])
    );
    assert_eq!(listed("locale=en").await.len(), 4);
    assert!(listed("locale=cs").await.is_empty());
    let contact = app.get_json("/api/v1/contacts?external_id=ala").await["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let theirs = app
        .response_ids(&format!("contact_id={contact}"))
        .await
        .into_iter()
        .collect::<BTreeSet<String>>();
    assert_eq!(theirs, set(&[&detractor, &unhappy]));
    // The export selects the same.
    let csv = app
        .get_text("/api/v1/responses/export?band=detractors")
        .await;
    assert_eq!(csv.lines().count(), 2, "{csv}");
    // Mistakes get clear errors.
    for (q, field) in [
        ("band=happy", "band"),
        ("has_text=maybe", "has_text"),
        ("contact=someone", "contact"),
        ("contact_id=nobody", "contact_id"),
        ("segment=nope", "segment"),
        ("locale=not!a-locale", "locale"),
        ("sentiment=angry", "sentiment"),
        ("aspect=weather", "aspect"),
    ] {
        let resp = app.get(&format!("/api/v1/responses?{q}")).await;
        let status = resp.status().as_u16();
        let body: serde_json::Value = resp.json().await.unwrap();
        assert!((400..500).contains(&status), "{q}: {status} {body}");
        assert!(
            body["error"]["message"].as_str().unwrap().contains(field),
            "{q}: {body}"
        );
    }
}
