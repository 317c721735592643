"""The fake XKS proxy's behaviour: one received HTTP request in, one response out.

No sockets here (``conformance.xks.server`` owns them). Check order: route (404
InvalidUriPathException, 405) -> SigV4 (401) -> JSON and field validation (400) -> key
lookup (404) -> key state (400 InvalidState) -> key usage (400 InvalidKeyUsage) -> crypto.
Permitted variants (``conformance.xks.variants``) set a few seams of this path through
``self.behaviour``; faults break it.

>>> from conformance.xks.config import FakeProxyConfig
>>> app = FakeXksApplication(FakeProxyConfig())
>>> app.handle(HttpRequest("GET", "/nowhere", (), b"")).status
404
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, RequestRedirect, Rule

from conformance.xks import aead, protocol, subtle
from conformance.xks.config import Credential, EkmNode, FakeKey, FakeProxyConfig, Tenant
from conformance.xks.protocol import XksError
from conformance.xks.sigv4 import SignatureError, verify_request
from conformance.xks.subtle import SubtleState, open_with_tag_prefix
from conformance.xks.variants import HealthCache, behaviour_for

logger = logging.getLogger("conformance.xks.proxy")

_JSON = "application/json"
#: Faults that loosen SigV4 verification (``conformance.xks.sigv4.verify_request(lax=...)``).
SIGV4_LAX_FAULTS = frozenset(
    {"signature_prefix_compared", "content_sha256_trusted", "host_unsigned_accepted"}
)
_OVERSIZED_METADATA = str(uuid.UUID(int=0x5EED)).encode()  # a 36-byte key UID, as Cosmian


@dataclass(frozen=True)
class HttpRequest:
    """A received request; its repr leaves out headers and body (secrets, plaintext)."""

    method: str
    target: str
    headers: tuple[tuple[str, str], ...] = field(repr=False)  # Authorization
    body: bytes = field(repr=False)
    #: rank of the connection among those that have sent requests, oldest first
    connection_rank: int = field(default=0, repr=False)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))  # Hypothesis would otherwise print every field

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]


@dataclass
class HttpResponse:
    """A response to write; ``close`` asks the server to end the connection after it."""

    status: int
    body: bytes = b""
    content_type: str = _JSON
    headers: list[tuple[str, str]] = field(default_factory=list)
    close: bool = False


class Responder(Protocol):
    """Anything that answers one received request (the fake app, the rig's tenant router)."""

    def handle(self, request: HttpRequest) -> HttpResponse:
        """Answer one request; never raises."""
        ...


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


class FakeXksApplication:
    """The request handler of the fake proxy, with its keys, EKM fleet state and faults."""

    def __init__(
        self, config: FakeProxyConfig, *, clock: Callable[[], datetime.datetime] = _utc_now
    ) -> None:
        self.config = config
        self.faults = config.faults
        self._clock = clock
        self.behaviour = behaviour_for(config.variants)
        self._keys = {key.key_id: key for key in (*config.keys, *self.behaviour.extra_keys)}
        #: the cache of ``health_cached_60s`` (None without it); ``elapse`` ages it
        self.health_cache = (
            HealthCache(self.behaviour.health_cache_seconds)
            if self.behaviour.health_cache_seconds
            else None
        )
        #: how the ``slow`` fault waits; replaceable so tests can observe it
        self.sleep: Callable[[float], None] = time.sleep
        self._key_material = {
            (tenant.uri_prefix, key.key_id): os.urandom(32)
            for tenant in config.tenants
            for key in self._keys.values()
        }
        self._fleet_lock = threading.Lock()
        self._fleet: tuple[EkmNode, ...] = config.ekm_fleet
        self._credentials = {tenant.uri_prefix: tenant.credentials for tenant in config.tenants}
        self._secrets = self._secret_tables()
        #: counters and shared buffers of the repetition and concurrency faults
        self._subtle = SubtleState()
        any_method = "get_accepted" in self.faults
        rules = []
        for index, tenant in enumerate(config.tenants):
            root = f"{tenant.uri_prefix}{protocol.API_ROOT}"
            methods = None if any_method else ["POST"]
            rules += [
                Rule(f"{root}/health", endpoint=(index, "health"), methods=methods),
                Rule(
                    f"{root}/keys/<key_id>/metadata", endpoint=(index, "metadata"), methods=methods
                ),
                Rule(f"{root}/keys/<key_id>/encrypt", endpoint=(index, "encrypt"), methods=methods),
                Rule(f"{root}/keys/<key_id>/decrypt", endpoint=(index, "decrypt"), methods=methods),
            ]
        self._urls = Map(rules, merge_slashes=False, strict_slashes=True).bind("localhost")
        self._strict = protocol.Strictness(
            require_metadata="request_metadata_not_required" not in self.faults,
            reject_unknown_fields="unknown_fields_rejected" in self.faults,
            reject_unknown_operations="unknown_kms_operation_rejected" in self.faults,
            max_metadata_bytes=64
            if "oversized_metadata" in self.faults
            else (21 if "metadata_21_crash" in self.faults else 20),
            max_ciphertext_bytes=protocol.MAX_CIPHERTEXT_BYTES
            + (aead.TAG_BYTES if "ciphertext_length_mismatch" in self.faults else 0),
            refuse_empty_request_id=self.behaviour.refuse_empty_request_id,
            uuid_request_ids="request_id_validated" in self.faults,
        )

    # ----------------------------------------------------------------- configuration state
    def _secret_tables(self) -> dict[str, dict[str, list[str]]]:
        """uri prefix -> access key id -> live secrets, after the credential faults."""
        tables: dict[str, dict[str, list[str]]] = {}
        for prefix in self._credentials:
            shared = "cross_tenant_credentials" in self.faults
            sources = list(self._credentials) if shared else [prefix]
            table: dict[str, list[str]] = {}
            for source in sources:
                credentials = self._credentials[source]
                if "single_credential" in self.faults:
                    credentials = credentials[:1]
                for akid, secret in credentials:
                    table.setdefault(akid, []).append(secret)
            tables[prefix] = table
        return tables

    def set_credentials(self, uri_prefix: str, credentials: tuple[Credential, ...]) -> None:
        """Replace a tenant's live credentials at run time (hot rotation) [SPEC §5]."""
        if uri_prefix not in self._credentials:
            raise ValueError(f"uri_prefix {uri_prefix!r}: no such tenant")
        if not credentials:
            raise ValueError("credentials: at least one is needed")
        self._credentials = {**self._credentials, uri_prefix: tuple(credentials)}
        self._secrets = self._secret_tables()  # one reference swap: readers never see a mix

    def set_ekm_fleet(self, fleet: tuple[EkmNode, ...]) -> None:
        """Change the EKM fleet state that health reports (and crypto depends on)."""
        if not 1 <= len(fleet) <= 10:
            raise ValueError("ekm_fleet: 1 to 10 EKM nodes [SPEC §2]")
        with self._fleet_lock:
            self._fleet = tuple(fleet)

    @property
    def ekm_fleet(self) -> tuple[EkmNode, ...]:
        with self._fleet_lock:
            return self._fleet

    # --------------------------------------------------------------------- entry point
    def handle(self, request: HttpRequest) -> HttpResponse:
        """Answer one request; never raises."""
        started = time.perf_counter()
        operation, request_id = "-", "-"
        limit = self.behaviour.throttle_connections
        try:
            if limit is not None and request.connection_rank >= limit:
                raise XksError("ThrottlingException", "too many connections for this tenant")
            early = self.behaviour.authenticate_before_routing
            if early:
                self._authenticate(request, self._tenant_by_prefix(request.path))
            tenant_index, operation, key_id = self._route(request)
            tenant = self.config.tenants[tenant_index]
            body: dict[str, Any] = {}
            parsed: Any = None
            if self.behaviour.validate_before_authenticating:
                body = self._json_body(request)
                parsed = self._parse(operation, body)
            if not early:
                self._authenticate(request, tenant)
            if operation == "health" and "health_requires_authz" in self.faults:
                raise XksError("AccessDeniedException", "secondary authorization denied")
            if parsed is None:
                body = self._json_body(request)
            metadata = body.get("requestMetadata")
            if isinstance(metadata, dict):
                request_id = str(metadata.get("kmsRequestId", "-"))
            if parsed is None:
                parsed = self._parse(operation, body)
            response = self._dispatch(operation, tenant, key_id, body, parsed)
        except XksError as error:
            response = self._error(error)
        except Exception:  # a bug in the fake must not kill the connection thread
            logger.exception("internal error in %s", operation)
            response = self._error(XksError("InternalException", "internal error"))
        if "slow" in self.faults and operation != "-":
            self.sleep(self.config.slow_delay_seconds)
        if "no_keepalive" in self.faults:
            response.close = True
        logger.debug(
            "%s %s -> %d kmsRequestId=%s in %.1f ms",
            request.method,
            operation,
            response.status,
            request_id[:128],
            (time.perf_counter() - started) * 1000,
        )
        return response

    # ------------------------------------------------------------------ request stages
    def _route(self, request: HttpRequest) -> tuple[int, str, str]:
        try:
            (index, operation), arguments = self._urls.match(request.path, request.method)
        except (NotFound, RequestRedirect):
            raise XksError("InvalidUriPathException", "no XKS API at this path") from None
        except MethodNotAllowed:
            raise XksError(
                "UnsupportedOperationException", "only POST is allowed", status=405
            ) from None
        key_id = str(arguments.get("key_id", ""))
        if operation != "health":
            protocol.check_key_id(key_id)
        if (
            "key_id_128_refused" in self.faults
            and operation in ("encrypt", "decrypt")
            and len(key_id) >= 128
        ):
            raise protocol.validation_error("keyId", "at most 127 characters")
        return int(index), str(operation), key_id

    def _tenant_by_prefix(self, path: str) -> Tenant:
        """``prefix_auth_before_routing``: the tenant whose prefix precedes ``/kms/xks/``;
        a request for any other prefix cannot be authenticated (401)."""
        cut = path.find("/kms/xks/")
        prefix = path[:cut] if cut >= 0 else None
        for tenant in self.config.tenants:
            if tenant.uri_prefix == prefix:
                return tenant
        raise XksError("AuthenticationFailedException", "no credentials for this URI prefix")

    def _authenticate(self, request: HttpRequest, tenant: Tenant) -> None:
        if "signature_not_checked" in self.faults:
            return
        try:
            verify_request(
                request.method,
                request.target,
                request.headers,
                request.body,
                secrets=self._secrets[tenant.uri_prefix],
                region=self.config.region,
                now=self._clock(),
                check_skew="skew_not_checked" not in self.faults,
                check_region="region_not_checked" not in self.faults,
                lax=self.faults & SIGV4_LAX_FAULTS,
            )
        except SignatureError as error:
            raise XksError("AuthenticationFailedException", str(error)) from None

    def _json_body(self, request: HttpRequest) -> dict[str, Any]:
        try:
            body = json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):  # Recursion: deep nesting
            raise protocol.validation_error("body", "must be a JSON object") from None
        if not isinstance(body, dict):
            raise protocol.validation_error("body", "must be a JSON object")
        return body

    def _parse(self, operation: str, body: Mapping[str, Any]) -> Any:
        if operation == "health":
            return protocol.parse_health_request(body, self._strict)
        if operation == "metadata":
            return protocol.parse_metadata_request(body, self._strict)
        if operation == "encrypt":
            return protocol.parse_encrypt_request(body, self._strict)
        return protocol.parse_decrypt_request(body, self._strict)

    def _dispatch(
        self, operation: str, tenant: Tenant, key_id: str, body: Mapping[str, Any], parsed: Any
    ) -> HttpResponse:
        if operation == "health":
            return self._ok(self._health())
        if self.faults & {"via_service_required", "vpc_fields_crash"}:
            self._optional_field_faults(operation, body)
        if self.behaviour.known_principals is not None:
            self._key(key_id)  # 404 for an unknown key comes before the policy, as in REF
            self._authorize(operation, body)
        if operation == "metadata":
            return self._ok(self._metadata(self._key(key_id), parsed.kms_operation))
        if operation == "encrypt":
            return self._ok(self._encrypt(tenant, key_id, parsed))
        return self._ok(self._decrypt(tenant, key_id, parsed))

    def _optional_field_faults(self, operation: str, body: Mapping[str, Any]) -> None:
        """``via_service_required`` and ``vpc_fields_crash``: optional requestMetadata
        fields mishandled (the correct path never looks at them)."""
        metadata = body.get("requestMetadata") or {}
        crypto = operation in ("encrypt", "decrypt")
        if "via_service_required" in self.faults and crypto and "kmsViaService" not in metadata:
            raise protocol.validation_error("requestMetadata.kmsViaService", "required")
        if "vpc_fields_crash" in self.faults and "awsSourceVpce" in metadata:
            raise XksError("InternalException", "internal error")

    def _authorize(self, operation: str, body: Mapping[str, Any]) -> None:
        """``key_arn_authorization``: the principal must be known for the kmsKeyArn (for
        GetKeyMetadata, which has no kmsKeyArn, for any key ARN of the policy)."""
        policy = self.behaviour.known_principals or {}
        metadata = body.get("requestMetadata") or {}
        principal = metadata.get("awsPrincipalArn")
        if operation == "metadata":
            allowed = any(principal in principals for principals in policy.values())
        else:
            allowed = principal in policy.get(str(metadata.get("kmsKeyArn")), frozenset())
        if not allowed:
            raise XksError("AccessDeniedException", "the policy does not know this principal")

    # ------------------------------------------------------------------ operations
    def _health(self) -> dict[str, Any]:
        if self.health_cache is not None and "stale_health" not in self.faults:
            return self.health_cache.get(self._health_report)
        return self._health_report()

    def _health_report(self) -> dict[str, Any]:
        fleet = self.config.ekm_fleet if "stale_health" in self.faults else self.ekm_fleet
        if "shallow_health" in self.faults:
            fleet = (EkmNode("slot-0", "SoftHSM", "ACTIVE"),)
        report: dict[str, Any] = {
            "xksProxyFleetSize": 0
            if "health_fleet_size_zero" in self.faults
            else self.config.proxy_fleet_size,
            "xksProxyVendor": self.config.proxy_vendor,
            "xksProxyModel": self.config.proxy_model,
            "ekmVendor": self.config.ekm_vendor,
            "ekmFleetDetails": [
                {"id": node.id, "model": node.model, "healthStatus": node.health_status}
                for node in fleet
            ],
        }
        if "health_missing_fields" in self.faults:
            del report["ekmVendor"], report["ekmFleetDetails"]
        if "health_flaky_schema" in self.faults and self._subtle.every_nth("health", 7):
            del report["ekmFleetDetails"]
        return report

    def _key(self, key_id: str) -> FakeKey:
        key = self._keys.get(key_id)
        if key is None:
            raise XksError("KeyNotFoundException", "no external key with this id")
        if all(node.health_status == "UNAVAILABLE" for node in self.ekm_fleet):
            raise XksError("DependencyTimeoutException", "no EKM is available")
        return key

    def _metadata(self, key: FakeKey, kms_operation: str = "") -> dict[str, Any]:
        stale = "create_key_reports_enabled" in self.faults and kms_operation == "CreateKey"
        return {
            "keySpec": "RSA_0" if "wrong_key_spec" in self.faults else "AES_256",
            "keyUsage": list(dict.fromkeys((*key.usages, *self.behaviour.extra_usages))),
            "keyStatus": "ENABLED" if key.enabled or stale else "DISABLED",
        }

    def _usable_key(self, key_id: str, *usages: str, kms_operation: str = "") -> FakeKey:
        key = self._key(key_id)
        state_skipped = "generate_data_key_on_disabled" in self.faults and kms_operation in (
            "GenerateDataKey",
            "GenerateDataKeyWithoutPlaintext",
        )
        if not key.enabled and "disabled_key_usable" not in self.faults and not state_skipped:
            raise XksError("InvalidStateException", "the external key is disabled")
        usage_skipped = "reencrypt_skips_usage" in self.faults and kms_operation == "ReEncrypt"
        if "key_usage_ignored" not in self.faults and not usage_skipped:
            for usage in usages:
                if usage not in key.usages:
                    raise XksError("InvalidKeyUsageException", f"key does not allow {usage}")
        return key

    def _hsm_aad(self, aad: bytes | None, metadata: bytes | None) -> bytes:
        bound = None if "unbound_metadata" in self.faults else metadata
        if "metadata_last_byte_unbound" in self.faults and bound:
            bound = bound[:-1]
        if "aad_tail_unbound" in self.faults and aad is not None:
            aad = aad[: subtle.AAD_BUFFER_BYTES]
        if "aad_hashed" in self.faults or self.behaviour.aad_encoding == "reference":
            return aead.reference_proxy_hsm_aad(aad, bound)
        return aead.hsm_aad(aad, bound)

    def _encrypt(
        self, tenant: Tenant, key_id: str, request: protocol.EncryptRequest
    ) -> dict[str, Any]:
        usages = ("ENCRYPT", "DECRYPT") if request.cdiv_requested else ("ENCRYPT",)
        key = self._usable_key(key_id, *usages, kms_operation=request.kms_operation)
        material = self._key_material[(tenant.uri_prefix, key.key_id)]
        metadata = self.behaviour.metadata_for_encrypt(self.config.ciphertext_metadata)
        if "oversized_metadata" in self.faults:
            metadata = _OVERSIZED_METADATA
        iv = None
        if "iv_reused" in self.faults:
            iv = bytes(aead.IV_BYTES)
        elif "wrong_iv_length" in self.faults:
            iv = os.urandom(8)
        elif "iv_counter_race" in self.faults:
            iv = self._subtle.racy_iv()
        elif self.behaviour.iv_bytes != aead.IV_BYTES:
            iv = os.urandom(self.behaviour.iv_bytes)
        associated = self._hsm_aad(request.aad, metadata)
        plaintext = request.plaintext
        if "plaintext_buffer_4096" in self.faults:
            plaintext = plaintext[: subtle.PLAINTEXT_BUFFER_BYTES]
        sealed = aead.seal(material, plaintext, associated, iv)
        ciphertext = sealed.ciphertext
        if "ciphertext_length_mismatch" in self.faults:
            ciphertext += sealed.tag
        reply: dict[str, Any] = {
            "ciphertext": self._b64(ciphertext),
            "initializationVector": self._b64(sealed.iv),
            "authenticationTag": self._b64(sealed.tag),
        }
        if metadata is not None:
            reply["ciphertextMetadata"] = self._b64(metadata)
        if request.cdiv_requested and "missing_cdiv" not in self.faults:
            if "wrong_cdiv" in self.faults:
                digest = hashlib.sha256(associated + sealed.iv + ciphertext + sealed.tag).digest()
            else:
                digest = aead.ciphertext_data_integrity_value(
                    aad=request.aad,
                    metadata=metadata,
                    iv=sealed.iv,
                    ciphertext=ciphertext,
                    tag=sealed.tag,
                )
            try:  # the spec's order: encrypt, CDIV, verifying decrypt, then reply [SPEC §4]
                aead.open_sealed(material, sealed, associated)
            except aead.AuthenticationFailed:
                raise XksError("InternalException", "verifying decrypt failed") from None
            reply["ciphertextDataIntegrityValue"] = self._b64(digest)
        return reply

    def _decrypt(
        self, tenant: Tenant, key_id: str, request: protocol.DecryptRequest
    ) -> dict[str, Any]:
        key = self._usable_key(key_id, "DECRYPT", kms_operation=request.kms_operation)
        iv, tag = request.iv, request.tag
        metadata = request.metadata or b""
        if "metadata_21_crash" in self.faults and len(metadata) > protocol.MAX_METADATA_BYTES:
            raise XksError("InternalException", "internal error")
        if "iv_17_crash" in self.faults and len(iv) > 16:
            raise XksError("InternalException", "internal error")
        if "iv_extension_ignored" in self.faults and 12 < len(iv) < 16:
            iv = iv[: aead.IV_BYTES]
        if "long_tag_truncated" in self.faults:
            tag = tag[: aead.TAG_BYTES]
        allowed_iv = (8,) if "wrong_iv_length" in self.faults else aead.ALLOWED_IV_LENGTHS
        if len(iv) not in allowed_iv:
            raise XksError("InvalidCiphertextException", "initializationVector: 12 or 16 bytes")
        if len(tag) != aead.TAG_BYTES:
            raise XksError("InvalidCiphertextException", "authenticationTag: 16 bytes")
        ciphertext = request.ciphertext
        if "ciphertext_length_mismatch" in self.faults and ciphertext.endswith(tag):
            ciphertext = ciphertext[: -aead.TAG_BYTES]
        material = self._key_material[(tenant.uri_prefix, key.key_id)]
        opener = open_with_tag_prefix if "tag_prefix_checked" in self.faults else aead.open_sealed
        try:
            plaintext = opener(
                material,
                aead.Sealed(iv, ciphertext, tag),
                self._hsm_aad(request.aad, request.metadata),
            )
        except aead.AuthenticationFailed:
            raise XksError(
                "InvalidCiphertextException", "ciphertext, IV, tag, AAD or metadata altered"
            ) from None
        if "wrong_plaintext" in self.faults:
            plaintext = bytes([plaintext[0] ^ 1]) + plaintext[1:] if plaintext else b"\0"
        if "every_tenth_decrypt_wrong" in self.faults and self._subtle.every_nth("decrypt", 10):
            plaintext = bytes([plaintext[0] ^ 1]) + plaintext[1:] if plaintext else b"\0"
        if "shared_plaintext_buffer" in self.faults:
            plaintext = self._subtle.through_shared_buffer(plaintext)
        return {"plaintext": self._b64(plaintext)}

    # ------------------------------------------------------------------ responses
    def _b64(self, data: bytes) -> str:
        if "urlsafe_base64" in self.faults:
            return base64.urlsafe_b64encode(data).decode().rstrip("=")
        return base64.b64encode(data).decode()

    def _ok(self, payload: Mapping[str, Any]) -> HttpResponse:
        body = json.dumps(self._with_extra_field(payload), separators=(",", ":")).encode()
        if "invalid_json_responses" in self.faults:
            body = body[:-1]
        return HttpResponse(200, body)

    def _with_extra_field(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        extra = self.behaviour.extra_field
        return {**payload, extra[0]: extra[1]} if extra else dict(payload)

    def _error(self, error: XksError) -> HttpResponse:
        name, status, message = error.error_name, error.status, error.message
        if (
            self.behaviour.oversize_status == "UnsupportedOperationException"
            and isinstance(error, protocol.SizeLimitError)
            and error.field in ("plaintext", "additionalAuthenticatedData", "ciphertext")
        ):
            name, status = "UnsupportedOperationException", 501
        if not self.behaviour.error_message:
            message = ""
        if "wrong_status_codes" in self.faults and status == 400:
            status = 401
        if "wrong_status_codes" in self.faults and name == "KeyNotFoundException":
            status = 418
        if "not_found_as_500" in self.faults and name == "KeyNotFoundException":
            name, status = "InternalException", 500
        if "invalid_ciphertext_as_500" in self.faults and name == "InvalidCiphertextException":
            status = 500
        if "oversize_as_500" in self.faults and isinstance(error, protocol.SizeLimitError):
            name, status = "InternalException", 500
        if "no_error_body" in self.faults:
            return HttpResponse(status, b"", content_type="text/plain")
        if "bad_error_message" in self.faults:
            message = "\x00\x1b[31mHSM dump: " + "ff" * 300
        unbounded = "bad_error_message" in self.faults
        if "ciphertext_error_control_chars" in self.faults and name == "InvalidCiphertextException":
            message = f"CKR_ENCRYPTED_DATA_INVALID\x07\x00 {message}"
        if "usage_error_message_too_long" in self.faults and name == "InvalidKeyUsageException":
            message, unbounded = f"{message}; attributes: " + "CKA_DECRYPT=0 " * 50, True
        payload = {"errorName": name}
        if message:
            payload["errorMessage"] = (
                message if unbounded else message[: protocol.MAX_ERROR_MESSAGE_CHARS]
            )
        response = HttpResponse(status, json.dumps(self._with_extra_field(payload)).encode())
        if status == 405:
            response.headers.append(("Allow", "POST"))
        return response
