"""Every public call, typed: `mypy --strict` on this file checks the package's annotations and
stubs from a user's point of view (tests/test_typing.py). It is also runnable against a
simulator: `WITI_API_KEY=k WITI_BASE_URL=http://127.0.0.1:PORT/ python typed_example.py`."""

from __future__ import annotations

import asyncio
import pickle
from typing import Dict, List, Optional, Union

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


def blocking() -> None:
    with witi.Client(timeout=10.0, max_retries=1) as client:
        base: str = client.base_url
        qr: witi.QrCode = client.generate_qrcode(user_agent=None)
        show(qr)
        status: witi.Status = client.status()
        print(base, describe(status), status.to_dict()["code"])
        paired: witi.Status = client.connect(show, timeout=60.0, poll_interval=0.5)
        waited: witi.Status = client.wait_for_status([witi.StatusCode.AUTHENTICATED, 10], timeout=5.0)
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
        print(status == waited, len(statuses), paired.code)


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
