"""The conformance matrix as one self-contained HTML page (also a single run's ``report.html``).

Requirements are rows grouped by area, runs are columns, each cell is coloured by outcome;
FAIL, ERROR, NON_STRICT and INFO cells link to their finding (Expected / Actual / Input /
Reproduce) further down the same page. Two filters (outcome, area) are plain inline
JavaScript; the initial filter may come from the query string
(``matrix.html?outcome=FAIL&area=CKS-OWNER``). The page loads nothing: no CDN, no font, a
Content-Security-Policy that forbids every fetch. Every text from a results file is
HTML-escaped, so a ``<script>`` in a target's answer shows as text.

>>> from conformance.report.matrix import Cell, Column, build_matrix
>>> column = Column("moto", "0.1.0", "2026-01-01T00:00:00Z", {}, {"CKS-X-001": Cell("FAIL",
...     actual="<script>alert(1)</script>")}, {"CKS-X-001": ("MUST", "A rule.", "")})
>>> page = render_matrix_html(build_matrix([column]))
>>> "<script>alert(1)" in page, "&lt;script&gt;alert(1)" in page
(False, True)
"""

from __future__ import annotations

from html import escape

from conformance import __version__
from conformance.report.matrix import (
    OUTCOMES,
    Cell,
    Column,
    Matrix,
    Row,
    anchor_id,
    build_matrix,
    column_from_document,
)
from conformance.report.results_json import results_document
from conformance.report.run import RunRecord

# Background, foreground per outcome: readable in print and for red-green colour blindness
# (every cell also carries the outcome's name).
COLOURS: dict[str, tuple[str, str]] = {
    "PASS": ("#d7f0d8", "#14501a"),
    "FAIL": ("#f8d0d0", "#7a0d0d"),
    "NON_STRICT": ("#fde3bf", "#6b3d00"),
    "INFO": ("#d6e6fb", "#0d3a75"),
    "UNSUPPORTED": ("#e6ddf3", "#47236e"),
    "SKIPPED": ("#eeeeee", "#4a4a4a"),
    "ERROR": ("#3b0a0a", "#ffffff"),
}

_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src 'none'; form-action 'none'; base-uri 'none'"
)

_STYLE = """
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1em 1.5em;
       color: #1b1b1b; background: #fff; }
h1 { font-size: 1.4em; margin: 0 0 .3em; } h2 { font-size: 1.15em; margin: 1.5em 0 .5em; }
.meta { color: #555; margin: 0 0 .8em; }
.filters { display: flex; gap: 1.2em; align-items: center; flex-wrap: wrap; margin: .6em 0;
           padding: .5em .7em; background: #f6f6f6; border: 1px solid #ddd; }
.legend span { display: inline-block; padding: .05em .45em; margin-right: .3em;
               border-radius: 3px; font-size: .85em; }
table.matrix { border-collapse: collapse; }
table.matrix th, table.matrix td { border: 1px solid #ccc; padding: .2em .45em;
                                   vertical-align: top; }
table.matrix thead th { position: sticky; top: 0; background: #fafafa; z-index: 1; }
th.target { min-width: 7em; max-width: 16em; }
th.target small { display: block; font-weight: normal; color: #555; white-space: nowrap; }
th.target small.counts { white-space: normal; }
tr.area th { text-align: left; background: #ececec; font-size: 1.02em; }
td.rid { white-space: nowrap; font-family: ui-monospace, Menlo, Consolas, monospace; }
td.level { font-size: .85em; } td.summary { max-width: 38em; }
td.cell { text-align: center; white-space: nowrap; font-size: .85em; font-weight: 600; }
td.cell a { color: inherit; }
td.absent { color: #999; }
section.findings details { border: 1px solid #ccc; margin: .5em 0; padding: .3em .6em; }
section.findings details:target { outline: 3px solid #1a5fb4; }
section.findings summary { cursor: pointer; }
dl.finding { display: grid; grid-template-columns: max-content 1fr; gap: .15em .8em;
             margin: .4em 0; }
dl.finding dt { font-weight: 600; text-align: right; }
dl.finding dd { margin: 0; font-family: ui-monospace, Menlo, Consolas, monospace;
                white-space: pre-wrap; word-break: break-word; }
""" + "".join(
    f"td.o-{name}, .legend .o-{name} {{ background: {bg}; color: {fg}; }}\n"
    for name, (bg, fg) in COLOURS.items()
)

_SCRIPT = """
(function () {
  var outcome = document.getElementById("filter-outcome");
  var area = document.getElementById("filter-area");
  var shown = document.getElementById("shown-count");
  function apply() {
    var o = outcome.value, a = area.value, count = 0, visibleAreas = {};
    var rows = document.querySelectorAll("tr.req");
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i];
      var ok = (a === "" || row.dataset.area === a) &&
               (o === "" || (" " + row.dataset.outcomes + " ").indexOf(" " + o + " ") >= 0);
      row.hidden = !ok;
      if (ok) { count++; visibleAreas[row.dataset.area] = true; }
    }
    var heads = document.querySelectorAll("tr.area");
    for (var j = 0; j < heads.length; j++) {
      heads[j].hidden = !visibleAreas[heads[j].dataset.area];
    }
    shown.textContent = count + " of " + rows.length + " requirements shown";
  }
  function choose(select, value) {
    for (var k = 0; k < select.options.length; k++) {
      if (select.options[k].value === value) { select.value = value; }
    }
  }
  var params = new URLSearchParams(window.location.search);
  choose(outcome, params.get("outcome") || "");
  choose(area, params.get("area") || "");
  outcome.addEventListener("change", apply);
  area.addEventListener("change", apply);
  function openTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (target && target.tagName === "DETAILS") { target.open = true; }
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();
  apply();
})();
"""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _column_head(index: int, column: Column) -> str:
    details = [f"kscheck {column.suite_version}" if column.suite_version else "", column.started]
    small = "".join(f"<small>{_e(d)}</small>" for d in details if d)
    counts = " · ".join(f"{_e(k)}\u00a0{v}" for k, v in column.counts.items() if v)
    if counts:
        small += f'<small class="counts">{counts}</small>'
    return f'<th class="target" scope="col" data-column="{index}">{_e(column.title)}{small}</th>'


