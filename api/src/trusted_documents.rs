//! Trusted documents: only the operations an operator's own frontends send.
//!
//! `trusted_documents` names a manifest of hash → document, as the tools generate it:
//! Apollo's persisted query manifest (`{"format": "apollo-persisted-query-manifest",
//! "operations": [{"id", "body", …}]}`) or The Guild's / Relay's flat `{"<hash>":
//! "<document>"}`. A client sends the hash in `extensions.persistedQuery.sha256Hash` or
//! `documentId` (`sha256:<hex>` or the bare hex) instead of the document, or sends a
//! document whose SHA-256 is in the manifest. In mode `log` any other document runs and
//! is reported (a warning and `hamkor_graphql_untrusted_documents_total`); in `enforce`
//! it is refused with `OPERATION_NOT_TRUSTED` for everyone but platform admins. An id
//! that is not in the manifest, sent without the document, is `PERSISTED_QUERY_NOT_FOUND`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::auth::principal::Principal;
use crate::monitoring::names;

/// What happens to a document outside the manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrustMode {
    /// Run it, and report it in the logs and metrics (while a manifest is rolled out).
    Log,
    /// Refuse it, except for platform admins.
    Enforce,
}

impl TrustMode {
    fn label(self) -> &'static str {
        match self {
            Self::Log => "log",
            Self::Enforce => "enforce",
        }
    }
}

/// Why a request does not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentRefusal {
    /// An id the manifest does not hold, sent without a document.
    NotFound,
    /// A document outside the manifest, in mode `enforce`.
    NotTrusted,
    /// A document sent with an id that is not its hash.
    Mismatch,
}

impl DocumentRefusal {
    pub fn code(self) -> &'static str {
        match self {
            Self::NotFound => "PERSISTED_QUERY_NOT_FOUND",
            Self::NotTrusted => "OPERATION_NOT_TRUSTED",
            Self::Mismatch => "BAD_REQUEST",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Self::NotFound => "no trusted document has this id",
            Self::NotTrusted => "this operation is not one of the trusted documents of this server",
            Self::Mismatch => "the query does not match the document id sent with it",
        }
    }
}

