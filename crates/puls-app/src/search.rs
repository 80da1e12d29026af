//! Full-text search over the open answers of responses: the answers to open-text questions
//! and the "other" text of choice questions, compared folded (`puls_core::text::fold`:
//! case, Polish and Czech marks and runs of spaces ignored), so "kuryr" finds "Kurýr".
//!
//! Searching runs here, not in SQL: SQLite's `LOWER` knows only ASCII and the two backends
//! spell case-insensitive matching differently, while this gives one answer on both. A
//! search reads pages of the filtered responses until it has a page of matches or has read
//! [`SCAN_LIMIT`] rows; the caller then says how far it got and offers to go on.

use std::collections::HashMap;
use std::sync::Arc;

use puls_core::text::fold;
use puls_core::{QuestionKind, Survey, Value};
use puls_core::{ResponseId, SurveyId, WorkspaceId};
use puls_store::{ResponseFilter, ResponseRecord};

use crate::App;
use crate::error::AppError;

/// Rows read per database round trip while searching.
const PAGE: i64 = 500;
/// Rows read at most for one page of results.
pub const SCAN_LIMIT: usize = 20_000;
/// The longest search text kept (in characters).
const MAX_CHARS: usize = 200;

/// A search for a text in open answers.
#[derive(Debug, Clone)]
pub struct TextSearch {
    needle: String,
}

/// The open answers of one survey version: question id and whether it is open text (else
/// a multiple-choice question with an "other" text).
type OpenQuestions = Arc<Vec<(String, bool)>>;

impl TextSearch {
    /// None for a blank text.
    pub fn new(q: &str) -> Option<TextSearch> {
        let needle = fold(&q.chars().take(MAX_CHARS).collect::<String>());
        (!needle.is_empty()).then_some(TextSearch { needle })
    }

    pub fn matches(&self, texts: &[String]) -> bool {
        texts.iter().any(|t| fold(t).contains(&self.needle))
    }

    /// The responses among `rows` whose open answers contain the text, in order.
    pub async fn filter(
        &self,
        app: &App,
        rows: Vec<ResponseRecord>,
        surveys: &mut Surveys,
    ) -> Result<Vec<ResponseRecord>, AppError> {
        let mut out = Vec::new();
        for r in rows {
            if self.matches(&surveys.open_answers(app, &r).await?) {
                out.push(r);
            }
        }
        Ok(out)
    }
}

/// Which questions of each survey version hold open answers, looked up once per search.
#[derive(Default)]
pub struct Surveys(HashMap<(SurveyId, i64), OpenQuestions>);

impl Surveys {
    async fn questions(
        &mut self,
        app: &App,
        survey_id: &SurveyId,
        version: i64,
    ) -> Result<OpenQuestions, AppError> {
        let key = (survey_id.clone(), version);
        if let Some(q) = self.0.get(&key) {
            return Ok(q.clone());
        }
        let open = match app.survey_record(survey_id).await? {
            Some(rec) => open_questions(&*app.survey_version(&rec, version).await?),
            None => Vec::new(),
        };
        let open = Arc::new(open);
        self.0.insert(key, open.clone());
        Ok(open)
    }

    /// The open answers of a response, in question order.
    pub async fn open_answers(
        &mut self,
        app: &App,
        r: &ResponseRecord,
    ) -> Result<Vec<String>, AppError> {
        let questions = self.questions(app, &r.survey_id, r.survey_version).await?;
        Ok(questions
            .iter()
            .filter_map(|(id, open_text)| {
                let a = r.answers.get(id)?;
                let text = match (open_text, a) {
                    (true, a) => a,
                    (false, Value::Map(m)) => m.get("other")?,
                    (false, _) => return None,
                };
                text.as_str().map(str::to_string)
            })
            .filter(|t| !t.trim().is_empty())
            .collect())
    }
}

fn open_questions(s: &Survey) -> Vec<(String, bool)> {
    s.questions
        .iter()
        .filter_map(|q| match &q.kind {
            QuestionKind::OpenText { .. } => Some((q.id.as_str().to_string(), true)),
            QuestionKind::MultipleChoice { other: Some(_), .. } => {
                Some((q.id.as_str().to_string(), false))
            }
            _ => None,
        })
        .collect()
}

/// One page of responses that pass `filter` and `search`, newest first.
pub struct Found {
    pub rows: Vec<ResponseRecord>,
    /// Where the next page starts (a response id), if there may be more.
    pub next: Option<ResponseId>,
    /// Rows read to find these (for "searched the newest N").
    pub scanned: usize,
}

/// Up to `limit` responses passing `filter` (and `search`, when given).
pub async fn find(
    app: &App,
    workspace_id: WorkspaceId,
    mut filter: ResponseFilter,
    search: Option<&TextSearch>,
    limit: usize,
) -> Result<Found, AppError> {
    let Some(search) = search else {
        let mut rows = app
            .store()
            .list_responses(workspace_id, &filter, limit as i64 + 1)
            .await?;
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next = more.then(|| rows.last().map(|r| r.id.clone())).flatten();
        let scanned = rows.len();
        return Ok(Found {
            rows,
            next,
            scanned,
        });
    };
    let mut surveys = Surveys::default();
    let mut out = Vec::new();
    let mut scanned = 0;
    loop {
        let rows = app
            .store()
            .list_responses(workspace_id, &filter, PAGE)
            .await?;
        let exhausted = (rows.len() as i64) < PAGE;
        for r in rows {
            scanned += 1;
            filter.before_id = Some(r.id.clone());
            if search.matches(&surveys.open_answers(app, &r).await?) {
                out.push(r);
                if out.len() == limit {
                    // More may follow: the next page starts after this match.
                    return Ok(Found {
                        next: Some(out[limit - 1].id.clone()),
                        rows: out,
                        scanned,
                    });
                }
            }
        }
        if exhausted {
            return Ok(Found {
                rows: out,
                next: None,
                scanned,
            });
        }
        if scanned >= SCAN_LIMIT {
            return Ok(Found {
                rows: out,
                next: filter.before_id,
                scanned,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_matching() {
        let s = TextSearch::new("  KURYR pozdě ").unwrap();
        assert!(!s.matches(&["Kurýr přišel, ale  pozdě.".into()]));
        assert!(s.matches(&["ten kurýr Pozdě dorazil".into()]));
        assert!(TextSearch::new("   ").is_none());
        let long = "a".repeat(500);
        assert_eq!(TextSearch::new(&long).unwrap().needle.len(), MAX_CHARS);
    }
}
