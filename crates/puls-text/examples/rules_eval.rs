//! Measures the rule-based half of the text analysis on labelled TSV files: language
//! detection accuracy, aspect detection precision/recall/F1 (micro over aspects and per
//! aspect) and emotion macro-F1 (the file's sentiment label is the sentiment input), with
//! the speed of each.
//!
//! ```text
//! cargo run --release -p puls-text --example rules_eval -- data/text/train-pl.tsv data/text/train-cs.tsv data/text/train-en.tsv
//! ```
//!
//! Files: UTF-8, a header `sentiment<TAB>aspects<TAB>emotion<TAB>text`, aspects
//! comma-separated or `-`. A file's language is taken from its name (`…-pl.tsv`,
//! `…_cs.tsv`, `….en.tsv`); when the name has none, each text's detected language is used
//! and no language accuracy is reported. `--errors` also prints every line whose aspects or
//! emotion differ (for tuning on training data only).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use puls_text::aspects;
use puls_text::emotion::{self, Emotion, Sentiment};
use puls_text::fold;
use puls_text::language::{self, Lang};

struct Row {
    sentiment: Sentiment,
    aspects: Vec<String>,
    emotion: Emotion,
    text: String,
}

fn read(path: &Path) -> Result<Vec<Row>, String> {
    let data = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut rows = Vec::new();
    for (i, line) in data.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != 4 {
            return Err(format!("{}:{}: expected 4 fields", path.display(), i + 1));
        }
        let sentiment = Sentiment::from_label(f[0])
            .ok_or_else(|| format!("{}:{}: sentiment {:?}", path.display(), i + 1, f[0]))?;
        let emotion = Emotion::from_name(f[2])
            .ok_or_else(|| format!("{}:{}: emotion {:?}", path.display(), i + 1, f[2]))?;
        let aspects = if f[1] == "-" || f[1].is_empty() {
            Vec::new()
        } else {
            f[1].split(',').map(|s| s.trim().to_string()).collect()
        };
        rows.push(Row {
            sentiment,
            aspects,
            emotion,
            text: f[3].to_string(),
        });
    }
    Ok(rows)
}

fn lang_of_path(path: &Path) -> Option<Lang> {
    let stem = path.file_stem()?.to_str()?;
    let code = stem.rsplit(['-', '_', '.']).next()?;
    if code.len() == 2 {
        Lang::from_locale(code)
    } else {
        None
    }
}

#[derive(Default, Clone, Copy)]
struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
}

impl Counts {
    fn add(&mut self, o: Counts) {
        self.tp += o.tp;
        self.fp += o.fp;
        self.fn_ += o.fn_;
    }
    fn prf(self) -> (f64, f64, f64) {
        let p = if self.tp + self.fp == 0 {
            0.0
        } else {
            self.tp as f64 / (self.tp + self.fp) as f64
        };
        let r = if self.tp + self.fn_ == 0 {
            0.0
        } else {
            self.tp as f64 / (self.tp + self.fn_) as f64
        };
        let f = if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        };
        (p, r, f)
    }
}

/// Per-class F1 averaged over `classes` (a class with no gold and no prediction is left
/// out).
fn macro_f1(pairs: &[(Emotion, Emotion)], classes: &[Emotion]) -> f64 {
    let mut sum = 0.0;
    let mut n = 0;
    for &c in classes {
        let mut k = Counts::default();
        for &(gold, pred) in pairs {
            match (gold == c, pred == c) {
                (true, true) => k.tp += 1,
                (false, true) => k.fp += 1,
                (true, false) => k.fn_ += 1,
                _ => {}
            }
        }
        if k.tp + k.fp + k.fn_ > 0 {
            sum += k.prf().2;
            n += 1;
        }
    }
    if n == 0 { 0.0 } else { sum / n as f64 }
}

struct Report {
    label: String,
    aspects: BTreeMap<String, Counts>,
    emotions: Vec<(Emotion, Emotion)>,
    lang_right: usize,
    lang_right_hinted: usize,
    lang_total: usize,
}

impl Report {
    fn new(label: &str) -> Report {
        Report {
            label: label.to_string(),
            aspects: BTreeMap::new(),
            emotions: Vec::new(),
            lang_right: 0,
            lang_right_hinted: 0,
            lang_total: 0,
        }
    }

    fn merge(&mut self, o: &Report) {
        for (k, v) in &o.aspects {
            self.aspects.entry(k.clone()).or_default().add(*v);
        }
        self.emotions.extend(&o.emotions);
        self.lang_right += o.lang_right;
        self.lang_right_hinted += o.lang_right_hinted;
        self.lang_total += o.lang_total;
    }

