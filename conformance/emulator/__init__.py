"""kscheck emulator package."""
