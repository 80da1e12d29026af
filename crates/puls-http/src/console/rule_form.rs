//! The segment editor's form, both ways: a stored segment read into a list of conditions
//! joined by `all` or `any` (each one optionally negated), the posted fields read back into
//! that list, and the list written as the definition the application validates like the
//! API's. Rules the form cannot show (nested groups, several property conditions, page or
//! screen matchers, keys it does not know) are left to the JSON editor. Pure: no I/O.

use puls_html::console::{ConditionRow, LocaleText, SegmentForm};
use serde_json::{Map, Value, json};

/// The kinds of condition, in the order the form offers them.
pub const KINDS: [&str; 5] = ["attribute", "contact", "consent", "event", "feedback"];

/// The languages a segment's name is written in.
const LOCALES: [&str; 3] = ["pl", "cs", "en"];

/// A name (a plain text, or texts by language) as one field per language; a plain text
/// shows in `lang`.
pub(super) fn names_of(name: &Value, lang: &str) -> Vec<LocaleText> {
    names_from(|l| match name {
        Value::String(s) if l == lang => s.clone(),
        v => v[l].as_str().unwrap_or_default().to_string(),
    })
}

/// One field per language, filled by `value`.
pub(super) fn names_from(value: impl Fn(&str) -> String) -> Vec<LocaleText> {
    LOCALES
        .iter()
        .map(|l| LocaleText {
            locale: l.to_string(),
            value: value(l),
        })
        .collect()
}

/// The names that were written, by language.
pub(super) fn names_value(names: &[LocaleText]) -> Map<String, Value> {
    names
        .iter()
        .filter(|n| !n.value.trim().is_empty())
        .map(|n| (n.locale.clone(), json!(n.value.trim())))
        .collect()
}

/// What a posted form asks for besides its fields.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Save,
    /// A new condition of this kind at the end.
    Add(String),
    /// The condition at this index goes.
    Remove(usize),
}

/// A new segment: no key or names yet, one empty condition.
pub fn blank() -> SegmentForm {
    SegmentForm {
        new: true,
        names: names_from(|_| String::new()),
        combinator: "all".into(),
        rows: vec![new_row("attribute")],
        ..SegmentForm::default()
    }
}

/// An empty condition of `kind`, with the usual comparison preselected.
pub fn new_row(kind: &str) -> ConditionRow {
    let kind = if KINDS.contains(&kind) {
        kind
    } else {
        "attribute"
    };
    ConditionRow {
        kind: kind.into(),
        op: match kind {
            "feedback" => "lte".into(),
            "attribute" | "contact" => "eq".into(),
            _ => String::new(),
        },
        subject: match kind {
            "feedback" => "nps".into(),
            "contact" => "email".into(),
            _ => String::new(),
        },
        which: "last".into(),
        granted: true,
        where_op: "eq".into(),
        ..ConditionRow::default()
    }
}

/// A stored segment definition as the form, or `None` when the form cannot show its rule.
/// A name written as one plain text shows in `lang`.
pub fn from_definition(def: &Value, lang: &str) -> Option<SegmentForm> {
    let names = names_of(&def["name"], lang);
    let rule = def.get("rule")?.as_object()?;
    let (combinator, items) = match (rule.get("all"), rule.get("any")) {
        (Some(Value::Array(items)), None) if rule.len() == 1 => ("all", items.clone()),
        (None, Some(Value::Array(items))) if rule.len() == 1 => ("any", items.clone()),
        _ => ("all", vec![Value::Object(rule.clone())]),
    };
    let rows = items.iter().map(row_of).collect::<Option<Vec<_>>>()?;
    Some(SegmentForm {
        key: def["key"].as_str().unwrap_or_default().to_string(),
        new: false,
        names,
        combinator: combinator.into(),
        rows,
    })
}

