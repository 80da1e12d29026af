//! Cases: a customer's bad moment that someone must act on. Opened by an alert rule or by
//! hand from a response; owned by a user and a team; moved through the status machine
//! (`puls_core::case`), every change, note, reply and reassignment kept in its history.
//!
//! Each case runs two SLA timers, first response and resolution, in the business hours of
//! the workspace's SLA policy (its setting `sla`, else office hours in the workspace's time
//! zone); waiting for the customer and being resolved stop both. Due times are kept with
//! the case for the queue and recomputed on every change; whether a timer is met,
//! breached (and when) or at risk is worked out when the case is read. Escalation
//! ([`App::escalate_cases`]) tells the owner at the policy's share of a target and the
//! admins at a breach, once per case and timer whichever node gets there first.
//!
//! Every change is written with the webhook jobs that announce it (`case.created`,
//! `case.updated`, `case.resolved`) in one transaction, so an announced change happened
//! and a change is never left unannounced.

use puls_core::alert::Priority;
use puls_core::case::{CaseStatus, RootCauses, SlaPolicy, Teams};
use puls_core::sla::{Pause, fraction_used};
use puls_core::{Key, UserId, Value, WorkspaceId};
use puls_store::json::JsonText;
use puls_store::{CaseEvent, CaseFilter, CaseRecord, DefinitionKind, NewJob, ResponseRecord};

use crate::email::EmailJob;
use crate::webhooks::message_id;
use crate::{App, AppError, Rejection};

/// The name of the SLA policy's setting.
pub const SLA_SETTING: &str = "sla";
/// The name of the setting with the workspace's root-cause codes.
pub const ROOT_CAUSES_SETTING: &str = "root_causes";
/// The name of the setting with the workspace's teams.
pub const TEAMS_SETTING: &str = "teams";
/// The most characters of a title, a note or a reply.
pub const MAX_TITLE: usize = 200;
pub const MAX_TEXT: usize = 10_000;

/// Who did something to a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseActor {
    User(UserId),
    /// An API key.
    Api,
    /// An alert rule, by key.
    Rule(String),
    System,
}

impl CaseActor {
    pub fn as_text(&self) -> String {
        match self {
            CaseActor::User(u) => u.as_str().to_string(),
            CaseActor::Api => "api".into(),
            CaseActor::Rule(k) => format!("rule:{k}"),
            CaseActor::System => "system".into(),
        }
    }
}

/// A case to open by hand.
#[derive(Debug, Clone, Default)]
pub struct NewCase {
    /// The response it is about (its contact, survey and touchpoint come with it).
    pub response_id: Option<String>,
    /// Default: the survey's name and the response's score.
    pub title: Option<String>,
    pub priority: Option<Priority>,
    pub owner: Option<UserId>,
    pub team: Option<Key>,
}

/// What to change of a case; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct CaseChange {
    pub title: Option<String>,
    pub status: Option<CaseStatus>,
    pub priority: Option<Priority>,
    pub owner: Option<Option<UserId>>,
    pub team: Option<Option<Key>>,
    pub root_cause: Option<Option<Key>>,
}

/// Where one SLA timer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimerState {
    /// Running, under the warning share.
    OnTrack,
    /// Running, past the warning share.
    AtRisk,
    /// Standing still (waiting for the customer).
    Paused,
    /// Done in time.
    Met,
    /// Past due (done late, or not done).
    Breached,
}

impl TimerState {
    pub fn as_str(self) -> &'static str {
        match self {
            TimerState::OnTrack => "on_track",
            TimerState::AtRisk => "at_risk",
            TimerState::Paused => "paused",
            TimerState::Met => "met",
            TimerState::Breached => "breached",
        }
    }
}

/// One SLA timer of a case.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timer {
    /// Business milliseconds allowed.
    pub target_ms: i64,
    /// When it is (or was) due; `None` while paused.
    pub due_at: Option<i64>,
    /// When it was met (first response, resolution).
    pub done_at: Option<i64>,
    /// When it was breached: its due time, once passed undone or done late.
    pub breached_at: Option<i64>,
    /// Business milliseconds used so far (until done).
    pub elapsed_ms: i64,
    pub state: TimerState,
}

impl Timer {
    /// The share of the target used.
    pub fn used(&self) -> f64 {
        fraction_used(self.elapsed_ms, self.target_ms)
    }
}

/// Both timers of a case.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CaseSla {
    pub first_response: Timer,
    pub resolution: Timer,
}

/// A case with its timers, as lists show it.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseView {
    pub case: CaseRecord,
    pub sla: CaseSla,
}

/// A case with its history.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseDetail {
    pub view: CaseView,
    pub history: Vec<CaseEvent>,
}

