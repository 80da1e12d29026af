//! The journey map, a touchpoint's detail, and the analyses (funnel, key-driver priority
//! matrix, Kano): the same analytics as `/api/v1/journeys/{key}/map`, `/funnel`,
//! `/api/v1/drivers` and `/api/v1/surveys/{id}/kano`, drawn as pages.
//!
//! Health is shown by colour and always by its word too, so it reads without colour.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use puls_core::WorkspaceId;
use puls_core::access::Permission;
use puls_core::{QuestionKind, Survey};
use puls_html::chart::{Point, escape, trend};
use puls_html::{Lang, Text, format};
use puls_store::{DefinitionKind, ResponseFilter};
use serde_json::{Value as Json, json};

use super::auth::{Member, Signed};
use super::overview::Filters;
use super::{Page, page_error, ser, shell, title_in, user_message};
use crate::state::AppState;
use puls_app::analytics::drivers::DriverResult;
use puls_app::analytics::journeys::MapTouchpoint;
use puls_app::analytics::metrics::MetricValue;
use puls_app::search::Surveys;
use puls_app::{AppError, now_ms};
use puls_core::drivers::Excluded;
use puls_wire::analytics::verdict_name;
use puls_wire::reports::{DriversQuery, FunnelQuery, MapQuery, ScopeQuery};

fn metric(v: &Option<MetricValue>) -> Json {
    match v {
        Some(m) if m.n > 0 => json!({
            "value": m.value, "low": m.ci_low, "high": m.ci_high, "n": m.n, "small": m.small_sample,
        }),
        _ => Json::Null,
    }
}

