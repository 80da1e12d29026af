//! Cases, alert rules and the SLA policy on the wire.

use puls_app::AppError;
use puls_app::cases::{CaseChange, CaseDetail, CaseView, NewCase, Timer};
use puls_core::alert::Priority;
use puls_core::case::CaseStatus;
use puls_core::{Key, UserId};
use puls_store::{CaseEvent, DefinitionRecord, json};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::analytics::RateDto;
use crate::time::format_ms;

/// One SLA timer of a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimerDto {
    /// `on_track`, `at_risk`, `paused` (waiting for the customer), `met` or `breached`.
    pub state: String,
    /// Business hours allowed.
    pub target_hours: f64,
    /// When it is (or was) due; absent while paused.
    pub due_at: Option<String>,
    /// When it was met.
    pub done_at: Option<String>,
    /// When it was breached (its due time), once passed undone or done late.
    pub breached_at: Option<String>,
    /// Share of the target used, 0-1 and above when breached.
    pub used: f64,
}

impl TimerDto {
    fn of(t: &Timer) -> Self {
        TimerDto {
            state: t.state.as_str().into(),
            target_hours: t.target_ms as f64 / 3_600_000.0,
            due_at: t.due_at.map(format_ms),
            done_at: t.done_at.map(format_ms),
            breached_at: t.breached_at.map(format_ms),
            used: (t.used() * 1000.0).round() / 1000.0,
        }
    }
}

/// A case.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDto {
    pub id: String,
    pub title: String,
    /// `new`, `in_progress`, `waiting`, `resolved` or `closed`.
    pub status: String,
    /// `low`, `normal`, `high` or `urgent`.
    pub priority: String,
    /// The owner's user id.
    pub owner_id: Option<String>,
    pub team: Option<String>,
    /// The alert rule that opened it (absent: opened by hand).
    pub rule: Option<String>,
    pub response_id: Option<String>,
    pub survey_id: Option<String>,
    pub touchpoint: Option<String>,
    /// Who it is about: `external:ID` or `email:ADDRESS`.
    pub contact: Option<String>,
    pub contact_email: Option<String>,
    pub locale: String,
    pub root_cause: Option<String>,
    pub first_response: TimerDto,
    pub resolution: TimerDto,
    /// Grows with every change; send it back as `revision` to change only this version.
    pub revision: i64,
    pub created_at: String,
    pub updated_at: String,
    pub closed_at: Option<String>,
    /// Its history, oldest first (a case's own page only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<CaseEventDto>>,
}

/// One entry of a case's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseEventDto {
    pub n: i64,
    pub at: String,
    /// `created`, `status`, `owner`, `team`, `priority`, `root_cause`, `title`, `note`,
    /// `reply`, `linked` or `escalated`.
    pub kind: String,
    /// A user id, `api`, `rule:KEY` or `system`.
    pub actor: String,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

impl CaseEventDto {
    pub fn of(e: &CaseEvent) -> Self {
        CaseEventDto {
            n: e.n,
            at: format_ms(e.at),
            kind: e.kind.clone(),
            actor: e.actor.clone(),
            data: serde_json::from_str(&e.data).unwrap_or_default(),
        }
    }
}

impl CaseDto {
    pub fn of(v: &CaseView) -> Self {
        let c = &v.case;
        CaseDto {
            id: c.id.clone(),
            title: c.title.clone(),
            status: c.status.as_str().into(),
            priority: c.priority.as_str().into(),
            owner_id: c.owner_id.clone(),
            team: c.team.clone(),
            rule: c.rule_key.clone(),
            response_id: c.response_id.clone(),
            survey_id: c.survey_id.clone(),
            touchpoint: c.touchpoint.clone(),
            contact: c.contact_key.clone(),
            contact_email: c.contact_email.clone(),
            locale: c.locale.clone(),
            root_cause: c.root_cause.clone(),
            first_response: TimerDto::of(&v.sla.first_response),
            resolution: TimerDto::of(&v.sla.resolution),
            revision: c.revision,
            created_at: format_ms(c.created_at),
            updated_at: format_ms(c.updated_at),
            closed_at: c.closed_at.map(format_ms),
            history: None,
        }
    }

