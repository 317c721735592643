"""kscheck xks package."""
