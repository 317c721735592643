"""The reference model of the KMS custom key store control plane: pure, no I/O, no clock.

Predictions are sets of acceptable outcomes (:class:`Expectation`); the world the backends
live in is an explicit input (:class:`World`). See docs/model.md.

>>> from conformance.model import ReferenceModel, World
>>> ReferenceModel(World()).connect_custom_key_store({"CustomKeyStoreId": "cks-1"}).errors
frozenset({'CustomKeyStoreNotFoundException'})
"""

from __future__ import annotations

from conformance.model.facade import PLANNERS, OutcomeNotAllowedError, ReferenceModel
from conformance.model.outcomes import (
    PARAM_VALIDATION_ERROR,
    VALIDATION_EXCEPTION,
    Expectation,
    Mismatch,
    Outcome,
    ResponseCheck,
    RuleVerdict,
    redact,
)
from conformance.model.records import KeyRecord, Settlement, StoreRecord
from conformance.model.uniqueness import STORE_QUOTA
from conformance.model.validation import CLIENT_SERIALIZATION_ERROR, SERIALIZATION_EXCEPTION
from conformance.model.world import (
    CloudHsmCluster,
    ExternalKey,
    KmsUserState,
    ProxyBehaviour,
    ProxyCredential,
    VpcEndpointService,
    World,
    XksProxy,
)

__all__ = [
    "CLIENT_SERIALIZATION_ERROR",
    "PARAM_VALIDATION_ERROR",
    "PLANNERS",
    "SERIALIZATION_EXCEPTION",
    "STORE_QUOTA",
    "VALIDATION_EXCEPTION",
    "CloudHsmCluster",
    "Expectation",
    "ExternalKey",
    "KeyRecord",
    "KmsUserState",
    "Mismatch",
    "Outcome",
    "OutcomeNotAllowedError",
    "ProxyBehaviour",
    "ProxyCredential",
    "ReferenceModel",
    "ResponseCheck",
    "RuleVerdict",
    "Settlement",
    "StoreRecord",
    "VpcEndpointService",
    "World",
    "XksProxy",
    "redact",
]
