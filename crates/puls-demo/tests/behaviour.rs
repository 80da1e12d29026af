//! Checks of the generated contacts and events: exact counts, determinism, the journey's
//! vocabulary, and the story they tell together with the responses.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use puls_core::attribute::AttributeValue;
use puls_core::journey::Journey;
use puls_core::tracking::MessageType;
use puls_core::{Answer, Survey, Value};
use puls_demo::{Behaviour, DemoEvent, DemoResponse, Generator, Person, surveys};

/// 2026-03-15T09:30:00Z: the bad delivery month is November 2025.
const NOW: i64 = 1_773_567_000_000;
const DAY: i64 = 86_400_000;

fn parsed() -> Vec<Survey> {
    surveys()
        .iter()
        .map(|s| Survey::parse(&s.definition).unwrap())
        .collect()
}

/// Responses, and the people of a behaviour generator that observed them.
fn generate(
    seed: u64,
    responses: u64,
    contacts: Option<u64>,
    events: u64,
) -> (Vec<DemoResponse>, Vec<Person>) {
    let s = parsed();
    let g = Generator::new(seed, responses, NOW, &s);
    let contacts = contacts.unwrap_or(g.customers());
    let rs: Vec<DemoResponse> = g.collect();
    let mut b = Behaviour::new(seed, NOW, &s, contacts, events);
    for r in &rs {
        b.observe(r);
    }
    (rs, b.people().collect())
}

fn events(people: &[Person]) -> impl Iterator<Item = &DemoEvent> {
    people.iter().flat_map(|p| &p.events)
}

fn prop<'a>(e: &'a DemoEvent, k: &str) -> Option<&'a Value> {
    e.property(k)
}

fn str_prop<'a>(e: &'a DemoEvent, k: &str) -> &'a str {
    match prop(e, k) {
        Some(Value::Str(s)) => s,
        other => panic!("{} has {k} = {other:?}", e.name),
    }
}

fn bool_prop(e: &DemoEvent, k: &str) -> bool {
    match prop(e, k) {
        Some(Value::Bool(b)) => *b,
        other => panic!("{} has {k} = {other:?}", e.name),
    }
}

/// A tiny JSON reader for the journey example (the crate has no JSON dependency).
fn json(text: &str) -> Value {
    fn value(s: &[u8], i: &mut usize) -> Value {
        skip(s, i);
        match s[*i] {
            b'{' => {
                *i += 1;
                let mut m = BTreeMap::new();
                loop {
                    skip(s, i);
                    if s[*i] == b'}' {
                        *i += 1;
                        return Value::Map(m);
                    }
                    let Value::Str(k) = value(s, i) else {
                        panic!("key")
                    };
                    skip(s, i);
                    assert_eq!(s[*i], b':');
                    *i += 1;
                    m.insert(k, value(s, i));
                    skip(s, i);
                    if s[*i] == b',' {
                        *i += 1;
                    }
                }
            }
            b'[' => {
                *i += 1;
                let mut l = Vec::new();
                loop {
                    skip(s, i);
                    if s[*i] == b']' {
                        *i += 1;
                        return Value::List(l);
                    }
                    l.push(value(s, i));
                    skip(s, i);
                    if s[*i] == b',' {
                        *i += 1;
                    }
                }
            }
            b'"' => {
                let start = *i + 1;
                *i = start;
                while s[*i] != b'"' {
                    assert_ne!(s[*i], b'\\', "no escapes in the example");
                    *i += 1;
                }
                *i += 1;
                Value::Str(String::from_utf8(s[start..*i - 1].to_vec()).unwrap())
            }
            b't' => {
                *i += 4;
                Value::Bool(true)
            }
            b'f' => {
                *i += 5;
                Value::Bool(false)
            }
            _ => {
                let start = *i;
                while s[*i].is_ascii_digit() || s[*i] == b'-' {
                    *i += 1;
                }
                let t = std::str::from_utf8(&s[start..*i]).unwrap();
                Value::Int(t.parse().unwrap())
            }
        }
    }
    fn skip(s: &[u8], i: &mut usize) {
        while s[*i].is_ascii_whitespace() {
            *i += 1;
        }
    }
    value(text.as_bytes(), &mut 0)
}

fn journey() -> Journey {
    let text = include_str!("../../../examples/ecommerce-journey.json");
    Journey::parse(&json(text)).unwrap_or_else(|e| panic!("{:?}", e.0))
}

