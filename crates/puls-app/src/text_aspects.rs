//! A workspace's own aspects (issue 16): what its customers write about beyond the nine
//! built-in aspects ("parking" for a chain of stores, "installation" for a shop selling
//! kitchens), each with its names in Polish, Czech and English and its keywords per
//! language; and keywords a workspace adds to a built-in aspect ("dpd", "gls" for
//! `delivery`). Stored one definition per aspect name.
//!
//! The taxonomy a workspace reads with is the built-in one extended by these, and the
//! version its results carry names it ([`puls_text::workspace_version`]): after an edit
//! the queue looks at every answer again, reusing what the model read (the aspects are
//! matched again, the text is not embedded again).

use std::sync::Arc;

use puls_core::{FieldError, FieldErrorKind, FieldErrors, Key, WorkspaceId};
use puls_store::json::{JsonText, from_json, to_json};
use puls_store::{DefinitionKind, Store};
use puls_text::aspects::BUILTIN;
/// Keywords in each language.
pub use puls_text::aspects::PerLang as Keywords;
use puls_text::aspects::PerLang;
/// Whether a name can name an aspect (the workspace may still have none of that name).
pub use puls_text::aspects::is_name;
use puls_text::{AspectDef, Lang, Taxonomy};
use serde::{Deserialize, Serialize};

use crate::definitions::Saved;
use crate::{App, AppError};

/// The most own aspects a workspace has.
pub const MAX_ASPECTS: usize = 50;
/// The most keywords an aspect has in one language.
pub const MAX_KEYWORDS: usize = 100;
/// The longest keyword, in characters.
pub const MAX_KEYWORD_CHARS: usize = 100;
/// The longest name of an aspect in one language, in characters.
pub const MAX_LABEL_CHARS: usize = 60;

/// An aspect's name in each language of the app.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AspectLabels {
    pub pl: String,
    pub cs: String,
    pub en: String,
}

impl AspectLabels {
    /// The name in `locale` (`pl`, `cs`, else English).
    pub fn get(&self, locale: &str) -> &str {
        match Lang::from_locale(locale) {
            Some(Lang::Pl) => &self.pl,
            Some(Lang::Cs) => &self.cs,
            _ => &self.en,
        }
    }
}

/// What a workspace says about one aspect: names (own aspects only) and keywords.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AspectInput {
    /// Required for an own aspect; a built-in aspect's names are Puls's.
    pub labels: Option<AspectLabels>,
    #[serde(default)]
    pub keywords: PerLang,
}

/// One aspect of a workspace's taxonomy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceAspect {
    pub name: String,
    /// One of the nine built-in aspects.
    pub builtin: bool,
    /// An own aspect's names (a built-in one is named by the app's texts).
    pub labels: Option<AspectLabels>,
    /// The keywords the workspace gave (for a built-in aspect, in addition to Puls's own).
    pub keywords: PerLang,
    /// When the workspace last changed it (Unix ms); `None` for a built-in aspect it never
    /// touched.
    pub updated_at: Option<i64>,
}

impl WorkspaceAspect {
    fn def(&self) -> AspectDef {
        AspectDef {
            name: self.name.clone(),
            keywords: self.keywords.clone(),
        }
    }
}

/// The aspects a workspace reads with: the built-in ones (with any keywords it added) and
/// its own, in that order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkspaceAspects(pub Vec<WorkspaceAspect>);

impl WorkspaceAspects {
    /// Whether an aspect of this name exists.
    pub fn contains(&self, name: &str) -> bool {
        self.0.iter().any(|a| a.name == name)
    }

    /// An own aspect's name in `locale`; `None` for a built-in or unknown one (the app's
    /// texts name those).
    pub fn label(&self, name: &str, locale: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|a| a.name == name)
            .and_then(|a| a.labels.as_ref())
            .map(|l| l.get(locale))
    }

    /// The names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|a| a.name.as_str())
    }

    /// What the workspace changed: definitions to extend the built-in taxonomy with.
    fn own_defs(&self) -> Vec<AspectDef> {
        self.0
            .iter()
            .filter(|a| a.updated_at.is_some())
            .map(WorkspaceAspect::def)
            .collect()
    }
}

/// The taxonomy of one workspace, compiled, with the analysis version it gives.
#[derive(Clone)]
pub(crate) struct WorkspaceTaxonomy {
    pub(crate) version: String,
    pub(crate) taxonomy: Arc<Taxonomy>,
}

