"""The conformance checks (pytest modules shipped in the wheel); nothing imports them."""
