"""The emulator's server answers every malformed request with a KMS JSON error or a clean
close within its deadlines, keeps a bounded number of threads, and stays up (issue 11).

Every probe is raw bytes on a loopback socket, bounded in time; the server runs in-process
with short deadlines so that the thread count and RSS can be read from /proc/self.
"""

from __future__ import annotations

import doctest
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
import requests
from server_probes import (
    Exchange,
    exchange,
    plain_connector,
    read_until_closed,
    rss_kib,
    thread_count,
    trickle_headers,
    wait_until,
)

from conformance.emulator import http_server, wire
from conformance.emulator.http_server import LoopbackServer
from conformance.emulator.network import XksNetwork
from conformance.emulator.service import EmulatorService
from conformance.emulator.wire import CONTENT_TYPE, KmsJsonApplication
from conformance.model import PLANNERS, World
from conformance.spec.botocore_model import input_constraints

READ_TIMEOUT = 0.5
REQUEST_DEADLINE = 1.5
MAX_CONNECTIONS = 8
IDLE_TIMEOUT = 2.0
#: a close must come within the deadline plus scheduling slack on a busy 2-core machine
PROMPT = REQUEST_DEADLINE + 1.5


def echo(operation: str, request: Mapping[str, Any]) -> tuple[int, Mapping[str, Any]]:
    return 200, {"Operation": operation, "Request": dict(request)}


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    app = KmsJsonApplication(echo, max_body_bytes=16384)
    with LoopbackServer(
        app,
        read_timeout=READ_TIMEOUT,
        request_deadline=REQUEST_DEADLINE,
        max_connections=MAX_CONNECTIONS,
    ) as running:
        yield running
        assert answers_a_valid_request(running), "the server stopped answering"


def answers_a_valid_request(server: LoopbackServer) -> bool:
    """A well-formed request gets a 200 (retrying 503s while refused slots free up)."""

    def ok() -> bool:
        response = requests.post(
            server.url + "/",
            data=b"{}",
            headers={"X-Amz-Target": "TrentService.Echo", "Content-Type": CONTENT_TYPE},
            timeout=5,
        )
        return response.status_code == 200

    return wait_until(ok, timeout=PROMPT + READ_TIMEOUT, interval=0.1)


def post_bytes(body: bytes, extra_headers: str = "", length: str | None = None) -> bytes:
    declared = str(len(body)) if length is None else length
    return (
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: TrentService.Echo\r\n"
        f"Content-Type: {CONTENT_TYPE}\r\nContent-Length: {declared}\r\n{extra_headers}\r\n"
    ).encode() + body


def assert_kms_error(answer: Exchange, status: int, code: str = "SerializationException") -> None:
    assert answer.responses, f"no answer, closed={answer.closed}: {answer.raw[:200]!r}"
    response = answer.responses[0]
    assert response.status == status, answer.raw[:300]
    assert response.headers.get("content-type") == CONTENT_TYPE, answer.raw[:300]
    body = response.json()
    assert body["__type"] == code
    assert isinstance(body.get("message"), str)
    assert "Traceback" not in answer.raw.decode("latin-1")


# ------------------------------------------------------------------ undecodable JSON


def _string_member_cases() -> list[tuple[str, str]]:
    return [
        (operation, path)
        for operation in PLANNERS
        for path, constraint in input_constraints(operation).items()
        if constraint.type_name == "string"
    ]


@pytest.fixture(scope="module")
def emulator_server() -> Iterator[LoopbackServer]:
    """The real emulator service (no backends needed) behind the server."""
    service = EmulatorService(World(), XksNetwork({}))
    with LoopbackServer(KmsJsonApplication(service.handle)) as running:
        yield running


@pytest.mark.parametrize(("operation", "path"), _string_member_cases())
def test_a_lone_surrogate_in_any_string_member_is_a_serialization_exception(
    emulator_server: LoopbackServer, operation: str, path: str
) -> None:
    request: dict[str, Any] = {}
    *parents, leaf = path.split(".")
    level = request
    for parent in parents:
        level = level.setdefault(parent, {})
    level[leaf] = "ok\ud800"  # json.dumps escapes it: valid JSON text, undecodable string
    response = requests.post(
        emulator_server.url + "/",
        data=json.dumps(request).encode(),
        headers={"X-Amz-Target": f"TrentService.{operation}", "Content-Type": CONTENT_TYPE},
        timeout=5,
    )
    assert response.status_code == 400, response.text[:300]
    assert response.headers["Content-Type"] == CONTENT_TYPE
    assert response.json()["__type"] == "SerializationException"
    assert "ud800" not in response.text.lower()  # the raw body is never echoed


