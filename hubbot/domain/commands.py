"""Turn a text into a command, and tell which language its keyword was in."""

from __future__ import annotations

import re
from dataclasses import dataclass

from hubbot.domain.playbook import Intent, Playbook, Role
from hubbot.domain.text import fold

# Compliance words are whole messages (CWTA rules), matched without case or accents.
OPT_OUT_WORDS = {
    "stop": None,
    "stopall": "en",
    "unsubscribe": "en",
    "cancel": "en",
    "end": "en",
    "quit": "en",
    "arret": "fr",
}
OPT_IN_WORDS = {"start": None, "unstop": "en", "reprendre": "fr"}
# Short answers to a check-in or a roll call: OK/1 (fine), 2 (I need help).
SHORT_ANSWERS = {"ok": None, "1": None, "2": None}
# YES opts back in someone who opted out (Twilio's word); otherwise it consents to a match.
YES_WORDS = {"yes": "en", "oui": "fr"}
HELP_WORDS = {"help": "en", "aide": "fr", "info": None}
ROSTER_WORDS = {"roles": None, "role": None}

# Commands that take arguments: first word -> (command name, language of that word).
COMMAND_WORDS: dict[str, tuple[str, str | None]] = {
    "join": ("join", "en"),
    "rejoindre": ("join", "fr"),
    "lang": ("lang", "en"),
    "langue": ("lang", "fr"),
    "language": ("lang", "en"),
    "need": ("need", "en"),
    "besoin": ("need", "fr"),
    "offer": ("offer", "en"),
    "offre": ("offer", "fr"),
    "activate": ("activate", "en"),
    "activer": ("activate", "fr"),
    "assign": ("assign", "en"),
    "assigner": ("assign", "fr"),
    "unassign": ("unassign", "en"),
    "retirer": ("unassign", "fr"),
    "close": ("close", "en"),
    "fermer": ("close", "fr"),
    "name": ("name", "en"),
    "nom": ("name", "fr"),
    "link": ("link", "en"),
    "lier": ("link", "fr"),
    "r": ("relay", None),
    "ack": ("ack", None),
    "needs": ("list_needs", "en"),
    "besoins": ("list_needs", "fr"),
    "offers": ("list_offers", "en"),
    "offres": ("list_offers", "fr"),
    "more": ("more", "en"),
    "suite": ("more", "fr"),
    "match": ("match", "en"),
    "jumeler": ("match", "fr"),
    "done": ("done", "en"),
    "fait": ("done", "fr"),
    "cancel": ("cancel", "en"),
    "annuler": ("cancel", "fr"),
    "cat": ("cat", None),
    "expire": ("expire", "en"),
    "expirer": ("expire", "fr"),
    "arrive": ("arrive", "en"),
    "arrivee": ("arrive", "fr"),
    "leave": ("leave", "en"),
    "depart": ("leave", "fr"),
    "onsite": ("onsite", "en"),
    "surplace": ("onsite", "fr"),
    "status": ("lifeline", "en"),
    "etat": ("lifeline", "fr"),
    "sitrep": ("sitrep", "en"),
    "bilan": ("sitrep", "fr"),
    "broadcast": ("broadcast", "en"),
    "diffuser": ("broadcast", "fr"),
    "alertstatus": ("alertstatus", "en"),
    "etatalerte": ("alertstatus", "fr"),
    "rollcall": ("rollcall", "en"),
    "appel": ("rollcall", "fr"),
    "handover": ("handover", "en"),
    "releve": ("handover", "fr"),
    "checkin": ("checkin", "en"),
    "pointage": ("checkin", "fr"),
}

RESERVED_WORDS = frozenset(
    [*OPT_OUT_WORDS, *OPT_IN_WORDS, *HELP_WORDS, *ROSTER_WORDS, *YES_WORDS, *COMMAND_WORDS]
)

_MEMBER = re.compile(r"^m(\d+)$", re.IGNORECASE)
_USERNAME = re.compile(r"^@([A-Za-z0-9_]{3,32})$")
_PHONE = re.compile(r"^\+?[\d\s().-]{7,20}$")
_LINK_CODE = re.compile(r"^\d{6}$")


@dataclass(frozen=True)
class PersonRef:
    """How a lead names someone: a member number, a Telegram @username or a phone number."""

    kind: str  # "member", "username" or "phone"
    value: str