/// The SHA-256 of a document, in lower-case hex (the manifests' ids).
pub fn hash(document: &str) -> String {
    Sha256::digest(document.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A loaded manifest.
#[derive(Debug)]
pub struct TrustedDocuments {
    by_hash: HashMap<String, Arc<str>>,
    mode: TrustMode,
}

#[derive(Deserialize)]
struct ApolloManifest {
    operations: Vec<ApolloOperation>,
}

#[derive(Deserialize)]
struct ApolloOperation {
    id: String,
    body: String,
}

impl TrustedDocuments {
    /// Read the manifest at `path`.
    pub fn load(path: &Path, mode: TrustMode) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the trusted documents {}", path.display()))?;
        Self::parse(&text, mode).with_context(|| format!("the trusted documents {}", path.display()))
    }

    /// A manifest in either format. Ids are taken as given (lower-cased): the tools
    /// hash the document they print, byte for byte.
    pub fn parse(text: &str, mode: TrustMode) -> anyhow::Result<Self> {
        let value: Value = serde_json::from_str(text).context("not JSON")?;
        let pairs: Vec<(String, String)> = if value.get("operations").is_some() {
            let m: ApolloManifest = serde_json::from_value(value)
                .context("an Apollo manifest's operations need an id and a body")?;
            m.operations.into_iter().map(|o| (o.id, o.body)).collect()
        } else {
            let flat: HashMap<String, String> = serde_json::from_value(value)
                .context("expected {\"<hash>\": \"<document>\", …} or an Apollo persisted query manifest")?;
            flat.into_iter().collect()
        };
        let by_hash = pairs
            .into_iter()
            .map(|(id, body)| (normalise(&id), Arc::from(body)))
            .collect();
        Ok(Self { by_hash, mode })
    }

    pub fn mode(&self) -> TrustMode {
        self.mode
    }

    pub fn len(&self) -> usize {
        self.by_hash.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_hash.is_empty()
    }

    /// The names of the manifest's operations (bounded label values for metrics).
    pub fn operation_names(&self) -> Vec<String> {
        let mut out = Vec::new();
        for doc in self.by_hash.values() {
            if let Ok(parsed) = async_graphql::parser::parse_query(doc) {
                out.extend(
                    parsed
                        .operations
                        .iter()
                        .filter_map(|(n, _)| n.map(|n| n.to_string())),
                );
            }
        }
        out
    }

    /// Put the document of `id` into `query` (when an id was sent), and say whether the
    /// request runs a trusted document.
    pub fn resolve(&self, query: &mut String, id: Option<&str>) -> Result<bool, DocumentRefusal> {
        if let Some(id) = id.map(normalise) {
            match self.by_hash.get(&id) {
                Some(doc) if query.is_empty() => {
                    *query = doc.to_string();
                    return Ok(true);
                }
                Some(_) if hash(query) == id => return Ok(true),
                Some(_) => return Err(DocumentRefusal::Mismatch),
                None if query.is_empty() => return Err(DocumentRefusal::NotFound),
                None if hash(query) != id => return Err(DocumentRefusal::Mismatch),
                None => {}
            }
        }
        Ok(self.by_hash.contains_key(&hash(query)))
    }

    /// Whether a request that runs a document outside the manifest (`trusted` false)
    /// may go on: always in mode `log` (reported), only for platform admins in `enforce`.
    pub fn admit(&self, trusted: bool, caller: Option<&Principal>) -> Result<(), DocumentRefusal> {
        if trusted {
            return Ok(());
        }
        let admin = caller.is_some_and(Principal::is_platform_admin);
        let outcome = match (self.mode, admin) {
            (TrustMode::Log, _) => "reported",
            (TrustMode::Enforce, true) => "admin",
            (TrustMode::Enforce, false) => "refused",
        };
        metrics::counter!(names::GRAPHQL_UNTRUSTED, "mode" => self.mode.label(), "outcome" => outcome)
            .increment(1);
        tracing::warn!(
            mode = self.mode.label(),
            outcome,
            user_id = caller.map(|p| p.user_id),
            "a document outside the trusted documents"
        );
        if outcome == "refused" {
            Err(DocumentRefusal::NotTrusted)
        } else {
            Ok(())
        }
    }
}

/// An id without its `sha256:` prefix, in lower case.
fn normalise(id: &str) -> String {
    let id = id.trim();
    id.strip_prefix("sha256:").unwrap_or(id).to_ascii_lowercase()
}

/// The document id in a request's `extensions`: `documentId` (where the HTTP layer puts
/// a top-level `documentId`), else `persistedQuery.sha256Hash`.
pub fn requested_id(extensions: &serde_json::Map<String, Value>) -> Option<String> {
    extensions
        .get("documentId")
        .and_then(Value::as_str)
        .or_else(|| {
            extensions
                .get("persistedQuery")
                .and_then(|p| p.get("sha256Hash"))
                .and_then(Value::as_str)
        })
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ME: &str = "query Me { me { roles } }";

    #[test]
    fn both_manifest_formats_load() {
        let apollo = serde_json::json!({
            "format": "apollo-persisted-query-manifest",
            "version": 1,
            "operations": [{"id": hash(ME), "name": "Me", "type": "query", "body": ME}]
        });
        let guild = serde_json::json!({ hash(ME): ME });
        for text in [apollo.to_string(), guild.to_string()] {
            let docs = TrustedDocuments::parse(&text, TrustMode::Enforce).expect("loads");
            assert_eq!(docs.len(), 1);
            assert_eq!(docs.operation_names(), vec!["Me".to_owned()]);
        }
        assert!(TrustedDocuments::parse("[1]", TrustMode::Log).is_err());
    }

    #[test]
    fn ids_resolve_to_their_documents_and_documents_to_their_hashes() {
        let docs = TrustedDocuments::parse(
            &serde_json::json!({ hash(ME): ME }).to_string(),
            TrustMode::Enforce,
        )
        .expect("loads");
        let mut q = String::new();
        assert_eq!(docs.resolve(&mut q, Some(&hash(ME))), Ok(true));
        assert_eq!(q, ME);
        let mut q = String::new();
        assert_eq!(
            docs.resolve(&mut q, Some(&format!("sha256:{}", hash(ME)))),
            Ok(true)
        );
        let mut q = ME.to_owned();
        assert_eq!(docs.resolve(&mut q, None), Ok(true));
        let mut q = "{ me { roles } }".to_owned();
        assert_eq!(docs.resolve(&mut q, None), Ok(false));
        assert_eq!(
            docs.resolve(&mut q, Some(&hash(ME))),
            Err(DocumentRefusal::Mismatch)
        );
        let mut q = String::new();
        assert_eq!(docs.resolve(&mut q, Some("00")), Err(DocumentRefusal::NotFound));
    }
}
