//! Where webhooks may go: a URL must resolve to public addresses only, unless the
//! configuration allows a given address (a partner's system on a private network, or
//! `127.0.0.1` in tests). Checked when an endpoint is registered and again for every
//! attempt: the resolver the sender connects through drops forbidden addresses, so a
//! name that changes to a private address after registration is refused too.
//!
//! Webhooks carry personal data, so a URL that leaves for a public address must be
//! `https`; plain `http` is tolerated only to private addresses the configuration
//! lists, and the plain-http client's resolver holds the connection to them.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::Url;

/// The addresses the configuration allows despite being non-public.
#[derive(Debug, Clone, Default)]
pub struct AddressPolicy {
    allowed: Arc<Vec<IpAddr>>,
}

impl AddressPolicy {
    pub fn new(allowed: Vec<IpAddr>) -> Self {
        Self {
            allowed: Arc::new(allowed),
        }
    }

    /// Whether a webhook may connect to `ip`.
    pub fn permits(&self, ip: IpAddr) -> bool {
        self.allowed.contains(&ip) || !is_non_public(ip)
    }

    /// Whether a webhook may go to `ip` over plain `http`: only to a private address the
    /// configuration lists (a network the operator vouches for).
    pub fn permits_plain_http(&self, ip: IpAddr) -> bool {
        self.allowed.contains(&ip) && is_non_public(ip)
    }
}

/// Loopback, private, link-local, unspecified, multicast, broadcast, shared (CGNAT) or
/// reserved addresses, IPv4 or IPv6 (IPv4-mapped and -compatible ones by their IPv4).
pub fn is_non_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4_non_public(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return v4_non_public(v4);
            }
            let seg = v6.segments();
            // IPv4-compatible (::a.b.c.d), deprecated but still routed by some stacks.
            if seg[..6].iter().all(|s| *s == 0) && !v6.is_unspecified() && !v6.is_loopback() {
                return v4_non_public(Ipv4Addr::new(
                    (seg[6] >> 8) as u8,
                    seg[6] as u8,
                    (seg[7] >> 8) as u8,
                    seg[7] as u8,
                ));
            }
            v6_non_public(v6)
        }
    }
}

fn v4_non_public(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || a >= 240
}

fn v6_non_public(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
        || (first & 0xffc0) == 0xfec0 // site-local fec0::/10 (deprecated)
}

/// Why a URL is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlRefusal {
    #[error("not a valid absolute URL")]
    Malformed,
    #[error("only http and https URLs are allowed")]
    Scheme,
    #[error("credentials in the URL are not allowed")]
    Credentials,
    #[error("the host does not resolve")]
    Unresolved,
    #[error("the host resolves to a loopback, private or link-local address")]
    Forbidden,
    #[error("plain http is allowed only to private addresses the configuration lists; use https")]
    PlainHttp,
}

/// Parse a webhook URL and check every address its host resolves to.
pub async fn check_url(raw: &str, policy: &AddressPolicy) -> Result<Url, UrlRefusal> {
    let url = Url::parse(raw).map_err(|_| UrlRefusal::Malformed)?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(UrlRefusal::Scheme);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(UrlRefusal::Credentials);
    }
    let host = url.host_str().ok_or(UrlRefusal::Malformed)?;
    let port = url.port_or_known_default().ok_or(UrlRefusal::Malformed)?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::net::lookup_host((host, port))
            .await
            .map_err(|_| UrlRefusal::Unresolved)?
            .collect(),
    };
    if addrs.is_empty() {
        return Err(UrlRefusal::Unresolved);
    }
    if addrs.iter().any(|a| !policy.permits(a.ip())) {
        return Err(UrlRefusal::Forbidden);
    }
    // Webhooks carry personal data: across public networks they travel encrypted.
    if url.scheme() == "http" && addrs.iter().any(|a| !policy.permits_plain_http(a.ip())) {
        return Err(UrlRefusal::PlainHttp);
    }
    Ok(url)
}

