//! Translations of the respondent page chrome into Polish, Czech and English.
//!
//! Survey texts come from the author, in every locale the survey declares. Everything else a
//! respondent reads (buttons, progress, error messages, message pages) lives here, so a survey
//! in `pl` or `cs` never shows a stray English word. Other survey locales get English chrome.

use std::borrow::Cow;

use puls_core::{Expected, FieldErrorKind, KanoAnswer, Locale, QuestionKind};

use crate::survey_page::MessageKind;

/// The language of the page chrome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UiLang {
    Pl,
    Cs,
    En,
}

/// A piece of page chrome, translated by [`UiLang::t`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Chrome {
    Next,
    Submit,
    Back,
    Skip,
    Required,
    /// The heading of the error summary at the top of a page.
    ErrorSummary,
    /// Prefixes the page title and each field error, for screen readers.
    Error,
    PoweredBy,
    Preview,
    /// The accessible name of the language switcher.
    Language,
    /// The label of a free-text answer field.
    YourAnswer,
    Email,
    Phone,
    /// How to fill in a ranking question.
    RankHint,
    /// The hint of a multiple-choice question without limits.
    SelectAll,
    /// The empty entry of a rank `<select>`.
    NoRank,
    ThankYou,
    AnswersRecorded,
    CanClose,
}

impl Chrome {
    /// Every key, for building the template's `t` map and for the completeness test.
    pub const ALL: [Chrome; 19] = [
        Chrome::Next,
        Chrome::Submit,
        Chrome::Back,
        Chrome::Skip,
        Chrome::Required,
        Chrome::ErrorSummary,
        Chrome::Error,
        Chrome::PoweredBy,
        Chrome::Preview,
        Chrome::Language,
        Chrome::YourAnswer,
        Chrome::Email,
        Chrome::Phone,
        Chrome::RankHint,
        Chrome::SelectAll,
        Chrome::NoRank,
        Chrome::ThankYou,
        Chrome::AnswersRecorded,
        Chrome::CanClose,
    ];

    /// The key under which templates find the text (`{{ t.next }}`).
    pub fn key(self) -> &'static str {
        match self {
            Chrome::Next => "next",
            Chrome::Submit => "submit",
            Chrome::Back => "back",
            Chrome::Skip => "skip",
            Chrome::Required => "required",
            Chrome::ErrorSummary => "error_summary",
            Chrome::Error => "error",
            Chrome::PoweredBy => "powered_by",
            Chrome::Preview => "preview",
            Chrome::Language => "language",
            Chrome::YourAnswer => "your_answer",
            Chrome::Email => "email",
            Chrome::Phone => "phone",
            Chrome::RankHint => "rank_hint",
            Chrome::SelectAll => "select_all",
            Chrome::NoRank => "no_rank",
            Chrome::ThankYou => "thank_you",
            Chrome::AnswersRecorded => "answers_recorded",
            Chrome::CanClose => "can_close",
        }
    }

    /// The texts in `[en, pl, cs]` order.
    fn texts(self) -> [&'static str; 3] {
        match self {
            Chrome::Next => ["Next", "Dalej", "Další"],
            Chrome::Submit => ["Submit", "Wyślij", "Odeslat"],
            Chrome::Back => ["Back", "Wstecz", "Zpět"],
            Chrome::Skip => ["Skip", "Pomiń", "Přeskočit"],
            Chrome::Required => ["Required", "Wymagane", "Povinné"],
            Chrome::ErrorSummary => [
                "Please check your answer",
                "Sprawdź swoją odpowiedź",
                "Zkontrolujte prosím svou odpověď",
            ],
            Chrome::Error => ["Error", "Błąd", "Chyba"],
            Chrome::PoweredBy => [
                "Powered by Puls",
                "Działa na platformie Puls",
                "Běží na platformě Puls",
            ],
            Chrome::Preview => [
                "Preview: answers are not counted",
                "Podgląd: odpowiedzi nie są liczone",
                "Náhled: odpovědi se nezapočítávají",
            ],
            Chrome::Language => ["Language", "Język", "Jazyk"],
            Chrome::YourAnswer => ["Your answer", "Twoja odpowiedź", "Vaše odpověď"],
            Chrome::Email => ["Email address", "Adres e-mail", "E-mailová adresa"],
            Chrome::Phone => ["Phone number", "Numer telefonu", "Telefonní číslo"],
            Chrome::RankHint => [
                "Choose 1 for your first choice, 2 for the next, and so on.",
                "Wybierz 1 dla pierwszego wyboru, 2 dla kolejnego i tak dalej.",
                "Zvolte 1 pro první volbu, 2 pro další a tak dále.",
            ],
            Chrome::SelectAll => [
                "Select all that apply.",
                "Zaznacz wszystkie pasujące odpowiedzi.",
                "Vyberte všechny odpovídající možnosti.",
            ],
            Chrome::NoRank => ["–", "–", "–"],
            Chrome::ThankYou => ["Thank you!", "Dziękujemy!", "Děkujeme!"],
            Chrome::AnswersRecorded => [
                "Your answers have been recorded.",
                "Twoje odpowiedzi zostały zapisane.",
                "Vaše odpovědi byly uloženy.",
            ],
            Chrome::CanClose => [
                "You can close this page now.",
                "Możesz już zamknąć tę stronę.",
                "Nyní můžete tuto stránku zavřít.",
            ],
        }
    }
}

