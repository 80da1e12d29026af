//! Checks of the generated demo data: validity against puls-core, determinism, and the story.

use std::collections::{BTreeMap, BTreeSet};

use puls_core::{Answer, Completion, ResponseMeta, ResponseMetaInput, Survey, Value};
use puls_demo::{DemoResponse, Generator, surveys};

/// 2026-03-15T09:30:00Z: the bad delivery month is November 2025.
const NOW: i64 = 1_773_567_000_000;
const DAY: i64 = 86_400_000;

#[test]
fn keys_are_in_order() {
    let keys: Vec<&str> = surveys().iter().map(|s| s.key).collect();
    let (s, rs) = generate(1, 100);
    for r in &rs {
        assert_eq!(key(&s, r), keys[r.survey]);
    }
}

fn parsed() -> Vec<Survey> {
    surveys()
        .iter()
        .map(|s| Survey::parse(&s.definition).unwrap())
        .collect()
}

fn generate(seed: u64, count: u64) -> (Vec<Survey>, Vec<DemoResponse>) {
    let s = parsed();
    let rs = Generator::new(seed, count, NOW, &s).collect();
    (s, rs)
}

/// The key of a response's survey (the parsed surveys are in the order of `surveys()`).
fn key(surveys: &[Survey], r: &DemoResponse) -> &'static str {
    const KEYS: [&str; 6] = [
        "information-rating",
        "checkout-nps",
        "delivery-csat",
        "support-ces",
        "returns-feedback",
        "features-kano",
    ];
    assert_eq!(surveys.len(), KEYS.len());
    KEYS[r.survey]
}

/// (year, month) of an instant, in UTC.
fn month_of(ms: i64) -> (i64, u32) {
    let z = ms.div_euclid(DAY) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month)
}

/// The metadata validated again as the API would take it from a caller, for `survey`.
fn revalidated(survey: &Survey, meta: &ResponseMeta, i: usize) -> ResponseMeta {
    let contact = meta
        .contact_external_id
        .as_ref()
        .map(|id| Value::map([("external_id", Value::str(id))]));
    let attributes = Value::map(
        meta.attributes
            .iter()
            .map(|(k, v)| (k.clone(), Value::str(v))),
    );
    let (channel, touchpoint, locale) = (
        Value::str(meta.channel.as_str()),
        Value::str(meta.touchpoint.as_str()),
        Value::str(meta.locale.as_str()),
    );
    survey
        .validate_meta(&ResponseMetaInput {
            channel: Some(&channel),
            touchpoint: Some(&touchpoint),
            locale: Some(&locale),
            contact: contact.as_ref(),
            invitation_token: None,
            attributes: Some(&attributes),
        })
        .unwrap_or_else(|e| panic!("response {i}: {:?}", e.0))
}

fn nps(scores: &[i64]) -> f64 {
    let n = scores.len() as f64;
    let promoters = scores.iter().filter(|s| **s >= 9).count() as f64;
    let detractors = scores.iter().filter(|s| **s <= 6).count() as f64;
    100.0 * (promoters - detractors) / n
}

fn score(r: &DemoResponse, question: &str) -> Option<i64> {
    r.answers
        .iter()
        .find(|(q, _)| q.as_str() == question)
        .and_then(|(_, a)| match a {
            Answer::Score(s) => Some(*s),
            _ => None,
        })
}

#[test]
fn every_response_passes_core_validation() {
    let (surveys, responses) = generate(7, 20_000);
    assert_eq!(responses.len(), 20_000);
    for (i, r) in responses.iter().enumerate() {
        let survey = &surveys[r.survey];
        let input: BTreeMap<String, Value> = r
            .answers
            .iter()
            .map(|(q, a)| (q.to_string(), a.to_value()))
            .collect();
        let completion = if r.completed {
            Completion::Complete
        } else {
            Completion::Partial
        };
        let back = survey
            .validate_answers(&input, completion, "answers")
            .unwrap_or_else(|e| panic!("response {i}: {:?}\n{r:#?}", e.0));
        assert_eq!(back, r.answers, "response {i}");

        let meta = revalidated(survey, &r.meta, i);
        assert_eq!(meta, r.meta, "response {i}");
        assert_eq!(r.meta.touchpoint, survey.touchpoint);
        assert!(
            !r.answers.is_empty() || !r.completed,
            "response {i} is empty"
        );
    }
}

