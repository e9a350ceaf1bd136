//! Configuration: the server's [`SimConfig`], the per-instance [`Settings`] (timings of the state
//! machine and of PostBack delivery) and [`InstanceConfig`], a partial update of them.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize};

/// Longest accepted duration: keeps `Instant + Duration` far from overflow on hostile input.
pub(crate) const MAX_MS: u64 = 24 * 60 * 60 * 1000;

/// The timings of one instance. New instances copy the server's defaults.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Lifetime of a QR code (generate_qrcode's `ttl` is this rounded up to seconds).
    pub qr_ttl_ms: u64,
    /// When set, a QR code is scanned automatically this long after it was generated.
    pub auto_scan_after_ms: Option<u64>,
    /// When set, a QR code is dropped (status back to 0, the code dead) this long after it was
    /// generated, whatever the `ttl` its answer announced: a gateway that cannot keep a code.
    pub qr_drop_after_ms: Option<u64>,
    /// Time spent in status 4 (Starting) before status 10.
    pub starting_delay_ms: u64,
    /// In bulk framings, events within this window go out in one POST.
    pub bulk_window_ms: u64,
    /// First delay between PostBack attempts; it doubles up to `retry_max_ms`.
    pub retry_initial_ms: u64,
    pub retry_max_ms: u64,
    /// Attempts per PostBack (first try included) before it counts as failed.
    pub retry_attempts: u32,
    /// Timeout of one PostBack attempt.
    pub postback_timeout_ms: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            qr_ttl_ms: 20_000,
            auto_scan_after_ms: None,
            qr_drop_after_ms: None,
            starting_delay_ms: 1_000,
            bulk_window_ms: 100,
            retry_initial_ms: 200,
            retry_max_ms: 5_000,
            retry_attempts: 6,
            postback_timeout_ms: 5_000,
        }
    }
}

impl Settings {
    pub(crate) fn qr_ttl(&self) -> Duration {
        Duration::from_millis(self.qr_ttl_ms)
    }

    /// generate_qrcode's `ttl`, in whole seconds, rounded up (a 500 ms ttl reads as 1, not 0).
    pub(crate) fn qr_ttl_secs(&self) -> u64 {
        self.qr_ttl_ms.div_ceil(1000)
    }

    /// Applies a partial update, all or nothing.
    pub fn apply(&mut self, patch: &InstanceConfig) -> Result<(), SimError> {
        let mut next = self.clone();
        let ms = |name: &str, v: u64, min: u64| {
            if (min..=MAX_MS).contains(&v) {
                Ok(v)
            } else {
                Err(SimError::Invalid(format!(
                    "{name} must be between {min} and {MAX_MS}"
                )))
            }
        };
        if let Some(v) = patch.qr_ttl_ms {
            next.qr_ttl_ms = ms("qr_ttl_ms", v, 1)?;
        }
        if let Some(v) = patch.auto_scan_after_ms {
            next.auto_scan_after_ms = v.map(|v| ms("auto_scan_after_ms", v, 0)).transpose()?;
        }
        if let Some(v) = patch.qr_drop_after_ms {
            next.qr_drop_after_ms = v.map(|v| ms("qr_drop_after_ms", v, 0)).transpose()?;
        }
        if let Some(v) = patch.starting_delay_ms {
            next.starting_delay_ms = ms("starting_delay_ms", v, 0)?;
        }
        if let Some(v) = patch.bulk_window_ms {
            next.bulk_window_ms = ms("bulk_window_ms", v, 0)?;
        }
        if let Some(v) = patch.retry_initial_ms {
            next.retry_initial_ms = ms("retry_initial_ms", v, 0)?;
        }
        if let Some(v) = patch.retry_max_ms {
            next.retry_max_ms = ms("retry_max_ms", v, 0)?;
        }
        if let Some(v) = patch.retry_attempts {
            if !(1..=100).contains(&v) {
                return Err(SimError::Invalid(
                    "retry_attempts must be between 1 and 100".into(),
                ));
            }
            next.retry_attempts = v;
        }
        if let Some(v) = patch.postback_timeout_ms {
            next.postback_timeout_ms = ms("postback_timeout_ms", v, 1)?;
        }
        *self = next;
        Ok(())
    }
}

