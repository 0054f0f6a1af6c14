//! The OpenAPI 3 document, built from the route table so that it cannot
//! drift from the router.

use super::ROUTES;
use serde_json::{Map, Value, json};

/// The schemas of accounts and the audit log (a second object: one
/// `json!` of everything would pass the macro's recursion limit).
fn account_schemas() -> Value {
    let s = |props: Value, required: &[&str]| json!({ "type": "object", "properties": props, "required": required });
    let str_ = json!({ "type": "string" });
    let int = json!({ "type": "integer", "format": "int64" });
    let opt = |v: &Value| json!({ "oneOf": [v, { "type": "null" }] });
    json!({
        "PasswordChange": s(json!({ "current_password": str_, "new_password": { "type": "string", "description": "at least 8 characters from three of: upper case, lower case, digits, symbols; not the current one" } }), &["current_password", "new_password"]),
        "PasswordChanged": s(json!({ "changed": { "type": "boolean" } }), &["changed"]),
        "Account": s(json!({
            "id": int, "username": str_, "display_name": str_,
            "role": { "type": ["string", "null"], "description": "null until the security administrator assigns one" },
            "unit_id": opt(&int), "county_code": opt(&str_), "active": { "type": "boolean" }, "locked_until": opt(&int),
            "second_factor": { "type": "boolean" }, "demo": { "type": "boolean" }, "password_changed_at": int,
            "otpauth": { "type": ["string", "null"], "description": "role assignment and second-factor reset only: the otpauth:// line of a second factor just issued, to hand to the owner in person" }
        }), &["id", "username", "role", "active"]),
        "NewAccount": s(json!({ "username": str_, "display_name": str_, "password": str_ }), &["username", "password"]),
        "RoleAssignment": s(json!({ "role": { "type": "string", "enum": ["office", "reviewer", "unit", "county", "cadre", "inspector"] }, "unit_id": opt(&int), "county_code": opt(&str_) }), &["role"]),
        "AccountActive": s(json!({ "active": { "type": "boolean" } }), &["active"]),
        "PasswordReset": s(json!({ "password": str_ }), &["password"]),
        "AuditRecord": s(json!({
            "id": int, "at": int, "user_id": opt(&int), "username": opt(&str_), "address": opt(&str_), "action": str_,
            "object_type": opt(&str_), "object_id": opt(&str_), "outcome": str_, "detail": opt(&str_)
        }), &["id", "at", "action", "outcome"]),
    })
}

fn schemas() -> Value {
    let mut all = base_schemas();
    if let (Some(map), Value::Object(more)) = (all.as_object_mut(), account_schemas()) {
        map.extend(more);
    }
    all
}

