//! What respondents read that takes numbers or depends on the survey model: field error
//! messages with their plural forms, hints of limited choices, and the texts of Kano
//! answers, scale ends and message pages (kept in `texts.toml` like every other text).
//!
//! Survey texts come from the author, in every locale the survey declares. Everything else a
//! respondent reads lives in the one vocabulary, so a survey in `pl` or `cs` never shows a
//! stray English word. Other survey locales get English chrome.

use std::borrow::Cow;

use puls_core::{Expected, FieldErrorKind, KanoAnswer, Locale, QuestionKind};

use crate::survey_page::MessageKind;
use crate::{Lang, Text};

impl Lang {
    fn pick<T>(self, [en, pl, cs]: [T; 3]) -> T {
        match self {
            Lang::En => en,
            Lang::Pl => pl,
            Lang::Cs => cs,
        }
    }

    /// "Question 3 of 7".
    pub fn progress(self, step: usize, total: usize) -> String {
        self.fill(Text::QuestionOf, &[&step, &total])
    }

    /// Picks the plural form for `n`: `forms` are the CLDR "one", "few" and "many/other"
    /// forms (English uses "one" and "other", so pass its plural twice).
    fn plural(self, n: usize, [one, few, many]: [&'static str; 3]) -> &'static str {
        match self {
            _ if n == 1 => one,
            Lang::En => many,
            Lang::Pl if (2..=4).contains(&(n % 10)) && !(12..=14).contains(&(n % 100)) => few,
            Lang::Cs if (2..=4).contains(&n) => few,
            Lang::Pl | Lang::Cs => many,
        }
    }

    /// A count with its noun in the form the number takes: `forms` are the texts (each
    /// with `{0}` for the number) of the "one", "few" and "many" forms ("1 dzień", "2 dni",
    /// "5 dni").
    pub fn count(self, n: i64, [one, few, many]: [Text; 3]) -> String {
        let form = self.plural(
            usize::try_from(n).unwrap_or(usize::MAX),
            [self.t(one), self.t(few), self.t(many)],
        );
        crate::texts::fill(
            form,
            std::iter::once(crate::format::number(self, n as f64, 0)),
        )
    }

    /// Hours in words: "72 godziny", "72 hodin", "1 hour".
    pub fn hours(self, n: i64) -> String {
        self.count(
            n,
            [Text::DurHoursOne, Text::DurHoursFew, Text::DurHoursMany],
        )
    }

    /// A span of minutes in words, in whole days, hours and minutes: "2 dni", "1 den 6
    /// hodin", "90 minutes" reads "1 hour 30 minutes"; zero is "0 minut".
    pub fn duration(self, minutes: i64) -> String {
        let minutes = minutes.max(0);
        let (days, hours, mins) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
        let mut parts = Vec::new();
        if days > 0 {
            parts.push(self.count(
                days,
                [Text::DurDaysOne, Text::DurDaysFew, Text::DurDaysMany],
            ));
        }
        if hours > 0 {
            parts.push(self.hours(hours));
        }
        if mins > 0 || parts.is_empty() {
            parts.push(self.count(
                mins,
                [
                    Text::DurMinutesOne,
                    Text::DurMinutesFew,
                    Text::DurMinutesMany,
                ],
            ));
        }
        parts.join(" ")
    }

    /// "option(s)" in the accusative/genitive form that follows a number.
    fn options_word(self, n: usize) -> &'static str {
        match self {
            Lang::En => self.plural(n, ["option", "options", "options"]),
            Lang::Pl => self.plural(n, ["odpowiedź", "odpowiedzi", "odpowiedzi"]),
            Lang::Cs => self.plural(n, ["možnost", "možnosti", "možností"]),
        }
    }

    /// The message for a field error, in full sentences a respondent understands.
    ///
    /// Technical details that only the English core text carries (such as the JSON type a
    /// value should have) are left out: a respondent cannot act on them.
    pub fn field_error(self, kind: &FieldErrorKind) -> String {
        use FieldErrorKind as K;
        let s = |texts: [&str; 3]| self.pick(texts).to_string();
        match kind {
            K::WrongType {
                expected: Expected::Integer,
            } => s([
                "Choose a number on the scale.",
                "Wybierz liczbę ze skali.",
                "Vyberte číslo na stupnici.",
            ]),
            K::WrongType { .. } => s([
                "This answer is not in the expected form.",
                "Ta odpowiedź ma nieprawidłową postać.",
                "Tato odpověď nemá očekávaný tvar.",
            ]),
            K::Required => s([
                "Please answer this question.",
                "Odpowiedz na to pytanie.",
                "Odpovězte prosím na tuto otázku.",
            ]),
            K::UnknownField => s([
                "This field is not part of the question.",
                "To pole nie należy do pytania.",
                "Toto pole do otázky nepatří.",
            ]),
            K::OutOfRange { min, max } => match self {
                Lang::En => format!("Choose a value from {min} to {max}."),
                Lang::Pl => format!("Wybierz wartość od {min} do {max}."),
                Lang::Cs => format!("Zvolte hodnotu od {min} do {max}."),
            },
            K::TooLong { max } => {
                let n = *max;
                match self {
                    Lang::En => format!(
                        "Use at most {n} {}.",
                        self.plural(n, ["character", "characters", "characters"])
                    ),
                    Lang::Pl => format!(
                        "Wpisz najwyżej {n} {}.",
                        self.plural(n, ["znak", "znaki", "znaków"])
                    ),
                    Lang::Cs => format!(
                        "Napište nejvýše {n} {}.",
                        self.plural(n, ["znak", "znaky", "znaků"])
                    ),
                }
            }
            K::Empty => s([
                "Please fill this in.",
                "Uzupełnij to pole.",
                "Vyplňte prosím toto pole.",
            ]),
            K::NulCharacter => s([
                "This contains a character that cannot be stored.",
                "To pole zawiera znak, którego nie można zapisać.",
                "Toto pole obsahuje znak, který nelze uložit.",
            ]),
            K::InvalidKey => s([
                "This is not a valid name: use letters, digits, '_', '-' or '.'.",
                "To nie jest prawidłowa nazwa: użyj liter, cyfr, '_', '-' lub '.'.",
                "Toto není platný název: použijte písmena, číslice, '_', '-' nebo '.'.",
            ]),
            K::InvalidTimestamp => s([
                "Enter a date like 2026-03-01 or a time like 2026-03-01T10:00:00Z.",
                "Wpisz datę, np. 2026-03-01, lub czas, np. 2026-03-01T10:00:00Z.",
                "Zadejte datum, např. 2026-03-01, nebo čas, např. 2026-03-01T10:00:00Z.",
            ]),
            K::InvalidId => s([
                "This is not a valid identifier.",
                "To nie jest prawidłowy identyfikator.",
                "Toto není platný identifikátor.",
            ]),
            K::InvalidUlid => s([
                "This is not an id Puls gave (26 digits and capital letters).",
                "To nie jest identyfikator nadany przez Puls (26 cyfr i wielkich liter).",
                "Toto není identifikátor přidělený Pulsem (26 číslic a velkých písmen).",
            ]),
            K::Duplicate { id } => match self {
                Lang::En => format!("“{id}” is given more than once."),
                Lang::Pl => format!("„{id}” podano więcej niż raz."),
                Lang::Cs => format!("„{id}“ je uvedeno vícekrát."),
            },
            K::UnknownQuestion { id } => match self {
                Lang::En => format!("There is no question “{id}” here."),
                Lang::Pl => format!("Nie ma tu pytania „{id}”."),
                Lang::Cs => format!("Otázka „{id}“ tu není."),
            },
            K::UnknownOption { id } => match self {
                Lang::En => format!("“{id}” is not one of the offered answers."),
                Lang::Pl => format!("„{id}” nie jest jedną z podanych odpowiedzi."),
                Lang::Cs => format!("„{id}“ není mezi nabízenými odpověďmi."),
            },
            K::UnknownLocale { locale } => match self {
                Lang::En => format!("The language “{locale}” is not available."),
                Lang::Pl => format!("Język „{locale}” nie jest dostępny."),
                Lang::Cs => format!("Jazyk „{locale}“ není k dispozici."),
            },
            K::MissingTranslation { locale } => match self {
                Lang::En => format!("The text is missing in the language “{locale}”."),
                Lang::Pl => format!("Brakuje tekstu w języku „{locale}”."),
                Lang::Cs => format!("Chybí text v jazyce „{locale}“."),
            },
            K::MinNotBelowMax => s([
                "The minimum must be less than the maximum.",
                "Minimum musi być mniejsze niż maksimum.",
                "Minimum musí být menší než maximum.",
            ]),
            K::HiddenQuestion => s([
                "Given your earlier answers, this question does not apply to you.",
                "Biorąc pod uwagę Twoje wcześniejsze odpowiedzi, to pytanie Cię nie dotyczy.",
                "Vzhledem k vašim předchozím odpovědím se vás tato otázka netýká.",
            ]),
            K::ChoiceCount { min, max } => self.choice_count(*min, *max),
            K::IncompleteRanking => s([
                "Give every option a different number, using each number once.",
                "Nadaj każdej odpowiedzi inny numer, każdy numer tylko raz.",
                "Přiřaďte každé možnosti jiné číslo, každé číslo jen jednou.",
            ]),
            K::InvalidEmail => s([
                "Enter a valid email address, like name@example.com.",
                "Wpisz prawidłowy adres e-mail, np. imie@example.com.",
                "Zadejte platnou e-mailovou adresu, např. jmeno@example.com.",
            ]),
            K::InvalidPhone => s([
                "Enter a valid phone number (6 to 20 digits).",
                "Wpisz prawidłowy numer telefonu (od 6 do 20 cyfr).",
                "Zadejte platné telefonní číslo (6 až 20 číslic).",
            ]),
            K::ConsentRequired => s([
                "To leave your contact details, tick the consent box.",
                "Aby zostawić dane kontaktowe, zaznacz zgodę.",
                "Chcete-li zanechat kontaktní údaje, zaškrtněte souhlas.",
            ]),
            K::NotOneOf { .. } => s([
                "Choose one of the offered answers.",
                "Wybierz jedną z podanych odpowiedzi.",
                "Vyberte jednu z nabízených odpovědí.",
            ]),
            K::BadCondition { reason } => match self {
                Lang::En => format!("Invalid condition: {reason}"),
                Lang::Pl => format!("Nieprawidłowy warunek: {reason}"),
                Lang::Cs => format!("Neplatná podmínka: {reason}"),
            },
            K::TooMany { max } => {
                let n = *max;
                match self {
                    Lang::En => format!(
                        "At most {n} {} allowed.",
                        self.plural(n, ["entry is", "entries are", "entries are"])
                    ),
                    Lang::Pl => format!(
                        "Możesz podać najwyżej {n} {}.",
                        self.plural(n, ["pozycję", "pozycje", "pozycji"])
                    ),
                    Lang::Cs => format!(
                        "Můžete zadat nejvýše {n} {}.",
                        self.plural(n, ["položku", "položky", "položek"])
                    ),
                }
            }
        }
    }

    /// A problem of a definition (a survey, journey or segment) as its author reads it, in
    /// this language; the field's path is shown beside it.
    pub fn definition_error(self, kind: &FieldErrorKind) -> String {
        use FieldErrorKind as K;
        let s = |texts: [&str; 3]| self.pick(texts).to_string();
        let f = |texts: [String; 3]| self.pick(texts);
        match kind {
            K::WrongType { expected } => {
                let what = self.pick(match expected {
                    Expected::Integer => ["a whole number", "liczbą całkowitą", "celé číslo"],
                    Expected::String => ["a text", "tekstem", "text"],
                    Expected::Boolean => [
                        "true or false",
                        "wartością true lub false",
                        "true nebo false",
                    ],
                    Expected::Array => ["a list", "listą", "seznam"],
                    Expected::Texts => [
                        "texts by language, like {\"pl\": \"...\"}",
                        "tekstami według języka, np. {\"pl\": \"...\"}",
                        "texty podle jazyka, např. {\"cs\": \"...\"}",
                    ],
                    _ => ["an object", "obiektem", "objekt"],
                });
                f([
                    format!("Must be {what}."),
                    format!("Musi być {what}."),
                    format!("Musí být {what}."),
                ])
            }
            K::Required => s(["Is required.", "Jest wymagane.", "Je povinné."]),
            K::UnknownField => s([
                "Is not a known field; check its spelling.",
                "Nie jest znanym polem; sprawdź pisownię.",
                "Není známé pole; zkontrolujte pravopis.",
            ]),
            K::OutOfRange { min, max } => f([
                format!("Must be between {min} and {max}."),
                format!("Musi być od {min} do {max}."),
                format!("Musí být od {min} do {max}."),
            ]),
            K::TooLong { max } => f([
                format!("Must be at most {max} characters."),
                format!("Może mieć najwyżej {max} znaków."),
                format!("Smí mít nejvýše {max} znaků."),
            ]),
            K::Empty => s([
                "Must not be empty.",
                "Nie może być puste.",
                "Nesmí být prázdné.",
            ]),
            K::InvalidId => s([
                "Must be 1–64 lowercase letters, digits, '_' or '-', starting with a letter.",
                "Musi mieć 1–64 znaki: małe litery, cyfry, '_' lub '-', na początku litera.",
                "Musí mít 1–64 znaků: malá písmena, číslice, '_' nebo '-', na začátku písmeno.",
            ]),
            K::InvalidUlid => s([
                "Must be an id Puls gave: 26 digits and capital letters.",
                "Musi być identyfikatorem nadanym przez Puls: 26 cyfr i wielkich liter.",
                "Musí být identifikátor přidělený Pulsem: 26 číslic a velkých písmen.",
            ]),
            K::Duplicate { id } => f([
                format!("The id “{id}” is used twice."),
                format!("Identyfikator „{id}” występuje dwa razy."),
                format!("Identifikátor „{id}“ je použit dvakrát."),
            ]),
            K::UnknownQuestion { id } => f([
                format!("Refers to “{id}”, which is not an earlier question."),
                format!("Odwołuje się do „{id}”, które nie jest wcześniejszym pytaniem."),
                format!("Odkazuje na „{id}“, což není dřívější otázka."),
            ]),
            K::UnknownOption { id } => f([
                format!("“{id}” is not one of the question's options."),
                format!("„{id}” nie jest jedną z opcji pytania."),
                format!("„{id}“ není mezi možnostmi otázky."),
            ]),
            K::UnknownLocale { locale } => f([
                format!("The language “{locale}” is not one of the survey's languages."),
                format!("Język „{locale}” nie jest jednym z języków ankiety."),
                format!("Jazyk „{locale}“ není mezi jazyky dotazníku."),
            ]),
            K::MissingTranslation { locale } => f([
                format!("The text is missing in “{locale}”."),
                format!("Brakuje tekstu w języku „{locale}”."),
                format!("Chybí text v jazyce „{locale}“."),
            ]),
            K::MinNotBelowMax => s([
                "The minimum must be less than the maximum.",
                "Minimum musi być mniejsze niż maksimum.",
                "Minimum musí být menší než maximum.",
            ]),
            K::ChoiceCount { min, max } => f([
                format!("Allows between {min} and {max} choices."),
                format!("Dopuszcza od {min} do {max} wyborów."),
                format!("Povoluje {min} až {max} voleb."),
            ]),
            K::NotOneOf { allowed } => f([
                format!("Must be one of: {allowed}."),
                format!("Musi być jednym z: {allowed}."),
                format!("Musí být jedním z: {allowed}."),
            ]),
            K::BadCondition { reason } => f([
                format!("Invalid condition: {reason}."),
                format!("Nieprawidłowy warunek: {reason}."),
                format!("Neplatná podmínka: {reason}."),
            ]),
            K::TooMany { max } => f([
                format!("At most {max} entries."),
                format!("Najwyżej {max} pozycji."),
                format!("Nejvýše {max} položek."),
            ]),
            K::NulCharacter => s([
                "Must not contain the NUL character.",
                "Nie może zawierać znaku NUL.",
                "Nesmí obsahovat znak NUL.",
            ]),
            K::InvalidKey => s([
                "Must be 1–64 letters, digits, '_', '-', '.' or '$', starting with a letter, '_' or '$'.",
                "Musi mieć 1–64 znaki: litery, cyfry, '_', '-', '.' lub '$', na początku litera, '_' lub '$'.",
                "Musí mít 1–64 znaků: písmena, číslice, '_', '-', '.' nebo '$', na začátku písmeno, '_' nebo '$'.",
            ]),
            K::InvalidTimestamp => s([
                "Must be a date (YYYY-MM-DD) or an RFC 3339 time.",
                "Musi być datą (RRRR-MM-DD) lub czasem RFC 3339.",
                "Musí být datum (RRRR-MM-DD) nebo čas RFC 3339.",
            ]),
            // The rest concern answers, not definitions: the respondents' wording fits.
            other => self.field_error(other),
        }
    }

    /// "Choose between 1 and 3 options", also the hint of a limited multiple-choice question.
    pub fn choice_count(self, min: usize, max: usize) -> String {
        let word = self.options_word(max);
        match (self, min == max) {
            (Lang::En, true) => format!("Choose exactly {max} {word}."),
            (Lang::Pl, true) => format!("Wybierz dokładnie {max} {word}."),
            (Lang::Cs, true) => format!("Vyberte přesně {max} {word}."),
            (Lang::En, false) => format!("Choose {min} to {max} {word}."),
            (Lang::Pl, false) => format!("Wybierz od {min} do {max} {word}."),
            (Lang::Cs, false) => format!("Vyberte {min} až {max} {word}."),
        }
    }

    /// The label of a Kano answer ("I like it").
    pub fn kano(self, answer: KanoAnswer) -> &'static str {
        self.t(match answer {
            KanoAnswer::Like => Text::KanoAnswerLike,
            KanoAnswer::Expect => Text::KanoAnswerExpect,
            KanoAnswer::Neutral => Text::KanoAnswerNeutral,
            KanoAnswer::Tolerate => Text::KanoAnswerTolerate,
            KanoAnswer::Dislike => Text::KanoAnswerDislike,
        })
    }

