"""R, in both languages: staff answer a routed message by member number, the two posters of a
match talk through the hub, and DONE on a matched need closes its offer. No phone number shows."""

from __future__ import annotations

import pytest

from tests.conftest import Harness

LEAD, HELPER, FACILITY = "+15145550101", "+15145550102", "+15145550104"
ANA, BOB, CAROLE = "+15145550103", "+15145550105", "+15145550106"
PHONES = (LEAD, HELPER, FACILITY, ANA, BOB, CAROLE)

W = {
    "fr": {
        "activate": "ACTIVER",
        "assign": "ASSIGNER",
        "unassign": "RETIRER",
        "join": "REJOINDRE",
        "need": "BESOIN",
        "offer": "OFFRE",
        "offers": "OFFRES",
        "match": "JUMELER",
        "yes": "OUI",
        "done": "FAIT",
        "leak": "Il y a une fuite dans les toilettes",
        "routed": "De {m} à Entretien des lieux : Il y a une fuite dans les toilettes\n"
        "Répondez R {m} + message.",
        "answer": "J'arrive dans 10 minutes",
        "answered": "Réponse de PLATEAU (Entretien des lieux) : J'arrive dans 10 minutes",
        "answered_by_lead": "Réponse de PLATEAU (Responsable du centre) : J'arrive dans 10 minutes",
        "answered_by_coordination": "Réponse de PLATEAU (la coordination régionale) :"
        " J'arrive dans 10 minutes",
        "sent": "Envoyé à {m}.",
        "refused": "Seul le poste qui a eu un message récent de {m}, ou le responsable,"
        " peut lui répondre.",
        "water_need": "eau potable pour 4",
        "water_offer": "eau potable pour 10",
        "water_offer_plain": "eau potable",
        "floor": "3e étage, porte B",
        "from_match": "{m}, jumelé avec votre note {id} : {text}\nRépondez R {id} + message.",
        "copy": "{m} à {to} au sujet de {id} : {text}",
        "relay_sent": "Message au sujet de {id} transmis à : {to}.",
        "to_poster": "Le centre, au sujet de votre besoin N1 : {text}. Répondez R N1 + message.",
        "how": "eau livrée par M7",
        "done_with_offer": "N1 fermé : eau livrée par M7. L'offre O1 aussi."
        " C'est noté au registre.",
        "done_left": "N1 fermé : eau livrée par M7. L'offre O1 reste au tableau, il en reste 6."
        " C'est noté.",
        "offer_used": "Votre offre O1 a servi pour N1 : eau livrée par M7. Elle quitte le tableau."
        " Merci !",
        "offer_left": "Votre offre O1 a servi pour N1 : eau livrée par M7. Il en reste 6 : elle"
        " reste au tableau. Merci !",
        "no_offers": "Aucune offre ouverte",
        "nothing_to_confirm": "Rien à confirmer pour le moment.",
    },
    "en": {
        "activate": "ACTIVATE",
        "assign": "ASSIGN",
        "unassign": "UNASSIGN",
        "join": "JOIN",
        "need": "NEED",
        "offer": "OFFER",
        "offers": "OFFERS",
        "match": "MATCH",
        "yes": "YES",
        "done": "DONE",
        "leak": "There is a leak in the toilets",
        "routed": "From {m} to Facility maintenance: There is a leak in the toilets\n"
        "Reply R {m} + message.",
        "answer": "On my way, 10 minutes",
        "answered": "Reply from PLATEAU (Facility maintenance): On my way, 10 minutes",
        "answered_by_lead": "Reply from PLATEAU (Hub lead): On my way, 10 minutes",
        "answered_by_coordination": "Reply from PLATEAU (the regional coordinators):"
        " On my way, 10 minutes",
        "sent": "Sent to {m}.",
        "refused": "Only the role that got a recent message from {m}, or the lead, can answer"
        " them.",
        "water_need": "drinking water for 4",
        "water_offer": "drinking water for 10",
        "water_offer_plain": "drinking water",
        "floor": "3rd floor, door B",
        "from_match": "{m}, matched with your note {id}: {text}\nReply R {id} + message.",
        "copy": "{m} to {to} about {id}: {text}",
        "relay_sent": "Message about {id} passed on to {to}.",
        "to_poster": "The hub, about your need N1: {text}. Reply R N1 + message.",
        "how": "water brought by M7",
        "done_with_offer": "N1 closed: water brought by M7. Offer O1 too. Logged.",
        "done_left": "N1 closed: water brought by M7. Offer O1 stays on the board with 6 left."
        " Logged.",
        "offer_used": "Your offer O1 went to N1: water brought by M7. It is off the board now."
        " Thank you!",
        "offer_left": "Your offer O1 went to N1: water brought by M7. 6 left, so it stays on the"
        " board. Thank you!",
        "no_offers": "No open offers",
        "nothing_to_confirm": "Nothing to confirm right now.",
    },
}
LANGS = pytest.mark.parametrize("lang", ["fr", "en"])


