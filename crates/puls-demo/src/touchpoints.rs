//! Finer touchpoints, for spreading the demo's responses over more touchpoints than its
//! six surveys have (`puls demo --touchpoints N`, [`crate::Generator::with_touchpoints`]).
//!
//! Each survey touchpoint can be split into finer ones that fit the shop's story: checkout on
//! the web, in the app and through a marketplace (whose orders report feedback by API);
//! delivery by courier partner; support by chat, phone and email; returns online or in one of
//! the shop's nine stores; product information on the web, in the app and in the social-media
//! shop; the loyalty survey by email or in the app. A finer touchpoint may bring its own
//! channel mix and a small change of mood, so touchpoints differ on a dashboard.
//!
//! A count `n` is reached by splitting in a fixed order ([`SPLITS`]): a touchpoint split into
//! `m ≥ 2` is replaced by its first `m` finer touchpoints, and an unsplit one keeps its own
//! name. Every split adds exactly one touchpoint, so any `n` from the number of survey
//! touchpoints up to the size of the catalogue is reached exactly, and a larger `n` keeps the
//! touchpoints of a smaller one except those it split further.

use puls_core::Channel;

use crate::phrases::{CS, PL};

/// A finer touchpoint within one of the surveys' touchpoints.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sub {
    /// The touchpoint slug (it passes `Touchpoint::parse`).
    pub slug: &'static str,
    /// Relative share of the parent touchpoint's responses.
    pub weight: f32,
    /// Channel mix; empty keeps the parent's.
    pub channels: &'static [(Channel, f32)],
    /// Change of the mean mood of its respondents.
    pub mood: f32,
    /// A store: its country and index in that country's store list
    /// (`phrases::STORES_PL`, `phrases::STORES_CZ`), for the `store` attribute.
    pub store: Option<(usize, usize)>,
}

const fn sub(
    slug: &'static str,
    weight: f32,
    channels: &'static [(Channel, f32)],
    mood: f32,
) -> Sub {
    Sub {
        slug,
        weight,
        channels,
        mood,
        store: None,
    }
}

/// Returns in one of the shop's stores: respondents return where they live, so the store is
/// chosen by the respondent (see the generator), and the weight is the same for every store.
const fn store(slug: &'static str, country: usize, index: usize) -> Sub {
    Sub {
        slug,
        weight: 0.06,
        channels: &[(Channel::Store, 1.0)],
        mood: 0.05,
        store: Some((country, index)),
    }
}

/// The finer touchpoints of each survey touchpoint, in the order they are taken.
static CATALOGUE: &[(&str, &[Sub])] = &[
    (
        "information",
        &[
            sub("information-web", 0.45, &[(Channel::Web, 1.0)], 0.0),
            sub("information-app", 0.55, &[(Channel::InApp, 1.0)], 0.01),
            sub("information-social", 0.12, &[(Channel::Social, 1.0)], -0.03),
        ],
    ),
    (
        "checkout",
        &[
            sub(
                "checkout-web",
                0.6,
                &[(Channel::Web, 0.85), (Channel::Email, 0.15)],
                0.0,
            ),
            sub(
                "checkout-app",
                0.3,
                &[(Channel::InApp, 0.85), (Channel::Email, 0.15)],
                0.01,
            ),
            sub("checkout-marketplace", 0.12, &[(Channel::Api, 1.0)], -0.04),
        ],
    ),
    (
        "delivery",
        &[
            sub("delivery-dpd", 0.3, &[], -0.02),
            sub("delivery-inpost", 0.35, &[], 0.04),
            sub("delivery-dhl", 0.15, &[], 0.0),
            sub("delivery-ppl", 0.12, &[], 0.01),
            sub("delivery-gls", 0.08, &[], -0.03),
        ],
    ),
    (
        "support",
        &[
            sub("support-chat", 0.6, &[(Channel::Chat, 1.0)], 0.02),
            sub("support-phone", 0.15, &[(Channel::Phone, 1.0)], -0.02),
            sub("support-email", 0.25, &[(Channel::Email, 1.0)], -0.05),
        ],
    ),
    (
        "returns",
        &[
            sub(
                "returns-online",
                0.65,
                &[(Channel::Web, 0.45), (Channel::Email, 0.55)],
                -0.02,
            ),
            store("store-warszawa", PL, 0),
            store("store-praha-palladium", CS, 0),
            store("store-krakow", PL, 1),
            store("store-brno", CS, 2),
            store("store-wroclaw", PL, 2),
            store("store-poznan", PL, 3),
            store("store-praha-chodov", CS, 1),
            store("store-ostrava", CS, 3),
            store("store-gdansk", PL, 4),
        ],
    ),
    (
        "loyalty",
        &[
            sub("loyalty-email", 0.8, &[(Channel::Email, 1.0)], 0.0),
            sub("loyalty-app", 0.2, &[(Channel::InApp, 1.0)], 0.02),
        ],
    ),
];

