"""What is particular to the record of ``kscheck run``: its requirements (the CKS ones), how
its target is described, and which secrets of the target's world reports must mask.

The verdict and the report files are shared with ``certify`` (:mod:`conformance.report.finish`).

>>> secrets_of(None).redact("nothing to hide")
'nothing to hide'
"""

from __future__ import annotations

import argparse
from typing import Any

from conformance.report.finish import mark_unreached
from conformance.report.redaction import Redactor
from conformance.report.run import RunRecord, build_run_record
from conformance.session import SessionResult
from conformance.spec.reach import MODEL_ONLY
from conformance.spec.requirements import registry
from conformance.targets.factory import PreparedTarget

MODEL_ONLY_REASON = "model-only: no API call can bring it about (conformance/spec/reach.py)"


def secrets_of(prepared: PreparedTarget | None) -> Redactor:
    """A redactor knowing every secret of the target's world (proxy secrets, passwords)."""
    redactor = Redactor()
    if prepared is None:
        return redactor
    for proxy in prepared.world.proxies:
        for credential in proxy.credentials:
            redactor.add(credential.raw_secret_access_key)
    for cluster in prepared.world.clusters:
        redactor.add(cluster.kmsuser_password)
    return redactor


def describe_target(args: argparse.Namespace, prepared: PreparedTarget) -> dict[str, Any]:
    """The target as reports show it: name, Region, endpoint and version where known."""
    target = prepared.target
    described: dict[str, Any] = {"name": args.target, "region": args.region}
    endpoint = getattr(target, "endpoint_url", None)
    if endpoint:
        described["endpoint"] = endpoint
    version = getattr(target, "version", None)
    if version:
        described["version"] = version
    described["label"] = " ".join(
        str(part) for part in (args.target, version and f"({version})", args.region) if part
    )
    if prepared.scenario is not None:
        described["backends"] = "scenario"
    else:
        described["backends"] = "world file" if prepared.backends is not None else "none"
    return described


def build_record(
    args: argparse.Namespace,
    result: SessionResult,
    reproduce: str,
    described: dict[str, Any],
) -> RunRecord:
    """The run as data, over every CKS requirement of the registry (or those ``-k`` picked)."""
    ran = {o.requirement_id for o in result.outcomes}
    requirements = [
        r
        for rid, r in registry().items()
        if rid.startswith("CKS-") and (not args.keyword or rid in ran)
    ]
    record = build_run_record(
        requirements,
        result.outcomes,
        target=described,
        inputs={
            "profile": args.profile,
            "seed": args.seed,
            "emulator_faults": sorted(args.emulator_fault),
            "keyword": args.keyword,
        },
        reproduce=reproduce,
        duration_seconds=result.duration_seconds,
        started=result.started,
        command="run",
    )
    record.interrupted = result.interrupted
    record.open_questions = list(result.open_questions)
    if result.interrupted:
        mark_unreached(record, f"not reached: the run was interrupted by {result.interrupted}")
        record.notes.append(f"interrupted by {result.interrupted}: a partial report")
    else:
        for requirement_id in MODEL_ONLY:  # each reason: conformance/spec/reach.py
            mark_unreached(record, MODEL_ONLY_REASON, only=requirement_id)
        mark_unreached(record, "no check that ran names it")
    return record
