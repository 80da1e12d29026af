//! Feedback staff take by hand: a customer's answers given on the phone or in a store,
//! recorded by an agent in the web app (`record_response`).
//!
//! It is a response like any other: validated against the survey's current version by the
//! submission path ([`App::submit`]), stored completed, with channel `phone` or `store`,
//! tied to its contact the way a response's `contact` ids tie it (the contact's external
//! id and e-mail) or, for a contact with neither (known only by phone), through a personal
//! invitation made for it, and with the attributes `recorded_by` (the user's id) and
//! `recorded_by_name`, and `store` for a store. Every problem of the entry comes back at
//! once, at its path: `channel`, `store`, `contact` (no contact given), `contact.email`,
//! `contact.phone` (also `duplicate` when several customers have the number given
//! alone), `contact.name`, `contact.external_id`, `locale` and `answers.{id}...`; a new
//! contact is created only when all of it is right.
//!
//! Every question is on one page and staff fill in what the customer said, so the survey
//! logic judges the answers as a whole: an answer to a question that the logic does not
//! ask given the other answers (a "why?" for detractors, with a score of 9) is refused at
//! its question, never dropped, so nothing typed is lost; the page says which answer makes
//! it not asked ([`puls_core::Survey::not_asked`]).

use std::collections::BTreeMap;

use puls_core::access::Permission;
use puls_core::contact::{Change, ContactPatch, Email, ExternalId, Phone, parse_name};
use puls_core::response::limits::MAX_ATTRIBUTE_VALUE;
use puls_core::{
    Channel, Completion, ContactId, FieldError, FieldErrorKind, FieldErrors, ResponseMetaInput,
    StoreId, SurveyId, Value,
};
use puls_store::{ContactLookup, ContactRecord};

use crate::App;
use crate::error::AppError;
use crate::responses::{MAX_IDEMPOTENCY_KEY, Stored, Submission};
use crate::users::Actor;

/// Whom the feedback is from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactChoice {
    /// A contact picked from the customers (a merged one's id gives the one it went into).
    Existing(ContactId),
    /// A contact by the details the customer gave, as typed (empty: not given): the one
    /// with this external id (else e-mail) when there is one, updated with the rest, else
    /// a new one. A phone number alone (normalised as the contacts API does: digits and a
    /// leading `+`) finds the one customer with that number, else makes a new one; when
    /// several have it, the entry is refused at `contact.phone`. One of the three is
    /// needed.
    Details {
        name: String,
        email: String,
        phone: String,
        external_id: String,
    },
}

/// Feedback taken by hand, as the agent entered it.
#[derive(Debug, Clone)]
pub struct ManualEntry {
    pub survey_id: SurveyId,
    /// `phone` or `store`, as chosen.
    pub channel: String,
    /// The store's id, as typed: needed for channel `store` (the rule of `?store=` links:
    /// [`StoreId`]); ignored for a phone call.
    pub store: String,
    pub contact: ContactChoice,
    /// The answers by question id, as for any response.
    pub answers: BTreeMap<String, Value>,
    /// The survey language the customer answered in (empty: the survey's default).
    pub locale: String,
    /// A key the form carries, so that a form sent twice stores one response.
    pub key: Option<String>,
}

/// What recording gave: the response stored (or the one already stored under the entry's
/// key) and its contact.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub response: Stored,
    pub contact: ContactRecord,
}

/// How staff took the feedback, checked: a phone call, or a store with its id.
fn channel_of(channel: &str, store: &str, errs: &mut Vec<FieldError>) -> Option<Channel> {
    let mut at = |path: &str, kind| {
        errs.push(FieldError {
            path: path.into(),
            kind,
        })
    };
    match Channel::parse(channel.trim()) {
        Ok(Channel::Phone) => Some(Channel::Phone),
        Ok(Channel::Store) => {
            match store.trim() {
                "" => at("store", FieldErrorKind::Required),
                s if StoreId::parse(s).is_err() => at("store", FieldErrorKind::InvalidId),
                _ => {}
            }
            Some(Channel::Store)
        }
        _ if channel.trim().is_empty() => {
            at("channel", FieldErrorKind::Required);
            None
        }
        _ => {
            at(
                "channel",
                FieldErrorKind::NotOneOf {
                    allowed: "phone, store".into(),
                },
            );
            None
        }
    }
}