impl UiLang {
    pub const ALL: [UiLang; 3] = [UiLang::Pl, UiLang::Cs, UiLang::En];

    /// The chrome language for a survey locale: Polish and Czech (with any region) get their
    /// own, every other locale gets English.
    pub fn for_locale(locale: &Locale) -> UiLang {
        match locale.language() {
            "pl" => UiLang::Pl,
            "cs" => UiLang::Cs,
            _ => UiLang::En,
        }
    }

    /// The language tag, for `<html lang>` on pages that have no survey locale.
    pub fn code(self) -> &'static str {
        match self {
            UiLang::Pl => "pl",
            UiLang::Cs => "cs",
            UiLang::En => "en",
        }
    }

    fn pick<T>(self, [en, pl, cs]: [T; 3]) -> T {
        match self {
            UiLang::En => en,
            UiLang::Pl => pl,
            UiLang::Cs => cs,
        }
    }

    /// A piece of page chrome.
    pub fn t(self, key: Chrome) -> &'static str {
        self.pick(key.texts())
    }

    /// "Question 3 of 7".
    pub fn progress(self, step: usize, total: usize) -> String {
        match self {
            UiLang::En => format!("Question {step} of {total}"),
            UiLang::Pl => format!("Pytanie {step} z {total}"),
            UiLang::Cs => format!("Otázka {step} z {total}"),
        }
    }

    /// Picks the plural form for `n`: `forms` are the CLDR "one", "few" and "many/other"
    /// forms (English uses "one" and "other", so pass its plural twice).
    fn plural(self, n: usize, [one, few, many]: [&'static str; 3]) -> &'static str {
        match self {
            _ if n == 1 => one,
            UiLang::En => many,
            UiLang::Pl if (2..=4).contains(&(n % 10)) && !(12..=14).contains(&(n % 100)) => few,
            UiLang::Cs if (2..=4).contains(&n) => few,
            UiLang::Pl | UiLang::Cs => many,
        }
    }

    /// "option(s)" in the accusative/genitive form that follows a number.
    fn options_word(self, n: usize) -> &'static str {
        match self {
            UiLang::En => self.plural(n, ["option", "options", "options"]),
            UiLang::Pl => self.plural(n, ["odpowiedź", "odpowiedzi", "odpowiedzi"]),
            UiLang::Cs => self.plural(n, ["možnost", "možnosti", "možností"]),
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
                UiLang::En => format!("Choose a value from {min} to {max}."),
                UiLang::Pl => format!("Wybierz wartość od {min} do {max}."),
                UiLang::Cs => format!("Zvolte hodnotu od {min} do {max}."),
            },
            K::TooLong { max } => {
                let n = *max;
                match self {
                    UiLang::En => format!(
                        "Use at most {n} {}.",
                        self.plural(n, ["character", "characters", "characters"])
                    ),
                    UiLang::Pl => format!(
                        "Wpisz najwyżej {n} {}.",
                        self.plural(n, ["znak", "znaki", "znaków"])
                    ),
                    UiLang::Cs => format!(
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
            K::Duplicate { id } => match self {
                UiLang::En => format!("“{id}” is given more than once."),
                UiLang::Pl => format!("„{id}” podano więcej niż raz."),
                UiLang::Cs => format!("„{id}“ je uvedeno vícekrát."),
            },
            K::UnknownQuestion { id } => match self {
                UiLang::En => format!("There is no question “{id}” here."),
                UiLang::Pl => format!("Nie ma tu pytania „{id}”."),
                UiLang::Cs => format!("Otázka „{id}“ tu není."),
            },
            K::UnknownOption { id } => match self {
                UiLang::En => format!("“{id}” is not one of the offered answers."),
                UiLang::Pl => format!("„{id}” nie jest jedną z podanych odpowiedzi."),
                UiLang::Cs => format!("„{id}“ není mezi nabízenými odpověďmi."),
            },
            K::UnknownLocale { locale } => match self {
                UiLang::En => format!("The language “{locale}” is not available."),
                UiLang::Pl => format!("Język „{locale}” nie jest dostępny."),
                UiLang::Cs => format!("Jazyk „{locale}“ není k dispozici."),
            },
            K::MissingTranslation { locale } => match self {
                UiLang::En => format!("The text is missing in the language “{locale}”."),
                UiLang::Pl => format!("Brakuje tekstu w języku „{locale}”."),
                UiLang::Cs => format!("Chybí text v jazyce „{locale}“."),
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
                UiLang::En => format!("Invalid condition: {reason}"),
                UiLang::Pl => format!("Nieprawidłowy warunek: {reason}"),
                UiLang::Cs => format!("Neplatná podmínka: {reason}"),
            },
            K::TooMany { max } => {
                let n = *max;
                match self {
                    UiLang::En => format!(
                        "At most {n} {} allowed.",
                        self.plural(n, ["entry is", "entries are", "entries are"])
                    ),
                    UiLang::Pl => format!(
                        "Możesz podać najwyżej {n} {}.",
                        self.plural(n, ["pozycję", "pozycje", "pozycji"])
                    ),
                    UiLang::Cs => format!(
                        "Můžete zadat nejvýše {n} {}.",
                        self.plural(n, ["položku", "položky", "položek"])
                    ),
                }
            }
        }
    }

    /// "Choose between 1 and 3 options", also the hint of a limited multiple-choice question.
    pub fn choice_count(self, min: usize, max: usize) -> String {
        let word = self.options_word(max);
        match (self, min == max) {
            (UiLang::En, true) => format!("Choose exactly {max} {word}."),
            (UiLang::Pl, true) => format!("Wybierz dokładnie {max} {word}."),
            (UiLang::Cs, true) => format!("Vyberte přesně {max} {word}."),
            (UiLang::En, false) => format!("Choose {min} to {max} {word}."),
            (UiLang::Pl, false) => format!("Wybierz od {min} do {max} {word}."),
            (UiLang::Cs, false) => format!("Vyberte {min} až {max} {word}."),
        }
    }

    /// The label of a Kano answer ("I like it").
    pub fn kano(self, answer: KanoAnswer) -> &'static str {
        self.pick(match answer {
            KanoAnswer::Like => ["I like it", "Podoba mi się", "Líbí se mi to"],
            KanoAnswer::Expect => ["I expect it", "Oczekuję tego", "Očekávám to"],
            KanoAnswer::Neutral => ["I am neutral", "Jest mi to obojętne", "Je mi to jedno"],
            KanoAnswer::Tolerate => ["I can live with it", "Mogę z tym żyć", "Smířím se s tím"],
            KanoAnswer::Dislike => ["I dislike it", "Nie podoba mi się", "Nelíbí se mi to"],
        })
    }

    /// The default end labels (low, high) of the standard scales: nps, csat and ces.
    /// Other kinds have none (a rating or matrix scale carries its own author labels).
    pub fn scale_labels(self, kind: &QuestionKind) -> Option<(&'static str, &'static str)> {
        let [en, pl, cs] = match kind {
            QuestionKind::Nps => [
                ("Not at all likely", "Extremely likely"),
                ("Na pewno nie polecę", "Na pewno polecę"),
                ("Určitě nedoporučím", "Určitě doporučím"),
            ],
            QuestionKind::Csat => [
                ("Very dissatisfied", "Very satisfied"),
                ("Bardzo niezadowolony/a", "Bardzo zadowolony/a"),
                ("Velmi nespokojený/á", "Velmi spokojený/á"),
            ],
            QuestionKind::Ces => [
                ("Very difficult", "Very easy"),
                ("Bardzo trudno", "Bardzo łatwo"),
                ("Velmi obtížné", "Velmi snadné"),
            ],
            _ => return None,
        };
        Some(self.pick([en, pl, cs]))
    }

    /// The heading and the text of a message page.
    pub fn message(self, kind: MessageKind) -> (&'static str, &'static str) {
        self.pick(match kind {
            MessageKind::NotFound => [
                (
                    "Survey not found",
                    "This link does not lead to an active survey. Check the address, or ask whoever sent it to you for a new link.",
                ),
                (
                    "Nie znaleziono ankiety",
                    "Ten link nie prowadzi do aktywnej ankiety. Sprawdź adres albo poproś nadawcę o nowy link.",
                ),
                (
                    "Dotazník nebyl nalezen",
                    "Tento odkaz nevede na aktivní dotazník. Zkontrolujte adresu nebo požádejte odesílatele o nový odkaz.",
                ),
            ],
            MessageKind::Closed => [
                (
                    "This survey is closed",
                    "It no longer accepts answers. Thank you for your interest.",
                ),
                (
                    "Ankieta jest zamknięta",
                    "Nie przyjmuje już odpowiedzi. Dziękujemy za zainteresowanie.",
                ),
                (
                    "Dotazník je uzavřen",
                    "Už nepřijímá odpovědi. Děkujeme za váš zájem.",
                ),
            ],
            MessageKind::AlreadyAnswered => [
                (
                    "This survey has already been answered",
                    "Thank you, we already have your answers.",
                ),
                (
                    "Ta ankieta została już wypełniona",
                    "Dziękujemy, mamy już Twoje odpowiedzi.",
                ),
                (
                    "Tento dotazník už byl vyplněn",
                    "Děkujeme, vaše odpovědi už máme.",
                ),
            ],
            MessageKind::TooManyRequests => [
                ("Too many attempts", "Please wait a minute and try again."),
                ("Zbyt wiele prób", "Odczekaj chwilę i spróbuj ponownie."),
                (
                    "Příliš mnoho pokusů",
                    "Počkejte prosím chvíli a zkuste to znovu.",
                ),
            ],
            MessageKind::ServerError => [
                (
                    "Something went wrong",
                    "We could not process your request. Please try again in a moment.",
                ),
                (
                    "Coś poszło nie tak",
                    "Nie udało się przetworzyć żądania. Spróbuj ponownie za chwilę.",
                ),
                (
                    "Něco se pokazilo",
                    "Váš požadavek se nepodařilo zpracovat. Zkuste to prosím za chvíli znovu.",
                ),
            ],
            MessageKind::BadRequest => [
                (
                    "This request cannot be processed",
                    "The page received data it cannot use. Go back and try again, or open the survey link once more.",
                ),
                (
                    "Nie można przetworzyć żądania",
                    "Strona otrzymała dane, których nie może użyć. Wróć i spróbuj ponownie albo otwórz link do ankiety jeszcze raz.",
                ),
                (
                    "Požadavek nelze zpracovat",
                    "Stránka obdržela data, která nemůže použít. Vraťte se a zkuste to znovu, nebo znovu otevřete odkaz na dotazník.",
                ),
            ],
        })
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
    fn locales_map_to_their_chrome_language() {
        assert_eq!(UiLang::for_locale(&locale("pl")), UiLang::Pl);
        assert_eq!(UiLang::for_locale(&locale("cs")), UiLang::Cs);
        assert_eq!(UiLang::for_locale(&locale("en-GB")), UiLang::En);
        assert_eq!(UiLang::for_locale(&locale("de")), UiLang::En);
    }

    #[test]
    fn every_chrome_text_exists_in_every_language() {
        for lang in UiLang::ALL {
            for key in Chrome::ALL {
                assert!(!lang.t(key).trim().is_empty(), "{lang:?} {key:?}");
            }
        }
        assert_eq!(UiLang::Pl.t(Chrome::Submit), "Wyślij");
        assert_eq!(UiLang::Cs.t(Chrome::Back), "Zpět");
        assert_eq!(UiLang::Cs.t(Chrome::Next), "Další");
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
            let [en, pl, cs] = [UiLang::En, UiLang::Pl, UiLang::Cs].map(|l| l.field_error(kind));
            assert!(
                !en.is_empty() && !pl.is_empty() && !cs.is_empty(),
                "{kind:?}"
            );
            assert!(en != pl && en != cs && pl != cs, "{kind:?} not translated");
        }
        assert_eq!(
            UiLang::Cs.field_error(&K::OutOfRange { min: 0, max: 10 }),
            "Zvolte hodnotu od 0 do 10."
        );
        assert_eq!(
            UiLang::Pl.field_error(&K::TooLong { max: 500 }),
            "Wpisz najwyżej 500 znaków."
        );
        assert_eq!(
            UiLang::Pl.field_error(&K::TooLong { max: 22 }),
            "Wpisz najwyżej 22 znaki."
        );
        assert_eq!(
            UiLang::Cs.field_error(&K::ChoiceCount { min: 1, max: 3 }),
            "Vyberte 1 až 3 možnosti."
        );
        assert_eq!(
            UiLang::En.field_error(&K::ChoiceCount { min: 2, max: 2 }),
            "Choose exactly 2 options."
        );
    }

    #[test]
    fn message_pages_exist_in_every_language() {
        let kinds = [
            MessageKind::NotFound,
            MessageKind::Closed,
            MessageKind::AlreadyAnswered,
            MessageKind::TooManyRequests,
            MessageKind::ServerError,
            MessageKind::BadRequest,
        ];
        for kind in kinds {
            let texts = UiLang::ALL.map(|l| l.message(kind));
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
