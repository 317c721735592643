"""Connect, Disconnect, Delete and settling: the connection state machine (CKS-CONNECT/STATE)."""

from __future__ import annotations

import dataclasses

import pytest
from model_builders import (
    CLUSTER,
    PUBLIC_ENDPOINT,
    connected,
    created,
    hsm_request,
    public_request,
    vpc_request,
    world,
)

from conformance.model import (
    KmsUserState,
    Outcome,
    ProxyBehaviour,
    ProxyCredential,
    ReferenceModel,
    Settlement,
    VpcEndpointService,
    XksProxy,
)
from conformance.spec import botocore_model

INVALID_STATE = "CustomKeyStoreInvalidStateException"


def ident(store_id: str) -> dict[str, str]:
    return {"CustomKeyStoreId": store_id}


def connect_outcomes(model: ReferenceModel, store_id: str) -> set[str | None]:
    assert model.execute("ConnectCustomKeyStore", ident(store_id)).succeeded
    # the specific codes; the documented generic alternatives (OQ-30) are tested apart
    return {s.error_code for s in model.settlements(store_id) if not s.alternative}


def cluster_world(**changes: object) -> ReferenceModel:
    base = world().cluster(CLUSTER)
    assert base is not None
    return ReferenceModel(world(clusters=(dataclasses.replace(base, **changes),)))  # type: ignore[arg-type]


@pytest.mark.requirement("CKS-CONNECT-001", "CKS-DESCRIBE-010")
def test_connect_passes_through_connecting(model: ReferenceModel) -> None:
    store_id = created(model, public_request())
    assert model.connect_custom_key_store(ident(store_id)).deterministic
    model.execute("ConnectCustomKeyStore", ident(store_id))
    assert model.stores[store_id].state == "CONNECTING"
    check = model.describe_custom_key_stores({}).response
    assert check is not None
    entry = model.execute("DescribeCustomKeyStores", {}).response["CustomKeyStores"][0]
    for state in ("CONNECTING", "CONNECTED"):
        assert check.mismatches({"CustomKeyStores": [{**entry, "ConnectionState": state}]}) == ()
    assert check.mismatches({"CustomKeyStores": [{**entry, "ConnectionState": "DISCONNECTED"}]})
    assert model.settle(store_id) == Settlement("CONNECTED")
    assert model.stores[store_id].state == "CONNECTED"


@pytest.mark.requirement("CKS-CONNECT-002")
def test_connect_when_connected_or_connecting_is_open(model: ReferenceModel) -> None:
    store_id = created(model, public_request())
    model.execute("ConnectCustomKeyStore", ident(store_id))
    for _ in ("CONNECTING", "CONNECTED"):
        expectation = model.connect_custom_key_store(ident(store_id))
        assert expectation.success and expectation.errors == {INVALID_STATE}
        assert expectation.open_questions == ("OQ-19",)
        before = model.stores[store_id]
        model.apply("ConnectCustomKeyStore", ident(store_id), Outcome.success())
        assert model.stores[store_id] == before  # an accepted repeat Connect changes nothing
        if before.settlements:
            model.settle(store_id)


@pytest.mark.requirement("CKS-CONNECT-003")
def test_connect_is_refused_while_disconnecting_or_failed(model: ReferenceModel) -> None:
    store_id = connected(model, public_request())
    model.execute("DisconnectCustomKeyStore", ident(store_id))
    assert model.connect_custom_key_store(ident(store_id)).errors == {INVALID_STATE}
    model.settle(store_id)
    model.set_world(world(proxies=()))
    model.execute("ConnectCustomKeyStore", ident(store_id))
    model.settle(store_id)
    assert model.stores[store_id].state == "FAILED"
    assert model.connect_custom_key_store(ident(store_id)).errors == {INVALID_STATE}


