"""The emulator's proxy budget is a setting of the scenario: 250 ms for users, generous for
the self-tests, and the slow site stays far beyond whichever budget is chosen."""

from __future__ import annotations

import os

import pytest

from conformance.emulator.network import KMS_PROXY_TIMEOUT_SECONDS, ProxyAddress, XksNetwork
from conformance.emulator.scenario import (
    DEFAULT_SITES,
    SLOW_SITE_FACTOR,
    TIMEOUT_VARIABLE,
    Scenario,
    start_scenario,
)
from conformance.model import ProxyBehaviour
from conformance.xks.server import start_fake_proxy

HOST = "xks.kscheck.test"


def test_users_get_kms_budget_and_the_environment_may_set_another() -> None:
    assert Scenario().proxy_timeout_seconds == KMS_PROXY_TIMEOUT_SECONDS == 0.25
    assert Scenario.from_environment({}) == Scenario()
    assert Scenario.from_environment({TIMEOUT_VARIABLE: "1000"}).proxy_timeout_seconds == 1.0
    with pytest.raises(ValueError, match=TIMEOUT_VARIABLE):
        Scenario.from_environment({TIMEOUT_VARIABLE: "soon"})
    with pytest.raises(ValueError, match="not positive"):
        Scenario(proxy_timeout_seconds=0)


def test_the_self_tests_run_their_emulators_with_a_generous_budget() -> None:
    budget = Scenario.from_environment().proxy_timeout_seconds
    assert budget >= 4 * KMS_PROXY_TIMEOUT_SECONDS, os.environ.get(TIMEOUT_VARIABLE)


def _probe(delay: float, budget: float) -> ProxyBehaviour:
    """A proxy that answers `delay` seconds late, judged against `budget`."""
    with start_fake_proxy(faults=["slow"], slow_delay_seconds=delay, ping_port=None) as proxy:
        network = XksNetwork(
            {HOST: ProxyAddress(proxy.base_url, proxy.ca_bundle_path)}, timeout_seconds=budget
        )
        akid, secret = proxy.credentials[0]
        return network.probe_health(f"https://{HOST}", proxy.api_root, akid, secret)


def test_an_answer_late_by_a_loaded_machine_stays_healthy_under_a_generous_budget() -> None:
    """300 ms late (as a busy machine may make a healthy proxy) is a TIMEOUT against KMS's
    250 ms but healthy against the self-tests' budget: the verdict follows the setting."""
    assert _probe(0.3, 2.0) is ProxyBehaviour.HEALTHY
    assert _probe(0.3, KMS_PROXY_TIMEOUT_SECONDS) is ProxyBehaviour.TIMEOUT


def test_the_slow_site_answers_far_beyond_the_budget_and_is_a_timeout() -> None:
    slow = next(s for s in DEFAULT_SITES if s.behaviour is ProxyBehaviour.TIMEOUT)
    healthy = next(s for s in DEFAULT_SITES if s.behaviour is ProxyBehaviour.HEALTHY)
    scenario = Scenario(sites=(healthy, slow), proxy_timeout_seconds=0.5)
    with start_scenario(scenario) as running:
        assert running.network.timeout_seconds == 0.5
        proxy = running.proxies[slow.hostname]
        assert proxy.config.slow_delay_seconds == SLOW_SITE_FACTOR * 0.5
        for site, expected in ((healthy, ProxyBehaviour.HEALTHY), (slow, ProxyBehaviour.TIMEOUT)):
            path = running.site_paths(site.hostname)[0]
            credential = running.site_credentials(site.hostname, path)[0]
            behaviour = running.network.probe_health(
                site.endpoint, path, credential.access_key_id, credential.raw_secret_access_key
            )
            assert behaviour is expected, site
