//! A classifier head over sentence embeddings: multinomial logistic regression (softmax of
//! `W·x + b`), trained here, deterministically, by full-batch gradient descent (Adam) on the
//! cross-entropy with an L2 penalty and, optionally, class weights that balance rare
//! classes. The trained head is plain data (labels, weights, biases) saved as JSON next to
//! the code, so the product reads exactly what the training command wrote.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::emotion::{self, Sentiment};
use crate::fold::Token;
use crate::language::Lang;
use crate::{DIM, Error};

/// The heads of one embedding model, as the training command writes them
/// (`crates/puls-text/heads.json`): they are valid for that model's version only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Heads {
    /// The embedding model they were trained on (`MANIFEST.json`'s `model_version`).
    pub model_version: String,
    /// `neg`, `neu`, `pos`, over [`sentiment_features`] with [`Heads::cue_scale`].
    pub sentiment: Head,
    /// How much the emotion cue scores weigh beside the embedding in the sentiment head's
    /// features (0: the embedding alone).
    #[serde(default)]
    pub cue_scale: f32,
    /// `anger`, `joy`, `sadness`, `fear`, `surprise`, `gratitude`, `none`.
    pub emotion: Head,
    /// One yes/no head per aspect (`no`, `yes`).
    pub aspects: BTreeMap<String, Head>,
    /// How they were trained, for the record (files, counts, settings).
    pub trained_on: serde_json::Value,
}

impl Heads {
    /// Reads heads written by the training command.
    pub fn read(path: &Path) -> Result<Heads, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        serde_json::from_str(&text).map_err(|e| Error::Data {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })
    }

    /// The heads as JSON, weights rounded to 6 significant digits (small, and the same
    /// text for the same heads).
    pub fn to_json(&self) -> String {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        round(&mut v);
        serde_json::to_string(&v).unwrap_or_default()
    }
}

/// The sentiment head's features of a comment: its embedding, then (with a `cue_scale`
/// above 0) the emotion cue scores (`emotion::scores`) as a negative, a neutral and a
/// positive comment would have them, times `cue_scale`: what the keywords know of
/// praise, complaint and negation, beside what the model reads.
///
/// `tokens` are the comment's words in `lang` (`fold::tokens`), split once for every
/// reader of the comment.
pub fn sentiment_features(
    x: &[f32; DIM],
    text: &str,
    tokens: &[Token],
    lang: Lang,
    cue_scale: f32,
) -> Vec<f32> {
    let mut v = x.to_vec();
    if cue_scale > 0.0 {
        for s in [Sentiment::Negative, Sentiment::Neutral, Sentiment::Positive] {
            v.extend(
                emotion::scores(text, tokens, lang, s)
                    .iter()
                    .map(|f| f * cue_scale),
            );
        }
    }
    v
}

fn round(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|_| !n.is_i64() && !n.is_u64()) {
                let r: f64 = format!("{f:.6e}").parse().unwrap_or(f);
                if let Some(x) = serde_json::Number::from_f64(r) {
                    *n = x;
                }
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(round),
        serde_json::Value::Object(o) => o.values_mut().for_each(round),
        _ => {}
    }
}

/// A trained head: one weight row and one bias per label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Head {
    pub labels: Vec<String>,
    /// `labels.len()` rows of weights, one per feature (the [`DIM`] of an embedding, and
    /// any features appended to it).
    pub weights: Vec<Vec<f32>>,
    pub bias: Vec<f32>,
}

/// How a head is trained.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Training {
    /// Full passes over the examples.
    pub epochs: usize,
    pub learning_rate: f32,
    /// The L2 penalty on the weights (not the biases).
    pub l2: f32,
    /// Weigh each class by `n / (k · n_class)`, so rare classes count as much as common
    /// ones.
    pub balanced: bool,
}

impl Default for Training {
    fn default() -> Self {
        Training {
            epochs: 400,
            learning_rate: 0.05,
            l2: 1e-4,
            balanced: true,
        }
    }
}

