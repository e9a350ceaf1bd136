//! Which proxy, if any, a request goes through.
//!
//! Why our own rule on top of reqwest's: reqwest (through hyper-util) reads `HTTP_PROXY`,
//! `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY` the way curl does, but sends loopback through
//! the proxy too, so a healthy simulator on `127.0.0.1` is reported down by any user with a
//! corporate `HTTP_PROXY`. We follow Go's `net/http` instead: loopback (`127.0.0.0/8`, `::1`,
//! `localhost`, `*.localhost`) is always direct; every other host follows the environment
//! (`NO_PROXY` with curl's rules, `*` included; SOCKS5 through `socks5://` and `socks5h://`).
//! An explicit proxy ([`crate::ClientBuilder::proxy`]) is used for every host, loopback
//! included: the caller asked for it.
//!
//! The environment is read once, when a client is built ([`ProxyConfig::from_env`]), through
//! a lookup function so tests can give their own. reqwest gets the decision as a
//! `Proxy::custom`, so the same function decides the route and names the proxy in errors.

use crate::error::{Error, Result};
use std::net::IpAddr;

/// The proxy settings a client was built with: explicit, or read from the environment.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum ProxyConfig {
    /// Every request through this proxy.
    Explicit(Target),
    /// The environment's proxies, loopback always direct.
    Env {
        http: Option<Target>,
        https: Option<Target>,
        no_proxy: NoProxy,
    },
}

/// A proxy's URL (credentials included, for reqwest) and its name without them (for errors).
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct Target {
    pub url: reqwest::Url,
    pub shown: String,
}

impl std::fmt::Debug for Target {
    // Never the credentials.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

impl Target {
    /// A proxy URL as users write it (`host:3128` means `http://host:3128`); `source` names
    /// the setting for the error (`HTTP_PROXY`, `proxy`). Only the schemes reqwest speaks.
    pub(crate) fn parse(raw: &str, source: &str) -> Result<Target> {
        let raw = raw.trim();
        let with_scheme = if raw.contains("://") {
            raw.to_owned()
        } else {
            format!("http://{raw}")
        };
        let bad = |why: &str| {
            Error::invalid(format!(
                "{source} is not a usable proxy URL ({why}); expected \
                 http://, https://, socks5:// or socks5h://host:port"
            ))
        };
        let url = reqwest::Url::parse(&with_scheme).map_err(|_| bad("not a URL"))?;
        if !matches!(url.scheme(), "http" | "https" | "socks5" | "socks5h") {
            return Err(bad(&format!("scheme {:?}", url.scheme())));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(bad("no host"));
        }
        let mut shown = url.clone();
        // Infallible on a URL with a host.
        let _ = shown.set_username("");
        let _ = shown.set_password(None);
        let shown = shown.as_str().trim_end_matches('/').to_owned();
        Ok(Target { url, shown })
    }

    /// The proxy's password and user, percent-decoded, for the redactor.
    pub(crate) fn secrets(&self) -> Vec<String> {
        let decode = |s: &str| {
            let bytes: Vec<u8> = percent_decode(s.as_bytes());
            String::from_utf8_lossy(&bytes).into_owned()
        };
        let mut out = Vec::new();
        if let Some(password) = self.url.password() {
            out.push(password.to_owned());
            out.push(decode(password));
        }
        out
    }
}

impl ProxyConfig {
    /// The settings from the process environment.
    pub(crate) fn from_env() -> Result<ProxyConfig> {
        ProxyConfig::from_lookup(|name| std::env::var(name).ok())
    }