@pytest.mark.parametrize(
    "body",
    [
        b'{"\\ud800": 1}',
        b'{"Limit": ' + b"9" * 5000 + b"}",
        b'{"Limit": -' + b"1" * 5000 + b"}",
        b'{"Limit": NaN}',
        b'{"Limit": Infinity}',
        b'{"Marker": "\\udc00\\ud800"}',
    ],
    ids=["surrogate key", "5000 digits", "5000 negative digits", "NaN", "Infinity", "reversed"],
)
def test_undecodable_json_is_a_serialization_exception(server: LoopbackServer, body: bytes) -> None:
    answer = exchange(plain_connector(server.port), post_bytes(body), wait=PROMPT)
    assert_kms_error(answer, 400)


# ------------------------------------------------------------------ HTTP layer


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"\x00\xff\x13garbage\r\n\r\n", 400),
        (b"GET / HTTP/1.1 extra\r\n\r\n", 400),
        (b"GET / HTTP/1.x\r\n\r\n", 400),
        (b"\r\n\r\n", 400),
        (b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n", 414),
        (b"POST / HTTP/1.1\r\nX-Long: " + b"a" * 70000 + b"\r\n\r\n", 431),
        (b"POST / HTTP/1.1\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(120)) + b"\r\n", 431),
        (b"GET / HTTP/2.0\r\n\r\n", 505),
    ],
    ids=[
        "binary",
        "extra word",
        "bad version",
        "empty request line",
        "414",
        "431 long",
        "431 many",
        "505",
    ],
)
def test_http_layer_errors_are_json_then_a_close(
    server: LoopbackServer, request_bytes: bytes, status: int
) -> None:
    answer = exchange(plain_connector(server.port), request_bytes, wait=PROMPT)
    assert_kms_error(answer, status)
    assert answer.closed


def test_one_empty_line_before_a_request_is_ignored(server: LoopbackServer) -> None:
    answer = exchange(
        plain_connector(server.port),
        b"\r\n" + post_bytes(b"{}", "Connection: close\r\n"),
        wait=PROMPT,
    )
    assert [r.status for r in answer.responses] == [200]


@pytest.mark.parametrize(
    "length", ["abc", "-1", "1e3", "5, 6", "+2", "0x2", "\xb2", "2 2", "99999999999999999999999"]
)
def test_an_invalid_content_length_is_a_400_then_a_close(
    server: LoopbackServer, length: str
) -> None:
    request = post_bytes(b"{}", length=length).replace(length.encode(), length.encode("latin-1"))
    answer = exchange(plain_connector(server.port), request, wait=PROMPT)
    assert_kms_error(answer, 413 if length.isascii() and length.isdigit() else 400)
    assert answer.closed


def test_two_conflicting_content_lengths_are_a_400(server: LoopbackServer) -> None:
    answer = exchange(
        plain_connector(server.port), post_bytes(b"{}", "Content-Length: 5\r\n"), wait=PROMPT
    )
    assert_kms_error(answer, 400)
    assert answer.closed


def test_a_repeated_identical_content_length_is_accepted(server: LoopbackServer) -> None:
    request = post_bytes(b"{}", "Content-Length: 2\r\nConnection: close\r\n")
    answer = exchange(plain_connector(server.port), request, wait=PROMPT)
    assert [r.status for r in answer.responses] == [200]


def test_transfer_encoding_with_content_length_is_a_400(server: LoopbackServer) -> None:
    request = post_bytes(b"2\r\n{}\r\n0\r\n\r\n", "Transfer-Encoding: chunked\r\n")
    answer = exchange(plain_connector(server.port), request, wait=PROMPT)
    assert_kms_error(answer, 400)


def test_an_unknown_transfer_coding_is_a_501(server: LoopbackServer) -> None:
    request = (
        b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: TrentService.Echo\r\n"
        b"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"
    )
    assert_kms_error(exchange(plain_connector(server.port), request, wait=PROMPT), 501)


