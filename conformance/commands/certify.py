"""`kscheck certify`: certify an XKS proxy against the XKS proxy API spec.

Reads the target like the official test client (XKS_PROXY_HOST, URI_PREFIX,
SIGV4_ACCESS_KEY_ID, SIGV4_SECRET_ACCESS_KEY, KEY_ID, ENCRYPT_ONLY_KEY_ID,
DECRYPT_ONLY_KEY_ID, IMPOTENT_KEY_ID, REGION, SCHEME), flags overriding the environment.
With no target it starts the built-in fake proxy (clean, or with --fault NAME) and certifies
that. Runs the checks of ``conformance.checks.xks`` under pytest, prints progress, a summary
table and every finding, and writes results.json, junit.xml and summary.md.

Exit status: 0 when no MUST requirement failed (with --strict: and no SHOULD was broken),
1 otherwise, 2 for a usage error.

Examples::

    kscheck certify                                   # the built-in fake proxy
    kscheck certify --fault urlsafe_base64            # watch a defect being caught
    XKS_PROXY_HOST=xks.example.com SIGV4_ACCESS_KEY_ID=... SIGV4_SECRET_ACCESS_KEY=... \\
        kscheck certify --ca-bundle ca.pem -k XKS-AUTH
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import shlex
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TextIO

import pytest
from hypothesis import Phase, settings
from hypothesis.configuration import set_hypothesis_home_dir

from conformance import __version__
from conformance.profiles import PROFILES, register_profiles
from conformance.pytest_plugin import OUTCOMES_KEY, XKS_TARGET_KEY
from conformance.report.console import (
    PROGRESS_CHARS,
    render_findings,
    render_measurements,
    render_summary_table,
    render_verdict,
)
from conformance.report.outcomes import CheckOutcome, Outcome
from conformance.report.redaction import Redactor
from conformance.report.run import RunRecord, build_run_record
from conformance.report.writers import write_reports
from conformance.spec.xks_requirements import XKS_REQUIREMENTS
from conformance.spec.xks_target import (
    XksTarget,
    XksTargetError,
    target_from_env,
    target_from_running_proxy,
)

CHECKS_DIRECTORY = Path(__file__).resolve().parent.parent / "checks" / "xks"

#: flag dest -> (official test client variable or None, help)
TARGET_FLAGS: dict[str, tuple[str | None, str]] = {
    "host": ("XKS_PROXY_HOST", "proxy host[:port] (no scheme)"),
    "uri_prefix": ("URI_PREFIX", "URI path prefix, e.g. example/uri/path/prefix"),
    "access_key_id": ("SIGV4_ACCESS_KEY_ID", "SigV4 access key id"),
    "secret_access_key": ("SIGV4_SECRET_ACCESS_KEY", "SigV4 secret (prefer the env variable)"),
    "key_id": ("KEY_ID", "external key id allowing ENCRYPT and DECRYPT"),
    "encrypt_only_key_id": ("ENCRYPT_ONLY_KEY_ID", "key id allowing only ENCRYPT"),
    "decrypt_only_key_id": ("DECRYPT_ONLY_KEY_ID", "key id allowing only DECRYPT"),
    "impotent_key_id": ("IMPOTENT_KEY_ID", "key id allowing neither"),
    "region": ("REGION", "AWS region the proxy signs for"),
    "scheme": ("SCHEME", "https:// (default) or empty for plain http"),
}
EXTRA_FLAGS: dict[str, str] = {
    "disabled_key_id": "key id of a DISABLED key (XKS-USAGE-005)",
    "ca_bundle": "PEM CA bundle to verify the proxy's certificate (default: system roots)",
    "client_cert": "mTLS client certificate PEM (enables the MTLS checks)",
    "client_key": "mTLS client private key PEM",
    "expired_client_cert": "expired client certificate from the trusted CA (XKS-MTLS-004)",
    "expired_client_key": "its key",
    "wrong_subject_client_cert": "trusted-CA client certificate, wrong subject (XKS-MTLS-005)",
    "wrong_subject_client_key": "its key",
    "second_access_key_id": "a second live credential for the prefix (XKS-AUTH-015)",
    "second_secret_access_key": "its secret (or env SECOND_SIGV4_SECRET_ACCESS_KEY)",
    "ping_url": "load-balancer health URL, e.g. http://host/ping (XKS-HTTP-007)",
}


def configure(parser: argparse.ArgumentParser) -> None:
    """Add this subcommand's options to `parser`."""
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    target = parser.add_argument_group("target (flags override the official client's env)")
    for dest, (env, text) in TARGET_FLAGS.items():
        flag = "--" + dest.replace("_", "-")
        target.add_argument(flag, dest=dest, default=None, help=f"{text} [env {env}]")
    for dest, text in EXTRA_FLAGS.items():
        target.add_argument("--" + dest.replace("_", "-"), dest=dest, default=None, help=text)
    run = parser.add_argument_group("run")
    run.add_argument(
        "--profile",
        default="certify",
        choices=sorted(PROFILES),
        help="Hypothesis profile (default: certify, derandomized)",
    )
    run.add_argument(
        "--seed",
        type=int,
        default=0,
        help="0 (default): derandomized, the same inputs for every vendor; "
        "another number: random inputs from that seed",
    )
    run.add_argument(
        "-k",
        dest="filter",
        default=None,
        metavar="EXPR",
        help="only checks matching EXPR (a requirement ID such as XKS-AUTH-003, "
        "an area prefix, or any pytest -k expression)",
    )
    run.add_argument(
        "--report-dir",
        default=None,
        help="where to write reports (default: reports/runs/<timestamp>/)",
    )
    run.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="NAME",
        help="switch on a fault of the built-in fake proxy (repeatable; only "
        "without a target); see `kscheck proxy --list-faults`",
    )
    run.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="NAME",
        help="switch on a permitted variant of the built-in fake proxy (repeatable; only "
        "without a target; combinable with --fault); see --list-variants",
    )
    run.add_argument(
        "--list-variants",
        action="store_true",
        help="list the permitted variants of the built-in fake proxy and exit",
    )
    run.add_argument(
        "--no-mtls", action="store_true", help="start the built-in fake proxy without mTLS"
    )
    run.add_argument(
        "--no-shrink",
        action="store_true",
        help="report the first failing example as found, without shrinking it "
        "(faster triage; the Input line is less minimal)",
    )
    run.add_argument(
        "--strict",
        action="store_true",
        help="also fail (exit 1) when a SHOULD requirement is broken (NON_STRICT)",
    )
    run.add_argument("--quiet", action="store_true", help="no progress line")


