"""A whole hub day, in French and in English, through the real engine: every text anyone gets
is read for its language, its SMS segments, and any phone number shown without consent."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

import pytest

from hubbot.domain.playbook import Playbook
from hubbot.domain.situation import TOPICS
from hubbot.domain.sms import is_gsm7, segment_count
from hubbot.i18n import catalog_path, entries, read_catalog
from tests.conftest import ROOT, Harness

LEAD, RECEPTION, NEEDS, COMMS, FACILITY = (
    "+15145550101",
    "+15145550102",
    "+15145550103",
    "+15145550104",
    "+15145550105",
)
# A need, an offer (from a guest who speaks the other language), and regional coordination.
ANA, BOB, COORD = "+15145550106", "+15145550107", "+15145550199"
PHONES = (LEAD, RECEPTION, NEEDS, COMMS, FACILITY, ANA, BOB, COORD)
HOLDERS = (RECEPTION, NEEDS, COMMS, FACILITY)
MEMBERS = (*HOLDERS, ANA, BOB)  # everyone in the hub but the lead
HUB, HUB_NAME, PIN = "PLATEAU", "Plateau", "2468"
LANGS = pytest.mark.parametrize("lang", ["fr", "en"])

# What each person texts during the day, word for word, in each language.
W = {
    "fr": {
        "activate": f"ACTIVER {HUB} {PIN}",
        "reception": "ASSIGNER 514-555-0102 accueil",
        "needs_offers": "ASSIGNER 514 555 0103 besoins et offres",
        "communications": "ASSIGNER (514) 555-0104 communications",
        "facility": "ASSIGNER +15145550105 entretien des lieux",
        "roles": "ROLES",
        "join": f"REJOINDRE {HUB}",
        "whoami": "MOI",
        "need": "BESOIN eau potable pour 4",
        "offer": "OFFRE eau potable",
        "needs": "BESOINS",
        "offers": "OFFRES",
        "match": "JUMELER N1 O1",
        "yes": "OUI",
        "relay_need": "R N1 Je suis au 3e étage, porte B",
        "relay_offer": "R O1 J'arrive dans 20 minutes",
        "leak": "Il y a une fuite dans les toilettes",
        "answer": "R {m} J'arrive avec un seau",
        "done": "FAIT N1 eau livrée à l'étage",
        "arrive": "ARRIVEE 5",
        "status_set": "ETAT courant coupé",
        "status": "ETAT",
        "broadcast": "DIFFUSER Distribution d'eau à 15h devant le gymnase",
        "alertstatus": "ETATALERTE B1",
        "checkin": "POINTAGE",
        "need2": "BESOIN couvertures pour 2 enfants",
        "cat": "CAT N2 hébergement",
        "expire": "EXPIRER N2 2j",
        "help_needs": "AIDE JUMELER",
        "leave": "DEPART 2",
        "onsite": "SURPLACE",
        "sitrep": "BILAN",
        "help": "AIDE",
        "close": "FERMER",
    },
    "en": {
        "activate": f"ACTIVATE {HUB} {PIN}",
        "reception": "ASSIGN 514-555-0102 reception",
        "needs_offers": "ASSIGN 514 555 0103 needs & offers",
        "communications": "ASSIGN (514) 555-0104 communications",
        "facility": "ASSIGN +15145550105 facility maintenance",
        "roles": "ROLES",
        "join": f"JOIN {HUB}",
        "whoami": "WHOAMI",
        "need": "NEED drinking water for 4",
        "offer": "OFFER drinking water",
        "needs": "NEEDS",
        "offers": "OFFERS",
        "match": "MATCH N1 O1",
        "yes": "YES",
        "relay_need": "R N1 I am on the 3rd floor, door B",
        "relay_offer": "R O1 On my way, 20 minutes",
        "leak": "There is a leak in the toilets",
        "answer": "R {m} Coming with a bucket",
        "done": "DONE N1 water brought upstairs",
        "arrive": "ARRIVE 5",
        "status_set": "STATUS power off",
        "status": "STATUS",
        "broadcast": "BROADCAST Water at 3 pm in front of the gym",
        "alertstatus": "ALERTSTATUS B1",
        "checkin": "CHECKIN",
        "need2": "NEED blankets for 2 kids",
        "cat": "CAT N2 shelter",
        "expire": "EXPIRE N2 2d",
        "help_needs": "HELP MATCH",
        "leave": "LEAVE 2",
        "onsite": "ONSITE",
        "sitrep": "SITREP",
        "help": "HELP",
        "close": "CLOSE",
    },
}


class Kind(Enum):
    """What a text is, decided by what caused it; its value is its SMS segment budget."""

    ACK = 1  # a short answer to the sender's own command: a confirmation, or a refusal
    HELP = 2  # AIDE / HELP
    OTHER = 3  # everything else: task cards, lists, notices to others, broadcasts


@dataclass(frozen=True)
class Received:
    cause: str  # "+15145550103: BESOINS": who texted what, or "clock +{...}": time passed
    to: str
    text: str
    kind: Kind
    may_see: frozenset[str]  # phones whose number this recipient may read in it

    def __str__(self) -> str:
        return f"{self.cause} -> {self.to} ({self.kind.name}): {self.text!r}"


@dataclass
class Day:
    """Walks the day through the harness and keeps every text anyone received."""

    harness: Harness
    lang: str
    transcript: list[Received] = field(default_factory=list)
    typed: list[str] = field(default_factory=list)  # what people texted: their own words
    consent: dict[str, frozenset[str]] = field(default_factory=dict)

    async def text(
        self, phone: str, body: str, reply: Kind | tuple[Kind, ...]
    ) -> dict[str, list[str]]:
        """`phone` texts `body`; its own replies are `reply` (one kind each, if a tuple)."""
        got = await self.harness.text(phone, body)
        self.typed.append(body)
        answers = got.get(phone, [])
        kinds = reply if isinstance(reply, tuple) else (reply,) * max(len(answers), 1)
        assert len(answers) == len(kinds), f"{phone}: {body!r} was answered {answers}"
        self._keep(f"{phone}: {body}", got, {phone: kinds})
        return got

    async def tick(self, **advance: float) -> dict[str, list[str]]:
        got = await self.harness.tick(**advance)
        self._keep(f"clock +{advance}", got, {})
        return got

    def _keep(
        self, cause: str, got: dict[str, list[str]], kinds: dict[str, tuple[Kind, ...]]
    ) -> None:
        for to, texts in got.items():
            for i, text in enumerate(texts):
                kind = kinds[to][i] if to in kinds else Kind.OTHER
                may_see = self.consent.get(to, frozenset()) | {to}
                self.transcript.append(Received(cause, to, text, kind, may_see))

    def to(self, phone: str) -> list[str]:
        return [r.text for r in self.transcript if r.to == phone]

    def reads(self, phone: str) -> str:
        """The language `phone` reads: the hub's, but the guest's own for BOB."""
        return other(self.lang) if phone == BOB else self.lang


def other(lang: str) -> str:
    return "en" if lang == "fr" else "fr"


async def day(harness: Harness, lang: str) -> Day:
    """A hub day in `lang`: open, roles, needs, match, relay, done, broadcast, OK, check-in,
    help, a refusal, close. BOB, who offers, speaks the other language all day."""
    w, d = W[lang], Day(harness, lang)
    g = W[other(lang)]  # what BOB, the guest, types
    await harness.add_coordinator(COORD, lang)
    await harness.add_hub(HUB, PIN, lang, HUB_NAME)
    # Open the hub and fill the roles.
    await d.text(LEAD, w["activate"], (Kind.ACK, Kind.OTHER))  # opened, then the task card
    for role in ("reception", "needs_offers", "communications", "facility"):
        await d.text(LEAD, w[role], Kind.ACK)  # the holder gets the task card
    await d.text(LEAD, w["roles"], Kind.OTHER)
    # Two neighbours: a need, an offer, matched; both consent, then talk through the hub.
    await d.text(ANA, w["join"], Kind.ACK)
    await d.text(BOB, g["join"], Kind.ACK)  # his first keyword sets his language
    await d.text(ANA, w["whoami"], Kind.OTHER)
    await d.text(ANA, w["roles"], Kind.OTHER)
    await d.text(ANA, w["need"], Kind.ACK)
    await d.text(BOB, g["offer"], Kind.ACK)
    await d.text(NEEDS, w["needs"], Kind.OTHER)
    await d.text(NEEDS, w["offers"], Kind.OTHER)
    await d.text(NEEDS, w["match"], Kind.ACK)
    await d.text(ANA, w["yes"], Kind.ACK)
    d.consent = {ANA: frozenset({BOB}), BOB: frozenset({ANA})}  # both say yes: contacts shared
    await d.text(BOB, g["yes"], Kind.OTHER)  # the contact itself
    await d.text(ANA, w["relay_need"], Kind.ACK)
    await d.text(BOB, g["relay_offer"], Kind.ACK)
    # A text the playbook routes to facility, answered by member number.
    await d.text(ANA, w["leak"], Kind.ACK)
    await d.text(FACILITY, w["answer"].format(m=f"M{await harness.person_id(ANA)}"), Kind.ACK)
    await d.text(NEEDS, w["done"], Kind.ACK)
    await d.text(ANA, w["need2"], Kind.ACK)
    await d.text(NEEDS, w["cat"], Kind.ACK)
    await d.text(NEEDS, w["expire"], Kind.ACK)
    await d.text(NEEDS, w["help_needs"], Kind.HELP)
    await d.text(ANA, w["needs"], Kind.ACK)  # the board is for needs & offers and the lead
    # On site, the situation board, a broadcast and its confirmations.
    await d.text(RECEPTION, w["arrive"], Kind.ACK)
    await d.text(RECEPTION, w["leave"], Kind.ACK)
    await d.text(RECEPTION, w["onsite"], Kind.OTHER)
    await d.text(COMMS, w["status_set"], Kind.ACK)
    await d.text(COMMS, w["status"], Kind.OTHER)
    await d.text(COMMS, w["sitrep"], Kind.OTHER)  # coordination gets it too
    await d.text(LEAD, w["broadcast"], Kind.ACK)
    for phone in (ANA, BOB, RECEPTION):
        await d.text(phone, "OK", Kind.ACK)
    await d.text(LEAD, w["alertstatus"], Kind.OTHER)
    # A check-in round: three holders answer, facility stays silent to the end.
    await d.text(LEAD, w["checkin"], Kind.ACK)
    await d.tick()
    for phone in (RECEPTION, NEEDS, COMMS):
        await d.text(phone, "OK", Kind.ACK)
    for _ in range(4):  # ask again, tell the lead, tell the coordinators, the summary
        await d.tick(minutes=15)
    await d.tick(hours=1)  # two hours open: the planned round, and the report to coordination
    # Help by role, a refusal, and the end of the day.
    await d.text(ANA, w["help"], Kind.HELP)
    await d.text(BOB, g["help"], Kind.HELP)
    for phone in HOLDERS:
        await d.text(phone, w["help"], Kind.HELP)
    await d.text(LEAD, w["help"], Kind.HELP)
    await d.text(ANA, w["checkin"], Kind.ACK)  # a member may not run a check-in
    await d.text(LEAD, w["close"], Kind.ACK)
    assert len(harness.channel.sent) == len(d.transcript), "every text sent was read"
    # No life-safety word in the walk: its alert carries the sender's contact to the lead and
    # communications by design (tests/test_life_safety_wording.py and the life-safety tests).
    return d


# -- reading a text for the other language ----------------------------------------------------

_PLACEHOLDER = re.compile(r"\{[^}]*\}")
_WORD = re.compile(r"[^\W\d_]{4,}")


def _words(text: str) -> set[str]:
    return {word.lower() for word in _WORD.findall(_PLACEHOLDER.sub(" ", text))}


def _catalog_words(lang: str) -> set[str]:
    found: set[str] = set()
    for entry in entries(read_catalog(catalog_path(ROOT / "locales", lang), lang)).values():
        for text in entry.text if isinstance(entry.text, tuple) else (entry.text,):
            found |= _words(text)
    return found


def _playbook_words(playbook: Playbook, lang: str) -> set[str]:
    names = [playbook.name, *(c.name for c in playbook.categories)]
    names += [r.name for r in playbook.roles] + [r.card for r in playbook.roles]
    names += [c.name for c in playbook.checkins if c.name is not None]
    return set().union(*(_words(getattr(name, lang)) for name in names))


def foreign_words(playbook: Playbook, lang: str, own: tuple[str, ...] = ()) -> set[str]:
    """Words only the other language's texts use: in its catalog or playbook names and cards,
    never in this language's, nor in `own` (the hub's code and name). What people typed is
    taken out of each text before reading it (`hubbots_words`)."""
    mine = _catalog_words(lang) | _playbook_words(playbook, lang)
    mine |= set().union(set(), *(_words(text) for text in own))
    return (_catalog_words(other(lang)) | _playbook_words(playbook, other(lang))) - mine


def foreign_pieces(text: str, foreign: set[str]) -> set[str]:
    return _words(text) & foreign


def raw_ids(playbook: Playbook) -> set[str]:
    """Ids of roles, categories, topics and check-ins that a French reader must never see raw."""
    ids = {r.id: r.name.fr for r in playbook.roles} | {c.id: c.name.fr for c in playbook.categories}
    ids |= {c.id: (c.name.fr if c.name else "") for c in playbook.checkins}
    ids |= {topic: "" for topic in TOPICS}
    return {i for i, name in ids.items() if i.lower() != name.lower()}


_COMMAND_TOKEN = re.compile(r"[A-Z]+|[NOMB]\d+")


def people_words(typed: list[str]) -> list[str]:
    """What people wrote in their own words, as hubbot may pass it on: each text without its
    command word and board or member ids ("R O1 On my way" -> "On my way"), longest first."""
    found: set[str] = set()
    for body in typed:
        tokens = body.split()
        while tokens and _COMMAND_TOKEN.fullmatch(tokens[0]):
            tokens.pop(0)
        said = " ".join(tokens)
        if len(said) >= 6 and any(ch.islower() for ch in said):
            found.add(said)
    return sorted(found, key=len, reverse=True)


def hubbots_words(text: str, typed: list[str]) -> str:
    """The text as hubbot wrote it: people's own words relayed in it are taken out."""
    for said in people_words(typed):
        text = text.replace(said, " ")
    return text


