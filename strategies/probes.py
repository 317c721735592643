"""Pattern probes: ways to break a member's botocore pattern while keeping its lengths.

Two sources, both checked against the live pattern before use (a probe the pattern accepts
is simply dropped, so nothing here restates a constraint):

- mutations of a valid value: a suffix (trailing newline, ``:443``, ``/``, a path), an
  inserted character (space, ``\\``, ``é``, an Arabic-Indic digit...), ASCII digits swapped for
  Arabic-Indic ones (``\\d`` without ``re.ASCII`` would accept them), case swapped, a prefix;
- literal probes per member name: the spec digest's known traps (§2 regex notes), e.g.
  ``//kms/xks/v1``, ``/kms/xks/v100``, ``/kms/xks/v1/``, and doc examples that break their
  own pattern (``cluster-1a23b4cdefg``).

>>> "//kms/xks/v1" in LITERAL_PROBES["XksProxyUriPath"]
True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from conformance.spec.botocore_model import MemberConstraint
from strategies.secrets import redacted_secret

ARABIC_INDIC_DIGITS = str.maketrans("0123456789", "".join(chr(0x660 + d) for d in range(10)))

SUFFIXES: tuple[str, ...] = ("\n", " ", ":443", ":8443", "/", "/kms/xks/v1", "?a=b", "#", "\\")
"""Appended to a valid value: trailing newline, a port, a slash, a path, a query..."""

INSERTED_CHARACTERS: tuple[str, ...] = (
    " ", "\n", "\t", "!", "/", ":", "\\", "%", "@", "é",
    "\u0663", "\uff11", "A", "a", "_", ".", "-",
)  # fmt: skip
"""Inserted at a drawn position of a valid value."""

PREFIXES: tuple[str, ...] = ("/", "x", " ", "\n", "https://")

LITERAL_PROBES: dict[str, tuple[str, ...]] = {
    "XksProxyUriEndpoint": (
        "https://a",
        "http://example.com",
        "HTTPS://example.com",
        "https://example.com:443",
        "https://example.com/",
        "https://example.com/kms/xks/v1",
        "https://example.com\n",
        "https://exa_mple.com",
        "https://1.2.3.4:443",
        "https://user@example.com",
        "https://example.com\\kms",
    ),
    "XksProxyUriPath": (
        "//kms/xks/v1",
        "/kms/xks/v100",
        "/kms/xks/v1/",
        "/kms/xks/v1\n",
        "/kms/xks/v\u0661",
        "/prefix/kms/xks",
        "/prefix/path/only",
        "kms/xks/v1/abc",
        "/pre fix/kms/xks/v1",
        "/kms/xks/v1?a=b",
        "/kms/xks/v1.0",
    ),
    "CloudHsmClusterId": (
        "cluster-1a23b4cdefg",
        "cluster-abcdefghij1",
        "CLUSTER-abcdefghijk",
        "cluster-abcdefghijk\n",
        "cluster_abcdefghijk",
        "cluster-abcdefgh\u0663jk",
    ),
    "XksProxyVpcEndpointServiceName": (
        "org.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0",
        "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789ABCDEF0",
        "com.amazonaws.vpce.useast-1.vpce-svc-0123456789abcdef0",
        "com.amazonaws.vpce.us-east-\u0661.vpce-svc-0123456789abcdef0",
        "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0\n",
        "com.amazonaws.vpce.us-a-b-c-d-1.vpce-svc-0123456789abcdef0",
        "com.amazonaws.vpce.us-east-1.vpce-svc-",
    ),
    "XksProxyVpcEndpointServiceOwner": (
        "12345678901a",
        "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660\u0661\u0662",
        "12345678901\n",
        "-12345678901",
        "1234 5678901",
    ),
    "Marker": ("\n", "page\u0100", "\u2603"),
}
"""Known traps per member name; each is re-classified against the live shape when drawn."""


def literal_probes(c: MemberConstraint) -> tuple[str, ...]:
    """The literal probes for this member (none for sensitive members: they never print)."""
    if c.sensitive:
        return ()
    return LITERAL_PROBES.get(c.path.rsplit(".", 1)[-1], ())


BaseFor = Callable[[int, int], st.SearchStrategy[Any]]
"""Valid values of the member with a length in ``low..high``."""


def pattern_mutations(c: MemberConstraint, base_for: BaseFor) -> st.SearchStrategy[Any]:
    """Mutations of valid values meant to break the pattern (callers re-check and filter)."""
    low, high = c.min_length or 1, c.max_length or 256
    if c.sensitive:
        tails = st.sampled_from(SUFFIXES + INSERTED_CHARACTERS)
        return st.builds(
            redacted_secret,
            st.just(c.path),
            st.integers(low, high - 1),
            st.integers(0, 2**16),
            tails,
        )
    return _mutated(c, base_for)


@st.composite
def _mutated(draw: st.DrawFn, c: MemberConstraint, base_for: BaseFor) -> str:
    low, high = c.min_length or 1, c.max_length or 256
    how = draw(st.sampled_from(("suffix", "prefix", "insert", "swapcase", "digits")))
    if how in ("suffix", "prefix"):
        extra: str = draw(st.sampled_from(SUFFIXES if how == "suffix" else PREFIXES))
        base: str = draw(base_for(max(low - len(extra), 1), high - len(extra)))
        return base + extra if how == "suffix" else extra + base
    if how == "insert":
        base = draw(base_for(max(low - 1, 1), high - 1))
        at = draw(st.integers(0, len(base)))
        return base[:at] + draw(st.sampled_from(INSERTED_CHARACTERS)) + base[at:]
    base = draw(base_for(low, high))
    return base.swapcase() if how == "swapcase" else base.translate(ARABIC_INDIC_DIGITS)
