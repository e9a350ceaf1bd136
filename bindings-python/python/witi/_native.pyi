# The native module (src/*.rs). Users import from `witi`; these are the classes it wraps.
# Checked against the built module by mypy.stubtest (tests/test_typing.py).
from types import ModuleType
from typing import Any, Callable, Dict, List, Optional, Tuple, final

from ._models import Event, QrCode, Status

__all__ = [
    "__version__",
    "DEFAULT_WAIT_TIMEOUT",
    "DEFAULT_POLL_INTERVAL",
    "DEFAULT_CONNECT_TIMEOUT",
    "CALLS",
    "HIDDEN_FIELDS",
    "REDACTED_FIELD",
    "AsyncClient",
    "Client",
    "WebhookServer",
    "decode_postback",
    "error_codes",
    "event_status",
    "init_types",
    "model_samples",
    "refresh_log_level",
    "shutdown",
]

__version__: str

DEFAULT_WAIT_TIMEOUT: float
DEFAULT_POLL_INTERVAL: float
DEFAULT_CONNECT_TIMEOUT: float
# The core's table of calls (src/calls.rs): (name, doc, ((param, type, default), ...), result).
CALLS: Tuple[Tuple[str, str, Tuple[Tuple[str, str, Optional[str]], ...], str], ...]
# witi::HIDDEN_FIELDS: type name -> the fields its printed form hides; and what it shows instead.
HIDDEN_FIELDS: Dict[str, Tuple[str, ...]]
REDACTED_FIELD: str

def init_types(models: ModuleType, errors: ModuleType) -> None: ...
def decode_postback(body: bytes, wid: Optional[str] = None) -> List[Event]: ...
def event_status(json: str) -> Optional[Status]: ...
def error_codes() -> List[str]: ...
def model_samples() -> List[Tuple[Any, str]]: ...
def refresh_log_level() -> None: ...
def shutdown() -> None: ...

@final
class Client:
    def __new__(
        cls,
        api_key: Optional[str],
        base_url: Optional[str],
        timeout: float,
        max_retries: int,
        initial_backoff: Optional[float],
        max_connections: int,
        proxy: Optional[str],
    ) -> Client: ...
    @property
    def base_url(self) -> str: ...
    # The table's call `name` with every parameter in the table's order; its result.
    def invoke(self, name: str, args: Tuple[Any, ...]) -> Any: ...
    def wait_for_status(self, codes: List[int], timeout: float, poll_interval: float) -> Status: ...
    def connect(
        self,
        callback: Callable[[QrCode], Any],
        timeout: float,
        poll_interval: float,
        user_agent: Optional[str],
        restore_session: bool,
    ) -> Status: ...

@final
class AsyncClient:
    def __new__(
        cls,
        api_key: Optional[str],
        base_url: Optional[str],
        timeout: float,
        max_retries: int,
        initial_backoff: Optional[float],
        max_connections: int,
        proxy: Optional[str],
    ) -> AsyncClient: ...
    @property
    def base_url(self) -> str: ...
    # Each returns an asyncio future bound to the running loop.
    def invoke(self, name: str, args: Tuple[Any, ...]) -> Any: ...
    def wait_for_status(self, codes: List[int], timeout: float, poll_interval: float) -> Any: ...
    def connect(
        self,
        callback: Callable[[QrCode], Any],
        timeout: float,
        poll_interval: float,
        user_agent: Optional[str],
        restore_session: bool,
    ) -> Any: ...

@final
class WebhookServer:
    def __new__(
        cls,
        worker: Any,
        host: str,
        port: int,
        token: Optional[str],
        body_timeout: float,
    ) -> WebhookServer: ...
    @property
    def address(self) -> Tuple[str, int]: ...
    @property
    def url(self) -> str: ...
    @property
    def closed(self) -> bool: ...
    def close(self, grace: Optional[float] = None) -> None: ...
    def stop(self) -> None: ...
