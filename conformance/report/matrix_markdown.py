"""The conformance matrix as Markdown: one table per area, then the findings.

Text from results files is untrusted: HTML and Markdown syntax in it (``<``, ``|``, ``*``,
backticks, brackets) is escaped so that a renderer shows it as typed.

>>> from conformance.report.matrix import Cell, Column, build_matrix
>>> column = Column("moto", "0.1.0", "", {}, {"CKS-X-001": Cell("FAIL", actual="a|<b>")},
...     {"CKS-X-001": ("MUST", "A rule.", "")})
>>> text = render_matrix_markdown(build_matrix([column]))
>>> "| CKS-X-001 | MUST | A rule. | [FAIL](#finding-0-CKS-X-001) |" in text
True
>>> "a\\\\|&lt;b&gt;" in text
True
"""

from __future__ import annotations

import re

from conformance import __version__
from conformance.report.matrix import Matrix, anchor_id

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")


def md_text(text: str) -> str:
    """`text` safe inside a Markdown table cell or list item: one line, nothing interpreted.

    >>> md_text("x|y <i>*z*</i>\\nw")
    'x\\\\|y &lt;i&gt;\\\\*z\\\\*&lt;/i&gt; w'
    """
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = " ".join(text.split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def render_matrix_markdown(matrix: Matrix, *, title: str = "kscheck conformance matrix") -> str:
    """``matrix.md`` text."""
    titles = [md_text(c.title) for c in matrix.columns]
    lines = [
        f"# {md_text(title)}",
        "",
        f"{len(matrix.rows)} requirements x {len(matrix.columns)} target(s); rendered by "
        f"kscheck {__version__}. A FAIL, ERROR, NON_STRICT or INFO cell links to its finding.",
        "",
        "| Target | Suite | Started | Counts |",
        "|---|---|---|---|",
    ]
    for name, column in zip(titles, matrix.columns, strict=True):
        counts = " · ".join(f"{k} {v}" for k, v in column.counts.items() if v)
        lines.append(
            f"| {name} | {md_text(column.suite_version)} | {md_text(column.started)} | "
            f"{md_text(counts)} |"
        )
    header = "| Requirement | Level | Paraphrase | " + " | ".join(titles) + " |"
    rule = "|---|---|---|" + "---|" * len(titles)
    area = None
    for row in matrix.rows:
        if row.area != area:
            area = row.area
            lines += ["", f"## {md_text(area)}", "", header, rule]
        cells = []
        for index, cell in enumerate(row.cells):
            if cell is None:
                cells.append("—")
            elif cell.has_finding:
                cells.append(f"[{cell.outcome}](#{anchor_id(index, row.requirement_id)})")
            else:
                cells.append(cell.outcome)
        lines.append(
            f"| {md_text(row.requirement_id)} | {md_text(row.level)} | {md_text(row.summary)} | "
            + " | ".join(cells)
            + " |"
        )
    lines += ["", "## Findings", ""]
    found = False
    for row in matrix.rows:
        for index, cell in enumerate(row.cells):
            if cell is None or not cell.has_finding:
                continue
            found = True
            lines += [
                f'<a id="{anchor_id(index, row.requirement_id)}"></a>',
                f"### [{md_text(row.requirement_id)}] {md_text(row.level)} {cell.outcome} · "
                f"{titles[index]}",
                "",
                md_text(row.summary),
                "",
            ]
            for name, value in (
                ("Expected", cell.expected),
                ("Actual", cell.actual),
                ("Input", cell.input),
                ("Reason", cell.reason),
                ("Reproduce", cell.reproduce),
            ):
                if value:
                    lines.append(f"- {name}: {md_text(value)}")
            lines.append("")
    if not found:
        lines.append("None: no cell is FAIL, ERROR, NON_STRICT or INFO.")
    return "\n".join(lines).rstrip("\n") + "\n"
