//! The journey editor's form, both ways: a stored journey read into its settings, stages
//! (main or side), touchpoints and event matchers; the posted fields read back, with the
//! author's add, remove and move actions; and the form written as the definition the
//! application validates like the API's. A journey the form cannot show (several property
//! conditions on one event, keys it does not know) is left to the JSON editor. Pure: no I/O.

use puls_html::console::{JourneyForm, MatcherForm, StageForm, TouchpointForm};
use serde_json::{Map, Value, json};

use super::rule_form::{
    indexes, literal_text, names_from, names_of, names_value, one_condition, put_condition, whole,
};

/// What a posted form asks for besides its fields. Indexes are of stages, their
/// touchpoints and those touchpoints' events.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Action {
    Save,
    AddStage,
    RemoveStage(usize),
    Up(usize),
    Down(usize),
    AddTouchpoint(usize),
    RemoveTouchpoint(usize, usize),
    AddMatcher(usize, usize),
    RemoveMatcher(usize, usize, usize),
}

fn blank_matcher() -> MatcherForm {
    MatcherForm {
        kind: "event".into(),
        where_op: "eq".into(),
        ..MatcherForm::default()
    }
}

fn blank_touchpoint() -> TouchpointForm {
    TouchpointForm {
        names: names_from(|_| String::new()),
        channel: "web".into(),
        events: vec![blank_matcher()],
        ..TouchpointForm::default()
    }
}

fn blank_stage() -> StageForm {
    StageForm {
        names: names_from(|_| String::new()),
        touchpoints: vec![blank_touchpoint()],
        ..StageForm::default()
    }
}

/// A new journey: one stage with one touchpoint, a 30-day window.
pub fn blank() -> JourneyForm {
    JourneyForm {
        new: true,
        names: names_from(|_| String::new()),
        window_days: "30".into(),
        stages: vec![blank_stage()],
        ..JourneyForm::default()
    }
}

/// Whether an object has only keys the form knows.
fn only(m: &Map<String, Value>, known: &[&str]) -> bool {
    m.keys().all(|k| known.contains(&k.as_str()))
}

/// A stored journey definition as the form, or `None` when the form cannot show it.
pub fn from_definition(def: &Value, lang: &str) -> Option<JourneyForm> {
    let m = def.as_object()?;
    if !only(
        m,
        &["key", "name", "conversion_window_days", "stages", "targets"],
    ) {
        return None;
    }
    let targets = m.get("targets").and_then(Value::as_object);
    if targets.is_some_and(|t| !only(t, &["nps", "csat"])) {
        return None;
    }
    let target = |k: &str| {
        targets
            .and_then(|t| t.get(k))
            .map(literal_text)
            .unwrap_or_default()
    };
    let stages = m
        .get("stages")?
        .as_array()?
        .iter()
        .map(|s| stage_of(s, lang))
        .collect::<Option<Vec<_>>>()?;
    Some(JourneyForm {
        key: m.get("key")?.as_str()?.to_string(),
        new: false,
        names: names_of(&def["name"], lang),
        window_days: m
            .get("conversion_window_days")
            .map(literal_text)
            .unwrap_or_default(),
        target_nps: target("nps"),
        target_csat: target("csat"),
        stages,
    })
}

fn stage_of(v: &Value, lang: &str) -> Option<StageForm> {
    let m = v.as_object()?;
    if !only(
        m,
        &["key", "name", "touchpoints", "side", "return_within_days"],
    ) {
        return None;
    }
    Some(StageForm {
        key: m.get("key")?.as_str()?.to_string(),
        names: names_of(&v["name"], lang),
        side: m.get("side") == Some(&Value::Bool(true)),
        return_days: m
            .get("return_within_days")
            .map(literal_text)
            .unwrap_or_default(),
        touchpoints: m
            .get("touchpoints")?
            .as_array()?
            .iter()
            .map(|t| touchpoint_of(t, lang))
            .collect::<Option<Vec<_>>>()?,
    })
}

