//! The journey map, a touchpoint's detail, and the analyses (funnel, key-driver priority
//! matrix, Kano): the same analytics as `/api/v1/journeys/{key}/map`, `/funnel`,
//! `/api/v1/drivers` and `/api/v1/surveys/{id}/kano`, drawn as pages.
//!
//! Health is shown by colour and always by its word too, so it reads without colour.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use puls_core::WorkspaceId;
use puls_core::{QuestionKind, Survey};
use puls_html::chart::{Point, priority_matrix, trend};
use puls_html::console::{
    AnalysesPage, ChartPoint, DriverRow, Drivers, Estimate, Feedback, Funnel, FunnelRow,
    JourneyPage, Kano, KanoFeature, KanoShares, MapStage, MapTouchpoint, ShareView, StageChoice,
    SurveyChoice, TouchpointPage, Verbatim,
};
use puls_html::{Lang, Text, format};
use puls_store::{DefinitionKind, ResponseFilter};

use super::auth::need;
use super::auth::{Allowed, Member};
use super::names::Names;
use super::overview::Filters;
use super::{Page, page_error, shell, shown, title_in, user_message};
use crate::state::AppState;
use puls_app::analytics::journeys::Health;
use puls_app::analytics::metrics::MetricValue;
use puls_app::search::{ResponseMatch, Surveys};
use puls_app::{AppError, now_ms};
use puls_core::drivers::Excluded;
use puls_wire::reports::{DriversQuery, FunnelQuery, MapQuery, ReportQuery, ScopeQuery};

/// A metric of a touchpoint, when it has responses.
fn metric(v: &Option<MetricValue>) -> Option<Estimate> {
    v.as_ref().filter(|m| m.n > 0).map(|m| Estimate {
        value: m.value,
        low: m.ci_low,
        high: m.ci_high,
        n: m.n,
        small: m.small_sample,
    })
}

/// Why a touchpoint has its health, in words.
fn health_reason(t: &puls_app::analytics::journeys::MapTouchpoint, lang: Lang) -> String {
    let Some(r) = t.health_reason else {
        let own = t.nps.is_some() || t.csat.is_some();
        return lang
            .t(if own {
                Text::ReasonTooFew
            } else {
                Text::ReasonNoFeedback
            })
            .to_string();
    };
    if r.metric == "drop_off" {
        return lang.fill(
            Text::ReasonDropOff,
            &[
                &format::number(lang, r.value, 0),
                &format::number(lang, r.value - r.target, 0),
                &format::number(lang, r.target, 0),
            ],
        );
    }
    let (name, value) = match r.metric {
        "nps" => (lang.t(Text::Nps), format::signed(lang, r.value, 0)),
        _ => (
            lang.t(Text::Csat),
            format!("{} %", format::number(lang, r.value, 0)),
        ),
    };
    let gap = format::number(lang, (r.value - r.target).abs(), 0);
    let target = format::number(lang, r.target, 0);
    let text = if r.value >= r.target {
        Text::ReasonAbove
    } else {
        Text::ReasonBelow
    };
    lang.fill(text, &[&name, &value, &gap, &target])
}

fn touchpoint_view(t: &puls_app::analytics::journeys::MapTouchpoint, lang: Lang) -> MapTouchpoint {
    MapTouchpoint {
        reason: health_reason(t, lang),
        key: t.key.clone(),
        name: t.name.clone(),
        channel: t.channel.clone(),
        moment_of_truth: t.moment_of_truth,
        events: t.events,
        subjects: t.subjects,
        reached: t.reached,
        people: t.people,
        visitors: t.reached.saturating_sub(t.people),
        drop_off: Estimate {
            value: t.drop_off.value,
            low: t.drop_off.ci_low,
            high: t.drop_off.ci_high,
            n: t.drop_off.n,
            small: t.drop_off.small_sample,
        },
        nps: metric(&t.nps),
        csat: metric(&t.csat),
        ces: metric(&t.ces),
        detractors: t.detractor_share.as_ref().map(|d| ShareView {
            value: d.value,
            n: d.n,
        }),
        health: t.health.as_str(),
        health_name: match t.health {
            Health::Good => Text::HealthGood,
            Health::Watch => Text::HealthWatch,
            Health::Poor => Text::HealthPoor,
            Health::Unknown => Text::HealthUnknown,
        },
    }
}

