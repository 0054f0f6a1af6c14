//! The overview of assistance work (帮扶工作一览): every pairing in the
//! reader's scope with what it has planned, received, spent and recorded,
//! ranked, filtered, paged and exported.

use super::{Query, list_nav, page_of, q, wants_xlsx, xlsx_response};
use crate::AppState;
use crate::ctx::{PageCtx, blocking};
use crate::error::PageError;
use crate::i18n::t;
use crate::render;
use axum::Router;
use axum::extract::{Query as Q, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use dingdian_core::Year;
use dingdian_core::area::CountyCode;
use dingdian_core::pairing_work::{ALL_RANKINGS, WorkFilter, WorkRanking};
use dingdian_core::role::Role;
use minijinja::context;

pub fn routes() -> Router<AppState> {
    Router::new().route("/overview", get(overview))
}

/// The filter a query names; unknown values count as absent.
pub fn work_filter(query: &Query) -> WorkFilter {
    WorkFilter {
        unit_id: q(query, "unit").and_then(|u| u.parse().ok()),
        county: q(query, "county").and_then(CountyCode::parse),
        year: q(query, "year").and_then(|y| Year::parse(y).ok()),
        q: q(query, "q").map(str::to_string),
        ranking: q(query, "rank")
            .and_then(WorkRanking::from_code)
            .unwrap_or_default(),
    }
}

async fn overview(State(state): State<AppState>, pc: PageCtx, Q(query): Q<Query>) -> Response {
    let f = work_filter(&query);
    let page = page_of(&query);
    let app = state.app.clone();
    let actor = pc.actor.clone();
    if wants_xlsx(&query) {
        return match blocking(move || app.export_pairing_work(&actor, &f)).await {
            Ok(bytes) => xlsx_response("overview", bytes),
            Err(e) => PageError(e).into_response(),
        };
    }
    let f2 = f.clone();
    match blocking(move || app.pairing_work(&actor, &f2, page)).await {
        Ok((items, total)) => {
            let ctx = context! {
                items,
                offset => page.offset(),
                can_print_national => matches!(pc.actor.role, Role::Office | Role::Reviewer | Role::Inspector),
                rankings => ALL_RANKINGS.iter().map(|r| r.code()).collect::<Vec<_>>(),
                list => list_nav("/overview", &query, page, total, true),
                f => context! {
                    q => f.q.unwrap_or_default(),
                    year => f.year.map(|y| y.get().to_string()).unwrap_or_default(),
                    rank => f.ranking.code(),
                    unit => f.unit_id,
                    county => f.county.map(|c| c.as_str().to_string()),
                },
            };
            render::page(
                &state,
                &pc,
                "overview.html",
                &t(&pc.lang, "nav_overview"),
                vec![],
                ctx,
            )
            .await
        }
        Err(e) => PageError(e).into_response(),
    }
}
