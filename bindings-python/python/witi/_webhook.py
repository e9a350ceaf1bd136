"""The PostBack receiver: ``WebhookServer`` / ``listen`` call a handler once per event.

The core's receiver does the HTTP, the decoding, the ordering and the error policy (a
handler that raises is logged to the ``witi`` logger and the server goes on). This layer
only lets the handler be a coroutine function: it is awaited on the event loop that was
running where the server was created, or in a fresh ``asyncio.run`` when there was none.
"""

from __future__ import annotations

import asyncio
import inspect
import warnings
from typing import Any, Awaitable, Callable, Optional, Tuple, Union

from . import _native
from ._models import Event

__all__ = ["WebhookServer", "listen"]

Handler = Callable[[Event], Union[object, Awaitable[object]]]


async def _await(awaitable: Awaitable[Any]) -> Any:
    return await awaitable


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
        try:
            loop: Optional[asyncio.AbstractEventLoop] = asyncio.get_running_loop()
        except RuntimeError:
            loop = None

        def dispatch(event: Event) -> None:
            result = handler(event)
            if inspect.isawaitable(result):
                if loop is not None and not loop.is_closed():
                    asyncio.run_coroutine_threadsafe(_await(result), loop).result()
                else:
                    asyncio.run(_await(result))

        self._loop = loop
        _native.refresh_log_level()
        self._native = _native.WebhookServer(dispatch, host, port, token, float(body_timeout))

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

        From a coroutine, use ``await aclose()``: an async handler needs the loop to finish.
        Called on that loop anyway, ``close()`` does not wait (waiting would stall the loop
        the handler needs): it stops the server in the background and warns.
        """
        try:
            running: Optional[asyncio.AbstractEventLoop] = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is not None and running is self._loop:
            warnings.warn(
                "WebhookServer.close() on the event loop does not wait for the handler; "
                "use 'await server.aclose()' or 'async with'",
                RuntimeWarning,
                stacklevel=2,
            )
            self._native.stop()
            return
        self._native.close()

    async def aclose(self) -> None:
        """``close()`` without blocking the event loop."""
        await asyncio.get_running_loop().run_in_executor(None, self._native.close)

    def __enter__(self) -> WebhookServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> WebhookServer:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

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
