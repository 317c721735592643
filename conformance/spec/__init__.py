"""kscheck spec package."""
