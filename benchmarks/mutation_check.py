"""Mutation check of the model's self-tests: delete one rule, some self-test must fail.

For each mutant below, a temporary copy of the repository is made, one rule of the
reference model is deleted there (the verdict at that place is made not to apply: no
errors, success allowed), and the fast self-tests run against the copy in a subprocess:
``tests/model`` first (a few seconds), then ``tests/strategies`` when ``tests/model``
alone did not fail (or always, with ``--full``). The working tree is never edited.

A mutant is *killed* when at least one self-test fails. Every mutant must be killed; a
survivor means a rule no self-test holds the model to, so the check exits 1.

    python benchmarks/mutation_check.py            # all mutants, 2 at a time
    python benchmarks/mutation_check.py -k UNIQ    # mutants whose rule or area matches
    nox -s mutation

It is not part of the default pytest run (it takes minutes); ``tests/test_mutation_list.py``
checks cheaply that the list below still matches the source and covers every model module
that makes verdicts.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODEL = Path("conformance/model")
COPIED = ("conformance", "strategies", "tests", "pyproject.toml")
STAGES = (("tests/model",), ("tests/strategies",))
NEUTRALISE = '__import__("dataclasses").replace({call}, errors=frozenset(), success_allowed=True)'
"""The rule is deleted by letting its verdict object to nothing."""


@dataclass(frozen=True)
class Mutant:
    """One rule to delete in `module`: the verdict call whose first argument is the literal
    `requirement`, or, where that is ambiguous, the call that `needle` starts (whitespace
    in the needle and in the source is ignored when matching)."""

    area: str
    module: str
    requirement: str
    needle: str = ""
    nth: int | None = None  # which match, where the needle matches several on purpose

    @property
    def path(self) -> Path:
        """The model source file, relative to the repository root."""
        return MODEL / f"{self.module}.py"

    def pattern(self) -> re.Pattern[str]:
        """Where the call starts: at the callee's name."""
        if not self.needle:
            return re.compile(r"\b\w+\(\s*" + re.escape(f'"{self.requirement}"'))
        compact = "".join(self.needle.split())
        return re.compile(r"\s*".join(re.escape(c) for c in compact))


MUTANTS: tuple[Mutant, ...] = (
    # create: required members per type, grammar
    Mutant("create", "create", "CKS-CREATE-003"),
    Mutant("create", "create", "CKS-CREATE-004"),
    Mutant("create", "create", "CKS-CREATE-005"),
    Mutant("create", "create", "CKS-XKS-001"),
    # update: states, switches, related clusters
    Mutant("update", "update", "CKS-UPDATE-006"),
    Mutant("update", "update", "CKS-UPDATE-003"),
    Mutant("update", "update", "CKS-UPDATE-005", 'invalid_state("CKS-UPDATE-005", store, f"'),
    Mutant("update", "update", "CKS-UPDATE-007"),
    Mutant("update", "update", "CKS-UPDATE-008", 'missing_verdict("CKS-UPDATE-008"'),
    Mutant("update", "update", "CKS-HSM-005"),
    # describe: filters and paging
    Mutant("describe", "describe", "CKS-DESCRIBE-004", 'RuleVerdict("CKS-DESCRIBE-004", not_found,'
           ' False, (), "CustomKeyStoreId"'),
    Mutant("describe", "describe", "CKS-PAGE-003"),
    # lifecycle: the connection state machine
    Mutant("lifecycle", "lifecycle", "CKS-STATE-003"),
    Mutant("lifecycle", "lifecycle", "CKS-STATE-002"),
    Mutant("lifecycle", "lifecycle", "CKS-CONNECT-003"),
    Mutant("lifecycle", "lifecycle", "CKS-STATE-004"),
    Mutant("lifecycle", "lifecycle", "CKS-STATE-006"),
    Mutant("lifecycle", "lifecycle", "CKS-CONNECT-006", 'RuleVerdict("CKS-CONNECT-006",'
           ' frozenset({"CloudHsmClusterNotActiveException"})'),
    # keys in a custom key store
    Mutant("keys", "keys", "CKS-KEY-001"),
    Mutant("keys", "keys", "CKS-KEY-002", '_v("CKS-KEY-002", both, "CustomKeyStoreId"'),
    Mutant("keys", "keys", "CKS-KEY-006"),
    Mutant("keys", "keys", "CKS-KEY-008", nth=0),  # the known key in use (not OQ-34)
    Mutant("keys", "keys", "CKS-KEY-011", '_v("CKS-KEY-011", {"NotFoundException"}'),
    # validation (the gate's two layers)
    Mutant("validation/gate", "validation", "CKS-ERR-001"),
    Mutant("validation/gate", "validation", "CKS-ERR-004 (min)", 'RuleVerdict(rid, errors,'
           ' False, oq, c.path, f"below min'),
    Mutant("validation/gate", "validation", "CKS-SHAPE-* (max length)", 'RuleVerdict(size_id,'
           ' _SERVER, False, (), c.path, f"above max', nth=1),
    Mutant("validation/gate", "validation", "CKS-SHAPE-* (pattern)", 'RuleVerdict(pattern_id,'
           ' _SERVER, False, (), c.path, "pattern")'),
    Mutant("validation/gate", "validation", "CKS-SHAPE-* (enum)", 'RuleVerdict(size_id, _SERVER,'
           ' False, (), c.path, "not an enum value")'),
    # uniqueness
    Mutant("uniqueness", "uniqueness", "CKS-UNIQ-001", '_v("CKS-UNIQ-001", error, field, "name'),
    Mutant("uniqueness", "uniqueness", "CKS-UNIQ-002"),
    Mutant("uniqueness", "uniqueness", "CKS-UNIQ-004"),
    Mutant("uniqueness", "uniqueness", "CKS-UNIQ-005"),
    Mutant("uniqueness", "uniqueness", "CKS-UNIQ-006", '_v("CKS-UNIQ-006", error, field, "serv'),
    Mutant("uniqueness", "uniqueness", "CKS-UNIQ-007"),
    # owner and VPC endpoint services
    Mutant("owner/VPC", "backend", "CKS-VPC-002/CKS-OWNER-008", "_verdict(rid, SERVICE_NOT_FOUND"),
    Mutant("owner/VPC", "backend", "CKS-VPC-003"),
    Mutant("owner/VPC", "backend", "CKS-VPC-004"),
    Mutant("owner/VPC", "backend", "CKS-VPC-005"),
    Mutant("owner/VPC", "create", "CKS-OWNER-003"),
    Mutant("owner/VPC", "create", "CKS-OWNER-004"),
    Mutant("owner/VPC", "update", "CKS-OWNER-006", "invalid_state(rid"),
    # backends: proxy health and clusters
    Mutant("backend", "backend", "CKS-XKS-003"),
    Mutant("backend", "backend", "CKS-XKS-004"),
    Mutant("backend", "backend", "CKS-HSM-001"),
    Mutant("backend", "backend", "CKS-HSM-004"),
    # quota
    Mutant("quota", "uniqueness", "CKS-QUOTA-001"),
)  # fmt: skip
"""At least one rule per area; every model module that makes verdicts has one."""

