"""Control-plane checks: a KMS target judged against the reference model."""
