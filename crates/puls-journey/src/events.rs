//! Behavioural events in columns, laid out for per-person scans.
//!
//! The *base* holds every event sorted by (person, time): a person's events are one slice,
//! so a funnel reads memory in order. New events go to the *delta* in arrival order;
//! [`EventStore::prepare`] keeps an index of the delta sorted by (person, time), and once the
//! delta outgrows a share of the base, [`EventStore::compact`] merges it into the base (each
//! event is copied a bounded number of times on average). Properties are sparse columns per
//! key, dictionary-coded per key; a key with too many distinct values stops being indexed.

use std::collections::HashMap;

use puls_core::attribute::AttributeValue;
use puls_core::tracking::MessageType;

use crate::dict::Dict;

/// A property key with more distinct values than this stops being indexed (its values are
/// dropped; a condition on it is refused with [`crate::JourneyError::PropertyNotIndexed`]).
pub const MAX_PROPERTY_VALUES: usize = 1 << 16;

/// The delta is merged into the base when it holds more than this many events and more
/// than 1/[`COMPACT_SHARE`] of the base.
const MIN_COMPACT: usize = 65_536;
const COMPACT_SHARE: usize = 16;

/// The values of one property key across all events.
#[derive(Debug, Clone, Default)]
pub(crate) struct PropDict {
    pub(crate) dict: crate::dict::ValueDict,
    pub(crate) overflowed: bool,
}

impl PropDict {
    fn code(&mut self, v: &AttributeValue) -> Option<u32> {
        if self.overflowed {
            return None;
        }
        if let Some(c) = self.dict.get(v) {
            return Some(c);
        }
        if self.dict.len() >= MAX_PROPERTY_VALUES {
            self.overflowed = true;
            self.dict = crate::dict::ValueDict::default();
            return None;
        }
        Some(self.dict.code(v))
    }
}

/// One key's values at some positions: ascending positions and their value codes.
#[derive(Debug, Clone, Default)]
pub(crate) struct PropColumn {
    pub(crate) pos: Vec<u32>,
    pub(crate) code: Vec<u32>,
}

/// Events in one layout: time, name code, person, properties by key.
#[derive(Debug, Clone, Default)]
pub(crate) struct Columns {
    pub(crate) ts: Vec<i64>,
    pub(crate) name: Vec<u32>,
    /// In the delta only: the base knows its persons from `base_start`.
    pub(crate) person: Vec<u32>,
    pub(crate) props: HashMap<u32, PropColumn>,
}

impl Columns {
    pub(crate) fn len(&self) -> usize {
        self.ts.len()
    }
}

/// Positions of `cols` sorted by (person, time, position): a counting sort by person (two
/// sequential passes), then a sort of each person's few events by time.
fn by_person_and_time(cols: &Columns, persons: usize) -> Vec<u32> {
    let mut start = vec![0u32; persons + 1];
    for &p in &cols.person {
        start[p as usize + 1] += 1;
    }
    for i in 1..start.len() {
        start[i] += start[i - 1];
    }
    let mut next = start.clone();
    let mut order = vec![0u32; cols.len()];
    for (i, &p) in cols.person.iter().enumerate() {
        let slot = &mut next[p as usize];
        order[*slot as usize] = i as u32;
        *slot += 1;
    }
    for w in start.windows(2) {
        let run = &mut order[w[0] as usize..w[1] as usize];
        if run.len() > 1 {
            run.sort_by_key(|&i| (cols.ts[i as usize], i));
        }
    }
    order
}

/// One event to add.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NewEvent<'a> {
    pub(crate) person: u32,
    pub(crate) name: u32,
    pub(crate) ts: i64,
    pub(crate) props: &'a [(puls_core::attribute::AttributeKey, AttributeValue)],
}

#[derive(Debug, Clone, Default)]
pub(crate) struct EventStore {
    /// Names as `t\u{1f}Order Completed`, `p\u{1f}Checkout`, `s\u{1f}Home`.
    pub(crate) names: Dict,
    /// The same codes by kind (track, page, screen) and plain name, for adding events
    /// without building a key each time.
    by_kind: [crate::dict::FastMap<Box<str>, u32>; 3],
    pub(crate) name_kind: Vec<MessageType>,
    pub(crate) prop_keys: Dict,
    pub(crate) prop_dicts: Vec<PropDict>,

    /// Sorted by (person, time, arrival).
    pub(crate) base: Columns,
    /// Where each person's events start in the base; persons from `base_start.len() - 1`
    /// on have none there.
    pub(crate) base_start: Vec<u32>,
    /// In arrival order.
    pub(crate) delta: Columns,
    /// Delta positions sorted by (person, time, arrival), and per person with delta events
    /// (ascending) where they start in `delta_order`; rebuilt by `prepare`.
    pub(crate) delta_order: Vec<u32>,
    pub(crate) delta_people: Vec<(u32, u32)>,
    prepared: usize,
    /// The base positions each set of property conditions passes, by the conditions' text
    /// (see [`crate::funnel::base_condition_bits`]); dropped when the base changes.
    pub(crate) base_conds: crate::cache::BitsCache,
}