/// What resolving a case does about asking the customer again.
enum Resurvey {
    /// The policy asks no one.
    Off,
    /// Not asked, and why (`no_email`, `no_survey`, `consent_withdrawn`, `email_off`).
    Skipped(&'static str),
    /// A personal link's token and the e-mail that carries it, due after the delay.
    Scheduled { token: String, job: NewJob },
}

/// Where one of a case's timers stands at `now`.
fn timer(
    policy: &SlaPolicy,
    case: &CaseRecord,
    target_ms: i64,
    done_at: Option<i64>,
    now: i64,
) -> Timer {
    // A done timer counts only the pauses before it was done.
    let pauses: Vec<Pause> = case
        .pauses
        .iter()
        .filter(|(from, _)| done_at.is_none_or(|d| *from < d))
        .map(|&(from, to)| Pause {
            from,
            to: match done_at {
                Some(d) => Some(to.unwrap_or(d).min(d)),
                None => to,
            },
        })
        .collect();
    let hours = &policy.hours;
    let due_at = hours.due(case.created_at, target_ms, &pauses);
    let until = done_at.unwrap_or(now);
    let elapsed_ms = hours.elapsed(case.created_at, until, &pauses);
    let late = |at: i64| due_at.filter(|d| at > *d);
    let (state, breached_at) = match done_at {
        Some(d) => match late(d) {
            Some(due) => (TimerState::Breached, Some(due)),
            None => (TimerState::Met, None),
        },
        None => match late(now) {
            Some(due) => (TimerState::Breached, Some(due)),
            None if due_at.is_none() => (TimerState::Paused, None),
            None if fraction_used(elapsed_ms, target_ms) * 100.0
                >= policy.warn_at_percent as f64 =>
            {
                (TimerState::AtRisk, None)
            }
            None => (TimerState::OnTrack, None),
        },
    };
    Timer {
        target_ms,
        due_at,
        done_at,
        breached_at,
        elapsed_ms,
        state,
    }
}

/// A case's timers at `now` under `policy`.
pub fn case_sla(policy: &SlaPolicy, case: &CaseRecord, now: i64) -> CaseSla {
    let t = policy.targets(case.priority);
    CaseSla {
        first_response: timer(
            policy,
            case,
            t.first_response_ms,
            case.first_response_at,
            now,
        ),
        resolution: timer(policy, case, t.resolution_ms, case.resolved_at, now),
    }
}

/// Sets a case's kept due times from its timers (none while paused or done).
pub(crate) fn set_due(policy: &SlaPolicy, case: &mut CaseRecord, now: i64) {
    let sla = case_sla(policy, case, now);
    case.first_response_due = sla.first_response.due_at;
    case.resolution_due = sla.resolution.due_at;
}

/// The case's id for a response: one case per response, whichever rule or node opens it.
pub fn case_id_for_response(response_id: &str) -> String {
    let msg = message_id("case", "response", response_id);
    format!("case_{}", &msg["msg_".len()..])
}

/// Who a response is from, as cases key them.
pub fn contact_key(r: &ResponseRecord) -> Option<String> {
    r.contact_external_id
        .as_ref()
        .map(|e| format!("external:{e}"))
        .or_else(|| r.contact_email.as_ref().map(|e| format!("email:{e}")))
}

fn check_text(field: &str, s: &str, max: usize) -> Result<String, AppError> {
    use puls_core::FieldErrorKind as K;
    let t = s.trim();
    if t.is_empty() {
        return Err(AppError::field(field, K::Empty));
    }
    if t.contains('\0') {
        return Err(AppError::field(field, K::NulCharacter));
    }
    if t.chars().count() > max {
        return Err(AppError::field(field, K::TooLong { max }));
    }
    Ok(t.to_string())
}

fn event(at: i64, kind: &str, actor: &CaseActor, data: serde_json::Value) -> CaseEvent {
    CaseEvent {
        n: 0,
        at,
        kind: kind.into(),
        actor: actor.as_text(),
        data: data.to_string(),
    }
}

/// A case as webhooks and e-mails carry it.
pub fn case_data(c: &CaseRecord) -> serde_json::Value {
    let time = |t: Option<i64>| t.map(puls_core::instant::format);
    serde_json::json!({
        "id": c.id,
        "title": c.title,
        "status": c.status.as_str(),
        "priority": c.priority.as_str(),
        "owner_id": c.owner_id,
        "team": c.team,
        "rule": c.rule_key,
        "response_id": c.response_id,
        "survey_id": c.survey_id,
        "touchpoint": c.touchpoint,
        "root_cause": c.root_cause,
        "created_at": puls_core::instant::format(c.created_at),
        "first_response_due": time(c.first_response_due),
        "resolution_due": time(c.resolution_due),
        "first_response_at": time(c.first_response_at),
        "resolved_at": time(c.resolved_at),
    })
}

impl App {
    /// A workspace setting's stored value (`None`: never set).
    pub(crate) async fn setting(
        &self,
        workspace_id: WorkspaceId,
        key: &str,
    ) -> Result<Option<Value>, AppError> {
        Ok(self
            .store()
            .get_definition(DefinitionKind::Setting, workspace_id, key)
            .await?
            .map(|r| r.definition))
    }

    /// Stores a workspace setting (validated by the caller).
    pub(crate) async fn put_setting(
        &self,
        workspace_id: WorkspaceId,
        key: &str,
        value: &Value,
    ) -> Result<(), AppError> {
        self.store()
            .put_definition(
                DefinitionKind::Setting,
                workspace_id,
                key,
                &JsonText::encode(value),
                crate::now_ms(),
            )
            .await?;
        Ok(())
    }

