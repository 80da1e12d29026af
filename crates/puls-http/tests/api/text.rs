//! Reading comments through the API (`/api/v1/text/analyze`): without the model, the
//! documented "not installed" answer; with it (`PULS_TEXT_MODELS`, or
//! `target/text-models`; `.ci/run` installs it), a clearly negative Polish delivery
//! complaint reads negative and about delivery, in order, and bad input is refused at its
//! field. Behaviour, not scores (`crates/puls-text/examples/evaluate.rs` measures those).

use std::path::PathBuf;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect_error, json_of};

/// The installed model's directory, or `None` (and a note) when it is not installed and
/// `PULS_TEXT_MODELS` does not ask for it.
fn models() -> Option<String> {
    let dir = std::env::var_os("PULS_TEXT_MODELS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/text-models"),
        PathBuf::from,
    );
    if dir.join("MANIFEST.json").exists() {
        return Some(dir.to_string_lossy().into_owned());
    }
    assert!(
        std::env::var_os("PULS_TEXT_MODELS").is_none(),
        "PULS_TEXT_MODELS names {} but no model is installed there",
        dir.display()
    );
    eprintln!("text model not installed (scripts/text-model/fetch): skipped");
    None
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
