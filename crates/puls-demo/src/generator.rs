//! The response generator: a year of responses to the demo surveys, deterministic for a seed.
//!
//! [`Generator::new`] compiles the surveys once into plans (option ids parsed, story tweaks
//! looked up, conditions copied) and lays out the year as local days with their volume and
//! story. Each call to `next` then costs a few dozen random numbers and one allocation per
//! answer or attribute; responses come out in time order.
//!
//! Times are spread by stratified sampling over the cumulative volume of the year, so exactly
//! `count` responses are produced, in non-decreasing `created_at_ms`, and the volume follows
//! the weekly, daily and seasonal pattern of the story (see the crate documentation) at any
//! `count`.
//!
//! [`Generator::with_touchpoints`] spreads the responses over finer touchpoints than the
//! surveys' own (see [`crate::touchpoints`]); without it no extra random number is drawn, so
//! the data stays what it was.

use std::collections::BTreeMap;
use std::fmt;
use std::iter::FusedIterator;

use puls_core::survey::ContactField;
use puls_core::{
    Answer, Answers, Channel, Condition, KanoAnswer, Locale, OptionId, QuestionId, QuestionKind,
    ResponseMeta, Survey, Touchpoint,
};
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::calendar::{
    DAY_MS, HOUR_MS, HourProfile, civil_from_days, local_date, local_days, weekday,
};
use crate::people::{Persona, device};
use crate::phrases::{self, CS, EN, PL, Tone, Topic};
use crate::random::{exp, normal, splitmix, unit};
use crate::story::{self, KanoMix, Profile, Tweak};
use crate::touchpoints;

/// One generated response.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoResponse {
    /// Index of the survey in the slice given to [`Generator::new`] (for the demo set, the
    /// index into [`crate::surveys()`]).
    pub survey: usize,
    /// When the response was submitted, Unix ms.
    pub created_at_ms: i64,
    /// False for a partial response: the respondent stopped after a few questions.
    pub completed: bool,
    /// Channel, touchpoint (the survey's, or a finer one with
    /// [`Generator::with_touchpoints`]), locale, contact and attributes.
    pub meta: ResponseMeta,
    /// The answers; they pass [`Survey::validate_answers`] for `completed`.
    pub answers: Answers,
}

/// Share of responses left unfinished.
const PARTIAL_SHARE: f32 = 0.08;
/// Length of the window, in days.
const WINDOW_DAYS: i64 = 365;

/// Generates `count` demo responses for a set of surveys; an [`Iterator`] of [`DemoResponse`].
///
/// Built for the demo surveys of [`crate::surveys()`], whose touchpoints, questions and options
/// the story knows; any other valid survey works too, with plainer answers.
#[derive(Debug, Clone)]
pub struct Generator {
    rng: ChaCha8Rng,
    seed: u64,
    count: u64,
    next: u64,
    plans: Vec<SurveyPlan>,
    days: Vec<Day>,
    /// `days.len() * plans.len()`: each plan's share of a day's volume.
    shares: Vec<f32>,
    /// `days.len() * plans.len()`: each plan's mean mood on a day.
    moods: Vec<f32>,
    day: usize,
    total: f64,
    hours: [HourProfile; 2],
    customers: u64,
    scratch: Scratch,
}