    /// The settings from `lookup` (an environment). Upper case wins over lower case, as in
    /// curl and Go; `HTTP_PROXY` is ignored under CGI (`REQUEST_METHOD` set), where a
    /// request's `Proxy:` header would set it ("httpoxy").
    pub(crate) fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<ProxyConfig> {
        let get = |names: &[&str]| -> Option<(String, String)> {
            names.iter().find_map(|n| {
                lookup(n)
                    .filter(|v| !v.trim().is_empty())
                    .map(|v| (n.to_string(), v))
            })
        };
        let target = |names: &[&str]| -> Result<Option<Target>> {
            get(names)
                .map(|(name, value)| Target::parse(&value, &name))
                .transpose()
        };
        let all = target(&["ALL_PROXY", "all_proxy"])?;
        let cgi = lookup("REQUEST_METHOD").is_some();
        let http = if cgi {
            target(&["http_proxy"])?
        } else {
            target(&["HTTP_PROXY", "http_proxy"])?
        };
        let https = target(&["HTTPS_PROXY", "https_proxy"])?;
        let no_proxy = NoProxy::parse(
            &get(&["NO_PROXY", "no_proxy"])
                .map(|(_, v)| v)
                .unwrap_or_default(),
        );
        Ok(ProxyConfig::Env {
            http: http.or_else(|| all.clone()),
            https: https.or(all),
            no_proxy,
        })
    }

    /// The proxy for a request to `url`, or `None` to connect directly.
    pub(crate) fn proxy_for(&self, url: &reqwest::Url) -> Option<&Target> {
        match self {
            ProxyConfig::Explicit(target) => Some(target),
            ProxyConfig::Env {
                http,
                https,
                no_proxy,
            } => {
                let host = url.host_str()?;
                if is_loopback(host) || no_proxy.matches(host, url.port_or_known_default()) {
                    return None;
                }
                match url.scheme() {
                    "https" => https.as_ref(),
                    _ => http.as_ref(),
                }
            }
        }
    }

    /// Every secret the settings hold (proxy passwords), for the redactor.
    pub(crate) fn secrets(&self) -> Vec<String> {
        match self {
            ProxyConfig::Explicit(t) => t.secrets(),
            ProxyConfig::Env { http, https, .. } => http
                .iter()
                .chain(https.iter())
                .flat_map(Target::secrets)
                .collect(),
        }
    }

    /// The reqwest proxy that applies this decision (the environment's own reading in reqwest
    /// is turned off by adding it).
    pub(crate) fn to_reqwest(&self) -> reqwest::Proxy {
        let me = self.clone();
        reqwest::Proxy::custom(move |url| me.proxy_for(url).map(|t| t.url.clone()))
    }
}

/// Go's and curl's loopback names: `localhost` and its subdomains, `127.0.0.0/8`, `::1`.
pub(crate) fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let host = host.strip_suffix('.').unwrap_or(host);
    if host.eq_ignore_ascii_case("localhost")
        || host.len() > ".localhost".len()
            && host[host.len() - ".localhost".len()..].eq_ignore_ascii_case(".localhost")
    {
        return true;
    }
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        Ok(ip) => ip.is_loopback(),
        Err(_) => false,
    }
}

/// `NO_PROXY` with curl's rules: comma-separated (spaces too); `*` alone matches every host;
/// an IP address or CIDR block matches addresses in it; any other entry is a domain (a leading
/// `.` or `*.` and a trailing dot are optional) matching itself and its subdomains,
/// case-insensitively. As in Go's `httpproxy` and Python's `urllib`, an entry may end in a
/// port (`example.com:443`, `10.0.0.1:8080`, `[::1]:9`): it then matches that port only.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct NoProxy {
    all: bool,
    nets: Vec<(IpAddr, u8, Option<u16>)>,
    domains: Vec<(String, Option<u16>)>,
}

impl NoProxy {
    pub(crate) fn parse(value: &str) -> NoProxy {
        let mut out = NoProxy::default();
        for entry in value
            .split(|c: char| c == ',' || c.is_ascii_whitespace())
            .filter(|e| !e.is_empty())
        {
            if entry == "*" {
                out.all = true;
                continue;
            }
            let (entry, port) = split_port(entry);
            if let Some((net, bits)) = parse_net(entry) {
                out.nets.push((net, bits, port));
            } else {
                let domain = entry.trim_start_matches("*.").trim_start_matches('.');
                let domain = domain.trim_end_matches('.').to_ascii_lowercase();
                if !domain.is_empty() {
                    out.domains.push((domain, port));
                }
            }
        }
        out
    }

