//! Validated identifiers and small enums: once you hold one, it is valid.

use std::fmt;

use crate::error::FieldErrorKind;

fn is_slug(s: &str, max: usize) -> bool {
    let bytes = s.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= max
        && bytes[0].is_ascii_lowercase()
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_' || *b == b'-')
}

macro_rules! slug_newtype {
    ($(#[$meta:meta])* $name:ident, $max:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// Parses a slug: 1 to the maximum length of `[a-z0-9_-]`, starting with a letter.
            pub fn parse(s: &str) -> Result<Self, FieldErrorKind> {
                if is_slug(s, $max) {
                    Ok(Self(s.to_string()))
                } else {
                    Err(FieldErrorKind::InvalidId)
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

slug_newtype!(
    /// A question's id, unique within a survey; answers are keyed by it.
    QuestionId,
    64
);
slug_newtype!(
    /// An option's (or matrix row's) id, unique within its question.
    OptionId,
    64
);
slug_newtype!(
    /// A touchpoint in the customer journey, such as `checkout` or `delivery`.
    Touchpoint,
    64
);
slug_newtype!(
    /// A workspace's URL-safe name, such as `demo`.
    WorkspaceSlug,
    48
);
slug_newtype!(
    /// What a contact's consent is for, such as `email_marketing` or `surveys`.
    Purpose,
    64
);
slug_newtype!(
    /// The key of a journey, a stage, a segment and the like: `eshop`, `purchase`, `vip`.
    Key,
    64
);

/// A language tag: `pl`, `cs`, `en`, or a language with a region such as `pt-BR`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Locale(String);

impl Locale {
    /// Parses `ll`, `lll` or `ll-RR`; the language part is lowercased, the region uppercased.
    pub fn parse(s: &str) -> Result<Self, FieldErrorKind> {
        let bad = || FieldErrorKind::UnknownLocale {
            locale: s.chars().take(32).collect(),
        };
        let (lang, region) = match s.split_once(['-', '_']) {
            Some((l, r)) => (l, Some(r)),
            None => (s, None),
        };
        if !(2..=3).contains(&lang.len()) || !lang.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(bad());
        }
        let mut out = lang.to_ascii_lowercase();
        if let Some(r) = region {
            if r.len() != 2 || !r.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(bad());
            }
            out.push('-');
            out.push_str(&r.to_ascii_uppercase());
        }
        Ok(Locale(out))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The language part alone (`pt` for `pt-BR`).
    pub fn language(&self) -> &str {
        self.0.split('-').next().unwrap_or(&self.0)
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How a response reached Puls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Channel {
    Web,
    Email,
    InApp,
    Sms,
    Store,
    Phone,
    Chat,
    Social,
    Api,
}

impl Channel {
    pub const ALL: [Channel; 9] = [
        Channel::Web,
        Channel::Email,
        Channel::InApp,
        Channel::Sms,
        Channel::Store,
        Channel::Phone,
        Channel::Chat,
        Channel::Social,
        Channel::Api,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Web => "web",
            Channel::Email => "email",
            Channel::InApp => "in_app",
            Channel::Sms => "sms",
            Channel::Store => "store",
            Channel::Phone => "phone",
            Channel::Chat => "chat",
            Channel::Social => "social",
            Channel::Api => "api",
        }
    }

    pub fn parse(s: &str) -> Result<Self, FieldErrorKind> {
        Channel::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| FieldErrorKind::NotOneOf {
                allowed: Channel::ALL.map(Channel::as_str).join(", "),
            })
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_accept_lowercase_and_reject_the_rest() {
        assert!(QuestionId::parse("nps_score-2").is_ok());
        for bad in ["", "2abc", "Nps", "a b", "ą", &"a".repeat(65)] {
            assert!(QuestionId::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn locales_are_normalised() {
        assert_eq!(Locale::parse("pt_br").unwrap().as_str(), "pt-BR");
        assert_eq!(Locale::parse("CS").unwrap().as_str(), "cs");
        assert!(Locale::parse("english").is_err());
        assert!(Locale::parse("p1").is_err());
    }

    #[test]
    fn channels_round_trip() {
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Ok(c));
        }
        assert!(Channel::parse("fax").is_err());
    }
}
