"""Build strings of an exact length that fully match a botocore pattern (ASCII semantics).

`st.from_regex` rarely reaches a member's max length, and its ``\\d`` may draw non-ASCII
digits. This module parses the pattern once, computes which lengths it can produce, and
builds a string of any producible length, so boundaries (min, max) are hit on purpose.
Choices go through a `Chooser`, so the same builder serves Hypothesis draws and a seeded
`random.Random` (used to regenerate redacted secrets).

>>> import random
>>> p = LengthAwarePattern(r"^id-([a-z]+-){2,3}[0-9]{1,2}$", cap=40)
>>> (p.can_make(7), p.can_make(8), p.can_make(40))
(False, True, True)
>>> s = p.make(40, random_chooser(random.Random(1)))
>>> (len(s), p.matches(s))
(40, True)
"""

from __future__ import annotations

import functools
import re
import string
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from random import Random
from typing import Any, Protocol

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import sre_constants as c
    import sre_parse

PRINTABLE_ASCII = "".join(chr(i) for i in range(0x20, 0x7F))
_CATEGORIES = {
    c.CATEGORY_DIGIT: string.digits,
    c.CATEGORY_WORD: string.ascii_letters + string.digits + "_",
    c.CATEGORY_SPACE: " \t\n\r\f\v",
}


class Chooser(Protocol):
    """Picks one element of a non-empty sequence, or a string of `size` from an alphabet."""

    def choose(self, options: Sequence[Any]) -> Any: ...

    def text(self, alphabet: str, size: int) -> str: ...


@dataclass(frozen=True)
class _RandomChooser:
    rng: Random

    def choose(self, options: Sequence[Any]) -> Any:
        return options[self.rng.randrange(len(options))]

    def text(self, alphabet: str, size: int) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(size))


def random_chooser(rng: Random) -> Chooser:
    """A chooser driven by a seeded `random.Random` (deterministic for a given seed)."""
    return _RandomChooser(rng)


_TILE_ABOVE = 24


