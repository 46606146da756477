//! Taking a GraphQL request apart from HTTP: the body of a POST or the query string of
//! a GET, as the GraphQL-over-HTTP specification names them.

use async_graphql::parser::types::OperationType;
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
struct GetParams {
    query: Option<String>,
    #[serde(rename = "documentId")]
    document_id: Option<String>,
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
    variables: Option<String>,
    extensions: Option<String>,
}

#[derive(Deserialize)]
struct PostBody {
    query: Option<String>,
    #[serde(rename = "documentId")]
    document_id: Option<String>,
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
    variables: Option<Value>,
    extensions: Option<Value>,
}

/// A GraphQL request taken apart from HTTP. `query` is empty when the request names a
/// trusted document instead (`documentId`, kept in `extensions`, or
/// `extensions.persistedQuery`) until the document is looked up.
pub(super) struct Incoming {
    pub query: String,
    pub operation_name: Option<String>,
    pub variables: Option<Value>,
    pub extensions: Option<Value>,
    /// Whether the document is one of the trusted documents (true when there are none).
    pub trusted: bool,
}

impl Incoming {
    /// Whether the operation that would run is of a type `wanted` accepts. A document
    /// that does not parse is left to the executor to report.
    pub fn selects(&self, wanted: impl Fn(OperationType) -> bool) -> bool {
        selects(&self.query, self.operation_name.as_deref(), wanted)
    }
}

/// A GET's query string (`query`, `operationName`, and JSON-encoded `variables` and
/// `extensions`).
pub(super) fn parse_get(query_string: Option<&str>) -> Result<Incoming, &'static str> {
    let params: GetParams =
        serde_urlencoded::from_str(query_string.unwrap_or_default()).map_err(|_| "malformed query string")?;
    let parse_json = |s: Option<String>| -> Result<Option<Value>, &'static str> {
        s.filter(|s| !s.is_empty())
            .map(|s| serde_json::from_str(&s).map_err(|_| "variables and extensions must be JSON"))
            .transpose()
    };
    with_document_id(
        Incoming {
            query: params.query.unwrap_or_default(),
            operation_name: params.operation_name.filter(|s| !s.is_empty()),
            variables: parse_json(params.variables)?,
            extensions: parse_json(params.extensions)?,
            trusted: true,
        },
        params.document_id,
        "the query parameter is required",
    )
}

/// A POST's JSON body (one request: batches are refused).
pub(super) fn parse_post(body: &[u8]) -> Result<Incoming, &'static str> {
    let value: Value = serde_json::from_slice(body).map_err(|_| "the body is not valid JSON")?;
    if value.is_array() {
        return Err("batched requests are not supported");
    }
    let body: PostBody = serde_json::from_value(value).map_err(|_| "the body is not a GraphQL request")?;
    with_document_id(
        Incoming {
            query: body.query.unwrap_or_default(),
            operation_name: body.operation_name,
            variables: body.variables.filter(|v| !v.is_null()),
            extensions: body.extensions.filter(|v| !v.is_null()),
            trusted: true,
        },
        body.document_id,
        "the query field is required",
    )
}

/// Keep a top-level `documentId` in the extensions (where WebSocket clients put it
/// too), and refuse a request with neither a document nor an id.
fn with_document_id(
    mut incoming: Incoming,
    document_id: Option<String>,
    missing: &'static str,
) -> Result<Incoming, &'static str> {
    if let Some(id) = document_id.filter(|id| !id.is_empty()) {
        match incoming
            .extensions
            .get_or_insert_with(|| Value::Object(Default::default()))
        {
            Value::Object(ext) => {
                ext.insert("documentId".into(), Value::String(id));
            }
            _ => return Err("extensions must be a JSON object"),
        }
    }
    let named = incoming
        .extensions
        .as_ref()
        .and_then(Value::as_object)
        .and_then(crate::trusted_documents::requested_id)
        .is_some();
    if incoming.query.is_empty() && !named {
        return Err(missing);
    }
    Ok(incoming)
}

fn selects(query: &str, operation_name: Option<&str>, wanted: impl Fn(OperationType) -> bool) -> bool {
    let Ok(doc) = async_graphql::parser::parse_query(query) else {
        return false;
    };
    doc.operations
        .iter()
        .filter(|(name, _)| match operation_name {
            Some(wanted) => name.is_some_and(|n| n.as_str() == wanted),
            None => true,
        })
        .any(|(_, op)| wanted(op.node.ty))
}

/// Whether the operation is a mutation (or subscription): GET may carry queries only.
pub(super) fn selects_non_query(query: &str, operation_name: Option<&str>) -> bool {
    selects(query, operation_name, |ty| ty != OperationType::Query)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn mutations_are_detected_for_get() {
        assert!(selects_non_query("mutation { logout }", None));
        assert!(!selects_non_query("query { me { roles } }", None));
        assert!(!selects_non_query("{ me { roles } }", None));
        assert!(selects_non_query(
            "query A { me { roles } } mutation B { logout }",
            Some("B")
        ));
        assert!(!selects_non_query(
            "query A { me { roles } } mutation B { logout }",
            Some("A")
        ));
    }

    #[test]
    fn batches_and_malformed_bodies_are_refused() {
        assert!(parse_post(b"[{\"query\":\"{a}\"}]").is_err());
        assert!(parse_post(b"{not json").is_err());
        assert!(parse_post(b"{\"variables\":{}}").is_err());
        assert!(parse_post(b"{\"query\":\"{a}\",\"variables\":null}").is_ok());
    }

    #[test]
    fn get_parameters_use_the_specified_names() {
        let i = parse_get(Some(
            "query=%7Bme%7Bid%7D%7D&operationName=X&variables=%7B%22a%22%3A1%7D",
        ))
        .expect("parses");
        assert_eq!(i.query, "{me{id}}");
        assert_eq!(i.operation_name.as_deref(), Some("X"));
        assert_eq!(i.variables, Some(json!({"a": 1})));
    }
}
