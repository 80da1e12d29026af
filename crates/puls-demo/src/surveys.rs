//! The demo e-shop's surveys, in the definition format that [`puls_core::Survey::parse`] reads.
//!
//! The shop is "Lumo", an online store selling in Poland and Czechia. It asks for feedback at
//! six points of the customer journey; every survey is written in Polish, Czech and English.
//! Together the surveys use every question type, skip logic and one early end.

use puls_core::Value;

/// One demo survey: a stable key and its definition.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoSurvey {
    /// A short stable name, such as `checkout-nps`; usable as a URL slug.
    pub key: &'static str,
    /// The definition, ready for [`puls_core::Survey::parse`].
    pub definition: Value,
}

/// The demo e-shop's surveys, one or more per touchpoint of the journey:
///
/// | key | touchpoint | default channel | highlights |
/// |---|---|---|---|
/// | `information-rating` | information | in_app | rating, choice, "what was missing" with other |
/// | `checkout-nps` | checkout | web | NPS, "what went wrong" when NPS <= 6, contact |
/// | `delivery-csat` | delivery | email | ends early when the order has not arrived, matrix |
/// | `support-ces` | support | chat | CES, callback request when unresolved |
/// | `returns-feedback` | returns | store | CES, CSAT, NPS, ranking |
/// | `features-kano` | loyalty | email | relationship NPS, five Kano pairs, ranking |
///
/// Every survey declares `pl` (default), `cs` and `en`.
pub fn surveys() -> Vec<DemoSurvey> {
    vec![
        DemoSurvey {
            key: "information-rating",
            definition: information_rating(),
        },
        DemoSurvey {
            key: "checkout-nps",
            definition: checkout_nps(),
        },
        DemoSurvey {
            key: "delivery-csat",
            definition: delivery_csat(),
        },
        DemoSurvey {
            key: "support-ces",
            definition: support_ces(),
        },
        DemoSurvey {
            key: "returns-feedback",
            definition: returns_feedback(),
        },
        DemoSurvey {
            key: "features-kano",
            definition: features_kano(),
        },
    ]
}

// ---------------------------------------------------------------------------------------------
// A tiny builder for definitions.

/// A text in the three demo languages.
fn t(pl: &str, cs: &str, en: &str) -> Value {
    Value::map([
        ("pl", Value::str(pl)),
        ("cs", Value::str(cs)),
        ("en", Value::str(en)),
    ])
}

/// Options (or matrix rows): id and the three texts.
fn opts(list: &[(&str, &str, &str, &str)]) -> Value {
    Value::List(
        list.iter()
            .map(|(id, pl, cs, en)| Value::map([("id", Value::str(*id)), ("text", t(pl, cs, en))]))
            .collect(),
    )
}