    pub fn detailed(d: &CaseDetail) -> Self {
        CaseDto {
            history: Some(d.history.iter().map(CaseEventDto::of).collect()),
            ..CaseDto::of(&d.view)
        }
    }
}

/// A page of cases, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct CasePageDto {
    pub items: Vec<CaseDto>,
    /// Pass as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
}

/// Which cases to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    /// Comma-separated statuses (`new,in_progress`), or `open` for every open one.
    pub status: Option<String>,
    /// `low`, `normal`, `high` or `urgent`.
    pub priority: Option<String>,
    /// A user id, or `none` for unassigned cases.
    pub owner: Option<String>,
    pub team: Option<String>,
    /// `true`: open cases past their resolution due time.
    pub overdue: Option<bool>,
    pub response_id: Option<String>,
    pub cursor: Option<String>,
    /// Page size, 1-500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

fn priority(field: &str, s: &str) -> Result<Priority, AppError> {
    Priority::parse(s)
        .ok_or_else(|| AppError::invalid(format!("{field}: one of low, normal, high, urgent")))
}

/// A priority in a body: a field problem.
fn body_priority(field: &str, s: &str) -> Result<Priority, AppError> {
    Priority::parse(s).ok_or_else(|| {
        AppError::field(
            field,
            puls_core::FieldErrorKind::NotOneOf {
                allowed: "low, normal, high, urgent".into(),
            },
        )
    })
}

impl CaseQuery {
    /// The store's filter (without cursor and limit).
    pub fn filter(&self, now: i64) -> Result<puls_store::CaseFilter, AppError> {
        let statuses = match self.status.as_deref() {
            None => Vec::new(),
            Some("open") => vec![CaseStatus::New, CaseStatus::InProgress, CaseStatus::Waiting],
            Some(list) => list
                .split(',')
                .map(|s| {
                    CaseStatus::parse(s.trim()).ok_or_else(|| {
                        AppError::invalid(
                            "status: open, or statuses of new, in_progress, waiting, resolved, closed",
                        )
                    })
                })
                .collect::<Result<_, _>>()?,
        };
        let (owner, unassigned) = match self.owner.as_deref() {
            None => (None, false),
            Some("none") => (None, true),
            Some(o) => (
                Some(
                    UserId::parse(o)
                        .map_err(|_| AppError::invalid("owner: a user id or none"))?
                        .as_str()
                        .to_string(),
                ),
                false,
            ),
        };
        Ok(puls_store::CaseFilter {
            statuses,
            priority: self
                .priority
                .as_deref()
                .map(|p| priority("priority", p))
                .transpose()?,
            owner,
            unassigned,
            teams: self.team.iter().cloned().collect(),
            due_before: self.overdue.unwrap_or(false).then_some(now),
            response_id: self.response_id.clone(),
            before: None,
            limit: 0,
        })
    }
}

/// A case to open by hand.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseInput {
    /// The response it is about: its contact, survey and touchpoint come with it.
    pub response_id: Option<String>,
    /// Required without a response.
    pub title: Option<String>,
    /// `low`, `normal` (default), `high` or `urgent`.
    pub priority: Option<String>,
    /// A member's user id.
    pub owner_id: Option<String>,
    pub team: Option<String>,
}

impl CaseInput {
    pub fn into_app(self) -> Result<NewCase, AppError> {
        Ok(NewCase {
            response_id: self.response_id,
            title: self.title,
            priority: self
                .priority
                .as_deref()
                .map(|p| body_priority("priority", p))
                .transpose()?,
            owner: self
                .owner_id
                .as_deref()
                .map(|o| UserId::parse(o).map_err(|k| AppError::field("owner_id", k)))
                .transpose()?,
            team: self
                .team
                .as_deref()
                .map(|t| Key::parse(t).map_err(|k| AppError::field("team", k)))
                .transpose()?,
        })
    }
}