    /// A sentiment's word (`neg`, `neu`, `pos`); another label as it is.
    pub fn sentiment(self, label: &str) -> &str {
        match label {
            "neg" => self.t(Text::SentimentNeg),
            "neu" => self.t(Text::SentimentNeu),
            "pos" => self.t(Text::SentimentPos),
            other => other,
        }
    }

    /// An emotion's word (`anger` → "złość"); `none` and unknown names: `None`.
    pub fn emotion(self, name: &str) -> Option<&'static str> {
        Some(self.t(match name {
            "anger" => Text::EmotionAnger,
            "joy" => Text::EmotionJoy,
            "sadness" => Text::EmotionSadness,
            "fear" => Text::EmotionFear,
            "surprise" => Text::EmotionSurprise,
            "gratitude" => Text::EmotionGratitude,
            _ => return None,
        }))
    }

    /// An aspect's name (`delivery` → "Dostawa"); a workspace's own aspect as it is named.
    pub fn aspect(self, name: &str) -> &str {
        self.t(match name {
            "delivery" => Text::AspectDelivery,
            "price" => Text::AspectPrice,
            "staff" => Text::AspectStaff,
            "product_quality" => Text::AspectProductQuality,
            "website_app" => Text::AspectWebsiteApp,
            "payment" => Text::AspectPayment,
            "returns_complaints" => Text::AspectReturnsComplaints,
            "waiting_time" => Text::AspectWaitingTime,
            "communication" => Text::AspectCommunication,
            other => return other,
        })
    }

    /// The default end labels (low, high) of the standard scales: nps, csat and ces.
    /// Other kinds have none (a rating or matrix scale carries its own author labels).
    pub fn scale_labels(self, kind: &QuestionKind) -> Option<(&'static str, &'static str)> {
        let (lo, hi) = match kind {
            QuestionKind::Nps => (Text::ScaleNpsLow, Text::ScaleNpsHigh),
            QuestionKind::Csat => (Text::ScaleCsatLow, Text::ScaleCsatHigh),
            QuestionKind::Ces => (Text::ScaleCesLow, Text::ScaleCesHigh),
            _ => return None,
        };
        Some((self.t(lo), self.t(hi)))
    }

    /// The heading and the text of a message page.
    pub fn message(self, kind: MessageKind) -> (&'static str, &'static str) {
        let (heading, text) = match kind {
            MessageKind::NotFound => (Text::MessageNotFoundTitle, Text::MessageNotFoundText),
            MessageKind::Closed => (Text::MessageClosedTitle, Text::MessageClosedText),
            MessageKind::AlreadyAnswered => (
                Text::MessageAlreadyAnsweredTitle,
                Text::MessageAlreadyAnsweredText,
            ),
            MessageKind::TooManyRequests => (
                Text::MessageTooManyRequestsTitle,
                Text::MessageTooManyRequestsText,
            ),
            MessageKind::ServerError => {
                (Text::MessageServerErrorTitle, Text::MessageServerErrorText)
            }
            MessageKind::BadRequest => (Text::MessageBadRequestTitle, Text::MessageBadRequestText),
            MessageKind::Full => (Text::MessageFullTitle, Text::MessageFullText),
        };
        (self.t(heading), self.t(text))
    }
}

