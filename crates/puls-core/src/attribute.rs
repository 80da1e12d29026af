//! Typed values of contact attributes and event properties, and the predicates that segments
//! and journey touchpoints test them with.
//!
//! A value is text, a number, a boolean or a date (an instant). JSON numbers and booleans
//! keep their type; a string in `YYYY-MM-DD` or RFC 3339 form is a date. Predicates compare
//! loosely across types where a person would: the text `"3"` is at least the number 2, and a
//! date compares with a date written as text.

use std::cmp::Ordering;
use std::fmt;

use crate::error::{Errors, Expected, FieldErrorKind as K, join};
use crate::instant;
use crate::obj::Obj;
use crate::value::Value;

/// Longest text value kept, in characters.
pub const MAX_TEXT: usize = 1000;
/// Most values an `in` or `not_in` predicate lists.
pub const MAX_LITERALS: usize = 1000;

/// The name of a contact attribute or an event property: 1 to 64 characters of ASCII letters,
/// digits, `_`, `-` and `.`, starting with a letter, `_` or `$`. Case is kept (`firstName`),
/// as Segment traits are camelCase. Nested objects are flattened with `.` (`address.city`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AttributeKey(String);

impl AttributeKey {
    pub const MAX_LEN: usize = 64;

    pub fn parse(s: &str) -> Result<Self, K> {
        let b = s.as_bytes();
        let ok = !b.is_empty()
            && b.len() <= Self::MAX_LEN
            && (b[0].is_ascii_alphabetic() || b[0] == b'_' || b[0] == b'$')
            && b.iter()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'$'));
        if ok {
            Ok(AttributeKey(s.to_string()))
        } else {
            Err(K::InvalidKey)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AttributeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One typed value.
#[derive(Debug, Clone, PartialEq)]
pub enum AttributeValue {
    Text(String),
    /// Always finite.
    Number(f64),
    Bool(bool),
    /// Unix milliseconds.
    Date(i64),
}

impl AttributeValue {
    /// The type's name: `text`, `number`, `bool` or `date`.
    pub fn type_name(&self) -> &'static str {
        match self {
            AttributeValue::Text(_) => "text",
            AttributeValue::Number(_) => "number",
            AttributeValue::Bool(_) => "bool",
            AttributeValue::Date(_) => "date",
        }
    }

    /// The value of a JSON scalar: numbers and booleans as they are, date-shaped strings as
    /// dates, other strings as text. `None` for null, lists, maps and non-finite numbers.
    pub fn from_value(v: &Value) -> Result<Option<Self>, K> {
        Ok(match v {
            Value::Null => None,
            Value::Bool(b) => Some(AttributeValue::Bool(*b)),
            Value::Int(i) => Some(AttributeValue::Number(*i as f64)),
            Value::Float(f) if f.is_finite() => Some(AttributeValue::Number(*f)),
            Value::Float(_) => {
                return Err(K::WrongType {
                    expected: Expected::Scalar,
                });
            }
            Value::Str(s) => Some(Self::from_json_text(s)?),
            Value::List(_) | Value::Map(_) => {
                return Err(K::WrongType {
                    expected: Expected::Scalar,
                });
            }
        })
    }

    /// A JSON string: a date when it has a date's form, else text.
    pub fn from_json_text(s: &str) -> Result<Self, K> {
        check_text(s)?;
        Ok(match instant::looks_like_instant(s) {
            true => AttributeValue::Date(instant::parse(s).unwrap_or_default()),
            false => AttributeValue::Text(s.to_string()),
        })
    }

    /// A value read from text with no type (a CSV cell): `true`/`false`, a plain decimal
    /// number without a leading zero (so `00123` and `+420...` stay text), a date, or text.
    pub fn infer(s: &str) -> Result<Self, K> {
        check_text(s)?;
        let t = s.trim();
        if t.eq_ignore_ascii_case("true") {
            return Ok(AttributeValue::Bool(true));
        }
        if t.eq_ignore_ascii_case("false") {
            return Ok(AttributeValue::Bool(false));
        }
        if is_plain_number(t)
            && let Ok(n) = t.parse::<f64>()
            && n.is_finite()
        {
            return Ok(AttributeValue::Number(n));
        }
        Self::from_json_text(s)
    }

    /// A value read from text whose type is declared (a CSV column `orders:number`).
    pub fn parse_as(s: &str, ty: AttributeType) -> Result<Self, K> {
        check_text(s)?;
        let t = s.trim();
        let bad = || K::NotOneOf {
            allowed: ty.describe().to_string(),
        };
        Ok(match ty {
            AttributeType::Text => AttributeValue::Text(s.to_string()),
            AttributeType::Number => {
                let n = t.replace(',', ".").parse::<f64>().map_err(|_| bad())?;
                if !n.is_finite() {
                    return Err(bad());
                }
                AttributeValue::Number(n)
            }
            AttributeType::Bool => match t.to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "y" => AttributeValue::Bool(true),
                "false" | "0" | "no" | "n" => AttributeValue::Bool(false),
                _ => return Err(bad()),
            },
            AttributeType::Date => AttributeValue::Date(instant::parse(t).ok_or_else(bad)?),
        })
    }

    /// As JSON would carry it: dates as `YYYY-MM-DD` (midnight UTC) or RFC 3339 text.
    pub fn to_value(&self) -> Value {
        match self {
            AttributeValue::Text(s) => Value::Str(s.clone()),
            AttributeValue::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => {
                Value::Int(*n as i64)
            }
            AttributeValue::Number(n) => Value::Float(*n),
            AttributeValue::Bool(b) => Value::Bool(*b),
            AttributeValue::Date(ms) => Value::Str(instant::format_date_or_time(*ms)),
        }
    }

    /// The value as a number, if it is one or is text that reads as one.
    fn as_number(&self) -> Option<f64> {
        match self {
            AttributeValue::Number(n) => Some(*n),
            AttributeValue::Text(s) => s.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
            _ => None,
        }
    }

    /// The value as an instant, if it is a date or is text that reads as one.
    fn as_date(&self) -> Option<i64> {
        match self {
            AttributeValue::Date(ms) => Some(*ms),
            AttributeValue::Text(s) => instant::parse(s),
            _ => None,
        }
    }

    /// The value as text, for text comparisons (numbers print without a trailing `.0`).
    pub fn as_text(&self) -> String {
        match self.to_value() {
            Value::Str(s) => s,
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => String::new(),
        }
    }

    /// Compares two values by the literal's type: numerically when both read as numbers,
    /// as instants when both read as dates, else as text. `None` when they cannot be ordered
    /// (a boolean against a number, say).
    fn compare(&self, literal: &AttributeValue) -> Option<Ordering> {
        match literal {
            AttributeValue::Number(b) => self.as_number()?.partial_cmp(b),
            AttributeValue::Date(b) => Some(self.as_date()?.cmp(b)),
            AttributeValue::Bool(b) => match self {
                AttributeValue::Bool(a) => Some(a.cmp(b)),
                AttributeValue::Text(s) => s.trim().parse::<bool>().ok().map(|a| a.cmp(b)),
                _ => None,
            },
            AttributeValue::Text(b) => match self {
                // A text literal that reads as a number compares numbers with numbers.
                AttributeValue::Number(a) => {
                    b.trim().parse::<f64>().ok().and_then(|b| a.partial_cmp(&b))
                }
                AttributeValue::Date(a) => instant::parse(b).map(|b| a.cmp(&b)),
                AttributeValue::Bool(a) => b.trim().parse::<bool>().ok().map(|b| a.cmp(&b)),
                AttributeValue::Text(a) => Some(a.as_str().cmp(b.as_str())),
            },
        }
    }
}