impl Generator {
    /// `count` responses spread over the 365 days before `now_ms` (Unix ms), deterministic
    /// for `seed`: the same arguments always give the same responses, in time order.
    ///
    /// Responses go to `surveys` (by index, see [`DemoResponse::survey`]); with no surveys
    /// there are no responses. About a third of `count` distinct customers
    /// (`cust-000001`...) answer the responses that carry a contact.
    pub fn new(seed: u64, count: u64, now_ms: i64, surveys: &[Survey]) -> Self {
        let plans: Vec<SurveyPlan> = surveys.iter().map(SurveyPlan::new).collect();
        let hours = [
            HourProfile::new(&story::WEEKDAY_HOURS),
            HourProfile::new(&story::WEEKEND_HOURS),
        ];
        let start = now_ms - WINDOW_DAYS * DAY_MS;
        let incident = story::incident_month(local_date(now_ms));
        let spans = local_days(start, now_ms);
        let mut days = Vec::with_capacity(spans.len());
        let mut shares = Vec::with_capacity(spans.len() * plans.len());
        let mut moods = Vec::with_capacity(spans.len() * plans.len());
        let mut total = 0.0;
        for span in spans {
            let date = civil_from_days(span.day);
            let wd = weekday(span.day);
            let weekend = wd == 0 || wd == 6;
            let hp = &hours[usize::from(weekend)];
            let mid = span.start_utc + (span.to - span.from) / 2;
            let progress = ((mid - start) as f64 / (WINDOW_DAYS * DAY_MS) as f64) as f32;
            let story = story::day_story(span.day, date, incident, progress);
            let noise = 0.88 + 0.24 * unit(splitmix(seed ^ 0x5eed_da75 ^ span.day as u64));
            let (h_from, h_to) = (hp.at(span.from), hp.at(span.to));
            let weight = story.volume * noise * (h_to - h_from) / hp.cum[24];
            for plan in &plans {
                shares.push(plan.profile.share_on(&story));
                moods.push(plan.profile.mood_on(&story));
            }
            days.push(Day {
                start_utc: span.start_utc,
                from: span.from,
                to: span.to,
                h_from,
                h_to,
                weekend,
                incident: story.incident,
                cum_start: total,
                cum_end: total + weight,
            });
            total += weight;
        }
        let count = if plans.is_empty() { 0 } else { count };
        Generator {
            rng: ChaCha8Rng::seed_from_u64(seed),
            seed,
            count,
            next: 0,
            plans,
            days,
            shares,
            moods,
            day: 0,
            total,
            hours,
            customers: (count / 3).max(1),
            scratch: Scratch::default(),
        }
    }

    /// How many distinct customers (`cust-000001` up to `cust-{customers}`) the responses
    /// that carry a contact are drawn from: about a third of the count, none without
    /// responses. Not every one of them answers.
    pub fn customers(&self) -> u64 {
        if self.count == 0 { 0 } else { self.customers }
    }

    /// Spreads the responses over exactly `n` distinct touchpoints instead of the surveys' own:
    /// busy touchpoints are split into finer ones that fit the shop (checkout on the web, in
    /// the app and through a marketplace; delivery by courier partner; returns online or in
    /// one of the shop's stores; ...), each with its own channel mix and a small change of
    /// mood. `n` equal to the number of distinct survey touchpoints changes nothing.
    ///
    /// Call it before taking responses. Still deterministic for the seed; a different `n`
    /// gives different responses. Touchpoints the story does not know cannot be split, so
    /// `n` must lie between the number of distinct survey touchpoints and what splitting the
    /// known ones reaches (26 for the demo surveys).
    ///
    /// ```
    /// use puls_core::Survey;
    ///
    /// let surveys: Vec<Survey> = puls_demo::surveys()
    ///     .iter()
    ///     .map(|s| Survey::parse(&s.definition).expect("demo surveys are valid"))
    ///     .collect();
    /// let g = puls_demo::Generator::new(42, 1000, 1_767_225_600_000, &surveys)
    ///     .with_touchpoints(20)
    ///     .expect("the demo surveys split into 20 touchpoints");
    /// assert_eq!(g.touchpoints().len(), 20);
    /// ```
    pub fn with_touchpoints(mut self, n: usize) -> Result<Self, TouchpointCountError> {
        let own = self.own_touchpoints();
        let names: Vec<&str> = own.iter().map(|t| t.as_str()).collect();
        let taken = touchpoints::split(&names, n).ok_or(TouchpointCountError {
            requested: n,
            min: names.len(),
            max: touchpoints::max_touchpoints(&names),
        })?;
        for plan in &mut self.plans {
            let i = own.iter().position(|t| *t == plan.touchpoint).unwrap_or(0);
            let subs = touchpoints::subs(plan.touchpoint.as_str());
            plan.spread(if taken[i] >= 2 {
                &subs[..taken[i]]
            } else {
                &[]
            });
        }
        Ok(self)
    }

    /// The distinct touchpoints the responses are given at, in the order of the surveys.
    pub fn touchpoints(&self) -> Vec<Touchpoint> {
        let mut out: Vec<Touchpoint> = Vec::new();
        for plan in &self.plans {
            let list: Vec<&Touchpoint> = if plan.subs.is_empty() {
                vec![&plan.touchpoint]
            } else {
                plan.subs.iter().map(|s| &s.touchpoint).collect()
            };
            for t in list {
                if !out.contains(t) {
                    out.push(t.clone());
                }
            }
        }
        out
    }

