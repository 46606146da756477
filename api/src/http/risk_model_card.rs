//! `GET /risk-models/{id}/card.md`: a learned model's card as Markdown, authenticated and
//! authorised exactly as `riskModel(id) { card }` (platform admins; the same audit
//! record).

use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};

use super::HttpState;
use super::analytics_csv::{api_error, caller};
use crate::ids;

/// `GET /risk-models/{id}/card.md`.
pub async fn export<E>(State(st): State<HttpState<E>>, Path(id): Path<String>, req: Request) -> Response {
    let principal = match caller(&st, req).await {
        Ok(p) => p,
        Err(refused) => return refused,
    };
    let id = match ids::decode_as(&id.into(), "RiskModel", "id") {
        Ok(id) => id,
        Err(e) => return api_error(e),
    };
    match crate::risk::model::card::card(&st.app.db, &principal, id).await {
        Ok(card) => (
            StatusCode::OK,
            [
                (CONTENT_TYPE, "text/markdown; charset=utf-8".to_owned()),
                (
                    CONTENT_DISPOSITION,
                    format!("attachment; filename=\"hamkor-risk-model-{id}-card.md\""),
                ),
                (CACHE_CONTROL, "no-store".to_owned()),
            ],
            card,
        )
            .into_response(),
        Err(e) => api_error(e),
    }
}
