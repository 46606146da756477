//! Logging and tracing. Logs carry ids, never personal data: resolvers and services do
//! not log inputs, and HTTP spans record the path without the query string.
//!
//! With `otlp_endpoint` set, spans also go to an OpenTelemetry collector over OTLP/HTTP
//! (protobuf): one per HTTP request (its parent taken from a W3C `traceparent` header),
//! per GraphQL operation (name and type, never the document or its variables), per
//! database statement, outbox round and webhook delivery. The W3C trace context is the
//! propagation format, in and out.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::filter::FilterExt;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::config::{LogFormat, Settings};

/// What the exporter sends: Hamkor's own spans and the database's, whatever the log
/// filter keeps for the console.
const TRACE_FILTER: &str = "warn,hamkor=info,hamkor_api=info,sea_orm=info";

/// The tracing pipeline of a process; [`Telemetry::shutdown`] sends what is still
/// buffered.
#[must_use = "call shutdown() before the process ends, or buffered spans are lost"]
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

impl Telemetry {
    /// Send the spans still buffered and stop the exporter.
    pub fn shutdown(self) {
        if let Some(provider) = self.provider
            && let Err(e) = provider.shutdown()
        {
            tracing::warn!(error = %e, "sending the last spans failed");
        }
    }
}

/// Install the global subscriber (once; later calls are ignored, as in tests).
pub fn init(settings: &Settings) -> anyhow::Result<Telemetry> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&settings.log_filter));
    let fmt = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let fmt = match settings.log_format {
        LogFormat::Json => fmt.json().flatten_event(true).boxed(),
        LogFormat::Pretty => fmt.compact().boxed(),
    }
    .with_filter(filter);

    let provider = match settings.otlp_endpoint.as_deref() {
        Some(endpoint) => Some(provider(endpoint)?),
        None => None,
    };
    let otel = provider.as_ref().map(|p| {
        // A statement outside any span is a worker's poll of the outbox, four times a
        // second per consumer: not a trace of its own.
        let in_a_trace = tracing_subscriber::filter::dynamic_filter_fn(|meta, cx| {
            !(meta.is_span() && meta.target().starts_with("sea_orm")) || cx.lookup_current().is_some()
        });
        tracing_opentelemetry::layer()
            .with_tracer(p.tracer("hamkor"))
            .with_tracked_inactivity(false)
            .with_filter(EnvFilter::new(TRACE_FILTER).and(in_a_trace))
    });
    if provider.is_some() {
        opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
    }
    let _ = tracing_subscriber::registry().with(fmt).with(otel).try_init();
    Ok(Telemetry { provider })
}

/// A batching OTLP/HTTP exporter to the collector at `endpoint`.
fn provider(endpoint: &str) -> anyhow::Result<SdkTracerProvider> {
    use opentelemetry_otlp::WithExportConfig;
    let url = traces_url(endpoint)?;
    // The exporter's HTTP client (reqwest with rustls) takes the process's default
    // provider; the rest of Hamkor names its provider where it builds a client.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_endpoint(url)
        .with_timeout(std::time::Duration::from_secs(10))
        .build()
        .map_err(|e| anyhow::anyhow!("the OTLP exporter: {e}"))?;
    let resource = Resource::builder()
        .with_service_name("hamkor")
        .with_attribute(opentelemetry::KeyValue::new(
            "service.version",
            env!("CARGO_PKG_VERSION"),
        ))
        .build();
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(resource)
        .build())
}

