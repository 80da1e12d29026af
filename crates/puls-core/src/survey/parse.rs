//! Parsing a definition from a [`Value`] tree, collecting every problem with its path.

use std::collections::{BTreeMap, BTreeSet};

use super::limits::*;
use super::{Choice, CmpOp, Condition, ContactField, Question, QuestionKind, Scale, Survey};
use crate::error::{Errors, Expected, FieldErrorKind as K, FieldErrors, index, join};
use crate::ids::{Channel, Locale, OptionId, QuestionId, Touchpoint};
use crate::obj::Obj;
use crate::text::LocalizedText;
use crate::value::Value;

/// The parsing context: the declared locales, for checking translations.
struct Ctx {
    locales: Vec<Locale>,
    errs: Errors,
}

impl Ctx {
    fn text(&mut self, v: &Value, path: &str) -> LocalizedText {
        let mut out = BTreeMap::new();
        match v {
            Value::Str(s) if self.locales.len() == 1 => {
                self.check_text(s, path);
                out.insert(self.locales[0].clone(), s.clone());
            }
            Value::Map(map) => {
                for (k, v) in map {
                    let p = join(path, k);
                    let locale = match Locale::parse(k) {
                        Ok(l) if self.locales.contains(&l) => l,
                        _ => {
                            self.errs.push(p, K::UnknownLocale { locale: k.clone() });
                            continue;
                        }
                    };
                    match v.as_str() {
                        Some(s) => {
                            self.check_text(s, &p);
                            out.insert(locale, s.to_string());
                        }
                        None => self.errs.push(
                            p,
                            K::WrongType {
                                expected: Expected::String,
                            },
                        ),
                    }
                }
                for l in &self.locales {
                    if !out.contains_key(l)
                        && !map
                            .keys()
                            .any(|k| Locale::parse(k).ok().as_ref() == Some(l))
                    {
                        self.errs.push(
                            path,
                            K::MissingTranslation {
                                locale: l.to_string(),
                            },
                        );
                    }
                }
            }
            _ => self.errs.push(
                path,
                K::WrongType {
                    expected: Expected::Texts,
                },
            ),
        }
        LocalizedText(out)
    }

    fn check_text(&mut self, s: &str, path: &str) {
        if s.trim().is_empty() {
            self.errs.push(path, K::Empty);
        } else if s.contains('\0') {
            self.errs.push(path, K::NulCharacter);
        } else if s.chars().count() > MAX_TEXT_CHARS {
            self.errs.push(
                path,
                K::TooLong {
                    max: MAX_TEXT_CHARS,
                },
            );
        }
    }

    fn req_text(&mut self, o: &mut Obj<'_>, key: &'static str) -> LocalizedText {
        match o.req(key, &mut self.errs) {
            Some(v) => self.text(v, &o.path(key)),
            None => LocalizedText::default(),
        }
    }

    fn opt_text(&mut self, o: &mut Obj<'_>, key: &'static str) -> Option<LocalizedText> {
        o.get(key).map(|v| self.text(v, &o.path(key)))
    }