/// A partial update of [`Settings`]: absent fields are left as they are.
/// `auto_scan_after_ms: Some(None)` (JSON `null`) turns auto-scan off; the same for
/// `qr_drop_after_ms`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qr_ttl_ms: Option<u64>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "double_option"
    )]
    pub auto_scan_after_ms: Option<Option<u64>>,
    /// `Some(None)` (JSON `null`) turns dropping off.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "double_option"
    )]
    pub qr_drop_after_ms: Option<Option<u64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starting_delay_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bulk_window_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_initial_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_max_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_attempts: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postback_timeout_ms: Option<u64>,
}

/// Tells an explicit `null` (Some(None)) from an absent field (None, via `default`).
fn double_option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<u64>>, D::Error> {
    Option::<u64>::deserialize(d).map(Some)
}

/// Seconds given on a command line (`witi-sim`, `witi sim`) as the milliseconds of the
/// settings: between 0 and a day, else a message naming `option`.
pub fn millis_from_secs(secs: f64, option: &str) -> Result<u64, String> {
    if secs.is_finite() && (0.0..=86_400.0).contains(&secs) {
        Ok((secs * 1000.0).round() as u64)
    } else {
        Err(format!("{option} must be between 0 and 86400 seconds"))
    }
}

/// How the server starts.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Where to listen; port 0 picks a free port. Default `127.0.0.1:0`.
    pub addr: SocketAddr,
    /// Settings copied into every new instance.
    pub defaults: Settings,
    /// Instances are created on first use of a key; past this many, new keys get HTTP 503 so
    /// that random keys cannot eat the memory.
    pub max_instances: usize,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            defaults: Settings::default(),
            max_instances: 100_000,
        }
    }
}

/// Why a control call was refused. Each maps to an HTTP status in the control API.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SimError {
    /// scan: the instance has no live (unexpired) QR code. HTTP 409.
    NoLiveQr,
    /// scan: the given payload is not the live QR's. HTTP 409.
    PayloadMismatch,
    /// postback: the instance has no webhook registered. HTTP 409.
    NoWebhook,
    /// The key names no instance. HTTP 404.
    UnknownInstance,
    /// `max_instances` reached. HTTP 503.
    TooManyInstances,
    /// A malformed request (bad fault, out-of-range setting, ...). HTTP 400.
    Invalid(String),
}

impl SimError {
    pub(crate) fn http_status(&self) -> u16 {
        match self {
            SimError::NoLiveQr | SimError::PayloadMismatch | SimError::NoWebhook => 409,
            SimError::UnknownInstance => 404,
            SimError::TooManyInstances => 503,
            SimError::Invalid(_) => 400,
        }
    }
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::NoLiveQr => f.write_str("no live QR code (none generated, or expired)"),
            SimError::PayloadMismatch => f.write_str("payload is not the live QR code's"),
            SimError::NoWebhook => f.write_str("no webhook registered (use set_config.aspx)"),
            SimError::UnknownInstance => f.write_str("no such instance"),
            SimError::TooManyInstances => f.write_str("too many instances"),
            SimError::Invalid(msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for SimError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_semantics() {
        let mut s = Settings::default();
        let p: InstanceConfig = serde_json::from_str(r#"{"auto_scan_after_ms": 5}"#).unwrap();
        s.apply(&p).unwrap();
        assert_eq!(s.auto_scan_after_ms, Some(5));
        let p: InstanceConfig = serde_json::from_str(r#"{"qr_ttl_ms": 100}"#).unwrap();
        s.apply(&p).unwrap();
        assert_eq!(s.auto_scan_after_ms, Some(5), "absent leaves it");
        let p: InstanceConfig = serde_json::from_str(r#"{"auto_scan_after_ms": null}"#).unwrap();
        s.apply(&p).unwrap();
        assert_eq!(s.auto_scan_after_ms, None, "null clears it");
        let p: InstanceConfig =
            serde_json::from_str(r#"{"qr_ttl_ms": 18446744073709551615}"#).unwrap();
        assert!(s.apply(&p).is_err());
        assert_eq!(s.qr_ttl_ms, 100, "all or nothing");
        assert!(serde_json::from_str::<InstanceConfig>(r#"{"qr_tl_ms": 1}"#).is_err());
    }

    #[test]
    fn ttl_rounds_up() {
        let s = Settings {
            qr_ttl_ms: 1500,
            ..Settings::default()
        };
        assert_eq!(s.qr_ttl_secs(), 2);
        assert_eq!(Settings::default().qr_ttl_secs(), 20);
    }
}