/// `Some(None)` for an explicit `null`, `None` when absent.
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// Changes to a case; absent fields stay, `null` clears owner, team and root cause.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CasePatch {
    pub title: Option<String>,
    /// By the status machine: open cases move freely and may be resolved; resolved ones
    /// may be closed or reopened (`in_progress`); closed ones only reopened.
    pub status: Option<String>,
    pub priority: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub owner_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub team: Option<Option<String>>,
    /// A root-cause code (a key such as `courier_late`).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub root_cause: Option<Option<String>>,
    /// Change only this revision of the case (409 `revision_conflict` otherwise).
    pub revision: Option<i64>,
}

impl CasePatch {
    pub fn into_app(self) -> Result<(CaseChange, Option<i64>), AppError> {
        let key = |field: &'static str, v: Option<Option<String>>| {
            v.map(|o| {
                o.map(|s| Key::parse(&s).map_err(|k| AppError::field(field, k)))
                    .transpose()
            })
            .transpose()
        };
        let change = CaseChange {
            title: self.title,
            status: self
                .status
                .as_deref()
                .map(|s| {
                    CaseStatus::parse(s).ok_or_else(|| {
                        AppError::field(
                            "status",
                            puls_core::FieldErrorKind::NotOneOf {
                                allowed: "in_progress, waiting, resolved, closed".into(),
                            },
                        )
                    })
                })
                .transpose()?,
            priority: self
                .priority
                .as_deref()
                .map(|p| body_priority("priority", p))
                .transpose()?,
            owner: self
                .owner_id
                .map(|o| {
                    o.map(|s| UserId::parse(&s).map_err(|k| AppError::field("owner_id", k)))
                        .transpose()
                })
                .transpose()?,
            team: key("team", self.team)?,
            root_cause: key("root_cause", self.root_cause)?,
        };
        Ok((change, self.revision))
    }
}

/// A note or a reply.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseText {
    /// 1-10,000 characters.
    pub text: String,
}

/// A saved alert rule.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertRuleDto {
    pub key: String,
    /// `{"key", "name", "enabled", "survey", "match", "conditions", "actions"}`; see
    /// docs/alerts.md.
    #[schema(value_type = Object)]
    pub definition: serde_json::Value,
    pub created_at: String,
    pub updated_at: String,
}

impl AlertRuleDto {
    pub fn of(r: &DefinitionRecord) -> Self {
        AlertRuleDto {
            key: r.key.clone(),
            definition: json::to_json(&r.definition),
            created_at: format_ms(r.created_at),
            updated_at: format_ms(r.updated_at),
        }
    }
}

/// When to preview a metric rule.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PreviewQuery {
    /// The moment to evaluate at (RFC 3339 or a date; default now): the rule compares the
    /// last complete week or month before it with the one before that.
    pub at: Option<String>,
}

/// One watched group of a metric rule, for one period.
#[derive(Debug, Serialize, ToSchema)]
pub struct MetricFindingDto {
    pub group: String,
    /// `2026-08` (a month) or `2026-W33` (a week), in the workspace's time zone.
    pub period: String,
    pub period_start: String,
    pub period_end: String,
    pub previous_start: String,
    pub n: u64,
    pub previous_n: u64,
    pub value: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub previous: Option<f64>,
    pub difference: Option<f64>,
    pub p_value: Option<f64>,
    /// Whether the rule alarms for this group (after Benjamini–Hochberg for `drop`).
    pub alarm: bool,
}

impl MetricFindingDto {
    pub fn of(f: &puls_app::metric_alerts::MetricFinding) -> Self {
        MetricFindingDto {
            group: f.group.clone(),
            period: f.period.clone(),
            period_start: format_ms(f.from_ms),
            period_end: format_ms(f.to_ms),
            previous_start: format_ms(f.previous_from_ms),
            n: f.n,
            previous_n: f.previous_n,
            value: f.value,
            ci_low: f.ci_low,
            ci_high: f.ci_high,
            previous: f.previous,
            difference: f.difference,
            p_value: f.p_value,
            alarm: f.alarm,
        }
    }
}

