//! Puls as HTML: the respondents' survey pages and the CX manager's web app, rendered from
//! templates embedded in the binary, in Polish, Czech or English.
//!
//! A page is a typed context: a `#[derive(Serialize)]` struct that knows its template
//! through [`Page`] ([`console`] has the web app's; the respondents' are built here from
//! the survey model, [`QuestionPage`]), rendered with [`Html::render`].
//!
//! One [`Html`] holds every template (`templates/survey/` for respondents, `templates/app/`
//! for the web app) and every filter in one minijinja environment. Every text comes from
//! one vocabulary, [`Text`] (`texts.toml`; see [`texts`] for how a missing key fails the
//! build); numbers and dates are written the page language's way ([`format`]); charts are
//! inline SVG ([`chart`]).
//!
//! No HTTP and no storage here: the server gathers what a page shows and hands it over as
//! data. Every user-supplied string is escaped by the template engine (auto-escaping is on
//! for every `.html` template, and nothing is marked safe but the SVG this crate draws);
//! pages load nothing from anywhere (styles inline, no scripts).

pub mod chart;
pub mod console;
pub mod format;
pub mod i18n;
mod lang;
pub mod survey_page;
pub mod texts;

use minijinja::value::{Rest, merge_maps};
use minijinja::{Environment, State, UndefinedBehavior, Value, context};
use puls_core::Channel;
use serde::Serialize;

pub use lang::Lang;
pub use minijinja::Error;
pub use survey_page::{
    FieldProblem, FormFields, MessageKind, QuestionFields, QuestionPage, Unsubscribe,
    all_questions, form_answer, form_answers,
};
pub use texts::Text;

use texts::Texts;

include!(concat!(env!("OUT_DIR"), "/templates.rs"));

/// An e-mail message's parts, rendered in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// A page's context, and the template it fills.
pub trait Page: Serialize {
    /// The template's name: its path under `templates/` (`app/overview.html`).
    const TEMPLATE: &'static str;
}

/// The page renderer: every template, compiled once and shared by all requests.
#[derive(Debug)]
pub struct Html {
    env: Environment<'static>,
}

/// The one script of the respondent pages, a progressive enhancement: framed by the
/// widget's dialog on a customer's site, Escape asks the dialog to close (the page works
/// the same without it). Its hash goes into the pages' `Content-Security-Policy`.
pub const FRAME_SCRIPT: &str = "if(parent!==self)addEventListener(\"keydown\",function(e){if(e.key===\"Escape\")parent.postMessage(\"puls:close\",\"*\")})";

impl Default for Html {
    fn default() -> Self {
        Self::new()
    }
}

/// The page's language, from the `t` every page is rendered with.
fn lang_of(state: &State<'_, '_>) -> Lang {
    state
        .lookup("t")
        .and_then(|t| t.downcast_object_ref::<Texts>().map(|t| t.0))
        .unwrap_or_default()
}

