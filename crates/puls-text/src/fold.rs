//! Words of a comment as the rules read them: split on anything that is not a letter or a
//! digit, lowercased, diacritics folded (ą→a, ł→l, ř→r, ě→e, ů→u, ß→ss, …) and stemmed per
//! language with `tantivy-stemmers`.
//!
//! Folding comes **before** stemming in every language, because customers often type
//! without diacritics and both spellings must meet ("dostawę" and "dostawe"; "doručení" and
//! "doruceni"):
//! - Polish: `polish_yarovoy_unaccented`, whose suffix rules are written for unaccented
//!   text (it strips a final `e` that stands for `ę`, `l` for `ł`, `ac` for `ać`).
//! - Czech: `czech_dolamic_light` expects accented text, but folded input ends in the same
//!   short endings (-a, -e, -i, -y, -u, -em, -ou, …) and is stemmed alike; the few long
//!   endings it only knows with an accent (-ách, -ých, -ými, -ým, -ého, -ému) are stripped
//!   from the folded stem afterwards, on both paths, so the two spellings still meet.
//! - English: `english_porter_2` (ASCII already; folding only matters for loanwords).
//!
//! Keywords of the aspect and emotion rules go through the same function, so a keyword and
//! a customer's word meet when their stems do.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;

use crate::language::Lang;

/// A word of a comment: its folded form (lowercase, no diacritics) and its stem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub folded: String,
    pub stem: String,
}

/// Lowercases `text` and folds its diacritics to ASCII letters where a Latin letter has
/// one (other characters are kept as they are).
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        for l in c.to_lowercase() {
            push_folded(l, &mut out);
        }
    }
    out
}

/// The words of `text`, lowercased and folded: runs of letters or of digits (a change
/// between letters and digits splits: "20zł" is "20", "zl"); an apostrophe inside a word
/// is dropped ("didn't" is "didnt").
pub fn words(text: &str) -> Vec<String> {
    split_words(text, push_folded)
}

/// The words of `text` as [`words`] splits them, each letter lowercased and then written
/// by `push` (folded, or kept as it is).
pub(crate) fn split_words(text: &str, push: fn(char, &mut String)) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    // Whether the current word is made of digits.
    let mut digits = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_alphanumeric() {
            let is_digit = c.is_numeric();
            if !cur.is_empty() && is_digit != digits {
                out.push(std::mem::take(&mut cur));
            }
            digits = is_digit;
            for l in c.to_lowercase() {
                push(l, &mut cur);
            }
        } else if is_apostrophe(c)
            && !cur.is_empty()
            && !digits
            && chars.peek().is_some_and(|n| n.is_alphabetic())
        {
            // "don't", "customer's": one word.
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The stem of a folded word in `lang`.
pub fn stem(folded: &str, lang: Lang) -> String {
    match lang {
        Lang::Pl => stem_pl(folded),
        Lang::Cs => {
            let s = tantivy_stemmers::algorithms::czech_dolamic_light(folded);
            strip_cs_long_endings(&s).to_string()
        }
        Lang::En => tantivy_stemmers::algorithms::english_porter_2(folded).into_owned(),
    }
}

/// The words of `text` with their stems in `lang`.
pub fn tokens(text: &str, lang: Lang) -> Vec<Token> {
    words(text)
        .into_iter()
        .map(|folded| {
            let stem = stem(&folded, lang);
            Token { folded, stem }
        })
        .collect()
}

/// How many words either side of a keyword's match a context exclusion (`-word`) looks.
pub const CONTEXT_WINDOW: usize = 4;

/// One word of a keyword.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    /// The token's stem equals this (the keyword's word, folded and stemmed).
    Stem(String),
    /// The token's folded form starts with this.
    Prefix(String),
    /// The token's folded form equals this.
    Exact(String),
    /// A number: digits, or a small number word of Polish, Czech or English.
    Number,
}