    /// The surveys' own distinct touchpoints, in survey order.
    fn own_touchpoints(&self) -> Vec<Touchpoint> {
        let mut out: Vec<Touchpoint> = Vec::new();
        for plan in &self.plans {
            if !out.contains(&plan.touchpoint) {
                out.push(plan.touchpoint.clone());
            }
        }
        out
    }

    fn generate(&mut self, i: u64) -> DemoResponse {
        let Generator {
            rng,
            seed,
            count,
            plans,
            days,
            shares,
            moods,
            day,
            total,
            hours,
            customers,
            scratch,
            ..
        } = self;

        // When: stratified over the cumulative volume, so times never go back.
        let target = (i as f64 + rng.random::<f64>()) / *count as f64 * *total;
        while *day + 1 < days.len() && days[*day].cum_end <= target {
            *day += 1;
        }
        let d = &days[*day];
        let frac = ((target - d.cum_start) / (d.cum_end - d.cum_start)).clamp(0.0, 1.0);
        let hp = &hours[usize::from(d.weekend)];
        let local = hp
            .inverse(d.h_from + frac * (d.h_to - d.h_from))
            .clamp(d.from, d.to - 1);
        let created_at_ms = d.start_utc + (local - d.from);
        let hour = (local / HOUR_MS).clamp(0, 23) as usize;

        // Which survey.
        let n = plans.len();
        let row = *day * n;
        scratch.weights.clear();
        scratch.weights.extend(
            plans
                .iter()
                .enumerate()
                .map(|(j, p)| shares[row + j] * p.profile.hour_share(hour)),
        );
        let s = pick(rng, &scratch.weights);
        let plan = &plans[s];

        // Where: the survey's touchpoint, or one of its finer ones.
        let mut sub = (!plan.subs.is_empty()).then(|| &plan.subs[pick(rng, &plan.sub_weights)]);
        let channels = sub.map_or(&plan.channels, |x| &x.channels);

        // Who: a known customer or an anonymous respondent.
        let channel = channels[pick_pair(rng, channels)].0;
        let customer = (rng.random::<f32>() < contact_share(channel)).then(|| {
            // u^1.25: a few loyal customers answer often. sqrt keeps it exact on every platform.
            let u: f64 = rng.random();
            let skewed = u * u.sqrt().sqrt();
            1 + ((*customers as f64 * skewed) as u64).min(*customers - 1)
        });
        let persona = match customer {
            Some(c) => Persona::new(splitmix(*seed ^ c.wrapping_mul(0x9e37_79b9_7f4a_7c15)), c),
            None => Persona::new(rng.next_u64(), rng.next_u64() % 100),
        };
        let device = device(channel, persona.device_u);
        let lang = persona.lang;

        let mut attributes = BTreeMap::new();
        if let Some(dev) = device
            && rng.random::<f32>() < 0.85
        {
            attributes.insert("device".to_string(), dev.to_string());
        }
        if sub.is_some_and(|x| x.store.is_some()) {
            // People return goods where they live, and always to the same store.
            let x = &plan.subs[store_for(&plan.stores, persona.country, persona.hash)];
            if let Some((_, name)) = x.store {
                attributes.insert("store".to_string(), name.to_string());
            }
            sub = Some(x);
        } else if channel == Channel::Store {
            let stores = if persona.country == CS {
                phrases::STORES_CZ
            } else {
                phrases::STORES_PL
            };
            let store = stores[(persona.hash >> 8) as usize % stores.len()];
            attributes.insert("store".to_string(), store.to_string());
        }
        if rng.random::<f32>() < 0.55 {
            attributes.insert("region".to_string(), persona.region().to_string());
        }
        if plan.profile.order_value && rng.random::<f32>() < 0.7 {
            let (value, currency) = order_value(rng, persona.country);
            attributes.insert("order_value".to_string(), value);
            attributes.insert("currency".to_string(), currency.to_string());
        }

        let meta = ResponseMeta {
            channel,
            touchpoint: sub.map_or_else(|| plan.touchpoint.clone(), |x| x.touchpoint.clone()),
            locale: plan.locales[lang].clone(),
            contact_external_id: customer.map(|c| format!("cust-{c:06}")),
            contact_email: None,
            invitation_token: None,
            attributes,
        };

        // How they feel, and what they answer.
        let mobile = device == Some("mobile");
        let mood = moods[row + s]
            + sub.map_or(0.0, |x| x.mood)
            + persona.bias
            + if mobile {
                plan.profile.mobile_mood
            } else {
                0.0
            }
            + plan.profile.spread * normal(rng);
        let ctx = Ctx {
            topic: plan.profile.topic,
            lang: plan.text_lang[lang],
            mood,
            incident: d.incident,
            persona: &persona,
        };
        let completed = rng.random::<f32>() >= PARTIAL_SHARE;
        let answers = answer_survey(rng, scratch, plan, &ctx, completed);
        DemoResponse {
            survey: s,
            created_at_ms,
            completed,
            meta,
            answers,
        }
    }
}

