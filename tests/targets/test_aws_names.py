"""The run-prefix name mapping keeps every name's validity (1..256 characters), is
injective on what the run sends, and comes back exactly (properties, with Hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from conformance.targets.aws.names import NameMap, name_max_length

LIMIT = name_max_length()
PREFIXES = st.from_regex(r"kscheck-[a-z0-9]{4,16}-", fullmatch=True)
# lengths around every boundary: short, just fitting with the prefix, 256, 257, far beyond
LENGTHS = st.one_of(
    st.integers(1, 20),
    st.integers(LIMIT - 30, LIMIT + 2),
    st.integers(LIMIT + 3, 2 * LIMIT),
)
ALPHABET = st.sampled_from("ab~-_ \u00e9\U0001f511")


@st.composite
def names(draw: st.DrawFn) -> str:
    length = draw(LENGTHS)
    head = draw(st.text(ALPHABET, min_size=0, max_size=3))
    return (head * length + "x" * length)[:length]


def valid(name: object) -> bool:
    return isinstance(name, str) and 1 <= len(name) <= LIMIT


def test_the_budget_is_botocores() -> None:
    assert LIMIT == 256


@given(prefix=PREFIXES, name=names())
def test_validity_is_kept_both_ways(prefix: str, name: str) -> None:
    mapping = NameMap(prefix)
    sent = mapping.outgoing(name)
    assert isinstance(sent, str) and sent.startswith(prefix)
    assert valid(sent) == valid(name)
    assert mapping.incoming(sent) == name


@given(prefix=PREFIXES, sent=st.lists(names(), min_size=2, max_size=8, unique=True))
@example(prefix="kscheck-abcd-", sent=["x" * 240, "x" * 250])  # one head, two lengths
@example(prefix="kscheck-abcd-", sent=["y" * 255 + "a", "y" * 255 + "b"])  # the tail differs
def test_distinct_names_get_distinct_aws_names(prefix: str, sent: list[str]) -> None:
    mapping = NameMap(prefix)
    aws_names = [mapping.outgoing(name) for name in sent]
    assert len(set(aws_names)) == len(sent)
    assert [mapping.incoming(a) for a in aws_names] == sent


@given(prefix=PREFIXES, name=names())
def test_the_same_name_always_maps_the_same_way(prefix: str, name: str) -> None:
    mapping = NameMap(prefix)
    assert mapping.outgoing(name) == mapping.outgoing(name) == NameMap(prefix).outgoing(name)


@given(prefix=PREFIXES, data=st.data())
def test_names_the_run_never_sent_come_back_untouched(prefix: str, data: st.DataObject) -> None:
    tail = st.text(min_size=1, max_size=300)
    foreign = data.draw(st.one_of(tail, tail.map(lambda t: prefix + t)), label="foreign")
    mapping = NameMap(prefix)
    mapping.outgoing("mine")
    if foreign != mapping.sent()["mine"]:
        assert mapping.incoming(foreign) == foreign


@pytest.mark.parametrize("value", ["", None, 7, b"bytes", ["list"]])
def test_empty_and_non_string_names_are_sent_unchanged(value: object) -> None:
    mapping = NameMap("kscheck-abcd-")
    assert mapping.outgoing(value) == value
    assert mapping.sent() == {}
