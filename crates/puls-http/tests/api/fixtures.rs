//! Survey definitions the tests share, written out in full so a reader sees what is tested.

use serde_json::{Value, json};

/// A text in English and Czech.
pub fn tx(en: &str, cs: &str) -> Value {
    json!({ "en": en, "cs": cs })
}

/// The smallest useful survey: a required NPS and an optional comment, English only.
pub fn nps_survey() -> Value {
    json!({
        "title": { "en": "Checkout feedback" },
        "locales": ["en"],
        "touchpoint": "checkout",
        "questions": [
            { "id": "nps", "type": "nps", "required": true,
              "text": { "en": "How likely are you to recommend us to a friend?" } },
            { "id": "comment", "type": "open_text",
              "text": { "en": "Anything else you would like to tell us?" } }
        ]
    })
}

/// One question of every type, in English (default) and Czech. Only `nps` is required.
pub fn all_types_survey() -> Value {
    json!({
        "title": tx("Everything survey", "Dotazník se vším"),
        "locales": ["en", "cs"],
        "default_locale": "en",
        "touchpoint": "delivery",
        "channel": "email",
        "questions": [
            { "id": "nps", "type": "nps", "required": true,
              "text": tx("How likely are you to recommend us?", "Doporučili byste nás?") },
            { "id": "csat", "type": "csat",
              "text": tx("How satisfied are you?", "Jak jste spokojeni?") },
            { "id": "ces", "type": "ces",
              "text": tx("How easy was it?", "Jak snadné to bylo?") },
            { "id": "stars", "type": "rating", "min": 1, "max": 10,
              "min_label": tx("Poor", "Špatně"), "max_label": tx("Great", "Skvěle"),
              "text": tx("Rate the courier", "Ohodnoťte kurýra") },
            { "id": "payment", "type": "single_choice",
              "text": tx("How did you pay?", "Jak jste platili?"),
              "options": [
                  { "id": "card", "text": tx("Card", "Kartou") },
                  { "id": "transfer", "text": tx("Bank transfer", "Převodem") },
                  { "id": "cash", "text": tx("Cash on delivery", "Dobírkou") }
              ] },
            { "id": "liked", "type": "multiple_choice",
              "text": tx("What did you like?", "Co se vám líbilo?"),
              "other": tx("Something else", "Něco jiného"),
              "options": [
                  { "id": "speed", "text": tx("Speed", "Rychlost") },
                  { "id": "price", "text": tx("Price", "Cena") },
                  { "id": "packaging", "text": tx("Packaging", "Balení") }
              ] },
            { "id": "comment", "type": "open_text",
              "text": tx("Anything else?", "Ještě něco?") },
            { "id": "aspects", "type": "matrix", "min": 1, "max": 5,
              "text": tx("Rate each part", "Ohodnoťte jednotlivé části"),
              "rows": [
                  { "id": "website", "text": tx("Website", "Web") },
                  { "id": "delivery", "text": tx("Delivery", "Doručení") }
              ] },
            { "id": "priorities", "type": "ranking",
              "text": tx("Order by importance", "Seřaďte podle důležitosti"),
              "options": [
                  { "id": "price", "text": tx("Price", "Cena") },
                  { "id": "speed", "text": tx("Speed", "Rychlost") },
                  { "id": "quality", "text": tx("Quality", "Kvalita") }
              ] },
            { "id": "tracking", "type": "kano",
              "text": tx("Live parcel tracking", "Sledování zásilky"),
              "functional": tx("If we had it?", "Kdybychom ho měli?"),
              "dysfunctional": tx("If we did not?", "Kdybychom ho neměli?") },
            { "id": "reach", "type": "contact", "fields": ["email", "phone"],
              "text": tx("May we contact you?", "Můžeme vás kontaktovat?"),
              "consent": tx("I agree to be contacted", "Souhlasím s kontaktováním") }
        ]
    })
}

/// An answer to every question of [`all_types_survey`].
pub fn all_types_answers() -> Value {
    json!({
        "nps": 9,
        "csat": 4,
        "ces": 2,
        "stars": 7,
        "payment": "transfer",
        "liked": { "selected": ["speed", "packaging"], "other": "Friendly driver" },
        "comment": "Fast, but the box was \"slightly\" dented, sadly.\nStill happy.",
        "aspects": { "website": 5, "delivery": 3 },
        "priorities": ["quality", "price", "speed"],
        "tracking": { "functional": "like", "dysfunctional": "dislike" },
        "reach": { "email": "jana@example.com", "phone": "+420 601 234 567", "consent": true }
    })
}

/// Skip logic and an early end: a parcel that has not arrived ends the survey; the reason
/// is asked of detractors only, praise of promoters only.
pub fn skip_logic_survey() -> Value {
    json!({
        "title": { "en": "Delivery" },
        "locales": ["en"],
        "touchpoint": "delivery",
        "questions": [
            { "id": "arrived", "type": "single_choice", "required": true,
              "text": { "en": "Has your order arrived?" },
              "options": [
                  { "id": "yes", "text": { "en": "Yes" } },
                  { "id": "no", "text": { "en": "Not yet" } }
              ],
              "end_if": { "question": "arrived", "op": "in", "values": ["no"] } },
            { "id": "nps", "type": "nps", "required": true,
              "text": { "en": "How likely are you to recommend us?" } },
            { "id": "reason", "type": "single_choice", "required": true,
              "text": { "en": "What went wrong?" },
              "show_if": { "question": "nps", "op": "lte", "value": 6 },
              "options": [
                  { "id": "late", "text": { "en": "It was late" } },
                  { "id": "damaged", "text": { "en": "It was damaged" } }
              ] },
            { "id": "praise", "type": "open_text",
              "text": { "en": "What did you love?" },
              "show_if": { "question": "nps", "op": "gte", "value": 9 } }
        ]
    })
}
