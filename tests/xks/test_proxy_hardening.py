"""The fake proxy's server answers malformed framing with a JSON 400, cuts slow clients off at
an overall request deadline, keeps a bounded number of threads, and stays up (issue 11).

Probes are raw bytes over TLS on loopback, bounded in time; the proxy runs in-process with
short deadlines so that the thread count and RSS can be read from /proc/self.
"""

from __future__ import annotations

import contextlib
import doctest
import json
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest
from server_probes import (
    Connect,
    Exchange,
    exchange,
    plain_connector,
    read_until_closed,
    rss_kib,
    thread_count,
    tls_connector,
    trickle_headers,
    wait_until,
)

from conformance.xks.client import XksClient
from conformance.xks.server import RunningProxy, start_fake_proxy

StartProxy = Callable[..., RunningProxy]

READ_TIMEOUT = 0.5
REQUEST_DEADLINE = 1.5
MAX_CONNECTIONS = 8
IDLE_TIMEOUT = 2.0
PROMPT = REQUEST_DEADLINE + 1.5  # deadline plus scheduling slack on a busy 2-core machine
HEALTH_BODY = b'{"requestMetadata": {"kmsRequestId": "r", "kmsOperation": "x"}}'


@pytest.fixture
def guarded(start_proxy: StartProxy) -> Iterator[RunningProxy]:
    """An unsigned proxy (the framing alone decides) with short deadlines and a small cap."""
    running = start_proxy(
        "signature_not_checked",
        read_timeout=READ_TIMEOUT,
        request_deadline=REQUEST_DEADLINE,
        max_connections=MAX_CONNECTIONS,
    )
    yield running
    assert answers_a_valid_request(running), "the proxy stopped answering"


def answers_a_valid_request(proxy: RunningProxy) -> bool:
    """A signed health check gets a 200 (retrying while refused slots free up)."""

    def ok() -> bool:
        try:
            with XksClient.for_proxy(proxy) as xks:
                return xks.health().status == 200
        except OSError:
            return False

    return wait_until(ok, timeout=PROMPT + READ_TIMEOUT, interval=0.1)


def connector(proxy: RunningProxy) -> Connect:
    return tls_connector(proxy.port, proxy.ca_bundle_path)


def health_request(proxy: RunningProxy, headers: str, body: bytes) -> bytes:
    return (
        f"POST {proxy.api_root}/health HTTP/1.1\r\nHost: localhost\r\n{headers}\r\n".encode() + body
    )


def assert_json_error(answer: Exchange, status: int) -> None:
    assert answer.responses, f"no answer, closed={answer.closed}: {answer.raw[:200]!r}"
    response = answer.responses[0]
    assert response.status == status, answer.raw[:300]
    body = response.json()
    assert body["errorName"] == "ValidationException"
    message = body["errorMessage"]
    assert isinstance(message, str) and all(" " <= c <= "~" for c in message)  # [SPEC §3]


def test_a_slowloris_is_cut_off_at_the_request_deadline(guarded: RunningProxy) -> None:
    first = f"POST {guarded.api_root}/health HTTP/1.1\r\n".encode()
    seconds = trickle_headers(connector(guarded), first, every=0.2, limit=5.0)
    assert seconds < PROMPT, f"a header every 0.2 s held the connection {seconds:.1f} s"


def test_a_slow_body_is_cut_off_at_the_request_deadline(guarded: RunningProxy) -> None:
    started = time.monotonic()
    with connector(guarded)() as connection:
        connection.sendall(health_request(guarded, "Content-Length: 1000\r\n", b"{"))
        while time.monotonic() - started < PROMPT:  # a byte every 0.2 s, inside the timeout
            connection.settimeout(0.2)
            try:
                connection.recv(1024)  # the close (or any answer) ends the trickle
                return
            except TimeoutError:
                pass
            except (ConnectionResetError, ssl.SSLError):
                return
            try:
                connection.sendall(b" ")
            except OSError:
                return
    pytest.fail(f"a body trickled for {PROMPT} s was never cut off")