fn base_schemas() -> Value {
    let s = |props: Value, required: &[&str]| json!({ "type": "object", "properties": props, "required": required });
    let str_ = json!({ "type": "string" });
    let int = json!({ "type": "integer", "format": "int64" });
    let date = json!({ "type": "string", "format": "date" });
    let opt = |v: &Value| json!({ "oneOf": [v, { "type": "null" }] });
    let status = json!({ "type": "string", "enum": ["draft", "consultation", "submitted", "returned", "approved", "active", "superseded"] });
    // Built apart: one json! of every schema exceeds the macro recursion limit.
    let audit_record = s(
        json!({
            "id": int, "at": { "type": "integer", "description": "UTC seconds" }, "at_beijing": { "type": "string", "description": "YYYY-MM-DD HH:MM, Asia/Shanghai" },
            "user_id": opt(&int), "username": opt(&str_), "address": opt(&str_), "action": str_,
            "object_type": opt(&str_), "object_id": opt(&str_), "outcome": { "type": "string", "enum": ["success", "failure", "refused"] },
            "detail": opt(&str_),
            "prev_hash": { "type": "string", "description": "the previous record's hash (64 hex; zeros for the first)" },
            "hash": { "type": "string", "description": "SM3 over this record's canonical form, 64 hex" }
        }),
        &["id", "at", "action", "outcome", "hash"],
    );
    let broken = s(
        json!({
            "id": int, "at": int, "action": str_, "message": str_,
            "code": { "type": "string", "enum": ["audit_hash_mismatch", "audit_broken_link", "audit_gap"] }
        }),
        &["id", "at", "action", "code", "message"],
    );
    let audit_chain = s(
        json!({
            "intact": { "type": "boolean" }, "checked": { "type": "integer", "description": "records found intact, from the first" },
            "last_id": opt(&int), "last_hash": opt(&str_), "broken": opt(&broken)
        }),
        &["intact", "checked"],
    );
    // Issue 9: whether a year's data looks complete (added to indicators.md's fields).
    let completeness = s(
        json!({
            "state": { "type": "string", "enum": ["complete", "incomplete"], "description": "incomplete when this year's registered population, or its villages or townships with registered people, are less than half of the latest earlier year's; draw no exit verdict or comparison from an incomplete year" },
            "reasons": { "type": "array", "items": { "type": "string", "enum": ["registered_population", "villages", "townships"] } },
            "registered_population": int, "villages": int, "townships": int,
            "compared_year": opt(&int), "compared_registered_population": opt(&int),
            "compared_villages": opt(&int), "compared_townships": opt(&int),
            "counties": { "type": "integer", "description": "counties of the area in the division table (0 below the county)" },
            "counties_missing_rural_population": { "type": "integer", "description": "why rural_population is null above the county" }
        }),
        &[
            "state",
            "reasons",
            "counties",
            "counties_missing_rural_population",
        ],
    );
    // The optional extended fields of a household (null when not given);
    // a second object so that the macro's recursion stays within bounds.
    let household_extended = json!({
            "household_type": { "type": ["string", "null"], "enum": ["general", "subsistence", "five_guarantees", null] },
            "other_causes": { "type": "array", "items": str_ },
            "wage_income": { "type": ["number", "null"], "description": "yuan per household and year" },
            "business_income": { "type": ["number", "null"] }, "property_income": { "type": ["number", "null"] }, "transfer_income": { "type": ["number", "null"] },
            "food_secure": { "type": ["boolean", "null"] }, "clothing_secure": { "type": ["boolean", "null"] }, "education_secure": { "type": ["boolean", "null"] },
            "medical_secure": { "type": ["boolean", "null"] }, "housing_secure": { "type": ["boolean", "null"] }, "water_secure": { "type": ["boolean", "null"] }
    });
    let merged = |mut a: Value, b: Value| {
        if let (Some(a), Value::Object(b)) = (a.as_object_mut(), b) {
            a.extend(b);
        }
        a
    };
    json!({
        "Error": s(json!({ "error": s(json!({
            "code": str_, "message": str_,
            "fields": { "type": "array", "description": "what was wrong, one item per problem: for a form or JSON body a FieldError naming the `field`; for a file import (registry, statistics) an ImportError naming the `column`, as interfaces.md gives it",
                "items": { "oneOf": [
                    s(json!({ "row": opt(&int), "field": str_, "value": str_, "code": str_, "message": str_ }), &["field", "code", "message"]),
                    { "$ref": "#/components/schemas/ImportError" }
                ] } }
        }), &["code", "message"]) }), &["error"]),
        "Login": s(json!({ "username": str_, "password": str_, "totp": { "type": "string", "description": "the 6-digit TOTP code (RFC 6238: SHA-1, 30 s), for an account with a second factor; without it such an account gets 401 totp_required" } }), &["username", "password"]),
        "Token": s(json!({ "token": str_, "restriction": { "type": ["string", "null"], "enum": ["password_expired", "second_factor_required", null], "description": "set when the token may only change the password (every other route answers 403 with this code)" }, "password_reset": { "type": ["object", "null"], "description": "who reset the password (`by`) and when (`at`, `at_beijing`), until the owner changes it" }, "user": { "type": "object" } }), &["token"]),
        "Health": s(json!({ "status": { "type": "string", "enum": ["ok", "unavailable"] }, "database": { "type": "string", "enum": ["ok", "unavailable"] } }), &["status"]),
        "OpenApi": { "type": "object" },
        "Area": s(json!({
            "code": str_, "name": str_, "level": { "type": "string", "enum": ["province", "prefecture", "county", "township", "village"] },
            "parent_code": opt(&str_), "western": { "type": "boolean" },
            "key_county": { "type": ["boolean", "null"] }, "poor_county": { "type": ["boolean", "null"] },
            "old_revolutionary": { "type": ["boolean", "null"] }, "ethnic": { "type": ["boolean", "null"] }, "border": { "type": ["boolean", "null"] },
            "contiguous_area": opt(&str_), "exit_year": opt(&int)
        }), &["code", "name", "level"]),
        "CountyAttributes": s(json!({
            "key_county": { "type": "boolean" }, "poor_county": { "type": "boolean" }, "old_revolutionary": { "type": "boolean" },
            "ethnic": { "type": "boolean" }, "border": { "type": "boolean" }, "contiguous_area": opt(&str_), "exit_year": opt(&int)
        }), &[]),
        "Unit": s(json!({
            "id": int, "name": str_, "kind": str_, "leader": opt(&str_), "department": opt(&str_), "contact_name": opt(&str_),
            "contact_phone": opt(&str_), "contact_email": opt(&str_), "address": opt(&str_), "note": opt(&str_)
        }), &["id", "name", "kind"]),
        "UnitInput": s(json!({
            "name": str_, "kind": { "type": "string", "description": "code, Chinese or English name of the unit kind" }, "leader": str_, "department": str_,
            "contact_name": str_, "contact_phone": str_, "contact_email": str_, "address": str_, "note": str_
        }), &["name", "kind"]),
        "Plan": s(json!({
            "id": int, "name": str_, "kind": { "type": "string", "enum": ["overall", "specific"] }, "parent_id": opt(&int),
            "county_list": str_, "period_start": date, "period_end": date, "status": status, "version": int,
            "previous_id": opt(&int), "note": opt(&str_), "created_at": int, "updated_at": int
        }), &["id", "name", "kind", "period_start", "period_end", "status"]),
        "PairingPlanInput": s(json!({
            "name": str_, "kind": { "type": "string", "enum": ["overall", "specific"] }, "parent_id": opt(&int),
            "county_list": { "type": "string", "description": "default key-2012" }, "period_start": date, "period_end": date, "note": str_
        }), &["name", "period_start", "period_end"]),
        "Transition": s(json!({ "to": status, "reason": { "type": "string", "description": "required when returning" } }), &["to"]),
        "Pairing": s(json!({
            "id": int, "plan_id": int, "unit_id": int, "unit_name": str_, "county_code": str_, "county_name": str_,
            "role": { "type": "string", "enum": ["lead", "member"] }, "start": date, "end": date, "note": opt(&str_)
        }), &["unit_id", "county_code", "plan_id", "role", "start", "end"]),
        "PairingInput": s(json!({
            "unit_id": int, "county_code": str_, "role": { "type": "string", "enum": ["lead", "member"] },
            "start": { "type": "string", "format": "date", "description": "default: the plan's start" },
            "end": { "type": "string", "format": "date", "description": "default: the plan's end" }, "note": str_
        }), &["unit_id", "county_code"]),
        "IndicatorRow": s(json!({
            "area_code": { "type": ["string", "null"], "description": "2, 4, 6, 9 or 12 digits; null for the nation" },
            "area_name": str_, "level": { "type": "string", "enum": ["nation", "province", "prefecture", "county", "township", "village"] }, "year": int,
            "registered_population": int, "registered_households": int, "poor_population": int, "exited_population": int, "returned_population": int,
            "rural_population": opt(&int),
            "poverty_incidence": { "type": ["number", "null"], "description": "per cent: 100 × poor_population / rural_population" },
            "return_rate": { "type": ["number", "null"], "description": "per cent: 100 × returned / (exited + returned)" },
            "mean_income": { "type": ["number", "null"], "description": "yuan" },
            "fgt0": { "type": ["number", "null"] }, "fgt1": { "type": ["number", "null"] }, "fgt2": { "type": ["number", "null"] },
            "rural_income_per_capita": { "type": ["number", "null"], "description": "yuan" },
            "rural_income_growth": { "type": ["number", "null"], "description": "per cent on last year" },
            "exit_eligible": { "type": ["boolean", "null"], "description": "counties only: incidence below 3 % (west) or 2 % (elsewhere)" },
            "completeness": completeness
        }), &["area_code", "area_name", "level", "year", "registered_population", "poor_population", "poverty_incidence"]),
        "Member": s(json!({
            "id_number": { "type": "string", "description": "masked as 623023********1234 unless the role may see it in full" },
            "name": str_, "relation": { "type": "string", "enum": ["head", "spouse", "child", "parent", "grandchild", "sibling", "other"] },
            "sex": { "type": "string", "enum": ["male", "female"] }, "birth_year": int,
            "health": { "type": ["string", "null"], "enum": ["healthy", "chronic_illness", "serious_illness", "disabled", null], "description": "sensitive personal data" },
            "education": { "type": ["string", "null"], "enum": ["preschool", "illiterate", "primary", "junior_secondary", "senior_secondary", "tertiary", null] },
            "labour_skill": { "type": ["string", "null"], "enum": ["skilled", "ordinary", "weak", "lost", "no_labour", null] },
            "migrant_work": { "type": ["string", "null"], "enum": ["not_working", "in_township", "in_county", "in_province", "out_of_province", null] }
        }), &["id_number", "name", "relation"]),
        "Household": s(merged(json!({
            "year": int, "household_id": str_, "county_code": str_, "village_code": str_,
            "income_per_capita": { "type": "number", "description": "yuan per person" },
            "status": { "type": "string", "enum": ["poor", "exited", "returned"] }, "identified_year": int, "exit_year": opt(&int),
            "cause": str_, "member_count": int, "id_numbers_in_full": { "type": "boolean" },
            "members": { "type": "array", "items": { "$ref": "#/components/schemas/Member" } }
        }), household_extended), &["year", "household_id", "village_code", "status", "members"]),
        "ImportFile": { "type": "string", "format": "binary", "description": "the file itself: CSV (UTF-8 or GBK) or xlsx" },
        "JobStarted": s(json!({ "job": int }), &["job"]),
        "ImportError": s(json!({
            "row": opt(&int), "column": str_, "value": str_, "code": str_,
            "message": { "type": "string", "description": "in the user's language" }, "message_en": str_
        }), &["row", "column", "value", "code", "message"]),
        "StatisticsImported": s(json!({
            "rows": int, "rejected": int, "dry_run": { "type": "boolean" },
            "errors": { "type": "array", "items": { "$ref": "#/components/schemas/ImportError" } }
        }), &["rows", "rejected", "errors"]),
        "Job": s(json!({
            "id": int, "kind": str_, "status": { "type": "string", "enum": ["running", "succeeded", "failed"] },
            "phase": { "type": "string", "description": "read, validate, households, index, check, write" }, "done": int, "total": int, "percent": int,
            "message": opt(&str_),
            "result": { "description": "on success the report {households, members, rejected, errors, dry_run}; on failure the errors; each error an ImportError {row, column, value, code, message, message_en}" }
        }), &["id", "status", "phase", "done", "total"]),
        "PovertyLine": s(json!({ "year": int, "line_yuan": { "type": "number" }, "line_fen": int, "note": opt(&str_) }), &["year", "line_yuan"]),
        "AuditRecord": audit_record,
        "AuditChain": audit_chain,
        "Coverage": s(json!({
            "key_counties": int, "covered": int,
            "uncovered": { "type": "array", "items": s(json!({ "code": str_, "name": str_, "priority": { "type": "integer", "description": "1 western, 2 old revolutionary/ethnic/border, 3 other" } }), &["code", "name", "priority"]) }
        }), &["key_counties", "covered", "uncovered"]),
    })
}

