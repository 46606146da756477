//! GraphQL operations: how many, of which name and type, how long, with which error
//! codes, and how many subscriptions are open.
//!
//! An operation name is a label value only once a document with that name has passed
//! validation, and only for the first [`MAX_OPERATION_NAMES`] such names of the process
//! (or, with trusted documents, only the manifest's names): a client cannot grow the
//! label set by sending names. Every other operation, unnamed ones too, is `unknown`.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextPrepareRequest,
    NextRequest, NextSubscribe, NextValidation,
};
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{Request, Response, ServerError, ServerResult, ValidationResult, Value, Variables};
use futures::stream::{BoxStream, StreamExt};

use super::names;

/// Most distinct operation names used as label values when there are no trusted
/// documents.
pub const MAX_OPERATION_NAMES: usize = 200;

/// The label value of an unnamed operation, or of a name outside the bounded set.
pub const UNKNOWN: &str = "unknown";

/// Longest error code used as a label value as it is.
const MAX_CODE_LEN: usize = 40;

/// Subscriptions open in this process (counted whether or not a recorder is installed,
/// so the gauge set from it never drifts).
static OPEN_SUBSCRIPTIONS: AtomicI64 = AtomicI64::new(0);

/// Subscriptions open in this process.
pub fn open_subscriptions() -> i64 {
    OPEN_SUBSCRIPTIONS.load(Ordering::SeqCst)
}

fn set_open_subscriptions(delta: i64) {
    let now = OPEN_SUBSCRIPTIONS.fetch_add(delta, Ordering::SeqCst) + delta;
    metrics::gauge!(names::SUBSCRIPTIONS_OPEN).set(now as f64);
}

fn seen() -> &'static Mutex<HashSet<String>> {
    static SEEN: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    SEEN.get_or_init(Mutex::default)
}

static TRUSTED: OnceLock<HashSet<String>> = OnceLock::new();

/// Use exactly these operation names as label values (those of the trusted documents).
pub fn trust_names(names: impl IntoIterator<Item = String>) {
    let _ = TRUSTED.set(names.into_iter().collect());
}

/// Note the name of an operation that passed validation.
fn admit(name: &str) {
    if TRUSTED.get().is_some() {
        return;
    }
    if let Ok(mut seen) = seen().lock()
        && seen.len() < MAX_OPERATION_NAMES
        && name.len() <= 100
    {
        seen.insert(name.to_owned());
    }
}

/// The label value of an operation name.
pub fn operation_label(name: Option<&str>) -> String {
    let Some(name) = name else {
        return UNKNOWN.to_owned();
    };
    let known = match TRUSTED.get() {
        Some(trusted) => trusted.contains(name),
        None => seen().lock().is_ok_and(|s| s.contains(name)),
    };
    if known {
        name.to_owned()
    } else {
        UNKNOWN.to_owned()
    }
}

/// The label value of an error code: the code if it looks like one, else `OTHER`.
pub fn code_label(code: Option<&Value>) -> String {
    match code {
        Some(Value::String(c))
            if !c.is_empty()
                && c.len() <= MAX_CODE_LEN
                && c.chars().all(|ch| ch.is_ascii_uppercase() || ch == '_') =>
        {
            c.clone()
        }
        None => "NONE".to_owned(),
        _ => "OTHER".to_owned(),
    }
}

fn type_label(ty: Option<OperationType>) -> &'static str {
    match ty {
        Some(OperationType::Query) => "query",
        Some(OperationType::Mutation) => "mutation",
        Some(OperationType::Subscription) => "subscription",
        None => UNKNOWN,
    }
}

/// The extension factory (one instance per request).
pub struct OperationMetrics;

impl ExtensionFactory for OperationMetrics {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(OperationExt(Arc::new(Operation {
            requested: Mutex::new(None),
            chosen: Mutex::new((None, None)),
            open_subscription: AtomicBool::new(false),
            started: Instant::now(),
        })))
    }
}

struct OperationExt(Arc<Operation>);

/// What one request runs, as far as it is known.
struct Operation {
    /// The `operationName` the request asked for.
    requested: Mutex<Option<String>>,
    /// The operation that runs: its name and type, once the document is parsed.
    chosen: Mutex<(Option<String>, Option<OperationType>)>,
    /// Counted in the open subscriptions until the request is dropped (for a
    /// subscription, with its stream).
    open_subscription: AtomicBool,
    started: Instant,
}