class UsageError(Exception):
    """Bad command-line input; the message names the flag or variable and the rule."""


def _external_target(args: argparse.Namespace, env: Mapping[str, str]) -> XksTarget:
    merged = dict(env)
    for dest, (name, _) in TARGET_FLAGS.items():
        value = getattr(args, dest)
        if value is not None and name is not None:
            merged[name] = value
    if "SIGV4_ACCESS_KEY_ID" not in merged or "SIGV4_SECRET_ACCESS_KEY" not in merged:
        missing = [n for n in ("SIGV4_ACCESS_KEY_ID", "SIGV4_SECRET_ACCESS_KEY") if n not in merged]
        raise UsageError(f"{' and '.join(missing)}: required for an external proxy")
    second_secret = args.second_secret_access_key or env.get("SECOND_SIGV4_SECRET_ACCESS_KEY")
    extra: dict[str, Any] = {
        "disabled_key_id": args.disabled_key_id,
        "ca_bundle": args.ca_bundle,
        "client_cert": args.client_cert,
        "client_key": args.client_key,
        "expired_client_cert": args.expired_client_cert,
        "expired_client_key": args.expired_client_key,
        "wrong_subject_client_cert": args.wrong_subject_client_cert,
        "wrong_subject_client_key": args.wrong_subject_client_key,
        "second_access_key_id": args.second_access_key_id,
        "second_secret_access_key": second_secret,
        "ping_url": args.ping_url,
    }
    try:
        return target_from_env(merged, **extra)
    except XksTargetError as exc:
        raise UsageError(f"{_input_name(exc.field_name)}: {exc.rule}") from None


