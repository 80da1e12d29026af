//! Score bands: the groups of an NPS, CSAT or CES score that a CX team works by
//! (detractors, dissatisfied customers, hard experiences), as a filter names them.

use std::ops::RangeInclusive;

/// The metric a band reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BandMetric {
    Nps,
    Csat,
    Ces,
}

/// A band of scores of a response's first NPS, CSAT or CES question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Band {
    /// NPS 0–6.
    Detractors,
    /// NPS 7–8.
    Passives,
    /// NPS 9–10.
    Promoters,
    /// CSAT 1–2.
    Dissatisfied,
    /// CSAT 4–5.
    Satisfied,
    /// CES 1–3 (on the 7-point "it was easy" scale).
    Hard,
    /// CES 5–7.
    Easy,
}

impl Band {
    pub const ALL: [Band; 7] = [
        Band::Detractors,
        Band::Passives,
        Band::Promoters,
        Band::Dissatisfied,
        Band::Satisfied,
        Band::Hard,
        Band::Easy,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Band::Detractors => "detractors",
            Band::Passives => "passives",
            Band::Promoters => "promoters",
            Band::Dissatisfied => "csat_1_2",
            Band::Satisfied => "csat_4_5",
            Band::Hard => "ces_1_3",
            Band::Easy => "ces_5_7",
        }
    }

    pub fn parse(s: &str) -> Option<Band> {
        Band::ALL.into_iter().find(|b| b.as_str() == s)
    }

    pub fn metric(self) -> BandMetric {
        match self {
            Band::Detractors | Band::Passives | Band::Promoters => BandMetric::Nps,
            Band::Dissatisfied | Band::Satisfied => BandMetric::Csat,
            Band::Hard | Band::Easy => BandMetric::Ces,
        }
    }

    /// The scores in the band.
    pub fn range(self) -> RangeInclusive<i64> {
        match self {
            Band::Detractors => 0..=6,
            Band::Passives => 7..=8,
            Band::Promoters => 9..=10,
            Band::Dissatisfied => 1..=2,
            Band::Satisfied => 4..=5,
            Band::Hard => 1..=3,
            Band::Easy => 5..=7,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_round_trip_and_cover_what_they_say() {
        for b in Band::ALL {
            assert_eq!(Band::parse(b.as_str()), Some(b));
        }
        assert!(Band::Detractors.range().contains(&6) && !Band::Detractors.range().contains(&7));
        assert_eq!(Band::Hard.metric(), BandMetric::Ces);
        assert_eq!(Band::parse("happy"), None);
    }
}
