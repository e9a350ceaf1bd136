//! The one place where this binding meets threads: core futures are spawned on
//! `witi::runtime` and their `JoinHandle` is awaited there too; the result settles a napi
//! deferred (a promise), which hops back to the JS thread through napi's thread-safe queue.
//!
//! Why not `#[napi] async fn`: that runs the future on napi's own tokio runtime, a second
//! pool of threads, plus one more thread hop per call. Here napi's runtime is never built.
//!
//! Cancellation: the JS layer hands a `CancelToken` with a call and calls `cancel()` when
//! its `AbortSignal` fires (through `cancel`); that aborts the core task, which drops the core future (so the
//! HTTP request is dropped too; see `witi::flows`).

use crate::error;
use napi::bindgen_prelude::{Env, External, Object, ToNapiValue};
use napi_derive::napi;
use std::future::Future;
use std::sync::Mutex;
use tokio::task::AbortHandle;

/// A one-shot cancellation for one call. JS holds it as an opaque `External` (internal: the
/// JS layer makes one per `signal`, so it is left out of the TypeScript declarations).
#[derive(Default)]
pub struct CancelToken {
    state: Mutex<CancelState>,
}

#[derive(Default)]
struct CancelState {
    cancelled: bool,
    task: Option<AbortHandle>,
}

/// A new token, for one call.
#[napi(catch_unwind, skip_typescript)]
pub fn cancel_token() -> External<CancelToken> {
    External::new(CancelToken::default())
}

/// Aborts the token's call (now, or as soon as it is attached).
#[napi(catch_unwind, skip_typescript)]
pub fn cancel(token: &External<CancelToken>) {
    let mut state = token.state.lock().unwrap_or_else(|p| p.into_inner());
    state.cancelled = true;
    if let Some(task) = state.task.take() {
        task.abort();
    }
}

impl CancelToken {
    fn attach(&self, task: AbortHandle) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if state.cancelled {
            task.abort();
        } else {
            state.task = Some(task);
        }
    }
}

/// Runs `work` on the core's runtime and returns a promise of `to_js(result)`.
///
/// A core error rejects with `error::to_napi`'s structured error; a cancelled call rejects
/// with an `aborted` one (the JS layer has already rejected with the signal's reason); a
/// panic in the core rejects instead of reaching Node.
pub(crate) fn promise<'env, T, R, F>(
    env: &'env Env,
    cancel: Option<&External<CancelToken>>,
    work: F,
    to_js: fn(T) -> R,
) -> napi::Result<Object<'env>>
where
    F: Future<Output = witi::Result<T>> + Send + 'static,
    T: Send + 'static,
    R: ToNapiValue + Send + 'static,
{
    let (deferred, promise) = env.create_deferred()?;
    let task = witi::runtime::spawn(work);
    if let Some(cancel) = cancel {
        cancel.attach(task.abort_handle());
    }
    witi::runtime::spawn(async move {
        // Every path settles the deferred: an unsettled one would keep Node alive forever.
        match task.await {
            Ok(Ok(value)) => {
                let value = to_js(value);
                deferred.resolve(move |_env| Ok(value));
            }
            Ok(Err(e)) => deferred.reject(error::to_napi(&e)),
            Err(e) if e.is_cancelled() => deferred.reject(error::aborted()),
            Err(_) => deferred.reject(error::panicked()),
        }
    });
    Ok(promise)
}
