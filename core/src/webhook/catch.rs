//! A handler's future with its panics caught, in the dispatcher's own task.
//!
//! Why not a task per event (which catches panics as a `JoinError`): spawning and joining a
//! task cost more than a cheap handler does, for every event of every batch. Here the call
//! that makes the future and every poll of it run under `catch_unwind`; once it has panicked
//! it is never polled again (the panic is its output).

use super::BoxFuture;
use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};

pub(super) enum CatchUnwind<T> {
    Running(BoxFuture<'static, T>),
    Panicked(Option<Box<dyn Any + Send>>),
}

impl<T> CatchUnwind<T> {
    /// `call()`'s future; a panic in `call` itself is this future's output.
    pub(super) fn new(call: impl FnOnce() -> BoxFuture<'static, T>) -> Self {
        match std::panic::catch_unwind(AssertUnwindSafe(call)) {
            Ok(future) => CatchUnwind::Running(future),
            Err(payload) => CatchUnwind::Panicked(Some(payload)),
        }
    }
}

impl<T> Future for CatchUnwind<T> {
    type Output = std::thread::Result<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let payload = match &mut *self {
            CatchUnwind::Running(future) => {
                match std::panic::catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(cx))) {
                    Ok(Poll::Pending) => return Poll::Pending,
                    Ok(Poll::Ready(output)) => return Poll::Ready(Ok(output)),
                    Err(payload) => Some(payload),
                }
            }
            CatchUnwind::Panicked(payload) => payload.take(),
        };
        *self = CatchUnwind::Panicked(None);
        Poll::Ready(Err(
            payload.unwrap_or_else(|| Box::new("polled after it panicked"))
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run<T>(future: CatchUnwind<T>) -> std::thread::Result<T> {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime")
            .block_on(future)
    }

    #[test]
    fn panics_in_the_call_and_in_a_poll_are_outputs() {
        assert_eq!(
            run(CatchUnwind::new(|| Box::pin(async { 7 }))).ok(),
            Some(7)
        );
        let in_call = run(CatchUnwind::<()>::new(|| panic!("in the call")));
        assert_eq!(
            in_call.expect_err("panicked").downcast_ref::<&str>(),
            Some(&"in the call")
        );
        let in_poll = run(CatchUnwind::<()>::new(|| {
            Box::pin(async {
                tokio::task::yield_now().await;
                panic!("in a poll")
            })
        }));
        assert_eq!(
            in_poll.expect_err("panicked").downcast_ref::<&str>(),
            Some(&"in a poll")
        );
    }
}
