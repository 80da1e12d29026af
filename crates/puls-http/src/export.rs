//! Streaming exports: responses are read page by page (keyset pagination, no long-lived
//! read transaction) and written out as they come, so memory stays constant at any size.

use std::sync::Arc;

use bytes::Bytes;
use futures::Stream;
use puls_core::{QuestionKind, Survey};
use puls_store::{ResponseFilter, ResponseRecord};

use crate::dto::{ResponseDto, format_ms, status_name};
use crate::search::{Surveys, TextSearch};
use crate::state::AppState;

/// Rows read per database round trip.
const PAGE: i64 = 500;

type Chunk = Result<Bytes, std::io::Error>;

/// Pages of responses as a stream; `render` turns each page into bytes.
fn pages<F>(
    st: AppState,
    workspace_id: i64,
    filter: ResponseFilter,
    search: Option<TextSearch>,
    header: Option<Bytes>,
    render: F,
) -> impl Stream<Item = Chunk> + Send + 'static
where
    F: Fn(&[ResponseRecord]) -> Result<Bytes, std::io::Error> + Send + Sync + 'static,
{
    struct Cursor<F> {
        st: AppState,
        filter: ResponseFilter,
        search: Option<TextSearch>,
        surveys: Surveys,
        header: Option<Bytes>,
        done: bool,
        render: F,
    }
    let start = Cursor {
        st,
        filter,
        search,
        surveys: Surveys::default(),
        header,
        done: false,
        render,
    };
    futures::stream::unfold(start, move |mut c| async move {
        if let Some(h) = c.header.take() {
            return Some((Ok(h), c));
        }
        // Pages whose rows all fail the search are skipped, not ended on.
        while !c.done {
            let rows = match c
                .st
                .store
                .list_responses(workspace_id, &c.filter, PAGE)
                .await
            {
                Ok(rows) => rows,
                Err(e) => {
                    tracing::error!(error = ?e, "export failed mid-stream");
                    c.done = true;
                    return Some((Err(std::io::Error::other("export failed")), c));
                }
            };
            c.done = (rows.len() as i64) < PAGE;
            c.filter.before_id = rows.last().map(|r| r.id.clone());
            let rows = match &c.search {
                None => rows,
                Some(s) => match s.filter(&c.st, rows, &mut c.surveys).await {
                    Ok(rows) => rows,
                    Err(e) => {
                        tracing::error!(error = ?e, "export search failed mid-stream");
                        c.done = true;
                        return Some((Err(std::io::Error::other("export failed")), c));
                    }
                },
            };
            if !rows.is_empty() {
                let out = (c.render)(&rows);
                return Some((out, c));
            }
        }
        None
    })
}

/// One JSON object per line.
pub fn ndjson(
    st: AppState,
    workspace_id: i64,
    filter: ResponseFilter,
    search: Option<TextSearch>,
) -> impl Stream<Item = Chunk> + Send + 'static {
    pages(st, workspace_id, filter, search, None, |rows| {
        let mut out = Vec::with_capacity(rows.len() * 512);
        for r in rows {
            serde_json::to_writer(&mut out, &ResponseDto::from_record(r))
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
fn cell(answers: &serde_json::Value, question: &str, part: Option<&str>) -> String {
    let Some(a) = answers.get(question) else {
        return String::new();
    };
    let plain = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => text_cell(s),
        serde_json::Value::Null => String::new(),
        serde_json::Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map(text_cell).unwrap_or_else(|| i.to_string()))
            .collect::<Vec<_>>()
            .join(";"),
        other => other.to_string(),
    };
    match part {
        None => plain(a),
        Some("selected") => match a {
            serde_json::Value::Array(_) => plain(a),
            _ => a.get("selected").map(plain).unwrap_or_default(),
        },
        Some(p) => a.get(p).map(plain).unwrap_or_default(),
    }
}

/// CSV with a header row. With a survey, answers are spread over one column per part;
/// answers given to an older version's questions that no longer exist are left out of
/// those columns but kept whole in the NDJSON export.
pub fn csv(
    st: AppState,
    workspace_id: i64,
    filter: ResponseFilter,
    search: Option<TextSearch>,
    survey: Option<Arc<Survey>>,
) -> impl Stream<Item = Chunk> + Send + 'static {
    let columns = survey.as_deref().map(answer_columns);
    let mut header: Vec<String> = FIXED_COLUMNS.iter().map(|s| s.to_string()).collect();
    match &columns {
        Some(cols) => header.extend(cols.iter().map(|c| c.0.clone())),
        None => header.push("answers".into()),
    }
    let header = write_rows(std::iter::once(header)).unwrap_or_default();
    pages(
        st,
        workspace_id,
        filter,
        search,
        Some(header),
        move |rows| {
            write_rows(rows.iter().map(|r| {
                let answers: serde_json::Value =
                    serde_json::from_str(&r.answers).unwrap_or_default();
                let mut row = vec![
                    r.id.clone(),
                    r.survey_id.clone(),
                    r.survey_version.to_string(),
                    status_name(r.completed).to_string(),
                    r.channel.clone(),
                    r.touchpoint.clone(),
                    r.locale.clone(),
                    text_cell(r.contact_external_id.as_deref().unwrap_or_default()),
                    text_cell(r.contact_email.as_deref().unwrap_or_default()),
                    format_ms(r.created_at),
                    r.completed_at.map(format_ms).unwrap_or_default(),
                    r.attributes.clone(),
                ];
                match &columns {
                    Some(cols) => row.extend(
                        cols.iter()
                            .map(|(_, q, part)| cell(&answers, q, part.as_deref())),
                    ),
                    None => row.push(r.answers.clone()),
                }
                row
            }))
        },
    )
}

fn write_rows(rows: impl Iterator<Item = Vec<String>>) -> Result<Bytes, std::io::Error> {
    let mut w = csv::Writer::from_writer(Vec::with_capacity(64 * 1024));
    for row in rows {
        w.write_record(&row).map_err(std::io::Error::other)?;
    }
    w.into_inner()
        .map(Bytes::from)
        .map_err(|e| std::io::Error::other(e.to_string()))
}
