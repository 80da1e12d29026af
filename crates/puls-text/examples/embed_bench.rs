//! Throughput and memory of the embedder on TSV files of comments (text in the last
//! column, one header line), such as the development set:
//!
//! ```text
//! cargo run --release -p puls-text --example embed_bench -- target/text-models \
//!     ../shared/text/dev-pl.tsv ../shared/text/dev-cs.tsv ../shared/text/dev-en.tsv
//! ```
//!
//! Options (before or after the paths): `--repeat N` passes over all texts (default 3),
//! `--chunk N` texts per `embed` call (default 64, as a queue worker would take them),
//! `--threads N`, `--sessions N`, `--batch N`, `--batch-tokens N`, `--spin` (the embedder's options), `--ref FILE` the reference
//! engine's embeddings of the same texts in the same order (384 little-endian f32 each) for
//! the mean cosine. Prints comments per second, the peak RSS added (VmHWM) and the load
//! average, which says how much else the machine was doing.

use std::time::Instant;

use puls_text::{DIM, Embedder, EmbedderOptions};

fn status_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// CPU seconds this process has used (user + system), from /proc/self/stat.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name; the
    // clock tick is 100 Hz on Linux.
    (ticks(11) + ticks(12)) / 100.0
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut paths = Vec::new();
    let mut options = EmbedderOptions::default();
    let (mut repeat, mut chunk, mut reference) = (3usize, 64usize, None);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--repeat" => repeat = value()?.parse()?,
            "--chunk" => chunk = value()?.parse()?,
            "--threads" => options.threads = value()?.parse()?,
            "--sessions" => options.sessions = value()?.parse()?,
            "--batch" => options.max_batch = value()?.parse()?,
            "--batch-tokens" => options.max_batch_tokens = value()?.parse()?,
            "--spin" => options.spin = true,
            "--ref" => reference = Some(value()?),
            _ => paths.push(arg),
        }
    }
    if paths.len() < 2 {
        return Err("usage: embed_bench MODELS_DIR FILE.tsv... [--repeat N] [--chunk N] [--threads N] [--sessions N] [--batch N] [--batch-tokens N] [--spin] [--ref FILE]".into());
    }
    let models = paths.remove(0);
    let mut texts = Vec::new();
    for path in &paths {
        let tsv = std::fs::read_to_string(path)?;
        texts.extend(
            tsv.lines()
                .skip(1)
                .filter(|l| !l.is_empty())
                .map(|l| l.rsplit('\t').next().unwrap_or(l).to_string()),
        );
    }
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();

    let hwm_start = status_kb("VmHWM:");
    let load_start = loadavg();
    let started = Instant::now();
    let embedder = Embedder::load_with(&models, options.clone())?;
    let load_time = started.elapsed();
    let hwm_loaded = status_kb("VmHWM:");

    // One pass to warm up (onnxruntime plans its buffers on the first shapes it sees).
    let first = embedder.embed(&refs)?;
    let started = Instant::now();
    let cpu_started = cpu_seconds();
    for _ in 0..repeat {
        for part in refs.chunks(chunk.max(1)) {
            embedder.embed(part)?;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_started;
    let hwm_end = status_kb("VmHWM:");
    let tokens: usize = refs.iter().map(|t| embedder.token_ids(t).len()).sum();

    println!("model      {}", embedder.model_version());
    println!(
        "options    threads {} sessions {} batch {} texts / {} tokens, spin {}; chunk {chunk}",
        options.threads,
        options.sessions,
        options.max_batch,
        options.max_batch_tokens,
        options.spin
    );
    println!(
        "texts      {} ({:.1} tokens each on average) x {repeat}",
        refs.len(),
        tokens as f64 / refs.len() as f64
    );
    println!(
        "throughput {:.1} comments/s ({:.3} s for {} comments)",
        (refs.len() * repeat) as f64 / elapsed,
        elapsed,
        refs.len() * repeat
    );
    println!(
        "cpu        {:.1} comments per CPU-second ({cpu:.2} CPU-s; less sensitive to other load)",
        (refs.len() * repeat) as f64 / cpu
    );
    println!("load       {:.2} s", load_time.as_secs_f64());
    println!(
        "peak RSS   {} MB at start, +{} MB after loading, +{} MB after embedding (VmHWM)",
        hwm_start / 1024,
        hwm_loaded.saturating_sub(hwm_start) / 1024,
        hwm_end.saturating_sub(hwm_start) / 1024
    );
    println!("loadavg    {load_start} at start, {} at end", loadavg());

    if let Some(path) = reference {
        let raw = std::fs::read(&path)?;
        let want: Vec<f32> = raw
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        if want.len() != first.len() * DIM {
            return Err(format!(
                "{path}: {} values, expected {}",
                want.len(),
                first.len() * DIM
            )
            .into());
        }
        let cos: Vec<f32> = first
            .iter()
            .zip(want.chunks_exact(DIM))
            .map(|(a, b)| {
                let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
                let nb: f32 = b.iter().map(|x| x * x).sum::<f32>().sqrt();
                dot / nb
            })
            .collect();
        let mean = cos.iter().sum::<f32>() / cos.len() as f32;
        let min = cos.iter().copied().fold(f32::INFINITY, f32::min);
        println!("reference  cosine mean {mean:.5}, min {min:.5}");
    }
    Ok(())
}
