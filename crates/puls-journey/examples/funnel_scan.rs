//! Times a 6-stage funnel over synthetic events in memory (no store, no HTTP):
//! `cargo run --release -p puls-journey --example funnel_scan -- [EVENTS] [PERSONS]`.
//! The end-to-end benchmark against DuckDB is `bench/funnel.sh`; this isolates the scan.

use std::time::Instant;

use puls_core::Value;
use puls_core::journey::Journey;
use puls_core::tracking::MessageType;
use puls_journey::{CustomerIndex, EventRow, FunnelQuery};

const NAMES: [&str; 8] = [
    "Product Viewed",
    "Product Added",
    "Checkout Started",
    "Order Completed",
    "Order Delivered",
    "Review Written",
    "Search",
    "Newsletter Opened",
];

fn journey() -> Journey {
    let stages: Vec<Value> = NAMES[..6]
        .iter()
        .enumerate()
        .map(|(i, n)| {
            Value::map([
                ("key", Value::str(format!("s{i}"))),
                ("name", Value::str(*n)),
                (
                    "touchpoints",
                    Value::List(vec![Value::map([
                        ("key", Value::str(format!("t{i}"))),
                        ("channel", Value::str("web")),
                        (
                            "events",
                            Value::List(vec![Value::map([("event", Value::str(*n))])]),
                        ),
                    ])]),
                ),
            ])
        })
        .collect();
    Journey::parse(&Value::map([
        ("key", Value::str("shop")),
        ("name", Value::str("Shop")),
        ("stages", Value::List(stages)),
    ]))
    .expect("valid")
}

fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let events = args.first().copied().unwrap_or(10_000_000);
    let persons = args.get(1).copied().unwrap_or(events / 25);
    let year = 365 * 86_400_000i64;
    let started = Instant::now();
    let mut index = CustomerIndex::new();
    let ids: Vec<String> = (0..persons).map(|p| format!("cust-{p:08}")).collect();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for _ in 0..events {
        let r = next();
        let p = (r % persons) as usize;
        let n = ((r >> 32) % 100) as usize;
        // Funnel-shaped: most events are views, few are late stages.
        let name = match n {
            0..40 => 0,
            40..55 => 1,
            55..63 => 2,
            63..69 => 3,
            69..73 => 4,
            73..75 => 5,
            75..90 => 6,
            _ => 7,
        };
        index.push_event(EventRow {
            kind: MessageType::Track,
            name: NAMES[name],
            user_id: Some(&ids[p]),
            anonymous_id: None,
            timestamp_ms: (next() % year as u64) as i64,
            properties: &[],
        });
    }
    eprintln!(
        "added {events} events over {persons} persons in {:.1?}",
        started.elapsed()
    );
    let compacting = Instant::now();
    index.force_compaction();
    index.prepare();
    eprintln!("compacted in {:.1?}", compacting.elapsed());
    let j = journey();
    let q = FunnelQuery {
        journey: &j,
        from_ms: 0,
        to_ms: year,
        window_ms: 30 * 86_400_000,
        last_step_ms: None,
        segment: None,
        by: None,
        touchpoints: false,
        paths: None,
    };
    for _ in 0..5 {
        let t = Instant::now();
        let r = index.funnel(&q).expect("funnel");
        let counts: Vec<u64> = r.total.stages.iter().map(|s| s.converted).collect();
        eprintln!("funnel {:.1?}: {counts:?}", t.elapsed());
    }
}