def client_hello(proxy: RunningProxy) -> bytes:
    """The first flight of a TLS handshake with the proxy, as bytes to trickle."""
    context = ssl.create_default_context(cafile=str(proxy.ca_bundle_path))
    outgoing = ssl.MemoryBIO()
    tls = context.wrap_bio(ssl.MemoryBIO(), outgoing, server_hostname="localhost")
    with contextlib.suppress(ssl.SSLWantReadError):
        tls.do_handshake()
    return outgoing.read()


def test_a_trickled_tls_handshake_is_cut_off_at_the_read_timeout(guarded: RunningProxy) -> None:
    hello = client_hello(guarded)
    started = time.monotonic()
    with plain_connector(guarded.port)() as connection:
        for byte in hello:  # one byte every 0.1 s: each read is well inside the timeout
            if time.monotonic() - started > PROMPT:
                pytest.fail(f"a handshake trickled for {PROMPT} s was never cut off")
            connection.settimeout(0.1)
            try:
                if connection.recv(65536) == b"":
                    break
            except TimeoutError:
                pass
            except ConnectionResetError:
                break
            try:
                connection.sendall(bytes([byte]))
            except OSError:
                break
        else:
            pytest.fail(f"a {len(hello)}-byte handshake trickled to its end")


@pytest.mark.parametrize(
    "body",
    [
        b"zz\r\n{}\r\n0\r\n\r\n",
        b"-2\r\n{}\r\n0\r\n\r\n",
        b"2\r\n{}}}\r\n0\r\n\r\n",
        b"2 3\r\n{}\r\n0\r\n\r\n",
        b"\r\n{}\r\n0\r\n\r\n",
        b"fffffffffffffffffffff\r\n{}\r\n0\r\n\r\n",
        b"0\r\n" + b"X-T: 1\r\n" * 200 + b"\r\n",
    ],
    ids=[
        "not hex",
        "negative",
        "data longer than size",
        "two sizes",
        "no size",
        "huge size",
        "endless trailers",
    ],
)
def test_a_malformed_chunked_body_is_a_json_400(guarded: RunningProxy, body: bytes) -> None:
    request = health_request(guarded, "Transfer-Encoding: chunked\r\n", body)
    answer = exchange(connector(guarded), request, wait=PROMPT)
    assert_json_error(answer, 400)
    assert answer.closed


def test_chunk_extensions_and_trailers_are_accepted(guarded: RunningProxy) -> None:
    half = len(HEALTH_BODY) // 2
    first, second = HEALTH_BODY[:half], HEALTH_BODY[half:]
    body = (
        f"{len(first):x};name=value\r\n".encode()
        + first
        + f'\r\n{len(second):x} ; quoted="a;b"\r\n'.encode()
        + second
        + b"\r\n0\r\nX-Trailer: yes\r\n\r\n"
    )
    request = health_request(guarded, "Transfer-Encoding: chunked\r\nConnection: close\r\n", body)
    answer = exchange(connector(guarded), request, wait=PROMPT)
    assert [r.status for r in answer.responses] == [200], answer.raw[:300]


def test_an_unterminated_chunked_body_ends_within_the_deadline(guarded: RunningProxy) -> None:
    request = health_request(guarded, "Transfer-Encoding: chunked\r\n", b"40\r\n{")
    answer = exchange(connector(guarded), request, wait=PROMPT)
    assert answer.closed, f"still open after {PROMPT} s"


def test_an_empty_request_line_is_a_json_400(guarded: RunningProxy) -> None:
    answer = exchange(connector(guarded), b"\r\n\r\n", wait=PROMPT)
    assert_json_error(answer, 400)
    assert answer.closed


def test_one_empty_line_before_a_request_is_ignored(guarded: RunningProxy) -> None:
    request = b"\r\n" + health_request(
        guarded, f"Content-Length: {len(HEALTH_BODY)}\r\nConnection: close\r\n", HEALTH_BODY
    )
    answer = exchange(connector(guarded), request, wait=PROMPT)
    assert [r.status for r in answer.responses] == [200], answer.raw[:300]


