//! Funnels on hand-made journeys whose answers are known, and against a plain reference
//! implementation on random data.

use puls_core::Value;
use puls_core::attribute::{AttributeKey, AttributeValue};
use puls_core::contact::{Contact, ExternalId};
use puls_core::journey::Journey;
use puls_core::tracking::MessageType;
use puls_journey::{Breakdown, ContactRow, CustomerIndex, EventRow, FunnelQuery};

const H: i64 = 3_600_000;
const DAY: i64 = 24 * H;

fn matcher(kind: &str, name: &str, cond: Option<(&str, &str)>) -> Value {
    let mut m = vec![(kind, Value::str(name))];
    if let Some((prop, value)) = cond {
        m.push((
            "where",
            Value::List(vec![Value::map([
                ("property", Value::str(prop)),
                ("op", Value::str("eq")),
                ("value", Value::str(value)),
            ])]),
        ));
    }
    Value::map(m)
}

/// A touchpoint: key, channel, matchers.
type Tp<'a> = (&'a str, &'a str, Vec<Value>);

/// Stages of (key, touchpoints).
fn journey(stages: &[(&str, Vec<Tp<'_>>)]) -> Journey {
    let stages = stages
        .iter()
        .map(|(key, tps)| {
            Value::map([
                ("key", Value::str(*key)),
                ("name", Value::str(*key)),
                (
                    "touchpoints",
                    Value::List(
                        tps.iter()
                            .map(|(k, ch, events)| {
                                Value::map([
                                    ("key", Value::str(*k)),
                                    ("channel", Value::str(*ch)),
                                    ("events", Value::List(events.clone())),
                                ])
                            })
                            .collect(),
                    ),
                ),
            ])
        })
        .collect();
    Journey::parse(&Value::map([
        ("key", Value::str("shop")),
        ("name", Value::str("Shop")),
        ("stages", Value::List(stages)),
    ]))
    .expect("a valid journey")
}

fn shop() -> Journey {
    journey(&[
        (
            "view",
            vec![
                ("product-web", "web", vec![matcher("page", "Product", None)]),
                (
                    "product-app",
                    "in_app",
                    vec![matcher("screen", "Product", None)],
                ),
            ],
        ),
        (
            "cart",
            vec![("cart", "web", vec![matcher("event", "Product Added", None)])],
        ),
        (
            "order",
            vec![(
                "checkout",
                "web",
                vec![matcher(
                    "event",
                    "Order Completed",
                    Some(("currency", "PLN")),
                )],
            )],
        ),
    ])
}

struct Ev<'a> {
    user: Option<&'a str>,
    anon: Option<&'a str>,
    kind: MessageType,
    name: &'a str,
    ts: i64,
    props: Vec<(AttributeKey, AttributeValue)>,
}

fn ev<'a>(user: &'a str, kind: MessageType, name: &'a str, ts: i64) -> Ev<'a> {
    Ev {
        user: Some(user),
        anon: None,
        kind,
        name,
        ts,
        props: Vec::new(),
    }
}

fn pln<'a>(mut e: Ev<'a>, currency: &str) -> Ev<'a> {
    e.props = vec![(
        AttributeKey::parse("currency").unwrap(),
        AttributeValue::Text(currency.into()),
    )];
    e
}

fn push(index: &mut CustomerIndex, events: &[Ev<'_>]) {
    for e in events {
        index.push_event(EventRow {
            kind: e.kind,
            name: e.name,
            user_id: e.user,
            anonymous_id: e.anon,
            timestamp_ms: e.ts,
            properties: &e.props,
        });
    }
}

fn query(journey: &Journey) -> FunnelQuery<'_> {
    FunnelQuery {
        journey,
        from_ms: 0,
        to_ms: 10 * DAY,
        window_ms: 7 * DAY,
        last_step_ms: None,
        segment: None,
        by: None,
        touchpoints: true,
        paths: Some(5),
    }
}

use MessageType::{Page, Screen, Track};

