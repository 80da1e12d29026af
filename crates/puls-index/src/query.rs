//! Queries: filters and groupings compiled into scan steps, the zone-by-zone scan, and the
//! four answers built on it (score distributions, Kano tallies, drop-off, driver rows).

use std::collections::HashMap;

use puls_core::drivers::Row;
use puls_core::kano::KanoTally;
use puls_core::stats::{Distribution, QuestionProgress};
use puls_core::{
    Answer, Answers, Channel, Locale, OptionId, QuestionId, QuestionKind, Survey, Touchpoint,
};

use crate::IndexError;
use crate::columns::Codes;
use crate::fact::QuestionKey;
use crate::index::{
    AttributeColumn, COMPLETED, CONTACT, ChoiceColumn, DEAD, FactIndex, ScoreColumn, ZONE,
    channel_code,
};
use crate::time::{BucketTable, MAX_MS, MIN_MS, TimeBucket, TimeBuckets};

/// One condition on facts. Every filter of a query must hold (AND); a filter listing several
/// values holds when any of them does (OR).
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// `from_ms <= created_at < to_ms`.
    TimeRange {
        from_ms: i64,
        to_ms: i64,
    },
    Surveys(Vec<String>),
    /// One version of one survey (drop-off needs the definition it was given on).
    SurveyVersion {
        survey: String,
        version: i64,
    },
    Touchpoints(Vec<Touchpoint>),
    Channels(Vec<Channel>),
    Locales(Vec<Locale>),
    /// Only completed responses (without it, partial ones count too).
    CompletedOnly,
    /// Responses with (`true`) or without (`false`) a known contact.
    HasContact(bool),
    /// The choice question's answer includes any of these options.
    ChoiceIncludes {
        question: QuestionId,
        options: Vec<OptionId>,
    },
    /// The attribute `key` has exactly this value.
    AttributeEquals {
        key: String,
        value: String,
    },
    /// Respondents allowed, by respondent code (see [`crate::FactIndex::respondents`]; code
    /// 0 is anonymous, codes past the end are not allowed): a segment of contacts.
    Respondents(std::sync::Arc<Vec<bool>>),
    /// The response carries this label among `labels` (a root cause, say).
    Labelled {
        labels: std::sync::Arc<RowLabels>,
        value: String,
    },
}

/// One dimension of a grouping; a query groups by all of its dimensions at once.
#[derive(Debug, Clone, PartialEq)]
pub enum GroupBy {
    Time(TimeBuckets),
    Touchpoint,
    Channel,
    Survey,
    Locale,
    /// By selected option; a multiple-choice respondent counts once in each option chosen.
    /// Respondents who did not answer form the group `Choice(None)`.
    Choice(QuestionId),
    /// By attribute value; facts without the attribute form the group `Attribute(None)`.
    Attribute(String),
    /// By labels given from outside the index for some responses (a response's case's
    /// root cause, say); unlabelled facts form the group `Attribute(None)`.
    Labels(std::sync::Arc<RowLabels>),
}

/// Labels of some responses by id, for [`GroupBy::Labels`]: named (the grouping's name in
/// results, `root_cause`), resolved against the index a query runs on, so they never
/// point at the wrong row.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RowLabels {
    pub name: String,
    /// (the response id's key, the label); the first label of an id counts.
    pairs: Vec<(u128, String)>,
}

impl RowLabels {
    /// Labels named `name`; ids the index lacks are ignored when querying.
    pub fn new<'a>(name: &str, labels: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        RowLabels {
            name: name.to_string(),
            pairs: labels
                .into_iter()
                .map(|(id, l)| (crate::columns::id_key(id), l.to_string()))
                .collect(),
        }
    }

    /// How many responses are labelled (an id given twice counts twice).
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}

impl FactIndex {
    /// The labels as a column of this index's rows (ids it lacks left out, a row's first
    /// label kept).
    fn label_column(&self, labels: &RowLabels) -> crate::index::AttributeColumn {
        let mut rows: Vec<(u32, usize)> = labels
            .pairs
            .iter()
            .enumerate()
            .filter_map(|(i, (key, _))| {
                let row = self.ids.find(*key)?;
                (self.ids.keys[row as usize] == *key).then_some((row, i))
            })
            .collect();
        rows.sort();
        rows.dedup_by_key(|&mut (r, _)| r);
        let mut col = crate::index::AttributeColumn::default();
        for (row, i) in rows {
            let code = col.values.intern(&labels.pairs[i].1);
            col.rows.push(row);
            col.codes.push(code);
        }
        col
    }
}

/// The value of one grouping dimension.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GroupValue {
    Time(TimeBucket),
    Touchpoint(String),
    Channel(Channel),
    Survey(String),
    Locale(String),
    Choice(Option<String>),
    Attribute(Option<String>),
}

/// A group: one value per [`GroupBy`] of the query, in the same order (empty when the query
/// does not group). Groups sort by their values in order; time buckets chronologically.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupKey(pub Vec<GroupValue>);

/// A score query: the distribution of `question` per group, over facts passing `filters`.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub question: QuestionKey,
    pub filters: Vec<Filter>,
    pub group_by: Vec<GroupBy>,
}

#[derive(Debug, Clone, Copy)]
enum CodeCol {
    Sv,
    Touchpoint,
    Locale,
    Channel,
}

#[derive(Debug)]
enum Step<'a> {
    Codes {
        col: CodeCol,
        allowed: Vec<bool>,
    },
    Choice {
        col: &'a ChoiceColumn,
        allowed: Vec<bool>,
    },
    Attribute {
        col: std::borrow::Cow<'a, AttributeColumn>,
        code: u32,
    },
    /// Allowed respondent codes (a filter only: nothing groups by respondent).
    Respondents {
        allowed: Vec<bool>,
    },
}

#[derive(Debug)]
enum Dim<'a> {
    Codes {
        col: CodeCol,
        /// Maps the column's code to the group's (survey-and-version → survey).
        map: Option<Vec<u32>>,
        card: u32,
    },
    Time(BucketTable),
    Attribute {
        col: std::borrow::Cow<'a, AttributeColumn>,
        card: u32,
    },
    Choice {
        col: &'a ChoiceColumn,
        card: u32,
    },
    /// A dimension with no data (an unknown question or attribute): one "missing" group.
    Missing {
        choice: bool,
    },
}

