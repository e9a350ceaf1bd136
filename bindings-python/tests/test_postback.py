"""decode_postback's events build their ``status`` on first access (witi/_postback.py): they
must look and behave exactly as the plain frozen dataclasses they were."""

from __future__ import annotations

import base64
import dataclasses
import json
import pickle

import witi

STATUS = json.dumps(
    {
        "status": 10,
        "statusString": "WhatsAppAuthenticated",
        "connected": True,
        "WebID": "K3y-SECRET",
        "Webhook": "http://h/?wid=K3y-SECRET",
        "storage": {"Name": "K3y-SECRET", "Bytes": 1, "Files": 2, "Subs": None},
    }
)
OTHER = '{"type": "message", "text": "hi"}'


def bulk(*texts: str) -> bytes:
    items = [base64.b64encode(t.encode()).decode() for t in texts]
    return b"BULK," + json.dumps(items).encode()


def test_the_status_is_built_on_first_access_once() -> None:
    status_event, other = witi.decode_postback(bulk(STATUS, OTHER), wid="K3y-SECRET")
    assert "status" not in vars(status_event)
    status = status_event.status
    assert status is not None
    assert status.code == witi.StatusCode.AUTHENTICATED
    assert status.web_id == "K3y-SECRET"
    assert status.raw_json == STATUS == status_event.json
    assert status.storage is not None and status.storage.files == 2
    assert status_event.status is status, "built once"
    assert other.kind == "unknown" and other.status is None
    assert witi.Event.status is None, "the class keeps the field's default"


def test_events_compare_hash_and_print_as_plain_data() -> None:
    [read] = witi.decode_postback(STATUS.encode(), wid="K3y-SECRET")
    [unread] = witi.decode_postback(STATUS.encode(), wid="K3y-SECRET")
    assert read.status is not None
    assert read == unread and hash(read) == hash(unread)
    built = witi.Event(read.kind, read.json, read.status, read.wid, read.id)
    assert built == unread
    [fresh] = witi.decode_postback(STATUS.encode(), wid="K3y-SECRET")
    assert "status=Status(" in repr(fresh) and "K3y" not in repr(fresh)
    [fresh] = witi.decode_postback(STATUS.encode())
    assert fresh.to_dict()["status"]["code"] == 10


def test_copies_of_an_unread_event_carry_the_same_status() -> None:
    [event] = witi.decode_postback(STATUS.encode(), wid="K3y-SECRET")
    again = pickle.loads(pickle.dumps(event))
    replaced = dataclasses.replace(event, id="another")
    assert again.status == replaced.status == event.status
    assert replaced.id == "another" and again == event
