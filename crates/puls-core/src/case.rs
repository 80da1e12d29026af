//! A case's life: the status machine (new → in progress → waiting for the customer →
//! resolved → closed, and reopening) and which moves it allows; and a workspace's SLA
//! policy (business hours, targets by priority, escalation), read from its setting.

use std::collections::BTreeMap;

use crate::alert::Priority;
use crate::error::{Errors, FieldErrorKind as K, FieldErrors, join};
use crate::ids::UserId;
use crate::obj::Obj;
use crate::sla::BusinessHours;
use crate::value::Value;

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CaseStatus {
    New,
    InProgress,
    /// Waiting for the customer: the SLA clock stops.
    Waiting,
    Resolved,
    Closed,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 5] = [
        CaseStatus::New,
        CaseStatus::InProgress,
        CaseStatus::Waiting,
        CaseStatus::Resolved,
        CaseStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::New => "new",
            CaseStatus::InProgress => "in_progress",
            CaseStatus::Waiting => "waiting",
            CaseStatus::Resolved => "resolved",
            CaseStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<CaseStatus> {
        CaseStatus::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Whether someone still has to act (not resolved, not closed).
    pub fn is_open(self) -> bool {
        !matches!(self, CaseStatus::Resolved | CaseStatus::Closed)
    }

    /// Whether a case may move from `self` to `to`. Any open case may move to any other
    /// open status or be resolved; a resolved case may be closed or reopened (back to in
    /// progress); a closed case may only be reopened. Nothing moves back to `new`.
    pub fn can_move(self, to: CaseStatus) -> bool {
        use CaseStatus::*;
        if self == to || to == New {
            return false;
        }
        match self {
            New | InProgress | Waiting => true,
            Resolved => matches!(to, Closed | InProgress),
            Closed => to == InProgress,
        }
    }
}

/// The SLA targets of one priority, in business milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Targets {
    pub first_response_ms: i64,
    pub resolution_ms: i64,
}

/// A workspace's SLA policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaPolicy {
    pub hours: BusinessHours,
    pub targets: BTreeMap<Priority, Targets>,
    /// Tell the case's owner when this share of a target is used (1–99).
    pub warn_at_percent: i64,
    /// At a breach of the resolution target, give the case to this user (the team lead);
    /// the workspace's admins are told either way.
    pub reassign_on_breach: Option<UserId>,
    /// Ask the customer again this many hours after resolving (their response's survey,
    /// by a personal link; off when `None`).
    pub resurvey_after_hours: Option<i64>,
}

const HOUR_MS: i64 = 3_600_000;
/// The most hours a target may be (a quarter of a year of round-the-clock hours).
const MAX_TARGET_HOURS: i64 = 2190;

impl SlaPolicy {
    /// Office hours (Monday to Friday, 09:00–17:00) in `time_zone`; first response within
    /// 1, 4, 8 and 24 business hours and resolution within 8, 16, 40 and 80 by priority
    /// (urgent to low); owners warned at 75 %.
    pub fn default_for(time_zone: &str) -> Result<SlaPolicy, FieldErrors> {
        let hours = BusinessHours::office(time_zone)?;
        let t = |first: i64, resolution: i64| Targets {
            first_response_ms: first * HOUR_MS,
            resolution_ms: resolution * HOUR_MS,
        };
        Ok(SlaPolicy {
            hours,
            targets: BTreeMap::from([
                (Priority::Urgent, t(1, 8)),
                (Priority::High, t(4, 16)),
                (Priority::Normal, t(8, 40)),
                (Priority::Low, t(24, 80)),
            ]),
            warn_at_percent: 75,
            reassign_on_breach: None,
            resurvey_after_hours: None,
        })
    }

    /// The targets of a priority.
    pub fn targets(&self, p: Priority) -> Targets {
        self.targets.get(&p).copied().unwrap_or(Targets {
            first_response_ms: 8 * HOUR_MS,
            resolution_ms: 40 * HOUR_MS,
        })
    }

