"""The environment every self-test and every process it starts runs in: hermetic.

A developer may have real AWS credentials, ``KSCHECK_AWS_OPT_IN=1`` and an account
allow-list exported for the nightly run, or the official XKS test client's variables
pointing at a real proxy. None of that may reach the suite's own tests: the self-tests
talk to loopback servers only. :func:`hermetic_environment` is what subprocesses get;
``tests/conftest.py`` applies the same filter to this process for the whole session.

>>> env = hermetic_environment({"KSCHECK_AWS_OPT_IN": "1", "AWS_PROFILE": "prod", "HOME": "/h"})
>>> sorted(env)
['AWS_CONFIG_FILE', 'AWS_EC2_METADATA_DISABLED', 'AWS_SHARED_CREDENTIALS_FILE', 'HOME']
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from conformance.targets.aws import ALLOW_LIST_VARIABLE, OPT_IN_VARIABLE
from conformance.targets.xks import TC_DEFAULTS

LEAKY_PREFIXES = ("AWS_", "KSCHECK_AWS_")
"""Credentials, profiles, endpoint overrides (``AWS_ENDPOINT_URL*``) and the AWS opt-in."""

LEAKY_NAMES = frozenset(
    {OPT_IN_VARIABLE, ALLOW_LIST_VARIABLE, "KSCHECK_CKS_TARGET", "BOTO_CONFIG", *TC_DEFAULTS}
)
"""The fence's variables, the checks' target override, and the official client's variables
(``XKS_PROXY_HOST`` and friends, which would point certify at an external proxy)."""

NOWHERE = {
    "AWS_CONFIG_FILE": os.devnull,  # no ~/.aws/config profile, region or endpoint
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,  # no ~/.aws/credentials
    "AWS_EC2_METADATA_DISABLED": "true",  # no instance-metadata credentials either
}


def is_leaky(name: str) -> bool:
    """Whether the variable `name` could let a self-test reach something outside loopback."""
    return name.startswith(LEAKY_PREFIXES) or name in LEAKY_NAMES


def hermetic_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """`base` (default: this process's environment) minus every leaky variable, with the
    AWS configuration and credential files pointed at nothing."""
    source = os.environ if base is None else base
    env = {name: value for name, value in source.items() if not is_leaky(name)}
    env.update(NOWHERE)
    return env
