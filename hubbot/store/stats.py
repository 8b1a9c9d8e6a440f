"""Counts for the operator's metrics, read at scrape time: each one cheap GROUP BY query."""

from __future__ import annotations

from dataclasses import dataclass

from hubbot.domain.models import HubStatus
from hubbot.store.conn import Store


@dataclass(frozen=True)
class Snapshot:
    """What the store holds now: outbox rows by (lane, status), open hubs, open and critical
    needs, and check-in asks by state."""

    outbox: dict[tuple[str, str], int]
    open_hubs: int
    open_needs: int
    critical_needs: int
    asks: dict[str, int]


async def snapshot(db: Store) -> Snapshot:
    outbox = await db.fetchall("SELECT priority, status, COUNT(*) FROM outbox GROUP BY 1, 2")
    hubs = await db.fetchone("SELECT COUNT(*) FROM hubs WHERE status = ?", (HubStatus.ACTIVE,))
    needs = await db.fetchone(
        "SELECT COUNT(*), COALESCE(SUM(critical), 0) FROM items"
        " WHERE kind = 'need' AND status IN ('open', 'matched')"
    )
    asks = await db.fetchall("SELECT state, COUNT(*) FROM asks GROUP BY 1")
    return Snapshot(
        {(str(lane), str(status)): int(n) for lane, status, n in outbox},
        int(hubs[0]) if hubs else 0,
        int(needs[0]) if needs else 0,
        int(needs[1]) if needs else 0,
        {str(state): int(n) for state, n in asks},
    )


async def received_at(db: Store, outbox_id: int) -> str | None:
    """When the text an outbox row answers came in (None for a row no text caused)."""
    row = await db.fetchone(
        "SELECT i.received_at FROM outbox o JOIN inbound i ON i.id = o.inbound_id WHERE o.id = ?",
        (outbox_id,),
    )
    return str(row[0]) if row else None
