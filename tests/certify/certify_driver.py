"""Run several ``kscheck certify`` invocations in this one process, one after the other.

Used by the certify self-tests to amortise interpreter and import start-up: the tests start
two of these drivers in parallel. Input: a JSON file with a list of jobs
``{"name", "argv", "console"}``; output: the same file with ``exit_code`` and ``seconds``
added to each job. Run as ``python tests/certify/certify_driver.py JOBS.json``.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import time
from pathlib import Path


def run_job(argv: list[str], console: Path) -> tuple[int, float]:
    """Run one certify command line, capturing stdout and stderr into `console`."""
    from conformance.cli import main

    buffer = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse usage errors
            code = int(exc.code or 0)
    console.write_text(buffer.getvalue(), encoding="utf-8")
    return code, time.perf_counter() - started


def main(jobs_path: str) -> int:
    path = Path(jobs_path)
    jobs = json.loads(path.read_text())
    for job in jobs:
        job["exit_code"], job["seconds"] = run_job(job["argv"], Path(job["console"]))
    path.write_text(json.dumps(jobs, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
