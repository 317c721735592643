"""A real threaded HTTP server on loopback for a WSGI app, started and stopped from code.

It serves on :mod:`conformance.xks.guarded_http` rather than werkzeug's development server,
which answered malformed HTTP with HTML, read an invalid ``Content-Length`` as an empty body,
had no read timeout, drained unread input without bound before closing, and called
``sys.exit`` on a port in use. Here every malformed request gets KMS's JSON 1.1 error shape
(``SerializationException`` with the HTTP status that fits), connections are kept alive, slow
and silent clients are cut off by deadlines, and at most ``max_connections`` connections are
served at once: one more gets a JSON 503 and a close.

>>> from conformance.emulator.wire import KmsJsonApplication
>>> app = KmsJsonApplication(lambda op, req: (200, {"echo": op}))
>>> with LoopbackServer(app, read_timeout=2, request_deadline=5) as server:
...     server.url.startswith("http://127.0.0.1:")
True
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import socket
import sys
import threading
from types import TracebackType
from typing import Any
from urllib.parse import unquote_to_bytes

from conformance.emulator.wire import CONTENT_TYPE, error_body
from conformance.xks.app import HttpRequest, HttpResponse
from conformance.xks.guarded_http import (
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_READ_TIMEOUT,
    DEFAULT_REQUEST_DEADLINE,
    GuardedHttpServer,
    GuardedRequestHandler,
)

log = logging.getLogger(__name__)
_FRAMING_HEADERS = frozenset({"content-type", "content-length", "connection"})


def _kms_error(status: int, code: str, message: str, *, close: bool = True) -> HttpResponse:
    body = json.dumps(error_body(code, message)).encode()
    return HttpResponse(status, body, CONTENT_TYPE, close=close)


class _EmulatorRequestHandler(GuardedRequestHandler):
    server_version = "kscheck-emulator"


class _WsgiHttpServer(GuardedHttpServer):
    """Hands each well-framed request to a WSGI app; errors in KMS's JSON 1.1 shape."""

    def __init__(self, address: tuple[str, int], app: Any, **limits: Any) -> None:
        self.app = app
        super().__init__(address, _EmulatorRequestHandler, **limits)

    def error_response(self, status: int, message: str) -> HttpResponse:
        return _kms_error(status, "SerializationException", message)

    def refuse(self, connection: socket.socket) -> None:
        busy = _kms_error(503, "ServiceUnavailableException", "too many connections; retry")
        head = (
            "HTTP/1.1 503 Service Unavailable\r\n"
            f"Content-Type: {CONTENT_TYPE}\r\nContent-Length: {len(busy.body)}\r\n"
            "Retry-After: 1\r\nConnection: close\r\n\r\n"
        )
        with contextlib.suppress(OSError):  # never block the accept loop
            connection.setblocking(False)
            connection.send(head.encode() + busy.body)
            for _ in range(4):  # what already arrived, so that the close is not a reset
                if not connection.recv(65536):
                    break

    def respond(self, request: HttpRequest) -> HttpResponse:
        path, _, query = request.target.partition("?")
        environ: dict[str, Any] = {
            "REQUEST_METHOD": request.method,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote_to_bytes(path.encode("latin-1")).decode("latin-1"),
            "QUERY_STRING": query,
            "SERVER_NAME": self.server_address[0],
            "SERVER_PORT": str(self.server_address[1]),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "CONTENT_LENGTH": str(len(request.body)),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(request.body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in request.headers:
            if "_" in name:  # as werkzeug does: X_Amz_Target must not pose as X-Amz-Target
                continue
            key = name.upper().replace("-", "_")
            if key == "CONTENT_LENGTH":
                continue
            key = key if key == "CONTENT_TYPE" else f"HTTP_{key}"
            environ[key] = f"{environ[key]},{value}" if key in environ else value
        try:
            return self._call(environ)
        except Exception:  # the server must answer and stay up whatever the app does
            log.exception("the WSGI application failed")
            return _kms_error(500, "KMSInternalException", "internal error", close=False)

    def _call(self, environ: dict[str, Any]) -> HttpResponse:
        started: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], *_: Any) -> Any:
            started[:] = [status, headers]
            return lambda data: None

        result = self.app(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        status, headers = started
        content_type = next(
            (value for name, value in headers if name.lower() == "content-type"), CONTENT_TYPE
        )
        kept = [(name, value) for name, value in headers if name.lower() not in _FRAMING_HEADERS]
        return HttpResponse(int(status.split(" ", 1)[0]), body, content_type, kept)


class LoopbackServer:
    """Serve `app` on 127.0.0.1 (port 0 picks a free one) in a background thread.

    ``read_timeout`` bounds each socket read, ``request_deadline`` a whole request from its
    first byte, ``max_connections`` the connections served at once. A port in use or out of
    range raises :class:`OSError` at construction.
    """

    def __init__(
        self,
        app: Any,
        *,
        port: int = 0,
        host: str = "127.0.0.1",
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        request_deadline: float = DEFAULT_REQUEST_DEADLINE,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
    ) -> None:
        self._server = _WsgiHttpServer(
            (host, port),
            app,
            read_timeout=read_timeout,
            request_deadline=request_deadline,
            max_connections=max_connections,
            max_body_bytes=int(getattr(app, "max_body_bytes", 1 << 20)),
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="kscheck-emulator",
            daemon=True,
        )

    @property
    def max_connections(self) -> int:
        """How many connections are served at once; one more gets a JSON 503."""
        return self._server.max_connections

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """The endpoint URL a boto3 client uses."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LoopbackServer:
        """Start serving; returns self."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket (also when never started: no hang)."""
        if self._thread.is_alive():  # shutdown() waits for serve_forever, which may never run
            self._server.shutdown()
            self._thread.join(timeout=10)
        self._server.close_all_connections()
        self._server.server_close()

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
