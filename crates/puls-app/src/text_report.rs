//! What customers write about (issue 16), from the stored text analysis of open answers:
//! the aspects of a period ranked by how often they come up, each with its share of the
//! answers read and its net sentiment (both with intervals) and their changes against the
//! previous period of the same length; and trending topics: the aspects and words whose
//! share rose significantly in the last seven days against the seven before, per
//! language, corrected for testing many at once (`puls_core::stats::rising`).
//!
//! It reads the results of the current analysis version only (answers not read yet, or
//! read by an older version and waiting to be read again, are not counted, and the report
//! says how many were read), and counts answers, not responses: a response with two open
//! answers about delivery counts twice. The period, surveys, touchpoints, channels and
//! locales filter as in every report; the filters that need the analytics index (segments,
//! choices, attributes, contacts, completion) are refused with the filter's name rather
//! than ignored.

use std::collections::{BTreeMap, HashMap};

use puls_core::WorkspaceId;
use puls_core::stats::{AspectStat, Change, Mentions, Options, aspect_stat, rising};
use puls_index::Filter;
use puls_store::TextResultRecord;

use crate::analytics::params::{DAY_MS, Scope};
use crate::text_queue::parse_aspects;
use crate::{App, AppError};

/// Topics named fewer times in the last week are not tested for a rise.
pub const MIN_TREND_COUNT: u64 = 5;
/// Most trending topics listed per language.
const MAX_TRENDING: usize = 10;

/// One aspect of the period.
#[derive(Debug, Clone)]
pub struct AspectRow {
    pub name: String,
    pub current: Mentions,
    pub previous: Mentions,
    pub stat: AspectStat,
}

/// What trends: an aspect or a word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TopicKind {
    Aspect,
    /// A word's stem; `word` is how it was most often written.
    Term,
}

/// A topic whose share rose significantly.
#[derive(Debug, Clone)]
pub struct Topic {
    pub kind: TopicKind,
    /// The aspect's name, or the word as most often written.
    pub name: String,
    /// Answers naming it in the last seven days and the seven before.
    pub count: u64,
    pub previous: u64,
    pub change: Change,
}

/// The trending topics of one language.
#[derive(Debug, Clone)]
pub struct Trending {
    /// `pl`, `cs` or `en`.
    pub language: String,
    /// Answers read in the last seven days and the seven before.
    pub analysed: u64,
    pub previous_analysed: u64,
    pub topics: Vec<Topic>,
}

/// The report.
#[derive(Debug, Clone)]
pub struct TextReport {
    /// The analysis the counts come from; `None` when text analysis is not installed
    /// (everything else empty).
    pub analysis_version: Option<String>,
    pub from_ms: i64,
    pub to_ms: i64,
    pub previous_from_ms: i64,
    pub previous_to_ms: i64,
    /// Answers read this period and the previous one.
    pub analysed: u64,
    pub previous_analysed: u64,
    /// All answers' sentiments, this period and the previous one.
    pub sentiment: Mentions,
    pub previous_sentiment: Mentions,
    /// Named at least once this period or the previous one, most named first.
    pub aspects: Vec<AspectRow>,
    /// The seven days up to the period's end against the seven before, by language.
    pub trend_from_ms: i64,
    pub trending: Vec<Trending>,
    pub options: Options,
}

/// What a result must match: the filters of a report that text results carry.
struct Keep {
    surveys: Vec<String>,
    touchpoints: Vec<String>,
    channels: Vec<String>,
    locales: Vec<String>,
}

