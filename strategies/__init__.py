"""Hypothesis strategies for custom key store inputs, derived from the botocore model."""
