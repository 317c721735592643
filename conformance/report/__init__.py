"""kscheck report package."""
