//! The workspace's e-mail settings, changed by its owners and administrators:
//!
//! ```json
//! {"track_opens": false}
//! ```
//!
//! `track_opens` (off by default) puts a 1×1 image in the HTML part of invitations and
//! reminders, so that a message whose images are loaded counts as opened. It is off
//! unless someone turns it on because it tells the sender when a person read their mail
//! without their asking, and because what it counts is approximate: mail programs that
//! load images in advance (or through a proxy) count every message as opened, those that
//! block images count none.
//!
//! Read with [`EmailSettings::parse`] (every problem at its path), printed with
//! [`EmailSettings::to_value`].

use std::collections::BTreeMap;

use crate::error::{Errors, FieldErrorKind as K, FieldErrors};
use crate::obj::Obj;
use crate::value::Value;

/// A workspace's e-mail settings; the default tracks nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EmailSettings {
    /// Whether invitations and reminders carry an image that records their first open.
    pub track_opens: bool,
}

impl EmailSettings {
    /// Reads the settings; `track_opens` is required (a boolean), other keys are refused.
    pub fn parse(v: &Value) -> Result<EmailSettings, FieldErrors> {
        let mut errs = Errors::default();
        let mut track_opens = false;
        if let Some(mut o) = Obj::new(v, "", &mut errs) {
            if o.get("track_opens").is_none() {
                errs.push(o.path("track_opens"), K::Required);
            }
            track_opens = o.bool("track_opens", false, &mut errs);
            o.finish(&mut errs);
        }
        errs.into_result(EmailSettings { track_opens })
    }

    pub fn to_value(&self) -> Value {
        let mut m = BTreeMap::new();
        m.insert("track_opens".to_string(), Value::Bool(self.track_opens));
        Value::Map(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::json_value;

    fn settings(j: serde_json::Value) -> Result<EmailSettings, FieldErrors> {
        EmailSettings::parse(&json_value(&j.to_string()))
    }

    #[test]
    fn off_by_default_and_read_back_as_printed() {
        assert!(!EmailSettings::default().track_opens);
        let on = settings(serde_json::json!({"track_opens": true})).unwrap();
        assert!(on.track_opens);
        assert_eq!(EmailSettings::parse(&on.to_value()).unwrap(), on);
        let off = settings(serde_json::json!({"track_opens": false})).unwrap();
        assert_eq!(off, EmailSettings::default());
    }

    #[test]
    fn problems_are_at_their_paths() {
        let codes = |j| {
            settings(j)
                .unwrap_err()
                .0
                .into_iter()
                .map(|f| (f.path, f.kind.code()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            codes(serde_json::json!({"track_opens": "yes"})),
            [("track_opens".to_string(), "wrong_type")]
        );
        assert_eq!(
            codes(serde_json::json!({})),
            [("track_opens".to_string(), "required")]
        );
        assert_eq!(
            codes(serde_json::json!({"track_opens": true, "pixel": 1})),
            [("pixel".to_string(), "unknown_field")]
        );
        assert_eq!(
            codes(serde_json::json!([true])),
            [(String::new(), "wrong_type")]
        );
    }
}