def _hub_playbook(playbooks: dict[str, Playbook]) -> Playbook:
    return playbooks["community-hub"]


def test_the_language_detector_flags_an_english_piece_in_a_french_text_and_vice_versa(
    playbooks: dict[str, Playbook],
) -> None:
    playbook = _hub_playbook(playbooks)
    in_french, in_english = foreign_words(playbook, "fr"), foreign_words(playbook, "en")
    assert foreign_pieces("Sujets : power, water, phones", in_french) == {
        "power",
        "water",
        "phones",
    }
    assert foreign_pieces("Postes vacants : Reception", in_french) == {"reception"}
    assert foreign_pieces("Need N1 saved, encore 2 j", in_english) == {"encore"}
    assert foreign_pieces("Roles: Accueil, Hub lead", in_english) == {"accueil"}
    assert not foreign_pieces("Besoin N1 noté et transmis à : Besoins et offres.", in_french)
    assert not foreign_pieces("Need N1 saved and sent to Needs & offers.", in_english)


def test_the_detector_lets_through_what_people_wrote_but_still_reads_around_it(
    playbooks: dict[str, Playbook],
) -> None:
    in_french = foreign_words(_hub_playbook(playbooks), "fr")
    typed = ["R N1 the water is back"]
    relayed = "M8 à M7 au sujet de N1 : the water is back"
    assert foreign_pieces(relayed, in_french) == {"water", "back"}
    assert not foreign_pieces(hubbots_words(relayed, typed), in_french)
    listed = "Thèmes : water, food. M8 : the water is back"
    assert foreign_pieces(hubbots_words(listed, typed), in_french) == {"water", "food"}


