"""A fake proxy that cannot start leaves nothing behind: no listening socket, no temp files."""

from __future__ import annotations

import socket
import tempfile
from pathlib import Path

import pytest

from conformance.xks.server import start_fake_proxy


def test_a_ping_port_in_use_fails_the_start_without_leaking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(OSError):
            start_fake_proxy(ping_port=taken.getsockname()[1])
    assert list(tmp_path.iterdir()) == []  # the owned certificate directory is gone
