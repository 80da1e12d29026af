//! Alert rules on responses, and what they do when a completed response matches: open a
//! case (one per response, whichever rules match and whichever node reads it; a contact
//! with a case opened in the last N days gets the response linked to that case instead,
//! which reopens it when resolved), e-mail the named people, and send `alert.fired` to
//! the webhooks that take it.
//!
//! Rules are definitions (`puls_core::alert::AlertRule`) kept by key. They run in the
//! response dispatcher ([`App::dispatch_responses`]), which reads the stored feed of
//! completed responses under a lease: a response answered 2xx is alerted on late at
//! worst, never lost, and every action's id is derived from the rule and the response, so
//! reading the feed again after a crash repeats nothing.

use std::collections::{BTreeMap, HashSet};

use puls_core::alert::{AlertRule, Recipient, ResponseFacts, ScoreMetric};
use puls_core::case::{CaseStatus, SlaPolicy};
use puls_core::notify::Notifications;
use puls_core::{Key, Value, WorkspaceId};
use puls_store::json::JsonText;
use puls_store::{
    CaseEvent, CaseInsert, CaseRecord, DefinitionKind, DefinitionRecord, DigestItem, Member,
    NewJob, ResponseRecord, WebhookRecord,
};

use crate::cases::{CaseActor, case_data, case_id_for_response, contact_key, move_status};
use crate::definitions::Saved;
use crate::notifications::AlertMail;
use crate::webhooks::hook_jobs;
use crate::{App, AppError};

/// What a dispatch pass did with alert rules.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Alerted {
    pub cases_opened: u64,
    pub responses_linked: u64,
    pub jobs: u64,
}

/// One feed page's alerting: what its actions read once (the workspace's webhooks and
/// members), and what its matches have yet to write, written together by
/// [`App::write_alerts`]: one `enqueue` and one transaction for the page's jobs and new
/// cases, where SQLite's single writer would otherwise take a transaction per match.
/// Pending writes are written early only before a response is linked to a case or looks
/// for its contact's case among the page's new ones.
/// A workspace's touchpoints' names by key, from its journeys (the first journey that
/// names a touchpoint wins); a key no journey names reads as itself.
#[derive(Debug, Clone, Default)]
pub struct TouchpointNames(std::collections::HashMap<String, puls_core::journey::Label>);

impl TouchpointNames {
    /// The touchpoint's name in `locale`, else its key.
    pub fn get<'a>(&'a self, key: &'a str, locale: &str) -> &'a str {
        self.0.get(key).map_or(key, |l| l.get(locale))
    }
}

impl App {
    /// The names of the workspace's touchpoints, from its journey definitions (one that
    /// no longer parses is skipped).
    pub async fn touchpoint_names(
        &self,
        workspace_id: WorkspaceId,
    ) -> Result<TouchpointNames, AppError> {
        let mut names = std::collections::HashMap::new();
        for d in self
            .store()
            .list_definitions(DefinitionKind::Journey, workspace_id)
            .await?
        {
            let Ok(journey) = puls_core::journey::Journey::parse(&d.definition) else {
                continue;
            };
            for tp in journey.stages.iter().flat_map(|s| &s.touchpoints) {
                names
                    .entry(tp.key.to_string())
                    .or_insert_with(|| tp.name.clone());
            }
        }
        Ok(TouchpointNames(names))
    }
}

struct Page {
    hooks: Vec<WebhookRecord>,
    /// The touchpoints' names for e-mails; read only when a rule e-mails.
    touchpoints: TouchpointNames,
    /// Read only when a rule e-mails and SMTP is set up.
    members: Vec<Member>,
    /// When e-mails go (quiet hours, digests); read only when a rule e-mails.
    notify: Option<Notifications>,
    /// The SLA policy new cases' due times follow; read at the page's first new case.
    sla: Option<SlaPolicy>,
    /// `alert.fired` webhooks and e-mails.
    jobs: Vec<NewJob>,
    /// E-mails kept for their recipients' digests.
    digest: Vec<DigestItem>,
    /// New cases, with their first events and `case.created` jobs.
    cases: Vec<(CaseRecord, CaseEvent, Vec<NewJob>)>,
    /// The contact keys of `cases`.
    contacts: HashSet<String>,
    done: Alerted,
}

