//! `GET /analytics.csv`: the analytics figures as CSV for district offices'
//! spreadsheets, authenticated with the same Bearer token as `/graphql`.
//!
//! Query parameters mirror `AnalyticsInput`: `level` (REGION, DISTRICT, MAHALLA),
//! `from` and `to` (YYYY-MM-DD), optional `regionId` and `districtId` (global ids). One
//! row per territory, then a `TOTAL` row; the same figures as the GraphQL query.

use axum::extract::{Query, Request, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use http::StatusCode;
use http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use serde::Deserialize;
use serde_json::json;

use super::HttpState;
use super::auth::{Credentials, Refusal, authenticate};
use super::meta::request_meta;
use crate::analytics::graphql::AnalyticsInput;
use crate::analytics::service::{AnalyticsLevel, Computed, compute, csv_header};
use crate::auth::principal::Principal;
use crate::error::ApiError;
use crate::ids;

/// The query string of the export.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CsvParams {
    level: String,
    from: NaiveDate,
    to: NaiveDate,
    region_id: Option<String>,
    district_id: Option<String>,
}

pub(super) fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        [(CONTENT_TYPE, "application/json")],
        json!({"errors": [{"message": message, "extensions": {"code": code}}]}).to_string(),
    )
        .into_response()
}

pub(super) fn api_error(e: ApiError) -> Response {
    let status = match e.code() {
        "BAD_USER_INPUT" => StatusCode::BAD_REQUEST,
        "FORBIDDEN" => StatusCode::FORBIDDEN,
        "UNAUTHENTICATED" => StatusCode::UNAUTHORIZED,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    if let ApiError::Internal(cause) = &e {
        tracing::error!(error = ?cause, "analytics export failed");
        return error(status, "INTERNAL", "internal error");
    }
    error(status, e.code(), &e.message())
}

/// A CSV cell: quoted when it holds a separator, a quote or a line break.
pub(super) fn cell(v: &str) -> String {
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.to_owned()
    }
}

fn level(s: &str) -> Option<AnalyticsLevel> {
    match s {
        "REGION" => Some(AnalyticsLevel::Region),
        "DISTRICT" => Some(AnalyticsLevel::District),
        "MAHALLA" => Some(AnalyticsLevel::Mahalla),
        _ => None,
    }
}

/// The caller of a CSV export, authenticated as `/graphql` authenticates, or the
/// response that refuses them.
pub(super) async fn caller<E>(st: &HttpState<E>, request: Request) -> Result<Principal, Response> {
    let (parts, _) = request.into_parts();
    let meta = request_meta(&parts, st.app.settings.trust_forwarded_for);
    match authenticate(&st.app, Credentials::from_headers(&parts.headers), meta).await {
        Ok(Some(caller)) => Ok(caller.principal),
        Ok(None) | Err(Refusal::Malformed) => Err(error(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            "send `Authorization: Bearer <token>`",
        )),
        Err(Refusal::Rejected) => Err(error(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            "invalid or expired token",
        )),
        // Already logged where authentication failed.
        Err(Refusal::Internal(_)) => Err(error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL",
            "internal error",
        )),
    }
}

/// `GET /analytics.csv`.
pub async fn export<E>(
    State(st): State<HttpState<E>>,
    params: Result<Query<CsvParams>, axum::extract::rejection::QueryRejection>,
    request: Request,
) -> Response {
    let principal = match caller(&st, request).await {
        Ok(p) => p,
        Err(refused) => return refused,
    };
    let Ok(Query(params)) = params else {
        return error(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            "give level, from and to (YYYY-MM-DD)",
        );
    };
    let Some(level) = level(&params.level) else {
        return error(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            "level: one of REGION, DISTRICT, MAHALLA",
        );
    };
    let input = AnalyticsInput {
        level,
        from: params.from,
        to: params.to,
        region_id: params.region_id.map(Into::into),
        district_id: params.district_id.map(Into::into),
    };
    let d = match input.parse() {
        Ok(d) => d,
        Err(e) => return api_error(e),
    };
    let Computed { modules, rows, total } = match compute(&st.app.db, &st.app.modules, &principal, &d).await {
        Ok(r) => r,
        Err(e) => return api_error(e),
    };
    let mut out = csv_header(&modules).join(",");
    out.push_str("\r\n");
    let level_name = crate::enums::enum_name(d.level);
    for (f, name) in rows {
        let id = ids::encode(d.level.type_name(), f.territory_id);
        let mut line = vec![level_name.clone(), cell(id.as_str()), cell(&name)];
        line.extend(f.cells());
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    let mut line = vec!["TOTAL".to_owned(), String::new(), String::new()];
    line.extend(total.cells());
    out.push_str(&line.join(","));
    out.push_str("\r\n");
    let filename = format!(
        "attachment; filename=\"hamkor-{}-{}-{}.csv\"",
        level_name.to_lowercase(),
        d.from,
        d.to
    );
    (
        StatusCode::OK,
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (CONTENT_DISPOSITION, filename),
            (CACHE_CONTROL, "no-store".to_owned()),
        ],
        out,
    )
        .into_response()
}
