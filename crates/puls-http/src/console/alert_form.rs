//! The alert rule editor's form, both ways: a stored rule (read through the core's parser,
//! so every valid rule fits) shown as fields, the posted fields read back, and the fields
//! written as the definition the application validates like the API's. A rule watches
//! either each response (a list of conditions joined by `all` or `any`) or a metric (a
//! watch); both have actions. Problems found by the application are put in words by
//! [`place`]. Pure: no I/O.

use puls_core::alert::{AlertRule, Condition, Match, Recipient, ScoreOf, WatchTest};
use puls_html::Text;
use puls_html::console::{AlertConditionRow, AlertForm};
use serde_json::{Map, Value, json};

use super::journey_form::number;
use super::rule_form::{
    Action, apply_to_rows, indexes, names_from, names_of, names_value, posted_action, whole,
};

/// The kinds of condition the form offers.
const KINDS: [&str; 8] = [
    "score",
    "text",
    "answer",
    "touchpoint",
    "channel",
    "attribute",
    "segment",
    "reading",
];

/// A new rule watching each response (`watch` other than `metric`) or a metric, with the
/// usual choices made: NPS at most 6 opens a normal case; a significant monthly drop of a
/// touchpoint's NPS e-mails the administrators.
pub fn blank(watch: &str) -> AlertForm {
    let metric = watch == "metric";
    AlertForm {
        new: true,
        names: names_from(|_| String::new()),
        enabled: true,
        watch: if metric { "metric" } else { "response" }.into(),
        combinator: "all".into(),
        rows: if metric {
            Vec::new()
        } else {
            vec![AlertConditionRow {
                at_most: "6".into(),
                ..new_row("score")
            }]
        },
        metric: "nps".into(),
        by: "touchpoint".into(),
        every: "month".into(),
        test: "drop".into(),
        min_n: "30".into(),
        fdr: "0.05".into(),
        case: !metric,
        priority: "normal".into(),
        link_days: "14".into(),
        email_admins: metric,
        ..AlertForm::default()
    }
}

/// An empty condition of `kind` (a score when the kind is unknown).
pub fn new_row(kind: &str) -> AlertConditionRow {
    let kind = if KINDS.contains(&kind) { kind } else { "score" };
    AlertConditionRow {
        kind: kind.into(),
        subject: if kind == "score" {
            "nps".into()
        } else {
            String::new()
        },
        ..AlertConditionRow::default()
    }
}

/// A stored rule as the form; `None` only when it no longer parses. A name written as one
/// plain text shows in `lang`.
pub fn from_definition(def: &Value, lang: &str) -> Option<AlertForm> {
    let rule = AlertRule::parse(&puls_store::json::from_json(def)).ok()?;
    let mut form = blank(if rule.watch.is_some() {
        "metric"
    } else {
        "response"
    });
    form.new = false;
    form.key = rule.key.as_str().to_string();
    form.names = names_of(&def["name"], lang);
    form.enabled = rule.enabled;
    form.survey = rule
        .survey
        .as_ref()
        .map(|s| s.as_str().to_string())
        .unwrap_or_default();
    form.combinator = match rule.matching {
        Match::All => "all",
        Match::Any => "any",
    }
    .into();
    form.rows = rule.conditions.iter().map(row_of).collect();
    if let Some(w) = &rule.watch {
        form.metric = w.metric.as_str().into();
        form.by = w.by.as_str().into();
        form.only = w.only.join(", ");
        form.every = w.every.as_str().into();
        match w.test {
            WatchTest::Drop { min_n, fdr } => {
                form.test = "drop".into();
                form.min_n = min_n.to_string();
                form.fdr = fdr.to_string();
            }
            WatchTest::Below { value, min_n } => {
                form.test = "below".into();
                form.min_n = min_n.to_string();
                form.below = value.to_string();
            }
        }
    }
    let a = &rule.actions;
    form.case = a.case.is_some();
    if let Some(c) = &a.case {
        form.priority = c.priority.as_str().into();
        form.owner = c
            .owner
            .as_ref()
            .map(|o| o.as_str().into())
            .unwrap_or_default();
        form.team = c
            .team
            .as_ref()
            .map(|t| t.as_str().into())
            .unwrap_or_default();
        form.link_days = c.link_within_days.to_string();
    }
    form.email_admins = a.email.contains(&Recipient::Admins);
    form.email_to = a
        .email
        .iter()
        .filter_map(|r| match r {
            Recipient::User(e) => Some(e.as_str()),
            Recipient::Admins => None,
        })
        .collect::<Vec<_>>()
        .join(", ");
    form.digest = a.digest;
    form.webhook = a.webhook;
    Some(form)
}

