"""Fixtures for the fake XKS proxy self-tests: shared certificates, real proxies on loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from conformance.xks.certs import CertificateSet, make_certificates
from conformance.xks.client import XksClient
from conformance.xks.config import FakeProxyConfig
from conformance.xks.server import RunningProxy, start_fake_proxy

StartProxy = Callable[..., RunningProxy]


@pytest.fixture(scope="session")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> CertificateSet:
    """One set of trustme certificates for every proxy of the session."""
    return make_certificates(tmp_path_factory.mktemp("xks-certs"))


@pytest.fixture(scope="module")
def proxy(certificates: CertificateSet) -> Iterator[RunningProxy]:
    """A clean fake proxy shared by a test module."""
    with start_fake_proxy(certificates=certificates) as running:
        yield running


@pytest.fixture(scope="module")
def client(proxy: RunningProxy) -> Iterator[XksClient]:
    """A keep-alive client of the clean proxy with its first credential."""
    with XksClient.for_proxy(proxy) as xks:
        yield xks


@pytest.fixture
def start_proxy(certificates: CertificateSet) -> Iterator[StartProxy]:
    """Start extra proxies (faults, config overrides); all are stopped after the test."""
    started: list[RunningProxy] = []

    def start(
        *faults: str, config: FakeProxyConfig | None = None, **overrides: Any
    ) -> RunningProxy:
        running = start_fake_proxy(config, faults=faults, certificates=certificates, **overrides)
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()