impl Iterator for Generator {
    type Item = DemoResponse;

    fn next(&mut self) -> Option<DemoResponse> {
        if self.next >= self.count {
            return None;
        }
        let i = self.next;
        self.next += 1;
        Some(self.generate(i))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.count - self.next;
        match usize::try_from(left) {
            Ok(n) => (n, Some(n)),
            Err(_) => (usize::MAX, None),
        }
    }
}

impl ExactSizeIterator for Generator {}
impl FusedIterator for Generator {}

// ---------------------------------------------------------------------------------------------
// Plans: surveys compiled for generation.

#[derive(Debug, Clone)]
struct SurveyPlan {
    touchpoint: Touchpoint,
    profile: Profile,
    /// The survey locale for a respondent of each language (pl, cs, en).
    locales: [Locale; 3],
    /// The phrase language for that locale.
    text_lang: [usize; 3],
    channels: Vec<(Channel, f32)>,
    questions: Vec<QuestionPlan>,
    /// The finer touchpoints responses are spread over; empty for the survey's own.
    subs: Vec<SubPlan>,
    /// `subs`' shares of the survey's responses.
    sub_weights: Vec<f32>,
    /// The stores among `subs`: (country, index into `subs`).
    stores: Vec<(usize, usize)>,
}

/// A finer touchpoint, compiled for generation.
#[derive(Debug, Clone)]
struct SubPlan {
    touchpoint: Touchpoint,
    channels: Vec<(Channel, f32)>,
    mood: f32,
    /// A store: its country and name.
    store: Option<(usize, &'static str)>,
}

#[derive(Debug, Clone)]
struct QuestionPlan {
    id: QuestionId,
    required: bool,
    show_if: Option<Condition>,
    end_if: Option<Condition>,
    kind: KindPlan,
}

#[derive(Debug, Clone)]
struct Opt {
    id: OptionId,
    tweak: Tweak,
}

#[derive(Debug, Clone)]
enum KindPlan {
    Score {
        lo: i64,
        hi: i64,
        tweak: Tweak,
    },
    Single(Vec<Opt>),
    Multi {
        options: Vec<Opt>,
        other: bool,
        min: usize,
        max: usize,
    },
    Text {
        max_len: usize,
    },
    Matrix {
        rows: Vec<Opt>,
        lo: i64,
        hi: i64,
    },
    Ranking(Vec<Opt>),
    Kano(KanoMix),
    Contact {
        email: bool,
        phone: bool,
    },
}

impl SurveyPlan {
    fn new(survey: &Survey) -> Self {
        let tp = survey.touchpoint.as_str();
        let profile = story::profile(tp);
        let locale_for = |lang: &str| {
            survey
                .locales
                .iter()
                .find(|l| l.language() == lang)
                .unwrap_or(&survey.default_locale)
                .clone()
        };
        let locales = [
            locale_for(phrases::LANGS[PL]),
            locale_for(phrases::LANGS[CS]),
            locale_for(phrases::LANGS[EN]),
        ];
        let text_lang = [0, 1, 2].map(|i| phrases::lang_index(locales[i].language()));

        let mut channels = profile.channels.to_vec();
        if !channels.iter().any(|(c, _)| *c == survey.channel) {
            let rest: f32 = channels.iter().map(|(_, w)| w).sum();
            channels.push((survey.channel, if rest > 0.0 { rest } else { 1.0 }));
        }

        let opts = |qid: &str, list: &[puls_core::survey::Choice]| -> Vec<Opt> {
            list.iter()
                .map(|c| Opt {
                    id: c.id.clone(),
                    tweak: story::tweak(tp, qid, c.id.as_str()),
                })
                .collect()
        };
        let questions = survey
            .questions
            .iter()
            .map(|q| {
                let qid = q.id.as_str();
                let kind = match &q.kind {
                    QuestionKind::Nps
                    | QuestionKind::Csat
                    | QuestionKind::Ces
                    | QuestionKind::Rating(_) => {
                        let (lo, hi) = q.kind.score_range().unwrap_or((0, 10));
                        KindPlan::Score {
                            lo,
                            hi,
                            tweak: story::tweak(tp, qid, ""),
                        }
                    }
                    QuestionKind::SingleChoice { options, .. } => {
                        KindPlan::Single(opts(qid, options))
                    }
                    QuestionKind::MultipleChoice {
                        options,
                        other,
                        min_choices,
                        max_choices,
                        ..
                    } => {
                        let other = other.is_some();
                        let most = options.len() + usize::from(other);
                        KindPlan::Multi {
                            options: opts(qid, options),
                            other,
                            min: (*min_choices).max(1),
                            max: max_choices.unwrap_or(most).min(most),
                        }
                    }
                    QuestionKind::OpenText { max_length, .. } => KindPlan::Text {
                        max_len: *max_length,
                    },
                    QuestionKind::Matrix { rows, scale } => KindPlan::Matrix {
                        rows: opts(qid, rows),
                        lo: scale.min,
                        hi: scale.max,
                    },
                    QuestionKind::Ranking { options, .. } => KindPlan::Ranking(opts(qid, options)),
                    QuestionKind::Kano { .. } => KindPlan::Kano(story::kano_mix(qid)),
                    QuestionKind::Contact { fields, .. } => KindPlan::Contact {
                        email: fields.contains(&ContactField::Email),
                        phone: fields.contains(&ContactField::Phone),
                    },
                };
                QuestionPlan {
                    id: q.id.clone(),
                    required: q.required,
                    show_if: q.show_if.clone(),
                    end_if: q.end_if.clone(),
                    kind,
                }
            })
            .collect();
        SurveyPlan {
            touchpoint: survey.touchpoint.clone(),
            profile,
            locales,
            text_lang,
            channels,
            questions,
            subs: Vec::new(),
            sub_weights: Vec::new(),
            stores: Vec::new(),
        }
    }