/// Four shoppers with known outcomes.
fn shoppers() -> Vec<Ev<'static>> {
    vec![
        // u1: product, cart, order in PLN: converts, after 1 h and 3 h.
        ev("u1", Page, "Product", 0),
        ev("u1", Track, "Product Added", H),
        pln(ev("u1", Track, "Order Completed", 3 * H), "PLN"),
        // u2: orders in EUR (not this journey's checkout), then in PLN after 8 days: too late.
        ev("u2", Screen, "Product", DAY),
        ev("u2", Track, "Product Added", DAY + 2 * H),
        pln(ev("u2", Track, "Order Completed", DAY + 3 * H), "EUR"),
        pln(ev("u2", Track, "Order Completed", 9 * DAY + H), "PLN"),
        // u3: adds to cart before viewing, then views and leaves: entered only.
        ev("u3", Track, "Product Added", 2 * DAY),
        ev("u3", Page, "Product", 2 * DAY + H),
        // u4: enters after the period ends: not counted.
        ev("u4", Page, "Product", 11 * DAY),
        ev("u4", Track, "Product Added", 11 * DAY + H),
    ]
}

#[test]
fn a_hand_made_funnel_counts_entries_conversions_and_times() {
    let mut index = CustomerIndex::new();
    push(&mut index, &shoppers());
    index.prepare();
    let j = shop();
    let r = index.funnel(&query(&j)).unwrap();
    let counts: Vec<u64> = r.total.stages.iter().map(|s| s.converted).collect();
    assert_eq!(counts, [3, 2, 1]);
    // Times from entry: cart 1 h (u1) and 2 h (u2): nearest-rank median of [1h, 2h] is 1h.
    assert_eq!(r.total.stages[1].median_ms, Some(H));
    assert_eq!(r.total.stages[1].p90_ms, Some(2 * H));
    assert_eq!(r.total.stages[2].median_ms, Some(3 * H));
    // Per touchpoint: u1 viewed on the web, u2 in the app, u3 on the web.
    let tp: Vec<(u64, u64)> = r
        .touchpoints
        .iter()
        .map(|t| (t.reached, t.advanced))
        .collect();
    assert_eq!(tp, [(2, 1), (1, 1), (2, 1), (1, 1)]);
    assert_eq!(
        r.touchpoints[0].events, 2,
        "u1's and u3's product pages in the period"
    );
    // Drop-offs: u3 after the view (path: product-web), u2 after the cart.
    assert_eq!(r.paths[0].dropped, 1);
    assert_eq!(r.paths[0].paths, vec![(vec![0], 1)]);
    assert_eq!(r.paths[1].dropped, 1);
    assert_eq!(r.paths[1].paths, vec![(vec![1, 2], 1)]);
}

