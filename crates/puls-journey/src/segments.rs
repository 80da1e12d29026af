//! Segment membership: each leaf of a rule becomes the set of live contacts it picks, and
//! the sets are combined (`all` intersects, `any` unites, `not` complements within the live
//! contacts). Behaviour counts a contact's events over all its persons; feedback reads the
//! scores the caller supplies (from the responses index).

use puls_core::Touchpoint;
use puls_core::attribute::{AttributeValue, Predicate};
use puls_core::audience::{ContactField, FeedbackMetric, Rule, Which};
use puls_core::journey::EventMatcher;

use crate::JourneyError;
use crate::contacts::{CONSENT_GRANTED, CONSENT_WITHDRAWN, NONE};
use crate::dict::Bitset;
use crate::events::{Columns, EventStore};
use crate::funnel::{base_condition_bits, condition_bits};
use crate::index::CustomerIndex;

const DAY_MS: i64 = 86_400_000;

/// One score of one contact.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Feedback {
    /// The contact's code (see [`CustomerIndex::contact_for_response`]).
    pub contact: u32,
    pub at_ms: i64,
    pub score: f64,
}

/// What evaluating a segment needs beyond the index.
pub struct SegmentContext<'a> {
    /// "Within N days" counts back from here.
    pub now_ms: i64,
    /// The scores of a metric's questions (optionally at one survey touchpoint), per
    /// contact.
    pub feedback: &'a dyn Fn(FeedbackMetric, Option<&Touchpoint>) -> Vec<Feedback>,
}

/// Which events one matcher takes: by name code, and by position where it has conditions.
pub(crate) struct MatcherBits {
    names: Vec<bool>,
    cond: Option<(std::sync::Arc<Bitset>, Bitset)>,
}

impl MatcherBits {
    pub(crate) fn new(ev: &EventStore, m: &EventMatcher) -> Result<Self, JourneyError> {
        let names = (0..ev.names.len())
            .map(|n| m.matches_name(ev.name_kind[n], ev.name_text(n as u32)))
            .collect();
        let cond = if m.conditions.is_empty() {
            None
        } else {
            Some((
                base_condition_bits(ev, m)?,
                condition_bits(ev, &ev.delta, m)?,
            ))
        };
        Ok(MatcherBits { names, cond })
    }

    #[inline]
    fn hit(&self, cols: &Columns, delta: bool, pos: usize) -> bool {
        self.names[cols.name[pos] as usize]
            && self.cond.as_ref().is_none_or(|(b, d)| {
                if delta {
                    d.contains(pos)
                } else {
                    b.contains(pos)
                }
            })
    }
}

impl CustomerIndex {
    /// The live contacts a rule picks, as a set of contact codes.
    pub fn segment_members(
        &self,
        rule: &Rule,
        ctx: &SegmentContext<'_>,
    ) -> Result<Bitset, JourneyError> {
        let n = self.contacts.len();
        let live = self.live_contacts();
        let set = match rule {
            Rule::All(rules) => {
                let mut set = live.clone();
                for r in rules {
                    set.and(&self.segment_members(r, ctx)?);
                }
                set
            }
            Rule::Any(rules) => {
                let mut set = Bitset::new(n);
                for r in rules {
                    set.or(&self.segment_members(r, ctx)?);
                }
                set
            }
            Rule::Not(r) => {
                let mut set = self.segment_members(r, ctx)?;
                set.not();
                set
            }
            Rule::Attribute { key, predicate } => {
                let mut set = Bitset::new(n);
                let col = self.contacts.attributes.get(key.as_str());
                let passing: Vec<bool> = col
                    .map(|c| {
                        c.dict
                            .values
                            .iter()
                            .map(|v| predicate.test(Some(v)))
                            .collect()
                    })
                    .unwrap_or_default();
                let absent = predicate.test(None);
                for c in live.iter() {
                    let code = col.map_or(NONE, |col| col.code_of(c));
                    if (code == NONE && absent) || (code != NONE && passing[code as usize]) {
                        set.insert(c);
                    }
                }
                set
            }
            Rule::Field { field, predicate } => self.field_members(*field, predicate, &live),
            Rule::Consent { purpose, granted } => {
                let mut set = Bitset::new(n);
                let want = if *granted {
                    CONSENT_GRANTED
                } else {
                    CONSENT_WITHDRAWN
                };
                if let Some(states) = self.contacts.consents.get(purpose.as_str()) {
                    for c in live.iter() {
                        if states.get(c) == Some(&want) {
                            set.insert(c);
                        }
                    }
                }
                set
            }
            Rule::Behaviour {
                matcher,
                min,
                max,
                within_days,
            } => {
                let since = within_days.map_or(i64::MIN, |d| ctx.now_ms - d * DAY_MS);
                let counts = self.event_counts(matcher, since)?;
                let mut set = Bitset::new(n);
                for c in live.iter() {
                    let k = counts[c];
                    if k >= *min && max.is_none_or(|m| k <= m) {
                        set.insert(c);
                    }
                }
                set
            }
            Rule::Feedback {
                metric,
                which,
                predicate,
                touchpoint,
                within_days,
            } => {
                let since = within_days.map_or(i64::MIN, |d| ctx.now_ms - d * DAY_MS);
                let scores = (ctx.feedback)(*metric, touchpoint.as_ref());
                feedback_members(n, &scores, since, *which, predicate)
            }
        };
        let mut set = set;
        set.and(&live);
        Ok(set)
    }

