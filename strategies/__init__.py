"""Hypothesis strategies for custom key store inputs, derived from the botocore model.

Shapes (lengths, patterns, enums, required members, sensitivity) are read from botocore
through :mod:`conformance.spec.botocore_model`; cross-field, uniqueness and state rules
follow the spec digest. Invalid inputs are one mutation of a valid one and carry a
:class:`Violation`. Every generated value's repr is valid Python once this package is
star-imported, so a printed counterexample replays; secrets print as
``redacted_secret(...)`` calls that regenerate them. See docs/strategies.md.

>>> first_example(xks_public_store_configs())["XksProxyConnectivity"]
'PUBLIC_ENDPOINT'
"""

from __future__ import annotations

from conformance.model import World
from strategies.configs import (
    cloudhsm_store_configs,
    store_kind,
    store_names,
    valid_store_configs,
    vpc_service_names,
    xks_endpoints,
    xks_public_store_configs,
    xks_uri_paths,
    xks_vpc_store_configs,
)
from strategies.describe import DescribeCase, describe_requests, limits
from strategies.invalid_configs import (
    InvalidStoreSetup,
    invalid_store_configs,
    ip_endpoint_violations,
    missing_member_violations,
    not_applicable_violations,
    omitted_type_violations,
    partition_violations,
    path_version_violations,
    several_violations,
    shape_violations,
    unknown_member_violations,
    unvalidated_violations,
)
from strategies.keys import KeyCase, create_key_requests
from strategies.members import (
    DOC_EXAMPLES_BREAKING_THEIR_PATTERN,
    BoundaryValue,
    boundary_values,
    invalid_values,
    invalid_values_by_rule,
    valid_values,
)
from strategies.patterns import LengthAwarePattern
from strategies.secrets import Secret, redacted_secret
from strategies.uniqueness import (
    STORE_QUOTA,
    StoreSet,
    coexisting_store_sets,
    conflicting_store_sets,
    foreign_endpoint_conflicts,
    over_quota_sets,
    pair_conflicts,
)
from strategies.updates import UpdateCase, update_requests
from strategies.violations import (
    MISSING,
    InvalidValue,
    Violation,
    first_example,
    member_of,
    with_member,
)
from strategies.worlds import StoreSetup, backends_for, store_setups, world_for

__all__ = [
    "DOC_EXAMPLES_BREAKING_THEIR_PATTERN",
    "MISSING",
    "STORE_QUOTA",
    "BoundaryValue",
    "DescribeCase",
    "InvalidStoreSetup",
    "InvalidValue",
    "KeyCase",
    "LengthAwarePattern",
    "Secret",
    "StoreSet",
    "StoreSetup",
    "UpdateCase",
    "Violation",
    "World",
    "backends_for",
    "boundary_values",
    "cloudhsm_store_configs",
    "coexisting_store_sets",
    "conflicting_store_sets",
    "create_key_requests",
    "describe_requests",
    "first_example",
    "foreign_endpoint_conflicts",
    "invalid_store_configs",
    "invalid_values",
    "invalid_values_by_rule",
    "ip_endpoint_violations",
    "limits",
    "member_of",
    "missing_member_violations",
    "not_applicable_violations",
    "omitted_type_violations",
    "over_quota_sets",
    "pair_conflicts",
    "partition_violations",
    "path_version_violations",
    "redacted_secret",
    "several_violations",
    "shape_violations",
    "store_kind",
    "store_names",
    "store_setups",
    "unknown_member_violations",
    "unvalidated_violations",
    "update_requests",
    "valid_store_configs",
    "valid_values",
    "vpc_service_names",
    "with_member",
    "world_for",
    "xks_endpoints",
    "xks_public_store_configs",
    "xks_uri_paths",
    "xks_vpc_store_configs",
]