    fn choices(&mut self, o: &mut Obj<'_>, key: &'static str, min: usize) -> Vec<Choice> {
        let path = o.path(key);
        let Some(v) = o.req(key, &mut self.errs) else {
            return Vec::new();
        };
        let Value::List(items) = v else {
            self.errs.push(
                path,
                K::WrongType {
                    expected: Expected::Array,
                },
            );
            return Vec::new();
        };
        if items.len() < min {
            self.errs.push(&path, K::Empty);
        }
        if items.len() > MAX_OPTIONS {
            self.errs.push(&path, K::TooMany { max: MAX_OPTIONS });
        }
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let p = index(&path, i);
            let Some(mut c) = Obj::new(item, &p, &mut self.errs) else {
                continue;
            };
            let id = c.req_str("id", &mut self.errs).and_then(|s| {
                OptionId::parse(s)
                    .map_err(|e| self.errs.push(join(&p, "id"), e))
                    .ok()
            });
            let text = self.req_text(&mut c, "text");
            c.finish(&mut self.errs);
            if let Some(id) = id {
                if !seen.insert(id.clone()) {
                    self.errs
                        .push(join(&p, "id"), K::Duplicate { id: id.to_string() });
                }
                out.push(Choice { id, text });
            }
        }
        out
    }

    fn scale(&mut self, o: &mut Obj<'_>) -> Scale {
        let min = o
            .req("min", &mut self.errs)
            .and(o.int("min", &mut self.errs));
        let max = o
            .req("max", &mut self.errs)
            .and(o.int("max", &mut self.errs));
        for (key, v) in [("min", min), ("max", max)] {
            if let Some(v) = v
                && !(-SCALE_BOUND..=SCALE_BOUND).contains(&v)
            {
                self.errs.push(
                    o.path(key),
                    K::OutOfRange {
                        min: -SCALE_BOUND,
                        max: SCALE_BOUND,
                    },
                );
            }
        }
        // Relations are only checked between in-bounds values: `hi - lo` cannot overflow then,
        // and a bound already reported as out of range does not cause a second error.
        let in_bounds = |v: Option<i64>| v.filter(|v| (-SCALE_BOUND..=SCALE_BOUND).contains(v));
        if let (Some(lo), Some(hi)) = (in_bounds(min), in_bounds(max)) {
            if lo >= hi {
                self.errs.push(o.path("max"), K::MinNotBelowMax);
            } else if hi - lo > MAX_SCALE_SPAN {
                self.errs.push(
                    o.path("max"),
                    K::OutOfRange {
                        min: lo + 1,
                        max: lo + MAX_SCALE_SPAN,
                    },
                );
            }
        }
        Scale {
            min: min.unwrap_or(0),
            max: max.unwrap_or(1),
            min_label: self.opt_text(o, "min_label"),
            max_label: self.opt_text(o, "max_label"),
        }
    }

    fn count(&mut self, o: &mut Obj<'_>, key: &'static str, max: usize) -> Option<usize> {
        let v = o.int(key, &mut self.errs)?;
        if v < 0 || v as usize > max {
            self.errs.push(
                o.path(key),
                K::OutOfRange {
                    min: 0,
                    max: max as i64,
                },
            );
            return None;
        }
        Some(v as usize)
    }

    fn kind(&mut self, ty: &str, o: &mut Obj<'_>) -> Option<QuestionKind> {
        Some(match ty {
            "nps" => QuestionKind::Nps,
            "csat" => QuestionKind::Csat,
            "ces" => QuestionKind::Ces,
            "rating" => QuestionKind::Rating(self.scale(o)),
            "single_choice" => QuestionKind::SingleChoice {
                options: self.choices(o, "options", 1),
                randomize: o.bool("randomize", false, &mut self.errs),
            },
            "multiple_choice" => {
                let options = self.choices(o, "options", 1);
                let n = options.len();
                let min_choices = self.count(o, "min_choices", n).unwrap_or(0);
                let max_choices = self.count(o, "max_choices", n + 1);
                if let Some(max) = max_choices
                    && (max < min_choices || max == 0)
                {
                    self.errs.push(o.path("max_choices"), K::MinNotBelowMax);
                }
                QuestionKind::MultipleChoice {
                    options,
                    randomize: o.bool("randomize", false, &mut self.errs),
                    other: self.opt_text(o, "other"),
                    min_choices,
                    max_choices,
                }
            }
            "open_text" => {
                let max_length = match o.int("max_length", &mut self.errs) {
                    None => DEFAULT_OPEN_TEXT_LENGTH,
                    Some(n) if (1..=MAX_OPEN_TEXT_LENGTH as i64).contains(&n) => n as usize,
                    Some(_) => {
                        self.errs.push(
                            o.path("max_length"),
                            K::OutOfRange {
                                min: 1,
                                max: MAX_OPEN_TEXT_LENGTH as i64,
                            },
                        );
                        DEFAULT_OPEN_TEXT_LENGTH
                    }
                };
                QuestionKind::OpenText {
                    max_length,
                    multiline: o.bool("multiline", true, &mut self.errs),
                }
            }
            "matrix" => QuestionKind::Matrix {
                rows: self.choices(o, "rows", 1),
                scale: self.scale(o),
            },
            "ranking" => QuestionKind::Ranking {
                options: self.choices(o, "options", 2),
                randomize: o.bool("randomize", false, &mut self.errs),
            },
            "kano" => QuestionKind::Kano {
                functional: self.req_text(o, "functional"),
                dysfunctional: self.req_text(o, "dysfunctional"),
            },
            "contact" => {
                let path = o.path("fields");
                let mut fields = Vec::new();
                match o.req("fields", &mut self.errs) {
                    Some(Value::List(items)) => {
                        for (i, item) in items.iter().enumerate() {
                            match item.as_str() {
                                Some("email") if !fields.contains(&ContactField::Email) => {
                                    fields.push(ContactField::Email)
                                }
                                Some("phone") if !fields.contains(&ContactField::Phone) => {
                                    fields.push(ContactField::Phone)
                                }
                                _ => self.errs.push(
                                    index(&path, i),
                                    K::NotOneOf {
                                        allowed: "email, phone (each once)".into(),
                                    },
                                ),
                            }
                        }
                        if items.is_empty() {
                            self.errs.push(&path, K::Empty);
                        }
                    }
                    Some(_) => self.errs.push(
                        &path,
                        K::WrongType {
                            expected: Expected::Array,
                        },
                    ),
                    None => {}
                }
                QuestionKind::Contact {
                    fields,
                    consent: self.req_text(o, "consent"),
                }
            }
            _ => {
                self.errs.push(
                    o.path("type"),
                    K::NotOneOf {
                        allowed: "nps, csat, ces, rating, single_choice, multiple_choice, \
                                  open_text, matrix, ranking, kano, contact"
                            .into(),
                    },
                );
                return None;
            }
        })
    }

    /// Parses a condition; `earlier` are the questions it may refer to, by id.
    fn condition(
        &mut self,
        v: &Value,
        path: &str,
        earlier: &BTreeMap<QuestionId, QuestionKind>,
        depth: usize,
    ) -> Option<Condition> {
        if depth > MAX_CONDITION_DEPTH {
            self.errs.push(
                path,
                K::BadCondition {
                    reason: format!("nested deeper than {MAX_CONDITION_DEPTH} levels"),
                },
            );
            return None;
        }
        let mut o = Obj::new(v, path, &mut self.errs)?;
        for (key, all) in [("all", true), ("any", false)] {
            if o.map.contains_key(key) {
                let p = o.path(key);
                let list = match o.get(key) {
                    Some(Value::List(items)) if !items.is_empty() => items
                        .iter()
                        .enumerate()
                        .filter_map(|(i, c)| self.condition(c, &index(&p, i), earlier, depth + 1))
                        .collect(),
                    _ => {
                        self.errs.push(
                            &p,
                            K::WrongType {
                                expected: Expected::Conditions,
                            },
                        );
                        Vec::new()
                    }
                };
                o.finish(&mut self.errs);
                return Some(if all {
                    Condition::All(list)
                } else {
                    Condition::Any(list)
                });
            }
        }
        if o.map.contains_key("not") {
            let p = o.path("not");
            let inner = o
                .req("not", &mut self.errs)
                .and_then(|c| self.condition(c, &p, earlier, depth + 1));
            o.finish(&mut self.errs);
            return inner.map(|c| Condition::Not(Box::new(c)));
        }
        let qid = o.req_str("question", &mut self.errs);
        let op = o.req_str("op", &mut self.errs);
        let (Some(qid), Some(op)) = (qid, op) else {
            o.get("value");
            o.get("values");
            o.finish(&mut self.errs);
            return None;
        };
        let qpath = o.path("question");
        let Some((qid, kind)) = QuestionId::parse(qid)
            .ok()
            .and_then(|id| earlier.get_key_value(&id))
        else {
            self.errs.push(
                qpath,
                K::UnknownQuestion {
                    id: qid.to_string(),
                },
            );
            o.get("value");
            o.get("values");
            o.finish(&mut self.errs);
            return None;
        };
        let bad = |reason: &str| K::BadCondition {
            reason: reason.to_string(),
        };
        let cond = match op {
            "answered" => Some(Condition::Answered(qid.clone())),
            "not_answered" => Some(Condition::NotAnswered(qid.clone())),
            Condition::IN_OP => match kind.options() {
                Some(opts) if !matches!(kind, QuestionKind::Ranking { .. }) => {
                    let p = o.path("values");
                    match o.req("values", &mut self.errs) {
                        Some(Value::List(items)) if !items.is_empty() => {
                            let mut ids = Vec::new();
                            for (i, item) in items.iter().enumerate() {
                                match item.as_str().and_then(|s| OptionId::parse(s).ok()) {
                                    Some(id) if opts.iter().any(|c| c.id == id) => ids.push(id),
                                    _ => self.errs.push(
                                        index(&p, i),
                                        K::UnknownOption {
                                            id: item.as_str().unwrap_or("?").to_string(),
                                        },
                                    ),
                                }
                            }
                            Some(Condition::In {
                                question: qid.clone(),
                                options: ids,
                            })
                        }
                        Some(_) => {
                            self.errs.push(
                                p,
                                K::WrongType {
                                    expected: Expected::NonEmptyOptionIds,
                                },
                            );
                            None
                        }
                        None => None,
                    }
                }
                _ => {
                    o.get("values");
                    self.errs.push(
                        o.path("op"),
                        bad("'in' needs a single_choice or multiple_choice question"),
                    );
                    None
                }
            },
            _ => match CmpOp::ALL.into_iter().find(|c| c.as_str() == op) {
                Some(cmp) => match kind.score_range() {
                    Some(_) => {
                        let value = o
                            .req("value", &mut self.errs)
                            .and(o.int("value", &mut self.errs));
                        value.map(|value| Condition::Compare {
                            question: qid.clone(),
                            op: cmp,
                            value,
                        })
                    }
                    None => {
                        o.get("value");
                        self.errs.push(
                            o.path("op"),
                            bad("comparisons need an nps, csat, ces or rating question"),
                        );
                        None
                    }
                },
                None => {
                    o.get("value");
                    o.get("values");
                    self.errs.push(
                        o.path("op"),
                        K::NotOneOf {
                            allowed: "eq, ne, lt, lte, gt, gte, in, answered, not_answered".into(),
                        },
                    );
                    None
                }
            },
        };
        o.finish(&mut self.errs);
        cond
    }
}

