"""One person on two channels: LINK sends a code to the other address, and it must come back."""

from __future__ import annotations

import re

from tests.conftest import Harness

PHONE = "+15145550102"
TELEGRAM = "telegram:5501"


async def test_linking_telegram_and_sms_with_the_code_makes_one_person(harness: Harness) -> None:
    await harness.add_hub()
    await harness.text(TELEGRAM, "REJOINDRE PLATEAU")
    await harness.text(PHONE, "AIDE")  # a code goes only to an address that has written
    got = await harness.text(TELEGRAM, "LIER 514-555-0102")
    assert got[TELEGRAM] == [
        "Si cette adresse a déjà écrit à hubbot, un code y est envoyé (3 par heure au plus). "
        "Suivez-le d'ici 15 minutes. Rien ne vient ? Écrivez d'abord AIDE depuis cette adresse."
    ]
    code = re.search(r"\b(\d{6})\b", got[PHONE][0])
    assert code is not None and got[PHONE][0].startswith("Code hubbot")
    wrong = "000000" if code.group(1) != "000000" else "111111"
    assert (await harness.text(TELEGRAM, f"LIER {wrong}"))[TELEGRAM] == [
        "Code erroné. Vérifiez-le et réessayez."
    ]
    merged = await harness.text(TELEGRAM, f"LIER {code.group(1)}")
    assert merged[TELEGRAM][0].startswith("C'est fait : vos deux adresses sont reliées.")
    assert await harness.person_id(PHONE) == await harness.person_id(TELEGRAM)
    roster = await harness.text(PHONE, "ROLES")
    assert roster[PHONE][0].startswith("Postes à PLATEAU"), "the phone now shares the hub"


async def test_three_wrong_codes_cancel_the_link(harness: Harness) -> None:
    await harness.add_hub()
    await harness.text(PHONE, "HELP")
    got = await harness.text(TELEGRAM, "LINK 514-555-0102")
    code = re.search(r"\b(\d{6})\b", got[PHONE][0])
    assert code is not None
    wrong = "000000" if code.group(1) != "000000" else "111111"
    await harness.text(TELEGRAM, f"LINK {wrong}")
    await harness.text(TELEGRAM, f"LINK {wrong}")
    third = await harness.text(TELEGRAM, f"LINK {wrong}")
    assert third[TELEGRAM][0].startswith("Too many tries.")
    late = await harness.text(TELEGRAM, f"LINK {code.group(1)}")
    assert late[TELEGRAM][0].startswith("No link under way.")
    assert await harness.person_id(PHONE) != await harness.person_id(TELEGRAM)


async def test_a_link_code_expires_after_fifteen_minutes(harness: Harness) -> None:
    await harness.text(PHONE, "HELP")
    got = await harness.text(TELEGRAM, "LINK 514-555-0102")
    code = re.search(r"\b(\d{6})\b", got[PHONE][0])
    assert code is not None
    harness.clock.advance(minutes=16)
    late = await harness.text(TELEGRAM, f"LINK {code.group(1)}")
    assert late[TELEGRAM][0].startswith("No link under way.")


async def test_after_linking_an_alert_sent_before_can_still_be_acknowledged(
    harness: Harness,
) -> None:
    lead = "+15145550101"
    await harness.add_hub()
    await harness.text(lead, "ACTIVER PLATEAU 2468")
    await harness.text(PHONE, "REJOINDRE PLATEAU")
    await harness.text(lead, "DIFFUSER Fermez les fenetres cote nord")
    got = await harness.text(TELEGRAM, "LIER 514-555-0102")
    code = re.search(r"\b(\d{6})\b", got[PHONE][0])
    assert code is not None
    await harness.text(TELEGRAM, f"LIER {code.group(1)}")
    assert (await harness.text(PHONE, "OK"))[PHONE] == ["Merci, c'est bien noté."]
    tally = (await harness.text(lead, "ETATALERTE B1"))[lead][0]
    assert "1 confirmés" in tally and tally.endswith("Sans confirmation : -")
