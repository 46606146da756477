//! Run the example receiver:
//!
//! ```text
//! RECEIVER_LISTEN=127.0.0.1:9000 \
//! WEBHOOK_SECRET=whsec_… \
//! HAMKOR_GRAPHQL_URL=http://127.0.0.1:8080/graphql \
//! HAMKOR_CLIENT_ID=svc_… HAMKOR_CLIENT_SECRET=hks_… \
//! cargo run -p hamkor-webhook-receiver
//! ```
//!
//! and register `http://127.0.0.1:9000/webhooks` as a webhook endpoint. Hamkor refuses
//! loopback addresses, and plain `http`, unless `webhook_allowed_addresses` lists
//! 127.0.0.1 (start it with `HAMKOR_WEBHOOK_ALLOWED_ADDRESSES=127.0.0.1`). In production
//! the receiver sits behind TLS (`https://…`): Hamkor sends webhooks to public
//! addresses over `https` only.

use hamkor_webhook_receiver::{Config, Receiver, serve};

fn env(name: &str) -> anyhow::Result<String> {
    std::env::var(name).map_err(|_| anyhow::anyhow!("set {name}"))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let listen = std::env::var("RECEIVER_LISTEN").unwrap_or_else(|_| "127.0.0.1:9000".to_owned());
    let receiver = Receiver::new(Config {
        webhook_secret: env("WEBHOOK_SECRET")?,
        graphql_url: env("HAMKOR_GRAPHQL_URL")?,
        client_id: env("HAMKOR_CLIENT_ID")?,
        client_secret: env("HAMKOR_CLIENT_SECRET")?,
    });
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    eprintln!("receiving webhooks on http://{listen}/webhooks");
    serve(listener, receiver).await?;
    Ok(())
}
