"""Bad rig configuration is refused before anything listens: exit 2 and one line naming the
file and the field (or the flag), never a traceback, never a secret."""

from __future__ import annotations

import datetime
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import trustme
from rig_support import TENANTS, RigFiles, kscheck, write_server_chain

from conformance.cli import main

GOOD = TENANTS[0]


def tenant_toml(**fields: object) -> str:
    """One [[tenant]] table: the healthy tenant's fields, replaced or removed (None)."""
    table: dict[str, object] = {
        "uri_prefix": GOOD.prefix,
        "access_key_id_env": GOOD.akid_env,
        "secret_access_key_env": GOOD.secret_env,
        "behaviour": GOOD.behaviour,
    }
    table.update(fields)
    lines = ["[[tenant]]"]
    for key, value in table.items():
        if value is None:
            continue
        shown = value if isinstance(value, str) and value.startswith("[") else f'"{value}"'
        lines.append(f"{key} = {shown}" if not isinstance(value, int) else f"{key} = {value}")
    return "\n".join(lines) + "\n"


#: name -> (tenants file text, words the one line must hold besides the file name)
BAD_TENANTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "no credential variable": (
        tenant_toml(secret_access_key_env=None),
        ("tenant[1].secret_access_key_env", "missing"),
    ),
    "credential variable unset": (
        tenant_toml(access_key_id_env="KSCHECK_RIG_NOBODY_SET_THIS"),
        ("tenant[1].access_key_id_env", "KSCHECK_RIG_NOBODY_SET_THIS", "not set"),
    ),
    "two tenants on one prefix": (
        tenant_toml() + tenant_toml(),
        ("tenant[2].uri_prefix", "tenant[1]"),
    ),
    "unknown behaviour": (tenant_toml(behaviour="GARBLED"), ("tenant[1].behaviour", "GARBLED")),
    "endpoint behaviour": (tenant_toml(behaviour="BAD_TLS"), ("tenant[1].behaviour", "BAD_TLS")),
    "unknown fault": (
        tenant_toml(faults='["no_such_fault"]'),
        ("tenant[1].faults", "no_such_fault"),
    ),
    "TLS fault on a prefix": (
        tenant_toml(faults='["expired_cert"]'),
        ("tenant[1].faults", "expired_cert"),
    ),
    "fault another behaviour means": (
        tenant_toml(faults='["slow"]'),
        ("tenant[1].faults", "TIMEOUT"),
    ),
    "unknown variant": (
        tenant_toml(variants='["no_such_variant"]'),
        ("tenant[1].variants", "no_such_variant"),
    ),
    "unknown key in a tenant": (tenant_toml(behavior="HEALTHY"), ("tenant[1].behavior", "unknown")),
    "unknown top-level key": ('region = "us-east-1"\n' + tenant_toml(), ("region", "unknown")),
    "delay without slowness": (tenant_toml(slow_delay_ms=5), ("tenant[1].slow_delay_ms",)),
    "no tenant": ("", ("tenant", "at least one")),
    "not TOML": ("[[tenant]\n", ("not valid TOML",)),
    "prefix ending in a slash": (tenant_toml(uri_prefix="/a/"), ("tenant[1].uri_prefix",)),
}

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run_proxy(
    rig_files: RigFiles, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Run:
    """``kscheck proxy ARGS`` in this process with the rig's credentials set."""
    for name, value in rig_files.credentials.items():
        monkeypatch.setenv(name, value)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["proxy", *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def assert_one_line_refusal(code: int, out: str, err: str, *words: str) -> None:
    assert code == 2, out + err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("kscheck proxy: "), err
    for word in words:
        assert word in lines[0], lines[0]
    assert out == ""  # nothing started, nothing printed
    assert "Traceback" not in err


@pytest.mark.parametrize("case", sorted(BAD_TENANTS))
def test_a_bad_tenants_file_is_refused_naming_file_and_field(
    case: str, run_proxy: Run, rig_files: RigFiles, tmp_path: Path
) -> None:
    text, words = BAD_TENANTS[case]
    tenants = tmp_path / "bad-tenants.toml"
    tenants.write_text(text)
    assert_one_line_refusal(
        *run_proxy("--tenants", str(tenants)), "--tenants", str(tenants), *words
    )


def test_a_malformed_secret_is_refused_without_showing_it(
    run_proxy: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(GOOD.secret_env, "too-short-secret-value")
    tenants = tmp_path / "tenants.toml"
    tenants.write_text(tenant_toml())
    code, out, err = run_proxy("--tenants", str(tenants))
    assert_one_line_refusal(code, out, err, "tenant[1].secret_access_key_env", GOOD.secret_env)
    assert "too-short-secret-value" not in err


@pytest.fixture
def good_tenants(tmp_path: Path) -> Path:
    tenants = tmp_path / "tenants.toml"
    tenants.write_text(tenant_toml())
    return tenants


def test_a_missing_certificate_file_is_refused(
    run_proxy: Run, rig_files: RigFiles, good_tenants: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere" / "chain.pem"
    result = run_proxy(
        "--tenants", str(good_tenants), "--tls-cert", str(missing), "--tls-key", str(rig_files.key)
    )
    assert_one_line_refusal(*result, "--tls-cert", str(missing), "no such file")


def test_a_key_that_is_not_a_key_is_refused(
    run_proxy: Run, rig_files: RigFiles, good_tenants: Path, tmp_path: Path
) -> None:
    garbage = tmp_path / "key.pem"
    garbage.write_text(
        "-----BEGIN PRIVATE KEY-----\nnot base64 at all\n-----END PRIVATE KEY-----\n"
    )
    result = run_proxy(
        "--tenants",
        str(good_tenants),
        "--tls-cert",
        str(rig_files.chain),
        "--tls-key",
        str(garbage),
    )
    assert_one_line_refusal(*result, "--tls-key", str(garbage), "no PEM private key")


def test_an_unreadable_key_is_refused(
    run_proxy: Run, rig_files: RigFiles, good_tenants: Path, tmp_path: Path
) -> None:
    unreadable = tmp_path / "key.pem"
    unreadable.write_bytes(rig_files.key.read_bytes())
    unreadable.chmod(0)
    try:
        if _readable(unreadable):
            pytest.skip("running as a user who reads every file (root)")
        result = run_proxy(
            "--tenants", str(good_tenants), "--tls-cert", str(rig_files.chain),
            "--tls-key", str(unreadable),
        )  # fmt: skip
    finally:
        unreadable.chmod(0o600)
    assert_one_line_refusal(*result, "--tls-key", str(unreadable), "cannot be read")


def test_a_key_path_that_is_a_directory_is_refused(
    run_proxy: Run, rig_files: RigFiles, good_tenants: Path, tmp_path: Path
) -> None:
    result = run_proxy(
        "--tenants", str(good_tenants), "--tls-cert", str(rig_files.chain),
        "--tls-key", str(tmp_path),
    )  # fmt: skip
    assert_one_line_refusal(*result, "--tls-key", str(tmp_path), "is a directory")


def _readable(path: Path) -> bool:
    try:
        path.read_bytes()
    except PermissionError:
        return False
    return True


def test_a_key_of_another_certificate_is_refused(
    run_proxy: Run, rig_files: RigFiles, good_tenants: Path, tmp_path: Path
) -> None:
    _, other_key = write_server_chain(trustme.CA(), tmp_path, "localhost")
    result = run_proxy(
        "--tenants", str(good_tenants), "--tls-cert", str(rig_files.chain),
        "--tls-key", str(other_key),
    )  # fmt: skip
    assert_one_line_refusal(*result, "--tls-key", str(other_key), "does not belong")


def test_an_expired_certificate_is_refused(
    run_proxy: Run, good_tenants: Path, tmp_path: Path
) -> None:
    now = datetime.datetime.now(datetime.timezone.utc)
    leaf = trustme.CA().issue_cert(
        "localhost",
        not_before=now - datetime.timedelta(days=9),
        not_after=now - datetime.timedelta(days=2),
    )
    chain, key = tmp_path / "old.pem", tmp_path / "old.key"
    chain.write_bytes(leaf.cert_chain_pems[0].bytes())
    leaf.private_key_pem.write_to_path(str(key))
    result = run_proxy(
        "--tenants", str(good_tenants), "--tls-cert", str(chain), "--tls-key", str(key)
    )
    assert_one_line_refusal(*result, "--tls-cert", str(chain), "expired")


def test_a_public_host_the_certificate_does_not_name_is_refused(
    run_proxy: Run, rig_files: RigFiles, good_tenants: Path, tmp_path: Path
) -> None:
    result = run_proxy(
        "--tenants", str(good_tenants), "--tls-cert", str(rig_files.chain),
        "--tls-key", str(rig_files.key), "--world-out", str(tmp_path / "world.toml"),
        "--public-host", "xks.example.com",
    )  # fmt: skip
    assert_one_line_refusal(*result, "--public-host", "xks.example.com", str(rig_files.chain))
    assert not (tmp_path / "world.toml").exists()


FLAG_CASES = {
    "cert without key": (("--tls-cert", "chain.pem"), "--tls-key"),
    "key without cert": (("--tls-key", "key.pem"), "--tls-cert"),
    "world without host": (("--world-out", "world.toml"), "--public-host"),
    "single-tenant fault": (("--fault", "slow"), "--fault"),
    "mtls": (("--mtls",), "--mtls"),
    "bad bind address": (("--bind", "example.com"), "--bind"),
    "world file in no directory": (
        ("--world-out", "/nonexistent/world.toml", "--public-host", "localhost"),
        "--world-out",
    ),
}


@pytest.mark.parametrize("case", sorted(FLAG_CASES))
def test_rig_flags_that_do_not_go_together_are_refused(
    case: str, run_proxy: Run, good_tenants: Path
) -> None:
    args, flag = FLAG_CASES[case]
    assert_one_line_refusal(*run_proxy("--tenants", str(good_tenants), *args), flag)


def test_rig_flags_need_a_tenants_file(run_proxy: Run) -> None:
    assert_one_line_refusal(
        *run_proxy("--tls-cert", "chain.pem", "--tls-key", "key.pem"), "--tenants"
    )


@pytest.mark.parametrize(
    "tenants_text, words",
    [BAD_TENANTS["credential variable unset"], BAD_TENANTS["two tenants on one prefix"]],
    ids=["credential variable unset", "two tenants on one prefix"],
)
def test_a_real_process_refuses_with_one_line_and_exit_2(
    rig_files: RigFiles, tmp_path: Path, tenants_text: str, words: tuple[str, ...]
) -> None:
    tenants = tmp_path / "tenants.toml"
    tenants.write_text(tenants_text)
    done = subprocess.run(
        kscheck(
            "proxy",
            "--tls-cert",
            str(rig_files.chain),
            "--tls-key",
            str(rig_files.key),
            "--tenants",
            str(tenants),
        ),
        capture_output=True,
        text=True,
        timeout=60,
        env=rig_files.environment(),
        check=False,
    )
    assert_one_line_refusal(done.returncode, done.stdout, done.stderr, str(tenants), *words)
