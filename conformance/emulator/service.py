"""The emulator's brain: the reference model acting as KMS, fed by live XKS probes.

Each request is served under one lock: transient states left by earlier requests settle
first (so CONNECTING is visible to no one but is never skipped), then what KMS would learn
from the backends is learned for real (a signed GetHealthStatus or GetKeyMetadata to the
fake proxy that answers for the endpoint), then the model picks its canonical outcome.
Faults from :mod:`conformance.emulator.faults` bend this on purpose.

>>> from conformance.model import World
>>> from conformance.emulator.network import XksNetwork
>>> service = EmulatorService(World(), XksNetwork({}))
>>> service.handle("DescribeCustomKeyStores", {})
(200, {'CustomKeyStores': [], 'Truncated': False})
"""

from __future__ import annotations

import dataclasses
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from conformance.emulator.aws_like import INSTANT, READ_OPERATIONS, EmulatorTiming, RequestLog
from conformance.emulator.faults import validate_emulator_faults
from conformance.emulator.network import XksNetwork
from conformance.emulator.wire import error_body
from conformance.model import (
    CLIENT_SERIALIZATION_ERROR,
    PARAM_VALIDATION_ERROR,
    PLANNERS,
    SERIALIZATION_EXCEPTION,
    VALIDATION_EXCEPTION,
    ExternalKey,
    Outcome,
    ProxyBehaviour,
    ProxyCredential,
    ReferenceModel,
    StoreRecord,
    World,
    XksProxy,
)
from conformance.model.state import ModelState

_CLIENT_SIDE_TO_SERVER = {
    PARAM_VALIDATION_ERROR: VALIDATION_EXCEPTION,
    CLIENT_SERIALIZATION_ERROR: SERIALIZATION_EXCEPTION,
}
_NOT_FOUND = "CustomKeyStoreNotFoundException"
_NAME_MEMBERS = ("CustomKeyStoreName", "NewCustomKeyStoreName")


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


