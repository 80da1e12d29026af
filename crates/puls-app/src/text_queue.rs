//! The text-analysis queue (issue 16): every open answer (the text of an open-text
//! question, the "other" text of a choice) is read once per analysis version, after it is
//! stored, by whichever node gets there; the submission never waits for it.
//!
//! How it is claimed: each workspace has a feed `text:{analysis version}` in the outbox's
//! leased feeds, started at the beginning of the response change feed, so a new version
//! (a new model, new heads, new rules, or the workspace's own aspects edited:
//! [`crate::text_aspects`]) reads the whole history again. When only the aspects changed,
//! an answer whose text the model already read keeps what it read (language, sentiment,
//! emotion) and only its aspects are matched again. A node leases the
//! feed, reads the responses changed since its cursor a chunk at a time, and writes the
//! results of each chunk in a transaction that checks it still holds the lease: a node
//! that lost it (it stalled past the lease, another took over) writes nothing. Results
//! are keyed by response and question with the version and a hash of the text, so a
//! response changed for another reason is not read again, an edited text is, and a node
//! that takes over after a crash (kill -9) skips what its predecessor wrote and reads what
//! it had not: nothing is skipped and nothing is stored twice. The cursor moves when a
//! pass has read everything; until then the stored results are the progress.
//!
//! Identical texts are read once: within a chunk, and through a bounded cache of recent
//! texts ("ok", "nic", "bez připomínek" come thousands of times). The work runs on the
//! blocking pool and pauses while ingestion is saturated ([`App::yield_to_ingestion`]).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use puls_core::{ResponseId, WorkspaceId};
use puls_store::{ChangeCursor, ChangeKind, HeldLease, ResponseRecord, TextResultRecord, now_ms};
use puls_text::{Analysis, Analyzer, Emotion, Lang, Sentiment, Taxonomy};
use sha2_11::Digest;

use crate::search::Surveys;
use crate::{App, AppError};

/// The sentiments, as stored and as the API names them.
pub const SENTIMENTS: [&str; 3] = puls_core::alert::SENTIMENTS;
/// The aspects of the built-in taxonomy.
pub const ASPECTS: [&str; 9] = puls_text::aspects::BUILTIN;

/// Responses read per chunk (a chunk's results are written in one transaction).
const CHUNK: usize = 64;
/// Texts kept in a node's cache of recent analyses; it is emptied when full.
const CACHE_TEXTS: usize = 20_000;

/// What one round of the queue did on this node.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TextRound {
    /// Answers whose results this node wrote.
    pub written: u64,
    /// Texts the model read (the rest came from the cache or repeated a text of the chunk).
    pub read: u64,
    /// Workspaces whose feed this node read to its end.
    pub finished: u64,
}

impl std::ops::AddAssign for TextRound {
    fn add_assign(&mut self, o: TextRound) {
        self.written += o.written;
        self.read += o.read;
        self.finished += o.finished;
    }
}

/// A node's memory of the queue: recent analyses by text, and the workspaces' taxonomies by
/// version.
#[derive(Default)]
pub(crate) struct QueueState {
    cache: std::sync::Mutex<HashMap<(Option<Lang>, String), Analysis>>,
    pub(crate) taxonomies: std::sync::Mutex<HashMap<String, Arc<Taxonomy>>>,
}

/// The prefix of every text feed's name.
pub(crate) const FEED_PREFIX: &str = "text:";

/// The feed of one analysis version.
fn feed_name(version: &str) -> String {
    format!("{FEED_PREFIX}{version}")
}

/// A text's identity in stored results (an edited text is read again).
pub(crate) fn text_hash(text: &str) -> String {
    let digest = sha2_11::Sha256::digest(text.as_bytes());
    hex::encode(&digest[..8])
}

/// One pass over a workspace's feed: who reads, under which lease and version, with which
/// aspects, and the workspace's alert rules that look at what is read.
struct Pass<'a> {
    node: &'a str,
    feed: &'a str,
    version: &'a str,
    taxonomy: &'a Taxonomy,
    rules: &'a [puls_core::alert::AlertRule],
}

