//! Funnels over a journey's stages: who entered, who went on to each stage within the
//! conversion window, how long it took, through which touchpoints, and the paths of those
//! who dropped off.
//!
//! # Definition
//!
//! A subject's *stage-i events* are its events matching any touchpoint of stage `i`. The
//! subject **enters** at `t₁`, its first stage-1 event in `[from, to)`. For each later stage
//! `i`, `tᵢ` is the first stage-i event at or after `tᵢ₋₁` and at most `t₁ + window`; the
//! subject **converts** to stage `i` when there is one (and to every stage before it). The
//! **time to convert** to stage `i` is `tᵢ − t₁`. A query may give the last stage its own
//! step instead (`last_step_ms`): then `tₖ` is at most `tₖ₋₁ + step`, which is how a side
//! stage's "came back within N days" is counted. One event matching two consecutive stages
//! counts for both. This is the greedy earliest match, which reaches the furthest stage any
//! choice of events could reach from that entry; it is what a chain of SQL joins taking
//! `min(ts)` per stage computes, which the benchmark checks against DuckDB.
//!
//! Medians and 90th percentiles are nearest-rank: the value at rank `⌈q·n⌉`.

use std::collections::HashMap;
use std::sync::Arc;

use puls_core::Channel;
use puls_core::journey::Journey;

use crate::JourneyError;
use crate::dict::Bitset;
use crate::events::{Columns, EventStore};
use crate::index::CustomerIndex;

/// Touchpoints kept of a path before a drop-off.
pub const PATH_LEN: usize = 4;
/// The most stages a journey may have for a funnel (stage sets are bit masks).
pub const MAX_STAGES: usize = 32;

/// How to split a funnel.
#[derive(Debug, Clone, Copy)]
pub enum Breakdown<'a> {
    /// The channel of the touchpoint a subject entered through.
    Channel,
    /// The touchpoint a subject entered through.
    EntryTouchpoint,
    /// The first touchpoint of the journey the subject ever touched (first-touch
    /// attribution), up to its entry.
    FirstTouchpoint,
    /// Members of a segment (`in`) against everyone else (`out`).
    Segment(&'a Bitset),
}

/// A funnel to compute.
#[derive(Debug, Clone, Copy)]
pub struct FunnelQuery<'a> {
    pub journey: &'a Journey,
    /// Entries from (inclusive) and to (exclusive), Unix ms.
    pub from_ms: i64,
    pub to_ms: i64,
    pub window_ms: i64,
    /// When set, the last stage counts when reached within this long after the stage before
    /// it, instead of within the window from entry (a side stage's return to the main path).
    pub last_step_ms: Option<i64>,
    /// Only contacts in this set (indexed by contact code).
    pub segment: Option<&'a Bitset>,
    pub by: Option<Breakdown<'a>>,
    /// Count events, subjects and passages per touchpoint.
    pub touchpoints: bool,
    /// Collect the paths before each drop-off (the `n` most common per stage).
    pub paths: Option<usize>,
}

/// Counts of one stage.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StageCount {
    /// Subjects that reached this stage (for the first stage: entered).
    pub converted: u64,
    /// Of those, the identified contacts ("people"); the rest are anonymous visitors.
    pub known: u64,
    /// Nearest-rank median and 90th percentile of the time from entry, ms.
    pub median_ms: Option<i64>,
    pub p90_ms: Option<i64>,
}

/// A funnel for everyone, or for one group of a breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FunnelGroup {
    /// The group's key (a channel, a touchpoint key, `in`/`out`); `None` for the total.
    pub key: Option<String>,
    pub stages: Vec<StageCount>,
}

impl FunnelGroup {
    pub fn entered(&self) -> u64 {
        self.stages.first().map_or(0, |s| s.converted)
    }
}

/// What happened at one touchpoint within the period.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TouchpointStats {
    /// Events matching it in `[from, to)` (an event matching two touchpoints counts for
    /// both).
    pub events: u64,
    /// Subjects with such events.
    pub subjects: u64,
    /// Funnel subjects that reached its stage through it.
    pub reached: u64,
    /// Of those, the identified contacts.
    pub known: u64,
    /// Of those, how many reached the next stage (for the last stage: all of them).
    pub advanced: u64,
}