def _input_name(field_name: str) -> str:
    """The variable and flag a vendor actually sets for a target field (for error messages).

    >>> _input_name("region"), _input_name("ca_bundle")
    ('REGION (--region)', '--ca-bundle')
    """
    names = {
        "base_url": "XKS_PROXY_HOST (--host) with SCHEME (--scheme)",
        "credential": "SIGV4_ACCESS_KEY_ID and SIGV4_SECRET_ACCESS_KEY",
        "second_credential": "--second-access-key-id and SECOND_SIGV4_SECRET_ACCESS_KEY",
    }
    for dest, (variable, _) in TARGET_FLAGS.items():
        shown = f"{variable} (--{dest.replace('_', '-')})"
        names.setdefault(dest, shown)
        names.setdefault(str(variable), shown)
    return names.get(field_name, "--" + field_name.replace("_", "-"))


def _wants_external(args: argparse.Namespace, env: Mapping[str, str]) -> bool:
    return bool(args.host or env.get("XKS_PROXY_HOST"))


@contextlib.contextmanager
def _target(args: argparse.Namespace, env: Mapping[str, str]) -> Iterator[XksTarget]:
    if _wants_external(args, env):
        if args.fault:
            raise UsageError("--fault: only for the built-in fake proxy (no XKS_PROXY_HOST)")
        if args.variant:
            raise UsageError("--variant: only for the built-in fake proxy (no XKS_PROXY_HOST)")
        yield _external_target(args, env)
        return
    from conformance.xks.faults import UnknownFaultError
    from conformance.xks.server import start_fake_proxy
    from conformance.xks.variants import validate_variant_names

    try:
        variants = validate_variant_names(args.variant)
    except ValueError as exc:  # unknown names, or a set that contradicts itself
        raise UsageError(f"--variant: {exc}") from None
    try:
        proxy = start_fake_proxy(faults=args.fault, variants=variants, mtls=not args.no_mtls)
    except UnknownFaultError as exc:
        raise UsageError(f"--fault: {exc}") from None
    with proxy:
        yield target_from_running_proxy(proxy)


def _reproduce_command(args: argparse.Namespace, target: XksTarget, external: bool) -> str:
    words = ["kscheck", "certify"]
    if external:
        words += ["--host", target.base_url.split("://", 1)[1]]
        words += ["--uri-prefix", target.uri_prefix or "''"]
        for dest in (
            "ca_bundle", "client_cert", "client_key", "region", "key_id", "encrypt_only_key_id",
            "decrypt_only_key_id", "impotent_key_id", "disabled_key_id", "ping_url",
        ):  # fmt: skip
            if getattr(args, dest):
                words += ["--" + dest.replace("_", "-"), str(getattr(args, dest))]
    for fault in args.fault:
        words += ["--fault", fault]
    for variant in args.variant:
        words += ["--variant", variant]
    if args.no_mtls:
        words.append("--no-mtls")
    if args.profile != "certify":
        words += ["--profile", args.profile]
    if args.no_shrink:
        words.append("--no-shrink")
    return " ".join(shlex.quote(w) if w != "''" else w for w in words)


def _hypothesis_profile(name: str, seed: int, shrink: bool = True) -> str:
    """Register and name the profile variant for `seed` (0 derandomized, else seeded) and
    shrinking; one failure per check is reported (report_multiple_bugs off)."""
    register_profiles()
    variant = f"{name}-{'derandomized' if seed == 0 else 'seeded'}-{'shrink' if shrink else 'raw'}"
    phases = tuple(p for p in Phase if shrink or p not in (Phase.shrink, Phase.explain))
    settings.register_profile(
        variant,
        parent=settings.get_profile(name),
        derandomize=seed == 0,
        phases=phases,
        report_multiple_bugs=False,
    )
    return variant


class _CertifySession:
    """The pytest plugin object of one certify run: hands over the target, shows progress,
    keeps the graded outcomes."""

    def __init__(self, target: XksTarget, stream: TextIO, quiet: bool, redactor: Redactor) -> None:
        self.target = target
        self.stream = stream
        self.quiet = quiet
        self.redactor = redactor
        self.outcomes: list[CheckOutcome] = []
        self.collected = 0
        self.collection_errors: list[str] = []
        self._module = ""

    def pytest_configure(self, config: pytest.Config) -> None:
        config.stash[XKS_TARGET_KEY] = self.target

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collection_errors.append(self.redactor.redact(str(report.longrepr))[-2000:])

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.collected = len(session.items)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        grades = [v for k, v in report.user_properties if k == "kscheck_outcome"]
        if self.quiet or not grades:
            return
        module = report.nodeid.split("::")[0].rsplit("/", 1)[-1].removesuffix(".py")
        if module != self._module:
            self._module = module
            self.stream.write(f"\n{module.removeprefix('test_'):<14}")
        self.stream.write(PROGRESS_CHARS.get(str(grades[-1]).split("=")[-1], "?"))
        self.stream.flush()

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        stash = session.config.stash
        empty: list[CheckOutcome] = []
        collected: list[CheckOutcome] = stash.get(OUTCOMES_KEY, empty)
        self.outcomes = list(collected)
        if not self.quiet:
            self.stream.write("\n")