#[test]
fn same_seed_same_data_other_seed_other_data() {
    let s = parsed();
    let a: Vec<_> = Generator::new(1, 50_000, NOW, &s).take(1000).collect();
    let b: Vec<_> = Generator::new(1, 50_000, NOW, &s).take(1000).collect();
    let c: Vec<_> = Generator::new(2, 50_000, NOW, &s).take(1000).collect();
    assert_eq!(a, b);
    assert_ne!(a, c);
    let same = a.iter().zip(&c).filter(|(x, y)| x == y).count();
    assert!(same < 10, "{same} identical responses across seeds");
}

#[test]
fn size_hint_is_exact() {
    let s = parsed();
    let mut g = Generator::new(3, 10, NOW, &s);
    for left in (0..=10).rev() {
        assert_eq!(g.size_hint(), (left, Some(left)));
        assert_eq!(g.next().is_some(), left > 0);
    }
    assert!(g.next().is_none());
    assert_eq!(Generator::new(3, 5, NOW, &[]).count(), 0);
    assert_eq!(Generator::new(3, 0, NOW, &s).count(), 0);
}

#[test]
fn responses_are_in_time_order_within_the_year() {
    let (_, rs) = generate(11, 20_000);
    assert!(
        rs.windows(2)
            .all(|w| w[0].created_at_ms <= w[1].created_at_ms)
    );
    assert!(rs[0].created_at_ms >= NOW - 365 * DAY);
    assert!(rs[0].created_at_ms < NOW - 360 * DAY);
    assert!(rs.last().unwrap().created_at_ms < NOW);
    assert!(rs.last().unwrap().created_at_ms > NOW - 2 * DAY);
    // A handful of responses still spans the year.
    let (_, few) = generate(11, 12);
    assert!(few[0].created_at_ms < NOW - 300 * DAY);
    assert!(few[11].created_at_ms > NOW - 65 * DAY);
}

#[test]
fn the_bad_delivery_month_stands_out() {
    let (surveys, rs) = generate(5, 40_000);
    let mut by_month: BTreeMap<(i64, u32), Vec<i64>> = BTreeMap::new();
    let mut late_comments: BTreeMap<bool, (usize, usize)> = BTreeMap::new();
    let late_words = [
        "opóźn", "spóźn", "czekał", "zpozd", "pozdní", "čekal", "late", "waited",
    ];
    for r in rs.iter().filter(|r| key(&surveys, r) == "delivery-csat") {
        let month = month_of(r.created_at_ms);
        if let Some(s) = score(r, "nps") {
            by_month.entry(month).or_default().push(s);
        }
        for (q, a) in &r.answers {
            if let (Answer::Text(t), "comment") = (a, q.as_str()) {
                let e = late_comments.entry(month == (2025, 11)).or_default();
                e.0 += 1;
                let t = t.to_lowercase();
                e.1 += usize::from(late_words.iter().any(|w| t.contains(w)));
            }
        }
    }
    let full: Vec<((i64, u32), f64, usize)> = by_month
        .iter()
        .filter(|(_, v)| v.len() >= 300)
        .map(|(m, v)| (*m, nps(v), v.len()))
        .collect();
    let bad = full
        .iter()
        .find(|(m, ..)| *m == (2025, 11))
        .expect("November 2025");
    let others: Vec<f64> = full
        .iter()
        .filter(|(m, ..)| *m != (2025, 11))
        .map(|(_, n, _)| *n)
        .collect();
    let mean = others.iter().sum::<f64>() / others.len() as f64;
    let best_other_worst = others.iter().cloned().fold(f64::INFINITY, f64::min);
    eprintln!("delivery NPS by month: {full:?}");
    assert!(bad.1 < mean - 35.0, "bad month {} vs mean {mean}", bad.1);
    assert!(
        bad.1 < best_other_worst - 20.0,
        "bad month {} vs {best_other_worst}",
        bad.1
    );
    let (n_bad, late_bad) = late_comments[&true];
    let (n_ok, late_ok) = late_comments[&false];
    let (share_bad, share_ok) = (late_bad as f64 / n_bad as f64, late_ok as f64 / n_ok as f64);
    eprintln!("late comments: bad month {share_bad:.2}, other months {share_ok:.2}");
    assert!(share_bad > 2.0 * share_ok);
}

