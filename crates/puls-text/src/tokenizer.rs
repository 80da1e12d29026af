//! The SentencePiece-unigram tokenizer of multilingual-e5-small (XLM-R's vocabulary),
//! read from the `tokenizer.json` that `scripts/text-model/convert.py` exports.
//!
//! The steps, in order, are those of the packed model file the vocabulary comes from:
//! 1. each code point found in the normalisation map is replaced by its list (an empty list
//!    deletes it; a NUL is deleted too);
//! 2. runs of spaces (U+0020) collapse to one;
//! 3. a space is prepended unless the text already starts with one, and every space
//!    becomes the metaspace `▁` (U+2581);
//! 4. Viterbi over the characters picks the segmentation with the highest total piece
//!    score; a character no piece covers becomes `<unk>` at the unknown score (ten less than
//!    the rarest piece). Ties keep the first path found, scanning from the left.
//!
//! Control pieces (`<s>`, `</s>`, `<pad>`, `<unk>`, `<mask>`) never match text.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use crate::Error;

const METASPACE: char = '\u{2581}';

/// The tokenizer: pieces with their scores and the normalisation map.
#[derive(Debug)]
pub struct Tokenizer {
    /// Piece text (UTF-8 bytes) to id, control pieces left out.
    ids: HashMap<Box<[u8]>, u32>,
    scores: Vec<f32>,
    /// Longest piece in bytes: no longer span needs looking up.
    max_piece_bytes: usize,
    unk_score: f32,
    /// Code point to replacement, for code points past ASCII.
    normalize: HashMap<char, Box<[char]>>,
    /// For ASCII: `None` keeps the character, `Some(list)` replaces it.
    ascii: [Option<Box<[char]>>; 128],
    bos: u32,
    eos: u32,
    pad: u32,
    unk: u32,
}

#[derive(Deserialize)]
struct Spec {
    format: String,
    bos: u32,
    eos: u32,
    pad: u32,
    unk: u32,
    unk_score: f32,
    #[serde(default)]
    control: Vec<u32>,
    normalize: Vec<(u32, Vec<u32>)>,
    pieces: Vec<(String, f32)>,
}

const FORMAT: &str = "puls-text-unigram/1";