/// One condition of a stored rule, when it is a leaf (or the negation of one) the form knows.
fn row_of(v: &Value) -> Option<ConditionRow> {
    let m = v.as_object()?;
    if let Some(inner) = m.get("not") {
        return (m.len() == 1)
            .then(|| row_of(inner))
            .flatten()
            .filter(|r| !r.negate)
            .map(|r| ConditionRow { negate: true, ..r });
    }
    let kind = KINDS.iter().find(|k| m.contains_key(**k)).copied()?;
    let known: &[&str] = match kind {
        "attribute" | "contact" => &["op", "value", "values"],
        "consent" => &["granted"],
        "event" => &["where", "min", "max", "within_days"],
        _ => &[
            "which",
            "op",
            "value",
            "values",
            "touchpoint",
            "within_days",
        ],
    };
    if m.keys().any(|k| k != kind && !known.contains(&k.as_str())) {
        return None;
    }
    let text = |k: &str| m.get(k).map(literal_text).unwrap_or_default();
    let mut row = ConditionRow {
        kind: kind.into(),
        subject: m[kind].as_str()?.to_string(),
        op: text("op"),
        value: predicate_text(m),
        which: m
            .get("which")
            .and_then(Value::as_str)
            .unwrap_or("last")
            .into(),
        touchpoint: text("touchpoint"),
        min: text("min"),
        max: text("max"),
        within_days: text("within_days"),
        granted: m.get("granted") != Some(&Value::Bool(false)),
        ..ConditionRow::default()
    };
    (row.where_property, row.where_op, row.where_value) = one_condition(m.get("where"))?;
    Some(row)
}

/// An event's `where` as the form's one property condition (property, op, value), empty
/// when there is none; `None` when the form cannot show it.
pub(super) fn one_condition(list: Option<&Value>) -> Option<(String, String, String)> {
    match list {
        None => Some((String::new(), "eq".into(), String::new())),
        Some(Value::Array(list)) if list.is_empty() => one_condition(None),
        Some(Value::Array(list)) if list.len() == 1 => {
            let w = list[0].as_object()?;
            if w.keys()
                .any(|k| !["property", "op", "value", "values"].contains(&k.as_str()))
            {
                return None;
            }
            Some((
                w.get("property")?.as_str()?.to_string(),
                w.get("op").map(literal_text).unwrap_or_default(),
                predicate_text(w),
            ))
        }
        Some(_) => None,
    }
}

/// The form's one property condition as an event's `where`, unless its property is empty.
pub(super) fn put_condition(m: &mut Map<String, Value>, property: &str, op: &str, value: &str) {
    if !property.trim().is_empty() {
        let mut w = Map::new();
        w.insert("property".into(), json!(property.trim()));
        put_predicate(&mut w, op, value);
        m.insert("where".into(), json!([w]));
    }
}

/// A predicate's value or values as the form shows them.
pub(super) fn predicate_text(m: &Map<String, Value>) -> String {
    match (m.get("value"), m.get("values")) {
        (Some(v), _) => literal_text(v),
        (None, Some(Value::Array(items))) => items
            .iter()
            .map(literal_text)
            .collect::<Vec<_>>()
            .join(", "),
        _ => String::new(),
    }
}

pub(super) fn literal_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        // A whole number stored as a decimal (a target of 30.0) shows as written: 30.
        Value::Number(n)
            if n.as_f64()
                .is_some_and(|f| f.fract() == 0.0 && f.abs() < 1e15) =>
        {
            format!("{}", n.as_f64().unwrap_or_default() as i64)
        }
        other => other.to_string(),
    }
}

/// A typed value as a JSON literal: a number or `true`/`false` when it is written as one
/// exactly (so `"01234"` stays text), else text.
pub(super) fn literal(s: &str) -> Value {
    let s = s.trim();
    if let Ok(i) = s.parse::<i64>()
        && i.to_string() == s
    {
        return json!(i);
    }
    if let Ok(f) = s.parse::<f64>()
        && f.is_finite()
        && f.to_string() == s
    {
        return json!(f);
    }
    match s {
        "true" => json!(true),
        "false" => json!(false),
        _ => json!(s),
    }
}

