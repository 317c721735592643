"""What a target did with one request: a success body, an error code, or "not implemented".

>>> from conformance.targets.observation import Observation
>>> Observation("DeleteCustomKeyStore", error_code="CustomKeyStoreNotFoundException").succeeded
False
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# The pseudo error code for botocore's client-side ParamValidationError (no request was sent).
PARAM_VALIDATION_ERROR = "ParamValidationError"


@dataclass(frozen=True)
class Observation:
    """One operation's result as the target answered it.

    Exactly one of: `response` (success, ResponseMetadata removed), `error_code`, or
    `unsupported_reason` (the target does not implement the operation).
    """

    operation: str
    response: Mapping[str, Any] | None = None
    error_code: str | None = None
    http_status: int | None = None
    unsupported_reason: str | None = None
    error_message: str | None = field(default=None, repr=False)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))  # the message may quote a sent value; Hypothesis prints fields

    @property
    def succeeded(self) -> bool:
        """True when the target answered with a success body."""
        return self.response is not None

    @property
    def unsupported(self) -> bool:
        """True when the target said it does not implement the operation."""
        return self.unsupported_reason is not None

    def describe(self) -> str:
        """A one-line account of the observation for failure messages."""
        if self.unsupported_reason is not None:
            return f"UNSUPPORTED ({self.unsupported_reason})"
        if self.error_code is not None:
            status = f"HTTP {self.http_status} " if self.http_status else ""
            return f"{status}{self.error_code}"
        return "success"
