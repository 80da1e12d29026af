//! The CX manager's web app as HTML: pages rendered from embedded templates in the user's
//! language, numbers and dates in that language's format, charts drawn as inline SVG.
//!
//! No HTTP and no storage here: the server gathers what a page shows and hands it over as a
//! template context. Every text comes from [`texts`] (English, Polish, Czech side by side);
//! every user-supplied string is escaped by the template engine (auto-escaping is on for
//! every `.html` template, and nothing is marked safe but the SVG this crate draws); pages
//! load nothing from anywhere (styles inline, no scripts needed).

pub mod chart;
pub mod format;
pub mod texts;

use minijinja::value::Rest;
use minijinja::{Environment, State, UndefinedBehavior, Value};

/// The interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    Pl,
    Cs,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Pl, Lang::Cs];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Pl => "pl",
            Lang::Cs => "cs",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.code() == s)
    }

    /// The first supported language of an `Accept-Language` header (English otherwise).
    pub fn from_accept_language(header: &str) -> Lang {
        header
            .split(',')
            .filter_map(|part| {
                let mut it = part.split(';');
                let tag = it.next()?.trim();
                let q = it
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                let primary = tag.split('-').next()?.to_ascii_lowercase();
                Lang::parse(&primary).map(|l| (l, q))
            })
            .fold(None, |best: Option<(Lang, f32)>, (l, q)| match best {
                Some((_, bq)) if bq >= q => best,
                _ => Some((l, q)),
            })
            .map_or(Lang::En, |(l, _)| l)
    }

    /// Every text in this language, for templates (`t.key`).
    fn texts(self) -> Value {
        let map: std::collections::BTreeMap<&str, &str> = texts::TEXTS
            .iter()
            .map(|(k, ..)| (*k, texts::text(self, k).unwrap_or_default()))
            .collect();
        Value::from(map)
    }
}

const TEMPLATES: &[(&str, &str)] = &[
    ("style.css", include_str!("../templates/style.css")),
    ("head.html", include_str!("../templates/head.html")),
    ("layout.html", include_str!("../templates/layout.html")),
    ("bare.html", include_str!("../templates/bare.html")),
    ("errors.html", include_str!("../templates/errors.html")),
    (
        "account_fields.html",
        include_str!("../templates/account_fields.html"),
    ),
    ("setup.html", include_str!("../templates/setup.html")),
    ("sign_in.html", include_str!("../templates/sign_in.html")),
    ("message.html", include_str!("../templates/message.html")),
    ("account.html", include_str!("../templates/account.html")),
    ("overview.html", include_str!("../templates/overview.html")),
    ("inbox.html", include_str!("../templates/inbox.html")),
    ("problems.html", include_str!("../templates/problems.html")),
    ("surveys.html", include_str!("../templates/surveys.html")),
    ("builder.html", include_str!("../templates/builder.html")),
    ("settings.html", include_str!("../templates/settings.html")),
    ("journey.html", include_str!("../templates/journey.html")),
    (
        "touchpoint.html",
        include_str!("../templates/touchpoint.html"),
    ),
    ("analyses.html", include_str!("../templates/analyses.html")),
    (
        "invitation.html",
        include_str!("../templates/invitation.html"),
    ),
    ("response.html", include_str!("../templates/response.html")),
];

/// The page renderer: compiled templates, shared by all requests.
pub struct Console {
    env: Environment<'static>,
}

impl Default for Console {
    fn default() -> Self {
        Self::new()
    }
}

fn lang_of(state: &State<'_, '_>) -> Lang {
    state
        .lookup("lang")
        .and_then(|v| v.as_str().and_then(Lang::parse))
        .unwrap_or_default()
}

