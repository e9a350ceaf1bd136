"""Every public call, typed: `mypy --strict` on this file checks the package's annotations and
stubs from a user's point of view (tests/test_typing.py). It is also runnable against a
simulator: `WITI_API_KEY=k WITI_BASE_URL=http://127.0.0.1:PORT/ python typed_example.py`."""

from __future__ import annotations

import asyncio
import pickle
import os
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Union

import witi


def show(qr: witi.QrCode) -> None:
    svg: str = qr.svg
    ttl: int = qr.ttl_seconds
    print(len(svg), ttl, qr.data_url[:22])


def describe(status: witi.Status) -> Dict[str, object]:
    code: Union[witi.StatusCode, int] = status.code
    info: Optional[witi.ConnectionInfo] = status.connection_info
    phone: Optional[witi.Phone] = info.phone if info else None
    stats: Optional[witi.Stats] = status.stats
    storage: Optional[witi.StorageNode] = status.storage
    subs: List[str] = [s.name for s in storage.subs] if storage else []
    locales: List[str] = list(info.locales) if info else []
    model: Optional[str] = phone.device_model if phone else None
    contacts: Optional[int] = stats.contacts if stats else None
    return {"code": int(code), "model": model, "contacts": contacts, "subs": subs, "locales": locales}


def messages(client: witi.Client) -> None:
    """The Messages, Contacts and Groups calls and the generic call (needs a paired phone)."""
    chats: List[witi.Chat] = client.chats()
    contacts: List[witi.Contact] = client.contacts()
    jid: Optional[str] = chats[0].jid if chats else None
    sent: witi.SentMessage = client.send_message("+55 11 98765-4321", "hi")
    by_url: witi.SentMessage = client.send_file(
        "5511987654321", url="https://example.com/a.pdf", mime_type="file", filename="a.pdf"
    )
    by_bytes: witi.SentMessage = client.send_file("5511987654321", data=b"%PDF", mime_type="file", caption="c")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "a.txt"
        path.write_bytes(b"text")
        by_path: witi.SentMessage = client.send_file("5511987654321", path=path, mime_type="file")
        by_str: witi.SentMessage = client.send_file("5511987654321", path=os.fspath(path), mime_type="file")
    profile: Optional[witi.Contact] = client.get_profile(contacts[0].jid or "")
    queried: Optional[witi.Contact] = client.query_profile("5511987654321")
    on: bool = client.is_on_whatsapp("5511987654321")
    group: witi.Group = client.group_create("Team", ["5521987654321"])
    info: Optional[witi.GroupInformation] = group.information
    members: Tuple[witi.GroupParticipant, ...] = info.participants if info else ()
    grown: witi.Group = client.group_add(group.jid or "", ("5531987654321",))
    answer: Any = client.call("status", changes_state=False)
    posted: Any = client.call("send_message.aspx", {"number": "5511987654321@s.whatsapp.net", "message": "x"})
    print(jid, sent.id, by_url.url is not None, by_bytes.id, by_path.id, by_str.id, profile, queried, on)
    print(len(members), grown.raw_json[:1], answer["status"], posted["success"], contacts[0].push_name)


def blocking() -> None:
    with witi.Client(timeout=10.0, max_retries=1) as client:
        base: str = client.base_url
        qr: witi.QrCode = client.generate_qrcode(user_agent=None)
        show(qr)
        status: witi.Status = client.status()
        print(base, describe(status), status.to_dict()["code"])
        paired: witi.Status = client.connect(show, timeout=60.0, poll_interval=0.5)
        waited: witi.Status = client.wait_for_status([witi.StatusCode.AUTHENTICATED, 10], timeout=5.0)
        messages(client)
        saved: witi.SessionResult = client.save_session()
        closed: witi.SessionResult = client.close_session()
        restored: witi.SessionResult = client.restore_session()
        inner: Optional[witi.Status] = restored.status
        configured: witi.Status = client.set_config(webhook="", api_version="1.1", api_version_can_bulk=True)
        cleared: witi.ClearResult = client.clear()
        gone: witi.Status = client.disconnect()
        print(paired == waited, saved.success, closed.success, inner, configured.webhook, cleared.message, gone.code)
        try:
            client.save_session()
        except witi.RateLimitedError as e:
            after: Optional[float] = e.retry_after
            print(after)
        except witi.WitiError as e:
            code: str = e.code
            status_code: Optional[int] = e.status
            print(code, status_code, e.command, e.server_message, pickle.loads(pickle.dumps(e)))


async def asynchronous() -> None:
    async with witi.AsyncClient() as client:
        status: witi.Status = await client.status()
        statuses: List[witi.Status] = list(await asyncio.gather(client.status(), client.status()))
        waited: witi.Status = await client.wait_for_status(witi.StatusCode.NO_CONNECTION, timeout=5.0)

        async def on_qr(qr: witi.QrCode) -> None:
            show(qr)

        paired: witi.Status = await client.connect(on_qr, timeout=60.0)
        sent: witi.SentMessage = await client.send_message("5511987654321", "hi")
        on: bool = await client.is_on_whatsapp("5511987654321")
        answer: Any = await client.call("chats.aspx", changes_state=False)
        print(status == waited, len(statuses), paired.code, sent.id, on, len(answer))


def postbacks() -> None:
    events: List[witi.Event] = witi.decode_postback(b'{"status": 0, "statusString": "noConnection"}')
    kind: str = events[0].kind
    inner: Optional[witi.Status] = events[0].status

    def handler(event: witi.Event) -> None:
        print(event.kind, event.json)

    async def async_handler(event: witi.Event) -> None:
        print(event.kind)

    with witi.listen(handler, token="t") as server:
        url: str = server.url
        address = server.address
        print(url, address[1], kind, inner)
    server2 = witi.WebhookServer(async_handler, "127.0.0.1", 0, body_timeout=5.0)
    server2.close()


if __name__ == "__main__":
    blocking()
    asyncio.run(asynchronous())
    postbacks()
