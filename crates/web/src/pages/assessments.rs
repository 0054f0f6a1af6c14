//! The annual assessment: the list of a year with its filters, export,
//! rankings and grade distribution per unit kind (SVG); one assessment
//! with its breakdown and evidence, the unit's self-report form, the
//! assessors' entry forms, the buttons of the transitions table and the
//! history; the office's rules of a year.

use super::assistance::{Form, fv};
use super::{
    Query, done, error_message, error_rows, list_nav, page_of, q, wants_xlsx, xlsx_response,
};
use crate::AppState;
use crate::charts::{self, ValueBar};
use crate::csrf::CsrfForm;
use crate::ctx::{PageCtx, blocking};
use crate::error::PageError;
use crate::i18n::t;
use crate::render;
use axum::Router;
use axum::extract::{Path, Query as Q, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Datelike;
use dingdian_app::AppError;
use dingdian_app::assessments::{AssessmentView, KindRanking};
use dingdian_core::assessment::{
    AssessmentFilter, AssessmentRules, AssessmentStatus, Dimension, Grade, RulesInput,
};
use dingdian_core::assessment_score::{Assessment, DimensionScore, EntryInput, Indicator, points};
use dingdian_core::role::Action;
use dingdian_core::time;
use minijinja::{Value, context};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assessments", get(list))
        .route("/assessments/open", post(open_year))
        .route("/assessments/publish", post(publish_year))
        .route("/assessments/rules", get(rules_page).post(save_rules))
        .route("/assessments/{id}", get(show))
        .route("/assessments/{id}/transition", post(transition))
        .route("/assessments/{id}/entries", post(enter))
        .route("/assessments/{id}/self-report", post(self_report))
}

fn text<T: Copy>(
    v: T,
    lang: &str,
    zh: fn(T) -> &'static str,
    en: fn(T) -> &'static str,
) -> &'static str {
    if lang == "en" { en(v) } else { zh(v) }
}

fn status_text(s: AssessmentStatus, lang: &str) -> &'static str {
    text(s, lang, AssessmentStatus::zh, AssessmentStatus::en)
}

fn grade_text(g: Grade, lang: &str) -> &'static str {
    text(g, lang, Grade::zh, Grade::en)
}

fn crumb(lang: &str) -> (String, String) {
    ("/assessments".into(), t(lang, "nav_assessments"))
}

/// The year shown by default: the last one ended.
fn default_year() -> i32 {
    time::today().year() - 1
}

fn row(a: &Assessment, lang: &str) -> Value {
    context! {
        a => a,
        status_text => status_text(a.status, lang),
        grade_text => a.grade.map(|g| grade_text(g, lang)),
        gaps => a.gaps.len(),
    }
}

fn filter(query: &Query) -> AssessmentFilter {
    AssessmentFilter {
        year: Some(
            q(query, "year")
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(default_year),
        ),
        unit_id: q(query, "unit").and_then(|v| v.parse().ok()),
        status: q(query, "status").and_then(AssessmentStatus::from_code),
        q: q(query, "q").map(str::to_string),
    }
}

/// Per unit kind: the scores as bars (best first) and the grade counts.
fn ranking_charts(ranks: &[KindRanking], lang: &str) -> Vec<Value> {
    ranks
        .iter()
        .map(|k| {
            let kind = dingdian_core::unit::UnitKind::parse(&k.unit_kind)
                .map(|u| if lang == "en" { u.en() } else { u.zh() })
                .unwrap_or(k.unit_kind.as_str());
            let scores: Vec<ValueBar> = k
                .ranked
                .iter()
                .filter_map(|a| {
                    Some(ValueBar {
                        label: a.unit_name.clone(),
                        href: Some(format!("/assessments/{}", a.id)),
                        value: a.score?,
                        text: format!("{:.2} {}", a.score?, a.grade.map(|g| grade_text(g, lang)).unwrap_or("")),
                    })
                })
                .collect();
            let grades: Vec<ValueBar> = k
                .grades
                .iter()
                .map(|(g, n)| ValueBar {
                    label: grade_text(*g, lang).to_string(),
                    href: None,
                    value: *n as f64,
                    text: n.to_string(),
                })
                .collect();
            context! {
                kind,
                scores => charts::value_bars(&format!("{kind} · {}", t(lang, "as_ranking")), &scores, &t(lang, "as_points"), ""),
                grades => charts::value_bars(&format!("{kind} · {}", t(lang, "as_grades")), &grades, &t(lang, "as_units"), ""),
            }
        })
        .collect()
}