    /// Reads a policy: `{"business_hours", "targets": {"high": {"first_response_hours",
    /// "resolution_hours"}, ...}, "warn_at_percent", "reassign_on_breach"}`; a priority
    /// left out keeps its default, `default_zone` is the zone when the hours name none.
    pub fn parse(v: &Value, default_zone: &str) -> Result<SlaPolicy, FieldErrors> {
        let mut errs = Errors::default();
        let mut policy = SlaPolicy::default_for(default_zone)?;
        if let Some(mut o) = Obj::new(v, "", &mut errs) {
            if let Some(h) = o.get("business_hours") {
                match BusinessHours::parse(h) {
                    Ok(h) => policy.hours = h,
                    Err(e) => errs.list.extend(e.0.into_iter().map(|mut e| {
                        e.path = join("business_hours", &e.path);
                        e
                    })),
                }
            }
            if let Some(t) = o.get("targets") {
                parse_targets(t, &mut policy.targets, &mut errs);
            }
            let wp = o.path("warn_at_percent");
            if let Some(w) = o.int("warn_at_percent", &mut errs) {
                if (1..=99).contains(&w) {
                    policy.warn_at_percent = w;
                } else {
                    errs.push(wp, K::OutOfRange { min: 1, max: 99 });
                }
            }
            let hp = o.path("resurvey_after_hours");
            policy.resurvey_after_hours = match o.int("resurvey_after_hours", &mut errs) {
                Some(h) if (0..=720).contains(&h) => Some(h),
                Some(_) => {
                    errs.push(hp, K::OutOfRange { min: 0, max: 720 });
                    None
                }
                None => None,
            };
            let rp = o.path("reassign_on_breach");
            policy.reassign_on_breach = o
                .str("reassign_on_breach", &mut errs)
                .and_then(|s| UserId::parse(s).map_err(|k| errs.push(rp, k)).ok());
            o.finish(&mut errs);
        }
        errs.into_result(policy)
    }

    pub fn to_value(&self) -> Value {
        let mut m = BTreeMap::new();
        m.insert("business_hours".into(), self.hours.to_value());
        m.insert(
            "targets".into(),
            Value::Map(
                self.targets
                    .iter()
                    .map(|(p, t)| {
                        (
                            p.as_str().to_string(),
                            Value::map([
                                (
                                    "first_response_hours",
                                    Value::Int(t.first_response_ms / HOUR_MS),
                                ),
                                ("resolution_hours", Value::Int(t.resolution_ms / HOUR_MS)),
                            ]),
                        )
                    })
                    .collect(),
            ),
        );
        m.insert("warn_at_percent".into(), Value::Int(self.warn_at_percent));
        if let Some(u) = &self.reassign_on_breach {
            m.insert("reassign_on_breach".into(), Value::str(u.as_str()));
        }
        if let Some(h) = self.resurvey_after_hours {
            m.insert("resurvey_after_hours".into(), Value::Int(h));
        }
        Value::Map(m)
    }
}

