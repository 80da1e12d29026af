//! `/app/w/{slug}/responses/new`: feedback a customer gave by phone or in a store,
//! recorded by staff (those who work cases: agents and up). First a published survey is
//! chosen (skipped when there is one, or when the link names it), then one form takes how
//! the customer gave it (a phone call, or a store with its id), who they are (a customer
//! picked on their profile, or an e-mail, customer ID or phone number that finds or makes
//! one, with name and phone) and every question of the survey, laid out as on the
//! respondent's page
//! (`puls_html::all_questions`) and read back by the respondent pages' own form contract
//! (`puls_html::form_answers`). `App::record_response` validates it as any response and
//! stores it; problems come back at their fields in the user's language, as typed (an
//! answer the survey logic does not ask given the others says which answer makes it so).

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use puls_app::manual::{ContactChoice, ManualEntry};
use puls_app::{AppError, Rejection};
use puls_core::{ContactId, FieldError, FieldErrorKind, Locale, Survey};
use puls_html::console::{LocaleChoice, PickedContact, RecordForm, RecordPage, RecordSurvey};
use puls_html::{FieldProblem, Lang, Text};
use puls_store::{ContactRecord, SurveyStatus};

use super::auth::{Allowed, Member, need};
use super::contacts::display_name;
use super::distributions::surveys_of;
use super::{Page, field, missing_or_error, page_error, shell, survey_at, title_in};
use crate::state::AppState;

/// The form's own fields (the answers' are the questions'), in page order, with the id of
/// the input each one's problems link to and its label.
const FIELDS: [(&str, &str, Text); 7] = [
    ("channel", "r-channel", Text::RecordHow),
    ("store", "r-store", Text::RecordStoreId),
    ("contact", "r-email", Text::RecordCustomer),
    ("email", "r-email", Text::Email),
    ("external_id", "r-external_id", Text::XlsxContactId),
    ("name", "r-name", Text::PersonName),
    ("phone", "r-phone", Text::Phone),
];

/// A new key for a form: a form sent twice is then one response.
fn new_key() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

/// A posted key that looks like one `new_key` made; anything else is dropped.
fn key_of(k: &str) -> Option<String> {
    (!k.is_empty() && k.len() <= 64 && k.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then(|| k.to_string())
}

/// The first non-empty value of `key` in query or form pairs.
fn get<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    field(pairs, key).map(str::trim).filter(|v| !v.is_empty())
}

/// This page's address with `query` (empty values left out).
fn href(m: &Member, query: &[(&str, &str)]) -> String {
    let base = format!("/app/w/{}/responses/new", m.workspace.slug);
    let q: Vec<(&str, &str)> = query
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .copied()
        .collect();
    match q.is_empty() {
        true => base,
        false => format!(
            "{base}?{}",
            serde_urlencoded::to_string(&q).unwrap_or_default()
        ),
    }
}

/// A customer picked on their profile, as the form shows them.
fn picked(m: &Member, c: &ContactRecord, survey: &str) -> PickedContact {
    let f = &c.fields;
    PickedContact {
        id: c.id.to_string(),
        name: display_name(c),
        details: [&f.email, &f.phone, &f.external_id]
            .into_iter()
            .flatten()
            .filter(|d| f.name.is_some() || Some(*d) != f.email.as_ref())
            .cloned()
            .collect(),
        other_href: href(m, &[("survey", survey)]),
    }
}

/// The survey language to show the questions in: the one asked for, else the user's, else
/// the survey's default.
fn locale_of(def: &Survey, asked: Option<&str>, lang: Lang) -> Locale {
    [asked, Some(lang.code())]
        .into_iter()
        .flatten()
        .filter_map(|l| Locale::parse(l).ok())
        .find(|l| def.locales.contains(l))
        .unwrap_or_else(|| def.default_locale.clone())
}

/// What a page shows beyond the form's own fields: the survey and language asked for,
/// what was posted (to fill the questions in again) and the answers' problems.
struct Shown<'a> {
    survey: Option<&'a str>,
    locale: Option<&'a str>,
    posted: &'a [(String, String)],
    answer_errors: &'a [FieldError],
}

