"""kscheck checks package."""
