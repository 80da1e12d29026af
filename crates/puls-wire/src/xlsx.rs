//! Responses as an Excel workbook people open: one sheet per survey with one column per
//! question (per row of a matrix, per side of a Kano pair, per field of a contact question,
//! and an "other" column where a choice offers one), option labels and question texts in the
//! reader's language, local times as real date cells, and a last sheet that lists every
//! survey's questions and options.
//!
//! XLSX is a zip written at the end, so it cannot be streamed like CSV; the sheets are
//! written row by row in rust_xlsxwriter's constant-memory mode (each sheet's rows go to a
//! temporary file) on a blocking thread that the pages of responses are handed to, so memory
//! stays flat whatever the size of the export.

use std::collections::BTreeMap;
use std::sync::Arc;

use futures::{Stream, StreamExt};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use puls_app::AppError;
use puls_app::exports::ResponseRows;
use puls_app::text_queue::{AnswerAnalysis, TextByResponse};
use puls_core::survey::ContactField;
use puls_core::{Locale, QuestionKind, Survey, Value};
use puls_store::ResponseRecord;
use puls_store::json::{JsonMap, JsonText};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

/// The words of the workbook in the reader's language.
pub struct XlsxTexts {
    /// Headers of the columns before the answers: response id, status, channel,
    /// touchpoint, language, contact's external id, contact's email, created, completed.
    pub fixed: [String; 9],
    /// The header of the last column (the response's attributes, as JSON).
    pub attributes: String,
    pub completed: String,
    pub partial: String,
    /// The last sheet's name and its headers: survey, question id, type, question, options.
    pub definitions: String,
    pub definition_headers: [String; 5],
    /// "other" (a choice's free text), "functional", "dysfunctional".
    pub other: String,
    pub functional: String,
    pub dysfunctional: String,
    /// A contact question's fields: email, phone.
    pub contact_fields: [String; 2],
    /// A channel's name (`web` → "Web"), a Kano answer's (`like` → "I like it").
    pub channel: Box<dyn Fn(&str) -> String + Send>,
    pub kano: Box<dyn Fn(&str) -> String + Send>,
    /// Headers of an open answer's text analysis: "Sentiment", "Aspects".
    pub sentiment: String,
    pub aspects: String,
    /// A sentiment's word (`neg` → "negative"), an aspect's name (`delivery` → "Delivery").
    pub sentiment_label: Box<dyn Fn(&str) -> String + Send>,
    pub aspect_label: Box<dyn Fn(&str) -> String + Send>,
}

/// How the workbook reads the survey texts and times.
pub struct XlsxOptions {
    pub locale: Locale,
    pub time_zone: String,
    /// The surveys responses may come from, by id (current versions).
    pub surveys: BTreeMap<String, Arc<Survey>>,
    /// A survey whose sheet is written even without responses (the export's filter).
    pub survey: Option<String>,
}

/// One answer column: the header, the question, and which part of the answer it holds.
struct Column {
    header: String,
    question: String,
    part: Part,
}