    fn live_contacts(&self) -> Bitset {
        let mut live = Bitset::new(self.contacts.len());
        for c in 0..self.contacts.len() {
            if self.contacts.is_live(c) {
                live.insert(c);
            }
        }
        live
    }

    fn field_members(&self, field: ContactField, predicate: &Predicate, live: &Bitset) -> Bitset {
        let t = &self.contacts;
        let mut set = Bitset::new(t.len());
        for c in live.iter() {
            let text = |v: &Option<Box<str>>| v.as_deref().map(|s| AttributeValue::Text(s.into()));
            let value = match field {
                ContactField::ExternalId => text(&t.external_id[c]),
                ContactField::Email => text(&t.email[c]),
                ContactField::Phone => text(&t.phone[c]),
                ContactField::Name => text(&t.name[c]),
                ContactField::Locale => text(&t.locale[c]),
                ContactField::CreatedAt => Some(AttributeValue::Date(t.created_at[c])),
            };
            if predicate.test(value.as_ref()) {
                set.insert(c);
            }
        }
        set
    }

    /// Matching events since `since` per contact code (over all the contact's persons).
    fn event_counts(&self, m: &EventMatcher, since: i64) -> Result<Vec<u32>, JourneyError> {
        let ev = &self.events;
        let bits = MatcherBits::new(ev, m)?;
        let who = self.subjects();
        let subjects = &who.of;
        let contacts = self.contacts.len();
        let mut counts = vec![0u32; contacts];
        for (p, &s) in subjects.iter().enumerate() {
            if s as usize >= contacts {
                continue;
            }
            let (a, b) = ev.base_range(p as u32);
            let k = (a..b)
                .filter(|&i| ev.base.ts[i] >= since && bits.hit(&ev.base, false, i))
                .count();
            counts[s as usize] = counts[s as usize].saturating_add(k as u32);
        }
        for (i, &p) in ev.delta.person.iter().enumerate() {
            let s = subjects[p as usize] as usize;
            if s < contacts && ev.delta.ts[i] >= since && bits.hit(&ev.delta, true, i) {
                counts[s] = counts[s].saturating_add(1);
            }
        }
        Ok(counts)
    }
}

/// The contacts whose scores pass: the last one, any one, or their mean.
fn feedback_members(
    n: usize,
    scores: &[Feedback],
    since: i64,
    which: Which,
    predicate: &Predicate,
) -> Bitset {
    let mut set = Bitset::new(n);
    let pass = |x: f64| predicate.test(Some(&AttributeValue::Number(x)));
    match which {
        Which::Any => {
            for f in scores.iter().filter(|f| f.at_ms >= since) {
                if (f.contact as usize) < n && pass(f.score) {
                    set.insert(f.contact as usize);
                }
            }
        }
        Which::Last => {
            let mut last: Vec<Option<(i64, f64)>> = vec![None; n];
            for f in scores
                .iter()
                .filter(|f| f.at_ms >= since && (f.contact as usize) < n)
            {
                let slot = &mut last[f.contact as usize];
                if slot.is_none_or(|(at, _)| f.at_ms >= at) {
                    *slot = Some((f.at_ms, f.score));
                }
            }
            for (c, l) in last.iter().enumerate() {
                if l.is_some_and(|(_, s)| pass(s)) {
                    set.insert(c);
                }
            }
        }
        Which::Average => {
            let mut sums: Vec<(f64, u32)> = vec![(0.0, 0); n];
            for f in scores
                .iter()
                .filter(|f| f.at_ms >= since && (f.contact as usize) < n)
            {
                let s = &mut sums[f.contact as usize];
                s.0 += f.score;
                s.1 += 1;
            }
            for (c, (sum, k)) in sums.iter().enumerate() {
                if *k > 0 && pass(sum / f64::from(*k)) {
                    set.insert(c);
                }
            }
        }
    }
    set
}
