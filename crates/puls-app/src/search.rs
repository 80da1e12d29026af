//! What the inbox, the response list and the export keep beyond the store's own filters
//! ([`ResponseMatch`]): a full-text search over the open answers of responses (the answers
//! to open-text questions and the "other" text of choice questions, compared folded by
//! `puls_core::text::fold`: case, Polish and Czech marks and runs of spaces ignored, so
//! "kuryr" finds "Kurýr"), a score band of the response's NPS, CSAT or CES question,
//! whether it has open answers, and whose it is (the members of saved segments, or one
//! contact, through the customer index, so merged duplicates count as the same person).
//!
//! Searching runs here, not in SQL: SQLite's `LOWER` knows only ASCII and the two backends
//! spell case-insensitive matching differently, while this gives one answer on both. A
//! search reads pages of the filtered responses until it has a page of matches or has read
//! [`SCAN_LIMIT`] rows; the caller then says how far it got and offers to go on.

use std::collections::HashMap;
use std::sync::Arc;

use puls_core::band::{Band, BandMetric};
use puls_core::text::fold;
use puls_core::{ContactId, QuestionKind, Survey, Value};
use puls_core::{ResponseId, SurveyId, WorkspaceId};
use puls_journey::Bitset;
use puls_store::{ResponseFilter, ResponseRecord};

use crate::App;
use crate::analytics::customers::WorkspaceCustomers;
use crate::error::AppError;
use crate::text_queue::TextByResponse;

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

/// What a matcher reads of one survey version: its open answers (question id, and whether
/// it is open text, else a multiple-choice question with an "other" text), and its first
/// NPS, CSAT and CES questions.
#[derive(Debug, Default)]
pub(crate) struct SurveyInfo {
    pub(crate) open: Vec<(String, bool)>,
    pub(crate) nps: Option<String>,
    pub(crate) csat: Option<String>,
    pub(crate) ces: Option<String>,
}

pub(crate) type Info = Arc<SurveyInfo>;

impl SurveyInfo {
    /// The open texts of a response's answers (and "other" texts of choices), by
    /// question, in question order; blank ones left out.
    pub(crate) fn texts(&self, answers: &puls_store::json::JsonMap) -> Vec<(String, String)> {
        self.open
            .iter()
            .filter_map(|(id, open_text)| {
                let a = answers.get(id)?;
                let text = match (open_text, a) {
                    (true, a) => a,
                    (false, Value::Map(m)) => m.get("other")?,
                    (false, _) => return None,
                };
                text.as_str().map(|t| (id.clone(), t.to_string()))
            })
            .filter(|(_, t)| !t.trim().is_empty())
            .collect()
    }
}

impl TextSearch {
    /// None for a blank text.
    pub fn new(q: &str) -> Option<TextSearch> {
        let needle = fold(&q.chars().take(MAX_CHARS).collect::<String>());
        (!needle.is_empty()).then_some(TextSearch { needle })
    }

    pub fn matches(&self, texts: &[String]) -> bool {
        texts.iter().any(|t| fold(t).contains(&self.needle))
    }
}

/// What each survey version holds, looked up once per search.
#[derive(Default)]
pub struct Surveys(HashMap<(SurveyId, i64), Info>);

impl Surveys {
    /// What a survey version holds (cached for the caller's pass).
    pub(crate) async fn questions(
        &mut self,
        app: &App,
        survey_id: &SurveyId,
        version: i64,
    ) -> Result<Info, AppError> {
        let key = (survey_id.clone(), version);
        if let Some(q) = self.0.get(&key) {
            return Ok(q.clone());
        }
        let info = match app.survey_record(survey_id).await? {
            Some(rec) => survey_info(&*app.survey_version(&rec, version).await?),
            None => SurveyInfo::default(),
        };
        let info = Arc::new(info);
        self.0.insert(key, info.clone());
        Ok(info)
    }

