//! The PostBack receiver: the core's `witi::webhook::WebhookServer`, calling a JS handler.
//!
//! The core decodes, orders and acknowledges; this file only carries each request's events to
//! JS through a thread-safe function, in one crossing per request, or per group of requests
//! that queued up meanwhile (a crossing per event cost more than the hand-written `node:http`
//! receiver's whole work, bench/README.md), as the same strings `decodePostback` gives
//! (`postback.rs`), plus the events' `wid`s; then it waits for the wrapper to finish before
//! the core moves to the next request. `index.js` builds the events (each status on first
//! access) and calls the user's handler once per event, in order, awaiting each promise a call
//! returns; its wrapper never rejects (and gives no promise at all when every call returned at
//! once): a throwing handler is reported there (`onError`, else `console.error`) and the
//! receiver keeps serving.
//!
//! Process lifetime: while the receiver runs, its thread-safe function keeps Node alive (as
//! an `http.Server` does); `close()` ends the core server, whose dispatcher then drops the
//! handler and so releases the function: after `close()` nothing here keeps Node running.

use crate::error;
use crate::runtime::promise;
use napi::bindgen_prelude::{
    Env, FromNapiValue, Function, JsValue, Object, PromiseRaw, Unknown, ValueType,
};
use napi::threadsafe_function::ThreadsafeFunctionCallMode;
use napi_derive::napi;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// A running PostBack receiver (from `listen`).
#[napi]
pub struct WebhookServer {
    inner: Mutex<Option<witi::webhook::WebhookServer>>,
    addr: SocketAddr,
}

#[napi]
impl WebhookServer {
    /// `http://IP:PORT/`: the address bound (for the PostBack URL, use one the gateway can
    /// reach).
    #[napi(getter)]
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// The port bound (the real one when 0 was asked).
    #[napi(getter)]
    pub fn port(&self) -> u32 {
        u32::from(self.addr.port())
    }

    /// Stops accepting, lets in-flight requests finish and waits until the handler is done
    /// with every event already received. Calling it again does nothing.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn close<'env>(&self, env: &'env Env) -> napi::Result<Object<'env>> {
        let server = self.inner.lock().unwrap_or_else(|p| p.into_inner()).take();
        let work = async move {
            if let Some(server) = server {
                server.shutdown().await;
            }
            Ok(())
        };
        promise(env, None, work, |()| ())
    }
}

/// Listens on `address` (`'127.0.0.1:0'` picks a free port) and calls `handler` once per
/// PostBack event, in order, waiting for it (sync or async) before the next.
#[napi(
    catch_unwind,
    ts_args_type = "address: string, handler: WebhookHandler, options?: ListenOptions",
    ts_return_type = "Promise<WebhookServer>"
)]
pub fn listen<'env>(
    env: &'env Env,
    address: String,
    handler: Function<'env, Vec<String>, Unknown<'static>>,
    token: Option<String>,
) -> napi::Result<Object<'env>> {
    let addr: SocketAddr = address.trim().parse().map_err(|_| {
        error::invalid(format!(
            "the address {address:?} is not IP:PORT (e.g. '127.0.0.1:0')"
        ))
    })?;
    let tsfn = Arc::new(handler.build_threadsafe_function::<Vec<String>>().build()?);
    let call: witi::webhook::BatchHandler = Arc::new(move |events: Vec<witi::Event>| {
        let tsfn = tsfn.clone();
        Box::pin(async move {
            let (done, handled) = tokio::sync::oneshot::channel::<()>();
            let status = tsfn.call_with_return_value(
                crossing(events),
                ThreadsafeFunctionCallMode::NonBlocking,
                move |returned, env| {
                    // The JS wrapper returns undefined when every handler call returned at
                    // once, else a promise that never rejects: wait for that one.
                    match returned {
                        Ok(value) if value.get_type()? == ValueType::Object => {
                            let mut settled: PromiseRaw<'_, Unknown<'static>> =
                                unsafe { PromiseRaw::from_napi_value(env.raw(), value.raw())? };
                            settled.finally(move |_env| {
                                let _ = done.send(());
                                Ok(())
                            })?;
                        }
                        _ => {
                            let _ = done.send(());
                        }
                    }
                    Ok(())
                },
            );
            if status != napi::Status::Ok {
                return vec![format!("the JS handler could not be called ({status})").into()];
            }
            // An error here means the callback was dropped unrun (Node is shutting down).
            match handled.await {
                Ok(()) => Vec::new(),
                Err(_) => vec!["the JS handler was not run (Node is exiting)".into()],
            }
        })
    });
    let options = witi::webhook::WebhookOptions {
        token,
        ..Default::default()
    };
    let work = async move {
        let server = witi::webhook::WebhookServer::bind_batch_handler(addr, options, call).await?;
        Ok(WebhookServer {
            addr: server.local_addr(),
            inner: Mutex::new(Some(server)),
        })
    };
    promise(env, None, work, |server| server)
}

/// `[kinds, ids, wids, json 0, json 1, ...]`: `decodePostback`'s strings with the events'
/// `wid`s third: `""` when none has one, `=` and the `wid` when all have the same one (one
/// request, or requests of one instance), else a JSON array with each event's `wid` or `null`
/// (requests of several instances merged into one call: `witi::webhook::MERGE_EVENTS`). A
/// `BatchHandler`'s events come without typed statuses; JS builds one on first access from
/// the event's text (`eventStatus`).
fn crossing(events: Vec<witi::Event>) -> Vec<String> {
    let wids = wids(&events);
    let texts = events
        .into_iter()
        .map(|e| witi::postback::EventText {
            kind: e.kind,
            json: e.json,
            wid: None,
            id: e.id,
        })
        .collect();
    let mut parts = crate::postback::crossing(texts);
    parts.insert(2, wids);
    parts
}

/// The `wids` part of [`crossing`].
fn wids(events: &[witi::Event]) -> String {
    let first = events.first().and_then(|e| e.wid.as_deref());
    if events.iter().all(|e| e.wid.as_deref() == first) {
        return first.map_or_else(String::new, |w| format!("={w}"));
    }
    let each: Vec<Option<&str>> = events.iter().map(|e| e.wid.as_deref()).collect();
    // A list of strings and nulls always serializes.
    serde_json::to_string(&each).unwrap_or_else(|_| String::from("[]"))
}

// `model::Event` is no longer built here (the events cross as strings; `index.js` builds the
// objects), but it is what `index.d.ts` declares those objects to be: keep it, and its
// conversion from the core's event, compiled and in step.
const _: fn(witi::Event) -> crate::model::Event = crate::model::Event::from;
