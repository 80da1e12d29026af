//! The analysis as a whole, on the installed model (`PULS_TEXT_MODELS`, by default
//! `target/text-models`; skipped with a note when it is not installed and the variable is
//! not set, as on a machine that never ran `scripts/text-model/fetch`; `.ci/run` sets it).
//! Behaviour, not scores: the scores are measured by `examples/evaluate.rs`.

use std::path::PathBuf;

use puls_text::emotion::{Emotion, Sentiment};
use puls_text::{Analyzer, Error, Lang};

fn models_dir() -> PathBuf {
    std::env::var_os("PULS_TEXT_MODELS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/text-models"),
        PathBuf::from,
    )
}

fn installed() -> Option<Analyzer> {
    match Analyzer::load(models_dir()) {
        Ok(a) => Some(a),
        Err(Error::NotInstalled { .. }) if std::env::var_os("PULS_TEXT_MODELS").is_none() => {
            eprintln!("text model not installed (scripts/text-model/fetch): skipped");
            None
        }
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn a_clearly_negative_polish_delivery_complaint_is_negative_and_about_delivery() {
    let Some(a) = installed() else { return };
    let out = a
        .analyze(
            &[
                "Kurier zostawił paczkę pod drzwiami, nikt nie zadzwonił, a w środku wszystko \
                 potłuczone. Skandal, nigdy więcej!",
                "Dziękuję, obsługa była bardzo miła i wszystko przyszło na czas 🙂",
                "Objednávka dorazila o týden později a nikdo mi nic nenapsal.",
            ],
            None,
        )
        .unwrap();
    assert_eq!(out.len(), 3);
    assert_eq!(out[0].language, Lang::Pl);
    assert_eq!(out[0].sentiment, Sentiment::Negative, "{:?}", out[0]);
    assert!(
        out[0]
            .aspects
            .iter()
            .any(|(a, s)| a.name() == "delivery" && *s == Sentiment::Negative),
        "{:?}",
        out[0]
    );
    assert!(out[0].score > 0.5 && out[0].score <= 1.0);
    assert_ne!(out[0].emotion, Emotion::Joy);
    assert_eq!(out[1].sentiment, Sentiment::Positive, "{:?}", out[1]);
    assert_eq!(out[2].language, Lang::Cs);
    assert_eq!(out[2].sentiment, Sentiment::Negative, "{:?}", out[2]);
    // In order, and the same text twice reads the same.
    let again = a
        .analyze(
            &["Objednávka dorazila o týden později a nikdo mi nic nenapsal."],
            Some(Lang::Cs),
        )
        .unwrap();
    assert_eq!(again[0].sentiment, out[2].sentiment);
    assert_eq!(again[0].aspects, out[2].aspects);
}

#[test]
fn a_missing_model_is_not_installed() {
    let dir = std::env::temp_dir().join(format!("puls-text-none-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    match Analyzer::load(&dir) {
        Err(Error::NotInstalled { manifest }) => {
            assert!(manifest.ends_with("MANIFEST.json"));
        }
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("an empty directory is no install"),
    }
    let _ = std::fs::remove_dir(&dir);
}
