//! The MQTT door: Hamkor subscribes to `<vendor prefix>/+/events` for every active
//! vendor, QoS 1, with a persistent session (`clean_session = false`, a stable client
//! id) and manual acknowledgements: a message is acknowledged only after the pipeline
//! committed it, so a subscriber that stops mid-stream gets the unacknowledged ones
//! again from the broker when it comes back (and the vendor event ids make the second
//! delivery change nothing).

use std::collections::BTreeMap;
use std::time::Duration;

use hamkor_api::state::AppState;
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, Publish, QoS};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

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

/// Subscribe and feed the pipeline until the task is stopped; reconnects on its own.
pub async fn run(app: AppState, settings: MqttSettings) {
    let opts = match options(&settings) {
        Ok(o) => o,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "electronic monitoring: MQTT door off");
            return;
        }
    };
    let (client, mut eventloop) = AsyncClient::new(opts, 256);
    let mut prefixes: BTreeMap<String, vendor::Model> = BTreeMap::new();
    let mut tick = tokio::time::interval(RESUBSCRIBE_EVERY);
    loop {
        tokio::select! {
            _ = tick.tick() => subscribe(&app, &client, &mut prefixes, false).await,
            polled = eventloop.poll() => match polled {
                Ok(Event::Incoming(Packet::ConnAck(_))) => {
                    tracing::info!("electronic monitoring: MQTT connected");
                    subscribe(&app, &client, &mut prefixes, true).await;
                }
                Ok(Event::Incoming(Packet::Publish(p))) => {
                    if handle(&app, &prefixes, &p).await {
                        if let Err(e) = client.ack(&p).await {
                            tracing::warn!(error = %e, "electronic monitoring: MQTT ack failed");
                        }
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "electronic monitoring: MQTT connection lost; reconnecting");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            },
        }
    }
}

async fn subscribe(app: &AppState, client: &AsyncClient, prefixes: &mut BTreeMap<String, vendor::Model>, all: bool) {
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
        let new = !prefixes.contains_key(&v.topic_prefix);
        if (all || new)
            && let Err(e) = client
                .subscribe(format!("{}/+/events", v.topic_prefix), QoS::AtLeastOnce)
                .await
        {
            tracing::warn!(error = %e, "electronic monitoring: MQTT subscribe failed");
            continue;
        }
        prefixes.insert(v.topic_prefix.clone(), v);
    }
}

/// Feed one message to the pipeline; `true` when it may be acknowledged (stored, set
/// aside or dead-lettered: never lost).
async fn handle(app: &AppState, prefixes: &BTreeMap<String, vendor::Model>, p: &Publish) -> bool {
    let topic = p.topic.as_str();
    let Some((prefix, serial)) = topic
        .strip_suffix("/events")
        .and_then(|rest| rest.rsplit_once('/'))
    else {
        return true;
    };
    let Some(v) = prefixes.get(prefix) else {
        tracing::warn!("electronic monitoring: message on a topic of no known vendor");
        return pipeline::dead_letter(&app.db, None, IngestSource::Mqtt, "no vendor for the topic", &p.payload)
            .await
            .is_ok();
    };
    match pipeline::ingest(app, v, IngestSource::Mqtt, &p.payload, Some(serial)).await {
        Ok(_) => true,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "electronic monitoring: ingest failed; the broker keeps the message");
            false
        }
    }
}
