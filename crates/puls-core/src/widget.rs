//! The web and in-app widget's settings, as data: the sites allowed to show Puls's surveys
//! (and to frame its pages), and the placements that say which survey a visitor sees
//! where. Read with [`WidgetSettings::parse`] (every problem at its path), printed with
//! [`WidgetSettings::to_value`]:
//!
//! ```json
//! {"sites": ["https://sklep.pl", "https://app.sklep.pl"],
//!  "placements": [
//!    {"survey": "01J…", "pages": ["/zamowienie/dziekujemy*"], "devices": ["mobile", "desktop"],
//!     "delay_seconds": 5, "every_days": 30, "channel": "web",
//!     "after_event": {"event": "Order Completed", "within_days": 1},
//!     "segment": "loyal", "identified_only": false}]}
//! ```
//!
//! A site is an origin (`scheme://host[:port]`, nothing after). A placement matches a
//! page when one of its `pages` patterns matches the page's path (`*` is any run of
//! characters; none given: every page), the device is among `devices`, and the visitor
//! did `after_event` within its days and belongs to `segment` when those are given.
//! Placements are tried in order: the first that matches and whose survey the visitor may
//! be asked wins.

use std::collections::BTreeMap;

use crate::error::{Errors, Expected, FieldErrorKind as K, FieldErrors, index};
use crate::ids::{Channel, SurveyId};
use crate::obj::Obj;
use crate::value::Value;

/// The most sites one workspace may allow.
pub const MAX_SITES: usize = 20;
/// The most placements.
pub const MAX_PLACEMENTS: usize = 20;
/// The most page patterns of one placement.
pub const MAX_PAGES: usize = 20;
const MAX_PATTERN: usize = 300;

/// The kind of device a page is shown on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Device {
    Mobile,
    Desktop,
}

impl Device {
    pub fn as_str(self) -> &'static str {
        match self {
            Device::Mobile => "mobile",
            Device::Desktop => "desktop",
        }
    }

    pub fn parse(s: &str) -> Option<Device> {
        match s {
            "mobile" => Some(Device::Mobile),
            "desktop" => Some(Device::Desktop),
            _ => None,
        }
    }
}

/// "The visitor did `event` within the last `within_days` days."
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AfterEvent {
    pub event: String,
    pub within_days: i64,
}

/// Where and to whom one survey is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub survey: SurveyId,
    /// Path patterns (`*` is any run of characters); empty: every page.
    pub pages: Vec<String>,
    /// Empty: every device.
    pub devices: Vec<Device>,
    /// How long the page is open before the survey shows.
    pub delay_seconds: i64,
    /// The same person (or browser) is shown this survey at most once in this many days.
    pub every_days: i64,
    /// `web` (a site) or `in_app` (an app's web view): the responses' channel.
    pub channel: Channel,
    pub after_event: Option<AfterEvent>,
    /// A saved segment the contact must belong to (so only identified visitors).
    pub segment: Option<String>,
    /// Only visitors the site identified (a user id Puls knows as a contact).
    pub identified_only: bool,
    /// Against the contact-frequency policy (placements are tried in order whatever it is).
    pub priority: crate::frequency::Priority,
}

impl Placement {
    /// Whether the placement's pages and devices take this page's path on this device.
    pub fn matches(&self, path: &str, device: Device) -> bool {
        (self.devices.is_empty() || self.devices.contains(&device))
            && (self.pages.is_empty() || self.pages.iter().any(|p| glob(p, path)))
    }
}

/// The widget's settings: allowed sites and placements.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WidgetSettings {
    pub sites: Vec<String>,
    pub placements: Vec<Placement>,
}

impl WidgetSettings {
    pub fn parse(v: &Value) -> Result<WidgetSettings, FieldErrors> {
        let mut errs = Errors::default();
        let mut out = WidgetSettings::default();
        if let Some(mut o) = Obj::new(v, "", &mut errs) {
            let sp = o.path("sites");
            for (i, s) in list(o.get("sites"), &sp, MAX_SITES, &mut errs) {
                let p = index(&sp, i);
                match s.as_str().map(origin) {
                    Some(Some(site)) => out.sites.push(site),
                    Some(None) => errs.push(
                        p,
                        K::NotOneOf {
                            allowed: "origins such as https://shop.example (no path)".into(),
                        },
                    ),
                    None => errs.push(
                        p,
                        K::WrongType {
                            expected: Expected::String,
                        },
                    ),
                }
            }
            let pp = o.path("placements");
            for (i, item) in list(o.get("placements"), &pp, MAX_PLACEMENTS, &mut errs) {
                if let Some(p) = placement(item, &index(&pp, i), &mut errs) {
                    out.placements.push(p);
                }
            }
            o.finish(&mut errs);
        }
        errs.into_result(out)
    }

    pub fn to_value(&self) -> Value {
        let mut m = BTreeMap::new();
        m.insert(
            "sites".into(),
            Value::List(self.sites.iter().map(Value::str).collect()),
        );
        m.insert(
            "placements".into(),
            Value::List(self.placements.iter().map(placement_value).collect()),
        );
        Value::Map(m)
    }