fn parse_targets(v: &Value, out: &mut BTreeMap<Priority, Targets>, errs: &mut Errors) {
    let Some(mut o) = Obj::new(v, "targets", errs) else {
        return;
    };
    for p in Priority::ALL {
        let Some(t) = o.get(p.as_str()) else {
            continue;
        };
        let path = join("targets", p.as_str());
        let Some(mut to) = Obj::new(t, &path, errs) else {
            continue;
        };
        let mut hours = |key: &'static str, errs: &mut Errors| {
            let kp = to.path(key);
            let h = to.req(key, errs).and(to.int(key, errs))?;
            if (1..=MAX_TARGET_HOURS).contains(&h) {
                Some(h * HOUR_MS)
            } else {
                errs.push(
                    kp,
                    K::OutOfRange {
                        min: 1,
                        max: MAX_TARGET_HOURS,
                    },
                );
                None
            }
        };
        let first = hours("first_response_hours", errs);
        let resolution = hours("resolution_hours", errs);
        to.finish(errs);
        if let (Some(f), Some(r)) = (first, resolution) {
            if f > r {
                errs.push(join(&path, "first_response_hours"), K::MinNotBelowMax);
            }
            out.insert(
                p,
                Targets {
                    first_response_ms: f,
                    resolution_ms: r,
                },
            );
        }
    }
    o.finish(errs);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_sla_policy_reads_and_prints() {
        let v = Value::map([
            (
                "targets",
                Value::map([(
                    "urgent",
                    Value::map([
                        ("first_response_hours", Value::Int(2)),
                        ("resolution_hours", Value::Int(6)),
                    ]),
                )]),
            ),
            ("warn_at_percent", Value::Int(80)),
            ("resurvey_after_hours", Value::Int(48)),
        ]);
        let p = SlaPolicy::parse(&v, "Europe/Prague").unwrap();
        assert_eq!(p.targets(Priority::Urgent).resolution_ms, 6 * HOUR_MS);
        assert_eq!(p.targets(Priority::Low).first_response_ms, 24 * HOUR_MS);
        assert_eq!(p.hours.time_zone(), "Europe/Prague");
        assert_eq!(p.resurvey_after_hours, Some(48));
        assert_eq!(SlaPolicy::parse(&p.to_value(), "UTC"), Ok(p));
        let bad = Value::map([
            (
                "targets",
                Value::map([(
                    "high",
                    Value::map([("first_response_hours", Value::Int(0))]),
                )]),
            ),
            ("warn_at_percent", Value::Int(100)),
            (
                "business_hours",
                Value::map([("time_zone", Value::str("Mars/Base"))]),
            ),
        ]);
        let errs = SlaPolicy::parse(&bad, "UTC").unwrap_err();
        let paths: Vec<&str> = errs.0.iter().map(|e| e.path.as_str()).collect();
        for p in [
            "targets.high.first_response_hours",
            "targets.high.resolution_hours",
            "warn_at_percent",
            "business_hours.time_zone",
        ] {
            assert!(paths.contains(&p), "{p} not in {paths:?}");
        }
    }

    #[test]
    fn the_status_machine() {
        use CaseStatus::*;
        assert!(New.can_move(InProgress) && New.can_move(Resolved) && New.can_move(Waiting));
        assert!(Waiting.can_move(InProgress) && InProgress.can_move(Waiting));
        assert!(Resolved.can_move(Closed) && Resolved.can_move(InProgress));
        assert!(!Resolved.can_move(Waiting) && !Closed.can_move(Resolved));
        assert!(Closed.can_move(InProgress));
        for s in CaseStatus::ALL {
            assert!(!s.can_move(New) && !s.can_move(s));
            assert_eq!(CaseStatus::parse(s.as_str()), Some(s));
        }
        assert!(New.is_open() && Waiting.is_open() && !Resolved.is_open());
    }
}

/// The most root-cause codes a workspace keeps.
pub const MAX_ROOT_CAUSES: usize = 100;

/// A workspace's list of root-cause codes, each with its name (one text, or texts by
/// language), in the order people pick them:
///
/// ```json
/// {"codes": [{"key": "courier_late", "name": {"pl": "Spóźniony kurier", "en": "Late courier"}}]}
/// ```
///
/// With a list, a case's root cause must be one of its keys; without one, any key.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RootCauses {
    pub codes: Vec<(crate::Key, crate::journey::Label)>,
}