class EmulatorService:
    """KMS custom key store operations served from the model; see the module docstring."""

    def __init__(
        self,
        world: World,
        network: XksNetwork,
        *,
        faults: Iterable[str] = (),
        timing: EmulatorTiming = INSTANT,
        foreign_stores: Sequence[Mapping[str, Any]] = (),
        log: RequestLog | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._initial_world = world
        self.network = network
        self.faults = validate_emulator_faults(faults)
        self.timing = timing
        self.log = log or RequestLog()
        self._foreign = tuple(dict(entry) for entry in foreign_stores)
        self._clock = clock
        self._lock = threading.Lock()
        self._start_account()

    def _start_account(self) -> None:
        self.model = ReferenceModel(self._initial_world, client_validation=False)
        self.model.seed(self._foreign)
        self._transient_since: dict[str, float] = {}
        self._history: list[tuple[float, ModelState]] = [(self._clock(), self.model.snapshot())]

    def reset(self) -> None:
        """Forget every store and key: the account as it started (foreign stores included)."""
        with self._lock:
            self._start_account()

    def requests(self) -> list[dict[str, Any]]:
        """Every request served so far (see :class:`~conformance.emulator.aws_like.RequestLog`)."""
        return self.log.entries()

    # ------------------------------------------------------------------ entry point
    def handle(self, operation: str, request: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
        """Serve one operation; returns (HTTP status, JSON body)."""
        if operation not in PLANNERS:  # e.g. Encrypt: say so, as KMS does for unknown actions
            return 400, error_body("UnknownOperationException", f"{operation[:64]} is not served")
        arrived = self._clock()  # the audit's rate is the arrival rate, not the answer rate
        with self._lock:
            status, body = self._serve(operation, dict(request))
            error = body.get("__type") if status >= 400 else None
            self.log.record(arrived, operation, request, status, error)
            return status, body

    def _serve(self, operation: str, request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        self._settle_pending()
        if operation in READ_OPERATIONS and self.timing.visibility_lag_seconds > 0:
            return self._read_as_of_lag(operation, request)
        status, body = self._serve_now(operation, request)
        self._remember_change()
        return status, body

    def _serve_now(self, operation: str, request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        request = self._bend_request(operation, dict(request))
        early = self._learn_from_backends(operation, request)
        if early is not None:
            return 400, error_body(early, "the XKS proxy could not be used")
        if operation == "DeleteCustomKeyStore" and "delete_ignores_state" in self.faults:
            self._force_disconnect(request.get("CustomKeyStoreId"))
        if operation == "CreateKey" and "store_less_keys" in self.faults:
            invented = self._store_less_key(request)
            if invented is not None:
                return 200, invented
        outcome = self.model.execute(operation, request)
        return self._to_wire(operation, outcome)

    # ------------------------------------------------------------------ time
    def _settle_pending(self) -> None:
        """End transient states: at once (instant timing), or once they have lasted
        ``transition_seconds`` (AWS-like)."""
        now = self._clock()
        settled = False
        for store_id, store in list(self.model.stores.items()):
            if not store.settlements:
                self._transient_since.pop(store_id, None)
                continue
            since = self._transient_since.setdefault(store_id, now)
            if now - since >= self.timing.transition_seconds:
                self.model.settle(store_id)
                self._transient_since.pop(store_id, None)
                settled = True
        if settled:
            self._remember_change()

    def _remember_change(self) -> None:
        """Note when transient states began, and keep a snapshot for lagging reads (only as
        far back as the lag needs)."""
        now = self._clock()
        for store_id, store in self.model.stores.items():
            if store.settlements:
                self._transient_since.setdefault(store_id, now)
        if self.timing.visibility_lag_seconds <= 0:
            return
        self._history.append((now, self.model.snapshot()))
        horizon = now - self.timing.visibility_lag_seconds
        while len(self._history) > 1 and self._history[1][0] <= horizon:
            self._history.pop(0)

    def _read_as_of_lag(
        self, operation: str, request: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        """Answer a read from the account as it was ``visibility_lag_seconds`` ago."""
        horizon = self._clock() - self.timing.visibility_lag_seconds
        state = self._history[0][1]
        for moment, snapshot in self._history:
            if moment <= horizon:
                state = snapshot
        view = self.model.as_of(state)
        view.adopt_markers(self.model)
        outcome = view.execute(operation, self._bend_request(operation, dict(request)))
        self.model.adopt_markers(view)
        return self._to_wire(operation, outcome)

    def _store_less_key(self, request: Mapping[str, Any]) -> dict[str, Any] | None:
        """The store_less_keys fault: a key claiming a custom key store origin (or an unknown
        store's ID) is created without any store behind it, as some emulators do."""
        origin = request.get("Origin")
        store_id = request.get("CustomKeyStoreId")
        if origin not in ("EXTERNAL_KEY_STORE", "AWS_CLOUDHSM") and store_id is None:
            return None
        if store_id is not None and store_id in self.model.stores:
            return None
        key_id = str(uuid.uuid4())
        meta = {"KeyId": key_id, "Origin": origin or "AWS_KMS", "KeyState": "Enabled"}
        if store_id is not None:
            meta["CustomKeyStoreId"] = store_id
        return {"KeyMetadata": meta}

    def _force_disconnect(self, store_id: object) -> None:
        store = self.model.stores.get(store_id) if isinstance(store_id, str) else None
        if store is not None and store.state in ("CONNECTED", "FAILED"):
            self.model.execute("DisconnectCustomKeyStore", {"CustomKeyStoreId": store_id})
            self._settle_pending()

    # ------------------------------------------------------------------ backends
    def _learn_from_backends(self, operation: str, request: dict[str, Any]) -> str | None:
        """Probe what KMS would contact; returns an error code to answer at once (faults)."""
        if operation == "CreateCustomKeyStore":
            if request.get("XksProxyConnectivity") == "PUBLIC_ENDPOINT":
                self._probe(
                    _text(request.get("XksProxyUriEndpoint")),
                    _text(request.get("XksProxyUriPath")),
                    request.get("XksProxyAuthenticationCredential"),
                )
        elif operation in ("UpdateCustomKeyStore", "ConnectCustomKeyStore"):
            store = self._store(request)
            if store is not None and store.is_xks:
                merged = self._merged(store, request)
                behaviour = self._probe(*merged, operation=operation)
                if (
                    operation == "ConnectCustomKeyStore"
                    and "synchronous_connect_errors" in self.faults
                    and behaviour not in (None, ProxyBehaviour.HEALTHY)
                    and store.state == "DISCONNECTED"
                ):
                    return "XksProxyUriUnreachableException"
        elif operation == "CreateKey":
            self._probe_external_key(request)
        return None

    def _store(self, request: Mapping[str, Any]) -> StoreRecord | None:
        store_id = request.get("CustomKeyStoreId")
        return self.model.stores.get(store_id) if isinstance(store_id, str) else None

    @staticmethod
    def _merged(
        store: StoreRecord, request: Mapping[str, Any]
    ) -> tuple[str | None, str | None, object]:
        credential = request.get("XksProxyAuthenticationCredential") or {
            "AccessKeyId": store.access_key_id,
            "RawSecretAccessKey": store.raw_secret_access_key,
        }
        return (
            _text(request.get("XksProxyUriEndpoint")) or store.uri_endpoint,
            _text(request.get("XksProxyUriPath")) or store.uri_path,
            credential,
        )

    def _probe(
        self,
        endpoint: str | None,
        path: str | None,
        credential: object,
        *,
        operation: str = "CreateCustomKeyStore",
    ) -> ProxyBehaviour | None:
        connecting = operation == "ConnectCustomKeyStore"
        if endpoint is None or path is None or not isinstance(credential, Mapping):
            return None
        akid = _text(credential.get("AccessKeyId"))
        secret = _text(credential.get("RawSecretAccessKey"))
        if akid is None or secret is None:
            return None
        if ("proxy_not_checked" in self.faults and not connecting) or (
            "connect_always_succeeds" in self.faults and connecting
        ):
            behaviour = ProxyBehaviour.HEALTHY
        else:
            try:
                behaviour = self.network.probe_health(endpoint, path, akid, secret, operation)
            except (ValueError, UnicodeError):
                # not even a valid HTTP request (e.g. a newline in the key ID): KMS refuses
                # such input before contacting any proxy, so there is nothing to learn
                return None
        self._remember(endpoint, path, behaviour, ProxyCredential(akid, secret))
        return behaviour

    def _remember(
        self,
        endpoint: str,
        path: str,
        behaviour: ProxyBehaviour,
        credential: ProxyCredential,
        key: ExternalKey | None = None,
    ) -> None:
        world = self.model.world
        existing = world.proxy_at(endpoint, path)
        keys = tuple(
            k
            for k in (existing.external_keys if existing else ())
            if key is None or k.key_id != key.key_id
        )
        healthy = behaviour is ProxyBehaviour.HEALTHY
        entry = XksProxy(
            endpoint,
            path,
            behaviour,
            credentials=(credential,) if healthy else (),
            external_keys=(*keys, key) if key is not None else keys,
        )
        others = tuple(p for p in world.proxies if p is not existing)
        self.model.set_world(dataclasses.replace(world, proxies=(*others, entry)))

    def _probe_external_key(self, request: Mapping[str, Any]) -> None:
        store = self._store(request)
        key_id = _text(request.get("XksKeyId"))
        if store is None or not store.is_xks or key_id is None:
            return
        endpoint, path = store.uri_endpoint, store.uri_path
        akid, secret = store.access_key_id, store.raw_secret_access_key
        if endpoint is None or path is None or akid is None or secret is None:
            return
        key = self.network.probe_key(endpoint, path, akid, secret, key_id)
        existing = self.model.world.proxy_at(endpoint, path)
        behaviour = existing.behaviour if existing else ProxyBehaviour.HEALTHY
        if key is not None:
            self._remember(endpoint, path, behaviour, ProxyCredential(akid, secret), key)

    # ------------------------------------------------------------------ faults on the wire
    def _bend_request(self, operation: str, request: dict[str, Any]) -> dict[str, Any]:
        if "limit_ignored" in self.faults and operation == "DescribeCustomKeyStores":
            request.pop("Limit", None)
        if "name_length_unchecked" in self.faults:
            for member in _NAME_MEMBERS:
                value = request.get(member)
                if isinstance(value, str) and len(value) > 256:
                    request[member] = value[:256]
        return request

    def _to_wire(self, operation: str, outcome: Outcome) -> tuple[int, dict[str, Any]]:
        if outcome.error is not None:
            code = _CLIENT_SIDE_TO_SERVER.get(outcome.error, outcome.error)
            if code == _NOT_FOUND and "not_found_as_validation" in self.faults:
                code = VALIDATION_EXCEPTION
            status = 500 if code == "KMSInternalException" else 400
            if "client_errors_as_500" in self.faults:
                status = 500
            return status, error_body(code, f"{operation} refused: {code}")
        response = dict(outcome.response)
        if operation == "DescribeCustomKeyStores":
            response["CustomKeyStores"] = [
                self._bend_entry(dict(entry)) for entry in response.get("CustomKeyStores", [])
            ]
        return 200, response

    def _bend_entry(self, entry: dict[str, Any]) -> dict[str, Any]:
        if "creation_date_missing" in self.faults:
            entry.pop("CreationDate", None)
        if "error_code_missing" in self.faults:
            entry.pop("ConnectionErrorCode", None)
        configuration = entry.get("XksProxyConfiguration")
        if "owner_not_described" in self.faults and isinstance(configuration, dict):
            entry["XksProxyConfiguration"] = {
                k: v for k, v in configuration.items() if k != "VpcEndpointServiceOwner"
            }
        return entry
