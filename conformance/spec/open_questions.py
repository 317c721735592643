"""The open questions: what the AWS documentation leaves undecided, by ``OQ-n`` key.

OQ-1..OQ-28 follow the digest (§10, questions for the nightly real-AWS run); OQ-29 onwards are
the ambiguities the model meets when it runs against a real, shared, eventually consistent
account. Every ``open_questions=(...)`` the model names is a key of :data:`OPEN_QUESTIONS`.

>>> OPEN_QUESTIONS["OQ-19"]
'Connect on a CONNECTED or CONNECTING store: a no-op success or InvalidState?'
>>> open_question("OQ-29")[:40]
'A transient state may have settled befor'
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

OPEN_QUESTIONS: Mapping[str, str] = MappingProxyType(
    {
        "OQ-1": "VPC endpoint service owner sent with PUBLIC_ENDPOINT: ignored, kept or refused?",
        "OQ-2": "Owner sent for an AWS_CLOUDHSM store: ignored or refused?",
        "OQ-3": "Owner equal to the caller's own account: the same as leaving it out?",
        "OQ-4": (
            "Describe of a VPC store created without an owner (or before the owner existed): "
            "owner shown or absent; does switching to PUBLIC drop the service name and owner?"
        ),
        "OQ-5": (
            "Owner naming an unknown or unrelated account: refused at once, or FAILED with "
            "XKS_VPC_ENDPOINT_SERVICE_NOT_FOUND at Connect?"
        ),
        "OQ-6": "Does an owner-only Update of a CONNECTED store raise InvalidState?",
        "OQ-7": "Do Create and Update check a VPC endpoint service synchronously?",
        "OQ-8": "Service-in-use across owners: keyed by name or by owner and name; what scope?",
        "OQ-9": "Is the 'in the caller's account' wording outdated since cross-account owners?",
        "OQ-10": (
            "Switching to PUBLIC asks for a null or empty service name that botocore refuses: "
            "how does the server treat an empty string versus omission?"
        ),
        "OQ-11": "Describe filtered by both ID and name: refused, both must match, or one wins?",
        "OQ-12": "Which error for a member the store type requires but the request lacks?",
        "OQ-13": "Members that do not apply to the store type: ignored or refused?",
        "OQ-14": "Patterns without anchors: must the whole value match or only a part?",
        "OQ-15": "Are other URI path versions such as /kms/xks/v2 accepted?",
        "OQ-16": "Hot XKS fields updated while FAILED, CONNECTING or DISCONNECTING?",
        "OQ-17": "Hot and cold fields in one Update of a CONNECTED store: all refused or part?",
        "OQ-18": "Renaming a CONNECTED CloudHSM store: does the service follow the newer docs?",
        "OQ-19": "Connect on a CONNECTED or CONNECTING store: a no-op success or InvalidState?",
        "OQ-20": (
            "Delete of a store that is not DISCONNECTED and holds keys: which error; and do keys "
            "pending deletion still pin the store until their waiting period ends?"
        ),
        "OQ-21": "Which error comes first when a request breaks several rules?",
        "OQ-22": "Name uniqueness and length: case, code points or UTF-16 units, control chars?",
        "OQ-23": "Describe order, default page size, and markers across deletions.",
        "OQ-24": "Does a name-only XKS Update ask the proxy for its health (and so fail with it)?",
        "OQ-25": "Bad proxy TLS at Create or Update: UriUnreachable or InvalidConfiguration?",
        "OQ-26": (
            "CreateKey proxy faults: the undeclared XksKeyInvalidResponse, and AccessDenied as "
            "KMSInvalidState or CustomKeyStoreInvalidState?"
        ),
        "OQ-27": "An eu. service name outside the European partition: which error?",
        "OQ-28": "How long CONNECTING, DISCONNECTING and propagation take, measured.",
        "OQ-29": (
            "A transient state may have settled before the next call: a store last seen "
            "CONNECTING or DISCONNECTING may already be CONNECTED, FAILED or DISCONNECTED."
        ),
        "OQ-30": (
            "Which ConnectionErrorCode a failed connection shows: the specific code, "
            "INTERNAL_ERROR or NETWORK_ERRORS, and for a slow proxy XKS_PROXY_TIMED_OUT or "
            "XKS_PROXY_NOT_REACHABLE."
        ),
        "OQ-31": (
            "How long until a change is visible (read after write): a new store may be "
            "NotFound, a deleted name still in use, a state stale, for some minutes."
        ),
        "OQ-32": "Was the quota of 10 custom key stores per account and Region raised?",
        "OQ-33": (
            "A store that existed before the run may change under its owner's hand (state, "
            "error code, name, proxy settings) between two reads."
        ),
        "OQ-34": (
            "Which KMS keys a store that existed before the run holds (without kms:ListKeys "
            "the run cannot know), so an external key may already be in use there."
        ),
    }
)
"""Open question key -> a short paraphrase of what is undecided."""


def open_question(key: str) -> str:
    """The text of one open question (KeyError naming the key when unknown)."""
    try:
        return OPEN_QUESTIONS[key]
    except KeyError:
        known = f"OQ-1..OQ-{len(OPEN_QUESTIONS)}"
        raise KeyError(f"unknown open question {key!r}; known: {known}") from None
