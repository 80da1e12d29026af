//! JSON and the core's format-neutral [`Value`]: how the JSON columns are written and read,
//! and what the edges use to turn request bodies into core values and back.

use std::collections::BTreeMap;

use puls_core::Value;

/// JSON to core value. Integers stay integers; other numbers become floats.
pub fn from_json(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => Value::Str(s.clone()),
        serde_json::Value::Array(a) => Value::List(a.iter().map(from_json).collect()),
        serde_json::Value::Object(o) => {
            Value::Map(o.iter().map(|(k, v)| (k.clone(), from_json(v))).collect())
        }
    }
}

/// An object of core values as a JSON object.
pub fn object(m: &JsonMap) -> serde_json::Value {
    serde_json::Value::Object(m.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
}

/// Core value to JSON. Non-finite floats, which JSON cannot carry, become null.
pub fn to_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Int(i) => serde_json::Value::from(*i),
        Value::Float(f) => serde_json::Number::from_f64(*f)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null),
        Value::Str(s) => serde_json::Value::String(s.clone()),
        Value::List(l) => serde_json::Value::Array(l.iter().map(to_json).collect()),
        Value::Map(m) => {
            serde_json::Value::Object(m.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
    }
}

/// A JSON object as the core reads it: keys in order, values as core values.
pub type JsonMap = BTreeMap<String, Value>;

/// JSON text written by this module from a core value: what a write binds for a JSON
/// column. Callers encode (on their own tasks, in parallel), so the store's single writer
/// only binds; the only way to make one is from a value, so a column never takes text
/// that is not JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonText(String);

impl JsonText {
    pub fn encode(v: &Value) -> Self {
        JsonText(to_json_text(v))
    }

    /// An object (`{}` when empty).
    pub fn object(m: &JsonMap) -> Self {
        if m.is_empty() {
            return JsonText("{}".into());
        }
        JsonText(serde_json::to_string(&MapRef(m)).unwrap_or_else(|_| "{}".into()))
    }

    /// An object of strings (`{}` when empty).
    pub fn strings(m: &BTreeMap<String, String>) -> Self {
        JsonText(serde_json::to_string(m).unwrap_or_else(|_| "{}".into()))
    }

    /// JSON text read and written again in this module's form; `Err` when it is not JSON.
    pub fn parse(text: &str) -> Result<Self, serde_json::Error> {
        from_text(text).map(|v| Self::encode(&v))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A stored JSON object read back; anything else is corrupt ([`crate::StoreError::Corrupt`]).
pub(crate) fn read_object(column: &str, text: &str) -> Result<JsonMap, crate::StoreError> {
    match from_text(text) {
        Ok(Value::Map(m)) => Ok(m),
        Ok(other) => Err(crate::db::corrupt(
            column,
            format!("a {} where an object belongs", other.type_name()),
        )),
        Err(e) => Err(crate::db::corrupt(column, e)),
    }
}

/// A stored JSON object of strings read back.
pub(crate) fn read_strings(
    column: &str,
    text: &str,
) -> Result<BTreeMap<String, String>, crate::StoreError> {
    serde_json::from_str(text).map_err(|e| crate::db::corrupt(column, e))
}

/// A stored JSON value read back.
pub(crate) fn read_value(column: &str, text: &str) -> Result<Value, crate::StoreError> {
    from_text(text).map_err(|e| crate::db::corrupt(column, e))
}

/// A core value from JSON text (a stored column, a request body).
pub fn from_text(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str::<CoreValue>(text).map(|v| v.0)
}

/// A core value read straight from JSON text, without a `serde_json::Value` in between
/// (the tracking API reads thousands of messages a second).
pub struct CoreValue(pub Value);

impl<'de> serde::Deserialize<'de> for CoreValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(CoreVisitor).map(CoreValue)
    }
}

struct CoreVisitor;

impl<'de> serde::de::Visitor<'de> for CoreVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, i: i64) -> Result<Value, E> {
        Ok(Value::Int(i))
    }

    fn visit_u64<E>(self, u: u64) -> Result<Value, E> {
        Ok(i64::try_from(u).map_or(Value::Float(u as f64), Value::Int))
    }

    fn visit_f64<E>(self, f: f64) -> Result<Value, E> {
        Ok(Value::Float(f))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::Str(s.to_string()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::Str(s))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(CoreValue(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::List(out))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = std::collections::BTreeMap::new();
        while let Some((k, CoreValue(v))) = map.next_entry::<String, CoreValue>()? {
            out.insert(k, v);
        }
        Ok(Value::Map(out))
    }
}

/// Writes a core value as JSON text directly (non-finite floats as null), without building
/// a `serde_json::Value`.
pub fn to_json_text(v: &Value) -> String {
    serde_json::to_string(&JsonRef(v)).unwrap_or_else(|_| "null".into())
}

struct JsonRef<'a>(&'a Value);

struct MapRef<'a>(&'a JsonMap);

impl serde::Serialize for MapRef<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            map.serialize_entry(k, &JsonRef(v))?;
        }
        map.end()
    }
}

impl serde::Serialize for JsonRef<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self.0 {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(i) => s.serialize_i64(*i),
            Value::Float(f) if f.is_finite() => s.serialize_f64(*f),
            Value::Float(_) => s.serialize_unit(),
            Value::Str(t) => s.serialize_str(t),
            Value::List(l) => {
                let mut seq = s.serialize_seq(Some(l.len()))?;
                for v in l {
                    seq.serialize_element(&JsonRef(v))?;
                }
                seq.end()
            }
            Value::Map(m) => {
                let mut map = s.serialize_map(Some(m.len()))?;
                for (k, v) in m {
                    map.serialize_entry(k, &JsonRef(v))?;
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_text_reads_and_writes_core_values_like_the_tree_conversions() {
        let text = r#"{"a":[1,2.5,"x",null,true],"b":{"c":-3},"d":18446744073709551615}"#;
        let direct: CoreValue = serde_json::from_str(text).unwrap();
        let via_tree = from_json(&serde_json::from_str(text).unwrap());
        assert_eq!(direct.0, via_tree);
        assert_eq!(to_json_text(&direct.0), to_json(&direct.0).to_string());
    }
}