/// The most common paths of the subjects who reached a stage and went no further.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DropOffPaths {
    /// The last stage reached (index).
    pub stage: usize,
    pub dropped: u64,
    /// Touchpoint indices (journey order) of the last [`PATH_LEN`] touchpoints visited
    /// within the window, with how many subjects took that path, most common first.
    pub paths: Vec<(Vec<usize>, u64)>,
}

/// A computed funnel.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FunnelReport {
    pub total: FunnelGroup,
    /// One per breakdown value, by key.
    pub groups: Vec<FunnelGroup>,
    /// Per touchpoint in journey order, when asked for.
    pub touchpoints: Vec<TouchpointStats>,
    /// Per stage but the last, when asked for.
    pub paths: Vec<DropOffPaths>,
}

/// Where an event sits: a base position, or a delta position with the top bit set.
const DELTA: u32 = 1 << 31;

/// A matcher with property conditions: the events they pass, in base and delta.
struct Cond {
    tp: u16,
    stage: u32,
    base: Arc<Bitset>,
    delta: Arc<Bitset>,
}

impl Cond {
    #[inline]
    fn passes(&self, src: u32) -> bool {
        if src & DELTA == 0 {
            self.base.contains(src as usize)
        } else {
            self.delta.contains((src & !DELTA) as usize)
        }
    }
}

/// The journey compiled against the index's names and properties.
struct Plan {
    stages: usize,
    tp_stage: Vec<u32>,
    tp_channel: Vec<Channel>,
    /// Per name code: stages matched without conditions.
    name_mask: Vec<u32>,
    /// Per name code: touchpoints matched without conditions, ascending.
    name_tps: Vec<Vec<u16>>,
    conds: Vec<Cond>,
    /// Per name code: the conditional matchers that may apply.
    name_conds: Vec<Vec<u16>>,
    /// The conditional matchers of one name and one stage merged into one set (`tp` unused),
    /// so telling an event's stages takes one look per stage.
    stage_conds: Vec<Cond>,
    /// Per name code: its merged stage conditions.
    name_stage_conds: Vec<Vec<u16>>,
}

impl Plan {
    fn new(index: &CustomerIndex, journey: &Journey) -> Result<Plan, JourneyError> {
        let ev = &index.events;
        let stages = journey.stages.len();
        if stages > MAX_STAGES {
            return Err(JourneyError::TooManyStages(stages));
        }
        let names = ev.names.len();
        let mut plan = Plan {
            stages,
            tp_stage: Vec::new(),
            tp_channel: Vec::new(),
            name_mask: vec![0; names],
            name_tps: vec![Vec::new(); names],
            conds: Vec::new(),
            name_conds: vec![Vec::new(); names],
            stage_conds: Vec::new(),
            name_stage_conds: vec![Vec::new(); names],
        };
        for (tp, (stage, t)) in journey.touchpoints().enumerate() {
            plan.tp_stage.push(stage as u32);
            plan.tp_channel.push(t.channel);
            for m in &t.events {
                let matching: Vec<usize> = (0..names)
                    .filter(|&n| m.matches_name(ev.name_kind[n], ev.name_text(n as u32)))
                    .collect();
                if m.conditions.is_empty() {
                    for n in matching {
                        plan.name_mask[n] |= 1 << stage;
                        if plan.name_tps[n].last() != Some(&(tp as u16)) {
                            plan.name_tps[n].push(tp as u16);
                        }
                    }
                    continue;
                }
                let ci = plan.conds.len() as u16;
                plan.conds.push(Cond {
                    tp: tp as u16,
                    stage: stage as u32,
                    base: base_condition_bits(ev, m)?,
                    delta: Arc::new(condition_bits(ev, &ev.delta, m)?),
                });
                for n in matching {
                    plan.name_conds[n].push(ci);
                }
            }
        }
        plan.merge_stage_conds();
        Ok(plan)
    }