impl Keep {
    fn of(scope: &Scope) -> Result<Keep, AppError> {
        if !scope.segments.is_empty() {
            return Err(refused("segment"));
        }
        let mut keep = Keep {
            surveys: scope.surveys.clone(),
            touchpoints: Vec::new(),
            channels: Vec::new(),
            locales: Vec::new(),
        };
        for f in &scope.filters {
            match f {
                Filter::TimeRange { .. } => {}
                Filter::Surveys(list) => keep.surveys.extend(list.iter().cloned()),
                Filter::Touchpoints(list) => keep
                    .touchpoints
                    .extend(list.iter().map(|t| t.as_str().to_string())),
                Filter::Channels(list) => keep
                    .channels
                    .extend(list.iter().map(|c| c.as_str().to_string())),
                Filter::Locales(list) => keep
                    .locales
                    .extend(list.iter().map(|l| l.as_str().to_string())),
                Filter::CompletedOnly => return Err(refused("status")),
                Filter::HasContact(_) => return Err(refused("contact")),
                Filter::ChoiceIncludes { .. } => return Err(refused("choice")),
                Filter::AttributeEquals { .. } => return Err(refused("attribute")),
                Filter::Labelled { labels, .. } => {
                    return Err(refused(
                        labels.name.split(':').next().unwrap_or("root_cause"),
                    ));
                }
                Filter::Respondents(_) => return Err(refused("segment")),
                Filter::SurveyVersion { .. } => return Err(refused("survey")),
            }
        }
        Ok(keep)
    }

    fn holds(&self, r: &TextResultRecord) -> bool {
        let ok = |list: &[String], v: &str| list.is_empty() || list.iter().any(|x| x == v);
        ok(&self.surveys, &r.survey_id)
            && ok(&self.touchpoints, &r.touchpoint)
            && ok(&self.channels, &r.channel)
            && ok(&self.locales, &r.locale)
    }
}

fn refused(filter: &str) -> AppError {
    AppError::invalid(format!(
        "{filter}: the open-answer report filters by period, survey, touchpoint, channel and \
         locale only"
    ))
}

fn count(m: &mut Mentions, sentiment: &str) {
    match sentiment {
        "neg" => m.negative += 1,
        "pos" => m.positive += 1,
        _ => m.neutral += 1,
    }
}

/// Sentiments of all answers and of each aspect's answers.
fn tally(results: &[&TextResultRecord]) -> (Mentions, BTreeMap<String, Mentions>) {
    let mut all = Mentions::default();
    let mut by_aspect: BTreeMap<String, Mentions> = BTreeMap::new();
    for r in results {
        count(&mut all, &r.sentiment);
        for (name, s) in parse_aspects(&r.aspects) {
            count(by_aspect.entry(name).or_default(), &s);
        }
    }
    (all, by_aspect)
}

impl App {
    /// The open-answer report of `scope`'s period (see the module documentation).
    pub async fn text_report(
        &self,
        workspace_id: WorkspaceId,
        scope: &Scope,
    ) -> Result<TextReport, AppError> {
        let keep = Keep::of(scope)?;
        let (previous_from_ms, previous_to_ms) = scope.previous_period();
        let trend_from_ms = scope.to_ms - 7 * DAY_MS;
        let mut report = TextReport {
            analysis_version: None,
            from_ms: scope.from_ms,
            to_ms: scope.to_ms,
            previous_from_ms,
            previous_to_ms,
            analysed: 0,
            previous_analysed: 0,
            sentiment: Mentions::default(),
            previous_sentiment: Mentions::default(),
            aspects: Vec::new(),
            trend_from_ms,
            trending: Vec::new(),
            options: scope.options,
        };
        let Some(version) = self.workspace_text_version(workspace_id).await? else {
            return Ok(report);
        };
        let earliest = previous_from_ms.min(trend_from_ms - 7 * DAY_MS);
        let rows = self
            .store()
            .text_results_between(workspace_id, &version, earliest, scope.to_ms)
            .await?;
        report.analysis_version = Some(version);
        let rows: Vec<&TextResultRecord> = rows.iter().filter(|r| keep.holds(r)).collect();
        let within = |from: i64, to: i64| -> Vec<&TextResultRecord> {
            rows.iter()
                .copied()
                .filter(|r| from <= r.response_at && r.response_at < to)
                .collect()
        };
        let (now, before) = (
            within(scope.from_ms, scope.to_ms),
            within(previous_from_ms, previous_to_ms),
        );
        let (all_now, aspects_now) = tally(&now);
        let (all_before, aspects_before) = tally(&before);
        report.analysed = now.len() as u64;
        report.previous_analysed = before.len() as u64;
        report.sentiment = all_now;
        report.previous_sentiment = all_before;
        let mut names: Vec<&String> = aspects_now.keys().chain(aspects_before.keys()).collect();
        names.sort();
        names.dedup();
        for name in names {
            let current = aspects_now.get(name).copied().unwrap_or_default();
            let previous = aspects_before.get(name).copied().unwrap_or_default();
            let stat = aspect_stat(
                &current,
                report.analysed,
                &previous,
                report.previous_analysed,
                &scope.options,
            )
            .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
            report.aspects.push(AspectRow {
                name: name.clone(),
                current,
                previous,
                stat,
            });
        }
        report
            .aspects
            .sort_by(|a, b| b.current.n().cmp(&a.current.n()).then(a.name.cmp(&b.name)));
        report.trending = trending(
            &within(trend_from_ms, scope.to_ms),
            &within(trend_from_ms - 7 * DAY_MS, trend_from_ms),
            &scope.options,
        )?;
        Ok(report)
    }
}

