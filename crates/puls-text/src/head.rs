//! A classifier head over sentence embeddings: multinomial logistic regression (softmax of
//! `W·x + b`) or, optionally, a small network with one hidden layer of tanh units before
//! it, trained here, deterministically (a fixed seed), by gradient descent (Adam, full
//! batch or shuffled mini-batches) on the cross-entropy with an L2 penalty and, optionally,
//! class weights that balance rare classes. The trained head is plain data (labels,
//! weights, biases) saved as JSON next to the code, so the product reads exactly what the
//! training command wrote.
//!
//! [`folds`] splits labelled comments for cross-validation so that a comment and its
//! translation into another of the languages never sit on both sides.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::emotion::{self, Sentiment};
use crate::fold::Token;
use crate::language::Lang;
use crate::{DIM, Error, polarity};

/// The heads of one embedding model, as the training command writes them
/// (`crates/puls-text/heads.json`): they are valid for that model's version only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Heads {
    /// The embedding model they were trained on (`MANIFEST.json`'s `model_version`).
    pub model_version: String,
    /// `neg`, `neu`, `pos`, over [`sentiment_features`] with [`Heads::cue_scale`] and
    /// [`Heads::polarity_scale`] ([`Heads::sentiment_features`]).
    pub sentiment: Head,
    /// How much the emotion cue scores weigh beside the embedding in the sentiment head's
    /// features (0: not among them).
    #[serde(default)]
    pub cue_scale: f32,
    /// How much the polarity features weigh beside the embedding in the sentiment head's
    /// features (0: not among them; heads written before there were any).
    #[serde(default)]
    pub polarity_scale: f32,
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

    /// The sentiment head's features of a comment, with these heads' scales.
    pub fn sentiment_features(
        &self,
        x: &[f32; DIM],
        text: &str,
        tokens: &[Token],
        lang: Lang,
    ) -> Vec<f32> {
        sentiment_features(x, text, tokens, lang, self.cue_scale, self.polarity_scale)
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
/// praise, complaint and negation, beside what the model reads; then (with a
/// `polarity_scale` above 0) the polarity features (`polarity::scores`: complaint and
/// praise cues, negated or not, and the marks of a neutral comment), times
/// `polarity_scale`.
///
/// `tokens` are the comment's words in `lang` (`fold::tokens`), split once for every
/// reader of the comment.
pub fn sentiment_features(
    x: &[f32; DIM],
    text: &str,
    tokens: &[Token],
    lang: Lang,
    cue_scale: f32,
    polarity_scale: f32,
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
    if polarity_scale > 0.0 {
        v.extend(
            polarity::scores(text, tokens, lang)
                .iter()
                .map(|f| f * polarity_scale),
        );
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

/// A trained head: one weight row and one bias per label, over the features or, with a
/// hidden layer, over its units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Head {
    pub labels: Vec<String>,
    /// A hidden layer read first (`tanh(W·x + b)`), whose units the rows below weigh
    /// instead of the features; none for logistic regression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden: Option<Layer>,
    /// `labels.len()` rows of weights, one per feature (the [`DIM`] of an embedding, and
    /// any features appended to it), or one per hidden unit.
    pub weights: Vec<Vec<f32>>,
    pub bias: Vec<f32>,
}

/// A hidden layer: one weight row (one per feature) and one bias per unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Layer {
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
    /// Units of a hidden layer (tanh); 0 for none, the softmax right over the features
    /// (logistic regression).
    pub hidden: usize,
    /// Examples per step, in an order shuffled every epoch; 0 for all of them at once
    /// (full-batch gradient descent, the same order every time).
    pub batch: usize,
    /// Seeds the hidden layer's first weights and the shuffling: the same seed, examples
    /// and settings give the same head.
    pub seed: u64,
}

impl Default for Training {
    fn default() -> Self {
        Training {
            epochs: 400,
            learning_rate: 0.05,
            l2: 1e-4,
            balanced: true,
            hidden: 0,
            batch: 0,
            seed: 1,
        }
    }
}

/// A small deterministic generator (SplitMix64): the same seed, the same numbers.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [-1, 1).
    fn symmetric(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 23) as f32 - 1.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The parameters being trained, flat: the hidden layer's weights (`hidden` rows of `dim`)
/// and biases, then the output's weights (`k` rows of `width`) and biases.
struct Shape {
    k: usize,
    dim: usize,
    hidden: usize,
}

impl Shape {
    /// What the output layer reads: the hidden units, or the features.
    fn width(&self) -> usize {
        if self.hidden > 0 {
            self.hidden
        } else {
            self.dim
        }
    }
    fn w1(&self) -> std::ops::Range<usize> {
        0..self.hidden * self.dim
    }
    fn b1(&self) -> std::ops::Range<usize> {
        let s = self.hidden * self.dim;
        s..s + self.hidden
    }
    fn w2(&self) -> std::ops::Range<usize> {
        let s = self.b1().end;
        s..s + self.k * self.width()
    }
    fn b2(&self) -> std::ops::Range<usize> {
        let s = self.w2().end;
        s..s + self.k
    }
    fn size(&self) -> usize {
        self.b2().end
    }
}

impl Head {
    /// Trains a head on `examples` (features and the index of their label in `labels`).
    /// The same examples in the same order with the same settings give the same head.
    pub fn train<X: AsRef<[f32]>>(labels: &[&str], examples: &[(X, usize)], t: Training) -> Head {
        let k = labels.len();
        let dim = examples.first().map_or(DIM, |(x, _)| x.as_ref().len());
        let shape = Shape {
            k,
            dim,
            hidden: t.hidden,
        };
        let n = examples.len().max(1);
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
                    n as f32 / (k as f32 * c as f32)
                }
            })
            .collect();
        let mut rng = Rng(t.seed);
        let size = shape.size();
        let mut p = vec![0f32; size];
        if shape.hidden > 0 {
            // Glorot's uniform range for the hidden layer, a smaller one for the output.
            let a1 = (6.0 / (dim + shape.hidden) as f32).sqrt();
            p[shape.w1()]
                .iter_mut()
                .for_each(|w| *w = a1 * rng.symmetric());
            let a2 = (6.0 / (shape.hidden + k) as f32).sqrt() * 0.1;
            p[shape.w2()]
                .iter_mut()
                .for_each(|w| *w = a2 * rng.symmetric());
        }
        let (mut m, mut v) = (vec![0f32; size], vec![0f32; size]);
        let (b1, b2, eps) = (0.9f32, 0.999f32, 1e-8f32);
        let mut grad = vec![0f32; size];
        let mut order: Vec<usize> = (0..examples.len()).collect();
        let batch = if t.batch == 0 { n } else { t.batch.min(n) };
        let mut hidden = vec![0f32; shape.hidden];
        let mut back = vec![0f32; shape.hidden];
        let mut logits = vec![0f32; k];
        let mut step = 0i32;
        for _ in 0..t.epochs {
            if t.batch > 0 {
                for i in (1..order.len()).rev() {
                    order.swap(i, rng.below(i + 1));
                }
            }
            for chunk in order.chunks(batch) {
                grad.iter_mut().for_each(|g| *g = 0.0);
                let scale = 1.0 / chunk.len() as f32;
                for &i in chunk {
                    let (x, y) = (examples[i].0.as_ref(), examples[i].1);
                    forward(&p, &shape, x, &mut hidden, &mut logits);
                    softmax(&mut logits);
                    let w = class_weight[y] * scale;
                    let width = shape.width();
                    let input: &[f32] = if shape.hidden > 0 { &hidden } else { x };
                    back.iter_mut().for_each(|b| *b = 0.0);
                    for c in 0..k {
                        let d = (logits[c] - if c == y { 1.0 } else { 0.0 }) * w;
                        let row = shape.w2().start + c * width;
                        axpy(&mut grad[row..row + width], d, input);
                        grad[shape.b2().start + c] += d;
                        if shape.hidden > 0 {
                            axpy(&mut back, d, &p[row..row + width]);
                        }
                    }
                    for (j, (b, h)) in back.iter().zip(&hidden).enumerate() {
                        let da = b * (1.0 - h * h);
                        let row = j * dim;
                        axpy(&mut grad[row..row + dim], da, x);
                        grad[shape.b1().start + j] += da;
                    }
                }
                for r in [shape.w1(), shape.w2()] {
                    for (g, w) in grad[r.clone()].iter_mut().zip(&p[r]) {
                        *g += t.l2 * w;
                    }
                }
                step += 1;
                let (c1, c2) = (1.0 - b1.powi(step), 1.0 - b2.powi(step));
                for i in 0..size {
                    m[i] = b1 * m[i] + (1.0 - b1) * grad[i];
                    v[i] = b2 * v[i] + (1.0 - b2) * grad[i] * grad[i];
                    p[i] -= t.learning_rate * (m[i] / c1) / ((v[i] / c2).sqrt() + eps);
                }
            }
        }
        let width = shape.width();
        let rows = |r: std::ops::Range<usize>, w: usize| -> Vec<Vec<f32>> {
            p[r].chunks(w).map(<[f32]>::to_vec).collect()
        };
        Head {
            labels: labels.iter().map(|l| l.to_string()).collect(),
            hidden: (shape.hidden > 0).then(|| Layer {
                weights: rows(shape.w1(), dim),
                bias: p[shape.b1()].to_vec(),
            }),
            weights: rows(shape.w2(), width),
            bias: p[shape.b2()].to_vec(),
        }
    }

    /// The probability of each label for a comment's features, in the order of `labels`.
    pub fn probabilities(&self, x: &[f32]) -> Vec<f32> {
        let hidden: Option<Vec<f32>> = self.hidden.as_ref().map(|l| {
            l.weights
                .iter()
                .zip(&l.bias)
                .map(|(w, b)| (dot(w, x) + b).tanh())
                .collect()
        });
        let input = hidden.as_deref().unwrap_or(x);
        let mut out: Vec<f32> = self
            .weights
            .iter()
            .zip(&self.bias)
            .map(|(w, b)| dot(w, input) + b)
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

/// The logits of `x` under the flat parameters `p` (and the hidden units, if any).
fn forward(p: &[f32], shape: &Shape, x: &[f32], hidden: &mut [f32], out: &mut [f32]) {
    let dim = shape.dim;
    for (j, h) in hidden.iter_mut().enumerate() {
        *h = (dot(&p[j * dim..(j + 1) * dim], x) + p[shape.b1().start + j]).tanh();
    }
    let input: &[f32] = if shape.hidden > 0 { hidden } else { x };
    let width = shape.width();
    let (w2, b2) = (shape.w2().start, shape.b2().start);
    for (c, o) in out.iter_mut().enumerate() {
        *o = dot(&p[w2 + c * width..w2 + (c + 1) * width], input) + p[b2 + c];
    }
}

/// `a · b`, summed in eight lanes (which the compiler turns into vector instructions; a
/// plain running sum has to stay in order).
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut lanes = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for i in 0..8 {
            lanes[i] += x[i] * y[i];
        }
    }
    let tail: f32 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    lanes.iter().sum::<f32>() + tail
}

