"""The needs and offers board by text: lists, suggestions, matches with consent, closing."""

from __future__ import annotations

import re

import pytest

from tests.conftest import Harness

LEAD, HELPER, COMMS = "+15145550101", "+15145550102", "+15145550105"
ANA, BOB, CAROLE = "+15145550103", "+15145550104", "+15145550106"
NEWCOMER = "+15145550107"


async def _staffed(harness: Harness) -> None:
    await harness.add_hub()
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    await harness.text(LEAD, "ASSIGNER 514-555-0102 besoins et offres")
    await harness.text(LEAD, "ASSIGNER 514-555-0105 communications")
    for phone in (ANA, BOB, CAROLE):
        await harness.text(phone, "REJOINDRE PLATEAU")


async def test_needs_list_shows_ids_and_descriptions_never_numbers_and_pages(
    harness: Harness,
) -> None:
    await _staffed(harness)
    for n in range(7):
        await harness.text(ANA, f"BESOIN couvertures lot {n}")
    first = (await harness.text(HELPER, "BESOINS"))[HELPER][0]
    assert first.startswith("Besoins ouverts à PLATEAU (7) :")
    assert "N1 [" in first and "N5 [" in first and "N6" not in first
    assert "514" not in first and "SUITE" in first
    more = (await harness.text(HELPER, "SUITE"))[HELPER][0]
    assert "N6 [" in more and "N7 [" in more and "SUITE" not in more
    done = (await harness.text(HELPER, "SUITE"))[HELPER][0]
    assert done.startswith("La liste est finie.")


async def test_a_volunteer_may_not_list_the_board(harness: Harness) -> None:
    await _staffed(harness)
    got = await harness.text(ANA, "BESOINS")
    assert got[ANA][0].startswith("BESOINS : Besoins et offres ou Responsable du centre seulement.")


async def test_a_new_offer_comes_with_matching_suggestions_for_needs_and_offers(
    harness: Harness,
) -> None:
    await _staffed(harness)
    await harness.text(ANA, "BESOIN génératrice pour le congélateur")
    got = await harness.text(BOB, "OFFRE génératrice 5000 W")
    suggestion = [t for t in got[HELPER] if t.startswith("Jumelages possibles pour O1")]
    assert suggestion and "N1 : génératrice pour le congélateur" in suggestion[0]
    assert "JUMELER N1 O1" in suggestion[0]


async def test_contacts_are_shared_only_when_both_sides_say_yes(harness: Harness) -> None:
    await _staffed(harness)
    await harness.text(ANA, "BESOIN eau potable pour 3")
    await harness.text(BOB, "OFFRE eau potable pour 10")
    got = await harness.text(HELPER, "JUMELER N1 O1")
    assert got[ANA][0].startswith("Bonne nouvelle : l'offre O1")
    assert got[BOB][0].startswith("Merci ! Votre offre O1")
    assert all("514" not in t for t in got[ANA] + got[BOB])
    first_yes = await harness.text(ANA, "OUI")
    assert first_yes == {
        ANA: ["Merci. On attend la réponse de l'autre personne avant de partager les coordonnées."]
    }
    relay = await harness.text(ANA, "R N1 je suis au 3e étage")
    assert HELPER in relay and all("514" not in t for texts in relay.values() for t in texts)
    both = await harness.text(BOB, "oui")
    assert BOB[2:] not in " ".join(both.get(BOB, []))
    assert any(BOB in t for t in both[ANA]), "Ana gets Bob's number"
    assert any(ANA in t for t in both[BOB]), "Bob gets Ana's number"


async def test_a_match_where_only_one_side_says_yes_never_reveals_a_number(
    harness: Harness,
) -> None:
    await _staffed(harness)
    await harness.text(ANA, "BESOIN transport pour l'hôpital")
    await harness.text(BOB, "OFFRE transport en voiture")
    await harness.text(HELPER, "JUMELER N1 O1")
    got = await harness.text(ANA, "OUI")
    seen = " ".join(t for texts in got.values() for t in texts)
    assert BOB not in seen and BOB[2:] not in seen
    list_text = (await harness.text(HELPER, "BESOINS"))[HELPER][0]
    assert "514" not in list_text


async def test_done_closes_a_need_with_how_and_tells_the_poster(harness: Harness) -> None:
    await _staffed(harness)
    await harness.text(ANA, "BESOIN couches taille 4")
    got = await harness.text(HELPER, "FAIT N1 couches données par la pharmacie")
    assert got[HELPER][0].startswith("N1 fermé : couches données par la pharmacie")
    assert got[ANA][0].startswith("Votre note N1 est réglée")
    assert (await harness.text(HELPER, "BESOINS"))[HELPER][0].startswith("Aucun besoin ouvert")
    row = await harness.db.fetchone("SELECT status, resolution FROM items WHERE number = 1")
    assert row is not None and tuple(row) == ("done", "couches données par la pharmacie")