#[test]
fn counts_asked_for_are_met() {
    for (responses, contacts, count) in [
        (3000, None, 40_000),
        (3000, Some(1500), 40_000),
        (3000, Some(400), 2_000),
        (0, Some(500), 20_000),
        (0, Some(0), 1_234),
        (0, Some(300), 0),
        (0, Some(5000), 3_000),
        (300, None, 1),
    ] {
        let (_, people) = generate(3, responses, contacts, count);
        let c = people.iter().filter(|p| p.contact.is_some()).count() as u64;
        let e = events(&people).count() as u64;
        let want_contacts = contacts.unwrap_or(responses / 3);
        assert_eq!(
            (c, e),
            (want_contacts, count),
            "{responses} {contacts:?} {count}"
        );
    }
}

#[test]
fn same_seed_same_people_other_seed_other_people() {
    let (_, a) = generate(21, 2000, None, 20_000);
    let (_, b) = generate(21, 2000, None, 20_000);
    let (_, c) = generate(22, 2000, None, 20_000);
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn another_day_gives_the_same_message_ids() {
    // Running `puls demo` again tomorrow must not add the events twice: the store keeps the
    // first event of a message id.
    let s = parsed();
    let ids = |now: i64| -> BTreeSet<String> {
        let g = Generator::new(12, 3000, now, &s);
        let mut b = Behaviour::new(12, now, &s, g.customers(), 30_000);
        for r in g {
            b.observe(&r);
        }
        b.people()
            .flat_map(|p| p.events)
            .map(|e| e.message_id)
            .collect()
    };
    let today = ids(NOW);
    assert_eq!(today.len(), 30_000);
    assert_eq!(today, ids(NOW + 3 * DAY + 12_345));
}

#[test]
fn every_event_speaks_the_journeys_vocabulary() {
    let (rs, people) = generate(4, 6000, None, 80_000);
    let journey = journey();
    let matchers: Vec<_> = journey
        .touchpoints()
        .flat_map(|(_, t)| t.events.iter().map(move |m| (t.key.as_str(), m)))
        .collect();
    let journey_names: BTreeSet<&str> = matchers
        .iter()
        .filter_map(|(_, m)| m.name.as_deref())
        .collect();
    let noise = ["Products Searched", "Home"];
    let mut hit: BTreeSet<&str> = BTreeSet::new();
    let mut ids = HashSet::new();
    let locale_of: HashMap<&str, &str> = people
        .iter()
        .filter_map(|p| p.contact.as_ref())
        .map(|c| {
            (
                c.contact.external_id.as_ref().unwrap().as_str(),
                c.contact.locale.as_ref().unwrap().as_str(),
            )
        })
        .collect();
    for e in events(&people) {
        assert!(ids.insert(e.message_id.as_str()), "{} twice", e.message_id);
        assert!(e.message_id.len() <= 100);
        assert!((NOW - 365 * DAY..NOW).contains(&e.timestamp_ms));
        assert!(e.user_id.is_some() || e.anonymous_id.is_some());
        match e.kind {
            MessageType::Identify => {
                assert_eq!(e.name, "");
                assert!(e.user_id.is_some());
                let Some(Value::Str(email)) = prop(e, "email") else {
                    panic!("identify without email")
                };
                assert!(email.contains('@'));
                continue;
            }
            MessageType::Track | MessageType::Page | MessageType::Screen => {}
            k => panic!("unexpected {k:?}"),
        }
        assert!(
            journey_names.contains(e.name) || noise.contains(&e.name),
            "{} is not in the journey",
            e.name
        );
        if noise.contains(&e.name) {
            continue;
        }
        assert_eq!(e.kind, MessageType::Track);
        let typed: BTreeMap<&str, AttributeValue> = e
            .properties
            .iter()
            .map(|(k, v)| (*k, AttributeValue::from_value(v).unwrap().unwrap()))
            .collect();
        assert_eq!(
            typed.len(),
            e.properties.len(),
            "a key twice in {:?}",
            e.properties
        );
        let matching: Vec<&str> = matchers
            .iter()
            .filter(|(_, m)| m.matches(e.kind, e.name, |k| typed.get(k)))
            .map(|(t, _)| *t)
            .collect();
        assert!(
            !matching.is_empty(),
            "{} {:?} matches no touchpoint",
            e.name,
            e.properties
        );
        hit.extend(matching);
        match e.name {
            "Product Viewed" => {
                assert!(["web", "app", "social"].contains(&str_prop(e, "platform")));
            }
            "Order Completed" => {
                assert!(["web", "app"].contains(&str_prop(e, "platform")));
                bool_prop(e, "repeat");
                assert!(str_prop(e, "order_id").starts_with("ord-"));
                assert!(matches!(prop(e, "revenue"), Some(Value::Float(x)) if *x > 0.0));
                let currency = str_prop(e, "currency");
                let user = e.user_id.as_deref().expect("orders are placed signed in");
                let want = match locale_of[user] {
                    "pl" => "PLN",
                    "cs" => "CZK",
                    _ => "EUR",
                };
                assert_eq!(currency, want, "{user}");
            }
            "Order Delivered" => {
                assert!(["dpd", "inpost", "gls", "ppl", "dhl"].contains(&str_prop(e, "carrier")));
                assert!(
                    matches!(prop(e, "delivery_days"), Some(Value::Int(d)) if (1..=20).contains(d))
                );
                bool_prop(e, "late");
            }
            _ => {}
        }
    }
    let all: BTreeSet<&str> = journey.touchpoints().map(|(_, t)| t.key.as_str()).collect();
    assert_eq!(hit, all, "every touchpoint of the journey has events");
    assert!(rs.len() > 1000);
}

/// Per customer: deliveries (time, late), orders (time, repeat) and response scores.
#[derive(Default, Debug)]
struct Customer {
    deliveries: Vec<(i64, bool)>,
    orders: Vec<(i64, bool)>,
    delivery_csat: Vec<i64>,
    nps: Vec<i64>,
}

fn customers(rs: &[DemoResponse], people: &[Person]) -> BTreeMap<String, Customer> {
    let keys: Vec<&str> = surveys().iter().map(|s| s.key).collect();
    let mut out: BTreeMap<String, Customer> = BTreeMap::new();
    for e in events(people) {
        let Some(u) = &e.user_id else { continue };
        let c = out.entry(u.clone()).or_default();
        match e.name {
            "Order Delivered" => c.deliveries.push((e.timestamp_ms, bool_prop(e, "late"))),
            "Order Completed" => c.orders.push((e.timestamp_ms, bool_prop(e, "repeat"))),
            _ => {}
        }
    }
    for r in rs {
        let Some(id) = &r.meta.contact_external_id else {
            continue;
        };
        let Some(c) = out.get_mut(id) else { continue };
        for (q, a) in &r.answers {
            if let Answer::Score(s) = a {
                match (keys[r.survey], q.as_str()) {
                    ("delivery-csat", "csat") => c.delivery_csat.push(*s),
                    (_, "nps") => c.nps.push(*s),
                    _ => {}
                }
            }
        }
    }
    out
}

fn mean(v: impl IntoIterator<Item = i64>) -> f64 {
    let (mut s, mut n) = (0.0, 0.0);
    for x in v {
        s += x as f64;
        n += 1.0;
    }
    s / n
}

#[test]
fn a_late_delivery_loses_the_customer_and_shows_in_their_answers() {
    let (rs, people) = generate(5, 40_000, None, 500_000);
    let cs = customers(&rs, &people);
    // Who comes back: of the customers whose first delivery came at least three months
    // before "now", how many order again afterwards.
    let mut back: BTreeMap<bool, (u32, u32, u32, usize)> = BTreeMap::new();
    for c in cs.values() {
        let Some(&(first, late)) = c.deliveries.first() else {
            continue;
        };
        if first > NOW - 90 * DAY {
            continue;
        }
        let e = back.entry(late).or_default();
        e.0 += 1;
        e.1 += u32::from(c.orders.iter().any(|(t, _)| *t > first));
        e.2 += u32::from(
            c.orders
                .iter()
                .any(|(t, _)| *t > first && *t < first + 90 * DAY),
        );
        e.3 += c.orders.iter().filter(|(t, _)| *t > first).count();
    }
    let rate = |late, within: bool| {
        let (n, ever, soon, _) = back[&late];
        f64::from(if within { soon } else { ever }) / f64::from(n)
    };
    eprintln!(
        "ordered again after the first delivery: late {:.3} (within 90 days {:.3}), on time {:.3} ({:.3}) ({back:?})",
        rate(true, false),
        rate(true, true),
        rate(false, false),
        rate(false, true)
    );
    let per = |late| {
        let (n, _, _, orders) = back[&late];
        orders as f64 / f64::from(n)
    };
    eprintln!(
        "orders after it per customer: late {:.2}, on time {:.2}",
        per(true),
        per(false)
    );
    // Some come back all the same: their later responses (to checkout and delivery surveys)
    // show orders, which the events must have. Still, far fewer do, and far less.
    assert!(rate(true, false) < 0.7 * rate(false, false));
    assert!(rate(true, true) < 0.7 * rate(false, true));
    assert!(per(true) < 0.5 * per(false));

    // Their answers.
    let late: Vec<&Customer> = cs
        .values()
        .filter(|c| c.deliveries.iter().any(|(_, l)| *l))
        .collect();
    let on_time: Vec<&Customer> = cs
        .values()
        .filter(|c| !c.deliveries.is_empty() && c.deliveries.iter().all(|(_, l)| !*l))
        .collect();
    let csat = |g: &[&Customer]| mean(g.iter().flat_map(|c| c.delivery_csat.iter().copied()));
    let nps = |g: &[&Customer]| mean(g.iter().flat_map(|c| c.nps.iter().copied()));
    eprintln!(
        "customers late {} on time {}; delivery CSAT late {:.2} on time {:.2}; NPS answers late {:.2} on time {:.2}",
        late.len(),
        on_time.len(),
        csat(&late),
        csat(&on_time),
        nps(&late),
        nps(&on_time)
    );
    assert!(csat(&late) < csat(&on_time) - 0.5);
    assert!(nps(&late) < nps(&on_time) - 0.7);
}

#[test]
fn the_bad_month_brings_late_deliveries_mostly_by_dpd() {
    let (_, people) = generate(6, 20_000, None, 300_000);
    // November 2025, in UTC (close enough for a month's share).
    let nov = (1_761_955_200_000, 1_764_547_200_000);
    let mut by: BTreeMap<(bool, &str), (u32, u32)> = BTreeMap::new();
    for e in events(&people).filter(|e| e.name == "Order Delivered") {
        let bad = (nov.0..nov.1).contains(&e.timestamp_ms);
        for key in [(bad, "all"), (bad, str_prop(e, "carrier"))] {
            let x = by.entry(key).or_default();
            x.0 += 1;
            x.1 += u32::from(bool_prop(e, "late"));
        }
    }
    let share = |k: (bool, &str)| {
        let (n, l) = by[&k];
        f64::from(l) / f64::from(n)
    };
    eprintln!(
        "late share by (bad month, carrier): {:?}",
        by.keys().map(|k| (*k, share(*k))).collect::<Vec<_>>()
    );
    assert!(share((true, "all")) > 2.5 * share((false, "all")));
    // The bad month stands out over the year, and the December peak a little.
    let mut months: BTreeMap<u32, (u32, u32)> = BTreeMap::new();
    for e in events(&people).filter(|e| e.name == "Order Delivered") {
        let m = ((e.timestamp_ms - (NOW - 365 * DAY)) / (30 * DAY)) as u32;
        let x = months.entry(m).or_default();
        x.0 += 1;
        x.1 += u32::from(bool_prop(e, "late"));
    }
    let late = |m: u32| {
        let (n, l) = months[&m];
        f64::from(l) / f64::from(n)
    };
    eprintln!(
        "late share by 30-day period: {:?}",
        months.keys().map(|m| (*m, late(*m))).collect::<Vec<_>>()
    );
    // Period 8 is (most of) November 2025, period 9 December.
    assert!(late(8) > 2.5 * late(5));
    assert!(late(9) > late(5));
    assert!(share((true, "dpd")) > 2.0 * share((true, "inpost")));
}

#[test]
fn the_funnel_narrows_and_visitors_sign_up() {
    let (_, people) = generate(8, 15_000, None, 200_000);
    let mut who: BTreeMap<&str, HashSet<&str>> = BTreeMap::new();
    let mut counts: BTreeMap<&str, u32> = BTreeMap::new();
    let mut anonymous_only = 0;
    let mut both = 0;
    let mut identified_visitors = 0;
    for p in &people {
        let mut saw_anonymous = false;
        for e in &p.events {
            let person = e.user_id.as_deref().or(e.anonymous_id.as_deref()).unwrap();
            who.entry(if e.name.is_empty() {
                "identify"
            } else {
                e.name
            })
            .or_default()
            .insert(person);
            *counts
                .entry(if e.name.is_empty() {
                    "identify"
                } else {
                    e.name
                })
                .or_default() += 1;
            match (&e.user_id, &e.anonymous_id) {
                (None, Some(_)) => {
                    anonymous_only += 1;
                    saw_anonymous = true;
                }
                (Some(_), Some(_)) => {
                    both += 1;
                    if e.kind == MessageType::Identify && saw_anonymous {
                        identified_visitors += 1;
                    }
                }
                _ => {}
            }
        }
    }
    let n = |k: &str| who.get(k).map_or(0, HashSet::len);
    eprintln!(
        "people per event: {:?}",
        who.iter().map(|(k, v)| (*k, v.len())).collect::<Vec<_>>()
    );
    eprintln!("events: {counts:?}");
    eprintln!(
        "anonymous only {anonymous_only}, both ids {both}, visitors who signed up {identified_visitors}"
    );
    assert!(n("Product Viewed") > 2 * n("Order Completed"));
    assert!(n("Product Added") > n("Order Completed"));
    assert!(n("Order Delivered") > 8 * n("Order Completed") / 10);
    assert!(n("Support Chat Started") + n("Support Ticket Created") < n("Order Completed") / 2);
    let c = |k: &str| counts.get(k).copied().unwrap_or(0);
    assert!(c("Return Requested") < c("Order Completed") / 5);
    assert!(c("Complaint Filed") < c("Return Requested"));
    let repeat = events(&people)
        .filter(|e| e.name == "Order Completed" && bool_prop(e, "repeat"))
        .count();
    assert!(repeat > 0 && repeat < counts["Order Completed"] as usize);
    assert!(anonymous_only > 1000 && both > 1000 && identified_visitors > 100);
}

#[test]
fn contacts_are_the_respondents() {
    let (rs, people) = generate(9, 9000, None, 50_000);
    let contacts: HashMap<&str, &puls_demo::DemoContact> = people
        .iter()
        .filter_map(|p| p.contact.as_ref())
        .map(|c| (c.contact.external_id.as_ref().unwrap().as_str(), c))
        .collect();
    assert_eq!(contacts.len(), 3000);
    let mut diacritics = 0;
    let mut emails = HashSet::new();
    let mut langs: BTreeMap<&str, u32> = BTreeMap::new();
    for c in contacts.values() {
        let k = &c.contact;
        assert!(emails.insert(k.email.as_ref().unwrap().as_str()));
        let name = k.name.as_deref().unwrap();
        diacritics += u32::from(!name.is_ascii());
        *langs
            .entry(k.locale.as_ref().unwrap().as_str())
            .or_default() += 1;
        let attr = |key: &str| {
            k.attributes
                .iter()
                .find(|(a, _)| a.as_str() == key)
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| panic!("no {key}"))
        };
        assert!(matches!(attr("region"), AttributeValue::Text(_)));
        assert!(matches!(attr("device"), AttributeValue::Text(_)));
        assert!(
            matches!(attr("signup"), AttributeValue::Date(d) if d == c.created_at_ms && d < NOW)
        );
        assert!(matches!(attr("vip"), AttributeValue::Bool(_)));
        assert!(matches!(attr("lifetime_orders"), AttributeValue::Number(n) if n >= 0.0));
        assert_eq!(k.consents.len(), 1);
    }
    eprintln!("contact locales {langs:?}, names with diacritics {diacritics}");
    assert!(diacritics > 300);
    for r in &rs {
        if let Some(id) = &r.meta.contact_external_id {
            let c = contacts[id.as_str()];
            assert_eq!(
                c.contact.locale.as_ref().unwrap().language(),
                r.meta.locale.language()
            );
        }
    }
}

