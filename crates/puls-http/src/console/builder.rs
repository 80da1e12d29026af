//! The survey builder: the workspace's surveys, a new one, and the editor of one survey's
//! definition (settings, every question type, skip logic, the pl/cs/en texts side by side),
//! its preview exactly as respondents see it, publishing, the link and QR code, and the
//! JSON definition in and out.
//!
//! The editor works on the definition as JSON, the format of the API and `puls survey
//! import`: the page carries the definition it was drawn from (`base`), every post overlays
//! the form's fields on it, and only Save and Publish store it, after the same validation
//! as `PUT /api/v1/surveys/{id}` (problems are listed with their paths, and the form keeps
//! what was typed). Adding, moving and removing questions redraw the form without storing.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use puls_app::AppError;
use puls_core::access::Permission;
use puls_core::survey::{CmpOp, ContactField};
use puls_core::{Channel, Condition, Locale, QuestionKind};
use puls_store::{SurveyStatus, json};
use puls_wire::path;
use serde_json::{Map, Value as Json};

use puls_html::console::{
    BuilderPage, BuilderQuestion, BuilderSurvey, Choice, ContactFieldChoice, ExtraText,
    LanguageChoice, LocaleText, Problem, SurveyRow, SurveysPage,
};
use puls_html::{Lang, Text};

use super::auth::need;
use super::auth::{Allowed, Member, Signed};
use super::{Page, field, page_error, shell, survey_at};
use crate::state::AppState;

/// The languages the web app writes surveys in, in the order it offers them.
const LANGS: [Lang; 3] = [Lang::Pl, Lang::Cs, Lang::En];

/// The languages as choices, those in `on` ticked.
fn language_choices(on: impl Fn(&str) -> bool) -> Vec<LanguageChoice> {
    LANGS
        .iter()
        .map(|l| LanguageChoice {
            code: l.code(),
            name: l.name(),
            on: on(l.code()),
        })
        .collect()
}

/// Condition operators of skip logic the editor offers: the comparisons and "one of".
fn ops() -> Vec<Choice> {
    CmpOp::ALL
        .iter()
        .map(|op| Choice {
            value: op.as_str(),
            name: Text::cmp_op(*op),
        })
        .chain([Choice {
            value: Condition::IN_OP,
            name: Text::OpIn,
        }])
        .collect()
}

/// The texts of a question type besides its question text: (key, label, required).
fn text_fields(kind: &str) -> &'static [(&'static str, Text, bool)] {
    match kind {
        "rating" => &[
            ("min_label", Text::FieldMinLabel, false),
            ("max_label", Text::FieldMaxLabel, false),
        ],
        "multiple_choice" => &[("other", Text::FieldOther, false)],
        "kano" => &[
            ("functional", Text::FieldFunctional, true),
            ("dysfunctional", Text::FieldDysfunctional, true),
        ],
        "contact" => &[("consent", Text::FieldConsent, true)],
        _ => &[],
    }
}

/// The list a question type has: options or matrix rows.
fn list_field(kind: &str) -> Option<&'static str> {
    match kind {
        "single_choice" | "multiple_choice" | "ranking" => Some("options"),
        "matrix" => Some("rows"),
        _ => None,
    }
}

fn has_scale(kind: &str) -> bool {
    matches!(kind, "rating" | "matrix")
}