impl Tokenizer {
    /// Reads a `tokenizer.json` written by `scripts/text-model/convert.py`.
    pub fn load(path: impl AsRef<Path>) -> Result<Tokenizer, Error> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Tokenizer::from_json(&text).map_err(|reason| Error::Broken {
            path: path.to_path_buf(),
            reason,
        })
    }

    /// Parses the tokenizer file's text; the error says what is wrong with it.
    pub fn from_json(text: &str) -> Result<Tokenizer, String> {
        let spec: Spec = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if spec.format != FORMAT {
            return Err(format!("format {:?}, expected {FORMAT:?}", spec.format));
        }
        let n = spec.pieces.len();
        for (what, id) in [
            ("bos", spec.bos),
            ("eos", spec.eos),
            ("pad", spec.pad),
            ("unk", spec.unk),
        ] {
            if id as usize >= n {
                return Err(format!("{what} id {id} is not a piece (there are {n})"));
            }
        }
        let n = u32::try_from(n).map_err(|_| "too many pieces".to_string())?;
        let mut control = spec.control;
        control.extend([spec.bos, spec.eos, spec.pad, spec.unk]);
        let mut ids = HashMap::with_capacity(spec.pieces.len());
        let mut scores = Vec::with_capacity(spec.pieces.len());
        let mut max_piece_bytes = 1;
        for (id, (piece, score)) in (0..n).zip(spec.pieces) {
            scores.push(score);
            if piece.is_empty() || control.contains(&id) {
                continue;
            }
            max_piece_bytes = max_piece_bytes.max(piece.len());
            // A duplicate keeps its first id, as a lookup that stops at the first hit would.
            ids.entry(piece.into_bytes().into_boxed_slice())
                .or_insert(id);
        }
        let mut normalize = HashMap::new();
        let mut ascii: [Option<Box<[char]>>; 128] = std::array::from_fn(|_| None);
        ascii[0] = Some(Box::default());
        for (cp, outs) in spec.normalize {
            let from =
                char::from_u32(cp).ok_or_else(|| format!("normalize: {cp} is no code point"))?;
            let to = outs
                .iter()
                .map(|&c| {
                    char::from_u32(c).ok_or_else(|| format!("normalize: {c} is no code point"))
                })
                .collect::<Result<Box<[char]>, String>>()?;
            if cp < 128 {
                ascii[cp as usize] = Some(to);
            } else {
                normalize.insert(from, to);
            }
        }
        Ok(Tokenizer {
            ids,
            scores,
            max_piece_bytes,
            unk_score: spec.unk_score,
            normalize,
            ascii,
            bos: spec.bos,
            eos: spec.eos,
            pad: spec.pad,
            unk: spec.unk,
        })
    }

    /// The ids the encoder reads: `<s>`, the text's pieces (the first `max_tokens - 2` of
    /// them), `</s>`. Any prefix (such as `"query: "`) is the caller's.
    pub fn encode(&self, text: &str, max_tokens: usize) -> Vec<u32> {
        let mut out = Vec::with_capacity(text.len().min(max_tokens) + 2);
        out.push(self.bos);
        let mut content = self.pieces(text);
        content.truncate(max_tokens.saturating_sub(2));
        out.extend(content);
        out.push(self.eos);
        out
    }

    /// The ids of the text's pieces, without `<s>` and `</s>` and without a limit.
    pub fn pieces(&self, text: &str) -> Vec<u32> {
        let normalized = self.normalize(text);
        self.viterbi(&normalized)
    }

    /// The padding id (`<pad>`).
    pub fn pad_id(&self) -> u32 {
        self.pad
    }

    /// The unknown id (`<unk>`).
    pub fn unk_id(&self) -> u32 {
        self.unk
    }

    /// The number of pieces in the vocabulary.
    pub fn vocab_size(&self) -> usize {
        self.scores.len()
    }

    /// Steps 1 to 3: the text with every space a metaspace, one prepended.
    fn normalize(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + 3);
        let mut last_space = false;
        let mut push = |c: char, out: &mut String| {
            if c == ' ' {
                if last_space {
                    return;
                }
                last_space = true;
                if out.is_empty() {
                    // The text starts with a space: it is the leading metaspace.
                    out.push(METASPACE);
                    return;
                }
                out.push(METASPACE);
            } else {
                if out.is_empty() {
                    out.push(METASPACE);
                }
                last_space = false;
                out.push(c);
            }
        };
        for c in text.chars() {
            let mapped = if c.is_ascii() {
                self.ascii[c as usize].as_deref()
            } else {
                self.normalize.get(&c).map(|b| &**b)
            };
            match mapped {
                None => push(c, &mut out),
                Some(list) => list.iter().for_each(|&m| push(m, &mut out)),
            }
        }
        if out.is_empty() {
            out.push(METASPACE);
        }
        out
    }

    /// Step 4 over the normalised text.
    fn viterbi(&self, s: &str) -> Vec<u32> {
        // Character boundaries in bytes, the end included.
        let starts: Vec<usize> = s
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(s.len()))
            .collect();
        let n = starts.len() - 1;
        let bytes = s.as_bytes();
        // Per end position: best score, the piece that ends there (None: unknown) and
        // where it starts (in characters).
        let mut best = vec![f32::NEG_INFINITY; n + 1];
        let mut piece: Vec<Option<u32>> = vec![None; n + 1];
        let mut from = vec![0usize; n + 1];
        best[0] = 0.0;
        for i in 0..n {
            let here = best[i];
            if here == f32::NEG_INFINITY {
                continue;
            }
            let b = starts[i];
            for e in i + 1..=n {
                let len = starts[e] - b;
                if len > self.max_piece_bytes {
                    break;
                }
                if let Some(&id) = self.ids.get(&bytes[b..starts[e]]) {
                    let score = here + self.scores[id as usize];
                    if score > best[e] {
                        best[e] = score;
                        piece[e] = Some(id);
                        from[e] = i;
                    }
                }
            }
            let unknown = here + self.unk_score;
            if unknown > best[i + 1] {
                best[i + 1] = unknown;
                piece[i + 1] = None;
                from[i + 1] = i;
            }
        }
        let mut out = Vec::new();
        let mut e = n;
        while e > 0 {
            out.push(piece[e].unwrap_or(self.unk));
            e = from[e];
        }
        out.reverse();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small vocabulary: specials, then pieces with scores chosen for the tests.
    fn small() -> Tokenizer {
        let pieces = [
            ("<s>", 0.0),
            ("<pad>", 0.0),
            ("</s>", 0.0),
            ("<unk>", 0.0),
            ("▁", -2.0),
            ("▁a", -1.0),
            ("b", -1.5),
            ("▁ab", -1.0),
            ("c", -3.0),
            ("▁abc", -9.0),
            ("é", -2.0),
            ("<mask>", 0.0),
        ];
        let json = serde_json::json!({
            "format": FORMAT,
            "bos": 0, "eos": 2, "pad": 1, "unk": 3,
            "unk_score": -13.0,
            "control": [11],
            "normalize": [[9, [32]], [7, []], [0x2460, [0x31]], [0xC9, [0xE9]]],
            "pieces": pieces,
        });
        Tokenizer::from_json(&json.to_string()).unwrap()
    }

    #[test]
    fn picks_the_best_segmentation() {
        let t = small();
        // "▁ab" (-1) + "c" (-3) = -4 beats "▁abc" (-9) and "▁a" + "b" + "c" (-5.5).
        assert_eq!(t.pieces("abc"), vec![7, 8]);
        assert_eq!(t.encode("abc", 128), vec![0, 7, 8, 2]);
    }

    #[test]
    fn spaces_become_metaspaces_once() {
        let t = small();
        // "a  b": the double space collapses; "▁a" then "▁" and "b".
        assert_eq!(t.pieces("a  b"), vec![5, 4, 6]);
        // A tab is a space after normalisation, a BEL is deleted.
        assert_eq!(t.pieces("a\t\u{7}b"), vec![5, 4, 6]);
        // A leading space is the leading metaspace, not a second one.
        assert_eq!(t.pieces(" ab"), vec![7]);
    }

    #[test]
    fn unknown_characters_are_unk_one_by_one() {
        let t = small();
        assert_eq!(t.pieces("azz"), vec![5, 3, 3]);
        // Normalised first: U+2460 becomes "1", still unknown; É becomes é, known.
        assert_eq!(t.pieces("a\u{2460}É"), vec![5, 3, 10]);
    }

    #[test]
    fn control_pieces_never_match_text() {
        let t = small();
        let ids = t.pieces("<s></s><mask>");
        assert!(ids.iter().all(|&id| id == 3 || id == 4), "{ids:?}");
    }

    #[test]
    fn encode_truncates_the_content_not_the_specials() {
        let t = small();
        let ids = t.encode("a a a a a a", 4);
        assert_eq!(ids, vec![0, 5, 5, 2]);
        assert_eq!(t.encode("", 128), vec![0, 4, 2]);
    }

    #[test]
    fn rejects_a_file_of_another_format() {
        let err = Tokenizer::from_json(r#"{"format":"x","bos":0,"eos":0,"pad":0,"unk":0,"unk_score":0,"normalize":[],"pieces":[["a",0]]}"#)
            .unwrap_err();
        assert!(err.contains("format"), "{err}");
    }
}