pub fn document() -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for r in ROUTES {
        let mut params: Vec<Value> = r
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
            .collect();
        params.extend(r.query.iter().map(|q| json!({ "name": q, "in": "query", "required": false, "schema": { "type": "string" } })));
        let item = if r.list {
            json!({ "type": "object", "properties": { "items": { "type": "array", "items": { "$ref": format!("#/components/schemas/{}", r.answer) } }, "total": { "type": "integer" } }, "required": ["items", "total"] })
        } else {
            json!({ "$ref": format!("#/components/schemas/{}", r.answer) })
        };
        let error = json!({ "description": "error", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } });
        let mut op = json!({
            "summary": r.summary,
            "operationId": format!("{}_{}", r.method, r.path.trim_start_matches('/').replace(['/', '{', '}', '.'], "_")),
            "parameters": params,
            "responses": {
                "200": { "description": "success", "content": { "application/json": { "schema": item } } },
                "401": error.clone(), "403": error.clone(), "404": error.clone(), "409": error.clone(), "422": error.clone()
            }
        });
        if let Some(b) = r.body {
            let schema = json!({ "$ref": format!("#/components/schemas/{b}") });
            op["requestBody"] = if b == "ImportFile" {
                // A file upload: the raw bytes, not JSON.
                json!({ "required": true, "content": { "application/octet-stream": { "schema": schema }, "text/csv": { "schema": schema } } })
            } else {
                json!({ "required": true, "content": { "application/json": { "schema": schema } } })
            };
        }
        if r.answer == "JobStarted" {
            // Accepted: the work goes on as a job.
            if let Some(responses) = op["responses"].as_object_mut()
                && let Some(mut ok) = responses.remove("200")
            {
                ok["description"] = json!("accepted: follow the job at /jobs/{id}");
                responses.insert("202".into(), ok);
            }
        }
        if !r.auth {
            op["security"] = json!([]);
        }
        let entry = paths.entry(r.path.to_string()).or_insert_with(|| json!({}));
        entry[r.method] = op;
    }
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "dingdian API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "定点扶贫信息系统接口 / the designated assistance information system. Sign in with POST /login, then send `Authorization: Bearer TOKEN`. Lists answer {items, total} and take page and per_page. Errors answer {\"error\": {\"code\", \"message\", \"fields\"}}; send Accept-Language: en for English messages."
        },
        "servers": [{ "url": "/api/v1" }],
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": schemas()
        },
        "security": [{ "bearer": [] }],
        "paths": paths,
    })
}
