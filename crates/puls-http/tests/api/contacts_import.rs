//! CSV import of contacts: bad rows reported by line, good rows kept, streamed bodies, limits,
//! and no half-applied batch after a fatal error.

use std::io::{self, Read};
use std::sync::{Arc, Mutex};

use puls_app::contacts_import::{ImportOptions, Progress, import_csv};
use puls_store::ContactLookup;
use puls_wire::contacts::ContactDto;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect_error, json_of};

const PATH: &str = "/api/v1/contacts/import";

/// Good and bad rows. Line 5 holds a quoted field that runs on to line 6, so the lines of
/// the rows after it tell whether records are counted by line.
const MIXED: &str = "\
external_id,Email,name,phone,locale,consent:email_marketing,orders:number,vip:bool,signup:date,plan,note
c-1,Jana@Example.CZ,Jana Nováková,+420 777 000 111,cs,tak,3,yes,2025-04-01,pro,
c-2,not-an-email,Petr,,,,,,,,
,,Nobody,,,,,,,,
c-3,ewa@example.pl,Ewa,,pl,no,1,0,,basic,\"first line
second line\"
c-4,adam@example.pl,Adam,12,,,x,maybe,,,
c-5,only@example.com
,solo@example.com,Solo,,,,,,,0042,7
c-6,jana@example.cz,Impostor,,,,,,,,
";

/// POSTs a CSV body; the status and the JSON answer.
async fn import(app: &TestApp, csv: &str) -> (StatusCode, Value) {
    let resp = app
        .request(reqwest::Method::POST, PATH)
        .header("content-type", "text/csv")
        .body(csv.to_string())
        .send()
        .await
        .expect("POST contacts/import");
    json_of(resp).await
}

/// POSTs a CSV body as a stream of small chunks (no Content-Length), cut mid-line.
async fn import_streamed(app: &TestApp, csv: &str, chunk: usize) -> reqwest::Response {
    let chunks: Vec<Result<Vec<u8>, io::Error>> = csv
        .as_bytes()
        .chunks(chunk)
        .map(|c| Ok(c.to_vec()))
        .collect();
    app.request(reqwest::Method::POST, PATH)
        .header("content-type", "text/csv; charset=utf-8")
        .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
        .send()
        .await
        .expect("POST contacts/import")
}

/// `(line, column, code)` of every reported problem.
fn problems(report: &Value) -> Vec<(u64, Option<String>, String)> {
    report["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().expect("a line"),
                e["column"].as_str().map(str::to_string),
                e["code"].as_str().expect("a code").to_string(),
            )
        })
        .collect()
}

fn problem(line: u64, column: Option<&str>, code: &str) -> (u64, Option<String>, String) {
    (line, column.map(str::to_string), code.to_string())
}

/// The counts of a report, in the order rows, created, updated, unchanged, rejected.
fn counts(report: &Value) -> [u64; 5] {
    ["rows", "created", "updated", "unchanged", "rejected"].map(|k| {
        report[k]
            .as_u64()
            .unwrap_or_else(|| panic!("{k} in {report}"))
    })
}

/// The contact a lookup finds, as the API shows it.
async fn contact(app: &TestApp, external_id: Option<&str>, email: Option<&str>) -> Option<Value> {
    let lookup = ContactLookup {
        id: None,
        external_id: external_id.map(str::to_string),
        email: email.map(str::to_string),
    };
    app.store
        .find_contact(app.workspace_id, &lookup)
        .await
        .expect("reading a contact")
        .map(|r| serde_json::to_value(ContactDto::of(&r).expect("a readable contact")).unwrap())
}

async fn by_external_id(app: &TestApp, id: &str) -> Option<Value> {
    contact(app, Some(id), None).await
}