async def _hub(harness: Harness, lang: str) -> dict[str, str]:
    """A hub in `lang` with a lead, needs & offers, facility, and three members."""
    w = W[lang]
    await harness.add_hub(locale=lang)
    await harness.text(LEAD, f"{w['activate']} PLATEAU 2468")
    await harness.text(LEAD, f"{w['assign']} {HELPER} needs_offers")
    await harness.text(LEAD, f"{w['assign']} {FACILITY} facility")
    for phone in (ANA, BOB, CAROLE):
        await harness.text(phone, f"{w['join']} PLATEAU")
    return w


def _no_phone_number(got: dict[str, list[str]]) -> None:
    seen = " ".join(t for texts in got.values() for t in texts)
    for phone in PHONES:
        assert phone not in seen and phone[2:] not in seen and phone[5:] not in seen


async def _member(harness: Harness, phone: str) -> str:
    return f"M{await harness.person_id(phone)}"


# -- staff answer a routed message -----------------------------------------------------------


@LANGS
async def test_the_role_a_message_went_to_answers_it_by_member_number_and_no_number_shows(
    harness: Harness, lang: str
) -> None:
    w = await _hub(harness, lang)
    ana = await _member(harness, ANA)
    routed = await harness.text(ANA, w["leak"])
    assert routed[FACILITY] == [w["routed"].format(m=ana)]
    got = await harness.text(FACILITY, f"R {ana} {w['answer']}")
    assert got == {FACILITY: [w["sent"].format(m=ana)], ANA: [w["answered"]]}
    _no_phone_number(routed)
    _no_phone_number(got)


@LANGS
async def test_the_lead_may_answer_a_message_routed_to_another_role(
    harness: Harness, lang: str
) -> None:
    w = await _hub(harness, lang)
    ana = await _member(harness, ANA)
    await harness.text(ANA, w["leak"])
    got = await harness.text(LEAD, f"r {ana.lower()} {w['answer']}")
    assert got == {LEAD: [w["sent"].format(m=ana)], ANA: [w["answered_by_lead"]]}


@LANGS
async def test_a_regional_coordinator_may_answer_a_routed_message_too(
    harness: Harness, lang: str
) -> None:
    coordinator = "+15145550199"
    await harness.add_coordinator(coordinator, lang)
    w = await _hub(harness, lang)
    ana = await _member(harness, ANA)
    await harness.text(ANA, w["leak"])
    got = await harness.text(coordinator, f"R {ana} {w['answer']}")
    assert got[coordinator] == [w["sent"].format(m=ana)]
    assert got[ANA] == [w["answered_by_coordination"]]


@LANGS
async def test_anyone_else_is_refused_and_the_member_gets_nothing(
    harness: Harness, lang: str
) -> None:
    w = await _hub(harness, lang)
    ana = await _member(harness, ANA)
    await harness.text(ANA, w["leak"])
    for phone in (HELPER, CAROLE):  # another role's holder, another member
        got = await harness.text(phone, f"R {ana} {w['answer']}")
        assert got == {phone: [w["refused"].format(m=ana)]}
    row = await harness.db.fetchone(
        "SELECT COUNT(*) FROM activity_log WHERE action = 'refused' AND detail LIKE 'relay%'"
    )
    assert row is not None and row[0] == 2, "each refusal is in the activity log"


@LANGS
async def test_a_member_nobody_routed_reads_exactly_like_a_member_who_does_not_exist(
    harness: Harness, lang: str
) -> None:
    w = await _hub(harness, lang)
    bob = await _member(harness, BOB)  # joined, never wrote to a role
    quiet = await harness.text(FACILITY, f"R {bob} {w['answer']}")
    missing = await harness.text(FACILITY, f"R M999 {w['answer']}")
    assert quiet == {FACILITY: [w["refused"].format(m=bob)]}
    assert missing == {FACILITY: [w["refused"].format(m="M999")]}


@LANGS
async def test_a_routed_message_may_be_answered_for_three_days_and_then_no_longer(
    harness: Harness, lang: str
) -> None:
    w = await _hub(harness, lang)
    ana = await _member(harness, ANA)
    await harness.text(ANA, w["leak"])
    harness.clock.advance(days=2, hours=23)
    assert ANA in await harness.text(FACILITY, f"R {ana} {w['answer']}")
    harness.clock.advance(hours=2)
    late = await harness.text(FACILITY, f"R {ana} {w['answer']}")
    assert late == {FACILITY: [w["refused"].format(m=ana)]}


@LANGS
async def test_a_holder_who_gave_up_the_role_may_no_longer_answer_for_it(
    harness: Harness, lang: str
) -> None:
    w = await _hub(harness, lang)
    ana = await _member(harness, ANA)
    await harness.text(ANA, w["leak"])
    await harness.text(LEAD, f"{w['unassign']} {FACILITY} facility")
    got = await harness.text(FACILITY, f"R {ana} {w['answer']}")
    assert got == {FACILITY: [w["refused"].format(m=ana)]}


# -- R N12: staff and posters ----------------------------------------------------------------