    /// Whether a request to `host` on `port` (the URL's, or its scheme's default) goes direct.
    pub(crate) fn matches(&self, host: &str, port: Option<u16>) -> bool {
        if self.all {
            return true;
        }
        let port_ok = |want: Option<u16>| want.is_none() || want == port;
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = bare.parse::<IpAddr>() {
            // An IPv4-mapped IPv6 address is its IPv4 address for the IPv4 blocks.
            let mapped = match ip {
                IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4),
                IpAddr::V4(_) => None,
            };
            return self.nets.iter().any(|&(net, bits, want)| {
                port_ok(want)
                    && (in_net(ip, net, bits) || mapped.is_some_and(|m| in_net(m, net, bits)))
            });
        }
        let host = bare.trim_end_matches('.').to_ascii_lowercase();
        self.domains.iter().any(|(d, want)| {
            port_ok(*want)
                && (host == *d
                    || (host.len() > d.len()
                        && host.ends_with(d.as_str())
                        && host.as_bytes()[host.len() - d.len() - 1] == b'.'))
        })
    }
}

/// An entry's host and its port, if it ends in one: `h:443`, `1.2.3.4:80`, `[::1]:9`. A bare
/// IPv6 address (`::1`, `2001:db8::/32`) has colons but no port.
fn split_port(entry: &str) -> (&str, Option<u16>) {
    if let Some(rest) = entry.strip_prefix('[')
        && let Some((addr, after)) = rest.split_once(']')
    {
        let port = after.strip_prefix(':').and_then(|p| p.parse().ok());
        return (addr, port);
    }
    match entry.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => match port.parse() {
            Ok(port) => (host, Some(port)),
            Err(_) => (entry, None),
        },
        _ => (entry, None),
    }
}

/// `10.0.0.0/8`, `::1`, `[::1]` as an address and a prefix length.
fn parse_net(entry: &str) -> Option<(IpAddr, u8)> {
    let (addr, bits) = match entry.split_once('/') {
        Some((a, b)) => (a, Some(b.parse::<u8>().ok()?)),
        None => (entry, None),
    };
    let ip: IpAddr = addr
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let bits = bits.unwrap_or(max);
    (bits <= max).then_some((ip, bits))
}

