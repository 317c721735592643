"""Three synthetic runs written by the real report writers, and a DOM reader for the matrix.

The runs cover every outcome, a requirement one run lacks, a run without a target name (its
column falls back to the directory name) and target answers holding HTML and a script.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from conformance.report.outcomes import CheckOutcome, Outcome
from conformance.report.redaction import Redactor
from conformance.report.run import build_run_record
from conformance.report.writers import write_reports
from conformance.spec.requirements import Level, Requirement

HOSTILE = "<script>document.title='pwned'</script><img src=x onerror=alert(1)>"

REQUIREMENTS = [
    Requirement("CKS-OWNER-001", Level.MUST, "[DOC] owner", "The owner is described."),
    Requirement("CKS-OWNER-002", Level.SHOULD, "[DOC] owner", "An owner is checked."),
    Requirement("CKS-PAGE-001", Level.MUST, "[DOC] paging", "Limit bounds a page."),
    Requirement("CKS-PAGE-002", Level.MAY, "[DOC] paging", "Markers are opaque."),
    Requirement("CKS-XKS-001", Level.MUST, "[DOC] xks", "A proxy URI is checked."),
    Requirement("CKS-XKS-002", Level.MUST, "[DOC] xks", "A proxy answer is checked."),
    Requirement("CKS-XKS-003", Level.MUST, "[DOC] xks", "Rotation is supported."),
]

# run directory -> (target description, outcome per requirement ID; absent = not in the run)
RUNS: dict[str, tuple[dict[str, str], dict[str, Outcome]]] = {
    "alpha": (
        {"name": "alpha-kms", "version": "1.2"},
        {
            "CKS-OWNER-001": Outcome.FAIL,
            "CKS-OWNER-002": Outcome.NON_STRICT,
            "CKS-PAGE-001": Outcome.PASS,
            "CKS-PAGE-002": Outcome.INFO,
            "CKS-XKS-001": Outcome.UNSUPPORTED,
            "CKS-XKS-002": Outcome.SKIPPED,
            "CKS-XKS-003": Outcome.ERROR,
        },
    ),
    "beta": (
        {"name": "beta"},
        {
            "CKS-OWNER-001": Outcome.PASS,
            "CKS-OWNER-002": Outcome.PASS,
            "CKS-PAGE-001": Outcome.FAIL,
            "CKS-PAGE-002": Outcome.PASS,
            "CKS-XKS-001": Outcome.PASS,
            "CKS-XKS-002": Outcome.PASS,
        },
    ),
    "gamma-dir": (
        {},
        {
            "CKS-OWNER-001": Outcome.UNSUPPORTED,
            "CKS-OWNER-002": Outcome.UNSUPPORTED,
            "CKS-PAGE-001": Outcome.UNSUPPORTED,
            "CKS-PAGE-002": Outcome.SKIPPED,
            "CKS-XKS-001": Outcome.UNSUPPORTED,
            "CKS-XKS-002": Outcome.UNSUPPORTED,
            "CKS-XKS-003": Outcome.SKIPPED,
        },
    ),
}


def _check(rid: str, outcome: Outcome) -> CheckOutcome:
    if outcome in (Outcome.FAIL, Outcome.NON_STRICT, Outcome.INFO):
        return CheckOutcome(
            f"checks/test_x.py::test_{rid}",
            rid,
            outcome,
            expected=f"the rule of {rid} & 'its' \"answer\"",
            actual=f"{rid} answered {HOSTILE}",
            input=f"CreateCustomKeyStore(Name='<{rid}>')",
        )
    if outcome in (Outcome.SKIPPED, Outcome.UNSUPPORTED, Outcome.ERROR):
        return CheckOutcome(f"t::{rid}", rid, outcome, reason=f"{outcome.value} because <{rid}>")
    return CheckOutcome(f"t::{rid}", rid, outcome)


def write_synthetic_runs(root: Path) -> list[Path]:
    """Write the three runs' report files under `root`; their directories, in order."""
    dirs = []
    for name, (target, outcomes) in RUNS.items():
        chosen = [r for r in REQUIREMENTS if r.id in outcomes]
        record = build_run_record(
            chosen,
            [_check(rid, outcome) for rid, outcome in outcomes.items()],
            target=target,
            inputs={"seed": 7},
            reproduce=f"kscheck run --target {name}",
        )
        write_reports(record, root / name, Redactor())
        dirs.append(root / name)
    return dirs


def results_of(directory: Path) -> dict[str, str]:
    """requirement ID -> outcome, as the run's results.json says."""
    document = json.loads((directory / "results.json").read_text())
    return {r["id"]: r["outcome"] for r in document["requirements"]}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    children: list[Element] = field(default_factory=list)

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def find_all(self, tag: str, cls: str | None = None) -> list[Element]:
        found = []
        for child in self.children:
            if child.tag == tag and (cls is None or cls in child.classes()):
                found.append(child)
            found += child.find_all(tag, cls)
        return found

    @property
    def all_text(self) -> str:
        return self.text + "".join(c.all_text for c in self.children)


_VOID = {"meta", "link", "br", "img", "input", "hr", "wbr", "source", "col"}


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(element)
        if tag not in _VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].text += data


def parse_html(text: str) -> Element:
    """The document as a tree of :class:`Element` (stdlib html.parser, no browser)."""
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root