pub(crate) fn name_key(kind: MessageType, name: &str) -> String {
    let k = match kind {
        MessageType::Page => 'p',
        MessageType::Screen => 's',
        _ => 't',
    };
    format!("{k}\u{1f}{name}")
}

impl EventStore {
    pub(crate) fn len(&self) -> usize {
        self.base.len() + self.delta.len()
    }

    pub(crate) fn name_code(&mut self, kind: MessageType, name: &str) -> u32 {
        let k = match kind {
            MessageType::Page => 1,
            MessageType::Screen => 2,
            _ => 0,
        };
        if let Some(c) = self.by_kind[k].get(name) {
            return *c;
        }
        let c = self.names.code(&name_key(kind, name));
        self.name_kind.push(kind);
        self.by_kind[k].insert(name.into(), c);
        c
    }

    /// The text of a name code (without its kind).
    pub(crate) fn name_text(&self, code: u32) -> &str {
        let key = self.names.value(code);
        key.split_once('\u{1f}').map(|(_, n)| n).unwrap_or(key)
    }

    pub(crate) fn push(&mut self, e: NewEvent<'_>) {
        let pos = self.delta.len() as u32;
        self.delta.ts.push(e.ts);
        self.delta.name.push(e.name);
        self.delta.person.push(e.person);
        for (k, v) in e.props {
            let key = self.prop_keys.code(k.as_str());
            if key as usize >= self.prop_dicts.len() {
                self.prop_dicts.push(PropDict::default());
            }
            if let Some(code) = self.prop_dicts[key as usize].code(v) {
                let col = self.delta.props.entry(key).or_default();
                col.pos.push(pos);
                col.code.push(code);
            }
        }
    }

    /// Sorts the delta's new events into `delta_order`; compacts when it has grown large.
    pub(crate) fn prepare(&mut self) {
        let d = self.delta.len();
        if d > MIN_COMPACT && d * COMPACT_SHARE > self.base.len() {
            self.compact();
            return;
        }
        if d == self.prepared {
            return;
        }
        let delta = &self.delta;
        let persons = delta
            .person
            .iter()
            .copied()
            .max()
            .map_or(0, |m| m as usize + 1);
        let order = by_person_and_time(delta, persons);
        let mut people: Vec<(u32, u32)> = Vec::new();
        for (k, &i) in order.iter().enumerate() {
            let p = delta.person[i as usize];
            if people.last().is_none_or(|(last, _)| *last != p) {
                people.push((p, k as u32));
            }
        }
        self.delta_order = order;
        self.delta_people = people;
        self.prepared = d;
    }

    /// Merges the delta into the base.
    pub(crate) fn compact(&mut self) {
        let persons = self
            .delta
            .person
            .iter()
            .copied()
            .max()
            .map_or(0, |m| m as usize + 1)
            .max(self.base_start.len().saturating_sub(1));
        let delta = &self.delta;
        let order = by_person_and_time(delta, persons);
        let total = self.base.len() + delta.len();
        let mut out = Columns {
            ts: Vec::with_capacity(total),
            name: Vec::with_capacity(total),
            person: Vec::new(),
            props: HashMap::new(),
        };
        // Where each old position went: base positions, then delta positions.
        let mut new_base = vec![0u32; self.base.len()];
        let mut new_delta = vec![0u32; delta.len()];
        let mut start = Vec::with_capacity(persons + 1);
        let mut d = 0usize;
        for p in 0..persons {
            start.push(out.ts.len() as u32);
            let (b0, b1) = self.base_range(p as u32);
            let mut b = b0;
            loop {
                let take_delta = d < order.len()
                    && delta.person[order[d] as usize] == p as u32
                    && (b >= b1 || delta.ts[order[d] as usize] < self.base.ts[b]);
                if take_delta {
                    let i = order[d] as usize;
                    new_delta[i] = out.ts.len() as u32;
                    out.ts.push(delta.ts[i]);
                    out.name.push(delta.name[i]);
                    d += 1;
                } else if b < b1 {
                    new_base[b] = out.ts.len() as u32;
                    out.ts.push(self.base.ts[b]);
                    out.name.push(self.base.name[b]);
                    b += 1;
                } else {
                    break;
                }
            }
        }
        start.push(out.ts.len() as u32);
        let keys: Vec<u32> = self
            .base
            .props
            .keys()
            .chain(delta.props.keys())
            .copied()
            .collect::<std::collections::BTreeSet<u32>>()
            .into_iter()
            .collect();
        for key in keys {
            let mut entries: Vec<(u32, u32)> = Vec::new();
            if let Some(col) = self.base.props.get(&key) {
                entries.extend(
                    col.pos
                        .iter()
                        .zip(&col.code)
                        .map(|(p, c)| (new_base[*p as usize], *c)),
                );
            }
            let from_base = entries.len();
            if let Some(col) = delta.props.get(&key) {
                entries.extend(
                    col.pos
                        .iter()
                        .zip(&col.code)
                        .map(|(p, c)| (new_delta[*p as usize], *c)),
                );
            }
            // Base entries keep their order; only the delta's need sorting before a merge.
            entries[from_base..].sort_unstable();
            let (a, b) = entries.split_at(from_base);
            let mut merged = PropColumn {
                pos: Vec::with_capacity(entries.len()),
                code: Vec::with_capacity(entries.len()),
            };
            let (mut i, mut j) = (0, 0);
            while i < a.len() || j < b.len() {
                let pick = if j >= b.len() || (i < a.len() && a[i].0 < b[j].0) {
                    i += 1;
                    a[i - 1]
                } else {
                    j += 1;
                    b[j - 1]
                };
                merged.pos.push(pick.0);
                merged.code.push(pick.1);
            }
            if !self.prop_dicts[key as usize].overflowed {
                out.props.insert(key, merged);
            }
        }
        self.base = out;
        self.base_conds.clear();
        self.base_start = start;
        self.delta = Columns::default();
        self.delta_order = Vec::new();
        self.delta_people = Vec::new();
        self.prepared = 0;
    }