def person_ref(text: str) -> PersonRef | None:
    text = text.strip()
    if m := _MEMBER.match(text):
        return PersonRef("member", m.group(1))
    if m := _USERNAME.match(text):
        return PersonRef("username", m.group(1).lower())
    if _PHONE.match(text) and sum(ch.isdigit() for ch in text) >= 7:
        return PersonRef("phone", text)
    return None


@dataclass(frozen=True)
class Command:
    """A parsed message. `name` is one of the command names, 'intent' or 'text'."""

    name: str
    args: str = ""
    locale: str | None = None  # the language the keyword revealed, if it did
    intent: Intent | None = None
    person: PersonRef | None = None
    person_text: str = ""
    role: Role | None = None
    role_text: str = ""


def _first_word(text: str) -> tuple[str, str]:
    head, _, rest = text.strip().partition(" ")
    head = head.lstrip("/").split("@", 1)[0]  # Telegram's /besoin@hubbot form
    return fold(head), rest.strip()


def parse(text: str, playbook: Playbook | None) -> Command:
    """Classify a message: compliance word, command, playbook intent, or free text."""
    stripped = " ".join(text.split())
    if not stripped:
        return Command("empty")  # an MMS with no text, or a stray blank SMS
    whole = fold(stripped).lstrip("/").rstrip(".!")
    for table, name in (
        (OPT_OUT_WORDS, "stop"),
        (OPT_IN_WORDS, "start"),
        (HELP_WORDS, "help"),
        (ROSTER_WORDS, "roles"),
        (YES_WORDS, "yes"),
        (SHORT_ANSWERS, "short_answer"),
    ):
        if whole in table:
            return Command(name, args=whole if name == "short_answer" else "", locale=table[whole])
    head, rest = _first_word(stripped)
    if head in YES_WORDS and _LINK_CODE.match(rest):
        # YES 123456 from the address a link code went to: that address agrees to the link.
        return Command("link_confirm", args=rest, locale=YES_WORDS[head])
    if head == "start" and rest:  # Telegram deep links: /start DEMO joins hub DEMO
        return Command("join", args=rest)
    if head in COMMAND_WORDS:
        name, locale = COMMAND_WORDS[head]
        if name in ("assign", "unassign"):
            return _person_and_role(name, rest, locale, playbook)
        if name == "handover":
            return _role_and_person(rest, locale, playbook)
        if name == "link":
            return Command(name, args=rest, locale=locale, person=person_ref(rest))
        return Command(name, args=rest, locale=locale)
    if playbook is not None and (found := playbook.match_intent(stripped)):
        intent, locale = found
        return Command("intent", args=stripped, locale=locale, intent=intent)
    return Command("text", args=stripped)


def _person_and_role(
    name: str, rest: str, locale: str | None, playbook: Playbook | None
) -> Command:
    """Split 'ASSIGN 514 555 0101 needs offers': the role is the longest known suffix."""
    tokens = rest.split()
    if len(tokens) < 2:
        return Command(name, args=rest, locale=locale)
    for i in range(1, len(tokens)):
        role_text = " ".join(tokens[i:])
        role = playbook.find_role(role_text) if playbook else None
        if role is not None:
            return _with_person(name, rest, locale, " ".join(tokens[:i]), role_text, role)
    return _with_person(name, rest, locale, " ".join(tokens[:-1]), tokens[-1])


def _role_and_person(rest: str, locale: str | None, playbook: Playbook | None) -> Command:
    """'HANDOVER needs offers 514 555 0101': the role is the longest known prefix."""
    tokens = rest.split()
    for i in range(len(tokens) - 1, 0, -1):
        role_text = " ".join(tokens[:i])
        role = playbook.find_role(role_text) if playbook else None
        if role is not None:
            return _with_person("handover", rest, locale, " ".join(tokens[i:]), role_text, role)
    if len(tokens) < 2:
        return Command("handover", rest, locale)
    return _with_person("handover", rest, locale, " ".join(tokens[1:]), tokens[0])


def _with_person(
    name: str,
    rest: str,
    locale: str | None,
    person_text: str,
    role_text: str,
    role: Role | None = None,
) -> Command:
    return Command(
        name,
        rest,
        locale,
        person=person_ref(person_text),
        person_text=person_text,
        role=role,
        role_text=role_text,
    )
