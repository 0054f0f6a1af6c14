//! The poverty lines by year: the list and the form to set or amend one.

use crate::AppState;
use crate::csrf::CsrfForm;
use crate::ctx::{PageCtx, blocking};
use crate::error::PageError;
use crate::format::thousands;
use crate::i18n::t;
use crate::pages::{Query, done, error_message, field_errors, q};
use crate::render;
use axum::extract::{Query as Q, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use dingdian_app::AppError;
use dingdian_core::FieldError;
use dingdian_core::role::Action;
use minijinja::context;
use serde::{Deserialize, Serialize};

/// A line in fen as yuan: "2,300" or "2,300.50" (separators optional).
pub(super) fn line_text(fen: i64, separators: bool) -> String {
    let whole = if separators {
        thousands(fen / 100)
    } else {
        (fen / 100).to_string()
    };
    if fen % 100 == 0 {
        whole
    } else {
        format!("{whole}.{:02}", (fen % 100).abs())
    }
}

/// A year's poverty line (new or amended).
#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub(super) struct LineForm {
    year: String,
    line_yuan: String,
    note: String,
}

async fn lines_page(
    state: &AppState,
    pc: &PageCtx,
    status: StatusCode,
    form: LineForm,
    error: Option<AppError>,
) -> Response {
    let app = state.app.clone();
    let actor = pc.actor.clone();
    let result = blocking(move || app.poverty_lines(&actor)).await;
    let lines = match result {
        Ok(l) => l,
        Err(e) => return PageError(e).into_response(),
    };
    let lang = pc.lang.as_str();
    let items: Vec<_> = lines
        .iter()
        .rev()
        .map(|l| {
            context! {
                year => l.year,
                line => line_text(l.line_fen, true),
                note => l.note.as_deref().map(|n| crate::shipped_text::note_text(&pc.lang, n)),
            }
        })
        .collect();
    let ctx = context! {
        items,
        can_edit => pc.actor.role.may(Action::EditPovertyLines),
        form,
        error => error.as_ref().map(|e| error_message(e, lang)),
        errors => error.as_ref().map(|e| field_errors(e, lang)).unwrap_or_default(),
    };
    render::page_with_status(
        state,
        pc,
        status,
        "poverty_lines.html",
        &t(lang, "nav_poverty_lines"),
        vec![],
        ctx,
    )
    .await
}

pub(super) async fn poverty_lines(
    State(state): State<AppState>,
    pc: PageCtx,
    Q(query): Q<Query>,
) -> Response {
    // `?year=Y` fills the form with that year's line, for amending it.
    let mut form = LineForm::default();
    if let Some(y) = q(&query, "year").and_then(|y| y.parse::<i32>().ok()) {
        let (app, actor) = (state.app.clone(), pc.actor.clone());
        if let Ok(lines) = blocking(move || app.poverty_lines(&actor)).await
            && let Some(l) = lines.iter().find(|l| l.year == y)
        {
            form = LineForm {
                year: y.to_string(),
                line_yuan: line_text(l.line_fen, false),
                note: l.note.clone().unwrap_or_default(),
            };
        }
    }
    lines_page(&state, &pc, StatusCode::OK, form, None).await
}

pub(super) async fn set_poverty_line(
    State(state): State<AppState>,
    pc: PageCtx,
    CsrfForm(form): CsrfForm<LineForm>,
) -> Response {
    let year_text = form.year.trim().to_string();
    let Ok(year) = year_text.parse::<i32>() else {
        let e = if year_text.is_empty() {
            AppError::Invalid(vec![FieldError::required("year")])
        } else {
            AppError::invalid(
                "year",
                year_text,
                "bad_year",
                "年度应为四位年份",
                "the year must be a four-digit year",
            )
        };
        return lines_page(&state, &pc, StatusCode::UNPROCESSABLE_ENTITY, form, Some(e)).await;
    };
    let (yuan_text, note) = (form.line_yuan.clone(), form.note.clone());
    let app = state.app.clone();
    let actor = pc.actor.clone();
    match blocking(move || app.set_poverty_line(&actor, year, &yuan_text, &note)).await {
        Ok(()) => done("/poverty-lines", "saved"),
        Err(e @ AppError::Invalid(_)) => {
            lines_page(&state, &pc, StatusCode::UNPROCESSABLE_ENTITY, form, Some(e)).await
        }
        Err(e) => PageError(e).into_response(),
    }
}

#[cfg(test)]
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_in_yuan() {
        assert_eq!(line_text(230_000, true), "2,300");
        assert_eq!(line_text(230_050, true), "2,300.50");
        assert_eq!(line_text(230_050, false), "2300.50");
    }
}
