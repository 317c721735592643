"""Validators of command-line values shared by the subcommands; each raises
:class:`~conformance.session.UsageError` naming the flag and the rule.

>>> port("--port", 8443)
8443
>>> try:
...     port("--port", 99999)
... except UsageError as error:
...     print(error)
--port 99999: must be a TCP port, 0-65535 (0: any free port)
"""

from __future__ import annotations

import re

from conformance.session import UsageError

_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")


def port(flag: str, value: int) -> int:
    """A TCP port to listen on (0 picks a free one)."""
    if not 0 <= value <= 65535:
        raise UsageError(f"{flag} {value}: must be a TCP port, 0-65535 (0: any free port)")
    return value


def region(flag: str, value: str) -> str:
    """An AWS Region name such as ``us-east-1``.

    >>> region("--region", "eu-west-3")
    'eu-west-3'
    """
    if not _REGION.fullmatch(value):
        raise UsageError(f"{flag} {value!r}: must be an AWS Region name like us-east-1")
    return value


def seed(flag: str, value: int | None) -> int | None:
    """A Hypothesis seed: 0..2**32-1 (None: a fresh one)."""
    if value is not None and not 0 <= value < 2**32:
        raise UsageError(f"{flag} {value}: must be between 0 and 4294967295")
    return value