async fn list(State(state): State<AppState>, pc: PageCtx, Q(query): Q<Query>) -> Response {
    let f = filter(&query);
    let (app, actor, page) = (state.app.clone(), pc.actor.clone(), page_of(&query));
    if wants_xlsx(&query) {
        return match blocking(move || app.export_assessments(&actor, &f)).await {
            Ok(bytes) => xlsx_response("assessments", bytes),
            Err(e) => PageError(e).into_response(),
        };
    }
    let (f2, year) = (f.clone(), f.year.unwrap_or_else(default_year));
    let r = blocking(move || {
        Ok::<_, AppError>((
            app.assessments(&actor, &f2, page)?,
            app.assessment_rankings(&actor, year)?,
        ))
    })
    .await;
    let ((items, total), ranks) = match r {
        Ok(r) => r,
        Err(e) => return PageError(e).into_response(),
    };
    let lang = pc.lang.as_str();
    let role = pc.actor.role;
    let ctx = context! {
        items => items.iter().map(|a| row(a, lang)).collect::<Vec<_>>(),
        statuses => AssessmentStatus::ALL.iter().map(|s| context! { code => s.code(), text => status_text(*s, lang) }).collect::<Vec<_>>(),
        list => list_nav("/assessments", &query, page, total, true),
        charts => ranking_charts(&ranks, lang),
        may_open => role.may(Action::SetAssessmentRules),
        may_publish => role.may(Action::PublishAssessments),
        f => context! {
            year => year,
            q => f.q.unwrap_or_default(),
            unit => f.unit_id.map(|u| u.to_string()).unwrap_or_default(),
            status => f.status.map(|s| s.code()).unwrap_or(""),
        },
    };
    let title = t(lang, "nav_assessments");
    render::page(&state, &pc, "assessments.html", &title, vec![], ctx).await
}

/// A year-wide step of the office (open, publish), back to the year's list.
async fn year_step(state: AppState, pc: PageCtx, form: Form, publish: bool) -> Response {
    let year = fv(&form, "year").trim().parse::<i32>().unwrap_or(0);
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let r = blocking(move || match publish {
        true => app.publish_assessments(&actor, year),
        false => app.open_assessments(&actor, year, time::today()),
    })
    .await;
    match r {
        Ok(_) => done(&format!("/assessments?year={year}"), "saved"),
        Err(e) => PageError(e).into_response(),
    }
}

async fn open_year(
    State(state): State<AppState>,
    pc: PageCtx,
    CsrfForm(form): CsrfForm<Form>,
) -> Response {
    year_step(state, pc, form, false).await
}

async fn publish_year(
    State(state): State<AppState>,
    pc: PageCtx,
    CsrfForm(form): CsrfForm<Form>,
) -> Response {
    year_step(state, pc, form, true).await
}

fn dimension_rows(dims: &[DimensionScore], lang: &str) -> Vec<Value> {
    dims.iter()
        .map(|d| {
            context! {
                name => text(d.dimension, lang, Dimension::zh, Dimension::en),
                weight => d.weight,
                score => d.score,
                indicators => d.evidence.iter().map(|i| {
                    let (rule_zh, rule_en) = i.indicator.rule();
                    context! {
                        name => text(i.indicator, lang, Indicator::zh, Indicator::en),
                        sub_weight => i.sub_weight,
                        score => i.score,
                        entered => i.source == "entered",
                        evidence => if lang == "en" { i.evidence_en.clone() } else { i.evidence_zh.clone() },
                        rule => if lang == "en" { rule_en } else { rule_zh },
                        attachment => i.attachment_sha256.clone(),
                    }
                }).collect::<Vec<_>>(),
            }
        })
        .collect()
}

