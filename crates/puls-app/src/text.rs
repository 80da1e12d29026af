//! Reading comments offline (issue 16): language, sentiment, aspects and emotion of each
//! text, by `puls-text`'s [`Analyzer`] over the model in `text.models_dir`. The model is
//! loaded on first use (a server that never reads text pays nothing); without an install
//! every call says so (`text_analysis_not_installed`) and the rest of Puls runs as usual.
//! The analysis is CPU work: it runs on the blocking pool, never on the async workers.

use std::sync::{Arc, OnceLock};

use puls_core::{FieldErrorKind, WorkspaceId};
use puls_text::{Analysis, Analyzer, Lang};

use crate::{App, AppError, Rejection};

/// The most texts one call analyses.
pub const MAX_TEXTS: usize = 100;
/// The longest text analysed, in characters (the model reads its first 128 tokens).
pub const MAX_CHARS: usize = 5_000;

/// The analyzer once loaded, or why it is not there.
#[derive(Default)]
pub(crate) struct TextEngine(OnceLock<Result<Arc<Analyzer>, String>>);

/// Whether text analysis is installed, and which model it reads with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextStatus {
    Installed {
        model_version: String,
        /// What stored results are read with: the model, the heads and the rules.
        analysis_version: String,
    },
    /// Not installed, or installed wrongly: why, for the administrator.
    Unavailable { reason: String },
}

impl App {
    /// The analyzer, loaded on first use (on the blocking pool).
    pub(crate) async fn analyzer(&self) -> Result<Arc<Analyzer>, AppError> {
        let app = self.clone();
        let loaded = tokio::task::spawn_blocking(move || {
            app.0
                .text
                .0
                .get_or_init(|| {
                    let dir = app.config().text.models_dir();
                    match Analyzer::load(&dir) {
                        Ok(a) => {
                            tracing::info!(model = a.model_version(), dir = %dir.display(), "text analysis loaded");
                            Ok(Arc::new(a))
                        }
                        Err(e) => {
                            tracing::info!(error = %e, "text analysis is not available");
                            Err(e.to_string())
                        }
                    }
                })
                .clone()
        })
        .await
        .map_err(anyhow::Error::new)?;
        loaded.map_err(|reason| AppError::rejected(Rejection::TextNotInstalled, reason))
    }

    /// Whether text analysis can run on this server (loads it if it was not yet), and the
    /// version the workspace's results are read with (its own aspects included).
    pub async fn text_status(&self, workspace_id: WorkspaceId) -> Result<TextStatus, AppError> {
        Ok(match self.analyzer().await {
            Ok(a) => TextStatus::Installed {
                model_version: a.model_version().to_string(),
                analysis_version: self
                    .workspace_taxonomy(workspace_id, a.analysis_version())
                    .await?
                    .version,
            },
            Err(e) => TextStatus::Unavailable {
                reason: e.to_string(),
            },
        })
    }

    /// Analyses up to [`MAX_TEXTS`] texts in order, with the workspace's aspects; `locale` (`pl`, `cs`, `en`, or a tag
    /// such as `pl-PL`) is the language expected when a text is too short to tell. 422 at
    /// `texts` or `texts[i]` for too many or too long texts, at `locale` for one Puls does
    /// not read; 409 `text_analysis_not_installed` without the model.
    pub async fn analyze_texts(
        &self,
        workspace_id: WorkspaceId,
        texts: Vec<String>,
        locale: Option<&str>,
    ) -> Result<Vec<Analysis>, AppError> {
        if texts.len() > MAX_TEXTS {
            return Err(AppError::field(
                "texts",
                FieldErrorKind::TooMany { max: MAX_TEXTS },
            ));
        }
        if let Some(i) = texts.iter().position(|t| t.chars().count() > MAX_CHARS) {
            return Err(AppError::field(
                format!("texts[{i}]"),
                FieldErrorKind::TooLong { max: MAX_CHARS },
            ));
        }
        let hint = match locale {
            None => None,
            Some(l) => Some(Lang::from_locale(l).ok_or_else(|| {
                AppError::field(
                    "locale",
                    FieldErrorKind::NotOneOf {
                        allowed: "pl, cs, en".into(),
                    },
                )
            })?),
        };
        let analyzer = self.analyzer().await?;
        let taxonomy = self
            .workspace_taxonomy(workspace_id, analyzer.analysis_version())
            .await?
            .taxonomy;
        tokio::task::spawn_blocking(move || {
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            analyzer.analyze_with(&taxonomy, &refs, hint)
        })
        .await
        .map_err(anyhow::Error::new)?
        .map_err(|e| AppError::Internal(anyhow::Error::new(e)))
    }
}