/// One parsed condition as a row of the form.
fn row_of(c: &Condition) -> AlertConditionRow {
    let list = |items: Vec<&str>| items.join(", ");
    match c {
        Condition::Score {
            of,
            at_least,
            at_most,
        } => {
            let (subject, question) = match of {
                ScoreOf::Metric(m) => (m.as_str().to_string(), String::new()),
                ScoreOf::Question(q) => ("question".to_string(), q.as_str().to_string()),
            };
            AlertConditionRow {
                kind: "score".into(),
                subject,
                question,
                at_least: at_least.map(|n| n.to_string()).unwrap_or_default(),
                at_most: at_most.map(|n| n.to_string()).unwrap_or_default(),
                values: String::new(),
            }
        }
        Condition::Answer { question, any_of } => AlertConditionRow {
            question: question.as_str().into(),
            values: list(any_of.iter().map(String::as_str).collect()),
            ..new_row("answer")
        },
        Condition::Text {
            question, written, ..
        } => AlertConditionRow {
            question: question
                .as_ref()
                .map(|q| q.as_str().into())
                .unwrap_or_default(),
            values: list(written.iter().map(String::as_str).collect()),
            ..new_row("text")
        },
        Condition::Touchpoint(items) => AlertConditionRow {
            values: list(items.iter().map(|t| t.as_str()).collect()),
            ..new_row("touchpoint")
        },
        Condition::Channel(items) => AlertConditionRow {
            values: list(items.iter().map(|c| c.as_str()).collect()),
            ..new_row("channel")
        },
        Condition::Attribute { name, any_of } => AlertConditionRow {
            subject: name.clone(),
            values: list(any_of.iter().map(String::as_str).collect()),
            ..new_row("attribute")
        },
        Condition::Segment(k) => AlertConditionRow {
            subject: k.as_str().into(),
            ..new_row("segment")
        },
        Condition::Reading { sentiment, aspect } => AlertConditionRow {
            subject: sentiment.clone().unwrap_or_default(),
            values: aspect
                .as_ref()
                .map(|a| a.as_str().to_string())
                .unwrap_or_default(),
            ..new_row("reading")
        },
    }
}

