"""Render the core's messages per recipient and write them to the outbox, shaped per channel."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hubbot.addresses import channel_of
from hubbot.channels.base import Channel
from hubbot.clock import Clock
from hubbot.domain.messages import Button, Msg, Outgoing, Priority, TeamMessage
from hubbot.domain.outbox_state import OutboxStatus
from hubbot.domain.sms import segment_count
from hubbot.i18n import Renderer
from hubbot.store import confirmations, hubs, outbox, people
from hubbot.store.conn import Conn
from hubbot.store.outbox import NewMessage

log = logging.getLogger(__name__)
OPTED_OUT = "opted out"
NOT_IN_EXERCISE = "exercise: a coordinator outside the hub's exercise"


@dataclass(frozen=True)
class Recipient:
    """Someone a bulk message goes to, already resolved to an address."""

    person_id: int
    locale: str
    address: str
    sender: str | None = None  # the SMS number it leaves from


@dataclass(frozen=True)
class Origin:
    """Where a message came from, which decides where replies to its sender go."""

    inbound_id: int | None = None
    sender_id: int | None = None
    address: str | None = None  # replies go back where the message came from
    group_chat: int | None = None  # replies to a command typed in a group go to the group
    from_number: str | None = None  # replies about a hub leave from the hub's SMS number
    hub_id: int | None = None  # the hub it is about: one in exercise mode marks its messages
    exercise: bool | None = None  # whether that hub is in exercise mode, if already known


class Outbound:
    def __init__(self, renderer: Renderer, channels: Mapping[str, Channel], clock: Clock) -> None:
        self.renderer = renderer
        self.channels = channels
        self.clock = clock

    async def person(self, conn: Conn, message: Outgoing, origin: Origin) -> list[int]:
        """Render in the recipient's language (as it is after this message's effects).

        Returns the outbox ids written (none if nobody can be reached)."""
        person = await people.get(conn, message.person_id)
        address = await people.preferred_address(conn, message.person_id)
        if person is None or address is None:
            log.error("nobody to reach for person %d (%s)", message.person_id, message.msg.key)
            return []
        address = address_for(message, origin, address)
        drill = await self._in_drill(conn, origin.hub_id, origin.exercise)
        text = self.text_for(message, person.locale, channel_of(address), drill)
        buttons = self.labels_for(message.buttons, person.locale)
        held = OPTED_OUT if person.opted_out and not message.compliance else None
        # A coordinator who texted about the drill gets the answer; the drill's own news
        # (opened, silent, reports) reaches only those in it.
        if drill and person.is_coordinator and person.id != origin.sender_id:
            assert origin.hub_id is not None
            if person.id not in await hubs.members(conn, origin.hub_id):
                held = held or NOT_IN_EXERCISE
        ids = await self._write(
            conn,
            address,
            text,
            message.priority,
            message.msg,
            origin,
            person.id,
            buttons,
            held,
        )
        if message.ack and ids and not held:
            if message.confirm is not None:
                # What their OK (or the button) will confirm: this, and nothing else.
                await confirmations.record(
                    conn, person.id, message.confirm, ids[-1], self.clock.now()
                )
            if channel_of(address) == "telegram":
                label = self.renderer.render(Msg("ack.button"), person.locale)
                await outbox.set_buttons(conn, ids[-1], [(label, f"ACK o{ids[-1]}")])
        return ids

    async def team(self, conn: Conn, message: TeamMessage, origin: Origin) -> None:
        """To every Telegram group linked to the hub, in the hub's language."""
        record = await hubs.by_id(conn, message.hub_id)
        if record is None:
            return
        text = self.renderer.render(message.msg, record.locale)
        if record.exercise:
            text = self._exercise_tag(text, record.locale)
        for address in await hubs.groups(conn, message.hub_id):
            await self._write(
                conn, address, text, message.priority, message.msg, origin, None, [], None
            )

    async def many(
        self,
        conn: Conn,
        recipients: Sequence[Recipient],
        msg: Msg,
        priority: Priority,
        buttons: tuple[Button, ...] = (),
        hub_id: int | None = None,
        exercise: bool | None = None,
    ) -> list[int]:
        """One message to many people at once (a broadcast): rendered once per language,
        shaped once per channel, written in one statement. `hub_id`: the hub it goes out
        for; in exercise mode, it is marked, and coordinators outside the hub are left out.

        Returns, for each recipient in order, the outbox id of their message's last part."""
        rendered: dict[tuple[str, str], tuple[list[str], list[tuple[str, str]]]] = {}
        rows: list[NewMessage] = []
        last: list[int] = []
        drill = await self._in_drill(conn, hub_id, exercise)
        outside = await hubs.coordinators_outside(conn, hub_id) if drill else set()
        for person in recipients:
            channel = channel_of(person.address)
            if (person.locale, channel) not in rendered:
                text = self.renderer.render(msg, person.locale)
                if drill:
                    text = self._exercise_tag(text, person.locale)
                labels = [
                    (self.renderer.render(b.label, person.locale), b.command) for b in buttons
                ]
                rendered[person.locale, channel] = (self.shape(channel, text), labels)
            parts, labels = rendered[person.locale, channel]
            held = NOT_IN_EXERCISE if person.person_id in outside else None
            rows += rows_of(
                parts,
                person.address,
                priority,
                msg,
                person.person_id,
                labels,
                person.sender,
                held=held,
            )
            last.append(len(rows) - 1)
        ids = await outbox.enqueue_many(conn, rows, self.clock.now())
        return [ids[i] for i in last]

    def text_for(self, message: Outgoing, locale: str, channel: str, drill: bool) -> str:
        """A message's text for one reader: their language, the rich version on Telegram, the
        hub it is about for someone in several, EXERCICE first in a drill."""
        rich = message.rich if message.rich is not None and channel == "telegram" else None
        text = self.renderer.render(rich if rich is not None else message.msg, locale)
        if message.about is not None:
            text = self._about(message.about, text, locale)
        if drill:
            text = self._exercise_tag(text, locale)
        return text

    def labels_for(self, buttons: Sequence[Button], locale: str) -> list[tuple[str, str]]:
        """The buttons' labels in the reader's language, each with its command."""
        return [(self.renderer.render(b.label, locale), b.command) for b in buttons]

    def _about(self, code: str, text: str, locale: str) -> str:
        """'[PLATEAU] ...' for someone in several hubs, unless it would cost one more SMS."""
        tagged = self.renderer.render(Msg("reply.about_hub", {"hub": code, "text": text}), locale)
        return tagged if segment_count(tagged) <= segment_count(text) else text

    async def _in_drill(self, conn: Conn, hub_id: int | None, exercise: bool | None) -> bool:
        """Whether the message is about a hub in exercise mode. `exercise`: the flag, when the
        caller has the hub in hand (a look-up less per message, a round trip on PostgreSQL)."""
        if hub_id is None or exercise is not None:
            return bool(hub_id is not None and exercise)
        return await hubs.in_exercise(conn, hub_id)

    def _exercise_tag(self, text: str, locale: str) -> str:
        """EXERCICE / EXERCISE first: nobody may take a drill's message for a real one."""
        return self.renderer.render(Msg("exercise.tag", {"text": text}), locale)

    def shape(self, channel_name: str, text: str) -> list[str]:
        """The parts `text` goes out in on that channel (SMS segments joined as the channel
        sends them, Telegram's length)."""
        channel = self.channels.get(channel_name)
        return channel.shape(text) if channel else [text]

    async def _write(
        self,
        conn: Conn,
        address: str,
        text: str,
        priority: Priority,
        msg: Msg,
        origin: Origin,
        person_id: int | None,
        buttons: list[tuple[str, str]],
        held: str | None,
    ) -> list[int]:
        parts = self.shape(channel_of(address), text)
        rows = rows_of(
            parts,
            address,
            priority,
            msg,
            person_id,
            buttons,
            origin.from_number,
            inbound_id=origin.inbound_id,
            held=held,
        )
        return await outbox.enqueue_many(conn, rows, self.clock.now())


def address_for(message: Outgoing, origin: Origin, preferred: str) -> str:
    """Where a message goes: a reply to its sender back where they wrote (the group chat the
    command was typed in, the number or chat it came from), anything else to `preferred`."""
    if message.person_id == origin.sender_id:
        if origin.group_chat is not None:
            return f"telegram:{origin.group_chat}"
        if origin.address is not None:
            return origin.address
    return preferred


def rows_of(
    parts: list[str],
    address: str,
    priority: Priority,
    msg: Msg,
    person_id: int | None,
    buttons: list[tuple[str, str]],
    sender: str | None,
    *,
    inbound_id: int | None = None,
    held: str | None = None,
) -> list[NewMessage]:
    """The outbox rows of one message's parts; its buttons go with the last part. `held`:
    why it is kept and not sent (opted out; a coordinator outside an exercise)."""
    return [
        NewMessage(
            person_id,
            address,
            part,
            priority,
            msg.key,
            inbound_id,
            status=OutboxStatus.SUPPRESSED if held else OutboxStatus.PENDING,
            error=held,
            sender=sender if channel_of(address) == "sms" else None,  # a number sends SMS only
            buttons=buttons if n == len(parts) - 1 else None,
        )
        for n, part in enumerate(parts)
    ]