both_backends!(a_csv_import_keeps_the_good_rows_and_reports_the_bad_ones_by_line);
async fn a_csv_import_keeps_the_good_rows_and_reports_the_bad_ones_by_line(app: TestApp) {
    let (status, report) = json_of(import_streamed(&app, MIXED, 7).await).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(counts(&report), [8, 3, 0, 0, 5], "{report}");
    assert_eq!(
        problems(&report),
        [
            problem(3, Some("Email"), "invalid_email"),
            problem(4, None, "missing_id"),
            problem(7, Some("phone"), "invalid_phone"),
            problem(7, Some("orders:number"), "wrong_type"),
            problem(7, Some("vip:bool"), "wrong_type"),
            problem(8, None, "wrong_field_count"),
            problem(10, Some("Email"), "conflict"),
        ],
        "{report}"
    );
    assert_eq!(
        report["errors"][0]["message"],
        "Email is not a valid email address"
    );
    assert_eq!(
        report["errors"][3]["message"],
        "orders:number must be a number"
    );
    assert_eq!(report["error_count"], 7);
    assert_eq!(report["errors_truncated"], false);
    assert_eq!(report["completed"], true);
    assert_eq!(report["fatal"], Value::Null);
    assert_eq!(report["committed_rows"], 3);
    assert_eq!(report["last_committed_line"], 10);

    let jana = by_external_id(&app, "c-1").await.expect("c-1 stored");
    assert_eq!(jana["email"], "jana@example.cz");
    assert_eq!(jana["name"], "Jana Nováková");
    assert_eq!(jana["phone"], "+420777000111");
    assert_eq!(jana["locale"], "cs");
    assert_eq!(
        jana["attributes"],
        json!({ "orders": 3, "vip": true, "signup": "2025-04-01", "plan": "pro" })
    );
    assert_eq!(jana["consents"]["email_marketing"]["granted"], true);

    let ewa = by_external_id(&app, "c-3").await.expect("c-3 stored");
    assert_eq!(
        ewa["attributes"],
        json!({ "orders": 1, "vip": false, "plan": "basic", "note": "first line\nsecond line" })
    );
    assert_eq!(ewa["consents"]["email_marketing"]["granted"], false);

    // Untyped columns are inferred: a leading zero keeps text, a plain number is a number.
    let solo = contact(&app, None, Some("solo@example.com"))
        .await
        .expect("the email-only row stored");
    assert_eq!(solo["external_id"], Value::Null);
    assert_eq!(solo["attributes"], json!({ "plan": "0042", "note": 7 }));

    for rejected in ["c-2", "c-4", "c-5", "c-6"] {
        assert_eq!(by_external_id(&app, rejected).await, None, "{rejected}");
    }
}

both_backends!(importing_the_same_file_again_leaves_every_contact_unchanged);
async fn importing_the_same_file_again_leaves_every_contact_unchanged(app: TestApp) {
    let (status, first) = import(&app, MIXED).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let before = by_external_id(&app, "c-1").await;

    let (status, again) = import(&app, MIXED).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(counts(&again), [8, 0, 0, 3, 5], "{again}");
    assert_eq!(problems(&again), problems(&first));
    // Not even the consent's time moved.
    assert_eq!(by_external_id(&app, "c-1").await, before);
}

both_backends!(a_contact_listed_twice_ends_with_the_later_row);
async fn a_contact_listed_twice_ends_with_the_later_row(app: TestApp) {
    let csv = "external_id,email,name,tier\n\
               d-1,dana@example.com,Dana,silver\n\
               d-1,,Dana Dvořák,gold\n";
    let (status, report) = import(&app, csv).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(counts(&report), [2, 1, 1, 0, 0], "{report}");
    let dana = by_external_id(&app, "d-1").await.expect("d-1 stored");
    assert_eq!(dana["name"], "Dana Dvořák");
    // An empty cell changes nothing.
    assert_eq!(dana["email"], "dana@example.com");
    assert_eq!(dana["attributes"], json!({ "tier": "gold" }));
}