enum Part {
    /// A score or a text, as it is.
    Whole,
    /// A single choice: the option's label.
    Choice(Vec<(String, String)>),
    /// A multiple choice's or ranking's options, labelled and joined with "; ".
    Choices(Vec<(String, String)>),
    /// A named field of a map: a matrix row, a Kano side, a contact field, a choice's other.
    Field(&'static str),
    MatrixRow(String),
    KanoSide(&'static str),
    /// What text analysis read in the answer: its sentiment, or its aspects with theirs.
    Sentiment,
    Aspects,
}

/// The columns of one survey's answers.
fn columns(survey: &Survey, locale: &Locale, t: &XlsxTexts) -> Vec<Column> {
    let text = |lt: &puls_core::LocalizedText| lt.get(locale, &survey.default_locale).to_string();
    let labels = |options: &[puls_core::survey::Choice]| -> Vec<(String, String)> {
        options
            .iter()
            .map(|o| (o.id.to_string(), text(&o.text)))
            .collect()
    };
    let mut cols = Vec::new();
    for q in &survey.questions {
        let header = text(&q.text);
        let question = q.id.to_string();
        let col = |header: String, part: Part| Column {
            header,
            question: question.clone(),
            part,
        };
        match &q.kind {
            QuestionKind::SingleChoice { options, .. } => {
                cols.push(col(header, Part::Choice(labels(options))))
            }
            QuestionKind::MultipleChoice { options, other, .. } => {
                cols.push(col(header.clone(), Part::Choices(labels(options))));
                if other.is_some() {
                    cols.push(col(format!("{header} – {}", t.other), Part::Field("other")));
                    cols.push(col(format!("{header} – {}", t.sentiment), Part::Sentiment));
                    cols.push(col(format!("{header} – {}", t.aspects), Part::Aspects));
                }
            }
            QuestionKind::OpenText { .. } => {
                cols.push(col(header.clone(), Part::Whole));
                cols.push(col(format!("{header} – {}", t.sentiment), Part::Sentiment));
                cols.push(col(format!("{header} – {}", t.aspects), Part::Aspects));
            }
            QuestionKind::Ranking { options, .. } => {
                cols.push(col(header, Part::Choices(labels(options))))
            }
            QuestionKind::Matrix { rows, .. } => {
                for r in rows {
                    cols.push(col(
                        format!("{header} – {}", text(&r.text)),
                        Part::MatrixRow(r.id.to_string()),
                    ));
                }
            }
            QuestionKind::Kano { .. } => {
                cols.push(col(
                    format!("{header} – {}", t.functional),
                    Part::KanoSide("functional"),
                ));
                cols.push(col(
                    format!("{header} – {}", t.dysfunctional),
                    Part::KanoSide("dysfunctional"),
                ));
            }
            QuestionKind::Contact { fields, .. } => {
                for f in fields {
                    let name = match f {
                        ContactField::Email => &t.contact_fields[0],
                        ContactField::Phone => &t.contact_fields[1],
                    };
                    cols.push(col(format!("{header} – {name}"), Part::Field(f.as_str())));
                }
            }
            _ => cols.push(col(header, Part::Whole)),
        }
    }
    cols
}

/// One cell of an answer: a number or a text (nothing when not answered).
enum Cell {
    Number(f64),
    Text(String),
    Empty,
}

fn label(options: &[(String, String)], id: &str) -> String {
    options
        .iter()
        .find(|(o, _)| o == id)
        .map_or_else(|| id.to_string(), |(_, l)| l.clone())
}

fn scalar(v: &Value) -> Cell {
    match v {
        Value::Int(i) => Cell::Number(*i as f64),
        Value::Float(f) => Cell::Number(*f),
        Value::Str(s) => Cell::Text(s.clone()),
        Value::Bool(b) => Cell::Text(b.to_string()),
        Value::Null => Cell::Empty,
        other => Cell::Text(puls_store::json::to_json_text(other)),
    }
}

/// The text analysis of the answer to `c`'s question, in `c`'s part.
fn text_cell(analysis: Option<&[AnswerAnalysis]>, c: &Column, t: &XlsxTexts) -> Cell {
    let Some(a) = analysis.and_then(|list| list.iter().find(|a| a.question_id == c.question))
    else {
        return Cell::Empty;
    };
    match c.part {
        Part::Sentiment => Cell::Text((t.sentiment_label)(&a.sentiment)),
        _ => Cell::Text(
            a.aspects
                .iter()
                .map(|(name, s)| format!("{} ({})", (t.aspect_label)(name), (t.sentiment_label)(s)))
                .collect::<Vec<_>>()
                .join("; "),
        ),
    }
}

fn cell(answers: &JsonMap, c: &Column, t: &XlsxTexts) -> Cell {
    let Some(a) = answers.get(&c.question) else {
        return Cell::Empty;
    };
    let field = |name: &str| match a {
        Value::Map(m) => m.get(name).map_or(Cell::Empty, scalar),
        _ => Cell::Empty,
    };
    match &c.part {
        Part::Whole => scalar(a),
        Part::Choice(options) => match a {
            Value::Str(id) => Cell::Text(label(options, id)),
            other => scalar(other),
        },
        Part::Choices(options) => {
            let list = match a {
                Value::List(items) => Some(items),
                Value::Map(m) => match m.get("selected") {
                    Some(Value::List(items)) => Some(items),
                    _ => None,
                },
                _ => None,
            };
            match list {
                Some(items) => Cell::Text(
                    items
                        .iter()
                        .filter_map(Value::as_str)
                        .map(|id| label(options, id))
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                None => Cell::Empty,
            }
        }
        Part::Field(name) => field(name),
        Part::MatrixRow(row) => field(row),
        Part::KanoSide(side) => match field(side) {
            Cell::Text(s) => Cell::Text((t.kano)(&s)),
            other => other,
        },
        Part::Sentiment | Part::Aspects => Cell::Empty,
    }
}

/// A sheet name Excel takes: at most 31 characters, none of `[]:*?/\`, unique (names
/// compare without case).
fn sheet_name(title: &str, taken: &[String]) -> String {
    let clean: String = title
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { ' ' } else { c })
        .collect();
    let clean = clean.trim().trim_matches('\'');
    let base = if clean.is_empty() { "Survey" } else { clean };
    for n in 1.. {
        let suffix = if n == 1 {
            String::new()
        } else {
            format!(" ({n})")
        };
        let room = 31 - suffix.chars().count();
        let name: String = base
            .chars()
            .take(room)
            .collect::<String>()
            .trim_end()
            .to_string()
            + &suffix;
        if !taken
            .iter()
            .any(|t| t.to_lowercase() == name.to_lowercase())
        {
            return name;
        }
    }
    unreachable!("some suffix is free")
}

/// One survey's sheet as it is written.
struct Sheet {
    index: usize,
    columns: Vec<Column>,
    rows: u32,
}

struct Writer {
    book: Workbook,
    texts: XlsxTexts,
    opts: XlsxOptions,
    zone: TimeZone,
    bold: Format,
    when: Format,
    sheets: BTreeMap<String, Sheet>,
    names: Vec<String>,
}

fn xlsx_error(e: XlsxError) -> AppError {
    AppError::Internal(anyhow::anyhow!("writing the workbook: {e}"))
}

impl Writer {
    fn new(texts: XlsxTexts, opts: XlsxOptions) -> Result<Writer, AppError> {
        let zone = TimeZone::get(&opts.time_zone).map_err(|_| {
            AppError::invalid(format!("tz: unknown time zone '{}'", opts.time_zone))
        })?;
        Ok(Writer {
            book: Workbook::new(),
            texts,
            opts,
            zone,
            bold: Format::new().set_bold(),
            when: Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
            sheets: BTreeMap::new(),
            names: Vec::new(),
        })
    }

    /// The sheet of `survey_id`, added with its header row on first use.
    fn sheet(&mut self, survey_id: &str) -> Result<&mut Sheet, AppError> {
        if !self.sheets.contains_key(survey_id) {
            let survey = self.opts.surveys.get(survey_id).cloned();
            let (title, columns) = match &survey {
                Some(s) => (
                    s.title
                        .get(&self.opts.locale, &s.default_locale)
                        .to_string(),
                    columns(s, &self.opts.locale, &self.texts),
                ),
                None => (survey_id.to_string(), Vec::new()),
            };
            let name = sheet_name(&title, &self.names);
            let index = self.names.len();
            self.names.push(name.clone());
            let ws = self
                .book
                .add_worksheet_with_constant_memory()
                .map_err(xlsx_error)?;
            ws.set_name(&name).map_err(xlsx_error)?;
            let headers: Vec<&str> = self
                .texts
                .fixed
                .iter()
                .map(String::as_str)
                .chain(columns.iter().map(|c| c.header.as_str()))
                .chain(std::iter::once(self.texts.attributes.as_str()))
                .collect();
            for (i, h) in headers.iter().enumerate() {
                let col = i as u16;
                ws.write_string_with_format(0, col, *h, &self.bold)
                    .map_err(xlsx_error)?;
                let width = (h.chars().count() as f64 * 1.1).clamp(12.0, 45.0);
                ws.set_column_width(col, if i == 0 { 28.0 } else { width })
                    .map_err(xlsx_error)?;
            }
            ws.set_freeze_panes(1, 1).map_err(xlsx_error)?;
            self.sheets.insert(
                survey_id.to_string(),
                Sheet {
                    index,
                    columns,
                    rows: 1,
                },
            );
        }
        Ok(self.sheets.get_mut(survey_id).expect("added above"))
    }

    fn local(&self, ms: i64) -> Option<ExcelDateTime> {
        let dt = Timestamp::from_millisecond(ms)
            .ok()?
            .to_zoned(self.zone.clone())
            .datetime();
        ExcelDateTime::from_ymd(dt.year() as u16, dt.month() as u8, dt.day() as u8)
            .ok()?
            .and_hms(dt.hour() as u16, dt.minute() as u8, dt.second() as f64)
            .ok()
    }

    fn write(&mut self, r: &ResponseRecord, text: &TextByResponse) -> Result<(), AppError> {
        let analysis = text.get(&r.id).map(Vec::as_slice);
        let created = self.local(r.created_at);
        let completed = r.completed_at.and_then(|ms| self.local(ms));
        let channel = (self.texts.channel)(&r.channel);
        let status = if r.completed {
            self.texts.completed.clone()
        } else {
            self.texts.partial.clone()
        };
        let (index, row) = {
            let sheet = self.sheet(r.survey_id.as_str())?;
            sheet.rows += 1;
            (sheet.index, sheet.rows - 1)
        };
        let cells: Vec<Cell> = self.sheets[r.survey_id.as_str()]
            .columns
            .iter()
            .map(|c| match c.part {
                Part::Sentiment | Part::Aspects => text_cell(analysis, c, &self.texts),
                _ => cell(&r.answers, c, &self.texts),
            })
            .collect();
        let when = self.when.clone();
        let ws: &mut Worksheet = self.book.worksheet_from_index(index).map_err(xlsx_error)?;
        let texts = [
            r.id.to_string(),
            status,
            channel,
            r.touchpoint.clone(),
            r.locale.clone(),
            r.contact_external_id.clone().unwrap_or_default(),
            r.contact_email.clone().unwrap_or_default(),
        ];
        for (i, s) in texts.iter().enumerate() {
            if !s.is_empty() {
                ws.write_string(row, i as u16, s).map_err(xlsx_error)?;
            }
        }
        for (i, dt) in [(7u16, created), (8, completed)] {
            if let Some(dt) = dt {
                ws.write_datetime_with_format(row, i, &dt, &when)
                    .map_err(xlsx_error)?;
            }
        }
        let mut col = 9u16;
        for c in cells {
            match c {
                Cell::Number(n) => {
                    ws.write_number(row, col, n).map_err(xlsx_error)?;
                }
                Cell::Text(s) if !s.is_empty() => {
                    ws.write_string(row, col, s).map_err(xlsx_error)?;
                }
                _ => {}
            }
            col += 1;
        }
        let attributes = JsonText::strings(&r.attributes);
        if attributes.as_str() != "{}" {
            ws.write_string(row, col, attributes.as_str())
                .map_err(xlsx_error)?;
        }
        Ok(())
    }

    /// Autofilters on every sheet, the definitions sheet, and the file's bytes.
    fn finish(mut self) -> Result<Vec<u8>, AppError> {
        if self.sheets.is_empty() {
            let first = self.opts.surveys.keys().next().cloned();
            self.sheet(first.as_deref().unwrap_or("responses"))?;
        }
        let spans: Vec<(usize, u32, u16)> = self
            .sheets
            .values()
            .map(|s| (s.index, s.rows - 1, (s.columns.len() + 9) as u16))
            .collect();
        for (index, last_row, last_col) in spans {
            let ws = self.book.worksheet_from_index(index).map_err(xlsx_error)?;
            ws.autofilter(0, 0, last_row, last_col)
                .map_err(xlsx_error)?;
        }
        let name = sheet_name(&self.texts.definitions, &self.names);
        let bold = self.bold.clone();
        let ws = self.book.add_worksheet();
        ws.set_name(&name).map_err(xlsx_error)?;
        for (i, h) in self.texts.definition_headers.iter().enumerate() {
            ws.write_string_with_format(0, i as u16, h, &bold)
                .map_err(xlsx_error)?;
        }
        for (col, width) in [(0u16, 30.0), (1, 16.0), (2, 16.0), (3, 60.0), (4, 60.0)] {
            ws.set_column_width(col, width).map_err(xlsx_error)?;
        }
        ws.set_freeze_panes(1, 0).map_err(xlsx_error)?;
        let locale = &self.opts.locale;
        let mut row = 1u32;
        for s in self.opts.surveys.values() {
            let title = s.title.get(locale, &s.default_locale);
            for q in &s.questions {
                let options: Vec<String> = match &q.kind {
                    QuestionKind::SingleChoice { options, .. }
                    | QuestionKind::MultipleChoice { options, .. }
                    | QuestionKind::Ranking { options, .. }
                    | QuestionKind::Matrix { rows: options, .. } => options
                        .iter()
                        .map(|o| format!("{} = {}", o.id, o.text.get(locale, &s.default_locale)))
                        .collect(),
                    _ => Vec::new(),
                };
                let cells = [
                    title.to_string(),
                    q.id.to_string(),
                    q.kind.type_name().to_string(),
                    q.text.get(locale, &s.default_locale).to_string(),
                    options.join("; "),
                ];
                for (i, c) in cells.iter().enumerate() {
                    ws.write_string(row, i as u16, c).map_err(xlsx_error)?;
                }
                row += 1;
            }
        }
        self.book.save_to_buffer().map_err(xlsx_error)
    }
}

/// The workbook of `pages` of responses. The pages are written as they come, on a blocking
/// thread; an error reading them ends the export with that error.
pub async fn responses_xlsx(
    pages: impl Stream<Item = Result<ResponseRows, AppError>> + Send + 'static,
    texts: XlsxTexts,
    opts: XlsxOptions,
) -> Result<Vec<u8>, AppError> {
    let mut writer = Writer::new(texts, opts)?;
    if let Some(id) = writer.opts.survey.clone()
        && writer.opts.surveys.contains_key(&id)
    {
        writer.sheet(&id)?;
    }
    let (tx, mut rx) = tokio::sync::mpsc::channel::<ResponseRows>(2);
    let work = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, AppError> {
        while let Some(page) = rx.blocking_recv() {
            for r in &page.rows {
                writer.write(r, &page.text)?;
            }
        }
        writer.finish()
    });
    let mut pages = std::pin::pin!(pages);
    let mut failed = None;
    while let Some(page) = pages.next().await {
        match page {
            Ok(rows) => {
                if tx.send(rows).await.is_err() {
                    break;
                }
            }
            Err(e) => {
                failed = Some(e);
                break;
            }
        }
    }
    drop(tx);
    let out = work
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("workbook thread: {e}")))?;
    match failed {
        Some(e) => Err(e),
        None => out,
    }
}

#[cfg(test)]
mod tests {
    use super::sheet_name;

    #[test]
    fn sheet_names_are_short_clean_and_unique() {
        let taken = vec!["Dostawa".to_string()];
        assert_eq!(sheet_name("Dostawa", &taken), "Dostawa (2)");
        assert_eq!(sheet_name("a/b: c?", &[]), "a b  c");
        let long = "Jak oceniasz dostawę zamówienia do paczkomatu?";
        let name = sheet_name(long, &[]);
        assert!(name.chars().count() <= 31, "{name}");
        assert_eq!(sheet_name("", &[]), "Survey");
    }
}
