//! Connection pools shared by every client with the same settings.
//!
//! Why: a multi-tenant process holds one client per WhatsApp instance (thousands), and each
//! building its own HTTP stack cost ~110 KB and a TLS setup per client. Everything that
//! differs between two instances' clients travels per request (the key in the URL, the
//! timeout on the request), so clients whose pool settings are equal ([`PoolKey`]) share one
//! `reqwest::Client`. The cache holds pools weakly: a pool lives while a client uses it.
//!
//! Per-client limits stay per client: the connection cap is a semaphore in each transport,
//! not a property of the shared pool. Fork: the key carries the process id, so a forked child
//! asks for (and builds) its own pool instead of using the parent's sockets.

use crate::error::{Error, Result};
use crate::proxy::ProxyConfig;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

/// What a pool is built from; equal keys share a pool.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct PoolKey {
    pub connect_timeout: Duration,
    pub user_agent: String,
    pub proxy: ProxyConfig,
    pub pid: u32,
}

/// One shared HTTP client (connection pool, TLS configuration, proxy routing).
pub(crate) struct Pool {
    pub client: reqwest::Client,
    /// The process the pool was built in.
    pub pid: u32,
}

struct Cache {
    pools: HashMap<PoolKey, Weak<Pool>>,
    /// Dead entries are swept when the map reaches this size, so it stays bounded by about
    /// twice the number of live pools without a sweep on every insert.
    sweep_at: usize,
}

static CACHE: Mutex<Option<Cache>> = Mutex::new(None);

/// The pool for `key`: the live one if any client holds it, else a new one.
pub(crate) fn shared(key: PoolKey) -> Result<Arc<Pool>> {
    // A poisoned lock only means a panic elsewhere while holding it; the map is still whole.
    let mut guard = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    let cache = guard.get_or_insert_with(|| Cache {
        pools: HashMap::new(),
        sweep_at: 16,
    });
    if let Some(pool) = cache.pools.get(&key).and_then(Weak::upgrade) {
        return Ok(pool);
    }
    let pool = Arc::new(Pool {
        client: build(&key)?,
        pid: key.pid,
    });
    if cache.pools.len() >= cache.sweep_at {
        cache.pools.retain(|_, p| p.strong_count() > 0);
        cache.sweep_at = (cache.pools.len() * 2).max(16);
    }
    cache.pools.insert(key, Arc::downgrade(&pool));
    Ok(pool)
}

fn build(key: &PoolKey) -> Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .connect_timeout(key.connect_timeout)
        .tcp_nodelay(true)
        .pool_idle_timeout(Duration::from_secs(60))
        .user_agent(&key.user_agent)
        // Our routing replaces reqwest's own reading of the environment (see `proxy.rs`).
        .proxy(key.proxy.to_reqwest());
    if let Some(tls) = tls_config() {
        builder = builder.tls_backend_preconfigured(tls.clone());
    }
    builder.build().map_err(|e| {
        Error::invalid(format!(
            "the HTTP client could not be built: {}",
            e.without_url()
        ))
    })
}

/// The process's one TLS configuration: rustls with the platform's verifier, which loads the
/// system's certificate store once, on first use, instead of once per pool. Without a CA store
/// it trusts no certificate rather than failing every client build. `None` only when rustls
/// refuses the protocol versions; reqwest's own default is used then.
fn tls_config() -> Option<&'static rustls::ClientConfig> {
    static TLS: OnceLock<Option<rustls::ClientConfig>> = OnceLock::new();
    TLS.get_or_init(|| {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .ok()?;
        let mut config = match rustls_platform_verifier::Verifier::new(provider) {
            Ok(verifier) => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(verifier))
                .with_no_client_auth(),
            // A machine without a CA store (a bare container): http:// (the simulator, a
            // local gateway) must still work, so no client build fails for it; https:// then
            // fails at the handshake, as a `connection` error that says the certificate's
            // issuer is unknown.
            Err(_) => {
                tracing::warn!(
                    "no system CA certificates could be loaded: https requests will fail (install ca-certificates)"
                );
                builder
                    .with_root_certificates(rustls::RootCertStore::empty())
                    .with_no_client_auth()
            }
        };
        // What reqwest offers by itself with its `http2` feature.
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Some(config)
    })
    .as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(user_agent: &str) -> PoolKey {
        PoolKey {
            connect_timeout: Duration::from_secs(1),
            user_agent: user_agent.into(),
            proxy: ProxyConfig::from_lookup(|_| None).expect("no proxy"),
            pid: std::process::id(),
        }
    }

    #[test]
    fn equal_settings_share_a_pool_while_it_lives() {
        let a = shared(key("pool-test-a")).expect("pool");
        let b = shared(key("pool-test-a")).expect("pool");
        assert!(Arc::ptr_eq(&a, &b));
        let c = shared(key("pool-test-c")).expect("pool");
        assert!(!Arc::ptr_eq(&a, &c));
        let forked = PoolKey {
            pid: std::process::id().wrapping_add(1),
            ..key("pool-test-a")
        };
        assert!(!Arc::ptr_eq(&a, &shared(forked).expect("pool")));
        let weak = Arc::downgrade(&a);
        drop((a, b));
        assert!(
            weak.upgrade().is_none(),
            "the cache does not keep a pool alive"
        );
    }
}
