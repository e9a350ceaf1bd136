"""The table's calls in Python: `_calls.py` is what `gen_calls.py` makes of the native table
(drift), both clients have every call with the table's parameters, arguments are converted
(or refused) as documented, and the Messages, Contacts and Groups calls work end to end
against the simulator."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import importlib.util
import inspect
import json
import pathlib
import sys
from typing import Any, Iterator, Tuple

import pytest
import witi

from conftest import REPO, Sim

GEN = REPO / "bindings-python" / "gen_calls.py"


def load_generator() -> Any:
    spec = importlib.util.spec_from_file_location("gen_calls", GEN)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_calls_py_is_what_the_table_gives() -> None:
    gen = load_generator()
    expected = gen.render(witi._native.CALLS)
    current = gen.TARGET.read_text()
    assert current == expected, (
        f"{gen.TARGET} is stale: run {sys.executable} {GEN} (after scripts/test-python.sh built the wheel)"
    )


def test_the_installed_calls_py_is_the_source_one() -> None:
    # The wheel under test was built from the source tree's _calls.py, not an older one.
    installed = pathlib.Path(witi._calls.__file__).read_text()
    assert installed == (REPO / "bindings-python" / "python" / "witi" / "_calls.py").read_text()


def test_the_table_has_the_issue_calls() -> None:
    names = [entry[0] for entry in witi._native.CALLS]
    for name in (
        "status", "chats", "send_message", "send_file", "contacts", "get_profile",
        "query_profile", "is_on_whatsapp", "group_create", "group_add", "call",
    ):
        assert name in names
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("cls", [witi.Client, witi.AsyncClient])
def test_every_table_call_is_a_method_with_the_tables_parameters(cls: type) -> None:
    for name, doc, params, _ in witi._native.CALLS:
        method = getattr(cls, name)
        assert inspect.iscoroutinefunction(method) == (cls is witi.AsyncClient), name
        signature = inspect.signature(method)
        assert list(signature.parameters)[1:] == [p[0] for p in params], name
        words = lambda text: text.replace("`", "").split()  # noqa: E731
        assert method.__doc__ and words(method.__doc__) == words(doc), name
        for param, ty, default in params:
            p = signature.parameters[param]
            if default is not None:
                assert p.default == {"true": True, "false": False}[default], (name, param)
            elif ty.startswith("Option<"):
                assert p.default is None, (name, param)
            else:
                assert p.default is inspect.Parameter.empty, (name, param)


def test_python_signatures_of_the_issue() -> None:
    send_file = inspect.signature(witi.Client.send_file)
    kinds = {n: p.kind for n, p in send_file.parameters.items()}
    assert kinds["to"] is inspect.Parameter.POSITIONAL_OR_KEYWORD
    for name in ("url", "data", "path", "mime_type", "caption", "filename"):
        assert kinds[name] is inspect.Parameter.KEYWORD_ONLY, name
    call = inspect.signature(witi.AsyncClient.call).parameters
    assert call["body"].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD and call["body"].default is None
    assert call["changes_state"].kind is inspect.Parameter.KEYWORD_ONLY
    assert call["changes_state"].default is True
    # The connection commands kept their positional forms.
    assert list(inspect.signature(witi.Client.set_config).parameters)[1:] == [
        "webhook", "user_agent", "api_version", "api_version_can_bulk",
    ]


def test_the_generator_names_an_unknown_type() -> None:
    gen = load_generator()
    table = ((("weird", "doc", (("x", "HashMap<String,u8>", None),), "Status")),)
    with pytest.raises(SystemExit) as info:
        gen.render(table)
    assert "weird" in str(info.value) and "PARAM_TYPES" in str(info.value)


def calls_of(sim: Sim, key: str, command: str) -> int:
    status, snapshot = sim.control("GET", f"instances/{key}")
    return 0 if status == 404 else int(snapshot["calls"].get(command, 0))


def sent(sim: Sim, key: str) -> Any:
    status, records = sim.control("GET", f"instances/{key}/sent")
    assert status == 200, records
    return records


def test_native_invoke_checks_names_counts_and_types(sim: Sim, key: str) -> None:
    client = witi.Client(key, base_url=sim.url)
    with pytest.raises(TypeError, match="no call named"):
        client._native.invoke("nope", ())
    with pytest.raises(TypeError, match=r"send_message\(\) takes 2 arguments"):
        client._native.invoke("send_message", ("5511987654321",))
    with pytest.raises(TypeError, match="`text`"):
        client.send_message("5511987654321", 5)  # type: ignore[arg-type]
    # A str is not a list of participants (it would be one per character).
    with pytest.raises(TypeError, match="`participants`"):
        client.group_create("team", "5511987654321")
    with pytest.raises(TypeError, match="`data`"):
        client.send_file("5511987654321", data="text", mime_type="file")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="`changes_state`"):
        client.call("status", changes_state=1)  # type: ignore[arg-type]
    assert calls_of(sim, key, "send_message.aspx") == 0


def test_call_body_must_be_json(sim: Sim, key: str) -> None:
    client = witi.Client(key, base_url=sim.url)
    with pytest.raises(TypeError, match="set is not JSON serializable"):
        client.call("send_message.aspx", {"a": {1, 2}})
    with pytest.raises(TypeError, match="keys must be str"):
        client.call("send_message.aspx", {1: "x"})
    with pytest.raises(ValueError, match="NaN"):
        client.call("send_message.aspx", {"x": float("nan")})
    with pytest.raises(ValueError, match="64 bits"):
        client.call("send_message.aspx", [2**64])
    loop: Any = []
    loop.append(loop)
    with pytest.raises(ValueError, match="deeper"):
        client.call("send_message.aspx", loop)
    assert calls_of(sim, key, "send_message.aspx") == 0


@pytest.fixture
def paired(sim: Sim, key: str) -> Iterator[Tuple[witi.Client, str]]:
    sim.post(f"instances/{key}/config", {"starting_delay_ms": 0})
    with witi.Client(key, base_url=sim.url) as client:
        client.generate_qrcode()
        sim.post(f"instances/{key}/scan")
        client.wait_for_status(witi.StatusCode.AUTHENTICATED, timeout=5, poll_interval=0.02)
        yield client, key


def test_messages_contacts_and_groups(sim: Sim, paired: Tuple[witi.Client, str]) -> None:
    client, key = paired
    chats = client.chats()
    assert isinstance(chats, list) and chats and all(isinstance(c, witi.Chat) for c in chats)
    assert all(c.jid and c.raw_json for c in chats)
    contacts = client.contacts()
    assert len(contacts) == 72 and all(isinstance(c, witi.Contact) for c in contacts)
    first = contacts[0]
    assert first.jid and first.jid.endswith("@s.whatsapp.net") and json.loads(first.raw_json)["jid"] == first.jid

    message = client.send_message("+55 11 98765-4321", "*oi*")
    assert isinstance(message, witi.SentMessage) and len(message.id) == 32 and message.url is None
    assert sent(sim, key)[-1]["number"] == "5511987654321@s.whatsapp.net"

    profile = client.get_profile(first.jid)
    assert isinstance(profile, witi.Contact) and profile.jid == first.jid
    assert client.get_profile("5511999999990") is None  # not a contact
    assert client.query_profile("5511999999990") is None  # the simulator: digits ending in 0
    assert client.is_on_whatsapp("5511999999991") is True
    assert client.is_on_whatsapp("5511999999990") is False

    group = client.group_create("Equipe", ["5521987654321", "5531987654321@s.whatsapp.net"])
    assert isinstance(group, witi.Group) and group.jid and group.jid.endswith("@g.us")
    info = group.information
    assert isinstance(info, witi.GroupInformation) and info.subject == "Equipe"
    assert all(isinstance(p, witi.GroupParticipant) for p in info.participants)
    assert len(info.participants) == 3 and info.participants[0].is_super_admin is True
    grown = client.group_add(group.jid, ("5541987654321",))
    assert grown.information and len(grown.information.participants) == 4


def test_send_file_by_url_bytes_and_path(sim: Sim, paired: Tuple[witi.Client, str], tmp_path: pathlib.Path) -> None:
    client, key = paired
    by_url = client.send_file("5511987654321", url="https://x.test/n.pdf", mime_type="file", filename="n.pdf")
    assert len(by_url.id) == 32 and by_url.url
    last = sent(sim, key)[-1]
    assert last["url"] == "https://x.test/n.pdf" and last["filename"] == "n.pdf"
    payload = bytes(range(256)) * 4
    digest = hashlib.sha256(payload).hexdigest()
    for data in (payload, bytearray(payload), memoryview(payload)):
        client.send_file("5511987654321", data=data, mime_type="application/octet-stream", caption="c")
        last = sent(sim, key)[-1]
        assert last["bytes"] == len(payload) and last["sha256"] == digest, type(data)
    file = tmp_path / "n.bin"
    file.write_bytes(payload)
    for path in (file, str(file)):
        client.send_file("5511987654321", path=path, mime_type="application/octet-stream")
        assert sent(sim, key)[-1]["sha256"] == digest
    with pytest.raises(witi.InvalidArgumentError):
        client.send_file("5511987654321", url="https://x.test/a", data=payload, mime_type="file")
    # A file name that is not UTF-8 (os.listdir gives it with a lone surrogate) cannot cross:
    # a ValueError naming `path` (it was "TypeError: function takes exactly 5 arguments").
    with pytest.raises(ValueError, match="send_file\\(\\): `path`") as info:
        client.send_file("5511987654321", path=str(tmp_path / "caf\udce9.bin"), mime_type="file")
    assert isinstance(info.value.__cause__, UnicodeEncodeError)
    # Not a regular file: refused before reading (a FIFO blocked, /dev/zero filled memory).
    for special in ("/dev/zero", str(tmp_path)):
        with pytest.raises(witi.InvalidArgumentError, match="could not be read|not a regular file"):
            client.send_file("5511987654321", path=special, mime_type="file")
    assert len(sent(sim, key)) == 6


def test_call_answers_parsed_json(sim: Sim, paired: Tuple[witi.Client, str]) -> None:
    client, key = paired
    answer = client.call("status", changes_state=False)
    assert isinstance(answer, dict) and answer["status"] == 10
    posted = client.call("send_message.aspx", {"number": "5511987654321@s.whatsapp.net", "message": "raw"})
    assert isinstance(posted, dict) and posted["success"] is True
    assert sent(sim, key)[-1]["message"] == "raw"
    chats = client.call("chats.aspx", changes_state=False)
    assert isinstance(chats, list) and chats and isinstance(chats[0], dict)


def test_async_client_has_every_call(sim: Sim, key: str) -> None:
    sim.post(f"instances/{key}/config", {"starting_delay_ms": 0})

    async def main() -> None:
        async with witi.AsyncClient(key, base_url=sim.url) as client:
            await client.generate_qrcode()
            sim.post(f"instances/{key}/scan")
            await client.wait_for_status(witi.StatusCode.AUTHENTICATED, timeout=5, poll_interval=0.02)
            chats, contacts, on = await asyncio.gather(
                client.chats(), client.contacts(), client.is_on_whatsapp("5511999999991")
            )
            assert chats and len(contacts) == 72 and on is True
            data = base64.b64decode("iVBORw0KGgo=")
            sent_file = await client.send_file("5511987654321", data=data, mime_type="image/png")
            assert sent_file.jpeg_thumbnail  # an image gets the simulator's placeholder
            assert (await client.call("status", changes_state=False))["status"] == 10

    asyncio.run(main())


def test_closed_client_refuses_table_calls(sim: Sim, key: str) -> None:
    client = witi.Client(key, base_url=sim.url)
    client.close()
    with pytest.raises(witi.InvalidArgumentError, match="closed"):
        client.send_message("5511987654321", "hi")


def test_key_never_in_table_call_errors(sim: Sim, key: str) -> None:
    client = witi.Client(key, base_url=sim.url)
    for call in (
        lambda: client.send_message("5511987654321", "hi"),  # refused before pairing
        lambda: client.call("send_message.aspx", {"key": key}),
        lambda: client.group_add(key, ["5511987654321"]),
        # A command holding the key was sent and printed: "<key>.aspx: … HTTP 404".
        lambda: client.call(key),
        lambda: client.call(key.lower() + ".aspx", changes_state=False),
    ):
        with pytest.raises(witi.WitiError) as info:
            call()
        e = info.value
        for text in (str(e), repr(e), *map(str, vars(e).values())):
            assert key not in text