/// The patch of a contact's details as typed, with the problems at `contact.*`; `None`
/// for a contact picked by id.
fn patch_of(choice: &ContactChoice, errs: &mut Vec<FieldError>) -> Option<ContactPatch> {
    let ContactChoice::Details {
        name,
        email,
        phone,
        external_id,
    } = choice
    else {
        return None;
    };
    fn field<T>(
        typed: &str,
        path: &str,
        parse: fn(&str) -> Result<T, FieldErrorKind>,
        errs: &mut Vec<FieldError>,
    ) -> Change<T> {
        if typed.trim().is_empty() {
            return Change::Keep;
        }
        match parse(typed) {
            Ok(v) => Change::Set(v),
            Err(kind) => {
                errs.push(FieldError {
                    path: path.into(),
                    kind,
                });
                Change::Keep
            }
        }
    }
    let patch = ContactPatch {
        external_id: field(external_id, "contact.external_id", ExternalId::parse, errs),
        email: field(email, "contact.email", Email::parse, errs),
        phone: field(phone, "contact.phone", Phone::parse, errs),
        name: field(name, "contact.name", parse_name, errs),
        ..ContactPatch::default()
    };
    if external_id.trim().is_empty() && email.trim().is_empty() && phone.trim().is_empty() {
        errs.push(FieldError {
            path: "contact".into(),
            kind: FieldErrorKind::Required,
        });
    }
    Some(patch)
}

/// The response's `contact`: the ids that tie it to the contact; `None` for a contact
/// with neither an external id nor an e-mail (a personal invitation ties it then).
fn contact_ref(c: &ContactRecord) -> Option<Value> {
    let ids: Vec<(&str, Value)> = [
        ("external_id", c.fields.external_id.as_deref()),
        ("email", c.fields.email.as_deref()),
    ]
    .into_iter()
    .filter_map(|(k, v)| Some((k, Value::str(v?))))
    .collect();
    (!ids.is_empty()).then(|| Value::map(ids))
}

/// The phone number of details that give only a phone (no external id, no e-mail).
fn phone_alone<'p>(choice: &ContactChoice, patch: Option<&'p ContactPatch>) -> Option<&'p Phone> {
    match (choice, patch.map(|p| &p.phone)) {
        (
            ContactChoice::Details {
                email, external_id, ..
            },
            Some(Change::Set(phone)),
        ) if email.trim().is_empty() && external_id.trim().is_empty() => Some(phone),
        _ => None,
    }
}

/// A text cut to what an attribute holds.
fn attribute(s: &str) -> Value {
    Value::str(s.chars().take(MAX_ATTRIBUTE_VALUE).collect::<String>())
}

