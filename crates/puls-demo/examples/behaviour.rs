//! Measures the behaviour generator alone: `cargo run --release -p puls-demo --example
//! behaviour -- [CONTACTS] [EVENTS]` (default 2,000,000 and 50,000,000, no responses)
//! prints the time, the rate and the event count.

use puls_core::Survey;

fn main() {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<u64>());
    let contacts = args.next().and_then(Result::ok).unwrap_or(2_000_000);
    let events = args.next().and_then(Result::ok).unwrap_or(50_000_000);
    let surveys: Vec<Survey> = puls_demo::surveys()
        .iter()
        .filter_map(|s| Survey::parse(&s.definition).ok())
        .collect();
    let now_ms = 1_773_567_000_000; // 2026-03-15T09:30:00Z
    let start = std::time::Instant::now();
    let (mut people, mut n, mut bytes) = (0u64, 0u64, 0usize);
    for p in puls_demo::Behaviour::new(42, now_ms, &surveys, contacts, events).people() {
        people += 1;
        n += p.events.len() as u64;
        // Touch what a writer would read, so nothing is optimised away.
        bytes += p.events.iter().map(|e| e.message_id.len()).sum::<usize>();
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{people} people, {n} events ({bytes} bytes of ids) in {secs:.1} s: {:.0} events/s",
        n as f64 / secs
    );
}
