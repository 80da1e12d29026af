//! Builds N synthetic facts (one year, 20 touchpoints, 6 channels, 3 locales, an NPS, a CSAT
//! and a CES question) and times dashboard queries over them.
//!
//! `cargo run --release -p puls-index --example scan -- 10000000`

use std::time::{Duration, Instant};

use puls_core::{Channel, Locale, QuestionId, Touchpoint};
use puls_index::{
    Fact, FactIndex, Filter, GroupBy, Query, QuestionKey, Score, TimeBuckets, TimeUnit,
};

const YEAR_MS: i64 = 365 * 24 * 3600 * 1000;
const START_MS: i64 = 1_735_686_000_000; // 2025-01-01 00:00 Europe/Warsaw

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let tps: Vec<Touchpoint> = (0..20)
        .map(|i| Touchpoint::parse(&format!("tp{i}")).expect("valid slug"))
        .collect();
    let locales: Vec<Locale> = ["pl", "cs", "en"]
        .iter()
        .map(|l| Locale::parse(l).expect("valid locale"))
        .collect();
    let q = |s: &str| QuestionKey::question(QuestionId::parse(s).expect("valid id"));
    let (nps, csat, ces) = (q("nps"), q("csat"), q("ces"));

    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let t0 = Instant::now();
    let mut index = FactIndex::new();
    for i in 0..n {
        let r = next();
        // Feed order is commit order: time rises, with a few minutes of jitter.
        let at = START_MS + (i as i64 * (YEAR_MS / n as i64)) + (r % 300_000) as i64;
        let fact = Fact {
            id: format!("{:026}", i),
            survey: format!("s{}", r % 20),
            survey_version: 1,
            created_at_ms: at,
            touchpoint: tps[(r >> 8) as usize % 20].clone(),
            channel: Channel::ALL[(r >> 16) as usize % 6],
            locale: locales[(r >> 20) as usize % 3].clone(),
            completed: r % 10 != 0,
            has_contact: r % 3 == 0,
            respondent: None,
            attributes: Vec::new(),
            scores: vec![
                Score {
                    key: nps.clone(),
                    value: ((r >> 24) % 11) as i64,
                    scale: (0, 10),
                },
                Score {
                    key: csat.clone(),
                    value: 1 + ((r >> 32) % 5) as i64,
                    scale: (1, 5),
                },
                Score {
                    key: ces.clone(),
                    value: 1 + ((r >> 40) % 7) as i64,
                    scale: (1, 7),
                },
            ],
            choices: Vec::new(),
            kano: Vec::new(),
            answered: Vec::new(),
        };
        index.upsert(fact).expect("valid fact");
    }
    let build = t0.elapsed();
    println!("facts: {n}");
    println!(
        "build: {:.2} s ({:.0} ns/fact)",
        build.as_secs_f64(),
        build.as_nanos() as f64 / n as f64
    );
    println!(
        "memory_bytes: {:.1} MiB",
        index.memory_bytes() as f64 / 1048576.0
    );
    println!("RSS: {}", rss());

    let weeks = TimeBuckets::new(TimeUnit::Week, "Europe/Warsaw").expect("bundled zone");
    let year = Filter::TimeRange {
        from_ms: START_MS,
        to_ms: START_MS + YEAR_MS,
    };
    let prev = Filter::TimeRange {
        from_ms: START_MS - YEAR_MS,
        to_ms: START_MS,
    };
    let q1 = Filter::TimeRange {
        from_ms: START_MS + YEAR_MS / 4,
        to_ms: START_MS + YEAR_MS / 2,
    };
    let q0 = Filter::TimeRange {
        from_ms: START_MS,
        to_ms: START_MS + YEAR_MS / 4,
    };
    let web = Filter::Channels(vec![Channel::Web, Channel::Email]);
    let by = vec![GroupBy::Time(weeks), GroupBy::Touchpoint];
    for (name, key) in [("NPS", &nps), ("CSAT", &csat), ("CES", &ces)] {
        for (period, range) in [
            ("year", &year),
            ("previous year (no data)", &prev),
            ("Q2", &q1),
            ("Q1 (previous)", &q0),
        ] {
            for filtered in [false, true] {
                let mut filters = vec![range.clone()];
                if filtered {
                    filters.push(web.clone());
                }
                let query = Query {
                    question: key.clone(),
                    filters,
                    group_by: by.clone(),
                };
                let (t, groups, n) = time(|| {
                    let r = index.query(&query).expect("query");
                    let n: u64 = r.iter().map(|(_, d)| d.n()).sum();
                    (r.len(), n)
                });
                println!(
                    "{name:<4} week×touchpoint {period:<24} {:<22} median {:>7.2} ms  ({groups} groups, n = {n})",
                    if filtered {
                        "channel in {web,email}"
                    } else {
                        ""
                    },
                    t.as_secs_f64() * 1000.0
                );
            }
        }
    }
    let whole = Query {
        question: nps.clone(),
        filters: vec![],
        group_by: vec![],
    };
    let (t, _, _) = time(|| (index.query(&whole).expect("query").len(), 0));
    println!(
        "NPS overall, no filter: median {:.2} ms",
        t.as_secs_f64() * 1000.0
    );
    println!("RSS after queries: {}", rss());
}

fn time(mut f: impl FnMut() -> (usize, u64)) -> (Duration, usize, u64) {
    let mut times = Vec::new();
    let mut last = (0, 0);
    for _ in 0..5 {
        let t = Instant::now();
        last = f();
        times.push(t.elapsed());
    }
    times.sort();
    (times[2], last.0, last.1)
}

fn rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS"))
                .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
        })
        .unwrap_or_else(|| "unknown".into())
}
