//! The language of a comment: Polish, Czech or English, detected with `lingua` among
//! Polish, Czech, English and Slovak only (Slovak counts as Czech here: the Czech rules
//! read it well enough, and the two are easily confused in short texts).
//!
//! Short comments are ambiguous ("OK", "super", "Dobrý den"), so a hint (the respondent's
//! locale, a workspace's language) wins when the text has fewer than [`MIN_WORDS`] words or
//! when the detector's confidence in its best language is below [`MIN_CONFIDENCE`];
//! otherwise the detected language wins. Without a hint the detected language is used
//! whatever its confidence, and English when nothing can be detected (no letters).

use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use lingua::{Language, LanguageDetector, LanguageDetectorBuilder};

/// Texts with fewer words than this take the hint when there is one.
pub const MIN_WORDS: usize = 3;

/// Below this confidence (lingua's normalised probability of the best of the four
/// languages) a hint wins over the detected language.
pub const MIN_CONFIDENCE: f64 = 0.6;

/// A language the text analysis reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lang {
    Pl,
    Cs,
    En,
}

impl Lang {
    /// Every language, in a fixed order.
    pub const ALL: [Lang; 3] = [Lang::Pl, Lang::Cs, Lang::En];

    /// The ISO 639-1 code: `pl`, `cs` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Pl => "pl",
            Lang::Cs => "cs",
            Lang::En => "en",
        }
    }

    /// The language of a locale or language code (`pl`, `pl-PL`, `cs_CZ`, `sk`, `en-GB`,
    /// `cz`), case-insensitive; `None` for any other language.
    pub fn from_locale(locale: &str) -> Option<Lang> {
        let primary = locale
            .trim()
            .split(['-', '_', '.'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match primary.as_str() {
            "pl" | "pol" => Some(Lang::Pl),
            "cs" | "cz" | "ces" | "cze" | "sk" | "slk" | "slo" => Some(Lang::Cs),
            "en" | "eng" => Some(Lang::En),
            _ => None,
        }
    }

    fn from_lingua(l: Language) -> Option<Lang> {
        match l {
            Language::Polish => Some(Lang::Pl),
            Language::Czech | Language::Slovak => Some(Lang::Cs),
            Language::English => Some(Lang::En),
            #[allow(unreachable_patterns)]
            _ => None,
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A language code that is not Polish, Czech, Slovak or English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported language {0:?} (expected pl, cs or en)")]
pub struct UnsupportedLanguage(pub String);

impl FromStr for Lang {
    type Err = UnsupportedLanguage;

    fn from_str(s: &str) -> Result<Lang, UnsupportedLanguage> {
        Lang::from_locale(s).ok_or_else(|| UnsupportedLanguage(s.to_string()))
    }
}

/// What the detector saw in a text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Detection {
    /// The most probable language (Slovak's probability added to Czech's), or `None` when
    /// the text has no letters.
    pub lang: Option<Lang>,
    /// Its probability among the three, 0 to 1.
    pub confidence: f64,
}

/// A language detector for Polish, Czech (and Slovak) and English; its models are loaded
/// when it is built (a few tens of MB) and it is cheap to share.
pub struct Detector {
    inner: LanguageDetector,
}

impl fmt::Debug for Detector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Detector").finish_non_exhaustive()
    }
}

impl Default for Detector {
    fn default() -> Self {
        Detector::new()
    }
}

impl Detector {
    /// Builds the detector with the four language models preloaded.
    pub fn new() -> Detector {
        let inner = LanguageDetectorBuilder::from_languages(&[
            Language::Polish,
            Language::Czech,
            Language::English,
            Language::Slovak,
        ])
        .with_preloaded_language_models()
        .build();
        Detector { inner }
    }

    /// The most probable language of `text` and its confidence.
    pub fn detection(&self, text: &str) -> Detection {
        let mut p = [0.0f64; 3];
        for (l, v) in self.inner.compute_language_confidence_values(text) {
            if let Some(lang) = Lang::from_lingua(l) {
                p[lang as usize] += v;
            }
        }
        let (best, &conf) = p
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .expect("three languages");
        if conf <= 0.0 {
            return Detection {
                lang: None,
                confidence: 0.0,
            };
        }
        Detection {
            lang: Some(Lang::ALL[best]),
            confidence: conf,
        }
    }

    /// The language of `text`: the hint when the text is short (fewer than [`MIN_WORDS`]
    /// words) or the detection unsure (below [`MIN_CONFIDENCE`]), else the detected one;
    /// without a hint, the detected one, or English when there is nothing to detect.
    pub fn detect(&self, text: &str, hint: Option<Lang>) -> Lang {
        if let Some(h) = hint
            && word_count(text) < MIN_WORDS
        {
            return h;
        }
        let d = self.detection(text);
        match (d.lang, hint) {
            (Some(l), Some(h)) if l != h && d.confidence < MIN_CONFIDENCE => h,
            (Some(l), _) => l,
            (None, Some(h)) => h,
            (None, None) => Lang::En,
        }
    }
}

/// Words with at least one letter.
fn word_count(text: &str) -> usize {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’')
        .filter(|w| w.chars().any(char::is_alphabetic))
        .count()
}

/// The process's shared detector, built on first use.
pub fn detector() -> &'static Detector {
    static DETECTOR: LazyLock<Detector> = LazyLock::new(Detector::new);
    &DETECTOR
}