def test_a_body_longer_than_its_content_length_does_not_hang_the_client(
    server: LoopbackServer,
) -> None:
    answer = exchange(
        plain_connector(server.port), post_bytes(b"{}" + b"x" * 20000, length="2"), wait=PROMPT
    )
    assert answer.responses[0].status == 200
    assert answer.responses[0].json()["Request"] == {}
    assert answer.closed, f"still open after {PROMPT} s"


def test_the_rest_after_content_length_is_read_as_the_next_request(
    server: LoopbackServer,
) -> None:
    answer = exchange(
        plain_connector(server.port), post_bytes(b"{}GARBAGE\r\n\r\n", length="2"), wait=PROMPT
    )
    assert [r.status for r in answer.responses] == [200, 400]
    assert answer.responses[1].json()["__type"] == "SerializationException"
    assert answer.closed


def test_requests_on_a_kept_alive_connection_are_all_answered(server: LoopbackServer) -> None:
    two = post_bytes(b'{"N": 1}') + post_bytes(b'{"N": 2}', "Connection: close\r\n")
    answer = exchange(plain_connector(server.port), two, wait=PROMPT)
    assert [r.json()["Request"] for r in answer.responses] == [{"N": 1}, {"N": 2}]


# ------------------------------------------------------------------ chunked bodies


def chunked(body: bytes) -> bytes:
    return (
        b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: TrentService.Echo\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n" + body
    )


def test_an_unterminated_chunked_body_ends_within_the_deadline(server: LoopbackServer) -> None:
    answer = exchange(plain_connector(server.port), chunked(b"5\r\n{}"), wait=PROMPT)
    assert answer.closed, f"still open after {PROMPT} s"
    if answer.responses:
        assert_kms_error(answer, 400)


@pytest.mark.parametrize(
    "body",
    [
        b"zz\r\n{}\r\n0\r\n\r\n",
        b"-2\r\n{}\r\n0\r\n\r\n",
        b"2\r\n{}}}\r\n0\r\n\r\n",
        b"2 3\r\n{}\r\n0\r\n\r\n",
        b"\r\n{}\r\n0\r\n\r\n",
        b"fffffffffffffffffffff\r\n{}\r\n0\r\n\r\n",
    ],
    ids=["not hex", "negative", "data longer than size", "two sizes", "no size", "huge size"],
)
def test_a_malformed_chunked_body_is_a_json_error(server: LoopbackServer, body: bytes) -> None:
    answer = exchange(plain_connector(server.port), chunked(body), wait=PROMPT)
    assert answer.responses, answer
    assert answer.responses[0].status in (400, 413)
    assert_kms_error(answer, answer.responses[0].status)
    assert answer.closed


def test_chunk_extensions_and_trailers_are_accepted(server: LoopbackServer) -> None:
    body = b'1;name=value\r\n{\r\n1 ; quoted="a;b"\r\n}\r\n0\r\nX-Trailer: yes\r\n\r\n'
    answer = exchange(
        plain_connector(server.port),
        chunked(body).replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n", 1),
        wait=PROMPT,
    )
    assert [r.status for r in answer.responses] == [200], answer.raw[:300]


# ------------------------------------------------------------------ slow and idle clients


def test_a_slowloris_is_cut_off_at_the_request_deadline(server: LoopbackServer) -> None:
    first = b"POST / HTTP/1.1\r\nHost: x\r\n"
    seconds = trickle_headers(plain_connector(server.port), first, every=0.2, limit=5.0)
    assert seconds < PROMPT, f"a header every 0.2 s held the connection {seconds:.1f} s"


def test_a_slow_body_is_cut_off_at_the_request_deadline(server: LoopbackServer) -> None:
    started = time.monotonic()
    with plain_connector(server.port)() as connection:
        connection.sendall(post_bytes(b"{", length="1000"))
        while time.monotonic() - started < PROMPT:  # a byte every 0.2 s, inside the timeout
            connection.settimeout(0.2)
            try:
                connection.recv(1024)  # the close (or any answer) ends the trickle
                return
            except TimeoutError:
                pass
            except ConnectionResetError:
                return
            try:
                connection.sendall(b" ")
            except OSError:
                return
    pytest.fail(f"a body trickled for {PROMPT} s was never cut off")


