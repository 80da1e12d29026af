//! Every text of every page, in English, Polish and Czech: the typed keys of `texts.toml`.
//!
//! `build.rs` turns the table into [`Text`], one variant per key, so Rust code names a text
//! as `Text::SignedInAs` and a missing key does not compile; it also checks every `t.key`
//! a template names against the table, and that every row has all three languages with the
//! same `{0}` arguments. Templates read texts through `t`, an object that looks keys up in
//! the page's language; a [`Text`] in a page's context serializes as its key, so a template
//! shows a text chosen at run time with `{{ t[notice] }}`.

use std::fmt::Display;
use std::sync::Arc;

use minijinja::Value;
use minijinja::value::{Enumerator, Object};
use serde::{Serialize, Serializer};

use puls_core::Channel;
use puls_core::access::{PasswordProblem, Role};
use puls_core::band::Band;
use puls_core::drivers::Quadrant;
use puls_core::kano::KanoCategory;
use puls_core::stats::Verdict;
use puls_core::survey::{CmpOp, ContactField};

use crate::Lang;

include!(concat!(env!("OUT_DIR"), "/texts.rs"));

impl Text {
    /// The text in `lang`.
    pub fn get(self, lang: Lang) -> &'static str {
        let [en, pl, cs] = self.texts();
        match lang {
            Lang::En => en,
            Lang::Pl => pl,
            Lang::Cs => cs,
        }
    }
}

/// The texts of the core's values: exhaustive, so a new role, channel or category does not
/// compile until it has its words.
impl Text {
    pub fn case_status(s: puls_core::case::CaseStatus) -> Text {
        use puls_core::case::CaseStatus;
        match s {
            CaseStatus::New => Text::CaseStatusNew,
            CaseStatus::InProgress => Text::CaseStatusInProgress,
            CaseStatus::Waiting => Text::CaseStatusWaiting,
            CaseStatus::Resolved => Text::CaseStatusResolved,
            CaseStatus::Closed => Text::CaseStatusClosed,
        }
    }

    pub fn priority(p: puls_core::alert::Priority) -> Text {
        use puls_core::alert::Priority;
        match p {
            Priority::Low => Text::PriorityLow,
            Priority::Normal => Text::PriorityNormal,
            Priority::High => Text::PriorityHigh,
            Priority::Urgent => Text::PriorityUrgent,
        }
    }

    pub fn role(role: Role) -> Text {
        match role {
            Role::Owner => Text::RoleOwner,
            Role::Admin => Text::RoleAdmin,
            Role::Analyst => Text::RoleAnalyst,
            Role::Agent => Text::RoleAgent,
            Role::Viewer => Text::RoleViewer,
        }
    }

    pub fn channel(channel: Channel) -> Text {
        match channel {
            Channel::Web => Text::ChannelWeb,
            Channel::Email => Text::ChannelEmail,
            Channel::InApp => Text::ChannelInApp,
            Channel::Sms => Text::ChannelSms,
            Channel::Store => Text::ChannelStore,
            Channel::Phone => Text::ChannelPhone,
            Channel::Chat => Text::ChannelChat,
            Channel::Social => Text::ChannelSocial,
            Channel::Api => Text::ChannelApi,
        }
    }

    /// A score band of the inbox's filter.
    pub fn band(band: Band) -> Text {
        match band {
            Band::Detractors => Text::BandDetractors,
            Band::Passives => Text::BandPassives,
            Band::Promoters => Text::BandPromoters,
            Band::Dissatisfied => Text::BandCsat12,
            Band::Satisfied => Text::BandCsat45,
            Band::Hard => Text::BandCes13,
            Band::Easy => Text::BandCes57,
        }
    }

    /// Why a password is refused, as the field's error.
    pub fn password_problem(problem: PasswordProblem) -> Text {
        match problem {
            PasswordProblem::TooShort => Text::PasswordTooShort,
            PasswordProblem::TooLong => Text::PasswordTooLong,
            PasswordProblem::TooWeak => Text::PasswordTooWeak,
        }
    }

    /// A change against the previous period.
    pub fn verdict(verdict: Verdict) -> Text {
        match verdict {
            Verdict::Better => Text::VerdictBetter,
            Verdict::Worse => Text::VerdictWorse,
            Verdict::NoSignificantChange => Text::VerdictNoSignificantChange,
            Verdict::NotEnoughData => Text::VerdictNotEnoughData,
        }
    }

    /// A key driver's place in the priority matrix.
    pub fn quadrant(quadrant: Quadrant) -> Text {
        match quadrant {
            Quadrant::FixFirst => Text::QuadrantFixFirst,
            Quadrant::KeepUp => Text::QuadrantKeepUp,
            Quadrant::Maintain => Text::QuadrantMaintain,
            Quadrant::LowerPriority => Text::QuadrantLowerPriority,
        }
    }

