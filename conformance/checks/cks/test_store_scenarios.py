"""Example-based control-plane checks: fixed scenarios, every step judged by the model.

Each check walks one story through the target (create, connect, describe, ...) and lets
:func:`judge` compare every answer with the reference model; a mismatch names the rule.
"""

from __future__ import annotations

import pytest

from conformance.checks.cks.account import seeded_model
from conformance.checks.cks.inputs import WRONG_ACCESS_KEY_ID, WRONG_SECRET, BackendInputs
from conformance.checks.cks.judge import describe_input, judge, settle
from conformance.checks.cks.rule_cases import judge_member_violation
from conformance.model import STORE_QUOTA, ProxyBehaviour, ReferenceModel
from conformance.report.evidence import judged_step, reached
from conformance.report.outcomes import RequirementViolation
from conformance.targets.factory import PreparedTarget
from strategies.violations import Violation

UNKNOWN_STORE_ID = "cks-0123456789abcdef9"
NOT_FOUND = "CustomKeyStoreNotFoundException"


def create(model: ReferenceModel, target: PreparedTarget, config: dict[str, object]) -> str | None:
    outcome = judge(model, target.target, "CreateCustomKeyStore", config)
    return str(outcome.response["CustomKeyStoreId"]) if outcome.succeeded else None


def describe_all(model: ReferenceModel, target: PreparedTarget) -> None:
    judge(model, target.target, "DescribeCustomKeyStores", {})


def by_id(store_id: str) -> dict[str, str]:
    return {"CustomKeyStoreId": store_id}


def no_store_left(target: PreparedTarget, name: str) -> None:
    """After a refused Create, no store of that name exists (CKS-CREATE-008): Describe by
    name must answer not found; anything else is the refused store left behind."""
    request = {"CustomKeyStoreName": name}
    observation = target.target.call("DescribeCustomKeyStores", request)
    judged_step()
    if observation.error_code != NOT_FOUND:
        raise RequirementViolation(
            "CKS-CREATE-008",
            expected=f"{NOT_FOUND} (the refused Create left no store)",
            actual=observation.describe()[:2000],
            input=describe_input("DescribeCustomKeyStores", request),
        )
    reached("CKS-CREATE-008")


@pytest.mark.requirement(
    "CKS-CREATE-007",
    "CKS-CREATE-009",
    "CKS-CONNECT-001",
    "CKS-STATE-001",
    "CKS-STATE-005",
    "CKS-DESCRIBE-005",
    "CKS-DESCRIBE-007",
    "CKS-DESCRIBE-001",
    "CKS-DESCRIBE-010",
    "CKS-SECRET-002",
)
def test_a_public_store_connects_disconnects_and_is_deleted(
    fresh: PreparedTarget, model: ReferenceModel, inputs: BackendInputs
) -> None:
    store = create(
        model, fresh, inputs.public_config("orders", inputs.place(ProxyBehaviour.HEALTHY))
    )
    assert store is not None
    describe_all(model, fresh)
    for operation in ("ConnectCustomKeyStore", "DisconnectCustomKeyStore"):
        judge(model, fresh.target, operation, by_id(store))
        describe_all(model, fresh)
        describe_all(model, fresh)
    judge(model, fresh.target, "DeleteCustomKeyStore", by_id(store))
    judge(model, fresh.target, "DescribeCustomKeyStores", by_id(store))


@pytest.mark.requirement(
    "CKS-XKS-003", "CKS-XKS-004", "CKS-XKS-005", "CKS-XKS-006", "CKS-XKS-007", "CKS-CREATE-008"
)
@pytest.mark.parametrize(
    ("behaviour", "spoil"),
    [
        (ProxyBehaviour.UNREACHABLE, ""),
        (ProxyBehaviour.TIMEOUT, ""),
        (ProxyBehaviour.ALL_EKMS_UNAVAILABLE, ""),
        (ProxyBehaviour.BAD_TLS, ""),
        (ProxyBehaviour.INVALID_RESPONSE, ""),
        (ProxyBehaviour.HEALTHY, "credential"),
        (ProxyBehaviour.HEALTHY, "path"),
    ],
)
def test_a_public_store_is_refused_when_its_proxy_fails_the_health_check(
    fresh: PreparedTarget,
    model: ReferenceModel,
    inputs: BackendInputs,
    behaviour: ProxyBehaviour,
    spoil: str,
) -> None:
    host = inputs.place(behaviour)
    config = inputs.public_config("refused", host)
    if spoil == "credential":
        config["XksProxyAuthenticationCredential"] = {
            "AccessKeyId": WRONG_ACCESS_KEY_ID,
            "RawSecretAccessKey": WRONG_SECRET,
        }
    if spoil == "path":
        config["XksProxyUriPath"] = "/not/served/kms/xks/v1"
    assert create(model, fresh, config) is None
    no_store_left(fresh, "refused")
    describe_all(model, fresh)


