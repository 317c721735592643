"""Read the KMS custom key store shapes from botocore's installed service model.

The botocore model is the machine-readable spec: lengths, patterns, enums, required
members, sensitivity and declared errors are read here at run time, never copied.

>>> from conformance.spec.botocore_model import member_constraint
>>> c = member_constraint("CreateCustomKeyStore", "XksProxyVpcEndpointServiceOwner")
>>> (c.shape_name, c.min_length, c.max_length)
('AccountIdType', 12, 12)
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import botocore.session
from botocore.model import OperationModel, ServiceModel, Shape, StructureShape

SERVICE_NAME = "kms"

CUSTOM_KEY_STORE_OPERATIONS: tuple[str, ...] = (
    "CreateCustomKeyStore",
    "DescribeCustomKeyStores",
    "UpdateCustomKeyStore",
    "ConnectCustomKeyStore",
    "DisconnectCustomKeyStore",
    "DeleteCustomKeyStore",
)


@dataclass(frozen=True)
class MemberConstraint:
    """The constraints botocore's model puts on one member of an operation's input.

    `path` is the member's dotted path below the operation input, e.g.
    ``XksProxyAuthenticationCredential.AccessKeyId``.
    """

    operation: str
    path: str
    shape_name: str
    type_name: str
    required: bool
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    enum: tuple[str, ...] = ()
    sensitive: bool = False

    def pattern_matches(self, value: str) -> bool:
        """Whether `value` matches the whole pattern with ASCII semantics (true if none)."""
        if self.pattern is None:
            return True
        return re.fullmatch(self.pattern, value, re.ASCII) is not None


@functools.lru_cache(maxsize=1)
def kms_service_model() -> ServiceModel:
    """The KMS service model of the installed botocore."""
    return botocore.session.get_session().get_service_model(SERVICE_NAME)


def kms_operations() -> frozenset[str]:
    """Every KMS operation name botocore's service model knows.

    >>> "CreateCustomKeyStore" in kms_operations()
    True
    """
    return frozenset(kms_service_model().operation_names)


def botocore_version() -> str:
    """The installed botocore version, recorded in reports."""
    return str(botocore.__version__)


def operation_model(operation: str) -> OperationModel:
    """The botocore operation model of `operation` (e.g. ``CreateCustomKeyStore``)."""
    return kms_service_model().operation_model(operation)


def declared_errors(operation: str) -> frozenset[str]:
    """The error codes `operation` declares in the botocore model."""
    return frozenset(shape.name for shape in operation_model(operation).error_shapes)


def _constraint(operation: str, path: str, shape: Shape, required: bool) -> MemberConstraint:
    metadata: Mapping[str, Any] = shape.metadata
    return MemberConstraint(
        operation=operation,
        path=path,
        shape_name=shape.name,
        type_name=shape.type_name,
        required=required,
        min_length=metadata.get("min"),
        max_length=metadata.get("max"),
        pattern=metadata.get("pattern"),
        enum=tuple(getattr(shape, "enum", None) or ()),
        sensitive=bool(metadata.get("sensitive", False)),
    )


def _walk(operation: str, prefix: str, shape: StructureShape) -> dict[str, MemberConstraint]:
    found: dict[str, MemberConstraint] = {}
    required = set(shape.required_members)
    for name, member in shape.members.items():
        path = f"{prefix}{name}"
        found[path] = _constraint(operation, path, member, name in required)
        if isinstance(member, StructureShape):
            found.update(_walk(operation, f"{path}.", member))
    return found


@functools.cache
def input_constraints(operation: str) -> Mapping[str, MemberConstraint]:
    """Every input member of `operation`, nested members included, by dotted path."""
    shape = operation_model(operation).input_shape
    if shape is None:
        return {}
    return _walk(operation, "", shape)


def member_constraint(operation: str, path: str) -> MemberConstraint:
    """The constraint of one input member, by dotted path; KeyError if botocore has none."""
    return input_constraints(operation)[path]


def output_member_paths(operation: str) -> frozenset[str]:
    """Dotted paths of every member of `operation`'s output, list elements included."""
    shape = operation_model(operation).output_shape
    paths: set[str] = set()

    def walk(prefix: str, current: Shape) -> None:
        if isinstance(current, StructureShape):
            for name, member in current.members.items():
                paths.add(f"{prefix}{name}")
                walk(f"{prefix}{name}.", member)
        elif current.type_name == "list":
            walk(prefix, current.member)

    if shape is not None:
        walk("", shape)
    return frozenset(paths)


def shape_constraint(shape_name: str) -> MemberConstraint:
    """Constraints of a named shape outside any operation (e.g. ``XksKeyIdType``)."""
    shape = kms_service_model().shape_for(shape_name)
    return _constraint("", shape_name, shape, False)


def enum_values(shape_name: str) -> tuple[str, ...]:
    """The enum values of a named string shape (e.g. ``ConnectionErrorCodeType``)."""
    return tuple(kms_service_model().shape_for(shape_name).enum)


@functools.cache
def output_constraints(operation: str) -> Mapping[str, MemberConstraint]:
    """Every output member of `operation` by dotted path (list elements flattened), with shapes.

    >>> output_constraints("DescribeCustomKeyStores")["CustomKeyStores.CreationDate"].type_name
    'timestamp'
    """
    shape = operation_model(operation).output_shape
    found: dict[str, MemberConstraint] = {}

    def walk(prefix: str, current: Shape) -> None:
        if isinstance(current, StructureShape):
            required = set(current.required_members)
            for name, member in current.members.items():
                path = f"{prefix}{name}"
                found[path] = _constraint(operation, path, member, name in required)
                walk(f"{path}.", member)
        elif current.type_name == "list":
            walk(prefix, current.member)

    if shape is not None:
        walk("", shape)
    return found


def member_references(operation: str) -> frozenset[str]:
    """Every member of `operation` as a requirement names it.

    Inputs are ``Operation.Path``, outputs ``Operation:output.Path`` (see ``Requirement``).

    >>> sorted(member_references("ConnectCustomKeyStore"))
    ['ConnectCustomKeyStore.CustomKeyStoreId']
    """
    inputs = {f"{operation}.{path}" for path in input_constraints(operation)}
    outputs = {f"{operation}:output.{path}" for path in output_member_paths(operation)}
    return frozenset(inputs | outputs)


def member_reference_exists(reference: str) -> bool:
    """Whether a requirement's member reference names a member botocore has.

    >>> member_reference_exists("CreateCustomKeyStore.XksProxyVpcEndpointServiceOwner")
    True
    >>> member_reference_exists("CreateCustomKeyStore.XksProxyOwner")
    False
    """
    operation = reference.split(":", 1)[0].split(".", 1)[0]
    if operation not in kms_service_model().operation_names:
        return False
    return reference in member_references(operation)