    /// Builds `stage_conds`: per name, the union of its conditional matchers in each stage
    /// (names with the same matchers share one union).
    fn merge_stage_conds(&mut self) {
        let mut made: HashMap<Vec<u16>, u16> = HashMap::new();
        for n in 0..self.name_conds.len() {
            let mut by_stage: Vec<(u32, Vec<u16>)> = Vec::new();
            for &ci in &self.name_conds[n] {
                let stage = self.conds[ci as usize].stage;
                match by_stage.iter_mut().find(|(s, _)| *s == stage) {
                    Some((_, v)) => v.push(ci),
                    None => by_stage.push((stage, vec![ci])),
                }
            }
            for (stage, group) in by_stage {
                let conds = &self.conds;
                let stage_conds = &mut self.stage_conds;
                let at = *made.entry(group.clone()).or_insert_with(|| {
                    let first = &conds[group[0] as usize];
                    let (mut base, mut delta) = (first.base.clone(), first.delta.clone());
                    for &ci in &group[1..] {
                        Arc::make_mut(&mut base).or(&conds[ci as usize].base);
                        Arc::make_mut(&mut delta).or(&conds[ci as usize].delta);
                    }
                    stage_conds.push(Cond {
                        tp: 0,
                        stage,
                        base,
                        delta,
                    });
                    (stage_conds.len() - 1) as u16
                });
                self.name_stage_conds[n].push(at);
            }
        }
    }

    #[inline]
    fn mask(&self, name: u32, src: u32) -> u32 {
        let n = name as usize;
        let mut mask = self.name_mask[n];
        for &ci in &self.name_stage_conds[n] {
            let c = &self.stage_conds[ci as usize];
            if c.passes(src) {
                mask |= 1 << c.stage;
            }
        }
        mask
    }

    /// Every touchpoint an event matches, in journey order, into `out`.
    fn touchpoints_of(&self, name: u32, src: u32, out: &mut Vec<u16>) {
        let n = name as usize;
        let start = out.len();
        out.extend_from_slice(&self.name_tps[n]);
        for &ci in &self.name_conds[n] {
            let c = &self.conds[ci as usize];
            if c.passes(src) {
                out.push(c.tp);
            }
        }
        out[start..].sort_unstable();
        let mut end = start;
        for i in start..out.len() {
            if i == start || out[i] != out[end - 1] {
                out[end] = out[i];
                end += 1;
            }
        }
        out.truncate(end);
    }