/// A DNS resolver for the sender's HTTP clients that hands out permitted addresses
/// only: for `https`, those [`AddressPolicy::permits`]; for plain `http`, those
/// [`AddressPolicy::permits_plain_http`].
#[derive(Clone)]
pub struct GuardedResolver {
    pub policy: AddressPolicy,
    pub plain: bool,
}

impl GuardedResolver {
    /// Whether a connection may go to `ip`.
    pub fn admits(&self, ip: IpAddr) -> bool {
        if self.plain {
            self.policy.permits_plain_http(ip)
        } else {
            self.policy.permits(ip)
        }
    }
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let guard = self.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| guard.admits(a.ip()))
                .collect();
            if addrs.is_empty() {
                return Err(Box::new(UrlRefusal::Forbidden) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("an address")
    }

    #[test]
    fn non_public_addresses_are_recognised_in_both_families() {
        for s in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::169.254.169.254",
        ] {
            assert!(is_non_public(ip(s)), "{s} should be refused");
        }
        for s in ["8.8.8.8", "195.158.1.1", "2a00:1450:4001::1", "::ffff:8.8.8.8"] {
            assert!(!is_non_public(ip(s)), "{s} is public");
        }
    }

    #[test]
    fn an_allowed_address_is_permitted_and_its_neighbours_are_not() {
        let policy = AddressPolicy::new(vec![ip("127.0.0.1")]);
        assert!(policy.permits(ip("127.0.0.1")));
        assert!(!policy.permits(ip("127.0.0.2")));
        assert!(!policy.permits(ip("::1")));
    }

    #[tokio::test]
    async fn urls_with_forbidden_hosts_or_schemes_are_refused() {
        let policy = AddressPolicy::default();
        assert_eq!(
            check_url("http://127.0.0.1:9/x", &policy).await,
            Err(UrlRefusal::Forbidden)
        );
        assert_eq!(
            check_url("http://[::ffff:192.168.0.1]/x", &policy).await,
            Err(UrlRefusal::Forbidden)
        );
        assert_eq!(
            check_url("http://localhost:9/x", &policy).await,
            Err(UrlRefusal::Forbidden)
        );
        assert_eq!(
            check_url("ftp://8.8.8.8/x", &policy).await,
            Err(UrlRefusal::Scheme)
        );
        assert_eq!(
            check_url("http://u:p@8.8.8.8/x", &policy).await,
            Err(UrlRefusal::Credentials)
        );
        assert!(check_url("https://8.8.8.8/hook", &policy).await.is_ok());
    }

    #[tokio::test]
    async fn plain_http_goes_only_to_listed_private_addresses() {
        // A public address listed by mistake does not make clear text acceptable.
        let policy = AddressPolicy::new(vec![ip("10.20.0.5"), ip("8.8.4.4")]);
        for url in ["http://8.8.8.8/hook", "http://8.8.4.4/hook"] {
            assert_eq!(check_url(url, &policy).await, Err(UrlRefusal::PlainHttp), "{url}");
        }
        assert!(check_url("http://10.20.0.5:8080/hook", &policy).await.is_ok());
        assert!(check_url("https://10.20.0.5/hook", &policy).await.is_ok());
        assert!(check_url("https://8.8.8.8/hook", &policy).await.is_ok());
    }

    #[test]
    fn the_plain_http_resolver_admits_listed_private_addresses_only() {
        // A name checked against a listed address that later resolves to a public one
        // gets no connection in clear text.
        let policy = AddressPolicy::new(vec![ip("10.20.0.5")]);
        let plain = GuardedResolver {
            policy: policy.clone(),
            plain: true,
        };
        let tls = GuardedResolver { policy, plain: false };
        assert!(plain.admits(ip("10.20.0.5")));
        assert!(!plain.admits(ip("8.8.8.8")));
        assert!(!plain.admits(ip("10.20.0.6")));
        assert!(tls.admits(ip("8.8.8.8")));
        assert!(tls.admits(ip("10.20.0.5")));
        assert!(!tls.admits(ip("10.20.0.6")));
    }
}
