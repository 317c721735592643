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
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TextIO

from conformance import __version__
from conformance.profiles import PROFILES
from conformance.pytest_plugin import XKS_TARGET_KEY
from conformance.report.finish import decide, finish, mark_unreached
from conformance.report.outcomes import CheckOutcome, Outcome
from conformance.report.redaction import Redactor
from conformance.report.run import RunRecord, build_run_record
from conformance.session import (
    SessionRequest,
    SessionResult,
    UsageError,
    interrupted_before_checks,
    prepare_report_dir,
    run_checks,
    run_command,
)
from conformance.spec.xks_requirements import XKS_REQUIREMENTS
from conformance.targets.preflight import TLS_FAILURE, http_preflight
from conformance.targets.xks import (
    XksTarget,
    XksTargetError,
    chosen_xks_target,
    target_from_env,
)

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


def _merged_environment(args: argparse.Namespace, env: Mapping[str, str]) -> dict[str, str]:
    """The official client's variables, overridden by the flags that mirror them."""
    merged = dict(env)
    for dest, (name, _) in TARGET_FLAGS.items():
        value = getattr(args, dest)
        if value is not None and name is not None:
            merged[name] = value
    return merged


def _external_inputs(args: argparse.Namespace, env: Mapping[str, str]) -> dict[str, Any]:
    """The inputs of an external target beyond the official client's variables."""
    return {
        "disabled_key_id": args.disabled_key_id,
        "ca_bundle": args.ca_bundle,
        "client_cert": args.client_cert,
        "client_key": args.client_key,
        "expired_client_cert": args.expired_client_cert,
        "expired_client_key": args.expired_client_key,
        "wrong_subject_client_cert": args.wrong_subject_client_cert,
        "wrong_subject_client_key": args.wrong_subject_client_key,
        "second_access_key_id": args.second_access_key_id,
        "second_secret_access_key": args.second_secret_access_key
        or env.get("SECOND_SIGV4_SECRET_ACCESS_KEY"),
        "ping_url": args.ping_url,
    }


def _external_target(args: argparse.Namespace, env: Mapping[str, str]) -> XksTarget:
    merged = _merged_environment(args, env)
    if "SIGV4_ACCESS_KEY_ID" not in merged or "SIGV4_SECRET_ACCESS_KEY" not in merged:
        missing = [n for n in ("SIGV4_ACCESS_KEY_ID", "SIGV4_SECRET_ACCESS_KEY") if n not in merged]
        raise UsageError(f"{' and '.join(missing)}: required for an external proxy")
    try:
        return target_from_env(merged, **_external_inputs(args, env))
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


def _has_external_inputs(args: argparse.Namespace, env: Mapping[str, str]) -> bool:
    """Whether credentials of an external proxy were given (flags or the official variables);
    without a host they would be silently ignored."""
    named = ("access_key_id", "secret_access_key")
    variables = ("SIGV4_ACCESS_KEY_ID", "SIGV4_SECRET_ACCESS_KEY")
    return any(getattr(args, d, None) for d in named) or any(env.get(v) for v in variables)


@contextlib.contextmanager
def _target(args: argparse.Namespace, env: Mapping[str, str]) -> Iterator[XksTarget]:
    external = _wants_external(args, env)
    merged = _merged_environment(args, env) if external else dict(env)
    extra = _external_inputs(args, env) if external else {}
    try:
        with chosen_xks_target(
            merged,
            extra=extra,
            faults=args.fault,
            variants=args.variant,
            mtls=not args.no_mtls,
        ) as target:
            yield target
    except XksTargetError as exc:
        raise UsageError(f"{_input_name(exc.field_name)}: {exc.rule}") from None


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


#: What still runs when no HTTPS session can be set up: the handshake checks themselves.
TLS_ONLY_FILTER = "XKS-TLS or XKS-MTLS"


def preflight_failure(target: XksTarget) -> str | None:
    """Why no HTTP answer at all comes back from the API (TLS refused, nothing listening),
    or None when the proxy answers. Any HTTP status counts as an answer."""
    cert = target.client_certificate
    return http_preflight(
        f"{target.base_url}{target.uri_prefix}/kms/xks/v1/health",
        verify=target.ca_bundle or True,
        cert=(cert.cert_path, cert.key_path) if cert else None,
    )


def _effective_filter(user_filter: str | None, unreachable: str | None) -> str | None:
    if unreachable is None:
        return user_filter
    return f"({user_filter}) and ({TLS_ONLY_FILTER})" if user_filter else TLS_ONLY_FILTER


def validate(args: argparse.Namespace, env: Mapping[str, str] | None = None) -> None:
    """Check every flag (and the official client's variables) before anything starts;
    UsageError names the flag or variable and the rule."""
    environ = os.environ if env is None else env
    if args.seed < 0 or args.seed >= 2**32:
        raise UsageError("--seed: must be 0 (derandomized) or a number up to 4294967295")
    if not _wants_external(args, environ):
        if _has_external_inputs(args, environ):
            raise UsageError(
                "XKS_PROXY_HOST (--host): required when credentials of an external proxy are "
                "given (without it the built-in fake proxy would be certified)"
            )
        from conformance.xks.faults import UnknownFaultError, validate_fault_names
        from conformance.xks.variants import validate_variant_names

        try:
            validate_fault_names(args.fault)
        except UnknownFaultError as exc:
            raise UsageError(f"--fault: {exc}") from None
        try:
            validate_variant_names(args.variant)
        except ValueError as exc:
            raise UsageError(f"--variant: {exc}") from None
    elif args.fault:
        raise UsageError("--fault: only for the built-in fake proxy (no XKS_PROXY_HOST)")
    elif args.variant:
        raise UsageError("--variant: only for the built-in fake proxy (no XKS_PROXY_HOST)")
    else:
        _external_target(args, environ)  # every target variable and flag, checked


