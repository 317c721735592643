"""Example-based checks of the cross-field, backend and uniqueness rules.

Each request is judged by the model: these checks choose the situation, the model says what
KMS may answer, and a mismatch names the rule.
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance.checks.cks.inputs import WRONG_ACCESS_KEY_ID, WRONG_SECRET, BackendInputs
from conformance.checks.cks.judge import judge, settle
from conformance.model import ProxyBehaviour, ReferenceModel
from conformance.targets.factory import PreparedTarget

CREATE = "CreateCustomKeyStore"
UPDATE = "UpdateCustomKeyStore"


def create(model: ReferenceModel, target: PreparedTarget, config: dict[str, Any]) -> str | None:
    outcome = judge(model, target.target, CREATE, config)
    return str(outcome.response["CustomKeyStoreId"]) if outcome.succeeded else None


def describe_all(model: ReferenceModel, target: PreparedTarget) -> None:
    judge(model, target.target, "DescribeCustomKeyStores", {})


@pytest.mark.requirement(
    "CKS-HSM-001",
    "CKS-HSM-002",
    "CKS-HSM-004",
    "CKS-UNIQ-007",
    "CKS-SECRET-001",
    "CKS-DESCRIBE-006",
    "CKS-CREATE-002",
)
def test_a_cloudhsm_store_needs_a_free_active_cluster_and_its_trust_anchor(
    fresh: PreparedTarget, model: ReferenceModel, inputs: BackendInputs
) -> None:
    ready = inputs.ready_cluster()
    related, unrelated = inputs.related_cluster(ready), inputs.unrelated_cluster(ready)
    inactive = inputs.cluster_index("that is not active", lambda c: not c.active)
    first = inputs.cloudhsm_config("hsm-a", ready)  # no CustomKeyStoreType: CloudHSM by default
    assert "CustomKeyStoreType" not in first
    assert create(model, fresh, first) is not None
    create(model, fresh, inputs.cloudhsm_config("hsm-b", related))  # shares backup history
    wrong_anchor = {**inputs.cloudhsm_config("hsm-c", unrelated), "TrustAnchorCertificate": "x"}
    create(model, fresh, wrong_anchor)
    create(model, fresh, inputs.cloudhsm_config("hsm-d", inactive))
    any_other = 3 if len(fresh.world.clusters) > 3 else unrelated  # its ID is replaced
    create(
        model,
        fresh,
        {
            **inputs.cloudhsm_config("hsm-e", any_other),
            "CloudHsmClusterId": "cluster-nosuchcluster",
        },
    )
    describe_all(model, fresh)


@pytest.mark.requirement(
    "CKS-VPC-001",
    "CKS-VPC-002",
    "CKS-VPC-004",
    "CKS-VPC-005",
    "CKS-OWNER-008",
    "CKS-CREATE-005",
    "CKS-CONNECT-005",
)
@pytest.mark.parametrize(
    "spoil",
    [
        "endpoint-not-the-dns-name",
        "unknown-service",
        "other-region",
        "eu-partition",
        "unknown-owner",
        "no-service-name",
    ],
)
def test_a_vpc_store_needs_its_endpoint_service(
    fresh: PreparedTarget, model: ReferenceModel, inputs: BackendInputs, spoil: str
) -> None:
    config = inputs.vpc_config("vpc-spoilt", inputs.service_index())
    service = config["XksProxyVpcEndpointServiceName"]
    region = fresh.world.region
    if spoil == "endpoint-not-the-dns-name":
        config["XksProxyUriEndpoint"] = f"https://{inputs.second_healthy_host()}"
    elif spoil == "unknown-service":
        config["XksProxyVpcEndpointServiceName"] = service[:-4] + "ffff"
    elif spoil == "other-region":
        other = "us-west-2" if region != "us-west-2" else "us-east-1"
        config["XksProxyVpcEndpointServiceName"] = service.replace(f".{region}.", f".{other}.")
    elif spoil == "eu-partition":
        config["XksProxyVpcEndpointServiceName"] = "eu" + service.removeprefix("com")
    elif spoil == "unknown-owner":
        config["XksProxyVpcEndpointServiceOwner"] = "999999999999"
    else:
        del config["XksProxyVpcEndpointServiceName"]
    store = create(model, fresh, config)
    if store is not None:  # Create need not look at the service (OQ-7); Connect must
        judge(model, fresh.target, "ConnectCustomKeyStore", {"CustomKeyStoreId": store})
        settle(model, fresh.target, store)
        describe_all(model, fresh)
    describe_all(model, fresh)


@pytest.mark.requirement(
    "CKS-UNIQ-002", "CKS-UNIQ-003", "CKS-UNIQ-004", "CKS-UNIQ-005", "CKS-UNIQ-006"
)
def test_external_key_stores_do_not_share_endpoints_or_services(
    fresh: PreparedTarget, model: ReferenceModel, inputs: BackendInputs
) -> None:
    healthy = inputs.place(ProxyBehaviour.HEALTHY)
    own, foreign = inputs.service_index(), inputs.service_index(own=False)
    services = fresh.world.vpc_endpoint_services
    assert create(model, fresh, inputs.public_config("pub-a", healthy, path_index=0))
    create(model, fresh, inputs.public_config("pub-b", healthy, path_index=0))  # same URI
    create(model, fresh, inputs.public_config("pub-c", healthy, path_index=1))  # other path
    assert create(model, fresh, inputs.vpc_config("vpc-a", own))
    vpc_host = services[own].private_dns_name
    create(model, fresh, inputs.public_config("pub-d", vpc_host, path_index=1))  # VPC endpoint
    create(model, fresh, inputs.vpc_config("vpc-b", own))  # same service and endpoint
    unused = services[foreign].private_dns_name  # no store's endpoint
    other_endpoint = {
        **inputs.vpc_config("vpc-c", own),
        "XksProxyUriEndpoint": f"https://{unused}",
    }
    create(model, fresh, other_endpoint)  # same service, another endpoint
    describe_all(model, fresh)


@pytest.mark.requirement(
    "CKS-UPDATE-001",
    "CKS-UPDATE-003",
    "CKS-UPDATE-006",
    "CKS-OWNER-005",
    "CKS-OWNER-006",
    "CKS-UPDATE-010",
)
def test_an_external_key_store_updates_hot_fields_while_connected_and_cold_ones_only_disconnected(
    fresh: PreparedTarget, model: ReferenceModel, inputs: BackendInputs
) -> None:
    own = inputs.service_index()
    second = inputs.second_healthy_host()
    store = create(model, fresh, inputs.vpc_config("vpc-upd", own))
    assert store is not None
    host = fresh.world.vpc_endpoint_services[own].private_dns_name
    path = inputs.path(host)
    by_id = {"CustomKeyStoreId": store}
    judge(model, fresh.target, "ConnectCustomKeyStore", by_id)
    settle(model, fresh.target, by_id["CustomKeyStoreId"])
    describe_all(model, fresh)
    judge(model, fresh.target, UPDATE, {**by_id, "NewCustomKeyStoreName": "vpc-renamed"})
    judge(
        model,
        fresh.target,
        UPDATE,
        {**by_id, "XksProxyAuthenticationCredential": inputs.credential(host, path, 1)},
    )
    judge(model, fresh.target, UPDATE, {**by_id, "XksProxyVpcEndpointServiceOwner": "444455556666"})
    judge(model, fresh.target, UPDATE, {**by_id, "XksProxyUriEndpoint": f"https://{host}"})
    judge(
        model,
        fresh.target,
        UPDATE,
        {
            **by_id,
            "NewCustomKeyStoreName": "mixed",
            "XksProxyUriEndpoint": f"https://{second}",
        },
    )
    judge(model, fresh.target, "DisconnectCustomKeyStore", by_id)
    settle(model, fresh.target, by_id["CustomKeyStoreId"])
    describe_all(model, fresh)
    describe_all(model, fresh)
    own_account = {"XksProxyVpcEndpointServiceOwner": fresh.world.account_id}
    judge(model, fresh.target, UPDATE, {**by_id, **own_account})
    describe_all(model, fresh)


@pytest.mark.requirement("CKS-UPDATE-007", "CKS-UPDATE-008", "CKS-DESCRIBE-008")
def test_switching_connectivity_needs_its_companion_members(
    fresh: PreparedTarget, model: ReferenceModel, inputs: BackendInputs
) -> None:
    own = inputs.service_index()
    second = inputs.second_healthy_host()
    store = create(model, fresh, inputs.vpc_config("switching", own))
    assert store is not None
    by_id = {"CustomKeyStoreId": store}
    public = {**by_id, "XksProxyConnectivity": "PUBLIC_ENDPOINT"}
    judge(model, fresh.target, UPDATE, public)  # no new endpoint
    path = inputs.path(second)
    switched = {
        **public,
        "XksProxyUriEndpoint": f"https://{second}",
        "XksProxyUriPath": path,
        "XksProxyAuthenticationCredential": inputs.credential(second, path),
    }
    assert judge(model, fresh.target, UPDATE, switched).succeeded
    describe_all(model, fresh)
    vpc = {**by_id, "XksProxyConnectivity": "VPC_ENDPOINT_SERVICE"}
    judge(model, fresh.target, UPDATE, vpc)  # no endpoint, no service
    service = fresh.world.vpc_endpoint_services[own]
    judge(
        model,
        fresh.target,
        UPDATE,
        {**vpc, "XksProxyUriEndpoint": f"https://{service.private_dns_name}"},
    )  # no service
    describe_all(model, fresh)


@pytest.mark.requirement("CKS-UPDATE-004", "CKS-UPDATE-005", "CKS-UPDATE-009", "CKS-HSM-005")
def test_a_cloudhsm_store_is_renamed_while_connected_but_changes_cluster_only_disconnected(
    fresh: PreparedTarget, model: ReferenceModel, inputs: BackendInputs
) -> None:
    ready = inputs.ready_cluster()
    related, unrelated = inputs.related_cluster(ready), inputs.unrelated_cluster(ready)
    store = create(model, fresh, inputs.cloudhsm_config("hsm-upd", ready))
    assert store is not None
    by_id = {"CustomKeyStoreId": store}
    judge(model, fresh.target, "ConnectCustomKeyStore", by_id)
    settle(model, fresh.target, by_id["CustomKeyStoreId"])
    describe_all(model, fresh)
    judge(model, fresh.target, UPDATE, {**by_id, "NewCustomKeyStoreName": "hsm-renamed"})
    judge(model, fresh.target, UPDATE, {**by_id, "KeyStorePassword": "another-password"})
    judge(model, fresh.target, "DisconnectCustomKeyStore", by_id)
    settle(model, fresh.target, by_id["CustomKeyStoreId"])
    describe_all(model, fresh)
    describe_all(model, fresh)
    clusters = fresh.world.clusters
    judge(
        model, fresh.target, UPDATE, {**by_id, "CloudHsmClusterId": clusters[unrelated].cluster_id}
    )
    judge(model, fresh.target, UPDATE, {**by_id, "CloudHsmClusterId": clusters[related].cluster_id})
    describe_all(model, fresh)
    judge(model, fresh.target, UPDATE, {**by_id, "XksProxyUriPath": "/kms/xks/v1"})  # OQ-13
    describe_all(model, fresh)


@pytest.mark.requirement("CKS-XKS-009", "CKS-XKS-004", "CKS-XKS-005", "CKS-UPDATE-010")
def test_an_update_is_checked_against_the_proxy_with_its_new_values(
    fresh: PreparedTarget, model: ReferenceModel, inputs: BackendInputs
) -> None:
    host = inputs.place(ProxyBehaviour.HEALTHY)
    store = create(model, fresh, inputs.public_config("checked", host))
    assert store is not None
    by_id = {"CustomKeyStoreId": store}
    wrong = {"AccessKeyId": WRONG_ACCESS_KEY_ID, "RawSecretAccessKey": WRONG_SECRET}
    judge(model, fresh.target, UPDATE, {**by_id, "XksProxyAuthenticationCredential": wrong})
    judge(model, fresh.target, UPDATE, {**by_id, "XksProxyUriPath": "/not/served/kms/xks/v1"})
    describe_all(model, fresh)  # neither change was applied
    judge(model, fresh.target, "ConnectCustomKeyStore", by_id)
    settle(model, fresh.target, by_id["CustomKeyStoreId"])
    describe_all(model, fresh)
    judge(model, fresh.target, UPDATE, {**by_id, "XksProxyAuthenticationCredential": wrong})
    describe_all(model, fresh)


@pytest.mark.requirement("CKS-OWNER-003", "CKS-OWNER-004", "CKS-XKS-002")
def test_members_the_docs_leave_open_are_ignored_or_refused(
    fresh: PreparedTarget, model: ReferenceModel, inputs: BackendInputs
) -> None:
    """An owner on a PUBLIC or CloudHSM store (OQ-1, OQ-2), a path version other than v1
    (OQ-15): each may be accepted or refused with the errors the model allows."""
    host = inputs.place(ProxyBehaviour.HEALTHY)
    second = inputs.second_healthy_host()
    ready = inputs.ready_cluster()
    owner = {"XksProxyVpcEndpointServiceOwner": fresh.world.account_id}
    create(model, fresh, {**inputs.public_config("owned-public", host), **owner})
    create(model, fresh, {**inputs.cloudhsm_config("owned-hsm", ready), **owner})
    versioned = inputs.public_config("versioned", second)
    versioned["XksProxyUriPath"] = versioned["XksProxyUriPath"].removesuffix("v1") + "v2"
    create(model, fresh, versioned)
    describe_all(model, fresh)