fn detail_ctx(v: &AssessmentView, lang: &str) -> Value {
    let a = &v.assessment;
    let (dims, score, grade) = match &v.preview {
        Some(p) => (&p.dimensions, p.score, p.grade),
        None => (&a.dimensions, a.score, a.grade),
    };
    let gaps: Vec<&str> = dingdian_core::assessment_score::gaps(dims)
        .iter()
        .map(|i| text(*i, lang, Indicator::zh, Indicator::en))
        .collect();
    context! {
        a => row(a, lang),
        preview => v.preview.is_some(),
        score => score,
        grade => grade.map(|g| grade_text(g, lang)),
        grade_code => grade.map(|g| g.code()),
        gaps => gaps,
        dimensions => dimension_rows(dims, lang),
        thresholds => [points(v.rules.good_min), points(v.rules.fairly_good_min), points(v.rules.average_min)],
        rules_default => v.rules.is_default,
        transitions => v.transitions.iter().map(|h| context! {
            from => h.from.map(|s| status_text(s, lang)),
            to => status_text(h.to, lang),
            display_name => h.display_name.clone(),
            at => h.at,
            comment => h.reason.clone(),
        }).collect::<Vec<_>>(),
        buttons => v.steps.iter().map(|s| context! {
            to => s.to.code(),
            text => t(lang, &format!("as_do_{}", s.to.code())),
            needs_comment => s.needs_comment,
        }).collect::<Vec<_>>(),
        entered => Indicator::ALL.iter().filter(|i| i.entered()).map(|i| {
            let e = v.entries.iter().find(|e| e.indicator == *i);
            context! {
                code => i.code(),
                name => text(*i, lang, Indicator::zh, Indicator::en),
                score => e.map(|e| points(e.score)),
                evidence => e.map(|e| e.evidence.clone()),
            }
        }).collect::<Vec<_>>(),
        may_self_report => v.may_self_report,
        may_enter => v.may_enter,
    }
}

async fn show_page(state: &AppState, pc: &PageCtx, id: i64, error: Option<AppError>) -> Response {
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let v = match blocking(move || app.assessment(&actor, id, time::today())).await {
        Ok(v) => v,
        Err(e) => return PageError(e).into_response(),
    };
    let lang = pc.lang.as_str();
    let status = error.as_ref().map_or(StatusCode::OK, crate::error::status);
    let ctx = context! {
        d => detail_ctx(&v, lang),
        error => error.as_ref().map(|e| error_message(e, lang)),
        error_rows => error.as_ref().map(|e| error_rows(e, lang)).unwrap_or_default(),
    };
    let title = format!("{} · {}", v.assessment.unit_name, v.assessment.year);
    let crumbs = vec![crumb(lang), (String::new(), title.clone())];
    render::page_with_status(state, pc, status, "assessment.html", &title, crumbs, ctx).await
}

async fn show(State(state): State<AppState>, pc: PageCtx, Path(id): Path<i64>) -> Response {
    show_page(&state, &pc, id, None).await
}

async fn after(state: &AppState, pc: &PageCtx, id: i64, r: Result<(), AppError>) -> Response {
    match r {
        Ok(()) => done(&format!("/assessments/{id}"), "saved"),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            show_page(state, pc, id, Some(e)).await
        }
        Err(e) => PageError(e).into_response(),
    }
}

async fn transition(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<Form>,
) -> Response {
    let (to, comment) = (
        fv(&form, "to").to_string(),
        fv(&form, "comment").to_string(),
    );
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let r = blocking(move || {
        app.transition_assessment(&actor, id, (&to, Some(&comment)), time::today())
            .map(|_| ())
    })
    .await;
    after(&state, &pc, id, r).await
}

