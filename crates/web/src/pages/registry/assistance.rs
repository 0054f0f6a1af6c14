//! The household's assistance record (帮扶手册) on its card: helpers,
//! measures and home visits, with the links to add to them for whoever may.

use crate::i18n::t;
use dingdian_app::household_help::HouseholdAssistance;
use minijinja::{Value, context};

/// The record as the card shows it; `year` is the card's, for the forms'
/// way back.
pub(super) fn view(a: &HouseholdAssistance, year: i32, lang: &str) -> Value {
    let r = &a.record;
    let helpers: Vec<Value> = r
        .helpers
        .iter()
        .map(|h| {
            context! {
                name => h.person_name.clone(),
                post => h.post.clone(),
                phone => h.phone.clone(),
                seconded => h.secondment_id.is_some(),
                from => h.from_date.to_string(),
                to => h.to_date.map(|d| d.to_string()),
            }
        })
        .collect();
    let measures: Vec<Value> = r
        .measures
        .iter()
        .map(|m| {
            context! {
                category => t(lang, &format!("measure_{}", m.category.as_str())),
                description => m.description.clone(),
                date => m.date.to_string(),
            }
        })
        .collect();
    let visits: Vec<Value> = r
        .visits
        .iter()
        .map(|v| {
            context! {
                date => v.date.to_string(),
                helper => v.helper_name.clone(),
                found => v.found.clone(),
                done => v.done.clone(),
            }
        })
        .collect();
    let base = format!("/households/{}", urlencoding::encode(&r.household_id));
    context! {
        helpers, measures, visits,
        may_assign => a.may_assign,
        may_visit => a.may_visit && !r.helpers.is_empty(),
        helper_href => format!("{base}/helpers?year={year}"),
        measure_href => format!("{base}/measures?year={year}"),
        visit_href => format!("{base}/visits?year={year}"),
    }
}
