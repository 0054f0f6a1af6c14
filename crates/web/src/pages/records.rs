//! Work records: the lists of trainings, labour transfers and consumption
//! records (filters, search, paging, xlsx export, a chart over years), the
//! form for a new record and the import upload with its errors by row.

use super::{
    Query, done, error_message, error_rows, field_errors, list_nav, page_of, q, wants_xlsx,
    xlsx_response,
};
use crate::AppState;
use crate::charts::{Point, line_chart};
use crate::csrf::{CsrfForm, CsrfUpload};
use crate::ctx::{PageCtx, blocking};
use crate::error::PageError;
use crate::format::thousands;
use crate::i18n::t;
use crate::render;
use axum::Router;
use axum::extract::{Query as Q, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use dingdian_app::records::RecordKind;
use dingdian_app::tabular::Encoding;
use dingdian_app::{AppError, Page};
use dingdian_core::Fen;
use dingdian_core::records::{
    ALL_CONSUMPTION_KINDS, ALL_TRAINING_KINDS, ConsumptionInput, ConsumptionRecord, LabourTransfer,
    LabourTransferInput, RecordFilter, SummaryFilter, Training, TrainingInput,
};
use dingdian_core::role::Action;
use minijinja::context;
use serde::Serialize;

pub fn routes() -> Router<AppState> {
    use RecordKind::*;
    Router::new()
        .route(
            "/records/trainings",
            get(|s: State<AppState>, pc: PageCtx, q: Q<Query>| list(s, pc, q, Trainings))
                .post(create_training),
        )
        .route(
            "/records/labour",
            get(|s: State<AppState>, pc: PageCtx, q: Q<Query>| list(s, pc, q, Labour))
                .post(create_labour),
        )
        .route(
            "/records/consumption",
            get(|s: State<AppState>, pc: PageCtx, q: Q<Query>| list(s, pc, q, Consumption))
                .post(create_consumption),
        )
        .route(
            "/records/trainings/new",
            get(|s: State<AppState>, pc: PageCtx| new_form(s, pc, Trainings)),
        )
        .route(
            "/records/labour/new",
            get(|s: State<AppState>, pc: PageCtx| new_form(s, pc, Labour)),
        )
        .route(
            "/records/consumption/new",
            get(|s: State<AppState>, pc: PageCtx| new_form(s, pc, Consumption)),
        )
        .route(
            "/records/trainings/import",
            get(|s: State<AppState>, pc: PageCtx| import_form(s, pc, Trainings)).post(
                |s: State<AppState>, pc: PageCtx, up: CsrfUpload| import(s, pc, up, Trainings),
            ),
        )
        .route(
            "/records/labour/import",
            get(|s: State<AppState>, pc: PageCtx| import_form(s, pc, Labour))
                .post(|s: State<AppState>, pc: PageCtx, up: CsrfUpload| import(s, pc, up, Labour)),
        )
        .route(
            "/records/consumption/import",
            get(|s: State<AppState>, pc: PageCtx| import_form(s, pc, Consumption)).post(
                |s: State<AppState>, pc: PageCtx, up: CsrfUpload| import(s, pc, up, Consumption),
            ),
        )
}

/// The page's path and title key of a kind.
fn path_of(kind: RecordKind) -> (&'static str, &'static str) {
    match kind {
        RecordKind::Trainings => ("/records/trainings", "nav_trainings"),
        RecordKind::Labour => ("/records/labour", "nav_labour"),
        RecordKind::Consumption | RecordKind::Purchases => {
            ("/records/consumption", "nav_consumption")
        }
    }
}

fn yuan(f: Fen) -> String {
    f.to_yuan_text()
}

fn kind_label(lang: &str, zh: &str, en: &str) -> String {
    if lang == "en" { en.into() } else { zh.into() }
}

/// The list's columns (message keys) and its rows as shown.
fn table(kind: RecordKind) -> &'static [&'static str] {
    match kind {
        RecordKind::Trainings => &[
            "record_date",
            "county",
            "unit",
            "training_kind",
            "topic",
            "place",
            "trainees",
            "organiser",
            "cost_yuan",
        ],
        RecordKind::Labour => &[
            "record_date",
            "county",
            "unit",
            "people",
            "destination",
            "employer",
            "months",
            "income_yuan",
            "jobs_offered",
        ],
        _ => &[
            "record_date",
            "county_of_origin",
            "unit",
            "consumption_kind",
            "product",
            "quantity",
            "value_yuan",
            "buyer",
            "supplier",
            "channel",
        ],
    }
}

