//! What a question page shows, prepared from the survey model for the template.
//!
//! Input ids, error ids and links are decided here; `question.html` only lays them out.
//! Ids are short and fixed per position (`a0`, `o2`, `m1-0`...) so pages stay small.

use std::collections::BTreeMap;
use std::fmt::Write;

use puls_core::response::NotAsked;
use puls_core::response::limits::MAX_OTHER_TEXT;
use puls_core::survey::{Choice, ContactField};
use puls_core::{
    Answer, FieldError, FieldErrorKind, KanoAnswer, Locale, Question, QuestionKind, Survey,
};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use serde::Serialize;

use super::QuestionPage;
use super::form::{Fields, answer_fields};
use crate::i18n::{is_rtl, native_name};
use crate::{Lang, Page, Text};

/// The context of a question page.
#[derive(Debug, Serialize)]
pub(crate) struct QuestionView {
    /// The survey locale (`<html lang>`), and whether it is written right to left.
    lang: String,
    rtl: bool,
    title: String,
    preview: bool,
    show_intro: bool,
    survey_title: String,
    intro: Option<String>,
    /// The survey's other languages (none when it has one).
    langs: Vec<LocaleLink>,
    progress: Option<String>,
    step: usize,
    total: usize,
    /// Every error of the page, linking to its field.
    summary: Vec<SummaryLine>,
    action: String,
    hidden: Vec<Hidden>,
    q: QuestionCtx,
    /// The button: "Next", or "Submit" on the last question.
    next: &'static str,
    skip: bool,
    back: Option<String>,
}

impl Page for QuestionView {
    const TEMPLATE: &'static str = "survey/question.html";
}

#[derive(Debug, Serialize)]
struct LocaleLink {
    href: String,
    code: String,
    name: String,
    current: bool,
}

#[derive(Debug, Serialize)]
struct SummaryLine {
    message: String,
    anchor: String,
}

#[derive(Debug, Serialize)]
struct Hidden {
    name: String,
    value: String,
}

/// The question: its text, hints and errors, and what its type shows.
#[derive(Debug, Serialize)]
struct QuestionCtx {
    text: String,
    required: bool,
    hints: Vec<Hint>,
    described_by: String,
    #[serde(flatten)]
    errors: FieldErrors,
    #[serde(flatten)]
    kind: KindView,
}

#[derive(Debug, Serialize)]
struct Hint {
    id: String,
    text: String,
}

/// What a question type shows; `view` names the template's branch.
#[derive(Debug, Serialize)]
#[serde(tag = "view", rename_all = "lowercase")]
enum KindView {
    Scale {
        wide: bool,
        points: Vec<Input>,
        lo: String,
        hi: String,
    },
    Choice {
        input: &'static str,
        options: Vec<Input>,
        other: Option<Other>,
    },
    Text {
        id: String,
        name: String,
        label: &'static str,
        multiline: bool,
        max: usize,
        value: String,
    },
    Matrix {
        wide: bool,
        rows: Vec<MatrixRow>,
        lo: String,
        hi: String,
    },
    Ranking {
        items: Vec<RankItem>,
        ranks: Vec<String>,
    },
    Kano {
        sides: Vec<KanoSide>,
    },
    Contact {
        inputs: Vec<ContactInput>,
        consent: Consent,
    },
}

/// A radio button or checkbox; `sr` is read to screen readers after its label.
#[derive(Debug, Serialize)]
struct Input {
    id: String,
    name: String,
    value: String,
    label: String,
    checked: bool,
    inv: Option<String>,
    sr: String,
}

/// The "other" text of a multiple-choice question.
#[derive(Debug, Serialize)]
struct Other {
    id: String,
    name: String,
    label: String,
    value: String,
    max: usize,
    #[serde(flatten)]
    errors: FieldErrors,
}

#[derive(Debug, Serialize)]
struct MatrixRow {
    label: String,
    points: Vec<Input>,
    #[serde(flatten)]
    errors: FieldErrors,
}

