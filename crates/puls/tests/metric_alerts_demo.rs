//! A metric alert rule on the demo data (`puls demo`): the courier's bad month (four
//! calendar months back) makes the delivery touchpoint's NPS drop, and the rule alarms for
//! it, and for none of the touchpoints whose change that month is not significant. (The
//! demo's data move with today's date, so which touchpoints those are is read, not
//! assumed; the false-alarm rate itself is simulated in `puls-core`.)

mod common;

use common::{puls, start};
use serde_json::{Value, json};

#[tokio::test]
async fn the_couriers_bad_month_alarms_and_an_unchanged_touchpoint_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("puls.db").display());
    let out = puls(dir.path())
        .args([
            "--db",
            &db,
            "demo",
            "--responses",
            "20000",
            "--contacts",
            "0",
        ])
        .args(["--events", "0"])
        .output()
        .expect("running puls demo");
    assert!(out.status.success(), "{out:?}");
    let key = String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .expect("the demo's key")
        .to_string();
    let server = start(dir.path(), &db, &[], None);
    let base = format!("http://{}", server.addr);
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{base}/api/v1/alert-rules"))
        .bearer_auth(&key)
        .json(&json!({"key": "nps-drop", "name": "NPS drop",
                      "metric": {"of": "nps", "by": "touchpoint", "every": "month",
                                 "drop": {"min_n": 30}},
                      "actions": {"webhook": true}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);

    // The demo's incident month is four months before the current one (Warsaw time).
    let today = jiff::Zoned::now()
        .with_time_zone(jiff::tz::TimeZone::get("Europe/Warsaw").unwrap())
        .date();
    let first = |months: i32| {
        today
            .first_of_month()
            .checked_sub(jiff::Span::new().months(months))
            .unwrap()
    };
    let preview = |at: jiff::civil::Date| {
        let (http, key, base) = (http.clone(), key.clone(), base.clone());
        async move {
            let r = http
                .get(format!(
                    "{base}/api/v1/alert-rules/nps-drop/preview?at={at}"
                ))
                .bearer_auth(&key)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            r.json::<Vec<Value>>().await.unwrap()
        }
    };
    let group = |found: &[Value], g: &str| -> Value {
        found
            .iter()
            .find(|f| f["group"] == g)
            .cloned()
            .unwrap_or_else(|| panic!("{g} in {found:?}"))
    };
    // At the first of the month after the incident: the incident month against the one
    // before.
    let found = preview(first(3)).await;
    let delivery = group(&found, "delivery");
    assert_eq!(delivery["alarm"], true, "{delivery}");
    assert!(
        delivery["difference"].as_f64().unwrap() < -20.0,
        "{delivery}"
    );
    let unchanged: Vec<&Value> = found
        .iter()
        .filter(|f| f["p_value"].as_f64().is_some_and(|p| p > 0.05))
        .collect();
    assert!(!unchanged.is_empty(), "{found:#?}");
    assert!(unchanged.iter().all(|f| f["alarm"] == false), "{found:#?}");
    // Whatever month is read, an alarm is a fall whose p-value passed the correction.
    for months in [3, 4, 5] {
        for f in preview(first(months)).await {
            if f["alarm"] == true {
                assert!(f["difference"].as_f64().unwrap() < 0.0, "{f}");
                assert!(f["p_value"].as_f64().unwrap() <= 0.05, "{f}");
            }
        }
    }
}
