//! Texts in several languages, one per declared locale.

use std::collections::BTreeMap;

use crate::ids::Locale;

/// A text per locale. A parsed survey guarantees one entry for every declared locale.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LocalizedText(pub(crate) BTreeMap<Locale, String>);

impl LocalizedText {
    /// The text in `locale`, falling back to `fallback`, then to any text at all.
    pub fn get<'a>(&'a self, locale: &Locale, fallback: &Locale) -> &'a str {
        self.0
            .get(locale)
            .or_else(|| self.0.get(fallback))
            .or_else(|| self.0.values().next())
            .map(String::as_str)
            .unwrap_or("")
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Locale, &str)> {
        self.0.iter().map(|(l, s)| (l, s.as_str()))
    }

    /// Builds a text from pairs; for tests and generators.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        LocalizedText(
            pairs
                .into_iter()
                .filter_map(|(l, s)| Some((Locale::parse(l).ok()?, s.to_string())))
                .collect(),
        )
    }
}

/// Latin letters with marks and their bare forms (Polish, Czech, Slovak, German, Hungarian,
/// French, Spanish, Nordic), lowercase.
const FOLDS: &[(char, &str)] = &[
    ('á', "a"),
    ('à', "a"),
    ('â', "a"),
    ('ä', "a"),
    ('ã', "a"),
    ('å', "a"),
    ('ą', "a"),
    ('ć', "c"),
    ('č', "c"),
    ('ç', "c"),
    ('ď', "d"),
    ('đ', "d"),
    ('é', "e"),
    ('è', "e"),
    ('ê', "e"),
    ('ë', "e"),
    ('ě', "e"),
    ('ę', "e"),
    ('í', "i"),
    ('ì', "i"),
    ('î', "i"),
    ('ï', "i"),
    ('ľ', "l"),
    ('ĺ', "l"),
    ('ł', "l"),
    ('ń', "n"),
    ('ň', "n"),
    ('ñ', "n"),
    ('ó', "o"),
    ('ò', "o"),
    ('ô', "o"),
    ('ö', "o"),
    ('õ', "o"),
    ('ő', "o"),
    ('ø', "o"),
    ('ŕ', "r"),
    ('ř', "r"),
    ('ś', "s"),
    ('š', "s"),
    ('ş', "s"),
    ('ß', "ss"),
    ('ť', "t"),
    ('ţ', "t"),
    ('ú', "u"),
    ('ù', "u"),
    ('û', "u"),
    ('ü', "u"),
    ('ů', "u"),
    ('ű', "u"),
    ('ý', "y"),
    ('ÿ', "y"),
    ('ź', "z"),
    ('ż', "z"),
    ('ž', "z"),
    ('æ', "ae"),
];

/// A text folded for searching: lowercase, Latin letters without their marks, runs of
/// whitespace as one space. "Kurýr  přišel POZDĚ" and "kuryr prisel pozde" fold alike.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_whitespace() {
            if !space && !out.is_empty() {
                out.push(' ');
            }
            space = true;
            continue;
        }
        space = false;
        match FOLDS.iter().find(|(from, _)| *from == c) {
            Some((_, to)) => out.push_str(to),
            None => out.push(c),
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod fold_tests {
    use super::fold;

    #[test]
    fn folds_case_marks_and_spaces() {
        assert_eq!(fold("Kurýr  přišel\tPOZDĚ "), "kuryr prisel pozde");
        assert_eq!(fold("Żółć GĘŚLĄ jaźń"), "zolc gesla jazn");
        assert_eq!(fold("Łódź"), "lodz");
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold("  "), "");
        assert!(fold("Dodávka byla ŠPATNÁ").contains(&fold("špatná")));
    }
}
