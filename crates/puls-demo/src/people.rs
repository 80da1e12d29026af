//! The people in the demo data: who answers the surveys and who buys in the shop, derived
//! from a hash so that a customer is the same person in every response, contact and event.

use puls_core::Channel;

use crate::phrases::{self, CS, EN, PL};
use crate::random::splitmix;

/// Share of people, by language (pl, cs, en).
pub(crate) const LANG_SHARE: [f32; 3] = [0.55, 0.30, 0.15];

/// Who answers: derived from a hash, so a customer is the same person in every response.
#[derive(Debug, Clone)]
pub(crate) struct Persona {
    pub hash: u64,
    /// Language of the respondent (pl, cs, en).
    pub lang: usize,
    /// Country (pl or cs index): where they live and pay.
    pub country: usize,
    pub first: &'static str,
    pub last: &'static str,
    pub number: u64,
    pub domain: &'static str,
    /// A personal tilt of mood: some people are grumpier than others.
    pub bias: f32,
    pub device_u: f32,
    pub region_u: f32,
}

impl Persona {
    pub(crate) fn new(hash: u64, number: u64) -> Self {
        let bits = |shift: u32, n: u32| (hash >> shift) & ((1u64 << n) - 1);
        let u = |shift: u32| bits(shift, 16) as f32 / 65536.0;
        let lu = u(0);
        let lang = if lu < LANG_SHARE[PL] {
            PL
        } else if lu < LANG_SHARE[PL] + LANG_SHARE[CS] {
            CS
        } else {
            EN
        };
        let country = match lang {
            EN if bits(60, 4) < 10 => PL,
            EN => CS,
            l => l,
        };
        let gender = bits(32, 1) as usize;
        let firsts = phrases::FIRST_NAMES[lang][gender];
        let lasts = phrases::SURNAMES[lang];
        let (last_f, last_m) = lasts[bits(41, 8) as usize % lasts.len()];
        Persona {
            hash,
            lang,
            country,
            first: firsts[bits(33, 8) as usize % firsts.len()],
            last: if gender == 0 { last_f } else { last_m },
            number,
            domain: phrases::EMAIL_DOMAINS[bits(49, 2) as usize % phrases::EMAIL_DOMAINS.len()],
            bias: (bits(51, 8) as f32 / 255.0 - 0.5) * 0.1,
            device_u: u(16),
            region_u: (splitmix(hash) >> 40) as f32 / (1u64 << 24) as f32,
        }
    }

    pub(crate) fn region(&self) -> &'static str {
        let list = if self.country == CS {
            phrases::REGIONS_CZ
        } else {
            phrases::REGIONS_PL
        };
        let total: f32 = list.iter().map(|(_, w)| w).sum();
        let mut r = self.region_u * total;
        for (name, w) in list {
            if r < *w {
                return name;
            }
            r -= w;
        }
        list[list.len() - 1].0
    }

    /// The full name as written, with diacritics ("Łukasz Wiśniewski"): the same person as
    /// [`Persona::email`] names.
    pub(crate) fn name(&self) -> String {
        let bits = |shift: u32, n: u32| ((self.hash >> shift) & ((1u64 << n) - 1)) as usize;
        let gender = bits(32, 1);
        let firsts = phrases::FIRST_NAMES_WRITTEN[self.lang][gender];
        let lasts = phrases::SURNAMES_WRITTEN[self.lang];
        let (last_f, last_m) = lasts[bits(41, 8) % lasts.len()];
        let last = if gender == 0 { last_f } else { last_m };
        format!("{} {last}", firsts[bits(33, 8) % firsts.len()])
    }

    pub(crate) fn email(&self) -> String {
        format!(
            "{}.{}{}@{}",
            self.first, self.last, self.number, self.domain
        )
    }

    pub(crate) fn phone(&self) -> String {
        let h = splitmix(self.hash);
        let digits = h % 100_000_000;
        let (a, b, c) = (digits / 1_000_000, digits / 1000 % 1000, digits % 1000);
        if self.country == CS {
            format!("+420 {}{a:02} {b:03} {c:03}", 6 + (h >> 40) % 2)
        } else {
            format!("+48 {}{a:02} {b:03} {c:03}", 5 + (h >> 40) % 4)
        }
    }
}

/// The device a respondent used on a channel, if the channel has one.
pub(crate) fn device(channel: Channel, u: f32) -> Option<&'static str> {
    let (mobile, desktop) = match channel {
        Channel::InApp => (0.88, 0.0),
        Channel::Web => (0.56, 0.38),
        Channel::Email => (0.6, 0.36),
        Channel::Chat => (0.45, 0.52),
        Channel::Social => (0.8, 0.17),
        Channel::Sms => (1.0, 0.0),
        Channel::Store | Channel::Phone | Channel::Api => return None,
    };
    Some(if u < mobile {
        "mobile"
    } else if u < mobile + desktop {
        "desktop"
    } else {
        "tablet"
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personas_are_stable_and_valid() {
        let a = Persona::new(splitmix(42), 7);
        let b = Persona::new(splitmix(42), 7);
        assert_eq!(a.email(), b.email());
        assert_eq!(a.name(), b.name());
        // The written name is the one in the address (phrases.rs checks the spellings).
        let name = a.name();
        let (first, last) = name.split_once(' ').unwrap();
        assert!(first.chars().next().unwrap().is_uppercase());
        assert!(!last.is_empty());
        assert!(a.email().starts_with(&format!("{}.{}", a.first, a.last)));
        assert!(puls_core::response::is_email(&a.email()));
        let phone = a.phone();
        assert!(phone.starts_with('+'));
        assert_eq!(
            phone.chars().filter(char::is_ascii_digit).count(),
            if a.country == CS { 12 } else { 11 }
        );
    }
}
