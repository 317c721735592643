"""Every permitted variant demonstrably changes the fake proxy's behaviour, and only in a
way the spec allows (the mirror of ``test_proxy_faults``).

Each variant has one observation: a function of a running proxy whose value differs between
the clean proxy and the proxy with just that variant switched on. Both values are pinned.
"""

from __future__ import annotations

import base64
import doctest
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

import conformance.xks.variants as variants_module
from conformance.xks.client import XksClient, health_metadata, key_metadata
from conformance.xks.config import EkmNode
from conformance.xks.server import RunningProxy
from conformance.xks.variants import VARIANTS, VariantConflictError, validate_variant_names

StartProxy = Callable[..., RunningProxy]
Observe = Callable[[RunningProxy], object]
OK = 200


def client_of(proxy: RunningProxy) -> XksClient:
    return XksClient.for_proxy(proxy)


def iv_length(proxy: RunningProxy) -> int:
    with client_of(proxy) as xks:
        sealed = xks.encrypt("foo", b"Hello World!").json
        assert xks.decrypt_plaintext("foo", sealed) == b"Hello World!"
    return len(base64.b64decode(sealed["initializationVector"]))


def metadata_shape(proxy: RunningProxy) -> tuple[int | None, bool, int]:
    """(metadata length, whether two encrypts returned different metadata, status of a
    decrypt whose metadata had one bit flipped)."""
    with client_of(proxy) as xks:
        first, second = (xks.encrypt("foo", b"x").json for _ in range(2))
        cm = first.get("ciphertextMetadata")
        if cm is None:
            return None, False, 0
        raw = bytearray(base64.b64decode(cm))
        raw[0] ^= 1
        flipped = dict(first, ciphertextMetadata=base64.b64encode(bytes(raw)).decode())
        assert xks.decrypt_plaintext("foo", first) == b"x"
        status = xks.decrypt(
            "foo",
            flipped["ciphertext"],
            flipped["initializationVector"],
            flipped["authenticationTag"],
            None,
            flipped["ciphertextMetadata"],
        ).status
    return len(raw), cm != second.get("ciphertextMetadata"), status


def empty_request_id(proxy: RunningProxy) -> tuple[int, str | None]:
    body = {"requestMetadata": key_metadata("DescribeKey") | {"kmsRequestId": ""}}
    with client_of(proxy) as xks:
        response = xks.raw("POST", "keys/foo/metadata", body)
    return response.status, response.error_name