@pytest.mark.requirement("CKS-OWNER-007", "CKS-DESCRIBE-008", "CKS-DESCRIBE-002")
@pytest.mark.parametrize(
    ("own_service", "owner"),
    [
        pytest.param(
            True, False, id="owner-omitted", marks=pytest.mark.requirement("CKS-OWNER-001")
        ),
        pytest.param(True, True, id="owner-own", marks=pytest.mark.requirement("CKS-OWNER-002")),
        pytest.param(False, True, id="owner-other"),
    ],
)
def test_a_vpc_store_is_described_with_its_service_and_owner(
    fresh: PreparedTarget,
    model: ReferenceModel,
    inputs: BackendInputs,
    own_service: bool,
    owner: bool,
) -> None:
    service = inputs.service_index(own=own_service)
    store = create(model, fresh, inputs.vpc_config("vpc-store", service, owner=owner))
    assert store is not None
    describe_all(model, fresh)
    judge(model, fresh.target, "DescribeCustomKeyStores", {"CustomKeyStoreName": "vpc-store"})
    judge(model, fresh.target, "ConnectCustomKeyStore", by_id(store))
    settle(model, fresh.target, store)
    describe_all(model, fresh)
    describe_all(model, fresh)


XKS_FAILURE = ("CKS-CONNECT-005", "CKS-UPDATE-002")


@pytest.mark.requirement(
    "CKS-CONNECT-001",
    "CKS-CONNECT-003",
    "CKS-DESCRIBE-009",
    "CKS-STATE-008",
    "CKS-SHAPE-021",
    "CKS-SHAPE-022",
    "CKS-SHAPE-023",
)
@pytest.mark.parametrize(
    "backend",
    [
        pytest.param("vpc-unreachable", marks=pytest.mark.requirement(*XKS_FAILURE)),
        pytest.param("vpc-bad-tls", marks=pytest.mark.requirement(*XKS_FAILURE)),
        pytest.param(
            "vpc-misconfigured", marks=pytest.mark.requirement(*XKS_FAILURE, "CKS-VPC-003")
        ),
        pytest.param(
            "hsm-wrong-password", marks=pytest.mark.requirement("CKS-CONNECT-004", "CKS-HSM-006")
        ),
    ],
)
def test_a_connect_to_a_failing_backend_ends_failed_with_its_error_code(
    fresh: PreparedTarget, model: ReferenceModel, inputs: BackendInputs, backend: str
) -> None:
    if backend == "hsm-wrong-password":
        wrong = "not-the-kmsuser-password"
        config = inputs.cloudhsm_config("failing", inputs.ready_cluster(), password=wrong)
    elif backend == "vpc-misconfigured":
        config = inputs.vpc_config("failing", inputs.service_index(None, conformant=False))
    else:
        behaviour = {"vpc-unreachable": ProxyBehaviour.UNREACHABLE}.get(
            backend, ProxyBehaviour.BAD_TLS
        )
        config = inputs.vpc_config("failing", inputs.service_index(behaviour))
    store = create(model, fresh, config)
    assert store is not None
    judge(model, fresh.target, "ConnectCustomKeyStore", by_id(store))
    settle(model, fresh.target, store)
    describe_all(model, fresh)
    describe_all(model, fresh)
    judge(model, fresh.target, "ConnectCustomKeyStore", by_id(store))  # FAILED: disconnect first
    settle(model, fresh.target, store)
    if backend != "hsm-wrong-password":  # a hot field while FAILED: open (OQ-16)
        rename = {**by_id(store), "NewCustomKeyStoreName": "failing-renamed"}
        judge(model, fresh.target, "UpdateCustomKeyStore", rename)
    judge(model, fresh.target, "DisconnectCustomKeyStore", by_id(store))
    settle(model, fresh.target, store)
    describe_all(model, fresh)
    describe_all(model, fresh)


@pytest.mark.requirement("CKS-STATE-003", "CKS-STATE-002", "CKS-CONNECT-002")
def test_delete_and_disconnect_respect_the_connection_state(
    fresh: PreparedTarget, model: ReferenceModel, inputs: BackendInputs
) -> None:
    store = create(
        model, fresh, inputs.public_config("stateful", inputs.place(ProxyBehaviour.HEALTHY))
    )
    assert store is not None
    judge(model, fresh.target, "DisconnectCustomKeyStore", by_id(store))
    settle(model, fresh.target, store)
    judge(model, fresh.target, "ConnectCustomKeyStore", by_id(store))
    settle(model, fresh.target, store)
    describe_all(model, fresh)
    judge(model, fresh.target, "DeleteCustomKeyStore", by_id(store))
    judge(model, fresh.target, "ConnectCustomKeyStore", by_id(store))
    settle(model, fresh.target, store)