    /// The workspace's SLA policy: its `sla` setting, else the default in its time zone.
    pub async fn sla_policy(&self, workspace_id: WorkspaceId) -> Result<SlaPolicy, AppError> {
        let tz = &self.analytics().config.time_zone;
        match self.setting(workspace_id, SLA_SETTING).await? {
            Some(v) => Ok(SlaPolicy::parse(&v, tz)
                .map_err(|e| anyhow::anyhow!("stored SLA policy is invalid: {e}"))?),
            None => {
                Ok(SlaPolicy::default_for(tz)
                    .map_err(|e| anyhow::anyhow!("time zone {tz}: {e}"))?)
            }
        }
    }

    /// The workspace's root-cause codes (setting `root_causes`); none: any key is a root
    /// cause.
    pub async fn root_causes(&self, workspace_id: WorkspaceId) -> Result<RootCauses, AppError> {
        match self.setting(workspace_id, ROOT_CAUSES_SETTING).await? {
            Some(v) => Ok(RootCauses::parse(&v)
                .map_err(|e| anyhow::anyhow!("stored root causes are invalid: {e}"))?),
            None => Ok(RootCauses::default()),
        }
    }

    /// Replaces the workspace's root-cause codes (cases keep the codes they have).
    pub async fn save_root_causes(
        &self,
        workspace_id: WorkspaceId,
        def: &Value,
    ) -> Result<RootCauses, AppError> {
        let list = RootCauses::parse(def)?;
        self.put_setting(workspace_id, ROOT_CAUSES_SETTING, &list.to_value())
            .await?;
        Ok(list)
    }

    /// The workspace's teams (setting `teams`); none: any key is a team.
    pub async fn teams(&self, workspace_id: WorkspaceId) -> Result<Teams, AppError> {
        match self.setting(workspace_id, TEAMS_SETTING).await? {
            Some(v) => {
                Ok(Teams::parse(&v)
                    .map_err(|e| anyhow::anyhow!("stored teams are invalid: {e}"))?)
            }
            None => Ok(Teams::default()),
        }
    }

    /// Replaces the workspace's teams; every lead and member must belong to the
    /// workspace (cases keep the team keys they have).
    pub async fn save_teams(
        &self,
        workspace_id: WorkspaceId,
        def: &Value,
    ) -> Result<Teams, AppError> {
        let teams = Teams::parse(def)?;
        let members = self.store().members(workspace_id).await?;
        for (path, user) in teams.users() {
            if !members.iter().any(|m| &m.user.id == user) {
                return Err(AppError::rejected(
                    Rejection::NotAMember,
                    format!("{path}: {user} is not a member of this workspace"),
                ));
            }
        }
        self.put_setting(workspace_id, TEAMS_SETTING, &teams.to_value())
            .await?;
        Ok(teams)
    }

    /// Refuses a team outside the workspace's list (422 at `field`, naming the keys).
    pub(crate) async fn check_team(
        &self,
        workspace_id: WorkspaceId,
        team: &Key,
        field: &str,
    ) -> Result<(), AppError> {
        let list = self.teams(workspace_id).await?;
        if list.allows(team.as_str()) {
            Ok(())
        } else {
            Err(AppError::field(
                field,
                puls_core::FieldErrorKind::NotOneOf {
                    allowed: list.keys(),
                },
            ))
        }
    }

    /// Replaces the workspace's SLA policy (open cases keep their timers' starts; their
    /// due times follow the new policy at their next change).
    pub async fn save_sla_policy(
        &self,
        workspace_id: WorkspaceId,
        def: &Value,
    ) -> Result<SlaPolicy, AppError> {
        let policy = SlaPolicy::parse(def, &self.analytics().config.time_zone)?;
        self.put_setting(workspace_id, SLA_SETTING, &policy.to_value())
            .await?;
        Ok(policy)
    }

    /// The jobs that announce `event_type` of a case to the workspace's webhooks that take
    /// it; `key` tells one announcement of the case from another.
    pub(crate) async fn case_jobs(
        &self,
        case: &CaseRecord,
        event_type: &str,
        key: &str,
        now: i64,
    ) -> Result<Vec<NewJob>, AppError> {
        self.event_jobs(case.workspace_id, event_type, key, case_data(case), now)
            .await
    }

    /// Builds a new case (not stored), its timers set from the policy.
    pub(crate) async fn new_case(
        &self,
        workspace_id: WorkspaceId,
        id: String,
        response: Option<&ResponseRecord>,
        title: String,
        priority: Priority,
        now: i64,
    ) -> Result<CaseRecord, AppError> {
        let mut case = CaseRecord {
            id,
            workspace_id,
            title,
            status: CaseStatus::New,
            priority,
            owner_id: None,
            team: None,
            rule_key: None,
            response_id: response.map(|r| r.id.as_str().to_string()),
            survey_id: response.map(|r| r.survey_id.as_str().to_string()),
            touchpoint: response.map(|r| r.touchpoint.clone()),
            contact_key: None,
            contact_email: None,
            locale: response.map_or_else(|| "en".to_string(), |r| r.locale.clone()),
            root_cause: None,
            pauses: Vec::new(),
            first_response_due: None,
            resolution_due: None,
            first_response_at: None,
            resolved_at: None,
            closed_at: None,
            resurvey_token: None,
            resurvey_job: None,
            recovery_response_id: None,
            recovered_at: None,
            revision: 1,
            created_at: now,
            updated_at: now,
        };
        if let Some(r) = response {
            (case.contact_key, case.contact_email) = self.response_contact(workspace_id, r).await?;
        }
        Ok(case)
    }