/// The name of a locale in its own language, for the language switcher ("Čeština").
/// A locale with a region gets the region in brackets ("Português (BR)"); an unknown
/// language is shown by its tag.
pub fn native_name(locale: &Locale) -> Cow<'static, str> {
    let name = match locale.language() {
        "pl" => "Polski",
        "cs" => "Čeština",
        "en" => "English",
        "de" => "Deutsch",
        "sk" => "Slovenčina",
        "uk" => "Українська",
        "ru" => "Русский",
        "be" => "Беларуская",
        "lt" => "Lietuvių",
        "lv" => "Latviešu",
        "et" => "Eesti",
        "hu" => "Magyar",
        "ro" => "Română",
        "bg" => "Български",
        "hr" => "Hrvatski",
        "sl" => "Slovenščina",
        "sr" => "Српски",
        "fr" => "Français",
        "es" => "Español",
        "it" => "Italiano",
        "pt" => "Português",
        "nl" => "Nederlands",
        "da" => "Dansk",
        "sv" => "Svenska",
        "nb" | "no" => "Norsk",
        "fi" => "Suomi",
        "el" => "Ελληνικά",
        "tr" => "Türkçe",
        "vi" => "Tiếng Việt",
        "ja" => "日本語",
        "zh" => "中文",
        "ko" => "한국어",
        "ar" => "العربية",
        "he" => "עברית",
        _ => return Cow::Owned(locale.as_str().to_string()),
    };
    match locale.as_str().split_once('-') {
        Some((_, region)) => Cow::Owned(format!("{name} ({region})")),
        None => Cow::Borrowed(name),
    }
}

