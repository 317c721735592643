"""The parts of `kscheck certify` on their own: grading, redaction, target input, the
independent SigV4 signer, the CDIV formula, report writers and usage errors."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hermetic import hermetic_environment

from conformance.checks.xks.bodies import Sealed, expected_cdiv, lenient_b64decode
from conformance.checks.xks.sigv4_signer import SigningParams, sign
from conformance.cli import main
from conformance.report.evidence import EvidenceLog
from conformance.report.grading import grade_check
from conformance.report.outcomes import (
    CheckOutcome,
    Outcome,
    RequirementViolation,
    UnsupportedByTarget,
)
from conformance.report.redaction import Redactor, describe_json
from conformance.report.results_json import render_results_json
from conformance.report.run import build_run_record
from conformance.spec.requirements import Level, Requirement
from conformance.spec.xks_requirements import xks_requirement
from conformance.targets.xks import TC_DEFAULTS, XksTargetError, target_from_env
from conformance.xks.sigv4 import verify_request


def _level(rid: str) -> str:
    return xks_requirement(rid).level.value


@pytest.mark.parametrize(
    "rid, grade",
    [("XKS-HTTP-002", "FAIL"), ("XKS-HTTP-003", "NON_STRICT"), ("XKS-AUTH-016", "INFO")],
)
def test_a_violation_is_graded_by_the_level_of_its_requirement(rid: str, grade: str) -> None:
    violation = RequirementViolation(rid, "x", "y", "z")
    [graded] = grade_check("t", (rid,), violation, _level)
    assert (graded.outcome.value, graded.expected, graded.actual, graded.input) == (
        grade,
        "x",
        "y",
        "z",
    )


class _Group(Exception):
    """Stands in for ExceptionGroup (Python 3.11+), which Hypothesis may raise."""

    def __init__(self, message: str, exceptions: list[Exception]) -> None:
        super().__init__(message)
        self.exceptions = exceptions


def test_a_violation_inside_an_exception_group_is_found() -> None:
    group = _Group("many", [ValueError("v"), RequirementViolation("XKS-META-002", "a", "b", "c")])
    graded = grade_check("t", ("XKS-META-001", "XKS-META-002"), group, _level)
    assert [(g.requirement_id, g.outcome, g.evidence) for g in graded] == [
        ("XKS-META-002", Outcome.FAIL, True),
        ("XKS-META-001", Outcome.SKIPPED, False),
    ]


def test_unsupported_skipped_and_crashed_checks_get_their_grades() -> None:
    [unsupported] = grade_check(
        "t", ("XKS-VAL-012",), UnsupportedByTarget("XKS-VAL-012", "i"), _level
    )
    [skipped] = grade_check("t", ("XKS-MTLS-001",), None, _level, skipped_reason="no cert")
    [crashed] = grade_check("t", ("XKS-HTTP-001",), KeyError("boom"), _level)
    reached = EvidenceLog(reached={"XKS-HTTP-001"}, steps=1)
    [passed] = grade_check(
        "t", ("XKS-HTTP-001",), None, _level, evidence=reached, observed="p99=1 ms"
    )
    assert (unsupported.outcome, skipped.outcome, skipped.reason) == (
        Outcome.UNSUPPORTED,
        Outcome.SKIPPED,
        "no cert",
    )
    assert crashed.outcome is Outcome.ERROR and "KeyError" in crashed.reason
    assert (passed.outcome, passed.actual) == (Outcome.PASS, "p99=1 ms")


def test_a_requirement_takes_the_worst_grade_of_its_checks() -> None:
    req = Requirement("XKS-DEMO-001", Level.SHOULD, "[SPEC] demo", "Demo.")
    checks = [
        CheckOutcome("a", req.id, Outcome.PASS),
        CheckOutcome("b", req.id, Outcome.NON_STRICT, expected="e"),
        CheckOutcome("c", req.id, Outcome.SKIPPED),
    ]
    run = build_run_record(
        [req], checks, target={}, inputs={"seed": 3}, reproduce="kscheck certify"
    )
    [item] = run.requirements
    assert item.outcome is Outcome.NON_STRICT and item.decisive is checks[1]
    assert not run.must_failed
    assert run.reproduce_for(req.id) == "kscheck certify -k XKS-DEMO-001 --seed 3"


def test_describe_json_shows_names_and_sizes_but_no_data() -> None:
    text = describe_json(
        {"plaintext": "SGVsbG8gV29ybGQh", "errorName": "ValidationException",
         "errorMessage": "secret stuff", "keyUsage": ["ENCRYPT"]}
    )  # fmt: skip
    assert text == (
        "{plaintext: <12 B base64>, errorName: ValidationException, "
        "errorMessage: <string, 12 chars>, keyUsage: [ENCRYPT]}"
    )


def test_the_redactor_masks_secrets_and_sigv4_credentials_but_keeps_json_valid() -> None:
    redactor = Redactor(["s3cr3t/Value+43"])
    header = "AWS4-HMAC-SHA256 Credential=AKIDX/20240101/us-east-1/kms-xks-proxy/aws4_request"
    text = json.dumps({"a": "s3cr3t/Value+43", "b": header, "c": "authorization: required"})
    redacted = redactor.redact(text)
    assert "s3cr3t" not in redacted and "AKIDX" not in redacted
    assert json.loads(redacted)["c"] == "authorization: required"


def test_results_json_stays_valid_json_after_redaction() -> None:
    req = xks_requirement("XKS-HEALTH-003")
    run = build_run_record([req], [], target={}, inputs={}, reproduce="k")
    assert json.loads(Redactor(["abcdefgh"]).redact(render_results_json(run)))["requirements"]


def test_target_from_env_uses_the_official_client_defaults() -> None:
    target = target_from_env({})
    assert (target.base_url, target.uri_prefix, target.key_id, target.region) == (
        "https://localhost",
        "/example/uri/path/prefix",
        "foo",
        "us-east-1",
    )
    assert target.credential.secret.reveal() == TC_DEFAULTS["SIGV4_SECRET_ACCESS_KEY"]
    assert "Please" not in repr(target)


@pytest.mark.parametrize(
    "env, extra, field",
    [
        ({"SCHEME": "ftp://"}, {}, "SCHEME"),
        ({"URI_PREFIX": "bad prefix!"}, {}, "URI_PREFIX"),
        ({"XKS_PROXY_HOST": "host/with/path"}, {}, "base_url"),
        ({"REGION": "Mars"}, {}, "region"),
        ({}, {"ca_bundle": "/nonexistent/ca.pem"}, "ca_bundle"),
        ({}, {"client_cert": "/nonexistent/c.pem"}, "client_cert"),
        ({}, {"second_access_key_id": "ABCDEFGHIJKLMNOPQRST"}, "second_credential"),
    ],
)
def test_bad_target_input_names_the_field(
    env: dict[str, str], extra: dict[str, str], field: str
) -> None:
    with pytest.raises(XksTargetError) as caught:
        target_from_env(env, **extra)
    assert caught.value.field_name == field


def test_the_independent_signer_is_accepted_by_the_fake_proxys_verifier() -> None:
    when = datetime.datetime(2024, 5, 15, 12, 0, tzinfo=datetime.timezone.utc)
    for signed in (("host", "x-amz-date"), ("content-type", "host", "x-amz-date")):
        params = SigningParams("AKIDAKIDAKIDAKIDAKID", "s" * 43, "us-east-1", when=when,
                               signed_headers=signed)  # fmt: skip
        headers = sign("POST", "/pfx/kms/xks/v1/health", {"host": "localhost:8443",
                       "content-type": "application/json"}, b"{}", params)  # fmt: skip
        verified = verify_request(
            "POST", "/pfx/kms/xks/v1/health", list(headers.items()), b"{}",
            secrets={"AKIDAKIDAKIDAKIDAKID": ["s" * 43]}, region="us-east-1", now=when,
        )  # fmt: skip
        assert verified == "AKIDAKIDAKIDAKIDAKID"


def test_cdiv_matches_the_vector_of_the_spec() -> None:
    sealed = Sealed(
        ciphertext=lenient_b64decode("ghxkK1txeDNn3q8Y"),
        iv=lenient_b64decode("HMrlRw85cAJUd5Ax"),
        tag=lenient_b64decode("vBxN2ncH1oEkR8WVXpmyYQ=="),
        metadata=lenient_b64decode("a2V5X3ZlcnNpb249MQ=="),
        cdiv=None,
    )
    aad = lenient_b64decode("cHJvamVjdD1uaWxlLGRlcGFydG1lbnQ9bWFya2V0aW5n")
    assert expected_cdiv(aad, sealed) == "qHA/ImC9h5HsLRXqCyPmWgYx7tzyoTplzILbP0fPXsc="


CREDENTIALS = {"SIGV4_ACCESS_KEY_ID": "A" * 20, "SIGV4_SECRET_ACCESS_KEY": "s" * 43}


@pytest.mark.parametrize(
    "argv, env, words",
    [
        (["certify", "--fault", "no_such_fault"], {}, ["--fault", "no_such_fault", "valid names"]),
        (["certify", "--fault", "slow"], {"XKS_PROXY_HOST": "h:1"}, ["--fault", "built-in"]),
        (["certify"], {"XKS_PROXY_HOST": "h:1", "SIGV4_ACCESS_KEY_ID": "A" * 20},
         ["SIGV4_SECRET_ACCESS_KEY", "required"]),
        (["certify", "--seed", "-1"], {}, ["--seed"]),
        (["certify"], {"XKS_PROXY_HOST": "h:99999", **CREDENTIALS}, ["XKS_PROXY_HOST", "65535"]),
        (["certify"], {"XKS_PROXY_HOST": "https://h", **CREDENTIALS}, ["XKS_PROXY_HOST"]),
        (["certify", "--region", "Mars"], {"XKS_PROXY_HOST": "h", **CREDENTIALS}, ["--region"]),
        (["certify", "--ping-url", "h/ping"], {"XKS_PROXY_HOST": "h", **CREDENTIALS},
         ["--ping-url"]),
        (["certify", "--report-dir", f"{os.devnull}/sub"], {}, ["--report-dir", "cannot create"]),
    ],
)  # fmt: skip
def test_usage_errors_exit_2_with_a_message_naming_the_field(
    argv: list[str],
    env: dict[str, str],
    words: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in TC_DEFAULTS:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert all(word in err for word in words), err


def test_a_filter_that_matches_nothing_is_a_usage_error(tmp_path: Path) -> None:
    env = hermetic_environment()
    result = subprocess.run(
        [sys.executable, "-m", "conformance.cli", "certify", "-k", "XKS-NOPE-999",
         "--report-dir", str(tmp_path)],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    assert "-k: no check matches 'XKS-NOPE-999'" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_empty_restricted_key_variable_means_the_vendor_has_no_such_key() -> None:
    target = target_from_env({"ENCRYPT_ONLY_KEY_ID": "", "IMPOTENT_KEY_ID": ""})
    assert (target.encrypt_only_key_id, target.impotent_key_id) == (None, None)
    assert target.decrypt_only_key_id == TC_DEFAULTS["DECRYPT_ONLY_KEY_ID"]


def test_an_unreachable_proxy_is_never_certified_whatever_the_filter(tmp_path: Path) -> None:
    env = hermetic_environment()
    env.update(CREDENTIALS, XKS_PROXY_HOST="127.0.0.1:1")
    result = subprocess.run(
        [sys.executable, "-m", "conformance.cli", "certify", "-k", "XKS-AUTH-001",
         "--report-dir", str(tmp_path), "--quiet"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "NOT CERTIFIED" in result.stdout
    assert "[XKS-HTTP-004]" in result.stdout
    assert "Traceback" not in result.stderr


def test_a_named_requirement_that_was_not_reached_is_skipped_not_passed() -> None:
    log = EvidenceLog(reached={"XKS-META-001"}, steps=4)
    graded = grade_check("t", ("XKS-META-001", "XKS-META-002"), None, _level, evidence=log)
    assert [(g.requirement_id, g.outcome, g.reason) for g in graded] == [
        ("XKS-META-001", Outcome.PASS, ""),
        ("XKS-META-002", Outcome.SKIPPED, "not reached (4 judged steps)"),
    ]
    [silent] = grade_check("t", ("XKS-META-001",), None, _level)
    assert silent.outcome is Outcome.SKIPPED


def test_what_a_failing_check_reached_before_it_stopped_still_passes() -> None:
    log = EvidenceLog(reached={"XKS-META-001"}, steps=2)
    violation = RequirementViolation("XKS-META-002", "a", "b", "c")
    graded = grade_check(
        "t", ("XKS-META-001", "XKS-META-002", "XKS-META-003"), violation, _level, evidence=log
    )
    assert [(g.requirement_id, g.outcome) for g in graded] == [
        ("XKS-META-002", Outcome.FAIL),
        ("XKS-META-001", Outcome.PASS),
        ("XKS-META-003", Outcome.SKIPPED),
    ]