    /// Who answered, as a contact key and e-mail: from the ids given with the response,
    /// else from the contact its personal invitation was made for (a customer who answers
    /// through their link, the re-survey's included, can be replied to).
    pub(crate) async fn response_contact(
        &self,
        workspace_id: WorkspaceId,
        r: &ResponseRecord,
    ) -> Result<(Option<String>, Option<String>), AppError> {
        if let Some(key) = contact_key(r)
            && r.contact_email.is_some()
        {
            return Ok((Some(key), r.contact_email.clone()));
        }
        // The contact as stored: their e-mail when the response gave only an external id.
        let Some(c) = self.response_contact_record(workspace_id, r).await? else {
            return Ok((contact_key(r), None));
        };
        let f = c.fields;
        let key = f
            .external_id
            .as_ref()
            .map(|e| format!("external:{e}"))
            .or_else(|| f.email.as_ref().map(|e| format!("email:{e}")));
        // The response's own key first: rules link and look up cases by it.
        Ok((contact_key(r).or(key), f.email))
    }

    /// Opens a case by hand (from a response or on its own).
    pub async fn open_case(
        &self,
        workspace_id: WorkspaceId,
        actor: &CaseActor,
        input: NewCase,
    ) -> Result<CaseView, AppError> {
        let now = crate::now_ms();
        let response = match &input.response_id {
            Some(id) => {
                let rid = puls_core::ResponseId::parse(id)
                    .map_err(|k| AppError::field("response_id", k))?;
                Some(
                    self.store()
                        .get_response(workspace_id, &rid)
                        .await?
                        .ok_or(AppError::NotFound("response"))?,
                )
            }
            None => None,
        };
        let title = match (&input.title, &response) {
            (Some(t), _) => check_text("title", t, MAX_TITLE)?,
            (None, Some(r)) => self.response_title(workspace_id, r).await?,
            (None, None) => {
                return Err(AppError::field(
                    "title",
                    puls_core::FieldErrorKind::Required,
                ));
            }
        };
        if let Some(owner) = &input.owner {
            self.check_member(workspace_id, owner, "owner").await?;
        }
        if let Some(team) = &input.team {
            self.check_team(workspace_id, team, "team").await?;
        }
        // A response has one case: opening it again (or after a rule did) finds that one.
        let id = match &response {
            Some(r) => case_id_for_response(r.id.as_str()),
            None => format!("case_{}", ulid::Ulid::new().to_string().to_lowercase()),
        };
        let mut case = self
            .new_case(
                workspace_id,
                id,
                response.as_ref(),
                title,
                input.priority.unwrap_or(Priority::Normal),
                now,
            )
            .await?;
        case.owner_id = input.owner.map(|u| u.as_str().to_string());
        case.team = input.team.map(|t| t.as_str().to_string());
        set_due(&self.sla_policy(workspace_id).await?, &mut case, now);
        let first = event(now, "created", actor, serde_json::json!({}));
        let jobs = self.case_jobs(&case, "case.created", &case.id, now).await?;
        if !self.store().insert_case(&case, &first, &jobs).await? {
            let existing = self.case_record(workspace_id, &case.id).await?;
            return self.view_case(existing).await;
        }
        self.view_case(case).await
    }

    /// A title for a case about a response: the survey's name and its first score.
    async fn response_title(
        &self,
        workspace_id: WorkspaceId,
        r: &ResponseRecord,
    ) -> Result<String, AppError> {
        let name = match self.store().get_survey(workspace_id, &r.survey_id).await? {
            Some(s) => s.title,
            None => r.survey_id.as_str().to_string(),
        };
        Ok(name.chars().take(MAX_TITLE).collect())
    }

    /// Refuses a user who is not a member of the workspace.
    async fn check_member(
        &self,
        workspace_id: WorkspaceId,
        user: &UserId,
        field: &str,
    ) -> Result<(), AppError> {
        let members = self.store().members(workspace_id).await?;
        if members.iter().any(|m| &m.user.id == user) {
            Ok(())
        } else {
            Err(AppError::rejected(
                Rejection::NotAMember,
                format!("{field}: {user} is not a member of this workspace"),
            ))
        }
    }

    /// A case with its timers now.
    pub(crate) async fn view_case(&self, case: CaseRecord) -> Result<CaseView, AppError> {
        let policy = self.sla_policy(case.workspace_id).await?;
        let sla = case_sla(&policy, &case, crate::now_ms());
        Ok(CaseView { case, sla })
    }

    /// A page of the workspace's cases, newest first.
    pub async fn cases(
        &self,
        workspace_id: WorkspaceId,
        filter: &CaseFilter,
    ) -> Result<Vec<CaseView>, AppError> {
        let policy = self.sla_policy(workspace_id).await?;
        let now = crate::now_ms();
        Ok(self
            .store()
            .cases(workspace_id, filter)
            .await?
            .into_iter()
            .map(|case| CaseView {
                sla: case_sla(&policy, &case, now),
                case,
            })
            .collect())
    }