/// Answers of responses completed longer ago than this before they are read do not alert
/// (an install's or a new version's backlog is history, not news).
const ALERT_WINDOW_MS: i64 = 48 * 3_600_000;

/// One open answer to read.
struct Pending {
    response: usize,
    question_id: String,
    text: String,
    hint: Option<Lang>,
    hash: String,
    /// Read for the first time or edited (not only a new analysis version of it).
    news: bool,
    /// What the model read in this very text before, under another taxonomy.
    known: Option<Analysis>,
}

impl App {
    /// The version results are stored under, when text analysis is installed.
    pub async fn text_analysis_version(&self) -> Option<String> {
        let analyzer = self.analyzer().await.ok()?;
        Some(analyzer.analysis_version().to_string())
    }

    /// One round of the queue on this node: every workspace's feed this node can lease,
    /// read to its end (or until the lease is lost). Nothing when text analysis is not
    /// installed or `text.analyse_answers` is off.
    pub async fn analyse_open_answers(&self, node: &str) -> Result<TextRound, AppError> {
        if !self.config().text.analyse_answers {
            return Ok(TextRound::default());
        }
        let Ok(analyzer) = self.analyzer().await else {
            return Ok(TextRound::default());
        };
        let base = analyzer.analysis_version().to_string();
        let mut round = TextRound::default();
        for ws in self.store().list_workspaces().await? {
            let taxonomy = self.workspace_taxonomy(ws.id, &base).await?;
            let feed = feed_name(&taxonomy.version);
            round += self
                .analyse_workspace(ws.id, node, &feed, &taxonomy, &analyzer)
                .await?;
        }
        Ok(round)
    }

    async fn analyse_workspace(
        &self,
        workspace_id: WorkspaceId,
        node: &str,
        feed: &str,
        taxonomy: &crate::text_aspects::WorkspaceTaxonomy,
        analyzer: &Arc<Analyzer>,
    ) -> Result<TextRound, AppError> {
        let store = self.store();
        let lease = self.config().text.lease_ms as i64;
        let now = now_ms();
        let cursor = match store
            .lease_feed(workspace_id, feed, node, now, now + lease)
            .await?
        {
            Some(c) => c,
            // Not started (a new version, or the aspects changed and the feeds were
            // deleted), or held by another node: start it from the beginning of history
            // (nothing when it exists) and try once more.
            None => {
                store.start_feed(workspace_id, feed, 0).await?;
                match store
                    .lease_feed(workspace_id, feed, node, now, now + lease)
                    .await?
                {
                    Some(c) => c,
                    None => return Ok(TextRound::default()),
                }
            }
        };
        let changes = store
            .changes_since(workspace_id, ChangeCursor(cursor))
            .await?;
        let mut seen = HashSet::new();
        let ids: Vec<ResponseId> = changes
            .changes
            .iter()
            .filter_map(|c| match &c.kind {
                ChangeKind::Response(id) => seen.insert(id.clone()).then(|| id.clone()),
                ChangeKind::SurveyDeleted => None,
            })
            .collect();
        let mut round = TextRound::default();
        let mut surveys = Surveys::default();
        let rules: Vec<puls_core::alert::AlertRule> = self
            .alert_rules(workspace_id)
            .await?
            .into_iter()
            .filter(|r| r.reads_text())
            .collect();
        let pass = Pass {
            node,
            feed,
            version: &taxonomy.version,
            taxonomy: &taxonomy.taxonomy,
            rules: &rules,
        };
        for chunk in ids.chunks(CHUNK) {
            let started = Instant::now();
            let now = now_ms();
            // Renewed for every chunk: the lease covers one chunk's work many times over.
            if store
                .lease_feed(workspace_id, feed, node, now, now + lease)
                .await?
                .is_none()
            {
                return Ok(round);
            }
            // The workspace's aspects changed since the pass began: this version's feed
            // was deleted (a write under it would fail) and the next round reads under the
            // new one. Checked after the lease, so a change after this check deletes the
            // lease this chunk's write needs.
            if self
                .workspace_taxonomy(workspace_id, puls_text::base_version(&taxonomy.version))
                .await?
                .version
                != taxonomy.version
            {
                return Ok(round);
            }
            let Some(done) = self
                .analyse_chunk(workspace_id, chunk, &pass, analyzer, &mut surveys)
                .await?
            else {
                return Ok(round);
            };
            round += done;
            self.yield_to_ingestion(started.elapsed()).await;
        }
        store
            .save_feed(workspace_id, feed, node, changes.cursor.0)
            .await?;
        round.finished += 1;
        Ok(round)
    }

