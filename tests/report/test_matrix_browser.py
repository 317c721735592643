"""The matrix page in a real browser: headless Chromium renders it, runs its filters, and
the DOM it leaves behind is read back (``--dump-dom``), with a screenshot for a human eye.

Skipped when no Chromium binary is on PATH (CI installs Debian's ``chromium``).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from matrix_fixtures import (
    REQUIREMENTS,
    Element,
    parse_html,
    results_of,
    write_synthetic_runs,
)

from conformance.report.matrix import load_matrix
from conformance.report.matrix_html import render_matrix_html

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
BROWSER = next((found for name in BROWSERS if (found := shutil.which(name))), None)

pytestmark = pytest.mark.skipif(
    BROWSER is None, reason=f"no Chromium on PATH (looked for {', '.join(BROWSERS)})"
)


def _chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert BROWSER is not None
    command = [
        BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-extensions", "--disable-background-networking", "--mute-audio",
        f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *args,
    ]  # fmt: skip
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    root = tmp_path_factory.mktemp("browser")
    runs = write_synthetic_runs(root / "runs")
    page = root / "matrix.html"
    page.write_text(render_matrix_html(load_matrix(runs)), encoding="utf-8")
    return page, runs


def _dom(page: Path, query: str = "") -> Element:
    done = _chromium(page.parent / "profile", "--dump-dom", page.as_uri() + query)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Uncaught" not in done.stderr, done.stderr[-2000:]  # no script error
    return parse_html(done.stdout)


def _visible(dom: Element) -> list[str]:
    return [
        row.find_all("td", "rid")[0].all_text
        for row in dom.find_all("tr", "req")
        if "hidden" not in row.attrs
    ]


def _shown_count(dom: Element) -> str:
    return next(s.all_text for s in dom.find_all("span") if s.attrs.get("id") == "shown-count")


def test_the_browser_shows_one_row_per_requirement_and_one_column_per_target(
    built: tuple[Path, list[Path]],
) -> None:
    page, runs = built
    dom = _dom(page)
    assert _visible(dom) == [r.id for r in REQUIREMENTS]
    assert [h.text.strip() for h in dom.find_all("th", "target")] == [
        "alpha-kms 1.2",
        "beta",
        "gamma-dir",
    ]
    for row in dom.find_all("tr", "req"):
        assert len(row.find_all("td", "cell")) == len(runs)
    assert _shown_count(dom) == f"{len(REQUIREMENTS)} of {len(REQUIREMENTS)} requirements shown"


def test_the_outcome_filter_from_the_address_keeps_rows_with_that_outcome(
    built: tuple[Path, list[Path]],
) -> None:
    page, runs = built
    results = [results_of(run) for run in runs]
    for outcome in ("FAIL", "ERROR", "PASS"):
        dom = _dom(page, f"?outcome={outcome}")
        wanted = [r.id for r in REQUIREMENTS if any(res.get(r.id) == outcome for res in results)]
        assert _visible(dom) == wanted, outcome
        assert _shown_count(dom) == f"{len(wanted)} of {len(REQUIREMENTS)} requirements shown"


def test_choosing_an_outcome_then_an_area_in_the_page_filters_rows(
    built: tuple[Path, list[Path]],
) -> None:
    page, runs = built
    interacted = page.with_name("matrix-interacted.html")
    chooser = (
        "<script>(function () {"
        "function visible() { return Array.prototype.filter.call("
        "document.querySelectorAll('tr.req'), function (r) { return !r.hidden; })"
        ".map(function (r) { return r.id.slice(4); }).join(' '); }"
        "var o = document.getElementById('filter-outcome'); o.value = 'FAIL';"
        "o.dispatchEvent(new Event('change'));"
        "document.body.setAttribute('data-after-outcome', visible());"
        "var a = document.getElementById('filter-area'); a.value = 'CKS-PAGE';"
        "a.dispatchEvent(new Event('change'));})();</script></body>"
    )
    interacted.write_text(page.read_text().replace("</body>", chooser), encoding="utf-8")
    dom = _dom(interacted)
    results = [results_of(run) for run in runs]
    failing = [r.id for r in REQUIREMENTS if any(res.get(r.id) == "FAIL" for res in results)]
    body = dom.find_all("body")[0]
    assert body.attrs["data-after-outcome"].split() == failing  # the outcome alone
    assert _visible(dom) == [rid for rid in failing if rid.startswith("CKS-PAGE-")]
    heads = {a.attrs["data-area"]: "hidden" in a.attrs for a in dom.find_all("tr", "area")}
    assert heads == {"CKS-OWNER": True, "CKS-PAGE": False, "CKS-XKS": True}


def test_a_hostile_answer_stays_text_in_the_browser(built: tuple[Path, list[Path]]) -> None:
    page, _ = built
    dom = _dom(page)
    titles = [t.all_text for t in dom.find_all("title")]
    assert titles == ["kscheck conformance matrix"]  # the planted script did not run
    assert dom.find_all("img") == []


def test_the_screenshot_is_taken(built: tuple[Path, list[Path]]) -> None:
    page, _ = built
    shot = page.with_name("matrix.png")
    done = _chromium(
        page.parent / "profile",
        f"--screenshot={shot}",
        "--window-size=1400,900",
        "--hide-scrollbars",
        page.as_uri(),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20_000  # a rendered table, not a blank page