#[test]
fn touchpoints_tell_their_story() {
    let (surveys, rs) = generate(9, 60_000);
    let mut per_key: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    let mut support_first_q = Vec::new();
    let mut support_last_q = Vec::new();
    let mut ces_first = Vec::new();
    let mut ces_last = Vec::new();
    for r in &rs {
        let k = key(&surveys, r);
        // Leave the bad delivery month out of the level comparison.
        let bad = month_of(r.created_at_ms) == (2025, 11);
        if let Some(s) = score(r, "nps")
            && !bad
        {
            per_key.entry(k).or_default().push(s);
        }
        if k == "support-ces" {
            let early = r.created_at_ms < NOW - 270 * DAY;
            let late = r.created_at_ms >= NOW - 90 * DAY;
            if let Some(s) = score(r, "nps") {
                if early {
                    support_first_q.push(s);
                } else if late {
                    support_last_q.push(s);
                }
            }
            if let Some(s) = score(r, "ces") {
                if early {
                    ces_first.push(s as f64);
                } else if late {
                    ces_last.push(s as f64);
                }
            }
        }
    }
    let level: BTreeMap<&str, f64> = per_key.iter().map(|(k, v)| (*k, nps(v))).collect();
    eprintln!("NPS by survey (bad month excluded): {level:?}");
    assert!(level["checkout-nps"] > 30.0);
    assert!(level["checkout-nps"] > level["delivery-csat"] + 20.0);
    assert!(level["delivery-csat"] > level["returns-feedback"] + 10.0);
    assert!(level["returns-feedback"] < -5.0);
    let (early, late) = (nps(&support_first_q), nps(&support_last_q));
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    eprintln!(
        "support NPS first quarter {early:.1}, last quarter {late:.1}; CES {:.2} -> {:.2}",
        mean(&ces_first),
        mean(&ces_last)
    );
    assert!(late > early + 30.0);
    assert!(mean(&ces_last) > mean(&ces_first) + 0.5);
}

#[test]
fn shares_of_locales_partials_channels_and_contacts() {
    let (surveys, rs) = generate(13, 50_000);
    let n = rs.len() as f64;
    let mut locales: BTreeMap<&str, f64> = BTreeMap::new();
    let mut channels: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut customers = BTreeSet::new();
    let (mut partial, mut with_contact, mut with_attrs) = (0.0, 0.0, 0.0);
    for r in &rs {
        *locales.entry(r.meta.locale.as_str()).or_default() += 1.0 / n;
        channels
            .entry(key(&surveys, r))
            .or_default()
            .insert(r.meta.channel.as_str());
        if !r.completed {
            partial += 1.0 / n;
            assert!((1..=3).contains(&r.answers.len()) || r.answers.is_empty());
        }
        if let Some(c) = &r.meta.contact_external_id {
            with_contact += 1.0 / n;
            assert!(c.starts_with("cust-") && c.len() >= 11, "{c}");
            customers.insert(c.clone());
        }
        if !r.meta.attributes.is_empty() {
            with_attrs += 1.0 / n;
        }
    }
    eprintln!(
        "locales {locales:?}, partial {partial:.3}, contact {with_contact:.2}, {} customers",
        customers.len()
    );
    assert!((locales["pl"] - 0.55).abs() < 0.02);
    assert!((locales["cs"] - 0.30).abs() < 0.02);
    assert!((locales["en"] - 0.15).abs() < 0.02);
    assert!((0.065..0.095).contains(&partial), "{partial}");
    assert!((0.3..0.9).contains(&with_contact));
    assert!(with_attrs > 0.7);
    // The pool is about a third of the count; with repeat customers fewer of them show up.
    assert!(customers.len() > 5_000 && customers.len() <= 50_000 / 3);
    for (k, cs) in &channels {
        assert!(cs.len() >= 2, "{k}: {cs:?}");
    }
    let defaults: BTreeSet<&str> = surveys.iter().map(|s| s.channel.as_str()).collect();
    assert!(defaults.len() >= 5);
}

#[test]
fn a_customer_keeps_their_language() {
    let (_, rs) = generate(17, 30_000);
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for r in &rs {
        if let Some(c) = &r.meta.contact_external_id {
            let l = seen.entry(c.as_str()).or_insert(r.meta.locale.as_str());
            assert_eq!(*l, r.meta.locale.as_str(), "{c}");
        }
    }
}

