"""An observation's error message (it may quote a value that was sent) never prints."""

from __future__ import annotations

from hypothesis.vendor.pretty import pretty

from conformance.targets.observation import Observation


def test_the_error_message_stays_out_of_repr_and_pretty() -> None:
    observation = Observation(
        "CreateCustomKeyStore",
        error_code="ParamValidationError",
        error_message="Invalid type for parameter KeyStorePassword, value: hunter2-secret",
    )
    assert "hunter2-secret" not in repr(observation)
    assert "hunter2-secret" not in pretty(observation)