def _foreign_in(d: Day, playbook: Playbook) -> list[str]:
    """Every foreign piece any reader got, each reader read against their own language."""
    foreign = {lang: foreign_words(playbook, lang, own=(HUB, HUB_NAME)) for lang in ("fr", "en")}
    return [
        f"{sorted(found)} in {r}"
        for r in d.transcript
        if (found := foreign_pieces(hubbots_words(r.text, d.typed), foreign[d.reads(r.to)]))
    ]


async def test_a_french_hub_day_reads_in_french_only(
    harness: Harness, playbooks: dict[str, Playbook]
) -> None:
    d = await day(harness, "fr")
    assert len(d.transcript) > 70, "the whole day was read"
    assert _foreign_in(d, _hub_playbook(playbooks)) == [], "and the English guest's in English"


async def test_an_english_hub_day_reads_in_english_only(
    harness: Harness, playbooks: dict[str, Playbook]
) -> None:
    d = await day(harness, "en")
    assert len(d.transcript) > 70, "the whole day was read"
    assert _foreign_in(d, _hub_playbook(playbooks)) == [], "and the French guest's in French"


@LANGS
async def test_no_french_reader_sees_a_raw_role_category_or_topic_id(
    harness: Harness, playbooks: dict[str, Playbook], lang: str
) -> None:
    d = await day(harness, lang)
    ids = raw_ids(_hub_playbook(playbooks))
    assert {"needs_offers", "water", "reception", "power", "toilets"} <= ids
    french = [r for r in d.transcript if d.reads(r.to) == "fr"]
    assert len(french) > 10
    shown = [
        f"{sorted(_words_and_ids(hubbots_words(r.text, d.typed)) & ids)} in {r}" for r in french
    ]
    assert [s for s in shown if not s.startswith("[]")] == []


