"""Real AWS KMS as a target, one concern per module:

* :mod:`.account`: opt-in, allow-list checked with STS, run prefix, fixture name;
* :mod:`.names`: generated names to prefixed AWS names and back, within 256 characters;
* :mod:`.fence`: what a run may mutate in a shared account (and KeyWouldPinStoreError);
* :mod:`.pacing`, :mod:`.sender`: 5 requests/s per operation, throttling retried;
* :mod:`.fixture`: the long-lived ``kscheck_fixture`` store that holds every run's keys;
* :mod:`.listing`, :mod:`.quota`: the account's stores and the free-quota pre-check;
* :mod:`.retire`: Disconnect, settle, Delete; wait until deleted stores are unlisted;
* :mod:`.sweep`: leftovers of earlier runs (``kscheck sweep``);
* :mod:`.clients`, :mod:`.target`: the clients and :class:`AwsTarget` that composes it all.

>>> from conformance.targets.aws import AwsFenceError, parse_allow_list
>>> sorted(parse_allow_list("111122223333 444455556666"))
['111122223333', '444455556666']
"""

from __future__ import annotations

from conformance.targets.aws.account import (
    ALLOW_LIST_VARIABLE,
    FIXTURE_STORE_NAME,
    OPT_IN_VARIABLE,
    AwsFenceError,
    parse_allow_list,
    verified_account,
)
from conformance.targets.aws.fence import KeyWouldPinStoreError
from conformance.targets.aws.fixture import FixtureConfig, FixtureError
from conformance.targets.aws.pacing import OperationPacer
from conformance.targets.aws.quota import QuotaError
from conformance.targets.aws.target import AwsTarget

__all__ = [
    "ALLOW_LIST_VARIABLE",
    "FIXTURE_STORE_NAME",
    "OPT_IN_VARIABLE",
    "AwsFenceError",
    "AwsTarget",
    "FixtureConfig",
    "FixtureError",
    "KeyWouldPinStoreError",
    "OperationPacer",
    "QuotaError",
    "parse_allow_list",
    "verified_account",
]