/// The posted fields as the form (kept as typed) and what the author asked for.
pub fn from_fields(pairs: &[(String, String)], key: Option<&str>) -> (AlertForm, Action) {
    let get = |k: &str| super::field(pairs, k).unwrap_or("").to_string();
    let on = |k: &str| !get(k).is_empty();
    let rows = indexes(pairs, "c", ".kind")
        .iter()
        .take(puls_core::alert::limits::MAX_CONDITIONS + 1)
        .map(|i| {
            let f = |name: &str| get(&format!("c{i}.{name}"));
            AlertConditionRow {
                kind: f("kind"),
                subject: f("subject"),
                question: f("question"),
                at_least: f("at_least"),
                at_most: f("at_most"),
                values: f("values"),
            }
        })
        .collect();
    let form = AlertForm {
        key: key.map_or_else(|| get("key").trim().to_string(), str::to_string),
        new: key.is_none(),
        names: names_from(|l| get(&format!("name.{l}"))),
        enabled: on("enabled"),
        watch: if get("watch") == "metric" {
            "metric"
        } else {
            "response"
        }
        .into(),
        survey: get("survey"),
        combinator: if get("combinator") == "any" {
            "any"
        } else {
            "all"
        }
        .into(),
        rows,
        metric: get("metric"),
        by: get("by"),
        only: get("only"),
        every: get("every"),
        test: if get("test") == "below" {
            "below"
        } else {
            "drop"
        }
        .into(),
        min_n: get("min_n"),
        fdr: get("fdr"),
        below: get("below"),
        case: on("case"),
        priority: get("priority"),
        team: get("team"),
        owner: get("owner"),
        link_days: get("link_days"),
        email_admins: on("email_admins"),
        email_to: get("email_to"),
        digest: on("digest"),
        webhook: on("webhook"),
    };
    (form, posted_action(pairs))
}

/// Does what the author asked to the form, short of saving.
pub fn apply(form: &mut AlertForm, action: &Action) {
    apply_to_rows(&mut form.rows, action, new_row);
}