impl Head {
    /// Trains a head on `examples` (an embedding and the index of its label in `labels`).
    /// The same examples in the same order give the same head.
    pub fn train<X: AsRef<[f32]>>(labels: &[&str], examples: &[(X, usize)], t: Training) -> Head {
        let k = labels.len();
        let dim = examples.first().map_or(DIM, |(x, _)| x.as_ref().len());
        let n = examples.len().max(1) as f32;
        let mut counts = vec![0usize; k];
        for (_, y) in examples {
            counts[*y] += 1;
        }
        let class_weight: Vec<f32> = counts
            .iter()
            .map(|&c| {
                if !t.balanced || c == 0 {
                    1.0
                } else {
                    n / (k as f32 * c as f32)
                }
            })
            .collect();
        // Parameters: k rows of `dim` weights then k biases, flat.
        let size = k * dim + k;
        let mut p = vec![0f32; size];
        let (mut m, mut v) = (vec![0f32; size], vec![0f32; size]);
        let (b1, b2, eps) = (0.9f32, 0.999f32, 1e-8f32);
        let mut grad = vec![0f32; size];
        let mut logits = vec![0f32; k];
        for epoch in 1..=t.epochs {
            grad.iter_mut().for_each(|g| *g = 0.0);
            for (x, y) in examples {
                let x = x.as_ref();
                scores(&p, k, x, &mut logits);
                softmax(&mut logits);
                let w = class_weight[*y] / n;
                for c in 0..k {
                    let d = (logits[c] - if c == *y { 1.0 } else { 0.0 }) * w;
                    let row = &mut grad[c * dim..(c + 1) * dim];
                    for (g, xi) in row.iter_mut().zip(x) {
                        *g += d * xi;
                    }
                    grad[k * dim + c] += d;
                }
            }
            for (g, w) in grad[..k * dim].iter_mut().zip(&p[..k * dim]) {
                *g += t.l2 * w;
            }
            let (c1, c2) = (1.0 - b1.powi(epoch as i32), 1.0 - b2.powi(epoch as i32));
            for i in 0..size {
                m[i] = b1 * m[i] + (1.0 - b1) * grad[i];
                v[i] = b2 * v[i] + (1.0 - b2) * grad[i] * grad[i];
                p[i] -= t.learning_rate * (m[i] / c1) / ((v[i] / c2).sqrt() + eps);
            }
        }
        Head {
            labels: labels.iter().map(|l| l.to_string()).collect(),
            weights: (0..k).map(|c| p[c * dim..(c + 1) * dim].to_vec()).collect(),
            bias: p[k * dim..].to_vec(),
        }
    }

    /// The probability of each label for an embedding, in the order of `labels`.
    pub fn probabilities(&self, x: &[f32]) -> Vec<f32> {
        let mut out: Vec<f32> = self
            .weights
            .iter()
            .zip(&self.bias)
            .map(|(w, b)| w.iter().zip(x).map(|(a, b)| a * b).sum::<f32>() + b)
            .collect();
        softmax(&mut out);
        out
    }

    /// The most probable label's index and its probability.
    pub fn predict(&self, x: &[f32]) -> (usize, f32) {
        self.probabilities(x)
            .into_iter()
            .enumerate()
            .fold(
                (0, f32::MIN),
                |best, (i, p)| if p > best.1 { (i, p) } else { best },
            )
    }
}

fn scores(p: &[f32], k: usize, x: &[f32], out: &mut [f32]) {
    let dim = x.len();
    for (c, o) in out.iter_mut().enumerate().take(k) {
        let row = &p[c * dim..(c + 1) * dim];
        *o = row.iter().zip(x).map(|(a, b)| a * b).sum::<f32>() + p[k * dim + c];
    }
}

fn softmax(v: &mut [f32]) {
    let max = v.iter().copied().fold(f32::MIN, f32::max);
    let mut sum = 0.0;
    for x in v.iter_mut() {
        *x = (*x - max).exp();
        sum += *x;
    }
    for x in v.iter_mut() {
        *x /= sum;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Points near one of three directions, labelled by it.
    fn blobs() -> Vec<([f32; DIM], usize)> {
        let mut out = Vec::new();
        let mut seed = 7u32;
        let mut noise = || {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5
        };
        for i in 0..90 {
            let y = i % 3;
            let mut x = [0f32; DIM];
            for v in x.iter_mut() {
                *v = noise() * 0.2;
            }
            x[y * 10] += 1.0;
            out.push((x, y));
        }
        out
    }

    #[test]
    fn a_trained_head_separates_what_it_was_shown_and_trains_the_same_twice() {
        let data = blobs();
        let head = Head::train(&["neg", "neu", "pos"], &data, Training::default());
        let right = data.iter().filter(|(x, y)| head.predict(x).0 == *y).count();
        assert_eq!(right, data.len());
        let p = head.probabilities(&data[0].0);
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        assert_eq!(
            head,
            Head::train(&["neg", "neu", "pos"], &data, Training::default())
        );
        let json = serde_json::to_string(&head).unwrap();
        assert_eq!(serde_json::from_str::<Head>(&json).unwrap(), head);
    }
}
