//! The registry and statistics imports: the page, the uploads and the
//! templates to fill in.

use super::column_label;
use crate::AppState;
use crate::csrf::{CsrfUpload, Upload};
use crate::ctx::{PageCtx, blocking};
use crate::error::PageError;
use crate::i18n::t;
use crate::pages::{done, error_message, xlsx_response};
use crate::render;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use dingdian_app::AppError;
use dingdian_app::registry::{
    ImportOptions, REGISTRY_COLUMNS, STATISTICS_COLUMNS, StatisticsReport,
};
use dingdian_app::tabular::{self, Cell, Column};
use dingdian_core::FieldError;
use dingdian_core::registry::check_digit;
use dingdian_core::role::Action;
use minijinja::context;

/// Import errors as table rows: Excel row, the column as the user names
/// it, the value, the message in the user's language.
pub(super) fn import_error_rows(
    errors: &[FieldError],
    columns: &[Column],
    lang: &str,
) -> Vec<minijinja::Value> {
    errors
        .iter()
        .map(|f| {
            context! {
                row => f.row,
                field => column_label(columns, &f.field, lang),
                value => f.value.clone(),
                message => f.msg.text(lang).to_string(),
            }
        })
        .collect()
}

async fn import_page(
    state: &AppState,
    pc: &PageCtx,
    status: StatusCode,
    registry_error: Option<AppError>,
    statistics_error: Option<AppError>,
) -> Response {
    import_page_with(state, pc, status, registry_error, statistics_error, None).await
}

/// The import page; `statistics_report` is a statistics import that left
/// rows out (skip invalid rows): what was imported and every row left
/// out, with why.
async fn import_page_with(
    state: &AppState,
    pc: &PageCtx,
    status: StatusCode,
    registry_error: Option<AppError>,
    statistics_error: Option<AppError>,
    statistics_report: Option<StatisticsReport>,
) -> Response {
    let lang = pc.lang.as_str();
    let rows = |e: &Option<AppError>, cols: &[Column]| match e {
        Some(AppError::Invalid(errs)) => import_error_rows(errs, cols, lang),
        _ => Vec::new(),
    };
    let statistics_rows = match &statistics_report {
        Some(r) => import_error_rows(&r.errors, STATISTICS_COLUMNS, lang),
        None => rows(&statistics_error, STATISTICS_COLUMNS),
    };
    let ctx = context! {
        registry_error => registry_error.as_ref().map(|e| error_message(e, lang)),
        registry_rows => rows(&registry_error, REGISTRY_COLUMNS),
        statistics_error => statistics_error.as_ref().map(|e| error_message(e, lang)),
        statistics_rows,
        statistics_partial => statistics_report.as_ref().map(|r| context! { rows => r.rows, rejected => r.rejected, dry_run => r.dry_run }),
        registry_columns => REGISTRY_COLUMNS.iter().filter(|c| c.required).map(|c| if lang == "en" { c.en } else { c.zh }).collect::<Vec<_>>(),
        registry_optional_columns => REGISTRY_COLUMNS.iter().filter(|c| !c.required).map(|c| if lang == "en" { c.en } else { c.zh }).collect::<Vec<_>>(),
        statistics_columns => STATISTICS_COLUMNS.iter().map(|c| if lang == "en" { c.en } else { c.zh }).collect::<Vec<_>>(),
    };
    let title = t(lang, "nav_registry_import");
    render::page_with_status(
        state,
        pc,
        status,
        "registry_import.html",
        &title,
        vec![],
        ctx,
    )
    .await
}

pub(super) async fn import_form(State(state): State<AppState>, pc: PageCtx) -> Response {
    if let Err(e) = pc.actor.require(Action::ImportRegistry) {
        return PageError(e).into_response();
    }
    import_page(&state, &pc, StatusCode::OK, None, None).await
}

