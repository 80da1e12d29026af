//! The web and in-app widget: its settings (the sites allowed to ask and to frame the
//! survey pages, and the placements), and the one question its loader asks on every page
//! view: should this visitor see a survey now, and which?
//!
//! The answer is decided here, on the server, so that the contact-frequency policy holds
//! across devices for identified visitors (the site's user id, or a browser the tracking
//! API tied to one) and per browser for anonymous ones (a pseudo-contact `a:{id}`). A
//! survey shown is recorded in `contact_touches` before the answer goes out, in the
//! transaction that decides the policy, so two page views at once (two tabs, two nodes)
//! cannot both show one beyond it. A placement's `every_days` keeps the same survey from
//! being shown to the same person or browser again within that many days, whatever the
//! policy. An identified visitor gets a personal link (an invitation), so their answer is
//! theirs; an anonymous one answers as the page's channel (`web` or `in_app`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use puls_core::widget::{Device, WidgetSettings, page_path};
use puls_core::{Channel, ContactId, Locale, SurveyId, Value, WorkspaceId};
use puls_store::{ContactLookup, ContactRecord, EventFilter, NewTouch, Person, SurveyStatus};

use crate::triggers::CACHE_TTL;
use crate::{App, AppError, Rejection};

/// The setting that holds the widget's settings.
const WIDGET_SETTING: &str = "widget";
const DAY_MS: i64 = 86_400_000;
/// Why nothing is shown when nothing fits.
const NOTHING: &str = "nothing_to_show";

/// Each workspace's widget settings as this node last read them.
#[derive(Default)]
pub(crate) struct WidgetCache(Mutex<HashMap<WorkspaceId, (Instant, Arc<WidgetSettings>)>>);

/// What the loader asks.
#[derive(Debug, Clone)]
pub struct WidgetAsk<'a> {
    /// The page's URL.
    pub url: &'a str,
    /// The `Origin` of the request, when a browser sent one.
    pub origin: Option<&'a str>,
    /// The site's user id of the visitor (Segment's `analytics.user().id()`).
    pub user_id: Option<&'a str>,
    /// The browser's anonymous id (Segment's, or the loader's own).
    pub anonymous_id: Option<&'a str>,
    pub device: Device,
    /// The visitor's languages, best first (the browser's).
    pub languages: Vec<String>,
}

/// What the widget is told: show this survey, or nothing, and why (`frequency_cap`: the
/// contact-frequency policy refused one; `nothing_to_show`: no placement or waiting
/// survey fits this visitor and page now).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Eligibility {
    Show(WidgetShow),
    Not(&'static str),
}

/// A survey to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WidgetShow {
    pub survey_id: SurveyId,
    /// The survey's title in the chosen language.
    pub title: String,
    pub locale: Locale,
    /// The hosted page to frame (personal for an identified visitor).
    pub url: String,
    pub delay_ms: i64,
}

impl App {
    /// The workspace's widget settings (this node's copy, at most a few seconds old).
    pub async fn widget_settings(
        &self,
        workspace_id: WorkspaceId,
    ) -> Result<Arc<WidgetSettings>, AppError> {
        if let Some((at, s)) = self.0.widget.0.lock().expect("widget").get(&workspace_id)
            && at.elapsed() < CACHE_TTL
        {
            return Ok(s.clone());
        }
        let settings = match self.setting(workspace_id, WIDGET_SETTING).await? {
            Some(v) => WidgetSettings::parse(&v)
                .map_err(|e| anyhow::anyhow!("stored widget settings are invalid: {e}"))?,
            None => WidgetSettings::default(),
        };
        let settings = Arc::new(settings);
        self.0
            .widget
            .0
            .lock()
            .expect("widget")
            .insert(workspace_id, (Instant::now(), settings.clone()));
        Ok(settings)
    }

    /// Replaces the widget's settings; 422 with every problem at its path, or at
    /// `placements[i].survey` for a survey the workspace does not have.
    pub async fn save_widget_settings(
        &self,
        workspace_id: WorkspaceId,
        def: &Value,
    ) -> Result<WidgetSettings, AppError> {
        let settings = WidgetSettings::parse(def)?;
        for (i, p) in settings.placements.iter().enumerate() {
            let found = self
                .survey_record(&p.survey)
                .await?
                .is_some_and(|r| r.workspace_id == workspace_id);
            if !found {
                return Err(AppError::field(
                    format!("placements[{i}].survey"),
                    puls_core::FieldErrorKind::BadCondition {
                        reason: "no survey of this workspace has this id".into(),
                    },
                ));
            }
        }
        self.put_setting(workspace_id, WIDGET_SETTING, &settings.to_value())
            .await?;
        self.0
            .widget
            .0
            .lock()
            .expect("widget")
            .remove(&workspace_id);
        Ok(settings)
    }

