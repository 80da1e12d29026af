//! Exports: CSV (one column per answer part when a survey is given) and NDJSON.

use std::collections::BTreeMap;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fixtures::{all_types_answers, all_types_survey, nps_survey};
use crate::helpers::{TestApp, expect_error};

const FIXED_COLUMNS: [&str; 12] = [
    "id",
    "survey_id",
    "survey_version",
    "status",
    "channel",
    "touchpoint",
    "locale",
    "contact_external_id",
    "contact_email",
    "created_at",
    "completed_at",
    "attributes",
];

/// Downloads an export; asserts 200 and the content type.
async fn export(app: &TestApp, query: &str, content_type: &str) -> String {
    let resp = app.get(&format!("/api/v1/responses/export?{query}")).await;
    assert_eq!(resp.status(), StatusCode::OK, "export?{query}");
    let ct = resp.headers()["content-type"]
        .to_str()
        .expect("content type")
        .to_string();
    assert!(ct.starts_with(content_type), "export?{query}: {ct}");
    let disposition = resp.headers()["content-disposition"]
        .to_str()
        .expect("disposition")
        .to_string();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    resp.text().await.expect("body")
}

/// A CSV document as its header and rows keyed by column name.
fn parse_csv(text: &str) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("a header row")
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| {
            let r = r.expect("a well-formed CSV record");
            assert_eq!(r.len(), header.len(), "every row has every column");
            header
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_string))
                .collect()
        })
        .collect();
    (header, rows)
}

both_backends!(a_csv_export_of_one_survey_has_a_column_per_question_and_quotes_what_needs_it);
async fn a_csv_export_of_one_survey_has_a_column_per_question_and_quotes_what_needs_it(
    app: TestApp,
) {
    let survey = app.published_survey(&all_types_survey()).await;
    let full = app
        .submit_ok(
            &survey,
            &json!({
                "answers": all_types_answers(),
                "locale": "cs",
                "contact": { "external_id": "cust-1", "email": "jana@example.com" },
                "attributes": { "note": "a, \"quoted\"\nvalue" }
            }),
        )
        .await["id"]
        .as_str()
        .expect("id")
        .to_string();
    let minimal = app
        .answer(&survey, json!({ "nps": 3, "comment": "only,commas,here" }))
        .await;
    let partial = app
        .submit_ok(
            &survey,
            &json!({ "answers": { "csat": 2 }, "completed": false }),
        )
        .await;

    let (header, rows) = parse_csv(&export(&app, &format!("survey={survey}"), "text/csv").await);
    let mut want: Vec<String> = FIXED_COLUMNS.iter().map(|c| c.to_string()).collect();
    want.extend(
        [
            "nps",
            "csat",
            "ces",
            "stars",
            "payment",
            "liked",
            "liked.other",
            "comment",
            "aspects.website",
            "aspects.delivery",
            "priorities",
            "tracking.functional",
            "tracking.dysfunctional",
            "reach.email",
            "reach.phone",
            // What text analysis read in each open answer (empty until it has).
            "liked.sentiment",
            "liked.aspects",
            "liked.emotion",
            "liked.language",
            "comment.sentiment",
            "comment.aspects",
            "comment.emotion",
            "comment.language",
        ]
        .map(String::from),
    );
    assert_eq!(header, want);
    assert_eq!(rows.len(), 3, "a row per response");

    let row = |id: &str| {
        rows.iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("no row for {id}"))
    };
    let r = row(&full);
    let answers = all_types_answers();
    assert_eq!(r["survey_id"], survey);
    assert_eq!(r["survey_version"], "1");
    assert_eq!(r["status"], "completed");
    assert_eq!(r["channel"], "email");
    assert_eq!(r["touchpoint"], "delivery");
    assert_eq!(r["locale"], "cs");
    assert_eq!(r["contact_external_id"], "cust-1");
    assert_eq!(r["contact_email"], "jana@example.com");
    assert!(!r["completed_at"].is_empty());
    let attributes: Value = serde_json::from_str(&r["attributes"]).expect("attributes are JSON");
    assert_eq!(attributes, json!({ "note": "a, \"quoted\"\nvalue" }));
    assert_eq!(r["nps"], "9");
    assert_eq!(r["csat"], "4");
    assert_eq!(r["ces"], "2");
    assert_eq!(r["stars"], "7");
    assert_eq!(r["payment"], "transfer");
    assert_eq!(r["liked"], "speed;packaging");
    assert_eq!(r["liked.other"], "Friendly driver");
    assert_eq!(
        r["comment"],
        answers["comment"].as_str().expect("comment"),
        "commas, quotes and newlines survive"
    );
    assert_eq!(r["aspects.website"], "5");
    assert_eq!(r["aspects.delivery"], "3");
    assert_eq!(r["priorities"], "quality;price;speed");
    assert_eq!(r["tracking.functional"], "like");
    assert_eq!(r["tracking.dysfunctional"], "dislike");
    assert_eq!(r["reach.email"], "jana@example.com");
    // A leading "+" would make a spreadsheet read a formula: the cell is marked as text.
    assert_eq!(r["reach.phone"], "'+420 601 234 567");

    let r = row(&minimal);
    assert_eq!(r["nps"], "3");
    assert_eq!(r["comment"], "only,commas,here");
    assert_eq!(r["locale"], "en");
    for empty in [
        "csat",
        "liked",
        "liked.other",
        "aspects.website",
        "reach.email",
        "contact_email",
    ] {
        assert_eq!(r[empty], "", "{empty} is empty when unanswered");
    }

    let r = row(partial["id"].as_str().expect("id"));
    assert_eq!(r["status"], "partial");
    assert_eq!(r["completed_at"], "");
    assert_eq!(r["csat"], "2");

    // Filters apply to exports as to lists.
    let (_, rows) = parse_csv(
        &export(
            &app,
            &format!("survey={survey}&status=completed"),
            "text/csv",
        )
        .await,
    );
    assert_eq!(rows.len(), 2);
    let (_, rows) = parse_csv(&export(&app, "status=partial", "text/csv").await);
    assert_eq!(rows.len(), 1);
    expect_error(
        app.get("/api/v1/responses/export?survey=nosuchsurvey")
            .await,
        404,
        "not_found",
    )
    .await;
}

