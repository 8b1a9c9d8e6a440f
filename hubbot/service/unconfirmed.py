"""The facts of a 911 case or a call for help whose alert was to be confirmed by now
(domain/safety.py decides)."""

from __future__ import annotations

from datetime import datetime, timedelta

from hubbot.domain.jobs import UnconfirmedDue
from hubbot.domain.models import ItemKind
from hubbot.domain.relay import REPLIED
from hubbot.domain.routing import ITEM_TEXT_MAX
from hubbot.domain.safety import CALL_FOR_HELP, CONFIRM_WITHIN, LIFE_SAFETY, due_topic
from hubbot.service.board_facts import contact_of
from hubbot.store import activity, call_answers, confirmations, hubs, items, people, recipients
from hubbot.store.conn import Conn
from hubbot.store.schedule import Due


async def unconfirmed_due(conn: Conn, due: Due, now: datetime) -> UnconfirmedDue:
    """Whether anyone asked confirmed the alert about `due.ref` (a 911 case's need N7, or a
    call for help); if not, what the coordinators must know: the words, who wrote them and
    how to reach them, and for a call for help whether the person still calls for it."""
    topic, label = due_topic(due.ref)
    record = await hubs.by_id(conn, due.hub_id) if due.hub_id is not None else None
    if record is None:
        return UnconfirmedDue(label, due.hub_id, None, topic=topic)
    # This alert's asks, not an earlier call's about the same person; with a minute's margin,
    # as the asks were recorded a moment after the decision that set the due time.
    asked_at = due.due_at - CONFIRM_WITHIN - timedelta(minutes=1)
    asked = await confirmations.about(conn, topic, label, record.id, asked_at)
    taken = any(done for _, done, _ in asked) or (
        # Staff who answered the caller with R M6 took the call as surely as with OK.
        topic == CALL_FOR_HELP
        and await activity.logged_since(conn, record.id, REPLIED, label, asked_at)
    )
    if taken:
        return UnconfirmedDue(label, record.id, record.code, confirmed=True, topic=topic)
    answer: str | None = None
    poster = next((subject for _, _, subject in asked if subject is not None), None)
    if topic == LIFE_SAFETY:
        number = label.removeprefix(ItemKind.NEED.prefix)
        item = await items.get(conn, ItemKind.NEED, int(number)) if number.isdigit() else None
        poster = item.person_id if item is not None else None
        text = item.text if item is not None else ""
    elif topic == CALL_FOR_HELP:
        text = (await confirmations.words(conn, topic, label, record.id, asked_at) or "")[
            :ITEM_TEXT_MAX
        ]  # as the relay showed it
    else:
        latest = (
            None if poster is None else await call_answers.latest(conn, topic, record.id, poster)
        )
        answer, text = latest if latest is not None else (None, "")
    coordinators = [c.id for c in await people.coordinators(conn)]
    reach = await recipients.many(conn, {*coordinators, *([] if poster is None else [poster])})
    posted = reach.get(poster) if poster is not None else None
    return UnconfirmedDue(
        label,
        record.id,
        record.code,
        topic=topic,
        answer=answer,
        text=text,
        sender=posted.label if posted else "",
        contact=contact_of(posted.address) if posted and posted.address else "",
        subject_id=poster,
        waiting=tuple(dict.fromkeys(person for person, _, _ in asked)),
        # Only those a message reaches: one who sent STOP, or has no usable address, is not
        # told in place of the hub's team.
        coordinators=tuple(
            c for c in coordinators if (r := reach.get(c)) and not r.opted_out and r.address
        ),
    )