impl App {
    /// Stores an alert rule under its key; with `path_key`, the rule's key must be it.
    pub async fn save_alert_rule(
        &self,
        workspace_id: WorkspaceId,
        path_key: Option<&str>,
        def: &Value,
    ) -> Result<(Saved, DefinitionRecord), AppError> {
        let rule = AlertRule::parse(def)?;
        if let Some(case) = &rule.actions.case
            && let Some(owner) = &case.owner
        {
            let members = self.store().members(workspace_id).await?;
            if !members.iter().any(|m| &m.user.id == owner) {
                return Err(AppError::rejected(
                    crate::Rejection::NotAMember,
                    format!("actions.case.owner: {owner} is not a member of this workspace"),
                ));
            }
        }
        if let Some(case) = &rule.actions.case
            && let Some(team) = &case.team
        {
            self.check_team(workspace_id, team, "actions.case.team")
                .await?;
        }
        let text = JsonText::encode(&rule.to_value());
        // Responses completed from here on meet the rule.
        self.start_response_feed(workspace_id).await?;
        self.save_definition(
            workspace_id,
            DefinitionKind::AlertRule,
            path_key,
            rule.key.as_str(),
            &text,
        )
        .await
    }

    /// The workspace's rules, parsed (a stored rule that no longer parses is skipped and
    /// logged).
    pub(crate) async fn alert_rules(
        &self,
        workspace_id: WorkspaceId,
    ) -> Result<Vec<AlertRule>, AppError> {
        Ok(self
            .store()
            .list_definitions(DefinitionKind::AlertRule, workspace_id)
            .await?
            .into_iter()
            .filter_map(|r| match AlertRule::parse(&r.definition) {
                Ok(rule) => Some(rule),
                Err(e) => {
                    tracing::error!(rule = r.key, "stored alert rule is invalid: {e}");
                    None
                }
            })
            .filter(|r| r.enabled)
            .collect())
    }

    /// The contact keys (`external:…`, `email:…`) of a segment's members now.
    async fn segment_keys(
        &self,
        workspace_id: WorkspaceId,
        key: &Key,
    ) -> Result<HashSet<String>, AppError> {
        let analytics = self.analytics();
        let def = match analytics.segment(workspace_id, key.as_str()).await {
            Ok(d) => d,
            Err(AppError::NotFound(_)) => return Ok(HashSet::new()),
            Err(e) => return Err(e),
        };
        let (customers, members) = analytics
            .members(workspace_id, &def.rule, crate::now_ms())
            .await?;
        let index = customers.read();
        let mut out = HashSet::new();
        for c in members.iter() {
            let (external, email) = index.contact_ids(c as u32);
            if let Some(e) = external {
                out.insert(format!("external:{e}"));
            }
            if let Some(e) = email {
                out.insert(format!("email:{e}"));
            }
        }
        Ok(out)
    }

