"""`--target localstack[=URL]`: the health endpoint first, LocalStack's credentials, and one
clear line (exit 1, within seconds) when it is not running.

A real LocalStack is exercised by ``nox -s localstack``; here a loopback server stands in
for its health endpoint (no KMS call is made).
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from conformance.targets.factory import prepare_target
from conformance.targets.localstack import (
    LocalStackNotRunningError,
    find_localstack,
    localstack_urls,
)


def _serve(health: dict[str, Any]) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps(health).encode() if self.path == "/_localstack/health" else b"{}"
            self.send_response(200 if self.path == "/_localstack/health" else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def fake_health() -> Iterator[str]:
    server, url = _serve({"services": {"kms": "available", "s3": "disabled"}, "version": "9.9.9"})
    yield url
    server.shutdown()
    server.server_close()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_default_urls_are_the_localstack_name_then_loopback() -> None:
    assert localstack_urls("localstack") == (
        "http://localhost.localstack.cloud:4566",
        "http://127.0.0.1:4566",
    )
    assert localstack_urls("localstack=http://127.0.0.1:1234/") == ("http://127.0.0.1:1234",)


def test_a_healthy_localstack_is_found_with_its_version(fake_health: str) -> None:
    url, document = find_localstack(f"localstack={fake_health}")
    assert url == fake_health and document["version"] == "9.9.9"


def test_a_localstack_without_kms_is_refused_naming_kms() -> None:
    server, url = _serve({"services": {"s3": "running"}, "version": "1"})
    try:
        with pytest.raises(LocalStackNotRunningError, match="does not serve KMS"):
            find_localstack(f"localstack={url}")
    finally:
        server.shutdown()
        server.server_close()


def test_the_target_signs_with_localstacks_credentials_in_its_account(fake_health: str) -> None:
    with prepare_target(f"localstack={fake_health}") as prepared:
        credentials = prepared.target._client._request_signer._credentials
        assert (credentials.access_key, credentials.secret_key) == ("test", "test")
        assert prepared.world.account_id == "000000000000"
        assert prepared.target.version == "9.9.9"
        assert prepared.target._client.meta.endpoint_url == fake_health


def test_run_against_no_localstack_says_so_in_one_line_within_seconds() -> None:
    started = time.monotonic()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "conformance.cli",
            "run",
            "--target",
            f"localstack=http://127.0.0.1:{_closed_port()}",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert time.monotonic() - started < 20
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "LocalStack is not running" in lines[0], done.stderr


def test_localstack_is_neither_a_dependency_nor_a_default_session() -> None:
    root = Path(__file__).resolve().parents[2]
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"].values()
    wanted = [*project["dependencies"], *(d for extra in extras for d in extra)]
    assert [d for d in wanted if "localstack" in d.lower()] == []
    noxfile = (root / "noxfile.py").read_text()
    assert 'nox.options.sessions = ["tests", "lint", "typecheck"]' in noxfile
    assert "localstack" not in (root / ".ci" / "run").read_text()