    /// One case with its history.
    pub async fn case(&self, workspace_id: WorkspaceId, id: &str) -> Result<CaseDetail, AppError> {
        let case = self.case_record(workspace_id, id).await?;
        let history = self.store().case_events(&case.id).await?;
        Ok(CaseDetail {
            view: self.view_case(case).await?,
            history,
        })
    }

    async fn case_record(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
    ) -> Result<CaseRecord, AppError> {
        if !id.starts_with("case_") || id.len() > 64 {
            return Err(AppError::NotFound("case"));
        }
        self.store()
            .case(workspace_id, id)
            .await?
            .ok_or(AppError::NotFound("case"))
    }

    /// Changes a case: status (by the status machine), priority, owner, team, root cause,
    /// title; each change is a history entry. `revision`, when given, must be the case's.
    pub async fn change_case(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
        actor: &CaseActor,
        change: CaseChange,
        revision: Option<i64>,
    ) -> Result<CaseView, AppError> {
        if let Some(Some(owner)) = &change.owner {
            self.check_member(workspace_id, owner, "owner").await?;
        }
        // A team or root cause the case already has stays allowed (set before the list,
        // or since taken off it); a new one must be on the list. The case is read for
        // this only when one is named.
        let current = match (&change.team, &change.root_cause) {
            (Some(Some(_)), _) | (_, Some(Some(_))) => {
                Some(self.case_record(workspace_id, id).await?)
            }
            _ => None,
        };
        let has = |now: Option<&Option<String>>, key: &Key| {
            now.is_some_and(|v| v.as_deref() == Some(key.as_str()))
        };
        if let Some(Some(team)) = &change.team
            && !has(current.as_ref().map(|c| &c.team), team)
        {
            self.check_team(workspace_id, team, "team").await?;
        }
        if let Some(Some(cause)) = &change.root_cause
            && !has(current.as_ref().map(|c| &c.root_cause), cause)
        {
            let list = self.root_causes(workspace_id).await?;
            if !list.allows(cause.as_str()) {
                return Err(AppError::field(
                    "root_cause",
                    puls_core::FieldErrorKind::NotOneOf {
                        allowed: list.keys(),
                    },
                ));
            }
        }
        let title = change
            .title
            .as_deref()
            .map(|t| check_text("title", t, MAX_TITLE))
            .transpose()?;
        // A change lost to another node's is made again on the case as it is now.
        for _ in 0..5 {
            let before = self.case_record(workspace_id, id).await?;
            if revision.is_some_and(|r| r != before.revision) {
                return Err(AppError::rejected(
                    Rejection::RevisionConflict,
                    format!("the case is at revision {}", before.revision),
                ));
            }
            let now = crate::now_ms();
            let mut case = before.clone();
            let mut events = Vec::new();
            let mut note = |kind: &str, from: Option<&str>, to: Option<&str>| {
                events.push(event(
                    now,
                    kind,
                    actor,
                    serde_json::json!({"from": from, "to": to}),
                ));
            };
            if let Some(t) = &title
                && *t != case.title
            {
                note("title", Some(&case.title), Some(t));
                case.title = t.clone();
            }
            if let Some(p) = change.priority
                && p != case.priority
            {
                note("priority", Some(case.priority.as_str()), Some(p.as_str()));
                case.priority = p;
            }
            if let Some(o) = &change.owner {
                let to = o.as_ref().map(|u| u.as_str().to_string());
                if to != case.owner_id {
                    note("owner", case.owner_id.as_deref(), to.as_deref());
                    case.owner_id = to;
                }
            }
            if let Some(t) = &change.team {
                let to = t.as_ref().map(|k| k.as_str().to_string());
                if to != case.team {
                    note("team", case.team.as_deref(), to.as_deref());
                    case.team = to;
                }
            }
            if let Some(r) = &change.root_cause {
                let to = r.as_ref().map(|k| k.as_str().to_string());
                if to != case.root_cause {
                    note("root_cause", case.root_cause.as_deref(), to.as_deref());
                    case.root_cause = to;
                }
            }
            if let Some(s) = change.status
                && s != case.status
            {
                if !case.status.can_move(s) {
                    return Err(AppError::rejected(
                        Rejection::BadStatusChange,
                        format!(
                            "status: a case cannot move from {} to {}",
                            case.status.as_str(),
                            s.as_str()
                        ),
                    ));
                }
                note("status", Some(case.status.as_str()), Some(s.as_str()));
                move_status(&mut case, s, now);
            }
            if events.is_empty() {
                return self.view_case(case).await;
            }
            let policy = self.sla_policy(workspace_id).await?;
            set_due(&policy, &mut case, now);
            case.revision += 1;
            case.updated_at = now;
            let mut jobs = self.change_jobs(&before, &case, now).await?;
            let resolving = case.status == CaseStatus::Resolved && before.status.is_open();
            if resolving {
                match self.resurvey(&policy, &case, now).await? {
                    Resurvey::Scheduled { token, job } => {
                        events.push(event(
                            now,
                            "resurvey",
                            actor,
                            serde_json::json!({"at": job.next_at, "message": job.id}),
                        ));
                        case.resurvey_token = Some(token);
                        case.resurvey_job = Some(job.id.clone());
                        jobs.push(job);
                    }
                    Resurvey::Skipped(why) => events.push(event(
                        now,
                        "resurvey_skipped",
                        actor,
                        serde_json::json!({"reason": why}),
                    )),
                    Resurvey::Off => {}
                }
            }
            let reopened = case.status.is_open() && !before.status.is_open();
            if self.store().update_case(&case, &events, &jobs).await? {
                // A re-survey not sent yet is withdrawn when the case opens again.
                if reopened && let Some(job) = &before.resurvey_job {
                    self.store()
                        .cancel_job(job, "the case was reopened", now)
                        .await?;
                }
                return self.view_case(case).await;
            }
            if revision.is_some() {
                return Err(AppError::rejected(
                    Rejection::RevisionConflict,
                    "the case changed meanwhile; read it again",
                ));
            }
        }
        Err(AppError::rejected(
            Rejection::RevisionConflict,
            "the case keeps changing; try again",
        ))
    }