def _words_and_ids(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z_]+", text)}


# -- segments -----------------------------------------------------------------------------


@LANGS
async def test_every_reply_of_the_day_fits_its_segment_budget(harness: Harness, lang: str) -> None:
    d = await day(harness, lang)
    kinds = {r.kind for r in d.transcript}
    assert kinds == set(Kind), "acknowledgements, help and the rest were all read"
    over = [
        f"{segment_count(r.text)} SMS: {r}"
        for r in d.transcript
        if segment_count(r.text) > r.kind.value
    ]
    assert over == []


@LANGS
async def test_every_text_of_the_day_stays_in_the_sms_alphabet(harness: Harness, lang: str) -> None:
    d = await day(harness, lang)
    assert all(is_gsm7(typed) for typed in d.typed), "people typed nothing outside GSM-7"
    assert [str(r) for r in d.transcript if not is_gsm7(r.text)] == []


# -- phone numbers --------------------------------------------------------------------------


def _forms(phone: str) -> tuple[str, ...]:
    """E.164, national, and the last 7 digits; the text is read with separators dropped."""
    return phone, phone[2:], phone[-7:]


def _numbers_shown(text: str) -> set[str]:
    flat = re.sub(r"[\s().\-\u00a0]", "", text)
    return {phone for phone in PHONES if any(form in flat for form in _forms(phone))}


