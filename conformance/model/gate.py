"""The front door of every operation: the two validation layers, then well-typed members.

>>> refused, clean = admit("ConnectCustomKeyStore", {}, client_validation=True)
>>> refused.expectation.errors if refused else None
frozenset({'ParamValidationError'})
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from conformance.model import validation
from conformance.model.outcomes import Expectation, ResponseCheck, RuleVerdict, combine
from conformance.model.state import Effect, Plan, no_effect


def _well_typed(operation: str, request: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for path, c in validation.constraints(operation).items():
        if not path.startswith(prefix) or path.count(".") != prefix.count("."):
            continue
        name = path[len(prefix) :]
        value = request.get(name)
        if value is None:
            continue
        if c.type_name == "structure":
            if isinstance(value, dict):
                clean[name] = _well_typed(operation, value, f"{path}.")
        elif c.type_name in ("integer", "long"):
            if isinstance(value, int) and not isinstance(value, bool):
                clean[name] = value
        elif c.type_name == "boolean":
            if isinstance(value, bool):
                clean[name] = value
        elif c.type_name == "string":
            if isinstance(value, str):
                clean[name] = value
        else:
            clean[name] = value
    return clean


def admit(
    operation: str, request: object, *, client_validation: bool
) -> tuple[Plan | None, tuple[dict[str, Any], tuple[RuleVerdict, ...]]]:
    """Run the validation layers.

    Returns ``(plan, (clean_request, shape_verdicts))``: `plan` is set when botocore itself
    refuses the request (then nothing reaches KMS); otherwise `clean_request` holds only the
    well-typed members and `shape_verdicts` the server-side shape objections.
    """
    if client_validation:
        client = validation.client_verdicts(operation, request)
        if client:
            return Plan(combine(client)), ({}, ())
    shape = validation.server_verdicts(operation, request, client_validated=client_validation)
    clean = _well_typed(operation, request, "") if isinstance(request, dict) else {}
    return None, (clean, shape)


def conclude(
    shape: Iterable[RuleVerdict],
    rules: Iterable[RuleVerdict],
    *,
    requirement_ids: Iterable[str] = (),
    response: ResponseCheck | None = None,
    on_success: Effect = no_effect,
) -> Plan:
    """Join shape and rule verdicts into a plan.

    The server validates a request's shape before it looks at state, names or backends
    (digest §1: the validation layers), so a shape violation that certainly applies is
    judged by its own error alone: no lookup, quota or backend error may stand in for it.
    Otherwise (no shape violation, or only ones an open question leaves in doubt, like the
    members botocore would have refused, OQ-10) every objection's error is acceptable
    (OQ-21: no documented precedence).
    """
    shape = tuple(shape)
    if any(not v.success_allowed and not v.open_questions for v in shape):
        rules = ()
    expectation: Expectation = combine(
        [*shape, *rules], requirement_ids=requirement_ids, response=response
    )
    return Plan(expectation, on_success if expectation.success else no_effect)