impl RootCauses {
    /// Reads a list, every problem at its path (`codes[2].key`).
    pub fn parse(v: &Value) -> Result<RootCauses, FieldErrors> {
        let mut errs = Errors::default();
        let mut codes = Vec::new();
        if let Some(mut o) = Obj::new(v, "", &mut errs) {
            let path = o.path("codes");
            match o.req("codes", &mut errs) {
                Some(Value::List(items)) if items.len() <= MAX_ROOT_CAUSES => {
                    for (i, item) in items.iter().enumerate() {
                        let p = format!("{path}[{i}]");
                        let Some(mut c) = Obj::new(item, &p, &mut errs) else {
                            continue;
                        };
                        let kp = c.path("key");
                        let key = c
                            .req_str("key", &mut errs)
                            .and_then(|s| crate::Key::parse(s).map_err(|k| errs.push(&kp, k)).ok());
                        let np = c.path("name");
                        let name = c
                            .req("name", &mut errs)
                            .map(|v| crate::journey::Label::parse(v, &np, &mut errs));
                        c.finish(&mut errs);
                        if let (Some(key), Some(name)) = (key, name) {
                            if codes.iter().any(|(k, _): &(crate::Key, _)| *k == key) {
                                errs.push(
                                    kp,
                                    K::Duplicate {
                                        id: key.as_str().to_string(),
                                    },
                                );
                            } else {
                                codes.push((key, name));
                            }
                        }
                    }
                }
                Some(Value::List(_)) => errs.push(
                    path,
                    K::TooMany {
                        max: MAX_ROOT_CAUSES,
                    },
                ),
                Some(_) => errs.push(
                    path,
                    K::WrongType {
                        expected: crate::error::Expected::Array,
                    },
                ),
                None => {}
            }
            o.finish(&mut errs);
        }
        errs.into_result(RootCauses { codes })
    }

    pub fn to_value(&self) -> Value {
        Value::map([(
            "codes",
            Value::List(
                self.codes
                    .iter()
                    .map(|(k, n)| {
                        Value::map([("key", Value::str(k.as_str())), ("name", n.to_value())])
                    })
                    .collect(),
            ),
        )])
    }

    /// Whether `key` may be a case's root cause: any key without a list, else one of it.
    pub fn allows(&self, key: &str) -> bool {
        self.codes.is_empty() || self.codes.iter().any(|(k, _)| k.as_str() == key)
    }

    /// The keys, for messages (`courier_late, damaged`).
    pub fn keys(&self) -> String {
        self.codes
            .iter()
            .map(|(k, _)| k.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A code's name in `locale`; the key itself when it is not in the list.
    pub fn name<'a>(&'a self, key: &'a str, locale: &str) -> &'a str {
        self.codes
            .iter()
            .find(|(k, _)| k.as_str() == key)
            .map_or(key, |(_, n)| n.get(locale))
    }
}

#[cfg(test)]
mod root_cause_tests {
    use super::*;
    use crate::value::json_value;

    #[test]
    fn a_list_of_root_causes_is_read_named_and_enforced() {
        let list = RootCauses::parse(&json_value(
            r#"{"codes": [{"key": "courier_late", "name": {"pl": "Spóźniony kurier", "en": "Late courier"}},
                          {"key": "damaged", "name": "Uszkodzona paczka"}]}"#,
        ))
        .unwrap();
        assert_eq!(RootCauses::parse(&list.to_value()).unwrap(), list);
        assert_eq!(list.name("courier_late", "pl"), "Spóźniony kurier");
        assert_eq!(list.name("courier_late", "cs"), "Late courier");
        assert_eq!(list.name("other", "pl"), "other");
        assert!(list.allows("damaged") && !list.allows("other"));
        assert!(RootCauses::default().allows("anything"));
        assert_eq!(list.keys(), "courier_late, damaged");
        let errs = RootCauses::parse(&json_value(
            r#"{"codes": [{"key": "A b", "name": "x"}, {"key": "d", "name": "x"},
                          {"key": "d", "name": "y"}, {"name": "z"}, 3], "x": 1}"#,
        ))
        .unwrap_err();
        let paths: Vec<&str> = errs.0.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "codes[0].key",
                "codes[2].key",
                "codes[3].key",
                "codes[4]",
                "x"
            ],
            "{errs:?}"
        );
    }
}