/// The keys of a workspace's saved definitions of one kind (journeys, segments).
async fn definition_keys(
    st: &AppState,
    kind: DefinitionKind,
    ws: WorkspaceId,
) -> Result<Vec<String>, AppError> {
    Ok(st
        .app
        .definitions(ws, kind)
        .await?
        .into_iter()
        .map(|d| d.key)
        .collect())
}

async fn journey_keys(st: &AppState, ws: WorkspaceId) -> Result<Vec<String>, AppError> {
    definition_keys(st, DefinitionKind::Journey, ws).await
}

/// `GET /app/w/{slug}/journeys`: the first journey's map (or a note that there is none).
#[tracing::instrument(skip_all, fields(workspace = %slug))]
pub async fn first(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::ViewDashboards>,
    Path(slug): Path<String>,
) -> Response {
    match journey_keys(&st, m.workspace.id).await {
        Ok(keys) => match keys.first() {
            Some(k) => Redirect::to(&format!("/app/w/{slug}/journeys/{k}")).into_response(),
            None => Page::message(
                &st,
                StatusCode::OK,
                m.signed.lang,
                Text::NavJourneys,
                Text::NoJourneys,
            ),
        },
        Err(e) => page_error(&st, m.signed.lang, e),
    }
}

/// `GET /app/w/{slug}/journeys/{key}`: the map.
#[tracing::instrument(skip_all, fields(workspace = %slug, journey = %key))]
pub async fn map(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::ViewDashboards>,
    Path((slug, key)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    let lang = m.signed.lang;
    let ws = m.workspace.id;
    let f = Filters::parse_keeping(&st, raw.as_deref(), &["segment"]);
    let names = match Names::load(&st, ws, lang).await {
        Ok(n) => n,
        Err(e) => return page_error(&st, lang, e),
    };
    let result = async {
        let analytics = st.app.analytics();
        let journey = analytics.journey(ws, &key).await?;
        let req = MapQuery::parse(
            f.params(&[("lang", lang.code())]),
            &analytics.config,
            now_ms(),
        )?;
        analytics.journey_map(ws, &journey, &req).await
    }
    .await;
    let (stages, name, error) = match result {
        Ok(map) => {
            let stages: Vec<MapStage> = map
                .stages
                .iter()
                .map(|s| MapStage {
                    key: s.key.clone(),
                    name: s.name.clone(),
                    reached: s.reached,
                    touchpoints: s
                        .touchpoints
                        .iter()
                        .map(|t| touchpoint_view(t, lang))
                        .collect(),
                    side: s.side,
                    people: s.people,
                    visitors: s.people.map(|p| s.reached.saturating_sub(p)),
                    returned: s.returned,
                    return_days: s.return_days,
                })
                .collect();
            (stages, map.name, None)
        }
        Err(AppError::NotFound(_)) => return Page::not_found(&st, lang),
        Err(e) => match user_message(e) {
            Ok(msg) => (Vec::new(), key.clone(), Some(msg)),
            Err(e) => return page_error(&st, lang, e),
        },
    };
    let page = JourneyPage {
        title: name.clone(),
        journey: name,
        key: key.clone(),
        journeys: names.journey_options(),
        stages,
        error,
        filters: f.period(),
        segments: names.segment_options(),
        query: f.query(),
        min_n: st.app.analytics().config.min_n,
        shell: shell(&m, Text::NavJourneys),
    };
    Page::render(&st, StatusCode::OK, lang, &page)
}

/// `GET /app/w/{slug}/journeys/{key}/t/{tp}`: one touchpoint: its numbers on the map, its
/// NPS by week, and the latest open answers of its surveys.
#[tracing::instrument(skip_all, fields(workspace = %slug, journey = %key, touchpoint = %tp))]
pub async fn touchpoint(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::ViewDashboards>,
    Path((slug, key, tp)): Path<(String, String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    let lang = m.signed.lang;
    let ws = m.workspace.id;
    let f = Filters::parse_keeping(&st, raw.as_deref(), &["segment"]);
    let result = async {
        let analytics = st.app.analytics();
        let journey = analytics.journey(ws, &key).await?;
        let req = MapQuery::parse(
            f.params(&[("lang", lang.code())]),
            &analytics.config,
            now_ms(),
        )?;
        let map = analytics.journey_map(ws, &journey, &req).await?;
        let found = map.stages.iter().find_map(|s| {
            s.touchpoints
                .iter()
                .find(|t| t.key == tp)
                .map(|t| (s.name.clone(), t.clone()))
        });
        Ok::<_, AppError>((map.name, found))
    }
    .await;
    let (journey, (stage, t)) = match result {
        Ok((name, Some(found))) => (name, found),
        Ok((_, None)) | Err(AppError::NotFound(_)) => return Page::not_found(&st, lang),
        Err(e) => return page_error(&st, lang, e),
    };
    // NPS by week over the surveys asked here.
    let tps = t.surveys.join(",");
    let mut chart = String::new();
    let mut points = Vec::new();
    if !tps.is_empty() {
        let weeks = super::overview::report(
            &st,
            ws,
            &f,
            &[
                ("metric", "nps"),
                ("by", "week"),
                ("compare", "none"),
                ("touchpoint", &tps),
            ],
        )
        .await;
        match weeks {
            Ok(w) => {
                for r in &w.rows {
                    let (label, partial) =
                        super::overview::bucket_label(lang, r, "week", &w.time_zone);
                    points.push(Point {
                        label: format::date(lang, &label),
                        partial,
                        value: r.current.value,
                        low: r.current.ci_low,
                        high: r.current.ci_high,
                    });
                }
                chart = trend(
                    &points,
                    (-100.0, 100.0),
                    &format!("NPS – {}", t.name),
                    &|v| format::number(lang, v, 0),
                );
            }
            Err(e) => {
                if let Err(e) = user_message(e) {
                    return page_error(&st, lang, e);
                }
            }
        }
    }
    // The latest open answers ("verbatims") of its surveys.
    let defs = match st.app.analytics().current_surveys(ws).await {
        Ok(d) => d,
        Err(e) => return page_error(&st, lang, e),
    };
    let mut verbatims: Vec<Verbatim> = Vec::new();
    let mut cache = Surveys::default();
    for s in &t.surveys {
        let filter = ResponseFilter {
            touchpoint: Some(s.clone()),
            ..ResponseFilter::default()
        };
        let rows = match st
            .app
            .find_responses(ws, filter, &ResponseMatch::default(), 200)
            .await
        {
            Ok(found) => found.rows,
            Err(e) => return page_error(&st, lang, e),
        };
        for r in rows {
            let texts = match cache.open_answers(&st.app, &r).await {
                Ok(t) => t,
                Err(e) => return page_error(&st, lang, e),
            };
            if !texts.is_empty() {
                let def = defs.get(r.survey_id.as_str()).map(|d| d.as_ref());
                let score = Some(super::inbox::scores_of(&r, def, lang)).filter(|s| !s.is_empty());
                verbatims.push(Verbatim {
                    id: r.id.as_str().to_string(),
                    date: puls_wire::format_ms(r.created_at),
                    text: texts.join(" · "),
                    score,
                });
            }
            if verbatims.len() >= 10 {
                break;
            }
        }
    }
    let tp = touchpoint_view(&t, lang);
    let feedback = vec![
        Feedback {
            metric: "nps",
            name: Text::Nps,
            value: tp.nps.clone(),
        },
        Feedback {
            metric: "csat",
            name: Text::Csat,
            value: tp.csat.clone(),
        },
        Feedback {
            metric: "ces",
            name: Text::Ces,
            value: tp.ces.clone(),
        },
    ];
    // What customers write about here (over the surveys asked here).
    let text = if tps.is_empty() {
        puls_html::console::TextCard {
            installed: true,
            ..Default::default()
        }
    } else {
        match super::overview::text_card(&st, ws, &f, lang, &slug, Some(&tps)).await {
            Ok(t) => t,
            Err(e) => return page_error(&st, lang, e),
        }
    };
    let page = TouchpointPage {
        text,
        title: t.name.clone(),
        journey,
        key,
        stage,
        tp,
        feedback,
        // The surveys asked here, by title.
        surveys: defs
            .values()
            .filter(|d| t.surveys.iter().any(|s| s == d.touchpoint.as_str()))
            .map(|d| title_in(d, lang.code()))
            .collect(),
        chart,
        points: points
            .into_iter()
            .map(|p| ChartPoint {
                label: p.partial.unwrap_or(p.label),
                value: p.value,
                low: p.low,
                high: p.high,
            })
            .collect(),
        verbatims,
        query: f.query(),
        min_n: st.app.analytics().config.min_n,
        shell: shell(&m, Text::NavJourneys),
    };
    Page::render(&st, StatusCode::OK, lang, &page)
}

/// The scale questions of a survey that can drive an outcome, as question keys.
fn driver_keys(s: &Survey, outcome: &str) -> Vec<String> {
    let mut keys = Vec::new();
    for q in &s.questions {
        let id = q.id.as_str();
        if id == outcome {
            continue;
        }
        match &q.kind {
            QuestionKind::Csat | QuestionKind::Ces | QuestionKind::Rating(_) => {
                keys.push(id.to_string())
            }
            QuestionKind::Matrix { rows, .. } => {
                keys.extend(rows.iter().map(|r| format!("{id}.{}", r.id.as_str())))
            }
            _ => {}
        }
    }
    keys.truncate(puls_core::drivers::MAX_DRIVERS);
    keys
}

/// A question's (or matrix row's, `QUESTION.ROW`) text in the page's language; the key
/// itself when the survey has no such question.
fn key_label(s: &Survey, key: &str, lang: Lang) -> String {
    let l = puls_core::Locale::parse(lang.code()).unwrap_or_else(|_| s.default_locale.clone());
    let text = |t: &puls_core::LocalizedText| t.get(&l, &s.default_locale).to_string();
    let (q, row) = match key.split_once('.') {
        Some((q, r)) => (q, Some(r)),
        None => (key, None),
    };
    let Some(question) = s.questions.iter().find(|x| x.id.as_str() == q) else {
        return key.to_string();
    };
    match (row, &question.kind) {
        (None, _) => text(&question.text),
        (Some(r), QuestionKind::Matrix { rows, .. }) => rows
            .iter()
            .find(|x| x.id.as_str() == r)
            .map_or_else(|| key.to_string(), |x| text(&x.text)),
        _ => key.to_string(),
    }
}

/// The outcome of a driver analysis: a survey's NPS question, else its CSAT, else its CES.
fn outcome_of(s: &Survey) -> Option<String> {
    ["nps", "csat", "ces"].iter().find_map(|kind| {
        s.questions
            .iter()
            .find(|q| q.kind.type_name() == *kind)
            .map(|q| q.id.as_str().to_string())
    })
}

/// `GET /app/w/{slug}/analyses`: the funnel of a journey, a driver analysis of a survey, the
/// Kano features of a survey, under one period and segment.
#[tracing::instrument(skip_all, fields(workspace = %slug))]
pub async fn analyses(
    State(st): State<AppState>,
    Allowed(m, _): Allowed<need::ViewDashboards>,
    Path(slug): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let lang = m.signed.lang;
    let f = Filters::parse_keeping(
        &st,
        raw.as_deref(),
        &["segment", "journey", "drivers_survey", "kano_survey"],
    );
    // The funnel's stages, as the form's boxes send them (repeated).
    let stages: Vec<String> =
        serde_urlencoded::from_str::<Vec<(String, String)>>(raw.as_deref().unwrap_or(""))
            .unwrap_or_default()
            .into_iter()
            .filter(|(k, v)| k == "stages" && !v.is_empty())
            .map(|(_, v)| v)
            .collect();
    // What the open answers say (key drivers and Kano only: the funnel is of behaviour).
    let aspect = serde_urlencoded::from_str::<Vec<(String, String)>>(raw.as_deref().unwrap_or(""))
        .unwrap_or_default()
        .into_iter()
        .find(|(k, v)| k == "aspect" && !v.is_empty())
        .map(|(_, v)| v)
        .unwrap_or_default();
    match analyses_page(&st, &m, &f, &stages, &aspect).await {
        Ok((status, page)) => Page::render(&st, status, lang, &page),
        Err(e) => page_error(&st, lang, e),
    }
}

/// The analyses page: a section the person's filters make impossible (an unknown segment, a
/// journey without stages) says why on the page (400), the others are still shown.
async fn analyses_page(
    st: &AppState,
    m: &Member,
    f: &Filters,
    chosen_stages: &[String],
    aspect: &str,
) -> Result<(StatusCode, AnalysesPage), AppError> {
    let lang = m.signed.lang;
    let ws = m.workspace.id;
    let mut errors: Vec<String> = Vec::new();
    let keys = journey_keys(st, ws).await?;
    let names = Names::load(st, ws, lang).await?;
    let analytics = st.app.analytics();
    let surveys = analytics.current_surveys(ws).await?;
    let mut survey_list: Vec<(String, String, bool, bool)> = surveys
        .iter()
        .map(|(id, s)| {
            let title = title_in(s, lang.code());
            let drivable = outcome_of(s).is_some_and(|o| !driver_keys(s, &o).is_empty());
            let kano = s.questions.iter().any(|q| q.kind.type_name() == "kano");
            (id.clone(), title, drivable, kano)
        })
        .collect();
    survey_list.sort();
    let segment = f.current("segment").to_string();
    let seg: Vec<(&str, &str)> = if segment.is_empty() {
        vec![]
    } else {
        vec![("segment", segment.as_str())]
    };
    // Drivers and Kano also take the aspect read in the open answers.
    let mut seg_aspect = seg.clone();
    if !aspect.is_empty() {
        seg_aspect.push(("aspect", aspect));
    }

    // The funnel.
    let journey_key = Some(f.current("journey").to_string())
        .filter(|k| !k.is_empty())
        .or_else(|| keys.first().cloned());
    let mut funnel = None;
    let mut stage_choices = Vec::new();
    if let Some(k) = &journey_key {
        if let Ok(journey) = analytics.journey(ws, k).await {
            // Every stage to choose from; by default the main path is chosen.
            stage_choices = journey
                .stages
                .iter()
                .map(|s| StageChoice {
                    key: s.key.to_string(),
                    name: s.name.get(lang.code()).to_string(),
                    side: s.side,
                    chosen: if chosen_stages.is_empty() {
                        !s.side
                    } else {
                        chosen_stages.iter().any(|c| c == s.key.as_str())
                    },
                })
                .collect();
        }
        let joined = chosen_stages.join(",");
        let r = async {
            let journey = analytics.journey(ws, k).await?;
            let mut extra = seg.clone();
            extra.push(("lang", lang.code()));
            if !joined.is_empty() {
                extra.push(("stages", joined.as_str()));
            }
            let req = FunnelQuery::read(&f.params(&extra), &analytics.config, now_ms())?;
            analytics.funnel(ws, &journey, &req).await
        }
        .await;
        if let Some(dto) = shown(r, &mut errors)? {
            let rows: Vec<FunnelRow> = dto
                .rows
                .iter()
                .filter(|r| r.group.is_none())
                .map(|r| FunnelRow {
                    name: r.name.clone(),
                    entered: r.counts.entered,
                    converted: r.counts.converted,
                    rate: r.counts.conversion_rate,
                    low: r.counts.ci_low,
                    high: r.counts.ci_high,
                    overall: r.overall_rate,
                    drop_off: r.drop_off,
                    median_days: r.median_time_to_convert_seconds.map(|s| s / 86_400.0),
                    p90_days: r.p90_time_to_convert_seconds.map(|s| s / 86_400.0),
                    small: r.small_sample,
                })
                .collect();
            funnel = Some(Funnel {
                journey: names
                    .journey_options()
                    .into_iter()
                    .find(|o| o.value == *k)
                    .map_or_else(|| k.clone(), |o| o.text),
                window_days: dto.window_days,
                rows,
            });
        }
    }

    // Key drivers of a survey's outcome.
    let drivers_id = Some(f.current("drivers_survey").to_string())
        .filter(|k| !k.is_empty())
        .or_else(|| survey_list.iter().find(|s| s.2).map(|s| s.0.clone()));
    let mut drivers = None;
    if let Some(id) = &drivers_id
        && let Some(s) = surveys.get(id)
        && let Some(outcome) = outcome_of(s)
    {
        let dk = driver_keys(s, &outcome).join(",");
        let r = async {
            let mut extra = vec![
                ("outcome", outcome.as_str()),
                ("drivers", dk.as_str()),
                ("survey", id.as_str()),
            ];
            extra.extend(seg_aspect.iter().copied());
            let req = DriversQuery::read(&f.params(&extra), &analytics.config, now_ms())?;
            analytics.drivers(ws, req).await
        }
        .await;
        if let Some(rep) = shown(r, &mut errors)? {
            let list: Vec<DriverRow> = rep
                .drivers
                .iter()
                .map(|d| DriverRow {
                    key: d.key.clone(),
                    label: key_label(s, &d.key, lang),
                    share: d.share,
                    low: d.share_ci.map(|c| c.0),
                    high: d.share_ci.map(|c| c.1),
                    performance: d.performance,
                    quadrant: d.quadrant.map(Text::quadrant),
                    excluded: d.excluded.map(|e| match e {
                        Excluded::NoAnswers => Text::DriverNoAnswers,
                        Excluded::Constant => Text::DriverConstant,
                    }),
                })
                .collect();
            let points: Vec<(&str, f64, f64)> = rep
                .drivers
                .iter()
                .zip(&list)
                .filter_map(|(d, row)| d.performance.map(|p| (row.label.as_str(), d.importance, p)))
                .collect();
            let matrix = priority_matrix(&points, rep.mean_importance, rep.mean_performance, lang);
            drivers = Some(Drivers {
                outcome: key_label(s, &outcome, lang),
                n: rep.n,
                r2: rep.r_squared,
                small: rep.small_sample,
                drivers: list,
                matrix,
            });
        }
    }

    // Kano categories per feature.
    let kano_id = Some(f.current("kano_survey").to_string())
        .filter(|k| !k.is_empty())
        .or_else(|| survey_list.iter().find(|s| s.3).map(|s| s.0.clone()));
    let mut kano = None;
    if let Some(id) = &kano_id {
        let r = async {
            let scope = ScopeQuery::read(&f.params(&seg_aspect), &analytics.config, now_ms())?;
            analytics.kano(ws, id, scope).await
        }
        .await;
        if let Some(rep) = shown(r, &mut errors)? {
            let features = rep
                .features
                .iter()
                .map(|k| KanoFeature {
                    feature: surveys
                        .get(id.as_str())
                        .map_or_else(|| k.feature.clone(), |s| key_label(s, &k.question, lang)),
                    n: k.n,
                    small: k.small_sample,
                    dominant: k.dominant.map(Text::kano_category),
                    strength: k.category_strength,
                    better: k.better,
                    worse: k.worse,
                    shares: k.shares.as_ref().map(|s| KanoShares {
                        attractive: s.attractive,
                        one_dimensional: s.one_dimensional,
                        must_be: s.must_be,
                        indifferent: s.indifferent,
                        reverse: s.reverse,
                        questionable: s.questionable,
                    }),
                })
                .collect();
            kano = Some(Kano { features });
        }
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let page = AnalysesPage {
        title: lang.t(Text::NavAnalyses).into(),
        journeys: names.journey_options(),
        journey: journey_key,
        stages: stage_choices,
        surveys: survey_list
            .into_iter()
            .map(|(id, title, drivable, kano)| SurveyChoice {
                id,
                title,
                drivable,
                kano,
            })
            .collect(),
        drivers_survey: drivers_id,
        kano_survey: kano_id,
        funnel,
        drivers,
        kano,
        errors,
        filters: f.period(),
        segments: names.segment_options(),
        aspect: aspect.to_string(),
        aspects: names
            .aspect_options()
            .into_iter()
            .flat_map(|a| {
                let neg = super::overview::option(
                    &format!("{}:neg", a.value),
                    &format!("{}: {}", a.text, lang.sentiment("neg")),
                );
                [a, neg]
            })
            .collect(),
        min_n: st.app.analytics().config.min_n,
        shell: shell(m, Text::NavAnalyses),
    };
    Ok((status, page))
}
