"""Every permitted variant of the fake proxy is certified: ``kscheck certify --variant NAME``
ends CERTIFIED with zero FAIL and zero ERROR, once per variant and once with every variant
that can be combined. The mirror image of ``test_fault_catalog``.

``ACCEPTS`` is the explicit mapping variant -> what the run must grade besides PASS: the
requirements it records as INFO (a choice the spec leaves open) and those it cannot reach
(SKIPPED with a reason). Both sets are exact, so a variant that stops reaching its check, or
a check that starts to grade a permitted behaviour differently, fails here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from certify_runs import CertifyRun
from conftest import ALL_VARIANTS

from conformance.cli import main
from conformance.spec.xks_requirements import xks_requirement
from conformance.xks.variants import VARIANTS, maximal_compatible_set, validate_variant_names


@dataclass(frozen=True)
class Accept:
    """What a certified variant run grades besides PASS: exactly `info` as INFO and exactly
    `skipped` as SKIPPED (`why` says why a requirement cannot be reached)."""

    info: frozenset[str] = frozenset()
    skipped: frozenset[str] = frozenset()
    why: str = ""


def _ids(*parts: str) -> frozenset[str]:
    return frozenset(f"XKS-{p}" for p in parts)


#: The only warning of the clean fake proxy: its CA is a private test CA. PERF-002 (median
#: within 35 ms, a SHOULD) depends on how loaded this shared machine is, not on the variant.
CLEAN_WARNINGS = _ids("TLS-005", "PERF-002")

ACCEPTS: dict[str, Accept] = {
    "iv_16_bytes": Accept(),
    "metadata_20_bytes": Accept(),
    "no_ciphertext_metadata": Accept(
        skipped=_ids("CRYPT-010", "TAMPER-004"),
        why="no ciphertextMetadata to measure (CRYPT-010) or to move into the AAD",
    ),
    "empty_request_id_refused": Accept(info=_ids("VAL-014")),
    "throttles_bursts": Accept(),
    "unsupported_above_minimum": Accept(),
    "reference_aad_encoding": Accept(info=_ids("CRYPT-013")),
    "extra_response_fields": Accept(info=_ids("HTTP-008")),
    "no_error_message": Accept(
        skipped=_ids("ERR-002"), why="no errorMessage to judge: XKS-ERR-002 is not reached"
    ),
    "prefix_auth_before_routing": Accept(),
    "health_cached_60s": Accept(),
    "validation_first": Accept(),
    "authentication_first": Accept(),
    "extra_key_usages": Accept(),
    "case_sensitive_key_ids": Accept(),
    "key_arn_authorization": Accept(
        info=_ids("AUTH-018"),
        skipped=_ids("VAL-011"),
        why="the policy refuses the made-up 2048-char role, so acceptance of the length "
        "cannot be observed (the 403 is recorded under AUTH-018)",
    ),
}


def _accept_all() -> Accept:
    chosen = [ACCEPTS[name] for name in maximal_compatible_set()]
    info = frozenset().union(*(a.info for a in chosen))
    skipped = frozenset().union(*(a.skipped for a in chosen))
    return Accept(info, skipped, "the union of the variants run together")


def test_every_variant_of_the_catalogue_has_an_expectation() -> None:
    assert set(ACCEPTS) == set(VARIANTS)


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_a_variant_cites_the_spec_and_says_how_it_is_graded(name: str) -> None:
    variant = VARIANTS[name]
    accept = ACCEPTS[name]
    assert variant.spec_reference.startswith("[SPEC]"), name
    assert variant.grading.split(":")[0].split(" ")[0] in ("PASS", "INFO", "PASS;"), name
    for rid in accept.info:
        assert xks_requirement(rid).level.value == "MAY", f"{name}: INFO only for a MAY rule"
        assert rid.removeprefix("XKS-") in variant.grading, f"{name}: grading omits {rid}"
    if accept.skipped:
        assert accept.why, f"{name}: a SKIPPED requirement needs a reason"
    for other in variant.conflicts:
        assert name in VARIANTS[other].conflicts, f"{name} <-> {other} must both say so"


def test_the_maximal_compatible_set_leaves_out_only_conflicting_variants() -> None:
    chosen = maximal_compatible_set()
    validate_variant_names(chosen)  # does not contradict itself
    for name in set(VARIANTS) - chosen:
        assert VARIANTS[name].conflicts & chosen, f"{name} could have been added"


@pytest.mark.parametrize("name", [*sorted(f"variant:{n}" for n in VARIANTS), ALL_VARIANTS])
def test_the_variant_is_certified_with_no_fail_and_no_error(
    name: str, variant_runs: dict[str, CertifyRun]
) -> None:
    run = variant_runs[name]
    accept = _accept_all() if name == ALL_VARIANTS else ACCEPTS[name.split(":", 1)[1]]
    unexpected = [
        (r["id"], r["outcome"], r.get("actual"), [c.get("reason") for c in r["checks"]][:2])
        for r in run.results["requirements"]
        if r["outcome"] not in ("PASS", "INFO", "SKIPPED", "NON_STRICT")
        or (r["outcome"] == "NON_STRICT" and r["id"] not in CLEAN_WARNINGS)
    ]
    assert unexpected == [], run.console[-3000:]
    assert run.exit_code == 0
    assert run.results["certified"] is True
    assert "CERTIFIED: " in run.console and ", no MUST failed " in run.console
    assert run.ids_with("NON_STRICT") <= CLEAN_WARNINGS
    assert run.ids_with("INFO") == accept.info
    assert run.ids_with("SKIPPED") == accept.skipped


def _requirement(run: CertifyRun, rid: str) -> dict[str, object]:
    return dict(next(r for r in run.results["requirements"] if r["id"] == rid))


def test_the_variants_are_recorded_and_reproducible(variant_runs: dict[str, CertifyRun]) -> None:
    run = variant_runs["variant:throttles_bursts"]
    assert run.results["inputs"]["variants"] == ["throttles_bursts"]
    assert run.results["target"]["variants"] == ["throttles_bursts"]
    reproduce = _requirement(run, "XKS-PERF-004")["reproduce"]
    assert "kscheck certify --variant throttles_bursts" in str(reproduce)


def test_a_burst_really_met_429_and_was_accepted(variant_runs: dict[str, CertifyRun]) -> None:
    perf = _requirement(variant_runs["variant:throttles_bursts"], "XKS-PERF-004")
    assert perf["outcome"] == "PASS"
    assert "429 x" in str(perf["actual"]), perf["actual"]


def test_an_empty_request_id_refused_as_missing_is_info_not_fail(
    variant_runs: dict[str, CertifyRun],
) -> None:
    run = variant_runs["variant:empty_request_id_refused"]
    assert _requirement(run, "XKS-VAL-010")["outcome"] == "PASS"
    assert _requirement(run, "XKS-VAL-014")["outcome"] == "INFO"
    assert "[XKS-VAL-014] MAY INFO" in run.console


def test_a_cached_health_result_passes_once_its_age_is_allowed_to_pass(
    variant_runs: dict[str, CertifyRun],
) -> None:
    assert (
        _requirement(variant_runs["variant:health_cached_60s"], "XKS-HEALTH-005")["outcome"]
        == "PASS"
    )


def test_a_variant_combined_with_a_fault_still_catches_the_fault(
    variant_runs: dict[str, CertifyRun],
) -> None:
    run = variant_runs["combined:metadata_20_bytes+unbound_metadata"]
    assert run.exit_code == 1
    assert "XKS-TAMPER-003" in run.ids_with("FAIL")


@pytest.mark.parametrize("command", ["certify", "proxy"])
def test_a_contradictory_variant_list_is_a_usage_error_naming_the_flag(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main([command, "--variant", "validation_first", "--variant", "authentication_first"])
    error = capsys.readouterr().err
    assert code == 2
    assert "--variant" in error and "contradict" in error


def test_an_unknown_variant_is_a_usage_error_listing_the_valid_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["certify", "--variant", "nope"]) == 2
    assert "iv_16_bytes" in capsys.readouterr().err


def test_list_variants_shows_every_variant_with_its_reference_and_grading(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for command in ("certify", "proxy"):
        assert main([command, "--list-variants"]) == 0
        listed = capsys.readouterr().out
        for variant in VARIANTS.values():
            assert variant.name in listed and variant.spec_reference in listed


def test_the_proxy_describes_its_variants(capsys: pytest.CaptureFixture[str]) -> None:
    from conformance.commands.proxy import describe
    from conformance.xks.server import start_fake_proxy

    with start_fake_proxy(variants=["iv_16_bytes"]) as proxy:
        assert json.loads(json.dumps(describe(proxy)))["variants"] == ["iv_16_bytes"]