fn training_row(lang: &str, r: Training) -> Vec<String> {
    vec![
        format!("{} – {}", r.start_date, r.end_date),
        r.county_name,
        r.unit_name,
        kind_label(lang, r.kind.zh(), r.kind.en()),
        r.topic,
        r.place,
        thousands(r.trainees),
        r.organiser,
        r.cost.map(yuan).unwrap_or_default(),
    ]
}

fn labour_row(r: LabourTransfer) -> Vec<String> {
    vec![
        r.date.to_string(),
        r.county_name,
        r.unit_name,
        thousands(r.people),
        match r.destination_name {
            Some(name) => format!("{name}（{}）", r.destination),
            None => r.destination,
        },
        r.employer,
        r.months.to_string(),
        yuan(r.income),
        thousands(r.jobs_offered),
    ]
}

fn consumption_row(lang: &str, r: ConsumptionRecord) -> Vec<String> {
    vec![
        r.date.to_string(),
        r.county_name,
        r.unit_name,
        kind_label(lang, r.kind.zh(), r.kind.en()),
        r.product,
        r.quantity.unwrap_or_default(),
        yuan(r.value),
        r.buyer.unwrap_or_default(),
        r.supplier.unwrap_or_default(),
        r.channel,
    ]
}

fn filter_of(query: &Query) -> RecordFilter {
    RecordFilter {
        unit_id: q(query, "unit").and_then(|v| v.parse().ok()),
        county_code: q(query, "county").map(str::to_string),
        kind: q(query, "kind").map(str::to_string),
        year: q(query, "year").and_then(|v| v.parse().ok()),
        q: q(query, "q").map(str::to_string),
    }
}

/// The kinds a list filters by: (code, label).
fn kinds(kind: RecordKind, lang: &str) -> Vec<(&'static str, String)> {
    match kind {
        RecordKind::Trainings => ALL_TRAINING_KINDS
            .iter()
            .map(|k| (k.as_str(), kind_label(lang, k.zh(), k.en())))
            .collect(),
        RecordKind::Labour => Vec::new(),
        _ => ALL_CONSUMPTION_KINDS
            .iter()
            .map(|k| (k.as_str(), kind_label(lang, k.zh(), k.en())))
            .collect(),
    }
}

/// One page of a kind's records as shown, the total, and the chart over
/// years (trainings and transfers).
#[derive(Serialize)]
struct Shown {
    rows: Vec<Vec<String>>,
    total: i64,
    chart: Option<String>,
}

fn shown(
    app: &dingdian_app::App,
    actor: &dingdian_app::Actor,
    kind: RecordKind,
    f: &RecordFilter,
    page: Page,
) -> dingdian_app::Result<Shown> {
    let lang = actor.lang.as_str();
    let (rows, total) = match kind {
        RecordKind::Trainings => {
            let (items, total) = app.list_trainings(actor, f, page)?;
            (
                items.into_iter().map(|r| training_row(lang, r)).collect(),
                total,
            )
        }
        RecordKind::Labour => {
            let (items, total) = app.list_labour_transfers(actor, f, page)?;
            (items.into_iter().map(labour_row).collect(), total)
        }
        _ => {
            let (items, total) = app.list_consumption(actor, f, page)?;
            (
                items
                    .into_iter()
                    .map(|r| consumption_row(lang, r))
                    .collect(),
                total,
            )
        }
    };
    let chart = match kind {
        RecordKind::Trainings | RecordKind::Labour => Some(chart(app, actor, kind, f)?),
        _ => None,
    };
    Ok(Shown { rows, total, chart })
}

/// Person-times trained (or transferred) per year, for the filter's unit
/// and county.
fn chart(
    app: &dingdian_app::App,
    actor: &dingdian_app::Actor,
    kind: RecordKind,
    f: &RecordFilter,
) -> dingdian_app::Result<String> {
    let sf = SummaryFilter {
        county_code: f.county_code.clone(),
        unit_id: f.unit_id,
        ..Default::default()
    };
    let points: Vec<Point> = app
        .records_by_year(actor, &sf)?
        .into_iter()
        .map(|(year, trained, moved)| {
            let v = if kind == RecordKind::Trainings {
                trained
            } else {
                moved
            };
            Point {
                label: year.to_string(),
                value: Some(v as f64),
                text: thousands(v),
            }
        })
        .collect();
    let lang = actor.lang.as_str();
    let title = t(
        lang,
        if kind == RecordKind::Trainings {
            "chart_trainings"
        } else {
            "chart_transfers"
        },
    );
    Ok(line_chart(
        &title,
        &points,
        &t(lang, "person_times"),
        &t(lang, "chart_records_caption"),
    ))
}