/// A comma-separated field as a list of its trimmed, non-empty items.
fn items(s: &str) -> Vec<&str> {
    s.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// Puts `value` at `key` unless the field was left empty.
fn put(m: &mut Map<String, Value>, key: &str, field: &str, value: impl Fn(&str) -> Value) {
    if !field.trim().is_empty() {
        m.insert(key.into(), value(field));
    }
}

/// The form as an alert rule definition, for the application to validate and store.
pub fn to_definition(form: &AlertForm) -> Value {
    let mut m = Map::new();
    m.insert("key".into(), json!(form.key));
    m.insert("name".into(), Value::Object(names_value(&form.names)));
    m.insert("enabled".into(), json!(form.enabled));
    if form.watch == "metric" {
        let mut w = Map::new();
        w.insert("of".into(), json!(form.metric));
        w.insert("by".into(), json!(form.by));
        let only = items(&form.only);
        if !only.is_empty() {
            w.insert("only".into(), json!(only));
        }
        w.insert("every".into(), json!(form.every));
        let mut t = Map::new();
        put(&mut t, "min_n", &form.min_n, whole);
        if form.test == "below" {
            // Required: an empty threshold is left out and named by the validation.
            put(&mut t, "value", &form.below, number);
            w.insert("below".into(), Value::Object(t));
        } else {
            put(&mut t, "false_discovery_rate", &form.fdr, number);
            w.insert("drop".into(), Value::Object(t));
        }
        m.insert("metric".into(), Value::Object(w));
    } else {
        put(&mut m, "survey", &form.survey, |s| json!(s.trim()));
        m.insert("match".into(), json!(form.combinator));
        let conditions: Vec<Value> = form.rows.iter().map(condition_of).collect();
        m.insert("conditions".into(), json!(conditions));
    }
    let mut actions = Map::new();
    if form.case && form.watch != "metric" {
        let mut c = Map::new();
        c.insert("priority".into(), json!(form.priority));
        put(&mut c, "owner", &form.owner, |s| json!(s.trim()));
        put(&mut c, "team", &form.team, |s| json!(s.trim()));
        put(&mut c, "link_within_days", &form.link_days, whole);
        actions.insert("case".into(), Value::Object(c));
    }
    let mut to: Vec<&str> = Vec::new();
    if form.email_admins {
        to.push("admins");
    }
    to.extend(items(&form.email_to));
    if !to.is_empty() {
        actions.insert("email".into(), json!(to));
    }
    if form.digest {
        actions.insert("digest".into(), json!(true));
    }
    actions.insert("webhook".into(), json!(form.webhook));
    m.insert("actions".into(), Value::Object(actions));
    Value::Object(m)
}

/// One row of the form as a condition of the rule language.
fn condition_of(r: &AlertConditionRow) -> Value {
    let values = items(&r.values);
    let mut inner = Map::new();
    match r.kind.as_str() {
        "score" => {
            if r.subject == "question" {
                inner.insert("question".into(), json!(r.question.trim()));
            } else {
                inner.insert("metric".into(), json!(r.subject));
            }
            put(&mut inner, "at_least", &r.at_least, whole);
            put(&mut inner, "at_most", &r.at_most, whole);
            json!({ "score": inner })
        }
        "text" => {
            put(&mut inner, "question", &r.question, |s| json!(s.trim()));
            inner.insert("any_of".into(), json!(values));
            json!({ "text": inner })
        }
        "answer" => json!({"answer": {"question": r.question.trim(), "any_of": values}}),
        "attribute" => json!({"attribute": {"name": r.subject.trim(), "any_of": values}}),
        "segment" => json!({ "segment": r.subject.trim() }),
        "reading" => {
            put(&mut inner, "sentiment", &r.subject, |s| json!(s.trim()));
            put(&mut inner, "aspect", &r.values, |s| json!(s.trim()));
            json!({ "reading": inner })
        }
        // Touchpoints and channels (and a kind the form does not know, named by validation).
        kind => json!({ kind: values }),
    }
}

/// A problem's path (`conditions[0].score.at_most`, `metric.drop.min_n`,
/// `actions.case.team`) in the author's words: the form's section and field.
pub fn place(path: &str, lang: puls_html::Lang) -> String {
    let field = |f: &str| -> Option<Text> {
        Some(match f {
            "score" | "metric" => Text::AfWhichScore,
            "question" => Text::AfQuestion,
            "at_least" => Text::AfAtLeast,
            "at_most" => Text::AfAtMost,
            "any_of" => Text::AfValues,
            "name" => Text::AfAttribute,
            "text" => Text::AfPhrases,
            "answer" => Text::AfOptions,
            "touchpoint" => Text::AfTouchpoints,
            "channel" => Text::AfChannels,
            "attribute" => Text::AfAttribute,
            "segment" => Text::AfSegment,
            "reading" => Text::AlertKindReading,
            "sentiment" => Text::Sentiment,
            "aspect" => Text::Aspect,
            _ => return None,
        })
    };
    if let Some(l) = path.strip_prefix("name.") {
        return lang.fill(Text::DefinitionNameIn, &[&l]);
    }
    let words = |t: Text| lang.t(t).to_string();
    let joined = |a: Text, b: Option<Text>| match b {
        Some(b) => format!("{} · {}", lang.t(a), lang.t(b)),
        None => lang.t(a).to_string(),
    };
    match path {
        "key" => return words(Text::DefinitionKey),
        "survey" => return words(Text::Survey),
        "match" | "conditions" => return words(Text::AfConditions),
        "actions" => return words(Text::AfActions),
        _ => {}
    }
    if path.starts_with("actions.email") {
        return joined(Text::AfActions, Some(Text::AfEmailTo));
    }
    if path == "actions.digest" {
        return joined(Text::AfActions, Some(Text::AfDigest));
    }
    if let Some(f) = path.strip_prefix("actions.case.") {
        return joined(
            Text::AfCase,
            Some(match f {
                "priority" => Text::CasePriority,
                "owner" => Text::CaseOwner,
                "team" => Text::AfNoTeam,
                _ => Text::AfLinkDays,
            }),
        );
    }
    if let Some(f) = path.strip_prefix("metric") {
        let f = f.trim_start_matches('.');
        let f = f.split('[').next().unwrap_or(f);
        let last = f.rsplit('.').next().unwrap_or(f);
        return joined(
            Text::AfWatch,
            match last {
                "of" => Some(Text::AfMetric),
                "by" => Some(Text::AfBy),
                "only" => Some(Text::AfOnly),
                "every" => Some(Text::AfEvery),
                "min_n" => Some(Text::AfMinN),
                "false_discovery_rate" => Some(Text::AfFdr),
                "value" | "below" => Some(Text::AfBelow),
                _ => None,
            },
        );
    }
    let Some(rest) = path.strip_prefix("conditions[") else {
        return path.to_string();
    };
    let Some((n, tail)) = rest.split_once(']') else {
        return path.to_string();
    };
    let Ok(n) = n.parse::<usize>() else {
        return path.to_string();
    };
    let mut out = lang.fill(Text::CondN, &[&(n + 1)]);
    // The last named part says which field: `score.at_most`, `text.any_of[2]`.
    let last = tail
        .split(['.', '['])
        .rfind(|p| !p.is_empty() && !p.ends_with(']'));
    if let Some(t) = last.and_then(field) {
        out.push_str(" · ");
        out.push_str(lang.t(t));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::rule_form::pairs;

    fn rule() -> Value {
        json!({
            "key": "courier-detractors",
            "name": {"pl": "Krytycy kuriera", "en": "Courier detractors"},
            "enabled": true,
            "match": "any",
            "conditions": [
                {"score": {"metric": "nps", "at_most": 6}},
                {"score": {"question": "q2", "at_least": 1, "at_most": 2}},
                {"text": {"any_of": ["kurier", "paczka"]}},
                {"answer": {"question": "why", "any_of": ["price"]}},
                {"touchpoint": ["delivery", "returns"]},
                {"channel": ["email"]},
                {"attribute": {"name": "store", "any_of": ["Brno"]}},
                {"segment": "vip"},
                {"reading": {"sentiment": "neg", "aspect": "delivery"}},
                {"reading": {"aspect": "price"}}
            ],
            "actions": {
                "case": {"priority": "high", "team": "couriers", "link_within_days": 7},
                "email": ["admins", "lead@shop.pl"],
                "digest": true,
                "webhook": true
            }
        })
    }

    /// Every field of the form as posted, the way the browser sends it.
    fn posted(form: &AlertForm) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        let mut add = |k: &str, v: &str| out.push((k.to_string(), v.to_string()));
        add("key", &form.key);
        for n in &form.names {
            add(&format!("name.{}", n.locale), &n.value);
        }
        let flags = [
            ("enabled", form.enabled),
            ("case", form.case),
            ("email_admins", form.email_admins),
            ("digest", form.digest),
            ("webhook", form.webhook),
        ];
        for (k, on) in flags {
            if on {
                add(k, "1");
            }
        }
        for (k, v) in [
            ("watch", &form.watch),
            ("survey", &form.survey),
            ("combinator", &form.combinator),
            ("metric", &form.metric),
            ("by", &form.by),
            ("only", &form.only),
            ("every", &form.every),
            ("test", &form.test),
            ("min_n", &form.min_n),
            ("fdr", &form.fdr),
            ("below", &form.below),
            ("priority", &form.priority),
            ("team", &form.team),
            ("owner", &form.owner),
            ("link_days", &form.link_days),
            ("email_to", &form.email_to),
        ] {
            add(k, v);
        }
        for (i, r) in form.rows.iter().enumerate() {
            for (k, v) in [
                ("kind", &r.kind),
                ("subject", &r.subject),
                ("question", &r.question),
                ("at_least", &r.at_least),
                ("at_most", &r.at_most),
                ("values", &r.values),
            ] {
                add(&format!("c{i}.{k}"), v);
            }
        }
        out
    }

    /// The rule as the core normalises it.
    fn normal(v: &Value) -> Value {
        let rule = AlertRule::parse(&puls_store::json::from_json(v)).expect("a valid rule");
        puls_store::json::to_json(&rule.to_value())
    }

    #[test]
    fn every_kind_of_condition_and_action_goes_through_the_form_unchanged() {
        let form = from_definition(&rule(), "en").expect("the form shows it");
        assert_eq!(form.rows.len(), 10);
        assert_eq!(form.rows[2].values, "kurier, paczka");
        assert_eq!(form.email_to, "lead@shop.pl");
        let (back, action) = from_fields(&posted(&form), Some("courier-detractors"));
        assert_eq!(action, Action::Save);
        assert_eq!(back, form);
        assert_eq!(normal(&to_definition(&back)), normal(&rule()));
    }

    #[test]
    fn a_metric_rule_goes_through_the_form_unchanged() {
        let def = json!({
            "key": "monthly", "name": {"cs": "Měsíční NPS"},
            "metric": {"of": "csat", "by": "channel", "only": ["web", "email"], "every": "week",
                       "below": {"value": 3.5, "min_n": 40}},
            "actions": {"email": ["admins"], "webhook": false}
        });
        let form = from_definition(&def, "cs").expect("the form shows it");
        assert_eq!(form.watch, "metric");
        assert_eq!((form.test.as_str(), form.below.as_str()), ("below", "3.5"));
        assert_eq!(form.names[1].value, "Měsíční NPS");
        let plain = json!({"key": "p", "name": "Jen text", "metric": def["metric"],
                           "actions": def["actions"]});
        let form_cs = from_definition(&plain, "cs").unwrap();
        assert_eq!(
            form_cs.names[1].value, "Jen text",
            "a plain name in the page's language"
        );
        let (back, _) = from_fields(&posted(&form), Some("monthly"));
        assert_eq!(normal(&to_definition(&back)), normal(&def));
    }

    #[test]
    fn the_blank_forms_make_valid_rules_once_named() {
        for watch in ["response", "metric"] {
            let mut form = blank(watch);
            form.key = "r".into();
            form.names[0].value = "R".into();
            assert!(
                AlertRule::parse(&puls_store::json::from_json(&to_definition(&form))).is_ok(),
                "{watch}: {}",
                to_definition(&form)
            );
        }
    }

    #[test]
    fn a_decimal_comma_is_a_number_and_empty_fields_are_left_out() {
        let mut form = blank("metric");
        form.fdr = "0,1".into();
        form.min_n = String::new();
        let def = to_definition(&form);
        assert_eq!(def["metric"]["drop"], json!({"false_discovery_rate": 0.1}));
    }

    #[test]
    fn conditions_are_added_and_removed() {
        let fields = pairs(&[
            ("key", "k"),
            ("c0.kind", "score"),
            ("c0.subject", "nps"),
            ("c1.kind", "text"),
            ("action", "remove:0"),
        ]);
        let (mut form, action) = from_fields(&fields, None);
        apply(&mut form, &action);
        assert_eq!(form.rows.len(), 1);
        assert_eq!(form.rows[0].kind, "text");
        let (mut form, action) =
            from_fields(&pairs(&[("action", "add"), ("new_kind", "segment")]), None);
        apply(&mut form, &action);
        assert_eq!(form.rows[0].kind, "segment");
    }

    #[test]
    fn problems_are_placed_in_words() {
        let pl = puls_html::Lang::Pl;
        assert_eq!(
            place("conditions[1].score.at_most", pl),
            "Warunek 2 · Co najwyżej"
        );
        assert_eq!(
            place("conditions[0].text.any_of[2]", pl),
            "Warunek 1 · Wartości, oddzielone przecinkami"
        );
        assert_eq!(
            place("metric.drop.false_discovery_rate", pl),
            "Co jest obserwowane · Odsetek fałszywych odkryć (0,05 = 5 %)"
        );
        assert_eq!(
            place("actions.case.team", puls_html::Lang::En),
            "Open a case (one per response) · Team (a key, e.g. couriers; empty: none)"
        );
        assert_eq!(place("actions", puls_html::Lang::Cs), "Co se stane");
        assert!(place("key", puls_html::Lang::En).starts_with("Key ("));
    }
}