    /// The re-survey of a case being resolved: a personal link to its response's survey,
    /// e-mailed after the policy's delay, unless the customer withdrew consent to surveys.
    /// The contact is found by the case's ids (or made from them: the customer gave them
    /// with the response).
    async fn resurvey(
        &self,
        policy: &SlaPolicy,
        case: &CaseRecord,
        now: i64,
    ) -> Result<Resurvey, AppError> {
        let Some(hours) = policy.resurvey_after_hours else {
            return Ok(Resurvey::Off);
        };
        let Some(email) = case.contact_email.clone() else {
            return Ok(Resurvey::Skipped("no_email"));
        };
        let Some(survey) = case
            .survey_id
            .as_deref()
            .and_then(|s| puls_core::SurveyId::parse(s).ok())
        else {
            return Ok(Resurvey::Skipped("no_survey"));
        };
        if self.config().smtp.host.is_none() {
            return Ok(Resurvey::Skipped("email_off"));
        }
        let external = case
            .contact_key
            .as_deref()
            .and_then(|k| k.strip_prefix("external:"))
            .map(str::to_string);
        let ws = case.workspace_id;
        let contact = match self
            .find_contact(ws, external.clone(), Some(email.clone()))
            .await?
        {
            Some(c) => c,
            None => {
                let mut patch = puls_core::contact::ContactPatch::default();
                if let Ok(e) = puls_core::contact::Email::parse(&email) {
                    patch.email = puls_core::contact::Change::Set(e);
                }
                if let Some(x) = external
                    .as_deref()
                    .and_then(|x| puls_core::contact::ExternalId::parse(x).ok())
                {
                    patch.external_id = puls_core::contact::Change::Set(x);
                }
                self.upsert_contact(ws, patch).await?.1
            }
        };
        if crate::contact_fields::surveys_withdrawn(&contact.fields) {
            return Ok(Resurvey::Skipped("consent_withdrawn"));
        }
        let invitation = self.invite_contact(ws, &contact.id, &survey).await?;
        let link = format!(
            "{}/s/{}?inv={}",
            self.config().public_url(),
            invitation.survey_id,
            invitation.token
        );
        let workspace = self.workspace_name(ws).await?;
        let job = EmailJob {
            to: email.clone(),
            locale: case.locale.clone(),
            template: "resurvey".into(),
            vars: serde_json::json!({"link": link, "workspace": workspace}),
            headers: Vec::new(),
            delivery: None,
        };
        // Responses to the link are read from the feed (started here if nothing else did).
        self.start_response_feed(ws).await?;
        Ok(Resurvey::Scheduled {
            token: invitation.token,
            job: NewJob {
                id: message_id(
                    &format!("email:{email}"),
                    "resurvey",
                    &format!("{}:{}", case.id, case.revision),
                ),
                workspace_id: ws,
                channel: "email".into(),
                target_id: "smtp".into(),
                event_type: "resurvey".into(),
                payload: serde_json::to_string(&job).map_err(anyhow::Error::new)?,
                next_at: now + hours * 3_600_000,
            },
        })
    }

    /// Records re-survey answers on their cases (the response came by a case's personal
    /// link): once per case, and announced as a change.
    pub(crate) async fn record_recoveries(
        &self,
        workspace_id: WorkspaceId,
        responses: &[ResponseRecord],
    ) -> Result<u64, AppError> {
        let mut n = 0;
        for r in responses.iter().filter(|r| r.completed) {
            let Some(token) = &r.invitation_token else {
                continue;
            };
            // Read again after a lost race: the case changed meanwhile.
            for _ in 0..5 {
                let Some(mut case) = self.store().case_by_resurvey(workspace_id, token).await?
                else {
                    break;
                };
                if case.recovery_response_id.is_some() {
                    break;
                }
                let now = crate::now_ms();
                let before = case.clone();
                case.recovery_response_id = Some(r.id.as_str().to_string());
                case.recovered_at = Some(r.completed_at.unwrap_or(now));
                case.revision += 1;
                case.updated_at = now;
                let e = event(
                    now,
                    "resurvey_answered",
                    &CaseActor::System,
                    serde_json::json!({"response_id": r.id.as_str()}),
                );
                let jobs = self.change_jobs(&before, &case, now).await?;
                if self.store().update_case(&case, &[e], &jobs).await? {
                    n += 1;
                    break;
                }
            }
        }
        Ok(n)
    }