/// The page: the choice of a survey, or the form for the survey chosen.
async fn page(
    st: &AppState,
    m: &Member,
    shown: Shown<'_>,
    mut form: RecordForm,
    status: StatusCode,
) -> Response {
    let lang = m.signed.lang;
    let ws = m.workspace.id;
    let published = match surveys_of(st, ws, lang).await {
        Ok((p, _)) => p,
        Err(e) => return page_error(st, lang, e),
    };
    let contact_id = form.contact.as_ref().map(|c| c.id.clone());
    let chosen = match (shown.survey, published.as_slice()) {
        (Some(id), _) => Some(id.to_string()),
        (None, [only]) => Some(only.value.clone()),
        (None, _) => None,
    };
    let mut pick_error = None;
    let mut survey = None;
    if let Some(id) = chosen {
        let record = match survey_at(st, ws, &id).await {
            Ok(r) => r,
            Err(e) => return missing_or_error(st, lang, e),
        };
        match record.status {
            SurveyStatus::Published => {
                let def = match st.app.survey_version(&record, record.version).await {
                    Ok(d) => d,
                    Err(e) => return page_error(st, lang, e),
                };
                let locale = locale_of(&def, shown.locale, lang);
                let (questions, problems) = puls_html::all_questions(
                    &def,
                    &locale,
                    lang,
                    shown.posted,
                    shown.answer_errors,
                );
                form.summary.extend(problems);
                let contact = contact_id.as_deref().unwrap_or("");
                let locales = match def.locales.len() {
                    0 | 1 => Vec::new(),
                    _ => def
                        .locales
                        .iter()
                        .map(|l| LocaleChoice {
                            code: l.as_str().to_string(),
                            name: puls_html::i18n::native_name(l).into_owned(),
                            href: href(
                                m,
                                &[
                                    ("survey", &id),
                                    ("locale", l.as_str()),
                                    ("contact", contact),
                                ],
                            ),
                            current: *l == locale,
                        })
                        .collect(),
                };
                survey = Some(RecordSurvey {
                    title: title_in(&def, locale.as_str()),
                    locale: locale.to_string(),
                    locales,
                    other_href: (published.len() > 1).then(|| href(m, &[("contact", contact)])),
                    questions,
                    id,
                });
            }
            SurveyStatus::Draft => pick_error = Some(Text::RecordSurveyDraft),
            SurveyStatus::Closed => pick_error = Some(Text::DistSurveyClosed),
        }
    }
    let page = RecordPage {
        title: lang.t(Text::RecordTitle).into(),
        surveys: published,
        pick_error,
        survey,
        contact_id,
        form,
        shell: shell(m, Text::NavResponses),
    };
    Page::render(st, status, lang, &page)
}

/// The customer named by `id` on the form, or the page's answer: not found for what is no
/// contact id; `None` (with its problem in `form`) when they are gone.
async fn contact_for_form(
    st: &AppState,
    m: &Member,
    id: &str,
    survey: &str,
    form: &mut RecordForm,
) -> Result<Option<ContactId>, Response> {
    let lang = m.signed.lang;
    let Ok(id) = ContactId::parse(id) else {
        return Err(Page::not_found(st, lang));
    };
    match st.app.contact(m.workspace.id, &id).await {
        Ok(c) => {
            form.contact = Some(picked(m, &c, survey));
            Ok(Some(c.id))
        }
        Err(AppError::NotFound(_)) => {
            form.errors
                .insert("contact", lang.t(Text::RecordContactGone).into());
            Ok(None)
        }
        Err(e) => Err(page_error(st, lang, e)),
    }
}

/// `GET /app/w/{slug}/responses/new`: the choice of a survey (`?survey=` names it), then
/// the form; `?contact=` picks the customer (from their profile), `?locale=` the survey
/// language.
#[tracing::instrument(skip_all)]
pub async fn form(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::WorkCases>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q: Vec<(String, String)> =
        serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let survey = get(&q, "survey");
    let mut form = RecordForm {
        channel: "phone".into(),
        key: new_key(),
        ..RecordForm::default()
    };
    if let Some(id) = get(&q, "contact")
        && let Err(r) = contact_for_form(&st, &m, id, survey.unwrap_or(""), &mut form).await
    {
        return r;
    }
    let shown = Shown {
        survey,
        locale: get(&q, "locale"),
        posted: &[],
        answer_errors: &[],
    };
    page(&st, &m, shown, form, StatusCode::OK).await
}

