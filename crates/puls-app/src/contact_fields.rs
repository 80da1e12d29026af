//! Contacts between the store's fields and the core's typed `Contact`.

use puls_core::contact::{Contact, Email, ExternalId, Phone};
use puls_core::{Locale, Value};
use puls_store::ContactFields;
use puls_store::json::JsonMap;

/// A stored contact's fields as the core's contact.
pub fn contact_of(f: &ContactFields) -> Result<Contact, String> {
    let mut c = Contact::read_stored(
        &Value::Map(f.attributes.clone()),
        &Value::Map(f.consents.clone()),
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
        attributes: map_of(c.attributes_value()),
        consents: map_of(c.consents_value()),
    }
}

fn map_of(v: Value) -> JsonMap {
    match v {
        Value::Map(m) => m,
        _ => JsonMap::new(),
    }
}

/// Whether the contact withdrew their consent to surveys (no decision is no withdrawal).
pub fn surveys_withdrawn(f: &ContactFields) -> bool {
    let consents = Value::Map(f.consents.clone());
    Contact::read_stored(&Value::Map(Default::default()), &consents)
        .ok()
        .and_then(|c| {
            let surveys = puls_core::Purpose::parse("surveys").ok()?;
            c.consents.get(&surveys).map(|c| !c.granted)
        })
        .unwrap_or(false)
}
