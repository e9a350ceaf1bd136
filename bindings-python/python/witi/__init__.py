"""witi: the witi.me WhatsApp connection API, on the witi Rust core.

``Client`` (blocking) and ``AsyncClient`` (asyncio) run the eight commands, ``wait_for_status``
and the QR pairing flow ``connect``; ``decode_postback`` and ``WebhookServer``/``listen``
handle the gateway's PostBacks. Results are the classes of ``witi._models``; failures raise
``WitiError`` subclasses with a stable ``code``. Logs go to the ``witi`` logger.
"""

from __future__ import annotations

import atexit
from typing import List, Optional, Union

from . import _errors, _models, _native, _postback
from ._client import AsyncClient, Client
from ._errors import (
    ApiError,
    AuthError,
    ConnectionError,
    DecodeError,
    HttpStatusError,
    InvalidArgumentError,
    PostbackError,
    RateLimitedError,
    TimeoutError,
    WitiError,
)
from ._models import (
    Chat,
    ClearResult,
    ConnectionInfo,
    Contact,
    Event,
    Group,
    GroupInformation,
    GroupParticipant,
    Phone,
    QrCode,
    SentMessage,
    SessionResult,
    Stats,
    Status,
    StatusCode,
    StorageNode,
)
from ._webhook import WebhookServer, listen

__version__: str = _native.__version__

# Users meet these as `witi.X` (tracebacks, reprs, pickles): say so, whatever file holds them.
for _cls in (
    ApiError, AsyncClient, AuthError, ClearResult, Client, ConnectionError, ConnectionInfo,
    DecodeError, Event, HttpStatusError, InvalidArgumentError, Phone, PostbackError, QrCode,
    RateLimitedError, SessionResult, Stats, Status, StatusCode, StorageNode, TimeoutError,
    WebhookServer, WitiError,
    Chat, Contact, Group, GroupInformation, GroupParticipant, SentMessage,
):
    _cls.__module__ = __name__
del _cls

_native.init_types(_models, _errors)
# decode_postback's events build their `status` when it is first read (see _postback.py).
_postback.install()
# Runtime threads must be out of Python before finalization starts (see src/runtime.rs).
atexit.register(_native.shutdown)


def decode_postback(
    body: Union[bytes, bytearray, memoryview, str], wid: Optional[str] = None
) -> List[Event]:
    """Decodes a PostBack body (plain JSON, ``BULK,`` or ``BULKGZ,``) into its events.

    ``wid`` is the request's ``wid`` query parameter (the instance): every event carries it in
    ``Event.wid`` and it enters ``Event.id``.
    """
    if isinstance(body, str):
        body = body.encode("utf-8")
    return _native.decode_postback(body if isinstance(body, bytes) else bytes(body), wid)


__all__ = [
    "ApiError",
    "AsyncClient",
    "AuthError",
    "Chat",
    "ClearResult",
    "Client",
    "ConnectionError",
    "ConnectionInfo",
    "Contact",
    "DecodeError",
    "Event",
    "Group",
    "GroupInformation",
    "GroupParticipant",
    "HttpStatusError",
    "InvalidArgumentError",
    "Phone",
    "PostbackError",
    "QrCode",
    "RateLimitedError",
    "SentMessage",
    "SessionResult",
    "Stats",
    "Status",
    "StatusCode",
    "StorageNode",
    "TimeoutError",
    "WebhookServer",
    "WitiError",
    "__version__",
    "decode_postback",
    "listen",
]