impl Part {
    fn matches(&self, t: &Token) -> bool {
        match self {
            Part::Stem(s) => t.stem == *s,
            Part::Prefix(p) => t.folded.starts_with(p.as_str()),
            Part::Exact(w) => t.folded == *w,
            Part::Number => {
                t.folded.chars().all(|c| c.is_ascii_digit())
                    || NUMBER_WORDS.binary_search(&t.folded.as_str()).is_ok()
            }
        }
    }
}

/// Small number words (folded, sorted) that `#` matches besides digits: "trzy dni",
/// "dvě hodiny", "two weeks", "kilka minut", "pár dní", "a few days".
const NUMBER_WORDS: &[&str] = &[
    "an",
    "couple",
    "ctyrech",
    "ctyri",
    "czterech",
    "cztery",
    "deset",
    "dva",
    "dvacet",
    "dve",
    "dvou",
    "dwa",
    "dwadziescia",
    "dwie",
    "dwoch",
    "dwu",
    "eight",
    "few",
    "five",
    "four",
    "half",
    "jeden",
    "jedna",
    "jednu",
    "kilka",
    "kilkanascie",
    "kilku",
    "nekolik",
    "nine",
    "one",
    "osiem",
    "osm",
    "par",
    "pet",
    "piec",
    "pol",
    "pul",
    "sedm",
    "sest",
    "several",
    "siedem",
    "six",
    "szesc",
    "three",
    "tri",
    "trzech",
    "trzy",
    "twenty",
    "two",
];

/// A keyword compiled for one language, matched on a comment's tokens.
///
/// Syntax: words separated by spaces, matched on consecutive tokens:
/// - `word`: a token with the same stem ("dostawa" meets "dostawę", "dostawy"),
/// - `word*`: a token whose folded form starts with `word` ("paczkomat*" meets
///   "paczkomatu", "paczkomatem"; "dostaw*" meets "dostawca"),
/// - `=word`: a token whose folded form is `word` exactly (no stemming),
/// - `#`: a number (digits or a small number word: "trzy", "několik", "a few"),
/// - `-word` (any of the forms above after the dash): a negative cue; the keyword does not
///   count when such a token stands within [`CONTEXT_WINDOW`] words of the match
///   ("stron* -drugiej": "strona" but not "z drugiej strony"),
/// - `+word`: a required cue; when a keyword has some, at least one must stand within
///   [`CONTEXT_WINDOW`] words of the match ("minut* +#": minutes that are counted),
/// - `!word`: none of the matched tokens may match this ("odpowied* !odpowiedzial*").
///
/// A word whose stem is shorter than three letters, or was cut to fewer than four, is
/// matched exactly instead (short stems meet unrelated words: Czech "šaty" and "se").
///
/// Words are folded like the text (diacritics may be written or not) and split like it
/// ("z-box" is the two words "z", "box").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyword {
    /// As written.
    pub source: String,
    parts: Vec<Part>,
    context_not: Vec<Part>,
    context_need: Vec<Part>,
    token_not: Vec<Part>,
}

/// A keyword that cannot be compiled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("keyword {0:?} has no word to match")]
pub struct EmptyKeyword(pub String);

impl Keyword {
    /// Compiles `source` for `lang`.
    pub fn new(source: &str, lang: Lang) -> Result<Keyword, EmptyKeyword> {
        let mut k = Keyword {
            source: source.to_string(),
            parts: Vec::new(),
            context_not: Vec::new(),
            context_need: Vec::new(),
            token_not: Vec::new(),
        };
        for raw in source.split_whitespace() {
            let (target, body) = if let Some(rest) = raw.strip_prefix('-') {
                (1, rest)
            } else if let Some(rest) = raw.strip_prefix('+') {
                (2, rest)
            } else if let Some(rest) = raw.strip_prefix('!') {
                (3, rest)
            } else {
                (0, raw)
            };
            let parts = compile_parts(body, lang);
            // A cue is one word; "-e-mail" means either word.
            match target {
                0 => k.parts.extend(parts),
                1 => k.context_not.extend(parts),
                2 => k.context_need.extend(parts),
                _ => k.token_not.extend(parts),
            }
        }
        if k.parts.is_empty() {
            return Err(EmptyKeyword(source.to_string()));
        }
        Ok(k)
    }