    /// Reads the open answers of one chunk of responses that have no result of this
    /// version and text, and writes the results; `None` when the lease was lost.
    async fn analyse_chunk(
        &self,
        workspace_id: WorkspaceId,
        ids: &[ResponseId],
        pass: &Pass<'_>,
        analyzer: &Arc<Analyzer>,
        surveys: &mut Surveys,
    ) -> Result<Option<TextRound>, AppError> {
        let (node, feed, version) = (pass.node, pass.feed, pass.version);
        let store = self.store();
        let responses = store.responses_by_ids(workspace_id, ids).await?;
        let stored: HashMap<(ResponseId, String), TextResultRecord> = store
            .text_results(workspace_id, ids)
            .await?
            .into_iter()
            .map(|r| ((r.response_id.clone(), r.question_id.clone()), r))
            .collect();
        let base = puls_text::base_version(version);
        let mut pending = Vec::new();
        let mut stale = Vec::new();
        for (i, r) in responses.iter().enumerate() {
            let info = surveys
                .questions(self, &r.survey_id, r.survey_version)
                .await?;
            let texts = info.texts(&r.answers);
            for ((rid, qid), _) in stored.iter().filter(|((rid, _), _)| *rid == r.id) {
                if !texts.iter().any(|(q, _)| q == qid) {
                    stale.push((rid.clone(), qid.clone()));
                }
            }
            for (question_id, text) in texts {
                let text: String = text.chars().take(crate::text::MAX_CHARS).collect();
                let hash = text_hash(&text);
                let key = (r.id.clone(), question_id.clone());
                let before = stored.get(&key);
                if before.is_some_and(|b| b.analysis_version == version && b.text_hash == hash) {
                    continue;
                }
                let same_text = before.filter(|b| b.text_hash == hash);
                pending.push(Pending {
                    response: i,
                    question_id,
                    text,
                    hint: Lang::from_locale(&r.locale),
                    news: same_text.is_none(),
                    known: same_text
                        .filter(|b| puls_text::base_version(&b.analysis_version) == base)
                        .and_then(read_before),
                    hash,
                });
            }
        }
        if pending.is_empty() && stale.is_empty() {
            return Ok(Some(TextRound::default()));
        }
        let (analyses, read) = self.analyse_cached(analyzer, &pending).await?;
        let analysed_at = now_ms();
        let records: Vec<TextResultRecord> = pending
            .iter()
            .zip(analyses)
            .map(|(p, mut a)| {
                let r = &responses[p.response];
                let tokens = puls_text::fold::tokens(&p.text, a.language);
                // The workspace's aspects, whatever taxonomy the cached or earlier reading had.
                a.aspects = pass
                    .taxonomy
                    .detect_tokens(&tokens, a.language)
                    .into_iter()
                    .map(|x| (x, a.sentiment))
                    .collect();
                TextResultRecord {
                    response_id: r.id.clone(),
                    question_id: p.question_id.clone(),
                    workspace_id,
                    survey_id: r.survey_id.as_str().to_string(),
                    touchpoint: r.touchpoint.clone(),
                    channel: r.channel.clone(),
                    locale: r.locale.clone(),
                    response_at: r.created_at,
                    analysis_version: version.to_string(),
                    text_hash: p.hash.clone(),
                    language: a.language.code().to_string(),
                    sentiment: a.sentiment.label().to_string(),
                    score_milli: (f64::from(a.score) * 1000.0).round() as i64,
                    aspects: aspects_json(&a),
                    emotion: a.emotion.name().to_string(),
                    terms: puls_text::terms::stored_terms(&p.text, &tokens, a.language).join(" "),
                    analysed_at,
                    node: node.to_string(),
                }
            })
            .collect();
        // The rules that look at what was read, before the results are stored: a node that
        // dies in between leaves the answers unread, and the next one alerts again (to the
        // same ids, so nothing is sent twice); after, it would leave them read and unalerted.
        if !pass.rules.is_empty() {
            let now = now_ms();
            let mut news: Vec<usize> = pending
                .iter()
                .filter(|p| p.news)
                .map(|p| p.response)
                .filter(|&i| {
                    let r = &responses[i];
                    r.completed && r.completed_at.unwrap_or(r.updated_at) >= now - ALERT_WINDOW_MS
                })
                .collect();
            news.sort_unstable();
            news.dedup();
            if !news.is_empty() {
                let chosen: Vec<ResponseRecord> =
                    news.iter().map(|&i| responses[i].clone()).collect();
                let ids: Vec<ResponseId> = chosen.iter().map(|r| r.id.clone()).collect();
                // What each response reads as once these results are stored: the stored
                // results of its other answers, and the new ones.
                let mut reading = self.answer_analyses(workspace_id, &ids).await?;
                for rec in &records {
                    if let Some(list) = reading.get_mut(&rec.response_id) {
                        list.retain(|a| a.question_id != rec.question_id);
                    }
                    if ids.contains(&rec.response_id) {
                        reading
                            .entry(rec.response_id.clone())
                            .or_default()
                            .push(AnswerAnalysis::from_record(rec));
                    }
                }
                self.alert_on(workspace_id, pass.rules, &chosen, Some(&reading))
                    .await?;
            }
        }
        let lease = HeldLease {
            feed,
            node,
            now: now_ms(),
        };
        Ok(store
            .save_text_results(workspace_id, lease, &records, &stale)
            .await?
            .map(|written| {
                self.telemetry().text_analysed(written, 0);
                TextRound {
                    written,
                    read,
                    finished: 0,
                }
            }))
    }