#[derive(Debug, Serialize)]
struct RankItem {
    id: String,
    rank: String,
    name: String,
    label: String,
    inv: Option<String>,
}

#[derive(Debug, Serialize)]
struct KanoSide {
    label: String,
    options: Vec<Input>,
    #[serde(flatten)]
    errors: FieldErrors,
}

#[derive(Debug, Serialize)]
struct ContactInput {
    id: String,
    name: String,
    kind: &'static str,
    /// The browser's autofill: the respondent's own address, or nothing (staff typing a
    /// customer's).
    autocomplete: &'static str,
    label: &'static str,
    value: String,
    #[serde(flatten)]
    errors: FieldErrors,
}

#[derive(Debug, Serialize)]
struct Consent {
    id: String,
    name: String,
    label: String,
    checked: bool,
    #[serde(flatten)]
    errors: FieldErrors,
}

/// Percent-encodes a URL path segment or query component (everything but unreserved bytes).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The order in which to show `n` options: as defined, or shuffled when the question asks
/// for it. The same seed and question give the same order, so a page reload (or an error)
/// does not reshuffle under the respondent's thumb; different questions shuffle differently.
pub(crate) fn display_order(n: usize, randomize: bool, seed: u64, question_id: &str) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    if randomize {
        // FNV-1a of the question id, so each question gets its own order.
        let salt = question_id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
        order.shuffle(&mut StdRng::seed_from_u64(seed ^ salt));
    }
    order
}

/// The part of an error path below the question: `answers.c.email` gives `email`.
fn sub_key<'p>(path: &'p str, question_id: &str) -> &'p str {
    let path = path.strip_prefix("answers.").unwrap_or(path);
    match path.strip_prefix(question_id) {
        Some(rest) => rest.strip_prefix('.').unwrap_or(""),
        None => "",
    }
}

/// The sub-fields of a question that errors can point at; other paths go to the question.
fn sub_keys(kind: &QuestionKind) -> Vec<&str> {
    match kind {
        QuestionKind::MultipleChoice { other: Some(_), .. } => vec!["other"],
        QuestionKind::Matrix { rows, .. } => rows.iter().map(|r| r.id.as_str()).collect(),
        QuestionKind::Kano { .. } => vec!["functional", "dysfunctional"],
        QuestionKind::Contact { fields, .. } => fields
            .iter()
            .map(|f| f.as_str())
            .chain(["consent"])
            .collect(),
        _ => Vec::new(),
    }
}

/// The id of the question-level error message (after the scope's prefix).
const QUESTION_ERROR_ID: &str = "e-q";

/// Where a question's inputs live: alone on a respondent's page (ids and names as the
/// form contract says: `a`, `o0`, `other`...), or as one of many on a form that asks every
/// question at once (the web app's manual entry), where each question's ids and names
/// carry its own prefix and staff, not the respondent, fill them in.
pub(crate) struct Scope {
    /// Put before every element id (`q2-`).
    id: String,
    /// Put before every field name (`nps.`).
    name: String,
    /// Seeds the order of options that ask to be shuffled; `None` keeps them as defined.
    shuffle: Option<u64>,
    /// Staff enter someone else's answers: no autofill of their own details, and messages
    /// that speak to them.
    staff: bool,
    /// Why the survey logic does not ask this question given the other answers, in words
    /// (staff's form: said in place of "not asked").
    not_asked: Option<String>,
}

impl Scope {
    /// The one question of a respondent's page.
    fn page(shuffle_seed: u64) -> Scope {
        Scope {
            id: String::new(),
            name: String::new(),
            shuffle: Some(shuffle_seed),
            staff: false,
            not_asked: None,
        }
    }

    /// Question `index` (id `question_id`) of a form with every question.
    fn all(index: usize, question_id: &str) -> Scope {
        Scope {
            id: format!("q{index}-"),
            name: format!("{question_id}."),
            shuffle: None,
            staff: true,
            not_asked: None,
        }
    }

    fn id(&self, id: &str) -> String {
        format!("{}{id}", self.id)
    }