impl Survey {
    /// Parses and checks a definition. On failure, every problem found is listed.
    pub fn parse(v: &Value) -> Result<Survey, FieldErrors> {
        let mut errs = Errors::default();
        let Some(mut o) = Obj::new(v, "", &mut errs) else {
            return Err(FieldErrors(errs.list));
        };

        // Locales first: every text is checked against them.
        let mut locales = Vec::new();
        match o.req("locales", &mut errs) {
            Some(Value::List(items)) => {
                if items.is_empty() {
                    errs.push("locales", K::Empty);
                }
                for (i, item) in items.iter().enumerate() {
                    match item.as_str().map(Locale::parse) {
                        Some(Ok(l)) if !locales.contains(&l) => locales.push(l),
                        Some(Ok(l)) => {
                            errs.push(index("locales", i), K::Duplicate { id: l.to_string() })
                        }
                        Some(Err(e)) => errs.push(index("locales", i), e),
                        None => errs.push(
                            index("locales", i),
                            K::WrongType {
                                expected: Expected::String,
                            },
                        ),
                    }
                }
            }
            Some(_) => errs.push(
                "locales",
                K::WrongType {
                    expected: Expected::Array,
                },
            ),
            None => {}
        }
        let default_locale = match o.str("default_locale", &mut errs) {
            Some(s) => match Locale::parse(s) {
                Ok(l) if locales.contains(&l) => Some(l),
                _ => {
                    errs.push("default_locale", K::UnknownLocale { locale: s.into() });
                    None
                }
            },
            None => locales.first().cloned(),
        };
        let mut cx = Ctx { locales, errs };

        let title = cx.req_text(&mut o, "title");
        let intro = cx.opt_text(&mut o, "intro");
        let thank_you = cx.opt_text(&mut o, "thank_you");
        let touchpoint = o.req_str("touchpoint", &mut cx.errs).and_then(|s| {
            Touchpoint::parse(s)
                .map_err(|e| cx.errs.push("touchpoint", e))
                .ok()
        });
        let channel = match o.str("channel", &mut cx.errs) {
            Some(s) => Channel::parse(s)
                .map_err(|e| cx.errs.push("channel", e))
                .unwrap_or(Channel::Web),
            None => Channel::Web,
        };

        let mut questions = Vec::new();
        match o.req("questions", &mut cx.errs) {
            Some(Value::List(items)) => {
                if items.is_empty() {
                    cx.errs.push("questions", K::Empty);
                }
                if items.len() > MAX_QUESTIONS {
                    cx.errs.push("questions", K::TooMany { max: MAX_QUESTIONS });
                }
                let mut earlier: BTreeMap<QuestionId, QuestionKind> = BTreeMap::new();
                for (i, item) in items.iter().enumerate() {
                    if let Some(q) = cx.question(item, &index("questions", i), &mut earlier) {
                        questions.push(q);
                    }
                }
            }
            Some(_) => cx.errs.push(
                "questions",
                K::WrongType {
                    expected: Expected::Array,
                },
            ),
            None => {}
        }
        o.finish(&mut cx.errs);

        let Ctx { locales, errs } = cx;
        match (errs.list.is_empty(), default_locale, touchpoint) {
            (true, Some(default_locale), Some(touchpoint)) => Ok(Survey {
                title,
                intro,
                thank_you,
                locales,
                default_locale,
                touchpoint,
                channel,
                questions,
            }),
            _ => Err(FieldErrors(errs.list)),
        }
    }
}