    /// The base positions of a person's events.
    #[inline]
    pub(crate) fn base_range(&self, person: u32) -> (usize, usize) {
        let p = person as usize;
        if p + 1 < self.base_start.len() {
            (self.base_start[p] as usize, self.base_start[p + 1] as usize)
        } else {
            (0, 0)
        }
    }

    /// The property code of `key` at a position of `cols`, if indexed there.
    #[cfg(test)]
    pub(crate) fn prop_at(cols: &Columns, key: u32, pos: u32) -> Option<u32> {
        let col = cols.props.get(&key)?;
        col.pos.binary_search(&pos).ok().map(|i| col.code[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use puls_core::attribute::AttributeKey;

    fn add(s: &mut EventStore, person: u32, ts: i64, plan: Option<&str>) {
        let name = s.name_code(MessageType::Track, "X");
        let props: Vec<(AttributeKey, AttributeValue)> = plan
            .map(|p| {
                (
                    AttributeKey::parse("plan").unwrap(),
                    AttributeValue::Text(p.into()),
                )
            })
            .into_iter()
            .collect();
        s.push(NewEvent {
            person,
            name,
            ts,
            props: &props,
        });
    }

    /// (person, ts, plan) of every base event, in base order.
    fn base(s: &EventStore) -> Vec<(u32, i64, Option<String>)> {
        let key = s.prop_keys.get("plan");
        (0..s.base.len())
            .map(|i| {
                let plan = key
                    .and_then(|k| EventStore::prop_at(&s.base, k, i as u32))
                    .map(|c| s.prop_dicts[0].dict.values[c as usize].as_text());
                let person = s.base_start.partition_point(|&st| st as usize <= i) as u32 - 1;
                (person, s.base.ts[i], plan)
            })
            .collect()
    }

    #[test]
    fn compaction_sorts_by_person_and_time_and_carries_properties() {
        let mut s = EventStore::default();
        add(&mut s, 1, 30, Some("pro"));
        add(&mut s, 0, 20, None);
        add(&mut s, 1, 10, Some("free"));
        s.compact();
        add(&mut s, 0, 5, Some("x"));
        add(&mut s, 2, 1, None);
        add(&mut s, 1, 20, Some("y"));
        s.compact();
        assert_eq!(
            base(&s),
            [
                (0, 5, Some("x".into())),
                (0, 20, None),
                (1, 10, Some("free".into())),
                (1, 20, Some("y".into())),
                (1, 30, Some("pro".into())),
                (2, 1, None),
            ]
        );
        assert_eq!(s.base_range(1), (2, 5));
        assert_eq!(s.base_range(7), (0, 0));
    }

    #[test]
    fn the_delta_is_indexed_by_person() {
        let mut s = EventStore::default();
        add(&mut s, 3, 30, None);
        add(&mut s, 1, 20, None);
        add(&mut s, 3, 10, None);
        s.prepare();
        assert_eq!(s.delta_order, [1, 2, 0]);
        assert_eq!(s.delta_people, [(1, 0), (3, 1)]);
    }
}