#[test]
fn breakdowns_split_the_same_counts() {
    let mut index = CustomerIndex::new();
    push(&mut index, &shoppers());
    index.prepare();
    let j = shop();
    let by = |b| {
        let r = index
            .funnel(&FunnelQuery {
                by: Some(b),
                ..query(&j)
            })
            .unwrap();
        r.groups
            .iter()
            .map(|g| {
                (
                    g.key.clone().unwrap(),
                    g.stages.iter().map(|s| s.converted).collect::<Vec<_>>(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        by(Breakdown::Channel),
        [
            ("in_app".into(), vec![1, 1, 0]),
            ("web".into(), vec![2, 1, 1])
        ]
    );
    assert_eq!(
        by(Breakdown::EntryTouchpoint),
        [
            ("product-app".into(), vec![1, 1, 0]),
            ("product-web".into(), vec![2, 1, 1])
        ]
    );
    // u3's first touchpoint is the cart (before its entry by a product view).
    assert_eq!(
        by(Breakdown::FirstTouchpoint),
        [
            ("cart".into(), vec![1, 0, 0]),
            ("product-app".into(), vec![1, 1, 0]),
            ("product-web".into(), vec![1, 1, 1])
        ]
    );
}

#[test]
fn an_anonymous_visitor_linked_to_a_contact_is_one_subject() {
    let mut index = CustomerIndex::new();
    let c = Contact {
        external_id: Some(ExternalId::parse("u7").unwrap()),
        ..Contact::default()
    };
    index.apply_contact(ContactRow {
        id: "c7",
        contact: &c,
        merged_into: None,
        deleted: false,
        created_at_ms: 1,
    });
    push(
        &mut index,
        &[
            Ev {
                user: None,
                anon: Some("browser-1"),
                kind: Page,
                name: "Product",
                ts: 0,
                props: Vec::new(),
            },
            ev("u7", Track, "Product Added", H),
        ],
    );
    index.prepare();
    let j = shop();
    let before = index.funnel(&query(&j)).unwrap();
    assert_eq!(
        before
            .total
            .stages
            .iter()
            .map(|s| s.converted)
            .collect::<Vec<_>>(),
        [1, 0, 0],
        "before the link they are two people"
    );
    index.apply_link("browser-1", "u7");
    let after = index.funnel(&query(&j)).unwrap();
    assert_eq!(
        after
            .total
            .stages
            .iter()
            .map(|s| s.converted)
            .collect::<Vec<_>>(),
        [1, 1, 0]
    );
    // And as a segment of one contact, the funnel has the same subject.
    let mut only = puls_journey::Bitset::new(index.contact_codes());
    only.insert(index.contact_code("c7").unwrap() as usize);
    let seg = index
        .funnel(&FunnelQuery {
            segment: Some(&only),
            ..query(&j)
        })
        .unwrap();
    assert_eq!(seg.total.stages[1].converted, 1);
}

#[test]
fn events_added_after_compaction_count_the_same() {
    let all = shoppers();
    let j = shop();
    let mut whole = CustomerIndex::new();
    push(&mut whole, &all);
    whole.prepare();
    let expected = whole.funnel(&query(&j)).unwrap();
    for split in 0..all.len() {
        let mut index = CustomerIndex::new();
        push(&mut index, &all[..split]);
        index.prepare();
        index.force_compaction();
        push(&mut index, &all[split..]);
        index.prepare();
        assert_eq!(
            index.funnel(&query(&j)).unwrap(),
            expected,
            "split at {split}"
        );
    }
}

mod reference {
    //! A plain implementation of the funnel definition, for the property test.

    use std::collections::BTreeMap;

    /// Events per subject: (ts, stage mask). Returns (entered and converted per stage, times).
    pub fn funnel(
        subjects: &BTreeMap<String, Vec<(i64, u32)>>,
        stages: usize,
        from: i64,
        to: i64,
        window: i64,
        last_step: Option<i64>,
    ) -> (Vec<u64>, Vec<Vec<i64>>) {
        let mut counts = vec![0u64; stages];
        let mut times = vec![Vec::new(); stages];
        for evs in subjects.values() {
            let Some(t1) = evs
                .iter()
                .filter(|(t, m)| m & 1 != 0 && *t >= from && *t < to)
                .map(|(t, _)| *t)
                .min()
            else {
                continue;
            };
            counts[0] += 1;
            let mut prev = t1;
            for (st, time) in times.iter_mut().enumerate().skip(1) {
                let until = match last_step {
                    Some(step) if st + 1 == stages => prev + step,
                    _ => t1 + window,
                };
                let next = evs
                    .iter()
                    .filter(|(t, m)| m & (1 << st) != 0 && *t >= prev && *t <= until)
                    .map(|(t, _)| *t)
                    .min();
                match next {
                    Some(t) => {
                        counts[st] += 1;
                        time.push(t - t1);
                        prev = t;
                    }
                    None => break,
                }
            }
        }
        (counts, times)
    }
}

mod random {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;

    const NAMES: [&str; 4] = ["A", "B", "C", "D"];

    fn three_stages() -> Journey {
        journey(&[
            (
                "s1",
                vec![("t-a", "web", vec![matcher("event", "A", None)])],
            ),
            (
                "s2",
                vec![
                    ("t-b", "web", vec![matcher("event", "B", None)]),
                    (
                        "t-ab",
                        "email",
                        vec![matcher("event", "A", Some(("x", "1")))],
                    ),
                ],
            ),
            (
                "s3",
                vec![("t-c", "web", vec![matcher("event", "C", None)])],
            ),
        ])
    }

    /// (person, name, minute, x, anonymous) events; some persons linked to others.
    /// (person, name, minute, has x, anonymous).
    type Generated = (u8, usize, i64, bool, bool);
    /// (person, name, minute, properties, anonymous).
    type Row = (u8, usize, i64, Vec<(AttributeKey, AttributeValue)>, bool);

    fn events() -> impl Strategy<Value = (Vec<Generated>, Vec<(u8, u8)>)> {
        (
            prop::collection::vec(
                (0u8..12, 0usize..4, 0i64..200, any::<bool>(), any::<bool>()),
                0..120,
            ),
            prop::collection::vec((0u8..12, 0u8..12), 0..4),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn the_funnel_matches_the_reference(
            (evs, links) in events(),
            split in 0usize..120,
            last_step in proptest::option::of(0i64..60),
        ) {
            let j = three_stages();
            let mut index = CustomerIndex::new();
            let ids: Vec<String> = (0..12).map(|i| format!("p{i}")).collect();
            let mut rows = Vec::new();
            for &(p, n, minute, x, anon) in &evs {
                let props = if x {
                    vec![(AttributeKey::parse("x").unwrap(), AttributeValue::Text("1".into()))]
                } else {
                    Vec::new()
                };
                rows.push((p, n, minute, props, anon));
            }
            let add = |index: &mut CustomerIndex, rows: &[Row]| {
                for (p, n, minute, props, anon) in rows {
                    let id = ids[*p as usize].as_str();
                    index.push_event(EventRow {
                        kind: MessageType::Track,
                        name: NAMES[*n],
                        user_id: (!anon).then_some(id),
                        anonymous_id: anon.then_some(id),
                        timestamp_ms: minute * 60_000,
                        properties: props,
                    });
                }
            };
            let (from, to, window) = (20 * 60_000, 150 * 60_000, 30 * 60_000);
            let q = FunnelQuery {
                journey: &j,
                from_ms: from,
                to_ms: to,
                window_ms: window,
                last_step_ms: last_step.map(|m| m * 60_000),
                segment: None,
                by: None,
                touchpoints: false,
                paths: None,
            };
            let split = split.min(rows.len());
            add(&mut index, &rows[..split]);
            index.prepare();
            // Queries between changes fill the index's caches, which the changes must drop.
            index.funnel(&q).unwrap();
            index.force_compaction();
            index.funnel(&q).unwrap();
            add(&mut index, &rows[split..]);
            index.prepare();
            index.funnel(&q).unwrap();
            // Links: anonymous id of person a belongs to user id of person b (first wins).
            let mut link: BTreeMap<u8, u8> = BTreeMap::new();
            for &(a, b) in &links {
                index.apply_link(&ids[a as usize], &ids[b as usize]);
                link.entry(a).or_insert(b);
            }
            index.prepare();

            // The reference: subject of a user id is itself; of an anonymous id, its link.
            let mut subjects: BTreeMap<String, Vec<(i64, u32)>> = BTreeMap::new();
            for (p, n, minute, props, anon) in &rows {
                let subject = match (anon, link.get(p)) {
                    (true, Some(u)) => format!("u{u}"),
                    (true, None) => format!("a{p}"),
                    (false, _) => format!("u{p}"),
                };
                let x = !props.is_empty();
                let mask = match *n {
                    0 => 1 | if x { 2 } else { 0 },
                    1 => 2,
                    2 => 4,
                    _ => 0,
                };
                if mask != 0 {
                    subjects.entry(subject).or_default().push((minute * 60_000, mask));
                }
            }
            let (counts, mut times) = reference::funnel(&subjects, 3, from, to, window, last_step.map(|m| m * 60_000));
            let r = index.funnel(&q).unwrap();
            let got: Vec<u64> = r.total.stages.iter().map(|s| s.converted).collect();
            prop_assert_eq!(got, counts);
            for (st, t) in times.iter_mut().enumerate().skip(1) {
                t.sort_unstable();
                let rank = |q: f64| (!t.is_empty()).then(|| t[((q * t.len() as f64).ceil() as usize).clamp(1, t.len()) - 1]);
                prop_assert_eq!(r.total.stages[st].median_ms, rank(0.5));
                prop_assert_eq!(r.total.stages[st].p90_ms, rank(0.9));
            }
        }
    }
}

#[test]
fn an_event_matching_two_touchpoints_counts_for_both() {
    // A repeat order is a purchase and a loyalty signal.
    let j = journey(&[
        (
            "purchase",
            vec![(
                "checkout",
                "web",
                vec![matcher("event", "Order Completed", None)],
            )],
        ),
        (
            "loyalty",
            vec![(
                "repeat",
                "web",
                vec![matcher("event", "Order Completed", Some(("repeat", "yes")))],
            )],
        ),
    ]);
    let mut index = CustomerIndex::new();
    let repeat = |ts| {
        let mut e = ev("u1", Track, "Order Completed", ts);
        e.props = vec![(
            AttributeKey::parse("repeat").unwrap(),
            AttributeValue::Text("yes".into()),
        )];
        e
    };
    push(
        &mut index,
        &[ev("u1", Track, "Order Completed", 0), repeat(DAY)],
    );
    index.prepare();
    let r = index.funnel(&query(&j)).unwrap();
    let events: Vec<u64> = r.touchpoints.iter().map(|t| t.events).collect();
    assert_eq!(events, [2, 1]);
    assert_eq!(r.total.stages[1].converted, 1);
}