fn in_net(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

/// `%XX` escapes decoded (the `percent-encoding` crate, what `url` uses); a bad escape is kept
/// as is.
fn percent_decode(s: &[u8]) -> Vec<u8> {
    percent_encoding::percent_decode(s).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> ProxyConfig {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ProxyConfig::from_lookup(move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        })
        .expect("valid proxy settings")
    }

    fn route(config: &ProxyConfig, url: &str) -> Option<String> {
        config
            .proxy_for(&reqwest::Url::parse(url).expect("url"))
            .map(|t| t.shown.clone())
    }

    #[test]
    fn loopback_is_always_direct() {
        let c = env(&[
            ("HTTP_PROXY", "http://proxy:3128"),
            ("HTTPS_PROXY", "http://proxy:3128"),
            ("ALL_PROXY", "socks5://proxy:1080"),
        ]);
        for url in [
            "http://127.0.0.1:8080/",
            "http://127.8.9.10/",
            "http://localhost/",
            "http://LOCALHOST./",
            "https://sim.localhost/",
            "http://[::1]:9/",
            "http://[::ffff:127.0.0.1]/",
        ] {
            assert_eq!(route(&c, url), None, "{url}");
        }
        for url in [
            "http://api.witi.me/",
            "http://10.0.0.1/",
            "http://localhost.evil.com/",
            "http://notlocalhost/",
        ] {
            assert_eq!(
                route(&c, url).as_deref(),
                Some("http://proxy:3128"),
                "{url}"
            );
        }
    }

    #[test]
    fn the_environment_decides_for_remote_hosts() {
        let c = env(&[
            ("https_proxy", "proxy:3128"),
            ("ALL_PROXY", "socks5h://u:p@s:1080"),
        ]);
        assert_eq!(
            route(&c, "https://api.witi.me/").as_deref(),
            Some("http://proxy:3128")
        );
        assert_eq!(
            route(&c, "http://api.witi.me/").as_deref(),
            Some("socks5h://s:1080")
        );
        assert_eq!(route(&env(&[]), "http://api.witi.me/"), None);
        // Upper case wins; under CGI, HTTP_PROXY is not trusted.
        let c = env(&[
            ("HTTP_PROXY", "http://up:1"),
            ("http_proxy", "http://low:1"),
        ]);
        assert_eq!(route(&c, "http://h/").as_deref(), Some("http://up:1"));
        let c = env(&[("HTTP_PROXY", "http://evil:1"), ("REQUEST_METHOD", "GET")]);
        assert_eq!(route(&c, "http://h/"), None);
    }

    #[test]
    fn no_proxy_follows_curl() {
        let c = env(&[
            ("ALL_PROXY", "http://proxy:3128"),
            (
                "NO_PROXY",
                " witi.me, .corp.example ,10.0.0.0/8, 192.168.1.7,[2001:db8::1], *.wild.example",
            ),
        ]);
        for direct in [
            "http://witi.me/",
            "http://api.WITI.me/",
            "http://a.corp.example/",
            "http://corp.example/",
            "http://10.200.3.4/",
            "http://192.168.1.7/",
            "http://[2001:db8::1]/",
            "http://x.wild.example/",
        ] {
            assert_eq!(route(&c, direct), None, "{direct}");
        }
        for proxied in [
            "http://notwiti.me/",
            "http://11.0.0.1/",
            "http://192.168.1.8/",
            "http://witi.me.evil/",
        ] {
            assert!(route(&c, proxied).is_some(), "{proxied}");
        }
        // Ports (Go's and Python's rule), trailing dots, spaces as separators, mapped IPv4.
        let c = env(&[
            ("ALL_PROXY", "http://proxy:3128"),
            (
                "NO_PROXY",
                "api.witi.me:443 example.org. 10.0.0.0/8:8080,[2001:db8::1]:9, 192.168.0.0/16",
            ),
        ]);
        for direct in [
            "https://api.witi.me/",
            "http://api.witi.me:443/",
            "http://www.example.org/",
            "http://example.org./",
            "http://10.1.2.3:8080/",
            "http://[2001:db8::1]:9/",
            "http://[::ffff:192.168.3.4]/",
        ] {
            assert_eq!(route(&c, direct), None, "{direct}");
        }
        for proxied in [
            "http://api.witi.me/",
            "https://api.witi.me:8443/",
            "http://10.1.2.3/",
            "http://[2001:db8::1]/",
            "http://[::ffff:11.0.0.1]/",
        ] {
            assert!(route(&c, proxied).is_some(), "{proxied}");
        }
        let c = env(&[("ALL_PROXY", "http://proxy:3128"), ("no_proxy", "*")]);
        assert_eq!(route(&c, "http://8.8.8.8/"), None);
        assert_eq!(route(&c, "https://api.witi.me/"), None);
    }

    #[test]
    fn a_bad_proxy_is_an_invalid_argument_without_its_password() {
        for bad in [
            "ftp://u:hunter2@proxy:21",
            "http://u:hunter2@",
            "socks4://u:hunter2@p:1",
        ] {
            let e = ProxyConfig::from_lookup(|n| (n == "HTTPS_PROXY").then(|| bad.to_owned()))
                .expect_err(bad);
            assert_eq!(e.code().as_str(), "invalid_argument");
            let text = e.to_string();
            assert!(
                text.contains("HTTPS_PROXY") && !text.contains("hunter2"),
                "{text}"
            );
        }
    }

    #[test]
    fn a_shown_proxy_has_no_credentials() {
        let t = Target::parse("http://user:p%40ss@proxy-host:3128/", "proxy").expect("valid");
        assert_eq!(t.shown, "http://proxy-host:3128");
        assert_eq!(format!("{t:?}"), "http://proxy-host:3128");
        assert!(t.secrets().contains(&"p@ss".to_owned()));
        // An escape that ends the password is decoded too.
        let t = Target::parse("http://user:hunt%40@proxy-host:3128/", "proxy").expect("valid");
        assert!(
            t.secrets().contains(&"hunt@".to_owned()),
            "{:?}",
            t.secrets()
        );
    }
}
