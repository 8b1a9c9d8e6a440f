"""Bad input (issue #11): odd characters and huge numbers get a plain answer, never a crash."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest

from hubbot.channels.telegram.routes import SECRET_HEADER
from hubbot.domain.durations import parse_duration
from hubbot.domain.numbers import parse_number
from hubbot.i18n import Renderer
from tests.conftest import Harness
from tests.fake_telegram import FakeTelegram
from tests.fake_twilio import inbound_form, sign
from tests.webhooks import TELEGRAM_SECRET as SECRET
from tests.webhooks import Client, webhooks

LEAD, HELPER, VOLUNTEER = "+15145550101", "+15145550102", "+15145550103"
EN_LEAD = "+16135550101"
HUGE = "99999999999999999999"  # over SQLite's 2**63 - 1
JSON = {"Content-Type": "application/json"}


async def _open_hub(harness: Harness) -> None:
    await harness.add_hub()
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await harness.text(LEAD, "ASSIGNER 514-555-0102 besoins et offres")
    await harness.text(VOLUNTEER, "REJOINDRE PLATEAU")


async def _inbound(harness: Harness) -> list[tuple[object, ...]]:
    rows = await harness.db.fetchall(
        "SELECT provider_id, text, processed_at IS NOT NULL, error FROM inbound ORDER BY id"
    )
    return [tuple(row) for row in rows]


@pytest.fixture
async def client(harness: Harness, tg: FakeTelegram, renderer: Renderer) -> AsyncIterator[Client]:
    """The simulator, Telegram and Twilio routes, served in-process over the harness's store."""
    async with webhooks(harness.db, harness.clock, tg, renderer) as served:
        yield served


# -- lone UTF-16 surrogates ------------------------------------------------------------------


async def test_a_lone_surrogate_in_a_simulated_text_is_replaced_and_the_need_is_saved(
    harness: Harness, client: Client
) -> None:
    await _open_hub(harness)
    # json.dumps writes the lone surrogate as the escape \ud800, as a client may send it.
    body = json.dumps({"from": VOLUNTEER, "text": "BESOIN eau potable \ud800"})
    response = await client.post("/sim/inbound", data=body, headers=JSON)
    assert response.status == 202
    await harness.processor.drain()
    got = await harness.tick()
    assert got[VOLUNTEER][0].startswith("Besoin N1 noté")
    assert any("eau potable \ufffd" in text for text in got[HELPER])
    assert (await _inbound(harness))[-1][1:] == ("BESOIN eau potable \ufffd", 1, None)


async def test_a_lone_surrogate_in_a_simulated_message_id_is_replaced_and_stored_once(
    harness: Harness, client: Client
) -> None:
    body = json.dumps({"from": VOLUNTEER, "text": "AIDE", "id": "sim-\udfff"})
    assert (await client.post("/sim/inbound", data=body, headers=JSON)).status == 202
    assert (await client.post("/sim/inbound", data=body, headers=JSON)).status == 200
    await harness.processor.drain()
    assert await _inbound(harness) == [("sim-\ufffd", "AIDE", 1, None)]
    assert (await harness.tick())[VOLUNTEER][0].startswith("hubbot")


async def test_a_simulated_body_that_is_not_utf8_is_read_with_replacement_characters(
    harness: Harness, client: Client
) -> None:
    body = b'{"from": "+15145550103", "text": "AIDE \xff"}'
    assert (await client.post("/sim/inbound", data=body, headers=JSON)).status == 202
    assert [row[1] for row in await _inbound(harness)] == ["AIDE \ufffd"]