impl Drop for Operation {
    fn drop(&mut self) {
        if self.open_subscription.load(Ordering::SeqCst) {
            set_open_subscriptions(-1);
        }
    }
}

impl Operation {
    fn chosen(&self) -> (Option<String>, Option<OperationType>) {
        self.chosen.lock().map(|o| o.clone()).unwrap_or_default()
    }

    fn labels(&self) -> (String, &'static str) {
        let (name, ty) = self.chosen();
        (operation_label(name.as_deref()), type_label(ty))
    }

    /// Count the operation, its time so far and the errors of `response`.
    fn record(&self, response: &Response) {
        let (operation, ty) = self.labels();
        let outcome = if response.errors.is_empty() { "ok" } else { "error" };
        metrics::counter!(names::GRAPHQL_OPERATIONS, "operation" => operation.clone(), "type" => ty, "outcome" => outcome)
            .increment(1);
        metrics::histogram!(names::GRAPHQL_DURATION, "operation" => operation.clone(), "type" => ty)
            .record(self.started.elapsed().as_secs_f64());
        record_errors(response, &operation, ty);
    }

    /// A response of a stream: a subscription's event (the subscription was counted
    /// when it opened) adds its errors; anything else is an operation of its own.
    fn record_streamed(&self, response: &Response) {
        if self.open_subscription.load(Ordering::SeqCst) {
            let (operation, ty) = self.labels();
            record_errors(response, &operation, ty);
        } else {
            self.record(response);
        }
    }
}

fn record_errors(response: &Response, operation: &str, ty: &'static str) {
    for e in &response.errors {
        let code = code_label(e.extensions.as_ref().and_then(|x| x.get("code")));
        metrics::counter!(names::GRAPHQL_ERRORS, "operation" => operation.to_owned(), "type" => ty, "code" => code)
            .increment(1);
    }
}

/// The operation of `doc` a request with `requested` as its `operationName` runs.
fn chosen(doc: &ExecutableDocument, requested: Option<&str>) -> Option<(Option<String>, OperationType)> {
    doc.operations
        .iter()
        .find(|(name, _)| match requested {
            Some(wanted) => name.is_some_and(|n| n.as_str() == wanted),
            None => true,
        })
        .map(|(name, op)| (name.map(|n| n.to_string()), op.node.ty))
}

#[async_graphql::async_trait::async_trait]
impl Extension for OperationExt {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let response = next.run(ctx).await;
        self.0.record(&response);
        response
    }

    /// The operation's span, opened once the document is valid, so that it is named by
    /// the operation's bounded label and type (`query CaseList`), never by its document
    /// or variables.
    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let (operation, ty) = self.0.labels();
        let span = tracing::info_span!(
            "graphql",
            otel.name = %format_args!("{ty} {operation}"),
            graphql.operation.name = operation.as_str(),
            graphql.operation.type = ty,
            graphql.errors = tracing::field::Empty,
        );
        let response = tracing::Instrument::instrument(next.run(ctx, operation_name), span.clone()).await;
        if !response.errors.is_empty() {
            span.record("graphql.errors", response.errors.len());
        }
        response
    }

    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        // No `request` hook runs for a stream (a WebSocket's operations).
        let operation = self.0.clone();
        next.run(ctx, stream)
            .map(move |response| {
                operation.record_streamed(&response);
                response
            })
            .boxed()
    }

    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        if let Ok(mut r) = self.0.requested.lock() {
            r.clone_from(&request.operation_name);
        }
        next.run(ctx, request).await
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        let requested = self.0.requested.lock().ok().and_then(|r| r.clone());
        if let Some((name, ty)) = chosen(&doc, requested.as_deref())
            && let Ok(mut op) = self.0.chosen.lock()
        {
            *op = (name, Some(ty));
        }
        Ok(doc)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        let (name, ty) = self.0.chosen();
        if let Some(name) = name {
            admit(&name);
        }
        if ty == Some(OperationType::Subscription) && !self.0.open_subscription.swap(true, Ordering::SeqCst) {
            set_open_subscriptions(1);
            let (operation, ty) = self.0.labels();
            metrics::counter!(names::GRAPHQL_OPERATIONS, "operation" => operation, "type" => ty, "outcome" => "ok")
                .increment(1);
        }
        Ok(result)
    }
}
