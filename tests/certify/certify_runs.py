"""The record of one finished ``kscheck certify`` run, shared by the certify self-tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class CertifyRun:
    """One finished ``kscheck certify`` run: exit code, parsed results.json, console text."""

    name: str
    exit_code: int
    seconds: float
    report_dir: Path
    console: str

    @property
    def results(self) -> dict[str, Any]:
        """The parsed results.json."""
        return dict(json.loads((self.report_dir / "results.json").read_text()))

    def ids_with(self, outcome: str) -> set[str]:
        """IDs of requirements graded `outcome`."""
        return {r["id"] for r in self.results["requirements"] if r["outcome"] == outcome}
