"""The rig process: tenants kept apart, the load balancer's pings, the world file it writes,
and no secret in anything it prints or writes."""

from __future__ import annotations

import signal
import sys

import requests
from rig_support import TENANTS, RigFiles, RigProcess

from conformance.xks.client import XksClient
from conformance.xks.rig import RigSettings
from conformance.xks.rig_config import load_tenants_file

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def client(rig: RigProcess, files: RigFiles, prefix: str, tenant: str) -> XksClient:
    """A client of `prefix` signing with `tenant`'s credential."""
    spec = next(s for s in TENANTS if s.name == tenant)
    return XksClient(
        str(rig.described["url"]),
        prefix,
        files.credentials[spec.akid_env],
        files.credentials[spec.secret_env],
        "us-east-1",
        files.ca_bundle,
    )


def test_each_tenant_accepts_only_its_own_credential(rig: RigProcess, rig_files: RigFiles) -> None:
    with client(rig, rig_files, "/healthy", "healthy") as own:
        assert own.health().status == 200
    with client(rig, rig_files, "/healthy", "garbled") as other:
        refused = other.health()
    assert (refused.status, refused.error_name) == (401, "AuthenticationFailedException")


def test_behaviours_stay_with_their_tenant(rig: RigProcess, rig_files: RigFiles) -> None:
    with client(rig, rig_files, "/ekm-down", "ekm_down") as down:
        fleet = down.health().json["ekmFleetDetails"]
        assert {node["healthStatus"] for node in fleet} == {"UNAVAILABLE"}
        assert down.get_key_metadata("foo").status == 503
    with client(rig, rig_files, "/healthy", "healthy") as healthy:
        assert {node["healthStatus"] for node in healthy.health().json["ekmFleetDetails"]} == {
            "ACTIVE"
        }
        assert healthy.get_key_metadata("foo").status == 200
    with client(rig, rig_files, "/garbled", "garbled") as garbled:
        reply = garbled.health()
        assert reply.status == 200 and reply.json is None  # truncated JSON


def test_a_path_of_no_tenant_is_an_invalid_uri_path(rig: RigProcess, rig_files: RigFiles) -> None:
    with client(rig, rig_files, "/nobody", "healthy") as stranger:
        reply = stranger.health()
    assert (reply.status, reply.error_name) == (404, "InvalidUriPathException")


def test_both_pings_answer_without_authentication(rig: RigProcess, rig_files: RigFiles) -> None:
    with requests.Session() as session:
        session.trust_env = False
        over_tls = session.get(str(rig.described["health_url"]), verify=str(rig_files.ca_bundle))
        plain = session.get(str(rig.described["ping_url"]))
        posted = session.post(str(rig.described["health_url"]), verify=str(rig_files.ca_bundle))
    assert (over_tls.status_code, plain.status_code) == (200, 200)
    assert posted.status_code == 405


def test_the_world_file_names_every_tenant_and_no_secret(
    rig: RigProcess, rig_files: RigFiles
) -> None:
    text = rig.world_file.read_text()
    world = tomllib.loads(text)
    assert world["format"] == 1 and world["region"] == "us-east-1"
    entries = {entry["uri_path"]: entry for entry in world["xks_proxies"]}
    assert set(entries) == {f"{spec.prefix}/kms/xks/v1" for spec in TENANTS}
    for spec in TENANTS:
        entry = entries[f"{spec.prefix}/kms/xks/v1"]
        assert entry["uri_endpoint"] == "https://localhost"
        assert entry["behaviour"] == spec.behaviour
        assert entry["credentials"] == [
            {"access_key_id_env": spec.akid_env, "secret_access_key_env": spec.secret_env}
        ]
        keys = {key["key_id"]: key for key in entry["external_keys"]}
        assert keys["foo"] == {
            "key_id": "foo",
            "key_spec": "AES_256",
            "state": "ENABLED",
            "usages": ["DECRYPT", "ENCRYPT"],
        }
        assert keys["disabled_key"]["state"] == "DISABLED"
    for value in rig_files.credentials.values():
        assert value not in text


def test_nothing_the_rig_prints_holds_a_secret(rig: RigProcess, rig_files: RigFiles) -> None:
    with client(rig, rig_files, "/healthy", "healthy") as healthy:
        assert healthy.health().status == 200  # some traffic before it stops
    rig.process.send_signal(signal.SIGTERM)
    stdout, stderr = rig.process.communicate(timeout=15)
    assert rig.process.returncode == 0, stderr
    printed = rig.banner + str(rig.described) + stdout + stderr
    assert "# stopped" in stdout
    for value in rig_files.credentials.values():
        assert value not in printed
    assert {t["access_key_id_env"] for t in rig.described["tenants"]} == {
        spec.akid_env for spec in TENANTS
    }


def test_reprs_of_the_rig_show_no_secret(rig_files: RigFiles) -> None:
    tenants = load_tenants_file(rig_files.tenants, rig_files.credentials)
    shown = repr(RigSettings(tenants)) + repr(tenants)
    assert tenants[0].credential.access_key_id in shown  # the id is no secret
    for spec in TENANTS:
        assert rig_files.credentials[spec.secret_env] not in shown
