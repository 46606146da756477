//! Media types of GraphQL over HTTP.

use http::HeaderMap;
use http::header::{ACCEPT, CONTENT_TYPE};

/// `application/graphql-response+json`: HTTP status codes follow the GraphQL-over-HTTP
/// specification (4xx for requests that never reach execution).
pub const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
/// `application/json`: the legacy media type, always 200 for well-formed requests.
pub const JSON: &str = "application/json";

/// The response media type the client accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseType {
    GraphqlResponseJson,
    Json,
}

impl ResponseType {
    pub fn media_type(self) -> &'static str {
        match self {
            Self::GraphqlResponseJson => GRAPHQL_RESPONSE_JSON,
            Self::Json => JSON,
        }
    }
}

/// Choose the response type from `Accept`: `application/graphql-response+json` when
/// listed, else `application/json` (also for `*/*`, `application/*` or no header).
/// `None`: nothing acceptable (answer 406).
pub fn response_type(headers: &HeaderMap) -> Option<ResponseType> {
    let Some(accept) = headers.get(ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Some(ResponseType::Json);
    };
    let mut graphql = None::<f32>;
    let mut json = None::<f32>;
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if q <= 0.0 {
            continue;
        }
        match media.as_str() {
            GRAPHQL_RESPONSE_JSON => graphql = Some(graphql.unwrap_or(0.0).max(q)),
            JSON | "application/*" | "*/*" => json = Some(json.unwrap_or(0.0).max(q)),
            _ => {}
        }
    }
    match (graphql, json) {
        (Some(g), Some(j)) if j > g => Some(ResponseType::Json),
        (Some(_), _) => Some(ResponseType::GraphqlResponseJson),
        (None, Some(_)) => Some(ResponseType::Json),
        (None, None) if accept.trim().is_empty() => Some(ResponseType::Json),
        (None, None) => None,
    }
}

/// Whether the request body is declared as JSON (`application/json`, any charset, or
/// `application/graphql-response+json` sent back by a confused client is not accepted).
pub fn is_json_body(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .eq_ignore_ascii_case(JSON)
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn accept(v: &str) -> Option<ResponseType> {
        let mut h = HeaderMap::new();
        h.insert(ACCEPT, HeaderValue::from_str(v).expect("header"));
        response_type(&h)
    }

    #[test]
    fn the_graphql_media_type_is_preferred_when_listed() {
        assert_eq!(
            accept("application/graphql-response+json, application/json;q=0.9"),
            Some(ResponseType::GraphqlResponseJson)
        );
        assert_eq!(accept("application/json"), Some(ResponseType::Json));
        assert_eq!(accept("*/*"), Some(ResponseType::Json));
        assert_eq!(response_type(&HeaderMap::new()), Some(ResponseType::Json));
    }

    #[test]
    fn an_explicit_preference_for_json_is_honoured() {
        assert_eq!(
            accept("application/graphql-response+json;q=0.5, application/json"),
            Some(ResponseType::Json)
        );
    }

    #[test]
    fn unacceptable_types_are_refused() {
        assert_eq!(accept("text/html"), None);
        assert_eq!(accept("application/json;q=0"), None);
    }
}