async fn enter(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<Form>,
) -> Response {
    let input = EntryInput {
        indicator: fv(&form, "indicator").to_string(),
        score: fv(&form, "score").to_string(),
        evidence: fv(&form, "evidence").to_string(),
        attachment_sha256: String::new(),
    };
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let r = blocking(move || app.enter_assessment_score(&actor, id, &input)).await;
    after(&state, &pc, id, r).await
}

async fn self_report(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<Form>,
) -> Response {
    let body = fv(&form, "self_report").to_string();
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let r = blocking(move || app.self_report_assessment(&actor, id, &body)).await;
    after(&state, &pc, id, r).await
}

fn rules_form(r: &AssessmentRules) -> Form {
    let mut f: Form = r
        .weights
        .iter()
        .map(|(d, w)| (d.code().to_string(), w.to_string()))
        .collect();
    f.insert("good_min".into(), points(r.good_min).to_string());
    f.insert(
        "fairly_good_min".into(),
        points(r.fairly_good_min).to_string(),
    );
    f.insert("average_min".into(), points(r.average_min).to_string());
    f
}

async fn rules_view(
    state: &AppState,
    pc: &PageCtx,
    year: i32,
    form: Option<Form>,
    error: Option<AppError>,
) -> Response {
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let rules = match blocking(move || app.assessment_rules(&actor, year)).await {
        Ok(r) => r,
        Err(e) => return PageError(e).into_response(),
    };
    let lang = pc.lang.as_str();
    let form = form.unwrap_or_else(|| rules_form(&rules));
    let status = error.as_ref().map_or(StatusCode::OK, crate::error::status);
    let ctx = context! {
        year,
        is_default => rules.is_default,
        may_set => pc.actor.role.may(Action::SetAssessmentRules),
        dimensions => Dimension::ALL.iter().map(|d| context! {
            code => d.code(),
            name => text(*d, lang, Dimension::zh, Dimension::en),
            value => fv(&form, d.code()).to_string(),
            indicators => Indicator::ALL.iter().filter(|i| i.place().0 == *d).map(|i| context! {
                name => text(*i, lang, Indicator::zh, Indicator::en),
                sub_weight => i.place().1,
                rule => if lang == "en" { i.rule().1 } else { i.rule().0 },
            }).collect::<Vec<_>>(),
        }).collect::<Vec<_>>(),
        form => form,
        error => error.as_ref().map(|e| error_message(e, lang)),
        error_rows => error.as_ref().map(|e| error_rows(e, lang)).unwrap_or_default(),
    };
    let title = t(lang, "as_rules");
    let crumbs = vec![crumb(lang), (String::new(), title.clone())];
    render::page_with_status(
        state,
        pc,
        status,
        "assessment_rules.html",
        &title,
        crumbs,
        ctx,
    )
    .await
}

async fn rules_page(State(state): State<AppState>, pc: PageCtx, Q(query): Q<Query>) -> Response {
    let year = q(&query, "year")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(default_year);
    rules_view(&state, &pc, year, None, None).await
}

async fn save_rules(
    State(state): State<AppState>,
    pc: PageCtx,
    CsrfForm(form): CsrfForm<Form>,
) -> Response {
    let year = fv(&form, "year").trim().parse::<i32>().unwrap_or(0);
    let input = RulesInput {
        weights: Dimension::ALL
            .iter()
            .map(|d| (d.code().to_string(), fv(&form, d.code()).to_string()))
            .collect(),
        good_min: fv(&form, "good_min").to_string(),
        fairly_good_min: fv(&form, "fairly_good_min").to_string(),
        average_min: fv(&form, "average_min").to_string(),
    };
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    match blocking(move || app.set_assessment_rules(&actor, year, &input)).await {
        Ok(_) => done(&format!("/assessments/rules?year={year}"), "saved"),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            rules_view(&state, &pc, year, Some(form), Some(e)).await
        }
        Err(e) => PageError(e).into_response(),
    }
}
