//! `POST /remote-check-in/v1/photos`: the person's app uploads the check-in photo (the
//! raw JPEG or PNG as the body, its own bearer token) before submitting the check-in,
//! which names the id returned (`{"photoId": "…"}`). A GraphQL body stays small; the
//! photo comes here. Errors are `{"code", "message"}` with the module's stable codes:
//! `PHOTO_TOO_LARGE` (413), `PHOTO_NOT_AN_IMAGE` (400), `UNAUTHENTICATED` (401),
//! `FORBIDDEN` (403, anyone but an enrolled person).

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use hamkor_api::error::ApiError;
use hamkor_api::http::auth::{Credentials, authenticate};
use hamkor_api::http::meta::request_meta;
use hamkor_api::state::AppState;
use http::StatusCode;
use serde_json::json;

use crate::photo::{MAX_BYTES, TOO_LARGE};
use crate::service::check_ins;
use crate::storage;

/// The upload's path.
pub const PHOTOS: &str = "/remote-check-in/v1/photos";

pub fn routes(app: AppState) -> Router {
    Router::new()
        .route(PHOTOS, post(upload))
        .layer(DefaultBodyLimit::disable())
        .with_state(app)
}

fn answer(status: StatusCode, code: &str, message: &str) -> Response {
    (status, axum::Json(json!({"code": code, "message": message}))).into_response()
}

fn refused(e: ApiError) -> Response {
    let status = match e.code() {
        "UNAUTHENTICATED" => StatusCode::UNAUTHORIZED,
        "FORBIDDEN" | "MODULE_DISABLED" => StatusCode::FORBIDDEN,
        TOO_LARGE => StatusCode::PAYLOAD_TOO_LARGE,
        "INTERNAL" => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    };
    if let ApiError::Internal(cause) = &e {
        tracing::error!(error = ?cause, "remote check-in photo upload");
    }
    answer(status, e.code(), &e.message())
}

async fn upload(State(app): State<AppState>, request: Request) -> Response {
    let (parts, body): (_, Body) = request.into_parts();
    let meta = request_meta(&parts, app.settings.trust_forwarded_for);
    let caller = match authenticate(&app, Credentials::from_headers(&parts.headers), meta).await {
        Ok(Some(c)) => c,
        Ok(None) | Err(_) => return refused(ApiError::unauthenticated()),
    };
    if !caller.modules.contains(crate::ID) {
        return refused(ApiError::ModuleDisabled(crate::ID.into()));
    }
    // One byte over the limit is enough to know.
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BYTES + 1).await else {
        return refused(ApiError::refused(
            TOO_LARGE,
            format!("at most {MAX_BYTES} bytes are accepted"),
        ));
    };
    let store = match storage::current() {
        Ok(s) => s,
        Err(e) => return refused(ApiError::internal("opening the photo store", e)),
    };
    match check_ins::upload_photo(&app.db, &app.modules, &store, &caller.principal, bytes).await {
        Ok(id) => (StatusCode::CREATED, axum::Json(json!({"photoId": id}))).into_response(),
        Err(e) => refused(e),
    }
}