@pytest.mark.requirement("CKS-CONNECT-004")
@pytest.mark.parametrize(
    ("changes", "codes"),
    [
        ({"kmsuser": KmsUserState.LOCKED_OUT}, {"USER_LOCKED_OUT"}),
        ({"kmsuser": KmsUserState.LOGGED_IN}, {"USER_LOGGED_IN"}),
        ({"kmsuser": KmsUserState.NOT_FOUND}, {"USER_NOT_FOUND"}),
        ({"kmsuser_password": "rotated-elsewhere"}, {"INVALID_CREDENTIALS"}),
        ({"hsm_count": 0}, {"INSUFFICIENT_CLOUDHSM_HSMS"}),
        (
            {"network_ok": False},
            {"SUBNET_NOT_FOUND", "INSUFFICIENT_FREE_ADDRESSES_IN_SUBNET", "NETWORK_ERRORS"},
        ),
        ({}, {None}),
    ],
)
def test_cloudhsm_connect_failures_carry_the_matching_code(
    changes: dict[str, object], codes: set[str | None]
) -> None:
    model = ReferenceModel(world())
    store_id = created(model, hsm_request())
    base = world().cluster(CLUSTER)
    assert base is not None
    model.set_world(world(clusters=(dataclasses.replace(base, **changes),)))  # type: ignore[arg-type]
    assert connect_outcomes(model, store_id) == codes
    gone = ReferenceModel(world())
    gone_id = created(gone, hsm_request())
    gone.set_world(world(clusters=()))
    assert connect_outcomes(gone, gone_id) == {"CLUSTER_NOT_FOUND"}


@pytest.mark.requirement("CKS-CONNECT-005")
@pytest.mark.parametrize(
    ("behaviour", "codes"),
    [
        (ProxyBehaviour.HEALTHY, {None}),
        (ProxyBehaviour.UNREACHABLE, {"XKS_PROXY_NOT_REACHABLE", "NETWORK_ERRORS"}),
        (ProxyBehaviour.ALL_EKMS_UNAVAILABLE, {"XKS_PROXY_NOT_REACHABLE"}),
        (ProxyBehaviour.TIMEOUT, {"XKS_PROXY_TIMED_OUT"}),
        (ProxyBehaviour.BAD_TLS, {"XKS_PROXY_INVALID_TLS_CONFIGURATION"}),
        (ProxyBehaviour.INVALID_RESPONSE, {"XKS_PROXY_INVALID_RESPONSE"}),
        (ProxyBehaviour.WRONG_URI_PATH, {"XKS_PROXY_INVALID_CONFIGURATION"}),
        (ProxyBehaviour.WRONG_CREDENTIALS, {"INVALID_CREDENTIALS"}),
        (ProxyBehaviour.ACCESS_DENIED, {None, "XKS_PROXY_ACCESS_DENIED"}),
    ],
)
def test_xks_connect_failures_carry_the_matching_code(
    behaviour: ProxyBehaviour, codes: set[str | None]
) -> None:
    model = ReferenceModel(world())
    store_id = created(model, public_request())
    model.set_world(world(proxies=(XksProxy(PUBLIC_ENDPOINT, "/kms/xks/v1", behaviour),)))
    assert connect_outcomes(model, store_id) == codes


@pytest.mark.requirement("CKS-CONNECT-005")
def test_xks_connect_codes_for_credentials_and_vpc_services() -> None:
    model = ReferenceModel(world())
    public = created(model, public_request())
    vpc = created(model, vpc_request())
    picky = XksProxy(
        PUBLIC_ENDPOINT, "/kms/xks/v1", credentials=(ProxyCredential("B" * 20, "t" * 43),)
    )
    broken_service = dataclasses.replace(world().vpc_endpoint_services[0], conformant=False)
    model.set_world(
        world(proxies=(picky, *world().proxies[1:]), vpc_endpoint_services=(broken_service,))
    )
    assert connect_outcomes(model, public) == {"INVALID_CREDENTIALS"}
    assert connect_outcomes(model, vpc) == {"XKS_VPC_ENDPOINT_SERVICE_INVALID_CONFIGURATION"}
    model.execute("DisconnectCustomKeyStore", ident(vpc))
    model.settle(vpc)
    model.set_world(
        world(
            vpc_endpoint_services=(
                VpcEndpointService("com.amazonaws.vpce.us-east-1.vpce-svc-0unrelated00000000"),
            )
        )
    )
    assert connect_outcomes(model, vpc) == {"XKS_VPC_ENDPOINT_SERVICE_NOT_FOUND"}


