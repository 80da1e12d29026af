//! Compares settings of the sentiment head by 5-fold cross-validation on the training
//! files (never the shared development set), as `docs/text-analysis.md` reports them:
//!
//! `cargo run --release -p puls-text --example sentiment_cv -- target/text-models
//!  data/text/train-pl.tsv data/text/train-cs.tsv data/text/train-en.tsv
//!  cue=0,pol=0 cue=0.2,pol=0 cue=0.2,pol=0.2 h=32,b=32,ep=30,lr=0.001,l2=1e-3,xs=10,ens=5`
//!
//! Each argument that is not a file is one setting, `key=value` pairs separated by commas
//! (the defaults are those of `examples/train.rs`):
//!
//! - `cue`, `pol`: the weights of the emotion cue scores and of the polarity features beside
//!   the embedding (`head::sentiment_features`);
//! - `ep`, `lr`, `l2`, `h`, `b`, `seed`: the [`Training`] (epochs, learning rate, L2 penalty,
//!   hidden units, mini-batch size, seed);
//! - `xs`: every feature multiplied by this (a hidden layer's tanh units need inputs larger
//!   than an embedding's coordinates);
//! - `ens`: that many heads with consecutive seeds, their probabilities averaged;
//! - `knn`, `mix`: the votes of the `knn` nearest training comments (cosine of the
//!   embeddings), weighing `mix` against the head's probabilities;
//! - `grouped`: 1 (default) keeps a comment and its translation in the same fold
//!   (`head::folds`), 0 assigns folds by position.
//!
//! Prints the macro-F1 over all comments and per language, and the training accuracy of
//! the first fold's head.

use std::path::Path;

use puls_text::head::{folds, sentiment_features};
use puls_text::labelled::{Labelled, macro_f1, read};
use puls_text::{DIM, Embedder, Head, Lang, Training, fold};

const SENTIMENTS: [&str; 3] = ["neg", "neu", "pos"];
const FOLDS: usize = 5;

/// One line of settings.
struct Setting {
    training: Training,
    cue: f32,
    polarity: f32,
    scale: f32,
    ensemble: u64,
    knn: usize,
    mix: f32,
    grouped: bool,
}