impl Html {
    /// Compiles the embedded templates.
    pub fn new() -> Self {
        let mut env = Environment::new();
        // A misspelt variable or text key is an error, not an empty string; `{% if %}` may
        // still test for absent values.
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        env.add_global("frame_script", Value::from_safe_string(FRAME_SCRIPT.into()));
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
            texts::fill(&s, args.iter().map(|a| a.to_string()))
        });
        // `{{ x | num(1) }}`: a number in the page's language.
        env.add_filter(
            "num",
            |state: &State<'_, '_>, v: Option<f64>, decimals: Option<u32>| -> String {
                v.map(|v| format::number(lang_of(state), v, decimals.unwrap_or(0) as usize))
                    .unwrap_or_else(|| "–".into())
            },
        );
        // `{{ p | p_value }}`: `p = 0.023`, or `p < 0.001`.
        env.add_filter(
            "p_value",
            |state: &State<'_, '_>, v: Option<f64>| -> String {
                v.map(|p| format::p_value(lang_of(state), p))
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
        // `{{ r.channel | channel }}`: a channel's name, or the value itself when it is no
        // channel we know (stored data).
        env.add_filter("channel", |state: &State<'_, '_>, v: String| -> String {
            match Channel::ALL.into_iter().find(|c| c.as_str() == v) {
                Some(c) => Text::channel(c).get(lang_of(state)).to_string(),
                None => v,
            }
        });
        // `{{ "2026-11-30" | date }}`: a calendar date in the page's language.
        env.add_filter("date", |state: &State<'_, '_>, v: String| -> String {
            format::date(lang_of(state), &v)
        });
        Html { env }
    }

    /// Renders a page in `lang`.
    pub fn render<P: Page>(&self, page: &P, lang: Lang) -> Result<String, Error> {
        self.render_value(
            P::TEMPLATE,
            lang,
            Value::from(minijinja::value::Serde(page)),
        )
    }

    /// Renders the e-mail `name` in `lang` from `vars`: `email/{name}.txt` (its first line
    /// the subject, the rest the plain-text part) and `email/{name}.html`.
    pub fn render_email(
        &self,
        name: &str,
        lang: Lang,
        vars: &impl Serialize,
    ) -> Result<Email, Error> {
        let ctx = Value::from(minijinja::value::Serde(vars));
        let text = self.render_value(&format!("email/{name}.txt"), lang, ctx.clone())?;
        let html = self.render_value(&format!("email/{name}.html"), lang, ctx)?;
        let (subject, body) = text.split_once('\n').unwrap_or((text.as_str(), ""));
        Ok(Email {
            subject: subject.trim().to_string(),
            text: body.trim_start_matches('\n').to_string(),
            html,
        })
    }

    /// Renders the text message `name` (`sms/{name}.txt`) in `lang` from `vars`, on one
    /// line.
    pub fn render_sms(
        &self,
        name: &str,
        lang: Lang,
        vars: &impl Serialize,
    ) -> Result<String, Error> {
        let ctx = Value::from(minijinja::value::Serde(vars));
        let text = self.render_value(&format!("sms/{name}.txt"), lang, ctx)?;
        Ok(text.split_whitespace().collect::<Vec<_>>().join(" "))
    }

    /// Renders template `name` in `lang`; `ctx` is the page's own context. Every page gets
    /// `t` (the texts in `lang`) and, unless it names its own, `lang` (the language tag).
    fn render_value(&self, name: &str, lang: Lang, ctx: Value) -> Result<String, Error> {
        // The last map that has a key gives it.
        let full = merge_maps([
            context! { lang => lang.code() },
            ctx,
            context! { t => Value::from_object(Texts(lang)) },
        ]);
        self.env.get_template(name)?.render(full)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(source: &'static str, lang: Lang, ctx: Value) -> String {
        let mut env = Html::new().env;
        env.add_template("t.html", source).unwrap();
        let html = Html { env };
        html.render_value("t.html", lang, ctx).unwrap()
    }

    #[test]
    fn an_invitation_lays_out_its_scores_and_links() {
        let vars = serde_json::json!({
            "workspace": "Sklep", "survey": "Dostawa", "link": "https://p/s/1?inv=T",
            "unsubscribe": "https://p/u/T", "reminder": false, "subject": null,
            "message": null,
            "embed": {"question": "Czy polecisz?", "kind": "nps", "q": "nps", "min": 0, "max": 1}
        });
        let e = Html::new()
            .render_email("invitation", Lang::Pl, &vars)
            .unwrap();
        assert_eq!(e.subject, "Sklep prosi o Twoją opinię");
        assert_eq!(
            e.text,
            "Chcemy wiedzieć, jak poszło. Nasza krótka ankieta „Dostawa” zajmie około dwóch \
             minut:\n\nCzy polecisz?\nKliknij liczbę, aby odpowiedzieć; reszta ankiety otworzy \
             się w przeglądarce.\n0: https://p/s/1?inv=T&q=nps&a=0\n\
             1: https://p/s/1?inv=T&q=nps&a=1\n\nOdpowiedz na ankietę: https://p/s/1?inv=T\n\n\
             Ten link jest tylko dla Ciebie. Nadawca: Sklep.\n\
             Nie chcesz więcej ankiet od nas? Wypisz się: https://p/u/T"
        );
        assert!(e.html.contains("&amp;q=nps&amp;a=1\"") && e.html.contains("Na pewno polecę"));
        let own = serde_json::json!({
            "workspace": "Sklep", "survey": "Dostawa", "link": "L", "unsubscribe": "U",
            "reminder": true, "subject": "Własny temat", "message": "Własna treść",
            "embed": null
        });
        let e = Html::new()
            .render_email("invitation", Lang::Pl, &own)
            .unwrap();
        assert_eq!(e.subject, "Własny temat");
        assert!(
            e.text
                .starts_with("Własna treść\n\nOdpowiedz na ankietę: L"),
            "{}",
            e.text
        );
    }

    #[test]
    fn an_invitation_has_its_open_image_only_when_opens_are_tracked() {
        let mut vars = serde_json::json!({
            "workspace": "Sklep", "survey": "Dostawa", "link": "https://p/s/1?inv=T",
            "unsubscribe": "https://p/u/T", "reminder": false, "subject": null,
            "message": null, "embed": null, "open": "https://p/o/T.gif"
        });
        let html = Html::new();
        for tracked in [None, Some(false)] {
            if let Some(t) = tracked {
                vars["track_opens"] = t.into();
            }
            let e = html.render_email("invitation", Lang::Pl, &vars).unwrap();
            assert!(!e.html.contains("<img") && !e.html.contains("o&#x2f;T.gif"));
        }
        vars["track_opens"] = true.into();
        let e = html.render_email("invitation", Lang::En, &vars).unwrap();
        assert!(
            e.html.contains(
                "<img src=\"https:&#x2f;&#x2f;p&#x2f;o&#x2f;T.gif\" width=\"1\" height=\"1\" alt=\"\""
            ),
            "{}",
            e.html
        );
        assert!(!e.text.contains("T.gif"), "{}", e.text);
    }

    #[test]
    fn an_email_has_a_subject_a_text_and_an_html_part_in_each_language() {
        let vars =
            context! { url => "https://x.example/<hook>", reason => "410", webhook => "wh_1" };
        for (lang, subject) in [
            (Lang::En, "Puls: a webhook was disabled"),
            (Lang::Pl, "Puls: webhook został wyłączony"),
            (Lang::Cs, "Puls: webhook byl vypnut"),
        ] {
            let e = Html::new()
                .render_email("webhook_disabled", lang, &vars)
                .unwrap();
            assert_eq!(e.subject, subject);
            assert!(
                e.text.contains("https://x.example/<hook>: 410"),
                "{}",
                e.text
            );
            assert!(e.text.contains("wh_1") && !e.text.starts_with('\n'));
            assert!(
                e.html.contains("&lt;hook&gt;") && !e.html.contains("<hook>"),
                "escaped: {}",
                e.html
            );
        }
    }

    #[test]
    fn channels_are_named_and_other_values_kept() {
        let out = render(
            "{{ 'in_app' | channel }}|{{ 'kiosk' | channel }}",
            Lang::Cs,
            context! {},
        );
        assert_eq!(out, "V aplikaci|kiosk");
    }

    #[test]
    fn filters_follow_the_page_language() {
        let run = |lang: Lang| {
            render(
                "{{ 12345.678 | num(1) }}|{{ -3.26 | signed(1) }}|{{ t.signed_in_as | fill(who) }}|{{ '2026-11-30' | date }}",
                lang,
                context! { who => "<b>Ana</b>" },
            )
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

    #[test]
    fn a_page_may_name_its_own_lang() {
        assert_eq!(render("{{ lang }}", Lang::Pl, context! {}), "pl");
        assert_eq!(
            render("{{ lang }}", Lang::En, context! { lang => "de" }),
            "de"
        );
    }
}
