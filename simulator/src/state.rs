//! One instance's state machine. Time-driven transitions (QR expiry, auto-scan, the end of
//! Starting) are applied by `advance`, which every access calls first, so an answer is always
//! exact at the moment it is given; timers (see server.rs) only make sure that PostBacks of
//! those transitions go out on time when nobody is polling.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::book::Book;
use crate::command::Command;
use crate::config::{Settings, SimError};
use crate::postback::{Framing, Item, Payload, Policy, Queue};
use crate::qr;
use crate::script::{Scripted, StatusScript};
use crate::wire::{self, ConnInfo, PhoneSession, Stats, StorageNode};
use crate::{InstanceSnapshot, PostbackCounts};

/// What instances need from the running server to spawn their PostBack task.
pub(crate) struct Ctx {
    pub handle: tokio::runtime::Handle,
    pub http: reqwest::Client,
    pub shutdown: tokio::sync::watch::Receiver<bool>,
}

pub(crate) struct LiveQr {
    pub payload: String,
    pub data_url: String,
    pub expires_at: Instant,
}

pub(crate) struct Instance {
    pub web_id: String,
    /// The paired phone's JID, fixed per instance.
    phone_wid: String,
    pub code: i64,
    pub status_string: Cow<'static, str>,
    /// A phone is paired: ConnectionInfo is shown (status 4, 10 and forced 11).
    paired: bool,
    pub connected: bool,
    pub qr: Option<LiveQr>,
    auto_scan_at: Option<Instant>,
    starting_until: Option<Instant>,
    pub saved_session: bool,
    pub webhook: Option<String>,
    /// What `Webhook` shows and where PostBacks go: webhook + "&wid=" + WebID, or "".
    pub postback_url: Arc<str>,
    pub user_agent: String,
    pub api_version: String,
    pub bulk: bool,
    pub settings: Settings,
    stats: Stats,
    storage: StorageNode,
    calls: [u64; Command::COUNT],
    postback: Option<Queue>,
    /// The earliest deadline a timer task is sleeping for (server.rs `arm`).
    pub armed: Option<Instant>,
    /// Scripted answers of status.aspx, played before the state machine answers again.
    pub script: StatusScript,
    /// The phone's contacts, chats and groups, and what was sent (book.rs).
    pub book: Book,
}

/// What can be seen from outside; a PostBack goes out when it changes.
type Fingerprint = (i64, bool, bool, bool);

impl Instance {
    pub(crate) fn new(settings: Settings) -> Self {
        let web_id = crate::book::random_web_id();
        Instance {
            phone_wid: format!("55119{:08}@s.whatsapp.net", fastrand::u32(..100_000_000)),
            code: 0,
            status_string: Cow::Borrowed(wire::status_string(0)),
            paired: false,
            connected: false,
            qr: None,
            auto_scan_at: None,
            starting_until: None,
            saved_session: false,
            webhook: None,
            postback_url: Arc::from(""),
            user_agent: String::new(),
            api_version: "1.0".to_owned(),
            bulk: false,
            settings,
            stats: Stats::default(),
            storage: StorageNode::empty(&web_id),
            calls: [0; Command::COUNT],
            postback: None,
            armed: None,
            script: StatusScript::default(),
            book: Book::new(),
            web_id,
        }
    }

    /// Status 10: the phone's data is there and messages can be sent.
    pub(crate) fn authenticated(&self) -> bool {
        self.code == 10
    }

    /// The paired phone's JID: the owner of the groups it creates.
    pub(crate) fn own_jid(&self) -> &str {
        &self.phone_wid
    }

    pub(crate) fn count_call(&mut self, command: Command) {
        self.calls[command.index()] += 1;
    }

    fn fingerprint(&self) -> Fingerprint {
        (self.code, self.connected, self.saved_session, self.paired)
    }

    /// The connection information object, serialized.
    pub(crate) fn conn_info_json(&self) -> Vec<u8> {
        self.conn_info_as(self.code, &self.status_string, self.paired, self.connected)
    }

