"""The interface every target implements: send one KMS operation, observe the outcome.

>>> from conformance.targets.base import Target
>>> hasattr(Target, "call")
True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from conformance.targets.observation import Observation


@runtime_checkable
class Target(Protocol):
    """A KMS implementation under test (real KMS, an emulator, moto, any endpoint)."""

    name: str

    def call(self, operation: str, request: Mapping[str, Any]) -> Observation:
        """Send `operation` (e.g. ``CreateCustomKeyStore``) with a boto3-style request."""
        ...

    def close(self) -> None:
        """Release what the target holds (servers, clients, cloud resources)."""
        ...


class TargetUnreachableError(RuntimeError):
    """The target could not be reached at all (connection refused, DNS, TLS)."""
