//! `FactIndex`: the columns, appending and replacing facts, removal and compaction.

use std::collections::HashMap;

use puls_core::{Channel, QuestionId};

use crate::IndexError;
use crate::columns::{Codes, Dict, IdMap, id_key};
use crate::fact::{Fact, QuestionKey};
use crate::time::{MAX_MS, MIN_MS};

/// An attribute key with more distinct values than this (an order number, say) stops being
/// indexed: its values are dropped and queries on it fail with
/// [`IndexError::AttributeNotIndexed`]. Segments are for grouping, not for identifiers.
pub const MAX_ATTRIBUTE_VALUES: usize = 4096;

/// Rows per zone: the unit of zone maps, work splitting and scan blocks.
pub(crate) const ZONE: usize = 4096;

pub(crate) const DEAD: u8 = 1;
pub(crate) const COMPLETED: u8 = 2;
pub(crate) const CONTACT: u8 = 4;

/// Dead rows are compacted away once they are this share of all rows (and at least
/// [`MIN_COMPACT`]): each compaction copies the live rows once, so with a quarter the
/// amortised cost is a few row copies per upsert.
const COMPACT_SHARE: usize = 4;
const MIN_COMPACT: usize = 4096;

/// The scores of one question key on one scale: ascending rows and `score − min`.
#[derive(Debug, Clone)]
pub(crate) struct ScoreColumn {
    pub(crate) min: i64,
    pub(crate) max: i64,
    pub(crate) rows: Vec<u32>,
    pub(crate) vals: Vec<u8>,
}

/// Selected options per row (CSR: the options of entry `i` are
/// `opts[ends[i - 1]..ends[i]]`), with the question's option dictionary.
#[derive(Debug, Clone, Default)]
pub(crate) struct ChoiceColumn {
    pub(crate) options: Dict,
    pub(crate) rows: Vec<u32>,
    pub(crate) ends: Vec<u32>,
    pub(crate) opts: Codes,
}

impl ChoiceColumn {
    pub(crate) fn options_of(&self, entry: usize) -> std::ops::Range<usize> {
        let start = if entry == 0 {
            0
        } else {
            self.ends[entry - 1] as usize
        };
        start..self.ends[entry] as usize
    }
}

/// Kano pairs: ascending rows and `functional × 5 + dysfunctional` (indices into
/// `KanoAnswer::ALL`).
#[derive(Debug, Clone, Default)]
pub(crate) struct KanoColumn {
    pub(crate) rows: Vec<u32>,
    pub(crate) pairs: Vec<u8>,
}

/// One attribute key: ascending rows and value codes; `overflowed` once it had too many
/// values (then `rows` and `codes` are emptied for good).
#[derive(Debug, Clone, Default)]
pub(crate) struct AttributeColumn {
    pub(crate) values: Dict,
    pub(crate) rows: Vec<u32>,
    pub(crate) codes: Codes,
    pub(crate) overflowed: bool,
}

/// What [`FactIndex::upsert`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    /// The id was new (or had been removed).
    Inserted,
    /// The id's earlier fact was replaced (a partial response completed or updated).
    Replaced,
}

/// The facts of one workspace in columns. See the crate documentation for the layout.
///
/// Single writer, many readers: wrap it in a lock (or swap snapshots) to share it; queries
/// take `&self`.
#[derive(Debug, Clone, Default)]
pub struct FactIndex {
    pub(crate) ids: IdMap,
    pub(crate) created: Vec<i64>,
    /// Code of the (survey, version) pair.
    pub(crate) sv: Codes,
    pub(crate) touchpoint: Codes,
    pub(crate) locale: Codes,
    /// Respondent key code plus one; 0 for an anonymous response.
    pub(crate) respondent: Codes,
    /// Index into `Channel::ALL`.
    pub(crate) channel: Vec<u8>,
    pub(crate) flags: Vec<u8>,
    /// Min and max `created` per [`ZONE`] rows, dead rows included.
    pub(crate) zones: Vec<(i64, i64)>,
    pub(crate) dead: usize,