async fn list(
    State(state): State<AppState>,
    pc: PageCtx,
    Q(query): Q<Query>,
    kind: RecordKind,
) -> Response {
    let f = filter_of(&query);
    let page = page_of(&query);
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let (path, title_key) = path_of(kind);
    if wants_xlsx(&query) {
        return match blocking(move || app.export_records(&actor, kind, &f)).await {
            Ok(bytes) => xlsx_response(kind.as_str(), bytes),
            Err(e) => PageError(e).into_response(),
        };
    }
    let f2 = f.clone();
    let out = match blocking(move || shown(&app, &actor, kind, &f2, page)).await {
        Ok(s) => s,
        Err(e) => return PageError(e).into_response(),
    };
    let headers: Vec<String> = table(kind).iter().map(|k| t(&pc.lang, k)).collect();
    let ctx = context! {
        path, headers,
        rows => out.rows,
        chart => out.chart,
        kinds => kinds(kind, &pc.lang),
        can_write => pc.actor.role.may(Action::WriteRecords),
        list => list_nav(path, &query, page, out.total, true),
        f => context! {
            q => f.q.unwrap_or_default(),
            county => f.county_code.unwrap_or_default(),
            kind => f.kind.unwrap_or_default(),
            year => f.year.map(|y| y.to_string()).unwrap_or_default(),
        },
    };
    let title = t(&pc.lang, title_key);
    render::page(&state, &pc, "records.html", &title, vec![], ctx).await
}

/// A form field: its name, label key, input type and choices.
#[derive(Serialize)]
pub(super) struct Field {
    name: &'static str,
    label: &'static str,
    input: &'static str,
    required: bool,
    options: Vec<(String, String)>,
}

pub(super) fn field(
    name: &'static str,
    label: &'static str,
    input: &'static str,
    required: bool,
) -> Field {
    Field {
        name,
        label,
        input,
        required,
        options: Vec::new(),
    }
}

pub(super) fn select(
    name: &'static str,
    label: &'static str,
    options: Vec<(String, String)>,
) -> Field {
    Field {
        options,
        ..field(name, label, "select", true)
    }
}

fn fields(kind: RecordKind, lang: &str, counties: Vec<(String, String)>) -> Vec<Field> {
    let kinds: Vec<(String, String)> = kinds(kind, lang)
        .into_iter()
        .map(|(k, l)| (k.to_string(), l))
        .collect();
    match kind {
        RecordKind::Trainings => vec![
            select("county_code", "county", counties),
            select("kind", "training_kind", kinds),
            field("topic", "topic", "text", true),
            field("place", "place", "text", true),
            field("start_date", "start_date", "date", true),
            field("end_date", "end_date", "date", true),
            field("trainees", "trainees", "number", true),
            field("organiser", "organiser", "text", true),
            field("cost", "cost_yuan", "text", false),
        ],
        RecordKind::Labour => vec![
            select("county_code", "county", counties),
            field("date", "record_date", "date", true),
            field("people", "people", "number", true),
            field("destination", "destination_hint", "text", true),
            field("employer", "employer", "text", true),
            field("months", "months", "number", true),
            field("income", "income_yuan", "text", true),
            field("jobs_offered", "jobs_offered", "number", true),
        ],
        _ => vec![
            select("county_code", "county_of_origin", counties),
            select("kind", "consumption_kind", kinds),
            field("date", "record_date", "date", true),
            field("product", "product", "text", true),
            field("quantity", "quantity", "text", false),
            field("value", "value_yuan", "text", true),
            field("buyer", "buyer", "text", false),
            field("supplier", "supplier", "text", false),
            field("channel", "channel", "text", true),
        ],
    }
}

/// The record form, empty or as sent with its errors.
async fn form_page(
    state: &AppState,
    pc: &PageCtx,
    kind: RecordKind,
    values: serde_json::Value,
    error: Option<AppError>,
) -> Response {
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let counties = match blocking(move || app.paired_counties(&actor)).await {
        Ok(periods) => {
            let mut c: Vec<(String, String)> = periods
                .into_iter()
                .map(|p| {
                    (
                        p.county_code.clone(),
                        format!("{} {}", p.county_name, p.county_code),
                    )
                })
                .collect();
            c.dedup();
            c
        }
        Err(e) => return PageError(e).into_response(),
    };
    let (path, title_key) = path_of(kind);
    let title = t(&pc.lang, "new_record");
    let errors = error
        .as_ref()
        .map(|e| field_errors(e, &pc.lang))
        .unwrap_or_default();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let ctx =
        context! { action => path, fields => fields(kind, &pc.lang, counties), values, errors };
    let crumbs = vec![
        (path.to_string(), t(&pc.lang, title_key)),
        (String::new(), title.clone()),
    ];
    render::page_with_status(state, pc, status, "record_form.html", &title, crumbs, ctx).await
}