@pytest.mark.requirement("CKS-CONNECT-006")
def test_connect_with_an_inactive_cluster_is_refused() -> None:
    model = ReferenceModel(world())
    store_id = created(model, hsm_request())
    model.set_world(cluster_world(active=False).world)
    assert model.connect_custom_key_store(ident(store_id)).errors == {
        "CloudHsmClusterNotActiveException"
    }
    model.set_world(cluster_world(hsm_count=0).world)
    empty = model.connect_custom_key_store(ident(store_id))
    assert empty.success and empty.errors == {"CloudHsmClusterInvalidConfigurationException"}


@pytest.mark.requirement("CKS-STATE-001", "CKS-STATE-008")
@pytest.mark.parametrize("start", ["CONNECTED", "CONNECTING", "FAILED"])
def test_disconnect_passes_through_disconnecting_and_clears_the_code(start: str) -> None:
    model = ReferenceModel(world())
    store_id = created(model, public_request())
    if start == "FAILED":
        model.set_world(world(proxies=()))
    model.execute("ConnectCustomKeyStore", ident(store_id))
    if start != "CONNECTING":
        model.settle(store_id)
    assert model.stores[store_id].state == start
    assert (model.stores[store_id].error_code is not None) == (start == "FAILED")
    assert model.execute("DisconnectCustomKeyStore", ident(store_id)).succeeded
    assert model.stores[store_id].state == "DISCONNECTING"
    assert model.stores[store_id].error_code is None
    assert model.settle(store_id) == Settlement("DISCONNECTED")


@pytest.mark.requirement("CKS-STATE-002")
def test_disconnect_is_refused_while_disconnected_or_disconnecting(model: ReferenceModel) -> None:
    store_id = created(model, public_request())
    assert model.disconnect_custom_key_store(ident(store_id)).errors == {INVALID_STATE}
    model.execute("ConnectCustomKeyStore", ident(store_id))
    model.execute("DisconnectCustomKeyStore", ident(store_id))
    assert model.disconnect_custom_key_store(ident(store_id)).errors == {INVALID_STATE}


@pytest.mark.requirement("CKS-STATE-003")
def test_delete_needs_disconnected(model: ReferenceModel) -> None:
    store_id = connected(model, public_request())
    assert model.delete_custom_key_store(ident(store_id)).errors == {INVALID_STATE}
    model.execute("DisconnectCustomKeyStore", ident(store_id))
    assert model.delete_custom_key_store(ident(store_id)).errors == {INVALID_STATE}
    model.settle(store_id)
    assert model.delete_custom_key_store(ident(store_id)).success


@pytest.mark.requirement("CKS-STATE-004")
def test_keys_block_delete_and_pending_deletion_ones_may(model: ReferenceModel) -> None:
    store_id = connected(model, hsm_request())
    key = model.execute("CreateKey", {"CustomKeyStoreId": store_id, "Origin": "AWS_CLOUDHSM"})
    key_id = key.response["KeyMetadata"]["KeyId"]
    both = model.delete_custom_key_store(ident(store_id))
    assert both.errors == {INVALID_STATE, "CustomKeyStoreHasCMKsException"}
    assert "OQ-20" in both.open_questions
    model.execute("ScheduleKeyDeletion", {"KeyId": key_id, "PendingWindowInDays": 7})
    model.execute("DisconnectCustomKeyStore", ident(store_id))
    model.settle(store_id)
    pending = model.delete_custom_key_store(ident(store_id))  # open: OQ-20
    assert pending.errors == {"CustomKeyStoreHasCMKsException"} and pending.success
    assert "OQ-20" in pending.open_questions
    model.complete_key_deletion(key_id)
    assert model.delete_custom_key_store(ident(store_id)).success


@pytest.mark.requirement("CKS-STATE-005")
def test_deleted_store_is_gone_and_its_name_reusable(model: ReferenceModel) -> None:
    store_id = created(model, public_request())
    assert model.execute("DeleteCustomKeyStore", ident(store_id)).succeeded
    assert model.stores == {}
    assert model.connect_custom_key_store(ident(store_id)).errors == {
        "CustomKeyStoreNotFoundException"
    }
    assert model.create_custom_key_store(public_request()).success


@pytest.mark.requirement("CKS-STATE-006")
@pytest.mark.parametrize(
    "operation",
    [
        "UpdateCustomKeyStore",
        "ConnectCustomKeyStore",
        "DisconnectCustomKeyStore",
        "DeleteCustomKeyStore",
    ],
)
def test_unknown_store_is_not_found(model: ReferenceModel, operation: str) -> None:
    assert model.predict(operation, ident("cks-00000000000000099")).errors == {
        "CustomKeyStoreNotFoundException"
    }


