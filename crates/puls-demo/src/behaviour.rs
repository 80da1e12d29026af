//! The behaviour generator: the demo shop's contacts and a year of their behavioural events
//! (Segment-style `track`, `page`, `screen` and `identify` messages), telling the same story
//! as the responses.
//!
//! [`Behaviour::new`] lays out the year; [`Behaviour::observe`] takes the generated responses
//! one by one and keeps a few bytes of each one given by a known customer (what it was
//! about, when, how happy, and for a delivery whether it came late); [`Behaviour::people`]
//! then yields one [`Person`] at a time: a contact with its events, or an anonymous visitor
//! with theirs. Memory is the responses' summaries plus one person's events; everything
//! else is derived from hashes of the seed and the person's number, so any count streams.
//!
//! # How the events fit the responses
//!
//! A customer's responses become anchors of their story: a checkout response follows an
//! order placed minutes before; a delivery response follows that order's delivery, late and
//! slow when the response says the order came late or has not come yet (or gives delivery a
//! poor score), on time when it is happy; a support response follows a chat or a ticket; a
//! returns response follows a return request; a product-information response follows a
//! product view on the channel it was given on. Between anchors a customer visits the shop
//! in sessions spread over the year with its seasons (Black Friday, December), views, adds
//! to the cart and sometimes orders.
//!
//! A late delivery changes a customer: they come back less than half as often and rarely
//! order again. Deliveries come late more often in the November/December peak, much more in
//! the **bad month** (when the courier partner DPD fails), and more often for customers whose
//! responses are unhappy, so the customers with a late delivery are the ones who answer
//! with low scores.
//!
//! # Exact counts
//!
//! Each contact gets a share of the events by weight (how active it is, and how many
//! responses it gave); a contact's story is sized to what the contacts before it left of
//! their shares, so shortfalls (a customer lost to a late delivery) are made up by the next
//! ones. Anonymous visitors come last and take exactly what remains.

use puls_core::attribute::{AttributeKey, AttributeValue};
use puls_core::contact::{Consent, ConsentPurpose, Contact, Email, ExternalId};
use puls_core::tracking::MessageType;
use puls_core::{Answer, Channel, Locale, Survey, Value};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::calendar::{DAY_MS, HOUR_MS};
use crate::generator::DemoResponse;
use crate::people::{Persona, device};
use crate::phrases::{self, CS, EN, Topic};
use crate::random::{exp, splitmix, unit};
use crate::story;
use crate::timeline::Timeline;

/// Events per contact a year that `puls demo` asks for by default (anonymous visitors'
/// events included): about eight visits a year for the average customer.
pub const EVENTS_PER_CONTACT: u64 = 40;

/// Share of the events that come from anonymous visitors who never sign up.
const VISITOR_SHARE: f64 = 0.3;
/// Mean events of an anonymous visitor.
const VISITOR_EVENTS: u64 = 3;
/// Mean events of a contact's session with its follow-ups, for sizing a story.
const SESSION_EVENTS: f64 = 4.2;
/// Events an anchor (a response) brings, for sizing a story.
const ANCHOR_EVENTS: u64 = 4;
/// Weight of one response in a contact's share of the events (an average customer weighs
/// about 100).
const SEEN_WEIGHT: u64 = 30;
/// The chance that a visit puts something in the cart.
const CART: f32 = 0.3;
/// Products in the catalogue.
const PRODUCTS: f64 = 3000.0;

// The event vocabulary of `examples/ecommerce-journey.json`, and some noise around it.
const PRODUCT_VIEWED: &str = "Product Viewed";
const PRODUCT_ADDED: &str = "Product Added";
const WISHLIST: &str = "Product Added to Wishlist";
const ORDER_COMPLETED: &str = "Order Completed";
const ORDER_DELIVERED: &str = "Order Delivered";
const CHAT_STARTED: &str = "Support Chat Started";
const TICKET_CREATED: &str = "Support Ticket Created";
const RETURN_REQUESTED: &str = "Return Requested";
const COMPLAINT_FILED: &str = "Complaint Filed";
const PRODUCT_REVIEWED: &str = "Product Reviewed";
const SEARCHED: &str = "Products Searched";
const HOME: &str = "Home";

/// One contact of the demo shop.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoContact {
    /// External id (`cust-000001`, as the responses name their customer), email, name,
    /// locale, attributes (`region`, `country`, `device`, `signup`, `vip`,
    /// `lifetime_orders`) and the `email_marketing` consent.
    pub contact: Contact,
    /// When the customer signed up (Unix ms); also the `signup` attribute.
    pub created_at_ms: i64,
}

/// One behavioural message, as Segment's tracking API carries it.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoEvent {
    /// `Track`, `Page`, `Screen` or `Identify`.
    pub kind: MessageType,
    /// The track's event or the page's or screen's name; empty for an identify.
    pub name: &'static str,
    /// Unique: `demo<seed>-<n>` for the event's place in the whole stream, so the same
    /// seed and count always give the same ids.
    pub message_id: String,
    pub user_id: Option<String>,
    pub anonymous_id: Option<String>,
    /// When it happened, Unix ms, within the year before "now".
    pub timestamp_ms: i64,
    /// The properties (track, page, screen) or traits (identify), each key once. A list
    /// rather than a map: a map per event would halve the generator's rate, and writers turn
    /// the list into JSON anyway ([`DemoEvent::properties_value`] gives the map).
    pub properties: Vec<(&'static str, Value)>,
}

impl DemoEvent {
    /// The properties as a map, as the tracking API reads them from a message.
    pub fn properties_value(&self) -> Value {
        Value::Map(
            self.properties
                .iter()
                .map(|(k, v)| ((*k).to_string(), v.clone()))
                .collect(),
        )
    }

    /// A property by name.
    pub fn property(&self, key: &str) -> Option<&Value> {
        self.properties
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v)
    }
}

/// A contact, or an anonymous visitor who never signed up, with their events in time order.
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    /// `None` for an anonymous visitor.
    pub contact: Option<DemoContact>,
    pub events: Vec<DemoEvent>,
}