/// Whether a locale's script runs right to left, for `<html dir>`.
pub fn is_rtl(locale: &Locale) -> bool {
    matches!(locale.language(), "ar" | "he" | "fa" | "ur" | "yi")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locale(s: &str) -> Locale {
        Locale::parse(s).unwrap()
    }

    #[test]
    fn every_field_error_is_translated_with_its_numbers() {
        use FieldErrorKind as K;
        let kinds = [
            K::WrongType {
                expected: Expected::Integer,
            },
            K::WrongType {
                expected: Expected::String,
            },
            K::Required,
            K::UnknownField,
            K::OutOfRange { min: 0, max: 10 },
            K::TooLong { max: 500 },
            K::Empty,
            K::InvalidId,
            K::InvalidUlid,
            K::Duplicate { id: "a1".into() },
            K::UnknownQuestion { id: "q9".into() },
            K::UnknownOption { id: "zz".into() },
            K::UnknownLocale {
                locale: "xx".into(),
            },
            K::MissingTranslation {
                locale: "cs".into(),
            },
            K::MinNotBelowMax,
            K::HiddenQuestion,
            K::ChoiceCount { min: 1, max: 3 },
            K::IncompleteRanking,
            K::InvalidEmail,
            K::InvalidPhone,
            K::ConsentRequired,
            K::NotOneOf {
                allowed: "a, b".into(),
            },
            K::BadCondition { reason: "r".into() },
            K::TooMany { max: 50 },
            K::NulCharacter,
            K::InvalidKey,
            K::InvalidTimestamp,
        ];
        for kind in &kinds {
            let [en, pl, cs] = [Lang::En, Lang::Pl, Lang::Cs].map(|l| l.field_error(kind));
            assert!(
                !en.is_empty() && !pl.is_empty() && !cs.is_empty(),
                "{kind:?}"
            );
            assert!(en != pl && en != cs && pl != cs, "{kind:?} not translated");
        }
        assert_eq!(
            Lang::Cs.field_error(&K::OutOfRange { min: 0, max: 10 }),
            "Zvolte hodnotu od 0 do 10."
        );
        assert_eq!(
            Lang::Pl.field_error(&K::TooLong { max: 500 }),
            "Wpisz najwyżej 500 znaków."
        );
        assert_eq!(
            Lang::Pl.field_error(&K::TooLong { max: 22 }),
            "Wpisz najwyżej 22 znaki."
        );
        assert_eq!(
            Lang::Cs.field_error(&K::ChoiceCount { min: 1, max: 3 }),
            "Vyberte 1 až 3 možnosti."
        );
        assert_eq!(
            Lang::En.field_error(&K::ChoiceCount { min: 2, max: 2 }),
            "Choose exactly 2 options."
        );
    }

    #[test]
    fn durations_take_the_plural_their_number_needs() {
        assert_eq!(Lang::Pl.duration(2 * 1440), "2 dni");
        assert_eq!(Lang::Cs.duration(2 * 1440), "2 dny");
        assert_eq!(Lang::Cs.duration(5 * 1440), "5 dní");
        assert_eq!(Lang::En.duration(2 * 1440), "2 days");
        assert_eq!(Lang::Pl.duration(1440), "1 dzień");
        assert_eq!(Lang::Pl.duration(90), "1 godzina 30 minut");
        assert_eq!(Lang::Cs.duration(1440 + 3 * 60), "1 den 3 hodiny");
        assert_eq!(Lang::En.duration(0), "0 minutes");
        assert_eq!(Lang::Pl.hours(72), "72 godziny");
        assert_eq!(Lang::Pl.hours(12), "12 godzin");
        assert_eq!(Lang::Pl.hours(22), "22 godziny");
        assert_eq!(Lang::Cs.hours(72), "72 hodin");
        assert_eq!(Lang::En.hours(1), "1 hour");
    }

    #[test]
    fn message_pages_exist_in_every_language() {
        for kind in MessageKind::ALL {
            let texts = Lang::ALL.map(|l| l.message(kind));
            assert!(texts[0] != texts[1] && texts[1] != texts[2], "{kind:?}");
        }
    }

    #[test]
    fn native_names_read_in_their_own_language() {
        assert_eq!(native_name(&locale("cs")), "Čeština");
        assert_eq!(native_name(&locale("pl")), "Polski");
        assert_eq!(native_name(&locale("pt-BR")), "Português (BR)");
        assert_eq!(native_name(&locale("xx")), "xx");
    }
}