@pytest.mark.requirement("CKS-STATE-007")
def test_connected_is_sticky_when_the_backend_breaks(model: ReferenceModel) -> None:
    store_id = connected(model, public_request())
    model.set_world(world(proxies=()))
    assert model.stores[store_id].state == "CONNECTED"
    page = model.execute("DescribeCustomKeyStores", ident(store_id))
    assert page.response["CustomKeyStores"][0]["ConnectionState"] == "CONNECTED"


@pytest.mark.requirement("CKS-STATE-008", "CKS-DESCRIBE-009")
def test_error_code_is_reported_only_while_failed(model: ReferenceModel) -> None:
    store_id = created(model, public_request())
    model.set_world(world(proxies=()))
    model.execute("ConnectCustomKeyStore", ident(store_id))
    model.settle(store_id, Settlement("FAILED", "NETWORK_ERRORS"))
    entry = model.execute("DescribeCustomKeyStores", {}).response["CustomKeyStores"][0]
    assert entry["ConnectionErrorCode"] == "NETWORK_ERRORS"
    check = model.describe_custom_key_stores({}).response
    assert check is not None
    wrong = {**entry, "ConnectionErrorCode": "XKS_PROXY_TIMED_OUT"}
    assert check.mismatches({"CustomKeyStores": [wrong]})
    model.execute("DisconnectCustomKeyStore", ident(store_id))
    stale = {**entry, "ConnectionState": "DISCONNECTING"}
    assert model.describe_custom_key_stores({}).response.mismatches(  # type: ignore[union-attr]
        {"CustomKeyStores": [stale]}
    )


@pytest.mark.requirement("CKS-STATE-009")
def test_keys_are_unavailable_while_their_store_is_down(model: ReferenceModel) -> None:
    store_id = connected(model, public_request())
    key = model.execute(
        "CreateKey",
        {"CustomKeyStoreId": store_id, "Origin": "EXTERNAL_KEY_STORE", "XksKeyId": "ext-1"},
    )
    key_id = key.response["KeyMetadata"]["KeyId"]
    assert model.key_state(key_id) == "Enabled"
    model.execute("DisconnectCustomKeyStore", ident(store_id))
    assert model.key_state(key_id) == "Unavailable"
    model.execute("ScheduleKeyDeletion", {"KeyId": key_id})
    assert model.key_state(key_id) == "PendingDeletion"


@pytest.mark.requirement("CKS-CONNECT-001")
def test_settle_refuses_impossible_or_needless_settlements(model: ReferenceModel) -> None:
    store_id = created(model, public_request())
    with pytest.raises(ValueError, match="not in a transient state"):
        model.settle(store_id)
    model.execute("ConnectCustomKeyStore", ident(store_id))
    with pytest.raises(ValueError, match="cannot settle"):
        model.settle(store_id, Settlement("FAILED", "XKS_PROXY_TIMED_OUT"))
    assert model.stores[store_id].state == "CONNECTING"


@pytest.mark.requirement("CKS-SHAPE-022")
def test_every_predicted_connection_error_code_is_a_botocore_enum_value() -> None:
    codes: set[str] = set()
    base = world().cluster(CLUSTER)
    assert base is not None
    cluster_variants = [{"kmsuser": state} for state in KmsUserState] + [
        {"hsm_count": 0},
        {"network_ok": False},
        {"kmsuser_password": "x"},
    ]
    for changes in cluster_variants:
        model = ReferenceModel(world())
        store_id = created(model, hsm_request())
        model.set_world(world(clusters=(dataclasses.replace(base, **changes),)))  # type: ignore[arg-type]
        codes |= {c for c in connect_outcomes(model, store_id) if c}
    for behaviour in ProxyBehaviour:
        model = ReferenceModel(world())
        store_id = created(model, public_request())
        model.set_world(world(proxies=(XksProxy(PUBLIC_ENDPOINT, "/kms/xks/v1", behaviour),)))
        codes |= {c for c in connect_outcomes(model, store_id) if c}
    allowed = set(botocore_model.enum_values("ConnectionErrorCodeType"))
    assert codes <= allowed and len(codes) >= 12
