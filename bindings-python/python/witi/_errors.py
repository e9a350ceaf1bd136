"""The exceptions: one base, ``WitiError``, and one subclass per stable code.

They are real Python classes (not native ones) so that they pickle, carry their fields as
attributes and can also derive from the builtin of the same meaning (``TimeoutError``,
``ConnectionError``). Messages come from the core, where the API key is already removed.
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any, Dict, Optional, Tuple, Type

if TYPE_CHECKING:
    from ._models import Status

__all__ = [
    "ApiError",
    "AuthError",
    "ConnectionError",
    "DecodeError",
    "HttpStatusError",
    "InvalidArgumentError",
    "PostbackError",
    "RateLimitedError",
    "TimeoutError",
    "WitiError",
]


class WitiError(Exception):
    """Any witi failure. ``code`` is the stable string shared by every language."""

    code: str = "unknown"

    def __init__(
        self,
        message: str,
        *,
        code: Optional[str] = None,
        command: Optional[str] = None,
        status: Optional[int] = None,
        retry_after: Optional[float] = None,
        server_message: Optional[str] = None,
        last_status: Optional[Status] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        #: The API command (``"status.aspx"``) or flow (``"connect"``) that failed.
        self.command = command
        #: The HTTP status, for ``auth``, ``rate_limited`` and ``http_status``.
        self.status = status
        #: The server's ``Retry-After`` in seconds, for ``rate_limited``.
        self.retry_after = retry_after
        #: The server's own words, for ``api``.
        self.server_message = server_message
        #: For a ``timeout`` of ``connect`` or ``wait_for_status``: the last ``Status`` the flow
        #: received (its ``code`` says where it stopped); ``None`` otherwise.
        self.last_status = last_status

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"

    def __reduce__(self) -> Tuple[Any, ...]:
        # Keyword-only fields: rebuild from the message, then restore the attributes
        # (BaseException.__setstate__ updates __dict__).
        return (type(self), (self.message,), self.__dict__.copy())


class ApiError(WitiError):
    """The server answered and said no; ``server_message`` holds its text."""

    code = "api"


class AuthError(WitiError):
    """The server rejected the API key (HTTP 401/403)."""

    code = "auth"


class RateLimitedError(WitiError):
    """HTTP 429; ``retry_after`` holds the server's wait in seconds when it sent one."""

    code = "rate_limited"


class HttpStatusError(WitiError):
    """Any other non-2xx answer; ``status`` holds the HTTP status."""

    code = "http_status"


class TimeoutError(WitiError, builtins.TimeoutError):
    """No full answer within the timeout (also a builtin ``TimeoutError``)."""

    code = "timeout"


class ConnectionError(WitiError, builtins.ConnectionError):
    """The request could not be sent or the connection broke (also a builtin ``ConnectionError``)."""

    code = "connection"


class DecodeError(WitiError):
    """The body is not the JSON the command answers with."""

    code = "decode"


class InvalidArgumentError(WitiError, ValueError):
    """The caller's input is wrong, found before any request (also a ``ValueError``)."""

    code = "invalid_argument"


class PostbackError(WitiError):
    """A PostBack body could not be decoded or broke a limit."""

    code = "postback"


# code -> class, for the native module.
_BY_CODE: Dict[str, Type[WitiError]] = {
    cls.code: cls
    for cls in (
        ApiError,
        AuthError,
        RateLimitedError,
        HttpStatusError,
        TimeoutError,
        ConnectionError,
        DecodeError,
        InvalidArgumentError,
        PostbackError,
    )
}
