"""Running a coroutine on an event loop from another thread and waiting for it, as witi's
callbacks do (``AsyncClient.connect``'s ``on_qr``, an ``async`` webhook handler).

``asyncio.run_coroutine_threadsafe(...).result()`` alone misbehaves when the program closes
the loop by hand: on a closed loop it raises and leaves the coroutine un-awaited (a
``RuntimeWarning`` on stderr), and a loop closed after the hand-off never runs the coroutine,
so ``result()`` waits forever (a runtime thread stuck inside Python, which then holds the
interpreter's exit). Here both end in a plain ``RuntimeError``, quietly: the caller that
awaited the result is gone with its loop.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any, Callable, Coroutine

if TYPE_CHECKING:
    import asyncio

# `asyncio` and `concurrent.futures` are imported where they are used, not at the top: they
# were most of the time `import witi` took (bench/python measures it), and a blocking user
# never needs them. A program with a running loop has imported them already.

# How often a waiting thread checks whether the loop was closed (a closed loop sends nothing).
_POLL = 0.1


class NotStarted(RuntimeError):
    """The loop was closed before the coroutine started (it was closed, never run)."""


def run_on_loop(loop: asyncio.AbstractEventLoop, make: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    """Runs ``make()`` on ``loop`` and returns its result (or raises its exception).

    ``RuntimeError`` when the loop is closed before the coroutine finishes; ``NotStarted``
    (a ``RuntimeError``) when it was closed before the coroutine started.
    """
    import asyncio
    import concurrent.futures

    if loop.is_closed():
        raise NotStarted("the event loop is closed")
    coro = make()
    try:
        future = asyncio.run_coroutine_threadsafe(coro, loop)
    except RuntimeError:  # closed since the check
        coro.close()
        raise NotStarted("the event loop is closed") from None
    while True:
        done, _ = concurrent.futures.wait([future], timeout=_POLL)
        if done:
            return future.result()
        if loop.is_closed():
            future.cancel()
            if inspect.getcoroutinestate(coro) == inspect.CORO_CREATED:
                coro.close()  # never started: closing it is silent and final
                raise NotStarted("the event loop was closed before the callback started")
            raise RuntimeError("the event loop was closed before the callback finished")