    /// Where the keyword first matches in `tokens` (start, end exclusive).
    pub fn find(&self, tokens: &[Token]) -> Option<(usize, usize)> {
        let n = self.parts.len();
        if tokens.len() < n {
            return None;
        }
        (0..=tokens.len() - n)
            .find(|&i| self.matches_at(tokens, i))
            .map(|i| (i, i + n))
    }

    /// Whether the keyword matches anywhere in `tokens`.
    pub fn is_in(&self, tokens: &[Token]) -> bool {
        self.find(tokens).is_some()
    }

    fn matches_at(&self, tokens: &[Token], i: usize) -> bool {
        let n = self.parts.len();
        let span = &tokens[i..i + n];
        if !self.parts.iter().zip(span).all(|(p, t)| p.matches(t)) {
            return false;
        }
        if span
            .iter()
            .any(|t| self.token_not.iter().any(|p| p.matches(t)))
        {
            return false;
        }
        if self.context_not.is_empty() && self.context_need.is_empty() {
            return true;
        }
        let lo = i.saturating_sub(CONTEXT_WINDOW);
        let hi = (i + n + CONTEXT_WINDOW).min(tokens.len());
        let near = || tokens[lo..i].iter().chain(&tokens[i + n..hi]);
        if near().any(|t| self.context_not.iter().any(|p| p.matches(t))) {
            return false;
        }
        self.context_need.is_empty()
            || near().any(|t| self.context_need.iter().any(|p| p.matches(t)))
    }
}

/// The parts of one space-separated word of a keyword (more than one when the word has
/// inner punctuation: "z-box", "e-mail*").
fn compile_parts(body: &str, lang: Lang) -> Vec<Part> {
    if body == "#" {
        return vec![Part::Number];
    }
    let (body, exact) = match body.strip_prefix('=') {
        Some(rest) => (rest, true),
        None => (body, false),
    };
    let (body, prefix) = match body.strip_suffix('*') {
        Some(rest) => (rest, true),
        None => (body, false),
    };
    let ws = words(body);
    let last = ws.len().saturating_sub(1);
    ws.into_iter()
        .enumerate()
        .map(|(j, w)| {
            if prefix && j == last {
                Part::Prefix(w)
            } else if exact {
                Part::Exact(w)
            } else {
                let s = stem(&w, lang);
                let (ls, lw) = (s.chars().count(), w.chars().count());
                if ls < 3 || (ls < 4 && ls < lw) {
                    Part::Exact(w)
                } else {
                    Part::Stem(s)
                }
            }
        })
        .collect()
}

/// The Polish stemmer builds its suffix automaton and normalises the word on every call
/// (about 25 µs a word); comments repeat their words, so stems are kept per thread, up to
/// a bound after which the cache starts again.
const PL_CACHE_MAX: usize = 50_000;

thread_local! {
    static PL_CACHE: RefCell<HashMap<String, String>> = RefCell::new(HashMap::new());
}

fn stem_pl(folded: &str) -> String {
    PL_CACHE.with(|cache| {
        if let Some(s) = cache.borrow().get(folded) {
            return s.clone();
        }
        let s = tantivy_stemmers::algorithms::polish_yarovoy_unaccented(folded).into_owned();
        let mut cache = cache.borrow_mut();
        if cache.len() >= PL_CACHE_MAX {
            cache.clear();
        }
        cache.insert(folded.to_string(), s.clone());
        s
    })
}

/// Czech endings that `czech_dolamic_light` removes only in their accented spelling,
/// folded.
const CS_LONG_ENDINGS: [&str; 6] = ["ach", "ych", "ymi", "eho", "emu", "ym"];

fn strip_cs_long_endings(stem: &str) -> Cow<'_, str> {
    for e in CS_LONG_ENDINGS {
        if let Some(rest) = stem.strip_suffix(e)
            && rest.chars().count() >= 3
        {
            return Cow::Owned(rest.to_string());
        }
    }
    Cow::Borrowed(stem)
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ')
}

