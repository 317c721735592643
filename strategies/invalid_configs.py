"""Invalid CreateCustomKeyStore configurations: one mutation of a valid setup each.

Every example starts from a `StoreSetup` (a valid configuration and a world that serves
it) and changes exactly one thing, recorded in a `Violation`:

- a member value breaks its botocore shape (`strategies.members.invalid_values`);
- an unknown member name is added (botocore refuses it on the client side);
- a member required for the store type is left out (OQ-12: ValidationException or the error
  of the check that member feeds, spec digest §4.1, §4.3);
- a member that does not apply to the type is added (OQ-13, OQ-1, OQ-2: may be ignored);
- CustomKeyStoreType is left out of an XKS configuration (it then defaults to AWS_CLOUDHSM);
- grammar beyond the regex: an IP address host (CKS-XKS-001), a path version other than
  the documented one (OQ-15), a service name of the other partition (OQ-27);
- two shape violations at once (any of their errors, OQ-21), or a client-side violation
  sent with botocore's validation off (KMS refuses it, OQ-10).

>>> from strategies import first_example
>>> bad = first_example(missing_member_violations())
>>> bad.violation.open_questions
('OQ-12',)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from hypothesis import assume
from hypothesis import strategies as st

from conformance.model.world import World
from conformance.spec.botocore_model import input_constraints
from strategies.configs import (
    CLOUDHSM,
    CREATE,
    DOCUMENTED_PATH_VERSION,
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
from strategies.members import invalid_values, invalid_values_by_rule, labelled, valid_values
from strategies.violations import (
    MISSING,
    PARAM_VALIDATION_ERROR,
    VALIDATION_EXCEPTION,
    ReplayableRepr,
    Violation,
    member_of,
    with_member,
)
from strategies.worlds import REGIONS, StoreSetup, store_setups

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

SERVICE_NAME: Final = "XksProxyVpcEndpointServiceName"
PARTITION_PREFIXES: Final = tuple(sorted({World(region=r).partition_prefix for r in REGIONS}))
"""Service-name prefixes of the partitions the setups' Regions are in (``com``, ``eu``)."""

UNKNOWN_MEMBER_NAMES: Final = ("customKeyStoreName", "XksProxyVpcEndpointServiceOwnerId", "Tags")


@dataclass(frozen=True)
class InvalidStoreSetup(ReplayableRepr):
    """A configuration one mutation away from the valid `setup.config`, and what was broken.

    `world` is the world that serves the valid configuration. `client_validation` False
    means the request is meant for a client with ``Config(parameter_validation=False)``.
    """

    setup: StoreSetup
    config: dict[str, Any]
    violation: Violation
    client_validation: bool = True

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


KINDS: Final = {
    CLOUDHSM: cloudhsm_store_configs,
    PUBLIC_ENDPOINT: xks_public_store_configs,
    VPC_ENDPOINT_SERVICE: xks_vpc_store_configs,
}


@st.composite
def not_applicable_violations(draw: st.DrawFn, kind: str | None = None) -> InvalidStoreSetup:
    """A valid setup (of `kind`, or any) plus a member that does not apply to it (OQ-13)."""
    setup: StoreSetup = draw(store_setups(KINDS[kind]() if kind else None))
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
        "CustomKeyStoreType",
        "required_for_type",
        "CKS-CREATE-003",
        errors,
        False,
        ("OQ-12",),
        also=("CKS-CREATE-002",),
    )
    config = with_member(setup.config, "CustomKeyStoreType", MISSING)
    return InvalidStoreSetup(setup, config, violation)


@st.composite
def ip_endpoint_violations(draw: st.DrawFn) -> InvalidStoreSetup:
    """A PUBLIC store whose endpoint host is an IPv4 address, served by a proxy (CKS-XKS-001)."""
    setup: StoreSetup = draw(store_setups(xks_public_store_configs()))
    octets = draw(st.lists(st.integers(0, 255), min_size=4, max_size=4))
    config = {**setup.config, "XksProxyUriEndpoint": "https://" + ".".join(map(str, octets))}
    errors = frozenset({VALIDATION_EXCEPTION, PROXY_INVALID_CONFIGURATION, UNREACHABLE})
    violation = Violation("XksProxyUriEndpoint", "ip_address_host", "CKS-XKS-001", errors, True)
    return InvalidStoreSetup(StoreSetup(config, setup.base), config, violation)


