"""The facts of a 911 case whose alert was to be confirmed by now (domain/safety.py decides)."""

from __future__ import annotations

from datetime import datetime

from hubbot.domain.jobs import UnconfirmedDue
from hubbot.domain.models import ItemKind
from hubbot.service.board_facts import contact_of
from hubbot.store import confirmations, hubs, items, people, recipients
from hubbot.store.conn import Conn
from hubbot.store.schedule import Due


async def unconfirmed_due(conn: Conn, due: Due, now: datetime) -> UnconfirmedDue:
    """Whether anyone asked confirmed the alert about the need `due.ref` (N7); if not, what
    the coordinators must know: the need, who posted it and how to reach them."""
    label = due.ref
    record = await hubs.by_id(conn, due.hub_id) if due.hub_id is not None else None
    if record is None:
        return UnconfirmedDue(label, due.hub_id, None)
    asked = await confirmations.about(conn, "life_safety", label, record.id)
    if any(done for _, done in asked):
        return UnconfirmedDue(label, record.id, record.code, confirmed=True)
    number = label.removeprefix(ItemKind.NEED.prefix)
    item = await items.get(conn, ItemKind.NEED, int(number)) if number.isdigit() else None
    poster = item.person_id if item is not None else None
    coordinators = [c.id for c in await people.coordinators(conn)]
    reach = await recipients.many(conn, {*coordinators, *([] if poster is None else [poster])})
    posted = reach.get(poster) if poster is not None else None
    return UnconfirmedDue(
        label,
        record.id,
        record.code,
        text=item.text if item is not None else "",
        sender=posted.label if posted else "",
        contact=contact_of(posted.address) if posted and posted.address else "",
        subject_id=poster,
        waiting=tuple(dict.fromkeys(person for person, _ in asked)),
        # Only those a message reaches: one who sent STOP, or has no usable address, is not
        # told in place of the hub's team.
        coordinators=tuple(
            c for c in coordinators if (r := reach.get(c)) and not r.opted_out and r.address
        ),
    )