    /// The open answers of a response, in question order.
    pub async fn open_answers(
        &mut self,
        app: &App,
        r: &ResponseRecord,
    ) -> Result<Vec<String>, AppError> {
        let info = self.questions(app, &r.survey_id, r.survey_version).await?;
        Ok(info.texts(&r.answers).into_iter().map(|(_, t)| t).collect())
    }
}

fn survey_info(s: &Survey) -> SurveyInfo {
    let first = |kind: fn(&QuestionKind) -> bool| {
        s.questions
            .iter()
            .find(|q| kind(&q.kind))
            .map(|q| q.id.as_str().to_string())
    };
    SurveyInfo {
        open: s
            .questions
            .iter()
            .filter_map(|q| match &q.kind {
                QuestionKind::OpenText { .. } => Some((q.id.as_str().to_string(), true)),
                QuestionKind::MultipleChoice { other: Some(_), .. } => {
                    Some((q.id.as_str().to_string(), false))
                }
                _ => None,
            })
            .collect(),
        nps: first(|k| matches!(k, QuestionKind::Nps)),
        csat: first(|k| matches!(k, QuestionKind::Csat)),
        ces: first(|k| matches!(k, QuestionKind::Ces)),
    }
}

/// Whether the response's score of the band's metric lies in the band.
fn band_holds(band: Band, info: &SurveyInfo, answers: &puls_store::json::JsonMap) -> bool {
    let question = match band.metric() {
        BandMetric::Nps => &info.nps,
        BandMetric::Csat => &info.csat,
        BandMetric::Ces => &info.ces,
    };
    match question.as_ref().and_then(|q| answers.get(q)) {
        Some(Value::Int(n)) => band.range().contains(n),
        _ => false,
    }
}

/// Whose responses to keep, as contact codes of the customer index.
struct People {
    customers: Arc<WorkspaceCustomers>,
    allowed: Allowed,
}

enum Allowed {
    Members(Bitset),
    One(u32),
}

/// A condition on what text analysis read in a response's open answers: one answer with
/// this sentiment, or about this aspect, or (both given) this aspect spoken of with this
/// sentiment ("negative about delivery"). Responses not analysed yet do not pass.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reading {
    /// `neg`, `neu` or `pos`.
    pub sentiment: Option<String>,
    /// An aspect's name (`delivery`).
    pub aspect: Option<String>,
}

impl Reading {
    /// Checks the names: 422-style messages naming the parameter.
    pub fn new(sentiment: Option<&str>, aspect: Option<&str>) -> Result<Option<Reading>, AppError> {
        if let Some(s) = sentiment
            && !crate::text_queue::SENTIMENTS.contains(&s)
        {
            return Err(AppError::invalid(format!(
                "sentiment: '{s}' is not one of {}",
                crate::text_queue::SENTIMENTS.join(", ")
            )));
        }
        // Whether the workspace has it is checked where the workspace is known
        // ([`App::response_match`]).
        if let Some(a) = aspect
            && !puls_text::aspects::is_name(a)
        {
            return Err(AppError::invalid(format!(
                "aspect: '{a}' is not an aspect's name (such as {})",
                crate::text_queue::ASPECTS.join(", ")
            )));
        }
        Ok((sentiment.is_some() || aspect.is_some()).then(|| Reading {
            sentiment: sentiment.map(str::to_string),
            aspect: aspect.map(str::to_string),
        }))
    }

    pub fn holds(&self, analyses: &[crate::text_queue::AnswerAnalysis]) -> bool {
        analyses
            .iter()
            .any(|a| match (&self.sentiment, &self.aspect) {
                (Some(s), Some(name)) => a.aspects.iter().any(|(n, t)| n == name && t == s),
                (Some(s), None) => a.sentiment == *s,
                (None, Some(name)) => a.aspects.iter().any(|(n, _)| n == name),
                (None, None) => true,
            })
    }
}

