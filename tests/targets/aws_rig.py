"""A loopback stand-in for an AWS sandbox account: the kscheck emulator serving KMS (behind a
recorder that sees every request as the server receives it) and moto's server for STS.

The aws target reaches both through boto3's own ``AWS_ENDPOINT_URL_KMS`` and
``AWS_ENDPOINT_URL_STS``, as the nightly rehearsal does; nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

from conformance.emulator.http_server import LoopbackServer
from conformance.emulator.scenario import RunningScenario, start_scenario
from conformance.emulator.service import EmulatorService
from conformance.emulator.wire import KmsJsonApplication, error_body
from conformance.model import ProxyBehaviour, XksProxy
from conformance.targets.aws import ALLOW_LIST_VARIABLE, OPT_IN_VARIABLE, AwsTarget
from conformance.targets.aws.clients import AwsClients
from conformance.targets.boto import kms_client
from conformance.targets.timing import Timing

MOTO_ACCOUNT = "123456789012"
"""The account moto's STS reports for any credential."""
REGION = "us-east-1"
RUN_ID = "abcd1234"
PREFIX = f"kscheck-{RUN_ID}-"
MUTATING = (
    "CreateCustomKeyStore",
    "UpdateCustomKeyStore",
    "ConnectCustomKeyStore",
    "DisconnectCustomKeyStore",
    "DeleteCustomKeyStore",
    "CreateKey",
    "ScheduleKeyDeletion",
)


@dataclass(frozen=True)
class Seen:
    """One request as the KMS server received it, with the recorder's clock."""

    operation: str
    request: Mapping[str, Any]
    at: float


@dataclass
class Recorder:
    """Wraps the emulator's handler: records requests; can lose a success (answering 500
    after the work was done) or fail without doing anything, per operation."""

    handle: Callable[[str, Mapping[str, Any]], tuple[int, dict[str, Any]]]
    clock: Callable[[], float] = time.monotonic
    seen: list[Seen] = field(default_factory=list)
    lose_answer_of: set[str] = field(default_factory=set)
    fail_before: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, operation: str, request: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.seen.append(Seen(operation, dict(request), self.clock()))
        if operation in self.fail_before:
            return 500, error_body("KMSInternalException", "lost before any work")
        status, body = self.handle(operation, request)
        if operation in self.lose_answer_of and status == 200:
            return 500, error_body("KMSInternalException", "the answer was lost")
        return status, body

    def of(self, *operations: str) -> list[Seen]:
        """The requests of these operations, in order."""
        with self._lock:
            return [s for s in self.seen if s.operation in operations]

    def naming(self, store_id: str, *operations: str) -> list[Seen]:
        """Requests of these operations naming `store_id`."""
        return [s for s in self.of(*operations) if s.request.get("CustomKeyStoreId") == store_id]


@dataclass
class KmsRig:
    """The emulator behind the recorder, reached at `url`."""

    url: str
    service: EmulatorService
    recorder: Recorder
    scenario: RunningScenario

    def reset(self) -> None:
        """An empty account, an empty record, the real clock, no lost answers."""
        self.service.reset()
        self.recorder.seen.clear()
        self.recorder.clock = time.monotonic
        self.recorder.lose_answer_of.clear()
        self.recorder.fail_before.clear()

    def store_names(self) -> dict[str, str]:
        """Store ID -> name, from the emulator's own records."""
        return {sid: s.name for sid, s in self.service.model.stores.items()}

    def healthy_proxy(self, hostname: str, tenant: int = 0) -> XksProxy:
        """A healthy proxy of the scenario's world at `hostname`."""
        found = [
            p
            for p in self.scenario.world.proxies
            if p.uri_endpoint == f"https://{hostname}" and p.behaviour is ProxyBehaviour.HEALTHY
        ]
        return found[tenant]

    def raw_kms(self) -> Any:
        """A client straight to the emulator, past every fence: "someone else" in the account."""
        return kms_client(self.url, region=REGION)


