"""Invalid CreateCustomKeyStore configurations: one mutation of a valid setup each.

Every example starts from a `StoreSetup` (a valid configuration and a world that serves
it) and changes exactly one thing, recorded in a `Violation`:

- a member value breaks its botocore shape (`strategies.members.invalid_values`);
- an unknown member name is added (botocore refuses it on the client side);
- a member required for the store type is left out (OQ-12: ValidationException or the error
  of the check that member feeds, spec digest §4.1, §4.3);
- a member that does not apply to the type is added (OQ-13, OQ-1, OQ-2: may be ignored);
- CustomKeyStoreType is left out of an XKS configuration (it then defaults to AWS_CLOUDHSM).

>>> from hypothesis import find
>>> bad = find(invalid_store_configs(), lambda b: b.violation.rule == "required_for_type")
>>> bad.violation.open_questions
('OQ-12',)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from hypothesis import strategies as st

from conformance.model.world import World
from conformance.spec.botocore_model import input_constraints
from strategies.configs import (
    CLOUDHSM,
    CREATE,
    HSM_MEMBERS,
    PUBLIC_ENDPOINT,
    VPC_ENDPOINT_SERVICE,
    VPC_MEMBERS,
    VPC_OPTIONAL_MEMBERS,
    XKS_MEMBERS,
    cloudhsm_store_configs,
    store_kind,
    xks_public_store_configs,
    xks_vpc_store_configs,
)
from strategies.members import invalid_values, valid_values
from strategies.violations import (
    MISSING,
    PARAM_VALIDATION_ERROR,
    VALIDATION_EXCEPTION,
    ReplayableRepr,
    Violation,
    with_member,
)
from strategies.worlds import StoreSetup, store_setups

UNREACHABLE: Final = "XksProxyUriUnreachableException"
PROXY_INVALID_CONFIGURATION: Final = "XksProxyInvalidConfigurationException"

MISSING_MEMBER_ALSO: Final[dict[str, frozenset[str]]] = {
    # OQ-12: besides ValidationException, the error of the check the absent member feeds (§4.3)
    "CloudHsmClusterId": frozenset({"CloudHsmClusterNotFoundException"}),
    "TrustAnchorCertificate": frozenset({"IncorrectTrustAnchorException"}),
    "KeyStorePassword": frozenset(),
    "XksProxyConnectivity": frozenset({PROXY_INVALID_CONFIGURATION}),
    "XksProxyUriEndpoint": frozenset({UNREACHABLE, PROXY_INVALID_CONFIGURATION}),
    "XksProxyUriPath": frozenset({PROXY_INVALID_CONFIGURATION}),
    "XksProxyAuthenticationCredential": frozenset(
        {"XksProxyIncorrectAuthenticationCredentialException"}
    ),
    "XksProxyVpcEndpointServiceName": frozenset(
        {"XksProxyVpcEndpointServiceNotFoundException", PROXY_INVALID_CONFIGURATION}
    ),
}

MISSING_FOR_TYPE: Final = {
    CLOUDHSM: ("CKS-CREATE-003", HSM_MEMBERS),
    PUBLIC_ENDPOINT: ("CKS-CREATE-004", XKS_MEMBERS),
    VPC_ENDPOINT_SERVICE: ("CKS-CREATE-005", VPC_MEMBERS),
}
"""Requirement and members a store kind needs (digest §4.1); VPC also needs XKS_MEMBERS."""

NOT_APPLICABLE: Final = {
    CLOUDHSM: (*XKS_MEMBERS, *VPC_MEMBERS, *VPC_OPTIONAL_MEMBERS),
    PUBLIC_ENDPOINT: (*HSM_MEMBERS, *VPC_MEMBERS, *VPC_OPTIONAL_MEMBERS),
    VPC_ENDPOINT_SERVICE: HSM_MEMBERS,
}
"""Members that do not apply to a store kind (digest §4.1 "n/a")."""

UNKNOWN_MEMBER_NAMES: Final = ("customKeyStoreName", "XksProxyVpcEndpointServiceOwnerId", "Tags")


@dataclass(frozen=True)
class InvalidStoreSetup(ReplayableRepr):
    """A configuration one mutation away from the valid `setup.config`, and what was broken.

    `world` is the world that serves the valid configuration.
    """

    setup: StoreSetup
    config: dict[str, Any]
    violation: Violation

    @property
    def world(self) -> World:
        """The world in which the unmutated configuration would be accepted."""
        return self.setup.world


def missing_member_violation(member: str, requirement_id: str) -> Violation:
    """The violation of leaving out `member` where the store kind requires it (OQ-12)."""
    errors = frozenset({VALIDATION_EXCEPTION}) | MISSING_MEMBER_ALSO.get(member, frozenset())
    return Violation(member, "required_for_type", requirement_id, errors, False, ("OQ-12",))


def not_applicable_violation(member: str, kind: str) -> Violation:
    """The violation of sending `member` to a kind it does not apply to (OQ-13/OQ-1/OQ-2)."""
    if member in VPC_OPTIONAL_MEMBERS:
        rid, oq = ("CKS-OWNER-004", "OQ-2") if kind == CLOUDHSM else ("CKS-OWNER-003", "OQ-1")
    else:
        rid, oq = "CKS-CREATE-006", "OQ-13"
    errors = {VALIDATION_EXCEPTION}
    if kind == PUBLIC_ENDPOINT and member in (*VPC_MEMBERS, *VPC_OPTIONAL_MEMBERS):
        errors.add(PROXY_INVALID_CONFIGURATION)
    return Violation(member, "not_applicable", rid, frozenset(errors), True, (oq,))


def _kinds_carrying(member: str) -> st.SearchStrategy[dict[str, Any]] | None:
    """Configurations that always carry top-level `member` (None: any kind does)."""
    if member in HSM_MEMBERS:
        return cloudhsm_store_configs()
    if member in VPC_MEMBERS:
        return xks_vpc_store_configs()
    if member in VPC_OPTIONAL_MEMBERS:
        return xks_vpc_store_configs(with_owner=True)
    if member in XKS_MEMBERS or member == "CustomKeyStoreType":
        return st.one_of(xks_public_store_configs(), xks_vpc_store_configs())
    return None


@st.composite
def shape_violations(draw: st.DrawFn, path: str | None = None) -> InvalidStoreSetup:
    """A valid setup with one member value (`path`, or any) breaking its botocore shape."""
    path = path or draw(st.sampled_from(sorted(input_constraints(CREATE))))
    setup: StoreSetup = draw(store_setups(_kinds_carrying(path.split(".")[0])))
    bad = draw(invalid_values(CREATE, path))
    return InvalidStoreSetup(setup, with_member(setup.config, path, bad.value), bad.violation)


@st.composite
def unknown_member_violations(draw: st.DrawFn) -> InvalidStoreSetup:
    """A valid setup plus a member name botocore does not know (client-side refusal)."""
    setup: StoreSetup = draw(store_setups())
    name = draw(st.sampled_from(UNKNOWN_MEMBER_NAMES))
    violation = Violation(
        name, "unknown_member", "CKS-ERR-002", frozenset({PARAM_VALIDATION_ERROR})
    )
    return InvalidStoreSetup(setup, {**setup.config, name: "x"}, violation)


@st.composite
def missing_member_violations(draw: st.DrawFn) -> InvalidStoreSetup:
    """A valid setup without one member its store kind requires (OQ-12)."""
    setup: StoreSetup = draw(store_setups())
    kind = store_kind(setup.config)
    rid, members = MISSING_FOR_TYPE[kind]
    if kind == VPC_ENDPOINT_SERVICE:
        choices = [(rid, m) for m in members] + [
            (MISSING_FOR_TYPE[PUBLIC_ENDPOINT][0], m) for m in XKS_MEMBERS
        ]
    else:
        choices = [(rid, m) for m in members]
    rid, member = draw(st.sampled_from(choices))
    violation = missing_member_violation(member, rid)
    return InvalidStoreSetup(setup, with_member(setup.config, member, MISSING), violation)


@st.composite
def not_applicable_violations(draw: st.DrawFn) -> InvalidStoreSetup:
    """A valid setup plus a (shape-valid) member that does not apply to its kind (OQ-13)."""
    setup: StoreSetup = draw(store_setups())
    kind = store_kind(setup.config)
    member = draw(st.sampled_from(NOT_APPLICABLE[kind]))
    value = draw(valid_values(CREATE, member))
    violation = not_applicable_violation(member, kind)
    return InvalidStoreSetup(setup, {**setup.config, member: value}, violation)


@st.composite
def omitted_type_violations(draw: st.DrawFn) -> InvalidStoreSetup:
    """An XKS configuration without CustomKeyStoreType: it is taken as AWS_CLOUDHSM (OQ-12)."""
    setup: StoreSetup = draw(store_setups().filter(lambda s: store_kind(s.config) != CLOUDHSM))
    errors = frozenset().union(
        *(missing_member_violation(m, "").expected_errors for m in HSM_MEMBERS)
    )
    violation = Violation(
        "CustomKeyStoreType", "required_for_type", "CKS-CREATE-003", errors, False, ("OQ-12",)
    )
    config = with_member(setup.config, "CustomKeyStoreType", MISSING)
    return InvalidStoreSetup(setup, config, violation)


def invalid_store_configs() -> st.SearchStrategy[InvalidStoreSetup]:
    """Any `InvalidStoreSetup`: shape, unknown member, missing, not applicable, omitted type."""
    return st.one_of(
        shape_violations(),
        shape_violations(),
        shape_violations(),
        unknown_member_violations(),
        missing_member_violations(),
        not_applicable_violations(),
        omitted_type_violations(),
    )
