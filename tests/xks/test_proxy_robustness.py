"""Malformed input never crashes the fake proxy nor leaves it unresponsive."""

from __future__ import annotations

import json
import socket
import ssl
from collections.abc import Callable, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.xks.client import XksClient
from conformance.xks.server import RunningProxy

StartProxy = Callable[..., RunningProxy]


@pytest.fixture
def quick_timeout_proxy(start_proxy: StartProxy) -> RunningProxy:
    """A proxy that drops connections silent for 0.3 s."""
    return start_proxy(read_timeout=0.3)


def tls_socket(proxy: RunningProxy, timeout: float = 5.0) -> ssl.SSLSocket:
    context = ssl.create_default_context(cafile=str(proxy.ca_bundle_path))
    raw = socket.create_connection(("127.0.0.1", proxy.port), timeout=timeout)
    return context.wrap_socket(raw, server_hostname="localhost")


def read_until_closed(connection: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (bounded by the timeout)."""
    chunks = []
    try:
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    except (ConnectionResetError, ssl.SSLError):
        pass
    return b"".join(chunks)


def json_error_of(raw_response: bytes) -> tuple[int, str]:
    head, _, body = raw_response.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body)["errorName"]


@pytest.fixture
def still_answering(proxy: RunningProxy) -> Iterator[None]:
    """After the test, a fresh client still gets a 200 from the proxy."""
    yield
    with XksClient.for_proxy(proxy) as fresh:
        assert fresh.health().status == 200


pytestmark = pytest.mark.usefixtures("still_answering")


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{",
        b"[]",
        b"null",
        b'"text"',
        b"\x00\xff\xfe garbage",
        b"{" * 5000 + b"}" * 5000,
        b"[" * 3000 + b"]" * 3000,  # well-formed but deeper than the parser's recursion limit
        b'{"requestMetadata": {"kmsRequestId": "r", "kmsOperation": "x"}} trailing',
    ],
    ids=[
        "empty",
        "truncated",
        "array",
        "null",
        "string",
        "binary",
        "deep nesting",
        "deep arrays",
        "trailing",
    ],
)
def test_malformed_json_gets_a_json_400(client: XksClient, body: bytes) -> None:
    response = client.raw("POST", "health", body)
    assert (response.status, response.error_name) == (400, "ValidationException")


@settings(max_examples=30)
@given(
    body=st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "requestMetadata",
                        "plaintext",
                        "ciphertext",
                        "encryptionAlgorithm",
                        "initializationVector",
                        "authenticationTag",
                        "kmsRequestId",
                    ]
                ),
                children,
                max_size=4,
            )
        ),
        max_leaves=12,
    )
)
def test_arbitrary_json_values_get_a_json_answer_never_a_500(
    client: XksClient, body: object
) -> None:
    for path in ("health", "keys/foo/metadata", "keys/foo/encrypt", "keys/foo/decrypt"):
        response = client.raw("POST", path, json.dumps(body).encode())
        assert response.status < 500, response
        assert isinstance(response.json, dict)


def test_a_huge_declared_body_is_refused_without_reading_it(proxy: RunningProxy) -> None:
    with tls_socket(proxy) as connection:
        connection.sendall(
            f"POST {proxy.api_root}/health HTTP/1.1\r\nHost: localhost\r\n"
            "Content-Length: 1000000000\r\n\r\n{}".encode()
        )
        assert json_error_of(read_until_closed(connection)) == (400, "ValidationException")


def test_a_huge_actual_body_gets_a_json_400(client: XksClient) -> None:
    response = client.raw("POST", "keys/foo/encrypt", b"A" * 200_000)
    assert (response.status, response.error_name) == (400, "ValidationException")


def test_a_chunked_body_is_decoded(start_proxy: StartProxy) -> None:
    unsigned = start_proxy("signature_not_checked")  # so the body alone decides
    with tls_socket(unsigned) as connection:
        connection.sendall(
            f"POST {unsigned.api_root}/health HTTP/1.1\r\nHost: localhost\r\n"
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n".encode()
            + b'12\r\n{"requestMetadata"\r\n'
            + b'2D\r\n: {"kmsRequestId": "r", "kmsOperation": "x"}}\r\n0\r\n\r\n'
        )
        assert read_until_closed(connection).startswith(b"HTTP/1.1 200 ")


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"\x00\xff\x13garbage\r\n\r\n",
        b"GET /\xe9\xff\x7f HTTP/1.1 x\r\n\r\n",
        b"POST\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"POST /x HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
        b"POST /x HTTP/1.1\r\n" + b"X-Long: " + b"a" * 70000 + b"\r\n\r\n",
    ],
    ids=[
        "binary request line",
        "non-ascii request line",
        "no target",
        "bad version",
        "negative length",
        "huge header",
    ],
)
def test_garbage_http_gets_a_json_400_and_a_closed_connection(
    proxy: RunningProxy, request_bytes: bytes
) -> None:
    with tls_socket(proxy) as connection:
        connection.sendall(request_bytes)
        raw = read_until_closed(connection)
    status, name = json_error_of(raw)
    assert 400 <= status < 500 or status == 505
    assert name == "ValidationException"
    message = json.loads(raw.partition(b"\r\n\r\n")[2]).get("errorMessage", "")
    assert len(message) < 512 and all(" " <= c <= "~" for c in message)  # [SPEC §3]


def test_binary_noise_instead_of_a_tls_handshake_is_dropped(proxy: RunningProxy) -> None:
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as raw:
        raw.sendall(b"\x16\x03\x01\xff\xff" + bytes(range(256)) * 4)
        assert not read_until_closed(raw).startswith(b"HTTP")


def test_slowloris_connections_do_not_block_others_and_are_closed(
    quick_timeout_proxy: RunningProxy,
) -> None:
    proxy = quick_timeout_proxy
    silent_tcp = socket.create_connection(("127.0.0.1", proxy.port), timeout=5)
    partial_headers = tls_socket(proxy)
    partial_headers.sendall(f"POST {proxy.api_root}/health HTTP/1.1\r\nHost: loc".encode())
    partial_body = tls_socket(proxy)
    partial_body.sendall(
        f"POST {proxy.api_root}/health HTTP/1.1\r\nHost: localhost\r\n"
        'Content-Length: 100\r\n\r\n{"requestMe'.encode()
    )
    with XksClient.for_proxy(proxy) as xks:  # served while three connections stall
        assert xks.health().status == 200
    for stalled in (silent_tcp, partial_headers, partial_body):
        with stalled:
            assert read_until_closed(stalled) == b""  # closed by the server, no response
    with XksClient.for_proxy(proxy) as xks:
        assert xks.health().status == 200


def test_a_silent_client_on_the_ping_port_is_closed(quick_timeout_proxy: RunningProxy) -> None:
    assert quick_timeout_proxy.ping_url is not None
    port = int(quick_timeout_proxy.ping_url.split(":")[2].split("/")[0])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as silent:
        silent.sendall(b"GET /ping HTTP/1.1\r\nHost: loc")
        assert read_until_closed(silent) == b""  # closed after read_timeout, no response
