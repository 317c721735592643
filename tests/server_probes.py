"""Raw-socket probes shared by the robustness self-tests of the emulator and the fake proxy.

Everything here talks to 127.0.0.1 only and is bounded in time: a probe sends bytes, then
reads until the server closes the connection or a wait runs out, and says which happened.
"""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

Connect = Callable[[], socket.socket]


def plain_connector(port: int, timeout: float = 5.0) -> Connect:
    """Connect to 127.0.0.1:`port` over plain TCP."""
    return lambda: socket.create_connection(("127.0.0.1", port), timeout=timeout)


def tls_connector(port: int, ca_bundle: Path, timeout: float = 5.0) -> Connect:
    """Connect to 127.0.0.1:`port` over TLS, trusting `ca_bundle`, as ``localhost``."""
    context = ssl.create_default_context(cafile=str(ca_bundle))

    def connect() -> socket.socket:
        raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        return context.wrap_socket(raw, server_hostname="localhost")

    return connect


@dataclass
class Response:
    """One parsed HTTP response."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict[str, object]:
        loaded = json.loads(self.body)
        assert isinstance(loaded, dict), self.body[:200]
        return loaded


@dataclass
class Exchange:
    """What came back for some bytes sent: the raw answer, whether the server closed, when."""

    raw: bytes
    closed: bool
    seconds: float
    responses: list[Response] = field(default_factory=list)


def parse_responses(raw: bytes) -> list[Response]:
    """Split `raw` into the complete responses it holds (framed by Content-Length)."""
    found: list[Response] = []
    while raw:
        head, separator, rest = raw.partition(b"\r\n\r\n")
        if not separator:
            break
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        found.append(Response(status, headers, rest[:length]))
        raw = rest[length:]
    return found


def read_until_closed(connection: socket.socket, wait: float) -> tuple[bytes, bool]:
    """Read until the peer closes (True) or `wait` seconds pass (False)."""
    chunks: list[bytes] = []
    deadline = time.monotonic() + wait
    while (left := deadline - time.monotonic()) > 0:
        connection.settimeout(left)
        try:
            chunk = connection.recv(65536)
        except TimeoutError:
            return b"".join(chunks), False
        except (ConnectionResetError, ssl.SSLError, BrokenPipeError):
            return b"".join(chunks), True
        if not chunk:
            return b"".join(chunks), True
        chunks.append(chunk)
    return b"".join(chunks), False


def exchange(connect: Connect, data: bytes, *, wait: float) -> Exchange:
    """Send `data` on a fresh connection and read until closed or `wait` seconds pass."""
    started = time.monotonic()
    with connect() as connection:
        # the server may refuse before reading everything; its answer still counts
        with contextlib.suppress(BrokenPipeError, ConnectionResetError, ssl.SSLError):
            connection.sendall(data)
        raw, closed = read_until_closed(connection, wait)
    return Exchange(raw, closed, time.monotonic() - started, parse_responses(raw))


def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 0.05) -> bool:
    """Poll `predicate` until it holds (True) or `timeout` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def thread_count() -> int:
    """Live threads of this process (the servers under test run in-process)."""
    return threading.active_count()


def rss_kib() -> int:
    """This process's resident set size in KiB, from /proc/self/status."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS in /proc/self/status")


def trickle_headers(connect: Connect, first_line: bytes, every: float, limit: float) -> float:
    """A slowloris: send `first_line`, then one header line every `every` s until the server
    closes the connection or `limit` s pass; returns the seconds until the close (or `limit`).
    """
    started = time.monotonic()
    with connect() as connection:
        connection.sendall(first_line)
        number = 0
        while (elapsed := time.monotonic() - started) < limit:
            connection.settimeout(every)
            try:
                if connection.recv(65536) == b"":
                    return elapsed
            except TimeoutError:
                pass
            except (ConnectionResetError, BrokenPipeError, ssl.SSLError):
                return elapsed
            number += 1
            try:
                connection.sendall(f"X-Slow-{number}: {number}\r\n".encode())
            except (ConnectionResetError, BrokenPipeError, ssl.SSLError):
                return time.monotonic() - started
    return limit