/// Generates the demo's contacts and events, coherent with its responses (see the module
/// documentation of `behaviour.rs` and the crate's "story in the data").
///
/// ```
/// use puls_core::Survey;
///
/// let surveys: Vec<Survey> = puls_demo::surveys()
///     .iter()
///     .map(|s| Survey::parse(&s.definition).expect("demo surveys are valid"))
///     .collect();
/// let now_ms = 1_767_225_600_000;
/// let responses = puls_demo::Generator::new(42, 3000, now_ms, &surveys);
/// let mut behaviour =
///     puls_demo::Behaviour::new(42, now_ms, &surveys, responses.customers(), 40_000);
/// for r in responses {
///     behaviour.observe(&r);
/// }
/// let (mut contacts, mut events) = (0, 0);
/// for person in behaviour.people() {
///     contacts += u64::from(person.contact.is_some());
///     events += person.events.len();
/// }
/// assert_eq!((contacts, events), (1000, 40_000));
/// ```
#[derive(Debug, Clone)]
pub struct Behaviour {
    seed: u64,
    contacts: u64,
    events: u64,
    surveys: Vec<SurveyInfo>,
    seen: Vec<Seen>,
    time: Timeline,
}

impl Behaviour {
    /// `contacts` contacts (`cust-000001`... — the customers of a [`crate::Generator`] with
    /// the same seed are the first [`crate::Generator::customers`] of them, the same people)
    /// and exactly `events` events over the 365 days before `now_ms`, deterministic for
    /// `seed`. `surveys` are those the observed responses were generated for.
    pub fn new(seed: u64, now_ms: i64, surveys: &[Survey], contacts: u64, events: u64) -> Self {
        Behaviour {
            seed,
            contacts,
            events,
            surveys: surveys.iter().map(SurveyInfo::new).collect(),
            seen: Vec::new(),
            time: Timeline::new(seed, now_ms),
        }
    }

    /// Takes note of one generated response, so the events fit it. Responses without a
    /// customer, or by a customer beyond the contacts asked for, change nothing.
    pub fn observe(&mut self, r: &DemoResponse) {
        let Some(info) = self.surveys.get(r.survey) else {
            return;
        };
        let Some(customer) = r
            .meta
            .contact_external_id
            .as_deref()
            .and_then(|id| id.strip_prefix("cust-"))
            .and_then(|n| n.parse::<u64>().ok())
            .filter(|c| (1..=self.contacts).contains(c))
            .and_then(|c| u32::try_from(c).ok())
        else {
            return;
        };
        let answer = |q: &str| {
            r.answers
                .iter()
                .find(|(id, _)| id.as_str() == q)
                .map(|(_, a)| a)
        };
        let score_of = |q: &str| match answer(q) {
            Some(Answer::Score(s)) => Some(*s),
            _ => None,
        };
        let choice_of = |q: &str| match answer(q) {
            Some(Answer::Choice(c)) => Some(c.as_str()),
            _ => None,
        };
        let (mut sum, mut n) = (0.0, 0);
        for (q, a) in &r.answers {
            if let (Answer::Score(s), Some((lo, hi))) = (a, info.range(q.as_str())) {
                sum += (s - lo) as f32 / (hi - lo).max(1) as f32;
                n += 1;
            }
        }
        let what = match info.topic {
            Topic::Information => What::Viewed(Platform::of_view(r.meta.channel)),
            Topic::Checkout => What::Ordered(Platform::of_order(r.meta.channel)),
            Topic::Delivery => {
                let not_arrived = choice_of("arrived") == Some("not_yet");
                let said_late = matches!(answer("problems"),
                    Some(Answer::Choices { selected, .. }) if selected.iter().any(|o| o.as_str() == "late"));
                let slow = matches!(answer("aspects"),
                    Some(Answer::Matrix(rows)) if rows.iter().any(|(row, s)| row.as_str() == "speed" && *s <= 2));
                let late = if not_arrived || said_late {
                    1.0
                } else {
                    let by_csat: f32 = match score_of("csat") {
                        Some(s) if s <= 2 => 0.6,
                        Some(3) => 0.15,
                        Some(_) => 0.0,
                        None => 0.08,
                    };
                    if slow { by_csat.max(0.85) } else { by_csat }
                };
                let carrier = r
                    .meta
                    .touchpoint
                    .as_str()
                    .strip_prefix("delivery-")
                    .and_then(Carrier::parse);
                What::Delivered {
                    late,
                    not_arrived,
                    carrier,
                }
            }
            Topic::Support => What::Support {
                reason: choice_of("reason").and_then(|c| known(SUPPORT_REASONS, c)),
                ticket: r.meta.channel != Channel::Chat,
            },
            Topic::Returns => What::Returned {
                reason: choice_of("reason").and_then(|c| known(RETURN_REASONS, c)),
            },
            Topic::Loyalty | Topic::Generic => What::Other,
        };
        self.seen.push(Seen {
            customer,
            at_ms: r.created_at_ms,
            what,
            mood: (n > 0).then(|| sum / n as f32),
        });
    }

    /// The contacts (`cust-000001` first) with their events, then the anonymous visitors.
    /// Exactly the contacts and events asked for.
    pub fn people(mut self) -> People {
        // Responses come in time order, so a stable sort keeps each customer's in order.
        self.seen.sort_by_key(|s| s.customer);
        let mut total: u128 = 0;
        let mut pos = 0;
        for c in 1..=self.contacts {
            let start = pos;
            while pos < self.seen.len() && u64::from(self.seen[pos].customer) == c {
                pos += 1;
            }
            total += u128::from(weight(&Traits::new(self.seed, c), pos - start));
        }
        let contact_budget = if self.contacts == 0 {
            0
        } else {
            (self.events as f64 * (1.0 - VISITOR_SHARE)).round() as u64
        };
        let visitors = if self.events == 0 {
            0
        } else {
            (self.events - contact_budget)
                .div_ceil(VISITOR_EVENTS)
                .max(1)
        };
        People {
            b: self,
            next: 1,
            visitors,
            seen_pos: 0,
            weight_done: 0,
            weight_total: total,
            contact_budget,
            emitted: 0,
        }
    }
}

/// The people of a [`Behaviour`], one at a time; see [`Behaviour::people`].
#[derive(Debug, Clone)]
pub struct People {
    b: Behaviour,
    /// The next person's number: contacts are 1 to `contacts`, visitors come after.
    next: u64,
    visitors: u64,
    seen_pos: usize,
    weight_done: u128,
    weight_total: u128,
    contact_budget: u64,
    emitted: u64,
}

impl People {
    /// Gives the next events their message ids: `demo<seed>-<n>`, the event's place in the
    /// whole stream. Any run with the same seed and count makes the same ids, even another
    /// day, when "now" and so the events themselves have moved: a store that keeps the
    /// first event of each message id then never takes a demo's events twice.
    fn number(&mut self, events: &mut [DemoEvent]) {
        for e in events {
            let mut id = String::with_capacity(24);
            id.push_str("demo");
            push_hex(&mut id, self.b.seed, 1);
            id.push('-');
            push_hex(&mut id, self.emitted, 10);
            e.message_id = id;
            self.emitted += 1;
        }
    }
}