    fn print(&self) {
        println!("== {} ({} texts)", self.label, self.emotions.len());
        if self.lang_total > 0 {
            println!(
                "language accuracy: {}/{} = {:.3} without a hint; {:.3} with the file's language as the hint",
                self.lang_right,
                self.lang_total,
                self.lang_right as f64 / self.lang_total as f64,
                self.lang_right_hinted as f64 / self.lang_total as f64,
            );
        }
        let mut micro = Counts::default();
        for v in self.aspects.values() {
            micro.add(*v);
        }
        let (p, r, f) = micro.prf();
        println!(
            "aspects micro: P {p:.3}  R {r:.3}  F1 {f:.3}  (tp {} fp {} fn {})",
            micro.tp, micro.fp, micro.fn_
        );
        let mut macro_sum = 0.0;
        for (name, c) in &self.aspects {
            let (p, r, f) = c.prf();
            macro_sum += f;
            println!(
                "  {name:<20} P {p:.3}  R {r:.3}  F1 {f:.3}  (gold {}, predicted {})",
                c.tp + c.fn_,
                c.tp + c.fp
            );
        }
        if !self.aspects.is_empty() {
            println!(
                "aspects macro-F1: {:.3}",
                macro_sum / self.aspects.len() as f64
            );
        }
        let all = macro_f1(&self.emotions, &Emotion::ALL);
        let six = macro_f1(&self.emotions, &Emotion::ALL[..6]);
        let acc = self.emotions.iter().filter(|(g, p)| g == p).count() as f64
            / self.emotions.len().max(1) as f64;
        println!(
            "emotion macro-F1: {all:.3} over the 7 labels (none included); {six:.3} over the 6 emotions; accuracy {acc:.3}"
        );
        for e in Emotion::ALL {
            let gold = self.emotions.iter().filter(|(g, _)| *g == e).count();
            let pred = self.emotions.iter().filter(|(_, p)| *p == e).count();
            let tp = self
                .emotions
                .iter()
                .filter(|(g, p)| *g == e && *p == e)
                .count();
            println!(
                "  {:<10} gold {gold:>3}  predicted {pred:>3}  right {tp:>3}",
                e.name()
            );
        }
    }
}

fn main() -> Result<(), String> {
    let mut paths = Vec::new();
    let mut show_errors = false;
    for a in std::env::args().skip(1) {
        if a == "--errors" {
            show_errors = true;
        } else {
            paths.push(a);
        }
    }
    if paths.is_empty() {
        return Err("usage: rules_eval [--errors] FILE.tsv...".into());
    }
    let taxonomy = aspects::builtin();
    let detector = language::detector();
    let mut total = Report::new("all files");
    let (mut lang_secs, mut rules_secs, mut texts) = (0.0f64, 0.0f64, 0usize);
    for p in &paths {
        let path = Path::new(p);
        let rows = read(path)?;
        let file_lang = lang_of_path(path);
        let mut rep = Report::new(&format!(
            "{} [{}]",
            path.display(),
            file_lang.map_or("language detected per text", |l| l.code())
        ));
        for name in taxonomy.aspects() {
            rep.aspects.entry(name.name().to_string()).or_default();
        }
        // Language detection, timed alone.
        let t = Instant::now();
        let detected: Vec<Lang> = rows
            .iter()
            .map(|r| detector.detect(&r.text, None))
            .collect();
        lang_secs += t.elapsed().as_secs_f64();
        texts += rows.len();
        if let Some(l) = file_lang {
            rep.lang_total = rows.len();
            rep.lang_right = detected.iter().filter(|d| **d == l).count();
            rep.lang_right_hinted = rows
                .iter()
                .filter(|r| detector.detect(&r.text, Some(l)) == l)
                .count();
        }
        // Aspects and emotion, timed together (tokenising once).
        let t = Instant::now();
        let mut out = Vec::with_capacity(rows.len());
        for (r, d) in rows.iter().zip(&detected) {
            let lang = file_lang.unwrap_or(*d);
            let tokens = fold::tokens(&r.text, lang);
            let found = taxonomy.explain_tokens(&tokens, lang);
            let e = emotion::detect_tokens(&r.text, &tokens, lang, r.sentiment);
            out.push((found, e));
        }
        rules_secs += t.elapsed().as_secs_f64();
        for (r, (found, e)) in rows.iter().zip(&out) {
            let mut wrong = Vec::new();
            for (name, c) in rep.aspects.iter_mut() {
                let gold = r.aspects.iter().any(|a| a == name);
                let hit = found.iter().find(|(a, _)| a.name() == name);
                match (gold, hit) {
                    (true, Some(_)) => c.tp += 1,
                    (false, Some((_, k))) => {
                        c.fp += 1;
                        wrong.push(format!("+{name}({k})"));
                    }
                    (true, None) => {
                        c.fn_ += 1;
                        wrong.push(format!("-{name}"));
                    }
                    (false, None) => {}
                }
            }
            rep.emotions.push((r.emotion, *e));
            if show_errors && (!wrong.is_empty() || r.emotion != *e) {
                let emo = if r.emotion != *e {
                    format!(" emotion {}→{}", r.emotion, e)
                } else {
                    String::new()
                };
                println!(
                    "{} {}{} | {}",
                    r.sentiment.label(),
                    wrong.join(" "),
                    emo,
                    r.text
                );
            }
        }
        rep.print();
        total.merge(&rep);
    }
    if paths.len() > 1 {
        total.print();
    }
    println!(
        "speed (one thread): language detection {:.0} texts/s; tokens + aspects + emotion {:.0} texts/s",
        texts as f64 / lang_secs.max(1e-9),
        texts as f64 / rules_secs.max(1e-9)
    );
    if let Some(kb) = peak_rss_kb() {
        println!("peak RSS of this process: {:.0} MB", kb as f64 / 1024.0);
    }
    Ok(())
}

/// The process's peak resident set size (Linux).
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