AREAS = (
    "create",
    "update",
    "describe",
    "lifecycle",
    "keys",
    "validation/gate",
    "uniqueness",
    "owner/VPC",
    "quota",
)
"""The areas the mutation check must cover (issue 8)."""


class MutantNotFoundError(LookupError):
    """A mutant's needle no longer matches exactly one verdict call in its module."""


def locate(source: str, mutant: Mutant) -> tuple[int, int, int]:
    """(line, start offset, end offset) of the mutant's verdict call in `source`."""
    starts = [m.start() for m in mutant.pattern().finditer(source)]
    if mutant.nth is not None and mutant.nth < len(starts):
        starts = [starts[mutant.nth]]
    if len(starts) != 1:
        raise MutantNotFoundError(f"{mutant.requirement}: {len(starts)} calls match, not 1")
    start = starts[0]
    line = source.count("\n", 0, start) + 1
    column = start - (source.rfind("\n", 0, start) + 1)
    lines = source.splitlines(keepends=True)
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and (node.lineno, node.col_offset) == (line, column)
            and node.end_lineno is not None
            and node.end_col_offset is not None
        ):
            end = sum(len(text) for text in lines[: node.end_lineno - 1]) + node.end_col_offset
            return line, start, end
    raise MutantNotFoundError(f"{mutant.requirement}: the match does not start a call")


def mutated_source(source: str, mutant: Mutant) -> str:
    """`source` with the mutant's verdict neutralised."""
    _, start, end = locate(source, mutant)
    return source[:start] + NEUTRALISE.format(call=source[start:end]) + source[end:]


def verdict_modules(root: Path = ROOT) -> set[str]:
    """Model modules that make verdicts: a ``RuleVerdict(...)`` call, or a call whose
    first argument is a requirement ID literal (the helpers ``_v``, ``invalid_state``...)."""
    found = set()
    for path in sorted((root / MODEL).glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            named = isinstance(node.func, ast.Name) and node.func.id == "RuleVerdict"
            first = node.args[0] if node.args else None
            literal = isinstance(first, ast.Constant) and str(first.value).startswith("CKS-")
            if named or literal:
                found.add(path.stem)
                break
    return found


@dataclass(frozen=True)
class Result:
    """What the self-tests did to one mutant."""

    mutant: Mutant
    line: int
    failed: tuple[str, ...]
    stages: int
    seconds: float
    error: str = ""

    @property
    def killed(self) -> bool:
        """Whether some self-test failed."""
        return bool(self.failed)


def _copy_repository(destination: Path) -> None:
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(
                source,
                destination / name,
                ignore=shutil.ignore_patterns("__pycache__", ".hypothesis", "*.egg-info"),
            )
        else:
            shutil.copy2(source, destination / name)


def _environment(copy: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "KSCHECK_AWS_"))}
    env["PYTHONPATH"] = str(copy)  # the copy's packages shadow the installed (editable) ones
    env["KSCHECK_HYPOTHESIS_PROFILE"] = "ci"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


