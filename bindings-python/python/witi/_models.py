"""The results of every call, as plain Python classes.

The native module fills them (positionally, in the field order declared here: keep
``src/model.rs`` in step). Frozen dataclasses give attributes, ``repr``, equality and pickling;
``to_dict()`` gives the spec's snake_case names, the same JSON shape as every other language.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, fields
from typing import Any, Dict, Optional, Tuple, Union

__all__ = [
    "ClearResult",
    "ConnectionInfo",
    "Event",
    "Phone",
    "QrCode",
    "SessionResult",
    "Stats",
    "Status",
    "StatusCode",
    "StorageNode",
]


class StatusCode(enum.IntEnum):
    """The connection status codes. A code the SDK does not know comes back as a plain ``int``."""

    NO_CONNECTION = 0
    WEB_SOCKET_OPENING = 1
    WEB_SOCKET_OPEN = 2
    WAIT_FOR_QR_AUTHENTICATION = 3
    STARTING = 4
    AUTHENTICATED = 10
    AUTHENTICATED_CONNECTION_CLOSED = 11
    NOT_AUTHENTICATED = 13


# number -> member, for the native module (an unknown number stays an int).
_STATUS_CODES: Dict[int, StatusCode] = {member.value: member for member in StatusCode}


def _plain(value: Any) -> Any:
    if isinstance(value, _Result):
        return value.to_dict()
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, enum.IntEnum):
        return int(value)
    return value


class _Result:
    """What every result shares: ``to_dict()``."""

    __slots__ = ()

    def to_dict(self) -> Dict[str, Any]:
        """The result as JSON-ready data, with the spec's snake_case field names."""
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}  # type: ignore[arg-type]


@dataclass(frozen=True)
class Phone(_Result):
    """The paired phone's hardware and software."""

    device_model: Optional[str] = None
    wa_version: Optional[str] = None
    mcc: Optional[str] = None
    mnc: Optional[str] = None
    os_version: Optional[str] = None
    os_build_number: Optional[str] = None
    device_manufacturer: Optional[str] = None


@dataclass(frozen=True)
class ConnectionInfo(_Result):
    """The paired phone's session."""

    lg: Optional[str] = None
    lc: Optional[str] = None
    phone: Optional[Phone] = None
    battery: Optional[int] = None
    plugged: Optional[bool] = None
    platform: Optional[str] = None
    wid: Optional[str] = None
    pushname: Optional[str] = None
    tos: Optional[int] = None
    proto_version: Tuple[int, ...] = ()
    connected: Optional[bool] = None
    is_response: Optional[bool] = None
    bin_version: Optional[int] = None
    locales: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Stats(_Result):
    """Usage counters."""

    contacts: Optional[int] = None
    chats: Optional[int] = None
    sent_bytes: Optional[int] = None
    received_bytes: Optional[int] = None


@dataclass(frozen=True)
class StorageNode(_Result):
    """One folder of the instance's storage."""

    name: str = ""
    bytes: int = 0
    files: int = 0
    subs: Tuple[StorageNode, ...] = ()


@dataclass(frozen=True)
class Status(_Result):
    """Connection information (``status()``, ``disconnect()``, ``set_config()``, PostBacks)."""

    code: Union[StatusCode, int]
    status_string: str
    connected: bool
    connection_info: Optional[ConnectionInfo] = None
    #: The instance's WebID: the gateway appends it to PostBack URLs as ``&wid=``, like the key,
    #: and it may be the key. ``webhook`` carries it again. Both are left out of ``repr``.
    web_id: Optional[str] = field(default=None, repr=False)
    webhook: Optional[str] = field(default=None, repr=False)
    user_agent: Optional[str] = None
    can_restore_connection: bool = False
    stats: Optional[Stats] = field(default=None, repr=False)
    storage: Optional[StorageNode] = field(default=None, repr=False)
    #: The response text as received, so fields this SDK does not know stay reachable.
    raw_json: str = field(default="", repr=False)


@dataclass(frozen=True)
class QrCode(_Result):
    """A QR code to scan with the phone."""

    svg: str
    data_url: str
    ttl_seconds: int

    def __repr__(self) -> str:
        # The SVG is kilobytes of markup: its size says enough.
        return f"QrCode(svg=<{len(self.svg)} chars>, ttl_seconds={self.ttl_seconds})"


@dataclass(frozen=True)
class SessionResult(_Result):
    """What ``close_session``, ``save_session`` and ``restore_session`` answer."""

    success: bool
    status: Optional[Status] = None
    raw_json: str = field(default="", repr=False)


@dataclass(frozen=True)
class ClearResult(_Result):
    """What ``clear`` answers."""

    success: bool
    message: str


@dataclass(frozen=True)
class Event(_Result):
    """One PostBack event: ``kind`` is ``"status"`` (then ``status`` is set) or ``"unknown"``."""

    kind: str
    #: The event's own JSON text.
    json: str = field(repr=False)
    status: Optional[Status] = None
    #: The instance (its WebID) the request named with ``wid=``; ``None`` when it named none.
    #: It is the instance's key: left out of ``repr`` so that it does not reach logs.
    wid: Optional[str] = field(default=None, repr=False)
    #: A stable id (32 hex digits) from the instance and the event's text: a redelivered
    #: body gives the same ids, two identical events in one body distinct ones.
    id: str = ""
