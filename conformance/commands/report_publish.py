"""`kscheck report publish`: regenerate the committed ``reports/published/`` tree.

For every target it runs ``kscheck run --target T --seed 0`` in a child process, keeps the
run's ``results.json`` and ``summary.md`` under ``reports/published/<T>/`` with the
target's version recorded (emulator: kscheck's; moto: moto's; LocalStack: what its health
endpoint reports), then rebuilds ``matrix.html`` and ``matrix.md`` from every published
directory. A target that gives no results (LocalStack not running) keeps its previous
published files and makes the command exit 1.

>>> published_name("localstack=http://127.0.0.1:4599"), published_name("http://h:8080/")
('localstack', 'http-h-8080')
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from conformance import __version__
from conformance.report.matrix import Matrix, MatrixInputError, load_matrix
from conformance.report.matrix_html import render_matrix_html
from conformance.report.matrix_markdown import render_matrix_markdown
from conformance.targets.base import TargetUnreachableError
from conformance.targets.localstack import find_localstack

PUBLISHED_DIR = Path("reports") / "published"
DEFAULT_TARGETS = ("emulator", "moto", "moto-server")
#: Column order of the published matrix; other directories follow alphabetically.
COLUMN_ORDER = ("emulator", "moto", "moto-server", "localstack")
KEPT_FILES = ("results.json", "summary.md")


def write_matrix(matrix: Matrix, path: Path, *, title: str = "kscheck conformance matrix") -> None:
    """Render `matrix` as HTML or Markdown (after the suffix of `path`) and write it.

    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "m.md"
    >>> write_matrix(load_matrix([]), out)
    >>> out.read_text().splitlines()[0]
    '# kscheck conformance matrix'
    """
    markdown = path.suffix.lower() in (".md", ".markdown")
    render = render_matrix_markdown if markdown else render_matrix_html
    text = render(matrix, title=title)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise MatrixInputError(f"-o {path}: must be writable ({error.strerror})") from None


def published_name(target: str) -> str:
    """The directory name a target is published under."""
    if target.startswith("localstack"):
        return "localstack"
    return re.sub(r"[^A-Za-z0-9.]+", "-", target).strip("-") or "target"


def target_version(target: str) -> str:
    """What version of the target a run measured, as far as kscheck can tell."""
    if target == "emulator":
        return __version__
    if target in ("moto", "moto-server"):
        return importlib.metadata.version("moto")
    if target.startswith("localstack"):
        try:
            return str(find_localstack(target)[1].get("version", ""))
        except TargetUnreachableError:
            return ""
    return ""


def default_targets() -> tuple[str, ...]:
    """The emulator and moto targets, plus LocalStack when one is running."""
    try:
        find_localstack("localstack")
    except TargetUnreachableError:
        return DEFAULT_TARGETS
    return (*DEFAULT_TARGETS, "localstack")


def _keep(run_dir: Path, into: Path, version: str) -> None:
    document = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
    if version and isinstance(document.get("target"), dict):
        document["target"].setdefault("version", version)
    summary = (run_dir / "summary.md").read_text(encoding="utf-8").splitlines()
    into.mkdir(parents=True, exist_ok=True)
    for stale in into.iterdir():
        if stale.is_file() and stale.name not in KEPT_FILES:
            stale.unlink()
    (into / "results.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    (into / "summary.md").write_text("\n".join(summary) + "\n", encoding="utf-8")


def _run_echoing(command: list[str]) -> int:
    """Run `command`, echoing its output as it comes; its exit code."""
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    ) as child:
        assert child.stdout is not None
        for line in child.stdout:
            print(line, end="", flush=True)
    return child.returncode


def run_and_keep(target: str, into: Path, *, profile: str, seed: int) -> bool:
    """Run `target` in a child ``kscheck run``; keep its report in `into`. False when the run
    left no results (the previous files stay)."""
    version = target_version(target)
    with tempfile.TemporaryDirectory(prefix="kscheck-publish-") as scratch:
        command = [
            sys.executable, "-m", "conformance.cli", "run", "--target", target,
            "--profile", profile, "--seed", str(seed), "--report-dir", scratch,
        ]  # fmt: skip
        print(f"publish: kscheck {' '.join(command[3:-2])}", flush=True)
        code = _run_echoing(command)
        if code not in (0, 1) or not (Path(scratch) / "results.json").is_file():
            print(
                f"publish: {target} left no results (exit {code}); {into} is kept as it was",
                file=sys.stderr,
            )
            return False
        _keep(Path(scratch), into, version)
    return True


def published_dirs(directory: Path) -> list[Path]:
    """The published run directories (those holding results.json), in column order.

    >>> [p.name for p in published_dirs(Path("reports/published"))][:3]  # doctest: +SKIP
    ['emulator', 'moto', 'moto-server']
    """
    found = sorted(p.parent for p in directory.glob("*/results.json"))
    rank = {name: i for i, name in enumerate(COLUMN_ORDER)}
    return sorted(found, key=lambda p: (rank.get(p.name, len(rank)), p.name))


def publish(
    directory: Path,
    *,
    targets: Sequence[str] | None = None,
    profile: str = "default",
    seed: int = 0,
    matrix_only: bool = False,
) -> int:
    """Refresh the published runs of `targets` and rebuild the matrix; the exit code."""
    missing = 0
    if not matrix_only:
        for target in targets or default_targets():
            into = directory / published_name(target)
            missing += not run_and_keep(target, into, profile=profile, seed=seed)
    dirs = published_dirs(directory)
    if not dirs:
        print(f"kscheck report publish: --dir {directory}: no */results.json", file=sys.stderr)
        return 2
    try:
        matrix = load_matrix(dirs)
        for name in ("matrix.html", "matrix.md"):
            write_matrix(matrix, directory / name)
    except MatrixInputError as error:
        print(f"kscheck report publish: {error}", file=sys.stderr)
        return 2
    print(
        f"published: {', '.join(p.name for p in dirs)}; matrix of {len(matrix.rows)} "
        f"requirements -> {directory / 'matrix.html'}, {directory / 'matrix.md'}"
    )
    return 1 if missing else 0