    /// Whether a page of `origin` may ask for and frame surveys.
    pub fn allows_origin(&self, origin: &str) -> bool {
        self.sites.iter().any(|s| s == origin)
    }
}

/// The origin of a URL as browsers send it in `Origin` (`https://sklep.pl`,
/// `http://localhost:8080`): lowercase scheme and host, a port only when given; `None`
/// for anything else (a path, credentials, spaces).
pub fn origin(s: &str) -> Option<String> {
    let (scheme, rest) = s.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if !matches!(scheme.as_str(), "http" | "https") {
        return None;
    }
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let ok = !rest.is_empty()
        && rest.len() <= 253
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b));
    if !ok {
        return None;
    }
    if let Some((_, port)) = rest.rsplit_once(':')
        && !rest.ends_with(']')
        && (port.is_empty() || port.parse::<u16>().is_err())
    {
        return None;
    }
    Some(format!("{scheme}://{}", rest.to_ascii_lowercase()))
}

/// The path of a page URL (`https://sklep.pl/a/b?x=1` → `/a/b`); `/` when none.
pub fn page_path(url: &str) -> &str {
    let after = url.split_once("://").map_or(url, |(_, r)| r);
    let path = after.find('/').map_or("/", |i| &after[i..]);
    let end = path.find(['?', '#']).unwrap_or(path.len());
    &path[..end]
}

/// Whether `pattern` (with `*` for any run of characters) matches all of `text`.
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &text[first.len()..];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

fn list<'a>(
    v: Option<&'a Value>,
    path: &str,
    max: usize,
    errs: &mut Errors,
) -> Vec<(usize, &'a Value)> {
    let items: &[Value] = match v {
        None => &[],
        Some(Value::List(items)) => {
            if items.len() > max {
                errs.push(path, K::TooMany { max });
            }
            items
        }
        Some(_) => {
            errs.push(
                path,
                K::WrongType {
                    expected: Expected::Array,
                },
            );
            &[]
        }
    };
    items.iter().enumerate().take(max).collect()
}

fn placement(v: &Value, path: &str, errs: &mut Errors) -> Option<Placement> {
    let mut o = Obj::new(v, path, errs)?;
    let svp = o.path("survey");
    let survey = o
        .req_str("survey", errs)
        .and_then(|s| SurveyId::parse(s).map_err(|k| errs.push(svp, k)).ok());
    let pp = o.path("pages");
    let mut pages = Vec::new();
    for (i, p) in list(o.get("pages"), &pp, MAX_PAGES, errs) {
        let ip = index(&pp, i);
        match p.as_str() {
            Some(s) if s.starts_with('/') && s.len() <= MAX_PATTERN && !s.contains('\0') => {
                pages.push(s.to_string())
            }
            Some(_) => errs.push(
                ip,
                K::NotOneOf {
                    allowed: "paths starting with /, * for any run of characters".into(),
                },
            ),
            None => errs.push(
                ip,
                K::WrongType {
                    expected: Expected::String,
                },
            ),
        }
    }
    let dp = o.path("devices");
    let mut devices = Vec::new();
    for (i, d) in list(o.get("devices"), &dp, 2, errs) {
        match d.as_str().and_then(Device::parse) {
            Some(d) if !devices.contains(&d) => devices.push(d),
            Some(_) => {}
            None => errs.push(
                index(&dp, i),
                K::NotOneOf {
                    allowed: "mobile, desktop".into(),
                },
            ),
        }
    }
    let delay_seconds = bounded_int(&mut o, "delay_seconds", 0, 0, 3_600, errs);
    let every_days = bounded_int(&mut o, "every_days", 30, 1, 730, errs);
    let cp = o.path("channel");
    let channel = match o.str("channel", errs) {
        None | Some("web") => Channel::Web,
        Some("in_app") => Channel::InApp,
        Some(_) => {
            errs.push(
                cp,
                K::NotOneOf {
                    allowed: "web, in_app".into(),
                },
            );
            Channel::Web
        }
    };
    let ap = o.path("after_event");
    let after_event = o.get("after_event").and_then(|a| after_event(a, &ap, errs));
    let gp = o.path("segment");
    let segment = o.str("segment", errs).map(|s| {
        if s.is_empty() || s.len() > 64 {
            errs.push(gp, K::InvalidId);
        }
        s.to_string()
    });
    let identified_only = o.bool("identified_only", false, errs);
    let priority = crate::frequency::Priority::read(&mut o, errs);
    o.finish(errs);
    Some(Placement {
        survey: survey?,
        pages,
        devices,
        delay_seconds,
        every_days,
        channel,
        after_event,
        segment,
        identified_only,
        priority,
    })
}

fn after_event(v: &Value, path: &str, errs: &mut Errors) -> Option<AfterEvent> {
    let mut o = Obj::new(v, path, errs)?;
    let ep = o.path("event");
    let event = o.req_str("event", errs).map(|e| {
        if e.trim().is_empty() {
            errs.push(&ep, K::Empty);
        } else if e.chars().count() > crate::tracking::MAX_NAME {
            errs.push(
                &ep,
                K::TooLong {
                    max: crate::tracking::MAX_NAME,
                },
            );
        }
        e.to_string()
    });
    let within_days = bounded_int(&mut o, "within_days", 1, 1, 365, errs);
    o.finish(errs);
    Some(AfterEvent {
        event: event?,
        within_days,
    })
}