/// Checks what a workspace says about aspect `name`: every problem, with its path.
fn check(name: &str, input: &AspectInput) -> Result<(), FieldErrors> {
    let mut errs = Vec::new();
    let mut push = |path: String, kind: FieldErrorKind| errs.push(FieldError { path, kind });
    if let Err(kind) = Key::parse(name) {
        push("name".into(), kind);
    }
    let builtin = BUILTIN.contains(&name);
    match (&input.labels, builtin) {
        (Some(_), true) => push("labels".into(), FieldErrorKind::UnknownField),
        (None, false) => push("labels".into(), FieldErrorKind::Required),
        (Some(l), false) => {
            for (lang, label) in [("pl", &l.pl), ("cs", &l.cs), ("en", &l.en)] {
                let path = format!("labels.{lang}");
                if label.trim().is_empty() {
                    push(path, FieldErrorKind::Empty);
                } else if label.contains('\0') {
                    push(path, FieldErrorKind::NulCharacter);
                } else if label.chars().count() > MAX_LABEL_CHARS {
                    push(
                        path,
                        FieldErrorKind::TooLong {
                            max: MAX_LABEL_CHARS,
                        },
                    );
                }
            }
        }
        (None, true) => {}
    }
    let k = &input.keywords;
    let mut any = false;
    for (lang, list) in [(Lang::Pl, &k.pl), (Lang::Cs, &k.cs), (Lang::En, &k.en)] {
        let path = format!("keywords.{}", lang.code());
        if list.len() > MAX_KEYWORDS {
            push(path.clone(), FieldErrorKind::TooMany { max: MAX_KEYWORDS });
        }
        for (i, kw) in list.iter().enumerate() {
            let at = format!("{path}[{i}]");
            if kw.chars().count() > MAX_KEYWORD_CHARS {
                push(
                    at,
                    FieldErrorKind::TooLong {
                        max: MAX_KEYWORD_CHARS,
                    },
                );
            } else if kw.contains('\0') {
                push(at, FieldErrorKind::NulCharacter);
            } else if puls_text::fold::Keyword::new(kw, lang).is_err() {
                push(at, FieldErrorKind::Empty);
            } else {
                any = true;
            }
        }
    }
    if !any && !builtin {
        push("keywords".into(), FieldErrorKind::Empty);
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(FieldErrors(errs))
    }
}

/// The workspace's aspects: the nine built-in ones (with the keywords it added) then its
/// own, by name.
pub(crate) async fn load(
    store: &dyn Store,
    workspace_id: WorkspaceId,
) -> Result<WorkspaceAspects, AppError> {
    let stored = store
        .list_definitions(DefinitionKind::TextAspect, workspace_id)
        .await?;
    let mut out: Vec<WorkspaceAspect> = BUILTIN
        .iter()
        .map(|name| WorkspaceAspect {
            name: (*name).to_string(),
            builtin: true,
            labels: None,
            keywords: PerLang::default(),
            updated_at: None,
        })
        .collect();
    let mut own = Vec::new();
    for r in stored {
        let input: AspectInput = match serde_json::from_value(to_json(&r.definition)) {
            Ok(i) => i,
            Err(e) => {
                tracing::warn!(aspect = %r.key, error = %e, "a stored aspect is unreadable; left out");
                continue;
            }
        };
        match out.iter_mut().find(|a| a.name == r.key) {
            Some(b) => {
                b.keywords = input.keywords;
                b.updated_at = Some(r.updated_at);
            }
            None => own.push(WorkspaceAspect {
                name: r.key,
                builtin: false,
                labels: input.labels,
                keywords: input.keywords,
                updated_at: Some(r.updated_at),
            }),
        }
    }
    own.sort_by(|a, b| a.name.cmp(&b.name));
    out.extend(own);
    Ok(WorkspaceAspects(out))
}

/// 422 at `field` unless the workspace has an aspect named `name`.
pub(crate) async fn check_name(
    store: &dyn Store,
    workspace_id: WorkspaceId,
    field: &str,
    name: &str,
) -> Result<(), AppError> {
    let aspects = load(store, workspace_id).await?;
    if aspects.contains(name) {
        return Ok(());
    }
    Err(AppError::invalid(format!(
        "{field}: '{name}' is not one of the workspace's aspects ({})",
        aspects.names().collect::<Vec<_>>().join(", ")
    )))
}

/// Keywords as stored: trimmed, blank ones and repeats left out.
fn tidy(list: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for k in list {
        let k = k.split_whitespace().collect::<Vec<_>>().join(" ");
        if !k.is_empty() && !out.contains(&k) {
            out.push(k);
        }
    }
    out
}