    /// status.aspx's answer: the next scripted one, else the connection information.
    pub(crate) fn status_answer(&mut self) -> Vec<u8> {
        match self.script.next() {
            Some(Scripted::Body(body)) => body,
            Some(Scripted::Code(code)) => {
                // As a forced status shows it (see `force_status`).
                let paired = matches!(code, 4 | 10 | 11);
                self.conn_info_as(code, wire::status_string(code), paired, code == 10)
            }
            None => self.conn_info_json(),
        }
    }

    /// The connection information with another status, for scripted answers.
    fn conn_info_as(
        &self,
        code: i64,
        status_string: &str,
        paired: bool,
        connected: bool,
    ) -> Vec<u8> {
        wire::to_json(&ConnInfo {
            status: code,
            status_string,
            connected,
            connection_info: paired.then(|| PhoneSession::seed(&self.phone_wid, connected)),
            web_id: &self.web_id,
            webhook: &self.postback_url,
            user_agent: &self.user_agent,
            can_restore: self.saved_session,
            stats: self.book.visible_stats(self.stats, self.authenticated()),
            storage: &self.storage,
        })
    }

    fn set_code(&mut self, code: i64) {
        self.code = code;
        self.status_string = Cow::Borrowed(wire::status_string(code));
    }

    /// Back to a code with no pending automatic transition.
    fn clear_timers(&mut self) {
        self.qr = None;
        self.auto_scan_at = None;
        self.starting_until = None;
    }