    /// Whether this visitor should see a survey now, and which; records it as asked when
    /// so. 403 `origin_not_allowed` for a page of a site the settings do not name.
    pub async fn widget_eligibility(
        &self,
        workspace_id: WorkspaceId,
        ask: &WidgetAsk<'_>,
    ) -> Result<Eligibility, AppError> {
        let settings = self.widget_settings(workspace_id).await?;
        if let Some(origin) = ask.origin
            && !settings.allows_origin(origin)
        {
            return Err(AppError::rejected(
                Rejection::OriginNotAllowed,
                "this site is not among the widget's sites",
            ));
        }
        let contact = self.visitor_contact(workspace_id, ask).await?;
        // Who is asked: the contact, else this browser.
        let person = match (&contact, ask.anonymous_id) {
            (Some(c), _) => c.id.to_string(),
            (None, Some(a)) => format!("a:{a}"),
            (None, None) => return Ok(Eligibility::Not(NOTHING)),
        };
        let now = crate::now_ms();
        // A trigger's in-app survey waiting for this person comes first, on any page.
        if let Some(answer) = self
            .in_app_prompt(workspace_id, ask, contact.as_ref(), &person, now)
            .await?
        {
            return Ok(answer);
        }
        let path = page_path(ask.url);
        let candidates = settings
            .placements
            .iter()
            .filter(|p| p.matches(path, ask.device));
        for p in candidates {
            if (p.identified_only || p.segment.is_some()) && contact.is_none() {
                continue;
            }
            let Some(record) = self.survey_record(&p.survey).await? else {
                continue;
            };
            if record.workspace_id != workspace_id || record.status != SurveyStatus::Published {
                continue;
            }
            if self
                .store()
                .asked_since(
                    workspace_id,
                    &person,
                    p.survey.as_str(),
                    now - p.every_days * DAY_MS,
                )
                .await?
            {
                continue;
            }
            if let Some(a) = &p.after_event
                && !self
                    .did_recently(workspace_id, ask, &a.event, now - a.within_days * DAY_MS)
                    .await?
            {
                continue;
            }
            if let (Some(key), Some(c)) = (&p.segment, &contact)
                && !self.is_member(workspace_id, key, &c.id).await?
            {
                continue;
            }
            let source = format!("wgt:{}", ulid::Ulid::new());
            let touch = NewTouch {
                contact_id: &person,
                source: &source,
                at: now,
                channel: p.channel.as_str(),
                survey_id: p.survey.as_str(),
                priority: p.priority.rank(),
            };
            if !self.claim_one(workspace_id, &touch).await? {
                // The policy says no more surveys for this person now, whichever.
                return Ok(Eligibility::Not("frequency_cap"));
            }
            let show = self
                .show_survey(&record, ask, contact.as_ref(), p.channel)
                .await?;
            return Ok(Eligibility::Show(WidgetShow {
                delay_ms: p.delay_seconds * 1_000,
                ..show
            }));
        }
        Ok(Eligibility::Not(NOTHING))
    }

    /// Asks the frequency policy for one survey shown now, recording it if allowed.
    async fn claim_one(
        &self,
        workspace_id: WorkspaceId,
        touch: &NewTouch<'_>,
    ) -> Result<bool, AppError> {
        let allowed = self
            .claim_frequency(workspace_id, std::slice::from_ref(touch))
            .await?;
        Ok(allowed.first().copied().unwrap_or(false))
    }

    /// What the loader needs to show `record`'s survey to this visitor: the title in
    /// their language and the page (personal for a contact), shown at once.
    async fn show_survey(
        &self,
        record: &puls_store::SurveyRecord,
        ask: &WidgetAsk<'_>,
        contact: Option<&ContactRecord>,
        channel: Channel,
    ) -> Result<WidgetShow, AppError> {
        let survey = self.survey_version(record, record.version).await?;
        let locale = survey
            .best_locale(ask.languages.iter().map(String::as_str))
            .clone();
        let mut url = format!(
            "{}/s/{}?channel={}&lang={locale}",
            self.config().public_url(),
            record.id,
            channel.as_str()
        );
        if let Some(c) = contact {
            let inv = self
                .invite_contact(record.workspace_id, &c.id, &record.id)
                .await?;
            url.push_str(&format!("&inv={}", inv.token));
        }
        Ok(WidgetShow {
            survey_id: record.id.clone(),
            title: survey
                .title
                .get(&locale, &survey.default_locale)
                .to_string(),
            locale,
            url,
            delay_ms: 0,
        })
    }