@st.composite
def path_version_violations(draw: st.DrawFn) -> InvalidStoreSetup:
    """A path the regex allows but whose version is not the documented one (OQ-15)."""
    setup: StoreSetup = draw(store_setups(xks_public_store_configs()))
    version = draw(st.integers(0, 99).filter(lambda v: f"v{v}" != DOCUMENTED_PATH_VERSION))
    path = setup.config["XksProxyUriPath"].removesuffix(DOCUMENTED_PATH_VERSION) + f"v{version}"
    assume(labelled(CREATE, "XksProxyUriPath", path) is None)
    config = {**setup.config, "XksProxyUriPath": path}
    errors = frozenset({VALIDATION_EXCEPTION, PROXY_INVALID_CONFIGURATION})
    violation = Violation(
        "XksProxyUriPath", "undocumented_version", "CKS-XKS-002", errors, True, ("OQ-15",)
    )
    return InvalidStoreSetup(StoreSetup(config, setup.base), config, violation)


@st.composite
def partition_violations(draw: st.DrawFn) -> InvalidStoreSetup:
    """A VPC service name with the other partition's prefix (``com.`` vs ``eu.``, OQ-27)."""
    setup: StoreSetup = draw(store_setups(xks_vpc_store_configs()))
    name: str = setup.config["XksProxyVpcEndpointServiceName"]
    prefix, rest = name.split(".", 1)
    other = draw(st.sampled_from([p for p in PARTITION_PREFIXES if p != prefix]))
    config = {**setup.config, "XksProxyVpcEndpointServiceName": f"{other}.{rest}"}
    assume(labelled(CREATE, "XksProxyVpcEndpointServiceName", config[SERVICE_NAME]) is None)
    errors = frozenset({VALIDATION_EXCEPTION, "XksProxyVpcEndpointServiceNotFoundException"})
    violation = Violation(SERVICE_NAME, "partition", "CKS-VPC-004", errors, False, ("OQ-27",))
    return InvalidStoreSetup(StoreSetup(config, setup.base), config, violation)


SERVER_SIDE_RULES: Final = frozenset({"above_max", "pattern", "enum"})


@st.composite
def several_violations(draw: st.DrawFn) -> InvalidStoreSetup:
    """Two server-side shape violations on two members: any of their errors will do (OQ-21)."""
    setup: StoreSetup = draw(store_setups())
    paths = [p for p in input_constraints(CREATE) if p in setup.config and "." not in p]
    first, second = draw(st.lists(st.sampled_from(paths), min_size=2, max_size=2, unique=True))
    config = setup.config
    broken: list[Violation] = []
    for path in (first, second):
        by_rule = invalid_values_by_rule(CREATE, path)
        rules = sorted(SERVER_SIDE_RULES & set(by_rule))
        assume(rules)
        bad = draw(by_rule[draw(st.sampled_from(rules))])
        config = with_member(config, path, bad.value)
        broken.append(bad.violation)
    errors = frozenset().union(*(v.expected_errors for v in broken))
    violation = Violation(
        f"{first}+{second}",
        "several",
        "CKS-ERR-009",
        errors,
        False,
        ("OQ-21",),
        also=tuple(v.requirement_id for v in broken),
    )
    return InvalidStoreSetup(setup, config, violation)


UNVALIDATED: Final = {
    # rule -> (requirement, errors) once botocore's validator is off (OQ-10, digest §1)
    "below_min": ("CKS-ERR-008", frozenset({VALIDATION_EXCEPTION})),
    "required": ("CKS-ERR-001", frozenset({VALIDATION_EXCEPTION})),
    "type": ("CKS-ERR-003", frozenset({VALIDATION_EXCEPTION, "SerializationException"})),
}


@st.composite
def unvalidated_violations(draw: st.DrawFn) -> InvalidStoreSetup:
    """A client-side violation sent with botocore's validation off: KMS refuses it (OQ-10)."""
    bad: InvalidStoreSetup = draw(shape_violations())
    rule = bad.violation.rule
    assume(rule in UNVALIDATED and bad.violation.field == bad.violation.field.split(".")[0])
    assume(member_of(bad.config, bad.violation.field) is not None)
    rid, errors = UNVALIDATED[rule]
    oqs = ("OQ-10",)
    violation = Violation(bad.violation.field, rule, rid, errors, False, oqs)
    return InvalidStoreSetup(bad.setup, bad.config, violation, client_validation=False)


def invalid_config_kinds() -> tuple[st.SearchStrategy[InvalidStoreSetup], ...]:
    """One strategy per kind of one-mutation invalid configuration, each once."""
    return (
        shape_violations(),
        unknown_member_violations(),
        missing_member_violations(),
        not_applicable_violations(),
        omitted_type_violations(),
        ip_endpoint_violations(),
        path_version_violations(),
        partition_violations(),
        several_violations(),
        unvalidated_violations(),
    )


def invalid_store_configs() -> st.SearchStrategy[InvalidStoreSetup]:
    """Any `InvalidStoreSetup` (botocore's client validation on, except `unvalidated_...`).

    Shape violations are drawn three times as often: they are the most numerous kind.
    """
    return st.one_of(shape_violations(), shape_violations(), *invalid_config_kinds())