#[test]
fn every_question_type_occurs_with_other_texts_and_comments() {
    let (surveys, rs) = generate(21, 20_000);
    let mut types = BTreeSet::new();
    let (mut other, mut comments, mut ended_early) = (0, 0, 0);
    for r in &rs {
        let survey = &surveys[r.survey];
        for (q, a) in &r.answers {
            let kind = &survey.question(q).unwrap().kind;
            types.insert(kind.type_name());
            if let Answer::Choices { other: Some(_), .. } = a {
                other += 1;
            }
            if let Answer::Text(_) = a {
                comments += 1;
            }
        }
        let answers_vis = survey.visibility(&r.answers);
        if answers_vis.ended_early {
            ended_early += 1;
        }
    }
    eprintln!("{comments} comments, {other} other texts, {ended_early} early ends in 20000");
    assert_eq!(types.len(), 11, "{types:?}");
    assert!(other > 50, "{other}");
    assert!(comments > 2_000 && comments < 12_000, "{comments}");
    assert!(ended_early > 20, "{ended_early}");
}

#[test]
fn comments_match_scores() {
    let (surveys, rs) = generate(23, 20_000);
    let happy = [
        "super",
        "świetn",
        "skvěl",
        "great",
        "polecam",
        "doporučuji",
        "recommend",
    ];
    let (mut pos_happy, mut pos_n, mut neg_happy, mut neg_n) = (0, 0, 0, 0);
    for r in rs.iter().filter(|r| key(&surveys, r) == "checkout-nps") {
        let Some(nps) = score(r, "nps") else { continue };
        for a in r.answers.values() {
            if let Answer::Text(t) = a {
                let t = t.to_lowercase();
                let h = usize::from(happy.iter().any(|w| t.contains(w)));
                if nps >= 9 {
                    pos_n += 1;
                    pos_happy += h;
                } else if nps <= 6 {
                    neg_n += 1;
                    neg_happy += h;
                }
            }
        }
    }
    assert!(pos_n > 100 && neg_n > 100, "{pos_n} {neg_n}");
    assert!(pos_happy as f64 / pos_n as f64 > 0.2);
    assert_eq!(neg_happy, 0);
}

#[test]
fn volume_follows_the_week_the_day_and_the_season() {
    let (_, rs) = generate(29, 100_000);
    let mut by_weekday = [0usize; 7];
    let mut by_hour = [0usize; 24];
    let mut by_month: BTreeMap<(i64, u32), usize> = BTreeMap::new();
    for r in &rs {
        // Central European time, close enough for counting (ignores summer time).
        let local = r.created_at_ms + 3_600_000;
        let day = local.div_euclid(DAY);
        by_weekday[(day + 4).rem_euclid(7) as usize] += 1;
        by_hour[(local.rem_euclid(DAY) / 3_600_000) as usize] += 1;
        *by_month.entry(month_of(r.created_at_ms)).or_default() += 1;
    }
    eprintln!("by weekday (Sun first) {by_weekday:?}\nby hour {by_hour:?}\nby month {by_month:?}");
    assert!(
        by_weekday[0] * 10 < by_weekday[1] * 7,
        "Sundays are quieter"
    );
    assert!(by_hour[3] * 8 < by_hour[20]);
    let nov = by_month[&(2025, 11)];
    let dec = by_month[&(2025, 12)];
    let jun = by_month[&(2025, 6)];
    assert!(nov as f64 > 1.3 * jun as f64 && dec as f64 > 1.3 * jun as f64);
}

