"""Reports of conformance runs: graded outcomes, redaction, and the writers of results.json,
junit.xml, summary.md and the console summary."""