impl App {
    /// The workspace's aspects: the nine built-in ones (with the keywords it added) then
    /// its own, by name.
    pub async fn text_aspects(
        &self,
        workspace_id: WorkspaceId,
    ) -> Result<WorkspaceAspects, AppError> {
        load(self.store().as_ref(), workspace_id).await
    }

    /// Creates or replaces what the workspace says about aspect `name`: an own aspect
    /// (names in pl, cs and en, and at least one keyword) or keywords added to a built-in
    /// one. 422 naming each problem (`labels.cs`, `keywords.pl[2]`).
    #[tracing::instrument(skip(self, input), err(level = "debug"))]
    pub async fn save_text_aspect(
        &self,
        workspace_id: WorkspaceId,
        name: &str,
        input: AspectInput,
    ) -> Result<(Saved, WorkspaceAspect), AppError> {
        check(name, &input).map_err(AppError::Validation)?;
        let have = self.text_aspects(workspace_id).await?;
        let own = have.0.iter().filter(|a| !a.builtin).count();
        if !have.contains(name) && own >= MAX_ASPECTS {
            return Err(AppError::field(
                "name",
                FieldErrorKind::TooMany { max: MAX_ASPECTS },
            ));
        }
        let clean = AspectInput {
            labels: input.labels.map(|l| AspectLabels {
                pl: l.pl.trim().to_string(),
                cs: l.cs.trim().to_string(),
                en: l.en.trim().to_string(),
            }),
            keywords: PerLang {
                pl: tidy(&input.keywords.pl),
                cs: tidy(&input.keywords.cs),
                en: tidy(&input.keywords.en),
            },
        };
        let value = from_json(&serde_json::to_value(&clean).map_err(anyhow::Error::new)?);
        let (saved, record) = self
            .save_definition(
                workspace_id,
                DefinitionKind::TextAspect,
                None,
                name,
                &JsonText::encode(&value),
            )
            .await?;
        self.restart_text_feeds(workspace_id).await?;
        Ok((
            saved,
            WorkspaceAspect {
                name: name.to_string(),
                builtin: BUILTIN.contains(&name),
                labels: clean.labels,
                keywords: clean.keywords,
                updated_at: Some(record.updated_at),
            },
        ))
    }

    /// Deletes an own aspect, or the keywords the workspace added to a built-in one (404
    /// when there is nothing of the workspace's under `name`). Results already stored keep
    /// it until the queue has looked at them again.
    #[tracing::instrument(skip(self), err(level = "debug"))]
    pub async fn delete_text_aspect(
        &self,
        workspace_id: WorkspaceId,
        name: &str,
    ) -> Result<(), AppError> {
        self.delete_definition(workspace_id, DefinitionKind::TextAspect, name)
            .await?;
        self.restart_text_feeds(workspace_id).await
    }

    /// After a change of the aspects: every text feed of the workspace is deleted, so the
    /// new version's starts from the beginning of history (as would an earlier version's,
    /// were the change undone), and a node still reading under the old one can no longer
    /// write (its lease is gone).
    async fn restart_text_feeds(&self, workspace_id: WorkspaceId) -> Result<(), AppError> {
        self.store()
            .delete_feeds(workspace_id, crate::text_queue::FEED_PREFIX)
            .await?;
        Ok(())
    }

    /// The taxonomy the workspace reads with under the installed analysis `base` version,
    /// compiled once per version on this node. An own aspect that no longer compiles (a
    /// keyword syntax changed) is left out, with a warning.
    pub(crate) async fn workspace_taxonomy(
        &self,
        workspace_id: WorkspaceId,
        base: &str,
    ) -> Result<WorkspaceTaxonomy, AppError> {
        let defs = self.text_aspects(workspace_id).await?.own_defs();
        let version = puls_text::workspace_version(base, &defs);
        if defs.is_empty() {
            return Ok(WorkspaceTaxonomy {
                version,
                taxonomy: Arc::new(puls_text::aspects::builtin().clone()),
            });
        }
        let mut cache = self.0.text_queue.taxonomies.lock().expect("not poisoned");
        if let Some(t) = cache.get(&version) {
            return Ok(WorkspaceTaxonomy {
                version,
                taxonomy: t.clone(),
            });
        }
        let mut taxonomy = puls_text::aspects::builtin().clone();
        for d in &defs {
            if let Err(e) = taxonomy.add(d) {
                tracing::warn!(aspect = %d.name, error = %e, "an aspect does not compile; left out");
            }
        }
        let taxonomy = Arc::new(taxonomy);
        if cache.len() >= 256 {
            cache.clear();
        }
        cache.insert(version.clone(), taxonomy.clone());
        Ok(WorkspaceTaxonomy { version, taxonomy })
    }