async def test_a_lone_surrogate_in_a_telegram_update_is_replaced_and_answered(
    harness: Harness, client: Client, tg: FakeTelegram
) -> None:
    await _open_hub(harness)
    await harness.text(LEAD, "ASSIGNER 514-555-0105 accueil")
    update = tg.message_update(4242, "/start PLATEAU", first_name="Ana")
    headers = {SECRET_HEADER: SECRET, **JSON}
    assert (await client.post("/telegram/webhook", json=update, headers=headers)).status == 200
    await harness.processor.drain()
    await harness.tick()
    update = tg.message_update(4242, "/besoin couvertures X", first_name="Y", username="anaz")
    raw = (
        json.dumps(update)
        .replace("couvertures X", "couvertures \\ud83d")
        .replace('"Y"', '"\\udc00"')
    )
    response = await client.post("/telegram/webhook", data=raw, headers=headers)
    assert response.status == 200
    await harness.processor.drain()
    got = await harness.tick()
    assert got["telegram:4242"][0].startswith("Besoin N1 noté")
    assert (await _inbound(harness))[-1][1:] == ("/besoin couvertures \ufffd", 1, None)


@pytest.mark.parametrize("secret", [b"s\xe9cret", "sécret".encode(), b"\xff\xfe"])
async def test_a_non_ascii_telegram_secret_token_is_refused_with_403(
    harness: Harness, client: Client, tg: FakeTelegram, secret: bytes
) -> None:
    body = json.dumps(tg.message_update(4242, "/aide")).encode()
    status = await _raw_post(client, "/telegram/webhook", body, SECRET_HEADER.encode(), secret)
    assert status == 403
    assert await _inbound(harness) == []


@pytest.mark.parametrize(
    "body",
    ["[]", "1", "null", '"x"', '{"update_id": 1, "message": 5}', '{"message": {}}', "[" * 50_000],
)
async def test_json_that_is_no_telegram_update_gets_400_and_nothing_is_stored(
    harness: Harness, client: Client, body: str
) -> None:
    headers = {SECRET_HEADER: SECRET, **JSON}
    response = await client.post("/telegram/webhook", data=body, headers=headers)
    assert response.status == 400
    assert await _inbound(harness) == []


async def test_deeply_nested_json_on_the_simulator_gets_400(
    client: Client,
) -> None:
    response = await client.post("/sim/inbound", data="[" * 50_000, headers=JSON)
    assert response.status == 400


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"MessageSid=SM1&From=%2B15145550103&Body=\xff\xfe", "application/x-www-form-urlencoded"),
        (b"MessageSid=SM1", "application/x-www-form-urlencoded; charset=no-such-charset"),
        (b"garbage", "multipart/form-data; boundary=zz"),
    ],
)
async def test_a_twilio_body_that_is_no_readable_form_gets_403_and_nothing_is_stored(
    harness: Harness, client: Client, body: bytes, content_type: str
) -> None:
    headers = {"X-Twilio-Signature": "c2lnbmF0dXJl", "Content-Type": content_type}
    response = await client.post("/twilio/sms", data=body, headers=headers)
    assert response.status == 403
    assert await _inbound(harness) == []


async def test_a_signed_twilio_text_with_odd_characters_is_stored_with_only_its_nul_replaced(
    harness: Harness, client: Client
) -> None:
    form = inbound_form("SM1", VOLUNTEER, "", "AIDE \ufffd\x00 \U0001f6a8")
    url = str(client.make_url("/twilio/sms"))
    response = await client.post(
        "/twilio/sms", data=form, headers={"X-Twilio-Signature": sign(url, form)}
    )
    assert response.status == 200
    # A NUL no store of text can hold (PostgreSQL's refuses it); the rest is kept as sent.
    assert await _inbound(harness) == [("SM1", "AIDE \ufffd\ufffd \U0001f6a8", 0, None)]


async def _raw_post(
    client: Client,
    path: str,
    body: bytes,
    header: bytes,
    value: bytes,  # type: ignore[type-arg]
) -> int:
    """POST with a header value exactly as given, bytes that are not UTF-8 included."""
    reader, writer = await asyncio.open_connection("127.0.0.1", client.port)
    writer.write(
        b"POST %s HTTP/1.1\r\nHost: hub.test\r\n%s: %s\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\nConnection: close\r\n\r\n%s"
        % (path.encode(), header, value, len(body), body)
    )
    await writer.drain()
    status_line = await reader.readline()
    await reader.read()
    writer.close()
    await writer.wait_closed()
    return int(status_line.split()[1])