#: What still runs when no HTTPS session can be set up: the handshake checks themselves.
TLS_ONLY_FILTER = "XKS-TLS or XKS-MTLS"


PREFLIGHT_TLS_FAILURE = "no HTTPS session with the proxy"


def preflight_failure(target: XksTarget) -> str | None:
    """Why no HTTP answer at all comes back from the API (TLS refused, nothing listening),
    or None when the proxy answers. Any HTTP status counts as an answer."""
    import requests  # local: only the preflight needs it here

    with requests.Session() as session:
        session.trust_env = False
        cert = target.client_certificate
        try:
            session.post(
                f"{target.base_url}{target.uri_prefix}/kms/xks/v1/health",
                data=b"{}",
                timeout=5,
                verify=target.ca_bundle or True,
                cert=(cert.cert_path, cert.key_path) if cert else None,
            )
        except requests.exceptions.SSLError:
            return (
                f"{PREFLIGHT_TLS_FAILURE} (TLS handshake or certificate failed; check "
                "--ca-bundle, and --client-cert/--client-key if the proxy requires mTLS)"
            )
        except requests.RequestException as exc:
            return f"the proxy does not answer ({type(exc).__name__})"
    return None


def _effective_filter(user_filter: str | None, unreachable: str | None) -> str | None:
    if unreachable is None:
        return user_filter
    return f"({user_filter}) and ({TLS_ONLY_FILTER})" if user_filter else TLS_ONLY_FILTER


def _pytest_arguments(args: argparse.Namespace, profile: str, filter: str | None) -> list[str]:
    arguments = [
        str(CHECKS_DIRECTORY),
        "-c",
        os.devnull,
        "--rootdir",
        str(CHECKS_DIRECTORY),
        "-p",
        "no:cacheprovider",
        "-p",
        "no:terminal",
        "-p",
        "no:randomly",
        f"--hypothesis-profile={profile}",
        "-W",
        "ignore::DeprecationWarning",
    ]
    if args.seed:
        arguments.append(f"--hypothesis-seed={args.seed}")
    if filter:
        arguments += ["-k", filter]
    return arguments


def _run_pytest(arguments: list[str], session: _CertifySession) -> int | pytest.ExitCode:
    """pytest.main with Hypothesis's scratch files in a temporary directory, not the cwd."""
    with tempfile.TemporaryDirectory(prefix="kscheck-hypothesis-") as scratch:
        set_hypothesis_home_dir(scratch)
        try:
            return pytest.main(arguments, plugins=[session])
        finally:
            set_hypothesis_home_dir(None)


def _report_directory(args: argparse.Namespace) -> Path:
    if args.report_dir:
        return Path(args.report_dir)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return Path("reports") / "runs" / stamp


def execute(args: argparse.Namespace, *, stream: TextIO | None = None) -> int:
    """Run the certification; returns the exit code (0 certified, 1 not, 2 usage error)."""
    out = stream or sys.stdout
    if args.list_variants:
        from conformance.commands.proxy import list_variants

        return list_variants(out)
    try:
        return _certify(args, os.environ, out)
    except (UsageError, XksTargetError) as exc:
        print(f"kscheck certify: {exc}", file=sys.stderr)
        return 2


