//! The access matrix: every API route of the route table, driven with every
//! role (and without a token) against records of the caller's own unit,
//! another unit, its own county, another county, or none in particular,
//! on SQLite and on PostgreSQL. The expected answers are written out below
//! by hand from interfaces.md and the role descriptions — not computed from
//! the code under test — and a route added to the table without a row here
//! fails the test.
//!
//! The world: unit U1 ("own") leads county C1 = Zhouqu ("own") in plan
//! P_own_unit; unit U3 leads C1 in plan P_own_county; unit U2 ("other")
//! leads C2 = Xingtang ("other") in plan P_other. The unit account belongs
//! to U1, the county account to C1, the seconded cadre to U1 posted in C1.
//! Both counties have a small registry.
//!
//! Expected answers: `A` allowed (2xx; a list with at least one item), `E`
//! allowed but the scope leaves the list empty, `F` 403, `N` 404 (the record
//! is outside the caller's scope and its existence must not leak), `U` 401,
//! `R` 422 with `outside_scope` (a file whose rows lie outside the caller's
//! scope: refused whole, each such row named).

use crate::common;

use common::*;
use dingdian_testkit::{TestDb, both_backends};
use serde_json::{Value, json};
use std::collections::BTreeSet;

both_backends!(
    every_route_every_role_every_scope,
    no_list_page_shows_a_full_id_number
);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    A,
    E,
    F,
    N,
    U,
    R,
}
use Want::*;

/// Which record (or filter) a row aims at, relative to the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// No record in particular (lists without a filter, creation, open routes).
    None,
    /// U1, a plan holding U1's pairing, `?unit=U1`.
    OwnUnit,
    /// U2, the plan holding only U2's pairing, `?unit=U2`.
    OtherUnit,
    /// C1, the plan of U3 in C1, `?county=C1`, a job the county account started.
    OwnCounty,
    /// C2, `?county=C2`, a job someone else started.
    OtherCounty,
}
use Target::*;

/// The callers, in the column order of the table.
const CALLERS: [&str; 10] = [
    "admin",
    "security",
    "auditor",
    "office",
    "reviewer",
    "unit",
    "county",
    "cadre",
    "inspector",
    "(no token)",
];

/// One row: a route, a target, what it asks (a variant of the body when a
/// route has several), and the answer expected for each caller.
struct Row {
    method: &'static str,
    path: &'static str,
    target: Target,
    variant: &'static str,
    want: [Want; 10],
}

const fn row(method: &'static str, path: &'static str, target: Target, want: [Want; 10]) -> Row {
    Row {
        method,
        path,
        target,
        variant: "",
        want,
    }
}

const fn var(
    method: &'static str,
    path: &'static str,
    target: Target,
    variant: &'static str,
    want: [Want; 10],
) -> Row {
    Row {
        method,
        path,
        target,
        variant,
        want,
    }
}

