"""``Event.status`` built on first access.

``decode_postback`` gives each event its kind, text, ``wid`` and id, but not its typed
``Status``: building every status (up to nine objects) was most of the cost of a decode, and a
handler reads few of them. ``_LazyStatus`` replaces the dataclass's class-level default of
``Event.status``: it is consulted only when an instance has no ``status`` of its own (events
from ``decode_postback``), asks the core for the status of the event's ``json`` (the same
``Status`` a full decode gives), and stores it in the instance, so it is built once and the
event then is exactly the plain frozen dataclass it would have been (``repr``, equality,
hashing, ``to_dict``, pickling and ``dataclasses.replace`` all read it through ``getattr``).
Events made any other way (the receiver, ``Event(...)``) have their own ``status``.
"""

from __future__ import annotations

from typing import Any, Optional

from . import _native
from ._models import Event, Status


class _LazyStatus:
    """A non-data descriptor: an instance's own ``status`` always wins over it."""

    def __get__(self, event: Optional[Event], owner: Any = None) -> Optional[Status]:
        if event is None:
            return None  # `Event.status` on the class: the field's default, as before
        status = _native.event_status(event.json)
        # A frozen dataclass refuses setattr; its __dict__ is where the field lives anyway.
        event.__dict__["status"] = status
        return status


def install() -> None:
    """Puts ``_LazyStatus`` on ``Event`` (once, at ``import witi``)."""
    Event.status = _LazyStatus()  # type: ignore[assignment]
