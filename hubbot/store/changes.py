"""A version number that goes up after every transaction that wrote: what the console's live
pages wait on, whichever part of the service wrote (a text, a send, a receipt, a timer)."""

from __future__ import annotations

import asyncio


class Changes:
    """Bumped after each committed write; waiters wake on the next bump."""

    def __init__(self) -> None:
        self.version = 0
        self._event = asyncio.Event()

    def bump(self) -> None:
        self.version += 1
        # Waiters hold the event they saw; a fresh one makes the next wait block again.
        event, self._event = self._event, asyncio.Event()
        event.set()

    async def after(self, seen: int) -> int:
        """The version once it differs from `seen` (wrap in asyncio.timeout to bound it)."""
        event = self._event
        if self.version == seen:
            await event.wait()
        return self.version