    fn name(&self, name: &str) -> String {
        format!("{}{name}", self.name)
    }

    /// The order in which to show `n` options of a question.
    fn order(&self, n: usize, randomize: bool, question_id: &str) -> Vec<usize> {
        match self.shuffle {
            Some(seed) => display_order(n, randomize, seed, question_id),
            None => (0..n).collect(),
        }
    }

    /// A field error in words, for whoever fills the form in.
    fn message(&self, ui: Lang, kind: &FieldErrorKind) -> String {
        match kind {
            FieldErrorKind::HiddenQuestion if self.staff => self
                .not_asked
                .clone()
                .unwrap_or_else(|| ui.t(Text::RecordHiddenQuestion).to_string()),
            kind => ui.field_error(kind),
        }
    }
}

/// The errors of one question, translated and sorted by the field they belong to.
struct Errors<'s> {
    by_key: BTreeMap<String, Vec<String>>,
    /// `(message, id of the input it links to)`, in page order.
    summary: Vec<(String, String)>,
    scope: &'s Scope,
}

/// One field's errors, as the template needs them.
#[derive(Debug, Serialize)]
struct FieldErrors {
    /// The id of the element with the messages, when there are any.
    #[serde(rename = "err")]
    id: Option<String>,
    #[serde(rename = "errs")]
    messages: Vec<String>,
    /// `aria-describedby` of the field's inputs: the question's and the field's messages.
    #[serde(rename = "inv")]
    described_by: Option<String>,
}

impl<'s> Errors<'s> {
    fn new(
        errors: &[FieldError],
        ui: Lang,
        kind: &QuestionKind,
        question_id: &str,
        scope: &'s Scope,
    ) -> Self {
        let keys = sub_keys(kind);
        let mut by_key: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for e in errors {
            let key = sub_key(&e.path, question_id);
            let key = if keys.contains(&key) { key } else { "" };
            by_key
                .entry(key.to_string())
                .or_default()
                .push(scope.message(ui, &e.kind));
        }
        Errors {
            by_key,
            summary: Vec::new(),
            scope,
        }
    }

    /// The errors of the whole question; `anchor` is its first input.
    fn question(&mut self, anchor: &str) -> FieldErrors {
        let messages = self.by_key.get("").cloned().unwrap_or_default();
        let id = (!messages.is_empty()).then(|| self.scope.id(QUESTION_ERROR_ID));
        self.summary
            .extend(messages.iter().map(|m| (m.clone(), anchor.to_string())));
        FieldErrors {
            described_by: id.clone(),
            id,
            messages,
        }
    }

    /// The errors of a sub-field (`email`, a matrix row...); `anchor` is its first input.
    fn field(&mut self, key: &str, anchor: &str) -> FieldErrors {
        let messages = self.by_key.get(key).cloned().unwrap_or_default();
        let id = (!messages.is_empty()).then(|| format!("e-{anchor}"));
        self.summary
            .extend(messages.iter().map(|m| (m.clone(), anchor.to_string())));
        let question = self
            .by_key
            .contains_key("")
            .then(|| self.scope.id(QUESTION_ERROR_ID));
        let described_by = match (question, &id) {
            (Some(q), Some(own)) => Some(format!("{q} {own}")),
            (Some(q), None) => Some(q),
            (None, own) => own.clone(),
        };
        FieldErrors {
            id,
            messages,
            described_by,
        }
    }
}

/// A radio button or checkbox.
fn choice(
    id: String,
    name: String,
    value: &str,
    label: &str,
    checked: bool,
    inv: &Option<String>,
) -> Input {
    Input {
        id,
        name,
        value: value.to_string(),
        label: label.to_string(),
        checked,
        inv: inv.clone(),
        sr: String::new(),
    }
}

/// The end labels of a score scale, for `points`.
struct Ends<'a> {
    lo: &'a str,
    hi: &'a str,
}

