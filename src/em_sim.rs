//! `hamkor em-sim`: a tag's vendor, simulated, sending to a running Hamkor: signed
//! batches to its HTTPS door (`POST /monitoring/v1/events`, Standard Webhooks) or
//! messages to the MQTT broker it subscribes to. The scenarios follow one night (local
//! time) and the day after: `path` (a day around the district), `curfew-breach` (a night
//! at home but 25 minutes out from 23:10), `tamper` (the strap, at 02:30), `signal-loss`
//! (lost at 03:00, back at 04:00). Event ids derive from the device and the time, so
//! sending the same night twice shows the deduplication.

// Reporting what the door answered is this command's job.
#![allow(clippy::print_stdout)]

use std::time::Duration;

use anyhow::Context;
use chrono::{NaiveDate, NaiveTime, Timelike, Utc};
use clap::{Args, ValueEnum};
use hamkor_api::case::geofence::CASE_TZ;
use hamkor_electronic_monitoring::entity::vendor;
use hamkor_electronic_monitoring::ingest::https::PATH;
use hamkor_electronic_monitoring::ingest::message::{Body, Event};
use hamkor_electronic_monitoring::{demo, sim};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// What the simulated device does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Scenario {
    /// The day after the night around the district (a fix every 5 minutes).
    Path,
    /// The night from 21:00 to 06:00 at home, but 700 m out from 23:10 for 25 minutes.
    CurfewBreach,
    /// A strap tamper at 02:30.
    Tamper,
    /// The signal lost at 03:00 and back at 04:00 (no fixes in between).
    SignalLoss,
    /// All of the above.
    All,
}

#[derive(Args)]
pub struct EmSimArgs {
    /// The running Hamkor; events are posted to its `/monitoring/v1/events`.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// Publish to this MQTT broker (`mqtt://127.0.0.1:1883`) instead, QoS 1, on
    /// `<vendor>/<serial>/events`.
    #[arg(long)]
    mqtt: Option<String>,
    /// The vendor's code (its topic prefix).
    #[arg(long, default_value = demo::VENDOR_CODE)]
    vendor: String,
    /// The vendor's signing secret (`whsec_…`); read from the database (DATABASE_URL)
    /// when left out, as for the local demo.
    #[arg(long, env = "HAMKOR_EM_SIM_SECRET", hide_env_values = true)]
    secret: Option<String>,
    /// The device's serial.
    #[arg(long, default_value = demo::SERIAL)]
    serial: String,
    /// Home latitude.
    #[arg(long, default_value_t = demo::HOME.0, allow_negative_numbers = true)]
    lat: f64,
    /// Home longitude.
    #[arg(long, default_value_t = demo::HOME.1, allow_negative_numbers = true)]
    lon: f64,
    /// The local date the night starts (default: the last night that is over).
    #[arg(long)]
    night: Option<NaiveDate>,
    /// What to send (repeatable).
    #[arg(long = "scenario", value_enum, default_values_t = [Scenario::All])]
    scenarios: Vec<Scenario>,
    /// Events per message.
    #[arg(long, default_value_t = 120)]
    batch: usize,
    /// Pause between messages, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pause_ms: u64,
}

/// The events of `scenarios` for one device, in time order.
pub fn events(serial: &str, home: (f64, f64), night: NaiveDate, scenarios: &[Scenario]) -> Vec<Event> {
    let has = |s| scenarios.contains(&s) || scenarios.contains(&Scenario::All);
    let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default();
    let next = night.succ_opt().unwrap_or(night);
    let mut out = Vec::new();
    if has(Scenario::CurfewBreach) {
        out.extend(sim::night(
            serial,
            home,
            night,
            t(21, 0),
            9 * 60,
            Some((t(23, 10), 25)),
            700.0,
        ));
    }
    if has(Scenario::Path) {
        out.extend(sim::day(serial, home, next, 5));
    }
    if has(Scenario::Tamper) {
        out.push(sim::tamper(serial, sim::local(next, t(2, 30))));
    }
    if has(Scenario::SignalLoss) {
        let (lost, back) = (sim::local(next, t(3, 0)), sim::local(next, t(4, 0)));
        out.retain(|e| !matches!(e.body, Body::Position { .. }) || e.at < lost || e.at >= back);
        out.push(sim::signal(serial, lost, true));
        out.push(sim::signal(serial, back, false));
    }
    out.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.id.cmp(&b.id)));
    out
}

/// The last local night that is over (it ends at 06:00).
fn last_night() -> NaiveDate {
    let local = Utc::now().with_timezone(&CASE_TZ);
    local.date_naive() - chrono::Duration::days(if local.hour() >= 7 { 1 } else { 2 })
}