/// The language of `text` with the shared detector (see [`Detector::detect`]).
pub fn detect(text: &str, hint: Option<Lang>) -> Lang {
    detector().detect(text, hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn czech_without_diacritics_is_czech() {
        assert_eq!(
            detect(
                "Kuryr mi zasilku vubec nedorucil a nikdo mi nezavolal",
                None
            ),
            Lang::Cs
        );
        assert_eq!(
            detect("Objednavka prisla pozde a obsluha byla neprijemna", None),
            Lang::Cs
        );
    }

    #[test]
    fn clear_texts() {
        assert_eq!(
            detect(
                "Kurier zostawił paczkę pod drzwiami i nikt nie zadzwonił",
                None
            ),
            Lang::Pl
        );
        assert_eq!(
            detect(
                "Kurier zostawil paczke pod drzwiami i nikt nie zadzwonil",
                None
            ),
            Lang::Pl
        );
        assert_eq!(
            detect("The parcel arrived two days late and nobody told me", None),
            Lang::En
        );
        assert_eq!(
            detect("Zásielka prišla neskoro a nikto mi nevolal", None),
            Lang::Cs
        );
    }

    #[test]
    fn hint_wins_on_short_texts() {
        assert_eq!(detect("super", Some(Lang::Cs)), Lang::Cs);
        assert_eq!(detect("OK dzięki", Some(Lang::Cs)), Lang::Cs);
        assert_eq!(detect("🙂", Some(Lang::Pl)), Lang::Pl);
        assert_eq!(detect("🙂", None), Lang::En);
        // A clear text in another language than the hint is read in its own language.
        assert_eq!(
            detect(
                "The parcel arrived two days late and nobody told me",
                Some(Lang::Pl)
            ),
            Lang::En
        );
    }

    #[test]
    fn locales() {
        assert_eq!(Lang::from_locale("pl-PL"), Some(Lang::Pl));
        assert_eq!(Lang::from_locale("cs_CZ"), Some(Lang::Cs));
        assert_eq!(Lang::from_locale("SK"), Some(Lang::Cs));
        assert_eq!(Lang::from_locale("en"), Some(Lang::En));
        assert_eq!(Lang::from_locale("de"), None);
        assert!("fr".parse::<Lang>().is_err());
        assert_eq!("cs".parse::<Lang>(), Ok(Lang::Cs));
    }
}