/// `y += a · x`.
fn axpy(y: &mut [f32], a: f32, x: &[f32]) {
    for (y, x) in y.iter_mut().zip(x) {
        *y += a * x;
    }
}

/// Assigns each comment to one of `k` cross-validation folds. Comments in different
/// languages that are each other's nearest neighbour there, with a cosine above
/// `min_cosine`, are taken for translations of each other (the training files hold some)
/// and put in the same fold with everything linked to them: otherwise a comment would be
/// tested against its own translation, and the cross-validated figures (and the settings
/// they pick) would flatter the heads. The same inputs give the same folds.
pub fn folds(x: &[[f32; DIM]], langs: &[Lang], k: usize, min_cosine: f32) -> Vec<usize> {
    let n = x.len().min(langs.len());
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let nearest = |i: usize, lang: Lang| -> Option<(usize, f32)> {
        (0..n)
            .filter(|&j| langs[j] == lang)
            .map(|j| (j, dot(&x[i], &x[j])))
            .max_by(|a, b| a.1.total_cmp(&b.1))
    };
    // Each comment's nearest neighbour in each other language.
    let best: Vec<[Option<(usize, f32)>; 3]> = (0..n)
        .map(|i| Lang::ALL.map(|l| if l == langs[i] { None } else { nearest(i, l) }))
        .collect();
    for i in 0..n {
        for (j, cosine) in best[i].iter().flatten().copied() {
            let mutual = best[j][langs[i] as usize].map(|(b, _)| b) == Some(i);
            if cosine > min_cosine && mutual {
                let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                parent[a.max(b)] = a.min(b);
            }
        }
    }
    (0..n).map(|i| root(&mut parent, i) % k.max(1)).collect()
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
        assert!(
            !json.contains("hidden"),
            "a logistic regression has no hidden layer"
        );
    }

    #[test]
    fn a_hidden_layer_learns_what_a_line_cannot_and_trains_the_same_twice() {
        // XOR of two coordinates: no single line separates it.
        let data: Vec<(Vec<f32>, usize)> = blobs()
            .into_iter()
            .enumerate()
            .map(|(i, _)| {
                let (a, b) = (i % 2, (i / 2) % 2);
                let mut x = vec![0f32; 4];
                x[0] = if a == 1 { 1.0 } else { -1.0 };
                x[1] = if b == 1 { 1.0 } else { -1.0 };
                x[2] = (i % 7) as f32 * 0.01;
                (x, a ^ b)
            })
            .collect();
        let t = Training {
            epochs: 300,
            learning_rate: 0.01,
            l2: 0.0,
            hidden: 8,
            batch: 16,
            seed: 3,
            ..Training::default()
        };
        let head = Head::train(&["same", "different"], &data, t);
        let right = data.iter().filter(|(x, y)| head.predict(x).0 == *y).count();
        assert_eq!(right, data.len());
        assert_eq!(head, Head::train(&["same", "different"], &data, t));
        let json = serde_json::to_string(&head).unwrap();
        assert_eq!(serde_json::from_str::<Head>(&json).unwrap(), head);
        let line = Head::train(&["same", "different"], &data, Training { hidden: 0, ..t });
        let right = data.iter().filter(|(x, y)| line.predict(x).0 == *y).count();
        assert!(right < data.len());
    }

    #[test]
    fn a_comment_and_its_translation_share_a_fold() {
        let unit = |i: usize, noise: f32| {
            let mut x = [0f32; DIM];
            x[i] = 1.0;
            x[i + 1] = noise;
            let n = (1.0 + noise * noise).sqrt();
            x.map(|v| v / n)
        };
        // Ten Polish comments, and Czech translations of the first five.
        let mut x: Vec<[f32; DIM]> = (0..10).map(|i| unit(i * 3, 0.0)).collect();
        x.extend((0..5).map(|i| unit(i * 3, 0.1)));
        let mut langs = vec![Lang::Pl; 10];
        langs.extend([Lang::Cs; 5]);
        let f = folds(&x, &langs, 5, 0.85);
        assert_eq!(f.len(), 15);
        for i in 0..5 {
            assert_eq!(f[i], f[10 + i]);
        }
        assert!(f.iter().all(|&k| k < 5));
        assert_eq!(f, folds(&x, &langs, 5, 0.85));
    }
}