    /// A comparison of skip logic ("at least"); "one of" is [`Text::OpIn`].
    pub fn cmp_op(op: CmpOp) -> Text {
        match op {
            CmpOp::Eq => Text::OpEq,
            CmpOp::Ne => Text::OpNe,
            CmpOp::Lt => Text::OpLt,
            CmpOp::Lte => Text::OpLte,
            CmpOp::Gt => Text::OpGt,
            CmpOp::Gte => Text::OpGte,
        }
    }

    /// A property test's operator ("at least"), as segments and event matchers use it.
    pub fn attribute_op(op: puls_core::attribute::Op) -> Text {
        use puls_core::attribute::Op;
        match op {
            Op::Eq => Text::OpEq,
            Op::Ne => Text::OpNe,
            Op::Lt => Text::OpLt,
            Op::Lte => Text::OpLte,
            Op::Gt => Text::OpGt,
            Op::Gte => Text::OpGte,
            Op::In => Text::OpIn,
            Op::NotIn => Text::OpNotIn,
            Op::Contains => Text::OpContains,
            Op::StartsWith => Text::OpStartsWith,
            Op::Exists => Text::OpExists,
            Op::NotExists => Text::OpNotExists,
        }
    }

    /// What a contact question may ask for.
    pub fn contact_field(field: ContactField) -> Text {
        match field {
            ContactField::Email => Text::Email,
            ContactField::Phone => Text::Phone,
        }
    }

    /// The name of a question type, by its `type` in the definition format (every one of
    /// [`puls_core::QuestionKind::TYPE_NAMES`] has one; anything else has none).
    pub fn question_type(type_name: &str) -> Option<Text> {
        Some(match type_name {
            "nps" => Text::TypeNps,
            "csat" => Text::TypeCsat,
            "ces" => Text::TypeCes,
            "rating" => Text::TypeRating,
            "single_choice" => Text::TypeSingleChoice,
            "multiple_choice" => Text::TypeMultipleChoice,
            "open_text" => Text::TypeOpenText,
            "matrix" => Text::TypeMatrix,
            "ranking" => Text::TypeRanking,
            "kano" => Text::TypeKano,
            "contact" => Text::TypeContact,
            _ => return None,
        })
    }

    pub fn kano_category(category: KanoCategory) -> Text {
        match category {
            KanoCategory::Attractive => Text::KanoAttractive,
            KanoCategory::OneDimensional => Text::KanoOneDimensional,
            KanoCategory::MustBe => Text::KanoMustBe,
            KanoCategory::Indifferent => Text::KanoIndifferent,
            KanoCategory::Reverse => Text::KanoReverse,
            KanoCategory::Questionable => Text::KanoQuestionable,
        }
    }
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.key())
    }
}

impl Lang {
    /// A text in this language.
    pub fn t(self, text: Text) -> &'static str {
        text.get(self)
    }

    /// The language's own name in the page language's words ("Czech", "czeski").
    pub fn name(self) -> Text {
        match self {
            Lang::En => Text::LangEn,
            Lang::Pl => Text::LangPl,
            Lang::Cs => Text::LangCs,
        }
    }

    /// A text with its `{0}`, `{1}`... filled in, as the templates' `fill` filter does.
    pub fn fill(self, text: Text, args: &[&dyn Display]) -> String {
        fill(self.t(text), args.iter().map(|a| a.to_string()))
    }
}

/// Puts the arguments in for `{0}`, `{1}`...
pub(crate) fn fill(text: &str, args: impl Iterator<Item = String>) -> String {
    args.enumerate().fold(text.to_string(), |s, (i, a)| {
        s.replace(&format!("{{{i}}}"), &a)
    })
}

/// The templates' `t`: every text in one language, looked up by key.
#[derive(Debug)]
pub(crate) struct Texts(pub(crate) Lang);

impl Object for Texts {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        Text::from_key(key.as_str()?).map(|t| Value::from(t.get(self.0)))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(Text::ALL.iter().map(|t| Value::from(t.key())).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_name_their_texts_both_ways() {
        for text in Text::ALL {
            assert_eq!(Text::from_key(text.key()), Some(text));
        }
        assert_eq!(Lang::Cs.t(Text::SignIn), "Přihlásit se");
        assert_eq!(Lang::Pl.t(Text::Submit), "Wyślij");
        assert_eq!(Lang::Cs.t(Text::Back), "Zpět");
        assert_eq!(Lang::Cs.t(Text::Next), "Další");
        assert_eq!(Text::from_key("nope"), None);
        for name in puls_core::QuestionKind::TYPE_NAMES {
            assert!(Text::question_type(name).is_some(), "{name}");
        }
        assert_eq!(Lang::Pl.fill(Text::QuestionOf, &[&3, &7]), "Pytanie 3 z 7");
    }
}