both_backends!(an_excel_export_with_a_bom_semicolons_and_crlf_line_ends_is_read);
async fn an_excel_export_with_a_bom_semicolons_and_crlf_line_ends_is_read(app: TestApp) {
    let csv = "\u{feff}external_id;email;name;consent:sms;consent:sms:at;city;note\r\n\
               k-1;karol@example.pl;Karol;tak;2026-01-05T10:00:00+01:00;Kraków;\"a, b\r\nc\"\r\n\
               \r\n\
               k-2;zofia@example.pl;Zofia;NIE;;Łódź;\r\n\
               k-3;bad@;Jan;;;Gdańsk;\r\n\
               k-4;x@example.pl;X;może;;;\r\n\
               k-5;y@example.pl;Y;ano;yesterday;;\r\n";
    let (status, report) = import(&app, csv).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(counts(&report), [5, 2, 0, 0, 3], "{report}");
    assert_eq!(
        problems(&report),
        [
            problem(6, Some("email"), "invalid_email"),
            problem(7, Some("consent:sms"), "not_one_of"),
            problem(8, Some("consent:sms:at"), "invalid_timestamp"),
        ],
        "{report}"
    );
    let karol = by_external_id(&app, "k-1").await.expect("k-1 stored");
    assert_eq!(
        karol["consents"]["sms"],
        json!({ "granted": true, "at": "2026-01-05T09:00:00.000Z" })
    );
    assert_eq!(
        karol["attributes"],
        json!({ "city": "Kraków", "note": "a, b\r\nc" })
    );
    let zofia = by_external_id(&app, "k-2").await.expect("k-2 stored");
    assert_eq!(zofia["consents"]["sms"]["granted"], false);
    assert_eq!(zofia["attributes"], json!({ "city": "Łódź" }));
}

both_backends!(a_bad_header_is_refused_before_anything_is_written);
async fn a_bad_header_is_refused_before_anything_is_written(app: TestApp) {
    for (csv, named) in [
        (
            "external_id,email,EMAIL\nh-1,a@example.com,b@example.com\n",
            "EMAIL",
        ),
        ("external_id,orders:money\nh-1,3\n", "orders:money"),
        ("external_id,bad key\nh-1,x\n", "bad key"),
        (
            "email,consent:sms:at\na@example.com,2026-01-01\n",
            "consent:sms:at",
        ),
        ("email,consent:SMS!\na@example.com,yes\n", "consent:SMS!"),
        ("name,phone\nAnna,+48 600 000 000\n", "external_id"),
        ("external_id,,email\nh-1,,a@example.com\n", "column 2"),
        ("", "empty"),
    ] {
        let resp = app
            .request(reqwest::Method::POST, PATH)
            .header("content-type", "text/csv")
            .body(csv)
            .send()
            .await
            .expect("POST");
        let body = expect_error(resp, 400, "invalid_csv_header").await;
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(named), "{csv:?}: {message}");
    }
    assert_eq!(by_external_id(&app, "h-1").await, None);
    assert_eq!(contact(&app, None, Some("a@example.com")).await, None);
}

both_backends!(the_import_needs_an_api_key_and_a_csv_body);
async fn the_import_needs_an_api_key_and_a_csv_body(app: TestApp) {
    let resp = app
        .anonymous(reqwest::Method::POST, PATH)
        .header("content-type", "text/csv")
        .body("email\na@example.com\n")
        .send()
        .await
        .expect("POST");
    expect_error(resp, 401, "unauthorized").await;
    let resp = app
        .request(reqwest::Method::POST, PATH)
        .json(&json!([{ "email": "a@example.com" }]))
        .send()
        .await
        .expect("POST");
    expect_error(resp, 415, "unsupported_media_type").await;
    assert_eq!(contact(&app, None, Some("a@example.com")).await, None);
}

/// `rows` rows of `external_id,email,n`.
fn numbered(prefix: &str, rows: usize) -> String {
    let mut csv = String::from("external_id,email,n\n");
    for i in 1..=rows {
        csv.push_str(&format!("{prefix}-{i},{prefix}{i}@example.com,{i}\n"));
    }
    csv
}

both_backends!(an_import_is_not_held_to_the_json_body_limit, |config| {
    config.http.max_body_bytes = 1024;
});
async fn an_import_is_not_held_to_the_json_body_limit(app: TestApp) {
    let csv = numbered("big", 2500);
    assert!(csv.len() > 50 * 1024);
    let (status, report) = json_of(import_streamed(&app, &csv, 4096).await).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(counts(&report), [2500, 2500, 0, 0, 0], "{report}");
    assert_eq!(report["last_committed_line"], 2501);
    let last = by_external_id(&app, "big-2500")
        .await
        .expect("the last row");
    assert_eq!(last["attributes"], json!({ "n": 2500 }));
}

