//! The streamed export formats: responses as CSV (one column per answer part when the
//! export is of one survey) or NDJSON (one response as the API shows it per line), events as
//! NDJSON or CSV. Each page of rows the application reads becomes one chunk of bytes.

use bytes::Bytes;
use futures::{Stream, StreamExt};
use puls_app::AppError;
use puls_app::exports::ResponseRows;
use puls_app::text_queue::TextByResponse;
use puls_core::{QuestionKind, Survey, Value};
use puls_store::json::{self, JsonMap, JsonText};
use puls_store::{EventRecord, ResponseRecord};

use crate::contacts::EventDto;
use crate::surveys::{AnswerAnalysisDto, ResponseDto, status_name};
use crate::time::format_ms;

/// A chunk of an export, or the error that ended it (logged here; the stream breaks off).
pub type Chunk = Result<Bytes, std::io::Error>;

/// Pages of rows as chunks of bytes: a header first (when given), then each page rendered.
/// An error is logged and ends the stream, so the client sees a broken-off download.
fn chunks<P, F>(
    header: Option<Bytes>,
    pages: impl Stream<Item = Result<P, AppError>> + Send + 'static,
    render: F,
) -> impl Stream<Item = Chunk> + Send + 'static
where
    P: Send + 'static,
    F: Fn(&P) -> Chunk + Send + 'static,
{
    let body = pages.map(move |page| match page {
        Ok(rows) => render(&rows),
        Err(e) => {
            tracing::error!(error = ?e, "export failed mid-stream");
            Err(std::io::Error::other("export failed"))
        }
    });
    futures::stream::iter(header.map(Ok)).chain(body)
}

/// Responses, one JSON object per line (as the API shows them, with their text analysis).
pub fn responses_ndjson(
    pages: impl Stream<Item = Result<ResponseRows, AppError>> + Send + 'static,
) -> impl Stream<Item = Chunk> + Send + 'static {
    chunks(None, pages, |page: &ResponseRows| {
        let mut out = Vec::with_capacity(page.rows.len() * 512);
        for r in &page.rows {
            serde_json::to_writer(&mut out, &ResponseDto::with_text(r, &page.text))
                .map_err(std::io::Error::other)?;
            out.push(b'\n');
        }
        Ok(Bytes::from(out))
    })
}

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

/// One column per answer part of a survey: (header, question id, part).
fn answer_columns(survey: &Survey) -> Vec<(String, String, Option<String>)> {
    let mut cols = Vec::new();
    for q in &survey.questions {
        let id = q.id.to_string();
        match &q.kind {
            QuestionKind::Matrix { rows, .. } => {
                for r in rows {
                    cols.push((format!("{id}.{}", r.id), id.clone(), Some(r.id.to_string())));
                }
            }
            QuestionKind::Kano { .. } => {
                for side in ["functional", "dysfunctional"] {
                    cols.push((format!("{id}.{side}"), id.clone(), Some(side.into())));
                }
            }
            QuestionKind::Contact { fields, .. } => {
                for f in fields {
                    cols.push((
                        format!("{id}.{}", f.as_str()),
                        id.clone(),
                        Some(f.as_str().into()),
                    ));
                }
            }
            QuestionKind::MultipleChoice { other, .. } => {
                cols.push((id.clone(), id.clone(), Some("selected".into())));
                if other.is_some() {
                    cols.push((format!("{id}.other"), id.clone(), Some("other".into())));
                }
            }
            _ => cols.push((id.clone(), id, None)),
        }
    }
    cols
}

