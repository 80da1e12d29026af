//! The whole analysis of a comment: its language (detected, the hint deciding short or
//! unsure texts), its sentiment (the trained head over the e5 embedding), the aspects it
//! is about (the taxonomy's keywords, each with the comment's sentiment) and its dominant
//! emotion (cue words given the sentiment).
//!
//! The heads ship with the crate (`heads.json`, written by `examples/train.rs`) and name
//! the model version they were trained on: an install of another version is refused as
//! broken rather than read wrongly.

use std::path::Path;

use crate::aspects::{Aspect, Taxonomy};
use crate::emotion::{self, Emotion, Sentiment};
use crate::head::Heads;
use crate::language::{Detector, Lang};
use crate::{Embedder, Error};

/// The trained heads, as committed.
pub(crate) const HEADS: &str = include_str!("../heads.json");

/// What Puls reads in one comment.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub language: Lang,
    pub sentiment: Sentiment,
    /// The probability of that sentiment.
    pub score: f32,
    /// Each aspect the comment is about, with its sentiment (the comment's).
    pub aspects: Vec<(Aspect, Sentiment)>,
    pub emotion: Emotion,
}

/// The model, its heads and the rules, loaded once.
pub struct Analyzer {
    embedder: Embedder,
    heads: Heads,
    detector: Detector,
    /// [`crate::analysis_version`] of the model, computed once.
    analysis_version: String,
}

impl Analyzer {
    /// Loads the model installed in `models_dir` ([`Error::NotInstalled`] without one) and
    /// the heads trained on it.
    pub fn load(models_dir: impl AsRef<Path>) -> Result<Analyzer, Error> {
        let embedder = Embedder::load(models_dir.as_ref())?;
        Analyzer::with(embedder)
    }

    /// The analysis over an embedder already loaded.
    pub fn with(embedder: Embedder) -> Result<Analyzer, Error> {
        let heads: Heads = serde_json::from_str(HEADS).map_err(|e| Error::Data {
            path: "heads.json".into(),
            reason: e.to_string(),
        })?;
        if heads.model_version != embedder.model_version() {
            return Err(Error::Broken {
                path: "MANIFEST.json".into(),
                reason: format!(
                    "the model is {}, the heads were trained on {} (run scripts/text-model/fetch \
                     again, or retrain: examples/train.rs)",
                    embedder.model_version(),
                    heads.model_version
                ),
            });
        }
        Ok(Analyzer {
            analysis_version: crate::analysis_version(embedder.model_version()),
            embedder,
            heads,
            detector: Detector::new(),
        })
    }

    /// The model version results are stored under (a new one means analysing again).
    pub fn model_version(&self) -> &str {
        self.embedder.model_version()
    }

    /// The version stored results carry: the model, the heads and the rules.
    pub fn analysis_version(&self) -> &str {
        &self.analysis_version
    }

    /// Analyses `texts` in order with the built-in taxonomy; `hint` is the language the
    /// comments are expected in (the survey's locale, say).
    pub fn analyze(&self, texts: &[&str], hint: Option<Lang>) -> Result<Vec<Analysis>, Error> {
        self.analyze_with(crate::aspects::builtin(), texts, hint)
    }

    /// Analyses `texts` with a workspace's own taxonomy.
    pub fn analyze_with(
        &self,
        taxonomy: &Taxonomy,
        texts: &[&str],
        hint: Option<Lang>,
    ) -> Result<Vec<Analysis>, Error> {
        let embeddings = self.embedder.embed(texts)?;
        Ok(texts
            .iter()
            .zip(&embeddings)
            .map(|(text, x)| {
                let language = self.detector.detect(text, hint);
                // Split into words once, for the sentiment's cue features, the aspects
                // and the emotion.
                let tokens = crate::fold::tokens(text, language);
                let features = self.heads.sentiment_features(x, text, &tokens, language);
                let (i, score) = self.heads.sentiment.predict(&features);
                let sentiment = Sentiment::from_label(&self.heads.sentiment.labels[i])
                    .unwrap_or(Sentiment::Neutral);
                Analysis {
                    language,
                    sentiment,
                    score,
                    aspects: taxonomy
                        .detect_tokens(&tokens, language)
                        .into_iter()
                        .map(|a| (a, sentiment))
                        .collect(),
                    emotion: emotion::detect_tokens(text, &tokens, language, sentiment),
                }
            })
            .collect())
    }
}