both_backends!(
    an_upload_above_the_import_limit_is_refused_with_413,
    |config| {
        config.contacts.import_max_bytes = 200;
    }
);
async fn an_upload_above_the_import_limit_is_refused_with_413(app: TestApp) {
    let csv = numbered("lim", 10);
    assert!(csv.len() > 200);
    // Declared too large: refused before reading.
    let resp = app
        .request(reqwest::Method::POST, PATH)
        .header("content-type", "text/csv")
        .body(csv.clone())
        .send()
        .await
        .expect("POST");
    expect_error(resp, 413, "payload_too_large").await;
    // Streamed without a length: refused when the count passes the limit.
    let resp = import_streamed(&app, &csv, 64).await;
    expect_error(resp, 413, "payload_too_large").await;
    assert_eq!(by_external_id(&app, "lim-1").await, None);

    // Within the limit: imported.
    let (status, report) = import(&app, &numbered("ok", 3)).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(counts(&report), [3, 3, 0, 0, 0], "{report}");
}

/// Gives `data` up to `fail_at` bytes, then fails: a connection that breaks off.
struct BreaksOff {
    data: io::Cursor<Vec<u8>>,
    fail_at: u64,
}

impl Read for BreaksOff {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.fail_at - self.data.position();
        if left == 0 {
            return Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "the connection broke off",
            ));
        }
        let n = buf.len().min(left as usize);
        self.data.read(&mut buf[..n])
    }
}

both_backends!(an_import_that_breaks_off_keeps_the_committed_batches_and_no_part_of_the_next);
async fn an_import_that_breaks_off_keeps_the_committed_batches_and_no_part_of_the_next(
    app: TestApp,
) {
    let csv = numbered("f", 7);
    // The input ends after row f-5 (line 6): batches of two commit f-1..f-4; f-5 was read
    // into the third batch, which never reaches the database.
    let fail_at = csv.find("f-6,").expect("row f-6") as u64;
    let input = BreaksOff {
        data: io::Cursor::new(csv.into_bytes()),
        fail_at,
    };
    let seen = Arc::new(Mutex::new(Vec::<Progress>::new()));
    let log = seen.clone();
    let report = import_csv(
        app.store.clone(),
        app.workspace_id,
        input,
        ImportOptions {
            batch_size: 2,
            ..ImportOptions::default()
        },
        move |p| log.lock().expect("progress log").push(p),
    )
    .await
    .expect("the header was read");

    assert!(!report.completed);
    let fatal = report.fatal.as_deref().expect("a fatal error");
    assert!(fatal.contains("line 7"), "{fatal}");
    assert!(fatal.contains("broke off"), "{fatal}");
    assert_eq!(report.rows, 4);
    assert_eq!(report.created, 4);
    assert_eq!(report.committed_rows, 4);
    assert_eq!(report.last_committed_line, Some(5));
    let rows: Vec<u64> = seen
        .lock()
        .expect("progress log")
        .iter()
        .map(|p| p.rows)
        .collect();
    assert_eq!(rows, [2, 4]);

    for i in 1..=4 {
        assert!(
            by_external_id(&app, &format!("f-{i}")).await.is_some(),
            "f-{i}"
        );
    }
    for i in 5..=7 {
        assert_eq!(by_external_id(&app, &format!("f-{i}")).await, None, "f-{i}");
    }

    // Running the whole file again finishes the job.
    let (status, again) = import(&app, &numbered("f", 7)).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(counts(&again), [7, 3, 0, 4, 0], "{again}");
}

both_backends!(the_list_of_bad_rows_is_capped_but_every_one_is_counted);
async fn the_list_of_bad_rows_is_capped_but_every_one_is_counted(app: TestApp) {
    let csv = "email\nnope-1\nnope-2\nok@example.com\nnope-3\nnope-4\n";
    let report = import_csv(
        app.store.clone(),
        app.workspace_id,
        io::Cursor::new(csv.as_bytes().to_vec()),
        ImportOptions {
            batch_size: 2,
            max_errors: 2,
        },
        |_| {},
    )
    .await
    .expect("the header was read");
    assert!(report.completed);
    assert_eq!((report.rows, report.created, report.rejected), (5, 1, 4));
    let lines: Vec<u64> = report.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [2, 3]);
    assert_eq!(report.error_count, 4);
    assert!(report.errors_truncated);
}

