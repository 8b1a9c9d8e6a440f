"""How a worker rides out failures: it counts them in a row, logs each, and pauses longer each
time, so it resumes by itself once the store works again (hubbot/store/db.py says what a
storage fault is and how long to pause)."""

from __future__ import annotations

import logging

from hubbot.store.db import fault_pause, is_storage_fault

log = logging.getLogger(__name__)


class Retrying:
    """The failures in a row of one worker loop (`what`: "processing", "delivery"...)."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.failures = 0

    def failed(self, exc: BaseException) -> float:
        """Log the failure; returns the seconds to pause before trying again."""
        self.failures += 1
        pause = fault_pause(self.failures)
        if is_storage_fault(exc):
            log.warning("%s paused: %s; try %d in %.1fs", self.what, exc, self.failures, pause)
        else:
            # A bug, not the store: the traceback is worth the noise.
            log.error("%s failed; try %d in %.1fs", self.what, self.failures, pause, exc_info=exc)
        return pause

    def succeeded(self) -> None:
        if self.failures:
            log.warning("%s resumed after %d failed tries", self.what, self.failures)
            self.failures = 0
