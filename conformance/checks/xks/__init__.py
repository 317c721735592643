"""Conformance checks of an XKS proxy against the XKS proxy API spec (``kscheck certify``).

One pytest module per area; every check names its requirement IDs with
``@pytest.mark.requirement``. The target arrives through the plugin's ``xks_target`` fixture.
Run them with ``kscheck certify`` or ``pytest --pyargs conformance.checks.xks``.
"""
