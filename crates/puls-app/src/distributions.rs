//! Distributions: a survey sent by e-mail to an audience, each contact with a personal
//! single-use link, in their language, through the outbox; reminders to those who have not
//! completed; one-click unsubscribing (RFC 8058) and the workspace's suppression list;
//! hard bounces suppressed; what happened to every contact counted for the report.
//!
//! Creating a distribution resolves its audience now (all contacts, a segment's members,
//! or contacts by id) and writes, page by page, one delivery per contact: either a queued
//! message (an invitation with its token, and the e-mail's job, due when the definition's
//! time and window allow) or the reason it is not sent (`no_address`,
//! `consent_withdrawn`, `duplicate_address`, `not_found`) or `suppressed`. Adding is
//! repeatable (a delivery per contact at most): a creation cut short by a crash is left
//! `preparing`, and [`App::resume_distributions`] (the outbox worker, every 30 s) finishes
//! it on one node once it has been unchanged for ten minutes.
//!
//! Every message is checked again when it is sent ([`App::invitation_gate`]): the
//! suppression list, the contact's consent, the distribution not cancelled, its quotas
//! (`crate::quotas`: in all, per group of contacts, per answer), and, for reminders, the
//! survey not completed. The suppression list holds HMAC-SHA-256 hashes of
//! an address's one spelling under a per-workspace salt: erasing a person leaves it (it
//! cannot be read back into the address), so they stay unsubscribed.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use hmac::{Hmac, KeyInit, Mac};
use puls_core::distribution::{
    Audience, DistributionDef, Sample, SendChannel, in_sample, suppression_key, text_language,
};
use puls_core::frequency::FrequencyPolicy;
use puls_core::{ContactId, FieldErrorKind, Locale, QuestionKind, Survey, SurveyId, WorkspaceId};
use puls_store::{
    ContactRecord, DeliveryCounts, DeliveryRecord, DeliveryStatus, DeliveryUpdate,
    DistributionRecord, JobRecord, NewDelivery, NewJob,
};
use serde::{Deserialize, Serialize};
use sha2_11::Sha256;

use crate::contact_fields::surveys_withdrawn;
use crate::email::EmailJob;
use crate::{App, AppError, Rejection};

/// What reminders of one distribution share: the distribution, its definition, its
/// survey's current version and the workspace's name.
type ReminderContext = (DistributionRecord, DistributionDef, Arc<Survey>, String);

/// The setting that holds the contact-frequency policy.
const FREQUENCY_SETTING: &str = "frequency";

/// How long a distribution may stay `preparing` unchanged before another node finishes it.
pub const STALE_PREPARING_MS: i64 = 10 * 60_000;

/// The response rate a margin-of-error sample assumes before the survey has had 50
/// messages sent.
const ASSUMED_RESPONSE_RATE: f64 = 0.25;

/// Contacts read and written per transaction while a distribution is created.
const PAGE: usize = 1_000;

/// What an invitation e-mail's job carries besides the message: which delivery it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRef {
    pub distribution: String,
    pub contact: String,
    /// 0 for the invitation, then 1, 2... for reminders.
    pub reminder: i64,
}

/// The outbox job id of a contact's message of a distribution: the contact first, so that
/// erasing them finds their jobs by a range of ids.
pub fn invitation_job_id(contact: &str, distribution: &str, reminder: i64) -> String {
    format!("inv:{contact}:{distribution}:{reminder}")
}

/// A distribution with its definition and its counts.
#[derive(Debug, Clone)]
pub struct DistributionReport {
    pub record: DistributionRecord,
    pub def: DistributionDef,
    pub counts: DeliveryCounts,
    /// Whether its workspace tracks e-mail opens now (`crate::opens`).
    pub opens_tracked: bool,
    /// Each quota with its completed responses now, the whole distribution's first
    /// (`crate::quotas`).
    pub quotas: Vec<puls_core::quota::QuotaProgress>,
}

impl DistributionReport {
    pub fn count(&self, status: DeliveryStatus) -> i64 {
        self.counts.count(status)
    }

    /// Messages that reached the receiving server (sent, whatever came after).
    pub fn delivered(&self) -> i64 {
        self.count(DeliveryStatus::Sent)
    }

    /// Completed responses per message delivered, with its Wilson interval.
    pub fn response_rate(&self) -> puls_core::stats::Proportion {
        rate_of(&self.counts)
    }
}

/// Completed responses per message sent (whatever came after), with its Wilson interval.
pub fn rate_of(counts: &DeliveryCounts) -> puls_core::stats::Proportion {
    per_sent(counts, counts.completed)
}

/// `count` (responses, opens) per message sent, with its Wilson interval.
pub(crate) fn per_sent(counts: &DeliveryCounts, count: i64) -> puls_core::stats::Proportion {
    let sent = counts.count(DeliveryStatus::Sent).max(0) as u64;
    let done = (count.max(0) as u64).min(sent);
    puls_core::stats::response_rate(done, sent, &puls_core::stats::Options::default()).unwrap_or(
        puls_core::stats::Proportion {
            count: done,
            n: sent,
            value: None,
            interval: None,
            small_sample: true,
        },
    )
}

/// What a message's check at sending time decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    Send,
    /// Not sent: the delivery's new status and reason.
    Skip(DeliveryStatus, &'static str),
}

/// The unsubscribe page's facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsubscribe {
    pub workspace: String,
    /// The address shown half-hidden (`a***@sklep.pl`).
    pub address: String,
    /// The contact's language of the message.
    pub locale: String,
    /// Whether the address is on the list already.
    pub done: bool,
}

/// The personal link of a delivery: the survey, with its token and language.
fn survey_link(base: &str, survey: &SurveyId, token: &str, locale: &Locale) -> String {
    format!("{base}/s/{survey}?inv={token}&lang={locale}")
}

/// `a***@sklep.pl`: enough for a person to recognise their address, not to read it.
pub fn masked(address: &str) -> String {
    match address.split_once('@') {
        Some((user, domain)) => {
            let first: String = user.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".into(),
    }
}

/// The first question as links in the message, when it is a score.
fn embedded(survey: &Survey, locale: &Locale) -> Option<serde_json::Value> {
    let q = survey.questions.first()?;
    let (min, max, kind) = match &q.kind {
        QuestionKind::Nps => (0, 10, "nps"),
        QuestionKind::Csat => (1, 5, "csat"),
        QuestionKind::Ces => (1, 7, "ces"),
        QuestionKind::Rating(s) if s.max - s.min <= 10 => (s.min, s.max, "rating"),
        _ => return None,
    };
    let label = |t: &Option<puls_core::LocalizedText>| {
        t.as_ref()
            .map(|t| t.get(locale, &survey.default_locale).to_string())
    };
    let (low, high) = match &q.kind {
        QuestionKind::Rating(s) => (label(&s.min_label), label(&s.max_label)),
        _ => (None, None),
    };
    // The template makes the links (`{link}&q={q}&a={n}` for n in min..=max), so that a
    // queued message carries two numbers, not eleven links.
    Some(serde_json::json!({
        "question": q.text.get(locale, &survey.default_locale),
        "kind": kind,
        "q": q.id.as_str(),
        "min": min,
        "max": max,
        "low": low,
        "high": high,
    }))
}

/// The id of the distribution an idempotency key made in a workspace.
fn keyed_id(workspace_id: WorkspaceId, key: &str) -> String {
    derived_id('k', &[&workspace_id.get().to_be_bytes(), key.as_bytes()])
}

/// A distribution id made from `parts` (the same parts, the same id), marked by `kind`
/// (`k` an idempotency key's, `t` a trigger occurrence's): as long as a random one.
pub(crate) fn derived_id(kind: char, parts: &[&[u8]]) -> String {
    use sha2_11::Digest;
    let mut hash = Sha256::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            hash.update([0]);
        }
        hash.update(part);
    }
    let hex: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    format!("dst_{kind}{}", &hex[..25])
}

