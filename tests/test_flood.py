"""One sender cannot flood everyone: over their limit, texts are kept but passed on to nobody."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hubbot.addresses import parse_address
from hubbot.domain.flood import Bucket, FloodLimit, admit, always_passes
from hubbot.domain.playbook import Playbook
from hubbot.store import inbound, people
from tests.conftest import Harness
from tests.fakes import workers

LEAD, FLOODER, NEIGHBOUR, ANGLO = "+15145550101", "+15145550150", "+15145550160", "+15145550170"
LIMIT = FloodLimit(per_minute=20, burst=20)
T0 = datetime(2026, 1, 15, 3, 0, tzinfo=UTC)
_ids = itertools.count(1)


def _run(limit: FloodLimit, times: list[datetime]) -> list[tuple[bool, bool]]:
    """(passed, notice) for texts received at `times`, from one sender."""
    bucket: Bucket | None = None
    verdicts = []
    for at in times:
        verdict = admit(bucket, limit, at)
        bucket = verdict.bucket
        verdicts.append((verdict.passed, verdict.notice))
    return verdicts


# The arithmetic (hubbot/domain/flood.py)


def test_a_burst_passes_at_once_and_the_next_text_starts_a_hold_with_one_notice() -> None:
    verdicts = _run(LIMIT, [T0] * 50)
    assert [passed for passed, _ in verdicts] == [True] * 20 + [False] * 30
    assert [notice for _, notice in verdicts].count(True) == 1
    assert verdicts[20] == (False, True), "the first text refused is the one that tells"


def test_during_a_hold_nothing_passes_even_when_some_tokens_have_come_back() -> None:
    half_a_minute = T0 + timedelta(seconds=30)  # 10 tokens back at 20 a minute
    verdicts = _run(LIMIT, [T0] * 21 + [half_a_minute])
    assert verdicts[-1] == (False, False)


def test_after_the_hold_the_whole_burst_passes_again() -> None:
    later = T0 + LIMIT.hold
    verdicts = _run(LIMIT, [T0] * 21 + [later] * 21)
    assert [passed for passed, _ in verdicts[21:]] == [True] * 20 + [False]
    assert verdicts[-1] == (False, True), "a new hold, and a new notice"


def test_someone_writing_at_the_rate_is_never_held() -> None:
    every_3s = [T0 + timedelta(seconds=3 * n) for n in range(200)]  # 20 a minute, 10 minutes
    assert all(passed for passed, _ in _run(LIMIT, every_3s))


def test_a_ten_minute_flood_gets_no_more_than_the_burst_plus_the_rate() -> None:
    every_second = [T0 + timedelta(seconds=n) for n in range(600)]
    verdicts = _run(LIMIT, every_second)
    passed = sum(passed for passed, _ in verdicts)
    assert passed <= LIMIT.burst + 10 * LIMIT.per_minute
    assert sum(notice for _, notice in verdicts) <= 10, "one notice per hold, a hold a minute"


def test_texts_judged_out_of_order_gain_no_tokens() -> None:
    bucket = admit(None, LIMIT, T0).bucket
    earlier = admit(bucket, LIMIT, T0 - timedelta(minutes=5))
    assert earlier.passed and earlier.bucket.tokens == LIMIT.burst - 2


def test_a_rate_of_zero_turns_flood_control_off() -> None:
    off = FloodLimit(per_minute=0, burst=1)
    assert all(passed for passed, _ in _run(off, [T0] * 100))


def test_the_hold_is_the_time_the_burst_takes_to_refill_in_whole_minutes() -> None:
    assert FloodLimit(per_minute=2, burst=5).minutes == 3
    assert FloodLimit(per_minute=60, burst=20).minutes == 1, "never under a minute"


def test_compliance_and_life_safety_words_always_pass(playbooks: dict[str, Playbook]) -> None:
    hub = [playbooks["community-hub"]]
    for command in ("stop", "start", "help"):
        assert always_passes(command, "ARRET", opted_out=False, playbooks=hub)
    assert always_passes("yes", "YES", opted_out=True, playbooks=hub), "YES opts back in"
    assert not always_passes("yes", "OUI", opted_out=False, playbooks=hub), "a match consent"
    assert always_passes("text", "au secours il ne respire pas", opted_out=False, playbooks=hub)
    assert not always_passes("text", "encore une question", opted_out=False, playbooks=hub)


# In the service (hubbot/service/processor.py)


async def _hub_with_a_flooder(harness: Harness) -> None:
    harness.processor.throttling.limit = LIMIT
    await harness.add_hub()
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await harness.text(FLOODER, "REJOINDRE PLATEAU")
    await harness.text(NEIGHBOUR, "REJOINDRE PLATEAU")


async def _store(harness: Harness, phone: str, texts: list[str]) -> None:
    """Store texts as the webhook does, faster than they are processed."""
    address = parse_address(phone, "CA")
    for text in texts:
        provider_id = f"F{next(_ids)}"
        assert await inbound.record(
            harness.db, "sms", provider_id, address, None, text, harness.clock.now()
        )


async def _throttled(harness: Harness) -> int:
    row = await harness.db.fetchone("SELECT COUNT(*) FROM inbound WHERE throttled_at IS NOT NULL")
    assert row is not None
    return int(row[0])


async def test_200_texts_from_one_sender_reach_the_lead_no_more_than_the_burst(
    harness: Harness,
) -> None:
    await _hub_with_a_flooder(harness)
    flooder = await harness.person_id(FLOODER)
    await _store(harness, FLOODER, [f"question {n}" for n in range(200)])
    got = await harness.text(NEIGHBOUR, "il manque du papier dans les toilettes")

    from_flooder = [t for t in got[LEAD] if t.startswith(f"De M{flooder} ")]
    # The burst, less the one REJOINDRE took: the first texts, in order.
    said = [t.split(" : ", 1)[1].splitlines()[0] for t in from_flooder]  # then "Répondez R M2"
    assert said == [f"question {n}" for n in range(19)]
    notices = [t for t in got[FLOODER] if t.startswith("Vous écrivez trop vite")]
    assert notices == [
        "Vous écrivez trop vite : vos messages sont gardés mais pas transmis pendant 1 min. "
        "Vie en danger : 911."
    ]
    assert await _throttled(harness) == 200 - len(from_flooder), "every other text is kept"
    neighbour = await harness.person_id(NEIGHBOUR)
    assert any(t.startswith(f"De M{neighbour} ") for t in got[LEAD])
    assert got[NEIGHBOUR] == ["Bien noté. Votre message est transmis à : Responsable du centre."]


async def test_a_flooder_who_writes_911_gets_the_urgent_answer_and_the_lead_is_alerted(
    harness: Harness,
) -> None:
    await _hub_with_a_flooder(harness)
    await _store(harness, FLOODER, [f"question {n}" for n in range(50)])
    got = await harness.text(FLOODER, "Au secours, mon voisin ne respire pas")
    assert any("Appelez le 911 maintenant" in t for t in got[FLOODER])
    assert any(t.startswith("URGENCE N1") for t in got[LEAD])


async def test_stop_and_help_from_a_held_flooder_are_honoured(harness: Harness) -> None:
    await _hub_with_a_flooder(harness)
    await _store(harness, FLOODER, [f"question {n}" for n in range(50)])
    await harness.text(NEIGHBOUR, "bonjour")
    helped = await harness.text(FLOODER, "AIDE")
    assert helped[FLOODER][0].startswith("Plateau - vos commandes : BESOIN, OFFRE")
    stopped = await harness.text(FLOODER, "ARRET")
    assert stopped[FLOODER] == [
        "Vous ne recevrez plus de messages. START pour revenir. / "
        "You will get no more messages. Text START to resume."
    ]
    person = await people.by_address(harness.db.conn, parse_address(FLOODER, "CA"))
    assert person is not None and person.opted_out


async def test_after_the_bucket_refills_a_flooders_texts_reach_the_lead_again(
    harness: Harness,
) -> None:
    await _hub_with_a_flooder(harness)
    await _store(harness, FLOODER, [f"question {n}" for n in range(50)])
    await harness.text(NEIGHBOUR, "bonjour")
    held = await harness.text(FLOODER, "toujours la?")
    assert FLOODER not in held and LEAD not in held, "held: no reply, nothing relayed"
    harness.clock.advance(minutes=1)
    got = await harness.text(FLOODER, "merci pour l'eau")
    assert got[LEAD][0].splitlines()[0].endswith("merci pour l'eau")
    assert got[FLOODER] == ["Bien noté. Votre message est transmis à : Responsable du centre."]


async def test_the_notice_comes_in_the_senders_language(harness: Harness) -> None:
    harness.processor.throttling.limit = LIMIT
    await harness.add_hub()
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await harness.text(ANGLO, "JOIN PLATEAU")
    await _store(harness, ANGLO, [f"question {n}" for n in range(30)])
    got = await harness.text(NEIGHBOUR, "AIDE")
    assert [t for t in got[ANGLO] if "too fast" in t] == [
        "You are sending too fast: your messages are kept but not passed on for 1 min. "
        "Life in danger: 911."
    ]


async def test_a_hold_is_in_the_activity_log_once(harness: Harness) -> None:
    await _hub_with_a_flooder(harness)
    await _store(harness, FLOODER, [f"question {n}" for n in range(60)])
    await harness.text(NEIGHBOUR, "bonjour")
    rows = await harness.db.fetchall(
        "SELECT action, detail FROM activity_log WHERE action = 'throttled'"
    )
    assert [tuple(row) for row in rows] == [("throttled", "1 min")]


async def test_a_restart_gives_a_flooder_no_fresh_burst(
    harness: Harness, playbooks: dict[str, Playbook]
) -> None:
    await _hub_with_a_flooder(harness)
    await _store(harness, FLOODER, [f"question {n}" for n in range(30)])
    await harness.text(NEIGHBOUR, "bonjour")
    throttled = await _throttled(harness)
    renderer = harness.processor.outbound.renderer
    restarted, _ = workers(harness.db, harness.clock, playbooks, renderer)
    restarted.throttling.limit = LIMIT
    await _store(harness, FLOODER, ["question apres redemarrage"])
    await restarted.drain()
    assert await _throttled(harness) == throttled + 1


async def test_a_backlog_worked_through_late_is_judged_on_when_it_was_sent(
    harness: Harness,
) -> None:
    await _hub_with_a_flooder(harness)
    for n in range(40):  # one text a minute for 40 minutes, while processing was stopped
        await _store(harness, FLOODER, [f"question {n}"])
        harness.clock.advance(minutes=1)
    got = await harness.text(NEIGHBOUR, "bonjour")
    flooder = await harness.person_id(FLOODER)
    assert len([t for t in got[LEAD] if t.startswith(f"De M{flooder} ")]) == 40
    assert await _throttled(harness) == 0
