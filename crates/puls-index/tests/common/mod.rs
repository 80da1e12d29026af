//! Fixture builders shared by the test binaries.
#![allow(dead_code)]

use puls_core::{Channel, KanoAnswer, Locale, OptionId, QuestionId, Touchpoint};
use puls_index::{Fact, QuestionKey, Score};

pub fn ms(s: &str) -> i64 {
    s.parse::<jiff::Timestamp>()
        .expect("an RFC 3339 instant")
        .as_millisecond()
}

pub fn qid(s: &str) -> QuestionId {
    QuestionId::parse(s).expect("valid id")
}

pub fn key(s: &str) -> QuestionKey {
    QuestionKey::question(qid(s))
}

pub fn opt(s: &str) -> OptionId {
    OptionId::parse(s).expect("valid option")
}

pub fn tp(s: &str) -> Touchpoint {
    Touchpoint::parse(s).expect("valid touchpoint")
}

/// A completed web response in `pl` to survey `s1` at `at`, with an NPS score.
pub fn nps_fact(id: &str, at: &str, touchpoint: &str, score: i64) -> Fact {
    Fact {
        id: id.to_string(),
        survey: "s1".into(),
        survey_version: 1,
        created_at_ms: ms(at),
        touchpoint: tp(touchpoint),
        channel: Channel::Web,
        locale: Locale::parse("pl").expect("valid locale"),
        completed: true,
        has_contact: false,
        respondent: None,
        attributes: Vec::new(),
        scores: vec![Score {
            key: key("nps"),
            value: score,
            scale: (0, 10),
        }],
        choices: Vec::new(),
        kano: Vec::new(),
        answered: vec![qid("nps")],
    }
}

pub fn with_channel(mut f: Fact, c: Channel) -> Fact {
    f.channel = c;
    f
}

pub fn with_choice(mut f: Fact, q: &str, options: &[&str]) -> Fact {
    f.choices
        .push((qid(q), options.iter().map(|o| opt(o)).collect()));
    f.answered.push(qid(q));
    f
}

pub fn with_kano(mut f: Fact, q: &str, a: KanoAnswer, b: KanoAnswer) -> Fact {
    f.kano.push((qid(q), a, b));
    f.answered.push(qid(q));
    f
}

pub fn with_score(mut f: Fact, q: &str, value: i64, scale: (i64, i64)) -> Fact {
    f.scores.push(Score {
        key: key(q),
        value,
        scale,
    });
    f.answered.push(qid(q));
    f
}