    /// A trigger's in-app occurrence waiting for this person, shown now if its trigger is
    /// active, its survey published and the frequency policy allows (an occurrence the
    /// policy refuses is skipped as `frequency_cap`); `None` when none is waiting.
    async fn in_app_prompt(
        &self,
        workspace_id: WorkspaceId,
        ask: &WidgetAsk<'_>,
        contact: Option<&ContactRecord>,
        person: &str,
        now: i64,
    ) -> Result<Option<Eligibility>, AppError> {
        let contact_id = contact.map(|c| c.id.to_string());
        let who = Person {
            user_id: ask
                .user_id
                .or(contact.and_then(|c| c.fields.external_id.as_deref())),
            anonymous_id: ask.anonymous_id,
            contact_id: contact_id.as_deref(),
        };
        for o in self
            .store()
            .ready_occurrences(workspace_id, &who, now, 5)
            .await?
        {
            let Some(trigger) = self.store().trigger(workspace_id, &o.trigger_id).await? else {
                continue;
            };
            let Some(record) = self.survey_record(&trigger.survey_id).await? else {
                continue;
            };
            if trigger.status != "active" || record.status != SurveyStatus::Published {
                continue;
            }
            let source = format!("trg:{}:{}", o.trigger_id, o.occurrence);
            let priority = crate::triggers::stored_def(&trigger)?
                .message
                .priority
                .rank();
            let touch = NewTouch {
                contact_id: person,
                source: &source,
                at: now,
                channel: Channel::InApp.as_str(),
                survey_id: record.id.as_str(),
                priority,
            };
            if !self.claim_one(workspace_id, &touch).await? {
                let mut skipped = o.clone();
                skipped.state = puls_store::OccurrenceState::Skipped;
                skipped.reason = Some("frequency_cap".into());
                skipped.lease_until = None;
                self.store().settle_occurrence(&skipped, now).await?;
                return Ok(Some(Eligibility::Not("frequency_cap")));
            }
            if !self.store().show_occurrence(&o, now).await? {
                continue;
            }
            return Ok(Some(Eligibility::Show(
                self.show_survey(&record, ask, contact, Channel::InApp)
                    .await?,
            )));
        }
        Ok(None)
    }

    /// The contact a visitor is: by the site's user id, else by the user id their browser
    /// was tied to.
    async fn visitor_contact(
        &self,
        workspace_id: WorkspaceId,
        ask: &WidgetAsk<'_>,
    ) -> Result<Option<ContactRecord>, AppError> {
        let user = match (ask.user_id, ask.anonymous_id) {
            (Some(u), _) => Some(u.to_string()),
            (None, Some(a)) => self.store().linked_user(workspace_id, a).await?,
            _ => None,
        };
        let Some(user) = user else { return Ok(None) };
        Ok(self
            .store()
            .find_contact(
                workspace_id,
                &ContactLookup {
                    id: None,
                    external_id: Some(user),
                    email: None,
                },
            )
            .await?)
    }

    /// Whether the visitor (their user id or browser) sent `event` since `since`.
    async fn did_recently(
        &self,
        workspace_id: WorkspaceId,
        ask: &WidgetAsk<'_>,
        event: &str,
        since: i64,
    ) -> Result<bool, AppError> {
        for (user, anon) in [(ask.user_id, None), (None, ask.anonymous_id)] {
            if user.is_none() && anon.is_none() {
                continue;
            }
            let filter = EventFilter {
                kind: Some("track".into()),
                name: Some(event.to_string()),
                user_id: user.map(str::to_string),
                anonymous_id: anon.map(str::to_string),
                since: Some(since),
                ..EventFilter::default()
            };
            if !self
                .store()
                .list_events(workspace_id, &filter, 1)
                .await?
                .is_empty()
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Whether a contact is a member of a saved segment now (false for no such segment).
    async fn is_member(
        &self,
        workspace_id: WorkspaceId,
        key: &str,
        contact: &ContactId,
    ) -> Result<bool, AppError> {
        match self.segment_contact_ids(workspace_id, key).await {
            Ok(ids) => Ok(ids.binary_search(contact).is_ok()),
            Err(AppError::NotFound(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }
}
