"""kscheck model package."""
