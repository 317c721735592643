"""World files: what is written is read back equal; every bad file is one line naming the
file, the table, the key and the rule; a check whose world lacks an entry skips naming it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hermetic import hermetic_environment

from conformance.checks.cks.inputs import BackendInputs
from conformance.emulator import start_emulator
from conformance.emulator.wire import RESET_PATH
from conformance.model import (
    CloudHsmCluster,
    ExternalKey,
    KmsUserState,
    ProxyBehaviour,
    ProxyCredential,
    VpcEndpointService,
    World,
)
from conformance.targets.backends import Backends, ProxyPlace
from conformance.worldfile import (
    WorldFileError,
    load_world_file,
    parse_world_text,
    toml_string,
    world_file_text,
)

AWKWARD = 'quote " backslash \\ newline \n tab \t bell \x07 del \x7f é ☃'

ODD_WORLD = World(
    account_id="999988887777",
    region="eu-west-3",
    proxies=(
        ProxyPlace(
            "https://a.example.com:8443",
            "/t/" + AWKWARD + "/kms/xks/v1",
            ProxyBehaviour.INVALID_RESPONSE,
            (ProxyCredential("K" * 20, AWKWARD), ProxyCredential("L" * 20, "s" * 43)),
            (ExternalKey("k1", "RSA_2048", "DISABLED", frozenset({"SIGN"})),),
        ).as_proxy(),
    ),
    vpc_endpoint_services=(
        VpcEndpointService("com.amazonaws.vpce.eu-west-3.vpce-svc-1", "123456789012", "x", False),
        VpcEndpointService("svc-2", conformant=False, allows_kms_principal=False),
    ),
    clusters=(
        CloudHsmCluster(
            "cluster-x",
            trust_anchor=AWKWARD,
            active=False,
            hsm_count=0,
            availability_zones=1,
            network_ok=False,
            backup_family="cluster-y",
            kmsuser_password=AWKWARD,
            kmsuser=KmsUserState.LOCKED_OUT,
        ),
    ),
    foreign_vpc_endpoints=frozenset({"https://b.example.com", "https://c.example.com"}),
)
ODD = Backends.of_world(
    ODD_WORLD,
    (ProxyPlace("https://nowhere.example.com", "/kms/xks/v1", ProxyBehaviour.UNREACHABLE),),
    "/_reset",
)


def round_trip(backends: Backends) -> Backends:
    written = world_file_text(backends)
    return parse_world_text(written.text, written.environment)


def test_an_odd_world_is_read_back_equal_and_its_secrets_are_not_in_the_text() -> None:
    written = world_file_text(ODD)
    assert parse_world_text(written.text, written.environment) == ODD
    assert AWKWARD not in written.text and "s" * 43 not in written.text
    assert set(written.environment.values()) >= {AWKWARD, "s" * 43}


def test_the_emulator_world_is_read_back_equal() -> None:
    with start_emulator() as emulator:
        backends = Backends.from_running_scenario(emulator.scenario, RESET_PATH)
    assert round_trip(backends) == backends
    unreachable = backends.places_with(ProxyBehaviour.UNREACHABLE)
    assert [p.host for p in unreachable] == ["xks-nowhere.kscheck.test"]
    assert not any(p.behaviour is ProxyBehaviour.UNREACHABLE for p in backends.world.proxies)


def test_toml_strings_escape_what_toml_needs() -> None:
    import tomllib

    assert tomllib.loads(f"v = {toml_string(AWKWARD)}")["v"] == AWKWARD


GOOD = """
format = 1
[[xks_proxies]]
uri_endpoint = "https://xks.example.com"
uri_path = "/kms/xks/v1"
behaviour = "HEALTHY"
[[xks_proxies.credentials]]
access_key_id_env = "T_ID"
secret_access_key_env = "T_SECRET"
[[cloudhsm_clusters]]
cluster_id = "cluster-abcdefghijk"
trust_anchor_file = "anchor.pem"
kmsuser_password_env = "T_PASSWORD"
"""
ENV = {"T_ID": "A" * 20, "T_SECRET": "s" * 43, "T_PASSWORD": "pw"}


def write_world(tmp_path: Path, text: str) -> Path:
    (tmp_path / "anchor.pem").write_text("-----BEGIN CERTIFICATE-----\nZ\n")
    path = tmp_path / "world.toml"
    path.write_text(text)
    return path


def test_a_good_file_reads_its_anchor_beside_it_and_its_secrets_from_the_environment(
    tmp_path: Path,
) -> None:
    backends = load_world_file(write_world(tmp_path, GOOD), ENV, region="eu-west-1")
    assert backends.world.region == "eu-west-1"
    assert backends.world.clusters[0].trust_anchor.endswith("Z\n")
    assert backends.world.clusters[0].kmsuser_password == "pw"
    assert backends.world.proxies[0].credentials == (ProxyCredential("A" * 20, "s" * 43),)


BAD_FILES = {
    "unknown key": (
        GOOD.replace('behaviour = "HEALTHY"', 'behaviour = "HEALTHY"\ncolour = "red"'),
        ENV,
        "xks_proxies[0] colour: unknown key",
    ),
    "unknown top key": ("format = 1\nproxies = []\n", ENV, "proxies: unknown key"),
    "missing variable": (
        GOOD,
        {k: v for k, v in ENV.items() if k != "T_SECRET"},
        "xks_proxies[0].credentials[0] secret_access_key_env: the environment variable "
        "T_SECRET is not set",
    ),
    "bad behaviour": (
        GOOD.replace('"HEALTHY"', '"HEALTHYISH"'),
        ENV,
        "xks_proxies[0] behaviour: 'HEALTHYISH' is not one of HEALTHY, UNREACHABLE",
    ),
    "missing trust anchor file": (
        GOOD.replace("anchor.pem", "nowhere.pem"),
        ENV,
        "cloudhsm_clusters[0] trust_anchor_file: cannot read",
    ),
    "wrong type": (GOOD.replace('"/kms/xks/v1"', "7"), ENV, "uri_path: must be a string"),
    "missing key": (GOOD.replace('uri_path = "/kms/xks/v1"', ""), ENV, "uri_path: required"),
    "wrong format": (GOOD.replace("format = 1", "format = 2"), ENV, "format: must be 1"),
    "not toml": ("format = = 1", ENV, "not TOML"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_world_file_is_one_line_naming_the_file_the_entry_and_the_rule(
    tmp_path: Path, case: str
) -> None:
    text, environ, expected = BAD_FILES[case]
    path = write_world(tmp_path, text)
    with pytest.raises(WorldFileError) as raised:
        load_world_file(path, environ)
    message = str(raised.value)
    assert message.startswith(f"{path}: ") and expected in message
    assert "\n" not in message
    assert "s" * 43 not in message


def test_an_unreadable_world_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(WorldFileError, match=r"missing\.toml: cannot read the world file"):
        load_world_file(tmp_path / "missing.toml", {})


def test_a_check_whose_world_lacks_an_entry_skips_naming_it() -> None:
    inputs = BackendInputs(Backends(World()))
    with pytest.raises(pytest.skip.Exception, match="xks_proxies entry with behaviour TIMEOUT"):
        inputs.place(ProxyBehaviour.TIMEOUT)
    with pytest.raises(pytest.skip.Exception, match="cloudhsm_clusters entry ready for keys"):
        inputs.ready_cluster()
    with pytest.raises(pytest.skip.Exception, match="BAD_TLS"):
        inputs.service_index(ProxyBehaviour.BAD_TLS)


def test_behaviour_is_chosen_per_place_not_per_host() -> None:
    """One host serving a broken tenant first and a healthy one second: a healthy request
    names the healthy tenant's path."""
    broken = ProxyPlace("https://rig.example.com", "/a/kms/xks/v1", ProxyBehaviour.TIMEOUT)
    healthy = dataclasses.replace(
        broken, uri_path="/b/kms/xks/v1", behaviour=ProxyBehaviour.HEALTHY
    )
    inputs = BackendInputs(
        Backends.of_world(World(proxies=(broken.as_proxy(), healthy.as_proxy())))
    )
    config = inputs.public_config("x", inputs.place(ProxyBehaviour.HEALTHY))
    assert config["XksProxyUriPath"] == "/b/kms/xks/v1"
    assert inputs.public_config("y", inputs.place(ProxyBehaviour.TIMEOUT))["XksProxyUriPath"] == (
        "/a/kms/xks/v1"
    )


def test_hermetic_environment_keeps_world_variables() -> None:
    """The e2e tests pass a world's secrets through the hermetic filter."""
    assert (
        hermetic_environment({"KSCHECK_XKS_1_1_ACCESS_KEY_ID": "x"}).get(
            "KSCHECK_XKS_1_1_ACCESS_KEY_ID"
        )
        == "x"
    )