    /// The first touchpoint (journey order) an event matches, within `stage` if given.
    fn touchpoint(&self, name: u32, src: u32, stage: Option<u32>) -> Option<u16> {
        let n = name as usize;
        let in_stage = |tp: u16| stage.is_none_or(|s| self.tp_stage[tp as usize] == s);
        let plain = self.name_tps[n].iter().copied().find(|&tp| in_stage(tp));
        let cond = self.name_conds[n]
            .iter()
            .map(|&ci| &self.conds[ci as usize])
            .filter(|c| in_stage(c.tp) && c.passes(src))
            .map(|c| c.tp)
            .min();
        match (plain, cond) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// The base positions whose properties pass all of a matcher's conditions, kept until the
/// base changes: the base is most of the events, and a query's only costly preparation.
pub(crate) fn base_condition_bits(
    ev: &EventStore,
    m: &puls_core::journey::EventMatcher,
) -> Result<Arc<Bitset>, JourneyError> {
    let key = format!("{:?}", m.conditions);
    if let Some(bits) = ev.base_conds.get(&key) {
        check_indexed(ev, m)?;
        return Ok(bits);
    }
    let bits = Arc::new(condition_bits(ev, &ev.base, m)?);
    ev.base_conds.put(key, bits.clone());
    Ok(bits)
}

/// Refuses conditions on a property whose values stopped being indexed.
fn check_indexed(
    ev: &EventStore,
    m: &puls_core::journey::EventMatcher,
) -> Result<(), JourneyError> {
    for c in &m.conditions {
        let key = c.property.as_str();
        if let Some(k) = ev.prop_keys.get(key)
            && ev.prop_dicts[k as usize].overflowed
        {
            return Err(JourneyError::PropertyNotIndexed(key.to_string()));
        }
    }
    Ok(())
}

/// The positions of `cols` whose properties pass all of a matcher's conditions.
pub(crate) fn condition_bits(
    ev: &EventStore,
    cols: &Columns,
    m: &puls_core::journey::EventMatcher,
) -> Result<Bitset, JourneyError> {
    check_indexed(ev, m)?;
    let n = cols.len();
    let mut all = Bitset::full(n);
    for c in &m.conditions {
        let key = c.property.as_str();
        let code = ev.prop_keys.get(key);
        let dict = code.map(|k| &ev.prop_dicts[k as usize]);
        let absent_passes = c.predicate.test(None);
        let passing: Vec<bool> = dict
            .map(|d| {
                d.dict
                    .values
                    .iter()
                    .map(|v| c.predicate.test(Some(v)))
                    .collect()
            })
            .unwrap_or_default();
        let mut bits = if absent_passes {
            Bitset::full(n)
        } else {
            Bitset::new(n)
        };
        if let Some(col) = code.and_then(|k| cols.props.get(&k)) {
            if absent_passes {
                // Present values that fail: clear them (a full set minus failures).
                let mut fail = Bitset::new(n);
                for (p, v) in col.pos.iter().zip(&col.code) {
                    if !passing[*v as usize] {
                        fail.insert(*p as usize);
                    }
                }
                fail.not();
                bits.and(&fail);
            } else {
                for (p, v) in col.pos.iter().zip(&col.code) {
                    if passing[*v as usize] {
                        bits.insert(*p as usize);
                    }
                }
            }
        }
        all.and(&bits);
    }
    Ok(all)
}

#[derive(Default, Clone)]
struct GroupAcc {
    converted: Vec<u64>,
    known: Vec<u64>,
    times: Vec<Vec<i64>>,
}

impl GroupAcc {
    fn new(stages: usize) -> Self {
        GroupAcc {
            converted: vec![0; stages],
            known: vec![0; stages],
            times: vec![Vec::new(); stages],
        }
    }

    fn merge(&mut self, other: GroupAcc) {
        for (a, b) in self.converted.iter_mut().zip(other.converted) {
            *a += b;
        }
        for (a, b) in self.known.iter_mut().zip(other.known) {
            *a += b;
        }
        for (a, b) in self.times.iter_mut().zip(other.times) {
            a.extend(b);
        }
    }

    fn finish(mut self, key: Option<String>) -> FunnelGroup {
        let stages = self
            .converted
            .iter()
            .zip(self.times.iter_mut())
            .enumerate()
            .map(|(i, (&converted, times))| {
                let (median_ms, p90_ms) = if i == 0 {
                    (
                        Some(0).filter(|_| converted > 0),
                        Some(0).filter(|_| converted > 0),
                    )
                } else {
                    (nearest_rank(times, 0.5), nearest_rank(times, 0.9))
                };
                StageCount {
                    converted,
                    known: self.known[i],
                    median_ms,
                    p90_ms,
                }
            })
            .collect();
        FunnelGroup { key, stages }
    }
}

/// The value at rank `⌈q·n⌉` (1-based) of `v`, reordering it.
pub(crate) fn nearest_rank(v: &mut [i64], q: f64) -> Option<i64> {
    if v.is_empty() {
        return None;
    }
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    let (_, x, _) = v.select_nth_unstable(rank - 1);
    Some(*x)
}

/// One thread's counts.
struct Acc {
    total: GroupAcc,
    groups: HashMap<u32, GroupAcc>,
    tp: Vec<TouchpointStats>,
    dropped: Vec<u64>,
    paths: Vec<HashMap<Vec<u16>, u64>>,
}

impl Acc {
    fn new(stages: usize, touchpoints: usize) -> Acc {
        Acc {
            total: GroupAcc::new(stages),
            groups: HashMap::new(),
            tp: vec![TouchpointStats::default(); touchpoints],
            dropped: vec![0; stages],
            paths: vec![HashMap::new(); stages],
        }
    }

    fn merge(&mut self, other: Acc) {
        self.total.merge(other.total);
        for (k, g) in other.groups {
            let stages = g.converted.len();
            self.groups
                .entry(k)
                .or_insert_with(|| GroupAcc::new(stages))
                .merge(g);
        }
        for (a, b) in self.tp.iter_mut().zip(other.tp) {
            a.events += b.events;
            a.subjects += b.subjects;
            a.reached += b.reached;
            a.known += b.known;
            a.advanced += b.advanced;
        }
        for (a, b) in self.dropped.iter_mut().zip(other.dropped) {
            *a += b;
        }
        for (a, b) in self.paths.iter_mut().zip(other.paths) {
            for (path, n) in b {
                *a.entry(path).or_default() += n;
            }
        }
    }
}

/// A journey event of one subject: time, stage mask, name and position.
#[derive(Clone, Copy)]
struct Ev {
    ts: i64,
    mask: u32,
    name: u32,
    src: u32,
}

struct Ctx<'a> {
    index: &'a CustomerIndex,
    plan: &'a Plan,
    q: &'a FunnelQuery<'a>,
    contacts: u32,
    /// The earliest event time that matters: before it, only first-touch breakdowns look.
    lo: i64,
    hi: i64,
}

impl CustomerIndex {
    /// Computes a funnel over `q.journey`'s stages.
    pub fn funnel(&self, q: &FunnelQuery<'_>) -> Result<FunnelReport, JourneyError> {
        if q.journey.stages.is_empty() {
            return Err(JourneyError::NoStages);
        }
        let plan = Plan::new(self, q.journey)?;
        let touchpoints = plan.tp_stage.len();
        let who = self.subjects();
        // Subjects of several persons are processed once, at their first person.
        let (subjects, count, members) = (&who.of, &who.count, &who.members);
        let contacts = self.contacts.len() as u32;
        let ctx = Ctx {
            index: self,
            plan: &plan,
            q,
            contacts,
            lo: match q.by {
                Some(Breakdown::FirstTouchpoint) => i64::MIN,
                _ => q.from_ms,
            },
            hi: q
                .to_ms
                .saturating_add(q.window_ms)
                .saturating_add(q.last_step_ms.unwrap_or(0).max(0)),
        };
        let persons = subjects.len();
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .min(8)
            .min(persons / 50_000 + 1);
        let chunk = persons.div_ceil(threads.max(1)).max(1);
        let accs: Vec<Acc> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let ctx = &ctx;
                    scope.spawn(move || {
                        let range = (t * chunk).min(persons)..((t + 1) * chunk).min(persons);
                        scan(
                            ctx,
                            range,
                            subjects,
                            count,
                            members,
                            plan.stages,
                            touchpoints,
                        )
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Acc::new(plan.stages, touchpoints))
                })
                .collect()
        });
        let mut acc = Acc::new(plan.stages, touchpoints);
        for a in accs {
            acc.merge(a);
        }
        Ok(self.report(acc, &plan, q))
    }

    fn report(&self, acc: Acc, plan: &Plan, q: &FunnelQuery<'_>) -> FunnelReport {
        let tp_keys: Vec<String> = q
            .journey
            .touchpoints()
            .map(|(_, t)| t.key.to_string())
            .collect();
        let mut groups: Vec<FunnelGroup> = acc
            .groups
            .into_iter()
            .map(|(k, g)| {
                let key = match q.by {
                    Some(Breakdown::Channel) => plan.tp_channel_name(k),
                    Some(Breakdown::Segment(_)) => if k == 1 { "in" } else { "out" }.to_string(),
                    _ => tp_keys[k as usize].clone(),
                };
                g.finish(Some(key))
            })
            .collect();
        groups.sort_by(|a, b| a.key.cmp(&b.key));
        let paths = match q.paths {
            None => Vec::new(),
            Some(n) => acc
                .paths
                .into_iter()
                .zip(acc.dropped)
                .enumerate()
                .take(plan.stages.saturating_sub(1))
                .map(|(stage, (paths, dropped))| {
                    let mut paths: Vec<(Vec<usize>, u64)> = paths
                        .into_iter()
                        .map(|(p, c)| (p.into_iter().map(usize::from).collect(), c))
                        .collect();
                    paths.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                    paths.truncate(n);
                    DropOffPaths {
                        stage,
                        dropped,
                        paths,
                    }
                })
                .collect(),
        };
        FunnelReport {
            total: acc.total.finish(None),
            groups,
            touchpoints: if q.touchpoints { acc.tp } else { Vec::new() },
            paths,
        }
    }
}

