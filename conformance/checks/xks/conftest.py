"""Fixtures of the XKS checks, built on the plugin's ``xks_target`` fixture."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conformance.checks.xks.wire import XksWire
from conformance.targets.xks import XksTarget


@pytest.fixture(scope="session")
def wire(xks_target: XksTarget) -> Iterator[XksWire]:
    """A keep-alive client for the target, signing with its main credential."""
    client = XksWire(xks_target)
    yield client
    client.close()