#[test]
fn twenty_touchpoints_cover_every_channel_and_locale_within_one_year() {
    let s = parsed();
    let g = Generator::new(31, 30_000, NOW, &s)
        .with_touchpoints(20)
        .unwrap();
    let listed: BTreeSet<String> = g.touchpoints().iter().map(|t| t.to_string()).collect();
    assert_eq!(listed.len(), 20, "{listed:?}");
    let rs: Vec<DemoResponse> = g.collect();
    assert_eq!(rs.len(), 30_000);

    let mut touchpoints: BTreeMap<&str, usize> = BTreeMap::new();
    let mut channels = BTreeSet::new();
    let mut locales = BTreeSet::new();
    for (i, r) in rs.iter().enumerate() {
        *touchpoints.entry(r.meta.touchpoint.as_str()).or_default() += 1;
        channels.insert(r.meta.channel);
        locales.insert(r.meta.locale.as_str());
        assert!(
            (NOW - 365 * DAY..NOW).contains(&r.created_at_ms),
            "response {i} at {}",
            r.created_at_ms
        );
        // The metadata is what the API would accept for the survey.
        let meta = revalidated(&s[r.survey], &r.meta, i);
        assert_eq!(meta, r.meta, "response {i}");
        // A store's touchpoint, channel and attribute agree.
        let in_store = r.meta.touchpoint.as_str().starts_with("store-");
        assert_eq!(in_store, r.meta.channel == puls_core::Channel::Store, "{i}");
        assert_eq!(in_store, r.meta.attributes.contains_key("store"), "{i}");
    }
    eprintln!("responses by touchpoint: {touchpoints:?}");
    let seen: BTreeSet<String> = touchpoints.keys().map(|t| t.to_string()).collect();
    assert_eq!(seen, listed);
    for (t, n) in &touchpoints {
        assert!(*n >= 100, "{t}: only {n} responses");
    }
    assert_eq!(channels, puls_core::Channel::ALL.into_iter().collect());
    assert_eq!(locales, BTreeSet::from(["pl", "cs", "en"]));

    // Deterministic for the seed.
    let again: Vec<DemoResponse> = Generator::new(31, 30_000, NOW, &s)
        .with_touchpoints(20)
        .unwrap()
        .take(1000)
        .collect();
    assert_eq!(again, rs[..1000]);
}

#[test]
fn the_surveys_own_touchpoint_count_changes_nothing() {
    let s = parsed();
    let plain: Vec<_> = Generator::new(37, 5_000, NOW, &s).collect();
    let six: Vec<_> = Generator::new(37, 5_000, NOW, &s)
        .with_touchpoints(6)
        .unwrap()
        .collect();
    assert_eq!(plain, six);
    for n in [0, 5, 27] {
        let e = Generator::new(37, 10, NOW, &s)
            .with_touchpoints(n)
            .unwrap_err();
        assert_eq!((e.requested, e.min, e.max), (n, 6, 26));
    }
    let all = Generator::new(37, 10, NOW, &s)
        .with_touchpoints(26)
        .unwrap();
    assert_eq!(all.touchpoints().len(), 26);
}

#[test]
fn other_surveys_work_too() {
    let def = Value::map([
        ("title", Value::str("Umfrage")),
        ("locales", Value::List(vec![Value::str("de")])),
        ("touchpoint", Value::str("onboarding")),
        (
            "questions",
            Value::List(vec![
                Value::map([
                    ("id", Value::str("score")),
                    ("type", Value::str("rating")),
                    ("text", Value::str("Wie war es?")),
                    ("min", Value::Int(-3)),
                    ("max", Value::Int(3)),
                    ("required", Value::Bool(true)),
                ]),
                Value::map([
                    ("id", Value::str("why")),
                    ("type", Value::str("open_text")),
                    ("text", Value::str("Warum?")),
                    ("max_length", Value::Int(12)),
                    ("required", Value::Bool(true)),
                ]),
                Value::map([
                    ("id", Value::str("pick")),
                    ("type", Value::str("multiple_choice")),
                    ("text", Value::str("Was?")),
                    ("min_choices", Value::Int(2)),
                    (
                        "options",
                        Value::List(
                            ["a", "b", "c"]
                                .iter()
                                .map(|id| {
                                    Value::map([("id", Value::str(*id)), ("text", Value::str(*id))])
                                })
                                .collect(),
                        ),
                    ),
                    ("required", Value::Bool(true)),
                ]),
            ]),
        ),
    ]);
    let survey = Survey::parse(&def).unwrap();
    let surveys = [survey];
    for r in Generator::new(1, 2_000, NOW, &surveys) {
        let input: BTreeMap<String, Value> = r
            .answers
            .iter()
            .map(|(q, a)| (q.to_string(), a.to_value()))
            .collect();
        let completion = if r.completed {
            Completion::Complete
        } else {
            Completion::Partial
        };
        surveys[0]
            .validate_answers(&input, completion, "answers")
            .unwrap_or_else(|e| panic!("{:?} {r:?}", e.0));
        assert_eq!(r.meta.locale.as_str(), "de");
    }
}

#[test]
fn generation_rate() {
    // Prints the rate; run with `--release -- --nocapture generation_rate` to see it.
    let s = parsed();
    let n = 200_000;
    let start = std::time::Instant::now();
    let mut answers = 0usize;
    for r in Generator::new(99, n, NOW, &s) {
        answers += r.answers.len();
    }
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "generated {n} responses ({answers} answers) in {secs:.3} s: {:.0} responses/s",
        n as f64 / secs
    );
}
