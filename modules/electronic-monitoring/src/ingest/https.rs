//! `POST /monitoring/v1/events`: a vendor posts a batch signed by the Standard Webhooks
//! scheme, the receiving side of the platform's outgoing webhooks (the same signing
//! code, [`hamkor_api::webhook::signature::verify`]): `webhook-id`,
//! `webhook-timestamp`, `webhook-signature` (`v1,<base64 HMAC-SHA256>` of
//! `"{id}.{timestamp}.{body}"`), and `hamkor-vendor`, the vendor's code (its topic
//! prefix). A bad signature, an unknown vendor or a timestamp more than five minutes
//! off is refused (401) before anything is read. The same batch twice is accepted and
//! changes nothing the second time (vendor event ids).

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use hamkor_api::state::AppState;
use hamkor_api::webhook::signature;
use http::{HeaderMap, StatusCode};
use serde_json::json;

use super::pipeline;
use crate::entity::IngestSource;
use crate::service::equipment::vendor_by_code;

/// The path of the HTTPS door.
pub const PATH: &str = "/monitoring/v1/events";
/// How far a batch's timestamp may be from the server's clock, in seconds.
pub const TOLERANCE_SECS: i64 = 300;
/// The largest batch accepted.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// The door's routes.
pub fn routes(app: AppState) -> Router {
    Router::new()
        .route(PATH, post(receive))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(app)
}

fn refuse(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({"error": message}))).into_response()
}

async fn receive(State(app): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let h = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let (Some(code), Some(id), Some(ts), Some(sig)) = (
        h("hamkor-vendor"),
        h("webhook-id"),
        h("webhook-timestamp"),
        h("webhook-signature"),
    ) else {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "hamkor-vendor, webhook-id, webhook-timestamp and webhook-signature are required",
        );
    };
    let Ok(ts) = ts.parse::<i64>() else {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "webhook-timestamp: seconds since the epoch",
        );
    };
    if (hamkor_api::db::now().timestamp() - ts).abs() > TOLERANCE_SECS {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "webhook-timestamp is too old or in the future",
        );
    }
    let vendor = match vendor_by_code(&app.db, code).await {
        Ok(v) => v,
        Err(e) => {
            tracing::error!(error = %e, "electronic monitoring: reading vendors");
            return refuse(StatusCode::SERVICE_UNAVAILABLE, "try again");
        }
    };
    // An unknown vendor and a bad signature answer alike.
    let Some(vendor) = vendor.filter(|v| signature::verify(&v.signing_secret, id, ts, &body, sig)) else {
        return refuse(StatusCode::UNAUTHORIZED, "bad signature");
    };
    match pipeline::ingest(&app, &vendor, IngestSource::Https, &body, None).await {
        Ok(outcome) => (StatusCode::OK, axum::Json(outcome)).into_response(),
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "electronic monitoring: ingest failed");
            refuse(StatusCode::SERVICE_UNAVAILABLE, "try again")
        }
    }
}
