//! Contacts between the store's fields (JSON text) and the core's typed `Contact`, and as
//! the API shows them.

use puls_core::contact::{Contact, Email, ExternalId, Phone};
use puls_core::{Locale, Value, instant};
use puls_store::{ContactFields, ContactRecord};

use puls_store::json;

/// A stored contact's fields as the core's contact.
pub fn contact_of(f: &ContactFields) -> Result<Contact, String> {
    let parse_json = |text: &str, what: &str| -> Result<Value, String> {
        let json: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("stored {what} are not JSON: {e}"))?;
        Ok(json::from_json(&json))
    };
    let mut c = Contact::read_stored(
        &parse_json(&f.attributes, "attributes")?,
        &parse_json(&f.consents, "consents")?,
    )
    .map_err(|e| e.to_string())?;
    let field = |e: puls_core::FieldErrorKind| e.to_string();
    c.external_id = f
        .external_id
        .as_deref()
        .map(ExternalId::parse)
        .transpose()
        .map_err(field)?;
    c.email = f
        .email
        .as_deref()
        .map(Email::parse)
        .transpose()
        .map_err(field)?;
    c.phone = f
        .phone
        .as_deref()
        .map(Phone::parse)
        .transpose()
        .map_err(field)?;
    c.name = f.name.clone();
    c.locale = f
        .locale
        .as_deref()
        .map(Locale::parse)
        .transpose()
        .map_err(field)?;
    Ok(c)
}

/// The core's contact as stored fields.
pub fn fields_of(c: &Contact) -> ContactFields {
    ContactFields {
        external_id: c.external_id.as_ref().map(|e| e.as_str().to_string()),
        email: c.email.as_ref().map(|e| e.as_str().to_string()),
        phone: c.phone.as_ref().map(|p| p.as_str().to_string()),
        name: c.name.clone(),
        locale: c.locale.as_ref().map(|l| l.to_string()),
        attributes: json::to_json(&c.attributes_value()).to_string(),
        consents: json::to_json(&c.consents_value()).to_string(),
    }
}

/// A contact record as the API shows it.
pub fn contact_json(r: &ContactRecord) -> serde_json::Value {
    let c = contact_of(&r.fields).unwrap_or_default();
    let mut m = serde_json::Map::new();
    m.insert("id".into(), r.id.clone().into());
    for (k, v) in [
        ("external_id", &r.fields.external_id),
        ("email", &r.fields.email),
        ("phone", &r.fields.phone),
        ("name", &r.fields.name),
        ("locale", &r.fields.locale),
    ] {
        m.insert(
            k.into(),
            v.clone().map_or(serde_json::Value::Null, Into::into),
        );
    }
    m.insert("attributes".into(), json::to_json(&c.attributes_value()));
    m.insert("consents".into(), json::to_json(&c.consents_value()));
    if let Some(into) = &r.merged_into {
        m.insert("merged_into".into(), into.clone().into());
    }
    m.insert("created_at".into(), instant::format(r.created_at).into());
    m.insert("updated_at".into(), instant::format(r.updated_at).into());
    serde_json::Value::Object(m)
}