def execute(args: argparse.Namespace, *, stream: TextIO | None = None) -> int:
    """Run the certification; returns the exit code (0 certified, 1 not, 2 usage error,
    130/143 interrupted)."""
    out = stream or sys.stdout
    if args.list_variants:
        from conformance.commands.proxy import list_variants

        return list_variants(out)
    return run_command(
        "certify",
        lambda signals: _certify(args, os.environ, out, signals),
        usage_errors=(XksTargetError,),
    )


def _certify(
    args: argparse.Namespace, env: Mapping[str, str], out: TextIO, signals: list[str]
) -> int:
    validate(args, env)
    external = _wants_external(args, env)
    report_dir = prepare_report_dir(args.report_dir, "certify")
    target: XksTarget | None = None
    result: SessionResult | None = None
    unreachable: str | None = None
    redactor = Redactor()
    try:
        with _target(args, env) as target:
            redactor = Redactor(target.secrets())
            out.write(
                f"kscheck certify {__version__}: {target.description} at "
                f"{target.base_url}{target.uri_prefix}\n"
                f"profile {args.profile}, seed {args.seed}"
                f"{' (derandomized)' if args.seed == 0 else ''}; reports -> {report_dir}\n"
            )
            out.flush()
            unreachable = preflight_failure(target)
            if unreachable:
                out.write(
                    f"preflight: {unreachable}; only the TLS checks run, the rest is SKIPPED\n"
                )
            request = SessionRequest(
                command="certify",
                checks_package="conformance.checks.xks",
                stash={XKS_TARGET_KEY: target},
                profile=args.profile,
                seed=args.seed,
                derandomize=args.seed == 0,
                shrink=not args.no_shrink,
                keyword=_effective_filter(args.filter, unreachable),
                progress=None if args.quiet else out,
                redactor=redactor,
                target_alive=lambda: preflight_failure(target) if target else None,
            )
            result = run_checks(request, signals)
    except KeyboardInterrupt:  # a signal outside the checks: starting or stopping the proxy
        if result is None:
            result = interrupted_before_checks(signals[0] if signals else "SIGINT")
    if target is None:
        return _interrupted_without_target(args, result, report_dir, redactor, out)
    if result.unusable:
        detail = "\n".join(result.collection_errors) or f"pytest exit code {result.exit_code}"
        print(f"kscheck certify: the checks could not be collected:\n{detail}", file=sys.stderr)
        return 2
    if result.collected == 0 and not unreachable and not result.interrupted:
        raise UsageError(f"-k: no check matches {args.filter!r}")
    outcomes = result.outcomes
    if unreachable:
        # A proxy whose API gives no HTTP answer is never certified, whatever -k selected.
        # A TLS failure is the server certificate's or handshake's rule; anything else
        # (nothing listening, timeout) means no HTTP/1.1 answer at all.
        tls_failed = unreachable.startswith(TLS_FAILURE)
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
    run = _run_record(args, target, outcomes, external, result.duration_seconds, result.started)
    run.interrupted = result.interrupted
    if unreachable:
        run.notes.append(f"preflight: {unreachable}")
    if result.interrupted:
        mark_unreached(run, f"not reached: the run was interrupted by {result.interrupted}")
        run.notes.append(f"interrupted by {result.interrupted}: a partial report")
    verdict = decide(
        run,
        command="certify",
        strict=args.strict,
        interrupted=result.interrupted,
        target_lost=result.target_lost,
    )
    return finish(run, verdict, report_dir, redactor, out)


def _interrupted_without_target(
    args: argparse.Namespace,
    result: SessionResult,
    report_dir: Path,
    redactor: Redactor,
    out: TextIO,
) -> int:
    """Reports of a certification a signal ended before its target was up."""
    run = build_run_record(
        XKS_REQUIREMENTS,
        [],
        target={"label": "the proxy was not started"},
        inputs={"profile": args.profile, "seed": args.seed, "filter": args.filter},
        reproduce="kscheck certify",
        command="certify",
    )
    run.interrupted = result.interrupted
    mark_unreached(run, f"not reached: interrupted by {result.interrupted} before the checks")
    verdict = decide(run, command="certify", interrupted=result.interrupted or "SIGINT")
    return finish(run, verdict, report_dir, redactor, out)


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
    described = dict(target.public_description())
    described.setdefault("label", f"{target.description} at {target.base_url}{target.uri_prefix}")
    run = build_run_record(
        requirements,
        outcomes,
        target=described,
        inputs=inputs,
        reproduce=_reproduce_command(args, target, external),
        duration_seconds=duration,
        started=started_at,
        command="certify",
    )
    if external:
        run.notes.append("credentials come from SIGV4_* variables; they are not recorded")
    return run
