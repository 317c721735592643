"""Commands that serve in the foreground: print without dying on a closed pipe, and run
until Ctrl-C or SIGTERM (a container runtime's stop).

>>> say("# ready")
# ready
"""

from __future__ import annotations

import os
import signal
import sys
import time
from types import FrameType


def say(text: str) -> None:
    """Print and flush; a reader that went away (``| head``) must not crash the proxy."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def serve_until_stopped() -> None:
    """Block until Ctrl-C or SIGTERM, then print ``# stopped``."""
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        say("# stopped")