async def test_the_poster_may_cancel_their_own_note_but_not_someone_elses(
    harness: Harness,
) -> None:
    await _staffed(harness)
    await harness.text(ANA, "BESOIN bois de chauffage")
    refused = await harness.text(BOB, "ANNULER N1")
    assert refused[BOB][0].startswith("ANNULER : la personne qui a publié la note, ")
    ok = await harness.text(ANA, "ANNULER N1")
    assert ok[ANA] == ["N1 retiré du tableau."]


async def test_needs_and_offers_can_recategorise_and_extend_a_note(harness: Harness) -> None:
    await _staffed(harness)
    await harness.text(ANA, "BESOIN quelque chose de chaud")
    assert (await harness.text(HELPER, "CAT N1 food"))[HELPER] == ["N1 classé dans : Nourriture."]
    assert (await harness.text(HELPER, "EXPIRER N1 2j"))[HELPER] == [
        "N1 reste au tableau encore 2 j."
    ]
    unknown = (await harness.text(HELPER, "CAT N1 licornes"))[HELPER][0]
    assert unknown.startswith('Aucun thème "licornes"')


async def test_an_expired_note_leaves_the_open_list_at_its_expiry_time(harness: Harness) -> None:
    await _staffed(harness)
    await harness.text(ANA, "BESOIN eau potable")  # water: 1 day on the board
    harness.clock.advance(hours=23, minutes=59)
    assert "N1" in (await harness.text(HELPER, "BESOINS"))[HELPER][0]
    harness.clock.advance(minutes=2)
    assert (await harness.text(HELPER, "BESOINS"))[HELPER][0].startswith("Aucun besoin ouvert")


async def test_a_life_safety_message_gets_911_first_and_alerts_lead_and_communications(
    harness: Harness,
) -> None:
    await _staffed(harness)
    got = await harness.text(CAROLE, "Mon voisin ne respire pas, 3e étage")
    assert got[CAROLE][0].startswith("Appelez le 911 maintenant. Restez avec la personne.")
    for staff in (LEAD, COMMS):
        alert = next(t for t in got[staff] if t.startswith("URGENCE"))
        assert CAROLE in alert, "life safety is the one case a contact is shared"
    listing = (await harness.text(HELPER, "BESOINS"))[HELPER][0]
    assert re.search(r"!! N\d+ ", listing.splitlines()[1]), "critical notes top every list"


async def _newcomer_says(harness: Harness, join: str, text: str) -> dict[str, list[str]]:
    """A staffed hub; someone joins it in their language (JOIN or REJOINDRE) and texts."""
    await _staffed(harness)
    await harness.text(NEWCOMER, f"{join} PLATEAU")
    return await harness.text(NEWCOMER, text)


@pytest.mark.parametrize(
    ("join", "text", "answer"),
    [
        ("REJOINDRE", "on est pieges au 2e etage", "Appelez le 911"),
        ("REJOINDRE", "ma mère est tombée, elle peut pas se relever", "Appelez le 911"),
        ("REJOINDRE", "mon fils est intoxiqué, on chauffait avec le BBQ", "Appelez le 911"),
        ("REJOINDRE", "il s'est électrocuté avec un fil tombé", "Appelez le 911"),
        ("JOIN", "HELP I am trapped", "Call 911"),
        ("JOIN", "my dad fell and cant get up", "Call 911"),
        ("JOIN", "we think it's CO poisoning, the kids are dizzy", "Call 911"),
        ("JOIN", "he got electrocuted by a downed line", "Call 911"),
    ],
)
async def test_someone_trapped_fallen_poisoned_or_electrocuted_gets_911_and_the_lead_is_alerted(
    harness: Harness, join: str, text: str, answer: str
) -> None:
    got = await _newcomer_says(harness, join, text)
    assert got[NEWCOMER][0].startswith(answer), "911 first, in the sender's language"
    assert any(t.startswith("URGENCE") and NEWCOMER in t for t in got[LEAD])