/// A JSON object of these fields.
fn object<const N: usize>(fields: [(&str, Json); N]) -> Json {
    Json::Object(
        fields
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

/// A new question of `kind` with an id not yet taken.
fn new_question(kind: &str, taken: &[String], locales: &[String]) -> Json {
    let mut n = taken.len() + 1;
    let id = loop {
        let id = format!("q{n}");
        if !taken.contains(&id) {
            break id;
        }
        n += 1;
    };
    let empty: Map<String, Json> = locales
        .iter()
        .map(|l| (l.clone(), Json::from("")))
        .collect();
    let mut q = object([
        ("id", Json::from(id)),
        ("type", Json::from(kind)),
        ("text", Json::Object(empty.clone())),
    ]);
    for (key, _, required) in text_fields(kind) {
        if *required {
            q[*key] = Json::Object(empty.clone());
        }
    }
    if has_scale(kind) {
        q["min"] = Json::from(1);
        q["max"] = Json::from(5);
    }
    if let Some(list) = list_field(kind) {
        q[list] = Json::Array(Vec::new());
    }
    if kind == "contact" {
        q["fields"] = Json::from([ContactField::Email.as_str()].as_slice());
    }
    q
}

fn locales_of(def: &Json) -> Vec<String> {
    def["locales"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|l| l.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// A localized text from form fields `{prefix}.{locale}`; None when all are blank.
fn texts_from(pairs: &[(String, String)], prefix: &str, locales: &[String]) -> Option<Json> {
    let m: Map<String, Json> = locales
        .iter()
        .filter_map(|l| {
            field(pairs, &format!("{prefix}.{l}")).map(|v| (l.clone(), Json::from(v.trim())))
        })
        .collect();
    (m.values()
        .any(|v| v.as_str().is_some_and(|s| !s.is_empty())))
    .then_some(Json::Object(m))
}

/// Options or rows from a textarea: one per line, `id | text in each language, in order`.
fn list_from(text: &str, locales: &[String]) -> Json {
    Json::Array(
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|line| {
                let mut parts = line.split('|').map(str::trim);
                let id = parts.next().unwrap_or_default();
                let texts: Map<String, Json> = locales
                    .iter()
                    .zip(parts)
                    .map(|(l, t)| (l.clone(), Json::from(t)))
                    .collect();
                object([("id", Json::from(id)), ("text", Json::Object(texts))])
            })
            .collect(),
    )
}

/// The textarea form of options or rows.
fn list_text(list: &Json, locales: &[String]) -> String {
    list.as_array()
        .map(|items| {
            items
                .iter()
                .map(|o| {
                    let mut line = o["id"].as_str().unwrap_or_default().to_string();
                    for l in locales {
                        line.push_str(" | ");
                        line.push_str(o["text"][l].as_str().unwrap_or_default());
                    }
                    line
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

/// A condition value as typed: a number when it reads as one.
fn typed(v: &str) -> Json {
    v.trim()
        .parse::<i64>()
        .map(Json::from)
        .unwrap_or_else(|_| Json::from(v.trim()))
}

/// Overlays the posted form on the definition it was drawn from.
fn apply_form(base: &Json, pairs: &[(String, String)]) -> Json {
    let mut def = base.clone();
    let mut locales = chosen_languages(pairs);
    if locales.is_empty() {
        locales = locales_of(base);
    }
    def["locales"] = Json::from(locales.as_slice());
    if !locales
        .iter()
        .any(|l| Some(l.as_str()) == def["default_locale"].as_str())
    {
        def["default_locale"] = Json::from(locales.first().cloned());
    }
    if let Some(t) = texts_from(pairs, "title", &locales) {
        def["title"] = t;
    }
    for key in ["intro", "thank_you"] {
        if !pairs.iter().any(|(k, _)| k.starts_with(&format!("{key}."))) {
            continue;
        }
        match texts_from(pairs, key, &locales) {
            Some(t) => def[key] = t,
            None => {
                if let Some(o) = def.as_object_mut() {
                    o.remove(key);
                }
            }
        }
    }
    for key in ["touchpoint", "channel"] {
        if let Some(v) = field(pairs, key) {
            def[key] = Json::from(v.trim());
        }
    }
    let Some(questions) = def["questions"].as_array_mut() else {
        return def;
    };
    for (i, q) in questions.iter_mut().enumerate() {
        let p = format!("q{i}");
        if field(pairs, &format!("{p}.present")).is_none() {
            continue;
        }
        let kind = q["type"].as_str().unwrap_or_default().to_string();
        if let Some(id) = field(pairs, &format!("{p}.id")) {
            q["id"] = Json::from(id.trim());
        }
        q["required"] = Json::from(field(pairs, &format!("{p}.required")).is_some());
        q["text"] = texts_from(pairs, &format!("{p}.text"), &locales)
            .unwrap_or_else(|| Json::Object(Map::new()));
        match texts_from(pairs, &format!("{p}.help"), &locales) {
            Some(t) => q["help"] = t,
            None => {
                if let Some(o) = q.as_object_mut() {
                    o.remove("help");
                }
            }
        }
        for (key, _, required) in text_fields(&kind) {
            match texts_from(pairs, &format!("{p}.{key}"), &locales) {
                Some(t) => q[*key] = t,
                None if *required => q[*key] = Json::Object(Map::new()),
                None => {
                    if let Some(o) = q.as_object_mut() {
                        o.remove(*key);
                    }
                }
            }
        }
        if has_scale(&kind) {
            for key in ["min", "max"] {
                if let Some(v) = field(pairs, &format!("{p}.{key}")) {
                    q[key] = typed(v);
                }
            }
        }
        if let Some(list) = list_field(&kind)
            && let Some(text) = field(pairs, &format!("{p}.{list}"))
        {
            q[list] = list_from(text, &locales);
        }
        if matches!(
            kind.as_str(),
            "single_choice" | "multiple_choice" | "ranking"
        ) {
            q["randomize"] = Json::from(field(pairs, &format!("{p}.randomize")).is_some());
        }
        let numbers: &[&str] = match kind.as_str() {
            "multiple_choice" => &["min_choices", "max_choices"],
            "open_text" => &["max_length"],
            _ => &[],
        };
        for key in numbers {
            match field(pairs, &format!("{p}.{key}")).map(str::trim) {
                Some(v) if !v.is_empty() => q[*key] = typed(v),
                _ => {
                    if let Some(o) = q.as_object_mut() {
                        o.remove(*key);
                    }
                }
            }
        }
        if kind == "open_text" {
            q["multiline"] = Json::from(field(pairs, &format!("{p}.multiline")).is_some());
        }
        if kind == "contact" {
            let fields: Vec<&str> = ContactField::ALL
                .iter()
                .map(|f| f.as_str())
                .filter(|f| field(pairs, &format!("{p}.field.{f}")).is_some())
                .collect();
            q["fields"] = Json::from(fields);
        }
        // Skip logic: "show only if QUESTION OP VALUE"; an early end: "end the survey if
        // QUESTION OP VALUE" (this question's answer, or an earlier one).
        for (key, name) in [("show", "show_if"), ("end", "end_if")] {
            let on = field(pairs, &format!("{p}.{key}_q")).unwrap_or("").trim();
            let op = field(pairs, &format!("{p}.{key}_op")).unwrap_or("eq");
            let value = field(pairs, &format!("{p}.{key}_value")).unwrap_or("");
            let Some(o) = q.as_object_mut() else { continue };
            if on.is_empty() {
                o.remove(name);
            } else if op == Condition::IN_OP {
                let values: Vec<Json> = value.split(',').map(typed).collect();
                o.insert(
                    name.into(),
                    object([
                        ("question", Json::from(on)),
                        ("op", Json::from(op)),
                        ("values", Json::Array(values)),
                    ]),
                );
            } else {
                o.insert(
                    name.into(),
                    object([
                        ("question", Json::from(on)),
                        ("op", Json::from(op)),
                        ("value", typed(value)),
                    ]),
                );
            }
        }
    }
    def
}

/// Applies an action that only reshapes the form: add, move or remove a question.
fn reshape(def: &mut Json, action: &str, add_type: Option<&str>) {
    let locales = locales_of(def);
    let Some(questions) = def["questions"].as_array_mut() else {
        return;
    };
    let index = |s: &str| s.parse::<usize>().ok();
    if action == "add" {
        let kind = add_type
            .filter(|t| QuestionKind::TYPE_NAMES.contains(t))
            .unwrap_or("nps");
        let taken: Vec<String> = questions
            .iter()
            .filter_map(|q| q["id"].as_str().map(str::to_string))
            .collect();
        questions.push(new_question(kind, &taken, &locales));
    } else if let Some(i) = action.strip_prefix("up:").and_then(index) {
        if i > 0 && i < questions.len() {
            questions.swap(i - 1, i);
        }
    } else if let Some(i) = action.strip_prefix("down:").and_then(index) {
        if i + 1 < questions.len() {
            questions.swap(i, i + 1);
        }
    } else if let Some(i) = action.strip_prefix("delete:").and_then(index)
        && i < questions.len()
    {
        questions.remove(i);
    }
}

/// The languages ticked in a form (`locales`), in the order the app offers them.
fn chosen_languages(pairs: &[(String, String)]) -> Vec<String> {
    LANGS
        .iter()
        .map(|l| l.code())
        .filter(|l| pairs.iter().any(|(k, v)| k == "locales" && v == l))
        .map(str::to_string)
        .collect()
}

/// A value of the definition as the form shows it: as typed, a text or a number.
fn shown(v: &Json) -> String {
    match v {
        Json::Null => String::new(),
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A value the form may leave empty.
fn shown_opt(v: &Json) -> Option<String> {
    (!v.is_null()).then(|| shown(v))
}

/// A localized text of the definition, in each of its languages.
fn locale_texts(v: &Json, locales: &[String]) -> Vec<LocaleText> {
    locales
        .iter()
        .map(|l| LocaleText {
            locale: l.clone(),
            value: v[l].as_str().unwrap_or_default().to_string(),
        })
        .collect()
}

/// The editor's view of one question.
fn question_view(i: usize, q: &Json, locales: &[String], earlier: &[String]) -> BuilderQuestion {
    let kind = q["type"].as_str().unwrap_or_default();
    let extra: Vec<ExtraText> = text_fields(kind)
        .iter()
        .map(|(key, name, required)| ExtraText {
            key,
            name: *name,
            required: *required,
            texts: locale_texts(&q[*key], locales),
        })
        .collect();
    let cond_value = |c: &Json| match &c["values"] {
        Json::Array(v) => v
            .iter()
            .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join(","),
        _ => shown(&c["value"]),
    };
    let show = &q["show_if"];
    let end = &q["end_if"];
    let list = list_field(kind);
    let asked = q["fields"].as_array();
    BuilderQuestion {
        i,
        id: shown(&q["id"]),
        kind: kind.to_string(),
        kind_name: Text::question_type(kind),
        required: q["required"].as_bool().unwrap_or(false),
        texts: locale_texts(&q["text"], locales),
        help: locale_texts(&q["help"], locales),
        extra,
        scale: has_scale(kind),
        min: shown(&q["min"]),
        max: shown(&q["max"]),
        list,
        list_name: list.map(|l| {
            if l == "rows" {
                Text::ListRows
            } else {
                Text::ListOptions
            }
        }),
        list_text: list.map(|k| list_text(&q[k], locales)),
        contact: kind == "contact",
        contact_fields: ContactField::ALL
            .iter()
            .map(|f| ContactFieldChoice {
                value: f.as_str(),
                name: Text::contact_field(*f),
                on: asked.is_some_and(|a| a.iter().any(|x| x.as_str() == Some(f.as_str()))),
            })
            .collect(),
        show_q: show["question"].as_str().unwrap_or_default().to_string(),
        show_op: show["op"].as_str().unwrap_or("eq").to_string(),
        show_value: cond_value(show),
        end_q: end["question"].as_str().unwrap_or_default().to_string(),
        end_op: end["op"].as_str().unwrap_or("eq").to_string(),
        end_value: cond_value(end),
        choice: matches!(kind, "single_choice" | "multiple_choice" | "ranking"),
        randomize: q["randomize"].as_bool().unwrap_or(false),
        multiple: kind == "multiple_choice",
        min_choices: shown_opt(&q["min_choices"]),
        max_choices: shown_opt(&q["max_choices"]),
        open: kind == "open_text",
        max_length: shown_opt(&q["max_length"]),
        multiline: q["multiline"].as_bool().unwrap_or(true),
        earlier: earlier.to_vec(),
    }
}

/// The editor page of a survey drawn from `def`.
#[allow(clippy::too_many_arguments)]
fn editor(
    st: &AppState,
    m: &Member,
    id: &str,
    status: SurveyStatus,
    def: &Json,
    problems: Vec<Problem>,
    notice: Option<Text>,
    http: StatusCode,
) -> Response {
    let lang = m.signed.lang;
    let locales = locales_of(def);
    let mut earlier: Vec<String> = Vec::new();
    let questions: Vec<BuilderQuestion> = def["questions"]
        .as_array()
        .map(|qs| {
            qs.iter()
                .enumerate()
                .map(|(i, q)| {
                    let v = question_view(i, q, &locales, &earlier);
                    if let Some(qid) = q["id"].as_str() {
                        earlier.push(qid.to_string());
                    }
                    v
                })
                .collect()
        })
        .unwrap_or_default();
    let page = BuilderPage {
        title: lang.t(Text::BuilderTitle).into(),
        survey: BuilderSurvey {
            id: id.to_string(),
            status: status_name(status),
            status_name: status_text(status),
            title: locale_texts(&def["title"], &locales),
            touchpoint: shown(&def["touchpoint"]),
            intro: locale_texts(&def["intro"], &locales),
            thank_you: locale_texts(&def["thank_you"], &locales),
            channel: def["channel"].as_str().unwrap_or("web").to_string(),
            link: format!("{}/s/{id}", st.public_url),
            qr: format!("/s/{id}/qr.svg"),
        },
        base: serde_json::to_string(def).unwrap_or_default(),
        all_langs: language_choices(|l| locales.iter().any(|x| x == l)),
        locales,
        questions,
        types: QuestionKind::TYPE_NAMES
            .iter()
            .filter_map(|t| Text::question_type(t).map(|name| Choice { value: t, name }))
            .collect(),
        ops: ops(),
        channels: Channel::ALL
            .iter()
            .map(|c| Choice {
                value: c.as_str(),
                name: Text::channel(*c),
            })
            .collect(),
        problems,
        notice,
        shell: shell(m, Text::NavSurveys),
    };
    Page::render(st, http, lang, &page)
}

/// A validation failure as (path, message) lines in the author's language; other errors
/// pass through.
fn problems_of(e: AppError, lang: Lang) -> Result<Vec<Problem>, AppError> {
    match e {
        AppError::Validation(errs) => Ok(errs
            .0
            .iter()
            .map(|e| Problem {
                path: e.path.clone(),
                message: lang.definition_error(&e.kind),
            })
            .collect()),
        AppError::InvalidParameter(message) | AppError::Rejected(_, message) => Ok(vec![Problem {
            path: String::new(),
            message,
        }]),
        other => Err(other),
    }
}

fn status_name(s: SurveyStatus) -> &'static str {
    match s {
        SurveyStatus::Draft => "draft",
        SurveyStatus::Published => "published",
        SurveyStatus::Closed => "closed",
    }
}

fn status_text(s: SurveyStatus) -> Text {
    match s {
        SurveyStatus::Draft => Text::StatusDraft,
        SurveyStatus::Published => Text::StatusPublished,
        SurveyStatus::Closed => Text::StatusClosed,
    }
}

/// `GET /app/w/{slug}/surveys`: the list, a new survey, an import.
#[tracing::instrument(skip_all, fields(workspace = %slug))]
pub async fn list(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::EditSurveys>,
    Path(slug): Path<String>,
) -> Response {
    list_page(&st, &m, StatusCode::OK, Vec::new()).await
}

async fn list_page(
    st: &AppState,
    m: &Member,
    http: StatusCode,
    problems: Vec<Problem>,
) -> Response {
    let lang = m.signed.lang;
    let surveys = match st.app.surveys(m.workspace.id).await {
        Ok(s) => s,
        Err(e) => return page_error(st, lang, e),
    };
    let page = SurveysPage {
        title: lang.t(Text::SurveysTitle).into(),
        surveys: surveys
            .iter()
            .map(|s| SurveyRow {
                id: s.id.as_str().to_string(),
                title: s.title.clone(),
                touchpoint: s.touchpoint.clone(),
                status: status_text(s.status),
                updated: puls_wire::format_ms(s.updated_at),
                can_record: s.status == SurveyStatus::Published
                    && m.role.allows(Permission::WorkCases),
            })
            .collect(),
        languages: language_choices(|l| l == lang.code()),
        problems,
        shell: shell(m, Text::NavSurveys),
    };
    Page::render(st, http, lang, &page)
}

/// `POST /app/w/{slug}/surveys`: a new survey (title, touchpoint, languages) or an import
/// of a JSON definition; either starts as a draft and opens in the editor.
#[tracing::instrument(skip_all, fields(workspace = %slug))]
pub async fn create(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::EditSurveys>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let pairs = match m.signed.form(&st, &headers, &body) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let def: Json = if let Some(text) = field(&pairs, "definition").filter(|t| !t.trim().is_empty())
    {
        match serde_json::from_str(text) {
            Ok(d) => d,
            Err(e) => {
                return list_page(
                    &st,
                    &m,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    vec![Problem {
                        path: String::new(),
                        message: format!("JSON: {e}"),
                    }],
                )
                .await;
            }
        }
    } else {
        let locales = chosen_languages(&pairs);
        let locales = if locales.is_empty() {
            vec![m.signed.lang.code().to_string()]
        } else {
            locales
        };
        let name = field(&pairs, "name").unwrap_or("").trim();
        let title: Map<String, Json> = locales
            .iter()
            .map(|l| (l.clone(), Json::from(name)))
            .collect();
        let first = new_question("nps", &[], &locales);
        object([
            ("title", Json::Object(title)),
            ("locales", Json::from(locales.as_slice())),
            (
                "touchpoint",
                Json::from(field(&pairs, "touchpoint").unwrap_or("").trim()),
            ),
            ("questions", Json::Array(vec![first])),
        ])
    };
    // A new survey is stored even with empty question texts? No: it must be valid, so a
    // new one gets its question text from the title's language as a placeholder.
    let def = fill_placeholders(def, m.signed.lang.code());
    match st
        .app
        .create_survey(
            m.workspace.id,
            &json::from_json(&def),
            None,
            SurveyStatus::Draft,
        )
        .await
    {
        Ok(rec) => Redirect::to(&format!("/app/w/{slug}/surveys/{}", rec.id)).into_response(),
        Err(e) => match problems_of(e, m.signed.lang) {
            Ok(p) => list_page(&st, &m, StatusCode::UNPROCESSABLE_ENTITY, p).await,
            Err(e) => page_error(&st, m.signed.lang, e),
        },
    }
}

/// A new survey's first question needs a text: the standard NPS question, in each language.
fn fill_placeholders(mut def: Json, _lang: &str) -> Json {
    const NPS: [(&str, &str); 3] = [
        (
            "en",
            "How likely are you to recommend us to a friend or colleague?",
        ),
        (
            "pl",
            "Jak prawdopodobne jest, że polecisz nas znajomemu lub współpracownikowi?",
        ),
        (
            "cs",
            "Jak pravděpodobně byste nás doporučili známému nebo kolegovi?",
        ),
    ];
    if let Some(qs) = def["questions"].as_array_mut() {
        for q in qs {
            if q["type"] == "nps"
                && let Some(t) = q["text"].as_object_mut()
            {
                for (l, v) in t.iter_mut() {
                    if v.as_str().is_some_and(str::is_empty)
                        && let Some((_, text)) = NPS.iter().find(|(c, _)| c == l)
                    {
                        *v = Json::from(*text);
                    }
                }
            }
        }
    }
    def
}

async fn stored(
    st: &AppState,
    m: &Member,
    id: &str,
) -> Result<Option<(Json, SurveyStatus)>, AppError> {
    let rec = match survey_at(st, m.workspace.id, id).await {
        Ok(rec) => rec,
        Err(AppError::NotFound(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    let def: Json = json::to_json(&rec.definition);
    Ok(Some((def, rec.status)))
}

/// `GET /app/w/{slug}/surveys/{id}`: the editor.
#[tracing::instrument(skip_all, fields(workspace = %slug, survey = %id))]
pub async fn edit(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::EditSurveys>,
    Path((slug, id)): Path<(String, String)>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    match stored(&st, &m, &id).await {
        Ok(Some((def, status))) => {
            let notice = match q.get("notice").map(String::as_str) {
                Some("saved") => Some(Text::NoticeSaved),
                Some("published") => Some(Text::NoticePublished),
                Some("closed") => Some(Text::NoticeClosed),
                _ => None,
            };
            editor(
                &st,
                &m,
                &id,
                status,
                &def,
                Vec::new(),
                notice,
                StatusCode::OK,
            )
        }
        Ok(None) => Page::not_found(&st, m.signed.lang),
        Err(e) => page_error(&st, m.signed.lang, e),
    }
}

/// `POST /app/w/{slug}/surveys/{id}`: save, publish, close, or reshape the form.
#[tracing::instrument(skip_all, fields(workspace = %slug, survey = %id))]
pub async fn update(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::EditSurveys>,
    Path((slug, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let lang = m.signed.lang;
    let pairs = match m.signed.form(&st, &headers, &body) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let (current, status) = match stored(&st, &m, &id).await {
        Ok(Some(s)) => s,
        Ok(None) => return Page::not_found(&st, lang),
        Err(e) => return page_error(&st, lang, e),
    };
    // `stored` found it, so the path holds a survey id.
    let Ok(survey_id) = path::survey(&id) else {
        return Page::not_found(&st, lang);
    };
    let base: Json = field(&pairs, "base")
        .and_then(|b| serde_json::from_str(b).ok())
        .unwrap_or(current);
    let mut def = apply_form(&base, &pairs);
    let action = field(&pairs, "action").unwrap_or("save");
    if action != "save" && action != "publish" && action != "close" {
        reshape(&mut def, action, field(&pairs, "add_type"));
        return editor(
            &st,
            &m,
            &id,
            status,
            &def,
            Vec::new(),
            Some(Text::NoticeUnsaved),
            StatusCode::OK,
        );
    }
    if let Err(e) = st
        .app
        .update_survey(m.workspace.id, &survey_id, &json::from_json(&def))
        .await
    {
        return match problems_of(e, m.signed.lang) {
            Ok(p) => editor(
                &st,
                &m,
                &id,
                status,
                &def,
                p,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            Err(e) => page_error(&st, lang, e),
        };
    }
    let notice = match action {
        "publish" | "close" => {
            let to = if action == "publish" {
                SurveyStatus::Published
            } else {
                SurveyStatus::Closed
            };
            if let Err(e) = st
                .app
                .set_survey_status(m.workspace.id, &survey_id, to)
                .await
            {
                return page_error(&st, lang, e);
            }
            if action == "publish" {
                "published"
            } else {
                "closed"
            }
        }
        _ => "saved",
    };
    Redirect::to(&format!("/app/w/{slug}/surveys/{id}?notice={notice}")).into_response()
}

/// `GET /app/w/{slug}/surveys/{id}.json`: the stored definition, for `puls survey import`
/// or the API.
#[tracing::instrument(skip_all, fields(workspace = %slug, file = %file))]
pub async fn export(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::EditSurveys>,
    Path((slug, file)): Path<(String, String)>,
) -> Response {
    let Some(id) = file.strip_suffix(".json") else {
        return Page::not_found(&st, m.signed.lang);
    };
    match survey_at(&st, m.workspace.id, id).await {
        Ok(rec) => {
            let pretty =
                serde_json::to_string_pretty(&json::to_json(&rec.definition)).unwrap_or_default();
            (
                [
                    (
                        header::CONTENT_TYPE,
                        "application/json; charset=utf-8".to_string(),
                    ),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"survey-{id}.json\""),
                    ),
                ],
                pretty,
            )
                .into_response()
        }
        Err(AppError::NotFound(_)) => Page::not_found(&st, m.signed.lang),
        Err(e) => page_error(&st, m.signed.lang, e),
    }
}

/// `GET /app/w/{slug}/surveys/{id}/preview/{n}?lang=L[&q=QID]`: question `n` (or `q`) as
/// the respondent's page draws it, with a "Preview" banner; its form posts back here and
/// stores nothing.
#[tracing::instrument(skip_all, fields(workspace = %slug, survey = %id, question = n))]
pub async fn preview(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::EditSurveys>,
    Path((slug, id, n)): Path<(String, String, usize)>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let lang = m.signed.lang;
    let rec = match survey_at(&st, m.workspace.id, &id).await {
        Ok(r) => r,
        Err(AppError::NotFound(_)) => return Page::not_found(&st, lang),
        Err(e) => return page_error(&st, lang, e),
    };
    let survey = match st.app.survey_version(&rec, rec.version).await {
        Ok(s) => s,
        Err(e) => return page_error(&st, lang, e),
    };
    let index = q
        .get("q")
        .and_then(|qid| survey.questions.iter().position(|x| x.id.as_str() == qid))
        .unwrap_or(n);
    let locale = q
        .get("lang")
        .and_then(|l| Locale::parse(l).ok())
        .filter(|l| survey.locales.contains(l))
        .or_else(|| {
            Locale::parse(lang.code())
                .ok()
                .filter(|l| survey.locales.contains(l))
        })
        .unwrap_or_else(|| survey.default_locale.clone());
    if index >= survey.questions.len() {
        let html = st.html.thank_you(&survey, &locale);
        return ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response();
    }
    let action = format!("/app/w/{slug}/surveys/{id}/preview/{index}");
    let back = index
        .checked_sub(1)
        .map(|i| survey.questions[i].id.as_str().to_string());
    let answers = puls_core::Answers::new();
    let html = st.html.question(&puls_html::QuestionPage {
        survey: &survey,
        survey_id: &id,
        locale: &locale,
        question: index,
        step: index + 1,
        total: survey.questions.len(),
        answers: &answers,
        form: None,
        errors: &[],
        response_id: None,
        resume_token: None,
        back: back.as_deref(),
        shuffle_seed: 1,
        show_intro: index == 0,
        preview: true,
        extra_hidden: &[("lang".to_string(), locale.as_str().to_string())],
        action: Some(&action),
    });
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

/// The preview's form: goes on to the next question, storing nothing.
#[tracing::instrument(skip_all, fields(workspace = %slug, survey = %id, question = n))]
pub async fn preview_next(
    signed: Signed,
    Path((slug, id, n)): Path<(String, String, usize)>,
    body: Bytes,
) -> Response {
    let _ = signed;
    let pairs = super::form_pairs(&body);
    let lang = field(&pairs, "lang").unwrap_or("");
    Redirect::to(&format!(
        "/app/w/{slug}/surveys/{id}/preview/{}?lang={}",
        n + 1,
        super::auth::url_escape(lang)
    ))
    .into_response()
}
