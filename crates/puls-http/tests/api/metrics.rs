//! The analytics endpoints: metrics with intervals and comparisons, key drivers and Kano,
//! checked against values worked out by hand (the formulas are written out here, apart from
//! the server's code), over data stored at chosen times.

use puls_store::json::JsonText;
use puls_store::{NewResponse, WriteOp, WriteOutcome};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect_error, json_of};

/// 2026-03-02 00:00 UTC, a Monday.
const T0: i64 = 1_772_409_600_000;
const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

fn survey() -> Value {
    json!({
        "title": { "en": "Metrics" },
        "locales": ["en"],
        "touchpoint": "checkout",
        "questions": [
            { "id": "nps", "type": "nps", "text": { "en": "Recommend?" } },
            { "id": "csat", "type": "csat", "text": { "en": "Satisfied?" } },
            { "id": "ces", "type": "ces", "text": { "en": "Easy?" } },
            { "id": "plan", "type": "single_choice", "text": { "en": "Plan?" },
              "options": [ { "id": "free", "text": { "en": "Free" } },
                           { "id": "pro", "text": { "en": "Pro" } } ] },
            { "id": "aspects", "type": "matrix", "min": 1, "max": 5, "text": { "en": "Rate" },
              "rows": [ { "id": "speed", "text": { "en": "Speed" } },
                        { "id": "price", "text": { "en": "Price" } } ] },
            { "id": "overall", "type": "rating", "min": 0, "max": 10,
              "text": { "en": "Overall?" } },
            { "id": "dark_mode", "type": "kano", "text": { "en": "Dark mode" },
              "functional": { "en": "If it had dark mode?" },
              "dysfunctional": { "en": "If it had no dark mode?" } }
        ]
    })
}

/// How a seeded response differs from the plain one.
#[derive(Clone)]
struct Seed {
    at: i64,
    touchpoint: &'static str,
    channel: &'static str,
    completed: bool,
    attributes: Value,
    answers: Value,
}

fn seed(at: i64, answers: Value) -> Seed {
    Seed {
        at,
        touchpoint: "checkout",
        channel: "web",
        completed: true,
        attributes: json!({}),
        answers,
    }
}

/// Stores responses with chosen times straight through the store (the same writer path as
/// the API, change feed included).
async fn store(app: &TestApp, survey: &str, seeds: &[Seed]) {
    let ops: Vec<WriteOp> = seeds
        .iter()
        .map(|s| {
            WriteOp::Insert(NewResponse {
                touchpoint: s.touchpoint.into(),
                channel: s.channel.into(),
                completed: s.completed,
                attributes: JsonText::parse(&s.attributes.to_string()).unwrap(),
                answers: JsonText::parse(&s.answers.to_string()).unwrap(),
                ..puls_testdb::response(app.workspace_id, survey, s.at)
            })
        })
        .collect();
    let outcomes = app.store.write_batch(&ops).await.expect("seeding");
    assert!(outcomes.iter().all(|o| *o == WriteOutcome::Inserted));
}

fn ms_to_rfc3339(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .expect("a valid instant")
        .to_string()
}

async fn report(app: &TestApp, path_and_query: &str) -> Value {
    let (status, body) = json_of(app.get(path_and_query).await).await;
    assert_eq!(status, StatusCode::OK, "{path_and_query}: {body}");
    body
}

