//! The contact-frequency policy: how often one person may be asked for feedback, whatever
//! the channel (e-mail, SMS, the widget, a kiosk where they are known). A policy is a list
//! of caps, each "at most N surveys in any D days", all of which must hold:
//!
//! ```json
//! {"caps": [{"at_most": 1, "per_days": 14}, {"at_most": 4, "per_days": 365}]}
//! ```
//!
//! Read with [`FrequencyPolicy::parse`] (every problem at its path), printed with
//! [`FrequencyPolicy::to_value`]. [`FrequencyPolicy::allows`] decides one more survey
//! given the times of the earlier ones; the application asks it inside the database
//! transaction that records the survey, so two nodes cannot both ask the same person.
//! Reminders of a survey already sent, and sends marked exempt, do not count against the
//! caps and are not refused by them.

use std::collections::BTreeMap;

use crate::error::{Errors, Expected, FieldErrorKind as K, FieldErrors, index};
use crate::obj::Obj;
use crate::value::Value;

const DAY_MS: i64 = 86_400_000;
/// The most caps a policy has.
pub const MAX_CAPS: usize = 5;
/// The longest window a cap may count over (two years).
pub const MAX_DAYS: i64 = 730;

/// A survey's priority against the policy: earlier surveys of lower priority do not count
/// against a later one (a routine pulse survey does not keep the survey after a complaint
/// from going), while those of the same or higher priority do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub enum Priority {
    Low,
    #[default]
    Normal,
    High,
}

impl Priority {
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
        }
    }

    pub fn parse(s: &str) -> Option<Priority> {
        match s {
            "low" => Some(Priority::Low),
            "normal" => Some(Priority::Normal),
            "high" => Some(Priority::High),
            _ => None,
        }
    }

    /// The rank stored with a survey asked (0, 1, 2).
    pub fn rank(self) -> i64 {
        self as i64
    }

    /// Reads `priority` from an object being parsed (default normal).
    pub(crate) fn read(o: &mut Obj<'_>, errs: &mut Errors) -> Priority {
        let p = o.path("priority");
        match o.str("priority", errs) {
            None => Priority::Normal,
            Some(s) => Priority::parse(s).unwrap_or_else(|| {
                errs.push(
                    p,
                    K::NotOneOf {
                        allowed: "low, normal, high".into(),
                    },
                );
                Priority::Normal
            }),
        }
    }
}

/// "At most `at_most` surveys in any `per_days` days."
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cap {
    pub at_most: i64,
    pub per_days: i64,
}

impl Cap {
    pub fn window_ms(&self) -> i64 {
        self.per_days * DAY_MS
    }
}

/// A workspace's policy; no caps: no limit.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FrequencyPolicy {
    pub caps: Vec<Cap>,
}

impl FrequencyPolicy {
    pub fn parse(v: &Value) -> Result<FrequencyPolicy, FieldErrors> {
        let mut errs = Errors::default();
        let mut caps = Vec::new();
        if let Some(mut o) = Obj::new(v, "", &mut errs) {
            let path = o.path("caps");
            match o.get("caps") {
                None => {}
                Some(Value::List(items)) => {
                    if items.len() > MAX_CAPS {
                        errs.push(&path, K::TooMany { max: MAX_CAPS });
                    }
                    for (i, item) in items.iter().enumerate().take(MAX_CAPS) {
                        if let Some(c) = cap(item, &index(&path, i), &mut errs) {
                            caps.push(c);
                        }
                    }
                }
                Some(_) => errs.push(
                    path,
                    K::WrongType {
                        expected: Expected::Array,
                    },
                ),
            }
            o.finish(&mut errs);
        }
        errs.into_result(FrequencyPolicy { caps })
    }

    pub fn to_value(&self) -> Value {
        let caps = self
            .caps
            .iter()
            .map(|c| {
                let mut m = BTreeMap::new();
                m.insert("at_most".to_string(), Value::Int(c.at_most));
                m.insert("per_days".to_string(), Value::Int(c.per_days));
                Value::Map(m)
            })
            .collect();
        let mut m = BTreeMap::new();
        m.insert("caps".to_string(), Value::List(caps));
        Value::Map(m)
    }

