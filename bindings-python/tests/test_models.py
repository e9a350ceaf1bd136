"""The results of the Messages, Contacts and Groups calls, and the printed form of every
result against the core's list of hidden fields (`witi::HIDDEN_FIELDS`, exported as
`witi._native.HIDDEN_FIELDS`): a field the core hides never shows in a repr, whichever type."""

from __future__ import annotations

import dataclasses
import json
import pickle
from typing import Any, Dict

import pytest
import witi

NEW_MODELS = ["Chat", "Contact", "Group", "GroupInformation", "GroupParticipant", "SentMessage"]
# Values for the required fields of a result built by hand (hidden ones get a secret instead).
REQUIRED: Dict[str, Any] = {
    "code": 10, "status_string": "ok", "connected": True, "kind": "status", "id": "ABC",
    "success": True, "svg": "<svg/>", "data_url": "data:", "ttl_seconds": 20, "message": "m",
}


def test_the_new_models_are_exported() -> None:
    for name in NEW_MODELS:
        cls = getattr(witi, name)
        assert name in witi.__all__ and cls.__module__ == "witi"
        assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen  # type: ignore[attr-defined]


def test_every_field_is_the_cores_in_the_cores_order() -> None:
    # Each sample has every field set to a value of its own: a missing, renamed or swapped
    # field makes to_dict() differ from the core's JSON of the same value.
    samples = witi._native.model_samples()
    assert {type(obj).__name__ for obj, _ in samples} == set(NEW_MODELS)
    for obj, core_json in samples:
        assert type(obj) is getattr(witi, type(obj).__name__)
        assert obj.to_dict() == json.loads(core_json), type(obj).__name__
        assert [f.name for f in dataclasses.fields(obj)] == list(obj.to_dict())
        assert pickle.loads(pickle.dumps(obj)) == obj


def test_nested_results_are_objects() -> None:
    by_name = {type(obj).__name__: obj for obj, _ in witi._native.model_samples()}
    group = by_name["Group"]
    assert isinstance(group.information, witi.GroupInformation)
    assert isinstance(group.information.participants, tuple)
    assert isinstance(group.information.participants[0], witi.GroupParticipant)
    assert group.information.participants[0].is_admin is True


def secret_instance(cls: type, hidden: "tuple[str, ...]") -> Any:
    values: Dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name in hidden:
            values[f.name] = f"SECRET-{f.name}-VALUE"
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            values[f.name] = REQUIRED[f.name]
    return cls(**values)


@pytest.mark.parametrize("type_name", sorted(witi._native.HIDDEN_FIELDS))
def test_every_core_hidden_field_is_hidden_from_repr(type_name: str) -> None:
    hidden = witi._native.HIDDEN_FIELDS[type_name]
    cls = getattr(witi, type_name)  # every type the core lists is a witi result
    names = [f.name for f in dataclasses.fields(cls)]
    for field in hidden:
        assert field in names, f"{type_name}.{field} is listed by the core but not a field here"
    obj = secret_instance(cls, hidden)
    for text in (repr(obj), str(obj), repr([obj]), f"{obj}"):
        assert "SECRET-" not in text, text
    text = repr(obj)
    for field in hidden:
        value = getattr(obj, field)
        if field.endswith("json"):
            assert f"{field}_len={len(value)}" in text, text
        else:
            assert f"{field}={witi._native.REDACTED_FIELD}" in text, text
    # The fields the core does not hide still show (the redaction is not everything).
    shown = [f for f in dataclasses.fields(cls) if f.name not in hidden and f.repr]
    assert shown and all(f"{f.name}=" in text for f in shown), text


def test_a_hidden_field_that_is_not_set_shows_none() -> None:
    chat = witi.Chat(jid="5511@s.whatsapp.net")
    assert repr(chat).startswith("Chat(jid='5511@s.whatsapp.net', name=None,")
    assert "picture=None" in repr(chat) and "raw_json_len=0" in repr(chat)


def test_a_subclass_keeps_the_hidden_fields() -> None:
    class Mine(witi.SentMessage):
        pass

    text = repr(Mine(id="X", url="https://h/static/SECRET-WID/media/X"))
    assert "SECRET-WID" not in text and "url=<redacted>" in text and "Mine(id='X', url=<redacted>" in text


def test_to_dict_keeps_hidden_fields() -> None:
    # Hiding is for printed forms only: the data stays reachable.
    sent = witi.SentMessage(id="X", url="https://h/static/WID/media/X", raw_json='{"a":1}')
    assert sent.to_dict() == {"id": "X", "url": "https://h/static/WID/media/X", "jpeg_thumbnail": None, "raw_json": '{"a":1}'}