@pytest.mark.parametrize(
    "operation",
    [
        pytest.param("DescribeCustomKeyStores", marks=pytest.mark.requirement("CKS-DESCRIBE-004")),
        *(
            pytest.param(operation, marks=pytest.mark.requirement("CKS-STATE-006"))
            for operation in (
                "UpdateCustomKeyStore",
                "ConnectCustomKeyStore",
                "DisconnectCustomKeyStore",
                "DeleteCustomKeyStore",
            )
        ),
        pytest.param("CreateKey", marks=pytest.mark.requirement("CKS-KEY-010")),
    ],
)
def test_an_unknown_store_id_is_not_found_by_every_operation(
    fresh: PreparedTarget, model: ReferenceModel, operation: str
) -> None:
    request: dict[str, object] = {"CustomKeyStoreId": UNKNOWN_STORE_ID}
    if operation == "UpdateCustomKeyStore":
        request["NewCustomKeyStoreName"] = "renamed"
    if operation == "CreateKey":
        request["Origin"] = "AWS_CLOUDHSM"
    judge(model, fresh.target, operation, request)


@pytest.mark.requirement("CKS-PAGE-001", "CKS-PAGE-002", "CKS-PAGE-004", "CKS-PAGE-003")
@pytest.mark.parametrize("limit", [1, 2, 3, 5])
def test_describe_pages_hold_at_most_limit_and_together_list_every_store(
    fresh: PreparedTarget, model: ReferenceModel, inputs: BackendInputs, limit: int
) -> None:
    for config in inputs.coexisting_configs("paged")[:4]:
        assert create(model, fresh, config) is not None
    request: dict[str, object] = {"Limit": limit}
    for _ in range(6):
        outcome = judge(model, fresh.target, "DescribeCustomKeyStores", request)
        if not outcome.response.get("Truncated"):
            break
        request = {"Limit": limit, "Marker": str(outcome.response["NextMarker"])}
    judge(model, fresh.target, "DescribeCustomKeyStores", {"Marker": "forged-marker-0000"})


@pytest.mark.requirement("CKS-QUOTA-001", "CKS-UNIQ-001")
def test_the_eleventh_store_and_a_reused_name_are_refused(
    fresh: PreparedTarget, model: ReferenceModel, inputs: BackendInputs
) -> None:
    configs = inputs.coexisting_configs("quota")
    assert len(configs) > STORE_QUOTA
    assert create(model, fresh, configs[0]) is not None
    assert create(model, fresh, {**configs[1], "CustomKeyStoreName": "quota-0"}) is None
    for config in configs[1:]:
        create(model, fresh, config)
    describe_all(model, fresh)


@pytest.mark.requirement("CKS-KEY-001", "CKS-KEY-006", "CKS-KEY-007", "CKS-KEY-008", "CKS-KEY-012")
@pytest.mark.parametrize("xks_key_id", ["foo", "encrypt_only_key", "disabled_key", "no_such_key"])
def test_keys_in_an_external_key_store_follow_the_external_key(
    fresh: PreparedTarget, model: ReferenceModel, inputs: BackendInputs, xks_key_id: str
) -> None:
    store = create(
        model, fresh, inputs.public_config("keyed", inputs.place(ProxyBehaviour.HEALTHY))
    )
    assert store is not None
    key_request = {
        "CustomKeyStoreId": store,
        "Origin": "EXTERNAL_KEY_STORE",
        "XksKeyId": xks_key_id,
    }
    judge(model, fresh.target, "CreateKey", key_request)
    judge(model, fresh.target, "ConnectCustomKeyStore", by_id(store))
    settle(model, fresh.target, store)
    describe_all(model, fresh)
    judge(model, fresh.target, "CreateKey", key_request)
    judge(model, fresh.target, "CreateKey", key_request)


@pytest.mark.requirement("CKS-KEY-002", "CKS-KEY-003", "CKS-KEY-004", "CKS-HSM-003")
def test_keys_in_a_cloudhsm_store_are_symmetric_single_region_and_need_two_hsms(
    fresh: PreparedTarget, model: ReferenceModel, inputs: BackendInputs
) -> None:
    one_hsm = inputs.cluster_index("active with one HSM", lambda c: c.active and c.hsm_count < 2)
    ready = inputs.ready_cluster()
    create(model, fresh, inputs.cloudhsm_config("one-hsm", one_hsm))
    store = create(model, fresh, inputs.cloudhsm_config("keyed-hsm", ready))
    assert store is not None
    judge(model, fresh.target, "ConnectCustomKeyStore", by_id(store))
    settle(model, fresh.target, store)
    describe_all(model, fresh)
    key = {"CustomKeyStoreId": store, "Origin": "AWS_CLOUDHSM"}
    for request in (
        key,
        {**key, "XksKeyId": "foo"},
        {**key, "KeySpec": "RSA_2048"},
        {**key, "MultiRegion": True},
        {**key, "Origin": "EXTERNAL_KEY_STORE"},
        {"CustomKeyStoreId": store},
    ):
        judge(model, fresh.target, "CreateKey", request)