/// What to keep of the responses the store's filter selects; see the module documentation.
#[derive(Default)]
pub struct ResponseMatch {
    pub text: Option<TextSearch>,
    pub band: Option<Band>,
    /// Keep only responses with (true) or without (false) open answers.
    pub has_text: Option<bool>,
    /// What text analysis must have read in them.
    pub reading: Option<Reading>,
    people: Option<People>,
}

/// A match as a request names it; [`App::response_match`] resolves its segments and
/// contact.
#[derive(Debug, Default, Clone)]
pub struct MatchSpec {
    pub text: Option<TextSearch>,
    pub band: Option<Band>,
    pub has_text: Option<bool>,
    pub reading: Option<Reading>,
    /// Saved segments whose members to keep (all must hold).
    pub segments: Vec<String>,
    pub contact: Option<ContactId>,
}

impl ResponseMatch {
    /// Whether it keeps every response (the store's filter alone decides).
    pub fn is_empty(&self) -> bool {
        self.text.is_none()
            && self.band.is_none()
            && self.has_text.is_none()
            && self.reading.is_none()
            && self.people.is_none()
    }

    /// What text analysis read in `rows`, when this match asks (one query per page).
    pub(crate) async fn readings(
        &self,
        app: &App,
        rows: &[ResponseRecord],
    ) -> Result<Option<TextByResponse>, AppError> {
        let (Some(_), Some(first)) = (&self.reading, rows.first()) else {
            return Ok(None);
        };
        let ids: Vec<ResponseId> = rows.iter().map(|r| r.id.clone()).collect();
        Ok(Some(app.answer_analyses(first.workspace_id, &ids).await?))
    }

