"""Shape validation of the other operations' members: Update, Describe, Connect, Disconnect,
Delete, and CreateKey's external key ID. Each case is a valid request (against a store that
exists) with one member broken; a client-side rule is sent through botocore's validation
and again with it off (:func:`judge_member_violation`).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.checks.cks.account import seeded_model
from conformance.checks.cks.inputs import BackendInputs
from conformance.checks.cks.judge import judge
from conformance.checks.cks.rule_cases import judge_member_violation, member_rule_cases
from conformance.model import ProxyBehaviour, ReferenceModel
from conformance.targets.factory import PreparedTarget
from strategies.members import invalid_values_by_rule
from strategies.violations import InvalidValue, with_member

pytestmark = [
    pytest.mark.operations(),  # support is learnt per example, call by call
    pytest.mark.requirement("CKS-WIRE-001", "CKS-SECRET-001", "CKS-SECRET-002"),
]

OPERATIONS = (
    "UpdateCustomKeyStore",
    "DescribeCustomKeyStores",
    "ConnectCustomKeyStore",
    "DisconnectCustomKeyStore",
    "DeleteCustomKeyStore",
)
HSM_MEMBERS = ("CloudHsmClusterId", "KeyStorePassword")
EXAMPLES_PER_CASE = 8


#: A well-formed ID of no store: without backends the broken member is sent against it, and
#: the server must still answer the shape error (it validates before it looks stores up).
UNKNOWN_STORE_ID = "cks-0123456789abcdef0"


def _base_request(
    operation: str,
    path: str,
    model: ReferenceModel,
    fresh: PreparedTarget,
    inputs: BackendInputs | None,
) -> dict[str, Any]:
    if operation == "DescribeCustomKeyStores":
        return {}
    top = path.split(".")[0]
    if inputs is None:
        request: dict[str, Any] = {"CustomKeyStoreId": UNKNOWN_STORE_ID}
        if operation == "UpdateCustomKeyStore":
            request["NewCustomKeyStoreName"] = "renamed"
        if operation == "CreateKey":
            request.update(Origin="EXTERNAL_KEY_STORE", XksKeyId="foo")
        return request
    if operation == "CreateKey":  # a key in an existing (disconnected) external key store
        config = inputs.public_config("keyed", inputs.place(ProxyBehaviour.HEALTHY))
        created = judge(model, fresh.target, "CreateCustomKeyStore", config)
        store_id = created.response["CustomKeyStoreId"]
        return {"CustomKeyStoreId": store_id, "Origin": "EXTERNAL_KEY_STORE", "XksKeyId": "foo"}
    if top in HSM_MEMBERS:
        config = inputs.cloudhsm_config("validated", inputs.ready_cluster())
    else:
        config = inputs.public_config("validated", inputs.place(ProxyBehaviour.HEALTHY))
    outcome = judge(model, fresh.target, "CreateCustomKeyStore", config)
    request = {"CustomKeyStoreId": outcome.response["CustomKeyStoreId"]}
    if operation == "UpdateCustomKeyStore":
        request[top if top != "CustomKeyStoreId" else "NewCustomKeyStoreName"] = config.get(
            top, "renamed"
        )
    return request


@pytest.mark.parametrize(
    ("operation", "path", "rule"),
    [*member_rule_cases(OPERATIONS), *member_rule_cases(["CreateKey"], paths=["XksKeyId"])],
)
@settings(
    max_examples=EXAMPLES_PER_CASE,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
)
@given(data=st.data())
def test_a_request_breaking_one_member_rule_is_refused(
    supported: PreparedTarget,
    inputs_if_any: BackendInputs | None,
    operation: str,
    path: str,
    rule: str,
    data: st.DataObject,
) -> None:
    bad: InvalidValue = data.draw(invalid_values_by_rule(operation, path)[rule], label="bad")
    reset = getattr(supported.target, "reset", None)
    if reset is not None:
        reset()
    model = seeded_model(supported, client_validation=False)
    base = _base_request(operation, path, model, supported, inputs_if_any)
    request = with_member(base, path, bad.value)
    judge_member_violation(model, supported.target, operation, request, bad.violation)
