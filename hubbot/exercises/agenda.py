"""What the exercise's people will text next: scripted crowds, and answers to check-ins and roll
calls once those reach them (late if they are silent then)."""

from __future__ import annotations

import heapq
import logging
from datetime import datetime, timedelta

from hubbot.exercises.schema import PersonaSpec
from hubbot.store.conn import Store
from hubbot.store.db import from_iso, iso

log = logging.getLogger(__name__)

ROLLCALL_PROMPT = "rollcall.ask"  # the message key of a roll call's question
CROWD_ANSWER = "OK"


class Agenda:
    def __init__(
        self,
        db: Store,
        personas: dict[str, PersonaSpec],
        crowd: set[str],
        delay: timedelta,
        checkin_prompts: tuple[str, ...],
        start: datetime,
    ) -> None:
        self.db = db
        self.personas = personas  # address -> persona
        self.crowd = crowd  # addresses of the neighbours crowd injects made up
        self.delay = delay
        self.prompts = (ROLLCALL_PROMPT, *checkin_prompts)
        self.silent_until: dict[str, datetime] = {}
        # A heap of texts to come: when, a tie-break, address, text, and the ask it answers.
        self.heap: list[tuple[datetime, int, str, str, str]] = []
        self.prompted: set[int] = set()  # outbox ids of prompts already given an answer
        self.checked = start  # prompts sent since then are looked for at the next look
        self.sequence = 0

    def next_time(self) -> datetime | None:
        return self.heap[0][0] if self.heap else None

    def add(self, when: datetime, address: str, text: str, kind: str = "") -> None:
        """Text `text` at `when`; with a `kind`, only if that ask is still open by then."""
        self.sequence += 1
        heapq.heappush(self.heap, (when, self.sequence, address, text, kind))

    async def due(self, now: datetime) -> list[tuple[str, str]]:
        """The (address, text) pairs to send now; a silent person's answer waits for them."""
        texts = []
        while self.heap and self.heap[0][0] <= now:
            _, _, address, text, kind = heapq.heappop(self.heap)
            quiet = self.silent_until.get(address)
            if quiet is not None and quiet > now:
                self.add(quiet + self.delay, address, text, kind)
                continue
            if not kind or await self._still_asked(address, kind):
                texts.append((address, text))
        return texts

    async def look(self, now: datetime) -> None:
        """Plan an answer to each check-in or roll call question sent since the last look."""
        rows = await self.db.fetchall(
            "SELECT id, address, msg_key, sent_at FROM outbox WHERE sent_at >= ?"
            f" AND msg_key IN ({', '.join('?' for _ in self.prompts)})",
            (iso(self.checked), *self.prompts),
        )
        self.checked = now
        for outbox_id, address, key, sent_at in rows:
            if outbox_id in self.prompted:
                continue
            self.prompted.add(outbox_id)
            kind = "rollcall" if key == ROLLCALL_PROMPT else "checkin"
            when = (from_iso(sent_at) or now) + self.delay
            if address in self.personas:
                self.add(when, address, self.personas[address].answer, kind)
            elif address in self.crowd:
                self.add(when, address, CROWD_ANSWER, kind)

    async def _still_asked(self, address: str, kind: str) -> bool:
        """Whether the person at `address` still has a check-in or roll call to answer."""
        if kind == "rollcall":
            sql = (
                "SELECT 1 FROM rollcall_answers ra JOIN rollcalls rc ON rc.id = ra.rollcall_id"
                " JOIN addresses ad ON ad.person_id = ra.person_id"
                " WHERE ad.address = ? AND ra.answer IS NULL AND rc.closed_at IS NULL"
            )
        else:
            sql = (
                "SELECT 1 FROM asks a JOIN rounds r ON r.id = a.round_id"
                " JOIN addresses ad ON ad.person_id = a.person_id"
                " WHERE ad.address = ? AND a.state = 'waiting' AND r.closed_at IS NULL"
            )
        return bool(await self.db.fetchall(sql, (address,)))
