"""The gate in front of real AWS: opt-in, account allow-list checked with STS, run prefix.

Nothing reaches KMS before :func:`verified_account` has passed. Stores a run creates are
named ``kscheck-<run id>-...``; the long-lived fixture store is ``kscheck_fixture`` (an
underscore, so it never matches a run prefix and no sweep ever touches it).

>>> sorted(parse_allow_list("111122223333, 444455556666"))
['111122223333', '444455556666']
>>> run_prefix("abcd1234"), is_run_store_name("kscheck-abcd1234-s1")
('kscheck-abcd1234-', True)
>>> is_run_store_name(FIXTURE_STORE_NAME), is_run_store_name("kscheck-ab-short-id")
(False, False)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import botocore.exceptions

OPT_IN_VARIABLE = "KSCHECK_AWS_OPT_IN"
ALLOW_LIST_VARIABLE = "KSCHECK_AWS_ACCOUNT_ALLOWLIST"
NAME_PREFIX = "kscheck-"
FIXTURE_STORE_NAME = "kscheck_fixture"
RUN_ID_PATTERN = re.compile(r"[a-z0-9]{4,16}", re.ASCII)
RUN_PREFIX_PATTERN = re.compile(r"kscheck-[a-z0-9]{4,16}-", re.ASCII)
"""What a store name left by any run starts with (what ``kscheck sweep`` touches)."""


class AwsFenceError(RuntimeError):
    """The AWS target refused to start or to send a request (the fence held)."""


def parse_allow_list(text: str) -> frozenset[str]:
    """Account IDs from a comma- or space-separated list; each must be 12 digits."""
    accounts = frozenset(part for part in re.split(r"[,\s]+", text.strip()) if part)
    bad = sorted(a for a in accounts if re.fullmatch(r"[0-9]{12}", a, re.ASCII) is None)
    if bad:
        raise AwsFenceError(f"{ALLOW_LIST_VARIABLE}: not 12-digit account IDs: {bad}")
    return accounts


def verified_account(sts: Any, environ: Mapping[str, str]) -> str:
    """The caller's account, once opt-in, allow-list and STS ``GetCallerIdentity`` agree."""
    if environ.get(OPT_IN_VARIABLE) != "1":
        raise AwsFenceError(
            f"the aws target is opt-in: set {OPT_IN_VARIABLE}=1 and {ALLOW_LIST_VARIABLE}"
        )
    allowed = parse_allow_list(environ.get(ALLOW_LIST_VARIABLE, ""))
    if not allowed:
        raise AwsFenceError(f"{ALLOW_LIST_VARIABLE} is empty: name the sandbox account(s)")
    try:
        account = str(sts.get_caller_identity()["Account"])
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
        raise AwsFenceError(
            f"STS GetCallerIdentity failed ({type(error).__name__}): {error}"
        ) from None
    if account not in allowed:
        raise AwsFenceError(f"account {account} is not on {ALLOW_LIST_VARIABLE}; refusing")
    return account


def run_prefix(run_id: str) -> str:
    """``kscheck-<run id>-``; the run ID is 4-16 lowercase letters or digits."""
    if RUN_ID_PATTERN.fullmatch(run_id) is None:
        raise AwsFenceError(f"run id {run_id!r}: must be 4-16 lowercase letters or digits")
    return f"{NAME_PREFIX}{run_id}-"


def is_run_store_name(name: object) -> bool:
    """Whether `name` is a store name some kscheck run created (never the fixture's)."""
    return isinstance(name, str) and RUN_PREFIX_PATTERN.match(name) is not None