    /// Whether `r` passes (`readings`: [`ResponseMatch::readings`] of its page).
    pub async fn matches(
        &self,
        app: &App,
        r: &ResponseRecord,
        surveys: &mut Surveys,
        readings: Option<&TextByResponse>,
    ) -> Result<bool, AppError> {
        if let Some(want) = &self.reading {
            let list = readings.and_then(|t| t.get(&r.id));
            if !list.is_some_and(|l| want.holds(l)) {
                return Ok(false);
            }
        }
        if let Some(p) = &self.people {
            let code = p.customers.read().contact_for_response(
                r.invitation_token.as_deref(),
                r.contact_external_id.as_deref(),
                r.contact_email.as_deref(),
            );
            let ok = match (&p.allowed, code) {
                (Allowed::Members(set), Some(c)) => set.contains(c as usize),
                (Allowed::One(one), Some(c)) => *one == c,
                (_, None) => false,
            };
            if !ok {
                return Ok(false);
            }
        }
        if self.band.is_none() && self.text.is_none() && self.has_text.is_none() {
            return Ok(true);
        }
        let info = surveys
            .questions(app, &r.survey_id, r.survey_version)
            .await?;
        if let Some(b) = self.band
            && !band_holds(b, &info, &r.answers)
        {
            return Ok(false);
        }
        if self.text.is_some() || self.has_text.is_some() {
            let texts = surveys.open_answers(app, r).await?;
            if self.has_text.is_some_and(|want| want == texts.is_empty()) {
                return Ok(false);
            }
            if let Some(t) = &self.text
                && !t.matches(&texts)
            {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The rows among `rows` that pass, in order.
    pub async fn filter(
        &self,
        app: &App,
        rows: Vec<ResponseRecord>,
        surveys: &mut Surveys,
    ) -> Result<Vec<ResponseRecord>, AppError> {
        let readings = self.readings(app, &rows).await?;
        let mut out = Vec::new();
        for r in rows {
            if self.matches(app, &r, surveys, readings.as_ref()).await? {
                out.push(r);
            }
        }
        Ok(out)
    }
}

impl App {
    /// Resolves a request's match: its segments' members and its contact, as of now.
    pub async fn response_match(
        &self,
        workspace_id: WorkspaceId,
        spec: MatchSpec,
    ) -> Result<ResponseMatch, AppError> {
        if let Some(name) = spec.reading.as_ref().and_then(|r| r.aspect.as_deref()) {
            crate::text_aspects::check_name(self.store().as_ref(), workspace_id, "aspect", name)
                .await?;
        }
        let analytics = self.analytics();
        let people = if let Some(id) = &spec.contact {
            let customers = analytics.customers.fresh(workspace_id).await?;
            let code = customers.read().contact_code(id.as_str());
            let code = code.ok_or_else(|| {
                AppError::invalid(format!("contact_id: there is no contact '{id}'"))
            })?;
            if !spec.segments.is_empty() {
                return Err(AppError::invalid(
                    "segment, contact_id: give one or the other".to_string(),
                ));
            }
            Some(People {
                customers,
                allowed: Allowed::One(code),
            })
        } else if spec.segments.is_empty() {
            None
        } else {
            analytics
                .segments_members(workspace_id, &spec.segments, crate::now_ms())
                .await?
                .map(|(customers, set)| People {
                    customers,
                    allowed: Allowed::Members(set),
                })
        };
        Ok(ResponseMatch {
            text: spec.text,
            band: spec.band,
            has_text: spec.has_text,
            reading: spec.reading,
            people,
        })
    }
}

/// One page of responses that pass `filter` and `search`, newest first.
pub struct Found {
    pub rows: Vec<ResponseRecord>,
    /// Where the next page starts (a response id), if there may be more.
    pub next: Option<ResponseId>,
    /// Rows read to find these (for "searched the newest N").
    pub scanned: usize,
}

/// Rows read at most to count the responses a match keeps.
pub const COUNT_LIMIT: usize = 100_000;

/// How many responses a filter and match keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    pub n: u64,
    /// The count is exact; else `n` is what the newest `scanned` responses hold.
    pub exact: bool,
    pub scanned: u64,
}

/// Counts the responses passing `filter` and `m`: in the database when the store's filter
/// decides alone, else by reading up to [`COUNT_LIMIT`] rows.
pub async fn count(
    app: &App,
    workspace_id: WorkspaceId,
    mut filter: ResponseFilter,
    m: &ResponseMatch,
) -> Result<Count, AppError> {
    if m.is_empty() {
        let n = app.store().count_responses(workspace_id, &filter).await?;
        return Ok(Count {
            n,
            exact: true,
            scanned: n,
        });
    }
    let mut surveys = Surveys::default();
    let (mut n, mut scanned) = (0u64, 0u64);
    loop {
        let rows = app
            .store()
            .list_responses(workspace_id, &filter, PAGE)
            .await?;
        let exhausted = (rows.len() as i64) < PAGE;
        filter.before_id = rows.last().map(|r| r.id.clone());
        let readings = m.readings(app, &rows).await?;
        for r in &rows {
            scanned += 1;
            if m.matches(app, r, &mut surveys, readings.as_ref()).await? {
                n += 1;
            }
        }
        if exhausted || scanned as usize >= COUNT_LIMIT {
            return Ok(Count {
                n,
                exact: exhausted,
                scanned,
            });
        }
    }
}

/// Up to `limit` responses passing `filter` and `m`.
pub async fn find(
    app: &App,
    workspace_id: WorkspaceId,
    mut filter: ResponseFilter,
    m: &ResponseMatch,
    limit: usize,
) -> Result<Found, AppError> {
    if m.is_empty() {
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
    }
    let mut surveys = Surveys::default();
    let mut out = Vec::new();
    let mut scanned = 0;
    loop {
        let rows = app
            .store()
            .list_responses(workspace_id, &filter, PAGE)
            .await?;
        let exhausted = (rows.len() as i64) < PAGE;
        let readings = m.readings(app, &rows).await?;
        for r in rows {
            scanned += 1;
            filter.before_id = Some(r.id.clone());
            if m.matches(app, &r, &mut surveys, readings.as_ref()).await? {
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
