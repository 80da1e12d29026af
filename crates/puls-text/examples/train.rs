//! Trains the classifier heads on the project's own labelled comments and writes them:
//!
//! `cargo run --release -p puls-text --example train -- target/text-models
//!  crates/puls-text/heads.json data/text/train-pl.tsv data/text/train-cs.tsv
//!  data/text/train-en.tsv`
//!
//! Embeds every comment with the installed model (the same runtime that serves them),
//! picks each head's training settings by 5-fold cross-validation **on the training
//! files** (macro-F1; a comment and its translation in another language stay in the same
//! fold, `head::folds`), trains on all of them and writes the heads with the model's
//! version. Never give it the shared development set: that is for measuring only.

use std::collections::BTreeMap;
use std::path::Path;

use puls_text::aspects::BUILTIN as ASPECTS;
use puls_text::fold;
use puls_text::head::{Heads, folds, sentiment_features};
use puls_text::labelled::{Labelled, macro_f1, read};
use puls_text::{DIM, Embedder, Head, Lang, Training};

const SENTIMENTS: [&str; 3] = ["neg", "neu", "pos"];
/// The weight of the emotion cue scores beside the embedding in the sentiment head (chosen
/// by cross-validation on the training files: 0.746 without them, 0.759 at 0.2, with the
/// folds of `head::folds`).
const CUE_SCALE: f32 = 0.2;
/// The weight of the polarity features (complaint and praise cues, negations, the marks of
/// a neutral comment) beside them (chosen by cross-validation on the training files: 0.759
/// without them, 0.783 at 0.2; see docs/text-analysis.md).
const POLARITY_SCALE: f32 = 0.2;
/// Cross-validation folds.
const FOLDS: usize = 5;
/// The cosine above which two comments in different languages, each the other's nearest
/// neighbour there, count as translations of each other (kept in one fold).
const TRANSLATION_COSINE: f32 = 0.85;
const EMOTIONS: [&str; 7] = [
    "anger",
    "joy",
    "sadness",
    "fear",
    "surprise",
    "gratitude",
    "none",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [models, out, files @ ..] = &args[..] else {
        return Err("usage: train MODELS_DIR OUT.json TRAIN.tsv...".into());
    };
    if files.iter().any(|f| f.contains("shared/text")) {
        return Err("the shared development set is for measuring, never for training".into());
    }
    let embedder = Embedder::load(models)?;
    let mut rows: Vec<Labelled> = Vec::new();
    let mut langs: Vec<Lang> = Vec::new();
    let mut per_file = BTreeMap::new();
    for f in files {
        let lang = ["pl", "cs", "en"]
            .into_iter()
            .find(|l| f.contains(&format!("-{l}")))
            .and_then(Lang::from_locale)
            .ok_or("a file's name says its language: -pl, -cs or -en")?;
        let r = read(Path::new(f))?;
        per_file.insert(f.clone(), r.len());
        langs.extend(std::iter::repeat_n(lang, r.len()));
        rows.extend(r);
    }
    let texts: Vec<&str> = rows.iter().map(|r| r.text.as_str()).collect();
    let started = std::time::Instant::now();
    let x = embedder.embed(&texts)?;
    eprintln!(
        "embedded {} comments in {:.1} s",
        x.len(),
        started.elapsed().as_secs_f64()
    );

    let fold_of = folds(&x, &langs, FOLDS, TRANSLATION_COSINE);
    let label = |set: &[&str], v: &str| set.iter().position(|s| *s == v);
    let sentiment: Vec<(Vec<f32>, usize)> = rows
        .iter()
        .zip(&x)
        .zip(&langs)
        .filter_map(|((r, x), lang)| {
            Some((
                sentiment_features(
                    x,
                    &r.text,
                    &fold::tokens(&r.text, *lang),
                    *lang,
                    CUE_SCALE,
                    POLARITY_SCALE,
                ),
                label(&SENTIMENTS, &r.sentiment)?,
            ))
        })
        .collect();
    let emotion: Vec<([f32; DIM], usize)> = rows
        .iter()
        .zip(&x)
        .filter_map(|(r, x)| Some((*x, label(&EMOTIONS, &r.emotion)?)))
        .collect();
    let (sentiment_head, s_t, s_f1) = fit(&SENTIMENTS, &sentiment, &fold_of);
    eprintln!("sentiment: cross-validated macro-F1 {s_f1:.3} with {s_t:?}");
    let (emotion_head, e_t, e_f1) = fit(&EMOTIONS, &emotion, &fold_of);
    eprintln!("emotion: cross-validated macro-F1 {e_f1:.3} with {e_t:?}");
    let mut aspects = BTreeMap::new();
    let mut settings = serde_json::Map::new();
    for a in ASPECTS {
        let data: Vec<([f32; DIM], usize)> = rows
            .iter()
            .zip(&x)
            .map(|(r, x)| (*x, usize::from(r.aspects.iter().any(|s| s == a))))
            .collect();
        let (head, t, f1) = fit(&["no", "yes"], &data, &fold_of);
        eprintln!("aspect {a}: cross-validated macro-F1 {f1:.3} with {t:?}");
        settings.insert(a.into(), describe(&t, f1));
        aspects.insert(a.to_string(), head);
    }
    let heads = Heads {
        model_version: embedder.model_version().to_string(),
        sentiment: sentiment_head,
        cue_scale: CUE_SCALE,
        polarity_scale: POLARITY_SCALE,
        emotion: emotion_head,
        aspects,
        trained_on: serde_json::json!({
            "files": per_file,
            "cross_validation": format!(
                "{FOLDS} folds, translations kept together (cosine above {TRANSLATION_COSINE})"
            ),
            "sentiment": describe(&s_t, s_f1),
            "emotion": describe(&e_t, e_f1),
            "aspects": settings,
        }),
    };
    std::fs::write(out, heads.to_json() + "\n")?;
    eprintln!("wrote {out}");
    Ok(())
}