@contextmanager
def running_kms_rig() -> Iterator[KmsRig]:
    """Start the scenario's proxies and the emulator behind a recorder on loopback."""
    with start_scenario() as scenario:
        service = EmulatorService(scenario.world, scenario.network)
        recorder = Recorder(service.handle)
        with LoopbackServer(KmsJsonApplication(recorder)) as server:
            yield KmsRig(server.url, service, recorder, scenario)


@contextmanager
def running_moto_sts() -> Iterator[str]:
    """moto's threaded server on 127.0.0.1 (answers STS GetCallerIdentity)."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def point_boto3_at(patch: pytest.MonkeyPatch, kms_url: str, sts_url: str) -> None:
    """The rehearsal's environment: endpoints, throwaway credentials, the gate opened for
    moto's account."""
    patch.setenv("AWS_ENDPOINT_URL_KMS", kms_url)
    patch.setenv("AWS_ENDPOINT_URL_STS", sts_url)
    patch.setenv("AWS_ACCESS_KEY_ID", "AKIAKSCHECKREHEARSAL")
    patch.setenv("AWS_SECRET_ACCESS_KEY", "rehearsal-not-a-secret")
    patch.setenv("AWS_REGION", REGION)
    patch.setenv(OPT_IN_VARIABLE, "1")
    patch.setenv(ALLOW_LIST_VARIABLE, MOTO_ACCOUNT)


def aws_target(
    *, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep
) -> AwsTarget:
    """The aws target as the factory builds it, with the emulator's timing."""
    clients = AwsClients.for_region(REGION)
    return AwsTarget(
        clients.kms,
        clients.sts,
        kms_unvalidated=clients.kms_unvalidated,
        run_id=RUN_ID,
        timing=Timing.emulator(),
        clock=clock,
        sleep=sleep,
    )


def xks_request(proxy: XksProxy, name: str) -> dict[str, Any]:
    """CreateCustomKeyStore for a public-endpoint external key store on `proxy`."""
    credential = proxy.credentials[0]
    return {
        "CustomKeyStoreName": name,
        "CustomKeyStoreType": "EXTERNAL_KEY_STORE",
        "XksProxyUriEndpoint": proxy.uri_endpoint,
        "XksProxyUriPath": proxy.uri_path,
        "XksProxyConnectivity": "PUBLIC_ENDPOINT",
        "XksProxyAuthenticationCredential": {
            "AccessKeyId": credential.access_key_id,
            "RawSecretAccessKey": credential.raw_secret_access_key,
        },
    }


HSM_CLUSTERS = ("cluster-abcdefghijk", "cluster-cdefghijklm", "cluster-defghijklmn")


def hsm_request(name: str, cluster: int = 0) -> dict[str, Any]:
    """CreateCustomKeyStore for a CloudHSM store on one of the scenario's clusters."""
    anchors = {"cluster-abcdefghijk": "A", "cluster-cdefghijklm": "C", "cluster-defghijklmn": "D"}
    cluster_id = HSM_CLUSTERS[cluster]
    return {
        "CustomKeyStoreName": name,
        "CustomKeyStoreType": "AWS_CLOUDHSM",
        "CloudHsmClusterId": cluster_id,
        "TrustAnchorCertificate": f"-----BEGIN CERTIFICATE-----\n{anchors[cluster_id]}\n",
        "KeyStorePassword": "kmsuser-pass",
    }


class FakeClock:
    """A clock that moves only when something sleeps on it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


@pytest.fixture(scope="module")
def sts_url() -> Iterator[str]:
    """moto's STS for the module."""
    with running_moto_sts() as url:
        yield url


@pytest.fixture(scope="module")
def module_rig() -> Iterator[KmsRig]:
    """The emulator rig for the module."""
    with running_kms_rig() as rig:
        yield rig


@pytest.fixture
def rig(module_rig: KmsRig, sts_url: str, monkeypatch: pytest.MonkeyPatch) -> KmsRig:
    """An empty account, with boto3 pointed at it and the gate open for moto's account."""
    module_rig.reset()
    point_boto3_at(monkeypatch, module_rig.url, sts_url)
    return module_rig
