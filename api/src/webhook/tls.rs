//! The TLS client side of webhook delivery: rustls with the *ring* provider (no C
//! toolchain, no process-wide state), TLS 1.2 or 1.3, and certificates checked against
//! the system's certificate authorities — or, on a machine that has none (a minimal
//! container), the Mozilla set bundled with the binary — plus the authorities of
//! `webhook_ca_file`, a partner's private CA.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

/// A client configuration trusting the system's (or the bundled) authorities and those
/// of the PEM file `extra`.
pub fn client_config(extra: Option<&Path>) -> anyhow::Result<rustls::ClientConfig> {
    let roots = roots(extra)?;
    Ok(
        rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

/// The trusted authorities: the system's (or the bundled set), and those of `extra`.
fn roots(extra: Option<&Path>) -> anyhow::Result<rustls::RootCertStore> {
    let mut roots = rustls::RootCertStore::empty();
    let (added, _) = roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    if added == 0 {
        tracing::warn!("the system has no certificate authorities; webhooks trust the bundled Mozilla set");
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    }
    if let Some(path) = extra {
        for cert in extra_roots(path)? {
            roots
                .add(cert)
                .map_err(|e| anyhow::anyhow!("webhook_ca_file {}: {e}", path.display()))?;
        }
    }
    Ok(roots)
}

/// An HTTP client for plain `http` calls (tests, tools): it never needs a certificate,
/// but reqwest builds its TLS side anyway, so it gets the same configuration.
pub fn plain_client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .tls_backend_preconfigured(client_config(None)?)
        .build()?)
}

/// The certificate authorities of a PEM file.
fn extra_roots(path: &Path) -> anyhow::Result<Vec<CertificateDer<'static>>> {
    let pem = std::fs::read(path).map_err(|e| anyhow::anyhow!("webhook_ca_file {}: {e}", path.display()))?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow::anyhow!("webhook_ca_file {}: {e}", path.display()))?;
    if certs.is_empty() {
        anyhow::bail!("webhook_ca_file {} holds no certificate", path.display());
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_or_empty_ca_file_is_refused_with_its_name() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let missing = dir.path().join("absent.pem");
        let err = client_config(Some(&missing)).expect_err("no file").to_string();
        assert!(err.contains("absent.pem"), "{err}");
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate").expect("write");
        let err = client_config(Some(&empty))
            .expect_err("no certificate")
            .to_string();
        assert!(err.contains("no certificate"), "{err}");
    }

    #[test]
    fn there_are_always_authorities_to_trust() {
        // The system's, or the bundled Mozilla set where the system has none.
        assert!(roots(None).expect("roots").len() > 50);
        assert!(client_config(None).is_ok());
        assert!(plain_client().is_ok());
    }
}