# -- huge numbers and digits that are not digits ---------------------------------------------


@pytest.mark.parametrize(
    ("sender", "text", "reply"),
    [
        (LEAD, "ETATALERTE 9223372036854775808", "Aucune diffusion ni alerte 9223372036854775808."),
        (LEAD, f"ETATALERTE B{HUGE}", f"Aucune diffusion ni alerte B{HUGE}."),
        (VOLUNTEER, f"ACK B{HUGE}", "Rien à confirmer ici."),
        (VOLUNTEER, f"ACK o{HUGE}", "Rien à confirmer ici."),
        (HELPER, f"FAIT N{HUGE} eau livrée", f"Aucun besoin ni offre N{HUGE}."),
        (HELPER, f"CAT N{HUGE} eau", f"Aucun besoin ni offre N{HUGE}."),
        (HELPER, f"EXPIRER N{HUGE} 2j", f"Aucun besoin ni offre N{HUGE}."),
        (HELPER, f"ANNULER O{HUGE}", f"Aucun besoin ni offre O{HUGE}."),
        (HELPER, f"JUMELER N{HUGE} O1", f"Aucun besoin ni offre N{HUGE}."),
        (HELPER, f"R N{HUGE} on arrive", f"Aucun besoin ni offre N{HUGE}."),
        (LEAD, f"ASSIGNER M{HUGE} accueil", f'Je ne connais pas "M{HUGE}".'),
        (HELPER, "EXPIRER N1 99999999j", "Écrivez EXPIRER + numéro + durée"),
        (LEAD, "ARRIVEE ²", "Écrivez ARRIVEE ou DEPART + nombre (1 à 500)"),
        (LEAD, f"ARRIVEE {HUGE}", "Écrivez ARRIVEE ou DEPART + nombre (1 à 500)"),
    ],
)
async def test_huge_numbers_get_a_usage_line_or_no_such_item_never_an_internal_error(
    harness: Harness, sender: str, text: str, reply: str
) -> None:
    await _open_hub(harness)
    await harness.text(VOLUNTEER, "BESOIN eau potable")
    await harness.text(VOLUNTEER, "OFFRE couvertures")
    got = await harness.text(sender, text)
    assert got[sender][0].startswith(reply), got
    assert (await _inbound(harness))[-1][2:] == (1, None)


async def test_an_english_lead_is_told_in_english_that_a_huge_broadcast_number_is_unknown(
    harness: Harness,
) -> None:
    await harness.add_hub()
    await harness.text(EN_LEAD, "ACTIVATE PLATEAU 2468")
    got = await harness.text(EN_LEAD, f"ALERTSTATUS B{HUGE}")
    assert got[EN_LEAD] == [f"No broadcast or alert B{HUGE}."]
    got = await harness.text(EN_LEAD, "ARRIVE ²")
    assert got[EN_LEAD][0].startswith("Text ARRIVE or LEAVE + a number (1 to 500)")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        (" 007 ", 7),
        ("٣", 3),  # an Arabic-Indic digit is a digit
        ("0", 0),
        ("", None),
        ("-1", None),
        ("+1", None),
        ("1.5", None),
        ("²", None),  # a superscript is no digit: int('²') raises
        ("1_000", None),
        (HUGE, None),
        ("0" * 10_000 + "1", 1),
        ("9" * 10_000, None),
    ],
)
def test_a_number_is_read_only_when_it_is_whole_bounded_and_in_digits(
    text: str, expected: int | None
) -> None:
    assert parse_number(text) == expected


def test_a_number_over_the_bound_given_is_not_read() -> None:
    assert parse_number("500", most=500) == 500
    assert parse_number("501", most=500) is None


@pytest.mark.parametrize("text", ["99999999d", "36526d", f"{HUGE}s", "²d"])
def test_a_duration_over_a_century_or_not_in_digits_is_refused_with_a_reason(text: str) -> None:
    with pytest.raises(ValueError, match="invalid duration"):
        parse_duration(text)


def test_a_century_is_the_longest_duration() -> None:
    assert parse_duration("36525d").days == 36525