/// Where a contact's message on `channel` goes: their e-mail address, or for a text
/// channel the attribute its provider names (`address_attribute`) or their phone number.
fn address_of<'c>(
    config: &crate::config::Config,
    c: &'c ContactRecord,
    channel: SendChannel,
) -> Option<&'c str> {
    match config.provider(channel) {
        None => c.fields.email.as_deref(),
        Some(p) => match &p.address_attribute {
            Some(a) => c
                .fields
                .attributes
                .get(a)
                .and_then(|v| v.as_str())
                .map(str::trim)
                .filter(|s| !s.is_empty()),
            None => c.fields.phone.as_deref(),
        },
    }
}

/// The channel of an invitation's job (`email`, `sms` or `chat`).
fn job_channel(job: &JobRecord) -> SendChannel {
    SendChannel::parse(&job.channel).unwrap_or(SendChannel::Email)
}

fn hmac_hex(salt: &str, key: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(salt.as_bytes()).expect("HMAC takes any key");
    mac.update(key.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

impl App {
    /// The suppression hash of an address in a workspace.
    pub async fn suppression_hash(
        &self,
        workspace_id: WorkspaceId,
        channel: SendChannel,
        address: &str,
    ) -> Result<String, AppError> {
        let salt = self.suppression_salt(workspace_id).await?;
        Ok(hmac_hex(&salt, &suppression_key(channel, address)))
    }

    /// The workspace's salt for suppression hashes (read once per process).
    async fn suppression_salt(&self, workspace_id: WorkspaceId) -> Result<Arc<str>, AppError> {
        if let Some(s) = self.0.salts.lock().expect("salts").get(&workspace_id) {
            return Ok(s.clone());
        }
        let salt: Arc<str> = self.store().suppression_salt(workspace_id).await?.into();
        self.0
            .salts
            .lock()
            .expect("salts")
            .insert(workspace_id, salt.clone());
        Ok(salt)
    }

    /// Creates a distribution of a published survey of the workspace and queues its
    /// messages; returns it with its counts. 422 with every problem of the definition at
    /// its path; 409 `email_not_configured` without `smtp.host`; 409
    /// `survey_not_published` for a draft; 422 `unknown_segment`. With an idempotency
    /// `key`, the same key again (a retry, a double-submitted form) gives the distribution
    /// made the first time, not another.
    #[tracing::instrument(skip(self, definition), err(level = "debug"))]
    pub async fn create_distribution(
        &self,
        workspace_id: WorkspaceId,
        survey_id: &SurveyId,
        definition: &puls_core::Value,
        created_by: Option<String>,
        key: Option<String>,
    ) -> Result<DistributionReport, AppError> {
        let id = match &key {
            Some(k) => {
                let id = keyed_id(workspace_id, k);
                if self
                    .store()
                    .distribution(workspace_id, &id)
                    .await?
                    .is_some()
                {
                    return self.distribution_report(workspace_id, &id).await;
                }
                id
            }
            None => format!("dst_{}", ulid::Ulid::new().to_string().to_lowercase()),
        };
        let def = DistributionDef::parse(definition).map_err(AppError::Validation)?;
        let record = self
            .survey_record(survey_id)
            .await?
            .filter(|r| r.workspace_id == workspace_id)
            .ok_or(AppError::NotFound("survey"))?;
        let survey = self.sendable_survey(&record, &def).await?;
        if let Audience::Segment(key) = &def.audience {
            // Refused now, before anything is written.
            self.analytics()
                .segment(workspace_id, key)
                .await
                .map_err(|e| match e {
                    AppError::NotFound(_) => AppError::rejected(
                        Rejection::UnknownSegment,
                        format!(
                            "audience.segment: there is no segment '{}'",
                            crate::analytics::params::clip(key)
                        ),
                    ),
                    other => other,
                })?;
        }
        self.check_quota(workspace_id, &def, &survey).await?;
        self.start_distribution(&record, &survey, &def, &id, created_by, None)
            .await?;
        self.distribution_report(workspace_id, &id).await
    }

    /// A survey's current version, if a message with `def` may invite to it: 409
    /// `survey_not_published` for a draft, `survey_closed` when closed,
    /// `email_not_configured` without `smtp.host`; 422 at `embed_first_question` when the
    /// first question is not a score.
    pub(crate) async fn sendable_survey(
        &self,
        record: &puls_store::SurveyRecord,
        def: &DistributionDef,
    ) -> Result<Arc<Survey>, AppError> {
        crate::surveys::require_published(record, "sending it")?;
        match def.channel {
            SendChannel::Email if self.config().smtp.host.is_none() => {
                return Err(AppError::rejected(
                    Rejection::EmailNotConfigured,
                    "e-mail is not configured (smtp.host)",
                ));
            }
            SendChannel::Sms if self.config().sms.url.is_none() => {
                return Err(AppError::rejected(
                    Rejection::SmsNotConfigured,
                    "SMS is not configured (sms.url)",
                ));
            }
            SendChannel::Chat if self.config().chat.url.is_none() => {
                return Err(AppError::rejected(
                    Rejection::ChatNotConfigured,
                    "chat is not configured (chat.url)",
                ));
            }
            _ => {}
        }
        let survey = self.survey_version(record, record.version).await?;
        if def.embed_first_question && embedded(&survey, &survey.default_locale).is_none() {
            return Err(AppError::field(
                "embed_first_question",
                FieldErrorKind::BadCondition {
                    reason: "the survey's first question is not a score (NPS, CSAT, CES or a \
                             rating of at most 11 points)"
                        .into(),
                },
            ));
        }
        Ok(survey)
    }

    /// Writes a distribution `id` of `survey` (checked by [`App::sendable_survey`]) and
    /// its deliveries. Repeatable: a distribution with this id already there is finished,
    /// not made again (a trigger's occurrence fired twice makes one).
    pub(crate) async fn start_distribution(
        &self,
        survey_record: &puls_store::SurveyRecord,
        survey: &Survey,
        def: &DistributionDef,
        id: &str,
        created_by: Option<String>,
        trigger_id: Option<String>,
    ) -> Result<(), AppError> {
        let workspace_id = survey_record.workspace_id;
        let now = crate::now_ms();
        let id = id.to_string();
        let value = puls_store::json::JsonText::encode(&def.to_value())
            .as_str()
            .to_string();
        let record = DistributionRecord {
            id: id.clone(),
            workspace_id,
            survey_id: survey_record.id.clone(),
            channel: def.channel.as_str().into(),
            name: def.name.clone(),
            definition: value,
            status: "preparing".into(),
            recipients: 0,
            created_by,
            created_at: now,
            updated_at: now,
            trigger_id,
            sample_plan: None,
        };
        self.store().create_distribution(&record).await?;
        let record = self.distribution_record(workspace_id, &id).await?;
        if record.status == "preparing" {
            self.prepare_distribution(&record, def, survey).await?;
        }
        Ok(())
    }

    /// Writes the deliveries of a distribution's audience (those it has are left), then
    /// marks it ready.
    async fn prepare_distribution(
        &self,
        record: &DistributionRecord,
        def: &DistributionDef,
        survey: &Survey,
    ) -> Result<(), AppError> {
        let ws = record.workspace_id;
        let salt = self.suppression_salt(ws).await?;
        let workspace = self.workspace_name(ws).await?;
        // Addresses written before (a creation cut short, now resumed) are not written to
        // again through another contact.
        let mut seen: HashSet<String> = self
            .store()
            .distribution_addresses(&record.id)
            .await?
            .iter()
            .map(|a| suppression_key(def.channel, a))
            .collect();
        let mut total = 0_i64;
        // Each page renews the distribution's change time, so that it is not taken as
        // stale while this node works; a page that finds it taken (or cancelled) stops.
        let mut last = record.updated_at;
        let mut renew = async |app: &App| -> Result<bool, AppError> {
            let now = crate::now_ms().max(last + 1);
            let kept = app.store().take_distribution(&record.id, last, now).await?;
            last = now;
            Ok(kept)
        };
        let sampling = self.sampling(record, def, survey).await?;
        let ctx = Prepare {
            record,
            def,
            survey,
            salt: &salt,
            workspace: &workspace,
            sampling: sampling.as_ref(),
        };
        match &def.audience {
            Audience::All => {
                let mut after: Option<ContactId> = None;
                loop {
                    let page = self
                        .store()
                        .list_contacts(ws, after.as_ref(), PAGE as i64)
                        .await?;
                    let Some(last) = page.last() else { break };
                    after = Some(last.id.clone());
                    let n = page.len();
                    total += self.add_page(&ctx, page, Vec::new(), &mut seen).await?;
                    if n < PAGE || !renew(self).await? {
                        break;
                    }
                }
            }
            Audience::Segment(key) => {
                let ids = self.segment_contact_ids(ws, key).await?;
                for chunk in ids.chunks(PAGE) {
                    let contacts = self.store().contacts_by_ids(ws, chunk).await?;
                    total += self.add_page(&ctx, contacts, Vec::new(), &mut seen).await?;
                    if !renew(self).await? {
                        break;
                    }
                }
            }
            Audience::Contacts(ids) => {
                for chunk in ids.chunks(PAGE) {
                    let mut contacts = self.store().contacts_by_ids(ws, chunk).await?;
                    let mut found: HashSet<String> =
                        contacts.iter().map(|c| c.id.to_string()).collect();
                    // An id merged into another contact since names that one (once);
                    // an id that names no live contact is counted `not_found`.
                    let absent: Vec<&ContactId> = chunk
                        .iter()
                        .filter(|id| !found.contains(id.as_str()))
                        .collect();
                    let mut missing = Vec::new();
                    for id in absent {
                        match self.contact(ws, id).await {
                            Ok(c) => {
                                if found.insert(c.id.to_string()) {
                                    contacts.push(c);
                                }
                            }
                            Err(AppError::NotFound(_)) => missing.push(id.clone()),
                            Err(e) => return Err(e),
                        }
                    }
                    // In the order given.
                    let order: std::collections::HashMap<&str, usize> = chunk
                        .iter()
                        .enumerate()
                        .map(|(i, id)| (id.as_str(), i))
                        .collect();
                    contacts.sort_by_key(|c| order.get(c.id.as_str()).copied());
                    total += self.add_page(&ctx, contacts, missing, &mut seen).await?;
                    if !renew(self).await? {
                        break;
                    }
                }
            }
        }
        // Responses to the links are read from the feed (for the report's reminders).
        self.start_response_feed(ws).await?;
        let recipients = self
            .store()
            .delivery_counts(&record.id)
            .await?
            .by_status
            .iter()
            .map(|(_, _, n)| n)
            .sum::<i64>()
            .max(total);
        self.store()
            .ready_distribution(&record.id, recipients, crate::now_ms())
            .await?;
        Ok(())
    }

    /// Whether a kiosk device may begin one more response to `survey_id` now (counted
    /// when it may): at most `kiosk.max_per_hour` in a clock hour, on every node alike.
    pub async fn kiosk_allows(
        &self,
        survey_id: &SurveyId,
        device: &str,
        now: i64,
    ) -> Result<bool, AppError> {
        let max = self.config().kiosk.max_per_hour;
        if max <= 0 {
            return Ok(true);
        }
        let n = self
            .store()
            .count_kiosk_start(survey_id, device, now.div_euclid(3_600_000))
            .await?;
        Ok(n <= max)
    }

    /// How a sampled distribution draws its audience (none for one that invites everyone):
    /// a share, or, for a margin of error, each group's share from how many responses an
    /// NPS within the margin needs (with the spread of the survey's own NPS answers once
    /// it has 100, else the worst case: `puls_core::stats::nps_sizing`), the response
    /// rate this survey's distributions have had (at least 50 messages sent; else an
    /// assumed 25 %), and the group's size now. The plan is recorded on the distribution.
    async fn sampling(
        &self,
        record: &DistributionRecord,
        def: &DistributionDef,
        survey: &Survey,
    ) -> Result<Option<Sampling>, AppError> {
        let (margin, confidence, by) = match &def.sample {
            None => return Ok(None),
            Some(Sample::Percent(p)) => {
                return Ok(Some(Sampling {
                    by: None,
                    fractions: HashMap::from([(String::new(), f64::from(*p) / 100.0)]),
                }));
            }
            Some(Sample::Margin {
                margin,
                confidence,
                by,
            }) => (
                *margin,
                *confidence,
                by.as_ref().map(|k| k.as_str().to_string()),
            ),
        };
        let history = self
            .store()
            .survey_delivery_counts(&record.survey_id)
            .await?;
        let rate = rate_of(&history);
        let (response_rate, measured) = match rate.value {
            Some(v) if rate.n >= 50 && v > 0.0 => (v / 100.0, true),
            _ => (ASSUMED_RESPONSE_RATE, false),
        };
        let level = puls_core::stats::Confidence::new(confidence)
            .map_err(|e| anyhow::anyhow!("confidence: {e}"))?;
        let observed = self
            .nps_answers(record.workspace_id, &record.survey_id, survey)
            .await?;
        let sizing = puls_core::stats::nps_sizing(margin, level, observed.as_ref());
        let needed = sizing.responses;
        let invites = (needed as f64 / response_rate).ceil() as u64;
        let mut sizes: std::collections::BTreeMap<String, u64> = Default::default();
        for c in self
            .audience_contacts(record.workspace_id, &def.audience)
            .await?
        {
            *sizes.entry(group_of(&c, by.as_deref())).or_default() += 1;
        }
        let mut fractions = HashMap::new();
        let mut groups = Vec::new();
        for (group, size) in &sizes {
            let share = (invites as f64 / *size as f64).min(1.0);
            fractions.insert(group.clone(), share);
            groups.push(serde_json::json!({
                "group": group, "contacts": size, "invited": invites.min(*size),
                "enough": *size >= invites,
            }));
        }
        let plan = serde_json::json!({
            "margin_of_error": margin, "confidence": confidence, "by": by,
            "responses_needed": needed,
            "response_rate": response_rate, "response_rate_measured": measured,
            "response_rate_from_sent": rate.n,
            "nps_variance": (sizing.variance * 10.0).round() / 10.0,
            "nps_variance_measured": sizing.measured,
            "nps_variance_from_answers": sizing.answers,
            "invites_per_group": invites, "groups": groups,
        });
        self.store()
            .set_sample_plan(&record.id, &plan.to_string())
            .await?;
        Ok(Some(Sampling { by, fractions }))
    }

    /// Every contact of an audience now (for sizing a sample's groups).
    async fn audience_contacts(
        &self,
        workspace_id: WorkspaceId,
        audience: &Audience,
    ) -> Result<Vec<ContactRecord>, AppError> {
        let mut out = Vec::new();
        match audience {
            Audience::All => {
                let mut after: Option<ContactId> = None;
                loop {
                    let page = self
                        .store()
                        .list_contacts(workspace_id, after.as_ref(), PAGE as i64)
                        .await?;
                    let Some(last) = page.last() else { break };
                    after = Some(last.id.clone());
                    let n = page.len();
                    out.extend(page);
                    if n < PAGE {
                        break;
                    }
                }
            }
            Audience::Segment(key) => {
                let ids = self.segment_contact_ids(workspace_id, key).await?;
                for chunk in ids.chunks(PAGE) {
                    out.extend(self.store().contacts_by_ids(workspace_id, chunk).await?);
                }
            }
            Audience::Contacts(ids) => {
                for chunk in ids.chunks(PAGE) {
                    out.extend(self.store().contacts_by_ids(workspace_id, chunk).await?);
                }
            }
        }
        Ok(out)
    }

    /// Finishes preparing the distributions whose creation was cut short (a node stopped
    /// while writing their deliveries: still `preparing` and unchanged for
    /// [`STALE_PREPARING_MS`]), each taken by one node; returns how many.
    pub async fn resume_distributions(&self, now: i64) -> Result<u64, AppError> {
        let mut n = 0;
        for mut record in self
            .store()
            .stale_distributions(now - STALE_PREPARING_MS, 10)
            .await?
        {
            if !self
                .store()
                .take_distribution(&record.id, record.updated_at, now)
                .await?
            {
                continue;
            }
            record.updated_at = now;
            let def = stored_def(&record)?;
            let Some(survey) = self.survey_record(&record.survey_id).await? else {
                continue;
            };
            let survey = self.survey_version(&survey, survey.version).await?;
            tracing::info!(distribution = %record.id, "resuming a distribution cut short");
            self.prepare_distribution(&record, &def, &survey).await?;
            n += 1;
        }
        Ok(n)
    }

    /// The ids of a segment's members now.
    pub(crate) async fn segment_contact_ids(
        &self,
        workspace_id: WorkspaceId,
        key: &str,
    ) -> Result<Vec<ContactId>, AppError> {
        let analytics = self.analytics();
        let def = analytics.segment(workspace_id, key).await?;
        let (customers, members) = analytics
            .members(workspace_id, &def.rule, crate::now_ms())
            .await?;
        let ids = tokio::task::spawn_blocking(move || {
            let index = customers.read();
            let mut ids: Vec<ContactId> = members
                .iter()
                .filter_map(|c| ContactId::parse(index.contact_id(c as u32)).ok())
                .collect();
            ids.sort();
            ids
        })
        .await
        .map_err(|e| anyhow::anyhow!("segment members thread: {e}"))?;
        Ok(ids)
    }

    /// One page of contacts made deliveries and written in one transaction; returns how
    /// many were new.
    async fn add_page(
        &self,
        ctx: &Prepare<'_>,
        contacts: Vec<ContactRecord>,
        missing: Vec<ContactId>,
        seen: &mut HashSet<String>,
    ) -> Result<i64, AppError> {
        let now = crate::now_ms();
        let keys: Vec<Option<String>> = contacts
            .iter()
            .map(|c| {
                address_of(self.config(), c, ctx.def.channel)
                    .map(|e| suppression_key(ctx.def.channel, e))
            })
            .collect();
        let hashes: Vec<String> = keys
            .iter()
            .flatten()
            .map(|k| hmac_hex(ctx.salt, k))
            .collect();
        let suppressed: HashSet<String> = self
            .store()
            .suppressed(ctx.record.workspace_id, ctx.def.channel.as_str(), &hashes)
            .await?
            .into_iter()
            .map(|(h, _)| h)
            .collect();
        let mut out = Vec::with_capacity(contacts.len() + missing.len());
        for (c, key) in contacts.iter().zip(&keys) {
            let locale = c
                .fields
                .locale
                .as_deref()
                .and_then(|l| Locale::parse(l).ok());
            let lang = text_language(locale.as_ref());
            let mut d = ctx.skipped(c.id.as_str(), lang, "no_address", now);
            if let Some(s) = ctx.sampling
                && !in_sample(&ctx.record.id, c.id.as_str(), s.fraction(c))
            {
                d.reason = Some("not_sampled".into());
                out.push(NewDelivery {
                    record: d,
                    job: None,
                });
                continue;
            }
            d.address = address_of(self.config(), c, ctx.def.channel).map(str::to_string);
            let Some(key) = key else {
                out.push(NewDelivery {
                    record: d,
                    job: None,
                });
                continue;
            };
            if suppressed.contains(&hmac_hex(ctx.salt, key)) {
                d.status = DeliveryStatus::Suppressed;
                d.reason = Some("suppressed".into());
            } else if surveys_withdrawn(&c.fields) {
                d.reason = Some("consent_withdrawn".into());
            } else if !seen.insert(key.clone()) {
                d.reason = Some("duplicate_address".into());
            } else {
                let job = ctx.invitation(self, c, &mut d, now)?;
                out.push(NewDelivery {
                    record: d,
                    job: Some(job),
                });
                continue;
            }
            out.push(NewDelivery {
                record: d,
                job: None,
            });
        }
        for id in missing {
            out.push(NewDelivery {
                record: ctx.skipped(id.as_str(), "en", "not_found", now),
                job: None,
            });
        }
        Ok(self
            .store()
            .add_deliveries(&ctx.record.survey_id, &out)
            .await? as i64)
    }

    /// The workspace's display name.
    pub(crate) async fn workspace_name(
        &self,
        workspace_id: WorkspaceId,
    ) -> Result<String, AppError> {
        Ok(self
            .store()
            .list_workspaces()
            .await?
            .into_iter()
            .find(|w| w.id == workspace_id)
            .map(|w| w.name)
            .unwrap_or_default())
    }

    /// A distribution of the workspace; 404 when it has none with this id.
    async fn distribution_record(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
    ) -> Result<DistributionRecord, AppError> {
        self.store()
            .distribution(workspace_id, id)
            .await?
            .ok_or(AppError::NotFound("distribution"))
    }

    /// A distribution's name (without counting its deliveries); `None` when there is none.
    pub async fn distribution_name(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
    ) -> Result<Option<String>, AppError> {
        Ok(self
            .store()
            .distribution(workspace_id, id)
            .await?
            .map(|d| d.name))
    }

    /// A distribution with its counts; 404 when the workspace has none with this id.
    pub async fn distribution_report(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
    ) -> Result<DistributionReport, AppError> {
        let record = self.distribution_record(workspace_id, id).await?;
        self.report_of(record).await
    }

    async fn report_of(&self, record: DistributionRecord) -> Result<DistributionReport, AppError> {
        let def = stored_def(&record)?;
        let counts = self.store().delivery_counts(&record.id).await?;
        let opens_tracked = self.tracks_opens(record.workspace_id).await?;
        let quotas = self
            .quota_state(&record, &def, Some(counts.completed))
            .await?
            .map_or_else(Vec::new, |q| q.progress());
        Ok(DistributionReport {
            record,
            def,
            counts,
            opens_tracked,
            quotas,
        })
    }

    /// A survey's messages of every distribution and trigger, counted by channel (and in
    /// all), for the contacts of a saved segment when `segment` names one: what each
    /// channel sent, failed, bounced, suppressed and skipped (by reason), the responses
    /// begun and completed through the links, and each channel's response rate. 404 for
    /// a survey of another workspace; 422 `unknown_segment`.
    pub async fn survey_reach(
        &self,
        workspace_id: WorkspaceId,
        survey_id: &SurveyId,
        segment: Option<&str>,
    ) -> Result<Vec<(String, DeliveryCounts)>, AppError> {
        self.survey_record(survey_id)
            .await?
            .filter(|r| r.workspace_id == workspace_id)
            .ok_or(AppError::NotFound("survey"))?;
        let members: Option<HashSet<String>> = match segment {
            None => None,
            Some(key) => Some(
                self.segment_contact_ids(workspace_id, key)
                    .await
                    .map_err(|e| match e {
                        AppError::NotFound(_) => AppError::rejected(
                            Rejection::UnknownSegment,
                            format!(
                                "segment: there is no segment '{}'",
                                crate::analytics::params::clip(key)
                            ),
                        ),
                        other => other,
                    })?
                    .into_iter()
                    .map(|c| c.to_string())
                    .collect(),
            ),
        };
        let mut by_channel: std::collections::BTreeMap<String, HashMap<_, i64>> =
            Default::default();
        let mut totals: std::collections::BTreeMap<String, (i64, i64, i64, i64)> =
            Default::default();
        for f in self.store().survey_deliveries(survey_id).await? {
            if members.as_ref().is_some_and(|m| !m.contains(&f.contact_id)) {
                continue;
            }
            for channel in [f.channel.clone(), "all".to_string()] {
                *by_channel
                    .entry(channel.clone())
                    .or_default()
                    .entry((f.status, f.reason.clone()))
                    .or_default() += 1;
                let t = totals.entry(channel).or_default();
                t.0 += i64::from(f.started);
                t.1 += i64::from(f.completed);
                t.2 += f.reminders;
                t.3 += i64::from(f.opened);
            }
        }
        Ok(by_channel
            .into_iter()
            .map(|(channel, counts)| {
                let (started, completed, reminders, opened) = totals[&channel];
                let mut by_status: Vec<_> = counts
                    .into_iter()
                    .map(|((status, reason), n)| (status, reason, n))
                    .collect();
                by_status.sort();
                (
                    channel,
                    DeliveryCounts {
                        by_status,
                        started,
                        completed,
                        reminders,
                        opened,
                    },
                )
            })
            .collect())
    }

    /// The workspace's distributions, newest first, with their counts.
    pub async fn distributions(
        &self,
        workspace_id: WorkspaceId,
        before: Option<&str>,
        limit: i64,
    ) -> Result<Vec<DistributionReport>, AppError> {
        let mut out = Vec::new();
        for record in self
            .store()
            .distributions(workspace_id, before, limit)
            .await?
        {
            out.push(self.report_of(record).await?);
        }
        Ok(out)
    }

    /// Cancels what a distribution has not sent yet (messages and reminders are checked
    /// before sending); repeating it changes nothing.
    pub async fn cancel_distribution(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
    ) -> Result<DistributionReport, AppError> {
        let record = self.distribution_record(workspace_id, id).await?;
        if record.status != "cancelled" {
            self.store()
                .set_distribution_status(
                    workspace_id,
                    id,
                    "cancelled",
                    record.recipients,
                    crate::now_ms(),
                )
                .await?;
        }
        self.distribution_report(workspace_id, id).await
    }

    /// A distribution's deliveries after contact id `after`; 404 when the workspace has no
    /// such distribution.
    pub async fn deliveries(
        &self,
        workspace_id: WorkspaceId,
        id: &str,
        after: &str,
        limit: i64,
    ) -> Result<Vec<DeliveryRecord>, AppError> {
        self.distribution_record(workspace_id, id).await?;
        Ok(self.store().deliveries(id, after, limit).await?)
    }

    /// The suppression list, newest first, before `(created_at, hash)` when given.
    pub async fn suppressions(
        &self,
        workspace_id: WorkspaceId,
        before: Option<(i64, String)>,
        limit: i64,
    ) -> Result<Vec<puls_store::SuppressionRecord>, AppError> {
        Ok(self
            .store()
            .suppressions(workspace_id, before, limit)
            .await?)
    }

    /// A contact's deliveries, newest first: what they were sent, and what not and why.
    pub async fn contact_deliveries(
        &self,
        workspace_id: WorkspaceId,
        contact_id: &ContactId,
        limit: i64,
    ) -> Result<Vec<DeliveryRecord>, AppError> {
        Ok(self
            .store()
            .contact_deliveries(workspace_id, contact_id.as_str(), limit)
            .await?)
    }

    /// The workspace's contact-frequency policy (no caps until one is saved).
    pub async fn frequency_policy(
        &self,
        workspace_id: WorkspaceId,
    ) -> Result<FrequencyPolicy, AppError> {
        match self.setting(workspace_id, FREQUENCY_SETTING).await? {
            Some(v) => Ok(FrequencyPolicy::parse(&v)
                .map_err(|e| anyhow::anyhow!("stored frequency policy is invalid: {e}"))?),
            None => Ok(FrequencyPolicy::default()),
        }
    }

    /// Replaces the workspace's contact-frequency policy; every send decided from now on
    /// follows it (surveys already asked count under the new caps).
    pub async fn save_frequency_policy(
        &self,
        workspace_id: WorkspaceId,
        def: &puls_core::Value,
    ) -> Result<FrequencyPolicy, AppError> {
        let policy = FrequencyPolicy::parse(def)?;
        self.put_setting(workspace_id, FREQUENCY_SETTING, &policy.to_value())
            .await?;
        Ok(policy)
    }

    /// Asks the frequency policy for one more survey of each contact of `touches` now (all
    /// of one workspace), and records those allowed, in one transaction holding the
    /// contacts' locks (so two nodes cannot both ask the same person); a touch's `source`
    /// names what asks (a retry of the same source is allowed again). Returns whether each
    /// is allowed.
    pub async fn claim_frequency(
        &self,
        workspace_id: WorkspaceId,
        touches: &[puls_store::NewTouch<'_>],
    ) -> Result<Vec<bool>, AppError> {
        if touches.is_empty() {
            return Ok(Vec::new());
        }
        let policy = self.frequency_policy(workspace_id).await?;
        let now = crate::now_ms();
        let since = now - policy.lookback_ms();
        let decide = move |earlier: &[i64]| policy.allows(earlier, now).is_ok();
        Ok(self
            .store()
            .claim_touches(workspace_id, touches, since, &decide)
            .await?)
    }

    /// The checks of a batch of e-mails at the moment they are sent, one [`Gate`] each:
    /// for invitations and reminders, the distribution not cancelled, the address not
    /// suppressed, the contact there and not withdrawn; for invitations, the frequency
    /// policy (reminders of a survey asked already, and exempt sends, pass it without
    /// counting). Reads are shared by the batch; the policy is decided in one transaction
    /// per workspace.
    pub(crate) async fn invitation_gates(
        &self,
        batch: &[(JobRecord, EmailJob)],
    ) -> Result<Vec<Gate>, AppError> {
        let mut gates = vec![Gate::Send; batch.len()];
        let mut dists: HashMap<(WorkspaceId, &str), Option<(DistributionRecord, DistributionDef)>> =
            HashMap::new();
        let mut by_ws: HashMap<WorkspaceId, Vec<usize>> = HashMap::new();
        for (i, (job, email)) in batch.iter().enumerate() {
            let Some(r) = &email.delivery else { continue };
            let key = (job.workspace_id, r.distribution.as_str());
            if let Entry::Vacant(slot) = dists.entry(key) {
                let found = match self.store().distribution(key.0, key.1).await? {
                    Some(d) => {
                        let def = stored_def(&d)?;
                        Some((d, def))
                    }
                    None => None,
                };
                slot.insert(found);
            }
            match &dists[&key] {
                Some((d, _)) if d.status != "cancelled" => {
                    by_ws.entry(job.workspace_id).or_default().push(i)
                }
                _ => gates[i] = Gate::Skip(DeliveryStatus::Skipped, "cancelled"),
            }
        }
        // Distributions whose quotas are full (the total, or every answer quota) send no
        // more; a full group's members are held back below.
        let mut full: HashSet<(WorkspaceId, &str)> = HashSet::new();
        let mut quotas: HashMap<(WorkspaceId, &str), crate::quotas::QuotaState> = HashMap::new();
        for (key, found) in &dists {
            if let Some((d, def)) = found
                && d.status != "cancelled"
                && let Some(state) = self.quota_state(d, def, None).await?
            {
                if state.stops_all() {
                    full.insert(*key);
                }
                quotas.insert(*key, state);
            }
        }
        for items in by_ws.values_mut() {
            items.retain(|&i| {
                let (job, email) = &batch[i];
                let r = email.delivery.as_ref().expect("an invitation");
                let is_full = full.contains(&(job.workspace_id, r.distribution.as_str()));
                if is_full {
                    gates[i] = Gate::Skip(DeliveryStatus::Skipped, "quota_full");
                }
                !is_full
            });
        }
        for (ws, items) in by_ws {
            // The suppression list, for the batch's addresses at once.
            let salt = self.suppression_salt(ws).await?;
            let hashes: Vec<String> = items
                .iter()
                .map(|&i| {
                    let channel = job_channel(&batch[i].0);
                    hmac_hex(&salt, &suppression_key(channel, &batch[i].1.to))
                })
                .collect();
            // A batch is one channel's (the outbox groups jobs by target).
            let channel = items
                .first()
                .map_or(SendChannel::Email, |&i| job_channel(&batch[i].0));
            let suppressed: HashSet<String> = self
                .store()
                .suppressed(ws, channel.as_str(), &hashes)
                .await?
                .into_iter()
                .map(|(h, _)| h)
                .collect();
            // The contacts, as they are now (one merged since is looked up through its
            // primary).
            let ids: Vec<ContactId> = items
                .iter()
                .filter_map(|&i| batch[i].1.delivery.as_ref())
                .filter_map(|r| ContactId::parse(&r.contact).ok())
                .collect();
            let mut contacts: HashMap<String, ContactRecord> = self
                .store()
                .contacts_by_ids(ws, &ids)
                .await?
                .into_iter()
                .map(|c| (c.id.to_string(), c))
                .collect();
            for id in &ids {
                if !contacts.contains_key(id.as_str()) {
                    match self.contact(ws, id).await {
                        Ok(c) => {
                            contacts.insert(id.to_string(), c);
                        }
                        Err(AppError::NotFound(_)) => {}
                        Err(e) => return Err(e),
                    }
                }
            }
            let mut asking: Vec<(usize, String)> = Vec::new();
            for (&i, hash) in items.iter().zip(&hashes) {
                let r = batch[i].1.delivery.as_ref().expect("an invitation");
                let def = &dists[&(ws, r.distribution.as_str())]
                    .as_ref()
                    .expect("a live distribution")
                    .1;
                gates[i] = if suppressed.contains(hash) {
                    Gate::Skip(DeliveryStatus::Suppressed, "suppressed")
                } else {
                    match contacts.get(r.contact.as_str()) {
                        None => Gate::Skip(DeliveryStatus::Skipped, "not_found"),
                        Some(c) if surveys_withdrawn(&c.fields) => {
                            Gate::Skip(DeliveryStatus::Skipped, "consent_withdrawn")
                        }
                        Some(c)
                            if quotas
                                .get(&(ws, r.distribution.as_str()))
                                .is_some_and(|q| q.holds_back(c)) =>
                        {
                            Gate::Skip(DeliveryStatus::Skipped, "quota_full")
                        }
                        Some(c) => {
                            if r.reminder == 0 && !def.frequency_exempt {
                                asking.push((i, c.id.to_string()));
                            }
                            Gate::Send
                        }
                    }
                };
            }
            let sources: Vec<String> = asking
                .iter()
                .map(|(i, contact)| {
                    let r = batch[*i].1.delivery.as_ref().expect("an invitation");
                    format!("{}:{contact}", r.distribution)
                })
                .collect();
            let now = crate::now_ms();
            let touches: Vec<puls_store::NewTouch<'_>> = asking
                .iter()
                .zip(&sources)
                .map(|((i, contact), source)| {
                    let r = batch[*i].1.delivery.as_ref().expect("an invitation");
                    let found = dists[&(ws, r.distribution.as_str())].as_ref();
                    let survey = found.map(|(d, _)| d.survey_id.as_str()).unwrap_or_default();
                    puls_store::NewTouch {
                        contact_id: contact,
                        source,
                        at: now,
                        channel: channel.as_str(),
                        survey_id: survey,
                        priority: found.map_or(1, |(_, def)| def.priority.rank()),
                    }
                })
                .collect();
            let allowed = self.claim_frequency(ws, &touches).await?;
            for ((i, _), ok) in asking.iter().zip(allowed) {
                if !ok {
                    gates[*i] = Gate::Skip(DeliveryStatus::Skipped, "frequency_cap");
                }
            }
        }
        Ok(gates)
    }

    /// Records what became of a batch of invitations and reminders, in one transaction:
    /// sent (the first reminder is then due), refused, bounced (and suppressed), or not
    /// sent for the gate's reason. A reminder's fate does not change its delivery's status
    /// (the invitation was sent); one not sent ends the reminders.
    pub(crate) async fn delivery_outcomes(
        &self,
        outcomes: &[(WorkspaceId, &EmailJob, DeliveryStatus, Option<&str>)],
    ) -> Result<(), AppError> {
        let now = crate::now_ms();
        let mut after: HashMap<(WorkspaceId, &str), Option<i64>> = HashMap::new();
        let mut updates = Vec::with_capacity(outcomes.len());
        for &(ws, email, status, reason) in outcomes {
            let Some(r) = &email.delivery else { continue };
            if status == DeliveryStatus::Bounced {
                let hash = self
                    .suppression_hash(ws, SendChannel::Email, &email.to)
                    .await?;
                self.store()
                    .suppress(ws, "email", &hash, "bounced", now)
                    .await?;
            }
            let update = if r.reminder > 0 {
                if status == DeliveryStatus::Sent {
                    continue;
                }
                DeliveryUpdate {
                    distribution_id: &r.distribution,
                    contact_id: &r.contact,
                    status: DeliveryStatus::Sent,
                    reason: None,
                    sent_at: None,
                    next_reminder_at: Some(None),
                    now,
                }
            } else {
                let next = if status == DeliveryStatus::Sent {
                    let key = (ws, r.distribution.as_str());
                    if let Entry::Vacant(slot) = after.entry(key) {
                        let gap = match self.store().distribution(ws, key.1).await? {
                            Some(d) => {
                                let def = stored_def(&d)?;
                                (def.reminders.count > 0)
                                    .then_some(def.reminders.after_hours * 3_600_000)
                            }
                            None => None,
                        };
                        slot.insert(gap);
                    }
                    after[&key].map(|gap| now + gap)
                } else {
                    None
                };
                DeliveryUpdate {
                    distribution_id: &r.distribution,
                    contact_id: &r.contact,
                    status,
                    reason,
                    sent_at: (status == DeliveryStatus::Sent).then_some(now),
                    next_reminder_at: Some(next),
                    now,
                }
            };
            updates.push(update);
        }
        self.store().update_deliveries(&updates).await?;
        Ok(())
    }

    /// Queues the reminders due at `now` (each once, whichever node takes it); returns how
    /// many.
    pub async fn send_reminders(&self, now: i64) -> Result<u64, AppError> {
        let mut n = 0;
        let due = self.store().due_reminders(now, 500).await?;
        // What the round's reminders of one distribution share, read once: the
        // distribution (gone: `None`), its survey's current version, the workspace's name.
        let mut read: HashMap<String, Option<ReminderContext>> = HashMap::new();
        for d in due {
            if !read.contains_key(&d.distribution_id) {
                let found = self.reminder_context(&d).await?;
                read.insert(d.distribution_id.clone(), found);
            }
            let Some((dist, def, survey, workspace)) = &read[&d.distribution_id] else {
                continue;
            };
            let number = d.reminders_sent + 1;
            let next = (number < def.reminders.count)
                .then_some(now + def.reminders.after_hours * 3_600_000);
            if number > def.reminders.count || dist.status == "cancelled" {
                // Nothing more to send: the delivery leaves the reminder queue.
                self.store()
                    .update_delivery(&DeliveryUpdate {
                        distribution_id: &d.distribution_id,
                        contact_id: &d.contact_id,
                        status: d.status,
                        reason: d.reason.as_deref(),
                        sent_at: None,
                        next_reminder_at: Some(None),
                        now,
                    })
                    .await?;
                continue;
            }
            let (Some(token), Some(address)) = (&d.token, &d.address) else {
                continue;
            };
            let ctx = Prepare {
                record: dist,
                def,
                survey,
                salt: "",
                workspace,
                sampling: None,
            };
            let job = ctx.message(self, &d.contact_id, address, &d.locale, token, number)?;
            if self.store().remind(&d, next, &job).await? {
                n += 1;
            }
        }
        Ok(n)
    }

    /// A reminder's distribution, its definition, its survey's current version and the
    /// workspace's name; `None` when the distribution or its survey is gone.
    async fn reminder_context(
        &self,
        d: &DeliveryRecord,
    ) -> Result<Option<ReminderContext>, AppError> {
        let Some(dist) = self
            .store()
            .distribution(d.workspace_id, &d.distribution_id)
            .await?
        else {
            return Ok(None);
        };
        let def = stored_def(&dist)?;
        let Some(record) = self.survey_record(&dist.survey_id).await? else {
            return Ok(None);
        };
        let survey = self.survey_version(&record, record.version).await?;
        let workspace = self.workspace_name(d.workspace_id).await?;
        Ok(Some((dist, def, survey, workspace)))
    }

    /// The unsubscribe page of a message's link; 404 for an unknown (or erased) token.
    pub async fn unsubscribe_info(&self, token: &str) -> Result<Unsubscribe, AppError> {
        let (d, address) = self.delivery_of_token(token).await?;
        let channel = SendChannel::parse(&d.channel).unwrap_or(SendChannel::Email);
        let done = self
            .suppression_of(d.workspace_id, channel, &address)
            .await?
            .is_some();
        Ok(Unsubscribe {
            workspace: self.workspace_name(d.workspace_id).await?,
            address: masked(&address),
            locale: d.locale,
            done,
        })
    }

    /// Puts the address of a message's link on the suppression list (RFC 8058's one-click
    /// POST, or the page's button); repeating it changes nothing.
    pub async fn unsubscribe(&self, token: &str) -> Result<Unsubscribe, AppError> {
        let (d, address) = self.delivery_of_token(token).await?;
        let channel = SendChannel::parse(&d.channel).unwrap_or(SendChannel::Email);
        let hash = self
            .suppression_hash(d.workspace_id, channel, &address)
            .await?;
        if self
            .store()
            .suppress(
                d.workspace_id,
                channel.as_str(),
                &hash,
                "unsubscribed",
                crate::now_ms(),
            )
            .await?
        {
            tracing::info!(workspace = d.workspace_id.get(), "an address unsubscribed");
        }
        Ok(Unsubscribe {
            workspace: self.workspace_name(d.workspace_id).await?,
            address: masked(&address),
            locale: d.locale,
            done: true,
        })
    }

    async fn delivery_of_token(&self, token: &str) -> Result<(DeliveryRecord, String), AppError> {
        let d = self
            .store()
            .delivery_by_token(token)
            .await?
            .ok_or(AppError::NotFound("link"))?;
        let address = d.address.clone().ok_or(AppError::NotFound("link"))?;
        Ok((d, address))
    }

    /// Adds an address to the suppression list by hand (reason `added`).
    pub async fn add_suppression(
        &self,
        workspace_id: WorkspaceId,
        channel: SendChannel,
        address: &str,
    ) -> Result<bool, AppError> {
        let hash = self
            .suppression_hash(workspace_id, channel, address)
            .await?;
        Ok(self
            .store()
            .suppress(
                workspace_id,
                channel.as_str(),
                &hash,
                "added",
                crate::now_ms(),
            )
            .await?)
    }

    /// Takes an address off the suppression list; `false` when it was not on it.
    pub async fn remove_suppression(
        &self,
        workspace_id: WorkspaceId,
        channel: SendChannel,
        address: &str,
    ) -> Result<bool, AppError> {
        let hash = self
            .suppression_hash(workspace_id, channel, address)
            .await?;
        Ok(self
            .store()
            .unsuppress(workspace_id, channel.as_str(), &hash)
            .await?)
    }

    /// Whether an address is on the list, and why.
    pub async fn suppression_of(
        &self,
        workspace_id: WorkspaceId,
        channel: SendChannel,
        address: &str,
    ) -> Result<Option<String>, AppError> {
        let hash = self
            .suppression_hash(workspace_id, channel, address)
            .await?;
        Ok(self
            .store()
            .suppressed(workspace_id, channel.as_str(), &[hash])
            .await?
            .into_iter()
            .next()
            .map(|(_, reason)| reason))
    }
}

/// Where an answer given by a link in an e-mail leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkAnswer {
    /// Stored; the rest of the survey goes on from here (`next` is the next question's id).
    Continue {
        response_id: String,
        resume_token: String,
        next: String,
        locale: String,
    },
    /// The survey is complete (with this answer, or before it).
    Done { locale: String },
    /// Nothing stored: the distribution has enough answers (its quota is full) and
    /// nothing was answered through this link yet (`crate::quotas`).
    Full { locale: String },
}

impl App {
    /// Records the score a respondent clicked in an invitation (the survey's first
    /// question, by the personal link's token) as their response's answer: a new partial
    /// response, or the partial one of an earlier click changed; a completed response is
    /// left as it is; nothing is stored through a link not used yet when the distribution
    /// is full ([`LinkAnswer::Full`]). 404 for an unknown token; 422 with the problem at
    /// `answers.{q}` for a score out of the question's range or another question.
    pub async fn answer_by_link(
        &self,
        survey_id: &SurveyId,
        token: &str,
        question: &str,
        score: &str,
        locale: Option<&str>,
    ) -> Result<LinkAnswer, AppError> {
        let record = self.open_survey(survey_id).await?;
        let d = self
            .store()
            .delivery_by_token(token)
            .await?
            .filter(|d| d.workspace_id == record.workspace_id)
            .ok_or(AppError::NotFound("link"))?;
        let survey = self.survey_version(&record, record.version).await?;
        let locale = survey
            .best_locale(locale.into_iter().chain(Some(d.locale.as_str())))
            .to_string();
        let first = survey.questions.first().map(|q| q.id.as_str());
        if first != Some(question) {
            return Err(AppError::field(
                format!("answers.{}", crate::analytics::params::clip(question)),
                FieldErrorKind::UnknownQuestion {
                    id: crate::analytics::params::clip(question),
                },
            ));
        }
        let value = score
            .trim()
            .parse::<i64>()
            .map(puls_core::Value::Int)
            .unwrap_or_else(|_| puls_core::Value::str(score));
        let existing = self.store().response_by_token(survey_id, token).await?;
        let mut answers = existing
            .as_ref()
            .map(|r| r.answers.clone())
            .unwrap_or_default();
        if existing.as_ref().is_some_and(|r| r.completed) {
            return Ok(LinkAnswer::Done { locale });
        }
        if existing.is_none() && self.distribution_full(&d, survey_id).await? {
            return Ok(LinkAnswer::Full { locale });
        }
        answers.insert(question.to_string(), value);
        let typed = survey
            .validate_answers(&answers, puls_core::Completion::Partial, "answers")
            .map_err(AppError::Validation)?;
        let next = survey.next_question(&typed);
        let completion = match next {
            None => puls_core::Completion::Complete,
            Some(_) => puls_core::Completion::Partial,
        };
        let (rid, rt) = match existing {
            Some(r) => {
                let version = self.survey_version(&record, r.survey_version).await?;
                self.update_response(&r, &version, &answers, completion)
                    .await?;
                (r.id.to_string(), r.resume_token.clone().unwrap_or_default())
            }
            None => {
                // The channel the link came by (`email`, or `sms` for a reply).
                let channel = puls_core::Value::str(&d.channel);
                let inv = puls_core::Value::str(token);
                let loc = puls_core::Value::str(&locale);
                let stored = self
                    .submit(crate::responses::Submission {
                        record: &record,
                        survey: &survey,
                        answers,
                        completion,
                        meta: puls_core::ResponseMetaInput {
                            channel: Some(&channel),
                            locale: Some(&loc),
                            invitation_token: Some(&inv),
                            ..Default::default()
                        },
                        idempotency_key: Some(format!("link:{token}")),
                        key_is_secret: true,
                    })
                    .await?;
                (
                    stored.id.to_string(),
                    stored.resume_token.unwrap_or_default(),
                )
            }
        };
        Ok(match next {
            Some(i) => LinkAnswer::Continue {
                response_id: rid,
                resume_token: rt,
                next: survey.questions[i].id.to_string(),
                locale,
            },
            None => LinkAnswer::Done { locale },
        })
    }
}

/// A stored distribution's definition.
pub(crate) fn stored_def(record: &DistributionRecord) -> Result<DistributionDef, AppError> {
    let value = puls_store::json::from_text(&record.definition).map_err(anyhow::Error::new)?;
    DistributionDef::parse(&value)
        .map_err(|e| anyhow::anyhow!("stored distribution {} is invalid: {e}", record.id).into())
}

/// What writing a distribution's deliveries needs at hand.
struct Prepare<'a> {
    record: &'a DistributionRecord,
    def: &'a DistributionDef,
    survey: &'a Survey,
    salt: &'a str,
    workspace: &'a str,
    /// Who of the audience is drawn, when the distribution samples.
    sampling: Option<&'a Sampling>,
}

/// The share of each group of the audience a sampled distribution invites.
#[derive(Debug, Clone)]
pub(crate) struct Sampling {
    /// The contacts' attribute that groups them (none: one group).
    by: Option<String>,
    /// Each group's share (by the attribute's value as text, `""` when absent).
    fractions: HashMap<String, f64>,
}

impl Sampling {
    fn fraction(&self, c: &ContactRecord) -> f64 {
        let group = group_of(c, self.by.as_deref());
        self.fractions.get(&group).copied().unwrap_or(1.0)
    }
}

/// The group of a contact by attribute `by`: its value as text, `""` when absent.
fn group_of(c: &ContactRecord, by: Option<&str>) -> String {
    match by.and_then(|k| c.fields.attributes.get(k)) {
        None | Some(puls_core::Value::Null) => String::new(),
        Some(puls_core::Value::Str(s)) => s.clone(),
        Some(v) => puls_store::json::to_json(v).to_string(),
    }
}

impl Prepare<'_> {
    fn skipped(&self, contact: &str, lang: &str, reason: &str, now: i64) -> DeliveryRecord {
        DeliveryRecord {
            distribution_id: self.record.id.clone(),
            contact_id: contact.to_string(),
            workspace_id: self.record.workspace_id,
            channel: self.def.channel.as_str().into(),
            token: None,
            address: None,
            locale: lang.to_string(),
            status: DeliveryStatus::Skipped,
            reason: Some(reason.to_string()),
            due_at: None,
            sent_at: None,
            reminders_sent: 0,
            next_reminder_at: None,
            updated_at: now,
            opened_at: None,
        }
    }

    /// Makes `d` a queued invitation (a fresh token, its time) and returns its job.
    fn invitation(
        &self,
        app: &App,
        c: &ContactRecord,
        d: &mut DeliveryRecord,
        now: i64,
    ) -> Result<NewJob, AppError> {
        let token = random_token();
        let zone = c
            .fields
            .attributes
            .get("time_zone")
            .and_then(|v| v.as_str())
            .map(str::to_string);
        let due = self.def.first_send(now, zone.as_deref());
        d.status = DeliveryStatus::Queued;
        d.reason = None;
        d.token = Some(token.clone());
        d.due_at = Some(due);
        let address = d.address.clone().unwrap_or_default();
        let locale = c.fields.locale.clone().unwrap_or_else(|| d.locale.clone());
        let mut job = self.message(app, c.id.as_str(), &address, &locale, &token, 0)?;
        job.next_at = due;
        Ok(job)
    }

    /// The e-mail job of invitation (`reminder` 0) or reminder `reminder` of a contact.
    fn message(
        &self,
        app: &App,
        contact: &str,
        address: &str,
        locale: &str,
        token: &str,
        reminder: i64,
    ) -> Result<NewJob, AppError> {
        let config = app.config();
        let base = config.public_url();
        let wanted = Locale::parse(locale).ok();
        let text = self.def.channel != SendChannel::Email;
        let survey_locale = self
            .survey
            .best_locale(wanted.as_ref().map(|l| l.as_str()))
            .clone();
        let lang = text_language(wanted.as_ref());
        let link = survey_link(&base, &self.record.survey_id, token, &survey_locale);
        let unsubscribe = format!("{base}/u/{token}");
        let embed = self
            .def
            .embed_first_question
            .then(|| embedded(self.survey, &survey_locale))
            .flatten();
        // A text message has no unsubscribe link or headers: a reply of STOP unsubscribes.
        let headers = if text {
            Vec::new()
        } else {
            vec![
                ("List-Unsubscribe".into(), format!("<{unsubscribe}>")),
                (
                    "List-Unsubscribe-Post".into(),
                    "List-Unsubscribe=One-Click".into(),
                ),
            ]
        };
        let email = EmailJob {
            to: address.to_string(),
            locale: lang.to_string(),
            template: "invitation".into(),
            vars: serde_json::json!({
                "workspace": self.workspace,
                "survey": self.survey.title.get(&survey_locale, &self.survey.default_locale),
                "subject": self.def.subject_in(lang),
                "message": self.def.message_in(lang),
                "link": link,
                "unsubscribe": unsubscribe,
                // Shown only when the workspace tracks opens as the message goes.
                "open": (self.def.channel == SendChannel::Email)
                    .then(|| crate::opens::pixel_url(&base, token)),
                "embed": embed,
                "reminder": reminder > 0,
            }),
            headers,
            delivery: Some(DeliveryRef {
                distribution: self.record.id.clone(),
                contact: contact.to_string(),
                reminder,
            }),
        };
        Ok(NewJob {
            id: invitation_job_id(contact, &self.record.id, reminder),
            workspace_id: self.record.workspace_id,
            channel: self.def.channel.as_str().into(),
            target_id: if text {
                self.def.channel.as_str()
            } else {
                "smtp"
            }
            .into(),
            event_type: if reminder > 0 {
                "reminder"
            } else {
                "invitation"
            }
            .into(),
            payload: serde_json::to_string(&email).map_err(anyhow::Error::new)?,
            next_at: crate::now_ms(),
        })
    }
}

/// A personal link's token: 24 random bytes, URL-safe (short enough that the
/// `List-Unsubscribe` header carrying it stays on one line).
fn random_token() -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 24]>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_half_hidden() {
        assert_eq!(masked("anna@sklep.pl"), "a***@sklep.pl");
        assert_eq!(masked("nope"), "***");
    }

    #[test]
    fn hashes_depend_on_the_salt_and_the_spelling_only() {
        let a = hmac_hex(
            "salt",
            &suppression_key(SendChannel::Email, "Anna@Sklep.pl"),
        );
        let b = hmac_hex(
            "salt",
            &suppression_key(SendChannel::Email, " anna@sklep.PL"),
        );
        assert_eq!(a, b);
        assert_ne!(a, hmac_hex("other", "anna@sklep.pl"));
        assert_eq!(a.len(), 64);
    }

    #[test]
    fn job_ids_put_the_contact_first() {
        assert_eq!(invitation_job_id("c1", "dst_1", 2), "inv:c1:dst_1:2");
    }
}