/// What rose in `now` against `before`, per language.
fn trending<'a>(
    now: &[&'a TextResultRecord],
    before: &[&'a TextResultRecord],
    o: &Options,
) -> Result<Vec<Trending>, AppError> {
    let mut languages: Vec<&str> = now.iter().map(|r| r.language.as_str()).collect();
    languages.sort();
    languages.dedup();
    let mut out = Vec::new();
    for lang in languages {
        let of = |rows: &[&'a TextResultRecord]| -> Vec<&'a TextResultRecord> {
            rows.iter()
                .copied()
                .filter(|r| r.language == lang)
                .collect()
        };
        let (a, b) = (of(now), of(before));
        // Topics: every aspect and stem named this week, with its counts in both weeks.
        let mut topics: BTreeMap<(u8, String), (u64, u64)> = BTreeMap::new();
        let mut words: HashMap<String, HashMap<String, u64>> = HashMap::new();
        for (rows, this_week) in [(&a, true), (&b, false)] {
            for r in rows.iter() {
                let mut seen: Vec<(u8, String)> = parse_aspects(&r.aspects)
                    .into_iter()
                    .map(|(name, _)| (0, name))
                    .collect();
                for pair in r.terms.split_whitespace() {
                    let (stem, word) = pair.split_once('|').unwrap_or((pair, pair));
                    seen.push((1, stem.to_string()));
                    if this_week {
                        *words
                            .entry(stem.to_string())
                            .or_default()
                            .entry(word.to_string())
                            .or_default() += 1;
                    }
                }
                seen.sort();
                seen.dedup();
                for key in seen {
                    if !this_week && !topics.contains_key(&key) {
                        continue;
                    }
                    let e = topics.entry(key).or_default();
                    if this_week {
                        e.0 += 1;
                    } else {
                        e.1 += 1;
                    }
                }
            }
        }
        let keys: Vec<&(u8, String)> = topics.keys().collect();
        let counts: Vec<(u64, u64)> = topics.values().copied().collect();
        let risers = rising(&counts, a.len() as u64, b.len() as u64, MIN_TREND_COUNT, o)
            .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
        let topics_out: Vec<Topic> = risers
            .into_iter()
            .take(MAX_TRENDING)
            .map(|(i, change)| {
                let (kind, key) = keys[i];
                let (kind, name) = match kind {
                    0 => (TopicKind::Aspect, key.clone()),
                    _ => (
                        TopicKind::Term,
                        words
                            .get(key)
                            .and_then(|w| {
                                w.iter()
                                    .max_by_key(|(w, n)| (**n, std::cmp::Reverse((*w).clone())))
                            })
                            .map(|(w, _)| w.clone())
                            .unwrap_or_else(|| key.clone()),
                    ),
                };
                Topic {
                    kind,
                    name,
                    count: counts[i].0,
                    previous: counts[i].1,
                    change,
                }
            })
            .collect();
        out.push(Trending {
            language: lang.to_string(),
            analysed: a.len() as u64,
            previous_analysed: b.len() as u64,
            topics: topics_out,
        });
    }
    Ok(out)
}
