"""kscheck targets package."""
