"""The Python runner of the language-neutral corpus (`tests/conformance/*.json`).

It mirrors `core/tests/conformance.rs`: the same steps, calls and matchers (format in
`tests/README.md`). One runner serves both clients: a *driver* turns a call into a blocking
call (`Client`) or into `loop.run_until_complete` of the coroutine (`AsyncClient`).

The table's calls (`witi._native.CALLS`, the core's `witi::for_each_call!`) are dispatched
generically: each parameter the table declares is passed by name from the step's `args` (a
bytes parameter `x` from `x_base64`), so a call added to the table needs no line here.
"""

from __future__ import annotations

import asyncio
import base64
import json
import threading
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import witi

from conftest import REPO, Sim

CORPUS = REPO / "tests" / "conformance"
# name -> the table's parameters: (name, type, default).
TABLE = {name: params for name, _, params, _ in witi._native.CALLS}


def scenarios() -> List[Tuple[str, Dict[str, Any]]]:
    files = sorted(CORPUS.glob("*.json"))
    return [(f.name, json.loads(f.read_text())) for f in files]


class Failure(AssertionError):
    pass


class Run:
    def __init__(self, sim: Sim, name: str, scenario: Dict[str, Any], driver: str) -> None:
        self.sim = sim
        self.key = f"conf-py-{name.removesuffix('.json')}-{uuid.uuid4().hex[:8]}-SECRET"
        self.options = scenario.get("client", {})
        self.driver = driver
        self.loop: Optional[asyncio.AbstractEventLoop] = (
            asyncio.new_event_loop() if driver == "async" else None
        )
        self.client: Any = None

    def build_client(self, args: Dict[str, Any]) -> Any:
        if "base_url" in args:
            base = args["base_url"]
        else:
            base = self.sim.url + args.get("base_url_path", "")
        kwargs: Dict[str, Any] = {"base_url": base}
        if "timeout_ms" in self.options:
            kwargs["timeout"] = self.options["timeout_ms"] / 1000
        if "max_retries" in self.options:
            kwargs["max_retries"] = self.options["max_retries"]
        if "initial_backoff_ms" in self.options:
            kwargs["_initial_backoff"] = self.options["initial_backoff_ms"] / 1000
        cls = witi.AsyncClient if self.driver == "async" else witi.Client
        return cls(args.get("api_key", self.key), **kwargs)

    def call(self, method: str, /, *args: Any, **kwargs: Any) -> Any:
        result = getattr(self.client, method)(*args, **kwargs)
        if self.loop is not None:
            result = self.loop.run_until_complete(result)
        return result

    def close(self) -> None:
        if self.loop is not None:
            self.loop.close()


def run_scenario(sim: Sim, name: str, scenario: Dict[str, Any], driver: str) -> None:
    run = Run(sim, name, scenario, driver)
    try:
        try:
            run.client = run.build_client({})
        except witi.WitiError:
            run.client = None  # scenarios about bad clients build theirs in a step
        if "instance" in scenario:
            status, body = sim.control("POST", f"instances/{run.key}/config", scenario["instance"])
            if status != 200:
                raise Failure(f"instance config answered {status}: {body}")
        for i, step in enumerate(scenario["steps"]):
            try:
                run_step(run, step)
            except Failure as e:
                raise Failure(f"step {i} ({json.dumps(step)}): {e}") from None
    finally:
        run.close()


