"""Defects the emulator can be told to have, each a real-world class of KMS-emulator bug.

Every fault must make `kscheck run` fail naming a requirement the fault breaks; the
self-tests iterate this catalogue to prove it.

>>> sorted(EMULATOR_FAULTS)[:2]
['client_errors_as_500', 'connect_always_succeeds']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class EmulatorFault:
    """One switchable defect: its name and the real-world bug it imitates."""

    name: str
    summary: str


EMULATOR_FAULTS: Mapping[str, EmulatorFault] = {
    fault.name: fault
    for fault in (
        EmulatorFault(
            "owner_not_described",
            "Describe omits XksProxyConfiguration.VpcEndpointServiceOwner (a pre-2025-10-30 model)",
        ),
        EmulatorFault("creation_date_missing", "Describe omits CreationDate"),
        EmulatorFault("error_code_missing", "a FAILED store is described without its error code"),
        EmulatorFault("limit_ignored", "Describe returns every store whatever Limit says"),
        EmulatorFault(
            "name_length_unchecked", "store names over the maximum length are accepted (cut)"
        ),
        EmulatorFault(
            "proxy_not_checked",
            "Create/Update of a public XKS never calls GetHealthStatus and accepts anything",
        ),
        EmulatorFault(
            "connect_always_succeeds", "Connect ends CONNECTED whatever the proxy answers"
        ),
        EmulatorFault(
            "delete_ignores_state", "Delete succeeds on a store that is not DISCONNECTED"
        ),
        EmulatorFault(
            "not_found_as_validation",
            "an unknown store ID is answered ValidationException, not CustomKeyStoreNotFound",
        ),
        EmulatorFault(
            "synchronous_connect_errors",
            "Connect to a failing proxy answers an error instead of 200 then FAILED",
        ),
        EmulatorFault(
            "client_errors_as_500",
            "refusals of bad requests come back with HTTP 500 instead of 400",
        ),
        EmulatorFault(
            "store_less_keys",
            "CreateKey with a custom key store origin or ID but no such store creates a key",
        ),
    )
}


class UnknownEmulatorFaultError(ValueError):
    """A fault name the emulator does not know; the message lists the valid ones."""


def validate_emulator_faults(names: Iterable[str]) -> frozenset[str]:
    """`names` as a frozenset, or UnknownEmulatorFaultError naming the bad ones."""
    chosen = frozenset(names)
    unknown = sorted(chosen - set(EMULATOR_FAULTS))
    if unknown:
        raise UnknownEmulatorFaultError(
            f"unknown emulator fault(s) {unknown}; valid: {sorted(EMULATOR_FAULTS)}"
        )
    return chosen
