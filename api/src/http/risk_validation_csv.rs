//! `GET /risk-validation.csv`: the instrument's validation as CSV, authenticated and
//! authorised exactly as the `riskValidation` query (same figures, same suppression,
//! same audit record).
//!
//! Query parameters mirror the query's arguments: `from` and `to` (YYYY-MM-DD),
//! optional `instrument` (default `HRA-1`), `outcome` (a definition's version),
//! `territory` (a region, district or mahalla id), and the tolerances `auc`,
//! `calibration`, `errorRate`.

use axum::extract::{Query, Request, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use http::StatusCode;
use http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use serde::Deserialize;

use super::HttpState;
use super::analytics_csv::{api_error, caller, cell, error};
use crate::risk::validation::{csv, validate};
use crate::risk::validation_graphql::{FairnessTolerance, request};

/// The query string of the export.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CsvParams {
    instrument: Option<String>,
    outcome: Option<i32>,
    from: NaiveDate,
    to: NaiveDate,
    territory: Option<String>,
    auc: Option<f64>,
    calibration: Option<f64>,
    error_rate: Option<f64>,
}

/// `GET /risk-validation.csv`.
pub async fn export<E>(
    State(st): State<HttpState<E>>,
    params: Result<Query<CsvParams>, axum::extract::rejection::QueryRejection>,
    req: Request,
) -> Response {
    let principal = match caller(&st, req).await {
        Ok(p) => p,
        Err(refused) => return refused,
    };
    let Ok(Query(params)) = params else {
        return error(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            "give from and to (YYYY-MM-DD)",
        );
    };
    let defaults = crate::risk::validation::report::Tolerance::default();
    let tolerance = FairnessTolerance {
        auc: params.auc.unwrap_or(defaults.auc),
        calibration: params.calibration.unwrap_or(defaults.calibration),
        error_rate: params.error_rate.unwrap_or(defaults.error_rate),
    };
    let r = match request(
        params
            .instrument
            .unwrap_or_else(|| crate::risk::instrument::VERSION.to_owned()),
        params.outcome,
        params.from,
        params.to,
        params.territory.as_deref(),
        Some(tolerance),
    ) {
        Ok(r) => r,
        Err(e) => return api_error(e),
    };
    let v = match validate(
        &st.app.db,
        &principal,
        &r,
        st.app.settings.validation_min_cell_size,
    )
    .await
    {
        Ok(v) => v,
        Err(e) => return api_error(e),
    };
    let mut out = csv::HEADER.join(",");
    out.push_str("\r\n");
    for row in csv::rows(&v) {
        let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    let filename = format!(
        "attachment; filename=\"hamkor-risk-validation-{}-v{}-{}-{}.csv\"",
        v.instrument.to_lowercase(),
        v.outcome.version,
        v.from,
        v.to
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