    /// Spreads the survey's responses over `subs` (none: its own touchpoint).
    fn spread(&mut self, subs: &[touchpoints::Sub]) {
        self.subs = subs
            .iter()
            .map(|s| SubPlan {
                // The catalogue's slugs are valid (a unit test parses every one).
                touchpoint: Touchpoint::parse(s.slug).unwrap_or_else(|_| self.touchpoint.clone()),
                channels: if s.channels.is_empty() {
                    self.channels.clone()
                } else {
                    s.channels.to_vec()
                },
                mood: s.mood,
                store: s
                    .store
                    .map(|(country, i)| (country, phrases::stores(country)[i])),
            })
            .collect();
        self.sub_weights = subs.iter().map(|s| s.weight).collect();
        self.stores = self
            .subs
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.store.map(|(country, _)| (country, i)))
            .collect();
    }
}

/// The index into a plan's subs of the store a respondent uses: one in their country when
/// there is one, else any; the same for the same person.
fn store_for(stores: &[(usize, usize)], country: usize, hash: u64) -> usize {
    let h = (hash >> 8) as usize;
    let local = stores.iter().filter(|(c, _)| *c == country).count();
    let pick = if local > 0 {
        stores.iter().filter(|(c, _)| *c == country).nth(h % local)
    } else {
        stores.get(h % stores.len().max(1))
    };
    pick.map_or(0, |(_, i)| *i)
}

/// [`Generator::with_touchpoints`] was asked for a number of touchpoints the surveys cannot
/// be spread over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TouchpointCountError {
    /// The number asked for.
    pub requested: usize,
    /// The surveys' own distinct touchpoints: the fewest possible.
    pub min: usize,
    /// The most the known touchpoints split into.
    pub max: usize,
}

impl fmt::Display for TouchpointCountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot spread the responses over {} touchpoints: these surveys allow {} to {}",
            self.requested, self.min, self.max
        )
    }
}

impl std::error::Error for TouchpointCountError {}

// ---------------------------------------------------------------------------------------------
// Time.