impl Console {
    /// Compiles the embedded templates.
    pub fn new() -> Self {
        let mut env = Environment::new();
        // A misspelt variable or text key is an error, not an empty string; `{% if %}` may
        // still test for absent values.
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        if let Ok(syntax) = minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()
        {
            env.set_syntax(syntax);
        }
        for (name, source) in TEMPLATES {
            // Part of the binary; the tests render every page in every language.
            env.add_template(name, source)
                .expect("embedded templates are valid");
        }
        // `{{ t.key | fill(a, b) }}`: puts the arguments in for {0}, {1}.
        env.add_filter("fill", |s: String, args: Rest<Value>| -> String {
            args.iter().enumerate().fold(s, |s, (i, a)| {
                s.replace(&format!("{{{i}}}"), &a.to_string())
            })
        });
        // `{{ x | num(1) }}`: a number in the page's language.
        env.add_filter(
            "num",
            |state: &State<'_, '_>, v: Option<f64>, decimals: Option<u32>| -> String {
                v.map(|v| format::number(lang_of(state), v, decimals.unwrap_or(0) as usize))
                    .unwrap_or_else(|| "–".into())
            },
        );
        // `{{ x | signed(1) }}`: with its sign (+3.2, −1.0).
        env.add_filter(
            "signed",
            |state: &State<'_, '_>, v: Option<f64>, decimals: Option<u32>| -> String {
                v.map(|v| format::signed(lang_of(state), v, decimals.unwrap_or(0) as usize))
                    .unwrap_or_else(|| "–".into())
            },
        );
        // `{{ c | label("channel_") }}`: the text of key `channel_{c}`, or `c` itself when
        // there is none (a value from the data, not from our vocabulary).
        env.add_filter(
            "label",
            |state: &State<'_, '_>, v: Value, prefix: String| -> String {
                let raw = v
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string());
                texts::text(lang_of(state), &format!("{prefix}{raw}"))
                    .map(str::to_string)
                    .unwrap_or(raw)
            },
        );
        // `{{ "2026-11-30" | date }}`: a calendar date in the page's language.
        env.add_filter("date", |state: &State<'_, '_>, v: String| -> String {
            format::date(lang_of(state), &v)
        });
        Console { env }
    }

    /// Renders a page in `lang`; `ctx` is the page's own context (`t` and `lang` are added).
    pub fn render(&self, name: &str, lang: Lang, ctx: Value) -> Result<String, minijinja::Error> {
        let full = minijinja::context! { t => lang.texts(), lang => lang.code(), ..ctx };
        self.env.get_template(name)?.render(full)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_translate_known_values_and_keep_others() {
        let c = Console::new();
        let mut env = c.env.clone();
        env.add_template(
            "l.html",
            "{{ 'in_app' | label('channel_') }}|{{ 'kiosk' | label('channel_') }}",
        )
        .unwrap();
        let out = env
            .get_template("l.html")
            .unwrap()
            .render(minijinja::context! { lang => "cs" })
            .unwrap();
        assert_eq!(out, "V aplikaci|kiosk");
    }

    #[test]
    fn accept_language_picks_the_preferred_supported_one() {
        assert_eq!(
            Lang::from_accept_language("cs-CZ,cs;q=0.9,en;q=0.8"),
            Lang::Cs
        );
        assert_eq!(
            Lang::from_accept_language("de-DE,pl;q=0.7,en;q=0.5"),
            Lang::Pl
        );
        assert_eq!(Lang::from_accept_language("de"), Lang::En);
        assert_eq!(Lang::from_accept_language(""), Lang::En);
        assert_eq!(Lang::from_accept_language("en;q=0.2, cs;q=0.9"), Lang::Cs);
    }

    #[test]
    fn filters_follow_the_page_language() {
        let c = Console::new();
        let mut env = c.env.clone();
        env.add_template("t.html", "{{ 12345.678 | num(1) }}|{{ -3.26 | signed(1) }}|{{ t.signed_in_as | fill(who) }}|{{ '2026-11-30' | date }}")
            .unwrap();
        let run = |lang: Lang| {
            env.get_template("t.html")
                .unwrap()
                .render(minijinja::context! { t => lang.texts(), lang => lang.code(), who => "<b>Ana</b>" })
                .unwrap()
        };
        assert_eq!(
            run(Lang::En),
            "12,345.7|−3.3|Signed in as &lt;b&gt;Ana&lt;&#x2f;b&gt;|30 Nov 2026"
        );
        assert_eq!(
            run(Lang::Pl),
            "12\u{a0}345,7|−3,3|Zalogowano jako &lt;b&gt;Ana&lt;&#x2f;b&gt;|30.11.2026"
        );
        assert_eq!(
            run(Lang::Cs),
            "12\u{a0}345,7|−3,3|Přihlášen(a) jako &lt;b&gt;Ana&lt;&#x2f;b&gt;|30. 11. 2026"
        );
    }
}