@pytest.fixture(
    params=[(MAX_CONNECTIONS, 3 * MAX_CONNECTIONS), (64, 200)], ids=["8 of 24", "64 of 200"]
)
def patient_server(request: pytest.FixtureRequest) -> Iterator[tuple[LoopbackServer, int]]:
    """A server that lets idle connections wait 2 s (long enough to see the thread cap), and
    how many idle connections to open against it (200 is the case measured in issue 11)."""
    cap, count = request.param
    app = KmsJsonApplication(echo, max_body_bytes=16384)
    with LoopbackServer(
        app, read_timeout=IDLE_TIMEOUT, request_deadline=30, max_connections=cap
    ) as running:
        yield running, count


def test_idle_connections_are_bounded_closed_and_leave_nothing_behind(
    patient_server: tuple[LoopbackServer, int],
) -> None:
    server, count = patient_server
    cap = server.max_connections
    assert answers_a_valid_request(server)
    threads_before, rss_before = thread_count(), rss_kib()
    idle = [plain_connector(server.port)() for _ in range(count)]
    try:
        peak = threads_before
        for _ in range(20):  # sample for a while: every connection has been accepted by then
            peak = max(peak, thread_count())
            wait_until(lambda: False, timeout=0.03)
        assert peak <= threads_before + cap, (threads_before, peak)
        for connection in idle:  # each is refused (503) or timed out, never held
            raw, closed = read_until_closed(connection, IDLE_TIMEOUT + PROMPT)
            assert closed, "an idle connection was held past the read timeout"
            assert raw == b"" or raw.startswith(b"HTTP/1.1 503 "), raw[:200]
    finally:
        for connection in idle:
            connection.close()
    assert wait_until(lambda: thread_count() <= threads_before, timeout=PROMPT)
    assert answers_a_valid_request(server)
    rss_after = rss_kib()
    threads_after = thread_count()
    print(f"threads {threads_before} -> peak {peak} -> {threads_after}; ", end="")
    print(f"RSS KiB {rss_before} -> {rss_after}")
    assert rss_after - rss_before < 32 * 1024, (rss_before, rss_after)


def test_connections_beyond_the_cap_get_a_503_json(server: LoopbackServer) -> None:
    threads_before = thread_count()
    idle = [plain_connector(server.port)() for _ in range(MAX_CONNECTIONS)]
    try:
        assert wait_until(lambda: thread_count() >= threads_before + MAX_CONNECTIONS, timeout=2)
        answer = exchange(plain_connector(server.port), post_bytes(b"{}"), wait=PROMPT)
        assert_kms_error(answer, 503, "ServiceUnavailableException")
        assert answer.closed
    finally:
        for connection in idle:
            connection.close()


# ------------------------------------------------------------------ ports


def test_a_port_in_use_is_an_os_error() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        with pytest.raises(OSError, match="in use"):
            LoopbackServer(KmsJsonApplication(echo), port=holder.getsockname()[1])


@pytest.mark.parametrize("port", [-5, 65536, 99999])
def test_a_port_out_of_range_is_an_os_error(port: int) -> None:
    with pytest.raises(OSError, match="0-65535"):
        LoopbackServer(KmsJsonApplication(echo), port=port)


@pytest.mark.parametrize("bad", ["-5", "99999", "in use"])
def test_kscheck_emulator_with_a_bad_or_busy_port_is_an_error_without_a_traceback(
    bad: str,
) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = str(holder.getsockname()[1]) if bad == "in use" else bad
        done = subprocess.run(
            [sys.executable, "-m", "conformance.cli", "emulator", "--port", port],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert f"port {port}" in done.stderr


@pytest.mark.parametrize("module", [http_server, wire])
def test_the_server_examples_run(module: object) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)  # type: ignore[arg-type]
    assert result.failed == 0 and result.attempted > 0


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET /a MARKER HTTP/1.1\r\n\r\n",
        b"GET / MARKER-as-version\r\n\r\n",
        b"MARKER-as-method /x\r\n\r\n",
        b"GET /MARKER HTTP/1.1\r\nX-MARKER: " + b"a" * 70000 + b"\r\n\r\n",
    ],
    ids=["request line", "version", "method", "header"],
)
def test_http_layer_errors_echo_nothing_the_client_sent(
    server: LoopbackServer, request_bytes: bytes
) -> None:
    answer = exchange(plain_connector(server.port), request_bytes, wait=PROMPT)
    assert answer.responses, answer.raw[:300]
    assert b"MARKER" not in answer.raw, answer.raw[:300]