/// A question under construction.
struct Q(Vec<(&'static str, Value)>);

fn q(id: &str, ty: &str, text: Value) -> Q {
    Q(vec![
        ("id", Value::str(id)),
        ("type", Value::str(ty)),
        ("text", text),
    ])
}

impl Q {
    fn required(self) -> Q {
        self.with("required", Value::Bool(true))
    }

    fn with(mut self, key: &'static str, v: Value) -> Q {
        self.0.push((key, v));
        self
    }

    fn done(self) -> Value {
        Value::map(self.0)
    }
}

/// A comparison of a score question with a number.
fn cmp(question: &str, op: &str, value: i64) -> Value {
    Value::map([
        ("question", Value::str(question)),
        ("op", Value::str(op)),
        ("value", Value::Int(value)),
    ])
}

/// A choice question's answer includes one of these options.
fn any_of(question: &str, values: &[&str]) -> Value {
    Value::map([
        ("question", Value::str(question)),
        ("op", Value::str("in")),
        (
            "values",
            Value::List(values.iter().map(|v| Value::str(*v)).collect()),
        ),
    ])
}

fn survey(
    title: Value,
    intro: Value,
    thank_you: Value,
    touchpoint: &str,
    channel: &str,
    questions: Vec<Value>,
) -> Value {
    Value::map([
        ("title", title),
        ("intro", intro),
        ("thank_you", thank_you),
        (
            "locales",
            Value::List(vec![Value::str("pl"), Value::str("cs"), Value::str("en")]),
        ),
        ("default_locale", Value::str("pl")),
        ("touchpoint", Value::str(touchpoint)),
        ("channel", Value::str(channel)),
        ("questions", Value::List(questions)),
    ])
}

fn nps_question(id: &str, text: Value) -> Q {
    q(id, "nps", text).with(
        "help",
        t(
            "0 = na pewno nie, 10 = na pewno tak",
            "0 = určitě ne, 10 = určitě ano",
            "0 = not at all likely, 10 = extremely likely",
        ),
    )
}

fn recommend() -> Value {
    t(
        "Jak bardzo prawdopodobne jest, że polecisz Lumo znajomym?",
        "Jak pravděpodobné je, že byste Lumo doporučili svým známým?",
        "How likely are you to recommend Lumo to a friend?",
    )
}

fn agree_help() -> Value {
    t(
        "1 = zdecydowanie się nie zgadzam, 7 = zdecydowanie się zgadzam",
        "1 = rozhodně nesouhlasím, 7 = rozhodně souhlasím",
        "1 = strongly disagree, 7 = strongly agree",
    )
}

fn consent() -> Value {
    t(
        "Zgadzam się na kontakt w sprawie mojej opinii.",
        "Souhlasím s tím, že mě budete kontaktovat ohledně mé zpětné vazby.",
        "I agree to be contacted about my feedback.",
    )
}

fn other() -> Value {
    t("Inne", "Jiné", "Other")
}

fn thanks() -> Value {
    t(
        "Dziękujemy! Każda opinia pomaga nam ulepszać zakupy w Lumo.",
        "Děkujeme! Každý názor nám pomáhá zlepšovat nakupování v Lumo.",
        "Thank you! Every answer helps us make shopping at Lumo better.",
    )
}

// ---------------------------------------------------------------------------------------------
// The surveys.

fn information_rating() -> Value {
    survey(
        t(
            "Informacje o produktach",
            "Informace o produktech",
            "Product information",
        ),
        t(
            "Pomóż nam ulepszyć opisy produktów. To zajmie 30 sekund.",
            "Pomozte nám vylepšit popisy produktů. Zabere to 30 sekund.",
            "Help us improve our product pages. It takes 30 seconds.",
        ),
        t(
            "Dziękujemy! Twoja opinia trafi do zespołu, który przygotowuje opisy.",
            "Děkujeme! Váš názor předáme týmu, který připravuje popisy.",
            "Thank you! Your feedback goes straight to our content team.",
        ),
        "information",
        "in_app",
        vec![
            q(
                "found",
                "single_choice",
                t(
                    "Czy udało się znaleźć potrzebne informacje?",
                    "Našli jste informace, které jste hledali?",
                    "Did you find the information you were looking for?",
                ),
            )
            .required()
            .with(
                "options",
                opts(&[
                    ("yes", "Tak", "Ano", "Yes"),
                    ("partly", "Częściowo", "Částečně", "Partly"),
                    ("no", "Nie", "Ne", "No"),
                ]),
            )
            .done(),
            q(
                "helpful",
                "rating",
                t(
                    "Jak oceniasz przydatność opisu produktu?",
                    "Jak hodnotíte užitečnost popisu produktu?",
                    "How useful was the product description?",
                ),
            )
            .required()
            .with("min", Value::Int(1))
            .with("max", Value::Int(5))
            .with("min_label", t("Bezużyteczny", "Neužitečný", "Useless"))
            .with(
                "max_label",
                t("Bardzo przydatny", "Velmi užitečný", "Very useful"),
            )
            .done(),
            q(
                "missing",
                "multiple_choice",
                t("Czego zabrakło?", "Co vám chybělo?", "What was missing?"),
            )
            .with(
                "options",
                opts(&[
                    (
                        "sizes",
                        "Tabela rozmiarów",
                        "Tabulka velikostí",
                        "Size chart",
                    ),
                    ("photos", "Więcej zdjęć", "Více fotografií", "More photos"),
                    (
                        "availability",
                        "Dostępność w magazynie",
                        "Dostupnost skladem",
                        "Stock availability",
                    ),
                    (
                        "delivery_info",
                        "Koszt i czas dostawy",
                        "Cena a doba doručení",
                        "Delivery cost and time",
                    ),
                    (
                        "specs",
                        "Parametry techniczne",
                        "Technické parametry",
                        "Technical specifications",
                    ),
                    (
                        "reviews",
                        "Opinie klientów",
                        "Recenze zákazníků",
                        "Customer reviews",
                    ),
                ]),
            )
            .with("randomize", Value::Bool(true))
            .with("other", other())
            .with("max_choices", Value::Int(3))
            .with("show_if", any_of("found", &["partly", "no"]))
            .done(),
            q(
                "comment",
                "open_text",
                t(
                    "Co możemy poprawić na stronie produktu?",
                    "Co můžeme na stránce produktu zlepšit?",
                    "What could we improve on the product page?",
                ),
            )
            .with("max_length", Value::Int(1000))
            .done(),
        ],
    )
}

fn checkout_nps() -> Value {
    survey(
        t(
            "Twoje zakupy w Lumo",
            "Váš nákup v Lumo",
            "Your purchase at Lumo",
        ),
        t(
            "Dziękujemy za zamówienie! Mamy kilka krótkich pytań.",
            "Děkujeme za objednávku! Máme pár krátkých otázek.",
            "Thanks for your order! A few quick questions.",
        ),
        thanks(),
        "checkout",
        "web",
        vec![
            nps_question("nps", recommend()).required().done(),
            q(
                "issues",
                "multiple_choice",
                t("Co poszło nie tak?", "Co se nepovedlo?", "What went wrong?"),
            )
            .with(
                "options",
                opts(&[
                    (
                        "payment_failed",
                        "Problem z płatnością",
                        "Problém s platbou",
                        "Payment problem",
                    ),
                    (
                        "shipping_cost",
                        "Wysoki koszt dostawy",
                        "Vysoká cena dopravy",
                        "High shipping cost",
                    ),
                    (
                        "payment_methods",
                        "Brak preferowanej metody płatności",
                        "Chyběl můj oblíbený způsob platby",
                        "My preferred payment method was missing",
                    ),
                    (
                        "slow_site",
                        "Strona działała wolno",
                        "Stránka byla pomalá",
                        "The site was slow",
                    ),
                    (
                        "account_required",
                        "Konieczność zakładania konta",
                        "Povinná registrace",
                        "Having to create an account",
                    ),
                    (
                        "promo_code",
                        "Kod rabatowy nie zadziałał",
                        "Slevový kód nefungoval",
                        "The discount code did not work",
                    ),
                ]),
            )
            .with("other", t("Inny problem", "Jiný problém", "Something else"))
            .with("show_if", cmp("nps", "lte", 6))
            .done(),
            q(
                "payment",
                "single_choice",
                t(
                    "Jak zapłacono za to zamówienie?",
                    "Jak jste za objednávku platili?",
                    "How did you pay for this order?",
                ),
            )
            .with(
                "options",
                opts(&[
                    ("card", "Karta płatnicza", "Platební karta", "Card"),
                    ("blik", "BLIK", "BLIK", "BLIK"),
                    (
                        "bank_transfer",
                        "Szybki przelew",
                        "Bankovní převod",
                        "Bank transfer",
                    ),
                    (
                        "cash_on_delivery",
                        "Za pobraniem",
                        "Dobírka",
                        "Cash on delivery",
                    ),
                    (
                        "pay_later",
                        "Płatność odroczona",
                        "Odložená platba",
                        "Pay later",
                    ),
                ]),
            )
            .done(),
            q(
                "liked",
                "open_text",
                t(
                    "Co spodobało Ci się najbardziej?",
                    "Co se vám líbilo nejvíc?",
                    "What did you like most?",
                ),
            )
            .with("max_length", Value::Int(1000))
            .with("show_if", cmp("nps", "gte", 9))
            .done(),
            q(
                "improve",
                "open_text",
                t(
                    "Co możemy zrobić lepiej?",
                    "Co můžeme udělat lépe?",
                    "What could we do better?",
                ),
            )
            .with("max_length", Value::Int(1000))
            .with("show_if", cmp("nps", "lte", 8))
            .done(),
            q(
                "follow_up",
                "contact",
                t(
                    "Czy możemy się z Tobą skontaktować w tej sprawie?",
                    "Můžeme vás v této věci kontaktovat?",
                    "May we contact you about this?",
                ),
            )
            .with(
                "fields",
                Value::List(vec![Value::str("email"), Value::str("phone")]),
            )
            .with("consent", consent())
            .with("show_if", cmp("nps", "lte", 6))
            .done(),
        ],
    )
}

fn delivery_csat() -> Value {
    survey(
        t(
            "Dostawa Twojego zamówienia",
            "Doručení vaší objednávky",
            "Delivery of your order",
        ),
        t(
            "Jak poszła dostawa? Odpowiedź zajmie minutę.",
            "Jak proběhlo doručení? Odpověď zabere minutu.",
            "How did the delivery go? It takes a minute.",
        ),
        thanks(),
        "delivery",
        "email",
        vec![
            q(
                "arrived",
                "single_choice",
                t(
                    "Czy zamówienie już do Ciebie dotarło?",
                    "Dorazila už k vám objednávka?",
                    "Has your order arrived?",
                ),
            )
            .required()
            .with(
                "options",
                opts(&[
                    ("yes", "Tak", "Ano", "Yes"),
                    ("not_yet", "Jeszcze nie", "Ještě ne", "Not yet"),
                ]),
            )
            .with("end_if", any_of("arrived", &["not_yet"]))
            .done(),
            q(
                "csat",
                "csat",
                t(
                    "Jak oceniasz swoje zadowolenie z dostawy?",
                    "Jak jste spokojeni s doručením?",
                    "How satisfied are you with the delivery?",
                ),
            )
            .required()
            .done(),
            nps_question(
                "nps",
                t(
                    "Po tej dostawie: jak bardzo prawdopodobne jest, że polecisz Lumo znajomym?",
                    "Jak pravděpodobné je po tomto doručení, že byste Lumo doporučili svým známým?",
                    "After this delivery, how likely are you to recommend Lumo to a friend?",
                ),
            )
            .required()
            .done(),
            q(
                "method",
                "single_choice",
                t(
                    "Jaki sposób dostawy wybrano?",
                    "Jaký způsob doručení jste zvolili?",
                    "Which delivery method did you choose?",
                ),
            )
            .with(
                "options",
                opts(&[
                    ("courier", "Kurier", "Kurýr", "Courier"),
                    ("parcel_locker", "Paczkomat", "Výdejní box", "Parcel locker"),
                    (
                        "pickup_point",
                        "Punkt odbioru",
                        "Výdejní místo",
                        "Pickup point",
                    ),
                    (
                        "store_pickup",
                        "Odbiór w sklepie",
                        "Vyzvednutí v prodejně",
                        "Store pickup",
                    ),
                ]),
            )
            .done(),
            q(
                "aspects",
                "matrix",
                t(
                    "Oceń poszczególne elementy dostawy",
                    "Ohodnoťte jednotlivé části doručení",
                    "Rate each part of the delivery",
                ),
            )
            .with(
                "rows",
                opts(&[
                    (
                        "speed",
                        "Czas dostawy",
                        "Rychlost doručení",
                        "Delivery speed",
                    ),
                    ("packaging", "Opakowanie", "Balení", "Packaging"),
                    ("courier", "Kontakt z kurierem", "Jednání kurýra", "Courier"),
                    (
                        "tracking",
                        "Śledzenie przesyłki",
                        "Sledování zásilky",
                        "Tracking",
                    ),
                ]),
            )
            .with("min", Value::Int(1))
            .with("max", Value::Int(5))
            .with("min_label", t("Bardzo źle", "Velmi špatně", "Very poor"))
            .with("max_label", t("Bardzo dobrze", "Velmi dobře", "Very good"))
            .done(),
            q(
                "problems",
                "multiple_choice",
                t(
                    "Jakie problemy wystąpiły?",
                    "Jaké problémy nastaly?",
                    "What problems did you have?",
                ),
            )
            .with(
                "options",
                opts(&[
                    (
                        "late",
                        "Opóźniona dostawa",
                        "Zpožděné doručení",
                        "Late delivery",
                    ),
                    (
                        "damaged",
                        "Uszkodzona paczka",
                        "Poškozený balík",
                        "Damaged parcel",
                    ),
                    (
                        "wrong_item",
                        "Błędny lub niekompletny towar",
                        "Špatné nebo neúplné zboží",
                        "Wrong or missing items",
                    ),
                    (
                        "courier",
                        "Nieuprzejmy kurier",
                        "Nepříjemný kurýr",
                        "Rude courier",
                    ),
                    (
                        "no_notification",
                        "Brak powiadomienia o dostawie",
                        "Chybělo upozornění na doručení",
                        "No delivery notification",
                    ),
                ]),
            )
            .with(
                "other",
                t("Inny problem", "Jiný problém", "Another problem"),
            )
            .with(
                "show_if",
                Value::map([(
                    "any",
                    Value::List(vec![cmp("csat", "lte", 3), cmp("nps", "lte", 6)]),
                )]),
            )
            .done(),
            q(
                "comment",
                "open_text",
                t(
                    "Chcesz coś dodać?",
                    "Chcete něco dodat?",
                    "Anything else you would like to tell us?",
                ),
            )
            .with("max_length", Value::Int(1000))
            .done(),
        ],
    )
}

fn support_ces() -> Value {
    survey(
        t(
            "Kontakt z obsługą klienta",
            "Kontakt se zákaznickou podporou",
            "Your contact with customer support",
        ),
        t(
            "Niedawno rozmawialiśmy. Jak nam poszło?",
            "Nedávno jsme spolu mluvili. Jak jsme si vedli?",
            "We talked recently. How did we do?",
        ),
        thanks(),
        "support",
        "chat",
        vec![
            q(
                "reason",
                "single_choice",
                t(
                    "W jakiej sprawie kontaktowałeś(-aś) się z nami?",
                    "S čím jste nás kontaktovali?",
                    "What did you contact us about?",
                ),
            )
            .required()
            .with(
                "options",
                opts(&[
                    (
                        "order_status",
                        "Status zamówienia",
                        "Stav objednávky",
                        "Order status",
                    ),
                    ("payment", "Płatność", "Platba", "Payment"),
                    (
                        "return",
                        "Zwrot lub reklamacja",
                        "Vrácení nebo reklamace",
                        "Return or complaint",
                    ),
                    (
                        "product",
                        "Pytanie o produkt",
                        "Dotaz k produktu",
                        "Product question",
                    ),
                    (
                        "account",
                        "Konto i dane osobowe",
                        "Účet a osobní údaje",
                        "Account and personal data",
                    ),
                ]),
            )
            .done(),
            q(
                "ces",
                "ces",
                t(
                    "Lumo ułatwiło mi załatwienie mojej sprawy.",
                    "Lumo mi usnadnilo vyřešení mého požadavku.",
                    "Lumo made it easy to handle my issue.",
                ),
            )
            .required()
            .with("help", agree_help())
            .done(),
            q(
                "resolved",
                "single_choice",
                t(
                    "Czy Twoja sprawa została rozwiązana?",
                    "Byl váš požadavek vyřešen?",
                    "Was your issue resolved?",
                ),
            )
            .required()
            .with(
                "options",
                opts(&[
                    ("yes", "Tak", "Ano", "Yes"),
                    ("partly", "Częściowo", "Částečně", "Partly"),
                    ("no", "Nie", "Ne", "No"),
                ]),
            )
            .done(),
            q(
                "agent",
                "csat",
                t(
                    "Jak oceniasz rozmowę z naszym konsultantem?",
                    "Jak jste byli spokojeni s jednáním našeho operátora?",
                    "How satisfied are you with the agent who helped you?",
                ),
            )
            .done(),
            nps_question("nps", recommend()).done(),
            q(
                "difficult",
                "open_text",
                t(
                    "Co sprawiło trudność?",
                    "Co vám to zkomplikovalo?",
                    "What made it difficult?",
                ),
            )
            .with("max_length", Value::Int(1000))
            .with("show_if", cmp("ces", "lte", 4))
            .done(),
            q(
                "callback",
                "contact",
                t(
                    "Czy możemy oddzwonić lub napisać, aby dokończyć sprawę?",
                    "Můžeme vám zavolat nebo napsat a věc dořešit?",
                    "May we call or email you to finish solving it?",
                ),
            )
            .with(
                "fields",
                Value::List(vec![Value::str("phone"), Value::str("email")]),
            )
            .with("consent", consent())
            .with("show_if", any_of("resolved", &["partly", "no"]))
            .done(),
        ],
    )
}

fn returns_feedback() -> Value {
    survey(
        t("Zwrot towaru", "Vrácení zboží", "Your return"),
        t(
            "Przykro nam, że produkt nie spełnił oczekiwań. Pomóż nam ulepszyć zwroty.",
            "Mrzí nás, že zboží nesplnilo očekávání. Pomozte nám zlepšit vracení.",
            "Sorry the item was not right. Help us make returns better.",
        ),
        thanks(),
        "returns",
        "store",
        vec![
            q(
                "reason",
                "single_choice",
                t(
                    "Dlaczego zwracasz towar?",
                    "Proč zboží vracíte?",
                    "Why are you returning the item?",
                ),
            )
            .required()
            .with(
                "options",
                opts(&[
                    (
                        "wrong_size",
                        "Zły rozmiar",
                        "Nevhodná velikost",
                        "Wrong size",
                    ),
                    (
                        "not_as_described",
                        "Niezgodny z opisem",
                        "Neodpovídá popisu",
                        "Not as described",
                    ),
                    ("damaged", "Uszkodzony", "Poškozené", "Damaged"),
                    (
                        "changed_mind",
                        "Zmiana decyzji",
                        "Rozmyslel(a) jsem si to",
                        "Changed my mind",
                    ),
                    (
                        "arrived_late",
                        "Dotarł za późno",
                        "Dorazilo pozdě",
                        "Arrived too late",
                    ),
                ]),
            )
            .done(),
            q(
                "ces",
                "ces",
                t(
                    "Zwrot był dla mnie łatwy.",
                    "Vrácení zboží bylo snadné.",
                    "Returning the item was easy.",
                ),
            )
            .required()
            .with("help", agree_help())
            .done(),
            q(
                "csat",
                "csat",
                t(
                    "Jak oceniasz swoje zadowolenie z przebiegu zwrotu?",
                    "Jak jste spokojeni s průběhem vrácení?",
                    "How satisfied are you with how the return was handled?",
                ),
            )
            .done(),
            nps_question("nps", recommend()).done(),
            q(
                "priorities",
                "ranking",
                t(
                    "Uszereguj, co jest dla Ciebie najważniejsze przy zwrotach",
                    "Seřaďte, co je pro vás při vracení nejdůležitější",
                    "Rank what matters most to you when returning",
                ),
            )
            .with(
                "options",
                opts(&[
                    (
                        "fast_refund",
                        "Szybki zwrot pieniędzy",
                        "Rychlé vrácení peněz",
                        "Fast refund",
                    ),
                    (
                        "free_return",
                        "Darmowy zwrot",
                        "Vrácení zdarma",
                        "Free returns",
                    ),
                    (
                        "home_pickup",
                        "Odbiór spod domu",
                        "Vyzvednutí u vás doma",
                        "Pickup from home",
                    ),
                    (
                        "store_return",
                        "Zwrot w sklepie",
                        "Vrácení na prodejně",
                        "Return in store",
                    ),
                    (
                        "simple_form",
                        "Prosty formularz",
                        "Jednoduchý formulář",
                        "Simple form",
                    ),
                ]),
            )
            .with("randomize", Value::Bool(true))
            .done(),
            q(
                "comment",
                "open_text",
                t(
                    "Co możemy poprawić w procesie zwrotów?",
                    "Co můžeme zlepšit při vracení zboží?",
                    "How could we improve returns?",
                ),
            )
            .with("max_length", Value::Int(1000))
            .done(),
        ],
    )
}

/// A Kano question: the feature and the pair "if it had it" / "if it did not".
fn kano(id: &str, feature: Value, functional: Value, dysfunctional: Value) -> Value {
    q(id, "kano", feature)
        .with("functional", functional)
        .with("dysfunctional", dysfunctional)
        .done()
}

fn features_kano() -> Value {
    survey(
        t("Nowe funkcje Lumo", "Nové funkce Lumo", "New Lumo features"),
        t(
            "Planujemy nowości. Powiedz nam, co o nich myślisz.",
            "Chystáme novinky. Řekněte nám, co si o nich myslíte.",
            "We are planning new features. Tell us what you think.",
        ),
        thanks(),
        "loyalty",
        "email",
        vec![
            nps_question("nps", recommend()).required().done(),
            kano(
                "same_day",
                t(
                    "Dostawa tego samego dnia",
                    "Doručení ještě tentýž den",
                    "Same-day delivery",
                ),
                t(
                    "Jak byś się czuł(a), gdyby Lumo oferowało dostawę tego samego dnia?",
                    "Jak byste se cítili, kdyby Lumo nabízelo doručení ještě tentýž den?",
                    "How would you feel if Lumo offered same-day delivery?",
                ),
                t(
                    "Jak byś się czuł(a), gdyby Lumo nie oferowało dostawy tego samego dnia?",
                    "Jak byste se cítili, kdyby Lumo doručení tentýž den nenabízelo?",
                    "How would you feel if Lumo did not offer same-day delivery?",
                ),
            ),
            kano(
                "free_returns",
                t("Darmowe zwroty", "Vrácení zboží zdarma", "Free returns"),
                t(
                    "Jak byś się czuł(a), gdyby zwroty były darmowe?",
                    "Jak byste se cítili, kdyby vrácení zboží bylo zdarma?",
                    "How would you feel if returns were free?",
                ),
                t(
                    "Jak byś się czuł(a), gdyby zwroty były płatne?",
                    "Jak byste se cítili, kdyby se za vrácení zboží platilo?",
                    "How would you feel if you had to pay for returns?",
                ),
            ),
            kano(
                "tracking",
                t(
                    "Śledzenie paczki na żywo",
                    "Sledování zásilky v reálném čase",
                    "Live parcel tracking",
                ),
                t(
                    "Jak byś się czuł(a), gdybyś mógł (mogła) śledzić paczkę na mapie na żywo?",
                    "Jak byste se cítili, kdybyste mohli sledovat zásilku živě na mapě?",
                    "How would you feel if you could track your parcel live on a map?",
                ),
                t(
                    "Jak byś się czuł(a), gdyby śledzenia paczki na żywo nie było?",
                    "Jak byste se cítili, kdyby živé sledování zásilky nebylo k dispozici?",
                    "How would you feel if live tracking were not available?",
                ),
            ),
            kano(
                "loyalty_points",
                t("Punkty lojalnościowe", "Věrnostní body", "Loyalty points"),
                t(
                    "Jak byś się czuł(a), gdyby za zakupy można było zbierać punkty?",
                    "Jak byste se cítili, kdybyste za nákupy sbírali věrnostní body?",
                    "How would you feel if you earned loyalty points on purchases?",
                ),
                t(
                    "Jak byś się czuł(a), gdyby nie było programu punktów?",
                    "Jak byste se cítili, kdyby věrnostní program nebyl?",
                    "How would you feel if there were no loyalty points?",
                ),
            ),
            kano(
                "eco_packaging",
                t(
                    "Opakowania z recyklingu",
                    "Recyklované obaly",
                    "Recycled packaging",
                ),
                t(
                    "Jak byś się czuł(a), gdyby paczki były pakowane w materiały z recyklingu?",
                    "Jak byste se cítili, kdyby zásilky byly baleny do recyklovaných obalů?",
                    "How would you feel if parcels were packed in recycled materials?",
                ),
                t(
                    "Jak byś się czuł(a), gdyby paczki nie były pakowane w materiały z recyklingu?",
                    "Jak byste se cítili, kdyby zásilky nebyly baleny do recyklovaných obalů?",
                    "How would you feel if parcels were not packed in recycled materials?",
                ),
            ),
            q(
                "priorities",
                "ranking",
                t(
                    "Co powinniśmy wprowadzić najpierw?",
                    "Co bychom měli zavést jako první?",
                    "What should we launch first?",
                ),
            )
            .with(
                "options",
                opts(&[
                    (
                        "same_day",
                        "Dostawa tego samego dnia",
                        "Doručení tentýž den",
                        "Same-day delivery",
                    ),
                    (
                        "free_returns",
                        "Darmowe zwroty",
                        "Vrácení zdarma",
                        "Free returns",
                    ),
                    (
                        "tracking",
                        "Śledzenie paczki na żywo",
                        "Živé sledování zásilky",
                        "Live parcel tracking",
                    ),
                    (
                        "loyalty_points",
                        "Punkty lojalnościowe",
                        "Věrnostní body",
                        "Loyalty points",
                    ),
                    (
                        "eco_packaging",
                        "Opakowania z recyklingu",
                        "Recyklované obaly",
                        "Recycled packaging",
                    ),
                ]),
            )
            .with("randomize", Value::Bool(true))
            .done(),
            q(
                "ideas",
                "open_text",
                t(
                    "Masz pomysł, co jeszcze moglibyśmy ulepszyć?",
                    "Máte nápad, co dalšího bychom mohli zlepšit?",
                    "Any other idea how we could improve?",
                ),
            )
            .with("max_length", Value::Int(1000))
            .done(),
        ],
    )
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use puls_core::{Condition, Survey};

    use super::*;

    #[test]
    fn every_demo_survey_parses_and_round_trips() {
        let mut keys = BTreeSet::new();
        for s in surveys() {
            assert!(keys.insert(s.key), "duplicate key {}", s.key);
            let parsed =
                Survey::parse(&s.definition).unwrap_or_else(|e| panic!("{}: {:?}", s.key, e.0));
            let langs: Vec<&str> = parsed.locales.iter().map(|l| l.as_str()).collect();
            assert_eq!(langs, ["pl", "cs", "en"], "{}", s.key);
            assert_eq!(Survey::parse(&parsed.to_value()).unwrap(), parsed);
        }
    }

    #[test]
    fn the_set_covers_touchpoints_channels_types_and_logic() {
        let parsed: Vec<Survey> = surveys()
            .iter()
            .map(|s| Survey::parse(&s.definition).unwrap())
            .collect();
        let touchpoints: BTreeSet<&str> = parsed.iter().map(|s| s.touchpoint.as_str()).collect();
        for tp in ["information", "checkout", "delivery", "support", "returns"] {
            assert!(touchpoints.contains(tp), "no survey for {tp}");
        }
        let channels: BTreeSet<&str> = parsed.iter().map(|s| s.channel.as_str()).collect();
        assert!(channels.len() >= 5, "{channels:?}");
        let types: BTreeSet<&str> = parsed
            .iter()
            .flat_map(|s| s.questions.iter().map(|q| q.kind.type_name()))
            .collect();
        assert_eq!(types.len(), 11, "{types:?}");
        let end_ifs = parsed
            .iter()
            .flat_map(|s| &s.questions)
            .filter(|q| q.end_if.is_some())
            .count();
        assert_eq!(end_ifs, 1);
        let checkout = &parsed[1];
        let issues = checkout
            .questions
            .iter()
            .find(|q| q.id.as_str() == "issues");
        assert!(matches!(
            issues.and_then(|q| q.show_if.as_ref()),
            Some(Condition::Compare { value: 6, .. })
        ));
        assert!(parsed.iter().flat_map(|s| &s.questions).any(|q| matches!(
            &q.kind,
            puls_core::QuestionKind::MultipleChoice { other: Some(_), .. }
        )));
    }
}
