//! Measures how fast the demo generator runs on one core.
//!
//! `cargo run --release -p puls-demo --example rate -- [responses] [touchpoints]` (default
//! 1,000,000 responses at the surveys' own touchpoints).

use std::time::Instant;

use puls_core::Survey;
use puls_demo::{Generator, surveys};

fn main() {
    let count: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.replace('_', "").parse().ok())
        .unwrap_or(1_000_000);
    let surveys: Vec<Survey> = surveys()
        .iter()
        .map(|s| Survey::parse(&s.definition).expect("demo surveys are valid"))
        .collect();
    let touchpoints: Option<usize> = std::env::args().nth(2).and_then(|a| a.parse().ok());
    let now_ms = 1_773_567_000_000; // 2026-03-15T09:30:00Z
    let start = Instant::now();
    let mut generator = Generator::new(42, count, now_ms, &surveys);
    if let Some(n) = touchpoints {
        generator = generator
            .with_touchpoints(n)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let (mut answers, mut partial) = (0usize, 0u64);
    for r in generator {
        answers += r.answers.len();
        partial += u64::from(!r.completed);
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{count} responses ({answers} answers, {partial} partial) in {secs:.3} s: {:.0} responses/s",
        count as f64 / secs
    );
}
