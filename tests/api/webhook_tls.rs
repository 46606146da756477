//! Webhooks over TLS: a partner endpoint with a certificate from the partner's own
//! certificate authority, which Hamkor trusts through `webhook_ca_file`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use hamkor_api::webhook::entity::endpoint;
use hamkor_webhook_receiver::{Receiver, router};
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::helpers::{TestApp, s, spawn_app_with};
use crate::referrals::Setup;
use crate::webhook_delivery::{Partner, partner};
use crate::webhooks::{deliveries, disabled_endpoint, eventually, hook_settings, send_referral};

/// A certificate authority of the partner's and a server certificate it issued for
/// `127.0.0.1`.
struct Pki {
    ca_pem: String,
    cert: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
}

fn pki() -> Pki {
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, "Partner test CA");
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().expect("CA key")).expect("CA");
    let key = KeyPair::generate().expect("server key");
    let mut server = CertificateParams::new(vec!["127.0.0.1".to_owned()]).expect("server params");
    server
        .distinguished_name
        .push(DnType::CommonName, "partner.example.uz");
    let cert = server.signed_by(&key, &ca).expect("server certificate");
    Pki {
        ca_pem: ca.pem(),
        cert: cert.der().clone(),
        key: PrivateKeyDer::try_from(key.serialize_der()).expect("a PKCS#8 key"),
    }
}

/// Serve the example receiver over TLS on `addr`.
async fn start_tls_receiver(addr: SocketAddr, pki: &Pki, receiver: Arc<Receiver>) {
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(vec![pki.cert.clone()], pki.key.clone_key())
        .expect("the server certificate");
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind(addr)
        .await
        .expect("the receiver's port is free");
    let app = router(receiver);
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, app) = (acceptor.clone(), app.clone());
            tokio::spawn(async move {
                // A client that refuses the certificate ends the handshake: nothing to serve.
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tls), TowerToHyperService::new(app))
                    .await;
            });
        }
    });
}

async fn app_trusting(ca_file: Option<PathBuf>) -> TestApp {
    spawn_app_with(|s| {
        hook_settings(s, true);
        s.webhook_timeout_secs = 5;
        s.webhook_ca_file = ca_file;
    })
    .await
}

/// The partner of [`partner`] with an `https` endpoint, its example receiver serving
/// it behind TLS with `pki`'s certificate: (setup, endpoint id, receiver).
async fn partner_behind_tls(app: &TestApp, pki: &Pki) -> (Setup, String, Arc<Receiver>) {
    let Partner {
        st,
        endpoint,
        addr,
        config,
    } = partner(app, "https").await;
    let receiver = Receiver::new(config);
    start_tls_receiver(addr, pki, receiver.clone()).await;
    (st, endpoint, receiver)
}

/// The endpoint's first delivery, once `ready` says it is.
async fn first_delivery(
    app: &TestApp,
    admin: &str,
    endpoint: &str,
    what: &str,
    ready: fn(&Value) -> bool,
) -> Value {
    eventually(what, Duration::from_secs(15), || async move {
        let log = deliveries(app, admin, endpoint).await;
        log.first().filter(|d| ready(d)).cloned()
    })
    .await
}

#[tokio::test]
async fn an_https_endpoint_certified_by_a_configured_authority_receives_verified_webhooks() {
    let pki = pki();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let ca_file = dir.path().join("partner-ca.pem");
    std::fs::write(&ca_file, &pki.ca_pem).expect("the CA file");
    let app = app_trusting(Some(ca_file)).await;
    let (st, endpoint, receiver) = partner_behind_tls(&app, &pki).await;

    let referral = send_referral(&app, &st).await;
    let stats = eventually("the referral accepted over TLS", Duration::from_secs(15), || {
        let receiver = receiver.clone();
        async move {
            let stats = receiver.stats().await;
            (!stats.accepted.is_empty()).then_some(stats)
        }
    })
    .await;
    assert_eq!(stats.rejected, 0, "the signature verifies");
    assert_eq!(stats.accepted, vec![referral]);
    // The receiver accepts the referral before it answers the webhook: wait for the log.
    let d = first_delivery(
        &app,
        &st.p.employment_admin,
        &endpoint,
        "the delivery recorded",
        |d| d["status"] != "PENDING",
    )
    .await;
    assert_eq!(d["status"], "SUCCEEDED", "{d}");
}

#[tokio::test]
async fn an_endpoint_whose_certificate_is_not_trusted_receives_nothing_and_the_log_says_why() {
    let pki = pki();
    // No webhook_ca_file: the partner's authority is unknown to Hamkor.
    let app = app_trusting(None).await;
    let (st, endpoint, receiver) = partner_behind_tls(&app, &pki).await;

    send_referral(&app, &st).await;
    let d = first_delivery(
        &app,
        &st.p.employment_admin,
        &endpoint,
        "a refused attempt",
        |d| d["attemptCount"].as_i64() >= Some(1),
    )
    .await;
    assert_eq!(d["status"], "PENDING", "retried later: {d}");
    let error = d["lastError"].as_str().unwrap_or_default();
    assert!(
        error.contains("certificate"),
        "the log names the certificate: {error}"
    );
    assert!(receiver.stats().await.handled.is_empty(), "nothing got through");
}

#[tokio::test]
async fn plain_http_to_a_public_address_is_refused() {
    let app = app_trusting(None).await;
    let st = crate::referrals::setup(&app).await;
    let r = crate::webhooks::create_endpoint(
        &app,
        &st.p.employment_admin,
        "http://8.8.8.8/hook",
        &["referral.sent"],
    )
    .await;
    r.expect_code("BAD_USER_INPUT");
    let message = r.body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("use https"), "{message}");
}

#[tokio::test]
async fn an_endpoint_left_on_plain_http_to_a_public_address_is_switched_off_with_the_reason() {
    let app = app_trusting(None).await;
    let Partner { st, endpoint, .. } = partner(&app, "https").await;
    // Registered when plain http was still accepted everywhere.
    let (_, id) = hamkor_api::ids::decode(&endpoint).expect("an endpoint id");
    endpoint::Entity::update_many()
        .col_expr(endpoint::Column::Url, Expr::value("http://8.8.8.8/hook"))
        .filter(endpoint::Column::Id.eq(id))
        .exec(app.db())
        .await
        .expect("an old endpoint");
    send_referral(&app, &st).await;
    let ep = disabled_endpoint(&app, &st.p.employment_admin, &endpoint).await;
    assert!(s(&ep, "disabledReason").contains("use https"), "{ep}");
    let d = first_delivery(
        &app,
        &st.p.employment_admin,
        &endpoint,
        "the failed delivery",
        |d| d["status"] == "FAILED",
    )
    .await;
    assert_eq!(d["attemptCount"], 1, "given up at once, not retried for days");
}
