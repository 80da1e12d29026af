//! `/app/w/{slug}/aspects`: the aspects open answers are read for. The workspace adds its
//! own (names in pl, cs and en, keywords per language), adds keywords to a built-in one,
//! deletes what it added, and tries a comment against the aspects as saved. Whoever may
//! edit journeys and segments may edit these (they define what is measured); every change
//! goes through the same application calls as the API.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use puls_app::AppError;
use puls_app::text_aspects::{AspectInput, AspectLabels, Keywords, WorkspaceAspects};
use puls_html::console::{Problem, TextAspectForm, TextAspectRow, TextAspectsPage, TriedComment};
use puls_html::{Lang, Text};

use super::auth::{Allowed, Member, need};
use super::names::aspect_name;
use super::{Page, field, page_error, shell};
use crate::state::AppState;

/// The form of an aspect the workspace has, filled from what is stored.
fn form_of(aspects: &WorkspaceAspects, key: &str, lang: Lang) -> Option<TextAspectForm> {
    let a = aspects.0.iter().find(|a| a.name == key)?;
    let labels = a.labels.clone().unwrap_or_default();
    Some(TextAspectForm {
        key: a.name.clone(),
        editing: true,
        builtin: a.builtin,
        builtin_name: if a.builtin {
            aspect_name(aspects, key, lang)
        } else {
            String::new()
        },
        label_pl: labels.pl,
        label_cs: labels.cs,
        label_en: labels.en,
        keywords_pl: a.keywords.pl.join("\n"),
        keywords_cs: a.keywords.cs.join("\n"),
        keywords_en: a.keywords.en.join("\n"),
    })
}

/// A problem's path in words: "Keywords (Polish), line 3" for `keywords.pl[2]`.
fn path_words(path: &str, lang: Lang) -> String {
    let language = |code: &str| match code {
        "pl" => lang.t(Text::LangPl),
        "cs" => lang.t(Text::LangCs),
        _ => lang.t(Text::LangEn),
    };
    if path == "name" {
        return lang.t(Text::AspectKey).to_string();
    }
    if path == "labels" {
        return lang.fill(Text::DefinitionNameIn, &[&"pl, cs, en"]);
    }
    if let Some(code) = path.strip_prefix("labels.") {
        return lang.fill(Text::DefinitionNameIn, &[&language(code)]);
    }
    if path == "keywords" {
        return lang.fill(Text::AspectKeywordsIn, &[&"pl, cs, en"]);
    }
    if let Some(rest) = path.strip_prefix("keywords.") {
        let (code, line) = match rest.split_once('[') {
            Some((code, i)) => (code, i.trim_end_matches(']').parse::<usize>().ok()),
            None => (rest, None),
        };
        let words = lang.fill(Text::AspectKeywordsIn, &[&language(code)]);
        return match line {
            Some(i) => format!(
                "{words}, {}",
                lang.fill(Text::LineN, &[&(i + 1).to_string()])
            ),
            None => words,
        };
    }
    path.to_string()
}

/// What the page shows besides the aspects.
#[derive(Default)]
struct Extra {
    form: Option<TextAspectForm>,
    problems: Vec<Problem>,
    tried: Option<TriedComment>,
    notice: Option<Text>,
}

async fn render(st: &AppState, m: &Member, edit: Option<&str>, extra: Extra) -> Response {
    let lang = m.signed.lang;
    let ws = m.workspace.id;
    let data = async {
        let aspects = st.app.text_aspects(ws).await?;
        let pending = st.app.text_results_pending(ws).await?;
        Ok::<_, AppError>((aspects, pending))
    }
    .await;
    let (aspects, pending) = match data {
        Ok(d) => d,
        Err(e) => return page_error(st, lang, e),
    };
    let form = extra
        .form
        .or_else(|| edit.and_then(|k| form_of(&aspects, k, lang)))
        .unwrap_or_default();
    let rows = aspects
        .0
        .iter()
        .map(|a| TextAspectRow {
            key: a.name.clone(),
            name: aspect_name(&aspects, &a.name, lang),
            builtin: a.builtin,
            keywords: [
                ("pl", &a.keywords.pl),
                ("cs", &a.keywords.cs),
                ("en", &a.keywords.en),
            ]
            .into_iter()
            .filter(|(_, k)| !k.is_empty())
            .map(|(code, k)| (code.to_string(), k.join(", ")))
            .collect(),
            changed: a.updated_at.is_some(),
        })
        .collect();
    let status = if extra.problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = TextAspectsPage {
        title: lang.t(Text::OwnAspectsTitle).to_string(),
        aspects: rows,
        form,
        problems: extra.problems,
        pending: pending.unwrap_or(0),
        not_installed: pending.is_none(),
        tried: extra.tried,
        notice: extra.notice,
        shell: shell(m, Text::NavSettings),
    };
    Page::render(st, status, lang, &page)
}

/// `GET /app/w/{slug}/aspects` (`?edit=KEY` fills the form with an aspect).
pub async fn page(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::EditJourneys>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let notice = match q.get("notice").map(String::as_str) {
        Some("saved") => Some(Text::NoticeSaved),
        _ => None,
    };
    let extra = Extra {
        notice,
        ..Extra::default()
    };
    render(&st, &m, q.get("edit").map(String::as_str), extra).await
}