    /// `case.updated` (and `case.resolved` on resolving) for a change from `before`.
    async fn change_jobs(
        &self,
        before: &CaseRecord,
        after: &CaseRecord,
        now: i64,
    ) -> Result<Vec<NewJob>, AppError> {
        let key = format!("{}:{}", after.id, after.revision);
        let mut jobs = self.case_jobs(after, "case.updated", &key, now).await?;
        if after.status == CaseStatus::Resolved && before.status != CaseStatus::Resolved {
            jobs.extend(self.case_jobs(after, "case.resolved", &key, now).await?);
        }
        Ok(jobs)
    }

    /// Adds an internal note to a case's history.
    pub async fn note_case(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
        actor: &CaseActor,
        text: &str,
    ) -> Result<CaseView, AppError> {
        let text = check_text("text", text, MAX_TEXT)?;
        self.append(
            workspace_id,
            id,
            actor,
            "note",
            serde_json::json!({"text": text}),
            |_, _| {},
        )
        .await
    }

    /// Replies to the customer by e-mail (through the outbox) and keeps the reply in the
    /// case's history; the first reply meets the first-response timer.
    pub async fn reply_case(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
        actor: &CaseActor,
        text: &str,
    ) -> Result<CaseView, AppError> {
        let text = check_text("text", text, MAX_TEXT)?;
        let case = self.case_record(workspace_id, id).await?;
        let Some(to) = case.contact_email.clone() else {
            return Err(AppError::rejected(
                Rejection::NoContactEmail,
                "the case's customer left no e-mail address to reply to",
            ));
        };
        if self.config().smtp.host.is_none() {
            return Err(AppError::rejected(
                Rejection::EmailNotConfigured,
                "e-mail is not configured on this server (smtp.host)",
            ));
        }
        let workspace = self.workspace_name(workspace_id).await?;
        let reply_key = format!("{}:{}", case.id, case.revision + 1);
        let job_id = message_id(&format!("email:{to}"), "case_reply", &reply_key);
        let email = EmailJob {
            to: to.clone(),
            locale: case.locale.clone(),
            template: "case_reply".into(),
            vars: serde_json::json!({
                "text": text,
                "title": case.title,
                "workspace": workspace,
                "case": case.id,
            }),
            headers: Vec::new(),
            delivery: None,
        };
        let job = NewJob {
            id: job_id.clone(),
            workspace_id,
            channel: "email".into(),
            target_id: "smtp".into(),
            event_type: "case_reply".into(),
            payload: serde_json::to_string(&email).map_err(anyhow::Error::new)?,
            next_at: crate::now_ms(),
        };
        let data = serde_json::json!({"text": text, "to": to, "message": job_id});
        self.append_with(
            workspace_id,
            id,
            actor,
            "reply",
            data,
            vec![job],
            |c, now| {
                c.first_response_at.get_or_insert(now);
                if c.status == CaseStatus::New {
                    c.status = CaseStatus::InProgress;
                }
            },
        )
        .await
    }

    /// Appends one history entry, changing the case with `edit`.
    async fn append(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
        actor: &CaseActor,
        kind: &str,
        data: serde_json::Value,
        edit: impl Fn(&mut CaseRecord, i64),
    ) -> Result<CaseView, AppError> {
        self.append_with(workspace_id, id, actor, kind, data, Vec::new(), edit)
            .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn append_with(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
        actor: &CaseActor,
        kind: &str,
        data: serde_json::Value,
        extra: Vec<NewJob>,
        edit: impl Fn(&mut CaseRecord, i64),
    ) -> Result<CaseView, AppError> {
        for _ in 0..5 {
            let before = self.case_record(workspace_id, id).await?;
            let now = crate::now_ms();
            let mut case = before.clone();
            edit(&mut case, now);
            let policy = self.sla_policy(workspace_id).await?;
            set_due(&policy, &mut case, now);
            case.revision += 1;
            case.updated_at = now;
            let mut jobs = self.change_jobs(&before, &case, now).await?;
            jobs.extend(extra.iter().cloned());
            let e = event(now, kind, actor, data.clone());
            if self.store().update_case(&case, &[e], &jobs).await? {
                return self.view_case(case).await;
            }
        }
        Err(AppError::rejected(
            Rejection::RevisionConflict,
            "the case keeps changing; try again",
        ))
    }
}

impl App {
    /// Escalates open cases whose timers reached the policy's warning share (the owner,
    /// else the admins, are e-mailed) or were breached (the admins and the lead of the
    /// case's team are e-mailed, and the case goes to that lead, else to the policy's
    /// `reassign_on_breach` user). Each escalation happens once per case and timer,
    /// whichever node gets there first; returns how many happened.
    pub async fn escalate_cases(&self, now: i64) -> Result<u64, AppError> {
        let mut n = 0;
        let mut policies: std::collections::HashMap<WorkspaceId, (SlaPolicy, Teams)> =
            Default::default();
        for case in self.store().open_cases(10_000).await? {
            let ws = case.workspace_id;
            if let std::collections::hash_map::Entry::Vacant(e) = policies.entry(ws) {
                e.insert((self.sla_policy(ws).await?, self.teams(ws).await?));
            }
            let (policy, teams) = &policies[&ws];
            let lead = case
                .team
                .as_deref()
                .and_then(|t| teams.get(t))
                .and_then(|t| t.lead.as_ref())
                .or(policy.reassign_on_breach.as_ref());
            let sla = case_sla(policy, &case, now);
            for (name, t) in [
                ("first_response", sla.first_response),
                ("resolution", sla.resolution),
            ] {
                let level = match t.state {
                    TimerState::Breached if t.done_at.is_none() => "breach",
                    TimerState::AtRisk => "warning",
                    _ => continue,
                };
                // A breach without a warning first still warns once (and only once).
                let mark = format!("{level}:{name}");
                if !self.store().mark_case(&case.id, &mark, now).await? {
                    continue;
                }
                n += 1;
                self.escalate(lead, &case, name, level, now).await?;
            }
        }
        Ok(n)
    }

