"""Store names on their way to AWS and back: the run prefix, within the length budget.

Every name the checks generate gets the run prefix on the way out and loses it on the way
back, and the mapping keeps the name's validity (CustomKeyStoreNameType: 1..256 characters
in botocore's model):

* a name that fits with the prefix is sent as ``prefix + name``;
* a valid name too long for that is sent as a digest form of exactly the maximum length
  (``prefix + head + "~" + sha256``), so it stays valid and distinct;
* an over-long name is sent as ``prefix + name``: it stays over-long;
* an empty or non-string name is sent unchanged (it creates nothing).

Every mapping made is remembered, so the way back is a dictionary look-up and a collision
(two names, one AWS name) is refused instead of sent. Names the run never sent (other
people's stores) come back untouched.

>>> names = NameMap("kscheck-abcd-", max_length=20)
>>> names.outgoing("s1"), names.incoming("kscheck-abcd-s1"), names.incoming("prod")
('kscheck-abcd-s1', 's1', 'prod')
>>> long = names.outgoing("x" * 19)
>>> len(long), long.startswith("kscheck-abcd-"), names.incoming(long) == "x" * 19
(20, True, True)
>>> len(names.outgoing("y" * 21)) > 20, names.outgoing("")
(True, '')
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping

from conformance.spec.botocore_model import member_constraint
from conformance.targets.aws.account import AwsFenceError

NAME_MEMBERS = ("CustomKeyStoreName", "NewCustomKeyStoreName")
DIGEST_MARK = "~"
DIGEST_HEX = 64


def name_max_length() -> int:
    """CustomKeyStoreNameType's maximum length in the installed botocore (256)."""
    limit = member_constraint("CreateCustomKeyStore", "CustomKeyStoreName").max_length
    return 256 if limit is None else limit


class NameMap:
    """The run's injective, reversible name mapping (see the module docstring)."""

    def __init__(self, prefix: str, *, max_length: int | None = None) -> None:
        self.prefix = prefix
        self.max_length = name_max_length() if max_length is None else max_length
        self._to_aws: dict[str, str] = {}
        self._from_aws: dict[str, str] = {}
        self._lock = threading.Lock()

    def aws_form(self, name: str) -> str:
        """The AWS name of a non-empty string name (pure; :meth:`outgoing` records it)."""
        plain = self.prefix + name
        if len(plain) <= self.max_length or len(name) > self.max_length:
            return plain
        budget = self.max_length - len(self.prefix) - len(DIGEST_MARK)
        if budget < 1:  # a prefix that leaves no room (never with 256 characters)
            return plain
        digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()
        digest = digest[: min(DIGEST_HEX, budget)]
        head = name[: budget - len(digest)]
        return f"{self.prefix}{head}{DIGEST_MARK}{digest}"

    def outgoing(self, name: object) -> object:
        """The value to send for a generated name; remembered for the way back."""
        if not isinstance(name, str) or not name:
            return name
        sent = self.aws_form(name)
        with self._lock:
            owner = self._from_aws.setdefault(sent, name)
            if owner != name:
                raise AwsFenceError(
                    f"two names map to one AWS name ({len(sent)} characters); refusing to send"
                )
            self._to_aws[name] = sent
        return sent

    def incoming(self, name: object) -> object:
        """The name the checks sent, for an AWS name this run sent; anything else as is."""
        if not isinstance(name, str):
            return name
        with self._lock:
            return self._from_aws.get(name, name)

    def was_sent(self, name: object) -> bool:
        """Whether the checks have sent this (unprefixed) name before."""
        with self._lock:
            return isinstance(name, str) and name in self._to_aws

    def sent(self) -> Mapping[str, str]:
        """Every name mapped so far: generated name -> AWS name."""
        with self._lock:
            return dict(self._to_aws)