impl Ctx {
    fn question(
        &mut self,
        v: &Value,
        path: &str,
        earlier: &mut BTreeMap<QuestionId, QuestionKind>,
    ) -> Option<Question> {
        let mut o = Obj::new(v, path, &mut self.errs)?;
        let id = o.req_str("id", &mut self.errs).and_then(|s| {
            QuestionId::parse(s)
                .map_err(|e| self.errs.push(join(path, "id"), e))
                .ok()
        });
        let ty = o.req_str("type", &mut self.errs);
        let text = self.req_text(&mut o, "text");
        let help = self.opt_text(&mut o, "help");
        let required = o.bool("required", false, &mut self.errs);
        let kind = ty.and_then(|t| self.kind(t, &mut o));
        let show_if = o
            .get("show_if")
            .and_then(|c| self.condition(c, &join(path, "show_if"), earlier, 0));
        if let Some(id) = &id
            && earlier.contains_key(id)
        {
            self.errs
                .push(join(path, "id"), K::Duplicate { id: id.to_string() });
        }
        // Which fields are allowed depends on the type, so without one they cannot be checked.
        let kind = kind?;
        let Some(id) = id else {
            // An end_if may test the question itself, so it cannot be checked without an id.
            o.get("end_if");
            o.finish(&mut self.errs);
            return None;
        };
        // An early end may test the question itself, so it sees one more question.
        earlier.insert(id.clone(), kind.clone());
        let end_if = o
            .get("end_if")
            .and_then(|c| self.condition(c, &join(path, "end_if"), earlier, 0));
        o.finish(&mut self.errs);
        Some(Question {
            id,
            text,
            help,
            required,
            kind,
            show_if,
            end_if,
        })
    }
}
