"""``Client`` (blocking) and ``AsyncClient`` (asyncio): thin shells over the native clients.

Everything (HTTP, parsing, retries, redaction, the connect flow) happens in the Rust core.
The table's calls (``status``, ``send_message``, ``call``, ...) are the generated mixins of
``_calls.py``; this file holds what is not in the table: the constructors, ``wait_for_status``
(``targets`` as numbers), ``connect`` (for ``AsyncClient``, ``on_qr`` runs on the event loop),
``close`` and the context-manager protocol.
"""

from __future__ import annotations

import inspect
from typing import Awaitable, Callable, Iterable, NoReturn, Optional, Union

from . import _native
from ._calls import _AsyncCalls, _Calls
from ._errors import InvalidArgumentError
from ._loop import run_on_loop
from ._models import QrCode, Status, StatusCode

__all__ = ["AsyncClient", "Client"]

Targets = Union[StatusCode, int, Iterable[Union[StatusCode, int]]]


def _codes(targets: Targets) -> "list[int]":
    if isinstance(targets, int):
        return [int(targets)]
    return [int(t) for t in targets]


class _Closed:
    """Stands in for the native client after ``close()``: every call says so."""

    base_url = ""

    def __getattr__(self, name: str) -> NoReturn:
        raise InvalidArgumentError("the client is closed", code="invalid_argument")


class Client(_Calls):
    """A blocking client of one witi.me instance (one API key).

    ``api_key`` and ``base_url`` default to ``WITI_API_KEY`` and ``WITI_BASE_URL``;
    ``timeout`` is per attempt, in seconds. ``max_connections`` caps this client's
    connections (so requests in flight) at once; further calls wait within their timeout.
    ``proxy`` (``http://``, ``https://``, ``socks5://``, ``socks5h://``) is used for every
    request; without it ``HTTPS_PROXY``/``HTTP_PROXY``/``ALL_PROXY``/``NO_PROXY`` decide, and
    loopback hosts are always direct. Safe to share between threads; the GIL is released
    while a call waits, and Ctrl-C interrupts a wait within 0.1 s.
    """

    def __init__(
        self,
        api_key: Optional[str] = None,
        *,
        base_url: Optional[str] = None,
        timeout: float = 30.0,
        max_retries: int = 2,
        max_connections: int = 100,
        proxy: Optional[str] = None,
        _initial_backoff: Optional[float] = None,
    ) -> None:
        _native.refresh_log_level()
        self._native = _native.Client(
            api_key,
            base_url,
            float(timeout),
            max_retries,
            _initial_backoff,
            int(max_connections),
            proxy,
        )

    @property
    def base_url(self) -> str:
        """The base URL every command is joined onto (ends in ``/``)."""
        return str(self._native.base_url)

    def wait_for_status(
        self, targets: Targets, timeout: float = 60.0, poll_interval: float = 1.0
    ) -> Status:
        """Polls ``status()`` until its code is one of ``targets``; ``TimeoutError`` after ``timeout``
        seconds, with the last status in ``e.last_status``."""
        return self._native.wait_for_status(  # type: ignore[no-any-return]
            _codes(targets), float(timeout), float(poll_interval)
        )

    def connect(
        self,
        on_qr: Callable[[QrCode], object],
        timeout: float = 300.0,
        *,
        poll_interval: float = 1.0,
        user_agent: Optional[str] = None,
        restore_session: bool = True,
    ) -> Status:
        """Pairs a phone: hands each fresh QR code to ``on_qr`` until the status is authenticated.

        In status 11, or 0 with a saved session, it first tries ``restore_session()`` (unless
        ``restore_session=False``). ``TimeoutError`` after ``timeout`` seconds, with the last
        status in ``e.last_status``; ``ApiError`` when the gateway drops QR codes at once. An
        exception raised by ``on_qr`` ends ``connect`` with that same exception.
        """
        return self._native.connect(  # type: ignore[no-any-return]
            on_qr, float(timeout), float(poll_interval), user_agent, bool(restore_session)
        )

    def close(self) -> None:
        """Releases the connection pool; later calls raise ``InvalidArgumentError``."""
        self._native = _Closed()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"


class AsyncClient(_AsyncCalls):
    """The asyncio client: the same calls and options as ``Client``, as coroutines.

    Requests run on the core's runtime, not on the event loop's thread; cancelling the task
    that awaits a call cancels the request. Safe to share between tasks and loops.
    """

    def __init__(
        self,
        api_key: Optional[str] = None,
        *,
        base_url: Optional[str] = None,
        timeout: float = 30.0,
        max_retries: int = 2,
        max_connections: int = 100,
        proxy: Optional[str] = None,
        _initial_backoff: Optional[float] = None,
    ) -> None:
        _native.refresh_log_level()
        self._native = _native.AsyncClient(
            api_key,
            base_url,
            float(timeout),
            max_retries,
            _initial_backoff,
            int(max_connections),
            proxy,
        )

    @property
    def base_url(self) -> str:
        """The base URL every command is joined onto (ends in ``/``)."""
        return str(self._native.base_url)

    async def wait_for_status(
        self, targets: Targets, timeout: float = 60.0, poll_interval: float = 1.0
    ) -> Status:
        """Polls ``status()`` until its code is one of ``targets``; ``TimeoutError`` after ``timeout``
        seconds, with the last status in ``e.last_status``."""
        return await self._native.wait_for_status(  # type: ignore[no-any-return]
            _codes(targets), float(timeout), float(poll_interval)
        )

    async def connect(
        self,
        on_qr: Callable[[QrCode], Union[object, Awaitable[object]]],
        timeout: float = 300.0,
        *,
        poll_interval: float = 1.0,
        user_agent: Optional[str] = None,
        restore_session: bool = True,
    ) -> Status:
        """Pairs a phone: hands each fresh QR code to ``on_qr`` until the status is authenticated.

        ``on_qr`` runs on this event loop and may be a coroutine function; an exception it
        raises ends ``connect`` with that same exception. Restore first, ``restore_session``
        and the errors: as ``Client.connect``.
        """
        import asyncio  # here, not at the top: `import witi` stays fast without it (_loop.py)

        loop = asyncio.get_running_loop()

        async def call(qr: QrCode) -> None:
            result = on_qr(qr)
            if inspect.isawaitable(result):
                await result

        def on_loop(qr: QrCode) -> None:
            # Called on a runtime thread, which waits here for the loop to run the callback
            # (a loop closed by hand ends `connect`, whose result nobody awaits any more).
            run_on_loop(loop, lambda: call(qr))

        return await self._native.connect(  # type: ignore[no-any-return]
            on_loop, float(timeout), float(poll_interval), user_agent, bool(restore_session)
        )

    async def close(self) -> None:
        """Releases the connection pool; later calls raise ``InvalidArgumentError``."""
        self._native = _Closed()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"
