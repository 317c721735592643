"""LocalStack as a target: found through its health endpoint, reached with its conventions.

LocalStack answers every account with the fixed credentials ``test``/``test`` and calls the
account ``000000000000``. Before any KMS call, ``GET <url>/_localstack/health`` must answer
and list ``kms`` as available or running; otherwise :class:`LocalStackNotRunningError` (a
:class:`~conformance.targets.base.TargetUnreachableError`) says so in one line, within
seconds. Without a URL, ``http://localhost.localstack.cloud:4566`` is tried, then
``http://127.0.0.1:4566`` (the name needs public DNS, which offline machines lack).

``nox -s localstack`` installs and starts LocalStack when none is running.

>>> localstack_urls("localstack=http://127.0.0.1:4599")
('http://127.0.0.1:4599',)
>>> localstack_urls("localstack")[1]
'http://127.0.0.1:4566'
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from conformance.targets.base import TargetUnreachableError
from conformance.targets.boto import BotoTarget, kms_client

DEFAULT_URLS = ("http://localhost.localstack.cloud:4566", "http://127.0.0.1:4566")
HEALTH_PATH = "/_localstack/health"
ACCESS_KEY_ID = "test"  # LocalStack's fixed, public credentials
SECRET_ACCESS_KEY = "test"
ACCOUNT_ID = "000000000000"
KMS_READY = ("available", "running")


class LocalStackNotRunningError(TargetUnreachableError):
    """No LocalStack with KMS answers at the URL(s) tried."""


def localstack_urls(name: str) -> tuple[str, ...]:
    """The URLs to try for a ``localstack[=URL]`` target name."""
    _, _, url = name.partition("=")
    return (url.rstrip("/"),) if url else DEFAULT_URLS


def health(url: str, *, timeout: float = 2.0) -> dict[str, Any] | None:
    """LocalStack's health document at `url`, or None when nothing sensible answers.

    >>> health("http://127.0.0.1:9", timeout=0.5) is None
    True
    """
    try:
        with urllib.request.urlopen(url + HEALTH_PATH, timeout=timeout) as answer:
            document = json.loads(answer.read(1 << 20))
    except (OSError, ValueError, urllib.error.URLError):
        return None
    return document if isinstance(document, dict) else None


def find_localstack(name: str) -> tuple[str, dict[str, Any]]:
    """The first URL of `name` whose health lists KMS as ready, with its health document.

    >>> find_localstack("localstack=http://127.0.0.1:9")
    Traceback (most recent call last):
    ...
    conformance.targets.localstack.LocalStackNotRunningError: LocalStack is not running (...)...
    """
    urls = localstack_urls(name)
    for url in urls:
        document = health(url)
        if document is None:
            continue
        services = document.get("services")
        state = services.get("kms") if isinstance(services, dict) else None
        if state not in KMS_READY:
            raise LocalStackNotRunningError(
                f"LocalStack at {url} does not serve KMS (kms: {state or 'absent'}); "
                "start it with SERVICES=kms"
            )
        return url, document
    raise LocalStackNotRunningError(
        f"LocalStack is not running ({HEALTH_PATH} did not answer at {' nor '.join(urls)}); "
        "start it with `nox -s localstack` or `localstack start`"
    )


class LocalStackTarget(BotoTarget):
    """LocalStack's KMS through boto3, with its ``test``/``test`` credentials.

    >>> LocalStackTarget.__name__
    'LocalStackTarget'
    """

    def __init__(self, url: str, version: str, region: str = "us-east-1") -> None:
        credentials = (ACCESS_KEY_ID, SECRET_ACCESS_KEY)
        super().__init__(
            "localstack",
            kms_client(url, region=region, credentials=credentials),
            kms_client(url, region=region, credentials=credentials, parameter_validation=False),
        )
        self.url = url
        self.version = version

    @classmethod
    def reach(cls, name: str, region: str = "us-east-1") -> LocalStackTarget:
        """Check the health endpoint, then build the target (LocalStackNotRunningError if no
        LocalStack with KMS answers)."""
        url, document = find_localstack(name)
        return cls(url, str(document.get("version", "")), region)
