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
        let codes = keyed_list(v, "codes", MAX_ROOT_CAUSES, |_, _| Some(()))?;
        Ok(RootCauses {
            codes: codes.into_iter().map(|(k, n, ())| (k, n)).collect(),
        })
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

/// Reads `{"<field>": [{"key", "name", ...}]}`: at most `max` items, keys unique, each
/// item's other fields read by `extra` (which must consume them; an item whose `extra`
/// gives `None` is left out, its problems recorded). Every problem at its path.
fn keyed_list<T>(
    v: &Value,
    field: &'static str,
    max: usize,
    mut extra: impl FnMut(&mut Obj<'_>, &mut Errors) -> Option<T>,
) -> Result<Vec<(crate::Key, crate::journey::Label, T)>, FieldErrors> {
    let mut errs = Errors::default();
    let mut items = Vec::new();
    if let Some(mut o) = Obj::new(v, "", &mut errs) {
        let path = o.path(field);
        match o.req(field, &mut errs) {
            Some(Value::List(list)) if list.len() <= max => {
                for (i, item) in list.iter().enumerate() {
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
                    let more = extra(&mut c, &mut errs);
                    c.finish(&mut errs);
                    if let (Some(key), Some(name), Some(more)) = (key, name, more) {
                        if items.iter().any(|(k, _, _): &(crate::Key, _, _)| *k == key) {
                            errs.push(
                                kp,
                                K::Duplicate {
                                    id: key.as_str().to_string(),
                                },
                            );
                        } else {
                            items.push((key, name, more));
                        }
                    }
                }
            }
            Some(Value::List(_)) => errs.push(path, K::TooMany { max }),
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
    errs.into_result(items)
}

/// The most teams a workspace keeps, and the most members a team has.
pub const MAX_TEAMS: usize = 50;
pub const MAX_TEAM_MEMBERS: usize = 200;

/// One team: its key (what a case and a rule name), its name, its lead and its members.
#[derive(Debug, Clone, PartialEq)]
pub struct Team {
    pub key: crate::Key,
    pub name: crate::journey::Label,
    /// Told at a breach of one of the team's cases, which then goes to them.
    pub lead: Option<UserId>,
    pub members: Vec<UserId>,
}

impl Team {
    /// Whether `user` works the team's cases (a member or the lead).
    pub fn has(&self, user: &str) -> bool {
        self.lead.as_ref().is_some_and(|l| l.as_str() == user)
            || self.members.iter().any(|m| m.as_str() == user)
    }
}

/// A workspace's teams, in the order people pick them:
///
/// ```json
/// {"teams": [{"key": "couriers", "name": {"pl": "Kurierzy", "en": "Couriers"},
///             "lead": "usr_…", "members": ["usr_…", "usr_…"]}]}
/// ```
///
/// With a list, a case's team must be one of its keys; without one, any key. Whether the
/// users belong to the workspace is for the caller to check (`users`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Teams {
    pub teams: Vec<Team>,
}

impl Teams {
    /// Reads a list, every problem at its path (`teams[1].members[0]`).
    pub fn parse(v: &Value) -> Result<Teams, FieldErrors> {
        let items = keyed_list(v, "teams", MAX_TEAMS, |c, errs| {
            let lp = c.path("lead");
            // A bad lead is reported, and the members are still read (and reported).
            let mut lead_ok = true;
            let lead = match c.str("lead", errs) {
                Some(s) => match UserId::parse(s) {
                    Ok(u) => Some(u),
                    Err(k) => {
                        errs.push(&lp, k);
                        lead_ok = false;
                        None
                    }
                },
                None => None,
            };
            let mp = c.path("members");
            let mut members: Vec<UserId> = Vec::new();
            match c.get("members") {
                Some(Value::List(list)) if list.len() <= MAX_TEAM_MEMBERS => {
                    let mut ok = true;
                    for (i, m) in list.iter().enumerate() {
                        let p = format!("{mp}[{i}]");
                        match m.as_str().map(UserId::parse) {
                            Some(Ok(u)) if members.contains(&u) => {
                                ok = false;
                                errs.push(
                                    p,
                                    K::Duplicate {
                                        id: u.as_str().to_string(),
                                    },
                                );
                            }
                            Some(Ok(u)) => members.push(u),
                            Some(Err(k)) => {
                                ok = false;
                                errs.push(p, k);
                            }
                            None => {
                                ok = false;
                                errs.push(
                                    p,
                                    K::WrongType {
                                        expected: crate::error::Expected::String,
                                    },
                                );
                            }
                        }
                    }
                    if !ok {
                        return None;
                    }
                }
                Some(Value::List(_)) => {
                    errs.push(
                        mp,
                        K::TooMany {
                            max: MAX_TEAM_MEMBERS,
                        },
                    );
                    return None;
                }
                Some(_) => {
                    errs.push(
                        mp,
                        K::WrongType {
                            expected: crate::error::Expected::Array,
                        },
                    );
                    return None;
                }
                None => {}
            }
            lead_ok.then_some((lead, members))
        })?;
        Ok(Teams {
            teams: items
                .into_iter()
                .map(|(key, name, (lead, members))| Team {
                    key,
                    name,
                    lead,
                    members,
                })
                .collect(),
        })
    }

    pub fn to_value(&self) -> Value {
        Value::map([(
            "teams",
            Value::List(
                self.teams
                    .iter()
                    .map(|t| {
                        let mut m = BTreeMap::new();
                        m.insert("key".to_string(), Value::str(t.key.as_str()));
                        m.insert("name".to_string(), t.name.to_value());
                        if let Some(l) = &t.lead {
                            m.insert("lead".to_string(), Value::str(l.as_str()));
                        }
                        m.insert(
                            "members".to_string(),
                            Value::List(t.members.iter().map(|u| Value::str(u.as_str())).collect()),
                        );
                        Value::Map(m)
                    })
                    .collect(),
            ),
        )])
    }

    /// The team with `key`.
    pub fn get(&self, key: &str) -> Option<&Team> {
        self.teams.iter().find(|t| t.key.as_str() == key)
    }

    /// Whether `key` may be a case's team: any key without a list, else one of it.
    pub fn allows(&self, key: &str) -> bool {
        self.teams.is_empty() || self.get(key).is_some()
    }

    /// The keys, for messages (`couriers, returns`).
    pub fn keys(&self) -> String {
        self.teams
            .iter()
            .map(|t| t.key.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A team's name in `locale`; the key itself when it is not in the list.
    pub fn name<'a>(&'a self, key: &'a str, locale: &str) -> &'a str {
        self.get(key).map_or(key, |t| t.name.get(locale))
    }

    /// The keys of the teams `user` works in (member or lead).
    pub fn of_user(&self, user: &str) -> Vec<&str> {
        self.teams
            .iter()
            .filter(|t| t.has(user))
            .map(|t| t.key.as_str())
            .collect()
    }

    /// Every user the list names (leads and members), each once, with the path of its
    /// first mention, for the caller to check against the workspace's members.
    pub fn users(&self) -> Vec<(String, &UserId)> {
        let mut out: Vec<(String, &UserId)> = Vec::new();
        for (i, t) in self.teams.iter().enumerate() {
            let named = t
                .lead
                .iter()
                .map(|l| (format!("teams[{i}].lead"), l))
                .chain(
                    t.members
                        .iter()
                        .enumerate()
                        .map(|(j, m)| (format!("teams[{i}].members[{j}]"), m)),
                );
            for (p, u) in named {
                if !out.iter().any(|(_, x)| *x == u) {
                    out.push((p, u));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod team_tests {
    use super::*;
    use crate::value::json_value;

    const A: &str = "usr_01j0000000000000000000000a";
    const B: &str = "usr_01j0000000000000000000000b";

    #[test]
    fn a_list_of_teams_is_read_named_and_enforced() {
        let list = Teams::parse(&json_value(&format!(
            r#"{{"teams": [{{"key": "couriers", "name": {{"pl": "Kurierzy", "en": "Couriers"}},
                             "lead": "{A}", "members": ["{B}"]}},
                           {{"key": "returns", "name": "Zwroty"}}]}}"#
        )))
        .unwrap();
        assert_eq!(Teams::parse(&list.to_value()).unwrap(), list);
        assert_eq!(list.name("couriers", "pl"), "Kurierzy");
        assert_eq!(list.name("nobody", "pl"), "nobody");
        assert!(list.allows("returns") && !list.allows("nobody"));
        assert!(Teams::default().allows("anything"));
        assert_eq!(list.keys(), "couriers, returns");
        assert_eq!(list.of_user(A), ["couriers"]);
        assert_eq!(list.of_user(B), ["couriers"]);
        assert!(list.of_user("usr_01j0000000000000000000000c").is_empty());
        let users: Vec<(String, &str)> = list
            .users()
            .into_iter()
            .map(|(p, u)| (p, u.as_str()))
            .collect();
        assert_eq!(
            users,
            [
                ("teams[0].lead".to_string(), A),
                ("teams[0].members[0]".to_string(), B)
            ]
        );
    }

    #[test]
    fn every_problem_of_a_team_list_at_its_path() {
        let errs = Teams::parse(&json_value(&format!(
            r#"{{"teams": [{{"key": "a", "name": "x", "lead": "bob", "members": [7]}},
                           {{"key": "b", "name": "x", "members": ["{A}", "{A}", 3]}},
                           {{"key": "c", "name": "x", "members": "{A}"}},
                           {{"key": "c", "name": "y"}}, {{"key": "c", "name": "z"}}]}}"#
        )))
        .unwrap_err();
        let paths: Vec<&str> = errs.0.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "teams[0].lead",
                "teams[0].members[0]",
                "teams[1].members[1]",
                "teams[1].members[2]",
                "teams[2].members",
                "teams[4].key"
            ],
            "{errs:?}"
        );
    }
}
