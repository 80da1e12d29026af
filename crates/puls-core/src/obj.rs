//! Reading one object of a [`Value`] tree key by key, with every problem recorded at its
//! path and unknown keys reported at the end. Shared by every definition parser.

use std::collections::{BTreeMap, BTreeSet};

use crate::error::{Errors, Expected, FieldErrorKind as K, join};
use crate::value::Value;

/// Reads the keys of one object, remembering which were used so unknown ones are reported.
pub(crate) struct Obj<'a> {
    pub(crate) map: &'a BTreeMap<String, Value>,
    pub(crate) path: String,
    used: BTreeSet<&'static str>,
}

impl<'a> Obj<'a> {
    pub(crate) fn new(v: &'a Value, path: &str, errs: &mut Errors) -> Option<Self> {
        match v {
            Value::Map(map) => Some(Obj {
                map,
                path: path.to_string(),
                used: BTreeSet::new(),
            }),
            _ => {
                errs.push(
                    path,
                    K::WrongType {
                        expected: Expected::Object,
                    },
                );
                None
            }
        }
    }

    pub(crate) fn path(&self, key: &str) -> String {
        join(&self.path, key)
    }

    /// The value at `key`, treating `null` as absent.
    pub(crate) fn get(&mut self, key: &'static str) -> Option<&'a Value> {
        self.used.insert(key);
        self.map.get(key).filter(|v| !matches!(v, Value::Null))
    }

    pub(crate) fn req(&mut self, key: &'static str, errs: &mut Errors) -> Option<&'a Value> {
        let v = self.get(key);
        if v.is_none() {
            errs.push(self.path(key), K::Required);
        }
        v
    }

    pub(crate) fn str(&mut self, key: &'static str, errs: &mut Errors) -> Option<&'a str> {
        let v = self.get(key)?;
        match v.as_str() {
            Some(s) => Some(s),
            None => {
                errs.push(
                    self.path(key),
                    K::WrongType {
                        expected: Expected::String,
                    },
                );
                None
            }
        }
    }

    pub(crate) fn req_str(&mut self, key: &'static str, errs: &mut Errors) -> Option<&'a str> {
        if self.get(key).is_none() {
            errs.push(self.path(key), K::Required);
            return None;
        }
        self.str(key, errs)
    }

    pub(crate) fn bool(&mut self, key: &'static str, default: bool, errs: &mut Errors) -> bool {
        match self.get(key) {
            None => default,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                errs.push(
                    self.path(key),
                    K::WrongType {
                        expected: Expected::Boolean,
                    },
                );
                default
            }
        }
    }

    pub(crate) fn int(&mut self, key: &'static str, errs: &mut Errors) -> Option<i64> {
        let v = self.get(key)?;
        match v.as_int() {
            Some(i) => Some(i),
            None => {
                errs.push(
                    self.path(key),
                    K::WrongType {
                        expected: Expected::Integer,
                    },
                );
                None
            }
        }
    }

    pub(crate) fn finish(self, errs: &mut Errors) {
        for key in self.map.keys() {
            if !self.used.contains(key.as_str()) {
                errs.push(join(&self.path, key), K::UnknownField);
            }
        }
    }
}
