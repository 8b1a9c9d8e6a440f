"""STOP is honoured for what was already queued: behind a broadcast at the default pace, a
member's queued reply and broadcast copy are never sent, only the confirmation."""

from __future__ import annotations

from hubbot.addresses import parse_address
from hubbot.domain.messages import Priority
from hubbot.store import inbound, outbox
from tests.conftest import Harness
from tests.test_life_safety_under_load import (
    HUB,
    LEAD,
    MEMBERS,
    NOTICE,
    _broadcast_under_way,
    _deliver,
    _sent,
)

# The member speaks French: their language first.
CONFIRMATION = (
    "Vous ne recevrez plus de messages. START pour revenir."
    " / You will get no more messages. Text START to resume."
)


async def _texts_before_the_next_slot(harness: Harness, phone: str, *bodies: str) -> None:
    """The texts arrive and are decided before the hub's number may send again."""
    for n, body in enumerate(bodies):
        await inbound.record(
            harness.db,
            "sms",
            f"S{phone}{n}",
            parse_address(phone, "CA"),
            parse_address(HUB, "CA"),
            body,
            harness.clock.now(),
        )
    await harness.processor.drain()


async def test_after_stop_a_member_gets_the_confirmation_and_nothing_already_queued(
    harness: Harness,
) -> None:
    await _broadcast_under_way(harness, rate=1.0)
    member = MEMBERS[-1]  # their broadcast copy is the last in the queue
    await _texts_before_the_next_slot(harness, member, "BESOIN eau potable pour 2", "STOP")
    await _deliver(harness, seconds=600)
    to_member = [text for to, text in harness.channel.sent if to == f"sms:{member}"]
    assert to_member == [CONFIRMATION]
    assert _sent(harness, NOTICE, MEMBERS[-2]) == 1, "the others still get the broadcast"
    suppressed = await outbox.listing(harness.db, ["suppressed"])
    assert {(r.address, r.priority, r.error) for r in suppressed} == {
        (f"sms:{member}", Priority.NORMAL, "opted out"),  # the need's acknowledgement
        (f"sms:{member}", Priority.BULK, "opted out"),  # their broadcast copy
    }


async def test_a_need_posted_before_stop_still_reaches_the_lead(harness: Harness) -> None:
    await _broadcast_under_way(harness, rate=1.0)
    await _texts_before_the_next_slot(harness, MEMBERS[-1], "BESOIN insuline", "STOP")
    await _deliver(harness, seconds=600)
    assert any("insuline" in text for to, text in harness.channel.sent if to == f"sms:{LEAD}")