impl Plan {
    fn tp_channel_name(&self, channel_index: u32) -> String {
        Channel::ALL
            .get(channel_index as usize)
            .map(|c| c.as_str().to_string())
            .unwrap_or_default()
    }
}

/// Processes the subjects whose first person is in `range`.
fn scan(
    ctx: &Ctx<'_>,
    range: std::ops::Range<usize>,
    subjects: &[u32],
    count: &[u8],
    members: &HashMap<u32, Vec<u32>>,
    stages: usize,
    touchpoints: usize,
) -> Acc {
    let mut acc = Acc::new(stages, touchpoints);
    let ev = &ctx.index.events;
    let mut evs: Vec<Ev> = Vec::new();
    let mut touched: Vec<u16> = Vec::new();
    // Walks the delta's per-person index alongside the persons.
    let mut dp = ev
        .delta_people
        .partition_point(|(p, _)| (*p as usize) < range.start);
    for p in range {
        let s = subjects[p];
        while dp < ev.delta_people.len() && (ev.delta_people[dp].0 as usize) < p {
            dp += 1;
        }
        if let Some(seg) = ctx.q.segment
            && (s >= ctx.contacts || !seg.contains(s as usize))
        {
            continue;
        }
        evs.clear();
        if count[s as usize] > 1 {
            let group = &members[&s];
            if group[0] as usize != p {
                continue;
            }
            for &person in group {
                gather(ctx, person, &mut evs);
            }
            evs.sort_by_key(|e| e.ts);
        } else {
            let has_delta = dp < ev.delta_people.len() && ev.delta_people[dp].0 as usize == p;
            gather_base(ctx, p as u32, &mut evs);
            if has_delta {
                gather_delta(ctx, dp, &mut evs);
                evs.sort_by_key(|e| e.ts);
            }
        }
        if !evs.is_empty() {
            subject(ctx, s, &evs, &mut acc, &mut touched);
        }
    }
    acc
}