def run_step(run: Run, step: Dict[str, Any]) -> None:
    if "sim" in step:
        sim_step(run, step["sim"], step)
        return
    args = step.get("args", {})
    qr_count = [0]
    expect = step.get("expect", {})
    try:
        value = invoke(run, step["call"], args, qr_count)
    except witi.WitiError as e:
        if "error" not in expect:
            raise Failure(f"unexpected error {e!r}") from None
        check_error(run, e, expect["error"])
        if "qr_count" in expect and not matches(qr_count[0], expect["qr_count"]):
            raise Failure(f"qr_count: expected {expect['qr_count']}, got {qr_count[0]}")
        return
    if "error" in expect:
        raise Failure(f"expected error {expect['error']}, got success {value}")
    if "value" in expect and not matches(value, expect["value"]):
        raise Failure(f"value: expected {expect['value']}, got {value!r}")
    for path, matcher in expect.get("fields", {}).items():
        got = lookup(value, path)
        if not matches(got, matcher):
            raise Failure(f"field {path}: expected {matcher}, got {got!r}")
    if "qr_count" in expect and not matches(qr_count[0], expect["qr_count"]):
        raise Failure(f"qr_count: expected {expect['qr_count']}, got {qr_count[0]}")


def check_error(run: Run, e: witi.WitiError, want: Dict[str, Any]) -> None:
    texts = [str(e), repr(e), *(str(v) for v in vars(e).values()), *(str(a) for a in e.args)]
    for text in texts:
        if run.key in text:
            raise Failure(f"the key leaked into an error: {text}")
    if e.code != want["code"]:
        raise Failure(f"expected error code {want['code']}, got {e!r}")
    expected_class = witi._errors._BY_CODE[want["code"]]
    if not isinstance(e, expected_class):
        raise Failure(f"expected a {expected_class.__name__}, got {type(e).__name__}")
    if "status" in want and not matches(e.status, want["status"]):
        raise Failure(f"expected HTTP status {want['status']}, got {e.status}")
    if "retry_after" in want and not matches(e.retry_after, want["retry_after"]):
        raise Failure(f"expected retry_after {want['retry_after']}, got {e.retry_after}")
    if "message_contains" in want and want["message_contains"] not in str(e):
        raise Failure(f"expected the message to contain {want['message_contains']!r}: {e}")
    if "last_status" in want:
        last = e.last_status
        if want["last_status"] is None:
            if last is not None:
                raise Failure(f"expected no last_status, got {last!r}")
        elif not isinstance(last, witi.Status):
            raise Failure(f"expected last_status {want['last_status']}, got {last!r}")
        else:
            fields = last.to_dict()
            for path, matcher in want["last_status"].items():
                got = lookup(fields, path)
                if not matches(got, matcher):
                    raise Failure(f"last_status.{path}: expected {matcher}, got {got!r}")


def sim_step(run: Run, verb: str, step: Dict[str, Any]) -> None:
    key = run.key
    if verb == "fault":
        status, body = run.sim.control("POST", "faults", {**step["fault"], "key": key})
    elif verb == "scan":
        status, body = run.sim.control("POST", f"instances/{key}/scan", {})
    elif verb == "force_status":
        payload = {"code": step["code"]}
        if "status_string" in step:
            payload["status_string"] = step["status_string"]
        status, body = run.sim.control("POST", f"instances/{key}/status", payload)
    elif verb == "status_script":
        status, body = run.sim.control(
            "POST", f"instances/{key}/status_script", {"answers": step["answers"]}
        )
    elif verb == "expect_sent":
        status, sent = run.sim.control("GET", f"instances/{key}/sent")
        if status != 200:
            raise Failure(f"GET sent answered {status}: {sent}")
        records = sent if isinstance(sent, list) else sent.get("sent", [])
        if len(records) != step["count"]:
            raise Failure(f"{len(records)} sent, expected {step['count']}: {sent}")
        for path, matcher in step.get("last", {}).items():
            if not records:
                raise Failure("`last` of nothing sent")
            got = lookup(records[-1], path)
            if not matches(got, matcher):
                raise Failure(f"last sent {path}: expected {matcher}, got {got!r}")
        return
    elif verb == "expect_calls":
        status, snapshot = run.sim.control("GET", f"instances/{key}")
        got = 0 if status == 404 else snapshot["calls"].get(step["command"], 0)
        if got != step["count"]:
            raise Failure(f"{step['command']} was called {got} times, expected {step['count']}")
        return
    else:
        raise Failure(f"unknown sim step {verb!r}")
    want = step.get("expect_http_status", 200)
    if status != want:
        raise Failure(f"the simulator answered {status} (expected {want}): {body}")


