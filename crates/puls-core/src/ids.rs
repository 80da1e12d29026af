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

/// A string id whose every value passes `$valid`: parsed once, then trusted.
macro_rules! text_id {
    ($(#[$meta:meta])* $name:ident, $valid:expr) => {
        text_id!($(#[$meta])* $name, $valid, FieldErrorKind::InvalidId);
    };
    ($(#[$meta:meta])* $name:ident, $valid:expr, $error:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// Parses an id; anything else is the macro's error (`InvalidId` by default).
            pub fn parse(s: &str) -> Result<Self, FieldErrorKind> {
                let valid: fn(&str) -> bool = $valid;
                if valid(s) {
                    Ok(Self(s.to_string()))
                } else {
                    Err($error)
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

text_id!(
    /// A question's id, unique within a survey; answers are keyed by it.
    QuestionId,
    |s| is_slug(s, 64)
);
text_id!(
    /// An option's (or matrix row's) id, unique within its question.
    OptionId,
    |s| is_slug(s, 64)
);
text_id!(
    /// A touchpoint in the customer journey, such as `checkout` or `delivery`.
    Touchpoint,
    |s| is_slug(s, 64)
);
text_id!(
    /// A workspace's URL-safe name, such as `demo`.
    WorkspaceSlug,
    |s| is_slug(s, 48)
);
text_id!(
    /// What a contact's consent is for, such as `email_marketing` or `surveys`.
    Purpose,
    |s| is_slug(s, 64)
);
text_id!(
    /// The key of a journey, a stage, a segment and the like: `eshop`, `purchase`, `vip`.
    Key,
    |s| is_slug(s, 64)
);

/// A workspace: the tenant every survey, response, contact and key belongs to. A number the
/// database gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WorkspaceId(i64);

impl WorkspaceId {
    pub fn new(id: i64) -> Self {
        WorkspaceId(id)
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for WorkspaceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Whether `s` is a ULID as Puls writes them: 26 characters of Crockford's base 32, upper
/// case, the first at most `7` (a 48-bit time).
fn is_ulid(s: &str) -> bool {
    // Crockford's base 32: digits and capitals but I, L, O and U. (A match, not a search
    // of the alphabet: every stored response id passes here when it is read.)
    let crockford = |c: &u8| matches!(c, b'0'..=b'9' | b'A'..=b'H' | b'J' | b'K' | b'M' | b'N' | b'P'..=b'T' | b'V'..=b'Z');
    let b = s.as_bytes();
    b.len() == 26 && b[0] <= b'7' && b.iter().all(crockford)
}

/// Whether `s` is 1 to 64 ASCII letters, digits, `-` and `_`.
fn is_plain_id(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

text_id!(
    /// A survey's id, as in its link: 1 to 64 letters, digits, `-` and `_` (new surveys
    /// get 10 random lowercase letters and digits; the demo's have readable ones).
    SurveyId,
    is_plain_id
);
text_id!(
    /// A store or location a response comes from, such as `WAW-01`: 1 to 64 letters,
    /// digits, `-` and `_`. Per-location links and QR codes (`?store=`), kiosks and
    /// feedback staff record in a store carry it as the response's `store` attribute.
    StoreId,
    is_plain_id
);
text_id!(
    /// A response's id: a ULID, so ids sort by the time the response was created.
    ResponseId,
    is_ulid,
    FieldErrorKind::InvalidUlid
);
text_id!(
    /// A contact's id: a ULID.
    ContactId,
    is_ulid,
    FieldErrorKind::InvalidUlid
);
text_id!(
    /// A user's id: `usr_` and a ULID in lower case.
    UserId,
    |s| s
        .strip_prefix("usr_")
        .is_some_and(|u| is_ulid(&u.to_ascii_uppercase()) && u.bytes().all(|b| !b.is_ascii_uppercase()))
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
    fn ids_take_their_own_forms_only() {
        assert!(SurveyId::parse("checkout-nps").is_ok());
        assert!(SurveyId::parse("k3v9q2m8xa").is_ok());
        for bad in ["", "a b", "a\0b", "ą", &"a".repeat(65)] {
            assert!(SurveyId::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert!(ResponseId::parse("01J0000000000000000000000A").is_ok());
        for bad in [
            "01J0000000000000000000000",
            "01j0000000000000000000000a",
            "81J0000000000000000000000A",
            "01J000000000000000000000IL",
        ] {
            assert!(ResponseId::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert!(UserId::parse("usr_01j0000000000000000000000a").is_ok());
        assert!(UserId::parse("usr_01J0000000000000000000000A").is_err());
        assert!(ContactId::parse("usr_01j0000000000000000000000a").is_err());
        assert_eq!(WorkspaceId::new(7).get(), 7);
        assert!(StoreId::parse("WAW-01_b").is_ok());
        for bad in ["", "WAW 01", "sklep#1", "ł", &"a".repeat(65)] {
            assert!(StoreId::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn channels_round_trip() {
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Ok(c));
        }
        assert!(Channel::parse("fax").is_err());
    }
}