fn describe(t: &Training, f1: f64) -> serde_json::Value {
    serde_json::json!({
        "epochs": t.epochs, "learning_rate": t.learning_rate, "l2": t.l2,
        "balanced": t.balanced, "cv_macro_f1": (f1 * 1000.0).round() / 1000.0,
    })
}

/// The settings of the grid with the best cross-validated macro-F1, and the head trained
/// with them on everything. `fold_of` gives each example's fold.
fn fit<X: AsRef<[f32]> + Clone>(
    labels: &[&str],
    data: &[(X, usize)],
    fold_of: &[usize],
) -> (Head, Training, f64) {
    let mut best: Option<(Training, f64)> = None;
    for epochs in [200, 600] {
        for l2 in [1e-5, 1e-4, 1e-3] {
            let t = Training {
                epochs,
                learning_rate: 0.05,
                l2,
                balanced: true,
                ..Training::default()
            };
            let f1 = cross_validate(labels, data, fold_of, t);
            if best.is_none_or(|(_, b)| f1 > b) {
                best = Some((t, f1));
            }
        }
    }
    let (t, f1) = best.expect("a grid");
    (Head::train(labels, data, t), t, f1)
}

fn cross_validate<X: AsRef<[f32]> + Clone>(
    labels: &[&str],
    data: &[(X, usize)],
    fold_of: &[usize],
    t: Training,
) -> f64 {
    let mut predicted = vec![0usize; data.len()];
    for fold in 0..FOLDS {
        let train: Vec<(X, usize)> = data
            .iter()
            .zip(fold_of)
            .filter(|(_, f)| **f != fold)
            .map(|(d, _)| d.clone())
            .collect();
        let head = Head::train(labels, &train, t);
        for ((x, _), (p, f)) in data.iter().zip(predicted.iter_mut().zip(fold_of)) {
            if *f == fold {
                *p = head.predict(x.as_ref()).0;
            }
        }
    }
    let truth: Vec<usize> = data.iter().map(|d| d.1).collect();
    macro_f1(&truth, &predicted)
}