async fn secret_from_db(code: &str) -> anyhow::Result<String> {
    let settings = hamkor_api::config::Settings::load()?;
    let db = hamkor_api::db::connect(&settings.database_url, 1).await?;
    let v = vendor::Entity::find()
        .filter(vendor::Column::TopicPrefix.eq(code))
        .one(&db)
        .await?
        .with_context(|| format!("no vendor `{code}` in the database; pass --secret"))?;
    Ok(v.signing_secret)
}

/// Send the scenarios.
pub async fn run(args: EmSimArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.batch > 0, "--batch: at least 1");
    let night = args.night.unwrap_or_else(last_night);
    let all = events(&args.serial, (args.lat, args.lon), night, &args.scenarios);
    println!(
        "{} events of {} for the night of {night} ({} messages)",
        all.len(),
        args.serial,
        all.len().div_ceil(args.batch)
    );
    let pause = Duration::from_millis(args.pause_ms);
    if let Some(url) = &args.mqtt {
        return mqtt(url, &args, &all, pause).await;
    }
    let secret = match &args.secret {
        Some(s) => s.clone(),
        None => secret_from_db(&args.vendor).await?,
    };
    let client = reqwest::Client::builder()
        .tls_backend_preconfigured(hamkor_api::webhook::tls::client_config(None)?)
        .build()?;
    let endpoint = format!("{}{PATH}", args.url.trim_end_matches('/'));
    for (n, chunk) in all.chunks(args.batch).enumerate() {
        let body = sim::batch(chunk);
        let ts = Utc::now().timestamp();
        let first = chunk.first().map_or(0, |e| e.at.timestamp());
        let (id, ts, sig) = sim::signed(&secret, &format!("msg_{}_{first}_{n}", args.serial), ts, &body);
        let r = client
            .post(&endpoint)
            .header("content-type", "application/json")
            .header("hamkor-vendor", &args.vendor)
            .header("webhook-id", id)
            .header("webhook-timestamp", ts)
            .header("webhook-signature", sig)
            .body(body)
            .send()
            .await
            .with_context(|| format!("posting to {endpoint}"))?;
        let status = r.status();
        let text = r.text().await.unwrap_or_default();
        println!("message {}: {status} {text}", n + 1);
        anyhow::ensure!(status.is_success(), "the door refused the message");
        tokio::time::sleep(pause).await;
    }
    Ok(())
}

async fn mqtt(url: &str, args: &EmSimArgs, all: &[Event], pause: Duration) -> anyhow::Result<()> {
    use rumqttc::{AsyncClient, Event as MqttEvent, MqttOptions, Packet, QoS};

    let sep = if url.contains('?') { '&' } else { '?' };
    let id = format!("hamkor-em-sim-{}", std::process::id());
    let mut opts = MqttOptions::parse_url(format!("{url}{sep}client_id={id}"))
        .map_err(|e| anyhow::anyhow!("--mqtt: {e}"))?;
    // As the subscriber allows: a batch of buffered fixes is larger than rumqttc's 10 KiB.
    opts.set_max_packet_size(8 * 1024 * 1024, 8 * 1024 * 1024);
    let (client, mut eventloop) = AsyncClient::new(opts, 64);
    let topic = format!("{}/{}/events", args.vendor, args.serial);
    let messages: Vec<Vec<u8>> = all.chunks(args.batch).map(sim::batch).collect();
    let total = messages.len();
    let publisher = tokio::spawn(async move {
        for m in messages {
            client.publish(&topic, QoS::AtLeastOnce, false, m).await?;
            tokio::time::sleep(pause).await;
        }
        anyhow::Ok(client)
    });
    let mut acked = 0;
    while acked < total {
        match tokio::time::timeout(Duration::from_secs(30), eventloop.poll()).await {
            Ok(Ok(MqttEvent::Incoming(Packet::PubAck(_)))) => {
                acked += 1;
                println!("message {acked}: acknowledged by the broker");
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) => anyhow::bail!("MQTT: {e}"),
            Err(_) => anyhow::bail!("MQTT: no acknowledgement for 30 s"),
        }
    }
    let client = publisher.await??;
    client.disconnect().await.ok();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scenario_sends_its_events_in_time_order() {
        let night = NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
        let all = events("T", demo::HOME, night, &[Scenario::All]);
        let kinds = |k: &str| all.iter().filter(|e| e.body.kind() == k).count();
        assert_eq!(kinds("TAMPER"), 1);
        assert_eq!((kinds("SIGNAL_LOST"), kinds("SIGNAL_RESTORED")), (1, 1));
        // No fix while the signal is lost (03:00–04:00 local, 22:00–23:00 UTC).
        assert!(all.iter().all(|e| e.body.kind() != "POSITION" || {
            let local = e.at.with_timezone(&CASE_TZ);
            !(local.date_naive() == night.succ_opt().expect("next") && local.hour() == 3)
        }));
        assert!(all.windows(2).all(|w| w[0].at <= w[1].at));
        let breach_only = events("T", demo::HOME, night, &[Scenario::CurfewBreach]);
        assert_eq!(breach_only.len(), 9 * 60);
    }
}
