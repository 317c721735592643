"""Error bodies: a JSON object naming a spec error, a bounded printable message, and the
HTTP status the spec's table gives that error."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance.checks.xks import generators
from conformance.checks.xks.bodies import encrypt_body, health_body, metadata_body
from conformance.checks.xks.flows import decrypt, encrypt_for_setup, key_suffix
from conformance.checks.xks.wire import Exchange, XksWire
from conformance.report.evidence import reached
from conformance.spec.xks_protocol import ERROR_STATUS, MAX_ERROR_MESSAGE_CHARS

Provoke = Callable[[XksWire], Exchange]


def _validation(wire: XksWire) -> Exchange:
    body = encrypt_body(b"x", None)
    body.pop("plaintext")
    return wire.post(key_suffix(wire.target.key_id, "encrypt"), body, note="plaintext missing")


def _authentication(wire: XksWire) -> Exchange:
    signing = wire.signing(secret_access_key="Invalid" + wire.target.credential.secret.reveal())
    return wire.post("health", health_body(), signing=signing, note="wrong secret")


def _not_found(wire: XksWire) -> Exchange:
    return wire.post(key_suffix("non_existing_key", "metadata"), metadata_body())


def _bad_path(wire: XksWire) -> Exchange:
    return wire.post("invalid", health_body())


def _bad_ciphertext(wire: XksWire) -> Exchange:
    sealed = encrypt_for_setup(
        wire, wire.target.key_id, generators.TC_PLAINTEXT_1, generators.TC_AAD_1
    )
    return decrypt(wire, wire.target.key_id, sealed, generators.TC_AAD_2, note="wrong AAD")


PROVOCATIONS: dict[str, Provoke] = {
    "validation": _validation,
    "authentication": _authentication,
    "not-found": _not_found,
    "uri-path": _bad_path,
    "ciphertext": _bad_ciphertext,
}


@pytest.mark.requirement("XKS-ERR-001")
@pytest.mark.parametrize("case", sorted(PROVOCATIONS))
def test_an_error_body_names_a_spec_error(wire: XksWire, case: str) -> None:
    exchange = PROVOCATIONS[case](wire)
    if exchange.response.error_name not in ERROR_STATUS:
        exchange.fail("XKS-ERR-001", "a JSON error body whose errorName is a spec error name")
    reached("XKS-ERR-001")


@pytest.mark.requirement("XKS-ERR-002")
@pytest.mark.parametrize("case", sorted(PROVOCATIONS))
def test_an_error_message_is_short_printable_ascii(wire: XksWire, case: str) -> None:
    exchange = PROVOCATIONS[case](wire)
    body = exchange.response.json
    message = body.get("errorMessage") if isinstance(body, dict) else None
    if message is None:
        return
    printable = isinstance(message, str) and all(0x20 <= ord(c) <= 0x7E for c in message)
    if not printable or len(message) > MAX_ERROR_MESSAGE_CHARS:
        exchange.fail("XKS-ERR-002", "errorMessage under 512 printable ASCII characters")
    reached("XKS-ERR-002")


@pytest.mark.requirement("XKS-ERR-003")
@pytest.mark.parametrize("case", sorted(PROVOCATIONS))
def test_the_status_matches_the_error_name(wire: XksWire, case: str) -> None:
    exchange = PROVOCATIONS[case](wire)
    name = exchange.response.error_name
    if name is None or exchange.response.status != ERROR_STATUS.get(name):
        exchange.fail("XKS-ERR-003", "the HTTP status the spec's table gives the errorName")
    reached("XKS-ERR-003")
