//! SMS and chat through one generic HTTP adapter (one instance per configured section,
//! `[sms]` and `[chat]`): renders an outbox message job's text with `puls-html`'s
//! templates (`sms/{template}.txt`, one line, in the recipient's language) and sends the
//! section's `body` with `{{to}}`, `{{from}}`, `{{text}}` and `{{reference}}` put in
//! (escaped for its `content_type`) to its `url` with its `auth_header`. A 2xx is sent; a
//! 4xx other than 408 and 429 is a refusal for good; anything else is tried again. The
//! provider is the operator's own configuration, so its address is not checked against
//! private networks as a webhook's is.

use std::time::Duration;

use async_trait::async_trait;
use puls_app::config::ProviderConfig;
use puls_app::email::{EmailJob, Mailed, Mailer};
use puls_html::{Html, Lang};

/// The configured provider, and the templates.
pub struct HttpText {
    client: reqwest::Client,
    url: String,
    method: reqwest::Method,
    config: ProviderConfig,
    header: Option<(reqwest::header::HeaderName, reqwest::header::HeaderValue)>,
    html: Html,
}

/// A configuration error, naming the section's key (`sms.method`, `chat.auth_header`).
fn bad(section: &str, key: &str, what: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("{section}.{key}: {what}")
}

impl HttpText {
    /// `None` when the section's `url` is not set (Puls sends nothing on that channel
    /// then); `section` names it in errors (`sms`, `chat`).
    pub fn new(section: &str, config: &ProviderConfig) -> anyhow::Result<Option<Self>> {
        let Some(url) = config.url.clone() else {
            return Ok(None);
        };
        let method = match config.method.to_ascii_uppercase().as_str() {
            "POST" => reqwest::Method::POST,
            "PUT" => reqwest::Method::PUT,
            other => {
                return Err(bad(
                    section,
                    "method",
                    format!("{other} is not POST or PUT"),
                ));
            }
        };
        if !matches!(
            config.content_type.as_str(),
            "application/json" | "application/x-www-form-urlencoded"
        ) {
            return Err(bad(
                section,
                "content_type",
                "application/json or application/x-www-form-urlencoded",
            ));
        }
        let header = match &config.auth_header {
            None => None,
            Some(line) => {
                let (name, value) = line
                    .split_once(':')
                    .ok_or_else(|| bad(section, "auth_header", "`Name: value`"))?;
                Some((
                    reqwest::header::HeaderName::from_bytes(name.trim().as_bytes())
                        .map_err(|e| bad(section, "auth_header", e))?,
                    reqwest::header::HeaderValue::from_str(value.trim())
                        .map_err(|e| bad(section, "auth_header", e))?,
                ))
            }
        };
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(config.timeout_secs.max(1)))
            .build()?;
        Ok(Some(HttpText {
            client,
            url,
            method,
            config: config.clone(),
            header,
            html: Html::new(),
        }))
    }

    /// `sms.body` with the message's values put in, escaped for the content type.
    fn body(&self, to: &str, text: &str, reference: &str) -> String {
        let json = self.config.content_type == "application/json";
        let escape = |v: &str| -> String {
            if json {
                let quoted = serde_json::to_string(v).unwrap_or_default();
                quoted[1..quoted.len() - 1].to_string()
            } else {
                form_urlencoded::byte_serialize(v.as_bytes()).collect()
            }
        };
        self.config
            .body
            .replace("{{to}}", &escape(to))
            .replace("{{from}}", &escape(&self.config.from))
            .replace("{{text}}", &escape(text))
            .replace("{{reference}}", &escape(reference))
    }
}

#[async_trait]
impl Mailer for HttpText {
    async fn send(&self, job: &EmailJob) -> Mailed {
        let lang = Lang::parse(&job.locale).unwrap_or_default();
        let text = match self.html.render_sms(&job.template, lang, &job.vars) {
            Ok(t) => t,
            Err(e) => return Mailed::Rejected(format!("template {}: {e}", job.template)),
        };
        // The reference comes back in delivery reports: the message's own job id.
        let reference = job
            .delivery
            .as_ref()
            .map(|d| {
                puls_app::distributions::invitation_job_id(&d.contact, &d.distribution, d.reminder)
            })
            .unwrap_or_default();
        let mut req = self
            .client
            .request(self.method.clone(), &self.url)
            .header(reqwest::header::CONTENT_TYPE, &self.config.content_type)
            .body(self.body(&job.to, &text, &reference));
        if let Some((name, value)) = &self.header {
            req = req.header(name.clone(), value.clone());
        }
        match req.send().await {
            Ok(r) if r.status().is_success() => Mailed::Sent,
            Ok(r) => {
                let status = r.status();
                let body: String = r
                    .text()
                    .await
                    .unwrap_or_default()
                    .chars()
                    .take(200)
                    .collect();
                let e = format!("provider answered {status}: {body}");
                if status.is_client_error() && status != 408 && status != 429 {
                    Mailed::Rejected(e)
                } else {
                    Mailed::Retry(e)
                }
            }
            Err(e) => Mailed::Retry(crate::error_chain(&e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sms(content_type: &str, body: &str) -> HttpText {
        HttpText::new(
            "sms",
            &ProviderConfig {
                url: Some("http://127.0.0.1:1/sms".into()),
                content_type: content_type.into(),
                body: body.into(),
                from: "Sklep \"Kawa\"".into(),
                ..ProviderConfig::default()
            },
        )
        .unwrap()
        .unwrap()
    }

    #[test]
    fn values_are_escaped_for_the_body() {
        let j = sms("application/json", &ProviderConfig::default().body);
        let body = j.body(
            "+48600100200",
            "Ocena \"0–10\"\nhttps://p/s/1?inv=T&x=1",
            "inv:c:d:0",
        );
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["from"], "Sklep \"Kawa\"");
        assert_eq!(v["text"], "Ocena \"0–10\"\nhttps://p/s/1?inv=T&x=1");
        assert_eq!(v["reference"], "inv:c:d:0");
        let f = sms(
            "application/x-www-form-urlencoded",
            "To={{to}}&Body={{text}}&From={{from}}",
        );
        let body = f.body("+48600100200", "a&b=c ż", "r");
        let pairs: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes())
            .into_owned()
            .collect();
        assert_eq!(pairs[0], ("To".into(), "+48600100200".into()));
        assert_eq!(pairs[1], ("Body".into(), "a&b=c ż".into()));
    }

    #[test]
    fn a_bad_configuration_is_refused() {
        let bad = |c: ProviderConfig| HttpText::new("sms", &c).is_err();
        let url = Some("http://x/".to_string());
        assert!(bad(ProviderConfig {
            url: url.clone(),
            method: "GET".into(),
            ..ProviderConfig::default()
        }));
        assert!(bad(ProviderConfig {
            url: url.clone(),
            content_type: "text/xml".into(),
            ..ProviderConfig::default()
        }));
        assert!(bad(ProviderConfig {
            url,
            auth_header: Some("no colon".into()),
            ..ProviderConfig::default()
        }));
        assert!(
            HttpText::new("sms", &ProviderConfig::default())
                .unwrap()
                .is_none()
        );
    }
}
