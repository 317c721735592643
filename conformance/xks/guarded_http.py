"""Guarded HTTP/1.1 serving: the connection handling shared by the fake proxy and the emulator.

``http.server`` parses request lines and headers; this module adds what a server facing
hostile clients needs and the standard library leaves out:

- a read timeout on every socket read, and an overall deadline per request that starts at
  its first byte, so neither a silent client nor a slowloris (one header line every few
  seconds) holds a thread for long;
- a cap on concurrent connection handlers: a connection beyond it is refused at once
  (``refuse``), so the thread count stays bounded;
- body framing by RFC 9112 §6: conflicting or malformed ``Content-Length``,
  ``Transfer-Encoding`` together with ``Content-Length``, unknown transfer codings and
  malformed chunked bodies are answered with an error and a close; chunk extensions and
  trailers are accepted and ignored; the body is read by its framing, so bytes after it are
  the next request on a kept-alive connection;
- one empty line before a request line is ignored (RFC 9112 §2.2), a second is a 400;
- HTTP-layer errors (bad request line, 414, 431, 505) in the server's own JSON error shape
  (``error_response``), never the standard library's HTML page;
- a lingering close: after the last answer the server half-closes and drains briefly, so
  unread request bytes do not turn the close into a reset that loses the answer.

A subclass of :class:`GuardedHttpServer` says how to answer (``respond``), how its errors look
(``error_response``) and what a TLS connection needs first (``prepare_connection``).

>>> from conformance.xks.app import HttpResponse
>>> class Hello(GuardedHttpServer):
...     def respond(self, request):
...         return HttpResponse(200, b"hello", "text/plain")
...     def error_response(self, status, message):
...         return HttpResponse(status, message.encode(), "text/plain", close=True)
>>> server = Hello(("127.0.0.1", 0), read_timeout=1, request_deadline=2, max_connections=4)
>>> server.max_connections, server.server_address[1] > 0
(4, True)
>>> server.server_close()
"""

from __future__ import annotations

import contextlib
import errno
import io
import logging
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import urlsplit

from conformance.xks.app import HttpRequest, HttpResponse

logger = logging.getLogger("conformance.http")

#: Defaults for users: a silent socket is dropped after 10 s, a request must arrive in 30 s.
DEFAULT_READ_TIMEOUT = 10.0
DEFAULT_REQUEST_DEADLINE = 30.0
DEFAULT_MAX_CONNECTIONS = 64
#: Oversized bodies up to this size are drained before the error reply; larger ones are not.
DRAIN_LIMIT_BYTES = 1024 * 1024
#: A chunk-size line (with extensions) or trailer line longer than this is malformed.
MAX_CHUNK_LINE = 4096
MAX_TRAILER_LINES = 32
#: After the last answer on a connection, unread input is drained for at most this long.
LINGER_SECONDS = 0.5
#: What an HTTP-layer error says: fixed texts, so no part of the request is echoed back.
_HTTP_ERROR_MESSAGES = {
    400: "malformed request line or header fields",
    408: "request timed out",
    414: "request line too long",
    417: "expectation failed",
    431: "header fields too large",
    501: "method not supported",
    505: "HTTP version not supported",
}
_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_HEX = re.compile(rb"[0-9A-Fa-f]{1,16}")


