//! The MQTT door: Hamkor subscribes to `<vendor prefix>/+/events` for every active
//! vendor, QoS 1, with a persistent session (`clean_session = false`, a stable client
//! id) and manual acknowledgements: a message is acknowledged only after the pipeline
//! committed it, so a subscriber that stops mid-stream gets the unacknowledged ones
//! again from the broker when it comes back (and the vendor event ids make the second
//! delivery change nothing).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use hamkor_api::state::AppState;
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, Publish, QoS};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use tokio::sync::RwLock;

use super::pipeline;
use crate::config::MqttSettings;
use crate::entity::{IngestSource, vendor};

/// How often the vendor list is re-read (a vendor registered later is subscribed to).
const RESUBSCRIBE_EVERY: Duration = Duration::from_secs(60);

/// The options for `settings`: the URL with its client id, a persistent session.
pub fn options(settings: &MqttSettings) -> anyhow::Result<MqttOptions> {
    let sep = if settings.url.contains('?') { '&' } else { '?' };
    let url = format!("{}{sep}client_id={}", settings.url, settings.client_id);
    let mut opts = MqttOptions::parse_url(url).map_err(|e| anyhow::anyhow!("HAMKOR_MQTT_URL: {e}"))?;
    opts.set_clean_session(false);
    opts.set_manual_acks(true);
    opts.set_keep_alive(Duration::from_secs(30));
    opts.set_max_packet_size(8 * 1024 * 1024, 8 * 1024 * 1024);
    Ok(opts)
}

/// The vendors subscribed to, by topic prefix.
type Prefixes = Arc<RwLock<BTreeMap<String, vendor::Model>>>;

/// Aborts the task it holds when dropped (the subscriber's helper dies with it).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Subscribe and feed the pipeline until the task is stopped; reconnects on its own.
/// The event loop is polled without interruption (its `poll` is not cancel-safe, and it
/// is what sends the acknowledgements): messages go, in order, to a worker that runs the
/// pipeline and acknowledges each. The broker sends at most its in-flight window of
/// unacknowledged messages, which bounds the worker's queue. The periodic re-reading of
/// the vendor list runs beside it on a clone of the client.
pub async fn run(app: AppState, settings: MqttSettings) {
    let opts = match options(&settings) {
        Ok(o) => o,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "electronic monitoring: MQTT door off");
            return;
        }
    };
    let (client, mut eventloop) = AsyncClient::new(opts, 256);
    let prefixes: Prefixes = Arc::default();
    let _resubscribe = AbortOnDrop(tokio::spawn({
        let (app, client, prefixes) = (app.clone(), client.clone(), prefixes.clone());
        async move {
            let mut tick = tokio::time::interval(RESUBSCRIBE_EVERY);
            tick.tick().await;
            loop {
                tick.tick().await;
                subscribe(&app, &client, &prefixes, false).await;
            }
        }
    }));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Publish>();
    let _worker = AbortOnDrop(tokio::spawn({
        let (app, client, prefixes) = (app.clone(), client.clone(), prefixes.clone());
        async move {
            while let Some(p) = rx.recv().await {
                if handle(&app, &prefixes, &p).await
                    && let Err(e) = client.ack(&p).await
                {
                    tracing::warn!(error = %e, "electronic monitoring: MQTT ack failed");
                }
            }
        }
    }));
    loop {
        match eventloop.poll().await {
            Ok(Event::Incoming(Packet::ConnAck(_))) => {
                tracing::info!("electronic monitoring: MQTT connected");
                subscribe(&app, &client, &prefixes, true).await;
            }
            Ok(Event::Incoming(Packet::Publish(p))) => {
                if tx.send(p).is_err() {
                    return;
                }
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "electronic monitoring: MQTT connection lost; reconnecting");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

async fn subscribe(app: &AppState, client: &AsyncClient, prefixes: &Prefixes, all: bool) {
    let vendors = match vendor::Entity::find()
        .filter(vendor::Column::Active.eq(true))
        .all(&app.db)
        .await
    {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(error = %e, "electronic monitoring: reading vendors");
            return;
        }
    };
    for v in vendors {
        let new = !prefixes.read().await.contains_key(&v.topic_prefix);
        if (all || new)
            && let Err(e) = client
                .subscribe(format!("{}/+/events", v.topic_prefix), QoS::AtLeastOnce)
                .await
        {
            tracing::warn!(error = %e, "electronic monitoring: MQTT subscribe failed");
            continue;
        }
        prefixes.write().await.insert(v.topic_prefix.clone(), v);
    }
}

/// Feed one message to the pipeline; `true` when it may be acknowledged (stored, set
/// aside or dead-lettered: never lost).
async fn handle(app: &AppState, prefixes: &Prefixes, p: &Publish) -> bool {
    let topic = p.topic.as_str();
    let Some((prefix, serial)) = topic
        .strip_suffix("/events")
        .and_then(|rest| rest.rsplit_once('/'))
    else {
        return true;
    };
    let Some(v) = prefixes.read().await.get(prefix).cloned() else {
        tracing::warn!("electronic monitoring: message on a topic of no known vendor");
        return pipeline::dead_letter(
            &app.db,
            None,
            IngestSource::Mqtt,
            "no vendor for the topic",
            &p.payload,
        )
        .await
        .is_ok();
    };
    match pipeline::ingest(app, &v, IngestSource::Mqtt, &p.payload, Some(serial)).await {
        Ok(_) => true,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "electronic monitoring: ingest failed; the broker keeps the message");
            false
        }
    }
}
