//! Slack-compatible messages in a channel's language: a headline and a line of details in
//! the web app's words (`puls-html`'s texts), numbers with the language's decimal mark,
//! case statuses and priorities in words, and the workspace's names for the rule, the
//! survey and the team. The blocks carry the same text as the fallback.

use puls_app::webhooks::SlackNames;
use puls_core::alert::Priority;
use puls_core::case::CaseStatus;
use puls_html::{Lang, Text};

/// The most characters a Slack header block takes.
const HEADER_MAX: usize = 150;

/// The message of an outbox event (its payload as JSON text) in `locale`.
pub fn message(payload: &str, locale: &str, names: &SlackNames) -> String {
    let lang = Lang::parse(locale).unwrap_or(Lang::En);
    let v: serde_json::Value = serde_json::from_str(payload).unwrap_or_default();
    let kind = v["type"].as_str().unwrap_or("event");
    let d = &v["data"];
    let s = |k: &str| d[k].as_str().unwrap_or("").to_string();
    let num = |k: &str, decimals: usize| {
        d[k].as_f64().map_or_else(
            || "–".to_string(),
            |x| puls_html::format::number(lang, x, decimals),
        )
    };
    let or_key = |name: &Option<String>, key: &str| name.clone().unwrap_or_else(|| s(key));
    let channel = || {
        puls_core::Channel::parse(&s("channel"))
            .ok()
            .map_or_else(|| s("channel"), |c| lang.t(Text::channel(c)).to_string())
    };
    let (headline, details) = match kind {
        "response.completed" => (
            lang.fill(
                Text::SlackNewResponse,
                &[&or_key(&names.survey, "survey_id")],
            ),
            lang.fill(
                Text::SlackResponseDetails,
                &[&or_key(&names.touchpoint, "touchpoint"), &channel()],
            ),
        ),
        "case.created" | "case.updated" | "case.resolved" => {
            let headline = match kind {
                "case.created" => Text::SlackCaseOpened,
                "case.resolved" => Text::SlackCaseResolved,
                _ => Text::SlackCaseChanged,
            };
            let status = CaseStatus::parse(&s("status"))
                .map_or_else(|| s("status"), |x| lang.t(Text::case_status(x)).to_string());
            let priority = Priority::parse(&s("priority"))
                .map_or_else(|| s("priority"), |x| lang.t(Text::priority(x)).to_string());
            let details = match &names.team {
                Some(team) => lang.fill(Text::SlackCaseDetailsTeam, &[&status, &priority, team]),
                None => lang.fill(Text::SlackCaseDetails, &[&status, &priority]),
            };
            (lang.fill(headline, &[&s("title")]), details)
        }
        "alert.fired" if d["kind"] == "metric" => (
            lang.fill(
                Text::SlackMetricAlert,
                &[
                    &or_key(&names.rule, "rule"),
                    &or_key(&names.touchpoint, "group"),
                ],
            ),
            lang.fill(
                Text::SlackMetricDetails,
                &[
                    &s("metric").to_uppercase(),
                    &s("period"),
                    &num("value", 1),
                    &num("ci_low", 1),
                    &num("ci_high", 1),
                    &num("difference", 1),
                    &p_value(lang, d["p_value"].as_f64()),
                ],
            ),
        ),
        "alert.fired" => (
            lang.fill(
                Text::SlackResponseAlert,
                &[&names.rule.clone().unwrap_or_else(|| s("rule_name"))],
            ),
            lang.fill(
                Text::SlackResponseAlertDetails,
                &[
                    &or_key(&names.survey, "survey_id"),
                    &or_key(&names.touchpoint, "touchpoint"),
                ],
            ),
        ),
        other => (format!("Puls: {other}"), String::new()),
    };
    let id = d["id"].as_str().or(d["response_id"].as_str()).unwrap_or("");
    // Slack refuses a header over 150 characters: the whole line stays in the text.
    let header: String = if headline.chars().count() > HEADER_MAX {
        let mut h: String = headline.chars().take(HEADER_MAX - 1).collect();
        h.push('…');
        h
    } else {
        headline.clone()
    };
    serde_json::json!({
        "text": format!("{headline}\n{details}"),
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": header}},
            {"type": "section", "text": {"type": "mrkdwn", "text": details}},
            {"type": "context", "elements": [
                {"type": "mrkdwn", "text": format!("Puls · {kind} · {id}")}
            ]}
        ]
    })
    .to_string()
}

/// A test's p-value after "p": "= 0,0123", or "< 0,0001" below that.
fn p_value(lang: Lang, p: Option<f64>) -> String {
    match p {
        Some(p) if p < 0.0001 => format!("< {}", puls_html::format::number(lang, 0.0001, 4)),
        Some(p) => format!("= {}", puls_html::format::number(lang, p, 4)),
        None => "–".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(payload: serde_json::Value, locale: &str, names: &SlackNames) -> String {
        let m: serde_json::Value =
            serde_json::from_str(&message(&payload.to_string(), locale, names)).unwrap();
        assert_eq!(m["blocks"].as_array().unwrap().len(), 3);
        assert_eq!(
            m["blocks"][0]["text"]["text"].as_str().unwrap(),
            m["text"].as_str().unwrap().lines().next().unwrap()
        );
        m["text"].as_str().unwrap().to_string()
    }

    #[test]
    fn a_metric_alert_reads_in_the_channels_language_with_its_decimal_mark() {
        let metric = serde_json::json!({"type": "alert.fired", "data": {
            "kind": "metric", "rule": "nps-drop", "metric": "nps", "group": "delivery",
            "period": "2026-08", "value": -40.0, "ci_low": -55.14, "ci_high": -22.3,
            "difference": -90.0, "p_value": 0.000012}});
        let names = SlackNames {
            rule: Some("Spadek NPS".into()),
            touchpoint: Some("Dostawa".into()),
            ..SlackNames::default()
        };
        assert_eq!(
            text(metric.clone(), "pl", &names),
            "Alert: Spadek NPS – Dostawa\nNPS w okresie 2026-08: *−40,0* (95% przedział \
             od −55,1 do −22,3), −90,0 pkt względem poprzedniego okresu (p < 0,0001)"
        );
        // Without names the keys stay; English by default.
        assert!(
            text(metric, "xx", &SlackNames::default()).starts_with("Alert: nps-drop at delivery\n")
        );
    }

    #[test]
    fn a_long_headline_is_cut_in_the_header_and_whole_in_the_text() {
        let title = "Ankieta ".repeat(40);
        let case = serde_json::json!({"type": "case.created", "data": {"title": title}});
        let m: serde_json::Value =
            serde_json::from_str(&message(&case.to_string(), "pl", &SlackNames::default()))
                .unwrap();
        let header = m["blocks"][0]["text"]["text"].as_str().unwrap();
        assert_eq!(header.chars().count(), 150);
        assert!(header.ends_with('…'));
        assert!(m["text"].as_str().unwrap().contains(title.trim_end()));
    }

    #[test]
    fn a_case_reads_with_its_status_priority_and_team_in_words() {
        let case = serde_json::json!({"type": "case.created", "data": {
            "id": "case_1", "title": "Krytycy kuriera", "status": "in_progress",
            "priority": "high", "team": "couriers"}});
        let names = SlackNames {
            team: Some("Kurýři".into()),
            ..SlackNames::default()
        };
        assert_eq!(
            text(case, "cs", &names),
            "Nový případ: Krytycy kuriera\nStav: Řeší se · priorita: vysoká · tým: Kurýři"
        );
    }
}