    /// The next time-driven transition, if any.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        match self.code {
            3 => match (self.qr.as_ref().map(|q| q.expires_at), self.auto_scan_at) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            },
            4 => self.starting_until,
            _ => None,
        }
    }

    /// Applies every transition due at `now`, in time order, one PostBack each.
    pub(crate) fn advance(&mut self, now: Instant, ctx: &Ctx) {
        loop {
            if self.code == 3 {
                let expiry = self.qr.as_ref().map(|q| q.expires_at);
                if let Some(at) = self.auto_scan_at.filter(|&s| s <= now) {
                    if expiry.is_none_or(|e| at < e) {
                        self.pair(at);
                        self.emit(ctx);
                        continue;
                    }
                }
                if expiry.is_some_and(|e| e <= now) {
                    // Expired: the QR is stale and the instance is back to noConnection.
                    self.clear_timers();
                    self.set_code(0);
                    self.emit(ctx);
                    continue;
                }
            }
            if self.code == 4 && self.starting_until.is_some_and(|t| t <= now) {
                self.authenticate();
                self.emit(ctx);
                continue;
            }
            return;
        }
    }

    /// The QR is scanned at `at`: status 4 Starting until `at + starting_delay`.
    fn pair(&mut self, at: Instant) {
        self.clear_timers();
        self.set_code(4);
        self.paired = true;
        self.connected = false;
        self.starting_until = Some(at + Duration::from_millis(self.settings.starting_delay_ms));
    }

    /// Status 10; the session is saved automatically, as the seed says.
    fn authenticate(&mut self) {
        self.clear_timers();
        self.set_code(10);
        self.paired = true;
        self.connected = true;
        self.saved_session = true;
        self.stats = Stats::seed();
        self.storage = StorageNode::seed(&self.web_id);
    }

    /// Down to status 0 with no phone; the saved session is kept or not by the caller.
    fn drop_connection(&mut self) {
        self.clear_timers();
        self.set_code(0);
        self.paired = false;
        self.connected = false;
    }

    /// Runs `f` and sends a PostBack when it changed what clients can see.
    fn emitting<T>(&mut self, ctx: &Ctx, f: impl FnOnce(&mut Self) -> T) -> T {
        let before = self.fingerprint();
        let out = f(self);
        if self.fingerprint() != before {
            self.emit(ctx);
        }
        out
    }

    pub(crate) fn generate_qrcode(&mut self, user_agent: Option<String>, ctx: &Ctx) -> Vec<u8> {
        if matches!(self.code, 4 | 10) {
            return wire::to_json(&wire::ErrorAnswer {
                status: 0,
                error: "Connection already established",
                ttl: Some(0),
            });
        }
        if let Some(ua) = user_agent {
            self.user_agent = ua;
        }
        let generated = qr::generate();
        let now = Instant::now();
        self.emitting(ctx, |s| {
            s.drop_connection();
            s.set_code(3);
            s.auto_scan_at = s
                .settings
                .auto_scan_after_ms
                .map(|ms| now + Duration::from_millis(ms));
            // A dropping gateway kills the code before the ttl it announces.
            let lifetime = match s.settings.qr_drop_after_ms {
                Some(ms) => s.settings.qr_ttl().min(Duration::from_millis(ms)),
                None => s.settings.qr_ttl(),
            };
            s.qr = Some(LiveQr {
                payload: generated.payload,
                data_url: generated.data_url,
                expires_at: now + lifetime,
            });
        });
        let data_url = self.qr.as_ref().map_or("", |q| q.data_url.as_str());
        wire::to_json(&wire::QrAnswer {
            qr: data_url,
            status: 1,
            error: "",
            ttl: self.settings.qr_ttl_secs(),
        })
    }

    /// The control API's scan: the live QR is read by the simulated phone.
    pub(crate) fn scan(&mut self, payload: Option<&str>, ctx: &Ctx) -> Result<(), SimError> {
        let live = self.qr.as_ref().filter(|_| self.code == 3);
        let live = live.ok_or(SimError::NoLiveQr)?;
        if payload.is_some_and(|p| p != live.payload) {
            return Err(SimError::PayloadMismatch);
        }
        self.pair(Instant::now());
        self.emit(ctx);
        // A zero starting delay goes straight on to 10.
        self.advance(Instant::now(), ctx);
        Ok(())
    }

    pub(crate) fn disconnect(&mut self, ctx: &Ctx) -> Vec<u8> {
        self.emitting(ctx, |s| {
            s.drop_connection();
            s.saved_session = false;
        });
        self.conn_info_json()
    }

    pub(crate) fn close_session(&mut self, ctx: &Ctx) -> Vec<u8> {
        let ok = matches!(self.code, 10 | 11);
        if ok {
            self.emitting(ctx, |s| {
                s.drop_connection();
                s.saved_session = true;
            });
        }
        self.session_answer(ok, "No active session to close", true)
    }

    pub(crate) fn save_session(&mut self, ctx: &Ctx) -> Vec<u8> {
        let ok = self.code == 10;
        if ok {
            self.emitting(ctx, |s| s.saved_session = true);
        }
        self.session_answer(ok, "No active session to save", false)
    }

    pub(crate) fn restore_session(&mut self, ctx: &Ctx) -> Vec<u8> {
        // 11 is "authenticated, connection closed": the session is there to resume.
        let ok = matches!(self.code, 10 | 11) || self.saved_session;
        if ok {
            self.emitting(ctx, Self::authenticate);
        }
        self.session_answer(ok, "No saved session to restore", true)
    }

    fn session_answer(&self, ok: bool, error: &str, with_status: bool) -> Vec<u8> {
        let status = with_status.then(|| {
            // Our JSON is always UTF-8.
            String::from_utf8(self.conn_info_json()).unwrap_or_default()
        });
        wire::to_json(&wire::SessionAnswer {
            sucesso: ok,
            error: (!ok).then_some(error),
            status: status.as_deref(),
        })
    }

    pub(crate) fn clear(&mut self, ctx: &Ctx) -> Vec<u8> {
        self.emitting(ctx, |s| {
            s.storage = StorageNode::empty(&s.web_id);
            s.saved_session = false;
        });
        wire::to_json(&wire::ClearAnswer {
            status: true,
            message: "clear ok",
        })
    }

    pub(crate) fn set_config(&mut self, body: wire::SetConfigBody, ctx: &Ctx) -> Vec<u8> {
        if let Some(url) = body.webhook {
            self.webhook = (!url.is_empty()).then_some(url);
            self.postback_url = match &self.webhook {
                Some(url) => Arc::from(format!("{url}&wid={}", self.web_id)),
                None => Arc::from(""),
            };
        }
        if let Some(ua) = body.user_agent {
            self.user_agent = ua;
        }
        if let Some(v) = body.api_version {
            self.api_version = v;
        }
        if let Some(b) = body.bulk {
            self.bulk = b;
        }
        self.emit(ctx);
        self.conn_info_json()
    }

    /// Any code, known or not; no automatic transition follows a forced status.
    pub(crate) fn force_status(&mut self, code: i64, status_string: Option<String>, ctx: &Ctx) {
        self.clear_timers();
        self.code = code;
        self.status_string = match status_string {
            Some(s) => Cow::Owned(s),
            None => Cow::Borrowed(wire::status_string(code)),
        };
        self.paired = matches!(code, 4 | 10 | 11);
        self.connected = code == 10;
        if self.paired {
            self.stats = Stats::seed();
        }
        self.emit(ctx);
    }

    /// Queues the connection information as a PostBack.
    fn emit(&mut self, ctx: &Ctx) {
        if self.webhook.is_some() {
            let json = Bytes::from(self.conn_info_json());
            self.push(Payload::Event(json), ctx);
        }
    }

    /// Queues an arbitrary event (framed) or raw body for the webhook.
    pub(crate) fn send_postback(
        &mut self,
        body: wire::PostbackBody,
        ctx: &Ctx,
    ) -> Result<(), SimError> {
        if self.webhook.is_none() {
            return Err(SimError::NoWebhook);
        }
        let payload = match body {
            wire::PostbackBody::Event(v) => Payload::Event(Bytes::from(wire::to_json(&v))),
            wire::PostbackBody::Raw(s) => Payload::Raw(Bytes::from(s)),
        };
        self.push(payload, ctx);
        Ok(())
    }

    fn push(&mut self, payload: Payload, ctx: &Ctx) {
        let item = Item {
            url: self.postback_url.clone(),
            framing: Framing::of(&self.api_version, self.bulk),
            payload,
            policy: Policy::from(&self.settings),
        };
        self.postback
            .get_or_insert_with(|| {
                Queue::spawn(&ctx.handle, ctx.http.clone(), ctx.shutdown.clone())
            })
            .push(item);
    }

    pub(crate) fn snapshot(&self, key: &str, now: Instant) -> InstanceSnapshot {
        let live = self.qr.as_ref().filter(|_| self.code == 3);
        let counts = self.postback.as_ref().map(|q| &q.counters);
        let load = |f: fn(&crate::postback::Counters) -> &std::sync::atomic::AtomicU64| {
            counts.map_or(0, |c| f(c).load(Ordering::Relaxed))
        };
        InstanceSnapshot {
            key: key.to_owned(),
            web_id: self.web_id.clone(),
            status: self.code,
            status_string: self.status_string.to_string(),
            connected: self.connected,
            qr_payload: live.map(|q| q.payload.clone()),
            qr_expires_in_ms: live
                .map(|q| q.expires_at.saturating_duration_since(now).as_millis() as u64),
            can_restore: self.saved_session,
            webhook: self.webhook.clone(),
            postback_url: self.webhook.as_ref().map(|_| self.postback_url.to_string()),
            user_agent: self.user_agent.clone(),
            api_version: self.api_version.clone(),
            bulk: self.bulk,
            postbacks: PostbackCounts {
                delivered: load(|c| &c.delivered),
                failed: load(|c| &c.failed),
                pending: load(|c| &c.pending),
            },
            scripted_answers_left: self.script.len(),
            calls: Command::ALL
                .iter()
                .map(|c| (c.name().to_owned(), self.calls[c.index()]))
                .collect::<BTreeMap<_, _>>(),
            config: self.settings.clone(),
        }
    }
}

/// All instances, by key, and the settings new ones start with.
pub(crate) struct Registry {
    pub instances: HashMap<String, Instance>,
    pub defaults: Settings,
    pub max_instances: usize,
}

impl Registry {
    /// The instance of `key`, created on first use (any non-empty key is valid).
    pub(crate) fn get_or_create(&mut self, key: &str) -> Result<&mut Instance, SimError> {
        if !self.instances.contains_key(key) {
            if self.instances.len() >= self.max_instances {
                return Err(SimError::TooManyInstances);
            }
            let inst = Instance::new(self.defaults.clone());
            self.instances.insert(key.to_owned(), inst);
        }
        self.instances.get_mut(key).ok_or(SimError::UnknownInstance)
    }
}
