"""End to end over Telegram and SMS together: `hubbot run` against fake Telegram and Twilio."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.fake_telegram import FakeTelegram
from tests.fake_twilio import FakeTwilio
from tests.service import Service, eventually
from tests.world import HUB_NUMBER, World

LEAD, HOLDER, VOLUNTEER = "+15145550101", "+15145550102", "+15145550103"
TG_VOLUNTEER, TG_HOLDER, TG_COORD = 1001, 2002, 3003


def _service(tmp_path: Path, tg: FakeTelegram, twilio: FakeTwilio, mode: str) -> Service:
    return Service(tmp_path).use_twilio(twilio, HUB_NUMBER).use_telegram(tg, mode)


@pytest.fixture
async def service(tmp_path: Path, tg: FakeTelegram, twilio: FakeTwilio) -> AsyncIterator[Service]:
    svc = _service(tmp_path, tg, twilio, "polling")
    yield svc
    await svc.close()


async def _hub(service: Service, tg: FakeTelegram, twilio: FakeTwilio) -> World:
    world = World(service, twilio, tg)
    await world.open_hub(LEAD, "DEMO", "Démo")
    return world


async def test_a_telegram_need_reaches_an_sms_holder_whose_relayed_reply_comes_back(
    service: Service, tg: FakeTelegram, twilio: FakeTwilio
) -> None:
    world = await _hub(service, tg, twilio)
    await world.sms(LEAD, "ASSIGNER 514-555-0102 besoins et offres")
    await world.expect_sms(
        HOLDER, lambda t: t.startswith("Votre poste au centre DEMO : Besoins et offres")
    )
    world.telegram(TG_VOLUNTEER, "/start DEMO")
    await world.expect_tg(TG_VOLUNTEER, lambda t: t.startswith("Bienvenue à Démo"))
    world.telegram(TG_VOLUNTEER, "/besoin de l'eau")
    ack = await world.expect_tg(TG_VOLUNTEER, lambda t: t.startswith("Besoin <b>N1</b> noté"))
    assert "Besoins et offres" in ack
    need = await world.expect_sms(HOLDER, lambda t: t.startswith("Nouveau besoin N1 (Eau)"))
    assert str(TG_VOLUNTEER) not in need
    await world.sms(HOLDER, "R N1 On vous apporte 2 caisses a 15h")
    relayed = await world.expect_tg(TG_VOLUNTEER, lambda t: "On vous apporte" in t)
    assert relayed.startswith("Le centre, au sujet de votre besoin <b>N1</b>")
    assert "514" not in relayed and "+1" not in relayed
    await world.expect_sms(HOLDER, lambda t: t.startswith("Message au sujet de N1 transmis"))


async def test_an_sms_need_reaches_a_telegram_holder_whose_reply_goes_back_by_sms(
    service: Service, tg: FakeTelegram, twilio: FakeTwilio
) -> None:
    world = await _hub(service, tg, twilio)
    world.telegram(TG_HOLDER, "/start DEMO", username="Marie_TG", language="en")
    await world.expect_tg(TG_HOLDER, lambda t: t.startswith("Welcome to Démo"))
    await world.sms(LEAD, "ASSIGNER @marie_tg besoins et offres")
    await world.expect_tg(
        TG_HOLDER, lambda t: t.startswith("Your role at hub DEMO: Needs &amp; offers")
    )
    await world.sms(VOLUNTEER, "BESOIN couvertures pour 2")
    await world.expect_tg(TG_HOLDER, lambda t: t.startswith("New need <b>N1</b>"))
    world.telegram(TG_HOLDER, "/r N1 Je passe a 16h avec les couvertures", language="en")
    relayed = await world.expect_sms(VOLUNTEER, lambda t: "Je passe a 16h" in t)
    assert str(TG_HOLDER) not in relayed and "marie" not in relayed.lower()


async def test_an_alert_tapped_ok_twice_is_acknowledged_once(
    service: Service, tg: FakeTelegram, twilio: FakeTwilio
) -> None:
    await service.cli("coordinator", "add", f"telegram:{TG_COORD}")
    world = await _hub(service, tg, twilio)
    alert = await world.expect_tg(TG_COORD, lambda t: "OUVERT" in t)
    message = next(m for m in tg.sent if m.text == alert)
    [(label, command)] = message.buttons
    assert label == "OK, bien noté" and command.startswith("ACK o")
    tg.push(tg.callback_update(TG_COORD, command, message))
    tg.push(tg.callback_update(TG_COORD, command, message))
    await world.expect_tg(TG_COORD, lambda t: t == "Merci, c'est bien noté.")
    await world.expect_tg(TG_COORD, lambda t: t == "Déjà noté, merci.")
    assert service.query("SELECT COUNT(*) FROM confirmations WHERE confirmed_at IS NOT NULL") == [
        (1,)
    ]
    assert len(tg.callback_answers) == 2, "every tap is answered, so no spinner hangs"


async def test_a_429_for_one_chat_holds_only_that_chat(
    service: Service, tg: FakeTelegram, twilio: FakeTwilio
) -> None:
    world = await _hub(service, tg, twilio)
    slow, fast = 4004, 5005
    tg.fail[slow] = [("429", 3)]
    started = time.monotonic()
    world.telegram(slow, "/aide")
    world.telegram(fast, "/aide")
    await world.expect_tg(fast, lambda t: "BESOIN" in t)
    await world.expect_tg(slow, lambda t: "BESOIN" in t)
    fast_at = next(m.at for m in tg.sent if m.chat_id == fast)
    slow_at = next(m.at for m in tg.sent if m.chat_id == slow)
    assert fast_at - started < 2.5, "other chats keep flowing"
    assert slow_at - fast_at >= 2.5, "the throttled chat waits about retry_after"


async def test_a_linked_group_gets_new_needs_and_an_unlinked_one_gets_nothing(
    service: Service, tg: FakeTelegram, twilio: FakeTwilio
) -> None:
    world = await _hub(service, tg, twilio)
    linked, other = -500, -600
    world.telegram(TG_HOLDER, "/lier DEMO 2468", chat_id=linked, chat_type="group")
    await world.expect_tg(linked, lambda t: t.startswith("Ce groupe est maintenant l'équipe"))
    world.telegram(TG_VOLUNTEER, "salut tout le monde", chat_id=other, chat_type="group")
    await world.sms(VOLUNTEER, "BESOIN génératrice")
    await world.expect_tg(linked, lambda t: t.startswith("Nouveau besoin <b>N1</b> (Électricité"))
    await world.expect_sms(VOLUNTEER, lambda t: t.startswith("Besoin N1"))
    assert tg.texts_to(other) == []


async def test_french_and_english_users_get_their_own_menus_and_replies(
    service: Service, tg: FakeTelegram, twilio: FakeTwilio
) -> None:
    world = await _hub(service, tg, twilio)
    assert [c["command"] for c in tg.commands["fr"]][:4] == ["aide", "rejoindre", "besoin", "offre"]
    assert [c["command"] for c in tg.commands["en"]][:4] == ["help", "join", "need", "offer"]
    world.telegram(6006, "/aide", language="fr")
    world.telegram(7007, "/help", language="en")
    await world.expect_tg(6006, lambda t: t.startswith("hubbot : BESOIN ou OFFRE"))
    await world.expect_tg(7007, lambda t: t.startswith("hubbot: NEED or OFFER"))


async def test_the_webhook_checks_its_secret_and_processes_each_update_once(
    tmp_path: Path, tg: FakeTelegram, twilio: FakeTwilio
) -> None:
    service = _service(tmp_path, tg, twilio, "webhook")
    try:
        await service.start()
        assert tg.webhook["url"] == f"{service.url}/telegram/webhook"
        assert tg.webhook["secret_token"] == "s3cret-token_for-tests"
        update = tg.message_update(8008, "/aide")
        url = f"{service.url}/telegram/webhook"
        async with aiohttp.ClientSession() as session:
            headers = {"X-Telegram-Bot-Api-Secret-Token": "wrong"}
            async with session.post(url, json=update, headers=headers) as resp:
                assert resp.status == 403
            async with session.post(url, json=update) as resp:
                assert resp.status == 403
            assert service.query("SELECT COUNT(*) FROM inbound") == [(0,)]
            headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token_for-tests"}
            for _ in range(3):
                async with session.post(url, json=update, headers=headers) as resp:
                    assert resp.status == 200
        # Each update is stored before its 200, so the count is final once the posts return.
        assert service.query("SELECT COUNT(*) FROM inbound") == [(1,)]
        assert await eventually(lambda: len(tg.texts_to(8008)) >= 1)
        assert service.query("SELECT COUNT(*) FROM outbox WHERE address = 'telegram:8008'") == [
            (1,)
        ]
        assert len(tg.texts_to(8008)) == 1
    finally:
        await service.close()
