//! Query strings read into typed query structs, so that one struct per endpoint both parses
//! its parameters (serde) and describes them in the OpenAPI document (`IntoParams`).
//!
//! Serde's own query readers cannot do what the API promises: repeated and comma-separated
//! values of list parameters (`segment=a&segment=b,c`), "give it once" for the others, a
//! message that names the parameter, and unknown parameters refused also when one request
//! takes the fields of two structs (the shared report scope and a report's own). So
//! [`QueryPairs`] is a small deserializer of its own: each struct taken from it records its
//! field names, and [`QueryPairs::finish`] refuses any key no struct took.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::fmt;

use puls_app::AppError;
use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};

/// A query string's key/value pairs, in order, repeated keys kept.
#[derive(Debug, Default)]
pub struct QueryPairs {
    pairs: Vec<(String, String)>,
    /// The keys the structs taken so far know.
    known: RefCell<BTreeSet<&'static str>>,
}

/// The longest part of a value quoted back in a message.
const CLIP: usize = 64;

fn clip(s: &str) -> String {
    s.chars().take(CLIP).collect()
}

impl QueryPairs {
    /// Parses a URL query string (`None`: no query).
    pub fn parse(query: Option<&str>) -> Result<Self, AppError> {
        let pairs = serde_urlencoded::from_str::<Vec<(String, String)>>(query.unwrap_or(""))
            .map_err(|e| AppError::invalid(format!("query string: {e}")))?;
        Ok(QueryPairs::new(pairs))
    }

    /// Pairs given as they are (a command line's flags, say).
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        QueryPairs {
            pairs,
            known: RefCell::default(),
        }
    }

    /// Reads the fields of `T` (a struct) from the pairs; an empty value counts as absent.
    pub fn take<T: DeserializeOwned>(&self) -> Result<T, AppError> {
        T::deserialize(PairsDeserializer { q: self }).map_err(|e| AppError::invalid(e.0))
    }

    /// Fails on any key no struct taken so far knows.
    pub fn finish(self) -> Result<(), AppError> {
        let known = self.known.borrow();
        match self.pairs.iter().find(|(k, _)| !known.contains(k.as_str())) {
            None => Ok(()),
            Some((k, _)) => Err(AppError::invalid(format!(
                "unknown query parameter '{}'",
                clip(k)
            ))),
        }
    }

    /// The non-empty, trimmed values of `key`.
    fn values(&self, key: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
            .collect()
    }
}

/// The items of a list parameter given repeated or comma-separated (`a,b&c`).
pub fn commas(values: &[String]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// A deserialization problem, already worded for the caller.
#[derive(Debug)]
struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

struct PairsDeserializer<'q> {
    q: &'q QueryPairs,
}

impl<'de> de::Deserializer<'de> for PairsDeserializer<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Error> {
        Err(Error("query parameters read only into structs".into()))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.q.known.borrow_mut().extend(fields.iter().copied());
        let present: Vec<(&'static str, Vec<&str>)> = fields
            .iter()
            .map(|f| (*f, self.q.values(f)))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        visitor.visit_map(Fields {
            fields: present.into_iter(),
            value: None,
        })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

struct Fields<'a> {
    fields: std::vec::IntoIter<(&'static str, Vec<&'a str>)>,
    value: Option<(&'static str, Vec<&'a str>)>,
}

impl<'de> de::MapAccess<'de> for Fields<'_> {
    type Error = Error;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        match self.fields.next() {
            None => Ok(None),
            Some((key, values)) => {
                self.value = Some((key, values));
                seed.deserialize(key.into_deserializer()).map(Some)
            }
        }
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let (key, values) = self
            .value
            .take()
            .ok_or_else(|| Error("a value without its key".into()))?;
        seed.deserialize(Values { key, values })
    }
}

/// The values of one key: one for a plain field, any number for a list.
struct Values<'a> {
    key: &'static str,
    values: Vec<&'a str>,
}

impl<'a> Values<'a> {
    /// The one value of a plain field.
    fn one(&self) -> Result<&'a str, Error> {
        match self.values.as_slice() {
            [v] => Ok(v),
            _ => Err(Error(format!("{}: give it once", self.key))),
        }
    }

    fn number<T: std::str::FromStr>(&self, what: &str) -> Result<T, Error> {
        let v = self.one()?;
        v.parse()
            .map_err(|_| Error(format!("{}: '{}' is not {what}", self.key, clip(v))))
    }
}

impl<'de> de::Deserializer<'de> for Values<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_string(self.one()?.to_string())
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    /// Every value given; a value may itself be a comma-separated list, which the struct's
    /// users split where the parameter allows it ([`commas`]).
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let items = self.values.iter().map(|v| v.to_string());
        visitor.visit_seq(de::value::SeqDeserializer::new(items))
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_bool(self.number("true or false")?)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_u64(self.number("a whole number")?)
    }

    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_u32(self.number("a whole number")?)
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_i64(self.number("a whole number")?)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_f64(self.number("a number")?)
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i128 u8 u16 u128 f32 char str string bytes byte_buf unit unit_struct
        newtype_struct tuple tuple_struct map struct enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    struct A {
        metric: Option<String>,
        #[serde(default)]
        by: Vec<String>,
        min_n: Option<u64>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct B {
        tz: Option<String>,
    }

    fn message(e: AppError) -> String {
        e.to_string()
    }

    #[test]
    fn lists_take_repeats_and_commas_plain_fields_take_one_value() {
        let q = QueryPairs::parse(Some(
            "metric=nps&by=week,touchpoint&by=channel&min_n=5&tz=UTC",
        ))
        .unwrap();
        let a: A = q.take().unwrap();
        let b: B = q.take().unwrap();
        assert_eq!(
            a,
            A {
                metric: Some("nps".into()),
                by: vec!["week,touchpoint".into(), "channel".into()],
                min_n: Some(5),
            }
        );
        assert_eq!(commas(&a.by), ["week", "touchpoint", "channel"]);
        assert_eq!(b.tz.as_deref(), Some("UTC"));
        q.finish().unwrap();
    }

    #[test]
    fn problems_name_the_parameter() {
        let q = QueryPairs::parse(Some("metric=nps&metric=csat")).unwrap();
        assert!(message(q.take::<A>().unwrap_err()).contains("metric: give it once"));
        let q = QueryPairs::parse(Some("min_n=-1")).unwrap();
        assert!(message(q.take::<A>().unwrap_err()).starts_with("min_n: '-1'"));
        let q = QueryPairs::parse(Some("metric=nps&colour=blue")).unwrap();
        let _: A = q.take().unwrap();
        assert!(message(q.finish().unwrap_err()).contains("colour"));
        // Empty values are absent, but their keys must still be known.
        let q = QueryPairs::parse(Some("metric=&by=")).unwrap();
        let a: A = q.take().unwrap();
        assert_eq!(a.metric, None);
        q.finish().unwrap();
    }
}