def burst_statuses(proxy: RunningProxy) -> set[int]:
    """Statuses of 8 threads x 10 health calls released together."""
    clients = [client_of(proxy) for _ in range(8)]
    for xks in clients:
        xks.health()  # connections open before the burst
    gate = threading.Barrier(len(clients))
    seen: set[int] = set()
    lock = threading.Lock()

    def burst(xks: XksClient) -> None:
        gate.wait(timeout=10)
        for _ in range(10):
            status = xks.health().status
            with lock:
                seen.add(status)

    threads = [threading.Thread(target=burst, args=(xks,)) for xks in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    for xks in clients:
        xks.close()
    return seen


def oversize(proxy: RunningProxy) -> tuple[int, int]:
    with client_of(proxy) as xks:
        plaintext = xks.encrypt("foo", bytes(4301)).status
        metadata = xks.decrypt("foo", bytes(4), bytes(12), bytes(16), None, bytes(21)).status
    return plaintext, metadata


def empty_vs_absent_aad(proxy: RunningProxy) -> int:
    with client_of(proxy) as xks:
        sealed = xks.encrypt("foo", b"x", aad=b"").json
        return xks.decrypt(
            "foo",
            sealed["ciphertext"],
            sealed["initializationVector"],
            sealed["authenticationTag"],
            None,
            sealed.get("ciphertextMetadata"),
        ).status


def field_names(proxy: RunningProxy) -> tuple[list[str], list[str]]:
    with client_of(proxy) as xks:
        ok = xks.get_key_metadata("foo").json
        error = xks.get_key_metadata("non_existing_key").json
    return sorted(ok), sorted(error)


def unknown_prefix(proxy: RunningProxy) -> list[int]:
    with client_of(proxy) as xks:
        return [
            xks.raw("POST", f"{proxy.uri_prefix}-nope/kms/xks/v1/health", {}).status,
            xks.raw("POST", f"{proxy.api_root}/healthz", {}).status,
        ]


def health_after_change(proxy: RunningProxy) -> list[str]:
    with client_of(proxy) as xks:
        xks.health()
        proxy.set_ekm_fleet([EkmNode("ekm-1", health_status="DEGRADED")])
        before = xks.health().json["ekmFleetDetails"][0]["healthStatus"]
        proxy.let_health_cache_age(61.0)
        after = xks.health().json["ekmFleetDetails"][0]["healthStatus"]
    return [before, after]


def unsigned_invalid_body(proxy: RunningProxy) -> int:
    with client_of(proxy) as xks:
        return xks.raw("POST", "keys/foo/metadata", {}, sign=False).status


def key_usage(proxy: RunningProxy) -> list[str]:
    with client_of(proxy) as xks:
        return list(xks.get_key_metadata("foo").json["keyUsage"])


def case_twins(proxy: RunningProxy) -> list[int]:
    with client_of(proxy) as xks:
        return [xks.get_key_metadata(key).status for key in ("foo", "FOO", "a")]


def unknown_principal(proxy: RunningProxy) -> list[int]:
    stranger = {"awsPrincipalArn": "arn:aws:iam::123456789012:role/Stranger"}
    with client_of(proxy) as xks:
        body: dict[str, Any] = {"requestMetadata": key_metadata("DescribeKey") | stranger}
        return [
            xks.raw("POST", "keys/foo/metadata", body).status,
            xks.get_key_metadata("foo").status,
            xks.raw("POST", "health", {"requestMetadata": health_metadata()}).status,
        ]


@dataclass(frozen=True)
class Expectation:
    observe: Observe
    clean: object
    variant: object


EXPECTATIONS: dict[str, Expectation] = {
    "iv_16_bytes": Expectation(iv_length, 12, 16),
    "metadata_20_bytes": Expectation(metadata_shape, (13, False, 400), (20, True, 400)),
    "no_ciphertext_metadata": Expectation(metadata_shape, (13, False, 400), (None, False, 0)),
    "empty_request_id_refused": Expectation(
        empty_request_id, (OK, None), (400, "ValidationException")
    ),
    "throttles_bursts": Expectation(burst_statuses, {OK}, {OK, 429}),
    "unsupported_above_minimum": Expectation(oversize, (400, 400), (501, 400)),
    "reference_aad_encoding": Expectation(empty_vs_absent_aad, OK, 400),
    "extra_response_fields": Expectation(
        field_names,
        (["keySpec", "keyStatus", "keyUsage"], ["errorMessage", "errorName"]),
        (
            ["keySpec", "keyStatus", "keyUsage", "vendorTraceId"],
            ["errorMessage", "errorName", "vendorTraceId"],
        ),
    ),
    "no_error_message": Expectation(
        field_names,
        (["keySpec", "keyStatus", "keyUsage"], ["errorMessage", "errorName"]),
        (["keySpec", "keyStatus", "keyUsage"], ["errorName"]),
    ),
    "prefix_auth_before_routing": Expectation(unknown_prefix, [404, 404], [401, 404]),
    "health_cached_60s": Expectation(
        health_after_change, ["DEGRADED", "DEGRADED"], ["ACTIVE", "DEGRADED"]
    ),
    "validation_first": Expectation(unsigned_invalid_body, 401, 400),
    "authentication_first": Expectation(unsigned_invalid_body, 401, 401),
    "extra_key_usages": Expectation(
        key_usage, ["ENCRYPT", "DECRYPT"], ["ENCRYPT", "DECRYPT", "WRAP", "UNWRAP"]
    ),
    "case_sensitive_key_ids": Expectation(case_twins, [OK, 404, 404], [OK, OK, OK]),
    "key_arn_authorization": Expectation(unknown_principal, [OK, OK, OK], [403, OK, OK]),
}
#: Variants that name the fake's default on purpose (so a run can name either reading).
DEFAULT_READINGS = {"authentication_first"}


def test_every_variant_in_the_catalogue_has_an_expectation() -> None:
    assert list(EXPECTATIONS) == list(VARIANTS)


@pytest.mark.parametrize("name", list(VARIANTS))
def test_each_variant_changes_exactly_the_observed_behaviour(
    start_proxy: StartProxy, name: str
) -> None:
    expectation = EXPECTATIONS[name]
    clean = start_proxy()
    chosen = start_proxy(variants=[name])
    assert expectation.observe(clean) == expectation.clean
    assert expectation.observe(chosen) == expectation.variant
    assert (expectation.clean == expectation.variant) == (name in DEFAULT_READINGS)


def test_contradictory_and_unknown_variants_are_refused() -> None:
    with pytest.raises(VariantConflictError, match="metadata_20_bytes"):
        validate_variant_names(["metadata_20_bytes", "no_ciphertext_metadata"])
    with pytest.raises(ValueError, match="valid names: iv_16_bytes"):
        validate_variant_names(["no_such_variant"])


def test_the_variant_module_examples_run() -> None:
    result = doctest.testmod(variants_module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