#[rustfmt::skip]
const MATRIX: &[Row] = &[
    //                                                       admin sec aud  off  rev  unit cty  cadre insp none
    row("post", "/login",              None,                [A,   A,   A,   A,   A,   A,   A,   A,   A,   A]),
    row("get",  "/health",             None,                [A,   A,   A,   A,   A,   A,   A,   A,   A,   A]),
    row("get",  "/openapi.json",       None,                [A,   A,   A,   A,   A,   A,   A,   A,   A,   A]),
    // issue 13: the published aggregates are public; nothing is published here.
    row("get",  "/public/aggregates",  None,                [E,   E,   E,   E,   E,   E,   E,   E,   E,   E]),
    // Areas are public reference data: every role but the auditor reads them.
    row("get",  "/areas",              None,                [A,   A,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/areas/{code}",       OwnCounty,           [A,   A,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/areas/{code}",       OtherCounty,         [A,   A,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("put",  "/areas/{code}",       OwnCounty,           [F,   F,   F,   A,   F,   F,   F,   F,   F,   U]),
    row("put",  "/areas/{code}",       OtherCounty,         [F,   F,   F,   A,   F,   F,   F,   F,   F,   U]),
    // Units: a unit sees itself, a county the units working in it. The
    // system administrator reads none (their contact people are personal
    // information).
    row("get",  "/units",              None,                [F,   A,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("post", "/units",              None,                [F,   F,   F,   A,   F,   F,   F,   F,   F,   U]),
    row("get",  "/units/{id}",         OwnUnit,             [F,   A,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/units/{id}",         OtherUnit,           [F,   A,   F,   A,   A,   N,   N,   N,   A,   U]),
    row("put",  "/units/{id}",         OwnUnit,             [F,   F,   F,   A,   F,   A,   F,   F,   F,   U]),
    row("put",  "/units/{id}",         OtherUnit,           [F,   F,   F,   A,   F,   N,   F,   F,   F,   U]),
    // Plans: the administrator duties do not reach them.
    row("get",  "/plans",              None,                [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("post", "/plans",              None,                [F,   F,   F,   A,   F,   F,   F,   F,   F,   U]),
    row("get",  "/plans/{id}",         OwnUnit,             [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/plans/{id}",         OwnCounty,           [F,   F,   F,   A,   A,   N,   A,   N,   A,   U]),
    row("get",  "/plans/{id}",         OtherUnit,           [F,   F,   F,   A,   A,   N,   N,   N,   A,   U]),
    row("get",  "/plans/{id}/coverage", OwnUnit,            [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/plans/{id}/coverage", OwnCounty,          [F,   F,   F,   A,   A,   N,   A,   N,   A,   U]),
    row("get",  "/plans/{id}/coverage", OtherUnit,          [F,   F,   F,   A,   A,   N,   N,   N,   A,   U]),
    row("get",  "/plans/{id}/pairings", OwnUnit,            [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/plans/{id}/pairings", OwnCounty,          [F,   F,   F,   A,   A,   N,   A,   N,   A,   U]),
    row("get",  "/plans/{id}/pairings", OtherUnit,          [F,   F,   F,   A,   A,   N,   N,   N,   A,   U]),
    row("post", "/plans/{id}/pairings", OwnUnit,            [F,   F,   F,   A,   F,   F,   F,   F,   F,   U]),
    row("post", "/plans/{id}/pairings", OwnCounty,          [F,   F,   F,   A,   F,   F,   F,   F,   F,   U]),
    row("post", "/plans/{id}/pairings", OtherUnit,          [F,   F,   F,   A,   F,   F,   F,   F,   F,   U]),
    // Workflow: each step belongs to one role. Permission comes first: a
    // role that takes no step (or none into this status) is refused before
    // the plan is looked up, so even a plan outside its scope answers 403.
    var("post", "/plans/{id}/transition", OwnUnit,   "draft→consultation",
                                                            [F,   F,   F,   A,   F,   F,   F,   F,   F,   U]),
    var("post", "/plans/{id}/transition", OwnCounty, "draft→consultation",
                                                            [F,   F,   F,   A,   F,   F,   F,   F,   F,   U]),
    var("post", "/plans/{id}/transition", OtherUnit, "draft→consultation",
                                                            [F,   F,   F,   A,   F,   F,   F,   F,   F,   U]),
    var("post", "/plans/{id}/transition", OwnUnit,   "submitted→approved",
                                                            [F,   F,   F,   F,   A,   F,   F,   F,   F,   U]),
    row("get",  "/pairings",           None,                [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/pairings",           OwnUnit,             [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/pairings",           OtherUnit,           [F,   F,   F,   A,   A,   E,   E,   E,   A,   U]),
    row("get",  "/pairings",           OwnCounty,           [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/pairings",           OtherCounty,         [F,   F,   F,   A,   A,   E,   E,   E,   A,   U]),
    // The overview of assistance work: each caller sees the pairings of
    // its scope, a filter outside it leaves the list empty.
    row("get",  "/pairing-work",       None,                [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/pairing-work",       OwnUnit,             [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/pairing-work",       OtherUnit,           [F,   F,   F,   A,   A,   E,   E,   E,   A,   U]),
    row("get",  "/pairing-work",       OwnCounty,           [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/pairing-work",       OtherCounty,         [F,   F,   F,   A,   A,   E,   E,   E,   A,   U]),
    // Aggregates: figures about areas with no personal data, so every
    // business role sees every area (the user guide says so).
    row("get",  "/indicators",         None,                [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/indicators",         OwnCounty,           [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/indicators",         OtherCounty,         [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    // issue 14: the county map — aggregates as on the dashboard.
    row("get",  "/map",                None,                [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/poverty-lines",      None,                [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    // Personal data: the registry roles, each within its scope.
    row("get",  "/households",         None,                [F,   F,   F,   A,   F,   F,   A,   A,   A,   U]),
    row("get",  "/households",         OwnCounty,           [F,   F,   F,   A,   F,   F,   A,   A,   A,   U]),
    row("get",  "/households",         OtherCounty,         [F,   F,   F,   A,   F,   F,   E,   E,   A,   U]),
    row("post", "/imports/registry",   OwnCounty,           [F,   F,   F,   A,   F,   F,   A,   F,   F,   U]),
    row("post", "/imports/statistics", OwnCounty,           [F,   F,   F,   A,   F,   F,   A,   F,   F,   U]),
    // A county's file naming another county is refused row by row.
    row("post", "/imports/statistics", OtherCounty,         [F,   F,   F,   A,   F,   F,   R,   F,   F,   U]),
    // Jobs: every role without a scope sees every job (api.md); a scoped
    // importer its own county's, other scoped roles none.
    row("get",  "/jobs/{id}",          OwnCounty,           [A,   A,   A,   A,   A,   F,   A,   F,   A,   U]),
    row("get",  "/jobs/{id}",          OtherCounty,         [A,   A,   A,   A,   A,   F,   N,   F,   A,   U]),
    // Work records and letters (issue 11): read within the scope, written
    // by the unit and its cadre for a county they are paired with; letter
    // targets set by the office alone, signed by the unit alone.
    row("get",  "/records/trainings",  None,                [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/records/trainings",  OtherUnit,           [F,   F,   F,   A,   A,   E,   E,   E,   A,   U]),
    row("get",  "/records/trainings",  OtherCounty,         [F,   F,   F,   A,   A,   E,   E,   E,   A,   U]),
    row("post", "/records/trainings",  OwnCounty,           [F,   F,   F,   F,   F,   A,   F,   A,   F,   U]),
    row("get",  "/records/labour-transfers", None,          [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/records/labour-transfers", OtherUnit,     [F,   F,   F,   A,   A,   E,   E,   E,   A,   U]),
    row("post", "/records/labour-transfers", OwnCounty,     [F,   F,   F,   F,   F,   A,   F,   A,   F,   U]),
    row("get",  "/records/consumption", None,               [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/records/consumption", OtherCounty,        [F,   F,   F,   A,   A,   E,   E,   E,   A,   U]),
    row("post", "/records/consumption", OwnCounty,          [F,   F,   F,   F,   F,   A,   F,   A,   F,   U]),
    row("get",  "/records/summary",    None,                [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/letters",            None,                [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/letters",            OtherUnit,           [F,   F,   F,   A,   A,   E,   E,   E,   A,   U]),
    row("post", "/letters",            None,                [F,   F,   F,   A,   F,   F,   F,   F,   F,   U]),
    row("post", "/letters/{id}/sign",  OwnUnit,             [F,   F,   F,   F,   F,   A,   F,   F,   F,   U]),
    row("post", "/letters/{id}/sign",  OtherUnit,           [F,   F,   F,   F,   F,   N,   F,   F,   F,   U]),
    // issue 12: villages and households. Poor villages are read like
    // assistance work (a unit: of its paired counties); households' helpers,
    // measures and visits like the registry (no unit, no reviewer). The
    // county writes; a cadre records visits in its county; another county's
    // household is 404.
    row("get",  "/villages",           None,                [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/villages",           OtherCounty,         [F,   F,   F,   A,   A,   E,   E,   E,   A,   U]),
    row("post", "/villages",           None,                [F,   F,   F,   F,   F,   F,   A,   F,   F,   U]),
    row("post", "/villages/team-members", OwnCounty,        [F,   F,   F,   F,   F,   F,   A,   F,   F,   U]),
    row("post", "/households/helpers", OwnCounty,           [F,   F,   F,   F,   F,   F,   A,   F,   F,   U]),
    row("post", "/households/helpers", OtherCounty,         [F,   F,   F,   F,   F,   F,   N,   F,   F,   U]),
    row("post", "/households/measures", OwnCounty,          [F,   F,   F,   F,   F,   F,   A,   F,   F,   U]),
    row("post", "/households/visits",  OwnCounty,           [F,   F,   F,   F,   F,   F,   A,   A,   F,   U]),
    row("post", "/households/visits",  OtherCounty,         [F,   F,   F,   F,   F,   F,   N,   N,   F,   U]),
    row("get",  "/households/{id}/assistance", OwnCounty,   [F,   F,   F,   A,   F,   F,   A,   A,   A,   U]),
    row("get",  "/households/{id}/assistance", OtherCounty, [F,   F,   F,   A,   F,   F,   N,   N,   A,   U]),
    row("get",  "/households/without-helper", None,         [F,   F,   F,   A,   F,   F,   A,   A,   A,   U]),
    row("get",  "/helpers/unvisited",  None,                [F,   F,   F,   A,   F,   F,   A,   A,   A,   U]),
    row("get",  "/helpers/unvisited",  OtherCounty,         [F,   F,   F,   A,   F,   F,   E,   E,   A,   U]),
    // Leader visits and the inbox (issue 12): visits read within the scope,
    // recorded by the unit alone; each caller reads and marks only its own
    // reminders (a reminder of another account does not exist for it).
    row("get",  "/leader-visits",      None,                [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/leader-visits",      OtherUnit,           [F,   F,   F,   A,   A,   E,   E,   E,   A,   U]),
    row("get",  "/leader-visits",      OtherCounty,         [F,   F,   F,   A,   A,   E,   E,   E,   A,   U]),
    row("post", "/leader-visits",      OwnCounty,           [F,   F,   F,   F,   F,   A,   F,   F,   F,   U]),
    row("get",  "/leader-visits/{id}", OwnUnit,             [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/leader-visits/{id}", OtherUnit,           [F,   F,   F,   A,   A,   N,   N,   N,   A,   U]),
    // 2024: U2 has not visited two of its counties; U1 visited C1.
    row("get",  "/leader-visits/missing", None,             [F,   F,   F,   A,   A,   E,   E,   E,   A,   U]),
    row("get",  "/inbox",              None,                [E,   E,   E,   E,   E,   E,   E,   E,   E,   U]),
    row("post", "/inbox/{id}/read",    OwnUnit,             [N,   N,   N,   N,   N,   A,   N,   N,   N,   U]),
    // The audit log: the audit administrator only.
    row("get",  "/audit",              None,                [F,   F,   A,   F,   F,   F,   F,   F,   F,   U]),
    row("get",  "/audit/verify",       None,                [F,   F,   A,   F,   F,   F,   F,   F,   F,   U]),
    // Accounts, the separated duties: admin creates and maintains accounts,
    // security alone gives roles and scopes; both list them.
    row("get",  "/users",              None,                [A,   A,   F,   F,   F,   F,   F,   F,   F,   U]),
    row("post", "/users",              None,                [A,   F,   F,   F,   F,   F,   F,   F,   F,   U]),
    row("put",  "/users/{id}/role",    None,                [F,   A,   F,   F,   F,   F,   F,   F,   F,   U]),
    row("post", "/users/{id}/active",  None,                [A,   F,   F,   F,   F,   F,   F,   F,   F,   U]),
    row("post", "/users/{id}/unlock",  None,                [A,   F,   F,   F,   F,   F,   F,   F,   F,   U]),
    row("post", "/users/{id}/password", None,               [A,   F,   F,   F,   F,   F,   F,   F,   F,   U]),
    // Removing a second factor is the security administrator's duty alone.
    row("post", "/users/{id}/second-factor", None,          [F,   A,   F,   F,   F,   F,   F,   F,   F,   U]),
    // issue 11: assistance plans and projects. The readers of assistance
    // work see what their scope reaches; the unit writes its own, the
    // county approves; a record of another unit or county is 404.
    row("get",  "/assistance-plans",   None,                [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/assistance-plans",   OwnUnit,             [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/assistance-plans",   OtherUnit,           [F,   F,   F,   A,   A,   E,   E,   E,   A,   U]),
    row("get",  "/assistance-plans",   OwnCounty,           [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/assistance-plans",   OtherCounty,         [F,   F,   F,   A,   A,   E,   E,   E,   A,   U]),
    row("post", "/assistance-plans",   OwnUnit,             [F,   F,   F,   F,   F,   A,   F,   F,   F,   U]),
    row("get",  "/assistance-plans/{id}", OwnUnit,          [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/assistance-plans/{id}", OtherUnit,        [F,   F,   F,   A,   A,   N,   N,   N,   A,   U]),
    row("post", "/assistance-plans/{id}/transition", OwnUnit, [F, F,   F,   F,   F,   A,   F,   F,   F,   U]),
    row("post", "/assistance-plans/{id}/transition", OtherUnit, [F, F, F,   F,   F,   N,   N,   N,   F,   U]),
    row("get",  "/projects",           None,                [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/projects",           OtherUnit,           [F,   F,   F,   A,   A,   E,   E,   E,   A,   U]),
    row("get",  "/projects",           OwnCounty,           [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/projects",           OtherCounty,         [F,   F,   F,   A,   A,   E,   E,   E,   A,   U]),
    row("post", "/projects",           OwnUnit,             [F,   F,   F,   F,   F,   A,   F,   F,   F,   U]),
    row("post", "/projects",           OtherUnit,           [F,   F,   F,   F,   F,   N,   F,   F,   F,   U]),
    row("get",  "/projects/{id}",      OwnUnit,             [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/projects/{id}",      OtherUnit,           [F,   F,   F,   A,   A,   N,   N,   N,   A,   U]),
    // Approving a planned project is the county's step.
    row("post", "/projects/{id}/transition", OwnUnit,       [F,   F,   F,   F,   F,   F,   A,   F,   F,   U]),
    row("post", "/projects/{id}/transition", OtherUnit,     [F,   F,   F,   F,   F,   N,   N,   N,   F,   U]),
    row("post", "/projects/{id}/progress", OwnUnit,         [F,   F,   F,   F,   F,   A,   F,   F,   F,   U]),
    row("post", "/projects/{id}/progress", OtherUnit,       [F,   F,   F,   F,   F,   N,   F,   F,   F,   U]),
    row("get",  "/projects/{id}/attachments", OwnUnit,      [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/projects/{id}/attachments", OtherUnit,    [F,   F,   F,   A,   A,   N,   N,   N,   A,   U]),
    row("post", "/projects/{id}/attachments", OwnUnit,      [F,   F,   F,   F,   F,   A,   F,   F,   F,   U]),
    row("post", "/projects/{id}/attachments", OtherUnit,    [F,   F,   F,   F,   F,   N,   F,   F,   F,   U]),
    row("get",  "/projects/{id}/attachments/{attachment_id}", OwnUnit,   [F, F, F, A, A, A, A, A, A, U]),
    row("get",  "/projects/{id}/attachments/{attachment_id}", OtherUnit, [F, F, F, A, A, N, N, N, A, U]),
    // issue 11: the funds ledger. Every business role reads within its
    // scope; a unit posts to its own pairings only; the office only
    // reallocates, so a receipt is refused it.
    row("get",  "/ledger/entries",     None,                [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/ledger/entries",     OwnUnit,             [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/ledger/entries",     OtherUnit,           [F,   F,   F,   A,   A,   E,   E,   E,   A,   U]),
    row("get",  "/ledger/entries",     OwnCounty,           [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/ledger/entries",     OtherCounty,         [F,   F,   F,   A,   A,   E,   E,   E,   A,   U]),
    row("get",  "/ledger/balances",    OwnUnit,             [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/ledger/balances",    OtherUnit,           [F,   F,   F,   A,   A,   E,   E,   E,   A,   U]),
    row("get",  "/ledger/balances",    OwnCounty,           [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/ledger/balances",    OtherCounty,         [F,   F,   F,   A,   A,   E,   E,   E,   A,   U]),
    row("post", "/ledger/entries",     OwnUnit,             [F,   F,   F,   F,   F,   A,   F,   F,   F,   U]),
    row("post", "/ledger/entries",     OtherUnit,           [F,   F,   F,   F,   F,   N,   F,   F,   F,   U]),
    // issue 12: secondments, inspections and rectification. Readers of
    // assistance work see what their scope reaches; the unit proposes, the
    // office approves; the office, its inspectors and the unit record
    // inspections; only an item's owner starts it. The matrix's pairings
    // ended in 2025, so nothing runs today: continuity and frequency are empty.
    row("get",  "/secondments",        None,                [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/secondments",        OtherUnit,           [F,   F,   F,   A,   A,   E,   E,   E,   A,   U]),
    row("get",  "/secondments",        OwnCounty,           [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/secondments",        OtherCounty,         [F,   F,   F,   A,   A,   E,   E,   E,   A,   U]),
    row("post", "/secondments",        OwnUnit,             [F,   F,   F,   F,   F,   A,   F,   F,   F,   U]),
    row("get",  "/secondments/{id}",   OwnUnit,             [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/secondments/{id}",   OtherUnit,           [F,   F,   F,   A,   A,   N,   N,   N,   A,   U]),
    row("post", "/secondments/{id}/transition", OwnUnit,    [F,   F,   F,   A,   F,   F,   F,   F,   F,   U]),
    row("post", "/secondments/{id}/transition", OtherUnit,  [F,   F,   F,   A,   F,   N,   N,   N,   F,   U]),
    row("get",  "/secondments/continuity", None,            [F,   F,   F,   E,   E,   E,   E,   E,   E,   U]),
    row("get",  "/inspections",        None,                [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/inspections",        OtherUnit,           [F,   F,   F,   A,   A,   E,   E,   E,   A,   U]),
    row("get",  "/inspections",        OtherCounty,         [F,   F,   F,   A,   A,   E,   E,   E,   A,   U]),
    row("post", "/inspections",        OwnUnit,             [F,   F,   F,   A,   F,   A,   F,   F,   A,   U]),
    row("post", "/inspections",        OtherUnit,           [F,   F,   F,   A,   F,   F,   F,   F,   A,   U]),
    row("get",  "/inspections/{id}",   OwnUnit,             [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/inspections/{id}",   OtherUnit,           [F,   F,   F,   A,   A,   N,   N,   N,   A,   U]),
    row("get",  "/inspections/frequency", None,             [F,   F,   F,   E,   E,   E,   E,   E,   E,   U]),
    row("get",  "/rectifications",     None,                [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/rectifications",     OtherUnit,           [F,   F,   F,   A,   A,   E,   E,   E,   A,   U]),
    row("post", "/rectifications/{id}/transition", OwnUnit, [F,   F,   F,   F,   F,   F,   F,   A,   F,   U]),
    row("post", "/rectifications/{id}/transition", OtherUnit, [F, F,   F,   F,   F,   N,   N,   N,   F,   U]),
    // issue 12: reports. Read within the scope; a cadre writes its team's
    // reports, the unit reviews them, the office sets the calendar; a
    // report of another unit or county is 404.
    row("get",  "/reports",            None,                [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/reports",            OtherUnit,           [F,   F,   F,   A,   A,   E,   E,   E,   A,   U]),
    row("get",  "/reports",            OtherCounty,         [F,   F,   F,   A,   A,   E,   E,   E,   A,   U]),
    row("post", "/reports",            OwnUnit,             [F,   F,   F,   F,   F,   F,   F,   A,   F,   U]),
    row("get",  "/reports/punctuality", None,               [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/reports/{id}",       OwnUnit,             [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/reports/{id}",       OtherUnit,           [F,   F,   F,   A,   A,   N,   N,   N,   A,   U]),
    row("post", "/reports/{id}/draft", OwnUnit,             [F,   F,   F,   F,   F,   F,   F,   A,   F,   U]),
    row("post", "/reports/{id}/draft", OtherUnit,           [F,   F,   F,   F,   F,   N,   F,   N,   F,   U]),
    row("post", "/reports/{id}/submit", OwnUnit,            [F,   F,   F,   F,   F,   F,   F,   A,   F,   U]),
    row("post", "/reports/{id}/submit", OtherUnit,          [F,   F,   F,   F,   F,   N,   F,   N,   F,   U]),
    row("post", "/reports/{id}/review", OwnUnit,            [F,   F,   F,   F,   F,   A,   F,   F,   F,   U]),
    row("post", "/reports/{id}/review", OtherUnit,          [F,   F,   F,   F,   F,   N,   F,   F,   F,   U]),
    row("post", "/reports/{id}/attachments", OwnUnit,       [F,   F,   F,   F,   F,   F,   F,   A,   F,   U]),
    row("post", "/reports/{id}/attachments", OtherUnit,     [F,   F,   F,   F,   F,   N,   F,   N,   F,   U]),
    row("get",  "/report-calendars/{year}", None,           [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("put",  "/report-calendars/{year}", None,           [F,   F,   F,   A,   F,   F,   F,   F,   F,   U]),
    // issue 13: the annual assessment. U1's of 2024 is published, U2's is
    // with its unit: a unit or county sees another unit's only once
    // published (and a county only those of units paired with it).
    row("get",  "/assessments",        None,                [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/assessments",        OtherUnit,           [F,   F,   F,   A,   A,   E,   E,   E,   A,   U]),
    row("get",  "/assessments/rankings", None,              [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/assessments/{id}",   OwnUnit,             [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("get",  "/assessments/{id}",   OtherUnit,           [F,   F,   F,   A,   A,   N,   N,   N,   A,   U]),
    row("post", "/assessments/open",   None,                [F,   F,   F,   A,   F,   F,   F,   F,   F,   U]),
    row("post", "/assessments/publish", None,               [F,   F,   F,   A,   F,   F,   F,   F,   F,   U]),
    row("post", "/assessments/{id}/transition", OwnUnit,    [F,   F,   F,   F,   A,   F,   N,   F,   F,   U]),
    row("post", "/assessments/{id}/transition", OtherUnit,  [F,   F,   F,   F,   A,   N,   N,   N,   F,   U]),
    row("post", "/assessments/{id}/entries", OwnUnit,       [F,   F,   F,   A,   F,   F,   F,   F,   A,   U]),
    row("post", "/assessments/{id}/entries", OtherUnit,     [F,   F,   F,   A,   F,   F,   F,   F,   A,   U]),
    row("put",  "/assessments/{id}/self-report", OwnUnit,   [F,   F,   F,   F,   F,   A,   F,   F,   F,   U]),
    row("put",  "/assessments/{id}/self-report", OtherUnit, [F,   F,   F,   F,   F,   N,   F,   F,   F,   U]),
    row("get",  "/assessment-rules/{year}", None,           [F,   F,   F,   A,   A,   A,   A,   A,   A,   U]),
    row("put",  "/assessment-rules/{year}", None,           [F,   F,   F,   A,   F,   F,   F,   F,   F,   U]),
    // issue 13: return-risk monitoring. Monitored households are personal
    // data: read like the registry (office and inspector all, county and
    // cadre their county, others nothing); county and cadre flag and
    // verify, the county reviews (measures), the office sets thresholds;
    // the scan is the county's or the office's.
    row("get",  "/monitoring",         None,                [F,   F,   F,   A,   F,   F,   A,   A,   A,   U]),
    row("get",  "/monitoring",         OwnCounty,           [F,   F,   F,   A,   F,   F,   A,   A,   A,   U]),
    row("get",  "/monitoring",         OtherCounty,         [F,   F,   F,   A,   F,   F,   E,   E,   A,   U]),
    row("post", "/monitoring",         OwnCounty,           [F,   F,   F,   F,   F,   F,   A,   A,   F,   U]),
    row("post", "/monitoring",         OtherCounty,         [F,   F,   F,   F,   F,   F,   N,   N,   F,   U]),
    row("get",  "/monitoring/counts",  None,                [F,   F,   F,   A,   F,   F,   A,   A,   A,   U]),
    row("get",  "/monitoring/counts",  OtherCounty,         [F,   F,   F,   A,   F,   F,   E,   E,   A,   U]),
    row("post", "/monitoring/scan",    OwnCounty,           [F,   F,   F,   A,   F,   F,   A,   F,   F,   U]),
    row("post", "/monitoring/scan",    OtherCounty,         [F,   F,   F,   A,   F,   F,   F,   F,   F,   U]),
    row("get",  "/monitoring/{id}",    OwnCounty,           [F,   F,   F,   A,   F,   F,   A,   A,   A,   U]),
    row("get",  "/monitoring/{id}",    OtherCounty,         [F,   F,   F,   A,   F,   F,   N,   N,   A,   U]),
    row("post", "/monitoring/{id}/transition", OwnCounty,   [F,   F,   F,   F,   F,   F,   A,   A,   F,   U]),
    row("post", "/monitoring/{id}/transition", OtherCounty, [F,   F,   F,   F,   F,   F,   N,   N,   F,   U]),
    row("post", "/monitoring/{id}/measures", OwnCounty,     [F,   F,   F,   F,   F,   F,   A,   F,   F,   U]),
    row("post", "/monitoring/{id}/measures", OtherCounty,   [F,   F,   F,   F,   F,   F,   N,   F,   F,   U]),
    row("get",  "/monitoring-thresholds/{year}", None,      [F,   F,   F,   A,   F,   F,   A,   A,   A,   U]),
    row("put",  "/monitoring-thresholds/{year}", None,      [F,   F,   F,   A,   F,   F,   F,   F,   F,   U]),
    // issue 14: households outside the registry, entered by their own county
    row("post", "/monitoring/rural-households", OwnCounty,   [F,   F,   F,   F,   F,   F,   A,   A,   F,   U]),
    row("post", "/monitoring/rural-households", OtherCounty, [F,   F,   F,   F,   F,   F,   F,   F,   F,   U]),
    row("get",  "/monitoring/rural-households/{id}", OwnCounty,   [F, F, F, A, F, F, A, A, A, U]),
    row("get",  "/monitoring/rural-households/{id}", OtherCounty, [F, F, F, A, F, F, N, N, A, U]),
    // issue 13: departmental cross-checks read with the registry's scope;
    // the county imports its own files and closes its own tasks.
    row("get",  "/alerts",             None,                [F,   F,   F,   A,   F,   F,   A,   A,   A,   U]),
    row("get",  "/alerts",             OwnCounty,           [F,   F,   F,   A,   F,   F,   A,   A,   A,   U]),
    row("get",  "/alerts",             OtherCounty,         [F,   F,   F,   A,   F,   F,   E,   E,   A,   U]),
    row("post", "/alerts",             OwnCounty,           [F,   F,   F,   F,   F,   F,   A,   F,   F,   U]),
    row("post", "/alerts",             OtherCounty,         [F,   F,   F,   F,   F,   F,   F,   F,   F,   U]),
    row("get",  "/alerts/{id}",        OwnCounty,           [F,   F,   F,   A,   F,   F,   A,   A,   A,   U]),
    row("get",  "/alerts/{id}",        OtherCounty,         [F,   F,   F,   A,   F,   F,   N,   N,   A,   U]),
    row("get",  "/corrections",        None,                [F,   F,   F,   A,   F,   F,   A,   A,   A,   U]),
    row("get",  "/corrections",        OtherCounty,         [F,   F,   F,   A,   F,   F,   E,   E,   A,   U]),
    row("post", "/corrections/{id}/transition", OwnCounty,  [F,   F,   F,   F,   F,   F,   A,   F,   F,   U]),
    row("post", "/corrections/{id}/transition", OtherCounty, [F,  F,   F,   F,   F,   F,   N,   F,   F,   U]),
    // The exit check: 2014's exited ZQ002 has no guarantees recorded.
    row("get",  "/exit-check",         None,                [F,   F,   F,   A,   F,   F,   A,   A,   A,   U]),
    row("get",  "/exit-check",         OwnCounty,           [F,   F,   F,   A,   F,   F,   A,   A,   A,   U]),
    row("get",  "/exit-check",         OtherCounty,         [F,   F,   F,   E,   F,   F,   N,   N,   E,   U]),
    // Everyone may sign out (each caller a token of its own, see below).
    row("post", "/logout",             None,                [A,   A,   A,   A,   A,   A,   A,   A,   A,   U]),
    // Everyone changes their own password. Last: it changes the password
    // the other rows' accounts signed in with.
    row("post", "/account/password",   None,                [A,   A,   A,   A,   A,   A,   A,   A,   A,   U]),
];

const C1: &str = ZHOUQU;
const C2: &str = XINGTANG;
/// A village of Xingtang.
const C2_VILLAGE: &str = "130125100001";

/// The accounts of the table, one per role, and their tokens. Built here
/// only, so a change to how accounts sign in is made in one place.
fn callers(web: &Web, u1: i64) -> Vec<Option<String>> {
    CALLERS
        .iter()
        .map(|&role| {
            if role == "(no token)" {
                return Option::None;
            }
            let unit = matches!(role, "unit" | "cadre").then_some(u1);
            let county = matches!(role, "county" | "cadre").then_some(C1);
            let name = format!("m_{role}");
            user(&web.app, &name, role, unit, county);
            Some(web.direct_token(&name, PASSWORD))
        })
        .collect()
}

/// A registry of Xingtang (one household), so "other county" has data.
fn other_county_registry() -> String {
    let first = format!("130125{}{:03}", "19800101", 11);
    let id = format!(
        "{first}{}",
        dingdian_core::registry::check_digit(&first).unwrap()
    );
    format!("{REGISTRY_HEADER}\n2014,{C2_VILLAGE},XT001,{id},刘长顺,户主,2100,未脱贫,2014,,因病\n")
}

struct World {
    u1: i64,
    u2: i64,
    u3: i64,
    p_own_unit: i64,
    p_own_county: i64,
    p_other: i64,
    /// A job the county account started, and one the CLI operator started.
    job_of_county: i64,
    job_of_other: i64,
    /// Assistance plans and projects of U1 in C1 and of U2 in C2.
    assist: Assist,
    /// A secondment and an inspection of U1 in C1 and of U2 in C2.
    disc: Disc,
    /// The helpers of ZQ001 (C1) and XT001 (C2).
    helpers: [i64; 2],
    /// The monitoring cases of ZQ001 (C1) and XT001 (C2).
    cases: [i64; 2],
    /// An alert file of C1 (by the county account) and of C2.
    alerts: [i64; 2],
}

fn world(web: &Web) -> (World, Vec<Option<String>>) {
    let app = &web.app;
    county_list(app);
    let (u1, u2, u3) = (
        unit(app, "本单位"),
        unit(app, "他单位"),
        unit(app, "邻单位"),
    );
    let plan = |name: &str, u: i64, c: &str| {
        let p = draft_plan(app, name);
        pair(app, p, u, c, "lead");
        p
    };
    let p_own_unit = plan("本单位方案", u1, C1);
    let p_own_county = plan("本县方案", u3, C1);
    let p_other = plan("他单位方案", u2, C2);
    registry_fixture(app);
    app.import_registry(
        &cli(),
        "xt.csv",
        other_county_registry().as_bytes(),
        dingdian_app::registry::ImportOptions::default(),
        &|_, _, _| {},
    )
    .expect("import the Xingtang household");
    let tokens = callers(web, u1);
    let assist = assist_world(web, u1, u2);
    let disc = discipline_world(web, u1, u2);
    ledger_receipts(web, u2);
    records_fixture(web, u1, u2);
    reports_fixture(web, u1, u2);
    let helpers = help_fixture(web);
    visits_fixture(web);
    assessments_fixture(web, u1, u2);
    let cases = [("ZQ001", C1), ("XT001", C2)]
        .map(|(h, c)| dingdian_testkit::insert_monitoring_case(&web.url, (h, c, 2014), "flagged"));
    let alerts = [
        alert_file(web, "m_county", 0),
        alert_file(web, "m_county2", 0),
    ];
    let dry = dingdian_app::registry::ImportOptions {
        dry_run: true,
        ..Default::default()
    };
    let county_actor = actor(web, "m_county");
    let job_of_county = app
        .start_registry_import(&county_actor, "r.csv", registry_csv().into_bytes(), dry)
        .expect("the county starts a job");
    let job_of_other = app
        .start_registry_import(&cli(), "r.csv", registry_csv().into_bytes(), dry)
        .expect("the operator starts a job");
    (
        World {
            u1,
            u2,
            u3,
            p_own_unit,
            p_own_county,
            p_other,
            job_of_county,
            job_of_other,
            assist,
            disc,
            helpers,
            cases,
            alerts,
        },
        tokens,
    )
}

/// The head of ZQ001 (C1) or XT001 (C2), reported moved out by public
/// security (the file differs by `n`): a file with a correction task.
fn alert_file(web: &Web, county_account: &str, n: usize) -> i64 {
    let (county, id) = if county_account == "m_county" {
        (C1, fixture_people()[0].2.clone())
    } else {
        let first = format!("130125{}{:03}", "19800101", 11);
        let d = dingdian_core::registry::check_digit(&first).unwrap();
        (C2, format!("{first}{d}"))
    };
    let csv = format!("证件号码,事件,备注\n{id},户籍迁出,{n}\n");
    let a = actor(web, county_account);
    let today = chrono::NaiveDate::from_ymd_opt(2024, 6, 1).unwrap();
    let source = dingdian_core::alerts::AlertSource::PublicSecurity;
    web.app
        .import_alerts(&a, county, source, "ga.csv", csv.as_bytes(), today)
        .expect("an alert file")
        .file_id
}

/// The open correction task of a fresh alert file of the county.
fn open_correction(web: &Web, county_account: &str, n: usize) -> i64 {
    let file = alert_file(web, county_account, n);
    dingdian_testkit::beneath(&web.url)
        .read(|c| {
            c.query_i64(
                "SELECT t.id FROM correction_tasks t JOIN alert_rows r ON r.id = t.alert_row_id WHERE r.file_id = ?",
                &[file.into()],
            )
        })
        .expect("the file's correction task")
}

/// The requests of the cross-checks and the exit check.
fn alerts_request(web: &Web, w: &World, r: &Row, n: usize) -> (String, Option<Value>) {
    let county = if r.target == OtherCounty { C2 } else { C1 };
    let account = if r.target == OtherCounty {
        "m_county2"
    } else {
        "m_county"
    };
    match (r.method, r.path) {
        ("get", "/alerts") | ("get", "/corrections") => match r.target {
            None => (r.path.into(), Option::None),
            _ => (format!("{}?county={county}", r.path), Option::None),
        },
        ("post", "/alerts") => {
            let id = fixture_people()[1].2.clone();
            let csv = format!("证件号码,金额,备注\n{id},100,{n}\n");
            (
                format!("/alerts?source=medical&county={county}&name=yb.csv"),
                Some(Value::String(csv)),
            )
        }
        ("get", "/alerts/{id}") => {
            let id = w.alerts[usize::from(r.target == OtherCounty)];
            (format!("/alerts/{id}"), Option::None)
        }
        ("post", "/corrections/{id}/transition") => (
            format!(
                "/corrections/{}/transition",
                open_correction(web, account, n)
            ),
            Some(json!({ "to": "done", "note": "已核实" })),
        ),
        _ => match r.target {
            None => ("/exit-check?year=2014".into(), Option::None),
            _ => (
                format!("/exit-check?year=2014&county={county}"),
                Option::None,
            ),
        },
    }
}

/// A receipt in each pairing's ledger (U1–C1 by the unit account, U2–C2
/// by an account of U2), so that every ledger list has something to show.
fn ledger_receipts(web: &Web, u2: i64) {
    user(&web.app, "m_unit_two", "unit", Some(u2), Option::None);
    for (name, county) in [("m_unit", C1), ("m_unit_two", C2)] {
        let a = actor(web, name);
        let input = dingdian_core::ledger::LedgerEntryInput {
            kind: "receipt".into(),
            unit_id: a.scope.unit(),
            county_code: county.into(),
            source: "direct".into(),
            amount_yuan: "100.00".into(),
            date: "2024-01-02".into(),
            ..Default::default()
        };
        web.app.post_entry(&a, &input).expect("a receipt");
    }
}

/// A new unsigned letter of the unit covering all its counties (written
/// beneath the app: the table signs one per call).
fn unsigned_letter(web: &Web, unit: i64) -> i64 {
    dingdian_testkit::beneath(&web.url)
        .write(|c| {
            c.query_i64(
                "INSERT INTO letters (unit_id, county_code, year, status, set_at) VALUES (?, NULL, 2025, 'set', 0) RETURNING id",
                &[unit.into()],
            )
        })
        .expect("a letter to sign")
}

/// The leader visit of the unit (U1's in C1, U2's in C2).
fn visit_of(web: &Web, unit: i64) -> i64 {
    dingdian_testkit::beneath(&web.url)
        .read(|c| {
            c.query_i64(
                "SELECT MIN(id) FROM leader_visits WHERE unit_id = ?",
                &[unit.into()],
            )
        })
        .expect("the unit's visit")
}

/// A reminder of the unit account (written beneath the app: the
/// scheduler makes them).
fn unit_reminder(web: &Web, n: usize) -> i64 {
    dingdian_testkit::beneath(&web.url)
        .write(|c| {
            c.query_i64(
                "INSERT INTO reminders (user_id, kind, subject_type, subject_id, message_key, message_args, dedup_key, created_at) \
                 SELECT id, 'letter_unsigned', 'letter', '1', 'letter_unsigned', '{\"zh\":\"x\",\"en\":\"x\"}', ?, 0 \
                 FROM users WHERE username = 'm_unit' RETURNING id",
                &[format!("matrix:{n}").into()],
            )
        })
        .expect("a reminder of the unit")
}

/// A fresh plan shaped like the target's, for a call that changes it.
fn fresh_plan(web: &Web, w: &World, target: Target, n: usize) -> i64 {
    let (u, c) = match target {
        OwnUnit => (w.u1, C1),
        OwnCounty => (w.u3, C1),
        _ => (w.u2, C2),
    };
    let p = draft_plan(&web.app, &format!("矩阵方案 {n}"));
    pair(&web.app, p, u, c, "lead");
    p
}

/// A submitted overall plan in which U1 leads C1 and U2 the other counties.
fn submitted_plan(web: &Web, w: &World, n: usize) -> i64 {
    let app = &web.app;
    let p = draft_plan(app, &format!("待审方案 {n}"));
    for c in COUNTIES {
        pair(app, p, if c == C1 { w.u1 } else { w.u2 }, c, "lead");
    }
    for to in ["consultation", "submitted"] {
        app.transition_plan(&cli(), p, to, Option::None)
            .expect("submit");
    }
    p
}

/// The request of one row: path (with query) and body.
fn request(web: &Web, w: &World, r: &Row, n: usize) -> (String, Option<Value>) {
    let plan = |t: Target| match t {
        OwnUnit => w.p_own_unit,
        OwnCounty => w.p_own_county,
        _ => w.p_other,
    };
    let county = |t: Target| if t == OtherCounty { C2 } else { C1 };
    let unit_id = |t: Target| if t == OtherUnit { w.u2 } else { w.u1 };
    let household = |t: Target| if t == OtherCounty { "XT001" } else { "ZQ001" };
    let filter = |key: &str| match r.target {
        OwnUnit => format!("?{key}={}", w.u1),
        OtherUnit => format!("?{key}={}", w.u2),
        OwnCounty => format!("?{key}={C1}"),
        OtherCounty => format!("?{key}={C2}"),
        None => String::new(),
    };
    match (r.method, r.path) {
        (_, path) if path.starts_with("/assistance-plans") || path.starts_with("/projects") => {
            assist_request(web, &w.assist, r, n)
        }
        (_, path)
            if ["/secondments", "/inspections", "/rectifications"]
                .iter()
                .any(|p| path.starts_with(p)) =>
        {
            discipline_request(web, &w.disc, r, n)
        }
        (_, path) if path.starts_with("/report") => report_request(web, w, r, n),
        (_, path) if path.starts_with("/assessment") => assessment_request(web, w, r, n),
        (_, path) if path.starts_with("/monitoring") => monitoring_request(web, w, r, n),
        (_, path)
            if ["/alerts", "/corrections", "/exit-check"]
                .iter()
                .any(|p| path.starts_with(p)) =>
        {
            alerts_request(web, w, r, n)
        }
        ("post", "/login") => (
            r.path.into(),
            // An account without a second factor: the same code cannot be
            // used ten times over.
            Some(json!({ "username": "m_inspector", "password": PASSWORD })),
        ),
        ("get", "/areas/{code}") => (format!("/areas/{}", county(r.target)), Option::None),
        ("put", "/areas/{code}") => (
            format!("/areas/{}", county(r.target)),
            Some(
                json!({ "key_county": true, "poor_county": true, "old_revolutionary": false,
                          "ethnic": false, "border": false, "contiguous_area": null, "exit_year": null }),
            ),
        ),
        ("post", "/units") => (
            r.path.into(),
            Some(json!({ "name": format!("矩阵单位 {n}"), "kind": "university" })),
        ),
        ("get", "/units/{id}") => (format!("/units/{}", unit_id(r.target)), Option::None),
        ("put", "/units/{id}") => {
            let id = unit_id(r.target);
            let name = if id == w.u1 { "本单位" } else { "他单位" };
            (
                format!("/units/{id}"),
                Some(json!({ "name": name, "kind": "central_organ" })),
            )
        }
        ("post", "/plans") => (
            r.path.into(),
            Some(
                json!({ "name": format!("矩阵新方案 {n}"), "kind": "overall", "county_list": LIST,
                          "period_start": START, "period_end": END }),
            ),
        ),
        ("post", "/plans/{id}/pairings") => {
            let p = fresh_plan(web, w, r.target, n);
            (
                format!("/plans/{p}/pairings"),
                Some(json!({ "unit_id": w.u1, "county_code": JIANGHUA, "role": "lead" })),
            )
        }
        ("post", "/plans/{id}/transition") if r.variant == "submitted→approved" => {
            let p = submitted_plan(web, w, n);
            (
                format!("/plans/{p}/transition"),
                Some(json!({ "to": "approved" })),
            )
        }
        ("post", "/plans/{id}/transition") => {
            let p = fresh_plan(web, w, r.target, n);
            (
                format!("/plans/{p}/transition"),
                Some(json!({ "to": "consultation" })),
            )
        }
        (_, path) if path.starts_with("/plans/{id}") => (
            path.replace("{id}", &plan(r.target).to_string()),
            Option::None,
        ),
        ("get", "/pairings") => (
            format!(
                "/pairings{}",
                filter(if matches!(r.target, OwnUnit | OtherUnit) {
                    "unit"
                } else {
                    "county"
                },)
            ),
            Option::None,
        ),
        ("get", "/pairing-work") => (
            format!(
                "/pairing-work{}",
                filter(if matches!(r.target, OwnUnit | OtherUnit) {
                    "unit"
                } else {
                    "county"
                },)
            ),
            Option::None,
        ),
        ("get", "/indicators") => (format!("/indicators{}", filter("area")), Option::None),
        ("get", path) if path.starts_with("/ledger/") => {
            let key = if matches!(r.target, OwnUnit | OtherUnit) {
                "unit"
            } else {
                "county"
            };
            (format!("{path}{}", filter(key)), Option::None)
        }
        ("post", "/ledger/entries") => (
            r.path.into(),
            Some(json!({ "kind": "receipt", "unit_id": unit_id(r.target),
                         "county_code": if r.target == OtherUnit { C2 } else { C1 },
                         "source": "direct", "amount_fen": 100, "date": "2024-01-03" })),
        ),
        ("get", "/households") => (format!("/households{}", filter("county")), Option::None),
        ("post", "/imports/registry") => (
            "/imports/registry?file_name=r.csv&dry_run=true".into(),
            Some(Value::String(registry_csv())),
        ),
        ("post", "/imports/statistics") => {
            let csv = if r.target == OtherCounty {
                "年度,区划代码,农村人口,农民人均纯收入\n2014,130125,80,3900\n".to_string()
            } else {
                statistics_csv()
            };
            (
                "/imports/statistics?file_name=s.csv&dry_run=true".into(),
                Some(Value::String(csv)),
            )
        }
        ("get", "/jobs/{id}") => {
            let id = if r.target == OwnCounty {
                w.job_of_county
            } else {
                w.job_of_other
            };
            (format!("/jobs/{id}"), Option::None)
        }
        ("get", "/leader-visits/{id}") => (
            format!("/leader-visits/{}", visit_of(web, unit_id(r.target))),
            Option::None,
        ),
        ("get", "/leader-visits/missing") => {
            ("/leader-visits/missing?year=2024".into(), Option::None)
        }
        ("post", "/leader-visits") => (
            r.path.into(),
            Some(
                json!({ "county_code": C1, "leader_name": "矩阵领导", "leader_level": "deputy",
                         "date": "2024-06-01", "places": "县城", "purpose": "调研" }),
            ),
        ),
        ("post", "/inbox/{id}/read") => (
            format!("/inbox/{}/read", unit_reminder(web, n)),
            Option::None,
        ),
        ("get", path)
            if path.starts_with("/records/") || path == "/letters" || path == "/leader-visits" =>
        {
            let key = if matches!(r.target, OwnUnit | OtherUnit) {
                "unit"
            } else {
                "county"
            };
            (format!("{path}{}", filter(key)), Option::None)
        }
        ("post", "/records/trainings") => (
            r.path.into(),
            Some(
                json!({ "county_code": C1, "kind": "cadres", "topic": "矩阵培训", "place": "党校",
                         "start_date": "2024-03-01", "end_date": "2024-03-02", "trainees": 5, "organiser": "本单位" }),
            ),
        ),
        ("post", "/records/labour-transfers") => (
            r.path.into(),
            Some(
                json!({ "county_code": C1, "date": "2024-03-01", "people": 3, "destination": "320200",
                         "employer": "无锡劳务协作", "months": 6, "income_fen": 1_000_000 }),
            ),
        ),
        ("post", "/records/consumption") => (
            r.path.into(),
            Some(
                json!({ "county_code": C1, "kind": "bought", "date": "2024-03-01", "product": "花椒",
                         "value_fen": 12_000, "channel": "食堂" }),
            ),
        ),
        ("post", "/letters") => (
            r.path.into(),
            Some(
                json!({ "unit_id": w.u1, "county_code": C1, "year": 2025, "targets": { "cadres_trained": 10 } }),
            ),
        ),
        ("post", "/letters/{id}/sign") => {
            let id = unsigned_letter(web, unit_id(r.target));
            (
                format!("/letters/{id}/sign"),
                Some(json!({ "signed_on": "2025-01-02" })),
            )
        }
        ("get", "/villages")
        | ("get", "/households/without-helper")
        | ("get", "/helpers/unvisited") => {
            (format!("{}{}", r.path, filter("county")), Option::None)
        }
        ("post", "/villages") => (
            r.path.into(),
            Some(json!({ "village_code": TADE, "poor": true })),
        ),
        ("post", "/villages/team-members") => (
            r.path.into(),
            Some(
                json!({ "village_code": MIAOGOU, "person_name": format!("矩阵队员{n}"), "post": "村支书",
                         "role": "member", "from_date": "2024-01-01" }),
            ),
        ),
        ("post", "/households/helpers") => (
            r.path.into(),
            Some(
                json!({ "household_id": household(r.target), "person_name": "矩阵帮扶人", "post": "村干部",
                         "from_date": "2024-01-01" }),
            ),
        ),
        ("post", "/households/measures") => (
            r.path.into(),
            Some(
                json!({ "household_id": household(r.target), "category": "industry",
                         "description": "矩阵措施", "date": "2024-02-01" }),
            ),
        ),
        ("post", "/households/visits") => (
            r.path.into(),
            Some(json!({ "household_id": household(r.target),
                         "helper_id": w.helpers[usize::from(r.target == OtherCounty)],
                         "date": "2024-03-01", "found": "正常", "done": "宣讲政策" })),
        ),
        ("get", "/households/{id}/assistance") => (
            format!("/households/{}/assistance", household(r.target)),
            Option::None,
        ),
        ("post", "/users") => (
            r.path.into(),
            Some(
                json!({ "username": format!("mx{n}"), "display_name": "矩阵账号", "password": PASSWORD }),
            ),
        ),
        ("put", "/users/{id}/role") => {
            // An account the administrator made: no role until security gives one.
            let admin = actor(web, "m_admin");
            let id = web
                .app
                .create_user(
                    &admin,
                    &dingdian_app::auth::NewUserInput {
                        username: format!("mr{n}"),
                        display_name: "待分配".into(),
                        password: PASSWORD.into(),
                        ..Default::default()
                    },
                )
                .expect("admin creates an account");
            (
                format!("/users/{id}/role"),
                Some(json!({ "role": "inspector" })),
            )
        }
        ("post", path) if path.starts_with("/users/{id}/") => {
            let name = format!("mu{n}");
            if path == "/users/{id}/second-factor" {
                // An account with a second factor to remove.
                user(&web.app, &name, "office", Option::None, Option::None);
            } else {
                user(&web.app, &name, "inspector", Option::None, Option::None);
            }
            let id = actor(web, &name).user_id.expect("an account");
            let body = match path {
                "/users/{id}/active" => Some(json!({ "active": false })),
                "/users/{id}/password" => Some(json!({ "password": "Matrix@2027x" })),
                _ => Option::None,
            };
            (path.replace("{id}", &id.to_string()), body)
        }
        ("post", "/account/password") => (
            r.path.into(),
            Some(json!({ "current_password": PASSWORD, "new_password": "Matrix@2027y" })),
        ),
        (_, path) => (path.to_string(), Option::None),
    }
}

/// The assistance records of the matrix: an agreed plan with a project
/// (approved, with an attachment) for U1 in C1 and for U2 in C2, under
/// an active pairing plan in which U1 leads C1 and U2 the other counties.
struct Assist {
    plans: [i64; 2],
    projects: [i64; 2],
    attachments: [i64; 2],
}

fn assist_world(web: &Web, u1: i64, u2: i64) -> Assist {
    let app = &web.app;
    let p = draft_plan(app, "帮扶矩阵结对方案");
    for c in COUNTIES {
        pair(app, p, if c == C1 { u1 } else { u2 }, c, "lead");
    }
    for to in ["consultation", "submitted"] {
        app.transition_plan(&cli(), p, to, Option::None)
            .expect("submit");
    }
    let reviewer = actor(web, "m_reviewer");
    app.transition_plan(&reviewer, p, "approved", Option::None)
        .expect("approve");
    app.transition_plan(&cli(), p, "active", Option::None)
        .expect("activate");
    user(app, "m_unit2", "unit", Some(u2), Option::None);
    user(app, "m_county2", "county", Option::None, Some(C2));
    let mut a = Assist {
        plans: [0; 2],
        projects: [0; 2],
        attachments: [0; 2],
    };
    for (i, (u, c)) in [("m_unit", ("m_county", C1)), ("m_unit2", ("m_county2", C2))]
        .into_iter()
        .enumerate()
    {
        let (unit, county) = (actor(web, u), actor(web, c.0));
        let plan = app
            .create_assistance_plan(&unit, &assist_plan(c.1))
            .expect("plan");
        app.transition_assistance_plan(&unit, plan, "submitted", Option::None)
            .expect("submit");
        app.transition_assistance_plan(&county, plan, "agreed", Option::None)
            .expect("agree");
        let project = app
            .create_project(&unit, &assist_project(plan))
            .expect("project");
        app.transition_project(&county, project, "approved", "2021-03-10", Option::None)
            .expect("approve");
        let pdf = b"%PDF-1.4 matrix";
        a.attachments[i] = app
            .add_project_attachment(&unit, project, "a.pdf", Option::None, pdf)
            .expect("attach");
        (a.plans[i], a.projects[i]) = (plan, project);
    }
    a
}

fn assist_plan(county: &str) -> dingdian_core::assistance::AssistancePlanInput {
    dingdian_core::assistance::AssistancePlanInput {
        county_code: county.into(),
        name: "矩阵帮扶规划".into(),
        period_start: START.into(),
        period_end: END.into(),
        ..Default::default()
    }
}

fn assist_project(plan: i64) -> dingdian_core::project::ProjectInput {
    dingdian_core::project::ProjectInput {
        plan_id: Some(plan),
        name: "矩阵项目".into(),
        category: "infrastructure".into(),
        budget_fen: Some(100_000),
        start_date: START.into(),
        end_date: END.into(),
        implementer: "县交通局".into(),
        ..Default::default()
    }
}

/// The request of an assistance row: a fresh record where the call
/// changes one.
fn assist_request(web: &Web, a: &Assist, r: &Row, n: usize) -> (String, Option<Value>) {
    let i = usize::from(r.target == OtherUnit || r.target == OtherCounty);
    let unit = ["m_unit", "m_unit2"][i];
    let filter = match r.target {
        OwnUnit | OtherUnit => format!("?unit={}", actor(web, unit).scope.unit().unwrap()),
        OwnCounty => format!("?county={C1}"),
        OtherCounty => format!("?county={C2}"),
        None => String::new(),
    };
    let app = &web.app;
    match (r.method, r.path) {
        ("get", "/assistance-plans" | "/projects") => (format!("{}{filter}", r.path), Option::None),
        ("post", "/assistance-plans") => (
            r.path.into(),
            Some(serde_json::to_value(assist_plan(C1)).unwrap()),
        ),
        ("post", "/assistance-plans/{id}/transition") => {
            let plan = app
                .create_assistance_plan(&actor(web, unit), &assist_plan([C1, C2][i]))
                .expect("a draft");
            (
                format!("/assistance-plans/{plan}/transition"),
                Some(json!({ "to": "submitted" })),
            )
        }
        ("post", "/projects") => (
            r.path.into(),
            Some(serde_json::to_value(assist_project(a.plans[i])).unwrap()),
        ),
        ("post", "/projects/{id}/transition") => {
            let p = app
                .create_project(&actor(web, unit), &assist_project(a.plans[i]))
                .expect("a project");
            (
                format!("/projects/{p}/transition"),
                Some(json!({ "to": "approved", "on_date": "2021-03-10" })),
            )
        }
        ("post", "/projects/{id}/progress") => (
            format!("/projects/{}/progress", a.projects[i]),
            Some(json!({ "on_date": "2021-05-01", "text": format!("进展 {n}") })),
        ),
        ("post", "/projects/{id}/attachments") => (
            format!("/projects/{}/attachments?file_name=m{n}.pdf", a.projects[i]),
            Some(Value::String(format!("%PDF-1.4 matrix {n}"))),
        ),
        (_, path) if path.starts_with("/assistance-plans/") => {
            (path.replace("{id}", &a.plans[i].to_string()), Option::None)
        }
        (_, path) => (
            path.replace("{id}", &a.projects[i].to_string())
                .replace("{attachment_id}", &a.attachments[i].to_string()),
            Option::None,
        ),
    }
}

/// The discipline records of the matrix (issue 12), on the pairings of
/// the assistance world: [U1 in C1, U2 in C2].
struct Disc {
    units: [i64; 2],
    secondments: [i64; 2],
    inspections: [i64; 2],
}

fn secondment_body(county: &str, n: usize) -> Value {
    json!({ "person_name": format!("矩阵干部{n}"), "person_rank": "处级", "contact": "0941-1",
            "county_code": county, "post": "副县长", "role": "member", "batch": 1,
            "start": "2022-01-01", "planned_end": "2022-12-31" })
}

fn secondment_input(
    county: &str,
    name: &str,
    start: &str,
) -> dingdian_core::secondment::SecondmentInput {
    dingdian_core::secondment::SecondmentInput {
        person_name: name.into(),
        person_rank: "处级".into(),
        contact: "0941-1".into(),
        county_code: county.into(),
        post: "副县长".into(),
        role: "member".into(),
        batch: "1".into(),
        start: start.into(),
        planned_end: format!("{}-12-31", &start[..4]),
        ..Default::default()
    }
}

/// An inspection of the pairing `i` by the office, with one item owned
/// by the pairing's account (U1's cadre in C1, U2's unit manager in C2).
fn disc_inspection(web: &Web, d: &Disc, i: usize) -> i64 {
    let owner = actor(web, ["m_cadre", "m_unit2"][i])
        .user_id
        .expect("an account");
    let county = [C1, C2][i];
    let input: dingdian_core::inspection::InspectionInput = serde_json::from_value(json!({
        "unit_id": d.units[i], "date": "2022-05-01", "team": "督查组", "counties": [county],
        "findings": [{ "county_code": county, "text": "进度慢",
                       "items": [{ "action": "加快", "owner": owner.to_string(), "deadline": "2022-08-01" }] }]
    }))
    .expect("an inspection");
    web.app
        .create_inspection(&cli(), &input)
        .expect("inspection")
}

fn discipline_world(web: &Web, u1: i64, u2: i64) -> Disc {
    let mut d = Disc {
        units: [u1, u2],
        secondments: [0; 2],
        inspections: [0; 2],
    };
    for (i, (unit, county)) in [("m_unit", C1), ("m_unit2", C2)].into_iter().enumerate() {
        let input = secondment_input(county, &format!("矩阵干部{i}"), "2022-01-01");
        d.secondments[i] = web
            .app
            .create_secondment(&actor(web, unit), &input)
            .expect("secondment");
        d.inspections[i] = disc_inspection(web, &d, i);
    }
    d
}

fn discipline_request(web: &Web, d: &Disc, r: &Row, n: usize) -> (String, Option<Value>) {
    let i = usize::from(r.target == OtherUnit || r.target == OtherCounty);
    let county = [C1, C2][i];
    let filter = match r.target {
        OwnUnit | OtherUnit => format!("?unit={}", d.units[i]),
        OwnCounty => format!("?county={C1}"),
        OtherCounty => format!("?county={C2}"),
        None => String::new(),
    };
    match (r.method, r.path) {
        ("get", "/secondments" | "/inspections" | "/rectifications") => {
            (format!("{}{filter}", r.path), Option::None)
        }
        ("post", "/secondments") => (r.path.into(), Some(secondment_body(C1, n))),
        ("post", "/secondments/{id}/transition") => {
            let unit = actor(web, ["m_unit", "m_unit2"][i]);
            let input = secondment_input(county, &format!("待批干部{n}"), "2023-01-01");
            let id = web
                .app
                .create_secondment(&unit, &input)
                .expect("a proposal");
            (
                format!("/secondments/{id}/transition"),
                Some(json!({ "to": "approved" })),
            )
        }
        ("post", "/inspections") => (
            r.path.into(),
            Some(
                json!({ "unit_id": d.units[i], "date": "2022-06-01", "team": "督查组", "counties": [county] }),
            ),
        ),
        ("post", "/rectifications/{id}/transition") => {
            let id = disc_inspection(web, d, i);
            let item = web
                .app
                .get_inspection(&cli(), id, dingdian_core::time::today())
                .expect("inspection")
                .findings[0]
                .items[0]
                .id;
            (
                format!("/rectifications/{item}/transition"),
                Some(json!({ "to": "in_progress" })),
            )
        }
        ("get", "/secondments/{id}") => {
            (format!("/secondments/{}", d.secondments[i]), Option::None)
        }
        ("get", "/inspections/{id}") => {
            (format!("/inspections/{}", d.inspections[i]), Option::None)
        }
        (_, path) => (path.to_string(), Option::None),
    }
}

/// A serving team of U1 in C1 (the cadre account its leader) and of U2
/// in C2, and the 2024 calendar, which opens their 2024 reports.
fn reports_fixture(web: &Web, u1: i64, u2: i64) {
    let store = dingdian_testkit::beneath(&web.url);
    let cadre = actor(web, "m_cadre").user_id;
    let span = ("2023-07-01", "2026-06-30");
    dingdian_testkit::insert_secondment(
        &store,
        (u1, C1),
        ("矩阵组长", "leader", "serving"),
        span,
        cadre,
    );
    dingdian_testkit::insert_secondment(
        &store,
        (u2, C2),
        ("他组长", "leader", "serving"),
        span,
        Option::None,
    );
    let today = dingdian_core::time::today();
    web.app
        .set_report_calendar(&cli(), 2024, &Default::default(), today)
        .expect("the 2024 calendar");
}

/// A fresh report of the target's team in the given status, for a call
/// that changes one: a quarter of 2000–2023 no other call of the table
/// takes (the calendar's reports are of 2024).
fn fresh_report(web: &Web, (unit, county): (i64, &str), status: &str, n: usize) -> i64 {
    let period = format!("{}-Q{}", 2000 + (n % 96) / 4, n % 4 + 1);
    dingdian_testkit::beneath(&web.url)
        .write(|c| {
            c.query_i64(
                "INSERT INTO reports (kind, period, unit_id, county_code, due, status, work_done, created_at, updated_at) \
                 VALUES ('quarterly', ?, ?, ?, '2024-01-15', ?, '矩阵报告', 0, 0) RETURNING id",
                &[period.into(), unit.into(), county.into(), status.into()],
            )
        })
        .expect("a report")
}

/// The request of a report row.
fn report_request(web: &Web, w: &World, r: &Row, n: usize) -> (String, Option<Value>) {
    let team = if r.target == OtherUnit {
        (w.u2, C2)
    } else {
        (w.u1, C1)
    };
    let opened = || {
        dingdian_testkit::beneath(&web.url)
            .read(|c| {
                c.query_i64(
                    "SELECT id FROM reports WHERE unit_id = ? AND county_code = ? AND period = '2024-Q1'",
                    &[team.0.into(), team.1.into()],
                )
            })
            .expect("the opened report")
    };
    match (r.method, r.path) {
        ("get", "/reports") => {
            let f = match r.target {
                OtherUnit => format!("?unit={}", w.u2),
                OtherCounty => format!("?county={C2}"),
                _ => String::new(),
            };
            (format!("/reports{f}"), Option::None)
        }
        ("post", "/reports") => (
            r.path.into(),
            Some(json!({ "kind": "quarterly", "period": "2024-Q2" })),
        ),
        ("get", "/reports/{id}") => (format!("/reports/{}", opened()), Option::None),
        ("post", "/reports/{id}/draft") => {
            let id = fresh_report(web, team, "draft", n);
            (
                format!("/reports/{id}/draft"),
                Some(json!({ "revision": 0, "work_done": "矩阵" })),
            )
        }
        ("post", "/reports/{id}/submit") => {
            let id = fresh_report(web, team, "draft", n);
            (
                format!("/reports/{id}/submit"),
                Some(json!({ "revision": 0 })),
            )
        }
        ("post", "/reports/{id}/review") => {
            let id = fresh_report(web, team, "submitted", n);
            (
                format!("/reports/{id}/review"),
                Some(json!({ "decision": "accept" })),
            )
        }
        ("post", "/reports/{id}/attachments") => {
            let id = fresh_report(web, team, "draft", n);
            (
                format!("/reports/{id}/attachments?file_name=r.pdf"),
                Some(Value::String(format!("%PDF-1.4 report {n}"))),
            )
        }
        ("put", "/report-calendars/{year}") => (
            "/report-calendars/2024".into(),
            Some(json!({ "quarterly_due_days": 15 })),
        ),
        (_, path) => (path.replace("{year}", "2024"), Option::None),
    }
}

/// The request of a monitoring row: the world's case of the target's
/// county, or a fresh one in the status the step starts from.
fn monitoring_request(web: &Web, w: &World, r: &Row, n: usize) -> (String, Option<Value>) {
    const SHOCKS: [&str; 9] = [
        "illness",
        "disability",
        "schooling",
        "disaster",
        "accident",
        "business_failure",
        "unstable_employment",
        "housing_safety",
        "water_safety",
    ];
    let other = r.target == OtherCounty;
    let county = if other { C2 } else { C1 };
    let fresh = |status: &str| {
        dingdian_testkit::insert_monitoring_case(
            &web.url,
            (&format!("MX{n}"), county, 2014),
            status,
        )
    };
    match (r.method, r.path) {
        ("get", "/monitoring" | "/monitoring/counts") => {
            let q = if r.target == None {
                String::new()
            } else {
                format!("?county={county}")
            };
            (format!("{}{q}", r.path), Option::None)
        }
        ("post", "/monitoring") => (
            r.path.into(),
            Some(
                json!({ "household_id": if other { "XT001" } else { "ZQ001" }, "year": 2014,
                         "risk": SHOCKS[n % 9], "source": "cadre", "date": "2016-06-01" }),
            ),
        ),
        ("post", "/monitoring/scan") => (
            r.path.into(),
            Some(json!({ "county_code": county, "year": 2014 })),
        ),
        ("post", "/monitoring/rural-households") => {
            (r.path.into(), Some(rural_household(county, n)))
        }
        ("get", "/monitoring/rural-households/{id}") => {
            let by = actor(web, if other { "m_county2" } else { "m_county" });
            let input = dingdian_core::rural::RuralHouseholdInput {
                county_code: county.into(),
                village: "矩阵村".into(),
                year: "2022".into(),
                income_per_capita: "5000".into(),
                members: vec![dingdian_core::rural::RuralMemberInput {
                    name: "矩阵户主".into(),
                    id_number: person(county, n),
                    relation: "户主".into(),
                }],
            };
            let id = web
                .app
                .enter_rural_household(&by, &input, dingdian_core::time::today())
                .expect("a household outside the registry");
            (format!("/monitoring/rural-households/{id}"), Option::None)
        }
        ("get", "/monitoring/{id}") => (
            format!("/monitoring/{}", w.cases[usize::from(other)]),
            Option::None,
        ),
        ("post", "/monitoring/{id}/transition") => (
            format!("/monitoring/{}/transition", fresh("flagged")),
            Some(
                json!({ "to": "verified", "date": "2016-06-01", "visitor": "矩阵干部", "note": "属实" }),
            ),
        ),
        ("post", "/monitoring/{id}/measures") => (
            format!("/monitoring/{}/measures", fresh("verified")),
            Some(json!({ "category": "health", "description": "医疗救助", "date": "2016-06-02" })),
        ),
        ("get", _) => (
            "/monitoring-thresholds/2014?province=62".into(),
            Option::None,
        ),
        (_, _) => (
            "/monitoring-thresholds/2014".into(),
            Some(
                json!({ "province_code": "62", "income_fen": 420_000 + n as i64, "drop_percent": 30 }),
            ),
        ),
    }
}

/// A household outside the registry of `county` whose one member is the
/// `n`-th of the table (so no two requests name the same person).
fn rural_household(county: &str, n: usize) -> Value {
    json!({ "county_code": county, "village": "矩阵村", "year": 2022, "income_per_capita_fen": 500_000,
            "members": [{ "name": "矩阵户主", "id_number": person(county, n), "relation": "户主" }] })
}

/// The ID number of the table's `n`-th person of `county`.
fn person(county: &str, n: usize) -> String {
    let first = format!("{county}198001{:02}{:03}", 1 + n / 1000, n % 1000);
    format!(
        "{first}{}",
        dingdian_core::registry::check_digit(&first).unwrap()
    )
}

/// What the answer was, in the table's terms.
fn got(r: &Resp) -> Option<Want> {
    match r.status.as_u16() {
        200..=299 => {
            let j: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
            match j.get("items").and_then(Value::as_array) {
                Some(items) if items.is_empty() => Some(E),
                _ => Some(A),
            }
        }
        401 => Some(U),
        422 if r.text().contains("\"outside_scope\"") => Some(R),
        403 => Some(F),
        404 => Some(N),
        _ => Option::None,
    }
}

fn every_route_every_role_every_scope(db: &TestDb) {
    // Every route of the table has a row, and every row a route.
    let table = dingdian_web::api_routes();
    let routes: BTreeSet<(&str, &str)> = table
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect();
    let rows: BTreeSet<(&str, &str)> = MATRIX.iter().map(|r| (r.method, r.path)).collect();
    let missing: Vec<_> = routes.difference(&rows).collect();
    assert!(
        missing.is_empty(),
        "routes without a row in the access matrix: {missing:?}"
    );
    let stale: Vec<_> = rows.difference(&routes).collect();
    assert!(stale.is_empty(), "matrix rows of no route: {stale:?}");
    // Each authenticated route is tried at least once in a scope.
    let web = Web::new(db);
    let (w, tokens) = world(&web);
    let mut failures = Vec::new();
    let mut unmasked = Vec::new();
    let mut n = 0;
    for r in MATRIX {
        for (i, caller) in CALLERS.iter().enumerate() {
            n += 1;
            let (path, body) = request(&web, &w, r, n);
            // Import routes take the raw file as the body, not JSON.
            let raw = body.map(|b| match b {
                Value::String(s) => s.into_bytes(),
                other => other.to_string().into_bytes(),
            });
            // Signing out ends the token it is sent with: each caller signs
            // out a token of its own, and keeps the table's.
            let token = match (r.path, &tokens[i]) {
                ("/logout", Some(_)) => Some(web.direct_token(&format!("m_{caller}"), PASSWORD)),
                _ => tokens[i].clone(),
            };
            let res = web.api_raw(r.method, &path, token.as_deref(), raw, &[]);
            let full = full_id_numbers(&res.text());
            if !full.is_empty() {
                unmasked.push(format!(
                    "{} {path} as {caller}: {} ID numbers in full",
                    r.method.to_uppercase(),
                    full.len()
                ));
            }
            let answer = got(&res);
            if answer != Some(r.want[i]) {
                failures.push(format!(
                    "{} {path} [{:?}{}] as {caller}: expected {:?}, got {} {}",
                    r.method.to_uppercase(),
                    r.target,
                    if r.variant.is_empty() {
                        String::new()
                    } else {
                        format!(" {}", r.variant)
                    },
                    r.want[i],
                    res.status.as_u16(),
                    res.text().chars().take(160).collect::<String>()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {n} cells differ from the access matrix:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // No answer of any route, as any role, carries an ID number in full:
    // lists show them masked; the full numbers of one household are shown
    // only on request with a reason (not asked for in this table).
    assert!(
        unmasked.is_empty(),
        "answers with unmasked ID numbers:\n{}",
        unmasked.join("\n")
    );

    // The registry import answers 202 before it reads the file, so the
    // table cannot show its scope: the county's job for another county's
    // file must fail naming the row, and write nothing.
    let county = tokens[CALLERS.iter().position(|c| *c == "county").unwrap()]
        .clone()
        .unwrap();
    let r = web.api_raw(
        "post",
        "/imports/registry?file_name=xt.csv",
        Some(&county),
        Some(
            other_county_registry()
                .replace("刘长顺", "冒名顶替")
                .into_bytes(),
        ),
        &[],
    );
    r.expect(202);
    let job = r.json()["job"].as_i64().unwrap();
    let state = (0..400)
        .find_map(|_| {
            let s = web.get(&format!("/jobs/{job}"), &county).json();
            if s["status"] == "running" {
                std::thread::sleep(std::time::Duration::from_millis(25));
                Option::None
            } else {
                Some(s)
            }
        })
        .expect("the job ends");
    assert_eq!(state["status"], "failed", "{state}");
    assert!(state.to_string().contains("outside_scope"), "{state}");
    let office = tokens[CALLERS.iter().position(|c| *c == "office").unwrap()]
        .clone()
        .unwrap();
    let h = web.get(&format!("/households?county={C2}"), &office).json();
    assert_eq!(h["total"], 1, "{h}");
    assert!(!h.to_string().contains("冒名顶替"), "nothing written: {h}");
}

/// The valid ID numbers written in full in a text: 17 digits and a check
/// character that matches (a masked number has `*` in the middle).
fn full_id_numbers(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i + 18 <= b.len() {
        let w = &b[i..i + 18];
        let before = i > 0 && b[i - 1].is_ascii_digit();
        let after = b.get(i + 18).is_some_and(u8::is_ascii_digit);
        if !before
            && !after
            && w[..17].iter().all(u8::is_ascii_digit)
            && (w[17].is_ascii_digit() || w[17] == b'X')
        {
            let s = String::from_utf8_lossy(w).into_owned();
            if dingdian_core::registry::check_digit(&s[..17]) == Some(w[17] as char) {
                found.push(s);
                i += 18;
                continue;
            }
        }
        i += 1;
    }
    found
}

/// The registry's pages, as every role: the lists, the search form, a job
/// and a household card opened without a reason never show an ID number
/// in full (the fixture's numbers are in the database).
fn no_list_page_shows_a_full_id_number(db: &TestDb) {
    let web = Web::new(db);
    let app = &web.app;
    county_list(app);
    let u1 = unit(app, "本单位");
    registry_fixture(app);
    let ids: Vec<String> = fixture_people().into_iter().map(|p| p.2).collect();
    assert!(
        full_id_numbers(&registry_csv()).len() >= ids.len(),
        "the scanner sees them"
    );
    let job = app
        .start_registry_import(
            &cli(),
            "r.csv",
            registry_csv().into_bytes(),
            dingdian_app::registry::ImportOptions {
                dry_run: true,
                ..Default::default()
            },
        )
        .expect("a job");
    let pages = [
        "/".to_string(),
        "/registry".into(),
        format!("/registry?county={C1}&year=2014"),
        format!("/registry?area={C1}&year=2014&per_page=500"),
        "/registry/search".into(),
        "/registry/2014/ZQ001".into(),
        format!("/jobs/{job}"),
    ];
    for role in ["office", "county", "cadre", "inspector", "reviewer", "unit"] {
        let name = format!("p_{role}");
        let unit = matches!(role, "unit" | "cadre").then_some(u1);
        let county = matches!(role, "county" | "cadre").then_some(C1);
        user(app, &name, role, unit, county);
        let mut b = web.browser();
        b.sign_in(&name, PASSWORD);
        for path in &pages {
            let r = b.get(path);
            let full = full_id_numbers(&r.text());
            assert!(full.is_empty(), "{path} as {role} ({}): {full:?}", r.status);
        }
    }
}

/// Villages and households: Miaogou (C1) and a village of C2 poor, a
/// team member in Miaogou; helpers of ZQ001 (visited by the rows), ZQ002
/// (never visited) and XT001; ZQ003 without one. Their ids: ZQ001's, XT001's.
fn help_fixture(web: &Web) -> [i64; 2] {
    let app = &web.app;
    let today = dingdian_core::time::today();
    let (c1, c2) = (actor(web, "m_county"), actor(web, "m_county2"));
    app.set_poor_village(&c1, MIAOGOU, true).expect("mark");
    app.set_poor_village(&c2, C2_VILLAGE, true).expect("mark");
    let member = dingdian_core::village_team::TeamMemberInput {
        village_code: MIAOGOU.into(),
        person_name: "矩阵书记".into(),
        post: "村支书".into(),
        role: "first_secretary".into(),
        from_date: "2024-01-01".into(),
        ..Default::default()
    };
    app.add_team_member(&c1, &member, today)
        .expect("team member");
    let helper = |who: &dingdian_app::Actor, household: &str| {
        let input = dingdian_core::household_help::HelperInput {
            household_id: household.into(),
            person_name: format!("{household} 帮扶人"),
            post: "村干部".into(),
            from_date: "2024-01-01".into(),
            ..Default::default()
        };
        app.assign_helper(who, &input, today).expect("helper")
    };
    let zq1 = helper(&c1, "ZQ001");
    helper(&c1, "ZQ002");
    [zq1, helper(&c2, "XT001")]
}

/// An assessment written beneath the app in a given state; its id.
fn fresh_assessment(web: &Web, unit: i64, year: i64, status: &str) -> i64 {
    dingdian_testkit::beneath(&web.url)
        .write(|c| {
            c.query_i64(
                "INSERT INTO assessments (unit_id, year, status, score, grade, dimensions, created_at, updated_at) \
                 VALUES (?, ?, ?, 8000, 'fairly_good', '[]', 0, 0) RETURNING id",
                &[unit.into(), year.into(), status.into()],
            )
        })
        .expect("an assessment")
}

/// U1's assessment of 2024, published; U2's, with its unit.
fn assessments_fixture(web: &Web, u1: i64, u2: i64) {
    fresh_assessment(web, u1, 2024, "published");
    fresh_assessment(web, u2, 2024, "self_report");
}

/// The request of an assessment row: writes act on a fresh assessment of
/// a year of their own, so every caller finds it in the same state.
fn assessment_request(web: &Web, w: &World, r: &Row, n: usize) -> (String, Option<Value>) {
    let unit = if r.target == OtherUnit { w.u2 } else { w.u1 };
    let year = 3000 + n as i64;
    let fresh = |status: &str| fresh_assessment(web, unit, year, status);
    match (r.method, r.path) {
        ("get", "/assessments") => {
            let f = if r.target == OtherUnit {
                format!("&unit={unit}")
            } else {
                String::new()
            };
            (format!("/assessments?year=2024{f}"), Option::None)
        }
        ("get", "/assessments/rankings") => {
            ("/assessments/rankings?year=2024".into(), Option::None)
        }
        ("get", "/assessments/{id}") => {
            let id = dingdian_testkit::beneath(&web.url)
                .read(|c| {
                    c.query_i64(
                        "SELECT id FROM assessments WHERE unit_id = ? AND year = 2024",
                        &[unit.into()],
                    )
                })
                .expect("the fixture");
            (format!("/assessments/{id}"), Option::None)
        }
        ("post", "/assessments/open") => (r.path.into(), Some(json!({ "year": 2024 }))),
        ("post", "/assessments/publish") => {
            fresh("reviewed");
            (r.path.into(), Some(json!({ "year": year })))
        }
        ("post", "/assessments/{id}/transition") => (
            format!("/assessments/{}/transition", fresh("assessed")),
            Some(json!({ "to": "reviewed" })),
        ),
        ("post", "/assessments/{id}/entries") => (
            format!("/assessments/{}/entries", fresh("self_report")),
            Some(json!({ "indicator": "satisfaction_survey", "score": 88.5, "evidence": "问卷" })),
        ),
        ("put", "/assessments/{id}/self-report") => (
            format!("/assessments/{}/self-report", fresh("self_report")),
            Some(json!({ "text": "自评" })),
        ),
        ("get", "/assessment-rules/{year}") => ("/assessment-rules/2024".into(), Option::None),
        ("put", "/assessment-rules/{year}") => (
            "/assessment-rules/2025".into(),
            Some(json!({ "weights": [
                { "dimension": "results", "weight": 40 }, { "dimension": "organisation", "weight": 15 },
                { "dimension": "cadres", "weight": 15 }, { "dimension": "supervision", "weight": 10 },
                { "dimension": "satisfaction", "weight": 10 }, { "dimension": "innovation", "weight": 10 }],
                "good_min": 90, "fairly_good_min": 80, "average_min": 60 })),
        ),
        _ => panic!("no request for {} {}", r.method, r.path),
    }
}