/// The collector's traces URL: `/v1/traces` is appended to a base URL without a path.
pub(crate) fn traces_url(endpoint: &str) -> anyhow::Result<String> {
    let parsed: reqwest::Url = endpoint
        .parse()
        .map_err(|e| anyhow::anyhow!("otlp_endpoint {endpoint:?} is not a URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        anyhow::bail!("otlp_endpoint {endpoint:?}: only http and https are supported");
    }
    Ok(if parsed.path() == "/" {
        format!("{}/v1/traces", endpoint.trim_end_matches('/'))
    } else {
        endpoint.to_owned()
    })
}

/// The W3C `traceparent` of the current span, when it is being traced (stored with a
/// domain event so that what the event causes later joins the same trace).
pub fn current_traceparent() -> Option<String> {
    use opentelemetry::trace::TraceContextExt;
    use tracing_opentelemetry::OpenTelemetrySpanExt;
    let cx = tracing::Span::current().context();
    let span = cx.span();
    let sc = span.span_context();
    sc.is_valid().then(|| {
        format!(
            "00-{}-{}-{:02x}",
            sc.trace_id(),
            sc.span_id(),
            sc.trace_flags().to_u8()
        )
    })
}

/// The span of `consumer`'s work on one domain event: a child of the trace the event
/// was written in, when that was traced.
pub fn event_span(consumer: &str, event: &crate::events::entity::Model) -> tracing::Span {
    let span = tracing::info_span!(
        "outbox",
        otel.name = %format_args!("{consumer} {}", event.event_type),
        otel.kind = "consumer",
        consumer,
        event.id = event.id,
        event.r#type = %event.event_type,
    );
    if let Some(tp) = &event.traceparent {
        set_parent_from_traceparent(&span, tp);
    }
    span
}

/// Make `span`'s parent the context named by `traceparent` (a stored or received W3C
/// header value); nothing happens for an invalid value.
pub fn set_parent_from_traceparent(span: &tracing::Span, traceparent: &str) {
    let mut headers = http::HeaderMap::new();
    if let Ok(v) = http::HeaderValue::from_str(traceparent) {
        headers.insert("traceparent", v);
        set_parent_from_headers(span, &headers);
    }
}

/// Make `span`'s parent the W3C trace context of incoming `headers`, if they carry one.
pub fn set_parent_from_headers(span: &tracing::Span, headers: &http::HeaderMap) {
    use opentelemetry::trace::TraceContextExt;
    use tracing_opentelemetry::OpenTelemetrySpanExt;
    if !headers.contains_key("traceparent") {
        return;
    }
    let cx = opentelemetry::global::get_text_map_propagator(|p| {
        p.extract(&opentelemetry_http::HeaderExtractor(headers))
    });
    if cx.span().span_context().is_remote() {
        let _ = span.set_parent(cx);
    }
}

/// The W3C trace context headers of the current span, for an outgoing request.
pub fn outgoing_headers() -> http::HeaderMap {
    use tracing_opentelemetry::OpenTelemetrySpanExt;
    let mut headers = http::HeaderMap::new();
    let cx = tracing::Span::current().context();
    opentelemetry::global::get_text_map_propagator(|p| {
        p.inject_context(&cx, &mut opentelemetry_http::HeaderInjector(&mut headers))
    });
    headers
}

#[cfg(test)]
mod tests {
    use tracing_subscriber::layer::SubscriberExt;

    use super::*;

    /// Outgoing headers carry the current span's trace; a stored `traceparent` makes a
    /// later span a child of the span it names.
    #[test]
    fn the_trace_context_goes_out_and_comes_back() {
        opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
        let provider = SdkTracerProvider::builder().build();
        let subscriber = tracing_subscriber::registry()
            .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")));
        tracing::subscriber::with_default(subscriber, || {
            assert_eq!(current_traceparent(), None, "outside a span");
            let write = tracing::info_span!("write");
            let stored = write.in_scope(current_traceparent).expect("a traced span");
            let sent = write.in_scope(outgoing_headers);
            assert_eq!(sent["traceparent"], stored.as_str());

            let later = tracing::info_span!("deliver");
            set_parent_from_traceparent(&later, &stored);
            let child = later.in_scope(current_traceparent).expect("traced");
            let trace = |tp: &str| tp.split('-').nth(1).map(str::to_owned);
            assert_eq!(trace(&child), trace(&stored), "the same trace");
            assert_ne!(child, stored, "a span of its own");

            let unrelated = tracing::info_span!("other");
            set_parent_from_traceparent(&unrelated, "not a traceparent");
            let other = unrelated.in_scope(current_traceparent).expect("traced");
            assert_ne!(trace(&other), trace(&stored));
        });
    }

    #[test]
    fn the_traces_path_is_added_to_a_base_url_only() {
        assert_eq!(
            traces_url("http://collector:4318").expect("a URL"),
            "http://collector:4318/v1/traces"
        );
        assert_eq!(
            traces_url("http://collector:4318/").expect("a URL"),
            "http://collector:4318/v1/traces"
        );
        assert_eq!(
            traces_url("https://otel.example/custom/v1/traces").expect("a URL"),
            "https://otel.example/custom/v1/traces"
        );
        assert!(traces_url("collector:4318").is_err());
        assert!(traces_url("ftp://collector").is_err());
    }
}
