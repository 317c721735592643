"""A target reached through a boto3 KMS client: any endpoint URL, moto, or AWS.

Retries are off (a retried request would hide what the target answered the first time) and
botocore's outcome is classified into an :class:`Observation`:
``ParamValidationError`` for client-side validation, the error code for service errors,
and *unsupported* for targets that do not implement an operation (moto raises
``NotImplementedError``, moto server answers 500 with an HTML page, others answer 501 or 400
``InvalidAction``).

>>> from conformance.targets.boto import kms_client
>>> kms_client("http://127.0.0.1:1", region="us-east-1").meta.region_name
'us-east-1'
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import boto3
import botocore.exceptions
from botocore import xform_name
from botocore.config import Config

from conformance.targets.base import TargetUnreachableError
from conformance.targets.observation import PARAM_VALIDATION_ERROR, Observation
from conformance.targets.support import SupportLedger

UNSUPPORTED_ERROR_CODES = frozenset(
    {"InvalidAction", "UnsupportedOperation", "UnknownOperationException", "NotImplemented"}
)

# Throwaway credentials for local targets; they sign requests that never leave loopback.
LOCAL_ACCESS_KEY_ID = "AKIAKSCHECKLOCAL0000"
LOCAL_SECRET_ACCESS_KEY = "kscheck-local-not-a-secret"


def kms_client(
    endpoint_url: str | None,
    *,
    region: str,
    parameter_validation: bool = True,
    credentials: tuple[str, str] | None = (LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY),
    max_attempts: int = 1,
) -> Any:
    """A boto3 KMS client with retries off (one attempt in all) and short timeouts.

    botocore reads ``retries["max_attempts"]`` as the number of *retries* (1 means two
    attempts), so the total is given as ``total_max_attempts``.

    >>> kms_client("http://127.0.0.1:1", region="us-east-1").meta.config.retries
    {'total_max_attempts': 1, 'mode': 'standard'}
    """
    config = Config(
        retries={"total_max_attempts": max_attempts, "mode": "standard"},
        parameter_validation=parameter_validation,
        connect_timeout=5,
        read_timeout=30,
    )
    kwargs: dict[str, Any] = {"region_name": region, "config": config}
    if endpoint_url is not None:
        kwargs["endpoint_url"] = endpoint_url
    if credentials is not None:
        kwargs["aws_access_key_id"], kwargs["aws_secret_access_key"] = credentials
    return boto3.client("kms", **kwargs)


#: How long reset() waits for a store it disconnects to reach DISCONNECTED.
RETIRE_SECONDS = 10.0


def _looks_unsupported(status: int | None, code: str, message: str) -> str | None:
    said = " ".join(message.split())[:160]
    if status == 501:
        return f"HTTP 501 {code}: {said}" if said else "HTTP 501"
    if code in UNSUPPORTED_ERROR_CODES:
        return f"error {code}: {said}" if said else f"error {code}"
    if status == 500 and message.lstrip().lower().startswith(("<!doctype", "<html")):
        return "HTTP 500 with an HTML page (moto server's answer for unimplemented actions)"
    return None


class UnsendableRequestError(ValueError):
    """botocore cannot serialise the request at all (e.g. bytes or None where JSON needs a
    string, with client-side validation off): nothing was sent."""


class BotoTarget:
    """A target behind a boto3 KMS client.

    `client_without_validation` (optional) sends requests that botocore's client-side
    validation would refuse, so the server-side layer can be observed too.
    """

    #: The HTTP endpoint preflight may probe; None for in-process targets (moto) and AWS.
    endpoint_url: str | None = None

    def __init__(
        self,
        name: str,
        client: Any,
        client_without_validation: Any = None,
        *,
        endpoint_url: str | None = None,
    ) -> None:
        self.name = name
        self._client = client
        self._raw_client = client_without_validation
        self.support = SupportLedger()
        self._created: list[str] = []  # stores this client created, to retire in reset()
        if endpoint_url is not None:
            self.endpoint_url = endpoint_url

    def call(self, operation: str, request: Mapping[str, Any]) -> Observation:
        """Send one operation through the validating client."""
        return self._send(self._client, operation, request)

    def call_unvalidated(self, operation: str, request: Mapping[str, Any]) -> Observation:
        """Send one operation with botocore's client-side validation switched off."""
        client = self._raw_client or self._client
        return self._send(client, operation, request)

    def _send(self, client: Any, operation: str, request: Mapping[str, Any]) -> Observation:
        method = getattr(client, xform_name(operation))
        try:
            response = dict(method(**dict(request)))
        except botocore.exceptions.ParamValidationError as error:
            return Observation(
                operation, error_code=PARAM_VALIDATION_ERROR, error_message=str(error)
            )
        except (TypeError, AttributeError) as error:
            raise UnsendableRequestError(f"{operation}: botocore cannot serialise it") from error
        except NotImplementedError as error:
            reason = f"NotImplementedError: {error}"[:300]
            self.support.note(operation, reason)
            return Observation(operation, unsupported_reason=reason)
        except botocore.exceptions.ClientError as error:
            details = error.response.get("Error", {})
            code = str(details.get("Code", "Unknown"))
            message = str(details.get("Message", ""))
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            unsupported = _looks_unsupported(status, code, message)
            if unsupported is not None:
                self.support.note(operation, unsupported)
                return Observation(operation, http_status=status, unsupported_reason=unsupported)
            return Observation(
                operation, error_code=code, http_status=status, error_message=message
            )
        except (
            botocore.exceptions.EndpointConnectionError,
            botocore.exceptions.ConnectionClosedError,
            botocore.exceptions.ReadTimeoutError,
            botocore.exceptions.ConnectTimeoutError,
        ) as error:
            raise TargetUnreachableError(f"{self.name}: {error}") from error
        status = response.pop("ResponseMetadata", {}).get("HTTPStatusCode")
        if operation == "CreateCustomKeyStore" and isinstance(
            response.get("CustomKeyStoreId"), str
        ):
            self._created.append(response["CustomKeyStoreId"])
        return Observation(operation, response=response, http_status=status)

    def reset(self) -> None:
        """Put the account back as the run found it, as far as this client can: every store
        it created is disconnected and deleted (one that still holds keys stays, and is
        tried again next time). Stores it did not create are never touched."""
        for store_id in list(self._created):
            if self._retire(store_id):
                self._created.remove(store_id)

    def _state_of(self, store_id: str) -> str | None:
        seen = self._send(self._client, "DescribeCustomKeyStores", {"CustomKeyStoreId": store_id})
        entries = (seen.response or {}).get("CustomKeyStores") or []
        return str(entries[0].get("ConnectionState")) if entries else None

    def _retire(self, store_id: str) -> bool:
        """Disconnect (waiting a bounded time for DISCONNECTED) and delete one store; True
        when it is gone."""
        state = self._state_of(store_id)
        if state is None:
            return True
        if state != "DISCONNECTED":
            if state != "DISCONNECTING":
                self._send(self._client, "DisconnectCustomKeyStore", {"CustomKeyStoreId": store_id})
            deadline = time.monotonic() + RETIRE_SECONDS
            while state != "DISCONNECTED" and time.monotonic() < deadline:
                time.sleep(0.2)  # polls a state, with a deadline
                state = self._state_of(store_id)
        deleted = self._send(self._client, "DeleteCustomKeyStore", {"CustomKeyStoreId": store_id})
        return deleted.succeeded or deleted.error_code == "CustomKeyStoreNotFoundException"

    def close(self) -> None:
        """Close the clients' connection pools."""
        for client in (self._client, self._raw_client):
            if client is not None:
                client.close()
