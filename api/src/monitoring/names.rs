//! The metric families Hamkor exports: names, units and help texts in one place (the
//! alert rules and the dashboard in `ops/` refer to these names).

use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};

pub const BUILD_INFO: &str = "hamkor_build_info";
pub const HTTP_REQUESTS: &str = "hamkor_http_requests_total";
pub const HTTP_DURATION: &str = "hamkor_http_request_duration_seconds";
pub const GRAPHQL_OPERATIONS: &str = "hamkor_graphql_operations_total";
pub const GRAPHQL_ERRORS: &str = "hamkor_graphql_errors_total";
pub const GRAPHQL_DURATION: &str = "hamkor_graphql_operation_duration_seconds";
pub const GRAPHQL_UNTRUSTED: &str = "hamkor_graphql_untrusted_documents_total";
pub const SUBSCRIPTIONS_OPEN: &str = "hamkor_graphql_subscriptions_open";
pub const DB_POOL_CONNECTIONS: &str = "hamkor_db_pool_connections";
pub const DB_POOL_MAX: &str = "hamkor_db_pool_max_connections";
pub const OUTBOX_LAG_EVENTS: &str = "hamkor_outbox_consumer_lag_events";
pub const OUTBOX_LAG_SECONDS: &str = "hamkor_outbox_consumer_lag_seconds";
pub const WEBHOOK_DELIVERIES: &str = "hamkor_webhook_deliveries_total";
pub const WEBHOOK_QUEUE_DEPTH: &str = "hamkor_webhook_queue_depth";
pub const WEBHOOK_OLDEST_PENDING: &str = "hamkor_webhook_oldest_pending_age_seconds";
pub const LOGIN_FAILURES: &str = "hamkor_login_failures_total";
pub const LOGIN_THROTTLED: &str = "hamkor_login_throttled_total";

/// Register the help texts (shown as `# HELP` lines).
pub fn describe() {
    describe_gauge!(
        BUILD_INFO,
        "Always 1; the version of the running build in its label"
    );
    describe_counter!(
        HTTP_REQUESTS,
        "HTTP requests answered, by route template, method and status"
    );
    describe_histogram!(
        HTTP_DURATION,
        Unit::Seconds,
        "Time to answer an HTTP request, by route template and method"
    );
    describe_counter!(
        GRAPHQL_OPERATIONS,
        "GraphQL operations run, by operation name (bounded), type and outcome"
    );
    describe_counter!(
        GRAPHQL_ERRORS,
        "Errors in GraphQL responses, by operation name (bounded), type and extensions.code"
    );
    describe_histogram!(
        GRAPHQL_DURATION,
        Unit::Seconds,
        "Time to run a GraphQL operation, by operation name (bounded) and type"
    );
    describe_counter!(
        GRAPHQL_UNTRUSTED,
        "Operations whose document is not in the trusted documents, by mode and reason"
    );
    describe_gauge!(SUBSCRIPTIONS_OPEN, "GraphQL subscriptions open on this replica");
    describe_gauge!(
        DB_POOL_CONNECTIONS,
        "Database pool connections, by state (in_use, idle)"
    );
    describe_gauge!(DB_POOL_MAX, "Upper bound of the database pool");
    describe_gauge!(
        OUTBOX_LAG_EVENTS,
        "Committed outbox events a consumer has not handled yet, by consumer"
    );
    describe_gauge!(
        OUTBOX_LAG_SECONDS,
        Unit::Seconds,
        "Age of the oldest outbox event a consumer has not handled yet, by consumer"
    );
    describe_counter!(
        WEBHOOK_DELIVERIES,
        "Webhook delivery attempts, by outcome (delivered, retrying, given_up)"
    );
    describe_gauge!(WEBHOOK_QUEUE_DEPTH, "Webhook deliveries waiting for an attempt");
    describe_gauge!(
        WEBHOOK_OLDEST_PENDING,
        Unit::Seconds,
        "Age of the oldest webhook delivery waiting for an attempt"
    );
    describe_counter!(
        LOGIN_FAILURES,
        "Failed sign-ins, by kind (password, service_token)"
    );
    describe_counter!(
        LOGIN_THROTTLED,
        "Sign-ins refused by the throttle, by limit (pair, address, account)"
    );
}