/// Text as a CSV cell that a spreadsheet will not run: a cell starting with `=`, `+`, `-`,
/// `@`, tab or carriage return gets a leading `'` (OWASP's advice against CSV injection).
/// Numbers are written by the caller and never pass through here.
fn text_cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// A CSV cell for one answer part. Lists are joined with `;` (ranking: best first).
fn cell(answers: &JsonMap, question: &str, part: Option<&str>) -> String {
    let Some(a) = answers.get(question) else {
        return String::new();
    };
    let plain = |v: &Value| match v {
        Value::Str(s) => text_cell(s),
        Value::Null => String::new(),
        Value::List(items) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(text_cell)
                    .unwrap_or_else(|| json::to_json_text(i))
            })
            .collect::<Vec<_>>()
            .join(";"),
        other => json::to_json_text(other),
    };
    let field = |name: &str| match a {
        Value::Map(m) => m.get(name).map(plain).unwrap_or_default(),
        _ => String::new(),
    };
    match part {
        None => plain(a),
        Some("selected") => match a {
            Value::List(_) => plain(a),
            _ => field("selected"),
        },
        Some(p) => field(p),
    }
}

/// How a CSV file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvStyle {
    /// RFC 4180: commas, `\n` line ends, no byte-order mark.
    Plain,
    /// What Excel in Polish and Czech settings opens by double-click: semicolons (the list
    /// separator where the decimal mark is a comma), `\r\n` line ends, and a UTF-8
    /// byte-order mark so "ż" and "ř" are not read as Windows-1250.
    Excel,
}

/// The parts of an open answer's text analysis a CSV export has a column for.
const TEXT_PARTS: [&str; 4] = ["sentiment", "aspects", "emotion", "language"];

/// The questions whose texts are analysed: open text, and choices with an "other" text.
fn open_questions(survey: &Survey) -> Vec<String> {
    survey
        .questions
        .iter()
        .filter(|q| {
            matches!(
                q.kind,
                QuestionKind::OpenText { .. } | QuestionKind::MultipleChoice { other: Some(_), .. }
            )
        })
        .map(|q| q.id.to_string())
        .collect()
}

/// One part of what text analysis read in a response's answer to `question`: the
/// sentiment (`neg`, `neu`, `pos`), the aspects (`delivery:neg; price:neu`), the emotion or
/// the language; empty when it has not been read.
fn text_part(text: &TextByResponse, r: &ResponseRecord, question: &str, part: &str) -> String {
    let Some(a) = text
        .get(&r.id)
        .and_then(|list| list.iter().find(|a| a.question_id == question))
    else {
        return String::new();
    };
    match part {
        "sentiment" => a.sentiment.clone(),
        "aspects" => a
            .aspects
            .iter()
            .map(|(name, s)| format!("{name}:{s}"))
            .collect::<Vec<_>>()
            .join("; "),
        "emotion" => a.emotion.clone(),
        _ => a.language.clone(),
    }
}