#[test]
fn lifetime_orders_count_the_orders() {
    let (_, people) = generate(10, 3000, None, 40_000);
    for p in &people {
        let Some(c) = &p.contact else { continue };
        let orders = p
            .events
            .iter()
            .filter(|e| e.name == "Order Completed")
            .count() as f64;
        let lifetime = c
            .contact
            .attributes
            .iter()
            .find(|(k, _)| k.as_str() == "lifetime_orders")
            .map(|(_, v)| match v {
                AttributeValue::Number(n) => *n,
                _ => panic!(),
            })
            .unwrap();
        assert!(lifetime >= orders);
        let first_repeat = p
            .events
            .iter()
            .find(|e| e.name == "Order Completed")
            .map(|e| bool_prop(e, "repeat"));
        if first_repeat == Some(false) {
            assert_eq!(lifetime, orders);
        }
    }
}

#[test]
fn generation_rate() {
    // Prints the rate; run with `--release -- --nocapture generation_rate` to see it.
    let s = parsed();
    let (contacts, n) = (20_000, 1_000_000);
    let start = std::time::Instant::now();
    let mut events = 0usize;
    for p in Behaviour::new(99, NOW, &s, contacts, n).people() {
        events += p.events.len();
    }
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(events as u64, n);
    eprintln!(
        "generated {n} events of {contacts} contacts in {secs:.3} s: {:.0} events/s",
        n as f64 / secs
    );
}
