"""The conformance matrix as data: requirements as rows, runs (targets) as columns.

A column is one run's ``results.json`` document (format ``kscheck-results/1``); a row is one
requirement ID seen in any column, grouped by area (``CKS-OWNER``, ``XKS-AUTH``: the ID
without its number). The HTML and Markdown renderers (:mod:`~conformance.report.matrix_html`,
:mod:`~conformance.report.matrix_markdown`) only lay this out.

Everything read from a results file is treated as untrusted text: it is validated here and
escaped by the renderers.

>>> doc = {"format": "kscheck-results/1", "target": {"name": "moto", "version": "5.1"},
...        "requirements": [{"id": "CKS-OWNER-001", "level": "MUST", "summary": "s",
...                          "outcome": "FAIL", "actual": "<b>"}]}
>>> matrix = build_matrix([column_from_document(doc, fallback_title="dir")])
>>> matrix.columns[0].title, [row.requirement_id for row in matrix.rows]
('moto 5.1', ['CKS-OWNER-001'])
>>> matrix.rows[0].area, matrix.rows[0].cells[0].outcome, matrix.rows[0].cells[0].actual
('CKS-OWNER', 'FAIL', '<b>')
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.report.outcomes import Outcome
from conformance.report.results_json import FORMAT

OUTCOMES: tuple[str, ...] = tuple(o.value for o in Outcome)

#: Outcomes whose cells link to a finding (Expected / Actual / Input / Reproduce).
FINDING_OUTCOMES = frozenset({"FAIL", "ERROR", "NON_STRICT", "INFO"})

_ID_NUMBER = re.compile(r"-[0-9]+$")


class MatrixInputError(ValueError):
    """A report directory or results file the matrix cannot use; the message is one line
    naming the argument and the rule it breaks."""


@dataclass(frozen=True)
class Cell:
    """One requirement's outcome in one run, with the decisive check's detail.

    >>> Cell("FAIL", expected="HTTP 405").has_finding, Cell("PASS").has_finding
    (True, False)
    """

    outcome: str
    expected: str = ""
    actual: str = ""
    input: str = ""
    reason: str = ""
    reproduce: str = ""

    @property
    def has_finding(self) -> bool:
        """True when the cell links to a finding section."""
        return self.outcome in FINDING_OUTCOMES


@dataclass(frozen=True)
class Column:
    """One run: its title (target name and version) and what it recorded."""

    title: str
    suite_version: str
    started: str
    counts: Mapping[str, int]
    cells: Mapping[str, Cell]  # requirement ID -> cell
    requirements: Mapping[str, tuple[str, str, str]]  # ID -> (level, summary, source)


@dataclass(frozen=True)
class Row:
    """One requirement across every column (`None` where a run did not have it)."""

    requirement_id: str
    area: str
    level: str
    summary: str
    source: str
    cells: tuple[Cell | None, ...]

    @property
    def outcomes(self) -> frozenset[str]:
        """The outcomes present in this row (what the outcome filter matches)."""
        return frozenset(cell.outcome for cell in self.cells if cell is not None)


@dataclass(frozen=True)
class Matrix:
    """Columns and rows, rows grouped by area (first-seen area order, IDs sorted within)."""

    columns: tuple[Column, ...]
    rows: tuple[Row, ...]

    @property
    def areas(self) -> tuple[str, ...]:
        """The areas in row order, each once."""
        return tuple(dict.fromkeys(row.area for row in self.rows))


def area_of(requirement_id: str) -> str:
    """The area of a requirement ID: the ID without its trailing number.

    >>> area_of("XKS-AUTH-003"), area_of("odd")
    ('XKS-AUTH', 'odd')
    """
    return _ID_NUMBER.sub("", requirement_id)


def anchor_id(column_index: int, requirement_id: str) -> str:
    """The fragment identifier of a finding (letters, digits and dashes only).

    >>> anchor_id(2, "CKS-OWNER-001")
    'finding-2-CKS-OWNER-001'
    """
    return f"finding-{column_index}-" + re.sub(r"[^A-Za-z0-9-]", "_", requirement_id)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def column_title(document: Mapping[str, Any], fallback: str) -> str:
    """``<target name> <target version>`` from the document, else `fallback`; the faults
    switched on (emulator or proxy), if any, follow in brackets.

    >>> column_title({"target": {"name": "emulator"}}, "d"), column_title({}, "d")
    ('emulator', 'd')
    >>> column_title({"target": {"name": "emulator"}, "inputs": {"emulator_faults": ["x"]}}, "")
    'emulator [fault x]'
    """
    target = document.get("target")
    if not isinstance(target, Mapping):
        return fallback
    name = _text(target.get("name")).strip() or _text(target.get("description")).strip()
    if not name and _text(target.get("base_url")):
        name = _text(target.get("base_url")) + _text(target.get("uri_prefix"))
    version = _text(target.get("version")).strip()
    title = " ".join(part for part in (name, version) if part) or fallback
    inputs = document.get("inputs")
    faults = []
    if isinstance(inputs, Mapping):
        for key in ("emulator_faults", "faults"):
            chosen = inputs.get(key)
            if isinstance(chosen, list):
                faults += [_text(f) for f in chosen if _text(f)]
    return f"{title} [fault {', '.join(faults)}]" if faults else title


def column_from_document(document: Any, *, fallback_title: str, where: str = "") -> Column:
    """Validate a ``results.json`` document and turn it into a :class:`Column`.

    `where` names the input in error messages (``DIR x: results.json ...``).
    """
    label = where or "results.json"
    if not isinstance(document, Mapping):
        raise MatrixInputError(f"{label}: must hold a JSON object")
    if document.get("format") != FORMAT:
        found = document.get("format")
        raise MatrixInputError(f"{label}: format must be {FORMAT!r}, found {found!r}")
    items = document.get("requirements")
    if not isinstance(items, list):
        raise MatrixInputError(f"{label}: 'requirements' must be a list")
    cells: dict[str, Cell] = {}
    requirements: dict[str, tuple[str, str, str]] = {}
    for position, item in enumerate(items):
        if not isinstance(item, Mapping) or not _text(item.get("id")):
            raise MatrixInputError(f"{label}: requirement #{position} has no string 'id'")
        if item.get("outcome") not in OUTCOMES:
            raise MatrixInputError(
                f"{label}: requirement {item['id']!r} has outcome {item.get('outcome')!r}, "
                f"not one of {', '.join(OUTCOMES)}"
            )
        rid = item["id"]
        requirements[rid] = (
            _text(item.get("level")),
            _text(item.get("summary")),
            _text(item.get("source")),
        )
        cells[rid] = Cell(
            outcome=item["outcome"],
            expected=_text(item.get("expected")),
            actual=_text(item.get("actual")),
            input=_text(item.get("input")),
            reason=_text(item.get("reason")),
            reproduce=_text(item.get("reproduce")),
        )
    counts = document.get("counts")
    return Column(
        title=column_title(document, fallback_title),
        suite_version=_text(document.get("suite_version")),
        started=_text(document.get("started")),
        counts={k: v for k, v in counts.items() if isinstance(v, int)}
        if isinstance(counts, Mapping)
        else {},
        cells=cells,
        requirements=requirements,
    )


def load_column(directory: str | Path) -> Column:
    """The column of a run's report directory (its ``results.json``); MatrixInputError if the
    directory or file is missing, unreadable, not JSON or not ``kscheck-results/1``.

    >>> try:
    ...     load_column("/nonexistent/run")
    ... except MatrixInputError as error:
    ...     print(error)
    DIR /nonexistent/run: must be an existing report directory
    """
    path = Path(directory)
    label = f"DIR {directory}"
    if not path.is_dir():
        raise MatrixInputError(f"{label}: must be an existing report directory")
    results = path / "results.json"
    if not results.is_file():
        raise MatrixInputError(f"{label}: must hold a results.json (none found)")
    try:
        document = json.loads(results.read_text(encoding="utf-8"))
    except OSError as error:
        raise MatrixInputError(f"{label}: results.json is unreadable ({error.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise MatrixInputError(f"{label}: results.json must be UTF-8 JSON") from None
    fallback = path.resolve().name or str(directory)
    return column_from_document(document, fallback_title=fallback, where=f"{label}: results.json")


def build_matrix(columns: Sequence[Column]) -> Matrix:
    """Rows for every requirement of any column, grouped by area.

    Level, summary and source come from the first column that has the requirement.

    >>> a = Column("a", "", "", {}, {"X-B-001": Cell("PASS")}, {"X-B-001": ("MUST", "b", "")})
    >>> b = Column("b", "", "", {}, {"X-A-001": Cell("FAIL")}, {"X-A-001": ("MAY", "a", "")})
    >>> [(r.area, [c and c.outcome for c in r.cells]) for r in build_matrix([a, b]).rows]
    [('X-B', ['PASS', None]), ('X-A', [None, 'FAIL'])]
    """
    meta: dict[str, tuple[str, str, str]] = {}
    for column in columns:
        for rid, described in column.requirements.items():
            meta.setdefault(rid, described)
    by_area: dict[str, list[str]] = {}
    for rid in meta:
        by_area.setdefault(area_of(rid), []).append(rid)
    rows = []
    for area, ids in by_area.items():
        for rid in sorted(ids):
            level, summary, source = meta[rid]
            cells = tuple(column.cells.get(rid) for column in columns)
            rows.append(Row(rid, area, level, summary, source, cells))
    return Matrix(tuple(columns), tuple(rows))


def load_matrix(directories: Iterable[str | Path]) -> Matrix:
    """The matrix of several report directories, in the order given.

    >>> load_matrix([]).rows
    ()
    """
    return build_matrix([load_column(directory) for directory in directories])