    pub(crate) surveys: Dict,
    /// (survey code, version) per sv code.
    pub(crate) survey_versions: Vec<(u32, i64)>,
    sv_codes: HashMap<(u32, i64), u32>,
    pub(crate) touchpoints: Dict,
    pub(crate) locales: Dict,
    pub(crate) respondents: Dict,

    pub(crate) scores: HashMap<QuestionKey, Vec<ScoreColumn>>,
    pub(crate) choices: HashMap<QuestionId, ChoiceColumn>,
    pub(crate) kano: HashMap<QuestionId, KanoColumn>,
    /// Answered questions that have no score, choice or Kano entry in the fact.
    pub(crate) answered: HashMap<QuestionId, Vec<u32>>,
    pub(crate) attribute_keys: Dict,
    pub(crate) attributes: Vec<AttributeColumn>,
}

pub(crate) fn channel_code(c: Channel) -> u8 {
    Channel::ALL.iter().position(|&x| x == c).unwrap_or(0) as u8
}

impl FactIndex {
    pub fn new() -> Self {
        Self::default()
    }

    /// Live facts.
    pub fn len(&self) -> usize {
        self.created.len() - self.dead
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Rows held, dead ones included (they go at the next compaction).
    pub fn rows(&self) -> usize {
        self.created.len()
    }

    /// Adds a fact, replacing the live fact with the same id if there is one.
    ///
    /// The fact is checked first (timestamp range, scores on valid scales, no key answered
    /// twice); a refused fact leaves the index unchanged.
    pub fn upsert(&mut self, fact: Fact) -> Result<Upserted, IndexError> {
        check(&fact)?;
        if self.created.len() >= u32::MAX as usize - 1 {
            self.compact();
            if self.created.len() >= u32::MAX as usize - 1 {
                return Err(IndexError::Full);
            }
        }
        let key = id_key(&fact.id);
        let replaced = self.kill(key);
        let row = self.created.len() as u32;
        self.ids.push(key);
        self.created.push(fact.created_at_ms);
        let z = row as usize / ZONE;
        if z == self.zones.len() {
            self.zones.push((fact.created_at_ms, fact.created_at_ms));
        } else {
            let zone = &mut self.zones[z];
            zone.0 = zone.0.min(fact.created_at_ms);
            zone.1 = zone.1.max(fact.created_at_ms);
        }
        let survey = self.surveys.intern(&fact.survey);
        let next = self.survey_versions.len() as u32;
        let sv = *self
            .sv_codes
            .entry((survey, fact.survey_version))
            .or_insert(next);
        if sv == next {
            self.survey_versions.push((survey, fact.survey_version));
        }
        self.sv.push(sv);
        self.touchpoint
            .push(self.touchpoints.intern(fact.touchpoint.as_str()));
        self.locale.push(self.locales.intern(fact.locale.as_str()));
        self.respondent.push(match &fact.respondent {
            Some(r) => self.respondents.intern(r) + 1,
            None => 0,
        });
        self.channel.push(channel_code(fact.channel));
        self.flags.push(
            if fact.completed { COMPLETED } else { 0 } | if fact.has_contact { CONTACT } else { 0 },
        );
        for s in &fact.scores {
            let cols = self.scores.entry(s.key.clone()).or_default();
            let at = match cols.iter().position(|c| (c.min, c.max) == s.scale) {
                Some(i) => i,
                None => {
                    cols.push(ScoreColumn {
                        min: s.scale.0,
                        max: s.scale.1,
                        rows: Vec::new(),
                        vals: Vec::new(),
                    });
                    cols.len() - 1
                }
            };
            cols[at].rows.push(row);
            // Checked above: 0 ≤ value − min ≤ 100.
            cols[at].vals.push((s.value - s.scale.0) as u8);
        }
        for (q, options) in &fact.choices {
            let col = self.choices.entry(q.clone()).or_default();
            col.rows.push(row);
            for o in options {
                let code = col.options.intern(o.as_str());
                col.opts.push(code);
            }
            let end = col.opts_len() as u32;
            col.ends.push(end);
        }
        for (q, f, d) in &fact.kano {
            let col = self.kano.entry(q.clone()).or_default();
            col.rows.push(row);
            col.pairs.push(kano_code(*f) * 5 + kano_code(*d));
        }
        for q in &fact.answered {
            let has_value = fact.scores.iter().any(|s| &s.key.question == q)
                || fact.choices.iter().any(|(c, _)| c == q)
                || fact.kano.iter().any(|(k, _, _)| k == q);
            if !has_value {
                let rows = self.answered.entry(q.clone()).or_default();
                if rows.last() != Some(&row) {
                    rows.push(row);
                }
            }
        }
        for (k, v) in &fact.attributes {
            let key = self.attribute_keys.intern(k) as usize;
            if key == self.attributes.len() {
                self.attributes.push(AttributeColumn::default());
            }
            let col = &mut self.attributes[key];
            if col.overflowed {
                continue;
            }
            let code = col.values.intern(v);
            if col.values.len() > MAX_ATTRIBUTE_VALUES {
                *col = AttributeColumn {
                    overflowed: true,
                    ..AttributeColumn::default()
                };
                continue;
            }
            col.rows.push(row);
            col.codes.push(code);
        }
        self.maybe_compact();
        Ok(if replaced {
            Upserted::Replaced
        } else {
            Upserted::Inserted
        })
    }

    /// Removes the fact with this id; false if there was none.
    pub fn remove(&mut self, id: &str) -> bool {
        let removed = self.kill(id_key(id));
        if removed {
            self.maybe_compact();
        }
        removed
    }

    /// Removes every fact of `survey` (all versions); how many there were.
    pub fn remove_survey(&mut self, survey: &str) -> usize {
        let Some(code) = self.surveys.get(survey) else {
            return 0;
        };
        let of_survey: Vec<bool> = self
            .survey_versions
            .iter()
            .map(|(s, _)| *s == code)
            .collect();
        let mut n = 0;
        for row in 0..self.created.len() {
            if of_survey[self.sv.get(row) as usize] && self.flags[row] & DEAD == 0 {
                self.flags[row] |= DEAD;
                self.dead += 1;
                n += 1;
            }
        }
        if n > 0 {
            self.maybe_compact();
        }
        n
    }

    /// Whether a live fact has this id.
    pub fn contains(&self, id: &str) -> bool {
        self.ids
            .find(id_key(id))
            .is_some_and(|r| self.flags[r as usize] & DEAD == 0)
    }

    fn kill(&mut self, key: u128) -> bool {
        match self.ids.find(key) {
            Some(row) if self.flags[row as usize] & DEAD == 0 => {
                self.flags[row as usize] |= DEAD;
                self.dead += 1;
                true
            }
            _ => false,
        }
    }

    fn maybe_compact(&mut self) {
        if self.dead >= MIN_COMPACT && self.dead * COMPACT_SHARE >= self.created.len() {
            self.compact();
        }
    }

    /// Every respondent key with its code (see [`crate::Filter::Respondents`]).
    pub fn respondents(&self) -> impl Iterator<Item = (u32, &str)> {
        (0..self.respondents.len() as u32).map(|c| (c + 1, self.respondents.name(c)))
    }

    /// The number of respondent codes, 0 (anonymous) included: the length of a
    /// [`crate::Filter::Respondents`] list.
    pub fn respondent_codes(&self) -> usize {
        self.respondents.len() + 1
    }

    /// Every live score of `key` given by a known respondent (at `touchpoint` only, when
    /// given): (respondent code, when, score).
    pub fn scores_by_respondent(
        &self,
        key: &QuestionKey,
        touchpoint: Option<&str>,
    ) -> Vec<(u32, i64, i64)> {
        let mut out = Vec::new();
        let tp = match touchpoint {
            Some(t) => match self.touchpoints.get(t) {
                Some(code) => Some(code),
                None => return out,
            },
            None => None,
        };
        for col in self.scores.get(key).into_iter().flatten() {
            for (&row, &v) in col.rows.iter().zip(&col.vals) {
                let r = row as usize;
                let who = self.respondent.get(r);
                if who != 0
                    && self.flags[r] & DEAD == 0
                    && tp.is_none_or(|t| self.touchpoint.get(r) == t)
                {
                    out.push((who, self.created[r], col.min + i64::from(v)));
                }
            }
        }
        out
    }

    /// The scale `key` was first asked on, if any fact answered it.
    pub fn scale_of(&self, key: &QuestionKey) -> Option<(i64, i64)> {
        self.scores
            .get(key)
            .and_then(|cols| cols.first())
            .map(|c| (c.min, c.max))
    }

    /// Drops dead rows now. Runs by itself once they are a quarter of all rows; O(rows).
    pub fn compact(&mut self) {
        if self.dead == 0 {
            return;
        }
        let keep: Vec<bool> = self.flags.iter().map(|f| f & DEAD == 0).collect();
        let mut new_row = vec![u32::MAX; keep.len()];
        let mut n = 0u32;
        for (r, &k) in keep.iter().enumerate() {
            if k {
                new_row[r] = n;
                n += 1;
            }
        }
        let retain = |v: &mut Vec<i64>| {
            let mut i = 0;
            v.retain(|_| {
                i += 1;
                keep[i - 1]
            });
        };
        retain(&mut self.created);
        let retain8 = |v: &mut Vec<u8>| {
            let mut i = 0;
            v.retain(|_| {
                i += 1;
                keep[i - 1]
            });
        };
        retain8(&mut self.channel);
        retain8(&mut self.flags);
        self.sv.retain_positions(&keep);
        self.touchpoint.retain_positions(&keep);
        self.locale.retain_positions(&keep);
        self.respondent.retain_positions(&keep);
        self.ids.retain_rows(&keep);
        self.dead = 0;
        self.zones = self
            .created
            .chunks(ZONE)
            .map(|c| {
                c.iter()
                    .fold((i64::MAX, i64::MIN), |(lo, hi), &t| (lo.min(t), hi.max(t)))
            })
            .collect();

        // Sparse columns: keep entries of live rows, renumbered.
        let remap = |rows: &mut Vec<u32>| -> Vec<bool> {
            let keep: Vec<bool> = rows
                .iter()
                .map(|&r| new_row[r as usize] != u32::MAX)
                .collect();
            rows.retain(|&r| new_row[r as usize] != u32::MAX);
            for r in rows.iter_mut() {
                *r = new_row[*r as usize];
            }
            keep
        };
        for cols in self.scores.values_mut() {
            for c in cols.iter_mut() {
                let k = remap(&mut c.rows);
                let mut i = 0;
                c.vals.retain(|_| {
                    i += 1;
                    k[i - 1]
                });
            }
            cols.retain(|c| !c.rows.is_empty());
        }
        self.scores.retain(|_, cols| !cols.is_empty());
        for c in self.kano.values_mut() {
            let k = remap(&mut c.rows);
            let mut i = 0;
            c.pairs.retain(|_| {
                i += 1;
                k[i - 1]
            });
        }
        for rows in self.answered.values_mut() {
            remap(rows);
        }
        for c in self.choices.values_mut() {
            let k = remap(&mut c.rows);
            let mut keep_opt = Vec::with_capacity(c.opts_len());
            let mut ends = Vec::with_capacity(c.rows.len());
            let mut end = 0u32;
            for (entry, &kept) in k.iter().enumerate() {
                let range = c.options_of(entry);
                keep_opt.extend(std::iter::repeat_n(kept, range.len()));
                if kept {
                    end += range.len() as u32;
                    ends.push(end);
                }
            }
            c.opts.retain_positions(&keep_opt);
            c.ends = ends;
        }
        for c in &mut self.attributes {
            let k = remap(&mut c.rows);
            c.codes.retain_positions(&k);
        }
    }

    /// Bytes held by the columns, tables and dictionaries (lengths, not spare capacity:
    /// capacity a vector has reserved but not written is not resident).
    pub fn memory_bytes(&self) -> usize {
        let rows = self.created.len() * 8
            + self.sv.memory_bytes()
            + self.touchpoint.memory_bytes()
            + self.locale.memory_bytes()
            + self.respondent.memory_bytes()
            + self.channel.len()
            + self.flags.len()
            + self.zones.len() * 16
            + self.ids.memory_bytes();
        let dicts = self.surveys.memory_bytes()
            + self.touchpoints.memory_bytes()
            + self.locales.memory_bytes()
            + self.respondents.memory_bytes()
            + self.attribute_keys.memory_bytes()
            + self.survey_versions.len() * 40;
        let scores: usize = self
            .scores
            .values()
            .flatten()
            .map(|c| c.rows.len() * 5 + 64)
            .sum();
        let choices: usize = self
            .choices
            .values()
            .map(|c| c.rows.len() * 8 + c.opts.memory_bytes() + c.options.memory_bytes())
            .sum();
        let kano: usize = self.kano.values().map(|c| c.rows.len() * 5).sum();
        let answered: usize = self.answered.values().map(|r| r.len() * 4).sum();
        let attributes: usize = self
            .attributes
            .iter()
            .map(|c| c.rows.len() * 4 + c.codes.memory_bytes() + c.values.memory_bytes())
            .sum();
        rows + dicts + scores + choices + kano + answered + attributes
    }
}

impl ChoiceColumn {
    pub(crate) fn opts_len(&self) -> usize {
        match &self.opts {
            Codes::U8(v) => v.len(),
            Codes::U16(v) => v.len(),
            Codes::U32(v) => v.len(),
        }
    }
}

pub(crate) fn kano_code(a: puls_core::KanoAnswer) -> u8 {
    puls_core::KanoAnswer::ALL
        .iter()
        .position(|&x| x == a)
        .unwrap_or(0) as u8
}

fn check(fact: &Fact) -> Result<(), IndexError> {
    if !(MIN_MS..=MAX_MS).contains(&fact.created_at_ms) {
        return Err(IndexError::TimeOutOfRange(fact.created_at_ms));
    }
    for (i, s) in fact.scores.iter().enumerate() {
        let (min, max) = s.scale;
        if puls_core::stats::Distribution::new(min, max).is_err() {
            return Err(IndexError::InvalidScale {
                key: s.key.to_string(),
                min,
                max,
            });
        }
        if !(min..=max).contains(&s.value) {
            return Err(IndexError::ScoreOutOfScale {
                key: s.key.to_string(),
                value: s.value,
                min,
                max,
            });
        }
        if fact.scores[..i].iter().any(|t| t.key == s.key) {
            return Err(IndexError::DuplicateAnswer {
                key: s.key.to_string(),
            });
        }
    }
    let dup = |a: &QuestionId| IndexError::DuplicateAnswer { key: a.to_string() };
    for (i, (q, _)) in fact.choices.iter().enumerate() {
        if fact.choices[..i].iter().any(|(b, _)| b == q) {
            return Err(dup(q));
        }
    }
    for (i, (q, _, _)) in fact.kano.iter().enumerate() {
        if fact.kano[..i].iter().any(|(b, _, _)| b == q) {
            return Err(dup(q));
        }
    }
    Ok(())
}
