"""The kscheck pytest plugin: the ``requirement`` marker and its collection-time check.

Every check names the requirements it tests::

    @pytest.mark.requirement("XKS-AUTH-003")
    def test_wrong_secret_is_refused_with_401(...): ...

Collection fails when a marker names an ID that the registry does not hold.
"""

from __future__ import annotations

import pytest

from conformance.spec.requirements import registry


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "requirement(*ids): the kscheck requirement IDs (CKS-/XKS-) that this test checks",
    )


def requirement_ids(item: pytest.Item) -> tuple[str, ...]:
    """The requirement IDs named by every ``requirement`` marker on `item`."""
    ids: list[str] = []
    for marker in item.iter_markers("requirement"):
        ids.extend(str(arg) for arg in marker.args)
    return tuple(ids)


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    known = registry()
    unknown = sorted(
        {(item.nodeid, rid) for item in items for rid in requirement_ids(item) if rid not in known}
    )
    if unknown:
        lines = "\n".join(f"  {nodeid}: {rid}" for nodeid, rid in unknown)
        raise pytest.UsageError(f"unknown requirement IDs in requirement markers:\n{lines}")
