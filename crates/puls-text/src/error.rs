//! The one error type of puls-text.

use std::path::PathBuf;

/// What can go wrong loading the model or embedding with it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The models directory holds no complete install (no `MANIFEST.json`, which
    /// `scripts/text-model/fetch` writes last): text analysis is simply not installed.
    #[error("text analysis is not installed: no {} (run scripts/text-model/fetch)", .manifest.display())]
    NotInstalled {
        /// The manifest that was looked for.
        manifest: PathBuf,
    },
    /// The install is there but something in it is wrong: a listed file is missing or of
    /// another size, or a file cannot be understood.
    #[error("the text model install is broken: {}: {reason}", .path.display())]
    Broken {
        /// The file at fault.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A file could not be read.
    #[error("cannot read {}: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A file of labelled comments or of trained heads is not in its format.
    #[error("{}: {reason}", .path.display())]
    Data {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// onnxruntime failed to load the library or the model, or to run it.
    #[error("onnxruntime: {0}")]
    Runtime(String),
}