fn gather(ctx: &Ctx<'_>, person: u32, evs: &mut Vec<Ev>) {
    gather_base(ctx, person, evs);
    let people = &ctx.index.events.delta_people;
    if let Ok(dp) = people.binary_search_by_key(&person, |(p, _)| *p) {
        gather_delta(ctx, dp, evs);
    }
}

#[inline]
fn gather_base(ctx: &Ctx<'_>, person: u32, evs: &mut Vec<Ev>) {
    let ev = &ctx.index.events;
    let (a, b) = ev.base_range(person);
    let (ts, names) = (&ev.base.ts[a..b], &ev.base.name[a..b]);
    for (i, (&t, &name)) in ts.iter().zip(names).enumerate() {
        if t < ctx.lo || t >= ctx.hi {
            continue;
        }
        let src = (a + i) as u32;
        let mask = ctx.plan.mask(name, src);
        if mask != 0 {
            evs.push(Ev {
                ts: t,
                mask,
                name,
                src,
            });
        }
    }
}

fn gather_delta(ctx: &Ctx<'_>, dp: usize, evs: &mut Vec<Ev>) {
    let ev = &ctx.index.events;
    let start = ev.delta_people[dp].1 as usize;
    let end = ev
        .delta_people
        .get(dp + 1)
        .map_or(ev.delta_order.len(), |(_, s)| *s as usize);
    for &i in &ev.delta_order[start..end] {
        let t = ev.delta.ts[i as usize];
        if t < ctx.lo || t >= ctx.hi {
            continue;
        }
        let name = ev.delta.name[i as usize];
        let src = i | DELTA;
        let mask = ctx.plan.mask(name, src);
        if mask != 0 {
            evs.push(Ev {
                ts: t,
                mask,
                name,
                src,
            });
        }
    }
}