@pytest.mark.parametrize(
    "text",
    [
        "on est coincés à la maison sans courant",
        "BESOIN sacs de sable, l'eau monte dans la cour",
        "BESOIN détecteur de monoxyde pour la salle",
    ],
)
async def test_a_plain_need_or_call_for_help_goes_to_a_human_without_911_or_the_senders_number(
    harness: Harness, text: str
) -> None:
    await _staffed(harness)
    got = await harness.text(CAROLE, text)
    assert not any(t.startswith("Appelez le 911") for t in got[CAROLE])
    assert not any(t.startswith("URGENCE") for msgs in got.values() for t in msgs)
    told = [t for msgs in got.values() for t in msgs if text.split()[-1] in t]
    assert told, "someone on the team hears of it"
    assert not any(CAROLE in t for t in told), "the number is shared only when a life is at risk"


@pytest.mark.parametrize(
    ("join", "text", "reply"),
    [
        (
            "REJOINDRE",
            "on est coincés au sous-sol avec grand-maman",
            "Bien noté. Votre appel à l'aide est transmis tout de suite à : Responsable du centre."
            " Vie en danger : faites le 911.",
        ),
        (
            "JOIN",
            "we're stuck on the roof, come get us",
            "Got it. Your call for help went straight to Hub lead."
            " If a life is in danger, call 911.",
        ),
    ],
)
async def test_a_call_for_help_in_plain_words_reaches_the_lead_through_the_urgent_lane(
    harness: Harness, join: str, text: str, reply: str
) -> None:
    got = await _newcomer_says(harness, join, text)
    assert got[NEWCOMER] == [reply]
    relayed = [t for t in got[LEAD] if text in t]
    assert len(relayed) == 1 and NEWCOMER not in relayed[0], "no number without consent"
    assert relayed[0].startswith("Appel à l'aide de M"), "the lead sees at once what it is"
    assert "OK si vous vous en occupez" in relayed[0], "and is asked to take it"
    rows = await harness.db.fetchall(
        "SELECT address, priority FROM outbox WHERE (address = ? AND msg_key = ?)"
        " OR (address = ? AND msg_key = 'reply.help_routed')",
        (f"sms:{LEAD}", "relay.call_for_help", f"sms:{NEWCOMER}"),
    )
    lanes = {str(r[0]): str(r[1]) for r in rows}
    assert lanes == {f"sms:{LEAD}": "urgent", f"sms:{NEWCOMER}": "urgent"}, (
        "the lead and the caller, ahead of every reply and broadcast"
    )


async def test_a_significant_need_goes_to_the_lead(harness: Harness) -> None:
    await _staffed(harness)
    got = await harness.text(ANA, "BESOIN abri pour 12 personnes, maison inondée")
    assert any(t.startswith("Besoin important N1") for t in got[LEAD])


async def test_the_sweep_marks_notes_expired_once_their_time_has_passed(harness: Harness) -> None:
    from hubbot.service.housekeeping import sweep

    await _staffed(harness)
    await harness.text(ANA, "BESOIN eau potable")  # water: one day
    await harness.text(ANA, "BESOIN bois de chauffage")  # other: three days
    harness.clock.advance(days=1, seconds=1)
    assert await sweep(harness.db, harness.clock) == 1
    rows = await harness.db.fetchall("SELECT number, status FROM items ORDER BY number")
    assert [tuple(r) for r in rows] == [(1, "expired"), (2, "open")]


async def test_a_life_safety_message_overtakes_a_500_message_bulk_backlog(
    harness: Harness,
) -> None:
    from hubbot.store import inbound, outbox

    await _staffed(harness)
    async with harness.db.transaction() as conn:
        for i in range(500):
            await outbox.enqueue(
                conn,
                person_id=None,
                address=f"sms:+1438200{i:04d}",
                text=f"bulletin {i}",
                priority="bulk",
                now=harness.clock.now(),
            )
    harness.channel.rate, harness.channel.clock = 1.0, harness.clock  # a long code: 1 per second
    start = len(harness.channel.sent)
    await harness.dispatcher.run_once()  # the backlog has started to drain
    await inbound.record(
        harness.db,
        "sms",
        "SOS1",
        f"sms:{CAROLE}",
        None,
        "Au feu ! il y a de la fumée au 3e",
        harness.clock.now(),
    )
    await harness.processor.drain()  # the replies are queued in the same cycle
    while len(harness.channel.sent) < start + 4:
        if not await harness.dispatcher.run_once():
            harness.clock.advance(seconds=1)
    first, *urgent = harness.channel.sent[start : start + 4]
    assert first[1] == "bulletin 0", "the send already under way"
    assert {address for address, _ in urgent} == {f"sms:{CAROLE}", f"sms:{LEAD}", f"sms:{COMMS}"}
    assert any(text.startswith("Appelez le 911 maintenant.") for _, text in urgent)
