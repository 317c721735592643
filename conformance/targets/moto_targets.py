"""moto as a target: in process (``moto``) or as a real server on loopback (``moto-server``).

moto 5.x implements no custom key store operation, so both report UNSUPPORTED for them;
they are targets so that the day moto implements them, the suite measures it at once.

>>> from conformance.targets.moto_targets import MotoServerTarget
>>> MotoServerTarget.__name__
'MotoServerTarget'
"""

from __future__ import annotations

from importlib import metadata

from conformance.targets.boto import BotoTarget, kms_client


def moto_version() -> str:
    """The installed moto's version, for reports."""
    return metadata.version("moto")


class InProcessMotoTarget(BotoTarget):
    """moto's ``mock_aws`` in this process; boto3 calls never open a socket."""

    def __init__(self, region: str = "us-east-1") -> None:
        from moto import mock_aws

        self._mock = mock_aws()
        self._mock.start()
        super().__init__(
            "moto",
            kms_client(None, region=region),
            kms_client(None, region=region, parameter_validation=False),
        )
        self.version = moto_version()

    def close(self) -> None:
        """Close the clients and stop the mock."""
        super().close()
        self._mock.stop()


class MotoServerTarget(BotoTarget):
    """moto's threaded server on 127.0.0.1 (a real HTTP server), reached through boto3."""

    def __init__(self, region: str = "us-east-1") -> None:
        from moto.server import ThreadedMotoServer

        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint_url = f"http://{host}:{port}"
        super().__init__(
            "moto-server",
            kms_client(self.endpoint_url, region=region),
            kms_client(self.endpoint_url, region=region, parameter_validation=False),
        )
        self.version = moto_version()

    def close(self) -> None:
        """Close the clients and stop the server."""
        super().close()
        self._server.stop()