    /// How far back earlier surveys matter (the longest cap's window); 0 without caps.
    pub fn lookback_ms(&self) -> i64 {
        self.caps.iter().map(Cap::window_ms).max().unwrap_or(0)
    }

    /// Whether one more survey at `now` keeps every cap, given when the earlier ones were
    /// (any order; those later than `now` count too, as already promised); `Err` names the
    /// first cap it would break.
    pub fn allows(&self, earlier: &[i64], now: i64) -> Result<(), Cap> {
        for cap in &self.caps {
            let since = now - cap.window_ms();
            let within = earlier.iter().filter(|&&t| t > since).count() as i64;
            if within >= cap.at_most {
                return Err(*cap);
            }
        }
        Ok(())
    }
}

fn cap(v: &Value, path: &str, errs: &mut Errors) -> Option<Cap> {
    let mut o = Obj::new(v, path, errs)?;
    let ap = o.path("at_most");
    let at_most = o.int("at_most", errs);
    if o.map.get("at_most").is_none() {
        errs.push(&ap, K::Required);
    }
    let dp = o.path("per_days");
    let per_days = o.int("per_days", errs);
    if o.map.get("per_days").is_none() {
        errs.push(&dp, K::Required);
    }
    o.finish(errs);
    let (at_most, per_days) = (at_most?, per_days?);
    let mut ok = true;
    if !(1..=1_000).contains(&at_most) {
        errs.push(ap, K::OutOfRange { min: 1, max: 1_000 });
        ok = false;
    }
    if !(1..=MAX_DAYS).contains(&per_days) {
        errs.push(
            dp,
            K::OutOfRange {
                min: 1,
                max: MAX_DAYS,
            },
        );
        ok = false;
    }
    ok.then_some(Cap { at_most, per_days })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::json_value;

    fn policy(j: serde_json::Value) -> Result<FrequencyPolicy, FieldErrors> {
        FrequencyPolicy::parse(&json_value(&j.to_string()))
    }

    #[test]
    fn caps_read_print_and_decide() {
        let p = policy(serde_json::json!({"caps": [
            {"at_most": 1, "per_days": 14}, {"at_most": 4, "per_days": 365}]}))
        .unwrap();
        assert_eq!(FrequencyPolicy::parse(&p.to_value()).unwrap(), p);
        assert_eq!(p.lookback_ms(), 365 * DAY_MS);
        let now = 1_000 * DAY_MS;
        assert_eq!(p.allows(&[], now), Ok(()));
        // Thirteen days ago: too soon; fifteen: fine.
        assert_eq!(p.allows(&[now - 13 * DAY_MS], now), Err(p.caps[0]));
        assert_eq!(p.allows(&[now - 15 * DAY_MS], now), Ok(()));
        // Four in the year already, each a month apart: the yearly cap refuses.
        let four: Vec<i64> = (1..=4).map(|m| now - m * 30 * DAY_MS).collect();
        assert_eq!(p.allows(&four, now), Err(p.caps[1]));
        // One planned later counts too.
        assert_eq!(p.allows(&[now + DAY_MS], now), Err(p.caps[0]));
        assert_eq!(FrequencyPolicy::default().allows(&four, now), Ok(()));
    }

    #[test]
    fn problems_are_at_their_paths() {
        let e = policy(serde_json::json!({"caps": [
            {"at_most": 0, "per_days": 14}, {"per_days": 9999}, "x"], "other": 1}))
        .unwrap_err();
        let got: Vec<(String, &str)> = e.0.into_iter().map(|f| (f.path, f.kind.code())).collect();
        for want in [
            ("caps[0].at_most", "out_of_range"),
            ("caps[1].at_most", "required"),
            ("caps[2]", "wrong_type"),
            ("other", "unknown_field"),
        ] {
            assert!(
                got.contains(&(want.0.to_string(), want.1)),
                "{want:?} in {got:?}"
            );
        }
    }
}