/// Responses as CSV with a header row. With a survey, answers are spread over one column per
/// part, then each open answer's text analysis (`{question}.sentiment`, `.aspects`,
/// `.emotion`, `.language`); answers given to an older version's questions that no longer
/// exist are left out of those columns but kept whole in the NDJSON export. Without one,
/// the answers and the text analyses are a JSON column each.
pub fn responses_csv(
    pages: impl Stream<Item = Result<ResponseRows, AppError>> + Send + 'static,
    survey: Option<&Survey>,
    style: CsvStyle,
) -> impl Stream<Item = Chunk> + Send + 'static {
    let columns = survey.map(answer_columns);
    let open = survey.map(open_questions).unwrap_or_default();
    let mut header: Vec<String> = FIXED_COLUMNS.iter().map(|s| s.to_string()).collect();
    match &columns {
        Some(cols) => {
            header.extend(cols.iter().map(|c| c.0.clone()));
            for q in &open {
                header.extend(TEXT_PARTS.iter().map(|p| format!("{q}.{p}")));
            }
        }
        None => header.extend(["answers".into(), "text_analysis".into()]),
    }
    let mut first = match style {
        CsvStyle::Plain => Vec::new(),
        CsvStyle::Excel => b"\xEF\xBB\xBF".to_vec(),
    };
    first.extend_from_slice(&write_rows(std::iter::once(header), style).unwrap_or_default());
    chunks(
        Some(Bytes::from(first)),
        pages,
        move |page: &ResponseRows| {
            write_rows(
                page.rows.iter().map(|r| {
                    let mut row = vec![
                        r.id.to_string(),
                        r.survey_id.to_string(),
                        r.survey_version.to_string(),
                        status_name(r.completed).to_string(),
                        r.channel.clone(),
                        r.touchpoint.clone(),
                        r.locale.clone(),
                        text_cell(r.contact_external_id.as_deref().unwrap_or_default()),
                        text_cell(r.contact_email.as_deref().unwrap_or_default()),
                        format_ms(r.created_at),
                        r.completed_at.map(format_ms).unwrap_or_default(),
                        JsonText::strings(&r.attributes).as_str().to_string(),
                    ];
                    match &columns {
                        Some(cols) => {
                            row.extend(
                                cols.iter()
                                    .map(|(_, q, part)| cell(&r.answers, q, part.as_deref())),
                            );
                            for q in &open {
                                row.extend(
                                    TEXT_PARTS.iter().map(|p| text_part(&page.text, r, q, p)),
                                );
                            }
                        }
                        None => {
                            row.push(JsonText::object(&r.answers).as_str().to_string());
                            let read = AnswerAnalysisDto::of_response(r, &page.text);
                            row.push(serde_json::to_string(&read).unwrap_or_default());
                        }
                    }
                    row
                }),
                style,
            )
        },
    )
}

fn write_rows(rows: impl Iterator<Item = Vec<String>>, style: CsvStyle) -> Chunk {
    let mut b = csv::WriterBuilder::new();
    if style == CsvStyle::Excel {
        b.delimiter(b';').terminator(csv::Terminator::CRLF);
    }
    let mut w = b.from_writer(Vec::with_capacity(64 * 1024));
    for row in rows {
        w.write_record(&row).map_err(std::io::Error::other)?;
    }
    w.into_inner()
        .map(Bytes::from)
        .map_err(|e| std::io::Error::other(e.to_string()))
}

/// The header of the events CSV.
const EVENT_COLUMNS: &[u8] =
    b"seq,message_id,type,name,user_id,anonymous_id,timestamp,timestamp_ms,received_at,properties,context\n";

/// Events as NDJSON (one event as the list shows it per line) or CSV (`seq, message_id,
/// type, name, user_id, anonymous_id, timestamp, timestamp_ms, received_at, properties,
/// context`, with JSON in the last two).
pub fn events(
    pages: impl Stream<Item = Result<Vec<EventRecord>, AppError>> + Send + 'static,
    csv: bool,
) -> impl Stream<Item = Chunk> + Send + 'static {
    let header = csv.then(|| Bytes::from_static(EVENT_COLUMNS));
    chunks(header, pages, move |rows: &Vec<EventRecord>| {
        render_events(rows, csv)
    })
}

fn render_events(rows: &[EventRecord], csv: bool) -> Chunk {
    if !csv {
        let mut out = Vec::with_capacity(rows.len() * 256);
        for e in rows {
            serde_json::to_writer(&mut out, &EventDto::of(e))?;
            out.push(b'\n');
        }
        return Ok(out.into());
    }
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::with_capacity(rows.len() * 200));
    for record in rows {
        let ev = &record.event;
        w.write_record([
            record.seq.to_string().as_str(),
            &ev.message_id,
            &ev.kind,
            &ev.name,
            ev.user_id.as_deref().unwrap_or(""),
            ev.anonymous_id.as_deref().unwrap_or(""),
            &format_ms(ev.timestamp),
            &ev.timestamp.to_string(),
            &format_ms(ev.received_at),
            JsonText::object(&ev.properties).as_str(),
            JsonText::object(&ev.context).as_str(),
        ])?;
    }
    w.into_inner()
        .map(Bytes::from)
        .map_err(|e| std::io::Error::other(e.to_string()))
}