class FramingError(Exception):
    """A request whose body cannot be delimited: answered with `status`, then closed."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def check_port(port: int) -> None:
    """Refuse a port outside 0-65535 with the same error family as a port in use.

    >>> check_port(99999)
    Traceback (most recent call last):
    ...
    OSError: [Errno 22] port 99999 is outside 0-65535
    """
    if not 0 <= port <= 65535:
        raise OSError(errno.EINVAL, f"port {port} is outside 0-65535")


class DeadlineReader(io.RawIOBase):
    """Socket reads bounded by `read_timeout` each and, within a request, by its deadline.

    ``start_request(budget)`` arms the deadline; it starts with the request's first byte, so
    an idle kept-alive connection waits only under the read timeout.

    >>> left, right = socket.socketpair()
    >>> reader = DeadlineReader(right, read_timeout=0.2)
    >>> reader.start_request(1.0)
    >>> _ = left.send(b"GET")
    >>> bytes(reader.read(3))
    b'GET'
    >>> left.close(); right.close()
    """

    def __init__(self, connection: socket.socket, read_timeout: float) -> None:
        super().__init__()
        self._connection = connection
        self.read_timeout = read_timeout
        self._budget: float | None = None
        self._deadline: float | None = None

    def readable(self) -> bool:
        return True

    def start_request(self, budget: float) -> None:
        """Arm a deadline of `budget` seconds from the next byte received."""
        self._budget, self._deadline = budget, None

    def end_request(self) -> None:
        """The request is read: back to the read timeout alone (also for writing)."""
        self._budget, self._deadline = None, None
        with contextlib.suppress(OSError):
            self._connection.settimeout(self.read_timeout)

    def readinto(self, buffer: Any) -> int:
        timeout = self.read_timeout
        if self._deadline is not None:
            remaining = self._deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("request deadline passed")
            timeout = min(timeout, remaining)
        self._connection.settimeout(timeout)
        count = self._connection.recv_into(buffer)
        if count and self._budget is not None and self._deadline is None:
            self._deadline = time.monotonic() + self._budget
        return count


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...
    def readline(self, size: int | None = -1, /) -> bytes: ...


def _line(rfile: _Readable) -> bytes:
    line = rfile.readline(MAX_CHUNK_LINE + 1)
    if not line.endswith(b"\n"):
        if len(line) > MAX_CHUNK_LINE:
            raise FramingError(400, "chunked body: line too long")
        raise ConnectionAbortedError("chunked body ends early")
    line = line[:-1]
    return line[:-1] if line.endswith(b"\r") else line


def read_chunked(rfile: _Readable, limit: int, too_large_status: int = 413) -> bytes:
    """Decode a chunked body (RFC 9112 §7.1): extensions and trailers are ignored.

    >>> read_chunked(io.BytesIO(b"2;x=y\\r\\n{}\\r\\n0\\r\\nT: 1\\r\\n\\r\\n"), 10)
    b'{}'
    """
    body = bytearray()
    while True:
        size_field = _line(rfile).split(b";", 1)[0].strip(b" \t")
        if not _HEX.fullmatch(size_field):
            raise FramingError(400, "chunked body: bad chunk size")
        size = int(size_field, 16)
        if size == 0:
            break
        if len(body) + size > limit:
            raise FramingError(too_large_status, f"body: at most {limit} bytes")
        data = rfile.read(size)
        if len(data) < size:
            raise ConnectionAbortedError("chunked body ends early")
        body += data
        if _line(rfile) != b"":
            raise FramingError(400, "chunked body: chunk longer than its size")
    for _ in range(MAX_TRAILER_LINES):
        if _line(rfile) == b"":
            return bytes(body)
    raise FramingError(400, "chunked body: too many trailer lines")


def _declared_length(text: str) -> int:
    # more than 18 digits is too large whatever it says (and int() of 5000 digits raises)
    return int(text) if len(text) <= 18 else 10**18


class GuardedRequestHandler(BaseHTTPRequestHandler):
    """Reads one request at a time off a kept-alive connection and hands it to the server."""

    protocol_version = "HTTP/1.1"
    wbufsize = 64 * 1024  # one write (one TLS record) per response
    server_version = "kscheck"
    sys_version = ""
    server: GuardedHttpServer
    raw_requestline: bytes
    _reader: DeadlineReader
    _skipped_empty_line: bool

    def setup(self) -> None:
        self.request.settimeout(self.server.read_timeout)
        self.server.prepare_connection(self.request)
        super().setup()
        self.rfile.close()  # replaced by one that keeps the deadline
        self._reader = DeadlineReader(self.connection, self.server.read_timeout)
        self.rfile = io.BufferedReader(self._reader, 64 * 1024)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("do_"):  # every method goes to the server, which may answer 405
            return self._serve
        raise AttributeError(name)

    def handle_one_request(self) -> None:
        self._reader.start_request(self.server.request_deadline)
        self._skipped_empty_line = False
        try:
            super().handle_one_request()
        finally:
            self._reader.end_request()

    def parse_request(self) -> bool:
        if self.raw_requestline.strip():
            return super().parse_request()
        self.command, self.request_version = "", "HTTP/1.1"  # what super() would have set
        if self._skipped_empty_line:  # only one empty line is ignored before a request line
            self._refuse(400, "empty request line")
            return False
        self._skipped_empty_line = True
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self._refuse(414, _HTTP_ERROR_MESSAGES[414])
            return False
        if not self.raw_requestline:
            self.close_connection = True
            return False
        return self.parse_request()

    def _read_body(self) -> bytes:
        server = self.server
        codings = [
            coding.strip().lower()
            for value in self.headers.get_all("Transfer-Encoding") or ()
            for coding in value.split(",")
            if coding.strip()
        ]
        lengths = [
            part.strip()
            for value in self.headers.get_all("Content-Length") or ()
            for part in value.split(",")
        ]
        if codings:
            if lengths:
                raise FramingError(400, "both Transfer-Encoding and Content-Length")
            if codings != ["chunked"]:
                raise FramingError(501, "only the chunked transfer coding is supported")
            return read_chunked(self.rfile, server.max_body_bytes, server.too_large_status)
        if not lengths:
            return b""
        if not all(_DIGITS.fullmatch(part) for part in lengths):
            raise FramingError(400, "Content-Length: not a number")
        declared = {_declared_length(part) for part in lengths}
        if len(declared) > 1:
            raise FramingError(400, "Content-Length: conflicting values")
        length = declared.pop()
        if length > server.max_body_bytes:
            if length <= DRAIN_LIMIT_BYTES:  # read and drop it, so the client sees the answer
                while length > 0 and (chunk := self.rfile.read(min(length, 65536))):
                    length -= len(chunk)
            raise FramingError(
                server.too_large_status, f"body: at most {server.max_body_bytes} bytes"
            )
        body = self.rfile.read(length)
        if len(body) != length:
            raise ConnectionAbortedError("body shorter than Content-Length")
        return body

    def _serve(self) -> None:
        try:
            body = self._read_body()
        except FramingError as error:
            self._write(self.server.error_response(error.status, error.message))
            return
        except OSError:  # read timeout, request deadline, client gone: a clean close
            self.close_connection = True
            return
        self._reader.end_request()
        target = self.path
        parts = urlsplit(target)
        if parts.scheme:  # absolute-form request target (RFC 9112 §3.2.2)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
        request = HttpRequest(
            self.command,
            target,
            tuple(self.headers.items()),
            body,
            connection_rank=self.server.connection_rank(self.request),
        )
        self._write(self.server.respond(request))

    def _write(self, response: HttpResponse) -> None:
        self._reader.end_request()
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers:
            self.send_header(name, value)
        if response.close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":  # a body after a HEAD answer would be read as the next one
            self.wfile.write(response.body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Malformed HTTP (bad request line, huge headers): the server's JSON error, a close.

        http.server's own message quotes the request line; a fixed text per status is sent
        instead, so nothing the client sent is echoed back.
        """
        status = code if code in _HTTP_ERROR_MESSAGES else 400
        self._refuse(status, _HTTP_ERROR_MESSAGES[status])

    def _refuse(self, status: int, message: str) -> None:
        self.close_connection = True
        if getattr(self, "request_version", None) not in ("HTTP/1.0", "HTTP/1.1"):
            self.request_version = "HTTP/1.1"  # else http.server omits the status line
        self._write(self.server.error_response(status, message))

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("connection %s: %s", self.client_address[0], format % args)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Requests are not logged here (their headers may carry secrets)."""


class GuardedHttpServer(ThreadingHTTPServer):
    """A threaded HTTP/1.1 server with deadlines and a cap on concurrent connections.

    Subclasses implement ``respond`` and ``error_response``; see the module docstring.
    """

    daemon_threads = True
    block_on_close = False
    request_queue_size = 128
    #: the status for a body over ``max_body_bytes`` (the XKS proxy API says 400)
    too_large_status = 413

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler] = GuardedRequestHandler,
        *,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        request_deadline: float = DEFAULT_REQUEST_DEADLINE,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        max_body_bytes: int = 1 << 20,
    ) -> None:
        check_port(address[1])
        if max_connections < 1:
            raise ValueError("max_connections: at least 1")
        self.read_timeout = read_timeout
        self.request_deadline = request_deadline
        self.max_connections = max_connections
        self.max_body_bytes = max_body_bytes
        self._slots = threading.BoundedSemaphore(max_connections)
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        #: connections that have sent a request, oldest first (see connection_rank)
        self._clients: dict[socket.socket, None] = {}
        super().__init__(address, handler)

    # ------------------------------------------------------------------ what subclasses say
    def respond(self, request: HttpRequest) -> HttpResponse:
        """The answer to a well-framed request."""
        raise NotImplementedError

    def error_response(self, status: int, message: str) -> HttpResponse:
        """The answer to a malformed request (``close`` should be set)."""
        raise NotImplementedError

    def prepare_connection(self, connection: socket.socket) -> None:
        """Run in the connection's thread before reading (e.g. the TLS handshake)."""

    def wrap_connection(self, connection: socket.socket) -> socket.socket:
        """Run in the accept loop; must not block (e.g. wrap for TLS, no handshake)."""
        return connection

    def refuse(self, connection: socket.socket) -> None:
        """A connection over the cap: by default it is closed without an answer."""

    # ------------------------------------------------------------------ connection handling
    def get_request(self) -> tuple[socket.socket, Any]:
        raw, address = self.socket.accept()
        with contextlib.suppress(OSError):
            raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connection = self.wrap_connection(raw)
        with self._connections_lock:
            self._connections.add(connection)
        return connection, address

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            logger.debug("over %d connections: refusing one", self.max_connections)
            self.refuse(request)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            self.shutdown_request(request)
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self._linger(request)
            self.shutdown_request(request)
            self._slots.release()

    def _linger(self, connection: socket.socket) -> None:
        """Half-close, then drain briefly, so unread input does not reset the connection."""
        ends = time.monotonic() + LINGER_SECONDS
        with contextlib.suppress(OSError, ValueError):
            connection.shutdown(socket.SHUT_WR)
            drained = 0
            while (left := ends - time.monotonic()) > 0 and drained < DRAIN_LIMIT_BYTES:
                connection.settimeout(left)
                chunk = connection.recv(65536)
                if not chunk:
                    break
                drained += len(chunk)

    def connection_rank(self, connection: socket.socket) -> int:
        """0 for the longest-open connection that has sent a request, 1 for the next... (a
        proxy variant throttles by it)."""
        with self._connections_lock:
            self._clients.setdefault(connection, None)
            return list(self._clients).index(connection)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
            self._clients.pop(request, None)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        logger.debug("connection from %s ended with an error", client_address, exc_info=True)

    def close_all_connections(self) -> None:
        """Shut down every open connection (on stop), so no handler waits on a client."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