both_backends!(an_export_of_every_survey_has_an_answers_column_and_ndjson_a_line_per_response);
async fn an_export_of_every_survey_has_an_answers_column_and_ndjson_a_line_per_response(
    app: TestApp,
) {
    let first = app.published_survey(&nps_survey()).await;
    let second = app.published_survey(&all_types_survey()).await;
    let a = app
        .answer(
            &first,
            json!({ "nps": 10, "comment": "Line one\nline \"two\", end" }),
        )
        .await;
    let b = app.answer(&second, all_types_answers()).await;

    let (header, rows) = parse_csv(&export(&app, "", "text/csv").await);
    let mut want: Vec<String> = FIXED_COLUMNS.iter().map(|c| c.to_string()).collect();
    want.push("answers".into());
    want.push("text_analysis".into());
    assert_eq!(header, want);
    assert_eq!(rows.len(), 2);
    for (id, answers) in [
        (
            &a,
            json!({ "nps": 10, "comment": "Line one\nline \"two\", end" }),
        ),
        (&b, all_types_answers()),
    ] {
        let row = rows.iter().find(|r| r["id"] == *id).expect("a row");
        let parsed: Value = serde_json::from_str(&row["answers"]).expect("answers are JSON");
        assert_eq!(parsed, answers);
    }

    let text = export(&app, "format=ndjson", "application/x-ndjson").await;
    assert!(text.ends_with('\n'));
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert_eq!(lines.len(), 2);
    for line in &lines {
        let id = line["id"].as_str().expect("id");
        assert_eq!(
            *line,
            app.response(id).await,
            "a line is the response as the API shows it"
        );
    }

    let text = export(
        &app,
        &format!("format=ndjson&survey={first}"),
        "application/x-ndjson",
    )
    .await;
    assert_eq!(text.lines().count(), 1);
    assert!(text.contains(&a));
}