/// The funnel of one subject, whose journey events `evs` are sorted by time.
fn subject(ctx: &Ctx<'_>, s: u32, evs: &[Ev], acc: &mut Acc, touched: &mut Vec<u16>) {
    let q = ctx.q;
    let plan = ctx.plan;
    if q.touchpoints {
        touched.clear();
        for e in evs.iter().filter(|e| e.ts >= q.from_ms && e.ts < q.to_ms) {
            let from = touched.len();
            plan.touchpoints_of(e.name, e.src, touched);
            for &tp in &touched[from..] {
                acc.tp[tp as usize].events += 1;
            }
        }
        touched.sort_unstable();
        touched.dedup();
        for &tp in touched.iter() {
            acc.tp[tp as usize].subjects += 1;
        }
    }
    let Some(entry) = evs
        .iter()
        .position(|e| e.mask & 1 != 0 && e.ts >= q.from_ms && e.ts < q.to_ms)
    else {
        return;
    };
    let t1 = evs[entry].ts;
    let deadline = t1.saturating_add(q.window_ms);
    // The event that reached each stage.
    let mut reached: [u32; MAX_STAGES] = [0; MAX_STAGES];
    reached[0] = entry as u32;
    let mut last = entry;
    let mut stages_reached = 1;
    #[allow(clippy::needless_range_loop)] // `st` is also the stage's bit.
    for st in 1..plan.stages {
        let t_prev = evs[last].ts;
        let mut lo = last;
        while lo > 0 && evs[lo - 1].ts == t_prev {
            lo -= 1;
        }
        let until = match q.last_step_ms {
            Some(step) if st + 1 == plan.stages => t_prev.saturating_add(step),
            _ => deadline,
        };
        let found = evs[lo..]
            .iter()
            .take_while(|e| e.ts <= until)
            .position(|e| e.mask & (1 << st) != 0);
        match found {
            Some(j) => {
                last = lo + j;
                reached[st] = last as u32;
                stages_reached += 1;
            }
            None => break,
        }
    }
    let key = match q.by {
        None => None,
        Some(Breakdown::Segment(set)) => {
            Some(u32::from(s < ctx.contacts && set.contains(s as usize)))
        }
        Some(Breakdown::Channel) => plan
            .touchpoint(evs[entry].name, evs[entry].src, Some(0))
            .map(|tp| {
                Channel::ALL
                    .iter()
                    .position(|c| *c == plan.tp_channel[tp as usize])
                    .unwrap_or(0) as u32
            }),
        Some(Breakdown::EntryTouchpoint) => plan
            .touchpoint(evs[entry].name, evs[entry].src, Some(0))
            .map(u32::from),
        Some(Breakdown::FirstTouchpoint) => evs[..=entry]
            .iter()
            .find_map(|e| plan.touchpoint(e.name, e.src, None))
            .map(u32::from),
    };
    let mut group = key.map(|k| {
        acc.groups
            .entry(k)
            .or_insert_with(|| GroupAcc::new(plan.stages))
    });
    let known = u64::from(s < ctx.contacts);
    for (st, &at) in reached.iter().enumerate().take(stages_reached) {
        let dt = evs[at as usize].ts - t1;
        acc.total.converted[st] += 1;
        acc.total.known[st] += known;
        if st > 0 {
            acc.total.times[st].push(dt);
        }
        if let Some(g) = group.as_mut() {
            g.converted[st] += 1;
            g.known[st] += known;
            if st > 0 {
                g.times[st].push(dt);
            }
        }
        if q.touchpoints {
            let e = evs[at as usize];
            if let Some(tp) = plan.touchpoint(e.name, e.src, Some(st as u32)) {
                let t = &mut acc.tp[tp as usize];
                t.reached += 1;
                t.known += known;
                if st + 1 < stages_reached || st + 1 == plan.stages {
                    t.advanced += 1;
                }
            }
        }
    }
    if q.paths.is_some() && stages_reached < plan.stages {
        let stage = stages_reached - 1;
        acc.dropped[stage] += 1;
        let mut path: Vec<u16> = Vec::with_capacity(PATH_LEN + 1);
        for e in evs[entry..].iter().take_while(|e| e.ts <= deadline) {
            if let Some(tp) = plan.touchpoint(e.name, e.src, None)
                && path.last() != Some(&tp)
            {
                path.push(tp);
            }
        }
        let keep = path.len().saturating_sub(PATH_LEN);
        *acc.paths[stage].entry(path.split_off(keep)).or_default() += 1;
    }
}
