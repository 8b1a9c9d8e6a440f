"""Telegram payloads become plain messages; sends go through PTB's Bot to the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram import Bot, Update

from hubbot.channels.base import InboundMessage, SendError
from hubbot.channels.telegram.parse import parse_update
from hubbot.channels.telegram.send import TelegramChannel, to_html
from hubbot.service.dispatcher import Dispatcher
from hubbot.service.send_limits import SendLimits
from hubbot.store import outbox, people
from hubbot.store.db import Database
from tests.fake_telegram import TOKEN, FakeTelegram
from tests.fakes import FakeChannel, FakeClock

# As Telegram sends them (recorded shapes, anonymised).
PRIVATE_COMMAND = {
    "update_id": 904512,
    "message": {
        "message_id": 71,
        "date": 1768446000,
        "from": {
            "id": 5501,
            "is_bot": False,
            "first_name": "Marie",
            "username": "Marie_TG",
            "language_code": "fr-CA",
        },
        "chat": {"id": 5501, "first_name": "Marie", "username": "Marie_TG", "type": "private"},
        "text": "/besoin de l'eau",
        "entities": [{"offset": 0, "length": 7, "type": "bot_command"}],
    },
}
GROUP_MESSAGE = {
    "update_id": 904513,
    "message": {
        "message_id": 72,
        "date": 1768446001,
        "from": {"id": 5502, "is_bot": False, "first_name": "Luc", "language_code": "en"},
        "chat": {"id": -100123, "title": "Équipe", "type": "supergroup"},
        "text": "/link DEMO 2468",
    },
}
BUTTON_TAP = {
    "update_id": 904514,
    "callback_query": {
        "id": "4382bfdwdsb323b2d9",
        "chat_instance": "-1234",
        "from": {"id": 5501, "is_bot": False, "first_name": "Marie", "language_code": "fr"},
        "message": {
            "message_id": 80,
            "date": 1768446002,
            "text": "Alerte",
            "chat": {"id": 5501, "type": "private", "first_name": "Marie"},
        },
        "data": "ACK o12",
    },
}
EDITED = {"update_id": 904515, "edited_message": PRIVATE_COMMAND["message"]}


def _parse(data: dict[str, object]) -> object:
    return parse_update(Update.de_json(data, None))  # type: ignore[arg-type]


def test_a_private_command_gives_the_person_their_text_and_language() -> None:
    message = _parse(PRIVATE_COMMAND)
    assert message is not None
    assert (message.address, message.text, message.username, message.language) == (  # type: ignore[attr-defined]
        "telegram:5501",
        "/besoin de l'eau",
        "Marie_TG",
        "fr-CA",
    )
    assert not message.in_group  # type: ignore[attr-defined]


def test_a_group_message_keeps_the_person_and_the_group_apart() -> None:
    message = _parse(GROUP_MESSAGE)
    assert message.address == "telegram:5502" and message.chat_id == -100123  # type: ignore[attr-defined]
    assert message.in_group  # type: ignore[attr-defined]


def test_a_group_message_is_journalled_under_its_update_id_with_the_group_in_its_details() -> None:
    message = _parse(GROUP_MESSAGE)
    assert message.inbound() == InboundMessage(  # type: ignore[attr-defined]
        "telegram",
        "904513",
        "telegram:5502",
        "/link DEMO 2468",
        None,
        {"username": None, "language": "en", "name": "Luc", "group_chat": -100123},
    )


def test_a_button_tap_reads_as_the_command_it_carries() -> None:
    message = _parse(BUTTON_TAP)
    assert message.text == "ACK o12" and message.callback_id == "4382bfdwdsb323b2d9"  # type: ignore[attr-defined]


def test_updates_hubbot_does_not_handle_are_skipped() -> None:
    assert _parse(EDITED) is None


def test_html_is_escaped_and_board_ids_are_bold() -> None:
    assert to_html("Need N12 <script> & O7") == "Need <b>N12</b> &lt;script&gt; &amp; <b>O7</b>"


@pytest.fixture
async def channel(tg: FakeTelegram) -> AsyncIterator[TelegramChannel]:
    bot = Bot(TOKEN, base_url=tg.url)
    async with bot:
        yield TelegramChannel(bot)


async def test_texts_over_4096_characters_are_split(channel: TelegramChannel) -> None:
    parts = channel.shape("mot " * 2000)
    assert len(parts) >= 2 and all(len(p) <= 4096 for p in parts)


async def test_a_send_carries_html_and_buttons(tg: FakeTelegram, channel: TelegramChannel) -> None:
    await channel.send("telegram:5501", "Alerte N3", None, (("OK, bien reçu", "ACK o3"),))
    [sent] = tg.sent
    assert (sent.chat_id, sent.text, sent.parse_mode) == (5501, "Alerte <b>N3</b>", "HTML")
    assert sent.buttons == [("OK, bien reçu", "ACK o3")]


async def test_429_is_retried_after_its_delay_for_that_chat_only(
    tg: FakeTelegram, channel: TelegramChannel
) -> None:
    tg.fail[5501] = [("429", 3)]
    with pytest.raises(SendError) as caught:
        await channel.send("telegram:5501", "hi")
    error = caught.value
    assert (error.permanent, error.retry_after, error.hold_key) == (False, 3.0, "telegram:5501")


async def test_403_means_the_person_blocked_the_bot(
    tg: FakeTelegram, channel: TelegramChannel
) -> None:
    tg.fail[5501] = [("403", 0)]
    with pytest.raises(SendError) as caught:
        await channel.send("telegram:5501", "hi")
    assert caught.value.permanent and caught.value.unreachable


async def test_an_alert_to_someone_who_blocked_the_bot_falls_back_to_sms(
    tmp_path: Path, tg: FakeTelegram, channel: TelegramChannel
) -> None:
    db = await Database.open(tmp_path / "fallback.db")
    clock, sms = FakeClock(), FakeChannel()
    try:
        async with db.transaction() as conn:
            person = await people.create(conn, "sms:+15145550101", "fr", clock.now())
            await people.add_address(conn, person.id, "telegram:5501", clock.now())
            await outbox.enqueue(
                conn,
                person_id=person.id,
                address="telegram:5501",
                text="Évacuez le sous-sol",
                priority="urgent",
                now=clock.now(),
            )
        tg.fail[5501] = [("403", 0)]
        dispatcher = Dispatcher(
            db, {"sms": sms, "telegram": channel}, clock, SendLimits(max_attempts=3)
        )
        await dispatcher.run_once()
        await dispatcher.run_once()
        assert sms.sent == [("sms:+15145550101", "Évacuez le sous-sol")]
        assert await people.preferred_address(db.conn, person.id) == "sms:+15145550101"
    finally:
        await db.close()