/// A share with its Wilson interval, in percent (the analytics' rate).
fn share(p: &puls_core::stats::Proportion) -> RateDto {
    RateDto::of(p)
}

/// Business hours a timer took over the cases that met it (done).
#[derive(Debug, Serialize, ToSchema)]
pub struct DurationsDto {
    pub n: u64,
    pub median_hours: Option<f64>,
    pub p90_hours: Option<f64>,
}

impl DurationsDto {
    fn of(d: &puls_app::recovery::Durations) -> Self {
        DurationsDto {
            n: d.n,
            median_hours: d.median_hours,
            p90_hours: d.p90_hours,
        }
    }
}

/// One group's cases (all, a team, a touchpoint).
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseGroupDto {
    /// The team or touchpoint (empty: none; absent for all cases).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub cases: u64,
    pub first_response: DurationsDto,
    pub resolution: DurationsDto,
    /// Met in time, among the timers decided (met, or breached).
    pub first_response_met: RateDto,
    pub resolution_met: RateDto,
}

impl CaseGroupDto {
    fn of(g: &puls_app::recovery::GroupTimes, named: bool) -> Self {
        CaseGroupDto {
            group: named.then(|| g.group.clone()),
            cases: g.cases,
            first_response: DurationsDto::of(&g.first_response),
            resolution: DurationsDto::of(&g.resolution),
            first_response_met: share(&g.first_response_met),
            resolution_met: share(&g.resolution_met),
        }
    }
}

/// The re-surveyed detractors.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryDto {
    /// Cases about a response with NPS 0-6.
    pub detractor_cases: u64,
    /// Of those, re-surveys sent for.
    pub asked: u64,
    /// Of those, answered.
    pub answered: u64,
    /// Answered 7 or more.
    pub recovered: u64,
    /// Answered 9 or 10.
    pub promoters: u64,
    /// `recovered / answered`, in percent, with its Wilson interval.
    pub rate: RateDto,
}

/// A root cause and its cases.
#[derive(Debug, Serialize, ToSchema)]
pub struct RootCauseDto {
    pub root_cause: String,
    pub cases: u64,
}

/// The cases opened in a period: SLA compliance, times, root causes and recovery.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseReportDto {
    pub from: String,
    pub to: String,
    pub cases: u64,
    pub resolved: u64,
    pub all: CaseGroupDto,
    pub by_team: Vec<CaseGroupDto>,
    pub by_touchpoint: Vec<CaseGroupDto>,
    pub root_causes: Vec<RootCauseDto>,
    pub recovery: RecoveryDto,
}

impl CaseReportDto {
    pub fn of(r: &puls_app::recovery::CaseReport) -> Self {
        CaseReportDto {
            from: format_ms(r.from_ms),
            to: format_ms(r.to_ms),
            cases: r.cases,
            resolved: r.resolved,
            all: CaseGroupDto::of(&r.all, false),
            by_team: r
                .by_team
                .iter()
                .map(|g| CaseGroupDto::of(g, true))
                .collect(),
            by_touchpoint: r
                .by_touchpoint
                .iter()
                .map(|g| CaseGroupDto::of(g, true))
                .collect(),
            root_causes: r
                .root_causes
                .iter()
                .map(|(c, n)| RootCauseDto {
                    root_cause: c.clone(),
                    cases: *n,
                })
                .collect(),
            recovery: RecoveryDto {
                detractor_cases: r.recovery.detractor_cases,
                asked: r.recovery.asked,
                answered: r.recovery.answered,
                recovered: r.recovery.recovered,
                promoters: r.recovery.promoters,
                rate: share(&r.recovery.rate),
            },
        }
    }
}