impl Dim<'_> {
    fn card(&self) -> u64 {
        u64::from(match self {
            Dim::Codes { card, .. } | Dim::Attribute { card, .. } | Dim::Choice { card, .. } => {
                *card
            }
            Dim::Time(t) => t.len() as u32,
            Dim::Missing { .. } => 1,
        })
    }
}

/// A compiled query: what to test per row and how to number its group.
#[derive(Debug)]
struct Plan<'a> {
    flag_mask: u8,
    flag_want: u8,
    time: Option<(i64, i64)>,
    steps: Vec<Step<'a>>,
    dims: Vec<Dim<'a>>,
    groups: u64,
    /// No fact can pass (an unknown value was asked for).
    empty: bool,
}

/// Where the scanned (row, value) pairs come from.
#[derive(Clone, Copy)]
enum Source<'a> {
    Sparse { rows: &'a [u32], vals: &'a [u8] },
    AllRows,
}

/// Per-thread buffers, reused block after block.
#[derive(Default)]
struct Block {
    rows: Vec<u32>,
    vals: Vec<u8>,
    slots: Vec<u64>,
    tmp: Vec<u32>,
    rows2: Vec<u32>,
    vals2: Vec<u8>,
    slots2: Vec<u64>,
}

/// Receives the (row, value, group slot) triples that passed every filter, block by block.
trait Sink: Send {
    fn take(&mut self, rows: &[u32], vals: &[u8], slots: &[u64]);
}

/// Counts per (slot, value): dense while small, hashed beyond.
struct Counts {
    width: u64,
    dense: Vec<u64>,
    sparse: HashMap<u64, u64>,
}

const DENSE_CELLS: u64 = 1 << 22;

impl Counts {
    fn new(groups: u64, width: u64) -> Self {
        let cells = groups.saturating_mul(width);
        Counts {
            width,
            dense: if cells <= DENSE_CELLS {
                vec![0; cells as usize]
            } else {
                Vec::new()
            },
            sparse: HashMap::new(),
        }
    }

    fn merge(&mut self, other: Counts) {
        for (a, b) in self.dense.iter_mut().zip(&other.dense) {
            *a += b;
        }
        for (k, v) in other.sparse {
            *self.sparse.entry(k).or_default() += v;
        }
    }

    /// Non-empty groups: (slot, counts per value).
    fn groups(&self) -> Vec<(u64, Vec<u64>)> {
        let w = self.width as usize;
        if !self.dense.is_empty() || self.sparse.is_empty() {
            return self
                .dense
                .chunks(w)
                .enumerate()
                .filter(|(_, c)| c.iter().any(|&x| x > 0))
                .map(|(s, c)| (s as u64, c.to_vec()))
                .collect();
        }
        let mut by_slot: HashMap<u64, Vec<u64>> = HashMap::new();
        for (&cell, &n) in &self.sparse {
            by_slot
                .entry(cell / self.width)
                .or_insert_with(|| vec![0; w])[(cell % self.width) as usize] += n;
        }
        by_slot.into_iter().collect()
    }
}

impl Sink for Counts {
    fn take(&mut self, _rows: &[u32], vals: &[u8], slots: &[u64]) {
        if self.dense.is_empty() {
            for (&v, &s) in vals.iter().zip(slots) {
                *self
                    .sparse
                    .entry(s * self.width + u64::from(v))
                    .or_default() += 1;
            }
        } else {
            let w = self.width as usize;
            for (&v, &s) in vals.iter().zip(slots) {
                self.dense[s as usize * w + v as usize] += 1;
            }
        }
    }
}

/// Collects the passing (row, value) pairs in row order.
#[derive(Default)]
struct Collect {
    rows: Vec<u32>,
    vals: Vec<u8>,
}

impl Sink for Collect {
    fn take(&mut self, rows: &[u32], vals: &[u8], _slots: &[u64]) {
        self.rows.extend_from_slice(rows);
        self.vals.extend_from_slice(vals);
    }
}

/// Scans with more than one thread only above this many entries: below it, spawning costs
/// more than it saves.
const PARALLEL_MIN: usize = 1 << 18;