    /// The analyses of `pending` in order, reading each distinct text the cache does not
    /// hold once (on the blocking pool); with how many texts the model read.
    async fn analyse_cached(
        &self,
        analyzer: &Arc<Analyzer>,
        pending: &[Pending],
    ) -> Result<(Vec<Analysis>, u64), AppError> {
        let mut out: Vec<Option<Analysis>> = vec![None; pending.len()];
        // Texts to read, by hint: the distinct ones and where each goes.
        let mut todo: HashMap<Option<Lang>, Vec<(String, Vec<usize>)>> = HashMap::new();
        {
            let cache = self.0.text_queue.cache.lock().expect("not poisoned");
            for (i, p) in pending.iter().enumerate() {
                if let Some(a) = &p.known {
                    out[i] = Some(a.clone());
                    continue;
                }
                if let Some(a) = cache.get(&(p.hint, p.text.clone())) {
                    out[i] = Some(a.clone());
                    continue;
                }
                let texts = todo.entry(p.hint).or_default();
                match texts.iter_mut().find(|(t, _)| *t == p.text) {
                    Some((_, at)) => at.push(i),
                    None => texts.push((p.text.clone(), vec![i])),
                }
            }
        }
        let mut read = 0;
        for (hint, texts) in todo {
            read += texts.len() as u64;
            let a = analyzer.clone();
            let batch: Vec<String> = texts.iter().map(|(t, _)| t.clone()).collect();
            let analyses = tokio::task::spawn_blocking(move || {
                let refs: Vec<&str> = batch.iter().map(String::as_str).collect();
                a.analyze(&refs, hint)
            })
            .await
            .map_err(anyhow::Error::new)?
            .map_err(|e| AppError::Internal(anyhow::Error::new(e)))?;
            self.telemetry().text_analysed(0, texts.len() as u64);
            let mut cache = self.0.text_queue.cache.lock().expect("not poisoned");
            if cache.len() + texts.len() > CACHE_TEXTS {
                cache.clear();
            }
            for ((text, at), analysis) in texts.into_iter().zip(analyses) {
                for i in at {
                    out[i] = Some(analysis.clone());
                }
                cache.insert((hint, text), analysis);
            }
        }
        let out = out
            .into_iter()
            .map(|a| {
                a.ok_or_else(|| AppError::Internal(anyhow::anyhow!("a text was not analysed")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok((out, read))
    }
}

/// What the model read in a stored result (its aspects are matched again by the caller);
/// `None` when a stored value is unknown to this release.
fn read_before(r: &TextResultRecord) -> Option<Analysis> {
    Some(Analysis {
        language: Lang::from_locale(&r.language)?,
        sentiment: Sentiment::from_label(&r.sentiment)?,
        score: r.score_milli as f32 / 1000.0,
        aspects: Vec::new(),
        emotion: Emotion::from_name(&r.emotion)?,
    })
}

fn aspects_json(a: &Analysis) -> String {
    serde_json::Value::Array(
        a.aspects
            .iter()
            .map(|(aspect, s)| serde_json::json!({"name": aspect.name(), "sentiment": s.label()}))
            .collect(),
    )
    .to_string()
}

/// Runs the queue on this node until the runtime stops: a round every `text.poll_ms`
/// (when text analysis is installed; a node without it never loads anything).
pub fn spawn_text_worker(app: App, node: String) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let poll = Duration::from_millis(app.config().text.poll_ms.max(10));
        loop {
            match app.analyse_open_answers(&node).await {
                Ok(r) if r.written > 0 => {
                    tracing::debug!(written = r.written, read = r.read, "open answers analysed")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "text analysis round failed; trying again"),
            }
            tokio::time::sleep(poll).await;
        }
    })
}

/// What the analysis read in one open answer, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerAnalysis {
    pub question_id: String,
    /// `pl`, `cs` or `en`.
    pub language: String,
    /// `neg`, `neu` or `pos`, and its probability.
    pub sentiment: String,
    pub score: f32,
    /// Aspects (`delivery`...) with their sentiment.
    pub aspects: Vec<(String, String)>,
    pub emotion: String,
}