/// The radio buttons of a score scale (field `field`, ids from `id_prefix`); the end
/// labels are repeated, hidden, on the first and the last button so a screen reader says
/// what the numbers mean.
fn points(
    (min, max): (i64, i64),
    (field, id_prefix): (&str, &str),
    fields: &Fields,
    scope: &Scope,
    ends: &Ends,
    inv: &Option<String>,
) -> Vec<Input> {
    (min..=max)
        .enumerate()
        .map(|(i, v)| {
            let value = v.to_string();
            let sr = match v {
                _ if v == min => ends.lo,
                _ if v == max => ends.hi,
                _ => "",
            };
            Input {
                id: scope.id(&format!("{id_prefix}{i}")),
                name: scope.name(field),
                checked: fields.has(field, &value),
                label: value.clone(),
                value,
                inv: inv.clone(),
                sr: sr.to_string(),
            }
        })
        .collect()
}

/// Whether no question after `index` can still be shown: then the button says "Submit".
/// A later question counts when it is visible now or when its condition reads the current
/// question, whose answer is not known yet.
fn is_last(page: &QuestionPage) -> bool {
    let (survey, index) = (page.survey, page.question);
    let Some(current) = survey.questions.get(index).map(|q| &q.id) else {
        return true;
    };
    let visible = survey.visibility(page.answers).visible;
    !survey
        .questions
        .iter()
        .enumerate()
        .skip(index + 1)
        .any(|(i, q)| {
            visible.contains(&i)
                || q.show_if
                    .as_ref()
                    .is_some_and(|c| c.questions().contains(&current))
        })
}

/// Builds links back to the survey page, keeping the partial response.
struct Links<'a> {
    action: String,
    page: &'a QuestionPage<'a>,
}

impl Links<'_> {
    fn to(&self, question_id: &str, locale: &Locale) -> String {
        let mut url = format!("{}?q={}", self.action, encode(question_id));
        if let Some(rid) = self.page.response_id {
            let _ = write!(url, "&rid={}", encode(rid));
        }
        if let Some(rt) = self.page.resume_token {
            let _ = write!(url, "&rt={}", encode(rt));
        }
        let _ = write!(url, "&lang={}", encode(locale.as_str()));
        url
    }
}

/// One question to lay out: the survey it belongs to and the language to show it in.
struct Asked<'a> {
    survey: &'a Survey,
    question: &'a Question,
    locale: &'a Locale,
    ui: Lang,
}