    /// Runs the workspace's rules on completed responses and acts on the matches: at
    /// completion (`readings` `None`) the rules that do not look at text analysis; once
    /// their open answers are read (`readings`: what was read, by response) the rules that
    /// do. Acting twice on the same response is harmless: jobs, digest items and cases
    /// have ids of their rule and response.
    pub(crate) async fn alert_on(
        &self,
        workspace_id: WorkspaceId,
        rules: &[AlertRule],
        responses: &[ResponseRecord],
        readings: Option<&crate::text_queue::TextByResponse>,
    ) -> Result<Alerted, AppError> {
        let rules: Vec<AlertRule> = rules
            .iter()
            .filter(|r| r.reads_text() == readings.is_some())
            .cloned()
            .collect();
        let rules = rules.as_slice();
        if rules.is_empty() {
            return Ok(Alerted::default());
        }
        let mut segments: BTreeMap<Key, HashSet<String>> = BTreeMap::new();
        for rule in rules {
            for c in &rule.conditions {
                if let puls_core::alert::Condition::Segment(k) = c
                    && !segments.contains_key(k)
                {
                    segments.insert(k.clone(), self.segment_keys(workspace_id, k).await?);
                }
            }
        }
        let mails =
            self.config().smtp.host.is_some() && rules.iter().any(|r| !r.actions.email.is_empty());
        let mut page = Page {
            hooks: self.store().webhooks(workspace_id).await?,
            touchpoints: if mails {
                self.touchpoint_names(workspace_id).await?
            } else {
                TouchpointNames::default()
            },
            members: if mails {
                self.store().members(workspace_id).await?
            } else {
                Vec::new()
            },
            notify: if mails {
                Some(self.notifications(workspace_id).await?)
            } else {
                None
            },
            sla: None,
            jobs: Vec::new(),
            digest: Vec::new(),
            cases: Vec::new(),
            contacts: HashSet::new(),
            done: Alerted::default(),
        };
        let mut surveys = crate::search::Surveys::default();
        for r in responses.iter().filter(|r| r.completed) {
            let Some(record) = self.survey_record(&r.survey_id).await? else {
                continue;
            };
            let info = surveys
                .questions(self, &r.survey_id, r.survey_version)
                .await?;
            let metric_questions: Vec<(ScoreMetric, String)> = [
                (ScoreMetric::Nps, &info.nps),
                (ScoreMetric::Csat, &info.csat),
                (ScoreMetric::Ces, &info.ces),
            ]
            .into_iter()
            .filter_map(|(m, q)| q.clone().map(|q| (m, q)))
            .collect();
            let texts = info.texts(&r.answers);
            // Who answered: the ids given (no read), else their personal invitation's
            // contact (read only for responses given through one).
            let who = match contact_key(r) {
                Some(key) => Some(key),
                None => self.response_contact(workspace_id, r).await?.0,
            };
            let in_segment = |k: &Key| {
                who.as_ref()
                    .is_some_and(|w| segments.get(k).is_some_and(|s| s.contains(w)))
            };
            let read: Option<Vec<puls_core::alert::AnswerReading>> = readings.map(|t| {
                t.get(&r.id)
                    .map(|list| {
                        list.iter()
                            .map(|a| puls_core::alert::AnswerReading {
                                sentiment: a.sentiment.clone(),
                                aspects: a.aspects.clone(),
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            });
            let facts = ResponseFacts {
                readings: read.as_deref(),
                survey: r.survey_id.as_str(),
                touchpoint: &r.touchpoint,
                channel: &r.channel,
                attributes: &r.attributes,
                answers: &r.answers,
                metric_questions: &metric_questions,
                texts: &texts,
                in_segment: &in_segment,
            };
            let matched: Vec<&AlertRule> =
                rules.iter().filter(|rule| rule.matches(&facts)).collect();
            if matched.is_empty() {
                continue;
            }
            self.telemetry().alerts(matched.len() as u64);
            for rule in &matched {
                self.alert_jobs(workspace_id, rule, r, &record.title, &texts, &mut page)?;
            }
            // One case per response: the most urgent of the matching rules' cases.
            if let Some(rule) = matched
                .iter()
                .filter(|rule| rule.actions.case.is_some())
                .max_by_key(|rule| rule.actions.case.as_ref().map(|c| c.priority))
            {
                self.case_for(workspace_id, rule, r, who.as_deref(), &mut page)
                    .await?;
            }
        }
        self.write_alerts(&mut page).await?;
        Ok(page.done)
    }

    /// Writes what the page's matches have pending: the alerts for digests, then their
    /// jobs in one `enqueue` (so whoever sees an alert's job sees its digest item too),
    /// then their new cases in one transaction (each with its first event and, when it was
    /// new, its jobs).
    async fn write_alerts(&self, page: &mut Page) -> Result<(), AppError> {
        let digest = std::mem::take(&mut page.digest);
        self.store().add_digest_items(&digest).await?;
        let jobs = std::mem::take(&mut page.jobs);
        page.done.jobs += self.store().enqueue(&jobs).await?;
        let cases = std::mem::take(&mut page.cases);
        page.contacts.clear();
        let batch: Vec<CaseInsert<'_>> = cases
            .iter()
            .map(|(case, first, jobs)| CaseInsert { case, first, jobs })
            .collect();
        let inserted = self.store().insert_cases(&batch).await?;
        for (new, (_, _, jobs)) in inserted.into_iter().zip(&cases) {
            if new {
                page.done.cases_opened += 1;
                page.done.jobs += jobs.len() as u64;
            }
        }
        Ok(())
    }

    /// `alert.fired` webhook jobs and e-mails of one rule for one response, to the page's
    /// webhooks and members, added to the page's pending writes (e-mails as the
    /// notification policy sends them: at once, after the quiet hours, or in a digest).
    fn alert_jobs(
        &self,
        workspace_id: WorkspaceId,
        rule: &AlertRule,
        r: &ResponseRecord,
        survey_title: &str,
        texts: &[(String, String)],
        page: &mut Page,
    ) -> Result<(), AppError> {
        let now = crate::now_ms();
        let subject = format!("{}:{}", rule.key.as_str(), r.id.as_str());
        let jobs = &mut page.jobs;
        let data = serde_json::json!({
            "rule": rule.key.as_str(),
            "rule_name": rule.name.get("en"),
            "response_id": r.id.as_str(),
            "survey_id": r.survey_id.as_str(),
            "touchpoint": r.touchpoint,
            "channel": r.channel,
            "answers": puls_store::json::to_json(&Value::Map(r.answers.clone())),
        });
        if rule.actions.webhook {
            jobs.extend(hook_jobs(
                &page.hooks,
                workspace_id,
                "alert.fired",
                &subject,
                data,
                now,
            ));
        }
        if !rule.actions.email.is_empty()
            && let Some(policy) = &page.notify
        {
            let mails = recipients_among(&page.members, rule, &r.locale)
                .into_iter()
                .map(|(to, locale)| AlertMail {
                    template: "alert_fired",
                    key: subject.clone(),
                    vars: serde_json::json!({
                        "rule": rule.name.get(&locale),
                        "survey": survey_title,
                        "touchpoint": page.touchpoints.get(&r.touchpoint, &locale),
                        "response": r.id.as_str(),
                        "scores": scores_line(&r.answers),
                        "texts": texts.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>().join(" / "),
                    }),
                    to,
                    locale,
                    response_id: Some(r.id.as_str().to_string()),
                })
                .collect();
            let out = self.alert_mails(workspace_id, policy, rule, mails, now)?;
            page.jobs.extend(out.jobs);
            page.digest.extend(out.digest);
        }
        Ok(())
    }

    /// Who a rule e-mails, once each, with their language: members in theirs, other
    /// addresses in `fallback_locale`.
    pub(crate) async fn recipients(
        &self,
        workspace_id: WorkspaceId,
        rule: &AlertRule,
        fallback_locale: &str,
    ) -> Result<Vec<(String, String)>, AppError> {
        let members = self.store().members(workspace_id).await?;
        Ok(recipients_among(&members, rule, fallback_locale))
    }

    /// Opens the response's case (added to the page's pending cases), or links the
    /// response to its contact's recent case.
    async fn case_for(
        &self,
        workspace_id: WorkspaceId,
        rule: &AlertRule,
        r: &ResponseRecord,
        who: Option<&str>,
        page: &mut Page,
    ) -> Result<(), AppError> {
        let Some(action) = &rule.actions.case else {
            return Ok(());
        };
        let now = crate::now_ms();
        let actor = CaseActor::Rule(rule.key.as_str().to_string());
        let id = case_id_for_response(r.id.as_str());
        if let Some(who) = who
            && action.link_within_days > 0
        {
            // The contact's recent case may be one this page opens: stored first, it is
            // found, and this response is linked to it instead of opening a second.
            if page.contacts.contains(who) {
                self.write_alerts(page).await?;
            }
            if let Some(existing) = self
                .store()
                .contact_case(
                    workspace_id,
                    who,
                    now - action.link_within_days * 86_400_000,
                )
                .await?
                && existing.id != id
                && existing.status != CaseStatus::Closed
            {
                // What the page has pending goes first, so writes keep their order.
                self.write_alerts(page).await?;
                // Once per response, even when the feed is read again.
                if self
                    .store()
                    .mark_case(&existing.id, &format!("response:{}", r.id.as_str()), now)
                    .await?
                {
                    self.link_response(existing, r, &actor).await?;
                    page.done.responses_linked += 1;
                }
                return Ok(());
            }
        }
        let title = rule.name.get(&r.locale).to_string();
        let mut case = self
            .new_case(workspace_id, id, Some(r), title, action.priority, now)
            .await?;
        case.owner_id = action.owner.as_ref().map(|u| u.as_str().to_string());
        case.team = action.team.as_ref().map(|t| t.as_str().to_string());
        case.rule_key = Some(rule.key.as_str().to_string());
        if page.sla.is_none() {
            page.sla = Some(self.sla_policy(workspace_id).await?);
        }
        if let Some(policy) = &page.sla {
            crate::cases::set_due(policy, &mut case, now);
        }
        let first = CaseEvent {
            n: 1,
            at: now,
            kind: "created".into(),
            actor: actor.as_text(),
            data: serde_json::json!({"rule": rule.key.as_str(), "response_id": r.id.as_str()})
                .to_string(),
        };
        let jobs = hook_jobs(
            &page.hooks,
            workspace_id,
            "case.created",
            &case.id,
            case_data(&case),
            now,
        );
        // As `contact_case` finds it: by the key stored with the case.
        page.contacts.extend(case.contact_key.clone());
        page.cases.push((case, first, jobs));
        Ok(())
    }

    /// Links a response to a case, reopening it when resolved.
    async fn link_response(
        &self,
        mut case: puls_store::CaseRecord,
        r: &ResponseRecord,
        actor: &CaseActor,
    ) -> Result<(), AppError> {
        for _ in 0..5 {
            let now = crate::now_ms();
            let before = case.clone();
            let reopen = case.status == CaseStatus::Resolved;
            if reopen {
                move_status(&mut case, CaseStatus::InProgress, now);
            }
            let policy = self.sla_policy(case.workspace_id).await?;
            let sla = crate::cases::case_sla(&policy, &case, now);
            case.first_response_due = sla.first_response.due_at;
            case.resolution_due = sla.resolution.due_at;
            case.revision += 1;
            case.updated_at = now;
            let event = CaseEvent {
                n: 0,
                at: now,
                kind: "linked".into(),
                actor: actor.as_text(),
                data: serde_json::json!({"response_id": r.id.as_str(), "reopened": reopen})
                    .to_string(),
            };
            let key = format!("{}:{}", case.id, case.revision);
            let jobs = self.case_jobs(&case, "case.updated", &key, now).await?;
            if self.store().update_case(&case, &[event], &jobs).await? {
                return Ok(());
            }
            case = self
                .store()
                .case(before.workspace_id, &before.id)
                .await?
                .ok_or(AppError::NotFound("case"))?;
        }
        Err(anyhow::anyhow!("case {} keeps changing", case.id).into())
    }
}

/// Who a rule e-mails among the workspace's `members`, once each, with their language:
/// members in theirs, other addresses in `fallback_locale`.
fn recipients_among(
    members: &[Member],
    rule: &AlertRule,
    fallback_locale: &str,
) -> Vec<(String, String)> {
    let mut to: Vec<(String, String)> = Vec::new();
    for rcpt in &rule.actions.email {
        match rcpt {
            Recipient::Admins => to.extend(
                members
                    .iter()
                    .filter(|m| m.role == "owner" || m.role == "admin")
                    .map(|m| (m.user.email.clone(), m.user.locale.clone())),
            ),
            Recipient::User(e) => {
                let locale = members
                    .iter()
                    .find(|m| &m.user.email == e)
                    .map_or_else(|| fallback_locale.to_string(), |m| m.user.locale.clone());
                to.push((e.clone(), locale));
            }
        }
    }
    to.sort();
    to.dedup_by(|a, b| a.0 == b.0);
    to
}

/// The response's scores, as `question: score` pairs, for e-mails.
fn scores_line(answers: &BTreeMap<String, Value>) -> String {
    answers
        .iter()
        .filter_map(|(q, v)| match v {
            Value::Int(n) => Some(format!("{q}: {n}")),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(", ")
}
