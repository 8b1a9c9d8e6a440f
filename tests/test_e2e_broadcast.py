"""End to end: a coordinator's BROADCAST ALL across three hubs, over SMS and Telegram at once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fake_telegram import FakeTelegram
from tests.fake_twilio import FakeTwilio
from tests.service import Service
from tests.world import World

NUMBERS = {"PLATEAU": "+15145550001", "NEWTOWN": "+16135550001", "RIVIERE": "+14185550001"}
COORD = "+15145550199"
LEADS = {"PLATEAU": "+15145550101", "NEWTOWN": "+16135550101", "RIVIERE": "+14185550101"}
SMS_FR, SMS_EN, SMS_STOPPED = "+15145550102", "+16135550102", "+16135550103"
SMS_EN_IN_FR_HUB, SMS_FR_2, SMS_UNDELIVERED = "+14185550102", "+14185550103", "+14185550104"
TG_FR, TG_EN = 7001, 7002
FRENCH = "[Coordination B1] AVIS : faites bouillir l'eau"
ENGLISH = "[Coordination B1] NOTICE: boil tap water"
# Telegram shows the same text as HTML, with ids in bold.
TG_FRENCH, TG_ENGLISH = (t.replace("B1", "<b>B1</b>") for t in (FRENCH, ENGLISH))


@pytest.fixture
async def service(tmp_path: Path, tg: FakeTelegram, twilio: FakeTwilio) -> AsyncIterator[Service]:
    svc = Service(tmp_path).use_twilio(twilio, NUMBERS["PLATEAU"]).use_telegram(tg)
    yield svc
    await svc.close()


class Region(World):
    """Three hubs, each with its own SMS number; phones text the number of their hub."""

    async def sms_to(self, hub: str, sender: str, body: str) -> None:
        await self.sms(sender, body, to=NUMBERS[hub])

    def person_id(self, address: str) -> int:
        rows = self.service.query("SELECT person_id FROM addresses WHERE address = ?", (address,))
        assert rows, f"{address} is not known"
        return int(rows[0][0])


async def _region(service: Service, tg: FakeTelegram, twilio: FakeTwilio) -> Region:
    for code, locale in (("PLATEAU", "fr"), ("NEWTOWN", "en"), ("RIVIERE", "fr")):
        code_, out = await service.cli(
            "hub",
            "add",
            code,
            "--name",
            code.title(),
            "--pin",
            "2468",
            "--locale",
            locale,
            "--sms-number",
            NUMBERS[code],
        )
        assert code_ == 0, out
    assert (await service.cli("coordinator", "add", COORD, "--locale", "en"))[0] == 0
    await service.start()
    region = Region(service, twilio, tg)
    await region.sms_to("PLATEAU", LEADS["PLATEAU"], "ACTIVER PLATEAU 2468")
    await region.sms_to("NEWTOWN", LEADS["NEWTOWN"], "ACTIVATE NEWTOWN 2468")
    await region.sms_to("RIVIERE", LEADS["RIVIERE"], "ACTIVER RIVIERE 2468")
    joins = (
        ("PLATEAU", SMS_FR, "REJOINDRE PLATEAU"),
        ("NEWTOWN", SMS_EN, "JOIN NEWTOWN"),
        ("NEWTOWN", SMS_STOPPED, "JOIN NEWTOWN"),
        ("RIVIERE", SMS_EN_IN_FR_HUB, "JOIN RIVIERE"),
        ("RIVIERE", SMS_FR_2, "REJOINDRE RIVIERE"),
        ("RIVIERE", SMS_UNDELIVERED, "REJOINDRE RIVIERE"),
    )
    for hub, phone, body in joins:
        await region.sms_to(hub, phone, body)
        await region.expect_sms(phone, lambda t: t.startswith(("Bienvenue", "Welcome")))
    region.telegram(TG_FR, "/start PLATEAU")
    await region.expect_tg(TG_FR, lambda t: t.startswith("Bienvenue"))
    region.telegram(TG_EN, "/start NEWTOWN", language="en")
    await region.expect_tg(TG_EN, lambda t: t.startswith("Welcome"))
    await region.sms_to("NEWTOWN", SMS_STOPPED, "STOP")
    await region.expect_sms(SMS_STOPPED, lambda t: "STOP" in t or "START" in t)
    return region


def _sid(twilio: FakeTwilio, to: str) -> str:
    [sid] = [m.sid for m in twilio.sent if m.to == to and m.body.startswith((FRENCH, ENGLISH))]
    return sid


async def test_a_broadcast_to_all_hubs_is_tracked_from_queue_to_acknowledgement(
    service: Service, tg: FakeTelegram, twilio: FakeTwilio
) -> None:
    region = await _region(service, tg, twilio)

    await region.sms_to("PLATEAU", COORD, "BROADCAST ALL #boil_water")
    confirmation = await region.expect_sms(COORD, lambda t: t.startswith("Broadcast B1"))
    assert confirmation == "Broadcast B1: 10 messages on their way, 1 skipped (opted out)."

    # Each member, in each hub, in their own language, over the channel they use.
    for phone in (LEADS["PLATEAU"], SMS_FR, LEADS["RIVIERE"], SMS_FR_2, SMS_UNDELIVERED):
        await region.expect_sms(phone, lambda t: t.startswith(FRENCH))
    for phone in (LEADS["NEWTOWN"], SMS_EN, SMS_EN_IN_FR_HUB):
        await region.expect_sms(phone, lambda t: t.startswith(ENGLISH))
    await region.expect_tg(TG_FR, lambda t: t.startswith(TG_FRENCH))
    notice = await region.expect_tg(TG_EN, lambda t: t.startswith(TG_ENGLISH))
    hub_of = {LEADS[h]: h for h in LEADS} | {SMS_FR: "PLATEAU", SMS_EN: "NEWTOWN"}
    hub_of |= {SMS_EN_IN_FR_HUB: "RIVIERE", SMS_FR_2: "RIVIERE", SMS_UNDELIVERED: "RIVIERE"}
    for m in twilio.sent:
        if m.body.startswith((FRENCH, ENGLISH)):
            assert m.sender == NUMBERS[hub_of[m.to]], "from the number of their own hub"
    assert not [b for b in twilio.bodies_to(SMS_STOPPED) if b.startswith(ENGLISH)]
    assert not [b for b in twilio.bodies_to(COORD) if b.startswith((FRENCH, ENGLISH))]

    # The carrier reports back: six delivered, one undeliverable, one not yet heard from.
    for phone in (LEADS["PLATEAU"], LEADS["NEWTOWN"], SMS_FR, SMS_EN, SMS_EN_IN_FR_HUB, SMS_FR_2):
        assert await twilio.callback(_sid(twilio, phone), "delivered") == 204
    assert await twilio.callback(_sid(twilio, SMS_UNDELIVERED), "undelivered", "30003") == 204

    # Acknowledgements: two by SMS, one with the Telegram button.
    await region.sms_to("PLATEAU", SMS_FR, "OK")
    await region.expect_sms(SMS_FR, lambda t: t == "Merci, c'est bien noté.")
    await region.sms_to("NEWTOWN", SMS_EN, "ok")
    await region.expect_sms(SMS_EN, lambda t: t.startswith("Got it"))
    message = next(m for m in tg.sent if m.chat_id == TG_EN and m.text == notice)
    [(label, command)] = message.buttons
    assert label == "OK, got it" and command == "ACK b1"
    tg.push(tg.callback_update(TG_EN, command, message, language="en"))
    await region.expect_tg(TG_EN, lambda t: t.startswith("Got it"))

    await region.sms_to("PLATEAU", COORD, "ALERTSTATUS B1")
    tally = await region.expect_sms(COORD, lambda t: t.startswith("B1:"))
    # The Telegram API confirms acceptance, not arrival: its two messages count as sent.
    assert tally.startswith(
        "B1: 11 recipients, 0 pending, 3 sent, 6 delivered, 1 failed, 3 acknowledged,"
        " 1 skipped (opted out). Not acknowledged: "
    )
    silent = {
        region.person_id(f"sms:{phone}")
        for phone in (*LEADS.values(), SMS_EN_IN_FR_HUB, SMS_FR_2, SMS_UNDELIVERED)
    } | {region.person_id(f"telegram:{TG_FR}")}
    listed = tally.split("Not acknowledged: ", 1)[1]
    assert {int(part.split()[0][1:]) for part in listed.split(", ")} == silent


async def test_a_lead_broadcast_stays_in_its_hub_and_a_late_sent_report_keeps_it_delivered(
    service: Service, tg: FakeTelegram, twilio: FakeTwilio
) -> None:
    region = await _region(service, tg, twilio)
    await region.sms_to("PLATEAU", LEADS["PLATEAU"], "DIFFUSER Réunion à 18 h au gymnase")
    await region.expect_sms(LEADS["PLATEAU"], lambda t: t.startswith("Diffusion B1"))
    framed = "[PLATEAU B1] Réunion à 18 h au gymnase\nRépondez OK."
    await region.expect_sms(SMS_FR, lambda t: t == framed)
    await region.expect_tg(TG_FR, lambda t: t == framed.replace("B1", "<b>B1</b>"))
    assert twilio.bodies_to(SMS_EN).count(framed) == 0, "one hub only"
    [sid] = [m.sid for m in twilio.sent if m.to == SMS_FR and m.body == framed]
    assert await twilio.callback(sid, "sent") == 204
    assert await twilio.callback(sid, "delivered") == 204
    assert await twilio.callback(sid, "sent") == 204, "a late 'sent' does not undo 'delivered'"
    await region.sms_to("PLATEAU", LEADS["PLATEAU"], "ETATALERTE B1")
    tally = await region.expect_sms(LEADS["PLATEAU"], lambda t: t.startswith("B1 :"))
    assert tally.startswith("B1 : 2 destinataires, 0 en attente, 1 envoyés, 1 livrés, 0 en échec")
