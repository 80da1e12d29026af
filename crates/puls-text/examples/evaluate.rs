//! Measures the analysis on labelled comments it was not trained on (the shared development
//! set), per language:
//!
//! `cargo run --release -p puls-text --example evaluate -- target/text-models
//!  crates/puls-text/heads.json ../shared/text/dev-pl.tsv ../shared/text/dev-cs.tsv
//!  ../shared/text/dev-en.tsv`
//!
//! Prints sentiment macro-F1 (the head), aspect detection micro-F1 (the keyword rules, the
//! heads, and either), and emotion macro-F1 (the head; the cue words given the predicted
//! sentiment). A file's language is its name's `-pl`/`-cs`/`-en`. Figures only: nothing
//! here changes the heads or the rules.

use std::path::Path;

use puls_text::emotion::{self, Sentiment};
use puls_text::fold;
use puls_text::head::Heads;
use puls_text::labelled::{macro_f1, read};
use puls_text::{Embedder, Lang};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [models, heads, files @ ..] = &args[..] else {
        return Err("usage: evaluate MODELS_DIR HEADS.json LABELLED.tsv...".into());
    };
    let embedder = Embedder::load(models)?;
    let heads = Heads::read(Path::new(heads))?;
    if heads.model_version != embedder.model_version() {
        return Err(format!(
            "the heads are for {}, the model is {}",
            heads.model_version,
            embedder.model_version()
        )
        .into());
    }
    let taxonomy = puls_text::aspects::builtin();
    println!(
        "file\tn\tsentiment_macro_f1\taspects_rules_f1\taspects_heads_f1\taspects_either_f1\temotion_head_f1\temotion_rules_f1"
    );
    for f in files {
        let lang = ["pl", "cs", "en"]
            .into_iter()
            .find(|l| f.contains(&format!("-{l}")))
            .and_then(Lang::from_locale)
            .ok_or("a file's name says its language: -pl, -cs or -en")?;
        let rows = read(Path::new(f))?;
        let texts: Vec<&str> = rows.iter().map(|r| r.text.as_str()).collect();
        let x = embedder.embed(&texts)?;
        let mut s_truth = Vec::new();
        let mut s_pred = Vec::new();
        let mut e_truth = Vec::new();
        let mut e_head = Vec::new();
        let mut e_rules = Vec::new();
        let (mut rules, mut by_heads, mut either) =
            (Counts::default(), Counts::default(), Counts::default());
        for (r, x) in rows.iter().zip(&x) {
            let features = heads.sentiment_features(x, &r.text, &fold::tokens(&r.text, lang), lang);
            let s = heads.sentiment.predict(&features).0;
            s_pred.push(heads.sentiment.labels[s].clone());
            s_truth.push(r.sentiment.clone());
            e_truth.push(r.emotion.clone());
            e_head.push(heads.emotion.labels[heads.emotion.predict(x).0].clone());
            let sentiment =
                Sentiment::from_label(&heads.sentiment.labels[s]).unwrap_or(Sentiment::Neutral);
            e_rules.push(emotion::detect(&r.text, lang, sentiment).name().to_string());
            let found_rules: Vec<String> = taxonomy
                .detect(&r.text, lang)
                .into_iter()
                .map(|a| a.name().to_string())
                .collect();
            let found_heads: Vec<String> = heads
                .aspects
                .iter()
                .filter(|(_, h)| h.predict(x).0 == 1)
                .map(|(a, _)| a.clone())
                .collect();
            let found_either: Vec<String> = found_rules
                .iter()
                .chain(&found_heads)
                .cloned()
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            rules.add(&r.aspects, &found_rules);
            by_heads.add(&r.aspects, &found_heads);
            either.add(&r.aspects, &found_either);
        }
        println!(
            "{f}\t{}\t{:.3}\t{:.3}\t{:.3}\t{:.3}\t{:.3}\t{:.3}",
            rows.len(),
            macro_f1(&s_truth, &s_pred),
            rules.f1(),
            by_heads.f1(),
            either.f1(),
            macro_f1(&e_truth, &e_head),
            macro_f1(&e_truth, &e_rules),
        );
    }
    Ok(())
}

/// Aspect detection counted over (comment, aspect) pairs.
#[derive(Default)]
struct Counts {
    tp: f64,
    fp: f64,
    fn_: f64,
}

impl Counts {
    fn add(&mut self, truth: &[String], found: &[String]) {
        for f in found {
            if truth.contains(f) {
                self.tp += 1.0;
            } else {
                self.fp += 1.0;
            }
        }
        self.fn_ += truth.iter().filter(|t| !found.contains(t)).count() as f64;
    }

    fn f1(&self) -> f64 {
        2.0 * self.tp / (2.0 * self.tp + self.fp + self.fn_).max(1.0)
    }
}