impl App {
    /// Records feedback a customer gave to staff (`actor`, named `agent_name`; those who
    /// work cases) by phone or in a store, as a completed response of the published
    /// survey `entry.survey_id` of the actor's workspace; see the module's documentation.
    #[tracing::instrument(skip_all, fields(survey = %entry.survey_id), err(level = "debug"))]
    pub async fn record_response(
        &self,
        actor: &Actor,
        agent_name: &str,
        entry: ManualEntry,
    ) -> Result<Recorded, AppError> {
        actor.require(Permission::WorkCases)?;
        let ws = actor.workspace.id;
        let record = self.survey(ws, &entry.survey_id, None).await?;
        crate::surveys::require_published(&record, "recording feedback")?;
        let survey = self.survey_version(&record, record.version).await?;
        let picked = match &entry.contact {
            ContactChoice::Existing(id) => Some(self.contact(ws, id).await?),
            ContactChoice::Details { .. } => None,
        };
        let key = match entry.key.as_deref().map(str::trim) {
            Some(k) if !k.is_empty() && k.len() <= MAX_IDEMPOTENCY_KEY - 7 => {
                Some(format!("manual:{k}"))
            }
            Some(k) if !k.is_empty() => return Err(AppError::invalid("key: too long")),
            _ => None,
        };

        // Every problem at once, before anything is written.
        let mut errs = Vec::new();
        let channel = channel_of(&entry.channel, &entry.store, &mut errs);
        let patch = patch_of(&entry.contact, &mut errs);
        // A phone number alone finds the one customer with it (`Some(None)`: none yet).
        let mut by_phone = None;
        if let Some(phone) = phone_alone(&entry.contact, patch.as_ref()) {
            let found = self
                .store()
                .contacts_with_phone(ws, phone.as_str(), 2)
                .await?;
            if found.len() > 1 {
                errs.push(FieldError {
                    path: "contact.phone".into(),
                    kind: FieldErrorKind::Duplicate {
                        id: phone.as_str().into(),
                    },
                });
            }
            by_phone = Some(found.into_iter().next().map(|c| c.id));
        }
        let mut attributes = vec![
            ("recorded_by", Value::str(actor.user_id.as_str())),
            ("recorded_by_name", attribute(agent_name)),
        ];
        if channel == Some(Channel::Store) {
            attributes.push(("store", Value::str(entry.store.trim())));
        }
        let attributes = Value::map(attributes);
        let channel_value = channel.map(|c| Value::str(c.as_str()));
        let locale = (!entry.locale.trim().is_empty()).then(|| Value::str(entry.locale.trim()));
        if let Err(e) = survey.validate_meta(&ResponseMetaInput {
            channel: channel_value.as_ref(),
            locale: locale.as_ref(),
            attributes: Some(&attributes),
            ..Default::default()
        }) {
            errs.extend(e.0);
        }
        if let Err(e) = survey.validate_answers(&entry.answers, Completion::Complete, "answers") {
            errs.extend(e.0);
        }
        if !errs.is_empty() {
            return Err(AppError::Validation(FieldErrors(errs)));
        }

        let contact = match (picked, patch, by_phone) {
            (Some(c), ..) => c,
            (None, Some(patch), Some(Some(id))) => self.update_contact(ws, &id, patch).await?,
            (None, Some(patch), Some(None)) => {
                self.upsert_one(ws, ContactLookup::default(), true, patch)
                    .await?
                    .1
            }
            (None, Some(patch), None) => self.upsert_contact(ws, patch).await?.1,
            (None, None, _) => return Err(AppError::field("contact", FieldErrorKind::Required)),
        };
        let contact_value = contact_ref(&contact);
        // Known only by phone: a personal invitation of theirs ties the response to them.
        let invitation = match &contact_value {
            Some(_) => None,
            None => Some(Value::str(
                self.invite_contact(ws, &contact.id, &record.id)
                    .await?
                    .token,
            )),
        };
        let response = self
            .submit(Submission {
                record: &record,
                survey: &survey,
                answers: entry.answers,
                completion: Completion::Complete,
                meta: ResponseMetaInput {
                    channel: channel_value.as_ref(),
                    locale: locale.as_ref(),
                    contact: contact_value.as_ref(),
                    invitation_token: invitation.as_ref(),
                    attributes: Some(&attributes),
                    ..Default::default()
                },
                idempotency_key: key,
                // Only the form that was shown knows its key.
                key_is_secret: true,
            })
            .await?;
        tracing::info!(
            workspace = ws.get(),
            response = %response.id,
            contact = %contact.id,
            user = %actor.user_id,
            "feedback recorded by hand"
        );
        Ok(Recorded { response, contact })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn details(name: &str, email: &str, phone: &str, external_id: &str) -> ContactChoice {
        ContactChoice::Details {
            name: name.into(),
            email: email.into(),
            phone: phone.into(),
            external_id: external_id.into(),
        }
    }

    fn paths(errs: &[FieldError]) -> Vec<(&str, &str)> {
        errs.iter()
            .map(|e| (e.path.as_str(), e.kind.code()))
            .collect()
    }

    #[test]
    fn a_store_needs_its_id_and_a_phone_call_does_not() {
        let mut errs = Vec::new();
        assert_eq!(channel_of("phone", "", &mut errs), Some(Channel::Phone));
        assert_eq!(
            channel_of("phone", "any thing", &mut errs),
            Some(Channel::Phone)
        );
        assert_eq!(
            channel_of("store", "WAW-01", &mut errs),
            Some(Channel::Store)
        );
        assert!(errs.is_empty());
        channel_of("store", "", &mut errs);
        channel_of("store", "WAW 01", &mut errs);
        channel_of("web", "", &mut errs);
        channel_of("", "", &mut errs);
        assert_eq!(
            paths(&errs),
            [
                ("store", "required"),
                ("store", "invalid_id"),
                ("channel", "not_one_of"),
                ("channel", "required"),
            ]
        );
    }

    #[test]
    fn a_new_contact_needs_an_email_an_external_id_or_a_phone() {
        let mut errs = Vec::new();
        let patch = patch_of(&details("Anna Nowak", "", "", ""), &mut errs);
        assert!(patch.is_some());
        assert_eq!(paths(&errs), [("contact", "required")]);

        // A phone alone will do, normalised as the contacts API does.
        let mut errs = Vec::new();
        let choice = details("Anna Nowak", "", "+48 600-100 (200)", "");
        let patch = patch_of(&choice, &mut errs).unwrap();
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(
            phone_alone(&choice, Some(&patch)).map(Phone::as_str),
            Some("+48600100200")
        );
        let with_email = details("", "anna@sklep.pl", "+48 600 100 200", "");
        let patch = patch_of(&with_email, &mut errs).unwrap();
        assert_eq!(phone_alone(&with_email, Some(&patch)), None);
        let bad = details("", "", "12", "");
        let patch = patch_of(&bad, &mut errs).unwrap();
        assert_eq!(phone_alone(&bad, Some(&patch)), None);
        assert_eq!(paths(&errs), [("contact.phone", "invalid_phone")]);

        let mut errs = Vec::new();
        let patch = patch_of(&details("", "ANNA@Sklep.pl", "", ""), &mut errs).unwrap();
        assert!(errs.is_empty());
        assert_eq!(
            patch.email,
            Change::Set(Email::parse("anna@sklep.pl").unwrap())
        );
        assert_eq!(patch.name, Change::Keep);

        let mut errs = Vec::new();
        patch_of(&details("", "anna@", "12", "K-1"), &mut errs);
        assert_eq!(
            paths(&errs),
            [
                ("contact.email", "invalid_email"),
                ("contact.phone", "invalid_phone")
            ]
        );

        let mut errs = Vec::new();
        let id = ContactId::parse("01J0000000000000000000000A").unwrap();
        assert!(patch_of(&ContactChoice::Existing(id), &mut errs).is_none());
        assert!(errs.is_empty());
    }

    #[test]
    fn the_response_names_its_contact_by_the_ids_it_has() {
        let fields = puls_store::ContactFields {
            email: Some("anna@sklep.pl".into()),
            ..Default::default()
        };
        let c = ContactRecord {
            id: ContactId::parse("01J0000000000000000000000A").unwrap(),
            workspace_id: puls_core::WorkspaceId::new(1),
            fields,
            merged_into: None,
            deleted_at: None,
            created_at: 0,
            updated_at: 0,
        };
        assert_eq!(
            contact_ref(&c),
            Some(Value::map([("email", Value::str("anna@sklep.pl"))]))
        );
        let phone_only = ContactRecord {
            fields: puls_store::ContactFields {
                phone: Some("+48600100200".into()),
                ..Default::default()
            },
            ..c.clone()
        };
        assert_eq!(contact_ref(&phone_only), None);
        assert_eq!(attribute(&"ż".repeat(2000)), Value::str("ż".repeat(1000)));
    }
}
