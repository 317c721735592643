"""Benchmark of the fake XKS proxy: 4 KB Encrypt over keep-alive TLS (prints, asserts nothing).

The proxy runs in its own process (``kscheck proxy``), as a real proxy would; each unit of
concurrency is a separate client process holding one keep-alive TLS connection, so client
work does not share the proxy's GIL. Each client signs one request with SigV4 and replays
it (valid for 5 minutes); the proxy still verifies the signature, parses, encrypts and
answers every time. Then ``FakeXksApplication.handle`` is profiled in-process (no sockets)
to show where the proxy's own time goes.

    python benchmarks/bench_proxy.py --seconds 5 --concurrency 1 8

Goal from the XKS spec: sustain the default 1800 TPS quota with p99 well under KMS's
250 ms timeout [spec digest §7].
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import http.client
import io
import json
import multiprocessing
import os
import pstats
import ssl
import statistics
import subprocess
import sys
import time
from typing import Any

from conformance.xks.app import FakeXksApplication, HttpRequest
from conformance.xks.client import b64, key_metadata
from conformance.xks.config import FakeProxyConfig
from conformance.xks.sigv4 import sign_request

PLAINTEXT_BYTES = 4096


def encrypt_body() -> bytes:
    return json.dumps(
        {
            "requestMetadata": key_metadata("Encrypt"),
            "plaintext": b64(os.urandom(PLAINTEXT_BYTES)),
            "encryptionAlgorithm": "AES_GCM",
        }
    ).encode()


def signed_encrypt(described: dict[str, Any], port: int) -> tuple[str, bytes, dict[str, str]]:
    path = f"{described['uri_prefix']}/kms/xks/v1/keys/{described['key_ids']['normal']}/encrypt"
    body = encrypt_body()
    credential = described["credentials"][0]
    headers = sign_request(
        "POST",
        f"https://localhost:{port}{path}",
        {"Content-Type": "application/json"},
        body,
        access_key_id=credential["access_key_id"],
        secret_access_key=credential["secret_access_key"],
        region=described["region"],
        when=datetime.datetime.now(datetime.timezone.utc),
        signed_headers=["host", "x-amz-date"],
    )
    return path, body, headers


def client_worker(described: dict[str, Any], seconds: float, start_at: float, results: Any) -> None:
    port = int(described["xks_proxy_host"].rsplit(":", 1)[1])
    context = ssl.create_default_context(cafile=described["ca_bundle"])
    connection = http.client.HTTPSConnection("localhost", port, context=context, timeout=10)
    path, body, headers = signed_encrypt(described, port)
    latencies: list[float] = []
    errors = 0
    for _ in range(20):  # warm-up: handshake and first requests
        connection.request("POST", path, body, headers)
        connection.getresponse().read()
    while time.time() < start_at:
        time.sleep(0.001)
    deadline = start_at + seconds
    while (now := time.perf_counter()) and time.time() < deadline:
        connection.request("POST", path, body, headers)
        response = connection.getresponse()
        response.read()
        latencies.append(time.perf_counter() - now)
        errors += response.status != 200
    connection.close()
    results.put((latencies, errors))


def run_level(described: dict[str, Any], concurrency: int, seconds: float) -> None:
    results: Any = multiprocessing.Queue()
    start_at = time.time() + 1.0
    workers = [
        multiprocessing.Process(target=client_worker, args=(described, seconds, start_at, results))
        for _ in range(concurrency)
    ]
    for worker in workers:
        worker.start()
    collected = [results.get(timeout=seconds + 30) for _ in workers]
    for worker in workers:
        worker.join()
    latencies = sorted(lat for lats, _ in collected for lat in lats)
    errors = sum(err for _, err in collected)
    quantiles = statistics.quantiles(latencies, n=100)
    print(
        f"concurrency {concurrency}: {len(latencies) / seconds:8.0f} req/s   "
        f"p50 {quantiles[49] * 1000:6.2f} ms   p99 {quantiles[98] * 1000:6.2f} ms   "
        f"max {latencies[-1] * 1000:6.2f} ms   non-200: {errors}   "
        f"({len(latencies)} requests in {seconds:.0f} s)"
    )


def profile_application(requests_count: int) -> None:
    """Profile the request handler alone (SigV4 + JSON + AES-GCM), without sockets or TLS."""
    config = FakeProxyConfig()
    app = FakeXksApplication(config)
    described = {
        "uri_prefix": config.tenants[0].uri_prefix,
        "key_ids": {"normal": "foo"},
        "region": config.region,
        "credentials": [
            {
                "access_key_id": config.tenants[0].credentials[0][0],
                "secret_access_key": config.tenants[0].credentials[0][1],
            }
        ],
    }
    path, body, headers = signed_encrypt(described, 8443)
    request = HttpRequest("POST", path, tuple(headers.items()), body)
    assert app.handle(request).status == 200
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(requests_count):
        app.handle(request)
    profiler.disable()
    per_request = (time.perf_counter() - started) / requests_count
    print(f"\nhandler alone (profiled, so slower than real): {per_request * 1e6:.0f} us/request")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(12)
    lines = out.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("ncalls"))
    print("\n".join(lines[start : start + 13]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="per concurrency level")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--profile-requests", type=int, default=2000)
    args = parser.parse_args()
    proxy = subprocess.Popen(
        [sys.executable, "-m", "conformance.cli", "proxy"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proxy.stdout is not None
        line = proxy.stdout.readline()
        while not line.startswith("{"):
            line = proxy.stdout.readline()
        described = json.loads(line)
        print(
            f"fake proxy at {described['url']} (own process), {os.cpu_count()} CPUs, "
            f"{PLAINTEXT_BYTES} B Encrypt, keep-alive TLS"
        )
        for concurrency in args.concurrency:
            run_level(described, concurrency, args.seconds)
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)
    profile_application(args.profile_requests)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
