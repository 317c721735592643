"""CreateCustomKeyStore: required members per type and connectivity, grammar, owner, checks.

>>> from conformance.model.state import ModelState
>>> from conformance.model.world import World
>>> plan = plan_create(World(), ModelState(), {"CustomKeyStoreName": "a"}, True)
>>> sorted(plan.expectation.errors)[:2], plan.expectation.open_questions
(['CloudHsmClusterNotFoundException', 'IncorrectTrustAnchorException'], ('OQ-12', 'OQ-21'))
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from conformance.model import backend, gate
from conformance.model.outcomes import VALIDATION_EXCEPTION, Mismatch, Outcome, RuleVerdict
from conformance.model.records import HSM, PUBLIC, VPC, XKS, StoreRecord
from conformance.model.state import ModelState, Plan
from conformance.model.uniqueness import permitted_sharing, quota_verdicts, uniqueness_verdicts
from conformance.model.world import World
from conformance.spec import botocore_model

OPERATION = "CreateCustomKeyStore"
OWNER = "XksProxyVpcEndpointServiceOwner"
SERVICE = "XksProxyVpcEndpointServiceName"
HSM_MEMBERS = ("CloudHsmClusterId", "TrustAnchorCertificate", "KeyStorePassword")
XKS_MEMBERS = (
    "XksProxyConnectivity",
    "XksProxyUriEndpoint",
    "XksProxyUriPath",
    "XksProxyAuthenticationCredential",
)

MISSING_ALSO: Mapping[str, frozenset[str]] = {
    # OQ-12: besides ValidationException, the modeled errors a missing member plausibly causes
    "CloudHsmClusterId": frozenset({"CloudHsmClusterNotFoundException"}),
    "TrustAnchorCertificate": frozenset({"IncorrectTrustAnchorException"}),
    "XksProxyConnectivity": frozenset({backend.INVALID_CONFIGURATION}),
    "XksProxyUriEndpoint": frozenset({backend.UNREACHABLE, backend.INVALID_CONFIGURATION}),
    "XksProxyUriPath": frozenset({backend.INVALID_CONFIGURATION}),
    "XksProxyAuthenticationCredential": frozenset({backend.BAD_CREDENTIAL}),
    SERVICE: frozenset({backend.SERVICE_NOT_FOUND, backend.INVALID_CONFIGURATION}),
}

_IP_HOST = re.compile(r"https://[0-9.]+", re.ASCII)
LATEST_PATH_SUFFIX = "/kms/xks/v1"


def missing_verdict(rid: str, member: str) -> RuleVerdict:
    """A type-required member is missing: ValidationException or a plausible error (OQ-12)."""
    errors = frozenset({VALIDATION_EXCEPTION}) | MISSING_ALSO.get(member, frozenset())
    return RuleVerdict(rid, errors, False, ("OQ-12",), member, "required for this store type")


def not_applicable_verdict(rid: str, member: str, oq: str, xks: bool) -> RuleVerdict:
    """A member that does not apply: accepted and ignored, or refused (OQ-1/2/13)."""
    errors = {VALIDATION_EXCEPTION} | ({backend.INVALID_CONFIGURATION} if xks else set())
    return RuleVerdict(rid, frozenset(errors), True, (oq,), member, "does not apply")


def grammar_verdicts(request: Mapping[str, Any]) -> list[RuleVerdict]:
    """Beyond the regex: an FQDN host (CKS-XKS-001) and a ``/kms/xks/v1`` path (OQ-15)."""
    found: list[RuleVerdict] = []
    endpoint, path = request.get("XksProxyUriEndpoint"), request.get("XksProxyUriPath")
    if isinstance(endpoint, str) and _IP_HOST.fullmatch(endpoint):
        errors = {VALIDATION_EXCEPTION, backend.INVALID_CONFIGURATION, backend.UNREACHABLE}
        found.append(
            RuleVerdict(
                "CKS-XKS-001",
                frozenset(errors),
                True,
                (),
                "XksProxyUriEndpoint",
                "an IP address, not an FQDN",
            )
        )
    if isinstance(path, str) and not path.endswith(LATEST_PATH_SUFFIX):
        errors = {VALIDATION_EXCEPTION, backend.INVALID_CONFIGURATION}
        found.append(
            RuleVerdict(
                "CKS-XKS-002",
                frozenset(errors),
                True,
                ("OQ-15",),
                "XksProxyUriPath",
                "not /kms/xks/v1",
            )
        )
    return found


def candidate_store(
    world: World, request: Mapping[str, Any], store_id: str, tick: int
) -> StoreRecord:
    """The store a successful Create records (members that do not apply are ignored)."""
    store_type = request.get("CustomKeyStoreType", HSM)
    name = request.get("CustomKeyStoreName", "")
    if store_type != XKS:
        return StoreRecord(
            store_id,
            name,
            HSM,
            tick,
            cluster_id=request.get("CloudHsmClusterId"),
            trust_anchor=request.get("TrustAnchorCertificate"),
            key_store_password=request.get("KeyStorePassword"),
        )
    credential = request.get("XksProxyAuthenticationCredential", {})
    vpc = request.get("XksProxyConnectivity") == VPC
    owner = request.get(OWNER)
    return StoreRecord(
        store_id,
        name,
        XKS,
        tick,
        connectivity=request.get("XksProxyConnectivity", PUBLIC),
        uri_endpoint=request.get("XksProxyUriEndpoint"),
        uri_path=request.get("XksProxyUriPath"),
        access_key_id=credential.get("AccessKeyId"),
        raw_secret_access_key=credential.get("RawSecretAccessKey"),
        service_name=request.get(SERVICE) if vpc else None,
        service_owner=(owner or world.account_id) if vpc else None,
        owner_explicit=vpc and owner not in (None, world.account_id),  # OQ-3
        owner_omitted=vpc and owner is None,
    )


def _type_verdicts(world: World, request: Mapping[str, Any]) -> list[RuleVerdict]:
    store_type = request.get("CustomKeyStoreType", HSM)
    found: list[RuleVerdict] = []
    if store_type == HSM:
        found += [missing_verdict("CKS-CREATE-003", m) for m in HSM_MEMBERS if m not in request]
        found += [
            not_applicable_verdict("CKS-CREATE-006", m, "OQ-13", False)
            for m in (*XKS_MEMBERS, SERVICE)
            if m in request
        ]
        if OWNER in request:
            found.append(not_applicable_verdict("CKS-OWNER-004", OWNER, "OQ-2", False))
        return found
    found += [missing_verdict("CKS-CREATE-004", m) for m in XKS_MEMBERS if m not in request]
    found += [
        not_applicable_verdict("CKS-CREATE-006", m, "OQ-13", False)
        for m in HSM_MEMBERS
        if m in request
    ]
    connectivity = request.get("XksProxyConnectivity")
    if connectivity == VPC and SERVICE not in request:
        found.append(missing_verdict("CKS-CREATE-005", SERVICE))
    if connectivity == PUBLIC:
        if SERVICE in request:
            found.append(not_applicable_verdict("CKS-CREATE-006", SERVICE, "OQ-13", True))
        if OWNER in request:
            found.append(not_applicable_verdict("CKS-OWNER-003", OWNER, "OQ-1", True))
    return found


def _backend_verdicts(world: World, request: Mapping[str, Any]) -> list[RuleVerdict]:
    store_type = request.get("CustomKeyStoreType", HSM)
    if store_type == HSM:
        if "CloudHsmClusterId" not in request:
            return []
        return backend.cluster_verdicts(
            world, request["CloudHsmClusterId"], request.get("TrustAnchorCertificate", "")
        )
    if any(m not in request for m in XKS_MEMBERS):
        return []
    credential = request["XksProxyAuthenticationCredential"]
    health = backend.proxy_health_verdicts(
        world,
        request["XksProxyUriEndpoint"],
        request["XksProxyUriPath"],
        credential.get("AccessKeyId", ""),
        credential.get("RawSecretAccessKey", ""),
    )
    if request["XksProxyConnectivity"] != VPC:
        return health
    if SERVICE not in request:
        return backend.possibly(health, "OQ-7")
    service = request[SERVICE]
    owner = request.get(OWNER, world.account_id)
    vpc = backend.vpc_service_verdicts(world, service, owner, request["XksProxyUriEndpoint"])
    return backend.partition_verdicts(world, service) + backend.possibly(vpc + health, "OQ-7")


@dataclass(frozen=True)
class CreatedStoreId:
    """Checks Create's response: a fresh ``CustomKeyStoreId`` within its botocore shape."""

    taken: frozenset[str]

    def mismatches(self, response: Mapping[str, Any]) -> tuple[Mismatch, ...]:
        """Why the response is not acceptable (empty when it is), under CKS-CREATE-007/009."""
        value = response.get("CustomKeyStoreId")
        if not isinstance(value, str):
            return (Mismatch("CKS-CREATE-007", "CustomKeyStoreId", "a string", repr(value)),)
        shape = botocore_model.shape_constraint("CustomKeyStoreIdType")
        low, high = shape.min_length or 0, shape.max_length or len(value)
        if not low <= len(value) <= high:
            return (
                Mismatch(
                    "CKS-CREATE-007",
                    "CustomKeyStoreId",
                    f"length {low}..{high}",
                    f"length {len(value)}",
                ),
            )
        if value in self.taken:
            return (
                Mismatch("CKS-CREATE-009", "CustomKeyStoreId", "a new ID", f"{value!r} (taken)"),
            )
        return ()

    def rules_judged(self, response: Mapping[str, Any]) -> tuple[str, ...]:
        """Create's answer always shows a new ID (CKS-CREATE-007, CKS-CREATE-009)."""
        return ("CKS-CREATE-007", "CKS-CREATE-009")