fn check_text(s: &str) -> Result<(), K> {
    if s.contains('\0') {
        Err(K::NulCharacter)
    } else if s.chars().count() > MAX_TEXT {
        Err(K::TooLong { max: MAX_TEXT })
    } else {
        Ok(())
    }
}

fn is_plain_number(t: &str) -> bool {
    let digits = t.strip_prefix('-').unwrap_or(t);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
        && (int == "0" || !int.starts_with('0'))
        && !(digits.contains('.') && frac.is_empty())
}

/// A declared attribute type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeType {
    Text,
    Number,
    Bool,
    Date,
}

impl AttributeType {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "text" | "string" => Some(AttributeType::Text),
            "number" => Some(AttributeType::Number),
            "bool" | "boolean" => Some(AttributeType::Bool),
            "date" => Some(AttributeType::Date),
            _ => None,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            AttributeType::Text => "text",
            AttributeType::Number => "a number",
            AttributeType::Bool => "true or false",
            AttributeType::Date => "a date (YYYY-MM-DD or RFC 3339)",
        }
    }
}

/// A comparison operator of a [`Predicate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Lte,
    Gt,
    Gte,
    In,
    NotIn,
    Contains,
    StartsWith,
    Exists,
    NotExists,
}

impl Op {
    pub const ALL: [Op; 12] = [
        Op::Eq,
        Op::Ne,
        Op::Lt,
        Op::Lte,
        Op::Gt,
        Op::Gte,
        Op::In,
        Op::NotIn,
        Op::Contains,
        Op::StartsWith,
        Op::Exists,
        Op::NotExists,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::Ne => "ne",
            Op::Lt => "lt",
            Op::Lte => "lte",
            Op::Gt => "gt",
            Op::Gte => "gte",
            Op::In => "in",
            Op::NotIn => "not_in",
            Op::Contains => "contains",
            Op::StartsWith => "starts_with",
            Op::Exists => "exists",
            Op::NotExists => "not_exists",
        }
    }

    /// How many literals the operator takes: `Some(0)`, `Some(1)`, or `None` for a list.
    fn arity(self) -> Option<usize> {
        match self {
            Op::Exists | Op::NotExists => Some(0),
            Op::In | Op::NotIn => None,
            _ => Some(1),
        }
    }
}