def _certify(args: argparse.Namespace, env: Mapping[str, str], out: TextIO) -> int:
    if args.seed < 0:
        raise UsageError("--seed: must be 0 (derandomized) or a positive number")
    external = _wants_external(args, env)
    report_dir = _report_directory(args)
    try:  # before the run, not after it: a bad directory must not cost a whole certification
        report_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--report-dir: cannot create {report_dir} ({exc.strerror})") from None
    with _target(args, env) as target:
        redactor = Redactor(target.secrets())
        session = _CertifySession(target, out, args.quiet, redactor)
        profile = _hypothesis_profile(args.profile, args.seed, not args.no_shrink)
        out.write(
            f"kscheck certify {__version__}: {target.description} at "
            f"{target.base_url}{target.uri_prefix}\n"
            f"profile {args.profile}, seed {args.seed}"
            f"{' (derandomized)' if args.seed == 0 else ''}; reports -> {report_dir}\n"
        )
        unreachable = preflight_failure(target)
        if unreachable:
            out.write(f"preflight: {unreachable}; only the TLS checks run, the rest is SKIPPED\n")
        chosen = _effective_filter(args.filter, unreachable)
        started_at = datetime.datetime.now(datetime.timezone.utc)
        started = time.perf_counter()
        code = _run_pytest(_pytest_arguments(args, profile, chosen), session)
        duration = time.perf_counter() - started
    if session.collection_errors or code in (
        pytest.ExitCode.USAGE_ERROR,
        pytest.ExitCode.INTERNAL_ERROR,
    ):
        detail = "\n".join(session.collection_errors) or f"pytest exit code {int(code)}"
        print(f"kscheck certify: the checks could not be collected:\n{detail}", file=sys.stderr)
        return 2
    no_checks = code == pytest.ExitCode.NO_TESTS_COLLECTED or session.collected == 0
    if no_checks and not unreachable:  # unreachable: -k may simply exclude the TLS checks
        raise UsageError(f"-k: no check matches {args.filter!r}")
    outcomes = session.outcomes
    if unreachable:
        # A proxy whose API gives no HTTP answer is never certified, whatever -k selected.
        # A TLS failure is the server certificate's or handshake's rule; anything else
        # (nothing listening, timeout) means no HTTP/1.1 answer at all.
        tls_failed = unreachable.startswith(PREFLIGHT_TLS_FAILURE)
        outcomes.append(
            CheckOutcome(
                "preflight",
                "XKS-TLS-004" if tls_failed else "XKS-HTTP-004",
                Outcome.FAIL,
                expected="an HTTP answer to a POST on the health URI",
                actual=unreachable,
                input=f"POST {target.uri_prefix}/kms/xks/v1/health (preflight)",
            )
        )
        ran = {o.requirement_id for o in outcomes}
        outcomes += [
            CheckOutcome("preflight", r.id, Outcome.SKIPPED, reason=f"not reached: {unreachable}")
            for r in XKS_REQUIREMENTS
            if r.id not in ran and (not args.filter or r.id.startswith(args.filter))
        ]
    run = _run_record(args, target, outcomes, external, duration, started_at)
    if unreachable:
        run.notes.append(f"preflight: {unreachable}")
    written = write_reports(run, report_dir, redactor)
    _print_results(run, out, redactor)
    out.write(f"reports: {', '.join(str(p) for p in written)}\n")
    if args.strict and run.counts()["NON_STRICT"]:
        out.write(f"--strict: {run.counts()['NON_STRICT']} SHOULD requirement(s) broken\n")
        return 1
    return 1 if run.must_failed else 0


def _run_record(
    args: argparse.Namespace,
    target: XksTarget,
    outcomes: list[CheckOutcome],
    external: bool,
    duration: float,
    started_at: datetime.datetime,
) -> RunRecord:
    selected = {o.requirement_id for o in outcomes}
    requirements = [r for r in XKS_REQUIREMENTS if not args.filter or r.id in selected]
    inputs = {
        "profile": args.profile,
        "seed": args.seed,
        "filter": args.filter,
        "faults": list(args.fault),
        "variants": list(args.variant),
        "no_shrink": bool(args.no_shrink),
    }
    run = build_run_record(
        requirements,
        outcomes,
        target=target.public_description(),
        inputs=inputs,
        reproduce=_reproduce_command(args, target, external),
        duration_seconds=duration,
        started=started_at,
    )
    if external:
        run.notes.append("credentials come from SIGV4_* variables; they are not recorded")
    return run


def _print_results(run: RunRecord, out: TextIO, redactor: Redactor) -> None:
    out.write("\n" + render_summary_table(run) + "\n")
    measured = render_measurements(run)
    if measured:
        out.write("\nMeasured\n" + redactor.redact(measured) + "\n")
    findings = render_findings(run)
    if findings:
        out.write("\nFindings\n\n" + redactor.redact(findings) + "\n")
    out.write("\n" + render_verdict(run) + f" in {run.duration_seconds:.1f} s\n")