impl Setting {
    fn parse(s: &str) -> Result<Setting, Box<dyn std::error::Error>> {
        let mut out = Setting {
            training: Training {
                epochs: 200,
                learning_rate: 0.05,
                l2: 1e-4,
                ..Training::default()
            },
            cue: 0.2,
            polarity: 0.2,
            scale: 1.0,
            ensemble: 1,
            knn: 0,
            mix: 0.0,
            grouped: true,
        };
        for kv in s.split(',') {
            let (k, v) = kv.split_once('=').ok_or("settings are key=value")?;
            let t = &mut out.training;
            match k {
                "ep" => t.epochs = v.parse()?,
                "lr" => t.learning_rate = v.parse()?,
                "l2" => t.l2 = v.parse()?,
                "h" => t.hidden = v.parse()?,
                "b" => t.batch = v.parse()?,
                "seed" => t.seed = v.parse()?,
                "cue" => out.cue = v.parse()?,
                "pol" => out.polarity = v.parse()?,
                "xs" => out.scale = v.parse()?,
                "ens" => out.ensemble = v.parse()?,
                "knn" => out.knn = v.parse()?,
                "mix" => out.mix = v.parse()?,
                "grouped" => out.grouped = v == "1",
                _ => return Err(format!("unknown setting {k}").into()),
            }
        }
        Ok(out)
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [models, rest @ ..] = &args[..] else {
        return Err("usage: sentiment_cv MODELS_DIR TRAIN.tsv... SETTING...".into());
    };
    let (files, settings): (Vec<&String>, Vec<&String>) =
        rest.iter().partition(|a| a.ends_with(".tsv"));
    if files.iter().any(|f| f.contains("shared/text")) {
        return Err("the shared development set is for measuring, never for choosing".into());
    }
    let embedder = Embedder::load(models)?;
    let mut rows: Vec<Labelled> = Vec::new();
    let mut langs: Vec<Lang> = Vec::new();
    for f in &files {
        let lang = ["pl", "cs", "en"]
            .into_iter()
            .find(|l| f.contains(&format!("-{l}")))
            .and_then(Lang::from_locale)
            .ok_or("a file's name says its language: -pl, -cs or -en")?;
        let r = read(Path::new(f.as_str()))?;
        langs.extend(std::iter::repeat_n(lang, r.len()));
        rows.extend(r);
    }
    let texts: Vec<&str> = rows.iter().map(|r| r.text.as_str()).collect();
    let x = embedder.embed(&texts)?;
    let y: Vec<usize> = rows
        .iter()
        .map(|r| SENTIMENTS.iter().position(|s| *s == r.sentiment))
        .collect::<Option<_>>()
        .ok_or("a sentiment other than neg, neu, pos")?;
    let tokens: Vec<Vec<fold::Token>> = rows
        .iter()
        .zip(&langs)
        .map(|(r, l)| fold::tokens(&r.text, *l))
        .collect();
    let grouped = folds(&x, &langs, FOLDS, 0.85);
    for line in settings {
        let s = Setting::parse(line)?;
        let fold_of: Vec<usize> = if s.grouped {
            grouped.clone()
        } else {
            (0..rows.len()).map(|i| i % FOLDS).collect()
        };
        let data: Vec<Vec<f32>> = (0..rows.len())
            .map(|i| {
                let f = sentiment_features(
                    &x[i],
                    &rows[i].text,
                    &tokens[i],
                    langs[i],
                    s.cue,
                    s.polarity,
                );
                f.into_iter().map(|v| v * s.scale).collect()
            })
            .collect();
        let started = std::time::Instant::now();
        let mut predicted = vec![0usize; data.len()];
        let (mut train_right, mut train_n) = (0usize, 0usize);
        for fold in 0..FOLDS {
            let train: Vec<usize> = (0..data.len()).filter(|&i| fold_of[i] != fold).collect();
            let examples: Vec<(&[f32], usize)> =
                train.iter().map(|&i| (data[i].as_slice(), y[i])).collect();
            let heads: Vec<Head> = (0..s.ensemble)
                .map(|e| {
                    let t = Training {
                        seed: s.training.seed + e,
                        ..s.training
                    };
                    Head::train(&SENTIMENTS, &examples, t)
                })
                .collect();
            let predict = |i: usize| -> usize {
                let mut p = [0f32; 3];
                for h in &heads {
                    for (a, b) in p.iter_mut().zip(h.probabilities(&data[i])) {
                        *a += b / heads.len() as f32;
                    }
                }
                if s.knn > 0 {
                    let votes = neighbours(&x, &train, i, s.knn, &y);
                    for (a, v) in p.iter_mut().zip(votes) {
                        *a = (1.0 - s.mix) * *a + s.mix * v;
                    }
                }
                (0..3).fold(0, |b, c| if p[c] > p[b] { c } else { b })
            };
            for i in 0..data.len() {
                if fold_of[i] == fold {
                    predicted[i] = predict(i);
                } else if fold == 0 {
                    train_n += 1;
                    train_right += usize::from(predict(i) == y[i]);
                }
            }
        }
        let per: Vec<String> = Lang::ALL
            .iter()
            .map(|l| {
                let idx: Vec<usize> = (0..data.len()).filter(|i| langs[*i] == *l).collect();
                let t: Vec<usize> = idx.iter().map(|i| y[*i]).collect();
                let p: Vec<usize> = idx.iter().map(|i| predicted[*i]).collect();
                format!("{:.3}", macro_f1(&t, &p))
            })
            .collect();
        println!(
            "{line}\tcv {:.3}\tpl/cs/en {}\ttrain accuracy {:.3}\t{:.1} s",
            macro_f1(&y, &predicted),
            per.join("/"),
            train_right as f64 / train_n.max(1) as f64,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// The share of each sentiment among the `k` training comments nearest to comment `i`
/// (itself left out).
fn neighbours(x: &[[f32; DIM]], train: &[usize], i: usize, k: usize, y: &[usize]) -> [f32; 3] {
    let mut near: Vec<(f32, usize)> = train
        .iter()
        .filter(|&&j| j != i)
        .map(|&j| {
            (
                x[i].iter().zip(&x[j]).map(|(a, b)| a * b).sum::<f32>(),
                y[j],
            )
        })
        .collect();
    near.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut votes = [0f32; 3];
    for (_, c) in near.iter().take(k) {
        votes[*c] += 1.0 / k as f32;
    }
    votes
}