fn row<'a>(body: &'a Value, key: &str, value: &str) -> &'a Value {
    body["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["keys"][key] == value)
        .unwrap_or_else(|| panic!("no row {key}={value} in {body}"))
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

const Z95: f64 = 1.959_963_984_540_054;

/// The adjusted-Wald NPS interval of docs/statistics.md, written out independently.
fn nps_interval(promoters: f64, detractors: f64, n: f64) -> (f64, f64) {
    let nt = n + 3.0;
    let (p, d) = ((promoters + 0.75) / nt, (detractors + 0.75) / nt);
    let c = p - d;
    let v = (p + d - c * c) / nt;
    let nps = 100.0 * (promoters - detractors) / n;
    let (lo, hi) = (100.0 * (c - Z95 * v.sqrt()), 100.0 * (c + Z95 * v.sqrt()));
    (lo.min(nps).max(-100.0), hi.max(nps).min(100.0))
}

/// The Wilson score interval in percent.
fn wilson(x: f64, n: f64) -> (f64, f64) {
    let p = x / n;
    let z2 = Z95 * Z95;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z95 / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    (100.0 * (centre - half), 100.0 * (centre + half))
}

fn nps_scores(scores: &[i64], at: i64, touchpoint: &'static str) -> Vec<Seed> {
    scores
        .iter()
        .enumerate()
        .map(|(i, &s)| Seed {
            touchpoint,
            ..seed(at + i as i64 * 1000, json!({ "nps": s }))
        })
        .collect()
}

both_backends!(nps_by_touchpoint_has_hand_computed_values_intervals_and_tests);
async fn nps_by_touchpoint_has_hand_computed_values_intervals_and_tests(app: TestApp) {
    let id = app.published_survey(&survey()).await;
    let week = 7 * DAY;
    // This week: web 10 answers (5 promoters, 2 passives, 3 detractors: NPS 20); app 40
    // answers (30 promoters, 10 detractors: NPS 50). The week before: web 10 detractors.
    let mut seeds = nps_scores(&[10, 10, 10, 9, 8, 7, 6, 3, 0, 10], T0 + HOUR, "web");
    let app_scores: Vec<i64> = (0..40).map(|i| if i < 30 { 10 } else { 2 }).collect();
    seeds.extend(nps_scores(&app_scores, T0 + 2 * HOUR, "app"));
    seeds.extend(nps_scores(&[0; 10], T0 - week + HOUR, "web"));
    store(&app, &id, &seeds).await;

    let q = format!(
        "/api/v1/metrics?metric=nps&by=touchpoint&from={}&to={}&tz=UTC",
        ms_to_rfc3339(T0),
        ms_to_rfc3339(T0 + week)
    );
    let body = report(&app, &q).await;
    assert_eq!(body["metric"], "nps");
    assert_eq!(body["group_by"], json!(["touchpoint"]));
    assert_eq!(body["rows"].as_array().expect("rows").len(), 2, "{body}");

    let web = row(&body, "touchpoint", "web");
    assert_eq!(web["n"], 10);
    assert!(close(f(&web["value"]), 20.0));
    assert!(close(f(&web["promoters"]), 50.0) && close(f(&web["detractors"]), 30.0));
    let (lo, hi) = nps_interval(5.0, 3.0, 10.0);
    assert!(
        close(f(&web["ci_low"]), lo) && close(f(&web["ci_high"]), hi),
        "{web}"
    );
    assert_eq!(web["small_sample"], true, "10 < the default minimum of 30");
    // Against the week before (NPS -100): the adjusted-Wald test for a difference
    // (docs/statistics.md). scipy: centre = 100·(2/13 + 10/13); se from the adjusted
    // variances; Welch–Satterthwaite df ≈ 20.49; 2·t.sf(centre/se, df); centre − t.ppf(.975)·se
    assert_eq!(web["previous"]["n"], 10);
    assert!(close(f(&web["previous"]["value"]), -100.0));
    let change = &web["change"];
    assert!(close(f(&change["difference"]), 120.0));
    // The t quantile is the Cornish–Fisher expansion (error ~1e-7 here), hence 1e-6.
    assert!(
        (f(&change["ci_low"]) - 34.54124223733592).abs() < 1e-6,
        "{change}"
    );
    assert!(
        (f(&change["ci_high"]) - 150.0741423780487).abs() < 1e-6,
        "{change}"
    );
    assert!(
        close(f(&change["p_value"]), 0.003272081486814423),
        "{change}"
    );
    assert_eq!(change["verdict"], "better");

    let app_row = row(&body, "touchpoint", "app");
    assert_eq!(app_row["n"], 40);
    assert!(close(f(&app_row["value"]), 50.0));
    assert_eq!(app_row["small_sample"], false);
    // Present in this period only: the comparison says so instead of inventing a change.
    assert_eq!(app_row["previous"]["n"], 0);
    assert_eq!(app_row["previous"]["value"], Value::Null);
    assert_eq!(app_row["change"]["verdict"], "not_enough_data");

    // The total: 35 promoters and 13 detractors of 50 (NPS 44) against 10 detractors.
    let total = &body["total"];
    assert_eq!(total["n"], 50);
    assert!(close(f(&total["value"]), 44.0));
    let (lo, hi) = nps_interval(35.0, 13.0, 50.0);
    assert!(close(f(&total["ci_low"]), lo) && close(f(&total["ci_high"]), hi));
    assert_eq!(total["previous"]["n"], 10);
    assert_eq!(total["change"]["verdict"], "better");

    // The minimum sample size is a parameter.
    let body = report(&app, &format!("{q}&min_n=10")).await;
    assert_eq!(row(&body, "touchpoint", "web")["small_sample"], false);
    // Without comparison, no previous period is read.
    let body = report(&app, &format!("{q}&compare=none")).await;
    assert_eq!(row(&body, "touchpoint", "web")["previous"], Value::Null);
    assert_eq!(body["total"]["change"], Value::Null);
}

both_backends!(weeks_follow_the_time_zone_and_compare_with_the_week_before);
async fn weeks_follow_the_time_zone_and_compare_with_the_week_before(app: TestApp) {
    let id = app.published_survey(&survey()).await;
    // T0 - 30 min is Sunday 23:30 in UTC but Monday 00:30 in Warsaw (UTC+1 in March).
    let mut seeds = Vec::new();
    for (i, csat) in [5, 5, 4, 2].into_iter().enumerate() {
        seeds.push(seed(T0 - 30 * 60_000 + i as i64, json!({ "csat": csat })));
    }
    for (i, csat) in [1, 2, 5].into_iter().enumerate() {
        seeds.push(seed(T0 - 3 * DAY + i as i64, json!({ "csat": csat })));
    }
    store(&app, &id, &seeds).await;

    let range = "from=2026-02-20&to=2026-03-09";
    let warsaw = report(
        &app,
        &format!("/api/v1/metrics?metric=csat&by=week&tz=Europe/Warsaw&{range}"),
    )
    .await;
    // In Warsaw the four answers fall in the week of Monday 2 March.
    let this = row(&warsaw, "week", "2026-03-02");
    assert_eq!(this["n"], 4);
    assert!(close(f(&this["value"]), 75.0));
    let (lo, hi) = wilson(3.0, 4.0);
    assert!(
        close(f(&this["ci_low"]), lo) && close(f(&this["ci_high"]), hi),
        "{this}"
    );
    assert!(close(f(&this["mean"]), 4.0));
    // ...and compare with the week of 23 February (1 of 3 satisfied).
    assert_eq!(this["previous"]["n"], 3);
    assert!((f(&this["previous"]["value"]) - 100.0 / 3.0).abs() < 1e-9);
    assert_eq!(this["change"]["verdict"], "no_significant_change");
    let before = row(&warsaw, "week", "2026-02-23");
    assert_eq!(before["n"], 3);
    // The period starts where it was asked to (local midnight of 20 February), not at its
    // first week's Monday.
    assert_eq!(warsaw["from"], "2026-02-19T23:00:00.000Z");

    // In UTC all seven answers are in the week of 23 February.
    let utc = report(
        &app,
        &format!("/api/v1/metrics?metric=csat&by=week&tz=UTC&{range}"),
    )
    .await;
    assert_eq!(row(&utc, "week", "2026-02-23")["n"], 7);
    assert!(
        utc["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .all(|r| r["keys"]["week"] != "2026-03-02")
    );
}

both_backends!(weeks_cut_by_the_period_count_only_its_days_and_say_so);
async fn weeks_cut_by_the_period_count_only_its_days_and_say_so(app: TestApp) {
    let id = app.published_survey(&survey()).await;
    // Week of Monday 23 February: Tuesday a detractor, Friday 27th two promoters.
    // Week of 2 March: Monday a promoter, Wednesday 4th a detractor, Friday 6th a promoter.
    let mut seeds = Vec::new();
    for (at, nps) in [
        (T0 - 6 * DAY + HOUR, 2),
        (T0 - 3 * DAY + HOUR, 10),
        (T0 - 3 * DAY + 2 * HOUR, 9),
        (T0 + HOUR, 10),
        (T0 + 2 * DAY + HOUR, 0),
        (T0 + 4 * DAY + HOUR, 10),
    ] {
        seeds.push(seed(at, json!({ "nps": nps })));
    }
    store(&app, &id, &seeds).await;

    // From Friday 27 February to Wednesday 4 March, both days included.
    let body = report(
        &app,
        "/api/v1/metrics?metric=nps&by=week&tz=UTC&from=2026-02-27&to=2026-03-04",
    )
    .await;
    let first = row(&body, "week", "2026-02-23");
    // Only Friday's two promoters: Tuesday's detractor is outside the period.
    assert_eq!(first["n"], 2, "{first}");
    assert!(close(f(&first["value"]), 100.0));
    assert_eq!(first["bucket"]["partial"], true);
    assert_eq!(first["bucket"]["from"], "2026-02-27T00:00:00.000Z");
    assert_eq!(first["bucket"]["to"], "2026-03-02T00:00:00.000Z");
    // Its comparison is the whole week before (empty here).
    assert_eq!(first["previous"]["n"], 0);
    let last = row(&body, "week", "2026-03-02");
    // Monday and Wednesday (the `to` date counts whole), not Friday.
    assert_eq!(last["n"], 2, "{last}");
    assert_eq!(last["bucket"]["partial"], true);
    assert_eq!(last["bucket"]["to"], "2026-03-05T00:00:00.000Z");
    // Compared with the whole week of 23 February (3 answers, Tuesday's included).
    assert_eq!(last["previous"]["n"], 3);
    // The rows add up to the total.
    assert_eq!(body["total"]["n"], 4);
    assert_eq!(body["from"], "2026-02-27T00:00:00.000Z");
    assert_eq!(body["to"], "2026-03-05T00:00:00.000Z");

    // A whole week is not partial, and a row without time grouping has no bucket.
    let body = report(
        &app,
        "/api/v1/metrics?metric=nps&by=week&tz=UTC&from=2026-03-02&to=2026-03-08",
    )
    .await;
    let week = row(&body, "week", "2026-03-02");
    assert_eq!(week["n"], 3);
    assert_eq!(week["bucket"]["partial"], false);
    let body = report(
        &app,
        "/api/v1/metrics?metric=nps&tz=UTC&from=2026-03-02&to=2026-03-08",
    )
    .await;
    assert!(body["total"].get("bucket").is_none());
}

both_backends!(a_date_as_the_end_includes_that_day_in_reports_lists_and_exports);
async fn a_date_as_the_end_includes_that_day_in_reports_lists_and_exports(app: TestApp) {
    let id = app.published_survey(&survey()).await;
    // 1 March 23:30 UTC is 2 March 00:30 in Warsaw.
    let seeds = [
        seed(T0 - DAY + HOUR, json!({ "nps": 10 })),
        seed(T0 - 30 * 60_000, json!({ "nps": 9 })),
        seed(T0 + 12 * HOUR, json!({ "nps": 3 })),
    ];
    store(&app, &id, &seeds).await;
    let count = |body: &Value| body["items"].as_array().expect("items").len();
    for (tz, dates, n) in [
        ("UTC", "2026-03-01", 2),
        ("Europe/Warsaw", "2026-03-01", 1),
        ("Europe/Warsaw", "2026-03-02", 2),
    ] {
        let report = report(
            &app,
            &format!("/api/v1/metrics?metric=nps&tz={tz}&from={dates}&to={dates}"),
        )
        .await;
        assert_eq!(report["total"]["n"], n, "report {tz} {dates}");
        let list = app
            .get_json(&format!(
                "/api/v1/responses?tz={tz}&since={dates}&until={dates}"
            ))
            .await;
        assert_eq!(count(&list), n, "list {tz} {dates}");
    }
    // Without `tz`, the lists read dates in the server's analytics time zone (Warsaw), as
    // the reports do.
    let list = app
        .get_json("/api/v1/responses?since=2026-03-02&until=2026-03-02")
        .await;
    assert_eq!(count(&list), 2);
    // A timestamp end stays exclusive.
    let list = app
        .get_json("/api/v1/responses?since=2026-03-01T00:00:00Z&until=2026-03-02T00:00:00Z")
        .await;
    assert_eq!(count(&list), 2);
    let list = app
        .get_json("/api/v1/responses?until=2026-03-01T23:30:00Z")
        .await;
    assert_eq!(count(&list), 1);
    // An unknown zone is the caller's mistake.
    let (status, body) = json_of(app.get("/api/v1/responses?tz=Mars/Olympus").await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or("")
            .starts_with("tz:"),
        "{body}"
    );
}

both_backends!(a_response_accepted_just_before_a_query_is_counted_on_every_node);
async fn a_response_accepted_just_before_a_query_is_counted_on_every_node(app: TestApp) {
    let id = app.published_survey(&survey()).await;
    let other = app.second_node().await;
    let q = "/api/v1/metrics?metric=nps&from=2000-01-01&to=2100-01-01";
    assert_eq!(report(&app, q).await["total"]["n"], 0);
    for i in 1..=6u64 {
        app.submit_ok(&id, &json!({ "answers": { "nps": 10 } }))
            .await;
        assert_eq!(report(&app, q).await["total"]["n"], i);
        // The other node builds its index on first use and then follows the change feed.
        let resp = app
            .client
            .get(format!("{}{q}", other.address))
            .bearer_auth(&app.api_key)
            .send()
            .await
            .expect("GET on the second node");
        let (status, body) = json_of(resp).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["total"]["n"], i, "node 2 after {i} submissions");
    }
    // A partial response counts with the answers it has; completing it replaces it.
    let partial = app
        .submit_ok(&id, &json!({ "answers": { "nps": 0 }, "completed": false }))
        .await;
    let body = report(&app, q).await;
    assert_eq!(body["total"]["n"], 7);
    assert_eq!(
        report(&app, &format!("{q}&status=completed")).await["total"]["n"],
        6
    );
    let token = partial["resume_token"].as_str().expect("a resume token");
    let resp = app
        .request(
            Method::PATCH,
            &format!("/api/v1/responses/{}", partial["id"].as_str().unwrap()),
        )
        .json(&json!({ "resume_token": token, "answers": { "nps": 9 }, "completed": true }))
        .send()
        .await
        .expect("PATCH");
    assert_eq!(
        resp.status(),
        StatusCode::OK,
        "{}",
        resp.text().await.unwrap_or_default()
    );
    let body = report(&app, q).await;
    assert_eq!(body["total"]["n"], 7);
    assert!(
        close(f(&body["total"]["value"]), 100.0),
        "the 0 became a 9: {body}"
    );

    // Deleting the survey removes its responses from the metrics.
    let resp = app
        .request(Method::DELETE, &format!("/api/v1/surveys/{id}"))
        .send()
        .await
        .expect("DELETE");
    assert!(resp.status().is_success());
    assert_eq!(report(&app, q).await["total"]["n"], 0);
}

both_backends!(filters_groupings_ces_ratings_and_matrix_rows);
async fn filters_groupings_ces_ratings_and_matrix_rows(app: TestApp) {
    let id = app.published_survey(&survey()).await;
    let mut seeds = Vec::new();
    for i in 0..12i64 {
        let pro = i % 3 == 0;
        seeds.push(Seed {
            channel: if i % 2 == 0 { "email" } else { "web" },
            completed: i != 11,
            attributes: json!({ "device": if i < 6 { "mobile" } else { "desktop" } }),
            ..seed(
                T0 + i * 1000,
                json!({
                    "ces": 1 + i % 7,
                    "plan": if pro { "pro" } else { "free" },
                    "aspects": { "speed": 1 + i % 5, "price": 5 - i % 5 },
                    "overall": i % 11,
                }),
            )
        });
    }
    store(&app, &id, &seeds).await;
    let period = "from=2026-03-01&to=2026-03-03&tz=UTC";

    // CES: the mean of 1+i%7 over i = 0..11 with a t-interval around it.
    let ces_values: Vec<f64> = (0..12).map(|i| (1 + i % 7) as f64).collect();
    let mean = ces_values.iter().sum::<f64>() / 12.0;
    let body = report(&app, &format!("/api/v1/metrics?metric=ces&{period}")).await;
    let total = &body["total"];
    assert_eq!(total["n"], 12);
    assert!(close(f(&total["value"]), mean));
    let var = ces_values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 11.0;
    // t(0.975; 11) = 2.200985160082949 (scipy.stats.t.ppf(0.975, 11)).
    let half = 2.200_985_160_082_949 * (var / 12.0).sqrt();
    assert!(
        (f(&total["ci_low"]) - (mean - half)).abs() < 1e-9,
        "{total}"
    );
    let easy = ces_values.iter().filter(|&&x| x >= 5.0).count() as f64;
    assert!(close(f(&total["share_5_to_7"]), 100.0 * easy / 12.0));
    // The share comes with its Wilson interval, as docs/statistics.md promises.
    let (lo, hi) = wilson(easy, 12.0);
    assert!(
        close(f(&total["share_5_to_7_ci_low"]), lo) && close(f(&total["share_5_to_7_ci_high"]), hi),
        "{total}"
    );

    // Filters: channel, attribute, choice and status, alone and combined.
    let n = |body: Value| body["total"]["n"].as_u64().expect("n");
    let base = format!("/api/v1/metrics?metric=ces&{period}");
    assert_eq!(n(report(&app, &format!("{base}&channel=email")).await), 6);
    assert_eq!(
        n(report(&app, &format!("{base}&attribute=device:mobile")).await),
        6
    );
    assert_eq!(n(report(&app, &format!("{base}&choice=plan:pro")).await), 4);
    assert_eq!(
        n(report(&app, &format!("{base}&status=completed")).await),
        11
    );
    assert_eq!(
        n(report(
            &app,
            &format!("{base}&channel=email&attribute=device:mobile&choice=plan:pro|free")
        )
        .await),
        3
    );
    assert_eq!(
        n(report(&app, &format!("{base}&touchpoint=nowhere")).await),
        0
    );

    // Groupings by an answer and by an attribute.
    let body = report(&app, &format!("{base}&by=choice:plan,attribute:device")).await;
    let cell = |plan: &str, device: &str| {
        body["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r["keys"]["choice:plan"] == plan && r["keys"]["attribute:device"] == device)
            .map(|r| r["n"].as_u64().expect("n"))
    };
    // pro: i = 0, 3 (mobile) and 6, 9 (desktop).
    assert_eq!(cell("pro", "mobile"), Some(2));
    assert_eq!(cell("pro", "desktop"), Some(2));
    assert_eq!(cell("free", "mobile"), Some(4));
    let groups: u64 = body["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["n"].as_u64().unwrap())
        .sum();
    assert_eq!(groups, 12);

    // Any rating or matrix row: mean, top box, distribution.
    let body = report(
        &app,
        &format!("/api/v1/metrics?metric=rating&question=aspects.speed&{period}"),
    )
    .await;
    let speed: Vec<f64> = (0..12).map(|i| (1 + i % 5) as f64).collect();
    assert!(close(
        f(&body["total"]["value"]),
        speed.iter().sum::<f64>() / 12.0
    ));
    let tops = speed.iter().filter(|&&x| x == 5.0).count() as f64;
    assert!(close(f(&body["total"]["top_box"]), 100.0 * tops / 12.0));
    assert_eq!(
        body["total"]["distribution"],
        json!([[1, 3], [2, 3], [3, 2], [4, 2], [5, 2]])
    );
    let body = report(
        &app,
        &format!("/api/v1/metrics?metric=rating&question=overall&{period}"),
    )
    .await;
    assert_eq!(body["total"]["n"], 12);
}

both_backends!(the_drivers_small_sample_flag_counts_who_answered_every_driver);
async fn the_drivers_small_sample_flag_counts_who_answered_every_driver(app: TestApp) {
    let id = app.published_survey(&survey()).await;
    // 50 answer the outcome and speed; only 20 of them also rate price.
    let seeds: Vec<Seed> = (0..50i64)
        .map(|i| {
            let speed = 1 + i % 5;
            let aspects = if i < 20 {
                json!({ "speed": speed, "price": 1 + (i / 5) % 4 })
            } else {
                json!({ "speed": speed })
            };
            seed(
                T0 + i * 1000,
                json!({ "aspects": aspects, "overall": 2 * speed }),
            )
        })
        .collect();
    store(&app, &id, &seeds).await;
    let body = report(
        &app,
        "/api/v1/drivers?outcome=overall&drivers=aspects.speed,aspects.price\
         &from=2026-03-01&to=2026-03-03&tz=UTC",
    )
    .await;
    assert_eq!(
        (body["n"].clone(), body["n_complete"].clone()),
        (json!(50), json!(20)),
        "{body}"
    );
    assert_eq!(
        body["small_sample"], true,
        "20 complete answers < the minimum of 30"
    );
    // With the minimum at 20, the same model is not small.
    let body = report(
        &app,
        "/api/v1/drivers?outcome=overall&drivers=aspects.speed,aspects.price\
         &from=2026-03-01&to=2026-03-03&tz=UTC&min_n=20",
    )
    .await;
    assert_eq!(body["small_sample"], false, "{body}");
}

both_backends!(key_drivers_and_kano_match_answers_known_by_construction);
async fn key_drivers_and_kano_match_answers_known_by_construction(app: TestApp) {
    let id = app.published_survey(&survey()).await;
    // overall = 2·speed exactly; price runs through every value for every speed, so it is
    // uncorrelated with speed and with the outcome: speed explains everything.
    let mut seeds = Vec::new();
    for i in 0..50i64 {
        let speed = 1 + i % 5;
        let price = 1 + (i / 5) % 5;
        // Kano: 6 like/dislike (one-dimensional), 3 like/neutral (attractive), 1 dislike/like
        // (reverse), the rest not asked.
        let kano = match i {
            0..=5 => json!({ "functional": "like", "dysfunctional": "dislike" }),
            6..=8 => json!({ "functional": "like", "dysfunctional": "neutral" }),
            9 => json!({ "functional": "dislike", "dysfunctional": "like" }),
            _ => Value::Null,
        };
        seeds.push(seed(
            T0 + i * 1000,
            json!({ "aspects": { "speed": speed, "price": price }, "overall": 2 * speed, "dark_mode": kano }),
        ));
    }
    store(&app, &id, &seeds).await;
    let period = "from=2026-03-01&to=2026-03-03&tz=UTC";

    let body = report(
        &app,
        &format!("/api/v1/drivers?outcome=overall&drivers=aspects.speed,aspects.price&{period}"),
    )
    .await;
    assert_eq!(body["n"], 50);
    assert!((f(&body["r_squared"]) - 1.0).abs() < 1e-9, "{body}");
    let drivers = body["drivers"].as_array().expect("drivers");
    assert_eq!(drivers[0]["key"], "aspects.speed");
    assert!((f(&drivers[0]["importance"]) - 1.0).abs() < 1e-9);
    assert!((f(&drivers[0]["share"]) - 100.0).abs() < 1e-9);
    assert!(f(&drivers[1]["importance"]).abs() < 1e-9);
    // Speed averages 3 on 1–5 (performance 50), price too: speed is above the mean importance.
    assert!((f(&drivers[0]["performance"]) - 50.0).abs() < 1e-9);
    assert_eq!(drivers[0]["quadrant"], "keep_up");
    assert_eq!(drivers[1]["quadrant"], "maintain");
    // Every importance and share comes with its bootstrap interval around it.
    for d in drivers {
        let (lo, hi) = (f(&d["importance_ci_low"]), f(&d["importance_ci_high"]));
        assert!(
            lo <= f(&d["importance"]) + 1e-9 && f(&d["importance"]) <= hi + 1e-9,
            "{d}"
        );
        assert!(f(&d["share_ci_low"]) <= f(&d["share_ci_high"]), "{d}");
    }
    // Here speed explains everything in every resample: its interval does not reach
    // price's, so they are told apart.
    assert!(f(&drivers[0]["importance_ci_low"]) > f(&drivers[1]["importance_ci_high"]));

    let body = report(&app, &format!("/api/v1/surveys/{id}/kano?{period}")).await;
    let f0 = &body["features"][0];
    assert_eq!(f0["question"], "dark_mode");
    assert_eq!(f0["feature"], "Dark mode");
    assert_eq!(f0["n"], 10);
    assert_eq!(f0["small_sample"], true);
    assert_eq!(f0["dominant"], "one_dimensional");
    assert!(close(f(&f0["shares"]["one_dimensional"]), 60.0));
    assert!(close(f(&f0["shares"]["attractive"]), 30.0));
    assert!(close(f(&f0["shares"]["reverse"]), 10.0));
    // Better = (A + O)/(A + O + M + I) = 9/9; Worse = −(O + M)/(A + O + M + I) = −6/9.
    assert!(close(f(&f0["better"]), 1.0));
    assert!(close(f(&f0["worse"]), -6.0 / 9.0));

    // A root cause filters them too: the twenty slowest answers (speed 1 or 2: i = 0, 1,
    // 5, 6, ... 46) get a case with the root cause "slow".
    let list = app.get_json("/api/v1/responses?limit=100").await;
    let slow: Vec<String> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["answers"]["aspects"]["speed"]
                .as_i64()
                .is_some_and(|v| v <= 2)
        })
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(slow.len(), 20, "{list}");
    for rid in &slow {
        let (status, case) = json_of(
            app.send_json(Method::POST, "/api/v1/cases", &json!({"response_id": rid}))
                .await,
        )
        .await;
        assert_eq!(status, 201, "{case}");
        let (status, _) = json_of(
            app.send_json(
                Method::PATCH,
                &format!("/api/v1/cases/{}", case["id"].as_str().unwrap()),
                &json!({"root_cause": "slow"}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200);
    }
    let body = report(
        &app,
        &format!(
            "/api/v1/drivers?outcome=overall&drivers=aspects.speed,aspects.price&{period}\
             &root_cause=slow"
        ),
    )
    .await;
    assert_eq!(body["n"], 20, "{body}");
    assert!((f(&body["r_squared"]) - 1.0).abs() < 1e-9, "{body}");
    let body = report(
        &app,
        &format!("/api/v1/surveys/{id}/kano?{period}&root_cause=slow"),
    )
    .await;
    // Of the slow ones, i = 0, 1, 5 (like/dislike) and 6 (like/neutral) answered the pair.
    assert_eq!(body["features"][0]["n"], 4, "{body}");
    assert!(
        close(f(&body["features"][0]["shares"]["one_dimensional"]), 75.0),
        "{body}"
    );
    assert_eq!(body["features"][0]["dominant"], "one_dimensional", "{body}");
}

both_backends!(bad_report_requests_get_clear_errors);
async fn bad_report_requests_get_clear_errors(app: TestApp) {
    let id = app.published_survey(&survey()).await;
    for (query, status, code, mentions) in [
        ("/api/v1/metrics", 400, "invalid_query", "metric"),
        (
            "/api/v1/metrics?metric=happiness",
            400,
            "invalid_query",
            "metric",
        ),
        (
            "/api/v1/metrics?metric=nps&colour=blue",
            400,
            "invalid_query",
            "colour",
        ),
        (
            "/api/v1/metrics?metric=nps&by=week,month",
            400,
            "invalid_query",
            "by",
        ),
        (
            "/api/v1/metrics?metric=nps&by=planet",
            400,
            "invalid_query",
            "planet",
        ),
        (
            "/api/v1/metrics?metric=rating",
            400,
            "invalid_query",
            "question",
        ),
        (
            "/api/v1/metrics?metric=nps&tz=Mars/Olympus",
            400,
            "invalid_query",
            "tz",
        ),
        (
            "/api/v1/metrics?metric=nps&from=2026-13-45",
            400,
            "invalid_query",
            "from",
        ),
        (
            "/api/v1/metrics?metric=nps&from=2026-03-02&to=2026-03-01",
            400,
            "invalid_query",
            "from",
        ),
        (
            "/api/v1/metrics?metric=nps&channel=fax",
            400,
            "invalid_query",
            "channel",
        ),
        (
            "/api/v1/metrics?metric=nps&confidence=2",
            400,
            "invalid_query",
            "confidence",
        ),
        (
            "/api/v1/metrics?metric=nps&min_n=-1",
            400,
            "invalid_query",
            "min_n",
        ),
        (
            "/api/v1/metrics?metric=nps&metric=csat",
            400,
            "invalid_query",
            "metric",
        ),
        (
            "/api/v1/drivers?drivers=csat",
            400,
            "invalid_query",
            "outcome",
        ),
        (
            "/api/v1/drivers?outcome=overall",
            400,
            "invalid_query",
            "drivers",
        ),
        (
            "/api/v1/drivers?outcome=overall&drivers=nothing",
            422,
            "unknown_question",
            "nothing",
        ),
        (
            "/api/v1/drivers?outcome=overall&drivers=overall",
            400,
            "invalid_query",
            "drivers",
        ),
        ("/api/v1/surveys/nope/kano", 404, "not_found", "survey"),
    ] {
        let body = expect_error(app.get(query).await, status, code).await;
        let message = body["error"]["message"].as_str().expect("a message");
        assert!(message.contains(mentions), "{query}: {message}");
    }
    // Too few answers for a model is a 422 that says why, not a 500.
    let body = expect_error(
        app.get("/api/v1/drivers?outcome=overall&drivers=aspects.speed")
            .await,
        422,
        "too_few_responses",
    )
    .await;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("rows")
    );
    // Reports need a key, and see only their own workspace.
    let resp = app
        .anonymous(Method::GET, "/api/v1/metrics?metric=nps")
        .send()
        .await
        .expect("GET");
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let (_, other_key) = app.other_workspace("globex").await;
    let resp = app
        .request_as(
            &other_key,
            Method::GET,
            &format!("/api/v1/surveys/{id}/kano"),
        )
        .send()
        .await
        .expect("GET");
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    // No data is an empty answer, not an error.
    let body = report(&app, "/api/v1/metrics?metric=nps&by=week").await;
    assert_eq!(body["rows"], json!([]));
    assert_eq!(body["total"]["n"], 0);
    assert_eq!(body["total"]["value"], Value::Null);
    assert_eq!(body["total"]["small_sample"], true);
}