def plan_create(world: World, state: ModelState, request: object, client_validation: bool) -> Plan:
    """Predict CreateCustomKeyStore (CKS-CREATE-*, -XKS-*, -VPC-*, -OWNER-*, -UNIQ-*, -QUOTA)."""
    refused, (clean, shape) = gate.admit(OPERATION, request, client_validation=client_validation)
    if refused is not None:
        return refused
    rules: list[RuleVerdict] = []
    success_rules: list[str] = []  # the most specific first (they take the blame)
    store_type = clean.get("CustomKeyStoreType", HSM)
    if store_type in (HSM, XKS) and "CustomKeyStoreName" in clean:
        rules += _type_verdicts(world, clean) + grammar_verdicts(clean)
        candidate = candidate_store(world, clean, "", 0)
        changed = {"create", "name", "uri", "service", "cluster"}
        rules += uniqueness_verdicts(world, state.stores.values(), candidate, changed)
        success_rules += permitted_sharing(state.stores.values(), candidate, changed)
        if "CustomKeyStoreType" not in clean:
            # accepted with CloudHSM members and no type: the type defaulted to CloudHSM
            success_rules.append("CKS-CREATE-002")
        cluster = world.cluster(str(clean.get("CloudHsmClusterId", "")))
        if (
            store_type == HSM
            and cluster
            and clean.get("KeyStorePassword")
            not in (
                None,
                cluster.kmsuser_password,
            )
        ):
            # KMS is only told the password: a wrong one is accepted and fails at Connect
            success_rules.insert(0, "CKS-HSM-006")
        rules += quota_verdicts(list(state.stores.values()), state.store_quota)
        rules += _backend_verdicts(world, clean)

    def on_success(target: ModelState, outcome: Outcome) -> None:
        store_id = str(outcome.response.get("CustomKeyStoreId") or target.allocate_store_id())
        target.stores[store_id] = candidate_store(world, clean, store_id, target.next_tick())

    return gate.conclude(
        shape,
        rules,
        requirement_ids=(*success_rules, "CKS-CREATE-007"),
        response=CreatedStoreId(frozenset(state.stores)),
        on_success=on_success,
    )