/// Keywords typed one per line (blank lines left out).
fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// `POST /app/w/{slug}/aspects`: `save`, `delete` or `try`.
pub async fn act(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::EditJourneys>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let lang = m.signed.lang;
    let pairs = match m.signed.form(&st, &headers, &body) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let ws = m.workspace.id;
    let get = |k: &str| field(&pairs, k).unwrap_or("").to_string();
    let key = get("key").trim().to_string();
    let back = || {
        Redirect::to(&format!("/app/w/{}/aspects?notice=saved", m.workspace.slug)).into_response()
    };
    match field(&pairs, "action").unwrap_or("") {
        "save" => {
            let have = match st.app.text_aspects(ws).await {
                Ok(a) => a,
                Err(e) => return page_error(&st, lang, e),
            };
            let existing = have.0.iter().find(|a| a.name == key);
            let builtin = existing.is_some_and(|a| a.builtin);
            let editing = field(&pairs, "mode") == Some("edit");
            let form = TextAspectForm {
                key: key.clone(),
                editing,
                builtin: editing && builtin,
                builtin_name: if editing && builtin {
                    aspect_name(&have, &key, lang)
                } else {
                    String::new()
                },
                label_pl: get("label.pl"),
                label_cs: get("label.cs"),
                label_en: get("label.en"),
                keywords_pl: get("keywords.pl"),
                keywords_cs: get("keywords.cs"),
                keywords_en: get("keywords.en"),
            };
            // A new aspect under a key the workspace already has: a built-in one takes
            // keywords beside it in the list; an own one is changed there, not replaced.
            if !editing && let Some(a) = existing {
                let message = if a.builtin {
                    lang.fill(Text::AspectKeyBuiltin, &[&aspect_name(&have, &key, lang)])
                } else {
                    lang.definition_error(&puls_core::FieldErrorKind::Duplicate { id: key.clone() })
                };
                let extra = Extra {
                    problems: vec![Problem {
                        path: lang.t(Text::AspectKey).to_string(),
                        message,
                    }],
                    form: Some(form),
                    ..Extra::default()
                };
                return render(&st, &m, None, extra).await;
            }
            let input = AspectInput {
                labels: (!form.builtin).then(|| AspectLabels {
                    pl: form.label_pl.clone(),
                    cs: form.label_cs.clone(),
                    en: form.label_en.clone(),
                }),
                keywords: Keywords {
                    pl: lines(&form.keywords_pl),
                    cs: lines(&form.keywords_cs),
                    en: lines(&form.keywords_en),
                },
            };
            match st.app.save_text_aspect(ws, &key, input).await {
                Ok(_) => back(),
                Err(AppError::Validation(errs)) => {
                    let extra = Extra {
                        problems: errs
                            .0
                            .iter()
                            .map(|e| Problem {
                                path: path_words(&e.path, lang),
                                message: lang.definition_error(&e.kind),
                            })
                            .collect(),
                        form: Some(form),
                        ..Extra::default()
                    };
                    render(&st, &m, None, extra).await
                }
                Err(e) => page_error(&st, lang, e),
            }
        }
        // Destroying asks for the ticked box, as every page that destroys.
        "delete" if field(&pairs, "confirm") != Some("yes") => Page::message(
            &st,
            StatusCode::UNPROCESSABLE_ENTITY,
            lang,
            Text::Error,
            Text::FieldRequired,
        ),
        "delete" => match st.app.delete_text_aspect(ws, &key).await {
            Ok(()) => back(),
            Err(AppError::NotFound(_)) => Page::not_found(&st, lang),
            Err(e) => page_error(&st, lang, e),
        },
        "try" => {
            let text = get("text");
            let code = get("lang");
            match st.app.find_aspects(ws, &text, &code).await {
                Ok(found) => {
                    let aspects = match st.app.text_aspects(ws).await {
                        Ok(a) => a,
                        Err(e) => return page_error(&st, lang, e),
                    };
                    let extra = Extra {
                        tried: Some(TriedComment {
                            found: found
                                .iter()
                                .map(|a| aspect_name(&aspects, a, lang))
                                .collect(),
                            text,
                            lang: code,
                        }),
                        ..Extra::default()
                    };
                    render(&st, &m, None, extra).await
                }
                Err(AppError::Validation(errs)) => {
                    let extra = Extra {
                        problems: errs
                            .0
                            .iter()
                            .map(|e| Problem {
                                path: lang.t(Text::Comment).to_string(),
                                message: lang.definition_error(&e.kind),
                            })
                            .collect(),
                        ..Extra::default()
                    };
                    render(&st, &m, None, extra).await
                }
                Err(e) => page_error(&st, lang, e),
            }
        }
        _ => Page::not_found(&st, lang),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_names_its_field_in_words() {
        assert_eq!(
            path_words("keywords.pl[2]", Lang::Pl),
            "Słowa kluczowe (polski), wiersz 3"
        );
        assert_eq!(path_words("labels.cs", Lang::En), "Name (Czech)");
        assert_eq!(path_words("name", Lang::Cs), "Klíč (v API a exportech)");
    }
}