/// A typed count or number of days: a number when it is one, else the text as typed (so
/// validation names the field instead of the form dropping it).
pub(super) fn whole(s: &str) -> Value {
    let s = s.trim();
    s.parse::<i64>().map_or_else(|_| json!(s), |i| json!(i))
}

/// Sorted distinct indexes `i` of the fields named `{prefix}{i}{suffix}`.
pub(super) fn indexes(pairs: &[(String, String)], prefix: &str, suffix: &str) -> Vec<usize> {
    let mut found: Vec<usize> = pairs
        .iter()
        .filter_map(|(k, _)| k.strip_prefix(prefix)?.strip_suffix(suffix)?.parse().ok())
        .collect();
    found.sort_unstable();
    found.dedup();
    found
}

/// The posted fields as the form (kept as typed) and what the author asked for.
pub fn from_fields(pairs: &[(String, String)], key: Option<&str>) -> (SegmentForm, Action) {
    let get = |k: &str| super::field(pairs, k).unwrap_or("").to_string();
    let rows = indexes(pairs, "c", ".kind")
        .iter()
        .take(puls_core::audience::limits::MAX_RULES + 1)
        .map(|i| {
            let f = |name: &str| get(&format!("c{i}.{name}"));
            ConditionRow {
                kind: f("kind"),
                negate: !f("not").is_empty(),
                subject: f("subject"),
                op: f("op"),
                value: f("value"),
                which: f("which"),
                touchpoint: f("touchpoint"),
                min: f("min"),
                max: f("max"),
                within_days: f("within_days"),
                granted: f("granted") != "no",
                where_property: f("where_property"),
                where_op: f("where_op"),
                where_value: f("where_value"),
            }
        })
        .collect();
    let form = SegmentForm {
        key: key.map_or_else(|| get("key").trim().to_string(), str::to_string),
        new: key.is_none(),
        names: names_from(|l| get(&format!("name.{l}"))),
        combinator: if get("combinator") == "any" {
            "any".into()
        } else {
            "all".into()
        },
        rows,
    };
    (form, posted_action(pairs))
}

/// What a posted condition form asks for: add a condition of `new_kind`, remove one, or save.
pub(super) fn posted_action(pairs: &[(String, String)]) -> Action {
    let get = |k: &str| super::field(pairs, k).unwrap_or("").to_string();
    match get("action").as_str() {
        "add" => Action::Add(get("new_kind")),
        a => match a.strip_prefix("remove:").and_then(|i| i.parse().ok()) {
            Some(i) => Action::Remove(i),
            None => Action::Save,
        },
    }
}

/// Does what the author asked to the form, short of saving.
pub fn apply(form: &mut SegmentForm, action: &Action) {
    apply_to_rows(&mut form.rows, action, new_row);
}

/// Adds a row made by `new_row` of the asked kind, or removes the asked one.
pub(super) fn apply_to_rows<R>(rows: &mut Vec<R>, action: &Action, new_row: fn(&str) -> R) {
    match action {
        Action::Save => {}
        Action::Add(kind) => rows.push(new_row(kind)),
        Action::Remove(i) => {
            if *i < rows.len() {
                rows.remove(*i);
            }
        }
    }
}

/// The form as a segment definition, for the application to validate and store.
pub fn to_definition(form: &SegmentForm) -> Value {
    let names = names_value(&form.names);
    let rules: Vec<Value> = form.rows.iter().map(rule_of).collect();
    json!({
        "key": form.key,
        "name": names,
        "rule": { form.combinator.as_str(): rules },
    })
}

/// `op` with `value`, or `values` for a list, or nothing for `exists`.
pub(super) fn put_predicate(m: &mut Map<String, Value>, op: &str, value: &str) {
    m.insert("op".into(), json!(op));
    match op {
        "exists" | "not_exists" => {}
        "in" | "not_in" => {
            let values: Vec<Value> = value
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(literal)
                .collect();
            m.insert("values".into(), json!(values));
        }
        _ if value.trim().is_empty() => {}
        _ => {
            m.insert("value".into(), literal(value));
        }
    }
}