#[derive(Debug, Clone)]
struct Day {
    start_utc: i64,
    /// Local ms of day where the span starts and ends.
    from: i64,
    to: i64,
    /// The cumulative hour profile at `from` and `to`.
    h_from: f64,
    h_to: f64,
    weekend: bool,
    incident: f32,
    cum_start: f64,
    cum_end: f64,
}

// ---------------------------------------------------------------------------------------------
// Contacts and orders.
/// How often a response on a channel is tied to a known customer.
fn contact_share(channel: Channel) -> f32 {
    match channel {
        Channel::Email | Channel::Api => 0.85,
        Channel::InApp => 0.9,
        Channel::Sms => 0.75,
        Channel::Phone => 0.7,
        Channel::Chat => 0.5,
        Channel::Store => 0.3,
        Channel::Web => 0.25,
        Channel::Social => 0.15,
    }
}

/// An order value in the customer's currency.
fn order_value(rng: &mut ChaCha8Rng, country: usize) -> (String, &'static str) {
    let spread = exp(f64::from(0.75 * normal(rng)));
    if country == CS {
        let v = ((990.0 * spread).clamp(80.0, 30_000.0) / 10.0).round() as i64 * 10 - 1;
        (v.to_string(), "CZK")
    } else {
        let whole = (180.0 * spread).clamp(15.0, 6000.0) as i64;
        let cents = [99, 90, 0, 49][rng.random_range(0..4)];
        (format!("{whole}.{cents:02}"), "PLN")
    }
}

// ---------------------------------------------------------------------------------------------
// Answers.

/// Reused buffers, so answering allocates only what the answer keeps.
#[derive(Debug, Clone, Default)]
struct Scratch {
    weights: Vec<f32>,
}

/// What the answers of one response depend on.
struct Ctx<'a> {
    topic: Topic,
    lang: usize,
    mood: f32,
    incident: f32,
    persona: &'a Persona,
}

/// Walks the survey as a respondent would: only visible questions, required ones always,
/// optional ones sometimes, stopping at an early end. A partial response keeps the first
/// few answers, so its answers are what the respondent had submitted when they left.
fn answer_survey(
    rng: &mut ChaCha8Rng,
    scratch: &mut Scratch,
    plan: &SurveyPlan,
    ctx: &Ctx<'_>,
    completed: bool,
) -> Answers {
    let mut answers = Answers::new();
    let keep = if completed {
        usize::MAX
    } else {
        match rng.random::<f32>() {
            x if x < 0.5 => 1,
            x if x < 0.8 => 2,
            _ => 3,
        }
    };
    let mut given = 0;
    let mut last = None;
    let mut stopped = false;
    // The first score answered sets the tone of comments.
    let mut tone_score: Option<f32> = None;
    for (i, q) in plan.questions.iter().enumerate() {
        if q.show_if.as_ref().is_some_and(|c| !c.holds(&answers)) {
            continue;
        }
        if given >= keep {
            stopped = true;
            break;
        }
        let tone = tone_of(tone_score.unwrap_or(ctx.mood));
        if !q.required && rng.random::<f32>() >= answer_share(&q.kind, tone) {
            continue;
        }
        let answer = answer(rng, scratch, &q.kind, ctx, tone);
        if let (Answer::Score(s), KindPlan::Score { lo, hi, .. }, None) =
            (&answer, &q.kind, tone_score)
        {
            tone_score = Some((s - lo) as f32 / (hi - lo) as f32);
        }
        answers.insert(q.id.clone(), answer);
        given += 1;
        last = Some(i);
        if q.end_if.as_ref().is_some_and(|c| c.holds(&answers)) {
            break;
        }
    }
    // A partial response that happened to reach the end leaves before its last answer.
    if !completed
        && !stopped
        && given > 1
        && let Some(i) = last
    {
        answers.remove(&plan.questions[i].id);
    }
    answers
}

fn tone_of(score: f32) -> Tone {
    if score >= 0.85 {
        Tone::Positive
    } else if score < 0.65 {
        Tone::Negative
    } else {
        Tone::Neutral
    }
}

/// How often an optional visible question gets an answer.
fn answer_share(kind: &KindPlan, tone: Tone) -> f32 {
    match kind {
        KindPlan::Score { .. } => 0.85,
        KindPlan::Single(_) => 0.8,
        KindPlan::Multi { .. } => 0.85,
        KindPlan::Text { .. } => match tone {
            Tone::Negative => 0.55,
            Tone::Neutral => 0.22,
            Tone::Positive => 0.35,
        },
        KindPlan::Matrix { .. } => 0.7,
        KindPlan::Ranking(_) => 0.55,
        KindPlan::Kano(_) => 0.9,
        KindPlan::Contact { .. } => 0.3,
    }
}

