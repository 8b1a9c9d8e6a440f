"""A life-safety text is answered within one pacing slot, even behind a hub-wide broadcast."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from hubbot.addresses import parse_address
from hubbot.store import hubs, outbox, people
from tests.conftest import Harness

HUB = "+15145550000"  # the hub's number: the broadcast and every reply leave from it
LEAD, COORD = "+15145550101", "+15145550199"
MEMBERS = [f"+1438200{i:04d}" for i in range(400)]
NOTICE = "Distribution d'eau au gymnase a 14 h"
CALL_911 = "Appelez le 911 maintenant."
ALERT = "URGENCE"


async def _broadcast_under_way(harness: Harness, rate: float, urgent: bool = False) -> None:
    """400 SMS members and their lead; the coordinator broadcasts to the hub (URGENT if asked),
    sent from its number at `rate` segments a second, and the first ten seconds of that
    backlog go out."""
    harness.channel.clock = harness.clock
    hub_id = await harness.add_hub(sms_number=HUB)
    await harness.add_coordinator(COORD)
    async with harness.db.transaction() as conn:  # as if they had joined over the past days
        for phone in MEMBERS:
            now = harness.clock.now()
            person = await people.create(conn, parse_address(phone, "CA"), "fr", now)
            await hubs.join(conn, hub_id, person.id, now)
    await harness.text(LEAD, "ACTIVER PLATEAU 2468", to=HUB)  # the newest member: copy last
    harness.channel.rate = rate
    urgency = "URGENT " if urgent else ""
    await harness.text(COORD, f"DIFFUSER PLATEAU {urgency}{NOTICE}", to=HUB)
    await _deliver(harness, seconds=10)
    assert _sent(harness, NOTICE) <= 10 * rate + 1, "the backlog has only started"


async def _deliver(
    harness: Harness, seconds: float, done: Callable[[], bool] = lambda: False
) -> None:
    """Run the dispatcher as the service does, jumping the fake clock to each moment a send
    may go, until `done()`, until `seconds` have passed or until the outbox is empty."""
    end = harness.clock.now() + timedelta(seconds=seconds)
    while not done() and harness.clock.now() < end:
        wait = await harness.dispatcher.start_due()
        await harness.dispatcher.finish_in_flight()
        if wait is None:
            assert not await outbox.listing(harness.db, ("pending",)), "asleep with messages due"
            return
        harness.clock.advance(seconds=wait)


def _sent(harness: Harness, holding: str, phone: str | None = None) -> int:
    # "in", not "startswith": a broadcast arrives framed ("[PLATEAU B1] Distribution ...").
    return sum(
        holding in text and phone in (None, to.removeprefix("sms:"))
        for to, text in harness.channel.sent
    )


def _seconds_until(harness: Harness, phone: str, starts: str, since: datetime) -> float:
    """Fake seconds from `since` until the first message to `phone` starting with `starts`."""
    for (to, text), at in zip(harness.channel.sent, harness.channel.times, strict=True):
        if to == f"sms:{phone}" and text.startswith(starts):
            return (at - since).total_seconds()
    raise AssertionError(f"{phone} never got {starts!r}")


async def _life_safety_text(harness: Harness, member: str, within: float) -> None:
    """The member texts for help (the playbook's life-safety words); the dispatcher runs on
    until their 911 reply and the lead's alert have left."""
    await harness.text(member, "Au secours mon voisin ne respire pas", to=HUB)

    def both_sent() -> bool:
        return _sent(harness, CALL_911, member) > 0 and _sent(harness, ALERT, LEAD) > 0

    await _deliver(harness, seconds=within, done=both_sent)
    assert both_sent(), f"nothing urgent left within {within} s"


async def test_a_911_reply_overtakes_a_400_member_broadcast_at_five_segments_a_second(
    harness: Harness,
) -> None:
    await _broadcast_under_way(harness, rate=5.0)
    member = MEMBERS[-1]  # their own copy of the broadcast is the last in the queue
    texted = harness.clock.now()
    await _life_safety_text(harness, member, within=80)
    assert _seconds_until(harness, member, CALL_911, texted) <= 1.0
    assert _sent(harness, NOTICE) < 70, "long before the backlog (80 s at 5/s) drains"
    assert _sent(harness, NOTICE, member) == 0, "it overtook their own broadcast copy"


async def test_the_leads_life_safety_alert_overtakes_the_same_backlog(harness: Harness) -> None:
    await _broadcast_under_way(harness, rate=5.0)
    texted = harness.clock.now()
    await _life_safety_text(harness, MEMBERS[200], within=80)
    assert _seconds_until(harness, LEAD, ALERT, texted) <= 1.0
    assert _sent(harness, NOTICE) < 70
    assert _sent(harness, NOTICE, LEAD) == 0, "it overtook the lead's own broadcast copy"
    await _deliver(harness, seconds=80)
    assert _sent(harness, NOTICE, LEAD) == 1, "which still comes, last"


async def test_at_the_default_one_segment_a_second_help_is_two_seconds_away_not_400(
    harness: Harness,
) -> None:
    await _broadcast_under_way(harness, rate=1.0)
    texted = harness.clock.now()
    await _life_safety_text(harness, MEMBERS[-1], within=400)
    assert _seconds_until(harness, MEMBERS[-1], CALL_911, texted) <= 1.0
    assert _seconds_until(harness, LEAD, ALERT, texted) <= 2.0
    assert _sent(harness, NOTICE) <= 13, "where the backlog would take 400 s"


async def test_a_911_reply_overtakes_even_an_urgent_broadcast_to_the_same_people(
    harness: Harness,
) -> None:
    await _broadcast_under_way(harness, rate=5.0, urgent=True)
    member = MEMBERS[-1]
    texted = harness.clock.now()
    await _life_safety_text(harness, member, within=80)
    assert _seconds_until(harness, member, CALL_911, texted) <= 1.0
    assert _seconds_until(harness, LEAD, ALERT, texted) <= 1.0
    assert _sent(harness, NOTICE) < 70, "one person's life safety comes before a call to all"