/// A test of one value: `{"op": "gte", "value": 2}`, `{"op": "in", "values": ["a", "b"]}`,
/// `{"op": "exists"}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Predicate {
    pub op: Op,
    /// One literal, several for `in`/`not_in`, none for `exists`/`not_exists`.
    pub literals: Vec<AttributeValue>,
}

impl Predicate {
    /// Whether `v` (absent when `None`) passes. Absent values pass only `not_exists`, `ne` and
    /// `not_in`; values that cannot be compared with the literal fail ordered comparisons.
    pub fn test(&self, v: Option<&AttributeValue>) -> bool {
        let Some(v) = v else {
            return matches!(self.op, Op::NotExists | Op::Ne | Op::NotIn);
        };
        let eq = |lit: &AttributeValue| v.compare(lit) == Some(Ordering::Equal);
        let first = self.literals.first();
        let ord = || first.and_then(|l| v.compare(l));
        match self.op {
            Op::Exists => true,
            Op::NotExists => false,
            Op::Eq => first.is_some_and(eq),
            Op::Ne => !first.is_some_and(eq),
            Op::In => self.literals.iter().any(eq),
            Op::NotIn => !self.literals.iter().any(eq),
            Op::Lt => ord() == Some(Ordering::Less),
            Op::Lte => matches!(ord(), Some(Ordering::Less | Ordering::Equal)),
            Op::Gt => ord() == Some(Ordering::Greater),
            Op::Gte => matches!(ord(), Some(Ordering::Greater | Ordering::Equal)),
            Op::Contains => first.is_some_and(|l| {
                v.as_text()
                    .to_lowercase()
                    .contains(&l.as_text().to_lowercase())
            }),
            Op::StartsWith => first.is_some_and(|l| v.as_text().starts_with(&l.as_text())),
        }
    }

