"""The results of every call, as plain Python classes.

The native module fills them (positionally, in the field order declared here: keep
``src/model.rs`` and ``src/model/messages.rs`` in step; ``tests/test_models.py`` compares every
field with the core's). Frozen dataclasses give attributes, equality and pickling; ``to_dict()``
gives the spec's snake_case names, the same JSON shape as every other language.

``repr`` is ``_Result.__repr__``, driven by the core's list of hidden fields
(``witi._native.HIDDEN_FIELDS``, from ``witi::HIDDEN_FIELDS``): a hidden field shows only
whether it is set (``picture=<redacted>``; ``raw_json_len=N`` for a JSON text), so a field the
core marks sensitive is hidden here with no change to this file. A field declared with
``field(repr=False)`` is left out as well (the binding's own choice: ``Status.storage``, whose
root is named by the WebID, and ``Status.stats``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, fields
from typing import Any, Dict, FrozenSet, Optional, Tuple, Union

__all__ = [
    "Chat",
    "ClearResult",
    "ConnectionInfo",
    "Contact",
    "Event",
    "Group",
    "GroupInformation",
    "GroupParticipant",
    "Phone",
    "QrCode",
    "SentMessage",
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


# class -> the fields the core hides from its printed form.
_HIDDEN: Dict[type, FrozenSet[str]] = {}


def _hidden(cls: type) -> FrozenSet[str]:
    """The core's hidden fields for ``cls`` (or the result class it derives from)."""
    try:
        return _HIDDEN[cls]
    except KeyError:
        pass
    from . import _native

    found: FrozenSet[str] = frozenset()
    for klass in cls.__mro__:
        if klass.__module__ in ("witi", __name__) and klass.__name__ in _native.HIDDEN_FIELDS:
            found = frozenset(_native.HIDDEN_FIELDS[klass.__name__])
            break
    _HIDDEN[cls] = found
    return found


class _Result:
    """What every result shares: ``to_dict()`` and a ``repr`` without the hidden fields."""

    __slots__ = ()

    def to_dict(self) -> Dict[str, Any]:
        """The result as JSON-ready data, with the spec's snake_case field names."""
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}  # type: ignore[arg-type]

    def __repr__(self) -> str:
        hidden = _hidden(type(self))
        parts = []
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if f.name in hidden:
                if f.name.endswith("json") and isinstance(value, str):
                    parts.append(f"{f.name}_len={len(value)}")
                else:
                    shown = "None" if value is None else _native_redacted()
                    parts.append(f"{f.name}={shown}")
            elif f.repr:
                parts.append(f"{f.name}={value!r}")
        return f"{type(self).__qualname__}({', '.join(parts)})"


def _native_redacted() -> str:
    from . import _native

    return _native.REDACTED_FIELD


@dataclass(frozen=True, repr=False)
class Phone(_Result):
    """The paired phone's hardware and software."""

    device_model: Optional[str] = None
    wa_version: Optional[str] = None
    mcc: Optional[str] = None
    mnc: Optional[str] = None
    os_version: Optional[str] = None
    os_build_number: Optional[str] = None
    device_manufacturer: Optional[str] = None


@dataclass(frozen=True, repr=False)
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


@dataclass(frozen=True, repr=False)
class Stats(_Result):
    """Usage counters."""

    contacts: Optional[int] = None
    chats: Optional[int] = None
    sent_bytes: Optional[int] = None
    received_bytes: Optional[int] = None


@dataclass(frozen=True, repr=False)
class StorageNode(_Result):
    """One folder of the instance's storage."""

    name: str = ""
    bytes: int = 0
    files: int = 0
    subs: Tuple[StorageNode, ...] = ()


@dataclass(frozen=True, repr=False)
class Status(_Result):
    """Connection information (``status()``, ``disconnect()``, ``set_config()``, PostBacks)."""

    code: Union[StatusCode, int]
    status_string: str
    connected: bool
    connection_info: Optional[ConnectionInfo] = None
    #: The instance's WebID: the gateway appends it to PostBack URLs as ``&wid=``, like the key,
    #: and it may be the key. ``webhook`` carries it again. Both are hidden from ``repr`` (core).
    web_id: Optional[str] = None
    webhook: Optional[str] = None
    user_agent: Optional[str] = None
    can_restore_connection: bool = False
    stats: Optional[Stats] = field(default=None, repr=False)
    storage: Optional[StorageNode] = field(default=None, repr=False)
    #: The response text as received, so fields this SDK does not know stay reachable.
    raw_json: str = ""


@dataclass(frozen=True, repr=False)
class QrCode(_Result):
    """A QR code to scan with the phone."""

    svg: str
    data_url: str
    ttl_seconds: int

    def __repr__(self) -> str:
        # The SVG is kilobytes of markup: its size says enough.
        return f"QrCode(svg=<{len(self.svg)} chars>, ttl_seconds={self.ttl_seconds})"


