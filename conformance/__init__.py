"""kscheck: a property-based conformance suite for AWS KMS custom key stores and XKS proxies.

>>> import conformance
>>> conformance.__version__
'0.1.0'
"""

__version__ = "0.1.0"