fn answer(
    rng: &mut ChaCha8Rng,
    scratch: &mut Scratch,
    kind: &KindPlan,
    ctx: &Ctx<'_>,
    tone: Tone,
) -> Answer {
    match kind {
        KindPlan::Score { lo, hi, tweak } => Answer::Score(score(rng, *lo, *hi, tweak, ctx)),
        KindPlan::Single(options) => {
            weigh(&mut scratch.weights, options, ctx);
            Answer::Choice(options[pick(rng, &scratch.weights)].id.clone())
        }
        KindPlan::Multi {
            options,
            other,
            min,
            max,
        } => {
            let wanted = match rng.random::<f32>() {
                x if x < 0.5 => 1,
                x if x < 0.82 => 2,
                _ => 3,
            };
            let wanted = wanted.min(*max).max(*min);
            let other_text = (*other && rng.random::<f32>() < 0.12).then(|| {
                let bank = phrases::other_answers(ctx.topic, ctx.lang);
                bank[rng.random_range(0..bank.len())].to_string()
            });
            let n = (wanted - usize::from(other_text.is_some())).min(options.len());
            weigh(&mut scratch.weights, options, ctx);
            let mut selected = Vec::with_capacity(n);
            for _ in 0..n {
                selected.push(options[pick_unique(rng, &mut scratch.weights)].id.clone());
            }
            Answer::Choices {
                selected,
                other: other_text,
            }
        }
        KindPlan::Text { max_len } => Answer::Text(comment(rng, ctx, tone, *max_len)),
        KindPlan::Matrix { rows, lo, hi } => {
            let mut out = BTreeMap::new();
            for row in rows {
                if rng.random::<f32>() < 0.95 {
                    out.insert(row.id.clone(), score(rng, *lo, *hi, &row.tweak, ctx));
                }
            }
            if out.is_empty() {
                let row = &rows[0];
                out.insert(row.id.clone(), score(rng, *lo, *hi, &row.tweak, ctx));
            }
            Answer::Matrix(out)
        }
        KindPlan::Ranking(options) => {
            weigh(&mut scratch.weights, options, ctx);
            let mut order = Vec::with_capacity(options.len());
            for _ in 0..options.len() {
                order.push(options[pick_unique(rng, &mut scratch.weights)].id.clone());
            }
            Answer::Ranking(order)
        }
        KindPlan::Kano(mix) => kano(rng, mix),
        KindPlan::Contact { email, phone } => {
            let (mut e, mut p) = (
                *email && rng.random::<f32>() < 0.85,
                *phone && rng.random::<f32>() < 0.45,
            );
            if !e && !p {
                e = *email;
                p = !*email;
            }
            Answer::Contact {
                email: e.then(|| ctx.persona.email()),
                phone: p.then(|| ctx.persona.phone()),
                consent: true,
            }
        }
    }
}

/// A score on `[lo, hi]` from the respondent's mood.
fn score(rng: &mut ChaCha8Rng, lo: i64, hi: i64, tweak: &Tweak, ctx: &Ctx<'_>) -> i64 {
    let x = ctx.mood + tweak.offset + tweak.incident_offset * ctx.incident + 0.08 * normal(rng);
    lo + (x.clamp(0.0, 1.0) * (hi - lo) as f32).round() as i64
}

/// Fills `weights` with the options' weights for this respondent.
fn weigh(weights: &mut Vec<f32>, options: &[Opt], ctx: &Ctx<'_>) {
    let m = ctx.mood.clamp(0.0, 1.0);
    weights.clear();
    weights.extend(options.iter().map(|o| {
        let t = &o.tweak;
        (t.unhappy + (t.happy - t.unhappy) * m)
            * t.lang[ctx.lang]
            * (1.0 + (t.incident - 1.0) * ctx.incident)
    }));
    if weights.iter().all(|w| *w <= 0.0) {
        weights.iter_mut().for_each(|w| *w = 1.0);
    }
}