fn rule_of(r: &ConditionRow) -> Value {
    let mut m = Map::new();
    let kind = if KINDS.contains(&r.kind.as_str()) {
        r.kind.as_str()
    } else {
        "attribute"
    };
    m.insert(kind.into(), json!(r.subject.trim()));
    let optional = |m: &mut Map<String, Value>, key: &str, v: &str| {
        if !v.trim().is_empty() {
            m.insert(key.into(), whole(v));
        }
    };
    match kind {
        "attribute" | "contact" => put_predicate(&mut m, &r.op, &r.value),
        "consent" => {
            if !r.granted {
                m.insert("granted".into(), json!(false));
            }
        }
        "event" => {
            put_condition(&mut m, &r.where_property, &r.where_op, &r.where_value);
            optional(&mut m, "min", &r.min);
            optional(&mut m, "max", &r.max);
            optional(&mut m, "within_days", &r.within_days);
        }
        _ => {
            if !r.which.is_empty() && r.which != "last" {
                m.insert("which".into(), json!(r.which));
            }
            put_predicate(&mut m, &r.op, &r.value);
            if !r.touchpoint.trim().is_empty() {
                m.insert("touchpoint".into(), json!(r.touchpoint.trim()));
            }
            optional(&mut m, "within_days", &r.within_days);
        }
    }
    match r.negate {
        true => json!({ "not": Value::Object(m) }),
        false => Value::Object(m),
    }
}

/// Where a validation problem is, in the form's words: `rule.all[2].value` is the third
/// condition's value; `name.pl` the Polish name.
pub fn place(path: &str, lang: puls_html::Lang) -> String {
    use puls_html::Text;
    let field = |f: &str| -> Option<Text> {
        Some(match f {
            "attribute" => Text::CondSubjectAttribute,
            "contact" => Text::CondSubjectContact,
            "consent" => Text::CondSubjectConsent,
            "event" => Text::CondSubjectEvent,
            "feedback" => Text::CondSubjectFeedback,
            "op" => Text::CondOp,
            "value" | "values" => Text::CondValue,
            "min" => Text::CondMin,
            "max" => Text::CondMax,
            "within_days" => Text::CondWithinDays,
            "touchpoint" => Text::CondTouchpoint,
            "which" => Text::CondWhich,
            "granted" => Text::CondGranted,
            _ => return None,
        })
    };
    if let Some(l) = path.strip_prefix("name.") {
        return lang.fill(Text::DefinitionNameIn, &[&l]);
    }
    if path == "key" {
        return lang.t(Text::DefinitionKey).to_string();
    }
    let Some(rest) = path
        .strip_prefix("rule.all[")
        .or_else(|| path.strip_prefix("rule.any["))
    else {
        return path.to_string();
    };
    let Some((n, tail)) = rest.split_once(']') else {
        return path.to_string();
    };
    let Ok(n) = n.parse::<usize>() else {
        return path.to_string();
    };
    let mut out = lang.fill(Text::CondN, &[&(n + 1)]);
    let tail = tail.trim_start_matches('.');
    let tail = tail
        .strip_prefix("not")
        .unwrap_or(tail)
        .trim_start_matches('.');
    let words = if let Some(w) = tail.strip_prefix("where[0].") {
        match w {
            "property" => Some(lang.t(Text::CondWhereProperty)),
            "op" => Some(lang.t(Text::CondWhereOp)),
            _ => Some(lang.t(Text::CondWhereValue)),
        }
    } else {
        field(tail).map(|t| lang.t(t))
    };
    if let Some(w) = words {
        out.push_str(" · ");
        out.push_str(w);
    }
    out
}