@LANGS
async def test_no_phone_number_is_shown_without_consent(harness: Harness, lang: str) -> None:
    d = await day(harness, lang)
    shown = [f"{sorted(_numbers_shown(r.text) - r.may_see)} in {r}" for r in d.transcript]
    assert [s for s in shown if not s.startswith("[]")] == []


@LANGS
async def test_the_two_posters_see_each_others_number_only_once_both_said_yes(
    harness: Harness, lang: str
) -> None:
    d = await day(harness, lang)
    to_ana = [r for r in d.transcript if r.to == ANA and BOB in _numbers_shown(r.text)]
    to_bob = [r for r in d.transcript if r.to == BOB and ANA in _numbers_shown(r.text)]
    assert len(to_ana) == len(to_bob) == 1, "each gets the other's contact, once"
    assert to_ana[0].cause == to_bob[0].cause == f"{BOB}: {W[other(lang)]['yes']}"


# -- the day itself -------------------------------------------------------------------------


@LANGS
async def test_the_day_reaches_everyone_it_should(harness: Harness, lang: str) -> None:
    d = await day(harness, lang)
    frame = f"[{HUB} B1] "
    for phone in MEMBERS:
        assert [t for t in d.to(phone) if t.startswith(frame)], f"{phone} got the broadcast"
        assert d.to(phone)[-1].find(HUB) >= 0, f"{phone} is told the hub closed"
    for phone in HOLDERS:
        assert len(d.to(phone)[0].splitlines()) > 3, f"{phone} got a task card first"
    coord = d.to(COORD)  # the opening, a report, the silent holder, a report, the close
    assert len(coord) == 5 and HUB in coord[0] and HUB in coord[-1]
    reports = [t for t in coord if t.startswith(("BILAN #", "SITREP #"))]
    assert len(reports) == 2, "the report asked for, and the one after two hours"
    helps = {r.to: r.text for r in d.transcript if r.kind is Kind.HELP}
    assert set(helps) == {*MEMBERS, LEAD}, "AIDE JUMELER; AIDE from members, holders, the lead"
    assert len(helps[LEAD]) > len(helps[ANA]), "the lead's help lists more commands"