both_backends!(an_export_streams_every_response_across_many_pages);
async fn an_export_streams_every_response_across_many_pages(app: TestApp) {
    let survey = app.published_survey(&nps_survey()).await;
    let start = 1_767_225_600_000_i64;
    let times: Vec<i64> = (0..1203).map(|i| start + i * 1000).collect();
    let seeded = app.seed_responses(&survey, &times).await;

    let (_, rows) = parse_csv(&export(&app, &format!("survey={survey}"), "text/csv").await);
    let ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str()).collect();
    let mut want: Vec<&str> = seeded.iter().map(String::as_str).collect();
    want.reverse();
    assert_eq!(ids, want, "every response once, newest first");

    let text = export(&app, "format=ndjson", "application/x-ndjson").await;
    assert_eq!(text.lines().count(), 1203);
}

both_backends!(text_that_a_spreadsheet_would_run_as_a_formula_is_defused_in_csv);
async fn text_that_a_spreadsheet_would_run_as_a_formula_is_defused_in_csv(app: TestApp) {
    let survey = app.published_survey(&nps_survey()).await;
    app.submit_ok(
        &survey,
        &json!({
            "answers": { "nps": 0, "comment": "=HYPERLINK(\"http://evil\",\"x\")" },
            "contact": { "external_id": "+48123" }
        }),
    )
    .await;
    let (_, rows) = parse_csv(&export(&app, &format!("survey={survey}"), "text/csv").await);
    assert_eq!(rows[0]["comment"], "'=HYPERLINK(\"http://evil\",\"x\")");
    assert_eq!(rows[0]["contact_external_id"], "'+48123");
    // Numbers stay numbers.
    assert_eq!(rows[0]["nps"], "0");
    // NDJSON carries the answer as given.
    let ndjson = export(&app, "format=ndjson", "application/x-ndjson").await;
    let line: Value = serde_json::from_str(ndjson.lines().next().expect("a line")).expect("JSON");
    assert_eq!(
        line["answers"]["comment"],
        "=HYPERLINK(\"http://evil\",\"x\")"
    );
}

/// A workbook's sheets, each as rows of cells.
fn read_xlsx(bytes: &[u8]) -> Vec<(String, Vec<Vec<calamine::Data>>)> {
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec()))
            .expect("an XLSX file calamine opens");
    book.sheet_names()
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).expect("a sheet");
            (name, range.rows().map(|r| r.to_vec()).collect())
        })
        .collect()
}

async fn download(app: &TestApp, query: &str) -> (reqwest::header::HeaderMap, Vec<u8>) {
    let resp = app.get(&format!("/api/v1/responses/export?{query}")).await;
    assert_eq!(resp.status(), StatusCode::OK, "export?{query}");
    let headers = resp.headers().clone();
    (headers, resp.bytes().await.expect("body").to_vec())
}