@LANGS
async def test_needs_and_offers_still_write_to_a_poster_about_their_note(
    harness: Harness, lang: str
) -> None:
    w = await _hub(harness, lang)
    ana = await _member(harness, ANA)
    await harness.text(ANA, f"{w['need']} {w['water_need']}")
    got = await harness.text(HELPER, f"R N1 {w['answer']}")
    assert got == {
        HELPER: [w["relay_sent"].format(id="N1", to=ana)],
        ANA: [w["to_poster"].format(text=w["answer"])],
    }


async def _matched(harness: Harness, w: dict[str, str], offer: str) -> None:
    await harness.text(ANA, f"{w['need']} {w['water_need']}")
    await harness.text(BOB, f"{w['offer']} {offer}")
    await harness.text(HELPER, f"{w['match']} N1 O1")


@LANGS
async def test_the_posters_of_a_pending_match_talk_through_the_hub_by_member_number(
    harness: Harness, lang: str
) -> None:
    w = await _hub(harness, lang)
    ana, bob = await _member(harness, ANA), await _member(harness, BOB)
    await _matched(harness, w, w["water_offer"])
    got = await harness.text(ANA, f"R N1 {w['floor']}")
    assert got == {
        ANA: [w["relay_sent"].format(id="N1", to=bob)],
        BOB: [w["from_match"].format(m=ana, id="O1", text=w["floor"])],
        HELPER: [w["copy"].format(m=ana, to=bob, id="N1", text=w["floor"])],
    }
    back = await harness.text(BOB, f"R O1 {w['answer']}")
    assert back[ANA] == [w["from_match"].format(m=bob, id="N1", text=w["answer"])]
    assert back[BOB] == [w["relay_sent"].format(id="O1", to=ana)]
    assert back[HELPER] == [w["copy"].format(m=bob, to=ana, id="O1", text=w["answer"])]
    _no_phone_number(got)
    _no_phone_number(back)


@LANGS
async def test_the_posters_still_talk_through_the_hub_once_both_said_yes(
    harness: Harness, lang: str
) -> None:
    w = await _hub(harness, lang)
    ana = await _member(harness, ANA)
    await _matched(harness, w, w["water_offer"])
    await harness.text(ANA, w["yes"])
    await harness.text(BOB, w["yes"])
    got = await harness.text(BOB, f"R O1 {w['answer']}")
    assert got[ANA] == [
        w["from_match"].format(m=await _member(harness, BOB), id="N1", text=w["answer"])
    ]
    assert got[BOB] == [w["relay_sent"].format(id="O1", to=ana)]


# -- DONE on a matched need ------------------------------------------------------------------


@LANGS
async def test_done_on_a_matched_need_closes_its_offer_and_tells_the_offers_poster(
    harness: Harness, lang: str
) -> None:
    w = await _hub(harness, lang)
    await _matched(harness, w, w["water_offer_plain"])  # no quantity: the offer is used up
    got = await harness.text(HELPER, f"{w['done']} N1 {w['how']}")
    assert got[HELPER] == [w["done_with_offer"]]
    assert got[BOB] == [w["offer_used"]]
    assert ANA in got, "the need's poster hears too"
    offers = await harness.text(HELPER, w["offers"])
    assert offers[HELPER][0].startswith(w["no_offers"])
    row = await harness.db.fetchone("SELECT status FROM items WHERE kind = 'offer'")
    assert row is not None and row[0] == "used"
    log = await harness.db.fetchone("SELECT detail FROM activity_log WHERE action = 'offer_used'")
    assert log is not None and log[0] == f"O1: N1: {w['how']}"


@LANGS
async def test_done_leaves_what_remains_of_a_larger_offer_on_the_board(
    harness: Harness, lang: str
) -> None:
    w = await _hub(harness, lang)
    await _matched(harness, w, w["water_offer"])  # 10 offered, 4 needed
    got = await harness.text(HELPER, f"{w['done']} N1 {w['how']}")
    assert got[HELPER] == [w["done_left"]]
    assert got[BOB] == [w["offer_left"]]
    offers = (await harness.text(HELPER, w["offers"]))[HELPER][0]
    assert "O1" in offers
    row = await harness.db.fetchone("SELECT status, quantity FROM items WHERE kind = 'offer'")
    assert row is not None and tuple(row) == ("open", 6)
    log = await harness.db.fetchone(
        "SELECT detail FROM activity_log WHERE action = 'offer_reduced'"
    )
    assert log is not None and log[0] == "O1: 6 left after N1"


@LANGS
async def test_after_done_a_late_yes_shares_no_number_and_r_goes_to_the_hub_again(
    harness: Harness, lang: str
) -> None:
    w = await _hub(harness, lang)
    await _matched(harness, w, w["water_offer_plain"])
    await harness.text(ANA, w["yes"])
    await harness.text(HELPER, f"{w['done']} N1 {w['how']}")
    late = await harness.text(BOB, w["yes"])
    assert late == {BOB: [w["nothing_to_confirm"]]}
    after = await harness.text(ANA, f"R N1 {w['floor']}")
    assert BOB not in after and HELPER in after
    _no_phone_number(after)
