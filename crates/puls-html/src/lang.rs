//! The one interface language of every page: Polish, Czech or English.
//!
//! The web app is shown in the user's language; a respondent's page chrome follows the
//! survey locale chosen for them (Polish and Czech with any region get their own, every
//! other locale gets English, while the survey's own texts stay in that locale).

use puls_core::Locale;

/// The interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    Pl,
    Cs,
}

impl Lang {
    /// Every language, in the order the web app's language menus list them.
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Pl, Lang::Cs];

    /// The language tag (`<html lang>`, `?lang=`, a user's stored locale).
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Pl => "pl",
            Lang::Cs => "cs",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.code() == s)
    }

    /// The first supported language of an `Accept-Language` header (English otherwise).
    pub fn from_accept_language(header: &str) -> Lang {
        header
            .split(',')
            .filter_map(|part| {
                let mut it = part.split(';');
                let tag = it.next()?.trim();
                let q = it
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                let primary = tag.split('-').next()?.to_ascii_lowercase();
                Lang::parse(&primary).map(|l| (l, q))
            })
            .fold(None, |best: Option<(Lang, f32)>, (l, q)| match best {
                Some((_, bq)) if bq >= q => best,
                _ => Some((l, q)),
            })
            .map_or(Lang::En, |(l, _)| l)
    }

    /// The chrome language of a respondent's page in a survey locale: Polish and Czech
    /// (with any region) get their own, every other locale gets English.
    pub fn for_locale(locale: &Locale) -> Lang {
        match locale.language() {
            "pl" => Lang::Pl,
            "cs" => Lang::Cs,
            _ => Lang::En,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_preferred_supported_one() {
        assert_eq!(
            Lang::from_accept_language("cs-CZ,cs;q=0.9,en;q=0.8"),
            Lang::Cs
        );
        assert_eq!(
            Lang::from_accept_language("de-DE,pl;q=0.7,en;q=0.5"),
            Lang::Pl
        );
        assert_eq!(Lang::from_accept_language("de"), Lang::En);
        assert_eq!(Lang::from_accept_language(""), Lang::En);
        assert_eq!(Lang::from_accept_language("en;q=0.2, cs;q=0.9"), Lang::Cs);
    }

    #[test]
    fn locales_map_to_their_chrome_language() {
        let locale = |s: &str| Locale::parse(s).unwrap();
        assert_eq!(Lang::for_locale(&locale("pl")), Lang::Pl);
        assert_eq!(Lang::for_locale(&locale("cs")), Lang::Cs);
        assert_eq!(Lang::for_locale(&locale("en-GB")), Lang::En);
        assert_eq!(Lang::for_locale(&locale("de")), Lang::En);
    }
}