@pytest.mark.requirement("CKS-STATE-004", "CKS-STATE-009", "CKS-KEY-011")
def test_a_store_holding_keys_is_deleted_only_once_they_are_scheduled_for_deletion(
    fresh: PreparedTarget, model: ReferenceModel, inputs: BackendInputs
) -> None:
    store = create(
        model, fresh, inputs.public_config("holding", inputs.place(ProxyBehaviour.HEALTHY))
    )
    assert store is not None
    judge(model, fresh.target, "ConnectCustomKeyStore", by_id(store))
    settle(model, fresh.target, store)
    describe_all(model, fresh)
    key = {"CustomKeyStoreId": store, "Origin": "EXTERNAL_KEY_STORE", "XksKeyId": "foo"}
    created = judge(model, fresh.target, "CreateKey", key)
    assert created.succeeded
    key_id = str(created.response["KeyMetadata"]["KeyId"])
    judge(model, fresh.target, "DescribeKey", {"KeyId": key_id})  # Enabled
    judge(model, fresh.target, "DisconnectCustomKeyStore", by_id(store))
    settle(model, fresh.target, store)
    describe_all(model, fresh)
    describe_all(model, fresh)
    judge(model, fresh.target, "DescribeKey", {"KeyId": key_id})  # Unavailable
    judge(model, fresh.target, "DeleteCustomKeyStore", by_id(store))  # holds a key
    for days in (7, 30):  # the second finds the key PendingDeletion already
        judge(
            model,
            fresh.target,
            "ScheduleKeyDeletion",
            {"KeyId": key_id, "PendingWindowInDays": days},
        )
    judge(model, fresh.target, "DescribeKey", {"KeyId": key_id})  # PendingDeletion
    judge(model, fresh.target, "DeleteCustomKeyStore", by_id(store))  # only a pending key: OQ-20
    describe_all(model, fresh)


@pytest.mark.requirement("CKS-KEY-009")
def test_a_proxy_fault_during_create_key_is_a_store_state_error(
    fresh: PreparedTarget, model: ReferenceModel, inputs: BackendInputs
) -> None:
    """A proxy whose authorization layer refuses KMS (403): how Connect ends is left open by
    the model (CONNECTED, or FAILED with XKS_PROXY_ACCESS_DENIED); once connected, CreateKey
    through it must be refused as a store state error (OQ-26)."""
    denying = inputs.place(ProxyBehaviour.ACCESS_DENIED)
    store = create(model, fresh, inputs.public_config("denied", denying))
    assert store is not None
    judge(model, fresh.target, "ConnectCustomKeyStore", by_id(store))
    settle(model, fresh.target, store)
    describe_all(model, fresh)
    describe_all(model, fresh)
    key = {"CustomKeyStoreId": store, "Origin": "EXTERNAL_KEY_STORE", "XksKeyId": "foo"}
    judge(model, fresh.target, "CreateKey", key)


@pytest.mark.requirement("CKS-DESCRIBE-003")
def test_describe_with_both_an_id_and_a_name_is_answered_within_the_open_question(
    fresh: PreparedTarget, model: ReferenceModel, inputs: BackendInputs
) -> None:
    ready = inputs.ready_cluster()
    unrelated = inputs.unrelated_cluster(ready)
    first = create(model, fresh, inputs.cloudhsm_config("both-a", ready))
    assert first is not None
    assert create(model, fresh, inputs.cloudhsm_config("both-b", unrelated)) is not None
    judge(
        model,
        fresh.target,
        "DescribeCustomKeyStores",
        {**by_id(first), "CustomKeyStoreName": "both-a"},
    )
    judge(
        model,
        fresh.target,
        "DescribeCustomKeyStores",
        {**by_id(first), "CustomKeyStoreName": "both-b"},
    )


@pytest.mark.requirement("CKS-CREATE-001", "CKS-ERR-001", "CKS-ERR-008")
def test_a_create_without_a_name_is_refused_by_botocore_and_by_kms_itself(
    fresh: PreparedTarget, inputs: BackendInputs
) -> None:
    config = inputs.cloudhsm_config("nameless", inputs.ready_cluster())
    del config["CustomKeyStoreName"]
    missing = Violation(
        "CustomKeyStoreName",
        "required",
        "CKS-ERR-001",
        frozenset({"ParamValidationError"}),
        also=("CKS-CREATE-001",),
    )
    model = seeded_model(fresh, client_validation=False)
    judge_member_violation(model, fresh.target, "CreateCustomKeyStore", config, missing)
    judge(model, fresh.target, "DescribeCustomKeyStores", {})
