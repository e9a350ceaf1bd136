"""The Python receivers of the receiver benchmark (driven by bench/receivers.py with wrk).

Prints `NAME URL` for each, then `ready`, and serves until killed:

- `witi`: `witi.WebhookServer` with a handler that counts events;
- `stdlib`: `http.server.ThreadingHTTPServer` (HTTP/1.1, keep-alive) decoding by hand with
  base64 + zlib + json, the same counting handler per event, 400 on a body that does not decode;
- `aiohttp`: the asyncio receiver a developer would write, the same by-hand decoding.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import sys
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import witi
from aiohttp import web

COUNT = [0]


def handle(event: object) -> None:
    COUNT[0] += 1


def by_hand(body: bytes) -> list:
    """The three framings, decoded the obvious way (ValueError on a body that does not decode)."""
    if body.startswith(b"BULKGZ,"):
        text = zlib.decompress(base64.b64decode(body[7:]))
        return [json.loads(base64.b64decode(item)) for item in json.loads(text.decode("utf-8-sig"))]
    if body.startswith(b"BULK,"):
        return [json.loads(base64.b64decode(item)) for item in json.loads(body[5:])]
    return [json.loads(body)]


ERRORS = (ValueError, binascii.Error, zlib.error)


class Stdlib(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Without it, the headers and the body of each answer leave in two segments and the
    # second waits for the client's delayed ACK: ~40 ms per request on one connection.
    disable_nagle_algorithm = True

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        try:
            events = by_hand(body)
        except ERRORS:
            self.answer(400)
            return
        for event in events:
            handle(event)
        self.answer(200)

    def answer(self, status: int) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "3")
        self.end_headers()
        self.wfile.write(b"OK\n")

    def log_message(self, format: str, *args: object) -> None:
        pass


async def aiohttp_receiver(request: web.Request) -> web.Response:
    try:
        events = by_hand(await request.read())
    except ERRORS:
        return web.Response(status=400, text="bad body\n")
    for event in events:
        handle(event)
    return web.Response(text="OK\n")


async def main() -> None:
    server = witi.WebhookServer(handle)
    print("witi", server.url)
    ThreadingHTTPServer.request_queue_size = 128  # the default 5 resets 50 senders' connections
    stdlib = ThreadingHTTPServer(("127.0.0.1", 0), Stdlib)
    threading.Thread(target=stdlib.serve_forever, daemon=True).start()
    print(f"stdlib http://127.0.0.1:{stdlib.server_address[1]}/")
    app = web.Application(client_max_size=16 * 1024 * 1024)  # witi's body limit (aiohttp: 1 MiB)
    app.router.add_post("/{tail:.*}", aiohttp_receiver)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(f"aiohttp http://127.0.0.1:{port}/")
    print("ready", flush=True)
    sys.stdout.flush()
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
