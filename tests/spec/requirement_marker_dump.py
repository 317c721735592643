"""A pytest plugin for the coverage self-test: writes each collected test's requirement IDs.

Loaded with ``-p requirement_marker_dump``; the output path comes from ``KSCHECK_MARKER_DUMP``.
"""

from __future__ import annotations

import json
import os

import pytest


def pytest_collection_finish(session: pytest.Session) -> None:
    target = os.environ.get("KSCHECK_MARKER_DUMP")
    if not target:
        return
    found = {
        item.nodeid: sorted({str(a) for m in item.iter_markers("requirement") for a in m.args})
        for item in session.items
    }
    with open(target, "w", encoding="utf-8") as handle:
        json.dump(found, handle)
