//! Printing a survey back into its definition format, canonically (every field explicit).

use super::{Choice, Condition, QuestionKind, Scale, Survey};
use crate::text::LocalizedText;
use crate::value::Value;

fn text(t: &LocalizedText) -> Value {
    Value::map(t.iter().map(|(l, s)| (l.to_string(), Value::str(s))))
}

fn choices(cs: &[Choice]) -> Value {
    Value::List(
        cs.iter()
            .map(|c| Value::map([("id", Value::str(c.id.as_str())), ("text", text(&c.text))]))
            .collect(),
    )
}

fn scale(s: &Scale, out: &mut Vec<(&'static str, Value)>) {
    out.push(("min", Value::Int(s.min)));
    out.push(("max", Value::Int(s.max)));
    if let Some(l) = &s.min_label {
        out.push(("min_label", text(l)));
    }
    if let Some(l) = &s.max_label {
        out.push(("max_label", text(l)));
    }
}

impl Condition {
    pub fn to_value(&self) -> Value {
        let q = |id: &crate::QuestionId, op: &str| {
            vec![
                ("question", Value::str(id.as_str())),
                ("op", Value::str(op)),
            ]
        };
        match self {
            Condition::All(cs) => {
                Value::map([("all", Value::List(cs.iter().map(Self::to_value).collect()))])
            }
            Condition::Any(cs) => {
                Value::map([("any", Value::List(cs.iter().map(Self::to_value).collect()))])
            }
            Condition::Not(c) => Value::map([("not", c.to_value())]),
            Condition::Answered(id) => Value::map(q(id, "answered")),
            Condition::NotAnswered(id) => Value::map(q(id, "not_answered")),
            Condition::Compare {
                question,
                op,
                value,
            } => {
                let mut m = q(question, op.as_str());
                m.push(("value", Value::Int(*value)));
                Value::map(m)
            }
            Condition::In { question, options } => {
                let mut m = q(question, Condition::IN_OP);
                m.push((
                    "values",
                    Value::List(options.iter().map(|o| Value::str(o.as_str())).collect()),
                ));
                Value::map(m)
            }
        }
    }
}

impl Survey {
    /// The canonical definition of this survey; [`Survey::parse`] reads it back unchanged.
    pub fn to_value(&self) -> Value {
        let mut top: Vec<(&str, Value)> = vec![
            ("title", text(&self.title)),
            (
                "locales",
                Value::List(
                    self.locales
                        .iter()
                        .map(|l| Value::str(l.as_str()))
                        .collect(),
                ),
            ),
            ("default_locale", Value::str(self.default_locale.as_str())),
            ("touchpoint", Value::str(self.touchpoint.as_str())),
            ("channel", Value::str(self.channel.as_str())),
        ];
        if let Some(t) = &self.intro {
            top.push(("intro", text(t)));
        }
        if let Some(t) = &self.thank_you {
            top.push(("thank_you", text(t)));
        }
        let questions = self
            .questions
            .iter()
            .map(|q| {
                let mut m: Vec<(&str, Value)> = vec![
                    ("id", Value::str(q.id.as_str())),
                    ("type", Value::str(q.kind.type_name())),
                    ("text", text(&q.text)),
                    ("required", Value::Bool(q.required)),
                ];
                if let Some(h) = &q.help {
                    m.push(("help", text(h)));
                }
                match &q.kind {
                    QuestionKind::Nps | QuestionKind::Csat | QuestionKind::Ces => {}
                    QuestionKind::Rating(s) => scale(s, &mut m),
                    QuestionKind::SingleChoice { options, randomize }
                    | QuestionKind::Ranking { options, randomize } => {
                        m.push(("options", choices(options)));
                        m.push(("randomize", Value::Bool(*randomize)));
                    }
                    QuestionKind::MultipleChoice {
                        options,
                        randomize,
                        other,
                        min_choices,
                        max_choices,
                    } => {
                        m.push(("options", choices(options)));
                        m.push(("randomize", Value::Bool(*randomize)));
                        if let Some(o) = other {
                            m.push(("other", text(o)));
                        }
                        m.push(("min_choices", Value::Int(*min_choices as i64)));
                        if let Some(max) = max_choices {
                            m.push(("max_choices", Value::Int(*max as i64)));
                        }
                    }
                    QuestionKind::OpenText {
                        max_length,
                        multiline,
                    } => {
                        m.push(("max_length", Value::Int(*max_length as i64)));
                        m.push(("multiline", Value::Bool(*multiline)));
                    }
                    QuestionKind::Matrix { rows, scale: s } => {
                        m.push(("rows", choices(rows)));
                        scale(s, &mut m);
                    }
                    QuestionKind::Kano {
                        functional,
                        dysfunctional,
                    } => {
                        m.push(("functional", text(functional)));
                        m.push(("dysfunctional", text(dysfunctional)));
                    }
                    QuestionKind::Contact { fields, consent } => {
                        m.push((
                            "fields",
                            Value::List(fields.iter().map(|f| Value::str(f.as_str())).collect()),
                        ));
                        m.push(("consent", text(consent)));
                    }
                }
                if let Some(c) = &q.show_if {
                    m.push(("show_if", c.to_value()));
                }
                if let Some(c) = &q.end_if {
                    m.push(("end_if", c.to_value()));
                }
                Value::map(m)
            })
            .collect();
        top.push(("questions", Value::List(questions)));
        Value::map(top)
    }
}