/// Each response's analysed open answers, in question order.
pub type TextByResponse = HashMap<ResponseId, Vec<AnswerAnalysis>>;

/// Stored aspects (a JSON list of `{"name", "sentiment"}`) as pairs; unreadable: none.
pub(crate) fn parse_aspects(json: &str) -> Vec<(String, String)> {
    serde_json::from_str::<Vec<serde_json::Value>>(json)
        .unwrap_or_default()
        .iter()
        .filter_map(|a| {
            Some((
                a.get("name")?.as_str()?.to_string(),
                a.get("sentiment")?.as_str()?.to_string(),
            ))
        })
        .collect()
}

impl AnswerAnalysis {
    fn from_record(r: &TextResultRecord) -> AnswerAnalysis {
        let aspects = parse_aspects(&r.aspects);
        AnswerAnalysis {
            question_id: r.question_id.clone(),
            language: r.language.clone(),
            sentiment: r.sentiment.clone(),
            score: r.score_milli as f32 / 1000.0,
            aspects,
            emotion: r.emotion.clone(),
        }
    }
}

impl App {
    /// The analysed open answers of these responses (of whichever version read them last).
    pub async fn answer_analyses(
        &self,
        workspace_id: WorkspaceId,
        ids: &[ResponseId],
    ) -> Result<TextByResponse, AppError> {
        let mut out = TextByResponse::new();
        for r in self.store().text_results(workspace_id, ids).await? {
            out.entry(r.response_id.clone())
                .or_default()
                .push(AnswerAnalysis::from_record(&r));
        }
        Ok(out)
    }
}