@dataclass(frozen=True, repr=False)
class SessionResult(_Result):
    """What ``close_session``, ``save_session`` and ``restore_session`` answer."""

    success: bool
    status: Optional[Status] = None
    raw_json: str = ""


@dataclass(frozen=True, repr=False)
class ClearResult(_Result):
    """What ``clear`` answers."""

    success: bool
    message: str


@dataclass(frozen=True, repr=False)
class Event(_Result):
    """One PostBack event: ``kind`` is ``"status"`` (then ``status`` is set) or ``"unknown"``."""

    kind: str
    #: The event's own JSON text.
    json: str
    status: Optional[Status] = None
    #: The instance (its WebID) the request named with ``wid=``; ``None`` when it named none.
    #: It is the instance's key: hidden from ``repr`` (core) so that it does not reach logs.
    wid: Optional[str] = None
    #: A stable id (32 hex digits) from the instance and the event's text: a redelivered
    #: body gives the same ids, two identical events in one body distinct ones.
    id: str = ""


@dataclass(frozen=True, repr=False)
class Chat(_Result):
    """One chat of the phone (``chats()``): a person (``…@s.whatsapp.net``) or a group (``…@g.us``)."""

    jid: Optional[str] = None
    name: Optional[str] = None
    #: Unread messages.
    unread_count: Optional[int] = None
    muted: Optional[bool] = None
    #: The wire's ``mute`` text when it is not empty (its format is not documented).
    mute_until: Optional[str] = None
    spam: Optional[bool] = None
    archived: Optional[bool] = None
    #: The last message's time, Unix seconds.
    last_message_time: Optional[int] = None
    modify_tag: Optional[str] = None
    #: The picture's URL (it carries the WebID: hidden from ``repr``).
    picture: Optional[str] = None
    #: ISO-8601 as sent; ``None`` for "never".
    last_update: Optional[str] = None
    #: The chat's JSON text as received.
    raw_json: str = ""


@dataclass(frozen=True, repr=False)
class Contact(_Result):
    """A contact (``contacts()``) or a profile (``get_profile``, ``query_profile``)."""

    jid: Optional[str] = None
    #: The name the person chose.
    push_name: Optional[str] = None
    #: The name saved in the phone's contacts.
    name: Optional[str] = None
    short_name: Optional[str] = None
    #: A business's verified name.
    verified_name: Optional[str] = None
    verify: Optional[str] = None
    picture: Optional[str] = None
    last_update: Optional[str] = None
    #: Unix seconds.
    last_message_time: Optional[int] = None
    is_business: Optional[bool] = None
    status: Optional[int] = None
    tag: Optional[str] = None
    unread_count: Optional[int] = None
    muted: Optional[bool] = None
    spam: Optional[bool] = None
    archived: Optional[bool] = None
    is_group: Optional[bool] = None
    #: The contact's JSON text as received.
    raw_json: str = ""


@dataclass(frozen=True, repr=False)
class GroupParticipant(_Result):
    """One member of a group."""

    id: Optional[str] = None
    is_admin: Optional[bool] = None
    is_super_admin: Optional[bool] = None


@dataclass(frozen=True, repr=False)
class GroupInformation(_Result):
    """A group's subject, owner and participants."""

    #: The group's JID (``…@g.us``).
    id: Optional[str] = None
    subject: Optional[str] = None
    #: The creator's JID.
    owner: Optional[str] = None
    subject_owner: Optional[str] = None
    #: Unix seconds.
    creation: Optional[int] = None
    #: When the subject was set, Unix seconds.
    subject_time: Optional[int] = None
    participants: Tuple[GroupParticipant, ...] = ()


@dataclass(frozen=True, repr=False)
class Group(_Result):
    """A WhatsApp group (``group_create``, ``group_add``)."""

    #: The group's JID (``…@g.us``).
    jid: Optional[str] = None
    name: Optional[str] = None
    picture: Optional[str] = None
    original_picture: Optional[str] = None
    last_update: Optional[str] = None
    #: Unix seconds.
    last_presence_time: Optional[int] = None
    information: Optional[GroupInformation] = None
    #: ``information`` as received (the JSON text the wire carries inside a string).
    information_json: Optional[str] = None
    #: The group's JSON text as received.
    raw_json: str = ""


@dataclass(frozen=True, repr=False)
class SentMessage(_Result):
    """What ``send_message`` and ``send_file`` answer."""

    #: The message's id.
    id: str
    #: Where the server keeps the file (files only). It carries the WebID: hidden from ``repr``.
    url: Optional[str] = None
    #: A base64 JPEG thumbnail (files only).
    jpeg_thumbnail: Optional[str] = None
    #: The answer's JSON text as received.
    raw_json: str = ""
