"""The PostBack receiver: ``WebhookServer`` / ``listen`` call a handler once per event.

The core's receiver does the HTTP, the decoding, the ordering and the error policy (a
handler that raises is logged to the ``witi`` logger and the server goes on). This layer
runs the handler on a daemon thread of its own (``_Worker``), and lets the handler be a
coroutine function: it is awaited on the event loop that was running where the server was
created, or in a fresh ``asyncio.run`` when there was none.

Why a Python daemon thread rather than a thread of the core's runtime: a handler may run for
long, and CPython knows how to leave its own daemon threads behind at exit; a foreign thread
inside Python at exit is a crash hazard the exit hook must wait for (``src/runtime.rs``). So
Ctrl-C leaves a busy receiver within ``INTERRUPT_GRACE``, not when the handler returns.
"""

from __future__ import annotations

import inspect
import queue
import sys
import threading
import warnings
from typing import TYPE_CHECKING, Any, Awaitable, Callable, List, Optional, Tuple, Union

from . import _native
from ._loop import NotStarted, run_on_loop
from ._models import Event

if TYPE_CHECKING:
    import asyncio

# `asyncio` is imported where it is used, not at the top: it was most of the time
# `import witi` took (bench/python measures it), and a blocking user never needs it. A program
# with a running loop has imported it already, so the late import costs nothing there.

__all__ = ["WebhookServer", "listen"]

Handler = Callable[[Event], Union[object, Awaitable[object]]]
_Done = Callable[[List[BaseException]], None]

#: Seconds that ``close()`` (and leaving a ``with`` block) waits for a running handler when it
#: is called on an interrupt (a ``KeyboardInterrupt``, a ``SystemExit``, any exception that is
#: not an ``Exception``): then it returns, and what is left winds down in the background until
#: the process exits.
INTERRUPT_GRACE = 0.5


async def _await(awaitable: Awaitable[Any]) -> Any:
    return await awaitable


def _interrupted(exc: Optional[BaseException]) -> bool:
    return exc is not None and not isinstance(exc, Exception)


class _Worker:
    """The handler's thread: runs what the core submits, one event at a time, in order.

    ``submit`` and ``stop`` are called by the native server (``src/webhook.rs``): ``submit``
    gets one request's events at once (one crossing per request), and ``done``, its
    ``HandlerDone``, is told once the handler has had every one of them, with what it raised.
    """

    def __init__(self, dispatch: Callable[[Event], None]) -> None:
        self._dispatch = dispatch
        self._jobs: queue.SimpleQueue[Optional[Tuple[List[Event], _Done]]] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="witi-webhook-handler", daemon=True)
        self._thread.start()

    def submit(self, events: List[Event], done: _Done) -> None:
        self._jobs.put((events, done))

    def stop(self) -> None:
        self._jobs.put(None)

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            events, done = job
            del job
            done(self._handle(events))
            # Nothing of this request stays referenced while waiting for the next.
            del events, done

    def _handle(self, events: List[Event]) -> List[BaseException]:
        errors: List[BaseException] = []
        for event in events:
            try:
                self._dispatch(event)
            except BaseException as e:  # noqa: BLE001 - the core logs it and goes on
                errors.append(e)
        return errors


class WebhookServer:
    """Receives PostBacks on ``host:port`` (0 picks a free port) until ``close()``.

    With ``token``, every request must carry ``token=<token>`` in its URL (else HTTP 401).
    The handler runs on a worker thread, one event at a time, in order of arrival.
    """

    def __init__(
        self,
        handler: Handler,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        token: Optional[str] = None,
        body_timeout: float = 30.0,
    ) -> None:
        import asyncio

        try:
            loop: Optional[asyncio.AbstractEventLoop] = asyncio.get_running_loop()
        except RuntimeError:
            loop = None

        def dispatch(event: Event) -> None:
            result = handler(event)
            if inspect.isawaitable(result):
                if loop is not None:
                    try:
                        run_on_loop(loop, lambda: _await(result))
                        return
                    except NotStarted:
                        pass  # that loop was closed: as if there had been none
                asyncio.run(_await(result))

        self._loop = loop
        _native.refresh_log_level()
        worker = _Worker(dispatch)
        try:
            self._native = _native.WebhookServer(worker, host, port, token, float(body_timeout))
        except BaseException:
            worker.stop()
            raise

    @property
    def url(self) -> str:
        """``http://HOST:PORT/``; register the address the gateway can reach."""
        return self._native.url

    @property
    def address(self) -> Tuple[str, int]:
        """``(host, port)`` actually bound."""
        return self._native.address

    @property
    def closed(self) -> bool:
        return self._native.closed

    def close(self) -> None:
        """Stops accepting, lets the handler finish what was received, frees the port.

        Called on an interrupt (while a ``KeyboardInterrupt`` or ``SystemExit`` is being
        handled, or leaving a ``with`` block because of one), it waits at most
        ``INTERRUPT_GRACE`` (0.5 s) for the handler, then returns: Ctrl-C ends the program at
        once, and a handler still running is stopped with the process (its PostBack was not
        answered, so the gateway sends it again).

        From a coroutine, use ``await aclose()``: an async handler needs the loop to finish.
        Called on that loop anyway, ``close()`` does not wait (waiting would stall the loop
        the handler needs): it stops the server in the background and warns.
        """
        self._close(sys.exc_info()[1])

    def _close(self, exc: Optional[BaseException]) -> None:
        import asyncio

        try:
            running: Optional[asyncio.AbstractEventLoop] = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is not None and running is self._loop:
            warnings.warn(
                "WebhookServer.close() on the event loop does not wait for the handler; "
                "use 'await server.aclose()' or 'async with'",
                RuntimeWarning,
                stacklevel=3,  # the caller of close(), or the with statement
            )
            self._native.stop()
            return
        self._native.close(INTERRUPT_GRACE if _interrupted(exc) else None)

    async def aclose(self) -> None:
        """``close()`` without blocking the event loop; on an interrupt (including the
        ``CancelledError`` of a cancelled task, e.g. Ctrl-C under ``asyncio.run``), it also
        waits at most ``INTERRUPT_GRACE``."""
        await self._aclose(sys.exc_info()[1])

    async def _aclose(self, exc: Optional[BaseException]) -> None:
        import asyncio

        grace = INTERRUPT_GRACE if _interrupted(exc) else None
        await asyncio.get_running_loop().run_in_executor(None, self._native.close, grace)

    def __enter__(self) -> WebhookServer:
        return self

    def __exit__(self, exc_type: object, exc: Optional[BaseException], tb: object) -> None:
        self._close(exc)

    async def __aenter__(self) -> WebhookServer:
        return self

    async def __aexit__(self, exc_type: object, exc: Optional[BaseException], tb: object) -> None:
        await self._aclose(exc)

    def __repr__(self) -> str:
        return f"WebhookServer(url={self.url!r})"


def listen(
    handler: Handler,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    token: Optional[str] = None,
) -> WebhookServer:
    """Starts a ``WebhookServer`` (shorthand)."""
    return WebhookServer(handler, host, port, token=token)
