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