    /// Reads `op` and `value`/`values` from an object whose other keys the caller reads.
    pub(crate) fn parse_from(o: &mut Obj<'_>, errs: &mut Errors) -> Option<Predicate> {
        let op_path = o.path("op");
        let op = match o.req_str("op", errs) {
            Some(s) => match Op::ALL.into_iter().find(|op| op.as_str() == s) {
                Some(op) => Some(op),
                None => {
                    errs.push(
                        op_path,
                        K::NotOneOf {
                            allowed: Op::ALL.map(Op::as_str).join(", "),
                        },
                    );
                    None
                }
            },
            None => None,
        };
        let value = o.get("value");
        let values = o.get("values");
        let op = op?;
        let literal = |v: &Value, path: &str, errs: &mut Errors| match AttributeValue::from_value(v)
        {
            Ok(Some(l)) => Some(l),
            Ok(None) => {
                errs.push(path, K::Required);
                None
            }
            Err(k) => {
                errs.push(path, k);
                None
            }
        };
        let mut literals = Vec::new();
        match (op.arity(), value, values) {
            (Some(0), None, None) => {}
            (Some(0), _, _) => errs.push(
                o.path(if value.is_some() { "value" } else { "values" }),
                K::BadCondition {
                    reason: format!("'{}' takes no value", op.as_str()),
                },
            ),
            (Some(_), Some(v), None) => literals.extend(literal(v, &o.path("value"), errs)),
            (Some(_), _, Some(_)) => errs.push(
                o.path("values"),
                K::BadCondition {
                    reason: format!("'{}' takes one 'value'", op.as_str()),
                },
            ),
            (Some(_), None, None) => errs.push(o.path("value"), K::Required),
            (None, None, Some(Value::List(items))) => {
                if items.is_empty() {
                    errs.push(o.path("values"), K::Empty);
                }
                if items.len() > MAX_LITERALS {
                    errs.push(o.path("values"), K::TooMany { max: MAX_LITERALS });
                }
                for (i, item) in items.iter().enumerate().take(MAX_LITERALS) {
                    literals.extend(literal(item, &format!("{}[{i}]", o.path("values")), errs));
                }
            }
            (None, _, Some(_)) => errs.push(
                o.path("values"),
                K::WrongType {
                    expected: Expected::Array,
                },
            ),
            (None, _, None) => errs.push(o.path("values"), K::Required),
        }
        Some(Predicate { op, literals })
    }

    /// Writes `op` and `value`/`values` into `map`.
    pub(crate) fn write_to(&self, map: &mut std::collections::BTreeMap<String, Value>) {
        map.insert("op".into(), Value::str(self.op.as_str()));
        match self.op.arity() {
            Some(0) => {}
            Some(_) => {
                if let Some(l) = self.literals.first() {
                    map.insert("value".into(), l.to_value());
                }
            }
            None => {
                map.insert(
                    "values".into(),
                    Value::List(self.literals.iter().map(AttributeValue::to_value).collect()),
                );
            }
        }
    }
}

/// Flattens a JSON object of traits or properties into typed values under dotted keys
/// (`address.city`), at most `depth` levels deep. Lists and nulls carry no value to compare
/// and are skipped (the stored message keeps them); keys that are not valid attribute keys
/// are skipped too. Returns the values and the keys skipped.
pub fn flatten(
    v: &Value,
    depth: usize,
    out: &mut Vec<(AttributeKey, AttributeValue)>,
) -> Vec<String> {
    let mut skipped = Vec::new();
    flatten_into("", v, depth, out, &mut skipped);
    skipped
}