fn touchpoint_of(v: &Value, lang: &str) -> Option<TouchpointForm> {
    let m = v.as_object()?;
    if !only(
        m,
        &[
            "key",
            "name",
            "channel",
            "events",
            "surveys",
            "moment_of_truth",
        ],
    ) {
        return None;
    }
    // Shown as they count: without a list, the touchpoint's own key.
    let surveys = match m.get("surveys") {
        None => m.get("key")?.as_str()?.to_string(),
        Some(Value::Array(list)) => list
            .iter()
            .map(|s| s.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()?
            .join(", "),
        Some(_) => return None,
    };
    Some(TouchpointForm {
        key: m.get("key")?.as_str()?.to_string(),
        names: names_of(&v["name"], lang),
        channel: m.get("channel")?.as_str()?.to_string(),
        surveys,
        moment_of_truth: m.get("moment_of_truth") == Some(&Value::Bool(true)),
        events: m
            .get("events")?
            .as_array()?
            .iter()
            .map(matcher_of)
            .collect::<Option<Vec<_>>>()?,
    })
}

fn matcher_of(v: &Value) -> Option<MatcherForm> {
    let m = v.as_object()?;
    let kinds = ["event", "page", "screen"];
    let mut found = kinds.iter().filter(|k| m.contains_key(**k));
    let kind = *found.next()?;
    if found.next().is_some() || m.keys().any(|k| k != kind && k != "where") {
        return None;
    }
    let (where_property, where_op, where_value) = one_condition(m.get("where"))?;
    Some(MatcherForm {
        kind: kind.into(),
        name: m[kind].as_str()?.to_string(),
        where_property,
        where_op,
        where_value,
    })
}

/// The posted fields as the form (kept as typed) and what the author asked for.
pub fn from_fields(pairs: &[(String, String)], key: Option<&str>) -> (JourneyForm, Action) {
    let get = |k: &str| super::field(pairs, k).unwrap_or("").to_string();
    let stages = indexes(pairs, "s", ".key")
        .into_iter()
        .map(|i| {
            let s = format!("s{i}");
            let touchpoints = indexes(pairs, &format!("{s}.t"), ".key")
                .into_iter()
                .map(|j| {
                    let t = format!("{s}.t{j}");
                    let events = indexes(pairs, &format!("{t}.e"), ".kind")
                        .into_iter()
                        .map(|k| {
                            let f = |name: &str| get(&format!("{t}.e{k}.{name}"));
                            MatcherForm {
                                kind: f("kind"),
                                name: f("name"),
                                where_property: f("where_property"),
                                where_op: f("where_op"),
                                where_value: f("where_value"),
                            }
                        })
                        .collect();
                    TouchpointForm {
                        key: get(&format!("{t}.key")),
                        names: names_from(|l| get(&format!("{t}.name.{l}"))),
                        channel: get(&format!("{t}.channel")),
                        surveys: get(&format!("{t}.surveys")),
                        moment_of_truth: !get(&format!("{t}.mot")).is_empty(),
                        events,
                    }
                })
                .collect();
            StageForm {
                key: get(&format!("{s}.key")),
                names: names_from(|l| get(&format!("{s}.name.{l}"))),
                side: !get(&format!("{s}.side")).is_empty(),
                return_days: get(&format!("{s}.return_days")),
                touchpoints,
            }
        })
        .collect();
    let form = JourneyForm {
        key: key.map_or_else(|| get("key").trim().to_string(), str::to_string),
        new: key.is_none(),
        names: names_from(|l| get(&format!("name.{l}"))),
        window_days: get("window_days"),
        target_nps: get("target_nps"),
        target_csat: get("target_csat"),
        stages,
    };
    (form, action_of(&get("action")))
}

/// `add_stage`, `up:s1`, `remove:s1.t0`, `add_ev:s1.t0`, `remove:s1.t0.e2`...
fn action_of(text: &str) -> Action {
    let (verb, place) = text.split_once(':').unwrap_or((text, ""));
    let mut parts = place.split('.');
    let mut next = |prefix: char| {
        parts
            .next()
            .and_then(|p| p.strip_prefix(prefix))
            .and_then(|n| n.parse::<usize>().ok())
    };
    let (s, t, e) = (next('s'), next('t'), next('e'));
    match (verb, s, t, e) {
        ("add_stage", ..) => Action::AddStage,
        ("up", Some(s), None, None) => Action::Up(s),
        ("down", Some(s), None, None) => Action::Down(s),
        ("add_tp", Some(s), None, None) => Action::AddTouchpoint(s),
        ("add_ev", Some(s), Some(t), None) => Action::AddMatcher(s, t),
        ("remove", Some(s), None, None) => Action::RemoveStage(s),
        ("remove", Some(s), Some(t), None) => Action::RemoveTouchpoint(s, t),
        ("remove", Some(s), Some(t), Some(e)) => Action::RemoveMatcher(s, t, e),
        _ => Action::Save,
    }
}

/// Does what the author asked to the form, short of saving; a place that is not there
/// changes nothing.
pub fn apply(form: &mut JourneyForm, action: Action) {
    let stages = &mut form.stages;
    match action {
        Action::Save => {}
        Action::AddStage => stages.push(blank_stage()),
        Action::RemoveStage(s) if s < stages.len() => {
            stages.remove(s);
        }
        Action::Up(s) if s > 0 && s < stages.len() => stages.swap(s - 1, s),
        Action::Down(s) if s + 1 < stages.len() => stages.swap(s, s + 1),
        Action::AddTouchpoint(s) => {
            if let Some(st) = stages.get_mut(s) {
                st.touchpoints.push(blank_touchpoint());
            }
        }
        Action::RemoveTouchpoint(s, t) => {
            if let Some(st) = stages.get_mut(s)
                && t < st.touchpoints.len()
            {
                st.touchpoints.remove(t);
            }
        }
        Action::AddMatcher(s, t) => {
            if let Some(tp) = stages.get_mut(s).and_then(|st| st.touchpoints.get_mut(t)) {
                tp.events.push(blank_matcher());
            }
        }
        Action::RemoveMatcher(s, t, e) => {
            if let Some(tp) = stages.get_mut(s).and_then(|st| st.touchpoints.get_mut(t))
                && e < tp.events.len()
            {
                tp.events.remove(e);
            }
        }
        _ => {}
    }
}

/// A typed number: a whole or decimal number when it is one (a decimal comma, as Polish and
/// Czech write it, read as a point), else the text (so validation names it).
pub(super) fn number(s: &str) -> Value {
    let s = s.trim();
    let point = s.replacen(',', ".", 1);
    match (s.parse::<i64>(), point.parse::<f64>()) {
        (Ok(i), _) => json!(i),
        (_, Ok(f)) if f.is_finite() => json!(f),
        _ => json!(s),
    }
}

/// The form as a journey definition, for the application to validate and store.
pub fn to_definition(form: &JourneyForm) -> Value {
    let mut m = Map::new();
    m.insert("key".into(), json!(form.key));
    m.insert("name".into(), Value::Object(names_value(&form.names)));
    if !form.window_days.trim().is_empty() {
        m.insert("conversion_window_days".into(), whole(&form.window_days));
    }
    let mut targets = Map::new();
    for (k, v) in [("nps", &form.target_nps), ("csat", &form.target_csat)] {
        if !v.trim().is_empty() {
            targets.insert(k.into(), number(v));
        }
    }
    if !targets.is_empty() {
        m.insert("targets".into(), Value::Object(targets));
    }
    let stages: Vec<Value> = form.stages.iter().map(stage_value).collect();
    m.insert("stages".into(), json!(stages));
    Value::Object(m)
}

fn stage_value(s: &StageForm) -> Value {
    let mut m = Map::new();
    m.insert("key".into(), json!(s.key.trim()));
    m.insert("name".into(), Value::Object(names_value(&s.names)));
    if s.side {
        m.insert("side".into(), json!(true));
    }
    if !s.return_days.trim().is_empty() {
        m.insert("return_within_days".into(), whole(&s.return_days));
    }
    let tps: Vec<Value> = s.touchpoints.iter().map(touchpoint_value).collect();
    m.insert("touchpoints".into(), json!(tps));
    Value::Object(m)
}

fn touchpoint_value(t: &TouchpointForm) -> Value {
    let mut m = Map::new();
    m.insert("key".into(), json!(t.key.trim()));
    let names = names_value(&t.names);
    if !names.is_empty() {
        m.insert("name".into(), Value::Object(names));
    }
    m.insert("channel".into(), json!(t.channel));
    let surveys: Vec<&str> = t
        .surveys
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    m.insert("surveys".into(), json!(surveys));
    if t.moment_of_truth {
        m.insert("moment_of_truth".into(), json!(true));
    }
    let events: Vec<Value> = t
        .events
        .iter()
        .map(|e| {
            let mut em = Map::new();
            let kind = match e.kind.as_str() {
                "page" | "screen" => e.kind.as_str(),
                _ => "event",
            };
            em.insert(kind.into(), json!(e.name.trim()));
            put_condition(&mut em, &e.where_property, &e.where_op, &e.where_value);
            Value::Object(em)
        })
        .collect();
    m.insert("events".into(), json!(events));
    Value::Object(m)
}

/// Where a validation problem is, in the form's words: `stages[1].touchpoints[0].channel`
/// is the second stage's first touchpoint's channel.
pub fn place(path: &str, lang: puls_html::Lang) -> String {
    use puls_html::Text;
    let mut out: Vec<String> = Vec::new();
    let mut rest = path;
    for (list, text) in [
        ("stages[", Text::StageN),
        ("touchpoints[", Text::TouchpointN),
        ("events[", Text::MatcherN),
    ] {
        if let Some(r) = rest.strip_prefix(list)
            && let Some((n, tail)) = r.split_once(']')
            && let Ok(n) = n.parse::<usize>()
        {
            out.push(lang.fill(text, &[&(n + 1)]));
            rest = tail.trim_start_matches('.');
        }
    }
    let field = match rest {
        "" => None,
        "key" => Some(lang.t(Text::JfKey).to_string()),
        "conversion_window_days" => Some(lang.t(Text::JfWindow).to_string()),
        "targets.nps" => Some(lang.t(Text::JfTargetNps).to_string()),
        "targets.csat" => Some(lang.t(Text::JfTargetCsat).to_string()),
        "return_within_days" => Some(lang.t(Text::JfReturnDays).to_string()),
        "channel" => Some(lang.t(Text::Channel).to_string()),
        "surveys" => Some(lang.t(Text::JfSurveys).to_string()),
        "event" | "page" | "screen" => Some(lang.t(Text::MatcherName).to_string()),
        "where[0].property" => Some(lang.t(Text::CondWhereProperty).to_string()),
        "where[0].op" => Some(lang.t(Text::CondWhereOp).to_string()),
        r if r.starts_with("where[0].value") => Some(lang.t(Text::CondWhereValue).to_string()),
        r => match r.strip_prefix("name.") {
            Some(l) => Some(lang.fill(Text::DefinitionNameIn, &[&l])),
            None => Some(r.to_string()),
        },
    };
    out.extend(field);
    out.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::super::rule_form::pairs;
    use super::*;

    #[test]
    fn the_template_comes_back_the_same() {
        let text = puls_app::definitions::ECOMMERCE_TEMPLATE;
        let def: Value = serde_json::from_str(text).unwrap();
        let form = from_definition(&def, "pl").unwrap();
        assert_eq!(form.stages.len(), 7);
        assert!(form.stages.iter().any(|s| s.side && s.return_days == "30"));
        let journey = |v: &Value| {
            puls_core::journey::Journey::parse(&puls_store::json::from_json(v)).unwrap()
        };
        assert_eq!(journey(&to_definition(&form)), journey(&def));
        // A touchpoint that asks no survey says so; one without a list asks its own key's.
        assert_eq!(form.stages[1].touchpoints[0].surveys, "");
        let mut def = def;
        def["stages"][3]["touchpoints"][0]
            .as_object_mut()
            .unwrap()
            .remove("surveys");
        let form = from_definition(&def, "pl").unwrap();
        assert_eq!(form.stages[3].touchpoints[0].surveys, "delivery");
    }

    #[test]
    fn journeys_the_form_cannot_show_are_left_to_json() {
        for extra in [
            json!({"where": [{"property": "a", "op": "exists"}, {"property": "b", "op": "exists"}]}),
            json!({"colour": "red"}),
            json!({"page": "Home"}),
        ] {
            let mut matcher = json!({"event": "Viewed"});
            for (k, v) in extra.as_object().unwrap() {
                matcher[k] = v.clone();
            }
            let def = json!({"key": "j", "name": "J", "stages": [
                {"key": "a", "name": "A", "touchpoints": [
                    {"key": "t", "channel": "web", "events": [matcher]}]}]});
            assert!(from_definition(&def, "en").is_none(), "{extra}");
        }
    }

    #[test]
    fn posted_fields_are_read_with_the_action() {
        let (mut form, action) = from_fields(
            &pairs(&[
                ("name.en", "Shop"),
                ("window_days", "14"),
                ("target_nps", "25.5"),
                ("s0.key", "view"),
                ("s0.name.en", "View"),
                ("s0.t0.key", "page"),
                ("s0.t0.channel", "web"),
                ("s0.t0.e0.kind", "page"),
                ("s0.t0.e0.name", "*"),
                ("s1.key", "help"),
                ("s1.name.en", "Help"),
                ("s1.side", "1"),
                ("s1.return_days", "7"),
                ("s1.t0.key", "chat"),
                ("s1.t0.channel", "chat"),
                ("s1.t0.surveys", "support, chat"),
                ("s1.t0.mot", "1"),
                ("s1.t0.e0.kind", "event"),
                ("s1.t0.e0.name", "Chat"),
                ("s1.t0.e0.where_property", "topic"),
                ("s1.t0.e0.where_op", "in"),
                ("s1.t0.e0.where_value", "billing, delivery"),
                ("action", "up:s1"),
            ]),
            Some("shop"),
        );
        assert_eq!(action, Action::Up(1));
        let def = to_definition(&form);
        assert_eq!(def["key"], "shop");
        assert_eq!(def["conversion_window_days"], 14);
        assert_eq!(def["targets"]["nps"], 25.5);
        assert_eq!(def["stages"][1]["return_within_days"], 7);
        assert_eq!(
            def["stages"][1]["touchpoints"][0],
            json!({"key": "chat", "channel": "chat", "surveys": ["support", "chat"],
                   "moment_of_truth": true, "events": [{"event": "Chat", "where": [
                       {"property": "topic", "op": "in", "values": ["billing", "delivery"]}]}]})
        );
        assert_eq!(
            def["stages"][0]["touchpoints"][0]["events"][0],
            json!({"page": "*"})
        );
        apply(&mut form, action);
        assert_eq!(form.stages[0].key, "help");
        for (text, want) in [
            ("add_stage", Action::AddStage),
            ("down:s0", Action::Down(0)),
            ("add_tp:s1", Action::AddTouchpoint(1)),
            ("add_ev:s1.t0", Action::AddMatcher(1, 0)),
            ("remove:s1", Action::RemoveStage(1)),
            ("remove:s1.t0", Action::RemoveTouchpoint(1, 0)),
            ("remove:s1.t0.e0", Action::RemoveMatcher(1, 0, 0)),
            ("save", Action::Save),
            ("remove:x", Action::Save),
        ] {
            assert_eq!(action_of(text), want, "{text}");
        }
        apply(&mut form, Action::AddMatcher(1, 0));
        assert_eq!(form.stages[1].touchpoints[0].events.len(), 2);
        apply(&mut form, Action::RemoveTouchpoint(9, 9));
        apply(&mut form, Action::RemoveStage(0));
        assert_eq!(form.stages.len(), 1);
    }

    #[test]
    fn problems_are_placed_in_words() {
        let lang = puls_html::Lang::Cs;
        assert_eq!(
            place("stages[1].touchpoints[0].events[2].where[0].op", lang),
            "Fáze 2 · Kontaktní bod 1 · Událost 3 · Porovnání vlastnosti"
        );
        assert_eq!(
            place("stages[0].key", lang),
            "Fáze 1 · Klíč (a–z, 0–9, - a _)"
        );
        assert_eq!(
            place("conversion_window_days", lang),
            "Konverzní okno (dny)"
        );
        assert_eq!(place("stages[0].name.cs", lang), "Fáze 1 · Název (cs)");
    }
}