@dataclass(frozen=True)
class _DrawChooser:
    draw: Callable[[Any], Any]

    def choose(self, options: Sequence[Any]) -> Any:
        from hypothesis import strategies as st

        if len(options) == 1:
            return options[0]
        return options[self.draw(st.integers(0, len(options) - 1))]

    def text(self, alphabet: str, size: int) -> str:
        from hypothesis import strategies as st

        if size == 0:
            return ""
        chunk: str = self.draw(st.text(alphabet, min_size=1, max_size=min(size, _TILE_ABOVE)))
        return (chunk * (size // len(chunk) + 1))[:size]


def draw_chooser(draw: Callable[[Any], Any]) -> Chooser:
    """A chooser driven by Hypothesis's `draw` (inside `@st.composite`), so it shrinks."""
    return _DrawChooser(draw)


def _bits(mask: int) -> list[int]:
    return [i for i in range(mask.bit_length()) if mask >> i & 1]


class _Node:
    """A parsed regex node: knows its producible lengths (a bitmask) and builds strings."""

    mask: int

    def make(self, length: int, chooser: Chooser) -> str:
        raise NotImplementedError


class _Chars(_Node):
    def __init__(self, alphabet: str) -> None:
        self.alphabet = alphabet
        self.mask = 0b10 if alphabet else 0

    def make(self, length: int, chooser: Chooser) -> str:
        return str(chooser.choose(self.alphabet))


class _Empty(_Node):
    mask = 0b1

    def make(self, length: int, chooser: Chooser) -> str:
        return ""


def _convolve(a: int, b: int, full: int) -> int:
    out = 0
    for shift in _bits(b):
        out |= a << shift
    return out & full


class _Seq(_Node):
    def __init__(self, items: Sequence[_Node], full: int) -> None:
        self.items = tuple(items)
        self.suffix = [1] * (len(self.items) + 1)
        for i in range(len(self.items) - 1, -1, -1):
            self.suffix[i] = _convolve(self.suffix[i + 1], self.items[i].mask, full)
        self.mask = self.suffix[0]

    def make(self, length: int, chooser: Chooser) -> str:
        return _make_sequence(self.items, self.suffix, length, chooser)


def _make_sequence(
    items: Sequence[_Node], suffix: Sequence[int], length: int, chooser: Chooser
) -> str:
    parts: list[str] = []
    remaining = length
    for i, item in enumerate(items):
        fits = [
            n for n in _bits(item.mask) if n <= remaining and suffix[i + 1] >> (remaining - n) & 1
        ]
        n = int(chooser.choose(fits))
        parts.append(item.make(n, chooser))
        remaining -= n
    return "".join(parts)


class _Alt(_Node):
    def __init__(self, options: Sequence[_Node]) -> None:
        self.options = tuple(options)
        self.mask = 0
        for option in self.options:
            self.mask |= option.mask

    def make(self, length: int, chooser: Chooser) -> str:
        fitting = [o for o in self.options if o.mask >> length & 1]
        option: _Node = chooser.choose(fitting)
        return option.make(length, chooser)


class _Repeat(_Node):
    def __init__(self, item: _Node, low: int, high: int, cap: int, full: int) -> None:
        self.item = item
        self.low = low
        self.powers = [1]  # powers[k]: lengths of k copies
        limit = min(high, cap + 1) if item.mask & ~1 else low
        while len(self.powers) <= limit:
            self.powers.append(_convolve(self.powers[-1], item.mask, full))
        self.mask = 0
        for k in range(low, len(self.powers)):
            self.mask |= self.powers[k]

    def make(self, length: int, chooser: Chooser) -> str:
        counts = [k for k in range(self.low, len(self.powers)) if self.powers[k] >> length & 1]
        k = int(chooser.choose(counts))
        if isinstance(self.item, _Chars) and self.item.mask == 0b10:
            return chooser.text(self.item.alphabet, k)
        suffix = [self.powers[k - i] for i in range(k + 1)]
        return _make_sequence([self.item] * k, suffix, length, chooser)


def _class_alphabet(items: Sequence[tuple[Any, Any]]) -> str:
    chars: set[str] = set()
    negate = False
    for op, arg in items:
        if op is c.NEGATE:
            negate = True
        elif op is c.LITERAL:
            chars.add(chr(arg))
        elif op is c.RANGE:
            chars.update(chr(i) for i in range(arg[0], arg[1] + 1))
        elif op is c.CATEGORY and arg in _CATEGORIES:
            chars.update(_CATEGORIES[arg])
        else:
            raise ValueError(f"unsupported character class item {op} {arg}")
    if negate:
        chars = set(PRINTABLE_ASCII) - chars
    return "".join(sorted(chars))


def _compile(parsed: Any, cap: int, full: int) -> _Node:
    items: list[_Node] = []
    for op, arg in parsed:
        if op is c.LITERAL:
            items.append(_Chars(chr(arg)))
        elif op is c.NOT_LITERAL:
            items.append(_Chars(PRINTABLE_ASCII.replace(chr(arg), "")))
        elif op is c.ANY:
            items.append(_Chars(PRINTABLE_ASCII))
        elif op is c.IN:
            items.append(_Chars(_class_alphabet(arg)))
        elif op is c.AT:
            items.append(_Empty())
        elif op is c.SUBPATTERN:
            items.append(_compile(arg[-1], cap, full))
        elif op is c.BRANCH:
            items.append(_Alt([_compile(branch, cap, full) for branch in arg[1]]))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
            low, high, body = arg
            items.append(_Repeat(_compile(body, cap, full), low, high, cap, full))
        else:
            raise ValueError(f"unsupported regex construct {op}")
    return items[0] if len(items) == 1 else _Seq(items, full)


class LengthAwarePattern:
    """A botocore pattern that can say which lengths it produces and build one of each.

    `cap` bounds the lengths considered (use the member's max length plus one).
    """

    def __init__(self, pattern: str, cap: int) -> None:
        self.pattern = pattern
        self.cap = cap
        full = (1 << (cap + 1)) - 1
        self._root = _compile(sre_parse.parse(pattern, re.ASCII), cap, full)

    def matches(self, value: str) -> bool:
        """Whether `value` fully matches the pattern with ASCII semantics."""
        return re.fullmatch(self.pattern, value, re.ASCII) is not None

    def can_make(self, length: int) -> bool:
        """Whether some fully matching string has exactly `length` characters (<= cap)."""
        return 0 <= length <= self.cap and bool(self._root.mask >> length & 1)

    def lengths(self, low: int, high: int) -> list[int]:
        """The producible lengths in ``low..high`` (inclusive)."""
        return [n for n in range(max(low, 0), min(high, self.cap) + 1) if self.can_make(n)]

    def make(self, length: int, chooser: Chooser) -> str:
        """A fully matching string of exactly `length` characters; ValueError if impossible."""
        if not self.can_make(length):
            raise ValueError(f"pattern {self.pattern!r} cannot produce length {length}")
        value = self._root.make(length, chooser)
        assert len(value) == length and self.matches(value), (self.pattern, value)
        return value


@functools.lru_cache(maxsize=64)
def length_aware(pattern: str, cap: int) -> LengthAwarePattern:
    """A cached `LengthAwarePattern` for `pattern` up to length `cap`."""
    return LengthAwarePattern(pattern, cap)