/// Puts a refusal's problems into the form, each at its field in `lang`; returns the
/// answers' problems, for their questions. An error that is not the agent's to fix stays
/// an error.
fn refused(
    lang: Lang,
    e: AppError,
    def: &Survey,
    form: &mut RecordForm,
) -> Result<Vec<FieldError>, AppError> {
    let mut answers = Vec::new();
    let mut at = |f: &'static str, message: String| {
        form.errors
            .entry(f)
            .and_modify(|m| {
                m.push(' ');
                m.push_str(&message);
            })
            .or_insert(message);
    };
    let mut general = Vec::new();
    let asked = |path: &str| {
        let path = path.strip_prefix("answers.").unwrap_or(path);
        def.questions.iter().any(|q| {
            let id = q.id.as_str();
            path == id || path.starts_with(&format!("{id}."))
        })
    };
    match e {
        AppError::Validation(errs) => {
            for e in errs.0 {
                let own = |t: Text| lang.t(t).to_string();
                match (e.path.as_str(), &e.kind) {
                    ("channel", _) => at("channel", own(Text::RecordChannelRequired)),
                    ("store", FieldErrorKind::Required) => {
                        at("store", own(Text::RecordStoreRequired))
                    }
                    ("store", _) => at("store", own(Text::RecordStoreInvalid)),
                    ("contact", _) => at("contact", own(Text::RecordContactRequiredPhone)),
                    ("contact.phone", FieldErrorKind::Duplicate { .. }) => {
                        at("phone", own(Text::RecordPhoneShared))
                    }
                    (p, kind) if p.starts_with("contact.") => {
                        match FIELDS
                            .iter()
                            .find(|(f, ..)| Some(*f) == p.strip_prefix("contact."))
                        {
                            Some((f, ..)) => at(f, lang.field_error(kind)),
                            None => general.push(lang.field_error(kind)),
                        }
                    }
                    (p, _) if p.starts_with("answers.") && asked(p) => answers.push(e),
                    (p, kind) => general.push(format!("{p}: {}", lang.field_error(kind))),
                }
            }
        }
        AppError::Rejected(why, message) => match why {
            Rejection::ContactConflict => at("contact", lang.t(Text::RecordContactConflict).into()),
            Rejection::InvalidContact => at("contact", message),
            Rejection::SurveyClosed => general.push(lang.t(Text::DistSurveyClosed).into()),
            Rejection::SurveyNotPublished => general.push(lang.t(Text::RecordSurveyDraft).into()),
            Rejection::SurveyChanged => general.push(lang.t(Text::RecordSurveyChanged).into()),
            _ => general.push(message),
        },
        AppError::NotFound("contact") => at("contact", lang.t(Text::RecordContactGone).into()),
        AppError::NotFound(_) => general.push(lang.t(Text::DistPickSurvey).into()),
        AppError::InvalidParameter(message) => general.push(message),
        other => return Err(other),
    }
    form.general = general;
    Ok(answers)
}

/// The form's own problems in page order, each after its field's label and linked to its
/// input.
fn own_summary(form: &RecordForm, lang: Lang) -> Vec<FieldProblem> {
    FIELDS
        .iter()
        .filter_map(|(f, anchor, label)| {
            let message = form.errors.get(f)?;
            let anchor = match (*f, &form.contact) {
                ("contact", Some(_)) => "r-contact-error",
                _ => anchor,
            };
            Some(FieldProblem {
                message: format!("{} – {message}", lang.t(*label)),
                anchor: anchor.to_string(),
            })
        })
        .collect()
}

/// `POST /app/w/{slug}/responses/new`: records the feedback as the form describes it and
/// shows the response; a refused form comes back as typed, with its problems.
#[tracing::instrument(skip_all)]
pub async fn record(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::WorkCases>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let lang = m.signed.lang;
    let pairs = match m.signed.form(&st, &headers, &body) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let typed = |k: &str| field(&pairs, k).unwrap_or("").trim().to_string();
    let survey_id = typed("survey");
    let mut form = RecordForm {
        channel: typed("channel"),
        store: typed("store"),
        name: typed("name"),
        email: typed("email"),
        phone: typed("phone"),
        external_id: typed("external_id"),
        key: key_of(&typed("key")).unwrap_or_else(new_key),
        ..RecordForm::default()
    };
    let contact = match get(&pairs, "contact") {
        Some(id) => match contact_for_form(&st, &m, id, &survey_id, &mut form).await {
            Ok(c) => c,
            Err(r) => return r,
        },
        None => None,
    };
    let record = match survey_at(&st, m.workspace.id, &survey_id).await {
        Ok(r) => r,
        Err(e) => return missing_or_error(&st, lang, e),
    };
    let def = match st.app.survey_version(&record, record.version).await {
        Ok(d) => d,
        Err(e) => return page_error(&st, lang, e),
    };
    let answers = puls_html::form_answers(&def, &pairs);
    let entry = ManualEntry {
        survey_id: record.id.clone(),
        channel: form.channel.clone(),
        store: form.store.clone(),
        // A customer picked who is gone leaves the details, empty: the form asks for them.
        contact: match contact {
            Some(id) => ContactChoice::Existing(id),
            None => ContactChoice::Details {
                name: form.name.clone(),
                email: form.email.clone(),
                phone: form.phone.clone(),
                external_id: form.external_id.clone(),
            },
        },
        answers,
        locale: typed("locale"),
        key: Some(form.key.clone()),
    };
    let result = st
        .app
        .record_response(&m.actor, &m.signed.user.name, entry)
        .await;
    let e = match result {
        Ok(r) => {
            return Redirect::to(&format!(
                "/app/w/{}/responses/{}?notice=recorded",
                m.workspace.slug, r.response.id
            ))
            .into_response();
        }
        Err(e) => e,
    };
    let answer_errors = match refused(lang, e, &def, &mut form) {
        Ok(a) => a,
        Err(e) => return page_error(&st, lang, e),
    };
    form.summary = own_summary(&form, lang);
    let locale = typed("locale");
    let shown = Shown {
        survey: Some(&survey_id),
        locale: Some(&locale),
        posted: &pairs,
        answer_errors: &answer_errors,
    };
    page(&st, &m, shown, form, StatusCode::UNPROCESSABLE_ENTITY).await
}