/// The order of splits: each entry takes one more finer touchpoint of that survey touchpoint
/// (the first entry of a touchpoint takes two, replacing it). Busy touchpoints split first;
/// by 20 touchpoints every channel occurs.
static SPLITS: &[&str] = &[
    "checkout",
    "delivery",
    "returns",
    "support",
    "information",
    "delivery",
    "returns",
    "checkout",
    "information",
    "delivery",
    "returns",
    "support",
    "returns",
    "loyalty",
    "delivery",
    "returns",
    "returns",
    "returns",
    "returns",
    "returns",
];

/// The finer touchpoints of a survey touchpoint; empty for one the catalogue does not know.
pub(crate) fn subs(touchpoint: &str) -> &'static [Sub] {
    CATALOGUE
        .iter()
        .find(|(t, _)| *t == touchpoint)
        .map_or(&[], |(_, s)| s)
}

/// How many finer touchpoints each of `touchpoints` (distinct, the surveys' own) takes to make
/// `n` touchpoints in all: 1 keeps the touchpoint itself, `m ≥ 2` replaces it with its first
/// `m` finer ones. `None` when `n` is below `touchpoints.len()` or above what the catalogue
/// can reach ([`max_touchpoints`]).
pub(crate) fn split(touchpoints: &[&str], n: usize) -> Option<Vec<usize>> {
    let mut taken = vec![1; touchpoints.len()];
    let mut total = touchpoints.len();
    let mut steps = SPLITS.iter();
    while total < n {
        let parent = steps.next()?;
        let Some(i) = touchpoints.iter().position(|t| t == parent) else {
            continue;
        };
        if taken[i] < subs(parent).len() {
            taken[i] += 1;
            total += 1;
        }
    }
    (total == n).then_some(taken)
}

/// The most touchpoints [`split`] can make of `touchpoints`.
pub(crate) fn max_touchpoints(touchpoints: &[&str]) -> usize {
    touchpoints.iter().map(|t| subs(t).len().max(1)).sum()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::phrases::{STORES_CZ, STORES_PL};

    const DEMO: [&str; 6] = [
        "information",
        "checkout",
        "delivery",
        "support",
        "returns",
        "loyalty",
    ];

    /// The touchpoint names `split` gives for `n`.
    fn names(n: usize) -> BTreeSet<&'static str> {
        let taken = split(&DEMO, n).unwrap();
        DEMO.iter()
            .zip(taken)
            .flat_map(|(t, m)| {
                if m == 1 {
                    vec![*t]
                } else {
                    subs(t)[..m].iter().map(|s| s.slug).collect()
                }
            })
            .collect()
    }

    #[test]
    fn every_count_in_range_is_reached_exactly() {
        let max = max_touchpoints(&DEMO);
        assert_eq!(max, 26);
        // The splits reach the whole catalogue.
        assert_eq!(DEMO.len() + SPLITS.len(), max);
        for n in DEMO.len()..=max {
            assert_eq!(names(n).len(), n, "{n}");
        }
        assert_eq!(names(6), DEMO.into_iter().collect());
        assert!(split(&DEMO, 5).is_none());
        assert!(split(&DEMO, max + 1).is_none());
    }

    #[test]
    fn finer_touchpoints_are_valid_unique_slugs() {
        let mut seen = BTreeSet::new();
        for (parent, list) in CATALOGUE {
            assert!(DEMO.contains(parent), "{parent}");
            assert!(list.len() >= 2, "{parent}");
            for s in *list {
                puls_core::Touchpoint::parse(s.slug).unwrap();
                assert!(seen.insert(s.slug), "duplicate {}", s.slug);
                assert!(!DEMO.contains(&s.slug));
                assert!(s.weight > 0.0);
                if let Some((country, i)) = s.store {
                    let stores = if country == CS { STORES_CZ } else { STORES_PL };
                    assert!(i < stores.len(), "{}", s.slug);
                }
            }
        }
        // Every store of the shop, once.
        let stores: BTreeSet<_> = CATALOGUE
            .iter()
            .flat_map(|(_, l)| l.iter().filter_map(|s| s.store))
            .collect();
        assert_eq!(stores.len(), STORES_PL.len() + STORES_CZ.len());
    }

    #[test]
    fn twenty_touchpoints_reach_every_channel() {
        let names = names(20);
        let channels: BTreeSet<Channel> = CATALOGUE
            .iter()
            .flat_map(|(parent, list)| {
                let taken: Vec<&Sub> = list.iter().filter(|s| names.contains(s.slug)).collect();
                let parent_mix = crate::story::profile(parent).channels;
                let mixes: Vec<&[(Channel, f32)]> = if taken.is_empty() {
                    vec![parent_mix]
                } else {
                    taken
                        .iter()
                        .map(|s| {
                            if s.channels.is_empty() {
                                parent_mix
                            } else {
                                s.channels
                            }
                        })
                        .collect()
                };
                mixes
                    .into_iter()
                    .flatten()
                    .map(|(c, _)| *c)
                    .collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(channels, Channel::ALL.into_iter().collect());
    }
}
