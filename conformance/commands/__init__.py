"""kscheck commands package."""
