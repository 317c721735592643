"""The boto3 clients of the aws target and of ``kscheck sweep``: retries off, endpoints
from the environment.

With ``endpoint_url=None`` botocore (1.31 and later) reads ``AWS_ENDPOINT_URL_KMS`` and
``AWS_ENDPOINT_URL_STS`` (or ``AWS_ENDPOINT_URL``) by itself: that is how the rehearsal
points the target at ``kscheck emulator`` and moto's STS without any code path of its own.

>>> AwsClients.__name__
'AwsClients'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

from conformance.targets.boto import kms_client


@dataclass(frozen=True)
class AwsClients:
    """KMS (validating and not), and STS, for one Region."""

    kms: Any
    kms_unvalidated: Any
    sts: Any

    @classmethod
    def for_region(cls, region: str) -> AwsClients:
        """Clients with the default credential chain, retries off (one attempt)."""
        sts = boto3.client(
            "sts", region_name=region, config=Config(retries={"total_max_attempts": 1})
        )
        return cls(
            kms_client(None, region=region, credentials=None),
            kms_client(None, region=region, credentials=None, parameter_validation=False),
            sts,
        )

    def close(self) -> None:
        """Close every client's connection pool."""
        for client in (self.kms, self.kms_unvalidated, self.sts):
            client.close()
