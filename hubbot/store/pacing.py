"""The pacing booking, kept in the database so that every worker sharing it paces as one.

Each key (a sender, a chat) has the time it may next send in the `pacing` table. Admission is
one write transaction: read the keys the candidates need, book them with the pure Pacer, mark
the admitted rows sending and write the bookings back. Write transactions run one at a time
across every connection (SQLite's BEGIN IMMEDIATE, PostgreSQL's advisory lock), so two workers
never book the same slot, and the rate holds whatever the number of workers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from hubbot.domain.pacing import Need, Pacer
from hubbot.store import delivery
from hubbot.store.conn import Store
from hubbot.store.db import from_iso, iso

log = logging.getLogger(__name__)

Candidate = tuple[int, Sequence[Need]]  # an outbox id, and what its send spends on which keys

_UPSERT = (
    "INSERT INTO pacing (key, free_at) VALUES (?, ?)"
    " ON CONFLICT (key) DO UPDATE SET free_at = excluded.free_at"
)


def _marks(n: int) -> str:
    return ",".join("?" * n)


async def admit(
    db: Store,
    candidates: Sequence[Candidate],
    room: int,
    clock: Callable[[], datetime],
    owner: str | None = None,
    horizon: float = 0.0,
) -> tuple[dict[int, float], datetime | None]:
    """Book and mark sending, in the order given, up to `room` candidates whose keys are free.

    Returns the ids now durably `sending` by `owner` (only those may leave), each with the
    seconds it must wait before it starts (its booked slot, at most `horizon` ahead: a pass
    takes a fast key's next sends too, not one per pass), and the earliest time one held back
    may go (None if none was). A candidate another worker took since it was
    listed is skipped and books nothing. `clock` is read once the transaction holds the write lock:
    a booking made from a time read before a wait for that lock would start in the past.
    """
    if not candidates or room <= 0:
        return {}, None
    async with db.transaction() as conn:
        ids = [record_id for record_id, _ in candidates]
        rows = await conn.execute_fetchall(
            f"SELECT id FROM outbox WHERE id IN ({_marks(len(ids))}) AND {delivery.may_send()}",
            ids,
        )
        open_ids = {int(row[0]) for row in rows}
        keys = sorted({key for i, needs in candidates if i in open_ids for key, _, _ in needs})
        loaded: dict[str, datetime] = {}
        if keys:
            rows = await conn.execute_fetchall(
                f"SELECT key, free_at FROM pacing WHERE key IN ({_marks(len(keys))})", keys
            )
            loaded = {str(key): datetime.fromisoformat(str(at)) for key, at in rows}
        now = clock()
        pacer = Pacer(dict(loaded))
        admitted: dict[int, float] = {}
        wake_at: datetime | None = None
        for record_id, needs in candidates:
            if len(admitted) >= room:
                break  # a send ending wakes the dispatcher
            if record_id not in open_ids:
                continue
            # In lane order at one `now`: a key that holds an urgent message back holds the
            # bulk ones behind it too, and the held message's wait is its slowest key's.
            delay, booked_it = pacer.reserve(needs, now, horizon)
            if booked_it:
                admitted[record_id] = delay
            else:
                at = now + timedelta(seconds=delay)
                wake_at = at if wake_at is None else min(wake_at, at)
        marked = await delivery.mark_sending_in(conn, list(admitted), now, owner)
        booked = [(key, iso(at)) for key, at in pacer.free_at.items() if loaded.get(key) != at]
        if booked:
            await conn.executemany(_UPSERT, booked)
    if len(marked) < len(admitted):  # cannot happen under the write lock; said if it does
        log.warning("%d admitted sends were not marked sending", len(admitted) - len(marked))
    return {i: admitted[i] for i in admitted if i in marked}, wake_at


async def hold(db: Store, key: str, until: datetime) -> None:
    """The provider asked us to wait (HTTP 429): no worker sends on `key` before `until`."""
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO pacing (key, free_at) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET free_at = MAX(pacing.free_at, excluded.free_at)",
            (key, iso(until)),
        )


async def free_at(db: Store, key: str) -> datetime | None:
    """When `key` may next send, as booked (None: it never was)."""
    row = await db.fetchone("SELECT free_at FROM pacing WHERE key = ?", (key,))
    return from_iso(row[0]) if row else None
