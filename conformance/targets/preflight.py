"""Preflight: is a target there, does it speak HTTP, does it answer in time? One line if not.

Shared by ``kscheck run`` (a KMS endpoint) and ``kscheck certify`` (an XKS proxy), and asked
again mid-run after a streak of errors (TARGET LOST). Any HTTP status counts as an answer:
preflight is about reaching the target, not about judging it.

>>> http_preflight("http://127.0.0.1:1/", timeout=2)
'nothing listens at 127.0.0.1:1 (connection refused)'
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

import requests

#: Seconds to connect and to wait for the first answer.
PREFLIGHT_TIMEOUT = 5.0

TLS_FAILURE = "no HTTPS session with the target"


def _where(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc or url


def http_preflight(
    url: str,
    *,
    body: bytes = b"{}",
    headers: Mapping[str, str] | None = None,
    verify: str | bool = True,
    cert: tuple[str, str] | None = None,
    timeout: float = PREFLIGHT_TIMEOUT,
) -> str | None:
    """Why a POST to `url` gets no HTTP answer (refused, TLS failure, silence), or None."""
    where = _where(url)
    with requests.Session() as session:
        session.trust_env = False
        try:
            session.post(
                url,
                data=body,
                headers=dict(headers or {}),
                timeout=(timeout, timeout),
                verify=verify,
                cert=cert,
                allow_redirects=False,
            )
        except requests.exceptions.SSLError:
            return f"{TLS_FAILURE} at {where} (TLS handshake or certificate verification failed)"
        except requests.exceptions.ConnectTimeout:
            return f"{where} does not accept connections within {timeout:.0f} s"
        except requests.exceptions.ReadTimeout:
            return f"{where} accepts connections but sends no answer within {timeout:.0f} s"
        except requests.exceptions.ConnectionError as exc:
            text = str(exc).lower()
            if "refused" in text:
                return f"nothing listens at {where} (connection refused)"
            if "name or service not known" in text or "nodename nor servname" in text:
                return f"the host of {where} does not resolve"
            return f"{where} closed the connection without an HTTP answer"
        except requests.RequestException as exc:
            return f"{where} gives no HTTP answer ({type(exc).__name__})"
    return None