/// The import's tick boxes: skip invalid rows, check only.
fn options_of(up: &Upload) -> ImportOptions {
    ImportOptions {
        skip_invalid: up.checked("skip_invalid"),
        dry_run: up.checked("dry_run"),
        ..Default::default()
    }
}

pub(super) async fn import_registry(
    State(state): State<AppState>,
    pc: PageCtx,
    CsrfUpload(up): CsrfUpload,
) -> Response {
    let up = match up {
        Ok(u) => u,
        Err(e) => {
            return import_page(&state, &pc, StatusCode::UNPROCESSABLE_ENTITY, Some(e), None).await;
        }
    };
    let opts = options_of(&up);
    let app = state.app.clone();
    let actor = pc.actor.clone();
    match blocking(move || app.start_registry_import(&actor, &up.file_name, up.bytes, opts)).await {
        Ok(id) => Redirect::to(&format!("/jobs/{id}")).into_response(),
        Err(e @ AppError::Invalid(_)) => {
            import_page(&state, &pc, StatusCode::UNPROCESSABLE_ENTITY, Some(e), None).await
        }
        Err(e) => PageError(e).into_response(),
    }
}

pub(super) async fn import_statistics(
    State(state): State<AppState>,
    pc: PageCtx,
    CsrfUpload(up): CsrfUpload,
) -> Response {
    let up = match up {
        Ok(u) => u,
        Err(e) => {
            return import_page(&state, &pc, StatusCode::UNPROCESSABLE_ENTITY, None, Some(e)).await;
        }
    };
    let opts = options_of(&up);
    let app = state.app.clone();
    let actor = pc.actor.clone();
    match blocking(move || app.import_statistics(&actor, &up.file_name, &up.bytes, opts)).await {
        Ok(report) if report.rejected > 0 => {
            import_page_with(&state, &pc, StatusCode::OK, None, None, Some(report)).await
        }
        Ok(_) if opts.dry_run => done("/registry/import", "checked"),
        Ok(_) => done("/registry/import", "statistics"),
        Err(e @ AppError::Invalid(_)) => {
            import_page(&state, &pc, StatusCode::UNPROCESSABLE_ENTITY, None, Some(e)).await
        }
        Err(e) => PageError(e).into_response(),
    }
}

/// A valid example ID number (GB 11643 check digit computed).
fn example_id() -> String {
    let first = "62302319800101001";
    format!("{first}{}", check_digit(first).unwrap_or('0'))
}

/// For signed-in users only (the `PageCtx`).
pub(super) async fn registry_template(_: PageCtx) -> Response {
    let headers: Vec<String> = REGISTRY_COLUMNS.iter().map(|c| c.zh.to_string()).collect();
    let example: Vec<Vec<Cell>> = vec![vec![
        Cell::Int(2014),
        "623023100200".into(),
        "6230231002000001".into(),
        example_id().into(),
        "张三".into(),
        "户主".into(),
        "2300.50".into(),
        "未脱贫".into(),
        Cell::Int(2014),
        Cell::Empty,
        "因病".into(),
    ]];
    match tabular::write_xlsx("registry", &headers, &example) {
        Ok(bytes) => xlsx_response("registry-template", bytes),
        Err(e) => PageError(e).into_response(),
    }
}

/// For signed-in users only (the `PageCtx`).
pub(super) async fn statistics_template(_: PageCtx) -> Response {
    let headers: Vec<String> = STATISTICS_COLUMNS
        .iter()
        .map(|c| c.zh.to_string())
        .collect();
    let example: Vec<Vec<Cell>> = vec![vec![
        Cell::Int(2014),
        "623023".into(),
        Cell::Int(120_000),
        "4675".into(),
    ]];
    match tabular::write_xlsx("statistics", &headers, &example) {
        Ok(bytes) => xlsx_response("statistics-template", bytes),
        Err(e) => PageError(e).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_example_id_number_is_valid() {
        assert!(dingdian_core::registry::IdNumber::parse(&example_id()).is_ok());
    }
}