async fn new_form(State(state): State<AppState>, pc: PageCtx, kind: RecordKind) -> Response {
    let values = match kind {
        RecordKind::Trainings => serde_json::json!(TrainingInput::default()),
        RecordKind::Labour => serde_json::json!(LabourTransferInput::default()),
        _ => serde_json::json!(ConsumptionInput::default()),
    };
    form_page(&state, &pc, kind, values, None).await
}

/// The answer to a posted record: back to the list, or the form again.
async fn created(
    state: &AppState,
    pc: &PageCtx,
    kind: RecordKind,
    values: serde_json::Value,
    out: dingdian_app::Result<i64>,
) -> Response {
    match out {
        Ok(_) => done(path_of(kind).0, "created"),
        Err(e @ AppError::Invalid(_)) => form_page(state, pc, kind, values, Some(e)).await,
        Err(e) => PageError(e).into_response(),
    }
}

async fn create_training(
    State(state): State<AppState>,
    pc: PageCtx,
    CsrfForm(input): CsrfForm<TrainingInput>,
) -> Response {
    let (app, actor, i) = (state.app.clone(), pc.actor.clone(), input.clone());
    let out = blocking(move || app.create_training(&actor, &i)).await;
    created(
        &state,
        &pc,
        RecordKind::Trainings,
        serde_json::json!(input),
        out,
    )
    .await
}

async fn create_labour(
    State(state): State<AppState>,
    pc: PageCtx,
    CsrfForm(input): CsrfForm<LabourTransferInput>,
) -> Response {
    let (app, actor, i) = (state.app.clone(), pc.actor.clone(), input.clone());
    let out = blocking(move || app.create_labour_transfer(&actor, &i)).await;
    created(
        &state,
        &pc,
        RecordKind::Labour,
        serde_json::json!(input),
        out,
    )
    .await
}

async fn create_consumption(
    State(state): State<AppState>,
    pc: PageCtx,
    CsrfForm(input): CsrfForm<ConsumptionInput>,
) -> Response {
    let (app, actor, i) = (state.app.clone(), pc.actor.clone(), input.clone());
    let out = blocking(move || app.create_consumption(&actor, &i)).await;
    created(
        &state,
        &pc,
        RecordKind::Consumption,
        serde_json::json!(input),
        out,
    )
    .await
}

async fn import_page(
    state: &AppState,
    pc: &PageCtx,
    kind: RecordKind,
    status: StatusCode,
    error: Option<AppError>,
) -> Response {
    let (path, title_key) = path_of(kind);
    let columns = |k: RecordKind| -> Vec<(&str, &str, bool)> {
        k.columns()
            .iter()
            .map(|c| (c.zh, c.en, c.required))
            .collect()
    };
    let ctx = context! {
        action => format!("{path}/import"),
        columns => columns(kind),
        platform => (kind == RecordKind::Consumption).then(|| columns(RecordKind::Purchases)),
        error => error.as_ref().map(|e| error_message(e, &pc.lang)),
        error_rows => error.as_ref().map(|e| error_rows(e, &pc.lang)).unwrap_or_default(),
    };
    let title = t(&pc.lang, "import_records");
    let crumbs = vec![
        (path.to_string(), t(&pc.lang, title_key)),
        (String::new(), title.clone()),
    ];
    render::page_with_status(state, pc, status, "record_import.html", &title, crumbs, ctx).await
}

async fn import_form(State(state): State<AppState>, pc: PageCtx, kind: RecordKind) -> Response {
    if let Err(e) = pc.actor.require(Action::WriteRecords) {
        return PageError(e).into_response();
    }
    import_page(&state, &pc, kind, StatusCode::OK, None).await
}

async fn import(
    State(state): State<AppState>,
    pc: PageCtx,
    CsrfUpload(up): CsrfUpload,
    kind: RecordKind,
) -> Response {
    let up = match up {
        Ok(u) => u,
        Err(e) => {
            return import_page(&state, &pc, kind, StatusCode::UNPROCESSABLE_ENTITY, Some(e)).await;
        }
    };
    // The consumption page also takes the 832 platform's purchase export.
    let as_kind = match up.fields.get("format").map(String::as_str) {
        Some("platform") if kind == RecordKind::Consumption => RecordKind::Purchases,
        _ => kind,
    };
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let out = blocking(move || {
        app.import_records(&actor, as_kind, &up.file_name, &up.bytes, Encoding::Auto)
    })
    .await;
    match out {
        Ok(_) => done(path_of(kind).0, "imported"),
        Err(e @ AppError::Invalid(_)) => {
            import_page(&state, &pc, kind, StatusCode::UNPROCESSABLE_ENTITY, Some(e)).await
        }
        Err(e) => PageError(e).into_response(),
    }
}