impl FactIndex {
    /// The distribution of a score question per group, sorted by group.
    ///
    /// Groups with no responses are left out. If the key was asked on more than one scale
    /// and facts on several pass the filters, the answer is [`IndexError::MixedScales`]:
    /// filter to one survey or version.
    pub fn query(&self, q: &Query) -> Result<Vec<(GroupKey, Distribution)>, IndexError> {
        let Some(columns) = self.scores.get(&q.question) else {
            return Ok(Vec::new());
        };
        let plan = self.plan(&q.filters, &q.group_by)?;
        let mut found: Vec<(&ScoreColumn, Vec<(GroupKey, Distribution)>)> = Vec::new();
        for col in columns {
            let width = (col.max - col.min + 1) as u64;
            let counts = self.count(&plan, source(&col.rows, &col.vals), width);
            let mut out = Vec::new();
            for (slot, c) in counts.groups() {
                out.push((
                    self.group_key(&plan, slot),
                    Distribution::from_counts(col.min, &c)?,
                ));
            }
            if !out.is_empty() {
                found.push((col, out));
            }
        }
        if found.len() > 1 {
            return Err(IndexError::MixedScales {
                key: q.question.to_string(),
                scales: found
                    .iter()
                    .map(|(c, _)| format!("{}..={}", c.min, c.max))
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        let mut out = found.pop().map(|(_, o)| o).unwrap_or_default();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }

    /// Kano tallies of a Kano question per group, sorted by group; empty groups left out.
    pub fn kano(
        &self,
        question: &QuestionId,
        filters: &[Filter],
        group_by: &[GroupBy],
    ) -> Result<Vec<(GroupKey, KanoTally)>, IndexError> {
        let Some(col) = self.kano.get(question) else {
            return Ok(Vec::new());
        };
        let plan = self.plan(filters, group_by)?;
        let counts = self.count(&plan, source(&col.rows, &col.pairs), 25);
        let mut out: Vec<(GroupKey, KanoTally)> = counts
            .groups()
            .into_iter()
            .map(|(slot, c)| {
                let mut cells = [[0u64; 5]; 5];
                for (i, n) in c.into_iter().enumerate() {
                    cells[i / 5][i % 5] = n;
                }
                (self.group_key(&plan, slot), KanoTally::from_cells(&cells))
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }

    /// Progress per question of `definition`, in its order, over the facts of `survey`
    /// passing `filters` (pin a version with [`Filter::SurveyVersion`] when definitions
    /// changed; questions a version lacks simply go unanswered).
    ///
    /// Per fact, with `V` the questions the survey logic shows for its answers
    /// (`Survey::visibility`):
    /// - **answered**: the question has an answer;
    /// - **reached**: answered, or in `V` and either the response is complete (the
    ///   respondent went through every shown question) or the question comes no later than
    ///   the first unanswered question of `V` after the last answer (the page they stopped
    ///   on; an unanswered question before the last answer was shown and skipped);
    /// - **abandoned**: the response is partial and this is that first unanswered question of
    ///   `V` after the last answer (for a partial response with no answers, the first of `V`).
    ///
    /// Every partial response passing the filters counts as abandoned; to leave out ones
    /// still in progress, filter by time (for example created more than a day ago).
    pub fn drop_off(
        &self,
        survey: &str,
        definition: &Survey,
        filters: &[Filter],
    ) -> Result<Vec<(QuestionId, QuestionProgress)>, IndexError> {
        let mut filters = filters.to_vec();
        filters.push(Filter::Surveys(vec![survey.to_string()]));
        let plan = self.plan(&filters, &[])?;
        let rows = self.collect(&plan, Source::AllRows).rows;
        let qs = &definition.questions;
        let mut progress = vec![QuestionProgress::default(); qs.len()];

        // Per question, every sorted row list that proves an answer, with a cursor each.
        let mut lists: Vec<Vec<(&[u32], usize)>> = qs
            .iter()
            .map(|q| {
                let mut l: Vec<(&[u32], usize)> = Vec::new();
                for (key, cols) in &self.scores {
                    if key.question == q.id {
                        l.extend(cols.iter().map(|c| (c.rows.as_slice(), 0)));
                    }
                }
                if let Some(c) = self.choices.get(&q.id) {
                    l.push((&c.rows, 0));
                }
                if let Some(c) = self.kano.get(&q.id) {
                    l.push((&c.rows, 0));
                }
                if let Some(r) = self.answered.get(&q.id) {
                    l.push((r, 0));
                }
                l
            })
            .collect();
        let has_logic = qs.iter().any(|q| q.show_if.is_some() || q.end_if.is_some());
        let mut values = AnswerValues::new(self, definition);
        let mut answered = vec![false; qs.len()];
        for &row in &rows {
            for (i, l) in lists.iter_mut().enumerate() {
                answered[i] = l.iter_mut().any(|(rows, at)| seek(rows, at, row));
            }
            let visible: Vec<usize> = if has_logic {
                definition
                    .visibility(&values.answers(row, &answered))
                    .visible
            } else {
                (0..qs.len()).collect()
            };
            let completed = self.flags[row as usize] & COMPLETED != 0;
            let last = (0..qs.len()).rev().find(|&i| answered[i]);
            let stop = visible
                .iter()
                .copied()
                .find(|&i| !answered[i] && last.is_none_or(|l| i > l));
            for i in 0..qs.len() {
                let reached = answered[i]
                    || (visible.contains(&i) && (completed || stop.is_some_and(|s| i <= s)));
                progress[i].reached += u64::from(reached);
                progress[i].answered += u64::from(answered[i]);
            }
            if !completed && let Some(s) = stop {
                progress[s].abandoned += 1;
            }
        }
        Ok(qs.iter().map(|q| q.id.clone()).zip(progress).collect())
    }

    /// Rows for key-driver analysis (`puls_core::drivers::analyze`): the facts passing
    /// `filters` that answered `outcome`, with each driver's score or `None` where it is
    /// unanswered, scores on their own scales. Facts that answered exactly alike are one
    /// row with their count as its weight, so millions of answers on short scales become a
    /// few thousand rows; the order of rows is unspecified.
    pub fn driver_rows(
        &self,
        outcome: &QuestionKey,
        drivers: &[QuestionKey],
        filters: &[Filter],
    ) -> Result<Vec<Row>, IndexError> {
        let Some(columns) = self.scores.get(outcome) else {
            return Ok(Vec::new());
        };
        let plan = self.plan(filters, &[])?;
        let driver_cols: Vec<Vec<(&ScoreColumn, usize)>> = drivers
            .iter()
            .map(|k| {
                self.scores
                    .get(k)
                    .map(|cols| cols.iter().map(|c| (c, 0)).collect())
                    .unwrap_or_default()
            })
            .collect();
        // Each variable's value as a code: 0 for "unanswered", else 1 + value − lowest.
        let span = |cols: &[&ScoreColumn]| {
            let lo = cols.iter().map(|c| c.min).min().unwrap_or(0);
            let hi = cols.iter().map(|c| c.max).max().unwrap_or(0);
            (lo, (hi - lo + 2) as u128)
        };
        let (out_lo, out_radix) = span(&columns.iter().collect::<Vec<_>>());
        let spans: Vec<(i64, u128)> = driver_cols
            .iter()
            .map(|cols| span(&cols.iter().map(|(c, _)| *c).collect::<Vec<_>>()))
            .collect();
        let radix: Vec<u128> = std::iter::once(out_radix)
            .chain(spans.iter().map(|s| s.1))
            .collect();
        let mut patterns = Patterns::new(radix.clone());
        for col in columns {
            let got = self.collect(&plan, source(&col.rows, &col.vals));
            // Split the rows over the cores; each part merges its own cursors into the
            // driver columns (starting where its first row would be) and counts apart.
            let threads = if got.rows.len() >= PARALLEL_MIN {
                std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
            } else {
                1
            };
            let per = got.rows.len().div_ceil(threads).max(1);
            let count_part = |rows: &[u32], vals: &[u8]| {
                let mut part = Patterns::new(radix.clone());
                if let Patterns::Dense { counts, .. } = &mut part {
                    count_dense(
                        counts,
                        rows,
                        vals,
                        col,
                        out_lo,
                        &radix,
                        &driver_cols,
                        &spans,
                    );
                    return part;
                }
                let mut cursors: Vec<Vec<(&ScoreColumn, usize)>> = driver_cols
                    .iter()
                    .map(|cols| {
                        cols.iter()
                            .map(|(c, _)| (*c, c.rows.partition_point(|&r| r < rows[0])))
                            .collect()
                    })
                    .collect();
                let mut codes = vec![0u16; drivers.len() + 1];
                for (&row, &v) in rows.iter().zip(vals) {
                    codes[0] = (col.min + i64::from(v) - out_lo + 1) as u16;
                    for (j, cols) in cursors.iter_mut().enumerate() {
                        codes[j + 1] = cols
                            .iter_mut()
                            .find_map(|(c, at)| {
                                seek(&c.rows, at, row).then(|| {
                                    (c.min + i64::from(c.vals[*at]) - spans[j].0 + 1) as u16
                                })
                            })
                            .unwrap_or(0);
                    }
                    part.add(&codes);
                }
                part
            };
            let parts: Vec<Patterns> = std::thread::scope(|scope| {
                let handles: Vec<_> = got
                    .rows
                    .chunks(per)
                    .zip(got.vals.chunks(per))
                    .map(|(rows, vals)| scope.spawn(move || count_part(rows, vals)))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().expect("a driver scan thread panicked"))
                    .collect()
            });
            for part in parts {
                patterns.merge(part);
            }
        }
        let value = |code: u16, lo: i64| (code > 0).then(|| (lo + i64::from(code) - 1) as f64);
        Ok(patterns
            .into_counts()
            .into_iter()
            .map(|(codes, n)| {
                Row::weighted(
                    value(codes[0], out_lo).unwrap_or(f64::NAN),
                    codes[1..]
                        .iter()
                        .zip(&spans)
                        .map(|(&c, s)| value(c, s.0))
                        .collect::<Vec<_>>(),
                    n,
                )
            })
            .collect())
    }

    fn plan(&self, filters: &[Filter], group_by: &[GroupBy]) -> Result<Plan<'_>, IndexError> {
        let mut p = Plan {
            // Without dead rows there is nothing to skip, and no flag to read per row.
            flag_mask: if self.dead > 0 { DEAD } else { 0 },
            flag_want: 0,
            time: None,
            steps: Vec::new(),
            dims: Vec::new(),
            groups: 1,
            empty: false,
        };
        let codes_of = |names: &mut dyn Iterator<Item = &str>, dict: &crate::columns::Dict| {
            let mut allowed = vec![false; dict.len()];
            for n in names {
                if let Some(c) = dict.get(n) {
                    allowed[c as usize] = true;
                }
            }
            allowed
        };
        for f in filters {
            match f {
                Filter::TimeRange { from_ms, to_ms } => {
                    let (a, b) = p.time.unwrap_or((MIN_MS, MAX_MS + 1));
                    p.time = Some((a.max(*from_ms), b.min(*to_ms)));
                }
                Filter::Surveys(list) => {
                    let allowed = codes_of(&mut list.iter().map(String::as_str), &self.surveys);
                    let allowed = self
                        .survey_versions
                        .iter()
                        .map(|&(s, _)| allowed[s as usize])
                        .collect();
                    p.steps.push(Step::Codes {
                        col: CodeCol::Sv,
                        allowed,
                    });
                }
                Filter::SurveyVersion { survey, version } => {
                    let s = self.surveys.get(survey);
                    let allowed = self
                        .survey_versions
                        .iter()
                        .map(|&(c, v)| Some(c) == s && v == *version)
                        .collect();
                    p.steps.push(Step::Codes {
                        col: CodeCol::Sv,
                        allowed,
                    });
                }
                Filter::Touchpoints(list) => p.steps.push(Step::Codes {
                    col: CodeCol::Touchpoint,
                    allowed: codes_of(&mut list.iter().map(|t| t.as_str()), &self.touchpoints),
                }),
                Filter::Locales(list) => p.steps.push(Step::Codes {
                    col: CodeCol::Locale,
                    allowed: codes_of(&mut list.iter().map(|l| l.as_str()), &self.locales),
                }),
                Filter::Channels(list) => {
                    let mut allowed = vec![false; Channel::ALL.len()];
                    for &c in list {
                        allowed[usize::from(channel_code(c))] = true;
                    }
                    p.steps.push(Step::Codes {
                        col: CodeCol::Channel,
                        allowed,
                    });
                }
                Filter::CompletedOnly => {
                    p.flag_mask |= COMPLETED;
                    p.flag_want |= COMPLETED;
                }
                Filter::HasContact(want) => {
                    let bit = if *want { CONTACT } else { 0 };
                    if p.flag_mask & CONTACT != 0 && p.flag_want & CONTACT != bit {
                        p.empty = true;
                    }
                    p.flag_mask |= CONTACT;
                    p.flag_want |= bit;
                }
                Filter::ChoiceIncludes { question, options } => match self.choices.get(question) {
                    Some(col) => p.steps.push(Step::Choice {
                        col,
                        allowed: codes_of(&mut options.iter().map(|o| o.as_str()), &col.options),
                    }),
                    None => p.empty = true,
                },
                Filter::Respondents(allowed) => {
                    let mut allowed = allowed.as_ref().clone();
                    allowed.resize(self.respondents.len() + 1, false);
                    p.steps.push(Step::Respondents { allowed });
                }
                Filter::AttributeEquals { key, value } => match self.attribute(key)? {
                    Some(col) => match col.values.get(value) {
                        Some(code) => p.steps.push(Step::Attribute {
                            col: std::borrow::Cow::Borrowed(col),
                            code,
                        }),
                        None => p.empty = true,
                    },
                    None => p.empty = true,
                },
                Filter::Labelled { labels, value } => {
                    let col = self.label_column(labels);
                    match col.values.get(value) {
                        Some(code) => p.steps.push(Step::Attribute {
                            col: std::borrow::Cow::Owned(col),
                            code,
                        }),
                        None => p.empty = true,
                    }
                }
            }
        }
        // The rows' actual time range bounds the buckets a grouping needs.
        let data = self.zones.iter().fold((i64::MAX, i64::MIN), |(lo, hi), z| {
            (lo.min(z.0), hi.max(z.1))
        });
        if let Some((a, b)) = p.time
            && a >= b
        {
            p.empty = true;
        }
        for g in group_by {
            let dim = match g {
                GroupBy::Touchpoint => Dim::Codes {
                    col: CodeCol::Touchpoint,
                    map: None,
                    card: self.touchpoints.len() as u32,
                },
                GroupBy::Locale => Dim::Codes {
                    col: CodeCol::Locale,
                    map: None,
                    card: self.locales.len() as u32,
                },
                GroupBy::Channel => Dim::Codes {
                    col: CodeCol::Channel,
                    map: None,
                    card: Channel::ALL.len() as u32,
                },
                GroupBy::Survey => Dim::Codes {
                    col: CodeCol::Sv,
                    map: Some(self.survey_versions.iter().map(|&(s, _)| s).collect()),
                    card: self.surveys.len() as u32,
                },
                GroupBy::Time(buckets) => {
                    let (a, b) = p.time.unwrap_or((MIN_MS, MAX_MS + 1));
                    let (lo, hi) = (a.max(data.0), b.min(data.1.saturating_add(1)));
                    if lo >= hi || p.empty {
                        p.empty = true;
                        Dim::Missing { choice: false }
                    } else {
                        Dim::Time(buckets.covering(lo, hi)?)
                    }
                }
                GroupBy::Labels(labels) => {
                    let col = self.label_column(labels);
                    let card = col.values.len() as u32 + 1;
                    Dim::Attribute {
                        col: std::borrow::Cow::Owned(col),
                        card,
                    }
                }
                GroupBy::Attribute(key) => match self.attribute(key)? {
                    Some(col) => Dim::Attribute {
                        col: std::borrow::Cow::Borrowed(col),
                        card: col.values.len() as u32 + 1,
                    },
                    None => Dim::Missing { choice: false },
                },
                GroupBy::Choice(q) => match self.choices.get(q) {
                    Some(col) => Dim::Choice {
                        col,
                        card: col.options.len() as u32 + 1,
                    },
                    None => Dim::Missing { choice: true },
                },
            };
            p.groups = p.groups.saturating_mul(dim.card().max(1));
            p.dims.push(dim);
        }
        Ok(p)
    }

    fn attribute(&self, key: &str) -> Result<Option<&AttributeColumn>, IndexError> {
        match self.attribute_keys.get(key) {
            Some(k) => {
                let col = &self.attributes[k as usize];
                if col.overflowed {
                    Err(IndexError::AttributeNotIndexed(key.to_string()))
                } else {
                    Ok(Some(col))
                }
            }
            None => Ok(None),
        }
    }

    fn group_key(&self, plan: &Plan<'_>, mut slot: u64) -> GroupKey {
        let mut values = Vec::with_capacity(plan.dims.len());
        for dim in plan.dims.iter().rev() {
            let card = dim.card();
            let code = (slot % card) as u32;
            slot /= card;
            values.push(match dim {
                Dim::Codes { col, .. } => match col {
                    CodeCol::Touchpoint => {
                        GroupValue::Touchpoint(self.touchpoints.name(code).to_string())
                    }
                    CodeCol::Locale => GroupValue::Locale(self.locales.name(code).to_string()),
                    CodeCol::Channel => GroupValue::Channel(Channel::ALL[code as usize]),
                    // The slot holds the survey code (`map` was applied when scanning).
                    CodeCol::Sv => GroupValue::Survey(self.surveys.name(code).to_string()),
                },
                Dim::Time(t) => GroupValue::Time(TimeBucket {
                    start_ms: t.starts[code as usize],
                    label: t.labels[code as usize].clone(),
                }),
                Dim::Attribute { col, card } => GroupValue::Attribute(
                    (code + 1 < *card).then(|| col.values.name(code).to_string()),
                ),
                Dim::Choice { col, card } => GroupValue::Choice(
                    (code + 1 < *card).then(|| col.options.name(code).to_string()),
                ),
                Dim::Missing { choice: true } => GroupValue::Choice(None),
                Dim::Missing { choice: false } => GroupValue::Attribute(None),
            });
        }
        values.reverse();
        GroupKey(values)
    }

    fn count(&self, plan: &Plan<'_>, src: Source<'_>, width: u64) -> Counts {
        let groups = plan.groups;
        let mut parts = self.scan(plan, src, &|| Counts::new(groups, width));
        let mut total = parts.pop().unwrap_or_else(|| Counts::new(groups, width));
        for p in parts {
            total.merge(p);
        }
        total
    }

    fn collect(&self, plan: &Plan<'_>, src: Source<'_>) -> Collect {
        let mut all = Collect::default();
        for part in self.scan(plan, src, &Collect::default) {
            all.rows.extend(part.rows);
            all.vals.extend(part.vals);
        }
        all
    }

    /// Runs the plan over every zone, split over threads for large sources; one sink per
    /// part, in row order.
    fn scan<S: Sink>(
        &self,
        plan: &Plan<'_>,
        src: Source<'_>,
        new: &(dyn Fn() -> S + Sync),
    ) -> Vec<S> {
        if plan.empty || self.zones.is_empty() {
            return Vec::new();
        }
        let entries = match src {
            Source::Sparse { rows, .. } => rows.len(),
            Source::AllRows => self.created.len(),
        };
        let threads = if entries >= PARALLEL_MIN {
            std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
        } else {
            1
        };
        // Only zones that can hold rows in the time range are shared out, so each thread gets
        // an equal part of the real work.
        let (mut z0, mut z1) = (0, self.zones.len());
        if let Some((from, to)) = plan.time {
            let hit = |z: &(i64, i64)| z.1 >= from && z.0 < to;
            z0 = self.zones.iter().position(hit).unwrap_or(z1);
            z1 = self.zones.iter().rposition(hit).map_or(z0, |z| z + 1);
        }
        let nz = z1 - z0;
        let per = nz.div_ceil(threads).max(1);
        let ranges: Vec<(usize, usize)> = (0..threads)
            .map(|t| (z0 + t * per, (z0 + (t + 1) * per).min(z1)))
            .filter(|(a, b)| a < b)
            .collect();
        if ranges.len() <= 1 {
            let mut sink = new();
            self.scan_zones(plan, src, z0, z1, &mut sink);
            return vec![sink];
        }
        std::thread::scope(|s| {
            let handles: Vec<_> = ranges
                .iter()
                .map(|&(a, b)| {
                    s.spawn(move || {
                        let mut sink = new();
                        self.scan_zones(plan, src, a, b, &mut sink);
                        sink
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        })
    }

    fn scan_zones<S: Sink>(
        &self,
        plan: &Plan<'_>,
        src: Source<'_>,
        z0: usize,
        z1: usize,
        sink: &mut S,
    ) {
        let mut b = Block::default();
        let nrows = self.created.len();
        let mut pos = match src {
            Source::Sparse { rows, .. } => rows.partition_point(|&r| (r as usize) < z0 * ZONE),
            Source::AllRows => 0,
        };
        for z in z0..z1 {
            let (r0, r1) = (z * ZONE, ((z + 1) * ZONE).min(nrows));
            let (lo, hi) = self.zones[z];
            let mut check_time = None;
            if let Some((from, to)) = plan.time {
                if hi < from || lo >= to {
                    if let Source::Sparse { rows, .. } = src {
                        pos += rows[pos..].partition_point(|&r| (r as usize) < r1);
                    }
                    continue;
                }
                if !(lo >= from && hi < to) {
                    check_time = Some((from, to));
                }
            }
            b.rows.clear();
            b.vals.clear();
            match src {
                Source::Sparse { rows, vals } => {
                    let end = pos + rows[pos..].partition_point(|&r| (r as usize) < r1);
                    b.rows.extend_from_slice(&rows[pos..end]);
                    b.vals.extend_from_slice(&vals[pos..end]);
                    pos = end;
                }
                Source::AllRows => {
                    b.rows.extend(r0 as u32..r1 as u32);
                    b.vals.resize(r1 - r0, 0);
                }
            }
            self.run_block(plan, check_time, &mut b);
            if !b.rows.is_empty() {
                sink.take(&b.rows, &b.vals, &b.slots);
            }
        }
    }

    fn run_block(&self, plan: &Plan<'_>, time: Option<(i64, i64)>, b: &mut Block) {
        let flags = &self.flags;
        let (mask, want) = (plan.flag_mask, plan.flag_want);
        if mask != 0 {
            retain(b, |r| flags[r as usize] & mask == want);
        }
        if let Some((from, to)) = time {
            let created = &self.created;
            retain(b, |r| {
                let t = created[r as usize];
                t >= from && t < to
            });
        }
        for step in &plan.steps {
            if b.rows.is_empty() {
                return;
            }
            match step {
                Step::Codes { col, allowed } => match col {
                    CodeCol::Channel => {
                        let ch = &self.channel;
                        retain(b, |r| allowed[usize::from(ch[r as usize])]);
                    }
                    CodeCol::Sv => retain_codes(&self.sv, allowed, b),
                    CodeCol::Touchpoint => retain_codes(&self.touchpoint, allowed, b),
                    CodeCol::Locale => retain_codes(&self.locale, allowed, b),
                },
                Step::Respondents { allowed } => retain_codes(&self.respondent, allowed, b),
                Step::Choice { col, allowed } => {
                    let mut at = col.rows.partition_point(|&r| r < b.rows[0]);
                    retain(b, |r| {
                        seek(&col.rows, &mut at, r)
                            && col
                                .options_of(at)
                                .any(|i| allowed[col.opts.get(i) as usize])
                    });
                }
                Step::Attribute { col, code } => {
                    let mut at = col.rows.partition_point(|&r| r < b.rows[0]);
                    retain(b, |r| {
                        seek(&col.rows, &mut at, r) && col.codes.get(at) == *code
                    });
                }
            }
        }
        b.slots.clear();
        b.slots.resize(b.rows.len(), 0);
        for dim in &plan.dims {
            if b.rows.is_empty() {
                return;
            }
            let card = dim.card();
            match dim {
                Dim::Codes { col, map, .. } => {
                    let map = map.as_deref();
                    match col {
                        CodeCol::Channel => {
                            let ch = &self.channel;
                            for (s, &r) in b.slots.iter_mut().zip(&b.rows) {
                                *s = *s * card + u64::from(ch[r as usize]);
                            }
                        }
                        CodeCol::Sv => slot_codes(&self.sv, map, card, b),
                        CodeCol::Touchpoint => slot_codes(&self.touchpoint, map, card, b),
                        CodeCol::Locale => slot_codes(&self.locale, map, card, b),
                    }
                }
                Dim::Time(table) => {
                    let created = &self.created;
                    for (s, &r) in b.slots.iter_mut().zip(&b.rows) {
                        *s = *s * card + u64::from(table.bucket(created[r as usize]));
                    }
                }
                Dim::Missing { .. } => {
                    for s in &mut b.slots {
                        *s *= card;
                    }
                }
                Dim::Attribute { col, .. } => {
                    let missing = card - 1;
                    let mut at = col.rows.partition_point(|&r| r < b.rows[0]);
                    for (s, &r) in b.slots.iter_mut().zip(&b.rows) {
                        let code = if seek(&col.rows, &mut at, r) {
                            u64::from(col.codes.get(at))
                        } else {
                            missing
                        };
                        *s = *s * card + code;
                    }
                }
                Dim::Choice { col, .. } => {
                    // One entry per selected option: the block may grow.
                    let missing = card - 1;
                    let mut at = col.rows.partition_point(|&r| r < b.rows[0]);
                    b.rows2.clear();
                    b.vals2.clear();
                    b.slots2.clear();
                    for i in 0..b.rows.len() {
                        let (r, v, s) = (b.rows[i], b.vals[i], b.slots[i] * card);
                        if seek(&col.rows, &mut at, r) && !col.options_of(at).is_empty() {
                            for o in col.options_of(at) {
                                b.rows2.push(r);
                                b.vals2.push(v);
                                b.slots2.push(s + u64::from(col.opts.get(o)));
                            }
                        } else {
                            b.rows2.push(r);
                            b.vals2.push(v);
                            b.slots2.push(s + missing);
                        }
                    }
                    std::mem::swap(&mut b.rows, &mut b.rows2);
                    std::mem::swap(&mut b.vals, &mut b.vals2);
                    std::mem::swap(&mut b.slots, &mut b.slots2);
                }
            }
        }
    }
}

fn source<'a>(rows: &'a [u32], vals: &'a [u8]) -> Source<'a> {
    Source::Sparse { rows, vals }
}

/// Advances `at` in the ascending `rows` to the first entry `>= row`; true if it is `row`.
/// Rows asked for must not decrease between calls.
#[inline]
fn seek(rows: &[u32], at: &mut usize, row: u32) -> bool {
    while *at < rows.len() && rows[*at] < row {
        *at += 1;
    }
    *at < rows.len() && rows[*at] == row
}

/// Keeps the entries whose row passes `keep`, in order, without branching on the outcome.
#[inline]
fn retain(b: &mut Block, mut keep: impl FnMut(u32) -> bool) {
    let mut w = 0;
    for i in 0..b.rows.len() {
        let r = b.rows[i];
        let v = b.vals[i];
        b.rows[w] = r;
        b.vals[w] = v;
        w += usize::from(keep(r));
    }
    b.rows.truncate(w);
    b.vals.truncate(w);
}

fn retain_codes(col: &Codes, allowed: &[bool], b: &mut Block) {
    match col {
        Codes::U8(v) => retain(b, |r| allowed[usize::from(v[r as usize])]),
        Codes::U16(v) => retain(b, |r| allowed[usize::from(v[r as usize])]),
        Codes::U32(v) => retain(b, |r| allowed[v[r as usize] as usize]),
    }
}

fn slot_codes(col: &Codes, map: Option<&[u32]>, card: u64, b: &mut Block) {
    col.gather(&b.rows, &mut b.tmp);
    if let Some(m) = map {
        for c in &mut b.tmp {
            *c = m[*c as usize];
        }
    }
    for (s, &c) in b.slots.iter_mut().zip(&b.tmp) {
        *s = *s * card + u64::from(c);
    }
}

/// Rebuilds the answers that survey logic reads (scores and choices, and presence for the
/// rest) of one fact, for `Survey::visibility`.
struct AnswerValues<'a> {
    def: &'a Survey,
    scores: Vec<Vec<(&'a ScoreColumn, usize)>>,
    choices: Vec<Option<(&'a ChoiceColumn, usize)>>,
}

impl<'a> AnswerValues<'a> {
    fn new(index: &'a FactIndex, def: &'a Survey) -> Self {
        AnswerValues {
            def,
            scores: def
                .questions
                .iter()
                .map(|q| {
                    index
                        .scores
                        .get(&QuestionKey::question(q.id.clone()))
                        .map(|cols| cols.iter().map(|c| (c, 0)).collect())
                        .unwrap_or_default()
                })
                .collect(),
            choices: def
                .questions
                .iter()
                .map(|q| index.choices.get(&q.id).map(|c| (c, 0)))
                .collect(),
        }
    }

    fn answers(&mut self, row: u32, answered: &[bool]) -> Answers {
        let mut out = Answers::new();
        for (i, q) in self.def.questions.iter().enumerate() {
            let score = self.scores[i]
                .iter_mut()
                .find_map(|(c, at)| seek(&c.rows, at, row).then(|| c.min + i64::from(c.vals[*at])));
            let selected: Option<Vec<OptionId>> = self.choices[i].as_mut().and_then(|(c, at)| {
                seek(&c.rows, at, row).then(|| {
                    c.options_of(*at)
                        .filter_map(|o| OptionId::parse(c.options.name(c.opts.get(o))).ok())
                        .collect()
                })
            });
            if !answered[i] {
                continue;
            }
            let answer = match (score, selected, &q.kind) {
                (Some(s), _, _) => Answer::Score(s),
                (_, Some(mut sel), QuestionKind::SingleChoice { .. }) if sel.len() == 1 => {
                    Answer::Choice(sel.remove(0))
                }
                (_, Some(selected), _) => Answer::Choices {
                    selected,
                    other: None,
                },
                // Conditions only test whether these are answered.
                _ => Answer::Text(String::new()),
            };
            out.insert(q.id.clone(), answer);
        }
        out
    }
}

/// Counts the answer patterns of `rows` (the outcome's, with their values) into a dense
/// array. Rows go in cache-sized chunks; per chunk, a merge of the sorted row lists per
/// driver column builds each row's mixed-radix pattern number, so the inner loops are
/// branch-light, allocation-free and stay in cache.
#[allow(clippy::too_many_arguments)]
fn count_dense(
    counts: &mut [u64],
    rows: &[u32],
    vals: &[u8],
    outcome: &ScoreColumn,
    out_lo: i64,
    radix: &[u128],
    driver_cols: &[Vec<(&ScoreColumn, usize)>],
    spans: &[(i64, u128)],
) {
    const CHUNK: usize = 4096;
    let offset = (outcome.min - out_lo + 1) as u32;
    let span = (rows[rows.len() - 1] - rows[0]) as usize + 1;
    if span <= rows.len() * 16 {
        return count_dense_scatter(counts, rows, vals, offset, radix, driver_cols, spans);
    }
    // One cursor per driver column, from where the first row would be.
    let mut cursors: Vec<Vec<usize>> = driver_cols
        .iter()
        .map(|cols| {
            cols.iter()
                .map(|(c, _)| c.rows.partition_point(|&r| r < rows[0]))
                .collect()
        })
        .collect();
    let mut idx = [0u32; CHUNK];
    let mut code = [0u16; CHUNK];
    for (rows, vals) in rows.chunks(CHUNK).zip(vals.chunks(CHUNK)) {
        let n = rows.len();
        for (x, &v) in idx[..n].iter_mut().zip(vals) {
            *x = u32::from(v) + offset;
        }
        for (j, cols) in driver_cols.iter().enumerate() {
            code[..n].fill(0);
            for ((c, _), at) in cols.iter().zip(cursors[j].iter_mut()) {
                let end = c.rows.len();
                if end == 0 {
                    continue;
                }
                let shift = (c.min - spans[j].0 + 1) as u16;
                let (crows, cvals) = (&c.rows[..], &c.vals[..]);
                let mut a = *at;
                for (i, &row) in rows.iter().enumerate() {
                    // Driver rows of facts filtered out are skipped (rare, so predictable);
                    // the match itself is branch-free, as about half the rows answer. An
                    // earlier column of the same key (another scale) keeps its answer.
                    while a < end && crows[a] < row {
                        a += 1;
                    }
                    let k = a.min(end - 1);
                    let hit = a < end && crows[k] == row;
                    let v = u16::from(cvals[k]) + shift;
                    code[i] = if hit && code[i] == 0 { v } else { code[i] };
                    a += usize::from(hit);
                }
                *at = a;
            }
            let r = radix[j + 1] as u32;
            for (x, &c) in idx[..n].iter_mut().zip(&code[..n]) {
                *x = *x * r + u32::from(c);
            }
        }
        for &x in &idx[..n] {
            counts[x as usize] += 1;
        }
    }
}

/// [`count_dense`] for rows that are dense in the index (at least one in 16): a map from row
/// to position lets each driver column be read straight through, with no merge.
fn count_dense_scatter(
    counts: &mut [u64],
    rows: &[u32],
    vals: &[u8],
    offset: u32,
    radix: &[u128],
    driver_cols: &[Vec<(&ScoreColumn, usize)>],
    spans: &[(i64, u128)],
) {
    let (first, last) = (rows[0], rows[rows.len() - 1]);
    // Position + 1 of each row in `rows`; 0 for rows not among them.
    let mut pos = vec![0u32; (last - first) as usize + 1];
    for (i, &r) in rows.iter().enumerate() {
        pos[(r - first) as usize] = i as u32 + 1;
    }
    let mut idx: Vec<u32> = vals.iter().map(|&v| u32::from(v) + offset).collect();
    let mut code = vec![0u16; rows.len()];
    for (j, cols) in driver_cols.iter().enumerate() {
        code.fill(0);
        for (c, _) in cols {
            let shift = (c.min - spans[j].0 + 1) as u16;
            let lo = c.rows.partition_point(|&r| r < first);
            let hi = c.rows.partition_point(|&r| r <= last);
            for (&r, &v) in c.rows[lo..hi].iter().zip(&c.vals[lo..hi]) {
                let p = pos[(r - first) as usize];
                if p != 0 {
                    // An earlier column of the same key (another scale) keeps its answer.
                    let slot = &mut code[p as usize - 1];
                    if *slot == 0 {
                        *slot = u16::from(v) + shift;
                    }
                }
            }
        }
        let r = radix[j + 1] as u32;
        for (x, &c) in idx.iter_mut().zip(&code) {
            *x = *x * r + u32::from(c);
        }
    }
    for x in idx {
        counts[x as usize] += 1;
    }
}

/// Counts of distinct code tuples: a dense array while the tuple space is small, a hash map
/// beyond.
enum Patterns {
    Dense { radix: Vec<u128>, counts: Vec<u64> },
    Sparse(HashMap<Vec<u16>, u64>),
}

/// Largest tuple space counted in a dense array (32 MiB of counts).
const MAX_DENSE_PATTERNS: u128 = 1 << 22;

impl Patterns {
    fn new(radix: Vec<u128>) -> Self {
        let space = radix.iter().try_fold(1u128, |acc, &r| acc.checked_mul(r));
        match space {
            Some(n) if n <= MAX_DENSE_PATTERNS => Patterns::Dense {
                radix,
                counts: vec![0; n as usize],
            },
            _ => Patterns::Sparse(HashMap::new()),
        }
    }

    #[inline]
    fn add(&mut self, codes: &[u16]) {
        match self {
            Patterns::Dense { radix, counts } => {
                // The dense space is below 2^22, so every partial index fits a usize.
                let mut i = 0usize;
                for (&c, &r) in codes.iter().zip(radix.iter()) {
                    i = i * r as usize + usize::from(c);
                }
                counts[i] += 1;
            }
            Patterns::Sparse(map) => *map.entry(codes.to_vec()).or_default() += 1,
        }
    }

    fn merge(&mut self, other: Patterns) {
        match (self, other) {
            (Patterns::Dense { counts, .. }, Patterns::Dense { counts: more, .. }) => {
                for (c, m) in counts.iter_mut().zip(more) {
                    *c += m;
                }
            }
            (Patterns::Sparse(map), Patterns::Sparse(more)) => {
                for (k, n) in more {
                    *map.entry(k).or_default() += n;
                }
            }
            _ => unreachable!("parts of one count share its layout"),
        }
    }

    fn into_counts(self) -> Vec<(Vec<u16>, u64)> {
        match self {
            Patterns::Dense { radix, counts } => counts
                .into_iter()
                .enumerate()
                .filter(|&(_, n)| n > 0)
                .map(|(i, n)| {
                    let mut rest = i as u128;
                    let mut codes = vec![0u16; radix.len()];
                    for (c, &r) in codes.iter_mut().zip(radix.iter()).rev() {
                        *c = (rest % r) as u16;
                        rest /= r;
                    }
                    (codes, n)
                })
                .collect(),
            Patterns::Sparse(map) => map.into_iter().collect(),
        }
    }
}
