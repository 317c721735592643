"""moto as a target: in process (``moto``) or as a real server on loopback (``moto-server``).

moto 5.x implements no custom key store operation, so both report UNSUPPORTED for them;
they are targets so that the day moto implements them, the suite measures it at once.

>>> from conformance.targets.moto_targets import MotoServerTarget
>>> MotoServerTarget.__name__
'MotoServerTarget'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from conformance.targets.boto import BotoTarget, kms_client
from conformance.targets.observation import Observation


class InProcessMotoTarget:
    """moto's ``mock_aws`` in this process; boto3 calls never open a socket."""

    def __init__(self, region: str = "us-east-1") -> None:
        from moto import mock_aws

        self.name = "moto"
        self._mock = mock_aws()
        self._mock.start()
        self._inner = BotoTarget(
            "moto",
            kms_client(None, region=region),
            kms_client(None, region=region, parameter_validation=False),
        )

    def call(self, operation: str, request: Mapping[str, Any]) -> Observation:
        """Send one operation to moto's in-process backend."""
        return self._inner.call(operation, request)

    def call_unvalidated(self, operation: str, request: Mapping[str, Any]) -> Observation:
        """Send one operation with client-side validation off."""
        return self._inner.call_unvalidated(operation, request)

    def close(self) -> None:
        """Stop the mock."""
        self._inner.close()
        self._mock.stop()


class MotoServerTarget:
    """moto's threaded server on 127.0.0.1 (a real HTTP server), reached through boto3."""

    def __init__(self, region: str = "us-east-1") -> None:
        from moto.server import ThreadedMotoServer

        self.name = "moto-server"
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint_url = f"http://{host}:{port}"
        self._inner = BotoTarget(
            "moto-server",
            kms_client(self.endpoint_url, region=region),
            kms_client(self.endpoint_url, region=region, parameter_validation=False),
        )

    def call(self, operation: str, request: Mapping[str, Any]) -> Observation:
        """Send one operation to the moto server."""
        return self._inner.call(operation, request)

    def call_unvalidated(self, operation: str, request: Mapping[str, Any]) -> Observation:
        """Send one operation with client-side validation off."""
        return self._inner.call_unvalidated(operation, request)

    def close(self) -> None:
        """Close the client and stop the server."""
        self._inner.close()
        self._server.stop()
