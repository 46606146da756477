//! The messages of the two WebSocket subprotocols and the close codes of
//! `graphql-transport-ws` (github.com/enisdenjo/graphql-ws, PROTOCOL.md).

use serde::Deserialize;
use serde_json::{Value, json};

/// The subprotocol a connection speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// `graphql-transport-ws`: the current protocol.
    TransportWs,
    /// `graphql-ws`: the legacy subscriptions-transport-ws protocol.
    Legacy,
}

impl Protocol {
    /// The subprotocols offered, in the server's order of preference.
    pub const NAMES: [&'static str; 2] = ["graphql-transport-ws", "graphql-ws"];

    pub fn from_name(name: &str) -> Option<Self> {
        match name.trim() {
            n if n.eq_ignore_ascii_case("graphql-transport-ws") => Some(Self::TransportWs),
            n if n.eq_ignore_ascii_case("graphql-ws") => Some(Self::Legacy),
            _ => None,
        }
    }
}

/// Why the server closes a connection: a close code and its reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Close(pub u16, pub &'static str);

impl Close {
    /// A message that is not JSON, has an unknown type or misses a field.
    pub const MALFORMED: Self = Self(4400, "Invalid message received");
    /// `subscribe` before the connection was acknowledged.
    pub const UNAUTHORIZED: Self = Self(4401, "Unauthorized");
    /// `connection_init` refused: no valid access token, or an inactive account.
    pub const FORBIDDEN: Self = Self(4403, "Forbidden");
    /// The access token the connection authenticated with has expired.
    pub const EXPIRED: Self = Self(4403, "Forbidden: the access token has expired");
    /// No `connection_init` within the allowed time.
    pub const INIT_TIMEOUT: Self = Self(4408, "Connection initialisation timeout");
    /// `subscribe` with the id of an operation still running.
    pub const DUPLICATE_ID: Self = Self(4409, "Subscriber for this id already exists");
    /// A second `connection_init`.
    pub const DUPLICATE_INIT: Self = Self(4429, "Too many initialisation requests");
    /// The server is shutting down (RFC 6455's "going away"): reconnect elsewhere.
    pub const GOING_AWAY: Self = Self(1001, "Server shutting down");
    /// The server could not authenticate the connection (a database failure).
    pub const INTERNAL: Self = Self(4500, "Internal server error");
}

/// A message from the client. The legacy protocol's names (`start`, `stop`) are
/// accepted as aliases, as async-graphql did.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    ConnectionInit {
        #[serde(default)]
        payload: Option<Value>,
    },
    #[serde(alias = "start")]
    Subscribe {
        id: String,
        payload: Box<async_graphql::Request>,
    },
    #[serde(alias = "stop")]
    Complete {
        id: String,
    },
    ConnectionTerminate,
    Ping {
        #[serde(default)]
        payload: Option<Value>,
    },
    Pong {},
}

impl ClientMessage {
    /// Parse a text frame; `None` for anything malformed.
    pub fn parse(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }
}

/// `connection_ack`.
pub fn ack() -> Value {
    json!({"type": "connection_ack"})
}

/// `pong`, echoing the ping's payload.
pub fn pong(payload: Option<Value>) -> Value {
    match payload {
        Some(p) => json!({"type": "pong", "payload": p}),
        None => json!({"type": "pong"}),
    }
}

/// A result of operation `id`.
pub fn next(protocol: Protocol, id: &str, response: &async_graphql::Response) -> Value {
    let kind = match protocol {
        Protocol::TransportWs => "next",
        Protocol::Legacy => "data",
    };
    json!({"type": kind, "id": id, "payload": response})
}

/// Operation `id` failed before it produced anything (validation, refusal): `error`
/// with the list of errors in `graphql-transport-ws`; `None` in the legacy protocol,
/// which sends the errors as data followed by `complete`.
pub fn error(protocol: Protocol, id: &str, response: &async_graphql::Response) -> Option<Value> {
    (protocol == Protocol::TransportWs)
        .then(|| json!({"type": "error", "id": id, "payload": response.errors}))
}

/// Operation `id` has ended.
pub fn complete(id: &str) -> Value {
    json!({"type": "complete", "id": id})
}

/// The legacy protocol's refusal of `connection_init`, sent before the close frame.
pub fn connection_error(message: &str) -> Value {
    json!({"type": "connection_error", "payload": {"message": message}})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_of_both_protocols_parse_and_anything_else_is_malformed() {
        assert!(matches!(
            ClientMessage::parse(r#"{"type":"connection_init"}"#),
            Some(ClientMessage::ConnectionInit { payload: None })
        ));
        assert!(matches!(
            ClientMessage::parse(r#"{"type":"subscribe","id":"1","payload":{"query":"{a}"}}"#),
            Some(ClientMessage::Subscribe { .. })
        ));
        assert!(matches!(
            ClientMessage::parse(r#"{"type":"stop","id":"1"}"#),
            Some(ClientMessage::Complete { .. })
        ));
        for bad in [
            "not json",
            r#"{"type":"subscribe","payload":{"query":"{a}"}}"#,
            r#"{"type":"subscribe","id":"1"}"#,
            r#"{"type":"launch"}"#,
            r#"{"id":"1"}"#,
        ] {
            assert!(ClientMessage::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn protocols_are_named_as_the_client_asks() {
        assert_eq!(
            Protocol::from_name(" graphql-transport-ws"),
            Some(Protocol::TransportWs)
        );
        assert_eq!(Protocol::from_name("GraphQL-WS"), Some(Protocol::Legacy));
        assert_eq!(Protocol::from_name("mqtt"), None);
    }
}
