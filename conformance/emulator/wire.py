"""The AWS JSON 1.1 wire protocol of KMS, as a WSGI application.

``POST /`` with ``X-Amz-Target: TrentService.<Operation>`` and a JSON body; errors come back
as ``{"__type": "<Code>", "message": "..."}`` with HTTP 400 (500 for ``KMSInternalException``).
The application never raises: a handler failure becomes a ``KMSInternalException`` body and
the server stays up.

Outside the KMS protocol, ``POST /_kscheck/reset`` (:data:`RESET_PATH`) empties the account
when the app is given a `reset` callable; any other method or path under ``/_kscheck`` gets a
JSON error.

>>> from conformance.emulator.wire import KmsJsonApplication
>>> app = KmsJsonApplication(lambda op, req: (200, {"echo": op}))
>>> app.max_body_bytes
1048576
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response

TARGET_PREFIX = "TrentService."
CONTROL_PREFIX = "/_kscheck"
RESET_PATH = "/_kscheck/reset"
"""``POST`` here empties the emulator's account (kscheck's own control path, not KMS's)."""
CONTENT_TYPE = "application/x-amz-json-1.1"

# handler(operation, request) -> (HTTP status, JSON body)
Handler = Callable[[str, Mapping[str, Any]], tuple[int, Mapping[str, Any]]]

log = logging.getLogger(__name__)


def error_body(code: str, message: str) -> dict[str, str]:
    """The JSON 1.1 error body for `code`."""
    return {"__type": code, "message": message}


_UNDECODABLE = object()


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # json.loads accepts NaN and Infinity by default


def _decode_json(raw: bytes) -> Any:
    """The JSON value of `raw`, or ``_UNDECODABLE``: not UTF-8, not JSON (NaN, Infinity),
    nested past the recursion limit, an integer past Python's digit limit, or a string
    (value or key) holding a lone surrogate, which no UTF-8 text can carry.

    >>> _decode_json(b'{"a": "\\\\ud800"}') is _UNDECODABLE, _decode_json(b'{"a": 1}')
    (True, {'a': 1})
    """
    try:
        value = json.loads(raw, parse_constant=_refuse_constant)
        # a lone surrogate came from a \uXXXX escape; encoding the value back finds it
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeError are ValueErrors
        return _UNDECODABLE
    return value


def _json_response(status: int, body: Mapping[str, Any]) -> Response:
    return Response(json.dumps(body, default=str), status=status, content_type=CONTENT_TYPE)


class KmsJsonApplication:
    """A WSGI app that parses KMS JSON 1.1 requests and hands them to `handler`."""

    def __init__(
        self,
        handler: Handler,
        *,
        max_body_bytes: int = 1 << 20,
        reset: Callable[[], None] | None = None,
    ) -> None:
        self.handler = handler
        self.max_body_bytes = max_body_bytes
        self.reset = reset

    def _control(self, request: Request) -> Response:
        """kscheck's own requests under ``/_kscheck`` (only ``POST /_kscheck/reset``)."""
        if request.path != RESET_PATH or self.reset is None:
            return _json_response(
                404, error_body("UnknownOperationException", f"only POST {RESET_PATH} is served")
            )
        if request.method != "POST":
            return _json_response(
                405, error_body("UnknownOperationException", f"{RESET_PATH} takes POST only")
            )
        self.reset()
        return _json_response(200, {"reset": True})

    def _respond(self, request: Request) -> Response:
        if request.path == CONTROL_PREFIX or request.path.startswith(CONTROL_PREFIX + "/"):
            return self._control(request)
        if request.method != "POST" or request.path != "/":
            return _json_response(
                404 if request.path != "/" else 405,
                error_body("UnknownOperationException", "only POST / is served"),
            )
        target = request.headers.get("X-Amz-Target", "")
        if not target.startswith(TARGET_PREFIX):
            return _json_response(
                400, error_body("UnknownOperationException", "missing or foreign X-Amz-Target")
            )
        operation = target[len(TARGET_PREFIX) :]
        if request.content_length is not None and request.content_length > self.max_body_bytes:
            return _json_response(
                413, error_body("SerializationException", "request body too large")
            )
        raw = request.get_data(cache=False)
        if len(raw) > self.max_body_bytes:
            return _json_response(
                413, error_body("SerializationException", "request body too large")
            )
        body = _decode_json(raw or b"{}")
        if body is _UNDECODABLE:
            return _json_response(400, error_body("SerializationException", "body is not JSON"))
        if not isinstance(body, dict):
            return _json_response(
                400, error_body("SerializationException", "body is not a JSON object")
            )
        try:
            status, payload = self.handler(operation, body)
        except Exception:  # the server must answer and stay up whatever a handler does
            log.exception("handler failed for %s", operation)
            return _json_response(500, error_body("KMSInternalException", "internal error"))
        return _json_response(status, payload)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        # one byte over the limit is enough to refuse; a chunked body is never read further
        request.max_content_length = self.max_body_bytes + 1
        try:
            response = self._respond(request)
        except HTTPException as error:  # e.g. werkzeug refusing a malformed request
            response = _json_response(
                error.code or 400, error_body("SerializationException", str(error.description))
            )
        result: Iterable[bytes] = response(environ, start_response)
        return result