def _cell_html(index: int, row: Row, cell: Cell | None) -> str:
    if cell is None:
        return '<td class="cell absent" data-outcome="">—</td>'
    tip = cell.reason or (f"got {cell.actual}" if cell.actual else "")
    title = f' title="{_e(tip[:300])}"' if tip else ""
    label = _e(cell.outcome)
    if cell.has_finding:
        label = f'<a href="#{anchor_id(index, row.requirement_id)}">{label}</a>'
    return (
        f'<td class="cell o-{_e(cell.outcome)}" data-outcome="{_e(cell.outcome)}"{title}>'
        f"{label}</td>"
    )


def _rows_html(matrix: Matrix) -> list[str]:
    width = 3 + len(matrix.columns)
    lines: list[str] = []
    area = None
    for row in matrix.rows:
        if row.area != area:
            area = row.area
            lines.append(
                f'<tr class="area" data-area="{_e(area)}"><th colspan="{width}" scope="rowgroup">'
                f"{_e(area)}</th></tr>"
            )
        cells = "".join(_cell_html(i, row, cell) for i, cell in enumerate(row.cells))
        source = f' title="{_e(row.source)}"' if row.source else ""
        lines.append(
            f'<tr class="req" id="req-{_e(row.requirement_id)}" data-area="{_e(row.area)}" '
            f'data-outcomes="{_e(" ".join(sorted(row.outcomes)))}">'
            f'<td class="rid"{source}>{_e(row.requirement_id)}</td>'
            f'<td class="level">{_e(row.level)}</td><td class="summary">{_e(row.summary)}</td>'
            f"{cells}</tr>"
        )
    return lines


def _findings_html(matrix: Matrix) -> list[str]:
    lines: list[str] = []
    for row in matrix.rows:
        for index, cell in enumerate(row.cells):
            if cell is None or not cell.has_finding:
                continue
            title = matrix.columns[index].title
            fields = [
                ("Expected", cell.expected),
                ("Actual", cell.actual),
                ("Input", cell.input),
                ("Reason", cell.reason),
                ("Reproduce", cell.reproduce),
            ]
            body = "".join(f"<dt>{name}</dt><dd>{_e(v)}</dd>" for name, v in fields if v)
            lines.append(
                f'<details class="finding" id="{anchor_id(index, row.requirement_id)}" '
                f'data-outcome="{_e(cell.outcome)}" open><summary>'
                f"<strong>[{_e(row.requirement_id)}]</strong> {_e(row.level)} "
                f"{_e(cell.outcome)} · {_e(title)} — {_e(row.summary)}</summary>"
                f'<dl class="finding">{body}</dl></details>'
            )
    return lines


def render_matrix_html(matrix: Matrix, *, title: str = "kscheck conformance matrix") -> str:
    """The whole page: header, legend and filters, the table, then the findings."""
    outcome_options = "".join(f'<option value="{o}">{o}</option>' for o in OUTCOMES)
    area_options = "".join(f'<option value="{_e(a)}">{_e(a)}</option>' for a in matrix.areas)
    legend = "".join(f'<span class="o-{o}">{o}</span>' for o in OUTCOMES)
    heads = "".join(_column_head(i, c) for i, c in enumerate(matrix.columns))
    findings = _findings_html(matrix)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="meta">{len(matrix.rows)} requirements x {len(matrix.columns)} '
        f"target(s); rendered by kscheck {_e(__version__)}. A FAIL, ERROR, NON_STRICT or INFO "
        "cell links to its finding below.</p>",
        '<div class="filters">',
        '<label>Outcome <select id="filter-outcome"><option value="">any</option>'
        f"{outcome_options}</select></label>",
        '<label>Area <select id="filter-area"><option value="">all</option>'
        f"{area_options}</select></label>",
        f'<span id="shown-count">{len(matrix.rows)} of {len(matrix.rows)} requirements '
        "shown</span>",
        f'<span class="legend">{legend}</span></div>',
        '<table class="matrix"><thead><tr><th scope="col">Requirement</th>'
        f'<th scope="col">Level</th><th scope="col">Paraphrase</th>{heads}</tr></thead>',
        "<tbody>",
        *_rows_html(matrix),
        "</tbody></table>",
        f'<section class="findings"><h2>Findings ({len(findings)})</h2>',
        *(findings or ["<p>None: no cell is FAIL, ERROR, NON_STRICT or INFO.</p>"]),
        "</section>",
        f"<script>{_SCRIPT}</script>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def render_report_html(run: RunRecord) -> str:
    """``report.html`` of one run: the matrix page with a single column.

    >>> from conformance.report.run import build_run_record
    >>> run = build_run_record([], [], target={"name": "emulator"}, inputs={}, reproduce="k")
    >>> "<title>kscheck report: emulator</title>" in render_report_html(run)
    True
    """
    column = column_from_document(results_document(run), fallback_title="target")
    return render_matrix_html(build_matrix([column]), title=f"kscheck report: {column.title}")
