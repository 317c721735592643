"""The matrix page read with the stdlib HTML parser: every cell, every link, every escape."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from matrix_fixtures import (
    HOSTILE,
    REQUIREMENTS,
    RUNS,
    Element,
    parse_html,
    results_of,
    write_synthetic_runs,
)

from conformance.report.matrix import load_matrix
from conformance.report.matrix_html import COLOURS, render_matrix_html


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_synthetic_runs(tmp_path_factory.mktemp("runs"))


@pytest.fixture(scope="module")
def page(runs: list[Path]) -> str:
    return render_matrix_html(load_matrix(runs))


@pytest.fixture(scope="module")
def dom(page: str) -> Element:
    return parse_html(page)


def test_there_is_one_row_per_requirement_grouped_by_area(dom: Element) -> None:
    rows = dom.find_all("tr", "req")
    assert [r.find_all("td", "rid")[0].all_text for r in rows] == [r.id for r in REQUIREMENTS]
    areas = [a.attrs["data-area"] for a in dom.find_all("tr", "area")]
    assert areas == ["CKS-OWNER", "CKS-PAGE", "CKS-XKS"]
    assert {r.attrs["data-area"] for r in rows} == set(areas)


def test_there_is_one_column_per_run_titled_by_its_target(dom: Element) -> None:
    heads = dom.find_all("th", "target")
    titles = [h.text.strip() for h in heads]
    assert titles == ["alpha-kms 1.2", "beta", "gamma-dir"]  # name + version, else the dir


def test_every_cell_shows_the_outcome_of_its_run(dom: Element, runs: list[Path]) -> None:
    expected = [results_of(run) for run in runs]
    for row in dom.find_all("tr", "req"):
        rid = row.find_all("td", "rid")[0].all_text
        cells = row.find_all("td", "cell")
        assert len(cells) == len(runs)
        for column, cell in enumerate(cells):
            outcome = expected[column].get(rid)
            if outcome is None:
                assert "absent" in cell.classes() and cell.all_text == "—"
                continue
            assert cell.attrs["data-outcome"] == outcome
            assert f"o-{outcome}" in cell.classes()
            assert cell.all_text == outcome
        present = {e[rid] for e in expected if rid in e}
        assert set(row.attrs["data-outcomes"].split()) == present


def test_every_outcome_has_its_own_colour(page: str) -> None:
    assert len({bg for bg, _ in COLOURS.values()}) == len(COLOURS)
    for outcome, (background, _) in COLOURS.items():
        assert re.search(rf"td\.o-{outcome}\b[^{{]*\{{ background: {background}", page)


def test_each_failing_cell_links_to_its_finding(dom: Element) -> None:
    findings = {d.attrs["id"]: d for d in dom.find_all("details", "finding")}
    linked = []
    for row in dom.find_all("tr", "req"):
        for cell in row.find_all("td", "cell"):
            links = cell.find_all("a")
            if cell.attrs["data-outcome"] in ("FAIL", "ERROR", "NON_STRICT", "INFO"):
                assert len(links) == 1
                target = links[0].attrs["href"].removeprefix("#")
                assert target in findings
                linked.append(target)
            else:
                assert links == []
    assert sorted(linked) == sorted(findings)  # no finding without a cell, none twice
    failing = [d for d in findings.values() if d.attrs["data-outcome"] == "FAIL"]
    assert len(failing) == 2
    for finding in failing:
        terms = [dt.all_text for dt in finding.find_all("dt")]
        assert terms == ["Expected", "Actual", "Input", "Reproduce"]


def test_a_script_in_a_target_answer_is_shown_as_text(dom: Element, page: str) -> None:
    scripts = dom.find_all("script")
    assert len(scripts) == 1 and "pwned" not in scripts[0].text
    assert dom.find_all("img") == []
    actual = next(
        dd.all_text
        for d in dom.find_all("details", "finding")
        for dt, dd in zip(d.find_all("dt"), d.find_all("dd"), strict=True)
        if dt.all_text == "Actual"
    )
    assert actual.endswith(HOSTILE)
    assert "&lt;script&gt;document.title=&#x27;pwned&#x27;" in page


def test_the_page_loads_nothing_from_elsewhere(page: str, dom: Element) -> None:
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)
    assert "@import" not in page and "url(" not in page
    assert dom.find_all("link") == []
    csp = [m for m in dom.find_all("meta") if m.attrs.get("http-equiv")]
    assert "default-src 'none'" in csp[0].attrs["content"]


def test_the_filters_offer_every_outcome_and_area(dom: Element) -> None:
    selects = {s.attrs["id"]: s for s in dom.find_all("select")}
    outcomes = [o.attrs["value"] for o in selects["filter-outcome"].find_all("option")]
    assert outcomes == ["", "PASS", "FAIL", "NON_STRICT", "INFO", "UNSUPPORTED", "SKIPPED", "ERROR"]
    areas = [o.attrs["value"] for o in selects["filter-area"].find_all("option")]
    assert areas == ["", "CKS-OWNER", "CKS-PAGE", "CKS-XKS"]


def test_each_run_also_wrote_its_own_one_column_report(runs: list[Path]) -> None:
    for run, (_, outcomes) in zip(runs, RUNS.values(), strict=True):
        dom = parse_html((run / "report.html").read_text())
        assert len(dom.find_all("th", "target")) == 1
        cells = {
            r.find_all("td", "rid")[0].all_text: r.find_all("td", "cell")[0].attrs["data-outcome"]
            for r in dom.find_all("tr", "req")
        }
        assert cells == {rid: outcome.value for rid, outcome in outcomes.items()}