def invoke(run: Run, call: str, args: Dict[str, Any], qr_count: List[int]) -> Any:
    if call == "new_client":
        run.client = run.build_client(args)
        return {"base_url": run.client.base_url}
    if call == "decode_postback":
        if "body_base64" in args:
            body = base64.b64decode(args["body_base64"])
        else:
            body = (REPO / "tests" / "fixtures" / args["body_file"]).read_bytes()
        return {"events": [e.to_dict() for e in witi.decode_postback(body, args.get("wid"))]}
    if run.client is None:
        raise Failure("no client (building it failed)")
    if call in TABLE:
        result = run.call(call, **table_args(TABLE[call], args))
    elif call == "wait_for_status":
        result = run.call(
            "wait_for_status",
            args.get("targets", []),
            timeout=args.get("timeout_ms", 30_000) / 1000,
            poll_interval=args.get("poll_interval_ms", 1000) / 1000,
        )
    elif call == "connect":
        scan_at = args.get("scan_qr_number")

        def on_qr(qr: witi.QrCode) -> None:
            assert isinstance(qr, witi.QrCode)
            qr_count[0] += 1
            if qr_count[0] == scan_at:
                # The callback must not block the flow: the phone scans from another thread.
                threading.Thread(
                    target=run.sim.control, args=("POST", f"instances/{run.key}/scan", {})
                ).start()

        result = run.call(
            "connect",
            on_qr,
            timeout=args.get("timeout_ms", 30_000) / 1000,
            poll_interval=args.get("poll_interval_ms", 1000) / 1000,
            restore_session=args.get("restore_session", True),
        )
    else:
        raise Failure(f"unknown call {call!r}")
    return plain(result)


def table_args(params: Any, args: Dict[str, Any]) -> Dict[str, Any]:
    """The step's `args` for the table's parameters, by name (bytes from `<name>_base64`)."""
    kwargs: Dict[str, Any] = {}
    for name, ty, _ in params:
        if ty == "Option<Bytes>" and f"{name}_base64" in args:
            kwargs[name] = base64.b64decode(args[f"{name}_base64"])
        elif name in args:
            kwargs[name] = args[name]
    return kwargs


def plain(value: Any) -> Any:
    """A result as JSON-like data: results as dicts, lists as lists, `None` for absent."""
    if isinstance(value, list):
        return [plain(v) for v in value]
    if hasattr(value, "to_dict"):
        return value.to_dict()
    return value


def lookup(value: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def matches(got: Any, matcher: Any) -> bool:
    if isinstance(matcher, dict) and matcher and all(k.startswith("$") for k in matcher):
        return all(_op(got, op, arg) for op, arg in matcher.items())
    if matcher is None:
        return got is None
    if isinstance(matcher, bool) or isinstance(got, bool):
        return type(got) is type(matcher) and got == matcher
    if isinstance(matcher, (int, float)):
        return isinstance(got, (int, float)) and float(got) == float(matcher)
    return bool(got == matcher)


def _op(got: Any, op: str, arg: Any) -> bool:
    if op == "$present":
        return (got is not None) == bool(arg)
    if op == "$contains":
        return isinstance(got, str) and arg in got
    if op == "$prefix":
        return isinstance(got, str) and got.startswith(arg)
    if op == "$suffix":
        return isinstance(got, str) and got.endswith(arg)
    if op == "$gte":
        return isinstance(got, (int, float)) and not isinstance(got, bool) and got >= arg
    if op == "$len":
        return isinstance(got, (list, str)) and matches(len(got), arg)
    return False


Driver = Callable[[Sim, str, Dict[str, Any]], None]