    /// The version the workspace's stored results are read with, when text analysis is
    /// installed.
    pub async fn workspace_text_version(
        &self,
        workspace_id: WorkspaceId,
    ) -> Result<Option<String>, AppError> {
        let Ok(analyzer) = self.analyzer().await else {
            return Ok(None);
        };
        Ok(Some(
            self.workspace_taxonomy(workspace_id, analyzer.analysis_version())
                .await?
                .version,
        ))
    }
}

impl App {
    /// How many of the workspace's stored results were read under another version than its
    /// current one (and are yet to be looked at again); `None` when text analysis is not
    /// installed.
    pub async fn text_results_pending(
        &self,
        workspace_id: WorkspaceId,
    ) -> Result<Option<i64>, AppError> {
        let Some(version) = self.workspace_text_version(workspace_id).await? else {
            return Ok(None);
        };
        let (_, other) = self
            .store()
            .text_result_counts(workspace_id, &version)
            .await?;
        Ok(Some(other))
    }

    /// The workspace's aspects found in `text` read as `locale` (`pl`, `cs`, `en`): what
    /// its keywords match, without the model (a comment tried while editing them).
    pub async fn find_aspects(
        &self,
        workspace_id: WorkspaceId,
        text: &str,
        locale: &str,
    ) -> Result<Vec<String>, AppError> {
        if text.chars().count() > crate::text::MAX_CHARS {
            return Err(AppError::field(
                "text",
                FieldErrorKind::TooLong {
                    max: crate::text::MAX_CHARS,
                },
            ));
        }
        let lang = Lang::from_locale(locale).ok_or_else(|| {
            AppError::field(
                "lang",
                FieldErrorKind::NotOneOf {
                    allowed: "pl, cs, en".into(),
                },
            )
        })?;
        // The version only names the compiled taxonomy in this node's cache.
        let base = match self.analyzer().await {
            Ok(a) => a.analysis_version().to_string(),
            Err(_) => String::new(),
        };
        let t = self.workspace_taxonomy(workspace_id, &base).await?;
        Ok(t.taxonomy
            .detect(text, lang)
            .into_iter()
            .map(|a| a.name().to_string())
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(labels: Option<(&str, &str, &str)>, pl: &[&str]) -> AspectInput {
        AspectInput {
            labels: labels.map(|(pl, cs, en)| AspectLabels {
                pl: pl.into(),
                cs: cs.into(),
                en: en.into(),
            }),
            keywords: PerLang {
                pl: pl.iter().map(|s| s.to_string()).collect(),
                ..Default::default()
            },
        }
    }

    fn paths(r: Result<(), FieldErrors>) -> Vec<String> {
        r.err()
            .map(|e| {
                e.0.into_iter()
                    .map(|f| format!("{} {}", f.path, f.kind.code()))
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn an_own_aspect_needs_names_in_three_languages_and_a_keyword() {
        let ok = input(Some(("Parking", "Parkování", "Parking")), &["parking*"]);
        assert!(check("parking", &ok).is_ok());
        assert_eq!(
            paths(check("parking", &input(None, &["parking*"]))),
            ["labels required"]
        );
        assert_eq!(
            paths(check(
                "parking",
                &input(Some(("Parking", " ", "Parking")), &[])
            )),
            ["labels.cs empty", "keywords empty"]
        );
        assert_eq!(paths(check("Parking!", &ok)), ["name invalid_id"]);
        assert_eq!(
            paths(check(
                "parking",
                &input(Some(("P", "P", "P")), &["parking*", "-kurier"])
            )),
            ["keywords.pl[1] empty"]
        );
    }

    #[test]
    fn a_builtin_aspect_takes_keywords_and_no_names() {
        assert!(check("delivery", &input(None, &["dpd"])).is_ok());
        assert!(check("delivery", &input(None, &[])).is_ok());
        assert_eq!(
            paths(check("delivery", &input(Some(("D", "D", "D")), &["dpd"]))),
            ["labels unknown_field"]
        );
    }

    #[test]
    fn keywords_are_stored_tidy() {
        assert_eq!(
            tidy(&[
                "  punkt   odbioru ".into(),
                "".into(),
                "punkt odbioru".into()
            ]),
            ["punkt odbioru"]
        );
    }
}