fn bounded_int(
    o: &mut Obj<'_>,
    key: &'static str,
    default: i64,
    min: i64,
    max: i64,
    errs: &mut Errors,
) -> i64 {
    let p = o.path(key);
    match o.int(key, errs) {
        None => default,
        Some(n) if (min..=max).contains(&n) => n,
        Some(_) => {
            errs.push(p, K::OutOfRange { min, max });
            default
        }
    }
}

fn placement_value(p: &Placement) -> Value {
    let mut m = BTreeMap::new();
    m.insert("survey".into(), Value::str(p.survey.as_str()));
    m.insert(
        "pages".into(),
        Value::List(p.pages.iter().map(Value::str).collect()),
    );
    m.insert(
        "devices".into(),
        Value::List(p.devices.iter().map(|d| Value::str(d.as_str())).collect()),
    );
    m.insert("delay_seconds".into(), Value::Int(p.delay_seconds));
    m.insert("every_days".into(), Value::Int(p.every_days));
    m.insert("channel".into(), Value::str(p.channel.as_str()));
    if let Some(a) = &p.after_event {
        let mut e = BTreeMap::new();
        e.insert("event".to_string(), Value::str(&a.event));
        e.insert("within_days".to_string(), Value::Int(a.within_days));
        m.insert("after_event".into(), Value::Map(e));
    }
    if let Some(s) = &p.segment {
        m.insert("segment".into(), Value::str(s));
    }
    m.insert("identified_only".into(), Value::Bool(p.identified_only));
    m.insert("priority".into(), Value::str(p.priority.as_str()));
    Value::Map(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::json_value;

    #[test]
    fn origins_are_scheme_host_and_port() {
        assert_eq!(
            origin("https://Sklep.PL/").as_deref(),
            Some("https://sklep.pl")
        );
        assert_eq!(
            origin("http://localhost:8080").as_deref(),
            Some("http://localhost:8080")
        );
        for bad in [
            "sklep.pl",
            "ftp://sklep.pl",
            "https://sklep.pl/a",
            "https://u:p@sklep.pl",
            "https://sklep.pl:99999",
            "https://sklep.pl; script-src *",
            "https://",
        ] {
            assert_eq!(origin(bad), None, "{bad}");
        }
    }

    #[test]
    fn pages_match_by_path_with_wildcards() {
        assert_eq!(page_path("https://sklep.pl/a/b?x=1#y"), "/a/b");
        assert_eq!(page_path("https://sklep.pl"), "/");
        assert!(glob("/checkout/*", "/checkout/thanks"));
        assert!(glob("*thanks", "/checkout/thanks"));
        assert!(glob("/a*b*c", "/a-x-b-y-c"));
        assert!(!glob("/a*b*c", "/a-x-c-y-b"));
        assert!(!glob("/checkout", "/checkout/thanks"));
        assert!(glob("*", "/anything"));
        assert!(!glob("/ab*ba", "/aba"));
    }

    #[test]
    fn settings_read_back_and_name_every_problem() {
        let v = json_value(
            r#"{"sites": ["https://sklep.pl"], "placements": [{"survey": "01JAAAAAAAAAAAAAAAAAAAAAAA",
                "pages": ["/thanks*"], "devices": ["mobile"], "delay_seconds": 3,
                "after_event": {"event": "Order Completed"}}]}"#,
        );
        let s = WidgetSettings::parse(&v).unwrap();
        assert_eq!(WidgetSettings::parse(&s.to_value()).unwrap(), s);
        let p = &s.placements[0];
        assert!(p.matches("/thanks/123", Device::Mobile));
        assert!(!p.matches("/thanks/123", Device::Desktop));
        assert!(!p.matches("/cart", Device::Mobile));
        assert_eq!(p.every_days, 30);
        assert!(s.allows_origin("https://sklep.pl"));
        assert!(!s.allows_origin("https://evil.example"));

        let bad = json_value(
            r#"{"sites": ["sklep.pl"], "placements": [{"survey": "x y", "pages": ["thanks"],
                "devices": ["tv"], "delay_seconds": -1, "channel": "sms", "extra": 1}]}"#,
        );
        let errs: Vec<String> = WidgetSettings::parse(&bad)
            .unwrap_err()
            .0
            .iter()
            .map(|e| format!("{} {}", e.path, e.kind.code()))
            .collect();
        for want in [
            "sites[0] not_one_of",
            "placements[0].survey invalid_id",
            "placements[0].pages[0] not_one_of",
            "placements[0].devices[0] not_one_of",
            "placements[0].delay_seconds out_of_range",
            "placements[0].channel not_one_of",
            "placements[0].extra unknown_field",
        ] {
            assert!(errs.iter().any(|e| e == want), "{want} in {errs:?}");
        }
    }
}