@pytest.mark.parametrize(
    "headers",
    [
        f"Content-Length: {len(HEALTH_BODY)}\r\nContent-Length: 2\r\n",
        f"Content-Length: {len(HEALTH_BODY)}, 2\r\n",
        f"Content-Length: {len(HEALTH_BODY)}\r\nTransfer-Encoding: chunked\r\n",
    ],
    ids=["two headers", "a list", "with transfer-encoding"],
)
def test_conflicting_body_lengths_are_a_json_400(guarded: RunningProxy, headers: str) -> None:
    answer = exchange(
        connector(guarded), health_request(guarded, headers, HEALTH_BODY), wait=PROMPT
    )
    assert_json_error(answer, 400)
    assert answer.closed


def test_an_unknown_transfer_coding_is_a_501(guarded: RunningProxy) -> None:
    request = health_request(guarded, "Transfer-Encoding: gzip, chunked\r\n", b"0\r\n\r\n")
    assert_json_error(exchange(connector(guarded), request, wait=PROMPT), 501)


def test_idle_connections_are_bounded_closed_and_leave_nothing_behind(
    start_proxy: StartProxy,
) -> None:
    patient = start_proxy(read_timeout=IDLE_TIMEOUT, max_connections=MAX_CONNECTIONS)
    assert answers_a_valid_request(patient)
    threads_before, rss_before = thread_count(), rss_kib()
    idle = [plain_connector(patient.port)() for _ in range(3 * MAX_CONNECTIONS)]
    try:
        peak = threads_before
        for _ in range(20):  # sample for a while: every connection has been accepted by then
            peak = max(peak, thread_count())
            wait_until(lambda: False, timeout=0.03)
        assert peak <= threads_before + MAX_CONNECTIONS, (threads_before, peak)
        for connection in idle:  # each is refused or timed out, never held
            raw, closed = read_until_closed(connection, IDLE_TIMEOUT + PROMPT)
            assert (raw, closed) == (b"", True), "an idle connection was held or answered"
    finally:
        for connection in idle:
            connection.close()
    assert wait_until(lambda: thread_count() <= threads_before, timeout=PROMPT)
    assert answers_a_valid_request(patient)
    rss_after = rss_kib()
    threads_after = thread_count()
    print(f"threads {threads_before} -> peak {peak} -> {threads_after}; ", end="")
    print(f"RSS KiB {rss_before} -> {rss_after}")
    assert rss_after - rss_before < 32 * 1024, (rss_before, rss_after)


def test_a_port_out_of_range_is_an_os_error() -> None:
    with pytest.raises(OSError, match="0-65535"):
        start_fake_proxy(port=99999)


def test_kscheck_proxy_with_a_bad_port_is_an_error_without_a_traceback() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "conformance.cli", "proxy", "--port", "99999"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "99999" in done.stderr


def test_kscheck_proxy_on_a_port_in_use_is_an_error_without_a_traceback() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "conformance.cli", "proxy", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert json.dumps(port) in done.stderr


def test_the_guarded_server_examples_run() -> None:
    import conformance.xks.guarded_http as guarded_http

    result = doctest.testmod(guarded_http, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0


def test_a_head_answer_has_no_body_so_the_connection_stays_in_step(guarded: RunningProxy) -> None:
    assert guarded.ping_url is not None
    port = int(guarded.ping_url.split(":")[2].split("/")[0])
    pipelined = b"HEAD /ping HTTP/1.1\r\nHost: x\r\n\r\nGET /ping HTTP/1.1\r\nHost: x\r\n\r\n"
    with plain_connector(port)() as connection:
        connection.sendall(pipelined)
        raw, _ = read_until_closed(connection, READ_TIMEOUT + PROMPT)
    head, _, rest = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 405 "), raw[:300]
    assert rest.startswith(b"HTTP/1.1 200 "), raw[:300]  # no body between the two answers


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
    guarded: RunningProxy, request_bytes: bytes
) -> None:
    answer = exchange(connector(guarded), request_bytes, wait=PROMPT)
    assert answer.responses, answer.raw[:300]
    assert b"MARKER" not in answer.raw, answer.raw[:300]
