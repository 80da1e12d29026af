//! Labelled comments as the project keeps them (`data/text/train-*.tsv`, and the shared
//! development set in the same format): UTF-8, tab-separated, the header `sentiment
//! aspects emotion text`, aspects comma-separated or `-`.

use std::path::Path;

use crate::Error;

/// One labelled comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labelled {
    /// `neg`, `neu` or `pos`.
    pub sentiment: String,
    pub aspects: Vec<String>,
    /// `anger`, `joy`, `sadness`, `fear`, `surprise`, `gratitude` or `none`.
    pub emotion: String,
    pub text: String,
}

/// The header every file starts with.
pub const HEADER: &str = "sentiment\taspects\temotion\ttext";

/// Reads a file of labelled comments.
pub fn read(path: &Path) -> Result<Vec<Labelled>, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    parse(&text).map_err(|line| Error::Data {
        path: path.to_path_buf(),
        reason: format!("line {line} is not `sentiment<TAB>aspects<TAB>emotion<TAB>text`"),
    })
}

/// Parses the text of such a file; `Err(line)` names the first line that is not one.
pub fn parse(text: &str) -> Result<Vec<Labelled>, usize> {
    let mut lines = text.lines();
    if lines.next().map(str::trim_end) != Some(HEADER) {
        return Err(1);
    }
    lines
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let f: Vec<&str> = l.split('\t').collect();
            let [sentiment, aspects, emotion, text] = f[..] else {
                return Err(i + 2);
            };
            Ok(Labelled {
                sentiment: sentiment.trim().to_string(),
                aspects: match aspects.trim() {
                    "-" | "" => Vec::new(),
                    a => a.split(',').map(|s| s.trim().to_string()).collect(),
                },
                emotion: emotion.trim().to_string(),
                text: text.trim().to_string(),
            })
        })
        .collect()
}

/// Macro-F1 of `predicted` against `truth` over the labels that occur in the truth (a
/// label never true is not averaged in).
pub fn macro_f1<T: PartialEq + Ord>(truth: &[T], predicted: &[T]) -> f64 {
    let labels: std::collections::BTreeSet<&T> = truth.iter().collect();
    let mut sum = 0.0;
    for c in &labels {
        let (mut tp, mut fp, mut fn_) = (0.0, 0.0, 0.0);
        for (t, p) in truth.iter().zip(predicted) {
            match (t == *c, p == *c) {
                (true, true) => tp += 1.0,
                (false, true) => fp += 1.0,
                (true, false) => fn_ += 1.0,
                (false, false) => {}
            }
        }
        if tp > 0.0 {
            sum += 2.0 * tp / (2.0 * tp + fp + fn_);
        }
    }
    sum / labels.len().max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_reads_with_its_labels_and_a_bad_line_is_named() {
        let ok = format!(
            "{HEADER}\nneg\tdelivery,staff\tanger\tKurier rzucił paczką.\n\npos\t-\tjoy\tSuper!\n"
        );
        let rows = parse(&ok).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].aspects, ["delivery", "staff"]);
        assert!(rows[1].aspects.is_empty());
        assert_eq!(parse("x\n"), Err(1));
        assert_eq!(parse(&format!("{HEADER}\nneg\tanger\n")), Err(2));
    }

    #[test]
    fn macro_f1_averages_the_labels_that_occur() {
        assert_eq!(macro_f1(&["a", "b"], &["a", "b"]), 1.0);
        // a: precision 1/2, recall 1 → 2/3; b: 0.
        assert!((macro_f1(&["a", "b"], &["a", "a"]) - 1.0 / 3.0).abs() < 1e-9);
    }
}