/// A comment in the respondent's language whose tone matches their scores.
fn comment(rng: &mut ChaCha8Rng, ctx: &Ctx<'_>, tone: Tone, max_len: usize) -> String {
    let bank = phrases::comments(ctx.topic, ctx.lang, tone);
    let incident = phrases::incident_comments(ctx.topic, ctx.lang);
    let incident_share = match tone {
        Tone::Positive => 0.0,
        Tone::Neutral => 0.35 * ctx.incident,
        Tone::Negative => {
            let usual = if ctx.topic == Topic::Delivery {
                0.08
            } else {
                0.0
            };
            usual + 0.75 * ctx.incident
        }
    };
    let first = if !incident.is_empty() && rng.random::<f32>() < incident_share {
        incident[rng.random_range(0..incident.len())]
    } else {
        bank[rng.random_range(0..bank.len())]
    };
    let second = (bank.len() > 1 && rng.random::<f32>() < 0.25)
        .then(|| bank[rng.random_range(0..bank.len())])
        .filter(|s| *s != first);
    let mut out = String::with_capacity(first.len() + second.map_or(0, |s| s.len() + 1));
    out.push_str(first);
    if let Some(s) = second {
        out.push(' ');
        out.push_str(s);
    }
    if out.chars().count() > max_len {
        out = out
            .chars()
            .take(max_len)
            .collect::<String>()
            .trim_end()
            .to_string();
        if out.is_empty() {
            out.push('-');
        }
    }
    out
}

/// A functional / dysfunctional pair for a feature whose category follows `mix`.
fn kano(rng: &mut ChaCha8Rng, mix: &KanoMix) -> Answer {
    use KanoAnswer::*;
    let (functional, dysfunctional) = if rng.random::<f32>() < 0.02 {
        // Questionable: the respondent misread one of the pair.
        (Like, Like)
    } else {
        let one = |rng: &mut ChaCha8Rng, choices: &[(KanoAnswer, f32)]| {
            let mut r = rng.random::<f32>() * choices.iter().map(|(_, w)| w).sum::<f32>();
            for (a, w) in choices {
                if r < *w {
                    return *a;
                }
                r -= w;
            }
            choices[choices.len() - 1].0
        };
        match pick(rng, mix) {
            0 => (
                Like,
                one(rng, &[(Neutral, 0.6), (Tolerate, 0.3), (Expect, 0.1)]),
            ),
            1 => (
                one(rng, &[(Expect, 0.5), (Neutral, 0.35), (Tolerate, 0.15)]),
                Dislike,
            ),
            2 => (Like, Dislike),
            3 => (
                one(rng, &[(Neutral, 0.7), (Tolerate, 0.2), (Expect, 0.1)]),
                one(rng, &[(Neutral, 0.7), (Tolerate, 0.3)]),
            ),
            _ => (
                Dislike,
                one(rng, &[(Like, 0.4), (Expect, 0.3), (Neutral, 0.3)]),
            ),
        }
    };
    Answer::Kano {
        functional,
        dysfunctional,
    }
}

// ---------------------------------------------------------------------------------------------
// Randomness.

/// An index drawn with probability proportional to `weights`; only positive weights count,
/// and at least one must be positive.
fn pick(rng: &mut ChaCha8Rng, weights: &[f32]) -> usize {
    let total: f32 = weights.iter().filter(|w| **w > 0.0).sum();
    let mut r = rng.random::<f32>() * total;
    let mut last = 0;
    for (i, w) in weights.iter().enumerate() {
        if *w > 0.0 {
            if r < *w {
                return i;
            }
            r -= w;
            last = i;
        }
    }
    last
}

/// Like [`pick`], for drawing without replacement: a drawn index is marked with a negative
/// weight and never drawn again; when only zero weights remain, they count as equal.
fn pick_unique(rng: &mut ChaCha8Rng, weights: &mut [f32]) -> usize {
    if !weights.iter().any(|w| *w > 0.0) {
        weights
            .iter_mut()
            .filter(|w| **w == 0.0)
            .for_each(|w| *w = 1.0);
    }
    let k = pick(rng, weights);
    weights[k] = -1.0;
    k
}

fn pick_pair<T>(rng: &mut ChaCha8Rng, items: &[(T, f32)]) -> usize {
    let total: f32 = items.iter().map(|(_, w)| w).sum();
    let mut r = rng.random::<f32>() * total;
    for (i, (_, w)) in items.iter().enumerate() {
        if r < *w {
            return i;
        }
        r -= w;
    }
    items.len() - 1
}