both_backends!(an_xlsx_export_has_a_sheet_per_survey_in_the_readers_language);
async fn an_xlsx_export_has_a_sheet_per_survey_in_the_readers_language(app: TestApp) {
    use calamine::Data;
    let id = app.published_survey(&all_types_survey()).await;
    app.submit_ok(
        &id,
        &json!({ "answers": all_types_answers(), "contact": { "external_id": "k-1" } }),
    )
    .await;
    let other = app.published_survey(&nps_survey()).await;
    app.submit_ok(&other, &json!({ "answers": { "nps": 10 } }))
        .await;

    let (headers, bytes) = download(
        &app,
        &format!("survey={id}&format=xlsx&lang=cs&tz=Europe/Prague"),
    )
    .await;
    assert_eq!(
        headers["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .ends_with(".xlsx\"")
    );
    let book = read_xlsx(&bytes);
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["Dotazník se vším", "Otázky"]);
    let rows = &book[0].1;
    assert_eq!(rows.len(), 2, "the header and one response");
    let header: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
    let at = |name: &str| {
        let i = header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name} in {header:?}"));
        rows[1][i].clone()
    };
    assert_eq!(header[0], "ID odpovědi");
    assert_eq!(at("Stav"), Data::String("Dokončené".into()));
    assert_eq!(at("Kanál"), Data::String("E-mail".into()));
    assert_eq!(at("ID zákazníka"), Data::String("k-1".into()));
    // Scores are numbers; options, rows and Kano answers are words in Czech.
    assert_eq!(at("Doporučili byste nás?"), Data::Float(9.0));
    assert_eq!(at("Jak jste platili?"), Data::String("Převodem".into()));
    assert_eq!(
        at("Co se vám líbilo?"),
        Data::String("Rychlost; Balení".into())
    );
    assert_eq!(
        at("Co se vám líbilo? – jiné"),
        Data::String("Friendly driver".into())
    );
    assert_eq!(at("Ohodnoťte jednotlivé části – Web"), Data::Float(5.0));
    assert_eq!(
        at("Ohodnoťte jednotlivé části – Doručení"),
        Data::Float(3.0)
    );
    assert_eq!(
        at("Seřaďte podle důležitosti"),
        Data::String("Kvalita; Cena; Rychlost".into())
    );
    assert_eq!(
        at("Sledování zásilky – když je"),
        Data::String("Líbí se mi to".into())
    );
    assert_eq!(
        at("Ještě něco?"),
        Data::String("Fast, but the box was \"slightly\" dented, sadly.\nStill happy.".into())
    );
    // Times are date cells in local time.
    assert!(
        matches!(at("Zodpovězeno (místní čas)"), Data::DateTime(_)),
        "{:?}",
        at("Zodpovězeno (místní čas)")
    );
    // The definitions sheet lists the questions with their options.
    let defs = &book[1].1;
    assert!(defs.iter().any(|r| r[1] == Data::String("payment".into())
        && r[4].to_string().contains("transfer = Převodem")));

    // Every survey: a sheet each, in English by default.
    let (_, bytes) = download(&app, "format=xlsx").await;
    let book = read_xlsx(&bytes);
    assert_eq!(book.len(), 3, "two surveys and the questions");
    assert!(book.iter().all(|(_, rows)| !rows.is_empty()));
    assert_eq!(book[2].0, "Questions");
    let total: usize = book[..2].iter().map(|(_, rows)| rows.len() - 1).sum();
    assert_eq!(total, 2);

    // Nothing matches: the survey's sheet still has its header.
    let (_, bytes) = download(&app, &format!("survey={id}&format=xlsx&since=2100-01-01")).await;
    let book = read_xlsx(&bytes);
    assert_eq!(book[0].1.len(), 1);

    // Mistakes are the caller's.
    for (q, field) in [
        ("format=xls", "format"),
        ("format=xlsx&lang=de", "lang"),
        ("format=xlsx&tz=Mars/Base", "tz"),
    ] {
        let resp = app.get(&format!("/api/v1/responses/export?{q}")).await;
        let body = expect_error(resp, 400, "invalid_query").await;
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with(field),
            "{body}"
        );
    }
}

both_backends!(a_csv_for_excel_has_semicolons_crlf_and_a_byte_order_mark);
async fn a_csv_for_excel_has_semicolons_crlf_and_a_byte_order_mark(app: TestApp) {
    let id = app.published_survey(&all_types_survey()).await;
    app.submit_ok(&id, &json!({ "answers": all_types_answers() }))
        .await;
    let (headers, bytes) = download(&app, &format!("survey={id}&format=csv_semicolon")).await;
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "a UTF-8 byte-order mark"
    );
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(text.starts_with("id;survey_id;survey_version;"), "{text}");
    assert!(text.contains("\r\n"));
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    let row = reader.records().next().unwrap().unwrap();
    let comment = header.iter().position(|h| h == "comment").unwrap();
    assert_eq!(
        &row[comment],
        "Fast, but the box was \"slightly\" dented, sadly.\nStill happy."
    );
}