/// Posted fields from a list, for the forms' tests.
#[cfg(test)]
pub(super) fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_the_form_can_show_comes_back_the_same() {
        let def = json!({"key": "vip", "name": {"pl": "VIP", "en": "VIP"}, "rule": {"any": [
            {"attribute": "plan", "op": "in", "values": ["pro", "team"]},
            {"not": {"contact": "locale", "op": "eq", "value": "en"}},
            {"consent": "email_marketing", "granted": false},
            {"event": "Order Completed", "where": [{"property": "total", "op": "gte", "value": 100}],
             "min": 2, "within_days": 90},
            {"feedback": "nps", "which": "average", "op": "lte", "value": 6.5,
             "touchpoint": "delivery", "within_days": 30},
            {"attribute": "zip", "op": "eq", "value": "01234"}
        ]}});
        let form = from_definition(&def, "pl").unwrap();
        assert_eq!(form.combinator, "any");
        assert_eq!(form.rows.len(), 6);
        assert!(form.rows[1].negate);
        assert_eq!(form.rows[0].value, "pro, team");
        assert_eq!(to_definition(&form), def);
    }

    #[test]
    fn nested_groups_and_unknown_keys_are_left_to_json() {
        for rule in [
            json!({"all": [{"any": [{"attribute": "a", "op": "exists"}]}]}),
            json!({"event": "E", "where": [{"property": "a", "op": "exists"},
                                           {"property": "b", "op": "exists"}]}),
            json!({"page": "/cart"}),
            json!({"not": {"not": {"attribute": "a", "op": "exists"}}}),
            json!({"attribute": "a", "op": "exists", "colour": "red"}),
        ] {
            let def = json!({"key": "k", "name": "K", "rule": rule});
            assert!(from_definition(&def, "en").is_none(), "{rule}");
        }
        // A single leaf is one condition of "all"; a plain name shows in the viewer's language.
        let def =
            json!({"key": "k", "name": "Kupujący", "rule": {"attribute": "a", "op": "exists"}});
        let form = from_definition(&def, "pl").unwrap();
        assert_eq!((form.combinator.as_str(), form.rows.len()), ("all", 1));
        assert_eq!(form.names[0].value, "Kupujący");
        assert_eq!(form.names[2].value, "");
    }

    #[test]
    fn posted_fields_are_read_as_typed_with_the_action() {
        let (form, action) = from_fields(
            &pairs(&[
                ("key", " loyal "),
                ("name.pl", "Lojalni"),
                ("combinator", "any"),
                ("c0.kind", "event"),
                ("c0.subject", "Order Completed"),
                ("c0.min", "two"),
                ("c0.where_property", ""),
                ("c1.kind", "attribute"),
                ("c1.not", "1"),
                ("c1.subject", "plan"),
                ("c1.op", "eq"),
                ("c1.value", "3"),
                ("action", "remove:0"),
            ]),
            None,
        );
        assert_eq!(action, Action::Remove(0));
        assert_eq!(form.key, "loyal");
        assert_eq!(form.rows.len(), 2);
        assert!(form.rows[1].negate);
        let def = to_definition(&form);
        assert_eq!(def["name"], json!({"pl": "Lojalni"}));
        // A count that is not one is sent as typed, so validation names the field.
        assert_eq!(def["rule"]["any"][0]["min"], "two");
        assert_eq!(def["rule"]["any"][1]["not"]["value"], 3);
        let mut form = form;
        apply(&mut form, &action);
        apply(&mut form, &Action::Add("feedback".into()));
        assert_eq!(form.rows.len(), 2);
        assert_eq!(form.rows[1].subject, "nps");
        let (_, action) = from_fields(&pairs(&[("action", "add"), ("new_kind", "consent")]), None);
        assert_eq!(action, Action::Add("consent".into()));
    }

    #[test]
    fn problems_are_placed_in_words() {
        let lang = puls_html::Lang::Pl;
        assert_eq!(
            place("rule.all[2].value", lang),
            "Warunek 3 · Wartość (kilka: oddziel przecinkami)"
        );
        assert_eq!(place("rule.any[0].not.op", lang), "Warunek 1 · Porównanie");
        assert_eq!(
            place("rule.all[1].where[0].property", lang),
            "Warunek 2 · Tylko z właściwością (puste: dowolna)"
        );
        assert_eq!(place("rule.all", lang), "rule.all");
        assert_eq!(place("name.cs", lang), "Nazwa (cs)");
    }
}