_FAILED = re.compile(r"^(?:FAILED|ERROR) (.+?)(?: - .*)?$", re.MULTILINE)


def _pytest(copy: Path, paths: Sequence[str]) -> tuple[list[str], str]:
    command = [sys.executable, "-m", "pytest", "-q", "-rfE", "--tb=no", "-p", "no:cacheprovider"]
    done = subprocess.run(
        [*command, *paths],
        cwd=copy,
        env=_environment(copy),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    failed = _FAILED.findall(done.stdout)
    if done.returncode not in (0, 1) and not failed:
        return [], f"pytest exit {done.returncode}: {(done.stdout + done.stderr)[-400:]}"
    return failed, ""


def run_mutant(mutant: Mutant | None, *, full: bool = False) -> Result:
    """Copy the repository, apply `mutant` (None: the unmutated baseline), run the tests."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kscheck-mutant-") as directory:
        copy = Path(directory)
        _copy_repository(copy)
        line = 0
        if mutant is not None:
            target = copy / mutant.path
            source = target.read_text()
            line = locate(source, mutant)[0]
            target.write_text(mutated_source(source, mutant))
        failed: list[str] = []
        stages = 0
        for paths in STAGES:
            more, error = _pytest(copy, paths)
            stages += 1
            failed += more
            if error:
                return Result(mutant or BASELINE, line, tuple(failed), stages, 0.0, error)
            if failed and not full:
                break
    return Result(mutant or BASELINE, line, tuple(failed), stages, time.monotonic() - started)


BASELINE = Mutant("baseline", "facade", "(no mutation)")


def _short(nodeid: str) -> str:
    name = nodeid.split("::", 1)[-1] if "::" in nodeid else nodeid.split("/")[-1]
    return re.sub(r"\[.*\]$", "[…]", name)


def table(results: Iterable[Result]) -> str:
    """The results as a Markdown table (area, rule, killed, failing tests)."""
    rows = [
        "| area | rule deleted (file:line) | killed | self-tests that failed |",
        "|---|---|---|---|",
    ]
    for r in results:
        names = sorted({_short(n) for n in r.failed})
        shown = ", ".join(names[:3]) + (f" (+{len(names) - 3} more)" if len(names) > 3 else "")
        where = f"{r.mutant.requirement} ({r.mutant.path}:{r.line})"
        verdict = "yes" if r.killed else ("ERROR" if r.error else "**NO**")
        count = f"{len(r.failed)} failed: " if r.failed else ""
        rows.append(f"| {r.mutant.area} | {where} | {verdict} | {count}{shown or r.error} |")
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-k", dest="keyword", help="only mutants whose rule or area contains this")
    parser.add_argument("--workers", type=int, default=2, help="mutants run at once (default 2)")
    parser.add_argument("--full", action="store_true", help="run every stage for every mutant")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    args = parser.parse_args(argv)
    chosen = [
        m
        for m in MUTANTS
        if not args.keyword or args.keyword in m.requirement or args.keyword in m.area
    ]
    if args.list:
        for m in chosen:
            line = locate((ROOT / m.path).read_text(), m)[0]
            print(f"{m.area:16} {m.requirement:28} {m.path}:{line}")
        return 0
    baseline = run_mutant(None, full=True)
    if baseline.failed or baseline.error:
        print(f"the unmutated copy does not pass: {baseline.failed or baseline.error}")
        return 2
    print(f"baseline: self-tests pass on the unmutated copy ({baseline.seconds:.0f} s)")
    started = time.monotonic()
    results: list[Result] = []
    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        futures = {pool.submit(run_mutant, m, full=args.full): m for m in chosen}
        for done in as_completed(futures):
            result = done.result()
            results.append(result)
            verdict = "killed" if result.killed else "SURVIVED"
            print(
                f"[{len(results)}/{len(chosen)}] {result.mutant.requirement}: {verdict} "
                f"({len(result.failed)} failed, {result.seconds:.0f} s)",
                file=sys.stderr,
                flush=True,
            )
    results.sort(key=lambda r: chosen.index(r.mutant))
    print(table(results))
    survivors = [r for r in results if not r.killed]
    print(
        f"\n{len(results) - len(survivors)}/{len(results)} mutants killed "
        f"in {time.monotonic() - started:.0f} s"
    )
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
