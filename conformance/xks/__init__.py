"""The XKS proxy protocol: a fake TLS proxy with switchable faults, and a client for any proxy.

Modules: ``certs`` (trustme PEM files), ``config`` (what the fake serves), ``faults`` (the
fault catalog), ``sigv4`` (verify and sign), ``aead`` (HSM AAD, AES-GCM, CDIV), ``protocol``
(errors and request validation), ``app`` (request -> response), ``server`` (the HTTPS
server, ``start_fake_proxy``), ``client`` (``XksClient``).
"""
