"""The JSON 1.1 layer answers malformed input with a proper error body and stays up."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
import requests

from conformance.emulator.http_server import LoopbackServer
from conformance.emulator.wire import KmsJsonApplication


def echo_or_crash(operation: str, request: Mapping[str, Any]) -> tuple[int, Mapping[str, Any]]:
    if operation == "Crash":
        raise RuntimeError("handler bug")
    return 200, {"Operation": operation, "Request": dict(request)}


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    app = KmsJsonApplication(echo_or_crash, max_body_bytes=4096)
    with LoopbackServer(app) as running:
        yield running


def post(server: LoopbackServer, body: bytes, target: str | None = "TrentService.Echo") -> Any:
    headers = {"Content-Type": "application/x-amz-json-1.1"}
    if target is not None:
        headers["X-Amz-Target"] = target
    return requests.post(server.url + "/", data=body, headers=headers, timeout=5)


def assert_error(response: Any, status: int, code: str) -> None:
    assert response.status_code == status
    assert response.json()["__type"] == code


def test_well_formed_request_reaches_the_handler(server: LoopbackServer) -> None:
    response = post(server, json.dumps({"Limit": 3}).encode())
    assert response.status_code == 200
    assert response.json() == {"Operation": "Echo", "Request": {"Limit": 3}}


@pytest.mark.parametrize(
    ("body", "target", "status", "code"),
    [
        (b"{not json", "TrentService.Echo", 400, "SerializationException"),
        (b"\xff\xfe\x00garbage", "TrentService.Echo", 400, "SerializationException"),
        (b"[1, 2]", "TrentService.Echo", 400, "SerializationException"),
        (b"[" * 2000 + b"]" * 2000, "TrentService.Echo", 400, "SerializationException"),
        (b"{}", None, 400, "UnknownOperationException"),
        (b"{}", "SomeOtherService.Echo", 400, "UnknownOperationException"),
        (b"{}", "TrentService.Crash", 500, "KMSInternalException"),
        (b"{" + b" " * 5000 + b"}", "TrentService.Echo", 413, "SerializationException"),
    ],
)
def test_malformed_input_gets_an_error_body_and_the_server_stays_up(
    server: LoopbackServer, body: bytes, target: str | None, status: int, code: str
) -> None:
    assert_error(post(server, body, target), status, code)
    assert post(server, b"{}").status_code == 200


def test_a_client_that_stops_mid_request_does_not_block_others(server: LoopbackServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as stalled:
        stalled.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
        assert post(server, b"{}").status_code == 200


def test_get_is_refused_with_a_json_error(server: LoopbackServer) -> None:
    response = requests.get(server.url + "/", timeout=5)
    assert_error(response, 405, "UnknownOperationException")


def test_an_oversized_chunked_body_is_refused_with_413(server: LoopbackServer) -> None:
    body = b'{"a": "' + b"x" * 20000 + b'"}'
    chunked = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as connection:
        connection.sendall(
            b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: TrentService.Echo\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n" + chunked
        )
        status_line = connection.makefile("rb").readline()
    assert status_line.split()[1] == b"413"
    assert post(server, b"{}").status_code == 200


def test_a_server_that_was_never_started_stops_at_once() -> None:
    unstarted = LoopbackServer(KmsJsonApplication(echo_or_crash))
    unstarted.stop()  # would wait forever in socketserver.shutdown()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", unstarted.port), timeout=1)
