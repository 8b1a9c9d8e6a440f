"""Many messages written at once for a batch of timed work, each as Outbound.person writes one."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from hubbot.addresses import channel_of
from hubbot.domain.messages import Outgoing
from hubbot.service.outbound import (
    NOT_IN_EXERCISE,
    OPTED_OUT,
    Origin,
    Outbound,
    address_for,
    rows_of,
)
from hubbot.store import hubs, many_hubs, outbox, recipients
from hubbot.store.conn import Conn
from hubbot.store.outbox import NewMessage

log = logging.getLogger(__name__)


class BulkMessages:
    """What Outbound.person does for one message, for a whole batch: the recipients read in one
    query, each text rendered once per language and channel, the rows in one statement; the
    same language, address, exercise mark, holds (opted out; a coordinator outside an
    exercise) and shapes per channel. A message that asks for an acknowledgement goes through
    Outbound.person itself (it records what the OK confirms), after the rows before it, so the
    outbox keeps the messages' order."""

    def __init__(self, outbound: Outbound) -> None:
        self.outbound = outbound

    async def write(self, conn: Conn, messages: Sequence[tuple[Outgoing, Origin]]) -> None:
        """Queue the messages, in order, each as Outbound.person would."""
        if not messages:
            return
        out = self.outbound
        reach = await recipients.many(conn, {m.person_id for m, _ in messages})
        unknown = {o.hub_id for _, o in messages if o.hub_id is not None and o.exercise is None}
        drills = await many_hubs.exercise_flags(conn, unknown)
        members: dict[int, frozenset[int]] = {}
        texts: dict[tuple[int, str, str, str | None, bool], list[str]] = {}
        labels: dict[tuple[int, str], list[tuple[str, str]]] = {}
        rows: list[NewMessage] = []
        for message, origin in messages:
            if message.ack:
                await self._flush(conn, rows)
                await out.person(conn, message, origin)
                continue
            person = reach.get(message.person_id)
            if person is None or person.address is None:
                log.error("nobody to reach for person %d (%s)", message.person_id, message.msg.key)
                continue
            address = address_for(message, origin, person.address)
            channel = channel_of(address)
            hub_id = origin.hub_id
            drill = hub_id is not None and bool(
                origin.exercise if origin.exercise is not None else drills.get(hub_id)
            )
            # One rendering a language, channel and hub: the messages of a batch share a few.
            source = message.rich if message.rich is not None and channel == "telegram" else None
            key = (
                id(source if source is not None else message.msg),
                person.locale,
                channel,
                message.about,
                drill,
            )
            if key not in texts:
                text = out.text_for(message, person.locale, channel, drill)
                texts[key] = out.shape(channel, text)
            if (id(message.buttons), person.locale) not in labels:
                labels[id(message.buttons), person.locale] = out.labels_for(
                    message.buttons, person.locale
                )
            held = OPTED_OUT if person.opted_out and not message.compliance else None
            if drill and person.is_coordinator and person.id != origin.sender_id:
                assert hub_id is not None
                if hub_id not in members:
                    members[hub_id] = await hubs.members(conn, hub_id)
                if person.id not in members[hub_id]:
                    held = held or NOT_IN_EXERCISE
            rows += rows_of(
                texts[key],
                address,
                message.priority,
                message.msg,
                person.id,
                labels[id(message.buttons), person.locale],
                origin.from_number,
                inbound_id=origin.inbound_id,
                held=held,
            )
        await self._flush(conn, rows)

    async def _flush(self, conn: Conn, rows: list[NewMessage]) -> None:
        if rows:
            await outbox.enqueue_many(conn, rows, self.outbound.clock.now())
            rows.clear()