/// Appends the folded form of a lowercase character.
fn push_folded(c: char, out: &mut String) {
    let f: &str = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => {
            out.push(c);
            return;
        }
    };
    out.push_str(f);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stems(words: &[&str], lang: Lang) -> Vec<String> {
        words.iter().map(|w| stem(&fold(w), lang)).collect()
    }

    fn all_equal(v: &[String]) -> bool {
        v.windows(2).all(|w| w[0] == w[1])
    }

    #[test]
    fn folds_polish_and_czech_letters() {
        assert_eq!(fold("Zażółć gęślą jaźń"), "zazolc gesla jazn");
        assert_eq!(
            fold("Příliš žluťoučký kůň úpěl ďábelské ódy"),
            "prilis zlutoucky kun upel dabelske ody"
        );
        assert_eq!(fold("Ľúbostný ŔÁDOK"), "lubostny radok");
    }

    #[test]
    fn splits_words() {
        assert_eq!(
            words("Kurier (DPD) — zostawił paczkę!!"),
            ["kurier", "dpd", "zostawil", "paczke"]
        );
        assert_eq!(
            words("z-box, 20zł; didn't"),
            ["z", "box", "20", "zl", "didnt"]
        );
        assert_eq!(words("😡 ok…"), ["ok"]);
        assert!(words("  !!! ").is_empty());
    }

    #[test]
    fn polish_spellings_meet() {
        let s = stems(
            &["dostawa", "dostawy", "dostawę", "dostawe", "dostawą"],
            Lang::Pl,
        );
        assert!(all_equal(&s), "{s:?}");
        let s = stems(&["obsługa", "obsluga", "obsługi"], Lang::Pl);
        assert!(all_equal(&s), "{s:?}");
    }

    #[test]
    fn czech_spellings_meet() {
        let s = stems(&["doručení", "doruceni", "doručeno", "doruceno"], Lang::Cs);
        assert!(all_equal(&s), "{s:?}");
        let s = stems(&["stránkách", "strankach", "stránky", "stranky"], Lang::Cs);
        assert!(all_equal(&s), "{s:?}");
        let s = stems(&["zásilka", "zásilky", "zasilku"], Lang::Cs);
        assert!(all_equal(&s), "{s:?}");
    }

    #[test]
    fn english_forms_meet() {
        let s = stems(&["refund", "refunded", "refunds", "refunding"], Lang::En);
        assert!(all_equal(&s), "{s:?}");
    }

    #[test]
    fn keywords_match_stems_prefixes_phrases_and_cues() {
        let t = tokens(
            "Z drugiej strony kurier zostawił paczkę w paczkomacie po 3 dniach",
            Lang::Pl,
        );
        let k = |s: &str| Keyword::new(s, Lang::Pl).unwrap();
        assert!(k("paczka").is_in(&t));
        assert!(k("paczkoma*").is_in(&t));
        assert!(k("kurier zostawić*").find(&t).is_none());
        assert_eq!(k("kurier zostawil*").find(&t), Some((3, 5)));
        assert!(!k("stron* -drugiej").is_in(&t));
        assert!(k("dni* +#").is_in(&t));
        assert!(!k("kurier* +#").is_in(&t));
        assert!(k("=paczke").is_in(&t));
        assert!(!k("paczk* !paczke !paczkomacie").is_in(&t));
        assert!(Keyword::new("-tylko -negatywne", Lang::Pl).is_err());
        // Short stems are matched exactly: Czech "šaty" does not meet "se".
        let t = tokens("Vrátil se mi balík", Lang::Cs);
        assert!(!Keyword::new("šaty", Lang::Cs).unwrap().is_in(&t));
    }

    #[test]
    fn number_words_are_sorted() {
        assert!(NUMBER_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn tokens_keep_both_forms() {
        let t = tokens("Paczkę", Lang::Pl);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].folded, "paczke");
        assert_eq!(t[0].stem, "paczk");
    }
}