both_backends!(the_import_is_described_in_the_openapi_document);
async fn the_import_is_described_in_the_openapi_document(app: TestApp) {
    let resp = app
        .anonymous(reqwest::Method::GET, "/api/v1/openapi.json")
        .send()
        .await
        .expect("GET");
    let (status, doc) = json_of(resp).await;
    assert_eq!(status, StatusCode::OK);
    let op = &doc["paths"][PATH]["post"];
    assert_eq!(op["tags"], json!(["contacts"]), "{op}");
    assert!(op["requestBody"]["content"]["text/csv"].is_object(), "{op}");
    for status in ["200", "400", "401", "413", "415"] {
        assert!(op["responses"][status].is_object(), "{status} in {op}");
    }
    let schemas = &doc["components"]["schemas"];
    for name in ["ImportReport", "RowError"] {
        assert!(schemas[name].is_object(), "schema {name} is missing");
    }
    let tags: Vec<&str> = doc["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert!(tags.contains(&"contacts"), "{tags:?}");
}

/// Makes the database refuse to insert a contact with the external id `boom`.
async fn fail_on_boom(app: &TestApp) {
    match app.backend {
        crate::helpers::Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(app.database_url())
                .await
                .expect("opening the SQLite file");
            sqlx::query(
                "CREATE TRIGGER boom BEFORE INSERT ON contacts WHEN NEW.external_id = 'boom' \
                 BEGIN SELECT RAISE(ABORT, 'simulated failure'); END",
            )
            .execute(&pool)
            .await
            .expect("creating the trigger");
        }
        crate::helpers::Backend::Postgres => {
            let pool = sqlx::PgPool::connect(app.database_url())
                .await
                .expect("connecting to PostgreSQL");
            sqlx::query(
                "CREATE FUNCTION boom() RETURNS trigger AS $$ BEGIN \
                 IF NEW.external_id = 'boom' THEN RAISE EXCEPTION 'simulated failure'; END IF; \
                 RETURN NEW; END $$ LANGUAGE plpgsql",
            )
            .execute(&pool)
            .await
            .expect("creating the trigger function");
            sqlx::query(
                "CREATE TRIGGER boom BEFORE INSERT ON contacts FOR EACH ROW \
                 EXECUTE FUNCTION boom()",
            )
            .execute(&pool)
            .await
            .expect("creating the trigger");
        }
    }
}

both_backends!(when_the_database_fails_the_batch_in_flight_is_rolled_back_whole);
async fn when_the_database_fails_the_batch_in_flight_is_rolled_back_whole(app: TestApp) {
    fail_on_boom(&app).await;
    // Batches of two: f-1 f-2 | f-3 f-4 | f-5 boom | f-7. The third fails after f-5 was
    // inserted in its transaction.
    let csv = "external_id,email\nf-1,\nf-2,\nf-3,\nf-4,\nf-5,\nboom,\nf-7,\n";
    let report = import_csv(
        app.store.clone(),
        app.workspace_id,
        io::Cursor::new(csv.as_bytes().to_vec()),
        ImportOptions {
            batch_size: 2,
            ..ImportOptions::default()
        },
        |_| {},
    )
    .await
    .expect("the header was read");

    assert!(!report.completed);
    let fatal = report.fatal.as_deref().expect("a fatal error");
    assert!(fatal.contains("line 6"), "{fatal}");
    assert!(
        !fatal.contains("simulated"),
        "no database internals: {fatal}"
    );
    assert_eq!((report.rows, report.created), (4, 4));
    assert_eq!(report.last_committed_line, Some(5));
    for i in 1..=4 {
        assert!(
            by_external_id(&app, &format!("f-{i}")).await.is_some(),
            "f-{i}"
        );
    }
    for id in ["f-5", "boom", "f-7"] {
        assert_eq!(by_external_id(&app, id).await, None, "{id}");
    }
}