fn flatten_into(
    prefix: &str,
    v: &Value,
    depth: usize,
    out: &mut Vec<(AttributeKey, AttributeValue)>,
    skipped: &mut Vec<String>,
) {
    let Value::Map(m) = v else {
        return;
    };
    for (k, v) in m {
        let key = join(prefix, k);
        match v {
            Value::Map(_) if depth > 1 => flatten_into(&key, v, depth - 1, out, skipped),
            Value::Null => {}
            _ => match (AttributeKey::parse(&key), AttributeValue::from_value(v)) {
                (Ok(k), Ok(Some(v))) => out.push((k, v)),
                _ => skipped.push(key),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(op: Op, lits: &[AttributeValue]) -> Predicate {
        Predicate {
            op,
            literals: lits.to_vec(),
        }
    }

    use AttributeValue::{Bool, Date, Number, Text};

    #[test]
    fn numbers_compare_with_numeric_text() {
        assert!(p(Op::Gte, &[Number(2.0)]).test(Some(&Text("3".into()))));
        assert!(!p(Op::Gte, &[Number(4.0)]).test(Some(&Text("3".into()))));
        assert!(p(Op::Eq, &[Text("3".into())]).test(Some(&Number(3.0))));
        assert!(!p(Op::Lt, &[Number(4.0)]).test(Some(&Text("abc".into()))));
    }

    #[test]
    fn dates_compare_with_dates_written_as_text() {
        let march = instant::parse("2026-03-01").unwrap();
        assert!(p(Op::Lt, &[Date(march)]).test(Some(&Text("2026-02-28".into()))));
        assert!(p(Op::Gte, &[Text("2026-03-01".into())]).test(Some(&Date(march))));
    }

    #[test]
    fn absent_values_pass_only_negative_tests() {
        for (op, passes) in [
            (Op::NotExists, true),
            (Op::Ne, true),
            (Op::NotIn, true),
            (Op::Exists, false),
            (Op::Eq, false),
            (Op::Lt, false),
        ] {
            assert_eq!(p(op, &[Number(1.0)]).test(None), passes, "{op:?}");
        }
    }

    #[test]
    fn text_tests() {
        let v = Text("Kraków Centrum".into());
        assert!(p(Op::Contains, &[Text("kraków".into())]).test(Some(&v)));
        assert!(p(Op::StartsWith, &[Text("Kraków".into())]).test(Some(&v)));
        assert!(p(Op::In, &[Text("x".into()), Text("Kraków Centrum".into())]).test(Some(&v)));
        assert!(p(Op::Eq, &[Bool(true)]).test(Some(&Text("true".into()))));
    }

    #[test]
    fn inference_keeps_identifiers_as_text() {
        assert_eq!(AttributeValue::infer("3"), Ok(Number(3.0)));
        assert_eq!(AttributeValue::infer("-2.5"), Ok(Number(-2.5)));
        assert_eq!(AttributeValue::infer("0.5"), Ok(Number(0.5)));
        assert_eq!(AttributeValue::infer("TRUE"), Ok(Bool(true)));
        for text in ["00123", "+420777000111", "1e5", "3.", "", "12 kg"] {
            assert_eq!(AttributeValue::infer(text), Ok(Text(text.into())), "{text}");
        }
        assert!(matches!(AttributeValue::infer("2026-01-05"), Ok(Date(_))));
    }

    #[test]
    fn declared_types_are_enforced() {
        assert_eq!(
            AttributeValue::parse_as("3,5", AttributeType::Number),
            Ok(Number(3.5))
        );
        assert_eq!(
            AttributeValue::parse_as("yes", AttributeType::Bool),
            Ok(Bool(true))
        );
        assert!(AttributeValue::parse_as("soon", AttributeType::Date).is_err());
        assert_eq!(
            AttributeValue::parse_as("00123", AttributeType::Text),
            Ok(Text("00123".into()))
        );
    }

    #[test]
    fn flattening_dots_nested_keys_and_reports_what_it_skips() {
        let v = Value::map([
            ("plan", Value::str("pro")),
            (
                "address",
                Value::map([("city", Value::str("Brno")), ("zip", Value::Int(60200))]),
            ),
            ("tags", Value::List(vec![Value::str("a")])),
            ("bad key", Value::Int(1)),
        ]);
        let mut out = Vec::new();
        let skipped = flatten(&v, 3, &mut out);
        let keys: Vec<&str> = out.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["address.city", "address.zip", "plan"]);
        assert_eq!(skipped, ["bad key", "tags"]);
    }
}
