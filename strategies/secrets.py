"""Secrets that never print: `Secret` values whose repr regenerates them without showing them.

A `Secret` is a `str` (so boto3, JSON and the model use it as is) whose repr is a call like
``redacted_secret('KeyStorePassword', 7, seed=12)``. That call rebuilds an equal value
deterministically from the botocore shape of the member, so a printed Hypothesis
counterexample replays while the secret itself never appears in logs or reports.

>>> s = redacted_secret("XksProxyAuthenticationCredential.RawSecretAccessKey", 43, seed=5)
>>> s
redacted_secret('XksProxyAuthenticationCredential.RawSecretAccessKey', 43, seed=5)
>>> len(s), s == redacted_secret("XksProxyAuthenticationCredential.RawSecretAccessKey", 43, seed=5)
(43, True)
"""

from __future__ import annotations

from random import Random
from typing import Any, overload

from conformance.spec.botocore_model import MemberConstraint, member_constraint
from strategies.patterns import PRINTABLE_ASCII, length_aware, random_chooser

SECRET_SOURCE_OPERATION = "CreateCustomKeyStore"
"""Secret members are looked up on this operation's input (Update uses the same shapes)."""


class Secret(str):
    """A string whose repr and pretty-print are a replayable, redacted constructor call."""

    recipe: str

    def __new__(cls, value: str, recipe: str) -> Secret:
        made = super().__new__(cls, value)
        made.recipe = recipe
        return made

    def __repr__(self) -> str:
        return self.recipe

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.recipe)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Secret, (str(self), self.recipe))


def _body(constraint: MemberConstraint, length: int, rng: Random) -> str:
    if constraint.pattern is None:
        return "".join(rng.choice(PRINTABLE_ASCII) for _ in range(length))
    cap = max(length, constraint.max_length or length) + 1
    pattern = length_aware(constraint.pattern, cap)
    if pattern.can_make(length):
        return pattern.make(length, random_chooser(rng))
    nearest = min(pattern.lengths(0, cap), key=lambda n: abs(n - length))
    made = pattern.make(nearest, random_chooser(rng))
    return (made * (length // max(len(made), 1) + 1))[:length]


def redacted_secret(member: str, length: int, seed: int = 0, tail: str = "") -> Secret:
    """A deterministic secret for `member`: `length` characters following its pattern, then `tail`.

    `member` is a dotted input path of CreateCustomKeyStore. `tail` (not secret) is how
    pattern violations are made, e.g. ``tail='\\n'`` for a trailing newline.

    >>> p = redacted_secret("KeyStorePassword", 6)
    >>> (len(p), repr(p))
    (6, "redacted_secret('KeyStorePassword', 6, seed=0)")
    """
    constraint = member_constraint(SECRET_SOURCE_OPERATION, member)
    value = _body(constraint, length, Random(f"{member}:{length}:{seed}")) + tail
    recipe = f"redacted_secret({member!r}, {length}, seed={seed}"
    recipe += f", tail={tail!r})" if tail else ")"
    return Secret(value, recipe)


@overload
def hidden_secret(member: str, value: str) -> Secret: ...
@overload
def hidden_secret(member: str, value: None) -> None: ...
@overload
def hidden_secret(member: str, value: str | None) -> Secret | None: ...
def hidden_secret(member: str, value: str | None) -> Secret | None:
    """`value` (a secret from elsewhere: a live proxy, a stored record) with a redacted repr.

    The repr is a string literal naming the member, so a printed counterexample stays valid
    Python without showing the secret; an existing `Secret` is returned unchanged.

    >>> hidden_secret("KeyStorePassword", "kmsuser-pass")
    '<redacted:KeyStorePassword>'
    >>> hidden_secret("KeyStorePassword", "kmsuser-pass") == "kmsuser-pass"
    True
    """
    if value is None or isinstance(value, Secret):
        return value
    return Secret(value, repr(f"<redacted:{member}>"))


def is_sensitive(operation: str, path: str) -> bool:
    """Whether botocore marks the member sensitive (its values must be `Secret`s)."""
    return member_constraint(operation, path).sensitive