impl Iterator for People {
    type Item = Person;

    fn next(&mut self) -> Option<Person> {
        let b = &self.b;
        loop {
            let n = self.next;
            let room = b.events - self.emitted;
            if n <= b.contacts {
                self.next += 1;
                let start = self.seen_pos;
                while self.seen_pos < b.seen.len() && u64::from(b.seen[self.seen_pos].customer) == n
                {
                    self.seen_pos += 1;
                }
                let seen = &b.seen[start..self.seen_pos];
                let traits = Traits::new(b.seed, n);
                self.weight_done += u128::from(weight(&traits, seen.len()));
                let target = (u128::from(self.contact_budget) * self.weight_done
                    / self.weight_total.max(1)) as u64;
                let quota = target.saturating_sub(self.emitted);
                let mut person =
                    Story::new(b, n, traits.persona.hash).contact(&traits, seen, quota, room);
                self.number(&mut person.events);
                return Some(person);
            }
            let j = n - b.contacts - 1;
            if j >= self.visitors {
                return None;
            }
            self.next += 1;
            let budget = b.events - self.contact_budget;
            let target = self.contact_budget
                + (u128::from(budget) * u128::from(j + 1) / u128::from(self.visitors)) as u64;
            let quota = target.saturating_sub(self.emitted).min(room);
            if quota == 0 {
                continue;
            }
            let hash = splitmix(b.seed ^ 0x0a70_0000 ^ n.wrapping_mul(0x9e37_79b9_7f4a_7c15));
            let mut events = Story::new(b, n, hash).visitor(quota as usize);
            self.number(&mut events);
            return Some(Person {
                contact: None,
                events,
            });
        }
    }
}

impl std::iter::FusedIterator for People {}

// ---------------------------------------------------------------------------------------------
// What the responses said.

/// What the behaviour generator needs of a survey.
#[derive(Debug, Clone)]
struct SurveyInfo {
    topic: Topic,
    /// Score questions and their ranges.
    scores: Vec<(String, i64, i64)>,
}

impl SurveyInfo {
    fn new(s: &Survey) -> Self {
        SurveyInfo {
            topic: story::profile(s.touchpoint.as_str()).topic,
            scores: s
                .questions
                .iter()
                .filter_map(|q| {
                    let (lo, hi) = q.kind.score_range()?;
                    Some((q.id.as_str().to_string(), lo, hi))
                })
                .collect(),
        }
    }

    fn range(&self, question: &str) -> Option<(i64, i64)> {
        self.scores
            .iter()
            .find(|(q, ..)| q == question)
            .map(|(_, lo, hi)| (*lo, *hi))
    }
}

/// One response of a known customer, in brief.
#[derive(Debug, Clone, Copy)]
struct Seen {
    customer: u32,
    at_ms: i64,
    what: What,
    /// The response's scores on `[0, 1]`, averaged; `None` without a score.
    mood: Option<f32>,
}

#[derive(Debug, Clone, Copy)]
enum What {
    /// A product-information response: a product was viewed just before.
    Viewed(Platform),
    /// A checkout response: an order was placed just before.
    Ordered(Platform),
    /// A delivery response.
    Delivered {
        /// How likely the delivery came late, from the answers.
        late: f32,
        /// The order had not arrived yet when the customer answered.
        not_arrived: bool,
        carrier: Option<Carrier>,
    },
    Support {
        reason: Option<&'static str>,
        /// By email or phone rather than chat.
        ticket: bool,
    },
    Returned {
        reason: Option<&'static str>,
    },
    Other,
}

const SUPPORT_REASONS: &[&str] = &["order_status", "payment", "return", "product", "account"];
const RETURN_REASONS: &[&str] = &[
    "wrong_size",
    "not_as_described",
    "damaged",
    "changed_mind",
    "arrived_late",
];