/// A question's context (its text, hints, errors and inputs) and its errors as
/// `(message, id of the input)` for the page's summary. `fields` are the question's own
/// posted fields (names without the scope's prefix), `errors` its errors.
fn question_ctx(
    asked: &Asked,
    fields: &Fields,
    errors: &[FieldError],
    scope: &Scope,
) -> Option<(QuestionCtx, Vec<(String, String)>)> {
    let Asked {
        survey,
        question,
        locale,
        ui,
    } = *asked;
    let ui: Lang = ui;
    let fallback = &survey.default_locale;
    let text = |t: &puls_core::LocalizedText| t.get(locale, fallback).to_string();
    let qid = question.id.as_str();

    let mut errors = Errors::new(errors, ui, &question.kind, qid, scope);
    let mut hints: Vec<String> = question.help.iter().map(text).collect();

    let first_input = scope.id(&match &question.kind {
        QuestionKind::OpenText { .. } => "a".to_string(),
        QuestionKind::SingleChoice { .. } | QuestionKind::MultipleChoice { .. } => "o0".into(),
        QuestionKind::Matrix { .. } => "m0-0".into(),
        QuestionKind::Ranking { .. } => "r0".into(),
        QuestionKind::Kano { .. } => "f0".into(),
        QuestionKind::Contact { fields, .. } => {
            fields.first().map_or("consent", |f| f.as_str()).to_string()
        }
        _ => "a0".into(),
    });
    let q_errors = errors.question(&first_input);
    let q_inv = &q_errors.described_by;

    let kind_ctx = match &question.kind {
        QuestionKind::Nps | QuestionKind::Csat | QuestionKind::Ces | QuestionKind::Rating(_) => {
            let range = question.kind.score_range()?;
            let (lo, hi) = match &question.kind {
                QuestionKind::Rating(scale) => (
                    scale.min_label.as_ref().map(text).unwrap_or_default(),
                    scale.max_label.as_ref().map(text).unwrap_or_default(),
                ),
                kind => ui
                    .scale_labels(kind)
                    .map(|(lo, hi)| (lo.to_string(), hi.to_string()))
                    .unwrap_or_default(),
            };
            let ends = Ends { lo: &lo, hi: &hi };
            KindView::Scale {
                wide: range.1 - range.0 >= 7,
                points: points(range, ("a", "a"), fields, scope, &ends, q_inv),
                lo,
                hi,
            }
        }
        QuestionKind::SingleChoice { options, randomize } => {
            let items = choices(options, *randomize, scope, qid, fields, q_inv, &text);
            KindView::Choice {
                input: "radio",
                options: items,
                other: None,
            }
        }
        QuestionKind::MultipleChoice {
            options,
            randomize,
            other,
            min_choices,
            max_choices,
        } => {
            let items = choices(options, *randomize, scope, qid, fields, q_inv, &text);
            let most = options.len() + usize::from(other.is_some());
            let max = max_choices.unwrap_or(most);
            let min = (*min_choices).max(1);
            hints.push(if min > 1 || max < most {
                ui.choice_count(min, max)
            } else {
                ui.t(Text::SelectAll).to_string()
            });
            let other = other.as_ref().map(|label| {
                let id = scope.id("other");
                let e = errors.field("other", &id);
                Other {
                    id,
                    name: scope.name("other"),
                    label: text(label),
                    value: fields.first("other").unwrap_or("").to_string(),
                    max: MAX_OTHER_TEXT,
                    errors: e,
                }
            });
            KindView::Choice {
                input: "checkbox",
                options: items,
                other,
            }
        }
        QuestionKind::OpenText {
            max_length,
            multiline,
        } => KindView::Text {
            id: scope.id("a"),
            name: scope.name("a"),
            label: ui.t(if scope.staff {
                Text::RecordAnswerLabel
            } else {
                Text::YourAnswer
            }),
            multiline: *multiline,
            max: *max_length,
            value: fields.first("a").unwrap_or("").to_string(),
        },
        QuestionKind::Matrix { rows, scale } => {
            let lo = scale.min_label.as_ref().map(text).unwrap_or_default();
            let hi = scale.max_label.as_ref().map(text).unwrap_or_default();
            let ends = Ends { lo: &lo, hi: &hi };
            let rows: Vec<MatrixRow> = rows
                .iter()
                .enumerate()
                .map(|(i, row)| {
                    let prefix = format!("m{i}-");
                    let e = errors.field(row.id.as_str(), &scope.id(&format!("{prefix}0")));
                    let name = format!("a.{}", row.id);
                    MatrixRow {
                        label: text(&row.text),
                        points: points(
                            (scale.min, scale.max),
                            (&name, &prefix),
                            fields,
                            scope,
                            &ends,
                            &e.described_by,
                        ),
                        errors: e,
                    }
                })
                .collect();
            KindView::Matrix {
                wide: scale.max - scale.min >= 7,
                rows,
                lo,
                hi,
            }
        }
        QuestionKind::Ranking { options, randomize } => {
            hints.push(ui.t(Text::RankHint).to_string());
            let order = scope.order(options.len(), *randomize, qid);
            let items: Vec<RankItem> = order
                .iter()
                .enumerate()
                .map(|(i, &o)| {
                    let option = &options[o];
                    let name = format!("a.{}", option.id);
                    RankItem {
                        id: scope.id(&format!("r{i}")),
                        rank: fields.first(&name).map(str::trim).unwrap_or("").to_string(),
                        name: scope.name(&name),
                        label: text(&option.text),
                        inv: q_inv.clone(),
                    }
                })
                .collect();
            let ranks: Vec<String> = (1..=options.len()).map(|r| r.to_string()).collect();
            KindView::Ranking { items, ranks }
        }
        QuestionKind::Kano {
            functional,
            dysfunctional,
        } => {
            let sides: Vec<KanoSide> = [
                ("functional", "f", functional),
                ("dysfunctional", "d", dysfunctional),
            ]
            .into_iter()
            .map(|(name, prefix, label)| {
                let e = errors.field(name, &scope.id(&format!("{prefix}0")));
                let options: Vec<Input> = KanoAnswer::ALL
                    .iter()
                    .enumerate()
                    .map(|(i, a)| {
                        choice(
                            scope.id(&format!("{prefix}{i}")),
                            scope.name(name),
                            a.as_str(),
                            ui.kano(*a),
                            fields.has(name, a.as_str()),
                            &e.described_by,
                        )
                    })
                    .collect();
                KanoSide {
                    label: text(label),
                    options,
                    errors: e,
                }
            })
            .collect();
            KindView::Kano { sides }
        }
        QuestionKind::Contact {
            fields: wanted,
            consent,
        } => {
            let inputs: Vec<ContactInput> = wanted
                .iter()
                .map(|f| {
                    let name = f.as_str();
                    let id = scope.id(name);
                    let e = errors.field(name, &id);
                    let (kind, label) = match f {
                        ContactField::Email => ("email", ui.t(Text::EmailAddress)),
                        ContactField::Phone => ("tel", ui.t(Text::PhoneNumber)),
                    };
                    ContactInput {
                        id,
                        name: scope.name(name),
                        kind,
                        autocomplete: if scope.staff { "off" } else { kind },
                        label,
                        value: fields.first(name).unwrap_or("").to_string(),
                        errors: e,
                    }
                })
                .collect();
            let id = scope.id("consent");
            let e = errors.field("consent", &id);
            let consent = Consent {
                id,
                name: scope.name("consent"),
                label: text(consent),
                checked: ["1", "on", "true"].iter().any(|v| fields.has("consent", v)),
                errors: e,
            };
            KindView::Contact { inputs, consent }
        }
    };

    let hints: Vec<Hint> = hints
        .into_iter()
        .enumerate()
        .map(|(i, text)| Hint {
            id: scope.id(&format!("h{i}")),
            text,
        })
        .collect();
    let described_by = hints
        .iter()
        .map(|h| h.id.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let q = QuestionCtx {
        text: text(&question.text),
        required: question.required,
        hints,
        described_by,
        errors: q_errors,
        kind: kind_ctx,
    };
    Some((q, errors.summary))
}

/// The template context of a question page, or `None` when the index is out of range.
pub(crate) fn question(page: &QuestionPage, ui: Lang) -> Option<QuestionView> {
    let survey = page.survey;
    let question = survey.questions.get(page.question)?;
    let (locale, fallback) = (page.locale, &survey.default_locale);
    let text = |t: &puls_core::LocalizedText| t.get(locale, fallback).to_string();
    let qid = question.id.as_str();

    // The posted form when re-showing an error, else the answer given earlier, if any.
    let prefill;
    let fields = match page.form {
        Some(form) => Fields(form),
        None => {
            prefill = page
                .answers
                .get(&question.id)
                .map(answer_fields)
                .unwrap_or_default();
            Fields(&prefill)
        }
    };
    let asked = Asked {
        survey,
        question,
        locale,
        ui,
    };
    let (q, summary) = question_ctx(
        &asked,
        &fields,
        page.errors,
        &Scope::page(page.shuffle_seed),
    )?;

    let links = Links {
        action: page
            .action
            .map_or_else(|| format!("/s/{}", encode(page.survey_id)), str::to_string),
        page,
    };
    let langs: Vec<LocaleLink> = if survey.locales.len() > 1 {
        survey
            .locales
            .iter()
            .map(|l| LocaleLink {
                href: links.to(qid, l),
                code: l.as_str().to_string(),
                name: native_name(l).into_owned(),
                current: l == locale,
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut hidden = vec![("q", qid)];
    hidden.extend(page.response_id.map(|v| ("rid", v)));
    hidden.extend(page.resume_token.map(|v| ("rt", v)));
    hidden.push(("lang", locale.as_str()));
    hidden.extend(
        page.extra_hidden
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str())),
    );
    let hidden: Vec<Hidden> = hidden
        .into_iter()
        .map(|(name, value)| Hidden {
            name: name.to_string(),
            value: value.to_string(),
        })
        .collect();

    let summary: Vec<SummaryLine> = summary
        .into_iter()
        .map(|(message, anchor)| SummaryLine { message, anchor })
        .collect();
    let survey_title = text(&survey.title);
    let title = if summary.is_empty() {
        survey_title.clone()
    } else {
        format!("{}: {}", ui.t(Text::Error), survey_title)
    };
    let total = page.total.max(page.step);
    let next = if is_last(page) {
        Text::Submit
    } else {
        Text::Next
    };

    Some(QuestionView {
        lang: locale.as_str().to_string(),
        rtl: is_rtl(locale),
        title,
        preview: page.preview,
        show_intro: page.show_intro,
        survey_title,
        intro: if page.show_intro {
            survey.intro.as_ref().map(text)
        } else {
            None
        },
        langs,
        progress: (page.step > 0).then(|| ui.progress(page.step, total)),
        step: page.step,
        total,
        summary,
        action: links.action.clone(),
        hidden,
        q,
        next: ui.t(next),
        skip: !question.required,
        back: page.back.map(|b| links.to(b, locale)),
    })
}

/// One question of a form that asks every question of a survey at once (the web app's
/// manual entry), laid out like the respondent's page.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct QuestionFields(QuestionCtx);

/// A problem of such a form, with the id of the input it is about.
#[derive(Debug, Clone, Serialize)]
pub struct FieldProblem {
    pub message: String,
    pub anchor: String,
}

/// Every question of `survey` in `locale` as the inputs of one form, in order, with every
/// problem of the answers (`errors`, paths `answers.{id}...`) at its question in `ui`'s
/// words (an answer the logic does not ask, with the answers that make it so), and the
/// problems again in page order, each after its question's text, for a summary. Question
/// `i`'s inputs are
/// the form contract's fields (see `form.rs`) named `{id}.{field}` with ids that start
/// `q{i}-`; `form` (what was posted) fills them in again. Options keep their defined
/// order and inputs do not offer the browser's autofill: staff type a customer's answers.
pub fn all_questions(
    survey: &Survey,
    locale: &Locale,
    ui: Lang,
    form: &[(String, String)],
    errors: &[FieldError],
) -> (Vec<QuestionFields>, Vec<FieldProblem>) {
    let mut questions = Vec::new();
    let mut summary = Vec::new();
    let not_asked = survey.not_asked(&super::form::form_answers(survey, &form.to_vec()));
    for (i, question) in survey.questions.iter().enumerate() {
        let qid = question.id.as_str();
        let own = super::form::scoped(form, qid);
        let mine: Vec<FieldError> = errors
            .iter()
            .filter(|e| {
                let path = e.path.strip_prefix("answers.").unwrap_or(&e.path);
                path == qid || path.starts_with(&format!("{qid}."))
            })
            .cloned()
            .collect();
        let asked = Asked {
            survey,
            question,
            locale,
            ui,
        };
        let scope = Scope {
            not_asked: not_asked
                .get(&question.id)
                .map(|why| not_asked_words(survey, locale, ui, why)),
            ..Scope::all(i, qid)
        };
        if let Some((q, problems)) = question_ctx(&asked, &Fields(&own), &mine, &scope) {
            // The summary names the question each problem is about.
            summary.extend(problems.into_iter().map(|(message, anchor)| FieldProblem {
                message: format!("{} – {message}", q.text),
                anchor,
            }));
            questions.push(QuestionFields(q));
        }
    }
    (questions, summary)
}

/// Why the logic does not ask a question, in `ui`'s words with the survey's texts in
/// `locale`: "With the answer 9 to “How likely…”, the survey does not ask this question:
/// change that answer, or leave this one empty."
fn not_asked_words(survey: &Survey, locale: &Locale, ui: Lang, why: &NotAsked) -> String {
    let fallback = &survey.default_locale;
    let quoted = |s: &str| ui.fill(Text::RecordQuoted, &[&s]);
    let answers: Vec<String> = why
        .because
        .iter()
        .filter_map(|(i, answer)| {
            let q = survey.questions.get(*i)?;
            let text = q.text.get(locale, fallback);
            let option = |id: &puls_core::OptionId| match &q.kind {
                QuestionKind::SingleChoice { options, .. }
                | QuestionKind::MultipleChoice { options, .. } => {
                    options.iter().find(|o| o.id == *id).map_or_else(
                        || id.to_string(),
                        |o| o.text.get(locale, fallback).to_string(),
                    )
                }
                _ => id.to_string(),
            };
            let value = match answer {
                None => return Some(ui.fill(Text::RecordNoAnswerTo, &[&text])),
                Some(Answer::Score(n)) => Some(n.to_string()),
                Some(Answer::Choice(id)) => Some(quoted(&option(id))),
                Some(Answer::Choices { selected, other }) => Some(
                    selected
                        .iter()
                        .map(|id| quoted(&option(id)))
                        .chain(other.iter().map(|o| quoted(o)))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                Some(Answer::Text(t)) => Some(quoted(&clip(t, 60))),
                Some(_) => None,
            };
            Some(match value {
                Some(v) => ui.fill(Text::RecordAnswerTo, &[&v, &text]),
                None => ui.fill(Text::RecordAnyAnswerTo, &[&text]),
            })
        })
        .collect();
    if answers.is_empty() {
        return ui.t(Text::RecordHiddenQuestion).to_string();
    }
    let text = if why.ended {
        Text::RecordNotAskedEnded
    } else if why.because.iter().any(|(_, a)| a.is_none()) {
        Text::RecordNotAskedUnanswered
    } else {
        Text::RecordNotAskedAnswered
    };
    let and = format!(" {} ", ui.t(Text::TrigAnd));
    ui.fill(text, &[&answers.join(&and)])
}

/// `s` trimmed and cut to `max` characters, with an ellipsis when cut.
fn clip(s: &str, max: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max).collect();
    out.push('…');
    out
}

/// The radio buttons or checkboxes of a choice question, in display order.
fn choices(
    options: &[Choice],
    randomize: bool,
    scope: &Scope,
    question_id: &str,
    fields: &Fields,
    inv: &Option<String>,
    text: &dyn Fn(&puls_core::LocalizedText) -> String,
) -> Vec<Input> {
    scope
        .order(options.len(), randomize, question_id)
        .into_iter()
        .enumerate()
        .map(|(i, o)| {
            let option = &options[o];
            let id = option.id.as_str();
            choice(
                scope.id(&format!("o{i}")),
                scope.name("a"),
                id,
                &text(&option.text),
                fields.has("a", id),
                inv,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_components_are_percent_encoded() {
        assert_eq!(encode("abc-_.~09"), "abc-_.~09");
        assert_eq!(encode("a b&c=\"ż"), "a%20b%26c%3D%22%C5%BC");
    }

    #[test]
    fn error_paths_point_at_sub_fields() {
        assert_eq!(sub_key("answers.c.email", "c"), "email");
        assert_eq!(sub_key("answers.c", "c"), "");
        assert_eq!(sub_key("answers.c2", "c"), "");
        assert_eq!(sub_key("c.consent", "c"), "consent");
        assert_eq!(sub_key("answers.other.x", "c"), "");
    }

    #[test]
    fn randomised_order_is_a_deterministic_permutation() {
        let a = display_order(10, true, 42, "q1");
        let mut sorted = a.clone();
        sorted.sort();
        assert_eq!(sorted, (0..10).collect::<Vec<_>>());
        assert_eq!(a, display_order(10, true, 42, "q1"));
        assert_ne!(a, display_order(10, true, 43, "q1"));
        assert_eq!(display_order(4, false, 42, "q1"), vec![0, 1, 2, 3]);
    }
}
