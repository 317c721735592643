"""The catalogue of permitted variants of the fake XKS proxy: the fault catalogue's mirror.

A fault copies a defect; a variant copies a behaviour the spec *allows* and a real proxy may
well have. ``kscheck certify --variant NAME`` must stay CERTIFIED for every variant (zero
FAIL, zero ERROR): it is how the suite shows that it does not fail a conformant proxy for
following the spec in another way than the fake does. Each variant cites where the spec
allows it (tags of the digest ``/work/shared/spec/xks-proxy-api.md``) and says how certify
grades it.

The behaviour itself is described here as data (:class:`ProxyBehaviour`), next to the
correct code path of ``conformance.xks.app`` rather than threaded through it: the app reads a
handful of seams (IV length, metadata source, check order, ...) whose defaults are the
fake's own spec-exact choices.

>>> from conformance.xks.variants import VARIANTS, validate_variant_names, behaviour_for
>>> VARIANTS["iv_16_bytes"].spec_reference
'[SPEC] §Encrypt (initializationVector: 12 or 16 bytes); digest §3'
>>> behaviour_for(validate_variant_names(["iv_16_bytes"])).iv_bytes
16
>>> validate_variant_names(["validation_first", "authentication_first"])
Traceback (most recent call last):
  ...
conformance.xks.variants.VariantConflictError: variants authentication_first and \
validation_first contradict each other (the order of validation and authentication)
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from conformance.xks.config import FakeKey


@dataclass(frozen=True)
class Variant:
    """One permitted behaviour: what it does, where the spec allows it, how it is graded.

    ``conflicts`` names variants it cannot be combined with, and ``conflict_reason`` says
    why (both sides list each other).

    >>> Variant("x", "does x", "[SPEC] §1", "PASS").conflicts
    frozenset()
    """

    name: str
    summary: str
    spec_reference: str
    grading: str
    conflicts: frozenset[str] = frozenset()
    conflict_reason: str = ""


_ORDER = "the order of validation and authentication"
_METADATA = "whether ciphertextMetadata is returned"

_CATALOG: tuple[Variant, ...] = (
    Variant(
        "iv_16_bytes",
        "Encrypt uses 16-byte initialization vectors instead of 12",
        "[SPEC] §Encrypt (initializationVector: 12 or 16 bytes); digest §3",
        "PASS: XKS-CRYPT-003 allows 12 or 16 bytes; every check decrypts with the IV returned",
    ),
    Variant(
        "metadata_20_bytes",
        "Encrypt returns a fresh 20-byte ciphertextMetadata per call, bound by the tag",
        "[SPEC] §ciphertextMetadata (optional, at most 20 bytes, tag-bound); digest §3-4",
        "PASS: checks send back the metadata the proxy returned; TAMPER-003/004 still apply",
        frozenset({"no_ciphertext_metadata"}),
        _METADATA,
    ),
    Variant(
        "no_ciphertext_metadata",
        "Encrypt returns no ciphertextMetadata at all",
        "[SPEC] §Encrypt (ciphertextMetadata is optional); digest §2",
        "PASS; XKS-TAMPER-004 is SKIPPED (no metadata to move into the AAD)",
        frozenset({"metadata_20_bytes"}),
        _METADATA,
    ),
    Variant(
        "empty_request_id_refused",
        "an empty kmsRequestId is refused as a missing field: 400 ValidationException",
        "[SPEC] §requestMetadata (kmsRequestId is a required string; KMS sends a UUID)",
        "INFO on XKS-VAL-014; XKS-VAL-010 (any non-empty format) still PASS",
    ),
    Variant(
        "throttles_bursts",
        "a tenant is served on 4 connections at once: requests on newer ones get 429 "
        "ThrottlingException",
        "[SPEC] §Errors (429 ThrottlingException: rate too high, quota per prefix); digest §6-7",
        "PASS: XKS-PERF-004 accepts 429 ThrottlingException under a burst",
    ),
    Variant(
        "unsupported_above_minimum",
        "plaintext or AAD above the spec minimum sizes gets 501 UnsupportedOperationException",
        "[SPEC] §Errors (501 for a size above what the implementation supports); digest §3, §8.3",
        "PASS: XKS-VAL-012 accepts 200, 400 ValidationException or 501",
    ),
    Variant(
        "reference_aad_encoding",
        "the HSM AAD uses SHA-256(aad) as the reference proxy does (empty AAD differs from none)",
        "[SPEC] §AAD construction is a SHOULD; [REF] aws-kms-xks-proxy; digest §8.6, §10",
        "INFO on XKS-CRYPT-013 (empty vs absent AAD is an open question)",
    ),
    Variant(
        "extra_response_fields",
        "every JSON response, success or error, carries an extra vendor field",
        "[SPEC] §API operations names the fields KMS reads; none forbids more; digest §2",
        "INFO on XKS-HTTP-008; the schema checks (META-001, CRYPT-001, HEALTH-001) still PASS",
    ),
    Variant(
        "no_error_message",
        "error bodies carry errorName only, never errorMessage",
        "[SPEC] §Errors (errorMessage is optional); [REF] never sends it; digest §6, §10",
        "PASS: XKS-ERR-001/002/003 need only errorName and the matching status",
    ),
    Variant(
        "prefix_auth_before_routing",
        "credentials are looked up by URI prefix before routing: an unknown prefix gets 401",
        "[SPEC] §URI path prefix (one tenant per prefix) and App. A; check order open, digest §8.4",
        "PASS: XKS-HTTP-005 accepts 401 AuthenticationFailedException where the prefix "
        "before /kms/xks/ is not the tenant's; paths under the prefix still need 404",
        frozenset({"validation_first"}),
        _ORDER,
    ),
    Variant(
        "health_cached_60s",
        "GetHealthStatus answers from a cached deep check for up to 60 s",
        "[SPEC] §GetHealthStatus (a cached result at most 60 s old is allowed); digest §2",
        "PASS: XKS-HEALTH-005 looks again once 60 s have passed on the proxy's clock",
    ),
    Variant(
        "validation_first",
        "the body is validated (400) before the signature is verified (401)",
        "[SPEC] check order unspecified; digest §8.4",
        "PASS: negative SigV4 checks send bodies valid for the operation",
        frozenset({"authentication_first", "prefix_auth_before_routing"}),
        _ORDER,
    ),
    Variant(
        "authentication_first",
        "the signature is verified (401) before the body is validated (the fake's default)",
        "[SPEC] check order unspecified; digest §8.4",
        "PASS: validation checks send correctly signed requests",
        frozenset({"validation_first"}),
        _ORDER,
    ),
    Variant(
        "extra_key_usages",
        "keys report WRAP and UNWRAP besides ENCRYPT and DECRYPT",
        "[SPEC] §GetKeyMetadata (keyUsage: up to 10 values, may hold WRAP, SIGN, ...)",
        "PASS: XKS-META-001/003 need ENCRYPT and DECRYPT among at most 10 values",
    ),
    Variant(
        "case_sensitive_key_ids",
        "the proxy also holds keys FOO, Foo, A, a, 0 and 1 (ids are case-sensitive and short)",
        "[SPEC] §externalKeyId (opaque, 1-128 chars of A-Za-z0-9._-); digest §1",
        "PASS: XKS-META-005 draws unknown ids as kscheck-no-such-key- plus a UUID, which no "
        "vendor key can be",
    ),
    Variant(
        "key_arn_authorization",
        "a kmsKeyArn-based policy answers 403 AccessDeniedException to principals it does not know",
        "[SPEC] §Errors (403 AccessDeniedException: secondary authorization, not for health); "
        "digest §6",
        "INFO on XKS-AUTH-018 where a check sends an unknown principal (XKS-VAL-011's "
        "2048-char role ARN), which leaves XKS-VAL-011 SKIPPED (not reached); "
        "XKS-HEALTH-003 still PASS",
    ),
)

#: Every variant by name, in catalogue order.
VARIANTS: Mapping[str, Variant] = MappingProxyType({v.name: v for v in _CATALOG})


class UnknownVariantError(ValueError):
    """A variant name that is not in :data:`VARIANTS`; the message lists the valid names."""


class VariantConflictError(ValueError):
    """Two chosen variants contradict each other (e.g. both check orders)."""


def validate_variant_names(names: Iterable[str]) -> frozenset[str]:
    """Return ``names`` as a frozenset; raise for unknown names or a contradictory set.

    >>> sorted(validate_variant_names(["iv_16_bytes", "throttles_bursts"]))
    ['iv_16_bytes', 'throttles_bursts']
    """
    chosen = frozenset(names)
    unknown = sorted(chosen - VARIANTS.keys())
    if unknown:
        raise UnknownVariantError(
            f"unknown variant name(s): {', '.join(unknown)}; valid names: {', '.join(VARIANTS)}"
        )
    for name in sorted(chosen):
        clash = sorted(VARIANTS[name].conflicts & chosen)
        if clash:
            raise VariantConflictError(
                f"variants {name} and {clash[0]} contradict each other "
                f"({VARIANTS[name].conflict_reason})"
            )
    return chosen


def maximal_compatible_set() -> frozenset[str]:
    """The largest set of variants that can run together: each variant in catalogue order
    unless it conflicts with one already taken.

    >>> s = maximal_compatible_set()
    >>> "iv_16_bytes" in s and "authentication_first" in s and "validation_first" not in s
    True
    """
    taken: set[str] = set()
    for variant in _CATALOG:
        if not variant.conflicts & taken:
            taken.add(variant.name)
    return frozenset(validate_variant_names(taken))


def markdown_table() -> str:
    """The catalogue as the README's "what certify accepts" table (kept equal by a test).

    >>> markdown_table().splitlines()[0]
    '| variant | behaviour | spec reference | how certify grades it |'
    """
    rows = [
        "| variant | behaviour | spec reference | how certify grades it |",
        "|---|---|---|---|",
    ]
    for v in _CATALOG:
        clash = f" (not with `{'`, `'.join(sorted(v.conflicts))}`)" if v.conflicts else ""
        rows.append(f"| `{v.name}` | {v.summary}{clash} | {v.spec_reference} | {v.grading} |")
    return "\n".join(rows)


# ------------------------------------------------------------------------- behaviour
#: The field ``extra_response_fields`` adds to every JSON response.
EXTRA_FIELD = ("vendorTraceId", "kscheck-variant")
#: Usages ``extra_key_usages`` adds to every key that has any usage.
EXTRA_USAGES = ("WRAP", "UNWRAP")
#: Keys ``case_sensitive_key_ids`` adds: case twins of the default key and short ids.
CASE_SENSITIVE_KEYS: tuple[FakeKey, ...] = tuple(
    FakeKey(key_id) for key_id in ("FOO", "Foo", "A", "a", "0", "1")
)
#: The principal and key ARNs the ``key_arn_authorization`` policy knows: the official test
#: client's fixed requestMetadata (digest §9, whose key ARN reads ``:/key/``), which the
#: checks and ``XksClient`` send too, and the well-formed spelling of that key ARN.
KNOWN_PRINCIPAL_ARN = "arn:aws:iam::123456789012:user/Alice"
KNOWN_KEY_ARNS = (
    "arn:aws:kms:us-east-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "arn:aws:kms:us-east-2:123456789012:/key/1234abcd-12ab-34cd-56ef-1234567890ab",
)
#: Maximum age of a cached health result the spec allows [SPEC §GetHealthStatus].
HEALTH_CACHE_SECONDS = 60.0
#: Connections (that have sent a request) served at once under ``throttles_bursts``; the
#: certify burst opens 8 besides the main one, sequential checks at most 2 or 3.
THROTTLE_CONNECTIONS = 4
METADATA_BYTES = 20


class HealthCache:
    """A health result kept for at most ``max_age`` seconds of its own clock.

    The clock is monotonic plus an offset that :meth:`elapse` moves forward, so a test (or
    the certify check, through the fake's EKM control) can let the cache age without
    waiting a minute.

    >>> cache = HealthCache(60.0)
    >>> cache.get(lambda: {"n": 1}), cache.get(lambda: {"n": 2})
    ({'n': 1}, {'n': 1})
    >>> cache.elapse(61.0); cache.get(lambda: {"n": 3})
    {'n': 3}
    """

    def __init__(self, max_age: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_age = max_age
        self._clock = clock
        self._offset = 0.0
        self._lock = threading.Lock()
        self._value: dict[str, Any] | None = None
        self._taken_at = 0.0

    def elapse(self, seconds: float) -> None:
        """Move this cache's clock forward."""
        with self._lock:
            self._offset += seconds

    def get(self, compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """The cached result while it is young enough, else a fresh one from `compute`."""
        with self._lock:
            now = self._clock() + self._offset
            if self._value is None or now - self._taken_at > self.max_age:
                self._value, self._taken_at = compute(), now
            return dict(self._value)


@dataclass(frozen=True)
class ProxyBehaviour:
    """The seams of the fake proxy that variants set; the defaults are the fake's own
    spec-exact choices.

    >>> ProxyBehaviour().iv_bytes, ProxyBehaviour().validate_before_authenticating
    (12, False)
    """

    iv_bytes: int = 12
    metadata: str = "configured"  # "configured", "fresh_20_bytes" or "none"
    refuse_empty_request_id: bool = False
    throttle_connections: int | None = None
    oversize_status: str = "ValidationException"
    aad_encoding: str = "spec"  # "spec" or "reference"
    extra_field: tuple[str, str] | None = None
    error_message: bool = True
    authenticate_before_routing: bool = False
    health_cache_seconds: float | None = None
    validate_before_authenticating: bool = False
    extra_usages: tuple[str, ...] = ()
    extra_keys: tuple[FakeKey, ...] = ()
    known_principals: Mapping[str, frozenset[str]] | None = field(default=None)

    def metadata_for_encrypt(self, configured: bytes | None) -> bytes | None:
        """The ciphertextMetadata of one Encrypt under this behaviour."""
        if self.metadata == "none":
            return None
        if self.metadata == "fresh_20_bytes":
            return b"kv=1;" + os.urandom(METADATA_BYTES - 5).hex().encode()[: METADATA_BYTES - 5]
        return configured


def behaviour_for(variants: frozenset[str]) -> ProxyBehaviour:
    """The :class:`ProxyBehaviour` of a validated set of variant names.

    >>> behaviour_for(frozenset({"no_error_message"})).error_message
    False
    """
    settings: dict[str, Any] = {}
    if "iv_16_bytes" in variants:
        settings["iv_bytes"] = 16
    if "metadata_20_bytes" in variants:
        settings["metadata"] = "fresh_20_bytes"
    if "no_ciphertext_metadata" in variants:
        settings["metadata"] = "none"
    if "empty_request_id_refused" in variants:
        settings["refuse_empty_request_id"] = True
    if "throttles_bursts" in variants:
        settings["throttle_connections"] = THROTTLE_CONNECTIONS
    if "unsupported_above_minimum" in variants:
        settings["oversize_status"] = "UnsupportedOperationException"
    if "reference_aad_encoding" in variants:
        settings["aad_encoding"] = "reference"
    if "extra_response_fields" in variants:
        settings["extra_field"] = EXTRA_FIELD
    if "no_error_message" in variants:
        settings["error_message"] = False
    if "prefix_auth_before_routing" in variants:
        settings["authenticate_before_routing"] = True
    if "health_cached_60s" in variants:
        settings["health_cache_seconds"] = HEALTH_CACHE_SECONDS
    if "validation_first" in variants:
        settings["validate_before_authenticating"] = True
    if "extra_key_usages" in variants:
        settings["extra_usages"] = EXTRA_USAGES
    if "case_sensitive_key_ids" in variants:
        settings["extra_keys"] = CASE_SENSITIVE_KEYS
    if "key_arn_authorization" in variants:
        settings["known_principals"] = MappingProxyType(
            {arn: frozenset({KNOWN_PRINCIPAL_ARN}) for arn in KNOWN_KEY_ARNS}
        )
    return ProxyBehaviour(**settings)