/// `id` as one of `list`'s static strings.
fn known(list: &[&'static str], id: &str) -> Option<&'static str> {
    list.iter().find(|x| **x == id).copied()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Platform {
    Web,
    App,
    Social,
}

impl Platform {
    fn as_str(self) -> &'static str {
        match self {
            Platform::Web => "web",
            Platform::App => "app",
            Platform::Social => "social",
        }
    }

    fn of_view(channel: Channel) -> Self {
        match channel {
            Channel::InApp => Platform::App,
            Channel::Social => Platform::Social,
            _ => Platform::Web,
        }
    }

    /// Orders are placed on the web or in the app; the social shop links to the web.
    fn of_order(channel: Channel) -> Self {
        match channel {
            Channel::InApp => Platform::App,
            _ => Platform::Web,
        }
    }

    fn checkout(self) -> Self {
        if self == Platform::Social {
            Platform::Web
        } else {
            self
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Carrier {
    Inpost,
    Dpd,
    Dhl,
    Gls,
    Ppl,
}

impl Carrier {
    fn as_str(self) -> &'static str {
        match self {
            Carrier::Inpost => "inpost",
            Carrier::Dpd => "dpd",
            Carrier::Dhl => "dhl",
            Carrier::Gls => "gls",
            Carrier::Ppl => "ppl",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [
            Carrier::Inpost,
            Carrier::Dpd,
            Carrier::Dhl,
            Carrier::Gls,
            Carrier::Ppl,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
    }

    /// The carriers of a country ([`CS`] or Poland) with their shares.
    fn mix(country: usize) -> &'static [(Carrier, f32)] {
        if country == CS {
            &[
                (Carrier::Ppl, 0.4),
                (Carrier::Dpd, 0.3),
                (Carrier::Gls, 0.2),
                (Carrier::Dhl, 0.1),
            ]
        } else {
            &[
                (Carrier::Inpost, 0.45),
                (Carrier::Dpd, 0.25),
                (Carrier::Dhl, 0.15),
                (Carrier::Gls, 0.15),
            ]
        }
    }

    /// Days an on-time delivery takes: (fewest, most).
    fn days(self) -> (i64, i64) {
        match self {
            Carrier::Inpost | Carrier::Ppl => (1, 2),
            Carrier::Dpd => (1, 3),
            Carrier::Dhl => (2, 3),
            Carrier::Gls => (2, 4),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Contacts.

/// What a contact is like, from a hash of the seed and their number.
struct Traits {
    persona: Persona,
    /// 0 light, 1 regular, 2 loyal.
    loyalty: usize,
    /// Relative number of visits a year.
    activity: f64,
    /// Share of visits in the app.
    app: f32,
    /// Signed up before the year began (unless their responses say otherwise).
    existing: bool,
    /// Browsed anonymously before signing up.
    anonymous_first: bool,
}

impl Traits {
    fn new(seed: u64, c: u64) -> Self {
        // The hash the response generator gives customer `c`: the same person.
        let hash = splitmix(seed ^ c.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let persona = Persona::new(hash, c);
        let h = splitmix(hash ^ 0xbe4a_71e5);
        let u = |shift: u32| ((h >> shift) & 0xffff) as f64 / 65536.0;
        let loyalty = match u(0) {
            x if x < 0.55 => 0,
            x if x < 0.88 => 1,
            _ => 2,
        };
        let app = match device(Channel::Web, persona.device_u) {
            Some("mobile") => 0.5,
            Some("tablet") => 0.3,
            _ => 0.06,
        };
        Traits {
            loyalty,
            activity: [0.5, 1.2, 3.0][loyalty] * (0.7 + 0.6 * u(16)),
            app,
            existing: u(32) < 0.6,
            anonymous_first: u(48) < 0.7,
            persona,
        }
    }

    fn device(&self) -> &'static str {
        if self.app >= 0.5 {
            "mobile"
        } else {
            device(Channel::Web, self.persona.device_u).unwrap_or("desktop")
        }
    }
}

/// A contact's share of the events, relative to the others'.
fn weight(t: &Traits, seen: usize) -> u64 {
    (100.0 * t.activity).round() as u64 + SEEN_WEIGHT * seen as u64
}

// ---------------------------------------------------------------------------------------------
// Stories.

/// An order placed in a story.
#[derive(Debug, Clone)]
struct Order {
    at: i64,
    id: String,
    product: u32,
}

/// How an order is to be delivered, when a response says so.
#[derive(Debug, Clone, Copy, Default)]
struct DeliveryPlan {
    late: Option<bool>,
    /// When it arrives.
    at: Option<i64>,
    carrier: Option<Carrier>,
}

/// One person's year, being written.
struct Story<'a> {
    time: &'a Timeline,
    seed: u64,
    number: u64,
    rng: ChaCha8Rng,
    events: Vec<DemoEvent>,
    orders: Vec<Order>,
    /// When the customer first waited past the promised delivery date.
    late_at: Option<i64>,
    lang: usize,
    country: usize,
    app: f32,
    /// How happy their responses are, on `[0, 1]`.
    mood: Option<f32>,
    /// The last time their responses show them ordering (a checkout, delivery or returns
    /// response): they were not lost before it.
    ordering_until: i64,
}

impl<'a> Story<'a> {
    fn new(b: &'a Behaviour, number: u64, hash: u64) -> Self {
        let persona = Persona::new(hash, number);
        Story {
            time: &b.time,
            seed: b.seed,
            number,
            rng: ChaCha8Rng::seed_from_u64(splitmix(hash ^ 0x0570_71e5)),
            events: Vec::new(),
            orders: Vec::new(),
            late_at: None,
            lang: persona.lang,
            country: persona.country,
            app: 0.05,
            mood: None,
            ordering_until: i64::MIN,
        }
    }

    fn contact(mut self, t: &Traits, seen: &[Seen], quota: u64, room: u64) -> Person {
        let time = self.time;
        let (start, now) = (time.start, time.now);
        self.events
            .reserve(usize::try_from(quota).unwrap_or(0) + 8 * (seen.len() + 1));
        self.app = t.app;
        let moods: Vec<f32> = seen.iter().filter_map(|s| s.mood).collect();
        self.mood = (!moods.is_empty()).then(|| moods.iter().sum::<f32>() / moods.len() as f32);
        self.ordering_until = seen
            .iter()
            .filter(|s| {
                matches!(
                    s.what,
                    What::Ordered(_) | What::Delivered { .. } | What::Returned { .. }
                )
            })
            .map(|s| s.at_ms)
            .max()
            .unwrap_or(i64::MIN);

        // When they signed up: before the year, or in it, before anything their responses
        // tell of.
        let first_seen = seen.first().map(|s| s.at_ms);
        // (A returns response may tell of an order placed up to 25 days before it.)
        let existing = t.existing || first_seen.is_some_and(|f| f < start + 40 * DAY_MS);
        let signup = if existing {
            start - self.rng.random_range(30 * DAY_MS..3 * 365 * DAY_MS)
        } else {
            let last = first_seen.map_or(now - DAY_MS, |f| f - 30 * DAY_MS);
            self.rng.random_range(start..last.max(start + 1))
        };
        let anonymous_first = !existing && t.anonymous_first;
        let from = signup.max(start);

        // How many visits: what the quota leaves after the responses' anchors.
        let free = quota.saturating_sub(ANCHOR_EVENTS * seen.len() as u64) as f64;
        let sessions = (free / SESSION_EVENTS + self.rng.random::<f64>()) as usize;
        let mut plan: Vec<(i64, Option<usize>)> = Vec::with_capacity(sessions + seen.len() + 1);
        let (lo, hi) = (time.cum_at(from), time.cum_at(now));
        for _ in 0..sessions {
            let y = lo + self.rng.random::<f64>() * (hi - lo);
            plan.push((time.at_cum(y).clamp(from, now - 1), None));
        }
        if !existing && sessions > 0 {
            // The visit they signed up in, and before it, for those who looked around first,
            // a few anonymous ones.
            plan.push((signup + 1000, None));
            if anonymous_first {
                for _ in 0..self.rng.random_range(1..=3).min(sessions) {
                    let at = signup - self.rng.random_range(HOUR_MS..21 * DAY_MS);
                    plan.push((at.max(start), None));
                }
            }
        }
        let anchors = pair(&mut self.rng, seen);
        for (i, s) in seen.iter().enumerate() {
            if !matches!(anchors[i], Anchor::Consumed) {
                plan.push((anchors[i].at(s), Some(i)));
            }
        }
        plan.sort_by_key(|(at, _)| *at);

        // Of those who put something in the cart, how many order: loyal customers more.
        let buy = [0.3, 0.5, 0.8][t.loyalty];
        for (at, anchor) in plan {
            match anchor {
                Some(i) => self.anchor(&seen[i], anchors[i]),
                None if at == signup + 1000 => self.session(at, 0.9, 0.8),
                None if at < signup => self.session(at, CART, 0.0),
                None => {
                    let lost = self.late_at.is_some_and(|l| at > l);
                    // After a late delivery, most visits never happen, and few end in an order.
                    if lost && self.rng.random::<f32>() < 0.65 {
                        continue;
                    }
                    self.session(at, CART, if lost { 0.2 * buy } else { buy });
                }
            }
        }

        // Before the year, existing customers ordered a few times already.
        let prior = if existing {
            (t.activity * 2.5 * self.rng.random::<f64>()).round() as u64
        } else {
            0
        };
        let email = t.persona.email();
        let name = t.persona.name();
        let user = format!("cust-{:06}", self.number);
        let anonymous = anonymous_first.then(|| anonymous_id(self.seed, self.number));
        if !existing {
            self.push(
                signup,
                MessageType::Identify,
                "",
                props([
                    ("email", Value::str(email.as_str())),
                    ("name", Value::str(name.as_str())),
                ]),
            );
        }
        let orders = self.finish(
            room,
            |e| {
                if anonymous_first && e.timestamp_ms < signup {
                    (None, anonymous.clone())
                } else {
                    (Some(user.clone()), anonymous.clone())
                }
            },
            prior,
        );

        let contact = self.record(t, user, email, name, signup, prior + orders);
        Person {
            contact: Some(DemoContact {
                contact,
                created_at_ms: signup,
            }),
            events: self.events,
        }
    }

    /// The contact as the shop's systems know it at the end of the year.
    fn record(
        &mut self,
        t: &Traits,
        user: String,
        email: String,
        name: String,
        signup: i64,
        lifetime: u64,
    ) -> Contact {
        let mut contact = Contact {
            external_id: ExternalId::parse(&user).ok(),
            email: Email::parse(&email).ok(),
            name: Some(name),
            locale: Locale::parse(phrases::LANGS[t.persona.lang]).ok(),
            ..Contact::default()
        };
        let mut attr = |k: &str, v: AttributeValue| {
            if let Ok(k) = AttributeKey::parse(k) {
                contact.attributes.insert(k, v);
            }
        };
        attr(
            "region",
            AttributeValue::Text(t.persona.region().to_string()),
        );
        attr(
            "country",
            AttributeValue::Text(if t.persona.country == CS { "CZ" } else { "PL" }.into()),
        );
        attr("device", AttributeValue::Text(t.device().to_string()));
        attr("signup", AttributeValue::Date(signup));
        attr("lifetime_orders", AttributeValue::Number(lifetime as f64));
        attr(
            "vip",
            AttributeValue::Bool(lifetime >= 8 || (t.loyalty == 2 && lifetime >= 5)),
        );
        let granted = self.rng.random::<f32>() < [0.5, 0.6, 0.75][t.loyalty];
        let mut consent = Consent {
            granted,
            at_ms: signup + 60_000,
        };
        if let Some(l) = self.late_at
            && granted
            && self.rng.random::<f32>() < 0.3
        {
            // Some customers let down by a delivery stop the newsletters.
            let at = l + self.rng.random_range(DAY_MS..10 * DAY_MS);
            if at < self.time.now {
                consent = Consent {
                    granted: false,
                    at_ms: at,
                };
            }
        }
        if let Ok(p) = ConsentPurpose::parse("email_marketing") {
            contact.consents.insert(p, consent);
        }
        contact
    }

    /// An anonymous visitor's exactly `quota` events: visits that never end in an order.
    fn visitor(mut self, quota: usize) -> Vec<DemoEvent> {
        let time = self.time;
        self.events.reserve(quota + 8);
        self.app = if self.rng.random::<f32>() < 0.15 {
            0.8
        } else {
            0.02
        };
        let (lo, hi) = (time.cum_at(time.start), time.cum_at(time.now));
        while self.events.len() < quota {
            let at = time.at_cum(lo + self.rng.random::<f64>() * (hi - lo));
            let first = self.events.len();
            self.session(at, CART, 0.0);
            // A visit just before "now" may run past it: those events have not happened.
            let mut i = first;
            while i < self.events.len() {
                if self.events[i].timestamp_ms >= time.now {
                    self.events.swap_remove(i);
                } else {
                    i += 1;
                }
            }
        }
        // The last visit is cut short to make the count.
        self.events.truncate(quota);
        let anonymous = anonymous_id(self.seed, self.number);
        self.finish(quota as u64, |_| (None, Some(anonymous.clone())), 0);
        self.events
    }

    /// Sorts the events, keeps those within the year (at most `room`), and gives them their
    /// user and anonymous ids; marks repeat orders (after `prior` orders before the year).
    /// Returns the number of orders kept.
    fn finish(
        &mut self,
        room: u64,
        ids: impl Fn(&DemoEvent) -> (Option<String>, Option<String>),
        prior: u64,
    ) -> u64 {
        let (start, now) = (self.time.start, self.time.now);
        self.events
            .retain(|e| (start..now).contains(&e.timestamp_ms));
        self.events.sort_by_key(|e| e.timestamp_ms);
        self.events.truncate(room as usize);
        let mut orders = 0;
        for e in &mut self.events {
            let (user, anonymous) = ids(e);
            e.user_id = user;
            e.anonymous_id = anonymous;
            if e.name == ORDER_COMPLETED {
                e.properties
                    .push(("repeat", Value::Bool(prior + orders > 0)));
                orders += 1;
            }
        }
        orders
    }

    fn push(
        &mut self,
        at: i64,
        kind: MessageType,
        name: &'static str,
        properties: Vec<(&'static str, Value)>,
    ) {
        self.events.push(DemoEvent {
            kind,
            name,
            message_id: String::new(),
            user_id: None,
            anonymous_id: None,
            timestamp_ms: at,
            properties,
        });
    }

    fn track(&mut self, at: i64, name: &'static str, properties: Vec<(&'static str, Value)>) {
        self.push(at, MessageType::Track, name, properties);
    }

    /// A few seconds to a few minutes.
    fn pause(&mut self) -> i64 {
        self.rng.random_range(8_000..150_000)
    }

    /// One visit: the home page, a search, products viewed, perhaps a wishlist or the cart,
    /// and perhaps an order: `cart` is the chance of putting something in the cart, `order`
    /// the chance of then ordering it.
    fn session(&mut self, mut at: i64, cart: f32, order: f32) {
        let platform = match self.rng.random::<f32>() {
            x if x < 0.07 => Platform::Social,
            x if x < 0.07 + self.app => Platform::App,
            _ => Platform::Web,
        };
        if self.rng.random::<f32>() < 0.45 {
            let kind = if platform == Platform::App {
                MessageType::Screen
            } else {
                MessageType::Page
            };
            self.push(at, kind, HOME, Vec::new());
            at += self.pause();
        }
        if self.rng.random::<f32>() < 0.28 {
            let bank = phrases::SEARCHES[self.lang];
            let query = bank[self.rng.random_range(0..bank.len())];
            self.track(at, SEARCHED, props([("query", Value::str(query))]));
            at += self.pause();
        }
        let mut product = self.product();
        let mut views = 1;
        while views < 6 && self.rng.random::<f32>() < 0.5 {
            views += 1;
        }
        for v in 0..views {
            if v > 0 {
                product = self.product();
            }
            self.view(at, platform, product);
            at += self.pause();
        }
        if self.rng.random::<f32>() < 0.05 {
            self.track(
                at,
                WISHLIST,
                props([
                    ("platform", Value::str(platform.as_str())),
                    ("product_id", Value::Str(product_id(product))),
                ]),
            );
            at += self.pause();
        }
        if self.rng.random::<f32>() < cart {
            self.add(at, platform.checkout(), product);
            at += self.pause();
            if self.rng.random::<f32>() < order {
                self.order(at, platform.checkout(), product, DeliveryPlan::default());
            }
        }
    }

    /// A product, popular ones more often.
    fn product(&mut self) -> u32 {
        let u: f64 = self.rng.random();
        (u * u * PRODUCTS) as u32
    }

    fn view(&mut self, at: i64, platform: Platform, product: u32) {
        let category = phrases::CATEGORIES[(splitmix(u64::from(product)) % 8) as usize];
        self.track(
            at,
            PRODUCT_VIEWED,
            props([
                ("platform", Value::str(platform.as_str())),
                ("product_id", Value::Str(product_id(product))),
                ("category", Value::str(category)),
            ]),
        );
    }

    fn add(&mut self, at: i64, platform: Platform, product: u32) {
        let (price, currency) = self.price(product);
        self.track(
            at,
            PRODUCT_ADDED,
            props([
                ("platform", Value::str(platform.as_str())),
                ("product_id", Value::Str(product_id(product))),
                ("price", Value::Float(price)),
                ("currency", Value::str(currency)),
            ]),
        );
    }

    /// A product's price in the person's currency (PLN for Polish, CZK for Czech, EUR for
    /// English speakers): the same product always costs the same.
    fn price(&self, product: u32) -> (f64, &'static str) {
        // 19 to 1900 PLN, cheap products more common (`exp` is exact for |x| < 3 only).
        let e = exp(2.3 * unit(splitmix(u64::from(product) ^ 0x009e_1ce5)));
        let pln = 19.0 * e * e;
        match self.lang {
            CS => ((pln * 5.8 / 10.0).round() * 10.0 - 1.0, "CZK"),
            EN => (cents(pln * 0.235), "EUR"),
            _ => (cents(pln), "PLN"),
        }
    }

    /// Places an order and writes what follows it: the delivery (late or not), and perhaps a
    /// support contact, a complaint, a return or a review.
    fn order(&mut self, at: i64, platform: Platform, product: u32, plan: DeliveryPlan) {
        let mut id = String::with_capacity(14);
        id.push_str("ord-");
        push_dec(&mut id, self.number, 6);
        id.push('-');
        push_dec(&mut id, self.orders.len() as u64 + 1, 2);
        let (price, currency) = self.price(product);
        let quantity = match self.rng.random::<f32>() {
            x if x < 0.75 => 1.0,
            x if x < 0.95 => 2.0,
            _ => 3.0,
        };
        self.track(
            at,
            ORDER_COMPLETED,
            props([
                ("platform", Value::str(platform.as_str())),
                ("order_id", Value::str(id.as_str())),
                ("revenue", Value::Float(cents(price * quantity))),
                ("currency", Value::str(currency)),
            ]),
        );
        self.orders.push(Order {
            at,
            id: id.clone(),
            product,
        });

        let carrier = plan.carrier.unwrap_or_else(|| {
            let mix = Carrier::mix(self.country);
            mix[pick(&mut self.rng, mix)].0
        });
        let late = plan
            .late
            .unwrap_or_else(|| self.rng.random::<f32>() < self.late_chance(at, carrier));
        let (fast, slow) = carrier.days();
        let promised = at + slow * DAY_MS;
        let arrives = plan.at.unwrap_or_else(|| {
            let days = if late {
                self.rng.random_range(slow + 3..=slow + 10)
            } else {
                self.rng.random_range(fast..=slow)
            };
            at + days * DAY_MS - self.rng.random_range(0..10 * HOUR_MS)
        });
        let days = ((arrives - at) as f64 / DAY_MS as f64).ceil().max(1.0) as i64;
        self.track(
            arrives,
            ORDER_DELIVERED,
            props([
                ("order_id", Value::str(id.as_str())),
                ("carrier", Value::str(carrier.as_str())),
                ("delivery_days", Value::Int(days)),
                ("late", Value::Bool(late)),
            ]),
        );
        if late {
            let noticed = promised.min(arrives);
            self.late_at = Some(self.late_at.map_or(noticed, |l| l.min(noticed)));
            if self.rng.random::<f32>() < 0.35 {
                let at = noticed + self.rng.random_range(HOUR_MS..2 * DAY_MS);
                self.support(at.min(arrives - HOUR_MS), "order_status", None);
            }
            if self.rng.random::<f32>() < 0.1 {
                let at = arrives + self.rng.random_range(HOUR_MS..3 * DAY_MS);
                self.track(
                    at,
                    COMPLAINT_FILED,
                    props([
                        ("order_id", Value::str(id.as_str())),
                        ("reason", Value::str("late_delivery")),
                    ]),
                );
            }
        } else if self.rng.random::<f32>() < 0.03 {
            let reason = ["product", "payment", "account"][self.rng.random_range(0..3)];
            let at = at + self.rng.random_range(HOUR_MS..4 * DAY_MS);
            self.support(at, reason, None);
        }
        if self.rng.random::<f32>() < 0.07 {
            let reason = if late && self.rng.random::<f32>() < 0.5 {
                "arrived_late"
            } else {
                RETURN_MIX[pick(&mut self.rng, &RETURN_MIX)].0
            };
            let at = arrives + self.rng.random_range(DAY_MS..14 * DAY_MS);
            self.return_request(at, &id, reason);
        } else if self.rng.random::<f32>() < if late { 0.03 } else { 0.12 } {
            let rating = if late {
                self.rng.random_range(1..=3)
            } else {
                self.rng.random_range(3..=5)
            };
            let at = arrives + self.rng.random_range(2 * DAY_MS..12 * DAY_MS);
            self.track(
                at,
                PRODUCT_REVIEWED,
                props([
                    ("product_id", Value::Str(product_id(product))),
                    ("rating", Value::Int(rating)),
                ]),
            );
        }
    }

    /// How likely an order placed at `at` with `carrier` comes late: more in the peak, much
    /// more with DPD in the bad month, more for customers whose responses are unhappy, and
    /// less for those whose later responses show them ordering again (a late delivery would
    /// have lost them).
    fn late_chance(&self, at: i64, carrier: Carrier) -> f32 {
        let day = self.time.day_at(at);
        let mut p = 0.05 + if day.peak { 0.04 } else { 0.0 };
        p += day.incident * if carrier == Carrier::Dpd { 0.55 } else { 0.08 };
        let unhappy = self.mood.map_or(1.0, |m| 0.2 + 4.0 * (0.85 - m).max(0.0));
        let kept = if self.ordering_until > at + 10 * DAY_MS {
            0.6
        } else {
            1.0
        };
        (p * unhappy * kept).min(0.9)
    }

    fn support(&mut self, at: i64, reason: &'static str, ticket: Option<bool>) {
        let ticket = ticket.unwrap_or_else(|| self.rng.random::<f32>() < 0.3);
        let (name, channel) = if ticket {
            let channel = if self.rng.random::<f32>() < 0.6 {
                "email"
            } else {
                "phone"
            };
            (TICKET_CREATED, channel)
        } else {
            (CHAT_STARTED, "chat")
        };
        self.track(
            at,
            name,
            props([
                ("reason", Value::str(reason)),
                ("channel", Value::str(channel)),
            ]),
        );
    }

    fn return_request(&mut self, at: i64, order: &str, reason: &'static str) {
        self.track(
            at,
            RETURN_REQUESTED,
            props([
                ("order_id", Value::str(order)),
                ("reason", Value::str(reason)),
            ]),
        );
        if matches!(reason, "damaged" | "not_as_described") && self.rng.random::<f32>() < 0.3 {
            let at = at + self.rng.random_range(HOUR_MS..DAY_MS);
            self.track(
                at,
                COMPLAINT_FILED,
                props([
                    ("order_id", Value::str(order)),
                    ("reason", Value::str(reason)),
                ]),
            );
        }
    }

    /// A short visit that ends in an order at `at`.
    fn purchase(&mut self, at: i64, platform: Platform, plan: DeliveryPlan) {
        let product = self.product();
        let mut t = at - self.rng.random_range(3 * 60_000..25 * 60_000);
        self.view(t, platform, product);
        t += self.pause();
        self.add(t.min(at - 30_000), platform, product);
        self.order(at, platform, product, plan);
    }

    /// What a customer did before a response, so the events fit it.
    fn anchor(&mut self, s: &Seen, anchor: Anchor) {
        let r = s.at_ms;
        match (s.what, anchor) {
            (What::Viewed(platform), _) => {
                let at = r - self.rng.random_range(60_000..20 * 60_000);
                let product = self.product();
                self.view(at, platform, product);
            }
            (What::Ordered(platform), Anchor::Delivery(plan)) => {
                let at = r - self.rng.random_range(60_000..5 * 60_000);
                self.purchase(at, platform, plan);
            }
            (What::Ordered(platform), _) => {
                let at = r - self.rng.random_range(60_000..5 * 60_000);
                self.purchase(at, platform, DeliveryPlan::default());
            }
            (
                What::Delivered { carrier, .. },
                Anchor::Late {
                    late,
                    ordered,
                    arrives,
                },
            ) => {
                let carrier = carrier.or_else(|| {
                    // In the bad month, the late ones are mostly the failing courier's.
                    (late
                        && self.time.day_at(ordered).incident > 0.0
                        && self.rng.random::<f32>() < 0.7)
                        .then_some(Carrier::Dpd)
                });
                let platform = if self.rng.random::<f32>() < self.app {
                    Platform::App
                } else {
                    Platform::Web
                };
                self.purchase(
                    ordered,
                    platform,
                    DeliveryPlan {
                        late: Some(late),
                        at: Some(arrives),
                        carrier,
                    },
                );
            }
            (What::Support { reason, ticket }, _) => {
                let at = r - self.rng.random_range(5 * 60_000..2 * HOUR_MS);
                self.support(at, reason.unwrap_or("order_status"), Some(ticket));
            }
            (What::Returned { reason }, _) => {
                let reason = reason.unwrap_or("changed_mind");
                let recent = self
                    .orders
                    .iter()
                    .rev()
                    .find(|o| o.at < r - 3 * DAY_MS && o.at > r - 60 * DAY_MS)
                    .map(|o| o.id.clone());
                let order = match recent {
                    Some(id) => id,
                    None => {
                        let at = r - self.rng.random_range(8 * DAY_MS..25 * DAY_MS);
                        let plan = DeliveryPlan {
                            late: Some(reason == "arrived_late"),
                            ..DeliveryPlan::default()
                        };
                        self.purchase(at, Platform::Web, plan);
                        self.orders.last().map(|o| o.id.clone()).unwrap_or_default()
                    }
                };
                let at = r - self.rng.random_range(HOUR_MS..2 * DAY_MS);
                self.return_request(at, &order, reason);
            }
            (What::Other, _) => {
                // A loyalty response: sometimes a review of something bought before.
                if let Some(o) = self.orders.last().filter(|o| o.at < r - 3 * DAY_MS)
                    && self.rng.random::<f32>() < 0.3
                {
                    let product = o.product;
                    let at = r - self.rng.random_range(HOUR_MS..DAY_MS);
                    let rating = if self.late_at.is_some() {
                        self.rng.random_range(2..=4)
                    } else {
                        self.rng.random_range(4..=5)
                    };
                    self.track(
                        at,
                        PRODUCT_REVIEWED,
                        props([
                            ("product_id", Value::Str(product_id(product))),
                            ("rating", Value::Int(rating)),
                        ]),
                    );
                }
            }
            (What::Delivered { .. }, _) => {}
        }
    }
}

/// How a response is anchored in the story.
#[derive(Debug, Clone, Copy)]
enum Anchor {
    /// A checkout response whose order's delivery a later delivery response tells of.
    Delivery(DeliveryPlan),
    /// A delivery response of its own order: late or not, when it was ordered and when it
    /// arrives.
    Late {
        late: bool,
        ordered: i64,
        arrives: i64,
    },
    /// A delivery response told through an earlier checkout response's order.
    Consumed,
    Plain,
}

impl Anchor {
    /// When the story reaches it: when the order it tells of was placed.
    fn at(self, s: &Seen) -> i64 {
        match self {
            Anchor::Late { ordered, .. } => ordered,
            _ => s.at_ms,
        }
    }
}

/// Decides which delivery responses came late, and when their orders were placed and
/// arrived; ties a delivery response to the order of an earlier checkout response when
/// their times fit.
fn pair(rng: &mut ChaCha8Rng, seen: &[Seen]) -> Vec<Anchor> {
    let mut out = vec![Anchor::Plain; seen.len()];
    for i in 0..seen.len() {
        let What::Delivered {
            late, not_arrived, ..
        } = seen[i].what
        else {
            continue;
        };
        let r = seen[i].at_ms;
        // When the answers leave it open, a customer whose later responses show them
        // ordering again was more likely served on time: a late delivery loses customers.
        let again = seen[i + 1..].iter().any(|s| {
            s.at_ms > r + 3 * DAY_MS
                && matches!(
                    s.what,
                    What::Ordered(_) | What::Delivered { .. } | What::Returned { .. }
                )
        });
        let chance = if again && late < 1.0 {
            late * 0.3
        } else {
            late
        };
        let late = not_arrived || rng.random::<f32>() < chance;
        let fits = |gap: i64| {
            if not_arrived {
                (2 * DAY_MS..10 * DAY_MS).contains(&gap)
            } else if late {
                (5 * DAY_MS..14 * DAY_MS).contains(&gap)
            } else {
                (DAY_MS..5 * DAY_MS).contains(&gap)
            }
        };
        let order = (0..i).rev().find(|&j| {
            matches!(seen[j].what, What::Ordered(_))
                && matches!(out[j], Anchor::Plain)
                && fits(r - seen[j].at_ms)
        });
        let arrives = if not_arrived {
            r + rng.random_range(DAY_MS..6 * DAY_MS)
        } else {
            r - rng.random_range(2 * HOUR_MS..30 * HOUR_MS)
        };
        if let Some(j) = order {
            let carrier = match seen[i].what {
                What::Delivered { carrier, .. } => carrier,
                _ => None,
            };
            out[j] = Anchor::Delivery(DeliveryPlan {
                late: Some(late),
                at: Some(arrives.max(seen[j].at_ms + 20 * HOUR_MS)),
                carrier,
            });
            out[i] = Anchor::Consumed;
        } else {
            let ordered = if not_arrived {
                r - rng.random_range(3 * DAY_MS..7 * DAY_MS)
            } else {
                let days = if late {
                    rng.random_range(5..=12)
                } else {
                    rng.random_range(1..=3)
                };
                arrives - days * DAY_MS + rng.random_range(0..6 * HOUR_MS)
            };
            out[i] = Anchor::Late {
                late,
                ordered,
                arrives,
            };
        }
    }
    out
}

/// Why people send goods back when nothing went wrong with the delivery.
const RETURN_MIX: [(&str, f32); 4] = [
    ("wrong_size", 0.4),
    ("not_as_described", 0.2),
    ("damaged", 0.1),
    ("changed_mind", 0.3),
];

// ---------------------------------------------------------------------------------------------
// Small things.

/// An index into `items` drawn with probability proportional to the weights.
fn pick<T>(rng: &mut ChaCha8Rng, items: &[(T, f32)]) -> usize {
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

/// An event's properties; room for one more (an order's `repeat`).
fn props<const N: usize>(pairs: [(&'static str, Value); N]) -> Vec<(&'static str, Value)> {
    let mut v = Vec::with_capacity(N + 1);
    v.extend(pairs);
    v
}

/// `prefix` then `n` in `width` lowercase hex digits at least. Faster than `format!`, which
/// matters at tens of millions of ids.
fn push_hex(out: &mut String, n: u64, width: usize) {
    let digits = (64 - n.leading_zeros() as usize).div_ceil(4).max(width);
    for i in (0..digits).rev() {
        let d = ((n >> (4 * i)) & 0xf) as u8;
        out.push(char::from(if d < 10 { b'0' + d } else { b'a' + d - 10 }));
    }
}

/// `n` in at least `width` decimal digits.
fn push_dec(out: &mut String, n: u64, width: usize) {
    let mut buf = [b'0'; 20];
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let start = i.min(buf.len() - width.min(buf.len()));
    for &c in &buf[start..] {
        out.push(char::from(c));
    }
}

fn product_id(product: u32) -> String {
    let mut s = String::with_capacity(9);
    s.push_str("sku-");
    push_dec(&mut s, u64::from(product) + 1, 5);
    s
}

/// A price rounded to cents, ending in .99 like a shop's.
fn cents(x: f64) -> f64 {
    (x.floor() + 0.99).max(0.99)
}

/// A person's anonymous id: shaped like a UUIDv7, whose leading bits count people, so ids
/// written in order land at the end of an index.
fn anonymous_id(seed: u64, number: u64) -> String {
    let t = 0x0191_0000_0000 + number;
    let h = splitmix(seed ^ 0xa40_0000 ^ number.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    format!(
        "{:08x}-{:04x}-7{:03x}-{:04x}-{:012x}",
        (t >> 16) & 0xffff_ffff,
        t & 0xffff,
        h & 0xfff,
        0x8000 | ((h >> 12) & 0x3fff),
        (h >> 26) & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_ids_look_like_uuids_and_sort_by_person() {
        let a = anonymous_id(42, 7);
        let b = anonymous_id(42, 8);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "7");
        assert!(a < b);
        assert_ne!(a[19..], b[19..]);
    }

    #[test]
    fn ids_are_written_like_format_would() {
        for n in [0, 1, 9, 10, 255, 4096, 999_999, 1_000_000, u64::MAX] {
            for w in [1, 4, 8] {
                let (mut h, mut d) = (String::new(), String::new());
                push_hex(&mut h, n, w);
                push_dec(&mut d, n, w);
                assert_eq!(h, format!("{n:0w$x}"));
                assert_eq!(d, format!("{n:0w$}"));
            }
        }
    }
}