    /// One escalation of `case`; `lead` is who a breached case goes to (and who is told
    /// besides the admins).
    async fn escalate(
        &self,
        lead: Option<&UserId>,
        case: &CaseRecord,
        timer: &str,
        level: &str,
        now: i64,
    ) -> Result<(), AppError> {
        let ws = case.workspace_id;
        let members = self.store().members(ws).await?;
        let to: Vec<&puls_store::Member> = match (level, &case.owner_id) {
            ("warning", Some(owner)) => members
                .iter()
                .filter(|m| m.user.id.as_str() == owner)
                .collect(),
            _ => members
                .iter()
                .filter(|m| {
                    m.role == "owner"
                        || m.role == "admin"
                        || (level == "breach" && lead.is_some_and(|l| *l == m.user.id))
                })
                .collect(),
        };
        let mut jobs = Vec::new();
        if self.config().smtp.host.is_some() {
            for m in to {
                let email = EmailJob {
                    to: m.user.email.clone(),
                    locale: m.user.locale.clone(),
                    template: "case_escalated".into(),
                    vars: serde_json::json!({
                        "title": case.title,
                        "case": case.id,
                        "timer": timer,
                        "level": level,
                        "priority": case.priority.as_str(),
                    }),
                    headers: Vec::new(),
                    delivery: None,
                };
                jobs.push(NewJob {
                    id: message_id(
                        &format!("email:{}", m.user.email),
                        "case_escalated",
                        &format!("{}:{level}:{timer}", case.id),
                    ),
                    workspace_id: ws,
                    channel: "email".into(),
                    target_id: "smtp".into(),
                    event_type: "case_escalated".into(),
                    payload: serde_json::to_string(&email).map_err(anyhow::Error::new)?,
                    next_at: now,
                });
            }
        }
        // Only to someone still in the workspace (a lead who left gets nothing).
        let lead = lead.filter(|l| members.iter().any(|m| &m.user.id == *l));
        let reassign = match (level, lead) {
            ("breach", Some(lead)) if case.owner_id.as_deref() != Some(lead.as_str()) => {
                Some(lead.as_str().to_string())
            }
            _ => None,
        };
        let data = serde_json::json!({"timer": timer, "level": level, "reassigned_to": reassign});
        self.append_with(
            ws,
            &case.id,
            &CaseActor::System,
            "escalated",
            data,
            jobs,
            |c, _| {
                if let Some(lead) = &reassign {
                    c.owner_id = Some(lead.clone());
                }
            },
        )
        .await?;
        Ok(())
    }
}

/// Moves a case to `to`, stopping or restarting its clock: waiting and resolved stand
/// still; resolving stamps the resolution, closing the close, reopening clears both.
pub(crate) fn move_status(case: &mut CaseRecord, to: CaseStatus, now: i64) {
    let stands_still = |s: CaseStatus| {
        matches!(
            s,
            CaseStatus::Waiting | CaseStatus::Resolved | CaseStatus::Closed
        )
    };
    if stands_still(case.status) && !stands_still(to) {
        if let Some(p) = case.pauses.last_mut()
            && p.1.is_none()
        {
            p.1 = Some(now);
        }
    } else if !stands_still(case.status) && stands_still(to) {
        case.pauses.push((now, None));
    }
    match to {
        // Resolving answers the customer at the latest: the first-response timer stops.
        CaseStatus::Resolved => {
            case.resolved_at = Some(now);
            case.first_response_at.get_or_insert(now);
        }
        CaseStatus::Closed => {
            case.resolved_at.get_or_insert(now);
            case.first_response_at.get_or_insert(now);
            case.closed_at = Some(now);
        }
        CaseStatus::InProgress | CaseStatus::New | CaseStatus::Waiting => {
            if !case.status.is_open() {
                case.resolved_at = None;
                case.closed_at = None;
            }
        }
    }
    case.status = to;
}