fn touchpoint_view(t: &MapTouchpoint) -> Json {
    json!({
        "key": t.key, "name": t.name, "channel": t.channel, "moment_of_truth": t.moment_of_truth,
        "events": t.events, "subjects": t.subjects, "reached": t.reached,
        "drop_off": {"value": t.drop_off.value, "low": t.drop_off.ci_low, "high": t.drop_off.ci_high,
                     "n": t.drop_off.n, "small": t.drop_off.small_sample},
        "nps": metric(&t.nps), "csat": metric(&t.csat), "ces": metric(&t.ces),
        "detractors": t.detractor_share.as_ref().map(|d| json!({"value": d.value, "n": d.n})),
        "health": t.health.as_str(),
    })
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
pub async fn first(
    State(st): State<AppState>,
    signed: Signed,
    Path(slug): Path<String>,
) -> Response {
    let m = match Member::allowed(&st, signed, &slug, Permission::ViewDashboards).await {
        Ok(m) => m,
        Err(r) => return r,
    };
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
pub async fn map(
    State(st): State<AppState>,
    signed: Signed,
    Path((slug, key)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    let m = match Member::allowed(&st, signed, &slug, Permission::ViewDashboards).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let lang = m.signed.lang;
    let ws = m.workspace.id;
    let f = Filters::parse_keeping(raw.as_deref(), &["segment"]);
    let keys = match journey_keys(&st, ws).await {
        Ok(k) => k,
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
            let stages: Vec<Json> = map
                .stages
                .iter()
                .map(|s| {
                    json!({"key": s.key, "name": s.name, "reached": s.reached,
                       "touchpoints": s.touchpoints.iter().map(touchpoint_view).collect::<Vec<_>>()})
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
    let segments = match segment_options(&st, ws).await {
        Ok(s) => s,
        Err(e) => return page_error(&st, lang, e),
    };
    let ctx = minijinja::context! {
        title => name.clone(), journey => name, key => key.clone(), journeys => ser(keys),
        stages => ser(stages), error => error,
        filters => minijinja::context! { from => f.from.clone(), to => f.to.clone(), segment => f.current("segment") },
        segments => ser(segments),
        query => f.query(),
        min_n => st.app.analytics().config.min_n,
        ..shell(&m, "nav_journeys")
    };
    Page::render(&st, StatusCode::OK, "journey.html", lang, ctx)
}

async fn segment_options(st: &AppState, ws: WorkspaceId) -> Result<Vec<String>, AppError> {
    definition_keys(st, DefinitionKind::Segment, ws).await
}

/// `GET /app/w/{slug}/journeys/{key}/t/{tp}`: one touchpoint: its numbers on the map, its
/// NPS by week, and the latest open answers of its surveys.
pub async fn touchpoint(
    State(st): State<AppState>,
    signed: Signed,
    Path((slug, key, tp)): Path<(String, String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    let m = match Member::allowed(&st, signed, &slug, Permission::ViewDashboards).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let lang = m.signed.lang;
    let ws = m.workspace.id;
    let f = Filters::parse_keeping(raw.as_deref(), &["segment"]);
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
                    let label = r.keys.get("week").cloned().flatten().unwrap_or_default();
                    points.push(Point {
                        label: format::date(lang, &label),
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
    let mut verbatims: Vec<Json> = Vec::new();
    let mut cache = Surveys::default();
    for s in &t.surveys {
        let filter = ResponseFilter {
            touchpoint: Some(s.clone()),
            ..ResponseFilter::default()
        };
        let rows = match st.app.find_responses(ws, filter, None, 200).await {
            Ok(found) => found.rows,
            Err(e) => return page_error(&st, lang, e),
        };
        for r in rows {
            let texts = match cache.open_answers(&st.app, &r).await {
                Ok(t) => t,
                Err(e) => return page_error(&st, lang, e),
            };
            if !texts.is_empty() {
                // The scores at a glance, named: "nps 9, csat 4".
                let score = {
                    let s: Vec<String> = r
                        .answers
                        .iter()
                        .filter_map(|(k, v)| match v {
                            puls_core::Value::Int(n) => Some(format!("{k} {n}")),
                            _ => None,
                        })
                        .collect();
                    (!s.is_empty()).then(|| s.join(", "))
                };
                verbatims.push(
                    json!({"id": r.id.as_str(), "date": puls_wire::format_ms(r.created_at),
                                      "text": texts.join(" · "), "score": score}),
                );
            }
            if verbatims.len() >= 10 {
                break;
            }
        }
    }
    let ctx = minijinja::context! {
        title => t.name.clone(), journey => journey, key => key, stage => stage,
        tp => ser(touchpoint_view(&t)), surveys => ser(&t.surveys),
        chart => chart, points => ser(points.iter().map(|p| json!({"label": p.label, "value": p.value, "low": p.low, "high": p.high})).collect::<Vec<_>>()),
        verbatims => ser(verbatims),
        query => f.query(),
        min_n => st.app.analytics().config.min_n,
        ..shell(&m, "nav_journeys")
    };
    Page::render(&st, StatusCode::OK, "touchpoint.html", lang, ctx)
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
pub async fn analyses(
    State(st): State<AppState>,
    signed: Signed,
    Path(slug): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let m = match Member::allowed(&st, signed, &slug, Permission::ViewDashboards).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let lang = m.signed.lang;
    let ws = m.workspace.id;
    let f = Filters::parse_keeping(
        raw.as_deref(),
        &["segment", "journey", "drivers_survey", "kano_survey"],
    );
    let mut errors: Vec<String> = Vec::new();
    let keys = match journey_keys(&st, ws).await {
        Ok(k) => k,
        Err(e) => return page_error(&st, lang, e),
    };
    let analytics = st.app.analytics();
    let surveys = match analytics.current_surveys(ws).await {
        Ok(s) => s,
        Err(e) => return page_error(&st, lang, e),
    };
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

    // The funnel.
    let journey_key = Some(f.current("journey").to_string())
        .filter(|k| !k.is_empty())
        .or_else(|| keys.first().cloned());
    let mut funnel = Json::Null;
    if let Some(k) = &journey_key {
        let r = async {
            let journey = analytics.journey(ws, k).await?;
            let req = FunnelQuery::read(&f.params(&seg), &analytics.config, now_ms())?;
            analytics.funnel(ws, &journey, &req).await
        }
        .await;
        match r {
            Ok(dto) => {
                let rows: Vec<Json> = dto
                    .rows
                    .iter()
                    .filter(|r| r.group.is_none())
                    .map(|r| {
                        json!({"name": r.name, "entered": r.counts.entered, "converted": r.counts.converted,
                               "rate": r.counts.conversion_rate, "low": r.counts.ci_low, "high": r.counts.ci_high,
                               "overall": r.overall_rate, "drop_off": r.drop_off,
                               "median_days": r.median_time_to_convert_seconds.map(|s| s / 86_400.0),
                               "p90_days": r.p90_time_to_convert_seconds.map(|s| s / 86_400.0),
                               "small": r.small_sample,
                               "verdict": r.change.as_ref().map(|c| verdict_name(c.verdict))})
                    })
                    .collect();
                funnel = json!({"journey": k, "window_days": dto.window_days, "rows": rows});
            }
            Err(e) => match user_message(e) {
                Ok(msg) => errors.push(msg),
                Err(e) => return page_error(&st, lang, e),
            },
        }
    }

    // Key drivers of a survey's outcome.
    let drivers_id = Some(f.current("drivers_survey").to_string())
        .filter(|k| !k.is_empty())
        .or_else(|| survey_list.iter().find(|s| s.2).map(|s| s.0.clone()));
    let mut drivers = Json::Null;
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
            extra.extend(seg.iter().copied());
            let req = DriversQuery::read(&f.params(&extra), &analytics.config, now_ms())?;
            analytics.drivers(ws, req).await
        }
        .await;
        match r {
            Ok(rep) => {
                let list: Vec<Json> = rep
                    .drivers
                    .iter()
                    .map(|d| {
                        json!({"key": d.key, "importance": d.importance, "share": d.share,
                        "performance": d.performance, "n": d.n,
                        "quadrant": d.quadrant.map(|q| q.as_str()),
                        "excluded": d.excluded.map(|e| match e {
                            Excluded::NoAnswers => "no_answers",
                            Excluded::Constant => "constant",
                        })})
                    })
                    .collect();
                let matrix = priority_matrix(
                    &rep.drivers,
                    rep.mean_importance,
                    rep.mean_performance,
                    lang,
                );
                drivers = json!({"survey": id, "outcome": outcome, "n": rep.n, "r2": rep.r_squared,
                                 "small": rep.small_sample, "drivers": list, "matrix": matrix});
            }
            Err(e) => match user_message(e) {
                Ok(msg) => errors.push(msg),
                Err(e) => return page_error(&st, lang, e),
            },
        }
    }

    // Kano categories per feature.
    let kano_id = Some(f.current("kano_survey").to_string())
        .filter(|k| !k.is_empty())
        .or_else(|| survey_list.iter().find(|s| s.3).map(|s| s.0.clone()));
    let mut kano = Json::Null;
    if let Some(id) = &kano_id {
        let r = async {
            let scope = ScopeQuery::read(&f.params(&seg), &analytics.config, now_ms())?;
            analytics.kano(ws, id, scope).await
        }
        .await;
        match r {
            Ok(rep) => {
                kano = json!({"survey": id, "features": rep.features.iter().map(|k| json!({
                    "feature": k.feature, "n": k.n, "small": k.small_sample, "dominant": k.dominant.map(|c| c.as_str()),
                    "strength": k.category_strength, "better": k.better, "worse": k.worse,
                    "shares": k.shares.as_ref().map(|s| json!({
                        "attractive": s.attractive, "one_dimensional": s.one_dimensional,
                        "must_be": s.must_be, "indifferent": s.indifferent,
                        "reverse": s.reverse, "questionable": s.questionable})),
                })).collect::<Vec<_>>()});
            }
            Err(e) => match user_message(e) {
                Ok(msg) => errors.push(msg),
                Err(e) => return page_error(&st, lang, e),
            },
        }
    }
    let segments = match segment_options(&st, ws).await {
        Ok(s) => s,
        Err(e) => return page_error(&st, lang, e),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let ctx = minijinja::context! {
        title => lang.t(Text::NavAnalyses),
        journeys => ser(&keys), journey => journey_key,
        surveys => ser(survey_list.iter().map(|s| json!({"id": s.0, "title": s.1, "drivable": s.2, "kano": s.3})).collect::<Vec<_>>()),
        drivers_survey => drivers_id, kano_survey => kano_id,
        funnel => ser(funnel), drivers => ser(drivers), kano => ser(kano),
        errors => ser(errors),
        filters => minijinja::context! { from => f.from.clone(), to => f.to.clone(), segment => segment.clone() },
        segments => ser(segments),
        min_n => st.app.analytics().config.min_n,
        ..shell(&m, "nav_analyses")
    };
    Page::render(&st, status, "analyses.html", lang, ctx)
}

/// The priority matrix: importance (share of R²) across, performance (0–100) up, the means
/// as the quadrant lines; each driver a labelled dot.
fn priority_matrix(
    drivers: &[DriverResult],
    mean_importance: f64,
    mean_performance: f64,
    lang: Lang,
) -> String {
    const W: f64 = 420.0;
    const H: f64 = 300.0;
    const PAD: f64 = 40.0;
    let pts: Vec<(&str, f64, f64)> = drivers
        .iter()
        .filter_map(|d| d.performance.map(|p| (d.key.as_str(), d.importance, p)))
        .collect();
    // Zoomed to the drivers: importance from 0, performance around the points (0–100).
    let max_i = pts
        .iter()
        .map(|p| p.1)
        .fold(mean_importance, f64::max)
        .max(1e-9)
        * 1.15;
    let (lo_p, hi_p) = pts
        .iter()
        .fold((mean_performance, mean_performance), |(a, b), p| {
            (a.min(p.2), b.max(p.2))
        });
    let (lo_p, hi_p) = (
        (lo_p - 5.0).max(0.0).floor(),
        (hi_p + 5.0).min(100.0).ceil(),
    );
    let span = (hi_p - lo_p).max(1.0);
    let x = |v: f64| PAD + (W - 2.0 * PAD) * (v / max_i).clamp(0.0, 1.0);
    let y = |v: f64| H - PAD - (H - 2.0 * PAD) * ((v - lo_p) / span).clamp(0.0, 1.0);
    let t = |text: Text| lang.t(text);
    let mut s = format!(
        r#"<svg class="matrix" viewBox="0 0 {W} {H}" role="img" aria-label="{}">"#,
        escape(t(Text::PriorityMatrix))
    );
    s.push_str(&format!(
        r#"<rect x="{PAD}" y="{PAD}" width="{}" height="{}" class="frame"/>"#,
        W - 2.0 * PAD,
        H - 2.0 * PAD
    ));
    s.push_str(&format!(
        r#"<line class="mean" x1="{0:.1}" x2="{0:.1}" y1="{PAD}" y2="{1}"/><line class="mean" x1="{PAD}" x2="{2}" y1="{3:.1}" y2="{3:.1}"/>"#,
        x(mean_importance),
        H - PAD,
        W - PAD,
        y(mean_performance)
    ));
    // Quadrant names in the corners: high importance and low performance is "fix first".
    for (key, qx, qy, anchor) in [
        (Text::QuadrantFixFirst, W - PAD - 4.0, H - PAD - 6.0, "end"),
        (Text::QuadrantKeepUp, W - PAD - 4.0, PAD + 14.0, "end"),
        (
            Text::QuadrantLowerPriority,
            PAD + 4.0,
            H - PAD - 6.0,
            "start",
        ),
        (Text::QuadrantMaintain, PAD + 4.0, PAD + 14.0, "start"),
    ] {
        s.push_str(&format!(
            r#"<text class="quad" x="{qx}" y="{qy}" text-anchor="{anchor}">{}</text>"#,
            escape(t(key))
        ));
    }
    for (k, imp, perf) in &pts {
        s.push_str(&format!(
            r#"<circle class="dot" cx="{:.1}" cy="{:.1}" r="5"><title>{}: {}, {}</title></circle><text class="lbl" x="{:.1}" y="{:.1}">{}</text>"#,
            x(*imp),
            y(*perf),
            escape(k),
            format::number(lang, *imp, 3),
            format::number(lang, *perf, 0),
            x(*imp) + 7.0,
            y(*perf) + 4.0,
            escape(k)
        ));
    }
    s.push_str(&format!(
        r#"<text class="quad" x="{}" y="{}" text-anchor="end">{}</text><text class="quad" x="{}" y="{}" text-anchor="end">{}</text>"#,
        PAD - 4.0,
        PAD + 4.0,
        format::number(lang, hi_p, 0),
        PAD - 4.0,
        H - PAD,
        format::number(lang, lo_p, 0)
    ));
    s.push_str(&format!(
        r#"<text class="axis" x="{}" y="{}" text-anchor="middle">{}</text><text class="axis" x="12" y="{}" transform="rotate(-90 12 {})" text-anchor="middle">{}</text></svg>"#,
        W / 2.0,
        H - 10.0,
        escape(t(Text::Importance)),
        H / 2.0,
        H / 2.0,
        escape(t(Text::Performance))
    ));
    s
}
